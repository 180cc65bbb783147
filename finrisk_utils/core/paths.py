"""Repository paths, resolved from the installed package (editable install: the checkout)."""

from pathlib import Path

__all__ = ["DATA_DIR", "NOTEBOOKS_DIR", "PACKAGE_DIR", "REPO_ROOT", "RUNS_DIR"]

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = PACKAGE_DIR.parent
DATA_DIR = REPO_ROOT / "data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
RUNS_DIR = REPO_ROOT / "runs"
