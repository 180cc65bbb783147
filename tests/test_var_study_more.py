"""finrisk_utils.market.var_study, the parts tests/test_market_var_study.py leaves out: bad spec and window
strings, one test window's models (dates, order, no look-ahead), the networks' status table, the committed specs
of a rendered notebook, seed-ensemble backtests from run folders, and the readings' refusals."""

import importlib
import json

import numpy as np
import pandas as pd
import pytest
from test_market_var_study import _garch_returns

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.forecasting import seed_spread
from finrisk_utils.market import (
    DeepVaRResult,
    DeepVaRSpec,
    RiskForecast,
    backtest_var,
    capital_table,
    classical_reading,
    committed_specs,
    deep_fit_text,
    deep_status_table,
    ensemble_forecast,
    format_specs,
    independence_reading,
    network_var_reading,
    parse_specs,
    parse_windows,
    run_var_window,
    save_var_forecasts,
    seed_ensemble_backtests,
    selection_reading,
    yearly_reading,
)
from finrisk_utils.models import FitResult

var_study = importlib.import_module("finrisk_utils.market.var_study")

WINDOW = {"val_start": "2007-06-01", "test_start": "2008-06-02", "test_end": "2008-12-31"}


@pytest.fixture(scope="module")
def short():
    """1100 business days of GARCH returns, 2005-01-03 to 2009-03."""
    return _garch_returns(n=1100)


def _forecast(name, dates, level=2.0, confidence=0.99):
    """A VaR that moves with the date (so that seeds differ), ES 30% above it."""
    var = pd.Series(level * (1 + 0.2 * np.sin(np.arange(len(dates)) / 7)), index=dates)
    return RiskForecast(name, confidence, var, 1.3 * var)


# ------------------------------------------------------------------------------------- spec and window text


def test_parse_specs_refuses_non_text_bad_counts_and_names_the_bad_item():
    """parse_specs skips blank items, and refuses a non-str, a non-positive units/epochs and a malformed item,
    quoting the item."""
    specs = parse_specs(" cnn_quantile:none:5 , ,", units=2, epochs=3)
    assert specs == {
        "cnn_quantile": DeepVaRSpec(kind="cnn", vol_scaling="none", window=5, units=2, epochs=3)
    }
    with pytest.raises(TypeError, match="parse_specs: specs must be a str .* got None"):
        parse_specs(None, units=2, epochs=3)
    with pytest.raises(ValueError, match="parse_specs: units must be a positive int, got 0"):
        parse_specs("lstm_quantile:ewma:20", units=0, epochs=3)
    with pytest.raises(ValueError, match="parse_specs: epochs must be a positive int"):
        parse_specs("lstm_quantile:ewma:20", units=2, epochs=-1)
    with pytest.raises(
        ValueError, match="'lstm_quantile:ewma' is not <lstm_quantile|cnn_quantile>"
    ):
        parse_specs("lstm_quantile:ewma", units=2, epochs=3)
    with pytest.raises(ValueError, match="'cnn_quantile:ewma:x' needs vol_scaling ewma or none"):
        parse_specs("cnn_quantile:ewma:x", units=2, epochs=3)


def test_format_specs_round_trips_and_refuses_a_non_spec():
    """format_specs writes what parse_specs reads back (order kept); a non-DeepVaRSpec value is refused."""
    text = "cnn_quantile:none:5,lstm_quantile:ewma:40"
    assert format_specs(parse_specs(text, units=4, epochs=2)) == text
    assert format_specs({}) == ""
    with pytest.raises(TypeError, match="format_specs: 'lstm_quantile' is not a DeepVaRSpec"):
        format_specs({"lstm_quantile": "lstm_quantile:ewma:40"})


def test_parse_windows_refuses_non_text_a_late_validation_start_and_a_non_date():
    """A non-str, a val_start not before the test start and an unreadable date are refused by name."""
    with pytest.raises(TypeError, match="parse_windows: windows must be a str .* got 2008"):
        parse_windows(2008)
    with pytest.raises(
        ValueError, match="'2008-01-01:2009-12-31:2008-01-01' needs val_start < start"
    ):
        parse_windows("2008-01-01:2009-12-31:2008-01-01")
    with pytest.raises(ValueError, match="parse_windows: window date is not a date: '2008-13-45'"):
        parse_windows("2008-13-45:2009-12-31")
    # pandas reads "Jan" as 0001-01-01; the date checks refuse a string without a year
    with pytest.raises(ValueError, match="parse_windows: window date is not a date: 'Jan'"):
        parse_windows("Jan:2009-12-31")
    with pytest.raises(ValueError, match="parse_windows: val_start is not a date: 'later'"):
        parse_windows("2008-01-01:2009-12-31:later")


