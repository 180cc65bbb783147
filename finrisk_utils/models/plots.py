"""Figures of network training."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from finrisk_utils.core.plotting import new_axes
from finrisk_utils.models.training import FitResult

__all__ = ["plot_training"]


def plot_training(result: FitResult, *, title: str = "Training", ax: Axes | None = None) -> Figure:
    """Training and validation loss per epoch, with the restored (best) epoch marked."""
    fig, ax = new_axes(ax, figsize=(6, 3.5))
    epochs = range(1, result.epochs_run + 1)
    ax.plot(epochs, result.loss, label="train")
    ax.plot(epochs, result.val_loss, label="validation")
    ax.axvline(
        result.best_epoch, color="0.5", ls="--", lw=0.8, label=f"kept: epoch {result.best_epoch}"
    )
    ax.set(title=title, xlabel="epoch", ylabel="loss")
    ax.legend()
    return fig
