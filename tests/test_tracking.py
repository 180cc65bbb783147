"""MLflow tracking of `finrisk run` and `finrisk sweep`, read back through the MLflow client; tracking that
fails warns and keeps the run's files; the MLflow UI serves the store over its REST API."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("mlflow", reason="mlflow is not installed (pip install -e '.[dev]')")

from mlflow import MlflowClient

from finrisk_utils.workbench.cli import main
from finrisk_utils.workbench.tracking import (
    TRACKING_FILE,
    default_tracking_uri,
    resolve_tracking_uri,
    ui_command,
)

FIXTURES = Path(__file__).parent / "fixtures"
TINY, FAILING = FIXTURES / "tiny.ipynb", FIXTURES / "failing.ipynb"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One temporary store holding a 2-notebook run (one failing) and a 2-combination sweep, resumed once."""
    mp = pytest.MonkeyPatch()
    mp.delenv("FINRISK_NO_TRACK", raising=False)
    mp.delenv("MLFLOW_TRACKING_URI", raising=False)
    root = tmp_path_factory.mktemp("tracking")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    run_out, sweep_out = root / "run", root / "sweep"
    codes = {
        "run": main(
            ["run", str(TINY), str(FAILING), "--workers", "2", "--out", str(run_out)]
            + ["--tracking-uri", uri, "-p", "seed", "3"]
        ),
        "sweep": main(
            ["sweep", str(TINY), "-p", "seed", "0", "1", "--workers", "2", "--out", str(sweep_out)]
            + ["--tracking-uri", uri, "--experiment", "sweeps"]
        ),
        "resume": main(
            ["sweep", str(TINY), "-p", "seed", "0", "1", "2", "--workers", "1", "--resume"]
            + ["--out", str(sweep_out), "--tracking-uri", uri, "--experiment", "sweeps"]
        ),
    }
    yield {"uri": uri, "root": root, "run": run_out, "sweep": sweep_out, "codes": codes}
    mp.undo()


def _children(client, parent):
    exp = client.get_run(parent).info.experiment_id
    runs = client.search_runs([exp], filter_string=f"tags.mlflow.parentRunId = '{parent}'")
    return {r.info.run_name: r for r in runs}


def test_run_is_a_parent_with_one_child_per_notebook(store):
    assert store["codes"]["run"] == 1  # the failing notebook fails the command, as without tracking
    client = MlflowClient(store["uri"])
    parent = json.loads((store["run"] / TRACKING_FILE).read_text())["parent_run_id"]
    top = client.get_run(parent)
    assert top.info.status == "FAILED" and top.data.tags["finrisk.command"] == "run"
    assert len(top.data.tags["mlflow.source.git.commit"]) == 40
    assert {a.path for a in client.list_artifacts(parent)} >= {"report.html", "summary.csv"}
    children = _children(client, parent)
    assert set(children) == {"tiny", "failing"}
    tiny, failing = children["tiny"], children["failing"]
    assert tiny.info.status == "FINISHED" and failing.info.status == "FAILED"
    assert tiny.data.params == {"seed": "3", "profile": "quick"}
    assert tiny.data.metrics["run.value"] == 42.0 and tiny.data.metrics["finrisk.duration_s"] > 0
    assert tiny.data.tags["run.label"] == "tiny" and tiny.data.tags["run.quick"] == "true"
    assert tiny.data.tags["profile"] == "quick" and tiny.data.tags["finrisk.keras_backend"]
    assert len(tiny.data.tags["mlflow.source.git.commit"]) == 40
    assert "deliberate failure" in failing.data.tags["finrisk.error"]
    artifacts = {a.path for a in client.list_artifacts(tiny.info.run_id)}
    assert {"tiny.ipynb", "tiny.html", "metrics.json", "manifest.json"} <= artifacts
    local = client.download_artifacts(tiny.info.run_id, "metrics.json", str(store["root"]))
    assert json.loads(Path(local).read_text())["run.value"] == 42.0
    assert {a.path for a in client.list_artifacts(failing.info.run_id)} >= {"failing.ipynb"}


