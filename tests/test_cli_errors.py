"""Every bad input of the ``finrisk`` command is one line on stderr and exit status 2 (usage) or 1, never a
traceback. In-process through ``main([...])`` (fast); one subprocess check that nothing else is printed."""

import subprocess
import sys
from pathlib import Path

import pytest

from finrisk_utils.workbench.cli import main

TINY = Path(__file__).parent / "fixtures" / "tiny.ipynb"


def _run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.err


def _assert_one_line(err, command, *fragments):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"finrisk {command}: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], err


@pytest.fixture
def afile(tmp_path):
    path = tmp_path / "afile"
    path.write_text("x")
    return path


def test_run_broken_list_literal(capsys, tmp_path):
    code, err = _run(capsys, "run", str(TINY), "-p", "seed", "[1, 6", "--out", str(tmp_path))
    assert code == 2
    _assert_one_line(err, "run", "-p seed", "'[1, 6'", "list literal")
    assert not (tmp_path / "summary.csv").exists()


def test_sweep_broken_list_literal(capsys, tmp_path):
    code, err = _run(capsys, "sweep", str(TINY), "-p", "seed", "0", "[1, 6", "--out", str(tmp_path))
    assert code == 2
    _assert_one_line(err, "sweep", "-p seed", "'[1, 6'")


def test_sweep_missing_grid_file(capsys, tmp_path):
    missing = tmp_path / "nothing.yaml"
    code, err = _run(capsys, "sweep", str(TINY), "-f", str(missing), "--out", str(tmp_path / "o"))
    assert code == 2
    _assert_one_line(err, "sweep", "grid file not found", "nothing.yaml")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "is empty"),
        ("# only a comment\n", "is empty"),
        ("[1, 2]\n", "expected a mapping"),
        ("seed: [0, 1\n", "not valid YAML"),
        ("seed: []\n", "parameter 'seed' needs a value"),
    ],
)
def test_sweep_bad_grid_file(capsys, tmp_path, text, fragment):
    grid = tmp_path / "grid.yaml"
    grid.write_text(text)
    code, err = _run(capsys, "sweep", str(TINY), "-f", str(grid), "--out", str(tmp_path / "o"))
    assert code == 2
    _assert_one_line(err, "sweep", "grid.yaml", fragment)
    assert not (tmp_path / "o").exists()


def test_run_out_is_a_file(capsys, afile):
    code, err = _run(capsys, "run", str(TINY), "--out", str(afile))
    assert code == 2
    _assert_one_line(err, "run", "--out", "afile", "is not a folder")
    code, err = _run(capsys, "run", str(TINY), "--out", str(afile / "sub"))
    assert code == 2
    _assert_one_line(err, "run", "is a file")


def test_sweep_out_is_a_file(capsys, afile):
    code, err = _run(capsys, "sweep", str(TINY), "-p", "seed", "0", "--out", str(afile))
    assert code == 2
    _assert_one_line(err, "sweep", "out", "afile", "is a file")
    assert afile.read_text() == "x"


@pytest.mark.parametrize("workers", ["-1", "0", "two"])
def test_sweep_bad_workers(capsys, tmp_path, workers):
    code, err = _run(
        capsys, "sweep", str(TINY), "-p", "seed", "0", "--workers", workers, "--out", str(tmp_path)
    )
    assert code == 2
    _assert_one_line(err, "sweep", "--workers", repr(workers))


def test_sweep_unreachable_scheduler(capsys, tmp_path):
    out = tmp_path / "o"
    code, err = _run(
        capsys,
        "sweep",
        str(TINY),
        "-p",
        "seed",
        "0",
        "--scheduler",
        "tcp://127.0.0.1:1",
        "--out",
        str(out),
    )
    assert code == 1
    _assert_one_line(err, "sweep", "cannot reach the Dask scheduler", "tcp://127.0.0.1:1")
    assert not out.exists() or not any(
        out.iterdir()
    )  # nothing written for a sweep that never started


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_none_for_an_int_parameter(capsys, tmp_path, command):
    code, err = _run(capsys, command, str(TINY), "-p", "seed", "None", "--out", str(tmp_path))
    assert code == 2
    _assert_one_line(err, command, "parameter 'seed' expects int", "None")


def test_parameter_given_twice(capsys, tmp_path):
    code, err = _run(
        capsys, "run", str(TINY), "-p", "seed", "1", "-p", "seed", "2", "--out", str(tmp_path)
    )
    assert code == 2
    _assert_one_line(err, "run", "['seed'] given more than once")
    code, err = _run(
        capsys, "sweep", str(TINY), "-p", "seed", "1", "-p", "seed", "2", "--out", str(tmp_path)
    )
    assert code == 2
    _assert_one_line(err, "sweep", "'seed' given more than once")


def test_same_notebook_twice_in_one_run(capsys, tmp_path):
    code, err = _run(capsys, "run", str(TINY), str(TINY), "--out", str(tmp_path))
    assert code == 2
    _assert_one_line(err, "run", "['tiny'] given twice")


def test_missing_or_broken_notebook(capsys, tmp_path):
    code, err = _run(capsys, "run", str(tmp_path / "nope.ipynb"), "--out", str(tmp_path))
    assert code == 2
    _assert_one_line(err, "run", "notebook(s) not found", "nope.ipynb")
    code, err = _run(
        capsys, "sweep", str(tmp_path / "nope.ipynb"), "-p", "seed", "0", "--out", str(tmp_path)
    )
    assert code == 2
    _assert_one_line(err, "sweep", "notebook not found", "nope.ipynb")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    code, err = _run(capsys, "run", str(broken), "--out", str(tmp_path / "o"))
    assert code == 2
    _assert_one_line(err, "run", "cannot read", "broken.ipynb", "as a notebook")
    text = tmp_path / "notes.txt"
    text.write_text("x")
    code, err = _run(capsys, "run", str(text), "--out", str(tmp_path / "o"))
    assert code == 2
    _assert_one_line(err, "run", "notes.txt", "not a notebook")


def test_report_of_a_missing_or_unrelated_folder(capsys, tmp_path):
    code, err = _run(capsys, "report", str(tmp_path / "nowhere"))
    assert code == 2
    _assert_one_line(err, "report", "nowhere", "is not a folder")
    code, err = _run(capsys, "report", str(tmp_path))
    assert code == 2
    _assert_one_line(err, "report", "holds neither a sweep")
    (tmp_path / "sweep.json").write_text("{broken")
    code, err = _run(capsys, "report", str(tmp_path))
    assert code == 2
    _assert_one_line(err, "report", "sweep.json is unreadable")


def test_bad_option_is_one_line(capsys):
    code, err = _run(capsys, "run", "--profile", "huge")
    assert code == 2
    _assert_one_line(err, "run", "--profile", "'huge'", "--help")


def test_subprocess_prints_one_line_and_no_traceback(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "finrisk_utils.workbench.cli",
            "sweep",
            str(TINY),
            "-p",
            "seed",
            "[1, 6",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "finrisk sweep: -p seed: cannot read '[1, 6' as a list literal: '[' was never closed"
    ]
