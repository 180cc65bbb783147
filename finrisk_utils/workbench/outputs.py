"""Metrics of a run: shown as a table in the notebook and written to ``metrics.json``."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd

from finrisk_utils.core.paths import REPO_ROOT, RUNS_DIR

__all__ = [
    "METRICS_FILE",
    "flatten_metrics",
    "read_metrics",
    "record_metrics",
    "resolve_output_dir",
]

METRICS_FILE = "metrics.json"
HEADLINE_FILE = "headline.json"


def resolve_output_dir(output_dir: str | Path | None, notebook: str) -> Path:
    """The folder a notebook writes to: ``output_dir`` if given, else ``runs/interactive/<notebook>``."""
    if output_dir is not None and not isinstance(output_dir, str | Path):
        raise TypeError(f"output_dir must be a path or None, got {type(output_dir).__name__}")
    path = Path(output_dir) if output_dir is not None else RUNS_DIR / "interactive" / notebook
    path.mkdir(parents=True, exist_ok=True)
    return path


def _display_path(path: Path) -> str:
    """Path relative to the repository when inside it, so outputs never leak a machine's layout."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return path.name


def flatten_metrics(metrics: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """Flatten nested mappings into dotted keys; values must be numbers, strings, booleans or None."""
    flat: dict[str, object] = {}
    for key, value in metrics.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"metric keys must be non-empty strings, got {key!r}")
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_metrics(value, prefix=f"{name}."))
        elif value is None or isinstance(value, bool | str):
            flat[name] = value
        elif isinstance(value, Real | np.number):
            number = value.item() if isinstance(value, np.generic) else value
            flat[name] = None if isinstance(number, float) and math.isnan(number) else number
        else:
            raise TypeError(
                f"metric {name!r} must be a number, string, bool or None, got {type(value).__name__}"
            )
    return flat


def record_metrics(
    metrics: Mapping[str, object],
    output_dir: str | Path,
    *,
    headline: Sequence[str] = (),
    show: bool = True,
) -> pd.DataFrame:
    """Write ``metrics`` (flattened, keys sorted) to ``output_dir/metrics.json`` and return them as a table.

    NaN values are written as ``null`` (undefined, not zero). ``headline`` names the keys a run summary shows;
    each must be a key of ``metrics``.
    """
    flat = flatten_metrics(metrics)
    if not flat:
        raise ValueError("record_metrics got no metrics")
    missing = [k for k in headline if k not in flat]
    if missing:
        raise KeyError(f"headline key(s) {missing} are not among the metrics")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / METRICS_FILE).write_text(json.dumps(dict(sorted(flat.items())), indent=2) + "\n")
    if headline:
        (out / HEADLINE_FILE).write_text(json.dumps(list(headline)) + "\n")
    table = pd.DataFrame({"value": pd.Series(flat, dtype=object)}).rename_axis("metric")
    if show:
        print(f"metrics written to {_display_path(out / METRICS_FILE)}")
    return table


def read_metrics(output_dir: str | Path) -> tuple[dict[str, object], list[str]]:
    """Read ``metrics.json`` (and the headline keys, if any) back from a run folder."""
    out = Path(output_dir)
    metrics = json.loads((out / METRICS_FILE).read_text())
    headline_path = out / HEADLINE_FILE
    headline = json.loads(headline_path.read_text()) if headline_path.exists() else []
    return metrics, headline
