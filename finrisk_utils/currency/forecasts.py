"""Forecasting exchange-rate changes (the Meese-Rogoff question) and the comparison with the random walk.

Everything works on the log rate in percent, ``y_t = 100 log S_t`` (``S``: dollars per unit of the currency), so
an ``h``-step change ``y_{t+h} - y_t`` is the percentage return of a long position over ``h`` periods. Every
forecast is indexed by its *target* date (``h`` rows after the origin) and uses only data up to its origin:

* the random walk forecasts no change (Meese and Rogoff 1983: the benchmark that is hard to beat);
* the forward rate (uncovered interest parity with no risk premium) forecasts ``100 log(F_t / S_t)``, the
  forward premium, which has no estimated parameter;
* the Fama (1984) regression ``y_{t+h} - y_t = a + b 100 log(F_t / S_t)`` and a direct AR on past one-period
  changes are re-estimated at every origin on the pairs whose target is already observed; both nest the random
  walk (``a = b = 0``), so Clark and West's (2007) test is the one to read for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finrisk_utils.core.timeseries import origins_with_target
from finrisk_utils.core.validation import (
    DataValidationError,
    as_float_array,
    as_timestamp,
    check_positive_int,
    check_returns,
    check_same_index,
)
from finrisk_utils.forecasting.compare import (
    ComparisonResult,
    compare_forecasts,
    holm_across,
    nested_inputs,
)

__all__ = [
    "FamaSlope",
    "actual_changes",
    "compare_change_forecasts",
    "direct_change_ar_forecast",
    "direct_linear_forecast",
    "fama_regression_forecast",
    "fama_slope",
    "forecast_origins",
    "forward_rate_forecast",
    "level_to_change",
    "log_level",
    "zero_change_forecast",
]


def log_level(rate: pd.Series) -> pd.Series:
    """``100 log S_t`` of a positive rate series (same dates and name)."""
    rate = check_returns(rate, "rate", where="log_level")
    if not (rate > 0).all():
        bad = rate.index[int(np.argmax((rate <= 0).to_numpy()))]
        raise DataValidationError(
            f"log_level: rate must be positive, first value <= 0 on {bad.date()}"
        )
    return 100 * np.log(rate)


def forecast_origins(
    index: pd.DatetimeIndex, start: str | pd.Timestamp, end: str | pd.Timestamp, horizon: int
) -> pd.DatetimeIndex:
    """Dates of ``index`` from ``start`` whose target ``horizon`` rows later is in the data and dated no later than
    ``end``: the origins of a test period that ends at ``end``."""
    where = "forecast_origins"
    start, end = as_timestamp(start, "start", where=where), as_timestamp(end, "end", where=where)
    horizon = check_positive_int(horizon, "horizon", where=where)
    inside = index[(index >= start) & (index <= end)]
    if len(inside) == 0:
        raise DataValidationError(f"{where}: no dates between {start.date()} and {end.date()}")
    origins = origins_with_target(index, inside, horizon)
    targets = index[index.get_indexer(origins) + horizon]
    origins = origins[targets <= end]
    if len(origins) == 0:
        raise DataValidationError(
            f"{where}: no origin from {start.date()} has its {horizon}-step target by {end.date()}"
        )
    return origins


def _positions(
    levels: pd.Series, origins: pd.DatetimeIndex, horizon: int, where: str
) -> np.ndarray:
    levels = check_returns(levels, "levels", where=where)
    horizon = check_positive_int(horizon, "horizon", where=where)
    pos = levels.index.get_indexer(origins)
    if (pos < 0).any():
        raise DataValidationError(
            f"{where}: origin {origins[int(np.argmax(pos < 0))].date()} is not a date of the series"
        )
    if (pos + horizon >= len(levels)).any():
        raise DataValidationError(
            f"{where}: the target {horizon} steps after the last origin is not in the data"
        )
    return pos


def actual_changes(levels: pd.Series, origins: pd.DatetimeIndex, horizon: int) -> pd.Series:
    """Realised ``y_{o+h} - y_o`` for each origin, indexed by target date (``levels``: e.g. :func:`log_level`)."""
    pos = _positions(levels, origins, horizon, "actual_changes")
    y = levels.to_numpy(dtype=float)
    return pd.Series(y[pos + horizon] - y[pos], index=levels.index[pos + horizon], name="actual")


def zero_change_forecast(levels: pd.Series, origins: pd.DatetimeIndex, horizon: int) -> pd.Series:
    """The random walk's change forecast: zero, indexed by target date."""
    pos = _positions(levels, origins, horizon, "zero_change_forecast")
    return pd.Series(0.0, index=levels.index[pos + horizon], name="random_walk")


