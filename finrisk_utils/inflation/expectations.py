"""Inflation expectations in T-bill rates: the Fisher relation, Mishkin's term-structure regression and the
forecasts they imply.

Data convention (Mishkin 1992's table as used by Hayashi 2000, section 2.11, ``load("inflation_expectations")``):
on row ``t`` the ``m``-month T-bill rate ``tbill_{m}m`` is the yield of a bill bought at the start of month ``t``
and maturing ``m`` months later, and ``infl_{m}m`` is the inflation over the bill's life, months ``t`` to
``t + m - 1``; both in percent per year (``infl_3m`` is the mean of three ``infl_1m``). The Fisher relation says
``tbill_m = E_t[infl_m] + real rate``; with rational expectations

    infl_{m,t} = alpha + beta * tbill_{m,t} + e_t,     (Fama 1975: beta = 1, constant real rate)
    infl_{3,t} - infl_{1,t} = alpha + beta * (tbill_{3,t} - tbill_{1,t}) + e_t     (Mishkin 1990)

where ``e_t`` is a forecast error: it overlaps ``m - 1`` months for an ``m``-month target (an MA(m - 1)), so
the standard errors are Newey–West (HAC). ``beta = 0`` in Mishkin's regression: the slope of the term structure
carries no information about the future change of inflation; ``beta = 1``: the term structure of real rates is
flat (all the slope is expected inflation).

For forecasting, :func:`bill_panel` re-dates the table by information set: the row of month ``d`` holds the bill
rates quoted at the start of ``d`` and the inflation over the ``m`` months that ended with month ``d - 1`` (the
publication lag of the CPI is ignored, as in the literature). The target of an origin ``o`` for an ``m``-month
bill is then ``past_infl_{m}m`` at ``o + m``, a plain ``m``-step-ahead forecast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from finrisk_utils.core.validation import (
    DataValidationError,
    as_float_array,
    as_timestamp,
    check_columns,
    check_datetime_index,
    check_positive_int,
    check_probability,
    check_same_index,
)
from finrisk_utils.forecasting.baselines import origin_positions
from finrisk_utils.forecasting.compare import ComparisonResult, default_lags

__all__ = [
    "ExpectationsRegression",
    "bill_panel",
    "cpi_inflation",
    "expectations_reading",
    "expectations_regression",
    "fisher_reading",
    "fisher_regression",
    "mishkin_regression",
    "monthly_to_span",
    "ols_direct_forecast",
    "tbill_implied_forecast",
]


@dataclass(frozen=True)
class ExpectationsRegression:
    """OLS of ``y`` on a constant and ``x`` with Newey–West (Bartlett HAC) standard errors over ``lags`` lags.

    ``alpha``, ``beta`` (and ``alpha_se``, ``beta_se``): intercept (units of ``y``, % per year) and slope;
    ``pvalue_beta0`` / ``pvalue_beta1``: two-sided HAC Wald tests of ``beta = 0`` and ``beta = 1``;
    ``ols_beta_se``: the classical standard error, to show what the overlap does; ``r2``; ``n``; ``start``,
    ``end``: first and last row used; ``name``: what was regressed (for tables and text).
    """

    name: str
    alpha: float
    beta: float
    alpha_se: float
    beta_se: float
    ols_beta_se: float
    pvalue_beta0: float
    pvalue_beta1: float
    r2: float
    n: int
    lags: int
    start: pd.Timestamp
    end: pd.Timestamp

    def row(self) -> dict[str, object]:
        """One table row: period, ``n``, coefficients, HAC and OLS standard errors, p-values, R²."""
        return {
            "period": f"{self.start:%Y-%m} to {self.end:%Y-%m}",
            "n": self.n,
            "alpha": self.alpha,
            "beta": self.beta,
            "beta_se_hac": self.beta_se,
            "beta_se_ols": self.ols_beta_se,
            "p_beta0": self.pvalue_beta0,
            "p_beta1": self.pvalue_beta1,
            "r2": self.r2,
            "hac_lags": self.lags,
        }


def expectations_regression(
    y: pd.Series,
    x: pd.Series,
    *,
    overlap: int = 1,
    lags: int | None = None,
    start: object = None,
    end: object = None,
    name: str = "",
) -> ExpectationsRegression:
    """OLS ``y = alpha + beta x + e`` on the rows from ``start`` to ``end`` (inclusive; default: all), with HAC
    standard errors.

    Parameters
    ----------
    y, x : Series, same DatetimeIndex
        Target and regressor (% per year), finite on the rows used.
    overlap : int
        Months over which one target is realised (the bill's maturity ``m``); the errors are then an MA(m - 1).
    lags : int, optional
        Newey–West lags; default ``max(overlap - 1, floor(4 (n / 100)^(2/9)))``
        (:func:`~finrisk_utils.forecasting.compare.default_lags`).
    """
    where = "expectations_regression"
    for label, s in (("y", y), ("x", x)):
        if not isinstance(s, pd.Series):
            raise TypeError(f"{where}: {label} must be a pandas Series, got {type(s).__name__}")
        check_datetime_index(s, where=f"{where}: {label}")
    check_same_index(y, x, ("y", "x"), where=where)
    overlap = check_positive_int(overlap, "overlap", where=where)
    lo = y.index[0] if start is None else as_timestamp(start, "start", where=where)
    hi = y.index[-1] if end is None else as_timestamp(end, "end", where=where)
    keep = (y.index >= lo) & (y.index <= hi)
    yv = as_float_array(y[keep], "y", where=where)
    xv = as_float_array(x[keep], "x", where=where)
    n = yv.size
    if n < 24:
        raise DataValidationError(f"{where}: {n} rows from {lo.date()} to {hi.date()}, need 24")
    if np.ptp(xv) == 0:
        raise DataValidationError(f"{where}: x is constant on the rows used; beta is undefined")
    lags = (
        default_lags(n, overlap)
        if lags is None
        else check_positive_int(lags, "lags", where=where, minimum=0)
    )
    design = sm.add_constant(xv)
    ols = sm.OLS(yv, design).fit()
    hac = sm.OLS(yv, design).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    p0 = float(hac.t_test(np.array([[0.0, 1.0]])).pvalue)
    p1 = float(hac.t_test((np.array([[0.0, 1.0]]), np.array([1.0]))).pvalue)
    dates = y.index[keep]
    return ExpectationsRegression(
        name=name,
        alpha=float(hac.params[0]),
        beta=float(hac.params[1]),
        alpha_se=float(hac.bse[0]),
        beta_se=float(hac.bse[1]),
        ols_beta_se=float(ols.bse[1]),
        pvalue_beta0=p0,
        pvalue_beta1=p1,
        r2=float(ols.rsquared),
        n=int(n),
        lags=int(lags),
        start=dates[0],
        end=dates[-1],
    )


def _mishkin_columns(data: pd.DataFrame, maturities: Sequence[int], where: str) -> None:
    check_columns(data, [f"{k}_{m}m" for m in maturities for k in ("infl", "tbill")], where=where)
    check_datetime_index(data, where=where)


def cpi_inflation(data: pd.DataFrame, maturity: int = 1) -> pd.Series:
    """Inflation over the life of an ``m``-month bill computed from the table's ``cpi`` column, % a year: on
    the row of month ``t``, ``1200 / m * ln(cpi[t + m - 1] / cpi[t - 1])`` (months ``t`` to ``t + m - 1``, the
    timing of the table's ``infl_{m}m``; NaN where the index is not available). The measure closer to Fama's
    (1975), whose CPI-based rates the table's own inflation series differ from."""
    where = "cpi_inflation"
    m = check_positive_int(maturity, "maturity", where=where)
    check_columns(data, ["cpi"], where=where)
    check_datetime_index(data, where=where)
    cpi = data["cpi"].astype(float)
    if not (np.isfinite(cpi) & (cpi > 0)).all():
        bad = cpi.index[~(np.isfinite(cpi) & (cpi > 0))][0]
        raise ValueError(
            f"{where}: cpi must be positive and finite, got {cpi[bad]!r} on {bad.date()}"
        )
    log_cpi = np.log(cpi)
    return (1200.0 / m * (log_cpi.shift(-(m - 1)) - log_cpi.shift(1))).rename(f"cpi_infl_{m}m")


def fisher_regression(
    data: pd.DataFrame,
    maturity: int = 1,
    *,
    start: object = None,
    end: object = None,
    inflation: str = "table",
) -> ExpectationsRegression:
    """Fama's (1975) Fisher regression ``infl_m = alpha + beta tbill_m`` on the table of
    ``load("inflation_expectations")`` (same-row alignment, see the module doc), HAC over ``m - 1`` months of
    overlap at least. ``inflation``: ``"table"`` (its ``infl_{m}m`` column, Mishkin's series) or ``"cpi"``
    (:func:`cpi_inflation`, the same months from its CPI column)."""
    where = "fisher_regression"
    m = check_positive_int(maturity, "maturity", where=where)
    _mishkin_columns(data, [m], where)
    if inflation not in ("table", "cpi"):
        raise ValueError(f"{where}: inflation must be 'table' or 'cpi', got {inflation!r}")
    x = data[f"tbill_{m}m"]
    if inflation == "table":
        y = data[f"infl_{m}m"]
    else:  # the first row and the last m - 1 rows have no CPI-based rate (no index before or after)
        y = cpi_inflation(data, m).iloc[1 : len(data) - (m - 1)]
        x = x.loc[y.index]
    return expectations_regression(
        y,
        x,
        overlap=m,
        start=start,
        end=end,
        name=f"Fisher, {m}-month" + (", CPI inflation" if inflation == "cpi" else ""),
    )


def mishkin_regression(
    data: pd.DataFrame,
    long: int = 3,
    short: int = 1,
    *,
    start: object = None,
    end: object = None,
) -> ExpectationsRegression:
    """Mishkin's (1990) regression of the future change in inflation on the term-structure slope,
    ``infl_long - infl_short = alpha + beta (tbill_long - tbill_short)`` (HAC over ``long - 1`` months of
    overlap at least)."""
    where = "mishkin_regression"
    long = check_positive_int(long, "long", where=where)
    short = check_positive_int(short, "short", where=where)
    if long <= short:
        raise ValueError(f"{where}: long ({long}) must exceed short ({short})")
    _mishkin_columns(data, [short, long], where)
    return expectations_regression(
        data[f"infl_{long}m"] - data[f"infl_{short}m"],
        data[f"tbill_{long}m"] - data[f"tbill_{short}m"],
        overlap=long,
        start=start,
        end=end,
        name=f"Mishkin, {long}m - {short}m",
    )


def bill_panel(data: pd.DataFrame, maturities: Sequence[int] = (1, 3)) -> pd.DataFrame:
    """The table re-dated by information set (see the module doc): on the row of month ``d``, ``tbill_{m}m``
    is the rate quoted at the start of ``d`` and ``past_infl_{m}m`` the inflation (% per year) over the ``m``
    months that ended with month ``d - 1``, i.e. ``infl_{m}m`` of row ``d - m``. Rows with a gap are dropped
    (the first ``max(maturities)`` months); the columns are ``tbill_*`` then ``past_infl_*``."""
    where = "bill_panel"
    ms = [check_positive_int(m, "maturities", where=where) for m in maturities]
    if not ms or len(set(ms)) != len(ms):
        raise ValueError(f"{where}: maturities must be distinct positive ints, got {maturities!r}")
    _mishkin_columns(data, ms, where)
    months = pd.date_range(data.index[0], periods=len(data), freq="MS")
    if not data.index.equals(months):
        bad = int(np.argmax(data.index != months))
        raise DataValidationError(
            f"{where}: data must be monthly (month-start dates) without gaps; row {bad} is "
            f"{data.index[bad].date()}, expected {months[bad].date()}"
        )
    out = pd.DataFrame(index=data.index)
    for m in ms:
        out[f"tbill_{m}m"] = as_float_array(data[f"tbill_{m}m"], f"tbill_{m}m", where=where)
    for m in ms:
        out[f"past_infl_{m}m"] = data[f"infl_{m}m"].shift(m)
    return out.dropna()


def tbill_implied_forecast(
    panel: pd.DataFrame, origins: pd.DatetimeIndex, maturity: int, *, window: int | None = None
) -> pd.Series:
    """The market's forecast of inflation over an ``m``-month bill's life under the Fisher relation with a
    constant real rate: ``tbill_m(o) - rbar(o)``, ``rbar(o)`` the mean ex-post real rate
    ``tbill_m(t) - infl_m(t)`` of the bills that matured by the origin ``o`` (``t + m <= o``), over the last
    ``window`` of them (``None``: all). ``panel``: :func:`bill_panel`'s frame. Indexed by target date ``o + m``.
    """
    where = "tbill_implied_forecast"
    m = check_positive_int(maturity, "maturity", where=where)
    check_columns(panel, [f"tbill_{m}m", f"past_infl_{m}m"], where=where)
    target = panel[f"past_infl_{m}m"]
    pos = origin_positions(target, origins, m, where)
    tb = as_float_array(panel[f"tbill_{m}m"], f"tbill_{m}m", where=where)
    # real[d]: ex-post real rate of the bill bought at row d - m, known at row d
    real = np.full(len(panel), np.nan)
    real[m:] = tb[:-m] - target.to_numpy(dtype=float)[m:]
    if window is not None:
        window = check_positive_int(window, "window", where=where)
    out = np.empty(len(pos))
    for i, p in enumerate(pos):
        known = real[m : p + 1]
        if window is not None:
            known = known[-window:]
        if known.size < 12:
            raise DataValidationError(
                f"{where}: {known.size} matured bills before {panel.index[p].date()}, need 12"
            )
        out[i] = tb[p] - known.mean()
    return pd.Series(out, index=panel.index[pos + m], name="tbill_implied")


def ols_direct_forecast(
    features: pd.DataFrame, target: pd.Series, origins: pd.DatetimeIndex, horizon: int
) -> pd.Series:
    """Direct linear forecast ``target(o + h) = c + b' features(o)``, re-estimated by OLS at every origin on
    the pairs whose target is already observed (target date <= origin): the linear model on a network's
    inputs at the origin. Indexed by target date."""
    where = "ols_direct_forecast"
    if not isinstance(features, pd.DataFrame) or features.shape[1] == 0:
        raise TypeError(f"{where}: features must be a DataFrame with at least one column")
    check_same_index(features, target, ("features", "target"), where=where)
    pos = origin_positions(target, origins, horizon, where)
    h = check_positive_int(horizon, "horizon", where=where)
    x = np.column_stack(
        [np.ones(len(features)), as_float_array(features, "features", where=where, ndim=2)]
    )
    y = target.to_numpy(dtype=float)
    need = 2 * x.shape[1] + 10
    if pos.min() - h + 1 < need:
        raise DataValidationError(
            f"{where}: {max(pos.min() - h + 1, 0)} complete pairs before the first origin, need {need}"
        )
    out = np.empty(len(pos))
    for i, p in enumerate(pos):
        n_pairs = p - h + 1  # origins 0..p-h have their target observed by p
        beta = np.linalg.lstsq(x[:n_pairs], y[h : p + 1], rcond=None)[0]
        out[i] = x[p] @ beta
    return pd.Series(out, index=target.index[pos + h], name="ols_direct")


def monthly_to_span(
    forecasts: Mapping[int, pd.DataFrame | pd.Series], index: pd.DatetimeIndex, maturity: int
) -> pd.Series:
    """An ``m``-month inflation forecast as the mean of direct forecasts of the monthly rate at horizons
    ``1..m`` (exact for Mishkin's ``infl_3m``, the mean of three ``infl_1m``). ``forecasts[h]``: a one-column
    frame or Series indexed by target date (e.g. :class:`~finrisk_utils.forecasting.direct.DirectForecast`'s
    ``forecasts``) on the dates of ``index``; returns one value per origin with all ``m`` forecasts, indexed by
    the target date ``o + m``."""
    where = "monthly_to_span"
    m = check_positive_int(maturity, "maturity", where=where)
    missing = [h for h in range(1, m + 1) if h not in forecasts]
    if missing:
        raise ValueError(f"{where}: forecasts lack horizons {missing} for a {m}-month span")
    by_origin = []
    for h in range(1, m + 1):
        fc = forecasts[h]
        if isinstance(fc, pd.DataFrame):
            if fc.shape[1] != 1:
                raise ValueError(f"{where}: forecasts[{h}] must have one column")
            fc = fc.iloc[:, 0]
        pos = index.get_indexer(fc.index)
        if (pos < h).any():
            raise ValueError(f"{where}: forecasts[{h}] has target dates outside index")
        by_origin.append(
            pd.Series(as_float_array(fc, f"forecasts[{h}]", where=where), index=index[pos - h])
        )
    frame = pd.concat(by_origin, axis=1, join="inner")
    pos = index.get_indexer(frame.index) + m
    ok = pos < len(index)
    return pd.Series(frame.mean(axis=1).to_numpy()[ok], index=index[pos[ok]], name="monthly_mean")


def _p(p: float) -> str:
    return "n/a" if not np.isfinite(p) else ("< 0.001" if p < 0.001 else f"= {p:.3f}")


def fisher_reading(fits: Sequence[ExpectationsRegression], level: float = 0.05) -> str:
    """Sentences read off the regressions: the slope with its HAC standard error and what the tests of
    ``beta = 1`` and ``beta = 0`` say at ``level``."""
    parts = []
    for f in fits:
        if not isinstance(f, ExpectationsRegression):
            raise TypeError(
                f"fisher_reading: expected ExpectationsRegression, got {type(f).__name__}"
            )
        one = "rejects" if f.pvalue_beta1 < level else "does not reject"
        zero = "rejects" if f.pvalue_beta0 < level else "does not reject"
        parts.append(
            f"{f.name} ({f.start:%Y-%m} to {f.end:%Y-%m}, n = {f.n}): beta = {f.beta:.2f} "
            f"(HAC se {f.beta_se:.2f}, OLS se {f.ols_beta_se:.2f}); the test {one} beta = 1 "
            f"(p {_p(f.pvalue_beta1)}) and {zero} beta = 0 (p {_p(f.pvalue_beta0)}); R² {f.r2:.2f}."
        )
    return " ".join(parts)


def expectations_reading(
    regressions: Mapping[tuple[str, str], ExpectationsRegression],
    results: Mapping[tuple[str, int], ComparisonResult],
    *,
    network: str = "lstm_tbill",
    linear: str = "linear_tbill",
    level: float = 0.05,
) -> str:
    """The computed reading of the inflation-expectations section (markdown).

    Parameters
    ----------
    regressions : mapping (period label, name) -> ExpectationsRegression
        Names ``"fisher_1m"``, ``"fisher_3m"``, ``"mishkin_3m_1m"`` are read (others ignored).
    results : mapping (benchmark, horizon) -> ComparisonResult
        The forecast comparisons against ``"random_walk"`` and the ablation ``network`` against ``linear``
        (Holm-adjusted together, e.g. by :func:`~finrisk_utils.forecasting.compare.holm_across`).
    """
    where = "expectations_reading"
    level = check_probability(level, "level", where=where)
    if not isinstance(regressions, Mapping) or not isinstance(results, Mapping) or not results:
        raise ValueError(f"{where}: regressions and results must be non-empty mappings")
    parts = []
    for name, label, null in (
        ("fisher_1m", "The one-month Fisher slope", 1.0),
        ("fisher_3m", "The three-month Fisher slope", 1.0),
        ("mishkin_3m_1m", "Mishkin's term-structure slope", 0.0),
    ):
        fits = {period: r for (period, n), r in regressions.items() if n == name}
        if not fits:
            continue
        pval = {p: (r.pvalue_beta1 if null == 1.0 else r.pvalue_beta0) for p, r in fits.items()}
        est = "; ".join(
            f"{p} {r.beta:.2f} (HAC se {r.beta_se:.2f}, p {_p(pval[p])})" for p, r in fits.items()
        )
        rejected = [p for p, v in pval.items() if v < level]
        if null == 1.0:
            tail = (
                f"a one-for-one Fisher relation is rejected at {level:.0%} in: {', '.join(rejected)}"
                if rejected
                else f"a one-for-one Fisher relation is not rejected at {level:.0%} in any period"
            )
        else:
            tail = (
                "the slope carries significant information about the next change of inflation in: "
                + ", ".join(rejected)
                if rejected
                else "in no period does the slope carry significant information about the next change "
                f"of inflation (beta = 0 not rejected at {level:.0%})"
            )
        parts.append(f"{label} (test of beta = {null:g}): {est}; {tail}.")
    for (bench, h), res in results.items():
        if not isinstance(res, ComparisonResult):
            raise TypeError(f"{where}: results[{(bench, h)!r}] must be a ComparisonResult")
        if bench == "random_walk":
            parts.append(f"**{h}-month bills.** {res.verdict_text()}")
            continue
        row = res.table.set_index("model").loc[network]
        if not row["trained"]:
            parts.append(
                f"At h = {h}, {network} did not train, so it is not compared with {linear}."
            )
            continue
        ratio = float(np.sqrt(row["ratio"]))
        word = (
            "extracts more than"
            if row["verdict"].startswith("significantly better")
            else (
                "does worse than"
                if row["verdict"].startswith("significantly worse")
                else "is not distinguishable from"
            )
        )
        parts.append(
            f"Against the linear relation on the same inputs, at h = {h} {network}'s RMSE is {ratio:.2f} "
            f"times {linear}'s: the network {word} the linear model (DM p {_p(row['dm_pvalue'])}, "
            f"Holm p {_p(row['pvalue_holm'])})."
        )
    return "\n\n".join(parts)
