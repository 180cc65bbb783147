# %% [markdown] tags=[]
# # 01 · Market risk: forecasting S&P 500 prices with an LSTM, done right
#
# **Question.** Can an LSTM that sees the last few weeks of returns forecast tomorrow's S&P 500 return (and so
# tomorrow's price) better than the random walk?
#
# **Data.** `sp500` (daily, 1999–2018; any of `sp500`, `nasdaq`, `wti` via the `dataset` parameter), as 100 × log
# returns. Train on targets before `val_start` (1999–2012), stop early on the validation period (2013–2014), test on
# `test_start`–`test_end` (2015–2018), never shuffled across periods.
#
# **Models.** One LSTM layer on windows of `window` past returns (shape `(batch, window, 1)`), with its learning
# curve, kept epoch and a check that it learned: it counts as trained only if its kept weights beat a constant
# forecast on validation and come from an epoch after the first (otherwise it is labelled untrained and not
# interpreted).
# **Baselines.** Random walk (tomorrow's price = today's: a zero return forecast), persistence (tomorrow's return =
# today's), historical mean (the average return before the test period), and the ablation that isolates what the
# non-linearity adds: a linear AR on the same `window` past returns (`ar20` by default), fitted by OLS on the
# training period.
# **Evaluation.** RMSE, MAE, directional accuracy, RMSE of the implied price; squared errors compared with the
# random walk by Diebold–Mariano (HAC variance, Harvey–Leybourne–Newbold correction) and, for the models that nest
# the random walk (historical mean, AR, LSTM), by Clark and West (2007); Holm over the family; the model confidence
# set of Hansen, Lunde and Nason (2011) over those of the five that trained (an untrained network is not a candidate).
#
# **Runtime** (2 CPU cores): 19 s in the full profile at the last render, run alone; 13 s in the quick profile in a fresh-clone `make run` (2 workers, every notebook, this round).

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick": same data, a tiny net and 3 epochs (CI); "full": the teaching run
output_dir = None  # where metrics.json and figures go (None: runs/interactive/<notebook>)
dataset = "sp500"  # sp500, nasdaq or wti
window = 20  # look-back, trading days
val_start = "2013-01-01"  # first target date of the validation (early-stopping) period
test_start = "2015-01-01"
test_end = "2018-12-31"
epochs = 0  # 0: by profile (quick 3, full 200); early stopping picks the epoch
units = 0  # LSTM units; 0: by profile (quick 8, full 32)

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from finrisk_utils import models, record_metrics, setup
from finrisk_utils.core import (
    by_profile,
    fit_train_scaler,
    log_returns,
    make_windows,
    plot_forecasts,
    prices_from_log_returns,
    save_figure,
    split_windows,
)
from finrisk_utils.data import load_prices
from finrisk_utils.forecasting import (
    forecast_table,
    historical_mean_forecast,
    persistence_forecast,
    random_walk_return_forecast,
    rmse,
)
from finrisk_utils.market import (
    FORECASTS_FILE,
    ar_window_forecast,
    compare_return_forecasts,
    save_return_forecasts,
)
from finrisk_utils.models import has_learned, plot_training, predict_array, training_report
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
epochs = epochs or by_profile(profile, quick=3, full=200)
units = units or by_profile(profile, quick=8, full=32)
out = resolve_output_dir(output_dir)
pd.set_option("display.precision", 4)

# %% [markdown] tags=[]
# ## Data

# %% tags=[]
# NBVAL_CHECK_OUTPUT
prices = load_prices(dataset)
returns = log_returns(prices)  # % per day
print(f"{dataset}: {len(prices)} prices from {prices.index[0].date()} to {prices.index[-1].date()}")
returns.describe().to_frame("log return (%)").T

