"""Credit validation: per-grade Jeffreys tests, prior correction, disparate impact, the PD-model comparison,
production models without protected attributes, and the networks' training record."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from finrisk_utils import load
from finrisk_utils.credit import (
    DropColumns,
    approval_cutoff,
    approval_disparate_impact,
    compare_pd_models,
    comparison_text,
    credit_models,
    delong_test,
    disparate_impact,
    disparate_impact_reading,
    german_credit_groups,
    goal_table,
    grade_tests,
    jeffreys_interval,
    network_fit,
    population_weights,
    prior_correct,
    protected_lr_test,
    repeated_cv,
    split_features_label,
    summarize_cv,
)
from finrisk_utils.models.training import FitResult


@pytest.fixture(scope="module")
def data():
    return split_features_label(load("german_credit"))


def test_jeffreys_interval_matches_the_beta_posterior_and_covers():
    lo, hi = jeffreys_interval(10, 100)
    assert lo == pytest.approx(stats.beta.ppf(0.025, 10.5, 90.5))
    assert hi == pytest.approx(stats.beta.ppf(0.975, 10.5, 90.5))
    assert jeffreys_interval(0, 50)[0] == 0.0 and jeffreys_interval(50, 50)[1] == 1.0
    # coverage close to nominal for a moderate rate (Brown, Cai and DasGupta 2001)
    rng = np.random.default_rng(0)
    draws = rng.binomial(200, 0.1, size=2000)
    covered = np.mean(
        [lo <= 0.1 <= hi for lo, hi in (jeffreys_interval(int(d), 200) for d in draws)]
    )
    assert 0.93 < covered < 0.97
    with pytest.raises(ValueError, match="cannot exceed"):
        jeffreys_interval(5, 3)
    with pytest.raises(TypeError, match="defaults"):
        jeffreys_interval(2.5, 10)
    with pytest.raises(ValueError, match="level"):
        jeffreys_interval(1, 10, level=1.5)


def test_grade_tests_accept_a_true_scale_and_reject_a_wrong_band():
    rng = np.random.default_rng(1)
    scale = [0.05, 0.2, 0.5, 1.0]
    p = rng.uniform(0.0, 0.8, 20000)
    y_true = (rng.random(p.size) < p).astype(int)
    good = grade_tests(y_true, p, scale)
    assert good.attrs["monotone"] and good.attrs["n_inconsistent"] == 0
    assert (good["jeffreys_low"] <= good["default_rate"]).all()
    assert (good["default_rate"] <= good["jeffreys_high"]).all()
    assert good["defaults"].sum() == y_true.sum()
    # the same PDs when the true rate is twice as high: the low grades' bands are wrong
    y_bad = (rng.random(p.size) < np.minimum(1, 2 * p)).astype(int)
    bad = grade_tests(y_bad, p, scale)
    assert bad.attrs["n_inconsistent"] >= 2 and bad.attrs["pvalue_min"] < 1e-6
    assert not bad.loc[2, "consistent"] and bad.loc[2, "band_pvalue_holm"] < 0.05
    with pytest.raises(ValueError, match="probabilities"):
        grade_tests(y_true[:3], [0.1, 1.2, 0.3], scale)


def test_prior_correct_moves_odds_by_the_prior_ratio():
    p = np.array([0.0, 0.3, 0.5, 0.9, 1.0])
    q = prior_correct(p, 0.3, 0.05)
    factor = (0.05 / 0.95) / (0.3 / 0.7)
    np.testing.assert_allclose(q[1:4] / (1 - q[1:4]), factor * p[1:4] / (1 - p[1:4]))
    assert q[0] == 0.0 and q[-1] == 1.0 and q[1] == pytest.approx(0.05)
    np.testing.assert_allclose(prior_correct(p, 0.3, 0.3), p)  # same prior: unchanged
    with pytest.raises(ValueError, match="population_rate"):
        prior_correct(p, 0.3, 0.0)
    with pytest.raises(ValueError, match="probabilities"):
        prior_correct([0.2, 1.5], 0.3, 0.05)


def test_approval_cutoff_and_disparate_impact():
    p = np.linspace(0, 0.99, 100)
    cut = approval_cutoff(p, 0.7)
    assert np.mean(p <= cut) == pytest.approx(0.7, abs=0.011)
    groups = pd.DataFrame({"sex": ["f"] * 50 + ["m"] * 50, "age": ["young", "old"] * 50})
    approved = np.r_[np.ones(20), np.zeros(30), np.ones(40), np.zeros(10)]
    di = disparate_impact(approved, groups)
    assert di.loc[("sex", "f"), "approval_rate"] == pytest.approx(0.4)
    assert di.loc[("sex", "f"), "di_ratio"] == pytest.approx(0.5)
    assert di.loc[("sex", "m"), "di_ratio"] == 1.0
    assert not di.loc[("sex", "f"), "four_fifths_ok"] and di.loc[("sex", "m"), "four_fifths_ok"]
    with pytest.raises(ValueError, match="0/1"):
        disparate_impact(np.full(100, 0.5), groups)
    with pytest.raises(ValueError, match="rows"):
        disparate_impact(approved[:10], groups)
    with pytest.raises(TypeError, match="DataFrame"):
        disparate_impact(approved, groups["sex"])
    with pytest.raises(ValueError, match="approval_rate"):
        approval_cutoff(p, 1.0)
    fair = disparate_impact(np.r_[np.ones(45), np.zeros(5), np.ones(45), np.zeros(5)], groups)
    text = disparate_impact_reading({"a": di, "b": fair})
    # the flagged group is named (by hand: f 20/50 vs m 40/50 approved; for b, old 44/50 vs young 46/50)
    assert "`a`: lowest disparate-impact ratio 0.500 (sex: f); below 0.8: sex (f)." in text
    assert "`b`: lowest disparate-impact ratio 0.957 (age: old); below 0.8: none." in text
    # three decimals: a ratio just under the threshold (39/50 over 49/50 = 0.796) never prints as 0.80
    edge = disparate_impact(np.r_[np.ones(49), np.zeros(1), np.ones(39), np.zeros(11)], groups)
    assert "ratio 0.796 (sex: m); below 0.8: sex (m)" in disparate_impact_reading({"e": edge})
    reverse = disparate_impact(1 - approved, groups)  # now the men are the less approved
    assert "below 0.8: sex (m)." in disparate_impact_reading({"c": reverse})
    with pytest.raises(
        ValueError, match="disparate_impact_reading: tables must be a non-empty mapping"
    ):
        disparate_impact_reading({})
    with pytest.raises(
        ValueError, match="disparate_impact_reading: tables\\['a'\\] must be a disparate_impact"
    ):
        disparate_impact_reading({"a": pd.DataFrame({"x": [1.0]})})


def test_population_weights_restate_the_sample_for_the_population():
    y = np.r_[np.ones(30), np.zeros(70)]  # 30% bad in the sample
    w = population_weights(y, 0.05)
    assert w.mean() == pytest.approx(1.0)
    assert np.sum(w * y) / w.sum() == pytest.approx(
        0.05
    )  # the weighted bad rate is the population's
    assert w[0] == pytest.approx(0.05 / 0.3) and w[-1] == pytest.approx(0.95 / 0.7)
    with pytest.raises(ValueError, match="population_weights: y needs both goods and bads"):
        population_weights(np.zeros(5), 0.05)
    with pytest.raises(ValueError, match="population_weights: y must hold 0/1"):
        population_weights([0.0, 2.0], 0.05)


def test_weighted_approval_cutoff_and_disparate_impact():
    """Equal weights change nothing; weights move the cut-off and the rates to the weighted shares (by hand)."""
    p = np.linspace(0, 0.99, 100)
    assert approval_cutoff(p, 0.7, np.ones(100)) == approval_cutoff(p, 0.7)
    w = np.r_[np.full(50, 3.0), np.ones(50)]  # the low PDs count three times
    cut = approval_cutoff(p, 0.7, w)
    assert np.sum(w * (p <= cut)) / w.sum() >= 0.7 > np.sum(w * (p < cut)) / w.sum()
    assert (
        cut == p[46]
    )  # by hand: 70% of the weight 200 is 140; 46 heavy rows hold 138, 47 hold 141
    groups = pd.DataFrame({"sex": ["f"] * 4 + ["m"] * 4})
    approved = np.array([1, 1, 0, 0, 1, 1, 1, 0])
    weights = np.array([3, 1, 1, 1, 1, 1, 1, 1], dtype=float)
    di = disparate_impact(approved, groups, weights)
    assert di.loc[("sex", "f"), "approval_rate"] == pytest.approx(4 / 6)
    assert di.loc[("sex", "m"), "approval_rate"] == pytest.approx(3 / 4)
    assert di.loc[("sex", "f"), "n"] == 4 and di.loc[("sex", "f"), "di_ratio"] == pytest.approx(
        8 / 9
    )
    with pytest.raises(ValueError, match="disparate_impact: weights must be 8 non-negative"):
        disparate_impact(approved, groups, -weights)
    with pytest.raises(ValueError, match="approval_cutoff: weights must be 100"):
        approval_cutoff(p, 0.7, np.ones(3))
    # the decision and its table in one step: the weighted cut-off, kept with the table and quoted by the reading
    g = pd.DataFrame({"sex": ["f"] * 50 + ["m"] * 50})
    both = approval_disparate_impact(p, 0.7, g, w)
    assert both.attrs["cutoff"] == cut
    pd.testing.assert_frame_equal(both, disparate_impact(p <= cut, g, w))
    assert approval_disparate_impact(p, 0.7, g).attrs["cutoff"] == approval_cutoff(p, 0.7)
    assert f"`m` (approves PD ≤ {cut:.1%}): lowest" in disparate_impact_reading({"m": both})
    with pytest.raises(ValueError, match="approval_cutoff: approval_rate"):
        approval_disparate_impact(p, 1.5, g)


def test_protected_lr_test_is_the_nested_logit_likelihood_ratio(data):
    """Against statsmodels' own logits on a dummy coding of the same attributes (the likelihood does not depend
    on the coding), and a protected attribute that drives default is found; bad inputs name the function."""
    import statsmodels.api as sm

    X, y = data
    protected = ["personal_status_and_sex", "age_in_years", "foreign_worker"]
    res = protected_lr_test(X, y, protected)

    def loglik(table):
        Z = pd.get_dummies(table, drop_first=True, dtype=float)
        return sm.Logit(np.asarray(y, float), sm.add_constant(Z)).fit(disp=0).llf

    assert res.statistic == pytest.approx(
        2 * (loglik(X) - loglik(X.drop(columns=protected))), rel=1e-3
    )
    assert res.df == 5 and res.n == len(X)  # 4 codes of personal status (3 df), age, foreign worker
    assert res.pvalue == pytest.approx(stats.chi2.sf(res.statistic, 5))
    rng = np.random.default_rng(0)
    toy = pd.DataFrame({"x": rng.normal(size=2000), "g": rng.choice(["a", "b"], 2000)})
    bad = rng.uniform(size=2000) < np.where(toy["g"] == "a", 0.1, 0.4)
    assert protected_lr_test(toy, bad.astype(float), ["g"]).pvalue < 1e-6
    with pytest.raises(ValueError, match="protected_lr_test: protected must be a non-empty list"):
        protected_lr_test(X, y, "age_in_years")
    with pytest.raises(ValueError, match="protected_lr_test: y must hold 1000 0/1 labels"):
        protected_lr_test(X, np.asarray(y)[:10], protected)


def test_goal_table_reports_the_difference_its_delong_test_is_on():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    bench = y + rng.normal(0, 1.2, 400)
    model = y + rng.normal(0, 0.8, 400)
    test = delong_test(y, model, bench)
    summary = pd.DataFrame({"auc": [0.79, 0.78], "brier": [0.16, 0.18]}, index=["net", "scorecard"])
    goals = goal_table(summary, ["net"], "scorecard", {"net": test}, auc_min=0.77, brier_max=0.17)
    row = goals.loc["net"]
    # the difference and the p-value come from one estimate (the test's scores), not the CV means
    assert row["delong_auc_minus_scorecard"] == pytest.approx(test.difference)
    assert row["delong_auc"] - row["delong_auc_scorecard"] == pytest.approx(test.difference)
    assert row["delong_pvalue_vs_scorecard"] == pytest.approx(test.pvalue)
    assert row["auc_goal_met"] and row["brier_goal_met"] and row["auc"] == 0.79
    with pytest.raises(ValueError, match="goal_table: no DeLong test"):
        goal_table(summary, ["net"], "scorecard", {}, auc_min=0.77, brier_max=0.17)


def test_german_credit_groups(data):
    X, _ = data
    g = german_credit_groups(X)
    assert list(g.columns) == ["sex", "marital", "age", "foreign"]
    # Grömping's (2019) code table: 92 single women, 598 men (none single), 310 of unknown sex and status
    assert (g["sex"] == "female").sum() == 92 and (g["sex"] == "male").sum() == 598
    assert g["sex"].isna().sum() == 310 and g["marital"].isna().sum() == 310
    assert ((g["sex"] == "female") == (g["marital"] == "single")).all()
    assert (g["foreign"] == "foreign").sum() == 37
    # Kamiran and Calders' (2009) young group: aged 25 or younger (190 applicants; 41 are exactly 25)
    assert (g["age"] == "25 or younger").sum() == 190 and (g["age"] == "over 25").sum() == 810
    uci = german_credit_groups(X, coding="uci")  # the labels as the UCI documentation states them
    assert (uci["sex"] == "female").sum() == 310 and (uci["marital"] == "single").sum() == 548
    assert (uci["foreign"] == "foreign").sum() == 963 and uci.notna().all().all()
    with pytest.raises(ValueError, match="foreign_worker"):
        german_credit_groups(X.drop(columns="foreign_worker"))
    with pytest.raises(ValueError, match="german_credit_groups: age_cut must be"):
        german_credit_groups(X, age_cut=0)
    with pytest.raises(ValueError, match="german_credit_groups: coding must be one of"):
        german_credit_groups(X, coding="unknown")
    bad = X.astype({"personal_status_and_sex": str})
    bad.loc[bad.index[3], "personal_status_and_sex"] = "other"
    with pytest.raises(ValueError, match=r"labels \['other'\] outside the UCI code table .*row 3"):
        german_credit_groups(bad)


def test_compare_pd_models_finds_a_better_model_and_labels_untrained():
    rng = np.random.default_rng(2)
    n = 3000
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * x))).astype(int)
    pds = pd.DataFrame(
        {
            "bench": 1 / (1 + np.exp(-0.5 * (x + rng.normal(scale=2, size=n)))),
            "good": 1 / (1 + np.exp(-2 * x)),
            "same": 1 / (1 + np.exp(-0.5 * (x + rng.normal(scale=2, size=n)))),
            "broken": np.full(n, 0.5),
        }
    )
    t = compare_pd_models(y, pds, "bench", trained={"broken": False}, mcs_reps=200)
    assert t.loc["good", "verdict"] == "significantly better than bench"
    assert t.loc["same", "verdict"] == "not distinguishable from bench"
    assert t.loc["broken", "verdict"].startswith("did not train")
    assert np.isnan(t.loc["broken", "pvalue_holm"]) and np.isnan(t.loc["bench", "pvalue_holm"])
    assert t.loc["good", "pvalue_holm"] >= t.loc["good", "delong_pvalue"]
    assert t.loc["good", "in_mcs"] == 1 and t.loc["broken", "in_mcs"] == 0
    text = comparison_text(t)
    assert "`good`" in text and "significantly better" in text and "did not train" in text
    with pytest.raises(ValueError, match="benchmark"):
        compare_pd_models(y, pds, "nope")
    with pytest.raises(ValueError, match="not columns"):
        compare_pd_models(y, pds, "bench", trained={"ghost": True})
    with pytest.raises(TypeError, match="DataFrame"):
        compare_pd_models(y, pds["bench"], "bench")


def test_models_without_protected_attributes_never_see_them(data):
    X, y = data
    drop = ["personal_status_and_sex", "age_in_years", "foreign_worker"]
    models = credit_models(X, seed=0, drop=drop)
    card = models["scorecard"].fit(X, y)
    assert not set(drop) & set(card.named_steps["model"].named_steps["woe"].iv_)
    # changing a protected attribute cannot change the PD
    other = X.assign(age_in_years=99, foreign_worker="no")
    np.testing.assert_array_equal(card.predict_proba(X), card.predict_proba(other))
    with pytest.raises(ValueError, match="no_such"):
        credit_models(X, seed=0, drop=["no_such"])
    with pytest.raises(TypeError, match="list"):
        credit_models(X, seed=0, drop="age_in_years")
    with pytest.raises(TypeError, match="DataFrame"):
        DropColumns(["a"]).fit(np.zeros((3, 2)))


def test_network_fit_and_cv_record_training(data):
    X, y = data
    models = credit_models(X, seed=0, epochs=3)
    assert network_fit(models["logit"].fit(X, y)) is None
    folds, _ = repeated_cv(
        {"mlp": models["mlp"], "logit": models["logit"]}, X, y, n_splits=2, n_repeats=1, seed=0
    )
    assert folds.loc[folds["model"] == "logit", "trained"].isna().all()
    net = folds.loc[folds["model"] == "mlp"]
    assert net["trained"].isin([0.0, 1.0]).all() and (net["best_epoch"] >= 1).all()
    summary = summarize_cv(folds)
    assert 0 <= summary.loc["mlp", "trained"] <= 1
    fitted = Pipeline([("m", models["mlp"])]).fit(X, y)
    assert isinstance(network_fit(fitted), FitResult)
    assert network_fit(LogisticRegression()) is None
