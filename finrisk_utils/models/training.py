"""Training helpers: early stopping on a validation set, and a refit for a fixed number of epochs."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from finrisk_utils.core.validation import check_positive_int

__all__ = ["FitResult", "fit_epochs", "fit_model"]


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
    class_weight: dict[int, float] | None = None,
) -> FitResult:
    """Fit with early stopping on the validation loss and restore the best epoch's weights.

    Training windows are shuffled each epoch (each window is a complete past-only sample, so shuffling leaks
    nothing); validation data are used only to stop. ``class_weight`` weights the training loss by class
    (the validation loss stays unweighted). Raises if any loss becomes non-finite.
    """
    epochs, batch_size, patience = (
        check_positive_int(v, k, where="fit_model")
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
        class_weight=class_weight,
        verbose=0,
    )
    loss = [float(v) for v in history.history["loss"]]
    val_loss = [float(v) for v in history.history["val_loss"]]
    if not (np.isfinite(loss).all() and np.isfinite(val_loss).all()):
        raise FloatingPointError("training diverged: a loss became NaN or inf")
    return FitResult(loss, val_loss, int(np.argmin(val_loss)) + 1, len(loss))


def fit_epochs(
    model: keras.Model, X: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int = 64
) -> list[float]:
    """Fit for exactly ``epochs`` epochs (no validation), e.g. to refit on training + validation data with
    the epoch count that early stopping chose. Returns the loss per epoch; raises if it becomes non-finite."""
    epochs, batch_size = (
        check_positive_int(epochs, "epochs", where="fit_epochs"),
        check_positive_int(batch_size, "batch_size", where="fit_epochs"),
    )
    history = model.fit(
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
