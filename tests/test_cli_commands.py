"""The ``finrisk`` commands in-process through ``main([...])``, with the slow parts (papermill runs, sweeps on
Dask, renders, the MLflow UI and JupyterLab processes) replaced by fakes: default output folders, Ctrl-C,
empty options, the lines printed, the exit codes and what reaches the fakes. The real executions are tested in
test_runner, test_sweep and test_lab."""

import re
import runpy
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from finrisk_utils.workbench import cli
from finrisk_utils.workbench import sweep as sweep_module
from finrisk_utils.workbench.cli import main
from finrisk_utils.workbench.runner import NotebookRun, write_summary

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny.ipynb"
FAILING = FIXTURES / "failing.ipynb"
STAMP = re.compile(r"\d{8}-\d{6}(-\d+)?")


def _run(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    """The CLI's default runs/ folder, moved under tmp_path."""
    root = tmp_path / "runs"
    monkeypatch.setattr(cli, "RUNS_DIR", root)
    return root


class FakeRun:
    """Stands in for ``run_notebooks``: records its call, writes the summary the real one writes for the
    given outcome (or raises ``KeyboardInterrupt``)."""

    def __init__(self, status="ok", interrupt=False):
        self.status, self.interrupt, self.calls = status, interrupt, []

    def __call__(self, notebooks, out, *, profile, parameters, workers):
        self.calls.append(
            {
                "notebooks": notebooks,
                "out": out,
                "profile": profile,
                "params": parameters,
                "workers": workers,
            }
        )
        if self.interrupt:
            raise KeyboardInterrupt
        runs = [
            NotebookRun(
                notebook=Path(nb).stem,
                status=self.status,
                duration_s=0.5,
                output_notebook=Path(out) / Path(nb).stem / Path(nb).name,
                error=None if self.status == "ok" else "RuntimeError: asked to fail",
                metrics={"run.value": 42.0},
                headline=["run.value"],
            )
            for nb in notebooks
        ]
        write_summary(runs, out)
        return runs


def test_run_without_out_uses_a_fresh_timestamped_folder(capsys, runs_dir, monkeypatch):
    """No --out: a new runs/<YYYYmmdd-HHMMSS> folder gets the summary and the report; the parameters reach
    the runner parsed (3.5 a float), with the profile and workers; exit status 0."""
    fake = FakeRun()
    monkeypatch.setattr(cli, "run_notebooks", fake)
    code, out, err = _run(
        capsys,
        "run",
        TINY,
        "-p",
        "scale",
        "3.5",
        "--profile",
        "quick",
        "--workers",
        "2",
        "--no-track",
    )
    assert code == 0, err
    (call,) = fake.calls
    folder = call["out"]
    assert folder.parent == runs_dir and STAMP.fullmatch(folder.name)
    assert call["params"] == {"scale": 3.5} and call["profile"] == "quick" and call["workers"] == 2
    assert call["notebooks"] == [TINY]
    assert out.strip() == f"summary: {folder / 'summary.md'}; report: {folder / 'report.html'}"
    assert (folder / "report.html").is_file() and (folder / "report.md").is_file()
    assert "tiny" in (folder / "summary.md").read_text()


def test_run_with_a_failed_notebook_exits_1_and_names_it(capsys, tmp_path, monkeypatch):
    """A notebook that failed: the summary and report are still written, stderr names it, exit status 1."""
    monkeypatch.setattr(cli, "run_notebooks", FakeRun(status="failed"))
    out_dir = tmp_path / "out"
    code, out, err = _run(capsys, "run", TINY, "--out", out_dir, "--no-track")
    assert code == 1
    assert err.strip() == "failed: tiny"
    assert out.startswith(f"summary: {out_dir / 'summary.md'}")
    assert (out_dir / "report.html").is_file()


def test_run_interrupted_exits_130_and_points_at_the_summary(capsys, tmp_path, monkeypatch):
    """Ctrl-C during the run: exit status 130, one line saying where the finished notebooks are, no report
    and no traceback."""
    monkeypatch.setattr(cli, "run_notebooks", FakeRun(interrupt=True))
    out_dir = tmp_path / "out"
    code, out, err = _run(capsys, "run", TINY, "--out", out_dir, "--no-track")
    assert code == 130
    assert err.strip() == f"interrupted: the finished notebooks are in {out_dir / 'summary.md'}"
    assert out == "" and "Traceback" not in err
    assert not (out_dir / "report.html").exists()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--out", "  "], "finrisk run: --out is empty: give a folder"),
        (
            ["--tracking-uri", " "],
            "finrisk run: --tracking-uri is empty: give e.g. http://host:5000",
        ),
    ],
)
def test_run_refuses_empty_options_before_running(capsys, runs_dir, monkeypatch, extra, message):
    """An empty --out or --tracking-uri is a usage error (exit 2, one line); nothing runs and no folder
    is made."""
    fake = FakeRun()
    monkeypatch.setattr(cli, "run_notebooks", fake)
    code, out, err = _run(capsys, "run", TINY, *extra)
    assert code == 2
    assert err.strip() == message
    assert fake.calls == [] and not runs_dir.exists()


