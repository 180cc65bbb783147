"""Seeded yield-curve panels with known ground truth: a dynamic Nelson-Siegel model (Diebold and Li 2006).

``make_yield_curves`` simulates a monthly panel of zero-coupon yields: level, slope and curvature follow a
VAR(1), the curve is their Nelson-Siegel combination plus i.i.d. measurement noise; the true factors are
returned as ground truth. By default the VAR(1) is the one estimated on the real US Treasury curve
(:data:`TREASURY_FACTOR_DYNAMICS`); Diebold and Li's published factor moments are kept as
:data:`DIEBOLD_LI_FACTOR_DYNAMICS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import check_positive_int
from finrisk_utils.rates.nelson_siegel import (
    DIEBOLD_LI_LAMBDA,
    FACTOR_NAMES,
    nelson_siegel_loadings,
)

__all__ = [
    "DIEBOLD_LI_FACTOR_DYNAMICS",
    "DNSParams",
    "TREASURY_FACTOR_DYNAMICS",
    "TREASURY_MATURITIES",
    "YieldCurvePanel",
    "make_yield_curves",
]


@dataclass(frozen=True)
class DNSParams:
    """Dynamic Nelson-Siegel parameters, monthly, yields in percent.

    ``f_t = mean + ar @ (f_{t-1} - mean) + e_t``, ``e_t ~ N(0, innovation_cov)``, ``f = (level, slope,
    curvature)``; ``y_t(m) = loadings(m) @ f_t + u_t(m)``, ``u_t(m)`` independent across maturities, each a
    stationary AR(1) with coefficient ``measurement_ar`` and standard deviation ``measurement_sd`` (i.i.d.
    when ``measurement_ar = 0``).
    """

    mean: tuple[float, float, float]
    ar: tuple[tuple[float, float, float], ...]
    innovation_cov: tuple[tuple[float, float, float], ...]
    measurement_sd: float = 0.08
    lam: float = DIEBOLD_LI_LAMBDA
    measurement_ar: float = 0.0

    def __post_init__(self) -> None:
        ar, cov = np.asarray(self.ar, dtype=float), np.asarray(self.innovation_cov, dtype=float)
        if np.shape(self.mean) != (3,) or ar.shape != (3, 3) or cov.shape != (3, 3):
            raise ValueError("mean must have 3 entries, ar and innovation_cov must be 3 x 3")
        if np.max(np.abs(np.linalg.eigvals(ar))) >= 1:
            raise ValueError("the VAR(1) is not stationary: an eigenvalue of ar has modulus >= 1")
        if not np.allclose(cov, cov.T) or np.linalg.eigvalsh(cov).min() <= 0:
            raise ValueError("innovation_cov must be symmetric positive definite")
        if self.measurement_sd < 0 or self.lam <= 0:
            raise ValueError("measurement_sd must be >= 0 and lam > 0")
        if not -1 < self.measurement_ar < 1:
            raise ValueError(f"measurement_ar must lie in (-1, 1), got {self.measurement_ar}")

    @classmethod
    def from_ar1(
        cls,
        mean: tuple[float, float, float],
        sd: tuple[float, float, float],
        phi: tuple[float, float, float],
        measurement_sd: float = 0.08,
    ) -> DNSParams:
        """Independent AR(1) factors with the given unconditional means, standard deviations and first-order
        autocorrelations ``phi`` (innovation sd ``sd * sqrt(1 - phi^2)``)."""
        innov = [s * np.sqrt(1 - p**2) for s, p in zip(sd, phi, strict=True)]
        ar = tuple(tuple(float(phi[i]) if i == j else 0.0 for j in range(3)) for i in range(3))
        cov = tuple(
            tuple(float(innov[i] ** 2) if i == j else 0.0 for j in range(3)) for i in range(3)
        )
        return cls(
            cast(tuple[float, float, float], tuple(float(m) for m in mean)),
            cast(tuple[tuple[float, float, float], ...], ar),
            cast(tuple[tuple[float, float, float], ...], cov),
            measurement_sd,
        )

    def stationary_sd(self) -> np.ndarray:
        """Unconditional standard deviations of the three factors, shape ``(3,)``."""
        ar, cov = np.asarray(self.ar), np.asarray(self.innovation_cov)
        vec = np.linalg.solve(np.eye(9) - np.kron(ar, ar), cov.reshape(-1))
        return np.sqrt(np.diag(vec.reshape(3, 3)))


#: Factor dynamics after Diebold and Li (2006): US Treasury zero yields 1985-2000, lambda = 0.0609, each factor an
#: AR(1) (their benchmark model; they note the factors' pairwise correlations are small, hence a diagonal VAR).
#: Means, standard deviations and first-order autocorrelations of the estimated factors as in their Table 3
#: (level 7.579 / 1.524 / 0.957, slope -2.098 / 1.608 / 0.938, curvature -0.162 / 1.687 / 0.901); these
#: figures were transcribed from the paper, not re-estimated here. Measurement noise 8 bp, of the order of
#: their Table 2 residual standard deviations.
DIEBOLD_LI_FACTOR_DYNAMICS = DNSParams.from_ar1(
    mean=(7.579, -2.098, -0.162), sd=(1.524, 1.608, 1.687), phi=(0.957, 0.938, 0.901)
)

#: The real curve's dynamics: the VAR(1) of the Nelson-Siegel factors (lambda = 0.0609) of the McCulloch-Kwon
#: US Treasury zero yields, December 1946 to February 1991 (registry ``treasury_yields``, all 10 maturities), by
#: OLS, with its residual covariance; the Nelson-Siegel fit's residuals give the measurement noise (sd 13 bp,
#: persistent: pooled first-order autocorrelation 0.70).
#: Estimated by ``finrisk_utils.rates.calibrate.calibrate_dns(treasury_curve())`` and rounded to 4 decimals;
#: a test re-estimates it from the data. The level is close to a unit root (largest eigenvalue 0.992).
TREASURY_FACTOR_DYNAMICS = DNSParams(
    mean=(7.6354, -1.3842, 1.4693),
    ar=((0.9918, 0.0307, 0.0163), (-0.0149, 0.9153, 0.0196), (0.0846, 0.0601, 0.7071)),
    innovation_cov=((0.092, -0.0371, -0.1741), (-0.0371, 0.313, 0.1084), (-0.1741, 0.1084, 1.8015)),
    measurement_sd=0.1299,
    measurement_ar=0.7039,
)

#: Maturities (months) of the real Treasury panel (``treasury_yields``), the simulated panel's default.
TREASURY_MATURITIES = (1, 2, 3, 5, 6, 11, 12, 36, 60, 120)
#: Maturities (months) 3 months to 30 years (the generator's earlier default).
YIELD_CURVE_MATURITIES = (3, 6, 12, 24, 36, 60, 84, 120, 240, 360)


@dataclass(frozen=True)
class YieldCurvePanel:
    """A simulated panel: ``yields`` (dates x maturities in months, percent), the true ``factors`` (dates x
    level/slope/curvature) and the ``params`` that generated them."""

    yields: pd.DataFrame
    factors: pd.DataFrame
    params: DNSParams = field(repr=False)


def make_yield_curves(
    n_months: int = 531,
    *,
    start: str = "1946-12-01",
    maturities: tuple[float, ...] = TREASURY_MATURITIES,
    params: DNSParams = TREASURY_FACTOR_DYNAMICS,
    seed: int = 0,
) -> YieldCurvePanel:
    """Monthly yield curves from the dynamic Nelson-Siegel model ``params`` (see :class:`DNSParams`).

    The defaults mirror the real Treasury panel: its span (531 months from December 1946), maturities and
    calibrated dynamics (:data:`TREASURY_FACTOR_DYNAMICS`). The factor path starts from a draw of its
    stationary distribution, so there is no burn-in. Rates are Gaussian and may turn negative (with the
    default parameters about 1% of the yields, on a minority of panels). Dates are month starts from
    ``start``. Same ``seed``, same panel.
    """
    n_months = check_positive_int(n_months, "n_months", where="make_yield_curves")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if not isinstance(params, DNSParams):
        raise TypeError(f"params must be a DNSParams, got {type(params).__name__}")
    loadings = nelson_siegel_loadings(maturities, params.lam)
    rng = np.random.default_rng(seed)
    mean, ar = np.asarray(params.mean), np.asarray(params.ar)
    chol = np.linalg.cholesky(np.asarray(params.innovation_cov))
    f = np.empty((n_months, 3))
    f[0] = mean + params.stationary_sd() * rng.standard_normal(3)
    shocks = rng.standard_normal((n_months, 3)) @ chol.T
    for t in range(1, n_months):
        f[t] = mean + ar @ (f[t - 1] - mean) + shocks[t]
    z = rng.standard_normal((n_months, len(maturities)))
    rho, sd = params.measurement_ar, params.measurement_sd
    noise = np.empty_like(z)
    noise[0] = sd * z[0]
    for t in range(1, n_months):
        noise[t] = rho * noise[t - 1] + sd * np.sqrt(1 - rho**2) * z[t]
    dates = pd.date_range(start, periods=n_months, freq="MS", name="date")
    factors = pd.DataFrame(f, index=dates, columns=list(FACTOR_NAMES))
    yields = pd.DataFrame(f @ loadings.T + noise, index=dates, columns=list(maturities))
    yields.columns.name = "maturity_months"
    return YieldCurvePanel(yields, factors, params)
