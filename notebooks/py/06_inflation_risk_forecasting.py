# %% [markdown] tags=[]
# # 06 · Inflation risk: can networks beat "next year = last year"?
#
# **Question.** Do recurrent or convolutional networks forecast US core inflation better than the Atkeson–Ohanian
# random walk and an autoregression?
#
# **Data.** `core_cpi` (monthly US CPI less food and energy, 1957–2018); the target is year-on-year (log)
# inflation, $100\ln(P_t/P_{t-12})$, 1, 3 and 12 months ahead. Macro covariates for the "with covariates" networks:
# the one-month T-bill rate (`fama_french`, annualised), the BAA–AAA credit spread and the AAA–T-bill term spread
# (`corporate_yields`), all monthly and known at the forecast date. `us_macro` (quarterly) ends in 2009, before the
# end of the evaluation, so it is only used to cross-check the CPI series.
# **Evaluation.** Rolling origins, monthly from `test_start` (1990) to `test_end` (2017), every model re-estimated on
# data up to the origin only.
#
# **Models.** An LSTM and a 1-D CNN (causal, dilated convolutions), each direct multi-horizon (one network forecasts
# the change of inflation at all horizons), with and without the covariates, re-estimated every `refit_every`
# months. **Baselines.** Atkeson–Ohanian (AO: the forecast is today's year-on-year rate, i.e. the random walk,
# `random_walk` in tables and metrics), a direct AR(12) re-estimated
# at every origin, and a seasonal ARIMA on monthly inflation. **Tests.** RMSE and MAE per horizon; per horizon the
# shared protocol (`compare_forecasts`): Diebold–Mariano against AO (Bartlett HAC, HLN), Holm over every
# model-vs-AO test in the table, the Model Confidence Set over all models; the coverage of the SARIMA's forecast
# intervals, and a fan chart. The "best network" is chosen on validation data before the first origin only.
#
# **Runtime** (2 CPU cores heavily shared with other jobs, at the last render): 2515 s (about 42 minutes) in the
# full profile; the quick profile took over 20 minutes under the same load. On free cores expect a fraction of that.

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick": same data, tiny nets, few epochs, one estimation (CI); "full": the teaching run
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
test_start = "1990-01-01"  # first forecast origin
test_end = "2017-11-01"  # last forecast origin (the 12-month target of the last origin must be in the data)
horizons = [1, 3, 12]  # months ahead: an int or a list
ar_lags = 12  # lags of the direct AR benchmark
window = 24  # months of history per network sample
refit_every = (
    0  # months between re-estimations of the networks; 0: by profile (quick: once, full: 60)
)
epochs = 0  # 0: by profile (quick 5, full 300); early stopping picks the epoch
units = 0  # 0: by profile (quick 4, full 16)
sarima_paths = (
    0  # simulated paths per origin for the SARIMA's quantiles; 0: by profile (quick 100, full 500)
)

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from finrisk_utils import record_metrics, setup
from finrisk_utils.core import by_profile, save_figure
from finrisk_utils.data import load
from finrisk_utils.forecasting import (
    DirectNetSpec,
    compare_forecasts,
    comparison_table,
    direct_ar_forecast,
    direct_deep_forecast,
    forecasts_by_horizon,
    holm_across,
    horizon_metrics,
    horizon_table,
    interval_coverage,
    no_change_forecast,
    pooled_squared_errors,
)
from finrisk_utils.inflation import (
    choose_on_validation,
    coverage_reading,
    monthly_inflation,
    sarima_yoy_fan,
    sarima_yoy_forecast,
    yoy_change,
)
from finrisk_utils.models import plot_training
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
horizons = sorted([horizons] if isinstance(horizons, int) else horizons)
epochs = epochs or by_profile(profile, quick=5, full=300)
units = units or by_profile(profile, quick=4, full=16)
refit_every = refit_every or by_profile(profile, quick=0, full=60)
sarima_paths = sarima_paths or by_profile(profile, quick=100, full=500)
out = resolve_output_dir(output_dir)
pd.set_option("display.precision", 4)

