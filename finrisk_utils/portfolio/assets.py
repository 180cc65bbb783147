"""Asset returns for portfolio construction, from the registry: equity indices and crude oil (daily or monthly),
a corporate-bond return built from Moody's yields by the duration approximation, Fama-French factors (monthly).

Every return is a simple return in percent per period (a day or a month), on one common calendar.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from finrisk_utils.core.validation import as_float_array, check_datetime_index, check_number
from finrisk_utils.data import load

__all__ = [
    "BOND_DURATION",
    "DAILY_ASSETS",
    "MONTHLY_ASSETS",
    "asset_returns",
    "bond_returns",
]

DAILY_ASSETS = {
    "sp500": ("sp500", "adj_close"),
    "nasdaq": ("nasdaq", "adj_close"),
    "wti": ("wti", "price"),
}
"""Assets with daily prices: name -> (registry dataset, price column)."""

MONTHLY_ASSETS = (*DAILY_ASSETS, "aaa_bond", "baa_bond", "mkt", "smb", "hml")
"""Assets available at the monthly frequency: the daily ones compounded to months, Moody's AAA/BAA bond returns
(:func:`bond_returns`), the Fama-French market (``mkt_rf + rf``), ``smb`` and ``hml`` (zero-cost factor returns)."""

BOND_DURATION = 10.0
"""Modified duration (years) assumed for Moody's seasoned corporate bond indices (maturities of 20 years and
more, yields of 3-15%: durations of roughly 7-13 years); an approximation, a setting of the method."""


def bond_returns(
    yields: pd.Series, duration: float = BOND_DURATION, periods_per_year: int = 12
) -> pd.Series:
    """Holding-period return of a constant-duration bond from its yield, by the duration approximation.

    ``r_t = -D (y_t - y_{t-1}) + y_{t-1} / periods_per_year``: the price effect of the yield change plus one
    period's carry, convexity ignored.

    Parameters
    ----------
    yields : Series
        Yields in percent per year (e.g. 5.35), DatetimeIndex, finite, at least two rows.
    duration : float
        Modified duration ``D`` in years, > 0.
    periods_per_year : int
        12 for monthly yields (Moody's AAA/BAA in ``corporate_yields`` are monthly), 252 for daily.

    Returns
    -------
    Series
        Simple returns in percent per period, dated at the end period ``t`` (the first date dropped).
    """
    where = "bond_returns"
    if not isinstance(yields, pd.Series):
        raise TypeError(f"{where}: yields must be a pandas Series, got {type(yields).__name__}")
    as_float_array(yields, "yields", where=where)
    check_datetime_index(yields, where=f"{where}: yields")
    duration = check_number(duration, "duration", where=where, minimum=0.0, strict=True)
    ppy = check_number(periods_per_year, "periods_per_year", where=where, minimum=0.0, strict=True)
    if len(yields) < 2:
        raise ValueError(f"{where}: yields needs at least two rows, got {len(yields)}")
    y = yields.astype(float)
    return (-duration * y.diff() + y.shift(1) / ppy).iloc[1:].rename(yields.name)


def _monthly_prices(name: str) -> pd.Series:
    dataset, column = DAILY_ASSETS[name]
    prices = load(dataset)[column]
    return prices.resample(
        "MS"
    ).last()  # last close of each month, dated at the month's start (like the factors)


def asset_returns(
    assets: Sequence[str], frequency: str = "daily", *, duration: float = BOND_DURATION
) -> pd.DataFrame:
    """Simple returns in percent per period of ``assets`` over their common span.

    Parameters
    ----------
    assets : sequence of str
        At least two distinct names: from :data:`DAILY_ASSETS` (``frequency="daily"``) or :data:`MONTHLY_ASSETS`.
    frequency : {"daily", "monthly"}
        Daily returns use trading days on which every asset has a price (prices are joined first, so each return
        spans the same interval for all assets); monthly returns compound the last close of each month and are
        dated at the month's start, like ``corporate_yields`` and ``fama_french``.
    duration : float
        Modified duration (years) of the bond returns (:func:`bond_returns`).

    Returns
    -------
    DataFrame
        Dates x assets (in the order given), finite, percent per period.
    """
    where = "asset_returns"
    if isinstance(assets, str) or not isinstance(assets, Sequence):
        raise TypeError(f"{where}: assets must be a list of names, got {assets!r}")
    names = list(assets)
    if len(names) < 2 or len(set(names)) != len(names):
        raise ValueError(f"{where}: assets needs at least two distinct names, got {names}")
    if frequency not in ("daily", "monthly"):
        raise ValueError(f"{where}: frequency must be 'daily' or 'monthly', got {frequency!r}")
    allowed = tuple(DAILY_ASSETS) if frequency == "daily" else MONTHLY_ASSETS
    unknown = [a for a in names if a not in allowed]
    if unknown:
        raise ValueError(
            f"{where}: unknown {frequency} asset(s) {unknown}; choose from {list(allowed)}"
            + (" (the bond and factor returns are monthly)" if frequency == "daily" else "")
        )
    if frequency == "daily":
        prices = pd.concat(
            {a: load(DAILY_ASSETS[a][0])[DAILY_ASSETS[a][1]] for a in names}, axis=1, join="inner"
        )
        return (100 * prices.pct_change()).iloc[1:][names]
    columns = {}
    for a in names:
        if a in DAILY_ASSETS:
            columns[a] = 100 * _monthly_prices(a).pct_change()
        elif a in ("aaa_bond", "baa_bond"):
            columns[a] = bond_returns(load("corporate_yields")[a[:3]], duration, 12)
        else:
            ff = load("fama_french")
            columns[a] = ff["mkt_rf"] + ff["rf"] if a == "mkt" else ff[a]
    return pd.concat(columns, axis=1, join="inner").dropna()[names]
