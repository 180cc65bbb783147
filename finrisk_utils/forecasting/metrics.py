"""Forecast losses and scores (NumPy): point errors (RMSE, MAE, QLIKE, direction), the pinball loss of a
quantile forecast and the FZ0 score of a (VaR, ES) forecast; tables of them by model and horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import check_probability

__all__ = [
    "directional_accuracy",
    "forecast_table",
    "fz0_score",
    "mae",
    "paired_arrays",
    "pinball_loss",
    "qlike",
    "rmse",
]


def paired_arrays(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of equal length, got {a.shape} and {b.shape}"
        )
    if a.size == 0:
        raise ValueError("y_true and y_pred are empty")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("y_true and y_pred must be finite (found NaN or inf)")
    return a, b


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error, in the units of ``y``."""
    a, b = paired_arrays(y_true, y_pred)
    return float(np.sqrt(np.mean((a - b) ** 2)))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error, in the units of ``y``."""
    a, b = paired_arrays(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


def qlike(var_true: np.ndarray, var_pred: np.ndarray) -> float:
    """Mean QLIKE loss of variance forecasts, ``r - ln r - 1`` with ``r = var_true / var_pred`` (Patton 2011):
    zero for a perfect forecast, robust to noise in the variance proxy, and harsher on under- than on
    over-prediction. Both arguments are variances (any common scale), positive."""
    a, b = paired_arrays(var_true, var_pred)
    if (a <= 0).any() or (b <= 0).any():
        raise ValueError("qlike needs positive variances (true and forecast)")
    r = a / b
    return float(np.mean(r - np.log(r) - 1))


def directional_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of periods where the forecast has the sign of the outcome.

    Periods where the outcome or the forecast is exactly zero have no direction and are skipped; raises if
    none is left (e.g. a random walk's all-zero return forecast).
    """
    a, b = paired_arrays(y_true, y_pred)
    keep = (a != 0) & (b != 0)
    if not keep.any():
        raise ValueError("directional accuracy is undefined: every forecast or outcome is zero")
    return float(np.mean(np.sign(a[keep]) == np.sign(b[keep])))


def forecast_table(actual: pd.Series, forecasts: dict[str, pd.Series]) -> pd.DataFrame:
    """RMSE, MAE and directional accuracy of each forecast against ``actual``, aligned on dates.

    Directional accuracy is NaN for a forecast that is zero throughout (it has no direction).
    Raises if a forecast does not cover exactly the dates of ``actual``.
    """
    rows = {}
    for name, fc in forecasts.items():
        if not fc.index.equals(actual.index):
            raise ValueError(f"forecast {name!r} is not on the dates of the actual series")
        y, f = actual.to_numpy(dtype=float), fc.to_numpy(dtype=float)
        rows[name] = {
            "rmse": rmse(y, f),
            "mae": mae(y, f),
            "directional_accuracy": directional_accuracy(y, f) if np.any(f != 0) else np.nan,
        }
    return pd.DataFrame(rows).T


def pinball_loss(returns: np.ndarray, quantile: np.ndarray, alpha: float) -> np.ndarray:
    """Per-day pinball (quantile) loss ``(alpha - 1{y < q}) (y - q)`` of quantile forecasts ``q``; its mean is
    the strictly consistent score for the ``alpha`` quantile (lower is better)."""
    y, q = np.asarray(returns, dtype=float), np.asarray(quantile, dtype=float)
    if y.shape != q.shape:
        raise ValueError(f"returns and quantile shapes differ: {y.shape} vs {q.shape}")
    alpha = check_probability(alpha, "alpha", where="pinball_loss")
    return (alpha - (y < q)) * (y - q)


def fz0_score(returns: np.ndarray, var: np.ndarray, es: np.ndarray, alpha: float) -> np.ndarray:
    """Per-day FZ0 loss (Patton, Ziegel and Chen 2019) of a (VaR, ES) forecast, the strictly consistent joint
    score: with ``q = -VaR``, ``e = -ES``, ``-1{y <= q} (q - y) / (alpha e) + q / e + log(-e) - 1``. Lower is
    better; only differences between models are meaningful (it shifts with the units of the returns)."""
    y, q, e = (np.asarray(a, dtype=float) for a in (returns, var, es))
    if not (y.shape == q.shape == e.shape):
        raise ValueError("returns, var and es must have the same shape")
    alpha = check_probability(alpha, "alpha (tail probability)", where="fz0_score", upper=0.5)
    if (e <= 0).any():
        raise ValueError("ES must be positive (a loss) for the FZ0 score")
    q, e = -q, -e
    hits = (y <= q).astype(float)
    return -hits * (q - y) / (alpha * e) + q / e + np.log(-e) - 1
