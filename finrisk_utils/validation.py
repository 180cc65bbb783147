"""Schema and quality checks. Every failure raises :class:`DataValidationError` naming where it happened (the
dataset or function, given as ``where``), the column or row, and the problem, so nothing downstream silently
computes on bad data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DataValidationError",
    "check_columns",
    "check_datetime_index",
    "check_finite",
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
