"""Schema and quality checks. Every failure raises :class:`DataValidationError` naming where it happened (the
dataset or function, given as ``where``), the column or row, and the problem, so nothing downstream silently
computes on bad data."""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DataValidationError",
    "as_float_array",
    "as_timestamp",
    "check_binary_labels",
    "check_labels_and_scores",
    "check_date_index",
    "check_number",
    "check_same_index",
    "check_subset",
    "check_columns",
    "check_positive_int",
    "check_probability",
    "check_returns",
    "check_datetime_index",
    "check_finite",
    "check_flags",
    "check_min_length",
    "check_numeric",
    "check_sha256",
    "validate_frame",
]


class DataValidationError(ValueError):
    """Raised when data fails a schema or quality check; the message says what, where and why."""


def _label(where: str | None) -> str:
    """Message prefix: what was being checked, e.g. "dataset 'sp500'" or "log_returns"."""
    return where or "data"


def check_columns(df: pd.DataFrame, required: Iterable[str], *, where: str | None = None) -> None:
    """Raise if any of ``required`` is not a column of ``df``."""
    if not isinstance(df, pd.DataFrame):
        raise DataValidationError(
            f"{_label(where)}: expected a pandas DataFrame, got {type(df).__name__}"
        )
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataValidationError(
            f"{_label(where)}: missing column(s) {missing}; available: {list(df.columns)}"
        )


def check_numeric(df: pd.DataFrame, columns: Iterable[str], *, where: str | None = None) -> None:
    """Raise if any of ``columns`` does not have a numeric (non-boolean) dtype."""
    check_columns(df, columns, where=where)
    for col in columns:
        dtype = df[col].dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            raise DataValidationError(
                f"{_label(where)}: column {col!r} must be numeric, has dtype {dtype}"
            )


def check_finite(df: pd.DataFrame, columns: Iterable[str], *, where: str | None = None) -> None:
    """Raise if any of ``columns`` holds NaN or +/-inf; the message names the first bad row."""
    check_numeric(df, columns, where=where)
    for col in columns:
        values = df[col].to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            first = int(np.argmax(bad))
            kind = "NaN" if np.isnan(values[first]) else "inf"
            raise DataValidationError(
                f"{_label(where)}: column {col!r} has {int(bad.sum())} non-finite value(s); "
                f"first is {kind} at row {first} (index {df.index[first]!r})"
            )


def check_datetime_index(df: pd.DataFrame | pd.Series, *, where: str | None = None) -> None:
    """Raise unless the index is a DatetimeIndex without NaT, duplicates or decreasing dates."""
    idx = df.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise DataValidationError(
            f"{_label(where)}: index must be a DatetimeIndex, got {type(idx).__name__}"
        )
    if idx.hasnans:
        raise DataValidationError(f"{_label(where)}: index has missing dates (NaT)")
    dup = idx.duplicated()
    if dup.any():
        raise DataValidationError(
            f"{_label(where)}: duplicate date {idx[dup][0].date()} in index "
            f"({int(dup.sum())} duplicate(s))"
        )
    if not idx.is_monotonic_increasing:
        pos = int(np.argmax(np.diff(idx.asi8) < 0)) + 1
        raise DataValidationError(
            f"{_label(where)}: dates are not increasing: {idx[pos].date()} (row {pos}) "
            f"comes after {idx[pos - 1].date()}"
        )


def check_min_length(
    n_rows: int, required: int, *, what: str = "series", where: str | None = None
) -> None:
    """Raise if ``n_rows < required`` (e.g. a series too short for the requested window)."""
    if n_rows < required:
        raise DataValidationError(
            f"{_label(where)}: {what} has {n_rows} rows, needs at least {required}"
        )


