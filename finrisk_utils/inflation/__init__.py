"""Inflation risk: monthly and year-on-year inflation, SARIMA year-on-year forecasts and fan charts."""

from finrisk_utils.inflation.measures import (
    monthly_inflation,
    yoy_change,
)
from finrisk_utils.inflation.readings import (
    choose_on_validation,
    coverage_reading,
)
from finrisk_utils.inflation.sarima import (
    SarimaForecast,
    sarima_yoy_fan,
    sarima_yoy_forecast,
)

__all__ = [
    "SarimaForecast",
    "choose_on_validation",
    "coverage_reading",
    "monthly_inflation",
    "sarima_yoy_fan",
    "sarima_yoy_forecast",
    "yoy_change",
]
