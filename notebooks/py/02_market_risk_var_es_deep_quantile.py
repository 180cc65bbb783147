# %% [markdown] tags=[]
# # 02 · Market risk: deep VaR and Expected Shortfall against GARCH and historical simulation
#
# **Question.** Can a deep network forecast 1-day Value-at-Risk and Expected Shortfall better than the standard
# models a risk desk uses, judged by the backtests a regulator and a model validator apply?
#
# **Data.** Daily log returns in percent of `dataset` (`sp500` by default; `nasdaq`, `wti` work too). Every model is
# fitted on returns before `test_start` and forecasts each day of `test_start`–`test_end` (2015–2018) from the
# returns before it. The deep models train on targets before `val_start` and select their settings and stopping
# epoch on `val_start`–`test_start` (2013–2014), then refit on all pre-test data. The test period is looked at
# once, at the end. A second section does the same for an equally weighted S&P 500 / NASDAQ / WTI portfolio.
#
# **Models.** An LSTM and a 1-D CNN that output the return quantile at 1 − `confidence` and the ES, trained with
# the Fissler–Ziegel FZ0 loss (the strictly consistent joint score for VaR and ES); inputs are past returns either
# raw (scaled by the training standard deviation) or standardized by an EWMA volatility, chosen on validation.
# **Baselines.** Historical simulation (250 days), filtered HS, GARCH(1,1) with Student-t and skew-t innovations
# (`arch`, estimated on pre-test data, then filtered forward), RiskMetrics EWMA (λ = 0.94).
# **Backtests.** Kupiec POF, Christoffersen independence and conditional coverage, Basel traffic light, the
# Acerbi–Székely Z2 ES test, pinball and FZ0 losses, Diebold–Mariano tests of the loss differences.
#
# **Runtime** (2 CPU cores): about 30 s in the quick profile, about 3–4 min in the full profile (eight candidate
# networks are trained for selection, two more for the portfolio).

# %% tags=["parameters"]
seed = 42
profile = (
    "full"  # "quick": one small candidate per network, 3 epochs (CI); "full": the teaching run
)
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
dataset = "sp500"  # sp500, nasdaq or wti
confidence = 0.99  # VaR/ES confidence level, e.g. 0.99 or 0.95
val_start = "2013-01-01"  # validation period (model selection, early stopping) starts here
test_start = "2015-01-01"
test_end = "2018-12-31"
window = (
    0  # look-back of the networks in trading days; 0: choose 20 or 60 on validation (full profile)
)
epochs = 0  # 0: by profile (quick 3, full 150); early stopping picks the epoch
portfolio = "sp500,nasdaq,wti"  # assets of the equally weighted portfolio section ("" to skip)

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from finrisk_utils import record_metrics, setup
from finrisk_utils.core import by_profile, log_returns, portfolio_log_returns, save_figure
from finrisk_utils.data import load_price_panel, load_prices
from finrisk_utils.forecasting import diebold_mariano
from finrisk_utils.market import (
    DeepVaRSpec,
    backtest_metrics,
    backtest_table,
    backtest_var,
    benchmark_goals,
    classical_var_forecasts,
    exceptions_of,
    plot_exception_timeline,
    plot_var_backtest,
    select_on_validation,
)
from finrisk_utils.models import plot_training
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
out = resolve_output_dir(output_dir)
alpha = 1 - confidence
epochs = epochs or by_profile(profile, quick=3, full=150)
windows = [window] if window else by_profile(profile, quick=[20], full=[20, 60])
schemes = by_profile(profile, quick=["ewma"], full=["ewma", "none"])
units = by_profile(profile, quick=8, full=32)
pd.set_option("display.precision", 4)
pd.set_option("display.width", 200)

# %% [markdown] tags=[]
# ## Data and the test window

# %% tags=[]
# NBVAL_CHECK_OUTPUT
returns = log_returns(load_prices(dataset))  # % per day
test = returns.loc[test_start:test_end]
dates = test.index
print(
    f"{dataset}: {len(returns)} daily returns {returns.index[0].date()} to {returns.index[-1].date()}"
)
print(
    f"test window: {len(test)} days, {dates[0].date()} to {dates[-1].date()}; at {confidence:.0%} "
    f"{alpha * len(test):.1f} exceptions are expected"
)

# %% [markdown] tags=[]
# ## Baselines
#
# Each baseline forecasts VaR and ES (positive losses, % of value) for every test day from returns before it.
# GARCH parameters are estimated once on the returns before `test_start` and held fixed; the conditional variance is
# filtered forward through the test window (each day's forecast uses returns through the day before). Filtered HS
# rescales the empirical quantile of the GARCH-t standardized residuals by the filtered volatility.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
forecasts = classical_var_forecasts(returns, dates, confidence, fit_end=test_start)
pd.Series(
    {name: int(exceptions_of(test, fc).sum()) for name, fc in forecasts.items()}, name="exceptions"
)

