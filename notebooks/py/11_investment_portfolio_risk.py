# %% [markdown] tags=[]
# # 11 · Investment: do deep risk forecasts make better portfolios?
#
# **Question.** A portfolio manager who minimises risk, or spreads it equally, needs a forecast of the assets'
# covariance over the next holding period. Does a network's volatility forecast give portfolios with lower
# realised risk, or better risk-adjusted returns after trading costs, than the covariance estimates a
# practitioner uses first?
#
# **Data.** Daily simple returns (percent) of the S&P 500, the Nasdaq Composite and WTI crude oil (`sp500`,
# `nasdaq`, `wti`; `assets` is a parameter), 1999–2018, on the days all three trade. Moody's AAA/BAA yields
# (`corporate_yields`) are monthly averages, so a bond return built from them by the duration approximation
# (`finrisk_utils.portfolio.bond_returns`: $r_t \approx -D\,\Delta y_t + y_{t-1}/12$, yields in percent a year,
# $D$ = 10 years) exists only monthly; it joins the asset list with `frequency = "monthly"` (with `mkt`, `smb`,
# `hml` from Fama–French). Networks are trained on targets before 2006, stopped early on 2006–2007 (validation),
# and the portfolios are run out of sample from January 2008 (the crisis included) to the end of 2018. Dates,
# windows, the holding period and the seeds quoted in this cell are the defaults of the parameters cell below.
#
# **Covariance forecasts** at each rebalance date, from the returns up to that date only: the rolling sample
# covariance (252 days; the benchmark), RiskMetrics EWMA (λ = 0.94), Ledoit–Wolf shrinkage (Ledoit and Wolf
# 2004) of the rolling sample, GARCH(1,1) volatilities per asset with a shrunk constant correlation (Bollerslev
# 1990's CCC), and an LSTM that forecasts each asset's log volatility over the holding period, pooled over assets,
# with the same shrunk correlation (`lstm_ccc`): the GARCH–LSTM pair differs only in the volatilities; its linear
# ablation `har_ccc` regresses the same target on the same three features at the origin (the network also reads
# their last `net_window` days).
#
# **Portfolios.** Long-only minimum variance and risk parity (equal risk contributions), from skfolio's
# `MeanRisk` and `RiskBudgeting` fed the forecast through a fixed-covariance estimator, rebalanced every 21
# trading days; weights drift between rebalances; costs in basis points per unit of turnover (`cost_bp`).
#
# **Evaluation.** Annualised realised volatility, Sharpe ratio (net of costs, zero risk-free rate), maximum
# drawdown, turnover and cost drag. The test that matters for a risk-minimising portfolio is on realised variance:
# Diebold–Mariano on the daily squared net portfolio returns against the sample-covariance portfolio (Bartlett HAC
# variance, Harvey–Leybourne–Newbold correction; the approach of Engle and Colacito 2006 in its simplest form),
# with Holm over every test against the sample covariance (the network's tests against its ablation form a
# family of their own) and the model confidence set (Hansen, Lunde and Nason 2011).
# The covariance forecasts themselves are scored per holding period by multivariate QLIKE and the Frobenius norm
# against the realised cross-products.
#
# **Runtime** (2 CPU cores): 88 s in the full profile (3 seeds, 1,584 skfolio optimisations; kernel start included, which the reading's own "Elapsed" leaves out) at the last render, run alone; 50 s in the quick profile in a fresh-clone `make run` (2 workers, every notebook, this round).

# %% tags=["parameters"]
seed = 42  # first seed; the network is refitted with seeds seed, seed + 1, ...
profile = "full"  # "quick": same data, a tiny network, few epochs, one seed (CI); "full": the teaching run
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
assets = [
    "sp500",
    "nasdaq",
    "wti",
]  # daily: sp500, nasdaq, wti; monthly also aaa_bond, baa_bond, mkt, smb, hml
frequency = "daily"  # "daily" or "monthly"
val_start = "2006-01-01"  # validation block of the network: val_start .. test_start (embargoed)
test_start = "2008-01-01"  # first holding period; portfolios run from here to the end of the data
rebalance_every = 0  # periods held between rebalances; 0: by frequency (daily 21, monthly 1)
window = 0  # rolling window of the sample, Ledoit-Wolf and correlation estimates; 0: daily 252, monthly 60
ewma_lambda = 0.94  # RiskMetrics decay
garch_refit_every = (
    12  # rebalances between GARCH re-estimations (the variance recursion runs at every one)
)
cost_bp = 10.0  # basis points of wealth per unit of turnover
n_seeds = 0  # 0: by profile (quick 1, full 3)
epochs = 0  # 0: by profile (quick 4, full 60); early stopping picks the epoch
units = 0  # LSTM units; 0: by profile (quick 4, full 16)

