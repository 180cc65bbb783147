"""Figures of network training."""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from finrisk_utils.core.plotting import new_axes
from finrisk_utils.models.training import FitResult

__all__ = ["plot_training", "plot_training_panels"]


def plot_training(
    result: FitResult,
    *,
    title: str = "Training",
    ax: Axes | None = None,
    naive_label: str = "naive forecast (validation)",
) -> Figure:
    """Training and validation loss per epoch, with the restored (best) epoch marked and, where the fit has one,
    the naive predictor's validation loss (the bar of the trained check, dotted, labelled ``naive_label``)."""
    fig, ax = new_axes(ax, figsize=(6, 3.5))
    epochs = range(1, result.epochs_run + 1)
    ax.plot(epochs, result.loss, label="train")
    ax.plot(epochs, result.val_loss, label="validation")
    ax.axvline(
        result.best_epoch, color="0.5", ls="--", lw=0.8, label=f"kept: epoch {result.best_epoch}"
    )
    if result.naive_val_loss is not None:
        ax.axhline(result.naive_val_loss, color="k", ls=":", lw=1, label=naive_label)
    ax.set(title=title, xlabel="epoch", ylabel="loss")
    ax.legend()
    return fig


def plot_training_panels(
    fits: Mapping[str, FitResult],
    *,
    ncols: int | None = None,
    ylabel: str = "loss",
    naive_label: str = "naive forecast (validation)",
    where: str = "plot_training_panels",
) -> Figure:
    """Learning curves of several fits, one panel each (titled with its key): training and validation loss per
    epoch, the kept epoch marked, and the naive predictor's validation loss (the bar of the trained check,
    dotted, labelled ``naive_label``) where the fit has one. ``ncols`` panels per row (default: all in one row);
    ``ylabel`` names the loss and its units. Raises (naming ``where``) on an empty mapping, a value that is not a :class:`FitResult` or
    non-finite losses."""
    if not isinstance(fits, Mapping) or not fits:
        raise ValueError(f"{where}: need a non-empty mapping title -> FitResult")
    for title, fit in fits.items():
        if not isinstance(fit, FitResult):
            raise TypeError(f"{where}: [{title!r}] must be a FitResult, got {type(fit).__name__}")
        if not (np.isfinite(fit.loss).all() and np.isfinite(fit.val_loss).all()):
            raise ValueError(f"{where}: [{title!r}] has non-finite losses")
    ncols = len(fits) if ncols is None else ncols
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"{where}: ncols must be a positive int, got {ncols!r}")
    ncols = min(ncols, len(fits))
    nrows = math.ceil(len(fits) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 3.5 * nrows), squeeze=False)
    for ax, (title, fit) in zip(axes.flat, fits.items(), strict=False):
        plot_training(fit, title=title, ax=ax, naive_label=naive_label)
        ax.set_ylabel(ylabel)
    for ax in axes.flat[len(fits) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig
