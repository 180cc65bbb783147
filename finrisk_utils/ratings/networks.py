"""Dense grade networks (``keras.ops`` only): an ordinal cumulative-link output (CORAL-style: one shared score,
K - 1 ordered thresholds) and a softmax output (the naive alternative that ignores the order of the grades).

CORAL: Cao, Mirjalili and Raschka (2020), "Rank consistent ordinal regression for neural networks", Pattern
Recognition Letters 140. Here the thresholds are ordered by construction (first threshold, then positive
softplus gaps), so the cumulative probabilities never cross and the class probabilities are never negative."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd
from keras import ops

from finrisk_utils.core.validation import as_float_array, check_positive_int
from finrisk_utils.forecasting import best_trained, seed_ensemble
from finrisk_utils.models.inspection import has_learned
from finrisk_utils.models.training import STEPS_PER_EXECUTION, FitResult, fit_model
from finrisk_utils.ratings.metrics import ranked_probability_score

__all__ = [
    "GradeNetwork",
    "OrdinalSoftmaxStudy",
    "OrderedThresholds",
    "build_grade_network",
    "class_frequencies",
    "cumulative_to_class_probabilities",
    "fit_grade_network",
    "fit_ordinal_and_softmax",
    "keras_cumulative_logit_loss",
    "naive_network_outputs",
    "select_and_fit_seeds",
]

KINDS = ("ordinal", "softmax")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _inverse_softplus(x: np.ndarray) -> np.ndarray:
    x = np.maximum(x, 1e-4)
    return x + np.log(-np.expm1(-x))


def class_frequencies(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Share of each notch 0..n_classes-1 in ``labels`` (shape (K,)), floored at a half count so no share is 0."""
    where = "class_frequencies"
    y = as_float_array(labels, "labels", where=where).astype(int)
    n_classes = check_positive_int(n_classes, "n_classes", where=where, minimum=2)
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"{where}: labels must lie in 0..{n_classes - 1}")
    counts = np.maximum(np.bincount(y, minlength=n_classes).astype(float), 0.5)
    return counts / counts.sum()


@keras.saving.register_keras_serializable(package="finrisk_utils")
class OrderedThresholds(keras.layers.Layer):
    """Cumulative logits ``score + b_k``, k = 0..K-2, of ``P(y > k)`` from a scalar score (batch, 1).

    ``b_0`` is free and ``b_k = b_{k-1} - softplus(g_k)``, so ``b_0 > b_1 > ... > b_{K-2}``: the cumulative
    probabilities decrease in k for every input. ``initial`` (shape (K - 1,), decreasing) starts the biases at
    given values, e.g. the logits of the training shares ``P(y > k)``."""

    def __init__(self, n_classes: int, initial: list[float] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.n_classes = check_positive_int(
            n_classes, "n_classes", where="OrderedThresholds", minimum=2
        )
        self.initial = None if initial is None else [float(v) for v in initial]
        if self.initial is not None and len(self.initial) != self.n_classes - 1:
            raise ValueError(
                f"OrderedThresholds: initial needs {self.n_classes - 1} values, got {len(self.initial)}"
            )

    def build(self, input_shape):
        init = np.asarray(
            self.initial if self.initial is not None else np.linspace(2, -2, self.n_classes - 1)
        )
        first = keras.initializers.Constant(float(init[0]))
        gaps = keras.initializers.Constant(_inverse_softplus(-np.diff(init)).tolist() or [0.0])
        self.first = self.add_weight(shape=(1,), initializer=first, name="first")
        self.gaps = self.add_weight(
            shape=(max(self.n_classes - 2, 1),), initializer=gaps, name="gaps"
        )

    def call(self, score):
        steps = ops.cumsum(ops.softplus(self.gaps))[: self.n_classes - 2]
        biases = ops.concatenate([self.first, self.first - steps])
        return score + ops.expand_dims(biases, 0)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_classes - 1)

    def get_config(self):
        return super().get_config() | {"n_classes": self.n_classes, "initial": self.initial}


