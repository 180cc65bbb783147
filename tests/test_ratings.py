"""Unit tests of finrisk_utils.ratings: inputs and leakage, the split, notch metrics, the ordinal logit, the
ordinal and softmax networks, gradient boosting selection, readings and plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import functools

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.inspection import permutation_importance
from statsmodels.tools.numdiff import approx_fprime

from finrisk_utils.data import load
from finrisk_utils.forecasting import best_trained
from finrisk_utils.models import predict_array
from finrisk_utils.ratings import (
    GRADES,
    LEAKY_COLUMNS,
    GradeModel,
    OrdinalLogit,
    build_grade_network,
    calibration_reading,
    class_frequencies,
    confusion_counts,
    cumulative_to_class_probabilities,
    errors_by_group,
    fit_gbm,
    fit_grade_network,
    fit_ordinal_and_softmax,
    fit_rate_network,
    grade_calibration,
    grade_dummies,
    grade_from_probabilities,
    grade_inputs,
    grade_models_reading,
    grade_notches,
    grade_scores,
    group_error_reading,
    implied_annual_rate,
    importance_reading,
    keras_cumulative_logit_loss,
    leakage_screen,
    make_preprocessor,
    mcnemar_test,
    month_split,
    naive_network_outputs,
    networks,
    notch_metrics,
    ordinal_vs_softmax_reading,
    plot_confusion,
    plot_errors_by_group,
    plot_importance,
    plot_rate_by_grade,
    ranked_probability_score,
    rate_reading,
    select_and_fit_seeds,
    validation_slice,
    with_grade,
)
from finrisk_utils.ratings.models import _OrderedLogitModel


@pytest.fixture(scope="module")
def loans():
    return load("lending_club")


def _ordinal_data(n=1500, p=3, k=5, seed=0):
    """Latent-logit ordinal data: y = number of thresholds below x'b + logistic noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    beta = np.linspace(1.5, -1.0, p)
    thresholds = np.linspace(-2, 2, k - 1)
    latent = X @ beta + rng.logistic(size=n)
    y = (latent[:, None] > thresholds[None, :]).sum(axis=1)
    return X, y, beta, thresholds


# ------------------------------------------------------------------------------------------------ inputs, leakage


def test_grade_notches_maps_a_to_g_and_names_a_bad_grade():
    assert grade_notches(["A", "C", "G"]).tolist() == [0, 2, 6]
    with pytest.raises(ValueError, match="found 'H' at row 1"):
        grade_notches(["A", "H"])


def test_grade_inputs_drop_every_give_away_and_keep_the_rows(loans):
    inputs = grade_inputs(loans)
    assert len(inputs) == len(loans) and inputs.index.equals(loans.index)
    assert not set(LEAKY_COLUMNS) & set(inputs.columns)
    assert {"state", "emp_title", "issue_month", "earliest_credit_line"}.isdisjoint(inputs.columns)
    expected = 2018 - loans["earliest_credit_line"]
    assert np.allclose(inputs["credit_history_years"], expected)
    assert np.allclose(inputs["annual_income"], np.log1p(loans["annual_income"]))
    with pytest.raises(Exception, match="grade_inputs.*missing column"):
        grade_inputs(loans.drop(columns=["homeownership"]))


def test_no_model_input_is_a_near_deterministic_function_of_the_grade(loans):
    """The leakage check: the rate, the sub-grade and the rate implied by the instalment are flagged; no input of
    the grade model is, by either score."""
    y = grade_notches(loans["grade"])
    candidates = loans.drop(columns=["grade"]).assign(
        implied_rate=implied_annual_rate(loans["installment"], loans["loan_amount"], loans["term"])
    )
    screen = leakage_screen(candidates, y)
    assert {"interest_rate", "sub_grade", "implied_rate"} <= set(screen.index[screen["flagged"]])
    assert screen.loc["interest_rate", "eta_squared"] > 0.9
    assert screen.loc["sub_grade", "label_lift"] > 0.95
    inputs = leakage_screen(grade_inputs(loans), y)
    assert not inputs["flagged"].any()
    assert inputs["label_lift"].max() < 0.2 and inputs["eta_squared"].max() < 0.3


def test_leakage_screen_on_synthetic_columns():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 5, 2000)
    frame = pd.DataFrame(
        {
            "copy": 3.0 * y + 0.01 * rng.standard_normal(y.size),
            "noise": rng.standard_normal(y.size),
            "text_copy": pd.Categorical(np.array(list("abcde"))[y]),
        }
    )
    screen = leakage_screen(frame, y)
    assert screen.loc["copy", "flagged"] and screen.loc["text_copy", "flagged"]
    assert not screen.loc["noise", "flagged"]
    assert abs(screen.loc["noise", "label_lift"]) < 0.05
    assert np.isnan(screen.loc["text_copy", "eta_squared"])
    with pytest.raises(ValueError, match="labels has 3 rows"):
        leakage_screen(frame, y[:3])


