# %% [markdown] tags=[]
# # 09 · Currency risk: forecasting exchange rates, and the VaR of a currency position
#
# **Question.** (1) Can a network forecast exchange-rate changes better than the random walk? Meese and Rogoff
# (1983) found that no structural or time-series model beat "no change" out of sample at horizons up to a year.
# (2) How well do the VaR/ES models of the market-risk notebook (02) do on a currency position, a single
# currency and a basket, and what is different about currency tails, around the Plaza accord (22 September 1985,
# when the G5 agreed to push the dollar down) and elsewhere?
#
# **Data.** `fx_rates` (Ecdat `Garch`): daily US dollars per unit of the Deutsche mark, pound, Canadian dollar,
# yen and Swiss franc, January 1980 to May 1987; `currency` picks the single position and the forecasting target,
# `basket` the equally weighted basket. `fx_forward` (Ecdat `Forward`, Verbeek 2004): monthly spot and 1- and
# 3-month forward dollar rates of the pound and the euro, 1979–2001, for the forward-rate forecast
# (`forward_currency`). Chronological split: networks train before `val_start` (default two years before
# `test_start`), stop early on `val_start`–`test_start`, and every model forecasts `test_start`–`test_end`
# (default January 1985 to the end of the data, which holds the Plaza accord).
#
# **Models.** (1) A direct multi-horizon LSTM (`forecasting.direct`: one network forecasts the 1-, 5- and 22-day
# change of the log rate from a window of past daily returns; early stopping on an embargoed validation block);
# on monthly data a small LSTM that also sees the forward premium. (2) The LSTM and 1-D CNN quantile/ES
# networks of notebook 02 (FZ0 loss, input scheme chosen on validation in the full profile).
# **Baselines.** (1) Random walk (no change), a direct AR on past daily changes (re-estimated at every origin),
# the LSTM's linear ablation (OLS on exactly its inputs), and on monthly data the forward rate (uncovered interest parity: the forward premium is the forecast) and the
# Fama (1984) regression of the change on the forward premium. (2) HS-250, filtered HS, GARCH(1,1)-t and skew-t,
# GJR-GARCH skew-t, EWMA, and a linear quantile regression on a summary of the same past returns (EWMA-standardised;
# the networks' linear ablation, read as a Holm family of its own).
# **Tests.** Squared errors against the random walk: Diebold–Mariano (HAC, HLN) with Holm over every trained model
# and horizon (untrained networks are shown with their unadjusted p-values but left out of the Holm family and of
# the MCS's candidates, and not interpreted; the daily and the monthly forecasts are separate families),
# Clark and West (2007) for the models that nest the random walk (AR, linear ablation, Fama regression, LSTM)
# with Holm (in the tables' `verdict` column, "significantly better" for a nested model needs Clark–West and a
# lower RMSE, "significantly worse" comes from DM), the model
# confidence set; VaR: Kupiec, Christoffersen, Basel traffic light, Acerbi–Székely Z2, and the protocol on
# pinball and FZ0 losses against GARCH-skew-t. Tails: skewness, kurtosis, Hill tail indices and clustering of
# large moves (runs extremal index) in a window around the Plaza accord against the rest of the sample, and the
# window's rank among the windows of the same length outside it.
#
# **Runtime** (2 CPU cores): 248 s in the full profile at the last render, beside the full renders of 08 and 05; 105 s in the quick profile in a fresh-clone `make run` (2 workers, every notebook, this round).

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick": same data, tiny nets and 3 epochs (CI); "full": the teaching run
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
currency = "gbp"  # column of fx_rates: dem, gbp, cad, jpy or chf (US dollars per unit)
basket = "dem,gbp,jpy,chf"  # equally weighted basket for the position VaR ("" skips it)
test_start = "1985-01-01"
test_end = "1987-05-21"
val_start = (
    None  # validation (early stopping, selection) starts here; None: two years before test_start
)
horizons = [1, 5, 22]  # trading days ahead for the daily forecasts
ar_lags = 5  # past daily changes in the direct AR
window = 20  # trading days of past returns per network sample
units = 0  # 0: by profile (quick 4, full 16)
epochs = 0  # 0: by profile (quick 3, full 150); early stopping picks the epoch
confidence = 0.99  # VaR/ES confidence level
n_seeds = 0  # seeds per VaR network, whose ensemble is tested; 0: by profile (quick 1, full 5)
forward_currency = "gbp"  # fx_forward pair: gbp or eur ("" skips the monthly forward-rate section)
forward_test_start = "1994-01-01"  # first monthly forecast origin of the forward-rate section
forward_test_end = "2001-12-01"
event = "1985-09-22"  # the Plaza accord
event_months = 6  # tail comparison: this many months either side of the event against the rest

