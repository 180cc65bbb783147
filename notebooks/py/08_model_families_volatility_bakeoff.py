# %% [markdown] tags=[]
# # 08 · Model families side by side: RNN, LSTM, GRU, 1-D CNN, dense and autoencoder features vs HAR
#
# **Question.** On one well-posed financial task, what do the model families actually buy over the standard
# econometric model, and why?
#
# **Task.** Forecast S&P 500 daily volatility 1, 5 and 22 trading days ahead. The target is the Garman–Klass
# range-based volatility from each day's open, high, low and close, annualised, on a log scale:
# $\ln\sqrt{252\,\hat\sigma^2_t}$ with $\hat\sigma^2_t = \tfrac12(\ln H_t/L_t)^2 - (2\ln2-1)(\ln C_t/O_t)^2$.
# Logs make the target roughly Gaussian and the errors comparable between calm and stormy days. Garman–Klass
# (1980) measures *intraday* volatility, from the open to the close: it ignores the overnight return (the gap from
# yesterday's close to today's open), so it understates close-to-close volatility and is a noisy proxy of it.
#
# **Data.** `sp500` (or `nasdaq`: `dataset`), 1999–2018. Training targets before `val_start` (2013), validation
# (early stopping and the choice of hyper-parameters) until `test_start` (2015), test 2015–2018, never touched
# before the end.
# **Baselines.** HAR (Corsi 2009: OLS on the last day's, week's and month's average log volatility, fitted on
# targets before 2015), persistence (no change), the 22-day mean, and `linear_window`: OLS on the networks' own
# 22 daily values (HAR with its weights freed; HAR is nested in it).
# **Families.** SimpleRNN, LSTM, GRU, 1-D CNN (causal, dilated: TCN-style), a dense network on the HAR features,
# and a dense regressor on an autoencoder's compression of the last month. Same data, split, early stopping and
# direct multi-horizon output for all; each family picks its width on the validation period, then is refitted
# with several seeds.
# **Evaluation.** Each family is tested through its seed ensemble (the mean forecast over seeds), with the spread
# over seeds shown beside it. Losses: squared error of the log-volatility forecast (RMSE) and QLIKE of the implied
# variance, which stays a consistent ranking when the volatility proxy is noisy (Patton 2011). Per loss and
# horizon: Diebold–Mariano against HAR (Bartlett HAC variance over at least $h-1$ lags, Harvey–Leybourne–Newbold
# correction), Holm over every DM test the table reports (models, both losses, all horizons), and the model confidence set (Hansen, Lunde and Nason 2011) over every model that trained;
# Clark–West for `linear_window` against HAR (Holm over its three horizons, a family of its own). A second family
# of DM tests (MSE, Holm within it) sets each sequence network against `linear_window`.
# Parameters and training time beside.
#
# **Runtime** (2 CPU cores): 417 s in the full profile at the last render, beside the full renders of 03, 09 and 05; 52 s in the quick profile in a fresh-clone `make run` (2 workers, every notebook, this round).

# %% tags=["parameters"]
seed = 42  # first seed; the families are refitted with seeds seed, seed + 1, ...
profile = (
    "full"  # "quick": same data, tiny nets, few epochs, 2 seeds (CI); "full": the teaching run
)
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
dataset = "sp500"  # sp500 or nasdaq (needs open/high/low/close)
horizon = [1, 5, 22]  # trading days ahead: an int or a list
window = 22  # trading days of log volatility per network sample
val_start = "2013-01-01"  # validation period: val_start .. test_start
test_start = "2015-01-01"
test_end = "2018-12-31"
n_seeds = 0  # 0: by profile (quick 2, full 3)
epochs = 0  # 0: by profile (quick 3, full 200); early stopping picks the epoch

