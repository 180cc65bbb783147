"""Evaluation of fraud/anomaly detectors at low prevalence: PR-AUC first, alerts under a review budget,
recall per fraud mechanism, and what missed fraud and investigations cost."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics as skm

__all__ = [
    "alert_costs",
    "budget_threshold",
    "detection_metrics",
    "false_alerts_per_fraud",
    "recall_by_group",
]


def _check(y: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y, score = np.asarray(y).astype(int), np.asarray(score, dtype=float)
    if y.shape != score.shape or y.ndim != 1 or y.size == 0:
        raise ValueError(
            f"y and score must be 1-D of equal, non-zero length, got {y.shape} and {score.shape}"
        )
    if not np.isin(y, (0, 1)).all() or y.min() == y.max():
        raise ValueError("y must hold both 0 (normal) and 1 (fraud)")
    if not np.isfinite(score).all():
        raise ValueError("scores must be finite")
    return y, score


def budget_threshold(scores: np.ndarray, budget: float) -> float:
    """The score above which the top ``budget`` share of ``scores`` lie (choose it on validation data)."""
    if not 0 < budget < 1:
        raise ValueError(f"budget must be a share in (0, 1), got {budget}")
    scores = np.asarray(scores, dtype=float)
    return float(np.quantile(scores, 1 - budget))


def detection_metrics(y: np.ndarray, score: np.ndarray, threshold: float) -> dict[str, float]:
    """PR-AUC (average precision; a random detector scores the prevalence), ROC-AUC, and precision, recall and
    alert rate of the alerts ``score > threshold``."""
    y, score = _check(y, score)
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
    y, score = _check(y, score)
    fpr, tpr, _ = skm.roc_curve(y, score)
    i = int(np.argmax(tpr >= recall))
    n_pos, n_neg = int(y.sum()), int((y == 0).sum())
    return float(fpr[i]), float(fpr[i] * n_neg / max(tpr[i] * n_pos, 1e-12))


def recall_by_group(
    y: np.ndarray, flagged: np.ndarray, groups: pd.Series | np.ndarray
) -> pd.Series:
    """Share of the frauds of each group (e.g. fraud mechanism) that were flagged."""
    y, flagged, groups = (
        np.asarray(y).astype(int),
        np.asarray(flagged, dtype=bool),
        np.asarray(groups),
    )
    frauds = y == 1
    return pd.Series(flagged[frauds]).groupby(groups[frauds]).mean().rename("recall")


def alert_costs(
    y: np.ndarray, flagged: np.ndarray, amount: np.ndarray, cost_per_alert: float
) -> dict[str, float]:
    """Money lost to missed frauds (their amounts), money spent investigating alerts, and the total."""
    y, flagged, amount = (
        np.asarray(y).astype(int),
        np.asarray(flagged, dtype=bool),
        np.asarray(amount, float),
    )
    missed = float(amount[(y == 1) & ~flagged].sum())
    investigation = float(flagged.sum() * cost_per_alert)
    return {"missed_fraud": missed, "investigation": investigation, "total": missed + investigation}
