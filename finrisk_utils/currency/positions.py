"""Currency positions: which currencies a position holds and the daily returns of an equally weighted basket.

Rates are US dollars per unit of foreign currency (``fx_rates``), so a long position in a currency gains when its
rate rises; a basket holds equal dollar amounts of each currency, rebalanced daily.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from finrisk_utils.core.timeseries import log_returns, portfolio_log_returns
from finrisk_utils.core.validation import DataValidationError, check_columns

__all__ = ["basket_returns", "parse_basket", "position_returns"]


def parse_basket(text: str, available: Sequence[str]) -> list[str]:
    """Currencies from a comma list (``"dem,gbp,jpy"``), each one of ``available`` (the columns of the rate
    table), no repeats; at least two (a basket of one is a single-currency position)."""
    where = "parse_basket"
    if not isinstance(text, str):
        raise TypeError(
            f"{where}: basket must be a comma-separated str like 'dem,gbp', got {text!r}"
        )
    names = [s.strip().lower() for s in text.split(",") if s.strip()]
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f"{where}: unknown currencies {unknown}; available: {list(available)}")
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: basket {text!r} repeats a currency")
    if len(names) < 2:
        raise ValueError(f"{where}: a basket needs at least two currencies, got {names}")
    return names


def position_returns(rates: pd.DataFrame, currency: str) -> pd.Series:
    """Daily log returns (%) of a long position in ``currency`` held by a dollar investor:
    ``100 log(S_t / S_{t-1})`` with ``S`` in dollars per unit. Named after the currency."""
    where = "position_returns"
    if not isinstance(rates, pd.DataFrame):
        raise TypeError(f"{where}: rates must be a DataFrame (dates x currencies)")
    check_columns(rates, [currency], where=where)
    return log_returns(rates[currency].dropna()).rename(currency)


def basket_returns(rates: pd.DataFrame, currencies: Sequence[str]) -> pd.Series:
    """Daily log returns (%) of an equally weighted basket of ``currencies`` (dollar value ``sum_i w_i S_i``,
    weights ``1/n`` restored every day), named ``"basket"``; days where any rate is missing are dropped."""
    where = "basket_returns"
    if not isinstance(rates, pd.DataFrame):
        raise TypeError(f"{where}: rates must be a DataFrame (dates x currencies)")
    currencies = list(currencies)
    if len(currencies) < 2 or len(set(currencies)) != len(currencies):
        raise ValueError(
            f"{where}: currencies must be at least two distinct names, got {currencies}"
        )
    check_columns(rates, currencies, where=where)
    prices = rates[currencies].dropna()
    if len(prices) < 2:
        raise DataValidationError(f"{where}: fewer than two dates with every rate of {currencies}")
    return portfolio_log_returns(prices).rename("basket")