# %% tags=[]

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from scipy import stats

from finrisk_utils import record_metrics, setup
from finrisk_utils.core import by_profile, drawn_models, save_figure
from finrisk_utils.currency import (
    actual_changes,
    annualised_volatility,
    basket_returns,
    change_forecast_metrics,
    change_forecast_reading,
    change_forecast_table,
    compare_change_forecasts,
    direct_change_ar_forecast,
    direct_linear_forecast,
    event_exceptions,
    event_exceptions_reading,
    event_tails_reading,
    event_window,
    fama_reading,
    fama_regression_forecast,
    fama_slope,
    forecast_origins,
    forward_rate_forecast,
    level_to_change,
    log_level,
    parse_basket,
    placebo_rank,
    position_returns,
    tail_reading,
    tail_standard_errors,
    tail_statistics,
    zero_change_forecast,
)
from finrisk_utils.data import load
from finrisk_utils.forecasting import DirectNetSpec, ablation_reading, direct_deep_forecast
from finrisk_utils.market import (
    ablation_input_note,
    backtest_metrics,
    backtest_table,
    backtest_var,
    capital_table,
    classical_reading,
    compare_var_losses,
    comparison_metrics,
    comparison_table,
    comparison_text,
    default_val_start,
    ewma_volatility,
    exceptions_of,
    independence_reading,
    network_var_reading,
    plot_var_backtest,
    run_var_window,
    select_networks,
    selection_reading,
    var_seed_ensemble,
    var_seed_report,
)
from finrisk_utils.models import has_learned, plot_training, training_report
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
out = resolve_output_dir(output_dir, "09_currency_risk_fx")
val_start = val_start or default_val_start(test_start)
horizons = [horizons] if isinstance(horizons, int) else list(horizons)
units = units or by_profile(profile, quick=4, full=16)
epochs = epochs or by_profile(profile, quick=3, full=150)
schemes = by_profile(profile, quick=["ewma"], full=["ewma", "none"])
n_seeds = n_seeds or by_profile(profile, quick=1, full=5)
pd.set_option("display.precision", 4)
pd.set_option("display.width", 200)

# %% [markdown] tags=[]
# ## Data: five dollar rates in the 1980s
#
# Rates are US dollars per unit, so a rising line is a weakening dollar, and a long position in the currency gains
# when it rises. The table gives, per currency, the daily returns' moments, the date before `event` when the
# dollar was strongest against it (the rate's low) and the change of the rate before and after that date.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
fx = load("fx_rates")
if currency not in fx.columns:
    raise ValueError(f"currency must be one of {list(fx.columns)}, got {currency!r}")
members = parse_basket(basket, list(fx.columns)) if basket else []
returns = position_returns(fx, currency)  # % per day
all_returns = pd.DataFrame({c: position_returns(fx, c) for c in fx.columns})
print(
    f"fx_rates: {len(fx)} days, {fx.index[0].date()} to {fx.index[-1].date()}; position: long {currency}; "
    f"basket: {', '.join(members) or 'none'}"
)
print(
    f"training before {val_start}, validation {val_start} to {test_start}, test {test_start} to {test_end}: "
    f"{len(returns.loc[test_start:test_end])} days"
)
summary = pd.DataFrame(
    {
        "vol_ann_pct": all_returns.std() * np.sqrt(252),
        "skew": all_returns.apply(stats.skew),
        "excess_kurtosis": all_returns.apply(stats.kurtosis),
        "autocorr_1": all_returns.apply(lambda r: r.autocorr()),
        "dollar_peak": fx.loc[:event].idxmin().dt.date,
        "log_change_to_peak": 100 * np.log(fx.loc[:event].min() / fx.iloc[0]),  # 100 ln, log points
        "log_change_after_peak": 100 * np.log(fx.iloc[-1] / fx.loc[:event].min()),
    }
)
summary

# %% tags=[]
fig, ax = plt.subplots(figsize=(11, 4))
(100 * fx / fx.iloc[0]).plot(ax=ax, lw=1)
ax.axvline(pd.Timestamp(event), color="k", ls="--", lw=1, label=f"event ({event})")
ax.axvspan(
    pd.Timestamp(test_start), pd.Timestamp(test_end), color="grey", alpha=0.1, label="test period"
)
ax.set(
    title="US dollars per unit of currency, first day = 100",
    xlabel="date",
    ylabel="index (first day = 100)",
)
ax.legend(ncol=4, fontsize=8)
save_figure(fig, out, "rates")

