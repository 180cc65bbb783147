# %% [markdown] tags=[]
# # 00 · Data tour: every dataset of the workbench, offline and checked
#
# **Question.** What data do the notebooks stand on, where does it come from, and what does it look like?
#
# **Data.** Every dataset in the registry `finrisk_utils.data`: daily market series (S&P 500, NASDAQ, VIX, WTI
# crude) and monthly/quarterly rates and macro series (Moody's AAA/BAA yields, core CPI, Fama–French factors with
# the risk-free rate, US macro data) shipped inside the `arch` and `statsmodels` packages, the UCI German credit
# data shipped in `data/` with a sha256 in its manifest; and, beside the registry, the seeded synthetic card
# transactions with labelled fraud (`finrisk_utils.fraud.make_transactions`). Nothing is downloaded.
#
# **Models.** None: this notebook only looks at data and at the quality checks every loader runs.
#
# **Runtime** (2 CPU cores): about 20 s in either profile (the profiles differ only for notebooks that train).

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick" or "full": identical here, nothing is trained
output_dir = None  # where metrics.json and figures go (None: runs/interactive/00_data_tour)

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from finrisk_utils import DataValidationError, list_datasets, load, record_metrics, setup
from finrisk_utils.core import (
    check_datetime_index,
    describe_returns,
    log_returns,
    make_windows,
    plot_series,
    save_figure,
)
from finrisk_utils.data import load_prices
from finrisk_utils.fraud import make_transactions
from finrisk_utils.inflation import yoy_change
from finrisk_utils.workbench import resolve_output_dir

setup(seed)
out = resolve_output_dir(output_dir)
pd.set_option("display.precision", 4)

# %% [markdown] tags=[]
# ## The catalogue
#
# `list_datasets()` loads each dataset once, runs its checks and reports its span and size. Every loader returns a
# tidy frame: snake_case columns, a `DatetimeIndex` named `date` for time series, no missing values.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
catalogue = list_datasets()
catalogue[["frequency", "start", "end", "rows", "licence"]]

# %% [markdown] tags=[]
# ## Market data: four daily price series
#
# Prices are levels; risk is measured on returns. We use log returns in percent,
# $r_t = 100\,\ln(P_t/P_{t-1})$, for everything downstream. The table shows the stylised facts every market-risk
# model must face: annualised volatility far from constant, negative skew for equities, fat tails (excess kurtosis
# well above 0), and normality rejected outright (Jarque–Bera p ≈ 0).

# %% tags=[]
# NBVAL_CHECK_OUTPUT
market = {name: load_prices(name) for name in ["sp500", "nasdaq", "wti", "vix"]}
market_returns = {name: log_returns(p) for name, p in market.items() if name != "vix"}
pd.concat([describe_returns(r) for r in market_returns.values()]).round(3)

# %% tags=[]
fig, axes = plt.subplots(2, 2, figsize=(12, 6), sharex=False)
for ax, (name, p) in zip(axes.flat, market.items(), strict=True):
    plot_series(p, title=name, ax=ax)
    ax.set_yscale("log" if name != "vix" else "linear")
fig.tight_layout()
save_figure(fig, out, "market_prices")

# %% [markdown] tags=[]
# Volatility clusters: quiet years and turbulent ones (2000–02, 2008, 2011, 2015–16, late 2018). This is why a
# 1-day VaR must be *conditional* (GARCH, EWMA, or a network that sees recent returns) and why a test window must
# come strictly after the training window.

# %% tags=[]
fig = plot_series(market_returns["sp500"], title="S&P 500 daily log returns (%)", ylabel="%")
save_figure(fig, out, "sp500_returns")

# %% [markdown] tags=[]
# ## Rates, spreads and inflation (monthly and quarterly)
#
# Moody's AAA and BAA corporate yields; their spread BAA − AAA is the market's price of default risk and widens in
# recessions. The risk-free rate (1-month T-bill) comes with the Fama–French factors; the 3-month T-bill rate and
# inflation come with the quarterly US macro data; year-on-year core inflation is computed from the core CPI index as a log difference, `100 ln(P_t / P_{t-12})`, the one definition the workbench uses (`finrisk_utils.inflation.yoy_change`).

# %% tags=[]
# NBVAL_CHECK_OUTPUT
yields = load("corporate_yields")
spread = (yields["baa"] - yields["aaa"]).rename("baa_minus_aaa")
ff = load("fama_french")
macro = load("us_macro")
core_cpi = load("core_cpi")["core_cpi"]
core_inflation = yoy_change(core_cpi).rename("core_inflation_yoy")
pd.DataFrame(
    {
        "BAA-AAA spread (pp)": spread.describe(),
        "risk-free rate (% per month)": ff["rf"].describe(),
        "3m T-bill (% p.a., quarterly)": macro["tbilrate"].describe(),
        "core CPI inflation (% y/y, log)": core_inflation.describe(),
    }
).round(3)

