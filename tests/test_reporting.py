import json
import re

import numpy as np
import pytest

from finrisk_utils import record_metrics
from finrisk_utils.workbench.outputs import (
    METRIC_KEY_PATTERN,
    check_metric_key,
    flatten_metrics,
    read_metrics,
    resolve_output_dir,
)


def test_record_metrics_writes_flat_sorted_json(tmp_path, capsys):
    table = record_metrics(
        {
            "lstm": {"rmse": np.float32(0.5), "auc": 0.7, "rmse_by": {"h6": 0.9, "h12": 1.1}},
            "run.n_test": np.int64(10),
            "run": {"zone": "green", "ok": np.bool_(True)},
            "garch.x": float("nan"),
        },
        tmp_path,
        headline=["lstm.rmse"],
    )
    data = json.loads((tmp_path / "metrics.json").read_text())
    assert list(data) == sorted(data)
    assert data["lstm.rmse"] == pytest.approx(0.5) and data["run.n_test"] == 10
    assert data["run.zone"] == "green" and data["run.ok"] is True
    assert data["lstm.rmse_by_h6"] == 0.9  # below the first level, levels join with "_"
    assert data["garch.x"] is None  # NaN is undefined, not zero
    assert table.loc["lstm.auc", "value"] == 0.7
    assert read_metrics(tmp_path) == (data, ["lstm.rmse"])
    assert "metrics.json" in capsys.readouterr().out


def test_flatten_metrics_joins_first_level_with_dot_then_underscore():
    nested = {"lstm": {"rmse": {"h6": 1, "h12": 2}}, "a_vs_b.dm_pvalue": 0.1}
    assert flatten_metrics(nested) == {
        "lstm.rmse_h6": 1,
        "lstm.rmse_h12": 2,
        "a_vs_b.dm_pvalue": 0.1,
    }
    with pytest.raises(ValueError, match="same key 'lstm.rmse'"):
        flatten_metrics({"lstm.rmse": 1, "lstm": {"rmse": 2}})


@pytest.mark.parametrize(
    "key",
    [
        "lstm.rmse",
        "lstm_quantile.pinball",
        "sp500.rows",
        "lstm_vs_garch.dm_pvalue",
        "lstm_vs_garch.dm_pvalue_holm",
        "nelson_siegel.rmse_120m",
        "lstm.rmse_h6",
        "run.n_test",
        "var99.exceptions",
    ],
)
def test_metric_key_grammar_accepts(key):
    check_metric_key(key)
    assert re.fullmatch(METRIC_KEY_PATTERN, key)


@pytest.mark.parametrize(
    "key, why",
    [
        ("n_test", "0 dots"),
        ("portfolio.lstm.pinball", "2 dots"),
        ("LSTM.rmse", "lower-case snake"),
        ("lstm.RMSE", "lower-case snake"),
        ("lstm.rmse-h6", "lower-case snake"),
        ("lstm._rmse", "lower-case snake"),
        ("lstm.rmse_", "lower-case snake"),
        ("lstm.rmse__h6", "lower-case snake"),
        (".rmse", "lower-case snake"),
        ("lstm.", "lower-case snake"),
        ("lstm. rmse", "lower-case snake"),
    ],
)
def test_metric_key_grammar_rejects(key, why):
    with pytest.raises(ValueError, match=re.escape(f"metric key {key!r}")) as info:
        check_metric_key(key)
    assert why in str(info.value)
    with pytest.raises(ValueError, match=r"record_metrics: metric key"):
        record_metrics({key: 1}, "unused-folder-never-created")
    with pytest.raises(TypeError, match="must be a string"):
        check_metric_key(3)


def test_record_metrics_rejects_bad_values(tmp_path):
    with pytest.raises(TypeError, match="record_metrics: metric 'run.a' must be a number"):
        record_metrics({"run.a": [1, 2]}, tmp_path)
    with pytest.raises(TypeError, match="metric 'run.c' must be a number.*complex"):
        record_metrics({"run.c": 1j}, tmp_path)
    with pytest.raises(ValueError, match="no metrics"):
        record_metrics({}, tmp_path)
    with pytest.raises(KeyError, match="headline"):
        record_metrics({"run.a": 1}, tmp_path, headline=["run.b"])
    with pytest.raises(KeyError, match="headline"):  # a trained network's statistics must be there
        record_metrics({"lstm.trained": 1}, tmp_path, headline=["lstm_vs_garch.dm_pvalue"])
    with pytest.raises(TypeError, match="headline must be a list"):
        record_metrics({"run.a": 1}, tmp_path, headline="run.a")
    with pytest.raises(TypeError, match="keys must be non-empty strings, got 1"):
        flatten_metrics({1: 2})
    with pytest.raises(
        TypeError, match=r"record_metrics: metric keys must be non-empty strings, got \(1, 2\)"
    ):
        record_metrics({"run": {(1, 2): 3}}, tmp_path)
    with pytest.raises(TypeError, match="metrics must be a mapping"):
        record_metrics([("run.a", 1)], tmp_path)
    for inf in (float("inf"), -np.inf, np.float64("inf")):
        with pytest.raises(ValueError, match=r"metric 'run.a' is -?inf"):
            record_metrics({"run.a": inf}, tmp_path)
    with pytest.raises(TypeError, match="output_dir must be a path"):
        record_metrics({"run.a": 1}, None)
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(
        NotADirectoryError, match="record_metrics: output_dir .*afile.* is not a folder"
    ):
        record_metrics({"run.a": 1}, afile / "sub")
    assert not (tmp_path / "metrics.json").exists()  # nothing was written by a rejected call


def test_read_metrics_of_a_folder_without_metrics(tmp_path):
    with pytest.raises(FileNotFoundError, match="read_metrics: no metrics.json"):
        read_metrics(tmp_path)
    (tmp_path / "metrics.json").write_text("{not json")
    with pytest.raises(ValueError, match="read_metrics: .* is not valid JSON"):
        read_metrics(tmp_path)


def test_resolve_output_dir(tmp_path, monkeypatch):
    from finrisk_utils.workbench import outputs as reporting

    monkeypatch.setattr(reporting, "RUNS_DIR", tmp_path / "runs")
    assert resolve_output_dir(tmp_path / "x", "nb") == tmp_path / "x"
    assert (tmp_path / "x").is_dir()
    assert resolve_output_dir(None, "nb") == tmp_path / "runs" / "interactive" / "nb"
    with pytest.raises(
        TypeError, match="resolve_output_dir: output_dir must be a path or None, got int 3"
    ):
        resolve_output_dir(3, "nb")
    with pytest.raises(ValueError, match="output_dir is an empty string"):
        resolve_output_dir("", "nb")
    with pytest.raises(ValueError, match="notebook must be a non-empty name"):
        resolve_output_dir(None, "")
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(
        NotADirectoryError, match=r"resolve_output_dir: output_dir .*f.txt.* is not a folder"
    ):
        resolve_output_dir(tmp_path / "f.txt", "nb")
    with pytest.raises(NotADirectoryError, match=r"is not a folder \(.*f.txt' is a file\)"):
        resolve_output_dir(tmp_path / "f.txt" / "sub", "nb")


def test_resolve_output_dir_names_the_interactive_folder_after_the_running_notebook(
    tmp_path, monkeypatch
):
    from finrisk_utils.workbench import outputs

    monkeypatch.setattr(outputs, "RUNS_DIR", tmp_path / "runs")
    monkeypatch.setenv("JPY_SESSION_NAME", "/somewhere/notebooks/02_market_risk.ipynb")
    assert outputs.current_notebook() == "02_market_risk"
    assert outputs.resolve_output_dir(None) == tmp_path / "runs" / "interactive" / "02_market_risk"
    monkeypatch.delenv("JPY_SESSION_NAME")
    assert outputs.current_notebook() == "notebook"


def test_headline_leaves_out_what_an_untrained_network_does_not_report(tmp_path):
    """An untrained network's comparison is not computed (the protocol does not interpret it): a headline that
    names it keeps the rest, as on a run where the network did not train."""
    metrics = {"garch.pinball": 0.1, "lstm.trained": 0, "lstm.pinball": 0.2}
    record_metrics(metrics, tmp_path, headline=["garch.pinball", "lstm_vs_garch.pinball_dm_pvalue"])
    assert read_metrics(tmp_path)[1] == ["garch.pinball"]
