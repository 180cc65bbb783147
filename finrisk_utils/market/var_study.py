"""The VaR/ES study of notebook 02 in functions: one window's models, the shared comparison protocol
on per-day pinball and FZ0 losses, capital, training status, and the sentences the notebooks print.

Every sentence here is built from results, so a notebook's reading cannot go stale when the numbers move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from finrisk_utils.core.descriptive import tied_extremes
from finrisk_utils.core.validation import (
    DataValidationError,
    as_timestamp,
    check_flags,
    check_positive_int,
    check_returns,
)
from finrisk_utils.forecasting.compare import (
    DIFFERENCE_LOSSES,
    ComparisonResult,
    best_trained,
    compare_forecasts,
    display_names,
    format_pvalue,
    holm_across,
    mark_untrained,
    relative_size,
    seed_ensemble,
)
from finrisk_utils.market.backtest import VaRBacktest, zone_label
from finrisk_utils.market.deep_var import (
    DeepVaRResult,
    DeepVaRSpec,
    deep_var_forecast,
    select_on_validation,
)
from finrisk_utils.market.forecast_files import (
    ACTUAL,
    read_forecast_table,
    write_forecast_table,
)
from finrisk_utils.market.quantreg import linear_quantile_forecast
from finrisk_utils.market.riskmeasures import RiskForecast, check_confidence
from finrisk_utils.market.var_models import classical_var_forecasts
from finrisk_utils.models import has_learned

__all__ = [
    "CLASSICAL_MODELS",
    "ablation_input_note",
    "capital_table",
    "classical_reading",
    "compare_var_losses",
    "comparison_metrics",
    "comparison_table",
    "comparison_text",
    "deep_labels",
    "deep_fit_text",
    "deep_status_table",
    "deep_trained",
    "deep_training_metrics",
    "default_val_start",
    "ensemble_forecast",
    "format_specs",
    "independence_reading",
    "network_var_reading",
    "load_var_forecasts",
    "parse_specs",
    "parse_windows",
    "relative_loss",
    "run_var_window",
    "save_var_forecasts",
    "select_networks",
    "selection_reading",
]

CLASSICAL_MODELS = ("hs", "fhs", "garch_t", "garch_skewt", "gjr_garch_skewt", "ewma")
LOSSES = ("pinball", "fz0")


def parse_specs(text: str, *, units: int, epochs: int) -> dict[str, DeepVaRSpec]:
    """Fixed network settings from ``"lstm_quantile:ewma:60,cnn_quantile:none:20"`` (name:vol_scaling:window;
    the kind is the name's prefix), with ``units`` and ``epochs``; ``""`` gives none (choose on validation)."""
    where = "parse_specs"
    if not isinstance(text, str):
        raise TypeError(f"{where}: specs must be a str like 'lstm_quantile:ewma:60', got {text!r}")
    units = check_positive_int(units, "units", where=where)
    epochs = check_positive_int(epochs, "epochs", where=where)
    out = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        parts = item.split(":")
        if len(parts) != 3 or parts[0] not in ("lstm_quantile", "cnn_quantile"):
            raise ValueError(
                f"{where}: {item!r} is not <lstm_quantile|cnn_quantile>:<ewma|none>:<window>"
            )
        if parts[1] not in ("ewma", "none") or not parts[2].isdigit() or int(parts[2]) < 2:
            raise ValueError(f"{where}: {item!r} needs vol_scaling ewma or none and a window >= 2")
        kind = parts[0].split("_")[0]
        out[parts[0]] = DeepVaRSpec(
            kind=kind, vol_scaling=parts[1], window=int(parts[2]), units=units, epochs=epochs
        )
    return out


def default_val_start(test_start: str | pd.Timestamp, years: int = 2) -> str:
    """The validation period's start when none is given: ``years`` calendar years before ``test_start``
    (``"2015-01-01"`` -> ``"2013-01-01"``), as an ISO date string."""
    start = as_timestamp(test_start, "test_start", where="default_val_start")
    years = check_positive_int(years, "years", where="default_val_start")
    return (start - pd.DateOffset(years=years)).strftime("%Y-%m-%d")


def parse_windows(text: str) -> list[tuple[str, str, str]]:
    """Test windows from ``"start:end[:val_start],..."`` (ISO dates; ``""`` gives none), with ``val_start``
    defaulting to :func:`default_val_start`. Returns ``(test_start, test_end, val_start)`` tuples."""
    where = "parse_windows"
    if not isinstance(text, str):
        raise TypeError(
            f"{where}: windows must be a str like '2008-01-01:2009-12-31', got {text!r}"
        )
    out = []
    for item in filter(None, (s.strip() for s in text.split(","))):
        parts = item.split(":")
        if len(parts) not in (2, 3):
            raise ValueError(f"{where}: {item!r} is not start:end or start:end:val_start")
        start, end = (as_timestamp(p, "window date", where=where) for p in parts[:2])
        val = as_timestamp(parts[2], "val_start", where=where) if len(parts) == 3 else None
        if not start < end or (val is not None and not val < start):
            raise ValueError(f"{where}: {item!r} needs val_start < start < end")
        val_text = val.strftime("%Y-%m-%d") if val is not None else default_val_start(start)
        out.append((start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"), val_text))
    return out


def select_networks(
    returns: pd.Series,
    *,
    schemes: Sequence[str],
    window: int | Sequence[int],
    units: int,
    epochs: int,
    confidence: float,
    kinds: Sequence[str] = ("lstm", "cnn"),
    fixed: Mapping[str, DeepVaRSpec] | None = None,
    **dates: str | pd.Timestamp,
) -> tuple[dict[str, DeepVaRResult], pd.DataFrame]:
    """One network per kind (``"<kind>_quantile"``), its input scheme and window chosen among ``schemes`` x
    ``window`` (one window in days, or a list to choose among) on the validation period of ``returns``
    (:func:`~finrisk_utils.market.deep_var.select_on_validation`; ``units`` and up to ``epochs`` fixed). A
    network named in ``fixed`` (e.g. from :func:`parse_specs`) is not searched: its spec is the only candidate,
    still trained and checked on validation. ``dates``: ``val_start``, ``test_start``, ``test_end``.

    Returns the winners and every candidate's validation record (index ``(model, vol_scaling, window)``;
    ``val_fz0`` in return units, ``best_epoch``, ``trained``), the table :func:`selection_reading` reads."""
    where = "select_networks"
    if isinstance(schemes, str) or not list(schemes) or isinstance(kinds, str) or not list(kinds):
        raise ValueError(
            f"{where}: schemes and kinds must be non-empty lists, got {schemes!r} and {kinds!r}"
        )
    windows = (
        list(window) if isinstance(window, Sequence) and not isinstance(window, str) else [window]
    )
    if not windows or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in windows):
        raise ValueError(
            f"{where}: window must be a positive number of days or a non-empty list of them, got {window!r}"
        )
    fixed = dict(fixed or {})
    for name, spec in fixed.items():
        if not isinstance(spec, DeepVaRSpec):
            raise TypeError(f"{where}: fixed[{name!r}] must be a DeepVaRSpec, got {spec!r}")
    winners, tables = {}, []
    for kind in kinds:
        name = f"{kind}_quantile"
        candidates = (
            [fixed[name]]
            if name in fixed
            else [
                DeepVaRSpec(kind=kind, vol_scaling=s, window=w, units=units, epochs=epochs)
                for s in schemes
                for w in windows
            ]
        )
        winners[name], table = select_on_validation(
            returns, candidates, name=name, confidence=confidence, **dates
        )
        tables.append(table.assign(model=name))
    return winners, pd.concat(tables).set_index(["model", "vol_scaling", "window"])


def run_var_window(
    returns: pd.Series,
    *,
    confidence: float,
    test_start: str,
    test_end: str,
    val_start: str | None = None,
    deep_specs: Mapping[str, DeepVaRSpec] | None = None,
    qr_window: int = 20,
) -> tuple[dict[str, RiskForecast], dict[str, DeepVaRResult]]:
    """Every model of notebook 02 on one test window: the classical baselines (estimated on returns before
    ``test_start``), the linear quantile regression, and one network per ``deep_specs`` entry (trained before
    ``val_start``, default two years before ``test_start``, stopped early on validation, refitted). Returns the
    forecasts by name (networks last) and the networks' results."""
    where = "run_var_window"
    check_confidence(confidence)
    returns = check_returns(returns, "returns", where=where)
    s = as_timestamp(test_start, "test_start", where=where)  # before val_start is derived from it
    val_start = default_val_start(s) if val_start is None else val_start
    v = as_timestamp(val_start, "val_start", where=where)
    e = as_timestamp(test_end, "test_end", where=where)
    if not v < s <= e:
        raise DataValidationError(
            f"{where}: need val_start < test_start <= test_end, got {v.date()}, {s.date()}, {e.date()}"
        )
    dates = returns.loc[s:e].index
    if len(dates) == 0:
        raise DataValidationError(f"{where}: no returns between {s.date()} and {e.date()}")
    forecasts = classical_var_forecasts(returns, dates, confidence, fit_end=s)
    forecasts["linear_quantile"] = linear_quantile_forecast(
        returns, confidence=confidence, test_start=s, test_end=e, window=qr_window
    )
    deep = {}
    for name, spec in dict(deep_specs or {}).items():
        if not isinstance(spec, DeepVaRSpec):
            raise TypeError(f"{where}: deep_specs[{name!r}] must be a DeepVaRSpec, got {spec!r}")
        deep[name] = deep_var_forecast(
            returns,
            confidence=confidence,
            val_start=v,
            test_start=s,
            test_end=e,
            spec=spec,
            name=name,
        )
        forecasts[name] = deep[name].forecast
    return forecasts, deep


def _check_results(results: object, where: str) -> list[VaRBacktest]:
    if not isinstance(results, Sequence) or not results:
        raise TypeError(f"{where}: results must be a non-empty list of VaRBacktest")
    for r in results:
        if not isinstance(r, VaRBacktest):
            raise TypeError(f"{where}: results must hold VaRBacktest, got {type(r).__name__}")
    return list(results)


def compare_var_losses(
    results: Sequence[VaRBacktest],
    benchmark: str = "garch_skewt",
    *,
    trained: Mapping[str, bool] | None = None,
    losses: Sequence[str] = LOSSES,
    seed: int = 0,
    mcs_reps: int = 1000,
    models: Sequence[str] | None = None,
) -> dict[str, ComparisonResult]:
    """The shared protocol (:func:`finrisk_utils.forecasting.compare.compare_forecasts`) on each model's per-day
    losses (``"pinball"``, ``"fz0"``) against ``benchmark``: DM with HAC (Bartlett) variance and the HLN
    correction, an MCS over all models per loss, and Holm's adjustment over the whole reported family (every
    trained model against the benchmark on every loss), with the verdicts recomputed from the joint Holm
    p-values. Untrained networks (``trained[name] is False``) are reported but left out of the family.
    ``models``: compare only these results (the benchmark among them), e.g. the networks and their linear
    ablation; ``None``: all."""
    where = "compare_var_losses"
    results = _check_results(results, where)
    if models is not None:
        unknown = sorted(set(models) - {r.name for r in results})
        if unknown:
            raise ValueError(f"{where}: models {unknown} are not among the results")
        results = [r for r in results if r.name in set(models)]
    names = [r.name for r in results]
    if benchmark not in names:
        raise ValueError(f"{where}: benchmark {benchmark!r} is not among the results {names}")
    bad = [loss for loss in losses if loss not in LOSSES]
    if bad or not losses:
        raise ValueError(f"{where}: losses must be among {LOSSES}, got {list(losses)}")
    comps = {}
    for loss in losses:
        frame = pd.DataFrame({r.name: getattr(r, f"{loss}_losses") for r in results}).dropna()
        comps[loss] = compare_forecasts(
            frame, benchmark, loss=loss, trained=trained, seed=seed, mcs_reps=mcs_reps
        )
    return holm_across(comps)


def comparison_table(comparisons: Mapping[str, ComparisonResult]) -> pd.DataFrame:
    """One row per (model, loss): trained, mean loss, its difference from the benchmark's, the ratio to it (NaN
    for :data:`DIFFERENCE_LOSSES`, whose ratio depends on the units of the returns), DM p, Holm p (over the
    family), MCS membership and p-value, verdict."""
    cols = ["trained", "mean_loss", "mean_loss_diff", "ratio", "dm_pvalue", "pvalue_holm"]
    cols += ["in_mcs", "mcs_pvalue", "verdict"]
    frames = [
        c.table.assign(
            loss=loss,
            horizon=c.horizon,
            ratio=np.nan if loss in DIFFERENCE_LOSSES else c.table["ratio"],
        )
        for loss, c in comparisons.items()
    ]
    return pd.concat(frames).set_index(["model", "loss", "horizon"])[cols]


def comparison_metrics(
    comparisons: Mapping[str, ComparisonResult], suffix: str = ""
) -> dict[str, float]:
    """Keys ``<model>.<loss>_in_mcs<suffix>`` (0/1) for every model and, against the benchmark,
    ``<model>_vs_<benchmark>.<loss>_dm_pvalue<suffix>`` and ``..._dm_pvalue_holm<suffix>``."""
    out: dict[str, float] = {}
    for loss, c in comparisons.items():
        for r in c.table.itertuples(index=False):
            out[f"{r.model}.{loss}_in_mcs{suffix}"] = int(r.in_mcs)
            if r.model == c.benchmark:
                continue
            pair = f"{r.model}_vs_{c.benchmark}"
            for col, key in (("dm_pvalue", "dm_pvalue"), ("pvalue_holm", "dm_pvalue_holm")):
                value = float(getattr(r, col))
                if np.isfinite(value):
                    out[f"{pair}.{loss}_{key}{suffix}"] = value
    return out


def relative_loss(loss: str, row: Mapping[str, float], benchmark: str) -> str:
    """A comparison-table row's mean loss against the benchmark's, in words (:func:`relative_size`):
    ``"0.948 times b's"`` for a loss whose ratio is meaningful (pinball), ``"0.130 lower than b's"`` (or
    higher) for :data:`DIFFERENCE_LOSSES`."""
    return relative_size(loss, float(row["ratio"]), float(row["mean_loss_diff"]), benchmark)


def comparison_text(
    comparisons: Mapping[str, ComparisonResult],
    models: Sequence[str],
    labels: Mapping[str, str] | None = None,
) -> str:
    """Markdown: for each of ``models`` and each loss, its mean loss relative to the benchmark and the verdict
    (Holm over the reported family), then each loss's MCS."""
    name = display_names(labels, "comparison_text")
    lines = []
    for loss, c in comparisons.items():
        t = c.table.set_index("model")
        parts = []
        for m in models:
            r = t.loc[m]
            if not r["trained"]:
                parts.append(f"{name(m)} did not train (not interpreted)")
                continue
            parts.append(
                f"{name(m)}'s is {relative_loss(loss, r, name(c.benchmark))}, "
                f"{r['verdict']} (DM p {format_pvalue(r['dm_pvalue'])}, "
                f"Holm p {format_pvalue(r['pvalue_holm'])})"
            )
        kept = c.mcs.kept_text(name)
        lines.append(
            f"- **{loss}** (mean loss): "
            + "; ".join(parts)
            + f". The {100 * (1 - c.mcs.size):.0f}% "
            f"model confidence set keeps {kept}."
        )
    return "\n".join(lines)


def _table_of(results: Sequence[VaRBacktest]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            r.name: {
                "pinball": r.pinball,
                "fz0": r.fz0,
                "exceptions": r.kupiec.exceptions,
                "expected": r.kupiec.expected,
                "es_z2": r.es.z2,
                "ind_p": r.christoffersen.pvalue_ind,
            }
            for r in results
        }
    ).T


def classical_reading(
    results: Sequence[VaRBacktest], classical: Sequence[str] = CLASSICAL_MODELS
) -> str:
    """Which classical model is worst and best on each measure (pinball, FZ0, distance of the exception count
    from its expectation, Z2), as a sentence computed from ``results``."""
    results = _check_results(results, "classical_reading")
    t = _table_of(results).loc[[m for m in classical if m in {r.name for r in results}]]
    t["miss"] = (t["exceptions"] - t["expected"]).abs()
    understated = (-t["es_z2"]).clip(
        lower=0.0
    )  # Z2 < 0: ES too small; Z2 > 0 (too large) is conservative
    # (what, format, value shown, badness of the worst, badness of the best)
    measures = [
        ("pinball loss", "{:.4f}", t["pinball"], t["pinball"], t["pinball"]),
        ("FZ0 loss", "{:.3f}", t["fz0"], t["fz0"], t["fz0"]),
        ("distance between exceptions and expectation", "{:.1f}", t["miss"], t["miss"], t["miss"]),
        (
            "Z2 (worst: the most negative, ES most underestimated; best: the closest to 0)",
            "{:.2f}",
            t["es_z2"],
            understated,
            t["es_z2"].abs(),
        ),
    ]
    parts = []
    for what, fmt, shown, bad_worst, bad_best in measures:
        worst, best = tied_extremes(bad_worst, high=True), tied_extremes(bad_best, high=False)
        if bad_worst is understated and not (understated > 0).any():
            parts.append(
                f"Z2: no model's ES is underestimated (every Z2 at least 0); the closest to 0 is {best} "
                f"({fmt.format(shown[best.split(' and ')[0]])})"
            )
            continue
        parts.append(
            f"{what}: worst {worst} ({fmt.format(shown[worst.split(' and ')[0]])}), "
            f"best {best} ({fmt.format(shown[best.split(' and ')[0]])})"
        )
    rank = pd.concat(
        [t["pinball"].rank(), t["fz0"].rank(), t["miss"].rank(), understated.rank()], axis=1
    ).mean(axis=1)
    return (
        "Among the classical models, "
        + "; ".join(parts)
        + f". Worst on average rank: {tied_extremes(rank, high=True)}; "
        f"best: {tied_extremes(rank, high=False)}."
    )


def network_var_reading(
    results: Sequence[VaRBacktest],
    comparison: Mapping[str, ComparisonResult],
    networks: Sequence[str],
    *,
    label: str,
    loss: str = "fz0",
    level: float = 0.05,
) -> list[str]:
    """One Markdown sentence per network (``"<label>: ..."``): "did not train (not interpreted)" for an untrained
    one (the comparison's ``trained`` column); otherwise its exceptions against the expected count with
    Kupiec's p and whether coverage is rejected at ``level``, Christoffersen's conditional coverage p (coverage
    and independence of the exceptions) and whether it is rejected, the Basel traffic-light zone of each calendar
    year (at a confidence other than 99% named as Basel's binomial cut-offs applied at that level, not the
    regulatory zone), the Z2 ES test and whether it rejects (5%), and its ``loss`` against the benchmark
    (:func:`relative_loss`) with the verdict, Holm p and the MCS membership."""
    results = _check_results(results, "network_var_reading")
    by_name = {r.name: r for r in results}
    if loss not in comparison:
        raise ValueError(
            f"network_var_reading: comparison has no {loss!r} loss ({list(comparison)})"
        )
    c = comparison[loss]
    table = c.table.set_index("model")
    missing = [n for n in networks if n not in by_name or n not in table.index]
    if missing:
        raise ValueError(f"network_var_reading: networks {missing} are not among the results")
    out = []
    for name in networks:
        r, row = by_name[name], table.loc[name]
        if not row["trained"]:
            out.append(f"{label}: {name} did not train (not interpreted).")
            continue
        k, cc = r.kupiec, r.christoffersen.pvalue_cc
        coverage = "rejected" if k.pvalue < level else "not rejected"
        conditional = "rejected" if cc < level else "not rejected"
        es = "rejects" if r.es.reject_5pct else "does not reject"
        zones = ", ".join(
            f"{year} {zone_label(tl)}" for year, tl in sorted(r.zones_by_year.items())
        )
        light = (
            "traffic light by year"
            if np.isclose(r.confidence, 0.99)
            else f"Basel's binomial zone cut-offs applied at {r.confidence:.1%} by year (the regulatory "
            "traffic light is defined at 99%)"
        )
        out.append(
            f"{label}: {name} had {k.exceptions} exceptions ({k.expected:.1f} expected; Kupiec p "
            f"{format_pvalue(k.pvalue)}, coverage {coverage} at {level:.0%}; Christoffersen's conditional "
            f"coverage p {format_pvalue(cc)}, {conditional}; {light}: {zones}); "
            f"the Z2 test of its ES {es} at 5% "
            f"(Z2 {r.es.z2:.2f}); its mean {loss.upper()} loss is {relative_loss(loss, row, c.benchmark)}, "
            f"{row['verdict']} (Holm p {format_pvalue(row['pvalue_holm'])}), and the "
            f"{100 * (1 - c.mcs.size):.0f}% MCS {'keeps' if row['in_mcs'] else 'drops'} it."
        )
    return out


def independence_reading(
    results: Sequence[VaRBacktest],
    level: float = 0.05,
    *,
    trained: Mapping[str, bool] | None = None,
) -> str:
    """Which models pass Christoffersen's independence test at ``level`` (exceptions not clustered); a model
    with ``trained[name] is False`` is neither passed nor rejected: it is named apart, with its untrained label,
    as not interpreted."""
    results = _check_results(results, "independence_reading")
    trained = dict(trained or {})
    read = [r for r in results if trained.get(r.name, True)]
    passing = [r.name for r in read if r.christoffersen.pvalue_ind > level]
    failing = [r.name for r in read if r.christoffersen.pvalue_ind <= level]
    untrained = [mark_untrained(r.name) for r in results if not trained.get(r.name, True)]
    return (
        f"Christoffersen independence at {level:.0%}: passed by {', '.join(passing) or 'no model'}; "
        f"rejected for {', '.join(failing) or 'no model'}."
        + (f" Not interpreted: {', '.join(untrained)}." if untrained else "")
    )


def capital_table(results: Sequence[VaRBacktest]) -> pd.DataFrame:
    """Basel traffic light of the last 250 days per model: exceptions, zone, plus factor and capital
    multiplier ``3 + plus factor`` (NaN where the plus factor is undefined: not 99% VaR over about 250 days)."""
    results = _check_results(results, "capital_table")
    rows = {}
    for r in results:
        plus = r.last_250.plus_factor
        rows[r.name] = {
            "exceptions_last_250": r.last_250.exceptions,
            "zone_last_250": r.last_250.zone,
            "plus_factor": np.nan if plus is None else plus,
            "capital_multiplier": np.nan if plus is None else 3 + plus,
        }
    return pd.DataFrame(rows).T


def deep_status_table(deep: Mapping[str, DeepVaRResult]) -> pd.DataFrame:
    """Per network: its settings, its epoch budget (``max_epochs``), the kept epoch and the epochs run, validation FZ0 loss of the kept weights and of the naive
    forecast (the better of two constants: the training quantile/ES of its targets and of the raw returns) in
    the network's own target units (``val_loss``,
    ``naive_val_loss``: returns divided by its scale, so not comparable across input schemes), the validation FZ0
    in return units (``val_fz0``, comparable), and whether it trained (:func:`deep_trained`)."""
    rows = {}
    for name, res in deep.items():
        if not isinstance(res, DeepVaRResult):
            raise TypeError(f"deep_status_table: {name!r} is not a DeepVaRResult")
        s = res.fit.summary()
        rows[name] = {
            "vol_scaling": res.spec.vol_scaling,
            "window": res.spec.window,
            "units": res.spec.units,
            "max_epochs": res.spec.epochs,
            "best_epoch": s["best_epoch"],
            "epochs_run": s["epochs_run"],
            "val_loss": s["val_loss"],
            "naive_val_loss": s["naive_val_loss"],
            "val_fz0": res.val_loss,
            "trained": has_learned(res.fit),
        }
    return pd.DataFrame(rows).T


def deep_fit_text(
    deep: Mapping[str, DeepVaRResult], labels: Mapping[str, str] | None = None
) -> str:
    """One sentence on each network's training: kept epoch of the epochs run, trained or not
    (:func:`~finrisk_utils.models.has_learned`), and whether its best epoch was its last (the validation loss
    still falling when the epoch budget ran out)."""
    if not isinstance(deep, Mapping) or not deep:
        raise TypeError("deep_fit_text: deep must be a non-empty mapping name -> DeepVaRResult")
    label = display_names(labels, "deep_fit_text")
    parts = []
    for name, res in deep.items():
        if not isinstance(res, DeepVaRResult):
            raise TypeError(f"deep_fit_text: {name!r} is not a DeepVaRResult")
        fit = res.fit
        parts.append(
            f"{label(name)} kept epoch {fit.best_epoch} of {fit.epochs_run}, "
            + ("trained" if has_learned(fit) else "untrained")
            + (
                " (its last epoch: still improving when the budget ran out)"
                if fit.still_improving
                else ""
            )
        )
    return "Networks: " + "; ".join(parts) + "."


def deep_trained(deep: Mapping[str, DeepVaRResult]) -> dict[str, bool]:
    """Per network, whether it learned (:func:`~finrisk_utils.models.has_learned`: it beat the naive constant
    forecast on validation with weights kept after the first epoch): the ``trained`` flags of
    :func:`compare_var_losses` and the tables."""
    for name, res in deep.items():
        if not isinstance(res, DeepVaRResult):
            raise TypeError(f"deep_trained: {name!r} is not a DeepVaRResult")
    return {name: has_learned(res.fit) for name, res in deep.items()}


def deep_training_metrics(
    deep: Mapping[str, DeepVaRResult], suffix: str = ""
) -> dict[str, int | str]:
    """Metrics of each network's settings and training, ``<name>.<key><suffix>`` for the keys of
    :func:`deep_status_table` (``vol_scaling``, ``window``, ``units``, ``max_epochs``, ``best_epoch``,
    ``epochs_run``) and ``trained`` (0/1, :func:`deep_trained`); ``suffix`` names a section (e.g. ``"_2008"``)."""
    if not isinstance(suffix, str):
        raise TypeError(f"deep_training_metrics: suffix must be a str, got {type(suffix).__name__}")
    keys = ["vol_scaling", "window", "units", "max_epochs", "best_epoch", "epochs_run", "trained"]
    return {
        f"{name}.{k}{suffix}": row[k] if k == "vol_scaling" else int(row[k])
        for name, row in deep_status_table(deep).iterrows()
        for k in keys
    }


def ablation_input_note(deep: Mapping[str, DeepVaRResult], qr_window: int) -> str:
    """Markdown: what the linear ablation ``linear_quantile`` sees (a summary of EWMA-standardised returns over
    ``qr_window`` days) against each network's selected inputs, naming the networks whose input scheme or window
    differs: for them a comparison with the ablation mixes the inputs with the nonlinearity."""
    qr_window = check_positive_int(qr_window, "qr_window", where="ablation_input_note")
    other = [
        f"{name} ({'raw' if r.spec.vol_scaling == 'none' else r.spec.vol_scaling}-scaled returns, window "
        f"{r.spec.window})"
        for name, r in deep.items()
        if r.spec.vol_scaling != "ewma" or r.spec.window != qr_window
    ]
    head = f"linear_quantile sees a summary of EWMA-standardised returns over {qr_window} days"
    if not other:
        return f"{head}, as every network sees EWMA-standardised returns over that window."
    return (
        f"{head}; {', '.join(other)} see{'s' if len(other) == 1 else ''} other inputs, so against "
        "linear_quantile the comparison mixes the inputs with the nonlinearity."
    )


def deep_labels(deep: Mapping[str, DeepVaRResult]) -> dict[str, str]:
    """Display names: ``"<name> (untrained)"`` for a network that did not learn (:func:`deep_trained`)."""
    return {n: mark_untrained(n) for n, ok in deep_trained(deep).items() if not ok}


def save_var_forecasts(
    path: str | Path, returns: pd.Series, forecasts: Mapping[str, RiskForecast]
) -> Path:
    """Write realised returns and every model's VaR/ES (columns ``<model>:var``, ``<model>:es``, on the returns'
    dates) in the schema of :mod:`~finrisk_utils.market.forecast_files`, so that sweeps can combine forecasts
    over seeds (:func:`seed_ensemble_backtests`). Returns the path."""
    where = "save_var_forecasts"
    if not isinstance(forecasts, Mapping) or any(
        not isinstance(f, RiskForecast) for f in forecasts.values()
    ):
        raise TypeError(f"{where}: forecasts must be a mapping model -> RiskForecast")
    columns = {
        f"{name}:{part}": getattr(fc, part)
        for name, fc in forecasts.items()
        for part in ("var", "es")
    }
    return write_forecast_table(path, returns, columns, where=where)


def load_var_forecasts(
    path: str | Path, confidence: float
) -> tuple[pd.Series, dict[str, RiskForecast]]:
    """Read :func:`save_var_forecasts`' CSV back: the returns and a RiskForecast per model at ``confidence``."""
    where = "load_var_forecasts"
    frame = read_forecast_table(path, where=where)
    names = [c.removesuffix(":var") for c in frame.columns if c.endswith(":var")]
    bad = [c for c in frame.columns if c != ACTUAL and c.rsplit(":", 1)[0] not in names]
    if not names or bad or len(frame.columns) != 1 + 2 * len(names):
        raise DataValidationError(
            f"{where}: {path} must hold '<model>:var' and '<model>:es' pairs beside {ACTUAL!r}, got "
            f"{frame.columns.tolist()}"
        )
    fcs = {n: RiskForecast(n, confidence, frame[f"{n}:var"], frame[f"{n}:es"]) for n in names}
    return frame[ACTUAL], fcs


def ensemble_forecast(forecasts: Sequence[RiskForecast], name: str | None = None) -> RiskForecast:
    """The seed ensemble of one model: the mean VaR and mean ES over seeds (same dates and confidence)."""
    if not isinstance(forecasts, Sequence) or not forecasts:
        raise TypeError("ensemble_forecast: forecasts must be a non-empty list of RiskForecast")
    first = forecasts[0]
    if any(not isinstance(f, RiskForecast) or f.confidence != first.confidence for f in forecasts):
        raise ValueError(
            "ensemble_forecast: every forecast must be a RiskForecast at one confidence"
        )
    var = seed_ensemble([f.var for f in forecasts])
    es = seed_ensemble([f.es for f in forecasts])
    return RiskForecast(name or first.name, first.confidence, var, es)


def selection_reading(selection: pd.DataFrame, *, near_tie: float = 0.01) -> str:
    """One sentence per network on its selection (:func:`~finrisk_utils.market.deep_var.select_on_validation`
    tables stacked with index ``(model, vol_scaling, window)`` and a ``val_fz0`` column, validation FZ0 in return
    units): the chosen settings and, against the runner-up, the difference of their validation FZ0 (FZ0 is a
    log-score whose level depends on the series' scale and can be negative, so a ratio would mean nothing); a
    difference below ``near_tie`` (FZ0 units) is called a near tie that one validation period does not separate. With a ``trained`` column (unknown counts
    as untrained), the choice is among the candidates that trained, as
    :func:`~finrisk_utils.market.deep_var.select_on_validation` makes it: an untrained candidate with a lower
    validation FZ0 is named as passed over, and a network none of whose candidates trained is said so."""
    where = "selection_reading"
    if (
        not isinstance(selection, pd.DataFrame)
        or list(selection.index.names) != ["model", "vol_scaling", "window"]
        or "val_fz0" not in selection
        or selection.empty
    ):
        raise TypeError(
            f"{where}: selection must be a non-empty table indexed (model, vol_scaling, window) with val_fz0"
        )
    if not isinstance(near_tie, int | float) or not 0 <= near_tie < np.inf:
        raise ValueError(
            f"{where}: near_tie must be a finite number >= 0 (FZ0 units), got {near_tie!r}"
        )
    lines = []
    for model, t in selection.groupby(level="model", sort=False):
        ranked = t["val_fz0"].droplevel("model").sort_values()
        known = t["trained"].droplevel("model").reindex(ranked.index) if "trained" in t else None
        flags = pd.Series(
            [True] * len(ranked)
            if known is None
            else check_flags(known.tolist(), "trained", where=where, allow_unknown=True),
            index=ranked.index,
        )
        none_trained = not flags.any()
        pool = ranked if none_trained else ranked[flags]  # the winner first, then the runner-up
        winner = best_trained(ranked.to_numpy(), flags.tolist())  # the selection's own rule
        (scheme, window), best = ranked.index[winner], ranked.iloc[winner]
        text = f"{model}: {scheme} inputs, window {window} (validation FZ0 {best:.4f})"
        if len(ranked) == 1:
            untrained = " It did not train." if none_trained and "trained" in t else ""
            lines.append(text + ", the only candidate (no selection)." + untrained)
            continue
        if len(pool) > 1:
            (scheme2, window2), second = pool.index[1], pool.iloc[1]
            gap = second - best  # FZ0 is a log-score: differences mean something, ratios do not
            text += (
                f"; the runner-up ({scheme2} inputs, window {window2}) has a validation FZ0 higher by "
                f"{gap:.4f}"
            )
            text += (
                ", a near tie: one validation period does not separate them, so the choice says little "
                "about which inputs or window are better."
                if gap < near_tie
                else "."
            )
        else:
            text += ", the only candidate that trained."
        if none_trained and "trained" in t:
            text += " No candidate trained: the lowest validation FZ0 is kept, labelled untrained."
        passed = [
            f"{sc} inputs, window {w} ({v:.4f})"
            for (sc, w), v in ranked[~flags].items()
            if v < best
        ]
        if passed and not none_trained:
            text += (
                f" Passed over with a lower validation FZ0 but did not train (did not beat its naive forecast after "
                f"its first epoch): "
                f"{', '.join(passed)}."
            )
        lines.append(text)
    return "Selected on validation: " + " ".join(lines)


def format_specs(specs: Mapping[str, DeepVaRSpec]) -> str:
    """The ``specs`` string :func:`parse_specs` reads back (``"lstm_quantile:ewma:60,cnn_quantile:ewma:20"``)."""
    for name, spec in specs.items():
        if not isinstance(spec, DeepVaRSpec):
            raise TypeError(f"format_specs: {name!r} is not a DeepVaRSpec")
    return ",".join(f"{n}:{s.vol_scaling}:{s.window}" for n, s in specs.items())