# ------------------------------------------------------------------------------------------ run_var_window


def test_run_var_window_forecasts_every_test_day_without_look_ahead(short):
    """The classical models and the linear quantile regression forecast exactly the test window's dates, in
    order; multiplying every return after the first test day by 5 leaves every first-day forecast unchanged."""
    fcs, deep = run_var_window(short, confidence=0.99, **WINDOW)
    assert list(fcs) == [*var_study.CLASSICAL_MODELS, "linear_quantile"] and deep == {}
    dates = short.loc["2008-06-02":"2008-12-31"].index
    for name, fc in fcs.items():
        assert fc.name == name and fc.confidence == 0.99
        assert fc.var.index.equals(dates) and (fc.es >= fc.var).all()
    shocked = short.copy()
    shocked.loc[dates[1] :] *= 5
    again, _ = run_var_window(shocked, confidence=0.99, **WINDOW)
    for name, fc in fcs.items():
        assert again[name].var.iloc[0] == pytest.approx(fc.var.iloc[0], rel=1e-9), name
        assert again[name].es.iloc[0] == pytest.approx(fc.es.iloc[0], rel=1e-9), name


def _stub_models(monkeypatch):
    """Replace the models run_var_window calls by recorders that return a constant forecast."""
    calls = []

    def classical(returns, dates, confidence, *, fit_end):
        calls.append(("classical", dates, fit_end))
        return {"hs": _forecast("hs", dates)}

    def linear(returns, *, confidence, test_start, test_end, window):
        calls.append(("linear", test_start, test_end, window))
        return _forecast("linear_quantile", returns.loc[test_start:test_end].index)

    def deep(returns, *, confidence, val_start, test_start, test_end, spec, name):
        calls.append(("deep", name, spec, val_start, test_start, test_end))
        fc = _forecast(name, returns.loc[test_start:test_end].index, level=spec.window)
        return DeepVaRResult(fc, spec, 0.5, FitResult([1.0, 0.9], [1.0, 0.8], 2, 2, 1.0))

    monkeypatch.setattr(var_study, "classical_var_forecasts", classical)
    monkeypatch.setattr(var_study, "linear_quantile_forecast", linear)
    monkeypatch.setattr(var_study, "deep_var_forecast", deep)
    return calls


def test_run_var_window_trains_each_network_on_the_derived_dates(short, monkeypatch):
    """Classical models are fitted up to test_start; each network gets its spec, its name and a validation start
    two years before test_start when none is given; networks come last, in the order of deep_specs."""
    calls = _stub_models(monkeypatch)
    specs = {
        "cnn_quantile": DeepVaRSpec(kind="cnn", window=5),
        "lstm_quantile": DeepVaRSpec(window=9),
    }
    fcs, deep = run_var_window(
        short,
        confidence=0.975,
        test_start="2008-06-02",
        test_end="2008-12-31",
        deep_specs=specs,
        qr_window=7,
    )
    assert list(fcs) == ["hs", "linear_quantile", "cnn_quantile", "lstm_quantile"]
    assert list(deep) == ["cnn_quantile", "lstm_quantile"]
    assert fcs["lstm_quantile"] is deep["lstm_quantile"].forecast
    s, e = pd.Timestamp("2008-06-02"), pd.Timestamp("2008-12-31")
    kind, dates, fit_end = calls[0]
    assert kind == "classical" and fit_end == s and dates.equals(short.loc[s:e].index)
    assert calls[1] == ("linear", s, e, 7)
    v = pd.Timestamp("2006-06-02")
    assert calls[2] == ("deep", "cnn_quantile", specs["cnn_quantile"], v, s, e)
    assert calls[3] == ("deep", "lstm_quantile", specs["lstm_quantile"], v, s, e)


