"""Direct multi-horizon network forecasts: shapes, no look-ahead, re-estimation, errors."""

from contextlib import nullcontext

import numpy as np
import pandas as pd
import pytest

from finrisk_utils import models, setup
from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.forecasting.direct import DirectNetSpec, direct_deep_forecast
from finrisk_utils.models import predict_array


@pytest.fixture
def ar_data():
    rng = np.random.default_rng(0)
    n = 300
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = 0.8 * x[t - 1] + rng.standard_normal()
    idx = pd.date_range("1980-01-01", periods=n, freq="MS")
    return pd.DataFrame({"x": x, "z": rng.standard_normal(n)}, index=idx)


SPEC = DirectNetSpec(
    kind="gru", window=6, units=4, epochs=3, patience=2, val_size=20, batch_size=16
)


def test_forecasts_shapes_and_target_dates(ar_data):
    setup(0)
    origins = ar_data.index[250:290]
    res = direct_deep_forecast(ar_data, ar_data[["x"]], origins, (1, 3, 12), SPEC)
    assert set(res.forecasts) == {1, 3, 12}
    assert res.forecasts[1].index.equals(ar_data.index[251:291])
    assert res.forecasts[12].index.equals(
        ar_data.index[262:300]
    )  # targets beyond the data are dropped
    assert len(res.fits) == 1 and res.refit_dates[0] == origins[0] and res.n_params > 0
    assert np.isfinite(res.forecasts[3].to_numpy()).all()


def test_no_look_ahead_and_reestimation(ar_data):
    origins = ar_data.index[240:260]
    spec = DirectNetSpec(**{**SPEC.__dict__, "kind": "cnn", "refit_every": 10})
    setup(1)
    base = direct_deep_forecast(ar_data, ar_data[["x"]], origins, (1, 2), spec)
    assert list(base.refit_dates) == [origins[0], origins[10]]
    future = ar_data.copy()
    future.iloc[260:] = 99.0  # after the last origin: must not change any forecast
    setup(1)
    again = direct_deep_forecast(future, future[["x"]], origins, (1, 2), spec)
    pd.testing.assert_frame_equal(
        base.forecasts[1].iloc[:-1], again.forecasts[1].iloc[:-1], check_exact=False, atol=1e-6
    )


def test_bad_inputs(ar_data):
    with pytest.raises(ValueError, match="kind"):
        DirectNetSpec(kind="transformer")
    with pytest.raises(ValueError, match="refit_every"):
        DirectNetSpec(refit_every=-1)
    bad = ar_data.copy()
    bad.iloc[5, 0] = np.nan
    with pytest.raises(DataValidationError, match="NaN"):
        direct_deep_forecast(bad, bad[["x"]], bad.index[250:], (1,), SPEC)
    with pytest.raises(ValueError, match="distinct"):
        direct_deep_forecast(ar_data, ar_data[["x"]], ar_data.index[250:], (1, 1), SPEC)
    with pytest.raises(DataValidationError, match="training samples"):
        direct_deep_forecast(ar_data, ar_data[["x"]], ar_data.index[40:50], (1,), SPEC)
    with pytest.raises(ValueError, match="date of the data"):
        direct_deep_forecast(ar_data, ar_data[["x"]], pd.DatetimeIndex(["2100-01-01"]), (1,), SPEC)


def test_conv_regressor_sees_exactly_its_receptive_field():
    assert models.receptive_field(3, (1, 2, 4)) == 15
    model = models.build_conv_regressor(20, 2, filters=4, n_outputs=3)
    assert model.output_shape == (None, 3)
    x = np.random.default_rng(0).standard_normal((5, 20, 2)).astype("float32")
    y = predict_array(model, x)
    outside, inside = x.copy(), x.copy()
    outside[:, 20 - 15 - 1, :] += 1.0  # one step older than the receptive field
    inside[:, 20 - 15, :] += 1.0  # the oldest step it sees
    np.testing.assert_allclose(predict_array(model, outside), y, atol=1e-6)
    assert not np.allclose(predict_array(model, inside), y)
    with pytest.raises(ValueError, match="dilations"):
        models.build_conv_regressor(12, dilations=())


@pytest.mark.parametrize("kind", ["rnn", "dense", "ae_dense"])
def test_every_family_trains_and_forecasts(ar_data, kind):
    setup(2)
    spec = DirectNetSpec(**{**SPEC.__dict__, "kind": kind})
    res = direct_deep_forecast(ar_data, ar_data[["x"]], ar_data.index[250:260], (1, 5), spec)
    assert np.isfinite(res.forecasts[5].to_numpy()).all()
    assert res.train_seconds > 0 and res.n_params > 0
    assert res.scaled_inputs.shape == ar_data.shape
    X = res.input_windows(ar_data.index[250:253])
    assert X.shape == (3, 6, 2)
    np.testing.assert_allclose(X[-1, -1], res.scaled_inputs.iloc[252].to_numpy())
    with pytest.raises(ValueError, match="earlier rows"):
        res.input_windows(ar_data.index[:2])
    assert res.model.output_shape == (None, 2)
    with pytest.raises(ValueError, match="pretraining") if kind == "ae_dense" else nullcontext():
        spec.build(2, 2)
