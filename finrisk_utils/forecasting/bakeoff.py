"""A fair bake-off of network families: each family picks its hyper-parameters on the validation period only
(first seed), then is refitted with several seeds. The forecast that is tested is each family's seed ensemble
(the mean over seeds), with the spread over seeds shown beside it; tests use the shared protocol
(:func:`~finrisk_utils.forecasting.compare.compare_forecasts`) per loss and horizon."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from finrisk_utils.core.config import setup
from finrisk_utils.core.validation import as_float_array, check_positive_int
from finrisk_utils.forecasting.compare import (
    DIFFERENCE_LOSSES,
    ComparisonResult,
    best_trained,
    compare_forecasts,
    display_names,
    format_pvalue,
    holm_across,
    nested_inputs,
    seed_ensemble,
)
from finrisk_utils.forecasting.direct import DirectForecast, DirectNetSpec, direct_deep_forecast
from finrisk_utils.forecasting.metrics import mae, qlike, rmse

__all__ = [
    "BAKEOFF_LOSSES",
    "FamilyResult",
    "bakeoff_metrics",
    "bakeoff_table",
    "compare_bakeoff",
    "ensemble_forecasts",
    "family_training_text",
    "run_family",
    "verdict_bottom_line",
    "verdict_summary",
    "verdict_table",
    "volatility_losses",
]

#: Losses of the bake-off: squared error of the log-volatility forecast, and QLIKE of the implied variance.
BAKEOFF_LOSSES = ("mse", "qlike")


@dataclass(frozen=True)
class FamilyResult:
    """The ``chosen`` spec, each candidate's best validation loss (MSE on scaled targets, first seed), and one
    :class:`DirectForecast` per seed (same order as the seeds)."""

    chosen: DirectNetSpec
    validation_loss: dict[str, float]
    runs: list[DirectForecast]

    @property
    def trained_share(self) -> float:
        """Share of all fits (every seed, every re-estimation) whose network trained: beat the constant on
        validation after the first epoch (:attr:`~finrisk_utils.models.training.FitResult.trained`; unknown
        counts as not trained)."""
        flags = [bool(f.trained) for r in self.runs for f in r.fits]
        return float(np.mean(flags)) if flags else float("nan")

    @property
    def trained(self) -> bool:
        """True only if every fit of every seed trained."""
        return self.trained_share == 1.0

    def training_summary(self) -> dict[str, float | int]:
        """How the family's fits (every seed, every re-estimation) trained: ``fits``; the kept epoch's median,
        minimum and maximum (1-based); the most epochs any fit ran; ``still_improving_share`` (fits whose kept
        epoch was their last, :attr:`~finrisk_utils.models.training.FitResult.still_improving`);
        ``val_to_naive_median``, the median ratio of the kept validation loss to the naive (constant) predictor's
        (below 1: better than the constant; NaN where no fit has a naive loss); ``trained_share``."""
        fits = [f for r in self.runs for f in r.fits]
        if not fits:
            raise ValueError("FamilyResult.training_summary: the family has no fits")
        kept = np.array([f.best_epoch for f in fits])
        ratios = [f.best_val_loss / f.naive_val_loss for f in fits if f.naive_val_loss]
        return {
            "fits": len(fits),
            "kept_epoch_median": float(np.median(kept)),
            "kept_epoch_min": int(kept.min()),
            "kept_epoch_max": int(kept.max()),
            "epochs_run_max": max(f.epochs_run for f in fits),
            "still_improving_share": float(np.mean([f.still_improving for f in fits])),
            "val_to_naive_median": float(np.median(ratios)) if ratios else float("nan"),
            "trained_share": self.trained_share,
        }


def family_training_text(families: Mapping[str, FamilyResult]) -> str:
    """Markdown: each family's median kept epoch and trained share over its fits, and the families some of whose
    fits kept their last epoch (validation loss still falling when the epoch budget ran out: more epochs might
    have helped them)."""
    if not isinstance(families, Mapping) or not families:
        raise ValueError(
            "family_training_text: families must be a non-empty mapping name -> FamilyResult"
        )
    summary = {}
    for name, fam in families.items():
        if not isinstance(fam, FamilyResult):
            raise TypeError(
                f"family_training_text: families[{name!r}] must be a FamilyResult, got {type(fam).__name__}"
            )
        summary[name] = fam.training_summary()
    text = "Kept epoch (median over fits) and share of fits trained: " + "; ".join(
        f"{n} epoch {s['kept_epoch_median']:g} of at most {s['epochs_run_max']}, {s['trained_share']:.0%} trained"
        for n, s in summary.items()
    )
    late = {
        n: s["still_improving_share"] for n, s in summary.items() if s["still_improving_share"] > 0
    }
    if not late:
        return text + ". Every fit stopped early: none kept its last epoch."
    return (
        text
        + ". Kept their last epoch, so their validation loss was still falling when the epoch budget ran out "
        + "(more epochs might have lowered it): "
        + ", ".join(f"{n} in {v:.0%} of fits" for n, v in late.items())
        + "."
    )


def _label(spec: DirectNetSpec) -> str:
    return f"{spec.kind}(window={spec.window}, units={spec.units})"


def run_family(
    features: pd.DataFrame,
    targets: pd.DataFrame,
    origins: pd.DatetimeIndex,
    horizons: Sequence[int],
    candidates: Sequence[DirectNetSpec],
    seeds: Sequence[int],
) -> FamilyResult:
    """Fit every candidate with ``seeds[0]`` and keep the one with the lowest validation loss of its first
    estimation among those whose first estimation trained (among all where none did:
    :func:`~finrisk_utils.forecasting.compare.best_trained`); fit it again with each further seed. Test-period data play no part in the choice (the networks never train on them, and the
    validation windows precede the first origin)."""
    if not candidates or not seeds:
        raise ValueError("need at least one candidate spec and one seed")
    first: dict[str, DirectForecast] = {}
    for spec in candidates:
        setup(seeds[0], plot_style=False)
        first[_label(spec)] = direct_deep_forecast(features, targets, origins, horizons, spec)
    val = {k: min(r.fits[0].val_loss) for k, r in first.items()}
    best = list(val)[best_trained(list(val.values()), [r.fits[0].trained for r in first.values()])]
    chosen = next(s for s in candidates if _label(s) == best)
    runs = [first[best]]
    for seed in seeds[1:]:
        setup(seed, plot_style=False)
        runs.append(direct_deep_forecast(features, targets, origins, horizons, chosen))
    return FamilyResult(chosen, val, runs)


def _series_forecasts(
    baselines: Mapping[str, Mapping[int, pd.Series]], families: Mapping[str, FamilyResult]
) -> dict[str, list[dict[int, pd.Series]]]:
    """Per model, one ``{h: Series}`` per seed (a single one for the deterministic baselines)."""
    if not isinstance(baselines, Mapping) or not isinstance(families, Mapping):
        raise TypeError("baselines and families must be mappings name -> forecasts / FamilyResult")
    runs = {
        name: [{h: s.rename("log_vol") for h, s in by_h.items()}]
        for name, by_h in baselines.items()
    }
    for name, fam in families.items():
        if not isinstance(fam, FamilyResult):
            raise TypeError(f"families[{name!r}] must be a FamilyResult, got {type(fam).__name__}")
        runs[name] = [
            {h: r.forecasts[h].iloc[:, 0].rename("log_vol") for h in r.forecasts} for r in fam.runs
        ]
    return runs


def ensemble_forecasts(
    baselines: Mapping[str, Mapping[int, pd.Series]],
    families: Mapping[str, FamilyResult],
    dates: Mapping[int, pd.DatetimeIndex],
) -> dict[str, dict[int, pd.Series]]:
    """The forecast each model is tested with, on ``dates[h]`` (target dates) per horizon: the baseline itself,
    or a family's seed ensemble (:func:`~finrisk_utils.forecasting.compare.seed_ensemble`, the mean over seeds).
    Raises if a forecast does not cover the dates."""
    out: dict[str, dict[int, pd.Series]] = {}
    for name, per_seed in _series_forecasts(baselines, families).items():
        out[name] = {}
        for h, idx in dates.items():
            missing = [fc for fc in per_seed if h not in fc or not idx.isin(fc[h].index).all()]
            if missing:
                raise ValueError(
                    f"ensemble_forecasts: {name!r} does not cover the dates of horizon {h}"
                )
            out[name][h] = cast(
                pd.Series, seed_ensemble([fc[h].loc[idx] for fc in per_seed])
            ).rename(name)
    return out


def volatility_losses(
    actual: pd.Series, forecasts: Mapping[str, pd.Series], loss: str
) -> pd.DataFrame:
    """Per-date losses (dates x models) of log-volatility forecasts on the forecasts' dates.

    ``"mse"``: ``(y - f)^2`` on log annualised volatility. ``"qlike"``: Patton's (2011) ``r - ln r - 1`` with
    ``r = exp(2 y) / exp(2 f)``, the volatility proxy's annualised variance over the forecast mapped to a variance
    by ``exp(2 f)`` (no Jensen correction: a model that wants one, e.g. ``har_jensen``, builds it into ``f``).
    """
    where = "volatility_losses"
    if loss not in BAKEOFF_LOSSES:
        raise ValueError(f"{where}: loss must be one of {BAKEOFF_LOSSES}, got {loss!r}")
    if not isinstance(actual, pd.Series):
        raise TypeError(f"{where}: actual must be a Series, got {type(actual).__name__}")
    if not isinstance(forecasts, Mapping) or not forecasts:
        raise ValueError(f"{where}: forecasts must be a non-empty mapping model -> Series")
    first = next(iter(forecasts.values()))
    if not first.index.isin(actual.index).all():
        raise ValueError(f"{where}: actual lacks some forecast dates")
    y = as_float_array(actual.loc[first.index], "actual", where=where)
    out = {}
    for name, fc in forecasts.items():
        if not isinstance(fc, pd.Series) or not fc.index.equals(first.index):
            raise ValueError(f"{where}: forecasts[{name!r}] must be a Series on the same dates")
        f = as_float_array(fc, f"forecasts[{name!r}]", where=where)
        if loss == "mse":
            out[name] = (y - f) ** 2
        else:
            r = np.exp(2 * (y - f))
            out[name] = r - 2 * (y - f) - 1
    return pd.DataFrame(out, index=first.index)


def bakeoff_table(
    actual: pd.Series,
    baselines: dict[str, dict[int, pd.Series]],
    families: dict[str, FamilyResult],
    benchmark: str | None = None,
) -> pd.DataFrame:
    """Accuracy per (model, horizon) on log volatility, on the benchmark's (first baseline's) target dates.

    ``bias`` (mean of actual - forecast), ``rmse``, ``mae`` and ``qlike`` (see :func:`volatility_losses`) of the
    forecast that is tested: a baseline, or a family's seed ensemble. Beside it the spread over seeds of the
    single-seed forecasts: ``rmse_seed_mean``, ``rmse_seed_std``, ``qlike_seed_mean``, ``qlike_seed_std`` (std 0
    for one seed or a baseline), ``n_seeds``; for families also ``params``, ``train_seconds`` per fit and
    ``trained_share`` (:attr:`FamilyResult.trained_share`). No tests: see :func:`compare_bakeoff`."""
    runs = _series_forecasts(baselines, families)
    bench = benchmark if benchmark is not None else next(iter(baselines))
    if bench not in runs:
        raise ValueError(
            f"bakeoff_table: benchmark {bench!r} is not among the models {sorted(runs)}"
        )
    dates = {h: s.index for h, s in runs[bench][0].items()}
    tested = ensemble_forecasts(baselines, families, dates)
    rows = []
    for name, per_seed in runs.items():
        for h, idx in dates.items():
            y = actual.loc[idx]
            per: dict[str, list[float] | np.ndarray] = {
                loss: [
                    volatility_losses(y, {"m": fc[h].loc[idx]}, loss)["m"].mean() for fc in per_seed
                ]
                for loss in BAKEOFF_LOSSES
            }
            per["mse"] = np.sqrt(per["mse"])
            f = tested[name][h]
            row = {
                "model": name,
                "horizon": h,
                "n_seeds": len(per_seed),
                "bias": float(np.mean(y - f)),
                "rmse": rmse(y, f),
                "mae": mae(y, f),
                "qlike": qlike(np.exp(2 * y), np.exp(2 * f)),
            }
            for key, values in (("rmse", per["mse"]), ("qlike", per["qlike"])):
                row |= {
                    f"{key}_seed_mean": float(np.mean(values)),
                    f"{key}_seed_std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
                }
            if name in families:
                fam_runs = families[name].runs
                row |= {
                    "params": fam_runs[0].n_params,
                    "train_seconds": float(np.mean([r.train_seconds for r in fam_runs])),
                    "trained_share": families[name].trained_share,
                }
            rows.append(row)
    return pd.DataFrame(rows).set_index(["model", "horizon"])


def compare_bakeoff(
    actual: pd.Series,
    forecasts: Mapping[str, Mapping[int, pd.Series]],
    benchmark: str,
    *,
    trained: Mapping[str, bool] | None = None,
    nested: Sequence[str] = (),
    losses: Sequence[str] = BAKEOFF_LOSSES,
    seed: int = 0,
    mcs_reps: int = 1000,
) -> dict[tuple[str, int], ComparisonResult]:
    """:func:`~finrisk_utils.forecasting.compare.compare_forecasts` per loss and horizon: every model against
    ``benchmark`` by Diebold-Mariano (Bartlett HAC variance over at least ``h - 1`` lags, HLN), Holm over every
    test reported (all trained models, losses and horizons together), the model confidence set over all models
    per loss and horizon.

    ``forecasts[model][h]``: the tested forecasts (:func:`ensemble_forecasts`), same target dates per horizon;
    ``trained``: ``False`` for a family that did not train (not tested, not interpreted); ``nested``: models
    in which the benchmark is nested, also tested by Clark-West on the ``"mse"`` loss (Holm over them, the
    verdict's "better" then needs Clark-West). Keys ``(loss, h)``."""
    if not isinstance(forecasts, Mapping) or benchmark not in forecasts:
        raise ValueError(
            f"compare_bakeoff: forecasts must be a mapping that includes {benchmark!r}"
        )
    seed = check_positive_int(seed, "seed", where="compare_bakeoff", minimum=0)
    if isinstance(nested, str) or set(nested) - set(forecasts):
        raise ValueError(
            f"compare_bakeoff: nested must be a list of forecast names, got {nested!r}"
        )
    out = {}
    for loss in losses:
        for h in forecasts[benchmark]:
            at_h = {m: by_h[h] for m, by_h in forecasts.items()}
            frame = volatility_losses(actual, at_h, loss)
            nest = (
                nested_inputs(actual, at_h, benchmark, list(nested))
                if nested and loss == "mse"
                else None
            )
            out[(loss, h)] = compare_forecasts(
                frame,
                benchmark,
                horizon=h,
                loss=loss,
                nested=nest,
                trained={m: bool(v) for m, v in (trained or {}).items()},
                seed=seed,
                mcs_reps=mcs_reps,
            )
    return holm_across(out)


def bakeoff_metrics(results: Mapping[tuple[str, int], ComparisonResult]) -> dict[str, float]:
    """Metric keys of :func:`compare_bakeoff`'s results: ``<model>.<loss>_in_mcs_h<h>`` for every loss; the
    DM p-values as ``<m>_vs_<b>.dm_pvalue_h<h>`` / ``.dm_pvalue_holm_h<h>`` for ``"mse"`` and with the loss first
    for the others (``.qlike_dm_pvalue_h<h>``, ``.qlike_dm_pvalue_holm_h<h>``)."""
    out: dict[str, float] = {}
    for (loss, h), res in results.items():
        for key, value in res.metrics(loss, h).items():
            subject, stat = key.split(".")
            if loss != "mse" and stat.startswith("dm_"):
                stat = f"{loss}_{stat}"
            out[f"{subject}.{stat}"] = value
    return out


def verdict_table(results: Mapping[tuple[str, int], ComparisonResult]) -> pd.DataFrame:
    """One row per (loss, horizon, model): the difference of mean losses from the benchmark's and their ratio
    (NaN for :data:`~finrisk_utils.forecasting.compare.DIFFERENCE_LOSSES` such as QLIKE, whose level depends on
    units), DM and Holm p-values, the Holm-adjusted Clark-West p-value of a model that nests the benchmark (NaN
    otherwise), MCS membership and the verdict (tidy, for display)."""
    frames = []
    for (loss, h), res in results.items():
        t = res.table.drop(columns=["cw_stat", "cw_pvalue", "n"]).assign(loss=loss, horizon=h)
        if loss.lower() in DIFFERENCE_LOSSES:
            t = t.assign(ratio=np.nan)
        frames.append(t)
    cols = [
        "mean_loss_diff",
        "ratio",
        "dm_stat",
        "dm_pvalue",
        "pvalue_holm",
        "cw_pvalue_holm",
        "in_mcs",
    ]
    cols += ["mcs_pvalue", "verdict"]
    return pd.concat(frames).set_index(["loss", "horizon", "model"])[cols]


def verdict_summary(
    results: Mapping[tuple[str, int], ComparisonResult], labels: Mapping[str, str] | None = None
) -> str:
    """Markdown, one bullet per (loss, horizon): which models are significantly better and which significantly
    worse than the benchmark (Holm-adjusted DM at the comparison's level, losses reported like wins; for a model
    that nests the benchmark, "better" is Clark-West's verdict and its Holm p comes first), which are
    not distinguishable, which did not train, the trained model with the lowest mean loss (a better-than-the-
    benchmark verdict need not make a model the best), and what the model confidence set keeps."""
    name = display_names(labels, "verdict_summary")
    lines = []
    for (loss, h), res in results.items():
        t = res.table.set_index("model")
        groups: dict[str, list[str]] = {}
        for m, row in t.drop(index=res.benchmark).iterrows():
            v = row["verdict"]
            key = (
                "did not train"
                if v.startswith("did not")
                else v.split(" than")[0].replace("significantly ", "")
            )
            p, cw = row["pvalue_holm"], row.get("cw_pvalue_holm", np.nan)
            tests = [f"Clark-West Holm p {format_pvalue(cw)}"] if np.isfinite(cw) else []
            tests += (
                [f"{'DM ' if tests else ''}Holm p {format_pvalue(p)}"] if np.isfinite(p) else []
            )
            groups.setdefault(key, []).append(
                f"{name(m)} ({'; '.join(tests)})" if tests else name(m)
            )
        parts = [
            f"{label}: {', '.join(groups[key]) if key in groups else 'none'}"
            for key, label in (
                ("better", "significantly better"),
                ("worse", "significantly worse"),
                ("not distinguishable from " + res.benchmark, "not distinguishable"),
                ("did not train", "did not train"),
            )
            if key in groups or key in ("better", "worse")
        ]
        kept = res.mcs.kept_text(name)
        lowest = t.loc[t["trained"].astype(bool), "mean_loss"].idxmin()
        lines.append(
            f"- **{loss.upper()}, h = {h}** (vs {name(res.benchmark)}): {'; '.join(parts)}. "
            f"Lowest mean loss: {name(lowest)}. {100 * (1 - res.mcs.size):.0f}% MCS: {kept}."
        )
    return "\n".join(lines)


def verdict_bottom_line(
    results: Mapping[tuple[str, int], ComparisonResult], labels: Mapping[str, str] | None = None
) -> str:
    """Markdown, the bottom line of :func:`verdict_summary`: per loss, the trained models significantly better
    than the benchmark at some horizon and those significantly worse at some horizon (Holm-adjusted, as in the
    tables), each with the horizons where it is (and "Clark-West" where that test gave a nested model's "better");
    "none" where no model is."""
    if not isinstance(results, Mapping) or not results:
        raise ValueError(
            "verdict_bottom_line: results must be a non-empty mapping (loss, horizon) -> result"
        )
    name = display_names(labels, "verdict_bottom_line")
    found: dict[str, dict[str, dict[tuple[str, bool], list[int]]]] = {}
    benchmarks = set()
    for (loss, h), res in results.items():
        if not isinstance(res, ComparisonResult):
            raise TypeError(
                f"verdict_bottom_line: results[{(loss, h)!r}] is not a ComparisonResult"
            )
        benchmarks.add(res.benchmark)
        by_side = found.setdefault(loss, {"better": {}, "worse": {}})
        for row in res.table.itertuples(index=False):
            for side in ("better", "worse"):
                if str(row.verdict).startswith(f"significantly {side}"):
                    # a nested model's "better" is Clark-West's verdict: say so
                    by_cw = side == "better" and np.isfinite(getattr(row, "cw_pvalue_holm", np.nan))
                    by_side[side].setdefault((str(row.model), by_cw), []).append(h)
    bench = ", ".join(sorted(name(b) for b in benchmarks))

    def listed(models: dict[tuple[str, bool], list[int]]) -> str:
        return (
            ", ".join(
                f"{name(m)} ({'Clark-West, ' if cw else ''}h = {', '.join(map(str, hs))})"
                for (m, cw), hs in models.items()
            )
            or "none"
        )

    return (
        "**Bottom line** (against "
        + bench
        + ", Holm-adjusted): "
        + "; ".join(
            f"{loss.upper()}: significantly better at some horizon: {listed(sides['better'])}; significantly "
            f"worse at some horizon: {listed(sides['worse'])}"
            for loss, sides in found.items()
        )
        + "."
    )
