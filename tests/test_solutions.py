"""Exercises and their worked solutions (issue 17): every notebook ends with three to five exercises graded
recall -> apply -> extend, each notebook has a solutions file with one section per exercise, the solutions are
stored without outputs (the teachers' copies are made by ``make solutions``), and every solution runs without
error, its ``assert``s included. Solutions execute with nbclient in a fresh kernel, working directory
``solutions/``, at most ``CELL_TIMEOUT`` seconds per cell (tests/solution_harness.py)."""

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from solution_harness import (
    LEVELS,
    discover_solutions,
    execute_solution,
    exercises,
    solution_for,
    solution_sections,
)

from finrisk_utils.workbench.runner import discover_notebooks

NOTEBOOKS = discover_notebooks()
SOLUTIONS = discover_solutions()


def test_there_are_solutions():
    assert len(SOLUTIONS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_ends_with_graded_exercises(path):
    """A ``## Exercises`` markdown cell with 3-5 items numbered 1, 2, ... and tagged **(recall)**, **(apply)**,
    **(extend)** in that order of difficulty (recall first, extend last), after every code cell but the final
    ``record_metrics`` one."""
    nb = nbformat.read(path, as_version=4)
    index, items = exercises(nb)
    assert index is not None, f"{path.name}: no '## Exercises' markdown cell"
    numbers, levels = [n for n, _ in items], [level for _, level in items]
    assert 3 <= len(items) <= 5, f"{path.name}: {len(items)} exercises tagged recall/apply/extend"
    assert numbers == list(range(1, len(items) + 1)), f"{path.name}: numbered {numbers}"
    ranks = [LEVELS.index(level) for level in levels]
    assert ranks == sorted(ranks) and levels[0] == "recall" and levels[-1] == "extend", levels
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    assert "record_metrics(" in nb.cells[code[-1]].source, "the last code cell records the metrics"
    assert len(code) < 2 or index > code[-2], (
        f"{path.name}: the exercises come after the notebook's last computation (before record_metrics)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_a_solutions_file_with_a_section_per_exercise(path):
    solution = solution_for(path)
    assert solution.exists(), f"missing {solution.relative_to(solution.parents[1])}"
    _, items = exercises(nbformat.read(path, as_version=4))
    sections = solution_sections(nbformat.read(solution, as_version=4))
    assert sections == [n for n, _ in items], (
        f"{solution.name}: sections {sections} for exercises {[n for n, _ in items]}"
    )


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_belongs_to_a_notebook_and_is_stored_clean(path):
    """No outputs, execution counts or run metadata (teachers hand out the notebooks; `make solutions` makes the
    executed copies); imports finrisk_utils and checks what it computes with asserts."""
    assert path.stem.removesuffix("_solutions") in {p.stem for p in NOTEBOOKS}, (
        f"{path.name} matches no notebook"
    )
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        assert cell.outputs == [] and cell.execution_count is None, (
            f"{path.name}: code cell {i} stores outputs (clear them)"
        )
        assert "execution" not in cell.metadata
    assert "papermill" not in nb.metadata
    source = "\n".join(c.source for c in code)
    assert "finrisk_utils" in source, f"{path.name} does not use finrisk_utils"
    assert "assert " in source, f"{path.name} checks nothing it computes"


@pytest.mark.solution  # make test executes the solutions in its parallel nbval step instead
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_runs(path):
    _, seconds = execute_solution(path)
    print(f"{path.name}: {seconds:.1f} s")
