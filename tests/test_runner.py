import json
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from finrisk_utils.workbench.cli import main
from finrisk_utils.workbench.report import build_report
from finrisk_utils.workbench.runner import (
    check_parameters,
    code_sha256,
    discover_notebooks,
    execute_notebook,
    notebook_parameters,
    parse_value,
    render_notebook,
    run_notebooks,
    strip_volatile,
)

FIXTURES = Path(__file__).parent / "fixtures"
TINY, FAILING = FIXTURES / "tiny.ipynb", FIXTURES / "failing.ipynb"
FINRISK = [sys.executable, "-m", "finrisk_utils.workbench.cli"]


@pytest.mark.parametrize(
    "text, value",
    [
        ("3", 3),
        ("0.95", 0.95),
        ("True", True),
        ("None", None),
        ("sp500", "sp500"),
        ("2015-01-01", "2015-01-01"),
        ("[1, 6, 12]", [1, 6, 12]),
    ],
)
def test_parse_value(text, value):
    assert parse_value(text) == value and type(parse_value(text)) is type(value)


def test_parse_value_rejects_a_broken_list():
    with pytest.raises(ValueError, match="list literal"):
        parse_value("[1, 2")
    with pytest.raises(ValueError, match="list literal"):
        parse_value("[1, foo]")


def test_check_parameters_refuses_none_where_the_default_is_not_none(tmp_path):
    with pytest.raises(
        ValueError, match="parameter 'seed' expects int \\(default 0\\), got NoneType None"
    ):
        check_parameters(TINY, {"seed": None})
    with pytest.raises(ValueError, match="parameter 'scale' expects float"):
        check_parameters(TINY, {"scale": None})
    with pytest.raises(ValueError, match="parameter 'scale' expects float"):
        check_parameters(TINY, {"scale": True})
    with pytest.raises(TypeError, match="parameters must be a mapping"):
        check_parameters(TINY, [("seed", 1)])
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("horizons = [1, 6]", metadata={"tags": ["parameters"]})],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = tmp_path / "lists.ipynb"
    nbformat.write(nb, path)
    check_parameters(path, {"horizons": [1, 12]})
    with pytest.raises(ValueError, match="parameter 'horizons' expects list"):
        check_parameters(path, {"horizons": 6})


def test_execute_notebook_bad_arguments(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(NotADirectoryError, match="execute_notebook: out_dir .* is not a folder"):
        execute_notebook(TINY, afile)
    with pytest.raises(FileNotFoundError, match="notebook not found"):
        execute_notebook(tmp_path / "missing.ipynb", tmp_path)
    with pytest.raises(ValueError, match="timeout_s must be a positive number"):
        execute_notebook(TINY, tmp_path, timeout_s=0)
    with pytest.raises(ValueError, match="profile must be one of"):
        execute_notebook(TINY, tmp_path, profile="huge")
    with pytest.raises(ValueError, match=r"notebook\(s\) \['tiny'\] given twice"):
        run_notebooks([TINY, TINY], tmp_path / "o")
    with pytest.raises(NotADirectoryError, match="run_notebooks: out_dir"):
        run_notebooks([TINY], afile)
    assert afile.read_text() == "x" and not (tmp_path / "tiny").exists()


def _tags(html_text):
    """Every start tag of an HTML page as (tag, attributes), by the standard parser."""
    from html.parser import HTMLParser

    tags = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, dict(attrs)))

    Collect().feed(html_text)
    return tags


PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def assert_no_injection(html_text):
    tags = _tags(html_text)
    assert not [t for t, _ in tags if t == "script"]
    assert not [a for _, a in tags if any(k.startswith("on") for k in a)]
    assert all(a.get("src", "").startswith("data:image/png;base64,") for t, a in tags if t == "img")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_text  # shown as text


def test_run_writes_manifest_and_report_escapes_user_text(tmp_path, capsys):
    code = main(
        ["run", str(TINY), "-p", "label", PAYLOAD, "-p", "fail", "True", "--out", str(tmp_path)]
    )
    assert code == 1  # the notebook failed, with the payload in its error text
    manifest = json.loads((tmp_path / "tiny" / "manifest.json").read_text())
    assert manifest["notebook"] == "tiny.ipynb" and manifest["parameters"]["label"] == PAYLOAD
    assert manifest["parameters"]["profile"] == "quick" and manifest["cpu_count"] >= 1
    assert set(manifest["packages"]) == {
        "numpy",
        "pandas",
        "keras",
        "tensorflow",
        "arch",
        "statsmodels",
        "scikit-learn",
        "papermill",
    }
    assert manifest["packages"]["numpy"] == np.__version__ and manifest["packages"]["tensorflow"]
    assert manifest["python"] == platform.python_version() and manifest["keras_backend"]
    assert len(manifest["git_commit"]) == 40 and isinstance(manifest["git_dirty"], bool)
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert PAYLOAD in summary.loc[0, "error"]
    page = (tmp_path / "report.html").read_text()
    assert_no_injection(page)
    assert "Environment (manifest.json)" in page and np.__version__ in page
    assert "<script>" not in (tmp_path / "report.md").read_text()
    assert "<script>" not in (tmp_path / "summary.md").read_text()