# %% [markdown] tags=[]
# ## Data
#
# Year-on-year log inflation is the sum of the last twelve monthly log changes, so it is smooth and persistent:
# the reason "next year = last year" is hard to beat. The quarterly `us_macro` CPI (all items) is shown for
# comparison; it moves with core inflation but swings more, with food and energy.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
cpi = load("core_cpi")["core_cpi"]
yoy = yoy_change(cpi).rename("yoy")
monthly = monthly_inflation(cpi)
macro = load("us_macro")
headline_q = yoy_change(macro["cpi"], periods=4)
core_q = yoy.resample("QS").last().reindex(headline_q.index).dropna()
print(
    f"core CPI: {len(cpi)} months, {cpi.index[0]:%Y-%m} to {cpi.index[-1]:%Y-%m}; year-on-year from {yoy.index[0]:%Y-%m}"
)
print(
    f"correlation of core with all-items year-on-year inflation (us_macro, {len(core_q)} quarters): "
    f"{np.corrcoef(core_q, headline_q.loc[core_q.index])[0, 1]:.3f}"
)
pd.DataFrame({"yoy (%)": yoy.describe(), "monthly (%)": monthly.describe()}).T.round(3)

# %% tags=[]
# NBVAL_CHECK_OUTPUT
ff, corp = load("fama_french"), load("corporate_yields")
covariates = pd.DataFrame(
    {
        "tbill": 12 * ff["rf"],
        "credit_spread": corp["baa"] - corp["aaa"],
        "term_spread": corp["aaa"] - 12 * ff["rf"],
    }
)
features = pd.concat([yoy, monthly, covariates], axis=1, join="inner").dropna()
print(
    f"network inputs: {features.shape[1]} columns, {features.index[0]:%Y-%m} to {features.index[-1]:%Y-%m}"
)
features.corr().round(2)

# %% tags=[]
fig, ax = plt.subplots(figsize=(12, 3.8))
yoy.plot(ax=ax, label="core, year-on-year (%)", color="k")
headline_q.plot(ax=ax, label="all items (us_macro, quarterly)", lw=1, alpha=0.7)
ax.axvspan(
    pd.Timestamp(test_start),
    pd.Timestamp(test_end),
    color="grey",
    alpha=0.15,
    label="forecast origins",
)
ax.set(title="US inflation", ylabel="%")
ax.legend()
save_figure(fig, out, "inflation")

# %% [markdown] tags=[]
# ## Benchmarks: Atkeson–Ohanian, direct AR(12), SARIMA
#
# The forecast origins are the months from `test_start` to `test_end`; the target of origin $t$ at horizon $h$ is
# year-on-year inflation in month $t+h$. The direct AR(12) regresses $\pi_{t+h}$ on $\pi_t,\dots,\pi_{t-11}$ and a
# constant by OLS, re-estimated at each origin on the pairs whose target was already known. The SARIMA
# $(1,1,1)\times(0,0,1)_{12}$ models *monthly* inflation and its forecasts are summed back to a year-on-year rate;
# its parameters are re-estimated every 12 months. Its order is a setting of this notebook, not tuned here (nor
# shown to be chosen on pre-1990 data). The benchmarks do not depend on training, so their test-period figures are pinned by the
# notebook's test (`tests/test_notebooks.py`).

# %% tags=[]
origins = yoy.index[(yoy.index >= test_start) & (yoy.index <= test_end)]
sarima = sarima_yoy_forecast(
    cpi, origins, horizons, refit_every=12, n_paths=sarima_paths, seed=seed
)
print(
    f"{len(origins)} origins {origins[0]:%Y-%m} .. {origins[-1]:%Y-%m}; SARIMA: {sarima.n_fits} estimations, "
    f"{sarima.n_warnings} estimation warnings"
)
ar_name = f"ar{ar_lags}"  # "ar12" by default
forecasts = forecasts_by_horizon(
    {
        "random_walk": lambda o, h: no_change_forecast(yoy, o, h),
        ar_name: lambda o, h: direct_ar_forecast(yoy, o, h, lags=ar_lags),
        "sarima": lambda o, h: sarima.mean[h],
    },
    yoy.index,
    origins,
    horizons,
    columns=["yoy"],
)
benchmarks = horizon_table(yoy.to_frame(), forecasts, benchmark="random_walk")
benchmarks.pivot_table(
    index="model", columns="horizon", values=["rmse", "mae", "dm_pvalue"], sort=False
)

