"""One generator draw of the fraud study, end to end: simulate, split by time, fit every detector on the
unlabelled (contaminated) training period, choose alert thresholds on validation, score the test period.

Used in: notebooks/04_operational_risk_fraud_autoencoder (repeated over several draws)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finrisk_utils.core.timeseries import Split
from finrisk_utils.core.validation import check_positive_int, check_probability
from finrisk_utils.fraud.detectors import fit_detectors, split_by_time
from finrisk_utils.fraud.metrics import budget_threshold
from finrisk_utils.fraud.simulator import make_transactions
from finrisk_utils.models.training import FitResult

__all__ = [
    "DrawResult",
    "describe_data",
    "detection_verdict",
    "run_draw",
    "trained_models",
    "training_reading",
    "training_table",
]


@dataclass(frozen=True)
class DrawResult:
    """One draw: its ``seed``, the chronological ``split`` of its transactions, ``test`` (the test
    transactions with one score column per detector, named after it), ``thresholds`` (per detector, the
    score above which it alerts, chosen on validation for the alert budget) and ``histories`` (the
    autoencoders' :class:`FitResult`)."""

    seed: int
    split: Split[pd.DataFrame]
    test: pd.DataFrame
    thresholds: dict[str, float]
    histories: dict[str, FitResult]

    @property
    def detectors(self) -> list[str]:
        """The detectors' names, in fitting order."""
        return list(self.thresholds)

    def flags(self) -> dict[str, np.ndarray]:
        """Per detector, the test transactions it alerts on."""
        return {m: self.test[m].to_numpy() > t for m, t in self.thresholds.items()}


def run_draw(
    seed: int,
    *,
    n_customers: int,
    n_days: int,
    fraud_rate: float,
    drift: float,
    contamination: float,
    alert_budget: float,
    epochs: int,
    detectors: Sequence[str] | None = None,
) -> DrawResult:
    """Simulate with ``seed`` (:func:`make_transactions`), split 60/20/20 by time, fit the detectors
    (:func:`fit_detectors`, the same seed; ``detectors``: a subset of their names, ``None`` for all), set each
    threshold so that it would flag ``alert_budget`` of the validation transactions, and score the test
    transactions."""
    where = "run_draw"
    check_positive_int(seed, "seed", where=where, minimum=0)
    alert_budget = check_probability(alert_budget, "alert_budget", where=where)
    tx = make_transactions(
        n_customers=n_customers, n_days=n_days, fraud_rate=fraud_rate, seed=seed, drift=drift
    )
    split = split_by_time(tx)
    scorers, histories = fit_detectors(
        split.train,
        split.val,
        seed=seed,
        epochs=epochs,
        contamination=contamination,
        detectors=detectors,
    )
    thresholds = {m: budget_threshold(f(split.val), alert_budget) for m, f in scorers.items()}
    test = split.test.assign(**{m: f(split.test) for m, f in scorers.items()})
    return DrawResult(int(seed), split, test, thresholds, histories)


def _check_draws(draws: object, where: str) -> list[DrawResult]:
    if not isinstance(draws, list | tuple) or not draws:
        raise ValueError(f"{where}: draws must be a non-empty list of DrawResult")
    for d in draws:
        if not isinstance(d, DrawResult):
            raise TypeError(f"{where}: draws must hold DrawResult objects, got {type(d).__name__}")
    return list(draws)


#: A single feature whose threshold separates a mechanism from normal with at least this AUC gives it away.
GIVEAWAY_AUC = 0.99


def describe_data(tx: pd.DataFrame, split: Split[pd.DataFrame], separation: pd.DataFrame) -> str:
    """Markdown sentences on one draw, computed from it: size, prevalence (normal transactions per fraud),
    the normal night share, how often each mechanism's transactions come from a new country, test frauds per
    mechanism, and the best single-feature separation (from :func:`single_feature_separation`), read against
    :data:`GIVEAWAY_AUC`."""
    where = "describe_data"
    from finrisk_utils.core.validation import check_columns

    check_columns(tx, ["is_fraud", "fraud_type", "hour", "new_country"], where=where)
    normal = tx[tx["is_fraud"] == 0]
    prevalence = tx["is_fraud"].mean()
    night = normal["hour"].between(0, 5).mean()
    kind = tx["fraud_type"].astype(str)
    new_country = tx[tx["is_fraud"] == 1].groupby(kind[tx["is_fraud"] == 1])["new_country"].mean()
    counts = split.test["fraud_type"].astype(str).value_counts().drop("none", errors="ignore")
    best = separation.stack().idxmax()
    top = float(separation.stack().max())
    return (
        f"This draw holds {len(tx):,} transactions, {prevalence:.2%} of them fraudulent: "
        f"{(1 - prevalence) / prevalence:.0f} normal transactions for every fraud. "
        f"{night:.1%} of normal purchases fall between 00:00 and 06:00. "
        "Share of each mechanism's transactions that come from a country new to the customer: "
        + ", ".join(f"{m.replace('_', ' ')} {v:.0%}" for m, v in new_country.items())
        + ". Test-period frauds per mechanism: "
        + ", ".join(f"{m.replace('_', ' ')} {n}" for m, n in counts.items())
        + f". The best single-feature threshold separates {best[0].replace('_', ' ')} from normal with "
        f"AUC {top:.3f} (feature `{best[1]}`): "
        + (
            f"that feature nearly gives the mechanism away (AUC at least {GIVEAWAY_AUC})."
            if top >= GIVEAWAY_AUC
            else f"no single feature separates a mechanism perfectly (a give-away would score AUC at least "
            f"{GIVEAWAY_AUC}), though a strong one can still carry much of a detector's work."
        )
    )


def training_table(draws: list[DrawResult]) -> pd.DataFrame:
    """One row per draw and autoencoder: :meth:`FitResult.summary` (kept epoch, validation and naive
    validation loss, trained 0/1)."""
    return _training_table(_check_draws(draws, "training_table"))


def _training_table(draws: list[DrawResult]) -> pd.DataFrame:
    rows = [
        {"draw": d.seed, "model": m, **h.summary()} for d in draws for m, h in d.histories.items()
    ]
    if not rows:  # draws without an autoencoder (e.g. detectors=["iforest", "rule_engine"])
        index = pd.MultiIndex.from_arrays([[], []], names=["model", "draw"])
        return pd.DataFrame({"trained": pd.Series([], dtype=int)}, index=index)
    return pd.DataFrame(rows).set_index(["model", "draw"])


def trained_models(draws: list[DrawResult]) -> dict[str, bool]:
    """Per autoencoder: did it train (beat the naive reconstruction on validation with weights kept after
    the first epoch: :attr:`FitResult.trained`) in every draw? Empty for
    draws without an autoencoder."""
    table = _training_table(_check_draws(draws, "trained_models"))
    return {m: bool((g["trained"] == 1).all()) for m, g in table.groupby(level="model")}


def training_reading(draws: list[DrawResult]) -> str:
    """One sentence per autoencoder: in how many draws it trained (:attr:`FitResult.trained`), and in how many
    its kept epoch was the last one run (:attr:`FitResult.still_improving`: the epoch budget, not early stopping,
    ended training while the validation loss was still falling, so it may be under-trained). Empty for draws
    without an autoencoder."""
    draws = _check_draws(draws, "training_reading")
    fits: dict[str, list[FitResult]] = {}
    for d in draws:
        for m, h in d.histories.items():
            fits.setdefault(m, []).append(h)
    lines = []
    for m, hs in fits.items():
        n, ok, budget = (
            len(hs),
            sum(h.trained is True for h in hs),
            sum(h.still_improving for h in hs),
        )
        text = f"{m} trained in {ok} of {n} draws"
        if budget:
            text += (
                f"; in {budget} of {n} its kept epoch was the last of its budget, so the validation loss was still "
                "falling when training stopped: it may be under-trained, and the detections below are those of "
                "this budget, not of a converged autoencoder"
            )
        lines.append(text + ".")
    return " ".join(lines)


def detection_verdict(
    boot: pd.DataFrame,
    trained: dict[str, bool],
    *,
    reference: str,
    supervised: str = "supervised_gbm",
) -> str:
    """Markdown sentences read off :func:`bootstrap_detection` (90% intervals): each unsupervised detector's
    PR-AUC against the ``reference`` (above / below / not distinguishable: the interval of the difference
    excludes zero or not), untrained networks labelled and not read, then the supervised reference."""
    where = "detection_verdict"
    needed = [
        "pr_auc",
        "pr_auc_ci_low",
        "pr_auc_ci_high",
        "pr_auc_diff_ci_low",
        "pr_auc_diff_ci_high",
    ]
    missing = sorted(set(needed) - set(boot.columns))
    if missing or reference not in boot.index:
        raise ValueError(
            f"{where}: boot lacks columns {missing} or the reference row {reference!r}"
        )
    r = boot.loc[reference]
    out = [
        f"The {reference.replace('_', ' ')} reaches PR-AUC {r.pr_auc:.3f} "
        f"(90% interval {r.pr_auc_ci_low:.3f}-{r.pr_auc_ci_high:.3f})."
    ]
    for m, row in boot.drop(index=[reference, supervised], errors="ignore").iterrows():
        if not trained.get(m, True):
            out.append(f"{m} did not train in every draw (untrained, not interpreted).")
            continue
        if row.pr_auc_diff_ci_low > 0:
            word = "above"
        elif row.pr_auc_diff_ci_high < 0:
            word = "below"
        else:
            word = "not distinguishable from"
        out.append(
            f"{m}: PR-AUC {row.pr_auc:.3f} ({row.pr_auc_ci_low:.3f}-{row.pr_auc_ci_high:.3f}), {word} the "
            f"{reference.replace('_', ' ')} (difference {row.pr_auc - r.pr_auc:+.3f}, interval "
            f"{row.pr_auc_diff_ci_low:+.3f} to {row.pr_auc_diff_ci_high:+.3f})."
        )
    if supervised in boot.index:
        s = boot.loc[supervised]
        out.append(
            f"The supervised reference, which sees the training labels, reaches {s.pr_auc:.3f} "
            f"({s.pr_auc_ci_low:.3f}-{s.pr_auc_ci_high:.3f})."
        )
    return " ".join(out)
