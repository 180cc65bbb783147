import numpy as np
import pandas as pd
import pytest

from finrisk_utils import DataValidationError
from finrisk_utils.core.validation import (
    check_columns,
    check_datetime_index,
    check_finite,
    check_min_length,
    check_numeric,
    check_sha256,
    validate_frame,
)


def frame(n=5):
    idx = pd.date_range("2020-01-01", periods=n, freq="D")
    return pd.DataFrame({"a": np.arange(n, dtype=float), "b": list("vwxyz"[:n])}, index=idx)


def test_error_is_a_value_error_and_exported_at_top_level():
    import finrisk_utils

    assert finrisk_utils.DataValidationError is DataValidationError
    assert issubclass(DataValidationError, ValueError)


def test_missing_column_names_it_and_the_dataset():
    with pytest.raises(DataValidationError, match=r"dataset 'x': missing column\(s\) \['c'\]"):
        check_columns(frame(), ["a", "c"], where="dataset 'x'")


def test_not_a_frame():
    with pytest.raises(DataValidationError, match="expected a pandas DataFrame, got list"):
        check_columns([1, 2], ["a"])


def test_wrong_dtype_names_column_and_dtype():
    with pytest.raises(DataValidationError, match=r"column 'b' must be numeric"):
        check_numeric(frame(), ["a", "b"])
    df = frame().assign(flag=True)
    with pytest.raises(DataValidationError, match="column 'flag' must be numeric"):
        check_numeric(df, ["flag"])


@pytest.mark.parametrize("bad, kind", [(np.nan, "NaN"), (np.inf, "inf"), (-np.inf, "inf")])
def test_non_finite_names_first_row(bad, kind):
    df = frame()
    df.iloc[3, 0] = bad
    with pytest.raises(
        DataValidationError, match=rf"column 'a' has 1 non-finite.*first is {kind} at row 3"
    ):
        check_finite(df, ["a"], where="t")


def test_datetime_index_checks():
    df = frame()
    check_datetime_index(df)
    with pytest.raises(DataValidationError, match="must be a DatetimeIndex"):
        check_datetime_index(df.reset_index(drop=True))
    dup = df.copy()
    dup.index = dup.index[[0, 1, 1, 3, 4]]
    with pytest.raises(DataValidationError, match="duplicate date 2020-01-02"):
        check_datetime_index(dup)
    swapped = df.copy()
    swapped.index = swapped.index[[0, 2, 1, 3, 4]]
    with pytest.raises(
        DataValidationError, match=r"not increasing: 2020-01-02 \(row 2\) comes after 2020-01-03"
    ):
        check_datetime_index(swapped)
    nat = df.copy()
    nat.index = pd.DatetimeIndex([df.index[0], pd.NaT, *df.index[2:]])
    with pytest.raises(DataValidationError, match="NaT"):
        check_datetime_index(nat)


def test_min_length():
    check_min_length(5, 5)
    with pytest.raises(DataValidationError, match="series has 4 rows, needs at least 5"):
        check_min_length(4, 5)


def test_sha256(tmp_path):
    import hashlib

    f = tmp_path / "x.csv"
    f.write_bytes(b"abc")
    check_sha256(f, hashlib.sha256(b"abc").hexdigest())
    with pytest.raises(DataValidationError, match="checksum mismatch for x.csv"):
        check_sha256(f, "0" * 64)
    with pytest.raises(DataValidationError, match="not found"):
        check_sha256(tmp_path / "missing.csv", "0" * 64)


def test_validate_frame_returns_input_and_checks_rows():
    df = frame()
    assert validate_frame(df, required=["a"], numeric=["a"], finite=["a"], time_index=True) is df
    with pytest.raises(DataValidationError, match="table has 0 rows"):
        validate_frame(df.iloc[:0], required=["a"])
