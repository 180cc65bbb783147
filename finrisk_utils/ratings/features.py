"""Inputs of the grade model: which Lending Club columns a borrower's grade may be predicted from (and which give it
away), the out-of-time split, the validation slice, the preprocessing, and a leakage screen."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_selection import VarianceThreshold
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from finrisk_utils.core.validation import (
    as_float_array,
    check_columns,
    check_positive_int,
    check_probability,
)

__all__ = [
    "CATEGORICAL_INPUTS",
    "EXCLUDED_COLUMNS",
    "GRADES",
    "LEAKY_COLUMNS",
    "grade_dummies",
    "grade_inputs",
    "grade_notches",
    "implied_annual_rate",
    "leakage_screen",
    "make_preprocessor",
    "month_split",
    "validation_slice",
    "with_grade",
]

GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G")
"""Lending Club grades, best (A, notch 0) to worst (G, notch 6)."""

LEAKY_COLUMNS: dict[str, str] = {
    "grade": "the label",
    "sub_grade": "the grade refined into five notches: the grade is its first letter",
    "interest_rate": "set by the lender from the sub-grade",
    "installment": "annuity payment from amount, term and the rate: with amount and term it gives the rate back",
    "balance": "after issuance; amortises at the rate",
    "paid_total": "after issuance; includes interest at the rate",
    "paid_principal": "after issuance",
    "paid_interest": "after issuance; interest at the rate",
    "paid_late_fees": "after issuance",
    "loan_status": "after issuance (the outcome)",
}
"""Columns that give the grade away or are observed only after the loan was priced, with the reason."""

EXCLUDED_COLUMNS: dict[str, str] = {
    "emp_title": "free text (thousands of job titles)",
    "state": "geography: not an input (fair-lending practice); the errors are read by state instead",
    "issue_month": "the out-of-time split",
    "initial_listing_status": "the platform's choice of investor channel, not a borrower attribute",
    "disbursement_method": "how the money is paid out, not a borrower attribute",
    "verification_income_joint": "joint applications only (85% missing); application_type carries it",
    "annual_income_joint": "joint applications only (85% missing)",
    "debt_to_income_joint": "joint applications only (85% missing)",
    "current_accounts_delinq": "identical to num_accounts_30d_past_due in every row",
    "num_historical_failed_to_pay": "equals tax_liens + public_record_bankrupt in every row",
    "num_accounts_120d_past_due": "zero in every row where it is known",
}
"""Columns left out of the inputs for other reasons."""

CATEGORICAL_INPUTS: tuple[str, ...] = (
    "homeownership",
    "verified_income",
    "loan_purpose",
    "application_type",
)
_LOG_INPUTS = (
    "annual_income",
    "total_credit_limit",
    "total_credit_utilized",
    "total_debit_limit",
    "total_collection_amount_ever",
    "loan_amount",
)
_ISSUE_YEAR = 2018


def grade_inputs(loans: pd.DataFrame) -> pd.DataFrame:
    """The borrower and loan attributes a grade model may use, one row per loan (same index).

    Drops :data:`LEAKY_COLUMNS` and :data:`EXCLUDED_COLUMNS`; money amounts become ``log1p`` (log dollars);
    ``earliest_credit_line`` (a year) becomes ``credit_history_years`` (years before 2018, the issue year).
    Categorical columns stay categorical; missing values stay missing (the preprocessor imputes them with an
    indicator, from the fit rows only).
    """
    where = "grade_inputs"
    check_columns(loans, [*CATEGORICAL_INPUTS, *_LOG_INPUTS, "earliest_credit_line"], where=where)
    gone = [c for c in (*LEAKY_COLUMNS, *EXCLUDED_COLUMNS) if c in loans.columns]
    inputs = loans.drop(columns=gone)
    inputs = inputs.assign(
        credit_history_years=_ISSUE_YEAR - inputs.pop("earliest_credit_line").astype(float)
    )
    for col in _LOG_INPUTS:
        inputs[col] = np.log1p(inputs[col].astype(float).clip(lower=0))
    return inputs


def grade_notches(grades: pd.Series | Sequence[str]) -> np.ndarray:
    """Grades ``"A"``..``"G"`` as notches 0..6 (int array); anything else raises naming the first bad row."""
    values = pd.Series(grades).astype(object).to_numpy()
    lookup = {g: i for i, g in enumerate(GRADES)}
    bad = [i for i, g in enumerate(values) if g not in lookup]
    if bad:
        raise ValueError(
            f"grade_notches: grades must be one of {GRADES}, found {values[bad[0]]!r} at row {bad[0]}"
        )
    return np.array([lookup[g] for g in values], dtype=int)


def month_split(
    months: pd.Series, fit_months: Sequence[str], test_months: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (fit rows, test rows) of an out-of-time split on the issue month (``"Jan-2018"`` labels).

    The two sets of months must be disjoint, every month must occur, and the test months must come after
    every fit month.
    """
    where = "month_split"
    if not isinstance(months, pd.Series):
        raise TypeError(f"{where}: months must be a pandas Series, got {type(months).__name__}")
    fit_months, test_months = list(fit_months), list(test_months)
    if not fit_months or not test_months:
        raise ValueError(f"{where}: fit_months and test_months must both name at least one month")
    if set(fit_months) & set(test_months):
        raise ValueError(
            f"{where}: months {sorted(set(fit_months) & set(test_months))} are in both"
        )
    present = set(months.astype(str))
    missing = [m for m in [*fit_months, *test_months] if m not in present]
    if missing:
        raise ValueError(f"{where}: months {missing} do not occur (present: {sorted(present)})")
    dates = {m: pd.to_datetime(m, format="%b-%Y") for m in [*fit_months, *test_months]}
    if max(dates[m] for m in fit_months) >= min(dates[m] for m in test_months):
        raise ValueError(
            f"{where}: test months {test_months} must all come after fit months {fit_months}"
        )
    text = months.astype(str)
    return text.isin(fit_months).to_numpy(), text.isin(test_months).to_numpy()


