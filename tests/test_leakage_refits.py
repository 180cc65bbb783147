"""Leak tests for every rolling or re-estimated forecaster.

The same check throughout: run the forecaster, then for a cut-off (a re-estimation date, or an origin between
re-estimations) perturb every observation strictly after the information set of that cut-off, run again, and
require that

* every forecast made with information up to the cut-off is unchanged (bit for bit; the networks are seeded
  identically with ``finrisk_utils.setup`` and TensorFlow op determinism, so they are exact too), and
* every forecast made later does move (so the check is not vacuous: the perturbation reaches the forecasts).

"Information set" follows each docstring: origin-based forecasters (``no_change``, ``direct_ar``, DNS, SARIMA,
the direct network) may use data up to and including the origin; date-based ones (``ar_one_step``, the VaR
models, deep VaR) may use data strictly before the forecast date.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from simulated import ar1, garch_returns

from finrisk_utils import setup
from finrisk_utils.core.timeseries import fit_train_scaler
from finrisk_utils.forecasting.baselines import (
    ar_one_step_forecast,
    direct_ar_forecast,
    no_change_forecast,
)
from finrisk_utils.forecasting.direct import DirectNetSpec, direct_deep_forecast
from finrisk_utils.inflation.sarima import sarima_yoy_forecast
from finrisk_utils.market.deep_var import DeepVaRSpec, deep_var_forecast
from finrisk_utils.market.var_models import (
    ewma_var,
    filtered_historical_simulation,
    garch_var,
    historical_simulation,
)
from finrisk_utils.rates.dns import dns_ar1_forecast
from finrisk_utils.rates.nelson_siegel import DIEBOLD_LI_LAMBDA, nelson_siegel_loadings


def _bump(values: np.ndarray, start: int, seed: int = 99) -> np.ndarray:
    """A copy of ``values`` whose rows from position ``start`` on are replaced by large negative values (so each
    new row also lands in a VaR model's left tail) with noise."""
    out = np.array(values, dtype=float, copy=True)
    noise = np.random.default_rng(seed).normal(size=out[start:].shape)
    out[start:] = -(3 * np.abs(out[start:]) + 4 + np.abs(noise))
    return out


def check_no_leak(
    run: Callable[[object], np.ndarray],
    data: object,
    perturb: Callable[[object, int], object],
    cutoffs: dict[int, int],
) -> None:
    """``run(data)``: forecasts, one row per origin in time order. ``cutoffs``: origin index ``k`` -> the first
    data position outside its information set; ``perturb(data, pos)`` changes every row from ``pos`` on. Rows
    ``<= k`` must be identical, each row ``> k`` must differ."""
    base = np.asarray(run(data), dtype=float)
    base = base.reshape(len(base), -1)
    for k, first_unseen in cutoffs.items():
        out = np.asarray(run(perturb(data, first_unseen)), dtype=float).reshape(len(base), -1)
        np.testing.assert_array_equal(
            out[: k + 1], base[: k + 1], err_msg=f"forecasts up to origin {k} moved (look-ahead)"
        )
        moved = ~np.isclose(out[k + 1 :], base[k + 1 :], rtol=1e-9, atol=0).all(axis=1)
        assert moved.all(), (
            f"cut-off {k}: later forecasts {np.flatnonzero(~moved) + k + 1} did not move"
        )


def _series_perturb(s: pd.Series, start: int) -> pd.Series:
    return pd.Series(_bump(s.to_numpy(), start), index=s.index, name=s.name)


def _frame_perturb(f: pd.DataFrame, start: int) -> pd.DataFrame:
    return pd.DataFrame(_bump(f.to_numpy(), start), index=f.index, columns=f.columns)


# ------------------------------------------------------------------------------------------ baselines

MONTHS = pd.date_range("1990-01-01", periods=120, freq="MS")
SERIES = pd.Series(ar1(120, mean=5.0), index=MONTHS, name="y")
ORIGIN_POS = np.arange(80, 100)
ORIGINS = MONTHS[ORIGIN_POS]
ORIGIN_CUTS = {k: int(ORIGIN_POS[k]) + 1 for k in (0, 7, 18)}  # information: data up to the origin


@pytest.mark.parametrize("horizon", [1, 3])
def test_no_change_forecast_uses_data_up_to_each_origin(horizon):
    check_no_leak(
        lambda s: no_change_forecast(s, ORIGINS, horizon).to_numpy(),
        SERIES,
        _series_perturb,
        ORIGIN_CUTS,
    )


@pytest.mark.parametrize("horizon", [1, 4])
def test_direct_ar_refits_use_only_pairs_whose_target_is_observed(horizon):
    check_no_leak(
        lambda s: direct_ar_forecast(s, ORIGINS, horizon, lags=2).to_numpy(),
        SERIES,
        _series_perturb,
        ORIGIN_CUTS,
    )


def test_direct_ar_refit_ignores_the_value_just_after_the_origin():
    """The sharpest version for the OLS refit: change only the one observation after the origin."""
    p = int(ORIGIN_POS[5])
    base = direct_ar_forecast(SERIES, ORIGINS[5:6], 3, lags=2)
    for q in range(p + 1, p + 4):
        s = SERIES.copy()
        s.iloc[q] += 50.0
        assert direct_ar_forecast(s, ORIGINS[5:6], 3, lags=2).iloc[0] == base.iloc[0]


def test_ar_one_step_uses_data_strictly_before_each_date():
    # a forecast for date d may use observations before d: perturbing from d's own position on leaves it alone
    cuts = {k: int(ORIGIN_POS[k]) for k in (0, 7, 18)}
    check_no_leak(
        lambda s: ar_one_step_forecast(s, ORIGINS, lags=2).to_numpy(),
        SERIES,
        _series_perturb,
        cuts,
    )


# ------------------------------------------------------------------------------------------------ DNS

MATURITIES = [3, 12, 24, 60, 120]


def _yields(n=100, seed=0):
    rng = np.random.default_rng(seed)
    f = np.column_stack([ar1(n, 0.95, seed + i, mean=m) for i, m in enumerate((5.0, -1.5, 0.5))])
    load = nelson_siegel_loadings([float(m) for m in MATURITIES], DIEBOLD_LI_LAMBDA)
    y = f @ load.T + rng.normal(scale=0.05, size=(n, len(MATURITIES)))
    return pd.DataFrame(
        y, index=pd.date_range("1985-01-01", periods=n, freq="MS"), columns=MATURITIES
    )


def test_dns_factor_ar1_refits_use_data_up_to_each_origin():
    yields = _yields()
    pos = np.arange(60, 80)
    origins = yields.index[pos]
    check_no_leak(
        lambda y: dns_ar1_forecast(y, origins, 3).to_numpy(),
        yields,
        _frame_perturb,
        {k: int(pos[k]) + 1 for k in (0, 9, 15)},
    )


# --------------------------------------------------------------------------------------------- SARIMA


def test_sarima_refits_and_filtering_use_data_up_to_each_origin():
    rng = np.random.default_rng(3)
    n = 84
    months = pd.date_range("2000-01-01", periods=n, freq="MS")
    season = 0.2 * np.sin(2 * np.pi * np.arange(n) / 12)
    level = pd.Series(
        100 * np.exp(np.cumsum(0.002 + 0.001 * season + 0.002 * rng.standard_normal(n))), months
    )
    # monthly inflation drops the first month: position p of the inflation series is position p + 1 of level
    m_pos = np.arange(62, 70)
    origins = months[m_pos + 1]

    def run(lv):
        fc = sarima_yoy_forecast(
            lv, origins, (1, 2), refit_every=3, n_paths=20, seed=0, order=(1, 0, 0)
        )
        assert fc.n_fits == 3  # re-estimated at origins 0, 3 and 6, filtered in between
        rows = [
            np.column_stack([fc.mean[h].to_numpy(), fc.quantiles[h].to_numpy()]) for h in (1, 2)
        ]
        # origin i's h-step forecast is row i of each horizon (all targets here are in the data)
        return np.hstack(rows)

    def perturb(lv, start):
        out = lv.copy()
        shock = np.exp(np.cumsum(0.01 + 0.02 * np.random.default_rng(7).standard_normal(n - start)))
        out.iloc[start:] = out.iloc[start:].to_numpy() * shock
        return out

    # refit dates are origins 0, 3, 6: cut right after refit 3, and after origin 4, which is filtered with the
    # parameters estimated at origin 3
    cuts = {k: int(m_pos[k]) + 2 for k in (3, 4)}
    check_no_leak(run, level, perturb, cuts)


# -------------------------------------------------------------------------------- direct network


def test_direct_deep_forecast_refits_see_only_their_information_set():
    n = 150
    idx = pd.date_range("1970-01-01", periods=n, freq="MS")
    data = pd.DataFrame({"x": ar1(n, seed=1), "z": ar1(n, 0.3, seed=2)}, index=idx)
    pos = np.arange(100, 116)
    origins = idx[pos]
    spec = DirectNetSpec(
        kind="dense",
        window=4,
        units=4,
        epochs=2,
        patience=1,
        val_size=10,
        batch_size=16,
        refit_every=8,
    )

    def run(d):
        setup(5)
        res = direct_deep_forecast(d, d[["x"]], origins, (1, 2), spec)
        assert list(res.refit_dates) == [origins[0], origins[8]]
        return np.column_stack([res.forecasts[1].to_numpy(), res.forecasts[2].to_numpy()])

    # re-estimation dates are origins 0 and 8: perturb right after each
    check_no_leak(run, data, _frame_perturb, {k: int(pos[k]) + 1 for k in (0, 8)})


# ------------------------------------------------------------------------------------------ VaR models

DAYS = pd.bdate_range("2010-01-04", periods=720)
RETURNS = pd.Series(garch_returns(720, seed=4)[0], index=DAYS, name="r")
VAR_POS = np.arange(640, 660)
VAR_DATES = DAYS[VAR_POS]
VAR_CUTS = {k: int(VAR_POS[k]) for k in (0, 9, 18)}  # a forecast for date d uses returns before d


def _var_es(fc):
    return np.column_stack([fc.var.to_numpy(), fc.es.to_numpy()])


@pytest.mark.parametrize(
    "model",
    [
        lambda r: historical_simulation(r, VAR_DATES, 0.99, window=250),
        lambda r: ewma_var(r, VAR_DATES, 0.99),
        lambda r: garch_var(r, VAR_DATES, 0.99, dist="normal"),
        lambda r: garch_var(r, VAR_DATES, 0.99, dist="t", fit_end=DAYS[600]),
        lambda r: filtered_historical_simulation(r, VAR_DATES, 0.99, dist="normal"),
    ],
    ids=["hs", "ewma", "garch_n", "garch_t_early_fit_end", "fhs"],
)
def test_var_models_use_returns_strictly_before_each_date(model):
    check_no_leak(lambda r: _var_es(model(r)), RETURNS, _series_perturb, VAR_CUTS)


def test_hs_uses_exactly_the_last_window_returns():
    fc = historical_simulation(RETURNS, VAR_DATES[:3], 0.95, window=100)
    x = RETURNS.to_numpy()
    for i, p in enumerate(VAR_POS[:3]):
        sample = x[p - 100 : p]
        q = np.quantile(sample, 0.05)
        assert fc.var.iloc[i] == pytest.approx(-q, rel=1e-12)
        assert fc.es.iloc[i] == pytest.approx(-sample[sample <= q].mean(), rel=1e-12)


def test_train_scaler_sees_training_rows_only():
    frame = SERIES.to_frame()
    end = MONTHS[60]
    base = fit_train_scaler(frame, end)
    moved = fit_train_scaler(_series_perturb(SERIES, 60).to_frame(), end)
    np.testing.assert_array_equal(moved.mean_, base.mean_)
    np.testing.assert_array_equal(moved.scale_, base.scale_)
    assert base.mean_[0] == pytest.approx(SERIES.iloc[:60].mean(), rel=1e-12)


# ------------------------------------------------------------------------------------------- deep VaR


@pytest.mark.parametrize("vol_scaling", ["none", "ewma"])
def test_deep_var_test_forecasts_use_returns_strictly_before_each_date(vol_scaling):
    spec = DeepVaRSpec(
        kind="cnn", vol_scaling=vol_scaling, window=10, units=4, epochs=2, batch_size=64, patience=1
    )
    test_pos = np.arange(620, 720)

    def run(r):
        setup(11)
        res = deep_var_forecast(
            r,
            confidence=0.99,
            val_start=DAYS[520],
            test_start=DAYS[620],
            test_end=DAYS[-1],
            spec=spec,
        )
        assert res.forecast.var.index.equals(DAYS[test_pos])
        return _var_es(res.forecast)

    # perturb from the first test day on: its forecast uses returns before it, and the network was fitted on
    # targets before the test period; every later forecast's window holds perturbed returns, so it must move
    check_no_leak(run, RETURNS, _series_perturb, {0: int(test_pos[0])})
