"""Metrics of a run: shown as a table in the notebook and written to ``metrics.json``."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd

from finrisk_utils.core.paths import REPO_ROOT, RUNS_DIR

__all__ = [
    "ensure_dir",
    "METRICS_FILE",
    "METRIC_KEY_PATTERN",
    "check_metric_key",
    "current_notebook",
    "flatten_metrics",
    "read_metrics",
    "record_metrics",
    "resolve_output_dir",
]

METRICS_FILE = "metrics.json"
HEADLINE_FILE = "headline.json"


def current_notebook() -> str:
    """Stem of the notebook this kernel runs, as the front end tells the kernel (JupyterLab/Notebook 7 set
    ``JPY_SESSION_NAME``; VS Code sets ``__vsc_ipynb_file__``); ``"notebook"`` when it cannot be told."""
    import __main__

    for candidate in (
        os.environ.get("JPY_SESSION_NAME"),
        getattr(__main__, "__vsc_ipynb_file__", None),
        getattr(__main__, "__session__", None),
    ):
        if isinstance(candidate, str) and candidate.endswith(".ipynb"):
            return Path(candidate).stem
    return "notebook"


def resolve_output_dir(output_dir: str | Path | None, notebook: str | None = None) -> Path:
    """The folder a notebook writes to: ``output_dir`` if given (papermill, ``finrisk run``, the tests), else
    ``runs/interactive/<notebook>``, with ``notebook`` defaulting to :func:`current_notebook`."""
    if output_dir is not None and not isinstance(output_dir, str | Path):
        raise TypeError(
            f"resolve_output_dir: output_dir must be a path or None, got "
            f"{type(output_dir).__name__} {output_dir!r}"
        )
    if notebook is None:
        notebook = current_notebook()
    if not isinstance(notebook, str) or not notebook.strip() or "/" in notebook:
        raise ValueError(
            f"resolve_output_dir: notebook must be a non-empty name without '/', got {notebook!r}"
        )
    if isinstance(output_dir, str) and not output_dir.strip():
        raise ValueError(
            "resolve_output_dir: output_dir is an empty string (give a folder or None)"
        )
    path = Path(output_dir) if output_dir is not None else RUNS_DIR / "interactive" / notebook
    ensure_dir(path, "resolve_output_dir", "output_dir")
    return path


def ensure_dir(path: Path, caller: str, argument: str) -> None:
    """Create the folder ``path``; a clear error (naming ``caller`` and ``argument``) if a file is in the way."""
    for part in (path, *path.parents):
        if part.exists() and not part.is_dir():
            raise NotADirectoryError(
                f"{caller}: {argument} {str(path)!r} is not a folder ({str(part)!r} is a file)"
            )
    path.mkdir(parents=True, exist_ok=True)


def _display_path(path: Path) -> str:
    """Path relative to the repository when inside it, so outputs never leak a machine's layout."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return path.name


_SEGMENT = r"[a-z0-9]+(?:_[a-z0-9]+)*"
METRIC_KEY_PATTERN = rf"{_SEGMENT}\.{_SEGMENT}"
"""The metric-key grammar, ``<subject>.<statistic>``: exactly one dot between two lower-case snake segments
(``[a-z0-9]+(_[a-z0-9]+)*``: no leading, trailing or doubled ``_``). The subject is a model name
(``lstm_quantile``), a dataset (``sp500``), a comparison ``<a>_vs_<b>`` or ``run``; a horizon or maturity is a
suffix of the statistic (``rmse_h6``, ``yield_rmse_120m``); p-values end in ``_pvalue`` (``_pvalue_holm`` when
Holm-adjusted), e.g. ``lstm_vs_garch.dm_pvalue_holm``."""
_METRIC_KEY = re.compile(METRIC_KEY_PATTERN)


def check_metric_key(key: str) -> None:
    """Raise ``ValueError`` (``TypeError`` for a non-string) unless ``key`` follows :data:`METRIC_KEY_PATTERN`."""
    if not isinstance(key, str):
        raise TypeError(f"metric key must be a string, got {type(key).__name__} {key!r}")
    if _METRIC_KEY.fullmatch(key):
        return
    if key.count(".") != 1:
        why = f"it has {key.count('.')} dots; it needs exactly one, between subject and statistic"
    else:
        why = "each side of the dot must be lower-case snake case ([a-z0-9]+ joined by single '_')"
    raise ValueError(
        f"metric key {key!r} does not follow <subject>.<statistic> ({why}); e.g. 'lstm.rmse_h6', "
        "'sp500.rows', 'lstm_vs_garch.dm_pvalue_holm', 'run.n_test'"
    )


