"""Recurrent regressors (simple RNN, LSTM, GRU). Only ``keras`` APIs (no ``tf.*``), so any Keras backend works.

Input shapes follow Keras' convention for sequences: ``(batch, timesteps, features)``, i.e. a window of past
observations along axis 1, never the columns of a table.
"""

from __future__ import annotations

import keras

from finrisk_utils.core.validation import check_positive_int
from finrisk_utils.models.training import STEPS_PER_EXECUTION

__all__ = ["build_recurrent_regressor"]


def build_recurrent_regressor(
    window: int,
    n_features: int = 1,
    *,
    units: int = 32,
    cell: str = "lstm",
    dropout: float = 0.0,
    n_outputs: int = 1,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """One recurrent layer (``cell``: ``"rnn"`` (Elman), ``"lstm"`` or ``"gru"``) and a linear head, compiled with MSE and Adam.

    Input ``(batch, window, n_features)``; output ``(batch, n_outputs)`` in the (scaled) units of the target.
    """
    window, n_features, units, n_outputs = (
        check_positive_int(v, k, where="build_recurrent_regressor")
        for k, v in (
            ("window", window),
            ("n_features", n_features),
            ("units", units),
            ("n_outputs", n_outputs),
        )
    )
    layers = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
    if cell not in layers:
        raise ValueError(f"cell must be one of {sorted(layers)}, got {cell!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    inputs = keras.Input(shape=(window, n_features), name="window")
    x = layers[cell](units, name=cell)(inputs)
    if dropout:
        x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(n_outputs, name="forecast")(x)
    model = keras.Model(inputs, outputs, name=f"{cell}_regressor")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="mse",
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model
