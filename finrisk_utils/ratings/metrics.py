"""Ordinal (notch) metrics of predicted grades: exact and within-one-notch accuracy, mean absolute notch error,
Kendall's tau, the ranked probability score of grade probabilities, their calibration grade by grade, McNemar's
test of exact hits, and errors by group (over- and under-grading) for a fairness reading."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from finrisk_utils.core.validation import as_float_array, check_positive_int
from finrisk_utils.forecasting import holm

__all__ = [
    "confusion_counts",
    "errors_by_group",
    "grade_calibration",
    "grade_from_probabilities",
    "grade_scores",
    "mcnemar_test",
    "notch_metrics",
    "ranked_probability_score",
]


def _notches(values: object, name: str, where: str) -> np.ndarray:
    arr = as_float_array(
        np.asarray(values) if isinstance(values, list) else values, name, where=where
    )
    if (arr != np.round(arr)).any() or (arr < 0).any():
        raise ValueError(f"{where}: {name} must hold notches 0, 1, 2, ... (non-negative integers)")
    return arr.astype(int)


def _pair(y_true: object, y_pred: object, where: str) -> tuple[np.ndarray, np.ndarray]:
    a, b = _notches(y_true, "y_true", where), _notches(y_pred, "y_pred", where)
    if a.size != b.size:
        raise ValueError(f"{where}: y_true and y_pred have {a.size} and {b.size} rows")
    return a, b


def _probabilities(probs: object, where: str) -> np.ndarray:
    p = as_float_array(probs, "probs", where=where, ndim=2)
    if p.shape[1] < 2:
        raise ValueError(f"{where}: probs needs one column per grade (at least 2), got {p.shape}")
    if (p < -1e-9).any() or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError(f"{where}: each row of probs must be non-negative and sum to 1")
    return np.clip(p, 0.0, 1.0)


def grade_from_probabilities(probs: np.ndarray, rule: str = "median") -> np.ndarray:
    """Predicted notch per loan from grade probabilities, shape (n, K) -> (n,).

    ``"median"``: the smallest notch whose cumulative probability reaches 1/2 (minimises the expected absolute
    notch error); ``"mode"``: the most probable notch (maximises the expected exact accuracy)."""
    where = "grade_from_probabilities"
    p = _probabilities(probs, where)
    if rule == "median":
        return np.minimum((np.cumsum(p, axis=1) < 0.5 - 1e-12).sum(axis=1), p.shape[1] - 1)
    if rule == "mode":
        return p.argmax(axis=1)
    raise ValueError(f"{where}: rule must be 'median' or 'mode', got {rule!r}")


def notch_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Exact accuracy, within-one-notch accuracy, mean absolute notch error (notches), mean signed error
    (predicted minus actual, notches; < 0: the model grades better than the lender did) and Kendall's tau-b."""
    a, b = _pair(y_true, y_pred, "notch_metrics")
    err = b - a
    tau = stats.kendalltau(a, b).statistic if np.unique(b).size > 1 else np.nan
    return {
        "exact_accuracy": float(np.mean(err == 0)),
        "within_one_accuracy": float(np.mean(np.abs(err) <= 1)),
        "mae_notches": float(np.mean(np.abs(err))),
        "mean_signed_error": float(np.mean(err)),
        "kendall_tau": float(tau),
    }