def test_implied_annual_rate_inverts_the_annuity_formula(loans):
    r = np.array([0.05, 0.12, 0.3]) / 12
    term = np.array([36, 60, 36])
    amount = np.array([10_000, 25_000, 3_000])
    pay = amount * r / (1 - (1 + r) ** -term)
    assert np.allclose(implied_annual_rate(pay, amount, term), 1200 * r, atol=1e-6)
    real = implied_annual_rate(loans["installment"], loans["loan_amount"], loans["term"])
    assert np.median(np.abs(real - loans["interest_rate"])) < 0.05  # percentage points
    with pytest.raises(ValueError, match="implied_annual_rate"):
        implied_annual_rate([10.0], [1000.0], [36])  # 36 x 10 < 1000


# ------------------------------------------------------------------------------------------------ split, prep


def test_month_split_is_out_of_time_and_checks_its_months(loans):
    fit, test = month_split(loans["issue_month"], ["Jan-2018", "Feb-2018"], ["Mar-2018"])
    assert not (fit & test).any() and (fit | test).all()
    assert set(loans.loc[test, "issue_month"].astype(str)) == {"Mar-2018"}
    with pytest.raises(ValueError, match="must all come after"):
        month_split(loans["issue_month"], ["Mar-2018"], ["Jan-2018"])
    with pytest.raises(ValueError, match="do not occur"):
        month_split(loans["issue_month"], ["Jan-2018"], ["Apr-2018"])
    with pytest.raises(ValueError, match="in both"):
        month_split(loans["issue_month"], ["Jan-2018"], ["Jan-2018"])


def test_validation_slice_is_stratified_reproducible_and_keeps_rare_grades():
    y = np.r_[np.zeros(500), np.ones(300), np.full(20, 2), [3]].astype(int)
    a, b = validation_slice(y, 0.2, 7), validation_slice(y, 0.2, 7)
    assert np.array_equal(a, b) and abs(a.mean() - 0.2) < 0.01
    assert abs(a[y == 1].mean() - 0.2) < 0.01 and abs(a[y == 2].mean() - 0.2) < 0.06
    assert not np.array_equal(a, validation_slice(y, 0.2, 8))
    with pytest.raises(ValueError, match="fraction"):
        validation_slice(y, 1.5, 0)


def test_preprocessor_learns_from_training_rows_only(loans):
    inputs = grade_inputs(loans)
    train, test = inputs.iloc[:3000], inputs.iloc[3000:]
    pre = make_preprocessor(inputs).fit(train)
    Z_train = pre.transform(train)
    assert np.allclose(Z_train.mean(axis=0)[:5], 0, atol=1e-8)  # scaled with training means
    before = pre.transform(train.iloc[:5])
    shifted = test.assign(annual_income=test["annual_income"] + 10)
    pre.transform(shifted)  # transforming other rows does not refit
    assert np.allclose(pre.transform(train.iloc[:5]), before)
    assert np.isfinite(pre.transform(test)).all() and (Z_train.std(axis=0) > 0).all()
    unseen = test.iloc[:3].copy()
    unseen["loan_purpose"] = unseen["loan_purpose"].cat.add_categories("space_travel")
    unseen.iloc[0, unseen.columns.get_loc("loan_purpose")] = "space_travel"
    assert np.isfinite(pre.transform(unseen)).all()


def test_with_grade_appends_one_hot_grades():
    Z = np.ones((3, 2))
    out = with_grade(Z, np.array([0, 2, 6]))
    assert out.shape == (3, 2 + 6)
    assert out[0, 2:].sum() == 0 and out[1, 3] == 1 and out[2, -1] == 1
    with pytest.raises(ValueError, match="notches must lie"):
        with_grade(Z, np.array([0, 1, 7]))


# ------------------------------------------------------------------------------------------------ metrics


def test_grade_from_probabilities_median_and_mode_differ_where_they_should():
    p = np.array([[0.4, 0.0, 0.0, 0.6], [0.1, 0.5, 0.3, 0.1]])
    assert grade_from_probabilities(p, "mode").tolist() == [3, 1]
    assert grade_from_probabilities(p, "median").tolist() == [3, 1]
    q = np.array([[0.45, 0.1, 0.0, 0.45]])
    assert grade_from_probabilities(q, "median").tolist() == [1]
    assert grade_from_probabilities(q, "mode").tolist() == [0]
    with pytest.raises(ValueError, match="sum to 1"):
        grade_from_probabilities(np.array([[0.5, 0.2]]))
    with pytest.raises(ValueError, match="rule"):
        grade_from_probabilities(p, "mean")


