import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from finrisk_utils.workbench.runner import (
    check_parameters,
    code_sha256,
    discover_notebooks,
    notebook_parameters,
    parse_value,
    render_notebook,
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
    proc = subprocess.run(
        [*FINRISK, "run", str(TINY), str(FAILING), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
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
    proc = subprocess.run(
        [
            *FINRISK,
            "run",
            str(TINY),
            "-p",
            "scale",
            "0.5",
            "--profile",
            "full",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads((tmp_path / "tiny" / "metrics.json").read_text())
    assert metrics == {"run.quick": False, "run.value": 10.5}


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
def test_cli_bad_input_fails_before_running(tmp_path, args, message):
    proc = subprocess.run(
        [*FINRISK, *args, "--out", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
    assert message in proc.stderr
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
    assert cell.execution_count is None and cell.outputs[0]["execution_count"] is None
    assert code_sha256(nb) == before  # outputs and metadata do not change the code hash
    cell.source += "\n# changed"
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
    assert render_notebook(failing, tmp_path / "scratch").status == "failed"
    assert failing.read_bytes() == original_failing


def test_discover_notebooks_is_numbered_and_sorted():
    found = discover_notebooks()
    names = [p.name for p in found]
    assert names == sorted(names) and names[:2] == [
        "00_data_tour.ipynb",
        "01_market_risk_price_forecasting_lstm.ipynb",
    ]
