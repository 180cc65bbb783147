"""Dense autoencoders for anomaly detection: trained to reconstruct normal rows, they score a row by its
reconstruction error. ``noise_std > 0`` gives the denoising variant (Gaussian noise on the inputs during
training only), which learns a smoother picture of normal behaviour."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from finrisk_utils.core.validation import check_positive_int
from finrisk_utils.models.training import STEPS_PER_EXECUTION, predict_array

__all__ = ["build_autoencoder", "build_code_regressor", "encode", "reconstruction_error"]


def build_autoencoder(
    n_features: int,
    *,
    hidden: tuple[int, ...] = (32, 16),
    bottleneck: int = 6,
    noise_std: float = 0.0,
    learning_rate: float = 1e-3,
    activation: str = "relu",
    code_activation: str | None = "relu",
) -> keras.Model:
    """Encoder ``hidden`` -> ``bottleneck`` (layer ``"code"``) -> mirrored decoder, ``activation`` inside
    (``code_activation`` on the code; ``None`` for a linear code, e.g. to compare with PCA) and a linear output,
    MSE loss. Input and output ``(batch, n_features)`` (standardized features)."""
    n_features, bottleneck = (
        check_positive_int(n_features, "n_features", where="build_autoencoder"),
        check_positive_int(bottleneck, "bottleneck", where="build_autoencoder"),
    )
    if any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in hidden):
        raise ValueError(f"hidden must be positive ints, got {hidden!r}")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std}")
    inputs = keras.Input(shape=(n_features,), name="features")
    x = keras.layers.GaussianNoise(noise_std, name="noise")(inputs) if noise_std else inputs
    for i, width in enumerate(hidden):
        x = keras.layers.Dense(width, activation=activation, name=f"enc{i}")(x)
    x = keras.layers.Dense(bottleneck, activation=code_activation, name="code")(x)
    for i, width in enumerate(reversed(hidden)):
        x = keras.layers.Dense(width, activation=activation, name=f"dec{i}")(x)
    outputs = keras.layers.Dense(n_features, name="reconstruction")(x)
    model = keras.Model(
        inputs, outputs, name="denoising_autoencoder" if noise_std else "autoencoder"
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="mse",
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model


def reconstruction_error(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """Mean squared reconstruction error per row, shape ``(n,)``: the anomaly score (higher = stranger)."""
    X = np.asarray(X, dtype="float32")
    recon = predict_array(model, X)
    return np.asarray(ops.convert_to_numpy(ops.mean(ops.square(recon - X), axis=1)), dtype=float)


def encode(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """The bottleneck (layer ``"code"``) activations of an autoencoder, shape ``(n, bottleneck)``."""
    encoder = keras.Model(model.inputs, model.get_layer("code").output)
    return predict_array(encoder, np.asarray(X, dtype="float32"))


def build_code_regressor(
    autoencoder: keras.Model,
    window: int,
    n_features: int,
    *,
    hidden: tuple[int, ...] = (8,),
    n_outputs: int = 1,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """A small regressor on the frozen code of a trained ``autoencoder`` (built by :func:`build_autoencoder`
    on flattened windows of ``window x n_features``): input ``(batch, window, n_features)`` -> flatten ->
    encoder (not trained further) -> ``hidden`` Dense-ReLU -> linear ``(batch, n_outputs)``; MSE and Adam."""
    encoder = keras.Model(autoencoder.inputs, autoencoder.get_layer("code").output, name="encoder")
    encoder.trainable = False
    inputs = keras.Input(shape=(window, n_features), name="window")
    x = encoder(keras.layers.Flatten(name="flatten")(inputs))
    for i, width in enumerate(hidden):
        x = keras.layers.Dense(width, activation="relu", name=f"head{i}")(x)
    model = keras.Model(
        inputs, keras.layers.Dense(n_outputs, name="forecast")(x), name="code_regressor"
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="mse",
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model
