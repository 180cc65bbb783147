"""Computed readings of notebook 10: sentences built from this run's tables (never typed by hand)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import check_probability
from finrisk_utils.forecasting import best_trained, holm

__all__ = [
    "calibration_reading",
    "grade_models_reading",
    "group_error_reading",
    "importance_reading",
    "ordinal_vs_softmax_reading",
    "rate_reading",
]


def _p(p: float) -> str:
    return "n/a" if not np.isfinite(p) else ("< 0.001" if p < 0.001 else f"= {p:.3f}")


def ordinal_vs_softmax_reading(
    table: pd.DataFrame,
    comparisons: Mapping[str, pd.DataFrame],
    ordinal: str,
    softmax: str,
    *,
    trained: Mapping[str, bool],
    selections: Mapping[str, pd.DataFrame] | None = None,
    same_body_of: str | None = None,
    brief: bool = False,
) -> str:
    """Sentences on the ordinal network against the softmax one: their test MAE (notches), exact and
    within-one accuracy, ranked probability score; the verdict on each loss of ``comparisons`` (loss in words ->
    a comparison table whose benchmark is ``softmax``, with ``model``, ``dm_pvalue``, ``pvalue_holm``,
    ``verdict``); and, given each network's ``selections`` table (``hidden``, ``val_rps``, ``trained`` per
    candidate, from :func:`~finrisk_utils.ratings.networks.select_and_fit_seeds`, whose choice
    :func:`~finrisk_utils.forecasting.compare.best_trained` repeats), whether the comparison isolates the output
    layer (both chose the same hidden layers) or mixes it with the body. ``same_body_of``: the selected softmax
    network when ``softmax`` is instead a softmax output fitted on the ordinal network's chosen hidden layers
    (``selections`` then holds the ordinal's and ``same_body_of``'s tables; the comparison isolates the output
    layer by construction). ``brief=True``: only the verdicts with their Holm p-values and whether the bodies
    differ (for a closing summary)."""
    where = "ordinal_vs_softmax_reading"
    if not isinstance(comparisons, Mapping) or not comparisons:
        raise ValueError(
            f"{where}: comparisons must be a non-empty mapping loss -> comparison table"
        )
    if not (trained.get(ordinal, True) and trained.get(softmax, True)):
        untrained = [m for m in (ordinal, softmax) if not trained.get(m, True)]
        return f"{', '.join(untrained)} did not train (not interpreted): no ordinal-versus-softmax reading."
    a, b = table.loc[ordinal], table.loc[softmax]
    verdicts = []
    for loss, comparison in comparisons.items():
        t = comparison.set_index("model")
        row = t.loc[ordinal]
        if brief:
            verdicts.append(f"on {loss} it is {row['verdict']} (Holm p {_p(row['pvalue_holm'])})")
            continue
        kept = [f"`{m}`" for m in (ordinal, softmax) if "in_mcs" in t and t.loc[m, "in_mcs"]]
        mcs = (
            ""
            if "in_mcs" not in t
            else f"; the pair's model confidence set keeps {' and '.join(kept) or 'neither'}"
            + (
                ", a signal the Holm-adjusted pairwise test does not confirm"
                if len(kept) == 1 and row["verdict"].startswith("not distinguishable")
                else ""
            )
        )
        verdicts.append(
            f"on per-loan {loss} the ordinal network is {row['verdict']} (paired DM p {_p(row['dm_pvalue'])}, "
            f"Holm p {_p(row['pvalue_holm'])}){mcs}"
        )
    joined = "; ".join(verdicts)
    for m, t in (selections or {}).items():
        if not isinstance(t, pd.DataFrame) or not {"hidden", "val_rps", "trained"} <= set(
            t.columns
        ):
            raise ValueError(
                f"{where}: selections[{m!r}] must be select_and_fit_seeds' table (hidden, val_rps, trained)"
            )
    chosen = (
        {
            m: str(t["hidden"].iloc[best_trained(t["val_rps"].to_numpy(), t["trained"].tolist())])
            for m, t in selections.items()
        }
        if selections is not None
        else None
    )
    other = softmax if same_body_of is None else same_body_of
    if chosen is not None and not {ordinal, other} <= set(chosen):
        raise ValueError(f"{where}: selections must hold the tables of {ordinal!r} and {other!r}")
    if brief:
        body = (
            ""
            if chosen is None
            else " (a softmax output on the ordinal network's hidden layers: the test isolates the output layer)"
            if same_body_of is not None
            else " (same hidden layers: the test isolates the output layer)"
            if chosen[ordinal] == chosen[softmax]
            else " (different hidden layers: the test mixes the output layer with the body)"
        )
        return f"The ordinal network against the softmax network{body}: {joined}."
    text = (
        f"The ordinal network (`{ordinal}`) has a mean absolute error of {a['mae_notches']:.3f} notches against "
        f"{b['mae_notches']:.3f} for the softmax network (`{softmax}`); exact accuracy {a['exact_accuracy']:.1%} "
        f"against {b['exact_accuracy']:.1%}, within one notch {a['within_one_accuracy']:.1%} against "
        f"{b['within_one_accuracy']:.1%}, ranked probability score {a['rps']:.4f} against {b['rps']:.4f}. "
        + joined[0].upper()
        + joined[1:]
        + "."
    )
    if chosen is not None:
        if same_body_of is not None:
            text += (
                f" On validation the ordinal network selected hidden layers {chosen[ordinal]} and the softmax "
                f"network (`{same_body_of}`) {chosen[same_body_of]}; `{softmax}` is a softmax output fitted on the "
                f"ordinal network's hidden layers {chosen[ordinal]} (same seeds and settings, not selected), so "
                f"this comparison isolates the output layer, while `{same_body_of}` in the tables above differs "
                "from the ordinal network in its body too."
            )
        elif chosen[ordinal] == chosen[softmax]:
            text += (
                f" Both selected hidden layers {chosen[ordinal]} on validation: the comparison isolates the "
                "output layer."
            )
        else:
            text += (
                f" They selected different hidden layers on validation ({chosen[ordinal]} for the ordinal, "
                f"{chosen[softmax]} for the softmax), so the comparison mixes the output layer with the body."
            )
    return text


def grade_models_reading(
    table: pd.DataFrame,
    notch: pd.DataFrame,
    mcs_included: list[str],
    *,
    trained: Mapping[str, bool],
    tail_recall: Mapping[str, float],
    n_tail: int,
    tail_from: str,
    shares_grade: str,
    worst_grade: str,
    benchmark: str = "ordinal_logit",
    shares: str = "grade_shares",
) -> str:
    """The closing reading of the grade models: the benchmark's exact and within-one accuracy (shares), mean
    absolute error (notches) and Kendall's tau; what always assigning ``shares_grade`` (the median of the
    training grade shares, model ``shares``) gets; the lowest MAE among the models; who is significantly
    better/worse than the benchmark on absolute notch error (``notch``: comparison table with ``model``,
    ``verdict``); the MCS members; which networks trained; and, for the ``n_tail`` loans the lender graded
    ``tail_from`` or worse, each model's ``tail_recall`` (the share it grades ``tail_from`` or worse) with
    ``worst_grade``, the worst grade any model assigns."""
    where = "grade_models_reading"
    missing = [m for m in (benchmark, shares) if m not in table.index]
    if missing:
        raise ValueError(f"{where}: table has no row(s) {missing}")
    b = table.loc[benchmark]
    best = table.drop(index=shares)["mae_notches"].idxmin()
    verdicts = notch.set_index("model")["verdict"].astype(str)
    better = [f"`{m}`" for m, v in verdicts.items() if v.startswith("significantly better")]
    worse = [f"`{m}`" for m, v in verdicts.items() if v.startswith("significantly worse")]
    text = (
        f"On the test loans `{benchmark}` assigns the lender's grade exactly for {b['exact_accuracy']:.1%} of "
        f"loans and within one notch for {b['within_one_accuracy']:.1%} (mean absolute error "
        f"{b['mae_notches']:.3f} notches, Kendall's tau {b['kendall_tau']:.3f}); the median of the training "
        f"shares of the grades (always grade {shares_grade}) gets {table.loc[shares, 'exact_accuracy']:.1%} "
        f"exact. The lowest mean absolute error, as a point estimate, is `{best}`'s "
        f"({table.loc[best, 'mae_notches']:.3f}). "
        f"Significantly better than `{benchmark}` on absolute notch error after Holm: "
        f"{', '.join(better) or 'none'}; significantly worse: {', '.join(worse) or 'none'}. The MCS (10%) on "
        f"notch error keeps {', '.join(f'`{m}`' for m in mcs_included) or 'no model'}. Networks trained: "
        f"{', '.join(f'`{m}` ' + ('yes' if t else 'no') for m, t in trained.items())}. Of the {n_tail} test "
        f"loans the lender graded {tail_from} or worse, the share a model grades {tail_from} or worse is "
        f"{', '.join(f'{r:.1%} (`{m}`)' for m, r in tail_recall.items())}; the worst grade any model assigns "
        f"is {worst_grade}"
    )
    if tail_recall and max(tail_recall.values()) < 0.5:
        return text + ": every model pulls the riskiest loans towards the middle grades."
    return text + "."


def importance_reading(importance: pd.DataFrame, *, top: int = 3) -> str:
    """Per model, the ``top`` attributes whose shuffling raises the mean absolute notch error most."""
    parts = []
    for model in importance.columns:
        best = importance[model].sort_values(ascending=False).head(top)
        items = ", ".join(f"`{k}` ({v:+.3f})" for k, v in best.items())
        parts.append(f"`{model}`: {items}")
    return (
        "Attributes that move the predicted grade most (increase in mean absolute error, notches, when shuffled): "
        + "; ".join(parts)
        + "."
    )


def _versus_lender(mean_signed_error: float) -> str:
    """The direction of a mean signed notch error (model minus lender) in words."""
    if mean_signed_error < 0:
        return "graded better than the lender did, on average"
    if mean_signed_error > 0:
        return "graded worse than the lender did, on average"
    return "the lender's grade on average"


def group_error_reading(
    tables: Mapping[str, Mapping[str, pd.DataFrame]], *, level: float = 0.05
) -> str:
    """Markdown, one paragraph per model: for each grouping (e.g. home ownership, state) of the model's errors
    (``tables[model][grouping]``, from :func:`~finrisk_utils.ratings.metrics.errors_by_group`), the groups with
    the lowest and the highest mean signed error (model minus lender, in notches) and the spread, with which tests
    reject equal groups at ``level`` after Holm over the whole family the reading reports (Kruskal-Wallis on the
    signed error and chi-square on over / exact / under, for every grouping of every model). Each group's
    direction against the lender (graded better or worse) is read only where a test rejects; otherwise the
    estimates are said to be no evidence of a difference."""
    where = "group_error_reading"
    level = check_probability(level, "level", where=where)
    if (
        not isinstance(tables, Mapping)
        or not tables
        or not all(isinstance(t, Mapping) and t for t in tables.values())
    ):
        raise ValueError(
            f"{where}: tables must map each model to a non-empty mapping grouping -> errors_by_group table"
        )
    tests = {"kruskal": "Kruskal-Wallis", "chi2": "chi-square"}
    family = {
        (m, a, test): t.attrs[f"{test}_pvalue"]
        for m, by_attr in tables.items()
        for a, t in by_attr.items()
        for test in tests
    }
    adjusted = dict(zip(family, np.asarray(holm(list(family.values()))), strict=True))
    names = {
        "kruskal": "in the signed error (Kruskal-Wallis)",
        "chi2": "in over / exact / under (chi-square)",
    }
    paragraphs = []
    for model, by_attr in tables.items():
        parts = []
        for attribute, t in by_attr.items():
            err = t["mean_signed_error"]
            low, high = err.idxmin(), err.idxmax()
            shown = ", ".join(
                f"{label} p {_p(family[(model, attribute, test)])}, Holm "
                f"{_p(adjusted[(model, attribute, test)])}"
                for test, label in tests.items()
            )
            rejected = [test for test in tests if adjusted[(model, attribute, test)] < level]
            verdict = (
                f"the groups differ significantly at {level:.0%} after Holm "
                + " and ".join(names[test] for test in rejected)
                + ("" if len(rejected) == 2 else ", not in the other test")
                if rejected
                else f"the differences are not significant at {level:.0%} after Holm"
            )
            if not rejected:  # point estimates only: no direction is read into them
                parts.append(
                    f"By {attribute} ({len(t)} groups), `{model}`'s mean signed error ranges from "
                    f"{err[low]:+.3f} notches ({low} loans) to {err[high]:+.3f} ({high} loans), a spread of "
                    f"{t.attrs['spread']:.3f} notches; {verdict} ({shown}), so these point estimates are no "
                    "evidence that any group is graded differently from another."
                )
                continue
            parts.append(
                f"By {attribute} ({len(t)} groups), `{model}`'s mean signed error is lowest for {low} loans "
                f"({err[low]:+.3f} notches: {_versus_lender(err[low])}; over-graded "
                f"{t.loc[low, 'over_grading_rate']:.1%}) and highest for {high} loans ({err[high]:+.3f}: "
                f"{_versus_lender(err[high])}; under-graded {t.loc[high, 'under_grading_rate']:.1%}); spread "
                f"{t.attrs['spread']:.3f} notches; {verdict} ({shown})."
            )
        paragraphs.append(" ".join(parts))
    return (
        "\n\n".join(paragraphs)
        + f"\n\n(Holm over the {len(family)} tests of this section: "
        + (f"{len(tables)} models × their" if len(tables) > 1 else "1 model × its")
        + " groupings × two tests.)"
    )


def _explains(r2: float) -> str:
    """A test R^2 in words; a negative one is worse than the mean rate, not a negative share explained."""
    return (
        f"explains {r2:.1%}"
        if r2 >= 0
        else f"explains none (R² {r2:.1%}: worse than the mean rate)"
    )


def rate_reading(
    table: pd.DataFrame,
    *,
    grade_only: str,
    without: str,
    with_grade: str,
    period: str = "the test months",
) -> str:
    """The share of the interest rate's test variance (in ``period``) the grade explains alone
    (``grade_only``), the model without the grade (``without``) and with it (``with_grade``) that the caller
    chose on validation: test R^2 and RMSE (percentage points)."""
    g, w, wg = table.loc[grade_only], table.loc[without], table.loc[with_grade]
    return (
        f"The grade alone (`{grade_only}`) {_explains(g['r2'])} of the variance of the rates of {period} "
        f"(RMSE {g['rmse']:.2f} pp); the model on borrower attributes without the grade chosen on validation "
        f"(`{without}`) {_explains(w['r2'])} (RMSE {w['rmse']:.2f} pp), and with the grade added "
        f"(`{with_grade}`) {_explains(wg['r2'])} (RMSE {wg['rmse']:.2f} pp)."
    )


def calibration_reading(
    tables: Mapping[str, pd.DataFrame], *, level: float = 0.05, shift_model: str | None = None
) -> str:
    """Markdown, one sentence per model, from its :func:`~finrisk_utils.ratings.metrics.grade_calibration` table:
    the largest gap between a grade's predicted and observed share (percentage points), and the grades whose
    count rejects calibration at ``level`` after Holm over that model's grades (named with both shares), or that
    none does. A rejection says the model's probabilities put too many or too few loans in that grade on these
    loans; it cannot tell a miscalibrated model from a shift of the grade mix since the training months. With
    ``shift_model`` (a key of ``tables`` whose probabilities are the training months' grade mix for every loan),
    a last sentence says whether that mix itself is rejected: if not, the other models' rejections are not the
    shift but their own miscalibration."""
    where = "calibration_reading"
    level = check_probability(level, "level", where=where)
    if not isinstance(tables, Mapping) or not tables:
        raise ValueError(f"{where}: tables must map each model to its grade_calibration table")
    needed = {"share_observed", "share_expected", "pvalue_holm"}
    if shift_model is not None and shift_model not in tables:
        raise ValueError(f"{where}: shift_model {shift_model!r} is not one of {sorted(tables)}")
    lines = []
    for model, t in tables.items():
        if not isinstance(t, pd.DataFrame) or t.empty or not needed <= set(t.columns):
            raise ValueError(f"{where}: tables[{model!r}] must be a grade_calibration table")
        gap = (t["share_expected"] - t["share_observed"]) * 100
        worst = gap.abs().idxmax()
        head = (
            f"`{model}`: largest gap in grade {worst} ({t.loc[worst, 'share_expected']:.1%} predicted, "
            f"{t.loc[worst, 'share_observed']:.1%} observed, {gap[worst]:+.1f} pp)"
        )
        rejected = t.index[t["pvalue_holm"] < level]
        if len(rejected) == 0:
            lines.append(
                f"- {head}; no grade's count rejects calibration at {level:.0%} after Holm."
            )
            continue
        lines.append(
            f"- {head}; {len(rejected)} of {len(t)} grades {'rejects' if len(rejected) == 1 else 'reject'} "
            f"calibration at {level:.0%} after Holm: "
            + ", ".join(
                f"{g} ({t.loc[g, 'share_expected']:.1%} predicted vs {t.loc[g, 'share_observed']:.1%}, Holm p "
                f"{_p(t.loc[g, 'pvalue_holm'])})"
                for g in rejected
            )
            + "."
        )
    if shift_model is None:
        return "\n".join(lines)
    shifted = tables[shift_model].index[tables[shift_model]["pvalue_holm"] < level]
    others = [m for m, t in tables.items() if m != shift_model and (t["pvalue_holm"] < level).any()]
    if len(shifted) == 0:
        tail = (
            f"The training months' mix (`{shift_model}`) rejects no grade: the mix did not shift "
            "detectably, so "
            + (
                f"the rejections of {', '.join(f'`{m}`' for m in others)} are the models' own miscalibration."
                if others
                else "no model's probabilities are shown to be miscalibrated."
            )
        )
    else:
        tail = (
            f"The training months' mix (`{shift_model}`) itself rejects grades {', '.join(map(str, shifted))}: "
            "the grade mix shifted there, and a model's gap in those grades may be that shift."
        )
    return "\n".join(lines) + "\n\n" + tail