def test_run_without_notebooks_and_none_found(capsys, runs_dir, monkeypatch):
    """No notebook named and none discovered: a usage error saying so."""
    monkeypatch.setattr(cli, "discover_notebooks", lambda: [])
    code, _, err = _run(capsys, "run", "--no-track")
    assert code == 2
    assert err.strip() == "finrisk run: no numbered notebooks found in notebooks/"


def test_run_without_notebooks_runs_the_discovered_ones(capsys, runs_dir, monkeypatch):
    """No notebook named: every discovered notebook is run."""
    fake = FakeRun()
    monkeypatch.setattr(cli, "run_notebooks", fake)
    monkeypatch.setattr(cli, "discover_notebooks", lambda: [TINY])
    code, _, err = _run(capsys, "run", "--no-track")
    assert code == 0, err
    assert fake.calls[0]["notebooks"] == [TINY]


class FakeSweep:
    """Stands in for ``sweep``: records its arguments, reports one finished run, then raises
    ``KeyboardInterrupt`` (as the real one does on Ctrl-C)."""

    def __init__(self):
        self.calls = []

    def __call__(self, notebook, grid, **kwargs):
        self.calls.append({"notebook": notebook, "grid": grid, **kwargs})
        kwargs["progress"](1, 0, 4, 0.1)
        raise KeyboardInterrupt


def test_sweep_interrupted_without_out(capsys, runs_dir, monkeypatch, tmp_path):
    """No --out: the sweep goes to runs/sweeps/<timestamp> (not made by the CLI itself); the grid file's
    values are replaced by a -p of the same name; Ctrl-C exits 130 with a line pointing at the results and
    --resume."""
    fake = FakeSweep()
    monkeypatch.setattr(sweep_module, "sweep", fake)
    grid = tmp_path / "grid.yaml"
    grid.write_text("seed: [0, 1]\nscale: [1.0]\n")
    code, _, err = _run(
        capsys, "sweep", TINY, "-f", grid, "-p", "scale", "2.0", "3", "--no-track", "--workers", "3"
    )
    assert code == 130
    (call,) = fake.calls
    out = call["out"]
    assert out.parent == runs_dir / "sweeps" and STAMP.fullmatch(out.name)
    assert not out.exists()
    assert call["grid"] == {"seed": [0, 1], "scale": [2.0, 3]}
    assert call["workers"] == 3 and call["resume"] is False and call["scheduler"] is None
    assert call["profile"] == "quick" and call["notebook"] == str(TINY)
    # the progress bar (on stderr too) is closed after this line, so it is not necessarily the last one
    lines = [line for line in err.splitlines() if line.startswith("interrupted")]
    assert lines == [
        f"interrupted: the finished runs are in {out / 'results.csv'}; rerun with --resume"
    ]
    assert "1/4" in err  # the bar was made at the first finished run and shows it
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "extra, message",
    [
        (["-p", "seed"], "finrisk sweep: parameter 'seed' needs at least one value"),
        (
            ["-p", "seed", "0", "--tracking-uri", ""],
            "finrisk sweep: --tracking-uri is empty: give e.g. http://host:5000",
        ),
    ],
)
def test_sweep_usage_errors_before_sweeping(capsys, runs_dir, monkeypatch, extra, message):
    """A parameter without values or an empty --tracking-uri: exit 2, one line, the sweep never called."""
    fake = FakeSweep()
    monkeypatch.setattr(sweep_module, "sweep", fake)
    code, _, err = _run(capsys, "sweep", TINY, *extra)
    assert code == 2
    assert err.strip() == message
    assert fake.calls == []