def check_sha256(path: Path, expected: str, *, where: str | None = None) -> None:
    """Raise if the file is missing or its SHA-256 differs from ``expected``."""
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(f"{_label(where)}: file {path.name} not found in {path.parent}")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != expected:
        raise DataValidationError(
            f"{_label(where)}: checksum mismatch for {path.name}: sha256 {actual} "
            f"!= manifest {expected} (file changed or corrupted)"
        )


def validate_frame(
    df: pd.DataFrame,
    *,
    where: str | None = None,
    required: Iterable[str] = (),
    numeric: Iterable[str] = (),
    finite: Iterable[str] = (),
    time_index: bool = False,
    min_rows: int = 1,
) -> pd.DataFrame:
    """Run the checks above in order and return ``df`` unchanged if all pass."""
    check_columns(df, list(required), where=where)
    check_numeric(df, list(numeric), where=where)
    check_finite(df, list(finite), where=where)
    if time_index:
        check_datetime_index(df, where=where)
    check_min_length(len(df), min_rows, what="table", where=where)
    return df


def check_positive_int(
    value: object, name: str, *, where: str | None = None, minimum: int = 1
) -> int:
    """``value`` as an int if it is an integer (not a bool) of at least ``minimum``; else ``ValueError`` or
    ``TypeError`` naming ``where`` and ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"{_label(where)}: {name} must be a positive int, got {value!r} ({type(value).__name__})"
        )
    if value < minimum:
        kind = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"{_label(where)}: {name} must be {kind}, got {value!r}")
    return int(value)


def check_flags(
    values: object, name: str, *, where: str | None = None, allow_unknown: bool = False
) -> list[bool]:
    """One flag per item (e.g. whether each seed's network trained) as a list of bools: a non-empty sequence,
    array or Series of bools, 0/1 or 0.0/1.0; with ``allow_unknown``, None or NaN (unknown) reads as False.
    Anything else raises ``TypeError`` or ``ValueError`` naming ``where``, ``name`` and the position."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(
        values, Sequence | np.ndarray | pd.Series
    ):
        raise TypeError(
            f"{_label(where)}: {name} must be a sequence of one flag per item, got {type(values).__name__}"
        )
    items = values.tolist() if isinstance(values, np.ndarray | pd.Series) else list(values)
    if not items:
        raise ValueError(f"{_label(where)}: {name} is empty")
    flags = []
    for i, v in enumerate(items):
        unknown = v is None or (isinstance(v, float | np.floating) and math.isnan(v))
        if unknown and allow_unknown:
            flags.append(False)  # unknown: not known to be true
        elif isinstance(v, bool | np.bool_) or (
            isinstance(v, int | np.integer | float | np.floating) and v in (0, 1)
        ):
            flags.append(bool(v))
        else:
            kinds = "a bool, 0/1" + (" or None (unknown)" if allow_unknown else "")
            raise ValueError(f"{_label(where)}: {name}[{i}] must be {kinds}, got {v!r}")
    return flags


def check_subset(
    values: object, allowed: Iterable[str], name: str, *, where: str | None = None
) -> list[str]:
    """``values`` (a list or tuple of names, not a bare string) as a list, if non-empty and every name is in
    ``allowed``; else a ``TypeError``/``ValueError`` naming ``where``, ``name`` and the unknown names."""
    allowed = list(allowed)
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise TypeError(f"{_label(where)}: {name} must be a list of names, got {values!r}")
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        raise ValueError(
            f"{_label(where)}: {name} must be a non-empty subset of {allowed}; unknown: {unknown}"
        )
    return list(values)


