"""The VaR/ES models a risk desk uses: historical simulation, filtered HS, GARCH(1,1) via ``arch``, EWMA.

Every function forecasts the 1-day VaR and ES for each date in ``dates`` from returns dated strictly before it.
GARCH parameters are estimated once on data before ``fit_end`` and the conditional variance is then filtered
forward with those parameters (the usual desk practice between re-estimations).
"""

from __future__ import annotations

from typing import Literal, cast

import numpy as np
import pandas as pd
from arch import arch_model

from finrisk_utils.core.validation import (
    DataValidationError,
    as_timestamp,
    check_date_index,
    check_positive_int,
    check_probability,
    check_returns,
)
from finrisk_utils.market.riskmeasures import (
    RiskForecast,
    check_confidence,
    normal_var_es,
    tail_mean_from_ppf,
)

__all__ = [
    "classical_var_forecasts",
    "ewma_var",
    "ewma_volatility",
    "filtered_historical_simulation",
    "garch_var",
    "historical_simulation",
]


def _history_positions(
    returns: pd.Series, dates: pd.DatetimeIndex, need: int, what: str
) -> np.ndarray:
    """Position in ``returns`` of the last observation strictly before each date; checks enough history, and
    that at most the last date lies after the data (a next-day forecast): later dates would reuse the same
    window and give a flat, meaningless forecast."""
    check_returns(returns, "returns", where=what)
    check_date_index(dates, "dates", where=what)
    after = dates > returns.index[-1]
    if after.sum() > 1:
        raise DataValidationError(
            f"{what}: {int(after.sum())} forecast dates lie after the last return "
            f"({returns.index[-1].date()}), first {dates[after][0].date()}; only the next day can "
            "be forecast from the data"
        )
    last = returns.index.searchsorted(dates, side="left") - 1
    if last[0] + 1 < need:
        raise DataValidationError(
            f"{what}: {last[0] + 1} returns before {dates[0].date()}, needs at least {need}"
        )
    return last


def _empirical_var_es(sample: np.ndarray, alpha: float) -> tuple[float, float]:
    """VaR and ES (positive losses) of an empirical return sample: the ``alpha`` quantile (linear
    interpolation) and the mean of the returns at or below it."""
    q = float(np.quantile(sample, alpha))
    return -q, -float(sample[sample <= q].mean())


def historical_simulation(
    returns: pd.Series, dates: pd.DatetimeIndex, confidence: float, *, window: int = 250
) -> RiskForecast:
    """Historical simulation (named ``hs``): VaR/ES from the last ``window`` returns before each date, equally
    weighted; the quantile is linearly interpolated between order statistics (``numpy.quantile``)."""
    alpha = check_confidence(confidence)
    window = check_positive_int(window, "window", where="historical_simulation", minimum=2)
    last = _history_positions(returns, dates, window, "historical_simulation")
    x = returns.to_numpy(dtype=float)
    pairs = [_empirical_var_es(x[p - window + 1 : p + 1], alpha) for p in last]
    var, es = (pd.Series(v, index=dates) for v in zip(*pairs, strict=True))
    return RiskForecast("hs", confidence, var, es)


def ewma_volatility(returns: pd.Series, lam: float = 0.94, *, init_window: int = 250) -> pd.Series:
    """RiskMetrics EWMA volatility forecast: ``s2_t = lam s2_{t-1} + (1 - lam) r_{t-1}^2``, zero mean.

    Returns, for each date of ``returns``, the volatility forecast *for that date* (built from returns strictly
    before it). Started at the mean square of the first ``init_window`` returns; the start-up rows (the first
    ``init_window``) are dropped, so no forecast uses its own start value's data.
    """
    where = "ewma_volatility"
    lam = check_probability(lam, "lam", where=where)
    init_window = check_positive_int(init_window, "init_window", where=where)
    r = check_returns(returns, "returns", where=where).to_numpy(dtype=float)
    if len(r) <= init_window:
        raise DataValidationError(
            f"{where}: {len(r)} returns, needs more than init_window={init_window}"
        )
    s2 = np.empty(len(r))
    s2[init_window] = np.mean(r[:init_window] ** 2)
    for t in range(init_window + 1, len(r)):
        s2[t] = lam * s2[t - 1] + (1 - lam) * r[t - 1] ** 2
    return pd.Series(np.sqrt(s2[init_window:]), index=returns.index[init_window:], name="ewma_vol")


