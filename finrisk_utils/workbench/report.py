"""Reports of a run folder: ``finrisk report RUN_DIR`` writes ``report.md`` and ``report.html``.

For a ``finrisk run`` folder: the summary table (status, duration, headline metrics, errors). For a sweep
folder: the results table, metrics aggregated over seeds (mean +/- std and min-max, the way serious
benchmarks report deep models) for each combination of the other parameters, and a plot of each metric
against each swept parameter.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from finrisk_utils.workbench.sweep import METRIC_PREFIX

__all__ = ["aggregate_over_seeds", "build_report"]


def aggregate_over_seeds(results: pd.DataFrame, params: list[str]) -> pd.DataFrame:
    """Mean, std, min and max of every numeric metric over the ``seed`` values, per combination of the other
    swept parameters (successful runs only). Columns: ``(metric, statistic)``."""
    ok = results[results["status"] == "ok"]
    metric_cols = [
        c
        for c in ok.columns
        if c.startswith(METRIC_PREFIX) and pd.api.types.is_numeric_dtype(ok[c])
    ]
    if ok.empty or not metric_cols:
        return pd.DataFrame()
    groups = [p for p in params if p != "seed"]
    data = ok[groups + metric_cols].rename(columns=lambda c: c.removeprefix(METRIC_PREFIX))
    names = [c.removeprefix(METRIC_PREFIX) for c in metric_cols]
    if groups:
        agg = data.groupby(groups)[names].agg(["mean", "std", "min", "max", "count"])
    else:
        agg = data[names].agg(["mean", "std", "min", "max", "count"]).T.stack().to_frame().T
    return agg


def _figure_html(fig: Figure) -> str:
    """The figure as an inline PNG (``Figure`` without pyplot: no GUI backend, nothing left open)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return f'<img src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _sweep_plots(results: pd.DataFrame, params: list[str], metrics: list[str]) -> list[str]:
    import seaborn as sns

    ok = results[results["status"] == "ok"]
    images = []
    for metric in metrics:
        col = METRIC_PREFIX + metric
        for param in params:
            if ok[param].nunique() < 2:
                continue
            fig = Figure(figsize=(5, 3.2))
            ax = fig.subplots()
            sns.pointplot(
                data=ok, x=param, y=col, errorbar="sd", ax=ax, linestyle="none", capsize=0.2
            )
            sns.stripplot(data=ok, x=param, y=col, ax=ax, color="0.4", size=3, alpha=0.6)
            ax.set(ylabel=metric, title=f"{metric} by {param} (mean +/- sd, runs as dots)")
            images.append(_figure_html(fig))
    return images


def _headline(results: pd.DataFrame, limit: int = 8) -> list[str]:
    numeric = [
        c.removeprefix(METRIC_PREFIX)
        for c in results.columns
        if c.startswith(METRIC_PREFIX)
        and pd.api.types.is_numeric_dtype(results[c])
        and results[c].nunique() > 1
    ]
    return numeric[:limit]


def build_report(run_dir: str | Path, metrics: list[str] | None = None) -> Path:
    """Write ``report.md`` and ``report.html`` into ``run_dir`` (a ``finrisk run`` or ``finrisk sweep``
    folder) and return the HTML path. ``metrics`` picks the sweep metrics to plot (default: the first few
    that vary)."""
    run_dir = Path(run_dir)
    sweep_file, summary_file = run_dir / "sweep.json", run_dir / "summary.csv"
    if sweep_file.exists():
        spec = json.loads(sweep_file.read_text())
        results = pd.read_csv(run_dir / "results.csv")
        params = list(spec["parameters"])
        agg = aggregate_over_seeds(results, params)
        chosen = metrics or _headline(results)
        status = results["status"].value_counts().to_dict()
        title = f"Sweep of {Path(spec['notebook']).name} ({spec['profile']} profile): {len(results)} runs, {status}"
        shown = results[
            [*params, "status", "duration_s", "error", *[METRIC_PREFIX + m for m in chosen]]
        ]
        md = [f"# {title}", "", "## Runs", "", shown.to_markdown(index=False)]
        html = [f"<h1>{title}</h1>", "<h2>Runs</h2>", shown.to_html(index=False)]
        if not agg.empty:
            md += ["", "## Aggregated over seeds", "", agg.to_markdown()]
            html += [
                "<h2>Aggregated over seeds (mean, std, min, max, count)</h2>",
                agg.to_html(float_format="%.4g"),
            ]
        html += [
            "<h2>Metrics against swept parameters</h2>",
            *_sweep_plots(results, params, chosen),
        ]
    elif summary_file.exists():
        summary = pd.read_csv(summary_file)
        title = f"Run {run_dir.name}: {len(summary)} notebooks, {summary['status'].value_counts().to_dict()}"
        md_summary = (
            (run_dir / "summary.md").read_text() if (run_dir / "summary.md").exists() else ""
        )
        base = summary[["notebook", "status", "duration_s", "error"]].copy()
        base["notebook"] = [f'<a href="{n}/{n}.html">{n}</a>' for n in base["notebook"]]
        md = [f"# {title}", "", md_summary]
        html = [
            f"<h1>{title}</h1>",
            base.to_html(index=False, escape=False),
            "<h2>All metrics</h2>",
            summary.drop(columns=["error"]).set_index("notebook").T.to_html(),
        ]
    else:
        raise FileNotFoundError(
            f"{run_dir} holds neither a sweep (sweep.json) nor a run summary (summary.csv)"
        )
    (run_dir / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    page = f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{''.join(html)}</body></html>"
    (run_dir / "report.html").write_text(page, encoding="utf-8")
    return run_dir / "report.html"
