"""Sentences of notebook 05 computed from its results: the reference DNS/random-walk ratios, the Monte Carlo of
DNS-AR(1) against the random walk, the autoencoder-vs-PCA comparison of curve factors and the IRRBB outlier
test."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import check_columns
from finrisk_utils.rates.curve_factors import SATURATION, CurveFactorFit

__all__ = ["factor_reading", "monte_carlo_reading", "outlier_reading", "reference_reading"]


def monte_carlo_reading(
    summary: pd.DataFrame, panel_ratio: Mapping[int, float], here: str = "this notebook's panel"
) -> str:
    """``summary``: one row per horizon with ``mean`` (mean RMSE ratio DNS / random walk over panels),
    ``share_dns_wins`` and ``count``; ``panel_ratio``: the same ratio on the notebook's own curve per horizon,
    which ``here`` names (e.g. "the real curve")."""
    check_columns(summary, ["mean", "share_dns_wins", "count"], where="monte_carlo_reading")
    missing = sorted(set(summary.index) - set(panel_ratio))
    if missing:
        raise ValueError(f"monte_carlo_reading: panel_ratio lacks horizons {missing}")
    summary = summary.sort_index()  # the trend is read from the shortest horizon to the longest
    parts = []
    for h, row in summary.iterrows():
        side = "beats" if row["mean"] < 1 else "does not beat"
        here_side = "below" if panel_ratio[h] < 1 else "not below"
        parts.append(
            f"at h = {h} DNS-AR(1) {side} the random walk on average (mean RMSE ratio "
            f"{row['mean']:.3f}) and wins on {row['share_dns_wins']:.0%} of the panels; on {here} its ratio is "
            f"{panel_ratio[h]:.3f} ({here_side} 1, a point estimate: the notebook's Diebold–Mariano tests say whether it differs)"
        )
    n = int(summary["count"].iloc[0])
    means = summary["mean"].to_numpy()
    several = len(means) > 1  # a trend over horizons needs at least two of them
    if (means >= 1).all():
        trend = "On average DNS-AR(1) loses to the random walk at every horizon" + (
            ", by more at longer horizons" if several and (means[1:] > means[:-1]).all() else ""
        )
    elif not several:
        trend = "One horizon: no trend over horizons to read"
    elif (means[1:] < means[:-1]).all():
        trend = "The average advantage grows with the horizon"
    else:
        trend = "The average advantage does not grow steadily with the horizon"
    return f"Over {n} simulated panels, " + "; ".join(parts) + f". {trend}."


def factor_reading(pca: CurveFactorFit, ae: CurveFactorFit) -> str:
    """Autoencoder against PCA: whether it trained (beat the training mean curve on validation after its first
    epoch; an untrained one is not interpreted), convergence, training and test reconstruction RMSE, tanh
    saturation."""
    if ae.fit is None:
        raise ValueError(
            "factor_reading: ae must be an autoencoder fit (with its training history)"
        )
    numbers = (
        f"Reconstruction RMSE on the training curves: autoencoder {ae.recon_rmse_train:.3f} pp, "
        f"PCA {pca.recon_rmse_train:.3f} pp; on the test curves: autoencoder {ae.recon_rmse:.3f} pp, "
        f"PCA {pca.recon_rmse:.3f} pp."
    )
    if ae.fit.trained is False:
        return (
            f"The autoencoder did not train: its kept validation loss ({ae.fit.best_val_loss:.4f}, epoch "
            f"{ae.fit.best_epoch}) does not beat {ae.fit.naive_val_loss:.4f}, the loss of reconstructing every "
            "curve as the training mean curve, after its first epoch; it is labelled untrained and its errors "
            f"are not interpreted. {numbers}"
        )
    beat = (
        ""
        if ae.fit.trained is None
        else f"; it beat the training mean curve on validation (loss {ae.fit.best_val_loss:.4f} against "
        f"{ae.fit.naive_val_loss:.4f})"
    )
    conv = (
        f"The autoencoder converged (kept epoch {ae.fit.best_epoch}, early stopping at epoch "
        f"{ae.fit.epochs_run})"
        if ae.converged
        else f"The autoencoder did not converge (kept epoch {ae.fit.best_epoch} is the last of "
        f"{ae.fit.epochs_run}): its errors are not interpreted"
    )
    text = f"{conv}{beat}. {numbers}"
    if not ae.converged:
        return text
    fits_train = ae.recon_rmse_train <= 1.5 * pca.recon_rmse_train
    grows = ae.recon_rmse > 2 * ae.recon_rmse_train
    sat = (
        f" The share of saturated tanh activations (|a| > {SATURATION}) is {ae.saturation_train:.1%} "
        f"on the training curves and {ae.saturation_test:.1%} on the test curves."
    )
    if fits_train and grows and ae.saturation_test > ae.saturation_train:
        verdict = (
            " In sample it is as good as PCA, so the test gap is not a failure to fit: it is extrapolation, "
            "with more units saturated where the test curves leave the training range."
        )
    elif fits_train and grows:
        verdict = (
            " In sample it is as good as PCA; out of sample its error grows although saturation does not "
            "rise, so the gap is extrapolation by the nonlinear decoder, not saturation."
        )
    elif fits_train:
        verdict = " It matches PCA in and out of sample."
    else:
        verdict = " It does not reach PCA's error even in sample."
    better = (
        f"PCA reconstructs better (the autoencoder's error is {ae.recon_rmse / pca.recon_rmse:.1f} times PCA's)"
        if pca.recon_rmse <= ae.recon_rmse
        else f"the autoencoder reconstructs better (PCA's error is {pca.recon_rmse / ae.recon_rmse:.1f} times its)"
    )
    return text + sat + verdict + f" On the test curves {better}."


def reference_reading(table: pd.DataFrame, tolerance: float = 5e-4) -> str:
    """``table``: rows (horizon, maturity) with columns ``reference`` and one column per DNS method (RMSE
    ratios to the random walk). Says, per method, whether every ratio is within ``tolerance`` of the
    reference, and the largest gap."""
    check_columns(table, ["reference"], where="reference_reading")
    methods = [c for c in table.columns if c != "reference"]
    if not methods:
        raise ValueError("reference_reading: table has no method column beside 'reference'")
    parts = []
    for m in methods:
        gap = float(np.abs(table[m] - table["reference"]).max())
        verdict = "reproduces" if gap <= tolerance else "does not reproduce"
        parts.append(
            f"the {m} AR(1) {verdict} the reference (largest gap {gap:.4f} over {len(table)} ratios, "
            f"tolerance {tolerance:g})"
        )
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def outlier_reading(test: pd.DataFrame, tier1_capital: float, threshold: float) -> str:
    """``test``: the output of ``eve_outlier_test``. The worst scenario, its share of Tier 1 and the
    verdict of the supervisory outlier test."""
    check_columns(test, ["delta_eve", "share_of_tier1", "breach"], where="outlier_reading")
    worst = test["delta_eve"].idxmin()
    share = test.loc[worst, "share_of_tier1"]
    breaches = [str(b) for b in test.index[test["breach"]]]
    verdict = (
        f"the book is an outlier: {len(breaches)} scenario(s) ({', '.join(breaches)}) cost more than "
        f"{threshold:.0%} of Tier 1"
        if breaches
        else f"the book is not an outlier: no scenario costs more than {threshold:.0%} of Tier 1"
    )
    return (
        f"With Tier 1 capital of {tier1_capital:,.0f}, the worst scenario is {worst}, a change of economic "
        f"value of {test.loc[worst, 'delta_eve']:,.0f} ({share:.1%} of Tier 1): {verdict}."
    )
