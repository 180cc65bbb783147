import numpy as np
import pandas as pd
import pytest
from scipy import stats

from finrisk_utils.forecasting.compare import diebold_mariano
from finrisk_utils.forecasting.metrics import directional_accuracy, forecast_table, mae, rmse


def test_rmse_mae_hand_computed():
    y, f = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 6.0])
    assert rmse(y, f) == pytest.approx(np.sqrt((0 + 4 + 9) / 3))
    assert mae(y, f) == pytest.approx(5 / 3)


@pytest.mark.parametrize(
    "y, f, match",
    [
        ([1.0, 2.0], [1.0], "equal length"),
        ([], [], "empty"),
        ([1.0, np.nan], [1.0, 2.0], "finite"),
        ([[1.0]], [[1.0]], "1-D"),
    ],
)
def test_bad_inputs(y, f, match):
    with pytest.raises(ValueError, match=match):
        rmse(np.array(y), np.array(f))


def test_directional_accuracy_skips_zeros_and_rejects_all_zero():
    y = np.array([1.0, -1.0, 2.0, 0.0, -3.0])
    f = np.array([0.5, 0.5, 0.0, 1.0, -1.0])
    # usable periods: 0 (hit), 1 (miss), 4 (hit)
    assert directional_accuracy(y, f) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="undefined"):
        directional_accuracy(y, np.zeros(5))


def test_diebold_mariano_hand_worked_example():
    # d = [1, -1, 2, 0, 3]: mean 1, gamma0 = 2, var(d_bar) = 0.4, DM = 1/sqrt(0.4) = 1.5811;
    # HLN factor sqrt((5 + 1 - 2)/5) = sqrt(0.8), so DM* = 1.4142, p = 2 * t_4.sf(1.4142)
    loss_b = np.array([1.0, 2.0, 1.0, 2.0, 1.0])
    loss_a = loss_b + np.array([1.0, -1.0, 2.0, 0.0, 3.0])
    res = diebold_mariano(loss_a, loss_b, lags=0)  # gamma0 only: the textbook one-step case
    assert res.statistic == pytest.approx(np.sqrt(2.0), rel=1e-12)
    assert res.pvalue == pytest.approx(2 * stats.t(4).sf(np.sqrt(2.0)), rel=1e-12)
    assert res.mean_loss_diff == pytest.approx(1.0) and res.n == 5
    raw = diebold_mariano(loss_a, loss_b, harvey_correction=False, lags=0)
    assert raw.statistic == pytest.approx(1 / np.sqrt(0.4))
    assert raw.pvalue == pytest.approx(2 * stats.norm.sf(1 / np.sqrt(0.4)))


def test_diebold_mariano_horizon_two_uses_first_autocovariance():
    d = np.array([1.0, 1.0, 2.0, 2.0, 3.0, 3.0])
    dc = d - d.mean()
    n = d.size
    gamma0, gamma1 = dc @ dc / n, dc[1:] @ dc[:-1] / n
    expected = d.mean() / np.sqrt((gamma0 + 2 * gamma1) / n) * np.sqrt((n + 1 - 4 + 2 / n) / n)
    res = diebold_mariano(d, np.zeros(n), horizon=2, kernel="rectangular")
    assert res.statistic == pytest.approx(expected)


def test_diebold_mariano_one_sided_and_symmetry():
    rng = np.random.default_rng(0)
    a, b = rng.chisquare(1, 300), rng.chisquare(1, 300) * 1.5
    two = diebold_mariano(a, b)
    less = diebold_mariano(a, b, alternative="less")
    assert less.pvalue == pytest.approx(two.pvalue / 2) and two.statistic < 0
    swapped = diebold_mariano(b, a)
    assert swapped.statistic == pytest.approx(-two.statistic) and swapped.pvalue == pytest.approx(
        two.pvalue
    )


def test_diebold_mariano_size_under_the_null():
    rng = np.random.default_rng(1)
    pvals = [
        diebold_mariano(rng.normal(size=200) ** 2, rng.normal(size=200) ** 2).pvalue
        for _ in range(400)
    ]
    assert 0.02 < np.mean(np.array(pvals) < 0.05) < 0.09


def test_diebold_mariano_errors():
    with pytest.raises(ValueError, match="identical"):
        diebold_mariano(np.ones(10), np.ones(10))
    with pytest.raises(ValueError, match="alternative"):
        diebold_mariano(np.arange(5.0), np.zeros(5), alternative="bigger")
    with pytest.raises(ValueError, match="horizon"):
        diebold_mariano(np.arange(5.0), np.zeros(5), horizon=0)
    with pytest.raises(ValueError, match="at least"):
        diebold_mariano(np.arange(3.0), np.zeros(3), horizon=2)


def test_forecast_table():
    idx = pd.bdate_range("2020-01-01", periods=4)
    y = pd.Series([1.0, -1.0, 2.0, -2.0], index=idx)
    table = forecast_table(y, {"zero": pd.Series(0.0, index=idx), "perfect": y.copy()})
    assert table.loc["perfect", "rmse"] == 0 and table.loc["perfect", "directional_accuracy"] == 1
    assert np.isnan(table.loc["zero", "directional_accuracy"])
    assert table.loc["zero", "rmse"] == pytest.approx(np.sqrt(2.5))
    with pytest.raises(ValueError, match="not on the dates"):
        forecast_table(y, {"short": y.iloc[:3]})
