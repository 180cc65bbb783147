"""Comparing forecasts: the shared model-comparison protocol.

One protocol for every notebook that compares forecasters on per-period losses:

* :func:`diebold_mariano` -- equal expected loss of two forecasts, HAC (Newey-West/Bartlett) long-run variance,
  Harvey-Leybourne-Newbold small-sample correction, Student-t(n - 1) reference;
* :func:`clark_west` -- equal MSPE when the benchmark is nested in the model (Clark and West 2007);
* :func:`model_confidence_set` -- Hansen-Lunde-Nason MCS over all models (``arch.bootstrap.MCS``);
* :func:`holm` -- Holm's step-down adjustment over the family of DM p-values;
* :func:`verdict` -- the words a notebook may use, computed from the sign of the mean loss difference and the
  Holm-adjusted p-value;
* :func:`compare_forecasts` -- all of the above in one call, returning a :class:`ComparisonResult` with a tidy
  table, flat metric keys and Markdown sentences.

Deep models are compared as a seed ensemble (:func:`seed_ensemble`, the mean forecast over seeds; for a network
fitted once per seed, over the seeds :func:`seed_membership` keeps) with the spread over seeds shown beside it
(:func:`seed_spread`), never a summary of p-values over seeds. Candidates are chosen on validation by
:func:`best_trained` (the lowest validation loss among the networks that trained).
:func:`horizon_table` (accuracy and DM by model, horizon and series) is kept for the notebooks that use it.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar, cast

import numpy as np
import pandas as pd
from scipy import stats

from finrisk_utils.core.validation import (
    as_float_array,
    check_flags,
    check_number,
    check_positive_int,
    check_probability,
)
from finrisk_utils.forecasting.metrics import mae, rmse

__all__ = [
    "DIFFERENCE_LOSSES",
    "KERNELS",
    "CWResult",
    "ComparisonResult",
    "DMResult",
    "MCSResult",
    "ablation_reading",
    "best_trained",
    "best_trained_model",
    "clark_west",
    "compare_forecasts",
    "comparison_table",
    "default_lags",
    "format_pvalue",
    "display_names",
    "mark_untrained",
    "relative_size",
    "relative_spread_reading",
    "SeedMembership",
    "seed_membership",
    "diebold_mariano",
    "holm",
    "holm_across",
    "horizon_table",
    "long_run_variance",
    "model_confidence_set",
    "nested_inputs",
    "pooled_squared_errors",
    "seed_ensemble",
    "seed_spread",
    "check_seed_ratios",
    "seed_ratio_reading",
    "seed_spread_reading",
    "verdict",
]

KERNELS = ("bartlett", "rectangular")
#: Losses whose level depends on the units of the data (QLIKE holds log det, FZ0 log ES): a ratio of their means
#: changes with the units, a difference does not, so they are compared by the difference of mean losses.
DIFFERENCE_LOSSES = ("qlike", "fz0")
_ALTERNATIVES = ("two-sided", "less", "greater")
_UNTRAINED = "did not train (not interpreted)"
_K = TypeVar("_K", bound=Hashable)


# --------------------------------------------------------------------------------------------------------------
# Long-run variance
# --------------------------------------------------------------------------------------------------------------


def default_lags(n: int, horizon: int = 1, kernel: str = "bartlett") -> int:
    """Default truncation lag of the long-run variance.

    Parameters
    ----------
    n : int
        Number of observations.
    horizon : int
        Forecast horizon ``h`` in periods; ``h``-step errors are MA(``h - 1``) under optimal forecasting.
    kernel : {"bartlett", "rectangular"}

    Returns
    -------
    int
        ``"bartlett"``: ``max(h - 1, floor(4 (n / 100) ** (2 / 9)))`` (Newey-West 1994 rule of thumb, never fewer
        than ``h - 1`` lags); ``"rectangular"``: ``h - 1`` (Diebold-Mariano 1995).
    """
    n = check_positive_int(n, "n", where="default_lags")
    horizon = check_positive_int(horizon, "horizon", where="default_lags")
    _check_kernel(kernel, "default_lags")
    if kernel == "rectangular":
        return horizon - 1
    return max(horizon - 1, int(math.floor(4 * (n / 100) ** (2 / 9))))


def _check_kernel(kernel: object, where: str) -> str:
    if kernel not in KERNELS:
        raise ValueError(f"{where}: kernel must be one of {KERNELS}, got {kernel!r}")
    return str(kernel)


def long_run_variance(x: np.ndarray, *, lags: int, kernel: str = "bartlett") -> float:
    """Long-run variance ``gamma_0 + 2 sum_{k=1..lags} w_k gamma_k`` of a series.

    Parameters
    ----------
    x : array, shape (n,)
        The series (finite).
    lags : int
        Truncation lag ``L >= 0``; needs ``n > L``.
    kernel : {"bartlett", "rectangular"}
        ``w_k = 1 - k / (L + 1)`` (Newey-West; never negative) or ``w_k = 1``.

    Returns
    -------
    float
        In the squared units of ``x``; ``gamma_k = sum_t (x_t - xbar)(x_{t-k} - xbar) / n``. The variance of the
        sample mean is this divided by ``n``.
    """
    where = "long_run_variance"
    arr = as_float_array(_arraylike(x), "x", where=where)
    lags = check_positive_int(lags, "lags", where=where, minimum=0)
    _check_kernel(kernel, where)
    n = arr.size
    if lags >= n:
        raise ValueError(f"{where}: lags must be below the series length {n}, got {lags}")
    xc = arr - arr.mean()
    gamma = np.array([xc[k:] @ xc[: n - k] / n for k in range(lags + 1)])
    k = np.arange(1, lags + 1)
    weights = 1.0 - k / (lags + 1) if kernel == "bartlett" else np.ones(lags)
    return float(gamma[0] + 2.0 * np.sum(weights * gamma[1:]))


def _arraylike(values: object) -> object:
    """Lists and tuples as arrays (so the validator's messages work for them too); anything else unchanged."""
    return np.asarray(values) if isinstance(values, list | tuple) else values


def _paired(
    a: object, b: object, names: tuple[str, str], where: str
) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(_arraylike(a), names[0], where=where)
    y = as_float_array(_arraylike(b), names[1], where=where)
    if x.size != y.size:
        raise ValueError(
            f"{where}: {names[0]} and {names[1]} must have equal length, got {x.size} and {y.size}"
        )
    return x, y


def _resolve_lags(lags: object, n: int, horizon: int, kernel: str, where: str) -> int:
    if lags is None:
        return default_lags(n, horizon, kernel)
    return check_positive_int(lags, "lags", where=where, minimum=0)


# --------------------------------------------------------------------------------------------------------------
# Diebold-Mariano
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DMResult:
    """Diebold-Mariano test of equal expected loss.

    ``mean_loss_diff`` (loss units) < 0 means model A has the smaller average loss; ``statistic`` is
    dimensionless; ``n`` loss pairs; ``lags`` of the ``kernel`` in the long-run variance.
    """

    statistic: float
    pvalue: float
    mean_loss_diff: float
    horizon: int
    n: int
    alternative: str
    kernel: str = "bartlett"
    lags: int = 0


def diebold_mariano(
    loss_a: np.ndarray,
    loss_b: np.ndarray,
    *,
    horizon: int = 1,
    harvey_correction: bool = True,
    alternative: str = "two-sided",
    kernel: str = "bartlett",
    lags: int | None = None,
) -> DMResult:
    """Diebold-Mariano (1995) test that models A and B have equal expected loss.

    Parameters
    ----------
    loss_a, loss_b : array, shape (n,)
        Per-period losses of models A and B on the same target dates (any common loss units), finite.
    horizon : int
        Forecast horizon ``h`` in periods.
    harvey_correction : bool
        Scale the statistic by Harvey, Leybourne and Newbold's (1997) factor
        ``sqrt((n + 1 - 2h + h(h - 1)/n) / n)`` and use Student-t(n - 1); otherwise the standard normal.
    alternative : {"two-sided", "less", "greater"}
        ``"less"``: A has the smaller expected loss; ``"greater"``: B has.
    kernel : {"bartlett", "rectangular"}
        Long-run variance of ``d_t = loss_a_t - loss_b_t`` (see :func:`long_run_variance`). ``"rectangular"``
        with its default ``h - 1`` lags is the original DM estimator (kept to reproduce earlier figures; it can
        be negative).
    lags : int, optional
        Truncation lag; default :func:`default_lags` (Bartlett: ``max(h - 1, floor(4 (n/100)^(2/9)))``).

    Returns
    -------
    DMResult
    """
    where = "diebold_mariano"
    a, b = _paired(loss_a, loss_b, ("loss_a", "loss_b"), where)
    if alternative not in _ALTERNATIVES:
        raise ValueError(
            f"{where}: alternative must be 'two-sided', 'less' or 'greater', got {alternative!r}"
        )
    horizon = check_positive_int(horizon, "horizon", where=where)
    _check_kernel(kernel, where)
    d = a - b
    n = d.size
    lags = _resolve_lags(lags, n, horizon, kernel, where)
    need = max(horizon, lags) + 2
    if n < need:
        raise ValueError(
            f"{where}: need at least {need} loss pairs for horizon {horizon} and {lags} lags, got {n}"
        )
    d_bar = float(d.mean())
    lrv = long_run_variance(d, lags=lags, kernel=kernel)
    if not lrv > 1e-14 * max(1.0, float(np.mean(d**2))):
        raise ValueError(
            f"{where}: loss differences have zero (or negative estimated long-run) variance: the two "
            "forecasts' losses are identical or nearly so, or the rectangular kernel went negative; "
            "the DM statistic is undefined"
        )
    stat = d_bar / math.sqrt(lrv / n)
    if harvey_correction:
        stat *= math.sqrt((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n)
        dist = stats.t(df=n - 1)
    else:
        dist = stats.norm()
    if alternative == "two-sided":
        p = 2 * dist.sf(abs(stat))
    elif alternative == "less":
        p = dist.cdf(stat)
    else:
        p = dist.sf(stat)
    return DMResult(
        float(stat), float(min(p, 1.0)), d_bar, horizon, int(n), alternative, kernel, int(lags)
    )


# --------------------------------------------------------------------------------------------------------------
# Clark-West
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CWResult:
    """Clark-West test of equal MSPE for nested models.

    ``mean_adjusted_diff`` (squared units of the target) > 0 favours the larger model; ``pvalue`` is one-sided
    (H1: the model beats the nested benchmark) from the standard normal.
    """

    statistic: float
    pvalue: float
    mean_adjusted_diff: float
    horizon: int
    n: int
    kernel: str
    lags: int


def clark_west(
    actual: np.ndarray,
    benchmark_forecast: np.ndarray,
    model_forecast: np.ndarray,
    *,
    horizon: int = 1,
    kernel: str = "bartlett",
    lags: int | None = None,
) -> CWResult:
    """Clark and West (2007) test of equal MSPE when the benchmark is nested in the model.

    Parameters
    ----------
    actual, benchmark_forecast, model_forecast : array, shape (n,)
        Outcomes and the two forecasts of them, same units and target dates.
    horizon : int
        Forecast horizon ``h`` in periods.
    kernel, lags
        Long-run variance of ``f_t``, as in :func:`diebold_mariano` (default lags ``max(h - 1, NW rule)``).

    Returns
    -------
    CWResult
        ``f_t = e_b^2 - (e_m^2 - (yhat_b - yhat_m)^2)`` with ``e = actual - forecast``; statistic
        ``mean(f) / sqrt(LRV(f) / n)``; p-value ``1 - Phi(statistic)``.
    """
    where = "clark_west"
    y = as_float_array(_arraylike(actual), "actual", where=where)
    fb = as_float_array(_arraylike(benchmark_forecast), "benchmark_forecast", where=where)
    fm = as_float_array(_arraylike(model_forecast), "model_forecast", where=where)
    if not y.size == fb.size == fm.size:
        raise ValueError(
            f"{where}: actual, benchmark_forecast and model_forecast must have equal length, got "
            f"{y.size}, {fb.size} and {fm.size}"
        )
    horizon = check_positive_int(horizon, "horizon", where=where)
    _check_kernel(kernel, where)
    n = y.size
    lags = _resolve_lags(lags, n, horizon, kernel, where)
    need = max(horizon, lags) + 2
    if n < need:
        raise ValueError(
            f"{where}: need at least {need} observations for horizon {horizon} and {lags} lags, got {n}"
        )
    f = (y - fb) ** 2 - ((y - fm) ** 2 - (fb - fm) ** 2)
    lrv = long_run_variance(f, lags=lags, kernel=kernel)
    if not lrv > 1e-14 * max(1.0, float(np.mean(f**2))):
        raise ValueError(
            f"{where}: the adjusted loss differential has zero (or negative estimated) variance, e.g. "
            "identical forecasts; the statistic is undefined"
        )
    stat = float(f.mean() / math.sqrt(lrv / n))
    return CWResult(stat, float(stats.norm.sf(stat)), float(f.mean()), horizon, n, kernel, lags)


# --------------------------------------------------------------------------------------------------------------
# Model confidence set, Holm, verdict
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MCSResult:
    """Model confidence set at level ``1 - size``.

    ``pvalues``: MCS p-value per model (Series indexed by model, in the losses' column order; NaN for a model
    that was not a candidate); ``included``: the surviving models in that order; ``membership``: 0/1 per model;
    ``excluded``: the models left out of the candidate set (networks that did not train, see
    :func:`compare_forecasts`), never members.
    """

    pvalues: pd.Series
    included: tuple[str, ...]
    size: float
    block_size: int
    reps: int
    seed: int
    method: str
    bootstrap: str
    excluded: tuple[str, ...] = ()

    def kept_text(self, label: Callable[[str], str] = str) -> str:
        """Words for a reading: the members, each through ``label`` (``"A, B"``, or ``"none"``), then the
        models that were not candidates, marked untrained (``"A, B; not a candidate: C (untrained)"``)."""
        kept = ", ".join(label(m) for m in self.included) or "none"
        if not self.excluded:
            return kept
        out = ", ".join(mark_untrained(label(m)) for m in self.excluded)
        return f"{kept}; not {'candidates' if len(self.excluded) > 1 else 'a candidate'}: {out}"

    @property
    def membership(self) -> pd.Series:
        """1 if the model is in the set, else 0 (int Series indexed by model)."""
        return pd.Series(
            [int(m in self.included) for m in self.pvalues.index],
            index=self.pvalues.index,
            name="in_mcs",
        )


def _check_losses(losses: object, where: str, min_models: int = 1) -> pd.DataFrame:
    if not isinstance(losses, pd.DataFrame):
        raise TypeError(
            f"{where}: losses must be a pandas DataFrame (dates x models), got {type(losses).__name__}"
        )
    if losses.shape[0] == 0 or losses.shape[1] == 0:
        raise ValueError(f"{where}: losses is empty (shape {losses.shape})")
    if losses.columns.has_duplicates:
        dup = list(losses.columns[losses.columns.duplicated()])
        raise ValueError(f"{where}: losses has duplicate model columns {dup}")
    if not all(isinstance(c, str) and c for c in losses.columns):
        raise TypeError(f"{where}: losses columns must be non-empty model names (str)")
    if losses.shape[1] < min_models:
        raise ValueError(
            f"{where}: losses needs at least {min_models} model columns, got {losses.shape[1]}"
        )
    as_float_array(losses, "losses", where=where, ndim=2)
    return losses.astype(float)


def model_confidence_set(
    losses: pd.DataFrame,
    *,
    size: float = 0.10,
    reps: int = 1000,
    block_size: int | None = None,
    horizon: int = 1,
    method: str = "R",
    bootstrap: str = "stationary",
    seed: int = 0,
    candidates: Sequence[bool] | np.ndarray | None = None,
) -> MCSResult:
    """Hansen, Lunde and Nason (2011) model confidence set via ``arch.bootstrap.MCS``.

    Parameters
    ----------
    losses : DataFrame, shape (n_dates, n_models)
        Per-period losses, one column per model, finite.
    size : float
        Test size in (0, 1); the set holds the best model with probability ``1 - size``.
    reps : int
        Bootstrap replications.
    block_size : int, optional
        Mean (stationary) or fixed block length in periods; default ``max(horizon, floor(sqrt(n_dates)))``.
    horizon : int
        Forecast horizon, only for the default block length.
    method, bootstrap : str
        Passed to ``arch`` (``"R"`` or ``"max"``; ``"stationary"``, ``"circular"``, ``"moving block"``).
    seed : int
        Seed of the bootstrap (reproducible set).
    candidates : sequence of bool, optional, one per column
        The models the set is chosen from (default: every column). The others (e.g. networks that did not
        train, whose losses would change which models survive) get p-value NaN, are never members and are
        listed in ``excluded``. A lone candidate is the set by itself (p-value 1, no bootstrap); with none, the
        set is empty.

    Returns
    -------
    MCSResult
    """
    from arch.bootstrap import MCS

    where = "model_confidence_set"
    frame = _check_losses(losses, where)
    size = check_probability(size, "size", where=where)
    reps = check_positive_int(reps, "reps", where=where)
    horizon = check_positive_int(horizon, "horizon", where=where)
    seed = check_positive_int(seed, "seed", where=where, minimum=0)
    if block_size is None:
        block_size = max(horizon, int(math.floor(math.sqrt(frame.shape[0]))))
    block_size = check_positive_int(block_size, "block_size", where=where)
    if method not in ("R", "max"):
        raise ValueError(f"{where}: method must be 'R' or 'max', got {method!r}")
    keep = np.ones(frame.shape[1], dtype=bool)
    if candidates is not None:
        keep = np.asarray(check_flags(candidates, "candidates", where=where))
        if keep.size != frame.shape[1]:
            raise ValueError(
                f"{where}: candidates has {keep.size} flags for {frame.shape[1]} models (one per column)"
            )
    pool = frame.loc[:, keep]
    pvalues = pd.Series(np.nan, index=frame.columns, name="mcs_pvalue")
    pvalues[pool.columns] = 1.0  # none or one candidate: the set is the candidates, no bootstrap
    survivors = set(pool.columns)
    if pool.shape[1] > 1:
        mcs = MCS(
            pool,
            size,
            reps=reps,
            block_size=block_size,
            method=cast(Literal["R", "max"], method),
            bootstrap=cast(
                Literal["stationary", "sb", "circular", "cbb", "moving block", "mbb"], bootstrap
            ),
            seed=seed,
        )
        mcs.compute()
        pvalues.update(mcs.pvalues["Pvalue"].astype(float))
        survivors = set(mcs.included)
    included = tuple(m for m in pool.columns if m in survivors)
    excluded = tuple(frame.columns[~keep])
    return MCSResult(pvalues, included, size, block_size, reps, seed, method, bootstrap, excluded)


def holm(
    pvalues: Sequence[float] | np.ndarray | pd.Series | Mapping[str, float],
) -> np.ndarray | pd.Series:
    """Holm (1979) step-down adjustment of a family of p-values (family-wise error rate).

    Parameters
    ----------
    pvalues : array, shape (m,), Series or mapping name -> p
        Unadjusted p-values in [0, 1], finite, at least one.

    Returns
    -------
    ndarray or Series
        Adjusted p-values in the input order: ``max_{j <= i} min(1, (m - j + 1) p_(j))`` for the ``i``-th
        smallest; a Series (same index) for Series or mapping input.
    """
    from statsmodels.stats.multitest import multipletests

    where = "holm"
    index = None
    if isinstance(pvalues, Mapping):
        index = pd.Index(list(pvalues.keys()))
        pvalues = list(pvalues.values())
    elif isinstance(pvalues, pd.Series):
        index = pvalues.index
    p = as_float_array(_arraylike(pvalues), "pvalues", where=where)
    if ((p < 0) | (p > 1)).any():
        bad = p[(p < 0) | (p > 1)][0]
        raise ValueError(f"{where}: pvalues must lie in [0, 1], found {bad!r}")
    adjusted = multipletests(p, method="holm")[1]
    return adjusted if index is None else pd.Series(adjusted, index=index, name="pvalue_holm")


def verdict(
    mean_loss_diff: float,
    pvalue_holm: float,
    benchmark: str,
    *,
    level: float = 0.05,
    trained: bool = True,
    cw_pvalue_holm: float = np.nan,
) -> str:
    """The words for one comparison with the benchmark.

    Parameters
    ----------
    mean_loss_diff : float
        Mean loss of the model minus the benchmark's (loss units); < 0 means the model is better.
    pvalue_holm : float
        Holm-adjusted p-value of the (two-sided) test; NaN reads as no evidence.
    benchmark : str
        The benchmark's name, as it should appear in the text.
    level : float
        Significance level in (0, 1).
    trained : bool
        ``False`` for a model that did not train: its numbers are not interpreted.
    cw_pvalue_holm : float, optional
        For a model that nests the benchmark: the Holm-adjusted one-sided Clark-West p-value. It then decides
        "better", with a lower mean loss in the sample (DM is biased against the larger model under the null of
        nesting, Clark and West 2007); the two-sided DM test still decides "worse" (the estimated model's
        forecasts lose). A significant Clark-West test with a higher sample loss reads "not distinguishable":
        the larger model has predictive content, but estimating it costs more than the content buys here.
        NaN: not nested.

    Returns
    -------
    str
        ``"significantly better than <benchmark>"``, ``"not distinguishable from <benchmark>"``,
        ``"significantly worse than <benchmark>"`` or ``"did not train (not interpreted)"``.
    """
    where = "verdict"
    level = check_probability(level, "level", where=where)
    if not isinstance(trained, bool | np.bool_):
        raise TypeError(f"{where}: trained must be a bool, got {trained!r}")
    if not isinstance(benchmark, str) or not benchmark:
        raise TypeError(f"{where}: benchmark must be a non-empty str, got {benchmark!r}")
    if not trained:
        return _UNTRAINED
    diff = float(mean_loss_diff)
    p = float(pvalue_holm)
    if not np.isfinite(diff):
        raise ValueError(f"{where}: mean_loss_diff must be finite, got {mean_loss_diff!r}")
    if not (np.isnan(p) or 0.0 <= p <= 1.0):
        raise ValueError(
            f"{where}: pvalue_holm must lie in [0, 1] (or be NaN), got {pvalue_holm!r}"
        )
    cw = float(cw_pvalue_holm)
    if not (np.isnan(cw) or 0.0 <= cw <= 1.0):
        raise ValueError(
            f"{where}: cw_pvalue_holm must lie in [0, 1] (or be NaN), got {cw_pvalue_holm!r}"
        )
    dm_rejects = not np.isnan(p) and p < level and diff != 0
    if dm_rejects and diff > 0:
        return f"significantly worse than {benchmark}"
    if not np.isnan(cw):
        better = cw < level and diff < 0
    else:
        better = dm_rejects
    return (
        f"significantly better than {benchmark}"
        if better
        else f"not distinguishable from {benchmark}"
    )


# --------------------------------------------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------------------------------------------


def seed_ensemble(
    forecasts: Sequence[pd.Series | pd.DataFrame | np.ndarray],
) -> pd.Series | pd.DataFrame | np.ndarray:
    """The seed-ensemble forecast: the mean over seeds of one model's forecasts.

    Parameters
    ----------
    forecasts : sequence of Series, DataFrames or arrays
        One forecast per seed, same shape (and, for pandas, same index and columns), finite, in target units.

    Returns
    -------
    Series, DataFrame or ndarray
        Elementwise mean, same type, index and columns as the first forecast.
    """
    where = "seed_ensemble"
    if isinstance(forecasts, pd.Series | pd.DataFrame | np.ndarray) or not isinstance(
        forecasts, Sequence
    ):
        raise TypeError(
            f"{where}: forecasts must be a list of per-seed forecasts, got {type(forecasts).__name__}"
        )
    if len(forecasts) == 0:
        raise ValueError(f"{where}: forecasts is empty (no seeds)")
    first = forecasts[0]
    arrays = []
    for i, fc in enumerate(forecasts):
        arr = as_float_array(_arraylike(fc), f"forecasts[{i}]", where=where, ndim=None)
        if arr.shape != np.shape(first):
            raise ValueError(
                f"{where}: forecasts[{i}] has shape {arr.shape}, forecasts[0] has {np.shape(first)}"
            )
        if isinstance(first, pd.Series | pd.DataFrame):
            if type(fc) is not type(first) or not fc.index.equals(first.index):
                raise ValueError(f"{where}: forecasts[{i}] is not on forecasts[0]'s dates")
            if isinstance(first, pd.DataFrame) and not fc.columns.equals(first.columns):
                raise ValueError(f"{where}: forecasts[{i}] has other columns than forecasts[0]")
        arrays.append(arr)
    mean = np.mean(arrays, axis=0)
    if isinstance(first, pd.Series):
        return pd.Series(mean, index=first.index, name=first.name)
    if isinstance(first, pd.DataFrame):
        return pd.DataFrame(mean, index=first.index, columns=first.columns)
    return mean


def best_trained(scores: Sequence[float] | np.ndarray, trained: Sequence[bool | None]) -> int:
    """The workbench's one selection rule: the position of the lowest validation score (a loss: lower is
    better) among the candidates that trained (``trained`` True or 1: the network beat its naive predictor on
    validation; None or NaN, unknown, counts as not trained); where none trained, the lowest among all, whose own flag
    then labels the winner untrained. A lower loss from a network that did not beat its constant is not a better
    network. Only validation data may enter ``scores``."""
    where = "best_trained"
    values = as_float_array(_arraylike(scores), "scores", where=where)
    flags = check_flags(trained, "trained", where=where, allow_unknown=True)
    if len(flags) != values.size:
        raise ValueError(
            f"{where}: trained has {len(flags)} flags for {values.size} scores (one per candidate)"
        )
    pool = np.asarray(flags) if any(flags) else np.ones(values.size, dtype=bool)
    return int(np.argmin(np.where(pool, values, np.inf)))


def best_trained_model(
    val_loss: pd.Series, trained: Mapping[str, bool], among: Sequence[str]
) -> str:
    """:func:`best_trained` by name: of the models ``among`` (labels of ``val_loss``, each model's validation
    loss, lower is better), the one with the lowest loss among those that trained. ``trained`` holds the
    networks' flags; a model it does not name (a classical model, which cannot fail to train) counts as
    trained. Errors name ``best_trained_model``."""
    where = "best_trained_model"
    if not isinstance(val_loss, pd.Series):
        raise TypeError(f"{where}: val_loss must be a pandas Series indexed by model")
    if not isinstance(trained, Mapping):
        raise TypeError(f"{where}: trained must be a mapping model -> bool")
    if isinstance(among, str) or not isinstance(among, Sequence) or not among:
        raise TypeError(f"{where}: among must be a non-empty sequence of model names")
    missing = [m for m in among if m not in val_loss.index]
    if missing:
        raise ValueError(
            f"{where}: val_loss has no validation loss for {missing} (models: {list(val_loss.index)})"
        )
    names = list(among)
    scores = val_loss.loc[names].to_numpy(dtype=float)
    return names[best_trained(scores, [trained.get(m, True) for m in names])]


@dataclass(frozen=True)
class SeedMembership:
    """Which seeds of one network make its seed ensemble, by the workbench's one rule
    (:func:`seed_membership`). ``seed_trained``: per seed, in seed order, whether its network beat the naive
    predictor on validation."""

    seed_trained: tuple[bool, ...]

    @property
    def n_seeds(self) -> int:
        return len(self.seed_trained)

    @property
    def n_trained(self) -> int:
        return sum(self.seed_trained)

    @property
    def trained(self) -> bool:
        """Whether the network counts as trained: more than half of its seeds trained."""
        return 2 * self.n_trained > self.n_seeds

    @property
    def members(self) -> tuple[bool, ...]:
        """Per seed, whether it is in the ensemble: the seeds that trained where the network counts as trained,
        every seed otherwise (an untrained ensemble, labelled so and not interpreted)."""
        return self.seed_trained if self.trained else (True,) * self.n_seeds

    def describe(self) -> str:
        """Words for a reading, e.g. ``"4 of 5 seeds trained: the ensemble is the mean of those 4"``."""
        n, k = self.n_seeds, self.n_trained
        head = f"{k} of {n} seed{'s' if n > 1 else ''} trained"
        if not self.trained:
            return (
                f"{head}, not more than half, so the network counts as untrained: its ensemble is the mean of "
                f"every seed, not interpreted"
            )
        if k == n:
            return f"{head}: the ensemble is the mean of every seed"
        return f"{head}: the ensemble is the mean of those {k} ({n - k} untrained left out)"


def seed_membership(trained: Sequence[bool] | np.ndarray | pd.Series) -> SeedMembership:
    """The membership rule of a seed ensemble of one network fitted once per seed (notebooks 07 and 09). A
    network counts as trained when more than half of its seeds trained on validation (one lucky seed out of many
    is not a network that learns); its ensemble is then the mean forecast of those seeds, a choice made on
    validation data only. Otherwise its ensemble is that of every seed, labelled untrained and never
    interpreted. (The families re-estimated along the test period, in notebooks 06, 08 and 11, and the grade
    networks of 10 keep a stricter label: trained only if every fit of every seed trained, every seed in the
    ensemble.)

    Parameters
    ----------
    trained : sequence of bool (or 0/1), one per seed in seed order
        Whether each seed's network beat the naive predictor on validation.
    """
    flags = check_flags(trained, "trained", where="seed_membership")
    return SeedMembership(tuple(flags))


def seed_spread(
    values: pd.DataFrame | pd.Series | Sequence[float] | Mapping[object, float],
) -> pd.DataFrame:
    """Spread of a metric over seeds, to show beside the seed ensemble's test.

    Parameters
    ----------
    values : DataFrame (seeds x metrics), Series, sequence or mapping seed -> value
        One value per seed (per metric), finite, in the metric's units.

    Returns
    -------
    DataFrame
        One row per metric (``"value"`` for a 1-D input), columns ``n_seeds``, ``mean``, ``std`` (ddof = 1; NaN
        for one seed), ``min``, ``max``.
    """
    where = "seed_spread"
    if isinstance(values, Mapping):
        values = pd.Series(dict(values), dtype=float)
    if isinstance(values, pd.DataFrame):
        frame = values
    else:
        name = values.name if isinstance(values, pd.Series) and values.name is not None else "value"
        frame = pd.DataFrame({name: as_float_array(_arraylike(values), "values", where=where)})
    arr = as_float_array(frame, "values", where=where, ndim=2)
    n = arr.shape[0]
    return pd.DataFrame(
        {
            "n_seeds": n,
            "mean": arr.mean(axis=0),
            "std": arr.std(axis=0, ddof=1) if n > 1 else np.nan,
            "min": arr.min(axis=0),
            "max": arr.max(axis=0),
        },
        index=pd.Index(frame.columns, name="metric"),
    )


# --------------------------------------------------------------------------------------------------------------
# The protocol in one call
# --------------------------------------------------------------------------------------------------------------


def seed_spread_reading(
    per_seed: Mapping[object, float] | pd.Series,
    ensemble: float,
    benchmark_value: float,
    *,
    model: str,
    benchmark: str,
    metric: str,
) -> str:
    """Markdown: the spread over seeds of ``model``'s test ``metric`` (lower is better, e.g. a mean loss) read
    beside its seed ensemble's value and the benchmark's: the range and standard deviation over seeds, how many
    single seeds beat the benchmark, and whether the ensemble beats every single seed. The ensemble is what the
    notebook tests; this says how much a single training run could have differed from it."""
    where = "seed_spread_reading"
    values = pd.Series(per_seed, dtype=float) if isinstance(per_seed, Mapping) else per_seed
    arr = as_float_array(_arraylike(values), "per_seed", where=where)
    spread = seed_spread(arr).iloc[0]
    ensemble = check_number(ensemble, "ensemble", where=where)
    benchmark_value = check_number(benchmark_value, "benchmark_value", where=where)
    head = f"**Seed spread.** {model}'s {metric} over {arr.size} seed{'s' if arr.size > 1 else ''}"
    bench = f"{benchmark}'s is {benchmark_value:.4f}"
    if arr.size == 1:
        return (
            f"{head}: {spread['mean']:.4f} (one seed: no spread to read); {bench}. Rerun with more seeds before "
            "reading the network's result as more than one training run's."
        )
    beat = int((arr < benchmark_value).sum())
    lo, hi, sd = (float(spread[k]) for k in ("min", "max", "std"))
    gap = ensemble - benchmark_value
    ens_place = (
        "below every single seed's"
        if ensemble < lo
        else "above every single seed's"
        if ensemble > hi
        else "within the single seeds' range"
    )
    return (
        f"{head}: {lo:.4f} to {hi:.4f} (sd {sd:.4f}); the seed ensemble's is {ensemble:.4f}, "
        f"{ens_place}; {bench}. {beat} of {arr.size} single seeds have a lower value than {benchmark}'s (point "
        f"estimates, not tests). The seed standard deviation is {'larger' if sd > abs(gap) else 'smaller'} than "
        f"the ensemble's difference from {benchmark} ({gap:+.4f})"
        + (
            ": a single training run could land on either side of the benchmark"
            if 0 < beat < arr.size
            else ""
        )
        + f". Whether the ensemble differs from {benchmark} is for the test of the comparison, not this spread."
    )


def relative_spread_reading(groups: Mapping[str, pd.DataFrame]) -> str:
    """Markdown: the relative seed spread (seed standard deviation of a loss over its level, each group's label
    saying which level) of each model, group by group
    (``groups``: a label such as "08's families (RMSE at h = 1)" -> a frame indexed by model with ``relative_sd``
    and, optionally, ``trained_share``, the share of the model's fits that trained). A model that trained in only
    part of its fits is untrained by the rule of the notebooks that refit families (every fit must train): its
    spread, one between trained and untrained networks, is not given. Spreads of different
    losses and targets are orders of magnitude to set side by side, not a comparison."""
    where = "relative_spread_reading"
    if not isinstance(groups, Mapping) or not groups:
        raise ValueError(f"{where}: groups must be a non-empty mapping label -> DataFrame")
    parts = []
    for label, frame in groups.items():
        if not isinstance(frame, pd.DataFrame) or frame.empty or "relative_sd" not in frame:
            raise ValueError(
                f"{where}: groups[{label!r}] must be a non-empty DataFrame with relative_sd"
            )
        values = as_float_array(frame["relative_sd"], f"groups[{label!r}].relative_sd", where=where)
        share = frame["trained_share"] if "trained_share" in frame else pd.Series(1.0, frame.index)
        items = [
            f"{m} {v:.3f}"
            if share[m] == 1
            else f"{m} untrained (trained in {share[m]:.0%} of its fits; its spread mixes trained and untrained "
            "networks and is not read)"
            for m, v in zip(frame.index, values, strict=True)
        ]
        parts.append(f"{label} " + ", ".join(items))
    return (
        "Relative seed spread (the seed standard deviation of a loss over its level): "
        + "; ".join(parts)
        + "."
    )


def check_seed_ratios(
    ratio: pd.Series, trained: pd.Series, *, where: str, name: str = "ratio"
) -> tuple[np.ndarray, np.ndarray]:
    """Check one positive loss ratio per seed (``ratio``, e.g. RMSE / benchmark RMSE) and one trained flag per
    seed (``trained``, bool or 0/1, same index); returns both as arrays (float, bool). Errors name ``where``."""
    if not isinstance(ratio, pd.Series) or not isinstance(trained, pd.Series):
        raise TypeError(f"{where}: {name} and trained must be pandas Series indexed by seed")
    values = as_float_array(ratio, name, where=where)
    if (values <= 0).any():
        i = int(np.argmax(values <= 0))
        raise ValueError(
            f"{where}: {name} must be positive (a ratio of two losses); seed {ratio.index[i]!r} has "
            f"{float(values[i])!r}"
        )
    if not ratio.index.equals(trained.index):
        raise ValueError(f"{where}: trained must be indexed by the same seeds as {name}")
    return values, np.asarray(check_flags(trained, "trained", where=where))


def seed_ratio_reading(
    ratio: pd.Series, trained: pd.Series, *, model: str, benchmark: str, metric: str
) -> str:
    """Markdown: the spread over seeds of ``model``'s test ``metric`` relative to ``benchmark``'s (``ratio``: one
    value per seed, e.g. RMSE / random-walk RMSE; below 1 is better), read beside which seeds trained.

    ``trained`` (bool, same index as ``ratio``) says whether each seed's network beat a naive forecast on
    validation. The seeds are read as :func:`seed_membership` puts them in the ensemble: where the network counts
    as trained, the ratios of the seeds in its ensemble, the untrained ones left out (not interpreted); where it
    does not, every seed's ratios, said to be those of an untrained network. Each seed's own test is in its
    rerun; p-values are never summarised over seeds, so none is read here."""
    values, ok = check_seed_ratios(ratio, trained, where="seed_ratio_reading")
    rule = seed_membership(ok)
    n, k = rule.n_seeds, rule.n_trained

    def summary(v: np.ndarray) -> str:
        below = int((v < 1).sum())
        sd = f", sd {v.std(ddof=1):.4f}" if v.size > 1 else ""
        return (
            f"mean {v.mean():.4f}{sd}, range {v.min():.4f} to {v.max():.4f}, below 1 in {below}/{v.size}"
            if v.size > 1
            else f"{v[0]:.4f} (one seed{', below 1' if below else ''})"
        )

    head = f"**{model} {metric} / {benchmark} {metric} over {n} seed{'s' if n > 1 else ''}** ({rule.describe()}): "
    note = "(point estimates; each seed's test is in its rerun, p-values are not summarised over seeds)"
    if not rule.trained:
        return head + (
            f"{summary(values)} {note}. These are the ratios of a network that does not count as trained (its "
            "seeds did not beat a constant forecast on validation after their first epoch), not a reading of it."
        )
    kept = values[list(rule.members)]
    text = head + f"the seeds in the ensemble: {summary(kept)} {note}."
    if k < n:
        many = n - k > 1
        text += f" The {n - k} untrained seed{'s' if many else ''} (not interpreted) {'are' if many else 'is'} left out."
    return text


def _snake(name: str) -> str:
    """A lower-case snake segment for metric keys (``"LSTM (ens)"`` -> ``"lstm_ens"``)."""
    return re.sub(r"_+", "_", re.sub(r"[^0-9a-z]+", "_", str(name).lower())).strip("_")


def format_pvalue(p: float) -> str:
    """A p-value as the readings print it, to follow ``"p "``: ``"= 0.41"``, ``"= 0.004"`` (three decimals
    under 0.1, so that 0.0534 does not print as 0.05 beside "not distinguishable"), ``"< 0.001"``, or ``"n/a"``
    (NaN: no test)."""
    if not np.isfinite(p):
        return "n/a"
    if p < 0.001:
        return "< 0.001"
    return f"= {p:.3f}" if p < 0.1 else f"= {p:.2f}"


def mark_untrained(label: str) -> str:
    """``label`` marked "(untrained)" once: a caller's display labels may carry the mark already."""
    return label if label.endswith("(untrained)") else f"{label} (untrained)"


def display_names(labels: Mapping[str, str] | None, where: str) -> Callable[[str], str]:
    """A reading's model names: ``labels[m]`` where given (display names, e.g. ``"LSTM"``), else ``m``.

    Readings say themselves which models did not train, from the trained flags of the results they read; a
    label that already carries the mark would be said twice ("lstm (untrained) did not train"), so it is
    refused. Marked labels (:func:`mark_untrained`) are for tables and figures."""
    if labels is None:
        labels = {}
    if not isinstance(labels, Mapping):
        raise TypeError(
            f"{where}: labels must map model name -> display name, got {type(labels).__name__}"
        )
    marked = sorted(m for m, lab in labels.items() if str(lab).endswith("(untrained)"))
    if marked:
        raise ValueError(
            f"{where}: labels of {marked} carry the '(untrained)' mark; a reading takes plain display names "
            "and says from the trained flags which models did not train"
        )
    plain = dict(labels)
    return lambda m: plain.get(m, m)


def relative_size(
    loss: str, ratio: float, diff: float, benchmark: str | None = None, *, digits: int = 3
) -> str:
    """A model's mean loss against the benchmark's, in words: ``"0.948 times b's"`` for a loss whose ratio is
    meaningful (``ratio``, given with ``digits`` decimals), ``"0.130 lower than b's"`` (or higher, or ``"equal
    to b's"``) for :data:`DIFFERENCE_LOSSES`, read by ``diff`` = model - benchmark; without ``benchmark`` the
    phrase stops before "than"/"to" (``"0.948 times"``, ``"0.130 lower"``, ``"equal"``)."""
    tail = f" {benchmark}'s" if benchmark is not None else ""
    if loss.lower() in DIFFERENCE_LOSSES:
        if diff == 0:
            return f"equal to{tail}" if tail else "equal"
        return f"{abs(diff):.3f} {'lower' if diff < 0 else 'higher'}" + (
            f" than{tail}" if tail else ""
        )
    return f"{ratio:.{digits}f} times{tail}"


@dataclass(frozen=True)
class ComparisonResult:
    """Result of :func:`compare_forecasts` for one loss and horizon.

    ``table``: one row per model (losses' column order), columns ``model``, ``trained``, ``n``, ``mean_loss``
    (loss units), ``ratio`` (mean loss / the benchmark's), ``mean_loss_diff`` (model - benchmark), ``dm_stat``,
    ``dm_pvalue`` (two-sided), ``cw_stat``, ``cw_pvalue`` (one-sided; NaN unless nested), ``pvalue_holm`` (Holm
    over the trained models' DM p-values; NaN for the benchmark and untrained models), ``cw_pvalue_holm`` (Holm
    over the trained nested models' Clark-West p-values), ``in_mcs`` (0/1), ``mcs_pvalue``, ``verdict``
    (:func:`verdict`: Clark-West decides "better" for a nested model, DM decides otherwise).
    """

    table: pd.DataFrame
    benchmark: str
    horizon: int
    loss: str
    level: float
    mcs: MCSResult

    def metrics(self, loss: str | None = None, horizon: int | None = None) -> dict[str, float]:
        """Flat metric keys (one dot, lower-case snake segments), NaN values left out.

        ``<model>.<loss>_in_mcs_h<h>`` (0/1) for every model, and for every other model
        ``<model>_vs_<benchmark>.dm_pvalue_h<h>``, ``.dm_pvalue_holm_h<h>`` and (nested) ``.cw_pvalue_h<h>``,
        ``.cw_pvalue_holm_h<h>``.
        ``loss`` and ``horizon`` default to the comparison's.
        """
        where = "ComparisonResult.metrics"
        loss_key = _snake(self.loss if loss is None else loss)
        if not loss_key:
            raise ValueError(f"{where}: loss must name the loss, got {loss!r}")
        h = self.horizon if horizon is None else check_positive_int(horizon, "horizon", where=where)
        bench = _snake(self.benchmark)
        out: dict[str, float] = {}
        for row in self.table.itertuples(index=False):
            m = _snake(row.model)
            out[f"{m}.{loss_key}_in_mcs_h{h}"] = int(row.in_mcs)
            if row.model == self.benchmark:
                continue
            for col, key in (
                ("dm_pvalue", "dm_pvalue"),
                ("pvalue_holm", "dm_pvalue_holm"),
                ("cw_pvalue", "cw_pvalue"),
                ("cw_pvalue_holm", "cw_pvalue_holm"),
            ):
                value = float(getattr(row, col))
                if np.isfinite(value):
                    out[f"{m}_vs_{bench}.{key}_h{h}"] = value
        return out

    def verdict_text(
        self,
        labels: Mapping[str, str] | None = None,
        *,
        root: bool | None = None,
        at: str | None = None,
        digits: int = 2,
    ) -> str:
        """Markdown sentences read off the table: one per compared model, then the MCS.

        Parameters
        ----------
        labels : mapping model -> display name, optional
        root : bool, optional
            Report the ratio of root mean losses (``RMSE`` for squared errors); default: when ``loss`` is
            ``"mse"``.
        at : str, optional
            What each sentence opens with; default ``"At h = <horizon>"``. Say what the period is where the
            horizon alone would mislead (e.g. ``"Per 21-day holding period"`` beside daily losses); ``""``: no
            opening, for comparisons that have no horizon (a cross-section).
        digits : int, optional
            Decimals of the loss ratios (3 where models differ by less than a per cent, so that a significant
            difference does not read "1.00 times").
        """
        digits = check_positive_int(digits, "digits", where="ComparisonResult.verdict_text")
        name = display_names(labels, "ComparisonResult.verdict_text")
        squared = self.loss.lower() in ("mse", "se", "squared_error")
        root = squared if root is None else bool(root)
        root = root and self.loss.lower() not in DIFFERENCE_LOSSES
        what = ("RMSE" if squared else f"root mean {self.loss}") if root else f"mean {self.loss}"
        b = name(self.benchmark)
        opening = f"At h = {self.horizon}, " if at is None else (f"{at}, " if at else "")
        sentences = []
        for row in self.table.itertuples(index=False):
            if row.model == self.benchmark:
                continue
            m = name(row.model)
            if not row.trained:
                sentences.append(f"{opening}{m} {_UNTRAINED}.")
                continue
            ratio = math.sqrt(row.ratio) if root else row.ratio
            size = relative_size(self.loss, ratio, row.mean_loss_diff, b, digits=digits)
            tests = f"DM p {format_pvalue(row.dm_pvalue)}, Holm p {format_pvalue(row.pvalue_holm)}"
            nested = np.isfinite(row.cw_pvalue)
            if nested:
                tests += f"; Clark-West p {format_pvalue(row.cw_pvalue)}, Holm p {format_pvalue(row.cw_pvalue_holm)}"
            if row.verdict.startswith("not distinguishable"):
                reading = "the difference is not distinguishable"
            else:
                reading = f"{m} is {row.verdict.replace(self.benchmark, b)}"
            if nested and row.verdict.startswith("significantly better"):
                reading += f" by Clark-West, the test that allows for {b} being nested in {m}"
            elif nested and row.cw_pvalue_holm < self.level:
                reading += (
                    f"; Clark-West finds predictive content beyond {b}, but estimating {m} costs more "
                    "than that content buys in this sample"
                )
            sentences.append(f"{opening}{m}'s {what} is {size}; {reading} ({tests}).")
        sentences.append(
            f"The MCS at {100 * (1 - self.mcs.size):.0f}% keeps: {self.mcs.kept_text(name)}."
        )
        return " ".join(sentences)


def _key_label(key: object) -> str:
    """A comparison's key in a sentence: ``"pinball"`` as is, ``("portfolio", "qlike")`` as ``"portfolio qlike"``."""
    return " ".join(map(str, key)) if isinstance(key, tuple) else str(key)


def ablation_reading(
    comparisons: Mapping[_K, ComparisonResult],
    networks: Sequence[str] | str,
    labels: Mapping[str, str] | None = None,
    *,
    brief: bool = False,
) -> str:
    """Markdown: what each network adds beyond its ablation (the comparisons' benchmark: a linear model on the same
    inputs). ``comparisons``: one result per loss (keys: a loss name, or a tuple such as ``(target, loss)``), all
    with the same benchmark and Holm already applied over the family the caller reports.

    For each trained network, its mean loss relative to the ablation's on every key (:func:`relative_size`) with
    the verdict and Holm p; then the bottom line: where some network is significantly better, or that none has
    shown its nonlinearity buys anything; where any is significantly worse; on which keys the MCS drops the
    ablation itself (a signal the pairwise tests need not share); and the networks not read (did not train).
    ``brief``: the bottom line alone, without the per-network figures (for a closing reading that follows the
    full one)."""
    where = "ablation_reading"
    if not isinstance(comparisons, Mapping) or not comparisons:
        raise ValueError(
            f"{where}: comparisons must be a non-empty mapping key -> ComparisonResult"
        )
    networks = [networks] if isinstance(networks, str) else list(networks)
    ablation = next(iter(comparisons.values())).benchmark
    if any(c.benchmark != ablation for c in comparisons.values()):
        raise ValueError(f"{where}: every comparison must have the same benchmark (the ablation)")
    tables = {k: c.table.set_index("model") for k, c in comparisons.items()}
    missing = [n for n in networks if any(n not in t.index for t in tables.values())]
    if not networks or missing:
        raise ValueError(f"{where}: networks {missing or networks} are not compared models")
    name = display_names(labels, where)
    trained = [n for n in networks if all(bool(t.loc[n, "trained"]) for t in tables.values())]
    untrained = [name(n) for n in networks if n not in trained]
    if not trained:
        return f"No network trained: {', '.join(untrained)}; none is read against {ablation}."

    def keys_with(n: str, word: str) -> list[str]:
        return [_key_label(k) for k, t in tables.items() if t.loc[n, "verdict"].startswith(word)]

    per_net = [
        f"{name(n)}: "
        + "; ".join(
            f"{_key_label(k)} {relative_size(str(comparisons[k].loss), float(t.loc[n, 'ratio']), float(t.loc[n, 'mean_loss_diff']))}"
            f" ({t.loc[n, 'verdict']}, Holm p {format_pvalue(float(t.loc[n, 'pvalue_holm']))})"
            for k, t in tables.items()
        )
        for n in trained
    ]
    better = {n: keys_with(n, "significantly better") for n in trained}
    worse = {n: keys_with(n, "significantly worse") for n in trained}
    parts = [
        f"**Bottom line against the linear ablation {ablation}.**"
        if brief
        else f"**What the network{'s add' if len(networks) > 1 else ' adds'} beyond the linear ablation "
        f"{ablation}** (mean loss against {ablation}'s: a ratio, or a difference for losses whose level depends "
        "on units; Holm over the reported family): " + ". ".join(per_net) + "."
    ]
    lower = {
        n: sum(float(t.loc[n, "mean_loss_diff"]) < 0 for t in tables.values()) for n in trained
    }
    parts.append(
        "As point estimates, the mean loss is lower than "
        + f"{ablation}'s on "
        + "; ".join(f"{lower[n]} of {len(tables)} losses for {name(n)}" for n in trained)
        + "."
    )
    if any(better.values()):
        parts.append(
            f"Significantly better than {ablation}: "
            + "; ".join(f"{name(n)} on {', '.join(v)}" for n, v in better.items() if v)
            + "."
        )
    else:
        parts.append(
            f"{name(trained[0])} is not significantly better than {ablation} on any loss: it has not shown that "
            "what it adds to the linear model buys anything."
            if len(trained) == 1
            else f"No trained network is significantly better than {ablation} on any loss: none has shown that "
            "what it adds to the linear model buys anything."
        )
    if any(worse.values()):
        parts.append(
            f"Significantly worse than {ablation}: "
            + "; ".join(f"{name(n)} on {', '.join(v)}" for n, v in worse.items() if v)
            + "."
        )
    dropped = [_key_label(k) for k, c in comparisons.items() if ablation not in c.mcs.included]
    if dropped:
        parts.append(
            f"The MCS over the models compared with {ablation} here drops {ablation} itself on "
            f"{', '.join(dropped)}"
            + (
                ": relative to the variability of the loss differences it is outperformed, a signal the "
                "pairwise tests after Holm do not confirm."
                if not any(better.values())
                else "."
            )
        )
    net_dropped = {
        n: [_key_label(k) for k, c in comparisons.items() if n not in c.mcs.included]
        for n in trained
    }
    if any(net_dropped.values()):
        parts.append(
            f"The MCS over the models compared with {ablation} here drops "
            + "; ".join(f"{name(n)} on {', '.join(v)}" for n, v in net_dropped.items() if v)
            + "."
        )
    if untrained:
        parts.append(f"Not read (did not train): {', '.join(untrained)}.")
    return " ".join(parts)


def compare_forecasts(
    losses: pd.DataFrame,
    benchmark: str,
    *,
    horizon: int = 1,
    loss: str = "mse",
    nested: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
    trained: Mapping[str, bool] | None = None,
    level: float = 0.05,
    mcs_size: float = 0.10,
    mcs_reps: int = 1000,
    mcs_block_size: int | None = None,
    seed: int = 0,
    kernel: str = "bartlett",
    lags: int | None = None,
) -> ComparisonResult:
    """Compare every model with ``benchmark`` on one loss at one horizon.

    Parameters
    ----------
    losses : DataFrame, shape (n_dates, n_models)
        Per-period losses (e.g. squared errors), one column per model, same target dates, finite. Test a deep
        model's seed ensemble (:func:`seed_ensemble`), not each seed.
    benchmark : str
        The benchmark's column.
    horizon : int
        Forecast horizon ``h`` in periods (HAC lags, HLN correction, default MCS block length, metric keys).
    loss : str
        Name of the loss, for metric keys and text (``"mse"`` reads as RMSE ratios).
    nested : mapping model -> (actual, benchmark_forecast, model_forecast), optional
        Models in which the benchmark is nested: also run :func:`clark_west` on these arrays (shape (n_dates,)).
    trained : mapping model -> bool, optional
        ``False`` marks a model that did not train: reported, left out of the Holm family and of the MCS's
        candidates (``in_mcs`` 0, ``mcs_pvalue`` NaN, named in ``mcs.excluded``), verdict
        ``"did not train (not interpreted)"``. Missing models count as trained.
    level : float
        Significance level of the verdicts (on Holm-adjusted DM p-values).
    mcs_size, mcs_reps, mcs_block_size, seed
        :func:`model_confidence_set` over all trained models.
    kernel, lags
        Long-run variance of DM and Clark-West (see :func:`diebold_mariano`).

    Returns
    -------
    ComparisonResult
    """
    where = "compare_forecasts"
    frame = _check_losses(losses, where, min_models=2)
    if not isinstance(benchmark, str) or benchmark not in frame.columns:
        raise ValueError(
            f"{where}: benchmark {benchmark!r} is not a column of losses (models: {list(frame.columns)})"
        )
    horizon = check_positive_int(horizon, "horizon", where=where)
    level = check_probability(level, "level", where=where)
    mcs_size = check_probability(mcs_size, "mcs_size", where=where)
    if not isinstance(loss, str) or not _snake(loss):
        raise ValueError(f"{where}: loss must name the loss (e.g. 'mse'), got {loss!r}")
    _check_kernel(kernel, where)
    keys = [_snake(m) for m in frame.columns]
    if len(set(keys)) != len(keys) or not all(keys):
        raise ValueError(
            f"{where}: model names {list(frame.columns)} do not give distinct metric-key segments {keys}"
        )
    trained = dict(trained or {})
    nested = dict(nested or {})
    for arg, mapping in (("trained", trained), ("nested", nested)):
        unknown = sorted(set(mapping) - set(frame.columns))
        if unknown:
            raise ValueError(
                f"{where}: {arg} names model(s) {unknown} that are not columns of losses "
                f"{list(frame.columns)}"
            )
    if benchmark in nested:
        raise ValueError(f"{where}: nested cannot hold the benchmark {benchmark!r} itself")
    for m, flag in trained.items():
        if not isinstance(flag, bool | np.bool_):
            raise TypeError(f"{where}: trained[{m!r}] must be a bool, got {flag!r}")
    for m, arrays in nested.items():
        if not isinstance(arrays, tuple | list) or len(arrays) != 3:
            raise ValueError(
                f"{where}: nested[{m!r}] must be (actual, benchmark_forecast, model_forecast)"
            )
        for arr in arrays:
            if np.shape(arr) != (frame.shape[0],):
                raise ValueError(
                    f"{where}: nested[{m!r}] arrays must have shape ({frame.shape[0]},) like losses, "
                    f"got {np.shape(arr)}"
                )

    bench_loss = frame[benchmark].to_numpy()
    bench_mean = float(bench_loss.mean())
    rows = []
    for m in frame.columns:
        x = frame[m].to_numpy()
        row = {
            "model": m,
            "trained": bool(trained.get(m, True)),
            "n": int(x.size),
            "mean_loss": float(x.mean()),
            "ratio": float(x.mean()) / bench_mean if bench_mean != 0 else np.nan,
            "mean_loss_diff": float(x.mean()) - bench_mean,
            "dm_stat": np.nan,
            "dm_pvalue": np.nan,
            "cw_stat": np.nan,
            "cw_pvalue": np.nan,
        }
        if m != benchmark:
            if np.array_equal(x, bench_loss):
                pass  # identical losses: DM undefined, nothing to test
            else:
                dm = diebold_mariano(x, bench_loss, horizon=horizon, kernel=kernel, lags=lags)
                row |= {"dm_stat": dm.statistic, "dm_pvalue": dm.pvalue}
            if m in nested:
                cw = clark_west(*nested[m], horizon=horizon, kernel=kernel, lags=lags)
                row |= {"cw_stat": cw.statistic, "cw_pvalue": cw.pvalue}
        rows.append(row)
    table = pd.DataFrame(rows)
    for raw, adjusted in _HOLM_COLUMNS.items():
        family = _holm_family(table, benchmark, raw)
        table[adjusted] = np.nan
        if family.any():
            table.loc[family, adjusted] = holm(table.loc[family, raw].to_numpy())
    mcs = model_confidence_set(
        frame,
        size=mcs_size,
        reps=mcs_reps,
        block_size=mcs_block_size,
        horizon=horizon,
        seed=seed,
        candidates=table["trained"].to_numpy(dtype=bool),  # an untrained network is no candidate
    )
    table["in_mcs"] = mcs.membership.to_numpy()
    table["mcs_pvalue"] = mcs.pvalues.to_numpy()
    table["verdict"] = _verdicts(table, benchmark, level)
    return ComparisonResult(table, benchmark, horizon, loss, level, mcs)


# The two Holm families of a comparison: every trained model's two-sided DM p-value, and the one-sided
# Clark-West p-values of the trained models that nest the benchmark (raw column -> adjusted column).
_HOLM_COLUMNS = {"dm_pvalue": "pvalue_holm", "cw_pvalue": "cw_pvalue_holm"}


def _holm_family(table: pd.DataFrame, benchmark: str, column: str) -> pd.Series:
    """Rows of ``table`` in the Holm family of p-value ``column``: trained, not the benchmark, tested."""
    return (table["model"] != benchmark) & table["trained"] & table[column].notna()


def _verdicts(table: pd.DataFrame, benchmark: str, level: float) -> list[str]:
    """:func:`verdict` of every row of a comparison table (``"benchmark"`` for the benchmark's row)."""
    return [
        "benchmark"
        if r.model == benchmark
        else verdict(
            r.mean_loss_diff,
            r.pvalue_holm,
            benchmark,
            level=level,
            trained=r.trained,
            cw_pvalue_holm=r.cw_pvalue_holm,
        )
        for r in table.itertuples(index=False)
    ]


def holm_across(results: Mapping[_K, ComparisonResult]) -> dict[_K, ComparisonResult]:
    """Holm over one family made of several comparisons' tests (e.g. every horizon and data set a notebook
    reports against its benchmark), instead of one family per :func:`compare_forecasts` call: one family of DM
    p-values and one of Clark-West p-values (nested models), each over all the comparisons.

    Parameters
    ----------
    results : mapping key -> ComparisonResult
        At least one comparison; the family is every trained non-benchmark model with a DM p-value, over all.

    Returns
    -------
    dict key -> ComparisonResult
        The same comparisons with ``pvalue_holm`` and ``cw_pvalue_holm`` adjusted over the whole families and
        ``verdict`` recomputed from them (same keys and order).
    """
    where = "holm_across"
    if not isinstance(results, Mapping) or not results:
        raise ValueError(f"{where}: results must be a non-empty mapping key -> ComparisonResult")
    for key, res in results.items():
        if not isinstance(res, ComparisonResult):
            raise TypeError(
                f"{where}: results[{key!r}] must be a ComparisonResult, got {type(res).__name__}"
            )
    tables = {key: res.table.copy() for key, res in results.items()}
    for raw, adjusted in _HOLM_COLUMNS.items():
        members: list[tuple[_K, int]] = []
        pvalues: list[float] = []
        for key, res in results.items():
            family = _holm_family(res.table, res.benchmark, raw)
            for i in np.flatnonzero(family.to_numpy()):
                members.append((key, int(i)))
                pvalues.append(float(res.table[raw].iloc[i]))
        for table in tables.values():
            table[adjusted] = np.nan
        for (key, row), p in zip(
            members, holm(np.asarray(pvalues)) if pvalues else [], strict=True
        ):
            tables[key].iloc[row, tables[key].columns.get_loc(adjusted)] = p
    out: dict[_K, ComparisonResult] = {}
    for key, res in results.items():
        tables[key]["verdict"] = _verdicts(tables[key], res.benchmark, res.level)
        out[key] = dataclasses.replace(res, table=tables[key])
    return out


def comparison_table(
    results: Mapping[Hashable, ComparisonResult], key: str | tuple[str, ...] = "horizon"
) -> pd.DataFrame:
    """The verdict table of several comparisons, one row per (key, model): ``trained``, ``n``,
    ``mean_loss_diff`` (model - benchmark), ``ratio`` of mean losses to the benchmark's (RMSE ratio for squared
    errors; NaN for :data:`DIFFERENCE_LOSSES`), ``in_mcs``, ``dm_pvalue``,
    ``pvalue_holm``, ``cw_pvalue``, ``cw_pvalue_holm`` (NaN unless nested), ``verdict``; ``key`` names the index level(s) that hold the mapping's keys (a tuple of
    names for tuple keys)."""
    where = "comparison_table"
    if not isinstance(results, Mapping) or not results:
        raise ValueError(f"{where}: results must be a non-empty mapping key -> ComparisonResult")
    names = (key,) if isinstance(key, str) else tuple(key)
    frames = []
    for k, res in results.items():
        if not isinstance(res, ComparisonResult):
            raise TypeError(f"{where}: results[{k!r}] must be a ComparisonResult")
        parts = k if len(names) > 1 else (k,)
        if not isinstance(parts, tuple) or len(parts) != len(names):
            raise ValueError(f"{where}: key {k!r} does not match the level names {names}")
        t = res.table
        squared = res.loss.lower() in ("mse", "se", "squared_error")
        ratio = np.sqrt(t["ratio"]) if squared else t["ratio"]
        if res.loss.lower() in DIFFERENCE_LOSSES:
            ratio = pd.Series(np.nan, index=t.index)
        frames.append(
            pd.DataFrame(
                {
                    **dict(zip(names, parts, strict=True)),
                    "model": t["model"],
                    "trained": t["trained"],
                    "n": t["n"],
                    "mean_loss_diff": t["mean_loss_diff"],
                    "ratio": ratio,
                    "in_mcs": t["in_mcs"],
                    "dm_pvalue": t["dm_pvalue"],
                    "pvalue_holm": t["pvalue_holm"],
                    "cw_pvalue": t["cw_pvalue"],
                    "cw_pvalue_holm": t["cw_pvalue_holm"],
                    "verdict": t["verdict"],
                }
            )
        )
    return pd.concat(frames).set_index([*names, "model"])


def pooled_squared_errors(
    actual: pd.DataFrame, forecasts: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """Per-date squared errors averaged over series: the loss frame (dates x models) that
    :func:`compare_forecasts` takes when several series (maturities, yields) are judged together.

    Parameters
    ----------
    actual : DataFrame
        Realised values, dates x series (a superset of the forecasts' dates and series).
    forecasts : mapping model -> DataFrame
        Forecasts at one horizon, indexed by target date, all on the same dates and series.

    Returns
    -------
    DataFrame
        Dates x models, ``mean over series of (actual - forecast)^2``.
    """
    where = "pooled_squared_errors"
    if not isinstance(actual, pd.DataFrame):
        raise TypeError(f"{where}: actual must be a DataFrame, got {type(actual).__name__}")
    if not isinstance(forecasts, Mapping) or not forecasts:
        raise ValueError(f"{where}: forecasts must be a non-empty mapping model -> DataFrame")
    first = None
    out = {}
    for name, fc in forecasts.items():
        if not isinstance(fc, pd.DataFrame):
            raise TypeError(f"{where}: forecasts[{name!r}] must be a DataFrame")
        if first is None:
            first = fc
            missing = sorted(set(fc.columns) - set(actual.columns), key=str)
            if missing or not fc.index.isin(actual.index).all():
                raise ValueError(f"{where}: actual lacks some forecast dates or series {missing}")
        elif not fc.index.equals(first.index) or list(fc.columns) != list(first.columns):
            raise ValueError(f"{where}: forecasts[{name!r}] is not on the same dates and series")
        err = as_float_array(
            actual.loc[fc.index, fc.columns] - fc, f"errors of {name}", where=where, ndim=2
        )
        out[name] = (err**2).mean(axis=1)
    assert first is not None  # forecasts is non-empty
    return pd.DataFrame(out, index=first.index)


def nested_inputs(
    actual: pd.Series, forecasts: Mapping[str, pd.Series], benchmark: str, models: Sequence[str]
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The ``nested`` argument of :func:`compare_forecasts`: for each of ``models`` (each nests ``benchmark``),
    the arrays ``(actual, benchmark forecast, model forecast)`` on the model's forecast dates, shape
    ``(n_dates,)``. Raises (naming the model and the first missing date) where ``actual`` or the benchmark lacks
    a date of the model's forecast, or where a value is not finite."""
    where = "nested_inputs"
    if not isinstance(actual, pd.Series):
        raise TypeError(f"{where}: actual must be a pandas Series, got {type(actual).__name__}")
    if not isinstance(forecasts, Mapping) or benchmark not in forecasts:
        raise ValueError(
            f"{where}: forecasts must be a mapping that holds the benchmark {benchmark!r}"
        )
    if isinstance(models, str) or not models:
        raise ValueError(f"{where}: models must be a non-empty sequence of names, got {models!r}")
    out = {}
    for m in models:
        if m not in forecasts or m == benchmark:
            raise ValueError(f"{where}: model {m!r} is not a forecast other than the benchmark's")
        dates = forecasts[m].index
        for name, s in (("actual", actual), (f"forecasts[{benchmark!r}]", forecasts[benchmark])):
            missing = dates[~dates.isin(s.index)]
            if len(missing):
                raise ValueError(f"{where}: {name} lacks {m!r}'s forecast date {missing[0]}")
        out[m] = (
            as_float_array(actual.loc[dates], "actual", where=where),
            as_float_array(
                forecasts[benchmark].loc[dates], f"forecasts[{benchmark!r}]", where=where
            ),
            as_float_array(forecasts[m], f"forecasts[{m!r}]", where=where),
        )
    return out


# --------------------------------------------------------------------------------------------------------------
# Multi-horizon accuracy table (notebooks 05, 06)
# --------------------------------------------------------------------------------------------------------------


def horizon_table(
    actual: pd.DataFrame,
    forecasts: dict[str, dict[int, pd.DataFrame]],
    benchmark: str,
    *,
    kernel: str = "bartlett",
    lags: int | None = None,
) -> pd.DataFrame:
    """Accuracy of multi-horizon forecasts of several series, one row per (model, horizon, series).

    ``forecasts[model][h]``: target dates x series; every model must forecast the same target dates at a given
    horizon. Columns: ``n``, ``rmse``, ``mae``, ``rmse_ratio`` (to ``benchmark``'s RMSE) and the
    Diebold-Mariano test against ``benchmark`` on squared errors (``dm_stat``, ``dm_pvalue``; NaN for the
    benchmark itself) with :func:`diebold_mariano`'s ``kernel`` and ``lags`` (default: Bartlett over
    ``max(h - 1, floor(4 (n/100)^(2/9)))`` lags; ``kernel="rectangular"`` gives the earlier figures), small-sample
    corrected.
    """
    if benchmark not in forecasts:
        raise ValueError(f"benchmark {benchmark!r} is not among the forecasts {sorted(forecasts)}")
    rows = []
    for h, bench in forecasts[benchmark].items():
        truth = actual.loc[bench.index, bench.columns]
        bench_err = (truth - bench).to_numpy(dtype=float)
        for model, by_h in forecasts.items():
            if h not in by_h:
                raise ValueError(f"{model!r} has no forecasts at horizon {h}")
            fc = by_h[h]
            if not fc.index.equals(bench.index) or list(fc.columns) != list(bench.columns):
                raise ValueError(
                    f"{model!r} at horizon {h} is not on the benchmark's dates and series"
                )
            err = (truth - fc).to_numpy(dtype=float)
            for j, col in enumerate(bench.columns):
                row = {"model": model, "horizon": h, "series": col, "n": len(err)}
                row |= {"rmse": rmse(truth[col], fc[col]), "mae": mae(truth[col], fc[col])}
                row["rmse_ratio"] = row["rmse"] / rmse(truth[col], bench[col])
                if model == benchmark:
                    row |= {"dm_stat": np.nan, "dm_pvalue": np.nan}
                else:
                    dm = diebold_mariano(
                        err[:, j] ** 2, bench_err[:, j] ** 2, horizon=h, kernel=kernel, lags=lags
                    )
                    row |= {"dm_stat": dm.statistic, "dm_pvalue": dm.pvalue}
                rows.append(row)
    return pd.DataFrame(rows)
