"""Running notebooks: metrics/outputs of a notebook, the papermill runner, Dask sweeps, reports and the CLI.
Analysis code never imports this layer; only ``outputs`` is re-exported here (the rest imports papermill/Dask)."""

from finrisk_utils.workbench.outputs import (
    METRICS_FILE,
    flatten_metrics,
    read_metrics,
    record_metrics,
    resolve_output_dir,
)

__all__ = [
    "METRICS_FILE",
    "flatten_metrics",
    "read_metrics",
    "record_metrics",
    "resolve_output_dir",
]
