"""Comparing forecasts: tests of equal predictive accuracy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from finrisk_utils.forecasting.metrics import mae, paired_arrays, rmse

__all__ = ["DMResult", "diebold_mariano", "horizon_table"]


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
    a, b = paired_arrays(loss_a, loss_b)
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
