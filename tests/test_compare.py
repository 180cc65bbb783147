"""The shared model-comparison protocol (finrisk_utils.forecasting.compare): DM with a Newey-West long-run
variance, Clark-West, the model confidence set, Holm, verdicts and the one-call comparison."""

import re
from dataclasses import FrozenInstanceError

import numpy as np
import pandas as pd
import pytest
from arch.bootstrap import MCS
from scipy import stats

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.forecasting.compare import (
    ComparisonResult,
    best_trained,
    best_trained_model,
    clark_west,
    compare_forecasts,
    comparison_table,
    default_lags,
    diebold_mariano,
    display_names,
    format_pvalue,
    holm,
    holm_across,
    long_run_variance,
    mark_untrained,
    model_confidence_set,
    nested_inputs,
    relative_size,
    relative_spread_reading,
    seed_ensemble,
    seed_membership,
    seed_ratio_reading,
    seed_spread,
    seed_spread_reading,
    verdict,
)
from finrisk_utils.workbench.outputs import METRIC_KEY_PATTERN

# d = loss_a - loss_b for the hand-worked DM examples: mean 2.5, deviations
# dc = [-0.5, -2.5, 0.5, -1.5, 1.5, -0.5, 2.5, 0.5] (n = 8)
D = np.array([2.0, 0.0, 3.0, 1.0, 4.0, 2.0, 5.0, 3.0])
LOSS_B = np.array([1.0, 2.0, 1.0, 3.0, 1.0, 2.0, 1.0, 2.0])
LOSS_A = LOSS_B + D
# gamma_0 = 18 / 8 = 2.25
# gamma_1 = (1.25 - 1.25 - 0.75 - 2.25 - 0.75 - 1.25 + 1.25) / 8 = -3.75 / 8 = -0.46875
# gamma_2 = (-0.25 + 3.75 + 0.75 + 0.75 + 3.75 - 0.25) / 8 = 8.5 / 8 = 1.0625
# Bartlett, 2 lags: 2.25 + 2 (2/3 (-0.46875) + 1/3 (1.0625)) = 2.25 + 2 (-0.3125 + 0.354166...) = 7/3
G0, G1, G2 = 2.25, -0.46875, 1.0625
LRV_BARTLETT_2 = 7 / 3


def test_hand_autocovariances_are_nondegenerate():
    dc = D - D.mean()
    n = D.size
    assert D.mean() == 2.5
    assert sum(dc[t] * dc[t] for t in range(n)) / n == pytest.approx(G0)
    assert sum(dc[t] * dc[t - 1] for t in range(1, n)) / n == pytest.approx(G1)
    assert sum(dc[t] * dc[t - 2] for t in range(2, n)) / n == pytest.approx(G2)
    assert G1 != 0 and G2 != 0


def test_long_run_variance_bartlett_and_rectangular_by_hand():
    assert G0 + 2 * (2 / 3 * G1 + 1 / 3 * G2) == pytest.approx(LRV_BARTLETT_2)
    assert long_run_variance(D, lags=2) == pytest.approx(LRV_BARTLETT_2, rel=1e-12)
    assert long_run_variance(D, lags=2, kernel="rectangular") == pytest.approx(
        G0 + 2 * (G1 + G2), rel=1e-12
    )
    assert long_run_variance(D, lags=1) == pytest.approx(G0 + 2 * 0.5 * G1, rel=1e-12)
    assert long_run_variance(D, lags=0) == pytest.approx(G0, rel=1e-12)


def test_default_lags_newey_west_rule_and_horizon_floor():
    # floor(4 (n/100)^(2/9)): n = 8 -> floor(2.28) = 2; n = 100 -> 4; n = 335 -> 5
    assert default_lags(8) == 2 and default_lags(100) == 4 and default_lags(335) == 5
    assert default_lags(335, horizon=12) == 11  # never fewer than h - 1
    assert default_lags(335, horizon=12, kernel="rectangular") == 11
    assert default_lags(8, horizon=1, kernel="rectangular") == 0


def test_diebold_mariano_bartlett_hand_computed_h1():
    # DM = 2.5 / sqrt((7/3) / 8) = 2.5 sqrt(24/7); HLN factor (h = 1) sqrt((n - 1)/n) = sqrt(7/8)
    # so DM* = 2.5 sqrt(3) = 4.3301, p = 2 t_7.sf(DM*)
    res = diebold_mariano(LOSS_A, LOSS_B)
    assert res.kernel == "bartlett" and res.lags == 2 and res.n == 8 and res.horizon == 1
    assert res.mean_loss_diff == pytest.approx(2.5)
    assert res.statistic == pytest.approx(2.5 * np.sqrt(3), rel=1e-12)
    assert res.pvalue == pytest.approx(2 * stats.t(7).sf(2.5 * np.sqrt(3)), rel=1e-10)
    raw = diebold_mariano(LOSS_A, LOSS_B, harvey_correction=False)
    assert raw.statistic == pytest.approx(2.5 * np.sqrt(24 / 7), rel=1e-12)
    assert raw.pvalue == pytest.approx(2 * stats.norm.sf(2.5 * np.sqrt(24 / 7)), rel=1e-10)
    rect = diebold_mariano(LOSS_A, LOSS_B, kernel="rectangular", lags=2)
    assert rect.statistic == pytest.approx(2.5 / np.sqrt((G0 + 2 * (G1 + G2)) / 8) * np.sqrt(7 / 8))


def test_diebold_mariano_one_sided_branches():
    stat = 2.5 * np.sqrt(3)
    two = diebold_mariano(LOSS_A, LOSS_B)
    greater = diebold_mariano(
        LOSS_A, LOSS_B, alternative="greater"
    )  # H1: B better (A's loss larger)
    less = diebold_mariano(LOSS_A, LOSS_B, alternative="less")  # H1: A better
    assert greater.pvalue == pytest.approx(stats.t(7).sf(stat), rel=1e-10)
    assert greater.pvalue == pytest.approx(two.pvalue / 2, rel=1e-10)
    assert less.pvalue == pytest.approx(stats.t(7).cdf(stat), rel=1e-10)
    assert less.pvalue + greater.pvalue == pytest.approx(1.0)
    swapped = diebold_mariano(LOSS_B, LOSS_A, alternative="less")
    assert swapped.statistic == pytest.approx(-stat) and swapped.pvalue == pytest.approx(
        greater.pvalue
    )