def ranked_probability_score(y_true: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per-loan ranked probability score ``sum_k (F_k - 1{y <= k})^2 / (K - 1)`` of grade probabilities
    (shape (n, K)), in [0, 1]; a proper score for ordered outcomes (Epstein 1969), lower is better."""
    where = "ranked_probability_score"
    p = _probabilities(probs, where)
    y = _notches(y_true, "y_true", where)
    if y.size != p.shape[0]:
        raise ValueError(f"{where}: y_true has {y.size} rows, probs {p.shape[0]}")
    k = p.shape[1]
    if y.max() >= k:
        raise ValueError(f"{where}: y_true has notch {y.max()} but probs has only {k} columns")
    cdf = np.cumsum(p, axis=1)[:, :-1]
    observed = (y[:, None] <= np.arange(k - 1)[None, :]).astype(float)
    return ((cdf - observed) ** 2).sum(axis=1) / (k - 1)


def confusion_counts(
    y_true: np.ndarray, y_pred: np.ndarray, labels: tuple[str, ...]
) -> pd.DataFrame:
    """Loans by actual (rows) and predicted (columns) grade, named by ``labels`` (every grade shown)."""
    a, b = _pair(y_true, y_pred, "confusion_counts")
    k = len(labels)
    if max(a.max(), b.max()) >= k:
        raise ValueError(f"confusion_counts: notches exceed the {k} labels {labels}")
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (a, b), 1)
    return pd.DataFrame(
        counts,
        index=pd.Index(labels, name="actual"),
        columns=pd.Index(labels, name="predicted"),
    )


def mcnemar_test(correct_a: np.ndarray, correct_b: np.ndarray) -> dict[str, float]:
    """McNemar's test that two graders have the same exact accuracy on the same loans (paired 0/1 hits).

    Returns ``accuracy_diff`` (A minus B), the discordant counts ``a_only`` and ``b_only``, and a two-sided
    ``pvalue``: exact binomial when fewer than 25 loans are discordant, else the chi-square with continuity
    correction."""
    where = "mcnemar_test"
    a = as_float_array(correct_a, "correct_a", where=where)
    b = as_float_array(correct_b, "correct_b", where=where)
    if a.size != b.size:
        raise ValueError(f"{where}: correct_a and correct_b have {a.size} and {b.size} rows")
    if not (np.isin(a, (0, 1)).all() and np.isin(b, (0, 1)).all()):
        raise ValueError(f"{where}: hits must be 0/1 (or booleans)")
    a_only, b_only = int(((a == 1) & (b == 0)).sum()), int(((a == 0) & (b == 1)).sum())
    n = a_only + b_only
    if n == 0:
        p = 1.0
    elif n < 25:
        p = float(stats.binomtest(a_only, n, 0.5).pvalue)
    else:
        chi2 = (abs(a_only - b_only) - 1) ** 2 / n
        p = float(stats.chi2.sf(chi2, df=1))
    return {
        "accuracy_diff": float(a.mean() - b.mean()),
        "a_only": a_only,
        "b_only": b_only,
        "pvalue": min(p, 1.0),
    }


def errors_by_group(
    y_true: np.ndarray, y_pred: np.ndarray, groups: pd.Series, *, min_count: int = 30
) -> pd.DataFrame:
    """Grading errors per group: a fairness reading of disagreements with the lender's grade.

    Parameters
    ----------
    y_true, y_pred : array, shape (n,)
        Actual (lender's) and predicted notches (0 = best grade).
    groups : Series, shape (n,)
        Group of each loan (e.g. home ownership, state); groups with fewer than ``min_count`` loans are pooled
        into ``"other"`` (dropped if still smaller).

    Returns
    -------
    DataFrame
        One row per group: ``n``, ``mean_signed_error`` (notches, predicted minus actual; < 0: graded more
        favourably than the lender did), its standard error ``se``, ``mae_notches``, ``over_grading_rate``
        (share predicted better than the lender's grade), ``under_grading_rate`` (share predicted worse).
        ``attrs``: ``kruskal_pvalue`` (equal distributions of the signed error across groups) and
        ``chi2_pvalue`` (over / exact / under independent of the group), ``spread`` (largest minus smallest
        mean signed error, notches).
    """
    where = "errors_by_group"
    a, b = _pair(y_true, y_pred, where)
    if not isinstance(groups, pd.Series) or len(groups) != a.size:
        raise ValueError(f"{where}: groups must be a Series with one entry per loan ({a.size})")
    min_count = check_positive_int(min_count, "min_count", where=where)
    g = groups.astype(str).to_numpy()
    counts = pd.Series(g).value_counts()
    g = np.where(np.isin(g, counts.index[counts >= min_count]), g, "other")
    keep = pd.Series(g).map(pd.Series(g).value_counts()).to_numpy() >= min_count
    a, b, g = a[keep], b[keep], g[keep]
    if np.unique(g).size < 2:
        raise ValueError(f"{where}: fewer than two groups have at least {min_count} loans")
    err = b - a
    frame = pd.DataFrame({"group": g, "err": err})
    out = frame.groupby("group")["err"].agg(
        n="size",
        mean_signed_error="mean",
        se=lambda e: e.std(ddof=1) / np.sqrt(e.size),
        mae_notches=lambda e: np.abs(e).mean(),
        over_grading_rate=lambda e: (e < 0).mean(),
        under_grading_rate=lambda e: (e > 0).mean(),
    )
    out = out.sort_values("n", ascending=False)
    samples = [frame.loc[frame["group"] == k, "err"].to_numpy() for k in out.index]
    out.attrs["kruskal_pvalue"] = (
        float(stats.kruskal(*samples).pvalue) if np.unique(err).size > 1 else 1.0
    )
    table = pd.crosstab(frame["group"], np.sign(frame["err"]))
    out.attrs["chi2_pvalue"] = (
        float(stats.chi2_contingency(table).pvalue) if table.shape[1] > 1 else 1.0
    )
    out.attrs["spread"] = float(out["mean_signed_error"].max() - out["mean_signed_error"].min())
    return out


def grade_scores(
    y_true: np.ndarray, probs: Mapping[str, np.ndarray], *, rule: str = "median"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Every model's test scores from its grade probabilities (shape (n, K) each, predicted by ``rule``).

    Returns
    -------
    (table, abs_errors, rps)
        ``table``: one row per model with :func:`notch_metrics` and ``rps`` (mean ranked probability score);
        ``abs_errors`` and ``rps``: per-loan absolute notch errors and ranked probability scores, one column per
        model (the losses the comparison protocol tests).
    """
    if not isinstance(probs, Mapping) or not probs:
        raise ValueError(
            "grade_scores: probs must map at least one model name to its probabilities"
        )
    y = _notches(y_true, "y_true", "grade_scores")
    rows, errors, scores = {}, {}, {}
    for name, p in probs.items():
        pred = grade_from_probabilities(p, rule)
        scores[name] = ranked_probability_score(y, p)
        rows[name] = notch_metrics(y, pred) | {"rps": float(scores[name].mean())}
        errors[name] = np.abs(pred - y).astype(float)
    return pd.DataFrame(rows).T, pd.DataFrame(errors), pd.DataFrame(scores)


def grade_calibration(
    y_true: np.ndarray, probs: np.ndarray, labels: list[str] | None = None
) -> pd.DataFrame:
    """Calibration in the large, grade by grade: does each grade hold as many loans as the model's probabilities
    say it should?

    For grade ``k`` the model expects ``sum_i p_ik`` loans; the observed count is the number with ``y_true == k``.
    Under calibration (and independent loans) the count is Poisson-binomial with variance ``sum_i p_ik (1 -
    p_ik)``; ``z`` is (observed - expected) / its standard deviation and ``pvalue`` its two-sided normal p-value,
    ``pvalue_holm`` adjusted over the grades. ``y_true``: notches 0..K-1, shape (n,); ``probs``: (n, K).

    Returns
    -------
    DataFrame
        One row per grade (``labels`` or 0..K-1): ``observed``, ``expected`` (counts), ``share_observed``,
        ``share_expected`` (shares of the n loans), ``z``, ``pvalue``, ``pvalue_holm``.
    """
    where = "grade_calibration"
    p = _probabilities(probs, where)
    y = _notches(y_true, "y_true", where)
    n, k = p.shape
    if y.size != n:
        raise ValueError(f"{where}: y_true has {y.size} rows and probs {n}")
    if (y >= k).any():
        raise ValueError(f"{where}: y_true holds notch {int(y.max())}, but probs has {k} grades")
    if labels is not None and len(labels) != k:
        raise ValueError(f"{where}: labels has {len(labels)} names for {k} grades")
    observed = np.bincount(y, minlength=k).astype(float)
    expected = p.sum(axis=0)
    sd = np.sqrt((p * (1 - p)).sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (observed - expected) / sd, np.nan)
    pvalue = 2 * stats.norm.sf(np.abs(z))
    tested = np.isfinite(pvalue)
    holm_p = np.full(k, np.nan)
    if tested.any():
        holm_p[tested] = holm(pvalue[tested])
    return pd.DataFrame(
        {
            "observed": observed.astype(int),
            "expected": expected,
            "share_observed": observed / n,
            "share_expected": expected / n,
            "z": z,
            "pvalue": pvalue,
            "pvalue_holm": holm_p,
        },
        index=pd.Index(labels if labels is not None else range(k), name="grade"),
    )
