"""Figures of VaR forecasts and their exceptions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from finrisk_utils.core.plotting import new_axes
from finrisk_utils.market.backtest import exceptions_of
from finrisk_utils.market.deep_var import DeepVaRResult
from finrisk_utils.market.riskmeasures import RiskForecast
from finrisk_utils.models import plot_training_panels

__all__ = ["plot_deep_var_training", "plot_exception_timeline", "plot_var_backtest"]


def plot_deep_var_training(
    deep: Mapping[str, DeepVaRResult],
    labels: Mapping[str, str] | None = None,
    *,
    ncols: int | None = None,
    title: str = "",
) -> Figure:
    """Learning curves of deep VaR networks, one panel each (``ncols`` per row; default one row): training and
    validation FZ0 loss per epoch with the kept epoch marked, and the validation loss of the naive forecast the
    trained check compares with (dotted: the better of two constant VaR/ES forecasts, see
    :func:`finrisk_utils.market.deep_var.deep_var_forecast`); titled with the network's label, input scheme and window, the figure
    with ``title`` where given. The losses are in each network's own target units (returns divided by its
    scale), so two panels compare only where the schemes match."""
    where = "plot_deep_var_training"
    if not isinstance(deep, Mapping) or not deep:
        raise ValueError(f"{where}: deep must be a non-empty mapping name -> DeepVaRResult")
    labels = dict(labels or {})
    fits = {}
    for name, res in deep.items():
        if not isinstance(res, DeepVaRResult):
            raise TypeError(
                f"{where}: deep[{name!r}] must be a DeepVaRResult, got {type(res).__name__}"
            )
        panel = f"{labels.get(name, name)} ({res.spec.vol_scaling}, window {res.spec.window}): FZ0"
        fits[panel] = res.fit
    fig = plot_training_panels(
        fits,
        ncols=ncols,
        ylabel="FZ0 loss (network's target units)",
        naive_label="naive: better of two constants (validation)",
        where=where,
    )
    if title:
        fig.suptitle(title)
        fig.tight_layout()
    return fig


def plot_var_backtest(
    returns: pd.Series,
    forecasts: Sequence[RiskForecast],
    *,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Daily returns (grey) with each model's -VaR line and its exceptions (returns below it) marked as dots in
    the model's colour."""
    fig, ax = new_axes(ax, figsize=(12, 4.5))
    ax.plot(returns.index, returns, color="0.7", lw=0.6, label="return (%)")
    for i, fc in enumerate(forecasts):
        color = f"C{i}"
        hits = exceptions_of(returns, fc).to_numpy()
        ax.plot(
            fc.var.index,
            -fc.var,
            lw=0.9,
            color=color,
            label=f"{fc.name}: -VaR, exceptions ({hits.sum()})",
        )
        ax.scatter(returns.index[hits], returns[hits], s=14, color=color, zorder=3)
    ax.set(title=title, xlabel="date", ylabel="daily return (%)")
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
    fig, ax = new_axes(ax, figsize=(12, 0.5 + 0.45 * len(forecasts)))
    hits = [exceptions_of(returns, fc) for fc in forecasts]
    for i, h in enumerate(hits):
        days = h.index[h.to_numpy()]
        ax.scatter(days, [i] * len(days), marker="|", s=200, color=f"C{i}")
    ax.set_yticks(
        range(len(forecasts)),
        [f"{fc.name} ({int(h.sum())})" for fc, h in zip(forecasts, hits, strict=True)],
    )
    ax.set_ylim(-0.7, len(forecasts) - 0.3)
    ax.grid(axis="y", visible=False)
    ax.set(title=title, xlabel="date (one tick per exception)")
    return fig