def test_notch_metrics_by_hand():
    m = notch_metrics([0, 1, 2, 3], [0, 2, 2, 1])
    assert m["exact_accuracy"] == 0.5 and m["within_one_accuracy"] == 0.75
    assert m["mae_notches"] == 0.75 and m["mean_signed_error"] == pytest.approx(-0.25)
    assert notch_metrics([0, 1, 2], [0, 1, 2])["kendall_tau"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="notches"):
        notch_metrics([0, 1], [0, 1.5])


def test_ranked_probability_score_is_zero_when_sure_and_right_and_grows_with_distance():
    y = np.array([1, 1, 1])
    p = np.array([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1.0]])
    rps = ranked_probability_score(y, p)
    assert rps[0] == 0 and rps[1] == pytest.approx(1 / 3) and rps[2] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="only 4 columns"):
        ranked_probability_score([5], np.full((1, 4), 0.25))


def test_confusion_counts_and_grade_scores():
    y, pred = np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1])
    c = confusion_counts(y, pred, ("A", "B", "C"))
    assert c.to_numpy().sum() == 4 and c.loc["A", "B"] == 1 and c.loc["C", "B"] == 1
    sure = np.eye(3)[pred]
    table, err, rps = grade_scores(y, {"m": sure, "uniform": np.full((4, 3), 1 / 3)})
    assert table.loc["m", "mae_notches"] == 0.5 and err["m"].tolist() == [0, 1, 0, 1]
    assert rps.shape == (4, 2) and table.loc["m", "rps"] == pytest.approx(rps["m"].mean())


def test_mcnemar_counts_discordant_pairs_and_matches_statsmodels():
    from statsmodels.stats.contingency_tables import mcnemar

    rng = np.random.default_rng(3)
    a = rng.random(400) < 0.5
    b = np.where(rng.random(400) < 0.8, a, ~a) & (rng.random(400) < 0.9)
    r = mcnemar_test(a, b)
    table = pd.crosstab(a, b).to_numpy()
    assert r["a_only"] == table[1, 0] and r["b_only"] == table[0, 1]
    assert r["pvalue"] == pytest.approx(mcnemar(table, exact=False, correction=True).pvalue)
    assert mcnemar_test(a, a)["pvalue"] == 1.0
    small = mcnemar_test([1, 1, 1, 0], [0, 0, 0, 0])
    assert small["pvalue"] == pytest.approx(0.25)  # exact binomial: 3 of 3 discordant
    with pytest.raises(ValueError, match="0/1"):
        mcnemar_test([2, 0], [0, 1])


def test_errors_by_group_signs_pooling_and_tests():
    rng = np.random.default_rng(4)
    n = 900
    groups = pd.Series(np.r_[np.full(400, "own"), np.full(450, "rent"), np.full(50, "tiny")])
    y = rng.integers(1, 5, n)
    pred = y.copy()
    pred[:400] -= 1  # 'own' systematically graded one notch better
    t = errors_by_group(y, pred, groups, min_count=100)
    assert set(t.index) == {"own", "rent"}  # 'tiny' pooled into 'other', still too small: dropped
    assert t.loc["own", "mean_signed_error"] == -1 and t.loc["own", "over_grading_rate"] == 1
    assert t.loc["rent", "mae_notches"] == 0 and t.attrs["spread"] == 1
    assert t.attrs["kruskal_pvalue"] < 1e-10 and t.attrs["chi2_pvalue"] < 1e-10
    text = group_error_reading({"m": {"tenure": t}})
    assert (
        "`m`'s mean signed error is lowest for own loans (-1.000 notches: graded better than the lender did"
        in text
    )
    assert "highest for rent loans (+0.000: the lender's grade on average" in text
    assert (
        "differ significantly at 5% after Holm in the signed error (Kruskal-Wallis) and in over / exact / under"
        in text
    )
    one = t.copy()
    one.attrs = {
        **t.attrs,
        "kruskal_pvalue": 0.5,
    }  # the two tests disagree: the reading says which rejects
    assert (
        "after Holm in over / exact / under (chi-square), not in the other test"
        in group_error_reading({"m": {"tenure": one}})
    )
    # one Holm family over every model and grouping: a p-value that passes alone fails among eight tests
    borderline = t.copy()
    borderline.attrs = {**t.attrs, "kruskal_pvalue": 0.02, "chi2_pvalue": 0.9}
    alone = group_error_reading({"m": {"tenure": borderline}})
    assert "Holm = 0.040" in alone and "differ significantly" in alone
    calm = t.copy()
    calm.attrs = {**t.attrs, "kruskal_pvalue": 0.9, "chi2_pvalue": 0.9}
    four = group_error_reading(
        {"m": {"tenure": borderline, "state": calm}, "n": {"tenure": calm, "state": calm}}
    )
    assert "Holm = 0.160" in four and "differ significantly" not in four
    # not significant: the point estimates are given, their direction is not read
    assert "mean signed error ranges from -1.000 notches (own loans) to +0.000 (rent loans)" in four
    assert (
        "no evidence that any group is graded differently" in four
        and "graded better than" not in four
    )
    assert four.endswith(
        "(Holm over the 8 tests of this section: 2 models × their groupings × two tests.)"
    )
    assert four.count("\n\n") == 2  # one paragraph per model, then the family
    with pytest.raises(ValueError, match="group_error_reading: tables must map each model"):
        group_error_reading({"tenure": t})
    with pytest.raises(ValueError, match="group_error_reading: tables must map"):
        group_error_reading({})
    with pytest.raises(ValueError, match="fewer than two groups"):
        errors_by_group(y, pred, groups, min_count=500)