# %% tags=[]
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from finrisk_utils import record_metrics, setup
from finrisk_utils.core import by_profile, save_figure, tied_extremes
from finrisk_utils.data import load
from finrisk_utils.forecasting import (
    ablation_reading,
    compare_forecasts,
    comparison_table,
    holm_across,
    seed_spread,
    seed_spread_reading,
)
from finrisk_utils.models import plot_training, training_report
from finrisk_utils.portfolio import (
    PORTFOLIOS,
    GarchVolatility,
    ablation_comparison,
    asset_returns,
    backtest,
    comparison_metrics,
    covariance_forecasts,
    covariance_losses,
    embargoed_positions,
    ewma_covariance,
    ledoit_wolf_covariance,
    linear_vol_forecast,
    log_vol_features,
    log_vol_target,
    pays_after_costs,
    performance_table,
    realised_covariances,
    rebalance_dates,
    sample_covariance,
    seed_covariance_losses,
    shrunk_correlation,
    squared_return_losses,
    train_vol_network,
    validation_log_vol_errors,
    validation_reading,
    vol_ccc_forecasts,
    vol_corr_covariance,
    weights_at,
)
from finrisk_utils.workbench import resolve_output_dir

started = time.perf_counter()
setup(seed)
daily = frequency == "daily"
periods_per_year = 252 if daily else 12
horizon = rebalance_every or (21 if daily else 1)
window = window or (252 if daily else 60)
feature_windows = (1, 5, 22) if daily else (1, 3, 12)
net_window = 22 if daily else 12
n_seeds = n_seeds or by_profile(profile, quick=1, full=3)
epochs = epochs or by_profile(profile, quick=4, full=60)
units = units or by_profile(profile, quick=4, full=16)
seeds = [seed + i for i in range(n_seeds)]
out = resolve_output_dir(output_dir)
pd.set_option("display.precision", 3)
BENCH = "sample_cov"

# %% [markdown] tags=[]
# ## Data: the assets and their common span

# %% tags=[]
# NBVAL_CHECK_OUTPUT
returns = asset_returns(assets, frequency)
print(
    f"{frequency} returns of {', '.join(assets)}: {len(returns)} periods, "
    f"{returns.index[0].date()} to {returns.index[-1].date()}"
)
spacing = load("corporate_yields").index.to_series().diff().median().days
print(
    f"corporate_yields: median spacing of its dates {spacing} days (monthly yields: no daily bond return)"
)
summary = pd.DataFrame(
    {
        "ann_vol_pct": returns.std() * np.sqrt(periods_per_year),
        "ann_mean_pct": returns.mean() * periods_per_year,
        "worst_pct": returns.min(),
    }
)
display(summary.round(2))
display(returns.corr().round(2))

# %% tags=[]
fig, axes = plt.subplots(1, 2, figsize=(13, 3.8))
(np.log1p(returns / 100).cumsum()).plot(ax=axes[0], lw=0.9)
axes[0].set(title="Cumulative log return", ylabel="log wealth", xlabel="date")
roll = returns.rolling(horizon * 3).std() * np.sqrt(periods_per_year)
roll.plot(ax=axes[1], lw=0.8)
axes[1].set(title=f"Rolling {horizon * 3}-period volatility", ylabel="% a year", xlabel="date")
for ax in axes:
    for start, style in [(val_start, ":"), (test_start, "--")]:
        ax.axvline(pd.Timestamp(start), color="k", ls=style, lw=0.8)
    ax.legend(title="asset (dotted: validation, dashed: test start)")
save_figure(fig, out, "assets")

