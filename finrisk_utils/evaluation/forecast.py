"""Forecast evaluation: point-forecast errors and the Diebold-Mariano test of equal predictive accuracy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "DMResult",
    "diebold_mariano",
    "directional_accuracy",
    "forecast_table",
    "horizon_table",
    "mae",
    "qlike",
    "rmse",
]


def _pair(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
    a, b = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((a - b) ** 2)))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error, in the units of ``y``."""
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


def qlike(var_true: np.ndarray, var_pred: np.ndarray) -> float:
    """Mean QLIKE loss of variance forecasts, ``r - ln r - 1`` with ``r = var_true / var_pred`` (Patton 2011):
    zero for a perfect forecast, robust to noise in the variance proxy, and harsher on under- than on
    over-prediction. Both arguments are variances (any common scale), positive."""
    a, b = _pair(var_true, var_pred)
    if (a <= 0).any() or (b <= 0).any():
        raise ValueError("qlike needs positive variances (true and forecast)")
    r = a / b
    return float(np.mean(r - np.log(r) - 1))


def directional_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of periods where the forecast has the sign of the outcome.

    Periods where the outcome or the forecast is exactly zero have no direction and are skipped; raises if
    none is left (e.g. a random walk's all-zero return forecast).
    """
    a, b = _pair(y_true, y_pred)
    keep = (a != 0) & (b != 0)
    if not keep.any():
        raise ValueError("directional accuracy is undefined: every forecast or outcome is zero")
    return float(np.mean(np.sign(a[keep]) == np.sign(b[keep])))


@dataclass(frozen=True)
class DMResult:
    """Diebold-Mariano test. ``mean_loss_diff`` < 0 means model A has the smaller average loss."""

    statistic: float
    pvalue: float
    mean_loss_diff: float
    horizon: int
    n: int
    alternative: str


def diebold_mariano(
    loss_a: np.ndarray,
    loss_b: np.ndarray,
    *,
    horizon: int = 1,
    harvey_correction: bool = True,
    alternative: str = "two-sided",
) -> DMResult:
    """Diebold-Mariano (1995) test that models A and B have equal expected loss.

    ``d_t = loss_a_t - loss_b_t``; its long-run variance uses autocovariances up to lag ``horizon - 1``
    (rectangular kernel, as for ``horizon``-step forecasts). With ``harvey_correction`` the statistic is scaled
    by Harvey, Leybourne and Newbold's (1997) small-sample factor and compared with Student-t(n - 1);
    otherwise with the standard normal. ``alternative``: ``"two-sided"``, ``"less"`` (A better) or
    ``"greater"`` (B better).
    """
    a, b = _pair(loss_a, loss_b)
    if alternative not in {"two-sided", "less", "greater"}:
        raise ValueError(
            f"alternative must be 'two-sided', 'less' or 'greater', got {alternative!r}"
        )
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon must be a positive int, got {horizon!r}")
    d = a - b
    n = d.size
    if n < horizon + 2:
        raise ValueError(f"need at least {horizon + 2} loss pairs for horizon {horizon}, got {n}")
    d_bar = float(d.mean())
    dc = d - d_bar
    gamma = [float(dc[k:] @ dc[: n - k]) / n for k in range(horizon)]
    long_run_var = (gamma[0] + 2 * sum(gamma[1:])) / n
    if long_run_var <= 0:
        raise ValueError(
            "loss differences have zero (or negative estimated) variance: the two forecasts' losses are "
            "identical or nearly so, and the DM statistic is undefined"
        )
    stat = d_bar / np.sqrt(long_run_var)
    if harvey_correction:
        stat *= np.sqrt((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n)
        dist = stats.t(df=n - 1)
    else:
        dist = stats.norm()
    if alternative == "two-sided":
        p = 2 * dist.sf(abs(stat))
    elif alternative == "less":
        p = dist.cdf(stat)
    else:
        p = dist.sf(stat)
    return DMResult(float(stat), float(min(p, 1.0)), d_bar, int(horizon), int(n), alternative)


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


def horizon_table(
    actual: pd.DataFrame,
    forecasts: dict[str, dict[int, pd.DataFrame]],
    benchmark: str,
) -> pd.DataFrame:
    """Accuracy of multi-horizon forecasts of several series, one row per (model, horizon, series).

    ``forecasts[model][h]``: target dates x series; every model must forecast the same target dates at a given
    horizon. Columns: ``n``, ``rmse``, ``mae``, ``rmse_ratio`` (to ``benchmark``'s RMSE) and the
    Diebold-Mariano test against ``benchmark`` on squared errors (``dm_stat``, ``dm_pvalue``; long-run variance
    over ``h - 1`` lags, small-sample corrected; NaN for the benchmark itself).
    """
    if benchmark not in forecasts:
        raise ValueError(f"benchmark {benchmark!r} is not among the forecasts {sorted(forecasts)}")
    rows = []
    for h, bench in forecasts[benchmark].items():
        truth = actual.loc[bench.index, bench.columns]
        bench_err = (truth - bench).to_numpy(dtype=float)
        for model, by_h in forecasts.items():
            if h not in by_h:
                raise ValueError(f"{model!r} has no forecasts at horizon {h}")
            fc = by_h[h]
            if not fc.index.equals(bench.index) or list(fc.columns) != list(bench.columns):
                raise ValueError(
                    f"{model!r} at horizon {h} is not on the benchmark's dates and series"
                )
            err = (truth - fc).to_numpy(dtype=float)
            for j, col in enumerate(bench.columns):
                row = {"model": model, "horizon": h, "series": col, "n": len(err)}
                row |= {"rmse": rmse(truth[col], fc[col]), "mae": mae(truth[col], fc[col])}
                row["rmse_ratio"] = row["rmse"] / rmse(truth[col], bench[col])
                if model == benchmark:
                    row |= {"dm_stat": np.nan, "dm_pvalue": np.nan}
                else:
                    dm = diebold_mariano(err[:, j] ** 2, bench_err[:, j] ** 2, horizon=h)
                    row |= {"dm_stat": dm.statistic, "dm_pvalue": dm.pvalue}
                rows.append(row)
    return pd.DataFrame(rows)
