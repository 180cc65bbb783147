"""``finrisk`` command line: run notebooks headless and in parallel (``run``), sweep one over a parameter grid
(``sweep``), write a report of a run or sweep folder (``report``), browse the MLflow tracking store (``ui``),
start JupyterLab on the notebooks (``lab``), regenerate committed outputs (``render``). ``run`` and ``sweep``
are recorded in MLflow (``--tracking-uri``, ``--no-track``).

Bad input is one line on stderr, ``finrisk <command>: <what is wrong>``, never a traceback: exit status 2 for
a usage error (a bad option, parameter, grid or folder), 1 for a failure after the input was accepted (a
notebook failed, the scheduler cannot be reached)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from finrisk_utils.core.config import PROFILES
from finrisk_utils.core.paths import RUNS_DIR
from finrisk_utils.workbench.startup import skip_iri_grammars

skip_iri_grammars()  # this process is the workbench's own: before the imports below load nbformat

from finrisk_utils.workbench.runner import (  # noqa: E402
    check_parameters,
    discover_notebooks,
    new_run_dir,
    parse_value,
    render_notebook,
    run_notebooks,
)


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``finrisk sweep: argument --workers: ...``), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive whole number, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _out_dir(text: str | None, default_root: Path) -> Path:
    """The ``--out`` folder, created; a usage error if it names a file."""
    if text is None:
        return new_run_dir(default_root)
    if not text.strip():
        raise UsageError("--out is empty: give a folder")
    out = Path(text)
    for part in (out, *out.parents):
        if part.exists() and not part.is_dir():
            raise UsageError(f"--out {text!r} is not a folder ({str(part)!r} is a file)")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _unused_path(root: Path) -> Path:
    """A ``root/<YYYYmmdd-HHMMSS>`` path that does not exist yet (not created)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path, suffix = root / stamp, 1
    while path.exists():
        path, suffix = root / f"{stamp}-{suffix}", suffix + 1
    return path


def _parse(name: str, text: str) -> object:
    try:
        return parse_value(text)
    except ValueError as exc:
        raise UsageError(f"-p {name}: {exc}") from None


def _notebooks(names: Sequence[str]) -> list[Path]:
    if not names:
        found = discover_notebooks()
        if not found:
            raise UsageError("no numbered notebooks found in notebooks/")
        return found
    paths = [Path(n) for n in names]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"notebook(s) not found: {', '.join(missing)}")
    return paths


def _cmd_run(args: argparse.Namespace) -> int:
    names = [name for name, _ in args.parameters]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"parameter(s) {twice} given more than once")
    params = {name: _parse(name, value) for name, value in args.parameters}
    notebooks = _notebooks(args.notebooks)
    for path in notebooks:  # before any folder is made
        check_parameters(path, {**params, "profile": args.profile})
    if args.tracking_uri is not None and not args.tracking_uri.strip():
        raise UsageError("--tracking-uri is empty: give e.g. http://host:5000")
    out = _out_dir(args.out, RUNS_DIR)
    try:
        runs = run_notebooks(
            notebooks, out, profile=args.profile, parameters=params, workers=args.workers
        )
    except KeyboardInterrupt:
        print(f"\ninterrupted: the finished notebooks are in {out / 'summary.md'}", file=sys.stderr)
        return 130
    failed = [r.notebook for r in runs if r.status != "ok"]
    from finrisk_utils.workbench.report import build_report

    print(f"summary: {out / 'summary.md'}; report: {build_report(out)}")
    if not (args.no_track or os.environ.get("FINRISK_NO_TRACK")):
        from finrisk_utils.workbench.tracking import log_run_folder, track

        track(
            "run",
            log_run_folder,
            out,
            runs,
            profile=args.profile,
            parameters=params,
            tracking_uri=args.tracking_uri,
            experiment=args.experiment,
        )
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from finrisk_utils.workbench.sweep import load_grid_file, sweep

    if args.tracking_uri is not None and not args.tracking_uri.strip():
        raise UsageError("--tracking-uri is empty: give e.g. http://host:5000")
    grid: dict[str, list[object]] = load_grid_file(args.grid_file) if args.grid_file else {}
    seen: set[str] = set()
    for name, *values in args.parameters:
        if not values:
            raise UsageError(f"parameter {name!r} needs at least one value")
        if name in seen:
            raise UsageError(
                f"parameter {name!r} given more than once (list its values after one -p)"
            )
        seen.add(name)
        grid[name] = [_parse(name, v) for v in values]
    # a fresh timestamped name, made by sweep() only once the grid has been checked
    out = Path(args.out) if args.out else _unused_path(RUNS_DIR / "sweeps")
    bars: list[tqdm] = []  # made at the first finished run, so bad input prints no empty bar

    def progress(done: int, failed: int, total: int, elapsed: float) -> None:
        if not bars:
            bars.append(tqdm(unit="run", desc="sweep", total=total))
        bar = bars[0]
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
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: the finished runs are in {out / 'results.csv'}; rerun with --resume",
            file=sys.stderr,
        )
        return 130
    finally:
        for bar in bars:
            bar.close()
    from finrisk_utils.workbench.report import build_report

    print(f"results: {out / 'results.csv'} ({len(table)} runs); report: {build_report(out)}")
    if not (args.no_track or os.environ.get("FINRISK_NO_TRACK")):
        from finrisk_utils.workbench.tracking import log_sweep_folder, track

        track(
            "sweep",
            log_sweep_folder,
            out,
            tracking_uri=args.tracking_uri,
            experiment=args.experiment,
        )
    return 1 if table.empty or (table["status"] != "ok").any() else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from finrisk_utils.workbench.report import build_report

    print(f"report: {build_report(args.run_dir)}")
    return 0


