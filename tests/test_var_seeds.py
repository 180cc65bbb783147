"""Seed ensembles of the deep VaR networks within one run (finrisk_utils.market.var_seeds): each seed is a
reproducible refit of the selected settings, the ensemble is the mean of the seeds that trained (chosen on
validation), and the reading states the spread of the single seeds beside the ensemble's test."""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from finrisk_utils import setup
from finrisk_utils.market import (
    RiskForecast,
    VaRSeedEnsemble,
    backtest_var,
    plot_deep_var_training,
    var_seed_ensemble,
    var_seed_reading,
    var_seed_report,
)
from finrisk_utils.market.deep_var import DeepVaRResult, DeepVaRSpec, deep_var_forecast
from finrisk_utils.models import FitResult

sys.path.insert(0, str(Path(__file__).parent))
from simulated import garch_returns

DATES = {"val_start": "2013-06-03", "test_start": "2014-01-01", "test_end": "2015-05-01"}
SPEC = DeepVaRSpec(kind="lstm", vol_scaling="ewma", window=10, units=4, epochs=3, batch_size=64)


@pytest.fixture(scope="module")
def returns():
    r, _ = garch_returns(1400, seed=3)
    return pd.Series(r, index=pd.bdate_range("2010-01-01", periods=1400))


def test_each_seed_is_a_reproducible_fit_and_the_ensemble_is_their_mean(returns):
    dates = returns.index[-10:]
    selected = _member(
        2.0, True, dates
    )  # only its settings (spec) are used: every seed is a fresh fit
    ens = var_seed_ensemble(
        returns, {"lstm_quantile": selected}, seed=7, n_seeds=2, confidence=0.95, **DATES
    )
    members = ens.members["lstm_quantile"]
    assert ens.seeds == [7, 8] and all(m is not selected and m.spec == SPEC for m in members)
    setup(8)  # the second member is the fit a fresh run under seed 8 gives
    again = deep_var_forecast(returns, confidence=0.95, spec=SPEC, name="x", **DATES)
    np.testing.assert_allclose(members[1].forecast.var, again.forecast.var)
    assert not np.allclose(members[0].forecast.var, members[1].forecast.var)  # seeds differ
    table = ens.table(returns.loc[DATES["test_start"] : DATES["test_end"]])
    assert table.index.names == ["model", "seed"] and len(table) == 2
    kept = [m for m, k in zip(members, table["in_ensemble"], strict=True) if k]
    fc = ens.forecasts["lstm_quantile"]
    np.testing.assert_allclose(fc.var, np.mean([m.forecast.var for m in kept], axis=0))
    np.testing.assert_allclose(fc.es, np.mean([m.forecast.es for m in kept], axis=0))
    test = returns.loc[fc.var.index]
    for (_, seed), row in table.iterrows():
        own = backtest_var(test, members[ens.seeds.index(seed)].forecast)
        assert row["pinball"] == pytest.approx(own.pinball)
        assert row["exceptions"] == own.kupiec.exceptions
        assert row["trained"] == (row["gain_pct"] >= 0.1 and row["best_epoch"] > 1)


def _member(var: float, trained: bool, dates: pd.DatetimeIndex) -> DeepVaRResult:
    fit = FitResult(
        [1.0, 0.9, 0.8], [1.0, 0.9, 0.95] if trained else [1.0, 1.1, 1.2],
        best_epoch=2 if trained else 1, epochs_run=3, naive_val_loss=1.0,
    )  # fmt: skip
    fc = RiskForecast("net", 0.99, pd.Series(var, dates), pd.Series(var * 1.2, dates))
    return DeepVaRResult(forecast=fc, spec=SPEC, val_loss=0.5, fit=fit)


def garch_like(dates: pd.DatetimeIndex) -> RiskForecast:
    return RiskForecast("garch_skewt", 0.99, pd.Series(2.4, dates), pd.Series(2.9, dates))


