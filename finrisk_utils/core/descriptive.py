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

__all__ = ["describe_returns", "tied_extremes"]


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


def tied_extremes(values: pd.Series, *, high: bool, sep: str = " and ") -> str:
    """The index labels at the maximum (``high``) or minimum of ``values``, every tied one, joined by ``sep``
    (readings name all the models that share the best or worst value, not the first one ``idxmin`` finds)."""
    if not isinstance(values, pd.Series) or values.empty:
        raise ValueError("tied_extremes: values must be a non-empty pandas Series")
    arr = as_float_array(values, "values", where="tied_extremes")
    target = arr.max() if high else arr.min()
    return sep.join(str(i) for i in values.index[np.isclose(arr, target, rtol=1e-12, atol=0)])