# %% [markdown] tags=[]
# ## Chronological split and rebalance dates
#
# Weights are set at the close of each rebalance date (an *origin*) and held until the next one. Every covariance
# forecast at an origin sees the returns up to that close and nothing later (`covariance_forecasts` passes
# `returns.loc[:origin]`; a unit test changes the future and checks that no forecast moves). The network is
# trained once, on targets that end before the validation block, which itself ends `horizon` periods before the
# first test date: an embargo of one holding period between the blocks.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
origins = rebalance_dates(returns.index, test_start, horizon)
realised = realised_covariances(returns, origins)
print(
    f"{len(origins)} rebalances every {horizon} periods, first origin {origins[0].date()}, "
    f"last {origins[-1].date()}; test periods: {len(returns.loc[origins[0] :]) - 1}"
)

# %% [markdown] tags=[]
# ## Baselines: sample, EWMA, Ledoit–Wolf, GARCH with a constant correlation
#
# Each is a function of the history up to the origin. The GARCH(1,1) parameters (zero mean, normal QMLE) are
# re-estimated on the whole history every `garch_refit_every` rebalances and the variance recursion is run to each
# origin; the forecast is the mean variance over the next holding period. The correlation of the GARCH and network
# models is the Ledoit–Wolf-shrunk correlation of the last `window` returns, each divided by its standard
# deviation over that window.

# %% tags=[]
t0 = time.perf_counter()
garch = GarchVolatility(horizon=horizon, refit_every=garch_refit_every)
classical = {
    BENCH: lambda h: sample_covariance(h, window),
    "ewma": lambda h: ewma_covariance(h, ewma_lambda, 2 * window),
    "ledoit_wolf": lambda h: ledoit_wolf_covariance(h, window),
    "garch_ccc": lambda h: vol_corr_covariance(garch(h), shrunk_correlation(h, window)),
}
forecasts = {name: covariance_forecasts(returns, origins, f) for name, f in classical.items()}
print(
    f"classical forecasts in {time.perf_counter() - t0:.0f} s ({garch.refits} GARCH re-estimations)"
)

# %% [markdown] tags=[]
# ## The network: an LSTM forecasting log volatility
#
# One LSTM, shared by the assets (pooled windows), reads the last `net_window` days of three features per asset,
# the log root-mean-square return over the last 1, 5 and 22 days (a HAR-like summary, Corsi 2009), and forecasts
# the log root-mean-square return over the next holding period. Inputs and targets are standardised with
# training-block statistics; Adam, early stopping on the validation block (patience 8 epochs). A seed counts as
# trained when its kept weights beat a constant forecast (the training mean) on validation and come from an epoch
# after the first; the network counts as trained when every seed does. Its validation error is also set against
# persistence (the log volatility over the feature window closest to the holding period), the first bar a risk manager
# sets for a volatility forecast. Volatility forecasts are
# $\sqrt{c}\,e^{\hat f}$ with $c$ the ratio of mean realised to mean forecast variance on validation (a Jensen
# correction estimated before the test). Several seeds: the test uses their ensemble (the mean log-volatility
# forecast), and the spread over seeds is shown beside it. Its linear ablation, `har_ccc`, is a pooled OLS
# regression of the same target on the same three features at the origin (a HAR-type model), calibrated the same
# way and combined with the same correlation: what the network adds beyond it is its nonlinearity and memory.

# %% tags=[]
t0 = time.perf_counter()
features = log_vol_features(returns, feature_windows)
target = log_vol_target(returns, horizon)
train_pos, val_pos = embargoed_positions(
    returns.index, val_start, test_start, horizon, first=max(feature_windows) + net_window
)
net = train_vol_network(
    features,
    target,
    train_pos,
    val_pos,
    window=net_window,
    units=units,
    seeds=seeds,
    epochs=epochs,
    patience=8,
    learning_rate=5e-4,
)
origin_pos = returns.index.get_indexer(origins)
net_vols = pd.DataFrame(
    net.forecast_vol(features, origin_pos), index=origins, columns=returns.columns
)
forecasts["lstm_ccc"] = vol_ccc_forecasts(returns, net_vols, window)
print(
    f"{len(train_pos)} training and {len(val_pos)} validation origins x {len(assets)} assets; "
    f"{len(seeds)} seed(s) in {time.perf_counter() - t0:.0f} s; variance calibration c = {net.variance_scale:.2f}"
)
har_vols, har_scale = linear_vol_forecast(features, target, train_pos, val_pos, origin_pos)
har_vols = pd.DataFrame(har_vols, index=origins, columns=returns.columns)
forecasts["har_ccc"] = vol_ccc_forecasts(returns, har_vols, window)
persistence_window = min(feature_windows, key=lambda w: abs(w - horizon))
val_errors = validation_log_vol_errors(
    net, features, target, train_pos, val_pos, persistence_window=persistence_window
)
display(
    Markdown(
        " ".join(training_report(f, f"Seed {s}") for s, f in zip(seeds, net.fits, strict=True))
        + "\n\n"
        + validation_reading(val_errors, trained=net.trained, persistence_window=persistence_window)
    )
)
fig = plot_training(net.fits[0], title=f"LSTM log-volatility network, seed {seeds[0]} (scaled MSE)")
save_figure(fig, out, "training")