# %% [markdown] tags=[]
# ## Question 1: forecasting daily exchange-rate changes
#
# The target is the change of the log rate, $y_{t+h}-y_t$ with $y_t = 100\ln S_t$, from each test-day origin
# $t$, $h$ trading days ahead (the percentage return of a long position). The random walk forecasts zero. The
# direct AR regresses the $h$-day change on a constant and the last `ar_lags` daily changes, re-estimated at every
# origin on the pairs whose target is already observed. The LSTM sees windows of `window` past daily returns of
# all five currencies (the cross-section may carry information the own history lacks) and forecasts the
# change at every horizon at once; it is estimated once, before the first origin, with early stopping on the
# last validation days before `test_start`, separated from the training targets by the longest horizon (an
# embargo). It counts as trained only if it beat a constant (the mean training change) on validation by at least
# 0.1% (`MIN_IMPROVEMENT`) with weights kept after its first epoch. Its linear
# ablation, `linear_window`, regresses the $h$-day change on exactly the LSTM's inputs (the `window` past returns
# of the five currencies, flattened) by OLS on the pairs observed before the first origin: what the network adds
# beyond it is its non-linearity.

# %% tags=[]
levels = log_level(fx[currency]).iloc[1:]  # dates aligned with the returns
origins = {h: forecast_origins(levels.index, test_start, test_end, h) for h in horizons}
actual = {h: actual_changes(levels, origins[h], h) for h in horizons}
daily = {
    h: {
        "random_walk": zero_change_forecast(levels, origins[h], h),
        f"ar{ar_lags}": direct_change_ar_forecast(levels, origins[h], h, ar_lags),
        "linear_window": direct_linear_forecast(levels, all_returns, origins[h], h, window),
    }
    for h in horizons
}
spec = DirectNetSpec(
    kind="lstm",
    window=window,
    units=units,
    epochs=epochs,
    patience=15,
    batch_size=64,
    val_size=int(((levels.index >= val_start) & (levels.index < test_start)).sum()),
)
lstm = direct_deep_forecast(
    all_returns, levels.to_frame(currency), origins[min(horizons)], horizons, spec
)
(lstm_fit,) = lstm.fits  # trained once, before the first origin
lstm_trained = has_learned(lstm_fit)  # beat the constant on validation, kept epoch after the first
for h in horizons:
    fc = lstm.forecasts[h][currency].loc[actual[h].index]
    daily[h]["lstm"] = level_to_change(fc, levels, h)
display(Markdown(training_report(lstm_fit, "The daily LSTM")))
save_figure(
    plot_training(lstm_fit, title=f"Daily LSTM ({currency}): loss per epoch (scaled changes)"),
    out,
    "lstm_training",
)

# %% tags=[]
daily_comp = compare_change_forecasts(
    actual,
    daily,
    nested=[f"ar{ar_lags}", "linear_window", "lstm"],
    trained={"lstm": lstm_trained},
    seed=seed,
)
labels = {} if lstm_trained else {"lstm": "lstm (untrained)"}
change_forecast_table(daily_comp).rename(index=labels, level="model")

# %% tags=[]
display(Markdown(change_forecast_reading(daily_comp, unit="trading day")))

# %% tags=[]
fig, axes = plt.subplots(1, len(horizons), figsize=(4 * len(horizons), 3.5), sharey=False)
drawn, not_drawn = drawn_models(
    [n for n in daily[horizons[0]] if n != "random_walk"], {"lstm": lstm_trained}
)
for ax, h in zip(np.atleast_1d(axes), horizons, strict=True):
    rw_se = actual[h] ** 2
    for name in drawn:
        (rw_se - (actual[h] - daily[h][name]) ** 2).cumsum().plot(ax=ax, lw=1, label=name)
    ax.axhline(0, color="k", lw=0.8)
    ax.set(
        title=f"{h} day(s) ahead", xlabel="target date", ylabel="cumulative SE gain over RW (%²)"
    )
    ax.legend(fontsize=8)
fig.suptitle(f"{currency}: above zero = better than the random walk so far" + not_drawn)
fig.tight_layout()
save_figure(fig, out, "cumulative_gain")

