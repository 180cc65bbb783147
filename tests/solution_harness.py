"""The worked solutions of the notebooks' exercises (``solutions/NN_topic_solutions.ipynb``): find them, read each
notebook's ``## Exercises`` cell, and execute a solution.

Solutions are executed with nbclient in a fresh ``python3`` kernel (this environment's) whose working directory
is ``solutions/``, as when a teacher opens them there in JupyterLab; a cell may run at most ``CELL_TIMEOUT``
seconds. ``tests/test_solutions.py`` executes every solution this way (and fails on any error or failed
``assert``); ``make solutions`` runs ``python tests/solution_harness.py build/solutions``, which writes each
executed solution, with its outputs, into ``build/solutions/`` for teachers and prints its runtime.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS_DIR = ROOT / "solutions"
CELL_TIMEOUT = 300  # seconds per cell; a solution takes well under a minute on 2 free cores
LEVELS = ("recall", "apply", "extend")
EXERCISE = re.compile(r"^\s*(\d+)\.\s+\*\*\((recall|apply|extend)\)\*\*", re.MULTILINE)
SECTION = re.compile(r"^##\s+Exercise\s+(\d+)\b", re.MULTILINE)

for key, value in {
    "MPLBACKEND": "Agg",
    "CUDA_VISIBLE_DEVICES": "",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}.items():
    os.environ.setdefault(key, value)


def discover_solutions() -> list[Path]:
    """Every ``solutions/*_solutions.ipynb``, sorted."""
    return sorted(SOLUTIONS_DIR.glob("*_solutions.ipynb"))


def solution_for(notebook: Path) -> Path:
    """The solutions file of ``notebooks/NN_topic.ipynb``: ``solutions/NN_topic_solutions.ipynb``."""
    return SOLUTIONS_DIR / f"{notebook.stem}_solutions.ipynb"


def exercises(notebook: nbformat.NotebookNode) -> tuple[int | None, list[tuple[int, str]]]:
    """Index of the notebook's ``## Exercises`` markdown cell (None if it has none) and its numbered items as
    ``(number, level)``, level one of recall / apply / extend."""
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## Exercises"):
            return i, [(int(n), level) for n, level in EXERCISE.findall(cell.source)]
    return None, []


def solution_sections(solution: nbformat.NotebookNode) -> list[int]:
    """Numbers of the ``## Exercise N`` sections of a solutions notebook, in order."""
    return [
        int(n)
        for cell in solution.cells
        if cell.cell_type == "markdown"
        for n in SECTION.findall(cell.source)
    ]


def execute_solution(
    path: Path, timeout: int = CELL_TIMEOUT
) -> tuple[nbformat.NotebookNode, float]:
    """Execute the solution at ``path`` (working directory ``solutions/``); returns the executed notebook and
    its wall-clock runtime in seconds. Raises ``CellExecutionError`` on an error or a failed ``assert``."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(SOLUTIONS_DIR)}},
    )
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def main(dest: str) -> int:
    """Execute every solution into ``dest`` (with outputs); print each runtime; non-zero if any failed."""
    out = Path(dest)
    out.mkdir(parents=True, exist_ok=True)
    failed = []
    for path in discover_solutions():
        try:
            nb, seconds = execute_solution(path)
        except CellExecutionError as err:
            failed.append(path.name)
            print(f"FAILED {path.name}: {str(err).strip().splitlines()[-1]}", flush=True)
            continue
        nbformat.write(nb, out / path.name)
        print(f"{seconds:6.1f} s  {path.name} -> {out / path.name}", flush=True)
    if failed:
        print(f"{len(failed)} solution(s) failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/solutions"))
