"""Figures of fraud detectors."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from finrisk_utils.core.plotting import new_axes

__all__ = ["plot_pr_curves"]


def plot_pr_curves(
    y: np.ndarray, scores: Mapping[str, np.ndarray], *, ax: Axes | None = None
) -> Figure:
    """Precision-recall curves of several detectors (``y``: 1 = fraud), with the prevalence as the floor."""
    from sklearn.metrics import average_precision_score, precision_recall_curve

    fig, ax = new_axes(ax, figsize=(5, 4.5))
    for name, s in scores.items():
        precision, recall, _ = precision_recall_curve(y, s)
        ax.plot(
            recall, precision, lw=1.1, label=f"{name} (PR-AUC {average_precision_score(y, s):.3f})"
        )
    ax.axhline(np.mean(y), color="0.6", ls="--", lw=0.8, label="random (prevalence)")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall", yscale="log")
    ax.legend(fontsize=7)
    return fig
