"""Running notebooks: metrics/outputs of a notebook, the papermill runner, Dask sweeps, reports and the CLI.
Analysis code never imports this layer; only ``outputs`` is re-exported here (the rest imports papermill/Dask)."""

from finrisk_utils.workbench.outputs import (
    METRIC_KEY_PATTERN,
    METRICS_FILE,
    check_metric_key,
    current_notebook,
    ensure_dir,
    flatten_metrics,
    read_metrics,
    record_metrics,
    resolve_output_dir,
)

__all__ = [
    "METRICS_FILE",
    "METRIC_KEY_PATTERN",
    "check_metric_key",
    "current_notebook",
    "ensure_dir",
    "flatten_metrics",
    "read_metrics",
    "record_metrics",
    "resolve_output_dir",
]
