"""Committed notebooks: rendered from the current code, clean, parameterized, and tested with names they define."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import nbformat
import pytest

from finrisk_utils.workbench.runner import (
    check_parameters,
    code_sha256,
    discover_notebooks,
    notebook_parameters,
)

sys.path.insert(0, str(Path(__file__).parent))
from notebook_harness import quick_parameters

NOTEBOOKS = discover_notebooks()
ABSOLUTE_PATH = re.compile(
    r"(/home/|/Users/|/root/|/tmp/|/work/|/private/|site-packages|[A-Za-z]:\\\\)"
)


def _outputs(nb):
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for out in cell.outputs:
                yield i, out


def _text(out) -> str:
    if out.output_type == "stream":
        return out.text
    if out.output_type == "error":
        return "\n".join(out.traceback)
    return "\n".join(
        v for k, v in out.get("data", {}).items() if k.startswith("text/") and isinstance(v, str)
    )


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def nb(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_parameters_cell_first_with_the_conventions(nb):
    path, book = nb
    code = [c for c in book.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), (
        "the first code cell must be tagged 'parameters'"
    )
    params = notebook_parameters(path)
    assert {"seed", "profile", "output_dir"} <= set(params)
    assert ast.literal_eval(params["profile"]["default"]) == "full"
    assert ast.literal_eval(params["output_dir"]["default"]) is None


def test_first_cell_states_question_and_runtime(nb):
    _, book = nb
    first = book.cells[0]
    assert first.cell_type == "markdown"
    assert "Question" in first.source and "Runtime" in first.source


def test_test_parameters_are_defined_by_the_notebook(nb):
    path, _ = nb
    check_parameters(path, quick_parameters(path.stem))


def test_outputs_are_from_the_current_code_in_the_full_profile(nb):
    _, book = nb
    meta = book.metadata.get("finrisk", {})
    assert meta.get("profile") == "full", "render it: make notebooks"
    assert meta.get("code_sha256") == code_sha256(book), (
        "code changed since its outputs were made: make notebooks"
    )
    assert any(_outputs(book)), "no outputs stored"


def test_no_errors_warnings_or_machine_paths_in_outputs(nb):
    _, book = nb
    for i, out in _outputs(book):
        assert out.output_type != "error", f"cell {i} stores an error"
        assert not (out.output_type == "stream" and out.name == "stderr"), (
            f"cell {i} stores stderr: {out.text[:200]}"
        )
        match = ABSOLUTE_PATH.search(_text(out))
        assert match is None, (
            f"cell {i} output leaks a machine path: {_text(out)[max(0, match.start() - 40) :][:120]}"
        )


def test_volatile_metadata_stripped(nb):
    _, book = nb
    assert "papermill" not in book.metadata
    count = 0
    for cell in book.cells:
        assert "execution" not in cell.metadata and "papermill" not in cell.metadata
        if cell.cell_type == "code":
            count += 1  # deterministic counts 1, 2, 3, ... so JupyterLab shows no cell as unrun
            assert cell.execution_count == count
            assert all(out.get("execution_count") in (None, count) for out in cell.outputs)
            assert "injected-parameters" not in cell.metadata.get("tags", [])
