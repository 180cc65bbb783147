"""Inflation measures from a price index: monthly and year-on-year rates, both as log differences in percent
(so twelve monthly rates add up exactly to the year-on-year rate)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from finrisk_utils.core.timeseries import check_prices
from finrisk_utils.core.validation import check_min_length, check_positive_int

__all__ = ["monthly_inflation", "yoy_change"]


def monthly_inflation(index_level: pd.Series) -> pd.Series:
    """``100 ln(P_t / P_{t-1})``, percent per month; the first month is dropped."""
    check_prices(index_level, "monthly_inflation", "index_level")
    return (100 * np.log(index_level).diff()).iloc[1:].rename("monthly_inflation")


def yoy_change(index_level: pd.Series, periods: int = 12) -> pd.Series:
    """Year-on-year change of a price index in percent, as log difference: ``100 ln(P_t / P_{t-periods})``
    (``periods=12`` for monthly data, 4 for quarterly). The first ``periods`` rows are dropped."""
    periods = check_positive_int(periods, "periods", where="yoy_change")
    check_prices(index_level, "yoy_change", "index_level")
    check_min_length(len(index_level), periods + 1, what="index series", where="yoy_change")
    return (100 * np.log(index_level / index_level.shift(periods))).iloc[periods:]
