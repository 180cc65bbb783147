# %% [markdown] tags=[]
# # 05 · Interest-rate risk: forecasting the yield curve, learning its factors, shocking a bond book
#
# **Question.** Can recurrent networks and autoencoders model the term structure better than Nelson–Siegel factors
# and the random walk, and what does a rate shock do to a bond book?
#
# **Data.** (1) A monthly zero-coupon yield-curve panel, 3 months to 30 years, 1970–2000, from the seeded dynamic
# Nelson–Siegel generator `make_yield_curves` (factor dynamics after Diebold & Li 2006; the true level, slope and
# curvature come with it as ground truth). (2) Real monthly yields: Moody's AAA and BAA corporate yields
# (`corporate_yields`) and the one-month T-bill rate from `fama_french` (annualised), 1954–2018. The quarterly
# T-bill rate in `us_macro` is shown for comparison.
#
# **Models.** An LSTM (or GRU: `cell`) that maps a window of past curves to the yield *changes* at 1, 6 and 12
# months at once (direct multi-horizon), re-estimated every `refit_every` months; an autoencoder with a 3-unit
# bottleneck. **Baselines.** The random walk (no change) and Diebold–Li's two-step DNS with AR(1) factors,
# re-estimated at every origin; PCA with three components.
# **Evaluation.** RMSE per maturity and horizon relative to the random walk; per horizon, squared errors pooled
# over the five maturities per date are compared with the shared protocol (`compare_forecasts`): Diebold–Mariano
# against the random walk (Bartlett HAC, HLN), Holm over every model-vs-random-walk test the notebook reports, and
# the Model Confidence Set over all models. A network whose re-estimations do not all beat a constant on their
# validation block is labelled untrained and not interpreted. Reconstruction error (training and test) and
# recovery of the true factors for the curve factors. **Bond risk.** Duration, convexity, DV01 (analytic vs bump-and-reprice),
# the six IRRBB shock scenarios on a small book's economic value, key-rate durations.
#
# **Runtime** (2 CPU cores heavily shared with other jobs): 1328 s (about 22 minutes) in the full
# profile, measured at the last render; about 20 s in the quick profile, measured earlier.

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick": same data, tiny nets and few epochs (CI); "full": the teaching run
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
curve_seed = (
    0  # seed of the simulated yield-curve panel (the data), separate from the training seed
)
curve_start = "1970-01-01"  # first month of the simulated panel
curve_end = "2000-12-01"  # last month
test_start = (
    "1994-01-01"  # first forecast origin (Diebold and Li's out-of-sample period: 1994-2000)
)
horizons = [1, 6, 12]  # months ahead: an int or a list
maturities = [3, 12, 36, 60, 120]  # months: the maturities forecast and reported
cell = "lstm"  # "lstm" or "gru"
window = 12  # months of past curves per sample
refit_every = (
    0  # months between re-estimations of the network; 0: by profile (quick: once, full: 24)
)
epochs = 0  # 0: by profile (quick 5, full 300); early stopping picks the epoch
units = 0  # 0: by profile (quick 4, full 16)
ae_epochs = (
    0  # autoencoder epoch budget; 0: by profile (quick 150, full 2000); early stopping ends it
)
mc_panels = 0  # simulated panels in the Monte Carlo of DNS vs random walk; 0: by profile (quick 20, full 200)
real_start = "1954-01-01"  # real yields: first month used
real_test_start = "2005-01-01"  # real yields: first forecast origin

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from finrisk_utils import rates, record_metrics, setup
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
    no_change_forecast,
    pooled_squared_errors,
)
from finrisk_utils.models import plot_training
from finrisk_utils.rates import (
    autoencoder_curve_factors,
    dns_ar1_forecast,
    dns_vs_random_walk_study,
    factor_reading,
    factor_recovery,
    fit_nelson_siegel,
    make_yield_curves,
    maturity_label,
    monte_carlo_reading,
    pca_curve_factors,
)
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
horizons = sorted([horizons] if isinstance(horizons, int) else horizons)
epochs = epochs or by_profile(profile, quick=5, full=300)
units = units or by_profile(profile, quick=4, full=16)
refit_every = refit_every or by_profile(profile, quick=0, full=24)
ae_epochs = ae_epochs or by_profile(profile, quick=150, full=2000)
mc_panels = mc_panels or by_profile(profile, quick=20, full=200)
out = resolve_output_dir(output_dir)
pd.set_option("display.precision", 3)

