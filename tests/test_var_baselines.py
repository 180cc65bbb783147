"""VaR baselines: the issue's reference figures (S&P 500, 2015-2018), no look-ahead, bad inputs."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from finrisk_utils import DataValidationError, baselines
from finrisk_utils import preprocessing as pp
from finrisk_utils.data import load_prices
from finrisk_utils.riskmeasures import normal_var_es, tail_mean_from_ppf


@pytest.fixture(scope="module")
def sp500():
    r = pp.log_returns(load_prices("sp500"))
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
        "garch_t": lambda: baselines.garch_var(
            r, dates, confidence, dist="t", fit_end="2015-01-01"
        ),
        "garch_skewt": lambda: baselines.garch_var(
            r, dates, confidence, dist="skewt", fit_end="2015-01-01"
        ),
        "fhs": lambda: baselines.filtered_historical_simulation(
            r, dates, confidence, fit_end="2015-01-01"
        ),
        "hs": lambda: baselines.historical_simulation(r, dates, confidence),
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
        lambda c: baselines.historical_simulation(r, dates, c),
        lambda c: baselines.ewma_var(r, dates, c),
        lambda c: baselines.garch_var(r, dates, c, dist="skewt"),
        lambda c: baselines.filtered_historical_simulation(r, dates, c),
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
        lambda x: baselines.historical_simulation(x, dates, 0.99),
        lambda x: baselines.ewma_var(x, dates, 0.99),
        lambda x: baselines.garch_var(x, dates, 0.99, dist="t"),
        lambda x: baselines.filtered_historical_simulation(x, dates, 0.99),
    ]:
        a, b = make(r), make(shocked)
        # the first day's forecast uses only returns before it
        assert a.var.iloc[0] == pytest.approx(b.var.iloc[0], rel=1e-9)
        assert a.es.iloc[0] == pytest.approx(b.es.iloc[0], rel=1e-9)


def test_historical_simulation_hand_computed():
    idx = pd.bdate_range("2020-01-01", periods=6)
    r = pd.Series([-5.0, -1.0, 0.0, 1.0, 2.0, 9.0], index=idx)
    fc = baselines.historical_simulation(r, idx[5:], 0.75, window=5)
    q = np.quantile([-5.0, -1.0, 0.0, 1.0, 2.0], 0.25)  # -1.0
    assert fc.var.iloc[0] == pytest.approx(-q)
    assert fc.es.iloc[0] == pytest.approx(3.0)  # mean of returns <= -1: (-5 - 1) / 2


def test_ewma_recursion_hand_computed():
    idx = pd.bdate_range("2020-01-01", periods=5)
    r = pd.Series([1.0, -1.0, 2.0, 0.0, 3.0], index=idx)
    vol = baselines.ewma_volatility(r, 0.5, init_window=2)
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
        baselines.historical_simulation(r, test.index, 1.5)
    with pytest.raises(DataValidationError, match="needs at least 250"):
        baselines.historical_simulation(r, r.index[10:20], 0.99)
    with pytest.raises(DataValidationError, match="look-ahead"):
        baselines.garch_var(r, test.index, 0.99, fit_end="2016-01-01")
    with pytest.raises(ValueError, match="dist must be"):
        baselines.garch_var(r, test.index, 0.99, dist="cauchy")
    bad = r.copy()
    bad.iloc[5] = np.nan
    with pytest.raises(DataValidationError, match="NaN"):
        baselines.historical_simulation(bad, test.index, 0.99)
    with pytest.raises(TypeError, match="pandas Series"):
        baselines.garch_var(r.to_numpy(), test.index, 0.99)
