"""Value-at-Risk and Expected Shortfall: the forecast container shared by every model, and distribution maths.

Convention throughout: returns in percent (100 x log return); VaR and ES are reported as positive *losses*, so at
confidence ``c`` (tail probability ``alpha = 1 - c``) an exception is a day with ``return < -VaR``, and
``ES >= VaR``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import integrate, stats

from finrisk_utils.core.validation import as_float_array

__all__ = ["RiskForecast", "check_confidence", "normal_var_es", "tail_mean_from_ppf"]


def check_confidence(confidence: float) -> float:
    """Validate a VaR confidence level in (0.5, 1) and return the tail probability ``alpha = 1 - confidence``."""
    if isinstance(confidence, bool) or not isinstance(confidence, int | float | np.floating):
        raise TypeError(
            f"confidence must be a float, got {confidence!r} ({type(confidence).__name__})"
        )
    if not 0.5 < confidence < 1:
        raise ValueError(f"confidence must be in (0.5, 1), e.g. 0.99, got {confidence}")
    return float(1 - confidence)


@dataclass(frozen=True)
class RiskForecast:
    """One model's 1-day VaR and ES forecasts (positive losses, % of value) on the dates they apply to."""

    name: str
    confidence: float
    var: pd.Series
    es: pd.Series

    def __post_init__(self) -> None:
        check_confidence(self.confidence)
        for label, s in (("var", self.var), ("es", self.es)):
            if not isinstance(s, pd.Series):
                raise TypeError(
                    f"RiskForecast {self.name!r}: {label} must be a pandas Series on the forecast dates, "
                    f"got {type(s).__name__}"
                )
        if not self.var.index.equals(self.es.index):
            raise ValueError(f"{self.name}: VaR and ES must be on the same dates")
        for label, s in (("VaR", self.var), ("ES", self.es)):
            as_float_array(s, f"{label} forecasts", where=f"RiskForecast {self.name!r}")
        if (self.es.to_numpy() < self.var.to_numpy() - 1e-9).any():
            raise ValueError(f"{self.name}: ES must be at least VaR on every date")

    @property
    def alpha(self) -> float:
        return 1 - self.confidence

    def quantile(self) -> pd.Series:
        """The forecast return quantile at ``alpha`` (``-VaR``), for the pinball loss."""
        return -self.var


def tail_mean_from_ppf(ppf: Callable[[float], float], alpha: float) -> float:
    """``(1/alpha) * integral_0^alpha ppf(u) du``: the mean of a distribution below its ``alpha`` quantile
    (negative for a left tail). Computed by adaptive quadrature, so any distribution with a quantile function
    works (Student-t, skew-t, empirical)."""
    value, _ = integrate.quad(lambda u: float(ppf(u)), 0.0, alpha, limit=200)
    return value / alpha


def normal_var_es(mu: np.ndarray, sigma: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """VaR and ES (positive losses) of ``N(mu, sigma^2)`` returns: ``-(mu + sigma z)`` and
    ``-mu + sigma phi(z) / alpha`` with ``z = Phi^-1(alpha)``."""
    z = stats.norm.ppf(alpha)
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    return -(mu + sigma * z), -mu + sigma * stats.norm.pdf(z) / alpha
