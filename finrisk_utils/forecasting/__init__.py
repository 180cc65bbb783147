"""Forecasting shared by every domain: point baselines, the direct multi-horizon network forecaster,
forecast losses, model bake-offs and the comparison of forecasts."""

from finrisk_utils.forecasting.bakeoff import (
    FamilyResult,
    bakeoff_table,
    run_family,
)
from finrisk_utils.forecasting.baselines import (
    ar_one_step_forecast,
    direct_ar_forecast,
    historical_mean_forecast,
    no_change_forecast,
    origin_positions,
    persistence_forecast,
    random_walk_return_forecast,
)
from finrisk_utils.forecasting.compare import (
    DMResult,
    diebold_mariano,
    horizon_table,
)
from finrisk_utils.forecasting.direct import (
    DirectForecast,
    DirectNetSpec,
    direct_deep_forecast,
)
from finrisk_utils.forecasting.metrics import (
    directional_accuracy,
    forecast_table,
    fz0_score,
    mae,
    paired_arrays,
    pinball_loss,
    qlike,
    rmse,
)

__all__ = [
    "DMResult",
    "DirectForecast",
    "DirectNetSpec",
    "FamilyResult",
    "ar_one_step_forecast",
    "bakeoff_table",
    "diebold_mariano",
    "direct_ar_forecast",
    "direct_deep_forecast",
    "directional_accuracy",
    "forecast_table",
    "fz0_score",
    "historical_mean_forecast",
    "horizon_table",
    "mae",
    "no_change_forecast",
    "origin_positions",
    "paired_arrays",
    "persistence_forecast",
    "pinball_loss",
    "qlike",
    "random_walk_return_forecast",
    "rmse",
    "run_family",
]
