"""Dynamic Nelson-Siegel forecasts (Diebold and Li 2006): Nelson-Siegel factors per date, an AR(1) per factor."""

from __future__ import annotations

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.forecasting.baselines import origin_positions
from finrisk_utils.rates.nelson_siegel import (
    DIEBOLD_LI_LAMBDA,
    fit_nelson_siegel,
    nelson_siegel_loadings,
)

__all__ = ["dns_ar1_forecast"]


def dns_ar1_forecast(
    yields: pd.DataFrame,
    origins: pd.DatetimeIndex,
    horizon: int,
    *,
    lam: float = DIEBOLD_LI_LAMBDA,
    min_obs: int = 36,
) -> pd.DataFrame:
    """Diebold and Li's (2006) two-step forecast. Step one fits level, slope and curvature to each date's curve
    (``yields``: dates x maturities in months, percent). Step two, at each origin: each factor's direct AR(1)
    ``b_{t+h} = c + g b_t``, estimated by OLS on the pairs whose target is already observed (``t + h`` <=
    origin), forecasts the factor ``horizon`` steps ahead; the forecast curve is its Nelson-Siegel curve.
    Indexed by target date, columns as ``yields``."""
    if not isinstance(yields, pd.DataFrame):
        raise TypeError(f"yields must be a DataFrame, got {type(yields).__name__}")
    factors = fit_nelson_siegel(yields, lam)
    pos = origin_positions(factors["level"], origins, horizon, "dns_ar1_forecast")
    if pos.min() - horizon + 1 < min_obs:
        raise DataValidationError(
            f"dns_ar1_forecast: {pos.min() - horizon + 1} factor pairs before the first origin, "
            f"needs at least {min_obs}"
        )
    b = factors.to_numpy()
    loadings = nelson_siegel_loadings([float(c) for c in yields.columns], lam)
    out = np.empty((len(pos), 3))
    for i, p in enumerate(pos):
        x, y = b[: p - horizon + 1], b[horizon : p + 1]
        for k in range(3):
            g, c = np.polyfit(x[:, k], y[:, k], 1)
            out[i, k] = c + g * b[p, k]
    return pd.DataFrame(out @ loadings.T, index=yields.index[pos + horizon], columns=yields.columns)
