"""Tables, metric keys and sentences of the currency notebook, computed from results so they cannot go stale."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from finrisk_utils.core.descriptive import tied_extremes
from finrisk_utils.core.validation import check_probability
from finrisk_utils.currency.forecasts import FamaSlope
from finrisk_utils.forecasting.compare import (
    ComparisonResult,
    display_names,
    format_pvalue,
    verdict,
)

__all__ = [
    "change_forecast_metrics",
    "change_forecast_reading",
    "change_forecast_table",
    "event_exceptions",
    "event_exceptions_reading",
    "event_tails_reading",
    "fama_reading",
    "tail_reading",
]


def _check(comps: object, where: str) -> Mapping[int, ComparisonResult]:
    if not isinstance(comps, Mapping) or not comps:
        raise TypeError(
            f"{where}: comparisons must be a non-empty mapping horizon -> ComparisonResult"
        )
    for h, c in comps.items():
        if not isinstance(c, ComparisonResult) or "cw_pvalue_holm" not in c.table:
            raise TypeError(f"{where}: comparisons[{h!r}] must come from compare_change_forecasts")
    return comps


def change_forecast_table(comps: Mapping[int, ComparisonResult]) -> pd.DataFrame:
    """One row per (horizon, model): trained, RMSE (% of the rate), RMSE ratio to the benchmark, DM p and its
    Holm adjustment (over every horizon), Clark-West p and its Holm adjustment, MCS membership, verdict."""
    comps = _check(comps, "change_forecast_table")
    frames = []
    for h, c in comps.items():
        t = c.table
        frames.append(
            pd.DataFrame(
                {
                    "horizon": h,
                    "model": t["model"],
                    "trained": t["trained"],
                    "rmse": np.sqrt(t["mean_loss"]),
                    "rmse_ratio": np.sqrt(t["ratio"]),
                    "dm_pvalue": t["dm_pvalue"],
                    "dm_pvalue_holm": t["pvalue_holm"],
                    "cw_pvalue": t["cw_pvalue"],
                    "cw_pvalue_holm": t["cw_pvalue_holm"],
                    "in_mcs": t["in_mcs"],
                    "verdict": t["verdict"],
                }
            )
        )
    return pd.concat(frames).set_index(["horizon", "model"])


def change_forecast_metrics(
    comps: Mapping[int, ComparisonResult], suffix: str = ""
) -> dict[str, float]:
    """``<model>.rmse_h<h><suffix>``, ``<model>.rmse_ratio_h<h><suffix>``, the comparison's keys
    (``<model>.mse_in_mcs_h<h>``, ``<m>_vs_<b>.dm_pvalue_h<h>``, ``.dm_pvalue_holm_h<h>``, ``.cw_pvalue_h<h>``)
    and ``<m>_vs_<b>.cw_pvalue_holm_h<h>``, each with ``suffix`` appended (e.g. ``"_monthly"``)."""
    comps = _check(comps, "change_forecast_metrics")
    out: dict[str, float] = {}
    for h, c in comps.items():
        out |= c.metrics()
        for r in c.table.itertuples(index=False):
            out[f"{r.model}.rmse_h{h}"] = float(np.sqrt(r.mean_loss))
            out[f"{r.model}.rmse_ratio_h{h}"] = float(np.sqrt(r.ratio))
            if np.isfinite(r.cw_pvalue_holm):
                out[f"{r.model}_vs_{c.benchmark}.cw_pvalue_holm_h{h}"] = float(r.cw_pvalue_holm)
    return {f"{k}{suffix}": v for k, v in out.items()}


def change_forecast_reading(
    comps: Mapping[int, ComparisonResult],
    labels: Mapping[str, str] | None = None,
    *,
    unit: str = "step",
    level: float = 0.05,
) -> str:
    """Markdown, one bullet per horizon: each model's RMSE against the benchmark's and its verdict (two-sided DM,
    Holm over every horizon; for a model that nests the benchmark, "better" needs the Clark-West test after Holm
    and a lower sample loss, as in the comparison table's verdict), the Clark-West reading and the MCS; then a
    summary: which trained models have a significantly lower squared error, which carry predictive content
    beyond the benchmark (Clark-West), which are significantly worse, at some horizon, after Holm, and which
    did not train (never counted among the models that fail to beat the benchmark)."""
    comps = _check(comps, "change_forecast_reading")
    name = display_names(labels, "change_forecast_reading")
    lines, better, content, worse, untrained = [], set(), set(), set(), set()
    for h, c in comps.items():
        t = c.table.set_index("model")
        b = c.benchmark
        parts = []
        for m, r in t.iterrows():
            if m == b:
                continue
            if not r["trained"]:
                parts.append(f"{name(m)} did not train (not interpreted)")
                untrained.add(m)
                continue
            words = verdict(
                r["mean_loss_diff"],
                r["pvalue_holm"],
                name(b),
                level=c.level,
                cw_pvalue_holm=r["cw_pvalue_holm"],
            )
            text = (
                f"{name(m)} RMSE {np.sqrt(r['ratio']):.3f} times {name(b)}'s, {words} "
                f"(DM Holm p {format_pvalue(r['pvalue_holm'])}"
            )
            if np.isfinite(r["cw_pvalue_holm"]):
                found = r["cw_pvalue_holm"] < level
                text += (
                    f"; Clark-West {'finds' if found else 'finds no'} predictive content beyond it, "
                    f"Holm p {format_pvalue(r['cw_pvalue_holm'])}"
                )
                if found:
                    content.add(m)
            better |= {m} if words.startswith("significantly better") else set()
            worse |= {m} if words.startswith("significantly worse") else set()
            parts.append(text + ")")
        kept = c.mcs.kept_text(name)
        lines.append(
            f"- **{h} {unit}{'s' if h > 1 else ''} ahead** ({int(t['n'].iloc[0])} forecasts): "
            + "; ".join(parts)
            + f". The {100 * (1 - c.mcs.size):.0f}% MCS keeps {kept}."
        )
    b = name(next(iter(comps.values())).benchmark)
    names = lambda ms: ", ".join(sorted(name(m) for m in ms))  # noqa: E731
    if better or content:
        summary = (
            f"Significantly lower squared error than {b} at some horizon (Holm): {names(better) or 'none'}. "
            f"Predictive content beyond {b} (Clark-West, Holm; a model can have it and still forecast worse, "
            f"because estimating it adds noise): {names(content) or 'none'}."
        )
    else:
        summary = (
            f"No {'trained ' if untrained else ''}model beats {b} at any horizon after Holm's adjustment, by DM "
            f"or Clark-West: the Meese-Rogoff result holds {'among the models read' if untrained else 'here'}."
        )
    if worse:
        summary += f" Significantly worse than {b} at some horizon (DM, Holm): {names(worse)}."
    if untrained:
        summary += f" Not read (did not train): {', '.join(sorted(name(m) for m in untrained))}."
    return "\n".join(lines) + "\n\n" + summary


def fama_reading(slope: FamaSlope, pair: str, horizon: int, level: float = 0.05) -> str:
    """The Fama regression's slope against uncovered interest parity (``b = 1``) and against no information
    (``b = 0``), in words."""
    if not isinstance(slope, FamaSlope):
        raise TypeError(f"fama_reading: slope must be a FamaSlope, got {type(slope).__name__}")
    one = "rejected" if slope.pvalue_vs_one < level else "not rejected"
    zero = "rejected" if slope.pvalue_vs_zero < level else "not rejected"
    significant = slope.pvalue_vs_zero < level
    sign = (
        "significantly negative (the forward-premium puzzle: the currency at a forward discount tended to "
        "appreciate)"
        if slope.beta < 0 and significant
        else f"{'negative' if slope.beta < 0 else 'positive'}, not significantly different from 0"
        if not significant
        else "significantly positive"
    )
    return (
        f"Fama regression for {pair}, {horizon}-month changes on the forward premium, {slope.n} months before "
        f"the test period: slope {slope.beta:.2f} (HAC s.e. {slope.se:.2f}), {sign}; uncovered interest parity "
        f"(slope 1) is {one} (p {format_pvalue(slope.pvalue_vs_one)}), a slope of 0 is {zero} (p {format_pvalue(slope.pvalue_vs_zero)})."
    )


def tail_reading(
    table: pd.DataFrame,
    event: str,
    rest: str,
    placebo: Mapping[str, Mapping[str, float]] | None = None,
    *,
    what: str = "",
    standardized: bool = False,
) -> str:
    """Sentences comparing the ``event`` row of :func:`~finrisk_utils.currency.tails.tail_statistics` with the
    ``rest`` row (volatility, skewness, kurtosis, Hill indices, clustering), and each ``placebo`` statistic's
    rank among windows of the same length (:func:`~finrisk_utils.currency.tails.placebo_rank`).
    ``standardized``: the returns were divided by a volatility forecast, so ``vol_ann`` is a plain standard
    deviation (1 = as forecast)."""
    if not isinstance(table, pd.DataFrame) or event not in table.index or rest not in table.index:
        raise ValueError(f"tail_reading: table must have rows {event!r} and {rest!r}")
    e, r = table.loc[event], table.loc[rest]
    lines = [
        f"{what}{event} ({int(e['n'])} days) against {rest} ({int(r['n'])} days): "
        + (
            f"standard deviation {e['vol_ann']:.2f} vs {r['vol_ann']:.2f} (1 = as forecast)"
            if standardized
            else f"annualised volatility {e['vol_ann']:.1f}% vs {r['vol_ann']:.1f}%"
        )
        + f", skewness {e['skew']:.2f} vs {r['skew']:.2f}, excess kurtosis "
        f"{e['excess_kurtosis']:.2f} vs {r['excess_kurtosis']:.2f}; Hill tail index left {e['hill_left']:.2f} vs "
        f"{r['hill_left']:.2f}, right {e['hill_right']:.2f} vs {r['hill_right']:.2f} (smaller = fatter); large "
        f"moves on {e['exceed_rate']:.1%} vs {r['exceed_rate']:.1%} of days, extremal index "
        f"{e['extremal_index']:.2f} vs {r['extremal_index']:.2f} (smaller = more clustered)."
    ]
    for stat, res in dict(placebo or {}).items():
        lines.append(
            f"The {event} window's {stat} ({res['observed']:.2f}) is exceeded by {res['share_above']:.0%} of "
            f"{int(res['n_windows'])} windows of the same length elsewhere in the sample."
        )
    return " ".join(lines)


def event_exceptions(exceptions: pd.DataFrame, in_event: object, confidence: float) -> pd.DataFrame:
    """VaR exceptions inside and outside an event window: ``exceptions`` is a boolean frame (test days x models,
    ``True`` where the loss exceeded the VaR), ``in_event`` a boolean array of the same length (``True`` on the
    window's days). Returns one row per model with columns ``event`` and ``rest`` (exception counts), and a last
    row ``expected`` ((1 - confidence) x days); ``attrs``: ``days_event``, ``days_rest``."""
    where = "event_exceptions"
    confidence = check_probability(confidence, "confidence", where=where)
    if not isinstance(exceptions, pd.DataFrame) or exceptions.empty:
        raise TypeError(f"{where}: exceptions must be a non-empty DataFrame (test days x models)")
    if not all(pd.api.types.is_bool_dtype(t) for t in exceptions.dtypes):
        raise TypeError(f"{where}: exceptions must hold booleans (True on an exception day)")
    mask = np.asarray(in_event)
    if mask.dtype != bool or mask.shape != (len(exceptions),):
        raise ValueError(
            f"{where}: in_event must be a boolean array with one entry per test day ({len(exceptions)}), "
            f"got dtype {mask.dtype} and shape {mask.shape}"
        )
    if not mask.any():
        raise ValueError(f"{where}: no test day falls in the event window")
    days = {"event": int(mask.sum()), "rest": int((~mask).sum())}
    table = pd.DataFrame(
        {"event": exceptions[mask].sum(), "rest": exceptions[~mask].sum()}, dtype=float
    )
    table.loc["expected"] = [(1 - confidence) * days["event"], (1 - confidence) * days["rest"]]
    table.attrs = {"days_event": days["event"], "days_rest": days["rest"]}
    return table


def event_exceptions_reading(
    table: pd.DataFrame, trained: Mapping[str, bool], event_months: int
) -> str:
    """One sentence from :func:`event_exceptions`: the range of the trained models' exception counts in the
    event window (and which models sit at each end) and in the rest of the test days, each against the expected
    count; untrained networks are named and not read."""
    where = "event_exceptions_reading"
    if not isinstance(table, pd.DataFrame) or "expected" not in table.index or not table.attrs:
        raise TypeError(f"{where}: table must come from event_exceptions")
    models = [m for m in table.index if m != "expected"]
    ok = table.loc[[m for m in models if trained.get(m, True)]]
    untrained = [m for m in models if not trained.get(m, True)]
    if ok.empty:
        return f"No model trained ({', '.join(untrained)}): the exceptions by period are not read."
    exp = table.loc["expected"]

    def span(col: str) -> str:
        lo, hi = ok[col].min(), ok[col].max()
        if lo == hi:
            return f"{int(lo)} for every trained model"
        return (
            f"from {int(lo)} ({tied_extremes(ok[col], high=False, sep=', ')}) to {int(hi)} "
            f"({tied_extremes(ok[col], high=True, sep=', ')})"
        )

    text = (
        f"In the test days within {event_months} months of the event ({table.attrs['days_event']} days, "
        f"{exp['event']:.1f} exceptions expected), the trained models' exceptions range {span('event')}; in the "
        f"other {table.attrs['days_rest']} test days ({exp['rest']:.1f} expected) {span('rest')}."
    )
    return text + (f" Untrained (not interpreted): {', '.join(untrained)}." if untrained else "")


def event_tails_reading(
    tails: Mapping[str, pd.DataFrame],
    currency: str,
    event: str = "event",
    rest: str = "rest",
    *,
    se: Mapping[str, pd.DataFrame] | None = None,
) -> str:
    """One sentence comparing, for every currency, the annualised volatility (%) and excess kurtosis of the
    ``event`` row of its :func:`~finrisk_utils.currency.tails.tail_statistics` table with the ``rest`` row; with
    ``se`` (per currency, :func:`~finrisk_utils.currency.tails.tail_standard_errors`) each value carries its
    bootstrap standard error, and the gaps of at least two standard errors of the difference are named (the only
    ones read as more than noise); otherwise the values are called point estimates. ``currency`` is the one whose
    placebo rank the notebook shows."""
    where = "event_tails_reading"
    if not isinstance(tails, Mapping) or not tails:
        raise TypeError(f"{where}: tails must map each currency to its tail_statistics table")
    for c, t in tails.items():
        if not isinstance(t, pd.DataFrame) or not {event, rest} <= set(t.index):
            raise ValueError(f"{where}: tails[{c!r}] must have rows {event!r} and {rest!r}")
        if not {"vol_ann", "excess_kurtosis"} <= set(t.columns):
            raise ValueError(f"{where}: tails[{c!r}] lacks vol_ann or excess_kurtosis")
        if se is not None and (
            c not in se
            or not {event, rest} <= set(se[c].index)
            or not {"vol_ann_se", "excess_kurtosis_se"} <= set(se[c].columns)
        ):
            raise ValueError(
                f"{where}: se[{c!r}] must come from tail_standard_errors on the same groups"
            )

    def value(c: str, row: str, col: str, unit: str, se_unit: str) -> str:
        text = f"{tails[c].loc[row, col]:.1f}{unit}"
        return text if se is None else text + f" (s.e. {se[c].loc[row, f'{col}_se']:.1f}{se_unit})"

    vol = ", ".join(  # a volatility in % has its standard error in percentage points
        f"{c} {value(c, event, 'vol_ann', '%', ' pp')} vs {value(c, rest, 'vol_ann', '%', ' pp')}"
        for c in tails
    )
    kurt = ", ".join(
        f"{c} {value(c, event, 'excess_kurtosis', '', '')} vs "
        f"{value(c, rest, 'excess_kurtosis', '', '')}"
        for c in tails
    )
    caveat = (
        "point estimates, without standard errors"
        if se is None
        else "stationary-bootstrap standard errors in brackets"
    )
    text = (
        f"Around the event against the rest of the sample ({caveat}; only for {currency} does the placebo rank "
        f"above say how unusual the window is): annualised volatility {vol}; excess kurtosis {kurt}."
    )
    if se is None:
        return text

    def wide(col: str) -> list[str]:  # gaps of at least two standard errors of the difference
        out = []
        for c in tails:
            gap = tails[c].loc[event, col] - tails[c].loc[rest, col]
            sd = float(np.hypot(se[c].loc[event, f"{col}_se"], se[c].loc[rest, f"{col}_se"]))
            if sd > 0 and abs(gap) >= 2 * sd:
                out.append(f"{c} ({gap / sd:+.1f} s.e.)")
        return out

    parts = [
        f"{what}: " + (", ".join(found) if found else "none")
        for what, found in (
            ("volatility", wide("vol_ann")),
            ("excess kurtosis", wide("excess_kurtosis")),
        )
    ]
    return (
        text
        + " Gaps of at least two standard errors of the difference (the two periods' errors combined as if "
        "independent), the only ones to read as more than noise: " + "; ".join(parts) + "."
    )
