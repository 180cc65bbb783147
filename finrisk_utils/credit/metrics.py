"""Credit-model validation metrics: discrimination (AUC, Gini, KS, DeLong), calibration (Brier, log loss,
calibration curve, ECE), stability (PSI), cost, and the rating master scale.

``y`` is 1 for a default (bad) and 0 otherwise; ``p`` is the predicted probability of default (PD).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn import metrics as skm

from finrisk_utils.core.validation import (
    DataValidationError,
    as_float_array,
    check_columns,
    check_labels_and_scores,
    check_number,
    check_positive_int,
    check_probability,
)

__all__ = [
    "check_pd_values",
    "labels_and_scores",
    "DeLongResult",
    "goal_table",
    "assign_grades",
    "calibration_table",
    "classification_metrics",
    "delong_test",
    "expected_calibration_error",
    "expected_cost",
    "grade_table",
    "ks_statistic",
    "psi",
]


def labels_and_scores(
    y: np.ndarray, p: np.ndarray, where: str = "credit metrics", name: str = "p"
) -> tuple[np.ndarray, np.ndarray]:
    """0/1 labels with both classes (1 = bad) and finite scores of the same length; errors name ``where``."""
    return check_labels_and_scores(
        y, p, name, where=where, meaning="0 (good) and 1 (bad), both present"
    )


def check_pd_values(p: np.ndarray, where: str = "credit metrics") -> None:
    """Raise naming ``where`` and the first bad row unless every PD lies in [0, 1]."""
    bad = (p < 0) | (p > 1)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{where}: p must be probabilities in [0, 1], row {i} is {float(p[i])!r}")


def ks_statistic(y: np.ndarray, p: np.ndarray) -> float:
    """Kolmogorov-Smirnov: the largest gap between the score distributions of bads and goods (= max TPR-FPR)."""
    y, p = labels_and_scores(y, p, "ks_statistic")
    return float(stats.ks_2samp(p[y == 1], p[y == 0]).statistic)


def expected_calibration_error(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> float:
    """ECE over ``n_bins`` equal-frequency bins: the share-weighted mean |mean PD - observed default rate|."""
    y, p = labels_and_scores(y, p, "expected_calibration_error")
    check_pd_values(p, "expected_calibration_error")
    table = calibration_table(y, p, n_bins)
    return float(np.sum(table["share"] * (table["mean_pd"] - table["default_rate"]).abs()))


def calibration_table(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Equal-frequency bins of PD: share of applicants, mean PD and observed default rate per bin."""
    y, p = labels_and_scores(y, p, "calibration_table")
    n_bins = check_positive_int(n_bins, "n_bins", where="calibration_table")
    order = np.argsort(p, kind="stable")
    bins = np.array_split(order, min(n_bins, y.size))
    return pd.DataFrame(
        {
            "share": [len(b) / y.size for b in bins],
            "mean_pd": [p[b].mean() for b in bins],
            "default_rate": [y[b].mean() for b in bins],
        }
    )


