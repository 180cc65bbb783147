"""Shared foundations: configuration and profiles, paths, argument validation, time-series preparation
(returns, splits, windows, scalers), descriptive statistics and figure helpers."""

from finrisk_utils.core.config import (
    by_profile,
    setup,
)
from finrisk_utils.core.descriptive import (
    describe_returns,
)
from finrisk_utils.core.paths import (
    DATA_DIR,
    NOTEBOOKS_DIR,
    PACKAGE_DIR,
    REPO_ROOT,
    RUNS_DIR,
)
from finrisk_utils.core.plotting import (
    new_axes,
    plot_forecasts,
    plot_series,
    save_figure,
    shade_periods,
)
from finrisk_utils.core.timeseries import (
    Split,
    Windows,
    WindowSet,
    fit_train_scaler,
    log_returns,
    make_windows,
    origins_with_target,
    portfolio_log_returns,
    prices_from_log_returns,
    simple_returns,
    split_windows,
)
from finrisk_utils.core.validation import (
    DataValidationError,
    as_float_array,
    check_binary_labels,
    check_columns,
    check_datetime_index,
    check_finite,
    check_min_length,
    check_numeric,
    check_positive_int,
    check_probability,
    check_returns,
    check_sha256,
    validate_frame,
)

__all__ = [
    "DATA_DIR",
    "DataValidationError",
    "NOTEBOOKS_DIR",
    "PACKAGE_DIR",
    "REPO_ROOT",
    "RUNS_DIR",
    "Split",
    "WindowSet",
    "Windows",
    "as_float_array",
    "by_profile",
    "check_binary_labels",
    "check_columns",
    "check_datetime_index",
    "check_finite",
    "check_min_length",
    "check_numeric",
    "check_positive_int",
    "check_probability",
    "check_returns",
    "check_sha256",
    "describe_returns",
    "fit_train_scaler",
    "log_returns",
    "make_windows",
    "new_axes",
    "origins_with_target",
    "plot_forecasts",
    "plot_series",
    "portfolio_log_returns",
    "prices_from_log_returns",
    "save_figure",
    "setup",
    "shade_periods",
    "simple_returns",
    "split_windows",
    "validate_frame",
]