def test_diebold_mariano_longer_horizons():
    # h = 3: default lags max(2, 2) = 2 (same LRV 7/3), HLN factor sqrt((n + 1 - 2h + h(h - 1)/n) / n)
    # = sqrt((9 - 6 + 0.75) / 8) = sqrt(3.75 / 8)
    res = diebold_mariano(LOSS_A, LOSS_B, horizon=3)
    assert res.lags == 2 and res.horizon == 3
    expected = 2.5 / np.sqrt(LRV_BARTLETT_2 / 8) * np.sqrt(3.75 / 8)
    assert res.statistic == pytest.approx(expected, rel=1e-12)
    assert res.pvalue == pytest.approx(2 * stats.t(7).sf(expected), rel=1e-10)
    # h = 4: lags max(3, 2) = 3 (h - 1 wins), Bartlett weights 3/4, 2/4, 1/4
    dc = D - D.mean()
    g3 = sum(dc[t] * dc[t - 3] for t in range(3, 8)) / 8
    lrv = G0 + 2 * (0.75 * G1 + 0.5 * G2 + 0.25 * g3)
    res4 = diebold_mariano(LOSS_A, LOSS_B, horizon=4)
    assert res4.lags == 3
    factor = np.sqrt((9 - 8 + 12 / 8) / 8)
    assert res4.statistic == pytest.approx(2.5 / np.sqrt(lrv / 8) * factor, rel=1e-12)
    # the rectangular kernel keeps the original estimator: gamma_0 + 2 gamma_1 at h = 2
    old = diebold_mariano(LOSS_A, LOSS_B, horizon=2, kernel="rectangular")
    assert old.lags == 1
    assert old.statistic == pytest.approx(
        2.5 / np.sqrt((G0 + 2 * G1) / 8) * np.sqrt((9 - 4 + 2 / 8) / 8), rel=1e-12
    )


def test_clark_west_hand_computed():
    y = np.array([1.0, -1.0, 2.0, 0.0, 1.0, 3.0])
    fb = np.zeros(6)
    fm = np.array([0.5, -0.5, 1.0, 0.0, 0.0, 1.0])
    # e_b^2 = [1, 1, 4, 0, 1, 9]; e_m^2 = [0.25, 0.25, 1, 0, 1, 4]; (fb - fm)^2 = [0.25, 0.25, 1, 0, 0, 1]
    # f = e_b^2 - (e_m^2 - (fb - fm)^2) = [1, 1, 4, 0, 0, 6]: mean 2, gamma_0 = 30 / 6 = 5
    res = clark_west(y, fb, fm, lags=0)
    assert res.mean_adjusted_diff == pytest.approx(2.0)
    assert res.statistic == pytest.approx(2 / np.sqrt(5 / 6), rel=1e-12)
    assert res.pvalue == pytest.approx(stats.norm.sf(2 / np.sqrt(5 / 6)), rel=1e-10)
    f = np.array([1.0, 1.0, 4.0, 0.0, 0.0, 6.0])
    hac = clark_west(y, fb, fm)  # default lags: floor(4 (6/100)^(2/9)) = 2
    assert hac.lags == 2
    assert hac.statistic == pytest.approx(2 / np.sqrt(long_run_variance(f, lags=2) / 6))
    # f_t = 2 e_b,t (fm_t - fb_t): flipping the model's forecast flips f, and the one-sided p-value is large
    worse = clark_west(y, fb, -fm, lags=0)
    assert worse.statistic == pytest.approx(-res.statistic)
    assert worse.pvalue == pytest.approx(1 - res.pvalue) and worse.pvalue > 0.95


def _losses(seed: int = 3, n: int = 250) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.chisquare(1, n)
    return pd.DataFrame(
        {
            "rw": common + rng.chisquare(1, n),
            "dns": common + rng.chisquare(1, n) * 0.95,
            "lstm": common + rng.chisquare(1, n) * 1.05,
            "bad": common + rng.chisquare(1, n) + 3.0,
        },
        index=pd.date_range("2000-01-01", periods=n, freq="MS"),
    )


def test_model_confidence_set_matches_arch_and_drops_a_bad_model():
    losses = _losses()
    res = model_confidence_set(losses, size=0.1, reps=400, block_size=8, seed=11)
    direct = MCS(losses, 0.1, reps=400, block_size=8, seed=11)
    direct.compute()
    assert set(res.included) == set(direct.included) and "bad" not in res.included
    assert list(res.pvalues.index) == list(losses.columns)
    pd.testing.assert_series_equal(
        res.pvalues,
        direct.pvalues["Pvalue"].reindex(losses.columns).rename("mcs_pvalue"),
        check_names=False,
    )
    assert res.membership.to_dict() == {m: int(m in direct.included) for m in losses.columns}
    assert res.membership["bad"] == 0 and res.membership["rw"] == 1
    # seeded: the same call gives the same set; default block length max(h, floor(sqrt(250))) = 15
    again = model_confidence_set(losses, size=0.1, reps=400, block_size=8, seed=11)
    pd.testing.assert_series_equal(res.pvalues, again.pvalues)
    assert model_confidence_set(losses, reps=50).block_size == 15
    assert model_confidence_set(losses, reps=50, horizon=20).block_size == 20