def ewma_var(
    returns: pd.Series, dates: pd.DatetimeIndex, confidence: float, *, lam: float = 0.94
) -> RiskForecast:
    """RiskMetrics: zero-mean normal returns with EWMA volatility (``lam`` = 0.94 for daily data)."""
    alpha = check_confidence(confidence)
    lam = check_probability(lam, "lam", where="ewma_var")
    _history_positions(returns, dates, 251, "ewma_var")
    sigma = ewma_volatility(returns, lam).reindex(
        dates
    )  # each date's forecast uses earlier returns only
    if sigma.isna().any():
        raise DataValidationError(
            "ewma_var: every forecast date must be a date of the return series"
        )
    var, es = normal_var_es(np.zeros(len(dates)), sigma.to_numpy(), alpha)
    return RiskForecast("ewma", confidence, pd.Series(var, index=dates), pd.Series(es, index=dates))


def _fit_garch(returns: pd.Series, fit_end: pd.Timestamp, dist: str, o: int = 0):
    model = arch_model(
        returns,
        mean="Constant",
        vol="GARCH",
        p=1,
        o=o,
        q=1,
        dist=cast(Literal["normal", "t", "skewt"], dist),  # callers check dist
        rescale=False,
    )
    result = model.fit(last_obs=fit_end, disp="off", show_warning=False)
    if result.convergence_flag != 0:
        raise RuntimeError(
            f"GARCH({dist}) estimation did not converge (flag {result.convergence_flag})"
        )
    return model, result


def _garch_sigma(returns: pd.Series, result, dates: pd.DatetimeIndex) -> tuple[pd.Series, float]:
    """1-day-ahead conditional volatility for each of ``dates``, filtered with fixed parameters through the
    previous trading day, and the constant mean."""
    last = returns.index.searchsorted(dates, side="left") - 1
    fc = result.forecast(start=returns.index[last[0]], horizon=1, reindex=False)
    variance = fc.variance["h.1"]
    sigma = np.sqrt(variance.loc[returns.index[last]].to_numpy())
    return pd.Series(sigma, index=dates), float(result.params["mu"])


def garch_var(
    returns: pd.Series,
    dates: pd.DatetimeIndex,
    confidence: float,
    *,
    dist: str = "t",
    fit_end: str | pd.Timestamp | None = None,
    gjr: bool = False,
) -> RiskForecast:
    """GARCH(1,1) with constant mean and ``dist`` innovations (``"normal"``, ``"t"``, ``"skewt"``) via ``arch``;
    with ``gjr=True`` the GJR-GARCH(1,1,1) of Glosten, Jagannathan and Runkle (1993), whose variance reacts more
    to negative returns (the leverage effect), named ``gjr_garch_<dist>``.

    Parameters are estimated on returns before ``fit_end`` (default: the first forecast date) and held fixed;
    VaR/ES use the innovation distribution's quantile and tail mean (numerical for the skew-t).
    """
    alpha = check_confidence(confidence)
    if dist not in {"normal", "t", "skewt"}:
        raise ValueError(f"dist must be 'normal', 't' or 'skewt', got {dist!r}")
    if not isinstance(gjr, bool):
        raise TypeError(f"garch_var: gjr must be a bool, got {gjr!r}")
    _history_positions(returns, dates, 500, f"garch_var({dist})")
    fit_end = (
        as_timestamp(fit_end, "fit_end", where="garch_var") if fit_end is not None else dates[0]
    )
    assert not isinstance(fit_end, str)  # a Timestamp now
    if fit_end > dates[0]:
        raise DataValidationError(
            f"garch_var: fit_end {fit_end.date()} is after the first forecast date {dates[0].date()} (look-ahead)"
        )
    model, result = _fit_garch(returns, fit_end, dist, o=int(gjr))
    sigma, mu = _garch_sigma(returns, result, dates)
    shape = result.params[model.distribution.parameter_names()].to_numpy()
    ppf = lambda u: model.distribution.ppf(u, shape)  # noqa: E731 -- standardized innovation quantile
    z_q, z_es = float(ppf(alpha)), tail_mean_from_ppf(ppf, alpha)
    name = {"normal": "garch_n", "t": "garch_t", "skewt": "garch_skewt"}[dist]
    name = f"gjr_{name}" if gjr else name
    return RiskForecast(name, confidence, -(mu + sigma * z_q), -(mu + sigma * z_es))


