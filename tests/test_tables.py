"""Wide views and flat metric keys of a long accuracy table."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.forecasting.compare import horizon_table
from finrisk_utils.forecasting.tables import horizon_metrics, metric_token, wide_view


def _table():
    dates = pd.date_range("2000-01-01", periods=40, freq="MS")
    rng = np.random.default_rng(0)
    actual = pd.DataFrame(rng.standard_normal((40, 2)), index=dates, columns=[3, 120])
    fc = {
        "rw": {1: actual.shift(1).iloc[1:]},
        "lstm": {1: actual.shift(1).iloc[1:] * 0.5},
    }
    return horizon_table(actual, fc, benchmark="rw")


def test_metric_token():
    assert metric_token("BAA") == "baa" and metric_token("10y") == "10y"
    assert metric_token("DNS-AR(1)") == "dns_ar_1"
    with pytest.raises(ValueError, match="metric_token"):
        metric_token("--")


def test_horizon_metrics_keys_and_values():
    table = _table()
    m = horizon_metrics(table, "rw", series_label=lambda s: f"{s}m", pooled=True)
    row = table[(table["model"] == "lstm") & (table["series"] == 3)].iloc[0]
    bench = table[(table["model"] == "rw") & (table["series"] == 3)].iloc[0]
    assert m["lstm.rmse_h1_3m"] == pytest.approx(row["rmse"])
    assert m["lstm_vs_rw.rmse_ratio_h1_3m"] == pytest.approx(row["rmse"] / bench["rmse"])
    assert m["lstm_vs_rw.dm_pvalue_h1_3m"] == pytest.approx(row["dm_pvalue"])
    assert "rw_vs_rw.dm_pvalue_h1_3m" not in m
    lstm = table[table["model"] == "lstm"]["rmse"].to_numpy()
    rw = table[table["model"] == "rw"]["rmse"].to_numpy()
    assert m["lstm_vs_rw.rmse_ratio_h1"] == pytest.approx(
        np.sqrt((lstm**2).mean() / (rw**2).mean())
    )


def test_horizon_metrics_single_series_has_no_series_suffix():
    table = _table()
    one = table[table["series"] == 3]
    m = horizon_metrics(one, "rw")
    assert "lstm.rmse_h1" in m and "lstm_vs_rw.dm_pvalue_h1" in m


def test_wide_view_and_bad_inputs():
    table = _table()
    view = wide_view(table, "rmse_ratio", models=["lstm", "rw"])
    assert list(view.index) == ["lstm", "rw"] and list(view.columns) == [(1, 3), (1, 120)]
    assert wide_view(table, "dm_pvalue").index.tolist() == ["lstm"]
    with pytest.raises(ValueError, match="wide_view: models \\['gru'\\]"):
        wide_view(table, "rmse", models=["gru"])
    with pytest.raises(ValueError, match="benchmark 'ar'"):
        horizon_metrics(table, "ar")


def test_forecasts_by_horizon_aligns_targets():
    from finrisk_utils.forecasting.baselines import direct_ar_forecast, no_change_forecast
    from finrisk_utils.forecasting.horizons import forecasts_by_horizon

    dates = pd.date_range("1990-01-01", periods=120, freq="MS")
    y = pd.Series(np.random.default_rng(1).standard_normal(120).cumsum(), index=dates, name="y")
    origins = dates[60:]
    fc = forecasts_by_horizon(
        {
            "random_walk": lambda o, h: no_change_forecast(y, o, h),
            "ar1": lambda o, h: direct_ar_forecast(y, o, h, lags=1),
        },
        y.index,
        origins,
        [1, 12],
        columns=["y"],
    )
    assert set(fc) == {"random_walk", "ar1"} and set(fc["ar1"]) == {1, 12}
    assert fc["ar1"][12].index.equals(fc["random_walk"][12].index)
    assert fc["ar1"][12].index[-1] == dates[-1] and len(fc["ar1"][12]) == 60 - 12
    assert list(fc["ar1"][1].columns) == ["y"]
    table = horizon_table(y.to_frame(), fc, benchmark="random_walk")
    assert set(table["horizon"]) == {1, 12}
    with pytest.raises(ValueError, match="horizons is empty"):
        forecasts_by_horizon({}, y.index, origins, [])


def test_interval_coverage():
    from finrisk_utils.forecasting.metrics import interval_coverage

    dates = pd.date_range("2000-01-01", periods=4, freq="MS")
    y = pd.Series([0.0, 1.0, 2.0, 3.0], index=dates)
    lo = pd.Series([-1.0, 1.5, 1.0, 3.0], index=dates)
    hi = lo + 1.0
    assert interval_coverage(y, lo, hi) == pytest.approx(0.75)  # 1.0 < 1.5 misses; edges count
    with pytest.raises(ValueError, match="lower exceeds upper"):
        interval_coverage(y, hi, lo)
    with pytest.raises(ValueError, match="actual has no value"):
        interval_coverage(y.iloc[:2], lo, hi)
    with pytest.raises(TypeError, match="lower must be a pandas Series"):
        interval_coverage(y, lo.to_numpy(), hi)
