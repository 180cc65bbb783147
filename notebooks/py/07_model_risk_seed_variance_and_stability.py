# %% [markdown] tags=[]
# # 07 · Model risk: seed variance and stability over time
#
# **Question.** Is a deep model's advantage over its classical benchmark larger than the noise of training it?
# And does it hold from one year to the next? These are the questions of a model validator (SR 11-7:
# conceptual soundness, outcomes analysis, benchmarking), asked with parameter sweeps of the other notebooks.
#
# **Data and models.** Notebook 02 (deep VaR/ES vs GARCH on S&P 500) rerun over seeds and over one-year test
# windows, and notebook 01 (LSTM price forecast vs random walk) rerun over seeds, each with `finrisk_utils.sweep`
# (the engine behind `finrisk sweep`: papermill runs on a local Dask cluster, results collected into one table).
# The 02 reruns use its quick network size with `epochs_02` epochs, so that many reruns fit the time budget; the
# baselines are identical in every rerun, so any spread is the networks'.
#
# **Runtime** (2 CPU cores): about 2 min in the quick profile (2 seeds, 2 years), about 8 min in the full profile
# (6 seeds, 4 years).

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick": 2 seeds and 2 test years (CI); "full": 6 seeds and 4 test years
output_dir = None  # where metrics.json, figures and the sweeps' folders go (None: runs/interactive/<notebook>)
n_seeds = 0  # reruns per notebook; 0: by profile (quick 2, full 6)
epochs_02 = 0  # epochs of notebook 02's networks in each rerun; 0: by profile (quick 3, full 30)
workers = 2  # Dask worker processes

# %% tags=[]
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from finrisk_utils import record_metrics, setup
from finrisk_utils.core import NOTEBOOKS_DIR, by_profile, save_figure
from finrisk_utils.workbench import resolve_output_dir
from finrisk_utils.workbench.sweep import metric, print_progress, sweep

setup(seed)
out = resolve_output_dir(output_dir)
n_seeds = n_seeds or by_profile(profile, quick=2, full=6)
epochs_02 = epochs_02 or by_profile(profile, quick=3, full=30)
years = by_profile(profile, quick=[2017, 2018], full=[2015, 2016, 2017, 2018])
var_notebook = NOTEBOOKS_DIR / "02_market_risk_var_es_deep_quantile.ipynb"
price_notebook = NOTEBOOKS_DIR / "01_market_risk_price_forecasting_lstm.ipynb"
pd.set_option("display.precision", 4)
pd.set_option("display.width", 200)

# %% [markdown] tags=[]
# ## 1. Seed variance of deep VaR (notebook 02)
#
# The same data, split and settings; only the seed changes (network initialisation and batch order).

# %% tags=[]
seeds = list(range(n_seeds))
var_runs = sweep(
    var_notebook,
    {"seed": seeds, "epochs": [epochs_02], "window": [20], "portfolio": [""]},
    out=Path(out) / "sweep_02_seeds",
    workers=workers,
    progress=print_progress,
)
assert (var_runs["status"] == "ok").all(), var_runs.loc[
    var_runs["status"] != "ok", "error"
].tolist()
models = ["garch_skewt", "garch_t", "lstm_quantile", "cnn_quantile"]
per_seed = pd.DataFrame(
    {
        (name, k): metric(var_runs, f"{name}.{k}").to_numpy()
        for name in models
        for k in ["exceptions", "pinball"]
    },
    index=pd.Index(var_runs["seed"], name="seed"),
).sort_index()
per_seed

# %% tags=[]
summary = per_seed.agg(["mean", "std", "min", "max"]).T
gap = {
    name: per_seed[(name, "pinball")].mean() - per_seed[("garch_skewt", "pinball")].mean()
    for name in ["lstm_quantile", "cnn_quantile"]
}
spread = {name: per_seed[(name, "pinball")].std(ddof=1) for name in gap}
assert (
    per_seed[("garch_skewt", "pinball")].std(ddof=1) < 1e-12
)  # baselines do not depend on the seed
for name in gap:
    wins = (per_seed[(name, "pinball")] < per_seed[("garch_skewt", "pinball")]).mean()
    print(
        f"{name}: pinball gap to GARCH-skew-t {gap[name]:+.5f} (negative = better), seed-to-seed sd "
        f"{spread[name]:.5f}; beats GARCH-skew-t in {wins:.0%} of seeds; exceptions range "
        f"{per_seed[(name, 'exceptions')].min():.0f}-{per_seed[(name, 'exceptions')].max():.0f}"
    )
summary

# %% [markdown] tags=[]
# ## 2. Stability over time: one-year test windows (notebook 02)
#
# Each rerun trains on everything before its test year (the two years before it validate) and forecasts that year
# only. A model validator looks for a model that is good in some years and bad in others: its average hides a
# risk. With about 250 days and 2.5 expected exceptions at 99% per year, single years are noisy; look at the
# ranking of the models more than at the levels.

# %% tags=[]
window_runs = sweep(
    var_notebook,
    [
        {
            "test_start": f"{y}-01-01",
            "test_end": f"{y}-12-31",
            "val_start": f"{y - 2}-01-01",
            "seed": seed,
            "epochs": epochs_02,
            "window": 20,
            "portfolio": "",
        }
        for y in years
    ],
    out=Path(out) / "sweep_02_years",
    workers=workers,
    progress=print_progress,
)
assert (window_runs["status"] == "ok").all(), window_runs.loc[
    window_runs["status"] != "ok", "error"
].tolist()

