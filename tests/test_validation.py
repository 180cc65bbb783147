import numpy as np
import pandas as pd
import pytest

from finrisk_utils import DataValidationError
from finrisk_utils.core.validation import (
    check_columns,
    check_datetime_index,
    check_finite,
    check_flags,
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


# --- property tests of the shared validators -------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from finrisk_utils.core.validation import (  # noqa: E402
    as_float_array,
    check_number,
    check_positive_int,
    check_probability,
    check_returns,
)

_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(-(10**6), 10**6),
    st.text(max_size=3),
    st.booleans(),
    st.none(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_values, max_size=8))
def test_as_float_array_returns_finite_floats_or_a_named_error(values):
    """Either a finite, non-empty float array equal to the input, or one of the three contract errors with a
    message that names the function and the argument."""
    try:
        arr = as_float_array(np.array(values, dtype=object), "x", where="prop")
    except (TypeError, ValueError) as err:
        assert str(err).startswith("prop: x ")
        return
    assert arr.dtype == float and arr.size == len(values) > 0 and np.isfinite(arr).all()
    assert not any(isinstance(v, str) for v in values)


@settings(max_examples=200, deadline=None)
@given(st.one_of(_values, st.integers(-5, 5)), st.integers(0, 3))
def test_check_positive_int_accepts_exactly_ints_at_least_minimum(value, minimum):
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
    try:
        out = check_positive_int(value, "n", where="prop", minimum=minimum)
    except (TypeError, ValueError) as err:
        assert not ok and str(err).startswith("prop: n must be")
        return
    assert ok and out == value and type(out) is int


@settings(max_examples=200, deadline=None)
@given(_values, st.booleans(), st.sampled_from([0.5, 1.0]))
def test_check_probability_accepts_exactly_the_interval(value, closed, upper):
    number = isinstance(value, int | float) and not isinstance(value, bool)
    inside = number and ((0 <= value <= upper) if closed else (0 < value < upper))
    try:
        out = check_probability(value, "alpha", where="prop", closed=closed, upper=upper)
    except (TypeError, ValueError) as err:
        assert not inside and "prop: alpha must" in str(err)
        return
    assert inside and out == float(value)


@settings(max_examples=200, deadline=None)
@given(_values, st.one_of(st.none(), st.floats(-10, 10)))
def test_check_number_is_finite_and_respects_minimum(value, minimum):
    try:
        out = check_number(value, "y", where="prop", minimum=minimum)
    except (TypeError, ValueError) as err:
        assert str(err).startswith("prop: y must")
        return
    assert np.isfinite(out) and (minimum is None or out >= minimum)
    assert not isinstance(value, bool | str) and value is not None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=10),
    st.permutations(range(10)),
)
def test_check_returns_rejects_non_finite_and_unsorted(values, order):
    idx = pd.bdate_range("2020-01-01", periods=len(values))
    order = [i for i in order if i < len(values)]
    s = pd.Series(values, index=idx[order])
    finite = bool(np.isfinite(values).all())
    increasing = order == sorted(order)
    try:
        out = check_returns(s, "r", where="prop")
    except DataValidationError as err:
        assert not (finite and increasing) and str(err).startswith("prop: r")
        return
    assert finite and increasing and out.equals(s)


def test_labels_and_scores_name_the_function_and_the_classes():
    from finrisk_utils.core.validation import check_labels_and_scores

    y, s = check_labels_and_scores([0, 1, 1], [0.2, 0.5, 0.9], where="f")
    assert y.dtype.kind == "i" and s.dtype.kind == "f"
    with pytest.raises(ValueError, match=r"f: y needs both classes.*0 \(good\) and 1 \(bad\)"):
        check_labels_and_scores([1, 1], [0.1, 0.2], where="f", meaning="0 (good) and 1 (bad)")
    y, _ = check_labels_and_scores([1, 1], [0.1, 0.2], where="f", both=False)  # one class allowed
    assert y.tolist() == [1, 1]
    with pytest.raises(ValueError, match="f: y must hold 0/1 labels, found 2.0 at row 1"):
        check_labels_and_scores([0, 2], [0.1, 0.2], where="f", both=False)
    with pytest.raises(ValueError, match="f: y and p must be 1-D of equal"):
        check_labels_and_scores([0, 1, 1], [0.1, 0.2], "p", where="f")


@pytest.mark.parametrize("text", ["Jan", "March", "1-2"])
def test_as_timestamp_refuses_a_date_string_without_a_year(text):
    from finrisk_utils.core.validation import as_timestamp

    with pytest.raises(ValueError, match=f"f: start is not a date: '{text}'"):
        as_timestamp(text, "start", where="f")
    assert as_timestamp("Jan 2015", "start") == pd.Timestamp("2015-01-01")


@pytest.mark.parametrize(
    ("values", "allow_unknown", "expected"),
    [
        ([True, False], False, [True, False]),
        (np.array([1, 0, 1]), False, [True, False, True]),
        (pd.Series([1.0, 0.0]), False, [True, False]),
        ([np.bool_(True), None, np.nan], True, [True, False, False]),  # unknown reads as not true
    ],
)
def test_check_flags_reads_bools_and_zero_one(values, allow_unknown, expected):
    assert check_flags(values, "trained", where="f", allow_unknown=allow_unknown) == expected


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        ("TF", TypeError, "f: trained must be a sequence of one flag per item, got str"),
        ({0: True}, TypeError, "got dict"),
        (3, TypeError, "got int"),
        ([], ValueError, "f: trained is empty"),
        ([True, 2], ValueError, r"f: trained\[1\] must be a bool, 0/1, got 2"),
        ([None], ValueError, r"trained\[0\] must be a bool, 0/1, got None"),
        ([0.5], ValueError, r"trained\[0\]"),
        (["yes"], ValueError, r"trained\[0\]"),
    ],
)
def test_check_flags_names_the_bad_item(values, error, match):
    with pytest.raises(error, match=match):
        check_flags(values, "trained", where="f")
