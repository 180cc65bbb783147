"""Shared by the Makefile's nbval step and the notebook tests: test parameters and prepared copies.

``python tests/notebook_harness.py build/nbval`` writes, for every notebook, a copy with the quick-profile test
parameters injected (``papermill --prepare-only``) and ``output_dir`` pointing at ``build/nbval/<stem>/``;
``pytest --nbval-lax`` then executes the copies and compares the ``# NBVAL_CHECK_OUTPUT`` cells with the
committed outputs, and the metric tests read the ``metrics.json`` that this same execution wrote.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import papermill as pm
import yaml

from finrisk_utils.workbench.runner import check_parameters, discover_notebooks

CONFIG_FILE = Path(__file__).with_name("notebooks.yaml")


def load_config() -> dict[str, dict]:
    return yaml.safe_load(CONFIG_FILE.read_text())


def quick_parameters(stem: str) -> dict[str, object]:
    """The quick-profile parameters a test injects into notebook ``stem`` (without ``output_dir``)."""
    return {**load_config()[stem].get("parameters", {}), "profile": "quick"}


def _number_cells(path: Path) -> None:
    """Committed notebooks have the counts 1, 2, 3, ... of one straight run, but the prepared copy has the
    injected-parameters cell more (nbval treats a cell with outputs but no count as "unrun" and fails it), so
    its code cells are renumbered in order, their results with them."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for count, cell in enumerate(code, start=1):
        cell.execution_count = count
        for out in cell.outputs:
            if "execution_count" in out:
                out["execution_count"] = count
    nbformat.write(nb, path)


def prepare(dest: Path) -> list[Path]:
    """Write prepared copies of every notebook into ``dest`` (emptied first, so no stale metrics survive)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    prepared = []
    for nb in discover_notebooks():
        params = quick_parameters(nb.stem)
        check_parameters(nb, params)
        params["output_dir"] = str((dest / nb.stem).resolve())
        out = dest / nb.name
        pm.execute_notebook(
            str(nb), str(out), parameters=params, prepare_only=True, progress_bar=False
        )
        _number_cells(out)
        prepared.append(out)
    return prepared


if __name__ == "__main__":
    for path in prepare(Path(sys.argv[1] if len(sys.argv) > 1 else "build/nbval")):
        print(f"prepared {path}")
