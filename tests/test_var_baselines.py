"""VaR baselines: the issue's reference figures (S&P 500, 2015-2018), no look-ahead, bad inputs."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from finrisk_utils import DataValidationError
from finrisk_utils.core.timeseries import log_returns
from finrisk_utils.data.registry import load_prices
from finrisk_utils.market.riskmeasures import normal_var_es, tail_mean_from_ppf
from finrisk_utils.market.var_models import (
    ewma_var,
    ewma_volatility,
    filtered_historical_simulation,
    garch_var,
    historical_simulation,
)


@pytest.fixture(scope="module")
def sp500():
    r = log_returns(load_prices("sp500"))
    return r, r.loc["2015-01-01":"2018-12-31"]


def _exceptions(test, fc):
    return int((test < -fc.var).sum())


def _pinball(test, fc, alpha):
    q = -fc.var
    return float(np.mean((alpha - (test < q)) * (test - q)))


@pytest.mark.parametrize(
    "model, confidence, reference_exceptions, reference_pinball",
    [
        ("garch_t", 0.99, 16, 0.0331),
        ("garch_skewt", 0.99, 15, 0.0325),
        ("fhs", 0.99, 15, 0.0324),
        ("hs", 0.99, 18, 0.0357),
        ("garch_t", 0.95, 53, None),
    ],
)
def test_reference_figures(sp500, model, confidence, reference_exceptions, reference_pinball):
    r, test = sp500
    dates = test.index
    make = {
        "garch_t": lambda: garch_var(r, dates, confidence, dist="t", fit_end="2015-01-01"),
        "garch_skewt": lambda: garch_var(r, dates, confidence, dist="skewt", fit_end="2015-01-01"),
        "fhs": lambda: filtered_historical_simulation(r, dates, confidence, fit_end="2015-01-01"),
        "hs": lambda: historical_simulation(r, dates, confidence),
    }
    fc = make[model]()
    assert len(dates) == 1006
    assert abs(_exceptions(test, fc) - reference_exceptions) <= 2
    if reference_pinball is not None:
        assert _pinball(test, fc, 1 - confidence) == pytest.approx(reference_pinball, abs=0.001)


def test_var_rises_with_confidence_and_es_exceeds_var(sp500):
    r, test = sp500
    dates = test.index[:50]
    for make in [
        lambda c: historical_simulation(r, dates, c),
        lambda c: ewma_var(r, dates, c),
        lambda c: garch_var(r, dates, c, dist="skewt"),
        lambda c: filtered_historical_simulation(r, dates, c),
    ]:
        low, high = make(0.95), make(0.99)
        assert (
            (high.var > low.var).all() and (high.es >= high.var).all() and (low.es >= low.var).all()
        )


def test_no_look_ahead_future_returns_do_not_change_forecasts(sp500):
    r, test = sp500
    dates = test.index[:20]
    shocked = r.copy()
    shocked[shocked.index >= dates[0]] *= 5  # wild returns from the first forecast day on
    for make in [
        lambda x: historical_simulation(x, dates, 0.99),
        lambda x: ewma_var(x, dates, 0.99),
        lambda x: garch_var(x, dates, 0.99, dist="t"),
        lambda x: filtered_historical_simulation(x, dates, 0.99),
    ]:
        a, b = make(r), make(shocked)
        # the first day's forecast uses only returns before it
        assert a.var.iloc[0] == pytest.approx(b.var.iloc[0], rel=1e-9)
        assert a.es.iloc[0] == pytest.approx(b.es.iloc[0], rel=1e-9)


def test_historical_simulation_hand_computed():
    idx = pd.bdate_range("2020-01-01", periods=6)
    r = pd.Series([-5.0, -1.0, 0.0, 1.0, 2.0, 9.0], index=idx)
    fc = historical_simulation(r, idx[5:], 0.75, window=5)
    q = np.quantile([-5.0, -1.0, 0.0, 1.0, 2.0], 0.25)  # -1.0
    assert fc.var.iloc[0] == pytest.approx(-q)
    assert fc.es.iloc[0] == pytest.approx(3.0)  # mean of returns <= -1: (-5 - 1) / 2


def test_ewma_recursion_hand_computed():
    idx = pd.bdate_range("2020-01-01", periods=5)
    r = pd.Series([1.0, -1.0, 2.0, 0.0, 3.0], index=idx)
    vol = ewma_volatility(r, 0.5, init_window=2)
    s2_2 = 1.0  # mean of 1^2 and (-1)^2
    s2_3 = 0.5 * s2_2 + 0.5 * 2.0**2
    s2_4 = 0.5 * s2_3 + 0.5 * 0.0**2
    np.testing.assert_allclose(vol.to_numpy() ** 2, [s2_2, s2_3, s2_4])
    assert vol.index[0] == idx[2]


def test_tail_mean_and_normal_formulas():
    alpha = 0.01
    assert tail_mean_from_ppf(stats.norm.ppf, alpha) == pytest.approx(
        -stats.norm.pdf(stats.norm.ppf(alpha)) / alpha, rel=1e-6
    )
    var, es = normal_var_es(np.array([0.1]), np.array([2.0]), alpha)
    assert var[0] == pytest.approx(-(0.1 + 2 * stats.norm.ppf(alpha)))
    assert es[0] > var[0]


def test_bad_inputs(sp500):
    r, test = sp500
    with pytest.raises(ValueError, match="confidence"):
        historical_simulation(r, test.index, 1.5)
    with pytest.raises(DataValidationError, match="needs at least 250"):
        historical_simulation(r, r.index[10:20], 0.99)
    with pytest.raises(DataValidationError, match="look-ahead"):
        garch_var(r, test.index, 0.99, fit_end="2016-01-01")
    with pytest.raises(ValueError, match="dist must be"):
        garch_var(r, test.index, 0.99, dist="cauchy")
    bad = r.copy()
    bad.iloc[5] = np.nan
    with pytest.raises(DataValidationError, match="NaN"):
        historical_simulation(bad, test.index, 0.99)
    with pytest.raises(TypeError, match="pandas Series"):
        garch_var(r.to_numpy(), test.index, 0.99)
