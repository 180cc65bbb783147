# %% [markdown] tags=[]
# # 02 · Market risk: deep VaR and Expected Shortfall against GARCH and historical simulation
#
# **Question.** Can a deep network forecast 1-day Value-at-Risk and Expected Shortfall better than the standard
# models a risk desk uses, judged by the backtests a regulator and a model validator apply?
#
# **Data.** Daily log returns in percent of `dataset` (`sp500` by default; `nasdaq`, `wti` work too). Every model is
# fitted on returns before `test_start` and forecasts each day of `test_start`–`test_end` (2015–2018) from the
# returns before it. The deep models train on targets before `val_start` (by default two years before
# `test_start`) and select their settings and stopping epoch on `val_start`–`test_start`, then refit on all
# pre-test data. The test period is looked at once, at the end. Then: the same pipeline at the FRTB level
# (97.5% ES, BCBS 2019), on two stress windows (the 2008–2009 crisis and the end of the dot-com crash), and on an equally
# weighted S&P 500 / NASDAQ / WTI portfolio.
#
# **Models.** An LSTM and a 1-D CNN that output the return quantile at 1 − `confidence` and the ES, trained with
# the FZ0 loss (Patton, Ziegel and Chen 2019), a member of the class of strictly consistent joint scores for VaR
# and ES (Fissler and Ziegel 2016); inputs are past returns either raw (scaled by the training standard deviation)
# or standardized by an EWMA volatility, chosen on validation.
# **Ablation.** A linear quantile regression (CAViaR-style, Engle and Manganelli 2004) on a summary of the same
# EWMA-standardized inputs: what the networks' nonlinearity has to beat.
# **Baselines.** Historical simulation (250 days), filtered HS, GARCH(1,1) with Student-t and skew-t innovations,
# GJR-GARCH with skew-t innovations (`arch`, estimated on pre-test data, then filtered forward), RiskMetrics EWMA.
# **Backtests.** Kupiec POF (Kupiec 1995), Christoffersen independence and conditional coverage (Christoffersen
# 1998), Basel traffic light with its plus factor (BCBS 1996), the Acerbi–Székely Z2 ES test (Acerbi and Szekely
# 2014), and the shared comparison protocol on per-day pinball and FZ0
# losses against GARCH-skew-t: Diebold–Mariano (HAC variance, HLN correction), Holm over the reported family, the
# model confidence set over every model that trained (an untrained network is not a candidate).
#
# **Runtime** (2 CPU cores): 517 s in the full profile (eight candidate networks selected on validation for the main window and again for each of the two stress windows; the selected two retrained at 97.5% and on the portfolio) at the last render, beside the full renders of 07 and 03; 86 s in the quick profile in a fresh-clone `make run` (2 workers, every notebook, this round).

# %% tags=["parameters"]
seed = 42
profile = (
    "full"  # "quick": one small candidate per network, 3 epochs (CI); "full": the teaching run
)
output_dir = (
    None  # where metrics.json, forecasts.csv and figures go (None: runs/interactive/<notebook>)
)
dataset = "sp500"  # sp500, nasdaq or wti
confidence = 0.99  # VaR/ES confidence level, e.g. 0.99 or 0.95
val_start = None  # validation period (model selection, early stopping) starts here; None: 2 years before test_start
test_start = "2015-01-01"
test_end = "2018-12-31"
window = (
    0  # look-back of the networks in trading days; 0: choose 20 or 60 on validation (full profile)
)
epochs = 0  # 0: by profile (quick 3, full 150); early stopping picks the epoch
specs = ""  # fixed networks, e.g. "lstm_quantile:ewma:60,cnn_quantile:ewma:20" ("": choose on validation)
es_confidence = 0.975  # FRTB ES level, run as a second pass (0: skip)
stress_windows = (
    "2008-01-01:2009-12-31,2002-01-01:2002-12-31:2001-07-01"  # start:end[:val_start] ("": skip)
)
portfolio = "sp500,nasdaq,wti"  # assets of the equally weighted portfolio section ("" to skip)

# %% tags=[]
import pandas as pd
from IPython.display import Markdown, display

