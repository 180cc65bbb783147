"""Tails of currency returns: fat tails, tail index, clustering of extremes, and how an event window compares.

The event of the 1980s for the dollar is the Plaza accord (22 September 1985: the G5 agreed to push the dollar
down after its 1980-85 rise). :func:`event_window` marks the days around it; :func:`tail_statistics` compares
the window with the rest on scale-free shape (skewness, excess kurtosis, Hill tail indices) and on clustering
of large moves (runs extremal index); :func:`placebo_rank` asks how unusual the window is among every window of
the same length in the sample (a descriptive rank, not a test with a size: the windows overlap).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from finrisk_utils.core.validation import (
    DataValidationError,
    as_float_array,
    as_timestamp,
    check_positive_int,
    check_probability,
    check_returns,
)

__all__ = [
    "PLAZA_ACCORD",
    "annualised_volatility",
    "event_window",
    "extremal_index",
    "hill_tail_index",
    "placebo_rank",
    "tail_standard_errors",
    "tail_statistics",
]

#: Date of the Plaza accord (Plaza Hotel, New York, Sunday 22 September 1985).
PLAZA_ACCORD = pd.Timestamp("1985-09-22")


def event_window(
    index: pd.DatetimeIndex, event: str | pd.Timestamp, months: int, *, allow_empty: bool = False
) -> pd.Series:
    """True on the dates of ``index`` within ``months`` calendar months either side of ``event``; raises if
    the window holds no date of the index, unless ``allow_empty`` (e.g. a test period that misses the event)."""
    where = "event_window"
    event = as_timestamp(event, "event", where=where)
    months = check_positive_int(months, "months", where=where)
    lo, hi = event - pd.DateOffset(months=months), event + pd.DateOffset(months=months)
    mask = pd.Series((index >= lo) & (index <= hi), index=index, name="event_window")
    if not mask.any() and not allow_empty:
        raise DataValidationError(
            f"{where}: no date within {months} months of {event.date()} (data {index[0].date()} to "
            f"{index[-1].date()})"
        )
    return mask


def hill_tail_index(losses: object, k: int) -> float:
    """Hill (1975) estimate of the tail index ``alpha`` from the ``k`` largest of ``losses`` (positive values
    of one tail, e.g. ``-returns`` for the left tail): ``1 / mean(log(X_(i) / X_(k+1)))``, ``i = 1..k``. Smaller
    ``alpha`` = fatter tail (a Student-t with ``nu`` degrees of freedom has ``alpha = nu``)."""
    where = "hill_tail_index"
    x = np.sort(as_float_array(losses, "losses", where=where))[::-1]
    k = check_positive_int(k, "k", where=where, minimum=2)
    if k >= len(x) or x[k] <= 0:
        raise DataValidationError(
            f"{where}: need k < n and a positive (k+1)-th largest value; k = {k}, n = {len(x)}"
        )
    return float(1 / np.mean(np.log(x[:k] / x[k])))


def extremal_index(exceed: object, run: int = 5) -> float:
    """Runs estimator of the extremal index: clusters / exceedances, a cluster ending after ``run`` days without
    an exceedance. 1 = large moves arrive alone; near 0 = they come in bursts (``1 / theta`` is the mean
    cluster size). ``exceed``: 0/1 (or bool) per day; NaN if there is no exceedance."""
    where = "extremal_index"
    e = as_float_array(exceed, "exceed", where=where).astype(bool)
    run = check_positive_int(run, "run", where=where)
    days = np.flatnonzero(e)
    if days.size == 0:
        return float("nan")
    clusters = 1 + int((np.diff(days) > run).sum())
    return clusters / days.size


def annualised_volatility(returns: object, periods_per_year: int = 252) -> float:
    """Sample standard deviation (ddof 1) of ``returns`` (1-D, at least two values) times
    ``sqrt(periods_per_year)``: in the returns' units per year (percent for percent returns)."""
    x = np.asarray(returns, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise DataValidationError(
            f"annualised_volatility: returns must be 1-D with at least 2 values, got shape {x.shape}"
        )
    return float(x.std(ddof=1) * np.sqrt(periods_per_year))


def _group_returns(
    returns: pd.Series, groups: Mapping[str, pd.Series], where: str
) -> dict[str, pd.Series]:
    """``returns`` on each group's days (a boolean Series on ``returns``' dates, at least 40 days)."""
    out = {}
    for name, mask in groups.items():
        if not isinstance(mask, pd.Series) or not mask.index.equals(returns.index):
            raise DataValidationError(
                f"{where}: groups[{name!r}] must be a boolean Series on returns' dates"
            )
        out[name] = returns[mask.to_numpy(dtype=bool)]
        if len(out[name]) < 40:
            raise DataValidationError(
                f"{where}: group {name!r} has {len(out[name])} days, need at least 40"
            )
    return out


def tail_statistics(
    returns: pd.Series,
    groups: Mapping[str, pd.Series],
    *,
    tail_share: float = 0.05,
    threshold_quantile: float = 0.98,
    run: int = 5,
    periods_per_year: int = 252,
) -> pd.DataFrame:
    """One row per group (a boolean mask on ``returns``' dates): ``n``, annualised volatility ``vol_ann`` (%),
    ``skew``, ``excess_kurtosis``, Hill tail indices of the left and right tails (``k`` = ``tail_share`` of the
    group's days, at least 2), ``exceed_rate``: share of days with ``|r|`` above the full sample's
    ``threshold_quantile`` of ``|r|``, and the ``extremal_index`` of those exceedances (runs of ``run`` days)."""
    where = "tail_statistics"
    returns = check_returns(returns, "returns", where=where)
    tail_share = check_probability(tail_share, "tail_share", where=where, upper=0.5)
    threshold_quantile = check_probability(threshold_quantile, "threshold_quantile", where=where)
    threshold = float(np.quantile(returns.abs(), threshold_quantile))
    rows = {}
    for name, r in _group_returns(returns, groups, where).items():
        k = max(2, round(tail_share * len(r)))
        exceed = (r.abs() > threshold).to_numpy()
        rows[name] = {
            "n": len(r),
            "vol_ann": annualised_volatility(r.to_numpy(), periods_per_year),
            "skew": float(stats.skew(r)),
            "excess_kurtosis": float(stats.kurtosis(r)),
            "hill_left": hill_tail_index(-r.to_numpy(), k),
            "hill_right": hill_tail_index(r.to_numpy(), k),
            "exceed_rate": float(exceed.mean()),
            "extremal_index": extremal_index(exceed, run),
        }
    return pd.DataFrame.from_dict(rows, orient="index")  # keeps n an integer count


def tail_standard_errors(
    returns: pd.Series,
    groups: Mapping[str, pd.Series],
    *,
    block: int = 10,
    reps: int = 500,
    seed: int = 0,
    periods_per_year: int = 252,
) -> pd.DataFrame:
    """Standard errors of :func:`tail_statistics`' ``vol_ann`` (%) and ``excess_kurtosis`` per group (a boolean
    mask on ``returns``' dates), by the stationary bootstrap of Politis and Romano (1994) within the group's days
    (``arch.bootstrap.StationaryBootstrap``, mean block length ``block`` days, ``reps`` resamples, ``seed``): the
    blocks keep volatility clustering, so the errors are not those of independent days. A group that is not one
    stretch of days (the rest of a sample around an event) is resampled as if its pieces were joined."""
    from arch.bootstrap import StationaryBootstrap

    where = "tail_standard_errors"
    returns = check_returns(returns, "returns", where=where)
    reps = check_positive_int(reps, "reps", where=where)
    block = check_positive_int(block, "block", where=where)

    def both(x: np.ndarray) -> np.ndarray:
        return np.array(
            [x.std(ddof=1) * np.sqrt(periods_per_year), float(stats.kurtosis(x))], dtype=float
        )

    rows = {}
    for name, r in _group_returns(returns, groups, where).items():
        draws = StationaryBootstrap(block, r.to_numpy(), seed=seed).apply(both, reps)
        se = draws.std(axis=0, ddof=1)
        rows[name] = {"vol_ann_se": float(se[0]), "excess_kurtosis_se": float(se[1])}
    return pd.DataFrame(rows).T


def placebo_rank(
    returns: pd.Series,
    mask: pd.Series,
    statistic: Callable[[np.ndarray], float],
    *,
    step: int = 5,
) -> dict[str, float]:
    """Where the event window's ``statistic`` falls among every window of the same length (stepping ``step``
    days) that does not overlap it: ``observed``, ``share_above`` (share of those windows with a larger value;
    small = the event window is extreme) and ``n_windows``. ``mask``: the event window, contiguous."""
    where = "placebo_rank"
    returns = check_returns(returns, "returns", where=where)
    step = check_positive_int(step, "step", where=where)
    if not isinstance(mask, pd.Series) or not mask.index.equals(returns.index):
        raise DataValidationError(f"{where}: mask must be a boolean Series on returns' dates")
    inside = np.flatnonzero(mask.to_numpy(dtype=bool))
    if inside.size < 2 or (np.diff(inside) != 1).any():
        raise DataValidationError(f"{where}: the event window must be a contiguous run of dates")
    x = returns.to_numpy()
    length, first, last = inside.size, inside[0], inside[-1]
    values = [
        statistic(x[s : s + length])
        for s in range(0, len(x) - length + 1, step)
        if s + length <= first or s > last
    ]
    if not values:
        raise DataValidationError(f"{where}: no window of {length} days outside the event window")
    observed = float(statistic(x[inside]))
    ranked = np.asarray(values, dtype=float)
    return {
        "observed": observed,
        "share_above": float((ranked > observed).mean()),
        "n_windows": len(ranked),
    }
