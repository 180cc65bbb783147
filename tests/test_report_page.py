"""The report page of a run: per notebook its status, duration, links, headline metrics, figure thumbnails,
error and manifest, all text escaped; of a sweep: the aggregated table and plots. Checked by parsing the HTML,
and by rendering it in headless Chromium where one is installed."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from finrisk_utils.workbench.report import build_report

PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>"


class _Page(HTMLParser):
    """Tags with attributes, the text inside each element id, and all text."""

    def __init__(self):
        super().__init__()
        self.tags, self.text, self._open = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text())
    return page


def _figure(path: Path, color: str) -> None:
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.plot(np.arange(10), np.arange(10) ** 2, color=color)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=60)


def _run_folder(root: Path) -> Path:
    """A `finrisk run` folder as the runner writes it: one good notebook with figures, one failed."""
    good, bad = root / "01_good", root / "02_bad"
    good.mkdir(parents=True)
    bad.mkdir()
    metrics = {
        "lstm.rmse": 0.91234,
        "random_walk.rmse": 0.95,
        "run.zone": PAYLOAD,
        "run.n_test": 10,
    }
    (good / "metrics.json").write_text(json.dumps(metrics))
    (good / "headline.json").write_text(json.dumps(["lstm.rmse", "run.zone"]))
    (good / "01_good.html").write_text("<html>nb</html>")
    (good / "01_good.ipynb").write_text("{}")
    _figure(good / "figures" / "training.png", "C0")
    _figure(good / "figures" / "forecasts.png", "C1")
    for stem in ("01_good", "02_bad"):
        (root / stem / "manifest.json").write_text(
            json.dumps(
                {"notebook": f"{stem}.ipynb", "python": "3.11", "parameters": {"label": PAYLOAD}}
            )
        )
    (bad / "02_bad.ipynb").write_text("{}")
    pd.DataFrame(
        [
            {"notebook": "01_good", "status": "ok", "duration_s": 12.5, "error": None, **metrics},
            {
                "notebook": "02_bad",
                "status": "failed",
                "duration_s": 3.0,
                "error": f"cell 4: {PAYLOAD}",
            },
        ]
    ).to_csv(root / "summary.csv", index=False)
    return root


def _assert_safe(page: _Page) -> None:
    assert not [t for t, _ in page.tags if t == "script"]
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]


def test_run_page_has_a_section_per_notebook(tmp_path):
    run = _run_folder(tmp_path)
    html_path = build_report(run)
    page = _parse(html_path)
    text = "".join(page.text)
    _assert_safe(page)
    ids = {a["id"] for _, a in page.tags if "id" in a}
    assert {"nb-01_good", "nb-02_bad"} <= ids
    hrefs = [a["href"] for t, a in page.tags if t == "a" and "href" in a]
    assert "01_good/01_good.html" in hrefs and "#nb-02_bad" in hrefs
    assert "01_good/01_good.ipynb" in hrefs and "02_bad/02_bad.ipynb" in hrefs
    for href in hrefs:
        if not href.startswith("#"):
            assert (run / href).exists(), href  # every link points at a file of the run
    thumbs = [a for t, a in page.tags if t == "img" and "thumb" in a.get("class", "")]
    assert {a["src"] for a in thumbs} == {
        "01_good/figures/training.png",
        "01_good/figures/forecasts.png",
    }
    assert all((run / a["src"]).exists() for a in thumbs)
    tables = [a for t, a in page.tags if t == "table" and a.get("class") == "headline"]
    assert len(tables) == 1  # the failed notebook recorded no headline metrics
    assert "0.9123" in text and "lstm.rmse" in text  # headline value, 4 significant digits
    assert (
        PAYLOAD in text
    )  # the payload is shown as text (metric, error and manifest), never markup
    assert "cell 4: " + PAYLOAD in text
    assert [a for t, a in page.tags if t == "pre" and a.get("class") == "error"]
    assert "manifest.json" in text and '"python": "3.11"' in text
    assert "Environment (manifest.json)" in text
    md = (run / "report.md").read_text()
    assert "<script>" not in md


def _sweep_folder(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "sweep.json").write_text(
        json.dumps({"notebook": "tiny.ipynb", "profile": "quick", "parameters": ["seed", "scale"]})
    )
    rows = [
        {
            "seed": seed,
            "scale": scale,
            "status": "ok",
            "error": None,
            "duration_s": 1.0,
            "output_notebook": "x",
            "metric:run.value": scale * 21 + seed * 0.1,
            "metric:run.label": PAYLOAD,
        }
        for seed in (0, 1, 2)
        for scale in (1.0, 2.0)
    ]
    pd.DataFrame(rows).to_csv(root / "results.csv", index=False)
    return root


def test_sweep_page_keeps_the_aggregate_and_the_plots(tmp_path):
    page = _parse(build_report(_sweep_folder(tmp_path / "sweep")))
    text = "".join(page.text)
    _assert_safe(page)
    assert "Aggregated over seeds" in text and "Metrics against swept parameters" in text
    plots = [a for t, a in page.tags if t == "img"]
    assert plots and all(a["src"].startswith("data:image/png;base64,") for a in plots)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


def test_run_page_renders_in_headless_chromium(tmp_path):
    browser = _chromium()
    if browser is None:
        reason = "no headless Chromium installed (Debian: apt-get install -y chromium)"
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)
    run = _run_folder(tmp_path / "run")
    html_path = build_report(run)
    shot = tmp_path / "page.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    flags += ["--allow-file-access-from-files", f"--user-data-dir={tmp_path / 'profile'}"]
    proc = subprocess.run(
        [browser, *flags, "--window-size=1200,1600", f"--screenshot={shot}", html_path.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-1000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 1000
    # a rendered page, not a blank one: text, table borders, the thumbnails' coloured lines
    assert pixels[..., :3].std() > 0.05
    rgb = pixels[..., :3]
    blue = (rgb[..., 2] > 0.6) & (rgb[..., 0] < 0.3)  # C0 (#1f77b4) of the first thumbnail
    assert blue.sum() > 50, "the figure thumbnails did not load"
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", html_path.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert dom.returncode == 0, dom.stderr[-1000:]
    assert 'id="nb-01_good"' in dom.stdout and "<script>alert" not in dom.stdout
