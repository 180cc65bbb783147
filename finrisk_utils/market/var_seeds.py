"""Seed ensembles of the deep VaR networks inside one run: the selected settings fitted under several seeds, the
ensemble (mean VaR and ES) of the seeds that trained as the forecast to test, the single seeds as its spread.

Training a network is a random experiment; a single seed's edge or loss is one draw. Every seed is judged on
validation data only (:func:`~finrisk_utils.models.has_learned`: its validation fit beat the naive constant), and
the ensemble follows the workbench's one membership rule
(:func:`~finrisk_utils.forecasting.compare.seed_membership`): a network counts as trained when more than half of
its seeds trained, and its ensemble is then the mean of those seeds; otherwise the ensemble is that of every
seed, labelled untrained and not interpreted. Each seed's test forecast comes from its refit on training and validation data
together for its kept number of epochs (:func:`~finrisk_utils.market.deep_var.deep_var_forecast`), which no
held-out data can check: the trained label is that of the seed's validation fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from finrisk_utils.core.config import setup
from finrisk_utils.core.validation import check_positive_int, check_returns
from finrisk_utils.forecasting.compare import (
    SeedMembership,
    display_names,
    mark_untrained,
    seed_membership,
    seed_spread_reading,
)
from finrisk_utils.market.backtest import VaRBacktest, backtest_var
from finrisk_utils.market.deep_var import DeepVaRResult, deep_var_forecast
from finrisk_utils.market.plots import plot_deep_var_training
from finrisk_utils.market.riskmeasures import RiskForecast
from finrisk_utils.market.var_study import ensemble_forecast
from finrisk_utils.models import has_learned

__all__ = ["VaRSeedEnsemble", "var_seed_report", "var_seed_ensemble", "var_seed_reading"]


@dataclass(frozen=True)
class VaRSeedEnsemble:
    """Per network name, one fit per seed (``members``, in the order of ``seeds``)."""

    members: Mapping[str, Sequence[DeepVaRResult]]
    seeds: Sequence[int]

    def __post_init__(self) -> None:
        if not self.members or any(len(ms) != len(self.seeds) for ms in self.members.values()):
            raise ValueError(
                f"VaRSeedEnsemble: every network needs one fit per seed ({len(self.seeds)} seeds), got "
                f"{ {n: len(ms) for n, ms in self.members.items()} }"
            )

    def membership(self, name: str) -> SeedMembership:
        """Network ``name``'s seeds that trained on validation and those in its ensemble
        (:func:`~finrisk_utils.forecasting.compare.seed_membership`)."""
        return seed_membership([bool(has_learned(m.fit)) for m in self.members[name]])

    def _seed_trained(self, name: str) -> tuple[bool, ...]:
        return self.membership(name).seed_trained

    def _kept(self, name: str) -> tuple[bool, ...]:
        return self.membership(name).members

    @property
    def trained(self) -> dict[str, bool]:
        """Per network, whether it counts as trained (more than half of its seeds trained on validation)."""
        return {n: self.membership(n).trained for n in self.members}

    @property
    def labels(self) -> dict[str, str]:
        """Display names: ``"<name> (untrained)"`` for a network that does not count as trained."""
        return {n: mark_untrained(n) for n, ok in self.trained.items() if not ok}

    @property
    def forecasts(self) -> dict[str, RiskForecast]:
        """Per network, the ensemble forecast: mean VaR and mean ES over the seeds that trained where the network
        counts as trained, over every seed otherwise."""
        return {
            n: ensemble_forecast(
                [m.forecast for m, k in zip(ms, self._kept(n), strict=True) if k], name=n
            )
            for n, ms in self.members.items()
        }

    def verdicts(self) -> str:
        """One line: each network's verdict over its seeds (``"lstm_quantile trained (4 of 5 seeds)"``)."""
        return "; ".join(
            f"{n} {'trained' if self.trained[n] else 'untrained'} ({sum(self._seed_trained(n))} of "
            f"{len(self.seeds)} seeds trained)"
            for n in self.members
        )

    def best_epochs(self) -> dict[str, float]:
        """Per network, the median kept epoch over the seeds in its ensemble."""
        return {
            n: float(
                np.median([m.fit.best_epoch for m, k in zip(ms, self._kept(n), strict=True) if k])
            )
            for n, ms in self.members.items()
        }

    def by_seed(self) -> tuple[dict[str, DeepVaRResult], dict[str, str]]:
        """Every fit keyed ``"<name>, seed <s>"`` (networks in order, seeds within), and display labels marking
        the seeds that did not train: the input of :func:`~finrisk_utils.market.plots.plot_deep_var_training`."""
        fits, labels = {}, {}
        for name, ms in self.members.items():
            for seed, m, ok in zip(self.seeds, ms, self._seed_trained(name), strict=True):
                key = f"{name}, seed {seed}"
                fits[key] = m
                if not ok:
                    labels[key] = mark_untrained(key)
        return fits, labels

    def table(self, test_returns: pd.Series) -> pd.DataFrame:
        """One row per (network, seed): whether its validation fit trained and the losses that decide it (kept
        epoch; validation FZ0 of the kept weights and of the naive constant, in the network's own target units,
        ``gain_pct``, the kept weights' improvement on the constant in % of its loss, which must reach
        ``100 * MIN_IMPROVEMENT`` with a kept epoch after the first; validation FZ0 in return units), whether it is in the ensemble, and its own test pinball loss, FZ0 loss (both in %
        return units) and exception count on ``test_returns`` (point estimates, not tested one by one)."""
        test_returns = check_returns(test_returns, "test_returns", where="VaRSeedEnsemble.table")
        rows = {}
        for name, ms in self.members.items():
            flags = self._seed_trained(name)
            for seed, m, ok, kept in zip(self.seeds, ms, flags, self._kept(name), strict=True):
                b = backtest_var(test_returns.loc[m.forecast.var.index], m.forecast)
                s = m.fit.summary()
                rows[(name, seed)] = {
                    "trained": ok,
                    "in_ensemble": kept,
                    "best_epoch": m.fit.best_epoch,
                    "val_loss": s["val_loss"],
                    "naive_val_loss": s["naive_val_loss"],
                    "gain_pct": _gain_pct(m),
                    "val_fz0": m.val_loss,
                    "pinball": b.pinball,
                    "fz0": b.fz0,
                    "exceptions": b.kupiec.exceptions,
                }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        return frame.set_axis(pd.MultiIndex.from_tuples(rows, names=["model", "seed"]))


