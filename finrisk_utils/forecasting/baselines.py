"""Classical benchmark forecasts. Each takes the history it may use and the dates to forecast, and uses only
data dated strictly before each forecast date."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.tsa.ar_model import AutoReg

from finrisk_utils.core.validation import (
    DataValidationError,
    check_date_index,
    check_positive_int,
    check_returns,
)

__all__ = [
    "ar_one_step_forecast",
    "direct_ar_forecast",
    "no_change_forecast",
    "origin_positions",
    "historical_mean_forecast",
    "persistence_forecast",
    "random_walk_return_forecast",
]


def _check_target_dates(
    history: pd.Series,
    dates: pd.DatetimeIndex,
    what: str,
    names: tuple[str, str] = ("history", "dates"),
) -> None:
    """``history``: a Series of finite numbers on increasing unique dates (a NaN would be skipped or passed
    on silently); ``dates``: a non-empty, increasing DatetimeIndex."""
    check_returns(history, names[0], where=what)
    if not isinstance(dates, pd.DatetimeIndex) or len(dates) == 0:
        raise ValueError(f"{what}: {names[1]} must be a non-empty DatetimeIndex")
    check_date_index(dates, names[1], where=what)


def random_walk_return_forecast(dates: pd.DatetimeIndex) -> pd.Series:
    """Random walk for prices: tomorrow's price is today's, i.e. a log-return forecast of zero."""
    if not isinstance(dates, pd.DatetimeIndex) or len(dates) == 0:
        raise ValueError("random_walk_return_forecast: dates must be a non-empty DatetimeIndex")
    check_date_index(dates, "dates", where="random_walk_return_forecast")
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
    _check_target_dates(train, dates, "historical_mean_forecast", ("train", "dates"))
    if train.index[-1] >= dates[0]:
        raise DataValidationError(
            f"historical_mean_forecast: training data runs to {train.index[-1].date()}, "
            f"not before the first forecast date {dates[0].date()} (look-ahead)"
        )
    return pd.Series(float(train.mean()), index=dates, name="historical_mean")


def ar_one_step_forecast(series: pd.Series, dates: pd.DatetimeIndex, lags: int = 1) -> pd.Series:
    """Rolling-origin AR(``lags``) forecasts with a constant: for each date, an AR model is re-estimated by
    OLS (``statsmodels`` ``AutoReg``) on every observation strictly before it and forecasts one step ahead.
    ``dates`` must be observation dates of ``series`` (the step is the series' own spacing)."""
    _check_target_dates(series, dates, "ar_one_step_forecast", ("series", "dates"))
    lags = check_positive_int(lags, "lags", where="ar_one_step_forecast")
    pos = series.index.get_indexer(dates)
    if (pos < 0).any():
        raise ValueError(
            "ar_one_step_forecast: every date must be an observation date of the series"
        )
    values = series.to_numpy(dtype=float)
    if pos.min() < 2 * lags + 10:
        raise DataValidationError(
            f"ar_one_step_forecast: {pos.min()} observations before {dates[0].date()}, "
            f"needs at least {2 * lags + 10} for AR({lags})"
        )
    out = np.empty(len(pos))
    for i, p in enumerate(pos):
        fit = AutoReg(values[:p], lags=lags, trend="c").fit()
        out[i] = fit.params[0] + fit.params[1:] @ values[p - lags : p][::-1]  # newest lag first
    return pd.Series(out, index=dates, name=f"ar{lags}")


def origin_positions(
    series: pd.Series, origins: pd.DatetimeIndex, horizon: int, what: str
) -> np.ndarray:
    """Positions of the forecast ``origins`` in ``series`` (each an observation date whose target ``horizon``
    steps later is in the data); ``what`` names the caller in error messages."""
    _check_target_dates(series, origins, what, ("series", "origins"))
    check_positive_int(horizon, "horizon", where=what)
    pos = series.index.get_indexer(origins)
    if (pos < 0).any():
        raise ValueError(f"{what}: every origin must be an observation date of the series")
    if (pos + horizon >= len(series)).any():
        raise DataValidationError(
            f"{what}: the target {horizon} steps after the last origin is not in the data"
        )
    return pos


def no_change_forecast(
    series: pd.Series | pd.DataFrame, origins: pd.DatetimeIndex, horizon: int
) -> pd.Series | pd.DataFrame:
    """Random-walk ("no change") forecast made at each origin for ``horizon`` steps later: the value at the
    origin. For year-on-year inflation this is Atkeson and Ohanian's (2001) benchmark; for a yield curve, each
    maturity's random walk. Indexed by target date; a DataFrame gives a DataFrame with the same columns."""
    if isinstance(series, pd.DataFrame):
        if series.shape[1] == 0:
            raise DataValidationError("no_change_forecast: series has no columns")
        return pd.DataFrame(
            {c: no_change_forecast(series[c], origins, horizon) for c in series.columns}
        )
    pos = origin_positions(series, origins, horizon, "no_change_forecast")
    return pd.Series(
        series.to_numpy(dtype=float)[pos], index=series.index[pos + horizon], name="no_change"
    )


def direct_ar_forecast(
    series: pd.Series, origins: pd.DatetimeIndex, horizon: int, lags: int = 12
) -> pd.Series:
    """Direct AR forecast ``y_{t+h} = c + sum_{j<lags} phi_j y_{t-j}``, re-estimated by OLS at every origin on
    the pairs whose target is already observed (target date <= origin). Indexed by target date."""
    pos = origin_positions(series, origins, horizon, "direct_ar_forecast")
    lags = check_positive_int(lags, "lags", where="direct_ar_forecast")
    y = series.to_numpy(dtype=float)
    need = lags + horizon + lags + 2
    if pos.min() < need:
        raise DataValidationError(
            f"direct_ar_forecast: needs at least {need} observations before the first origin"
        )
    out = np.empty(len(pos))
    for i, p in enumerate(pos):
        X = np.column_stack(
            [np.ones(p - horizon - lags + 2)]
            + [y[lags - 1 - j : p - horizon + 1 - j] for j in range(lags)]
        )
        beta = np.linalg.lstsq(X, y[lags - 1 + horizon : p + 1], rcond=None)[0]
        out[i] = beta[0] + beta[1:] @ y[p - np.arange(lags)]
    return pd.Series(out, index=series.index[pos + horizon], name=f"direct_ar{lags}")
