"""Notebook 09 (currency risk) end to end in the quick profile: what it computed, checked against facts of the
data (pinned files, so exact where nothing is trained) and against bands where networks train."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from finrisk_utils.workbench.outputs import read_metrics

sys.path.insert(0, str(Path(__file__).parent))
from conftest import finite

pytestmark = pytest.mark.notebook

VAR_MODELS = ["hs", "fhs", "garch_t", "garch_skewt", "gjr_garch_skewt", "ewma", "linear_quantile"]
NETS = ["lstm_quantile", "cnn_quantile"]


@pytest.mark.parametrize("run_dir", ["09_currency_risk_fx"], indirect=True)
def test_currency_risk_fx(run_dir):
    m, headline = read_metrics(run_dir)
    assert headline and all(k in m for k in headline)
    # 1985-01-02 .. 1987-05-21: the daily test days of the default run (pinned data)
    assert m["run.n_test"] == 603 and m["run.currency"] == "gbp"

    # --- question 1, daily: the random walk's RMSE is the root mean square of the changes (% of the rate);
    # the pound moved about 0.9% a day in 1985-87 and about sqrt(22) times that over 22 days
    rw1, rw22 = m["random_walk.rmse_h1"], m["random_walk.rmse_h22"]
    assert 0.7 < rw1 < 1.1 and 3 * rw1 < rw22 < 6 * rw1
    # no model is far from the random walk: a ratio far below 1 means a leak of the target, far above a
    # mis-scaled or misaligned forecast (quick run: ar5 1.007 / 1.024 / 1.093 at 1, 5, 22 days)
    for h in [1, 5, 22]:
        assert 0.95 < m[f"ar5.rmse_ratio_h{h}"] < 1.2
        # the linear ablation (100 regressors: 20 days x 5 currencies) pays for its estimation noise, but a ratio
        # far from 1 means misaligned windows (quick run: 1.027 / 1.030 / 1.126)
        assert 0.95 < m[f"linear_window.rmse_ratio_h{h}"] < 1.3
        assert finite(m[f"linear_window_vs_random_walk.cw_pvalue_holm_h{h}"])
        assert m[f"random_walk.rmse_ratio_h{h}"] == 1.0
        raw, adj = (
            m[f"ar5_vs_random_walk.dm_pvalue_h{h}"],
            m[f"ar5_vs_random_walk.dm_pvalue_holm_h{h}"],
        )
        assert 0 <= raw <= adj <= 1  # Holm over every horizon never lowers a p-value
        cw, cw_adj = (
            m[f"ar5_vs_random_walk.cw_pvalue_h{h}"],
            m[f"ar5_vs_random_walk.cw_pvalue_holm_h{h}"],
        )
        assert 0 <= cw <= cw_adj <= 1
        assert m[f"random_walk.mse_in_mcs_h{h}"] in (0, 1)
    # the LSTM is labelled by its own validation check, and only a trained one enters the Holm families
    # (beat the constant on validation with weights kept after the first epoch: models.has_learned)
    trained = (
        m["lstm.val_loss"] < m["lstm.naive_val_loss"] * (1 - 1e-3) and m["lstm.best_epoch"] > 1
    )
    assert m["lstm.trained"] == int(trained)
    assert ("lstm_vs_random_walk.dm_pvalue_holm_h1" in m) == trained
    assert ("lstm_vs_random_walk.cw_pvalue_holm_h1" in m) == trained
    assert 0.9 < m["lstm.rmse_ratio_h1"] < 1.3

    # --- question 1, monthly with forward rates (no training in the forward-rate models: exact facts)
    # the Fama (1984) slope of the pound, 1979-1993, is negative (the forward-premium puzzle) and rejects UIP
    assert m["fama_regression.slope_h1"] == pytest.approx(-2.88, abs=0.01)
    assert m["fama_regression.slope_pvalue_vs_one_h1"] < 0.001
    # the forward premium is small against monthly moves: the forward rate's RMSE is the random walk's to
    # within a few per cent (quick run 0.9999 at 1 month)
    assert 0.97 < m["forward_rate.rmse_ratio_h1_monthly"] < 1.03
    assert "forward_rate_vs_random_walk.cw_pvalue_h1_monthly" not in m  # not nested: DM only
    assert finite(m["fama_regression_vs_random_walk.cw_pvalue_holm_h3_monthly"])
    assert m["lstm.trained_monthly"] in (0, 1)
    assert m["lstm.trained_monthly"] == 0 or m["lstm.best_epoch_monthly"] > 1
    # the monthly LSTM's linear ablation on its exact inputs, nested in the random walk: Clark-West, Holm
    for h in (1, 3):
        assert 0.9 < m[f"linear_window.rmse_ratio_h{h}_monthly"] < 2.0
        cw = m[f"linear_window_vs_random_walk.cw_pvalue_h{h}_monthly"]
        assert 0 <= cw <= m[f"linear_window_vs_random_walk.cw_pvalue_holm_h{h}_monthly"] <= 1

    # --- question 2: VaR of the long pound and of the basket, 99%: about 6 exceptions expected in 603 days
    for name in VAR_MODELS + NETS:
        assert 0 <= m[f"{name}.exceptions"] <= 20, name
        assert 0 <= m[f"{name}.kupiec_pvalue"] <= 1
        assert m[f"{name}.traffic_light"] in ("green", "yellow", "red")
        assert 0 <= m[f"{name}.exceptions_basket"] <= 20, name
        assert m[f"{name}.pinball_in_mcs"] in (0, 1)
    # a pinball loss near 0.025 (% of the position per day) is what a 1% quantile of a ~0.8% daily sd gives
    assert 0.015 < m["garch_skewt.pinball"] < 0.04
    # each VaR network is tested as its seed ensemble: trained where more than half of its seeds trained on
    # validation (the quick run fits one seed per network; tests/test_var_seeds.py fits several)
    assert m["run.n_seeds"] == 1
    for net in NETS:
        assert m[f"{net}.trained"] in (0, 1)
        for suffix in ("", "_basket"):
            n_ok = m[f"{net}.n_seeds_trained{suffix}"]
            assert n_ok in (0, 1) and m[f"{net}.trained{suffix}"] == n_ok
        assert (f"{net}_vs_garch_skewt.fz0_dm_pvalue_holm" in m) == bool(m[f"{net}.trained"])
        # against the linear ablation (a Holm family of its own): a trained network's pair p-values only
        for suffix, trained in (("", m[f"{net}.trained"]), ("_basket", m[f"{net}.trained_basket"])):
            key = f"{net}_vs_linear_quantile.pinball_dm_pvalue_holm{suffix}"
            assert (key in m) == bool(trained), key
            assert key not in m or 0 <= m[key] <= 1
            assert 0 <= m[f"{net}_vs_linear_quantile.fz0_dm_pvalue{suffix}"] <= 1
    assert m["run.n_test_basket"] == 603

    # --- tails around the Plaza accord (pinned data, no training: exact facts of the files)
    assert m["fx_rates.vol_ann_event_gbp"] == pytest.approx(16.89, abs=0.01)
    assert m["fx_rates.vol_ann_rest_gbp"] == pytest.approx(11.08, abs=0.01)
    # the yen's extreme days after the accord: excess kurtosis about 16 in the window against 1.4 elsewhere
    assert m["fx_rates.excess_kurtosis_event_jpy"] > 10 > 2 > m["fx_rates.excess_kurtosis_rest_jpy"]
    assert (
        m["fx_rates.vol_share_above_event"] == 0.0
    )  # no other window of the pound was as volatile
    for c in ["dem", "gbp", "cad", "jpy", "chf"]:
        assert 0 < m[f"fx_rates.extremal_index_event_{c}"] <= 1
        assert 1 < m[f"fx_rates.hill_left_rest_{c}"] < 8
    assert m["run.n_test_event"] == 253
    assert all(0 <= m[f"{n}.exceptions_event"] <= m[f"{n}.exceptions"] for n in VAR_MODELS + NETS)

    figures = {p.stem for p in (run_dir / "figures").glob("*.png")}
    assert figures == {
        "rates",
        "cumulative_gain",
        "var_backtest",
        "rolling_tails",
        "var_training",  # the learning curves of the currency's and the basket's VaR networks
        "basket_var_training",
        "lstm_training",  # the direct LSTMs' learning curves, daily and monthly
        "monthly_lstm_training",
    }
