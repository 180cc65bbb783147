"""What a credit-model validator checks beyond AUC: per-grade binomial tests of the master scale, PDs restated
for the population the model will score (prior correction), disparate impact of the approval decision, and the
comparison of PD models with a benchmark (DeLong tests, Holm, MCS on log loss, verdicts in words).

``y`` is 1 for a default (bad) and 0 otherwise; ``p`` is a PD.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.linear_model import LogisticRegression

from finrisk_utils.core.validation import (
    as_float_array,
    check_columns,
    check_positive_int,
    check_probability,
)
from finrisk_utils.credit.metrics import (
    check_pd_values,
    delong_test,
    grade_table,
    labels_and_scores,
)
from finrisk_utils.credit.models import one_hot_preprocessor
from finrisk_utils.forecasting.compare import format_pvalue, holm, model_confidence_set, verdict

__all__ = [
    "age_groups",
    "approval_cutoff",
    "approval_disparate_impact",
    "compare_pd_models",
    "comparison_text",
    "disparate_impact",
    "disparate_impact_reading",
    "german_credit_groups",
    "grade_tests",
    "jeffreys_interval",
    "LikelihoodRatioTest",
    "population_weights",
    "prior_correct",
    "protected_lr_test",
]


def prior_correct(p: np.ndarray, sample_rate: float, population_rate: float) -> np.ndarray:
    """PDs estimated on a sample with bad rate ``sample_rate`` restated for a population with bad rate
    ``population_rate`` (Bayes odds adjustment, e.g. Saerens et al. 2002): the odds are multiplied by
    ``[population_rate / (1 - population_rate)] / [sample_rate / (1 - sample_rate)]``. Needed when bads were
    over-sampled (German credit: 30% bad in the sample, about 5% in the population, Groemping 2019)."""
    where = "prior_correct"
    p = as_float_array(p, "p", where=where)
    check_pd_values(p, where)
    rho = check_probability(sample_rate, "sample_rate", where=where)
    pi = check_probability(population_rate, "population_rate", where=where)
    factor = (pi / (1 - pi)) / (rho / (1 - rho))
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = p / (1 - p)
        out = np.where(p >= 1, 1.0, factor * odds / (1 + factor * odds))
    return out.astype(float)


def population_weights(y: object, population_rate: float) -> np.ndarray:
    """Weight per applicant that restates a sample with over-sampled bads for a population with bad rate
    ``population_rate``: bads ``population_rate / sample_rate``, goods ``(1 - population_rate) / (1 - sample_rate)``
    (mean weight 1). ``y``: 0/1 labels, shape ``(n,)``, both classes present."""
    where = "population_weights"
    y = as_float_array(y, "y", where=where)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"{where}: y must hold 0/1 labels")
    rho = float(y.mean())
    if rho in (0.0, 1.0):
        raise ValueError(f"{where}: y needs both goods and bads, got a bad rate of {rho}")
    pi = check_probability(population_rate, "population_rate", where=where)
    return np.where(y == 1, pi / rho, (1 - pi) / (1 - rho))


@dataclass(frozen=True)
class LikelihoodRatioTest:
    """In-sample likelihood-ratio test of a logit with the ``dropped`` attributes against one without them:
    ``statistic`` = 2 (log-likelihood with - without), chi-square with ``df`` degrees of freedom under the null
    that the dropped attributes add nothing; ``n`` applicants."""

    statistic: float
    df: int
    pvalue: float
    n: int
    dropped: tuple[str, ...]


def protected_lr_test(X: pd.DataFrame, y: object, protected: Sequence[str]) -> LikelihoodRatioTest:
    """Do the ``protected`` attributes carry default information beyond the other attributes? Two unpenalised
    logits on the one-hot / standardized attributes (:func:`~finrisk_utils.credit.models.one_hot_preprocessor`,
    missing values handled as there), with and without ``protected``, fitted on all rows of ``X``; ``df`` is the
    difference in the two designs' ranks (with an intercept). This is the test for nested models; DeLong on
    their AUCs has the wrong size there (Demler, Pencina and D'Agostino 2012)."""
    where = "protected_lr_test"
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"{where}: X must be a DataFrame of attributes, got {type(X).__name__}")
    if isinstance(protected, str) or not list(protected):
        raise ValueError(
            f"{where}: protected must be a non-empty list of column names, got {protected!r}"
        )
    check_columns(X, list(protected), where=where)
    y = as_float_array(y, "y", where=where)
    if y.shape != (len(X),) or not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"{where}: y must hold {len(X)} 0/1 labels")

    def fit(table: pd.DataFrame) -> tuple[float, int]:
        Z = one_hot_preprocessor(table).fit_transform(table)
        p = LogisticRegression(C=np.inf, tol=1e-8, max_iter=5000).fit(Z, y).predict_proba(Z)[:, 1]
        p = np.clip(p, 1e-12, 1 - 1e-12)
        rank = int(np.linalg.matrix_rank(np.column_stack([np.ones(len(Z)), Z])))
        return float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))), rank

    ll_full, rank_full = fit(X)
    ll_reduced, rank_reduced = fit(X.drop(columns=list(protected)))
    df = rank_full - rank_reduced
    if df < 1:
        raise ValueError(f"{where}: the protected attributes add no column to the design")
    stat = max(0.0, 2 * (ll_full - ll_reduced))
    return LikelihoodRatioTest(stat, df, float(stats.chi2.sf(stat, df)), len(X), tuple(protected))