# %% tags=[]
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from finrisk_utils import models, record_metrics, setup
from finrisk_utils.core import by_profile, save_figure
from finrisk_utils.data import load
from finrisk_utils.forecasting import (
    DirectNetSpec,
    bakeoff_metrics,
    bakeoff_table,
    compare_bakeoff,
    ensemble_forecasts,
    family_training_text,
    no_change_forecast,
    rmse,
    run_family,
    verdict_bottom_line,
    verdict_summary,
    verdict_table,
)
from finrisk_utils.market import (
    HAR_WINDOWS,
    garman_klass_variance,
    har_error_variance,
    har_features,
    har_forecast,
    log_annualised_vol,
)
from finrisk_utils.models import lag_sensitivity, lstm_gates, plot_training_panels
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
horizons = sorted([horizon] if isinstance(horizon, int) else horizon)
n_seeds = n_seeds or by_profile(profile, quick=2, full=3)
epochs = epochs or by_profile(profile, quick=3, full=200)
widths = by_profile(
    profile, quick=[4], full=[8, 32]
)  # hyper-parameter candidates, chosen on validation
seeds = [seed + i for i in range(n_seeds)]
out = resolve_output_dir(output_dir)
pd.set_option("display.precision", 4)

# %% [markdown] tags=[]
# ## Data: range-based volatility

# %% tags=[]
# NBVAL_CHECK_OUTPUT
ohlc = load(dataset)
log_vol = log_annualised_vol(garman_klass_variance(ohlc))
har_x = har_features(log_vol)
print(f"{dataset}: {len(log_vol)} days, {log_vol.index[0].date()} to {log_vol.index[-1].date()}")
print(
    f"annualised Garman-Klass volatility: median {np.exp(log_vol.median()):.1%}, "
    f"1% {np.exp(log_vol.quantile(0.01)):.1%}, 99% {np.exp(log_vol.quantile(0.99)):.1%}"
)
print(
    "autocorrelation of log volatility at lags 1, 5, 22:",
    [round(float(log_vol.autocorr(k)), 3) for k in (1, 5, 22)],
)

# %% tags=[]
fig, ax = plt.subplots(figsize=(12, 3.5))
log_vol.plot(ax=ax, lw=0.5, color="grey", label="daily")
har_x["har_22"].plot(ax=ax, lw=1.2, label="22-day mean")
for start, label in [(val_start, "validation"), (test_start, "test")]:
    ax.axvline(pd.Timestamp(start), color="k", ls="--", lw=0.8)
    ax.text(pd.Timestamp(start), ax.get_ylim()[1], f" {label}", va="top")
ax.set(
    title=f"{dataset}: log annualised Garman-Klass volatility",
    xlabel="date",
    ylabel="log of annualised volatility",
)
ax.legend()
save_figure(fig, out, "target")

# %% [markdown] tags=[]
# ## Baselines: HAR, persistence, 22-day mean, and the networks' linear twin
#
# The HAR model is a regression of tomorrow's log volatility on today's, the last week's mean and the last
# month's mean: three numbers that stand in for a long memory. Forecasts at horizon $h$ are direct (one regression
# per horizon), fitted once on targets before `test_start`: it uses the validation years (`val_start` to
# `test_start`) as training data, which the networks below use only for early stopping and the choice of width, so
# HAR is estimated on more, and more recent, data than they are trained on.
#
# **Reference** (`sp500`, 1 day ahead, test 2015–2018, 1,006 days; from the issue that set up this notebook): HAR
# RMSE 0.432, persistence 0.498, 22-day mean 0.477.
#
# `linear_window` is the linear model on exactly the sequence networks' inputs: a direct OLS of the log volatility
# $h$ days ahead on a constant and the last `window` daily values, fitted like HAR (targets before `test_start`).
# HAR is this regression with its coefficients restricted to three steps (day, week, month), so, with a window
# of at least 22 days, HAR is nested in it: the two see the same 22 days, `linear_window` weights them freely. A
# network that beats HAR but not `linear_window` has shown nothing beyond what a free linear weighting of the
# same days gives.
#
# `har_jensen` is HAR with its forecast raised by $s^2$, the mean squared error of HAR on the validation period
# (model fitted before it): if log volatility is normal with variance $s^2$ around the forecast $f$, the expected
# variance is $e^{2f + 2s^2}$, not $e^{2f}$ (Jensen). It is worse in RMSE by construction and matters for QLIKE,
# which scores the implied variance.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
idx = log_vol.index
first, last = (
    idx.searchsorted(pd.Timestamp(test_start)),
    idx.searchsorted(pd.Timestamp(test_end), side="right") - 1,
)
origins = idx[
    first - max(horizons) : last
]  # every origin whose target at some horizon is a test day
in_test = lambda s: s[(s.index >= test_start) & (s.index <= test_end)]  # noqa: E731
base = {"har": {}, "har_jensen": {}, "persistence": {}, "mean_22d": {}, "linear_window": {}}
tic = time.perf_counter()
for h in horizons:
    base["har"][h] = in_test(har_forecast(log_vol, test_start, h))
