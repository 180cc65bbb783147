"""Reference dates that are facts, not data files: US business-cycle recessions."""

from __future__ import annotations

import pandas as pd

__all__ = ["NBER_RECESSIONS", "nber_recessions"]

#: US recessions (peak month, trough month) as dated by the NBER Business Cycle Dating Committee.
NBER_RECESSIONS: tuple[tuple[str, str], ...] = (
    ("1920-01", "1921-07"),
    ("1923-05", "1924-07"),
    ("1926-10", "1927-11"),
    ("1929-08", "1933-03"),
    ("1937-05", "1938-06"),
    ("1945-02", "1945-10"),
    ("1948-11", "1949-10"),
    ("1953-07", "1954-05"),
    ("1957-08", "1958-04"),
    ("1960-04", "1961-02"),
    ("1969-12", "1970-11"),
    ("1973-11", "1975-03"),
    ("1980-01", "1980-07"),
    ("1981-07", "1982-11"),
    ("1990-07", "1991-03"),
    ("2001-03", "2001-11"),
    ("2007-12", "2009-06"),
    ("2020-02", "2020-04"),
)


def nber_recessions(start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Recessions overlapping ``[start, end]``: columns ``peak`` and ``trough`` (month-start timestamps)."""
    table = pd.DataFrame(
        [(pd.Timestamp(p), pd.Timestamp(t)) for p, t in NBER_RECESSIONS], columns=["peak", "trough"]
    )
    if start is not None:
        table = table[table["trough"] >= pd.Timestamp(start)]
    if end is not None:
        table = table[table["peak"] <= pd.Timestamp(end)]
    return table.reset_index(drop=True)