def _cmd_ui(args: argparse.Namespace) -> int:
    import subprocess

    from finrisk_utils.workbench.tracking import resolve_tracking_uri, ui_command

    uri = resolve_tracking_uri(args.tracking_uri)
    print(f"MLflow UI on {uri}: http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    try:
        return subprocess.call(
            ui_command(uri, host=args.host, port=args.port, workers=args.workers)
        )
    except KeyboardInterrupt:
        return 0


def lab_command(
    port: int | None = None, token: str | None = None, browser: bool = True
) -> list[str]:
    """The JupyterLab command line of ``finrisk lab`` / ``make lab``: on ``notebooks/``, with the project's
    environment as its kernel, and ``--allow-root`` when run as root (containers, CI machines)."""
    from finrisk_utils.core.paths import NOTEBOOKS_DIR

    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={NOTEBOOKS_DIR}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    if port is not None:
        cmd.append(f"--ServerApp.port={port}")
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if not browser:
        cmd.append("--no-browser")
    return cmd


def _cmd_lab(args: argparse.Namespace) -> int:
    import importlib.util
    import subprocess

    if importlib.util.find_spec("jupyterlab") is None:
        raise UsageError("JupyterLab is not installed: pip install -e '.[dev]' (or make lab)")
    try:
        return subprocess.call(lab_command(port=args.port, browser=not args.no_browser))
    except KeyboardInterrupt:
        return 0


def _cmd_render(args: argparse.Namespace) -> int:
    notebooks = _notebooks(args.notebooks)  # checked before any folder is made
    scratch = new_run_dir(RUNS_DIR / "render")
    status = 0
    for path in notebooks:
        print(f"rendering {path.name} ({args.profile} profile) ...", flush=True)
        run = render_notebook(path, scratch, profile=args.profile)
        print(f"  {run.status} in {run.duration_s:.1f}s" + (f": {run.error}" if run.error else ""))
        status |= run.status != "ok"
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="finrisk", description=__doc__)
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
    run.add_argument(
        "--workers",
        type=_positive_int,
        help="notebooks executed at once, on the sweeps' Dask engine (default: one per core)",
    )
    _tracking_options(run)
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
    sw.add_argument(
        "--workers", type=_positive_int, help="local worker processes (default: one per core)"
    )
    sw.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://host:8786")
    sw.add_argument("--out", help="output folder (default: runs/sweeps/<timestamp>)")
    sw.add_argument(
        "--resume", action="store_true", help="skip combinations already finished in --out"
    )
    _tracking_options(sw)
    sw.set_defaults(func=_cmd_sweep)
    rep = sub.add_parser("report", help="write report.md and report.html for a run or sweep folder")
    rep.add_argument("run_dir")
    rep.set_defaults(func=_cmd_report)
    ui = sub.add_parser("ui", help="the MLflow UI on the tracking store (default runs/mlflow.db)")
    ui.add_argument(
        "--tracking-uri", help="store to browse (default: MLFLOW_TRACKING_URI or runs/)"
    )
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=_positive_int, default=5000)
    ui.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="server processes (default 1; a team's UI: more)",
    )
    ui.set_defaults(func=_cmd_ui)
    lab = sub.add_parser("lab", help="JupyterLab on notebooks/ (as root too)")
    lab.add_argument("--port", type=_positive_int)
    lab.add_argument("--no-browser", action="store_true")
    lab.set_defaults(func=_cmd_lab)
    render = sub.add_parser(
        "render", help="re-execute committed notebooks in the full profile and store their outputs"
    )
    render.add_argument("notebooks", nargs="*", help="notebook paths (default: all in notebooks/)")
    render.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="full",
        help="profile to render in (default full); a notebook committed in another profile (tests/notebooks.yaml "
        "render_profile) is rendered with that --profile (make notebooks does both)",
    )
    render.set_defaults(func=_cmd_render)
    return parser


def _tracking_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tracking-uri",
        help="MLflow tracking server or store (default: MLFLOW_TRACKING_URI, else sqlite under runs/)",
    )
    parser.add_argument(
        "--experiment", default="finrisk", help="MLflow experiment name (default: finrisk)"
    )
    parser.add_argument(
        "--no-track",
        action="store_true",
        help="do not record the run in MLflow (also: FINRISK_NO_TRACK=1)",
    )


def _one_line(exc: BaseException, command: str) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text.removeprefix(f"{command}: ")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; bad input is one line on stderr and exit status 2 (1 for a failure such as an
    unreachable scheduler or an unwritable file), never a traceback."""
    args = build_parser().parse_args(argv)
    prog = f"finrisk {args.command}"
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"{prog}: {_one_line(exc, args.command)}", file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError, NotADirectoryError) as exc:
        # raised by the checks of the runner, sweep and report: the user's input is wrong
        print(f"{prog}: {_one_line(exc, args.command)}", file=sys.stderr)
        return 2
    except OSError as exc:  # unreachable scheduler, permission denied, disk full
        print(f"{prog}: {_one_line(exc, args.command)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
