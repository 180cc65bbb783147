"""Credit-scoring workflow on a table of applicants: features and label, a standard set of PD models (logistic
regression, WoE scorecard, gradient boosting, dense networks), repeated cross-validation, and per-applicant reason
codes.

Every preprocessing step is part of a scikit-learn ``Pipeline``, so inside cross-validation it is fitted on
the training folds only and never sees the test fold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    StratifiedShuffleSplit,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from finrisk_utils.core.validation import DataValidationError, check_columns
from finrisk_utils.credit.metrics import classification_metrics
from finrisk_utils.credit.scorecard import make_scorecard
from finrisk_utils.models.dense import KerasDenseClassifier
from finrisk_utils.models.training import FitResult

__all__ = [
    "DropColumns",
    "calibration_prior",
    "credit_models",
    "network_fit",
    "one_hot_preprocessor",
    "reason_codes",
    "repeated_cv",
    "split_features_label",
    "summarize_cv",
    "tuned_settings",
]


def split_features_label(
    df: pd.DataFrame, target: str = "creditability", bad: str = "bad"
) -> tuple[pd.DataFrame, np.ndarray]:
    """Features (every other column) and the label, 1 for ``bad`` (default) and 0 otherwise."""
    check_columns(df, [target], where="split_features_label")
    labels = df[target].astype(str)
    if bad not in set(labels):
        raise DataValidationError(f"split_features_label: no {bad!r} rows in column {target!r}")
    return df.drop(columns=target), (labels == bad).to_numpy().astype(int)


def one_hot_preprocessor(X: pd.DataFrame) -> ColumnTransformer:
    """One-hot encode categorical columns (unseen categories -> all zeros; a missing value is a category of its
    own, with its own column) and standardize numeric ones. Missing numbers are replaced by the training
    median and flagged by a 0/1 indicator column per attribute that had missing values in the training rows
    (so the model sees that the value was missing); a table without missing values is unaffected."""
    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    numeric = [c for c in X.columns if c not in categorical]
    return ColumnTransformer(
        [
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
            (
                "numeric",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                        ("scale", StandardScaler()),
                    ]
                ),
                numeric,
            ),
        ]
    )


class DropColumns(TransformerMixin, BaseEstimator):
    """Drop ``columns`` from a DataFrame (e.g. protected attributes a production model must not use)."""

    def __init__(self, columns: Sequence[str] = ()):
        self.columns = columns

    def fit(self, X: pd.DataFrame, y: np.ndarray | None = None) -> DropColumns:
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"DropColumns needs a DataFrame, got {type(X).__name__}")
        check_columns(X, list(self.columns), where="DropColumns")
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"DropColumns needs a DataFrame, got {type(X).__name__}")
        check_columns(X, list(self.columns), where="DropColumns")
        return X.drop(columns=list(self.columns))


def network_fit(estimator: BaseEstimator) -> FitResult | None:
    """The training record (:class:`FitResult`: ``trained``, ``best_epoch``) of the Keras network inside a fitted
    estimator (itself, the last step of a ``Pipeline``, or a grid search's refitted best estimator); ``None``
    for a model without one (logistic regression, scorecard, boosting)."""
    if isinstance(estimator, GridSearchCV):
        return (
            network_fit(estimator.best_estimator_)
            if hasattr(estimator, "best_estimator_")
            else None
        )
    if isinstance(estimator, Pipeline):
        return network_fit(estimator.steps[-1][1])
    result = getattr(estimator, "fit_", None)
    return result if isinstance(result, FitResult) else None


def _final_estimator(estimator: BaseEstimator) -> BaseEstimator:
    """The estimator that makes the predictions: the last step of a ``Pipeline``, the template of a grid search
    (every grid point shares its class weighting), recursively."""
    if isinstance(estimator, GridSearchCV):
        return _final_estimator(estimator.estimator)
    if isinstance(estimator, Pipeline):
        return _final_estimator(estimator.steps[-1][1])
    return estimator


def calibration_prior(estimator: BaseEstimator, y: np.ndarray | pd.Series) -> float:
    """The bad rate a PD model's probabilities are calibrated to, in [0, 1], for prior correction: the sample's
    bad rate ``mean(y)`` for a model trained without class weights, 0.5 for ``class_weight="balanced"`` (each
    class carries half the weight), and ``w1 p / (w1 p + w0 (1 - p))`` for a weight dict ``{0: w0, 1: w1}``.
    ``estimator`` may be a ``Pipeline`` or a ``GridSearchCV`` (its final estimator's ``class_weight`` counts);
    ``y``: the 0/1 training labels, shape (n,)."""
    where = "calibration_prior"
    if not isinstance(estimator, BaseEstimator):
        raise TypeError(
            f"{where}: estimator must be a scikit-learn estimator, got {type(estimator).__name__}"
        )
    labels = np.asarray(y, dtype=float)
    if labels.ndim != 1 or labels.size == 0:
        raise DataValidationError(f"{where}: y must be a non-empty 1-D array of 0/1 labels")
    bad = ~np.isin(labels, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataValidationError(f"{where}: y must hold 0/1 labels; row {i} is {labels[i]!r}")
    p = float(labels.mean())
    weight = getattr(_final_estimator(estimator), "class_weight", None)
    if weight is None:
        return p
    if weight == "balanced":
        return 0.5
    if isinstance(weight, dict) and set(weight) == {0, 1} and min(weight.values()) > 0:
        w0, w1 = float(weight[0]), float(weight[1])
        return w1 * p / (w1 * p + w0 * (1 - p))
    raise ValueError(
        f"{where}: class_weight must be None, 'balanced' or {{0: w0, 1: w1}} with positive weights, "
        f"got {weight!r}"
    )


def credit_models(
    X: pd.DataFrame,
    *,
    seed: int,
    epochs: int = 200,
    mlp_grid: list[dict[str, object]] | None = None,
    inner_folds: int = 3,
    drop: Sequence[str] = (),
) -> dict[str, BaseEstimator]:
    """Unfitted PD models, each a full pipeline from the raw attribute table:

    - ``logit``: logistic regression on one-hot/standardized attributes;
    - ``scorecard``: logistic regression on WoE bins (the bank's scorecard);
    - ``gbm``: histogram gradient boosting with native categorical support and fixed, conservative settings
      (learning rate 0.05, 200 trees of depth at most 3, no early stopping), not tuned on this data;
    - ``mlp``: Dense(100) -> Dropout(0.5) -> sigmoid, binary cross-entropy, class weights, early stopping on a
      validation split of the training rows;
    - ``mlp_tuned``: a dense network whose settings are chosen from ``mlp_grid`` on log loss by an inner
      ``inner_folds``-fold CV (1: a single stratified 25% validation split) inside every training set: nested
      CV, never tuned on a test fold. A one-point grid leaves nothing to choose: that network is fitted
      directly (the same model a search would refit; :func:`tuned_settings` reads its settings either way).

    ``drop``: attributes the models must not see (e.g. protected ones); each model then starts with a
    :class:`DropColumns` step and still takes the full attribute table.
    """
    if isinstance(drop, str):
        raise TypeError(f"credit_models: drop must be a list of column names, got {drop!r}")
    drop = list(drop)
    if drop:
        check_columns(X, drop, where="credit_models")
        inner_models = credit_models(
            X.drop(columns=drop),
            seed=seed,
            epochs=epochs,
            mlp_grid=mlp_grid,
            inner_folds=inner_folds,
        )
        return {
            name: Pipeline([("drop", DropColumns(drop)), ("model", m)])
            for name, m in inner_models.items()
        }
    pre = one_hot_preprocessor(X)
    mlp = KerasDenseClassifier(
        hidden=(100,), dropout=0.5, class_weight="balanced", epochs=epochs, seed=seed
    )
    models: dict[str, BaseEstimator] = {
        "logit": Pipeline([("pre", pre), ("model", LogisticRegression(C=1.0, max_iter=2000))]),
        "scorecard": make_scorecard(),
        "gbm": HistGradientBoostingClassifier(
            categorical_features="from_dtype",
            learning_rate=0.05,
            max_iter=200,
            max_depth=3,
            early_stopping=False,
            random_state=seed,
        ),
        "mlp": Pipeline([("pre", clone(pre)), ("model", mlp)]),
    }
    if mlp_grid:
        base = Pipeline(
            [
                ("pre", clone(pre)),
                ("model", KerasDenseClassifier(epochs=epochs, seed=seed, class_weight=None)),
            ]
        )
        # a one-point grid leaves nothing to choose: a search would refit this very model after its inner fits
        if len(mlp_grid) == 1:
            models["mlp_tuned"] = base.set_params(
                **{f"model__{k}": v for k, v in mlp_grid[0].items()}
            )
            return models
        grid = [{f"model__{k}": [v] for k, v in point.items()} for point in mlp_grid]
        inner = (
            StratifiedShuffleSplit(n_splits=1, test_size=0.25, random_state=seed)
            if inner_folds == 1
            else StratifiedKFold(inner_folds, shuffle=True, random_state=seed)
        )
        models["mlp_tuned"] = GridSearchCV(base, grid, scoring="neg_log_loss", cv=inner, refit=True)
    return models


_SETTINGS = ("hidden", "dropout", "l2", "learning_rate", "batch_size")


def tuned_settings(estimator: BaseEstimator) -> dict[str, object]:
    """The settings a fitted dense network was trained with (``hidden``, ``dropout``, ``l2``,
    ``learning_rate``, ``batch_size``): for a fitted grid search its chosen network's, otherwise those of the
    network at the end of the pipeline (e.g. ``mlp_tuned`` built from a one-point grid, fitted directly)."""
    where = "tuned_settings"
    if isinstance(estimator, GridSearchCV):
        if not hasattr(estimator, "best_estimator_"):
            raise ValueError(f"{where}: the grid search is not fitted")
        estimator = estimator.best_estimator_
    net = _final_estimator(estimator) if isinstance(estimator, BaseEstimator) else estimator
    if not isinstance(net, KerasDenseClassifier):
        raise TypeError(
            f"{where}: estimator must hold a KerasDenseClassifier, got {type(net).__name__}"
        )
    params = net.get_params()
    return {k: params[k] for k in _SETTINGS}


def repeated_cv(
    models: dict[str, BaseEstimator],
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    n_splits: int = 5,
    n_repeats: int = 5,
    seed: int = 0,
    cost_fn: float = 5.0,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Repeated stratified K-fold: every model is fitted on the training folds and scored on the test fold.

    Returns ``(fold_metrics, oof)``: one row per (model, repeat, fold) with the metrics of
    :func:`classification_metrics` (and, for a Keras network, ``trained`` 0/1 and ``best_epoch`` of that fold's
    fit; NaN for other models), and the out-of-fold PDs of every model for every repeat (columns
    ``repeat``, ``row``, ``y`` and one per model).
    """
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    rows, oof = [], []
    for i, (train, test) in enumerate(cv.split(X, y)):
        repeat, fold = divmod(i, n_splits)
        preds = {"repeat": repeat, "row": test, "y": y[test]}
        for name, model in models.items():
            fitted = clone(model).fit(X.iloc[train], y[train])
            p = fitted.predict_proba(X.iloc[test])[:, 1]
            preds[name] = p
            record = network_fit(fitted)
            rows.append(
                {
                    "model": name,
                    "repeat": repeat,
                    "fold": fold,
                    **classification_metrics(y[test], p, cost_fn=cost_fn),
                    "trained": np.nan if record is None else float(bool(record.trained)),
                    "best_epoch": np.nan if record is None else float(record.best_epoch),
                }
            )
        oof.append(pd.DataFrame(preds))
        if progress:
            progress(f"fold {i + 1}/{n_splits * n_repeats} done")
    return pd.DataFrame(rows), pd.concat(oof, ignore_index=True)


def summarize_cv(fold_metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over folds of every metric, one row per model (columns ``metric`` and
    ``metric_std``)."""
    values = fold_metrics.drop(columns=["repeat", "fold"]).groupby("model", sort=False)
    mean, std = values.mean(), values.std(ddof=1)
    return mean.join(std.add_suffix("_std"))[[c for m in mean.columns for c in (m, f"{m}_std")]]


def reason_codes(
    model: BaseEstimator, applicants: pd.DataFrame, reference: pd.DataFrame, top: int = 3
) -> pd.DataFrame:
    """Per applicant, the ``top`` attributes that push the PD up the most: each attribute in turn is set to the
    reference applicant's value (the training data's mode for categories, median for numbers) and the fall
    in PD is that attribute's contribution. Model-agnostic (works for any ``predict_proba``)."""
    base_row = {
        c: (
            reference[c].median()
            if pd.api.types.is_numeric_dtype(reference[c])
            else reference[c].mode().iloc[0]
        )
        for c in reference.columns
    }
    p = model.predict_proba(applicants)[:, 1]
    out = []
    for col in applicants.columns:
        changed = applicants.copy()
        changed[col] = pd.Series([base_row[col]] * len(changed), index=changed.index).astype(
            applicants[col].dtype
        )
        out.append(p - model.predict_proba(changed)[:, 1])
    contrib = pd.DataFrame(np.column_stack(out), index=applicants.index, columns=applicants.columns)
    rows = []
    for idx, row in contrib.iterrows():
        for rank, (attr, c) in enumerate(
            row.sort_values(ascending=False).head(top).items(), start=1
        ):
            rows.append(
                {
                    "applicant": idx,
                    "pd": p[applicants.index.get_loc(idx)],
                    "rank": rank,
                    "attribute": attr,
                    "value": applicants.at[idx, attr],
                    "pd_contribution": c,
                }
            )
    return pd.DataFrame(rows)
