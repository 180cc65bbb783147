"""Shared foundations: configuration and profiles, paths, argument validation, time-series preparation
(returns, splits, windows, scalers), descriptive statistics and figure helpers."""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finrisk_utils.core.config import (
        by_profile,
        setup,
    )
    from finrisk_utils.core.descriptive import (
        describe_returns,
        tied_extremes,
    )
    from finrisk_utils.core.paths import (
        DATA_DIR,
        NOTEBOOKS_DIR,
        PACKAGE_DIR,
        REPO_ROOT,
        RUNS_DIR,
    )
    from finrisk_utils.core.plotting import (
        drawn_models,
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
        as_timestamp,
        check_binary_labels,
        check_columns,
        check_date_index,
        check_datetime_index,
        check_finite,
        check_flags,
        check_labels_and_scores,
        check_min_length,
        check_number,
        check_numeric,
        check_positive_int,
        check_probability,
        check_returns,
        check_same_index,
        check_sha256,
        check_subset,
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
    "as_timestamp",
    "by_profile",
    "check_binary_labels",
    "check_labels_and_scores",
    "check_columns",
    "check_date_index",
    "check_datetime_index",
    "check_finite",
    "check_flags",
    "check_min_length",
    "check_number",
    "check_numeric",
    "check_positive_int",
    "check_probability",
    "check_returns",
    "check_same_index",
    "check_subset",
    "check_sha256",
    "describe_returns",
    "drawn_models",
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
    "tied_extremes",
    "validate_frame",
]

# The modules above in import-cost order: a name is looked up in them on first use, so that `setup` or the
# validators load neither scipy.stats (descriptive), matplotlib (plotting) nor scikit-learn (timeseries). Every
# kernel and CLI process imports this package; eagerly, that cost 2 s per process.
_MODULES = ("paths", "validation", "config", "timeseries", "descriptive", "plotting")


def __getattr__(name: str) -> object:
    """The public ``name`` (or submodule), imported from its module on first access."""
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in __all__:
        for module in _MODULES:
            found = importlib.import_module(f"{__name__}.{module}")
            if name in found.__all__:
                value = getattr(found, name)
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
