"""Descriptive statistics of return series, as a risk analyst first looks at them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from finrisk_utils.core.validation import (
    as_float_array,
    check_finite,
    check_min_length,
    check_positive_int,
)

__all__ = ["describe_returns"]


def describe_returns(
    returns: pd.Series | pd.DataFrame, periods_per_year: int = 252
) -> pd.DataFrame:
    """One row per series: observations, mean and volatility annualised (in the returns' units, e.g. %),
    skewness, excess kurtosis, worst and best period, and the Jarque-Bera normality p-value."""
    where = "describe_returns"
    if not isinstance(returns, pd.Series | pd.DataFrame):
        raise TypeError(
            f"{where}: returns must be a pandas Series or DataFrame, got {type(returns).__name__}"
        )
    check_positive_int(periods_per_year, "periods_per_year", where=where)
    frame = returns.to_frame() if isinstance(returns, pd.Series) else returns
    if frame.shape[1] == 0:
        raise ValueError(f"{where}: returns has no columns")
    for col in frame.columns:
        as_float_array(frame[col], f"column {col!r}", where=where)
    check_finite(frame, list(frame.columns), where="describe_returns")
    check_min_length(len(frame), 3, what="return series", where="describe_returns")
    rows = {}
    for col in frame.columns:
        x = frame[col].to_numpy(dtype=float)
        rows[col] = {
            "n": len(x),
            "mean_ann": x.mean() * periods_per_year,
            "vol_ann": x.std(ddof=1) * np.sqrt(periods_per_year),
            "skew": stats.skew(x),
            "excess_kurtosis": stats.kurtosis(x),
            "min": x.min(),
            "max": x.max(),
            "jarque_bera_p": stats.jarque_bera(x).pvalue,
        }
    return pd.DataFrame(rows).T.astype({"n": int})