# %% [markdown] tags=[]
# Reproducing the reference figures (S&P 500, 2015–2018, 99%): GARCH-t 16 exceptions, GARCH-skew-t and FHS 15,
# HS-250 18; pinball losses ≈ 0.0331 / 0.0325 / 0.0324 / 0.0357; GARCH-t 53 exceptions at 95%. They agree
# (the unit tests pin them within ±2). One detail mattered: the FHS figure is reproduced when the filter is the
# Student-t GARCH; filtering with a Gaussian-QMLE GARCH instead gives 14 exceptions at 99% and 35 at 95%. Both
# are legitimate FHS variants; we use the t filter the desk already estimates.

# %% [markdown] tags=[]
# ## Deep quantile/ES networks
#
# For each network (LSTM, CNN) the candidates are the input scheme (`ewma`: returns standardized by the EWMA
# volatility, the network learns the tail's shape; `none`: returns scaled by their training standard deviation,
# the network must learn volatility too) × the look-back window. Each is trained with the FZ0 loss on targets
# before `val_start`, stopped early on the validation period, and scored by its validation FZ0 loss in return
# units; the winner is refitted on all pre-test data for its chosen number of epochs. The test window plays no
# part in any of this.

# %% tags=[]
candidates = [
    DeepVaRSpec(kind=kind, vol_scaling=scheme, window=w, units=units, epochs=epochs)
    for kind in ["lstm", "cnn"]
    for scheme in schemes
    for w in windows
]
split_dates = {
    "confidence": confidence,
    "val_start": val_start,
    "test_start": test_start,
    "test_end": test_end,
}
deep, selection = {}, []
for kind in ["lstm", "cnn"]:
    name = f"{kind}_quantile"
    specs = [c for c in candidates if c.kind == kind]
    deep[name], table = select_on_validation(returns, specs, name=name, **split_dates)
    forecasts[name] = deep[name].forecast
    selection.append(table.assign(model=name))
selection = pd.concat(selection).set_index(["model", "vol_scaling", "window"])
selection[["val_fz0", "best_epoch"]]

# %% tags=[]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.5))
for ax, (name, res) in zip(axes, deep.items(), strict=True):
    assert np.isfinite(res.fit.loss).all() and np.isfinite(res.fit.val_loss).all()
    plot_training(
        res.fit, title=f"{name} ({res.spec.vol_scaling}, window {res.spec.window}): FZ0", ax=ax
    )
fig.tight_layout()
save_figure(fig, out, "training")

# %% [markdown] tags=[]
# ## Backtests, side by side
#
# *exceptions* vs *expected* (α × days); *kupiec_p*: unconditional coverage; *christoffersen_ind_p*: are
# exceptions independent from one day to the next; *christoffersen_cc_p*: both jointly; *zones_by_year*: Basel
# traffic light per calendar year (G/Y/R and the exception count); *es_z2*: Acerbi–Székely Z2 (0 when ES is right,
# negative when risk is underestimated) with its simulated p-value and verdict at 5%; *pinball*, *fz0*: mean
# quantile loss and joint VaR/ES loss (lower is better).

# %% tags=[]
results = [backtest_var(test.loc[fc.var.index], fc) for fc in forecasts.values()]
for r in results:
    assert 0 <= r.kupiec.exceptions <= r.kupiec.n and 0 <= r.kupiec.pvalue <= 1
table = backtest_table(results)
table

# %% tags=[]
# invariants of every model's forecasts: VaR is a positive loss and ES is at least VaR on every day
for fc in forecasts.values():
    assert (fc.var > 0).all() and (fc.es >= fc.var - 1e-9).all(), fc.name
by_name = {r.name: r for r in results}
dm_rows = {}
for name in deep:
    for loss in ["pinball", "fz0"]:
        a = getattr(by_name[name], f"{loss}_losses")
        b = getattr(by_name["garch_skewt"], f"{loss}_losses").loc[a.index]
        dm = diebold_mariano(a.to_numpy(), b.to_numpy())
        dm_rows[(name, loss)] = {
            "mean_diff": dm.mean_loss_diff,
            "dm_stat": dm.statistic,
            "pvalue": dm.pvalue,
        }
dm_table = pd.DataFrame(dm_rows).T.rename_axis(["model", "loss"])
print("Diebold-Mariano vs GARCH-skew-t (negative mean_diff: the network's loss is lower)")
dm_table

# %% tags=[]
fig = plot_var_backtest(
    test,
    [forecasts[k] for k in ["hs", "garch_skewt", "lstm_quantile", "cnn_quantile"]],
    title=f"{dataset}: daily returns and {confidence:.0%} VaR, exceptions marked",
)
save_figure(fig, out, "var_backtest")
fig = plot_exception_timeline(
    test, list(forecasts.values()), title="Exceptions in time (count in brackets)"
)
save_figure(fig, out, "exception_timeline")

# %% [markdown] tags=[]
# ## Did the networks meet the goals?
#
# The issue set goals relative to the best classical model, GARCH-skew-t: coverage not rejected by Kupiec or by
# Christoffersen's conditional-coverage test, conditional coverage no worse, no more distance between exceptions
# and expectation, and pinball (and FZ0) loss no higher. The table is computed, not written by hand.