def test_unused_path_skips_taken_names(tmp_path, monkeypatch):
    """Two sweeps in the same second get <stamp>, then <stamp>-1, <stamp>-2; the path is not created."""

    class Fixed(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2024, 1, 2, 3, 4, 5)

    monkeypatch.setattr(cli, "datetime", Fixed)
    assert cli._unused_path(tmp_path) == tmp_path / "20240102-030405"
    (tmp_path / "20240102-030405").mkdir()
    (tmp_path / "20240102-030405-1").mkdir()
    path = cli._unused_path(tmp_path)
    assert path == tmp_path / "20240102-030405-2" and not path.exists()


class FakeCall:
    """Stands in for ``subprocess.call``: records the command line, returns ``code`` or raises."""

    def __init__(self, code=0, raises=None):
        self.code, self.raises, self.cmds = code, raises, []

    def __call__(self, cmd):
        self.cmds.append(cmd)
        if self.raises:
            raise self.raises
        return self.code


def test_ui_starts_mlflow_on_the_store_and_passes_its_exit_status(capsys, tmp_path, monkeypatch):
    """``finrisk ui``: one line with the store and address, MLflow's UI on that store (its folder made, the
    artifacts beside it), the UI's exit status returned."""
    fake = FakeCall(code=3)
    monkeypatch.setattr(subprocess, "call", fake)
    uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    code, out, _ = _run(
        capsys, "ui", "--tracking-uri", uri, "--port", "5055", "--host", "0.0.0.0", "--workers", "2"
    )
    assert code == 3
    assert out.strip() == f"MLflow UI on {uri}: http://0.0.0.0:5055 (Ctrl-C stops it)"
    (cmd,) = fake.cmds
    assert cmd[:4] == [sys.executable, "-m", "mlflow", "ui"]
    assert cmd[cmd.index("--backend-store-uri") + 1] == uri
    assert (
        cmd[cmd.index("--default-artifact-root") + 1]
        == (tmp_path / "store" / "mlartifacts").as_uri()
    )
    assert cmd[-6:] == ["--host", "0.0.0.0", "--port", "5055", "--workers", "2"]
    assert (tmp_path / "store").is_dir()


def test_ui_ctrl_c_is_a_clean_exit(capsys, tmp_path, monkeypatch):
    """Ctrl-C stops the UI: exit status 0, no traceback."""
    monkeypatch.setattr(subprocess, "call", FakeCall(raises=KeyboardInterrupt()))
    code, _, err = _run(capsys, "ui", "--tracking-uri", f"sqlite:///{tmp_path / 'mlflow.db'}")
    assert code == 0 and err == ""


def test_ui_refuses_an_empty_tracking_uri(capsys, monkeypatch):
    """An empty --tracking-uri: exit 2, one line, no UI started."""
    fake = FakeCall()
    monkeypatch.setattr(subprocess, "call", fake)
    code, out, err = _run(capsys, "ui", "--tracking-uri", " ")
    assert code == 2
    assert err.strip().startswith("finrisk ui: --tracking-uri is empty")
    assert fake.cmds == [] and out == ""


def _find_spec_without(monkeypatch, missing):
    import importlib.util

    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        if name == "jupyterlab":
            return None if missing else object()
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_lab_without_jupyterlab_is_a_usage_error(capsys, monkeypatch):
    """JupyterLab not installed: exit 2 and a line saying how to install it; nothing started."""
    _find_spec_without(monkeypatch, missing=True)
    fake = FakeCall()
    monkeypatch.setattr(subprocess, "call", fake)
    code, _, err = _run(capsys, "lab")
    assert code == 2
    assert err.strip() == (
        "finrisk lab: JupyterLab is not installed: pip install -e '.[dev]' (or make lab)"
    )
    assert fake.cmds == []


def test_lab_passes_port_and_browser_and_exit_status(capsys, monkeypatch):
    """``finrisk lab --port 8890 --no-browser`` starts ``lab_command(port=8890, browser=False)``; its exit
    status is returned; without --no-browser the browser opens; Ctrl-C is a clean exit."""
    _find_spec_without(monkeypatch, missing=False)
    fake = FakeCall(code=5)
    monkeypatch.setattr(subprocess, "call", fake)
    assert _run(capsys, "lab", "--port", "8890", "--no-browser")[0] == 5
    assert fake.cmds[0] == cli.lab_command(port=8890, browser=False)
    assert "--ServerApp.port=8890" in fake.cmds[0] and "--no-browser" in fake.cmds[0]
    assert _run(capsys, "lab")[0] == 5
    assert "--no-browser" not in fake.cmds[1]
    assert not any(a.startswith("--ServerApp.port") for a in fake.cmds[1])
    monkeypatch.setattr(subprocess, "call", FakeCall(raises=KeyboardInterrupt()))
    assert _run(capsys, "lab")[0] == 0


