"""finrisk_utils.portfolio.deep_vol: the volatility network's forecasts (pooled windows, train-only scaling,
seed ensemble, variance calibration), checked on stub models with a known output and on one tiny trained LSTM."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.models import predict_array
from finrisk_utils.portfolio import (
    VolNetwork,
    log_vol_features,
    log_vol_target,
    pooled_windows,
    train_vol_network,
    validation_log_vol_errors,
    validation_reading,
)

ASSETS = ["a", "b"]
TRAIN, VAL = np.arange(6, 150), np.arange(160, 220)
TEST = np.array([230, 231, 240])


def _returns(n=260, seed=0):
    """Two assets with volatilities 1 and 3."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)) * [1.0, 3.0]
    return pd.DataFrame(x, index=pd.bdate_range("2001-01-01", periods=n), columns=ASSETS)


class _Stub:
    """A stand-in for a Keras model: ``predict_on_batch`` (what ``predict_array`` calls) returns one input cell,
    ``x[:, step, feature]``."""

    def __init__(self, step, feature):
        self.step, self.feature = step, feature

    def predict_on_batch(self, x):
        return x[:, self.step, self.feature][:, None]


def _stub_net(scale=1.0):
    mean, std = np.array([0.5, -1.0]), np.array([2.0, 4.0])
    models = [_Stub(-1, 0), _Stub(0, 1)]  # last step's first feature; first step's second feature
    return VolNetwork(models, [], 3, ASSETS, mean, std, 0.25, 3.0, variance_scale=scale)


def test_forecasts_undo_the_scaling_per_seed_with_assets_in_columns():
    """Each seed's forecast is its output on standardised windows, mapped back with the target's mean/std; the
    rows are origins and the columns assets (the pooled rows are asset-fastest), the ensemble is the seed mean."""
    feats = log_vol_features(_returns(), (1, 5))
    net = _stub_net(scale=1.7)
    per_seed = net.forecast_log_vol(feats, TEST, per_seed=True)
    assert per_seed.shape == (2, len(TEST), 2)
    for j, p in enumerate(TEST):
        for k, a in enumerate(ASSETS):
            last_w1 = feats[(a, 1)].iloc[p]  # seed 0: window's last row (origin p), feature w=1
            first_w5 = feats[(a, 5)].iloc[p - 2]  # seed 1: window's first row (p - 2), feature w=5
            assert per_seed[0, j, k] == pytest.approx((last_w1 - 0.5) / 2.0 * 3.0 + 0.25)
            assert per_seed[1, j, k] == pytest.approx((first_w5 + 1.0) / 4.0 * 3.0 + 0.25)
    ens = net.forecast_log_vol(feats, TEST)
    np.testing.assert_allclose(ens, per_seed.mean(axis=0))
    np.testing.assert_allclose(net.forecast_vol(feats, TEST), np.sqrt(1.7) * np.exp(ens))


def test_forecast_at_an_origin_ignores_later_returns():
    """A forecast at origin ``p`` uses feature rows up to ``p`` only: shocking the returns after ``p`` changes
    none of it."""
    r = _returns()
    shocked = r.copy()
    shocked.iloc[TEST[-1] + 1 :] *= 10
    net = _stub_net()
    before = net.forecast_log_vol(log_vol_features(r, (1, 5)), TEST, per_seed=True)
    after = net.forecast_log_vol(log_vol_features(shocked, (1, 5)), TEST, per_seed=True)
    np.testing.assert_array_equal(before, after)
    # ... while a shock at the origin itself does move it
    shocked.iloc[TEST[-1]] *= 10
    moved = net.forecast_log_vol(log_vol_features(shocked, (1, 5)), TEST)
    assert not np.allclose(moved[-1], before.mean(axis=0)[-1])


def test_forecast_refuses_an_origin_without_a_full_window():
    """An origin with fewer than ``window`` rows of history is refused with the pooled_windows error."""
    feats = log_vol_features(_returns(), (1, 5))
    with pytest.raises(ValueError, match="pooled_windows: position 1 has fewer than 3 rows"):
        _stub_net().forecast_log_vol(feats, np.array([1, 50]))


def test_validation_errors_score_the_stub_against_persistence_and_the_training_mean():
    """Hand-computed: the stub network's validation log-vol forecasts, the 5-period log vol at the origin
    (persistence) and the training targets' mean, each scored by MSE on the validation targets."""
    r = _returns()
    feats, target = log_vol_features(r, (1, 5)), log_vol_target(r, 5)
    net = _stub_net()
    errors = validation_log_vol_errors(net, feats, target, TRAIN, VAL, persistence_window=5)
    y = target.to_numpy()[VAL]
    pers = np.column_stack([feats[(a, 5)].to_numpy()[VAL] for a in ASSETS])
    assert errors["network"] == pytest.approx(np.mean((net.forecast_log_vol(feats, VAL) - y) ** 2))
    assert errors["persistence"] == pytest.approx(np.mean((pers - y) ** 2))
    assert errors["training_mean"] == pytest.approx(
        np.mean((target.to_numpy()[TRAIN].mean() - y) ** 2)
    )
    with pytest.raises(ValueError, match="validation_log_vol_errors: features have no window 22"):
        validation_log_vol_errors(net, feats, target, TRAIN, VAL, persistence_window=22)
    with pytest.raises(ValueError, match="validation_log_vol_errors: validation targets"):
        validation_log_vol_errors(
            net, feats, target, TRAIN, np.array([250, 259]), persistence_window=5
        )
    loses = validation_reading(
        pd.Series({"network": 0.2, "persistence": 0.15, "training_mean": 0.3}),
        trained=True,
        persistence_window=22,
    )
    assert "0.2000, against 0.1500 for persistence (the last 22 periods' log volatility)" in loses
    assert ": lower than the constant, not than persistence" in loses
    assert "lean in the network's favour" in loses
    # the seed ensemble in log units can miss the constant that each seed beat on the standardised scale
    neither = validation_reading(
        pd.Series({"network": 0.35, "persistence": 0.15, "training_mean": 0.3}),
        trained=True,
        persistence_window=22,
    )
    assert ": lower than neither, not than the constant or persistence" in neither
    wins = validation_reading(
        pd.Series({"network": 0.1, "persistence": 0.15, "training_mean": 0.3}),
        trained=True,
        persistence_window=22,
    )
    assert ": lower than both. These are untested point estimates" in wins
    assert "untrained and not interpreted" in validation_reading(
        pd.Series({"network": 0.4, "persistence": 0.15, "training_mean": 0.3}),
        trained=False,
        persistence_window=22,
    )


