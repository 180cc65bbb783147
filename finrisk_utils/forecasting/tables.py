"""Views of a long accuracy table (one row per model, horizon and series, as built by
:func:`finrisk_utils.forecasting.compare.horizon_table`): wide pivots for display and flat metric keys in the
workbench's grammar (``<model>.<statistic>_h<h>_<series>``, ``<model>_vs_<benchmark>.<statistic>_h<h>_<series>``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence

import pandas as pd

from finrisk_utils.core.validation import check_columns

__all__ = ["horizon_metrics", "metric_token", "wide_view"]

_NOT_SNAKE = re.compile(r"[^a-z0-9]+")


def metric_token(label: Hashable) -> str:
    """``label`` as one lower-case snake segment of a metric key (``"BAA"`` -> ``"baa"``, ``"10y"`` stays)."""
    token = _NOT_SNAKE.sub("_", str(label).lower()).strip("_")
    if not token:
        raise ValueError(f"metric_token: {label!r} has no letters or digits to build a key from")
    return token


def wide_view(
    table: pd.DataFrame, value: str, *, models: Sequence[str] | None = None
) -> pd.DataFrame:
    """``value`` (e.g. ``"rmse"``, ``"rmse_ratio"``, ``"dm_pvalue"``) as models x (horizon, series), models in
    ``models`` order (default: the table's order). Rows of a model without that value (the benchmark's
    ``dm_pvalue``) are dropped."""
    check_columns(table, ["model", "horizon", "series", value], where="wide_view")
    order = list(models) if models is not None else list(dict.fromkeys(table["model"]))
    unknown = sorted(set(order) - set(table["model"]))
    if unknown:
        raise ValueError(f"wide_view: models {unknown} are not in the table")
    view = table.pivot_table(index="model", columns=["horizon", "series"], values=value, sort=False)
    return view.reindex([m for m in order if m in view.index])


def horizon_metrics(
    table: pd.DataFrame,
    benchmark: str,
    *,
    statistics: Sequence[str] = ("rmse", "mae"),
    series_label: Callable[[Hashable], str] = metric_token,
    pooled: bool = False,
) -> dict[str, float]:
    """Flat metrics of a long accuracy table: ``<model>.<stat>_h<h>[_<series>]`` for each of ``statistics``,
    and for every other model ``<model>_vs_<benchmark>.rmse_ratio_h<h>[_<series>]`` and
    ``<model>_vs_<benchmark>.dm_pvalue_h<h>[_<series>]``. The series suffix is left out when the table has
    one series. ``pooled=True`` adds ``<model>_vs_<benchmark>.rmse_ratio_h<h>``: the ratio of RMSEs pooled
    over series (root of the mean squared error over all series)."""
    check_columns(
        table,
        ["model", "horizon", "series", "rmse", "dm_pvalue", *statistics],
        where="horizon_metrics",
    )
    if benchmark not in set(table["model"]):
        raise ValueError(
            f"horizon_metrics: benchmark {benchmark!r} is not among the table's models"
        )
    single = table["series"].nunique() == 1
    bench = table[table["model"] == benchmark].set_index(["horizon", "series"])["rmse"]
    out: dict[str, float] = {}
    for row in table.itertuples(index=False):
        model, h = metric_token(row.model), int(row.horizon)
        where = f"_h{h}" if single else f"_h{h}_{series_label(row.series)}"
        out |= {f"{model}.{stat}{where}": float(getattr(row, stat)) for stat in statistics}
        if row.model != benchmark:
            pair = f"{model}_vs_{metric_token(benchmark)}"
            out[f"{pair}.rmse_ratio{where}"] = float(row.rmse / bench[(row.horizon, row.series)])
            out[f"{pair}.dm_pvalue{where}"] = float(row.dm_pvalue)
    if pooled and not single:
        mse = (
            table.assign(mse=table["rmse"] ** 2).groupby(["model", "horizon"], sort=False)["mse"]
        ).mean()
        for (model, h), value in mse.items():
            if model != benchmark:
                ratio = (value / mse[(benchmark, h)]) ** 0.5
                out[f"{metric_token(model)}_vs_{metric_token(benchmark)}.rmse_ratio_h{int(h)}"] = (
                    float(ratio)
                )
    return out