from finrisk_utils import record_metrics, setup
from finrisk_utils.core import (
    by_profile,
    drawn_models,
    log_returns,
    portfolio_log_returns,
    save_figure,
)
from finrisk_utils.data import load_price_panel, load_prices
from finrisk_utils.forecasting import ablation_reading
from finrisk_utils.market import (
    FORECASTS_FILE,
    ablation_input_note,
    backtest_metrics,
    backtest_table,
    backtest_var,
    benchmark_goals,
    capital_table,
    classical_reading,
    compare_var_losses,
    comparison_metrics,
    comparison_table,
    comparison_text,
    deep_fit_text,
    deep_labels,
    deep_status_table,
    deep_trained,
    deep_training_metrics,
    default_val_start,
    format_specs,
    independence_reading,
    network_var_reading,
    parse_specs,
    parse_windows,
    plot_deep_var_training,
    plot_exception_timeline,
    plot_var_backtest,
    run_var_window,
    save_var_forecasts,
    select_networks,
    selection_reading,
)
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
out = resolve_output_dir(output_dir, "02_market_risk_var_es_deep_quantile")
val_start = val_start or default_val_start(test_start)
epochs = epochs or by_profile(profile, quick=3, full=150)
windows = [window] if window else by_profile(profile, quick=[20], full=[20, 60])
schemes = by_profile(profile, quick=["ewma"], full=["ewma", "none"])
units = by_profile(profile, quick=8, full=32)
given = parse_specs(specs, units=units, epochs=epochs)  # networks fixed by `specs` (not searched)
dates_of = {"val_start": val_start, "test_start": test_start, "test_end": test_end}
pd.set_option("display.precision", 4)
pd.set_option("display.width", 200)

# %% [markdown] tags=[]
# ## Data and the test window

# %% tags=[]
# NBVAL_CHECK_OUTPUT
returns = log_returns(load_prices(dataset))  # % per day
test = returns.loc[test_start:test_end]
print(
    f"{dataset}: {len(returns)} daily returns {returns.index[0].date()} to {returns.index[-1].date()}"
)
print(
    f"training before {val_start}, validation {val_start} to {test_start}; test {len(test)} days, "
    f"{test.index[0].date()} to {test.index[-1].date()}; at {confidence:.0%} "
    f"{(1 - confidence) * len(test):.1f} exceptions are expected"
)

# %% [markdown] tags=[]
# ## Deep quantile/ES networks: selection on validation
#
# For each network (LSTM, CNN) the candidates are the input scheme (`ewma`: returns standardized by the EWMA
# volatility, the network learns the tail's shape; `none`: returns scaled by their training standard deviation,
# the network must learn volatility too) × the look-back window. Each is trained with the FZ0 loss on targets
# before `val_start`, stopped early on the validation period, and scored by its validation FZ0 loss in return
# units. A network is *trained* only if its kept weights beat the naive forecast on validation and come from an
# epoch after the first. The naive forecast is, of two constants, the one with the lower validation FZ0 in return
# units: the training quantile and ES of the network's own targets (under `ewma` inputs a constant multiple of the
# EWMA volatility, the filter alone) and the empirical quantile and ES of every return before `val_start` (the
# unconditional constant VaR and ES). An untrained network is labelled so and never interpreted. The winner is the candidate with the lowest validation FZ0 among those that trained (among all
# where none did, labelled untrained), and it is trained again on all pre-test data for its chosen number of
# epochs. The test window plays no part in this.

# %% tags=[]
search = {"schemes": schemes, "window": windows, "units": units, "epochs": epochs, "fixed": given}
deep, selection = select_networks(returns, **search, confidence=confidence, **dates_of)
fixed = {name: res.spec for name, res in deep.items()}  # the selected settings
print(f"selected networks: {format_specs(fixed)} ({units} units, up to {epochs} epochs)")
display(Markdown(selection_reading(selection)))
selection[["val_fz0", "best_epoch", "trained"]]

