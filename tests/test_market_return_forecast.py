"""Notebook 01's machinery: the linear AR ablation on the network's window, the nested-benchmark comparison
(Clark-West with Holm beside DM and the MCS), and the training report of a fit."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.market import ar_window_forecast, compare_return_forecasts
from finrisk_utils.models import FitResult, has_learned, training_report


def _ar2(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    r = np.zeros(n)
    for t in range(2, n):
        r[t] = 0.1 + 0.3 * r[t - 1] - 0.2 * r[t - 2] + rng.standard_normal()
    return pd.Series(r, index=pd.bdate_range("2000-01-03", periods=n), name="r")


def test_ar_window_forecast_recovers_a_known_ar_and_uses_only_training_targets():
    r = _ar2()
    dates = r.index[2500:]
    fc = ar_window_forecast(r, 2, r.index[2000], dates)
    truth = 0.1 + 0.3 * r.shift(1) - 0.2 * r.shift(2)
    assert fc.name == "ar2" and fc.index.equals(dates)
    np.testing.assert_allclose(fc, truth.loc[dates], atol=0.1)  # OLS on 2,000 targets
    # targets after train_end do not move the coefficients: perturbing them changes nothing at a date whose
    # lags are untouched
    bumped = r.copy()
    bumped.iloc[2100:2400] += 5.0
    again = ar_window_forecast(bumped, 2, r.index[2000], dates)
    pd.testing.assert_series_equal(fc, again)
    # a longer window of lags still forecasts (extra lags near zero)
    fc5 = ar_window_forecast(r, 5, r.index[2000], dates)
    assert np.sqrt(np.mean((fc5 - truth.loc[dates]) ** 2)) < 0.1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"window": 0}, ValueError, "window"),
        ({"train_end": "not a date"}, ValueError, "train_end"),
        ({"dates": "2010"}, TypeError, "dates"),
        ({"train_end": "2000-01-10"}, DataValidationError, "training targets"),
        ({"window": 4000}, DataValidationError, "earlier returns"),
    ],
)
def test_ar_window_forecast_rejects_bad_input(kwargs, error, match):
    r = _ar2(n=3000)
    args = {"returns": r, "window": 2, "train_end": r.index[2000], "dates": r.index[2500:]}
    with pytest.raises(error, match=match):
        ar_window_forecast(**(args | kwargs))
    with pytest.raises(TypeError, match="returns"):
        ar_window_forecast(list(r), 2, r.index[2000], r.index[2500:])


def _forecasts(seed=1, n=800):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2015-01-01", periods=n)
    signal = 0.4 * rng.standard_normal(n)
    actual = pd.Series(signal + rng.standard_normal(n), index=idx)
    return actual, {
        "random_walk": pd.Series(0.0, index=idx),
        "persistence": actual.shift(1).fillna(0.0),
        "historical_mean": pd.Series(0.01, index=idx),
        "ar20": pd.Series(
            signal, index=idx
        ),  # knows the predictable part: must beat the random walk
        "lstm": pd.Series(0.001 * rng.standard_normal(n), index=idx),
    }


def test_compare_return_forecasts_reads_clark_west_with_holm_and_leaves_untrained_out():
    actual, fc = _forecasts()
    cmp = compare_return_forecasts(
        actual, fc, nested=["historical_mean", "ar20", "lstm"], trained={"lstm": False}
    )
    t = cmp.table
    assert t.loc["ar20", "cw_pvalue_holm"] < 0.01 and t.loc["ar20", "cw_pvalue"] < 0.01
    # Holm over the two trained nested models: the adjusted p is at least the raw one, at most twice it
    assert (
        t.loc["ar20", "cw_pvalue"]
        <= t.loc["ar20", "cw_pvalue_holm"]
        <= 2 * t.loc["ar20", "cw_pvalue"]
    )
    assert np.isnan(t.loc["lstm", "cw_pvalue_holm"]) and np.isnan(t.loc["lstm", "pvalue_holm"])
    assert np.isnan(t.loc["persistence", "cw_pvalue_holm"])  # not nested: DM only
    assert t.loc["persistence", "verdict"] == "significantly worse than random_walk"
    m = cmp.metrics()
    assert m["ar20_vs_random_walk.cw_pvalue_holm_h1"] == pytest.approx(
        t.loc["ar20", "cw_pvalue_holm"]
    )
    assert "lstm_vs_random_walk.cw_pvalue_holm_h1" not in m
    assert "lstm_vs_random_walk.dm_pvalue_holm_h1" not in m
    assert m["persistence.mse_in_mcs_h1"] == 0 and m["ar20.mse_in_mcs_h1"] == 1
    text = cmp.verdict_text()
    assert "lstm did not train (not interpreted)" in text
    # the MCS sentence names every model the set keeps, an untrained one labelled
    kept = [f"{m} (untrained)" if m == "lstm" else m for m in cmp.result.mcs.included]
    assert f"model confidence set keeps: {', '.join(kept)}." in text
    assert "evidence that it beats random_walk" in text and "persistence" in text
    assert "significantly worse than random_walk" in text


def test_compare_return_forecasts_rejects_bad_input():
    actual, fc = _forecasts()
    with pytest.raises(ValueError, match="random_walk"):
        compare_return_forecasts(actual, {k: v for k, v in fc.items() if k != "random_walk"})
    with pytest.raises(ValueError, match="nested"):
        compare_return_forecasts(actual, fc, nested=["garch"])
    with pytest.raises(DataValidationError, match="dates"):
        compare_return_forecasts(actual, fc | {"ar20": fc["ar20"].iloc[1:]})
    with pytest.raises(TypeError, match="actual"):
        compare_return_forecasts(actual.to_numpy(), fc)


def test_training_report_labels_a_fit_that_did_not_beat_the_constant():
    stuck = FitResult([1.0, 0.9], [0.50, 0.52], best_epoch=1, epochs_run=2, naive_val_loss=0.49)
    good = FitResult([1.0, 0.9], [0.50, 0.40], best_epoch=2, epochs_run=2, naive_val_loss=0.49)
    assert "labelled untrained" in training_report(stuck, "The LSTM")
    assert "epoch 1" in training_report(stuck) and "0.4900" in training_report(stuck)
    assert "counts as trained" in training_report(good)
    assert "still falling when the epoch budget ran out" in training_report(
        good
    )  # best epoch 2 of 2
    stopped = FitResult(
        [1.0, 0.9, 0.8], [0.50, 0.40, 0.45], best_epoch=2, epochs_run=3, naive_val_loss=0.49
    )
    assert training_report(stopped).endswith("so it counts as trained.")
    first = FitResult([1.0, 0.9], [0.40, 0.45], best_epoch=1, epochs_run=2, naive_val_loss=0.49)
    assert (
        first.beat_naive
        and not first.trained
        and not has_learned(first)
        and has_learned(good)
        and not has_learned(stuck)
    )
    assert "first epoch" in training_report(first) and "labelled untrained" in training_report(
        first
    )
    unknown = FitResult([1.0], [0.5], best_epoch=1, epochs_run=1)
    assert "unknown" in training_report(unknown)
    with pytest.raises(TypeError, match="FitResult"):
        training_report({"best_epoch": 1})
    with pytest.raises(TypeError, match="FitResult"):
        has_learned(None)
    with pytest.raises(TypeError, match="name"):
        training_report(good, "")
