import json

import numpy as np
import pytest

from finrisk_utils import record_metrics
from finrisk_utils.workbench.outputs import flatten_metrics, read_metrics, resolve_output_dir


def test_record_metrics_writes_flat_sorted_json(tmp_path, capsys):
    table = record_metrics(
        {
            "lstm": {"rmse": np.float32(0.5), "auc": 0.7},
            "n_test": np.int64(10),
            "zone": "green",
            "x": float("nan"),
        },
        tmp_path,
        headline=["lstm.rmse"],
    )
    data = json.loads((tmp_path / "metrics.json").read_text())
    assert list(data) == sorted(data)
    assert (
        data["lstm.rmse"] == pytest.approx(0.5) and data["n_test"] == 10 and data["zone"] == "green"
    )
    assert data["x"] is None  # NaN is undefined, not zero
    assert table.loc["lstm.auc", "value"] == 0.7
    assert read_metrics(tmp_path) == (data, ["lstm.rmse"])
    assert "metrics.json" in capsys.readouterr().out


def test_record_metrics_rejects_bad_values(tmp_path):
    with pytest.raises(TypeError, match="metric 'a' must be a number"):
        record_metrics({"a": [1, 2]}, tmp_path)
    with pytest.raises(ValueError, match="no metrics"):
        record_metrics({}, tmp_path)
    with pytest.raises(KeyError, match="headline"):
        record_metrics({"a": 1}, tmp_path, headline=["b"])
    with pytest.raises(TypeError, match="keys must be non-empty strings"):
        flatten_metrics({1: 2})


def test_resolve_output_dir(tmp_path, monkeypatch):
    from finrisk_utils.workbench import outputs as reporting

    monkeypatch.setattr(reporting, "RUNS_DIR", tmp_path / "runs")
    assert resolve_output_dir(tmp_path / "x", "nb") == tmp_path / "x"
    assert (tmp_path / "x").is_dir()
    assert resolve_output_dir(None, "nb") == tmp_path / "runs" / "interactive" / "nb"
    with pytest.raises(TypeError, match="output_dir"):
        resolve_output_dir(3, "nb")