def filtered_historical_simulation(
    returns: pd.Series,
    dates: pd.DatetimeIndex,
    confidence: float,
    *,
    fit_end: str | pd.Timestamp | None = None,
    dist: str = "t",
) -> RiskForecast:
    """Filtered HS (Barone-Adesi et al. 1999): a GARCH(1,1) with ``dist`` innovations, estimated before
    ``fit_end``, filters the returns; VaR/ES are the empirical quantile and tail mean of its standardized
    residuals over the estimation sample, rescaled by each date's filtered volatility.

    The default filter is the Student-t GARCH the desk already runs; ``dist="normal"`` (Gaussian QMLE) is the
    other common choice (on S&P 500 2015-18 at 99% it gives one exception fewer).
    """
    alpha = check_confidence(confidence)
    if dist not in {"normal", "t", "skewt"}:
        raise ValueError(f"dist must be 'normal', 't' or 'skewt', got {dist!r}")
    _history_positions(returns, dates, 500, "filtered_historical_simulation")
    fit_end = (
        as_timestamp(fit_end, "fit_end", where="filtered_historical_simulation")
        if fit_end is not None
        else dates[0]
    )
    assert not isinstance(fit_end, str)  # a Timestamp now
    if fit_end > dates[0]:
        raise DataValidationError(
            f"filtered_historical_simulation: fit_end {fit_end.date()} is after the first forecast date "
            f"{dates[0].date()} (look-ahead)"
        )
    _, result = _fit_garch(returns, fit_end, dist)
    z = result.std_resid.dropna()
    z = z[z.index < fit_end].to_numpy()
    var_z, es_z = _empirical_var_es(z, alpha)
    sigma, mu = _garch_sigma(returns, result, dates)
    return RiskForecast("fhs", confidence, -mu + sigma * var_z, -mu + sigma * es_z)


def classical_var_forecasts(
    returns: pd.Series,
    dates: pd.DatetimeIndex,
    confidence: float,
    *,
    fit_end: str | pd.Timestamp,
    hs_window: int = 250,
    ewma_lambda: float = 0.94,
) -> dict[str, RiskForecast]:
    """The classical VaR/ES models a risk desk compares a new model with, keyed by their metric names:
    ``hs`` (historical simulation, ``hs_window`` days), ``fhs`` (filtered HS on a GARCH-t), ``garch_t`` and
    ``garch_skewt`` (GARCH(1,1) with Student-t / skew-t innovations, estimated on returns before ``fit_end``),
    ``gjr_garch_skewt`` (GJR-GARCH with skew-t innovations) and ``ewma`` (RiskMetrics, decay ``ewma_lambda``).
    ``returns`` in %, one forecast per date of ``dates``."""
    return {
        "hs": historical_simulation(returns, dates, confidence, window=hs_window),
        "fhs": filtered_historical_simulation(returns, dates, confidence, fit_end=fit_end),
        "garch_t": garch_var(returns, dates, confidence, dist="t", fit_end=fit_end),
        "garch_skewt": garch_var(returns, dates, confidence, dist="skewt", fit_end=fit_end),
        "gjr_garch_skewt": garch_var(
            returns, dates, confidence, dist="skewt", fit_end=fit_end, gjr=True
        ),
        "ewma": ewma_var(returns, dates, confidence, lam=ewma_lambda),
    }
