"""Reports of a run folder: ``finrisk report RUN_DIR`` writes ``report.md`` and ``report.html``.

For a ``finrisk run`` folder, a page per run: an overview (status, duration, links to each notebook's HTML),
then per notebook its error if it failed, its headline metrics as a small table, its figures as thumbnails and
its manifest; every metric and the environment last. For a sweep
folder: the results table, metrics aggregated over seeds (mean +/- std and min-max, the way serious
benchmarks report deep models) for each combination of the other parameters, and a plot of each metric
against each swept parameter.
"""

from __future__ import annotations

import base64
import html as html_lib
import io
import json
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import pandas as pd
from matplotlib.figure import Figure

from finrisk_utils.workbench.runner import MANIFEST_FILE
from finrisk_utils.workbench.sweep import METRIC_PREFIX, RUN_FILE

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


def _esc(value: object) -> str:
    return html_lib.escape(str(value))


def _md_escape(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells HTML-escaped for Markdown (viewers render raw HTML in Markdown)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [
                html_lib.escape(v, quote=False) if isinstance(v, str) else v for v in out[col]
            ]
    out.columns = [html_lib.escape(str(c), quote=False) for c in out.columns]
    return out


def _read_manifest(path: Path) -> dict | None:
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _environment_table(manifests: dict[str, dict]) -> pd.DataFrame:
    """One column per run: what its ``manifest.json`` says (packages spread into rows)."""
    columns = {}
    for name, m in manifests.items():
        flat = {k: v for k, v in m.items() if k not in ("packages", "parameters", "notebook")}
        flat |= {f"package {k}": v for k, v in (m.get("packages") or {}).items()}
        flat |= {
            f"parameter {k}": v for k, v in (m.get("parameters") or {}).items() if k != "output_dir"
        }
        columns[name] = {k: "" if v is None else str(v) for k, v in flat.items()}
    return pd.DataFrame(columns)


def _environment_sections(
    manifests: dict[str, dict], *, parameters: bool = False
) -> tuple[list[str], list[str]]:
    """Markdown and HTML for the runs' manifests, one column per run (with its ``parameters`` if asked);
    without parameters (a sweep, whose results table has them), the distinct environments only."""
    if not manifests:
        return ["", "## Environment", "", "No manifest.json found."], [
            "<h2>Environment</h2>",
            "<p>No manifest.json found.</p>",
        ]
    table = _environment_table(manifests)
    if parameters:
        env = table
    else:
        env_rows = [r for r in table.index if not r.startswith("parameter ") and r != "created"]
        env = table.loc[env_rows].T.drop_duplicates().T
    if not parameters and env.shape[1] == 1:
        env.columns = ["value"]
    md = [
        "",
        "## Environment (manifest.json)",
        "",
        _md_escape(env.reset_index()).to_markdown(index=False),
    ]
    html = ["<h2>Environment (manifest.json)</h2>", env.to_html(escape=True)]
    return md, html


_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em;
  color: #222; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.ok { color: #176317; font-weight: 600; } .failed { color: #b00020; font-weight: 600; }
section.notebook { border-top: 2px solid #ddd; margin-top: 1.5em; padding-top: .5em; }
pre.error { background: #fff0f0; border: 1px solid #e0a0a0; padding: .6em; white-space: pre-wrap; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; }
.figures figure { margin: 0; text-align: center; font-size: 12px; }
img.thumb { width: 260px; height: auto; border: 1px solid #ccc; }
details pre { background: #f7f7f7; padding: .6em; overflow-x: auto; font-size: 12px; }
"""
_FIGURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")


def _href(*parts: str) -> str:
    """A relative link to a file of the run folder, URL-quoted and HTML-escaped."""
    return _esc("/".join(quote(p) for p in parts))


def _status_html(status: object) -> str:
    css = "ok" if status == "ok" else "failed"
    return f"<span class='{css}'>{_esc(status)}</span>"


def _headline_table(metrics: dict, headline: list) -> str:
    rows = "".join(
        f"<tr><td>{_esc(k)}</td><td>{_esc(_fmt_value(metrics.get(k)))}</td></tr>" for k in headline
    )
    return (
        "<table class='headline'><thead><tr><th>headline metric</th><th>value</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _fmt_value(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


_T = TypeVar("_T")


def _read_json_as(path: Path, kind: type[_T]) -> _T | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, kind) else None


def _run_page(run_dir: Path, summary: pd.DataFrame, manifests: dict[str, dict]) -> list[str]:
    """The page of a ``finrisk run`` folder: an overview table, then one section per notebook with its
    status, duration, links, error, headline metrics, figure thumbnails and manifest; all metrics last."""
    total = pd.to_numeric(summary["duration_s"], errors="coerce").sum()
    overview, sections = [], []
    for _, r in summary.iterrows():
        name = str(r["notebook"])
        folder = run_dir / name
        anchor = _esc(quote(f"nb-{name}"))
        error = None if pd.isna(r["error"]) else str(r["error"])
        metrics_file, headline_file = folder / "metrics.json", folder / "headline.json"
        metrics = _read_json_as(metrics_file, dict) or {}
        headline = _read_json_as(headline_file, list) or []
        headline = [str(k) for k in headline if k in metrics]
        links = [
            f"<a href='{_href(name, f'{name}.html')}'>HTML</a>"
            if (folder / f"{name}.html").exists()
            else "",
            f"<a href='{_href(name, f'{name}.ipynb')}'>notebook</a>"
            if (folder / f"{name}.ipynb").exists()
            else "",
            f"<a href='{_href(name, 'metrics.json')}'>metrics.json</a>"
            if metrics_file.exists()
            else "",
            f"<a href='{_href(name, 'kernel.log')}'>kernel.log</a>"
            if (folder / "kernel.log").exists()
            else "",
        ]
        links_html = " · ".join(link for link in links if link)
        head_inline = ", ".join(f"{k} = {_fmt_value(metrics[k])}" for k in headline)
        overview.append(
            f"<tr><td><a href='#{anchor}'>{_esc(name)}</a></td><td>{_status_html(r['status'])}</td>"
            f"<td>{_esc(r['duration_s'])}</td><td>{links_html}</td><td>{_esc(head_inline)}</td></tr>"
        )
        part = [
            f"<section class='notebook' id='{anchor}'><h2>{_esc(name)}</h2>",
            f"<p>{_status_html(r['status'])} in {_esc(r['duration_s'])} s · {links_html}</p>",
        ]
        if error:
            part.append(f"<pre class='error'>{_esc(error)}</pre>")
        if headline:
            part.append(_headline_table(metrics, headline))
        elif metrics:
            part.append(f"<p>{len(metrics)} metrics, none marked headline.</p>")
        figures = sorted(
            p for p in (folder / "figures").glob("*") if p.suffix.lower() in _FIGURE_SUFFIXES
        )
        if figures:
            thumbs = "".join(
                f"<figure><a href='{_href(name, 'figures', f.name)}'>"
                f"<img class='thumb' loading='lazy' src='{_href(name, 'figures', f.name)}' "
                f"alt='{_esc(f.stem)}'></a><figcaption>{_esc(f.stem)}</figcaption></figure>"
                for f in figures
            )
            part.append(f"<div class='figures'>{thumbs}</div>")
        if name in manifests:
            text = json.dumps(manifests[name], indent=2, default=str)
            part.append(
                f"<details><summary>manifest.json</summary><pre>{_esc(text)}</pre></details>"
            )
        part.append("</section>")
        sections.append("".join(part))
    table = (
        "<table class='overview'><thead><tr><th>notebook</th><th>status</th><th>duration (s)</th>"
        f"<th>outputs</th><th>headline metrics</th></tr></thead><tbody>{''.join(overview)}</tbody>"
        "</table>"
    )
    metric_cols = summary.drop(columns=["error"]).set_index("notebook").T
    return [
        f"<p>Total notebook time {_esc(f'{total:.1f}')} s summed over notebooks (they run in parallel).</p>",
        table,
        *sections,
        "<h2>All metrics</h2>",
        f"<details><summary>{len(metric_cols)} rows</summary>"
        f"{metric_cols.to_html(escape=True)}</details>",
    ]


def _read_results(run_dir: Path) -> pd.DataFrame:
    """``results.csv``, or an empty table when no run has finished (the sweep was interrupted before)."""
    try:
        return pd.read_csv(run_dir / "results.csv")
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame()


def build_report(run_dir: str | Path, metrics: list[str] | None = None) -> Path:
    """Write ``report.md`` and ``report.html`` into ``run_dir`` (a ``finrisk run`` or ``finrisk sweep``
    folder) and return the HTML path. ``metrics`` picks the sweep metrics to plot (default: the first few
    that vary). Everything that comes from a user, a notebook or an error is HTML-escaped."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"report: {str(run_dir)!r} is not a folder")
    sweep_file, summary_file = run_dir / "sweep.json", run_dir / "summary.csv"
    if sweep_file.exists():
        try:
            spec = json.loads(sweep_file.read_text())
            params = [str(p) for p in spec["parameters"]]
            notebook, profile = Path(spec["notebook"]).name, spec["profile"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"report: {sweep_file} is unreadable: {exc!r}") from None
        results = _read_results(run_dir)
        manifests = {
            r.parent.parent.name: m
            for r in sorted(run_dir.glob(f"runs/*/*/{MANIFEST_FILE}"))
            if (m := _read_manifest(r)) is not None
        }
        env_md, env_html = _environment_sections(manifests)
        if results.empty:
            started = len(list(run_dir.glob(f"runs/*/{RUN_FILE}")))
            title = f"Sweep of {notebook} ({profile} profile): no run finished"
            note = (
                f"No run of this sweep has finished ({started} run records found): it was interrupted "
                "before its first run ended. Rerun it with --resume to fill it."
            )
            md = [f"# {html_lib.escape(title, quote=False)}", "", note, *env_md]
            html = [f"<h1>{_esc(title)}</h1>", f"<p>{_esc(note)}</p>", *env_html]
        else:
            params = [p for p in params if p in results.columns]
            agg = aggregate_over_seeds(results, params)
            available = [
                c.removeprefix(METRIC_PREFIX)
                for c in results.columns
                if c.startswith(METRIC_PREFIX)
            ]
            unknown = [m for m in (metrics or []) if m not in available]
            if unknown:
                raise ValueError(
                    f"report: no metric(s) {unknown} in the results; they have {available}"
                )
            chosen = metrics or _headline(results)
            status = results["status"].value_counts().to_dict()
            title = f"Sweep of {notebook} ({profile} profile): {len(results)} runs, {status}"
            shown = results[
                [*params, "status", "duration_s", "error", *[METRIC_PREFIX + m for m in chosen]]
            ]
            md = [
                f"# {html_lib.escape(title, quote=False)}",
                "",
                "## Runs",
                "",
                _md_escape(shown).to_markdown(index=False),
            ]
            html = [
                f"<h1>{_esc(title)}</h1>",
                "<h2>Runs</h2>",
                shown.to_html(index=False, escape=True),
            ]
            if not agg.empty:
                md += [
                    "",
                    "## Aggregated over seeds",
                    "",
                    _md_escape(agg.reset_index()).to_markdown(),
                ]
                html += [
                    "<h2>Aggregated over seeds (mean, std, min, max, count)</h2>",
                    agg.to_html(float_format="{:.4g}".format, escape=True),
                ]
            html += [
                "<h2>Metrics against swept parameters</h2>",
                *_sweep_plots(results, params, chosen),
            ]
            md += env_md
            html += env_html
    elif summary_file.exists():
        try:
            summary = pd.read_csv(summary_file)
        except pd.errors.EmptyDataError:
            raise ValueError(f"report: {summary_file} is empty") from None
        counts = summary["status"].value_counts().to_dict()
        title = f"Run {run_dir.name}: {len(summary)} notebooks, {counts}"
        md_summary = (
            (run_dir / "summary.md").read_text() if (run_dir / "summary.md").exists() else ""
        )
        manifests = {
            str(n): m
            for n in summary["notebook"]
            if (m := _read_manifest(run_dir / str(n) / MANIFEST_FILE)) is not None
        }
        env_md, env_html = _environment_sections(manifests, parameters=True)
        md = [f"# {html_lib.escape(title, quote=False)}", "", md_summary, *env_md]
        html = [f"<h1>{_esc(title)}</h1>", *_run_page(run_dir, summary, manifests), *env_html]
    else:
        raise FileNotFoundError(
            f"report: {str(run_dir)!r} holds neither a sweep (sweep.json) nor a run summary (summary.csv)"
        )
    (run_dir / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_esc(title)}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(html)}</body></html>"
    )
    (run_dir / "report.html").write_text(page, encoding="utf-8")
    return run_dir / "report.html"
