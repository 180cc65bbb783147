"""Notebook 07's reruns of notebook 02, read across runs: the networks' settings its committed run selected, the
backtests of seed ensembles from the runs' forecast files, the baselines' agreement across seed reruns, and the
sentences on seeds and test years.

Every sentence here is built from results, so a notebook's reading cannot go stale when the numbers move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from finrisk_utils.forecasting.compare import (
    SeedMembership,
    format_pvalue,
    seed_membership,
    seed_spread,
)
from finrisk_utils.market.backtest import VaRBacktest, backtest_var
from finrisk_utils.market.forecast_files import FORECASTS_FILE
from finrisk_utils.market.var_study import ensemble_forecast, load_var_forecasts

__all__ = [
    "SeedBacktests",
    "baseline_rerun_reading",
    "committed_specs",
    "seed_ensemble_backtests",
    "seed_year_reading",
    "yearly_reading",
]


def committed_specs(notebook: str | Path) -> str:
    """The networks' settings a rendered notebook 02 printed (its line ``selected networks: <specs>``)."""
    import json
    import re

    path = Path(notebook)
    if not path.is_file():
        raise FileNotFoundError(f"committed_specs: no notebook {path}")
    text = json.dumps(json.loads(path.read_text()).get("cells", []))
    found = re.findall(r"selected networks: ([a-z0-9_:,]+)", text)
    if not found:
        raise ValueError(
            f"committed_specs: {path.name} stores no 'selected networks:' line; render it"
        )
    return found[-1]


@dataclass(frozen=True)
class SeedBacktests:
    """Backtests of seed ensembles (:func:`seed_ensemble_backtests`).

    ``results``: the backtest of each network's ensemble forecast beside every other model of the first run;
    ``per_seed``: one row per run (seed order), columns ``<model>.pinball``, ``<model>.fz0`` (both in % return
    units) and ``<model>.exceptions``, every seed's own test figures; ``memberships``: per network, which seeds
    trained and which make its ensemble (:func:`~finrisk_utils.forecasting.compare.seed_membership`)."""

    results: list[VaRBacktest]
    per_seed: pd.DataFrame
    memberships: Mapping[str, SeedMembership]

    @property
    def trained(self) -> dict[str, bool]:
        """Per network, whether it counts as trained (the ``trained`` argument of :func:`compare_var_losses`)."""
        return {m: rule.trained for m, rule in self.memberships.items()}

    def member_losses(self) -> pd.DataFrame:
        """``per_seed`` with the figures of seeds outside a network's ensemble set to NaN."""
        frame = self.per_seed.copy()
        for m, rule in self.memberships.items():
            cols = [c for c in frame.columns if c.startswith(f"{m}.")]
            frame.loc[[not k for k in rule.members], cols] = np.nan
        return frame

    def spread(self) -> pd.DataFrame:
        """:func:`~finrisk_utils.forecasting.compare.seed_spread` of each network's figures over the seeds in
        its ensemble, one row per ``<model>.<statistic>``."""
        frame = self.member_losses()
        return pd.concat(
            [
                seed_spread(frame[[c for c in frame.columns if c.startswith(f"{m}.")]].dropna())
                for m in self.memberships
            ]
        )

    def describe(self) -> str:
        """One line per network: its membership in words."""
        return "; ".join(f"{m}: {rule.describe()}" for m, rule in self.memberships.items())


