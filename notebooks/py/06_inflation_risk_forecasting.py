# %% [markdown] tags=[]
# # 06 · Inflation risk: can networks beat "next year = last year"?
#
# **Question.** Do recurrent or convolutional networks forecast US core inflation better than the Atkeson–Ohanian
# random walk and an autoregression? And, in the section on inflation expectations: do T-bill rates carry the
# market's expectation of inflation (the Fisher relation; Mishkin 1990), and does a network extract more from
# them than the linear relation?
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
# at every origin, and a seasonal ARIMA on monthly inflation whose order is chosen by AIC on the months up to the
# first origin. **Tests.** RMSE and MAE per horizon; per horizon the
# shared protocol (`compare_forecasts`): Diebold–Mariano against AO (Bartlett HAC, HLN), Holm over the trained
# models' tests against AO in the table (an untrained network is shown with its unadjusted p-values, not interpreted), the Model Confidence Set
# over every model that trained; the coverage of the SARIMA's forecast
# intervals, and a fan chart. The "best network" is chosen on validation data before the first origin only.
#
# **Inflation expectations** (a section of its own). Data `inflation_expectations` (Mishkin's monthly 1- and
# 3-month T-bill rates and the inflation over the bills' life, 1950–1990). The Fisher and Mishkin regressions
# with Newey–West standard errors in three periods; out of sample from `expectations_test_start` (1980), forecasts
# of inflation over a 1- and a 3-month bill's life: no change (`random_walk`), a direct AR(12), the
# T-bill-implied forecast (`tbill_implied`), the linear model on the network's inputs (`linear_tbill`) and an
# LSTM on T-bill rates and past inflation (`lstm_tbill`, seed ensemble); DM (HAC, HLN) against no change,
# Clark–West for the nested models, the LSTM against the linear model, Holm over the trained models' tests, MCS over the trained models.
#
# **Runtime** (2 CPU cores): 741 s in the full profile at the last render, beside the full render of 07; 41 s in the quick profile in a fresh-clone `make run` (2 workers, every notebook, this round).

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
sarima_refit_every = 0  # origins between SARIMA re-estimations; 0: by profile (quick 120, full 12)
expectations_test_start = "1980-01-01"  # inflation-expectations section: first forecast origin
real_rate_window = (
    60  # matured bills whose mean ex-post real rate the T-bill-implied forecast subtracts
)
tbill_windows = [
    12,
    24,
]  # candidate input windows (months) of the T-bill LSTM, chosen on validation
tbill_refit_every = (
    0  # months between re-estimations of the T-bill LSTM; 0: by profile (quick: once, full: 24)
)
n_seeds = 0  # seeds of the T-bill LSTM (seed, seed + 1, ...); 0: by profile (quick 1, full 3)

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from finrisk_utils import record_metrics, setup
from finrisk_utils.core import by_profile, drawn_models, save_figure
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
    nested_inputs,
    no_change_forecast,
    pooled_squared_errors,
    rmse,
    run_family,
    seed_ensemble,
    seed_spread,
)
from finrisk_utils.inflation import (
    bill_panel,
    choose_on_validation,
    coverage_reading,
    expectations_reading,
    fisher_regression,
    mishkin_regression,
    monthly_inflation,
    monthly_to_span,
    ols_direct_forecast,
    sarima_yoy_fan,
    sarima_yoy_forecast,
    select_sarima_order,
    tbill_implied_forecast,
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
sarima_refit_every = sarima_refit_every or by_profile(profile, quick=120, full=12)
tbill_refit_every = tbill_refit_every or by_profile(profile, quick=0, full=24)
seeds = [seed + k for k in range(n_seeds or by_profile(profile, quick=1, full=3))]
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
# $(p,1,q)\times(P,0,Q)_{12}$ models *monthly* inflation and its forecasts are summed back to a year-on-year rate.
# Its order is chosen once, by the Akaike information criterion, among $p, q \in \{0, 1, 2\}$ and
# $P, Q \in \{0, 1\}$ estimated on the months up to the first origin (the data the test period has not
# seen; the differencing $d = 1$ is fixed, as AIC does not compare differently differenced data), and then kept.
# The index is FRED's seasonally adjusted core CPI (CPILFESL), so AIC may well drop the seasonal terms; the
# adjustment factors of the data's final vintage were estimated with later data, a small look-ahead that every
# model here shares.
# Its parameters are re-estimated every `sarima_refit_every` months (12 in the full profile; the quick profile
# re-estimates every 120 months to save time) and the last estimates filter the new data in between. The
# benchmarks do not depend on training, so the notebook's test (`tests/test_notebooks.py`) pins their test-period
# figures on the default data and period: AO's and the AR(12)'s RMSE, and the SARIMA's chosen order and RMSE.

# %% tags=[]
origins = yoy.index[(yoy.index >= test_start) & (yoy.index <= test_end)]
sarima_order = select_sarima_order(cpi, origins[0])
display(Markdown(sarima_order.describe()))
display(sarima_order.table.head(5).round(1))
orders = {"order": sarima_order.order, "seasonal_order": sarima_order.seasonal_order}
sarima = sarima_yoy_forecast(
    cpi,
    origins,
    horizons,
    **orders,
    refit_every=sarima_refit_every,
    n_paths=sarima_paths,
    seed=seed,
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
# if its kept weights beat a constant (the mean training change) on that block and come from an epoch after the
# first; a network is labelled untrained
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
# correction) is against AO, Holm-adjusted over every test of a trained model in the table (all horizons; an untrained network is shown, not adjusted, not interpreted);
# the direct AR(12), which nests AO, is also tested by Clark–West (a Holm family of its own over the horizons),
# and its "significantly better" needs Clark–West (a "significantly worse" comes from DM); the MCS (10%,
# squared errors) is over the trained models per horizon. The 12-month forecasts of adjacent origins overlap by 11 months,
# so they are far from as many independent trials as there are origins.

# %% tags=[]
table = horizon_table(yoy.to_frame(), forecasts, benchmark="random_walk")
nested = {  # the direct AR(12) nests "next year = last year": Clark-West on (actual, AO, AR) per horizon
    h: nested_inputs(yoy, {m: forecasts[m][h]["yoy"] for m in ["random_walk", ar_name]}, "random_walk", [ar_name])
    for h in horizons
}  # fmt: skip
results = holm_across(
    {
        h: compare_forecasts(
            pooled_squared_errors(yoy.to_frame(), {m: f[h] for m, f in forecasts.items()}),
            "random_walk",
            horizon=h,
            nested=nested[h],
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
drawn, not_drawn = drawn_models(
    ["random_walk", ar_name, "sarima", *([best_net] if best_net else [])], trained
)
for name in drawn:
    forecasts[name][h]["yoy"].plot(ax=ax, lw=1, label=name)
ax.set(
    title=f"Year-on-year core inflation and its {h}-month-ahead forecasts (plotted at the target date)"
    + not_drawn,
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
fan = sarima_yoy_fan(cpi, cpi.index[-1], steps=24, **orders, seed=seed)  # the order chosen above
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
# ahead; a direct AR(12) estimated on a sample that includes the 1970s can expect mean reversion to a level
# inflation no longer had. The networks, which start from the AO forecast and must learn departures from it, have
# little to learn from: one sample a month, heavily overlapping targets, and a regime change in the middle of the
# training data; whether they trained at all is stated above, and an untrained network is not read. Covariates
# carry regime shifts of their own (the zero lower bound after 2008). The direct AR(12) nests "next year = last
# year", so it is also tested by Clark–West (Holm over the Clark–West tests of all horizons), which asks whether
# its extra terms carry information once the noise of estimating them is allowed for. At short horizons the SARIMA, which models *monthly* inflation, has a structural
# advantage: eleven of the twelve months in next month's year-on-year rate are already known, so the forecast is
# really a forecast of one monthly rate.

# %% tags=[]
lines = [nets[name].training_text(name) for name in nets]
lines.append(
    f"Chosen on validation before the first origin: {best_net}"
    + ("." if trained[best_net] else " (untrained in a later re-estimation, so not interpreted).")
    if best_net
    else "No network trained at its first estimation, so none is chosen."
)
lines += [f"**h = {h}.** {r.verdict_text()}" for h, r in results.items()]
display(Markdown("\n\n".join(lines)))

# %% [markdown] tags=[]
# ## Inflation expectations in T-bill rates (1950–1990)
#
# **Question.** Do Treasury-bill rates carry the market's expectation of inflation (the Fisher relation), and
# does a network extract more from them than the linear relation?
#
# **Data.** `inflation_expectations` (Mishkin 1992; the table Hayashi 2000, section 2.11, uses): monthly US
# one- and three-month T-bill rates and the inflation over the same one and three months, both in percent per
# year. On the row of month $t$ the $m$-month bill is bought at the start of month $t$ and `infl_{m}m` is the
# inflation over its life, months $t$ to $t+m-1$ (the three-month rate is the mean of three one-month rates).
#
# **The Fisher relation.** A bill's yield is the real rate plus the inflation expected over its life,
# $i^m_t = r^m_t + E_t\pi^m_t$. With rational expectations and a constant real rate, regressing realised
# inflation on the yield, $\pi^m_t = \alpha + \beta\, i^m_t + \varepsilon_t$, gives $\beta = 1$ (Fama 1975,
# who found a slope close to one in 1953–71; Hayashi 2000, section 2.11, estimates it on this table with the
# inflation computed from its CPI column). The regressions below use the table's own inflation columns
# (Mishkin's series), which differ from the CPI-computed rate; the row "Fama sample, CPI inflation" repeats the
# Fisher regressions in Fama's sample with the inflation computed from the table's `cpi` column over the same
# months (`cpi_inflation`: the log change of the index from the month before the bill's life to its last month,
# annualised), the measure closer to Fama's. Neither row replicates Fama's data exactly, and the two may not
# share a verdict. Mishkin (1990) asks the sharper question whether the *slope* of
# the term structure forecasts the *change* of inflation:
# $\pi^3_t - \pi^1_t = \alpha + \beta\,(i^3_t - i^1_t) + \eta_t$; $\beta = 0$ means the slope says nothing
# about future inflation changes, $\beta = 1$ that the slope of the term structure of real rates is constant (every move
# of the nominal slope is a move of expected inflation). He found little
# information at maturities of six months and less. The three-month target is realised over three months, so
# consecutive errors overlap (an MA(2)): standard errors are Newey–West (HAC, Bartlett) over at least two lags.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
mishkin = load("inflation_expectations")
real_ex_post = (mishkin["tbill_3m"] - mishkin["infl_3m"]).rename("real_3m")
print(
    f"{len(mishkin)} months, {mishkin.index[0]:%Y-%m} to {mishkin.index[-1]:%Y-%m}; "
    f"forecast origins from {pd.Timestamp(expectations_test_start):%Y-%m}"
)
pd.concat([mishkin.drop(columns="cpi"), real_ex_post], axis=1).describe().T.round(2)

# %% tags=[]
fig, axes = plt.subplots(2, 1, figsize=(12, 6.5), sharex=True)
mishkin["infl_3m"].plot(
    ax=axes[0], color="k", lw=1, label="inflation over the next 3 months (% p.a.)"
)
mishkin["tbill_3m"].plot(ax=axes[0], color="C0", label="3-month T-bill rate (% p.a.)")
real_ex_post.plot(ax=axes[1], color="C3", lw=1, label="ex-post real rate, 3-month bill (pp)")
real_ex_post.rolling(60).mean().plot(ax=axes[1], color="k", label="its 60-month mean (pp)")
for ax in axes:
    ax.axvspan(
        pd.Timestamp(expectations_test_start),
        mishkin.index[-1],
        color="grey",
        alpha=0.15,
        label="forecast origins",
    )
    ax.legend(loc="upper left", ncol=2)
axes[0].set(title="T-bill rates and the inflation over the bills' life", ylabel="% per year")
axes[1].set(title="Ex-post real rate: T-bill rate minus realised inflation", ylabel="pp")
axes[1].axhline(0, color="grey", lw=0.8)
save_figure(fig, out, "tbill_inflation")

# %% [markdown] tags=[]
# ### The regressions, in sample
#
# Fama's sample (1953-01 to 1971-07), the period before the first forecast origin (the networks' training
# data), and the forecast period, for the one- and three-month Fisher regressions and Mishkin's slope
# regression. `beta_se_hac` is the Newey–West standard error; `beta_se_ols` the classical one, which ignores
# the overlap and the serial correlation of the errors; `p_beta1` and `p_beta0` test $\beta = 1$ and
# $\beta = 0$ with the HAC variance.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
before = pd.Timestamp(expectations_test_start) - pd.offsets.MonthBegin(1)
periods = {
    "Fama sample": ("1953-01-01", "1971-07-01"),
    "before origins": (None, before),
    "forecast period": (expectations_test_start, None),
}
regressions = {
    (label, name): fit(mishkin, start=start, end=end)
    for label, (start, end) in periods.items()
    for name, fit in {
        "fisher_1m": lambda d, **kw: fisher_regression(d, 1, **kw),
        "fisher_3m": lambda d, **kw: fisher_regression(d, 3, **kw),
        "mishkin_3m_1m": lambda d, **kw: mishkin_regression(d, 3, 1, **kw),
    }.items()
}
regressions |= {  # Fama's sample again, with the inflation computed from the table's CPI column
    ("Fama sample, CPI inflation", f"fisher_{m}m"): fisher_regression(
        mishkin, m, start="1953-01-01", end="1971-07-01", inflation="cpi"
    )
    for m in (1, 3)
}
regression_table = pd.DataFrame({k: r.row() for k, r in regressions.items()}).T
regression_table.index.names = ["period", "regression"]
regression_table.round(3)

# %% [markdown] tags=[]
# ### Forecasting inflation from T-bill rates, out of sample
#
# At each origin (the start of a month from `expectations_test_start`), the models forecast the inflation over
# the life of a one- and a three-month bill bought that day, from what is known then: the bill rates and the
# inflation up to the month before (the CPI's publication lag is ignored, as in the literature). The forecast
# horizons are the bill maturities, 1 and 3 months.
#
# - `random_walk` (no change): the inflation over the last one (three) months.
# - `ar12`: a direct AR(12) of the same series, re-estimated at every origin on the pairs whose target was
#   already known.
# - `tbill_implied`, the market's forecast: the bill rate minus the mean ex-post real rate of the last
#   `real_rate_window` bills that matured before the origin (the Fisher relation with $\beta = 1$ and a
#   slowly moving real rate). Its window is a setting of this notebook, not tuned.
# - `linear_tbill`: OLS of the target on the LSTM's four inputs at the origin (both bill rates, last month's
#   and the last three months' inflation), re-estimated at every origin: the linear relation, and the ablation
#   that isolates what the network adds.
# - `lstm_tbill`: an LSTM on the last `tbill_window` months of the same four inputs, through the direct
#   multi-horizon forecaster the rest of this notebook uses: one network forecasts the change of monthly
#   inflation 1, 2 and 3 months ahead; its one-month forecast is the first, its three-month forecast the mean
#   of the three. Scalers and weights are fitted on data before each re-estimation date; early stopping on the
#   newest 36 samples, embargoed by two months; the window is chosen on that validation block at the first
#   estimation (first seed), then the network is refitted with further seeds and the **seed ensemble** (mean
#   forecast) is tested, with the seed spread beside it. Labelled untrained unless every fit of every seed beat
#   a constant on validation.
#
# **Tests.** Per horizon, squared errors against the random walk: Diebold–Mariano (Bartlett HAC, HLN
# correction), Clark–West for `ar12` and `linear_tbill`, which nest it; the 90% MCS over the models that trained; and
# the ablation `lstm_tbill` against `linear_tbill` (DM). Holm over the trained models' DM tests together (an untrained network's are shown, not adjusted), and
# separately over the Clark–West tests. The two ask different questions: Clark–West whether the larger model
# carries information beyond no change (in population), DM whether its forecasts were more accurate over these
# origins; they can disagree. The verdicts follow the protocol: for a model that nests the random walk,
# "significantly better" needs Clark–West (Holm) and a lower RMSE in the sample, since DM is biased against the
# larger model when the benchmark is nested; "significantly worse" comes from DM (its estimated forecasts lose).

# %% tags=[]
panel = bill_panel(mishkin)
bill_months = [1, 3]
exp_origins = panel.index[panel.index >= expectations_test_start]
past = {m: panel[f"past_infl_{m}m"] for m in bill_months}
exp_forecasts = forecasts_by_horizon(
    {
        "random_walk": lambda o, m: no_change_forecast(past[m], o, m),
        "ar12": lambda o, m: direct_ar_forecast(past[m], o, m, lags=12),
        "tbill_implied": lambda o, m: tbill_implied_forecast(panel, o, m, window=real_rate_window),
        "linear_tbill": lambda o, m: ols_direct_forecast(panel, past[m], o, m),
    },
    panel.index,
    exp_origins,
    bill_months,
    columns=["inflation"],
)
print(f"{len(exp_origins)} origins {exp_origins[0]:%Y-%m} .. {exp_origins[-1]:%Y-%m}")

# %% tags=[]
candidates = [
    DirectNetSpec(
        kind="lstm",
        window=w,
        units=units,
        epochs=epochs,
        patience=20,
        refit_every=tbill_refit_every,
    )
    for w in tbill_windows
]
tbill_net = run_family(panel, panel[["past_infl_1m"]], exp_origins, [1, 2, 3], candidates, seeds)
per_seed = [
    {m: monthly_to_span(r.forecasts, panel.index, m) for m in bill_months} for r in tbill_net.runs
]
for m in bill_months:
    dates = exp_forecasts["random_walk"][m].index
    exp_forecasts.setdefault("lstm_tbill", {})[m] = seed_ensemble(
        [fc[m].loc[dates] for fc in per_seed]
    ).to_frame("inflation")
lstm_tbill_trained = tbill_net.trained
print(
    f"window chosen on validation: {tbill_net.chosen.window} months "
    f"(validation MSE {', '.join(f'{k}: {v:.3f}' for k, v in tbill_net.validation_loss.items())}); "
    f"{len(seeds)} seed(s), {tbill_net.runs[0].n_params} weights; "
    f"trained in {tbill_net.trained_share:.0%} of the fits"
)
print(tbill_net.runs[0].training_text("lstm_tbill (first seed)"))
fig = plot_training(
    tbill_net.runs[0].fits[0], title="lstm_tbill, first estimation: MSE on scaled changes"
)
save_figure(fig, out, "training_expectations")

# %% tags=[]
exp_actual = {m: past[m].to_frame("inflation") for m in bill_months}
exp_table = pd.concat(
    [
        horizon_table(
            exp_actual[m], {k: {m: f[m]} for k, f in exp_forecasts.items()}, "random_walk"
        )
        for m in bill_months
    ],
    ignore_index=True,
)
seed_rmse = pd.DataFrame(
    {f"rmse_h{m}": [rmse(past[m].loc[fc[m].index], fc[m]) for fc in per_seed] for m in bill_months}
)
display(
    exp_table.pivot_table(
        index="model", columns="horizon", values=["rmse", "mae"], sort=False
    ).round(3)
)
seed_spread(seed_rmse).round(3)

# %% tags=[]
exp_results = {}
for m in bill_months:
    f = {k: v[m]["inflation"] for k, v in exp_forecasts.items()}
    y = past[m].loc[f["random_walk"].index]
    errors = pd.DataFrame({k: (y - v) ** 2 for k, v in f.items()})
    exp_results[("random_walk", m)] = compare_forecasts(
        errors,
        "random_walk",
        horizon=m,
        nested=nested_inputs(y, f, "random_walk", ["ar12", "linear_tbill"]),
        trained={"lstm_tbill": lstm_tbill_trained},
        seed=seed,
    )
    exp_results[("linear_tbill", m)] = compare_forecasts(
        errors[["linear_tbill", "lstm_tbill"]],
        "linear_tbill",
        horizon=m,
        trained={"lstm_tbill": lstm_tbill_trained},
        seed=seed,
    )
exp_results = holm_across(exp_results)
exp_verdicts = comparison_table(exp_results, key=("benchmark", "horizon"))
exp_verdicts.round(3)

# %% tags=[]
fig, ax = plt.subplots(figsize=(12, 4))
y3 = past[3].loc[exp_forecasts["random_walk"][3].index]
y3.plot(ax=ax, color="k", lw=2, label="actual")
drawn, not_drawn = drawn_models(
    ["random_walk", "tbill_implied", "linear_tbill", "ar12", "lstm_tbill"],
    {"lstm_tbill": lstm_tbill_trained},
)
for name in drawn:
    exp_forecasts[name][3]["inflation"].plot(ax=ax, lw=1, label=name)
ax.set(
    title="Inflation over a 3-month bill's life and its forecasts (plotted at the date the bill matures)"
    + not_drawn,
    ylabel="% per year",
)
ax.legend(ncol=3)
save_figure(fig, out, "expectations_forecasts")

# %% [markdown] tags=[]
# ### Reading
#
# The sentences below are computed from this run. What to look for: whether the one-for-one Fisher relation
# holds in each period, Fama's included (the real rate was not constant: negative in the 1970s, high after the
# Federal Reserve's change of operating procedure in October 1979), whether the market's forecast beats "no
# change" out of sample, and whether the network adds anything to the linear relation on the same inputs.

# %% tags=[]
label = "labelled trained" if lstm_tbill_trained else "labelled untrained and not interpreted"
training = (
    f"lstm_tbill (window {tbill_net.chosen.window} months, chosen on validation) trained (beat a "
    f"constant on validation after the first epoch) in {tbill_net.trained_share:.0%} of its fits over {len(seeds)} seed(s): {label}."
)
display(Markdown(training + "\n\n" + expectations_reading(regressions, exp_results)))

# %% [markdown] tags=[]
# ## Exercises
#
# 1. **(recall)** Why is "next year = last year" (Atkeson–Ohanian) hard to beat for year-on-year inflation, and
#    why does the SARIMA on *monthly* inflation have a structural advantage one month ahead? Check the second
#    answer by comparing the RMSE of `random_walk` and `sarima` at `h = 1` with their RMSE at `h = 12`.
# 2. **(recall)** In Mishkin's regression of $\pi^3_t - \pi^1_t$ on $i^3_t - i^1_t$, what do $\beta = 0$ and
#    $\beta = 1$ mean? Why do the standard errors need a HAC variance with at least two lags? Show the effect by
#    comparing the HAC and the classical standard error of the three-month Fisher slope (`fisher_regression`).
# 3. **(apply)** Estimate the one-month Fisher slope in ten-year samples (1951–60, 1961–70, 1971–80,
#    1981–90) with `fisher_regression`. In which samples is $\beta = 1$ rejected, and how does that fit the plot
#    of the ex-post real rate?
# 4. **(apply)** Recompute the three-month T-bill-implied forecast with an expanding mean of the real rate
#    (`window=None`) and with a 24-month window. Compare their RMSE with the no-change forecast over the forecast
#    period and test each against it with `diebold_mariano` (`horizon=3`). Does the answer depend on the window?
# 5. **(extend)** Does a *linear* model gain from the LSTM's whole window? Give `ols_direct_forecast` the last
#    12 months of the four inputs (lags 0 to 11 of `bill_panel`'s columns, e.g. with `shift`, dropping the
#    first rows) and compare it with the one-month-of-inputs
#    `linear_tbill` at both maturities through `compare_forecasts`. What does the result say about where the
#    network could find information that the linear relation misses?

# %% tags=[]
metrics = {
    "run.n_origins": len(origins),
    "run.window": window,
    "sarima.n_warnings": sarima.n_warnings,
    "sarima.ar_order": sarima_order.order[0],
    "sarima.ma_order": sarima_order.order[2],
    "sarima.seasonal_ar_order": sarima_order.seasonal_order[0],
    "sarima.seasonal_ma_order": sarima_order.seasonal_order[2],
    "sarima.aic": float(sarima_order.table["aic"].iloc[0]),
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
# inflation-expectations section: keys end in "_expectations" (horizons are bill maturities, 1 and 3 months)
metrics["run.n_origins_expectations"] = len(exp_origins)
metrics |= {
    f"{k}_expectations": v
    for k, v in horizon_metrics(exp_table, "random_walk").items()
    if ".dm_pvalue_" not in k
}
for (bench, _), r in exp_results.items():
    metrics |= {
        f"{k}_expectations": v
        for k, v in r.metrics().items()
        if bench == "random_walk" or "_vs_" in k.split(".")[0]
    }
for (period, name), r in regressions.items():
    tag = {
        "Fama sample": "fama",
        "Fama sample, CPI inflation": "fama_cpi",
        "before origins": "train",
        "forecast period": "test",
    }[period]
    metrics |= {
        f"inflation_expectations.{name}_beta_{tag}": r.beta,
        f"inflation_expectations.{name}_beta_se_{tag}": r.beta_se,
        f"inflation_expectations.{name}_beta1_pvalue_{tag}": r.pvalue_beta1,
        f"inflation_expectations.{name}_beta0_pvalue_{tag}": r.pvalue_beta0,
    }
metrics |= {
    "lstm_tbill.trained": int(lstm_tbill_trained),
    "lstm_tbill.trained_share": tbill_net.trained_share,
    "lstm_tbill.best_epoch": tbill_net.runs[0].fits[0].best_epoch,
    "lstm_tbill.window": tbill_net.chosen.window,
    "lstm_tbill.params": tbill_net.runs[0].n_params,
    "lstm_tbill.n_seeds": len(seeds),
}
if len(seeds) > 1:
    metrics |= {
        f"lstm_tbill.rmse_seed_std_h{m}_expectations": float(seed_rmse[f"rmse_h{m}"].std(ddof=1))
        for m in bill_months
    }
record_metrics(
    metrics,
    out,
    headline=[
        f"{m}.rmse_h{max(horizons)}" for m in ["random_walk", ar_name, "sarima", "lstm", "cnn"]
    ]
    + [
        f"{m}.rmse_h3_expectations"
        for m in ["random_walk", "tbill_implied", "linear_tbill", "lstm_tbill"]
    ],
)