# %% [markdown] tags=[]
# ## The simulated curve panel and its ground truth
#
# In the dynamic Nelson–Siegel model the yield of maturity $m$ months is
# $y_t(m) = \beta_{1t} + \beta_{2t}\,\frac{1-e^{-\lambda m}}{\lambda m} + \beta_{3t}\left(\frac{1-e^{-\lambda m}}{\lambda m} - e^{-\lambda m}\right) + u_t(m)$,
# with $\lambda = 0.0609$: $\beta_1$ is the level (loading 1 at every maturity), $\beta_2$ the slope (short end),
# $\beta_3$ the curvature (medium maturities). Here each factor is an AR(1) with the mean, standard deviation and
# first-order autocorrelation of Diebold and Li's estimated US Treasury factors, 1985–2000 (Diebold and Li 2006,
# Table 3, transcribed, not re-estimated), and $u$ is 8 bp of measurement noise. Because the generator *is* a
# DNS-AR(1), Diebold–Li's model is correctly specified on these data: up to the error of estimating it, it is the
# best any forecaster can hope for, and the question is how close the network comes.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
n_months = len(pd.date_range(curve_start, curve_end, freq="MS"))
panel = make_yield_curves(n_months, start=curve_start, seed=curve_seed)
yields, true_factors = panel.yields, panel.factors
print(
    f"{yields.shape[0]} months x {yields.shape[1]} maturities ({yields.index[0]:%Y-%m} to {yields.index[-1]:%Y-%m})"
)
print(
    "true factor dynamics: mean",
    panel.params.mean,
    "| AR(1)",
    [panel.params.ar[k][k] for k in range(3)],
)
yields.describe().T[["mean", "std", "min", "max"]].round(2)

# %% tags=[]
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
for date in yields.index[::60]:
    axes[0].plot(np.array(yields.columns) / 12, yields.loc[date], marker=".", label=f"{date:%Y-%m}")
axes[0].set(xlabel="maturity (years)", ylabel="yield (%)", title="Simulated curves, every 5 years")
axes[0].legend(fontsize=8)
true_factors.plot(ax=axes[1], title="True factors (ground truth)", lw=1)
fig.tight_layout()
save_figure(fig, out, "curves")

# %% [markdown] tags=[]
# ## Forecasts: random walk, Diebold–Li DNS-AR(1), and a recurrent network
#
# Forecast origins run monthly from `test_start`; a forecast made at origin $t$ for $t+h$ uses only curves up to
# $t$. Diebold–Li step one fits the three factors to each month's curve; step two regresses each factor at $t+h$
# on its value at $t$ (a *direct* AR(1)), re-estimated at every origin on the pairs already observed. The network
# sees the last `window` curves (all ten maturities) and outputs the changes of the five reported yields at all
# three horizons at once; its scalers and weights come from data before each re-estimation date only, and the
# newest 36 training samples are held out to stop training early, with an embargo of 11 origins (the longest
# horizon minus one) between them and the training samples so that no training target falls inside the
# validation block. Each re-estimation counts as trained only if its kept weights beat a constant (the mean
# training change) on that validation block.

# %% tags=[]
origins = yields.index[yields.index >= test_start]
spec = DirectNetSpec(
    kind=cell, window=window, units=units, epochs=epochs, patience=30, refit_every=refit_every
)
net = direct_deep_forecast(yields, yields[maturities], origins, horizons, spec)
print(f"{cell}: {net.n_params} weights; {net.training_text(cell)}")
display(net.training_table())
forecasts = forecasts_by_horizon(
    {
        "random_walk": lambda o, h: no_change_forecast(yields, o, h),
        "dns_ar1": lambda o, h: dns_ar1_forecast(yields, o, h),
    },
    yields.index,
    origins,
    horizons,
    columns=maturities,
)
forecasts[cell] = net.forecasts
fig = plot_training(net.fits[-1], title=f"{cell}: last re-estimation, MSE on scaled changes")
save_figure(fig, out, "training")

