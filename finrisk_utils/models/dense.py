"""Dense (feed-forward) classifiers for tabular data, and a scikit-learn wrapper so a Keras network can sit in
a ``Pipeline``, be cross-validated and be explained by the same tools as any other model."""

from __future__ import annotations

import keras
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from finrisk_utils.core.validation import check_positive_int
from finrisk_utils.models.training import STEPS_PER_EXECUTION, fit_model, predict_array

__all__ = ["KerasDenseClassifier", "build_dense_classifier", "build_dense_regressor"]


def build_dense_classifier(
    n_features: int,
    *,
    hidden: tuple[int, ...] = (100,),
    dropout: float = 0.5,
    l2: float = 0.0,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """``hidden`` Dense-ReLU layers, each followed by Dropout, and a sigmoid output giving P(default); binary
    cross-entropy and Adam (:data:`~finrisk_utils.models.training.STEPS_PER_EXECUTION` batches per compiled
    call). Input ``(batch, n_features)``, output ``(batch, 1)``."""
    n_features = check_positive_int(n_features, "n_features", where="build_dense_classifier")
    if not hidden or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in hidden):
        raise ValueError(f"hidden must be a non-empty tuple of positive ints, got {hidden!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    reg = keras.regularizers.L2(l2) if l2 else None
    inputs = keras.Input(shape=(n_features,), name="features")
    x = inputs
    for i, width in enumerate(hidden):
        x = keras.layers.Dense(width, activation="relu", kernel_regularizer=reg, name=f"dense{i}")(
            x
        )
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="pd")(x)
    model = keras.Model(inputs, outputs, name="dense_classifier")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="binary_crossentropy",
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model


def build_dense_regressor(
    window: int,
    n_features: int = 1,
    *,
    hidden: tuple[int, ...] = (16,),
    dropout: float = 0.0,
    n_outputs: int = 1,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """Flattened window ``(batch, window, n_features)`` -> ``hidden`` Dense-ReLU layers -> linear
    ``(batch, n_outputs)``; MSE and Adam. With ``window=1`` it is a plain MLP on the current features."""
    window, n_features, n_outputs = (
        check_positive_int(v, k, where="build_dense_regressor")
        for k, v in (("window", window), ("n_features", n_features), ("n_outputs", n_outputs))
    )
    if not hidden or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in hidden):
        raise ValueError(f"hidden must be a non-empty tuple of positive ints, got {hidden!r}")
    inputs = keras.Input(shape=(window, n_features), name="window")
    x = keras.layers.Flatten(name="flatten")(inputs)
    for i, width in enumerate(hidden):
        x = keras.layers.Dense(width, activation="relu", name=f"dense{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = keras.layers.Dense(n_outputs, name="forecast")(x)
    model = keras.Model(inputs, outputs, name="dense_regressor")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="mse",
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model


class KerasDenseClassifier(ClassifierMixin, BaseEstimator):
    """scikit-learn classifier around :func:`build_dense_classifier`.

    ``fit`` holds out a stratified ``validation_fraction`` of the rows it is given for early stopping (so
    inside cross-validation the stopping never sees the test fold), optionally weights classes inversely to
    their frequency (``class_weight="balanced"``), and reseeds Keras with ``seed`` so every fit is reproducible
    whatever ran before it.
    """

    def __init__(
        self,
        hidden: tuple[int, ...] = (100,),
        dropout: float = 0.5,
        l2: float = 0.0,
        learning_rate: float = 1e-3,
        class_weight: str | None = "balanced",
        epochs: int = 200,
        batch_size: int = 32,
        patience: int = 20,
        validation_fraction: float = 0.2,
        seed: int = 0,
    ):
        self.hidden = hidden
        self.dropout = dropout
        self.l2 = l2
        self.learning_rate = learning_rate
        self.class_weight = class_weight
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> KerasDenseClassifier:
        X = np.asarray(X, dtype="float32")
        y = np.asarray(y).astype(int)
        if X.ndim != 2 or len(X) != len(y):
            raise ValueError(f"X must be 2-D with one row per label, got {X.shape} and {y.shape}")
        self.classes_ = np.unique(y)
        if not np.array_equal(self.classes_, [0, 1]):
            raise ValueError("y must contain both classes 0 and 1")
        keras.utils.set_random_seed(self.seed)
        X_tr, X_val, y_tr, y_val = train_test_split(
            X, y, test_size=self.validation_fraction, stratify=y, random_state=self.seed
        )
        self.model_ = build_dense_classifier(
            X.shape[1],
            hidden=tuple(self.hidden),
            dropout=self.dropout,
            l2=self.l2,
            learning_rate=self.learning_rate,
        )
        weights = None
        if self.class_weight == "balanced":
            counts = np.bincount(y_tr, minlength=2)
            weights = {k: len(y_tr) / (2 * counts[k]) for k in (0, 1)}
        elif self.class_weight is not None:
            raise ValueError(f"class_weight must be 'balanced' or None, got {self.class_weight!r}")
        self.fit_ = fit_model(
            self.model_,
            X_tr,
            y_tr,
            X_val,
            y_val,
            epochs=self.epochs,
            batch_size=self.batch_size,
            patience=self.patience,
            class_weight=weights,
        )
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "model_")
        p = predict_array(self.model_, np.asarray(X, dtype="float32"))[:, 0]
        p = np.clip(p.astype(float), 0.0, 1.0)
        return np.column_stack([1 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)
