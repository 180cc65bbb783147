"""The one schema of a run's forecasts.csv (finrisk_utils.market.forecast_files): point and VaR/ES forecasts
written and read back, and every malformed file refused with an error naming the function and what is wrong."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.market import (
    FORECASTS_FILE,
    RiskForecast,
    load_return_forecasts,
    load_var_forecasts,
    save_return_forecasts,
    save_var_forecasts,
)
from finrisk_utils.market.forecast_files import ACTUAL, read_forecast_table


@pytest.fixture
def actual():
    dates = pd.bdate_range("2020-01-01", periods=50)
    return pd.Series(np.random.default_rng(0).standard_normal(50), index=dates)


def test_point_and_risk_forecasts_share_one_schema(tmp_path, actual):
    var = RiskForecast("garch_t", 0.99, actual.abs() + 2.0, actual.abs() + 2.5)
    save_var_forecasts(tmp_path / "v.csv", actual, {"garch_t": var})
    save_return_forecasts(tmp_path / FORECASTS_FILE, actual, {"lstm": 0.1 * actual})
    for name in ("v.csv", FORECASTS_FILE):
        frame = read_forecast_table(tmp_path / name, where="t")
        assert frame.index.name == "date" and frame.columns[0] == ACTUAL
        np.testing.assert_allclose(frame[ACTUAL], actual)
    assert read_forecast_table(tmp_path / "v.csv", where="t").columns.tolist() == [
        ACTUAL,
        "garch_t:var",
        "garch_t:es",
    ]
    r, fcs = load_var_forecasts(tmp_path / "v.csv", 0.99)
    np.testing.assert_allclose(fcs["garch_t"].es, var.es)
    assert r.index.equals(actual.index) and fcs["garch_t"].confidence == 0.99
    r, point = load_return_forecasts(tmp_path / FORECASTS_FILE)
    np.testing.assert_allclose(point["lstm"], 0.1 * actual)


def test_writers_refuse_forecasts_off_the_returns_dates_or_not_finite(tmp_path, actual):
    short = RiskForecast("hs", 0.99, actual.abs()[1:] + 2, actual.abs()[1:] + 3)
    with pytest.raises(
        DataValidationError, match="save_var_forecasts: forecasts\\['hs:var'\\] is not on"
    ):
        save_var_forecasts(tmp_path / "v.csv", actual, {"hs": short})
    with pytest.raises(
        TypeError, match="save_var_forecasts: forecasts must be a mapping model -> RiskForecast"
    ):
        save_var_forecasts(tmp_path / "v.csv", actual, {"hs": actual})
    bad = actual.copy()
    bad.iloc[3] = np.nan
    with pytest.raises(ValueError, match="save_return_forecasts: .*forecasts\\['lstm'\\]"):
        save_return_forecasts(tmp_path / "p.csv", actual, {"lstm": bad})
    with pytest.raises(ValueError, match="no model named 'actual'"):
        save_return_forecasts(tmp_path / "p.csv", actual, {"actual": actual})
    assert not (tmp_path / "v.csv").exists() and not (tmp_path / "p.csv").exists()


@pytest.mark.parametrize(
    "text, match",
    [
        ("day,actual,lstm\n2020-01-01,1.0,0.5\n", "no 'date' column"),
        ("date,lstm\n2020-01-01,0.5\n", "lacks the column 'actual'"),
        ("date,actual\n2020-01-01,0.5\n", "lacks the column 'actual' or any model"),
        ("date,actual,hs:var,hs:es\n2020-01-02,1,2,3\n2020-01-01,1,2,3\n", "increasing"),
        ("date,actual,hs:var,hs:es\n2020-01-01,1,2,3\n2020-01-02,1,,3\n", "hs:var"),
        ("date,actual,hs:var\n2020-01-01,1,2\n", "'<model>:var' and '<model>:es' pairs"),
        ("date,actual,hs:var,hs:es,x\n2020-01-01,1,2,3,4\n", "pairs"),
    ],
)
def test_malformed_files_are_refused(tmp_path, text, match):
    (tmp_path / "f.csv").write_text(text)
    with pytest.raises((DataValidationError, ValueError), match=f"load_var_forecasts: .*{match}"):
        load_var_forecasts(tmp_path / "f.csv", 0.99)
    with pytest.raises(FileNotFoundError, match="load_var_forecasts: no forecasts file"):
        load_var_forecasts(tmp_path / "none.csv", 0.99)
