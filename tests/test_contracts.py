"""Contracts of the house: the import rule (layers and independent risk domains), notebooks paired with their
text scripts, and one public re-export list per package."""

from __future__ import annotations

import ast
import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "finrisk_utils"
SUBPACKAGES = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))


def _lint_imports() -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a dev dependency: install with pip install -e '.[dev]'"
    return subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)


def test_import_contract_is_kept():
    """pyproject.toml's [tool.importlinter] layers: core < data < models < forecasting < domains < workbench."""
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_import_contract_catches_a_domain_importing_another(tmp_path):
    """The contract is not vacuous: a copy of the package where market imports credit breaks it."""
    copy = tmp_path / "repo"
    shutil.copytree(PACKAGE, copy / "finrisk_utils", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / "finrisk_utils" / "market" / "riskmeasures.py"
    target.write_text(target.read_text() + "\nfrom finrisk_utils.credit import metrics  # noqa\n")
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    env = {"PYTHONPATH": str(copy), "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run([exe, "--no-cache"], cwd=copy, capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "finrisk_utils.credit" in result.stdout


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_each_subpackage_reexports_exactly_its_modules_public_names(name):
    """A package's ``__all__`` is the union of its modules' ``__all__`` (workbench: ``outputs`` only, the rest
    imports papermill and Dask on demand); every name resolves."""
    pkg = importlib.import_module(f"finrisk_utils.{name}")
    modules = sorted(p.stem for p in (PACKAGE / name).glob("*.py") if p.stem != "__init__")
    if name == "workbench":
        modules = ["outputs"]
    expected: set[str] = set()
    for module in modules:
        mod = importlib.import_module(f"finrisk_utils.{name}.{module}")
        assert hasattr(mod, "__all__"), f"finrisk_utils.{name}.{module} has no __all__"
        clash = expected & set(mod.__all__)
        assert not clash, f"{sorted(clash)} exported twice in finrisk_utils.{name}"
        expected |= set(mod.__all__)
    assert set(pkg.__all__) == expected
    for public in pkg.__all__:
        assert getattr(pkg, public) is not None


def test_no_module_imports_a_private_name_from_another():
    """Private helpers (leading underscore) stay in their module: shared code is public and lives below."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("finrisk_utils"):
                offenders += [
                    f"{path.relative_to(ROOT)}: {a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    assert not offenders, offenders


def test_notebooks_are_paired_with_their_scripts_and_in_sync():
    """notebooks/py/NN_topic.py (jupytext percent format) holds the same cells as notebooks/NN_topic.ipynb."""
    jupytext = pytest.importorskip("jupytext")
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    scripts = sorted((ROOT / "notebooks" / "py").glob("*.py"))
    assert [p.stem for p in notebooks] == [p.stem for p in scripts]
    for nb_path, py_path in zip(notebooks, scripts, strict=True):
        nb = jupytext.read(nb_path)
        script = jupytext.read(py_path)
        ours = [(c.cell_type, c.source.strip()) for c in nb.cells]
        theirs = [(c.cell_type, c.source.strip()) for c in script.cells]
        assert ours == theirs, f"{nb_path.name} and {py_path.name} differ: run jupytext --sync"


def test_every_subpackage_is_a_known_layer_or_domain():
    """The list the contracts iterate comes from the folders, so a new subpackage cannot escape them."""
    assert {"core", "data", "models", "forecasting", "market", "workbench"} <= set(SUBPACKAGES)
    assert len(SUBPACKAGES) >= 13


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_readme_floor_plan_names_every_module(name):
    """The README's floor plan (the finrisk_utils/ tree) lists every subpackage and, on its lines, every module
    in it: a newcomer finds where anything lives there."""
    text = (ROOT / "README.md").read_text()
    tree = text[text.index("finrisk_utils/\n  core/") : text.index("\nnotebooks/ ")]
    blocks = re.split(r"\n  (?=[a-z]+/ )", tree)
    block = next((b for b in blocks if b.startswith(f"{name}/ ")), None)
    assert block is not None, f"README floor plan has no line for {name}/"
    modules = sorted(p.stem for p in (PACKAGE / name).glob("*.py") if p.stem != "__init__")
    words = set(re.findall(r"[a-z_]+", block))
    missing = [m for m in modules if m not in words]
    assert not missing, f"README floor plan, {name}/: modules {missing} are not named"


def test_py_typed_marker_ships():
    assert (PACKAGE / "py.typed").is_file()


def test_importing_the_package_loads_no_heavy_library():
    """Every kernel, sweep worker and CLI process imports ``finrisk_utils``: ``finrisk_utils.core`` loads its
    modules on first use, so that importing the package (or ``record_metrics``) loads neither matplotlib, nor
    scipy.stats, nor scikit-learn, nor TensorFlow (2 s a process when it did)."""
    code = (
        "import sys; from finrisk_utils import record_metrics, setup; "
        "print(sorted(m for m in ('matplotlib', 'scipy.stats', 'sklearn', 'tensorflow') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_core_resolves_names_and_modules_on_first_use():
    import finrisk_utils.core as core

    assert core.save_figure is importlib.import_module("finrisk_utils.core.plotting").save_figure
    assert core.descriptive is importlib.import_module("finrisk_utils.core.descriptive")
    assert set(core.__all__) <= set(dir(core))
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = core.nope
