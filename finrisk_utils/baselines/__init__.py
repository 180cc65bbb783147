"""Classical benchmarks: point forecasts (``point``) and VaR/ES models (``var``)."""

from finrisk_utils.baselines.point import (
    ar_one_step_forecast,
    direct_ar_forecast,
    historical_mean_forecast,
    no_change_forecast,
    persistence_forecast,
    random_walk_return_forecast,
)
from finrisk_utils.baselines.var import (
    RiskForecast,
    ewma_var,
    ewma_volatility,
    filtered_historical_simulation,
    garch_var,
    historical_simulation,
)

__all__ = [
    "ar_one_step_forecast",
    "direct_ar_forecast",
    "no_change_forecast",
    "RiskForecast",
    "ewma_var",
    "ewma_volatility",
    "filtered_historical_simulation",
    "garch_var",
    "historical_mean_forecast",
    "historical_simulation",
    "persistence_forecast",
    "random_walk_return_forecast",
]
