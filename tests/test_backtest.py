"""VaR/ES backtests against hand-computed values and published worked examples."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from finrisk_utils.forecasting.metrics import fz0_score, pinball_loss
from finrisk_utils.market.backtest import (
    acerbi_szekely_z2,
    backtest_metrics,
    backtest_table,
    backtest_var,
    benchmark_goals,
    christoffersen,
    exceptions_of,
    kupiec_pof,
    traffic_light,
    zone_label,
)
from finrisk_utils.market.riskmeasures import RiskForecast


def hits(n, at):
    h = np.zeros(n, dtype=bool)
    h[list(at)] = True
    return h


def test_kupiec_hand_computed_zero_exceptions():
    # LR = -2 * 250 * ln(0.99) = 5.0252; p = chi2(1).sf(5.0252) = 0.0250
    res = kupiec_pof(np.zeros(250, dtype=bool), 0.01)
    assert res.statistic == pytest.approx(-500 * np.log(0.99))
    assert res.pvalue == pytest.approx(stats.chi2.sf(-500 * np.log(0.99), 1))
    assert res.exceptions == 0 and res.expected == pytest.approx(2.5)


def test_kupiec_all_exceptions_and_exact_rate():
    all_hit = kupiec_pof(np.ones(100, dtype=bool), 0.05)
    assert all_hit.statistic == pytest.approx(-200 * np.log(0.05)) and all_hit.pvalue < 1e-50
    exact = kupiec_pof(hits(100, range(5)), 0.05)
    assert exact.statistic == pytest.approx(0.0, abs=1e-12) and exact.pvalue == pytest.approx(1.0)


@pytest.mark.parametrize(
    "n, accepted, rejected",
    [(1000, [5, 16], [4, 17]), (510, [2, 10], [1, 11]), (252, [6], [7])],
)
def test_kupiec_reproduces_jorion_nonrejection_regions(n, accepted, rejected):
    """Jorion, Value at Risk (3rd ed.), Table 6-3, p = 0.01 at the 95% test level: T=252: N < 7;
    T=510: 1 < N < 11; T=1000: 4 < N < 17."""
    for x in accepted:
        assert kupiec_pof(hits(n, range(x)), 0.01).pvalue > 0.05, x
    for x in rejected:
        assert kupiec_pof(hits(n, range(x)), 0.01).pvalue < 0.05, x


def test_christoffersen_counts_and_hand_computed_lr():
    # sequence 0 0 1 1 0 0 0 1 0 0: transitions n00=4, n01=2, n10=2, n11=1
    h = np.array([0, 0, 1, 1, 0, 0, 0, 1, 0, 0], dtype=bool)
    res = christoffersen(h, 0.1)
    assert (res.n00, res.n01, res.n10, res.n11) == (4, 2, 2, 1)
    pi01, pi11, pi = 2 / 6, 1 / 3, 3 / 9
    l0 = 6 * np.log(1 - pi) + 3 * np.log(pi)
    l1 = 4 * np.log(1 - pi01) + 2 * np.log(pi01) + 2 * np.log(1 - pi11) + np.log(pi11)
    assert res.lr_ind == pytest.approx(-2 * (l0 - l1), abs=1e-12)
    assert res.lr_cc == pytest.approx(kupiec_pof(h, 0.1).statistic + res.lr_ind)
    assert res.pvalue_cc == pytest.approx(stats.chi2.sf(res.lr_cc, 2))


def test_christoffersen_detects_clusters_and_handles_edges():
    clustered = hits(500, range(100, 110))
    spread = hits(500, range(0, 500, 50))
    assert christoffersen(clustered, 0.02).pvalue_ind < 1e-6
    assert christoffersen(spread, 0.02).pvalue_ind > 0.5
    none = christoffersen(np.zeros(250, dtype=bool), 0.01)
    assert none.lr_ind == 0 and none.pvalue_ind == 1 and 0 < none.pvalue_cc < 1
    every = christoffersen(np.ones(50, dtype=bool), 0.01)
    assert every.lr_ind == 0 and every.pvalue_cc < 1e-10
    last_only = christoffersen(hits(100, [99]), 0.01)
    assert last_only.n10 + last_only.n11 == 0 and np.isfinite(last_only.lr_ind)
    with pytest.raises(ValueError, match="at least 2"):
        christoffersen(np.array([True]), 0.01)


@pytest.mark.parametrize(
    "x, zone, plus",
    [
        (0, "green", 0.0),
        (4, "green", 0.0),
        (5, "yellow", 0.40),
        (6, "yellow", 0.50),
        (7, "yellow", 0.65),
        (8, "yellow", 0.75),
        (9, "yellow", 0.85),
        (10, "red", 1.0),
        (15, "red", 1.0),
    ],
)
def test_basel_traffic_light_250_days(x, zone, plus):
    tl = traffic_light(x, 250, 0.01)
    assert (tl.zone, tl.plus_factor) == (zone, plus)


def test_traffic_light_other_levels_and_bad_input():
    tl = traffic_light(20, 250, 0.05)  # binomial rule still applies; no Basel plus factor
    assert tl.zone == "yellow" and tl.plus_factor is None
    assert traffic_light(4, 250, 0.01).cumulative_probability == pytest.approx(0.8922, abs=1e-4)
    with pytest.raises(ValueError, match="exceptions must be"):
        traffic_light(300, 250)
    with pytest.raises(ValueError, match="alpha"):
        traffic_light(1, 250, 0.99)


def test_zone_label_names_a_partial_year():
    """A zone on fewer than 240 days is the binomial rule at that n, not Basel's 250 days: the label says so."""
    assert (
        zone_label(traffic_light(3, 250)) == "green"
        and zone_label(traffic_light(3, 250), True) == "G3"
    )
    part = traffic_light(3, 97)
    assert zone_label(part) == f"{part.zone} (97 days)" and zone_label(part, short=True).endswith(
        "3/97d"
    )
    idx = pd.bdate_range("2017-01-02", periods=300)  # 2017 in full, 40 days of 2018
    y = pd.Series(np.random.default_rng(4).standard_normal(300), index=idx)
    row = backtest_table([backtest_var(y, _forecast("good", 2.326, 2.665, idx), n_sim=200)]).iloc[0]
    first, second = row["zones_by_year"].split()
    assert first.startswith("2017:") and "/" not in first and second.endswith("/40d")