def test_run_var_window_refuses_bad_dates_and_specs(short, monkeypatch):
    """Dates out of order, a window with no returns and a deep spec that is not a DeepVaRSpec are refused,
    naming run_var_window."""
    _stub_models(monkeypatch)
    with pytest.raises(
        DataValidationError,
        match="run_var_window: need val_start < test_start <= test_end, got 2008-07-01, 2008-06-02",
    ):
        run_var_window(short, confidence=0.99, **{**WINDOW, "val_start": "2008-07-01"})
    with pytest.raises(DataValidationError, match="need val_start < test_start <= test_end"):
        run_var_window(short, confidence=0.99, **{**WINDOW, "test_end": "2008-05-01"})
    with pytest.raises(
        DataValidationError, match="run_var_window: no returns between 2008-06-07 and 2008-06-08"
    ):  # a weekend
        run_var_window(short, confidence=0.99, test_start="2008-06-07", test_end="2008-06-08")
    with pytest.raises(
        TypeError, match="run_var_window: deep_specs\\['lstm_quantile'\\] must be a DeepVaRSpec"
    ):
        run_var_window(short, confidence=0.99, deep_specs={"lstm_quantile": "ewma:60"}, **WINDOW)
    with pytest.raises(ValueError, match="confidence"):
        run_var_window(short, confidence=99, **WINDOW)
    with pytest.raises(ValueError, match="run_var_window: test_start is not a date: 'soon'"):
        run_var_window(short, confidence=0.99, test_start="soon", test_end="2008-12-31")


# ------------------------------------------------------------------------------------------ network status


def _deep(val_loss, naive, best_epoch, spec):
    dates = pd.bdate_range("2010-01-04", periods=5)
    fit = FitResult([1.0] * len(val_loss), val_loss, best_epoch, len(val_loss), naive)
    return DeepVaRResult(_forecast("x", dates), spec, 0.123, fit)


def test_deep_status_table_lists_settings_kept_epoch_losses_and_trained():
    """One row per network: its input scheme, window, units, its epoch budget, the kept epoch, epochs run, the kept and naive
    validation losses, the return-unit FZ0 and whether it learned (beat the constant after epoch 1)."""
    deep = {
        "lstm_quantile": _deep([1.0, 0.7, 0.8], 1.0, 2, DeepVaRSpec(window=20, units=8, epochs=7)),
        "cnn_quantile": _deep(
            [0.9, 1.1], 1.0, 1, DeepVaRSpec(kind="cnn", vol_scaling="none", window=5, units=4)
        ),
    }
    t = deep_status_table(deep)
    assert list(t.index) == ["lstm_quantile", "cnn_quantile"]
    assert t.loc["lstm_quantile"].to_dict() == {
        "vol_scaling": "ewma",
        "window": 20,
        "units": 8,
        "max_epochs": 7,
        "best_epoch": 2,
        "epochs_run": 3,
        "val_loss": 0.7,
        "naive_val_loss": 1.0,
        "val_fz0": 0.123,
        "trained": True,
    }
    row = t.loc["cnn_quantile"]
    assert row["vol_scaling"] == "none" and row["val_loss"] == 0.9 and not row["trained"]
    with pytest.raises(TypeError, match="deep_status_table: 'gru' is not a DeepVaRResult"):
        deep_status_table({"gru": deep["lstm_quantile"].forecast})


def test_deep_fit_text_states_kept_epoch_training_and_a_budget_run_out():
    deep = {
        "lstm_quantile": _deep([1.0, 0.7, 0.8], 1.0, 2, DeepVaRSpec()),
        "cnn_quantile": _deep([0.95, 0.9, 0.8], 1.0, 3, DeepVaRSpec(kind="cnn")),
        "gru": _deep([0.9, 1.1], 1.0, 1, DeepVaRSpec()),
    }
    text = deep_fit_text(deep)
    assert text == (
        "Networks: lstm_quantile kept epoch 2 of 3, trained; cnn_quantile kept epoch 3 of 3, trained (its last "
        "epoch: still improving when the budget ran out); gru kept epoch 1 of 2, untrained."
    )
    assert deep_fit_text(deep, {"gru": "GRU"}).endswith("GRU kept epoch 1 of 2, untrained.")
    with pytest.raises(ValueError, match="deep_fit_text: labels of \\['gru'\\] carry the"):
        deep_fit_text(deep, {"gru": "gru (untrained)"})
    with pytest.raises(TypeError, match="deep_fit_text: 'gru' is not a DeepVaRResult"):
        deep_fit_text({"gru": deep["gru"].forecast})
    with pytest.raises(TypeError, match="deep_fit_text: deep must be a non-empty mapping"):
        deep_fit_text({})


