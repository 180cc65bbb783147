"""Test statistics and p-values pinned to hand computations on small, non-degenerate data.

Every expected value here is computed in the test from the published formula with plain ``math`` (and the
closed-form chi-square tails: ``P(chi2_1 > x) = erfc(sqrt(x / 2))``, ``P(chi2_2 > x) = exp(-x / 2)``), never by
calling the code under test, and is also pinned as a literal so that a change in the formula *and* in this file's
hand computation cannot pass unnoticed.
"""

import math

import numpy as np
import pytest
from scipy import stats

from finrisk_utils.credit.metrics import delong_test, psi
from finrisk_utils.forecasting.compare import diebold_mariano
from finrisk_utils.market.backtest import christoffersen, kupiec_pof

REL = 1e-6

# 20 days, 6 exceptions, with all four first-order transitions present:
# n00 = 9, n01 = 4, n10 = 4, n11 = 2 (19 transitions).
HITS = np.array([0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0], dtype=bool)
ALPHA = 0.1


def chi2_1_sf(x):
    return math.erfc(math.sqrt(x / 2))


def chi2_2_sf(x):
    return math.exp(-x / 2)


def hand_kupiec(n, x, alpha):
    p = x / n
    log_l0 = (n - x) * math.log(1 - alpha) + x * math.log(alpha)
    log_l1 = (n - x) * math.log(1 - p) + x * math.log(p)
    return -2 * (log_l0 - log_l1)


def hand_transitions(hits):
    counts = {"00": 0, "01": 0, "10": 0, "11": 0}
    for a, b in zip(hits[:-1], hits[1:], strict=True):
        counts[f"{int(a)}{int(b)}"] += 1
    return counts["00"], counts["01"], counts["10"], counts["11"]


def test_transition_counts_are_all_nonzero():
    assert hand_transitions(HITS) == (9, 4, 4, 2)
    res = christoffersen(HITS, ALPHA)
    assert (res.n00, res.n01, res.n10, res.n11) == (9, 4, 4, 2)


def test_kupiec_pof_by_hand():
    n, x = HITS.size, int(HITS.sum())
    lr = hand_kupiec(n, x, ALPHA)
    res = kupiec_pof(HITS, ALPHA)
    assert (res.exceptions, res.n, res.expected) == (6, 20, pytest.approx(2.0))
    assert res.statistic == pytest.approx(lr, rel=REL)
    assert res.pvalue == pytest.approx(chi2_1_sf(lr), rel=REL)
    # pinned literals (20 days, 6 exceptions, alpha = 0.1)
    assert res.statistic == pytest.approx(6.14654347, rel=REL)
    assert res.pvalue == pytest.approx(0.01316692, rel=1e-6)


def test_kupiec_uses_the_given_alpha_not_its_complement():
    # 1 exception in 100 days at alpha = 0.01 is exactly on target: LR = 0, p = 1
    hits = np.zeros(100, dtype=bool)
    hits[37] = True
    res = kupiec_pof(hits, 0.01)
    assert res.statistic == pytest.approx(0.0, abs=1e-12) and res.pvalue == pytest.approx(1.0)
    lr = hand_kupiec(100, 1, 0.05)
    assert kupiec_pof(hits, 0.05).statistic == pytest.approx(lr, rel=REL)


def test_christoffersen_independence_and_conditional_coverage_by_hand():
    n00, n01, n10, n11 = hand_transitions(HITS)
    pi01, pi11 = n01 / (n00 + n01), n11 / (n10 + n11)
    pi = (n01 + n11) / (n00 + n01 + n10 + n11)
    log_l0 = (n00 + n10) * math.log(1 - pi) + (n01 + n11) * math.log(pi)
    log_l1 = (
        n00 * math.log(1 - pi01)
        + n01 * math.log(pi01)
        + n10 * math.log(1 - pi11)
        + n11 * math.log(pi11)
    )
    lr_ind = -2 * (log_l0 - log_l1)
    lr_cc = hand_kupiec(HITS.size, int(HITS.sum()), ALPHA) + lr_ind

    res = christoffersen(HITS, ALPHA)
    assert res.lr_ind == pytest.approx(lr_ind, rel=REL)
    assert res.pvalue_ind == pytest.approx(chi2_1_sf(lr_ind), rel=REL)  # one degree of freedom
    assert res.lr_cc == pytest.approx(lr_cc, rel=REL)
    assert res.pvalue_cc == pytest.approx(chi2_2_sf(lr_cc), rel=REL)  # two degrees of freedom
    # pinned literals
    assert res.lr_ind == pytest.approx(0.01242825, rel=1e-6)
    assert res.pvalue_ind == pytest.approx(0.91123409, rel=1e-6)
    assert res.lr_cc == pytest.approx(6.15897172, rel=1e-6)
    assert res.pvalue_cc == pytest.approx(0.04598289, rel=1e-6)


