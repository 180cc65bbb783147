"""Keras 3 model builders (``keras.ops`` only, so any backend works), losses, training and inspection."""

from finrisk_utils.models.autoencoder import (
    build_autoencoder,
    build_code_regressor,
    encode,
    reconstruction_error,
)
from finrisk_utils.models.convolutional import (
    build_conv_regressor,
    receptive_field,
)
from finrisk_utils.models.dense import (
    KerasDenseClassifier,
    build_dense_classifier,
    build_dense_regressor,
)
from finrisk_utils.models.graph_reuse import (
    fit_reusing_graphs,
    twin_count,
)
from finrisk_utils.models.inspection import (
    has_learned,
    lag_sensitivity,
    lstm_gates,
    training_report,
)
from finrisk_utils.models.losses import (
    keras_fz0_loss,
    keras_pinball_loss,
)
from finrisk_utils.models.plots import (
    plot_training,
    plot_training_panels,
)
from finrisk_utils.models.quantile import (
    QuantileESHead,
    build_quantile_es_network,
)
from finrisk_utils.models.recurrent import (
    build_recurrent_regressor,
)
from finrisk_utils.models.training import (
    MIN_IMPROVEMENT,
    STEPS_PER_EXECUTION,
    FitResult,
    fit_epochs,
    fit_model,
    naive_validation_loss,
    predict_array,
)

__all__ = [
    "FitResult",
    "KerasDenseClassifier",
    "MIN_IMPROVEMENT",
    "STEPS_PER_EXECUTION",
    "QuantileESHead",
    "build_autoencoder",
    "build_code_regressor",
    "build_conv_regressor",
    "build_dense_classifier",
    "build_dense_regressor",
    "build_quantile_es_network",
    "build_recurrent_regressor",
    "encode",
    "fit_epochs",
    "fit_model",
    "fit_reusing_graphs",
    "has_learned",
    "keras_fz0_loss",
    "keras_pinball_loss",
    "lag_sensitivity",
    "lstm_gates",
    "naive_validation_loss",
    "predict_array",
    "plot_training",
    "plot_training_panels",
    "receptive_field",
    "reconstruction_error",
    "training_report",
    "twin_count",
]
