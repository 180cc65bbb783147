"""`finrisk run` on the sweeps' Dask engine: notebooks run at the same time, each kernel's threads capped, a
failure isolated, the summary in the order given; and the engine's own contract."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from finrisk_utils.workbench.cli import main
from finrisk_utils.workbench.engine import (
    THREAD_VARS,
    available_cores,
    capped_threads,
    dask_client,
    map_tasks,
    threads_per_kernel,
)
from finrisk_utils.workbench.runner import (
    NotebookRun,
    longest_first,
    run_notebooks,
    stated_runtime,
)

FIXTURES = Path(__file__).parent / "fixtures"
TINY, FAILING = FIXTURES / "tiny.ipynb", FIXTURES / "failing.ipynb"

# A notebook that records the thread cap its kernel inherited and whether the other probe ran at the same time:
# each marks its start beside its output folder and waits (up to 3 minutes, so a slow, loaded machine that starts
# kernels late still passes) until both probes have started. Run one after the other, the first never sees the
# second and records overlap 0.
PROBE = """
import os, pathlib, time
from finrisk_utils import record_metrics
here = pathlib.Path(output_dir)
here.mkdir(parents=True, exist_ok=True)
(here.parent / f"{here.name}.started").touch()
started = lambda: len(list(here.parent.glob("*_probe.started")))
deadline = time.time() + 180
while started() < 2 and time.time() < deadline:
    time.sleep(0.2)
record_metrics({"run": {"overlap": int(started() >= 2), "omp": os.environ.get("OMP_NUM_THREADS", "unset"),
                "tf_intra": os.environ.get("TF_NUM_INTRAOP_THREADS", "unset"), "pid": os.getpid()}},
               output_dir)
"""


def _probe_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'seed = 0\nprofile = "full"\noutput_dir = None', metadata={"tags": ["parameters"]}
            ),
            nbformat.v4.new_code_cell(PROBE),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def _square(x: int) -> int:
    return x * x


def test_map_tasks_keeps_the_order_and_reports_each_task():
    seen = []
    assert map_tasks(_square, [(3,)], on_done=lambda i, r: seen.append((i, r))) == [9]
    assert seen == [(0, 9)]
    with pytest.raises(ValueError, match="run: workers must be a positive number"):
        map_tasks(_square, [(1,)], workers=0)
    assert map_tasks(_square, []) == []


def test_one_worker_runs_the_tasks_in_order_here_without_a_cluster(monkeypatch):
    from finrisk_utils.workbench import engine

    def no_cluster(*args, **kwargs):
        raise AssertionError("a cluster was started for one worker")

    monkeypatch.setattr(engine, "dask_client", no_cluster)
    seen = []
    tasks = [(1,), (2,), (3,)]
    assert map_tasks(_square, tasks, workers=1, on_done=lambda i, r: seen.append((i, r))) == [
        1,
        4,
        9,
    ]
    assert seen == [(0, 1), (1, 4), (2, 9)]

    def interrupt(
        i, r
    ):  # Ctrl-C while waiting: the tasks that finished were reported, the rest never ran
        seen.append(i)
        raise KeyboardInterrupt

    seen.clear()
    with pytest.raises(KeyboardInterrupt):
        map_tasks(_square, tasks, workers=1, on_done=interrupt)
    assert seen == [0]


def _nap_then_square(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds * seconds


def test_ctrl_c_on_the_cluster_path_cancels_what_is_pending(monkeypatch):
    """Several workers: Ctrl-C while waiting cancels every submitted task and propagates; the task that finished
    first was reported. The cluster is an in-process one (threads) standing in for the LocalCluster."""
    from contextlib import contextmanager

    from dask.distributed import Client

    from finrisk_utils.workbench import engine

    for (
        var
    ) in THREAD_VARS:  # the in-process workers set the cap in this process: restore it afterwards
        monkeypatch.setenv(var, os.environ.get(var, "0"))
    cancelled: list = []

    @contextmanager
    def in_process_client(workers, scheduler=None, connect_timeout_s=10, caller="run"):
        with Client(
            processes=False, n_workers=1, threads_per_worker=workers, dashboard_address=None
        ) as client:
            real_cancel = client.cancel

            def spy(futures, *args, **kwargs):
                cancelled.extend(futures)
                return real_cancel(futures, *args, **kwargs)

            monkeypatch.setattr(client, "cancel", spy)
            yield client

    monkeypatch.setattr(engine, "dask_client", in_process_client)
    seen = []

    def interrupt(i, r):
        seen.append((i, r))
        raise KeyboardInterrupt

    tasks = [(0.0,), (1.0,), (1.0,), (1.0,)]
    with pytest.raises(KeyboardInterrupt):
        map_tasks(_nap_then_square, tasks, workers=2, on_done=interrupt)
    assert seen == [(0, 0.0)]
    assert len(cancelled) == len(tasks)
    assert all(f.status in ("cancelled", "finished") for f in cancelled)
    assert any(f.status == "cancelled" for f in cancelled)
    # and without the interruption the same path returns every result in the order of the tasks
    done = []
    assert map_tasks(
        _nap_then_square, tasks[:3], workers=2, on_done=lambda i, r: done.append(i)
    ) == [0.0, 1.0, 1.0]
    assert sorted(done) == [0, 1, 2]


def test_thread_caps_are_restored_and_shared_out():
    before = {v: os.environ.get(v) for v in THREAD_VARS}
    with capped_threads(1):
        assert all(os.environ[v] == "1" for v in THREAD_VARS)
    assert {v: os.environ.get(v) for v in THREAD_VARS} == before
    assert threads_per_kernel(1) == available_cores()
    assert threads_per_kernel(10**6) == 1


def test_notebooks_run_concurrently_with_capped_threads_and_failure_isolated(tmp_path):
    a = _probe_notebook(tmp_path / "a_probe.ipynb")
    b = _probe_notebook(tmp_path / "b_probe.ipynb")
    out = tmp_path / "out"
    runs = run_notebooks([a, FAILING, b], out, workers=3, log=False)
    assert [r.notebook for r in runs] == ["a_probe", "failing", "b_probe"]  # the order given
    assert [r.status for r in runs] == ["ok", "failed", "ok"]
    assert "RuntimeError: deliberate failure" in runs[1].error
    assert (out / "failing" / "failing.ipynb").exists()  # the partial notebook is kept
    ma, mb = (json.loads((out / s / "metrics.json").read_text()) for s in ("a_probe", "b_probe"))
    cap = str(threads_per_kernel(3))
    for m in (ma, mb):
        assert m["run.omp"] == cap and m["run.tf_intra"] == cap
    assert ma["run.pid"] != mb["run.pid"]  # two kernels
    # three workers, three notebooks: the two probes ran at the same time
    assert ma["run.overlap"] == 1 and mb["run.overlap"] == 1, (ma, mb)
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["notebook"]) == ["a_probe", "failing", "b_probe"]


def test_cli_run_workers_option(tmp_path, capsys):
    """A bad --workers is refused before anything runs; the CLI's parallel run with a failure (--workers 2, the
    exit code, the summary and report) is tests/test_runner.py's failure-path test."""
    with pytest.raises(SystemExit) as stop:  # an argparse type error
        main(["run", str(TINY), "--workers", "0", "--out", str(tmp_path / "x")])
    assert stop.value.code == 2 and "--workers" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_the_workbench_processes_skip_the_iri_grammars_and_still_validate_notebooks():
    """The ``finrisk`` command and the workers of its local clusters do not import ``rfc3987_syntax`` (2 s of
    CPU per process), and nbformat still validates notebooks there; a process the workbench does not own (a
    plain import of the package) keeps every jsonschema checker."""
    import subprocess
    import sys

    check = (
        "import sys, nbformat; print(sys.modules.get('rfc3987_syntax') is not None); "
        "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))"
    )
    for prelude, loaded in [
        ("import finrisk_utils.workbench.cli; ", "False"),  # the CLI (console script or -m)
        ("import finrisk_utils.workbench.runner; ", "True"),  # a user's process: left alone
    ]:
        out = subprocess.run(
            [sys.executable, "-c", prelude + check], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == loaded, (prelude, out.stdout, out.stderr)

    def iri_grammars_loaded() -> bool:  # local: pickled by value for the workers
        import sys

        import nbformat  # noqa: F401  (imports jsonschema, which imports rfc3987_syntax unless absent)

        return sys.modules.get("rfc3987_syntax") is not None

    with dask_client(2) as client:
        assert list(client.run(iri_grammars_loaded).values()) == [False, False]


def _with_runtime(path: Path, first_cell: str | None) -> Path:
    """A copy of the tiny notebook whose first markdown cell is ``first_cell`` (None: no markdown cell)."""
    nb = nbformat.read(TINY, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type != "markdown"]
    if first_cell is not None:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(first_cell))
    nbformat.write(nb, path)
    return path


