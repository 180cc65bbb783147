"""Inflation expectations in T-bill rates: Fisher and Mishkin regressions with HAC errors (known-structure
tests on simulated data), the information-set panel, the T-bill-implied and linear forecasts (no look-ahead),
the span aggregation and bad inputs."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.data import load
from finrisk_utils.forecasting import compare_forecasts, direct_ar_forecast
from finrisk_utils.inflation import (
    ExpectationsRegression,
    bill_panel,
    cpi_inflation,
    expectations_reading,
    expectations_regression,
    fisher_reading,
    fisher_regression,
    mishkin_regression,
    monthly_to_span,
    ols_direct_forecast,
    tbill_implied_forecast,
)


def simulate_fisher_world(n=1200, phi=0.9, mu=4.0, real=1.0, sd=2.0, premium_sd=0.0, seed=0):
    """Monthly inflation AR(1) around ``mu``; bills priced by the Fisher relation with rational expectations
    and a constant real rate ``real`` (plus, for the 3-month bill, an optional i.i.d. term premium); the table
    follows Mishkin's convention (row t: rates at the start of month t, inflation over the bill's life)."""
    rng = np.random.default_rng(seed)
    pi = np.empty(n + 3)
    pi[0] = mu
    for t in range(1, n + 3):
        pi[t] = mu + phi * (pi[t - 1] - mu) + sd * rng.standard_normal()
    idx = pd.date_range("1950-01-01", periods=n, freq="MS")
    t = np.arange(1, n + 1)  # row i uses month t = i + 1 so that pi[t - 1] exists
    exp = [mu + phi ** (k + 1) * (pi[t - 1] - mu) for k in range(3)]  # E[pi_{t+k} | up to t - 1]
    return pd.DataFrame(
        {
            "infl_1m": pi[t],
            "infl_3m": (pi[t] + pi[t + 1] + pi[t + 2]) / 3,
            "tbill_1m": real + exp[0],
            "tbill_3m": real + (exp[0] + exp[1] + exp[2]) / 3 + premium_sd * rng.standard_normal(n),
        },
        index=pd.DatetimeIndex(idx, name="date"),
    )


@pytest.fixture(scope="module")
def mishkin():
    return load("inflation_expectations")


def test_cpi_inflation_by_hand_and_the_cpi_fisher_regression():
    idx = pd.DatetimeIndex(pd.date_range("1960-01-01", periods=5, freq="MS"), name="date")
    table = pd.DataFrame({"cpi": [100.0, 101.0, 101.0, 102.0, 103.0]}, index=idx)
    one = cpi_inflation(table, 1)
    # month t's inflation is the change from the index of month t - 1 to month t, % a year
    assert np.isnan(one.iloc[0]) and one.iloc[1] == pytest.approx(1200 * np.log(1.01))
    assert one.iloc[2] == 0.0
    three = cpi_inflation(table, 3)
    # row of 1960-02: months Feb, Mar, Apr, from January's index to April's
    assert three.iloc[1] == pytest.approx(400 * np.log(102 / 100))
    assert three.iloc[-2:].isna().all()
    bad = table.assign(cpi=[100.0, -1.0, 101.0, 102.0, 103.0])
    with pytest.raises(
        ValueError, match="cpi_inflation: cpi must be positive and finite.*1960-02-01"
    ):
        cpi_inflation(bad, 1)
    # a Fisher world whose CPI index is built from its monthly inflation: the CPI-based slope is the same fit
    world = simulate_fisher_world(n=600, seed=3)
    world["cpi"] = 100 * np.exp(np.cumsum(world["infl_1m"] / 1200))
    cpi_fit = fisher_regression(world, 3, inflation="cpi")
    table_fit = fisher_regression(world, 3)
    assert cpi_fit.n == table_fit.n - 3  # the first row and the last two have no CPI-based rate
    assert cpi_fit.beta == pytest.approx(table_fit.beta, abs=0.05)
    with pytest.raises(ValueError, match="fisher_regression: inflation must be 'table' or 'cpi'"):
        fisher_regression(world, 1, inflation="core")


# ----------------------------------------------------------------------------------------------------------
# Regressions: known structure
# ----------------------------------------------------------------------------------------------------------


def test_hac_regression_recovers_the_slope_and_covers_it():
    """y = 1 + 0.7 x + MA(2) errors with a persistent x: the slope is recovered, the HAC interval covers the true
    slope about 95% of the time, and the classical interval, too narrow under the overlap, covers it less often."""
    rng = np.random.default_rng(3)
    n, reps, hits_hac, hits_ols = 240, 200, 0, 0
    idx = pd.date_range("1960-01-01", periods=n, freq="MS")
    for _ in range(reps):
        x = np.zeros(n)
        for t in range(1, n):
            x[t] = 0.9 * x[t - 1] + rng.standard_normal()
        e = rng.standard_normal(n + 2)
        u = e[2:] + e[1:-1] + e[:-2]  # MA(2): a 3-month target's overlapping forecast errors
        y = 1.0 + 0.7 * x + u
        fit = expectations_regression(pd.Series(y, idx), pd.Series(x, idx), overlap=3)
        hits_hac += abs(fit.beta - 0.7) < 1.96 * fit.beta_se
        hits_ols += abs(fit.beta - 0.7) < 1.96 * fit.ols_beta_se
    assert 0.88 <= hits_hac / reps <= 0.99
    assert hits_ols / reps < 0.9 and hits_ols < hits_hac
    big = 6000
    x = np.cumsum(rng.standard_normal(big)) * 0.05 + rng.standard_normal(big)
    y = 1.0 + 0.7 * x + rng.standard_normal(big)
    idx = pd.date_range("1500-01-01", periods=big, freq="MS")
    fit = expectations_regression(pd.Series(y, idx), pd.Series(x, idx))
    assert fit.beta == pytest.approx(0.7, abs=4 * fit.beta_se)
    assert fit.pvalue_beta1 < 1e-6 and fit.pvalue_beta0 < 1e-6
    assert fit.n == big and fit.lags >= 0 and 0 < fit.r2 < 1


def test_fisher_and_mishkin_slopes_are_one_in_a_fisher_world():
    """Rational expectations, constant real rate: Fama's slope and Mishkin's term-structure slope are one; a
    random term premium on the 3-month bill (a varying real-rate term structure) pulls Mishkin's slope to zero."""
    world = simulate_fisher_world(n=1500, seed=1)
    fisher = fisher_regression(world, 1)
    assert fisher.beta == pytest.approx(1.0, abs=3 * fisher.beta_se)
    assert fisher.alpha == pytest.approx(-1.0, abs=3 * fisher.alpha_se)  # minus the real rate
    assert fisher.pvalue_beta0 < 1e-6
    mishkin = mishkin_regression(world)
    assert mishkin.beta == pytest.approx(1.0, abs=3 * mishkin.beta_se)
    assert mishkin.pvalue_beta0 < 0.01
    assert mishkin.lags >= 2  # 3-month targets overlap by two months
    noisy = mishkin_regression(simulate_fisher_world(n=1500, premium_sd=3.0, seed=1))
    assert noisy.beta < 0.3 and noisy.pvalue_beta1 < 0.01


