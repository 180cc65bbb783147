"""Choices and sentences of notebook 06 computed from its results: the network chosen on validation data and
the reading of the SARIMA's interval coverage."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import check_probability
from finrisk_utils.forecasting.direct import DirectForecast

__all__ = ["choose_on_validation", "coverage_reading"]


def choose_on_validation(nets: Mapping[str, DirectForecast]) -> tuple[str | None, pd.DataFrame]:
    """The network with the lowest validation loss at its *first* estimation (whose early-stopping block ends
    before the first forecast origin, so the test period plays no part), among those that trained there.

    The networks must share their re-estimation dates (and so their validation blocks) and their targets, so
    that their validation losses (on the same scaled changes) are comparable. Returns the chosen name (``None``
    if none trained) and a table per network: ``val_loss``, ``naive_val_loss``, ``trained`` (0/1), ``chosen``.
    """
    where = "choose_on_validation"
    if not isinstance(nets, Mapping) or not nets:
        raise ValueError(f"{where}: nets must be a non-empty mapping name -> DirectForecast")
    first_dates = None
    rows = {}
    for name, net in nets.items():
        if not isinstance(net, DirectForecast):
            raise TypeError(
                f"{where}: nets[{name!r}] must be a DirectForecast, got {type(net).__name__}"
            )
        if first_dates is None:
            first_dates = net.refit_dates
        elif not net.refit_dates.equals(first_dates):
            raise ValueError(
                f"{where}: nets[{name!r}] was re-estimated on other dates than the first network"
            )
        fit = net.fits[0]
        rows[name] = {
            "val_loss": fit.best_val_loss,
            "naive_val_loss": fit.naive_val_loss,
            "trained": int(bool(fit.trained)),
        }
    table = pd.DataFrame(rows).T.astype({"trained": int})
    ok = table[table["trained"] == 1]
    chosen = None if ok.empty else str(ok["val_loss"].astype(float).idxmin())
    table["chosen"] = (table.index == chosen).astype(int)
    return chosen, table


def coverage_reading(
    coverage: Mapping[int, float], n: Mapping[int, int], nominal: float = 0.8
) -> str:
    """Interval coverage per horizon against ``nominal``, with a binomial 95% band for ``n`` independent trials
    (overlapping multi-month targets are not independent, so the band is too narrow at long horizons)."""
    nominal = check_probability(nominal, "nominal", where="coverage_reading")
    missing = sorted(set(coverage) - set(n))
    if missing:
        raise ValueError(f"coverage_reading: n lacks horizons {missing}")
    parts = []
    for h, c in coverage.items():
        half = 1.96 * np.sqrt(nominal * (1 - nominal) / n[h])
        if c > nominal + half:
            word = "too wide (coverage above the band)"
        elif c < nominal - half:
            word = "too narrow (coverage below the band)"
        else:
            word = "consistent with the nominal level"
        parts.append(
            f"at h = {h}: {c:.1%} (band {nominal - half:.1%} to {nominal + half:.1%}), {word}"
        )
    return f"SARIMA central {nominal:.0%} intervals, " + "; ".join(parts) + "."
