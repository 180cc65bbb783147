import numpy as np
import pandas as pd
import pytest
from scipy import stats

from finrisk_utils import DataValidationError
from finrisk_utils.core.descriptive import describe_returns, tied_extremes


def test_describe_returns_matches_scipy():
    rng = np.random.default_rng(0)
    r = pd.Series(rng.standard_t(4, 1000), name="x")
    row = describe_returns(r).loc["x"]
    assert row["n"] == 1000
    assert row["vol_ann"] == pytest.approx(r.std() * np.sqrt(252))
    assert row["excess_kurtosis"] == pytest.approx(stats.kurtosis(r))
    assert row["min"] == r.min()


def test_describe_returns_rejects_nan():
    with pytest.raises(DataValidationError, match="non-finite"):
        describe_returns(pd.Series([1.0, np.nan, 2.0, 3.0], name="x"))


def test_tied_extremes_names_every_tied_label():
    v = pd.Series([2.0, 1.0, 2.0, 3.0], index=["a", "b", "c", "d"])
    assert tied_extremes(v, high=True) == "d"
    assert tied_extremes(v.drop("d"), high=True) == "a and c"
    assert tied_extremes(v, high=False, sep=", ") == "b"
    with pytest.raises(ValueError, match="tied_extremes: values must be a non-empty"):
        tied_extremes(pd.Series([], dtype=float), high=True)
    with pytest.raises(DataValidationError, match="tied_extremes"):
        tied_extremes(pd.Series([1.0, np.nan]), high=True)
