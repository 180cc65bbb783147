"""Operational risk (card fraud): transaction simulator, detectors, detection metrics and figures."""

from finrisk_utils.fraud.detectors import (
    DETECTORS,
    RULES,
    contaminated_training,
    fit_detectors,
    rule_engine_score,
    split_by_time,
    transaction_features,
)
from finrisk_utils.fraud.metrics import (
    alert_costs,
    bootstrap_detection,
    budget_threshold,
    daily_costs,
    detection_metrics,
    false_alerts_per_fraud,
    recall_by_group,
    weighted_average_precision,
)
from finrisk_utils.fraud.plots import (
    plot_pr_curves,
)
from finrisk_utils.fraud.simulator import (
    FRAUD_MECHANISMS,
    MERCHANT_CATEGORIES,
    SEPARATION_FEATURES,
    make_transactions,
    single_feature_separation,
)
from finrisk_utils.fraud.study import (
    DrawResult,
    describe_data,
    detection_verdict,
    run_draw,
    trained_models,
    training_reading,
    training_table,
)

__all__ = [
    "DETECTORS",
    "DrawResult",
    "FRAUD_MECHANISMS",
    "MERCHANT_CATEGORIES",
    "RULES",
    "SEPARATION_FEATURES",
    "alert_costs",
    "bootstrap_detection",
    "budget_threshold",
    "contaminated_training",
    "daily_costs",
    "describe_data",
    "detection_metrics",
    "detection_verdict",
    "false_alerts_per_fraud",
    "fit_detectors",
    "make_transactions",
    "plot_pr_curves",
    "recall_by_group",
    "rule_engine_score",
    "run_draw",
    "single_feature_separation",
    "split_by_time",
    "trained_models",
    "training_reading",
    "training_table",
    "transaction_features",
    "weighted_average_precision",
]
