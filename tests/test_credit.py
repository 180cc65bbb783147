"""Credit workflow: no statistic is fitted on test rows, the Keras classifier is reproducible, reason codes
point at the attribute that raises the PD."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from finrisk_utils import DataValidationError, load
from finrisk_utils.credit.models import (
    calibration_prior,
    credit_models,
    one_hot_preprocessor,
    reason_codes,
    repeated_cv,
    split_features_label,
    summarize_cv,
    tuned_settings,
)
from finrisk_utils.credit.validation import prior_correct
from finrisk_utils.models.dense import KerasDenseClassifier, build_dense_classifier


@pytest.fixture(scope="module")
def data():
    return split_features_label(load("german_credit"))


def test_split_features_label(data):
    X, y = data
    assert X.shape == (1000, 20) and y.sum() == 300
    with pytest.raises(DataValidationError, match="no 'default' rows"):
        split_features_label(load("german_credit"), bad="default")


class Spy(ClassifierMixin, BaseEstimator):
    """Records the index of every row it is fitted on."""

    seen: list = []

    def fit(self, X, y):
        Spy.seen.append(set(X.index))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        return np.tile([0.7, 0.3], (len(X), 1))


def test_cv_never_fits_on_the_test_fold(data):
    X, y = data
    Spy.seen = []
    folds, oof = repeated_cv({"spy": Spy()}, X, y, n_splits=5, n_repeats=2, seed=0)
    assert len(Spy.seen) == 10 and len(folds) == 10
    for i, fitted_rows in enumerate(Spy.seen):
        test_rows = set(
            oof[oof["repeat"] == i // 5]["row"].to_numpy()[(i % 5) * 200 : (i % 5 + 1) * 200]
        )
        assert not fitted_rows & test_rows
    assert sorted(oof[oof["repeat"] == 0]["row"]) == list(
        range(1000)
    )  # every applicant scored once a repeat
    summary = summarize_cv(folds)
    assert {"auc", "auc_std", "brier", "brier_std"} <= set(summary.columns)


def test_pipelines_learn_preprocessing_from_training_rows_only(data):
    X, y = data
    train = X.iloc[:700]
    model = credit_models(X, seed=0)["logit"].fit(train, y[:700])
    scaler = model.named_steps["pre"].named_transformers_["numeric"].named_steps["scale"]
    np.testing.assert_allclose(scaler.mean_, train.select_dtypes("number").mean().to_numpy())
    assert not np.allclose(scaler.mean_, X.select_dtypes("number").mean().to_numpy())
    card = credit_models(X, seed=0)["scorecard"].fit(train, y[:700])
    edges = card.named_steps["woe"].bins_["credit_amount"][1:-1]
    np.testing.assert_allclose(
        edges, np.unique(np.quantile(train["credit_amount"], np.linspace(0, 1, 6)))[1:-1]
    )


def test_keras_classifier_reproducible_and_calibration_effect_of_class_weights(data):
    X, y = data
    Z = one_hot_preprocessor(X).fit_transform(X)
    kw = {"hidden": (16,), "dropout": 0.0, "epochs": 15, "seed": 3}
    a = KerasDenseClassifier(class_weight=None, **kw).fit(Z, y)
    b = KerasDenseClassifier(class_weight=None, **kw).fit(Z, y)
    np.testing.assert_array_equal(a.predict_proba(Z), b.predict_proba(Z))
    weighted = KerasDenseClassifier(class_weight="balanced", **kw).fit(Z, y)
    # balanced weights train as if half were bad: the mean PD moves from ~0.3 towards 0.5
    assert weighted.predict_proba(Z)[:, 1].mean() > a.predict_proba(Z)[:, 1].mean() + 0.05
    assert a.predict(Z).shape == (1000,)
    with pytest.raises(ValueError, match="both classes"):
        KerasDenseClassifier(epochs=1).fit(Z, np.zeros(1000))
    with pytest.raises(ValueError, match="class_weight"):
        KerasDenseClassifier(epochs=1, class_weight="auto").fit(Z, y)


def test_dense_builder_validation():
    assert build_dense_classifier(5, hidden=(4, 3), dropout=0.1).output_shape == (None, 1)
    with pytest.raises(ValueError, match="hidden"):
        build_dense_classifier(5, hidden=())
    with pytest.raises(ValueError, match="dropout"):
        build_dense_classifier(5, dropout=1.0)


def test_reason_codes_find_the_driving_attribute():
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame({"debt": rng.normal(size=n), "noise": rng.normal(size=n)})
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * X["debt"]))).astype(int)
    model = LogisticRegression().fit(X, y)
    risky = pd.DataFrame({"debt": [3.0], "noise": [0.1]}, index=[7])
    codes = reason_codes(model, risky, reference=X, top=2)
    assert codes.iloc[0]["attribute"] == "debt" and codes.iloc[0]["pd_contribution"] > 0.3
    assert codes["applicant"].eq(7).all() and len(codes) == 2


@pytest.mark.parametrize("weight", [None, "balanced", {0: 1.0, 1: 4.0}])
def test_calibration_prior_restores_the_sample_bad_rate(weight):
    """On a correctly specified logit, class weights shift only the intercept, by the log odds of the weighted
    prior: corrected from the prior calibration_prior names to the sample's bad rate, the weighted model's PDs
    are the unweighted model's."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, 2))
    y = (rng.random(20_000) < 1 / (1 + np.exp(-(-1.5 + x @ [1.0, -0.5])))).astype(int)
    plain = LogisticRegression().fit(x, y).predict_proba(x)[:, 1]
    model = LogisticRegression(class_weight=weight).fit(x, y)
    pd_fit = model.predict_proba(x)[:, 1]
    corrected = prior_correct(pd_fit, calibration_prior(model, y), y.mean())
    assert np.abs(corrected - plain).max() < 0.02
    if weight is not None:  # read as sample PDs, the weighted model's PDs would be far off
        assert np.abs(pd_fit - plain).mean() > 0.1