# ------------------------------------------------------------------------------------------------ ordinal logit


def test_ordered_logit_analytic_score_matches_numerical_gradient():
    X, y, *_ = _ordinal_data(n=300)
    model = _OrderedLogitModel(y, X, distr="logit")
    params = model.start_params + 0.2 * np.random.default_rng(0).standard_normal(
        model.start_params.size
    )
    assert np.allclose(
        model.score(params), approx_fprime(params, model.loglike, centered=True), atol=1e-4
    )


def test_ordinal_logit_recovers_simulated_coefficients_and_fills_unseen_grades():
    X, y, beta, thresholds = _ordinal_data()
    fitted = OrdinalLogit().fit(X, y, n_classes=7)
    assert fitted.converged_
    assert np.allclose(fitted.coefficients, beta, atol=0.2)
    p = fitted.predict_proba(X[:10])
    assert p.shape == (10, 7) and np.allclose(p.sum(axis=1), 1) and (p[:, 5:] == 0).all()
    with pytest.raises(ValueError, match="X has"):
        OrdinalLogit().fit(X, y[:-1], 7)


# ------------------------------------------------------------------------------------------------ networks


def test_cumulative_logit_loss_is_the_sum_of_binary_cross_entropies():
    z = np.array([[2.0, 0.5, -1.0], [0.3, -0.2, -3.0]], dtype="float32")
    y = np.array([0, 2], dtype="float32")
    levels = (y[:, None] > np.arange(3)[None, :]).astype(float)
    s = expit(z)
    manual = -(levels * np.log(s) + (1 - levels) * np.log(1 - s)).sum(axis=1).mean()
    assert float(keras_cumulative_logit_loss(4)(y, z)) == pytest.approx(manual, rel=1e-5)


def test_cumulative_to_class_probabilities():
    p = cumulative_to_class_probabilities(np.array([[10.0, 0.0, -10.0]]))
    assert np.allclose(p.sum(), 1) and p[0, 0] < 1e-4 and p[0, 1] == pytest.approx(0.5, abs=1e-3)


def test_ordinal_network_thresholds_stay_ordered_for_any_input():
    model = build_grade_network(4, 5, kind="ordinal", hidden=(8,), frequencies=np.full(5, 0.2))
    X = np.random.default_rng(0).standard_normal((50, 4)).astype("float32") * 10
    z = predict_array(model, X)
    assert z.shape == (50, 4) and (np.diff(z, axis=1) < 0).all()
    start = np.log(np.array([0.8, 0.6, 0.4, 0.2]) / (1 - np.array([0.8, 0.6, 0.4, 0.2])))
    biases = model.get_layer("cumulative_logits")(np.zeros((1, 1), dtype="float32"))
    assert np.allclose(np.asarray(biases)[0], start, atol=1e-4)  # starts at the training shares
    with pytest.raises(ValueError, match="kind"):
        build_grade_network(4, 5, kind="poisson")


def test_naive_outputs_and_class_frequencies():
    y = np.array([0, 0, 1, 3])
    f = class_frequencies(y, 4)
    assert f.argmax() == 0 and f[2] > 0 and np.isclose(f.sum(), 1)
    assert naive_network_outputs(y, 3, 4, "softmax").shape == (3, 4)
    z = naive_network_outputs(y, 3, 4, "ordinal")
    assert z.shape == (3, 3) and (np.diff(z[0]) < 0).all()