def test_committed_specs_reads_the_last_printed_selection(tmp_path):
    """The last ``selected networks:`` line a rendered notebook stores is returned (parse_specs reads it);
    a missing notebook and one never rendered are refused."""
    cells = [
        {
            "cell_type": "code",
            "outputs": [{"text": ["selected networks: lstm_quantile:ewma:60\n"]}],
        },
        {"cell_type": "markdown", "source": ["The networks below."]},
        {
            "cell_type": "code",
            "outputs": [{"text": ["loss 0.3\n", "selected networks: cnn_quantile:none:20\n"]}],
        },
    ]
    nb = tmp_path / "02.ipynb"
    nb.write_text(json.dumps({"cells": cells}))
    assert committed_specs(nb) == "cnn_quantile:none:20"
    assert parse_specs(committed_specs(str(nb)), units=4, epochs=2)["cnn_quantile"].window == 20
    with pytest.raises(FileNotFoundError, match="committed_specs: no notebook .*missing.ipynb"):
        committed_specs(tmp_path / "missing.ipynb")
    bare = tmp_path / "bare.ipynb"
    bare.write_text(json.dumps({"cells": cells[1:2]}))
    with pytest.raises(
        ValueError, match="bare.ipynb stores no 'selected networks:' line; render it"
    ):
        committed_specs(bare)


# ---------------------------------------------------------------------------------- seed ensembles of runs