class FakeRender:
    """Stands in for ``render_notebook``: the outcome per notebook stem (``ok`` unless listed)."""

    def __init__(self, failed=()):
        self.failed, self.calls = set(failed), []

    def __call__(self, path, scratch, *, profile):
        self.calls.append((Path(path), Path(scratch), profile))
        bad = Path(path).stem in self.failed
        return NotebookRun(
            notebook=Path(path).stem,
            status="failed" if bad else "ok",
            duration_s=1.25,
            output_notebook=Path(scratch) / Path(path).name,
            error="RuntimeError: boom" if bad else None,
        )


def test_render_prints_each_notebook_and_fails_if_any_fails(capsys, runs_dir, monkeypatch):
    """Each notebook rendered into one fresh runs/render/<timestamp> scratch folder, in the full profile by
    default, one line before and one after each; exit 1 if any failed, with its error."""
    fake = FakeRender(failed={"failing"})
    monkeypatch.setattr(cli, "render_notebook", fake)
    code, out, _ = _run(capsys, "render", TINY, FAILING)
    assert code == 1
    assert out.splitlines() == [
        "rendering tiny.ipynb (full profile) ...",
        "  ok in 1.2s",
        "rendering failing.ipynb (full profile) ...",
        "  failed in 1.2s: RuntimeError: boom",
    ]
    assert [c[0] for c in fake.calls] == [TINY, FAILING]
    scratch = {c[1] for c in fake.calls}
    assert len(scratch) == 1
    (folder,) = scratch
    assert folder.parent == runs_dir / "render" and STAMP.fullmatch(folder.name) and folder.is_dir()
    assert {c[2] for c in fake.calls} == {"full"}


def test_render_all_ok_in_another_profile(capsys, runs_dir, monkeypatch):
    """Every notebook rendered fine: exit 0; --profile reaches the renderer; no name renders the discovered
    notebooks."""
    fake = FakeRender()
    monkeypatch.setattr(cli, "render_notebook", fake)
    monkeypatch.setattr(cli, "discover_notebooks", lambda: [TINY])
    code, out, _ = _run(capsys, "render", "--profile", "quick")
    assert code == 0
    assert out.splitlines()[0] == "rendering tiny.ipynb (quick profile) ..."
    assert [(c[0], c[2]) for c in fake.calls] == [(TINY, "quick")]


def test_render_of_a_missing_notebook(capsys, runs_dir, monkeypatch, tmp_path):
    """A notebook that does not exist: exit 2, one line naming it, nothing rendered."""
    fake = FakeRender()
    monkeypatch.setattr(cli, "render_notebook", fake)
    code, _, err = _run(capsys, "render", tmp_path / "nope.ipynb")
    assert code == 2
    assert err.strip() == f"finrisk render: notebook(s) not found: {tmp_path / 'nope.ipynb'}"
    assert fake.calls == []
    assert not (runs_dir / "render").exists()  # checked before any scratch folder is made


def test_module_entry_point_exits_with_mains_status(capsys, tmp_path, monkeypatch):
    """``python -m finrisk_utils.workbench.cli``: the process exits with main()'s status (2 for a report of
    a missing folder) and prints its one line."""
    monkeypatch.setattr(sys, "argv", ["finrisk", "report", str(tmp_path / "nowhere")])
    with pytest.warns(RuntimeWarning, match="found in sys.modules"):
        with pytest.raises(SystemExit) as exc:
            runpy.run_module("finrisk_utils.workbench.cli", run_name="__main__")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == f"finrisk report: {str(tmp_path / 'nowhere')!r} is not a folder"


def test_report_prints_the_html_path(capsys, tmp_path):
    """``finrisk report`` on a run folder prints the report's path and writes it."""
    runs = [NotebookRun("tiny", "ok", 0.1, tmp_path / "tiny" / "tiny.ipynb")]
    write_summary(runs, tmp_path)
    code, out, _ = _run(capsys, "report", tmp_path)
    assert code == 0
    assert out.strip() == f"report: {tmp_path / 'report.html'}"
    assert (tmp_path / "report.html").is_file()
    assert not pd.read_csv(tmp_path / "summary.csv").empty
