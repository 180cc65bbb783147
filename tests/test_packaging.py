"""environment.yml (conda) lists the same direct dependencies, with the same lower bounds, as pyproject.toml."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _normalise(req: str) -> str:
    return re.sub(r"\s+", "", req).replace('"', "'").lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {
        _normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]
    }
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            listed |= {_normalise(r) for r in dep["pip"]}
        elif not dep.startswith(("python", "pip")) or dep.startswith("python-"):
            listed.add(_normalise(dep))
    assert listed == wanted, (
        f"only in environment.yml: {listed - wanted}; only in pyproject: {wanted - listed}"
    )


def test_keras_floor_excludes_the_unsafe_releases():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "keras>=3.13.1" in deps


def test_make_notebooks_renders_each_notebook_in_its_committed_profile():
    """`make notebooks` renders in the quick profile exactly the notebooks tests/notebooks.yaml commits in it."""
    makefile = (Path(__file__).parents[1] / "Makefile").read_text()
    listed = re.search(r"^QUICK_RENDERED :=(.*)$", makefile, re.M)
    assert listed, "Makefile defines no QUICK_RENDERED"
    config = yaml.safe_load((Path(__file__).with_name("notebooks.yaml")).read_text())
    quick = {
        f"notebooks/{stem}.ipynb"
        for stem, e in config.items()
        if e.get("render_profile") == "quick"
    }
    assert set(listed.group(1).split()) == quick