def test_seed_ensemble_backtests_average_the_seeds_and_keep_the_baselines(short, tmp_path):
    """Two runs with the same baseline and a network at 0.8x and 1.4x of it: the network's backtest is that of
    the mean forecast (1.1x), the baseline's that of the first run, and the spread table holds each seed's
    own pinball, FZ0 and exception count."""
    dates = short.index[-300:]
    r = short.loc[dates]
    base = _forecast("garch_t", dates, level=2.3)
    runs = []
    for k, factor in enumerate((0.8, 1.4)):
        net = RiskForecast("lstm_quantile", 0.99, base.var * factor, base.es * factor)
        (tmp_path / f"seed{k}").mkdir()
        save_var_forecasts(
            tmp_path / f"seed{k}" / "forecasts.csv", r, {"garch_t": base, "lstm_quantile": net}
        )
        runs.append(net)
    both = seed_ensemble_backtests(
        [tmp_path / "seed0", str(tmp_path / "seed1")],
        0.99,
        ["lstm_quantile"],
        {"lstm_quantile": [True, True]},
    )
    results, spread = both.results, both.per_seed
    assert both.trained == {"lstm_quantile": True}
    assert [b.name for b in results] == ["garch_t", "lstm_quantile"]
    mean = RiskForecast("lstm_quantile", 0.99, base.var * 1.1, base.es * 1.1)
    expected = {"garch_t": backtest_var(r, base), "lstm_quantile": backtest_var(r, mean)}
    for b in results:
        assert b.pinball == pytest.approx(expected[b.name].pinball, rel=1e-9)
        assert b.fz0 == pytest.approx(expected[b.name].fz0, rel=1e-9)
        assert b.kupiec.exceptions == expected[b.name].kupiec.exceptions
    assert list(spread.columns) == [
        "lstm_quantile.pinball",
        "lstm_quantile.fz0",
        "lstm_quantile.exceptions",
    ]
    for k, net in enumerate(runs):
        own = backtest_var(r, net)
        assert spread.loc[k, "lstm_quantile.pinball"] == pytest.approx(own.pinball, rel=1e-9)
        assert spread.loc[k, "lstm_quantile.fz0"] == pytest.approx(own.fz0, rel=1e-9)
        assert spread.loc[k, "lstm_quantile.exceptions"] == own.kupiec.exceptions
    # the smaller VaR is crossed more often
    assert spread.loc[0, "lstm_quantile.exceptions"] > spread.loc[1, "lstm_quantile.exceptions"]
    pd.testing.assert_frame_equal(
        both.spread(), seed_spread(spread), check_dtype=False, check_names=False
    )
    # one of two seeds trained: not more than half, so the ensemble is of both seeds, labelled untrained
    half = seed_ensemble_backtests(
        [tmp_path / "seed0", tmp_path / "seed1"], 0.99, ["lstm_quantile"], {"lstm_quantile": [0, 1]}
    )
    assert half.trained == {"lstm_quantile": False}
    assert half.results[1].pinball == pytest.approx(results[1].pinball, rel=1e-12)
    assert "counts as untrained" in half.describe()
    # with a third, trained seed at 0.5x: two of three trained, the ensemble is theirs (0.8x and 0.5x)
    (tmp_path / "seed2").mkdir()
    low = RiskForecast("lstm_quantile", 0.99, base.var * 0.5, base.es * 0.5)
    save_var_forecasts(
        tmp_path / "seed2" / "forecasts.csv", r, {"garch_t": base, "lstm_quantile": low}
    )
    three = seed_ensemble_backtests(
        [tmp_path / f"seed{k}" for k in range(3)],
        0.99,
        ["lstm_quantile"],
        {"lstm_quantile": [True, False, True]},
    )
    kept = RiskForecast("lstm_quantile", 0.99, base.var * 0.65, base.es * 0.65)
    assert three.results[1].pinball == pytest.approx(backtest_var(r, kept).pinball, rel=1e-9)
    members = three.member_losses()
    assert members["lstm_quantile.pinball"].isna().tolist() == [False, True, False]
    assert three.spread().loc["lstm_quantile.pinball", "n_seeds"] == 2
    assert three.describe() == (
        "lstm_quantile: 2 of 3 seeds trained: the ensemble is the mean of those 2 (1 untrained left out)"
    )
    ok = {"lstm_quantile": [True, True]}
    with pytest.raises(ValueError, match="trained\\['lstm_quantile'\\] has 2 flags for 1 runs"):
        seed_ensemble_backtests([tmp_path / "seed0"], 0.99, ["lstm_quantile"], ok)
    with pytest.raises(ValueError, match="trained needs one list of flags per model"):
        seed_ensemble_backtests([tmp_path / "seed0"], 0.99, ["lstm_quantile"], {"gru": [True]})
    with pytest.raises(
        TypeError, match="seed_ensemble_backtests: run_dirs must be a non-empty list"
    ):
        seed_ensemble_backtests(str(tmp_path / "seed0"), 0.99, ["lstm_quantile"], ok)
    with pytest.raises(TypeError, match="run_dirs must be a non-empty list"):
        seed_ensemble_backtests([], 0.99, ["lstm_quantile"], ok)
    with pytest.raises(
        ValueError,
        match="models \\['gru'\\] not in the forecasts \\(\\['garch_t', 'lstm_quantile'\\]\\)",
    ):
        seed_ensemble_backtests([tmp_path / "seed0"], 0.99, ["gru"], {"gru": [True]})
    with pytest.raises(FileNotFoundError, match="load_var_forecasts: no forecasts file"):
        seed_ensemble_backtests(
            [tmp_path / "seed0", tmp_path / "nope"], 0.99, ["lstm_quantile"], ok
        )


def test_ensemble_forecast_names_and_refuses_mixed_confidences():
    """The ensemble takes the given name (else the first forecast's); forecasts at two confidences, or a
    non-forecast, are refused."""
    dates = pd.bdate_range("2010-01-04", periods=20)
    a, b = _forecast("lstm_quantile", dates, 1.0), _forecast("lstm_quantile", dates, 3.0)
    ens = ensemble_forecast([a, b], name="lstm_ensemble")
    assert ens.name == "lstm_ensemble" and ens.confidence == 0.99
    np.testing.assert_allclose(ens.var, a.var * 2.0)
    assert ensemble_forecast((a, b)).name == "lstm_quantile"
    other = _forecast("lstm_quantile", dates, 1.0, confidence=0.975)
    with pytest.raises(
        ValueError, match="ensemble_forecast: every forecast must be a RiskForecast at one"
    ):
        ensemble_forecast([a, other])
    with pytest.raises(ValueError, match="at one confidence"):
        ensemble_forecast([a, a.var])


# ---------------------------------------------------------------------------------------- the readings


@pytest.fixture(scope="module")
def backtests(short):
    dates = short.index[-250:]
    return [
        backtest_var(short.loc[dates], _forecast(n, dates, level), n_sim=200)
        for n, level in (("garch_t", 2.3), ("hs", 1.2))
    ]


