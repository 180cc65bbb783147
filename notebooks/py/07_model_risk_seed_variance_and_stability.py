# %% [markdown] tags=[]
# # 07 · Model risk: seed variance and stability over time
#
# **Question.** Is a deep model's advantage over its classical benchmark larger than the noise of training it?
# And does it hold from one year to the next? These are the questions of a model validator (SR 11-7:
# conceptual soundness, outcomes analysis, benchmarking), asked with parameter sweeps of the other notebooks.
#
# **Data and models.** Notebook 02 (deep VaR/ES vs GARCH-skew-t on S&P 500) rerun over seeds and over one-year
# test windows, notebook 01 (LSTM price forecast vs random walk) rerun over seeds, and the seed spread of
# notebook 08's model families in a quick rerun, all with `finrisk_utils.workbench.sweep.sweeps` (several sweeps in one call
# of the engine behind `finrisk sweep`: papermill runs on a local Dask cluster, each sweep's results collected into
# one table). In the full profile
# the 02 reruns use the networks notebook 02 reports (the settings its committed full run selected, full size,
# full epoch budget with early stopping); the quick profile uses 02's quick networks. Notebook 01 is rerun in
# the same profile as this notebook (quick: its tiny LSTM and 3 epochs). In the seed reruns the baselines are
# identical (section 1 checks it), so any spread is the networks'. The deep model is tested as a seed ensemble (the mean VaR and ES
# over the seeds in its ensemble) with the shared protocol, and the spread over seeds is shown beside it.
#
# **Runtime** (2 CPU cores): 821 s in the full profile (six full-size reruns of 02, four test years, six of 01, one quick run of 08) at the last render, beside the full renders of 06 and 02; 170 s in the quick profile (2 seeds, 2 test years, the quick networks) in a fresh-clone `make run` (2 workers, every notebook, this round).

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick": 2 seeds and 2 test years (CI); "full": 6 seeds and 4 test years
output_dir = None  # where metrics.json, figures and the sweeps' folders go (None: runs/interactive/<notebook>)
n_seeds = 0  # reruns per notebook; 0: by profile (quick 2, full 6)
workers = 2  # Dask worker processes

# %% tags=[]
import logging
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from finrisk_utils import record_metrics, setup
from finrisk_utils.core import NOTEBOOKS_DIR, by_profile, save_figure
from finrisk_utils.forecasting import relative_spread_reading, seed_membership, seed_ratio_reading
from finrisk_utils.market import (
    baseline_rerun_reading,
    committed_specs,
    compare_var_losses,
    comparison_metrics,
    comparison_table,
    comparison_text,
    seed_ensemble_backtests,
    seed_ensemble_reading,
    seed_ensemble_return_comparison,
    seed_year_reading,
    yearly_reading,
)
from finrisk_utils.workbench import resolve_output_dir
from finrisk_utils.workbench.sweep import SweepPlan, metric, print_progress, sweeps

setup(seed)
logging.getLogger("distributed").setLevel(
    logging.ERROR
)  # Dask's worker-shutdown chatter is not a result
out = resolve_output_dir(output_dir, "07_model_risk_seed_variance_and_stability")
n_seeds = n_seeds or by_profile(profile, quick=2, full=6)
years = by_profile(profile, quick=[2017, 2018], full=[2015, 2016, 2017, 2018])
var_notebook = NOTEBOOKS_DIR / "02_market_risk_var_es_deep_quantile.ipynb"
price_notebook = NOTEBOOKS_DIR / "01_market_risk_price_forecasting_lstm.ipynb"
bakeoff_notebook = NOTEBOOKS_DIR / "08_model_families_volatility_bakeoff.ipynb"
specs_02 = (  # full: the networks 02's committed full run selected; quick: 02's quick networks
    committed_specs(var_notebook)
    if profile == "full"
    else "lstm_quantile:ewma:20,cnn_quantile:ewma:20"
)
fixed_02 = {"specs": specs_02, "portfolio": "", "stress_windows": "", "es_confidence": 0.0}
nets = ["lstm_quantile", "cnn_quantile"]
pd.set_option("display.precision", 4)
pd.set_option("display.width", 200)

