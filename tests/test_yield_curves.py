"""The dynamic Nelson-Siegel generator and the Diebold-Li two-step forecast."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.forecasting.baselines import no_change_forecast
from finrisk_utils.rates.dns import dns_ar1_forecast
from finrisk_utils.rates.nelson_siegel import (
    FACTOR_NAMES,
    fit_nelson_siegel,
    maturity_label,
    nelson_siegel_curve,
)
from finrisk_utils.rates.simulate import (
    DIEBOLD_LI_FACTOR_DYNAMICS,
    YIELD_CURVE_MATURITIES,
    DNSParams,
    make_yield_curves,
)


def test_generator_is_deterministic_and_shaped():
    a, b = make_yield_curves(120, seed=7), make_yield_curves(120, seed=7)
    pd.testing.assert_frame_equal(a.yields, b.yields)
    assert not a.yields.equals(make_yield_curves(120, seed=8).yields)
    assert a.yields.shape == (120, 10) and list(a.factors.columns) == [
        "level",
        "slope",
        "curvature",
    ]
    assert a.yields.index.freqstr == "MS" and a.yields.index[0] == pd.Timestamp("1946-12-01")
    # the defaults mirror the real Treasury panel: 531 months, its ten maturities
    full = make_yield_curves(seed=7).yields
    assert full.shape == (531, 10) and list(full.columns) == [1, 2, 3, 5, 6, 11, 12, 36, 60, 120]
    assert full.index[-1] == pd.Timestamp("1991-02-01")
    assert np.isfinite(a.yields.to_numpy()).all()


def test_factor_dynamics_match_the_documented_parameters():
    """A long path: each factor's AR(1) estimate, mean and sd agree with the parameters within sampling
    error (standard errors from the AR(1) asymptotics, 4 se allowed)."""
    params = DIEBOLD_LI_FACTOR_DYNAMICS
    f = make_yield_curves(20_000, seed=1, params=params).factors.to_numpy()
    n = len(f)
    sd = params.stationary_sd()
    for k in range(3):
        phi_true = params.ar[k][k]
        phi_hat = np.polyfit(f[:-1, k], f[1:, k], 1)[0]
        assert abs(phi_hat - phi_true) < 4 * np.sqrt((1 - phi_true**2) / n)
        se_mean = sd[k] * np.sqrt((1 + phi_true) / (1 - phi_true) / n)
        assert abs(f[:, k].mean() - params.mean[k]) < 4 * se_mean
        assert f[:, k].std() == pytest.approx(sd[k], rel=0.08)
    np.testing.assert_allclose(sd, [1.524, 1.608, 1.687], rtol=1e-12)


def test_yields_are_the_nelson_siegel_curve_plus_measurement_noise():
    panel = make_yield_curves(
        2000, seed=2, params=DIEBOLD_LI_FACTOR_DYNAMICS, maturities=YIELD_CURVE_MATURITIES
    )
    resid = panel.yields - nelson_siegel_curve(panel.factors, panel.yields.columns)
    assert resid.to_numpy().std() == pytest.approx(0.08, rel=0.05)
    u = resid.to_numpy()
    assert abs((u[1:] * u[:-1]).sum() / (u[:-1] ** 2).sum()) < 0.03  # i.i.d. noise here
    est = fit_nelson_siegel(panel.yields)
    for name in est.columns:
        assert np.corrcoef(est[name], panel.factors[name])[0, 1] > 0.98


def test_measurement_noise_is_a_stationary_ar1():
    """The default (Treasury) dynamics have persistent measurement errors: sd and first-order
    autocorrelation of the simulated errors match ``measurement_sd`` and ``measurement_ar``."""
    params = make_yield_curves.__kwdefaults__["params"]
    panel = make_yield_curves(3000, seed=3)
    u = (panel.yields - nelson_siegel_curve(panel.factors, panel.yields.columns)).to_numpy()
    assert u.std() == pytest.approx(params.measurement_sd, rel=0.05)
    assert (u[1:] * u[:-1]).sum() / (u[:-1] ** 2).sum() == pytest.approx(
        params.measurement_ar, abs=0.03
    )
    # the first month is drawn from the stationary distribution too (no burn-in)
    first = np.array([make_yield_curves(2, seed=s).yields.iloc[0] for s in range(400)])
    assert first.std(axis=0).mean() > 1.0  # factor spread, not a fixed start


def test_params_are_validated():
    with pytest.raises(ValueError, match="measurement_ar"):
        DNSParams.from_ar1((7, -2, 0), (1, 1, 1), (0.9, 0.9, 0.9)).__class__(
            (7, -2, 0),
            ((0.9, 0, 0), (0, 0.9, 0), (0, 0, 0.9)),
            ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
            measurement_ar=1.0,
        )
    with pytest.raises(ValueError, match="not stationary"):
        DNSParams.from_ar1((7, -2, 0), (1, 1, 1), (1.0, 0.9, 0.9))
    with pytest.raises(ValueError, match="positive definite"):
        DNSParams(
            (7, -2, 0), ((0.9, 0, 0), (0, 0.9, 0), (0, 0, 0.9)), ((1, 0, 0), (0, 0, 0), (0, 0, 1))
        )
    with pytest.raises(ValueError, match="n_months"):
        make_yield_curves(0)
    with pytest.raises(TypeError, match="DNSParams"):
        make_yield_curves(12, params={"mean": 1})


def test_maturity_labels():
    assert [maturity_label(m) for m in (3, 12, 18, 120, 360)] == ["3m", "1y", "18m", "10y", "30y"]


def test_dns_forecast_uses_only_the_past_and_recovers_ar1_dynamics():
    panel = make_yield_curves(600, seed=4)
    y = panel.yields
    origins = y.index[400:420]
    fc = dns_ar1_forecast(y, origins, 6)
    assert fc.index.equals(y.index[406:426]) and list(fc.columns) == list(y.columns)
    # changing the future (after the last origin) leaves the forecasts unchanged
    altered = y.copy()
    altered.iloc[420:] += 5.0
    pd.testing.assert_frame_equal(dns_ar1_forecast(altered, origins, 6), fc)
    # with the true dynamics known, the 6-month forecast beats the random walk on a long sample
    rw = no_change_forecast(y, origins, 6)
    assert isinstance(rw, pd.DataFrame) and rw.index.equals(fc.index)
    long_origins = y.index[200:590]
    err_dns = y.loc[y.index[206:596]].to_numpy() - dns_ar1_forecast(y, long_origins, 6).to_numpy()
    err_rw = y.loc[y.index[206:596]].to_numpy() - no_change_forecast(y, long_origins, 6).to_numpy()
    assert np.sqrt((err_dns**2).mean()) < np.sqrt((err_rw**2).mean())


def test_iterated_dns_is_the_one_step_ar1_iterated():
    """method="iterated": each factor's one-step AR(1), fitted by OLS on the factors up to the origin, iterated
    h times; checked against an explicit loop; and it uses only the past."""
    y = make_yield_curves(300, seed=6).yields
    origins = y.index[250:260]
    fc = dns_ar1_forecast(y, origins, 4, method="iterated")
    f = fit_nelson_siegel(y).to_numpy()
    p = 255
    expected = []
    for k in range(3):
        g, c = np.polyfit(f[:p, k], f[1 : p + 1, k], 1)
        v = f[p, k]
        for _ in range(4):
            v = c + g * v
        expected.append(v)
    curve = nelson_siegel_curve(pd.DataFrame([expected], columns=list(FACTOR_NAMES)), y.columns)
    np.testing.assert_allclose(fc.iloc[5].to_numpy(), curve.iloc[0].to_numpy(), rtol=1e-10)
    altered = y.copy()
    altered.iloc[260:] -= 3.0
    pd.testing.assert_frame_equal(dns_ar1_forecast(altered, origins, 4, method="iterated"), fc)
    # at one step the two methods are the same model
    pd.testing.assert_frame_equal(
        dns_ar1_forecast(y, origins, 1, method="iterated"), dns_ar1_forecast(y, origins, 1)
    )
    with pytest.raises(ValueError, match="method"):
        dns_ar1_forecast(y, origins, 4, method="recursive")


def test_dns_forecast_bad_inputs():
    y = make_yield_curves(100, seed=0).yields
    with pytest.raises(TypeError, match="DataFrame"):
        dns_ar1_forecast(y[3], y.index[50:], 1)
    with pytest.raises(DataValidationError, match="not in the data"):
        dns_ar1_forecast(y, y.index[90:], 12)
    with pytest.raises(DataValidationError, match="at least 36"):
        dns_ar1_forecast(y, y.index[20:30], 1)
