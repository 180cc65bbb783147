"""Benchmarks of the workbench (figures printed and written to benchmarks/results.json; never asserted).

(a) wall time and peak kernel memory of every notebook in the quick and the full profile;
(b) a sweep of 8 quick runs with 1 worker and with 2 workers, and the speed-up;
(c) training throughput (samples/s) of the LSTM and CNN builders;
Run with ``make bench`` (add ``--skip-full`` to skip the full-profile notebook runs, the slow part).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

MEASURE = """
import resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], capture_output=True).returncode
print(rc, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def notebook_runs(profiles: list[str]) -> list[dict[str, object]]:
    from finrisk_utils.workbench.runner import discover_notebooks

    rows = []
    for nb in discover_notebooks():
        for profile in profiles:
            with tempfile.TemporaryDirectory() as out:
                cmd = [
                    sys.executable,
                    "-m",
                    "finrisk_utils.workbench.cli",
                    "run",
                    str(nb),
                    "--profile",
                    profile,
                    "--out",
                    out,
                ]
                rc, seconds, rss_kib = subprocess.run(
                    [sys.executable, "-c", MEASURE, *cmd],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.split()
            rows.append(
                {
                    "notebook": nb.stem,
                    "profile": profile,
                    "ok": rc == "0",
                    "seconds": round(float(seconds), 1),
                    "peak_rss_mib": round(int(rss_kib) / 1024),
                }
            )
            print(rows[-1], flush=True)
    return rows


def sweep_speedup(n_runs: int = 8) -> dict[str, float]:
    from finrisk_utils.workbench.sweep import sweep

    notebook = ROOT / "notebooks" / "00_data_tour.ipynb"
    times = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            table = sweep(notebook, {"seed": list(range(n_runs))}, out=out, workers=workers)
            times[workers] = time.perf_counter() - start
            assert (table["status"] == "ok").all()
    result = {
        "runs": n_runs,
        "seconds_1_worker": round(times[1], 1),
        "seconds_2_workers": round(times[2], 1),
        "speedup": round(times[1] / times[2], 2),
    }
    print(result, flush=True)
    return result


def training_throughput(
    n: int = 8192, window: int = 60, epochs: int = 2
) -> list[dict[str, object]]:
    from finrisk_utils import setup
    from finrisk_utils.models.quantile import build_quantile_es_network
    from finrisk_utils.models.recurrent import build_recurrent_regressor

    setup(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, window, 2)).astype("float32")
    y = rng.normal(size=n).astype("float32")
    models = {
        "lstm_regressor(32)": build_recurrent_regressor(window, 2, units=32),
        "lstm_quantile_es(32)": build_quantile_es_network(
            window, 2, alpha=0.01, q0=-2.3, e0=-2.7, kind="lstm"
        ),
        "cnn_quantile_es(32)": build_quantile_es_network(
            window, 2, alpha=0.01, q0=-2.3, e0=-2.7, kind="cnn"
        ),
    }
    rows = []
    for name, model in models.items():
        model.fit(
            X[:512], y[:512], epochs=1, batch_size=128, verbose=0
        )  # compile/trace outside the timing
        start = time.perf_counter()
        model.fit(X, y, epochs=epochs, batch_size=128, verbose=0)
        rows.append(
            {
                "model": name,
                "window": window,
                "samples_per_s": round(n * epochs / (time.perf_counter() - start)),
            }
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-full", action="store_true", help="time the quick profile only")
    args = parser.parse_args()
    import os

    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "notebooks": notebook_runs(["quick"] if args.skip_full else ["quick", "full"]),
        "sweep": sweep_speedup(),
        "training": training_throughput(),
    }
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    import pandas as pd

    print("\n" + pd.DataFrame(results["notebooks"]).to_markdown(index=False))
    print(
        f"\nsweep of {results['sweep']['runs']} quick runs: 1 worker {results['sweep']['seconds_1_worker']} s, "
        f"2 workers {results['sweep']['seconds_2_workers']} s, speed-up {results['sweep']['speedup']}x"
    )
    print("\n" + pd.DataFrame(results["training"]).to_markdown(index=False))


if __name__ == "__main__":
    main()