@pytest.mark.parametrize("kind", ["ordinal", "softmax"])
def test_grade_networks_learn_simulated_ordinal_grades(kind):
    X, y, *_ = _ordinal_data(n=2000, k=5, seed=2)
    net = fit_grade_network(
        X[:1500],
        y[:1500],
        X[1500:],
        y[1500:],
        kind=kind,
        n_classes=5,
        hidden=(8,),
        epochs=40,
        patience=5,
        seed=0,
    )
    assert net.fit.trained and net.fit.best_epoch > 1
    p = net.predict_proba(X[1500:])
    assert np.allclose(p.sum(axis=1), 1, atol=1e-5)
    m = notch_metrics(y[1500:], grade_from_probabilities(p))
    base = notch_metrics(y[1500:], np.full(500, np.median(y[:1500]), dtype=int))
    assert m["mae_notches"] < 0.8 * base["mae_notches"]


def test_a_network_on_pure_noise_is_labelled_untrained():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((1200, 3)), rng.integers(0, 4, 1200)
    net = fit_grade_network(
        X[:900],
        y[:900],
        X[900:],
        y[900:],
        kind="ordinal",
        n_classes=4,
        hidden=(16,),
        epochs=30,
        patience=3,
        seed=0,
    )
    assert net.fit.trained is False


def test_select_and_fit_seeds_chooses_on_validation_and_returns_every_seed():
    X, y, *_ = _ordinal_data(n=900, k=4, seed=6)
    nets, table = select_and_fit_seeds(
        X[:600],
        y[:600],
        X[600:],
        y[600:],
        kind="ordinal",
        n_classes=4,
        hidden_grid=[(4,), (16,)],
        n_seeds=2,
        seed=3,
        epochs=15,
        patience=3,
    )
    assert len(nets) == 2 and len(table) == 2
    chosen = table["hidden"].iloc[
        best_trained(table["val_rps"].to_numpy(), table["trained"].tolist())
    ]
    assert all(str(n.model.get_layer("dense0").units) in chosen for n in nets)
    # each network records its body, so that another head can be fitted on the same one (notebook 10's ablation)
    assert all(
        str(n.hidden) == chosen and n.hidden == (n.model.get_layer("dense0").units,) for n in nets
    )


def test_ordinal_and_softmax_share_a_body_for_the_head_comparison(monkeypatch):
    X, y, *_ = _ordinal_data(n=600, k=4, seed=8)
    kw = {"n_classes": 4, "n_seeds": 2, "seed": 5, "epochs": 4, "patience": 2}
    study = fit_ordinal_and_softmax(X[:400], y[:400], X[400:], y[400:], hidden_grid=[(6,)], **kw)
    # one candidate: both heads sit on the same body, so no extra softmax is fitted
    assert set(study.networks) == {"mlp_ordinal", "mlp_softmax"}
    assert study.head_pair == ("mlp_ordinal", "mlp_softmax") and set(study.selection) == {
        "ordinal",
        "softmax",
    }
    p = study.predict_proba("mlp_ordinal", X[400:])
    singles = [n.predict_proba(X[400:]) for n in study.networks["mlp_ordinal"]]
    np.testing.assert_allclose(p, np.mean(singles, axis=0), rtol=1e-6)  # the seed ensemble
    np.testing.assert_allclose(p.sum(axis=1), 1, atol=1e-5)
    table = study.training_table()
    assert list(table["seed"]) == [5, 6, 5, 6] and set(table["model"]) == set(study.networks)
    assert study.trained == {
        m: all(n.fit.trained is True for n in runs) for m, runs in study.networks.items()
    }
    with pytest.raises(ValueError, match="model 'gbm' is not one of"):
        study.predict_proba("gbm", X)
    # different bodies chosen: a softmax on the ordinal's body is fitted, with the same seeds, and is the pair
    calls = []

    def fake(*args, kind, hidden_grid, **kwargs):
        calls.append((kind, hidden_grid))
        body = (8,) if kind == "ordinal" or len(hidden_grid) == 1 else (4,)
        net = networks.GradeNetwork(None, kind, study.networks["mlp_ordinal"][0].fit, body)
        return [net], pd.DataFrame({"hidden": [str(body)]})

    monkeypatch.setattr(networks, "select_and_fit_seeds", fake)
    other = networks.fit_ordinal_and_softmax(X, y, X, y, hidden_grid=[(4,), (8,)], **kw)
    assert calls[-1] == ("softmax", [(8,)]) and len(calls) == 3
    assert other.head_pair == ("mlp_ordinal", "mlp_softmax_same_body")
    assert other.networks["mlp_softmax_same_body"][0].hidden == (8,)


