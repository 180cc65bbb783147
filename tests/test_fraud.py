"""Synthetic transactions (determinism, fraud rate, mechanisms, no label leak), detection metrics, the fraud
workflow's split and the autoencoder."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils import DataValidationError, setup
from finrisk_utils.fraud.detectors import split_by_time, transaction_features
from finrisk_utils.fraud.metrics import (
    alert_costs,
    budget_threshold,
    detection_metrics,
    false_alerts_per_fraud,
    recall_by_group,
)
from finrisk_utils.fraud.simulator import FRAUD_MECHANISMS, make_transactions
from finrisk_utils.models.autoencoder import build_autoencoder, reconstruction_error


@pytest.fixture(scope="module")
def tx():
    return make_transactions(n_customers=400, n_days=60, fraud_rate=0.004, seed=1)


def test_deterministic_by_seed(tx):
    again = make_transactions(n_customers=400, n_days=60, fraud_rate=0.004, seed=1)
    pd.testing.assert_frame_equal(tx, again)
    other = make_transactions(n_customers=400, n_days=60, fraud_rate=0.004, seed=2)
    assert len(other) != len(tx) or not other["amount"].equals(tx["amount"])


def test_fraud_rate_and_mechanisms(tx):
    big = make_transactions(n_customers=1500, n_days=100, fraud_rate=0.002, seed=0)
    assert 90_000 < len(big) < 150_000
    assert big["is_fraud"].mean() == pytest.approx(0.002, rel=0.35)
    assert set(tx["fraud_type"].astype(str)) == {"none", *FRAUD_MECHANISMS}
    assert (tx["is_fraud"] == (tx["fraud_type"] != "none")).all()


def test_schema_order_and_history_features(tx):
    assert tx["timestamp"].is_monotonic_increasing
    assert {
        "amount",
        "merchant_category",
        "channel",
        "country",
        "hour",
        "hours_since_last",
        "count_24h",
        "amount_ratio",
        "new_category",
        "new_country",
    } <= set(tx.columns)
    assert (tx["amount"] > 0).all() and tx["hour"].between(0, 23).all()
    # history features come from earlier transactions only: a customer's first transaction has no history
    first = tx.sort_values("timestamp").groupby("customer_id").head(1)
    assert (first["count_24h"] == 0).all() and first["mean_amount_30d"].isna().all()
    assert first["new_category"].all() and first["new_country"].all()


def test_mechanisms_leave_their_documented_traces(tx):
    by = tx.groupby("fraud_type", observed=True)
    assert by["amount"].max()["card_testing"] <= 15
    assert by["amount_ratio"].median()["account_takeover"] > 2
    assert (tx.loc[tx["fraud_type"] == "merchant_collusion", "channel"] == "pos").all()
    assert (tx.loc[tx["fraud_type"] == "merchant_collusion", "country"] == "home").all()
    assert (tx.loc[tx["fraud_type"] == "card_testing", "channel"] == "online").all()


def test_no_label_in_model_features(tx):
    features = transaction_features().fit(tx)
    names = " ".join(features.get_feature_names_out())
    assert "fraud" not in names and "is_fraud" not in names
    shuffled = tx.assign(
        is_fraud=tx["is_fraud"].sample(frac=1, random_state=0).to_numpy(), fraud_type="none"
    )
    np.testing.assert_array_equal(features.transform(tx), features.transform(shuffled))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_customers": 0}, "n_customers"),
        ({"n_days": 3}, "at least 7"),
        ({"fraud_rate": 0.5}, "fraud_rate"),
        ({"fraud_rate": "0.01"}, "fraud_rate"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_transactions(**kwargs)


def test_split_by_time(tx):
    split = split_by_time(tx)
    assert split.train["timestamp"].max() < split.val["timestamp"].min()
    assert split.val["timestamp"].max() < split.test["timestamp"].min()
    assert len(split.train) + len(split.val) + len(split.test) == len(tx)
    with pytest.raises(DataValidationError, match="sorted"):
        split_by_time(tx.iloc[::-1])
    with pytest.raises(DataValidationError, match="no frauds"):
        split_by_time(tx.assign(is_fraud=0))


def test_detection_metrics_hand_computed():
    y = np.array([0] * 8 + [1, 1])
    score = np.array([0.1] * 7 + [0.9, 0.8, 0.2])
    m = detection_metrics(y, score, threshold=0.5)
    assert (
        m["precision_at_budget"] == 0.5 and m["recall_at_budget"] == 0.5 and m["alert_rate"] == 0.2
    )
    assert budget_threshold(np.arange(1000.0), 0.01) == pytest.approx(
        np.quantile(np.arange(1000.0), 0.99)
    )
    rec = recall_by_group(y, score > 0.5, np.array(["n"] * 8 + ["a", "b"]))
    assert rec.to_dict() == {"a": 1.0, "b": 0.0}
    costs = alert_costs(y, score > 0.5, np.full(10, 100.0), cost_per_alert=5)
    assert costs == {"missed_fraud": 100.0, "investigation": 10.0, "total": 110.0}
    fpr, per_fraud = false_alerts_per_fraud(y, score, recall=1.0)
    assert fpr == pytest.approx(1 / 8) and per_fraud == pytest.approx(0.5)
    with pytest.raises(ValueError, match="both 0"):
        detection_metrics(np.zeros(5), np.ones(5), 0.5)
    with pytest.raises(ValueError, match="budget"):
        budget_threshold(score, 1.5)


def test_autoencoder_scores_outliers_higher():
    setup(0)
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(2000, 2))
    X = np.hstack([latent, latent @ rng.normal(size=(2, 6))]).astype(
        "float32"
    )  # 8 features on a 2-D plane
    ae = build_autoencoder(8, hidden=(16,), bottleneck=2)
    ae.fit(X, X, epochs=30, batch_size=64, verbose=0)
    outliers = rng.normal(scale=3, size=(50, 8)).astype("float32")  # off the plane
    assert np.median(reconstruction_error(ae, outliers)) > 5 * np.median(
        reconstruction_error(ae, X[:500])
    )
    assert build_autoencoder(8, noise_std=0.2).name == "denoising_autoencoder"
    with pytest.raises(ValueError, match="noise_std"):
        build_autoencoder(8, noise_std=-1)
