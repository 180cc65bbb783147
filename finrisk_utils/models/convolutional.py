"""1-D convolutional regressors (TCN-style: causal, dilated convolutions). ``keras`` APIs only.

Input ``(batch, window, n_features)`` as for the recurrent models. With kernel size ``k`` and dilations
``d_1..d_L`` the last output sees the last ``1 + (k - 1) * sum(d)`` time steps (its receptive field).
"""

from __future__ import annotations

import keras

from finrisk_utils.core.validation import check_positive_int
from finrisk_utils.models.training import STEPS_PER_EXECUTION

__all__ = ["build_conv_regressor", "receptive_field"]


def receptive_field(kernel_size: int, dilations: tuple[int, ...]) -> int:
    """Number of past time steps the last output of the causal stack depends on."""
    return 1 + (kernel_size - 1) * sum(dilations)


def build_conv_regressor(
    window: int,
    n_features: int = 1,
    *,
    filters: int = 16,
    kernel_size: int = 3,
    dilations: tuple[int, ...] = (1, 2, 4),
    dropout: float = 0.0,
    n_outputs: int = 1,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """Causal ``Conv1D`` layers (ReLU, one per dilation), the last time step's features, a linear head;
    compiled with MSE and Adam. Output ``(batch, n_outputs)``."""
    window, n_features, filters, kernel_size, n_outputs = (
        check_positive_int(v, k, where="build_conv_regressor")
        for k, v in (
            ("window", window),
            ("n_features", n_features),
            ("filters", filters),
            ("kernel_size", kernel_size),
            ("n_outputs", n_outputs),
        )
    )
    if not dilations or any(
        check_positive_int(d, "dilation", where="build_conv_regressor") != d for d in dilations
    ):
        raise ValueError(f"dilations must be a non-empty tuple of positive ints, got {dilations!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    inputs = keras.Input(shape=(window, n_features), name="window")
    x = inputs
    for d in dilations:
        x = keras.layers.Conv1D(
            filters,
            kernel_size,
            dilation_rate=d,
            padding="causal",
            activation="relu",
            name=f"conv_d{d}",
        )(x)
    if window > 1:
        x = keras.layers.Cropping1D((window - 1, 0), name="last_step")(x)
    x = keras.layers.Flatten(name="features")(x)
    if dropout:
        x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(n_outputs, name="forecast")(x)
    model = keras.Model(inputs, outputs, name="conv_regressor")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="mse",
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model