# %% [markdown] tags=[]
# ## The networks
#
# Each network sees the last `window` months of its inputs (year-on-year and monthly inflation; plus the three
# rates in the "macro" variants) and outputs the *change* of year-on-year inflation at 1, 3 and 12 months: a
# zero output is the AO forecast, so the network starts from the benchmark and must learn to depart from it.
# Scalers and weights are fitted on data before each re-estimation date; the newest 36 training samples stop
# training early, with an embargo of 11 origins (the longest horizon minus one) between them and the training
# samples, so that no training target falls inside the validation block. A re-estimation counts as trained only
# if its kept weights beat a constant (the mean training change) on that block; a network is labelled untrained
# (and not interpreted) unless all its re-estimations trained. All four networks share targets, scaling and
# validation blocks, so their validation losses are comparable: the "best network" is the one with the lowest
# validation loss at the first estimation, whose validation block ends before the first forecast origin.

# %% tags=[]
inflation_only = features[["yoy", "monthly_inflation"]]
variants = {
    "lstm": (inflation_only, "lstm"),
    "cnn": (inflation_only, "cnn"),
    "lstm_macro": (features, "lstm"),
    "cnn_macro": (features, "cnn"),
}
nets = {}
for name, (inputs, kind) in variants.items():
    spec = DirectNetSpec(
        kind=kind, window=window, units=units, epochs=epochs, patience=20, refit_every=refit_every
    )
    nets[name] = direct_deep_forecast(
        inputs, yoy.loc[inputs.index].to_frame(), origins, horizons, spec
    )
    print(f"{nets[name].n_params:5d} weights; {nets[name].training_text(name)}")
    forecasts[name] = nets[name].forecasts
trained = {name: net.trained_share == 1.0 for name, net in nets.items()}
best_net, selection = choose_on_validation(nets)
print(f"chosen on validation (first estimation): {best_net}")
display(selection)
fig = plot_training(nets["lstm"].fits[-1], title="LSTM, last estimation: MSE on scaled changes")
save_figure(fig, out, "training")

# %% [markdown] tags=[]
# ## Evaluation
#
# RMSE and MAE in percentage points of year-on-year inflation; `rmse_ratio` is relative to AO (< 1: better);
# the Diebold–Mariano test (squared errors, long-run variance over $h-1$ lags, Harvey–Leybourne–Newbold
# correction) is against AO, Holm-adjusted over every test of a trained model in the table (all horizons; an untrained network is shown, not adjusted, not interpreted); the MCS (10%,
# squared errors) is over all models per horizon. The 12-month forecasts of adjacent origins overlap by 11 months,
# so they are far from as many independent trials as there are origins.

# %% tags=[]
table = horizon_table(yoy.to_frame(), forecasts, benchmark="random_walk")
results = holm_across(
    {
        h: compare_forecasts(
            pooled_squared_errors(yoy.to_frame(), {m: f[h] for m, f in forecasts.items()}),
            "random_walk",
            horizon=h,
            trained=trained,
            seed=seed,
        )
        for h in horizons
    }
)
verdicts = comparison_table(results).join(table.set_index(["horizon", "model"])[["rmse", "mae"]])
verdicts.round(3)

# %% tags=[]
h = max(horizons)
fig, ax = plt.subplots(figsize=(12, 4))
actual = yoy.loc[forecasts["random_walk"][h].index]
actual.plot(ax=ax, color="k", lw=2, label="actual")
for name in ["random_walk", ar_name, "sarima", *([best_net] if best_net else [])]:
    forecasts[name][h]["yoy"].plot(ax=ax, lw=1, label=name)
ax.set(
    title=f"Year-on-year core inflation and its {h}-month-ahead forecasts (plotted at the target date)",
    ylabel="%",
)
ax.legend(ncol=3)
save_figure(fig, out, "forecasts")

