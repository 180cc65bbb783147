"""Sweeps: grid expansion, validation before running, result collection, failure isolation, resume, a real
2-worker LocalCluster sweep, and the report built from it."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from finrisk_utils.workbench import sweep as sweep_module
from finrisk_utils.workbench.cli import main
from finrisk_utils.workbench.report import aggregate_over_seeds, build_report
from finrisk_utils.workbench.sweep import (
    SweepPlan,
    expand_grid,
    load_grid_file,
    metric,
    run_key,
    run_one,
    sweep,
    sweeps,
)

TINY = Path(__file__).parent / "fixtures" / "tiny.ipynb"


def test_expand_grid_and_errors():
    combos = expand_grid({"seed": [0, 1], "scale": [1.0, 2.0, 3.0]})
    assert (
        len(combos) == 6
        and combos[0] == {"seed": 0, "scale": 1.0}
        and combos[-1] == {"seed": 1, "scale": 3.0}
    )
    with pytest.raises(ValueError, match="grid is empty"):
        expand_grid({})
    with pytest.raises(ValueError, match="non-empty list"):
        expand_grid({"seed": []})
    with pytest.raises(ValueError, match="non-empty list"):
        expand_grid({"dataset": "sp500"})


def test_grid_file_and_run_key(tmp_path):
    f = tmp_path / "grid.yaml"
    f.write_text("seed: [0, 1]\nconfidence: 0.99\n")
    assert load_grid_file(f) == {"seed": [0, 1], "confidence": [0.99]}
    a, b = run_key({"seed": 1, "x": "a/b"}), run_key({"x": "a/b", "seed": 1})
    assert a == b and "/" not in a and a != run_key({"seed": 2, "x": "a/b"})


@pytest.mark.parametrize(
    "grid, match",
    [({"windw": [1]}, r"defines no parameter\(s\) \['windw'\]"), ({"seed": ["x"]}, "expects int")],
)
def test_bad_grid_rejected_before_anything_runs(tmp_path, grid, match):
    with pytest.raises(ValueError, match=match):
        sweep(TINY, grid, out=tmp_path, workers=1)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
    with pytest.raises(FileNotFoundError):
        sweep(tmp_path / "nope.ipynb", {"seed": [0]}, out=tmp_path)


def test_run_one_records_success_and_failure(tmp_path):
    ok = run_one(str(TINY), {"scale": 0.5}, "quick", str(tmp_path))
    bad = run_one(str(TINY), {"fail": True}, "quick", str(tmp_path))
    assert ok["status"] == "ok" and bad["status"] == "failed" and "asked to fail" in bad["error"]
    runs = sorted(p.name for p in tmp_path.iterdir())
    assert len(runs) == 2 and all((tmp_path / r / "run.json").exists() for r in runs)
    assert Path(bad["output_notebook"]).exists()  # the partial notebook is kept


def test_real_sweep_on_two_workers_with_failure_resume_and_report(tmp_path):
    calls = []
    grid = {"seed": [0, 1], "scale": [1.0, 2.0], "fail": [False]}
    table = sweep(TINY, grid, out=tmp_path, workers=2, progress=lambda *a: calls.append(a))
    assert len(table) == 4 and (table["status"] == "ok").all()
    assert sorted(table["metric:run.value"]) == [21.0, 21.0, 42.0, 42.0]
    assert (tmp_path / "results.csv").exists() and (tmp_path / "results.parquet").exists()
    assert pd.read_parquet(tmp_path / "results.parquet").shape[0] == 4
    assert calls[-1][:3] == (4, 0, 4)
    # one failing combination is recorded and does not stop the others
    table = sweep(
        TINY,
        {"seed": [0, 1], "scale": [1.0, 2.0], "fail": [False, True]},
        out=tmp_path,
        workers=2,
        resume=True,
        progress=lambda *a: calls.append(a),
    )
    assert calls[-1][2] == 4  # resume: only the 4 new (fail=True) combinations ran
    assert len(table) == 8 and (table["status"] == "failed").sum() == 4
    assert table.loc[table["status"] == "failed", "error"].str.contains("asked to fail").all()
    agg = aggregate_over_seeds(table, ["seed", "scale", "fail"])
    assert (
        agg.loc[(2.0, False), ("run.value", "mean")] == 42.0
        and agg.loc[(2.0, False), ("run.value", "count")] == 2
    )
    html = build_report(tmp_path)
    text = html.read_text()
    assert "Aggregated over seeds" in text and "data:image/png;base64" in text
    assert (tmp_path / "report.md").exists()


def test_cli_sweep_rejects_bad_input(tmp_path, capsys):
    """In-process through ``main``: the argument errors come before any kernel starts."""
    cases = [
        (["-p", "windw", "1"], "defines no parameter(s) ['windw']"),
        (["-p", "seed"], "needs at least one value"),
        ([], "grid is empty"),
    ]
    for args, message in cases:
        assert main(["sweep", str(TINY), *args, "--out", str(tmp_path)]) == 2, args
        assert message in capsys.readouterr().err, args
    assert not list(tmp_path.iterdir())  # nothing ran


def test_report_of_a_plain_run(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "finrisk_utils.workbench.cli",
            "run",
            str(TINY),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "tiny" in (tmp_path / "report.html").read_text()
    with pytest.raises(FileNotFoundError, match="neither a sweep"):
        build_report(tmp_path / "tiny")
    assert json.loads((tmp_path / "tiny" / "metrics.json").read_text())["run.value"] == 42.0


def test_sweep_of_explicit_combinations(tmp_path):
    table = sweep(
        TINY, [{"seed": 0, "scale": 1.0}, {"seed": 1, "scale": 3.0}], out=tmp_path, workers=1
    )
    assert sorted(table["metric:run.value"]) == [21.0, 63.0]
    with pytest.raises(ValueError, match="list of combinations is empty"):
        sweep(TINY, [], out=tmp_path)


def test_interrupt_keeps_finished_runs(tmp_path):
    def interrupt(done, failed, total, elapsed):
        raise KeyboardInterrupt  # what Ctrl-C raises in the loop that waits for results

    with pytest.raises(KeyboardInterrupt):
        sweep(TINY, {"seed": [0, 1, 2, 3]}, out=tmp_path, workers=1, progress=interrupt)
    table = pd.read_csv(tmp_path / "results.csv")
    assert 1 <= len(table) < 4 and (table["status"] == "ok").all()
    resumed = sweep(TINY, {"seed": [0, 1, 2, 3]}, out=tmp_path, workers=1, resume=True)
    assert len(resumed) == 4 and sorted(resumed["seed"]) == [0, 1, 2, 3]


def test_several_sweeps_run_as_one_engine_call(tmp_path, monkeypatch):
    """``sweeps``: every run of every plan is one task list on one engine call, started in plan order; each plan
    keeps its own folder, profile and results table; progress counts over all runs."""
    calls, engine = [], sweep_module.map_tasks

    def counted(fn, tasks, **kwargs):
        calls.append([(Path(t[0]).name, t[1], t[2]) for t in tasks])
        return engine(fn, tasks, **kwargs)

    monkeypatch.setattr(sweep_module, "map_tasks", counted)
    seen = []
    plans = [
        SweepPlan(TINY, {"seed": [0, 1]}, tmp_path / "a"),
        SweepPlan(TINY, [{"scale": 3.0}], tmp_path / "b", profile="full"),
    ]
    quick, full = sweeps(plans, workers=1, progress=lambda *a: seen.append(a))
    assert calls == [
        [
            ("tiny.ipynb", {"seed": 0}, "quick"),
            ("tiny.ipynb", {"seed": 1}, "quick"),
            ("tiny.ipynb", {"scale": 3.0}, "full"),
        ]
    ]
    assert seen[-1][:3] == (3, 0, 3)
    assert sorted(quick["seed"]) == [0, 1] and quick["metric:run.quick"].all()
    assert full["metric:run.value"].tolist() == [63.0] and not full["metric:run.quick"].any()
    for folder, profile, n in [("a", "quick", 2), ("b", "full", 1)]:
        assert json.loads((tmp_path / folder / "sweep.json").read_text())["profile"] == profile
        assert len(pd.read_csv(tmp_path / folder / "results.csv")) == n
    # resume over several plans: only the new combination runs
    again = sweeps([plans[0], SweepPlan(TINY, {"seed": [0, 2]}, tmp_path / "b2")], resume=True)
    assert calls[-1] == [("tiny.ipynb", {"seed": 0}, "quick"), ("tiny.ipynb", {"seed": 2}, "quick")]
    assert len(again[0]) == 2 and len(again[1]) == 2


def test_several_sweeps_are_checked_before_anything_runs(tmp_path):
    fresh = tmp_path / "fresh"
    with pytest.raises(ValueError, match="defines no parameter"):
        sweeps(
            [SweepPlan(TINY, {"seed": [0]}, fresh), SweepPlan(TINY, {"windw": [1]}, tmp_path / "x")]
        )
    with pytest.raises(ValueError, match="same folder"):
        sweeps([SweepPlan(TINY, {"seed": [0]}, fresh), SweepPlan(TINY, {"seed": [1]}, fresh)])
    assert not fresh.exists()  # neither error wrote anything
    with pytest.raises(TypeError, match="non-empty list of SweepPlan"):
        sweeps([])
    with pytest.raises(TypeError, match="non-empty list of SweepPlan"):
        sweeps(SweepPlan(TINY, {"seed": [0]}, fresh))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="every plan must be a SweepPlan"):
        sweeps([(TINY, {"seed": [0]}, fresh)])  # type: ignore[list-item]


def test_metric_column():
    table = pd.DataFrame({"seed": [0], "metric:lstm.rmse": [0.9]})
    assert metric(table, "lstm.rmse").tolist() == [0.9]
    with pytest.raises(KeyError, match="no metric 'auc'"):
        metric(table, "auc")


def _sweep_folder(path, notebook="tiny.ipynb", profile="quick"):
    """A sweep folder as `sweep` leaves it: its manifest and one finished run."""
    (path / "runs" / "seed=0__x").mkdir(parents=True)
    (path / "sweep.json").write_text(
        json.dumps({"notebook": notebook, "profile": profile, "parameters": ["seed"]})
    )
    record = {"key": "seed=0__x", "params": {"seed": 0}, "status": "ok", "error": None}
    (path / "runs" / "seed=0__x" / "run.json").write_text(
        json.dumps({**record, "duration_s": 1.0, "output_notebook": "x"})
    )
    return path


def test_sweep_refuses_a_folder_of_another_notebook_or_profile(tmp_path):
    out = _sweep_folder(tmp_path / "s")
    other = tmp_path / "other.ipynb"
    other.write_bytes(TINY.read_bytes())
    for resume in (True, False):
        with pytest.raises(
            ValueError, match=r"holds a sweep of tiny.ipynb \(quick profile\), not of other"
        ):
            sweep(other, {"seed": [0]}, out=out, resume=resume, workers=1)
        with pytest.raises(ValueError, match=r"not of tiny.ipynb \(full profile\)"):
            sweep(TINY, {"seed": [0]}, out=out, profile="full", resume=resume, workers=1)
    assert json.loads((out / "sweep.json").read_text())["notebook"] == "tiny.ipynb"  # untouched
    # runs with no manifest, a `finrisk run` folder, a file: refused as well
    bare = tmp_path / "bare"
    _sweep_folder(bare).joinpath("sweep.json").unlink()
    with pytest.raises(ValueError, match="holds runs but no sweep.json"):
        sweep(TINY, {"seed": [0]}, out=bare, resume=True)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "summary.csv").write_text("notebook\n")
    with pytest.raises(ValueError, match="is a 'finrisk run' folder"):
        sweep(TINY, {"seed": [0]}, out=tmp_path / "run")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(NotADirectoryError, match="sweep: out .*afile.* is a file"):
        sweep(TINY, {"seed": [0]}, out=tmp_path / "afile")
    for workers in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="sweep: workers must be a positive number"):
            sweep(TINY, {"seed": [0]}, out=tmp_path / "w", workers=workers)
    with pytest.raises(TypeError, match="a list grid must hold parameter dicts"):
        sweep(TINY, [0, 1], out=tmp_path / "w")
    with pytest.raises(TypeError, match="grid must be a mapping"):
        sweep(TINY, "seed", out=tmp_path / "w")
    assert not (tmp_path / "w").exists()


def test_duplicates_run_once_and_a_list_grid_resumes(tmp_path):
    totals = []
    table = sweep(
        TINY, {"seed": [0, 0]}, out=tmp_path, workers=1, progress=lambda *a: totals.append(a[2])
    )
    assert len(table) == 1 and totals == [1]  # the same combination given twice runs once
    record = json.loads(next((tmp_path / "runs").glob("*/run.json")).read_text())
    assert record["notebook"] == "tiny.ipynb" and record["profile"] == "quick"
    table = sweep(
        TINY,
        [{"seed": 0}, {"seed": 1}, {"seed": 1}],
        out=tmp_path,
        workers=1,
        resume=True,
        progress=lambda *a: totals.append(a[2]),
    )
    assert totals == [1, 1] and sorted(table["seed"]) == [0, 1]  # only seed 1 ran
    assert (table["status"] == "ok").all()
    spec = json.loads((tmp_path / "sweep.json").read_text())
    assert spec["notebook"] == "tiny.ipynb" and spec["profile"] == "quick"
    # 1 and "1" are different combinations, with different folders
    assert run_key({"seed": 1}) != run_key({"seed": "1"})


def test_report_of_a_sweep_with_no_finished_run(tmp_path, capsys):
    from finrisk_utils.workbench.cli import main

    (tmp_path / "sweep.json").write_text(
        json.dumps({"notebook": "tiny.ipynb", "profile": "quick", "parameters": ["seed"]})
    )
    pd.DataFrame().to_csv(tmp_path / "results.csv", index=False)  # what an interrupted sweep writes
    assert main(["report", str(tmp_path)]) == 0
    text = (tmp_path / "report.html").read_text()
    assert "no run finished" in text and "--resume" in text
    (tmp_path / "results.csv").unlink()
    assert "no run finished" in build_report(tmp_path).read_text()
    assert "no run finished" in (tmp_path / "report.md").read_text()


PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def test_sweep_report_escapes_parameters_metrics_and_errors(tmp_path):
    from html.parser import HTMLParser

    (tmp_path / "sweep.json").write_text(
        json.dumps({"notebook": "tiny.ipynb", "profile": "quick", "parameters": ["label", "seed"]})
    )
    pd.DataFrame(
        {
            "label": [PAYLOAD, PAYLOAD, "plain"],
            "seed": [0, 1, 0],
            "status": ["ok", "ok", "failed"],
            "error": [None, None, PAYLOAD],
            "duration_s": [1.0, 1.0, 1.0],
            "output_notebook": ["x", "x", "x"],
            "metric:run.value": [1.0, 2.0, None],
            "metric:run.label": [PAYLOAD, PAYLOAD, None],
        }
    ).to_csv(tmp_path / "results.csv", index=False)
    page = build_report(tmp_path).read_text()
    tags = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, dict(attrs)))

    Collect().feed(page)
    assert not [t for t, _ in tags if t == "script"]
    assert not [a for _, a in tags if any(k.startswith("on") for k in a)]
    assert all(a["src"].startswith("data:image/png;base64,") for t, a in tags if t == "img")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>" not in (tmp_path / "report.md").read_text()