# %% [markdown] tags=[]
# ## The reruns
#
# Every rerun this notebook reads is made here, in one engine call (`sweeps`): notebook 08 once, notebook 02 over
# seeds and over one-year test windows, notebook 01 over seeds. All of them are tasks for the same `workers`
# processes, which take the next run as soon as they are free, so the runs of a short sweep fill the gaps a long
# one leaves. The single run of notebook 08 starts first, so that it does not finish alone at the
# end. Each sweep keeps its own folder and results table, read in the
# sections below.

# %% tags=[]
seeds = list(range(n_seeds))
plans = [
    SweepPlan(  # one run: this seed, horizons [1], always 08's quick profile
        bakeoff_notebook,
        {"seed": [seed], "horizon": [[1]]},
        Path(out) / "sweep_08_quick",
        profile="quick",
    ),
    SweepPlan(
        var_notebook,
        {"seed": seeds, **{k: [v] for k, v in fixed_02.items()}},
        Path(out) / "sweep_02_seeds",
        profile,
    ),
    SweepPlan(
        var_notebook,
        [
            {"test_start": f"{y}-01-01", "test_end": f"{y}-12-31", "seed": seed, **fixed_02}
            for y in years
        ],
        Path(out) / "sweep_02_years",
        profile,
    ),
    SweepPlan(  # 01 runs in this notebook's profile
        price_notebook, {"seed": seeds}, Path(out) / f"sweep_01_seeds_{profile}", profile
    ),
]
bake, var_runs, window_runs, price_runs = sweeps(plans, workers=workers, progress=print_progress)
for table in [var_runs, window_runs, price_runs]:
    assert (table["status"] == "ok").all(), table.loc[table["status"] != "ok", "error"].tolist()

# %% [markdown] tags=[]
# ## 1. Seed variance of deep VaR (notebook 02)
#
# The same data, split and settings; only the seed changes (network initialisation and batch order).

# %% tags=[]
sizes = ", ".join(  # each network's width and epoch budget, as its reruns recorded them
    f"{m} width {int(metric(var_runs, f'{m}.units').iloc[0])} and up to "
    f"{int(metric(var_runs, f'{m}.max_epochs').iloc[0])} epochs"
    for m in nets
)
display(
    Markdown(
        f"Configuration swept ({profile} profile): `{specs_02}` (network:input scheme:window); {sizes}"
        " (width: LSTM units or CNN filters), with early stopping"
        + (
            ", the networks notebook 02's committed full run selected and reports."
            if profile == "full"
            else ", notebook 02's quick networks (not the configuration 02 reports)."
        )
        + " Trained (beat on validation, after the first epoch, the better of two constant forecasts: the"
        " quantile/ES of its own targets and the unconditional VaR/ES of the returns) in "
        + "; ".join(
            f"{m}: {int(metric(var_runs, f'{m}.trained').sum())}/{len(var_runs)} seeds"
            for m in nets
        )
        + "."
    )
)

# %% [markdown] tags=[]
# The seed ensemble's forecast (mean VaR and mean ES over the seeds) is what a validator should test against
# GARCH-skew-t: the protocol of notebook 02 (DM with HAC variance and HLN correction on per-day pinball and FZ0
# losses, Holm over the family, MCS over the models that trained). The ensemble follows the workbench's one membership rule
# (`seed_membership`, the same in notebooks 07 and 09): a network counts as trained when more than half of its
# seeds trained on validation, and its ensemble is then the mean of those seeds; otherwise the ensemble of every
# seed is labelled untrained and not interpreted. The seed spread of each network's own losses, over the seeds
# in its ensemble, sits beside it; p-values are never summarised over seeds.

# %% tags=[]
by_seed_02 = var_runs.sort_values("seed")
run_dirs = [Path(p).parent for p in by_seed_02["output_notebook"]]
trained_02 = {m: metric(by_seed_02, f"{m}.trained").astype(bool).tolist() for m in nets}
ens_02 = seed_ensemble_backtests(run_dirs, 0.99, nets, trained_02)
ens_comp = compare_var_losses(ens_02.results, "garch_skewt", trained=ens_02.trained, seed=seed)
display(
    Markdown(
        f"**Seed ensembles of {n_seeds} seeds against GARCH-skew-t** ({ens_02.describe()}).\n\n"
        + comparison_text(ens_comp, nets)
    )
)
per_seed, spread = ens_02.per_seed, ens_02.spread()
baselines = [r.name for r in ens_02.results if r.name not in nets]
rerun_losses = pd.DataFrame(
    {f"{b}.{k}": metric(var_runs, f"{b}.{k}") for b in baselines for k in ["pinball", "fz0"]}
)
pinball_of = ens_comp["pinball"].table.set_index("model")["mean_loss"]
display(Markdown(baseline_rerun_reading(rerun_losses, pinball_of.loc[baselines])))
display(comparison_table(ens_comp))
spread

