"""Traced training graphs reused across networks of one architecture: the same fits, bit for bit, with fewer
traces; networks that cannot be identified by value are fitted directly."""

import random

import keras
import numpy as np
import pytest
from network_builders import network_builders, network_data

from finrisk_utils import setup
from finrisk_utils.models import build_quantile_es_network, fit_epochs, fit_model, graph_reuse


@pytest.mark.parametrize(
    "name", ["quantile_lstm", "denoising_autoencoder", "grade_ordinal", "dense_classifier"]
)
def test_a_fit_on_the_twin_leaves_the_network_as_its_own_fit_would(name, monkeypatch):
    """Seed 1's network is fitted (early stopping, then more epochs on the same optimizer state) once directly
    and once on a twin already traced by seed 0's network: weights, optimizer slots and losses are identical
    (a recurrent layer with the FZ0 loss, its pinball metric and head; input noise; the ordinal layer; dropout
    and class weights)."""
    _, build, shape, target = network_builders()[name]
    X, y = network_data(shape, target, 240, seed=4)
    weights = {0: 1.0, 1: 3.0} if target == "binary" else None

    def fitted(seed):
        setup(seed)
        model = build()
        fit = fit_model(
            model,
            X[:160],
            y[:160],
            X[160:],
            y[160:],
            epochs=3,
            batch_size=32,
            patience=1,
            class_weight=weights,
        )
        more = fit_epochs(model, X, y, epochs=1, batch_size=32)
        return model, fit.val_loss + more

    monkeypatch.setenv("FINRISK_REUSE_GRAPHS", "0")
    direct, direct_losses = fitted(1)
    monkeypatch.setenv("FINRISK_REUSE_GRAPHS", "1")
    fitted(0)
    twin = graph_reuse._twin_for(build())
    traced = twin.train_function
    reused, reused_losses = fitted(1)
    assert twin.train_function is traced  # no new trace for the second network
    assert reused_losses == direct_losses
    for a, b in zip(
        direct.variables + direct.optimizer.variables,
        reused.variables + reused.optimizer.variables,
        strict=True,
    ):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_networks_share_a_twin_only_when_architecture_and_compile_settings_match():
    def net(alpha=0.05, units=4):
        return build_quantile_es_network(12, 2, alpha=alpha, q0=-1.6, e0=-2.0, units=units)

    key = graph_reuse._model_key(net())
    assert (
        key is not None and graph_reuse._model_key(net()) == key
    )  # layer names differ, nothing else
    assert (
        graph_reuse._model_key(net(alpha=0.01)) != key
    )  # the FZ0 loss of another tail probability
    assert graph_reuse._model_key(net(units=5)) != key


def test_networks_that_cannot_be_identified_by_value_are_fitted_directly(monkeypatch):
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    setup(0)
    sub = Custom()
    sub.compile("adam", "mse")
    sub(np.zeros((1, 3), "float32"))
    assert graph_reuse._twin_for(sub) is None
    X, y = network_data((3,), "real", 60, seed=0)
    history = graph_reuse.fit_reusing_graphs(sub, X, y, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and sub.optimizer.iterations.numpy() > 0

    scale = np.array([2.0])  # a loss closing over an array is not identified by value

    def scaled(y_true, y_pred):
        return keras.ops.mean((y_true - y_pred[:, 0]) ** 2) * scale[0]

    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    seq.compile("adam", scaled)
    assert graph_reuse._model_key(seq) is None and graph_reuse._twin_for(seq) is None

    class Forgetful(
        keras.layers.Layer
    ):  # its config names an argument it does not take: no rebuild
        def __init__(self, scale, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def call(self, x):
            return x * self.scale

        def get_config(self):
            return {**super().get_config(), "factor": self.scale}

    forgetful = keras.Sequential([keras.Input((3,)), Forgetful(2.0), keras.layers.Dense(1)])
    forgetful.compile("adam", "mse")
    assert (
        graph_reuse._model_key(forgetful) is not None and graph_reuse._twin_for(forgetful) is None
    )

    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    plain.compile("adam", "mse")
    monkeypatch.setenv("FINRISK_REUSE_GRAPHS", "0")
    assert graph_reuse._twin_for(plain) is None


def test_making_twins_draws_no_random_numbers_and_the_cache_is_bounded():
    """Keras draws layers' default seeds from Python's random module: a twin must not shift the next network's
    seeds. The cache keeps the most recently used twins only."""
    state = random.getstate()
    for units in range(1, graph_reuse._MAX_TWINS + 3):
        model = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(units), keras.layers.Dropout(0.1)]
        )
        model.compile("adam", "mse")
        random.setstate(state)
        assert graph_reuse._twin_for(model) is not None
        assert random.getstate() == state
    assert graph_reuse.twin_count() == graph_reuse._MAX_TWINS
