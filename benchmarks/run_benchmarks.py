"""Benchmarks of the workbench (figures printed and written to benchmarks/results.json; never asserted).

(a) wall time and peak kernel memory of every notebook in the quick and the full profile;
(b) a sweep of 8 quick runs with 1 worker and with 2 workers, and the speed-up;
(c) ``make run`` (every notebook, quick profile) on 1 and on 2 workers, timed in the same invocation, as a ratio;
(d) training throughput (samples/s) of the LSTM and CNN builders on each installed Keras backend (TensorFlow,
    JAX), same data and seed, beside bare Keras models of the same shape (the builders' overhead, if any);
(e) the time per epoch of ``fit_model`` on a small network (the notebooks' typical size), with the validation rows
    handed to Keras as a dataset (as ``fit_model`` does) and as arrays, in one process;
(f) the time to fit a seed ensemble of small LSTMs (the quick profile's size) with each network tracing its own
    graphs and with the graphs traced once and reused (``finrisk_utils.models.graph_reuse``), in one process.
Run with ``make bench`` (add ``--skip-full`` to skip the full-profile notebook runs, the slow part;
``--only run-speedup --notebooks A B`` times just the parallel run of the notebooks given).
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


def run_speedup(notebooks: list[Path] | None = None, profile: str = "quick") -> dict[str, object]:
    """``make run`` (``finrisk run``) of ``notebooks`` (default: all) on 1 and on 2 workers, in this one
    invocation, and the ratio of the wall times."""
    from finrisk_utils.workbench.runner import discover_notebooks, run_notebooks

    notebooks = notebooks or discover_notebooks()
    times, statuses = {}, {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            runs = run_notebooks(notebooks, out, profile=profile, workers=workers, log=False)
            times[workers] = time.perf_counter() - start
            statuses[workers] = {r.notebook: r.status for r in runs}
    result = {
        "notebooks": [Path(n).stem for n in notebooks],
        "profile": profile,
        "status": statuses[2],
        "seconds_1_worker": round(times[1], 1),
        "seconds_2_workers": round(times[2], 1),
        "speedup": round(times[1] / times[2], 2),
    }
    print(result, flush=True)
    return result


def _bare_models(window: int, units: int = 32) -> dict[str, object]:
    """Plain Keras models of the builders' shapes (same layers and widths, no project code): the yardstick."""
    import keras

    def two_output_mse(
        y_true, y_pred
    ):  # y is (batch,), the head (batch, 2) like the quantile/ES pair
        return keras.ops.mean(keras.ops.square(keras.ops.reshape(y_true, (-1, 1)) - y_pred))

    def quantile_head(x, inputs, name):
        model = keras.Model(inputs, keras.layers.Dense(2)(x), name=name)
        model.compile(optimizer="adam", loss=two_output_mse)
        return model

    inputs = keras.Input(shape=(window, 2))
    regressor = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.LSTM(units)(inputs)))
    regressor.compile(optimizer="adam", loss="mse")
    lstm_in = keras.Input(shape=(window, 2))
    cnn_in = keras.Input(shape=(window, 2))
    x = keras.layers.Conv1D(units, 5, padding="causal", activation="relu")(cnn_in)
    x = keras.layers.Conv1D(units, 5, padding="causal", activation="relu", dilation_rate=2)(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    return {
        "bare lstm_regressor(32)": regressor,
        "bare lstm_quantile_es(32)": quantile_head(
            keras.layers.LSTM(units)(lstm_in), lstm_in, "bare_lstm"
        ),
        "bare cnn_quantile_es(32)": quantile_head(x, cnn_in, "bare_cnn"),
    }


def training_throughput(
    n: int = 8192, window: int = 60, epochs: int = 2, repeats: int = 3
) -> list[dict[str, object]]:
    """Samples/s of the builders and of bare Keras models of the same shape, on the backend of this process: the
    median (and range) of ``repeats`` timed fits of ``epochs`` epochs on ``n`` samples."""
    import keras

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
        **_bare_models(window),
    }
    backend = keras.backend.backend()
    rows = []
    for name, model in models.items():
        model.fit(
            X[:512], y[:512], epochs=1, batch_size=128, verbose=0
        )  # compile/trace outside the timing
        rates = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.fit(X, y, epochs=epochs, batch_size=128, verbose=0)
            rates.append(n * epochs / (time.perf_counter() - start))
        rows.append(
            {
                "backend": backend,
                "model": name,
                "params": model.count_params(),
                "window": window,
                "samples_per_s": round(float(np.median(rates))),
                "min_max": f"{min(rates):.0f}-{max(rates):.0f}",
            }
        )
        print(rows[-1], flush=True)
    return rows