def seed_ensemble_backtests(
    run_dirs: Sequence[str | Path],
    confidence: float,
    models: Sequence[str],
    trained: Mapping[str, Sequence[bool]],
) -> SeedBacktests:
    """Backtests of the seed-ensemble forecast of each of ``models`` (mean VaR and ES over the ``forecasts.csv``
    of the runs in its ensemble) beside every other model of the first run (the baselines, identical in every
    run), with each seed's own test figures and the membership of each ensemble.

    ``trained``: per network, one flag per run (did that seed's network train on validation); the ensemble
    follows the one membership rule (:func:`~finrisk_utils.forecasting.compare.seed_membership`)."""
    where = "seed_ensemble_backtests"
    if not isinstance(run_dirs, Sequence) or isinstance(run_dirs, str) or not run_dirs:
        raise TypeError(f"{where}: run_dirs must be a non-empty list of run folders")
    if not isinstance(trained, Mapping) or sorted(trained) != sorted(models):
        raise ValueError(
            f"{where}: trained needs one list of flags per model {list(models)}, got "
            f"{sorted(trained) if isinstance(trained, Mapping) else type(trained).__name__}"
        )
    memberships = {m: seed_membership(trained[m]) for m in models}
    for m, rule in memberships.items():
        if rule.n_seeds != len(run_dirs):
            raise ValueError(
                f"{where}: trained[{m!r}] has {rule.n_seeds} flags for {len(run_dirs)} runs"
            )
    loaded = [load_var_forecasts(Path(d) / FORECASTS_FILE, confidence) for d in run_dirs]
    returns, first = loaded[0]
    missing = [m for m in models if m not in first]
    if missing:
        raise ValueError(f"{where}: models {missing} not in the forecasts ({sorted(first)})")
    rows = []
    for r, fcs in loaded:
        row: dict[str, float] = {}
        for m in models:
            b = backtest_var(r.loc[fcs[m].var.index], fcs[m])
            row |= {f"{m}.pinball": b.pinball, f"{m}.fz0": b.fz0}
            row[f"{m}.exceptions"] = b.kupiec.exceptions
        rows.append(row)
    ensembles = {
        m: ensemble_forecast(
            [fcs[m] for (_, fcs), keep in zip(loaded, memberships[m].members, strict=True) if keep]
        )
        for m in models
    }
    fcs = {n: ensembles.get(n, fc) for n, fc in first.items()}
    results = [backtest_var(returns.loc[fc.var.index], fc) for fc in fcs.values()]
    return SeedBacktests(results, pd.DataFrame(rows), memberships)


_LOSS_WORDS = {"fz0": "FZ0"}  # how readings write a loss's metric token


def baseline_rerun_reading(
    rerun_losses: pd.DataFrame, mean_pinball: pd.Series, benchmark: str = "garch_skewt"
) -> str:
    """Markdown: whether the models other than the networks gave the same losses in every seed rerun (they
    should: only the networks draw on the seed, so any spread between reruns is the networks'), and which of
    them has the lowest mean pinball loss beside the benchmark's.

    ``rerun_losses``: one row per rerun, columns ``<model>.<loss>`` (e.g. ``garch.pinball``, ``garch.fz0``) of
    the baselines only; ``mean_pinball``: mean test pinball loss (% return units) per baseline, the
    benchmark's included. Equality is exact: a baseline refitted with the same data gives the same numbers."""
    where = "baseline_rerun_reading"
    if not isinstance(rerun_losses, pd.DataFrame) or rerun_losses.empty:
        raise TypeError(
            f"{where}: rerun_losses must be a non-empty DataFrame (reruns x <model>.<loss>)"
        )
    if not isinstance(mean_pinball, pd.Series) or mean_pinball.empty:
        raise TypeError(
            f"{where}: mean_pinball must be a non-empty Series (model -> mean pinball loss)"
        )
    if benchmark not in mean_pinball.index:
        raise ValueError(f"{where}: mean_pinball lacks the benchmark {benchmark!r}")
    bad = [c for c in rerun_losses.columns if not isinstance(c, str) or "." not in c]
    if bad:
        raise ValueError(f"{where}: rerun_losses columns must be '<model>.<loss>', got {bad}")
    models = sorted({c.split(".", 1)[0] for c in rerun_losses.columns})
    if set(models) != set(mean_pinball.index):
        raise ValueError(
            f"{where}: rerun_losses covers {models}, mean_pinball {sorted(mean_pinball.index)}"
        )
    differ = [c for c in rerun_losses.columns if rerun_losses[c].nunique(dropna=False) > 1]
    losses = dict.fromkeys(
        _LOSS_WORDS.get(c.split(".", 1)[1], c.split(".", 1)[1]) for c in rerun_losses
    )
    best = str(mean_pinball.idxmin())
    same = (
        f"the same {' and '.join(losses)} losses in every seed rerun"
        if not differ
        else f"**different** losses between seed reruns ({', '.join(differ)}): the reruns are not comparable"
    )
    return (
        f"Every model but the networks ({', '.join(models)}) gives {same}. Lowest mean pinball loss among them: "
        f"{best} ({mean_pinball[best]:.4f}; the benchmark of the tests, {benchmark}, "
        f"{mean_pinball[benchmark]:.4f})."
    )


