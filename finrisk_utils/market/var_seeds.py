"""Seed ensembles of the deep VaR networks inside one run: the selected network refitted with further seeds, the
ensemble (mean VaR and ES) of the seeds that trained as the forecast to test, the single seeds as its spread.

Training a network is a random experiment; a single seed's edge or loss is one draw. The ensemble's members are
chosen on validation data only (a seed belongs to it if it beat the naive constant on validation); where no seed
trained, the ensemble is that of every seed and is labelled untrained (not interpreted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from finrisk_utils.core.config import setup
from finrisk_utils.core.validation import check_positive_int, check_returns
from finrisk_utils.forecasting.compare import mark_untrained, seed_spread_reading
from finrisk_utils.market.backtest import VaRBacktest, backtest_var
from finrisk_utils.market.deep_var import DeepVaRResult, deep_var_forecast
from finrisk_utils.market.riskmeasures import RiskForecast
from finrisk_utils.market.var_study import ensemble_forecast
from finrisk_utils.models import has_learned

__all__ = ["VaRSeedEnsemble", "var_seed_ensemble", "var_seed_reading"]


@dataclass(frozen=True)
class VaRSeedEnsemble:
    """Per network name: every seed's fit (``members``, the first being the selection's own network) and their
    seeds (``seeds``, same order for every network)."""

    members: Mapping[str, Sequence[DeepVaRResult]]
    seeds: Sequence[int]

    def __post_init__(self) -> None:
        if not self.members or any(len(ms) != len(self.seeds) for ms in self.members.values()):
            raise ValueError(
                f"VaRSeedEnsemble: every network needs one fit per seed ({len(self.seeds)} seeds), got "
                f"{ {n: len(ms) for n, ms in self.members.items()} }"
            )

    def _kept(self, name: str) -> list[bool]:
        flags = [has_learned(m.fit) for m in self.members[name]]
        return flags if any(flags) else [True] * len(flags)

    @property
    def trained(self) -> dict[str, bool]:
        """Per network, whether any seed trained (the ensemble is then that of the trained seeds)."""
        return {n: any(has_learned(m.fit) for m in ms) for n, ms in self.members.items()}

    @property
    def labels(self) -> dict[str, str]:
        """Display names: ``"<name> (untrained)"`` for a network none of whose seeds trained."""
        return {n: mark_untrained(n) for n, ok in self.trained.items() if not ok}

    @property
    def forecasts(self) -> dict[str, RiskForecast]:
        """Per network, the ensemble forecast: mean VaR and mean ES over the seeds that trained (every seed where
        none did)."""
        return {
            n: ensemble_forecast(
                [m.forecast for m, k in zip(ms, self._kept(n), strict=True) if k], name=n
            )
            for n, ms in self.members.items()
        }

    def table(self, test_returns: pd.Series) -> pd.DataFrame:
        """One row per (network, seed): whether it trained, its kept epoch and validation FZ0 (return units), and
        its own test pinball loss, FZ0 loss and exception count on ``test_returns`` (point estimates), and
        whether it is in the ensemble."""
        test_returns = check_returns(test_returns, "test_returns", where="VaRSeedEnsemble.table")
        rows = {}
        for name, ms in self.members.items():
            for seed, m, kept in zip(self.seeds, ms, self._kept(name), strict=True):
                b = backtest_var(test_returns.loc[m.forecast.var.index], m.forecast)
                rows[(name, seed)] = {
                    "trained": has_learned(m.fit),
                    "in_ensemble": kept,
                    "best_epoch": m.fit.best_epoch,
                    "val_fz0": m.val_loss,
                    "pinball": b.pinball,
                    "fz0": b.fz0,
                    "exceptions": b.kupiec.exceptions,
                }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        return frame.set_axis(pd.MultiIndex.from_tuples(rows, names=["model", "seed"]))


def var_seed_ensemble(
    returns: pd.Series,
    winners: Mapping[str, DeepVaRResult],
    *,
    seed: int,
    n_seeds: int,
    confidence: float,
    **dates: str | pd.Timestamp,
) -> VaRSeedEnsemble:
    """Each selected network (``winners``, e.g. from :func:`~finrisk_utils.market.var_study.select_networks`,
    trained under ``seed``) refitted from scratch with its own settings under seeds ``seed + 1``, ...,
    ``seed + n_seeds - 1`` (:func:`~finrisk_utils.core.config.setup` before each fit; same data, split and
    early stopping). ``dates``: ``val_start``, ``test_start``, ``test_end``."""
    where = "var_seed_ensemble"
    n_seeds = check_positive_int(n_seeds, "n_seeds", where=where)
    if not isinstance(winners, Mapping) or not winners:
        raise ValueError(f"{where}: winners must be a non-empty mapping name -> DeepVaRResult")
    for name, res in winners.items():
        if not isinstance(res, DeepVaRResult):
            raise TypeError(f"{where}: winners[{name!r}] is not a DeepVaRResult")
    seeds = [int(seed) + k for k in range(n_seeds)]
    members: dict[str, list[DeepVaRResult]] = {n: [r] for n, r in winners.items()}
    for s in seeds[1:]:
        for name, res in winners.items():
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
    """Markdown, one paragraph per network: how many seeds trained and entered the ensemble, then
    :func:`~finrisk_utils.forecasting.compare.seed_spread_reading` of the ensemble members' test pinball losses
    beside the ensemble's and ``benchmark``'s. ``table``: :meth:`VaRSeedEnsemble.table`; ``results``: the
    backtests (``VaRBacktest``) of the run, holding the ensembles and the benchmark."""
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
    labels = dict(labels or {})
    parts = []
    for name, rows in table.groupby(level="model", sort=False):
        if name not in by_name:
            raise ValueError(f"{where}: no backtest of {name!r} in results")
        n, k = len(rows), int(rows["trained"].sum())
        kept = rows.loc[rows["in_ensemble"].astype(bool), "pinball"]
        head = (
            f"**{labels.get(name, name)}**: {k} of {n} seeds trained; the ensemble is the mean VaR and ES of "
            + ("those." if k else "all of them, labelled untrained (not interpreted).")
        )
        spread = seed_spread_reading(
            kept.droplevel("model"),
            by_name[name].pinball,
            by_name[benchmark].pinball,
            model=f"{name} (seeds in the ensemble)",
            benchmark=benchmark,
            metric="pinball loss",
        )
        parts.append(f"{head} {spread}")
    return "\n\n".join(parts)
