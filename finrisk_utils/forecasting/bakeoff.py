"""A fair bake-off of network families: each family picks its hyper-parameters on the validation period only
(first seed), then is refitted with several seeds, so the reader sees which differences are noise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finrisk_utils.core.config import setup
from finrisk_utils.forecasting.compare import diebold_mariano
from finrisk_utils.forecasting.direct import DirectForecast, DirectNetSpec, direct_deep_forecast
from finrisk_utils.forecasting.metrics import mae, qlike, rmse

__all__ = ["FamilyResult", "bakeoff_table", "run_family"]


@dataclass(frozen=True)
class FamilyResult:
    """The ``chosen`` spec, each candidate's best validation loss (MSE on scaled targets, first seed), and one
    :class:`DirectForecast` per seed (same order as the seeds)."""

    chosen: DirectNetSpec
    validation_loss: dict[str, float]
    runs: list[DirectForecast]


def _label(spec: DirectNetSpec) -> str:
    return f"{spec.kind}(window={spec.window}, units={spec.units})"


def run_family(
    features: pd.DataFrame,
    targets: pd.DataFrame,
    origins: pd.DatetimeIndex,
    horizons: Sequence[int],
    candidates: Sequence[DirectNetSpec],
    seeds: Sequence[int],
) -> FamilyResult:
    """Fit every candidate with ``seeds[0]`` and keep the one with the lowest validation loss; fit it again with
    each further seed. Test-period data play no part in the choice (the networks never train on them, and the
    validation windows precede the first origin)."""
    if not candidates or not seeds:
        raise ValueError("need at least one candidate spec and one seed")
    first: dict[str, DirectForecast] = {}
    for spec in candidates:
        setup(seeds[0], plot_style=False)
        first[_label(spec)] = direct_deep_forecast(features, targets, origins, horizons, spec)
    val = {k: min(r.fits[0].val_loss) for k, r in first.items()}
    best = min(val, key=val.get)
    chosen = next(s for s in candidates if _label(s) == best)
    runs = [first[best]]
    for seed in seeds[1:]:
        setup(seed, plot_style=False)
        runs.append(direct_deep_forecast(features, targets, origins, horizons, chosen))
    return FamilyResult(chosen, val, runs)


def bakeoff_table(
    actual: pd.Series,
    baselines: dict[str, dict[int, pd.Series]],
    families: dict[str, FamilyResult],
    benchmark: str,
) -> pd.DataFrame:
    """Accuracy per (model, horizon) on log volatility: bias (mean of actual - forecast), RMSE, MAE and QLIKE
    (on the implied variances ``exp(2 log_vol)``) as mean and std over seeds (std 0 for the deterministic baselines), the median over seeds
    of the Diebold-Mariano p-value against ``benchmark`` (squared errors), parameter count and training seconds
    per fit. ``baselines[name][h]`` and the families' forecasts must be on the same target dates."""
    rows = []
    runs = {
        name: [{h: s.rename("log_vol") for h, s in by_h.items()}]
        for name, by_h in baselines.items()
    }
    for name, fam in families.items():
        runs[name] = [
            {h: r.forecasts[h].iloc[:, 0].rename("log_vol") for h in r.forecasts} for r in fam.runs
        ]
    bench = runs[benchmark][0]
    for name, per_seed in runs.items():
        for h, b in bench.items():
            stats = []
            y = actual.loc[b.index].to_numpy(dtype=float)
            for fc in per_seed:
                f = fc[h].loc[b.index].to_numpy(dtype=float)
                dm = (
                    np.nan
                    if name == benchmark
                    else diebold_mariano((y - f) ** 2, (y - b.to_numpy()) ** 2, horizon=h).pvalue
                )
                stats.append(
                    {
                        "bias": float(np.mean(y - f)),
                        "rmse": rmse(y, f),
                        "mae": mae(y, f),
                        "qlike": qlike(np.exp(2 * y), np.exp(2 * f)),
                        "dm_pvalue": dm,
                    }
                )
            s = pd.DataFrame(stats)
            row = {"model": name, "horizon": h, "n_seeds": len(s)}
            for k in ("bias", "rmse", "mae", "qlike"):
                row |= {k: s[k].mean(), f"{k}_std": s[k].std(ddof=1) if len(s) > 1 else 0.0}
            row["dm_pvalue_vs_" + benchmark] = s["dm_pvalue"].median()
            if name in families:
                fam_runs = families[name].runs
                row |= {
                    "params": fam_runs[0].n_params,
                    "train_seconds": float(np.mean([r.train_seconds for r in fam_runs])),
                }
            rows.append(row)
    return pd.DataFrame(rows).set_index(["model", "horizon"])
