"""Evaluation: point forecasts (``forecast``) and VaR/ES backtests (``backtest``)."""

from finrisk_utils.evaluation.backtest import (
    ESTest,
    TrafficLight,
    VaRBacktest,
    acerbi_szekely_z2,
    backtest_metrics,
    backtest_table,
    backtest_var,
    benchmark_goals,
    christoffersen,
    exceptions_of,
    fz0_score,
    kupiec_pof,
    pinball_loss,
    traffic_light,
)
from finrisk_utils.evaluation.forecast import (
    DMResult,
    diebold_mariano,
    directional_accuracy,
    forecast_table,
    mae,
    rmse,
)

__all__ = [
    "DMResult",
    "ESTest",
    "TrafficLight",
    "VaRBacktest",
    "acerbi_szekely_z2",
    "benchmark_goals",
    "backtest_metrics",
    "backtest_table",
    "backtest_var",
    "christoffersen",
    "exceptions_of",
    "fz0_score",
    "kupiec_pof",
    "pinball_loss",
    "traffic_light",
    "diebold_mariano",
    "directional_accuracy",
    "forecast_table",
    "mae",
    "rmse",
]
