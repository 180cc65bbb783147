"""Quantile/ES networks: losses match their numpy definitions, the head is always valid, models save safely,
and the deep VaR pipeline never looks past a forecast date."""

from dataclasses import replace
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from finrisk_utils import setup
from finrisk_utils.forecasting.metrics import fz0_score, pinball_loss
from finrisk_utils.market import plot_deep_var_training
from finrisk_utils.market.deep_var import DeepVaRSpec, deep_var_forecast, select_on_validation
from finrisk_utils.models import predict_array
from finrisk_utils.models.losses import keras_fz0_loss, keras_pinball_loss
from finrisk_utils.models.quantile import QuantileESHead, build_quantile_es_network


def test_keras_losses_equal_numpy_definitions():
    rng = np.random.default_rng(0)
    y = rng.standard_normal(64).astype("float32")
    q = -np.abs(rng.standard_normal(64)).astype("float32") - 1
    e = q - np.abs(rng.standard_normal(64)).astype("float32")
    pred = np.stack([q, e], axis=1)
    expected_fz0 = fz0_score(y, -q, -e, 0.05).mean()
    assert float(keras_fz0_loss(0.05)(y, pred)) == pytest.approx(expected_fz0, rel=1e-5)
    assert float(keras_pinball_loss(0.05)(y, pred)) == pytest.approx(
        pinball_loss(y, q, 0.05).mean(), rel=1e-5
    )


def test_head_always_gives_e_below_q_below_zero():
    head = QuantileESHead(q0=-2.0, e0=-2.5)
    raw = np.random.default_rng(1).normal(scale=5, size=(200, 2)).astype("float32")
    out = np.asarray(head(raw))
    assert (out[:, 1] < out[:, 0]).all() and (out[:, 0] < 0).all()
    np.testing.assert_allclose(
        np.asarray(head(np.zeros((1, 2), "float32")))[0], [-2.0, -2.5], rtol=1e-6
    )
    with pytest.raises(ValueError, match="e0 < q0 < 0"):
        QuantileESHead(q0=1.0, e0=-1.0)


@pytest.mark.parametrize("kind", ["lstm", "cnn"])
def test_network_shapes_and_safe_save_load(kind, tmp_path):
    import keras

    model = build_quantile_es_network(10, 2, alpha=0.01, q0=-2.3, e0=-2.7, kind=kind, units=4)
    x = np.random.default_rng(0).normal(size=(3, 10, 2)).astype("float32")
    pred = predict_array(model, x)
    assert pred.shape == (3, 2) and (pred[:, 1] < pred[:, 0]).all()
    np.testing.assert_allclose(
        pred, [[-2.3, -2.7]] * 3, rtol=1e-5
    )  # zero-initialized head: unconditional
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True, compile=False)
    np.testing.assert_allclose(predict_array(loaded, x), pred, rtol=1e-6)


def test_network_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        build_quantile_es_network(10, 1, alpha=0.01, q0=-2, e0=-3, kind="rnn")
    with pytest.raises(ValueError, match="alpha"):
        build_quantile_es_network(10, 1, alpha=0.9, q0=-2, e0=-3)
    with pytest.raises(ValueError, match="window"):
        build_quantile_es_network(0, 1, alpha=0.01, q0=-2, e0=-3)


def garch_like_returns(n=1400, seed=0):
    rng = np.random.default_rng(seed)
    r, s2 = np.empty(n), 1.0
    for t in range(n):
        r[t] = np.sqrt(s2) * rng.standard_t(5) / np.sqrt(5 / 3)
        s2 = 0.05 + 0.1 * r[t] ** 2 + 0.85 * s2
    return pd.Series(r, index=pd.bdate_range("2010-01-01", periods=n))


DATES = {"val_start": "2013-06-03", "test_start": "2014-01-01", "test_end": "2015-05-01"}
SPEC = DeepVaRSpec(kind="lstm", vol_scaling="ewma", window=10, units=4, epochs=2, batch_size=64)


