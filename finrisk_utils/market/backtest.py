"""VaR and ES backtests, owned and tested here: Kupiec POF, Christoffersen independence and conditional
coverage, the Basel traffic light, the Acerbi-Szekely Z2 ES test, and the pinball loss.

Inputs follow :mod:`finrisk_utils.riskmeasures`: returns in %, VaR/ES as positive losses, an exception is a
day with ``return < -VaR``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import xlogy

from finrisk_utils.core.validation import (
    as_float_array,
    check_positive_int,
    check_probability,
    check_returns,
    check_same_index,
)
from finrisk_utils.forecasting.metrics import fz0_score, pinball_loss
from finrisk_utils.market.riskmeasures import RiskForecast

__all__ = [
    "BASEL_PLUS_FACTORS",
    "ChristoffersenTest",
    "CoverageTest",
    "ESTest",
    "TrafficLight",
    "VaRBacktest",
    "acerbi_szekely_z2",
    "benchmark_goals",
    "backtest_metrics",
    "backtest_table",
    "backtest_var",
    "christoffersen",
    "exceptions_of",
    "kupiec_pof",
    "traffic_light",
    "zone_label",
]


def _hits(exceptions: np.ndarray | pd.Series, where: str) -> np.ndarray:
    """Exception indicators as a bool array: NaN, inf, strings, empty input or values other than 0/1 raise
    (a NaN day is not a day without an exception)."""
    hits = as_float_array(exceptions, "exceptions", where=where)
    bad = ~np.isin(hits, (0.0, 1.0))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{where}: exceptions must be booleans or 0/1, found {float(hits[i])!r} at row {i}"
        )
    return hits.astype(bool)


def _alpha(alpha: float, where: str) -> float:
    return check_probability(
        alpha, "alpha (tail probability, 1 - confidence)", where=where, upper=0.5
    )


def _check_forecast(forecast: object, where: str) -> RiskForecast:
    if not isinstance(forecast, RiskForecast):
        raise TypeError(f"{where}: forecast must be a RiskForecast, got {type(forecast).__name__}")
    return forecast


def exceptions_of(returns: pd.Series, forecast: RiskForecast) -> pd.Series:
    """Boolean series: ``True`` on days the loss exceeded the VaR (``return < -VaR``). ``returns`` must be a
    Series of finite realised returns on exactly the forecast's dates (a NaN day would silently count as no
    exception)."""
    where = "exceptions_of"
    forecast = _check_forecast(forecast, where)
    returns = check_returns(returns, "returns", where=where)
    check_same_index(
        returns, forecast.var, ("returns", f"the {forecast.name} forecast"), where=where
    )
    return (returns < -forecast.var).rename(forecast.name)


@dataclass(frozen=True)
class CoverageTest:
    """Kupiec's proportion-of-failures (unconditional coverage) likelihood-ratio test, chi-square(1)."""

    statistic: float
    pvalue: float
    exceptions: int
    n: int
    expected: float

    @property
    def rate(self) -> float:
        return self.exceptions / self.n


def kupiec_pof(exceptions: np.ndarray | pd.Series, alpha: float) -> CoverageTest:
    """Kupiec (1995) POF test that the exception probability is ``alpha``. Zero or all exceptions are fine
    (``0 log 0 = 0``)."""
    hits, alpha = _hits(exceptions, "kupiec_pof"), _alpha(alpha, "kupiec_pof")
    n, x = hits.size, int(hits.sum())
    p_hat = x / n
    lr = -2 * (
        xlogy(n - x, 1 - alpha) + xlogy(x, alpha) - xlogy(n - x, 1 - p_hat) - xlogy(x, p_hat)
    )
    lr = max(float(lr), 0.0)
    return CoverageTest(lr, float(stats.chi2.sf(lr, 1)), x, n, alpha * n)


