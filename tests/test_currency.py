"""finrisk_utils.currency: positions and baskets, exchange-rate change forecasts (random walk, forward rate, Fama
regression, direct AR) with the comparison protocol, tail statistics around an event, and the readings."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils import DataValidationError
from finrisk_utils.currency import (
    PLAZA_ACCORD,
    FamaSlope,
    actual_changes,
    annualised_volatility,
    basket_returns,
    change_forecast_metrics,
    change_forecast_reading,
    change_forecast_table,
    compare_change_forecasts,
    direct_change_ar_forecast,
    direct_linear_forecast,
    event_exceptions,
    event_exceptions_reading,
    event_tails_reading,
    event_window,
    extremal_index,
    fama_reading,
    fama_regression_forecast,
    fama_slope,
    forecast_origins,
    forward_rate_forecast,
    hill_tail_index,
    level_to_change,
    log_level,
    parse_basket,
    placebo_rank,
    position_returns,
    tail_reading,
    tail_standard_errors,
    tail_statistics,
    zero_change_forecast,
)
from finrisk_utils.data import load, load_price_panel, load_prices, load_returns

DAYS = pd.bdate_range("2000-01-03", periods=600)


def _rates(seed=0, n=600):
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, 0.006, size=(n, 3))
    return pd.DataFrame(
        np.exp(np.cumsum(steps, axis=0)) * [0.5, 2.0, 0.004],
        index=pd.bdate_range("2000-01-03", periods=n),
        columns=["dem", "gbp", "jpy"],
    )


# ----------------------------------------------------------------------------------------------------------
# positions
# ----------------------------------------------------------------------------------------------------------


def test_parse_basket_accepts_known_distinct_currencies_only():
    assert parse_basket(" DEM, gbp ,jpy", ["dem", "gbp", "jpy"]) == ["dem", "gbp", "jpy"]
    with pytest.raises(ValueError, match="unknown currencies \\['usd'\\]"):
        parse_basket("dem,usd", ["dem", "gbp"])
    with pytest.raises(ValueError, match="repeats"):
        parse_basket("dem,dem", ["dem", "gbp"])
    with pytest.raises(ValueError, match="at least two"):
        parse_basket("dem", ["dem", "gbp"])
    with pytest.raises(TypeError, match="parse_basket"):
        parse_basket(["dem", "gbp"], ["dem", "gbp"])


def test_position_and_basket_returns_follow_their_definitions():
    rates = _rates()
    r = position_returns(rates, "gbp")
    np.testing.assert_allclose(r, 100 * np.diff(np.log(rates["gbp"])))
    assert r.name == "gbp" and r.index.equals(rates.index[1:])
    b = basket_returns(rates, ["dem", "gbp"])
    simple = rates[["dem", "gbp"]].pct_change().iloc[1:]
    np.testing.assert_allclose(b, 100 * np.log1p(simple.mean(axis=1)))
    # equal dollar amounts: the basket's volatility is below the average of its members' (imperfect correlation)
    assert b.std() < (position_returns(rates, "dem").std() + r.std()) / 2
    with pytest.raises(DataValidationError, match="position_returns"):
        position_returns(rates, "chf")
    with pytest.raises(ValueError, match="two distinct"):
        basket_returns(rates, ["dem", "dem"])


# ----------------------------------------------------------------------------------------------------------
# change forecasts
# ----------------------------------------------------------------------------------------------------------


def _ar_levels(phi=0.5, n=800, seed=1):
    rng = np.random.default_rng(seed)
    d = np.zeros(n)
    for t in range(1, n):
        d[t] = phi * d[t - 1] + rng.normal()
    return pd.Series(np.cumsum(d), index=pd.bdate_range("2001-01-01", periods=n), name="y")


def test_actual_zero_and_level_changes_line_up_by_target_date():
    y = _ar_levels()
    origins = y.index[500:510]
    a = actual_changes(y, origins, 5)
    assert a.index.equals(y.index[505:515])
    np.testing.assert_allclose(a, y.to_numpy()[505:515] - y.to_numpy()[500:510])
    assert (zero_change_forecast(y, origins, 5) == 0).all()
    level_fc = y.iloc[505:515] + 1.0  # a level forecast off by one
    np.testing.assert_allclose(level_to_change(level_fc, y, 5), a + 1.0)
    with pytest.raises(DataValidationError, match="not in the data"):
        actual_changes(y, y.index[-3:], 5)


def test_forecast_origins_keep_targets_inside_the_test_period():
    idx = pd.bdate_range("2001-01-01", periods=100)
    o = forecast_origins(idx, idx[50], idx[80], 5)
    assert o[0] == idx[50] and o[-1] == idx[75]
    with pytest.raises(DataValidationError, match="no dates"):
        forecast_origins(idx, "1990-01-01", "1990-02-01", 1)


def test_direct_change_ar_recovers_ar_dynamics_and_never_looks_ahead():
    y = _ar_levels(phi=0.5)
    origins = y.index[600:700]
    fc = direct_change_ar_forecast(y, origins, 1, lags=1)
    last_change = y.diff().loc[origins].to_numpy()
    assert np.corrcoef(fc, last_change)[0, 1] > 0.99
    slope = np.polyfit(last_change, fc.to_numpy(), 1)[0]
    assert 0.4 < slope < 0.6  # the AR(1) coefficient of the changes
    # it beats the random walk on these data, where the changes are predictable
    a = actual_changes(y, origins, 1)
    assert ((a - fc) ** 2).mean() < (a**2).mean()
    # leakage: changing every value after the 650th origin leaves the earlier forecasts untouched
    z = y.copy()
    z.iloc[651:] += np.random.default_rng(5).normal(0, 10, size=len(z) - 651)
    pd.testing.assert_series_equal(
        direct_change_ar_forecast(z, origins[:50], 1, lags=1), fc.iloc[:50]
    )
    # 5-step direct forecast: the origin-5 pair is the last one it can use
    fc5 = direct_change_ar_forecast(y, origins[:50], 5, lags=2)
    z5 = y.copy()
    z5.iloc[650:] += 100.0  # a level shift after origin 649's estimation pairs end
    pd.testing.assert_series_equal(
        direct_change_ar_forecast(z5, origins[:50], 5, lags=2), fc5, check_exact=False
    )


def test_direct_linear_forecast_uses_the_window_of_features_and_never_looks_ahead():
    rng = np.random.default_rng(6)
    n = 900
    idx = pd.bdate_range("2001-01-01", periods=n)
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)}, index=idx)
    # the next change follows yesterday's b with coefficient 0.8 (a lag the network's window holds)
    d = np.zeros(n)
    d[2:] = 0.8 * x["b"].to_numpy()[:-2] + rng.normal(0, 0.3, n - 2)
    y = pd.Series(np.cumsum(d), index=idx)
    origins = idx[700:800]
    fc = direct_linear_forecast(y, x, origins, 1, window=3)
    assert fc.name == "linear_window" and fc.index.equals(idx[701:801])
    np.testing.assert_allclose(fc, 0.8 * x["b"].shift(1).loc[origins], atol=0.1)
    # leakage: data after the 10th origin do not change the first ten forecasts (estimated before the first)
    y2, x2 = y.copy(), x.copy()
    y2.iloc[711:] += 50.0
    x2.iloc[711:] *= -3.0
    pd.testing.assert_series_equal(
        direct_linear_forecast(y2, x2, origins, 1, 3).iloc[:10], fc.iloc[:10]
    )
    with pytest.raises(DataValidationError, match="exactly levels' dates"):
        direct_linear_forecast(y, x.iloc[1:], origins, 1, 3)
    with pytest.raises(DataValidationError, match="need twice as many"):
        direct_linear_forecast(y, x, idx[20:30], 1, 8)


def _spot_forward(b=-1.0, n=300, seed=2):
    """Monthly spot and 1-month forward with ``Δs_{t+1} = 0.1 + b * premium_t + noise`` (log % units)."""
    rng = np.random.default_rng(seed)
    premium = np.clip(rng.normal(0, 0.5, n), -1.5, 1.5)  # % per month
    y = np.zeros(n)
    for t in range(n - 1):
        y[t + 1] = y[t] + 0.1 + b * premium[t] + rng.normal(0, 0.3)
    idx = pd.date_range("1979-01-01", periods=n, freq="MS")
    spot = pd.Series(np.exp(y / 100) * 1.5, index=idx)
    return spot, spot * np.exp(premium / 100)


def test_forward_rate_forecast_is_the_forward_premium():
    spot, fwd = _spot_forward()
    origins = spot.index[200:210]
    fc = forward_rate_forecast(spot, fwd, origins, 1)
    np.testing.assert_allclose(fc, 100 * np.log(fwd / spot).loc[origins])
    assert fc.index.equals(spot.index[201:211]) and fc.name == "forward_rate"
    with pytest.raises(DataValidationError, match="not on the same dates"):
        forward_rate_forecast(spot, fwd.iloc[1:], origins, 1)


def test_fama_regression_and_slope_find_a_negative_slope_and_reject_uip():
    spot, fwd = _spot_forward(b=-1.0)
    s = fama_slope(spot, fwd, spot.index[250], 1)
    assert isinstance(s, FamaSlope) and s.n == 249
    assert -1.2 < s.beta < -0.8 and s.pvalue_vs_one < 1e-6 and s.pvalue_vs_zero < 1e-6
    assert "rejected" in fama_reading(s, "gbp", 1) and "puzzle" in fama_reading(s, "gbp", 1)
    # the sign is read with its test: a negative slope that 0 does not reject is no puzzle
    weak = FamaSlope(beta=-0.5, se=1.0, pvalue_vs_one=0.13, pvalue_vs_zero=0.62, n=100)
    assert "negative, not significantly different from 0" in fama_reading(weak, "gbp", 1)
    assert "puzzle" not in fama_reading(weak, "gbp", 1)
    strong = FamaSlope(beta=0.9, se=0.1, pvalue_vs_one=0.3, pvalue_vs_zero=1e-6, n=100)
    assert "significantly positive" in fama_reading(strong, "gbp", 1)
    origins = spot.index[250:290]
    fc = fama_regression_forecast(spot, fwd, origins, 1)
    premium = 100 * np.log(fwd / spot).loc[origins].to_numpy()
    assert np.corrcoef(fc, premium)[0, 1] < -0.99
    # UIP holds (b = 1): the slope is not rejected against 1
    spot1, fwd1 = _spot_forward(b=1.0, seed=3)
    assert fama_slope(spot1, fwd1, spot1.index[250], 1).pvalue_vs_one > 0.01
    # leakage: data after an origin do not move its forecast
    late = spot.copy()
    late.iloc[271:] *= 1.2
    pd.testing.assert_series_equal(
        fama_regression_forecast(late, fwd, origins[:20], 1), fc.iloc[:20]
    )


def _comparison(oracle_noise=0.2, trained=True, informative=True):
    y = _ar_levels(phi=0.0, n=700, seed=4)
    rng = np.random.default_rng(9)
    actual, fcs = {}, {}
    for h in (1, 3):
        origins = forecast_origins(y.index, y.index[400], y.index[-1], h)
        a = actual_changes(y, origins, h)
        actual[h] = a
        fcs[h] = {
            "random_walk": zero_change_forecast(y, origins, h),
            "oracle": a * informative + rng.normal(0, oracle_noise, len(a)),
            "guess": pd.Series(rng.normal(0, 0.5, len(a)), index=a.index),
        }
    return compare_change_forecasts(
        actual, fcs, nested=["oracle", "guess"], trained={"guess": trained}, seed=0
    )


def test_compare_change_forecasts_finds_the_oracle_and_adjusts_over_horizons():
    comps = _comparison()
    table = change_forecast_table(comps)
    for h in (1, 3):
        row = table.loc[(h, "oracle")]
        assert row["verdict"] == "significantly better than random_walk"
        assert row["rmse_ratio"] < 0.5 and row["cw_pvalue_holm"] < 0.001
        noise = table.loc[(h, "guess")]
        assert noise["dm_pvalue_holm"] >= noise["dm_pvalue"]
        assert noise["cw_pvalue_holm"] >= noise["cw_pvalue"]
    m = change_forecast_metrics(comps, suffix="_monthly")
    assert m["oracle_vs_random_walk.cw_pvalue_holm_h3_monthly"] < 0.001
    assert m["random_walk.rmse_ratio_h1_monthly"] == 1.0
    assert all(k.endswith("_monthly") and k.count(".") == 1 for k in m)
    text = change_forecast_reading(comps, unit="month")
    assert "at some horizon (Holm): oracle." in text and "(Clark-West, Holm; " in text
    # the noise forecast loses significantly: the summary says so (the per-horizon lines carry its numbers)
    assert "3 months ahead" in text
    assert text.split("\n\n")[-1].endswith(
        "worse than random_walk at some horizon (DM, Holm): guess."
    )
    # each model's words are the table's verdict (Clark-West decides "better" for the nested models)
    for (_h, model), row in table.iterrows():
        if model != "random_walk":
            assert (
                f"{model} RMSE {row['rmse_ratio']:.3f} times random_walk's, {row['verdict']} ("
                in text
            )


def test_untrained_models_are_left_out_and_no_winner_is_said_when_none():
    comps = _comparison(oracle_noise=0.5, trained=False, informative=False)
    table = change_forecast_table(comps)
    assert table.loc[(1, "guess"), "verdict"] == "did not train (not interpreted)"
    assert np.isnan(table.loc[(1, "guess"), "cw_pvalue_holm"])
    text = change_forecast_reading(comps)
    assert "guess did not train (not interpreted)" in text
    # the untrained network is not a candidate of the MCS, and not counted among the models that fail
    assert "guess" not in comps[1].mcs.included and comps[1].mcs.excluded == ("guess",)
    assert "; not a candidate: guess (untrained)." in text
    summary = text.split("\n\n")[-1]
    assert summary.startswith("No trained model beats random_walk at any horizon")
    assert "holds among the models read" in summary
    assert summary.endswith("Not read (did not train): guess.")
    # the reading says itself which models did not train: a display label that carries the mark is refused
    # (it would be said twice); a plain display name is used everywhere, marked once where the MCS leaves it out
    with pytest.raises(
        ValueError, match="change_forecast_reading: labels of \\['guess'\\] carry the"
    ):
        change_forecast_reading(comps, {"guess": "guess (untrained)"})
    labelled = change_forecast_reading(comps, {"guess": "Guess net"})
    assert "Guess net did not train (not interpreted)" in labelled
    assert labelled.endswith("Not read (did not train): Guess net.")
    assert "; not a candidate: Guess net (untrained)." in labelled
    # a forecast that holds the outcome under heavy noise: DM says worse, Clark-West finds its content
    text = change_forecast_reading(_comparison(oracle_noise=50.0))
    assert "oracle RMSE" in text and "significantly worse than random_walk (DM Holm p" in text
    assert "at some horizon (Holm): none." in text and "Clark-West, Holm" in text
    # significant losses are read like wins, in the summary too
    assert text.endswith(
        "Significantly worse than random_walk at some horizon (DM, Holm): guess, oracle."
    )
    noise = change_forecast_reading(_comparison(oracle_noise=50.0, informative=False))
    assert "No model beats random_walk at any horizon" in noise
    assert noise.endswith("(DM, Holm): guess, oracle.")


def test_compare_change_forecasts_rejects_misaligned_inputs():
    y = _ar_levels()
    o = y.index[500:600]
    a = actual_changes(y, o, 1)
    with pytest.raises(ValueError, match="same horizons"):
        compare_change_forecasts({1: a}, {2: {"random_walk": a * 0}})
    with pytest.raises(ValueError, match="lacks the benchmark"):
        compare_change_forecasts({1: a}, {1: {"ar": a * 0.5}})
    with pytest.raises(DataValidationError, match="not on the same dates"):
        compare_change_forecasts({1: a}, {1: {"random_walk": a * 0, "ar": a.iloc[1:]}})
    with pytest.raises(TypeError, match="compare_change_forecasts"):
        change_forecast_table({1: "not a comparison"})


def test_log_level_refuses_non_positive_rates():
    s = pd.Series([1.0, 2.0, 0.0], index=DAYS[:3])
    with pytest.raises(DataValidationError, match="positive"):
        log_level(s)


# ----------------------------------------------------------------------------------------------------------
# tails
# ----------------------------------------------------------------------------------------------------------


def test_hill_recovers_a_pareto_tail_index():
    rng = np.random.default_rng(0)
    x = rng.pareto(3.0, 20_000) + 1  # P(X > x) = x^-3
    assert hill_tail_index(x, 1000) == pytest.approx(3.0, rel=0.1)
    t = rng.standard_t(4, 20_000)
    assert hill_tail_index(-t, 500) < hill_tail_index(-rng.normal(size=20_000), 500)
    with pytest.raises(DataValidationError, match="k < n"):
        hill_tail_index(x[:10], 10)


def test_extremal_index_counts_clusters_per_exceedance():
    isolated = np.zeros(100)
    isolated[[5, 30, 60, 90]] = 1
    assert extremal_index(isolated) == 1.0
    bursts = np.zeros(100)
    bursts[[10, 11, 12, 50, 51, 52]] = 1
    assert extremal_index(bursts) == pytest.approx(2 / 6)
    assert np.isnan(extremal_index(np.zeros(10)))


def test_event_window_and_tail_statistics_see_a_fat_tailed_window():
    idx = pd.bdate_range("1984-01-02", "1987-05-29")
    rng = np.random.default_rng(3)
    r = pd.Series(rng.normal(0, 0.6, len(idx)), index=idx)
    mask = event_window(idx, PLAZA_ACCORD, 3)
    assert mask.index[mask][0] >= pd.Timestamp("1985-06-22") and mask.index[mask][
        -1
    ] <= pd.Timestamp("1985-12-22")
    r[mask] = rng.standard_t(3, int(mask.sum())) * 0.6  # fat tails in the window
    t = tail_statistics(r, {"event": mask, "rest": ~mask})
    assert t.loc["event", "excess_kurtosis"] > t.loc["rest", "excess_kurtosis"]
    assert t.loc["event", "hill_left"] < t.loc["rest", "hill_left"]
    assert t.loc["event", "exceed_rate"] > t.loc["rest", "exceed_rate"]
    assert t.loc["rest", "n"] + t.loc["event", "n"] == len(r)
    assert pd.api.types.is_integer_dtype(t["n"])  # a count of days, not a float
    text = tail_reading(t, "event", "rest", what="test, ")
    assert text.startswith("test, event (") and "excess kurtosis" in text
    with pytest.raises(DataValidationError, match="no date within"):
        event_window(idx, "1990-01-01", 2)
    assert not event_window(idx, "1990-01-01", 2, allow_empty=True).any()


def test_placebo_rank_puts_a_volatile_window_at_the_top():
    idx = pd.bdate_range("1980-01-01", periods=1500)
    rng = np.random.default_rng(8)
    r = pd.Series(rng.normal(0, 1, len(idx)), index=idx)
    mask = pd.Series(False, index=idx)
    mask.iloc[700:800] = True
    r[mask] *= 3
    res = placebo_rank(r, mask, np.std, step=10)
    assert res["share_above"] == 0.0 and res["n_windows"] > 100
    assert res["observed"] == pytest.approx(r[mask].std(ddof=0))
    # the annualised volatility of the placebo ranking is the table's (ddof 1): one figure, not two
    vol = placebo_rank(r, mask, annualised_volatility, step=10)["observed"]
    table = tail_statistics(r, {"event": mask, "rest": ~mask})
    assert vol == pytest.approx(table.loc["event", "vol_ann"], rel=1e-12)
    assert vol == pytest.approx(r[mask].std() * np.sqrt(252))
    with pytest.raises(DataValidationError, match="annualised_volatility: returns"):
        annualised_volatility([1.0])
    gap = mask.copy()
    gap.iloc[750] = False
    with pytest.raises(DataValidationError, match="contiguous"):
        placebo_rank(r, gap, np.std)


# ----------------------------------------------------------------------------------------------------------
# data: the forward rates and returns of any registry series (notebook 02 accepts "fx_rates:<currency>")
# ----------------------------------------------------------------------------------------------------------


def test_fx_forward_is_dated_and_consistent():
    fw = load("fx_forward")
    assert len(fw) == 276 and fw.index[0] == pd.Timestamp("1979-01-01")
    assert fw.index[-1] == pd.Timestamp("2001-12-01")
    # the euro's launch week (January 1999) traded near 1.17 dollars; the pound's low was in early 1985
    assert fw.loc["1999-01-01", "spot_eur"] == pytest.approx(1.172, abs=0.005)
    assert fw["spot_gbp"].idxmin() == pd.Timestamp("1985-03-01")
    # forwards are within a few per cent of spot (covered interest parity), never a different currency's rate
    for c in ["gbp", "eur"]:
        assert (np.log(fw[f"fwd3m_{c}"] / fw[f"spot_{c}"]).abs() < 0.05).all()


def test_load_prices_and_returns_of_a_dataset_column():
    gbp = load_prices("fx_rates:gbp")
    assert gbp.name == "fx_rates:gbp" and gbp.iloc[0] == pytest.approx(2.249)
    r = load_returns("fx_rates:gbp", start="1985-01-01")
    assert r.index[0] > pd.Timestamp("1985-01-01")
    np.testing.assert_allclose(r, 100 * np.diff(np.log(gbp.loc["1985-01-01":])))
    panel = load_price_panel(["fx_rates:dem", "fx_rates:gbp"])
    assert list(panel.columns) == ["fx_rates:dem", "fx_rates:gbp"]
    with pytest.raises(KeyError, match="has no column 'usd'"):
        load_prices("fx_rates:usd")
    with pytest.raises(DataValidationError, match="not a price level"):
        load_prices("fama_french:mkt_rf")
    with pytest.raises(ValueError, match="not a time series"):
        load_prices("german_credit:credit_amount")


def test_notebook_02_var_pipeline_runs_on_a_currency():
    """Issue 14: notebook 02 takes ``dataset = "fx_rates:<currency>"`` (its returns come from load_prices); the
    classical models and backtests run on 1980s FX returns."""
    from finrisk_utils.market import backtest_var, run_var_window

    returns = load_returns("fx_rates:dem")
    fcs, deep = run_var_window(
        returns, confidence=0.99, test_start="1986-01-01", test_end="1986-12-31"
    )
    assert not deep and {"hs", "garch_skewt", "ewma", "linear_quantile"} <= set(fcs)
    test = returns.loc["1986-01-01":"1986-12-31"]
    for fc in fcs.values():
        b = backtest_var(test.loc[fc.var.index], fc)
        assert b.kupiec.n == len(test) and 0 <= b.kupiec.exceptions < 20
        # a dollar-rate VaR at 99% is around 2.3 daily sd (about 0.7-0.8% in the 1980s), not an equity VaR
        assert 0.8 < fc.var.mean() < 3.5


def test_an_untrained_model_is_no_candidate_of_the_mcs_and_is_marked_once():
    """An untrained model whose forecasts are the random walk's plus a hair of noise would stay in the MCS; it is
    not a candidate (the set is over the trained models), and the MCS sentence marks it once."""
    y = _ar_levels(phi=0.0, n=700, seed=4)
    origins = forecast_origins(y.index, y.index[400], y.index[-1], 1)
    a = actual_changes(y, origins, 1)
    rw = zero_change_forecast(y, origins, 1)
    near = rw + np.random.default_rng(1).normal(0, 1e-4, len(rw))
    comps = compare_change_forecasts(
        {1: a}, {1: {"random_walk": rw, "lstm": near}}, trained={"lstm": False}, seed=0
    )
    assert comps[1].mcs.included == ("random_walk",) and comps[1].mcs.excluded == ("lstm",)
    text = change_forecast_reading(comps)
    assert "MCS keeps random_walk; not a candidate: lstm (untrained)." in text
    assert "lstm did not train (not interpreted)" in text and "(untrained) (untrained)" not in text


def _exceptions_frame() -> tuple[pd.DataFrame, np.ndarray]:
    """Six test days, the first two in the event window; garch misses twice there, hs once, net never."""
    idx = pd.bdate_range("1985-09-20", periods=6)
    exc = pd.DataFrame(
        {
            "garch_skewt": [True, True, False, False, False, True],
            "hs": [True, False, False, False, False, False],
            "lstm_quantile": [False] * 6,
        },
        index=idx,
    )
    return exc, np.array([True, True, False, False, False, False])


def test_event_exceptions_counts_each_period_and_the_expected_number():
    exc, mask = _exceptions_frame()
    table = event_exceptions(exc, mask, 0.99)
    assert table.loc["garch_skewt"].tolist() == [2.0, 1.0] and table.loc["hs"].tolist() == [
        1.0,
        0.0,
    ]
    assert table.loc["expected"].tolist() == pytest.approx([0.02, 0.04])
    assert table.attrs == {"days_event": 2, "days_rest": 4}
    with pytest.raises(ValueError, match="event_exceptions: no test day falls in the event window"):
        event_exceptions(exc, np.zeros(6, bool), 0.99)
    with pytest.raises(
        ValueError, match="in_event must be a boolean array with one entry per test day"
    ):
        event_exceptions(exc, mask[:5], 0.99)
    with pytest.raises(TypeError, match="exceptions must hold booleans"):
        event_exceptions(exc.astype(int), mask, 0.99)
    with pytest.raises(ValueError, match="confidence"):
        event_exceptions(exc, mask, 1.5)


def test_event_exceptions_reading_ranges_over_trained_models_and_names_the_untrained():
    exc, mask = _exceptions_frame()
    table = event_exceptions(exc, mask, 0.99)
    text = event_exceptions_reading(table, {"lstm_quantile": False}, 3)
    assert "within 3 months of the event (2 days, 0.0 exceptions expected)" in text
    assert (
        "range from 1 (hs) to 2 (garch_skewt)" in text
    )  # the untrained net's 0 is not the minimum
    assert "other 4 test days (0.0 expected) from 0 (hs) to 1 (garch_skewt)" in text
    assert text.endswith("Untrained (not interpreted): lstm_quantile.")
    both = event_exceptions_reading(table, {}, 3)
    assert "range from 0 (lstm_quantile) to 2 (garch_skewt)" in both and "Untrained" not in both
    tie = event_exceptions_reading(event_exceptions(exc[["hs"]], mask, 0.99), {}, 3)
    assert "range 1 for every trained model" in tie
    none = event_exceptions_reading(
        table, dict.fromkeys(["garch_skewt", "hs", "lstm_quantile"], False), 3
    )
    assert none.startswith("No model trained")
    with pytest.raises(
        TypeError, match="event_exceptions_reading: table must come from event_exceptions"
    ):
        event_exceptions_reading(exc, {}, 3)


def test_event_tails_reading_quotes_every_currency_event_against_rest():
    row = lambda vol, kurt: {"vol_ann": vol, "excess_kurtosis": kurt}  # noqa: E731
    tails = {
        "jpy": pd.DataFrame({"event": row(14.04, 3.26), "rest": row(9.5, 1.04)}).T,
        "dem": pd.DataFrame({"event": row(12.0, 0.5), "rest": row(11.0, 2.0)}).T,
    }
    text = event_tails_reading(tails, "jpy")
    assert "only for jpy does the placebo rank" in text
    assert "annualised volatility jpy 14.0% vs 9.5%, dem 12.0% vs 11.0%" in text
    assert "excess kurtosis jpy 3.3 vs 1.0, dem 0.5 vs 2.0." in text
    with pytest.raises(ValueError, match=r"tails\['dem'\] must have rows 'event' and 'rest'"):
        event_tails_reading({"dem": tails["dem"].drop(index="rest")}, "dem")
    with pytest.raises(TypeError, match="tails must map each currency"):
        event_tails_reading({}, "jpy")


def test_tail_standard_errors_shrink_with_more_days_and_keep_clusters():
    """Bootstrap standard errors of volatility (%, annualised) and excess kurtosis per group: close to the
    textbook s.e. of a standard deviation for independent normal days (sigma sqrt(252) / sqrt(2n)), smaller for
    the longer group, reproducible with a seed; bad arguments refused."""
    rng = np.random.default_rng(0)
    r = pd.Series(rng.standard_normal(2400), index=pd.bdate_range("1980-01-01", periods=2400))
    short = pd.Series(np.arange(2400) < 400, index=r.index)
    se = tail_standard_errors(r, {"short": short, "long": ~short}, block=1, reps=400, seed=1)
    assert list(se.columns) == ["vol_ann_se", "excess_kurtosis_se"]
    textbook = np.sqrt(252) / np.sqrt(2 * 400)
    assert 0.7 * textbook < se.loc["short", "vol_ann_se"] < 1.3 * textbook
    assert se.loc["long", "vol_ann_se"] < se.loc["short", "vol_ann_se"]
    assert se.loc["long", "excess_kurtosis_se"] < se.loc["short", "excess_kurtosis_se"]
    again = tail_standard_errors(r, {"short": short, "long": ~short}, block=1, reps=400, seed=1)
    pd.testing.assert_frame_equal(se, again)
    with pytest.raises(ValueError, match="tail_standard_errors: block"):
        tail_standard_errors(r, {"short": short}, block=0)
    with pytest.raises(DataValidationError, match="group 'tiny' has 10 days"):
        tail_standard_errors(r, {"tiny": pd.Series(np.arange(2400) < 10, index=r.index)})
    with pytest.raises(DataValidationError, match=r"groups\['x'\] must be a boolean Series"):
        tail_standard_errors(r, {"x": short.iloc[1:]})


def test_event_tails_reading_carries_standard_errors_when_given():
    row = lambda vol, kurt: {"vol_ann": vol, "excess_kurtosis": kurt}  # noqa: E731
    se_row = lambda vol, kurt: {"vol_ann_se": vol, "excess_kurtosis_se": kurt}  # noqa: E731
    tails = {"jpy": pd.DataFrame({"event": row(14.04, 3.26), "rest": row(9.5, 1.04)}).T}
    se = {"jpy": pd.DataFrame({"event": se_row(1.21, 0.9), "rest": se_row(0.3, 0.25)}).T}
    text = event_tails_reading(tails, "jpy", se=se)
    assert (
        "stationary-bootstrap standard errors in brackets" in text and "point estimates" not in text
    )
    assert "annualised volatility jpy 14.0% (s.e. 1.2 pp) vs 9.5% (s.e. 0.3 pp)" in text
    assert "excess kurtosis jpy 3.3 (s.e. 0.9) vs 1.0 (s.e. 0.2)." in text
    # volatility gap 4.54 / hypot(1.21, 0.3) = 3.6 s.e.: read; kurtosis 2.22 / hypot(0.9, 0.25) = 2.4 s.e.: read
    assert text.endswith(
        "as more than noise: volatility: jpy (+3.6 s.e.); excess kurtosis: jpy (+2.4 s.e.)."
    )
    narrow = {"jpy": se["jpy"] * 2}
    assert "volatility: none; excess kurtosis: none." in event_tails_reading(
        tails, "jpy", se=narrow
    )
    assert "more than noise" not in event_tails_reading(tails, "jpy")
    with pytest.raises(ValueError, match=r"se\['jpy'\] must come from tail_standard_errors"):
        event_tails_reading(tails, "jpy", se={"dem": se["jpy"]})