@pytest.mark.parametrize("scheme", ["ewma", "none"])
def test_deep_var_forecast_is_valid(scheme):
    setup(0)
    r = garch_like_returns()
    res = deep_var_forecast(r, confidence=0.95, spec=replace(SPEC, vol_scaling=scheme), **DATES)
    fc = res.forecast
    assert fc.var.index[0] >= pd.Timestamp("2014-01-01") and fc.var.index[-1] <= pd.Timestamp(
        "2015-05-01"
    )
    assert (fc.var > 0).all() and (fc.es >= fc.var).all() and np.isfinite(res.val_loss)
    assert fc.name == "lstm_quantile"
    fig = plot_deep_var_training({"lstm_quantile": res}, {"lstm_quantile": "LSTM"})
    (ax,) = fig.axes
    assert ax.get_title() == f"LSTM ({scheme}, window 10): FZ0" and ax.get_xlabel() == "epoch"
    assert [line.get_label() for line in ax.lines][:2] == ["train", "validation"]
    labels = [line.get_label() for line in ax.lines]
    assert "naive: better of two constants (validation)" in labels and ax.get_ylabel().startswith(
        "FZ0 loss"
    )
    naive = ax.lines[labels.index("naive: better of two constants (validation)")]
    assert naive.get_ydata()[0] == pytest.approx(res.fit.naive_val_loss)
    assert len(ax.lines[0].get_xdata()) == res.fit.epochs_run
    plt.close(fig)
    with pytest.raises(
        TypeError, match="plot_deep_var_training: deep\\['x'\\] must be a DeepVaRResult"
    ):
        plot_deep_var_training({"x": fc})
    with pytest.raises(ValueError, match="plot_deep_var_training: deep must be a non-empty"):
        plot_deep_var_training({})


def test_deep_var_never_sees_the_test_period():
    r = garch_like_returns()
    shocked = r.copy()
    shocked[shocked.index >= "2014-01-01"] *= 10
    setup(0)
    a = deep_var_forecast(r, confidence=0.99, spec=SPEC, **DATES).forecast
    setup(0)
    b = deep_var_forecast(shocked, confidence=0.99, spec=SPEC, **DATES).forecast
    # the first test day's forecast uses returns before it only: identical; later days see the shocks
    assert a.var.iloc[0] == pytest.approx(b.var.iloc[0], rel=1e-6)
    assert a.es.iloc[0] == pytest.approx(b.es.iloc[0], rel=1e-6)
    assert b.var.iloc[-1] > a.var.iloc[-1]


def test_select_on_validation_picks_lowest_validation_loss():
    setup(0)
    r = garch_like_returns()
    specs = [SPEC, DeepVaRSpec(kind="cnn", vol_scaling="none", window=5, units=4, epochs=2)]
    best, table = select_on_validation(r, specs, name="net", confidence=0.95, **DATES)
    eligible = table[table["trained"]] if table["trained"].any() else table
    assert len(table) == 2 and best.val_loss == pytest.approx(eligible["val_fz0"].min())
    assert set(table["trained"]) <= {True, False}  # each candidate's trained flag, winner or not
    assert best.forecast.name == "net"
    with pytest.raises(ValueError, match="no candidate"):
        select_on_validation(r, [], name="net", confidence=0.95, **DATES)
    with pytest.raises(ValueError, match="vol_scaling"):
        deep_var_forecast(r, confidence=0.95, spec=DeepVaRSpec(vol_scaling="garch"), **DATES)


def test_select_on_validation_refits_only_the_winner(monkeypatch):
    import finrisk_utils.market.deep_var as dv

    calls = []
    real = dv.fit_epochs
    monkeypatch.setattr(dv, "fit_epochs", lambda *a, **k: calls.append(1) or real(*a, **k))
    setup(0)
    specs = [SPEC, replace(SPEC, window=5)]
    best, table = select_on_validation(
        garch_like_returns(), specs, name="net", confidence=0.95, **DATES
    )
    assert len(calls) == 1 and len(table) == 2
    eligible = table[table["trained"]] if table["trained"].any() else table
    assert best.spec == specs[int(eligible["val_fz0"].idxmin())]


