"""Headless execution of notebooks with papermill: one, all (in parallel, on the engine of the sweeps), or the
committed (rendered) copies.

Each run writes, per notebook, ``<out>/<stem>/``: the executed notebook (partial if it failed), its HTML export,
``metrics.json`` and figures; and across notebooks ``summary.csv`` (all metrics) and ``summary.md`` (headline
metrics). A failing notebook never stops the others.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import html
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm

from finrisk_utils.core.config import PROFILES
from finrisk_utils.core.paths import NOTEBOOKS_DIR, REPO_ROOT, RUNS_DIR
from finrisk_utils.workbench.outputs import METRICS_FILE, ensure_dir, read_metrics

__all__ = [
    "git_state",
    "MANIFEST_FILE",
    "PROFILES",
    "NotebookRun",
    "check_parameters",
    "code_sha256",
    "discover_notebooks",
    "execute_notebook",
    "environment_manifest",
    "export_html",
    "longest_first",
    "new_run_dir",
    "notebook_parameters",
    "parse_value",
    "render_notebook",
    "run_notebooks",
    "stated_runtime",
    "strip_volatile",
    "write_summary",
]

RESERVED = ("profile", "output_dir")
MANIFEST_FILE = "manifest.json"
MANIFEST_PACKAGES = (
    "numpy",
    "pandas",
    "keras",
    "tensorflow",
    "arch",
    "statsmodels",
    "scikit-learn",
    "papermill",
)


def discover_notebooks(directory: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks ``NN_*.ipynb`` of ``directory``, in teaching order."""
    return sorted(p for p in Path(directory).glob("[0-9][0-9]_*.ipynb"))


