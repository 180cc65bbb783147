"""End-to-end: notebook 11 (risk forecasts in portfolio construction) in the quick profile, checked on what it
computed."""

from __future__ import annotations

import pytest
from conftest import finite

from finrisk_utils.workbench.outputs import read_metrics

pytestmark = pytest.mark.notebook

MODELS = ["sample_cov", "ewma", "ledoit_wolf", "garch_ccc", "lstm_ccc", "har_ccc"]
KINDS = ["min_variance", "risk_parity"]


@pytest.mark.parametrize("run_dir", ["11_investment_portfolio_risk"], indirect=True)
def test_investment_portfolio_risk(run_dir):
    m, headline = read_metrics(run_dir)
    # 2008-2018 rebalanced every 21 trading days of the common sp500/nasdaq/wti calendar
    assert m["run.n_rebalances"] == 132 and m["run.n_test"] == 2765 and m["run.horizon"] == 21
    # the classical portfolios do not depend on training or profile: this data's figures (full render too)
    assert m["sample_cov.ann_vol_min_variance"] == pytest.approx(19.70, abs=0.05)
    assert m["sample_cov.ann_vol_risk_parity"] == pytest.approx(20.58, abs=0.05)
    for kind in KINDS:
        for model in MODELS:
            # between the S&P 500's 2008-2018 volatility's neighbourhood and oil's (38%): a diversified long-only
            # book; a portfolio above 30% has gone into oil, one below 12% has seen the future
            assert 12 < m[f"{model}.ann_vol_{kind}"] < 30, (model, kind)
            assert 0 < m[f"{model}.max_drawdown_{kind}"] < 90
            assert finite(m[f"{model}.sharpe_{kind}"])
            assert m[f"{model}.turnover_{kind}"] > 0 and m[f"{model}.cost_bp_{kind}"] >= 0
            assert m[f"{model}.var_in_mcs_{kind}"] in (0, 1)
            if model == "sample_cov":
                continue
            raw = m[f"{model}_vs_sample_cov.var_dm_pvalue_{kind}"]
            holm = m.get(f"{model}_vs_sample_cov.var_dm_pvalue_holm_{kind}")
            assert 0 <= raw <= 1
            if model != "lstm_ccc" or m["lstm_ccc.trained"]:
                assert raw - 1e-12 <= holm <= 1
        # a model that reacts to recent returns trades more than the slow 252-day sample
        assert m[f"ewma.turnover_{kind}"] > 2 * m[f"sample_cov.turnover_{kind}"]
        # the computed verdict agrees with its definition
        pays = m[f"lstm_ccc_vs_sample_cov.pays_after_costs_{kind}"]
        assert pays in (0, 1)
        if pays:
            assert m[f"lstm_ccc_vs_sample_cov.var_dm_pvalue_holm_{kind}"] < 0.05
            assert m[f"lstm_ccc.sharpe_{kind}"] >= m[f"sample_cov.sharpe_{kind}"]
            assert m[f"lstm_ccc.ann_vol_{kind}"] < m[f"sample_cov.ann_vol_{kind}"]
    # the network read against its linear ablation (har_ccc as the benchmark, Holm over the four tests)
    pairs = [("var", kind) for kind in KINDS] + [("qlike", "cov"), ("frobenius", "cov")]
    for stat, suffix in pairs:
        raw = m[f"lstm_ccc_vs_har_ccc.{stat}_dm_pvalue_{suffix}"]
        assert 0 <= raw <= 1
        if m["lstm_ccc.trained"]:
            assert raw - 1e-12 <= m[f"lstm_ccc_vs_har_ccc.{stat}_dm_pvalue_holm_{suffix}"] <= 1
    # costs: cost drag = annual turnover x cost per unit, so the fast models pay more
    assert m["ewma.cost_bp_min_variance"] > m["sample_cov.cost_bp_min_variance"]
    for loss in ["qlike", "frobenius"]:
        for model in MODELS:
            assert finite(m[f"{model}.{loss}"])
            assert m[f"{model}.{loss}_in_mcs_cov"] in (0, 1)
    # the time-varying volatility models forecast the holding period's covariance better in QLIKE than the
    # 252-day sample (volatility clusters); the shrinkage to a scaled identity does not help assets whose
    # variances differ by a factor of four
    assert m["garch_ccc.qlike"] < m["sample_cov.qlike"] < m["ledoit_wolf.qlike"]
    assert (
        m["lstm_ccc.trained"] == int(m["lstm_ccc.trained_share"] == 1)
        and m["lstm_ccc.best_epoch"] >= 1
    )
    assert m["lstm_ccc.val_loss"] > 0 and m["lstm_ccc.naive_val_loss"] > 0
    # persistence of the 22-day log volatility over a 21-day holding period: a squared log error of a few tenths
    # at most (volatility is persistent); the network's validation error is in log units too, not standardised
    assert 0.01 < m["persistence.val_mse_log_vol"] < 0.5
    assert 0 < m["lstm_ccc.val_mse_log_vol"] < 1.0
    assert 0.3 < m["lstm_ccc.variance_scale"] < 3
    assert set(headline) <= set(m)
    assert {p.stem for p in (run_dir / "figures").glob("*.png")} == {
        "assets",
        "training",
        "wealth",
        "weights",
        "realised_vol",
    }
