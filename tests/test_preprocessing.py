import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finrisk_utils import DataValidationError
from finrisk_utils.core.timeseries import (
    fit_train_scaler,
    log_returns,
    make_windows,
    origins_with_target,
    portfolio_log_returns,
    prices_from_log_returns,
    simple_returns,
    split_windows,
)
from finrisk_utils.inflation.measures import yoy_change


def prices(n=10, start=100.0):
    idx = pd.bdate_range("2020-01-01", periods=n)
    return pd.Series(start * np.exp(np.cumsum(np.linspace(-0.01, 0.02, n))), index=idx, name="p")


def test_log_and_simple_returns():
    p = pd.Series([100.0, 110.0, 99.0], index=pd.bdate_range("2020-01-01", periods=3))
    r = log_returns(p)
    assert len(r) == 2 and r.index[0] == p.index[1]
    np.testing.assert_allclose(r.to_numpy(), 100 * np.log([1.1, 0.9]))
    np.testing.assert_allclose(simple_returns(p).to_numpy(), [0.1, -0.1])
    frame = pd.concat({"a": p, "b": 2 * p}, axis=1)
    np.testing.assert_allclose(log_returns(frame)["a"], log_returns(frame)["b"])


@pytest.mark.parametrize(
    "value, match",
    [
        (np.nan, "NaN or inf; first on 2020-01-03"),
        (0.0, "zero or negative"),
        (-1.0, "zero or negative"),
    ],
)
def test_returns_reject_bad_prices(value, match):
    p = prices()
    p.iloc[2] = value
    with pytest.raises(DataValidationError, match=match):
        log_returns(p)


def test_returns_reject_bad_types_and_order():
    with pytest.raises(TypeError, match="pandas Series or DataFrame"):
        log_returns(np.ones(5))
    p = prices()
    with pytest.raises(DataValidationError, match="not increasing"):
        log_returns(p.iloc[::-1])
    with pytest.raises(DataValidationError, match="needs at least 2"):
        log_returns(p.iloc[:1])


def test_make_windows_shapes_and_zero_copy():
    x = np.arange(10.0)
    w = make_windows(x, window=3, horizon=2)
    assert w.X.shape == (6, 3, 1)
    np.testing.assert_array_equal(w.X[0, :, 0], [0, 1, 2])
    assert w.y[0] == 4 and w.target_pos[0] == 4 and w.input_end[0] == 2
    assert np.shares_memory(w.X, x) or not w.X.flags.owndata  # a view, not a copy
    assert not w.X.flags.writeable


def test_make_windows_multifeature_needs_target():
    x = np.arange(20.0).reshape(10, 2)
    with pytest.raises(ValueError, match="target is required"):
        make_windows(x, window=3)
    w = make_windows(x, target=np.arange(10.0) * 10, window=3)
    assert w.X.shape == (7, 3, 2)
    np.testing.assert_array_equal(w.X[1], x[1:4])
    assert w.y[1] == 40


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"window": 0}, ValueError, "make_windows: window must be a positive int, got 0"),
        ({"window": 2.5}, TypeError, "make_windows: window must be a positive int"),
        ({"window": True}, TypeError, "make_windows: window must be a positive int"),
        (
            {"window": 3, "horizon": 0},
            ValueError,
            "make_windows: horizon must be a positive int, got 0",
        ),
        ({"window": 10}, DataValidationError, "has 10 rows, needs at least 11"),
    ],
)
def test_make_windows_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_windows(np.arange(10.0), **kwargs)


def test_make_windows_rejects_bad_target_shape_and_3d():
    with pytest.raises(ValueError, match="target must have shape"):
        make_windows(np.arange(10.0), target=np.arange(9.0), window=2)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        make_windows(np.zeros((4, 2, 2)), window=2)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=60),
    window=st.integers(min_value=1, max_value=20),
    horizon=st.integers(min_value=1, max_value=5),
)
def test_windows_target_strictly_after_inputs(n, window, horizon):
    x = np.arange(n, dtype=float)  # value == position, so alignment is readable off the data
    if n < window + horizon:
        with pytest.raises(DataValidationError):
            make_windows(x, window=window, horizon=horizon)
        return
    w = make_windows(x, window=window, horizon=horizon)
    assert len(w.y) == n - window - horizon + 1
    assert (w.X.max(axis=(1, 2)) == w.input_end).all()  # the newest input is at input_end
    assert (w.y == w.input_end + horizon).all()  # the target is exactly horizon steps later
    assert (
        w.y > w.X.max(axis=(1, 2))
    ).all()  # so no window contains its own target or anything later


