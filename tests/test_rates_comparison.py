"""Rates (notebook 05): the shared helpers its comparison uses (pooled squared errors, Holm across horizons,
the verdict table, per-re-estimation training table), the autoencoder's convergence and saturation
diagnostics, and the computed readings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.forecasting import (
    compare_forecasts,
    comparison_table,
    holm,
    holm_across,
    pooled_squared_errors,
)
from finrisk_utils.models.training import FitResult
from finrisk_utils.rates import (
    autoencoder_curve_factors,
    factor_reading,
    make_yield_curves,
    monte_carlo_reading,
    pca_curve_factors,
)


def _losses(seed: int, shift: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2000-01-01", periods=120, freq="MS")
    base = rng.chisquare(1, 120)
    return pd.DataFrame(
        {
            "random_walk": base,
            "good": base * (1 - shift) + 0.01 * rng.chisquare(1, 120),
            "noise": base + 0.5 * rng.standard_normal(120) ** 2 - 0.5,
        },
        index=idx,
    ).clip(lower=0)


def test_pooled_squared_errors_averages_over_series():
    idx = pd.date_range("2000-01-01", periods=3, freq="MS")
    actual = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 0.0, 0.0]}, index=idx)
    fc = pd.DataFrame({"a": [0.0, 2.0, 3.0], "b": [2.0, 0.0, 0.0]}, index=idx)
    out = pooled_squared_errors(actual, {"m": fc, "perfect": actual})
    assert out["m"].tolist() == [2.5, 0.0, 0.0]
    assert out["perfect"].tolist() == [0.0, 0.0, 0.0]


def test_pooled_squared_errors_refuses_misaligned_forecasts():
    idx = pd.date_range("2000-01-01", periods=3, freq="MS")
    actual = pd.DataFrame({"a": [1.0, 2.0, 3.0]}, index=idx)
    with pytest.raises(ValueError, match="same dates"):
        pooled_squared_errors(actual, {"x": actual, "y": actual.iloc[:2]})
    with pytest.raises(ValueError, match="non-empty"):
        pooled_squared_errors(actual, {})
    with pytest.raises(TypeError, match="DataFrame"):
        pooled_squared_errors(actual.to_numpy(), {"x": actual})


def test_holm_across_adjusts_over_the_union_and_recomputes_verdicts():
    res = {
        h: compare_forecasts(_losses(h, 0.3), "random_walk", horizon=1, mcs_reps=100)
        for h in (1, 2)
    }
    joint = holm_across(res)
    raw = pd.concat(
        [r.table.set_index("model")["dm_pvalue"].drop("random_walk") for r in res.values()]
    )
    expected = holm(raw.to_numpy())
    got = np.concatenate(
        [
            j.table.set_index("model")["pvalue_holm"].drop("random_walk").to_numpy()
            for j in joint.values()
        ]
    )
    np.testing.assert_allclose(got, expected)
    for j in joint.values():
        t = j.table.set_index("model")
        assert t.loc["random_walk", "verdict"] == "benchmark"
        # the union family is larger: adjusted p-values never fall
        assert (
            t["pvalue_holm"].dropna()
            >= t["dm_pvalue"].dropna().loc[t["pvalue_holm"].dropna().index]
        ).all()
    assert (
        joint[1].table.set_index("model").loc["good", "verdict"].startswith("significantly better")
    )


def test_holm_across_leaves_untrained_models_out():
    res = {
        1: compare_forecasts(_losses(0, 0.3), "random_walk", trained={"noise": False}, mcs_reps=100)
    }
    t = holm_across(res)[1].table.set_index("model")
    assert np.isnan(t.loc["noise", "pvalue_holm"])
    assert t.loc["noise", "verdict"] == "did not train (not interpreted)"
    with pytest.raises(TypeError, match="ComparisonResult"):
        holm_across({1: "not a result"})
    with pytest.raises(ValueError, match="non-empty"):
        holm_across({})


def test_comparison_table_takes_tuple_keys_and_reports_rmse_ratios():
    r = compare_forecasts(_losses(3, 0.3), "random_walk", mcs_reps=100)
    t = comparison_table({("sim", 1): r}, key=("data", "horizon"))
    assert t.index.names == ["data", "horizon", "model"]
    row = r.table.set_index("model").loc["good"]
    assert t.loc[("sim", 1, "good"), "ratio"] == pytest.approx(np.sqrt(row["ratio"]))
    with pytest.raises(ValueError, match="level names"):
        comparison_table({1: r}, key=("data", "horizon"))


def test_training_table_and_trained_share():
    from finrisk_utils.forecasting.direct import DirectForecast

    good = FitResult([1.0, 0.5], [1.0, 0.5], 2, 2, naive_val_loss=1.0)
    bad = FitResult([1.0, 0.9], [0.9, 1.2], 1, 2, naive_val_loss=0.8)
    dates = pd.DatetimeIndex(["2000-01-01", "2002-01-01"])
    fc = DirectForecast({}, [good, bad], dates, 10, 0.0, None, pd.DataFrame())
    t = fc.training_table()
    assert t["trained"].tolist() == [1, 0] and t["best_epoch"].tolist() == [2, 1]
    assert fc.trained_share == 0.5
    assert "1 of 2" in fc.training_text("lstm") and "2002-01" in fc.training_text("lstm")


def test_monte_carlo_reading_is_computed_from_the_summary():
    summary = pd.DataFrame(
        {"mean": [0.98, 0.9], "share_dns_wins": [0.9, 0.7], "count": [20, 20]}, index=[1, 12]
    )
    text = monte_carlo_reading(summary, {1: 1.02, 12: 0.95})
    assert "Over 20 simulated panels" in text and "grows with the horizon" in text
    assert (
        "at h = 1 DNS-AR(1) beats" in text
        and "its ratio is 1.020 (not below 1, a point estimate" in text
    )
    with pytest.raises(ValueError, match="lacks horizons"):
        monte_carlo_reading(summary, {1: 1.0})


@pytest.fixture(scope="module")
def curve_fits():
    y = make_yield_curves(240, start="1980-01-01", seed=3).yields
    train, test = y.iloc[:180], y.iloc[180:]
    return pca_curve_factors(train, test), autoencoder_curve_factors(
        train, test, epochs=40, learning_rate=1e-2, patience=5
    )


def test_curve_factor_fits_report_training_error_and_saturation(curve_fits):
    pca, ae = curve_fits
    assert (
        0 < pca.recon_rmse_train < 0.3
    )  # three linear factors nearly reproduce a DNS panel in sample
    assert np.isnan(pca.saturation_train) and pca.converged is None
    assert 0 <= ae.saturation_train <= 1 and 0 <= ae.saturation_test <= 1
    assert ae.converged == (ae.fit.best_epoch < ae.fit.epochs_run)
    text = factor_reading(pca, ae)
    assert f"{pca.recon_rmse:.3f}" in text and f"{ae.recon_rmse_train:.3f}" in text


def test_autoencoder_learning_rate_is_used_and_checked():
    y = make_yield_curves(120, start="1980-01-01", seed=1).yields
    with pytest.raises(ValueError, match="learning_rate"):
        autoencoder_curve_factors(y.iloc[:90], y.iloc[90:], epochs=2, learning_rate=0.0)
    with pytest.raises(ValueError, match="epochs"):
        autoencoder_curve_factors(y.iloc[:90], y.iloc[90:], epochs=0)


def test_factor_reading_refuses_pca_as_autoencoder(curve_fits):
    pca, _ = curve_fits
    with pytest.raises(ValueError, match="autoencoder fit"):
        factor_reading(pca, pca)