# %% [markdown] tags=[]
# ## Every model on the test window
#
# Each baseline forecasts VaR and ES (positive losses, % of value) for every test day from returns before it.
# GARCH parameters are estimated once on the returns before `test_start` and held fixed; the conditional variance is
# filtered forward through the test window. Filtered HS rescales the empirical quantile of the GARCH-t standardized
# residuals by the filtered volatility. The linear quantile regression is fitted on the same pre-test dates, with
# the LSTM's window. The selected networks forecast the test days after their refit. In the networks' status
# table, `val_loss` and `naive_val_loss` are FZ0 in each network's own target units (returns divided by its
# scale: the EWMA volatility, or the training standard deviation for raw inputs), so they compare a network with its
# naive forecast, and two networks only where both use the same scaling; `val_fz0` is in return units.
# The trained check is made on the validation block before the refit, the only block the network has not been
# fitted on.

# %% tags=[]
forecasts, _ = run_var_window(
    returns, confidence=confidence, **dates_of, qr_window=fixed["lstm_quantile"].window
)
forecasts |= {name: res.forecast for name, res in deep.items()}
labels = deep_labels(deep)
trained = deep_trained(deep)
deep_status_table(deep)

# %% [markdown] tags=[]
# **Reference** (S&P 500, 2015–2018, 99%, from the issue that set up this notebook): GARCH-t 16 exceptions,
# GARCH-skew-t and FHS 15, HS-250 18; pinball losses 0.0331 / 0.0325 / 0.0324 / 0.0357. The FHS figure is
# reproduced with the Student-t GARCH as the filter, the one the desk already estimates. The table below sets this run beside the reference.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
reference = pd.DataFrame(
    {"exceptions": [16, 15, 15, 18], "pinball": [0.0331, 0.0325, 0.0324, 0.0357]},
    index=["garch_t", "garch_skewt", "fhs", "hs"],
)
results = [backtest_var(test.loc[fc.var.index], fc) for fc in forecasts.values()]
table = backtest_table(results)
if (dataset, confidence, test_start, test_end) == ("sp500", 0.99, "2015-01-01", "2018-12-31"):
    display(reference.join(table[["exceptions", "pinball"]].add_suffix("_this_run")))

# %% tags=[]
save_figure(plot_deep_var_training(deep, labels), out, "training")

# %% [markdown] tags=[]
# The figure is also saved to figures/training.png in the run folder. Its losses are in each network's own
# target units (returns divided by the network's scale: the EWMA volatility or the training standard deviation),
# so two panels compare only where both networks use the same scaling (the titles say which); the validation FZ0
# in return units, which always compares, is the selection table's `val_fz0` above.

# %% [markdown] tags=[]
# ## Backtests, side by side
#
# *exceptions* vs *expected* (α × days); *kupiec_p*: unconditional coverage; *christoffersen_ind_p*: are
# exceptions independent from one day to the next; *christoffersen_cc_p*: both jointly; *zones_by_year*: Basel
# traffic light per calendar year (G/Y/R and the exception count); *es_z2*: Acerbi–Székely Z2 (0 when ES is right,
# negative when risk is underestimated) with its simulated p-value and verdict at 5%; *pinball*, *fz0*: mean
# quantile loss and joint VaR/ES loss (lower is better). The capital table gives the Basel plus factor of the last
# 250 days' exceptions and the capital multiplier 3 + plus factor (BCBS 1996).

# %% tags=[]
for fc in forecasts.values():  # VaR is a positive loss and ES is at least VaR on every day
    assert (fc.var > 0).all() and (fc.es >= fc.var - 1e-9).all(), fc.name
display(table.rename(index=labels))
capital = capital_table(results)
capital.rename(index=labels)

# %% tags=[]
drawn, not_drawn = drawn_models(["hs", "garch_skewt", "lstm_quantile", "cnn_quantile"], trained)
fig = plot_var_backtest(
    test,
    [forecasts[k] for k in drawn],
    title=f"{dataset}: daily returns and {confidence:.0%} VaR, exceptions marked" + not_drawn,
)
save_figure(fig, out, "var_backtest")
fig = plot_exception_timeline(
    test, list(forecasts.values()), title="Exceptions in time (count in brackets)"
)
save_figure(fig, out, "exception_timeline")

# %% [markdown] tags=[]
# The figures are also saved to figures/var_backtest.png and figures/exception_timeline.png in the run
# folder.

