"""Fraud-detection workflow on transaction tables: model features, a chronological split, and the detectors
(dense and denoising autoencoders, IsolationForest, LOF, and a supervised gradient-boosting reference).

Used in: notebooks/04_operational_risk_fraud_autoencoder."""

from __future__ import annotations

from collections.abc import Callable

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
)
from finrisk_utils.models.autoencoder import build_autoencoder, reconstruction_error
from finrisk_utils.models.training import FitResult, fit_model

__all__ = ["fit_detectors", "transaction_features", "split_by_time"]

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


def fit_detectors(
    train: pd.DataFrame,
    val: pd.DataFrame,
    *,
    seed: int,
    epochs: int = 60,
    hidden: tuple[int, ...] = (32, 16),
    bottleneck: int = 6,
    noise_std: float = 0.3,
    lof_max_rows: int = 20000,
) -> tuple[dict[str, Scorer], dict[str, FitResult]]:
    """Fit every detector on the training period and return, per detector, a function from a transaction
    table to anomaly scores (higher = more suspicious), plus the autoencoders' training histories.

    Unsupervised detectors (``autoencoder``, ``autoencoder_denoising``, ``iforest``, ``lof``) learn from the
    *normal* training transactions only; the autoencoders stop early on the normal validation transactions.
    ``supervised_gbm`` learns from every training transaction and its label (classes weighted, since frauds
    are rare): the upper bound of what labels buy.
    """
    where = "fit_detectors"
    for label, part in (("train", train), ("val", val)):
        check_columns(part, [*NUMERIC, "hour", *CATEGORICAL, "is_fraud"], where=f"{where}: {label}")
        if (part["is_fraud"] == 0).sum() == 0:
            raise DataValidationError(f"{where}: {label} has no normal transactions")
    check_positive_int(seed, "seed", where=where, minimum=0)
    check_positive_int(epochs, "epochs", where=where)
    check_positive_int(lof_max_rows, "lof_max_rows", where=where)
    features = transaction_features().fit(train)
    encode = lambda d: features.transform(d).astype("float32")  # noqa: E731
    normal_train = encode(train[train["is_fraud"] == 0])
    normal_val = encode(val[val["is_fraud"] == 0])
    rng = np.random.default_rng(seed)
    scorers: dict[str, Scorer] = {}
    histories: dict[str, FitResult] = {}
    for name, noise in (("autoencoder", 0.0), ("autoencoder_denoising", noise_std)):
        ae = build_autoencoder(
            normal_train.shape[1], hidden=hidden, bottleneck=bottleneck, noise_std=noise
        )
        histories[name] = fit_model(
            ae,
            normal_train,
            normal_train,
            normal_val,
            normal_val,
            epochs=epochs,
            batch_size=256,
            patience=5,
        )
        scorers[name] = lambda d, m=ae: reconstruction_error(m, encode(d))
    forest = IsolationForest(n_estimators=200, random_state=seed).fit(normal_train)
    scorers["iforest"] = lambda d: -forest.score_samples(encode(d))
    rows = rng.choice(len(normal_train), min(lof_max_rows, len(normal_train)), replace=False)
    lof = LocalOutlierFactor(n_neighbors=35, novelty=True).fit(normal_train[rows])
    scorers["lof"] = lambda d: -lof.score_samples(encode(d))
    gbm = HistGradientBoostingClassifier(random_state=seed).fit(
        encode(train), train["is_fraud"].to_numpy()
    )
    scorers["supervised_gbm"] = lambda d: gbm.predict_proba(encode(d))[:, 1]
    return scorers, histories