def level_to_change(level_forecast: pd.Series, levels: pd.Series, horizon: int) -> pd.Series:
    """A forecast of the level ``y_{t+h}`` (indexed by target date, e.g. from
    :func:`~finrisk_utils.forecasting.direct.direct_deep_forecast`) as a change forecast: minus the level at its
    origin, ``h`` rows earlier in ``levels``."""
    where = "level_to_change"
    level_forecast = check_returns(level_forecast, "level_forecast", where=where)
    levels = check_returns(levels, "levels", where=where)
    horizon = check_positive_int(horizon, "horizon", where=where)
    pos = levels.index.get_indexer(level_forecast.index)
    if (pos < horizon).any():
        raise DataValidationError(
            f"{where}: target {level_forecast.index[int(np.argmax(pos < horizon))].date()} has no origin "
            f"{horizon} rows earlier in levels"
        )
    origin_level = levels.to_numpy(dtype=float)[pos - horizon]
    return pd.Series(level_forecast.to_numpy() - origin_level, index=level_forecast.index)


def _expanding_ols(
    X: np.ndarray, y: np.ndarray, usable: np.ndarray, rows: np.ndarray, where: str
) -> np.ndarray:
    """For each ``rows[i]``, OLS of ``y`` on ``X`` over the first ``usable[i]`` rows, applied to ``X[rows[i]]``."""
    out = np.empty(len(rows))
    for i, (n, r) in enumerate(zip(usable, rows, strict=True)):
        if n < 2 * X.shape[1]:
            raise DataValidationError(
                f"{where}: only {n} estimation pairs before an origin, need at least {2 * X.shape[1]}"
            )
        beta = np.linalg.lstsq(X[:n], y[:n], rcond=None)[0]
        out[i] = X[r] @ beta
    return out


def direct_change_ar_forecast(
    levels: pd.Series, origins: pd.DatetimeIndex, horizon: int, lags: int = 1
) -> pd.Series:
    """Direct AR forecast of ``y_{t+h} - y_t`` from a constant and the last ``lags`` one-step changes,
    re-estimated by OLS at each origin on the pairs whose target is dated no later than the origin (expanding
    window). Indexed by target date, named ``ar<lags>``."""
    where = "direct_change_ar_forecast"
    pos = _positions(levels, origins, horizon, where)
    lags = check_positive_int(lags, "lags", where=where)
    y = levels.to_numpy(dtype=float)
    d = np.diff(y)  # d[t-1] = y_t - y_{t-1}
    # row t (t >= lags): regressors 1, d(y_t), ..., d(y_{t-lags+1}); target y_{t+h} - y_t
    t = np.arange(lags, len(y) - horizon)
    X = np.column_stack([np.ones(len(t))] + [d[t - 1 - j] for j in range(lags)])
    target = y[t + horizon] - y[t]
    if (pos < lags).any():
        raise DataValidationError(f"{where}: an origin has fewer than {lags} earlier changes")
    usable = np.searchsorted(t + horizon, pos, side="right")  # pairs with target position <= origin
    X_origin = np.column_stack([np.ones(len(pos))] + [d[pos - 1 - j] for j in range(lags)])
    full = np.vstack([X, X_origin])
    rows = len(X) + np.arange(len(pos))
    fc = _expanding_ols(full, np.concatenate([target, np.zeros(len(pos))]), usable, rows, where)
    return pd.Series(fc, index=levels.index[pos + horizon], name=f"ar{lags}")