# %% tags=[]
table = horizon_table(yields, forecasts, benchmark="random_walk")
table["maturity"] = table["series"].map(maturity_label)
rmse_wide = table.pivot_table(
    index=["horizon", "model"], columns="series", values="rmse", sort=False
)
rmse_wide.columns = [maturity_label(m) for m in rmse_wide.columns]
print(f"RMSE (percentage points), {len(origins)} origins from {origins[0]:%Y-%m}")
rmse_wide

# %% tags=[]
ratio = table.pivot_table(
    index="series", columns=["horizon", "model"], values="rmse_ratio", sort=False
)
ratio.index = [maturity_label(m) for m in ratio.index]
print("RMSE relative to the random walk by maturity (< 1: better; descriptive, the tests follow)")
ratio.round(3)

# %% tags=[]
fig, axes = plt.subplots(1, len(horizons), figsize=(13, 3.6), sharey=True)
for ax, h in zip(axes, horizons, strict=True):
    ratio[h].plot.bar(ax=ax, rot=0, title=f"h = {h} months")
    ax.axhline(1.0, color="k", lw=0.8)
axes[0].set_ylabel("RMSE / random walk RMSE")
fig.tight_layout()
save_figure(fig, out, "rmse_ratios")

# %% tags=[]
trained = {cell: net.trained_share == 1.0}
results = {
    ("simulated", h): compare_forecasts(
        pooled_squared_errors(yields, {m: f[h] for m, f in forecasts.items()}),
        "random_walk",
        horizon=h,
        trained=trained,
        seed=seed,
    )
    for h in horizons
}

# %% [markdown] tags=[]
# **Reference.** In Diebold and Li (2006), Table 5 (real US Treasuries, 1994–2000, 6 months ahead) DNS-AR(1) has RMSE
# 0.517 / 0.669 / 0.750 / 0.777 / 0.721 against the random walk's 0.605 / 0.779 / 0.879 / 0.861 / 0.758 at
# 3m / 1y / 3y / 5y / 10y: ratios 0.85–0.95. The simulated errors above are larger: the generator draws from the
# *unconditional* distribution of the 1985–2000 factors, which includes the large swings of the late 1980s, while
# 1994–2000 was a calm stretch. And the one panel drawn here is one history among many: whether DNS beats the
# random walk over a single seven-year test window is itself a random event. The tests below pool the squared
# errors of the five maturities per date, one comparison per horizon. The Monte Carlo after them repeats the
# DNS-vs-random-walk comparison on `mc_panels` fresh panels from the same model (the network is left out: it
# would cost a training run per panel).

# %% tags=[]
mc = dns_vs_random_walk_study(
    mc_panels,
    n_months=n_months,
    start=curve_start,
    test_start=test_start,
    horizons=horizons,
    maturities=maturities,
    first_seed=curve_seed + 1,
)
mc_summary = mc.groupby("horizon")["ratio"].describe(percentiles=[0.1, 0.5, 0.9])
mc_summary["share_dns_wins"] = mc.assign(win=mc["ratio"] < 1).groupby("horizon")["win"].mean()
panel_ratio = {
    h: float(results["simulated", h].table.set_index("model").loc["dns_ar1", "ratio"]) ** 0.5
    for h in horizons
}
print(
    f"DNS-AR(1) RMSE / random-walk RMSE over {mc_panels} simulated panels (pooled over maturities)"
)
display(mc_summary.round(3))
display(Markdown(monte_carlo_reading(mc_summary, panel_ratio)))

# %% [markdown] tags=[]
# ## Curve factors: autoencoder vs PCA
#
# Both compress each month's 10 yields into 3 numbers, are fitted on curves before `test_start`, and reconstruct
# the test-period curves. PCA is the optimal *linear* 3-factor compression; the autoencoder (tanh layers around a
# linear 3-unit code, Adam with learning rate 0.01, early stopping on the newest fifth of the training curves) can
# bend, which only helps if the curve has structure that three linear factors miss. On a Nelson–Siegel world it
# has none beyond the noise, so PCA should win or tie. A possible trap: tanh units saturate, so an autoencoder may
# not represent curves far outside the range it was trained on, whereas PCA's linear factors extrapolate. To tell
# a failure to fit from a failure to extrapolate, the table shows both methods' training and test reconstruction
# errors and the share of saturated tanh activations in each period. A learned factor's rotation and scale
# are arbitrary, so recovery is measured as the out-of-sample correlation of each true factor with its best linear
# combination of the learned factors (map fitted on the training months).