def validation_slice(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of a random validation slice, stratified by label (every grade keeps its share).

    Parameters
    ----------
    labels : array, shape (n,)
        Notches of the fit rows.
    fraction : float
        Share of rows in the slice, in (0, 1).
    seed : int
        Seed of the draw.
    """
    where = "validation_slice"
    y = as_float_array(labels, "labels", where=where).astype(int)
    fraction = check_probability(fraction, "fraction", where=where)
    seed = check_positive_int(seed, "seed", where=where, minimum=0)
    counts = np.bincount(y)
    strata = np.where(counts[y] >= 2, y, counts.argmax())  # a grade seen once: with the commonest
    _, val = train_test_split(
        np.arange(y.size), test_size=fraction, stratify=strata, random_state=seed
    )
    mask = np.zeros(y.size, dtype=bool)
    mask[val] = True
    return mask


def make_preprocessor(inputs: pd.DataFrame, *, min_frequency: int = 30) -> Pipeline:
    """Unfitted preprocessing for :func:`grade_inputs`: numeric columns median-imputed with missing-value
    indicators and standardised; categorical ones one-hot encoded (first level dropped, levels rarer than
    ``min_frequency`` pooled, unseen levels ignored); constant columns removed. Fit it on the fit rows only."""
    where = "make_preprocessor"
    if not isinstance(inputs, pd.DataFrame):
        raise TypeError(f"{where}: inputs must be a DataFrame, got {type(inputs).__name__}")
    min_frequency = check_positive_int(min_frequency, "min_frequency", where=where)
    categorical = [c for c in inputs.columns if not pd.api.types.is_numeric_dtype(inputs[c])]
    numeric = [c for c in inputs.columns if c not in categorical]
    columns = ColumnTransformer(
        [
            (
                "num",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
                ),
                numeric,
            ),
            (
                "cat",
                OneHotEncoder(
                    drop="first",
                    handle_unknown="ignore",
                    min_frequency=min_frequency,
                    sparse_output=False,
                ),
                categorical,
            ),
        ],
        verbose_feature_names_out=False,
    )
    return make_pipeline(columns, VarianceThreshold(0.0))


def grade_dummies(notches: np.ndarray, n_classes: int = len(GRADES)) -> np.ndarray:
    """One-hot grade columns with grade A (notch 0) dropped: shape (n, K - 1), the grade as a regression input."""
    where = "grade_dummies"
    y = as_float_array(notches, "notches", where=where).astype(int)
    n_classes = check_positive_int(n_classes, "n_classes", where=where, minimum=2)
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"{where}: notches must lie in 0..{n_classes - 1}")
    return np.eye(n_classes)[y][:, 1:]


def with_grade(design: np.ndarray, notches: np.ndarray, n_classes: int = len(GRADES)) -> np.ndarray:
    """``design`` with :func:`grade_dummies` appended: the "with grade" variant of the rate models.
    ``design`` shape (n, p), ``notches`` shape (n,) in 0..n_classes-1; returns shape (n, p + K - 1)."""
    X = as_float_array(design, "design", where="with_grade", ndim=2)
    dummies = grade_dummies(notches, n_classes)
    if len(dummies) != X.shape[0]:
        raise ValueError(f"with_grade: notches has {len(dummies)} rows, design has {X.shape[0]}")
    return np.column_stack([X, dummies])


def implied_annual_rate(
    installment: np.ndarray, amount: np.ndarray, term_months: np.ndarray
) -> np.ndarray:
    """The annual rate (per cent) of an annuity: solves ``installment = amount r / (1 - (1 + r)^-term)`` for the
    monthly rate ``r`` by bisection; ``installment`` and ``amount`` in dollars, ``term_months`` in months.

    Shows that ``installment`` carries the lender's rate (and so the grade) once amount and term are known."""
    where = "implied_annual_rate"
    pay = as_float_array(installment, "installment", where=where)
    amt = as_float_array(amount, "amount", where=where)
    term = as_float_array(term_months, "term_months", where=where)
    if not pay.size == amt.size == term.size:
        raise ValueError(f"{where}: installment, amount and term_months must have equal length")
    if (amt <= 0).any() or (term <= 0).any() or (pay * term < amt).any():
        raise ValueError(f"{where}: needs amount > 0, term > 0 and installment x term >= amount")
    lo, hi = np.full(pay.size, 1e-9), np.full(pay.size, 0.1)
    for _ in range(80):
        mid = (lo + hi) / 2
        too_low = amt * mid / (1 - (1 + mid) ** -term) < pay
        lo, hi = np.where(too_low, mid, lo), np.where(too_low, hi, mid)
    return 1200 * (lo + hi) / 2


def leakage_screen(
    frame: pd.DataFrame,
    labels: np.ndarray,
    *,
    threshold: float = 0.5,
    bins: int = 50,
    seed: int = 0,
) -> pd.DataFrame:
    """How nearly each column determines the label, or is determined by it: a screen for give-aways.

    Parameters
    ----------
    frame : DataFrame, shape (n, p)
        Candidate inputs (numeric or categorical; missing values allowed).
    labels : array, shape (n,)
        Integer labels (notches).
    threshold : float
        A column is flagged when either score exceeds it, in (0, 1).
    bins, seed
        Numeric columns are cut into ``bins`` quantile bins; ``seed`` draws the two halves.

    Returns
    -------
    DataFrame
        One row per column, sorted by ``label_lift``: ``label_lift`` -- out-of-sample accuracy of predicting the
        label by the modal label of the column's bin or level (learnt on one random half, scored on the other),
        as a share of the gap from always predicting the commonest label to perfect (0 = no information,
        1 = the column gives the label away); ``eta_squared`` -- the share of a numeric column's variance
        explained by the label (correlation ratio; 1 = the column is a function of the label; NaN for
        categorical columns); ``flagged``.
    """
    where = "leakage_screen"
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{where}: frame must be a DataFrame, got {type(frame).__name__}")
    y = as_float_array(labels, "labels", where=where).astype(int)
    if y.size != len(frame):
        raise ValueError(f"{where}: labels has {y.size} rows, frame has {len(frame)}")
    threshold = check_probability(threshold, "threshold", where=where)
    bins = check_positive_int(bins, "bins", where=where, minimum=2)
    half = np.random.default_rng(seed).random(y.size) < 0.5
    base = np.bincount(y[half]).argmax()
    base_acc = float(np.mean(y[~half] == base))
    rows = {}
    for col in frame.columns:
        x = frame[col]
        numeric = pd.api.types.is_numeric_dtype(x) and not isinstance(x.dtype, pd.CategoricalDtype)
        if numeric and x.nunique() > bins:
            key = pd.qcut(x, bins, duplicates="drop").astype(str)
        else:
            key = x.astype(str)
        table = pd.crosstab(key[half], y[half])
        rule = table.idxmax(axis=1)
        pred = key[~half].map(rule).fillna(base).to_numpy(dtype=int)
        acc = float(np.mean(pred == y[~half]))
        lift = (acc - base_acc) / (1 - base_acc) if base_acc < 1 else np.nan
        eta = np.nan
        if numeric:
            ok = x.notna().to_numpy()
            v = x.to_numpy(dtype=float)[ok]
            total = float(((v - v.mean()) ** 2).sum())
            within = pd.Series(v).groupby(y[ok]).transform("mean").to_numpy()
            eta = 1 - float(((v - within) ** 2).sum()) / total if total > 0 else 0.0
        rows[col] = {"label_lift": lift, "eta_squared": eta}
    out = pd.DataFrame(rows).T.astype(float)
    out["flagged"] = (out["label_lift"] > threshold) | (out["eta_squared"].fillna(0) > threshold)
    return out.sort_values("label_lift", ascending=False)
