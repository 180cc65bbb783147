"""Keras 3 model builders and a training helper. Only ``keras`` APIs (no ``tf.*``), so any Keras backend works.

Input shapes follow Keras' convention for sequences: ``(batch, timesteps, features)``, i.e. a window of past
observations along axis 1 (the seed article fed the columns of a table as timesteps instead).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

__all__ = ["FitResult", "build_recurrent_regressor", "fit_model"]


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def build_recurrent_regressor(
    window: int,
    n_features: int = 1,
    *,
    units: int = 32,
    cell: str = "lstm",
    dropout: float = 0.0,
    n_outputs: int = 1,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """One recurrent layer (LSTM or GRU) and a linear head, compiled with MSE and Adam.

    Input ``(batch, window, n_features)``; output ``(batch, n_outputs)`` in the (scaled) units of the target.
    """
    window, n_features, units, n_outputs = (
        _positive_int(k, v)
        for k, v in (
            ("window", window),
            ("n_features", n_features),
            ("units", units),
            ("n_outputs", n_outputs),
        )
    )
    layers = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
    if cell not in layers:
        raise ValueError(f"cell must be one of {sorted(layers)}, got {cell!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    inputs = keras.Input(shape=(window, n_features), name="window")
    x = layers[cell](units, name=cell)(inputs)
    if dropout:
        x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(n_outputs, name="forecast")(x)
    model = keras.Model(inputs, outputs, name=f"{cell}_regressor")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model


@dataclass(frozen=True)
class FitResult:
    """Training history (loss per epoch) and the epoch whose weights were kept (1-based)."""

    loss: list[float]
    val_loss: list[float]
    best_epoch: int
    epochs_run: int


def fit_model(
    model: keras.Model,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    epochs: int = 50,
    batch_size: int = 64,
    patience: int = 5,
) -> FitResult:
    """Fit with early stopping on the validation loss and restore the best epoch's weights.

    Training windows are shuffled each epoch (each window is a complete past-only sample, so shuffling leaks
    nothing); validation data are used only to stop. Raises if any loss becomes non-finite.
    """
    epochs, batch_size, patience = (
        _positive_int(k, v)
        for k, v in (("epochs", epochs), ("batch_size", batch_size), ("patience", patience))
    )
    if len(X_val) == 0:
        raise ValueError("fit_model needs a non-empty validation set for early stopping")
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )
    history = model.fit(
        np.ascontiguousarray(X_train),
        np.asarray(y_train),
        validation_data=(np.ascontiguousarray(X_val), np.asarray(y_val)),
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        callbacks=[stop, keras.callbacks.TerminateOnNaN()],
        verbose=0,
    )
    loss = [float(v) for v in history.history["loss"]]
    val_loss = [float(v) for v in history.history["val_loss"]]
    if not (np.isfinite(loss).all() and np.isfinite(val_loss).all()):
        raise FloatingPointError("training diverged: a loss became NaN or inf")
    return FitResult(loss, val_loss, int(np.argmin(val_loss)) + 1, len(loss))
