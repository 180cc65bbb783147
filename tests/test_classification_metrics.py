"""Credit validation metrics against hand-computed answers and independent implementations."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from finrisk_utils.credit.metrics import (
    assign_grades,
    calibration_table,
    classification_metrics,
    delong_test,
    expected_calibration_error,
    expected_cost,
    grade_table,
    ks_statistic,
    psi,
)


def test_ks_equals_max_tpr_minus_fpr():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    p = np.clip(0.3 * y + rng.normal(0.4, 0.2, 500), 0, 1)
    fpr, tpr, _ = roc_curve(y, p)
    assert ks_statistic(y, p) == pytest.approx(np.max(tpr - fpr))
    assert ks_statistic([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0


def test_psi_known_answer():
    expected = np.arange(100.0)
    assert psi(expected, expected, n_bins=4) == pytest.approx(0.0)
    # actual: half the mass in the lowest quartile bin, the rest spread evenly over the other three
    actual = np.concatenate(
        [np.full(50, 10.0), np.full(17, 30.0), np.full(17, 60.0), np.full(16, 90.0)]
    )
    a = np.array([50, 17, 17, 16]) / 100
    e = np.full(4, 0.25)
    assert psi(expected, actual, n_bins=4) == pytest.approx(np.sum((a - e) * np.log(a / e)))
    with pytest.raises(ValueError, match="non-empty"):
        psi([], [1.0])


def test_ece_and_calibration_table_known_answer():
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    p = np.array([0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9])
    table = calibration_table(y, p, n_bins=2)
    assert table["default_rate"].tolist() == [0.25, 0.75] and table["mean_pd"].tolist() == [
        0.1,
        0.9,
    ]
    assert expected_calibration_error(y, p, n_bins=2) == pytest.approx(0.5 * 0.15 + 0.5 * 0.15)


def test_expected_cost_hand_computed():
    y = np.array([1, 1, 0, 0, 0])
    p = np.array([0.9, 0.1, 0.5, 0.1, 0.05])
    cost, threshold = expected_cost(y, p, cost_fn=5, cost_fp=1)
    assert threshold == pytest.approx(1 / 6)
    # rejected: p > 1/6 -> rows 0 (bad, right) and 2 (good, cost 1); accepted bad: row 1 (cost 5)
    assert cost == pytest.approx((5 + 1) / 5)


def test_classification_metrics_and_bad_input():
    y = np.array([0, 1, 0, 1])
    m = classification_metrics(y, np.array([0.2, 0.8, 0.3, 0.6]))
    assert m["auc"] == 1.0 and m["gini"] == 1.0 and 0 < m["brier"] < 0.25
    with pytest.raises(ValueError, match="both classes"):
        classification_metrics(np.zeros(4), np.full(4, 0.5))
    with pytest.raises(ValueError, match="0 \\(good\\) and 1"):
        classification_metrics(np.array([0, 2]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="probabilities"):
        classification_metrics(y, np.array([0.2, 1.8, 0.3, 0.6]))
    with pytest.raises(ValueError, match="finite"):
        classification_metrics(y, np.array([0.2, np.nan, 0.3, 0.6]))


def _delong_bruteforce(y, a, b):
    """O(n^2) DeLong from the definition: psi(x, z) = 1{x > z} + 1/2 1{x = z}."""
    pos, neg = y == 1, y == 0

    def comps(s):
        x, z = s[pos][:, None], s[neg][None, :]
        psi = (x > z) + 0.5 * (x == z)
        return psi.mean(axis=1), psi.mean(axis=0)

    (a10, a01), (b10, b01) = comps(a), comps(b)
    s10, s01 = np.cov(np.vstack([a10, b10])), np.cov(np.vstack([a01, b01]))
    cov = s10 / pos.sum() + s01 / neg.sum()
    return a10.mean() - b10.mean(), np.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])


def test_delong_matches_bruteforce_and_sklearn():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    a = np.round(0.5 * y + rng.normal(size=300), 1)  # rounded: ties exercise the 1/2 kernel
    b = 0.3 * y + rng.normal(size=300)
    res = delong_test(y, a, b)
    diff, se = _delong_bruteforce(y, a, b)
    assert res.auc_a == pytest.approx(roc_auc_score(y, a)) and res.auc_b == pytest.approx(
        roc_auc_score(y, b)
    )
    assert res.difference == pytest.approx(diff) and res.std_error == pytest.approx(se)
    assert 0 < res.pvalue < 1 and res.ci95[0] < res.difference < res.ci95[1]
    same = delong_test(y, a, a)
    assert same.difference == 0 and same.pvalue == 1.0


def test_grades_and_master_scale():
    bounds = [0.05, 0.2, 1.0]
    np.testing.assert_array_equal(
        assign_grades(np.array([0.01, 0.05, 0.06, 0.9]), bounds), [1, 1, 2, 3]
    )
    y = np.array([0, 0, 1, 0, 1, 1])
    p = np.array([0.01, 0.02, 0.1, 0.15, 0.5, 0.9])
    table = grade_table(y, p, bounds)
    assert table["n"].tolist() == [2, 2, 2] and table["default_rate"].tolist() == [0.0, 0.5, 1.0]
    assert table.attrs["monotone"]
    reversed_table = grade_table(1 - y, p, bounds)
    assert not reversed_table.attrs["monotone"]
    with pytest.raises(ValueError, match="end at 1.0"):
        assign_grades(p, [0.1, 0.5])
    assert isinstance(table, pd.DataFrame)
