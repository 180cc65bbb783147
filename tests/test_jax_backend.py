"""The second Keras backend: the model builders train on JAX (CPU). Skipped where JAX is not installed
(`pip install -e '.[jax]'`, or `make test-jax`, which also runs the model tests and two notebooks on JAX)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

CHECK = """
import json
import numpy as np
import keras
from finrisk_utils import setup
from finrisk_utils.models.quantile import build_quantile_es_network
from finrisk_utils.models.recurrent import build_recurrent_regressor

setup(0)
rng = np.random.default_rng(0)
X = rng.normal(size=(256, 20, 2)).astype("float32")
y = (0.5 * X[:, -1, 0]).astype("float32")
losses = {}
for name, model in {
    "lstm": build_recurrent_regressor(20, 2, units=8),
    "cnn_quantile": build_quantile_es_network(20, 2, alpha=0.05, q0=-1.6, e0=-2.0, kind="cnn"),
}.items():
    hist = model.fit(X, y, epochs=3, batch_size=64, verbose=0)
    losses[name] = [float(v) for v in hist.history["loss"]]
    assert np.isfinite(model.predict(X[:8], verbose=0)).all()
print(json.dumps({"backend": keras.backend.backend(), "losses": losses}))
"""


def _jax_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("jax") is not None


@pytest.mark.skipif(not _jax_installed(), reason="jax is not installed (pip install -e '.[jax]')")
def test_builders_train_on_the_jax_backend():
    env = {**os.environ, "KERAS_BACKEND": "jax", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["backend"] == "jax"
    assert result["losses"]["lstm"][-1] < result["losses"]["lstm"][0]  # it learns


def test_backend_under_make_test_jax():
    """Under `make test-jax` (KERAS_BACKEND=jax) the model tests in this session really run on JAX."""
    if os.environ.get("KERAS_BACKEND") != "jax":
        pytest.skip("KERAS_BACKEND is not jax (this check is for make test-jax)")
    import keras

    assert keras.backend.backend() == "jax"
