"""``finrisk_utils.fraud.study``: one cheap draw end to end (the split, the thresholds set on validation for
the alert budget, the test scores and flags), the training table and per-model verdict on hand-built
histories, and the computed sentences (data description, detection verdict) on hand-built inputs."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.timeseries import Split
from finrisk_utils.fraud import rule_engine_score
from finrisk_utils.fraud.study import (
    GIVEAWAY_AUC,
    DrawResult,
    describe_data,
    detection_verdict,
    run_draw,
    trained_models,
    training_reading,
    training_table,
)
from finrisk_utils.models.training import FitResult

SMALL = dict(n_customers=150, n_days=20, fraud_rate=0.03, drift=0.5, contamination=0.01, epochs=2)


@pytest.fixture(scope="module")
def draw():
    """A small draw with the two cheap detectors only (no network is trained)."""
    return run_draw(np.int64(3), alert_budget=0.05, detectors=["rule_engine", "iforest"], **SMALL)


def test_run_draw_splits_by_time_and_keeps_the_detector_order(draw):
    """The seed comes back as a plain int, the parts are chronological and cover every transaction once,
    the detectors come in the package's fitting order (not the order asked) and no history is recorded
    without an autoencoder."""
    assert draw.seed == 3 and type(draw.seed) is int
    s = draw.split
    assert s.train["timestamp"].max() < s.val["timestamp"].min()
    assert s.val["timestamp"].max() < s.test["timestamp"].min()
    assert draw.detectors == ["iforest", "rule_engine"]
    assert draw.histories == {}
    # the test table is the test split plus one score column per detector
    assert list(draw.test.columns) == [*s.test.columns, "iforest", "rule_engine"]
    pd.testing.assert_frame_equal(draw.test[s.test.columns], s.test)


def test_run_draw_sets_thresholds_on_validation_for_the_alert_budget(draw):
    """The rule engine (nothing fitted) scores the test period exactly as ``rule_engine_score``; its
    threshold is the validation 95% quantile; the continuous isolation-forest score flags the budget's share
    of validation transactions (to one transaction)."""
    val, test = draw.split.val, draw.split.test
    np.testing.assert_allclose(draw.test["rule_engine"], rule_engine_score(test))
    assert draw.thresholds["rule_engine"] == pytest.approx(
        np.quantile(rule_engine_score(val), 0.95)
    )
    flags = draw.flags()
    assert set(flags) == {"iforest", "rule_engine"}
    np.testing.assert_array_equal(
        flags["rule_engine"], rule_engine_score(test) > draw.thresholds["rule_engine"]
    )
    assert flags["iforest"].dtype == bool and len(flags["iforest"]) == len(test)


def test_run_draw_flags_the_alert_budget_of_validation(draw):
    """Refitting the (seeded) isolation forest on the same split and scoring validation: the threshold
    flags 5% of the validation transactions, to one transaction, and the test scores are the same fit's."""
    from finrisk_utils.fraud.detectors import fit_detectors

    s = draw.split
    scorers, _ = fit_detectors(
        s.train, s.val, seed=3, epochs=2, contamination=0.01, detectors=["iforest"]
    )
    np.testing.assert_allclose(scorers["iforest"](s.test), draw.test["iforest"])
    share = (scorers["iforest"](s.val) > draw.thresholds["iforest"]).mean()
    assert abs(share - 0.05) <= 1 / len(s.val)


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"seed": -1}, ValueError, r"run_draw: seed must be an int >= 0, got -1"),
        ({"seed": 1.5}, TypeError, r"run_draw: seed must be a positive int"),
        ({"alert_budget": 1.0}, ValueError, r"run_draw: alert_budget must lie in \(0, 1\)"),
        ({"alert_budget": "5%"}, TypeError, r"run_draw: alert_budget must be a number"),
    ],
)
def test_run_draw_refuses_bad_seed_and_budget(kwargs, exc, message):
    """A bad seed or alert budget is refused before anything is simulated, naming the function."""
    args = {"seed": 0, "alert_budget": 0.05, **kwargs}
    with pytest.raises(exc, match=message):
        run_draw(args.pop("seed"), **args, **SMALL)


def test_flags_use_a_strict_threshold():
    """A score equal to the threshold is not an alert; ``detectors`` follows the thresholds' order."""
    test = pd.DataFrame({"b": [0.1, 0.5, 0.9], "a": [3.0, 2.0, 1.0]})
    d = DrawResult(7, None, test, {"b": 0.5, "a": 1.0}, {})
    assert d.detectors == ["b", "a"]
    flags = d.flags()
    assert flags["b"].tolist() == [False, False, True]
    assert flags["a"].tolist() == [True, True, False]


def _history(val_loss, best_epoch, naive):
    return FitResult(
        loss=list(val_loss),
        val_loss=list(val_loss),
        best_epoch=best_epoch,
        epochs_run=len(val_loss),
        naive_val_loss=naive,
    )