def check_probability(
    value: object, name: str, *, where: str | None = None, closed: bool = False, upper: float = 1.0
) -> float:
    """``value`` as a float strictly inside (0, upper) (``closed=True``: inside [0, upper]); else a
    ``TypeError``/``ValueError`` naming ``where`` and ``name``. ``upper=0.5`` for a tail probability."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(
            f"{_label(where)}: {name} must be a number, got {value!r} ({type(value).__name__})"
        )
    v = float(value)
    ok = 0.0 <= v <= upper if closed else 0.0 < v < upper
    if not ok:
        interval = f"[0, {upper:g}]" if closed else f"(0, {upper:g})"
        raise ValueError(f"{_label(where)}: {name} must lie in {interval}, got {value!r}")
    return v


def as_float_array(
    values: object,
    name: str,
    *,
    where: str | None = None,
    ndim: int | None = 1,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """``values`` as a float array; strings, empty input, a wrong number of dimensions and (``finite=True``)
    NaN/inf raise an error naming ``where``, ``name`` and the first bad position (its date for pandas input)."""
    index = values.index if isinstance(values, pd.Series | pd.DataFrame) else None

    def at(row: int) -> str:
        if index is not None and len(index) > row:
            label = index[row]
            return f"row {row} ({label.date() if isinstance(label, pd.Timestamp) else repr(label)})"
        return f"row {row}"

    if isinstance(values, str | bytes):
        raise TypeError(f"{_label(where)}: {name} must be numeric, got a string {values!r}")
    raw = values.to_numpy() if isinstance(values, pd.Series | pd.DataFrame) else values
    raw = np.asarray(raw) if not isinstance(raw, np.ndarray) else raw
    if raw.dtype.kind in "USO":
        flat = raw.reshape(-1) if raw.ndim else raw.reshape(1)
        is_text = np.fromiter(
            (not (v is None or v is pd.NA or isinstance(v, int | float | np.number)) for v in flat),
            dtype=bool,
            count=flat.size,
        )
        if is_text.any():
            i = int(np.argmax(is_text))
            item = flat[i].item() if isinstance(flat[i], np.generic) else flat[i]
            row = int(np.unravel_index(i, raw.shape)[0]) if raw.ndim else 0
            raise TypeError(
                f"{_label(where)}: {name} must be numeric, found {item!r} "
                f"({type(item).__name__}) at {at(row)}"
            )
    try:
        arr = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{_label(where)}: {name} must be numeric, got {type(values).__name__} with "
            f"non-numeric values"
        ) from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{_label(where)}: {name} must be {ndim}-D, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise DataValidationError(f"{_label(where)}: {name} is empty")
    if finite:
        bad = ~np.isfinite(arr)
        if bad.any():
            pos = np.unravel_index(int(np.argmax(bad)), arr.shape)
            value = arr[pos]
            kind = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
            raise DataValidationError(
                f"{_label(where)}: {name} has {int(bad.sum())} non-finite value(s); first is {kind} "
                f"at {at(int(pos[0]) if arr.ndim else 0)}"
            )
    return arr


def check_returns(returns: object, name: str = "returns", *, where: str | None = None) -> pd.Series:
    """A return series with a DatetimeIndex, finite float values, increasing unique dates, at least one row."""
    if not isinstance(returns, pd.Series):
        raise TypeError(
            f"{_label(where)}: {name} must be a pandas Series with a DatetimeIndex, got "
            f"{type(returns).__name__}"
        )
    as_float_array(returns, name, where=where)
    check_datetime_index(returns, where=f"{_label(where)}: {name}")
    return returns.astype(float)


def check_binary_labels(
    y: object, name: str = "y", *, where: str | None = None, both: bool = True
) -> np.ndarray:
    """0/1 labels as an int array, with both classes present unless ``both=False``; anything else raises an
    error naming it."""
    arr = as_float_array(y, name, where=where)
    if not np.isin(arr, (0.0, 1.0)).all():
        row = int(np.argmax(~np.isin(arr, (0.0, 1.0))))
        raise ValueError(
            f"{_label(where)}: {name} must hold 0/1 labels, found {float(arr[row])!r} at row {row}"
        )
    if both and arr.min() == arr.max():
        raise ValueError(f"{_label(where)}: {name} needs both classes, has only {int(arr[0])}")
    return arr.astype(int)


def check_labels_and_scores(
    y: object,
    scores: object,
    name: str = "score",
    *,
    where: str,
    meaning: str = "",
    both: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """0/1 labels (both classes unless ``both=False``) and finite scores of the same length (n,).

    ``meaning`` (e.g. ``"0 (good) and 1 (bad)"``) is added to a label error so that it says what the classes are.
    """
    try:
        y_arr = check_binary_labels(y, "y", where=where, both=both)
    except ValueError as err:
        if not meaning:
            raise
        raise type(err)(f"{err} (y must hold {meaning})") from None
    s_arr = as_float_array(scores, name, where=where)
    if y_arr.shape != s_arr.shape:
        raise ValueError(
            f"{where}: y and {name} must be 1-D of equal, non-zero length, got {y_arr.shape} and "
            f"{s_arr.shape}"
        )
    return y_arr, s_arr


def check_number(
    value: object,
    name: str,
    *,
    where: str | None = None,
    minimum: float | None = None,
    strict: bool = False,
) -> float:
    """``value`` as a finite float (not a bool or a string); with ``minimum``, at least it (``strict``: above it).
    Otherwise a ``TypeError``/``ValueError`` naming ``where``, ``name`` and the value."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(
            f"{_label(where)}: {name} must be a number, got {value!r} ({type(value).__name__})"
        )
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{_label(where)}: {name} must be finite, got {value!r}")
    if minimum is not None and (v <= minimum if strict else v < minimum):
        raise ValueError(
            f"{_label(where)}: {name} must be {'>' if strict else '>='} {minimum:g}, got {value!r}"
        )
    return v


