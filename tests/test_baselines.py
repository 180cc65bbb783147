import numpy as np
import pandas as pd
import pytest

from finrisk_utils import DataValidationError, baselines


def series(n=10):
    return pd.Series(np.arange(n, dtype=float), index=pd.bdate_range("2020-01-01", periods=n))


def test_random_walk_is_zero_return():
    dates = series().index[5:]
    fc = baselines.random_walk_return_forecast(dates)
    assert (fc == 0).all() and fc.index.equals(dates)
    with pytest.raises(ValueError, match="non-empty DatetimeIndex"):
        baselines.random_walk_return_forecast(pd.DatetimeIndex([]))


def test_persistence_uses_previous_observation_only():
    s = series()
    dates = s.index[5:]
    fc = baselines.persistence_forecast(s, dates)
    np.testing.assert_array_equal(fc.to_numpy(), s.to_numpy()[4:-1])
    # a date between observations takes the last one strictly before it
    fc2 = baselines.persistence_forecast(s, pd.DatetimeIndex(["2020-01-04"]))  # a Saturday
    assert fc2.iloc[0] == s.loc["2020-01-03"]
    with pytest.raises(DataValidationError, match="no history before"):
        baselines.persistence_forecast(s, s.index[:2])


def test_historical_mean_refuses_look_ahead():
    s = series()
    fc = baselines.historical_mean_forecast(s.iloc[:5], s.index[5:])
    assert (fc == 2.0).all()
    with pytest.raises(DataValidationError, match="look-ahead"):
        baselines.historical_mean_forecast(s, s.index[5:])
    with pytest.raises(TypeError, match="must be a pandas Series"):
        baselines.historical_mean_forecast(s.to_numpy(), s.index[5:])