# %% [markdown] tags=[]
# ## 2. Stability over time: one-year test windows (notebook 02)
#
# Each rerun trains on everything before its test year (the two years before it validate) and forecasts that year
# only. A model validator looks for a model that is good in some years and bad in others: its average hides a
# risk. With about 250 days and 2.5 expected exceptions at 99% per year, single years are noisy. Each year is one
# rerun under this notebook's `seed`, not a seed ensemble: a network's gap to GARCH-skew-t in one year carries
# seed noise as well, which is not measured year by year here (section 1 measures the seed spread of the four-year
# mean loss; over one year it is likely larger), so a year on either side of the benchmark by a small margin says
# little. The years are those of the default test window, 2015–2018; the stress periods (2008–2009 and 2002) are
# tested in notebook 02's stress sections, not rerun here.

# %% tags=[]
keys = [f"{m}.{k}" for m in ["garch_skewt", *nets] for k in ["pinball", "exceptions"]]
keys += [f"{m}.trained" for m in nets] + [
    f"{m}_vs_garch_skewt.pinball_dm_pvalue_holm" for m in nets
]
by_year = pd.DataFrame(
    {k: metric(window_runs, k).to_numpy() for k in keys},
    index=pd.Index(window_runs["test_start"].str[:4], name="test year"),
).sort_index()
display(Markdown(yearly_reading(by_year, nets)))
by_year

# %% [markdown] tags=[]
# ## 3. Seed variance of the LSTM price forecast (notebook 01)

# %% tags=[]
ratio = (metric(price_runs, "lstm.rmse") / metric(price_runs, "random_walk.rmse")).set_axis(
    price_runs["seed"]
)
trained_01 = metric(price_runs, "lstm.trained").astype(bool).set_axis(price_runs["seed"])
in_price_ensemble = list(seed_membership(trained_01.tolist()).members)
display(
    Markdown(
        seed_ratio_reading(ratio, trained_01, model="LSTM", benchmark="random-walk", metric="RMSE")
    )
)

# %% [markdown] tags=[]
# As for the VaR networks, the forecast to test is the seed ensemble, by the same membership rule: where more
# than half of the seeds trained, the mean of the LSTM return forecasts of those seeds (each rerun writes its
# forecasts; whether a seed trained is decided on validation data, so the choice does not look at the test
# period); otherwise the ensemble of all seeds, labelled untrained and not interpreted. It is tested against the random walk with notebook 01's tests (DM with
# HAC variance and HLN; Clark–West, as the random walk is nested in the network) and an MCS over these two
# forecasts; each family holds one test, so the Holm p-value is the raw one. The per-seed ratios above, of the
# seeds in the ensemble, are its spread. In the table, `ratio` is the ratio of mean squared errors (the text gives its square root, the RMSE
# ratio).

# %% tags=[]
price_dirs = [Path(p).parent for p in price_runs.sort_values("seed")["output_notebook"]]
price_ens = seed_ensemble_return_comparison(
    price_dirs, "lstm", trained_01.sort_index().tolist(), seed=seed
)
display(
    Markdown(
        f"**Seed ensemble of the LSTM against the random walk** "
        f"({seed_membership(trained_01.sort_index().tolist()).describe()}). "
        + price_ens.verdict_text()
    )
)
price_ens.table[["trained", "ratio", "dm_pvalue", "pvalue_holm", "cw_pvalue", "in_mcs", "verdict"]]

# %% [markdown] tags=[]
# ## 4. Seed spread of notebook 08's model families
#
# Notebook 08 refits every family with several seeds and reports the RMSE's mean and standard deviation over
# seeds. To keep this notebook cheap it reruns 08 once in its quick profile (tiny networks, few epochs, two seeds) at the
# 1-day horizon only, the one read here, and reads those metrics. Tiny networks stopped by a three-epoch budget
# are not 08's full-size families: their spread can be larger or smaller than the one 08's full run reports, so
# it shows how much a family can move with its seed, not what 08's committed numbers carry. It is set beside 02's
# networks' relative spread (a different loss and target: an order of magnitude, not a comparison).