def yearly_reading(
    by_year: pd.DataFrame, models: Sequence[str], benchmark: str = "garch_skewt"
) -> str:
    """One sentence per test year: each model's pinball loss against the benchmark's (lower or higher), the
    Holm-adjusted DM p-value and the exception counts. ``by_year``: rows years, columns metric keys of notebook
    02 (``<model>.pinball``, ``<model>.exceptions``, ``<model>.trained``,
    ``<model>_vs_<benchmark>.pinball_dm_pvalue_holm``)."""
    if not isinstance(by_year, pd.DataFrame) or by_year.empty:
        raise TypeError(
            "yearly_reading: by_year must be a non-empty DataFrame (years x metric keys)"
        )
    lines = []
    for year, row in by_year.iterrows():
        b = row[f"{benchmark}.pinball"]
        parts = []
        for m in models:
            if row.get(f"{m}.trained", 1) == 0:
                parts.append(f"{m} did not train (not interpreted)")
                continue
            side = "lower" if row[f"{m}.pinball"] < b else "higher"
            p = row.get(f"{m}_vs_{benchmark}.pinball_dm_pvalue_holm", np.nan)
            parts.append(
                f"{m} pinball {row[f'{m}.pinball']:.4f}, {side} than {benchmark}'s {b:.4f} "
                f"(Holm p {format_pvalue(p)}; {row[f'{m}.exceptions']:.0f} exceptions vs "
                f"{row[f'{benchmark}.exceptions']:.0f})"
            )
        lines.append(f"- **{year}**: " + "; ".join(parts) + ".")
    return "\n".join(lines)


def seed_year_reading(
    ensemble: pd.DataFrame,
    per_seed: pd.DataFrame,
    by_year: pd.DataFrame,
    models: Sequence[str],
    benchmark: str = "garch_skewt",
) -> str:
    """Markdown, one line per network: its seed ensemble's pinball loss against the benchmark's (the gap, the
    verdict and Holm p of the comparison), the seed-to-seed standard deviation against that gap, how many single
    seeds of the ensemble and how many test years (whose rerun trained, where ``by_year`` has
    ``<model>.trained``) have a lower pinball than the benchmark (point estimates). A network whose ensemble
    counts as untrained (``ensemble["trained"]`` False) gets only the range of its seeds' losses.

    ``ensemble``: the pinball comparison's table indexed by model (``mean_loss``, ``verdict``, ``pvalue_holm``);
    ``per_seed``: rows seeds, columns ``<model>.pinball``, NaN for a seed outside the model's ensemble
    (:meth:`SeedBacktests.member_losses`); ``by_year``: rows years, columns ``<model>.pinball`` (the
    benchmark's too)."""
    where = "seed_year_reading"
    for name, frame in (("ensemble", ensemble), ("per_seed", per_seed), ("by_year", by_year)):
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            raise TypeError(f"{where}: {name} must be a non-empty DataFrame")
    missing = [m for m in [*models, benchmark] if m not in ensemble.index]
    if missing:
        raise ValueError(f"{where}: ensemble lacks the models {missing}")
    bench = float(ensemble.loc[benchmark, "mean_loss"])
    lines = []
    for m in models:
        seeds = per_seed[f"{m}.pinball"].dropna()
        left_out = len(per_seed) - len(seeds)
        if "trained" in ensemble and not bool(ensemble.loc[m, "trained"]):
            lines.append(
                f"- **{m}**: its seed ensemble counts as untrained (not more than half of its seeds trained): "
                f"not interpreted. Its seeds' test pinball losses range from {seeds.min():.5f} to "
                f"{seeds.max():.5f}."
            )
            continue
        gap = float(ensemble.loc[m, "mean_loss"]) - bench
        sd = float(seeds.std(ddof=1)) if len(seeds) > 1 else float("nan")
        times = f"{sd / abs(gap):.1f} times the gap" if gap != 0 else "the gap is zero"
        wins_seeds = int((seeds < bench).sum())
        years = by_year
        if f"{m}.trained" in by_year:  # a year whose rerun did not train is not read
            years = by_year[by_year[f"{m}.trained"].astype(bool)]
        wins_years = int((years[f"{m}.pinball"] < years[f"{benchmark}.pinball"]).sum())
        untrained_years = len(by_year) - len(years)
        lines.append(
            f"- **{m}**: seed ensemble pinball {'below' if gap < 0 else 'above'} {benchmark}'s by {abs(gap):.5f} "
            f"({ensemble.loc[m, 'verdict']}, Holm p {format_pvalue(ensemble.loc[m, 'pvalue_holm'])}); "
            f"seed-to-seed sd {sd:.5f} ({times}); seeds of the ensemble below {benchmark} in "
            f"{wins_seeds}/{len(seeds)}"
            + (
                f" ({left_out} untrained seed{'s' if left_out > 1 else ''} left out)"
                if left_out
                else ""
            )
            + f"; test years below it in {wins_years}/{len(years)}"
            + (
                f" ({untrained_years} year{'s' if untrained_years > 1 else ''} whose rerun did not train left out)"
                if untrained_years
                else ""
            )
            + "."
        )
    return "\n".join(lines)