def test_report_of_a_crafted_run_summary_escapes_notebook_names_and_metrics(tmp_path):
    pd.DataFrame(
        {
            "notebook": ['x"><img src=x onerror=alert(1)>'],
            "status": ["failed"],
            "duration_s": [1.0],
            "error": [PAYLOAD],
            "run.zone": [PAYLOAD],
        }
    ).to_csv(tmp_path / "summary.csv", index=False)
    assert_no_injection(build_report(tmp_path).read_text())


def test_check_parameters():
    check_parameters(TINY, {"seed": 1, "scale": 3})  # an int is fine for a float
    with pytest.raises(ValueError, match=r"defines no parameter\(s\) \['windw'\]"):
        check_parameters(TINY, {"windw": 3})
    with pytest.raises(ValueError, match="parameter 'seed' expects int"):
        check_parameters(TINY, {"seed": "abc"})
    with pytest.raises(ValueError, match="parameter 'profile' expects str"):
        check_parameters(TINY, {"profile": 1})
    check_parameters(TINY, {"output_dir": "/x"})  # a None default accepts anything


def test_notebook_without_parameters_cell_is_rejected(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    path = tmp_path / "plain.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="no cell tagged 'parameters'"):
        notebook_parameters(path)
    with pytest.raises(FileNotFoundError):
        notebook_parameters(tmp_path / "missing.ipynb")


def test_cli_failure_path_keeps_partial_output_and_exits_non_zero(tmp_path):
    """The CLI in a subprocess, two notebooks on two workers, one failing: exit code 1 (as a serial run's),
    the failure named, the other notebook's results, the partial notebook, summary and report kept."""
    proc = subprocess.run(
        [*FINRISK, "run", str(TINY), str(FAILING), "--workers", "2", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "failed: failing" in proc.stderr and (tmp_path / "report.html").exists()
    summary = pd.read_csv(tmp_path / "summary.csv").set_index("notebook")
    assert summary.loc["tiny", "status"] == "ok" and summary.loc["tiny", "run.value"] == 42.0
    assert summary.loc["failing", "status"] == "failed"
    assert "RuntimeError: deliberate failure" in summary.loc["failing", "error"]
    md = (tmp_path / "summary.md").read_text()
    assert "| failing | failed |" in md and "run.value = 42" in md
    partial = nbformat.read(tmp_path / "failing" / "failing.ipynb", as_version=4)
    texts = [o.get("text", "") for c in partial.cells if c.cell_type == "code" for o in c.outputs]
    assert "before the failure\n" in texts
    assert any(
        o.output_type == "error" for c in partial.cells if c.cell_type == "code" for o in c.outputs
    )
    assert not any("never reached" in t for t in texts)
    assert (tmp_path / "failing" / "failing.html").exists() and (
        tmp_path / "tiny" / "tiny.html"
    ).exists()
    assert json.loads((tmp_path / "tiny" / "metrics.json").read_text())["run.quick"] is True


def test_cli_parameters_and_profile(tmp_path):
    """In process (the subprocess path is the failure test above): -p and --profile reach the notebook."""
    assert (
        main(["run", str(TINY), "-p", "scale", "0.5", "--profile", "full", "--out", str(tmp_path)])
        == 0
    )
    metrics = json.loads((tmp_path / "tiny" / "metrics.json").read_text())
    assert metrics == {"run.label": "tiny", "run.quick": False, "run.value": 10.5}


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "nope.ipynb"], "notebook(s) not found: nope.ipynb"),
        (["run", str(TINY), "-p", "windw", "3"], "defines no parameter(s) ['windw']"),
        (["run", str(TINY), "-p", "seed", "x"], "parameter 'seed' expects int"),
        (
            ["run", str(TINY), "-p", "output_dir", "x"],
            "set ['output_dir'] with the profile/--out options",
        ),
    ],
)
def test_cli_bad_input_fails_before_running(tmp_path, capsys, args, message):
    """In process (``cli.main``, what the ``finrisk`` script calls; tests/test_cli_errors.py checks the real
    subprocess prints one line and no traceback): exit status 2, the message on stderr, nothing run."""
    assert main([*args, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "summary.csv").exists()


def test_strip_volatile_and_code_hash():
    nb = nbformat.read(TINY, as_version=4)
    nb.metadata["papermill"] = {"duration": 1.0}
    cell = nb.cells[2]
    cell.execution_count = 7
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    cell.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=7)
    ]
    before = code_sha256(nb)
    strip_volatile(nb)
    assert "papermill" not in nb.metadata and "execution" not in cell.metadata
    # deterministic counts: the second code cell is 2, its result too (JupyterLab shows the cell as run)
    assert cell.execution_count == 2 and cell.outputs[0]["execution_count"] == 2
    assert nb.cells[1].execution_count == 1
    assert code_sha256(nb) == before  # outputs and metadata do not change the code hash
    cell.source += (
        "\n# a comment"  # layout and comments are not code: the stored outputs stay valid
    )
    assert code_sha256(nb) == before
    cell.source += "\nx = 1"  # a change of meaning makes them stale
    assert code_sha256(nb) != before


