"""Networks known to have trained: the kept validation loss against a naive constant predictor, and the
embargo between training targets and the early-stopping block."""

import numpy as np
import pandas as pd
import pytest
from network_builders import network_builders, network_data

from finrisk_utils import setup
from finrisk_utils.forecasting.direct import DirectNetSpec, direct_deep_forecast
from finrisk_utils.models import predict_array
from finrisk_utils.models.dense import build_dense_regressor
from finrisk_utils.models.training import FitResult, fit_model, naive_validation_loss


def test_fit_result_trained_flag_and_summary():
    fit = FitResult([1.0, 0.5], [0.9, 0.8], best_epoch=2, epochs_run=2, naive_val_loss=1.0)
    assert fit.best_val_loss == 0.8 and fit.trained is True
    assert fit.summary() == {
        "best_epoch": 2,
        "epochs_run": 2,
        "val_loss": 0.8,
        "naive_val_loss": 1.0,
        "trained": 1,
    }
    flat = FitResult([1.0], [0.9995], best_epoch=1, epochs_run=1, naive_val_loss=1.0)
    assert flat.trained is False  # within 0.1% of the constant: learned nothing
    assert FitResult([1.0], [0.5], 1, 1).trained is None
    # beat the constant, but with the weights of the first epoch: a constant in disguise, not trained
    first = FitResult([1.0, 0.9], [0.5, 0.6], best_epoch=1, epochs_run=2, naive_val_loss=1.0)
    assert first.beat_naive is True and first.trained is False and first.summary()["trained"] == 0
    # best epoch = last epoch run: early stopping never fired, the validation loss was still falling
    assert fit.still_improving and not first.still_improving
    assert not FitResult([1.0], [0.5], 1, 1, 1.0).still_improving  # one epoch: nothing to say


def test_a_network_on_signal_trains_and_on_noise_does_not():
    setup(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 5, 1)).astype("float32")
    signal = 2 * X[:, -1, :]
    noise = rng.standard_normal((600, 1)).astype("float32")
    fits = {}
    for name, y in {"signal": signal + 0.1 * noise, "noise": noise}.items():
        model = build_dense_regressor(5, 1, hidden=(8, 8), n_outputs=1)
        fits[name] = fit_model(model, X[:400], y[:400], X[400:], y[400:], epochs=30, patience=5)
    assert fits["signal"].trained is True
    assert fits["noise"].trained is False
    # the naive loss is the MSE of the training mean on the validation rows
    expected = float(np.mean((noise[400:] - noise[:400].mean()) ** 2))
    assert fits["noise"].naive_val_loss == pytest.approx(expected, rel=1e-5)


def test_class_weighted_fit_judges_the_weighted_objective():
    """With class weights the validation loss (early stopping, the trained check) is weighted like the training
    loss, and the naive predictor is the class-weighted base rate: for balanced weights 0.5, whose weighted log
    loss is ln 2 whatever the bad rate. A rare-class signal therefore counts as trained."""
    from finrisk_utils.models.dense import build_dense_classifier

    setup(0)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((1200, 3)).astype("float32")
    y = (X[:, 0] + 0.5 * rng.standard_normal(1200) > 1.4).astype("float32")  # about 10% ones
    counts = np.bincount(y[:800].astype(int))
    weights = {k: 800 / (2 * counts[k]) for k in (0, 1)}
    model = build_dense_classifier(3, hidden=(8,), dropout=0.0, l2=0.0, learning_rate=1e-2)
    fit = fit_model(model, X[:800], y[:800], X[800:], y[800:], epochs=40, class_weight=weights)
    w_val = np.where(y[800:] == 1, weights[1], weights[0])
    p = predict_array(model, X[800:])[:, 0].astype(float)
    bce = -(y[800:] * np.log(p) + (1 - y[800:]) * np.log(1 - p))
    assert fit.best_val_loss == pytest.approx(float(np.mean(w_val * bce)), rel=1e-3)
    assert fit.naive_val_loss == pytest.approx(float(np.mean(w_val)) * np.log(2), rel=1e-4)
    assert fit.trained is True
    with pytest.raises(ValueError, match=r"fit_model: class_weight .* no weight for classes \[1\]"):
        fit_model(model, X[:800], y[:800], X[800:], y[800:], epochs=1, class_weight={0: 1.0})


def test_every_builder_runs_several_batches_per_compiled_call():
    from finrisk_utils.models.training import STEPS_PER_EXECUTION

    assert STEPS_PER_EXECUTION > 1
    for name, (_, build, _, _) in network_builders().items():
        assert build().steps_per_execution == STEPS_PER_EXECUTION, name


