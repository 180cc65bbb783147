"""Inflation risk: monthly and year-on-year inflation, SARIMA year-on-year forecasts and fan charts, inflation
expectations in T-bill rates (Fisher and Mishkin regressions, T-bill-implied forecasts)."""

from finrisk_utils.inflation.expectations import (
    ExpectationsRegression,
    bill_panel,
    cpi_inflation,
    expectations_reading,
    expectations_regression,
    fisher_reading,
    fisher_regression,
    mishkin_regression,
    monthly_to_span,
    ols_direct_forecast,
    tbill_implied_forecast,
)
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
    SarimaOrder,
    format_order,
    sarima_yoy_fan,
    sarima_yoy_forecast,
    select_sarima_order,
    simulate_paths,
)

__all__ = [
    "ExpectationsRegression",
    "bill_panel",
    "expectations_reading",
    "expectations_regression",
    "fisher_reading",
    "cpi_inflation",
    "fisher_regression",
    "mishkin_regression",
    "monthly_to_span",
    "ols_direct_forecast",
    "tbill_implied_forecast",
    "SarimaForecast",
    "SarimaOrder",
    "format_order",
    "choose_on_validation",
    "coverage_reading",
    "monthly_inflation",
    "sarima_yoy_fan",
    "sarima_yoy_forecast",
    "select_sarima_order",
    "simulate_paths",
    "yoy_change",
]