def test_rate_network_learns_a_linear_rate():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((1500, 4))
    rate = 12 + X @ np.array([2.0, -1.0, 0.5, 0.0]) + 0.5 * rng.standard_normal(1500)
    net = fit_rate_network(X[:1000], rate[:1000], X[1000:1200], rate[1000:1200], epochs=60, seed=0)
    assert net.fit.trained
    rmse = np.sqrt(np.mean((net.predict(X[1200:]) - rate[1200:]) ** 2))
    assert rmse < 0.5 * rate.std()


# ------------------------------------------------------------------------------------------------ boosting, wrapper


def test_fit_gbm_picks_the_best_validation_candidate():
    X, y, *_ = _ordinal_data(n=1200, k=4, seed=8)
    grid = [
        {"learning_rate": 0.1, "max_leaf_nodes": 3},
        {"learning_rate": 0.1, "max_leaf_nodes": 7},
    ]
    model, table = fit_gbm(X[:800], y[:800], X[800:], y[800:], grid=grid, n_classes=4)
    assert (
        len(table) == 2
        and model.max_leaf_nodes == grid[int(table["val_score"].idxmin())]["max_leaf_nodes"]
    )
    reg, rtable = fit_gbm(
        X[:800], X[:800, 0] * 2, X[800:], X[800:, 0] * 2, grid=grid[:1], task="regression"
    )
    assert rtable["val_score"].iloc[0] < 0.5
    with pytest.raises(ValueError, match="n_classes"):
        fit_gbm(X, y, X, y, grid=grid)
    with pytest.raises(ValueError, match="at least one"):
        fit_gbm(X, y, X, y, grid=[], n_classes=4)


def test_grade_model_works_with_permutation_importance():
    X, y, *_ = _ordinal_data(n=800, p=3, k=4, seed=9)
    frame = pd.DataFrame(X, columns=["strong", "middle", "weak"])
    fitted = OrdinalLogit().fit(X, y, 4)
    model = GradeModel(lambda f: f.to_numpy(), fitted.predict_proba)
    assert model.score(frame, y) == pytest.approx(
        -notch_metrics(y, model.predict(frame))["mae_notches"]
    )
    imp = permutation_importance(model, frame, y, n_repeats=3, random_state=0).importances_mean
    assert imp[0] > imp[2] and imp[0] > 0.1
    assert "`m`: `strong`" in importance_reading(pd.DataFrame({"m": imp}, index=frame.columns))
    signs = importance_reading(pd.DataFrame({"m": [0.2, -0.004]}, index=["a", "b"]), top=2)
    assert "`a` (+0.200), `b` (-0.004)" in signs and "+-" not in signs


# ------------------------------------------------------------------------------------------------ readings, plots