@pytest.fixture
def hand_draws():
    """Two draws: the plain autoencoder beats the naive loss (0.45) in both, the denoising one only in the
    second (its kept loss 0.5 is above the naive 0.45 in the first)."""
    first = DrawResult(
        1,
        None,
        pd.DataFrame(),
        {},
        {
            "autoencoder": _history([0.5, 0.4, 0.42], 2, 0.45),
            "autoencoder_denoising": _history([0.5], 1, 0.45),
        },
    )
    second = DrawResult(
        2,
        None,
        pd.DataFrame(),
        {},
        {
            "autoencoder": _history([0.35, 0.3], 2, 0.45),
            "autoencoder_denoising": _history([0.44, 0.2], 2, 0.45),
        },
    )
    return [first, second]


def test_training_table_one_row_per_model_and_draw(hand_draws):
    """Rows indexed (model, draw) with the kept epoch, epochs run, kept and naive validation loss and
    trained 0/1, read off each history."""
    table = training_table(hand_draws)
    assert table.index.names == ["model", "draw"]
    assert len(table) == 4
    row = table.loc[("autoencoder", 1)]
    assert row["best_epoch"] == 2 and row["epochs_run"] == 3
    assert row["val_loss"] == pytest.approx(0.4) and row["naive_val_loss"] == pytest.approx(0.45)
    assert row["trained"] == 1
    assert table.loc[("autoencoder_denoising", 1), "trained"] == 0
    assert table.loc[("autoencoder_denoising", 2), "val_loss"] == pytest.approx(0.2)


def test_trained_models_requires_every_draw(hand_draws):
    """A model counts as trained only if it trained in every draw; tuples are accepted like lists."""
    assert trained_models(hand_draws) == {"autoencoder": True, "autoencoder_denoising": False}
    assert trained_models(tuple(hand_draws[1:])) == {
        "autoencoder": True,
        "autoencoder_denoising": True,
    }
    # beating the naive loss with the weights of the first epoch is not training
    first_epoch = DrawResult(
        3, None, pd.DataFrame(), {}, {"autoencoder": _history([0.3, 0.5], 1, 0.45)}
    )
    assert trained_models([first_epoch]) == {"autoencoder": False}


@pytest.mark.parametrize(
    "draws, exc, message",
    [
        ([], ValueError, r"training_table: draws must be a non-empty list of DrawResult"),
        ("draws", ValueError, r"training_table: draws must be a non-empty list"),
        ([1], TypeError, r"training_table: draws must hold DrawResult objects, got int"),
    ],
)
def test_training_table_refuses_bad_draws(draws, exc, message):
    """No draws, a non-list or a list of something else: a clear error naming the function."""
    with pytest.raises(exc, match=message):
        training_table(draws)
    with pytest.raises(exc, match=message.split(": ", 1)[1]):
        trained_models(draws)


def test_trained_models_of_draws_without_autoencoders_is_empty():
    """A quick study with no autoencoder (``detectors`` a subset, as run_draw allows) has nothing to
    report: an empty verdict and an empty (model, draw) table, not a KeyError from pandas."""
    d = DrawResult(0, None, pd.DataFrame(), {"iforest": 0.5}, {})
    assert trained_models([d]) == {}
    table = training_table([d])
    assert table.empty and list(table.index.names) == ["model", "draw"]
    with pytest.raises(ValueError, match="trained_models: draws must be"):
        trained_models("draws")


def _tx():
    """Nine transactions: six normal (two of them between 00:00 and 06:00), two card-testing frauds (one
    from a new country) and one account takeover (from a new country)."""
    return pd.DataFrame(
        {
            "is_fraud": [0, 0, 0, 0, 0, 0, 1, 1, 1],
            "fraud_type": ["none"] * 6 + ["card_testing", "account_takeover", "card_testing"],
            "hour": [1, 5, 6, 12, 14, 23, 2, 3, 4],
            "new_country": [0, 1, 0, 0, 0, 0, 1, 1, 0],
        }
    )


def test_describe_data_hand_computed():
    """Size, prevalence (three frauds in nine: 33.33%, two normal per fraud), night share of normal
    purchases (hours 1 and 5 of six: 33.3%; hour 6 is not night), new-country share per mechanism, test
    frauds per mechanism (the normal ones left out) and the best separation with its feature."""
    tx = _tx()
    split = Split(tx.iloc[:3], tx.iloc[3:5], tx.iloc[5:])
    sep = pd.DataFrame(
        {"amount": [0.7, 0.8], "hour": [0.95, 0.6]}, index=["card_testing", "account_takeover"]
    )
    text = describe_data(tx, split, sep)
    assert text.startswith(
        "This draw holds 9 transactions, 33.33% of them fraudulent: 2 normal transactions for every "
        "fraud. 33.3% of normal purchases fall between 00:00 and 06:00."
    )
    assert (
        "come from a country new to the customer: account takeover 100%, card testing 50%." in text
    )
    assert "Test-period frauds per mechanism: card testing 2, account takeover 1." in text
    assert "none" not in text
    assert "separates card testing from normal with AUC 0.950 (feature `hour`)" in text
    assert "no single feature separates a mechanism perfectly" in text


