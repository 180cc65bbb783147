"""Quantile/ES networks for VaR and Expected Shortfall, and their losses, in ``keras.ops`` only.

A network outputs, per sample, the ``alpha`` return quantile ``q`` and the ES ``e`` (mean return below ``q``),
both negative, with ``e < q``, in the (scaled) units of its target. It is trained with the Fissler-Ziegel
FZ0 loss (Patton, Ziegel and Chen 2019), the strictly consistent joint score for (VaR, ES).
"""

from __future__ import annotations

import keras
from keras import ops

from finrisk_utils.core.validation import check_probability
from finrisk_utils.models.losses import keras_fz0_loss, keras_pinball_loss
from finrisk_utils.models.training import STEPS_PER_EXECUTION

__all__ = ["QuantileESHead", "build_quantile_es_network"]


@keras.saving.register_keras_serializable(package="finrisk")
class QuantileESHead(keras.layers.Layer):
    """Maps two unconstrained numbers ``(a, b)`` to a valid pair ``q = q0 exp(a)``,
    ``e = q (1 + (e0/q0 - 1) exp(b))``: both negative and ``e < q`` by construction; ``a = b = 0`` gives the
    training sample's unconditional ``(q0, e0)``, a sensible start."""

    def __init__(self, q0: float, e0: float, **kwargs):
        super().__init__(**kwargs)
        if not e0 < q0 < 0:
            raise ValueError(f"need e0 < q0 < 0 (left-tail quantile and ES), got q0={q0}, e0={e0}")
        self.q0, self.e0 = float(q0), float(e0)

    def call(self, inputs):
        a, b = inputs[:, 0], inputs[:, 1]
        q = self.q0 * ops.exp(ops.clip(a, -10.0, 10.0))
        e = q * (1.0 + (self.e0 / self.q0 - 1.0) * ops.exp(ops.clip(b, -10.0, 10.0)))
        return ops.stack([q, e], axis=1)

    def get_config(self) -> dict:
        return {**super().get_config(), "q0": self.q0, "e0": self.e0}


def build_quantile_es_network(
    window: int,
    n_features: int,
    *,
    alpha: float,
    q0: float,
    e0: float,
    kind: str = "lstm",
    units: int = 32,
    dropout: float = 0.0,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """LSTM or 1-D CNN body and a (quantile, ES) head, compiled with the FZ0 loss.

    Input ``(batch, window, n_features)``; output ``(batch, 2)``: ``[:, 0]`` the ``alpha`` quantile, ``[:, 1]``
    the ES, in the target's units. The CNN is two causal dilated convolutions and global average pooling.
    """
    alpha = check_probability(
        alpha, "alpha (tail probability)", where="build_quantile_es_network", upper=0.5
    )
    if kind not in {"lstm", "cnn"}:
        raise ValueError(f"kind must be 'lstm' or 'cnn', got {kind!r}")
    for name, value in (("window", window), ("n_features", n_features), ("units", units)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    inputs = keras.Input(shape=(window, n_features), name="window")
    if kind == "lstm":
        x = keras.layers.LSTM(units, name="lstm")(inputs)
    else:
        x = keras.layers.Conv1D(units, 5, padding="causal", activation="relu", name="conv1")(inputs)
        x = keras.layers.Conv1D(
            units, 5, padding="causal", dilation_rate=2, activation="relu", name="conv2"
        )(x)
        x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
    if dropout:
        x = keras.layers.Dropout(dropout)(x)
    raw = keras.layers.Dense(2, kernel_initializer="zeros", name="raw")(x)
    outputs = QuantileESHead(q0, e0, name="quantile_es")(raw)
    model = keras.Model(inputs, outputs, name=f"{kind}_quantile_es")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras_fz0_loss(alpha),
        metrics=[keras_pinball_loss(alpha)],
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model
