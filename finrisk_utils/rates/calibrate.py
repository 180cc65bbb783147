"""The real Treasury curve as a panel for the rates tools, and the dynamic Nelson-Siegel model calibrated to it.

``treasury_curve`` returns the registry's ``treasury_yields`` (McCulloch-Kwon zero yields, percent) with the
maturities in months as column labels; ``calibrate_dns`` estimates a :class:`DNSParams` from any such panel
(Nelson-Siegel factors by OLS each month, a VAR(1) on them by OLS, the residual covariance, and the
measurement noise as the standard deviation of the Nelson-Siegel fit's residuals); ``curve_moments`` summarises
a panel so that simulated and real curves can be compared.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import DataValidationError, check_finite, check_min_length
from finrisk_utils.data import load
from finrisk_utils.rates.nelson_siegel import (
    DIEBOLD_LI_LAMBDA,
    fit_nelson_siegel,
    nelson_siegel_curve,
)
from finrisk_utils.rates.simulate import DNSParams

__all__ = [
    "calibrate_dns",
    "curve_moments",
    "moment_comparison",
    "moment_fit_reading",
    "treasury_curve",
]


def treasury_curve() -> pd.DataFrame:
    """``treasury_yields`` (dates x 10 maturities, percent, December 1946 to February 1991) with integer
    maturities in months (1, 2, 3, 5, 6, 11, 12, 36, 60, 120) as columns, ``maturity_months``."""
    raw = load("treasury_yields")
    out = raw.rename(columns=lambda c: int(str(c).removeprefix("m")))
    out.columns.name = "maturity_months"
    return out


def _check_panel(yields: object, where: str) -> pd.DataFrame:
    if not isinstance(yields, pd.DataFrame) or yields.shape[1] < 3:
        raise DataValidationError(
            f"{where}: yields must be a DataFrame with at least three maturities (columns)"
        )
    check_finite(yields, list(yields.columns), where=where)
    check_min_length(len(yields), 24, what="yields", where=where)
    return yields


def calibrate_dns(yields: pd.DataFrame, lam: float = DIEBOLD_LI_LAMBDA) -> DNSParams:
    """A :class:`DNSParams` estimated from ``yields`` (dates x maturities in months, percent): the factors'
    VAR(1) ``f_t = c + A f_{t-1} + e_t`` by OLS, ``mean = (I - A)^{-1} c``, ``innovation_cov`` the residual
    covariance (``n - 4`` degrees of freedom), ``measurement_sd`` the standard deviation of all the
    Nelson-Siegel fit's residuals (percentage points; with ``M`` maturities the residuals carry ``(M - 3) / M``
    of a true noise variance, so this understates a model's noise and the simulated residual is smaller
    again) and ``measurement_ar`` their pooled first-order
    autocorrelation."""
    yields = _check_panel(yields, "calibrate_dns")
    factors = fit_nelson_siegel(yields, lam)
    f = factors.to_numpy()
    x = np.column_stack([np.ones(len(f) - 1), f[:-1]])
    coef, *_ = np.linalg.lstsq(x, f[1:], rcond=None)
    ar = coef[1:].T
    resid = f[1:] - x @ coef
    cov = resid.T @ resid / (len(resid) - x.shape[1])
    mean = np.linalg.solve(np.eye(3) - ar, coef[0])
    noise = yields - nelson_siegel_curve(factors, [float(c) for c in yields.columns], lam).set_axis(
        yields.columns, axis=1
    )
    u = noise.to_numpy()
    return DNSParams(
        cast(tuple[float, float, float], tuple(float(v) for v in mean)),
        cast(
            tuple[tuple[float, float, float], ...],
            tuple(tuple(float(v) for v in row) for row in ar),
        ),
        cast(
            tuple[tuple[float, float, float], ...],
            tuple(tuple(float(v) for v in row) for row in cov),
        ),
        float(u.std()),
        lam,
        float((u[1:] * u[:-1]).sum() / (u[:-1] ** 2).sum()),
    )


def curve_moments(yields: pd.DataFrame, lam: float = DIEBOLD_LI_LAMBDA) -> pd.Series:
    """Summary moments of a yield panel (percent): mean, sd, min and max of all yields; the Nelson-Siegel
    factors' means and sds; the sd of monthly yield changes at the shortest and longest maturity and averaged
    over maturities; the mean first-order autocorrelation of the yields and of their monthly changes."""
    yields = _check_panel(yields, "curve_moments")
    factors = fit_nelson_siegel(yields, lam)
    changes = yields.diff().iloc[1:]
    values = yields.to_numpy()
    out = {
        "yield_mean": values.mean(),
        "yield_sd": values.std(),
        "yield_min": values.min(),
        "yield_max": values.max(),
        **{f"{k}_mean": factors[k].mean() for k in factors},
        **{f"{k}_sd": factors[k].std() for k in factors},
        "change_sd_short": changes.iloc[:, 0].std(),
        "change_sd_long": changes.iloc[:, -1].std(),
        "change_sd_mean": changes.std().mean(),
        "yield_ac1": np.mean([yields[c].autocorr() for c in yields]),
        "change_ac1": np.mean([changes[c].autocorr() for c in changes]),
    }
    return pd.Series(out, dtype=float, name="moment")


def moment_comparison(real: pd.Series, simulated: pd.DataFrame, band: float = 0.90) -> pd.DataFrame:
    """Moments of the real panel against their distribution over simulated panels.

    Parameters
    ----------
    real : Series
        :func:`curve_moments` of the real panel.
    simulated : DataFrame, shape (n_panels, n_moments)
        :func:`curve_moments` of each simulated panel (same moments as columns), at least 10 panels.
    band : float
        Central coverage of the simulated band (0.90: the 5% and 95% quantiles).

    Returns
    -------
    DataFrame
        One row per moment: ``real``, ``sim_low``, ``sim_median``, ``sim_high`` and ``real_percentile`` (the
        share of simulated panels below the real value; near 0 or 1: a moment the generator rarely produces).
    """
    where = "moment_comparison"
    if not isinstance(real, pd.Series) or not isinstance(simulated, pd.DataFrame):
        raise TypeError(f"{where}: real must be a Series and simulated a DataFrame")
    if list(simulated.columns) != list(real.index):
        raise DataValidationError(
            f"{where}: simulated's columns must be real's moments {list(real.index)}"
        )
    check_min_length(len(simulated), 10, what="simulated panels", where=where)
    check_finite(simulated, list(simulated.columns), where=where)
    if not 0 < band < 1:
        raise ValueError(f"{where}: band must lie in (0, 1), got {band!r}")
    tail = (1 - band) / 2
    return pd.DataFrame(
        {
            "real": real,
            "sim_low": simulated.quantile(tail),
            "sim_median": simulated.median(),
            "sim_high": simulated.quantile(1 - tail),
            "real_percentile": (simulated < real).mean(),
        }
    )


def moment_fit_reading(table: pd.DataFrame) -> str:
    """One Markdown sentence from :func:`moment_comparison`'s table: how many real moments lie inside the
    simulated band, and which lie outside (real value and band), the ones the generator's world lacks."""
    outside = table[(table["real"] < table["sim_low"]) | (table["real"] > table["sim_high"])]
    head = (
        f"{len(table) - len(outside)} of {len(table)} moments of the real curve lie inside the band of the "
        "simulated panels"
    )
    if outside.empty:
        return head + "; none lies outside."
    listed = "; ".join(
        f"{k} {r.real:.3f} ({'above' if r.real > r.sim_high else 'below'} the band "
        f"{r.sim_low:.3f} to {r.sim_high:.3f})"
        for k, r in outside.iterrows()
    )
    return f"{head}; outside, so the generator's world lacks them: {listed}."