# %% tags=[]
fig, axes = plt.subplots(2, 2, figsize=(12, 6))
plot_series(yields, title="Moody's corporate yields (% p.a.)", ax=axes[0, 0])
plot_series(spread, title="BAA - AAA spread (percentage points)", ax=axes[0, 1])
plot_series(
    macro[["tbilrate", "infl"]], title="US 3m T-bill and CPI inflation (% p.a.)", ax=axes[1, 0]
)
plot_series(core_inflation, title="US core CPI inflation (% y/y)", ax=axes[1, 1])
fig.tight_layout()
save_figure(fig, out, "rates_and_inflation")

# %% [markdown] tags=[]
# ### A repair worth knowing about
#
# `arch.data.frenchdata` stores dates as `YYYYMM` integers. Under pandas 3 they are read as *nanoseconds after
# 1970*, so every date comes back as 1970-01-01. The loader detects this and rebuilds month-start dates (a unit test
# pins it):

# %% tags=[]
# NBVAL_CHECK_OUTPUT
from arch.data import frenchdata

raw_index = frenchdata.load().index
print("raw arch index:     ", raw_index[:2].tolist())
print(
    "repaired by loader: ", ff.index[:2].strftime("%Y-%m-%d").tolist(), "...", ff.index[-1].date()
)

# %% [markdown] tags=[]
# ## Credit data: 1,000 German loan applicants
#
# Twenty attributes (thirteen categorical, seven numeric) and the label `creditability`. 30% are bad: an
# imbalanced but not extreme problem. The loader verifies the file's sha256 against `data/manifest.yaml` first.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
credit = load("german_credit")
print(f"{credit.shape[0]} applicants, {credit.shape[1] - 1} attributes")
print(credit["creditability"].value_counts().to_string())
credit.select_dtypes("number").describe().T.round(2)

# %% [markdown] tags=[]
# ## Synthetic transactions: fraud with known ground truth
#
# No labelled fraud data can ship offline, so transactions are simulated (seeded, `finrisk_utils.fraud.make_transactions`): customers with their own spending
# habits, and fraud injected by three documented mechanisms, each labelled. Options set its size and fraud rate.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
tx = make_transactions()
print(
    f"{len(tx)} transactions, {tx['customer_id'].nunique()} customers, {tx['is_fraud'].mean():.3%} fraudulent"
)
tx["fraud_type"].value_counts().to_frame("transactions")

# %% [markdown] tags=[]
# ## What the quality checks catch
#
# Every loader and every preprocessing step validates its input and raises `DataValidationError` with a message
# naming the dataset, column, row and problem, rather than computing silently on bad data. Three examples:

# %% tags=[]
# NBVAL_CHECK_OUTPUT
bad_dates = market["sp500"].iloc[:5].copy()
bad_dates.index = bad_dates.index[[0, 1, 3, 2, 4]]  # two days swapped
bad_prices = market["sp500"].iloc[:5].copy()
bad_prices.iloc[2] = np.nan
for label, thunk in [
    ("non-monotonic dates", lambda: check_datetime_index(bad_dates, where="sp500 sample")),
    ("a missing price", lambda: log_returns(bad_prices)),
    (
        "a window longer than the series",
        lambda: make_windows(bad_prices.to_numpy()[:2], window=20),
    ),
]:
    try:
        thunk()
    except DataValidationError as err:
        print(f"{label:32s} -> {err}")

# %% [markdown] tags=[]
# ## Record
#
# Shapes and spans of every dataset go to `metrics.json`, so a test can check that the data a run used is the data
# this notebook describes.

# %% tags=[]
metrics = {f"{name}.rows": int(row.rows) for name, row in catalogue.iterrows()}
metrics |= {f"{name}.start": row.start for name, row in catalogue.iterrows() if pd.notna(row.start)}
metrics |= {f"{name}.end": row.end for name, row in catalogue.iterrows() if pd.notna(row.end)}
metrics |= {
    "sp500.vol_ann": float(market_returns["sp500"].std() * np.sqrt(252)),
    "baa_aaa_spread.mean": float(spread.mean()),
    "german_credit.bad_rate": float((credit["creditability"] == "bad").mean()),
    "run.n_datasets": len(catalogue),
}
record_metrics(metrics, out, headline=["run.n_datasets", "sp500.rows", "german_credit.bad_rate"])