def test_regressions_on_the_data_use_the_rows_asked_for(mishkin):
    fit = fisher_regression(mishkin, 1, start="1953-01-01", end="1971-07-01")
    assert (fit.start, fit.end, fit.n) == (
        pd.Timestamp("1953-01-01"),
        pd.Timestamp("1971-07-01"),
        223,
    )
    # a bill rate carries inflation information: a positive slope, far from zero (Fama 1975's sample)
    assert 0.5 < fit.beta < 1.3 and fit.pvalue_beta0 < 1e-6
    row = fit.row()
    assert row["period"] == "1953-01 to 1971-07" and row["beta"] == fit.beta
    three = fisher_regression(mishkin, 3, end="1979-12-01")
    assert three.lags >= 2 and three.end == pd.Timestamp("1979-12-01")
    text = fisher_reading([fit, mishkin_regression(mishkin)])
    assert "Fisher, 1-month (1953-01 to 1971-07, n = 223)" in text and "Mishkin, 3m - 1m" in text
    assert ("rejects beta = 1" in text) or ("does not reject beta = 1" in text)


def test_reading_words_follow_the_pvalues():
    idx = pd.date_range("1960-01-01", periods=30, freq="MS")
    fit = ExpectationsRegression(
        "F", 0.0, 0.9, 0.1, 0.1, 0.1, 0.001, 0.30, 0.2, 30, 2, idx[0], idx[-1]
    )
    text = fisher_reading([fit])
    assert "does not reject beta = 1 (p = 0.300)" in text and "rejects beta = 0 (p = 0.001)" in text


