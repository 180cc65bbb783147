"""Seeded card transactions with labelled fraud (ground truth), since real labelled fraud data cannot ship.

``make_transactions`` simulates card transactions of customers with their own spending habits and injects
fraud by three documented mechanisms, each labelled, so detection can be scored per mechanism. No mechanism
lives where no normal customer does: every value a fraud takes (hour, amount, category, channel, country,
burst) is also taken by normal customers, so no single feature separates a mechanism from normal activity
(:func:`single_feature_separation`).

- ``card_testing``: a burst of 4-12 small online purchases (0.5-10, rising with ``drift``) within an hour at
  digital-goods or entertainment merchants, from home, a neighbouring or a far country: a fraudster checking
  whether a stolen card works. Normal customers have in-app bursts of small digital purchases too.
- ``account_takeover``: 1-4 purchases (85% online) of 3-15 times the customer's usual amount (log-uniform) at
  electronics, travel or digital-goods merchants, at any hour, within a day: a fraudster draining a
  hijacked account. Its country is the home country with probability 0.2 at the start of the period, rising
  to 0.2 + 0.4 * ``drift`` at its end (fraudsters learn to route through local proxies); otherwise abroad.
- ``merchant_collusion``: 2-4 in-person purchases of 2-6 times the usual amount at one electronics or clothing
  merchant within two hours, in the customer's home country, at hours centred on 21:00 (standard deviation
  3.5 hours, so some at night, where normal activity also is): a corrupt merchant running the card.

Frauds are the same share of transactions for each mechanism (a third each, in expectation), and their events
are spread evenly over the period (stratified start times), so every chronological slice holds its share.

Normal behaviour: each customer has a transaction rate (Gamma, mean 0.8 a day), a log-normal amount level,
preferred merchant categories (Dirichlet over all ten; each category scales the amount, e.g. digital goods x0.25,
travel x2.5), a preferred hour (a wrapped normal over the whole day; 12% of customers are night owls centred
near midnight, and 8% of everyone's purchases fall at a uniformly random hour), a preferred channel, a travel
propensity (Beta, mean 5% of purchases abroad) and, for 15% of customers, in-app bursts of 2-5 small online
purchases (about one a month). **Drift** (``drift``, 0 = stationary): over the period the customers' online share rises by
0.15 * ``drift`` and their amounts by 10% * ``drift``, card-testing amounts rise by up to 50% * ``drift`` and
account takeover moves home (above), so a detector fitted on the first months meets a shifted test period.
History features are computed per customer from *earlier* transactions only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from finrisk_utils.core.validation import (
    DataValidationError,
    check_columns,
    check_number,
    check_positive_int,
    validate_frame,
)

__all__ = [
    "FRAUD_MECHANISMS",
    "MERCHANT_CATEGORIES",
    "SEPARATION_FEATURES",
    "make_transactions",
    "single_feature_separation",
]

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
_CATEGORY_SCALE = np.array([1.0, 0.8, 1.2, 1.4, 2.5, 1.0, 0.7, 0.3, 2.0, 1.3])
CHANNELS = ("pos", "online", "atm")
COUNTRIES = ("home", "neighbour", "far")
FRAUD_MECHANISMS = ("card_testing", "account_takeover", "merchant_collusion")
_EVENT_SIZE = {"card_testing": (4, 12), "account_takeover": (1, 4), "merchant_collusion": (2, 4)}
SEPARATION_FEATURES = (
    "amount",
    "amount_ratio",
    "hours_since_last",
    "count_24h",
    "new_category",
    "new_country",
    "hour",
)
_START = pd.Timestamp("2024-01-01")


def _wrapped_hours(centre: np.ndarray, sd: float, rng: np.random.Generator) -> np.ndarray:
    """Fractional hours of the day around ``centre`` (wrapped at midnight)."""
    return np.mod(centre + rng.normal(0, sd, centre.shape), 24)


def _normal_transactions(
    n_customers: int, n_days: int, drift: float, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    rate = rng.gamma(2.0, 0.4, n_customers)  # transactions per day
    level = rng.normal(3.3, 0.5, n_customers)  # log amount
    prefs = rng.dirichlet(np.full(len(MERCHANT_CATEGORIES), 0.6), n_customers)
    owl = rng.random(n_customers) < 0.12
    hour_pref = np.where(owl, rng.uniform(21, 26, n_customers), rng.uniform(9, 20, n_customers))
    online_share = rng.beta(2, 5, n_customers)
    abroad = rng.beta(1, 19, n_customers)
    counts = rng.poisson(rate * n_days)
    cust = np.repeat(np.arange(n_customers), counts)
    n = cust.size
    when = rng.uniform(0, n_days, n)  # days since the start
    frac = when / n_days  # position in the period, for the drift
    hours = np.where(
        rng.random(n) < 0.08, rng.uniform(0, 24, n), _wrapped_hours(hour_pref[cust], 3.0, rng)
    )
    cat_idx = (prefs[cust].cumsum(axis=1) > rng.random(n)[:, None]).argmax(axis=1)
    p_online = np.clip(online_share[cust] + 0.15 * drift * frac, 0, 1)
    channel = np.where(
        rng.random(n) < p_online, "online", np.where(rng.random(n) < 0.1, "atm", "pos")
    )
    country = np.where(
        rng.random(n) >= abroad[cust], "home", np.where(rng.random(n) < 0.8, "neighbour", "far")
    )
    log_amount = level[cust] + np.log(_CATEGORY_SCALE[cat_idx]) + rng.normal(0, 0.6, n)
    amount = np.exp(log_amount + np.log1p(0.10 * drift * frac))
    # in-app bursts: 2-6 small online digital purchases within an hour, for a quarter of the customers
    gamer = rng.random(n_customers) < 0.15
    n_sessions = rng.poisson(np.where(gamer, 0.03, 0.0) * n_days)
    s_cust = np.repeat(np.arange(n_customers), n_sessions)
    s_when = rng.uniform(0, n_days, s_cust.size)
    s_start = np.floor(s_when) + _wrapped_hours(hour_pref[s_cust], 3.0, rng) / 24
    sizes = rng.integers(2, 6, s_cust.size)
    b_cust = np.repeat(s_cust, sizes)
    b_start = np.repeat(s_start, sizes)
    b_when = b_start + rng.uniform(0, 60, b_cust.size) / 1440
    b_amount = rng.choice([0.99, 1.99, 2.99, 4.99, 9.99, 19.99], b_cust.size)
    frame = pd.DataFrame(
        {
            "timestamp": _START
            + pd.to_timedelta(
                np.r_[np.floor(when) * 1440 + hours * 60, b_when * 1440].round(), unit="min"
            ),
            "customer_id": np.r_[cust, b_cust],
            "merchant_category": np.r_[
                np.array(MERCHANT_CATEGORIES)[cat_idx], np.full(b_cust.size, "digital_goods")
            ],
            "amount": np.round(np.r_[amount, b_amount], 2),
            "channel": np.r_[channel, np.full(b_cust.size, "online")],
            "country": np.r_[country, np.full(b_cust.size, "home")],
            "fraud_type": "none",
        }
    )
    end = _START + pd.Timedelta(days=n_days)
    return frame[frame["timestamp"] < end], np.exp(level)


def _fraud_events(
    normal: pd.DataFrame,
    typical_amount: np.ndarray,
    n_days: int,
    fraud_rate: float,
    drift: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    target = fraud_rate * len(normal) / (1 - fraud_rate) / len(FRAUD_MECHANISMS)
    customers_all = normal["customer_id"].unique()
    rows = []
    for mech in FRAUD_MECHANISMS:
        lo, hi = _EVENT_SIZE[mech]
        n_events = max(int(round(target / ((lo + hi) / 2))), 1)
        # stratified start days: every slice of the period holds its share of the events
        starts = 1 + (np.arange(n_events) + rng.random(n_events)) / n_events * (n_days - 2)
        rng.shuffle(starts)
        for c, start_day in zip(rng.choice(customers_all, n_events), starts, strict=True):
            k = int(rng.integers(lo, hi + 1))
            frac = start_day / n_days
            day0 = _START + pd.Timedelta(days=float(np.floor(start_day)))
            usual = typical_amount[c]
            if mech == "card_testing":
                start = day0 + pd.Timedelta(hours=float(rng.uniform(0, 24)))
                times = start + pd.to_timedelta(np.sort(rng.uniform(0, 60, k)), unit="min")
                amount = rng.uniform(0.5, 10, k) * (1 + 0.5 * drift * frac)
                cat = rng.choice(np.array(["digital_goods", "entertainment"]), k, p=[0.7, 0.3])
                channel = np.full(k, "online")
                country = np.full(k, rng.choice(COUNTRIES, p=[0.5, 0.25, 0.25]))
            elif mech == "account_takeover":
                start = day0 + pd.Timedelta(hours=float(rng.uniform(0, 24)))
                times = start + pd.to_timedelta(np.sort(rng.uniform(0, 24 * 60, k)), unit="min")
                amount = usual * np.exp(rng.uniform(np.log(3), np.log(15), k))
                cat = rng.choice(np.array(["electronics", "travel", "digital_goods"]), k)
                channel = np.where(rng.random(k) < 0.85, "online", "atm")
                p_home = min(0.2 + 0.4 * drift * frac, 1.0)
                where_ = rng.choice(COUNTRIES, p=[p_home, (1 - p_home) / 2, (1 - p_home) / 2])
                country = np.full(k, where_)
            else:
                start = day0 + pd.Timedelta(hours=float(_wrapped_hours(np.array(21.0), 3.5, rng)))
                times = start + pd.to_timedelta(np.sort(rng.uniform(0, 120, k)), unit="min")
                amount = usual * rng.uniform(2, 6, k)
                where_ = rng.choice(np.array(["electronics", "clothing"]))
                cat, channel, country = np.full(k, where_), np.full(k, "pos"), np.full(k, "home")
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
    n_customers: int = 1500,
    n_days: int = 100,
    fraud_rate: float = 0.005,
    seed: int = 0,
    drift: float = 1.0,
) -> pd.DataFrame:
    """Card transactions with injected, labelled fraud (see the module docstring for the mechanisms).

    Returns one row per transaction, sorted by time: ``timestamp``, ``customer_id``, ``merchant_category``,
    ``amount`` (currency units), ``channel``, ``country``, ``hour``, history features (``hours_since_last``,
    ``count_24h``, ``mean_amount_30d`` (NaN without history), ``amount_ratio``, ``new_category``,
    ``new_country``), and the ground truth ``is_fraud`` (0/1) and ``fraud_type``. About
    ``0.9 * n_customers * n_days`` transactions; ``fraud_rate`` is the expected share of fraudulent ones, a
    third from each mechanism. ``drift`` (>= 0; 0 = stationary) scales the drift of normal and fraudulent
    behaviour over the period described in the module docstring. At the defaults (about 130,000
    transactions) each mechanism has at least 30 frauds in the last 20% of the period.
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
    drift = check_number(drift, "drift", where="make_transactions", minimum=0)
    rng = np.random.default_rng(seed)
    normal, typical = _normal_transactions(n_customers, n_days, drift, rng)
    fraud = _fraud_events(normal, typical, n_days, float(fraud_rate), drift, rng)
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


def single_feature_separation(
    tx: pd.DataFrame, features: tuple[str, ...] = SEPARATION_FEATURES
) -> pd.DataFrame:
    """How well the best single threshold on one feature separates each mechanism from normal transactions:
    ``max(AUC, 1 - AUC)`` of the feature as a score (1 = some threshold separates them perfectly, 0.5 = none
    helps). One row per mechanism present in ``tx``, one column per feature."""
    where = "single_feature_separation"
    check_columns(tx, ["fraud_type", *features], where=where)
    kind = tx["fraud_type"].astype(str).to_numpy()
    normal = kind == "none"
    if not normal.any():
        raise DataValidationError(f"{where}: tx has no normal transactions")
    out: dict[str, dict[str, float]] = {}
    for mech in FRAUD_MECHANISMS:
        mask = kind == mech
        if not mask.any():
            continue
        rows = normal | mask
        out[mech] = {}
        for f in features:
            auc = roc_auc_score(mask[rows], tx.loc[rows, f].to_numpy(dtype=float))
            out[mech][f] = max(auc, 1 - auc)
    if not out:
        raise DataValidationError(
            f"{where}: tx holds no fraud of the mechanisms {FRAUD_MECHANISMS}"
        )
    return pd.DataFrame(out).T