har_seconds = (time.perf_counter() - tic) / len(horizons)  # fit and forecast, per horizon
lags = tuple(
    range(1, window + 1)
)  # trailing means over 1..window days: the same span as the window's values
for h in horizons:
    base["linear_window"][h] = in_test(har_forecast(log_vol, test_start, h, windows=lags))
for h in horizons:
    base["har_jensen"][h] = base["har"][h] + har_error_variance(log_vol, val_start, test_start, h)
    origins_h = idx[first - h : last - h + 1]  # their targets are exactly the test days
    base["persistence"][h] = no_change_forecast(log_vol, origins_h, h)
    base["mean_22d"][h] = no_change_forecast(har_x["har_22"], origins_h, h)
base_rmse = pd.DataFrame(
    {k: {h: rmse(log_vol.loc[s.index], s) for h, s in v.items()} for k, v in base.items()}
)
print(f"test days per horizon: {[len(base['har'][h]) for h in horizons]}")
base_rmse.round(4)

# %% [markdown] tags=[]
# ## The families, in one paragraph each
#
# - **SimpleRNN** (Elman 1990): a hidden state updated by $h_t = \tanh(W x_t + U h_{t-1} + b)$. Gradients through
#   many $\tanh$ steps shrink or explode (Bengio, Simard and Frasconi 1994), so in practice it remembers only the
#   last few steps.
# - **LSTM** (Hochreiter and Schmidhuber 1997; forget gate: Gers, Schmidhuber and Cummins 2000): adds a cell state $c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t$ with sigmoid *forget*, *input* and
#   *output* gates; the forget gate lets information (and gradients) survive many steps.
# - **GRU** (Cho et al. 2014): a lighter gated cell (update and reset gates, no separate cell state); Chung et al.
#   (2014) found it comparable to the LSTM on their sequence tasks.
# - **1-D CNN (TCN-style, Bai, Kolter and Koltun 2018)**: causal convolutions with dilations 1, 2, 4 and kernel 3: each output sees a fixed
#   receptive field of $1 + 2(1+2+4) = 15$ past days, weighted by learned filters; no recurrence, so training is
#   parallel over time.
# - **Dense on HAR features**: a small multilayer perceptron on the same three inputs as HAR: can a non-linear map
#   of HAR's inputs beat HAR's linear one?
# - **Autoencoder features**: an autoencoder compresses the last `window` days into 3 numbers (unsupervised, on
#   training windows only); a small dense network forecasts from the frozen code. It tests whether a learned
#   summary of the past beats HAR's hand-made one (day, week, month).
#
# Each network forecasts the change of log volatility at every horizon at once from inputs scaled on training data,
# with early stopping on the validation period; the width (units or filters) is chosen from `widths` by validation
# loss with the first seed, then the family is refitted with each seed.

# %% tags=[]
lv = log_vol.to_frame("log_vol")
common = {
    "epochs": epochs,
    "patience": 15,
    "batch_size": 64,
    "val_size": int(np.sum((idx >= val_start) & (idx < test_start))),
}
family_inputs = {
    "rnn": (lv, "rnn", window),
    "lstm": (lv, "lstm", window),
    "gru": (lv, "gru", window),
    "cnn": (lv, "cnn", window),
    "dense_har": (har_x, "dense", 1),
    "ae_features": (lv, "ae_dense", window),
}
families = {}
for name, (x, kind, w) in family_inputs.items():
    candidates = [DirectNetSpec(kind=kind, window=w, units=u, **common) for u in widths]
    o = origins[origins >= x.index[0]]
    families[name] = run_family(
        x, log_vol.loc[x.index].to_frame("log_vol"), o, horizons, candidates, seeds
    )
    fam = families[name]
    print(
        f"{name:12s} chose units={fam.chosen.units} (validation loss {', '.join(f'{v:.4f}' for v in fam.validation_loss.values())}); "
        f"{fam.runs[0].n_params} weights; {np.mean([r.train_seconds for r in fam.runs]):.1f} s per fit; "
        f"trained (beat a constant change on validation after the first epoch) in {fam.trained_share:.0%} "
        f"of {sum(len(r.fits) for r in fam.runs)} fits"
    )
