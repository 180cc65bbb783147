"""Parameter sweeps: run one notebook over a grid of parameters with papermill, in parallel on Dask, and
collect every run's metrics into one table.

Each combination runs in its own folder ``<out>/runs/<key>/``: ``run.json`` (its parameters, status, error,
duration) and ``<notebook>/`` (the executed notebook, partial if it failed, ``metrics.json``, figures), so a
sweep can be resumed and its results rebuilt from disk at any time. With a remote Dask scheduler, ``out`` must be a path every worker can reach (a
shared file system); the workers need the project installed in the same environment.

``<out>/sweep.json`` is the sweep's manifest: the notebook and profile the folder belongs to, and the swept
parameters. A folder made for another notebook or profile is refused, and ``resume`` skips only runs of the
same notebook, profile and parameters.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from finrisk_utils.core.config import PROFILES
from finrisk_utils.workbench.engine import check_workers, map_tasks, probe_scheduler, set_thread_env
from finrisk_utils.workbench.runner import check_parameters, execute_notebook

__all__ = [
    "run_records",
    "METRIC_PREFIX",
    "collect_results",
    "metric",
    "print_progress",
    "expand_grid",
    "load_grid_file",
    "run_key",
    "run_one",
    "sweep",
    "SweepPlan",
    "sweeps",
]

RUN_FILE = "run.json"
SWEEP_FILE = "sweep.json"
METRIC_PREFIX = "metric:"


def expand_grid(grid: Mapping[str, Sequence[object]]) -> list[dict[str, object]]:
    """Every combination of the values in ``grid`` (name -> list of values), in a stable order."""
    if not isinstance(grid, Mapping):
        raise TypeError(
            f"expand_grid: grid must map parameter names to lists, got {type(grid).__name__}"
        )
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
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"grid file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"grid file {path} is not valid YAML: {' '.join(str(exc).split())}"
        ) from None
    if data is None:
        raise ValueError(
            f"grid file {path} is empty: write one 'name: [values]' line per parameter"
        )
    if not isinstance(data, dict):
        raise ValueError(
            f"grid file {path}: expected a mapping of parameter names to lists of values, "
            f"got a {type(data).__name__}"
        )
    grid: dict[str, list[object]] = {}
    for k, v in data.items():
        if not isinstance(k, str):
            raise ValueError(f"grid file {path}: parameter names must be text, got {k!r}")
        if v == [] or v is None or isinstance(v, dict):
            raise ValueError(
                f"grid file {path}: parameter {k!r} needs a value or a list of values, got {v!r}"
            )
        grid[k] = v if isinstance(v, list) else [v]
    return grid


def _canonical(params: Mapping[str, object]) -> str:
    """The combination as canonical JSON: ``1`` and ``"1"`` differ, key order does not matter."""
    return json.dumps(dict(params), sort_keys=True, default=repr)


def run_key(params: Mapping[str, object]) -> str:
    """A readable, file-system-safe folder name for one combination, unique by a short hash of its
    canonical JSON (so ``1`` and ``"1"`` get different folders)."""
    text = ",".join(f"{k}={params[k]}" for k in sorted(params))
    slug = "".join(c if c.isalnum() or c in "=.-_," else "_" for c in text)[:80]
    return f"{slug}__{hashlib.sha1(_canonical(params).encode()).hexdigest()[:8]}"


def run_one(
    notebook: str,
    params: dict[str, object],
    profile: str,
    runs_dir: str,
    threads: int | None = None,
) -> dict[str, object]:
    """Execute one combination into ``runs_dir/<key>/`` and write its ``run.json``; never raises for a
    failing notebook (the failure is the result). Runs in a Dask worker process (the engine caps the
    kernel's threads; ``threads`` sets the cap itself when called directly)."""
    set_thread_env(threads)  # inherited by the kernel papermill starts
    key = run_key(params)
    out = Path(runs_dir) / key
    run = execute_notebook(notebook, out, profile=profile, parameters=params, html=False)
    record: dict[str, object] = {
        "key": key,
        "notebook": Path(notebook).name,
        "profile": profile,
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
    for run_file, record in run_records(out):
        metrics_file = next(run_file.parent.glob("*/metrics.json"), None)
        try:
            metrics = json.loads(metrics_file.read_text()) if metrics_file else {}
        except json.JSONDecodeError:
            metrics = {}  # a run killed while writing; its record says how it ended
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


def run_records(out: str | Path) -> list[tuple[Path, dict]]:
    """The ``run.json`` records under ``out/runs`` (a record cut short by a kill is skipped)."""
    records = []
    for run_file in sorted(Path(out, "runs").glob(f"*/{RUN_FILE}")):
        try:
            record = json.loads(run_file.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(record, dict) and isinstance(record.get("params"), dict):
            records.append((run_file, record))
    return records


def _check_sweep_folder(out: Path, notebook: Path, profile: str) -> dict | None:
    """The folder's sweep manifest if it belongs to this notebook and profile (``None`` for a fresh folder);
    a ``ValueError`` for a file, a ``finrisk run`` folder or another notebook's or profile's sweep."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"sweep: out {str(out)!r} is a file, not a folder")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise NotADirectoryError(
                f"sweep: out {str(out)!r} is not a folder ({str(parent)!r} is a file)"
            )
    if (out / "summary.csv").exists():
        raise ValueError(f"sweep: out {str(out)!r} is a 'finrisk run' folder; give a new folder")
    manifest_file = out / SWEEP_FILE
    if not manifest_file.exists():
        if run_records(out):
            raise ValueError(
                f"sweep: out {str(out)!r} holds runs but no {SWEEP_FILE}: it was not made by a sweep "
                "of this version; give a new folder"
            )
        return None
    try:
        manifest = json.loads(manifest_file.read_text())
        made_by = (Path(manifest["notebook"]).name, manifest["profile"])
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(
            f"sweep: {manifest_file} is unreadable ({exc}); give a new folder"
        ) from None
    if made_by != (notebook.name, profile):
        raise ValueError(
            f"sweep: out {str(out)!r} holds a sweep of {made_by[0]} ({made_by[1]} profile), not of "
            f"{notebook.name} ({profile} profile); give another --out folder"
        )
    return manifest


def _finished(out: Path, notebook: Path, profile: str) -> set[str]:
    """Canonical parameters of the runs under ``out`` that finished successfully for this notebook and
    profile (records written before run.json named them belong to the folder's manifest, checked above)."""
    return {
        _canonical(record["params"])
        for _, record in run_records(out)
        if record.get("status") == "ok"
        and record.get("notebook", notebook.name) == notebook.name
        and record.get("profile", profile) == profile
    }


def _write_results(out: Path) -> pd.DataFrame:
    table = collect_results(out)
    table.to_csv(out / "results.csv", index=False)
    if not table.empty:
        table.astype({c: str for c in table.columns if table[c].dtype == object}).to_parquet(
            out / "results.parquet", index=False
        )
    return table


@dataclass(frozen=True)
class SweepPlan:
    """One sweep for :func:`sweeps`: ``notebook`` over ``grid`` (names -> lists of values, or a list of
    parameter dicts) into the folder ``out``, in ``profile``."""

    notebook: str | Path
    grid: Mapping[str, Sequence[object]] | Sequence[Mapping[str, object]]
    out: str | Path
    profile: str = "quick"


@dataclass(frozen=True)
class _Prepared:
    out: Path
    spec: Mapping[str, object]
    tasks: list[tuple[str, dict[str, object], str, str]]


def _combinations(
    grid: Mapping[str, Sequence[object]] | Sequence[Mapping[str, object]],
) -> list[dict[str, object]]:
    if isinstance(grid, Mapping):
        return expand_grid(grid)
    if isinstance(grid, Sequence) and not isinstance(grid, str | bytes):
        if not all(isinstance(c, Mapping) for c in grid):
            raise TypeError(
                "sweep: a list grid must hold parameter dicts, e.g. [{'seed': 0}, {'seed': 1}]"
            )
        combos = [dict(c) for c in grid]
        if not combos or not all(combos):
            raise ValueError("the list of combinations is empty (or holds an empty one)")
        return combos
    raise TypeError(
        f"sweep: grid must be a mapping of names to lists or a list of dicts, got {type(grid).__name__}"
    )


def _prepare(plan: SweepPlan, resume: bool) -> _Prepared:
    """Check one sweep before anything runs and list its runs still to do (nothing is written)."""
    notebook = Path(plan.notebook)
    if not notebook.is_file():
        raise FileNotFoundError(f"sweep: notebook not found: {notebook}")
    combos = _combinations(plan.grid)
    if plan.profile not in PROFILES:
        raise ValueError(f"sweep: profile must be one of {PROFILES}, got {plan.profile!r}")
    for combo in combos:
        check_parameters(notebook, {**combo, "profile": plan.profile})
    unique = {
        _canonical(c): c for c in reversed(combos)
    }  # the same combination once, first order kept
    combos = [c for c in combos if unique.get(_canonical(c)) is c]
    out = Path(plan.out).resolve()
    manifest = _check_sweep_folder(out, notebook, plan.profile)
    finished = _finished(out, notebook, plan.profile) if resume else set()
    previous = (
        manifest["parameters"] if manifest and isinstance(manifest.get("parameters"), list) else []
    )
    spec = {
        "notebook": notebook.name,
        "notebook_path": str(notebook.resolve()),
        "profile": plan.profile,
        "parameters": sorted({*previous, *(k for c in combos for k in c)}),
    }
    runs_dir = str(out / "runs")
    tasks = [
        (str(notebook.resolve()), c, plan.profile, runs_dir)
        for c in combos
        if _canonical(c) not in finished
    ]
    return _Prepared(out, spec, tasks)


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
    connect_timeout_s: float = 10,
) -> pd.DataFrame:
    """Run ``notebook`` for every combination of ``grid`` and return the results table (also written to
    ``out/results.csv`` and ``out/results.parquet``). ``grid`` maps parameter names to lists of values (every
    combination runs), or is an explicit list of parameter dicts (e.g. paired start/end dates).

    Everything is checked before anything runs: the notebook exists, every parameter is defined by its
    ``parameters`` cell with a value of the right type, the grid is not empty. Runs execute on a Dask
    ``LocalCluster`` of ``workers`` processes (default: one per core), or on the cluster at ``scheduler``.
    The same combination given twice runs once. ``out`` may only hold a sweep of the same notebook and profile
    (its ``sweep.json`` says); an unreachable ``scheduler`` (``connect_timeout_s``) raises ``ConnectionError``.
    A failed run is recorded with its error and partial notebook and does not stop the sweep. With
    ``resume``, combinations that already finished successfully under ``out`` (same notebook, profile and
    parameters) are skipped. On Ctrl-C
    (``KeyboardInterrupt``) the pending runs are cancelled, the finished ones are written to the results
    table, and the interrupt is re-raised. ``progress(done, failed, total,
    elapsed_s)`` is called after each run.
    """
    plan = SweepPlan(notebook, grid, out, profile)
    return sweeps(
        [plan],
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        progress=progress,
        connect_timeout_s=connect_timeout_s,
    )[0]


def sweeps(
    plans: Sequence[SweepPlan],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Callable[[int, int, int, float], None] | None = None,
    connect_timeout_s: float = 10,
) -> list[pd.DataFrame]:
    """Several sweeps as one engine call: the runs of every plan are tasks on the same workers (one cluster
    started once), so that the runs of one sweep fill the workers another leaves idle. Runs start in the order
    of ``plans`` and of each grid (put the longest first). Returns each plan's results table, in the order
    of ``plans``, each also written to its folder as :func:`sweep` writes it.

    Every plan is checked as :func:`sweep` checks it before anything runs, and two plans may not share a
    folder. ``workers``, ``scheduler``, ``resume``, ``progress`` (counted over all runs) and Ctrl-C behave as
    in :func:`sweep`.
    """
    if isinstance(plans, SweepPlan) or not isinstance(plans, Sequence) or not plans:
        raise TypeError(f"sweeps: plans must be a non-empty list of SweepPlan, got {plans!r}")
    if not all(isinstance(p, SweepPlan) for p in plans):
        raise TypeError("sweeps: every plan must be a SweepPlan(notebook, grid, out, profile)")
    check_workers(workers, "sweep")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ValueError(
            f"sweep: scheduler must be an address such as tcp://host:8786, got {scheduler!r}"
        )
    prepared = [_prepare(p, resume) for p in plans]
    folders = [p.out for p in prepared]
    shared = sorted({str(f) for f in folders if folders.count(f) > 1})
    if shared:
        raise ValueError(f"sweeps: two plans write to the same folder {shared[0]!r}")
    tasks = [t for p in prepared for t in p.tasks]
    if tasks and scheduler:  # nothing is written for sweeps that cannot start
        try:
            probe_scheduler(scheduler, connect_timeout_s)
        except OSError as exc:
            raise ConnectionError(
                f"sweep: cannot reach the Dask scheduler at {scheduler!r}: {exc}"
            ) from None
    for p in prepared:
        _write_spec(p.out, p.spec)
        if p.tasks:
            (p.out / "runs").mkdir(parents=True, exist_ok=True)
    start, counts = time.perf_counter(), {"done": 0, "failed": 0}

    def done(_: int, record: dict[str, object]) -> None:
        counts["done"] += 1
        counts["failed"] += record["status"] != "ok"
        if progress:
            progress(counts["done"], counts["failed"], len(tasks), time.perf_counter() - start)

    try:
        map_tasks(
            run_one,
            tasks,
            workers=workers,
            scheduler=scheduler,
            on_done=done,
            connect_timeout_s=connect_timeout_s,
            caller="sweep",
        )
    except KeyboardInterrupt:
        for p in prepared:  # the finished runs are kept
            _write_results(p.out)
        raise
    return [_write_results(p.out) for p in prepared]


def _write_spec(out: Path, spec: Mapping[str, object]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / SWEEP_FILE).write_text(json.dumps(dict(spec), default=str, indent=2) + "\n")