def throughput_per_backend(n: int = 8192, epochs: int = 2) -> list[dict[str, object]]:
    """:func:`training_throughput` in a fresh process per installed backend (Keras fixes its backend at
    import): TensorFlow, and JAX where installed (``pip install -e '.[jax]'``)."""
    import importlib.util
    import os

    rows = []
    for backend in ("tensorflow", "jax"):
        if importlib.util.find_spec(backend) is None:
            print(f"{backend}: not installed, skipped", flush=True)
            continue
        proc = subprocess.run(
            [sys.executable, __file__, "--throughput-only", "--n", str(n), "--epochs", str(epochs)],
            capture_output=True,
            text=True,
            env={**os.environ, "KERAS_BACKEND": backend},
        )
        if proc.returncode != 0:
            print(f"{backend}: failed: {proc.stderr[-500:]}", flush=True)
            continue
        rows += json.loads(proc.stdout.strip().splitlines()[-1])
    return rows


def fit_overhead(epochs: int = 31, repeats: int = 3) -> dict[str, float]:
    """Seconds per epoch of :func:`~finrisk_utils.models.training.fit_model` (validation rows as a batched
    dataset) and of Keras's own ``model.fit`` with the same early stopping and the validation rows as arrays
    (Keras's default, which rebuilds its array pipeline every epoch), on a small dense classifier (800 training
    and 200 validation rows, 20 features, batch 64): the fit of ``epochs`` epochs minus a one-epoch fit
    (tracing), over ``epochs - 1``, the median of ``repeats``."""
    import keras

    from finrisk_utils import setup
    from finrisk_utils.models.dense import build_dense_classifier
    from finrisk_utils.models.training import fit_model

    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 20)).astype("float32")
    y = (X[:, 0] + rng.normal(size=1000) > 0).astype("float32")

    def keras_fit(model: keras.Model, n: int) -> None:
        stop = keras.callbacks.EarlyStopping(patience=n, restore_best_weights=True)
        model.fit(
            X[:800], y[:800], validation_data=(X[800:], y[800:]), epochs=n, batch_size=64,
            callbacks=[stop], verbose=0,
        )  # fmt: skip

    fits = {
        "dataset": lambda model, n: fit_model(
            model, X[:800], y[:800], X[800:], y[800:], epochs=n, patience=n
        ),
        "arrays": keras_fit,
    }
    result: dict[str, float] = {}
    for label, fit in fits.items():
        per_epoch = []
        for r in range(repeats):
            seconds = []
            for n in (1, epochs):
                setup(r)
                model = build_dense_classifier(20, hidden=(100,), dropout=0.5)
                start = time.perf_counter()
                fit(model, n)
                seconds.append(time.perf_counter() - start)
            per_epoch.append((seconds[1] - seconds[0]) / (epochs - 1))
        result[f"seconds_per_epoch_validation_{label}"] = round(float(np.median(per_epoch)), 4)
    print(result, flush=True)
    return result