def test_describe_data_giveaway_threshold_is_inclusive():
    """A best AUC exactly at GIVEAWAY_AUC reads as a give-away; just below it does not."""
    tx = _tx()
    split = Split(tx.iloc[:3], tx.iloc[3:5], tx.iloc[5:])
    sep = pd.DataFrame({"amount": [GIVEAWAY_AUC, 0.5]}, index=["card_testing", "account_takeover"])
    assert "nearly gives the mechanism away (AUC at least 0.99)" in describe_data(tx, split, sep)
    sep.iloc[0, 0] = GIVEAWAY_AUC - 1e-6
    assert "nearly gives" not in describe_data(tx, split, sep)


def test_describe_data_refuses_missing_columns():
    """A transaction table without the hour column is refused, naming the function and the column."""
    tx = _tx()
    split = Split(tx, tx, tx)
    with pytest.raises(ValueError, match="describe_data.*hour"):
        describe_data(tx.drop(columns="hour"), split, pd.DataFrame({"x": [0.5]}, index=["a"]))


def _boot():
    cols = [
        "pr_auc",
        "pr_auc_ci_low",
        "pr_auc_ci_high",
        "pr_auc_diff_ci_low",
        "pr_auc_diff_ci_high",
    ]
    rows = {
        "rule_engine": [0.2, 0.15, 0.25, 0.0, 0.0],
        "autoencoder": [0.3, 0.25, 0.35, 0.05, 0.15],
        "autoencoder_denoising": [0.9, 0.8, 0.95, 0.5, 0.7],
        "iforest": [0.125, 0.1, 0.15, -0.1, -0.05],
        "lof": [0.21, 0.15, 0.27, 0.0, 0.06],
        "supervised_gbm": [0.6, 0.5, 0.7, 0.3, 0.5],
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols)


def test_detection_verdict_every_case():
    """Reference first; above (interval of the difference > 0), untrained (not read, even with a high
    PR-AUC), below (< 0), an interval touching zero is 'not distinguishable'; the supervised reference
    last and never compared."""
    text = detection_verdict(_boot(), {"autoencoder_denoising": False}, reference="rule_engine")
    assert text == " ".join(
        [
            "The rule engine reaches PR-AUC 0.200 (90% interval 0.150-0.250).",
            "autoencoder: PR-AUC 0.300 (0.250-0.350), above the rule engine (difference +0.100, "
            "interval +0.050 to +0.150).",
            "autoencoder_denoising did not train in every draw (untrained, not interpreted).",
            "iforest: PR-AUC 0.125 (0.100-0.150), below the rule engine (difference -0.075, "
            "interval -0.100 to -0.050).",
            "lof: PR-AUC 0.210 (0.150-0.270), not distinguishable from the rule engine (difference "
            "+0.010, interval +0.000 to +0.060).",
            "The supervised reference, which sees the training labels, reaches 0.600 (0.500-0.700).",
        ]
    )


def test_detection_verdict_without_a_supervised_row():
    """No supervised row: no supervised sentence; a custom ``supervised`` name is left out of the
    comparisons and read last."""
    boot = _boot()
    text = detection_verdict(boot.drop(index="supervised_gbm"), {}, reference="rule_engine")
    assert "supervised" not in text and text.endswith("interval +0.000 to +0.060).")
    text = detection_verdict(boot, {}, reference="rule_engine", supervised="lof")
    assert "lof:" not in text
    assert "supervised_gbm: PR-AUC 0.600" in text
    assert text.endswith("reaches 0.210 (0.150-0.270).")


def test_detection_verdict_refuses_incomplete_boot():
    """A missing interval column or reference row is refused, naming the function and what is missing."""
    boot = _boot()
    with pytest.raises(
        ValueError, match=r"detection_verdict: boot lacks columns \['pr_auc_ci_low'\]"
    ):
        detection_verdict(boot.drop(columns="pr_auc_ci_low"), {}, reference="rule_engine")
    with pytest.raises(ValueError, match=r"detection_verdict: .*the reference row 'iforest_x'"):
        detection_verdict(boot, {}, reference="iforest_x")


def test_training_reading_counts_trained_draws_and_budget_ends(hand_draws):
    """hand_draws: the plain autoencoder trains in both draws, its second kept epoch is its last (budget ran
    out); the denoising one trains in the second draw only, with its last epoch kept there too."""
    text = training_reading(hand_draws)
    assert text.startswith(
        "autoencoder trained in 2 of 2 draws; in 1 of 2 its kept epoch was the last of its budget"
    )
    assert (
        "autoencoder_denoising trained in 1 of 2 draws; in 1 of 2 its kept epoch was the last"
        in text
    )
    converged = DrawResult(
        5, None, pd.DataFrame(), {}, {"autoencoder": _history([0.5, 0.3, 0.4], 2, 0.45)}
    )
    assert training_reading([converged]) == "autoencoder trained in 1 of 1 draws."
    assert training_reading([DrawResult(6, None, pd.DataFrame(), {}, {})]) == ""
    with pytest.raises(
        ValueError, match="training_reading: draws must be a non-empty list of DrawResult"
    ):
        training_reading("draws")