# %% [markdown] tags=[]
# ## Covariance forecasts scored per holding period
#
# QLIKE $\log\det\Sigma + \mathrm{tr}(\Sigma^{-1} R)$ with $R$ the mean cross-product of the period's daily
# returns stays a consistent ranking when $R$ is a noisy proxy of the true covariance (Laurent, Rombouts and
# Violante 2013); the Frobenius norm weighs the large (oil) variances most. One loss per holding period.

# %% tags=[]
models = list(forecasts)
trained = {"lstm_ccc": bool(net.trained)}
cov_losses = covariance_losses(forecasts, realised)
# every loss frame the comparisons read, built once: (what, loss) -> dates x models
losses = {("covariance", loss): cov_losses[loss][models] for loss in ["qlike", "frobenius"]}
tests = {
    key: compare_forecasts(losses[key], BENCH, loss=key[1], trained=trained, seed=seed)
    for key in losses
}

# %% [markdown] tags=[]
# ## Portfolios out of sample
#
# Units of the tables: `ann_vol`, `ann_return` and `max_drawdown` in percent (a year for the first two, net of
# costs); `sharpe` annualised, net of costs, zero risk-free rate; `turnover` the mean sum of absolute weight
# changes per rebalance (a fraction of wealth) and `annual_turnover` its sum per year; `cost_bp` the cost drag in
# basis points of wealth a year.

# %% tags=[]
t0 = time.perf_counter()
runs = {
    kind: {
        m: backtest(returns, weights_at(forecasts[m], kind, returns, window), cost_bp)
        for m in models
    }
    for kind in PORTFOLIOS
}
perf = {kind: performance_table(runs[kind], periods_per_year) for kind in PORTFOLIOS}
for kind in PORTFOLIOS:
    losses["portfolio", kind] = squared_return_losses({m: runs[kind][m].net for m in models})
    tests["portfolio", kind] = compare_forecasts(
        losses["portfolio", kind], BENCH, loss="squared_return", trained=trained, seed=seed
    )
tests = holm_across(tests)  # one Holm family: every test against the benchmark in this notebook
print(
    f"{len(PORTFOLIOS) * len(models) * len(origins)} optimisations in {time.perf_counter() - t0:.0f} s"
)
for kind in PORTFOLIOS:
    display(Markdown(f"**{kind.replace('_', ' ')}** (net of {cost_bp:g} bp per unit of turnover)"))
    display(perf[kind].round(3))

# %% [markdown] tags=[]
# ## Comparison through the shared protocol
#
# Rows: each model against the sample-covariance benchmark. For the portfolios the loss is the squared daily net
# return (ratio = realised variance relative to the benchmark's; the reading below gives its square root, a ratio
# of realised volatilities); for the forecasts, QLIKE and Frobenius per
# holding period. `pvalue_holm` is adjusted over all the tests in this table. The second table reads the network
# against its linear ablation `har_ccc` on the same losses (ablation as the benchmark, Holm over its four tests):
# that, not the sample covariance, says what the LSTM adds.