def test_sweep_is_a_parent_with_its_combinations_as_children_and_resume_adds_to_it(store):
    assert store["codes"]["sweep"] == 0 and store["codes"]["resume"] == 0
    client = MlflowClient(store["uri"])
    exp = client.get_experiment_by_name("sweeps")
    assert exp is not None
    parents = client.search_runs(
        [exp.experiment_id], filter_string="tags.`finrisk.command` = 'sweep'"
    )
    assert len(parents) == 1  # the resumed sweep added to the same parent
    parent = parents[0]
    assert (
        parent.data.params["notebook"] == "tiny.ipynb" and parent.data.params["profile"] == "quick"
    )
    assert {a.path for a in client.list_artifacts(parent.info.run_id)} >= {
        "results.csv",
        "report.html",
        "sweep.json",
    }
    children = _children(client, parent.info.run_id)
    assert len(children) == 3  # seeds 0, 1 and (resumed) 2, each once
    seeds = sorted(int(r.data.params["seed"]) for r in children.values())
    assert seeds == [0, 1, 2]
    for r in children.values():
        assert r.info.status == "FINISHED" and r.data.metrics["run.value"] == 42.0
        paths = {a.path for a in client.list_artifacts(r.info.run_id)}
        assert {"tiny.ipynb", "metrics.json", "run.json"} <= paths


def test_unreachable_store_warns_and_keeps_the_run(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FINRISK_NO_TRACK", raising=False)
    port = _free_port()  # nothing listens there
    code = main(
        ["run", str(TINY), "--out", str(tmp_path), "--tracking-uri", f"http://127.0.0.1:{port}"]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "warning: tracking failed" in err and "files are complete" in err
    assert (tmp_path / "tiny" / "metrics.json").exists() and (tmp_path / "report.html").exists()


def test_tracking_uri_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert resolve_tracking_uri() == default_tracking_uri()
    assert default_tracking_uri().startswith("sqlite:///") and default_tracking_uri().endswith(
        "runs/mlflow.db"
    )
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking:5000")
    assert resolve_tracking_uri() == "http://tracking:5000"
    assert resolve_tracking_uri("sqlite:////x.db") == "sqlite:////x.db"
    with pytest.raises(ValueError, match="--tracking-uri is empty"):
        resolve_tracking_uri(" ")
    cmd = ui_command(f"sqlite:///{tmp_path / 'm.db'}", port=5123)
    assert cmd[1:4] == ["-m", "mlflow", "ui"] and "5123" in cmd and "--default-artifact-root" in cmd
    assert cmd[-2:] == ["--workers", "1"]
    assert ui_command(f"sqlite:///{tmp_path / 'm.db'}", workers=3)[-2:] == ["--workers", "3"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, data: dict | None = None) -> dict:
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        text = resp.read().decode()
    return json.loads(text) if text.strip().startswith("{") else {"text": text}


def test_ui_serves_the_store_over_its_rest_api(store):
    port = _free_port()
    proc = subprocess.Popen(
        ui_command(store["uri"], port=port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/health")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode()[-500:] if proc.poll() is not None else ""
                    print(f"SKIPPED: the MLflow UI did not start within 90 s: {err}")
                    pytest.skip(f"the MLflow UI did not start within 90 s: {err}")
                time.sleep(1)
        exps = _get(f"{base}/api/2.0/mlflow/experiments/search", {"max_results": 100})
        names = {e["name"] for e in exps["experiments"]}
        assert {"finrisk", "sweeps"} <= names
        exp_id = next(e["experiment_id"] for e in exps["experiments"] if e["name"] == "finrisk")
        runs = _get(f"{base}/api/2.0/mlflow/runs/search", {"experiment_ids": [exp_id]})["runs"]
        by_name = {r["info"]["run_name"]: r for r in runs}
        assert {"tiny", "failing"} <= set(by_name)
        metrics = {m["key"]: m["value"] for m in by_name["tiny"]["data"]["metrics"]}
        assert metrics["run.value"] == 42.0
        run_id = by_name["tiny"]["info"]["run_id"]
        listed = _get(f"{base}/api/2.0/mlflow/artifacts/list?run_id={run_id}")
        assert "tiny.html" in {f["path"] for f in listed["files"]}
        with urllib.request.urlopen(
            f"{base}/get-artifact?path=metrics.json&run_uuid={run_id}", timeout=10
        ) as resp:
            assert json.loads(resp.read())["run.value"] == 42.0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