def test_a_network_counts_as_trained_when_most_seeds_trained():
    dates = pd.bdate_range("2020-01-01", periods=300)
    r = pd.Series(np.random.default_rng(0).standard_normal(300), dates)
    ens = VaRSeedEnsemble(
        {
            "net": [
                _member(2.0, True, dates),
                _member(9.0, False, dates),
                _member(3.0, True, dates),
            ],
            "dud": [
                _member(2.0, False, dates),
                _member(4.0, False, dates),
                _member(3.0, False, dates),
            ],
            "luck": [
                _member(2.0, True, dates),
                _member(4.0, False, dates),
                _member(9.0, False, dates),
            ],
        },
        [5, 6, 7],
    )
    assert ens.trained == {"net": True, "dud": False, "luck": False}  # one seed of three is luck
    assert ens.labels == {"dud": "dud (untrained)", "luck": "luck (untrained)"}
    assert ens.forecasts["net"].var.iloc[0] == pytest.approx(
        2.5
    )  # the untrained seed (9.0) is left out
    assert ens.forecasts["luck"].var.iloc[0] == pytest.approx(5.0)  # untrained: every seed
    assert ens.best_epochs() == {"net": 2.0, "dud": 1.0, "luck": 1.0}
    assert ens.verdicts() == (
        "net trained (2 of 3 seeds trained); dud untrained (0 of 3 seeds trained); "
        "luck untrained (1 of 3 seeds trained)"
    )
    fits, labels = ens.by_seed()
    assert list(fits)[:3] == ["net, seed 5", "net, seed 6", "net, seed 7"]
    assert labels["net, seed 6"] == "net, seed 6 (untrained)" and "net, seed 5" not in labels
    fig = plot_deep_var_training(fits, labels, ncols=3, title="Long x: " + ens.verdicts())
    assert fig._suptitle.get_text().startswith("Long x: net trained (2 of 3")
    assert [ax.get_title() for ax in fig.axes[:2]][1].startswith("net, seed 6 (untrained)")
    plt.close(fig)
    table = ens.table(r)
    report_fig, report_table, report_text = var_seed_report(
        ens,
        r,
        [backtest_var(r, f) for f in (garch_like(dates), *ens.forecasts.values())],
        title="Long x",
    )
    assert report_fig._suptitle.get_text() == "Long x: " + ens.verdicts()
    assert len(report_fig.axes) == 9  # every seed of every network
    pd.testing.assert_frame_equal(report_table, table)
    assert (
        report_text.startswith("**net**: 2 of 3 seeds")
        and "**luck**: 1 of 3 seeds" in report_text
        and "(untrained)" not in report_text
    )
    plt.close(report_fig)
    # the kept weights' improvement on the constant, in % of its loss: 0.9 vs 1.0 for the trained fits; the
    # untrained one kept its first epoch (1.0)
    np.testing.assert_allclose(table.loc["net", "gain_pct"], [10.0, 0.0, 10.0], atol=1e-9)
    assert table.loc["net", "in_ensemble"].tolist() == [True, False, True]
    assert table.loc["luck", "in_ensemble"].tolist() == [True, True, True]
    results = [backtest_var(r, f) for f in (garch_like(dates), *ens.forecasts.values())]
    with pytest.raises(
        ValueError, match="var_seed_reading: labels of \\['dud', 'luck'\\] carry the"
    ):
        var_seed_reading(
            table, results, labels=ens.labels
        )  # marked labels are for tables and figures
    net, dud, luck = var_seed_reading(table, results).split("\n\n")
    assert net.startswith(
        "**net**: 2 of 3 seeds trained on validation; the ensemble is the mean VaR and ES of those 2 "
        "(the other 1 did not train and are left out). **Seed spread.**"
    )
    own = table.loc["net", "pinball"]
    assert f"{own[table.loc['net', 'in_ensemble']].min():.4f}" in net
    assert f"{own.iloc[1]:.4f}" not in net  # the untrained seed is not in the spread
    assert luck.startswith(
        "**luck**: 1 of 3 seeds trained on validation, not more than half, so the network counts as untrained"
    )
    assert "garch_skewt" not in luck and "garch_skewt" not in dud  # untrained: not compared
    assert f"from {table.loc['luck', 'pinball'].min():.4f} to" in luck
    half = VaRSeedEnsemble({"net": [_member(2.0, True, dates), _member(3.0, False, dates)]}, [1, 2])
    assert half.trained == {"net": False}  # half is not more than half
    with pytest.raises(ValueError, match="one fit per seed \\(3 seeds\\)"):
        VaRSeedEnsemble({"net": [_member(2.0, True, dates)]}, [5, 6, 7])


def test_bad_input_is_refused(returns):
    dates = pd.bdate_range("2020-01-01", periods=50)
    good = {"net": _member(2.0, True, dates)}
    with pytest.raises(ValueError, match="var_seed_ensemble: n_seeds"):
        var_seed_ensemble(returns, good, seed=0, n_seeds=0, confidence=0.99, **DATES)
    with pytest.raises(ValueError, match="var_seed_ensemble: winners must be a non-empty mapping"):
        var_seed_ensemble(returns, {}, seed=0, n_seeds=2, confidence=0.99, **DATES)
    with pytest.raises(TypeError, match="winners\\['net'\\] is not a DeepVaRResult"):
        var_seed_ensemble(returns, {"net": SPEC}, seed=0, n_seeds=2, confidence=0.99, **DATES)
    one = VaRSeedEnsemble({"net": [good["net"]]}, [0])
    r = pd.Series(1.0, dates)
    table = one.table(r)
    results = [backtest_var(r, one.forecasts["net"])]
    with pytest.raises(
        ValueError, match="var_seed_reading: no backtest of the benchmark 'garch_skewt'"
    ):
        var_seed_reading(table, results)
    with pytest.raises(TypeError, match="var_seed_reading: results must be a list of VaRBacktest"):
        var_seed_reading(table, ["garch_skewt"])
    with pytest.raises(ValueError, match="var_seed_reading: table must be"):
        var_seed_reading(pd.DataFrame(), results, benchmark="net")
    with pytest.raises(ValueError, match="test_returns"):
        one.table(r.iloc[:0])
