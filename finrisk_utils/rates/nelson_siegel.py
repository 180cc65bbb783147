"""Nelson-Siegel yield-curve factors as Diebold and Li (2006) use them: fixed decay ``lam``, so each date's
level, slope and curvature are a linear least-squares fit.

Units: maturities in months, yields in percent (as the data are quoted).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "DIEBOLD_LI_LAMBDA",
    "FACTOR_NAMES",
    "fit_nelson_siegel",
    "maturity_label",
    "nelson_siegel_curve",
    "nelson_siegel_loadings",
]

#: Diebold and Li's (2006) decay for maturities in months: the curvature loading peaks at about 30 months.
DIEBOLD_LI_LAMBDA = 0.0609
FACTOR_NAMES = ("level", "slope", "curvature")


def nelson_siegel_loadings(
    maturities_months: Sequence[float], lam: float = DIEBOLD_LI_LAMBDA
) -> np.ndarray:
    """Loadings ``(n_maturities, 3)`` on level, slope and curvature:
    ``1``, ``(1 - e^{-lam m}) / (lam m)``, ``(1 - e^{-lam m}) / (lam m) - e^{-lam m}``."""
    m = np.asarray(maturities_months, dtype=float)
    if m.ndim != 1 or (m <= 0).any():
        raise ValueError("maturities must be a 1-D sequence of positive numbers of months")
    if lam <= 0:
        raise ValueError(f"lam must be positive, got {lam}")
    x = lam * m
    slope = (1 - np.exp(-x)) / x
    return np.column_stack([np.ones_like(m), slope, slope - np.exp(-x)])


def fit_nelson_siegel(yields: pd.DataFrame, lam: float = DIEBOLD_LI_LAMBDA) -> pd.DataFrame:
    """Diebold-Li step one: level, slope and curvature of each date's curve by least squares on the loadings.
    ``yields``: dates x maturities in months (column labels), in percent. Returns dates x factors."""
    if not isinstance(yields, pd.DataFrame) or yields.shape[1] < 3:
        raise ValueError("yields must be a DataFrame with at least three maturities (columns)")
    if yields.isna().any().any():
        raise ValueError("yields contain NaN")
    loadings = nelson_siegel_loadings([float(c) for c in yields.columns], lam)
    coef, *_ = np.linalg.lstsq(loadings, yields.to_numpy(dtype=float).T, rcond=None)
    return pd.DataFrame(coef.T, index=yields.index, columns=list(FACTOR_NAMES))


def nelson_siegel_curve(
    factors: pd.DataFrame, maturities_months: Sequence[float], lam: float = DIEBOLD_LI_LAMBDA
) -> pd.DataFrame:
    """Yields (percent) implied by ``factors`` (dates x level/slope/curvature) at ``maturities_months``."""
    missing = [f for f in FACTOR_NAMES if f not in factors.columns]
    if missing:
        raise ValueError(f"factors lack the columns {missing}")
    loadings = nelson_siegel_loadings(maturities_months, lam)
    values = factors[list(FACTOR_NAMES)].to_numpy(dtype=float) @ loadings.T
    return pd.DataFrame(values, index=factors.index, columns=list(maturities_months))


def maturity_label(months: float) -> str:
    """``3 -> "3m"``, ``12 -> "1y"``, ``120 -> "10y"``, ``18 -> "18m"``: the suffix of metric keys."""
    if months <= 0:
        raise ValueError(f"maturity must be positive, got {months}")
    return f"{int(months) // 12}y" if months % 12 == 0 else f"{months:g}m"
