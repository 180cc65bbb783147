"""Experiment tracking with MLflow: every ``finrisk run`` and ``finrisk sweep`` is recorded.

An invocation is a parent MLflow run (the run folder, its summary/results and report as artifacts) with one child
per executed notebook: its parameters and profile as params, its ``metrics.json`` numbers as metrics and strings
(and booleans) as tags, the git commit, Keras backend and status as tags, and as artifacts the executed notebook,
its HTML, ``metrics.json``, ``manifest.json``, ``kernel.log`` and ``figures/``. A sweep's children are its
combinations; a resumed sweep adds its new combinations to the same parent (``tracking.json`` in the folder
remembers it).

The store is local and embedded by default, ``sqlite:///runs/mlflow.db`` with artifacts under
``runs/mlartifacts/``: nothing needs starting, and ``finrisk ui`` (``make ui``) browses it. ``--tracking-uri``
or ``MLFLOW_TRACKING_URI`` points at a server instead. Tracking never costs a run its own files: when the store
cannot be reached, :func:`track` warns and the run folder stays as it is.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from finrisk_utils.core.paths import RUNS_DIR

__all__ = [
    "DEFAULT_EXPERIMENT",
    "TRACKING_FILE",
    "default_tracking_uri",
    "log_run_folder",
    "log_sweep_folder",
    "resolve_tracking_uri",
    "track",
    "ui_command",
]

DEFAULT_EXPERIMENT = "finrisk"
TRACKING_FILE = "tracking.json"
_PARAM_MAX, _TAG_MAX = 6000, 8000
_ARTIFACT_FILES = ("metrics.json", "headline.json", "manifest.json", "kernel.log", "run.json")


def default_tracking_uri(root: Path = RUNS_DIR) -> str:
    """The embedded store: an SQLite file under ``runs/`` (absolute, so any working directory finds it)."""
    return f"sqlite:///{(Path(root).resolve() / 'mlflow.db').as_posix()}"


def resolve_tracking_uri(uri: str | None = None) -> str:
    """``uri`` if given, else ``MLFLOW_TRACKING_URI``, else :func:`default_tracking_uri`."""
    if uri is not None and not str(uri).strip():
        raise ValueError("--tracking-uri is empty: give e.g. http://host:5000 or sqlite:///path.db")
    return uri or os.environ.get("MLFLOW_TRACKING_URI") or default_tracking_uri()


def _artifact_root(uri: str) -> str | None:
    """Where a new experiment keeps its artifacts: beside a local SQLite store (``mlartifacts/``); a server
    decides for itself (``None``)."""
    if uri.startswith("sqlite:///"):
        return (Path(uri.removeprefix("sqlite:///")).parent / "mlartifacts").resolve().as_uri()
    return None


def _client(uri: str) -> Any:
    # fail in seconds, not minutes, when a tracking server is down: the run's files are safe either way
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "15")
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri)


def _experiment_id(client: Any, uri: str, name: str) -> str:
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    root = _artifact_root(uri)
    return client.create_experiment(name, artifact_location=f"{root}/{name}" if root else None)


def _text(value: object, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _log_batch(
    client: Any, run_id: str, metrics: Mapping[str, float], params: Mapping, tags: Mapping
) -> None:
    from mlflow.entities import Metric, Param, RunTag

    now = int(time.time() * 1000)
    for chunk in _chunks([Metric(k, float(v), now, 0) for k, v in metrics.items()], 1000):
        if chunk:
            client.log_batch(run_id, metrics=chunk)
    for chunk in _chunks([Param(k, _text(v, _PARAM_MAX)) for k, v in params.items()], 100):
        if chunk:
            client.log_batch(run_id, params=chunk)
    for chunk in _chunks([RunTag(k, _text(v, _TAG_MAX)) for k, v in tags.items()], 100):
        if chunk:
            client.log_batch(run_id, tags=chunk)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _split_metrics(metrics: Mapping[str, object]) -> tuple[dict[str, float], dict[str, str]]:
    """``metrics.json`` numbers as MLflow metrics; strings and booleans as tags (``None``: not logged)."""
    numbers, texts = {}, {}
    for key, value in metrics.items():
        if isinstance(value, bool):
            texts[key] = str(value).lower()
        elif isinstance(value, int | float):
            numbers[key] = value
        elif isinstance(value, str):
            texts[key] = value
    return numbers, texts


def _start(client: Any, exp_id: str, name: str, tags: Mapping[str, str], duration_s: float) -> str:
    start_ms = int((time.time() - max(0.0, float(duration_s or 0))) * 1000)
    run = client.create_run(exp_id, start_time=start_ms, tags=dict(tags), run_name=name)
    return run.info.run_id


def _log_notebook(
    client: Any,
    exp_id: str,
    parent_id: str,
    *,
    name: str,
    folder: Path,
    status: str,
    error: str | None,
    duration_s: float,
    params: Mapping[str, object],
    profile: str,
    notebook: str,
) -> str:
    """One child run: an executed notebook's parameters, metrics, tags and files."""
    from mlflow.utils.mlflow_tags import MLFLOW_GIT_COMMIT, MLFLOW_PARENT_RUN_ID

    manifest = _read_json(folder / "manifest.json") or {}
    tags = {
        MLFLOW_PARENT_RUN_ID: parent_id,
        "notebook": notebook,
        "profile": profile,
        "status": status,
        "finrisk.output_dir": str(folder),
    }
    if manifest.get("git_commit"):
        tags[MLFLOW_GIT_COMMIT] = str(manifest["git_commit"])
    for key in ("git_dirty", "keras_backend", "python"):
        if manifest.get(key) is not None:
            tags[f"finrisk.{key}"] = str(manifest[key])
    if error:
        tags["finrisk.error"] = error
    run_id = _start(client, exp_id, name, tags, duration_s)
    metrics = _read_json(folder / "metrics.json")
    numbers, texts = _split_metrics(metrics if isinstance(metrics, dict) else {})
    numbers["finrisk.duration_s"] = float(duration_s or 0)
    shown = {k: v for k, v in params.items() if k != "output_dir"}
    _log_batch(client, run_id, numbers, {**shown, "profile": profile}, texts)
    for path in sorted(folder.glob("*.ipynb")) + sorted(folder.glob("*.html")):
        client.log_artifact(run_id, str(path))
    for file in _ARTIFACT_FILES:
        if (folder / file).is_file():
            client.log_artifact(run_id, str(folder / file))
    if (folder / "figures").is_dir():
        client.log_artifacts(run_id, str(folder / "figures"), "figures")
    client.set_terminated(run_id, "FINISHED" if status == "ok" else "FAILED")
    return run_id


