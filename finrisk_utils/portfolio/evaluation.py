"""Evaluating covariance forecasts and the portfolios built on them: realised covariances per holding period,
multivariate QLIKE and Frobenius losses, squared portfolio returns as the loss of a variance comparison, metric
keys and the computed reading of whether the deep forecast pays after costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import as_float_array, check_number
from finrisk_utils.forecasting.compare import (
    ComparisonResult,
    compare_forecasts,
    format_pvalue,
    holm_across,
    verdict,
)
from finrisk_utils.portfolio.covariance import vol_ccc_forecasts

__all__ = [
    "ablation_comparison",
    "comparison_metrics",
    "covariance_losses",
    "frobenius_loss",
    "pays_after_costs",
    "qlike_loss",
    "realised_covariances",
    "seed_covariance_losses",
    "squared_return_losses",
]


def realised_covariances(
    returns: pd.DataFrame, origins: pd.DatetimeIndex
) -> dict[pd.Timestamp, np.ndarray]:
    """Mean cross-product ``(1/n) sum r_s r_s'`` of the returns over each holding period (after an origin up to
    and including the next origin; the last runs to the end): the realised counterpart of a per-period
    covariance forecast (zero mean, returns' units squared)."""
    where = "realised_covariances"
    r = as_float_array(returns, "returns", where=where, ndim=2)
    pos = returns.index.get_indexer(origins)
    if (pos < 0).any():
        raise ValueError(f"{where}: every origin must be a date of returns")
    ends = [*pos[1:], len(returns) - 1]
    out = {}
    for origin, start, end in zip(origins, pos, ends, strict=True):
        block = r[start + 1 : end + 1]
        if block.shape[0] == 0:
            raise ValueError(f"{where}: origin {origin.date()} has no later period")
        out[origin] = block.T @ block / block.shape[0]
    return out


def qlike_loss(forecast: np.ndarray, realised: np.ndarray) -> float:
    """Multivariate QLIKE ``log det S + tr(S^-1 R)`` of forecast ``S`` against realised ``R``: robust to noise
    in the realised proxy (Laurent, Rombouts and Violante 2013); smaller is better."""
    sign, logdet = np.linalg.slogdet(forecast)
    if sign <= 0:
        raise ValueError("qlike_loss: the forecast covariance is not positive definite")
    return float(logdet + np.trace(np.linalg.solve(forecast, realised)))


def frobenius_loss(forecast: np.ndarray, realised: np.ndarray) -> float:
    """Squared Frobenius norm ``sum (S - R)^2`` of the forecast error (returns' units to the fourth)."""
    return float(np.sum((np.asarray(forecast) - np.asarray(realised)) ** 2))


def covariance_losses(
    forecasts: Mapping[str, Mapping[pd.Timestamp, np.ndarray]],
    realised: Mapping[pd.Timestamp, np.ndarray],
) -> dict[str, pd.DataFrame]:
    """Per-origin losses of each model's covariance forecast: ``{"qlike": origins x models, "frobenius": ...}``."""
    where = "covariance_losses"
    origins = list(realised)
    out: dict[str, dict[str, list[float]]] = {"qlike": {}, "frobenius": {}}
    for model, fc in forecasts.items():
        if list(fc) != origins:
            raise ValueError(
                f"{where}: forecasts[{model!r}] is not on the realised covariances' origins"
            )
        out["qlike"][model] = [qlike_loss(fc[t], realised[t]) for t in origins]
        out["frobenius"][model] = [frobenius_loss(fc[t], realised[t]) for t in origins]
    index = pd.DatetimeIndex(origins, name="origin")
    return {k: pd.DataFrame(v, index=index) for k, v in out.items()}


def seed_covariance_losses(
    vols: np.ndarray,
    returns: pd.DataFrame,
    realised: Mapping[pd.Timestamp, np.ndarray],
    *,
    seeds: Sequence[int],
    window: int = 252,
) -> pd.DataFrame:
    """Mean QLIKE and Frobenius loss over the holding periods of each seed's own covariance forecast: its
    volatility forecasts times the shrunk constant correlation (:func:`vol_ccc_forecasts`), scored against
    ``realised`` (:func:`covariance_losses`). These are the single training runs whose spread
    (:func:`~finrisk_utils.forecasting.seed_spread`) a notebook shows beside the seed ensemble's test.

    Parameters
    ----------
    vols : ndarray, shape (n_seeds, n_origins, n_assets)
        Each seed's volatility forecasts at the origins of ``realised`` (returns' units), e.g.
        ``VolNetwork.forecast_vol(..., per_seed=True)``.
    returns : DataFrame
        Periods x assets (percent), the returns the correlation is estimated on.
    realised : mapping origin -> (n_assets, n_assets) array
        Realised covariances per holding period (:func:`realised_covariances`); its keys are the origins.
    seeds, window
        The seed of each forecast (index of the result) and the correlation window in periods.

    Returns
    -------
    DataFrame
        Seeds x ``["qlike", "frobenius"]``, index named ``seed``.
    """
    where = "seed_covariance_losses"
    arr = np.asarray(vols, dtype=float)
    shape = (len(seeds), len(realised), returns.shape[1])
    if arr.shape != shape:
        raise ValueError(
            f"{where}: vols must have shape (seeds, origins, assets) = {shape}, got {arr.shape}"
        )
    origins = pd.DatetimeIndex(list(realised))
    rows = {}
    for seed, seed_vols in zip(seeds, arr, strict=True):
        frame = pd.DataFrame(seed_vols, index=origins, columns=returns.columns)
        losses = covariance_losses({"seed": vol_ccc_forecasts(returns, frame, window)}, realised)
        rows[seed] = {loss: float(table["seed"].mean()) for loss, table in losses.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("seed")


def squared_return_losses(returns: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Squared portfolio returns (percent squared), periods x models: the loss whose mean difference a
    Diebold-Mariano test compares (realised variance, the mean return being negligible per period)."""
    frame = pd.DataFrame(dict(returns))
    as_float_array(frame, "returns", where="squared_return_losses", ndim=2)
    return frame**2


def comparison_metrics(
    result: ComparisonResult, statistic: str, suffix: str, *, pairs_only: bool = False
) -> dict[str, float]:
    """Metric keys of one comparison: ``<model>.<statistic>_in_mcs_<suffix>`` (left out with ``pairs_only``)
    and, against the benchmark, ``<model>_vs_<benchmark>.<statistic>_dm_pvalue_<suffix>`` and
    ``..._dm_pvalue_holm_<suffix>``."""
    out: dict[str, float] = {}
    for row in result.table.itertuples(index=False):
        if not pairs_only:
            out[f"{row.model}.{statistic}_in_mcs_{suffix}"] = int(row.in_mcs)
        if row.model == result.benchmark:
            continue
        for col, key in (("dm_pvalue", "dm_pvalue"), ("pvalue_holm", "dm_pvalue_holm")):
            value = float(getattr(row, col))
            if np.isfinite(value):
                out[f"{row.model}_vs_{result.benchmark}.{statistic}_{key}_{suffix}"] = value
    return out


def pays_after_costs(
    model: str,
    benchmark: str,
    performance: pd.DataFrame,
    variance_test: ComparisonResult,
    *,
    trained: bool = True,
    level: float = 0.05,
) -> tuple[bool, str]:
    """Does ``model``'s portfolio pay against ``benchmark``'s after costs? Yes when its realised variance is
    significantly lower (Holm-adjusted DM on squared net returns) and its net Sharpe ratio is at least the
    benchmark's. Returns the answer and a sentence with this run's numbers."""
    level = check_number(level, "level", where="pays_after_costs", minimum=0.0, strict=True)
    if not trained:
        return False, f"{model} did not train (not interpreted)."
    row = variance_test.table.set_index("model").loc[model]
    words = verdict(row.mean_loss_diff, row.pvalue_holm, benchmark, level=level, trained=True)
    a, b = performance.loc[model], performance.loc[benchmark]
    pays = words.startswith("significantly better") and a.sharpe >= b.sharpe
    text = (
        f"{model}: realised volatility {a.ann_vol:.2f}% a year against {b.ann_vol:.2f}% "
        f"({words} in realised variance, Holm p {format_pvalue(row.pvalue_holm)}); net Sharpe {a.sharpe:.2f} against "
        f"{b.sharpe:.2f} (point estimates, not tested) after {a.cost_bp:.0f} bp a year of costs (benchmark "
        f"{b.cost_bp:.0f} bp): {'it pays' if pays else 'it does not pay'} after costs (it pays where the "
        "variance is significantly lower and the net Sharpe ratio is not lower)."
    )
    return pays, text


def ablation_comparison(
    losses: Mapping[tuple[str, str], pd.DataFrame],
    model: str,
    ablation: str,
    *,
    trained: bool = True,
    seed: int = 0,
    mcs_reps: int = 1000,
) -> dict[tuple[str, str], ComparisonResult]:
    """``model`` against its ablation (the same inputs without what the model adds) on each loss: the shared
    protocol with ``ablation`` as the benchmark, Holm over all these tests together.

    ``losses[(what, loss)]``: per-period losses, periods x models, with both columns (other columns ignored);
    ``seed`` and ``mcs_reps`` go to the MCS bootstrap.
    """
    where = "ablation_comparison"
    if not isinstance(losses, Mapping) or not losses:
        raise ValueError(f"{where}: losses must be a non-empty mapping (what, loss) -> DataFrame")
    comps = {}
    for key, frame in losses.items():
        if not isinstance(frame, pd.DataFrame) or not {model, ablation} <= set(frame.columns):
            raise ValueError(
                f"{where}: losses[{key!r}] must be a DataFrame with columns {model!r}, {ablation!r}"
            )
        comps[key] = compare_forecasts(
            frame[[ablation, model]],
            ablation,
            loss=key[1],
            trained={model: bool(trained)},
            seed=seed,
            mcs_reps=mcs_reps,
        )
    return holm_across(comps)
