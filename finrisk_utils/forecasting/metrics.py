"""Forecast losses and scores (NumPy): point errors (RMSE, MAE, QLIKE, direction), the pinball loss of a
quantile forecast and the FZ0 score of a (VaR, ES) forecast; tables of them by model and horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import as_float_array, check_probability, check_same_index

__all__ = [
    "directional_accuracy",
    "forecast_table",
    "fz0_score",
    "interval_coverage",
    "mae",
    "paired_arrays",
    "pinball_loss",
    "qlike",
    "rmse",
]


def paired_arrays(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    where: str = "paired_arrays",
    names: tuple[str, str] = ("y_true", "y_pred"),
) -> tuple[np.ndarray, np.ndarray]:
    """Two finite, non-empty 1-D float arrays of equal length (two Series must share their index); errors
    name ``where``, the argument and the first bad row."""
    a = as_float_array(y_true, names[0], where=where)
    b = as_float_array(y_pred, names[1], where=where)
    if a.shape != b.shape:
        raise ValueError(
            f"{where}: {names[0]} and {names[1]} must be 1-D of equal length, got {a.shape} and "
            f"{b.shape}"
        )
    if isinstance(y_true, pd.Series) and isinstance(y_pred, pd.Series):
        check_same_index(y_true, y_pred, names, where=where)
    return a, b


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error, in the units of ``y``."""
    a, b = paired_arrays(y_true, y_pred, where="rmse")
    return float(np.sqrt(np.mean((a - b) ** 2)))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error, in the units of ``y``."""
    a, b = paired_arrays(y_true, y_pred, where="mae")
    return float(np.mean(np.abs(a - b)))


def qlike(var_true: np.ndarray, var_pred: np.ndarray) -> float:
    """Mean QLIKE loss of variance forecasts, ``r - ln r - 1`` with ``r = var_true / var_pred`` (Patton 2011):
    zero for a perfect forecast, robust to noise in the variance proxy, and harsher on under- than on
    over-prediction. Both arguments are variances (any common scale), positive."""
    a, b = paired_arrays(var_true, var_pred, where="qlike", names=("var_true", "var_pred"))
    if (a <= 0).any() or (b <= 0).any():
        i = int(np.argmax((a <= 0) | (b <= 0)))
        raise ValueError(
            f"qlike: needs positive variances (true and forecast); row {i} has {float(a[i])!r}, {float(b[i])!r}"
        )
    r = a / b
    return float(np.mean(r - np.log(r) - 1))


def directional_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of periods where the forecast has the sign of the outcome.

    Periods where the outcome or the forecast is exactly zero have no direction and are skipped; raises if
    none is left (e.g. a random walk's all-zero return forecast).
    """
    a, b = paired_arrays(y_true, y_pred, where="directional_accuracy")
    keep = (a != 0) & (b != 0)
    if not keep.any():
        raise ValueError("directional_accuracy: undefined, every forecast or outcome is zero")
    return float(np.mean(np.sign(a[keep]) == np.sign(b[keep])))


def forecast_table(actual: pd.Series, forecasts: dict[str, pd.Series]) -> pd.DataFrame:
    """RMSE, MAE and directional accuracy of each forecast against ``actual``, aligned on dates.

    Directional accuracy is NaN for a forecast that is zero throughout (it has no direction).
    Raises if a forecast does not cover exactly the dates of ``actual``.
    """
    if not isinstance(actual, pd.Series):
        raise TypeError(
            f"forecast_table: actual must be a pandas Series, got {type(actual).__name__}"
        )
    if not isinstance(forecasts, dict) or not forecasts:
        raise ValueError("forecast_table: forecasts must be a non-empty dict name -> Series")
    rows = {}
    for name, fc in forecasts.items():
        if not isinstance(fc, pd.Series):
            raise TypeError(
                f"forecast_table: forecast {name!r} must be a Series, got {type(fc).__name__}"
            )
        if not fc.index.equals(actual.index):
            raise ValueError(
                f"forecast_table: forecast {name!r} is not on the dates of the actual series"
            )
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
    where = "pinball_loss"
    y = as_float_array(returns, "returns", where=where, ndim=None)
    q = as_float_array(quantile, "quantile", where=where, ndim=None)
    if y.shape != q.shape:
        raise ValueError(f"{where}: returns and quantile shapes differ: {y.shape} vs {q.shape}")
    alpha = check_probability(alpha, "alpha", where=where)
    return (alpha - (y < q)) * (y - q)


def fz0_score(returns: np.ndarray, var: np.ndarray, es: np.ndarray, alpha: float) -> np.ndarray:
    """Per-day FZ0 loss (Patton, Ziegel and Chen 2019) of a (VaR, ES) forecast, the strictly consistent joint
    score: with ``q = -VaR``, ``e = -ES``, ``-1{y <= q} (q - y) / (alpha e) + q / e + log(-e) - 1``. Lower is
    better; only differences between models are meaningful (it shifts with the units of the returns)."""
    where = "fz0_score"
    y, q, e = (
        as_float_array(a, n, where=where, ndim=None)
        for a, n in ((returns, "returns"), (var, "var"), (es, "es"))
    )
    if not (y.shape == q.shape == e.shape):
        raise ValueError(
            f"{where}: returns, var and es must have the same shape, got {y.shape}, {q.shape}, {e.shape}"
        )
    alpha = check_probability(alpha, "alpha (tail probability)", where=where, upper=0.5)
    if (e <= 0).any():
        raise ValueError(
            f"{where}: ES must be positive (a loss); found {float(e[e <= 0].flat[0])!r}"
        )
    q, e = -q, -e
    hits = (y <= q).astype(float)
    return -hits * (q - y) / (alpha * e) + q / e + np.log(-e) - 1


def interval_coverage(actual: pd.Series, lower: pd.Series, upper: pd.Series) -> float:
    """Share of periods whose outcome lies in ``[lower, upper]``, aligned on the forecasts' dates (a calibrated
    central 80% interval covers about 0.8). Raises if ``actual`` lacks a forecast date or the bounds cross."""
    where = "interval_coverage"
    for name, s in (("actual", actual), ("lower", lower), ("upper", upper)):
        if not isinstance(s, pd.Series):
            raise TypeError(f"{where}: {name} must be a pandas Series, got {type(s).__name__}")
    if not lower.index.equals(upper.index):
        raise ValueError(f"{where}: lower and upper must be on the same dates")
    missing = lower.index.difference(actual.index)
    if len(missing):
        raise ValueError(
            f"{where}: actual has no value on {missing[0]} (and {len(missing) - 1} more)"
        )
    y = as_float_array(actual.loc[lower.index], "actual", where=where)
    lo = as_float_array(lower, "lower", where=where)
    hi = as_float_array(upper, "upper", where=where)
    if (lo > hi).any():
        raise ValueError(f"{where}: lower exceeds upper on {lower.index[int(np.argmax(lo > hi))]}")
    return float(np.mean((y >= lo) & (y <= hi)))