# %% [markdown] tags=[]
# ## The comparison protocol: pinball and FZ0 losses against GARCH-skew-t
#
# Per-day losses of every model against the benchmark GARCH-skew-t: Diebold–Mariano with a HAC (Bartlett)
# long-run variance and the Harvey–Leybourne–Newbold correction (1-day losses of VaR forecasts are
# autocorrelated when exceptions cluster), Holm's adjustment over the whole reported family (every trained model
# on both losses), and the Hansen–Lunde–Nason model confidence set at 90% over every model that trained, per loss. With about
# ten expected exceptions in four years, the pinball loss is driven by a handful of days, so the tests have little
# power. FZ0 contains the logarithm of ES, so its level depends on the units of the returns: FZ0 is compared by the
# difference of mean losses (`mean_loss_diff`), not by a ratio. The MCS drops a model whose loss is higher than
# the others' relative to the *variability* of the loss differences: a model almost identical to a slightly
# better one can be dropped while a worse but noisier model stays (a stress window below may show it), which is
# why the MCS and the ranking by mean loss need not agree.

# %% tags=[]
comparisons = compare_var_losses(results, "garch_skewt", trained=trained, seed=seed)
comparison_table(comparisons).rename(index=labels, level="model")

# %% tags=[]
display(
    Markdown(  # every model against the benchmark: significant losses are read like wins
        comparison_text(comparisons, [r.name for r in results if r.name != "garch_skewt"])
    )
)

# %% [markdown] tags=[]
# ## What the networks add beyond their linear ablation
#
# The linear quantile regression sees a summary of EWMA-standardized returns over the LSTM's selected window and
# has no hidden layer: a network that is not better than it has not shown that its nonlinearity (or its depth)
# buys anything. A network selected with other inputs (raw-scaled returns, another window: see the status table)
# differs from it in those too, so for that network the comparison mixes the inputs with the nonlinearity. The same
# protocol with `linear_quantile` as the benchmark: DM (HAC, HLN) on both losses, Holm over these tests as a family
# of their own (on the same test days as the main comparison), the MCS over the three models. The reading and its
# bottom line are computed.

# %% tags=[]
ablation = compare_var_losses(
    results, "linear_quantile", trained=trained, seed=seed, models=[*deep, "linear_quantile"]
)
display(comparison_table(ablation).rename(index=labels, level="model"))
display(
    Markdown(
        ablation_input_note(deep, fixed["lstm_quantile"].window)
        + "\n\n"
        + ablation_reading(ablation, list(deep))
    )
)

# %% [markdown] tags=[]
# ## Did the networks meet the goals?
#
# The issue set goals relative to GARCH-skew-t, the benchmark it named (not necessarily the best classical model in
# a given run: the reading below ranks the classical models): coverage not rejected by Kupiec or by
# Christoffersen's conditional-coverage test, conditional coverage no worse, no more distance between exceptions
# and expectation, and pinball (and FZ0) loss no higher. The table and the reading below are computed.

# %% tags=[]
goals = benchmark_goals(results, [*deep, "linear_quantile"], benchmark="garch_skewt")
met = goals["met"].groupby(level="model").agg(["sum", "count"])
display(
    Markdown(
        "\n\n".join(
            [
                " ".join(
                    f"{labels.get(m, m)}: {r['sum']}/{r['count']} goals met."
                    for m, r in met.iterrows()
                )
                + " (point comparisons with GARCH-skew-t; the tests above say which loss differences are "
                "significant)",
                classical_reading(results),
                independence_reading(results, trained=trained),
            ]
        )
    )
)
goals

# %% [markdown] tags=[]
# ## Expected Shortfall at 97.5% (BCBS 2019): FRTB's confidence level
#
# The Basel Committee's FRTB (BCBS 2019) measures market-risk capital with a 97.5% ES instead of a 99% VaR. Here it
# is a 1-day ES of one index, without FRTB's liquidity horizons or stressed calibration: the confidence level is
# FRTB's, the rest is this notebook's (and FRTB backtests VaR, at 97.5% and 99%, not ES). The same
# models, with the networks' selected settings retrained at this level, are backtested on the same window; the
# Acerbi–Székely Z2 test judges the ES (Acerbi and Szekely, 2014, put its 5% critical value near −0.7 for 250
# days). The verdicts below use a p-value simulated, per model, over this window's length under a Student-t whose
# VaR and ES equal that model's daily forecasts; the null spread of Z2 shrinks as the window grows, so over four
# years a model can be rejected with Z2 above −0.7.

