"""Figures of PD models: ROC, calibration, score distributions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from finrisk_utils.core.plotting import new_axes
from finrisk_utils.credit.metrics import calibration_table

__all__ = ["plot_calibration", "plot_roc", "plot_score_distributions"]


def plot_roc(y: np.ndarray, scores: Mapping[str, np.ndarray], *, ax: Axes | None = None) -> Figure:
    """ROC curves of several PD models on the same applicants (``y``: 1 = bad), AUC in the legend."""
    from sklearn.metrics import roc_auc_score, roc_curve

    fig, ax = new_axes(ax, figsize=(5, 5))
    for name, p in scores.items():
        fpr, tpr, _ = roc_curve(y, p)
        ax.plot(fpr, tpr, lw=1.2, label=f"{name} (AUC {roc_auc_score(y, p):.3f})")
    ax.plot([0, 1], [0, 1], color="0.6", ls="--", lw=0.8)
    ax.set(
        xlabel="false positive rate (goods rejected)",
        ylabel="true positive rate (bads caught)",
        title="ROC",
    )
    ax.legend(fontsize=8)
    return fig


def plot_calibration(
    y: np.ndarray, scores: Mapping[str, np.ndarray], *, n_bins: int = 10, ax: Axes | None = None
) -> Figure:
    """Reliability diagram: observed default rate against mean PD in equal-frequency bins."""
    fig, ax = new_axes(ax, figsize=(5, 5))
    for name, p in scores.items():
        table = calibration_table(y, p, n_bins)
        ax.plot(table["mean_pd"], table["default_rate"], marker="o", ms=3, lw=1, label=name)
    ax.plot([0, 1], [0, 1], color="0.6", ls="--", lw=0.8)
    ax.set(xlabel="mean predicted PD", ylabel="observed default rate", title="Calibration")
    ax.legend(fontsize=8)
    return fig


def plot_score_distributions(
    y: np.ndarray, p: np.ndarray, *, title: str = "", ax: Axes | None = None
) -> Figure:
    """Histograms of the PDs of goods and bads: the further apart, the better the model separates them."""
    fig, ax = new_axes(ax, figsize=(6, 3.5))
    bins = np.linspace(0, 1, 26)
    # matplotlib's stub types bins as Sequence[float]; it accepts an array (documented: sequence)
    ax.hist(np.asarray(p)[np.asarray(y) == 0], bins=bins, alpha=0.6, density=True, label="good")  # type: ignore[arg-type]
    ax.hist(np.asarray(p)[np.asarray(y) == 1], bins=bins, alpha=0.6, density=True, label="bad")  # type: ignore[arg-type]
    ax.set(xlabel="predicted PD", ylabel="density", title=title)
    ax.legend()
    return fig
