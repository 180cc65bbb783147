"""Keras 3 model builders (``keras`` APIs only, so any backend works) and the training helper."""

from finrisk_utils.models.autoencoder import (
    build_autoencoder,
    build_code_regressor,
    encode,
    reconstruction_error,
)
from finrisk_utils.models.convolutional import build_conv_regressor, receptive_field
from finrisk_utils.models.dense import (
    KerasDenseClassifier,
    build_dense_classifier,
    build_dense_regressor,
)
from finrisk_utils.models.quantile import (
    QuantileESHead,
    build_quantile_es_network,
    fz0_loss,
    pinball_loss,
)
from finrisk_utils.models.recurrent import build_recurrent_regressor
from finrisk_utils.models.training import FitResult, fit_epochs, fit_model

__all__ = [
    "FitResult",
    "KerasDenseClassifier",
    "build_conv_regressor",
    "build_dense_classifier",
    "build_dense_regressor",
    "QuantileESHead",
    "build_autoencoder",
    "build_code_regressor",
    "encode",
    "reconstruction_error",
    "build_quantile_es_network",
    "build_recurrent_regressor",
    "fit_epochs",
    "fit_model",
    "fz0_loss",
    "pinball_loss",
    "receptive_field",
]