def var_seed_report(
    ensemble: VaRSeedEnsemble,
    test_returns: pd.Series,
    results: Sequence[VaRBacktest],
    *,
    title: str,
    benchmark: str = "garch_skewt",
) -> tuple[Figure, pd.DataFrame, str]:
    """What a notebook shows of a seed ensemble: every seed's learning curves (one row per network, titled
    ``title`` and each network's verdict), the per-seed table (:meth:`VaRSeedEnsemble.table` on
    ``test_returns``) and its reading (:func:`var_seed_reading` against ``benchmark`` in ``results``)."""
    fig = plot_deep_var_training(
        *ensemble.by_seed(), ncols=len(ensemble.seeds), title=f"{title}: {ensemble.verdicts()}"
    )
    table = ensemble.table(test_returns)
    text = var_seed_reading(table, results, benchmark=benchmark)
    return fig, table, text


def _gain_pct(res: DeepVaRResult) -> float:
    """The kept weights' validation improvement on the naive constant, in % of the constant's loss (NaN if none)."""
    naive = res.fit.naive_val_loss
    return float("nan") if naive is None else 100 * (naive - res.fit.best_val_loss) / abs(naive)


def var_seed_ensemble(
    returns: pd.Series,
    winners: Mapping[str, DeepVaRResult],
    *,
    seed: int,
    n_seeds: int,
    confidence: float,
    **dates: str | pd.Timestamp,
) -> VaRSeedEnsemble:
    """Each selected network's settings (``winners``, e.g. from
    :func:`~finrisk_utils.market.var_study.select_networks`) fitted from scratch under seeds ``seed``, ...,
    ``seed + n_seeds - 1`` (:func:`~finrisk_utils.core.config.setup` before each fit, so every seed's fit is
    reproducible on its own; same data, split and early stopping). The selection's own fits are not members: the
    one that won its selection carries the winner's luck on validation. ``dates``: ``val_start``,
    ``test_start``, ``test_end``."""
    where = "var_seed_ensemble"
    n_seeds = check_positive_int(n_seeds, "n_seeds", where=where)
    if not isinstance(winners, Mapping) or not winners:
        raise ValueError(f"{where}: winners must be a non-empty mapping name -> DeepVaRResult")
    for name, res in winners.items():
        if not isinstance(res, DeepVaRResult):
            raise TypeError(f"{where}: winners[{name!r}] is not a DeepVaRResult")
    seeds = [int(seed) + k for k in range(n_seeds)]
    members: dict[str, list[DeepVaRResult]] = {n: [] for n in winners}
    for name, res in winners.items():
        for s in seeds:
            setup(s, plot_style=False)
            members[name].append(
                deep_var_forecast(returns, confidence=confidence, spec=res.spec, name=name, **dates)
            )
    return VaRSeedEnsemble(members, seeds)


