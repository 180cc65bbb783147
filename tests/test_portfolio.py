"""finrisk_utils.portfolio: asset returns, covariance forecasts (no look-ahead), skfolio weights, backtests,
covariance losses and the verdict on costs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.forecasting import ablation_reading, compare_forecasts, holm
from finrisk_utils.portfolio import (
    FixedCovariance,
    GarchVolatility,
    ablation_comparison,
    asset_returns,
    backtest,
    bond_returns,
    comparison_metrics,
    correlation_from_covariance,
    covariance_forecasts,
    covariance_losses,
    embargoed_positions,
    ewma_covariance,
    frobenius_loss,
    ledoit_wolf_covariance,
    linear_vol_forecast,
    log_vol_features,
    log_vol_target,
    optimal_weights,
    pays_after_costs,
    performance_table,
    pooled_windows,
    qlike_loss,
    realised_covariances,
    rebalance_dates,
    sample_covariance,
    shrunk_correlation,
    squared_return_losses,
    vol_ccc_forecasts,
    vol_corr_covariance,
    weights_at,
)
from finrisk_utils.workbench.outputs import check_metric_key

COV = np.array([[1.0, 0.5, 0.1], [0.5, 2.0, 0.2], [0.1, 0.2, 9.0]])


def _returns(n: int = 600, seed: int = 0, cov: np.ndarray = COV) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.multivariate_normal(np.zeros(len(cov)), cov, size=n)
    return pd.DataFrame(
        x, index=pd.bdate_range("2000-01-03", periods=n), columns=["a", "b", "c"][: len(cov)]
    )


# ---------------------------------------------------------------------------------------------- assets


def test_bond_returns_duration_approximation_by_hand():
    y = pd.Series([6.0, 7.0, 6.5], index=pd.date_range("2000-01-01", periods=3, freq="MS"))
    r = bond_returns(y, duration=10.0, periods_per_year=12)
    # a 1-point rise costs 10% and earns a month of the 6% coupon; a half-point fall gains 5% plus 7%/12
    assert r.tolist() == pytest.approx([-10 + 0.5, 5 + 7 / 12])
    assert r.index[0] == y.index[1]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"yields": [6.0, 7.0]}, TypeError, "yields must be a pandas Series"),
        ({"duration": -1.0}, ValueError, "duration must be > 0"),
        ({"periods_per_year": 0}, ValueError, "periods_per_year must be > 0"),
    ],
)
def test_bond_returns_refuses_bad_inputs(kwargs, error, match):
    args = {
        "yields": pd.Series([6.0, 7.0], index=pd.date_range("2000-01-01", periods=2, freq="MS"))
    } | kwargs
    with pytest.raises(error, match=match):
        bond_returns(**args)


def test_asset_returns_daily_common_calendar_and_monthly_alignment():
    daily = asset_returns(["sp500", "wti"])
    assert list(daily.columns) == ["sp500", "wti"] and np.isfinite(daily.to_numpy()).all()
    assert daily.index.is_monotonic_increasing and len(daily) > 4000
    monthly = asset_returns(["sp500", "mkt", "aaa_bond"], "monthly")
    # the S&P 500 compounded to months and the Fama-French market are the same month's return: aligned dates
    assert monthly["sp500"].corr(monthly["mkt"]) > 0.95
    assert (monthly.index.day == 1).all()
    # bond returns: a few percent a month at most in normal times, yield carry makes the mean positive
    assert 0 < monthly["aaa_bond"].mean() < 1.5


@pytest.mark.parametrize(
    ("assets", "frequency", "match"),
    [
        (["sp500", "aaa_bond"], "daily", "monthly"),
        (["sp500"], "daily", "at least two distinct"),
        (["sp500", "sp500"], "daily", "at least two distinct"),
        (["sp500", "wti"], "weekly", "frequency must be"),
        ("sp500", "daily", "list of names"),
    ],
)
def test_asset_returns_refuses_bad_inputs(assets, frequency, match):
    with pytest.raises((TypeError, ValueError), match=match):
        asset_returns(assets, frequency)


# ---------------------------------------------------------------------------------------------- covariance


def test_classical_estimators_recover_a_known_covariance():
    r = _returns(3000)
    for cov in (
        sample_covariance(r, 3000),
        ledoit_wolf_covariance(r, 3000),
        ewma_covariance(r, 0.999, 3000),
    ):
        assert np.allclose(cov, COV, rtol=0.1, atol=0.1), cov
    # the sample window is the last `window` rows only
    assert np.allclose(sample_covariance(r, 300), np.cov(r.to_numpy()[-300:].T))
    corr = shrunk_correlation(r, 3000)
    assert np.allclose(np.diag(corr), 1) and corr[0, 1] == pytest.approx(0.5 / np.sqrt(2), abs=0.05)


def test_ewma_weights_recent_returns():
    r = _returns(500)
    calm_then_wild = r.copy()
    calm_then_wild.iloc[-20:] *= 5
    ewma, sample = ewma_covariance(calm_then_wild, 0.94), sample_covariance(calm_then_wild, 252)
    assert np.all(np.diag(ewma) > 2 * np.diag(sample))


def test_vol_corr_covariance_and_correlation_round_trip():
    corr = correlation_from_covariance(COV)
    assert np.allclose(vol_corr_covariance(np.sqrt(np.diag(COV)), corr), COV)
    with pytest.raises(ValueError, match="vols must be positive"):
        vol_corr_covariance(np.array([1.0, 0.0, 1.0]), corr)
    with pytest.raises(ValueError, match="unit diagonal"):
        vol_corr_covariance(np.ones(3), COV)


def test_vol_ccc_forecasts_combine_each_origins_vols_with_the_correlation_up_to_it():
    rng = np.random.default_rng(2)
    idx = pd.bdate_range("2010-01-01", periods=400)
    returns = pd.DataFrame(
        rng.multivariate_normal(np.zeros(3), COV, 400), index=idx, columns=list("abc")
    )
    origins = idx[[300, 350]]
    vols = pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 1.0, 0.5]], index=origins, columns=list("abc"))
    got = vol_ccc_forecasts(returns, vols, window=100)
    for origin in origins:
        corr = shrunk_correlation(returns.loc[:origin], 100)
        np.testing.assert_allclose(
            got[origin], vol_corr_covariance(vols.loc[origin].to_numpy(), corr)
        )
    # a return after the origin does not change its forecast
    later = returns.copy()
    later.iloc[301:] *= 5
    np.testing.assert_allclose(vol_ccc_forecasts(later, vols, 100)[origins[0]], got[origins[0]])
    with pytest.raises(
        ValueError, match=f"vols must be positive, found -2.0 on {origins[0].date()}"
    ):
        vol_ccc_forecasts(returns, vols * np.array([1, -1, 1]), 100)
    with pytest.raises(ValueError, match="vol_ccc_forecasts: vols must be a DataFrame"):
        vol_ccc_forecasts(returns, vols[["b", "a", "c"]], 100)


@pytest.mark.parametrize(
    "bad", [np.ones((2, 3)), np.array([[1.0, 0.3], [0.1, 1.0]]), np.array([[0.0, 0], [0, 1]])]
)
def test_fixed_covariance_refuses_bad_matrices(bad):
    x = np.zeros((10, bad.shape[0]))
    with pytest.raises(ValueError, match="FixedCovariance.fit"):
        FixedCovariance(bad).fit(x)


def test_garch_volatility_tracks_a_variance_shift_and_refits_on_schedule():
    rng = np.random.default_rng(1)
    x, var = np.empty(1560), 1.0
    for t in range(
        1560
    ):  # GARCH(1,1) with omega 0.05, alpha 0.1, beta 0.85; a burst of large returns at the end
        x[t] = np.sqrt(var) * rng.standard_normal() * (4 if t >= 1550 else 1)
        var = 0.05 + 0.1 * x[t] ** 2 + 0.85 * var
    hist = pd.DataFrame(
        {"a": x, "b": rng.standard_normal(1560)}, index=pd.bdate_range("2001-01-01", periods=1560)
    )
    garch = GarchVolatility(horizon=5, refit_every=2)
    calm = garch(hist.iloc[:1500])
    wild = garch(hist)
    assert wild[0] > 1.5 * calm[0] and abs(wild[1] - calm[1]) < 0.3
    garch(hist)
    assert garch.refits == 2 and garch.calls == 3


def test_covariance_forecasts_never_see_the_future():
    """Changing every return after an origin changes no forecast at or before it (every estimator)."""
    r = _returns(700)
    origins = rebalance_dates(r.index, r.index[500], 21)
    shocked = r.copy()
    cut = origins[3]
    shocked.loc[shocked.index > cut] *= 10
    estimators = {
        "sample": lambda h: sample_covariance(h, 252),
        "ewma": lambda h: ewma_covariance(h),
        "lw": lambda h: ledoit_wolf_covariance(h, 252),
        "garch": lambda h: vol_corr_covariance(GarchVolatility(21)(h), shrunk_correlation(h)),
    }
    for name, f in estimators.items():
        base = covariance_forecasts(r, origins[:5], f)
        moved = covariance_forecasts(shocked, origins[:5], f)
        for t in origins[:4]:
            assert np.allclose(base[t], moved[t]), (name, t)
        assert not np.allclose(base[origins[4]], moved[origins[4]]), name


def test_covariance_forecasts_refuses_unknown_origins():
    r = _returns(300)
    with pytest.raises(ValueError, match="not a date of returns"):
        covariance_forecasts(
            r, pd.DatetimeIndex(["1990-01-01"]), lambda h: sample_covariance(h, 50)
        )


# ---------------------------------------------------------------------------------------------- network inputs


def test_log_vol_features_and_target_are_causal_and_correct():
    r = _returns(200)
    feats = log_vol_features(r, (1, 5))
    target = log_vol_target(r, 10)
    t = 100
    assert feats[("a", 5)].iloc[t] == pytest.approx(
        0.5 * np.log((r["a"].iloc[t - 4 : t + 1] ** 2).mean() + 1e-4)
    )
    assert target["b"].iloc[t] == pytest.approx(
        0.5 * np.log((r["b"].iloc[t + 1 : t + 11] ** 2).mean() + 1e-4)
    )
    assert target.iloc[-10:].isna().all().all() and not target.iloc[:-10].isna().any().any()
    future = r.copy()
    future.iloc[t + 1 :] *= 7
    assert np.allclose(
        log_vol_features(future, (1, 5)).iloc[: t + 1].dropna(), feats.iloc[: t + 1].dropna()
    )


def test_pooled_windows_shapes_and_order():
    r = _returns(60)
    feats = log_vol_features(r, (1, 5))
    x = pooled_windows(feats, np.array([30, 31]), 4, ["a", "b", "c"])
    assert x.shape == (6, 4, 2)
    # second sample = origin 30, asset b; its last row is day 30's features of b
    assert np.allclose(x[1, -1], feats["b"].iloc[30].to_numpy())
    assert np.allclose(x[3, 0], feats["a"].iloc[28].to_numpy())
    with pytest.raises(ValueError, match="fewer than 4 rows"):
        pooled_windows(feats, np.array([2]), 4, ["a"])


def test_embargoed_positions_leave_a_horizon_gap():
    idx = pd.bdate_range("2000-01-03", periods=1000)
    train, val = embargoed_positions(idx, idx[600], idx[800], 21, first=30)
    assert train[0] == 30 and train[-1] + 21 < val[0] == 600
    assert val[-1] + 21 < 800
    with pytest.raises(ValueError, match="training and"):
        embargoed_positions(idx, idx[60], idx[800], 21, first=30)


# ---------------------------------------------------------------------------------------------- portfolios


def test_optimal_weights_match_closed_forms():
    hist = _returns(300)
    w = optimal_weights(COV, "min_variance", hist)
    inv = np.linalg.solve(COV, np.ones(3))
    assert np.allclose(w, inv / inv.sum(), atol=1e-3)  # long-only constraint not binding here
    rp = optimal_weights(COV, "risk_parity", hist)
    contrib = rp * (COV @ rp)
    assert np.allclose(contrib / contrib.sum(), 1 / 3, atol=1e-3)
    diag = np.diag([1.0, 4.0, 16.0])
    assert np.allclose(optimal_weights(diag, "risk_parity", hist), [4 / 7, 2 / 7, 1 / 7], atol=1e-3)
    with pytest.raises(ValueError, match="kind must be one of"):
        optimal_weights(COV, "max_sharpe", hist)


def test_rebalance_dates_start_the_day_before_and_step():
    idx = pd.bdate_range("2000-01-03", periods=100)
    o = rebalance_dates(idx, idx[10], 21)
    assert o[0] == idx[9] and (np.diff(idx.get_indexer(o)) == 21).all() and o[-1] < idx[-1]
    with pytest.raises(ValueError, match="leaves no history"):
        rebalance_dates(idx, idx[0], 21)


def test_backtest_drift_turnover_and_costs_by_hand():
    idx = pd.bdate_range("2000-01-03", periods=5)
    r = pd.DataFrame({"a": [0, 10, 0, 0, 0], "b": [0, 0, 0, 0, 0]}, index=idx, dtype=float)
    w = pd.DataFrame({"a": [0.5, 0.5], "b": [0.5, 0.5]}, index=idx[[0, 2]])
    res = backtest(r, w, cost_bp=100)
    # day 1: +5%; weights drift to 0.55/1.05 and 0.5/1.05; rebalancing back costs |0.5 - 0.5238| * 2
    tau = 2 * abs(0.5 - 5.5 / 10.5)
    assert res.turnover.iloc[0] == pytest.approx(tau)
    assert res.gross.tolist() == pytest.approx([5.0, 0.0, 0.0, 0.0])
    assert res.net.iloc[2] == pytest.approx(
        -100 * 0.01 * tau
    )  # charged on the first day after the rebalance
    assert res.net.iloc[[0, 1, 3]].tolist() == pytest.approx([5.0, 0.0, 0.0])
    perf = performance_table({"x": res}, periods_per_year=252)
    assert perf.loc["x", "max_drawdown"] == pytest.approx(100 * 0.01 * tau, rel=1e-6)
    with pytest.raises(ValueError, match="sum to 1"):
        backtest(r, w * 2)


def test_weights_use_only_history_and_min_variance_beats_equal_weight_on_known_covariance():
    r = _returns(1500, seed=3)
    origins = rebalance_dates(r.index, r.index[600], 42)
    fc = {t: COV for t in origins}
    w = weights_at(fc, "min_variance", r)
    ew = pd.DataFrame(1 / 3, index=origins, columns=r.columns)
    mv, eq = backtest(r, w, 0.0), backtest(r, ew, 0.0)
    assert mv.net.var() < 0.6 * eq.net.var()


# ---------------------------------------------------------------------------------------------- evaluation


def test_qlike_is_minimised_by_the_truth_and_frobenius_is_zero_at_it():
    truth = COV
    assert qlike_loss(truth, truth) < qlike_loss(1.5 * truth, truth)
    assert qlike_loss(truth, truth) < qlike_loss(0.7 * truth, truth)
    assert frobenius_loss(truth, truth) == 0
    with pytest.raises(ValueError, match="positive definite"):
        qlike_loss(-truth, truth)


def test_realised_covariances_and_losses_on_the_same_origins():
    r = _returns(200)
    origins = rebalance_dates(r.index, r.index[100], 20)
    rc = realised_covariances(r, origins)
    block = r.to_numpy()[100:120]  # first origin: the day before r.index[100]
    assert np.allclose(rc[origins[0]], block.T @ block / 20)
    losses = covariance_losses(
        {"true": {t: COV for t in origins}, "flat": {t: np.eye(3) for t in origins}}, rc
    )
    assert set(losses) == {"qlike", "frobenius"} and list(losses["qlike"].index) == list(origins)
    assert losses["qlike"]["true"].mean() < losses["qlike"]["flat"].mean()
    with pytest.raises(ValueError, match="not on the realised"):
        covariance_losses({"x": {origins[0]: COV}}, rc)


def test_comparison_metrics_and_pays_after_costs_words():
    rng = np.random.default_rng(5)
    idx = pd.bdate_range("2005-01-03", periods=800)
    bench = pd.Series(rng.standard_normal(800) * 1.2, index=idx)
    better = pd.Series(rng.standard_normal(800) * 0.8, index=idx)
    losses = squared_return_losses({"sample_cov": bench, "lstm_ccc": better})
    result = compare_forecasts(losses, "sample_cov", loss="squared_return", mcs_reps=200)
    keys = comparison_metrics(result, "var", "min_variance")
    for k in keys:
        check_metric_key(k)
    assert keys["lstm_ccc_vs_sample_cov.var_dm_pvalue_holm_min_variance"] < 0.01
    perf = pd.DataFrame(
        {"ann_vol": [12.0, 19.0], "sharpe": [0.5, 0.4], "cost_bp": [30.0, 8.0]},
        index=["lstm_ccc", "sample_cov"],
    )
    pays, text = pays_after_costs("lstm_ccc", "sample_cov", perf, result)
    assert pays and "it pays" in text and "12.00%" in text
    assert "net Sharpe 0.50 against 0.40 (point estimates, not tested)" in text
    perf.loc["lstm_ccc", "sharpe"] = (
        0.3  # costs ate the Sharpe ratio: lower risk alone does not pay
    )
    assert not pays_after_costs("lstm_ccc", "sample_cov", perf, result)[0]
    assert pays_after_costs("lstm_ccc", "sample_cov", perf, result, trained=False) == (
        False,
        "lstm_ccc did not train (not interpreted).",
    )


def test_ablation_comparison_reads_the_network_against_its_ablation():
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2005-01-03", periods=600)
    ablation = rng.standard_normal(600)
    losses = {
        # the network's portfolio is riskier than its ablation's; on covariance loss they are the same model
        ("portfolio", "min_variance"): squared_return_losses(
            {
                "har_ccc": pd.Series(ablation, index=idx),
                "lstm_ccc": pd.Series(1.4 * ablation + 0.1 * rng.standard_normal(600), index=idx),
                "sample_cov": pd.Series(rng.standard_normal(600), index=idx),
            }
        ),
        ("covariance", "qlike"): pd.DataFrame(
            {"har_ccc": rng.gamma(2.0, size=600), "lstm_ccc": rng.gamma(2.0, size=600)}, index=idx
        ),
    }
    comps = ablation_comparison(losses, "lstm_ccc", "har_ccc", mcs_reps=200)
    port = comps[("portfolio", "min_variance")].table.set_index("model")
    assert list(port.index) == [
        "har_ccc",
        "lstm_ccc",
    ]  # the third model is not part of this reading
    assert port.loc["lstm_ccc", "verdict"] == "significantly worse than har_ccc"
    # Holm over both tests together
    raw = [c.table.set_index("model").loc["lstm_ccc", "dm_pvalue"] for c in comps.values()]
    got = [c.table.set_index("model").loc["lstm_ccc", "pvalue_holm"] for c in comps.values()]
    np.testing.assert_allclose(got, holm(np.asarray(raw)))
    text = ablation_reading(comps, "lstm_ccc")  # the shared reading, on tuple keys
    assert "Significantly worse than har_ccc: lstm_ccc on portfolio min_variance" in text
    assert f"portfolio min_variance {port.loc['lstm_ccc', 'ratio']:.3f} times" in text
    lower = sum(
        c.table.set_index("model").loc["lstm_ccc", "mean_loss_diff"] < 0 for c in comps.values()
    )
    assert (
        f"the mean loss is lower than har_ccc's on {lower} of {len(comps)} losses for lstm_ccc."
        in text
    )
    # one network, significantly worse and nowhere better: the bottom line is about it, in the singular
    assert "Significantly better" not in text
    assert "lstm_ccc is not significantly better than har_ccc on any loss: it has not shown" in text
    keys = comparison_metrics(
        comps[("portfolio", "min_variance")], "var", "min_variance", pairs_only=True
    )
    assert set(keys) == {
        "lstm_ccc_vs_har_ccc.var_dm_pvalue_min_variance",
        "lstm_ccc_vs_har_ccc.var_dm_pvalue_holm_min_variance",
    }
    untrained = ablation_comparison(losses, "lstm_ccc", "har_ccc", trained=False, mcs_reps=200)
    assert ablation_reading(untrained, "lstm_ccc") == (
        "No network trained: lstm_ccc; none is read against har_ccc."
    )
    with pytest.raises(ValueError, match="ablation_comparison: losses\\[\\('x', 'y'\\)\\] must be"):
        ablation_comparison(
            {("x", "y"): losses[("covariance", "qlike")][["har_ccc"]]}, "lstm_ccc", "har_ccc"
        )


def test_vol_network_counts_a_seed_kept_at_its_first_epoch_as_untrained():
    from finrisk_utils.models import FitResult
    from finrisk_utils.portfolio import VolNetwork

    learned = FitResult([1.0, 0.5, 0.4], [0.9, 0.5, 0.6], 2, 3, naive_val_loss=1.0)
    first_epoch = FitResult([1.0, 0.9], [0.5, 0.6], 1, 2, naive_val_loss=1.0)
    worse = FitResult([1.0, 0.9], [1.2, 1.1], 2, 2, naive_val_loss=1.0)
    net = VolNetwork([], [learned, learned], 22, ["a"], np.zeros(3), np.ones(3), 0.0, 1.0)
    assert net.trained and net.trained_share == 1.0
    for bad in (first_epoch, worse):
        net = VolNetwork([], [learned, bad], 22, ["a"], np.zeros(3), np.ones(3), 0.0, 1.0)
        assert not net.trained and net.trained_share == 0.5


class _ConstantNet:
    """A stand-in for a fitted Keras model: predicts ``value`` for every (scaled) input window."""

    def __init__(self, value: float) -> None:
        self.value = value

    def predict_on_batch(self, x):
        return np.full((len(x), 1), self.value)


def test_per_seed_vol_forecasts_and_their_covariance_losses():
    from finrisk_utils.models import FitResult
    from finrisk_utils.portfolio import VolNetwork, seed_covariance_losses

    r = _returns(200)
    feats = log_vol_features(r, (1, 5))
    fit = FitResult([1.0, 0.5], [0.9, 0.5], 2, 2, naive_val_loss=1.0)
    net = VolNetwork(
        [_ConstantNet(0.0), _ConstantNet(1.0)],
        [fit, fit],
        4,
        ["a", "b", "c"],
        np.zeros(2),
        np.ones(2),
        y_mean=0.1,
        y_std=0.5,
        variance_scale=1.44,
    )
    origins = rebalance_dates(r.index, r.index[100], 20)
    pos = r.index.get_indexer(origins)
    per_seed = net.forecast_vol(feats, pos, per_seed=True)
    assert per_seed.shape == (2, len(origins), 3)
    assert np.allclose(per_seed[0], 1.2 * np.exp(0.1)) and np.allclose(
        per_seed[1], 1.2 * np.exp(0.6)
    )
    # the ensemble averages log volatilities, then calibrates: the geometric mean of the seeds' vols
    assert np.allclose(net.forecast_vol(feats, pos), np.sqrt(per_seed[0] * per_seed[1]))
    rc = realised_covariances(r, origins)
    table = seed_covariance_losses(per_seed, r, rc, seeds=[7, 8], window=60)
    assert list(table.index) == [7, 8] and list(table.columns) == ["qlike", "frobenius"]
    for seed, vols in zip([7, 8], per_seed, strict=True):
        fc = vol_ccc_forecasts(r, pd.DataFrame(vols, index=origins, columns=r.columns), 60)
        by_hand = covariance_losses({"m": fc}, rc)
        assert table.loc[seed, "qlike"] == pytest.approx(by_hand["qlike"]["m"].mean())
        assert table.loc[seed, "frobenius"] == pytest.approx(by_hand["frobenius"]["m"].mean())
    with pytest.raises(ValueError, match=r"seed_covariance_losses: vols must have shape"):
        seed_covariance_losses(per_seed[:, :-1], r, rc, seeds=[7, 8], window=60)
    with pytest.raises(ValueError, match=r"seed_covariance_losses: vols must have shape"):
        seed_covariance_losses(per_seed, r, rc, seeds=[7], window=60)


def test_linear_vol_forecast_recovers_an_exact_linear_target_and_uses_only_the_origin():
    r = _returns(400)
    feats = log_vol_features(r, (1, 5))
    target = 0.2 + 0.5 * feats.xs(1, axis=1, level=1) + 0.3 * feats.xs(5, axis=1, level=1)
    train, val, test = np.arange(10, 250), np.arange(260, 330), np.array([350, 351])
    vols, scale = linear_vol_forecast(feats, target, train, val, test)
    assert scale == pytest.approx(1.0)
    assert np.allclose(np.log(vols), target.to_numpy()[test])
    shocked = r.copy()
    shocked.iloc[352:] *= 5  # later returns change no forecast at 350 and 351
    again, _ = linear_vol_forecast(log_vol_features(shocked, (1, 5)), target, train, val, test)
    assert np.allclose(again, vols)
