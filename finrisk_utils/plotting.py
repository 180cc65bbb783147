"""Standard figures. Each takes data and an optional ``ax`` and returns the figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from finrisk_utils.models.training import FitResult
from finrisk_utils.riskmeasures import RiskForecast

__all__ = [
    "plot_pr_curves",
    "plot_calibration",
    "plot_roc",
    "plot_score_distributions",
    "shade_periods",
    "plot_exception_timeline",
    "plot_forecasts",
    "plot_series",
    "plot_training",
    "plot_var_backtest",
    "save_figure",
]


def _axes(ax: Axes | None, figsize: tuple[float, float] = (10, 4)) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def plot_series(
    data: pd.Series | pd.DataFrame, *, title: str = "", ylabel: str = "", ax: Axes | None = None
) -> Figure:
    """Line plot of one or more time series against their dates."""
    fig, ax = _axes(ax)
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    for col in frame.columns:
        ax.plot(frame.index, frame[col], lw=0.8, label=str(col))
    if frame.shape[1] > 1:
        ax.legend()
    ax.set(title=title, ylabel=ylabel)
    return fig


def plot_forecasts(
    actual: pd.Series,
    forecasts: Mapping[str, pd.Series],
    *,
    title: str = "",
    ylabel: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Actual values (grey) with each model's forecast over the same dates."""
    fig, ax = _axes(ax)
    ax.plot(actual.index, actual, color="0.6", lw=0.8, label="actual")
    for name, fc in forecasts.items():
        ax.plot(fc.index, fc, lw=1.0, label=name)
    ax.legend(ncols=min(4, len(forecasts) + 1))
    ax.set(title=title, ylabel=ylabel)
    return fig


def plot_training(result: FitResult, *, title: str = "Training", ax: Axes | None = None) -> Figure:
    """Training and validation loss per epoch, with the restored (best) epoch marked."""
    fig, ax = _axes(ax, figsize=(6, 3.5))
    epochs = range(1, result.epochs_run + 1)
    ax.plot(epochs, result.loss, label="train")
    ax.plot(epochs, result.val_loss, label="validation")
    ax.axvline(
        result.best_epoch, color="0.5", ls="--", lw=0.8, label=f"kept: epoch {result.best_epoch}"
    )
    ax.set(title=title, xlabel="epoch", ylabel="loss")
    ax.legend()
    return fig


def save_figure(fig: Figure, output_dir: str | Path, name: str) -> Path:
    """Save ``fig`` as ``output_dir/figures/<name>.png`` (150 dpi) and return the path."""
    path = Path(output_dir) / "figures" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    return path


def plot_var_backtest(
    returns: pd.Series,
    forecasts: Sequence[RiskForecast],
    *,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Daily returns (grey) with each model's -VaR line and its exceptions (returns below it) marked."""
    fig, ax = _axes(ax, figsize=(12, 4.5))
    ax.plot(returns.index, returns, color="0.7", lw=0.6, label="return (%)")
    for i, fc in enumerate(forecasts):
        color = f"C{i}"
        ax.plot(fc.var.index, -fc.var, lw=0.9, color=color, label=f"{fc.name} (-VaR)")
        hits = returns < -fc.var
        ax.scatter(returns.index[hits], returns[hits], s=14, color=color, zorder=3)
    ax.set(title=title, ylabel="%")
    ax.legend(ncols=min(4, len(forecasts) + 1), fontsize=8)
    return fig


def plot_exception_timeline(
    returns: pd.Series,
    forecasts: Sequence[RiskForecast],
    *,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """One row per model with a tick on each exception day: clusters in time are what the Christoffersen
    independence test detects."""
    fig, ax = _axes(ax, figsize=(12, 0.5 + 0.45 * len(forecasts)))
    for i, fc in enumerate(forecasts):
        days = returns.index[returns < -fc.var]
        ax.scatter(days, [i] * len(days), marker="|", s=200, color=f"C{i}")
    ax.set_yticks(
        range(len(forecasts)), [f"{fc.name} ({int((returns < -fc.var).sum())})" for fc in forecasts]
    )
    ax.set_ylim(-0.7, len(forecasts) - 0.3)
    ax.grid(axis="y", visible=False)
    ax.set(title=title)
    return fig


def plot_roc(y: np.ndarray, scores: Mapping[str, np.ndarray], *, ax: Axes | None = None) -> Figure:
    """ROC curves of several PD models on the same applicants (``y``: 1 = bad), AUC in the legend."""
    from sklearn.metrics import roc_auc_score, roc_curve

    fig, ax = _axes(ax, figsize=(5, 5))
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
    from finrisk_utils.evaluation.classification import calibration_table

    fig, ax = _axes(ax, figsize=(5, 5))
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
    fig, ax = _axes(ax, figsize=(6, 3.5))
    bins = np.linspace(0, 1, 26)
    ax.hist(np.asarray(p)[np.asarray(y) == 0], bins=bins, alpha=0.6, density=True, label="good")
    ax.hist(np.asarray(p)[np.asarray(y) == 1], bins=bins, alpha=0.6, density=True, label="bad")
    ax.set(xlabel="predicted PD", ylabel="density", title=title)
    ax.legend()
    return fig


def shade_periods(ax: Axes, periods: pd.DataFrame, *, label: str = "recession") -> None:
    """Shade the spans ``periods.iloc[:, 0]`` to ``periods.iloc[:, 1]`` (e.g. NBER recessions) on ``ax``."""
    for i, (start, end) in enumerate(periods.itertuples(index=False)):
        ax.axvspan(start, end, color="0.85", zorder=0, label=label if i == 0 else None)


def plot_pr_curves(
    y: np.ndarray, scores: Mapping[str, np.ndarray], *, ax: Axes | None = None
) -> Figure:
    """Precision-recall curves of several detectors (``y``: 1 = fraud), with the prevalence as the floor."""
    from sklearn.metrics import average_precision_score, precision_recall_curve

    fig, ax = _axes(ax, figsize=(5, 4.5))
    for name, s in scores.items():
        precision, recall, _ = precision_recall_curve(y, s)
        ax.plot(
            recall, precision, lw=1.1, label=f"{name} (PR-AUC {average_precision_score(y, s):.3f})"
        )
    ax.axhline(np.mean(y), color="0.6", ls="--", lw=0.8, label="random (prevalence)")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall", yscale="log")
    ax.legend(fontsize=7)
    return fig
