"""Currency risk: exchange-rate returns, forward-rate (uncovered interest parity) forecasts, currency positions."""

from finrisk_utils.currency.forecasts import (
    FamaSlope,
    actual_changes,
    compare_change_forecasts,
    direct_change_ar_forecast,
    direct_linear_forecast,
    fama_regression_forecast,
    fama_slope,
    forecast_origins,
    forward_rate_forecast,
    level_to_change,
    log_level,
    zero_change_forecast,
)
from finrisk_utils.currency.positions import (
    basket_returns,
    parse_basket,
    position_returns,
)
from finrisk_utils.currency.readings import (
    change_forecast_metrics,
    change_forecast_reading,
    change_forecast_table,
    fama_reading,
    tail_reading,
)
from finrisk_utils.currency.tails import (
    PLAZA_ACCORD,
    annualised_volatility,
    event_window,
    extremal_index,
    hill_tail_index,
    placebo_rank,
    tail_statistics,
)

__all__ = [
    "PLAZA_ACCORD",
    "FamaSlope",
    "actual_changes",
    "basket_returns",
    "change_forecast_metrics",
    "change_forecast_reading",
    "change_forecast_table",
    "compare_change_forecasts",
    "direct_change_ar_forecast",
    "direct_linear_forecast",
    "event_window",
    "extremal_index",
    "fama_reading",
    "fama_regression_forecast",
    "fama_slope",
    "forecast_origins",
    "forward_rate_forecast",
    "hill_tail_index",
    "level_to_change",
    "log_level",
    "parse_basket",
    "annualised_volatility",
    "placebo_rank",
    "position_returns",
    "tail_reading",
    "tail_statistics",
    "zero_change_forecast",
]
