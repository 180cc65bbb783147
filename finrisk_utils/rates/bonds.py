"""Interest-rate risk: the price risk of fixed-coupon bonds (duration,
convexity, DV01, key-rate durations) under the IRRBB shock scenarios.

Units: maturities in years, yields and rates as decimals (0.04 = 4%). The Nelson-Siegel curve factors live in
:mod:`finrisk_utils.nelson_siegel`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import as_float_array, check_number, check_positive_int

__all__ = [
    "EVE_OUTLIER_THRESHOLD",
    "Bond",
    "ZeroCurve",
    "bond_risk_table",
    "convexity",
    "dv01",
    "eve_changes",
    "eve_outlier_test",
    "irrbb_shocks",
    "key_rate_durations",
    "macaulay_duration",
    "modified_duration",
    "portfolio_value",
    "price_from_curve",
    "price_from_yield",
]


@dataclass(frozen=True)
class Bond:
    """A fixed-coupon bullet bond: annual ``coupon`` rate (0.04 = 4%), ``maturity`` in years, ``frequency``
    coupons a year, ``face`` value."""

    coupon: float
    maturity: float
    frequency: int = 2
    face: float = 100.0

    def __post_init__(self) -> None:
        where = "Bond (invalid bond)"
        check_number(self.coupon, "coupon", where=where, minimum=0)
        check_number(self.maturity, "maturity", where=where, minimum=0, strict=True)
        check_positive_int(self.frequency, "frequency", where=where)
        check_number(self.face, "face", where=where, minimum=0, strict=True)

    def cashflows(self) -> tuple[np.ndarray, np.ndarray]:
        """Payment times (years) and amounts; the first period is shortened if the maturity is not a whole
        number of periods."""
        n = int(np.ceil(self.maturity * self.frequency - 1e-9))
        times = self.maturity - np.arange(n)[::-1] / self.frequency
        amounts = np.full(n, self.face * self.coupon / self.frequency)
        amounts[-1] += self.face
        return times, amounts


def _yield(bond: Bond, y: float, where: str) -> float:
    if not isinstance(bond, Bond):
        raise TypeError(f"{where}: bond must be a Bond, got {type(bond).__name__}")
    return check_number(y, "y (yield)", where=where, minimum=-bond.frequency, strict=True)


def _discount(times: np.ndarray, y: float, f: int) -> np.ndarray:
    return (1 + y / f) ** (-f * times)


def price_from_yield(bond: Bond, y: float) -> float:
    """Price from the yield to maturity ``y`` (compounded ``bond.frequency`` times a year)."""
    y = _yield(bond, y, "price_from_yield")
    t, c = bond.cashflows()
    return float(c @ _discount(t, y, bond.frequency))


def macaulay_duration(bond: Bond, y: float) -> float:
    """Present-value-weighted mean time to the cash flows, in years (a zero's equals its maturity)."""
    y = _yield(bond, y, "macaulay_duration")
    t, c = bond.cashflows()
    pv = c * _discount(t, y, bond.frequency)
    return float(t @ pv / pv.sum())


def modified_duration(bond: Bond, y: float) -> float:
    """``-(1/P) dP/dy`` in years: the percentage price change per unit change of the yield."""
    return macaulay_duration(bond, y) / (1 + y / bond.frequency)


def convexity(bond: Bond, y: float) -> float:
    """``(1/P) d^2P/dy^2`` in years squared."""
    y = _yield(bond, y, "convexity")
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
        t = as_float_array(self.tenors, "tenors", where="ZeroCurve")
        r = as_float_array(self.rates, "rates", where="ZeroCurve")
        if len(t) != len(r) or np.any(np.diff(t) <= 0):
            raise ValueError(
                f"ZeroCurve: tenors must increase strictly and match the rates, got {len(t)} tenors "
                f"{list(t)} and {len(r)} rates"
            )

    def rate(self, t: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(t, dtype=float), self.tenors, self.rates)

    def discount(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        return np.exp(-self.rate(t) * t)

    def shifted(self, shift: Callable[[np.ndarray], np.ndarray]) -> ZeroCurve:
        """The curve with ``shift(tenor)`` (decimals) added at every tenor."""
        t = np.asarray(self.tenors, dtype=float)
        return ZeroCurve(self.tenors, tuple(np.asarray(self.rates) + shift(t)))


def _check_book(positions: Mapping[Bond, float], curve: ZeroCurve, where: str) -> None:
    if not isinstance(curve, ZeroCurve):
        raise TypeError(f"{where}: curve must be a ZeroCurve, got {type(curve).__name__}")
    if not isinstance(positions, Mapping) or not positions:
        raise ValueError(f"{where}: positions must be a non-empty mapping Bond -> notional")
    for bond, notional in positions.items():
        if not isinstance(bond, Bond):
            raise TypeError(f"{where}: positions keys must be Bonds, got {type(bond).__name__}")
        check_number(notional, f"notional of {bond}", where=where)


def price_from_curve(bond: Bond, curve: ZeroCurve) -> float:
    """Present value of the bond's cash flows discounted on ``curve``."""
    if not isinstance(bond, Bond) or not isinstance(curve, ZeroCurve):
        raise TypeError(
            f"price_from_curve: needs a Bond and a ZeroCurve, got {type(bond).__name__} and "
            f"{type(curve).__name__}"
        )
    t, c = bond.cashflows()
    return float(c @ curve.discount(t))


def portfolio_value(positions: Mapping[Bond, float], curve: ZeroCurve) -> float:
    """Value of a book of bonds: ``sum(notional / face * price)``."""
    _check_book(positions, curve, "portfolio_value")
    return float(sum(n / b.face * price_from_curve(b, curve) for b, n in positions.items()))


def key_rate_durations(
    positions: Mapping[Bond, float], curve: ZeroCurve, bump: float = 1e-4
) -> pd.Series:
    """Key-rate durations at the curve's own tenors: bump one tenor's rate by ``bump`` (a triangular shift
    falling to zero at the neighbouring tenors), reprice, ``-(dV / V) / bump``. They add up to the duration
    under a parallel shift."""
    _check_book(positions, curve, "key_rate_durations")
    check_number(bump, "bump", where="key_rate_durations", minimum=0, strict=True)
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


def bond_risk_table(bonds: Mapping[str, Bond], y: float, bump: float = 1e-5) -> pd.DataFrame:
    """Price, modified duration, convexity and DV01 of each bond at yield ``y``: analytic, and by central
    bump-and-reprice of the yield by ``±bump`` (decimals), with the largest relative gap per bond."""
    if not isinstance(bonds, Mapping) or not bonds:
        raise ValueError("bond_risk_table: bonds must be a non-empty mapping name -> Bond")
    check_number(bump, "bump", where="bond_risk_table", minimum=0, strict=True)
    rows = {}
    for name, b in bonds.items():
        p0, up, down = (price_from_yield(b, y + s) for s in (0.0, bump, -bump))
        numeric = {
            "modified_duration": -(up - down) / (2 * bump * p0),
            "convexity": (up - 2 * p0 + down) / (bump**2 * p0),
            "dv01": -(up - down) / (2 * bump) * 1e-4,
        }
        analytic = {
            "modified_duration": modified_duration(b, y),
            "convexity": convexity(b, y),
            "dv01": dv01(b, y),
        }
        rows[name] = {"price": p0, **analytic, **{f"{k}_bump": v for k, v in numeric.items()}}
        rows[name]["max_rel_gap"] = max(abs(numeric[k] / analytic[k] - 1) for k in analytic)
    return pd.DataFrame(rows).T


def eve_changes(
    positions: Mapping[Bond, float], curve: ZeroCurve, shocks: Mapping[str, Callable]
) -> pd.Series:
    """Change of the book's economic value (its present value) under each shock scenario (a function of the
    tenor in years returning the rate change in decimals), in currency units: ``V(shocked) - V(base)``."""
    _check_book(positions, curve, "eve_changes")
    bad = [k for k, f in shocks.items() if not callable(f)]
    if bad:
        raise TypeError(
            f"eve_changes: shocks must map names to functions of the tenor; {bad} are not"
        )
    base = portfolio_value(positions, curve)
    return pd.Series(
        {k: portfolio_value(positions, curve.shifted(s)) - base for k, s in shocks.items()},
        name="delta_eve",
    )


#: Supervisory outlier threshold: the largest fall of economic value under the six shocks, as a share of Tier 1
#: capital (BCBS 2016, *Interest rate risk in the banking book*, para 12 and Principle 12; EBA GL/2018/02).
EVE_OUTLIER_THRESHOLD = 0.15


def eve_outlier_test(
    delta_eve: pd.Series, tier1_capital: float, threshold: float = EVE_OUTLIER_THRESHOLD
) -> pd.DataFrame:
    """The supervisory outlier test: each scenario's change of economic value (``delta_eve``, currency units,
    e.g. from :func:`eve_changes`) as a share of ``tier1_capital``; a scenario breaches when its *fall* of
    economic value exceeds ``threshold`` x Tier 1 (a bank is an outlier when any scenario breaches). Columns
    ``delta_eve``, ``share_of_tier1`` (signed, decimals), ``breach`` (bool); rows as ``delta_eve``."""
    where = "eve_outlier_test"
    if not isinstance(delta_eve, pd.Series) or delta_eve.empty:
        raise TypeError(
            f"{where}: delta_eve must be a non-empty Series (scenario -> change of value)"
        )
    values = as_float_array(delta_eve, "delta_eve", where=where)
    tier1 = check_number(tier1_capital, "tier1_capital", where=where, minimum=0, strict=True)
    limit = check_number(threshold, "threshold", where=where, minimum=0, strict=True)
    share = values / tier1
    return pd.DataFrame(
        {"delta_eve": values, "share_of_tier1": share, "breach": -share > limit},
        index=delta_eve.index,
    )