def direct_linear_forecast(
    levels: pd.Series, features: pd.DataFrame, origins: pd.DatetimeIndex, horizon: int, window: int
) -> pd.Series:
    """The linear ablation of a sequence network: OLS of ``y_{t+h} - y_t`` on a constant and the last ``window``
    rows of ``features`` (flattened: ``window * n_features`` regressors, what the network sees), estimated once
    on the pairs whose target is dated no later than the first origin, applied at every origin. Indexed by
    target date, named ``linear_window``."""
    where = "direct_linear_forecast"
    pos = _positions(levels, origins, horizon, where)
    window = check_positive_int(window, "window", where=where)
    if not isinstance(features, pd.DataFrame) or not features.index.equals(levels.index):
        raise DataValidationError(f"{where}: features must be a DataFrame on exactly levels' dates")
    x = as_float_array(features, "features", where=where, ndim=2)
    if (pos < window - 1).any():
        raise DataValidationError(
            f"{where}: an origin has fewer than window = {window} rows of features"
        )
    y = levels.to_numpy(dtype=float)

    def design(rows: np.ndarray) -> np.ndarray:
        lagged = [x[rows - j] for j in range(window)]
        return np.column_stack([np.ones(len(rows)), *lagged])

    t = np.arange(window - 1, pos[0] - horizon + 1)  # targets observed by the first origin
    if len(t) < 2 * (window * x.shape[1] + 1):
        raise DataValidationError(
            f"{where}: {len(t)} estimation pairs for {window * x.shape[1] + 1} coefficients; need twice as many"
        )
    beta = np.linalg.lstsq(design(t), y[t + horizon] - y[t], rcond=None)[0]
    return pd.Series(design(pos) @ beta, index=levels.index[pos + horizon], name="linear_window")


def _premium(spot: pd.Series, forward: pd.Series, where: str) -> pd.Series:
    spot = check_returns(spot, "spot", where=where)
    forward = check_returns(forward, "forward", where=where)
    check_same_index(spot, forward, ("spot", "forward"), where=where)
    if not ((spot > 0).all() and (forward > 0).all()):
        raise DataValidationError(f"{where}: spot and forward rates must be positive")
    return 100 * np.log(forward / spot)


def forward_rate_forecast(
    spot: pd.Series, forward: pd.Series, origins: pd.DatetimeIndex, horizon: int
) -> pd.Series:
    """Uncovered interest parity: the ``h``-step change forecast is the forward premium ``100 log(F_t / S_t)``
    of the forward contract maturing ``h`` periods later (pass that contract's rates). Indexed by target date,
    named ``forward_rate``."""
    where = "forward_rate_forecast"
    premium = _premium(spot, forward, where)
    pos = _positions(100 * np.log(spot), origins, horizon, where)
    return pd.Series(premium.to_numpy()[pos], index=spot.index[pos + horizon], name="forward_rate")


def fama_regression_forecast(
    spot: pd.Series, forward: pd.Series, origins: pd.DatetimeIndex, horizon: int
) -> pd.Series:
    """Fama (1984) regression forecast ``a + b * premium_t`` of ``y_{t+h} - y_t``, ``a`` and ``b`` re-estimated
    at each origin on the pairs whose target is observed by then. Indexed by target date, named
    ``fama_regression``."""
    where = "fama_regression_forecast"
    premium = _premium(spot, forward, where).to_numpy()
    levels = 100 * np.log(spot)
    pos = _positions(levels, origins, horizon, where)
    y = levels.to_numpy()
    t = np.arange(len(y) - horizon)
    X = np.column_stack([np.ones(len(y)), premium])
    target = np.concatenate([y[t + horizon] - y[t], np.zeros(horizon)])
    usable = np.searchsorted(t + horizon, pos, side="right")
    fc = _expanding_ols(X, target, usable, pos, where)
    return pd.Series(fc, index=spot.index[pos + horizon], name="fama_regression")


