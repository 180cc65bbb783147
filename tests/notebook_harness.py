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


VARIANT_SEP = "__"


def run_stems() -> list[str]:
    """Every test run of the nbval step: each notebook's stem, and ``<stem>__<variant>`` for each of its
    ``variants`` in tests/notebooks.yaml (extra quick runs with other parameters)."""
    return [
        name
        for stem, entry in load_config().items()
        for name in [stem, *(f"{stem}{VARIANT_SEP}{v}" for v in entry.get("variants", {}))]
    ]


def notebook_of(run_stem: str) -> str:
    """The notebook stem of a run stem (``"02_x__fx"`` -> ``"02_x"``)."""
    return run_stem.split(VARIANT_SEP)[0]


def quick_parameters(run_stem: str) -> dict[str, object]:
    """The quick-profile parameters a test injects into a run (without ``output_dir``): the notebook's
    ``parameters``, then the variant's."""
    entry = load_config()[notebook_of(run_stem)]
    variant = run_stem.partition(VARIANT_SEP)[2]
    extra = entry["variants"][variant] if variant else {}
    return {**entry.get("parameters", {}), **extra, "profile": "quick"}


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


def _drop_output_checks(path: Path) -> None:
    """A variant runs on other parameters, so its outputs cannot match the committed ones: its cells lose the
    ``# NBVAL_CHECK_OUTPUT`` marker (nbval-lax then only checks that every cell runs)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = "\n".join(
                line for line in cell.source.splitlines() if line.strip() != "# NBVAL_CHECK_OUTPUT"
            )
    nbformat.write(nb, path)


def prepare(dest: Path) -> list[Path]:
    """Write prepared copies of every run (:func:`run_stems`) into ``dest`` (emptied first, so no stale metrics
    survive)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    notebooks = {nb.stem: nb for nb in discover_notebooks()}
    prepared = []
    for run_stem in run_stems():
        nb = notebooks[notebook_of(run_stem)]
        params = quick_parameters(run_stem)
        check_parameters(nb, params)
        params["output_dir"] = str((dest / run_stem).resolve())
        out = dest / f"{run_stem}.ipynb"
        pm.execute_notebook(
            str(nb), str(out), parameters=params, prepare_only=True, progress_bar=False
        )
        _number_cells(out)
        if run_stem != nb.stem:
            _drop_output_checks(out)
        prepared.append(out)
    return prepared


if __name__ == "__main__":
    for path in prepare(Path(sys.argv[1] if len(sys.argv) > 1 else "build/nbval")):
        print(f"prepared {path}")
