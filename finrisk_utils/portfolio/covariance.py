"""Covariance forecasts at a rebalance date from the returns up to it: rolling sample, EWMA (RiskMetrics),
Ledoit-Wolf shrinkage, univariate GARCH volatilities with a shrunk constant correlation, and any volatility forecast
combined with that correlation. All in the returns' units squared (percent squared per period).

Each forecaster is a callable ``history -> covariance`` where ``history`` holds the returns up to and including
the rebalance date; :func:`covariance_forecasts` feeds it ``returns.loc[:origin]`` and nothing later.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, cast

import numpy as np
import pandas as pd
import sklearn.utils.validation as skv
from skfolio.moments import BaseCovariance, EmpiricalCovariance, EWCovariance
from sklearn.covariance import LedoitWolf

from finrisk_utils.core.validation import (
    as_float_array,
    check_date_index,
    check_positive_int,
    check_probability,
)

__all__ = [
    "FixedCovariance",
    "GarchVolatility",
    "check_covariance",
    "correlation_from_covariance",
    "covariance_forecasts",
    "ewma_covariance",
    "ledoit_wolf_covariance",
    "sample_covariance",
    "shrunk_correlation",
    "vol_ccc_forecasts",
    "vol_corr_covariance",
]

Forecaster = Callable[[pd.DataFrame], np.ndarray]


def check_covariance(
    cov: object, n_assets: int, name: str = "covariance", *, where: str
) -> np.ndarray:
    """``cov`` as a finite, symmetric ``(n_assets, n_assets)`` array with positive variances; else an error
    naming ``where`` and ``name``."""
    arr = as_float_array(cov, name, where=where, ndim=2)
    if arr.shape != (n_assets, n_assets):
        raise ValueError(
            f"{where}: {name} must have shape ({n_assets}, {n_assets}), got {arr.shape}"
        )
    if not np.allclose(arr, arr.T, rtol=1e-8, atol=1e-12):
        raise ValueError(f"{where}: {name} is not symmetric")
    if not (np.diag(arr) > 0).all():
        raise ValueError(f"{where}: {name} has a non-positive variance on its diagonal")
    return arr


class FixedCovariance(BaseCovariance):
    """A skfolio covariance estimator that returns a covariance computed elsewhere (a forecast), so that any
    forecast can feed skfolio's optimisers through ``EmpiricalPrior(covariance_estimator=...)``.

    Parameters
    ----------
    covariance : array, shape (n_assets, n_assets)
        The covariance forecast (returns' units squared); symmetric, positive variances.
    nearest : bool
        Replace it by the nearest positive-definite matrix if needed (skfolio's ``cov_nearest``).
    """

    def __init__(self, covariance: np.ndarray | None = None, nearest: bool = True) -> None:
        super().__init__(nearest=nearest)
        self.covariance = covariance

    def fit(self, X: object, y: None = None) -> FixedCovariance:
        """Store the fixed covariance; ``X`` (observations x assets) only fixes the number of assets."""
        X = skv.validate_data(self, X)
        assert isinstance(X, np.ndarray)  # validate_data returns a dense array (or raises)
        cov = check_covariance(self.covariance, X.shape[1], where="FixedCovariance.fit")
        self._set_covariance(cov)
        self.location_ = np.zeros(X.shape[1])
        return self


def _values(history: pd.DataFrame, window: int | None, where: str) -> np.ndarray:
    x = as_float_array(history, "history", where=where, ndim=2)
    x = x if window is None else x[-window:]
    if x.shape[0] <= x.shape[1]:
        raise ValueError(
            f"{where}: need more observations than assets, got {x.shape[0]} rows for {x.shape[1]} assets"
        )
    return x


def sample_covariance(history: pd.DataFrame, window: int = 252) -> np.ndarray:
    """Sample covariance (ddof = 1) of the last ``window`` rows of ``history`` (periods x assets)."""
    window = check_positive_int(window, "window", where="sample_covariance", minimum=2)
    x = _values(history, window, "sample_covariance")
    return EmpiricalCovariance(nearest=False).fit(x).covariance_


def ewma_covariance(history: pd.DataFrame, lam: float = 0.94, window: int = 500) -> np.ndarray:
    """RiskMetrics EWMA covariance (zero mean, decay ``lam``; half-life ``ln 0.5 / ln lam`` periods) from the
    last ``window`` rows of ``history`` (skfolio's ``EWCovariance``)."""
    lam = check_probability(lam, "lam", where="ewma_covariance")
    window = check_positive_int(window, "window", where="ewma_covariance", minimum=2)
    x = _values(history, window, "ewma_covariance")
    half_life = math.log(0.5) / math.log(lam)
    return EWCovariance(half_life=half_life, nearest=False).fit(x).covariance_


def ledoit_wolf_covariance(history: pd.DataFrame, window: int = 252) -> np.ndarray:
    """Ledoit-Wolf (2004) shrinkage of the sample covariance of the last ``window`` rows towards a scaled
    identity (``sklearn.covariance.LedoitWolf``)."""
    window = check_positive_int(window, "window", where="ledoit_wolf_covariance", minimum=2)
    x = _values(history, window, "ledoit_wolf_covariance")
    return LedoitWolf().fit(x).covariance_


def correlation_from_covariance(cov: np.ndarray) -> np.ndarray:
    """The correlation matrix of a covariance matrix (unit diagonal)."""
    cov = check_covariance(cov, np.shape(cov)[0], where="correlation_from_covariance")
    s = np.sqrt(np.diag(cov))
    corr = cov / np.outer(s, s)
    np.fill_diagonal(corr, 1.0)
    return corr


def shrunk_correlation(history: pd.DataFrame, window: int = 252) -> np.ndarray:
    """Correlation of the Ledoit-Wolf covariance of the last ``window`` rows, each asset first divided by its
    standard deviation (so the shrinkage target is the identity correlation)."""
    window = check_positive_int(window, "window", where="shrunk_correlation", minimum=2)
    x = _values(history, window, "shrunk_correlation")
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    return correlation_from_covariance(LedoitWolf().fit(z).covariance_)


def vol_corr_covariance(vols: np.ndarray, corr: np.ndarray) -> np.ndarray:
    """``diag(vols) corr diag(vols)``: volatilities (returns' units) with a correlation matrix."""
    where = "vol_corr_covariance"
    v = as_float_array(vols, "vols", where=where)
    if not (v > 0).all():
        raise ValueError(f"{where}: vols must be positive, got {v}")
    c = check_covariance(corr, v.size, "corr", where=where)
    if not np.allclose(np.diag(c), 1.0):
        raise ValueError(f"{where}: corr must have a unit diagonal")
    return c * np.outer(v, v)


class GarchVolatility:
    """Univariate GARCH(1,1) volatility forecasts per asset (``arch``, zero mean), averaged over the holding
    period: the volatility whose square is the mean forecast variance of the next ``horizon`` periods.

    Parameters are re-estimated on all the history every ``refit_every`` calls (rebalance dates) and kept fixed
    in between, when only the variance recursion is run on the new data; no call sees later data.

    Parameters
    ----------
    horizon : int
        Periods in the holding period.
    refit_every : int
        Rebalance dates between re-estimations of the parameters.
    dist : str
        Innovation distribution passed to ``arch_model`` (``"normal"``, ``"t"``, ...).
    """

    def __init__(self, horizon: int = 21, refit_every: int = 12, dist: str = "normal") -> None:
        self.horizon = check_positive_int(horizon, "horizon", where="GarchVolatility")
        self.refit_every = check_positive_int(refit_every, "refit_every", where="GarchVolatility")
        self.dist = dist
        self.params: dict[str, pd.Series] = {}
        self.calls = 0
        self.refits = 0

    def __call__(self, history: pd.DataFrame) -> np.ndarray:
        """Volatilities (returns' units, one per column of ``history``) for the next ``horizon`` periods."""
        from arch import arch_model

        x = _values(history, None, "GarchVolatility")
        refit = self.calls % self.refit_every == 0
        self.calls += 1
        vols = []
        for j, asset in enumerate(history.columns):
            model = arch_model(
                x[:, j],
                mean="Zero",
                vol="GARCH",
                p=1,
                q=1,
                # passed through as given; arch_model checks the name
                dist=cast(
                    Literal[
                        "normal",
                        "gaussian",
                        "t",
                        "studentst",
                        "skewstudent",
                        "skewt",
                        "ged",
                        "generalized error",
                    ],
                    self.dist,
                ),
                rescale=False,
            )
            if refit or asset not in self.params:
                self.params[asset] = model.fit(disp="off").params
            fc = model.fix(self.params[asset]).forecast(horizon=self.horizon, reindex=False)
            vols.append(math.sqrt(float(np.mean(fc.variance.to_numpy()[-1]))))
        self.refits += int(refit)
        return np.asarray(vols)


def covariance_forecasts(
    returns: pd.DataFrame, origins: pd.DatetimeIndex, forecaster: Forecaster
) -> dict[pd.Timestamp, np.ndarray]:
    """The forecaster's covariance at each origin, from ``returns.loc[:origin]`` only (no later row).

    Parameters
    ----------
    returns : DataFrame
        Periods x assets, finite, DatetimeIndex.
    origins : DatetimeIndex
        Rebalance dates (dates of ``returns``), increasing.
    forecaster : callable
        ``history -> covariance`` (array ``(n_assets, n_assets)``).

    Returns
    -------
    dict origin -> array (n_assets, n_assets)
    """
    where = "covariance_forecasts"
    as_float_array(returns, "returns", where=where, ndim=2)
    check_date_index(origins, "origins", where=where)
    missing = origins.difference(returns.index)
    if len(missing):
        raise ValueError(f"{where}: origin {missing[0].date()} is not a date of returns")
    out = {}
    for origin in origins:
        out[origin] = check_covariance(
            forecaster(returns.loc[:origin]), returns.shape[1], where=f"{where} at {origin.date()}"
        )
    return out


def vol_ccc_forecasts(
    returns: pd.DataFrame, vols: pd.DataFrame, window: int = 252
) -> dict[pd.Timestamp, np.ndarray]:
    """Covariance forecasts from volatility forecasts and a constant correlation (Bollerslev 1990's CCC): at
    each origin (a row of ``vols``), ``D R D`` with ``D`` the forecast volatilities and ``R`` the
    :func:`shrunk_correlation` of the last ``window`` returns up to the origin (:func:`covariance_forecasts`).

    Parameters
    ----------
    returns : DataFrame
        Periods x assets, finite (percent).
    vols : DataFrame
        Origins x the same assets: volatility forecasts for the holding period after each origin (percent per
        period of ``returns``), positive and finite.
    window : int
        Length of the correlation window, in periods.
    """
    where = "vol_ccc_forecasts"
    if not isinstance(vols, pd.DataFrame) or list(vols.columns) != list(returns.columns):
        raise ValueError(
            f"{where}: vols must be a DataFrame with returns' columns {list(returns.columns)}"
        )
    values = as_float_array(vols, "vols", where=where, ndim=2)
    if (values <= 0).any():
        row = int(np.argmax((values <= 0).any(axis=1)))
        raise ValueError(
            f"{where}: vols must be positive, found {float(values[row].min())!r} on {vols.index[row].date()}"
        )
    return covariance_forecasts(
        returns,
        pd.DatetimeIndex(vols.index),
        lambda h: vol_corr_covariance(
            vols.loc[h.index[-1]].to_numpy(), shrunk_correlation(h, window)
        ),
    )
