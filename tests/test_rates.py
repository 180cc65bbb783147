"""Bond maths and Nelson-Siegel factors against closed forms and bump-and-reprice."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils import rates
from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.rates import moment_comparison, moment_fit_reading
from finrisk_utils.rates.nelson_siegel import fit_nelson_siegel, nelson_siegel_loadings


def test_par_bond_prices_at_par_and_zero_duration_is_maturity():
    bond = rates.Bond(coupon=0.05, maturity=10, frequency=2)
    assert rates.price_from_yield(bond, 0.05) == pytest.approx(100.0, abs=1e-10)
    zero = rates.Bond(coupon=0.0, maturity=7, frequency=1)
    assert rates.macaulay_duration(zero, 0.03) == pytest.approx(7.0)
    assert rates.modified_duration(zero, 0.03) == pytest.approx(7.0 / 1.03)
    assert rates.price_from_yield(zero, 0.03) == pytest.approx(100 / 1.03**7)


@pytest.mark.parametrize(
    "coupon, maturity, freq, y", [(0.04, 5, 2, 0.045), (0.07, 30, 2, 0.03), (0.0, 2.5, 4, 0.06)]
)
def test_analytic_risk_measures_match_bump_and_reprice(coupon, maturity, freq, y):
    bond = rates.Bond(coupon, maturity, freq)
    p = lambda x: rates.price_from_yield(bond, x)  # noqa: E731
    h = 1e-5
    md_num = (p(y - h) - p(y + h)) / (2 * h * p(y))
    assert rates.modified_duration(bond, y) == pytest.approx(md_num, abs=1e-6)
    h = 1e-4
    cx_num = (p(y + h) + p(y - h) - 2 * p(y)) / (p(y) * h**2)
    assert rates.convexity(bond, y) == pytest.approx(cx_num, rel=1e-5)
    assert rates.dv01(bond, y) == pytest.approx((p(y - 5e-5) - p(y + 5e-5)), rel=1e-6)


def test_cashflows_and_bad_bond():
    t, c = rates.Bond(0.06, 1.25, 2).cashflows()
    np.testing.assert_allclose(t, [0.25, 0.75, 1.25])
    np.testing.assert_allclose(c, [3.0, 3.0, 103.0])
    with pytest.raises(ValueError, match="invalid bond"):
        rates.Bond(0.05, -1)


def test_curve_pricing_key_rates_and_irrbb():
    curve = rates.ZeroCurve((0.5, 1, 2, 5, 10, 30), (0.03, 0.031, 0.033, 0.036, 0.038, 0.04))
    zero5 = rates.Bond(0.0, 5, 1)
    assert rates.price_from_curve(zero5, curve) == pytest.approx(100 * np.exp(-0.036 * 5))
    book = {rates.Bond(0.04, 2): 1e6, rates.Bond(0.05, 10): 2e6, rates.Bond(0.0, 5, 1): 5e5}
    v0 = rates.portfolio_value(book, curve)
    krd = rates.key_rate_durations(book, curve)
    parallel = -(
        rates.portfolio_value(book, curve.shifted(lambda t: np.full_like(t, 1e-4))) - v0
    ) / (v0 * 1e-4)
    assert krd.sum() == pytest.approx(parallel, rel=1e-3)
    assert krd.loc[30] == pytest.approx(0.0, abs=1e-9)  # nothing in the book beyond 10 years
    shocks = rates.irrbb_shocks()
    assert set(shocks) == {
        "parallel_up",
        "parallel_down",
        "steepener",
        "flattener",
        "short_up",
        "short_down",
    }
    t = np.array([0.0, 30.0])
    np.testing.assert_allclose(shocks["short_up"](t), [0.03, 0.03 * np.exp(-7.5)])
    np.testing.assert_allclose(shocks["steepener"](np.array([0.0])), [-0.65 * 0.03])
    assert rates.portfolio_value(book, curve.shifted(shocks["parallel_up"])) < v0
    assert rates.portfolio_value(book, curve.shifted(shocks["parallel_down"])) > v0
    with pytest.raises(ValueError, match="increase strictly"):
        rates.ZeroCurve((1, 1), (0.01, 0.02))


def test_nelson_siegel_loadings_and_exact_fit():
    m = np.array([3, 12, 30, 60, 120, 360])
    load = nelson_siegel_loadings(m)
    assert (load[:, 0] == 1).all() and (np.diff(load[:, 1]) < 0).all()
    assert np.argmax(nelson_siegel_loadings(np.arange(1, 121))[:, 2]) + 1 == pytest.approx(
        30, abs=1
    )
    factors = pd.DataFrame({"level": [6.0, 7.0], "slope": [-2.0, -1.0], "curvature": [0.5, -0.3]})
    yields = pd.DataFrame(factors.to_numpy() @ load.T, columns=m)
    pd.testing.assert_frame_equal(fit_nelson_siegel(yields), factors, check_exact=False, atol=1e-10)
    with pytest.raises(ValueError, match="positive"):
        nelson_siegel_loadings([0, 12])


def test_bond_risk_table_and_eve_changes():
    bonds = {"par 5y": rates.Bond(0.05, 5), "zero 10y": rates.Bond(0.0, 10, 1)}
    table = rates.bond_risk_table(bonds, 0.05)
    assert table.loc["par 5y", "price"] == pytest.approx(100.0)
    assert table.loc["zero 10y", "modified_duration"] == pytest.approx(10 / 1.05)
    assert (table["max_rel_gap"] < 1e-5).all()  # rounding of the 0.1 bp central difference: ~1e-6
    curve = rates.ZeroCurve((1, 5, 10), (0.03, 0.035, 0.04))
    book = {rates.Bond(0.0, 10, 1): 1e6}
    eve = rates.eve_changes(book, curve, rates.irrbb_shocks())
    v0 = rates.portfolio_value(book, curve)
    assert eve["parallel_up"] == pytest.approx(v0 * (np.exp(-0.02 * 10) - 1))
    assert eve["parallel_down"] > -eve["parallel_up"] > 0  # convexity


def test_moment_comparison_and_reading_flag_what_the_generator_lacks():
    rng = np.random.default_rng(0)
    sim = pd.DataFrame(
        {"yield_mean": rng.normal(6, 1, 200), "change_ac1": rng.normal(0, 0.03, 200)}
    )
    real = pd.Series({"yield_mean": 5.5, "change_ac1": 0.11})
    table = moment_comparison(real, sim)
    assert table.loc["yield_mean", "sim_low"] == pytest.approx(sim["yield_mean"].quantile(0.05))
    assert table.loc["change_ac1", "real_percentile"] == pytest.approx(
        (sim["change_ac1"] < 0.11).mean()
    )
    assert table.loc["change_ac1", "real_percentile"] == 1.0
    text = moment_fit_reading(table)
    assert text.startswith("1 of 2 moments of the real curve lie inside the band")
    assert "change_ac1 0.110 (above the band" in text and "yield_mean" not in text.split(";")[1]
    assert moment_fit_reading(
        moment_comparison(pd.Series({"yield_mean": 5.5, "change_ac1": 0.0}), sim)
    ).endswith("none lies outside.")
    with pytest.raises(DataValidationError, match="moment_comparison: simulated's columns"):
        moment_comparison(real[::-1], sim)
    with pytest.raises(DataValidationError, match="moment_comparison"):
        moment_comparison(real, sim.iloc[:5])