def _parent(
    client: Any, exp_id: str, name: str, tags: Mapping[str, str], params: Mapping[str, object]
) -> str:
    run_id = _start(client, exp_id, name, tags, 0)
    _log_batch(client, run_id, {}, params, {})
    return run_id


def _finish_parent(client: Any, run_id: str, out: Path, files: Sequence[str], ok: bool) -> None:
    for file in files:
        if (out / file).is_file():
            client.log_artifact(run_id, str(out / file))
    client.set_terminated(run_id, "FINISHED" if ok else "FAILED")


def _git_commit() -> str | None:
    from finrisk_utils.workbench.runner import git_state

    return git_state("rev-parse", "HEAD")


def log_run_folder(
    out: str | Path,
    runs: Sequence[Any],
    *,
    profile: str,
    parameters: Mapping[str, object] | None = None,
    tracking_uri: str | None = None,
    experiment: str = DEFAULT_EXPERIMENT,
) -> str:
    """Record a ``finrisk run`` folder: a parent run named after the folder, one child per notebook of
    ``runs`` (:class:`~finrisk_utils.workbench.runner.NotebookRun`). Returns the parent's MLflow run id."""
    from mlflow.utils.mlflow_tags import MLFLOW_GIT_COMMIT

    out = Path(out).resolve()
    uri = resolve_tracking_uri(tracking_uri)
    client = _client(uri)
    exp_id = _experiment_id(client, uri, experiment)
    tags = {"finrisk.command": "run", "profile": profile, "finrisk.output_dir": str(out)}
    if commit := _git_commit():
        tags[MLFLOW_GIT_COMMIT] = commit
    params = {**dict(parameters or {}), "profile": profile, "notebooks": [r.notebook for r in runs]}
    parent = _parent(client, exp_id, f"run {out.name}", tags, params)
    for r in runs:
        _log_notebook(
            client,
            exp_id,
            parent,
            name=r.notebook,
            folder=out / r.notebook,
            status=r.status,
            error=r.error,
            duration_s=r.duration_s,
            params=dict(parameters or {}),
            profile=profile,
            notebook=f"{r.notebook}.ipynb",
        )
    ok = all(r.status == "ok" for r in runs)
    _finish_parent(
        client, parent, out, ["summary.csv", "summary.md", "report.html", "report.md"], ok
    )
    _write_tracking_file(out, uri, parent, [r.notebook for r in runs])
    return parent


