"""The VaR study's building blocks: GJR-GARCH, the linear quantile regression ablation, the comparison protocol
on VaR losses (joint Holm, MCS, verdicts), capital, derived validation dates, fixed specs, forecast files, seed
ensembles and the computed readings."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.forecasting.compare import ablation_reading, format_pvalue, holm
from finrisk_utils.forecasting.metrics import pinball_loss
from finrisk_utils.market import (
    DeepVaRResult,
    DeepVaRSpec,
    RiskForecast,
    backtest_var,
    capital_table,
    classical_reading,
    compare_var_losses,
    comparison_metrics,
    comparison_table,
    comparison_text,
    deep_labels,
    deep_trained,
    deep_training_metrics,
    default_val_start,
    ensemble_forecast,
    format_specs,
    garch_var,
    independence_reading,
    linear_quantile_forecast,
    load_var_forecasts,
    network_var_reading,
    parse_specs,
    parse_windows,
    relative_loss,
    save_var_forecasts,
    seed_year_reading,
    select_networks,
    yearly_reading,
)
from finrisk_utils.models import FitResult


def _garch_returns(n=2200, seed=0, leverage=0.0):
    """Simulated GARCH(1,1) returns (in %), optionally with a GJR leverage term."""
    rng = np.random.default_rng(seed)
    r, s2 = np.empty(n), 1.0
    for t in range(n):
        r[t] = np.sqrt(s2) * rng.standard_t(6) / np.sqrt(1.5)
        s2 = 0.05 + 0.08 * r[t] ** 2 + leverage * r[t] ** 2 * (r[t] < 0) + 0.88 * s2
    return pd.Series(r, index=pd.bdate_range("2005-01-03", periods=n))


@pytest.fixture(scope="module")
def sim():
    return _garch_returns()


def test_default_val_start_is_two_years_before_test_start():
    assert default_val_start("2015-01-01") == "2013-01-01"
    assert default_val_start("2008-01-01", years=1) == "2007-01-01"
    with pytest.raises(ValueError, match="not a date"):
        default_val_start("soon")
    with pytest.raises(ValueError, match="years"):
        default_val_start("2015-01-01", years=0)


def test_parse_windows_and_specs():
    assert parse_windows("2008-01-01:2009-12-31, 2002-01-01:2002-12-31:2001-07-01") == [
        ("2008-01-01", "2009-12-31", "2006-01-01"),
        ("2002-01-01", "2002-12-31", "2001-07-01"),
    ]
    assert parse_windows("") == []
    with pytest.raises(ValueError, match="val_start < start < end"):
        parse_windows("2009-01-01:2008-01-01")
    with pytest.raises(ValueError, match="start:end"):
        parse_windows("2008-01-01")
    specs = parse_specs("lstm_quantile:ewma:60,cnn_quantile:none:20", units=32, epochs=150)
    assert specs["lstm_quantile"] == DeepVaRSpec(
        kind="lstm", vol_scaling="ewma", window=60, units=32, epochs=150
    )
    assert specs["cnn_quantile"].kind == "cnn" and specs["cnn_quantile"].window == 20
    assert format_specs(specs) == "lstm_quantile:ewma:60,cnn_quantile:none:20"
    assert parse_specs("", units=8, epochs=3) == {}
    for bad in ["gru_quantile:ewma:20", "lstm_quantile:garch:20", "lstm_quantile:ewma:1"]:
        with pytest.raises(ValueError):
            parse_specs(bad, units=8, epochs=3)


def test_gjr_garch_is_named_and_reacts_more_to_losses():
    r = _garch_returns(leverage=0.12, seed=3)
    dates = r.index[-300:]
    plain = garch_var(r, dates, 0.99, dist="t", fit_end=dates[0])
    gjr = garch_var(r, dates, 0.99, dist="t", fit_end=dates[0], gjr=True)
    assert gjr.name == "gjr_garch_t" and plain.name == "garch_t"
    # after a large loss the GJR VaR rises more than after an equally large gain
    down = r.shift(1).loc[dates] < -2
    up = r.shift(1).loc[dates] > 2
    ratio = gjr.var / plain.var
    assert ratio[down].mean() > ratio[up].mean()
    with pytest.raises(TypeError, match="gjr"):
        garch_var(r, dates, 0.99, gjr="yes")


def test_linear_quantile_tracks_conditional_volatility(sim):
    fc = linear_quantile_forecast(
        sim, confidence=0.99, test_start=sim.index[1700], test_end=sim.index[-1]
    )
    test = sim.loc[fc.var.index]
    assert fc.name == "linear_quantile" and (fc.var > 0).all() and (fc.es >= fc.var).all()
    rate = float((test < -fc.var).mean())
    assert rate < 0.04  # a 99% VaR, not a median
    # beats the constant (unconditional training quantile) forecast on pinball loss: it learned volatility
    q_const = np.quantile(sim.loc[: sim.index[1699]], 0.01)
    assert (
        pinball_loss(test.to_numpy(), -fc.var.to_numpy(), 0.01).mean()
        < pinball_loss(test.to_numpy(), np.full(len(test), q_const), 0.01).mean()
    )


def test_linear_quantile_bad_input(sim):
    with pytest.raises(DataValidationError, match="training dates"):
        linear_quantile_forecast(
            sim, confidence=0.99, test_start=sim.index[300], test_end=sim.index[400]
        )
    with pytest.raises(DataValidationError, match="before test_start"):
        linear_quantile_forecast(
            sim, confidence=0.99, test_start=sim.index[-1], test_end=sim.index[-10]
        )
    with pytest.raises(TypeError):
        linear_quantile_forecast(
            sim.to_numpy(), confidence=0.99, test_start="2010", test_end="2011"
        )
    with pytest.raises(ValueError):
        linear_quantile_forecast(
            sim, confidence=1.5, test_start=sim.index[1700], test_end=sim.index[-1]
        )


def _results(sim, scale_bad=0.6):
    """Backtests of a right model, a badly scaled copy and a near copy of the right one."""
    dates = sim.index[-700:]
    good = garch_var(sim, dates, 0.99, dist="t", fit_end=dates[0])
    bad = RiskForecast("hs", 0.99, good.var * scale_bad, good.es * scale_bad)
    near = RiskForecast("lstm_quantile", 0.99, good.var * 1.01, good.es * 1.01)
    r = sim.loc[dates]
    return [backtest_var(r, f, n_sim=500) for f in (good, bad, near)]


def test_compare_var_losses_joint_holm_and_verdicts(sim):
    results = _results(sim)
    comps = compare_var_losses(results, "garch_t", mcs_reps=200)
    assert set(comps) == {"pinball", "fz0"}
    table = comparison_table(comps)
    raw = table["dm_pvalue"].dropna()
    # Holm runs over the whole family (2 models x 2 losses), not per loss
    np.testing.assert_allclose(table["pvalue_holm"].dropna().to_numpy(), holm(raw.to_numpy()))
    assert table.loc[("garch_t", "pinball", 1), "verdict"] == "benchmark"
    # a VaR 40% too small loses clearly on both losses and leaves the MCS
    for loss in ["pinball", "fz0"]:
        assert table.loc[("hs", loss, 1), "verdict"] == "significantly worse than garch_t"
        assert (
            table.loc[("hs", loss, 1), "in_mcs"] == 0
            and table.loc[("garch_t", loss, 1), "in_mcs"] == 1
        )
    m = comparison_metrics(comps, suffix="_2008")
    assert m["hs_vs_garch_t.pinball_dm_pvalue_holm_2008"] == pytest.approx(
        table.loc[("hs", "pinball", 1), "pvalue_holm"]
    )
    assert m["hs.fz0_in_mcs_2008"] == 0 and "garch_t_vs_garch_t.pinball_dm_pvalue_2008" not in m
    text = comparison_text(comps, ["hs"])
    assert "significantly worse than garch_t" in text and "higher than garch_t's" in text
    # a sub-family (e.g. the networks against their ablation): only those models, Holm over their own tests
    sub = comparison_table(
        compare_var_losses(results, "garch_t", models=["hs", "garch_t"], mcs_reps=200)
    )
    assert set(sub.index.get_level_values("model")) == {"hs", "garch_t"}
    np.testing.assert_allclose(
        sub["pvalue_holm"].dropna().to_numpy(), holm(sub["dm_pvalue"].dropna().to_numpy())
    )
    with pytest.raises(
        ValueError, match=r"compare_var_losses: models \['nope'\] are not among the results"
    ):
        compare_var_losses(results, "garch_t", models=["nope", "garch_t"])


def test_untrained_network_is_left_out_of_holm_and_not_interpreted(sim):
    results = _results(sim)
    comps = compare_var_losses(results, "garch_t", trained={"lstm_quantile": False}, mcs_reps=200)
    t = comparison_table(comps)
    assert t.loc[("lstm_quantile", "pinball", 1), "verdict"] == "did not train (not interpreted)"
    assert np.isnan(t.loc[("lstm_quantile", "pinball", 1), "pvalue_holm"])
    assert "lstm_quantile did not train" in comparison_text(comps, ["lstm_quantile"])
    # the reading says itself that the network did not train: a display label with the mark is refused
    with pytest.raises(
        ValueError, match="comparison_text: labels of \\['lstm_quantile'\\] carry the"
    ):
        comparison_text(comps, ["lstm_quantile"], {"lstm_quantile": "lstm_quantile (untrained)"})
    named = comparison_text(comps, ["lstm_quantile"], {"lstm_quantile": "LSTM"})
    assert "LSTM did not train (not interpreted)" in named
    with pytest.raises(ValueError, match="benchmark"):
        compare_var_losses(results, "ewma")
    with pytest.raises(ValueError, match="losses"):
        compare_var_losses(results, "garch_t", losses=["mse"])
    with pytest.raises(TypeError):
        compare_var_losses([], "garch_t")


def test_readings_name_the_worst_model(sim):
    results = _results(sim)
    text = classical_reading(results, ["garch_t", "hs"])
    assert "pinball loss: worst hs" in text and "Worst on average rank: hs" in text
    # where no ES is underestimated, no model is called the most negative Z2
    calm = [
        dataclasses.replace(r, es=dataclasses.replace(r.es, z2=0.1 + i))
        for i, r in enumerate(results)
    ]
    calm_text = classical_reading(calm, ["garch_t", "hs"])
    assert "no model's ES is underestimated (every Z2 at least 0)" in calm_text
    assert "most negative" not in calm_text
    assert "independence" in independence_reading(results)
    marked = independence_reading(results, trained={"hs": False})
    assert "hs (untrained)" in marked and "garch_t (untrained)" not in marked
    # an untrained model is neither passed nor rejected: it is named apart, once
    assert marked.endswith(" Not interpreted: hs (untrained).") and marked.count("hs") == 1
    assert "garch_t" in marked.split(" Not interpreted")[0]
    cap = capital_table(results)
    assert set(cap.columns) == {
        "exceptions_last_250",
        "zone_last_250",
        "plus_factor",
        "capital_multiplier",
    }
    row = cap.loc["hs"]
    assert row["capital_multiplier"] == pytest.approx(3 + row["plus_factor"])
    by_year = pd.DataFrame(
        {
            "garch_skewt.pinball": [0.03, 0.05],
            "garch_skewt.exceptions": [2, 6],
            "lstm_quantile.pinball": [0.029, 0.06],
            "lstm_quantile.exceptions": [2, 9],
            "lstm_quantile.trained": [1, 1],
            "lstm_quantile_vs_garch_skewt.pinball_dm_pvalue_holm": [0.5, 0.04],
        },
        index=["2017", "2018"],
    )
    text = yearly_reading(by_year, ["lstm_quantile"])
    assert "**2017**" in text and "lower than garch_skewt" in text.split("**2018**")[0]
    assert "higher than garch_skewt" in text.split("**2018**")[1]
    ensemble = pd.DataFrame(
        {
            "mean_loss": [0.040, 0.042],
            "verdict": ["not distinguishable from garch_skewt", ""],
            "pvalue_holm": [0.31, np.nan],
        },
        index=["lstm_quantile", "garch_skewt"],
    )
    per_seed = pd.DataFrame({"lstm_quantile.pinball": [0.039, 0.043, 0.041]})
    line = seed_year_reading(ensemble, per_seed, by_year, ["lstm_quantile"])
    assert line.startswith(
        "- **lstm_quantile**: seed ensemble pinball below garch_skewt's by 0.00200 "
    )
    assert "(not distinguishable from garch_skewt, Holm p = 0.31)" in line
    assert "seed-to-seed sd 0.00200 (1.0 times the gap)" in line
    assert (
        "seeds of the ensemble below garch_skewt in 2/3;" in line
        and "test years below it in 1/2." in line
    )
    # a seed outside the ensemble (NaN) and a year whose rerun did not train are left out, and said so
    members = per_seed.assign(**{"lstm_quantile.pinball": [0.039, np.nan, 0.041]})
    untrained_2018 = by_year.assign(**{"lstm_quantile.trained": [1, 0]})
    line = seed_year_reading(ensemble, members, untrained_2018, ["lstm_quantile"])
    assert "seed-to-seed sd 0.00141" in line
    assert "seeds of the ensemble below garch_skewt in 2/2 (1 untrained seed left out)" in line
    assert "test years below it in 1/1 (1 year whose rerun did not train left out)." in line
    # an ensemble that counts as untrained is not read against the benchmark
    flagged = ensemble.assign(trained=[False, True])
    line = seed_year_reading(flagged, per_seed, by_year, ["lstm_quantile"])
    assert line == (
        "- **lstm_quantile**: its seed ensemble counts as untrained (not more than half of its seeds trained): "
        "not interpreted. Its seeds' test pinball losses range from 0.03900 to 0.04300."
    )
    with pytest.raises(
        ValueError, match="seed_year_reading: ensemble lacks the models \\['cnn'\\]"
    ):
        seed_year_reading(ensemble, per_seed, by_year, ["cnn"])
    with pytest.raises(TypeError, match="per_seed must be a non-empty DataFrame"):
        seed_year_reading(ensemble, pd.DataFrame(), by_year, ["lstm_quantile"])


def test_classical_reading_names_every_tied_model(sim):
    good, bad, _ = _results(sim)
    twin = backtest_var(
        sim.loc[good.pinball_losses.index],
        RiskForecast(
            "fhs", 0.99, *(getattr(f, k) for f in [_forecast_of(sim)] for k in ("var", "es"))
        ),
        n_sim=500,
    )
    text = classical_reading([good, twin, bad], ["garch_t", "fhs", "hs"])
    # garch_t and its exact copy fhs tie on every measure: both are named, not the first one alone
    assert "best garch_t and fhs" in text and "best: garch_t and fhs." in text


def _forecast_of(sim):
    dates = sim.index[-700:]
    return garch_var(sim, dates, 0.99, dist="t", fit_end=dates[0])


def _deep(forecast, val_loss, naive, best_epoch=3):
    fit = FitResult([1.0] * 5, val_loss, best_epoch, 5, naive_val_loss=naive)
    return DeepVaRResult(forecast, DeepVaRSpec(kind="lstm"), val_loss[best_epoch - 1], fit)


def test_deep_trained_needs_a_win_over_the_constant_after_the_first_epoch(sim):
    f = _forecast_of(sim)
    deep = {
        "lstm_quantile": _deep(f, [1.0, 0.9, 0.5, 0.6, 0.7], naive=1.0),  # learned
        "cnn_quantile": _deep(
            f, [1.0, 1.0, 1.0, 1.0, 1.0], naive=1.0
        ),  # no better than the constant
        "early": _deep(
            f, [0.5, 0.6, 0.7, 0.8, 0.9], naive=1.0, best_epoch=1
        ),  # kept the first epoch
    }
    assert deep_trained(deep) == {"lstm_quantile": True, "cnn_quantile": False, "early": False}
    assert deep_labels(deep) == {
        "cnn_quantile": "cnn_quantile (untrained)",
        "early": "early (untrained)",
    }
    with pytest.raises(TypeError, match="deep_trained: 'x' is not a DeepVaRResult"):
        deep_trained({"x": f})
    m = deep_training_metrics(deep, "_2008")
    assert {
        k: v for k, v in m.items() if k.split(".")[1] in ("trained_2008", "best_epoch_2008")
    } == {
        "lstm_quantile.trained_2008": 1,
        "lstm_quantile.best_epoch_2008": 3,
        "cnn_quantile.trained_2008": 0,
        "cnn_quantile.best_epoch_2008": 3,
        "early.trained_2008": 0,
        "early.best_epoch_2008": 1,
    }
    # the settings of each network come with its training, under the same suffix (the spec's defaults here)
    spec = DeepVaRSpec(kind="lstm")
    assert m["early.vol_scaling_2008"] == spec.vol_scaling and m["early.window_2008"] == spec.window
    assert m["early.units_2008"] == spec.units and m["early.max_epochs_2008"] == spec.epochs
    assert m["early.epochs_run_2008"] == 5 and len(m) == 3 * 7
    assert set(deep_training_metrics(deep)) >= {"lstm_quantile.trained", "cnn_quantile.max_epochs"}
    with pytest.raises(TypeError, match="deep_training_metrics: suffix must be a str"):
        deep_training_metrics(deep, 2008)


def test_network_var_reading_states_coverage_es_and_the_verdict(sim):
    results = _results(sim)
    comps = compare_var_losses(
        results, "garch_t", trained={"lstm_quantile": True, "hs": False}, mcs_reps=200
    )
    lines = network_var_reading(results, comps, ["lstm_quantile", "hs"], label="VaR, basket")
    near = results[2]
    row = comps["fz0"].table.set_index("model").loc["lstm_quantile"]
    assert lines[0].startswith(
        f"VaR, basket: lstm_quantile had {near.kupiec.exceptions} exceptions "
        f"({near.kupiec.expected:.1f} expected; Kupiec p {format_pvalue(near.kupiec.pvalue)}, coverage "
    )
    diff = row["mean_loss_diff"]
    side = "lower" if diff < 0 else "higher"
    assert (
        f"its mean FZ0 loss is {abs(diff):.3f} {side} than garch_t's, {row['verdict']}" in lines[0]
    )
    assert (
        "traffic light by year: " in lines[0]
        and f"{near.zones_by_year and min(near.zones_by_year)} " in lines[0]
    )
    assert ("rejects at 5%" in lines[0]) == bool(near.es.reject_5pct)
    cc = near.christoffersen.pvalue_cc
    assert (
        f"Christoffersen's conditional coverage p {format_pvalue(cc)}, "
        f"{'rejected' if cc < 0.05 else 'not rejected'};" in lines[0]
    )
    assert lines[1] == "VaR, basket: hs did not train (not interpreted)."
    # at 97.5% the zones are Basel's cut-offs carried over, not the regulatory traffic light (defined at 99%)
    at975 = [dataclasses.replace(r, confidence=0.975) for r in results]
    line975 = network_var_reading(at975, comps, ["lstm_quantile"], label="ES")[0]
    assert "traffic light by year" not in line975
    assert "Basel's binomial zone cut-offs applied at 97.5% by year" in line975
    # the badly scaled model's coverage is rejected when read as a network
    bad = network_var_reading(
        results, compare_var_losses(results, "garch_t", mcs_reps=200), ["hs"], label="x"
    )[0]
    assert "coverage rejected at 5%" in bad and "significantly worse than garch_t" in bad
    with pytest.raises(ValueError, match="network_var_reading: networks \\['gru'\\]"):
        network_var_reading(results, comps, ["gru"], label="x")


def test_fz0_is_compared_by_difference_and_z2_best_is_the_closest_to_zero(sim):
    results = _results(sim, scale_bad=0.6)
    comps = compare_var_losses(results, "garch_t", mcs_reps=200)
    table = comparison_table(comps)
    # FZ0 holds log(-ES): its ratio depends on the units, so the table gives the difference instead
    assert np.isnan(table.loc[("hs", "fz0", 1), "ratio"]) and np.isfinite(
        table.loc[("hs", "pinball", 1), "ratio"]
    )
    row = comps["fz0"].table.set_index("model").loc["hs"]
    assert relative_loss("fz0", row, "b") == f"{row['mean_loss_diff']:.3f} higher than b's"
    assert (
        relative_loss("pinball", {"ratio": 0.9, "mean_loss_diff": -0.1}, "b") == "0.900 times b's"
    )
    assert relative_loss("fz0", {"ratio": 1.0, "mean_loss_diff": 0.0}, "b") == "equal to b's"
    # a VaR/ES 60% too large (Z2 > 0, conservative) and one 40% too small (Z2 < 0): the most negative Z2 is the
    # worst, the one closest to zero the best, not the most positive
    dates = sim.index[-700:]
    good = garch_var(sim, dates, 0.99, dist="t", fit_end=dates[0])
    big = RiskForecast("fhs", 0.99, good.var * 1.6, good.es * 1.6)
    small = RiskForecast("hs", 0.99, good.var * 0.6, good.es * 0.6)
    r = sim.loc[dates]
    bt = [backtest_var(r, f, n_sim=500) for f in (good, big, small)]
    z2 = {b.name: b.es.z2 for b in bt}
    assert z2["fhs"] > z2["garch_t"] > z2["hs"] and abs(z2["garch_t"]) < abs(z2["fhs"])
    text = classical_reading(bt, ["garch_t", "fhs", "hs"])
    assert (
        f"best: the closest to 0): worst hs ({z2['hs']:.2f}), best garch_t ({z2['garch_t']:.2f})"
        in text
    )


def test_forecast_files_and_seed_ensemble(sim, tmp_path):
    dates = sim.index[-200:]
    a = garch_var(sim, dates, 0.99, dist="t", fit_end=dates[0])
    b = RiskForecast("garch_t", 0.99, a.var * 1.2, a.es * 1.2)
    save_var_forecasts(tmp_path / "f.csv", sim.loc[dates], {"garch_t": a})
    r, fcs = load_var_forecasts(tmp_path / "f.csv", 0.99)
    np.testing.assert_allclose(fcs["garch_t"].var, a.var)
    assert r.index.equals(dates)
    ens = ensemble_forecast([a, b])
    np.testing.assert_allclose(ens.var, a.var * 1.1)
    np.testing.assert_allclose(ens.es, a.es * 1.1)
    with pytest.raises(FileNotFoundError):
        load_var_forecasts(tmp_path / "none.csv", 0.99)
    with pytest.raises(TypeError):
        ensemble_forecast([])


def test_ablation_reading_states_the_bottom_line(sim):
    """garch_t plays the ablation: the near copy is not distinguishable from it (nothing shown beyond it), the
    40%-too-small VaR is significantly worse on both losses; an untrained network is named, not read."""
    results = _results(sim)
    comps = compare_var_losses(
        results, "garch_t", trained={"lstm_quantile": True, "hs": True}, mcs_reps=200
    )
    text = ablation_reading(comps, ["lstm_quantile", "hs"], {"hs": "HS"})
    assert text.startswith("**What the networks add beyond the linear ablation garch_t**")
    assert (
        "No trained network is significantly better than garch_t on any loss: none has shown"
        in text
    )
    assert "Significantly worse than garch_t: HS on pinball, fz0." in text
    hs = comps["pinball"].table.set_index("model").loc["hs"]
    assert f"HS: pinball {hs['ratio']:.3f} times (significantly worse than garch_t, Holm p" in text
    assert ("compared with garch_t here drops garch_t itself" in text) == any(
        "garch_t" not in c.mcs.included for c in comps.values()
    )
    # a network the MCS drops is said so, on the losses where it is dropped (the set, not only the pairwise tests)
    out_on = [k for k, c in comps.items() if "hs" not in c.mcs.included]
    assert out_on, "the 40%-too-small VaR should leave the model confidence set"
    assert (
        f"The MCS over the models compared with garch_t here drops HS on {', '.join(out_on)}."
        in text
    )
    assert "drops lstm_quantile" not in text or any(
        "lstm_quantile" not in c.mcs.included for c in comps.values()
    )
    brief = ablation_reading(comps, ["lstm_quantile", "hs"], {"hs": "HS"}, brief=True)
    assert brief.startswith(
        "**Bottom line against the linear ablation garch_t.** As point estimates"
    )
    assert "Significantly worse than garch_t: HS on pinball, fz0." in brief
    assert "HS: pinball" not in brief and text.endswith(brief.split(".** ", 1)[1])
    untrained = compare_var_losses(results, "garch_t", trained={"hs": False}, mcs_reps=200)
    assert (
        ablation_reading(untrained, ["hs"])
        == "No network trained: hs; none is read against garch_t."
    )
    partly = compare_var_losses(
        results, "garch_t", trained={"lstm_quantile": True, "hs": False}, mcs_reps=200
    )
    assert ablation_reading(partly, ["lstm_quantile", "hs"]).endswith(
        "Not read (did not train): hs."
    )
    with pytest.raises(ValueError, match="ablation_reading: networks \\['gru'\\]"):
        ablation_reading(comps, ["gru"])
    with pytest.raises(ValueError, match="ablation_reading: comparisons must be"):
        ablation_reading({}, ["hs"])
    other = compare_var_losses(results, "hs", mcs_reps=200)
    with pytest.raises(
        ValueError, match="ablation_reading: every comparison must have the same benchmark"
    ):
        ablation_reading({"pinball": comps["pinball"], "fz0": other["fz0"]}, ["lstm_quantile"])


def test_ablation_input_note_names_networks_with_other_inputs(sim):
    from dataclasses import replace

    from finrisk_utils.market import ablation_input_note

    f = _forecast_of(sim)
    same = _deep(f, [1.0, 0.9, 0.5, 0.6, 0.7], naive=1.0)
    same = replace(same, spec=DeepVaRSpec(kind="lstm", vol_scaling="ewma", window=20))
    raw = replace(same, spec=DeepVaRSpec(kind="cnn", vol_scaling="none", window=20))
    longer = replace(same, spec=DeepVaRSpec(kind="cnn", vol_scaling="ewma", window=60))
    assert ablation_input_note({"lstm_quantile": same}, 20) == (
        "linear_quantile sees a summary of EWMA-standardised returns over 20 days, as every network sees "
        "EWMA-standardised returns over that window."
    )
    text = ablation_input_note({"lstm_quantile": same, "cnn_quantile": raw}, 20)
    assert "cnn_quantile (raw-scaled returns, window 20) sees other inputs" in text
    assert "lstm_quantile" not in text and "mixes the inputs with the nonlinearity" in text
    both = ablation_input_note({"a": raw, "b": longer}, 20)
    assert (
        "a (raw-scaled returns, window 20), b (ewma-scaled returns, window 60) see other inputs"
        in both
    )
    with pytest.raises(ValueError, match="ablation_input_note: qr_window"):
        ablation_input_note({"a": raw}, 0)


def test_select_networks_chooses_each_kind_among_the_schemes(monkeypatch):
    """One selection per kind over every scheme, with the fixed window, units and epochs, on the dates given."""
    import finrisk_utils.market.var_study as vs

    seen = {}

    def fake_select(returns, candidates, *, name, confidence, **dates):
        seen[name] = (candidates, confidence, dates)
        table = pd.DataFrame(
            {
                "vol_scaling": [c.vol_scaling for c in candidates],
                "window": [c.window for c in candidates],
                "val_fz0": 1.0,
            }
        )
        return f"winner of {name}", table

    monkeypatch.setattr(vs, "select_on_validation", fake_select)
    dates = {"val_start": "2013-01-01", "test_start": "2015-01-01", "test_end": "2015-12-31"}
    out, table = select_networks(
        pd.Series(dtype=float),
        schemes=["ewma", "none"],
        window=20,
        units=8,
        epochs=3,
        confidence=0.99,
        **dates,
    )
    assert out == {
        "lstm_quantile": "winner of lstm_quantile",
        "cnn_quantile": "winner of cnn_quantile",
    }
    # every candidate's record, indexed as selection_reading reads it
    assert list(table.index) == [
        ("lstm_quantile", "ewma", 20),
        ("lstm_quantile", "none", 20),
        ("cnn_quantile", "ewma", 20),
        ("cnn_quantile", "none", 20),
    ]
    candidates, confidence, given = seen["cnn_quantile"]
    assert (
        [c.vol_scaling for c in candidates] == ["ewma", "none"]
        and confidence == 0.99
        and given == dates
    )
    assert all(c.kind == "cnn" and (c.window, c.units, c.epochs) == (20, 8, 3) for c in candidates)
    with pytest.raises(
        ValueError, match="select_networks: schemes and kinds must be non-empty lists"
    ):
        select_networks(
            pd.Series(dtype=float), schemes=[], window=20, units=8, epochs=3, confidence=0.99
        )
    # several windows: every scheme x window is a candidate; a network given in `fixed` is not searched
    given = DeepVaRSpec(kind="lstm", vol_scaling="none", window=60, units=32, epochs=9)
    _, table = select_networks(
        pd.Series(dtype=float),
        schemes=["ewma", "none"],
        window=[20, 60],
        units=8,
        epochs=3,
        confidence=0.99,
        fixed={"lstm_quantile": given},
        **dates,
    )
    assert seen["lstm_quantile"][0] == [given]
    assert [(c.vol_scaling, c.window) for c in seen["cnn_quantile"][0]] == [
        ("ewma", 20),
        ("ewma", 60),
        ("none", 20),
        ("none", 60),
    ]
    assert list(table.index)[0] == ("lstm_quantile", "none", 60) and len(table) == 5
    for bad in [[], [20, 0], 2.5, [True]]:
        with pytest.raises(ValueError, match="select_networks: window must be a positive number"):
            select_networks(
                pd.Series(dtype=float), schemes=["ewma"], window=bad, units=8, epochs=3,
                confidence=0.99,
            )  # fmt: skip
    with pytest.raises(TypeError, match=r"fixed\['lstm_quantile'\] must be a DeepVaRSpec"):
        select_networks(
            pd.Series(dtype=float), schemes=["ewma"], window=20, units=8, epochs=3,
            confidence=0.99, fixed={"lstm_quantile": "lstm:ewma:20"},
        )  # fmt: skip