# %% [markdown] tags=[]
# ## Question 1 with forward rates: monthly data, 1979–2001
#
# Uncovered interest parity says the expected depreciation equals the interest differential, which covered
# parity puts in the forward premium: the forecast of $y_{t+h}-y_t$ is $100\ln(F_t/S_t)$ for the forward
# contract maturing in $h$ months. It has no estimated parameter. The Fama (1984) regression
# $y_{t+h}-y_t = a + b\,100\ln(F_t/S_t) + \varepsilon$ tests it: UIP says $b = 1$; Fama (1984) and the studies
# surveyed by Engel (1996) found $b < 0$ (the forward-premium puzzle). The AR uses the last monthly change; the LSTM sees a year of monthly
# changes and forward premiums, and its linear ablation (`linear_window`) regresses the change on exactly those
# inputs. Monthly origins from `forward_test_start`; every model is estimated on data before
# each origin (the AR and the Fama regression re-estimated at every origin, the LSTM and its ablation once).

# %% tags=[]
monthly_comp, slopes = None, {}
if forward_currency:
    fw = load("fx_forward")
    spot = fw[f"spot_{forward_currency}"]
    fwd = {1: fw[f"fwd1m_{forward_currency}"], 3: fw[f"fwd3m_{forward_currency}"]}
    m_levels = log_level(spot)
    m_features = pd.DataFrame(
        {"change": m_levels.diff(), "premium": 100 * np.log(fwd[1] / spot)}
    ).dropna()
    m_levels = m_levels.loc[m_features.index]
    m_origins = {
        h: forecast_origins(m_levels.index, forward_test_start, forward_test_end, h) for h in fwd
    }
    m_actual = {h: actual_changes(m_levels, m_origins[h], h) for h in fwd}
    monthly = {
        h: {
            "random_walk": zero_change_forecast(m_levels, m_origins[h], h),
            "forward_rate": forward_rate_forecast(
                spot.loc[m_levels.index], f.loc[m_levels.index], m_origins[h], h
            ),
            "fama_regression": fama_regression_forecast(
                spot.loc[m_levels.index], f.loc[m_levels.index], m_origins[h], h
            ),
            "ar1": direct_change_ar_forecast(m_levels, m_origins[h], h, 1),
            # the LSTM's linear ablation: OLS on exactly its inputs (12 months of both features)
            "linear_window": direct_linear_forecast(m_levels, m_features, m_origins[h], h, 12),
        }
        for h, f in fwd.items()
    }
    m_spec = DirectNetSpec(
        kind="lstm", window=12, units=units, epochs=epochs, patience=20, batch_size=16, val_size=24
    )
    m_lstm = direct_deep_forecast(
        m_features, m_levels.to_frame("spot"), m_origins[1], list(fwd), m_spec
    )
    (m_fit,) = m_lstm.fits
    m_trained = has_learned(m_fit)
    for h in fwd:
        monthly[h]["lstm"] = level_to_change(
            m_lstm.forecasts[h]["spot"].loc[m_actual[h].index], m_levels, h
        )
    monthly_comp = compare_change_forecasts(
        m_actual,
        monthly,
        nested=["fama_regression", "ar1", "linear_window", "lstm"],
        trained={"lstm": m_trained},
        seed=seed,
    )
    slopes = {h: fama_slope(spot, f, forward_test_start, h) for h, f in fwd.items()}
    m_labels = {} if m_trained else {"lstm": "lstm (untrained)"}
    display(
        Markdown(
            " ".join(fama_reading(s, forward_currency, h) for h, s in slopes.items())
            + "\n\n"
            + training_report(m_fit, "The monthly LSTM")
        )
    )
    save_figure(
        plot_training(
            m_fit, title=f"Monthly LSTM ({forward_currency}): loss per epoch (scaled changes)"
        ),
        out,
        "monthly_lstm_training",
    )
    display(change_forecast_table(monthly_comp).rename(index=m_labels, level="model"))
    display(Markdown(change_forecast_reading(monthly_comp, unit="month")))