def notebook_parameters(path: str | Path) -> dict[str, dict[str, str]]:
    """Parameters defined by the notebook's ``parameters`` cell: name -> {default, inferred_type_name}."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"notebook not found: {path}")
    if path.suffix != ".ipynb":
        raise ValueError(f"{path}: not a notebook (expected a .ipynb file)")
    try:
        params = pm.inspect_notebook(str(path))
    except Exception as exc:  # nbformat/JSON errors of a broken file: one clear line instead
        raise ValueError(f"cannot read {path} as a notebook: {type(exc).__name__}: {exc}") from None
    if not params:
        raise ValueError(f"{path.name} has no cell tagged 'parameters' (or it defines nothing)")
    return params


def parse_value(text: str) -> object:
    """A command-line value as papermill reads it: int, float, bool, None, else the string itself; and a
    bracketed Python list literal (``"[1, 6, 12]"``) as a list, for list-valued parameters such as horizons."""
    if not isinstance(text, str):
        raise TypeError(f"parse_value: expected the text of a value, got {type(text).__name__}")
    if text.startswith("["):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError) as exc:
            why = exc.msg if isinstance(exc, SyntaxError) else str(exc)
            raise ValueError(f"cannot read {text!r} as a list literal: {why}") from None
        if not isinstance(value, list):
            raise ValueError(
                f"cannot read {text!r} as a list literal: it is a {type(value).__name__}"
            )
        return value
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"True": True, "False": False, "None": None}.get(text, text)


_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (float, int),
    "str": (str,),
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (dict,),
}


def _expected_type(info: Mapping[str, str]) -> str | None:
    """The type a parameter takes: its annotation if papermill found one, else the type of its literal
    default (``None`` when the default is ``None`` or not a literal: then anything goes)."""
    if info.get("inferred_type_name") in _TYPES:
        return info["inferred_type_name"]
    try:
        default = ast.literal_eval(info["default"])
    except (ValueError, SyntaxError):
        return None
    name = type(default).__name__
    return name if name in _TYPES else None


def check_parameters(path: str | Path, parameters: Mapping[str, object]) -> None:
    """Raise ``ValueError`` for a name the ``parameters`` cell does not define, or a value whose type differs
    from the default's (ints are accepted for floats; ``None`` only where the default is ``None``; a ``None``
    default, or one that is not a literal, accepts anything)."""
    if not isinstance(parameters, Mapping):
        raise TypeError(
            f"parameters must be a mapping of names to values, got {type(parameters).__name__}"
        )
    bad_names = [k for k in parameters if not isinstance(k, str)]
    if bad_names:
        raise TypeError(f"parameter names must be strings, got {bad_names}")
    defined = notebook_parameters(path)
    unknown = sorted(set(parameters) - set(defined))
    if unknown:
        raise ValueError(
            f"{Path(path).name} defines no parameter(s) {unknown}; it defines {sorted(defined)}"
        )
    for name, value in parameters.items():
        expected = _expected_type(defined[name])
        if expected is None:
            continue
        allowed = _TYPES[expected]
        if (
            value is None
            or (isinstance(value, bool) and bool not in allowed)
            or not isinstance(value, allowed)
        ):
            raise ValueError(
                f"{Path(path).name}: parameter {name!r} expects {expected} "
                f"(default {defined[name]['default']}), got {type(value).__name__} {value!r}"
            )


@dataclass
class NotebookRun:
    """Outcome of one notebook execution."""

    notebook: str
    status: str
    duration_s: float
    output_notebook: Path
    error: str | None = None
    html: Path | None = None
    metrics: dict[str, object] = field(default_factory=dict)
    headline: list[str] = field(default_factory=list)


def _package_version(name: str) -> str | None:
    from importlib import metadata

    candidates = (name, f"{name}-cpu", f"{name}-macos") if name == "tensorflow" else (name,)
    for candidate in candidates:
        try:
            return metadata.version(candidate)
        except metadata.PackageNotFoundError:
            continue
    return None


def _keras_backend() -> str:
    """The backend a fresh kernel's Keras picks: ``KERAS_BACKEND``, else ``keras.json``, else tensorflow
    (read without importing Keras, which would start TensorFlow in the runner's process)."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    try:
        return str(json.loads((home / "keras.json").read_text())["backend"])
    except (OSError, ValueError, KeyError, TypeError):
        return "tensorflow"


def git_state(*args: str) -> str | None:
    """Output of ``git <args>`` in the repository, stripped; ``None`` where git or the repository is missing."""
    try:
        proc = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=20, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip()


def environment_manifest(parameters: Mapping[str, object] | None = None) -> dict[str, object]:
    """What a run depends on besides its code: Python and package versions, the Keras backend, the git
    commit (and whether tracked files differ from it), the CPU count, and the ``parameters`` given."""
    status = git_state("status", "--porcelain", "--untracked-files=no")
    return {
        "created": datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {name: _package_version(name) for name in MANIFEST_PACKAGES},
        "keras_backend": _keras_backend(),
        "git_commit": git_state("rev-parse", "HEAD"),
        "git_dirty": None if status is None else bool(status),
        "cpu_count": os.cpu_count(),
        "parameters": dict(parameters or {}),
    }


def write_manifest(run_dir: Path, notebook: Path, parameters: Mapping[str, object]) -> Path:
    """Write ``run_dir/manifest.json``: the notebook and :func:`environment_manifest`."""
    manifest = {"notebook": notebook.name, **environment_manifest(parameters)}
    path = run_dir / MANIFEST_FILE
    path.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return path


def export_html(notebook: Path) -> Path:
    """Write ``notebook`` as HTML beside it and return the HTML path."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(notebook, as_version=4))
    html = notebook.with_suffix(".html")
    html.write_text(body, encoding="utf-8")
    return html


@contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Send this process's standard error, at the file-descriptor level, to ``path`` for the duration: the
    kernel papermill starts inherits it, so its start-up chatter lands in a log beside the run instead of in
    the terminal, or in the output of a notebook that itself runs notebooks (a sweep driven from a notebook)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


_KERNEL_START_ATTEMPTS = 3
"""Attempts to start a notebook's kernel. jupyter_client picks the kernel's ports before the kernel binds them, so
kernels started at the same moment (parallel runs, sweeps) can race for a port and one dies before its first
reply (jupyter/jupyter_client#154, nteract/papermill#511). No cell has run then, so starting again loses and
relabels nothing."""
_KERNEL_START_FAILURES = (
    "RuntimeError: Kernel died before replying to kernel_info",
    "RuntimeError: Kernel didn't respond in",
)


def _papermill_once(
    path: Path, output_nb: Path, parameters: Mapping[str, object], timeout_s: int | None
) -> str | None:
    """One papermill execution; the error as one line, ``None`` on success."""
    try:
        with _stderr_to(output_nb.parent / "kernel.log"):
            pm.execute_notebook(
                str(path),
                str(output_nb),
                parameters=dict(parameters),
                cwd=str(path.parent),
                progress_bar=False,
                execution_timeout=timeout_s,
            )
    except pm.PapermillExecutionError as exc:
        return f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    except (
        Exception
    ) as exc:  # kernel death, timeout, bad notebook: record it, don't stop the others
        return f"{type(exc).__name__}: {exc}"
    return None


def _papermill(
    path: Path, output_nb: Path, parameters: Mapping[str, object], timeout_s: int | None
) -> str | None:
    """Run papermill; return the error as one line (``None`` on success). The output notebook is written
    either way, partially executed if a cell failed; the kernel's stderr goes to ``kernel.log`` beside it. A
    kernel that dies before it starts is started again (:data:`_KERNEL_START_ATTEMPTS`), noted in the log."""
    for attempt in range(1, _KERNEL_START_ATTEMPTS + 1):
        error = _papermill_once(path, output_nb, parameters, timeout_s)
        if (
            error is None
            or attempt == _KERNEL_START_ATTEMPTS
            or not error.startswith(_KERNEL_START_FAILURES)
        ):
            return error
        with open(output_nb.parent / "kernel.log", "a", encoding="utf-8") as log:
            log.write(f"finrisk: kernel start {attempt} failed ({error}); starting again\n")
    return error


def _timed_run(
    path: Path, output_nb: Path, parameters: Mapping[str, object], timeout_s: int | None
) -> NotebookRun:
    start = time.perf_counter()
    error = _papermill(path, output_nb, parameters, timeout_s)
    return NotebookRun(
        notebook=path.stem,
        status="ok" if error is None else "failed",
        duration_s=round(time.perf_counter() - start, 1),
        output_notebook=output_nb,
        error=error,
    )


def execute_notebook(
    path: str | Path,
    out_dir: str | Path,
    *,
    profile: str = "quick",
    parameters: Mapping[str, object] | None = None,
    html: bool = True,
    timeout_s: int | None = None,
) -> NotebookRun:
    """Execute one notebook with papermill into ``out_dir/<stem>/`` and collect its metrics.

    ``profile`` and ``output_dir`` are injected; ``parameters`` are checked against the notebook's
    ``parameters`` cell first. Execution errors are caught and reported in the returned run (status
    ``"failed"``); the partially executed notebook is kept.
    """
    path = Path(path)
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    _check_timeout(timeout_s)
    if parameters is not None and not isinstance(parameters, Mapping):
        raise TypeError(
            f"execute_notebook: parameters must be a mapping, got {type(parameters).__name__}"
        )
    parameters = dict(parameters or {})
    clash = [k for k in RESERVED if k in parameters]
    if clash:
        raise ValueError(f"set {clash} with the profile/--out options, not as parameters")
    params = {**parameters, "profile": profile}
    check_parameters(path, params)
    run_dir = Path(out_dir).resolve() / path.stem
    ensure_dir(run_dir, "execute_notebook", "out_dir")
    params["output_dir"] = str(run_dir)
    write_manifest(run_dir, path, params)
    run = _timed_run(path, run_dir / path.name, params, timeout_s)
    output_nb = run.output_notebook
    if (run_dir / METRICS_FILE).exists():
        run.metrics, run.headline = read_metrics(run_dir)
    elif run.status == "ok":
        run.status, run.error = "failed", f"the notebook wrote no {METRICS_FILE}"
    if html and output_nb.exists():
        run.html = export_html(output_nb)
    return run


def _check_timeout(timeout_s: object) -> None:
    if timeout_s is not None and (
        isinstance(timeout_s, bool) or not isinstance(timeout_s, int) or timeout_s <= 0
    ):
        raise ValueError(
            f"timeout_s must be a positive number of seconds or None, got {timeout_s!r}"
        )


def new_run_dir(root: Path = RUNS_DIR) -> Path:
    """A fresh ``root/<YYYYmmdd-HHMMSS>`` folder."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(root) / stamp
    suffix = 1
    while path.exists():
        path = Path(root) / f"{stamp}-{suffix}"
        suffix += 1
    path.mkdir(parents=True)
    return path


def write_summary(runs: Sequence[NotebookRun], out_dir: str | Path) -> pd.DataFrame:
    """Write ``summary.csv`` (status, duration, error, every metric) and ``summary.md`` (headline metrics)."""
    out = Path(out_dir)
    rows = [
        {
            "notebook": r.notebook,
            "status": r.status,
            "duration_s": r.duration_s,
            "error": r.error,
            **r.metrics,
        }
        for r in runs
    ]
    table = pd.DataFrame(rows)
    table.to_csv(out / "summary.csv", index=False)
    lines = [
        f"# Run summary ({out.name})",
        "",
        "| notebook | status | duration (s) | headline metrics | error |",
        "|---|---|---:|---|---|",
    ]
    for r in runs:
        head = ", ".join(f"{k} = {_fmt(r.metrics.get(k))}" for k in r.headline)
        err = (r.error or "").replace("\n", " ")[:300]
        cells = [
            _md_cell(r.notebook),
            r.status,
            f"{r.duration_s:.1f}",
            _md_cell(head),
            _md_cell(err),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return table


def _md_cell(text: str) -> str:
    """Text for a Markdown table cell: HTML-escaped (Markdown viewers render raw HTML) and ``|`` escaped."""
    return html.escape(str(text), quote=False).replace("|", "\\|")


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def stated_runtime(path: str | Path, profile: str) -> float | None:
    """The runtime in seconds that the notebook's first markdown cell states for ``profile`` (its
    ``**Runtime**`` line: "... 172 s in the quick profile ...", kept from the last render and ``make run``), or
    ``None`` where it states none. A scheduling hint only: nothing depends on it being exact."""
    nb = nbformat.read(Path(path), as_version=4)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    found = re.search(rf"(\d+(?:\.\d+)?) s in the {re.escape(profile)} profile", first)
    return float(found.group(1)) if found else None


def longest_first(paths: Sequence[str | Path], profile: str) -> list[int]:
    """Indices of ``paths`` in the order to start them: the longest stated runtime (:func:`stated_runtime`)
    first, so that no long notebook starts last and finishes alone; notebooks that state none keep their
    given order, after the others."""
    hint = [stated_runtime(p, profile) for p in paths]
    return sorted(range(len(paths)), key=lambda i: -(hint[i] or 0.0))


def run_notebooks(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    profile: str = "quick",
    parameters: Mapping[str, object] | None = None,
    log: bool = True,
    workers: int | None = None,
) -> list[NotebookRun]:
    """Execute the notebooks into ``out_dir``, in parallel on the sweeps' Dask engine (``workers`` processes,
    default one per core, each kernel's threads capped to its share of the cores), started longest first
    (:func:`longest_first`), and write the summary (in the order given); a failing notebook never stops the
    others. On Ctrl-C the summary of the notebooks that
    finished is written and ``KeyboardInterrupt`` propagates.

    ``parameters`` must be defined by every notebook given (checked before anything runs).
    """
    from finrisk_utils.workbench.engine import check_workers, map_tasks

    if isinstance(paths, str | Path):
        paths = [paths]
    nb_paths = [Path(p) for p in paths]
    if not nb_paths:
        raise ValueError("no notebooks to run")
    stems = [p.stem for p in nb_paths]
    twice = sorted({s for s in stems if stems.count(s) > 1})
    if twice:
        raise ValueError(
            f"notebook(s) {twice} given twice: each runs into out_dir/<name>/, so give each once"
        )
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    check_workers(workers, "run_notebooks")
    clash = [k for k in RESERVED if k in (parameters or {})]
    if clash:
        raise ValueError(f"set {clash} with the profile/--out options, not as parameters")
    for p in nb_paths:
        check_parameters(p, {**(parameters or {}), "profile": profile})
    ensure_dir(Path(out_dir), "run_notebooks", "out_dir")
    if log:
        for p in nb_paths:
            print(f"running {p.name} ({profile}) ...", flush=True)
    finished: dict[int, NotebookRun] = {}

    order = longest_first(nb_paths, profile)

    def done(j: int, run: NotebookRun) -> None:
        finished[order[j]] = run
        if log:
            print(
                f"  {run.notebook}: {run.status} in {run.duration_s:.1f}s"
                + (f": {run.error}" if run.error else ""),
                flush=True,
            )

    tasks = [
        (str(nb_paths[i].resolve()), str(Path(out_dir).resolve()), profile, dict(parameters or {}))
        for i in order
    ]
    try:
        map_tasks(_execute_task, tasks, workers=workers, on_done=done, caller="run")
    except KeyboardInterrupt:
        write_summary([finished[i] for i in sorted(finished)], out_dir)
        raise
    runs = [finished[i] for i in range(len(nb_paths))]
    write_summary(runs, out_dir)
    return runs


def _execute_task(
    path: str, out_dir: str, profile: str, parameters: dict[str, object]
) -> NotebookRun:
    """One notebook of a run, as the engine calls it (in a worker process): never raises for the notebook's
    own failure; anything else (e.g. a disk error) becomes a failed run too, so the others carry on."""
    try:
        return execute_notebook(path, out_dir, profile=profile, parameters=parameters)
    except Exception as exc:
        stem = Path(path).stem
        return NotebookRun(
            notebook=stem,
            status="failed",
            duration_s=0.0,
            output_notebook=Path(out_dir) / stem / Path(path).name,
            error=f"{type(exc).__name__}: {exc}",
        )


_VOLATILE_CELL_KEYS = ("execution", "papermill")


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove timings and papermill bookkeeping, and give the code cells deterministic execution counts 1, 2,
    3, ... in order (their results the same count), as one straight run gives: JupyterLab then shows every
    cell as run, and a re-render changes no count. Outputs stay."""
    nb.metadata.pop("papermill", None)
    count = 0
    for cell in nb.cells:
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for out in cell.outputs:
                if "execution_count" in out:
                    out["execution_count"] = count
    return nb


def _code_fingerprint(source: str) -> bytes:
    """A code cell's syntax tree (so re-formatting, e.g. ``ruff format``, leaves it unchanged); the raw
    source for cells Python cannot parse (IPython magics)."""
    try:
        return ast.dump(ast.parse(source), annotate_fields=False).encode("utf-8")
    except SyntaxError:
        return source.encode("utf-8")


def code_sha256(nb: nbformat.NotebookNode) -> str:
    """SHA-256 of the notebook's code cells (what its outputs depend on): their syntax trees, so a change of
    layout alone does not make the stored outputs stale, while any change of meaning does."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            digest.update(_code_fingerprint(cell.source) + b"\0")
    return digest.hexdigest()


RENDER_KERNEL_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}
"""A rendered notebook stores its figures whatever backend the caller's shell sets (``MPLBACKEND=Agg`` would
leave none), and its interactive output folder is named after it (``JPY_SESSION_NAME``)."""


@contextlib.contextmanager
def _kernel_env(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for kernels started inside the block (they inherit ours), then restore."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def render_notebook(
    path: str | Path, scratch_dir: str | Path, *, profile: str = "full"
) -> NotebookRun:
    """Re-execute a committed notebook exactly as a reader would, with its own defaults (``output_dir=None``)
    into ``scratch_dir``; only if that succeeds, write it back with volatile metadata stripped and the hash of
    its code and the profile recorded. ``profile="full"`` (the default) injects nothing; another profile is
    injected as the only parameter and the injected cell is removed again before the notebook is written back."""
    path = Path(path)
    if profile not in PROFILES:
        raise ValueError(
            f"render_notebook: profile must be one of {sorted(PROFILES)}, got {profile!r}"
        )
    params = {} if profile == "full" else {"profile": profile}
    check_parameters(path, params)
    scratch = Path(scratch_dir).resolve() / path.stem
    ensure_dir(scratch, "render_notebook", "scratch_dir")
    write_manifest(scratch, path, params)
    with _kernel_env(RENDER_KERNEL_ENV | {"JPY_SESSION_NAME": str(path.resolve())}):
        run = _timed_run(path, scratch / path.name, params, None)
    output_nb = run.output_notebook
    if run.status == "ok":
        nb = nbformat.read(output_nb, as_version=4)
        nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
        nb = strip_volatile(nb)
        nb.metadata["finrisk"] = {"code_sha256": code_sha256(nb), "profile": profile}
        nbformat.write(nb, path)
    return run