# %% tags=[]
es_results = []
retrained = {}  # section -> its networks, trained again for it (their training is read below)
if es_confidence:
    es_fc, es_deep = run_var_window(
        returns,
        confidence=es_confidence,
        **dates_of,
        deep_specs=fixed,
        qr_window=fixed["lstm_quantile"].window,
    )
    es_results = [backtest_var(test.loc[fc.var.index], fc) for fc in es_fc.values()]
    es_labels = deep_labels(es_deep)
    retrained[f"{es_confidence:.1%} ES"] = es_deep
    es_table = backtest_table(es_results)[
        [
            "exceptions",
            "expected",
            "kupiec_p",
            "christoffersen_cc_p",
            "zones_by_year",
            "es_z2",
            "es_z2_p",
            "es_verdict",
            "fz0",
        ]
    ]
    display(es_table.rename(index=es_labels))
    es_comp = compare_var_losses(
        es_results, "garch_skewt", trained=deep_trained(es_deep), losses=["fz0"], seed=seed
    )
    display(Markdown(comparison_text(es_comp, list(es_deep)) + "\n\n" + deep_fit_text(es_deep)))

# %% [markdown] tags=[]
# ## Stress windows: 2008–2009 and the dot-com crash
#
# The default test window (2015–2018) holds only short stressed episodes (the August 2015 sell-off, February 2018
# and the last quarter of 2018; the exception timeline above shows where this run's window has them). Two more
# test windows, each run through the same pipeline: the global financial crisis, 2008–2009 (validation the two
# years before), and the end of the dot-com crash. Each window chooses the networks' settings again, among the
# same candidates and by the same rule as above, on its own validation block, and trains the winners on the data
# before it; the settings chosen on the 2013–2014 block above would carry knowledge of later years into a test
# of earlier ones. Networks fixed by `specs` keep their settings in every window. Each section (the 97.5% ES, each
# stress window, the portfolio, and the ablation above) is a Holm family of its own, a separate question; the
# 97.5% ES section and the ablation use the main test window's days, so no Holm adjustment spans all the tests of
# those days. The S&P 500 returns start in January 1999, and GARCH estimation, the EWMA start-up (250 days) and
# network training need the years before a test window, so the 2000–2002 bear market can be tested only in its
# last year, 2002, with validation from July 2001 and training on the returns before it (from 2000 for a network on
# EWMA-scaled inputs, which need the EWMA's first year; from 1999 for one on raw returns).

# %% tags=[]
stress = {}
for start, end, val in parse_windows(stress_windows):
    s_dates = {"val_start": val, "test_start": start, "test_end": end}
    s_deep, s_selection = select_networks(returns, **search, confidence=confidence, **s_dates)
    s_fc, _ = run_var_window(
        returns, confidence=confidence, **s_dates, qr_window=s_deep["lstm_quantile"].spec.window
    )
    s_fc |= {name: res.forecast for name, res in s_deep.items()}
    s_test = returns.loc[start:end]
    s_results = [backtest_var(s_test.loc[fc.var.index], fc) for fc in s_fc.values()]
    s_trained = deep_trained(s_deep)
    retrained[f"stress {start[:4]}"] = s_deep
    stress[start[:4]] = (
        s_results,
        compare_var_losses(s_results, "garch_skewt", trained=s_trained, seed=seed),
        s_deep,
        s_selection,
    )