# %% tags=[]
train_curves, test_curves = yields[yields.index < test_start], yields[yields.index >= test_start]
f_train, f_test = true_factors.loc[train_curves.index], true_factors.loc[test_curves.index]
factor_fits = {
    "pca": pca_curve_factors(train_curves, test_curves),
    "autoencoder": autoencoder_curve_factors(
        train_curves, test_curves, epochs=ae_epochs, learning_rate=1e-2, patience=100
    ),
}
recovery = {
    k: factor_recovery(r.latent_train, f_train, r.latent_test, f_test)
    for k, r in factor_fits.items()
}
ns = fit_nelson_siegel(test_curves)
recovery["nelson_siegel_fit"] = {k: float(np.corrcoef(ns[k], f_test[k])[0, 1]) for k in ns.columns}
factor_table = pd.DataFrame(
    {
        k: {
            "recon_rmse_train_pp": r.recon_rmse_train,
            "recon_rmse_pp": r.recon_rmse,
            "variance_explained": r.variance_explained,
            "saturated_train": r.saturation_train,
            "saturated_test": r.saturation_test,
        }
        for k, r in factor_fits.items()
    }
).T.join(pd.DataFrame(recovery).T.add_prefix("corr_"), how="outer")
print(
    f"yields, training period: {train_curves.min().min():.2f} to {train_curves.max().max():.2f}%; "
    f"test period: {test_curves.min().min():.2f} to {test_curves.max().max():.2f}%"
)
display(factor_table)
display(Markdown(factor_reading(factor_fits["pca"], factor_fits["autoencoder"])))

# %% tags=[]
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
m5 = maturities[-1]
test_curves[m5].plot(ax=axes[0], color="k", lw=1.5, label="actual")
for k, r in factor_fits.items():
    r.reconstruction_test[m5].plot(ax=axes[0], lw=1, label=k)
axes[0].set(
    title=f"{maturity_label(m5)} yield, test period: actual and reconstructions", ylabel="%"
)
axes[0].legend()
err = pd.DataFrame(
    {
        k: np.sqrt(((r.reconstruction_test - test_curves) ** 2).mean())
        for k, r in factor_fits.items()
    }
)
err.index = [maturity_label(m) for m in err.index]
err.plot.bar(ax=axes[1], rot=0, title="Test reconstruction RMSE by maturity (pp)")
ae_fit = factor_fits["autoencoder"].fit
axes[2].plot(range(1, ae_fit.epochs_run + 1), ae_fit.loss, label="training")
axes[2].plot(range(1, ae_fit.epochs_run + 1), ae_fit.val_loss, label="early-stopping block")
axes[2].axvline(ae_fit.best_epoch, color="k", lw=0.8, ls=":", label="kept epoch")
axes[2].set(
    yscale="log", xlabel="epoch", ylabel="MSE (standardized yields)", title="Autoencoder training"
)
axes[2].legend()
fig.tight_layout()
save_figure(fig, out, "factors")

# %% [markdown] tags=[]
# ## Real yields: AAA, BAA and the T-bill rate
#
# The same forecasters on real monthly data, one series at a time for the benchmarks: the random walk and a direct
# AR(1) per horizon (re-estimated at every origin), against the network on all three series. Three points do not
# make a Treasury curve, so there is no DNS here. Origins run from `real_test_start`, which takes in the 2008
# crisis and seven years at the zero lower bound: a regime that no training sample before it contains.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
ff = load("fama_french")
real = load("corporate_yields").join((12 * ff["rf"]).rename("tbill"), how="inner")
real = real[real.index >= real_start]
tbill_q = load("us_macro")["tbilrate"]
print(
    f"real yields: {real.shape[0]} months, {real.index[0]:%Y-%m} to {real.index[-1]:%Y-%m}; columns {list(real.columns)}"
)
both = (
    real["tbill"]
    .resample("QS")
    .mean()
    .to_frame("fama_french rf x 12")
    .join(tbill_q.rename("us_macro tbilrate"), how="inner")
)
print(
    f"quarterly T-bill rates, {len(both)} common quarters: correlation {both.corr().iloc[0, 1]:.3f}"
)
real.describe().T[["mean", "std", "min", "max"]].round(2)