# %% [markdown] tags=[]
# ## What is wrong with the seed article's recipe, in numbers
#
# The article this workbench started from trains `LSTM(50, input_shape=(data.shape[1], 1))` on a price table
# scaled by `data / np.max(data)` with `model.fit(data, data)`. Three mistakes (the numbers below measure the
# first and the fourth trap; the second and third are shown by what the code does):
#
# 1. **Global-max scaling leaks the future.** The maximum of the whole sample is reached in the test period, so the
#    scaled *training* data already encode how high prices will go.
# 2. **It fits the inputs to themselves.** `fit(data, data)` asks the network to reproduce today's row from today's
#    row: no forecast is ever made, so a near-perfect fit means nothing.
# 3. **It mis-shapes the LSTM input.** `input_shape=(data.shape[1], 1)` makes the *columns of one day* (open, high,
#    low, close, adjusted close, volume) the time steps of a sequence: the network never sees yesterday. A sequence
#    model needs `(samples, window, features)`, a window of past days per sample.
#
# And a fourth trap it walks into: on price *levels*, even "tomorrow = today" looks superb, so a price-level
# forecast that looks good proves nothing.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
before_val = prices[prices.index < val_start]
print(
    f"1. global max {prices.max():.1f} on {prices.idxmax().date()}; max before {val_start}: {before_val.max():.1f}"
)
print(
    f"   -> training prices scaled by the global max top out at {before_val.max() / prices.max():.3f}, "
    "a number taken from the test period"
)
table_columns = ["open", "high", "low", "close", "adj_close", "volume"]
print(
    f"3. seed input shape per sample: ({len(table_columns)}, 1) = one day's {table_columns} as 'time steps'; "
    f"ours: ({window}, 1) = {window} past daily returns"
)
level_r2 = 1 - ((prices - prices.shift()) ** 2).sum() / ((prices - prices.mean()) ** 2).sum()
ret_r2 = 1 - (returns**2).sum() / ((returns - returns.mean()) ** 2).sum()
print(
    f"4. R^2 of 'tomorrow = today' on price levels: {level_r2:.4f}; the same forecast on returns: {ret_r2:.4f}"
)

# %% [markdown] tags=[]
# ## Chronological split, train-only scaling, windows
#
# The scaler's mean and standard deviation come from training returns only (targets before `val_start`). Each sample
# is a window of `window` past returns; its target is the *next* day's return. A window is assigned to a period by
# its target's date, so validation and test windows may look back into the previous period (that is the past, known
# at forecast time) but never see their own target.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
scaler = fit_train_scaler(returns, train_end=val_start)
scaled = scaler.transform(returns.to_frame())[:, 0]
windows = make_windows(scaled, window=window)
split = split_windows(
    windows, returns.index, val_start=val_start, test_start=test_start, test_end=test_end
)
print(
    f"scaler fitted on {returns.index[0].date()} .. {returns[returns.index < val_start].index[-1].date()}: "
    f"mean {scaler.mean_[0]:.4f} %, sd {scaler.scale_[0]:.4f} %"
)
print("windows per period:", split.sizes(), "| X_train shape:", split.train.X.shape)
actual = returns.loc[split.test.dates]

# %% [markdown] tags=[]
# ## Baselines
#
# For a price, the random walk is the benchmark every forecaster must beat: its return forecast is zero, so it has
# no direction. Persistence repeats today's return; the historical mean uses every return before the test period.
# The AR sees exactly what the LSTM sees (the last `window` returns) but combines them linearly, with its
# coefficients fitted on the LSTM's training targets (before `val_start`): if the LSTM does better than the AR, the
# difference is what its non-linearity adds.

# %% tags=[]
dates = split.test.dates
ar_name = f"ar{window}"
forecasts = {
    "random_walk": random_walk_return_forecast(dates),
    "persistence": persistence_forecast(returns, dates),
    "historical_mean": historical_mean_forecast(returns[returns.index < test_start], dates),
    ar_name: ar_window_forecast(returns, window, val_start, dates),
}

# %% [markdown] tags=[]
# ## The LSTM
#
# One LSTM layer and a linear output, trained with MSE on scaled returns; early stopping on the validation period
# keeps the best epoch's weights. The test period is not touched until the model is fixed. The network counts as
# trained only if its kept validation loss beats a constant forecast (the mean training return) on validation and
# the kept epoch is not the first: a network kept at its first epoch, whose forecasts barely move, has learned
# nothing yet and is not read as "well regularised".