def as_timestamp(value: object, name: str, *, where: str | None = None) -> pd.Timestamp:
    """``value`` (a date string, ``datetime`` or ``Timestamp``) as a ``pd.Timestamp``; else an error naming it."""
    if isinstance(value, bool) or not isinstance(value, str | datetime.date | np.datetime64):
        raise TypeError(
            f"{_label(where)}: {name} must be a date, got {value!r} ({type(value).__name__})"
        )
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{_label(where)}: {name} is not a date: {value!r}") from None
    # a string without a four-digit year ("Jan") is read by pandas as year 1: not a date anyone meant
    if pd.isna(ts) or (isinstance(value, str) and not re.search(r"\d{4}", value)):
        raise ValueError(f"{_label(where)}: {name} is not a date: {value!r}")
    return ts


def check_date_index(
    dates: object, name: str = "dates", *, where: str | None = None
) -> pd.DatetimeIndex:
    """A non-empty ``DatetimeIndex`` of increasing, unique dates (e.g. the dates to forecast)."""
    if not isinstance(dates, pd.DatetimeIndex):
        raise TypeError(
            f"{_label(where)}: {name} must be a pandas DatetimeIndex, got {type(dates).__name__}"
        )
    if len(dates) == 0:
        raise DataValidationError(f"{_label(where)}: {name} is empty")
    check_datetime_index(pd.Series(0, index=dates), where=f"{_label(where)}: {name}")
    return dates


def check_same_index(
    a: pd.Series | pd.DataFrame,
    b: pd.Series | pd.DataFrame,
    names: tuple[str, str],
    *,
    where: str | None = None,
) -> None:
    """Raise unless ``a`` and ``b`` have identical indexes; the message names the first date where they differ."""
    ia, ib = a.index, b.index
    if ia.equals(ib):
        return
    n = min(len(ia), len(ib))
    differ = np.flatnonzero(np.asarray(ia[:n] != ib[:n]))
    if differ.size:
        i = int(differ[0])
        detail = f"row {i}: {names[0]} has {ia[i]!r}, {names[1]} has {ib[i]!r}"
    else:
        detail = f"{names[0]} has {len(ia)} rows, {names[1]} has {len(ib)}"
    raise DataValidationError(
        f"{_label(where)}: {names[0]} and {names[1]} are not on the same dates ({detail})"
    )
