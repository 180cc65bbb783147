"""Monte Carlo studies on simulated data: how a forecaster ranks across many equally likely histories, not just
the one history a backtest happens to draw."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from finrisk_utils.core.timeseries import origins_with_target
from finrisk_utils.forecasting.baselines import no_change_forecast
from finrisk_utils.rates.dns import dns_ar1_forecast
from finrisk_utils.rates.simulate import TREASURY_FACTOR_DYNAMICS, DNSParams, make_yield_curves

__all__ = ["dns_vs_random_walk_study"]


def dns_vs_random_walk_study(
    n_panels: int,
    *,
    n_months: int,
    start: str,
    test_start: str,
    horizons: Sequence[int],
    maturities: Sequence[float],
    params: DNSParams = TREASURY_FACTOR_DYNAMICS,
    first_seed: int = 1,
    method: str = "direct",
) -> pd.DataFrame:
    """Simulate ``n_panels`` yield-curve panels (seeds ``first_seed, first_seed + 1, ...``) and, on each, the
    pooled RMSE (all ``maturities``, origins from ``test_start``) of the Diebold-Li DNS-AR(1) forecast and the
    random walk at each horizon (``method``: the DNS AR(1) step, see ``dns_ar1_forecast``). Panels have the
    generator's default maturities. One row per (panel, horizon): ``rmse_dns``, ``rmse_rw``, ``ratio``."""
    if isinstance(n_panels, bool) or not isinstance(n_panels, int) or n_panels < 1:
        raise ValueError(f"n_panels must be a positive int, got {n_panels!r}")
    rows = []
    for s in range(first_seed, first_seed + n_panels):
        yields = make_yield_curves(n_months, start=start, params=params, seed=s).yields
        origins = yields.index[yields.index >= test_start]
        for h in horizons:
            o = origins_with_target(yields.index, origins, h)
            truth = yields[list(maturities)].to_numpy()[yields.index.get_indexer(o) + h]
            dns = dns_ar1_forecast(yields, o, h, method=method)[list(maturities)].to_numpy()
            rw = no_change_forecast(yields[list(maturities)], o, h).to_numpy()
            r_dns, r_rw = np.sqrt(np.mean((truth - dns) ** 2)), np.sqrt(np.mean((truth - rw) ** 2))
            rows.append(
                {
                    "panel": s,
                    "horizon": h,
                    "rmse_dns": r_dns,
                    "rmse_rw": r_rw,
                    "ratio": r_dns / r_rw,
                }
            )
    return pd.DataFrame(rows)
