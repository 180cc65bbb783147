"""Keras losses (``keras.ops`` only) for quantile and (VaR, ES) networks. Each matches a NumPy score of
:mod:`finrisk_utils.forecasting.metrics` (``pinball_loss``, ``fz0_score``), averaged over the batch."""

from __future__ import annotations

from keras import ops

from finrisk_utils.core.validation import check_probability

__all__ = ["keras_fz0_loss", "keras_pinball_loss"]


def keras_pinball_loss(alpha: float):
    """Keras loss: mean pinball loss of the ``alpha`` quantile in column 0 of ``y_pred``."""
    alpha = check_probability(alpha, "alpha", where="keras_pinball_loss")

    def loss(y_true, y_pred):
        y = ops.reshape(y_true, (-1,))
        q = y_pred[:, 0]
        hit = ops.cast(y < q, y_pred.dtype)
        return ops.mean((alpha - hit) * (y - q))

    loss.__name__ = "pinball"
    return loss


def keras_fz0_loss(alpha: float):
    """Keras loss: FZ0 score of (q, e) = ``y_pred[:, 0:2]`` for targets ``y``:
    ``-1{y <= q} (q - y) / (alpha e) + q / e + log(-e) - 1`` (requires ``e < 0``; lower is better)."""
    alpha = check_probability(alpha, "alpha (tail probability)", where="keras_fz0_loss", upper=0.5)

    def loss(y_true, y_pred):
        y = ops.reshape(y_true, (-1,))
        q, e = y_pred[:, 0], y_pred[:, 1]
        hit = ops.cast(y <= q, y_pred.dtype)
        return ops.mean(-hit * (q - y) / (alpha * e) + q / e + ops.log(-e) - 1.0)

    loss.__name__ = "fz0"
    return loss
