"""Planted-bug check (mutation testing by hand): do the science tests catch plausible bugs?

Each mutation is a small source edit that a tired author could make (a wrong degree of freedom, a flipped
one-sided branch, a refit that sees one step ahead, a scaler fitted on every row, a network that ignores its
inputs, ...). For each one, in turn, the package and the tests are copied to a temporary directory, the edit is
applied to the *copy* (the working tree is never touched), and the relevant fast test files run there with
pytest; the table printed at the end says which test caught the bug, or that it was missed.

Run with ``make mutate`` or ``.venv/bin/python benchmarks/mutate.py [name ...]`` (names select mutations).
Not part of the test suite: it takes a few minutes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINNED = "tests/test_pinned_pvalues.py"
LEAK = "tests/test_leakage_refits.py"
DEEP = "tests/test_deep_known_structure.py"
DETECT = "tests/test_detectors_and_plots.py"


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str  # relative to the repository root
    edits: tuple[tuple[str, str], ...]  # (old, new), each old must occur exactly once
    tests: tuple[str, ...]  # pytest node ids or files
    keyword: str = ""  # optional pytest -k expression


MUTATIONS = [
    Mutation(
        "christoffersen_cc_df1",
        "finrisk_utils/market/backtest.py",
        (("stats.chi2.sf(lr_cc, 2)", "stats.chi2.sf(lr_cc, 1)"),),
        (PINNED,),
        "christoffersen",
    ),
    Mutation(
        "christoffersen_ind_df2",
        "finrisk_utils/market/backtest.py",
        (("stats.chi2.sf(lr_ind, 1)", "stats.chi2.sf(lr_ind, 2)"),),
        (PINNED,),
        "christoffersen",
    ),
    Mutation(
        "kupiec_alpha_swapped",
        "finrisk_utils/market/backtest.py",
        (
            (
                "xlogy(n - x, 1 - alpha) + xlogy(x, alpha)",
                "xlogy(n - x, alpha) + xlogy(x, 1 - alpha)",
            ),
        ),
        (PINNED,),
        "kupiec",
    ),
    Mutation(
        "dm_less_branch_flipped",
        "finrisk_utils/forecasting/compare.py",
        (
            (
                '    elif alternative == "less":\n        p = dist.cdf(stat)',
                '    elif alternative == "less":\n        p = dist.sf(stat)',
            ),
        ),
        (PINNED,),
        "dm",
    ),
    Mutation(
        "dm_hln_factor_wrong_h",
        "finrisk_utils/forecasting/compare.py",
        (("horizon * (horizon - 1) / n) / n", "horizon * (horizon + 1) / n) / n"),),
        (PINNED,),
        "dm",
    ),
    Mutation(
        "delong_m_n_swapped",
        "finrisk_utils/credit/metrics.py",
        (("s10 / len(v10[0]) + s01 / len(v01[0])", "s10 / len(v01[0]) + s01 / len(v10[0])"),),
        (PINNED,),
        "delong",
    ),
    Mutation(
        "psi_off_by_one_bins",
        "finrisk_utils/credit/metrics.py",
        (("np.linspace(0, 1, n_bins + 1)", "np.linspace(0, 1, n_bins)"),),
        (PINNED,),
        "psi",
    ),
    Mutation(
        "direct_ar_refit_sees_one_step_ahead",
        "finrisk_utils/forecasting/baselines.py",
        (
            ("np.ones(p - horizon - lags + 2)", "np.ones(p - horizon - lags + 3)"),
            ("p - horizon + 1 - j]", "p - horizon + 2 - j]"),
            ("y[lags - 1 + horizon : p + 1]", "y[lags - 1 + horizon : p + 2]"),
        ),
        (LEAK,),
        "direct_ar",
    ),
    Mutation(
        "ar_one_step_fits_on_forecast_date",
        "finrisk_utils/forecasting/baselines.py",
        (("AutoReg(values[:p]", "AutoReg(values[: p + 1]"),),
        (LEAK,),
        "ar_one_step",
    ),
    Mutation(
        "hs_window_includes_forecast_day",
        "finrisk_utils/market/var_models.py",
        (("x[p - window + 1 : p + 1]", "x[p - window + 2 : p + 2]"),),
        (LEAK,),
        "hs",
    ),
    Mutation(
        "hs_window_one_short",
        "finrisk_utils/market/var_models.py",
        (("x[p - window + 1 : p + 1]", "x[p - window + 2 : p + 1]"),),
        (LEAK,),
        "hs",
    ),
    Mutation(
        "dns_refit_sees_one_more_pair",
        "finrisk_utils/rates/dns.py",
        (
            (
                "c, g = _expanding_ols(b[:-horizon], b[horizon:], pos - horizon)",
                "c, g = _expanding_ols(b[:-horizon], b[horizon:], pos - horizon + 1)",
            ),
        ),
        (LEAK,),
        "dns",
    ),
    Mutation(
        "sarima_refit_on_all_data",
        "finrisk_utils/inflation/sarima.py",
        (
            (
                "res, w = _fit(endog, order, seasonal_order)",
                "res, w = _fit(values, order, seasonal_order)",
            ),
        ),
        (LEAK,),
        "sarima",
    ),
    Mutation(
        "train_scaler_fitted_on_all_rows",
        "finrisk_utils/core/timeseries.py",
        (("train = data[data.index < train_end]", "train = data"),),
        (LEAK,),
        "scaler",
    ),
    Mutation(
        "direct_net_scaler_on_all_rows",
        "finrisk_utils/forecasting/direct.py",
        (
            ("x_mean = x_all[: fit_o[-1] + 1].mean(axis=0)", "x_mean = x_all.mean(axis=0)"),
            ("x_sd = x_all[: fit_o[-1] + 1].std(axis=0)", "x_sd = x_all.std(axis=0)"),
        ),
        (LEAK,),
        "direct_deep",
    ),
    Mutation(
        "direct_net_ignores_inputs",
        "finrisk_utils/forecasting/direct.py",
        (
            (
                "out = model.predict(np.ascontiguousarray(windows[pos[start:stop] - w + 1]), verbose=0)",
                "out = model.predict(0 * np.ascontiguousarray(windows[pos[start:stop] - w + 1]), verbose=0)",
            ),
        ),
        (DEEP,),
        "direct",
    ),
    Mutation(
        "deep_var_scale_from_all_returns",
        "finrisk_utils/market/deep_var.py",
        (("s = float(returns[returns.index < train_end].std())", "s = float(returns.std())"),),
        (LEAK,),
        "deep_var",
    ),
    Mutation(
        "deep_var_ignores_inputs",
        "finrisk_utils/market/deep_var.py",
        (("model.predict(np.ascontiguousarray(X)", "model.predict(0 * np.ascontiguousarray(X)"),),
        (DEEP,),
        "deep_var",
    ),
    Mutation(
        "detectors_train_on_frauds_too",
        "finrisk_utils/fraud/detectors.py",
        (
            (
                "unlabelled = contaminated_training(train, contamination, seed=seed)",
                "unlabelled = train",
            ),
        ),
        (DETECT,),
        "normal or planted",
    ),
    Mutation(
        "iforest_score_direction_flipped",
        "finrisk_utils/fraud/detectors.py",
        (
            (
                "lambda d: -forest.score_samples(encode(d))",
                "lambda d: forest.score_samples(encode(d))",
            ),
        ),
        (DETECT,),
        "planted",
    ),
]


def _copy_tree(dest: Path) -> None:
    shutil.copytree(
        ROOT / "finrisk_utils", dest / "finrisk_utils", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        ROOT / "tests",
        dest / "tests",
        ignore=shutil.ignore_patterns("__pycache__", "fixtures", "*.ipynb"),
    )
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")


def _apply(dest: Path, m: Mutation) -> str | None:
    """Apply the edits to the copy; the reason when they cannot be applied (the source moved on)."""
    path = dest / m.file
    text = path.read_text()
    for old, new in m.edits:
        count = text.count(old)
        if count != 1:
            return f"pattern found {count} times: {old[:60]!r}"
        text = text.replace(old, new)
    path.write_text(text)
    return None


def _run_pytest(dest: Path, m: Mutation) -> tuple[int, str]:
    env = os.environ | {
        "PYTHONPATH": str(dest),
        "CUDA_VISIBLE_DEVICES": "",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    cmd = [sys.executable, "-m", "pytest", *m.tests, "-x", "-q", "-p", "no:cacheprovider", "-rf"]
    if m.keyword:
        cmd += ["-k", m.keyword]
    proc = subprocess.run(cmd, cwd=dest, env=env, capture_output=True, text=True, timeout=900)
    return proc.returncode, proc.stdout + proc.stderr


def _uses_copy(dest: Path) -> bool:
    env = os.environ | {"PYTHONPATH": str(dest)}
    out = subprocess.run(
        [sys.executable, "-c", "import finrisk_utils.credit.metrics as m; print(m.__file__)"],
        cwd=dest,
        env=env,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().startswith(str(dest))


def main(selected: list[str]) -> int:
    mutations = [m for m in MUTATIONS if not selected or m.name in selected]
    rows = []
    for m in mutations:
        tic = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="finrisk-mutant-") as tmp:
            dest = Path(tmp)
            _copy_tree(dest)
            if not _uses_copy(dest):
                raise SystemExit(
                    "the copied package is not the one imported; check PYTHONPATH handling"
                )
            problem = _apply(dest, m)
            if problem:
                rows.append((m.name, "n/a", problem, 0.0))
                continue
            rc, out = _run_pytest(dest, m)
        failed = re.findall(r"^FAILED (\S+)", out, flags=re.MULTILINE)
        if rc == 1 and failed:
            verdict, where = "caught", failed[0].split(" ")[0]
        elif rc == 0:
            verdict, where = "MISSED", ""
        else:
            verdict, where = (
                f"error rc={rc}",
                out.strip().splitlines()[-1][:100] if out.strip() else "",
            )
        rows.append((m.name, verdict, where, time.perf_counter() - tic))
        print(f"{m.name:38s} {verdict:8s} {where}", flush=True)
    print()
    print(f"| {'bug':38s} | result | test that failed first | seconds |")
    print(f"|{'-' * 40}|--------|{'-' * 23}|---------|")
    for name, verdict, where, sec in rows:
        print(f"| {name:38s} | {verdict} | {where} | {sec:.0f} |")
    missed = sum(v == "MISSED" for _, v, _, _ in rows)
    print(
        f"\n{len(rows) - missed} of {len(rows)} planted bugs caught or not applicable; {missed} missed"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