@pytest.mark.parametrize(
    "reading", [independence_reading, capital_table, classical_reading, network_var_reading]
)
def test_readings_refuse_results_that_are_not_backtests(reading, backtests):
    """Every reading names itself when given something other than a list of VaRBacktest."""
    name = reading.__name__
    extra = (
        {"comparison": {}, "networks": [], "label": "x"} if name == "network_var_reading" else {}
    )
    with pytest.raises(TypeError, match=f"{name}: results must hold VaRBacktest, got RiskForecast"):
        reading([backtests[0], _forecast("x", pd.bdate_range("2010-01-04", periods=3))], **extra)
    with pytest.raises(TypeError, match=f"{name}: results must be a non-empty list of VaRBacktest"):
        reading((), **extra)


def test_network_var_reading_refuses_a_loss_the_comparison_lacks(backtests):
    """Asking for the FZ0 reading of a pinball-only comparison names the loss and the losses present."""
    comps = var_study.compare_var_losses(backtests, "garch_t", losses=["pinball"], mcs_reps=100)
    with pytest.raises(
        ValueError, match="network_var_reading: comparison has no 'fz0' loss \\(\\['pinball'\\]\\)"
    ):
        network_var_reading(backtests, comps, ["hs"], label="x", loss="fz0")
    line = network_var_reading(backtests, comps, ["hs"], label="x", loss="pinball")[0]
    assert "its mean PINBALL loss is" in line and "times garch_t's" in line


def test_capital_table_counts_the_last_250_exceptions(backtests, short):
    """The capital table's exception count is the number of losses beyond VaR over the last 250 days."""
    dates = short.index[-250:]
    cap = capital_table(backtests)
    for b, level in zip(backtests, (2.3, 1.2), strict=True):
        var = _forecast(b.name, dates, level).var
        assert cap.loc[b.name, "exceptions_last_250"] == int((short.loc[dates] < -var).sum())


def test_yearly_reading_marks_untrained_years_and_refuses_an_empty_table():
    """A year where the network did not train is said so instead of compared; a missing Holm p prints n/a;
    an empty or non-DataFrame input is refused."""
    by_year = pd.DataFrame(
        {
            "garch_skewt.pinball": [0.03, 0.05],
            "garch_skewt.exceptions": [2, 6],
            "lstm_quantile.pinball": [0.029, 0.06],
            "lstm_quantile.exceptions": [2, 9],
            "lstm_quantile.trained": [0, 1],
        },
        index=[2017, 2018],
    )
    assert yearly_reading(by_year, ["lstm_quantile"]) == (
        "- **2017**: lstm_quantile did not train (not interpreted).\n"
        "- **2018**: lstm_quantile pinball 0.0600, higher than garch_skewt's 0.0500 (Holm p n/a; "
        "9 exceptions vs 6)."
    )
    for bad in (pd.DataFrame(), by_year.to_dict()):
        with pytest.raises(
            TypeError, match="yearly_reading: by_year must be a non-empty DataFrame"
        ):
            yearly_reading(bad, ["lstm_quantile"])


