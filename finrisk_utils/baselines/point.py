"""Classical benchmark forecasts. Each takes the history it may use and the dates to forecast, and uses only
data dated strictly before each forecast date."""

from __future__ import annotations

import pandas as pd

from finrisk_utils.validation import DataValidationError, check_datetime_index

__all__ = ["historical_mean_forecast", "persistence_forecast", "random_walk_return_forecast"]


def _check_target_dates(history: pd.Series, dates: pd.DatetimeIndex, what: str) -> None:
    if not isinstance(history, pd.Series):
        raise TypeError(f"{what}: history must be a pandas Series, got {type(history).__name__}")
    check_datetime_index(history, where=what)
    if not isinstance(dates, pd.DatetimeIndex) or len(dates) == 0:
        raise ValueError(f"{what}: dates must be a non-empty DatetimeIndex")


def random_walk_return_forecast(dates: pd.DatetimeIndex) -> pd.Series:
    """Random walk for prices: tomorrow's price is today's, i.e. a log-return forecast of zero."""
    if not isinstance(dates, pd.DatetimeIndex) or len(dates) == 0:
        raise ValueError("random_walk_return_forecast: dates must be a non-empty DatetimeIndex")
    return pd.Series(0.0, index=dates, name="random_walk")


def persistence_forecast(history: pd.Series, dates: pd.DatetimeIndex) -> pd.Series:
    """Tomorrow's value equals the last value observed before each forecast date."""
    _check_target_dates(history, dates, "persistence_forecast")
    pos = history.index.searchsorted(dates, side="left") - 1
    if (pos < 0).any():
        raise DataValidationError(
            f"persistence_forecast: no history before {dates[int((pos < 0).argmax())].date()}"
        )
    return pd.Series(history.to_numpy(dtype=float)[pos], index=dates, name="persistence")


def historical_mean_forecast(train: pd.Series, dates: pd.DatetimeIndex) -> pd.Series:
    """The training sample's mean, held fixed over ``dates``; ``train`` must end before the first date."""
    _check_target_dates(train, dates, "historical_mean_forecast")
    if train.index[-1] >= dates[0]:
        raise DataValidationError(
            f"historical_mean_forecast: training data runs to {train.index[-1].date()}, "
            f"not before the first forecast date {dates[0].date()} (look-ahead)"
        )
    return pd.Series(float(train.mean()), index=dates, name="historical_mean")
