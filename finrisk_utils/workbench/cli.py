"""``finrisk`` command line: run notebooks headless (``run``), sweep one over a parameter grid (``sweep``),
write a report of a run or sweep folder (``report``), regenerate committed outputs (``render``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from finrisk_utils.core.config import PROFILES
from finrisk_utils.core.paths import RUNS_DIR
from finrisk_utils.workbench.runner import (
    discover_notebooks,
    new_run_dir,
    parse_value,
    render_notebook,
    run_notebooks,
)


def _notebooks(names: Sequence[str]) -> list[Path]:
    if not names:
        found = discover_notebooks()
        if not found:
            raise SystemExit("no numbered notebooks found in notebooks/")
        return found
    paths = [Path(n) for n in names]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"notebook(s) not found: {', '.join(missing)}")
    return paths


def _cmd_run(args: argparse.Namespace) -> int:
    params = {name: parse_value(value) for name, value in args.parameters}
    out = Path(args.out) if args.out else new_run_dir(RUNS_DIR)
    out.mkdir(parents=True, exist_ok=True)
    try:
        runs = run_notebooks(
            _notebooks(args.notebooks), out, profile=args.profile, parameters=params
        )
    except (ValueError, FileNotFoundError) as exc:
        print(f"finrisk run: {exc}", file=sys.stderr)
        return 2
    failed = [r.notebook for r in runs if r.status != "ok"]
    from finrisk_utils.workbench.report import build_report

    print(f"summary: {out / 'summary.md'}; report: {build_report(out)}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from finrisk_utils.workbench.sweep import load_grid_file, sweep

    grid: dict[str, list[object]] = load_grid_file(args.grid_file) if args.grid_file else {}
    for name, *values in args.parameters:
        if not values:
            print(f"finrisk sweep: parameter {name!r} needs at least one value", file=sys.stderr)
            return 2
        grid[name] = [parse_value(v) for v in values]
    out = Path(args.out) if args.out else new_run_dir(RUNS_DIR / "sweeps")
    bar = tqdm(unit="run", desc="sweep")

    def progress(done: int, failed: int, total: int, elapsed: float) -> None:
        bar.total = total
        bar.set_postfix(failed=failed)
        bar.update(done - bar.n)

    try:
        table = sweep(
            args.notebook,
            grid,
            out=out,
            profile=args.profile,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            progress=progress,
        )
    except (ValueError, FileNotFoundError) as exc:
        print(f"finrisk sweep: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: the finished runs are in {out / 'results.csv'}; rerun with --resume",
            file=sys.stderr,
        )
        return 130
    finally:
        bar.close()
    from finrisk_utils.workbench.report import build_report

    print(f"results: {out / 'results.csv'} ({len(table)} runs); report: {build_report(out)}")
    return 1 if table.empty or (table["status"] != "ok").any() else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from finrisk_utils.workbench.report import build_report

    try:
        print(f"report: {build_report(args.run_dir)}")
    except FileNotFoundError as exc:
        print(f"finrisk report: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_render(args: argparse.Namespace) -> int:
    scratch = new_run_dir(RUNS_DIR / "render")
    status = 0
    for path in _notebooks(args.notebooks):
        print(f"rendering {path.name} (full profile) ...", flush=True)
        run = render_notebook(path, scratch)
        print(f"  {run.status} in {run.duration_s:.1f}s" + (f": {run.error}" if run.error else ""))
        status |= run.status != "ok"
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finrisk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="execute notebooks headless with papermill into runs/<timestamp>/"
    )
    run.add_argument("notebooks", nargs="*", help="notebook paths (default: all in notebooks/)")
    run.add_argument("--profile", choices=PROFILES, default="quick")
    run.add_argument(
        "-p",
        "--parameter",
        dest="parameters",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a notebook parameter (repeatable)",
    )
    run.add_argument("--out", help="output folder (default: runs/<timestamp>)")
    run.set_defaults(func=_cmd_run)
    sw = sub.add_parser(
        "sweep", help="run one notebook over a parameter grid on Dask; collect a results table"
    )
    sw.add_argument("notebook")
    sw.add_argument(
        "-p",
        "--parameter",
        dest="parameters",
        nargs="+",
        action="append",
        default=[],
        metavar="NAME VALUE",
        help="a parameter and its values, e.g. -p seed 0 1 2 (repeatable)",
    )
    sw.add_argument("-f", "--grid-file", help="YAML mapping of parameter names to lists of values")
    sw.add_argument("--profile", choices=PROFILES, default="quick")
    sw.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    sw.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://host:8786")
    sw.add_argument("--out", help="output folder (default: runs/sweeps/<timestamp>)")
    sw.add_argument(
        "--resume", action="store_true", help="skip combinations already finished in --out"
    )
    sw.set_defaults(func=_cmd_sweep)
    rep = sub.add_parser("report", help="write report.md and report.html for a run or sweep folder")
    rep.add_argument("run_dir")
    rep.set_defaults(func=_cmd_report)
    render = sub.add_parser(
        "render", help="re-execute committed notebooks in the full profile and store their outputs"
    )
    render.add_argument("notebooks", nargs="*", help="notebook paths (default: all in notebooks/)")
    render.set_defaults(func=_cmd_render)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
