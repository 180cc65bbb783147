"""Simulated series with known structure, shared by the tests (not a test module)."""

from __future__ import annotations

import numpy as np


def ar1(n: int, phi: float = 0.8, seed: int = 0, mean: float = 0.0) -> np.ndarray:
    """An AR(1) path (n,) with standard normal shocks, started at 0, shifted by ``mean``."""
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.standard_normal()
    return x + mean


def garch_returns(
    n: int, *, omega: float = 0.05, a: float = 0.1, b: float = 0.85, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """GARCH(1,1) returns (n,) with normal shocks and the true conditional volatility of each day (known the day
    before), started at the unconditional variance."""
    rng = np.random.default_rng(seed)
    r, s2 = np.empty(n), np.empty(n)
    s2[0] = omega / (1 - a - b)
    for t in range(n):
        if t:
            s2[t] = omega + a * r[t - 1] ** 2 + b * s2[t - 1]
        r[t] = np.sqrt(s2[t]) * rng.standard_normal()
    return r, np.sqrt(s2)
