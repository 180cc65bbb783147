"""One contract at every public boundary: bad input raises DataValidationError, ValueError or TypeError with a
message naming the function, the argument and the offending row/date/value; it never computes silently.

Each row of a table: an id, a thunk calling the public function with one bad argument, the expected exception
type and a regex its message must match."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils import DataValidationError
from finrisk_utils.core.descriptive import describe_returns
from finrisk_utils.core.timeseries import (
    Split,
    WindowSet,
    log_returns,
    make_windows,
    origins_with_target,
    simple_returns,
    split_windows,
)
from finrisk_utils.credit import metrics as cm
from finrisk_utils.data import registry
from finrisk_utils.forecasting import baselines as bl
from finrisk_utils.forecasting import metrics as fm
from finrisk_utils.fraud import metrics as frm
from finrisk_utils.fraud.detectors import split_by_time
from finrisk_utils.inflation.measures import monthly_inflation, yoy_change
from finrisk_utils.market import backtest as bt
from finrisk_utils.market import var_models as vm
from finrisk_utils.market.riskmeasures import RiskForecast
from finrisk_utils.market.volatility import har_forecast, log_annualised_vol, parkinson_variance
from finrisk_utils.rates.bonds import Bond, ZeroCurve, portfolio_value, price_from_yield

DVE, VE, TE = DataValidationError, ValueError, TypeError

IDX = pd.bdate_range("2020-01-01", periods=300)
RNG = np.random.default_rng(0)
RET = pd.Series(RNG.standard_normal(300), index=IDX, name="r")
PRICES = pd.Series(100 * np.exp(np.cumsum(RET.to_numpy() / 100)), index=IDX, name="p")
FC_IDX = IDX[-100:]
FC = RiskForecast("m", 0.99, pd.Series(2.5, index=FC_IDX), pd.Series(3.0, index=FC_IDX))
REAL = RET.loc[FC_IDX]


def with_value(s, pos, value):
    out = s.astype(object) if isinstance(value, str) else s.copy()
    out.iloc[pos] = value
    return out


def reversed_(s):
    return s.iloc[::-1]


def duplicated(s):
    out = s.copy()
    out.index = out.index[[0, *range(len(out) - 1)]]
    return out


HITS = np.array([0, 1, 0, 0, 1, 0, 0, 0, 0, 0], dtype=float)
Y = np.array([0, 1] * 10)
P = np.linspace(0.05, 0.95, 20)

CASES = [
    # --- market.backtest: NaN / -inf realised returns, arrays without dates, misaligned dates
    (
        "backtest_var NaN return",
        lambda: bt.backtest_var(with_value(REAL, 7, np.nan), FC, n_sim=50),
        DVE,
        r"backtest_var: returns has 1 non-finite.*NaN at row 7 \(2020-10-16\)",
    ),
    (
        "backtest_var -inf return",
        lambda: bt.backtest_var(with_value(REAL, 3, -np.inf), FC, n_sim=50),
        DVE,
        r"backtest_var: returns .*-inf at row 3",
    ),
    (
        "backtest_var ndarray",
        lambda: bt.backtest_var(REAL.to_numpy(), FC, n_sim=50),
        TE,
        r"backtest_var: returns must be a pandas Series with a DatetimeIndex, got ndarray",
    ),
    (
        "backtest_var misaligned",
        lambda: bt.backtest_var(RET.iloc[-101:-1], FC, n_sim=50),
        DVE,
        r"backtest_var: returns and the m forecast are not on the same dates \(row 0",
    ),
    (
        "backtest_var string return",
        lambda: bt.backtest_var(with_value(REAL, 2, "x"), FC, n_sim=50),
        TE,
        r"backtest_var: returns must be numeric, found 'x'.*row 2",
    ),
    (
        "backtest_var not a forecast",
        lambda: bt.backtest_var(REAL, {"var": 1}),
        TE,
        r"backtest_var: forecast must be a RiskForecast, got dict",
    ),
    (
        "backtest_var n_sim=0",
        lambda: bt.backtest_var(REAL, FC, n_sim=0),
        VE,
        r"backtest_var: n_sim must be a positive int, got 0",
    ),
    (
        "exceptions_of NaN",
        lambda: bt.exceptions_of(with_value(REAL, 0, np.nan), FC),
        DVE,
        r"exceptions_of: returns .*NaN at row 0",
    ),
    (
        "exceptions_of reversed",
        lambda: bt.exceptions_of(reversed_(REAL), FC),
        DVE,
        r"exceptions_of: returns: dates are not increasing",
    ),
    (
        "kupiec NaN hit",
        lambda: bt.kupiec_pof(np.r_[HITS, np.nan], 0.01),
        DVE,
        r"kupiec_pof: exceptions has 1 non-finite value.*NaN at row 10",
    ),
    ("kupiec empty", lambda: bt.kupiec_pof([], 0.01), DVE, r"kupiec_pof: exceptions is empty"),
    (
        "kupiec value 2",
        lambda: bt.kupiec_pof(np.r_[HITS, 2], 0.01),
        VE,
        r"kupiec_pof: exceptions must be booleans or 0/1, found 2.0 at row 10",
    ),
    (
        "kupiec alpha string",
        lambda: bt.kupiec_pof(HITS, "0.01"),
        TE,
        r"kupiec_pof: alpha .* must be a number, got '0.01'",
    ),
    ("kupiec alpha 0.7", lambda: bt.kupiec_pof(HITS, 0.7), VE, r"kupiec_pof: alpha .* \(0, 0.5\)"),
    (
        "christoffersen NaN",
        lambda: bt.christoffersen(np.r_[np.nan, HITS], 0.01),
        DVE,
        r"christoffersen: exceptions .*NaN at row 0",
    ),
    (
        "traffic_light n=2.5",
        lambda: bt.traffic_light(1, 2.5),
        TE,
        r"traffic_light: n must be a positive int",
    ),
    (
        "traffic_light exceptions > n",
        lambda: bt.traffic_light(11, 10),
        VE,
        r"traffic_light: exceptions must be an int in \[0, n=10\], got 11",
    ),
    (
        "traffic_light exceptions -1",
        lambda: bt.traffic_light(-1, 10),
        VE,
        r"traffic_light: exceptions must be an int >= 0, got -1",
    ),
    (
        "z2 NaN return",
        lambda: bt.acerbi_szekely_z2(with_value(REAL, 5, np.nan), FC.var, FC.es, 0.01, n_sim=50),
        DVE,
        r"acerbi_szekely_z2: returns .*NaN at row 5 \(2020-10-14\)",
    ),
    (
        "z2 -inf return",
        lambda: bt.acerbi_szekely_z2(with_value(REAL, 5, -np.inf), FC.var, FC.es, 0.01),
        DVE,
        r"acerbi_szekely_z2: returns .*-inf at row 5",
    ),
    (
        "z2 misaligned",
        lambda: bt.acerbi_szekely_z2(RET.iloc[:100], FC.var, FC.es, 0.01),
        DVE,
        r"acerbi_szekely_z2: .*not on the same dates",
    ),
    (
        "z2 length",
        lambda: bt.acerbi_szekely_z2(np.ones(3), np.ones(4), np.ones(4), 0.01),
        VE,
        r"acerbi_szekely_z2: returns, var and es must be 1-D arrays of equal length",
    ),
    (
        "z2 ES below VaR",
        lambda: bt.acerbi_szekely_z2(np.ones(3), np.ones(3), np.r_[1, 0.5, 1], 0.01),
        VE,
        r"ES at least VaR on every day; row 1",
    ),
    (
        "RiskForecast NaN VaR",
        lambda: RiskForecast("m", 0.99, with_value(FC.var, 4, np.nan), FC.es),
        DVE,
        r"RiskForecast 'm': VaR forecasts .*NaN at row 4",
    ),
    (
        "RiskForecast ndarray",
        lambda: RiskForecast("m", 0.99, np.ones(3), np.ones(3)),
        TE,
        r"RiskForecast 'm': var must be a pandas Series",
    ),
    # --- market.var_models
    (
        "hs NaN return",
        lambda: vm.historical_simulation(with_value(RET, 9, np.nan), IDX[260:], 0.99),
        DVE,
        r"historical_simulation: returns .*NaN at row 9 \(2020-01-14\)",
    ),
    (
        "hs dates after data",
        lambda: vm.historical_simulation(RET, pd.bdate_range(IDX[-1], periods=5), 0.99),
        DVE,
        r"historical_simulation: 4 forecast dates lie after the last return \(2021-02-23\)",
    ),
    (
        "hs reversed dates",
        lambda: vm.historical_simulation(RET, IDX[260:][::-1], 0.99),
        DVE,
        r"historical_simulation: dates: dates are not increasing",
    ),
    (
        "hs window 2.5",
        lambda: vm.historical_simulation(RET, IDX[260:], 0.99, window=2.5),
        TE,
        r"historical_simulation: window must be a positive int",
    ),
    (
        "hs ndarray",
        lambda: vm.historical_simulation(RET.to_numpy(), IDX[260:], 0.99),
        TE,
        r"historical_simulation: returns must be a pandas Series",
    ),
    (
        "ewma init_window=0",
        lambda: vm.ewma_volatility(RET, init_window=0),
        VE,
        r"ewma_volatility: init_window must be a positive int, got 0",
    ),
    (
        "ewma init_window=2.5",
        lambda: vm.ewma_volatility(RET, init_window=2.5),
        TE,
        r"ewma_volatility: init_window must be a positive int, got 2.5",
    ),
    (
        "ewma NaN",
        lambda: vm.ewma_volatility(with_value(RET, 260, np.nan)),
        DVE,
        r"ewma_volatility: returns .*NaN at row 260",
    ),
    (
        "ewma inf",
        lambda: vm.ewma_volatility(with_value(RET, 1, np.inf)),
        DVE,
        r"ewma_volatility: returns .*inf at row 1",
    ),
    (
        "ewma lam 1",
        lambda: vm.ewma_volatility(RET, lam=1.0),
        VE,
        r"ewma_volatility: lam must lie in \(0, 1\)",
    ),
    (
        "ewma duplicate dates",
        lambda: vm.ewma_volatility(duplicated(RET)),
        DVE,
        r"ewma_volatility: returns: duplicate date 2020-01-01",
    ),
    (
        "garch fit_end garbage",
        lambda: vm.garch_var(
            pd.Series(RNG.standard_normal(600), index=pd.bdate_range("2018-01-01", periods=600)),
            pd.bdate_range("2018-01-01", periods=600)[-5:],
            0.99,
            fit_end="soon",
        ),
        VE,
        r"garch_var: fit_end is not a date: 'soon'",
    ),
    # --- market.volatility
    (
        "log_annualised_vol NaN",
        lambda: log_annualised_vol(with_value(RET.abs(), 2, np.nan)),
        DVE,
        r"log_annualised_vol: variance .*NaN at row 2",
    ),
    (
        "har_forecast horizon 0",
        lambda: har_forecast(RET, IDX[200], horizon=0),
        VE,
        r"har_forecast: horizon must be a positive int, got 0",
    ),
    (
        "parkinson string",
        lambda: parkinson_variance(
            pd.DataFrame({"high": ["2"] * 3, "low": [1.0] * 3}, index=IDX[:3])
        ),
        TE,
        r"parkinson_variance: column 'high' must be numeric, found '2'",
    ),
    # --- core.timeseries
    (
        "log_returns empty",
        lambda: log_returns(pd.Series([], dtype=float, index=pd.DatetimeIndex([]))),
        DVE,
        r"log_returns: prices is empty",
    ),
    (
        "log_returns string price",
        lambda: log_returns(with_value(PRICES, 4, "abc")),
        TE,
        r"log_returns: prices must be numeric, found 'abc' \(str\) at row 4 \(2020-01-07\)",
    ),
    (
        "simple_returns empty frame",
        lambda: simple_returns(pd.DataFrame({"a": []}, index=pd.DatetimeIndex([]))),
        DVE,
        r"simple_returns: prices is empty",
    ),
    (
        "log_returns inf",
        lambda: log_returns(with_value(PRICES, 4, np.inf)),
        DVE,
        r"log_returns: 1 price\(s\) are NaN or inf; first on 2020-01-07",
    ),
    (
        "make_windows NaN",
        lambda: make_windows(with_value(RET, 11, np.nan), window=5),
        DVE,
        r"make_windows: features .*NaN at row 11 \(2020-01-16\)",
    ),
    (
        "make_windows inf target",
        lambda: make_windows(RET, with_value(RET, 3, np.inf), window=5),
        DVE,
        r"make_windows: target .*inf at row 3",
    ),
    (
        "make_windows empty",
        lambda: make_windows(np.array([]), window=5),
        DVE,
        r"make_windows: features is empty",
    ),
    (
        "make_windows strings",
        lambda: make_windows(np.array(["a", "b", "c"]), window=1),
        TE,
        r"make_windows: features must be numeric, found 'a'",
    ),
    (
        "make_windows misaligned target",
        lambda: make_windows(RET, RET.shift(1, freq="D"), window=5),
        DVE,
        r"make_windows: features and target are not on the same dates",
    ),
    (
        "make_windows window 2.5",
        lambda: make_windows(RET, window=2.5),
        TE,
        r"make_windows: window must be a positive int",
    ),
    (
        "split_windows reversed index",
        lambda: split_windows(
            make_windows(RET, window=5), IDX[::-1], val_start="2020-06-01", test_start="2020-09-01"
        ),
        DVE,
        r"split_windows: index: dates are not increasing",
    ),
    (
        "split_windows duplicate index",
        lambda: split_windows(
            make_windows(RET, window=5),
            duplicated(RET).index,
            val_start="2020-06-01",
            test_start="2020-09-01",
        ),
        DVE,
        r"split_windows: index: duplicate date 2020-01-01",
    ),
    (
        "split_windows misaligned index",
        lambda: split_windows(
            make_windows(RET, window=5), IDX[:-1], val_start="2020-06-01", test_start="2020-09-01"
        ),
        DVE,
        r"split_windows: index has 299 dates but the windows were built from 300 rows",
    ),
    (
        "split_windows bad date",
        lambda: split_windows(
            make_windows(RET, window=5), IDX, val_start="soon", test_start="2020-09-01"
        ),
        VE,
        r"split_windows: val_start is not a date: 'soon'",
    ),
    (
        "split_windows not windows",
        lambda: split_windows(
            np.ones((3, 2)), IDX, val_start="2020-06-01", test_start="2020-09-01"
        ),
        TE,
        r"split_windows: windows must come from make_windows",
    ),
    (
        "origins_with_target horizon 0",
        lambda: origins_with_target(IDX, IDX[:3], 0),
        VE,
        r"origins_with_target: horizon must be a positive int, got 0",
    ),
    (
        "origins_with_target unknown origin",
        lambda: origins_with_target(IDX, pd.DatetimeIndex(["1999-01-01"]), 1),
        VE,
        r"origins_with_target: every origin must be a date of the index; 1999-01-01 is not",
    ),
    # --- core.descriptive
    (
        "describe_returns ndarray",
        lambda: describe_returns(RET.to_numpy()),
        TE,
        r"describe_returns: returns must be a pandas Series",
    ),
    (
        "describe_returns strings",
        lambda: describe_returns(with_value(RET, 1, "x")),
        TE,
        r"describe_returns: column 'r' must be numeric, found 'x'.*row 1",
    ),
    (
        "describe_returns empty",
        lambda: describe_returns(pd.Series([], dtype=float)),
        DVE,
        r"describe_returns: column 0 is empty",
    ),
    (
        "describe_returns periods 0",
        lambda: describe_returns(RET, periods_per_year=0),
        VE,
        r"describe_returns: periods_per_year must be a positive int",
    ),
    # --- forecasting.baselines and metrics
    (
        "persistence NaN history",
        lambda: bl.persistence_forecast(
            with_value(RET, -1, np.nan), pd.bdate_range(IDX[-1], periods=2)[1:]
        ),
        DVE,
        r"persistence_forecast: history .*NaN at row 299",
    ),
    (
        "historical_mean NaN train",
        lambda: bl.historical_mean_forecast(
            with_value(RET, 0, np.nan), pd.bdate_range("2022-01-03", periods=2)
        ),
        DVE,
        r"historical_mean_forecast: train .*NaN at row 0",
    ),
    (
        "ar_one_step lags 1.5",
        lambda: bl.ar_one_step_forecast(RET, IDX[-3:], lags=1.5),
        TE,
        r"ar_one_step_forecast: lags must be a positive int",
    ),
    (
        "no_change reversed origins",
        lambda: bl.no_change_forecast(RET, IDX[5:10][::-1], 1),
        DVE,
        r"no_change_forecast: origins: dates are not increasing",
    ),
    (
        "random_walk duplicate dates",
        lambda: bl.random_walk_return_forecast(IDX[[0, 0, 1]]),
        DVE,
        r"random_walk_return_forecast: dates: duplicate date",
    ),
    ("rmse empty", lambda: fm.rmse([], []), DVE, r"rmse: y_true is empty"),
    (
        "mae strings",
        lambda: fm.mae(["1", "x"], [1.0, 2.0]),
        TE,
        r"mae: y_true must be numeric, found '1'",
    ),
    ("rmse NaN", lambda: fm.rmse([1.0, np.nan], [1.0, 2.0]), DVE, r"rmse: y_true .*NaN at row 1"),
    (
        "rmse misaligned series",
        lambda: fm.rmse(RET.iloc[:5], RET.iloc[1:6]),
        DVE,
        r"rmse: y_true and y_pred are not on the same dates",
    ),
    (
        "qlike zero variance",
        lambda: fm.qlike([1.0, 0.0], [1.0, 1.0]),
        VE,
        r"qlike: needs positive variances .* row 1",
    ),
    (
        "pinball NaN",
        lambda: fm.pinball_loss([1.0, np.nan], [0.0, 0.0], 0.05),
        DVE,
        r"pinball_loss: returns .*NaN at row 1",
    ),
    (
        "fz0 alpha 0.6",
        lambda: fm.fz0_score([1.0], [1.0], [2.0], 0.6),
        VE,
        r"fz0_score: alpha .*\(0, 0.5\)",
    ),
    (
        "forecast_table ndarray",
        lambda: fm.forecast_table(RET.to_numpy(), {"a": RET}),
        TE,
        r"forecast_table: actual must be a pandas Series",
    ),
    # --- credit.metrics
    (
        "ks y=2",
        lambda: cm.ks_statistic(np.r_[Y[:-1], 2], P),
        VE,
        r"ks_statistic: y must hold 0/1 labels, found 2.0 at row 19",
    ),
    (
        "ks NaN score",
        lambda: cm.ks_statistic(Y, with_value(pd.Series(P), 3, np.nan)),
        DVE,
        r"ks_statistic: p .*NaN at row 3",
    ),
    (
        "calibration_table n_bins 0",
        lambda: cm.calibration_table(Y, P, n_bins=0),
        VE,
        r"calibration_table: n_bins must be a positive int",
    ),
    (
        "classification_metrics p>1",
        lambda: cm.classification_metrics(Y, np.r_[P[:-1], 1.5]),
        VE,
        r"classification_metrics: p must be probabilities in \[0, 1\], row 19 is 1.5",
    ),
    ("psi strings", lambda: cm.psi(["a"], [1.0]), TE, r"psi: expected must be numeric"),
    (
        "expected_cost cost string",
        lambda: cm.expected_cost(Y, P, cost_fn="5"),
        TE,
        r"expected_cost: cost_fn must be a number",
    ),
    (
        "delong length",
        lambda: cm.delong_test(Y, P, P[:-1]),
        VE,
        r"delong_test: y and p_b must be 1-D of equal",
    ),
    (
        "assign_grades NaN",
        lambda: cm.assign_grades([0.1, np.nan], [0.5, 1.0]),
        DVE,
        r"assign_grades: p .*NaN at row 1",
    ),
    # --- fraud.metrics and split
    (
        "detection_metrics one class",
        lambda: frm.detection_metrics(np.zeros(5), np.ones(5), 0.5),
        VE,
        r"detection_metrics: y needs both classes",
    ),
    (
        "detection_metrics NaN score",
        lambda: frm.detection_metrics(Y, np.r_[np.nan, P[1:]], 0.5),
        DVE,
        r"detection_metrics: score .*NaN at row 0",
    ),
    (
        "budget_threshold budget 1",
        lambda: frm.budget_threshold(P, 1.0),
        VE,
        r"budget_threshold: budget \(a share\) must lie in \(0, 1\)",
    ),
    (
        "budget_threshold empty",
        lambda: frm.budget_threshold([], 0.1),
        DVE,
        r"budget_threshold: scores is empty",
    ),
    (
        "false_alerts recall 2",
        lambda: frm.false_alerts_per_fraud(Y, P, recall=2),
        VE,
        r"false_alerts_per_fraud: recall must lie in \[0, 1\]",
    ),
    (
        "alert_costs NaN amount",
        lambda: frm.alert_costs(Y, Y, np.r_[np.nan, P[1:]], 1.0),
        DVE,
        r"alert_costs: amount .*NaN at row 0",
    ),
    (
        "recall_by_group groups length",
        lambda: frm.recall_by_group(Y, Y, np.zeros(3)),
        VE,
        r"recall_by_group: groups has shape",
    ),
    (
        "split_by_time unsorted",
        lambda: split_by_time(
            pd.DataFrame(
                {"timestamp": pd.to_datetime(["2020-01-02", "2020-01-01"]), "is_fraud": [1, 1]}
            )
        ),
        DVE,
        r"split_by_time: transactions must be sorted by timestamp; row 1",
    ),
    (
        "split_by_time string timestamps",
        lambda: split_by_time(
            pd.DataFrame({"timestamp": ["2020-01-01", "2020-01-02"], "is_fraud": [1, 1]})
        ),
        DVE,
        r"split_by_time: column 'timestamp' must hold datetimes",
    ),
    (
        "split_by_time fractions",
        lambda: split_by_time(
            pd.DataFrame({"timestamp": IDX[:3], "is_fraud": [1, 1, 1]}), fractions=(0.5, "0.3", 0.2)
        ),
        TE,
        r"split_by_time: each of fractions must be a number",
    ),
    # --- rates.bonds
    (
        "Bond coupon string",
        lambda: Bond("0.04", 5),
        TE,
        r"Bond \(invalid bond\): coupon must be a number, got '0.04'",
    ),
    (
        "Bond frequency 2.5",
        lambda: Bond(0.04, 5, 2.5),
        TE,
        r"Bond \(invalid bond\): frequency must be a positive int",
    ),
    (
        "Bond maturity NaN",
        lambda: Bond(0.04, np.nan),
        VE,
        r"Bond \(invalid bond\): maturity must be finite",
    ),
    (
        "price_from_yield NaN",
        lambda: price_from_yield(Bond(0.04, 5), np.nan),
        VE,
        r"price_from_yield: y \(yield\) must be finite",
    ),
    (
        "price_from_yield string",
        lambda: price_from_yield(Bond(0.04, 5), "4%"),
        TE,
        r"price_from_yield: y \(yield\) must be a number",
    ),
    (
        "ZeroCurve NaN rate",
        lambda: ZeroCurve((1.0, 2.0), (0.03, np.nan)),
        DVE,
        r"ZeroCurve: rates .*NaN at row 1",
    ),
    (
        "portfolio_value empty",
        lambda: portfolio_value({}, ZeroCurve((1.0,), (0.03,))),
        VE,
        r"portfolio_value: positions must be a non-empty mapping",
    ),
    # --- inflation.measures
    (
        "monthly_inflation NaN",
        lambda: monthly_inflation(with_value(PRICES, 3, np.nan)),
        DVE,
        r"monthly_inflation: 1 price\(s\) are NaN or inf; first on 2020-01-06",
    ),
    (
        "monthly_inflation strings",
        lambda: monthly_inflation(with_value(PRICES, 3, "n/a")),
        TE,
        r"monthly_inflation: index_level must be numeric, found 'n/a'",
    ),
    (
        "yoy_change periods 0",
        lambda: yoy_change(PRICES, periods=0),
        VE,
        r"yoy_change: periods must be a positive int, got 0",
    ),
]


@pytest.mark.parametrize("call, exc, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_backtest_on_clean_returns_still_runs():
    result = bt.backtest_var(REAL, FC, n_sim=50)
    assert result.kupiec.n == len(REAL)


def test_historical_simulation_may_forecast_the_next_day_only():
    nxt = pd.bdate_range(IDX[-1], periods=2)[1:]
    fc = vm.historical_simulation(RET, nxt, 0.99)
    assert fc.var.index.equals(nxt)


def test_one_split_type_for_windows_and_transactions():
    split = split_windows(
        make_windows(RET, window=5), IDX, val_start="2020-06-01", test_start="2020-09-01"
    )
    assert isinstance(split, Split) and isinstance(split.train, WindowSet)
    assert sum(split.sizes().values()) == len(make_windows(RET, window=5).y)
    tx = pd.DataFrame({"timestamp": IDX[:30], "is_fraud": [1] * 30})
    parts = split_by_time(tx)
    assert isinstance(parts, Split) and sum(parts.sizes().values()) == 30


# --- data.registry: pinned dtypes and the manifest


@pytest.fixture
def fake_credit_csv(tmp_path, monkeypatch):
    src = registry.DATA_DIR / "german_credit.csv"
    df = pd.read_csv(src, dtype=str)
    monkeypatch.setattr(registry, "DATA_DIR", tmp_path)
    monkeypatch.setattr(registry, "check_sha256", lambda *a, **k: None)
    monkeypatch.setattr(
        registry, "read_manifest", lambda: {"german_credit.csv": {"sha256": "0" * 64}}
    )
    return df, tmp_path / "german_credit.csv"


def test_registry_word_in_numeric_column_names_dataset_column_row(fake_credit_csv):
    df, path = fake_credit_csv
    df.loc[17, "credit_amount"] = "lots"
    df.to_csv(path, index=False)
    with pytest.raises(
        DataValidationError,
        match=r"dataset 'german_credit': column 'credit_amount' must be int, row 17 .*'lots'",
    ):
        registry.load("german_credit")


def test_registry_clean_copy_loads_with_pinned_dtypes(fake_credit_csv):
    df, path = fake_credit_csv
    df.to_csv(path, index=False)
    out = registry.load("german_credit")
    assert out["credit_amount"].dtype == "int64"
    assert isinstance(out["purpose"].dtype, pd.CategoricalDtype)


def test_registry_manifest_without_the_file_entry(monkeypatch):
    monkeypatch.setattr(registry, "read_manifest", lambda: {"other.csv": {"sha256": "0"}})
    with pytest.raises(
        DataValidationError,
        match=r"dataset 'german_credit': data/manifest.yaml has no entry .* for 'german_credit.csv'",
    ):
        registry.load("german_credit")


def test_registry_schema_rejects_word_in_float_column():
    frame = pd.DataFrame({"price": [1.0, "n/a", 3.0]}, index=IDX[:3])
    with pytest.raises(
        DataValidationError, match=r"dataset 'wti': column 'price' must be float, row 1 .*'n/a'"
    ):
        registry._apply_schema(frame, "wti", registry.SCHEMAS["wti"])