# %% [markdown] tags=[]
# ## Question 2: VaR and ES of a currency position
#
# A long position in `currency` (and, below, in the basket) held by a dollar investor loses when the dollar
# strengthens. Every model of notebook 02 forecasts the 1-day VaR and ES at `confidence` for each test day from
# returns before it: the classical models are estimated on returns before `test_start`, the networks train
# before `val_start` and stop early on the validation period; in the full profile each network's input scheme
# (EWMA-standardized or raw returns) is chosen on validation, by the lowest validation FZ0 loss in % return units
# (comparable across schemes) among the candidates that trained; where none trained, among all, and the network
# takes its label from its seeds, as below. A candidate trained if its kept weights, from an epoch after the
# first, beat the naive forecast defined below by at least 0.1%; one that did not is not a better network even where its
# validation FZ0 is lower, so it is passed over, and the reading names it.
#
# Training is a random experiment, so the selected settings are then fitted afresh under `n_seeds` seeds
# (`seed`, `seed + 1`, ...; same data, split and early stopping; the selection's own fit is not reused, as the
# winner of a selection carries its luck on validation). A seed's fit trained if its kept weights, after the first
# epoch, beat the naive forecast on validation by at least 0.1% (`MIN_IMPROVEMENT`). The naive forecast is, of two
# constants, the one with the lower validation FZ0 in return units: the training quantile and ES of the network's
# own targets (returns divided by their EWMA volatility under `ewma` inputs: the EWMA filter alone), and the
# empirical quantile and ES of every return before `val_start` (the unconditional constant VaR and ES a desk would
# compute, including the EWMA filter's start-up year that the network's training windows drop). A
# network counts as trained when more than half of its seeds trained; the forecast tested is then the ensemble,
# the mean VaR and ES, of those seeds (every choice made on validation). Otherwise the ensemble of every seed is
# labelled untrained and not interpreted. Each seed's test forecast comes from its refit on the training and
# validation returns together for its kept number of epochs: its trained label is that of its validation fit,
# which the refit cannot check. The single seeds' test losses are shown beside the ensemble as its spread (point
# estimates, not tested one by one); the per-seed table gives every seed's kept epoch, its validation loss against
# the naive forecast's (the network's own target units) with the improvement in % of the constant's loss (`gain_pct`,
# which must reach 0.1%), and its validation FZ0 in % return units.

# %% tags=[]
dates_of = {"val_start": val_start, "test_start": test_start, "test_end": test_end}
test = returns.loc[test_start:test_end]
net_kw = {"schemes": schemes, "window": window, "units": units, "epochs": epochs}
deep, var_selection = select_networks(returns, **net_kw, confidence=confidence, **dates_of)
display(var_selection[["val_fz0", "best_epoch", "trained"]])  # every candidate, on validation only
display(Markdown(selection_reading(var_selection)))
var_seeds = var_seed_ensemble(
    returns, deep, seed=seed, n_seeds=n_seeds, confidence=confidence, **dates_of
)
forecasts, _ = run_var_window(returns, confidence=confidence, **dates_of, qr_window=window)
forecasts |= var_seeds.forecasts
var_labels, var_trained = var_seeds.labels, var_seeds.trained  # the networks', over their seeds
results = [backtest_var(test.loc[fc.var.index], fc) for fc in forecasts.values()]
fig, var_seed_table, text = var_seed_report(var_seeds, test, results, title=f"Long {currency}")
save_figure(fig, out, "var_training")  # every seed's learning curves
display(var_seed_table)
display(Markdown(text))

# %% tags=[]
display(backtest_table(results).rename(index=var_labels))
capital = capital_table(results)
capital.rename(index=var_labels)

# %% tags=[]
var_comp = compare_var_losses(results, "garch_skewt", trained=var_trained, seed=seed)
display(comparison_table(var_comp).rename(index=var_labels, level="model"))
display(
    Markdown(
        "\n\n".join(
            [
                comparison_text(var_comp, [*deep, "linear_quantile"]),
                classical_reading(results),
                independence_reading(results, trained=var_trained),
            ]
        )
    )
)

# %% [markdown] tags=[]
# What the networks add beyond their linear ablation: the linear quantile regression on a summary of the same
# past returns has no hidden layer, so a network that does not beat it has not shown that its nonlinearity buys
# anything (a network selected on raw-scaled returns differs from it in its inputs as well). The same protocol
# with `linear_quantile` as the benchmark, Holm over these tests as a family of their own.

# %% tags=[]
var_ablation = compare_var_losses(
    results, "linear_quantile", models=[*deep, "linear_quantile"], trained=var_trained, seed=seed
)
display(comparison_table(var_ablation).rename(index=var_labels, level="model"))
ablations = {f"long {currency}": (var_ablation, list(deep))}
display(
    Markdown(
        ablation_input_note(deep, window)
        + "\n\n"
        + ablation_reading(*ablations[f"long {currency}"])
    )
)

# %% tags=[]
drawn, not_drawn = drawn_models(["hs", "garch_skewt", "lstm_quantile", "cnn_quantile"], var_trained)
fig = plot_var_backtest(
    test,
    [forecasts[k] for k in drawn],
    title=f"Long {currency}: daily returns (%) and {confidence:.0%} VaR, exceptions marked"
    + not_drawn,
)
save_figure(fig, out, "var_backtest")