def test_section_reading_follows_the_tests():
    idx = pd.date_range("1960-01-01", periods=150, freq="MS")
    fits = {
        ("early", "fisher_1m"): ExpectationsRegression(
            "F", 0.0, 0.5, 0.1, 0.1, 0.1, 1e-5, 1e-4, 0.2, 150, 4, idx[0], idx[-1]
        ),
        ("late", "fisher_1m"): ExpectationsRegression(
            "F", 0.0, 0.9, 0.1, 0.2, 0.1, 1e-4, 0.6, 0.2, 150, 4, idx[0], idx[-1]
        ),
        ("early", "mishkin_3m_1m"): ExpectationsRegression(
            "M", 0.0, 0.1, 0.1, 0.3, 0.3, 0.7, 0.01, 0.0, 150, 4, idx[0], idx[-1]
        ),
    }
    rng = np.random.default_rng(5)
    base = rng.chisquare(1, 150)
    losses = pd.DataFrame(
        {"random_walk": base, "linear_tbill": base * 0.98, "lstm_tbill": 3 * base + 1}, index=idx
    )

    def results(trained):
        flag = {"lstm_tbill": trained}
        return {
            ("random_walk", 1): compare_forecasts(
                losses, "random_walk", trained=flag, mcs_reps=200
            ),
            ("linear_tbill", 1): compare_forecasts(
                losses[["linear_tbill", "lstm_tbill"]], "linear_tbill", trained=flag, mcs_reps=200
            ),
        }

    text = expectations_reading(fits, results(True))
    assert "a one-for-one Fisher relation is rejected at 5% in: early." in text
    assert "early 0.50 (HAC se 0.10, p < 0.001); late 0.90 (HAC se 0.20, p = 0.600)" in text
    assert "in no period does the slope carry significant information" in text
    assert "**1-month bills.**" in text and "The MCS at 90% keeps" in text
    assert (
        "lstm_tbill's RMSE is 2." in text and "the network does worse than the linear model" in text
    )
    untrained = expectations_reading(fits, results(False))
    assert "lstm_tbill did not train, so it is not compared with linear_tbill" in untrained
    with pytest.raises(TypeError, match="ComparisonResult"):
        expectations_reading(fits, {("random_walk", 1): "table"})


# ----------------------------------------------------------------------------------------------------------
# Panel and forecasts
# ----------------------------------------------------------------------------------------------------------


def test_panel_dates_what_is_known_at_the_start_of_each_month(mishkin):
    p = bill_panel(mishkin)
    assert list(p.columns) == ["tbill_1m", "tbill_3m", "past_infl_1m", "past_infl_3m"]
    assert p.index[0] == pd.Timestamp("1950-05-01") and len(p) == len(mishkin) - 3
    d = pd.Timestamp("1975-06-01")
    assert (
        p.loc[d, "past_infl_1m"] == mishkin.loc["1975-05-01", "infl_1m"]
    )  # last month's inflation
    assert p.loc[d, "past_infl_3m"] == mishkin.loc["1975-03-01", "infl_3m"]  # March to May
    assert p.loc[d, "tbill_3m"] == mishkin.loc[d, "tbill_3m"]
    # infl_3m is the mean of three monthly rates, so the last three months' mean is past_infl_3m
    np.testing.assert_allclose(
        p["past_infl_1m"].rolling(3).mean().dropna(), p["past_infl_3m"].iloc[2:], atol=1e-5
    )
    # no look-ahead: changing the table from June 1975 on leaves every earlier row as it was
    altered = mishkin.copy()
    altered.loc[altered.index >= d] += 5.0
    q = bill_panel(altered)
    pd.testing.assert_frame_equal(p[p.index < d], q[q.index < d])
    assert p.loc[d, "past_infl_1m"] == q.loc[d, "past_infl_1m"]  # May's inflation is still May's


def test_tbill_implied_forecast_is_the_rate_minus_the_known_real_rate():
    world = simulate_fisher_world(n=400, seed=2)
    p = bill_panel(world)
    origins = p.index[200:300]
    for m in (1, 3):
        fc = tbill_implied_forecast(p, origins, m)
        assert fc.index.equals(p.index[200 + m : 300 + m])
        # constant real rate of 1: the forecast is the rational expectation up to the estimated mean
        expected = p[f"tbill_{m}m"].loc[origins].to_numpy() - 1.0
        assert np.abs(fc.to_numpy() - expected).max() < 0.35
    # by hand, with a 24-bill window, at one origin
    o = p.index[250]
    real = p["tbill_3m"].shift(3) - p["past_infl_3m"]
    by_hand = p.loc[o, "tbill_3m"] - real.loc[:o].iloc[-24:].mean()
    got = tbill_implied_forecast(p, pd.DatetimeIndex([o]), 3, window=24)
    assert got.iloc[0] == pytest.approx(by_hand)
    # no look-ahead: the future does not move the forecast
    altered = p.copy()
    altered.loc[altered.index > o] *= 3.0
    again = tbill_implied_forecast(altered, pd.DatetimeIndex([o]), 3, window=24)
    assert again.iloc[0] == pytest.approx(got.iloc[0])