def var_seed_reading(
    table: pd.DataFrame,
    results: Sequence[VaRBacktest],
    *,
    benchmark: str = "garch_skewt",
    labels: Mapping[str, str] | None = None,
) -> str:
    """Markdown, one paragraph per network: how many seeds trained; for a network that counts as trained
    (more than half of its seeds), :func:`~finrisk_utils.forecasting.compare.seed_spread_reading` of its
    ensemble members' test pinball losses beside the ensemble's and ``benchmark``'s; for one that does not, only
    the range of its seeds' losses (not compared with anything: untrained networks are not interpreted).
    ``table``: :meth:`VaRSeedEnsemble.table`; ``results``: the run's backtests (ensembles and benchmark)."""
    where = "var_seed_reading"
    if isinstance(results, str | VaRBacktest) or any(
        not isinstance(b, VaRBacktest) for b in results
    ):
        raise TypeError(f"{where}: results must be a list of VaRBacktest")
    by_name = {b.name: b for b in results}
    if benchmark not in by_name:
        raise ValueError(f"{where}: no backtest of the benchmark {benchmark!r} in results")
    if not isinstance(table, pd.DataFrame) or table.empty or "pinball" not in table:
        raise ValueError(f"{where}: table must be VaRSeedEnsemble.table(...)")
    label = display_names(labels, where)
    parts = []
    for name, rows in table.groupby(level="model", sort=False):
        if name not in by_name:
            raise ValueError(f"{where}: no backtest of {name!r} in results")
        rule = seed_membership(rows["trained"].astype(bool).tolist())
        n, k = rule.n_seeds, rule.n_trained
        head = f"**{label(name)}**: {k} of {n} seed{'s' if n > 1 else ''} trained on validation"
        if not rule.trained:
            loss = rows["pinball"]
            parts.append(
                f"{head}, not more than half, so the network counts as untrained: its ensemble (the mean VaR "
                f"and ES of every seed) is not interpreted. The single seeds' test pinball losses range from "
                f"{loss.min():.4f} to {loss.max():.4f}."
            )
            continue
        kept = rows.loc[list(rule.members), "pinball"].droplevel("model")
        spread = seed_spread_reading(
            kept,
            by_name[name].pinball,
            by_name[benchmark].pinball,
            model=f"{name} (the seeds that trained)",
            benchmark=benchmark,
            metric="test pinball loss",
        )
        parts.append(
            f"{head}; the ensemble is the mean VaR and ES of those {k}"
            + (f" (the other {n - k} did not train and are left out)" if k < n else "")
            + f". {spread}"
        )
    return "\n\n".join(parts)
