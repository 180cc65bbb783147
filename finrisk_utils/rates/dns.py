"""Dynamic Nelson-Siegel forecasts (Diebold and Li 2006): Nelson-Siegel factors per date, an AR(1) per factor."""

from __future__ import annotations

import numpy as np
import pandas as pd

from finrisk_utils.core.timeseries import origins_with_target
from finrisk_utils.core.validation import DataValidationError, as_timestamp
from finrisk_utils.forecasting.baselines import origin_positions
from finrisk_utils.rates.nelson_siegel import (
    DIEBOLD_LI_LAMBDA,
    fit_nelson_siegel,
    nelson_siegel_loadings,
)

__all__ = ["DNS_METHODS", "DNS_RW_REFERENCE", "dns_ar1_forecast", "dns_rmse_ratios"]

#: How the AR(1) reaches ``horizon``: ``"direct"`` regresses ``b_{t+h}`` on ``b_t``; ``"iterated"`` fits the
#: one-step AR(1) ``b_{t+1} = c + g b_t`` and iterates it ``h`` times.
DNS_METHODS = ("direct", "iterated")

#: Reference RMSE ratios DNS-AR(1) / random walk on the McCulloch-Kwon Treasury curve (``treasury_yields``),
#: origins from January 1970, at 3, 12, 36, 60 and 120 months, per horizon: the figures quoted in the
#: project's issue 14 (three decimals). They come out of the iterated AR(1) (see ``dns_ar1_forecast``).
DNS_RW_REFERENCE = {
    "start": "1970-01-01",
    "maturities": (3, 12, 36, 60, 120),
    6: (1.010, 0.982, 0.951, 0.960, 1.030),
    12: (1.056, 1.069, 1.046, 1.048, 1.100),
}


def _expanding_ols(x: np.ndarray, y: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and slope of ``y_j = c + g x_j`` fitted on the pairs ``j <= last[i]`` (expanding windows),
    for every ``i`` at once, from cumulative sums (columns of ``x`` and ``y`` are separate regressions)."""
    n = (last + 1)[:, None].astype(float)
    sx, sy = np.cumsum(x, axis=0)[last], np.cumsum(y, axis=0)[last]
    sxx, sxy = np.cumsum(x * x, axis=0)[last], np.cumsum(x * y, axis=0)[last]
    g = (n * sxy - sx * sy) / (n * sxx - sx**2)
    return (sy - g * sx) / n, g


def dns_ar1_forecast(
    yields: pd.DataFrame,
    origins: pd.DatetimeIndex,
    horizon: int,
    *,
    lam: float = DIEBOLD_LI_LAMBDA,
    min_obs: int = 36,
    method: str = "direct",
) -> pd.DataFrame:
    """Diebold and Li's (2006) two-step forecast. Step one fits level, slope and curvature to each date's curve
    (``yields``: dates x maturities in months, percent). Step two, at each origin, per factor, on the factors
    up to the origin (an expanding window from the first date): ``method="direct"`` estimates
    ``b_{t+h} = c + g b_t`` by OLS on the pairs whose target is already observed (``t + h`` <= origin), as
    Diebold and Li write it; ``method="iterated"`` estimates the one-step AR(1) by OLS and iterates it
    ``horizon`` times. The forecast curve is the Nelson-Siegel curve of the forecast factors. Indexed by
    target date, columns as ``yields``."""
    if not isinstance(yields, pd.DataFrame):
        raise TypeError(f"yields must be a DataFrame, got {type(yields).__name__}")
    if method not in DNS_METHODS:
        raise ValueError(f"dns_ar1_forecast: method must be one of {DNS_METHODS}, got {method!r}")
    factors = fit_nelson_siegel(yields, lam)
    pos = origin_positions(factors["level"], origins, horizon, "dns_ar1_forecast")
    if pos.min() - horizon + 1 < min_obs:
        raise DataValidationError(
            f"dns_ar1_forecast: {pos.min() - horizon + 1} factor pairs before the first origin, "
            f"needs at least {min_obs}"
        )
    b = factors.to_numpy()
    loadings = nelson_siegel_loadings([float(c) for c in yields.columns], lam)
    if method == "direct":  # pairs (b_j, b_{j+h}) with j + h <= origin
        c, g = _expanding_ols(b[:-horizon], b[horizon:], pos - horizon)
        out = c + g * b[pos]
    else:  # pairs (b_j, b_{j+1}) with j + 1 <= origin, then h steps of the recursion
        c, g = _expanding_ols(b[:-1], b[1:], pos - 1)
        out = b[pos]
        for _ in range(horizon):
            out = c + g * out
    return pd.DataFrame(out @ loadings.T, index=yields.index[pos + horizon], columns=yields.columns)


def dns_rmse_ratios(
    yields: pd.DataFrame,
    start: object,
    horizon: int,
    maturities: list[float],
    *,
    method: str = "direct",
    lam: float = DIEBOLD_LI_LAMBDA,
) -> pd.Series:
    """RMSE of the DNS-AR(1) forecast over that of the random walk at each of ``maturities``, origins every
    month from ``start`` whose target ``horizon`` months later is in ``yields`` (the factors are fitted on all
    columns of ``yields``). A Series indexed by maturity (no training involved)."""
    start = as_timestamp(start, "start", where="dns_rmse_ratios")
    origins = origins_with_target(yields.index, yields.index[yields.index >= start], horizon)
    pos = yields.index.get_indexer(origins)
    y = yields[list(maturities)].to_numpy(dtype=float)
    dns = dns_ar1_forecast(yields, origins, horizon, lam=lam, method=method)[list(maturities)]
    err_dns, err_rw = y[pos + horizon] - dns.to_numpy(), y[pos + horizon] - y[pos]
    ratio = np.sqrt((err_dns**2).mean(axis=0) / (err_rw**2).mean(axis=0))
    return pd.Series(ratio, index=pd.Index(list(maturities), name="maturity_months"), name=method)