def keras_cumulative_logit_loss(n_classes: int):
    """Keras loss for :class:`OrderedThresholds` outputs: the binary cross-entropy of the K - 1 events
    ``y > k`` summed over k and averaged over the batch (CORAL's loss). ``y_true``: notches, shape (batch,)."""
    n_classes = check_positive_int(
        n_classes, "n_classes", where="keras_cumulative_logit_loss", minimum=2
    )

    def loss(y_true, y_pred):
        y = ops.reshape(ops.cast(y_true, y_pred.dtype), (-1, 1))
        levels = ops.cast(y > ops.cast(ops.arange(n_classes - 1), y_pred.dtype), y_pred.dtype)
        per_task = ops.softplus(y_pred) - levels * y_pred  # -log sigmoid(z) or -log(1 - sigmoid(z))
        return ops.mean(ops.sum(per_task, axis=1))

    loss.__name__ = "cumulative_logit"
    return loss


def build_grade_network(
    n_features: int,
    n_classes: int,
    *,
    kind: str = "ordinal",
    hidden: tuple[int, ...] = (32,),
    dropout: float = 0.2,
    learning_rate: float = 1e-3,
    frequencies: np.ndarray | None = None,
) -> keras.Model:
    """Dense-ReLU layers (each followed by Dropout), then an ordinal or softmax output, compiled with Adam.

    ``kind="ordinal"``: one linear score (no bias) -> :class:`OrderedThresholds`, output the K - 1 cumulative
    logits, loss :func:`keras_cumulative_logit_loss`. ``kind="softmax"``: K logits -> softmax probabilities,
    sparse categorical cross-entropy. ``frequencies`` (shape (K,), training shares of each grade) start the
    output biases at the training distribution. Input (batch, n_features)."""
    where = "build_grade_network"
    n_features = check_positive_int(n_features, "n_features", where=where)
    n_classes = check_positive_int(n_classes, "n_classes", where=where, minimum=2)
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {KINDS}, got {kind!r}")
    if not hidden or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in hidden):
        raise ValueError(
            f"{where}: hidden must be a non-empty tuple of positive ints, got {hidden!r}"
        )
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"{where}: dropout must be in [0, 1), got {dropout}")
    freq = None if frequencies is None else as_float_array(frequencies, "frequencies", where=where)
    if freq is not None and (freq.size != n_classes or (freq <= 0).any()):
        raise ValueError(f"{where}: frequencies must be {n_classes} positive shares")
    inputs = keras.Input(shape=(n_features,), name="features")
    x = inputs
    for i, width in enumerate(hidden):
        x = keras.layers.Dense(width, activation="relu", name=f"dense{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    if kind == "ordinal":
        score = keras.layers.Dense(1, use_bias=False, name="score")(x)
        initial = None if freq is None else _logit(1 - np.cumsum(freq)[:-1]).tolist()
        outputs = OrderedThresholds(n_classes, initial, name="cumulative_logits")(score)
        loss = keras_cumulative_logit_loss(n_classes)
    else:
        bias = "zeros" if freq is None else keras.initializers.Constant(np.log(freq).tolist())
        outputs = keras.layers.Dense(
            n_classes, activation="softmax", bias_initializer=bias, name="probabilities"
        )(x)
        loss = "sparse_categorical_crossentropy"
    model = keras.Model(inputs, outputs, name=f"grade_{kind}")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=loss,
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model


def cumulative_to_class_probabilities(logits: np.ndarray) -> np.ndarray:
    """Class probabilities (n, K) from cumulative logits of ``P(y > k)`` (n, K - 1):
    ``p_0 = 1 - P(y > 0)``, ``p_k = P(y > k - 1) - P(y > k)``, ``p_{K-1} = P(y > K - 2)`` (clipped at 0 and
    renormalised, which only matters if the logits are not decreasing in k)."""
    z = as_float_array(logits, "logits", where="cumulative_to_class_probabilities", ndim=2)
    above = 1 / (1 + np.exp(-z))
    upper = np.column_stack([np.ones(len(z)), above])
    lower = np.column_stack([above, np.zeros(len(z))])
    p = np.clip(upper - lower, 0.0, None)
    return p / p.sum(axis=1, keepdims=True)


def naive_network_outputs(
    y_train: np.ndarray, n_rows: int, n_classes: int, kind: str
) -> np.ndarray:
    """What a network that ignores its inputs would output: the training shares of the grades as softmax
    probabilities, or their cumulative logits (ordinal); shape (n_rows, K) or (n_rows, K - 1)."""
    freq = class_frequencies(y_train, n_classes)
    row = freq if kind == "softmax" else _logit(1 - np.cumsum(freq)[:-1])
    if kind not in KINDS:
        raise ValueError(f"naive_network_outputs: kind must be one of {KINDS}, got {kind!r}")
    return np.tile(row.astype("float32"), (check_positive_int(n_rows, "n_rows"), 1))


@dataclass(frozen=True)
class GradeNetwork:
    """A fitted grade network: ``model``, its ``kind``, training record ``fit`` (kept epoch, trained flag
    against the grades' training shares on validation) and ``hidden``, the widths of its body's Dense layers."""

    model: keras.Model
    kind: str
    fit: FitResult
    hidden: tuple[int, ...] = ()

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Grade probabilities, shape (n, K)."""
        out = keras.ops.convert_to_numpy(self.model(np.asarray(X, dtype="float32"), training=False))
        return (
            cumulative_to_class_probabilities(out)
            if self.kind == "ordinal"
            else np.asarray(out, float)
        )


def fit_grade_network(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    kind: str,
    n_classes: int,
    hidden: tuple[int, ...] = (32,),
    dropout: float = 0.2,
    learning_rate: float = 1e-3,
    epochs: int = 200,
    batch_size: int = 128,
    patience: int = 15,
    seed: int = 0,
) -> GradeNetwork:
    """Build (:func:`build_grade_network`, output biases at the training shares) and fit with early stopping on
    the validation rows (:func:`finrisk_utils.models.training.fit_model`); reseeds Keras with ``seed``. The
    naive predictor it must beat on validation: the training shares of the grades for every loan."""
    keras.utils.set_random_seed(
        check_positive_int(seed, "seed", where="fit_grade_network", minimum=0)
    )
    X_tr = np.asarray(X_train, dtype="float32")
    y_tr = np.asarray(y_train).astype("int32")
    freq = class_frequencies(y_tr, n_classes)
    model = build_grade_network(
        X_tr.shape[1],
        n_classes,
        kind=kind,
        hidden=hidden,
        dropout=dropout,
        learning_rate=learning_rate,
        frequencies=freq,
    )
    fit = fit_model(
        model,
        X_tr,
        y_tr,
        np.asarray(X_val, dtype="float32"),
        np.asarray(y_val).astype("int32"),
        epochs=epochs,
        batch_size=batch_size,
        patience=patience,
        naive=naive_network_outputs(y_tr, len(y_val), n_classes, kind),
    )
    return GradeNetwork(model, kind, fit, tuple(int(h) for h in hidden))


def select_and_fit_seeds(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    kind: str,
    n_classes: int,
    hidden_grid: list[tuple[int, ...]],
    n_seeds: int,
    seed: int,
    **fit_kw,
) -> tuple[list[GradeNetwork], pd.DataFrame]:
    """Choose the hidden layers on the validation rows, then fit the chosen network with ``n_seeds`` seeds.

    Each candidate of ``hidden_grid`` is fitted once with ``seed`` and scored by its mean ranked probability
    score on the validation rows (the test rows are never seen); the best candidate among those that trained
    (:func:`~finrisk_utils.forecasting.compare.best_trained`) is refitted with seeds
    ``seed + 1, ...`` (its first fit is kept as seed ``seed``). ``fit_kw`` go to :func:`fit_grade_network`.

    Returns
    -------
    (networks, table)
        The chosen architecture's networks (one per seed) and one row per candidate: ``hidden``, ``val_rps``,
        ``best_epoch``, ``trained``.
    """
    where = "select_and_fit_seeds"
    n_seeds = check_positive_int(n_seeds, "n_seeds", where=where)
    if not hidden_grid:
        raise ValueError(f"{where}: hidden_grid needs at least one candidate")
    first, rows = [], []
    for hidden in hidden_grid:
        net = fit_grade_network(
            X_train,
            y_train,
            X_val,
            y_val,
            kind=kind,
            n_classes=n_classes,
            hidden=tuple(hidden),
            seed=seed,
            **fit_kw,
        )
        val_rps = float(ranked_probability_score(y_val, net.predict_proba(X_val)).mean())
        first.append(net)
        rows.append(
            {
                "hidden": str(tuple(hidden)),
                "val_rps": val_rps,
                "best_epoch": net.fit.best_epoch,
                "trained": bool(net.fit.trained),
            }
        )
    table = pd.DataFrame(rows)
    best = best_trained(table["val_rps"].to_numpy(), table["trained"].tolist())
    networks = [first[best]] + [
        fit_grade_network(
            X_train,
            y_train,
            X_val,
            y_val,
            kind=kind,
            n_classes=n_classes,
            hidden=tuple(hidden_grid[best]),
            seed=seed + s,
            **fit_kw,
        )
        for s in range(1, n_seeds)
    ]
    return networks, table


@dataclass(frozen=True)
class OrdinalSoftmaxStudy:
    """The ordinal and the softmax grade networks, each chosen on validation and fitted with several seeds.

    ``networks``: model name -> one :class:`GradeNetwork` per seed (seeds ``seed, seed + 1, ...``), with
    ``mlp_ordinal``, ``mlp_softmax`` and, where the two chose different hidden layers, ``mlp_softmax_same_body``
    (a softmax on the ordinal's body, so that one pair differs in the output layer only); ``selection``: kind ->
    the candidates' validation table of :func:`select_and_fit_seeds`."""

    networks: dict[str, list[GradeNetwork]]
    selection: dict[str, pd.DataFrame]
    seed: int

    @property
    def head_pair(self) -> tuple[str, str]:
        """The two models that differ in their output layer only: the ordinal and the softmax on its body."""
        same = "mlp_softmax_same_body"
        return ("mlp_ordinal", same if same in self.networks else "mlp_softmax")

    @property
    def trained(self) -> dict[str, bool]:
        """Per model: did every seed train (:attr:`~finrisk_utils.models.training.FitResult.trained`: beat the
        grades' training shares on validation with weights kept after the first epoch)?"""
        return {m: all(has_learned(n.fit) for n in runs) for m, runs in self.networks.items()}

    def predict_proba(self, model: str, X: np.ndarray) -> np.ndarray:
        """The seed ensemble's grade probabilities (mean over seeds), shape (n, K)."""
        if model not in self.networks:
            raise ValueError(
                f"OrdinalSoftmaxStudy.predict_proba: model {model!r} is not one of {sorted(self.networks)}"
            )
        return np.asarray(seed_ensemble([n.predict_proba(X) for n in self.networks[model]]))

    def training_table(self) -> pd.DataFrame:
        """One row per model and seed: kept epoch, epochs run, kept and naive validation loss, trained (0/1)."""
        return pd.DataFrame(
            [
                {"model": m, "seed": self.seed + i, **n.fit.summary()}
                for m, runs in self.networks.items()
                for i, n in enumerate(runs)
            ]
        )


def fit_ordinal_and_softmax(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    n_classes: int,
    hidden_grid: list[tuple[int, ...]],
    n_seeds: int,
    seed: int,
    **fit_kw,
) -> OrdinalSoftmaxStudy:
    """Choose and fit the ordinal and the softmax network (:func:`select_and_fit_seeds`, each on the validation
    rows only); where they chose different hidden layers, fit a softmax on the ordinal's body as well (same
    seeds and settings), so that the output layers can be compared on one body."""
    networks, selection = {}, {}
    for kind in KINDS:
        networks[f"mlp_{kind}"], selection[kind] = select_and_fit_seeds(
            X_train, y_train, X_val, y_val, kind=kind, n_classes=n_classes,
            hidden_grid=hidden_grid, n_seeds=n_seeds, seed=seed, **fit_kw,
        )  # fmt: skip
    body = networks["mlp_ordinal"][0].hidden
    if body != networks["mlp_softmax"][0].hidden:
        networks["mlp_softmax_same_body"], selection["softmax_same_body"] = select_and_fit_seeds(
            X_train, y_train, X_val, y_val, kind="softmax", n_classes=n_classes,
            hidden_grid=[body], n_seeds=n_seeds, seed=seed, **fit_kw,
        )  # fmt: skip
    return OrdinalSoftmaxStudy(networks, selection, seed)