# %% tags=[]
model = models.build_recurrent_regressor(window, units=units, cell="lstm")
fit = models.fit_model(
    model, split.train.X, split.train.y, split.val.X, split.val.y, epochs=epochs, patience=15
)
fig = plot_training(fit, title="LSTM learning curve: MSE on scaled returns")
fig.axes[0].axhline(fit.naive_val_loss, color="k", ls=":", lw=1, label="constant (validation)")
fig.axes[0].legend()
save_figure(fig, out, "training")
lstm_trained = has_learned(fit)
lstm_label = "lstm" if lstm_trained else "lstm (untrained)"
display(Markdown(training_report(fit, "The LSTM")))
pd.DataFrame([fit.summary()], index=["lstm"]).rename(columns={"trained": "beat_constant"}).assign(
    counts_as_trained=int(lstm_trained)
)

# %% tags=[]
# predict_array: model.predict's outputs, without its per-call set-up (seconds for a small LSTM)
scaled_pred = predict_array(model, split.test.X)
forecasts["lstm"] = pd.Series(scaler.inverse_transform(scaled_pred)[:, 0], index=dates, name="lstm")
assert np.isfinite(forecasts["lstm"]).all()
_ = save_return_forecasts(
    out / FORECASTS_FILE, actual, forecasts
)  # notebook 07 tests the seed ensemble
print(
    f"LSTM forecasts: mean {forecasts['lstm'].mean():.4f} %, sd {forecasts['lstm'].std():.4f} % "
    f"(actual returns: sd {actual.std():.4f} %)"
)

# %% [markdown] tags=[]
# ## Evaluation on the test period
#
# Return errors are in percentage points; the implied price is $P_{t-1}\,e^{\hat r_t/100}$ and its RMSE is in
# index points. Directional accuracy is blank for the random walk (a zero forecast has no direction; days with a zero forecast
# or outcome are skipped for the others); the historical mean always says "up", so its accuracy is the share of
# up days, the bar a direction forecast must clear. `forecast_sd` is the standard deviation of each forecast: a
# forecast that hardly moves is a constant in disguise.

# %% tags=[]
table = forecast_table(actual, forecasts)
table["price_rmse"] = [
    rmse(prices.loc[dates], prices_from_log_returns(prices, fc)) for fc in forecasts.values()
]
table["rmse_vs_random_walk"] = table["rmse"] / table.loc["random_walk", "rmse"]
table["forecast_sd"] = [fc.std() for fc in forecasts.values()]
table["trained"] = [
    ("yes" if lstm_trained else "no (untrained)") if m == "lstm" else "–" for m in table.index
]
table

# %% [markdown] tags=[]
# **Tests.** Squared errors against the random walk: Diebold–Mariano (two-sided, Bartlett HAC variance, HLN
# correction) for every model; Clark–West (one-sided: does the model beat the random walk?) for the three models
# that nest it; Holm's adjustment over each family of tests; the 90% model confidence set over every model that trained (an
# untrained network is not a candidate).
# The `verdict` column follows the protocol: for a nested model "significantly better" needs Clark–West (Holm)
# and a lower RMSE, "significantly worse" comes from DM; the reading below gives the DM and the Clark–West
# answers side by side. An untrained LSTM stays in the table but out of the Holm families and the readings.

# %% tags=[]
nested = ["historical_mean", ar_name, "lstm"]
comparison = compare_return_forecasts(
    actual, forecasts, nested=nested, trained={"lstm": lstm_trained}, seed=seed
)
comparison.table[
    [
        "trained",
        "ratio",
        "dm_pvalue",
        "pvalue_holm",
        "cw_pvalue",
        "cw_pvalue_holm",
        "in_mcs",
        "verdict",
    ]
]

