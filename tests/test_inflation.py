"""SARIMA year-on-year inflation forecasts: aggregation, no look-ahead, quantiles, errors."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.data.registry import load
from finrisk_utils.inflation.measures import monthly_inflation, yoy_change
from finrisk_utils.inflation.sarima import (
    _fit,
    _yoy_from_monthly,
    sarima_yoy_fan,
    sarima_yoy_forecast,
    simulate_paths,
)


@pytest.fixture(scope="module")
def cpi():
    return load("core_cpi")["core_cpi"]


def test_monthly_rates_add_up_to_year_on_year(cpi):
    m = monthly_inflation(cpi)
    yoy = yoy_change(cpi)
    np.testing.assert_allclose(m.rolling(12).sum().dropna().to_numpy(), yoy.to_numpy(), atol=1e-10)
    # the aggregation helper: known months plus forecast months
    hist = np.arange(1.0, 21.0)
    future = np.array([100.0, 200.0])
    np.testing.assert_allclose(
        _yoy_from_monthly(hist, future), [hist[-11:].sum() + 100, hist[-10:].sum() + 300]
    )


def test_sarima_forecasts_are_sane_and_use_only_the_past(cpi):
    cpi = cpi.loc["2000-01-01":]  # ten years before the origins: enough to estimate, quick to refit
    origins = cpi.index[(cpi.index >= "2010-01-01") & (cpi.index <= "2010-12-01")]
    res = sarima_yoy_forecast(cpi, origins, (1, 12), refit_every=6, n_paths=200, seed=1)
    assert res.n_fits == 2
    assert res.mean[1].index.equals(cpi.index[cpi.index.get_indexer(origins) + 1])
    q = res.quantiles[12]
    assert (q[0.05] <= q[0.5]).all() and (q[0.5] <= q[0.95]).all()
    assert ((res.mean[12] > q[0.05]) & (res.mean[12] < q[0.95])).all()
    # one month ahead, 11 of 12 months are known: the forecast is within a monthly rate of "no change"
    yoy = yoy_change(cpi)
    assert (res.mean[1] - yoy.loc[origins].to_numpy()).abs().max() < 1.0
    altered = cpi.copy()
    altered[altered.index > origins[-1]] *= 1.5
    again = sarima_yoy_forecast(altered, origins, (1, 12), refit_every=6, n_paths=200, seed=1)
    pd.testing.assert_series_equal(res.mean[12], again.mean[12])


def test_vectorised_paths_have_the_model_forecast_mean_and_variance(cpi):
    """The all-paths-at-once simulator has the law of statsmodels' ``simulate(anchor="end")``: its mean and
    variance at every step match the model's analytic forecast (Kalman filter) within sampling error."""
    endog = (100 * np.log(cpi.loc["1995-01-01":"2010-12-01"]).diff().dropna()).to_numpy()
    res, _ = _fit(endog, (1, 1, 1), (0, 0, 1, 12))
    steps, n = 12, 20_000
    paths = simulate_paths(res, steps, n, np.random.default_rng(0))
    fc = res.get_forecast(steps)
    mean, var = np.asarray(fc.predicted_mean), np.asarray(fc.var_pred_mean)
    assert paths.shape == (steps, n)
    np.testing.assert_allclose(paths.mean(axis=1), mean, atol=4 * np.sqrt(var / n).max())
    np.testing.assert_allclose(
        paths.var(axis=1), var, rtol=0.05
    )  # sd of a variance estimate ~ 1% here
    assert (np.diff(var) >= -1e-12).all()  # an integrated model: uncertainty grows


def test_fan_chart_runs_past_the_data(cpi):
    fan = sarima_yoy_fan(cpi, cpi.index[-1], steps=6, n_paths=300)
    assert fan.index[0] == cpi.index[-1] + pd.offsets.MonthBegin(1) and len(fan) == 6
    assert (fan[0.95] - fan[0.05]).is_monotonic_increasing  # uncertainty grows with the horizon


def test_bad_inputs(cpi):
    with pytest.raises(DataValidationError, match="positive"):
        monthly_inflation(cpi.where(cpi.index != cpi.index[5], -1.0))
    with pytest.raises(DataValidationError, match="60"):
        sarima_yoy_forecast(cpi, cpi.index[10:12], (1,))
    with pytest.raises(ValueError, match="origins"):
        sarima_yoy_forecast(cpi, pd.DatetimeIndex(["2100-01-01"]), (1,))
    with pytest.raises(ValueError, match="refit_every"):
        sarima_yoy_forecast(cpi, cpi.index[100:102], (1,), refit_every=0)
