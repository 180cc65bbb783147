"""Figure helpers shared by every domain: axes, time-series and forecast plots, period shading, saving.
Domain figures live in each domain's ``plots`` module; each takes data and an optional ``ax`` and returns the figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "drawn_models",
    "new_axes",
    "plot_forecasts",
    "plot_series",
    "save_figure",
    "shade_periods",
]


def drawn_models(names: Sequence[str], trained: Mapping[str, bool]) -> tuple[list[str], str]:
    """The models of ``names`` a figure draws and the note its title carries about the others.

    An untrained network is labelled and never interpreted, so a figure does not draw it: every name that
    ``trained`` maps to False is left out (names it lacks, e.g. the baselines, are drawn). Returns the drawn
    names in the given order and ``"; untrained, not drawn: a, b"`` (``""`` when nothing is left out)."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"drawn_models: names must be a list of model names, got {names!r}")
    if not isinstance(trained, Mapping):
        raise TypeError(
            f"drawn_models: trained must map model name -> bool, got {type(trained).__name__}"
        )
    bad = {k: v for k, v in trained.items() if not isinstance(v, (bool, np.bool_))}
    if bad:
        raise TypeError(f"drawn_models: trained flags must be bool, got {bad}")
    left_out = [n for n in names if not trained.get(n, True)]
    drawn = [n for n in names if n not in left_out]
    return drawn, (f"; untrained, not drawn: {', '.join(left_out)}" if left_out else "")


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (10, 4)) -> tuple[Figure, Axes]:
    """``(figure, ax)``: a new figure of ``figsize`` inches when ``ax`` is None, else ``ax`` and its figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return cast(Figure, ax.figure), ax  # a SubFigure only for axes placed in one


def plot_series(
    data: pd.Series | pd.DataFrame, *, title: str = "", ylabel: str = "", ax: Axes | None = None
) -> Figure:
    """Line plot of one or more time series against their dates."""
    fig, ax = new_axes(ax)
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
    fig, ax = new_axes(ax)
    ax.plot(actual.index, actual, color="0.6", lw=0.8, label="actual")
    for name, fc in forecasts.items():
        ax.plot(fc.index, fc, lw=1.0, label=name)
    ax.legend(ncols=min(4, len(forecasts) + 1))
    ax.set(title=title, ylabel=ylabel)
    return fig


def save_figure(fig: Figure, output_dir: str | Path, name: str) -> None:
    """Save ``fig`` as ``output_dir/figures/<name>.png`` (150 dpi). Returns nothing, so a notebook cell that
    ends with it displays no machine path."""
    path = Path(output_dir) / "figures" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, bbox_inches="tight")


def shade_periods(ax: Axes, periods: pd.DataFrame, *, label: str = "recession") -> None:
    """Shade the spans ``periods.iloc[:, 0]`` to ``periods.iloc[:, 1]`` (e.g. NBER recessions) on ``ax``."""
    for i, (start, end) in enumerate(periods.itertuples(index=False)):
        ax.axvspan(start, end, color="0.85", zorder=0, label=label if i == 0 else None)
