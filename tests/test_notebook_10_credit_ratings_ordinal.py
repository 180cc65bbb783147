"""End-to-end: notebook 10 (credit ratings and loan pricing) in the quick profile, checked on what it computed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from finrisk_utils.workbench.outputs import read_metrics

sys.path.insert(0, str(Path(__file__).parent))
from conftest import finite

pytestmark = pytest.mark.notebook

GRADE_MODELS = ["grade_shares", "ordinal_logit", "gbm", "mlp_ordinal", "mlp_softmax"]
RATE_MODELS = ["rate_mean", "rate_grade_only", "rate_ols", "rate_gbm", "rate_mlp"]


@pytest.mark.parametrize("run_dir", ["10_credit_ratings_ordinal"], indirect=True)
def test_credit_ratings_ordinal(run_dir):
    m, headline = read_metrics(run_dir)
    assert headline and set(headline) <= set(m)
    # the out-of-time split: Jan-Feb 2018 to fit, March to test (facts of the pinned data)
    assert (m["lending_club.n_fit"], m["lending_club.n_test"]) == (6383, 3617)
    assert 1000 < m["run.n_validation"] < 1600
    # the leakage check ran: the rate gives the grade away, no model input comes close
    assert m["run.interest_rate_label_lift"] > 0.9
    assert m["run.max_input_label_lift"] < 0.2
    assert m["run.ordinal_logit_converged"] == 1
    for model in GRADE_MODELS:
        exact, within, mae = (
            m[f"{model}.{k}"] for k in ["exact_accuracy", "within_one_accuracy", "mae_notches"]
        )
        assert all(finite(v) for v in (exact, within, mae, m[f"{model}.rps"]))
        assert 0 < exact <= within <= 1 and 0 < mae < 2
        assert m[f"{model}.notch_in_mcs"] in (0, 1) and m[f"{model}.rps_in_mcs"] in (0, 1)
    # calibration per grade (quick: the logit's and the shares' predicted grade mix within 1 pp of March's): the
    # ordinal logit, fitted by maximum likelihood with one intercept per grade, reproduces its training months' mix
    # and the mix barely moves by March, so a gap of several points, or a rejection, means broken probabilities
    for model in ["grade_shares", "ordinal_logit"]:
        assert m[f"{model}.calibration_max_gap"] < 0.02, model
        assert m[f"{model}.calibration_rejected_grades"] == 0, model
    for model in GRADE_MODELS:
        if f"{model}.calibration_rejected_grades" in m:
            assert 0 <= m[f"{model}.calibration_rejected_grades"] <= 7
            assert 0 <= m[f"{model}.calibration_max_gap"] < 0.5
    # every fitted model beats the grade shares on notch error; the shares are right on their commonest grade
    for model in GRADE_MODELS[1:]:
        assert m[f"{model}.mae_notches"] < m["grade_shares.mae_notches"]
        assert m[f"{model}.rps"] < m["grade_shares.rps"]
        assert 0.3 < m[f"{model}.kendall_tau"] < 0.8
    assert 0.25 < m["grade_shares.exact_accuracy"] < 0.35
    # without the lender's inputs (FICO), nobody is close to the lender's grade; all are near the benchmark
    for model in GRADE_MODELS[2:]:
        assert abs(m[f"{model}.mae_notches"] / m["ordinal_logit.mae_notches"] - 1) < 0.15
    # the lender's riskiest grades (E to G): how many the models grade E or worse (the shares never do)
    assert m["lending_club.n_test_grades_e_to_g"] == 119 + 23 + 2
    for model in GRADE_MODELS:
        assert 0 <= m[f"{model}.tail_recall_e_to_g"] <= 1
    assert m["grade_shares.tail_recall_e_to_g"] == 0
    # networks: trained flag and kept epoch reported; both trained in the quick profile too
    for net in ["mlp_ordinal", "mlp_softmax"]:
        assert m[f"{net}.trained"] == 1 and m[f"{net}.best_epoch"] >= 2
        assert finite(m[f"{net}.mae_notches_seed_std"])
    # the protocol: DM with Holm against the ordinal logit, McNemar with Holm, the output-layer comparison
    for model in ["gbm", "mlp_ordinal", "mlp_softmax"]:
        for key in [
            "notch_dm_pvalue",
            "notch_dm_pvalue_holm",
            "rps_dm_pvalue_holm",
            "mcnemar_pvalue_holm",
        ]:
            p = m[f"{model}_vs_ordinal_logit.{key}"]
            assert finite(p) and 0 <= p <= 1
        assert (
            m[f"{model}_vs_ordinal_logit.notch_dm_pvalue_holm"]
            >= m[f"{model}_vs_ordinal_logit.notch_dm_pvalue"]
        )
    assert 0 <= m["mlp_ordinal_vs_mlp_softmax.notch_dm_pvalue_holm"] <= 1
    assert (
        0 <= m["mlp_ordinal_vs_mlp_softmax.rps_dm_pvalue_holm"] <= 1
    )  # the head-to-head on both losses
    assert sum(m[f"{model}.notch_in_mcs"] for model in GRADE_MODELS) >= 1
    assert m["grade_shares.notch_in_mcs"] == 0
    # fairness: spreads of the mean signed error by group, with a test
    for model in GRADE_MODELS[1:]:  # every trained model (both networks train in the quick profile)
        for attr in ["homeownership", "state"]:
            assert 0 <= m[f"{model}.signed_error_spread_{attr}"] < 1
            assert 0 <= m[f"{model}.signed_error_kruskal_pvalue_{attr}"] <= 1
    # permutation importance: the loan term moves the grade (60-month loans are graded worse) in every model
    for model in ["ordinal_logit", "gbm", "mlp_ordinal"]:
        assert m[f"{model}.importance_term"] > 0.05
    # rates: the grade explains most of the rate; attributes without it much less; the mean explains nothing
    assert m["rate_grade_only.r2"] > 0.9
    assert m["rate_ols_with_grade.r2"] > 0.9
    for model in RATE_MODELS[2:]:
        assert 0.1 < m[f"{model}.r2"] < m["rate_grade_only.r2"]
        assert m[f"{model}.rmse"] < m["rate_mean.rmse"] and m[f"{model}.mae"] <= m[f"{model}.rmse"]
    assert abs(m["rate_mean.r2"]) < 0.01
    assert m["rate_mlp.trained"] == 1 and m["rate_mlp_with_grade.trained"] == 1
    # the grade added to OLS nests OLS: Clark-West (Holm) finds the grade's content, the others are not nested
    assert m["rate_ols_with_grade_vs_rate_ols.se_cw_pvalue_holm"] < 0.001
    assert "rate_gbm_vs_rate_ols.se_cw_pvalue_holm" not in m
    assert finite(m["rate_mlp_vs_rate_ols.se_dm_pvalue_holm"])
    for name in [
        "rate_by_grade",
        "learning_curves",
        "confusion_matrices",
        "permutation_importance",
        "errors_by_group",
    ]:
        assert (run_dir / "figures" / f"{name}.png").exists()