untrained = [name for name, fam in families.items() if not fam.trained]
label = lambda m: f"{m} (untrained)" if m in untrained else m  # noqa: E731

# %% [markdown] tags=[]
# **Did they train?** Every fit (one per seed; each family is estimated once, before the test period), summarised
# per family: the kept epoch, the most
# epochs any fit ran, the share of fits whose kept epoch was their last (still improving when the budget ran
# out), the median ratio of the kept validation loss to the constant-change forecast's (below 1: better than the
# constant) and the share trained. The learning curves are those of the first seed's fit.

# %% tags=[]
display(Markdown(family_training_text(families)))
fig = plot_training_panels(
    {
        f"{label(name)}, units {fam.chosen.units}, seed {seeds[0]}": fam.runs[0].fits[-1]
        for name, fam in families.items()
    },
    ncols=3,
    ylabel="MSE (scaled changes)",
    naive_label="constant change (validation)",
)
save_figure(fig, out, "learning_curves")
fit_summary = {name: fam.training_summary() for name, fam in families.items()}
pd.DataFrame.from_dict(fit_summary, orient="index").round(3)

# %% [markdown] tags=[]
# ## Evaluation on the test period
#
# The forecast tested for a family is its seed ensemble; `rmse_seed_mean` ± `rmse_seed_std` (and the same for
# QLIKE) is the spread of the single-seed forecasts, shown beside it, never tested seed by seed. `bias` is the mean
# of actual minus forecast (negative: the model forecasts too high). QLIKE needs a variance forecast: the log
# annualised volatility forecast $f$ is mapped to the annualised variance $e^{2f}$ and scored against the proxy's
# $e^{2y}$ as $r - \ln r - 1$, $r = e^{2y}/e^{2f}$ (Patton 2011); it punishes under-predicting volatility more than
# over-predicting. `trained_share` is the share of a family's fits that beat a constant on validation with
# weights kept after the first epoch (their kept epochs and learning curves are above); a family
# below 1 is labelled untrained and not interpreted.

# %% tags=[]
table = bakeoff_table(log_vol, base, families, benchmark="har")
test_dates = {h: base["har"][h].index for h in horizons}
tested = ensemble_forecasts(base, families, test_dates)
har_nested = ["linear_window"] if window >= max(HAR_WINDOWS) else []  # HAR is nested in it
results = compare_bakeoff(
    log_vol,
    tested,
    "har",
    trained={m: m not in untrained for m in families},
    nested=har_nested,
    seed=seed,
)
view = table[
    [
        "bias",
        "rmse",
        "rmse_seed_mean",
        "rmse_seed_std",
        "mae",
        "qlike",
        "qlike_seed_mean",
        "qlike_seed_std",
        "trained_share",
        "params",
        "train_seconds",
    ]
]
view.rename(index=label, level="model").round(4)

# %% [markdown] tags=[]
# **Tests against HAR**, per loss and horizon: the difference of mean losses (model − HAR) and, for MSE, their
# ratio (QLIKE's level depends on the units of the variance, so its ratio is left out), the two-sided
# Diebold–Mariano p-value, its Holm adjustment over every DM test in the table (all trained models, both losses,
# the three horizons: one family), `linear_window`'s Clark–West p-value (Holm over its horizons), membership of the 90% model confidence set, and the verdict at 5%. Significant losses
# to HAR are listed like wins. Each bullet also names the model with the lowest mean loss: a verdict "better than
# HAR" does not make a model the best, and on QLIKE the fair comparator of a network is `har_jensen`, HAR with the
# variance (Jensen) correction, whose row is in the table. The baselines persistence and the 22-day mean are
# restrictions of HAR; as challengers of the larger benchmark they are read by DM (Clark–West asks the other
# question: whether a larger model beats a benchmark nested in it). `linear_window` is such a larger model: on MSE
# its "better" verdict is Clark–West's (Holm over its three horizons, a family of its own), with its DM p-value
# beside it. Clark–West rejecting says that HAR's restriction is rejected (the free weights have a population
# value that forecasts better); it does not say that the estimated forecasts are measurably more accurate, which
# is DM's question.

