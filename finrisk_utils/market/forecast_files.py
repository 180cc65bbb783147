"""The forecasts a run writes for seed sweeps to combine (``forecasts.csv`` in its run folder): one schema for
point and risk forecasts.

A CSV indexed by ``date`` (increasing, unique), with the realised returns in column ``actual`` and one column per
forecast, every one on the realised returns' dates and finite: ``<model>`` for a return forecast
(:func:`~finrisk_utils.market.return_forecast.save_return_forecasts`), ``<model>:var`` and ``<model>:es`` for a
VaR/ES forecast (:func:`~finrisk_utils.market.var_study.save_var_forecasts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from finrisk_utils.core.validation import DataValidationError, check_returns

__all__ = ["ACTUAL", "FORECASTS_FILE", "read_forecast_table", "write_forecast_table"]

FORECASTS_FILE = "forecasts.csv"
"""File name of a run's forecasts in its run folder (read by the seed-ensemble functions)."""

ACTUAL = "actual"
"""Column of the realised returns."""


def write_forecast_table(
    path: str | Path, actual: pd.Series, columns: Mapping[str, pd.Series], *, where: str
) -> Path:
    """Write ``actual`` (realised returns, % or log units as the caller's) and ``columns`` (name -> forecast
    Series on ``actual``'s dates, finite) to ``path`` in the schema above; errors name ``where``. Returns the
    path."""
    actual = check_returns(actual, "actual", where=where)
    if not isinstance(columns, Mapping) or not columns or ACTUAL in columns:
        raise ValueError(
            f"{where}: forecasts must be a non-empty mapping model -> forecast (no model named {ACTUAL!r})"
        )
    frame = pd.DataFrame({ACTUAL: actual})
    for name, fc in columns.items():
        fc = check_returns(fc, f"forecasts[{name!r}]", where=where)
        if not fc.index.equals(actual.index):
            raise DataValidationError(f"{where}: forecasts[{name!r}] is not on actual's dates")
        frame[name] = fc
    path = Path(path)
    frame.to_csv(path, index_label="date")
    return path


def read_forecast_table(path: str | Path, *, where: str) -> pd.DataFrame:
    """Read and check a table :func:`write_forecast_table` wrote: ``date`` index (increasing, unique), column
    ``actual`` and at least one forecast column, every value finite; errors name ``where``, the file and the
    column or date."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{where}: no forecasts file {path}")
    try:
        frame = pd.read_csv(path, index_col="date", parse_dates=True)
    except ValueError as err:  # no column "date"
        raise DataValidationError(f"{where}: {path} has no 'date' column ({err})") from err
    if ACTUAL not in frame.columns or frame.shape[1] < 2:
        raise DataValidationError(
            f"{where}: {path} lacks the column {ACTUAL!r} or any model's column"
        )
    for column in frame.columns:
        check_returns(frame[column], f"{path.name} column {column!r}", where=where)
    return frame
