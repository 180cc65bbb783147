"""Realised-volatility proxies from daily OHLC prices and the HAR benchmark (Corsi 2009).

Range-based estimators use the day's high, low, open and close: far less noisy than a squared close-to-close
return. Variances are per day in squared log units; :func:`log_annualised_vol` turns them into
``ln(sqrt(252 * variance))``, a scale on which volatility is close to Gaussian and additive models fit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import (
    DataValidationError,
    as_float_array,
    as_timestamp,
    check_datetime_index,
    check_positive_int,
    check_returns,
)

__all__ = [
    "HAR_WINDOWS",
    "garman_klass_variance",
    "har_error_variance",
    "har_features",
    "har_forecast",
    "log_annualised_vol",
    "parkinson_variance",
]

#: Daily, weekly and monthly averaging windows of the HAR model, in trading days.
HAR_WINDOWS = (1, 5, 22)


def _ohlc(prices: pd.DataFrame, what: str, need: Sequence[str]) -> list[pd.Series]:
    if not isinstance(prices, pd.DataFrame):
        raise TypeError(f"{what}: prices must be a DataFrame, got {type(prices).__name__}")
    missing = [c for c in need if c not in prices.columns]
    if missing:
        raise DataValidationError(f"{what}: missing column(s) {missing}")
    if prices.empty:
        raise DataValidationError(f"{what}: prices is empty")
    check_datetime_index(prices, where=what)
    cols = [
        pd.Series(as_float_array(prices[c], f"column {c!r}", where=what), index=prices.index)
        for c in need
    ]
    for name, col in zip(need, cols, strict=True):
        if (col <= 0).any():
            bad = col.index[(col <= 0).to_numpy()][0]
            raise DataValidationError(
                f"{what}: column {name!r} has non-positive prices, first on {bad.date()}"
            )
    if (prices["high"] < prices["low"]).any():
        bad = prices.index[(prices["high"] < prices["low"]).to_numpy()][0]
        raise DataValidationError(f"{what}: high below low on {bad.date()}")
    return cols


def parkinson_variance(prices: pd.DataFrame) -> pd.Series:
    """Parkinson (1980): ``(ln H/L)^2 / (4 ln 2)``, daily variance from the high-low range."""
    high, low = _ohlc(prices, "parkinson_variance", ("high", "low"))
    return (np.log(high / low) ** 2 / (4 * np.log(2))).rename("parkinson")


def garman_klass_variance(prices: pd.DataFrame) -> pd.Series:
    """Garman and Klass (1980): ``0.5 (ln H/L)^2 - (2 ln 2 - 1) (ln C/O)^2``, daily variance."""
    o, h, lo, c = _ohlc(prices, "garman_klass_variance", ("open", "high", "low", "close"))
    return (0.5 * np.log(h / lo) ** 2 - (2 * np.log(2) - 1) * np.log(c / o) ** 2).rename(
        "garman_klass"
    )


def log_annualised_vol(variance: pd.Series, periods_per_year: int = 252) -> pd.Series:
    """``ln(sqrt(periods_per_year * variance))``; zero variances (a day with no range) are an error, not -inf."""
    variance = check_returns(variance, "variance", where="log_annualised_vol")
    check_positive_int(periods_per_year, "periods_per_year", where="log_annualised_vol")
    if (variance <= 0).any():
        bad = variance.index[(variance <= 0).to_numpy()][0]
        raise DataValidationError(f"log_annualised_vol: non-positive variance on {bad}")
    return np.log(np.sqrt(periods_per_year * variance)).rename("log_vol")


def har_features(log_vol: pd.Series, windows: Sequence[int] = HAR_WINDOWS) -> pd.DataFrame:
    """Trailing means of ``log_vol`` over each window (days ``t - w + 1 .. t``): columns ``har_1``, ``har_5``,
    ``har_22``; the first ``max(windows) - 1`` rows are dropped."""
    check_returns(log_vol, "log_vol", where="har_features")
    windows = [check_positive_int(w, "each of windows", where="har_features") for w in windows]
    if not windows:
        raise ValueError("har_features: windows is empty")
    feats = pd.DataFrame({f"har_{w}": log_vol.rolling(w).mean() for w in windows})
    return feats.iloc[max(windows) - 1 :]


def har_forecast(
    log_vol: pd.Series,
    train_end: str | pd.Timestamp,
    horizon: int = 1,
    windows: Sequence[int] = HAR_WINDOWS,
) -> pd.Series:
    """HAR forecast of ``log_vol`` ``horizon`` days ahead: OLS of the value at ``t + horizon`` on a constant and
    the daily, weekly and monthly averages at ``t`` (``windows``, in days: another set, e.g. with a quarterly
    66-day average, extends the model), fitted once on the pairs whose target is dated before ``train_end``,
    then applied at every later origin. Indexed by target date."""
    horizon = check_positive_int(horizon, "horizon", where="har_forecast")
    train_end = as_timestamp(train_end, "train_end", where="har_forecast")
    feats = har_features(log_vol, windows)
    target = log_vol.shift(-horizon).loc[feats.index]
    target_date = pd.Series(log_vol.index, index=log_vol.index).shift(-horizon).loc[feats.index]
    ok = target.notna().to_numpy()
    X = np.column_stack([np.ones(ok.sum()), feats.to_numpy()[ok]])
    y, dates = target.to_numpy()[ok], pd.DatetimeIndex(target_date[ok])
    train = dates < pd.Timestamp(train_end)
    if train.sum() < 50 or train.all():
        raise DataValidationError(
            f"har_forecast: {train.sum()} training targets before {pd.Timestamp(train_end).date()} "
            "(need at least 50) and some targets after it"
        )
    beta = np.linalg.lstsq(X[train], y[train], rcond=None)[0]
    return pd.Series(X[~train] @ beta, index=dates[~train], name="har")


def har_error_variance(
    log_vol: pd.Series, fit_end: str | pd.Timestamp, eval_end: str | pd.Timestamp, horizon: int = 1
) -> float:
    """Mean squared out-of-sample error of HAR over targets in ``[fit_end, eval_end)``, the model fitted on
    targets before ``fit_end`` (data after ``eval_end`` unused). With it, ``exp(2 f + 2 s2)`` turns a log-vol
    forecast ``f`` into a variance forecast that is not biased low: if ``ln vol`` is normal with variance
    ``s2``, ``E[vol^2] = exp(2 E[ln vol] + 2 s2)`` (Jensen)."""
    check_returns(log_vol, "log_vol", where="har_error_variance")
    history = log_vol[
        log_vol.index < as_timestamp(eval_end, "eval_end", where="har_error_variance")
    ]
    fc = har_forecast(history, fit_end, horizon)
    return float(np.mean((history.loc[fc.index] - fc) ** 2))
