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
from notebook_harness import load_config, quick_parameters

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
    """Committed outputs come from the current code, in the full profile, unless tests/notebooks.yaml names
    another ``render_profile`` with a ``render_reason`` (which the notebook's first cell states too)."""
    path, book = nb
    entry = load_config()[path.stem]
    expected = entry.get("render_profile", "full")
    if expected != "full":
        assert entry.get("render_reason"), (
            f"{path.stem}: render_profile {expected} needs a render_reason"
        )
        assert f"{expected} profile" in book.cells[0].source, (
            "the first cell must say which profile"
        )
    meta = book.metadata.get("finrisk", {})
    assert meta.get("profile") == expected, (
        f"render it: finrisk render --profile {expected} {path.name}"
    )
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


# Readings are computed: a decimal number in a markdown cell must be a cited literature figure (an author-year
# citation or a table of a paper in the same sentence), a fixed setting of the method, or listed here with why.
# Run-dependent numbers and verdicts belong in code output (e.g. Markdown built from the comparison result).
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
CITATION = re.compile(
    r"([A-Z][A-Za-z\u00e9\u00f6\u00fc-]+(?: et al\.| and [A-Z][a-z]+)?,? \(?(?:19|20)\d\d[a-z]?\)?)"
    r"|Table \d"
    r"|\*\*Reference\b"  # the reference figures an issue quotes for the same data, reproduced by the tests
    r"|\*\*Runtime\*\*"  # measured at the last render (README and first cell)
)
FIXED_SETTINGS = {
    "0.94",  # RiskMetrics EWMA decay
    "0.0609",  # Diebold-Li lambda (months)
    "0.5",  # dropout, shares and 1/2 in formulas
    "0.05",
    "0.01",
    "0.025",
    "0.975",
    "97.5",  # the FRTB ES level in percent (BCBS 2019)
    "0.99",
    "0.95",
    "0.1",
    "0.9",
    "0.2",
    "0.8",
    "1.0",
    "2.0",
    "2.5",  # expected 99% VaR exceptions in 250 days
    "0.77",  # notebook 03: the AUC goal set for the credit network before the run
    "0.17",  # notebook 03: the Brier goal set for the credit network before the run
}


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z*(])|\n\s*\n|\n(?=[-*|#])", text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_markdown_states_no_uncited_run_dependent_numbers(path):
    book = nbformat.read(path, as_version=4)
    offenders = []
    for i, cell in enumerate(book.cells):
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"\$[^$]*\$", "", cell.source)  # maths is method, not a result
        for sentence in _sentences(text):
            numbers = [n for n in DECIMAL.findall(sentence) if n not in FIXED_SETTINGS]
            if numbers and not CITATION.search(sentence):
                offenders.append(f"cell {i}: {numbers} in {sentence.strip()[:160]!r}")
    assert not offenders, "uncited decimals in markdown (compute them):\n" + "\n".join(offenders)
