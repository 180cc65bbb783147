import numpy as np
import pandas as pd
import pytest

from finrisk_utils import DataValidationError, list_datasets, load
from finrisk_utils.data import registry
from finrisk_utils.data.registry import get_info, load_prices

EXPECTED = {
    "sp500": (5031, ["open", "high", "low", "close", "adj_close", "volume"]),
    "nasdaq": (5031, ["open", "high", "low", "close", "adj_close", "volume"]),
    "vix": (1259, ["vix"]),
    "wti": (8321, ["price"]),
    "corporate_yields": (1200, ["aaa", "baa"]),
    "core_cpi": (743, ["core_cpi"]),
    "fama_french": (1109, ["mkt_rf", "smb", "hml", "rf"]),
    "us_macro": (203, ["realgdp", "cpi", "tbilrate", "unemp", "infl"]),
    "german_credit": (1000, ["creditability", "credit_amount", "purpose"]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_dataset_loads_tidy_and_valid(name):
    rows, columns = EXPECTED[name]
    df = load(name)
    assert len(df) == rows
    assert set(columns) <= set(df.columns)
    assert np.isfinite(df.select_dtypes("number").to_numpy()).all()
    if get_info(name).time_series:
        assert isinstance(df.index, pd.DatetimeIndex) and df.index.name == "date"
        assert df.index.is_monotonic_increasing and df.index.is_unique


def test_list_datasets_table():
    table = list_datasets()
    assert set(EXPECTED) <= set(table.index)
    assert {"description", "frequency", "start", "end", "rows", "source", "licence"} <= set(
        table.columns
    )
    assert table.loc["sp500", "start"] == "1999-01-04" and table.loc["sp500", "end"] == "2018-12-31"
    assert table.loc["german_credit", "rows"] == 1000


def test_unknown_name_lists_available():
    with pytest.raises(KeyError, match="unknown dataset 'sp5000'; available: .*sp500"):
        load("sp5000")
    with pytest.raises(TypeError, match="must be a str"):
        load(500)


def test_unknown_option_rejected():
    with pytest.raises(TypeError, match=r"takes no option\(s\) \['frequency'\]"):
        load("sp500", frequency="W")


def test_start_end_slicing_and_errors():
    df = load("sp500", start="2015-01-01", end="2018-12-31")
    assert df.index[0] >= pd.Timestamp("2015-01-01") and df.index[-1] <= pd.Timestamp("2018-12-31")
    with pytest.raises(ValueError, match="after end"):
        load("sp500", start="2018-01-01", end="2015-01-01")
    with pytest.raises(DataValidationError, match="no rows between"):
        load("sp500", start="2030-01-01")
    with pytest.raises(TypeError, match="not a time series"):
        load("german_credit", start="2000-01-01")


def test_fama_french_dates_repaired():
    from arch.data import frenchdata

    df = load("fama_french")
    assert df.index[0] == pd.Timestamp("1926-07-01")
    assert df.index[-1] == pd.Timestamp("2018-11-01")
    assert (df.index.day == 1).all() and df.index.is_unique
    # the repair must hold whatever pandas does with the raw file: pin the raw value it decodes
    raw = frenchdata.load().index
    assert registry._repair_yyyymm_index(raw)[0] == pd.Timestamp("1926-07-01")


def test_yyyymm_repair_from_integers_and_broken_timestamps():
    codes = pd.Index([192607, 192608, 201811])
    expected = pd.DatetimeIndex(["1926-07-01", "1926-08-01", "2018-11-01"])
    assert registry._repair_yyyymm_index(codes).equals(expected)
    broken = pd.DatetimeIndex(
        pd.to_datetime(codes.to_numpy(), unit="ns")
    )  # the pandas-3 misreading
    assert registry._repair_yyyymm_index(broken).equals(expected)
    assert registry._repair_yyyymm_index(expected) is expected
    with pytest.raises(DataValidationError, match="not YYYYMM"):
        registry._repair_yyyymm_index(pd.Index([192613]))


def test_us_macro_quarterly_index_matches_year_quarter():
    from statsmodels.datasets import macrodata

    raw = macrodata.load_pandas().data
    df = load("us_macro")
    assert (df.index.year == raw["year"].astype(int)).all()
    assert (df.index.quarter == raw["quarter"].astype(int)).all()
    assert df.index[0] == pd.Timestamp("1959-01-01")


def test_german_credit_decoded_and_checksummed(monkeypatch, tmp_path):
    df = load("german_credit")
    assert df["creditability"].value_counts().to_dict() == {"good": 700, "bad": 300}
    assert df.shape[1] == 21
    assert isinstance(df["purpose"].dtype, pd.CategoricalDtype)
    tampered = tmp_path / "german_credit.csv"
    tampered.write_bytes((registry.DATA_DIR / "german_credit.csv").read_bytes() + b"\n")
    monkeypatch.setattr(registry, "DATA_DIR", tmp_path)
    monkeypatch.setattr(
        registry, "read_manifest", lambda: {"german_credit.csv": {"sha256": "0" * 64}}
    )
    with pytest.raises(DataValidationError, match="checksum mismatch"):
        load("german_credit")


def test_manifest_lists_source_licence_and_hash():
    entry = registry.read_manifest()["german_credit.csv"]
    assert {"source", "licence", "sha256"} <= set(entry)
    assert len(entry["sha256"]) == 64


def test_load_prices():
    p = load_prices("wti")
    assert p.name == "wti" and (p > 0).all()
    with pytest.raises(KeyError, match="no price series"):
        load_prices("german_credit")


def test_load_price_panel():
    from finrisk_utils.data.registry import load_price_panel

    panel = load_price_panel(["sp500", "wti"], start="2018-01-01")
    assert list(panel.columns) == ["sp500", "wti"] and panel.index.is_monotonic_increasing
    with pytest.raises(ValueError, match="distinct"):
        load_price_panel(["sp500", "sp500"])


def test_transactions_generator_options_and_bad_input():
    """The synthetic transactions are a fraud-domain generator, not a registered dataset (data never imports
    a risk domain); the generator validates its own output."""
    from finrisk_utils.fraud import make_transactions

    assert "transactions" not in list_datasets().index
    df = make_transactions(n_customers=50, n_days=30, seed=3)
    assert len(df) > 0 and df["customer_id"].nunique() <= 50 and df["is_fraud"].sum() >= 3
    assert df["timestamp"].is_monotonic_increasing
    with pytest.raises(ValueError, match="fraud_rate"):
        make_transactions(fraud_rate=2.0)
    with pytest.raises(TypeError, match="make_transactions: n_days must be a positive int"):
        make_transactions(n_days=30.5)
