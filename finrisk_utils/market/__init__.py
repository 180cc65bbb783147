"""Market risk: VaR/ES conventions, classical VaR models, backtests, deep VaR networks, volatility (HAR)."""

from finrisk_utils.market.backtest import (
    BASEL_PLUS_FACTORS,
    ChristoffersenTest,
    CoverageTest,
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
    kupiec_pof,
    traffic_light,
)
from finrisk_utils.market.deep_var import (
    DeepVaRResult,
    DeepVaRSpec,
    deep_var_forecast,
    select_on_validation,
)
from finrisk_utils.market.plots import (
    plot_exception_timeline,
    plot_var_backtest,
)
from finrisk_utils.market.return_forecast import (
    ReturnComparison,
    ar_window_forecast,
    compare_return_forecasts,
)
from finrisk_utils.market.riskmeasures import (
    RiskForecast,
    check_confidence,
    normal_var_es,
    tail_mean_from_ppf,
)
from finrisk_utils.market.var_models import (
    ewma_var,
    ewma_volatility,
    filtered_historical_simulation,
    garch_var,
    historical_simulation,
)
from finrisk_utils.market.volatility import (
    HAR_WINDOWS,
    garman_klass_variance,
    har_error_variance,
    har_features,
    har_forecast,
    log_annualised_vol,
    parkinson_variance,
)

__all__ = [
    "BASEL_PLUS_FACTORS",
    "ChristoffersenTest",
    "CoverageTest",
    "DeepVaRResult",
    "DeepVaRSpec",
    "ESTest",
    "HAR_WINDOWS",
    "ReturnComparison",
    "RiskForecast",
    "TrafficLight",
    "VaRBacktest",
    "acerbi_szekely_z2",
    "ar_window_forecast",
    "backtest_metrics",
    "backtest_table",
    "backtest_var",
    "benchmark_goals",
    "check_confidence",
    "christoffersen",
    "compare_return_forecasts",
    "deep_var_forecast",
    "ewma_var",
    "ewma_volatility",
    "exceptions_of",
    "filtered_historical_simulation",
    "garch_var",
    "garman_klass_variance",
    "har_error_variance",
    "har_features",
    "har_forecast",
    "historical_simulation",
    "kupiec_pof",
    "log_annualised_vol",
    "normal_var_es",
    "parkinson_variance",
    "plot_exception_timeline",
    "plot_var_backtest",
    "select_on_validation",
    "tail_mean_from_ppf",
    "traffic_light",
]
