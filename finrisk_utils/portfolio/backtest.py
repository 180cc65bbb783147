"""Out-of-sample portfolios from covariance forecasts: rebalance dates, skfolio's minimum-variance and risk-parity
weights, a buy-and-hold backtest between rebalances with turnover and proportional costs, performance figures.

Returns are simple returns in percent per period; weights are fractions of wealth, long-only and fully invested.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import (
    as_float_array,
    as_timestamp,
    check_number,
    check_positive_int,
)
from finrisk_utils.portfolio.covariance import FixedCovariance, check_covariance

__all__ = [
    "PORTFOLIOS",
    "Backtest",
    "backtest",
    "optimal_weights",
    "performance_table",
    "rebalance_dates",
    "weights_at",
]

PORTFOLIOS = ("min_variance", "risk_parity")


def rebalance_dates(index: pd.DatetimeIndex, start: object, every: int) -> pd.DatetimeIndex:
    """Rebalance dates (origins): the last date before ``start``, then every ``every`` periods, keeping only
    origins with at least one later date (a holding period to evaluate).

    Weights chosen at the close of an origin are held over the next ``every`` periods.
    """
    where = "rebalance_dates"
    start = as_timestamp(start, "start", where=where)
    assert isinstance(start, pd.Timestamp)  # as_timestamp returns one or raises
    every = check_positive_int(every, "every", where=where)
    first = int(index.searchsorted(start)) - 1
    if first < 0 or first >= len(index) - 1:
        raise ValueError(
            f"{where}: start {start.date()} leaves no history before it or no date after it"
        )
    return index[first : len(index) - 1 : every]


def optimal_weights(cov: np.ndarray, kind: str, history: pd.DataFrame) -> np.ndarray:
    """Long-only, fully invested weights from a covariance forecast, by skfolio.

    ``kind="min_variance"``: ``MeanRisk`` minimising variance; ``"risk_parity"``: ``RiskBudgeting`` with equal
    variance contributions. ``cov`` enters through :class:`FixedCovariance`; ``history`` (periods x assets, the
    returns up to the origin) only fits skfolio's prior (its mean is not used by either objective).
    """
    from skfolio.optimization import MeanRisk, RiskBudgeting
    from skfolio.prior import EmpiricalPrior

    where = "optimal_weights"
    if kind not in PORTFOLIOS:
        raise ValueError(f"{where}: kind must be one of {PORTFOLIOS}, got {kind!r}")
    cov = check_covariance(cov, history.shape[1], where=where)
    prior = EmpiricalPrior(covariance_estimator=FixedCovariance(cov))
    model = (
        MeanRisk(prior_estimator=prior)
        if kind == "min_variance"
        else RiskBudgeting(prior_estimator=prior)
    )
    w = np.asarray(model.fit(history.to_numpy()).weights_, dtype=float)
    w = np.clip(w, 0.0, None)
    return w / w.sum()


def weights_at(
    covariances: Mapping[pd.Timestamp, np.ndarray],
    kind: str,
    returns: pd.DataFrame,
    history: int = 252,
) -> pd.DataFrame:
    """Weights at each origin of ``covariances`` (origins x assets), each from the last ``history`` returns up
    to that origin."""
    history = check_positive_int(history, "history", where="weights_at", minimum=2)
    rows = {
        t: optimal_weights(c, kind, returns.loc[:t].iloc[-history:]) for t, c in covariances.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=returns.columns)


@dataclass(frozen=True)
class Backtest:
    """A backtest: ``gross`` and ``net`` portfolio returns (percent per period, net of costs), ``turnover``
    (sum of absolute weight changes at each rebalance after the first), ``weights`` (targets at origins) and
    ``cost_bp`` (basis points per unit of turnover)."""

    gross: pd.Series
    net: pd.Series
    turnover: pd.Series
    weights: pd.DataFrame
    cost_bp: float


def backtest(returns: pd.DataFrame, weights: pd.DataFrame, cost_bp: float = 10.0) -> Backtest:
    """Hold the target weights from each origin until the next (they drift with returns), rebalance, pay costs.

    Parameters
    ----------
    returns : DataFrame
        Periods x assets, simple returns in percent.
    weights : DataFrame
        Origins (dates of ``returns``, increasing) x the same assets: targets set at each origin's close.
    cost_bp : float
        Cost in basis points of wealth per unit of turnover (sum of absolute weight changes), charged on the first
        period after a rebalance. The first origin's purchase is not charged (the same for every model).

    Returns
    -------
    Backtest
        Returns from the period after the first origin to the last date of ``returns``.
    """
    where = "backtest"
    cost_bp = check_number(cost_bp, "cost_bp", where=where, minimum=0.0)
    as_float_array(returns, "returns", where=where, ndim=2)
    w_all = as_float_array(weights, "weights", where=where, ndim=2)
    if list(weights.columns) != list(returns.columns):
        raise ValueError(
            f"{where}: weights columns {list(weights.columns)} differ from returns' {list(returns.columns)}"
        )
    if not np.allclose(w_all.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(f"{where}: each row of weights must sum to 1")
    pos = returns.index.get_indexer(weights.index)
    if (pos < 0).any() or (np.diff(pos) <= 0).any():
        raise ValueError(f"{where}: weights' origins must be increasing dates of returns")
    r = returns.to_numpy(dtype=float) / 100
    ends = [*pos[1:], len(returns) - 1]
    gross, net, turnover = [], [], []
    drifted = None
    for k, (start, end) in enumerate(zip(pos, ends, strict=True)):
        w = w_all[k].copy()
        tau = 0.0 if drifted is None else float(np.abs(w - drifted).sum())
        if drifted is not None:
            turnover.append(tau)
        for t in range(start + 1, end + 1):
            g = float(w @ r[t])
            gross.append(g)
            net.append(g - (cost_bp / 1e4 * tau if t == start + 1 else 0.0))
            w = w * (1 + r[t]) / (1 + g)
        drifted = w
    dates = returns.index[pos[0] + 1 :]
    return Backtest(
        pd.Series(100 * np.asarray(gross), index=dates, name="gross"),
        pd.Series(100 * np.asarray(net), index=dates, name="net"),
        pd.Series(turnover, index=weights.index[1:], name="turnover"),
        weights,
        cost_bp,
    )


def performance_table(
    results: Mapping[str, Backtest], periods_per_year: int = 252, risk_free: float = 0.0
) -> pd.DataFrame:
    """One row per model: annualised volatility and mean net return (percent), Sharpe ratio of net returns
    (excess over ``risk_free`` percent per year), maximum drawdown of compounded net wealth (percent), mean
    turnover per rebalance, annual turnover and annual cost drag (basis points)."""
    from skfolio.measures import get_drawdowns, max_drawdown

    where = "performance_table"
    ppy = check_positive_int(periods_per_year, "periods_per_year", where=where)
    rf = check_number(risk_free, "risk_free", where=where)
    rows = {}
    for name, res in results.items():
        net = res.net.to_numpy() / 100
        years = len(net) / ppy
        vol = float(np.std(net, ddof=1) * math.sqrt(ppy))
        mean = float(np.mean(net) * ppy)
        annual_turnover = float(res.turnover.sum() / years)
        rows[name] = {
            "ann_vol": 100 * vol,
            "ann_return": 100 * mean,
            "sharpe": (mean - rf / 100) / vol,
            "max_drawdown": 100 * float(max_drawdown(get_drawdowns(net, compounded=True))),
            "turnover": float(res.turnover.mean()),
            "annual_turnover": annual_turnover,
            "cost_bp": annual_turnover * res.cost_bp,
        }
    return pd.DataFrame.from_dict(rows, orient="index")