# %% tags=[]
real_origins = real.index[real.index >= real_test_start]
real_net = direct_deep_forecast(real, real, real_origins, horizons, spec)
real_fc = forecasts_by_horizon(
    {
        "random_walk": lambda o, h: no_change_forecast(real, o, h),
        "ar1": lambda o, h: pd.DataFrame(
            {c: direct_ar_forecast(real[c], o, h, lags=1) for c in real}
        ),
    },
    real.index,
    real_origins,
    horizons,
)
real_fc[cell] = real_net.forecasts
real_table = horizon_table(real, real_fc, benchmark="random_walk")
real_ratio = real_table.pivot_table(
    index="series", columns=["horizon", "model"], values="rmse_ratio", sort=False
)
results |= {
    ("real", h): compare_forecasts(
        pooled_squared_errors(real, {m: f[h] for m, f in real_fc.items()}),
        "random_walk",
        horizon=h,
        trained={cell: real_net.trained_share == 1.0},
        seed=seed,
    )
    for h in horizons
}
print(real_net.training_text(cell))
real_rmse = real_table.pivot_table(
    index=["horizon", "model"], columns="series", values="rmse", sort=False
)
print(
    f"real yields: RMSE (pp) and ratio to the random walk, {len(real_origins)} origins from {real_origins[0]:%Y-%m}"
)
pd.concat({"RMSE": real_rmse.T, "ratio": real_ratio}, axis=0).round(3)

# %% [markdown] tags=[]
# ## Bond risk: duration, convexity, DV01, and the IRRBB scenarios
#
# Three bonds priced at a 4% yield: analytic modified duration, convexity and DV01 against central
# bump-and-reprice (±0.1 bp). Then a small book, valued on the last simulated curve (zero rates, continuously
# compounded), under the six Basel IRRBB shock scenarios for USD (BCBS 2016, *Interest rate risk in the banking
# book*, standardised shocks: parallel ±200 bp, short ±300 bp decaying with tenor, steepener, flattener) and its
# key-rate durations.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
bonds = {
    "2y 4% semi-annual": rates.Bond(0.04, 2),
    "10y 3.5% semi-annual": rates.Bond(0.035, 10),
    "30y zero": rates.Bond(0.0, 30, 1),
}
risk = rates.bond_risk_table(bonds, 0.04)
assert (risk["max_rel_gap"] < 1e-6).all()
assert abs(risk.loc["2y 4% semi-annual", "price"] - 100) < 1e-9  # a par bond prices at par
assert (
    abs(rates.macaulay_duration(bonds["30y zero"], 0.04) - 30) < 1e-9
)  # a zero's duration is its maturity
risk.round(6)

# %% tags=[]
# NBVAL_CHECK_OUTPUT
last = yields.iloc[-1]
curve = rates.ZeroCurve(tuple(np.array(last.index) / 12), tuple(last.to_numpy() / 100))
book = {bond: notional for bond, notional in zip(bonds.values(), [40e6, 35e6, 25e6], strict=True)}
value = rates.portfolio_value(book, curve)
bp = rates.eve_changes(book, curve, {"up_1bp": lambda t: np.full_like(t, 1e-4)})["up_1bp"]
delta_eve = rates.eve_changes(book, curve, rates.irrbb_shocks())
krd = rates.key_rate_durations(book, curve)
print(
    f"curve of {yields.index[-1]:%Y-%m}: 3m {last.iloc[0]:.2f}%, 10y {last[120]:.2f}%, 30y {last[360]:.2f}%"
)
print(
    f"book value {value:,.0f}; DV01 (+1 bp parallel) {-bp:,.0f}; sum of key-rate durations {krd.sum():.3f} years"
)
pd.DataFrame({"delta_EVE": delta_eve, "% of value": 100 * delta_eve / value}).round(2)

# %% tags=[]
fig, axes = plt.subplots(1, 2, figsize=(13, 3.8))
(delta_eve / 1e6).plot.bar(
    ax=axes[0], rot=30, title="Change of economic value by IRRBB scenario (millions)"
)
axes[0].axhline(0, color="k", lw=0.8)
krd.plot.bar(ax=axes[1], rot=0, title="Key-rate durations of the book (years)")
axes[1].set_xlabel("tenor (years)")
fig.tight_layout()
save_figure(fig, out, "bond_risk")

