"""Fraud-detection workflow on transaction tables: model features, a chronological split, and the detectors
(dense and denoising autoencoders, IsolationForest, LOF, an analyst's rule engine, and a supervised
gradient-boosting reference).

Used in: notebooks/04_operational_risk_fraud_autoencoder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, IsolationForest
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from finrisk_utils.core.timeseries import Split
from finrisk_utils.core.validation import (
    DataValidationError,
    check_columns,
    check_number,
    check_positive_int,
    check_probability,
    check_subset,
)
from finrisk_utils.models.autoencoder import build_autoencoder, reconstruction_error
from finrisk_utils.models.training import FitResult, fit_model

__all__ = [
    "DETECTORS",
    "RULES",
    "contaminated_training",
    "fit_detectors",
    "rule_engine_score",
    "split_by_time",
    "transaction_features",
]

#: every detector :func:`fit_detectors` can fit, in fitting order
DETECTORS = (
    "autoencoder",
    "autoencoder_denoising",
    "iforest",
    "lof",
    "rule_engine",
    "supervised_gbm",
)
NUMERIC = ["amount", "amount_ratio", "hours_since_last", "count_24h", "new_category", "new_country"]
CATEGORICAL = ["merchant_category", "channel", "country"]


def _cyclic_hour(hours: pd.DataFrame) -> np.ndarray:
    radians = 2 * np.pi * hours.to_numpy(dtype=float) / 24
    return np.hstack([np.sin(radians), np.cos(radians)])


def _hour_names(transformer: object, input_features: object) -> list[str]:
    return ["hour_sin", "hour_cos"]


def transaction_features() -> ColumnTransformer:
    """Model inputs from a transaction table: log amount, log amount relative to the customer's 30-day mean,
    log hours since the previous transaction, 24-hour count, new-category and new-country flags, the hour as
    a point on a circle, one-hot merchant category, channel and country; all standardized. Fit it on training
    rows only; the labels are never inputs."""
    logs = FunctionTransformer(np.log1p, feature_names_out="one-to-one")
    return ColumnTransformer(
        [
            ("numeric", Pipeline([("log", logs), ("scale", StandardScaler())]), NUMERIC),
            (
                "hour",
                Pipeline(
                    [
                        (
                            "circle",
                            FunctionTransformer(_cyclic_hour, feature_names_out=_hour_names),
                        ),
                        ("scale", StandardScaler()),
                    ]
                ),
                ["hour"],
            ),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                CATEGORICAL,
            ),
        ]
    )


def split_by_time(
    df: pd.DataFrame, fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
) -> Split[pd.DataFrame]:
    """Split by timestamp at the given shares of the covered time span (not of the rows): every training
    transaction precedes every validation one, which precedes every test one."""
    where = "split_by_time"
    check_columns(df, ["timestamp", "is_fraud"], where=where)
    if not isinstance(fractions, tuple | list) or len(fractions) != 3:
        raise ValueError(f"{where}: fractions must be three positive shares, got {fractions!r}")
    for f in fractions:
        check_number(f, "each of fractions", where=where, minimum=0, strict=True)
    if abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(
            f"{where}: fractions must be three positive shares summing to 1, got {fractions}"
        )
    ts = df["timestamp"]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        raise DataValidationError(
            f"{where}: column 'timestamp' must hold datetimes, has dtype {ts.dtype}"
        )
    if ts.isna().any():
        raise DataValidationError(
            f"{where}: column 'timestamp' is missing at row {int(np.argmax(ts.isna().to_numpy()))}"
        )
    if not ts.is_monotonic_increasing:
        pos = int(np.argmax((ts.diff() < pd.Timedelta(0)).to_numpy()))
        raise DataValidationError(
            f"{where}: transactions must be sorted by timestamp; row {pos} ({ts.iloc[pos]}) comes "
            f"after {ts.iloc[pos - 1]}"
        )
    span = ts.iloc[-1] - ts.iloc[0]
    cut1 = ts.iloc[0] + fractions[0] * span
    cut2 = cut1 + fractions[1] * span
    parts = Split(df[ts < cut1], df[(ts >= cut1) & (ts < cut2)], df[ts >= cut2])
    for name in ("train", "val", "test"):
        part = getattr(parts, name)
        if part.empty or part["is_fraud"].sum() == 0:
            raise DataValidationError(
                f"split_by_time: the {name} period has no frauds; use more data"
            )
    return parts


Scorer = Callable[[pd.DataFrame], np.ndarray]

RULES = {
    "amount_ratio": "amount above 3 times the customer's 30-day mean",
    "new_country": "first purchase from a foreign country",
    "small_online_burst": "online purchase below 15 with at least 3 purchases in the previous 24 hours",
}
"""The rules an analyst writes first (fixed, not fitted): :func:`rule_engine_score` counts those that fire."""


def rule_engine_score(df: pd.DataFrame) -> np.ndarray:
    """Rule-engine score of each transaction: the number of :data:`RULES` that fire (0-3), plus
    ``ratio / (1 + ratio)`` of the amount ratio (below 1) to order the alerts within a rule count."""
    where = "rule_engine_score"
    check_columns(
        df,
        ["amount", "amount_ratio", "new_country", "country", "channel", "count_24h"],
        where=where,
    )
    ratio = df["amount_ratio"].to_numpy(dtype=float)
    if not np.isfinite(ratio).all() or (ratio < 0).any():
        raise DataValidationError(f"{where}: amount_ratio must be finite and non-negative")
    fired = (
        (ratio > 3).astype(int)
        + (df["new_country"].astype(bool) & (df["country"].astype(str) != "home")).to_numpy(int)
        + (
            (df["channel"].astype(str) == "online") & (df["amount"] < 15) & (df["count_24h"] >= 3)
        ).to_numpy(int)
    )
    return fired + ratio / (1 + ratio)


def contaminated_training(train: pd.DataFrame, contamination: float, *, seed: int) -> pd.DataFrame:
    """The unlabelled training data of the unsupervised detectors, as a bank has it: every normal training
    transaction plus a random subset of the training frauds (unlabelled) making up the share ``contamination``
    of the rows (0 = clean). Raises if the training period holds too few frauds for that share."""
    where = "contaminated_training"
    check_columns(train, ["is_fraud"], where=where)
    contamination = check_probability(contamination, "contamination", where=where, closed=True)
    check_positive_int(seed, "seed", where=where, minimum=0)
    normal, fraud = train[train["is_fraud"] == 0], train[train["is_fraud"] == 1]
    if contamination >= 1 or normal.empty:
        raise ValueError(f"{where}: contamination must be below 1 and train must hold normal rows")
    n_fraud = int(round(contamination / (1 - contamination) * len(normal)))
    if n_fraud > len(fraud):
        raise ValueError(
            f"{where}: contamination {contamination:g} needs {n_fraud} training frauds, the training "
            f"period holds {len(fraud)} (share {len(fraud) / len(train):.4f}); lower it"
        )
    pick = np.random.default_rng(seed).choice(len(fraud), n_fraud, replace=False)
    return pd.concat([normal, fraud.iloc[np.sort(pick)]]).sort_values("timestamp", kind="stable")


def fit_detectors(
    train: pd.DataFrame,
    val: pd.DataFrame,
    *,
    seed: int,
    epochs: int = 60,
    hidden: tuple[int, ...] = (32, 16),
    bottleneck: int = 6,
    noise_std: float = 0.3,
    lof_max_rows: int = 5000,
    contamination: float = 0.0,
    detectors: Sequence[str] | None = None,
) -> tuple[dict[str, Scorer], dict[str, FitResult]]:
    """Fit every detector on the training period and return, per detector, a function from a transaction
    table to anomaly scores (higher = more suspicious), plus the autoencoders' training histories.

    Unsupervised detectors (``autoencoder``, ``autoencoder_denoising``, ``iforest``, ``lof``) learn from
    unlabelled training data: the normal training transactions plus unlabelled training frauds at the share
    ``contamination`` (:func:`contaminated_training`); the autoencoders stop early on every validation
    transaction (unlabelled), and their :class:`FitResult` compares the kept validation loss with the naive
    reconstruction (every row reconstructed as the training mean). ``rule_engine`` is
    :func:`rule_engine_score` (nothing fitted). ``supervised_gbm`` learns from every training transaction and
    its label, without class weights (it is read by ranking metrics): a reference for what labels buy on these mechanisms, not a bound. ``detectors``: the names (of
    :data:`DETECTORS`) to fit, in that order; ``None`` fits every one (a subset makes a quick study cheap).
    """
    where = "fit_detectors"
    for label, part in (("train", train), ("val", val)):
        check_columns(part, [*NUMERIC, "hour", *CATEGORICAL, "is_fraud"], where=f"{where}: {label}")
        if (part["is_fraud"] == 0).sum() == 0:
            raise DataValidationError(f"{where}: {label} has no normal transactions")
    check_positive_int(seed, "seed", where=where, minimum=0)
    check_positive_int(epochs, "epochs", where=where)
    check_positive_int(lof_max_rows, "lof_max_rows", where=where)
    wanted = (
        list(DETECTORS)
        if detectors is None
        else check_subset(detectors, DETECTORS, "detectors", where=where)
    )
    unlabelled = contaminated_training(train, contamination, seed=seed)
    features = transaction_features().fit(unlabelled)
    encode = lambda d: features.transform(d).astype("float32")  # noqa: E731
    x_train = encode(unlabelled)
    x_val = encode(val)
    rng = np.random.default_rng(seed)
    scorers: dict[str, Scorer] = {}
    histories: dict[str, FitResult] = {}
    for name, noise in (("autoencoder", 0.0), ("autoencoder_denoising", noise_std)):
        if name not in wanted:
            continue
        ae = build_autoencoder(
            x_train.shape[1], hidden=hidden, bottleneck=bottleneck, noise_std=noise
        )
        histories[name] = fit_model(
            ae,
            x_train,
            x_train,
            x_val,
            x_val,
            epochs=epochs,
            batch_size=512,
            patience=5,
        )
        scorers[name] = cast(Scorer, lambda d, m=ae: reconstruction_error(m, encode(d)))
    if "iforest" in wanted:
        forest = IsolationForest(n_estimators=100, random_state=seed).fit(x_train)
        scorers["iforest"] = lambda d: -forest.score_samples(encode(d))
    rows = rng.choice(len(x_train), min(lof_max_rows, len(x_train)), replace=False)
    if "lof" in wanted:
        lof = LocalOutlierFactor(n_neighbors=35, novelty=True).fit(x_train[rows])
        scorers["lof"] = lambda d: -lof.score_samples(encode(d))
    if "rule_engine" in wanted:
        scorers["rule_engine"] = rule_engine_score
    if "supervised_gbm" in wanted:
        gbm = HistGradientBoostingClassifier(random_state=seed).fit(
            encode(train), train["is_fraud"].to_numpy()
        )
        scorers["supervised_gbm"] = lambda d: gbm.predict_proba(encode(d))[:, 1]
    return {d: scorers[d] for d in DETECTORS if d in wanted}, histories