@dataclass(frozen=True)
class FamaSlope:
    """Slope ``b`` of the Fama regression with its HAC (Bartlett, ``h`` lags) standard error; UIP says
    ``b = 1``. ``pvalue_vs_one``/``pvalue_vs_zero``: two-sided normal p-values; ``n``: pairs used."""

    beta: float
    se: float
    pvalue_vs_one: float
    pvalue_vs_zero: float
    n: int


def fama_slope(
    spot: pd.Series, forward: pd.Series, end: str | pd.Timestamp, horizon: int
) -> FamaSlope:
    """Estimate the Fama regression on the pairs whose target is dated before ``end`` (e.g. the test start)."""
    import statsmodels.api as sm
    from scipy import stats

    where = "fama_slope"
    premium = _premium(spot, forward, where)
    horizon = check_positive_int(horizon, "horizon", where=where)
    end = as_timestamp(end, "end", where=where)
    y = 100 * np.log(spot.to_numpy())
    n = int((spot.index[horizon:] < end).sum())
    if n < 10:
        raise DataValidationError(f"{where}: only {n} pairs with a target before {end.date()}")
    X = sm.add_constant(premium.to_numpy()[:n])
    fit = sm.OLS(y[horizon : horizon + n] - y[:n], X).fit(
        cov_type="HAC", cov_kwds={"maxlags": horizon}
    )
    b, se = float(fit.params[1]), float(fit.bse[1])
    return FamaSlope(
        b, se, float(2 * stats.norm.sf(abs(b - 1) / se)), float(2 * stats.norm.sf(abs(b) / se)), n
    )


def compare_change_forecasts(
    actual: Mapping[int, pd.Series],
    forecasts: Mapping[int, Mapping[str, pd.Series]],
    *,
    benchmark: str = "random_walk",
    nested: Sequence[str] = (),
    trained: Mapping[str, bool] | None = None,
    seed: int = 0,
) -> dict[int, ComparisonResult]:
    """The shared protocol on squared errors at each horizon (:func:`compare_forecasts`: DM with HAC variance
    and HLN, MCS; Clark-West for ``nested`` models), Holm over every horizon's tests together
    (:func:`holm_across`: one family of DM p-values, one of the nested, trained models' Clark-West p-values).

    ``actual[h]``: realised changes by target date; ``forecasts[h][model]``: change forecasts on exactly those
    dates. Returns ``{h: ComparisonResult}``.
    """
    where = "compare_change_forecasts"
    if not isinstance(actual, Mapping) or not actual or set(actual) != set(forecasts):
        raise ValueError(f"{where}: actual and forecasts must be mappings with the same horizons")
    trained = dict(trained or {})
    results = {}
    for h, y in actual.items():
        y = check_returns(y, f"actual[{h}]", where=where)
        fcs = forecasts[h]
        if benchmark not in fcs:
            raise ValueError(f"{where}: forecasts[{h}] lacks the benchmark {benchmark!r}")
        for m, fc in fcs.items():
            check_returns(fc, f"forecasts[{h}][{m!r}]", where=where)
            check_same_index(y, fc, ("actual", f"forecasts[{h}][{m!r}]"), where=where)
        losses = pd.DataFrame({m: (y - fc) ** 2 for m, fc in fcs.items()})
        present = [m for m in nested if m in fcs]
        nest = nested_inputs(y, fcs, benchmark, present) if present else {}
        tr = {m: bool(v) for m, v in trained.items() if m in fcs}
        results[h] = compare_forecasts(
            losses, benchmark, horizon=h, loss="mse", nested=nest, trained=tr, seed=seed
        )
    return holm_across(results)
