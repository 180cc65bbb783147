"""Notebook 08's comparison: families tested through their seed ensemble, per loss (MSE of log vol, QLIKE of the
implied variance) and horizon, against the benchmark with DM + Holm + MCS; losses reported like wins."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.forecasting import (
    bakeoff_metrics,
    compare_bakeoff,
    qlike,
    verdict_bottom_line,
    verdict_summary,
    verdict_table,
    volatility_losses,
)


@pytest.fixture(scope="module")
def vol():
    rng = np.random.default_rng(3)
    n = 700
    idx = pd.bdate_range("2015-01-01", periods=n)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = 0.95 * x[t - 1] + 0.3 * rng.standard_normal()
    y = pd.Series(x - 1.8, index=idx)
    good = y.shift(1).bfill() * 0.95 - 1.8 * 0.05  # the true conditional mean (AR(1) around -1.8)
    forecasts = {
        "har": {1: good.rename("har")},
        "lstm": {1: (good + 0.4 + 0.1 * rng.standard_normal(n)).rename("lstm")},  # clearly worse
        "gru": {1: (good + 0.01 * rng.standard_normal(n)).rename("gru")},  # indistinguishable
    }
    return y, forecasts


def test_volatility_losses_are_squared_log_errors_and_qlike_of_the_implied_variance(vol):
    y, fc = vol
    f = {m: by_h[1] for m, by_h in fc.items()}
    mse = volatility_losses(y, f, "mse")
    np.testing.assert_allclose(mse["lstm"], (y - f["lstm"]) ** 2)
    q = volatility_losses(y, f, "qlike")
    assert q["gru"].mean() == pytest.approx(qlike(np.exp(2 * y), np.exp(2 * f["gru"])))
    assert (q >= -1e-12).all().all()
    # QLIKE is harsher on under- than on over-prediction by the same log amount
    under = volatility_losses(y, {"u": y - 0.3}, "qlike")["u"].mean()
    over = volatility_losses(y, {"o": y + 0.3}, "qlike")["o"].mean()
    assert under > over > 0
    with pytest.raises(ValueError, match="loss"):
        volatility_losses(y, f, "mae")
    with pytest.raises(ValueError, match="same dates"):
        volatility_losses(y, f | {"x": f["gru"].iloc[1:]}, "mse")


def test_compare_bakeoff_reports_a_significant_loss_like_a_win(vol):
    y, fc = vol
    res = compare_bakeoff(y, fc, "har", trained={"gru": True, "lstm": True}, mcs_reps=200)
    assert set(res) == {("mse", 1), ("qlike", 1)}
    t = res[("mse", 1)].table.set_index("model")
    assert t.loc["lstm", "verdict"] == "significantly worse than har"
    assert t.loc["lstm", "in_mcs"] == 0 and t.loc["har", "in_mcs"] == 1
    assert t.loc["gru", "verdict"] == "not distinguishable from har"
    m = bakeoff_metrics(res)
    assert m["lstm.mse_in_mcs_h1"] == 0 and m["lstm.qlike_in_mcs_h1"] == 0
    assert m["lstm_vs_har.dm_pvalue_holm_h1"] < 0.05
    assert "lstm_vs_har.qlike_dm_pvalue_holm_h1" in m and "lstm_vs_har.qlike_dm_pvalue_h1" in m
    # one Holm family over every test reported (both models, both losses), not one per loss
    from statsmodels.stats.multitest import multipletests

    keys = [(loss, m) for loss in ("mse", "qlike") for m in ("gru", "lstm")]
    raw = [res[(loss, 1)].table.set_index("model").loc[m, "dm_pvalue"] for loss, m in keys]
    for (loss, m), p in zip(keys, multipletests(raw, method="holm")[1], strict=True):
        assert res[(loss, 1)].table.set_index("model").loc[m, "pvalue_holm"] == pytest.approx(p)
    text = verdict_summary(res)
    assert "significantly worse: lstm (Holm p" in text and "significantly better: none" in text
    assert text.count("- **") == 2 and "MCS: " in text
    for loss in ("mse", "qlike"):  # the trained model with the lowest mean loss is named
        lowest = res[(loss, 1)].table.set_index("model")["mean_loss"].idxmin()
        line = next(x for x in text.splitlines() if x.startswith(f"- **{loss.upper()}"))
        assert f"Lowest mean loss: {lowest}." in line
    bottom = verdict_bottom_line(res, {"lstm": "LSTM"})
    assert bottom.startswith(
        "**Bottom line** (against har, Holm-adjusted): MSE: significantly better at some"
    )
    assert (
        "MSE: significantly better at some horizon: none; significantly worse at some horizon: LSTM (h = 1)"
        in (bottom)
    )
    assert "QLIKE: significantly better at some horizon: none; significantly worse" in bottom
    with pytest.raises(ValueError, match="verdict_bottom_line: results must be a non-empty"):
        verdict_bottom_line({})
    with pytest.raises(TypeError, match="is not a ComparisonResult"):
        verdict_bottom_line({("mse", 1): "x"})
    vt = verdict_table(res)
    assert vt.loc[("qlike", 1, "lstm"), "verdict"].startswith("significantly worse")
    # QLIKE's level depends on units: its ratio is left out, the difference is given; MSE keeps its ratio
    assert (
        np.isnan(vt.loc[("qlike", 1, "lstm"), "ratio"])
        and vt.loc[("qlike", 1, "lstm"), "mean_loss_diff"] > 0
    )
    assert np.isfinite(vt.loc[("mse", 1, "lstm"), "ratio"])


def test_compare_bakeoff_leaves_an_untrained_family_uninterpreted(vol):
    y, fc = vol
    res = compare_bakeoff(y, fc, "har", trained={"lstm": False}, losses=("mse",), mcs_reps=200)
    t = res[("mse", 1)].table.set_index("model")
    assert t.loc["lstm", "verdict"] == "did not train (not interpreted)"
    assert np.isnan(t.loc["lstm", "pvalue_holm"])
    assert "did not train: lstm" in verdict_summary(res)
    if "lstm" in res[("mse", 1)].mcs.included:  # kept by the MCS: named, labelled untrained
        assert "lstm (untrained)" in verdict_summary(res).split("MCS: ")[1]
    assert "lstm_vs_har.dm_pvalue_holm_h1" not in bakeoff_metrics(res)
    with pytest.raises(ValueError, match="har"):
        compare_bakeoff(y, {k: v for k, v in fc.items() if k != "har"}, "har")


def test_compare_bakeoff_tests_a_model_that_nests_the_benchmark_by_clark_west_on_mse(vol):
    """A larger linear model (HAR nested in it) that forecasts a little better: Clark-West on the MSE loss only,
    Holm over the nested models, a "better" verdict read from it, and the summary naming the Clark-West p."""
    y, fc = vol
    rng = np.random.default_rng(5)
    bench = fc["har"][1] + 0.15 * rng.standard_normal(len(y))  # a noisy benchmark
    bigger = {1: (0.5 * bench + 0.5 * fc["har"][1]).rename("linear_window")}  # closer to the truth
    forecasts = {"har": {1: bench.rename("har")}, "linear_window": bigger, "lstm": fc["lstm"]}
    res = compare_bakeoff(y, forecasts, "har", nested=["linear_window"], mcs_reps=200)
    mse = res[("mse", 1)].table.set_index("model")
    qlk = res[("qlike", 1)].table.set_index("model")
    assert np.isfinite(mse.loc["linear_window", "cw_pvalue_holm"])
    assert np.isnan(mse.loc["lstm", "cw_pvalue"]) and np.isnan(
        qlk.loc["linear_window", "cw_pvalue"]
    )
    assert mse.loc["linear_window", "verdict"] == "significantly better than har"
    text = verdict_summary(res)
    assert "significantly better: linear_window (Clark-West Holm p" in text
    assert "significantly better at some horizon: linear_window (Clark-West, h = 1)" in (
        verdict_bottom_line(res)
    )
    assert "linear_window_vs_har.cw_pvalue_holm_h1" in bakeoff_metrics(res)
    assert np.isfinite(verdict_table(res).loc[("mse", 1, "linear_window"), "cw_pvalue_holm"])
    with pytest.raises(ValueError, match="compare_bakeoff: nested"):
        compare_bakeoff(y, forecasts, "har", nested=["gru"])
    with pytest.raises(ValueError, match="compare_bakeoff: nested"):
        compare_bakeoff(y, forecasts, "har", nested="linear_window")