def test_christoffersen_detects_clustering():
    clustered = np.array([0] * 40 + [1] * 5 + [0] * 55, dtype=bool)
    res = christoffersen(clustered, 0.05)
    assert res.lr_ind > 10 and res.pvalue_ind < 0.01


# ---------------------------------------------------------------------------------------------- DeLong


def _hand_delong(y, a, b):
    """DeLong, DeLong and Clarke-Pearson (1988) with the Mann-Whitney kernel, by brute force."""

    def kernel(x, z):
        return 1.0 if x > z else 0.5 if x == z else 0.0

    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    m, n = pos.size, neg.size
    v10 = [[sum(kernel(s[i], s[j]) for j in neg) / n for i in pos] for s in (a, b)]
    v01 = [[sum(kernel(s[i], s[j]) for i in pos) / m for j in neg] for s in (a, b)]
    auc = [sum(v) / m for v in v10]

    def cov(u, v):
        mu, mv = sum(u) / len(u), sum(v) / len(v)
        return sum((x - mu) * (z - mv) for x, z in zip(u, v, strict=True)) / (len(u) - 1)

    s10 = [[cov(v10[r], v10[c]) for c in range(2)] for r in range(2)]
    s01 = [[cov(v01[r], v01[c]) for c in range(2)] for r in range(2)]
    var = (s10[0][0] + s10[1][1] - 2 * s10[0][1]) / m + (s01[0][0] + s01[1][1] - 2 * s01[0][1]) / n
    diff = auc[0] - auc[1]
    z = diff / math.sqrt(var)
    return auc, diff, math.sqrt(var), z, math.erfc(abs(z) / math.sqrt(2))


def test_delong_against_brute_force_structural_components():
    # 5 bads and 7 goods (m != n, so swapping them is caught), with ties inside and across classes
    y = np.array([1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0])
    a = np.array([0.9, 0.3, 0.7, 0.5, 0.2, 0.6, 0.6, 0.8, 0.1, 0.4, 0.35, 0.55])
    b = np.array([0.6, 0.5, 0.4, 0.3, 0.2, 0.7, 0.8, 0.9, 0.1, 0.5, 0.6, 0.45])
    auc, diff, se, z, p = _hand_delong(y, a, b)
    res = delong_test(y, a, b)
    assert res.auc_a == pytest.approx(auc[0], rel=REL)
    assert res.auc_b == pytest.approx(auc[1], rel=REL)
    assert res.difference == pytest.approx(diff, rel=REL)
    assert res.std_error == pytest.approx(se, rel=REL)
    assert res.z == pytest.approx(z, rel=REL)
    assert res.pvalue == pytest.approx(p, rel=REL)
    assert res.ci95 == pytest.approx((diff - 1.96 * se, diff + 1.96 * se), rel=REL)
    # AUCs by counting pairs: a wins 30.5 of 35 pairs, b 28 of 35
    assert res.auc_a == pytest.approx(30.5 / 35) and res.auc_b == pytest.approx(28 / 35)
    # the test is antisymmetric in the two scores
    rev = delong_test(y, b, a)
    assert rev.z == pytest.approx(-res.z, rel=REL) and rev.pvalue == pytest.approx(res.pvalue)


# -------------------------------------------------------------------------------------- Diebold-Mariano

LOSS_A = np.array([0.2, 1.1, 0.4, 0.9, 0.3, 0.5, 1.4, 0.2, 0.6, 0.8, 0.1, 0.7, 0.5, 0.3, 0.9])
LOSS_B = np.array([0.9, 1.0, 1.2, 0.8, 1.1, 0.4, 1.9, 0.7, 0.5, 1.6, 0.6, 0.9, 1.3, 0.2, 1.5])


def _hand_dm(a, b, h, *, kernel="bartlett", lags=None, harvey=True):
    """DM statistic by hand: long-run variance gamma_0 + 2 sum_k w_k gamma_k with Bartlett (Newey-West,
    w_k = 1 - k / (L + 1), L = max(h - 1, floor(4 (n / 100)^(2/9))) by default) or rectangular (w_k = 1,
    L = h - 1: the original DM estimator) weights, and the Harvey-Leybourne-Newbold factor."""
    d = [x - z for x, z in zip(a, b, strict=True)]
    n = len(d)
    if lags is None:
        lags = (
            h - 1 if kernel == "rectangular" else max(h - 1, math.floor(4 * (n / 100) ** (2 / 9)))
        )
    mean = sum(d) / n
    gamma = [
        sum((d[t] - mean) * (d[t - k] - mean) for t in range(k, n)) / n for k in range(lags + 1)
    ]
    w = [1.0 if kernel == "rectangular" else 1 - k / (lags + 1) for k in range(lags + 1)]
    lrv = gamma[0] + 2 * sum(w[k] * gamma[k] for k in range(1, lags + 1))
    stat = mean / math.sqrt(lrv / n)
    if harvey:
        stat *= math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    return stat, n