# %% tags=[]
# no model here nests another (the LSTM does not nest its linear ablation), so Clark-West does not apply and
# its columns are left out
no_cw = ["cw_pvalue", "cw_pvalue_holm"]
display(comparison_table(tests, key=("what", "loss")).drop(columns=no_cw).round(4))
ablation = ablation_comparison(losses, "lstm_ccc", "har_ccc", trained=bool(net.trained), seed=seed)
display(comparison_table(ablation, key=("what", "loss")).drop(columns=no_cw).round(4))

# %% tags=[]
seed_losses = seed_covariance_losses(
    net.forecast_vol(features, origin_pos, per_seed=True),
    returns,
    realised,
    seeds=seeds,
    window=window,
)
spread = seed_spread(seed_losses)
spread["ensemble"] = (
    cov_losses["qlike"]["lstm_ccc"].mean(),
    cov_losses["frobenius"]["lstm_ccc"].mean(),
)
display(spread.round(4))
spread_text = seed_spread_reading(
    seed_losses["qlike"],
    spread.loc["qlike", "ensemble"],
    cov_losses["qlike"][BENCH].mean(),
    model="lstm_ccc",
    benchmark=BENCH,
    metric="mean QLIKE",
)
display(Markdown(spread_text))

# %% [markdown] tags=[]
# ## Plots

# %% tags=[]
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
for ax, kind in zip(axes, PORTFOLIOS, strict=True):
    for m in models:
        wealth = np.log1p(runs[kind][m].net / 100).cumsum()
        ax.plot(wealth.index, wealth, lw=1.0, label=m)
    ax.set(
        title=f"{kind.replace('_', ' ')}: cumulative net log return",
        ylabel="log wealth",
        xlabel="date",
    )
    ax.legend()
save_figure(fig, out, "wealth")

# %% tags=[]
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
for ax, m in zip(axes, [BENCH, "lstm_ccc"], strict=True):
    runs["min_variance"][m].weights.plot.area(ax=ax, lw=0, alpha=0.8)
    ax.set(
        title=f"minimum variance weights: {m}",
        ylabel="weight",
        xlabel="rebalance date",
        ylim=(0, 1),
    )
    ax.legend(title="asset", loc="lower left")
save_figure(fig, out, "weights")

# %% tags=[]
fig, ax = plt.subplots(figsize=(12, 3.8))
for m in models:
    v = runs["min_variance"][m].net.rolling(horizon * 6).std() * np.sqrt(periods_per_year)
    ax.plot(v.index, v, lw=0.9, label=m)
ax.set(
    title=f"Minimum-variance portfolios: rolling {horizon * 6}-period realised volatility",
    ylabel="% a year",
    xlabel="date",
)
ax.legend()
save_figure(fig, out, "realised_vol")

# %% [markdown] tags=[]
# ## Reading

# %% tags=[]
sentences = []
for kind in PORTFOLIOS:
    p = perf[kind]
    read = p.loc[[m for m in p.index if trained.get(m, True)]]  # an untrained network is not ranked
    best = tied_extremes(read["ann_vol"], high=False, sep=", ")
    pays, text = pays_after_costs(
        "lstm_ccc", BENCH, p, tests[("portfolio", kind)], trained=bool(net.trained)
    )
    sentences.append(
        f"**{kind.replace('_', ' ')}.** Lowest realised volatility (a point estimate; the tests follow): "
        f"{best} ({read['ann_vol'].min():.2f}% a year; benchmark {p.loc[BENCH, 'ann_vol']:.2f}%). The "
        f"network: {text}"
    )
    sentences.append(
        tests[("portfolio", kind)].verdict_text(
            root=True, at=f"Per {'day' if daily else 'month'}", digits=3
        )
    )
for loss in ["qlike", "frobenius"]:
    sentences.append(
        f"**Covariance forecasts, {loss}.** "
        + tests[("covariance", loss)].verdict_text(
            at=f"Per holding period ({horizon} {'days' if daily else 'months'})"
        )
    )
sentences += [ablation_reading(ablation, "lstm_ccc"), spread_text]
paying = [
    k
    for k in PORTFOLIOS
    if pays_after_costs(
        "lstm_ccc", BENCH, perf[k], tests[("portfolio", k)], trained=bool(net.trained)
    )[0]
]
sentences.append(
    "**Does the deep forecast pay after costs?** "
    + (
        f"Yes, for {' and '.join(paying)}."
        if paying
        else "No: in neither portfolio does the LSTM's forecast give a significantly lower realised variance "
        "with a net Sharpe ratio at least the sample covariance's."
    )
    + f" Elapsed {time.perf_counter() - started:.0f} s."
)
display(Markdown("\n\n".join(sentences)))