def test_ordinal_vs_softmax_and_rate_readings_quote_the_tables():
    table = pd.DataFrame(
        {
            "mae_notches": [0.61, 0.65],
            "exact_accuracy": [0.45, 0.44],
            "within_one_accuracy": [0.9, 0.88],
            "rps": [0.08, 0.081],
        },
        index=["o", "s"],
    )
    cmp = pd.DataFrame(
        {
            "model": ["s", "o"],
            "dm_pvalue": [np.nan, 0.01],
            "pvalue_holm": [np.nan, 0.03],
            "verdict": ["benchmark", "significantly better than s"],
        }
    )
    rps_cmp = cmp.assign(
        pvalue_holm=[np.nan, 0.4], verdict=["benchmark", "not distinguishable from s"]
    )
    both = {"absolute notch error": cmp, "ranked probability score": rps_cmp}
    text = ordinal_vs_softmax_reading(table, both, "o", "s", trained={"o": True, "s": True})
    assert "0.610 notches against 0.650" in text
    assert (
        "On per-loan absolute notch error the ordinal network is significantly better than s"
        in text
    )
    assert (
        "on per-loan ranked probability score the ordinal network is not distinguishable from s"
        in text
    )
    assert (
        "model confidence set" not in text
    )  # tables without MCS membership: nothing said about it
    with_mcs = {
        "absolute notch error": cmp.assign(in_mcs=[1, 1]),
        "ranked probability score": rps_cmp.assign(in_mcs=[1, 0]),
    }
    read = ordinal_vs_softmax_reading(table, with_mcs, "o", "s", trained={})
    assert (
        "(paired DM p = 0.010, Holm p = 0.030); the pair's model confidence set keeps `o` and `s`;"
        in read
    )
    assert (
        "the pair's model confidence set keeps `s`, a signal the Holm-adjusted pairwise test does not confirm."
        in read
    )
    assert "did not train" in ordinal_vs_softmax_reading(
        table, both, "o", "s", trained={"o": False}
    )
    sel = pd.DataFrame(
        {"hidden": ["(32,)", "(64, 32)"], "val_rps": [0.076, 0.077], "trained": [True, True]}
    )
    same = ordinal_vs_softmax_reading(
        table, both, "o", "s", trained={}, selections={"o": sel, "s": sel}
    )
    assert same.endswith(
        "Both selected hidden layers (32,) on validation: the comparison isolates the output layer."
    )
    other = sel.assign(val_rps=[0.078, 0.077])
    mixed = ordinal_vs_softmax_reading(
        table, both, "o", "s", trained={}, selections={"o": sel, "s": other}
    )
    assert (
        "different hidden layers on validation ((32,) for the ordinal, (64, 32) for the softmax)"
        in mixed
    )
    brief = ordinal_vs_softmax_reading(
        table, both, "o", "s", trained={}, selections={"o": sel, "s": other}, brief=True
    )
    assert brief == (
        "The ordinal network against the softmax network (different hidden layers: the test mixes the "
        "output layer with the body): on absolute notch error it is significantly better than s (Holm p = 0.030); "
        "on ranked probability score it is not distinguishable from s (Holm p = 0.400)."
    )
    assert "0.610" not in brief  # the numbers stay in the full reading above it
    # "s" a softmax output fitted on the ordinal's body, "sel_s" the selected softmax whose body differed
    head = ordinal_vs_softmax_reading(
        table,
        both,
        "o",
        "s",
        trained={},
        selections={"o": sel, "sel_s": other},
        same_body_of="sel_s",
    )
    assert head.endswith(
        "On validation the ordinal network selected hidden layers (32,) and the softmax network (`sel_s`) "
        "(64, 32); `s` is a softmax output fitted on the ordinal network's hidden layers (32,) (same seeds and "
        "settings, not selected), so this comparison isolates the output layer, while `sel_s` in the tables "
        "above differs from the ordinal network in its body too."
    )
    assert "Both selected" not in head
    # the choice is the trained candidate's, as select_and_fit_seeds makes it: an untrained (32,) with the lower
    # validation RPS is passed over, so the two now differ in their body
    pair = functools.partial(ordinal_vs_softmax_reading, table, both, "o", "s", trained={})
    passed = pair(selections={"o": sel.assign(trained=[False, True]), "s": sel})
    assert "((64, 32) for the ordinal, (32,) for the softmax)" in passed
    with pytest.raises(ValueError, match="selections\\['o'\\] must be select_and_fit_seeds' table"):
        pair(selections={"o": sel.drop(columns="trained"), "s": sel})
    brief_head = ordinal_vs_softmax_reading(
        table,
        both,
        "o",
        "s",
        trained={},
        selections={"o": sel, "sel_s": other},
        same_body_of="sel_s",
        brief=True,
    )
    assert (
        "(a softmax output on the ordinal network's hidden layers: the test isolates the output layer)"
        in brief_head
    )
    with pytest.raises(ValueError, match="selections must hold the tables of 'o' and 'sel_s'"):
        pair(selections={"o": sel, "s": other}, same_body_of="sel_s")
    with pytest.raises(ValueError, match="ordinal_vs_softmax_reading: comparisons"):
        ordinal_vs_softmax_reading(table, {}, "o", "s", trained={})
    rates = pd.DataFrame({"r2": [0.9, 0.2, 0.95], "rmse": [1.5, 4.0, 1.2]}, index=["g", "w", "wg"])
    text = rate_reading(rates, grade_only="g", without="w", with_grade="wg", period="Mar-2018")
    assert "(`g`) explains 90.0% of the variance of the rates of Mar-2018 (RMSE 1.50 pp)" in text
    worse = rate_reading(
        rates.assign(r2=[0.9, -0.05, 0.95]), grade_only="g", without="w", with_grade="wg"
    )
    assert "(`w`) explains none (R² -5.0%: worse than the mean rate)" in worse
    assert "rates of the test months" in worse


def test_grade_models_reading_states_verdicts_mcs_training_and_the_tail():
    table = pd.DataFrame(
        {
            "exact_accuracy": [0.25, 0.40, 0.42, 0.38],
            "within_one_accuracy": [0.6, 0.8, 0.82, 0.78],
            "mae_notches": [1.3, 0.85, 0.80, 0.95],
            "kendall_tau": [np.nan, 0.55, 0.57, 0.5],
        },
        index=["grade_shares", "ordinal_logit", "net", "gbm"],
    )
    notch = pd.DataFrame(
        {
            "model": ["ordinal_logit", "net", "gbm", "grade_shares"],
            "verdict": [
                "benchmark",
                "significantly better than ordinal_logit",
                "not distinguishable from ordinal_logit",
                "significantly worse than ordinal_logit",
            ],
        }
    )
    kw = dict(trained={"net": True}, n_tail=40, tail_from="E", shares_grade="B", worst_grade="E")
    text = grade_models_reading(table, notch, ["net"], tail_recall={"net": 0.1, "gbm": 0.05}, **kw)
    assert "exactly for 40.0% of loans and within one notch for 80.0%" in text
    assert "(always grade B) gets 25.0% exact" in text
    assert "The lowest mean absolute error, as a point estimate, is `net`'s (0.800)" in text
    assert "after Holm: `net`; significantly worse: `grade_shares`." in text
    assert "keeps `net`. Networks trained: `net` yes." in text
    assert "Of the 40 test loans the lender graded E or worse" in text
    assert text.endswith("towards the middle grades.")
    caught = grade_models_reading(table, notch, [], tail_recall={"net": 0.6}, **kw)
    assert caught.endswith("is E.") and "keeps no model" in caught
    with pytest.raises(
        ValueError, match=r"grade_models_reading: table has no row\(s\) \['grade_shares'\]"
    ):
        grade_models_reading(table.drop(index="grade_shares"), notch, [], tail_recall={}, **kw)