@pytest.mark.parametrize(
    ("trained", "fz0", "winner"),
    [
        (
            [False, True, True],
            [0.5, 0.9, 0.7],
            2,
        ),  # the lowest FZ0 did not train: the best that did
        (
            [False, False, True],
            [0.5, 0.6, 0.7],
            2,
        ),  # the only one that trained, however high its FZ0
        (
            [False, False, False],
            [0.8, 0.6, 0.7],
            1,
        ),  # none trained: the lowest FZ0 (labelled downstream)
        ([True, None, True], [0.8, 0.6, 0.7], 2),  # an unknown flag is not a trained network
    ],
)
def test_select_on_validation_chooses_among_networks_that_trained(
    monkeypatch, trained, fz0, winner
):
    """A lower validation FZ0 from a network that did not beat its constant does not win the selection."""
    import finrisk_utils.market.deep_var as dv

    stages = iter(
        SimpleNamespace(val_fz0=v, fit=SimpleNamespace(trained=t, best_epoch=3))
        for t, v in zip(trained, fz0, strict=True)
    )
    monkeypatch.setattr(dv, "_train_and_validate", lambda *a, **k: next(stages))
    monkeypatch.setattr(dv, "_forecast_test", lambda stage, spec, *a: (stage.val_fz0, spec))
    specs = [replace(SPEC, window=w) for w in (5, 10, 20)]
    (val, spec), table = select_on_validation(
        garch_like_returns(), specs, name="net", confidence=0.95, **DATES
    )
    assert spec == specs[winner] and val == fz0[winner]
    assert table["trained"].tolist() == trained


def _naive_case(returns, scheme, alpha=0.05):
    """The validation split of ``returns`` under ``scheme`` and its two candidate constants (target units)."""
    import finrisk_utils.market.deep_var as dv
    from finrisk_utils.core.timeseries import make_windows, split_windows

    features, target, scale = dv._features(returns, pd.Timestamp(DATES["val_start"]), scheme)
    split = split_windows(
        make_windows(features, target.to_numpy(), window=10), features.index, **DATES
    )
    n, s_val = len(split.val.y), scale.loc[split.val.dates].to_numpy()
    own = np.tile([np.quantile(split.train.y, alpha), 0.0], (n, 1))
    own[:, 1] = np.ravel(split.train.y)[np.ravel(split.train.y) <= own[0, 0]].mean()
    before = returns[returns.index < DATES["val_start"]]  # every return before validation
    q = np.quantile(before, alpha)
    raw = np.column_stack([np.full(n, q), np.full(n, before[before <= q].mean())]) / s_val[:, None]
    return dv._naive_quantile_es(split, scale, alpha, before), own, raw


def test_the_naive_var_forecast_is_the_better_of_the_filter_and_the_unconditional_constant():
    """A network under EWMA inputs must beat the better of two constants on validation: the constant multiple of
    the EWMA volatility (the filter alone) and the unconditional constant VaR/ES of every raw return before
    validation. With i.i.d.
    returns the filter only adds noise, so the unconditional constant is the naive forecast; with strong
    volatility clustering the filter wins. Under raw inputs the two constants coincide."""
    iid = pd.Series(
        np.random.default_rng(0).standard_normal(1400),
        index=pd.bdate_range("2010-01-01", periods=1400),
    )
    naive, own, raw = _naive_case(iid, "ewma")
    np.testing.assert_allclose(naive, raw)
    assert not np.allclose(naive, own)
    naive, own, raw = _naive_case(garch_like_returns(seed=1), "ewma")
    np.testing.assert_allclose(naive, own)
    # under raw inputs both are constants of the raw returns (the targets' without the first window's days)
    naive, own, raw = _naive_case(iid, "none")
    assert np.allclose(naive, own) or np.allclose(naive, raw)
    np.testing.assert_allclose(own, raw, rtol=0.05)
