"""Figures of notebook 10: confusion matrices of grades, errors by group, permutation importance, the interest
rate by grade."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from finrisk_utils.core.plotting import new_axes

__all__ = ["plot_confusion", "plot_errors_by_group", "plot_importance", "plot_rate_by_grade"]


def plot_confusion(counts: pd.DataFrame, *, title: str, ax: Axes | None = None) -> Figure:
    """Row-normalised confusion matrix (share of each actual grade predicted as each grade), counts written in
    the cells; ``counts`` from :func:`~finrisk_utils.ratings.metrics.confusion_counts`."""
    fig, ax = new_axes(ax, figsize=(5, 4.5))
    rows = counts.to_numpy().astype(float)
    share = rows / np.maximum(rows.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for (i, j), n in np.ndenumerate(counts.to_numpy()):
        if n:
            ax.text(
                j,
                i,
                str(n),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if share[i, j] > 0.5 else "black",
            )
    ax.set_xticks(range(counts.shape[1]), counts.columns)
    ax.set_yticks(range(counts.shape[0]), counts.index)
    ax.set(title=title, xlabel="predicted grade", ylabel="lender's grade")
    fig.colorbar(image, ax=ax, label="share of the lender's grade (row)")
    return fig


def plot_errors_by_group(
    tables: dict[str, pd.DataFrame], *, title: str, ax: Axes | None = None
) -> Figure:
    """Mean signed notch error (predicted minus lender's grade) per group with ±2 standard errors, one bar
    colour per model; ``tables`` maps a model to its :func:`~finrisk_utils.ratings.metrics.errors_by_group`."""
    fig, ax = new_axes(ax, figsize=(8, 3.8))
    groups = list(next(iter(tables.values())).index)
    width = 0.8 / len(tables)
    for i, (name, table) in enumerate(tables.items()):
        t = table.reindex(groups)
        x = np.arange(len(groups)) + (i - (len(tables) - 1) / 2) * width
        ax.bar(x, t["mean_signed_error"], width, yerr=2 * t["se"], capsize=2, label=name)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(range(len(groups)), groups, rotation=45 if len(groups) > 6 else 0)
    ax.set(title=title, xlabel="group", ylabel="mean predicted - actual (notches)")
    ax.legend(title="model (bars: ±2 s.e.)")
    return fig


def plot_importance(
    importance: pd.DataFrame, *, title: str, top: int = 12, ax: Axes | None = None
) -> Figure:
    """Horizontal bars of permutation importance (increase in mean absolute notch error when a column is
    shuffled), one column of ``importance`` per model, the ``top`` attributes by the first model."""
    fig, ax = new_axes(ax, figsize=(8, 0.35 * top + 1.5))
    order = importance.iloc[:, 0].sort_values(ascending=True).index[-top:]
    width = 0.8 / importance.shape[1]
    for i, name in enumerate(importance.columns):
        y = np.arange(len(order)) + (i - (importance.shape[1] - 1) / 2) * width
        ax.barh(y, importance.loc[order, name], width, label=name)
    ax.set_yticks(range(len(order)), order)
    ax.set(title=title, xlabel="increase in mean absolute error (notches)", ylabel="attribute")
    ax.legend(title="model")
    return fig


def plot_rate_by_grade(
    rate: pd.Series, grade: pd.Series, *, title: str, ax: Axes | None = None
) -> Figure:
    """Box plot of the interest rate (per cent) by grade: how much of the price the grade sets."""
    fig, ax = new_axes(ax, figsize=(7, 3.8))
    labels = sorted(pd.unique(grade.astype(str)))
    data = [rate[grade.astype(str) == g].to_numpy() for g in labels]
    ax.boxplot(data, tick_labels=labels, showfliers=False)
    ax.plot([], [], color="C1", label="median")  # the boxes' median line
    ax.set(title=title, xlabel="grade", ylabel="interest rate (% per year)")
    ax.legend()
    return fig
