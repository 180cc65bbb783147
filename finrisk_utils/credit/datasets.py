"""The two default populations of the credit notebook behind one interface: attributes, 0/1 label (1 = bad),
the protected attributes and groups used by the fairness checks, the documented population bad rate, and the
missing values per attribute (reported, then handled by the models' pipelines: see ``one_hot_preprocessor``,
``WoEEncoder``; gradient boosting takes them natively).

- ``german_credit``: UCI Statlog, 1,000 applicants, 30% bad, no missing values; label ``creditability``;
  protected: sex and marital status, age, foreign worker (groups read with Grömping's 2019 corrected code
  table); population bad rate about 5% (Grömping 2019).
- ``credit_applicants``: R ``modeldata::credit_data``, 4,454 applicants, 28% bad; label ``status``; missing
  values in ``income``, ``assets``, ``debt``, ``home``, ``marital``, ``job``; protected: age and marital
  status; no documented population bad rate (the sample's own rate is used).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import (
    DataValidationError,
    check_columns,
)
from finrisk_utils.credit.models import split_features_label
from finrisk_utils.credit.validation import age_groups, german_credit_groups
from finrisk_utils.data import load

__all__ = [
    "CREDIT_DATASETS",
    "CREDIT_REFERENCES",
    "CreditData",
    "credit_applicants_groups",
    "load_credit_data",
]

CREDIT_DATASETS = ("german_credit", "credit_applicants")

#: Reference cross-validated AUCs quoted for each data set (German credit, 5x5 CV, as quoted in the project's
#: credit issue: logistic regression 0.780, gradient boosting 0.775); none are quoted for credit_applicants.
CREDIT_REFERENCES: dict[str, dict[str, float]] = {
    "german_credit": {"logit": 0.780, "gbm": 0.775},
    "credit_applicants": {},
}


@dataclass(frozen=True)
class CreditData:
    """A credit population: ``X`` (applicants x attributes), ``y`` (0/1, 1 = bad), ``protected`` (attributes a
    production model must not use), ``groups`` (protected group of each applicant per attribute; NaN where
    unknown, left out of that attribute's approval rates), ``population_bad_rate`` (``None`` when no
    population rate is documented), ``missing`` (missing values per attribute) and ``label`` (the source
    column of ``y``)."""

    name: str
    X: pd.DataFrame = field(repr=False)
    y: np.ndarray = field(repr=False)
    protected: tuple[str, ...]
    groups: pd.DataFrame = field(repr=False)
    population_bad_rate: float | None
    missing: pd.Series = field(repr=False)
    label: str

    @property
    def categorical(self) -> list[str]:
        """The non-numeric attributes."""
        return [c for c in self.X.columns if not pd.api.types.is_numeric_dtype(self.X[c])]


def credit_applicants_groups(X: pd.DataFrame, *, age_cut: int = 25) -> pd.DataFrame:
    """Protected groups of ``credit_applicants``: ``marital`` (single / not single; NaN where the marital
    status is missing) and ``age`` (:func:`~finrisk_utils.credit.validation.age_groups`, as for German credit)."""
    where = "credit_applicants_groups"
    check_columns(X, ["marital", "age"], where=where)
    marital = X["marital"].astype(object)
    single = marital.where(
        marital.isna(), marital.eq("single").map({True: "single", False: "not single"})
    )
    return pd.DataFrame(
        {
            "marital": single.to_numpy(dtype=object),
            "age": age_groups(X["age"], age_cut, where=where),
        },
        index=X.index,
    ).astype(object)


def load_credit_data(name: str = "german_credit") -> CreditData:
    """One of :data:`CREDIT_DATASETS` as a :class:`CreditData` (validated by the registry's loader)."""
    if name not in CREDIT_DATASETS:
        raise DataValidationError(
            f"load_credit_data: dataset must be one of {CREDIT_DATASETS}, got {name!r}"
        )
    if name == "german_credit":
        X, y = split_features_label(load(name), "creditability", "bad")
        protected: tuple[str, ...] = ("personal_status_and_sex", "age_in_years", "foreign_worker")
        groups, population, label = german_credit_groups(X), 0.05, "creditability"
    else:
        X, y = split_features_label(load(name), "status", "bad")
        protected, groups, population, label = (
            ("age", "marital"),
            credit_applicants_groups(X),
            None,
            "status",
        )
    return CreditData(name, X, y, protected, groups, population, X.isna().sum(), label)
