"""Range-based variance estimators, the HAR benchmark and QLIKE, against hand-computed values."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.data.registry import load
from finrisk_utils.forecasting.metrics import qlike, rmse
from finrisk_utils.market.volatility import (
    garman_klass_variance,
    har_error_variance,
    har_features,
    har_forecast,
    log_annualised_vol,
    parkinson_variance,
)

IDX = pd.date_range("2020-01-01", periods=2, freq="D")
BARS = pd.DataFrame(
    {"open": [100.0, 50.0], "high": [110.0, 55.0], "low": [95.0, 50.0], "close": [105.0, 50.0]},
    index=IDX,
)


def test_range_estimators_hand_computed():
    hl, co = np.log(110 / 95), np.log(105 / 100)
    gk = garman_klass_variance(BARS)
    assert gk.iloc[0] == pytest.approx(0.5 * hl**2 - (2 * np.log(2) - 1) * co**2)
    assert gk.iloc[1] == pytest.approx(0.5 * np.log(1.1) ** 2)  # close = open
    pk = parkinson_variance(BARS)
    assert pk.iloc[0] == pytest.approx(hl**2 / (4 * np.log(2)))
    assert log_annualised_vol(pk).iloc[0] == pytest.approx(np.log(np.sqrt(252 * pk.iloc[0])))


def test_range_estimators_reject_bad_bars():
    with pytest.raises(DataValidationError, match="missing"):
        garman_klass_variance(BARS.drop(columns="open"))
    bad = BARS.copy()
    bad.loc[IDX[0], "high"] = 90.0
    with pytest.raises(DataValidationError, match="high below low"):
        parkinson_variance(bad)
    with pytest.raises(DataValidationError, match="non-positive"):
        log_annualised_vol(pd.Series([0.0, 1e-4], index=IDX))


def test_qlike():
    assert qlike(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    r = 2.0
    assert qlike(np.array([2.0]), np.array([1.0])) == pytest.approx(r - np.log(r) - 1)
    # under-prediction costs more than over-prediction by the same factor
    assert qlike(np.array([2.0]), np.array([1.0])) > qlike(np.array([1.0]), np.array([2.0]))
    with pytest.raises(ValueError, match="positive"):
        qlike(np.array([1.0]), np.array([0.0]))


def test_har_features_are_trailing_means():
    s = pd.Series(np.arange(30.0), index=pd.date_range("2020-01-01", periods=30, freq="B"))
    f = har_features(s)
    assert f.index[0] == s.index[21]
    assert f.iloc[0].tolist() == [21.0, np.mean([17, 18, 19, 20, 21]), np.mean(range(22))]


def test_har_reproduces_the_reference_on_sp500():
    """Garman-Klass log annualised vol, HAR fitted on targets before 2015, test 2015-2018 (1,006 days):
    RMSE 0.432 (the issue's reference), persistence 0.498."""
    lv = log_annualised_vol(garman_klass_variance(load("sp500")))
    fc = har_forecast(lv, "2015-01-01", 1)
    fc = fc[fc.index <= "2018-12-31"]
    assert len(fc) == 1006
    assert rmse(lv.loc[fc.index], fc) == pytest.approx(0.432, abs=0.0025)
    persistence = lv.shift(1).loc[fc.index]
    assert rmse(lv.loc[fc.index], persistence) == pytest.approx(0.498, abs=0.0025)
    with pytest.raises(DataValidationError, match="training targets"):
        har_forecast(lv, "1999-02-01", 1)


def test_har_error_variance_uses_only_data_before_eval_end():
    lv = log_annualised_vol(garman_klass_variance(load("sp500")))
    s2 = har_error_variance(lv, "2013-01-01", "2015-01-01")
    fc = har_forecast(lv[lv.index < "2015-01-01"], "2013-01-01")
    assert s2 == pytest.approx(float(((lv.loc[fc.index] - fc) ** 2).mean()))
    assert 0.05 < s2 < 0.5
    altered = lv.copy()
    altered[altered.index >= "2015-01-01"] += 3.0
    assert har_error_variance(altered, "2013-01-01", "2015-01-01") == s2