def test_calibration_prior_of_the_credit_models(data):
    X, y = data
    models = credit_models(X, seed=0, epochs=1, mlp_grid=[{"hidden": (8,)}], drop=["age_in_years"])
    priors = {name: calibration_prior(m, y) for name, m in models.items()}
    assert priors["mlp"] == 0.5  # balanced class weights, inside a DropColumns pipeline
    for name in (
        "logit",
        "scorecard",
        "gbm",
        "mlp_tuned",
    ):  # unweighted (mlp_tuned: inside a grid search)
        assert priors[name] == pytest.approx(y.mean()), name


def test_calibration_prior_rejects_bad_input():
    y = np.array([0, 1, 1, 0])
    with pytest.raises(TypeError, match="calibration_prior: estimator"):
        calibration_prior("mlp", y)
    with pytest.raises(DataValidationError, match="row 2"):
        calibration_prior(LogisticRegression(), [0, 1, 2, 0])
    with pytest.raises(DataValidationError, match="non-empty"):
        calibration_prior(LogisticRegression(), [])
    with pytest.raises(ValueError, match="class_weight"):
        calibration_prior(LogisticRegression(class_weight={0: 1.0, 1: -1.0}), y)


def test_a_one_point_grid_is_fitted_directly_as_the_search_would_refit_it(data):
    """With one grid point there is nothing to choose: mlp_tuned is that network fitted directly, whose PDs are
    the ones a grid search refits after its inner fits; tuned_settings reads the settings of both."""
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    X, y = data
    X, y = X.iloc[:400], y[:400]
    point = {"hidden": (4,), "dropout": 0.1, "l2": 1e-3}
    direct = credit_models(X, seed=3, epochs=3, mlp_grid=[point])["mlp_tuned"]
    assert isinstance(direct, Pipeline)
    search = GridSearchCV(
        clone(direct),
        [{f"model__{k}": [v] for k, v in point.items()}],
        scoring="neg_log_loss",
        cv=2,
    )
    p_direct = direct.fit(X, y).predict_proba(X)[:, 1]
    p_search = search.fit(X, y).predict_proba(X)[:, 1]
    np.testing.assert_allclose(p_direct, p_search, rtol=1e-6)
    expected = {"hidden": (4,), "dropout": 0.1, "l2": 1e-3, "learning_rate": 1e-3, "batch_size": 32}
    assert tuned_settings(direct) == expected == tuned_settings(search)
    with pytest.raises(ValueError, match="tuned_settings: the grid search is not fitted"):
        tuned_settings(clone(search))
    with pytest.raises(
        TypeError, match="tuned_settings: estimator must hold a KerasDenseClassifier"
    ):
        tuned_settings(LogisticRegression())