def _metric_value(name: str, value: object) -> object:
    """A JSON-safe metric value: NaN becomes ``None`` (undefined, not zero); infinities are refused."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Real) and not isinstance(value, bool):
        number = value if isinstance(value, int | float) else float(value)
        if isinstance(number, float) and math.isnan(number):
            return None
        if isinstance(number, float) and math.isinf(number):
            raise ValueError(
                f"metric {name!r} is {number}: metrics.json holds finite numbers only "
                "(record None for 'undefined', or a large finite bound)"
            )
        return number
    raise TypeError(
        f"metric {name!r} must be a number, string, bool or None, got {type(value).__name__} {value!r}"
    )


def flatten_metrics(metrics: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """Flatten nested mappings: the first level joins with ``.``, deeper levels with ``_``, so
    ``{"lstm": {"rmse": {"h6": 0.9}}}`` gives ``"lstm.rmse_h6"`` (one dot, as the key grammar wants).
    Values must be numbers, strings, booleans or None; NaN becomes ``None``, infinities are refused, and two
    entries that flatten to the same key are an error."""
    if not isinstance(metrics, Mapping):
        raise TypeError(
            f"metrics must be a mapping of names to values, got {type(metrics).__name__}"
        )
    flat: dict[str, object] = {}
    for key, value in metrics.items():
        if not isinstance(key, str) or not key:
            raise TypeError(
                f"metric keys must be non-empty strings, got {key!r} (under {prefix!r})"
            )
        name = f"{prefix}{key}"
        items: Iterable[tuple[str, object]]
        if isinstance(value, Mapping):
            items = flatten_metrics(value, prefix=f"{name}{'_' if prefix else '.'}").items()
        else:
            items = [(name, _metric_value(name, value))]
        for k, v in items:
            if k in flat:
                raise ValueError(f"two metrics flatten to the same key {k!r}")
            flat[k] = v
    return flat


def _about_untrained(key: str, flat: Mapping[str, object]) -> bool:
    """Whether metric ``key``'s subject (or, for ``a_vs_b``, its model ``a``) is a network labelled untrained."""
    subject = key.split(".", 1)[0].split("_vs_", 1)[0]
    return flat.get(f"{subject}.trained") == 0


def record_metrics(
    metrics: Mapping[str, object],
    output_dir: str | Path,
    *,
    headline: Sequence[str] = (),
    show: bool = True,
) -> pd.DataFrame:
    """Write ``metrics`` (flattened, keys sorted) to ``output_dir/metrics.json`` and return them as a table.

    Nested mappings are flattened by :func:`flatten_metrics` (first level ``.``, deeper ``_``); every flattened
    key must follow the grammar of :func:`check_metric_key` (``<subject>.<statistic>``). NaN values are
    written as ``null`` (undefined, not zero). ``headline`` names the keys a run summary shows; each must be
    a key of ``metrics``, except a key about a network the run labels untrained (``<model>.trained`` is 0, for
    ``<model>.…`` or ``<model>_vs_<benchmark>.…``): the protocol does not interpret such a network, so its
    statistics may be absent, and the headline leaves them out.
    """
    try:
        flat = flatten_metrics(metrics)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"record_metrics: {exc}") from None
    if not flat:
        raise ValueError("record_metrics got no metrics")
    for key in flat:
        try:
            check_metric_key(key)
        except ValueError as exc:
            raise ValueError(f"record_metrics: {exc}") from None
    if isinstance(headline, str) or not isinstance(headline, Sequence):
        raise TypeError(f"record_metrics: headline must be a list of metric keys, got {headline!r}")
    missing = [k for k in headline if k not in flat and not _about_untrained(k, flat)]
    if missing:
        raise KeyError(f"record_metrics: headline key(s) {missing} are not among the metrics")
    headline = [k for k in headline if k in flat]
    if output_dir is None or not isinstance(output_dir, str | Path):
        raise TypeError(
            f"record_metrics: output_dir must be a path (see resolve_output_dir), got {output_dir!r}"
        )
    out = Path(output_dir)
    ensure_dir(out, "record_metrics", "output_dir")
    text = json.dumps(dict(sorted(flat.items())), indent=2, allow_nan=False)
    (out / METRICS_FILE).write_text(text + "\n")
    if headline:
        (out / HEADLINE_FILE).write_text(json.dumps(list(headline)) + "\n")
    table = pd.DataFrame({"value": pd.Series(flat, dtype=object)}).rename_axis("metric")
    if show:
        print(f"metrics written to {_display_path(out / METRICS_FILE)}")
    return table


def read_metrics(output_dir: str | Path) -> tuple[dict[str, object], list[str]]:
    """Read ``metrics.json`` (and the headline keys, if any) back from a run folder."""
    out = Path(output_dir)
    path = out / METRICS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"read_metrics: no {METRICS_FILE} in {str(out)!r}")
    try:
        metrics = json.loads(path.read_text())
        headline_path = out / HEADLINE_FILE
        headline = json.loads(headline_path.read_text()) if headline_path.exists() else []
    except json.JSONDecodeError as exc:
        raise ValueError(f"read_metrics: {str(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(metrics, dict) or not isinstance(headline, list):
        raise ValueError(f"read_metrics: {str(out)!r} holds malformed metrics or headline")
    return metrics, headline