def _write_tracking_file(out: Path, uri: str, parent: str, logged: Sequence[str]) -> None:
    record = {"tracking_uri": uri, "parent_run_id": parent, "logged": sorted(logged)}
    (out / TRACKING_FILE).write_text(json.dumps(record, indent=2) + "\n")


def log_sweep_folder(
    out: str | Path,
    *,
    tracking_uri: str | None = None,
    experiment: str = DEFAULT_EXPERIMENT,
) -> str:
    """Record a sweep folder: a parent run (the notebook, profile and grid as params; ``results.csv`` and the
    report as artifacts) with each combination as a child. A folder already recorded in the same store (a
    resumed sweep) gets its new combinations added to the same parent. Returns the parent's run id."""
    from mlflow.utils.mlflow_tags import MLFLOW_GIT_COMMIT

    from finrisk_utils.workbench.sweep import SWEEP_FILE, run_records

    out = Path(out).resolve()
    spec = _read_json(out / SWEEP_FILE) or {}
    notebook, profile = str(spec.get("notebook", "?")), str(spec.get("profile", "?"))
    uri = resolve_tracking_uri(tracking_uri)
    client = _client(uri)
    exp_id = _experiment_id(client, uri, experiment)
    previous = _read_json(out / TRACKING_FILE) or {}
    records = run_records(out)
    parent, logged = None, set()
    if previous.get("tracking_uri") == uri and previous.get("parent_run_id"):
        try:
            client.get_run(previous["parent_run_id"])
            parent, logged = previous["parent_run_id"], set(previous.get("logged") or [])
        except Exception:  # deleted from the store: start a new parent
            parent = None
    if parent is None:
        tags = {
            "finrisk.command": "sweep",
            "notebook": notebook,
            "profile": profile,
            "finrisk.output_dir": str(out),
        }
        if commit := _git_commit():
            tags[MLFLOW_GIT_COMMIT] = commit
        grid: dict[str, list] = {}
        for _, record in records:
            for k, v in record["params"].items():
                grid.setdefault(k, [])
                if v not in grid[k]:
                    grid[k].append(v)
        params = {
            "notebook": notebook,
            "profile": profile,
            **{f"grid.{k}": v for k, v in grid.items()},
        }
        parent = _parent(client, exp_id, f"sweep {Path(notebook).stem} {out.name}", tags, params)
    else:
        client.update_run(parent, status="RUNNING")
    for run_file, record in records:
        key = str(record.get("key", run_file.parent.name))
        if key in logged:
            continue
        folder = next((p.parent for p in sorted(run_file.parent.glob("*/manifest.json"))), None)
        folder = folder or run_file.parent / Path(notebook).stem
        child = _log_notebook(
            client,
            exp_id,
            parent,
            name=key,
            folder=folder,
            status=str(record.get("status")),
            error=record.get("error"),
            duration_s=float(record.get("duration_s") or 0),
            params=record["params"],
            profile=profile,
            notebook=notebook,
        )
        client.log_artifact(child, str(run_file))
        logged.add(key)
    ok = bool(records) and all(r.get("status") == "ok" for _, r in records)
    files = ["results.csv", "sweep.json", "report.html", "report.md"]
    _finish_parent(client, parent, out, files, ok)
    _write_tracking_file(out, uri, parent, sorted(logged))
    return parent


def track(command: str, log: Callable[..., str], *args: Any, **kwargs: Any) -> str | None:
    """Call ``log(*args, **kwargs)``; on any failure print one warning line (the run's files are untouched)
    and return ``None``."""
    try:
        parent = log(*args, **kwargs)
    except Exception as exc:
        text = " ".join(str(exc).split())[:300] or type(exc).__name__
        print(
            f"finrisk {command}: warning: tracking failed ({type(exc).__name__}: {text}); "
            "the run's files are complete in its folder",
            file=sys.stderr,
        )
        return None
    uri = kwargs.get("tracking_uri") or resolve_tracking_uri()
    print(f"tracked: MLflow run {parent} in {uri}")
    return parent


def ui_command(
    tracking_uri: str | None = None, host: str = "127.0.0.1", port: int = 5000, workers: int = 1
) -> list[str]:
    """The command line of the MLflow UI on the store (``finrisk ui``, ``make ui``). One server process by
    default: MLflow's own default of four costs four imports of MLflow (measured: 17 s to the first answer on
    2 cores, against 10 s with one), which a single reader of a local store does not need."""
    uri = resolve_tracking_uri(tracking_uri)
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", uri]
    if root := _artifact_root(uri):
        cmd += ["--default-artifact-root", root]
    return [*cmd, "--host", host, "--port", str(port), "--workers", str(workers)]
