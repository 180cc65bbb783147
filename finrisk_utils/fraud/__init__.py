"""Operational risk (card fraud): transaction simulator, detectors, detection metrics and figures."""

from finrisk_utils.fraud.detectors import (
    fit_detectors,
    split_by_time,
    transaction_features,
)
from finrisk_utils.fraud.metrics import (
    alert_costs,
    budget_threshold,
    detection_metrics,
    false_alerts_per_fraud,
    recall_by_group,
)
from finrisk_utils.fraud.plots import (
    plot_pr_curves,
)
from finrisk_utils.fraud.simulator import (
    FRAUD_MECHANISMS,
    MERCHANT_CATEGORIES,
    make_transactions,
)

__all__ = [
    "FRAUD_MECHANISMS",
    "MERCHANT_CATEGORIES",
    "alert_costs",
    "budget_threshold",
    "detection_metrics",
    "false_alerts_per_fraud",
    "fit_detectors",
    "make_transactions",
    "plot_pr_curves",
    "recall_by_group",
    "split_by_time",
    "transaction_features",
]
