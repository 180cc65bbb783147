"""Interest-rate risk: Nelson-Siegel curve factors, and the price risk of fixed-coupon bonds (duration,
convexity, DV01, key-rate durations) under the IRRBB shock scenarios.

Units: maturities in years (bond maths) or months (Nelson-Siegel, as in Diebold and Li 2006); yields and rates
as decimals (0.04 = 4%) in the bond maths, in percent in the curve factor code (as the data are quoted).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Bond",
    "ZeroCurve",
    "convexity",
    "dv01",
    "fit_nelson_siegel",
    "irrbb_shocks",
    "key_rate_durations",
    "macaulay_duration",
    "modified_duration",
    "nelson_siegel_loadings",
    "portfolio_value",
    "price_from_curve",
    "price_from_yield",
]

#: Diebold and Li's (2006) decay for maturities in months: the curvature loading peaks at about 30 months.
DIEBOLD_LI_LAMBDA = 0.0609


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
    if yields.isna().any().any():
        raise ValueError("yields contain NaN")
    loadings = nelson_siegel_loadings([float(c) for c in yields.columns], lam)
    coef, *_ = np.linalg.lstsq(loadings, yields.to_numpy(dtype=float).T, rcond=None)
    return pd.DataFrame(coef.T, index=yields.index, columns=["level", "slope", "curvature"])


@dataclass(frozen=True)
class Bond:
    """A fixed-coupon bullet bond: annual ``coupon`` rate (0.04 = 4%), ``maturity`` in years, ``frequency``
    coupons a year, ``face`` value."""

    coupon: float
    maturity: float
    frequency: int = 2
    face: float = 100.0

    def __post_init__(self) -> None:
        if self.maturity <= 0 or self.frequency < 1 or self.coupon < 0 or self.face <= 0:
            raise ValueError(f"invalid bond {self}")

    def cashflows(self) -> tuple[np.ndarray, np.ndarray]:
        """Payment times (years) and amounts; the first period is shortened if the maturity is not a whole
        number of periods."""
        n = int(np.ceil(self.maturity * self.frequency - 1e-9))
        times = self.maturity - np.arange(n)[::-1] / self.frequency
        amounts = np.full(n, self.face * self.coupon / self.frequency)
        amounts[-1] += self.face
        return times, amounts


def _discount(times: np.ndarray, y: float, f: int) -> np.ndarray:
    return (1 + y / f) ** (-f * times)


def price_from_yield(bond: Bond, y: float) -> float:
    """Price from the yield to maturity ``y`` (compounded ``bond.frequency`` times a year)."""
    t, c = bond.cashflows()
    return float(c @ _discount(t, y, bond.frequency))


def macaulay_duration(bond: Bond, y: float) -> float:
    """Present-value-weighted mean time to the cash flows, in years (a zero's equals its maturity)."""
    t, c = bond.cashflows()
    pv = c * _discount(t, y, bond.frequency)
    return float(t @ pv / pv.sum())


def modified_duration(bond: Bond, y: float) -> float:
    """``-(1/P) dP/dy`` in years: the percentage price change per unit change of the yield."""
    return macaulay_duration(bond, y) / (1 + y / bond.frequency)


def convexity(bond: Bond, y: float) -> float:
    """``(1/P) d^2P/dy^2`` in years squared."""
    f = bond.frequency
    t, c = bond.cashflows()
    pv = c * _discount(t, y, f)
    return float(np.sum(pv * t * (t + 1 / f)) / (pv.sum() * (1 + y / f) ** 2))


def dv01(bond: Bond, y: float) -> float:
    """Price fall for a one-basis-point rise of the yield (``modified duration x price x 0.0001``)."""
    return modified_duration(bond, y) * price_from_yield(bond, y) * 1e-4


@dataclass(frozen=True)
class ZeroCurve:
    """Continuously compounded zero rates (decimals) at ``tenors`` (years), linearly interpolated and held
    flat beyond the ends."""

    tenors: tuple[float, ...]
    rates: tuple[float, ...]

    def __post_init__(self) -> None:
        if (
            len(self.tenors) != len(self.rates)
            or len(self.tenors) < 1
            or np.any(np.diff(self.tenors) <= 0)
        ):
            raise ValueError("tenors must increase strictly and match the rates")

    def rate(self, t: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(t, dtype=float), self.tenors, self.rates)

    def discount(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        return np.exp(-self.rate(t) * t)

    def shifted(self, shift: Callable[[np.ndarray], np.ndarray]) -> ZeroCurve:
        """The curve with ``shift(tenor)`` (decimals) added at every tenor."""
        t = np.asarray(self.tenors, dtype=float)
        return ZeroCurve(self.tenors, tuple(np.asarray(self.rates) + shift(t)))


def price_from_curve(bond: Bond, curve: ZeroCurve) -> float:
    """Present value of the bond's cash flows discounted on ``curve``."""
    t, c = bond.cashflows()
    return float(c @ curve.discount(t))


def portfolio_value(positions: Mapping[Bond, float], curve: ZeroCurve) -> float:
    """Value of a book of bonds: ``sum(notional / face * price)``."""
    return float(sum(n / b.face * price_from_curve(b, curve) for b, n in positions.items()))


def key_rate_durations(
    positions: Mapping[Bond, float], curve: ZeroCurve, bump: float = 1e-4
) -> pd.Series:
    """Key-rate durations at the curve's own tenors: bump one tenor's rate by ``bump`` (a triangular shift
    falling to zero at the neighbouring tenors), reprice, ``-(dV / V) / bump``. They add up to the duration
    under a parallel shift."""
    base = portfolio_value(positions, curve)
    out = {}
    for i, tenor in enumerate(curve.tenors):
        rates = np.array(curve.rates)
        rates[i] += bump
        bumped = portfolio_value(positions, ZeroCurve(curve.tenors, tuple(rates)))
        out[tenor] = -(bumped - base) / (base * bump)
    return pd.Series(out, name="key_rate_duration").rename_axis("tenor_years")


#: BCBS (2016) IRRBB standardised shock sizes for USD, in decimals: parallel, short, long.
IRRBB_USD = {"parallel": 0.02, "short": 0.03, "long": 0.015}


def irrbb_shocks(
    sizes: Mapping[str, float] = IRRBB_USD, decay_years: float = 4.0
) -> dict[str, Callable]:
    """The six IRRBB interest-rate shock scenarios (BCBS 2016, para 31-33) as functions of the tenor
    (years) returning the rate change (decimals): parallel up/down, steepener, flattener, short up/down.
    Short shocks decay as ``exp(-t / 4)``, long ones grow as ``1 - exp(-t / 4)``; the steepener is
    ``-0.65 |short| + 0.9 |long|``, the flattener ``+0.8 |short| - 0.6 |long|``."""
    short = lambda t: sizes["short"] * np.exp(-np.asarray(t) / decay_years)  # noqa: E731
    long_ = lambda t: sizes["long"] * (1 - np.exp(-np.asarray(t) / decay_years))  # noqa: E731
    return {
        "parallel_up": lambda t: np.full_like(np.asarray(t, dtype=float), sizes["parallel"]),
        "parallel_down": lambda t: np.full_like(np.asarray(t, dtype=float), -sizes["parallel"]),
        "steepener": lambda t: -0.65 * short(t) + 0.9 * long_(t),
        "flattener": lambda t: 0.8 * short(t) - 0.6 * long_(t),
        "short_up": short,
        "short_down": lambda t: -short(t),
    }