# %% [markdown] tags=[]
# ## Forecast uncertainty: SARIMA quantiles and a fan chart
#
# The SARIMA gives a whole forecast distribution (here from simulated paths). If it is calibrated, its central 80%
# interval should contain the outcome 80% of the time. The model's error variance is estimated on data back to 1957,
# including the volatile 1970s; after the Great Moderation the same variance may be too large, and the intervals
# then come out too wide: a reminder that a forecast distribution is only as good as its variance model.

# %% tags=[]
coverage = {h: interval_coverage(yoy, q[0.1], q[0.9]) for h, q in sarima.quantiles.items()}
display(Markdown(coverage_reading(coverage, {h: len(q) for h, q in sarima.quantiles.items()})))
width = {h: float((q[0.9] - q[0.1]).mean()) for h, q in sarima.quantiles.items()}
print(
    "SARIMA central 80% interval: coverage",
    {h: round(c, 3) for h, c in coverage.items()},
    "| mean width (pp)",
    {h: round(w, 3) for h, w in width.items()},
)
fan = sarima_yoy_fan(cpi, cpi.index[-1], steps=24, seed=seed)
fig, ax = plt.subplots(figsize=(12, 4))
yoy[yoy.index >= "2012-01-01"].plot(ax=ax, color="k", label="actual")
for lo, hi, alpha in [(0.05, 0.95, 0.15), (0.1, 0.9, 0.25), (0.25, 0.75, 0.4)]:
    ax.fill_between(
        fan.index, fan[lo], fan[hi], color="C0", alpha=alpha, lw=0, label=f"{lo:.0%}-{hi:.0%}"
    )
fan["mean"].plot(ax=ax, color="C0", label="SARIMA mean")
ax.set(
    title=f"Fan chart: SARIMA year-on-year core inflation forecast from {cpi.index[-1]:%Y-%m}",
    ylabel="%",
)
ax.legend(ncol=5)
save_figure(fig, out, "fan_chart")

# %% [markdown] tags=[]
# ## Conclusion
#
# The verdicts below are computed from this run's table. The literature's finding (Atkeson and Ohanian 2001; Stock
# and Watson 2007) is that since the mid-1980s few models beat "next year = last year" for US inflation a year
# ahead; a direct AR(12) estimated on a sample that includes the 1970s expects mean reversion to a level
# inflation no longer had. The networks, which start from the AO forecast and must learn departures from it, have
# little to learn from: one sample a month, heavily overlapping targets, and a regime change in the middle of the
# training data. Covariates are not a free lunch either: interest rates and spreads shifted regime too (the zero
# lower bound after 2008). At short horizons the SARIMA, which models *monthly* inflation, has a structural
# advantage: eleven of the twelve months in next month's year-on-year rate are already known, so the forecast is
# really a forecast of one monthly rate.

# %% tags=[]
lines = [nets[name].training_text(name) for name in nets]
lines.append(
    f"Chosen on validation before the first origin: {best_net}."
    if best_net
    else "No network trained at its first estimation, so none is chosen."
)
lines += [f"**h = {h}.** {r.verdict_text()}" for h, r in results.items()]
display(Markdown("\n\n".join(lines)))

# %% tags=[]
metrics = {
    "run.n_origins": len(origins),
    "run.window": window,
    "sarima.n_warnings": sarima.n_warnings,
}
metrics |= {
    k: v for k, v in horizon_metrics(table, "random_walk").items() if ".dm_pvalue_" not in k
}
for r in results.values():
    metrics |= r.metrics()
for name, net in nets.items():
    metrics |= {
        f"{name}.trained": int(trained[name]),
        f"{name}.trained_share": net.trained_share,
        f"{name}.best_epoch": net.fits[-1].best_epoch,
        f"{name}.chosen_on_validation": int(name == best_net),
    }
metrics |= {f"sarima.coverage80_h{h}": c for h, c in coverage.items()}
metrics |= {f"{name}.params": net.n_params for name, net in nets.items()}
record_metrics(
    metrics,
    out,
    headline=[
        f"{m}.rmse_h{max(horizons)}" for m in ["random_walk", ar_name, "sarima", "lstm", "cnn"]
    ],
)