def test_holm_hand_worked():
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> max(0.06, 0.04) = 0.06
    p = np.array([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(holm(p), [0.03, 0.06, 0.06, 0.02])
    as_series = holm(pd.Series(p, index=list("abcd")))
    assert list(as_series.index) == list("abcd") and as_series["d"] == pytest.approx(0.02)
    assert holm({"x": 0.3, "y": 0.9}).to_dict() == pytest.approx({"x": 0.6, "y": 0.9})
    assert holm([0.8, 0.7]).tolist() == pytest.approx([1.0, 1.0])  # capped at 1, monotone


def test_verdict_all_branches():
    assert verdict(-0.2, 0.01, "rw") == "significantly better than rw"
    assert verdict(0.2, 0.01, "rw") == "significantly worse than rw"
    assert verdict(-0.2, 0.30, "rw") == "not distinguishable from rw"
    assert verdict(0.2, 0.05, "rw") == "not distinguishable from rw"  # p must be below the level
    assert verdict(-0.2, 0.07, "rw", level=0.10) == "significantly better than rw"
    assert verdict(-0.2, float("nan"), "rw") == "not distinguishable from rw"
    assert verdict(0.0, 0.0, "rw") == "not distinguishable from rw"
    assert verdict(-0.2, 0.001, "rw", trained=False) == "did not train (not interpreted)"
    # a model that nests the benchmark: Clark-West decides "better" (with a lower sample loss), DM "worse"
    assert verdict(-0.2, 0.50, "rw", cw_pvalue_holm=0.01) == "significantly better than rw"
    assert verdict(-0.2, 0.01, "rw", cw_pvalue_holm=0.30) == "not distinguishable from rw"
    assert verdict(0.2, 0.50, "rw", cw_pvalue_holm=0.01) == "not distinguishable from rw"
    assert verdict(0.2, 0.01, "rw", cw_pvalue_holm=0.01) == "significantly worse than rw"
    with pytest.raises(ValueError, match="verdict: cw_pvalue_holm must lie in"):
        verdict(0.2, 0.01, "rw", cw_pvalue_holm=1.5)


def _nested_case(seed: int, n: int = 240) -> tuple[pd.DataFrame, dict]:
    """A model with true content (y = 0.25 x + noise) whose forecast carries estimation-like noise, nesting the
    zero forecast ``rw``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = 0.25 * x + rng.normal(size=n)
    f = 0.25 * x + 0.35 * rng.normal(size=n)
    return pd.DataFrame({"rw": y**2, "ar": (y - f) ** 2}), {"ar": (y, np.zeros(n), f)}


def test_clark_west_decides_better_for_a_nested_model():
    # seed 2: lower sample MSE, DM cannot tell (p ~ 0.7) but Clark-West, which allows for the nesting, does
    losses, nested = _nested_case(2)
    res = compare_forecasts(losses, "rw", nested=nested, mcs_reps=100)
    row = res.table.set_index("model").loc["ar"]
    assert row["ratio"] < 1 and row["pvalue_holm"] > 0.5 and row["cw_pvalue_holm"] < 0.01
    assert row["verdict"] == "significantly better than rw"
    assert "ar is significantly better than rw by Clark-West" in res.verdict_text()
    assert res.metrics()["ar_vs_rw.cw_pvalue_holm_h1"] == pytest.approx(row["cw_pvalue_holm"])
    # seed 0: Clark-West finds content, but the noisy estimate's sample MSE is higher: not "better"
    losses, nested = _nested_case(0)
    res = compare_forecasts(losses, "rw", nested=nested, mcs_reps=100)
    row = res.table.set_index("model").loc["ar"]
    assert row["ratio"] > 1 and row["cw_pvalue_holm"] < 0.05 and row["pvalue_holm"] > 0.05
    assert row["verdict"] == "not distinguishable from rw"
    assert "Clark-West finds predictive content beyond rw, but estimating ar costs more" in (
        res.verdict_text()
    )


def test_compare_forecasts_table_metrics_and_text():
    losses = _losses()
    rng = np.random.default_rng(5)
    y = rng.normal(size=len(losses))
    nested = {"dns": (y, np.zeros_like(y), 0.3 * y + 0.1 * rng.normal(size=len(y)))}
    res = compare_forecasts(
        losses, "rw", horizon=6, nested=nested, trained={"lstm": False}, mcs_reps=300, seed=4
    )
    assert isinstance(res, ComparisonResult)
    t = res.table.set_index("model")
    assert list(t.index) == ["rw", "dns", "lstm", "bad"]
    assert t.loc["bad", "ratio"] == pytest.approx(losses["bad"].mean() / losses["rw"].mean())
    for m in ("dns", "lstm", "bad"):
        dm = diebold_mariano(losses[m], losses["rw"], horizon=6)
        assert t.loc[m, "dm_stat"] == pytest.approx(dm.statistic)
        assert t.loc[m, "dm_pvalue"] == pytest.approx(dm.pvalue)
    assert t.loc["dns", "cw_pvalue"] == pytest.approx(clark_west(*nested["dns"], horizon=6).pvalue)
    assert np.isnan(t.loc["bad", "cw_pvalue"]) and np.isnan(t.loc["rw", "dm_pvalue"])
    # Holm over the trained models only (dns, bad); the untrained lstm is reported, not in the family
    np.testing.assert_allclose(
        t.loc[["dns", "bad"], "pvalue_holm"], holm(t.loc[["dns", "bad"], "dm_pvalue"].to_numpy())
    )
    assert np.isnan(t.loc["lstm", "pvalue_holm"])
    assert t.loc["bad", "verdict"] == "significantly worse than rw"
    assert t.loc["lstm", "verdict"] == "did not train (not interpreted)"
    assert t.loc["rw", "verdict"] == "benchmark"
    # the MCS is over the trained models: the untrained lstm is not a candidate (membership 0, p-value NaN)
    direct = MCS(losses.drop(columns="lstm"), 0.10, reps=300, block_size=15, seed=4)
    direct.compute()
    assert t["in_mcs"].to_dict() == {m: int(m in direct.included) for m in losses.columns}
    assert t.loc["bad", "in_mcs"] == 0 and t.loc["lstm", "in_mcs"] == 0
    assert np.isnan(t.loc["lstm", "mcs_pvalue"]) and res.mcs.excluded == ("lstm",)
    np.testing.assert_allclose(
        t.loc[["rw", "dns", "bad"], "mcs_pvalue"],
        direct.pvalues["Pvalue"].reindex(["rw", "dns", "bad"]),
    )

    metrics = res.metrics()
    assert all(re.fullmatch(METRIC_KEY_PATTERN, k) for k in metrics)
    assert metrics["bad.mse_in_mcs_h6"] == 0 and metrics["rw.mse_in_mcs_h6"] == 1
    assert metrics["dns_vs_rw.dm_pvalue_h6"] == pytest.approx(t.loc["dns", "dm_pvalue"])
    assert metrics["dns_vs_rw.dm_pvalue_holm_h6"] == pytest.approx(t.loc["dns", "pvalue_holm"])
    assert metrics["dns_vs_rw.cw_pvalue_h6"] == pytest.approx(t.loc["dns", "cw_pvalue"])
    assert "bad_vs_rw.cw_pvalue_h6" not in metrics and "lstm_vs_rw.dm_pvalue_holm_h6" not in metrics
    assert set(res.metrics("QLIKE", 3)) == {
        k.replace("mse", "qlike").replace("_h6", "_h3") for k in metrics
    }
    with pytest.raises(FrozenInstanceError):
        res.benchmark = "dns"

    precise = res.verdict_text({"rw": "the random walk"}, digits=3)
    assert f"bad's RMSE is {np.sqrt(t.loc['bad', 'ratio']):.3f} times the random walk's" in precise
    with pytest.raises(ValueError, match="verdict_text: digits"):
        res.verdict_text(digits=0)
    text = res.verdict_text({"rw": "the random walk", "bad": "the bad model"})
    ratio = np.sqrt(t.loc["bad", "ratio"])
    assert (
        f"At h = 6, the bad model's RMSE is {ratio:.2f} times the random walk's; the bad model is "
        "significantly worse than the random walk (DM p < 0.001, Holm p < 0.001)." in text
    )
    assert "At h = 6, lstm did not train (not interpreted)." in text
    monthly = res.verdict_text({"bad": "the bad model"}, at="Six months ahead")
    assert "Six months ahead, the bad model's RMSE is" in monthly and "At h =" not in monthly
    bare = res.verdict_text({"bad": "the bad model"}, at="")  # a cross-section: no opening at all
    assert bare.startswith("dns's RMSE is") and ". the bad model's RMSE is" in bare
    assert ". lstm did not train" in bare
    assert "At h =" not in bare and " , " not in bare and not bare.startswith(",")
    names = {"rw": "the random walk"}
    kept = ", ".join(names.get(m, m) for m in res.mcs.included)
    assert "lstm" not in res.mcs.included
    assert text.endswith(f"The MCS at 90% keeps: {kept}; not a candidate: lstm (untrained).")
    assert "Clark-West p" in text


def test_compare_forecasts_not_distinguishable_sentence():
    losses = _losses()[["rw", "dns"]].rename(columns={"dns": "DNS (2-step)"})
    res = compare_forecasts(losses, "rw", mcs_reps=100)
    row = res.table.set_index("model").loc["DNS (2-step)"]
    assert row["verdict"] == "not distinguishable from rw"
    assert row["pvalue_holm"] == pytest.approx(row["dm_pvalue"])  # a family of one
    assert "the difference is not distinguishable (DM p = " in res.verdict_text()
    # display names become lower-case snake segments in the metric keys
    assert set(res.metrics()) == {
        "rw.mse_in_mcs_h1",
        "dns_2_step.mse_in_mcs_h1",
        "dns_2_step_vs_rw.dm_pvalue_h1",
        "dns_2_step_vs_rw.dm_pvalue_holm_h1",
    }


def test_losses_whose_level_depends_on_units_are_read_by_difference():
    losses, _ = _nested_case(2)
    res = compare_forecasts(losses, "rw", loss="qlike", mcs_reps=100)
    row = res.table.set_index("model").loc["ar"]
    d = row["mean_loss_diff"]
    text = res.verdict_text()
    # QLIKE holds log det: its ratio changes with the units, so the sentence gives the difference
    assert f"ar's mean qlike is {abs(d):.3f} {'lower' if d < 0 else 'higher'} than rw's" in text
    assert "times" not in text.split("The MCS")[0]
    table = comparison_table({1: res})
    assert np.isnan(table.loc[(1, "ar"), "ratio"])
    assert table.loc[(1, "ar"), "mean_loss_diff"] == pytest.approx(d)
    # a p-value below 0.1 keeps three decimals, so 0.0534 does not read as 0.05 beside "not distinguishable"
    mse = compare_forecasts(losses, "rw", mcs_reps=100)
    p = mse.table.set_index("model").loc["ar", "dm_pvalue"]
    assert (
        f"DM p = {p:.2f}" in mse.verdict_text()
        if p >= 0.1
        else f"DM p = {p:.3f}" in mse.verdict_text()
    )


def test_holm_across_adjusts_clark_west_over_every_comparison():
    res = {}
    for seed in (0, 2):
        losses, nested = _nested_case(seed)
        res[seed] = compare_forecasts(losses, "rw", nested=nested, mcs_reps=100)
    raw = [r.table.set_index("model").loc["ar", "cw_pvalue"] for r in res.values()]
    joint = holm_across(res)
    got = [j.table.set_index("model").loc["ar", "cw_pvalue_holm"] for j in joint.values()]
    np.testing.assert_allclose(got, holm(np.asarray(raw)))
    assert joint[2].table.set_index("model").loc["ar", "verdict"] == "significantly better than rw"


def test_seed_ensemble_and_spread():
    idx = pd.date_range("2020-01-01", periods=3, freq="MS")
    a, b = pd.Series([1.0, 2.0, 3.0], index=idx), pd.Series([3.0, 2.0, 1.0], index=idx)
    pd.testing.assert_series_equal(seed_ensemble([a, b]), pd.Series(2.0, index=idx))
    np.testing.assert_allclose(seed_ensemble([np.ones(2), np.zeros(2)]), [0.5, 0.5])
    with pytest.raises(ValueError, match="seed_ensemble: forecasts\\[1\\] is not on"):
        seed_ensemble([a, b.set_axis(idx + pd.offsets.MonthBegin(1))])
    with pytest.raises(ValueError, match="seed_ensemble: forecasts is empty"):
        seed_ensemble([])
    spread = seed_spread([1.0, 2.0, 3.0])
    assert spread.loc["value"].to_dict() == {
        "n_seeds": 3,
        "mean": 2.0,
        "std": 1.0,
        "min": 1.0,
        "max": 3.0,
    }
    by_metric = seed_spread(pd.DataFrame({"rmse": [1.0, 3.0], "mae": [0.5, 0.5]}))
    assert (
        by_metric.loc["rmse", "std"] == pytest.approx(np.sqrt(2))
        and by_metric.loc["mae", "std"] == 0
    )


@pytest.mark.parametrize(
    ("scores", "trained", "winner"),
    [
        (
            [0.5, 0.9, 0.7],
            [False, True, True],
            2,
        ),  # the lowest loss did not train: the best that did
        ([0.5, 0.6, 0.7], [False, False, True], 2),  # the only one that trained
        ([0.8, 0.6, 0.7], [False, False, False], 1),  # none trained: the lowest of all
        ([0.8, 0.6, 0.7], [True, None, True], 2),  # unknown is not trained
        ([0.8, 0.6], [None, None], 1),  # no flags known: the lowest of all
        (np.array([0.3, 0.2]), pd.Series([True, True]), 1),
        ([0.5, 0.9, 0.7], [0, 1, 1], 2),  # 0/1 flags (FitResult.summary's) count as they say
        ([0.5, 0.9, 0.7], np.array([False, True, True]), 2),
        ([0.5, 0.9, 0.7], [np.nan, 1.0, 1.0], 2),  # NaN: unknown
    ],
)
def test_best_trained_selects_among_networks_that_trained(scores, trained, winner):
    assert best_trained(scores, trained) == winner


def test_best_trained_rejects_bad_input():
    with pytest.raises(ValueError, match="best_trained: trained has 1 flags for 2 scores"):
        best_trained([0.1, 0.2], [True])
    with pytest.raises(TypeError, match="best_trained: trained must be a sequence"):
        best_trained([0.1, 0.2], "TT")
    with pytest.raises(
        ValueError, match="best_trained: trained\\[1\\] must be a bool, 0/1 or None"
    ):
        best_trained([0.1, 0.2], [True, "yes"])
    with pytest.raises(ValueError, match="trained\\[0\\] must be a bool, 0/1 or None .*got 2"):
        best_trained([0.1, 0.2], [2, 1])
    with pytest.raises(ValueError, match="best_trained: .*scores"):
        best_trained([0.1, np.nan], [True, True])


@pytest.mark.parametrize(
    ("flags", "trained", "members"),
    [
        ([True, True, True], True, (True, True, True)),
        ([True, False, True], True, (True, False, True)),  # 2 of 3: those two
        ([True, False, True, False], False, (True,) * 4),  # half is not more than half: every seed
        ([False, True, False], False, (True,) * 3),  # one lucky seed is not a network that trains
        ([False], False, (True,)),
        (np.array([1, 1, 0]), True, (True, True, False)),
        (pd.Series([True, False, True]), True, (True, False, True)),
    ],
)
def test_seed_membership_is_majority_of_trained_seeds(flags, trained, members):
    """The one rule: trained when more than half of the seeds trained, the ensemble then of those seeds; else
    every seed, untrained."""
    rule = seed_membership(flags)
    assert rule.trained is trained and rule.members == members
    assert rule.n_seeds == len(flags) and rule.n_trained == sum(bool(f) for f in flags)
    text = rule.describe()
    assert text.startswith(f"{rule.n_trained} of {rule.n_seeds} seed")
    assert ("counts as untrained" in text) is (not trained)


def test_seed_membership_describes_and_rejects_bad_flags():
    assert seed_membership([True, True]).describe() == (
        "2 of 2 seeds trained: the ensemble is the mean of every seed"
    )
    assert seed_membership([True, True, False]).describe() == (
        "2 of 3 seeds trained: the ensemble is the mean of those 2 (1 untrained left out)"
    )
    for bad, error, match in [
        ([], ValueError, "trained is empty"),
        ("TTF", TypeError, "trained must be a sequence of one flag per item, got str"),
        ({0: True}, TypeError, "got dict"),
        ([True, 2], ValueError, "trained\\[1\\] must be a bool, 0/1, got 2"),
        ([True, None], ValueError, "trained\\[1\\]"),
    ]:
        with pytest.raises(error, match=f"seed_membership: .*{match}"):
            seed_membership(bad)


def test_seed_spread_reading_places_the_ensemble_among_the_seeds():
    kw = {"model": "lstm", "benchmark": "sample", "metric": "mean QLIKE"}
    text = seed_spread_reading({0: 1.0, 1: 2.0, 2: 3.0}, 0.9, 2.5, **kw)
    assert text.startswith(
        "**Seed spread.** lstm's mean QLIKE over 3 seeds: 1.0000 to 3.0000 (sd 1.0000)"
    )
    assert "the seed ensemble's is 0.9000, below every single seed's; sample's is 2.5000." in text
    assert (
        "2 of 3 single seeds have a lower value than sample's (point estimates, not tests). The seed standard "
        "deviation is smaller than the ensemble's difference from sample (-1.6000): a single training run could "
        "land on either side of the benchmark. Whether the ensemble differs" in text
    )
    assert "within the single seeds' range" in seed_spread_reading(
        pd.Series([1.0, 3.0]), 2.0, 0.5, **kw
    )
    two = seed_spread_reading([1.0, 3.0], 1.5, 1.2, **kw)
    assert "1 of 2 single seeds have a lower value" in two
    assert (
        "deviation is larger than the ensemble's difference from sample (+0.3000): a single" in two
    )
    none = seed_spread_reading([1.0, 3.0], 4.0, 0.5, **kw)
    assert "0 of 2 single seeds" in none and "either side" not in none
    one = seed_spread_reading([1.5], 1.5, 2.0, **kw)
    assert "over 1 seed: 1.5000 (one seed: no spread to read)" in one
    with pytest.raises(DataValidationError, match="seed_spread_reading: per_seed has 1 non-finite"):
        seed_spread_reading([1.0, np.nan], 1.0, 1.0, **kw)
    with pytest.raises(ValueError, match="seed_spread_reading: ensemble must be finite"):
        seed_spread_reading([1.0, 2.0], np.inf, 1.0, **kw)
    with pytest.raises(TypeError, match="seed_spread_reading: benchmark_value must be a number"):
        seed_spread_reading([1.0, 2.0], 1.0, "1", **kw)


def test_bad_inputs_name_function_and_argument():
    nan = LOSS_A.copy()
    nan[3] = np.nan
    with pytest.raises(DataValidationError, match="diebold_mariano: loss_a has 1 non-finite"):
        diebold_mariano(nan, LOSS_B)
    with pytest.raises(
        ValueError, match="diebold_mariano: loss_a and loss_b must have equal length"
    ):
        diebold_mariano(LOSS_A, LOSS_B[:-1])
    with pytest.raises(DataValidationError, match="diebold_mariano: loss_b is empty"):
        diebold_mariano(np.ones(3), [])
    with pytest.raises(ValueError, match="diebold_mariano: kernel"):
        diebold_mariano(LOSS_A, LOSS_B, kernel="parzen")
    with pytest.raises(ValueError, match="diebold_mariano: need at least"):
        diebold_mariano(LOSS_A, LOSS_B, lags=7)
    with pytest.raises(ValueError, match="diebold_mariano: horizon"):
        diebold_mariano(LOSS_A, LOSS_B, horizon=0)
    with pytest.raises(ValueError, match="identical"):
        diebold_mariano(LOSS_A, LOSS_A)
    with pytest.raises(DataValidationError, match="clark_west: model_forecast has 1 non-finite"):
        clark_west(LOSS_A, LOSS_B, nan)
    with pytest.raises(
        ValueError, match="clark_west: actual, benchmark_forecast and model_forecast"
    ):
        clark_west(LOSS_A, LOSS_B, LOSS_B[:-1])
    with pytest.raises(ValueError, match="holm: pvalues must lie in"):
        holm([0.2, 1.5])
    with pytest.raises(DataValidationError, match="holm: pvalues has 1 non-finite"):
        holm([0.2, np.nan])
    with pytest.raises(DataValidationError, match="holm: pvalues is empty"):
        holm([])
    with pytest.raises(ValueError, match="verdict: level"):
        verdict(-1.0, 0.01, "rw", level=1.5)

    losses = _losses(n=40)
    with pytest.raises(ValueError, match="compare_forecasts: benchmark 'ar' is not a column"):
        compare_forecasts(losses, "ar")
    with pytest.raises(ValueError, match="compare_forecasts: losses is empty"):
        compare_forecasts(losses.iloc[:0], "rw")
    with pytest.raises(TypeError, match="compare_forecasts: losses must be a pandas DataFrame"):
        compare_forecasts(losses.to_numpy(), "rw")
    bad = losses.copy()
    bad.iloc[5, 1] = np.nan
    with pytest.raises(DataValidationError, match="compare_forecasts: losses has 1 non-finite"):
        compare_forecasts(bad, "rw")
    with pytest.raises(ValueError, match="compare_forecasts: losses needs at least 2"):
        compare_forecasts(losses[["rw"]], "rw")
    with pytest.raises(ValueError, match="compare_forecasts: horizon"):
        compare_forecasts(losses, "rw", horizon=0)
    with pytest.raises(ValueError, match="compare_forecasts: mcs_size"):
        compare_forecasts(losses, "rw", mcs_size=1.0)
    with pytest.raises(ValueError, match="compare_forecasts: trained names model"):
        compare_forecasts(losses, "rw", trained={"gru": False})
    with pytest.raises(TypeError, match="compare_forecasts: trained\\['dns'\\] must be a bool"):
        compare_forecasts(losses, "rw", trained={"dns": "no"})
    with pytest.raises(
        ValueError, match="compare_forecasts: nested\\['dns'\\] arrays must have shape"
    ):
        compare_forecasts(losses, "rw", nested={"dns": (np.ones(3), np.ones(3), np.ones(3))})
    with pytest.raises(ValueError, match="compare_forecasts: model names"):
        compare_forecasts(losses.rename(columns={"dns": "LSTM", "lstm": "lstm"}), "rw")


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.412, "= 0.41"),
        (0.1, "= 0.10"),
        (0.0534, "= 0.053"),
        (0.004, "= 0.004"),
        (0.0009, "< 0.001"),
        (float("nan"), "n/a"),
    ],
)
def test_format_pvalue_keeps_three_decimals_near_the_levels(p, text):
    assert format_pvalue(p) == text


def test_relative_size_reads_difference_losses_by_difference():
    assert relative_size("pinball", 0.9481, -0.01, "garch") == "0.948 times garch's"
    assert relative_size("mse", 1.0449, 0.2, "rw", digits=2) == "1.04 times rw's"
    assert relative_size("fz0", float("nan"), -0.13, "garch") == "0.130 lower than garch's"
    assert relative_size("QLIKE", float("nan"), 0.05) == "0.050 higher"
    assert relative_size("qlike", float("nan"), 0.0, "har") == "equal to har's"
    assert relative_size("qlike", float("nan"), 0.0) == "equal"


def test_mark_untrained_marks_once():
    assert mark_untrained("lstm") == "lstm (untrained)"
    assert mark_untrained("lstm (untrained)") == "lstm (untrained)"


def test_display_names_refuse_marked_labels_so_no_reading_says_untrained_twice():
    """Readings name models by plain display names and say from the trained flags which did not train; a
    marked label would read "lstm (untrained) did not train", so it is refused with the reading's name."""
    name = display_names({"lstm": "LSTM"}, "some_reading")
    assert name("lstm") == "LSTM" and name("garch") == "garch"
    assert display_names(None, "r")("x") == "x"
    with pytest.raises(
        ValueError, match="some_reading: labels of \\['cnn'\\] carry the '\\(untrained\\)' mark"
    ):
        display_names({"lstm": "LSTM", "cnn": mark_untrained("cnn")}, "some_reading")
    with pytest.raises(TypeError, match="r: labels must map model name -> display name, got list"):
        display_names(["lstm"], "r")


def test_seed_ratio_reading_reads_the_seeds_in_the_ensemble():
    """The seeds are read as seed_membership puts them in the ensemble: the trained ones where more than half
    trained (the others left out), every seed of an untrained network otherwise, said to be untrained."""
    kw = {"model": "LSTM", "benchmark": "random walk", "metric": "RMSE"}
    ratio = pd.Series([0.99, 1.02, 1.00, 0.98], index=[0, 1, 2, 3])
    most = seed_ratio_reading(ratio, pd.Series([True, False, True, True], index=ratio.index), **kw)
    kept = ratio[[0, 2, 3]]
    assert most.startswith(
        "**LSTM RMSE / random walk RMSE over 4 seeds** (3 of 4 seeds trained: the ensemble is the mean of those "
        f"3 (1 untrained left out)): the seeds in the ensemble: mean {kept.mean():.4f}, sd {kept.std():.4f}, "
        "range 0.9800 to 1.0000, below 1 in 2/3 (point estimates;"
    )
    assert most.endswith("The 1 untrained seed (not interpreted) is left out.")
    assert "1.0200" not in most  # the untrained seed's ratio is not read
    half = seed_ratio_reading(ratio, pd.Series([True, False, True, False], index=ratio.index), **kw)
    assert half.startswith(
        "**LSTM RMSE / random walk RMSE over 4 seeds** (2 of 4 seeds trained, not more than half, so the "
        "network counts as untrained: its ensemble is the mean of every seed, not interpreted): mean 0.9975, "
        "sd 0.0171, range 0.9800 to 1.0200, below 1 in 2/4"
    )
    assert half.endswith("not a reading of it.")
    every = seed_ratio_reading(ratio, pd.Series(1, index=ratio.index), **kw)
    assert (
        "(4 of 4 seeds trained: the ensemble is the mean of every seed): the seeds in the ensemble: "
        in every
    )
    assert every.endswith("p-values are not summarised over seeds).")
    none = seed_ratio_reading(ratio, pd.Series(False, index=ratio.index), **kw)
    assert "0 of 4 seeds trained" in none and "not a reading of it" in none
    one = seed_ratio_reading(
        pd.Series([0.97], index=[5]), pd.Series([False, True], index=[4, 5]).iloc[1:], **kw
    )
    assert "over 1 seed** (1 of 1 seed trained" in one and "0.9700 (one seed, below 1)" in one


@pytest.mark.parametrize(
    ("ratio", "trained", "error", "match"),
    [
        ([1.0, 0.9], [True, True], TypeError, "ratio and trained must be pandas Series"),
        (
            pd.Series([1.0, np.nan]),
            pd.Series([True, True]),
            DataValidationError,
            "ratio has 1 non-finite",
        ),
        (pd.Series([1.0, 0.0]), pd.Series([True, True]), ValueError, "seed 1 has 0.0"),
        (pd.Series([1.0, 0.9]), pd.Series([True, True], index=[1, 2]), ValueError, "same seeds"),
        (pd.Series([1.0, 0.9]), pd.Series([0.5, 1.0]), ValueError, "trained\\[0\\] must be a bool"),
        (pd.Series([], dtype=float), pd.Series([], dtype=bool), DataValidationError, "ratio"),
    ],
)
def test_seed_ratio_reading_rejects_bad_input(ratio, trained, error, match):
    with pytest.raises(error, match=f"seed_ratio_reading: .*{match}"):
        seed_ratio_reading(ratio, trained, model="m", benchmark="b", metric="RMSE")


def test_nested_inputs_aligns_on_the_model_dates_and_names_what_is_missing():
    idx = pd.date_range("2000-01-31", periods=6, freq="ME")
    actual = pd.Series(np.arange(6.0), index=idx)
    fc = {
        "rw": pd.Series(np.arange(6.0) + 0.5, index=idx),
        "ar": pd.Series([1.0, 2.0, 3.0], index=idx[2:5]),
    }
    out = nested_inputs(actual, fc, "rw", ["ar"])
    y, b, m = out["ar"]
    np.testing.assert_array_equal(y, [2.0, 3.0, 4.0])
    np.testing.assert_array_equal(b, [2.5, 3.5, 4.5])
    np.testing.assert_array_equal(m, [1.0, 2.0, 3.0])
    # the arrays are what compare_forecasts takes
    rng = np.random.default_rng(0)
    long = pd.date_range("2000-01-31", periods=60, freq="ME")
    y = pd.Series(rng.standard_normal(60), index=long)
    fc2 = {"rw": y.shift(1).fillna(0.0), "ar": 0.1 * y.shift(1).fillna(0.0)}
    errors = pd.DataFrame({k: (y - v) ** 2 for k, v in fc2.items()})
    res = compare_forecasts(errors, "rw", nested=nested_inputs(y, fc2, "rw", ["ar"]), mcs_reps=50)
    assert np.isfinite(res.table.set_index("model").loc["ar", "cw_pvalue"])
    with pytest.raises(ValueError, match=r"actual lacks 'ar''s forecast date 2000-05-31"):
        nested_inputs(actual.iloc[:4], fc, "rw", ["ar"])
    with pytest.raises(ValueError, match="holds the benchmark 'sarima'"):
        nested_inputs(actual, fc, "sarima", ["ar"])
    with pytest.raises(ValueError, match="model 'x' is not a forecast"):
        nested_inputs(actual, fc, "rw", ["x"])
    with pytest.raises(ValueError, match="models must be a non-empty sequence"):
        nested_inputs(actual, fc, "rw", "ar")
    with pytest.raises(TypeError, match="actual must be a pandas Series"):
        nested_inputs(actual.to_numpy(), fc, "rw", ["ar"])
    bad = fc | {"ar": pd.Series([1.0, np.nan, 3.0], index=idx[2:5])}
    with pytest.raises(DataValidationError, match="nested_inputs"):
        nested_inputs(actual, bad, "rw", ["ar"])


def test_relative_spread_reading_flags_partly_trained_models():
    fams = pd.DataFrame(
        {"relative_sd": [0.012, 0.05], "trained_share": [1.0, 0.5]}, index=["gru", "rnn"]
    )
    nets = pd.DataFrame({"relative_sd": [0.0304]}, index=["lstm_quantile"])
    text = relative_spread_reading({"08's families": fams, "02's networks (pinball)": nets})
    assert text.startswith(
        "Relative seed spread (the seed standard deviation of a loss over its level): 08's families gru 0.012, "
        "rnn untrained (trained in 50% of its fits; its spread mixes trained and untrained networks and is not "
        "read)"
    )
    assert "0.050" not in text  # a partly trained family's spread is not given
    assert text.endswith("; 02's networks (pinball) lstm_quantile 0.030.")
    with pytest.raises(ValueError, match="non-empty mapping"):
        relative_spread_reading({})
    with pytest.raises(
        ValueError, match=r"groups\['x'\] must be a non-empty DataFrame with relative_sd"
    ):
        relative_spread_reading({"x": pd.DataFrame({"sd": [1.0]})})
    with pytest.raises(DataValidationError, match="relative_spread_reading"):
        relative_spread_reading({"x": pd.DataFrame({"relative_sd": [np.inf]})})


def test_mcs_candidates_are_the_trained_models():
    """An untrained network changes no other model's membership, and a lone trained model is the set."""
    losses = _losses()
    without = compare_forecasts(losses.drop(columns="lstm"), "rw", mcs_reps=200, seed=3)
    marked = compare_forecasts(losses, "rw", trained={"lstm": False}, mcs_reps=200, seed=3)
    kept = marked.table.set_index("model").drop(index="lstm")[["in_mcs", "mcs_pvalue"]]
    pd.testing.assert_frame_equal(kept, without.table.set_index("model")[["in_mcs", "mcs_pvalue"]])
    lone = compare_forecasts(
        losses[["rw", "lstm", "bad"]], "rw", trained={"lstm": False, "bad": False}, mcs_reps=50
    )
    assert lone.mcs.included == ("rw",) and lone.mcs.excluded == ("lstm", "bad")
    assert lone.table.set_index("model")["in_mcs"].to_dict() == {"rw": 1, "lstm": 0, "bad": 0}
    assert lone.mcs.kept_text() == "rw; not candidates: lstm (untrained), bad (untrained)"
    assert lone.mcs.pvalues["rw"] == 1.0 and lone.mcs.pvalues[["lstm", "bad"]].isna().all()
    # the candidates are an argument of the MCS itself: the same set as the MCS of the candidate columns
    direct = model_confidence_set(losses, reps=200, seed=3, candidates=[True, True, False, True])
    alone = model_confidence_set(losses.drop(columns="lstm"), reps=200, seed=3)
    assert direct.included == alone.included and direct.excluded == ("lstm",)
    pd.testing.assert_series_equal(direct.pvalues.drop("lstm"), alone.pvalues)
    none = model_confidence_set(losses, reps=50, candidates=np.zeros(4, dtype=bool))
    assert (
        none.included == () and none.pvalues.isna().all() and none.kept_text().startswith("none;")
    )
    with pytest.raises(
        ValueError, match="model_confidence_set: candidates has 2 flags for 4 models"
    ):
        model_confidence_set(losses, candidates=[True, False])
    with pytest.raises(ValueError, match=r"model_confidence_set: candidates\[0\] must be a bool"):
        model_confidence_set(losses, candidates=["yes", 1, 1, 1])


def test_best_trained_model_picks_by_name_among_the_trained():
    val = pd.Series({"ols": 1.0, "gbm": 0.8, "mlp": 0.7, "other": 0.1})
    assert best_trained_model(val, {"mlp": True}, among=["ols", "gbm", "mlp"]) == "mlp"
    # an untrained network with the lowest loss is passed over; unnamed (classical) models count as trained
    assert best_trained_model(val, {"mlp": False}, among=["ols", "gbm", "mlp"]) == "gbm"
    assert best_trained_model(val, {"mlp": False, "gbm": False}, among=("mlp", "gbm")) == "mlp"
    for bad, error, match in [
        ((val.to_dict(), {}, ["ols"]), TypeError, "val_loss must be a pandas Series"),
        ((val, [True], ["ols"]), TypeError, "trained must be a mapping"),
        ((val, {}, "ols"), TypeError, "among must be a non-empty sequence"),
        ((val, {}, []), TypeError, "among must be a non-empty sequence"),
        ((val, {}, ["ols", "lstm"]), ValueError, r"val_loss has no validation loss for \['lstm'\]"),
        ((val, {"ols": "yes"}, ["ols"]), ValueError, r"trained\[0\] must be a bool"),
    ]:
        with pytest.raises(error, match=f"best_trained(_model)?: {match}"):
            best_trained_model(bad[0], bad[1], among=bad[2])
