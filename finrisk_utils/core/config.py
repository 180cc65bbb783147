"""Session set-up for notebooks and tests: seeds, determinism, quiet logs, plot style."""

from __future__ import annotations

import logging
import os
import random
from typing import TypeVar

import numpy as np

__all__ = ["by_profile", "setup"]

PROFILES = ("quick", "full")
T = TypeVar("T")


def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:  # absl ships with TensorFlow; other backends may lack it
        pass


def _plot_style() -> None:
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (10, 4),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
        }
    )


def setup(seed: int = 42, *, deterministic: bool = True, plot_style: bool = True) -> None:
    """Seed Python, NumPy and Keras, make TensorFlow ops deterministic, quiet logs, set plot style.

    Parameters
    ----------
    seed : int
        Non-negative integer seed for ``random``, ``numpy.random`` and Keras (``keras.utils.set_random_seed``).
    deterministic : bool
        On the TensorFlow backend, call ``tf.config.experimental.enable_op_determinism()`` so the same seed
        gives bit-identical results on CPU (slightly slower on GPU).
    plot_style : bool
        Apply the workbench's matplotlib style.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} ({seed!r})")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    seed = int(seed)
    _quiet_tensorflow()
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- libraries still draw from the legacy global state
    import keras

    keras.utils.set_random_seed(seed)
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
        tf.get_logger().setLevel(logging.ERROR)
    if plot_style:
        _plot_style()


def by_profile(profile: str, *, quick: T, full: T) -> T:
    """The setting for ``profile``: ``"quick"`` (CI: same data, smaller nets, fewer epochs) or ``"full"``."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    return quick if profile == "quick" else full