def test_split_windows_assigns_by_target_date():
    s = log_returns(prices(120))
    w = make_windows(s.to_numpy(), window=5)
    split = split_windows(
        w, s.index, val_start="2020-03-02", test_start="2020-04-01", test_end="2020-05-15"
    )
    assert split.train.dates.max() < pd.Timestamp("2020-03-02") <= split.val.dates.min()
    assert split.val.dates.max() < pd.Timestamp("2020-04-01") <= split.test.dates.min()
    assert split.test.dates.max() <= pd.Timestamp("2020-05-15")
    # each target equals the return on its date: nothing shifted
    np.testing.assert_array_equal(split.test.y, s.loc[split.test.dates].to_numpy())
    # inputs of every test window end strictly before the window's target date
    last_input_dates = s.index[w.input_end][np.isin(s.index[w.target_pos], split.test.dates)]
    assert (last_input_dates < split.test.dates).all()
    with pytest.raises(ValueError, match="val_start <= test_start"):
        split_windows(w, s.index, val_start="2020-05-01", test_start="2020-04-01")
    with pytest.raises(DataValidationError, match="no test windows"):
        split_windows(
            w, s.index, val_start="2020-03-02", test_start="2021-01-01", test_end="2021-12-31"
        )


def test_scaler_sees_only_training_rows():
    s = log_returns(prices(200))
    cut = s.index[120]
    scaler = fit_train_scaler(s, train_end=cut)
    train = s[s.index < cut]
    assert scaler.n_samples_seen_ == len(train)
    np.testing.assert_allclose(scaler.mean_[0], train.mean())
    future_changed = s.copy()
    future_changed[future_changed.index >= cut] *= 1000  # wild future values
    again = fit_train_scaler(future_changed, train_end=cut)
    np.testing.assert_array_equal(again.mean_, scaler.mean_)
    np.testing.assert_array_equal(again.scale_, scaler.scale_)
    scaled = scaler.transform(s.to_frame())
    assert scaled.shape == (len(s), 1)
    with pytest.raises(DataValidationError, match="training part"):
        fit_train_scaler(s, train_end=s.index[1])


def test_prices_from_log_returns():
    p = prices(5)
    fc = pd.Series([0.0, 100 * np.log(1.1)], index=p.index[3:5])
    implied = prices_from_log_returns(p, fc)
    np.testing.assert_allclose(implied.to_numpy(), [p.iloc[2], 1.1 * p.iloc[3]])
    with pytest.raises(DataValidationError, match="no price before"):
        prices_from_log_returns(p, pd.Series([0.0], index=p.index[:1]))


def test_portfolio_log_returns():
    idx = pd.bdate_range("2020-01-01", periods=3)
    prices_ = pd.DataFrame({"a": [100.0, 110.0, 110.0], "b": [50.0, 50.0, np.nan]}, index=idx)
    prices_.loc[idx[2], "b"] = np.nan
    r = portfolio_log_returns(prices_.iloc[:2])
    assert r.iloc[0] == pytest.approx(100 * np.log(1 + 0.5 * 0.1))
    assert len(portfolio_log_returns(prices_)) == 1  # the day with a missing price is dropped
    with pytest.raises(ValueError, match="sum to 1"):
        portfolio_log_returns(prices_, {"a": 0.5, "b": 0.6})
    with pytest.raises(ValueError, match="weights name"):
        portfolio_log_returns(prices_, {"a": 1.0})
    with pytest.raises(TypeError, match="at least two"):
        portfolio_log_returns(prices_[["a"]])


def test_yoy_change():
    idx = pd.date_range("2000-01-01", periods=14, freq="MS")
    level = pd.Series(100 * 1.02 ** (np.arange(14) / 12), index=idx)
    yoy = yoy_change(level)
    assert len(yoy) == 2 and yoy.index[0] == idx[12]
    np.testing.assert_allclose(yoy.to_numpy(), 100 * np.log(1.02))
    with pytest.raises(DataValidationError, match="needs at least 13"):
        yoy_change(level.iloc[:12])


def test_origins_with_target_drops_origins_whose_target_is_beyond_the_data():
    idx = pd.date_range("2000-01-01", periods=10, freq="MS")
    assert origins_with_target(idx, idx[5:], 3).equals(idx[5:7])
    assert origins_with_target(idx, idx[:2], 1).equals(idx[:2])
    with pytest.raises(ValueError, match="date of the index"):
        origins_with_target(idx, pd.DatetimeIndex(["1999-01-01"]), 1)
    with pytest.raises(ValueError, match="horizon"):
        origins_with_target(idx, idx, 0)