def test_render_writes_back_only_on_success(tmp_path):
    tiny, failing = tmp_path / "tiny.ipynb", tmp_path / "failing.ipynb"
    shutil.copy(TINY, tiny)
    shutil.copy(FAILING, failing)
    original_failing = failing.read_bytes()
    assert render_notebook(tiny, tmp_path / "scratch").status == "ok"
    rendered = nbformat.read(tiny, as_version=4)
    assert rendered.metadata["finrisk"]["code_sha256"] == code_sha256(rendered)
    assert "papermill" not in rendered.metadata
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in rendered.cells)
    assert any("hello from tiny" in o.get("text", "") for o in rendered.cells[2].outputs)
    assert (
        json.loads((tmp_path / "scratch" / "tiny" / "manifest.json").read_text())["parameters"]
        == {}
    )
    assert render_notebook(failing, tmp_path / "scratch").status == "failed"
    assert failing.read_bytes() == original_failing


def test_discover_notebooks_is_numbered_and_sorted():
    found = discover_notebooks()
    names = [p.name for p in found]
    assert names == sorted(names) and names[:2] == [
        "00_data_tour.ipynb",
        "01_market_risk_price_forecasting_lstm.ipynb",
    ]


def test_a_kernel_that_dies_before_starting_is_started_again(tmp_path, monkeypatch):
    """Kernels started together can race for a port and die before their first reply (jupyter_client#154): the
    run starts the kernel again, says so in kernel.log, and gives up after the last attempt; an error raised by
    a cell, or any other failure, is never retried."""
    import papermill as pm

    import finrisk_utils.workbench.runner as runner

    out = tmp_path / "nb.ipynb"
    calls: list[int] = []

    def flaky(failures: int, exc: Exception):
        def execute(*args, **kwargs):
            calls.append(1)
            if len(calls) <= failures:
                raise exc
            out.write_text("{}")

        return execute

    died = RuntimeError("Kernel died before replying to kernel_info")
    monkeypatch.setattr(pm, "execute_notebook", flaky(2, died))
    assert runner._papermill(Path("x.ipynb"), out, {}, None) is None and len(calls) == 3
    assert (tmp_path / "kernel.log").read_text().count("kernel start") == 2
    calls.clear()
    monkeypatch.setattr(pm, "execute_notebook", flaky(5, died))
    error = runner._papermill(Path("x.ipynb"), out, {}, None)
    assert error == "RuntimeError: Kernel died before replying to kernel_info"
    assert len(calls) == runner._KERNEL_START_ATTEMPTS
    calls.clear()
    monkeypatch.setattr(pm, "execute_notebook", flaky(1, MemoryError("out of memory")))
    assert runner._papermill(Path("x.ipynb"), out, {}, None) == "MemoryError: out of memory"
    assert len(calls) == 1


def test_plain_papermill_cli_runs_a_notebook(tmp_path):
    """The README's papermill route: a notebook, its parameters cell overridden with -p, runs to the end (the
    committed notebooks' parameters cells are checked by tests/test_notebook_hygiene.py, their runs by nbval)."""
    out = tmp_path / "out.ipynb"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(TINY),
            str(out),
            "-p",
            "profile",
            "quick",
            "-p",
            "scale",
            "0.5",
            "-p",
            "output_dir",
            str(tmp_path / "run"),
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert out.exists() and metrics["run.value"] == 10.5 and metrics["run.quick"] is True