# %% [markdown] tags=[]
# ### The basket
#
# The same models on the equally weighted basket (daily rebalanced), each network's input scheme chosen again, on
# the basket's own validation period, and trained on the basket's returns. How much the basket diversifies depends
# on how closely its currencies move against the dollar: the mean pairwise correlation of their daily returns is
# printed first. Each basket network is fitted under the same `n_seeds` seeds and judged by the same rule on the
# basket's validation period: it counts as trained when more than half of its seeds beat the naive forecast
# there, and its ensemble of those seeds is what is tested; otherwise the ensemble of every seed is labelled
# untrained and not read. The per-seed table and learning curves show every seed.

# %% tags=[]
basket_results, basket_comp = [], None
if members:
    b_returns = basket_returns(fx, members)
    b_test = b_returns.loc[test_start:test_end]
    b_deep, b_selection = select_networks(b_returns, **net_kw, confidence=confidence, **dates_of)
    b_seeds = var_seed_ensemble(
        b_returns, b_deep, seed=seed, n_seeds=n_seeds, confidence=confidence, **dates_of
    )
    b_fc, _ = run_var_window(b_returns, confidence=confidence, **dates_of, qr_window=window)
    b_fc |= b_seeds.forecasts
    basket_results = [backtest_var(b_test.loc[fc.var.index], fc) for fc in b_fc.values()]
    b_labels = b_seeds.labels
    basket_comp = compare_var_losses(
        basket_results,
        "garch_skewt",
        trained=b_seeds.trained,
        seed=seed,
    )
    corr = all_returns[members].corr().to_numpy()[np.triu_indices(len(members), 1)]
    print(
        f"basket of {', '.join(members)}: mean pairwise correlation of daily returns {corr.mean():.2f}"
    )
    display(b_selection[["val_fz0", "best_epoch", "trained"]])  # the basket's candidates
    display(Markdown(selection_reading(b_selection)))
    fig, b_seed_table, text = var_seed_report(b_seeds, b_test, basket_results, title="Basket")
    save_figure(fig, out, "basket_var_training")
    display(b_seed_table)
    display(Markdown(text))
    display(backtest_table(basket_results).rename(index=b_labels))
    display(comparison_table(basket_comp).rename(index=b_labels, level="model"))
    display(Markdown(comparison_text(basket_comp, list(b_deep))))
    basket_ablation = compare_var_losses(
        basket_results,
        "linear_quantile",
        models=[*b_deep, "linear_quantile"],
        trained=b_seeds.trained,
        seed=seed,
    )
    ablations["basket"] = (basket_ablation, list(b_deep))
    display(comparison_table(basket_ablation).rename(index=b_labels, level="model"))
    display(
        Markdown(
            ablation_input_note(b_deep, window) + "\n\n" + ablation_reading(*ablations["basket"])
        )
    )

# %% [markdown] tags=[]
# ## What is different about currency tails: the Plaza accord
#
# Equity index returns usually have the longer left tail (crashes); a currency pair has two sides, and a dollar investor's
# loss on a long position is the other side's gain, so both tails matter. Below, for every currency, the
# `event_months` either side of `event` against the rest of the sample: volatility, skewness, excess kurtosis,
# Hill (1975) tail indices of each tail (from the 5% largest moves: about a dozen days per tail in the one-year
# window of the default `event_months = 6`, so they are rough point estimates; smaller = fatter), the share of days with a
# move larger than the full sample's 98% quantile of absolute returns, and their clustering (runs extremal index:
# clusters per exceedance, with a cluster ending after five quiet days; 1 = isolated, small = bursts). The same on
# returns divided by their EWMA volatility (RiskMetrics, 0.94) separates a change of scale from a change of
# shape. In the table of returns (not the standardized one), volatility and excess kurtosis carry standard
# errors from the stationary bootstrap (Politis and Romano 1994; mean block 10 days, so that volatility clusters
# stay together) within each period; the other statistics have none. A bootstrap error of kurtosis is itself
# rough where one or two days dominate a window's fourth moment: read a kurtosis gap as shown only where it is
# several of its standard errors wide. The window's rank among the windows of the same length outside it (one starting every fifth trading
# day) is descriptive, not a test: those windows overlap one another.

# %% tags=[]
tails, tail_se = {}, {}
for c in fx.columns:
    mask = event_window(all_returns.index, event, event_months)
    tails[c] = tail_statistics(all_returns[c], {"event": mask, "rest": ~mask})
    tail_se[c] = tail_standard_errors(all_returns[c], {"event": mask, "rest": ~mask}, seed=seed)