def test_selection_reading_names_the_choice_and_a_near_tie():
    selection = pd.DataFrame(
        {
            "model": ["lstm_quantile"] * 2 + ["cnn_quantile"] * 2 + ["gru"],
            "vol_scaling": ["ewma", "none", "ewma", "none", "ewma"],
            "window": [20, 60, 20, 20, 20],
            "val_fz0": [0.80, 0.7832, 0.8226, 0.8257, 0.9],
        }
    ).set_index(["model", "vol_scaling", "window"])
    text = selection_reading(selection)
    assert text.startswith(
        "Selected on validation: lstm_quantile: none inputs, window 60 (validation FZ0 0.7832)"
    )
    assert "the runner-up (ewma inputs, window 20) has a validation FZ0 higher by 0.0168." in text
    assert (
        "cnn_quantile: ewma inputs, window 20 (validation FZ0 0.8226); the runner-up (none inputs, window 20) "
        in text
    )
    assert "has a validation FZ0 higher by 0.0031, a near tie" in text
    assert text.count("near tie") == 1 and text.endswith(
        "gru: ewma inputs, window 20 (validation FZ0 0.9000), the only candidate (no selection)."
    )
    assert "near tie" not in selection_reading(selection, near_tie=0.0)
    # the lowest validation FZ0 from an untrained network: the choice is among those that trained, and the
    # untrained one is named as passed over
    flagged = selection.assign(trained=[True, False, True, None, True])
    text = selection_reading(flagged)
    assert (
        "lstm_quantile: ewma inputs, window 20 (validation FZ0 0.8000), the only candidate that trained. "
        "Passed over with a lower validation FZ0 but did not train (did not beat its naive forecast after its "
        "first epoch): none inputs, "
        "window 60 (0.7832)." in text
    )
    # cnn's winner trained; an unknown flag counts as untrained, and its higher FZ0 is not "passed over"
    assert (
        "cnn_quantile: ewma inputs, window 20 (validation FZ0 0.8226), the only candidate that trained."
        in text
    )
    assert text.count("Passed over") == 1
    # no candidate trained: the lowest FZ0 is kept and said to be untrained
    none = selection_reading(selection.assign(trained=False))
    assert (
        "lstm_quantile: none inputs, window 60 (validation FZ0 0.7832); the runner-up (ewma inputs, window 20) "
        "has a validation FZ0 higher by 0.0168. No candidate trained: the lowest validation FZ0 is kept, "
        "labelled untrained." in none
    )
    assert none.count("No candidate trained") == 2 and "Passed over" not in none
    assert none.endswith("the only candidate (no selection). It did not train.")
    # FZ0 below zero (a low-volatility series): the difference still reads right, no ratio flips sign
    negative = selection_reading(selection - 1.0)
    assert "lstm_quantile: none inputs, window 60 (validation FZ0 -0.2168)" in negative
    assert "higher by 0.0168." in negative
    with pytest.raises(TypeError, match="selection_reading: selection must be a non-empty table"):
        selection_reading(selection.reset_index())
    with pytest.raises(ValueError, match="near_tie must be a finite number >= 0"):
        selection_reading(selection, near_tie=-0.5)


def test_baseline_rerun_reading_says_same_or_different_and_names_the_best_baseline():
    """Notebook 07's check of its seed reruns: identical baseline losses read "the same"; a baseline whose loss
    moves between reruns is named; the lowest mean pinball among the baselines is named beside the
    benchmark's, whichever it is."""
    from finrisk_utils.market import baseline_rerun_reading

    same = pd.DataFrame(
        {"hs.pinball": [0.04, 0.04], "hs.fz0": [1.1, 1.1], "garch_skewt.pinball": [0.03, 0.03]}
    )
    mean = pd.Series({"hs": 0.04, "garch_skewt": 0.03})
    text = baseline_rerun_reading(same, mean)
    assert "(garch_skewt, hs) gives the same pinball and FZ0 losses in every seed rerun" in text
    assert "Lowest mean pinball loss among them: garch_skewt (0.0300; the benchmark" in text
    moved = same.assign(**{"hs.fz0": [1.1, 1.2]})
    text = baseline_rerun_reading(moved, pd.Series({"hs": 0.02, "garch_skewt": 0.03}))
    assert "**different** losses between seed reruns (hs.fz0)" in text
    assert "among them: hs (0.0200; the benchmark of the tests, garch_skewt, 0.0300)" in text
    # the sentence names the losses it checked
    only_pinball = baseline_rerun_reading(same[["hs.pinball", "garch_skewt.pinball"]], mean)
    assert "gives the same pinball losses in every seed rerun" in only_pinball
    with pytest.raises(TypeError, match="baseline_rerun_reading: rerun_losses must be a non-empty"):
        baseline_rerun_reading(pd.DataFrame(), mean)
    with pytest.raises(
        ValueError, match="baseline_rerun_reading: mean_pinball lacks the benchmark"
    ):
        baseline_rerun_reading(same, mean.drop("garch_skewt"))
    with pytest.raises(ValueError, match="columns must be '<model>.<loss>', got \\['hs'\\]"):
        baseline_rerun_reading(same.rename(columns={"hs.pinball": "hs"}), mean)
    with pytest.raises(
        ValueError, match="rerun_losses covers \\['garch_skewt', 'hs'\\], mean_pinball"
    ):
        baseline_rerun_reading(same, mean.rename({"hs": "fhs"}))