# %% [markdown] tags=[]
# What a risk manager should take from this: minimum variance concentrates in the asset that looks safest, so
# its weights follow every change in the forecast; risk parity spreads the risk and its weights move less (compare
# the turnover columns). A volatility model that reacts faster (EWMA, GARCH, the network and its HAR ablation)
# trades more, and the
# cost column shows what that costs each year. Ledoit–Wolf's 2004 target, a scaled identity, pulls the variances of
# assets as different as oil and an equity index towards each other. Limits: three assets, two of them almost the
# same index; one test period; the network is trained once, on targets before 2006, and never re-estimated.
# What the network itself adds is read against its linear ablation `har_ccc` (the second comparison table and
# its paragraph above), not against the sample covariance.

# %% [markdown] tags=[]
# ## Exercises
#
# 1. **(recall)** Why is the Diebold–Mariano test run on squared portfolio returns, and why does a
#    minimum-variance portfolio built from the true covariance have the smallest expected squared return
#    (Engle and Colacito 2006)?
# 2. **(apply)** Rerun with `cost_bp = 50` and with `rebalance_every = 5`. Which models lose their edge first,
#    and why does EWMA's turnover react most?
# 3. **(apply)** Run the monthly set `assets = ["mkt", "aaa_bond", "smb", "hml"]`, `frequency = "monthly"`,
#    `val_start = "1990-01-01"`, `test_start = "2000-01-01"`: does the bond dominate the minimum-variance weights,
#    and does the ranking of the covariance forecasts survive?
# 4. **(extend)** Re-estimate the network every year (train on all targets up to the year's start, validation on
#    the last year before it) with `finrisk_utils.portfolio.train_vol_network`, and test whether the re-estimated
#    network's portfolios beat the ones of the network trained once.

# %% tags=[]
metrics = {
    "run.n_rebalances": len(origins),
    "run.n_test": len(runs["min_variance"][BENCH].net),
    "run.horizon": horizon,
    "run.cost_bp": cost_bp,
    "run.n_seeds": len(seeds),
    "run.runtime_s": time.perf_counter() - started,
    "lstm_ccc.trained": int(net.trained),
    "lstm_ccc.trained_share": net.trained_share,
    "lstm_ccc.best_epoch": net.fits[0].best_epoch,
    "lstm_ccc.val_loss": net.fits[0].best_val_loss,
    "lstm_ccc.naive_val_loss": net.fits[0].naive_val_loss,
    "lstm_ccc.val_mse_log_vol": val_errors["network"],
    "persistence.val_mse_log_vol": val_errors["persistence"],
    "lstm_ccc.variance_scale": net.variance_scale,
    "lstm_ccc.qlike_seed_sd": float(spread.loc["qlike", "std"]) if len(seeds) > 1 else None,
}
for kind in PORTFOLIOS:
    for m, row in perf[kind].iterrows():
        for stat in ["ann_vol", "ann_return", "sharpe", "max_drawdown", "turnover", "cost_bp"]:
            metrics[f"{m}.{stat}_{kind}"] = float(row[stat])
    metrics |= comparison_metrics(tests[("portfolio", kind)], "var", kind)
    metrics[f"lstm_ccc_vs_{BENCH}.pays_after_costs_{kind}"] = int(kind in paying)
for loss in ["qlike", "frobenius"]:
    for m in models:
        metrics[f"{m}.{loss}"] = float(cov_losses[loss][m].mean())
    metrics |= comparison_metrics(tests[("covariance", loss)], loss, "cov")
for (what, loss), c in ablation.items():
    stat, suffix = ("var", loss) if what == "portfolio" else (loss, "cov")
    metrics |= comparison_metrics(c, stat, suffix, pairs_only=True)
record_metrics(
    metrics,
    out,
    headline=[f"{m}.ann_vol_min_variance" for m in models]
    + ["lstm_ccc.sharpe_min_variance", f"lstm_ccc_vs_{BENCH}.var_dm_pvalue_min_variance"],
)