# %% tags=[]
display(Markdown(verdict_summary(results)))
verdict_table(results).round(4)

# %% tags=[]
fig, axes = plt.subplots(1, len(horizons), figsize=(14, 3.8), sharey=False)
for ax, h in zip(np.atleast_1d(axes), horizons, strict=True):
    t = table.xs(h, level="horizon")
    x = np.arange(len(t))
    ax.bar(x, t["rmse"], color=["k" if m == "har" else "C0" for m in t.index], label="tested")
    ax.errorbar(
        x,
        t["rmse_seed_mean"],
        yerr=t["rmse_seed_std"],
        fmt="o",
        color="C1",
        ms=3,
        capsize=3,
        label="single seeds: mean ± std",
    )
    ax.axhline(t.loc["har", "rmse"], color="k", lw=0.8, ls="--")
    ax.set_xticks(x, [label(m) for m in t.index], rotation=60, ha="right")
    ax.set(
        title=f"RMSE of log vol, {h} day(s) ahead",
        ylabel="RMSE (log vol)",
        ylim=(0.9 * t["rmse"].min(), 1.05 * t["rmse"].max()),
    )
    ax.legend(fontsize=7)
fig.tight_layout()
save_figure(fig, out, "rmse")

# %% [markdown] tags=[]
# ## What each family does
#
# **How far back do they look?** Raise one day of the input window by 0.1 (scaled units) and measure how much the
# 1-day forecast moves, day by day back in the window. HAR's answer is fixed by design: weights on the last day,
# the last 5 and the last 22. The networks learn theirs; the CNN cannot see past its receptive field.

# %% tags=[]
test_origins = origins[origins >= test_start]
sensitivity = {}
for name in ["rnn", "lstm", "gru", "cnn"]:
    run = families[name].runs[0]
    sensitivity[name] = lag_sensitivity(run.model, run.input_windows(test_origins))
sens = pd.DataFrame(sensitivity, index=pd.RangeIndex(window - 1, -1, -1, name="days back"))
sens.columns = [label(m) for m in sens.columns]
fig, ax = plt.subplots(figsize=(10, 3.5))
(sens / sens.max()).plot(ax=ax, marker=".")
ax.axvline(models.receptive_field(3, (1, 2, 4)) - 1, color="C3", ls=":", lw=1)
ax.text(models.receptive_field(3, (1, 2, 4)) - 1, 0.95, " CNN receptive field", color="C3")
ax.invert_xaxis()
ax.set(
    title="Sensitivity of the 1-day forecast to each day of the window (scaled to max 1)",
    ylabel="relative sensitivity",
)
save_figure(fig, out, "lag_sensitivity")

# %% [markdown] tags=[]
# **The CNN's filters** (first layer, kernel 3 applied to the last three days): each column is one learned filter;
# a filter with weights of one sign is a smoother, one with mixed signs a difference, the building blocks of HAR's
# averages.
#
# **The LSTM's gates over a stress episode.** In February 2018 ("Volmageddon") volatility jumped from calm to
# stormy in days. The gate activations, recomputed from the fitted weights (first seed), show whether the cell
# changes how much it keeps and writes when the jump arrives (gates that stay flat through it, near their values
# at initialisation, mean it does not); a family labelled untrained is shown but not read.

# %% tags=[]
fig, axes = plt.subplots(1, 2, figsize=(14, 3.8), gridspec_kw={"width_ratios": [1, 2]})
kernel = (
    families["cnn"].runs[0].model.get_layer("conv_d1").get_weights()[0][:, 0, :]
)  # (kernel, filters)
im = axes[0].imshow(
    kernel, aspect="auto", cmap="coolwarm", vmin=-abs(kernel).max(), vmax=abs(kernel).max()
)
axes[0].set(
    title=f"{label('cnn')} first-layer filters",
    xlabel="filter",
    ylabel="tap (0 = oldest of 3 days)",
)
fig.colorbar(im, ax=axes[0], label="filter weight (scaled inputs)")
episode = log_vol.index[(log_vol.index >= "2017-12-01") & (log_vol.index <= "2018-04-30")]
lstm_run = families["lstm"].runs[0]
gates = lstm_gates(lstm_run.model, lstm_run.input_windows(episode))
for g in ["input", "forget", "output"]:
    axes[1].plot(episode, gates[g].mean(axis=1), label=f"{g} gate (mean over units)")
