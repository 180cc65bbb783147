"""Forecasts at several horizons from one set of origins, in the shape the comparison tables take."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from finrisk_utils.core.timeseries import origins_with_target
from finrisk_utils.core.validation import check_positive_int

__all__ = ["Forecaster", "forecasts_by_horizon"]

Forecaster = Callable[[pd.DatetimeIndex, int], pd.Series | pd.DataFrame]
"""``forecaster(origins, h)``: forecasts made at ``origins`` for ``h`` steps later, indexed by target date."""


def forecasts_by_horizon(
    forecasters: Mapping[str, Forecaster],
    index: pd.DatetimeIndex,
    origins: pd.DatetimeIndex,
    horizons: Iterable[int],
    *,
    columns: list[str] | None = None,
) -> dict[str, dict[int, pd.DataFrame]]:
    """``{model: {h: forecasts}}`` for :func:`~finrisk_utils.forecasting.compare.horizon_table`: each forecaster
    is called with the ``origins`` whose target ``h`` steps later is still in ``index`` (so every model
    forecasts the same target dates). A Series forecast becomes a one-column frame named after the Series (or
    ``columns[0]``); ``columns`` selects and orders the columns of frame forecasts."""
    hs = [check_positive_int(h, "horizons", where="forecasts_by_horizon") for h in horizons]
    if not hs:
        raise ValueError("forecasts_by_horizon: horizons is empty")
    out: dict[str, dict[int, pd.DataFrame]] = {name: {} for name in forecasters}
    for h in hs:
        o = origins_with_target(index, origins, h)
        for name, forecaster in forecasters.items():
            fc = forecaster(o, h)
            if isinstance(fc, pd.Series):
                fc = fc.to_frame(columns[0] if columns else fc.name)
            elif not isinstance(fc, pd.DataFrame):
                raise TypeError(
                    f"forecasts_by_horizon: forecaster {name!r} returned {type(fc).__name__}, "
                    "expected a Series or DataFrame"
                )
            out[name][h] = fc[columns] if columns is not None else fc
    return out
