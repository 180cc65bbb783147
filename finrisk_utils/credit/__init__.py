"""Credit risk: WoE scorecard, PD models and cross-validation, classification metrics, PD figures."""

from finrisk_utils.credit.metrics import (
    DeLongResult,
    assign_grades,
    calibration_table,
    classification_metrics,
    delong_test,
    expected_calibration_error,
    expected_cost,
    grade_table,
    ks_statistic,
    psi,
)
from finrisk_utils.credit.models import (
    credit_models,
    one_hot_preprocessor,
    reason_codes,
    repeated_cv,
    split_features_label,
    summarize_cv,
)
from finrisk_utils.credit.plots import (
    plot_calibration,
    plot_roc,
    plot_score_distributions,
)
from finrisk_utils.credit.scorecard import (
    WoEEncoder,
    make_scorecard,
    points_scale,
    scorecard_table,
)

__all__ = [
    "DeLongResult",
    "WoEEncoder",
    "assign_grades",
    "calibration_table",
    "classification_metrics",
    "credit_models",
    "delong_test",
    "expected_calibration_error",
    "expected_cost",
    "grade_table",
    "ks_statistic",
    "make_scorecard",
    "one_hot_preprocessor",
    "plot_calibration",
    "plot_roc",
    "plot_score_distributions",
    "points_scale",
    "psi",
    "reason_codes",
    "repeated_cv",
    "scorecard_table",
    "split_features_label",
    "summarize_cv",
]
