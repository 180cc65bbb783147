"""Evaluation of fraud/anomaly detectors at low prevalence: PR-AUC first, alerts under a review budget,
recall per fraud mechanism, and what missed fraud and investigations cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from finrisk_utils.core.validation import (
    as_float_array,
    check_binary_labels,
    check_columns,
    check_labels_and_scores,
    check_number,
    check_positive_int,
    check_probability,
)

__all__ = [
    "alert_costs",
    "bootstrap_detection",
    "budget_threshold",
    "daily_costs",
    "weighted_average_precision",
    "detection_metrics",
    "false_alerts_per_fraud",
    "recall_by_group",
]


def _check(
    y: np.ndarray, score: np.ndarray, where: str, name: str = "score", both: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """0/1 labels (both classes unless ``both=False``) and finite values of the same length."""
    meaning = "both 0 (normal) and 1 (fraud)" if both else "0 (normal) and 1 (fraud) only"
    return check_labels_and_scores(y, score, name, where=where, meaning=meaning, both=both)


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


def weighted_average_precision(
    y: np.ndarray, score: np.ndarray, weight: np.ndarray | None = None
) -> float:
    """Average precision (PR-AUC, ties grouped as in scikit-learn) with non-negative row weights, e.g. the
    counts of a bootstrap resample; equal weights give ``sklearn.metrics.average_precision_score``."""
    y, score = _check(y, score, "weighted_average_precision")
    w = (
        np.ones_like(score)
        if weight is None
        else as_float_array(weight, "weight", where="weighted_average_precision")
    )
    if w.shape != y.shape or (w < 0).any():
        raise ValueError("weighted_average_precision: weight must be non-negative, one per row")
    order = np.argsort(-score, kind="mergesort")
    last = np.r_[np.flatnonzero(np.diff(score[order])), len(score) - 1]
    return _sorted_ap(y[order], w[order], last)


def _sorted_ap(y: np.ndarray, w: np.ndarray, last: np.ndarray) -> float:
    """Weighted average precision of rows already sorted by decreasing score; ``last``: the last row of
    each distinct score."""
    tp, fp = np.cumsum(w * y)[last], np.cumsum(w * (1 - y))[last]
    if tp[-1] <= 0:
        return float("nan")
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    return float(np.sum(np.diff(np.r_[0.0, tp / tp[-1]]) * precision))


def bootstrap_detection(
    draws: Sequence[pd.DataFrame],
    thresholds: Sequence[Mapping[str, float]],
    *,
    reference: str,
    n_boot: int = 200,
    level: float = 0.90,
    seed: int = 0,
) -> pd.DataFrame:
    """PR-AUC and recall at the alert budget of every detector, averaged over generator draws, with
    two-level bootstrap intervals: resample the draws, then the test transactions within each (Poisson
    weights, the same for every detector so that differences are paired).

    ``draws``: one test table per draw, with ``is_fraud`` and one score column per detector (the same
    detectors in every draw); ``thresholds``: per draw, each detector's alert threshold (chosen on validation).
    Returns one row per detector: ``pr_auc``, ``pr_auc_ci_low``, ``pr_auc_ci_high``, ``recall_at_budget`` and
    its interval, ``pr_auc_diff`` (detector minus ``reference``) with its interval and
    ``pr_auc_diff_share_below_zero`` (share of resamples in which the detector scores below the reference),
    ``pr_auc_draw_min`` and ``pr_auc_draw_max`` (spread over draws)."""
    where = "bootstrap_detection"
    if not isinstance(draws, Sequence) or not draws or len(draws) != len(thresholds):
        raise ValueError(
            f"{where}: draws and thresholds must be non-empty sequences of equal length"
        )
    names = [c for c in draws[0].columns if c != "is_fraud"]
    if reference not in names:
        raise ValueError(f"{where}: reference {reference!r} is not a detector of draws ({names})")
    n_boot = check_positive_int(n_boot, "n_boot", where=where, minimum=10)
    level = check_probability(level, "level", where=where)
    prepared = []
    for i, (d, thr) in enumerate(zip(draws, thresholds, strict=True)):
        check_columns(d, ["is_fraud", *names], where=f"{where}: draw {i}")
        missing = sorted(set(names) - set(thr))
        if missing:
            raise ValueError(f"{where}: draw {i} has no threshold for {missing}")
        y = check_binary_labels(d["is_fraud"].to_numpy(), "is_fraud", where=f"{where}: draw {i}")
        scores = {m: as_float_array(d[m].to_numpy(), m, where=where) for m in names}
        flags = {m: scores[m] > float(thr[m]) for m in names}
        orders = {m: np.argsort(-scores[m], kind="mergesort") for m in names}
        lasts = {
            m: np.r_[np.flatnonzero(np.diff(scores[m][o])), len(y) - 1] for m, o in orders.items()
        }
        prepared.append((y, scores, flags, orders, lasts))

    def stats(weights: Sequence[np.ndarray | None], counts: np.ndarray) -> np.ndarray:
        out = np.zeros((len(names), 2))
        for (y, _, flags, orders, lasts), w, c in zip(prepared, weights, counts, strict=True):
            if c == 0:
                continue
            ww = np.ones(len(y)) if w is None else w
            for j, m in enumerate(names):
                o = orders[m]
                out[j, 0] += c * _sorted_ap(y[o], ww[o], lasts[m])
                out[j, 1] += c * np.sum(ww * y * flags[m]) / np.sum(ww * y)
        return out / counts.sum()

    k = len(prepared)
    point = stats([None] * k, np.ones(k))
    per_draw = np.array(
        [[weighted_average_precision(y, s[m]) for m in names] for y, s, *_ in prepared]
    )
    rng = np.random.default_rng(seed)
    boot = np.empty((n_boot, len(names), 2))
    for b in range(n_boot):
        counts = rng.multinomial(k, np.full(k, 1 / k)) if k > 1 else np.ones(1)
        weights = []
        for y, *_ in prepared:
            w = rng.poisson(1.0, len(y)).astype(float)
            while np.sum(w * y) == 0:  # keep at least one fraud
                w = rng.poisson(1.0, len(y)).astype(float)
            weights.append(w)
        boot[b] = stats(weights, counts)
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    ref = names.index(reference)
    diff = boot[:, :, 0] - boot[:, [ref], 0]
    return pd.DataFrame(
        {
            "pr_auc": point[:, 0],
            "pr_auc_ci_low": np.quantile(boot[:, :, 0], lo, axis=0),
            "pr_auc_ci_high": np.quantile(boot[:, :, 0], hi, axis=0),
            "recall_at_budget": point[:, 1],
            "recall_at_budget_ci_low": np.quantile(boot[:, :, 1], lo, axis=0),
            "recall_at_budget_ci_high": np.quantile(boot[:, :, 1], hi, axis=0),
            "pr_auc_diff": point[:, 0] - point[ref, 0],
            "pr_auc_diff_ci_low": np.quantile(diff, lo, axis=0),
            "pr_auc_diff_ci_high": np.quantile(diff, hi, axis=0),
            "pr_auc_diff_share_below_zero": (diff < 0).mean(axis=0),
            "pr_auc_draw_min": per_draw.min(axis=0),
            "pr_auc_draw_max": per_draw.max(axis=0),
        },
        index=pd.Index(names, name="detector"),
    )


def daily_costs(
    day: np.ndarray,
    y: np.ndarray,
    flags: Mapping[str, np.ndarray],
    amount: np.ndarray,
    cost_per_alert: float,
) -> pd.DataFrame:
    """Per-day cost of each detector's alerts (rows: days, columns: detectors): the amounts of the frauds it
    missed that day plus ``cost_per_alert`` times its alerts; the per-period loss for
    :func:`finrisk_utils.forecasting.compare.compare_forecasts`."""
    where = "daily_costs"
    if not flags:
        raise ValueError(f"{where}: flags must map at least one detector to its alerts")
    day = np.asarray(day)
    out = {}
    for name, flagged in flags.items():
        y_, flag = _check(y, flagged, where, "flagged", both=False)
        amt = as_float_array(amount, "amount", where=where)
        if amt.shape != y_.shape or day.shape != y_.shape:
            raise ValueError(f"{where}: day, y, {name} flags and amount must have equal length")
        cost_per_alert = check_number(cost_per_alert, "cost_per_alert", where=where, minimum=0)
        f = flag.astype(bool)
        out[name] = amt * ((y_ == 1) & ~f) + cost_per_alert * f
    return pd.DataFrame(out).groupby(day).sum()
