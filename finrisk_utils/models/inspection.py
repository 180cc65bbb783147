"""Looking inside fitted sequence networks: how far back they look, what a 1-D CNN's filters are, what an
LSTM's gates do. Backend-agnostic: finite differences and NumPy on the weights, no autodiff."""

from __future__ import annotations

import keras
import numpy as np

from finrisk_utils.models.training import FitResult, predict_array

__all__ = ["has_learned", "lag_sensitivity", "lstm_gates", "training_report"]


def has_learned(fit: FitResult) -> bool:
    """Did the network learn something (:attr:`FitResult.trained`: its kept weights beat the naive predictor on
    validation and the kept epoch is not the first)? ``False`` when unknown."""
    if not isinstance(fit, FitResult):
        raise TypeError(f"has_learned: fit must be a FitResult, got {type(fit).__name__}")
    return fit.trained is True


def training_report(fit: FitResult, name: str = "The network") -> str:
    """One Markdown sentence on a fit: epochs run, the epoch kept, its validation loss against the naive
    (constant) predictor's, and whether it counts as trained (:func:`has_learned`); an untrained network is said
    to be not interpreted."""
    if not isinstance(fit, FitResult):
        raise TypeError(f"training_report: fit must be a FitResult, got {type(fit).__name__}")
    if not isinstance(name, str) or not name:
        raise TypeError(f"training_report: name must be a non-empty str, got {name!r}")
    text = (
        f"{name} ran {fit.epochs_run} epochs and kept the weights of epoch {fit.best_epoch} "
        f"(validation loss {fit.best_val_loss:.4f}"
    )
    if fit.trained is None:
        return text + "; no naive loss to compare with, so whether it trained is unknown)."
    text += f" against {fit.naive_val_loss:.4f} for a constant forecast)"
    if fit.beat_naive and fit.best_epoch == 1:
        return (
            text
            + ": it beat the constant on validation only with the weights of its first epoch, which have "
            "barely left their initialisation, so it is labelled untrained and its forecasts are not interpreted."
        )
    if fit.trained:
        return (
            text
            + ": it beat the constant on validation, so it counts as trained"
            + (
                "; its best epoch was its last, so the validation loss was still falling when the epoch budget ran "
                "out and more epochs might have helped."
                if fit.still_improving
                else "."
            )
        )
    return (
        text + ": it did not beat the constant on validation, so it is labelled untrained and its "
        "forecasts are not interpreted."
    )


def lag_sensitivity(model: keras.Model, X: np.ndarray, *, eps: float = 0.1) -> np.ndarray:
    """Mean absolute change of the first output when each lag of the window is raised by ``eps`` (all features
    of that time step), divided by ``eps``: shape ``(window,)``, index 0 = oldest step, -1 = newest. A finite-
    difference saliency map of how far back the network looks (averaged over the rows of ``X``, shape
    ``(n, window, n_features)``)."""
    X = np.asarray(X, dtype="float32")
    if X.ndim != 3:
        raise ValueError(f"X must be (n, window, n_features), got shape {X.shape}")
    base = predict_array(model, X)[:, 0]
    out = np.empty(X.shape[1])
    for lag in range(X.shape[1]):
        bumped = X.copy()
        bumped[:, lag, :] += eps
        out[lag] = np.mean(np.abs(predict_array(model, bumped)[:, 0] - base)) / eps
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def lstm_gates(model: keras.Model, X: np.ndarray, layer: str = "lstm") -> dict[str, np.ndarray]:
    """Input, forget and output gate activations of the LSTM layer ``layer`` at the last step of each window
    in ``X`` ``(n, window, n_features)``, each ``(n, units)``, recomputed with NumPy from the layer's weights
    (Keras gate order i, f, c, o; sigmoid gates, tanh cell, as in ``keras.layers.LSTM`` defaults)."""
    lstm = model.get_layer(layer)
    if not isinstance(lstm, keras.layers.LSTM):
        raise TypeError(f"layer {layer!r} is not an LSTM")
    kernel, recurrent, bias = (np.asarray(w) for w in lstm.get_weights())
    units = recurrent.shape[0]
    X = np.asarray(X, dtype=float)
    h = np.zeros((len(X), units))
    c = np.zeros((len(X), units))
    for t in range(X.shape[1]):
        z = X[:, t, :] @ kernel + h @ recurrent + bias
        i, f = _sigmoid(z[:, :units]), _sigmoid(z[:, units : 2 * units])
        g, o = np.tanh(z[:, 2 * units : 3 * units]), _sigmoid(z[:, 3 * units :])
        c = f * c + i * g
        h = o * np.tanh(c)
    return {"input": i, "forget": f, "output": o, "hidden": h}