@dataclass(frozen=True)
class ChristoffersenTest:
    """Christoffersen (1998): independence LR (chi2(1)) and conditional coverage LR = POF + IND (chi2(2)),
    with the first-order Markov transition counts ``n00, n01, n10, n11`` (``nij``: state i followed by j)."""

    lr_ind: float
    pvalue_ind: float
    lr_cc: float
    pvalue_cc: float
    n00: int
    n01: int
    n10: int
    n11: int


def christoffersen(exceptions: np.ndarray | pd.Series, alpha: float) -> ChristoffersenTest:
    """Independence and conditional-coverage tests of an exception sequence (needs at least 2 days)."""
    hits, alpha = _hits(exceptions, "christoffersen"), _alpha(alpha, "christoffersen")
    if hits.size < 2:
        raise ValueError("christoffersen: the Christoffersen test needs at least 2 days")
    prev, curr = hits[:-1], hits[1:]
    n00 = int(np.sum(~prev & ~curr))
    n01 = int(np.sum(~prev & curr))
    n10 = int(np.sum(prev & ~curr))
    n11 = int(np.sum(prev & curr))
    pi01 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi11 = n11 / (n10 + n11) if n10 + n11 else 0.0
    pi = (n01 + n11) / (n00 + n01 + n10 + n11)
    log_l0 = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi)
    log_l1 = xlogy(n00, 1 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1 - pi11) + xlogy(n11, pi11)
    lr_ind = max(float(-2 * (log_l0 - log_l1)), 0.0)
    lr_cc = kupiec_pof(hits, alpha).statistic + lr_ind
    return ChristoffersenTest(
        lr_ind,
        float(stats.chi2.sf(lr_ind, 1)),
        lr_cc,
        float(stats.chi2.sf(lr_cc, 2)),
        n00,
        n01,
        n10,
        n11,
    )


#: Basel Committee (1996) plus factors for 250 days of 99% VaR, by number of exceptions (10 or more: 1.0).
BASEL_PLUS_FACTORS = {
    0: 0.0,
    1: 0.0,
    2: 0.0,
    3: 0.0,
    4: 0.0,
    5: 0.40,
    6: 0.50,
    7: 0.65,
    8: 0.75,
    9: 0.85,
}


@dataclass(frozen=True)
class TrafficLight:
    """Basel traffic-light zone of ``exceptions`` in ``n`` days; ``cumulative_probability`` is
    P(X <= exceptions) for X ~ Binomial(n, alpha). ``plus_factor`` is the Basel add-on to the capital
    multiplier (3 + plus factor), defined for 99% VaR over about 250 days only (``None`` otherwise)."""

    zone: str
    exceptions: int
    n: int
    cumulative_probability: float
    plus_factor: float | None


def zone_label(tl: TrafficLight, short: bool = False) -> str:
    """A zone in words (``"green"``) or short (``"G3"``: initial and exceptions), with the number of days where
    it rests on a partial year (fewer than 240: the binomial rule at that ``n``, not Basel's 250 days)."""
    label = f"{tl.zone[0].upper()}{tl.exceptions}" if short else tl.zone
    if tl.n < 240:
        label += f"/{tl.n}d" if short else f" ({tl.n} days)"
    return label


def traffic_light(exceptions: int, n: int, alpha: float = 0.01) -> TrafficLight:
    """Zone by the Basel rule on the binomial distribution: green while P(X <= x) < 95%, yellow while
    < 99.99%, red beyond. For 250 days at 99% this is the familiar 0-4 green, 5-9 yellow, 10+ red."""
    where = "traffic_light"
    alpha = _alpha(alpha, where)
    n = check_positive_int(n, "n", where=where)
    exceptions = check_positive_int(exceptions, "exceptions", where=where, minimum=0)
    if exceptions > n:
        raise ValueError(f"{where}: exceptions must be an int in [0, n={n}], got {exceptions!r}")
    cdf = float(stats.binom.cdf(exceptions, n, alpha))
    zone = "green" if cdf < 0.95 else "yellow" if cdf < 0.9999 else "red"
    plus = None
    if np.isclose(alpha, 0.01) and 240 <= n <= 260:
        plus = BASEL_PLUS_FACTORS.get(int(exceptions), 1.0)
    return TrafficLight(zone, int(exceptions), int(n), cdf, plus)