# %% tags=[]
for key, (s_results, s_comp, s_deep, s_selection) in stress.items():
    s_labels = deep_labels(s_deep)
    display(Markdown(f"### Test window from {key}: {s_results[0].kupiec.n} days"))
    display(
        Markdown(
            "Networks of this window (settings chosen on its own validation block unless `specs` fixes "
            f"them): "
            f"`{format_specs({n: r.spec for n, r in s_deep.items()})}`. "
            + selection_reading(s_selection)
        )
    )
    display(s_selection[["val_fz0", "best_epoch", "trained"]])
    display(backtest_table(s_results).drop(columns=["rate"]).rename(index=s_labels))
    display(
        Markdown(
            "\n\n".join(
                [
                    comparison_text(s_comp, [r.name for r in s_results if r.name != "garch_skewt"]),
                    classical_reading(s_results),
                    independence_reading(s_results, trained=deep_trained(s_deep)),
                    deep_fit_text(s_deep),
                ]
            )
        )
    )

# %% [markdown] tags=[]
# ## Portfolio VaR: S&P 500, NASDAQ and WTI
#
# The same models and backtests on an equally weighted, daily rebalanced portfolio of the assets in `portfolio`
# (stocks and a commodity). The portfolio is treated as one return
# series (the portfolio-level approach a desk uses for a quick VaR); the networks reuse the settings selected above.

# %% tags=[]
port_results, port_table = [], None
if portfolio:
    assets = [a.strip() for a in portfolio.split(",")]
    port = portfolio_log_returns(load_price_panel(assets))
    port_test = port.loc[test_start:test_end]
    port_fc, port_deep = run_var_window(
        port,
        confidence=confidence,
        **dates_of,
        deep_specs=fixed,
        qr_window=fixed["lstm_quantile"].window,
    )
    port_results = [backtest_var(port_test.loc[fc.var.index], fc) for fc in port_fc.values()]
    port_comp = compare_var_losses(
        port_results,
        "garch_skewt",
        trained=deep_trained(port_deep),
        seed=seed,
    )
    retrained["portfolio"] = port_deep
    print(f"portfolio of {', '.join(assets)}: {len(port_test)} test days")
    display(backtest_table(port_results).rename(index=deep_labels(port_deep)))
    display(
        Markdown(comparison_text(port_comp, list(port_deep)) + "\n\n" + deep_fit_text(port_deep))
    )

# %% [markdown] tags=[]
# ### The retrained networks' training
#
# Each section above trained its networks again, each on its own target or series, stopped early on its
# validation block: the 97.5% ES (the main window's data and validation block, a different quantile) and the
# portfolio (its own series) with the settings selected above, each stress window with the settings it chose on
# its own validation block. Each section's verdicts count a network as trained only if it passed the same check as
# the main run's: beat on validation, with weights kept after the first epoch, the better of two constants, the
# training quantile and ES of the network's own targets (under `ewma` inputs, the EWMA filter alone) or the
# unconditional constant VaR/ES. Their
# status and learning curves, section by section (losses in each network's own target units, as above); the
# figure is saved as figures/training_retrained.png.

# %% tags=[]
if retrained:
    save_figure(
        plot_deep_var_training(
            {f"{sec}: {n}": res for sec, nets in retrained.items() for n, res in nets.items()},
            ncols=4,
        ),
        out,
        "training_retrained",
    )
    display(
        pd.concat(
            {sec: deep_status_table(nets) for sec, nets in retrained.items()},
            names=["section", "network"],
        )
    )

# %% [markdown] tags=[]
# ## What the run says
#
# The reading below is computed from this run's results; numbers and verdicts are not typed by hand. Context:
# exceptions cluster in volatile periods, which the independence test (Christoffersen 1998) is built to detect, and
# with about ten expected exceptions in four years DM tests of VaR losses have
# little power. Training a network is itself random: notebook 07 reruns this notebook over seeds and test years
# (in its full profile with this notebook's reported configuration, as its committed outputs are).

# %% tags=[]
lines = [
    comparison_text(comparisons, list(deep)),
    ablation_reading(ablation, list(deep), brief=True),
]
lines += network_var_reading(
    results, comparisons, list(deep), label=f"Test window {test_start[:4]}-{test_end[:4]}"
)
lines.append(
    "Capital multiplier over the last 250 test days: "
    + ", ".join(f"{labels.get(m, m)} {v}" for m, v in capital["capital_multiplier"].items())
    + "."
)
if es_results:
    lines += network_var_reading(
        es_results, es_comp, list(es_deep), label=f"{es_confidence:.1%} ES"
    )