# %% [markdown] tags=[]
# ## Conclusion
#
# The verdicts below are computed from this run. On simulated panels the data-generating process is a DNS-AR(1),
# so Diebold–Li's two-step model is correctly specified and the benchmark to beat; the network, given the same
# information, has to *learn* the mean reversion that DNS assumes from a few hundred overlapping monthly samples,
# and its rank can change with the training seed (this notebook is run with one seed; notebook 07 measures the
# seed spread of the networks of notebooks 01, 02 and 08, not of this one). On real yields the test window takes
# in the fall of rates to zero after 2008, which no training sample before it contains (only the later
# re-estimations see it). The table holds every model-vs-random-walk test of the notebook (per horizon, squared
# errors pooled over maturities or series); Holm's adjustment runs over all of them except those of a network
# labelled untrained (shown, not adjusted, not interpreted), and the MCS (10%, MSE) over all models of each
# comparison. For the
# bond book, the scenario that hurts most depends on where the book's key-rate durations sit.

# %% tags=[]
results = holm_across(results)
verdicts = comparison_table(results, key=("data", "horizon"))
display(verdicts.round(3))
lines = [
    net.training_text(f"On simulated curves the {cell}"),
    real_net.training_text(f"On real yields the {cell}"),
]
lines += [f"**{data}, h = {h}.** {r.verdict_text()}" for (data, h), r in results.items()]
worst = delta_eve.idxmin()
lines.append(
    f"Bond book: the worst IRRBB scenario is {worst}, a change of economic value of "
    f"{delta_eve[worst]:,.0f} ({100 * delta_eve[worst] / value:.1f}% of value)."
)
display(Markdown("\n\n".join(lines)))

# %% tags=[]
metrics = {"run.n_origins": len(origins), "run.window": window}
# per-maturity DM p-values are not reported (the tests are on pooled losses, in the Holm family above)
metrics |= horizon_metrics(table, "random_walk", series_label=maturity_label, pooled=True)
metrics |= horizon_metrics(real_table, "random_walk")
metrics = {k: v for k, v in metrics.items() if ".dm_pvalue_" not in k}
for (data, h), r in results.items():
    suffix = "" if data == "simulated" else "_real"
    metrics |= {k + suffix: v for k, v in r.metrics(horizon=h).items()}
for suffix, n in (("", net), ("_real", real_net)):
    metrics |= {
        f"{cell}.trained{suffix}": int(n.trained_share == 1.0),
        f"{cell}.trained_share{suffix}": n.trained_share,
        f"{cell}.best_epoch{suffix}": n.fits[-1].best_epoch,
    }
for h, row in mc_summary.iterrows():
    metrics |= {
        f"dns_ar1_vs_random_walk.mc_rmse_ratio_mean_h{h}": row["mean"],
        f"dns_ar1_vs_random_walk.mc_win_share_h{h}": row["share_dns_wins"],
    }
for k, r in factor_fits.items():
    metrics |= {f"{k}.recon_rmse": r.recon_rmse, f"{k}.variance_explained": r.variance_explained}
    metrics[f"{k}.recon_rmse_train"] = r.recon_rmse_train
    metrics |= {f"{k}.factor_corr_{f}": v for f, v in recovery[k].items()}
metrics |= {
    "autoencoder.best_epoch": ae_fit.best_epoch,
    "autoencoder.epochs_run": ae_fit.epochs_run,
    "autoencoder.converged": int(factor_fits["autoencoder"].converged),
    "autoencoder.saturated_share_train": factor_fits["autoencoder"].saturation_train,
    "autoencoder.saturated_share_test": factor_fits["autoencoder"].saturation_test,
}
metrics |= {"bond_book.value": value, "bond_book.dv01": -bp, "bond_book.krd_sum": krd.sum()}
metrics |= {f"bond_book.delta_eve_{k}": v for k, v in delta_eve.items()}
metrics["bond_book.max_rel_gap_analytic_bump"] = risk["max_rel_gap"].max()
record_metrics(
    metrics,
    out,
    headline=[
        f"dns_ar1_vs_random_walk.rmse_ratio_h{horizons[-1]}",
        f"{cell}_vs_random_walk.rmse_ratio_h{horizons[-1]}",
        "autoencoder.recon_rmse",
        "pca.recon_rmse",
    ],
)