@dataclass(frozen=True)
class ESTest:
    """Acerbi-Szekely (2014) Z2 test of ES. ``z2`` is 0 in expectation when ES is right and negative when
    risk is underestimated; ``pvalue`` = P(Z2 <= observed) under the null, by simulation."""

    z2: float
    pvalue: float
    critical_value_5pct: float
    reject_5pct: bool


def _t_ratio(nu: np.ndarray, alpha: float) -> np.ndarray:
    """ES/VaR of a (unit-scale) Student-t at tail probability ``alpha``."""
    q = stats.t.ppf(1 - alpha, nu)
    return stats.t.pdf(q, nu) / alpha * (nu + q**2) / (nu - 1) / q


def _matched_t_draws(
    var: np.ndarray, es: np.ndarray, alpha: float, n_sim: int, rng: np.random.Generator
) -> np.ndarray:
    """Simulated returns (n_sim, T): each day a zero-mean scaled Student-t whose VaR and ES equal the
    forecast's (degrees of freedom from the ES/VaR ratio; normal when the ratio is at or below the normal's)."""
    z = stats.norm.ppf(1 - alpha)
    normal_ratio = stats.norm.pdf(z) / alpha / z
    ratio = es / var
    grid = np.geomspace(2.05, 500.0, 400)
    grid_ratio = _t_ratio(grid, alpha)  # decreasing in nu
    nu = np.interp(-ratio, -grid_ratio, grid)  # np.interp needs increasing x
    draws = np.empty((n_sim, var.size))
    is_normal = ratio <= normal_ratio * (1 + 1e-9)
    if is_normal.any():
        draws[:, is_normal] = rng.standard_normal((n_sim, int(is_normal.sum()))) * (
            var[is_normal] / z
        )
    t_days = ~is_normal
    if t_days.any():
        scale = var[t_days] / stats.t.ppf(1 - alpha, nu[t_days])
        draws[:, t_days] = rng.standard_t(nu[t_days], (n_sim, int(t_days.sum()))) * scale
    return draws


def _z2(returns: np.ndarray, var: np.ndarray, es: np.ndarray, alpha: float) -> np.ndarray:
    hits = returns < -var
    return np.sum(returns * hits / es, axis=-1) / (returns.shape[-1] * alpha) + 1


def acerbi_szekely_z2(
    returns: np.ndarray | pd.Series,
    var: np.ndarray | pd.Series,
    es: np.ndarray | pd.Series,
    alpha: float,
    *,
    n_sim: int = 5000,
    seed: int = 0,
) -> ESTest:
    """Z2 = sum_t r_t 1{r_t < -VaR_t} / (T alpha ES_t) + 1, tested by simulating under the null a return
    distribution whose VaR and ES equal each day's forecast (a scaled Student-t matched to the ES/VaR ratio).
    Acerbi and Szekely found the Z2 critical values nearly distribution-free (about -0.7 at 5% for 97.5% ES);
    the simulation gives them for the actual forecasts."""
    where = "acerbi_szekely_z2"
    alpha = _alpha(alpha, where)
    n_sim = check_positive_int(n_sim, "n_sim", where=where)
    seed = check_positive_int(seed, "seed", where=where, minimum=0)
    y, v, e = (
        as_float_array(a, n, where=where)
        for a, n in ((returns, "returns"), (var, "var"), (es, "es"))
    )
    if not (y.shape == v.shape == e.shape):
        raise ValueError(
            f"{where}: returns, var and es must be 1-D arrays of equal length, got {y.shape}, "
            f"{v.shape}, {e.shape}"
        )
    pandas = [a for a in (returns, var, es) if isinstance(a, pd.Series)]
    for other in pandas[1:]:
        check_same_index(pandas[0], other, ("returns/var/es", "returns/var/es"), where=where)
    if (v <= 0).any() or (e < v).any():
        i = int(np.argmax((v <= 0) | (e < v)))
        raise ValueError(
            f"{where}: VaR must be positive and ES at least VaR on every day; row {i} has "
            f"VaR {float(v[i])!r}, ES {float(e[i])!r}"
        )
    observed = float(_z2(y, v, e, alpha))
    simulated = _z2(_matched_t_draws(v, e, alpha, n_sim, np.random.default_rng(seed)), v, e, alpha)
    pvalue = float((np.sum(simulated <= observed) + 1) / (n_sim + 1))
    critical = float(np.quantile(simulated, 0.05))
    return ESTest(observed, pvalue, critical, observed < critical)


