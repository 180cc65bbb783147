"""Notebook 01's machinery: the linear AR ablation on the network's window, the nested-benchmark comparison
(Clark-West with Holm beside DM and the MCS), and the training report of a fit."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.market import (
    FORECASTS_FILE,
    ar_window_forecast,
    compare_return_forecasts,
    load_return_forecasts,
    save_return_forecasts,
    seed_ensemble_reading,
    seed_ensemble_return_comparison,
)
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
    # the MCS sentence names every model the set keeps, and the untrained one as no candidate
    kept = ", ".join(cmp.result.mcs.included)
    assert "lstm" not in cmp.result.mcs.included
    assert f"model confidence set keeps: {kept}; not a candidate: lstm (untrained)." in text
    cw = "" if t.loc["ar20", "cw_pvalue_holm"] < 0.05 else "no "
    assert (
        "ar20: RMSE" in text
        and f"nesting: {cw}significant evidence at 5% that it beats random_walk" in text
    )
    assert "persistence" in text
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


def _seed_runs(tmp_path, n_seeds=3, n=400):
    """Run folders of a seed sweep of notebook 01: the same returns and random walk, an LSTM that differs by
    seed (a signal plus seed noise)."""
    rng = np.random.default_rng(7)
    dates = pd.bdate_range("2018-01-01", periods=n)
    signal = 0.4 * rng.standard_normal(n)
    actual = pd.Series(signal + rng.standard_normal(n), index=dates)
    dirs, fcs = [], []
    for k in range(n_seeds):
        lstm = pd.Series(signal + 0.3 * rng.standard_normal(n), index=dates)
        d = tmp_path / f"seed{k}"
        d.mkdir()
        forecasts = {"random_walk": pd.Series(0.0, index=dates), "lstm": lstm}
        assert save_return_forecasts(d / FORECASTS_FILE, actual, forecasts) == d / FORECASTS_FILE
        dirs.append(d)
        fcs.append(lstm)
    return dirs, actual, fcs


def test_seed_ensemble_return_comparison_tests_the_mean_forecast(tmp_path):
    dirs, actual, fcs = _seed_runs(tmp_path)
    back, loaded = load_return_forecasts(dirs[0] / FORECASTS_FILE)
    pd.testing.assert_series_equal(back, actual, check_names=False, check_freq=False)
    assert list(loaded) == ["random_walk", "lstm"]
    res = seed_ensemble_return_comparison(dirs, "lstm", [True, False, True], seed=1)
    mean = (fcs[0] + fcs[2]) / 2  # the seeds that trained (a choice made on validation)
    direct = compare_return_forecasts(
        actual,
        {"random_walk": pd.Series(0.0, index=actual.index), "lstm": mean},
        nested=["lstm"],
        seed=1,
    )
    pd.testing.assert_frame_equal(res.table, direct.table, check_freq=False)
    # the ensemble averages the seeds' noise away: lower MSE than its members' mean (Jensen)
    seed_mse = np.mean([np.mean((actual - f) ** 2) for f in (fcs[0], fcs[2])])
    assert res.table.loc["lstm", "mean_loss"] < seed_mse
    assert res.table.loc["lstm", "verdict"] == "significantly better than random_walk"
    assert "lstm_vs_random_walk.cw_pvalue_holm_h1" in res.metrics()
    all_mean = sum(fcs) / len(fcs)
    # not more than half of the seeds trained (none, or one of three): the mean of all, labelled untrained
    for flags in ([False] * 3, [False, True, False]):
        none = seed_ensemble_return_comparison(dirs, "lstm", flags)
        assert none.table.loc["lstm", "verdict"] == "did not train (not interpreted)"
        assert none.table.loc["lstm", "mean_loss"] == pytest.approx(
            np.mean((actual - all_mean) ** 2)
        )


def test_seed_ensemble_return_comparison_rejects_mismatched_runs(tmp_path):
    dirs, actual, _ = _seed_runs(tmp_path)
    with pytest.raises(ValueError, match="one flag per run"):
        seed_ensemble_return_comparison(dirs, "lstm", [True])
    with pytest.raises(TypeError, match="non-empty list"):
        seed_ensemble_return_comparison([], "lstm", [])
    with pytest.raises(ValueError, match="no forecast of 'gru'"):
        seed_ensemble_return_comparison(dirs, "gru", [True] * 3)
    other = tmp_path / "other"
    other.mkdir()
    save_return_forecasts(
        other / FORECASTS_FILE, actual + 1.0, {"random_walk": 0.0 * actual, "lstm": actual}
    )
    with pytest.raises(DataValidationError, match="other realised returns"):
        seed_ensemble_return_comparison([*dirs, other], "lstm", [True] * 4)
    with pytest.raises(FileNotFoundError, match="load_return_forecasts: no forecasts file"):
        seed_ensemble_return_comparison([tmp_path / "missing"], "lstm", [True])
    with pytest.raises(DataValidationError, match="not on actual's dates"):
        save_return_forecasts(tmp_path / "x.csv", actual, {"lstm": actual.iloc[1:]})
    with pytest.raises(ValueError, match="non-empty mapping"):
        save_return_forecasts(tmp_path / "x.csv", actual, {})


def test_seed_ensemble_reading_states_the_ensemble_and_the_seeds_in_it(tmp_path):
    dirs, actual, fcs = _seed_runs(tmp_path)
    seeds = pd.Index([0, 1, 2], name="seed")
    rmse = pd.Series([np.sqrt(np.mean((actual - f) ** 2) / np.mean(actual**2)) for f in fcs], seeds)
    trained = pd.Series([True, False, True], seeds)
    res = seed_ensemble_return_comparison(dirs, "lstm", trained.tolist(), seed=1)
    text = seed_ensemble_reading(res, rmse, trained, label="The LSTM")
    ens = np.sqrt(res.table.loc["lstm", "ratio"])
    assert text.startswith(
        "- **The LSTM**: 2 of 3 seeds trained: the ensemble is the mean of those 2 (1 untrained left out). "
    )
    assert f"RMSE {ens:.4f} times random_walk's (significantly better than random_walk)" in text
    kept = rmse[trained]
    assert f"from {kept.min():.4f} to {kept.max():.4f} (sd {kept.std():.4f})." in text
    assert f"{rmse[1]:.4f}" not in text  # the untrained seed is not in the ensemble's range
    none = seed_ensemble_return_comparison(dirs, "lstm", [False] * 3)
    text = seed_ensemble_reading(none, rmse, trained * False)
    assert (
        "- **lstm**: 0 of 3 seeds trained, not more than half, so the network counts as untrained: its "
        "ensemble is the mean of every seed, not interpreted." in text
    )
    assert "(did not train (not interpreted))" in text
    assert f"from {rmse.min():.4f} to {rmse.max():.4f}" in text
    # one seed of three is not a network that trains: every seed is in the (untrained) ensemble's range
    one = seed_ensemble_reading(none, rmse, pd.Series([False, True, False], seeds))
    assert one.startswith("- **lstm**: 1 of 3 seeds trained, not more than half")
    assert f"from {rmse.min():.4f} to {rmse.max():.4f} (sd {rmse.std():.4f})." in one
    # flags that contradict the comparison's own label are not the same seeds
    with pytest.raises(
        ValueError, match="seed_ensemble_reading: trained says the ensemble is untrained"
    ):
        seed_ensemble_reading(res, rmse, pd.Series([True, False, False], seeds))
    single = seed_ensemble_reading(res, rmse[[1]], pd.Series([True], seeds[[1]]))
    assert single.endswith(f"from {rmse[1]:.4f} to {rmse[1]:.4f}.")  # one seed: no sd


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"comparison": None}, TypeError, "comparison must be a ReturnComparison"),
        ({"model": "gru"}, ValueError, "no model 'gru'"),
        ({"rmse_ratio": [1.0, 1.0, 1.0]}, TypeError, "pandas Series"),
        ({"rmse_ratio": pd.Series([1.0, -1.0, 1.0])}, ValueError, "seed 1 has -1.0"),
        ({"rmse_ratio": pd.Series([1.0, np.nan, 1.0])}, ValueError, "rmse_ratio"),
        ({"trained": pd.Series([True, False])}, ValueError, "same seeds"),
        ({"trained": pd.Series(["yes", "no", "no"])}, ValueError, "trained\\[0\\] must be a bool"),
    ],
)
def test_seed_ensemble_reading_rejects_bad_input(tmp_path, kwargs, error, match):
    dirs, _, _ = _seed_runs(tmp_path)
    args = {
        "comparison": seed_ensemble_return_comparison(dirs, "lstm", [True] * 3),
        "rmse_ratio": pd.Series([1.0, 0.9, 1.1]),
        "trained": pd.Series([True, True, False]),
        "model": "lstm",
    } | kwargs
    with pytest.raises(error, match=f"seed_ensemble_reading: .*{match}"):
        seed_ensemble_reading(
            args.pop("comparison"), args.pop("rmse_ratio"), args.pop("trained"), **args
        )
