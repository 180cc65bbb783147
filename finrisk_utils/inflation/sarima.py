"""Inflation forecasting with a seasonal ARIMA on monthly inflation, aggregated to year-on-year forecasts.

Monthly inflation ``m_t = 100 ln(P_t / P_{t-1})`` (percent per month) adds up exactly to year-on-year (log)
inflation: ``yoy_t = m_{t-11} + ... + m_t``. A forecast of ``yoy`` for ``h`` months after the origin ``o`` is the sum
of the ``12 - h`` monthly rates already observed and the model's forecasts of the other ``min(h, 12)``; its
distribution comes from simulated paths of the fitted model.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from statsmodels.tsa.statespace.sarimax import SARIMAX

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.inflation.measures import monthly_inflation

if TYPE_CHECKING:
    from statsmodels.tsa.statespace.mlemodel import MLEResults

__all__ = [
    "SarimaForecast",
    "SarimaOrder",
    "format_order",
    "sarima_yoy_fan",
    "sarima_yoy_forecast",
    "select_sarima_order",
    "simulate_paths",
]

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


@dataclass(frozen=True)
class SarimaForecast:
    """``mean[h]``: point forecasts of year-on-year inflation, by target date; ``quantiles[h]``: target dates x
    quantile levels from simulated paths; ``n_fits``: estimations; ``n_warnings``: estimation warnings (e.g.
    non-convergence) caught, so they can be reported rather than printed."""

    mean: dict[int, pd.Series]
    quantiles: dict[int, pd.DataFrame]
    n_fits: int
    n_warnings: int


def _yoy_from_monthly(history: np.ndarray, future: np.ndarray) -> np.ndarray:
    """Year-on-year sums for steps 1..S from the last 11 observed monthly rates and ``future`` (S, ...)."""
    tail = np.broadcast_to(
        history[-11:].reshape((11,) + (1,) * (future.ndim - 1)), (11, *future.shape[1:])
    )
    c = np.cumsum(np.concatenate([np.zeros((1, *future.shape[1:])), tail, future]), axis=0)
    return c[12:] - c[:-12]


def _psd_sqrt(cov: np.ndarray) -> np.ndarray:
    """A matrix ``L`` with ``L @ L.T == cov`` for a symmetric positive semi-definite ``cov`` (k, k)."""
    vals, vecs = np.linalg.eigh((cov + cov.T) / 2)
    return vecs * np.sqrt(np.clip(vals, 0.0, None))


def simulate_paths(
    res: MLEResults, steps: int, n_paths: int, rng: np.random.Generator
) -> np.ndarray:
    """Paths (steps, n_paths) of the observed series after the last observation of a fitted state-space model.

    The same law as ``res.simulate(steps, repetitions=n_paths, anchor="end")`` in statsmodels (the first state
    drawn from the one-step-ahead predicted mean and covariance, then state and observation noise), but all paths
    at once: statsmodels re-initialises its simulator once per path, about a hundred times slower here. The model
    must be time-invariant (a SARIMA without exogenous regressors).
    """
    fr = res.filter_results

    def mat(name: str) -> np.ndarray:
        return np.asarray(getattr(fr, name))[..., 0]

    Z, d, H = mat("design"), mat("obs_intercept"), mat("obs_cov")
    T, c, R, Q = mat("transition"), mat("state_intercept"), mat("selection"), mat("state_cov")
    k = T.shape[0]
    state = (
        res.predicted_state[:, -1]
        + rng.standard_normal((n_paths, k)) @ _psd_sqrt(res.predicted_state_cov[:, :, -1]).T
    )
    lq, lh = _psd_sqrt(Q), _psd_sqrt(H)
    out = np.empty((steps, n_paths))
    for t in range(steps):
        y = state @ Z.T + d + rng.standard_normal((n_paths, lh.shape[1])) @ lh.T
        out[t] = y[:, 0]
        state = state @ T.T + c + rng.standard_normal((n_paths, lq.shape[1])) @ (R @ lq).T
    return out


def _fit(endog: np.ndarray, order: tuple, seasonal_order: tuple) -> tuple[MLEResults, int]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = SARIMAX(endog, order=order, seasonal_order=seasonal_order).fit(disp=False)
    return res, len(caught)


@dataclass(frozen=True)
class SarimaOrder:
    """The SARIMA order :func:`select_sarima_order` chose, and every candidate it fitted.

    ``table``: one row per candidate (``order``, ``seasonal_order``, ``aic``, ``converged``, ``n_warnings``),
    the lowest AIC first; ``fit_end``: the last month of the data the candidates were fitted on."""

    order: tuple[int, int, int]
    seasonal_order: tuple[int, int, int, int]
    table: pd.DataFrame
    fit_end: pd.Timestamp

    def describe(self) -> str:
        """One sentence: the chosen order, its AIC, and how many candidates did not converge."""
        failed = int((~self.table["converged"]).sum())
        chosen = self.table.iloc[0]
        return (
            f"SARIMA order chosen by AIC among {len(self.table)} candidates fitted to monthly inflation up to "
            f"{self.fit_end:%Y-%m}: {format_order(self.order, self.seasonal_order)} (AIC {chosen['aic']:.1f}"
            + (
                f"; {failed} candidate{'s' if failed > 1 else ''} whose estimation did not converge left out)."
                if failed
                else ")."
            )
        )


def format_order(order: Sequence[int], seasonal_order: Sequence[int]) -> str:
    """``"(p,d,q)x(P,D,Q)_s"`` of a SARIMA."""
    *seasonal, period = seasonal_order
    return f"({','.join(map(str, order))})x({','.join(map(str, seasonal))})_{period}"


def select_sarima_order(
    index_level: pd.Series,
    fit_end: str | pd.Timestamp,
    *,
    ar: Sequence[int] = (0, 1, 2),
    ma: Sequence[int] = (0, 1, 2),
    seasonal_ar: Sequence[int] = (0, 1),
    seasonal_ma: Sequence[int] = (0, 1),
    d: int = 1,
    period: int = 12,
) -> SarimaOrder:
    """The SARIMA ``(p, d, q) x (P, 0, Q)_period`` of monthly inflation with the lowest AIC among the candidates
    ``p`` in ``ar``, ``q`` in ``ma``, ``P`` in ``seasonal_ar``, ``Q`` in ``seasonal_ma`` (``d`` fixed: AIC does
    not compare models of differently differenced data), each estimated by maximum likelihood on the months up
    to ``fit_end`` only, so the choice sees no later data. Candidates whose estimation did not converge are
    listed, not chosen. ``index_level``: the price index (monthly, DatetimeIndex)."""
    where = "select_sarima_order"
    grids = {"ar": ar, "ma": ma, "seasonal_ar": seasonal_ar, "seasonal_ma": seasonal_ma}
    for name, grid in grids.items():
        if isinstance(grid, str) or not isinstance(grid, Sequence) or not grid:
            raise TypeError(f"{where}: {name} must be a non-empty list of orders, got {grid!r}")
        if any(isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= 6 for k in grid):
            raise ValueError(f"{where}: {name} orders must be ints from 0 to 6, got {list(grid)}")
    for name, value in (("d", d), ("period", period)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < (0 if name == "d" else 2)
        ):
            raise ValueError(f"{where}: {name} must be an int (d >= 0, period >= 2), got {value!r}")
    m = monthly_inflation(index_level)
    end = pd.Timestamp(fit_end)
    endog = m[m.index <= end].to_numpy()
    if len(endog) < 60:
        raise DataValidationError(
            f"{where}: {len(endog)} months of inflation up to {end:%Y-%m-%d} (fit_end), need 60"
        )
    rows = []
    for p, q, sp, sq in itertools.product(ar, ma, seasonal_ar, seasonal_ma):
        order, seasonal = (p, d, q), (sp, 0, sq, period)
        res, n_warn = _fit(endog, order, seasonal)
        converged = bool(res.mle_retvals.get("converged", True)) if res.mle_retvals else True
        rows.append(
            {
                "order": order,
                "seasonal_order": seasonal,
                "aic": float(res.aic),
                "converged": converged and np.isfinite(res.aic),
                "n_warnings": n_warn,
            }
        )
    table = pd.DataFrame(rows)
    table = pd.concat(
        [
            table[table["converged"]].sort_values("aic"),
            table[~table["converged"]].sort_values("aic"),
        ],
        ignore_index=True,
    )
    if not table["converged"].iloc[0]:
        raise DataValidationError(
            f"{where}: no candidate's estimation converged on data up to {end:%Y-%m}"
        )
    best = table.iloc[0]
    return SarimaOrder(
        tuple(best["order"]), tuple(best["seasonal_order"]), table, m.index[len(endog) - 1]
    )


def sarima_yoy_forecast(
    index_level: pd.Series,
    origins: pd.DatetimeIndex,
    horizons: Sequence[int],
    *,
    order: tuple[int, int, int],
    seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 12),
    refit_every: int = 12,
    quantiles: Sequence[float] = QUANTILES,
    n_paths: int = 500,
    seed: int = 0,
) -> SarimaForecast:
    """Year-on-year inflation forecasts of a SARIMA on monthly inflation at each origin.

    ``order`` (``(p, d, q)``, no default: choose it, e.g. with :func:`select_sarima_order` on data before the
    first origin) and ``seasonal_order`` (``(P, D, Q, s)``; default none). The parameters are re-estimated
    (maximum likelihood, ``statsmodels``) on all data up to the origin every
    ``refit_every`` origins; in between, the last estimates filter the new data. Only data up to each origin are
    used. Forecasts whose target date is beyond the data are dropped.
    """
    m = monthly_inflation(index_level)
    if not isinstance(origins, pd.DatetimeIndex) or len(origins) == 0:
        raise ValueError("origins must be a non-empty DatetimeIndex")
    pos = m.index.get_indexer(origins)
    if (pos < 0).any() or (np.diff(pos) <= 0).any():
        raise ValueError("origins must be increasing dates of the series (after its first month)")
    if pos.min() < 60:
        raise DataValidationError(
            f"sarima_yoy_forecast: {pos.min()} months before the first origin, need 60"
        )
    if isinstance(refit_every, bool) or not isinstance(refit_every, int) or refit_every < 1:
        raise ValueError(f"refit_every must be a positive int, got {refit_every!r}")
    hs = sorted(int(h) for h in horizons)
    if not hs or hs[0] < 1:
        raise ValueError(f"horizons must be positive ints, got {horizons!r}")
    values, n, steps = m.to_numpy(), len(m), max(hs)
    rng = np.random.default_rng(seed)
    means, qs = np.empty((len(pos), len(hs))), np.empty((len(pos), len(hs), len(quantiles)))
    n_fits = n_warn = 0
    res: MLEResults | None = None
    for i, p in enumerate(pos):
        endog = values[: p + 1]
        if i % refit_every == 0:
            res, w = _fit(endog, order, seasonal_order)
            n_fits, n_warn = n_fits + 1, n_warn + w
        else:
            assert res is not None  # the first origin (i == 0) always fits
            res = res.apply(endog)
        mean_path = _yoy_from_monthly(endog, np.asarray(res.get_forecast(steps).predicted_mean))
        yoy_paths = _yoy_from_monthly(endog, simulate_paths(res, steps, n_paths, rng))
        means[i] = mean_path[np.array(hs) - 1]
        qs[i] = np.quantile(yoy_paths[np.array(hs) - 1], quantiles, axis=1).T
    mean_out, q_out = {}, {}
    for j, h in enumerate(hs):
        keep = pos + h < n
        idx = m.index[pos[keep] + h]
        mean_out[h] = pd.Series(means[keep, j], index=idx, name="sarima")
        q_out[h] = pd.DataFrame(qs[keep, j], index=idx, columns=list(quantiles))
    return SarimaForecast(mean_out, q_out, n_fits, n_warn)


def sarima_yoy_fan(
    index_level: pd.Series,
    origin: str | pd.Timestamp,
    steps: int = 24,
    *,
    order: tuple[int, int, int],
    seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 12),
    quantiles: Sequence[float] = QUANTILES,
    n_paths: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Fan chart data: quantiles and mean of year-on-year inflation for the ``steps`` months after ``origin``
    (months need not be in the data), from a SARIMA estimated on data up to ``origin``."""
    m = monthly_inflation(index_level)
    endog = m[m.index <= pd.Timestamp(origin)].to_numpy()
    if len(endog) < 60:
        raise DataValidationError("sarima_yoy_fan: fewer than 60 months up to the origin")
    res, _ = _fit(endog, order, seasonal_order)
    yoy = _yoy_from_monthly(endog, simulate_paths(res, steps, n_paths, np.random.default_rng(seed)))
    last = m.index[len(endog) - 1]
    dates = pd.date_range(last + pd.offsets.MonthBegin(1), periods=steps, freq="MS")
    fan = pd.DataFrame(np.quantile(yoy, quantiles, axis=1).T, index=dates, columns=list(quantiles))
    fan["mean"] = _yoy_from_monthly(endog, np.asarray(res.get_forecast(steps).predicted_mean))
    return fan
