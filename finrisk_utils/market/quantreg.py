"""Linear quantile regression VaR/ES (CAViaR-style): the ablation of the quantile/ES networks.

The regression sees a summary of what the ``vol_scaling="ewma"`` networks see: each day's return standardized by
the RiskMetrics EWMA volatility forecast, ``z_t = r_t / sigma_t`` (``sigma_t`` from returns before ``t``), and is
fitted by linear quantile regression (Koenker and Bassett 1978; ``statsmodels`` ``QuantReg``) of ``z_t`` on

* ``z_{t-1}`` and ``|z_{t-1}|`` (the last day's signed and absolute shock, as in Engle and Manganelli's 2004
  asymmetric-slope CAViaR),
* the mean of ``|z|`` over the ``window`` days before ``t`` (the window summary), and
* ``log sigma_t`` relative to the training standard deviation (the volatility level).

If a network cannot beat this linear model on the same inputs, its nonlinearity buys nothing. ES is the fitted
quantile times the training sample's mean ratio of the standardized return to its fitted quantile on the days
the return fell below it (at least 1), rescaled by ``sigma_t`` like the quantile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import (
    DataValidationError,
    as_timestamp,
    check_positive_int,
    check_returns,
)
from finrisk_utils.market.riskmeasures import RiskForecast, check_confidence
from finrisk_utils.market.var_models import ewma_volatility

__all__ = ["linear_quantile_features", "linear_quantile_forecast"]

_MIN_TRAIN = 250


def linear_quantile_features(returns: pd.Series, window: int, train_end: pd.Timestamp):
    """Regressors (constant included), standardized target ``z`` and scale ``sigma``, on the dates where the
    whole window is available; every regressor of date ``t`` uses returns before ``t`` only."""
    sigma = ewma_volatility(returns)
    r = returns.loc[sigma.index]
    z = r / sigma
    s = float(returns[returns.index < train_end].std())
    X = pd.DataFrame(
        {
            "const": 1.0,
            "z_lag": z.shift(1),
            "abs_z_lag": z.abs().shift(1),
            "mean_abs_z": z.abs().rolling(window).mean().shift(1),
            "log_vol": np.log(sigma / s),
        }
    ).dropna()
    return X, z.loc[X.index], sigma.loc[X.index]


def linear_quantile_forecast(
    returns: pd.Series,
    *,
    confidence: float,
    test_start: str | pd.Timestamp,
    test_end: str | pd.Timestamp,
    window: int = 20,
    name: str = "linear_quantile",
) -> RiskForecast:
    """Fit the linear quantile regression on every date before ``test_start`` and forecast VaR/ES (positive
    losses, the returns' units) for each date of ``returns`` in ``[test_start, test_end]``; named ``name``
    (``linear_quantile`` in the README glossary)."""
    from statsmodels.regression.quantile_regression import QuantReg

    where = "linear_quantile_forecast"
    alpha = check_confidence(confidence)
    returns = check_returns(returns, "returns", where=where)
    window = check_positive_int(window, "window", where=where, minimum=2)
    start = as_timestamp(test_start, "test_start", where=where)
    end = as_timestamp(test_end, "test_end", where=where)
    if end < start:
        raise DataValidationError(
            f"{where}: test_end {end.date()} is before test_start {start.date()}"
        )
    if not isinstance(name, str) or not name:
        raise TypeError(f"{where}: name must be a non-empty str, got {name!r}")
    X, z, sigma = linear_quantile_features(returns, window, start)
    train = X.index < start
    test = (X.index >= start) & (X.index <= end)
    if train.sum() < _MIN_TRAIN:
        raise DataValidationError(
            f"{where}: {int(train.sum())} training dates before {start.date()} (after the EWMA start-up and "
            f"a {window}-day window), needs at least {_MIN_TRAIN}"
        )
    if not test.any():
        raise DataValidationError(f"{where}: no return dated in [{start.date()}, {end.date()}]")
    fit = QuantReg(z[train].to_numpy(), X[train].to_numpy()).fit(q=alpha, max_iter=5000)
    q_train = X[train].to_numpy() @ fit.params
    hit = (z[train].to_numpy() <= q_train) & (q_train < 0)
    ratio = max(1.0, float(np.mean(z[train].to_numpy()[hit] / q_train[hit]))) if hit.any() else 1.0
    # a quantile at or above zero would be a negative VaR: cap it at a tiny loss (never binding in practice)
    q = np.minimum(X[test].to_numpy() @ fit.params, -1e-6)
    dates = X.index[test]
    var = pd.Series(-q * sigma[test].to_numpy(), index=dates)
    return RiskForecast(name, confidence, var, var * ratio)