def test_plots_have_titles_and_labels(loans):
    figs = [
        plot_confusion(confusion_counts([0, 1, 2], [0, 2, 2], GRADES[:3]), title="c"),
        plot_rate_by_grade(loans["interest_rate"], loans["grade"], title="r"),
        plot_importance(pd.DataFrame({"m": [0.1, 0.2]}, index=["a", "b"]), title="i"),
    ]
    t = errors_by_group(
        np.r_[np.zeros(60), np.ones(60)].astype(int),
        np.ones(120, dtype=int),
        pd.Series(["x"] * 60 + ["y"] * 60),
        min_count=30,
    )
    figs.append(plot_errors_by_group({"m": t}, title="e"))
    for fig in figs:
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_grade_dummies_drop_grade_a():
    d = grade_dummies(np.array([0, 1, 6]))
    assert d.shape == (3, 6) and d[0].sum() == 0 and d[1, 0] == 1 and d[2, 5] == 1
    with pytest.raises(ValueError, match="notches must lie"):
        grade_dummies(np.array([-1]))


def test_grade_calibration_counts_against_the_predicted_probabilities():
    rng = np.random.default_rng(11)
    p = rng.dirichlet([2.0, 3.0, 1.0], size=3000)
    y = np.array([rng.choice(3, p=row) for row in p])  # drawn from p: calibrated by construction
    t = grade_calibration(y, p, ["A", "B", "C"])
    assert list(t.index) == ["A", "B", "C"] and t["observed"].sum() == 3000
    np.testing.assert_allclose(t["expected"], p.sum(axis=0))
    # hand check of grade B's z: (observed - expected) / sqrt(sum p(1 - p))
    z_b = (np.sum(y == 1) - p[:, 1].sum()) / np.sqrt(np.sum(p[:, 1] * (1 - p[:, 1])))
    assert t.loc["B", "z"] == pytest.approx(z_b)
    assert (t["pvalue_holm"] > 0.05).all()  # calibrated: no rejection (this seed)
    # shares that ignore the loans: every grade rejected
    flat = grade_calibration(y, np.tile([0.6, 0.3, 0.1], (3000, 1)), ["A", "B", "C"])
    assert (flat["pvalue_holm"] < 1e-6).all() and flat.loc["A", "share_expected"] == pytest.approx(
        0.6
    )
    text = calibration_reading({"drawn": t, "flat": flat})
    assert (
        "`drawn`: largest gap in grade" in text
        and "no grade's count rejects" in text.split("\n")[0]
    )
    assert "3 of 3 grades reject calibration at 5% after Holm: A (60.0% predicted vs" in text
    with_shift = calibration_reading({"drawn": t, "flat": flat}, shift_model="drawn")
    assert with_shift.endswith("the rejections of `flat` are the models' own miscalibration.")
    assert "itself rejects grades A, B, C" in calibration_reading(
        {"flat": flat}, shift_model="flat"
    )
    with pytest.raises(ValueError, match="shift_model 'x' is not one of"):
        calibration_reading({"drawn": t}, shift_model="x")
    with pytest.raises(ValueError, match="y_true holds notch 3"):
        grade_calibration(np.r_[y[:-1], 3], p)
    with pytest.raises(ValueError, match="y_true has 2999 rows and probs 3000"):
        grade_calibration(y[:-1], p)
    with pytest.raises(ValueError, match="labels has 2 names for 3 grades"):
        grade_calibration(y, p, ["A", "B"])
    with pytest.raises(ValueError, match="sum to 1"):
        grade_calibration(y, p * 2)
    with pytest.raises(ValueError, match="calibration_reading: tables\\['x'\\] must be"):
        calibration_reading({"x": pd.DataFrame({"z": [1.0]})})