ax2 = axes[1].twinx()
ax2.plot(episode, log_vol.loc[episode], color="k", lw=1, label="log vol (right)")
axes[1].set(
    title=f"{label('lstm')} gates around February 2018",
    ylim=(0, 1),
    xlabel="date",
    ylabel="gate activation",
)
ax2.set_ylabel("log annualised volatility")
axes[1].legend(loc="upper left", fontsize=8)
ax2.legend(loc="upper right", fontsize=8)
fig.tight_layout()
save_figure(fig, out, "inside_networks")

# %% [markdown] tags=[]
# **The dense network vs HAR.** Both see the same three inputs; HAR maps them linearly. Plotting one's test
# forecasts against the other's (first seed) shows where the network departs from HAR's fitted linear map: points
# off the diagonal. A cloud that is straight but off the diagonal is a different level or slope (see `bias`), not
# non-linearity; curvature would be. **The autoencoder's code** over the test period shows what its three learned numbers track.

# %% tags=[]
fig, axes = plt.subplots(1, 2, figsize=(14, 3.8))
h1 = horizons[0]
dense_fc = families["dense_har"].runs[0].forecasts[h1]["log_vol"].loc[base["har"][h1].index]
axes[0].scatter(base["har"][h1], dense_fc, s=4, alpha=0.5)
lims = [min(base["har"][h1].min(), dense_fc.min()), max(base["har"][h1].max(), dense_fc.max())]
axes[0].plot(lims, lims, color="k", lw=0.8)
axes[0].set(
    title=f"{h1}-day forecasts: {label('dense_har')} vs HAR",
    xlabel="HAR (log vol)",
    ylabel="dense net (log vol)",
)
ae_run = families["ae_features"].runs[0]
windows = ae_run.input_windows(test_origins)
encoder_codes = models.encode(ae_run.model.get_layer("encoder"), windows.reshape(len(windows), -1))
codes = pd.DataFrame(encoder_codes, index=test_origins, columns=["code 1", "code 2", "code 3"])
codes.plot(
    ax=axes[1],
    lw=0.8,
    title=f"{label('ae_features')}: autoencoder code over the test period",
    xlabel="forecast origin",
    ylabel="code value (unitless)",
)
fig.tight_layout()
save_figure(fig, out, "dense_and_autoencoder")

# %% [markdown] tags=[]
# ## Non-linearity or free linear weights? The sequence networks against their linear twin
#
# The sequence families (RNN, LSTM, GRU, CNN, autoencoder features) see the last `window` days; `linear_window`
# sees the same days and combines them linearly. A second family of tests, the same protocol with `linear_window`
# as the benchmark on MSE (DM with HAC variance and HLN, Holm over these tests, MCS over these models; `ratio` is
# the ratio of mean squared errors), asks whether the networks' non-linearity adds anything to a linear map of
# their own inputs. Two differences besides the non-linearity remain: `linear_window` is fitted, like HAR, on
# targets up to `test_start`, the networks on targets before `val_start` only; and the CNN's receptive field
# (15 days) is shorter than the window. A network that is not distinguishable from `linear_window` has shown
# nothing beyond it. `dense_har`'s linear twin is HAR itself, tested above.

# %% tags=[]
sequence_nets = [m for m in ["rnn", "lstm", "gru", "cnn", "ae_features"] if m in families]
ablation = compare_bakeoff(
    log_vol,
    {m: tested[m] for m in ["linear_window", *sequence_nets]},
    "linear_window",
    trained={m: m not in untrained for m in sequence_nets},
    losses=["mse"],
    seed=seed,
)
display(Markdown(verdict_bottom_line(ablation)))
verdict_table(ablation).drop(columns="cw_pvalue_holm").round(4)  # no model here nests linear_window

