"""Parameter sweeps: run one notebook over a grid of parameters with papermill, in parallel on Dask, and
collect every run's metrics into one table.

Each combination runs in its own folder ``<out>/runs/<key>/``: ``run.json`` (its parameters, status, error,
duration) and ``<notebook>/`` (the executed notebook, partial if it failed, ``metrics.json``, figures), so a
sweep can be resumed and its results rebuilt from disk at any time. With a remote Dask scheduler, ``out`` must be a path every worker can reach (a
shared file system); the workers need the project installed in the same environment.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd
import yaml

from finrisk_utils.workbench.runner import check_parameters, execute_notebook

__all__ = [
    "METRIC_PREFIX",
    "collect_results",
    "metric",
    "print_progress",
    "expand_grid",
    "load_grid_file",
    "run_key",
    "run_one",
    "sweep",
]

RUN_FILE = "run.json"
METRIC_PREFIX = "metric:"


def expand_grid(grid: Mapping[str, Sequence[object]]) -> list[dict[str, object]]:
    """Every combination of the values in ``grid`` (name -> list of values), in a stable order."""
    if not grid:
        raise ValueError("the grid is empty: give at least one parameter with values")
    for name, values in grid.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or len(values) == 0:
            raise ValueError(f"parameter {name!r} needs a non-empty list of values, got {values!r}")
    names = list(grid)
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(grid[n] for n in names))
    ]


def load_grid_file(path: str | Path) -> dict[str, list[object]]:
    """A grid from YAML: a mapping of parameter names to lists of values (a scalar means one value)."""
    data = yaml.safe_load(Path(path).read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of parameter names to lists of values")
    return {str(k): v if isinstance(v, list) else [v] for k, v in data.items()}


def run_key(params: Mapping[str, object]) -> str:
    """A readable, file-system-safe folder name for one combination, unique by a short hash."""
    text = ",".join(f"{k}={params[k]}" for k in sorted(params))
    slug = "".join(c if c.isalnum() or c in "=.-_," else "_" for c in text)[:80]
    return f"{slug}__{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def run_one(
    notebook: str,
    params: dict[str, object],
    profile: str,
    runs_dir: str,
    threads: int | None = None,
) -> dict[str, object]:
    """Execute one combination into ``runs_dir/<key>/`` and write its ``run.json``; never raises for a
    failing notebook (the failure is the result). Runs in a Dask worker process."""
    if threads:
        for var in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
            os.environ[var] = str(threads)  # inherited by the kernel papermill starts
    key = run_key(params)
    out = Path(runs_dir) / key
    run = execute_notebook(notebook, out, profile=profile, parameters=params, html=False)
    record = {
        "key": key,
        "params": params,
        "status": run.status,
        "error": run.error,
        "duration_s": run.duration_s,
        "output_notebook": str(run.output_notebook),
    }
    (out / RUN_FILE).write_text(json.dumps(record, default=str, indent=2))
    return record


def metric(results: pd.DataFrame, key: str) -> pd.Series:
    """The column of metric ``key`` (e.g. ``"lstm.rmse"``) in a results table from :func:`sweep`."""
    column = f"{METRIC_PREFIX}{key}"
    if column not in results.columns:
        raise KeyError(f"no metric {key!r} in the results; runs that failed record none")
    return results[column]


def print_progress(done: int, failed: int, total: int, elapsed_s: float) -> None:
    """A progress callback for notebooks and logs: one line per finished run, with an ETA."""
    eta = elapsed_s / done * (total - done)
    print(
        f"run {done}/{total} done ({failed} failed), {elapsed_s:.0f} s elapsed, about {eta:.0f} s left",
        flush=True,
    )


def collect_results(out: str | Path) -> pd.DataFrame:
    """One row per finished run under ``out/runs``: parameters and metrics as columns, plus ``status``,
    ``error``, ``duration_s`` and ``output_notebook``."""
    rows = []
    for run_file in sorted(Path(out, "runs").glob(f"*/{RUN_FILE}")):
        record = json.loads(run_file.read_text())
        metrics_file = next(run_file.parent.glob("*/metrics.json"), None)
        metrics = json.loads(metrics_file.read_text()) if metrics_file else {}
        rows.append(
            {
                **record["params"],
                "status": record["status"],
                "error": record["error"],
                "duration_s": record["duration_s"],
                "output_notebook": record["output_notebook"],
                **{f"{METRIC_PREFIX}{k}": v for k, v in metrics.items()},
            }
        )
    return pd.DataFrame(rows)


def _write_results(out: Path) -> pd.DataFrame:
    table = collect_results(out)
    table.to_csv(out / "results.csv", index=False)
    if not table.empty:
        table.astype({c: str for c in table.columns if table[c].dtype == object}).to_parquet(
            out / "results.parquet", index=False
        )
    return table


def sweep(
    notebook: str | Path,
    grid: Mapping[str, Sequence[object]] | Sequence[Mapping[str, object]],
    *,
    out: str | Path,
    profile: str = "quick",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Callable[[int, int, int, float], None] | None = None,
) -> pd.DataFrame:
    """Run ``notebook`` for every combination of ``grid`` and return the results table (also written to
    ``out/results.csv`` and ``out/results.parquet``). ``grid`` maps parameter names to lists of values (every
    combination runs), or is an explicit list of parameter dicts (e.g. paired start/end dates).

    Everything is checked before anything runs: the notebook exists, every parameter is defined by its
    ``parameters`` cell with a value of the right type, the grid is not empty. Runs execute on a Dask
    ``LocalCluster`` of ``workers`` processes (default: one per core), or on the cluster at ``scheduler``.
    A failed run is recorded with its error and partial notebook and does not stop the sweep. With
    ``resume``, combinations that already finished successfully under ``out`` are skipped. On Ctrl-C
    (``KeyboardInterrupt``) the pending runs are cancelled, the finished ones are written to the results
    table, and the interrupt is re-raised. ``progress(done, failed, total,
    elapsed_s)`` is called after each run.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    notebook = Path(notebook)
    if not notebook.is_file():
        raise FileNotFoundError(f"notebook not found: {notebook}")
    if isinstance(grid, Mapping):
        combos = expand_grid(grid)
    else:
        combos = [dict(c) for c in grid]
        if not combos or not all(combos):
            raise ValueError("the list of combinations is empty (or holds an empty one)")
    for combo in combos:
        check_parameters(notebook, {**combo, "profile": profile})
    out = Path(out).resolve()
    runs_dir = out / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    finished = set()
    if resume:
        existing = collect_results(out)
        if not existing.empty:
            finished = {
                run_key({k: r[k] for k in grid})
                for _, r in existing.iterrows()
                if r["status"] == "ok"
            }
    todo = [c for c in combos if run_key(c) not in finished]
    (out / "sweep.json").write_text(
        json.dumps(
            {
                "notebook": str(notebook),
                "parameters": sorted({k for c in combos for k in c}),
                "profile": profile,
            },
            default=str,
            indent=2,
        )
    )
    if todo:
        n_workers = workers or os.cpu_count() or 1
        threads = max(1, (os.cpu_count() or 1) // n_workers)
        cluster = (
            None
            if scheduler
            else LocalCluster(
                n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        )
        client = Client(scheduler or cluster)
        start, done, failed = time.perf_counter(), 0, 0
        futures = [
            client.submit(
                run_one, str(notebook.resolve()), c, profile, str(runs_dir), threads, pure=False
            )
            for c in todo
        ]
        try:
            for future in as_completed(futures):
                record = future.result()
                done += 1
                failed += record["status"] != "ok"
                if progress:
                    progress(done, failed, len(todo), time.perf_counter() - start)
        except KeyboardInterrupt:
            client.cancel(futures)
            _write_results(out)  # the finished runs are kept
            raise
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return _write_results(out)
