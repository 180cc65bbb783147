"""Daily return forecasts against the random walk: the linear ablation (an AR on the same window of past returns
as the network) and the comparison protocol for nested benchmarks.

A zero return forecast (the random walk for prices) is nested in every model that estimates a constant or
lag coefficients (the historical mean, an AR, a network with a bias): under the null those models estimate
parameters whose true value is zero, which inflates their squared errors, so the Diebold-Mariano test is
undersized against them and Clark and West's (2007) adjusted test is the one to read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import (
    DataValidationError,
    as_timestamp,
    check_date_index,
    check_positive_int,
    check_returns,
)
from finrisk_utils.forecasting.compare import (
    ComparisonResult,
    check_seed_ratios,
    compare_forecasts,
    display_names,
    format_pvalue,
    seed_ensemble,
    seed_membership,
    verdict,
)
from finrisk_utils.market.forecast_files import (
    ACTUAL,
    FORECASTS_FILE,
    read_forecast_table,
    write_forecast_table,
)

__all__ = [
    "ReturnComparison",
    "ar_window_forecast",
    "compare_return_forecasts",
    "load_return_forecasts",
    "save_return_forecasts",
    "seed_ensemble_reading",
    "seed_ensemble_return_comparison",
]


def ar_window_forecast(
    returns: pd.Series, window: int, train_end: str | pd.Timestamp, dates: pd.DatetimeIndex
) -> pd.Series:
    """AR(``window``) forecast of the next return: OLS of ``r_t`` on a constant and ``r_{t-1} .. r_{t-window}``
    (the same window of past returns a sequence network sees), fitted once on the targets dated before
    ``train_end`` and applied at every date in ``dates``.

    Parameters
    ----------
    returns : Series
        Returns with a DatetimeIndex (any units; the forecast is in the same units).
    window : int
        Number of lags.
    train_end : date
        First target date not used for fitting (e.g. the start of the validation period).
    dates : DatetimeIndex
        Target dates to forecast: dates of ``returns``, each with ``window`` earlier returns.

    Returns
    -------
    Series
        Forecasts indexed by ``dates``, named ``ar<window>``.
    """
    where = "ar_window_forecast"
    returns = check_returns(returns, "returns", where=where)
    window = check_positive_int(window, "window", where=where)
    train_end = as_timestamp(train_end, "train_end", where=where)
    dates = check_date_index(dates, "dates", where=where)
    pos = returns.index.get_indexer(dates)
    if (pos < 0).any():
        raise DataValidationError(
            f"{where}: date {dates[int(np.argmax(pos < 0))].date()} is not a date of returns"
        )
    if (pos < window).any():
        raise DataValidationError(
            f"{where}: {dates[0].date()} has fewer than window = {window} earlier returns"
        )
    r = returns.to_numpy(dtype=float)
    lagged = np.column_stack(
        [np.ones(len(r) - window)] + [r[window - k : len(r) - k] for k in range(1, window + 1)]
    )
    target_dates = returns.index[window:]
    train = target_dates < train_end
    if train.sum() < 2 * (window + 1):
        raise DataValidationError(
            f"{where}: {int(train.sum())} training targets before {train_end.date()}, need at least "
            f"{2 * (window + 1)} for {window} lags and a constant"
        )
    beta = np.linalg.lstsq(lagged[train], r[window:][train], rcond=None)[0]
    return pd.Series(lagged[pos - window] @ beta, index=dates, name=f"ar{window}")


@dataclass(frozen=True)
class ReturnComparison:
    """:class:`~finrisk_utils.forecasting.compare.ComparisonResult` on squared errors of one-step return
    forecasts, read for returns (RMSE ratios to four decimals, the DM and Clark-West readings side by side)."""

    result: ComparisonResult

    @property
    def table(self) -> pd.DataFrame:
        """The comparison table (with ``cw_pvalue_holm``: Holm over the nested, trained models), by model."""
        return self.result.table.set_index("model")

    @property
    def cw_holm(self) -> pd.Series:
        """Clark-West p-values, Holm-adjusted over the nested, trained models (NaN where not tested)."""
        return self.table["cw_pvalue_holm"]

    def metrics(self) -> dict[str, float]:
        """The comparison's metric keys (``<model>.mse_in_mcs_h1``, ``<m>_vs_<b>.dm_pvalue_h1``,
        ``.dm_pvalue_holm_h1``, ``.cw_pvalue_h1``, ``.cw_pvalue_holm_h1``)."""
        return self.result.metrics()

    def verdict_text(self, labels: Mapping[str, str] | None = None) -> str:
        """One Markdown sentence per model, read off the tests at 5%: the Clark-West reading (Holm) for nested
        models, the two-sided DM reading (Holm) for every model, the MCS at the end."""
        name = display_names(labels, "ReturnComparison.verdict_text")
        b = name(self.result.benchmark)
        level = self.result.level
        out = []
        for m, row in self.table.iterrows():
            if m == self.result.benchmark:
                continue
            if not row["trained"]:
                out.append(f"{name(m)} did not train (not interpreted).")
                continue
            dm_words = verdict(row["mean_loss_diff"], row["pvalue_holm"], b, level=level)
            text = f"{name(m)}: RMSE {np.sqrt(row['ratio']):.4f} times {b}'s; DM (two-sided) {dm_words}"
            text += f" (Holm p {format_pvalue(row['pvalue_holm'])})"
            if np.isfinite(row["cw_pvalue_holm"]):
                beats = row["cw_pvalue_holm"] < level
                text += (
                    f"; Clark-West, which allows for the nesting: {'significant' if beats else 'no significant'}"
                    f" evidence at {level:.0%} that it beats {b} (Holm p {format_pvalue(row['cw_pvalue_holm'])})"
                )
            out.append(text + ".")
        kept = self.result.mcs.kept_text(name)
        out.append(
            f"The {100 * (1 - self.result.mcs.size):.0f}% model confidence set keeps: {kept}."
        )
        return " ".join(out)


def compare_return_forecasts(
    actual: pd.Series,
    forecasts: Mapping[str, pd.Series],
    *,
    benchmark: str = "random_walk",
    nested: Sequence[str] = (),
    trained: Mapping[str, bool] | None = None,
    seed: int = 0,
) -> ReturnComparison:
    """Squared-error comparison of one-step return forecasts with the shared protocol
    (:func:`~finrisk_utils.forecasting.compare.compare_forecasts`: DM with HAC variance and HLN, Holm, MCS),
    Clark-West for the models in ``nested`` (the benchmark is nested in them), Holm over those.

    Parameters
    ----------
    actual : Series
        Outcomes on the test dates.
    forecasts : mapping model -> Series
        Forecasts on exactly ``actual``'s dates, ``benchmark`` among them.
    nested : sequence of model names
        Models that nest the benchmark.
    trained : mapping model -> bool, optional
        ``False`` for a network that did not train: not tested, not interpreted.
    seed : int
        Seed of the MCS bootstrap.
    """
    where = "compare_return_forecasts"
    actual = check_returns(actual, "actual", where=where)
    if not isinstance(forecasts, Mapping) or benchmark not in forecasts:
        raise ValueError(f"{where}: forecasts must be a mapping that includes {benchmark!r}")
    for m, fc in forecasts.items():
        fc = check_returns(fc, f"forecasts[{m!r}]", where=where)
        if not fc.index.equals(actual.index):
            raise DataValidationError(f"{where}: forecasts[{m!r}] is not on actual's dates")
    unknown = sorted(set(nested) - set(forecasts))
    if unknown:
        raise ValueError(f"{where}: nested names {unknown}, not among the forecasts")
    trained = dict(trained or {})
    losses = pd.DataFrame({m: (actual - fc) ** 2 for m, fc in forecasts.items()})
    y, fb = actual.to_numpy(), forecasts[benchmark].to_numpy()
    nest = {m: (y, fb, forecasts[m].to_numpy(dtype=float)) for m in nested}
    result = compare_forecasts(
        losses, benchmark, horizon=1, loss="mse", nested=nest, trained=trained, seed=seed
    )
    return ReturnComparison(result)


def save_return_forecasts(
    path: str | Path, actual: pd.Series, forecasts: Mapping[str, pd.Series]
) -> Path:
    """Write the realised returns and every model's forecast (one column per model, same dates, same units) in
    the schema of :mod:`~finrisk_utils.market.forecast_files`, so that a seed sweep can test the seed ensemble
    (:func:`seed_ensemble_return_comparison`). Returns the path."""
    return write_forecast_table(path, actual, forecasts, where="save_return_forecasts")


def load_return_forecasts(path: str | Path) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Read :func:`save_return_forecasts`' CSV back: the realised returns and each model's forecast."""
    frame = read_forecast_table(path, where="load_return_forecasts")
    return frame[ACTUAL], {str(m): frame[m] for m in frame.columns if m != ACTUAL}