@pytest.mark.parametrize(
    "name", ["lstm", "quantile_lstm", "denoising_autoencoder", "grade_ordinal"]
)
def test_steps_per_execution_changes_speed_not_weights(name, monkeypatch):
    """STEPS_PER_EXECUTION batches per compiled call make the same updates in the same order (and the same
    dropout and noise draws) as one batch per call, so the fitted network predicts exactly the same (checked on
    a recurrent net with dropout, the custom FZ0 loss and head, input noise, and the custom ordinal layer)."""
    from finrisk_utils.models.training import STEPS_PER_EXECUTION

    module, build, shape, target = network_builders()[name]
    X, y = network_data(shape, target, 300, seed=2)
    preds = []
    for spe in (1, STEPS_PER_EXECUTION):
        monkeypatch.setattr(module, "STEPS_PER_EXECUTION", spe)
        setup(0)
        model = build()
        assert model.steps_per_execution == spe
        fit_model(
            model, X[:200], y[:200], X[200:], y[200:], epochs=2, batch_size=4
        )  # 50 batches an epoch
        preds.append(predict_array(model, X[200:]))
    np.testing.assert_array_equal(preds[0], preds[1])


@pytest.mark.parametrize("name", ["quantile_lstm", "dense_classifier"])
def test_validation_dataset_changes_speed_not_losses(name, monkeypatch):
    """fit_model hands Keras its validation rows as a tf.data dataset of the same batches (a cheaper iterator
    per epoch than Keras's array pipeline): the validation losses, the kept epoch and the fitted network are
    exactly those of passing the arrays (float64 inputs, odd batch sizes and class weights included)."""
    import finrisk_utils.models.training as training

    module, build, shape, target = network_builders()[name]
    rng = np.random.default_rng(3)
    X = rng.standard_normal((230, *shape))  # float64: cast to floatx as Keras casts arrays
    signal = X.reshape(230, -1)[:, 0]
    y = {
        "binary": (signal + rng.standard_normal(230) > 1).astype("float32"),
        "real": signal + rng.standard_normal(230),
    }[target]
    weights = {0: 1.0, 1: 3.0} if target == "binary" else None
    runs = []
    for batched in (lambda arrays, batch_size: arrays, training._batched):
        monkeypatch.setattr(training, "_batched", batched)
        setup(0)
        model = build()
        fit = fit_model(
            model,
            X[:170],
            y[:170],
            X[170:],
            y[170:],
            epochs=4,
            batch_size=16,
            patience=2,
            class_weight=weights,
        )  # 60 validation rows: three full batches and a partial one
        runs.append((fit, predict_array(model, X[170:])))
    (a, pa), (b, pb) = runs
    assert a.val_loss == b.val_loss and a.best_epoch == b.best_epoch
    np.testing.assert_array_equal(pa, pb)


def test_naive_loss_is_none_when_outputs_do_not_match_targets():
    model = build_dense_regressor(5, 1, hidden=(4,), n_outputs=2)
    y = np.zeros((10, 1))
    assert naive_validation_loss(model, y, y) is None
    assert naive_validation_loss(model, y, y, naive=np.zeros((10, 2))) is not None


def test_direct_forecaster_embargo_keeps_validation_targets_out_of_training(monkeypatch):
    """With horizons up to 6, the last training origin's 6-step target is dated at the first validation origin
    at the latest: training never sees a target inside the validation block."""
    import finrisk_utils.forecasting.direct as direct

    seen = {}
    real_train = DirectNetSpec.train

    def spy(self, x_fit, y_fit, x_val, y_val):
        seen["n_fit"], seen["n_val"] = len(x_fit), len(x_val)
        return real_train(self, x_fit, y_fit, x_val, y_val)

    monkeypatch.setattr(direct.DirectNetSpec, "train", spy)
    setup(0)
    dates = pd.date_range("1990-01-01", periods=200, freq="MS")
    y = pd.DataFrame({"y": np.random.default_rng(0).standard_normal(200).cumsum()}, index=dates)
    spec = DirectNetSpec(kind="dense", window=6, units=4, epochs=2, val_size=20, batch_size=8)
    out = direct_deep_forecast(y, y, dates[150:160], [1, 6], spec)
    # training origins: window-1 .. 150-6, i.e. 145 - 5 = 140; minus val 20, minus the 5-origin embargo
    assert seen == {"n_fit": 140 - 20 - 5, "n_val": 20}
    assert out.fits[0].naive_val_loss is not None and out.fits[0].trained in (True, False)


@pytest.mark.parametrize(
    "name", ["dense_classifier", "lstm", "quantile_lstm", "denoising_autoencoder"]
)
def test_predict_array_gives_exactly_what_predict_gives(name):
    """predict_array runs the same batches through the same compiled step as ``model.predict``: identical outputs,
    one chunk or several (the last one short)."""
    from finrisk_utils.models import predict_array

    _, build, shape, _ = network_builders()[name]
    setup(0)
    model = build()
    X = np.random.default_rng(1).standard_normal((70, *shape)).astype("float32")
    for batch_size in (4096, 32):
        expected = model.predict(X, verbose=0, batch_size=batch_size)
        got = predict_array(model, X, batch_size=batch_size)
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError, match="predict_array: batch_size"):
        predict_array(model, X, batch_size=0)