def test_ols_direct_forecast_recovers_a_linear_rule_and_matches_the_direct_ar():
    rng = np.random.default_rng(4)
    n, h = 300, 3
    idx = pd.date_range("1960-01-01", periods=n, freq="MS")
    x = pd.DataFrame(rng.standard_normal((n, 2)), index=idx, columns=["a", "b"])
    y = pd.Series(np.nan, index=idx)
    y.iloc[h:] = 2 + 0.5 * x["a"].to_numpy()[:-h] - x["b"].to_numpy()[:-h]
    y.iloc[:h] = 0.0
    y += 0.01 * rng.standard_normal(n)
    origins = idx[200:280]
    fc = ols_direct_forecast(x, y, origins, h)
    truth = 2 + 0.5 * x["a"].loc[origins] - x["b"].loc[origins]
    assert fc.index.equals(idx[203:283])
    np.testing.assert_allclose(fc.to_numpy(), truth.to_numpy(), atol=0.02)
    # on the series itself, it is the direct AR(1)
    ar = direct_ar_forecast(y, origins, h, lags=1)
    np.testing.assert_allclose(ols_direct_forecast(y.to_frame(), y, origins, h), ar.to_numpy())
    # no look-ahead: targets after the origin do not enter the estimate
    altered = y.copy()
    altered[altered.index > origins[0]] = 100.0
    first = ols_direct_forecast(x, altered, origins[:1], h)
    assert first.iloc[0] == pytest.approx(fc.iloc[0])


def test_monthly_to_span_averages_the_monthly_forecasts(mishkin):
    p = bill_panel(mishkin)
    idx = p.index
    origins = np.arange(100, 140)
    perfect = {h: p[["past_infl_1m"]].iloc[origins + h] for h in (1, 2, 3)}  # forecasts = outcomes
    span = monthly_to_span(perfect, idx, 3)
    assert span.index.equals(idx[origins + 3])
    np.testing.assert_allclose(span, p["past_infl_3m"].iloc[origins + 3], atol=1e-5)
    one = monthly_to_span({1: perfect[1]["past_infl_1m"]}, idx, 1)
    np.testing.assert_allclose(one, p["past_infl_1m"].iloc[origins + 1])
    # a forecast at only some horizons drops the origins it lacks
    short = {**perfect, 2: perfect[2].iloc[5:]}
    assert len(monthly_to_span(short, idx, 3)) == len(origins) - 5


# ----------------------------------------------------------------------------------------------------------
# Bad inputs
# ----------------------------------------------------------------------------------------------------------


def test_bad_inputs(mishkin):
    p = bill_panel(mishkin)
    with pytest.raises(DataValidationError, match="missing column"):
        fisher_regression(mishkin.drop(columns="tbill_1m"), 1)
    with pytest.raises(DataValidationError, match="missing column"):
        fisher_regression(mishkin, 6)
    with pytest.raises(ValueError, match="maturity"):
        fisher_regression(mishkin, 0)
    with pytest.raises(ValueError, match="long"):
        mishkin_regression(mishkin, long=1, short=3)
    with pytest.raises(DataValidationError, match="need 24"):
        fisher_regression(mishkin, 1, start="1960-01-01", end="1960-12-01")
    with pytest.raises(ValueError, match="not a date"):
        fisher_regression(mishkin, 1, start="soon")
    idx = mishkin.index
    with pytest.raises(DataValidationError, match="constant"):
        expectations_regression(mishkin["infl_1m"], pd.Series(1.0, index=idx))
    with pytest.raises(DataValidationError, match="non-finite"):
        expectations_regression(mishkin["infl_1m"].where(idx != idx[7]), mishkin["tbill_1m"])
    with pytest.raises(DataValidationError, match="row 0"):
        expectations_regression(mishkin["infl_1m"].iloc[1:], mishkin["tbill_1m"].iloc[:-1])
    with pytest.raises(DataValidationError, match="monthly"):
        bill_panel(mishkin.drop(index=idx[10]))
    with pytest.raises(ValueError, match="distinct"):
        bill_panel(mishkin, (1, 1))
    with pytest.raises(DataValidationError, match="target 3 steps after"):
        tbill_implied_forecast(p, p.index[-2:], 3)
    with pytest.raises(DataValidationError, match="need 12"):
        tbill_implied_forecast(p, p.index[5:6], 3)
    with pytest.raises(ValueError, match="lack horizons"):
        monthly_to_span({1: p[["past_infl_1m"]]}, p.index, 3)
    with pytest.raises(DataValidationError, match="complete pairs"):
        ols_direct_forecast(p, p["past_infl_1m"], p.index[5:6], 1)
    with pytest.raises(TypeError, match="features"):
        ols_direct_forecast(p["tbill_1m"], p["past_infl_1m"], p.index[100:101], 1)