def seed_ensemble_return_comparison(
    run_dirs: Sequence[str | Path],
    model: str,
    trained: Sequence[bool],
    *,
    benchmark: str = "random_walk",
    seed: int = 0,
) -> ReturnComparison:
    """The seed ensemble of ``model`` against ``benchmark`` with :func:`compare_return_forecasts` (DM with HAC
    variance and HLN, Clark-West, as the benchmark is nested in the network, MCS over the two forecasts).

    ``trained``: per run (one run per seed, each with its ``forecasts.csv``), did the network train (a check on
    validation data). The ensemble follows the one membership rule
    (:func:`~finrisk_utils.forecasting.compare.seed_membership`): where more than half of the seeds trained, the
    mean forecast of those seeds (a choice made on validation only); otherwise the mean of all seeds, labelled
    untrained (not interpreted). Raises where the runs' realised returns or benchmark forecasts differ (they must
    be the same data and split)."""
    where = "seed_ensemble_return_comparison"
    if not isinstance(run_dirs, Sequence) or isinstance(run_dirs, str) or not run_dirs:
        raise TypeError(f"{where}: run_dirs must be a non-empty list of run folders")
    rule = seed_membership(trained)
    if rule.n_seeds != len(run_dirs):
        raise ValueError(f"{where}: trained needs one flag per run ({len(run_dirs)})")
    loaded = [load_return_forecasts(Path(d) / FORECASTS_FILE) for d in run_dirs]
    actual, first = loaded[0]
    for d, (a, fcs) in zip(run_dirs, loaded, strict=True):
        if model not in fcs or benchmark not in fcs:
            raise ValueError(f"{where}: {d} has no forecast of {model!r} and {benchmark!r}")
        if not (a.equals(actual) and fcs[benchmark].equals(first[benchmark])):
            raise DataValidationError(
                f"{where}: {d} has other realised returns or {benchmark} forecasts than {run_dirs[0]}"
            )
    ensemble = seed_ensemble(
        [fcs[model] for (_, fcs), keep in zip(loaded, rule.members, strict=True) if keep]
    )
    return compare_return_forecasts(
        actual,
        {benchmark: first[benchmark], model: ensemble},
        benchmark=benchmark,
        nested=[model],
        trained={model: rule.trained},
        seed=seed,
    )