@pytest.fixture(scope="module")
def data():
    r = _returns()
    return r, log_vol_features(r, (1, 5)), log_vol_target(r, 5)


@pytest.fixture(scope="module")
def net(data):
    _, feats, target = data
    return train_vol_network(
        feats, target, TRAIN, VAL, window=3, units=2, seeds=(0,), epochs=2, batch_size=64
    )


def test_train_vol_network_scales_with_training_statistics_only(data, net):
    """Inputs are standardised per feature with the training windows' mean/std, the target with the training
    targets'; the default naive loss is the MSE of the training mean on the (standardised) validation targets."""
    _, feats, target = data
    rows = {a: feats[a].to_numpy() for a in ASSETS}
    cells = np.concatenate([rows[a][p - 2 : p + 1] for p in TRAIN for a in ASSETS])
    np.testing.assert_allclose(net.mean, cells.mean(axis=0))
    np.testing.assert_allclose(net.std, cells.std(axis=0))
    y_tr = target.to_numpy()[TRAIN].ravel()
    assert net.y_mean == pytest.approx(y_tr.mean()) and net.y_std == pytest.approx(y_tr.std())
    y_va = (target.to_numpy()[VAL].ravel() - y_tr.mean()) / y_tr.std()
    assert len(net.fits) == len(net.models) == 1 and net.fits[0].epochs_run == 2
    assert net.fits[0].naive_val_loss == pytest.approx(np.mean(y_va**2), rel=1e-5)
    assert net.window == 3 and net.assets == ASSETS


def test_train_vol_network_calibrates_the_mean_variance_on_validation(data, net):
    """``variance_scale`` makes the mean forecast variance on the validation origins equal the mean realised
    variance there (the Jensen correction), and the network's output is one value per origin and asset."""
    _, feats, target = data
    vols = net.forecast_vol(feats, VAL)
    assert vols.shape == (len(VAL), 2)
    realised = np.exp(2 * target.to_numpy()[VAL])
    assert np.mean(vols**2) == pytest.approx(realised.mean(), rel=1e-6)
    assert net.variance_scale == pytest.approx(
        realised.mean() / np.exp(2 * net.forecast_log_vol(feats, VAL)).mean()
    )
    # the stored model is what forecast_log_vol uses: the prediction of the standardised window, rescaled
    x = (pooled_windows(feats, TEST, 3, ASSETS) - net.mean) / net.std
    direct = predict_array(net.models[0], x).reshape(-1, 2) * net.y_std + net.y_mean
    np.testing.assert_allclose(net.forecast_log_vol(feats, TEST), direct, rtol=1e-5)


def test_train_vol_network_is_seeded_and_blind_to_the_test_period(data, net):
    """Same seed, same training and validation data but returns after the validation block multiplied by 10:
    the same network (scaling, calibration and forecasts at origins before the shock)."""
    r, _, _ = data
    shocked = r.copy()
    shocked.iloc[VAL[-1] + 6 :] *= 10  # after the last validation target (horizon 5)
    feats, target = log_vol_features(shocked, (1, 5)), log_vol_target(shocked, 5)
    again = train_vol_network(
        feats, target, TRAIN, VAL, window=3, units=2, seeds=(0,), epochs=2, batch_size=64
    )
    np.testing.assert_allclose(again.mean, net.mean)
    assert again.y_mean == pytest.approx(net.y_mean)
    assert again.variance_scale == pytest.approx(net.variance_scale, rel=1e-5)
    np.testing.assert_allclose(
        again.forecast_log_vol(feats, VAL), net.forecast_log_vol(data[1], VAL), rtol=1e-5
    )


@pytest.mark.parametrize(
    ("train", "val", "match"),
    [
        (
            np.arange(2, 150),
            VAL,
            "train_vol_network: training inputs",
        ),  # w=5 features NaN before row 4
        (
            TRAIN,
            np.arange(160, 258),
            "train_vol_network: validation targets",
        ),  # no target at the end
    ],
)
def test_train_vol_network_refuses_missing_values(data, train, val, match):
    """Windows reaching into the features' warm-up or origins without a full target horizon are refused
    before any training, naming the block."""
    _, feats, target = data
    with pytest.raises(ValueError, match=match):
        train_vol_network(feats, target, train, val, window=3, units=2, epochs=1)
