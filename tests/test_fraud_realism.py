"""The fraud generator without giveaways (no single feature separates a mechanism, full-day activity, drift,
per-mechanism test counts), the contaminated unlabelled training data, the rule engine, the supervised
reference not near-perfect, and the bootstrap of detection metrics."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score

from finrisk_utils.fraud import (
    FRAUD_MECHANISMS,
    bootstrap_detection,
    contaminated_training,
    daily_costs,
    describe_data,
    detection_verdict,
    make_transactions,
    rule_engine_score,
    single_feature_separation,
    split_by_time,
    transaction_features,
    weighted_average_precision,
)


@pytest.fixture(scope="module")
def default_tx():
    return make_transactions(seed=0)  # the documented default size


def test_no_single_feature_separates_any_mechanism(default_tx):
    sep = single_feature_separation(default_tx)
    assert set(sep.index) == set(FRAUD_MECHANISMS)
    # a threshold on one feature (e.g. the hour, the amount) must not give a mechanism away
    assert (sep.to_numpy() < 0.99).all(), sep.round(3)
    assert (sep.to_numpy() >= 0.5).all()


def test_describe_data_reads_the_separation_against_the_giveaway_level(default_tx):
    split = split_by_time(default_tx)
    sep = single_feature_separation(default_tx)
    text = describe_data(default_tx, split, sep)
    assert f"AUC {sep.to_numpy().max():.3f}" in text
    assert "no single feature separates a mechanism perfectly" in text
    # a planted give-away: the same sentence must say so
    leaky = sep.copy()
    leaky.iloc[0, 0] = 0.995
    assert "nearly gives the mechanism away" in describe_data(default_tx, split, leaky)


def test_normal_activity_spans_the_day(default_tx):
    normal = default_tx[default_tx["is_fraud"] == 0]
    assert set(normal["hour"].unique()) == set(range(24))
    night = normal["hour"].between(0, 5).mean()
    assert 0.03 < night < 0.15  # a realistic night share, not zero
    # every hour at which some fraud happens also holds at least 0.5% of normal purchases' hours' mass / 24
    fraud_hours = set(default_tx.loc[default_tx["is_fraud"] == 1, "hour"])
    share = normal["hour"].value_counts(normalize=True)
    assert all(share.get(h, 0) > 0.002 for h in fraud_hours)


def test_each_mechanism_has_30_test_cases_at_the_default_size():
    for seed in (0, 1, 2):
        test = split_by_time(make_transactions(seed=seed)).test
        counts = test["fraud_type"].astype(str).value_counts()
        assert all(counts.get(m, 0) >= 30 for m in FRAUD_MECHANISMS), (seed, counts.to_dict())


def test_drift_as_documented():
    def shares(drift):
        tx = make_transactions(n_customers=800, seed=3, drift=drift)
        split = split_by_time(tx)
        online = [
            (p.loc[p["is_fraud"] == 0, "channel"] == "online").mean()
            for p in (split.train, split.test)
        ]
        ato = [
            (p.loc[p["fraud_type"] == "account_takeover", "country"] == "home").mean()
            for p in (split.train, split.test)
        ]
        return online, ato

    (on_train, on_test), (ato_train, ato_test) = shares(1.0)
    assert (
        0.08 < on_test - on_train < 0.2
    )  # online share rises by about 0.15 * 0.8 between the periods
    assert ato_test > ato_train
    (s_train, s_test), _ = shares(0.0)
    assert abs(s_test - s_train) < 0.04
    with pytest.raises(ValueError, match="drift"):
        make_transactions(drift=-1)


def test_supervised_reference_is_not_near_perfect(default_tx):
    split = split_by_time(default_tx)
    features = transaction_features().fit(split.train)
    gbm = HistGradientBoostingClassifier(random_state=0).fit(
        features.transform(split.train), split.train["is_fraud"]
    )
    score = gbm.predict_proba(features.transform(split.test))[:, 1]
    pr_auc = average_precision_score(split.test["is_fraud"], score)
    assert split.test["is_fraud"].mean() * 3 < pr_auc < 0.95


def test_contaminated_training_holds_the_documented_share(default_tx):
    train = split_by_time(default_tx).train
    for c in (0.0, 0.001, 0.003):
        part = contaminated_training(train, c, seed=0)
        assert part["is_fraud"].mean() == pytest.approx(c, abs=2e-4)
        assert (part["is_fraud"] == 0).sum() == (train["is_fraud"] == 0).sum()
        assert part["timestamp"].is_monotonic_increasing
    with pytest.raises(ValueError, match="training frauds"):
        contaminated_training(train, 0.2, seed=0)
    with pytest.raises(ValueError, match="contamination"):
        contaminated_training(train, 1.5, seed=0)


def test_rule_engine_counts_the_rules():
    df = pd.DataFrame(
        {
            "amount": [100.0, 3.0, 50.0],
            "amount_ratio": [5.0, 0.1, 1.0],
            "new_country": [True, False, False],
            "country": ["far", "home", "home"],
            "channel": ["online", "online", "pos"],
            "count_24h": [0, 5, 1],
        }
    )
    score = rule_engine_score(df)
    np.testing.assert_array_equal(np.floor(score), [2, 1, 0])
    with pytest.raises(ValueError, match="amount_ratio"):
        rule_engine_score(df.drop(columns="amount_ratio"))


def test_weighted_average_precision_matches_sklearn_and_bootstrap_pairs():
    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.02).astype(int)
    good = np.round(rng.normal(size=3000) + 2 * y, 1)  # ties included
    assert weighted_average_precision(y, good) == pytest.approx(average_precision_score(y, good))
    w = rng.poisson(1.0, 3000).astype(float)
    rep = np.repeat(np.arange(3000), w.astype(int))
    assert weighted_average_precision(y, good, w) == pytest.approx(
        average_precision_score(y[rep], good[rep])
    )
    draw = pd.DataFrame({"is_fraud": y, "good": good, "noise": rng.normal(size=3000)})
    boot = bootstrap_detection(
        [draw, draw], [{"good": 1.0, "noise": 1.0}] * 2, reference="noise", n_boot=50
    )
    assert (
        boot.loc["good", "pr_auc_ci_low"]
        < boot.loc["good", "pr_auc"]
        < boot.loc["good", "pr_auc_ci_high"]
    )
    assert boot.loc["good", "pr_auc_diff_ci_low"] > 0 and boot.loc["noise", "pr_auc_diff"] == 0
    text = detection_verdict(boot, {}, reference="noise")
    assert "good: PR-AUC" in text and "above the noise" in text
    assert "untrained" in detection_verdict(boot, {"good": False}, reference="noise")
    with pytest.raises(ValueError, match="reference"):
        bootstrap_detection([draw], [{"good": 1.0, "noise": 1.0}], reference="x")
    with pytest.raises(ValueError, match="threshold"):
        bootstrap_detection([draw], [{"good": 1.0}], reference="noise")


def test_daily_costs_hand_computed():
    day = np.array([0, 0, 1, 1])
    y = np.array([1, 0, 1, 0])
    costs = daily_costs(day, y, {"a": np.array([1, 1, 0, 0])}, np.array([100.0, 5, 40, 5]), 2.0)
    assert costs["a"].tolist() == [4.0, 40.0]
    with pytest.raises(ValueError, match="at least one"):
        daily_costs(day, y, {}, np.ones(4), 1.0)