def graph_reuse_saving(seeds: int = 5, epochs: int = 3) -> dict[str, float]:
    """Seconds to fit ``seeds`` LSTMs of one architecture (window 20, 8 units, ``epochs`` epochs of 1,200
    windows with early stopping) with ``FINRISK_REUSE_GRAPHS=0`` (each network traces its graphs) and with reuse
    (one trace, a twin fitted for every seed; the weights are the same, a test pins them), same process."""
    import os

    from finrisk_utils import setup
    from finrisk_utils.models import build_recurrent_regressor, fit_model

    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 20, 1)).astype("float32")
    y = (0.5 * X[:, -1, 0] + rng.normal(size=1500)).astype("float32")
    result: dict[str, float] = {}
    before = os.environ.get("FINRISK_REUSE_GRAPHS")
    for label, flag in (("traced_per_network", "0"), ("reused", "1")):
        os.environ["FINRISK_REUSE_GRAPHS"] = flag
        start = time.perf_counter()
        for seed in range(seeds):
            setup(seed)
            model = build_recurrent_regressor(20, 1, units=8)
            fit_model(model, X[:1200], y[:1200], X[1200:], y[1200:], epochs=epochs)
        result[f"seconds_{seeds}_seeds_{label}"] = round(time.perf_counter() - start, 2)
    if before is None:
        os.environ.pop("FINRISK_REUSE_GRAPHS")
    else:  # leave the caller's setting as it was
        os.environ["FINRISK_REUSE_GRAPHS"] = before
    print(result, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-full", action="store_true", help="time the quick profile only")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["notebooks", "sweep", "run-speedup", "training", "fit-overhead", "graph-reuse"],
        help="run only these parts",
    )
    parser.add_argument("--notebooks", nargs="+", type=Path, help="notebooks for run-speedup")
    parser.add_argument("--n", type=int, default=8192, help="training samples for throughput")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--throughput-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.throughput_only:  # a child of throughput_per_backend: rows as JSON on the last line
        rows = training_throughput(n=args.n, epochs=args.epochs)
        print(json.dumps(rows))
        return
    import os

    parts = set(
        args.only
        or ["notebooks", "sweep", "run-speedup", "training", "fit-overhead", "graph-reuse"]
    )
    results: dict[str, object] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        }
    }
    if "notebooks" in parts:
        results["notebooks"] = notebook_runs(["quick"] if args.skip_full else ["quick", "full"])
    if "sweep" in parts:
        results["sweep"] = sweep_speedup()
    if "run-speedup" in parts:
        results["run"] = run_speedup(args.notebooks)
    if "training" in parts:
        results["training"] = throughput_per_backend(n=args.n, epochs=args.epochs)
    if "fit-overhead" in parts:
        results["fit_overhead"] = fit_overhead()
    if "graph-reuse" in parts:
        results["graph_reuse"] = graph_reuse_saving()
    # a partial run (--only) leaves the full results alone
    target = (
        ROOT / "benchmarks" / "results.json" if not args.only else ROOT / "build" / "bench.json"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2) + "\n")
    import pandas as pd

    if "notebooks" in results:
        print("\n" + pd.DataFrame(results["notebooks"]).to_markdown(index=False))
    if "sweep" in results:
        sw = results["sweep"]
        print(
            f"\nsweep of {sw['runs']} quick runs: 1 worker {sw['seconds_1_worker']} s, "
            f"2 workers {sw['seconds_2_workers']} s, speed-up {sw['speedup']}x"
        )
    if "run" in results:
        run = results["run"]
        print(
            f"\nfinrisk run of {len(run['notebooks'])} notebooks ({run['profile']}): 1 worker "
            f"{run['seconds_1_worker']} s, 2 workers {run['seconds_2_workers']} s, "
            f"speed-up {run['speedup']}x"
        )
    if results.get("training"):
        print("\n" + pd.DataFrame(results["training"]).to_markdown(index=False))
    if "fit_overhead" in results:
        fo = results["fit_overhead"]
        print(
            f"\nfit_model, small network, seconds per epoch: validation as a dataset "
            f"{fo['seconds_per_epoch_validation_dataset']}, as arrays {fo['seconds_per_epoch_validation_arrays']}"
        )
    if "graph_reuse" in results:
        print(f"\nseed ensemble of small LSTMs, seconds: {results['graph_reuse']}")


if __name__ == "__main__":
    main()