# %% tags=[]
goals = benchmark_goals(results, list(deep), benchmark="garch_skewt")
goals

# %% tags=[]
met = goals["met"].groupby(level="model").agg(["sum", "count"])
for name, row in met.iterrows():
    r = by_name[name]
    print(
        f"{name}: {row['sum']}/{row['count']} goals met; {r.kupiec.exceptions} exceptions "
        f"(expected {r.kupiec.expected:.1f}), Kupiec p {r.kupiec.pvalue:.3f}, "
        f"CC p {r.christoffersen.pvalue_cc:.4f}, pinball {r.pinball:.4f} vs GARCH-skew-t "
        f"{by_name['garch_skewt'].pinball:.4f} (DM p {dm_table.loc[(name, 'pinball'), 'pvalue']:.2f})"
    )
ind_pass = [r.name for r in results if r.christoffersen.pvalue_ind > 0.05]
print("models passing Christoffersen independence at 5%:", ", ".join(ind_pass) or "none")

# %% [markdown] tags=[]
# **Reading the table** (the committed outputs are the full profile, seed 42, S&P 500 at 99%):
#
# 1. *Clustering defeats every classical model at 99%.* The exceptions of August 2015, early 2016 and
#    February/October–December 2018 arrive in bursts, and no classical model passes Christoffersen's
#    independence test (the reference run says the same). In this run the LSTM, whose window sees the
#    recent path of EWMA-standardized returns, does pass it and meets every goal against GARCH-skew-t; the CNN
#    does not (its exceptions cluster like GARCH's). That is one seed on one test window, and an earlier run
#    of the same code that differed only in the random draws let both networks pass: rerun with other seeds
#    (notebook 07) before believing either.
# 2. *Historical simulation is the worst classical model*: its 250-day window reacts slowly, so it has many
#    exceptions and the largest pinball loss; EWMA's normal tails are too thin at 99%.
# 3. *The differences are not statistically significant.* With 1,006 days and ~10 expected exceptions at 99%,
#    the Diebold–Mariano p-values of the networks' pinball and FZ0 losses against GARCH-skew-t are all above
#    0.05: even where a network's loss is lower, these data cannot tell it from GARCH. A lower number in a table
#    is not evidence that a deep model "beats GARCH"; such a test is.
# 4. *At 95% the networks are conservative.* Rerun with `-p confidence 0.95`: they give fewer exceptions than
#    expected and do not reliably pass both coverage tests, while GARCH-t passes both.
#
# The networks' numbers move with the seed by about as much as their gap to GARCH; the baselines' do not move at
# all. Model risk of this kind is the subject of notebook 07 (planned).

# %% [markdown] tags=[]
# ## Portfolio VaR: S&P 500, NASDAQ and WTI
#
# The same models and backtests on an equally weighted, daily rebalanced portfolio of the assets in `portfolio`
# (stocks and a commodity: the "investment" use of the seed article). The portfolio is treated as one return
# series (the portfolio-level approach a desk uses for a quick VaR); the networks reuse the settings selected above.

# %% tags=[]
port_results, port_table = [], None
if portfolio:
    assets = [a.strip() for a in portfolio.split(",")]
    port = portfolio_log_returns(load_price_panel(assets))
    port_test = port.loc[test_start:test_end]
    pdates = port_test.index
    port_fc = classical_var_forecasts(port, pdates, confidence, fit_end=test_start)
    for name, res in deep.items():
        port_fc[name] = select_on_validation(port, [res.spec], name=name, **split_dates)[0].forecast
    port_results = [backtest_var(port_test.loc[fc.var.index], fc) for fc in port_fc.values()]
    port_table = backtest_table(port_results)
    print(f"portfolio of {', '.join(assets)}: {len(port_test)} test days")
port_table

# %% [markdown] tags=[]
# ## Record

# %% tags=[]
metrics = {"run.n_test": len(test), "run.confidence": confidence, "run.dataset": dataset}
metrics |= backtest_metrics(results)
metrics |= {
    f"{m}_vs_garch_skewt.{loss}_dm_pvalue": row["pvalue"] for (m, loss), row in dm_table.iterrows()
}
metrics |= {f"{m}.goals_met": int(row["sum"]) for m, row in met.iterrows()}
metrics |= {f"{name}.window": res.spec.window for name, res in deep.items()}
metrics |= {f"{name}.vol_scaling": res.spec.vol_scaling for name, res in deep.items()}
if port_results:
    metrics |= {"run.n_test_portfolio": len(port_test)} | backtest_metrics(
        port_results, suffix="_portfolio"
    )
record_metrics(
    metrics,
    out,
    headline=[
        "garch_skewt.exceptions",
        "lstm_quantile.exceptions",
        "lstm_quantile.kupiec_pvalue",
        "lstm_quantile.pinball",
        "garch_skewt.pinball",
    ],
)