# %% tags=[]
fig, axes = plt.subplots(2, 1, figsize=(12, 7))
last = dates[-250:]
plot_forecasts(
    actual.loc[last],
    {
        (lstm_label if k == "lstm" else k): v.loc[last]
        for k, v in forecasts.items()
        if k != "random_walk"
    },
    title="Last 250 test days: daily log return (%) and forecasts",
    ylabel="%",
    ax=axes[0],
)
plot_forecasts(
    prices.loc[last],
    {lstm_label: prices_from_log_returns(prices, forecasts["lstm"]).loc[last]},
    title="Implied price from the LSTM's return forecast vs the actual price",
    ylabel="index points",
    ax=axes[1],
)
fig.tight_layout()
_ = save_figure(fig, out, "forecasts")  # the path is machine-specific: not displayed

# %% [markdown] tags=[]
# ## Conclusion
#
# Read the table, not the price chart: an implied-price line hugs the actual price whatever the return forecast
# (the price-RMSE column is close for every model but persistence), because tomorrow's price is today's price plus
# a small change. On returns, what matters, the readings below are computed
# from this run's tests. The efficient-markets view (Fama 1970) expects no model here to beat the random walk on
# daily index returns by a margin that survives the tests; a linear model on the same past returns (the AR) is the
# bar the LSTM's non-linearity has to clear before it can be credited with anything. Whether deep models earn
# their keep in market risk when they forecast the *distribution* instead (volatility, quantiles) is tested in
# notebooks 02 and 08.

# %% tags=[]
lines = [training_report(fit, "The LSTM"), comparison.verdict_text()]
if lstm_trained:
    gap = table.loc["lstm", "rmse"] / table.loc[ar_name, "rmse"] - 1
    lines.append(f"Against the linear AR on the same inputs, the LSTM's RMSE is {gap:+.2%}.")
untrained = [] if lstm_trained else ["lstm"]
accuracy = table["directional_accuracy"].drop(["random_walk", *untrained])
lines.append(
    "Directional accuracy: "
    + ", ".join(f"{m} {v:.3f}" for m, v in accuracy.items())
    + f"; 'always up' (the historical mean) is the bar, {accuracy['historical_mean']:.3f}."
)
display(Markdown(" ".join(lines)))

# %% [markdown] tags=[]
# ## Exercises
#
# 1. **(recall)** Why does the notebook test the historical mean, the AR and the LSTM with Clark–West but
#    persistence with Diebold–Mariano only? Check your answer by computing persistence's mean squared error
#    relative to the random walk on the test period and its DM verdict (`compare_return_forecasts`).
# 2. **(apply)** Put a linear model in the LSTM's place on several windows: fit `ar_window_forecast` with 1, 5, 20
#    and 60 lags (training targets before `val_start`) and compare each with the random walk, Clark–West
#    included. Does a longer window help a linear model, and what does that say about the LSTM's `window`?
# 3. **(apply)** Rerun the baselines with `dataset = "nasdaq"`: random walk, persistence and AR(20). Does the
#    reading change?
# 4. **(extend)** Train a tiny LSTM (window 5, 4 units, 3 epochs) and test it against an AR(5) on the same
#    inputs through the same protocol. Did it train (`has_learned`)? What would you need to see before crediting
#    its non-linearity with anything?
#
# Worked solutions: `solutions/01_market_risk_price_forecasting_lstm_solutions.ipynb`.

# %% tags=[]
metrics = {
    "run.n_test": len(actual),
    "run.window": window,
    "run.return_sd": float(actual.std()),
    "lstm.trained": int(lstm_trained),
    "lstm.best_epoch": fit.best_epoch,
    "lstm.epochs_run": fit.epochs_run,
    "lstm.val_loss": fit.best_val_loss,
    "lstm.naive_val_loss": fit.naive_val_loss,
}
for name, row in table.iterrows():
    metrics |= {
        f"{name}.{col}": float(row[col])
        for col in ["rmse", "mae", "price_rmse", "directional_accuracy", "forecast_sd"]
    }
lstm_row = comparison.table.loc["lstm"]
metrics |= {
    "lstm_vs_random_walk.dm_stat": lstm_row["dm_stat"],
    "lstm_vs_random_walk.dm_pvalue": lstm_row["dm_pvalue"],
}
metrics |= comparison.metrics()
record_metrics(
    metrics, out, headline=["lstm.rmse", "random_walk.rmse", "lstm.trained", f"{ar_name}.rmse"]
)