tail_table = pd.concat({c: tails[c].join(tail_se[c]) for c in tails}, names=["currency", "period"])
sigma = ewma_volatility(returns)
z = (returns.loc[sigma.index] / sigma).rename(currency)
z_mask = event_window(z.index, event, event_months)
z_table = tail_statistics(z, {"event": z_mask, "rest": ~z_mask}, periods_per_year=1)
mask = event_window(returns.index, event, event_months)
placebo = {
    "annualised volatility": placebo_rank(returns, mask, annualised_volatility),
    "excess kurtosis": placebo_rank(returns, mask, stats.kurtosis),
    "excess kurtosis of EWMA-standardized returns": placebo_rank(z, z_mask, stats.kurtosis),
}
display(tail_table)
display(z_table.rename_axis(f"{currency} / EWMA volatility"))  # the standardized reading's figures
display(
    Markdown(
        tail_reading(tails[currency], "event", "rest", placebo, what=f"{currency}, ")
        + "\n\n"
        + tail_reading(
            z_table,
            "event",
            "rest",
            what=f"{currency} returns / EWMA volatility, ",
            standardized=True,
        )
    )
)

# %% tags=[]
exc = pd.DataFrame({n: exceptions_of(test.loc[fc.var.index], fc) for n, fc in forecasts.items()})
in_event = event_window(exc.index, event, event_months, allow_empty=True)
if in_event.any():
    by_period = event_exceptions(exc, in_event, confidence)
    display(by_period.rename(index=var_labels).T)
    display(Markdown(event_exceptions_reading(by_period, var_trained, event_months)))

# %% tags=[]
fig, axes = plt.subplots(2, 1, figsize=(11, 6), sharex=True)
roll = returns.rolling(250)
(roll.std() * np.sqrt(252)).plot(ax=axes[0], lw=1, label=f"{currency}: 250-day volatility")
roll.apply(stats.kurtosis, raw=True).plot(
    ax=axes[1], lw=1, label=f"{currency}: 250-day excess kurtosis"
)
for ax, unit in zip(axes, ["% per year", "excess kurtosis"], strict=True):
    ax.axvline(pd.Timestamp(event), color="k", ls="--", lw=1, label="event")
    ax.set(ylabel=unit, xlabel="date (end of the 250-day window)")
    ax.legend(fontsize=8)
axes[0].set_title(f"Rolling tail statistics of the long {currency} position")
fig.tight_layout()
save_figure(fig, out, "rolling_tails")

# %% [markdown] tags=[]
# ## What the run says
#
# Computed from this run. Context: Meese and Rogoff (1983) and the survey of Rossi (2013) find that the random
# walk is rarely beaten out of sample at short horizons; Fama (1984) found a negative slope in the forward-rate
# regression. Both are tested above on these data; the sentences below say what this run found. Where a network
# is labelled untrained, this run does not answer whether a network beats the random walk or the classical VaR
# models; the training tables above (for the VaR networks, the per-seed tables) say which networks trained. A VaR
# network that counts as trained is tested as the ensemble of its seeds that trained, with the single seeds'
# spread beside it above; an untrained one as the ensemble of every seed, labelled and not interpreted. Of the tail statistics that compare one window with the rest
# of the sample, only volatility and kurtosis carry (bootstrap) standard errors; the placebo rank, for `currency`
# only, is the only measure here of how unusual the window is among windows of its length.

# %% tags=[]
lines = ["Daily: " + change_forecast_reading(daily_comp, unit="trading day").split("\n\n")[-1]]
lines += [
    f"The {freq} LSTM did not train, so this run does not answer whether a network beats the random walk "
    f"on {freq} data."
    for freq, ok in [
        ("daily", lstm_trained),
        ("monthly", m_trained if monthly_comp is not None else True),
    ]
    if not ok
]
if lstm_trained:
    rmse = change_forecast_table(daily_comp)["rmse"]
    gaps = ", ".join(
        f"{rmse[(h, 'lstm')] / rmse[(h, 'linear_window')] - 1:+.1%} at {h}" for h in horizons
    )
    lines.append(
        f"The LSTM's RMSE against its linear ablation on the same inputs (trading days ahead; point "
        f"estimates, each model's test is against the random walk above): {gaps}."
    )
if monthly_comp is not None:
    lines.append(
        "Monthly, with forward rates: "
        + change_forecast_reading(monthly_comp, unit="month").split("\n\n")[-1]
    )
var_sections = {f"long {currency}": (results, var_comp, list(deep))}
if basket_results:
    var_sections["basket"] = (basket_results, basket_comp, list(b_deep))
for position, (
    res,
    comp,
    nets,
) in var_sections.items():  # each position's networks, then its ablation
    lines += network_var_reading(res, comp, nets, label=f"VaR, {position}")
    lines.append(f"VaR, {position}: {ablation_reading(*ablations[position], brief=True)}")