def psi(expected: np.ndarray, actual: np.ndarray, n_bins: int = 10, eps: float = 1e-4) -> float:
    """Population stability index of ``actual`` scores against ``expected`` (e.g. test vs train), over
    ``n_bins`` bins cut at the expected scores' quantiles: ``sum (a - e) ln(a / e)``. Rules of thumb:
    < 0.1 stable, 0.1-0.25 some shift, > 0.25 significant shift. Empty bins are floored at ``eps``."""
    e = as_float_array(expected, "expected", where="psi", allow_empty=True)
    a = as_float_array(actual, "actual", where="psi", allow_empty=True)
    if e.size == 0 or a.size == 0:
        raise DataValidationError("psi: expected and actual must be non-empty")
    n_bins = check_positive_int(n_bins, "n_bins", where="psi")
    check_number(eps, "eps", where="psi", minimum=0, strict=True)
    edges = np.unique(np.quantile(e, np.linspace(0, 1, n_bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    e_share = np.histogram(e, edges)[0] / e.size
    a_share = np.histogram(a, edges)[0] / a.size
    e_share, a_share = np.maximum(e_share, eps), np.maximum(a_share, eps)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))


def expected_cost(
    y: np.ndarray, p: np.ndarray, cost_fn: float = 5.0, cost_fp: float = 1.0
) -> tuple[float, float]:
    """Average cost per applicant when rejecting everyone whose PD exceeds the Bayes-optimal threshold
    ``cost_fp / (cost_fp + cost_fn)`` (accepting a bad costs ``cost_fn``, rejecting a good ``cost_fp``).
    The threshold is optimal only for calibrated PDs, so miscalibration shows up as extra cost.
    Returns ``(cost, threshold)``."""
    y, p = labels_and_scores(y, p, "expected_cost")
    check_pd_values(p, "expected_cost")
    check_number(cost_fn, "cost_fn", where="expected_cost", minimum=0, strict=True)
    check_number(cost_fp, "cost_fp", where="expected_cost", minimum=0, strict=True)
    threshold = cost_fp / (cost_fp + cost_fn)
    reject = p > threshold
    cost = cost_fn * np.sum((y == 1) & ~reject) + cost_fp * np.sum((y == 0) & reject)
    return float(cost / y.size), threshold


def classification_metrics(
    y: np.ndarray, p: np.ndarray, *, cost_fn: float = 5.0, cost_fp: float = 1.0
) -> dict[str, float]:
    """AUC, Gini, KS, Brier, log loss, ECE and expected cost of one set of PDs."""
    y, p = labels_and_scores(y, p, "classification_metrics")
    check_pd_values(p, "classification_metrics")
    auc = float(skm.roc_auc_score(y, p))
    return {
        "auc": auc,
        "gini": 2 * auc - 1,
        "ks": ks_statistic(y, p),
        "brier": float(skm.brier_score_loss(y, p)),
        "log_loss": float(skm.log_loss(y, np.clip(p, 1e-15, 1 - 1e-15))),
        "ece": expected_calibration_error(y, p),
        "expected_cost": expected_cost(y, p, cost_fn, cost_fp)[0],
    }


@dataclass(frozen=True)
class DeLongResult:
    """DeLong et al. (1988) test of equal AUC of two scores on the same applicants."""

    auc_a: float
    auc_b: float
    difference: float
    std_error: float
    z: float
    pvalue: float
    ci95: tuple[float, float]


def _placements(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Structural components: V10[i] = P(score of bad i > a random good), V01[j] = P(a random bad > good j);
    ties count 1/2 (the Mann-Whitney kernel), computed with ranks in O(n log n)."""
    m, n = pos.size, neg.size
    all_ranks = stats.rankdata(np.concatenate([pos, neg]))
    pos_ranks, neg_ranks = stats.rankdata(pos), stats.rankdata(neg)
    v10 = (all_ranks[:m] - pos_ranks) / n
    v01 = 1 - (all_ranks[m:] - neg_ranks) / m
    return v10, v01


def delong_test(y: np.ndarray, p_a: np.ndarray, p_b: np.ndarray) -> DeLongResult:
    """Two-sided test that scores ``p_a`` and ``p_b`` have the same AUC on the same labels ``y``, with the
    DeLong covariance of the two AUC estimates; ``difference = auc_a - auc_b``."""
    y, p_a = labels_and_scores(y, p_a, "delong_test", "p_a")
    _, p_b = labels_and_scores(y, p_b, "delong_test", "p_b")
    v10, v01 = zip(*(_placements(p[y == 1], p[y == 0]) for p in (p_a, p_b)), strict=True)
    aucs = np.array([v.mean() for v in v10])
    s10, s01 = np.cov(np.vstack(v10)), np.cov(np.vstack(v01))
    cov = s10 / len(v10[0]) + s01 / len(v01[0])
    var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    diff = float(aucs[0] - aucs[1])
    if var <= 0:
        return DeLongResult(float(aucs[0]), float(aucs[1]), diff, 0.0, 0.0, 1.0, (diff, diff))
    se = float(np.sqrt(var))
    z = diff / se
    return DeLongResult(
        float(aucs[0]),
        float(aucs[1]),
        diff,
        se,
        z,
        float(2 * stats.norm.sf(abs(z))),
        (diff - 1.96 * se, diff + 1.96 * se),
    )


def assign_grades(p: np.ndarray, upper_bounds: list[float]) -> np.ndarray:
    """Rating grade (1 = best) of each PD on a master scale whose grade ``k`` covers PDs up to
    ``upper_bounds[k-1]`` (increasing; the last must be 1)."""
    bounds = as_float_array(upper_bounds, "upper_bounds", where="assign_grades")
    if bounds.size < 2 or np.any(np.diff(bounds) <= 0) or bounds[-1] != 1.0:
        raise ValueError(
            f"assign_grades: upper_bounds must increase strictly and end at 1.0, got {list(bounds)}"
        )
    p = as_float_array(p, "p", where="assign_grades")
    check_pd_values(p, "assign_grades")
    return np.searchsorted(bounds, p, side="left") + 1


def grade_table(y: np.ndarray, p: np.ndarray, upper_bounds: list[float]) -> pd.DataFrame:
    """Per grade: PD band, number and share of applicants, mean PD, observed default rate.
    ``table.attrs["monotone"]`` says whether the observed default rate never falls from one non-empty grade to
    the next, the first thing a validator checks of a master scale."""
    y, p = labels_and_scores(y, p, "grade_table")
    grades = assign_grades(p, upper_bounds)
    lower = [0.0, *upper_bounds[:-1]]
    rows = []
    for g, (lo, hi) in enumerate(zip(lower, upper_bounds, strict=True), start=1):
        mask = grades == g
        rows.append(
            {
                "grade": g,
                "pd_band": f"{lo:.0%}-{hi:.0%}",
                "n": int(mask.sum()),
                "share": float(mask.mean()),
                "mean_pd": float(p[mask].mean()) if mask.any() else np.nan,
                "default_rate": float(y[mask].mean()) if mask.any() else np.nan,
            }
        )
    table = pd.DataFrame(rows).set_index("grade")
    observed = table["default_rate"].dropna().to_numpy()
    table.attrs["monotone"] = bool(np.all(np.diff(observed) >= 0))
    return table


def goal_table(
    summary: pd.DataFrame,
    models: Sequence[str],
    benchmark: str,
    delong: Mapping[str, DeLongResult],
    *,
    auc_min: float,
    brier_max: float,
) -> pd.DataFrame:
    """Does each of ``models`` meet the goals set before the run (AUC at least ``auc_min``, Brier score at
    most ``brier_max``), and how far is its AUC from ``benchmark``'s? ``summary``: models x metrics with
    ``auc`` and ``brier`` columns (e.g. cross-validated means), which the goals are read on (columns ``auc``,
    ``brier``); ``delong[m]``: the DeLong test of ``m`` against the benchmark. The test's own estimates sit
    beside its p-value under names that say so (``delong_auc``, ``delong_auc_<benchmark>`` and
    ``delong_auc_minus_<benchmark>``: the AUCs of the scores the test used, e.g. pooled out-of-fold PDs, which
    need not equal the CV means). One row per model."""
    where = "goal_table"
    check_columns(summary, ["auc", "brier"], where=where)
    missing = [m for m in [*models, benchmark] if m not in summary.index]
    if missing:
        raise ValueError(f"{where}: no summary row for {missing}; have {list(summary.index)}")
    no_test = [m for m in models if m not in delong]
    if no_test:
        raise ValueError(f"{where}: no DeLong test for {no_test}")
    auc_min = check_probability(auc_min, "auc_min", where=where, closed=True)
    brier_max = check_probability(brier_max, "brier_max", where=where, closed=True)
    rows = {
        m: {
            "auc": float(summary.loc[m, "auc"]),
            "auc_goal_met": bool(summary.loc[m, "auc"] >= auc_min),
            "brier": float(summary.loc[m, "brier"]),
            "brier_goal_met": bool(summary.loc[m, "brier"] <= brier_max),
            "delong_auc": float(delong[m].auc_a),
            f"delong_auc_{benchmark}": float(delong[m].auc_b),
            f"delong_auc_minus_{benchmark}": float(delong[m].difference),
            f"delong_pvalue_vs_{benchmark}": delong[m].pvalue,
        }
        for m in models
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