@dataclass(frozen=True)
class VaRBacktest:
    """Every backtest of one model's forecasts over one test window."""

    name: str
    confidence: float
    kupiec: CoverageTest
    christoffersen: ChristoffersenTest
    zones_by_year: dict[int, TrafficLight]
    last_250: TrafficLight
    es: ESTest
    pinball: float
    pinball_losses: pd.Series
    fz0: float
    fz0_losses: pd.Series


def backtest_var(
    returns: pd.Series, forecast: RiskForecast, *, n_sim: int = 5000, seed: int = 0
) -> VaRBacktest:
    """Run every backtest on ``forecast`` against realised ``returns`` (a Series of finite returns on exactly
    the forecast's dates; a NumPy array has no dates to check and is refused)."""
    where = "backtest_var"
    forecast = _check_forecast(forecast, where)
    returns = check_returns(returns, "returns", where=where)
    check_same_index(
        returns, forecast.var, ("returns", f"the {forecast.name} forecast"), where=where
    )
    check_positive_int(n_sim, "n_sim", where=where)
    check_positive_int(seed, "seed", where=where, minimum=0)
    hits = exceptions_of(returns, forecast)
    alpha = forecast.alpha
    years = {
        int(year): traffic_light(int(h.sum()), int(h.size), alpha)
        for year, h in hits.groupby(hits.index.year)
    }
    tail = hits.iloc[-250:]
    losses = pd.Series(
        pinball_loss(returns.to_numpy(), forecast.quantile().to_numpy(), alpha), index=returns.index
    )
    fz0 = pd.Series(
        fz0_score(returns.to_numpy(), forecast.var.to_numpy(), forecast.es.to_numpy(), alpha),
        index=returns.index,
    )
    return VaRBacktest(
        name=forecast.name,
        confidence=forecast.confidence,
        kupiec=kupiec_pof(hits, alpha),
        christoffersen=christoffersen(hits, alpha),
        zones_by_year=years,
        last_250=traffic_light(int(tail.sum()), int(tail.size), alpha),
        es=acerbi_szekely_z2(returns, forecast.var, forecast.es, alpha, n_sim=n_sim, seed=seed),
        pinball=float(losses.mean()),
        pinball_losses=losses,
        fz0=float(fz0.mean()),
        fz0_losses=fz0,
    )


def backtest_table(results: list[VaRBacktest]) -> pd.DataFrame:
    """Side-by-side table: exceptions vs expected, rate, Kupiec/Christoffersen p-values, zone per year and of
    the last 250 days, ES Z2 with p-value and verdict, mean pinball loss."""
    rows = {}
    for r in results:
        rows[r.name] = {
            "exceptions": r.kupiec.exceptions,
            "expected": round(r.kupiec.expected, 1),
            "rate": r.kupiec.rate,
            "kupiec_p": r.kupiec.pvalue,
            "christoffersen_ind_p": r.christoffersen.pvalue_ind,
            "christoffersen_cc_p": r.christoffersen.pvalue_cc,
            "zones_by_year": " ".join(
                f"{y}:{zone_label(t, short=True)}" for y, t in r.zones_by_year.items()
            ),
            "zone_last_250": r.last_250.zone,
            "es_z2": r.es.z2,
            "es_z2_p": r.es.pvalue,
            "es_verdict": "reject" if r.es.reject_5pct else "accept",
            "pinball": r.pinball,
            "fz0": r.fz0,
        }
    return pd.DataFrame(rows).T