def seed_ensemble_reading(
    comparison: ReturnComparison,
    rmse_ratio: pd.Series,
    trained: pd.Series,
    *,
    model: str = "lstm",
    label: str | None = None,
) -> str:
    """Markdown bullet: how many seeds of ``model`` trained and which make its ensemble
    (:func:`~finrisk_utils.forecasting.compare.seed_membership`), the ensemble's RMSE relative to the benchmark's
    with the verdict of ``comparison`` (:func:`seed_ensemble_return_comparison`), and the range (and standard
    deviation) of the single seeds' RMSE ratios in it. ``rmse_ratio`` and ``trained``: one value per seed (RMSE /
    benchmark RMSE; bool), same index."""
    where = "seed_ensemble_reading"
    if not isinstance(comparison, ReturnComparison):
        raise TypeError(f"{where}: comparison must be a ReturnComparison")
    if model not in comparison.table.index:
        raise ValueError(f"{where}: comparison has no model {model!r}")
    values, ok = check_seed_ratios(rmse_ratio, trained, where=where, name="rmse_ratio")
    rule = seed_membership(ok)
    kept = values[list(rule.members)]
    row = comparison.table.loc[model]
    if "trained" in row and bool(row["trained"]) != rule.trained:
        raise ValueError(
            f"{where}: trained says the ensemble is {'trained' if rule.trained else 'untrained'} "
            f"({rule.n_trained} of {rule.n_seeds} seeds), comparison says the opposite: not the same seeds"
        )
    spread = f" (sd {kept.std(ddof=1):.4f})." if kept.size > 1 else "."
    return (
        f"- **{label or model}**: {rule.describe()}. It has an RMSE {np.sqrt(row['ratio']):.4f} times "
        f"{comparison.result.benchmark}'s ({row['verdict']}); the single seeds in it range from "
        f"{kept.min():.4f} to {kept.max():.4f}" + spread
    )
