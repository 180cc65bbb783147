"""Bake-off machinery: hyper-parameter choice on validation only, seed repeats, the summary table; and the
network inspection helpers (lag sensitivity, LSTM gates recomputed from weights)."""

import keras
import numpy as np
import pandas as pd
import pytest

from finrisk_utils import models, setup
from finrisk_utils.forecasting.bakeoff import (
    FamilyResult,
    bakeoff_table,
    family_training_text,
    run_family,
)
from finrisk_utils.forecasting.direct import DirectNetSpec
from finrisk_utils.models import predict_array
from finrisk_utils.models.inspection import lag_sensitivity, lstm_gates


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    n = 260
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = 0.9 * x[t - 1] + 0.3 * rng.standard_normal()
    return pd.Series(x, index=pd.date_range("2000-01-03", periods=n, freq="B"), name="log_vol")


def test_run_family_picks_on_validation_and_repeats_seeds(series):
    frame = series.to_frame()
    origins = series.index[230:250]
    base = {"window": 5, "epochs": 2, "patience": 1, "batch_size": 16, "val_size": 20}
    candidates = [DirectNetSpec(kind="gru", units=u, **base) for u in (2, 6)]
    fam = run_family(frame, frame, origins, (1, 3), candidates, seeds=[0, 1, 2])
    assert len(fam.runs) == 3 and set(fam.validation_loss) == {
        "gru(window=5, units=2)",
        "gru(window=5, units=6)",
    }
    best = min(fam.validation_loss, key=fam.validation_loss.get)
    assert best == f"gru(window=5, units={fam.chosen.units})"
    assert not np.allclose(fam.runs[1].forecasts[1], fam.runs[2].forecasts[1])  # different seeds
    with pytest.raises(ValueError, match="at least one"):
        run_family(frame, frame, origins, (1,), [], seeds=[0])

    har = {h: fam.runs[0].forecasts[h].iloc[:, 0] * 0 + series.mean() for h in (1, 3)}
    har = {h: s.rename("har") for h, s in har.items()}
    table = bakeoff_table(series, {"har": har}, {"gru": fam}, benchmark="har")
    assert set(table.index) == {("har", 1), ("har", 3), ("gru", 1), ("gru", 3)}
    assert "dm_pvalue_vs_har" not in table  # tests live in compare_bakeoff, on the seed ensemble
    assert table.loc[("har", 1), "rmse_seed_std"] == 0 and table.loc[("har", 1), "n_seeds"] == 1
    assert table.loc[("gru", 1), "n_seeds"] == 3 and table.loc[("gru", 1), "rmse_seed_std"] > 0
    y = series.loc[har[1].index]
    assert table.loc[("har", 1), "bias"] == pytest.approx(float((y - series.mean()).mean()))
    # the tested forecast is the seed ensemble (mean over seeds), its spread beside it
    ens = np.mean([r.forecasts[1].iloc[:, 0].loc[y.index] for r in fam.runs], axis=0)
    assert table.loc[("gru", 1), "rmse"] == pytest.approx(float(np.sqrt(np.mean((y - ens) ** 2))))
    singles = [
        np.sqrt(np.mean((y - r.forecasts[1].iloc[:, 0].loc[y.index]) ** 2)) for r in fam.runs
    ]
    assert table.loc[("gru", 1), "rmse_seed_mean"] == pytest.approx(np.mean(singles))
    assert table.loc[("gru", 1), "rmse"] <= max(singles)  # squared error is convex
    assert table.loc[("gru", 1), "params"] == fam.runs[0].n_params
    flags = [bool(f.trained) for r in fam.runs for f in r.fits]
    assert fam.trained_share == pytest.approx(np.mean(flags)) and fam.trained == all(flags)
    assert table.loc[("gru", 1), "trained_share"] == fam.trained_share


def test_lag_sensitivity_sees_only_what_the_network_uses():
    setup(0)
    model = models.build_conv_regressor(10, 1, filters=3, dilations=(1,))  # receptive field 3
    X = np.random.default_rng(1).standard_normal((20, 10, 1))
    sens = lag_sensitivity(model, X)
    assert sens.shape == (10,)
    np.testing.assert_allclose(sens[:7], 0.0, atol=1e-6)
    with pytest.raises(ValueError, match="window"):
        lag_sensitivity(model, X[:, :, 0])


def test_lstm_gates_match_keras_hidden_state():
    setup(0)
    model = models.build_recurrent_regressor(6, 2, units=3, cell="lstm")
    X = np.random.default_rng(2).standard_normal((4, 6, 2))
    gates = lstm_gates(model, X)
    keras_h = predict_array(keras.Model(model.inputs, model.get_layer("lstm").output), X)
    np.testing.assert_allclose(gates["hidden"], keras_h, atol=1e-5)
    assert all(((g >= 0) & (g <= 1)).all() for k, g in gates.items() if k != "hidden")
    with pytest.raises(TypeError, match="not an LSTM"):
        lstm_gates(models.build_recurrent_regressor(6, 2, units=3, cell="gru"), X, layer="gru")


def test_family_training_summary_counts_every_fit():
    def fit(best, run, val, naive):
        return models.FitResult(
            loss=[1.0] * run, val_loss=[val] * run, best_epoch=best, epochs_run=run,
            naive_val_loss=naive,
        )  # fmt: skip

    class Run:  # the two attributes training_summary reads of a DirectForecast
        def __init__(self, fits):
            self.fits = fits

    spec = DirectNetSpec(kind="gru", window=5, units=2)
    fam = FamilyResult(
        spec, {}, [Run([fit(1, 5, 0.9, 1.0), fit(4, 4, 0.5, 1.0)]), Run([fit(3, 9, 1.2, 1.0)])]
    )
    s = fam.training_summary()
    assert s["fits"] == 3 and s["kept_epoch_median"] == 3 and s["kept_epoch_min"] == 1
    assert s["kept_epoch_max"] == 4 and s["epochs_run_max"] == 9
    assert s["still_improving_share"] == pytest.approx(1 / 3)  # epoch 4 of 4
    assert s["val_to_naive_median"] == pytest.approx(0.9)
    # epoch 1 (beat the constant, but first epoch) and 1.2 > 1.0 are untrained: one of three trained
    assert s["trained_share"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="training_summary: the family has no fits"):
        FamilyResult(spec, {}, []).training_summary()


def test_family_training_text_names_families_still_improving():
    def fam(best, run):
        fit = models.FitResult(
            loss=[1.0] * run, val_loss=[0.5] * run, best_epoch=best, epochs_run=run,
            naive_val_loss=1.0,
        )  # fmt: skip
        run_ = type("Run", (), {"fits": [fit, fit]})()
        return FamilyResult(DirectNetSpec(kind="gru", window=5, units=2), {}, [run_])

    text = family_training_text({"gru": fam(7, 20), "cnn": fam(30, 30)})
    assert "gru epoch 7 of at most 20, 100% trained" in text
    assert "cnn epoch 30 of at most 30" in text and "still falling" in text
    assert "cnn in 100% of fits" in text and "gru in" not in text
    assert "none kept its last epoch" in family_training_text({"gru": fam(7, 20)})
    with pytest.raises(ValueError, match="non-empty mapping"):
        family_training_text({})
    with pytest.raises(TypeError, match=r"families\['x'\] must be a FamilyResult"):
        family_training_text({"x": 1})