def test_stated_runtime_reads_the_first_cells_runtime_line(tmp_path):
    line = (
        "# x\n\n**Runtime** (2 CPU cores): 300 s in the full profile (five draws) at the last render, run alone; "
        "12.5 s in the quick profile in a fresh-clone `make run`."
    )
    nb = _with_runtime(tmp_path / "a.ipynb", line)
    assert stated_runtime(nb, "quick") == 12.5 and stated_runtime(nb, "full") == 300.0
    assert stated_runtime(_with_runtime(tmp_path / "b.ipynb", "# no runtime here"), "quick") is None
    assert stated_runtime(_with_runtime(tmp_path / "c.ipynb", None), "full") is None
    # only the first markdown cell counts (a later cell may quote another notebook's runtime)
    later = nbformat.read(tmp_path / "b.ipynb", as_version=4)
    later.cells.append(nbformat.v4.new_markdown_cell("07 takes 600 s in the full profile"))
    nbformat.write(later, tmp_path / "d.ipynb")
    assert stated_runtime(tmp_path / "d.ipynb", "full") is None


def test_run_starts_the_longest_first_and_keeps_the_summary_in_the_given_order(
    tmp_path, monkeypatch
):
    import finrisk_utils.workbench.engine as engine

    quick = "**Runtime**: {} s in the quick profile."
    paths = [
        _with_runtime(tmp_path / "short.ipynb", quick.format(10)),
        _with_runtime(tmp_path / "unknown.ipynb", "# no runtime"),
        _with_runtime(tmp_path / "long.ipynb", quick.format(90)),
        _with_runtime(tmp_path / "other.ipynb", None),
    ]
    assert longest_first(paths, "quick") == [2, 0, 1, 3]
    started = []

    def fake_map_tasks(fn, tasks, *, on_done, **kwargs):  # records the start order, runs nothing
        for j, task in enumerate(tasks):
            started.append(Path(task[0]).stem)
            on_done(j, NotebookRun(Path(task[0]).stem, "ok", 1.0, tmp_path / "out" / "x.ipynb"))

    monkeypatch.setattr(engine, "map_tasks", fake_map_tasks)
    runs = run_notebooks(paths, tmp_path / "out", log=False)
    assert started == ["long", "short", "unknown", "other"]
    assert [r.notebook for r in runs] == ["short", "unknown", "long", "other"]
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert summary["notebook"].tolist() == ["short", "unknown", "long", "other"]