# %% tags=[]
families = ["rnn", "lstm", "gru", "cnn", "dense_har", "ae_features"]
if (bake["status"] == "ok").all():
    fam = pd.DataFrame(
        {
            f: {
                "rmse_h1": metric(bake, f"{f}.rmse_h1").iloc[0],
                "rmse_seed_sd_h1": metric(bake, f"{f}.rmse_seed_std_h1").iloc[0],
            }
            for f in families
        }
    ).T
    fam["relative_sd"] = fam["rmse_seed_sd_h1"] / fam["rmse_h1"]
    fam["trained_share"] = [float(metric(bake, f"{f}.trained_share").iloc[0]) for f in families]
    pinball = spread.loc[[f"{m}.pinball" for m in nets]].set_axis(nets)
    rel_02 = (pinball["std"] / pinball["mean"]).to_frame("relative_sd")
    display(
        Markdown(
            relative_spread_reading(
                {
                    "08's families (quick profile; seed sd of the RMSE at h = 1 / the ensemble's RMSE)": fam,
                    "02's networks (seed sd / mean of the pinball loss over seeds)": rel_02,
                }
            )
        )
    )
    display(fam)
else:
    display(
        Markdown(
            f"Notebook 08's quick run failed ({bake['error'].iloc[0]}); its seed spread is not shown."
        )
    )

# %% tags=[]
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
in_ensemble = ens_02.member_losses().notna()
for i, name in enumerate(
    nets
):  # one colour per network: its seeds (o: in the ensemble) and the ensemble (dotted)
    for kept, marker, what in [
        (True, "o", "seeds in the ensemble"),
        (False, "x", "untrained seeds"),
    ]:
        rows = in_ensemble[f"{name}.pinball"] == kept
        if rows.any():
            axes[0].scatter(
                per_seed.index[rows],
                per_seed.loc[rows, f"{name}.pinball"],
                color=f"C{i}",
                marker=marker,
                label=f"{name} ({what})",
            )
    axes[0].axhline(
        ens_comp["pinball"].table.set_index("model").loc[name, "mean_loss"],
        color=f"C{i}",
        ls=":",
        lw=1,
    )
axes[0].axhline(
    ens_comp["pinball"].table.set_index("model").loc["garch_skewt", "mean_loss"],
    color="k",
    ls="--",
    lw=1,
    label="garch_skewt",
)
axes[0].set(
    title="Pinball loss by seed; dotted: seed ensemble (02)",
    xlabel="seed",
    ylabel="mean pinball loss (% return)",
)
axes[0].legend(fontsize=8)
yearly = by_year[[f"{m}.pinball" for m in ["garch_skewt", *nets]]]
for col in yearly:
    axes[1].plot(yearly.index, yearly[col], marker="o", label=col.split(".")[0])
axes[1].set(
    title="Pinball loss by test year (02)",
    xlabel="test year",
    ylabel="mean pinball loss (% return)",
)
axes[1].legend(fontsize=8)
for flag, marker, label in [(True, "o", "trained"), (False, "x", "untrained")]:
    axes[2].scatter(
        ratio.index[trained_01 == flag],
        ratio[trained_01 == flag],
        marker=marker,
        label=label,
    )
axes[2].axhline(1, color="k", ls="--", lw=1, label="random walk")
axes[2].axhline(
    price_ens.table.loc["lstm", "ratio"] ** 0.5,
    color="grey",
    ls=":",
    lw=1.5,
    label="seed ensemble"
    + ("" if seed_membership(trained_01.tolist()).trained else " (untrained)"),
)
axes[2].set(
    title="LSTM RMSE / random walk by seed; dotted: seed ensemble (01)",
    xlabel="seed",
    ylabel="RMSE ratio",
)
axes[2].legend(fontsize=8)
fig.tight_layout()
save_figure(fig, out, "model_risk")

# %% [markdown] tags=[]
# ## What a validator concludes
#
# Training a network is itself a random experiment. Where the seed-to-seed spread is of the same order as the gap
# to the benchmark, a single run cannot tell whether the network is better or worse than GARCH; the ensemble is
# the forecast to test and the spread is part of the model's risk. The classical models do not have this risk:
# every seed rerun reproduces them exactly (section 1 checks it). The reading below is computed from the sweeps.