# %% [markdown] tags=[]
# ## Conclusion
#
# The readings below are computed from this run's tests. HAR is a strong benchmark because it already encodes what
# the networks must learn: volatility is persistent, with a long memory that three averages approximate (Corsi
# 2009). `linear_window` splits what a sequence network could add to HAR in two: free linear weights on the same
# 22 days (its test against HAR) and a non-linearity (the networks' tests against it). Read the seed spread before
# the ensemble's number: a family whose margin over another is smaller than its
# seed-to-seed spread has not shown that it is better. And read QLIKE next to RMSE: the two can rank the models
# differently. A forecast that is unbiased for log volatility is biased low for variance (Jensen's inequality), so a
# model whose log forecasts sit a little high (see `bias`) can lose in RMSE and still do well in QLIKE; that part
# of a gain is a level correction, not skill at timing volatility. `har_jensen` makes the same correction
# explicitly, in one line; the networks are tested against HAR, not against `har_jensen`, so a QLIKE win over HAR
# does not show that a network beats the corrected HAR: the computed summary names the model with the lowest mean
# QLIKE at each horizon. Any "best" family is
# chosen on the validation period only (each family's width is); the test period ranks nothing here beyond the
# tests and the model confidence set.

# %% tags=[]
share = {m: fam.trained_share for m, fam in families.items()}
lines = [
    "Families that did not train in every fit (not interpreted): "
    + (", ".join(f"{m} ({share[m]:.0%} of fits)" for m in untrained) if untrained else "none")
    + ".",
    verdict_bottom_line(results),
    verdict_summary(results),
    verdict_bottom_line(ablation),
]
display(Markdown("\n\n".join(lines)))

# %% [markdown] tags=[]
# ## Exercises
#
# 1. **(recall)** Why does the notebook score volatility forecasts with QLIKE beside RMSE? Compute QLIKE for a
#    variance forecast 20% too low and one 20% too high, and reproduce the baselines' 1-day RMSEs of the
#    reference above.
# 2. **(apply)** Rerun the baselines with `dataset = "nasdaq"` at 1, 5 and 22 days and test them against HAR
#    (`compare_bakeoff`). Does HAR's lead over persistence and the 22-day mean hold, and at which horizon is it
#    smallest?
# 3. **(apply)** `har_jensen` against HAR, 1 day ahead, in MSE and in QLIKE: why can the same shift lose in one
#    loss and win in the other? Show that a constant shift `c` of a forecast with mean error `b` changes its MSE
#    by `c^2 - 2 c b`.
# 4. **(extend)** Add a quarterly component to HAR (`har_forecast(..., windows=(1, 5, 22, 66))`) and test it
#    against the notebook's HAR at every horizon. Does memory beyond a month buy anything here, and what would a
#    network have to find that this HAR cannot?
#
# Worked solutions: `solutions/08_model_families_volatility_bakeoff_solutions.ipynb`.

# %% tags=[]
metrics = {
    "run.n_seeds": n_seeds,
    "run.window": window,
    f"run.n_test_days_h{horizons[0]}": len(base["har"][horizons[0]]),
}
for (name, h), row in table.iterrows():
    metrics |= {f"{name}.{k}_h{h}": row[k] for k in ["rmse", "mae", "qlike", "bias"]}
    metrics |= {f"{name}.{k}_h{h}": row[k] for k in ["rmse_seed_std", "qlike_seed_std"]}
metrics |= bakeoff_metrics(results)
metrics |= {
    k: v for k, v in bakeoff_metrics(ablation).items() if "_vs_" in k
}  # MCS kept from above
for name, fam in families.items():
    fits = fit_summary[name]
    metrics |= {
        f"{name}.params": fam.runs[0].n_params,
        f"{name}.train_seconds": float(np.mean([r.train_seconds for r in fam.runs])),
        f"{name}.units": fam.chosen.units,
        f"{name}.trained": int(fam.trained),
        f"{name}.trained_share": fam.trained_share,
        f"{name}.best_epoch": int(fits["kept_epoch_median"]),
        f"{name}.still_improving_share": fits["still_improving_share"],
    }
metrics |= {
    "har.params": len(HAR_WINDOWS) + 1,
    "har.train_seconds": har_seconds,
}  # constant + 3 slopes
metrics |= {"persistence.params": 0, "persistence.train_seconds": 0.0, "mean_22d.params": 0}
metrics |= {"linear_window.params": window + 1}
record_metrics(
    metrics,
    out,
    headline=[f"har.rmse_h{horizons[0]}", f"lstm.rmse_h{horizons[0]}", f"cnn.rmse_h{horizons[0]}"],
)
