"""Shared test set-up: headless plotting, no GPU, quiet TensorFlow; the ``run_dir`` fixture that every notebook
test file uses (``@pytest.mark.parametrize("run_dir", ["NN_topic"], indirect=True)``)."""

import math
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from notebook_harness import load_config, notebook_of, quick_parameters

from finrisk_utils.workbench.runner import execute_notebook

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

collect_ignore = ["fixtures"]


NBVAL_DIR = Path(__file__).resolve().parents[1] / "build" / "nbval"


def _fresh_nbval_output(stem: str) -> Path | None:
    out, prepared = NBVAL_DIR / stem, NBVAL_DIR / f"{stem}.ipynb"
    metrics = out / "metrics.json"
    if (
        prepared.exists()
        and metrics.exists()
        and metrics.stat().st_mtime > prepared.stat().st_mtime
    ):
        return out
    return None


@pytest.fixture(scope="module")
def run_dir(request, tmp_path_factory):
    """Folder holding the quick run's metrics.json and figures for run ``request.param`` (a notebook stem, or
    ``<stem>__<variant>`` for a variant of tests/notebooks.yaml)."""
    stem = request.param
    found = _fresh_nbval_output(stem)
    if found is not None:
        return found
    notebook = notebook_of(stem)
    params = {k: v for k, v in quick_parameters(stem).items() if k != "profile"}
    root = tmp_path_factory.mktemp(stem)
    run = execute_notebook(
        Path("notebooks") / f"{notebook}.ipynb",
        root,
        profile="quick",
        parameters=params,
        html=False,
        timeout_s=load_config()[notebook]["timeout"],
    )
    assert run.status == "ok", run.error
    return root / notebook


def finite(x) -> bool:
    """A real, finite number (not a bool): what a computed metric must be."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
