"""Training helpers: early stopping on a validation set, a check that the network learned something (its kept
validation loss against a naive constant predictor), and a refit for a fixed number of epochs."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from finrisk_utils.core.validation import check_positive_int
from finrisk_utils.models.graph_reuse import fit_reusing_graphs

__all__ = [
    "MIN_IMPROVEMENT",
    "STEPS_PER_EXECUTION",
    "FitResult",
    "fit_epochs",
    "fit_model",
    "naive_validation_loss",
    "predict_array",
]


MIN_IMPROVEMENT = 1e-3
"""Relative validation-loss improvement over the naive predictor a network needs to count as trained."""

STEPS_PER_EXECUTION = 32
"""Batches run per compiled call (Keras ``steps_per_execution``): the same updates in the same order with fewer
round trips through Python, so a small network trains about a third faster on CPU with identical weights (a test
pins the predictions)."""


def predict_array(model: keras.Model, X: np.ndarray, *, batch_size: int = 4096) -> np.ndarray:
    """``model.predict(X, batch_size=batch_size)`` without its per-call set-up (a data pipeline, callbacks,
    a progress bar): the same batches through the same compiled step, so the outputs are identical (a test pins
    them), tens of times faster for the small arrays that permutation importance, reason codes, sensitivities and
    re-estimation loops predict again and again. Returns an array of shape ``(len(X), *output_shape)``."""
    batch_size = check_positive_int(batch_size, "batch_size", where="predict_array")
    X = np.asarray(X)
    if len(X) == 0:
        return np.asarray(model.predict(X, verbose=0))
    chunks = [model.predict_on_batch(X[i : i + batch_size]) for i in range(0, len(X), batch_size)]
    return np.concatenate([np.asarray(c) for c in chunks])


@dataclass(frozen=True)
class FitResult:
    """Training history (loss per epoch), the epoch whose weights were kept (1-based) and the validation loss of
    the naive predictor (a constant: the training targets' mean, or what the caller passed); ``None`` when the
    network's outputs are not comparable with its targets and no naive predictions were given."""

    loss: list[float]
    val_loss: list[float]
    best_epoch: int
    epochs_run: int
    naive_val_loss: float | None = None

    @property
    def best_val_loss(self) -> float:
        """Validation loss at the kept epoch."""
        return self.val_loss[self.best_epoch - 1]

    @property
    def beat_naive(self) -> bool | None:
        """Did the kept weights beat the naive predictor on validation by at least ``MIN_IMPROVEMENT``
        (relative)? ``None`` when there is no naive loss to compare with."""
        if self.naive_val_loss is None:
            return None
        return self.best_val_loss < self.naive_val_loss - MIN_IMPROVEMENT * abs(self.naive_val_loss)

    @property
    def trained(self) -> bool | None:
        """The one rule for "this network trained": it beat the naive predictor on validation
        (:attr:`beat_naive`) *and* the kept epoch is not the first (weights kept after one epoch have barely
        left their initialisation; their forecasts are a constant in disguise). ``None`` when there is no naive
        loss to compare with. A network that did not train is reported as untrained and never interpreted."""
        beat = self.beat_naive
        return None if beat is None else beat and self.best_epoch > 1

    @property
    def still_improving(self) -> bool:
        """Was the kept epoch the last one run (more than one)? Early stopping never fired: the validation loss
        was still falling when the epoch budget ran out, and more epochs might have lowered it further."""
        return self.epochs_run > 1 and self.best_epoch == self.epochs_run

    def summary(self) -> dict[str, object]:
        """Kept epoch, epochs run, kept and naive validation loss, trained (0/1; ``None`` if unknown)."""
        return {
            "best_epoch": self.best_epoch,
            "epochs_run": self.epochs_run,
            "val_loss": self.best_val_loss,
            "naive_val_loss": self.naive_val_loss,
            "trained": None if self.trained is None else int(self.trained),
        }


def _row_weights(y: np.ndarray, class_weight: dict[int, float] | None) -> np.ndarray | None:
    """Per-row weights (shape ``(n,)``) from a ``{class: weight}`` mapping over integer labels ``y``; ``None``
    without one. Raises if ``y`` holds a class the mapping lacks."""
    if class_weight is None:
        return None
    labels = np.asarray(y).reshape(len(y), -1)[:, 0].astype(int)
    unknown = sorted(set(np.unique(labels).tolist()) - set(class_weight))
    if unknown:
        raise ValueError(
            f"fit_model: class_weight {class_weight} has no weight for classes {unknown}"
        )
    return np.array([class_weight[k] for k in labels], dtype="float32")


def _batched(arrays: tuple[np.ndarray, ...], batch_size: int) -> object:
    """Validation data ``(X, y[, w])`` for ``model.fit``: on the TensorFlow backend a ``tf.data`` dataset of the
    same batches Keras would cut from the arrays (in order, floats cast to ``floatx``), whose per-epoch iterator
    costs about 1 ms instead of the ~18 ms of Keras's own array pipeline (a third of a small network's time per
    epoch; the losses and weights are identical, a test pins them); the arrays themselves on other backends."""
    if keras.backend.backend() != "tensorflow":
        return arrays
    import tensorflow as tf

    floatx = keras.backend.floatx()
    cast = tuple(
        a.astype(floatx) if np.issubdtype(a.dtype, np.floating) and a.dtype != floatx else a
        for a in (np.asarray(x) for x in arrays)
    )
    return tf.data.Dataset.from_tensor_slices(cast).batch(batch_size)


def naive_validation_loss(
    model: keras.Model,
    y_train: np.ndarray,
    y_val: np.ndarray,
    naive: np.ndarray | None = None,
    *,
    w_train: np.ndarray | None = None,
    w_val: np.ndarray | None = None,
) -> float | None:
    """The compiled loss of ``model`` on validation when every prediction is the naive one: ``naive`` (shape of
    the model's outputs on ``y_val``'s rows) or, by default, the mean training target (a constant; weighted by
    ``w_train`` when given). The loss is averaged as Keras does: ``mean(w_val * loss)`` (row weights ``w_val``,
    default 1). ``None`` if the default does not fit the model's output shape (e.g. a quantile/ES head on one
    return column)."""
    y_val = np.asarray(y_val, dtype="float32")
    if naive is None:
        y_train = np.asarray(y_train, dtype="float32")
        out_dim = model.output_shape[-1] if len(model.output_shape) > 1 else 1
        target_dim = y_train.shape[-1] if y_train.ndim > 1 else 1
        if out_dim != target_dim or y_train.shape[1:] != y_val.shape[1:]:
            return None
        naive = np.broadcast_to(np.average(y_train, axis=0, weights=w_train), y_val.shape)
    naive = np.asarray(naive, dtype="float32")
    loss_fn = keras.losses.get(model.loss) if isinstance(model.loss, str) else model.loss
    if w_val is None:
        return float(np.mean(keras.ops.convert_to_numpy(loss_fn(y_val, naive))))
    if y_val.ndim == 1:  # one target per row: a column, so that the loss comes per row
        y_val, naive = y_val[:, None], naive.reshape(len(y_val), -1)
    value = keras.ops.convert_to_numpy(loss_fn(y_val, naive)).reshape(len(y_val), -1)
    return float(np.mean(w_val * value.mean(axis=1)))


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
    class_weight: dict[int, float] | None = None,
    naive: np.ndarray | None = None,
) -> FitResult:
    """Fit with early stopping on the validation loss and restore the best epoch's weights.

    Training windows are shuffled each epoch (each window is a complete past-only sample, so shuffling leaks
    nothing); validation data are used only to stop. ``class_weight`` weights the loss by class, on training
    and validation rows alike, so that early stopping and the trained check judge the objective the network is
    fitted to (a class-weighted classifier's probabilities are calibrated to the reweighted base rate; its
    unweighted log loss would penalise that rescaling, not a failure to learn). ``naive``: the naive predictions
    on the validation rows whose loss the network must beat (default: the (class-weighted) mean training target;
    see :func:`naive_validation_loss`). Raises if any loss becomes non-finite. Fitted through
    :func:`~finrisk_utils.models.graph_reuse.fit_reusing_graphs`: the second network of an architecture reuses
    the first one's traced graphs, with the same result.
    """
    epochs, batch_size, patience = (
        check_positive_int(v, k, where="fit_model")
        for k, v in (("epochs", epochs), ("batch_size", batch_size), ("patience", patience))
    )
    if len(X_val) == 0:
        raise ValueError("fit_model needs a non-empty validation set for early stopping")
    w_train, w_val = (_row_weights(y, class_weight) for y in (y_train, y_val))
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )
    validation = (np.ascontiguousarray(X_val), np.asarray(y_val))
    history = fit_reusing_graphs(
        model,
        np.ascontiguousarray(X_train),
        np.asarray(y_train),
        validation_data=_batched(validation if w_val is None else (*validation, w_val), batch_size),
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        callbacks=[stop, keras.callbacks.TerminateOnNaN()],
        class_weight=class_weight,
        verbose=0,
    )
    loss = [float(v) for v in history.history["loss"]]
    val_loss = [float(v) for v in history.history["val_loss"]]
    if not (np.isfinite(loss).all() and np.isfinite(val_loss).all()):
        raise FloatingPointError("training diverged: a loss became NaN or inf")
    naive_loss = naive_validation_loss(model, y_train, y_val, naive, w_train=w_train, w_val=w_val)
    return FitResult(loss, val_loss, int(np.argmin(val_loss)) + 1, len(loss), naive_loss)


def fit_epochs(
    model: keras.Model, X: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int = 64
) -> list[float]:
    """Fit for exactly ``epochs`` epochs (no validation), e.g. to refit on training + validation data with
    the epoch count that early stopping chose. Returns the loss per epoch; raises if it becomes non-finite."""
    epochs, batch_size = (
        check_positive_int(epochs, "epochs", where="fit_epochs"),
        check_positive_int(batch_size, "batch_size", where="fit_epochs"),
    )
    history = fit_reusing_graphs(
        model,
        np.ascontiguousarray(X),
        np.asarray(y),
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        callbacks=[keras.callbacks.TerminateOnNaN()],
        verbose=0,
    )
    loss = [float(v) for v in history.history["loss"]]
    if len(loss) < epochs or not np.isfinite(loss).all():
        raise FloatingPointError("training diverged: a loss became NaN or inf")
    return loss