# %% tags=[]
ens = ens_comp["pinball"].table.set_index("model")
display(
    Markdown(
        seed_year_reading(ens, ens_02.member_losses(), by_year, nets)
        + "\n"
        + seed_ensemble_reading(
            price_ens, ratio, trained_01, label="Notebook 01's LSTM return forecast"
        )
    )
)

# %% [markdown] tags=[]
# ## Exercises
#
# 1. **(recall)** Which parts of notebook 02's study change when only `seed` changes, and which cannot? Check it:
#    compute GARCH-skew-t's VaR on 2015–2018 after `setup(0)` and after `setup(1)`.
# 2. **(apply)** Stability over time without a sweep: average the classical models' per-day pinball losses
#    (`backtest_var(...).pinball_losses`) over each test year of 2015–2018. In how many years does each have a
#    lower mean pinball loss than GARCH-skew-t (a point estimate, not a test), and what does a model that is lower
#    in some years and higher in others mean for a validator?
# 3. **(apply)** Measure the seed spread (`seed_spread`) of a small version of notebook 01's LSTM (window 5,
#    4 units, 2 epochs) over three seeds. How large is it against the gap between the LSTM and the random walk?
# 4. **(extend)** Test the seed ensemble (`seed_ensemble`) of those three LSTMs against the random walk with the
#    shared protocol, the spread beside it. Why can the ensemble's mean squared error never exceed the seeds'
#    average, and why is testing each seed and summarising the p-values wrong?
#
# Worked solutions: `solutions/07_model_risk_seed_variance_and_stability_solutions.ipynb`.

# %% tags=[]
metrics = {
    "run.n_seeds": n_seeds,
    "run.n_windows": len(years),
    # over the seeds in the ensemble (every seed where the LSTM counts as untrained)
    "lstm_vs_random_walk.rmse_ratio_seed_mean": float(ratio[in_price_ensemble].mean()),
    "lstm_vs_random_walk.rmse_ratio_seed_std": float(ratio[in_price_ensemble].std()),
    "lstm.trained_seed_share": float(trained_01.mean()),
    "garch_skewt.pinball": float(ens.loc["garch_skewt", "mean_loss"]),
}
metrics |= comparison_metrics(ens_comp, suffix="_ensemble")
metrics |= {f"{k}_ensemble": v for k, v in price_ens.metrics().items()}
for m in nets:
    pair = f"{m}_vs_garch_skewt"
    metrics |= {
        f"{m}.trained": int(
            ens_02.trained[m]
        ),  # the ensemble's label (more than half of the seeds)
        f"{m}.pinball_ensemble": float(ens.loc[m, "mean_loss"]),
        f"{m}.pinball_seed_mean": float(spread.loc[f"{m}.pinball", "mean"]),
        f"{m}.pinball_seed_sd": float(spread.loc[f"{m}.pinball", "std"]),
        f"{m}.exceptions_seed_sd": float(spread.loc[f"{m}.exceptions", "std"]),
        f"{m}.trained_seed_share": float(metric(var_runs, f"{m}.trained").mean()),
        f"{m}.max_epochs": int(
            metric(var_runs, f"{m}.max_epochs").max()
        ),  # the reruns' epoch budget
        f"{pair}.pinball_gap_ensemble": float(
            ens.loc[m, "mean_loss"] - ens.loc["garch_skewt", "mean_loss"]
        ),
        f"{pair}.share_seeds_better": float(
            (
                ens_02.member_losses()[f"{m}.pinball"].dropna()
                < ens.loc["garch_skewt", "mean_loss"]
            ).mean()
        ),
        f"{pair}.share_windows_better": float(
            (by_year[f"{m}.pinball"] < by_year["garch_skewt.pinball"]).mean()
        ),
    }
    metrics |= {f"{m}.pinball_{y}": float(by_year.loc[y, f"{m}.pinball"]) for y in by_year.index}
metrics |= {
    f"garch_skewt.pinball_{y}": float(by_year.loc[y, "garch_skewt.pinball"]) for y in by_year.index
}
record_metrics(
    metrics,
    out,
    headline=[
        "lstm_quantile.pinball_seed_sd",
        "lstm_quantile.pinball_ensemble",
        "lstm_quantile_vs_garch_skewt.pinball_dm_pvalue_holm_ensemble",
        "lstm_quantile_vs_garch_skewt.share_seeds_better",
    ],
)
