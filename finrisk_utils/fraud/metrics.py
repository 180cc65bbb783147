"""Evaluation of fraud/anomaly detectors at low prevalence: PR-AUC first, alerts under a review budget,
recall per fraud mechanism, and what missed fraud and investigations cost."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from finrisk_utils.core.validation import (
    as_float_array,
    check_binary_labels,
    check_number,
    check_probability,
)

__all__ = [
    "alert_costs",
    "budget_threshold",
    "detection_metrics",
    "false_alerts_per_fraud",
    "recall_by_group",
]


def _check(
    y: np.ndarray, score: np.ndarray, where: str, name: str = "score", both: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """0/1 labels (both classes unless ``both=False``) and finite values of the same length."""
    if both:
        try:
            y = check_binary_labels(y, "y", where=where)
        except ValueError as err:
            raise type(err)(f"{err} (y must hold both 0 (normal) and 1 (fraud))") from None
    else:
        y = as_float_array(y, "y", where=where)
        if not np.isin(y, (0.0, 1.0)).all():
            raise ValueError(f"{where}: y must hold 0 (normal) and 1 (fraud) only")
        y = y.astype(int)
    score = as_float_array(score, name, where=where)
    if y.shape != score.shape:
        raise ValueError(
            f"{where}: y and {name} must be 1-D of equal, non-zero length, got {y.shape} and "
            f"{score.shape}"
        )
    return y, score


def budget_threshold(scores: np.ndarray, budget: float) -> float:
    """The score above which the top ``budget`` share of ``scores`` lie (choose it on validation data)."""
    budget = check_probability(budget, "budget (a share)", where="budget_threshold")
    scores = as_float_array(scores, "scores", where="budget_threshold")
    return float(np.quantile(scores, 1 - budget))


def detection_metrics(y: np.ndarray, score: np.ndarray, threshold: float) -> dict[str, float]:
    """PR-AUC (average precision; a random detector scores the prevalence), ROC-AUC, and precision, recall and
    alert rate of the alerts ``score > threshold``."""
    y, score = _check(y, score, "detection_metrics")
    threshold = check_number(threshold, "threshold", where="detection_metrics")
    flagged = score > threshold
    tp = int(np.sum(flagged & (y == 1)))
    return {
        "pr_auc": float(skm.average_precision_score(y, score)),
        "roc_auc": float(skm.roc_auc_score(y, score)),
        "precision_at_budget": tp / flagged.sum() if flagged.any() else 0.0,
        "recall_at_budget": tp / int(y.sum()),
        "alert_rate": float(flagged.mean()),
    }


def false_alerts_per_fraud(
    y: np.ndarray, score: np.ndarray, recall: float = 0.8
) -> tuple[float, float]:
    """At the loosest threshold catching ``recall`` of the frauds: ``(false positive rate, false alerts per
    fraud caught)``. Shows why ROC-AUC flatters detectors at low prevalence: a tiny FPR times a huge number of
    normal transactions is still many false alerts per fraud."""
    y, score = _check(y, score, "false_alerts_per_fraud")
    recall = check_probability(recall, "recall", where="false_alerts_per_fraud", closed=True)
    fpr, tpr, _ = skm.roc_curve(y, score)
    i = int(np.argmax(tpr >= recall))
    n_pos, n_neg = int(y.sum()), int((y == 0).sum())
    return float(fpr[i]), float(fpr[i] * n_neg / max(tpr[i] * n_pos, 1e-12))


def recall_by_group(
    y: np.ndarray, flagged: np.ndarray, groups: pd.Series | np.ndarray
) -> pd.Series:
    """Share of the frauds of each group (e.g. fraud mechanism) that were flagged."""
    y, flag = _check(y, flagged, "recall_by_group", "flagged", both=False)
    flagged = flag.astype(bool)
    groups = np.asarray(groups)
    if groups.shape != y.shape:
        raise ValueError(f"recall_by_group: groups has shape {groups.shape}, y has {y.shape}")
    frauds = y == 1
    return pd.Series(flagged[frauds]).groupby(groups[frauds]).mean().rename("recall")


def alert_costs(
    y: np.ndarray, flagged: np.ndarray, amount: np.ndarray, cost_per_alert: float
) -> dict[str, float]:
    """Money lost to missed frauds (their amounts), money spent investigating alerts, and the total."""
    y, flag = _check(y, flagged, "alert_costs", "flagged", both=False)
    flagged = flag.astype(bool)
    amount = as_float_array(amount, "amount", where="alert_costs")
    if amount.shape != y.shape:
        raise ValueError(f"alert_costs: amount has shape {amount.shape}, y has {y.shape}")
    cost_per_alert = check_number(cost_per_alert, "cost_per_alert", where="alert_costs", minimum=0)
    missed = float(amount[(y == 1) & ~flagged].sum())
    investigation = float(flagged.sum() * cost_per_alert)
    return {"missed_fraud": missed, "investigation": investigation, "total": missed + investigation}
