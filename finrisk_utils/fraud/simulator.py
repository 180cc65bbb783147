"""Seeded card transactions with labelled fraud (ground truth), since real labelled fraud data cannot ship.

``make_transactions`` simulates card transactions of customers with their own spending habits and injects
fraud by three documented mechanisms, each labelled, so detection can be scored per mechanism:

- ``card_testing``: a burst of 5-15 tiny online purchases (0.5-5) within about an hour, at digital-goods
  merchants, half of them from abroad: a fraudster checking whether a stolen card works.
- ``account_takeover``: 1-4 online purchases of 5-20 times the customer's usual amount from a country the
  customer never used, within a day: a fraudster draining a hijacked account.
- ``merchant_collusion``: 1-3 in-person purchases of 2-6 times the usual amount at an electronics merchant
  between 1 and 4 a.m. in the customer's home country: a corrupt merchant running the card.

Normal behaviour: each customer has a transaction rate (Gamma, mean 0.8 a day), a log-normal amount level,
preferred merchant categories (Dirichlet), a preferred hour, a preferred channel, and a home country (95% of
their purchases). History features are computed per customer from *earlier* transactions only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import DataValidationError, check_positive_int, validate_frame

__all__ = ["FRAUD_MECHANISMS", "MERCHANT_CATEGORIES", "make_transactions"]

MERCHANT_CATEGORIES = (
    "grocery",
    "restaurant",
    "fuel",
    "clothing",
    "travel",
    "health",
    "entertainment",
    "digital_goods",
    "electronics",
    "utilities",
)
CHANNELS = ("pos", "online", "atm")
COUNTRIES = ("home", "neighbour", "far")
FRAUD_MECHANISMS = ("card_testing", "account_takeover", "merchant_collusion")
_MECHANISM_WEIGHTS = np.array([0.20, 0.45, 0.35])  # events; card-testing events are the largest
_EVENT_SIZE = {"card_testing": (5, 15), "account_takeover": (1, 4), "merchant_collusion": (1, 3)}
_START = pd.Timestamp("2024-01-01")


def _normal_transactions(n_customers: int, n_days: int, rng: np.random.Generator) -> pd.DataFrame:
    rate = rng.gamma(2.0, 0.4, n_customers)  # transactions per day
    level = rng.normal(3.3, 0.5, n_customers)  # log amount
    prefs = rng.dirichlet(
        np.full(len(MERCHANT_CATEGORIES) - 2, 0.7), n_customers
    )  # no digital/electronics bias
    hour_pref = rng.uniform(9, 20, n_customers)
    online_share = rng.beta(2, 5, n_customers)
    counts = rng.poisson(rate * n_days)
    cust = np.repeat(np.arange(n_customers), counts)
    n = cust.size
    day = rng.uniform(0, n_days, n).astype(int)
    hour = np.clip(np.round(rng.normal(hour_pref[cust], 2.5)), 6, 23).astype(int)
    minute = rng.integers(0, 60, n)
    usual = np.array(MERCHANT_CATEGORIES[:-2])
    category = np.where(
        rng.random(n) < 0.97,
        usual[(prefs[cust].cumsum(axis=1) > rng.random(n)[:, None]).argmax(axis=1)],
        rng.choice(np.array(MERCHANT_CATEGORIES), n),
    )
    channel = np.where(
        rng.random(n) < online_share[cust], "online", np.where(rng.random(n) < 0.1, "atm", "pos")
    )
    country = np.where(
        rng.random(n) < 0.95, "home", np.where(rng.random(n) < 0.8, "neighbour", "far")
    )
    amount = np.round(np.exp(rng.normal(level[cust], 0.6)), 2)
    return pd.DataFrame(
        {
            "timestamp": _START + pd.to_timedelta(day * 1440 + hour * 60 + minute, unit="min"),
            "customer_id": cust,
            "merchant_category": category,
            "amount": amount,
            "channel": channel,
            "country": country,
            "fraud_type": "none",
        }
    ), np.exp(level)


def _fraud_events(
    normal: pd.DataFrame,
    typical_amount: np.ndarray,
    n_days: int,
    fraud_rate: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    mean_size = float(_MECHANISM_WEIGHTS @ [np.mean(_EVENT_SIZE[m]) for m in FRAUD_MECHANISMS])
    target = fraud_rate * len(normal) / (1 - fraud_rate)
    n_events = max(int(round(target / mean_size)), len(FRAUD_MECHANISMS))
    mechanisms = np.array(FRAUD_MECHANISMS)[rng.choice(3, n_events, p=_MECHANISM_WEIGHTS)]
    mechanisms[: len(FRAUD_MECHANISMS)] = FRAUD_MECHANISMS  # every mechanism present at least once
    customers = rng.choice(normal["customer_id"].unique(), n_events)
    rows = []
    for mech, c in zip(mechanisms, customers, strict=True):
        lo, hi = _EVENT_SIZE[mech]
        k = int(rng.integers(lo, hi + 1))
        start = _START + pd.Timedelta(days=float(rng.uniform(1, n_days - 1)))
        usual = typical_amount[c]
        if mech == "card_testing":
            times = start + pd.to_timedelta(np.sort(rng.uniform(0, 70, k)), unit="min")
            amount = rng.uniform(0.5, 5, k)
            cat, channel = np.full(k, "digital_goods"), np.full(k, "online")
            country = np.full(k, "far" if rng.random() < 0.5 else "home")
        elif mech == "account_takeover":
            times = start + pd.to_timedelta(np.sort(rng.uniform(0, 24 * 60, k)), unit="min")
            amount = usual * rng.uniform(5, 20, k)
            cat = rng.choice(np.array(["electronics", "travel", "clothing", "digital_goods"]), k)
            channel, country = np.full(k, "online"), np.full(k, "far")
        else:
            night = start.normalize() + pd.Timedelta(hours=float(rng.uniform(1, 4)))
            times = night + pd.to_timedelta(np.sort(rng.uniform(0, 50, k)), unit="min")
            amount = usual * rng.uniform(2, 6, k)
            cat, channel, country = np.full(k, "electronics"), np.full(k, "pos"), np.full(k, "home")
        rows.append(
            pd.DataFrame(
                {
                    "timestamp": times.floor("min"),
                    "customer_id": c,
                    "merchant_category": cat,
                    "amount": np.round(amount, 2),
                    "channel": channel,
                    "country": country,
                    "fraud_type": mech,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _history_features(df: pd.DataFrame) -> pd.DataFrame:
    """Per-customer features from strictly earlier transactions (sorted by customer, then time)."""
    t = df["timestamp"].to_numpy().astype("datetime64[s]").astype(np.int64) / 3600.0  # hours
    cust = df["customer_id"].to_numpy()
    amount = df["amount"].to_numpy()
    n = len(df)
    since_last = np.full(n, np.nan)
    count_24h = np.zeros(n, dtype=int)
    mean_30d = np.full(n, np.nan)
    bounds = np.flatnonzero(np.diff(cust)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, n], strict=True):
        tt, aa = t[lo:hi], amount[lo:hi]
        idx = np.arange(hi - lo)
        since_last[lo + 1 : hi] = np.diff(tt)
        count_24h[lo:hi] = idx - np.searchsorted(tt, tt - 24, side="left")
        start30 = np.searchsorted(tt, tt - 24 * 30, side="left")
        csum = np.r_[0, np.cumsum(aa)]
        m = idx - start30
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_30d[lo:hi] = np.where(m > 0, (csum[idx] - csum[start30]) / m, np.nan)
    seen_cat = df.duplicated(["customer_id", "merchant_category"], keep="first").to_numpy()
    seen_country = df.duplicated(["customer_id", "country"], keep="first").to_numpy()
    return df.assign(
        hours_since_last=np.nan_to_num(since_last, nan=24 * 30.0),
        count_24h=count_24h,
        mean_amount_30d=mean_30d,
        amount_ratio=amount / np.where(np.isnan(mean_30d), np.nanmedian(amount), mean_30d),
        new_category=~seen_cat,
        new_country=~seen_country,
    )


def make_transactions(
    n_customers: int = 1000, n_days: int = 120, fraud_rate: float = 0.002, seed: int = 0
) -> pd.DataFrame:
    """Card transactions with injected, labelled fraud (see the module docstring for the mechanisms).

    Returns one row per transaction, sorted by time: ``timestamp``, ``customer_id``, ``merchant_category``,
    ``amount`` (currency units), ``channel``, ``country``, ``hour``, history features (``hours_since_last``,
    ``count_24h``, ``mean_amount_30d`` (NaN without history), ``amount_ratio``, ``new_category``,
    ``new_country``), and the ground truth ``is_fraud`` (0/1) and ``fraud_type``. About
    ``0.8 * n_customers * n_days`` transactions; ``fraud_rate`` is the expected share of fraudulent ones.
    """
    n_customers, n_days = (
        check_positive_int(n_customers, "n_customers", where="make_transactions"),
        check_positive_int(n_days, "n_days", where="make_transactions"),
    )
    if n_days < 7:
        raise ValueError(f"n_days must be at least 7, got {n_days}")
    if (
        isinstance(fraud_rate, bool)
        or not isinstance(fraud_rate, float | int)
        or not 0 < fraud_rate < 0.2
    ):
        raise ValueError(f"fraud_rate must be a number in (0, 0.2), got {fraud_rate!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    rng = np.random.default_rng(seed)
    normal, typical = _normal_transactions(n_customers, n_days, rng)
    fraud = _fraud_events(normal, typical, n_days, float(fraud_rate), rng)
    df = pd.concat([normal, fraud], ignore_index=True)
    df = df.sort_values(["customer_id", "timestamp"], kind="stable").reset_index(drop=True)
    df = _history_features(df)
    df["hour"] = df["timestamp"].dt.hour
    df["is_fraud"] = (df["fraud_type"] != "none").astype(int)
    for col, cats in (
        ("merchant_category", MERCHANT_CATEGORIES),
        ("channel", CHANNELS),
        ("country", COUNTRIES),
    ):
        df[col] = pd.Categorical(df[col], categories=cats)
    df["fraud_type"] = pd.Categorical(df["fraud_type"], categories=("none", *FRAUD_MECHANISMS))
    df = df.sort_values(["timestamp", "customer_id"], kind="stable").reset_index(drop=True)
    order = [
        "timestamp",
        "customer_id",
        "merchant_category",
        "amount",
        "channel",
        "country",
        "hour",
        "hours_since_last",
        "count_24h",
        "mean_amount_30d",
        "amount_ratio",
        "new_category",
        "new_country",
        "is_fraud",
        "fraud_type",
    ]
    out = df[order]
    numeric = ["amount", "hour", "hours_since_last", "count_24h", "amount_ratio"]
    validate_frame(
        out,
        where="make_transactions",
        required=["timestamp", "customer_id", "is_fraud", "fraud_type", *numeric],
        numeric=[*numeric, "mean_amount_30d"],
        finite=numeric,  # mean_amount_30d is NaN, by design, for a customer's first transaction
    )
    if not out["timestamp"].is_monotonic_increasing:
        raise DataValidationError("make_transactions: timestamps are not sorted")
    return out