for key, (s_results, s_comp, s_deep, _) in stress.items():
    chosen = format_specs({n: r.spec for n, r in s_deep.items()})
    lines += network_var_reading(
        s_results, s_comp, list(s_deep), label=f"Stress window {key} (networks {chosen})"
    )
if port_results:
    lines += network_var_reading(port_results, port_comp, list(port_deep), label="Portfolio")
display(Markdown("\n\n".join(lines)))

# %% [markdown] tags=[]
# ## Exercises
#
# 1. **(recall)** With `traffic_light`, find for 250 days of 99% VaR the exception counts that put a model in
#    the yellow and in the red zone, and the plus factor each count adds to the capital multiplier of 3
#    (BCBS 1996). Why is the zone set by a binomial tail probability rather than by the count alone?
# 2. **(apply)** Rerun the study on the 2008–2009 window (`test_start = "2008-01-01"`,
#    `test_end = "2009-12-31"`) with the classical models only (`run_var_window` without networks) and read the
#    traffic lights year by year. Which models would have put their bank in the red zone in 2008, and why does
#    historical simulation react late?
# 3. **(apply)** At the FRTB level (`confidence = 0.975`) on 2015–2018, run the Acerbi–Székely Z2 test on every
#    classical model's ES. Which ES forecasts are rejected, and are they the models whose VaR has too many
#    exceptions?
# 4. **(extend)** Make the RiskMetrics decay a knob: compare λ = 0.94 with the slower 0.97 that RiskMetrics
#    (Morgan and Reuters 1996) uses for monthly data, on 2015–2018, through `compare_var_losses` (DM on pinball and
#    FZ0, Holm, MCS). Which forecast is smoother, which has fewer exceptions, and can the tests tell them apart?
#
# Worked solutions: `solutions/02_market_risk_var_es_deep_quantile_solutions.ipynb`.

# %% [markdown] tags=[]
# ## Record

# %% tags=[]
metrics = {"run.n_test": len(test), "run.confidence": confidence, "run.dataset": dataset}
metrics |= backtest_metrics(results) | comparison_metrics(comparisons)
# the networks against their ablation: the pair p-values (the MCS keys above are the full comparison's)
metrics |= {k: v for k, v in comparison_metrics(ablation).items() if "_vs_linear_quantile." in k}
metrics |= {f"{m}.goals_met": int(row["sum"]) for m, row in met.iterrows()}
metrics |= {
    f"{m}.{k}": capital.loc[m, k]
    for m in capital.index
    for k in ["plus_factor", "capital_multiplier"]
}
metrics |= deep_training_metrics(deep)
if es_results:
    metrics |= {"run.es_confidence": es_confidence}
    metrics |= {
        f"{r.name}.{k}_975": v
        for r in es_results
        for k, v in [
            ("es_z2", r.es.z2),
            ("es_z2_pvalue", r.es.pvalue),
            ("exceptions", r.kupiec.exceptions),
            ("fz0", r.fz0),
        ]
    } | deep_training_metrics(retrained[f"{es_confidence:.1%} ES"], "_975")
for key, (s_results, s_comp, s_deep, _) in stress.items():
    metrics |= {f"run.n_test_{key}": s_results[0].kupiec.n}
    metrics |= backtest_metrics(s_results, suffix=f"_{key}") | comparison_metrics(
        s_comp, suffix=f"_{key}"
    )
    metrics |= deep_training_metrics(s_deep, f"_{key}")
if port_results:
    metrics |= (
        {"run.n_test_portfolio": len(port_test)}
        | backtest_metrics(port_results, suffix="_portfolio")
        | deep_training_metrics(retrained["portfolio"], "_portfolio")
    )
save_var_forecasts(out / FORECASTS_FILE, test, forecasts)
record_metrics(
    metrics,
    out,
    headline=[
        "garch_skewt.exceptions",
        "lstm_quantile.exceptions",
        "lstm_quantile.trained",
        "lstm_quantile.pinball",
        "garch_skewt.pinball",
        "lstm_quantile_vs_garch_skewt.pinball_dm_pvalue_holm",
    ],
)