lines.append(event_tails_reading(tails, currency, se=tail_se))
display(Markdown("\n\n".join(lines)))

# %% [markdown] tags=[]
# ## Exercises
#
# 1. **(recall)** Why is the Clark–West test, not Diebold–Mariano, the one to read for the AR and the LSTM
#    against the random walk, and why does the forward-rate forecast need no such correction?
# 2. **(apply)** Rerun the notebook with `currency = "jpy"` and `basket = "dem,jpy,chf"`. Does the yen's tail
#    around the Plaza accord look like the pound's? Which VaR model has the most exceptions in the event window?
# 3. **(apply)** Estimate the Fama regression for the euro (`forward_currency = "eur"`) on data before 1999 only
#    and after: is the slope's sign stable?
# 4. **(extend)** Add a short position (the negative of the returns) to the VaR section: is the short position's
#    VaR at 99% larger or smaller than the long position's on average, and do its exceptions fall on other days?

# %% tags=[]
metrics = {
    "run.currency": currency,
    "run.basket": ",".join(members),
    "run.n_test": len(test),
    "run.confidence": confidence,
    "lstm.trained": int(lstm_trained),
    "lstm.best_epoch": lstm.fits[0].best_epoch,
    "lstm.val_loss": lstm.fits[0].best_val_loss,
    "lstm.naive_val_loss": lstm.fits[0].naive_val_loss,
}
metrics |= change_forecast_metrics(daily_comp)
if monthly_comp is not None:
    metrics |= change_forecast_metrics(monthly_comp, suffix="_monthly")
    metrics |= {
        "lstm.trained_monthly": int(m_trained),
        "lstm.best_epoch_monthly": m_lstm.fits[0].best_epoch,
    }
    metrics |= {f"fama_regression.slope_h{h}": s.beta for h, s in slopes.items()}
    metrics |= {
        f"fama_regression.slope_pvalue_vs_one_h{h}": s.pvalue_vs_one for h, s in slopes.items()
    }
metrics |= backtest_metrics(results) | comparison_metrics(var_comp)
metrics |= {
    k: v for k, v in comparison_metrics(var_ablation).items() if "_vs_linear_quantile." in k
}
metrics |= {f"{m}.capital_multiplier": capital.loc[m, "capital_multiplier"] for m in capital.index}
metrics["run.n_seeds"] = n_seeds
for name, kept_epoch in var_seeds.best_epochs().items():  # median over the seeds in the ensemble
    metrics |= {f"{name}.trained": int(var_trained[name]), f"{name}.best_epoch": kept_epoch}
    metrics[f"{name}.vol_scaling"] = deep[name].spec.vol_scaling
    metrics[f"{name}.n_seeds_trained"] = int(var_seed_table.loc[name, "trained"].sum())
if basket_results:
    metrics |= {"run.n_test_basket": len(b_test)}
    metrics |= backtest_metrics(basket_results, suffix="_basket") | comparison_metrics(
        basket_comp, suffix="_basket"
    )
    metrics |= {f"{n}.trained_basket": int(ok) for n, ok in b_seeds.trained.items()}
    metrics |= {
        f"{n}.n_seeds_trained_basket": int(b_seed_table.loc[n, "trained"].sum()) for n in b_deep
    }
    metrics |= {
        k: v
        for k, v in comparison_metrics(basket_ablation, suffix="_basket").items()
        if "_vs_linear_quantile." in k
    }
for c, t in tails.items():
    for period, row in t.iterrows():
        metrics |= {
            f"fx_rates.{k}_{period}_{c}": row[k]
            for k in ["vol_ann", "excess_kurtosis", "hill_left", "hill_right", "extremal_index"]
        }
metrics |= {
    f"fx_rates.excess_kurtosis_{p}_z_{currency}": z_table.loc[p, "excess_kurtosis"]
    for p in z_table.index
}
metrics["fx_rates.kurtosis_share_above_event"] = placebo["excess kurtosis"]["share_above"]
metrics["fx_rates.vol_share_above_event"] = placebo["annualised volatility"]["share_above"]
if in_event.any():
    metrics |= {f"{n}.exceptions_event": int(v) for n, v in exc[in_event].sum().items()}
    metrics["run.n_test_event"] = int(in_event.sum())
record_metrics(
    metrics,
    out,
    headline=[
        f"ar{ar_lags}.rmse_ratio_h1",
        "lstm.rmse_ratio_h1",
        "lstm.trained",
        "garch_skewt.exceptions",
        "lstm_quantile.exceptions",
        "lstm_quantile.trained",
    ],
)