def test_pinball_loss_hand_computed():
    y, q = np.array([-3.0, 1.0]), np.array([-2.0, -2.0])
    np.testing.assert_allclose(pinball_loss(y, q, 0.01), [(0.01 - 1) * -1.0, 0.01 * 3.0])


def test_fz0_prefers_the_true_var_es():
    rng = np.random.default_rng(0)
    y = rng.standard_normal(200_000)
    alpha = 0.025
    z = stats.norm.ppf(alpha)
    true_var, true_es = -z, stats.norm.pdf(z) / alpha
    score = lambda v, e: fz0_score(y, np.full(y.size, v), np.full(y.size, e), alpha).mean()  # noqa: E731
    best = score(true_var, true_es)
    assert best < score(true_var * 1.2, true_es * 1.2)
    assert best < score(true_var * 0.8, true_es * 0.8)
    assert best < score(true_var, true_es * 1.3)
    with pytest.raises(ValueError, match="positive"):
        fz0_score(y[:2], np.ones(2), np.array([1.0, -1.0]), alpha)


def test_z2_is_near_zero_when_the_forecast_is_right_and_negative_when_risk_is_underestimated():
    rng = np.random.default_rng(1)
    alpha, n = 0.025, 2000
    z = stats.norm.ppf(alpha)
    var, es = np.full(n, -z), np.full(n, stats.norm.pdf(z) / alpha)
    right = acerbi_szekely_z2(rng.standard_normal(n), var, es, alpha, n_sim=2000)
    assert abs(right.z2) < 0.3 and right.pvalue > 0.05 and not right.reject_5pct
    under = acerbi_szekely_z2(1.6 * rng.standard_normal(n), var, es, alpha, n_sim=2000)
    assert under.z2 < -0.5 and under.reject_5pct and under.pvalue < 0.01
    # Acerbi and Szekely report a 5% critical value of about -0.7 for Z2 at 97.5%, T = 250
    small = acerbi_szekely_z2(rng.standard_normal(250), var[:250], es[:250], alpha, n_sim=5000)
    assert -0.9 < small.critical_value_5pct < -0.5


def test_z2_no_exceptions_gives_one_and_bad_input():
    res = acerbi_szekely_z2(np.zeros(100), np.ones(100), np.full(100, 1.5), 0.01, n_sim=200)
    assert res.z2 == 1.0 and not res.reject_5pct
    with pytest.raises(ValueError, match="ES at least VaR"):
        acerbi_szekely_z2(np.zeros(3), np.ones(3), np.full(3, 0.5), 0.01)


def _forecast(name, var, es, idx, confidence=0.99):
    return RiskForecast(name, confidence, pd.Series(var, index=idx), pd.Series(es, index=idx))


def test_backtest_var_table_and_metrics():
    idx = pd.bdate_range("2017-01-02", periods=520)
    rng = np.random.default_rng(2)
    y = pd.Series(rng.standard_normal(520), index=idx)
    good = _forecast("good", 2.326, 2.665, idx)
    thin = _forecast("thin", 1.0, 1.2, idx)
    results = [backtest_var(y, good, n_sim=500), backtest_var(y, thin, n_sim=500)]
    table = backtest_table(results)
    assert list(table.index) == ["good", "thin"]
    assert table.loc["thin", "exceptions"] > table.loc["good", "exceptions"]
    assert set(results[0].zones_by_year) == {2017, 2018}
    assert table.loc["thin", "zone_last_250"] == "red"
    m = backtest_metrics(results, suffix="_p")
    assert (
        m["good.exceptions_p"] == results[0].kupiec.exceptions
        and m["thin.traffic_light_p"] == "red"
    )
    assert {
        "good.kupiec_pvalue_p",
        "good.christoffersen_cc_pvalue_p",
        "good.es_z2_p",
        "good.fz0_p",
    } <= set(m)
    goals = benchmark_goals(results, ["good"], benchmark="thin")
    assert goals.loc[("good", "pinball <= thin's"), "met"]
    with pytest.raises(KeyError, match="no backtest"):
        benchmark_goals(results, ["lstm"], benchmark="thin")
    with pytest.raises(ValueError, match="same dates"):
        exceptions_of(y.iloc[1:], good)


def test_risk_forecast_validation():
    idx = pd.bdate_range("2020-01-01", periods=3)
    with pytest.raises(ValueError, match="ES must be at least VaR"):
        _forecast("x", 2.0, 1.0, idx)
    with pytest.raises(ValueError, match="NaN"):
        _forecast("x", np.nan, 1.0, idx)
    with pytest.raises(ValueError, match="confidence"):
        _forecast("x", 1.0, 2.0, idx, confidence=0.3)
    with pytest.raises(TypeError, match="confidence must be a float"):
        _forecast("x", 1.0, 2.0, idx, confidence="0.99")