# %% tags=[]
by_year = pd.DataFrame(
    {
        (name, k): metric(window_runs, f"{name}.{k}").to_numpy()
        for name in models
        for k in ["exceptions", "pinball"]
    },
    index=pd.Index(window_runs["test_start"].str[:4], name="test year"),
).sort_index()
by_year

# %% [markdown] tags=[]
# ## 3. Seed variance of the LSTM price forecast (notebook 01)

# %% tags=[]
price_runs = sweep(
    price_notebook,
    {"seed": seeds},
    out=Path(out) / "sweep_01_seeds",
    profile="full",
    workers=workers,
    progress=print_progress,
)
assert (price_runs["status"] == "ok").all()
ratio = metric(price_runs, "lstm.rmse") / metric(price_runs, "random_walk.rmse")
dm_p = metric(price_runs, "lstm_vs_random_walk.dm_pvalue")
print(
    f"LSTM RMSE / random-walk RMSE over {len(ratio)} seeds: mean {ratio.mean():.4f}, sd {ratio.std():.4f}, "
    f"range {ratio.min():.4f}-{ratio.max():.4f}; DM p-values {dm_p.min():.2f}-{dm_p.max():.2f}"
)

# %% tags=[]
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for name in ["lstm_quantile", "cnn_quantile"]:
    axes[0].scatter(per_seed.index, per_seed[(name, "pinball")], label=name)
axes[0].axhline(
    per_seed[("garch_skewt", "pinball")].iloc[0], color="k", ls="--", lw=1, label="garch_skewt"
)
axes[0].set(title="Pinball loss by seed (02)", xlabel="seed", ylabel="mean pinball loss")
axes[0].legend(fontsize=8)
by_year.xs("pinball", axis=1, level=1).plot(
    ax=axes[1], marker="o", title="Pinball loss by test year (02)"
)
axes[2].scatter(price_runs["seed"], ratio)
axes[2].axhline(1, color="k", ls="--", lw=1)
axes[2].set(title="LSTM RMSE / random walk by seed (01)", xlabel="seed")
fig.tight_layout()
save_figure(fig, out, "model_risk")

# %% [markdown] tags=[]
# ## What a validator concludes
#
# The table below is computed from the sweeps. *seed sd / gap* compares the spread of a deep model's loss across
# seeds with its average distance to the benchmark: above about 0.5, a single training run cannot tell whether the
# network is better or worse than GARCH; a validator would ask for the ensemble (or the seed distribution) to be
# reported, not one lucky run. The year-by-year table shows whether the ranking of models is stable through time.

# %% tags=[]
verdict = pd.DataFrame(
    {
        name: {
            "pinball_gap_to_garch_skewt": gap[name],
            "seed_sd": spread[name],
            "seed_sd_over_abs_gap": spread[name] / abs(gap[name]) if gap[name] else np.inf,
            "share_of_seeds_beating_garch_skewt": float(
                (per_seed[(name, "pinball")] < per_seed[("garch_skewt", "pinball")]).mean()
            ),
            "share_of_windows_beating_garch_skewt": float(
                (by_year[(name, "pinball")] < by_year[("garch_skewt", "pinball")]).mean()
            ),
        }
        for name in gap
    }
).T
verdict

# %% [markdown] tags=[]
# Training a network is itself a random experiment. Where the seed-to-seed spread is of the same order as the gap to
# the benchmark, the honest statement is a distribution ("beats GARCH-skew-t in k of n seeds"), and the model's
# risk includes the choice of seed. The classical models do not have this risk: every rerun reproduces them
# exactly.

# %% tags=[]
metrics = {
    "run.n_seeds": n_seeds,
    "run.n_windows": len(years),
    "lstm_vs_random_walk.rmse_ratio_seed_mean": float(ratio.mean()),
    "lstm_vs_random_walk.rmse_ratio_seed_std": float(ratio.std()),
}
for name, row in verdict.iterrows():
    pair = f"{name}_vs_garch_skewt"
    metrics |= {
        f"{name}.pinball_seed_sd": float(row["seed_sd"]),
        f"{name}.pinball_seed_mean": float(per_seed[(name, "pinball")].mean()),
        f"{name}.exceptions_seed_sd": float(per_seed[(name, "exceptions")].std()),
        f"{pair}.pinball_gap": float(row["pinball_gap_to_garch_skewt"]),
        f"{pair}.seed_sd_over_abs_gap": float(row["seed_sd_over_abs_gap"]),
        f"{pair}.share_seeds_better": float(row["share_of_seeds_beating_garch_skewt"]),
        f"{pair}.share_windows_better": float(row["share_of_windows_beating_garch_skewt"]),
    }
metrics["garch_skewt.pinball"] = float(per_seed[("garch_skewt", "pinball")].iloc[0])
record_metrics(
    metrics,
    out,
    headline=[
        "lstm_quantile.pinball_seed_sd",
        "lstm_quantile_vs_garch_skewt.pinball_gap",
        "lstm_quantile_vs_garch_skewt.share_seeds_better",
    ],
)