def backtest_metrics(results: list[VaRBacktest], suffix: str = "") -> dict[str, object]:
    """Flat metric keys ``<model>.<statistic><suffix>`` (the README's metric grammar; ``suffix`` qualifies a
    second dataset, e.g. ``"_portfolio"``): ``exceptions``, ``exception_rate``, ``kupiec_pvalue``,
    ``christoffersen_ind_pvalue``, ``christoffersen_cc_pvalue``, ``pinball``, ``fz0``, ``es_z2``,
    ``es_z2_pvalue``, ``traffic_light`` (zone of the last 250 days)."""
    out: dict[str, object] = {}
    for r in results:
        stats = {
            "exceptions": r.kupiec.exceptions,
            "exception_rate": r.kupiec.rate,
            "kupiec_pvalue": r.kupiec.pvalue,
            "christoffersen_ind_pvalue": r.christoffersen.pvalue_ind,
            "christoffersen_cc_pvalue": r.christoffersen.pvalue_cc,
            "pinball": r.pinball,
            "fz0": r.fz0,
            "es_z2": r.es.z2,
            "es_z2_pvalue": r.es.pvalue,
            "traffic_light": r.last_250.zone,
        }
        out |= {f"{r.name}.{stat}{suffix}": value for stat, value in stats.items()}
    return out


def benchmark_goals(results: list[VaRBacktest], models: list[str], benchmark: str) -> pd.DataFrame:
    """Does each of ``models`` do at least as well as ``benchmark`` (e.g. GARCH-skew-t) on the criteria a
    validator checks? Rows: model x criterion, with the model's value, the target and whether it is met.
    Criteria: Kupiec and Christoffersen-CC p > 0.05; CC p, exception count (two-sided, as distance from the
    expected count) and mean pinball and FZ0 losses no worse than the benchmark's."""
    by_name = {r.name: r for r in results}
    missing = [m for m in [*models, benchmark] if m not in by_name]
    if missing:
        raise KeyError(f"no backtest for {missing}; have {sorted(by_name)}")
    b = by_name[benchmark]
    rows = []
    for m in models:
        r = by_name[m]
        checks = [
            ("kupiec_p > 0.05", r.kupiec.pvalue, 0.05, r.kupiec.pvalue > 0.05),
            (
                "christoffersen_cc_p > 0.05",
                r.christoffersen.pvalue_cc,
                0.05,
                r.christoffersen.pvalue_cc > 0.05,
            ),
            (
                f"christoffersen_cc_p >= {benchmark}'s",
                r.christoffersen.pvalue_cc,
                b.christoffersen.pvalue_cc,
                r.christoffersen.pvalue_cc >= b.christoffersen.pvalue_cc,
            ),
            (
                f"|exceptions - expected| <= {benchmark}'s",
                abs(r.kupiec.exceptions - r.kupiec.expected),
                abs(b.kupiec.exceptions - b.kupiec.expected),
                abs(r.kupiec.exceptions - r.kupiec.expected)
                <= abs(b.kupiec.exceptions - b.kupiec.expected),
            ),
            (f"pinball <= {benchmark}'s", r.pinball, b.pinball, r.pinball <= b.pinball),
            (f"fz0 <= {benchmark}'s", r.fz0, b.fz0, r.fz0 <= b.fz0),
        ]
        rows += [
            {"model": m, "criterion": c, "value": v, "target": t, "met": bool(ok)}
            for c, v, t, ok in checks
        ]
    return pd.DataFrame(rows).set_index(["model", "criterion"])