def jeffreys_interval(defaults: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Equal-tailed Jeffreys interval (Beta(d + 1/2, n - d + 1/2) posterior) for a default rate of
    ``defaults`` out of ``n``; the lower bound is 0 when ``defaults == 0`` and the upper 1 when ``defaults == n``
    (Brown, Cai and DasGupta 2001)."""
    where = "jeffreys_interval"
    n = check_positive_int(n, "n", where=where)
    d = check_positive_int(defaults, "defaults", where=where, minimum=0)
    if d > n:
        raise ValueError(f"{where}: defaults ({d}) cannot exceed n ({n})")
    level = check_probability(level, "level", where=where)
    a, b = d + 0.5, n - d + 0.5
    lo = 0.0 if d == 0 else float(stats.beta.ppf((1 - level) / 2, a, b))
    hi = 1.0 if d == n else float(stats.beta.ppf((1 + level) / 2, a, b))
    return lo, hi


def _band_pvalue(defaults: int, n: int, low: float, high: float) -> float:
    """Two-sided Jeffreys test that the grade's true default rate lies in its PD band [low, high]: twice the
    smaller posterior mass beyond the band's near edge, capped at 1 (1 when the observed rate is inside)."""
    a, b = defaults + 0.5, n - defaults + 0.5
    above = float(stats.beta.sf(high, a, b))  # posterior mass above the band
    below = float(stats.beta.cdf(low, a, b))  # posterior mass below the band
    return float(min(1.0, 2 * min(1 - above, 1 - below)))


def grade_tests(
    y: np.ndarray, p: np.ndarray, upper_bounds: Sequence[float], *, level: float = 0.95
) -> pd.DataFrame:
    """:func:`grade_table` plus, per non-empty grade, the defaults, a Jeffreys interval for the observed default
    rate (``jeffreys_low``/``jeffreys_high``), the p-value of the test that the grade's PD band is consistent
    with its observed rate (``band_pvalue``; small = the band is wrong for this grade), its Holm adjustment over
    the grades (``band_pvalue_holm``) and ``consistent`` (Holm p at least ``1 - level``).
    ``attrs``: ``monotone`` (from :func:`grade_table`), ``pvalue_min`` (smallest unadjusted band p-value) and
    ``n_inconsistent`` (grades rejected after Holm)."""
    where = "grade_tests"
    y, p = labels_and_scores(y, p, where)
    level = check_probability(level, "level", where=where)
    table = grade_table(y, p, list(upper_bounds))
    from finrisk_utils.credit.metrics import assign_grades

    grades = assign_grades(p, list(upper_bounds))
    lower = [0.0, *list(upper_bounds)[:-1]]
    cols: dict[str, list[float]] = {
        k: [] for k in ("defaults", "jeffreys_low", "jeffreys_high", "band_pvalue")
    }
    for g, lo, hi in zip(table.index, lower, upper_bounds, strict=True):
        mask = grades == g
        n, d = int(mask.sum()), int(y[mask].sum())
        cols["defaults"].append(d)
        if n == 0:
            for k in ("jeffreys_low", "jeffreys_high", "band_pvalue"):
                cols[k].append(np.nan)
            continue
        j_lo, j_hi = jeffreys_interval(d, n, level)
        cols["jeffreys_low"].append(j_lo)
        cols["jeffreys_high"].append(j_hi)
        cols["band_pvalue"].append(_band_pvalue(d, n, lo, hi))
    out = table.assign(**cols)
    tested = out["band_pvalue"].notna()
    out["band_pvalue_holm"] = np.nan
    out.loc[tested, "band_pvalue_holm"] = holm(out.loc[tested, "band_pvalue"].to_numpy())
    out["consistent"] = [
        bool(q >= 1 - level) if t else None
        for q, t in zip(out["band_pvalue_holm"], tested, strict=True)
    ]
    out.attrs = {
        "monotone": table.attrs["monotone"],
        "pvalue_min": float(out["band_pvalue"].min()),
        "n_inconsistent": int((out.loc[tested, "band_pvalue_holm"] < 1 - level).sum()),
    }
    return out


def approval_cutoff(
    p: np.ndarray, approval_rate: float, weights: np.ndarray | None = None
) -> float:
    """The PD cut-off that approves (PD at most the cut-off) the share ``approval_rate`` of applicants: the
    ``approval_rate`` quantile of ``p`` (lower interpolation, so ties at the cut-off are all approved). With
    ``weights`` (e.g. :func:`population_weights`), the share is of the total weight: the smallest PD whose
    weighted cumulative share reaches ``approval_rate``."""
    where = "approval_cutoff"
    p = as_float_array(p, "p", where=where)
    check_pd_values(p, where)
    rate = check_probability(approval_rate, "approval_rate", where=where)
    if weights is None:
        return float(np.quantile(p, rate, method="lower"))
    w = _check_weights(weights, p.size, where)
    order = np.argsort(p, kind="stable")
    share = np.cumsum(w[order]) / w.sum()
    return float(p[order][min(int(np.searchsorted(share, rate - 1e-12)), p.size - 1)])


def _check_weights(weights: object, n: int, where: str) -> np.ndarray:
    """Finite, non-negative weights of shape ``(n,)`` with a positive sum."""
    w = as_float_array(weights, "weights", where=where)
    if w.shape != (n,) or (w < 0).any() or w.sum() <= 0:
        raise ValueError(
            f"{where}: weights must be {n} non-negative numbers with a positive sum, got shape {w.shape}"
        )
    return w


def age_groups(age: object, age_cut: int, *, name: str = "age", where: str) -> np.ndarray:
    """Age group per applicant (years): ``"<cut> or younger"`` where age <= ``age_cut``, else ``"over <cut>"``
    (the young group of Kamiran and Calders 2009, age <= 25 on German credit). Shape ``(n,)``, dtype object."""
    age_cut = check_positive_int(age_cut, "age_cut", where=where)
    young = as_float_array(age, name, where=where) <= age_cut
    return np.where(young, f"{age_cut} or younger", f"over {age_cut}").astype(object)


# The file's labels follow the UCI documentation; Grömping (2019, "South German Credit Data: Correcting a Widely
# Used Data Set", Beuth University report 4/2019) recovered the code table the data were collected with. Per UCI
# label of ``personal_status_and_sex``: (sex, marital status) under each reading; None where the corrected code
# does not tell (code 2 is "female : non-single or male : single").
_PERSONAL_STATUS: dict[str, dict[str, tuple[str | None, str | None]]] = {
    "uci": {
        "male : divorced/separated": ("male", "not single"),
        "female : divorced/separated/married": ("female", "not single"),
        "male : single": ("male", "single"),
        "male : married/widowed": ("male", "not single"),
        "female : single": ("female", "single"),
    },
    "groemping": {
        "male : divorced/separated": ("male", "not single"),
        "female : divorced/separated/married": (None, None),
        "male : single": ("male", "not single"),  # corrected: male : married/widowed
        "male : married/widowed": ("female", "single"),  # corrected: female : single
        "female : single": ("female", "single"),  # no applicant has this code
    },
}
# foreign_worker: Grömping's corrected data hold the opposite of the UCI file's yes/no.
_FOREIGN = {"uci": "yes", "groemping": "no"}


def german_credit_groups(
    X: pd.DataFrame, *, age_cut: int = 25, coding: str = "groemping"
) -> pd.DataFrame:
    """Protected groups of the German credit applicants, one column per attribute: ``sex`` (female/male) and
    ``marital`` (single/not single) from ``personal_status_and_sex``, ``age`` (:func:`age_groups`: at most
    ``age_cut`` or over it; 25 as in Kamiran and Calders 2009) and ``foreign`` (from ``foreign_worker``).

    ``coding="groemping"`` (default) reads the codes as Grömping (2019) corrected them: the UCI label "male :
    single" is a married or widowed man, "male : married/widowed" a single woman, "female :
    divorced/separated/married" a non-single woman *or* a single man (sex and marital status unknown: NaN, left
    out of group rates), and foreign-worker yes/no are swapped (37 foreign workers, not 963). ``coding="uci"``
    reads the labels as the UCI documentation states them (for comparison with published analyses)."""
    where = "german_credit_groups"
    if coding not in _PERSONAL_STATUS:
        raise ValueError(
            f"{where}: coding must be one of {sorted(_PERSONAL_STATUS)}, got {coding!r}"
        )
    status, age, foreign = "personal_status_and_sex", "age_in_years", "foreign_worker"
    check_columns(X, [status, age, foreign], where=where)
    text = X[status].astype(str)
    table = _PERSONAL_STATUS[coding]
    unknown = sorted(set(text) - set(table))
    if unknown:
        raise ValueError(
            f"{where}: personal_status_and_sex holds labels {unknown} outside the UCI code table "
            f"{sorted(table)} (row {text.index[text.isin(unknown)][0]!r})"
        )
    sex, marital = (text.map({k: v[i] for k, v in table.items()}) for i in (0, 1))
    return pd.DataFrame(
        {
            "sex": sex.to_numpy(dtype=object),
            "marital": marital.to_numpy(dtype=object),
            "age": age_groups(X[age], age_cut, name=age, where=where),
            "foreign": np.where(
                X[foreign].astype(str) == _FOREIGN[coding], "foreign", "not foreign"
            ),
        },
        index=X.index,
    )


def disparate_impact(
    approved: np.ndarray, groups: pd.DataFrame, weights: np.ndarray | None = None
) -> pd.DataFrame:
    """Approval rate per group of each protected attribute and its ratio to the best-treated group of the same
    attribute (``di_ratio``; below 0.8 fails the four-fifths rule, US EEOC 1978). One row per
    (attribute, group), sorted by ratio within attribute; ``n`` counts applicants. ``weights``: the approval
    rates are weighted means (e.g. :func:`population_weights` restates a sample with over-sampled bads)."""
    where = "disparate_impact"
    approved = as_float_array(approved, "approved", where=where)
    if not np.isin(approved, (0.0, 1.0)).all():
        raise ValueError(f"{where}: approved must hold 0/1 (or bool) decisions")
    if not isinstance(groups, pd.DataFrame) or groups.shape[1] == 0:
        raise TypeError(
            f"{where}: groups must be a DataFrame with one column per protected attribute"
        )
    if len(groups) != approved.size:
        raise ValueError(
            f"{where}: groups has {len(groups)} rows, approved has {approved.size} decisions"
        )
    w = np.ones(approved.size) if weights is None else _check_weights(weights, approved.size, where)
    frame = pd.DataFrame({"w": w, "wa": w * approved})
    rows = []
    for attr in groups.columns:
        sums = frame.groupby(groups[attr].to_numpy()).agg(
            size=("w", "size"), w=("w", "sum"), wa=("wa", "sum")
        )
        rates = pd.DataFrame({"size": sums["size"], "mean": sums["wa"] / sums["w"]})
        best = rates["mean"].max()
        for group, r in rates.sort_values("mean").iterrows():
            rows.append(
                {
                    "attribute": attr,
                    "group": group,
                    "n": int(r["size"]),
                    "approval_rate": float(r["mean"]),
                    "di_ratio": float(r["mean"] / best) if best > 0 else np.nan,
                }
            )
    out = pd.DataFrame(rows).set_index(["attribute", "group"])
    out["four_fifths_ok"] = out["di_ratio"] >= 0.8
    return out


def approval_disparate_impact(
    p: np.ndarray,
    approval_rate: float,
    groups: pd.DataFrame,
    weights: np.ndarray | None = None,
) -> pd.DataFrame:
    """The :func:`disparate_impact` table of the decision "approve the ``approval_rate`` share of applicants with
    the lowest PD ``p``": the cut-off is :func:`approval_cutoff` (weighted by ``weights`` when given, so the
    share is of the weighted population) and the approval rates are weighted the same way. The cut-off (a PD)
    is kept in ``table.attrs["cutoff"]``."""
    cutoff = approval_cutoff(p, approval_rate, weights)
    table = disparate_impact(np.asarray(p, dtype=float) <= cutoff, groups, weights)
    table.attrs["cutoff"] = cutoff
    return table


def disparate_impact_reading(tables: Mapping[str, pd.DataFrame], *, threshold: float = 0.8) -> str:
    """One Markdown sentence per model: ``tables[model]`` is its :func:`disparate_impact` table (one row per
    (attribute, group)); the sentence gives the lowest disparate-impact ratio with the attribute and the group that
    has it, and every attribute whose worst-treated group is below ``threshold`` (the four-fifths rule), naming
    that group: the group a ratio flags is the one approved less, which need not be the protected minority.
    A table from :func:`approval_disparate_impact` has its PD cut-off quoted."""
    where = "disparate_impact_reading"
    if not isinstance(tables, Mapping) or not tables:
        raise ValueError(
            f"{where}: tables must be a non-empty mapping model -> disparate_impact table"
        )
    threshold = check_probability(threshold, "threshold", where=where)
    out = []
    for model, table in tables.items():
        if (
            not isinstance(table, pd.DataFrame)
            or "di_ratio" not in table
            or table.index.nlevels != 2
        ):
            raise ValueError(
                f"{where}: tables[{model!r}] must be a disparate_impact table (attribute, group) -> di_ratio"
            )
        worst = table["di_ratio"].groupby(level="attribute", sort=False).idxmin()
        ratio = table["di_ratio"]
        lowest = ratio.idxmin()
        below = ", ".join(f"{a} ({g})" for a, g in worst if ratio[(a, g)] < threshold) or "none"
        cutoff = table.attrs.get("cutoff")
        out.append(
            f"`{model}`"
            + (f" (approves PD ≤ {cutoff:.1%})" if cutoff is not None else "")
            + f": lowest disparate-impact ratio {ratio[lowest]:.3f} ({lowest[0]}: {lowest[1]}); "
            f"below {threshold:g}: {below}."
        )
    return " ".join(out)


def compare_pd_models(
    y: np.ndarray,
    pds: pd.DataFrame,
    benchmark: str,
    *,
    trained: Mapping[str, bool] | None = None,
    level: float = 0.05,
    mcs_size: float = 0.10,
    mcs_reps: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Every column of ``pds`` (PDs of one model on the same applicants, e.g. out-of-fold) against
    ``benchmark``: AUC, DeLong test of the AUC difference, Holm over the trained models' DeLong p-values, mean
    log loss, membership of the model confidence set on per-applicant log loss (applicants independent: block
    length 1) and the verdict in words (``"significantly better than ..."``, ``"not distinguishable from ..."``,
    ``"significantly worse than ..."``, or untrained). One row per model, benchmark first."""
    where = "compare_pd_models"
    if not isinstance(pds, pd.DataFrame) or pds.shape[1] < 2:
        raise TypeError(
            f"{where}: pds must be a DataFrame with one PD column per model (at least two)"
        )
    if benchmark not in pds.columns:
        raise ValueError(
            f"{where}: benchmark {benchmark!r} is not a column of pds {list(pds.columns)}"
        )
    trained = dict(trained or {})
    unknown = sorted(set(trained) - set(pds.columns))
    if unknown:
        raise ValueError(f"{where}: trained names models {unknown} that are not columns of pds")
    level = check_probability(level, "level", where=where)
    y, _ = labels_and_scores(y, pds[benchmark].to_numpy(), where)
    losses = {}
    for m in pds.columns:
        _, p = labels_and_scores(y, pds[m].to_numpy(), where, name=m)
        check_pd_values(p, where)
        q = np.clip(p, 1e-15, 1 - 1e-15)
        losses[m] = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    losses = pd.DataFrame(losses)
    mcs = model_confidence_set(losses, size=mcs_size, reps=mcs_reps, block_size=1, seed=seed)
    rows = []
    for m in pds.columns:
        d = delong_test(y, pds[m].to_numpy(), pds[benchmark].to_numpy())
        is_bench = m == benchmark
        rows.append(
            {
                "model": m,
                "trained": bool(trained.get(m, True)),
                "auc": d.auc_a,
                "auc_diff": np.nan if is_bench else d.difference,
                "delong_pvalue": np.nan if is_bench else d.pvalue,
                "log_loss": float(losses[m].mean()),
                "in_mcs": int(mcs.membership[m]),
            }
        )
    table = pd.DataFrame(rows).set_index("model")
    family = table["delong_pvalue"].notna() & table["trained"]
    table["pvalue_holm"] = np.nan
    if family.any():
        table.loc[family, "pvalue_holm"] = holm(table.loc[family, "delong_pvalue"].to_numpy())
    table["verdict"] = [
        "benchmark"
        if m == benchmark
        else verdict(-r.auc_diff, r.pvalue_holm, benchmark, level=level, trained=bool(r.trained))
        for m, r in table.iterrows()
    ]
    table.attrs = {"benchmark": benchmark, "level": level, "mcs_size": mcs_size}
    return table


def comparison_text(table: pd.DataFrame) -> str:
    """Markdown sentences read off :func:`compare_pd_models`: per model its AUC against the benchmark's, the
    DeLong and Holm p-values and the verdict, then the MCS."""
    check_columns(table, ["auc", "auc_diff", "delong_pvalue", "pvalue_holm", "in_mcs", "verdict"])
    bench = table.attrs.get("benchmark")
    if bench not in table.index:
        raise ValueError("comparison_text: table has no benchmark (use compare_pd_models)")
    out = []
    for m, r in table.drop(index=bench).iterrows():
        if r["verdict"].startswith("did not train"):
            out.append(f"`{m}` did not train (not interpreted).")
            continue
        out.append(
            f"`{m}`: AUC {r['auc']:.3f} against {r['auc'] - r['auc_diff']:.3f}, DeLong p "
            f"{format_pvalue(r['delong_pvalue'])}, Holm p {format_pvalue(r['pvalue_holm'])}: {r['verdict']}."
        )
    kept = ", ".join(f"`{m}`" for m in table.index[table["in_mcs"] == 1])
    size = table.attrs.get("mcs_size", 0.10)
    out.append(f"The {100 * (1 - size):.0f}% model confidence set on log loss keeps {kept}.")
    return " ".join(out)