@pytest.mark.parametrize("h", [1, 3])
@pytest.mark.parametrize("kernel", ["bartlett", "rectangular"])
def test_dm_two_sided_and_both_one_sided_branches_by_hand(h, kernel):
    stat, n = _hand_dm(LOSS_A, LOSS_B, h, kernel=kernel)
    assert stat < 0  # model A has the smaller losses
    t = stats.t(df=n - 1)
    kw = {"horizon": h, "kernel": kernel}
    two = diebold_mariano(LOSS_A, LOSS_B, **kw)
    less = diebold_mariano(LOSS_A, LOSS_B, alternative="less", **kw)
    greater = diebold_mariano(LOSS_A, LOSS_B, alternative="greater", **kw)
    for res in (two, less, greater):
        assert res.statistic == pytest.approx(stat, rel=REL)
        assert res.mean_loss_diff == pytest.approx(np.mean(LOSS_A - LOSS_B), rel=REL)
        assert (res.horizon, res.n) == (h, n)
    assert two.pvalue == pytest.approx(2 * t.sf(abs(stat)), rel=REL)
    # "less": the alternative that A is better -- a negative statistic gives a small p-value
    assert less.pvalue == pytest.approx(t.cdf(stat), rel=REL)
    assert greater.pvalue == pytest.approx(t.sf(stat), rel=REL)
    assert less.pvalue < 0.05 < greater.pvalue
    assert less.pvalue + greater.pvalue == pytest.approx(1.0, rel=REL)
    assert two.pvalue == pytest.approx(2 * less.pvalue, rel=REL)


def test_dm_explicit_lags_and_pinned_literals():
    for h, lags in ((1, 0), (1, 2), (3, 2), (3, 4)):
        res = diebold_mariano(LOSS_A, LOSS_B, horizon=h, lags=lags)
        assert res.statistic == pytest.approx(_hand_dm(LOSS_A, LOSS_B, h, lags=lags)[0], rel=REL)
    rect1 = diebold_mariano(LOSS_A, LOSS_B, horizon=1, kernel="rectangular")
    rect3 = diebold_mariano(LOSS_A, LOSS_B, horizon=3, kernel="rectangular")
    bart1 = diebold_mariano(LOSS_A, LOSS_B, horizon=1)
    assert rect1.statistic == pytest.approx(-3.81455944, rel=1e-6)
    assert rect3.statistic == pytest.approx(-6.35600914, rel=1e-6)
    assert bart1.statistic == pytest.approx(-7.80644058, rel=1e-6)
    assert rect1.statistic != pytest.approx(rect3.statistic, rel=1e-3)  # the horizon matters


def test_dm_without_harvey_uses_normal():
    stat, _ = _hand_dm(LOSS_A, LOSS_B, 3, harvey=False)
    res = diebold_mariano(LOSS_A, LOSS_B, horizon=3, harvey_correction=False, alternative="less")
    assert res.statistic == pytest.approx(stat, rel=REL)
    assert res.pvalue == pytest.approx(0.5 * math.erfc(-stat / math.sqrt(2)), rel=REL)


# ------------------------------------------------------------------------------------------------- PSI


def test_psi_with_an_empty_bin_by_hand():
    # expected 0..10, 5 bins cut at its quintiles (numpy's linear quantiles: 2, 4, 6 + 1 ulp, 8; the outer edges
    # are opened to -inf/inf): bins [-inf, 2), [2, 4), [4, 6+), [6+, 8), [8, inf), a value on an edge belonging
    # to the bin above it
    expected = np.arange(11.0)
    actual = np.array([0, 1, 2, 2, 3, 4, 5, 8, 8, 9, 10.0])  # nothing in [6+, 8)
    edges = [2.0, 4.0, 6.000000000000001, 8.0]
    assert np.quantile(expected, np.linspace(0, 1, 6))[1:-1].tolist() == edges

    def shares(x):
        counts = [0] * 5
        for v in x:
            counts[sum(v >= e for e in edges)] += 1
        return [c / len(x) for c in counts]

    e_share, a_share = shares(expected), shares(actual)
    assert e_share == pytest.approx([2 / 11, 2 / 11, 3 / 11, 1 / 11, 3 / 11])
    assert a_share == pytest.approx([2 / 11, 3 / 11, 2 / 11, 0.0, 4 / 11])
    eps = 1e-4
    a_share[3] = eps  # the empty bin is floored at eps, the others are untouched
    hand = sum((a - e) * math.log(a / e) for a, e in zip(a_share, e_share, strict=True))
    assert psi(expected, actual, n_bins=5, eps=eps) == pytest.approx(hand, rel=REL)
    assert psi(expected, actual, n_bins=5, eps=eps) == pytest.approx(0.71850579, rel=1e-6)
    # eps enters only through the empty bin: a larger floor gives a smaller index
    assert psi(expected, actual, n_bins=5, eps=1e-2) < psi(expected, actual, n_bins=5, eps=eps)


def test_psi_is_zero_for_the_same_sample_and_symmetric_in_form():
    x = np.random.default_rng(0).normal(size=500)
    assert psi(x, x) == pytest.approx(0.0, abs=1e-12)
