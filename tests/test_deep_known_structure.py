"""Deep models on simulated data whose structure is known: they must find it.

* Deep VaR (inputs: scaled returns and absolute returns, no volatility pre-filter) on GARCH(1,1) returns must
  track the true conditional volatility and beat a constant VaR (the training sample's quantile) on the
  pinball loss.
* The direct network forecaster on an AR(1) with ``phi = 0.8`` must beat the random walk at ``h = 1`` and its
  forecast changes must follow the true conditional mean change ``(phi - 1) y_o``.

Small nets, few epochs, seeded: each test runs in well under a minute on one core.
"""

import numpy as np
import pandas as pd
import pytest
from simulated import ar1, garch_returns

from finrisk_utils import setup
from finrisk_utils.forecasting.baselines import no_change_forecast
from finrisk_utils.forecasting.direct import DirectNetSpec, direct_deep_forecast
from finrisk_utils.forecasting.metrics import pinball_loss, rmse
from finrisk_utils.market.deep_var import DeepVaRSpec, deep_var_forecast


def test_deep_var_tracks_garch_volatility_and_beats_constant_var():
    n, alpha = 2000, 0.05
    r, sigma = garch_returns(n, a=0.12, seed=0)
    days = pd.bdate_range("2012-01-02", periods=n)
    returns = pd.Series(r, index=days)
    sigma = pd.Series(sigma, index=days)
    setup(0)
    spec = DeepVaRSpec(
        kind="cnn",
        vol_scaling="none",  # the network itself has to find the volatility in the returns
        window=20,
        units=8,
        epochs=15,
        batch_size=64,
        patience=4,
        learning_rate=3e-3,
    )
    res = deep_var_forecast(
        returns,
        confidence=1 - alpha,
        val_start=days[1200],
        test_start=days[1500],
        test_end=days[-1],
        spec=spec,
    )
    var = res.forecast.var
    true_sigma = sigma.loc[var.index]
    corr = float(np.corrcoef(var, true_sigma)[0, 1])
    assert corr > 0.5, f"deep VaR does not track the true volatility (corr {corr:.2f})"

    test_r = returns.loc[var.index].to_numpy()
    const_q = float(
        np.quantile(returns.iloc[:1500], alpha)
    )  # a constant VaR from data before the test
    deep_loss = pinball_loss(test_r, -var.to_numpy(), alpha).mean()
    const_loss = pinball_loss(test_r, np.full(test_r.size, const_q), alpha).mean()
    oracle_loss = pinball_loss(test_r, true_sigma.to_numpy() * -1.6448536, alpha).mean()
    assert oracle_loss < const_loss  # the simulation has volatility worth tracking
    assert deep_loss < const_loss, f"deep pinball {deep_loss:.4f} vs constant {const_loss:.4f}"


def test_direct_forecaster_beats_random_walk_on_ar1():
    phi, n = 0.8, 700
    y = ar1(n, phi, seed=1)
    idx = pd.date_range("1950-01-01", periods=n, freq="MS")
    data = pd.DataFrame({"y": y}, index=idx)
    origins = idx[500:-1]
    setup(0)
    spec = DirectNetSpec(
        kind="dense",
        window=4,
        units=8,
        epochs=40,
        patience=6,
        batch_size=32,
        val_size=60,
        learning_rate=3e-3,
    )
    res = direct_deep_forecast(data, data[["y"]], origins, (1,), spec)
    fc = res.forecasts[1]["y"]
    actual = data["y"].loc[fc.index]
    rw = no_change_forecast(data["y"], origins, 1)
    assert rw.index.equals(fc.index)
    rmse_net, rmse_rw = rmse(actual, fc), rmse(actual, rw)
    # the population RMSE ratio is sqrt((1 - phi^2) / (2 (1 - phi))) = 0.949 for the optimal forecast
    assert rmse_net < 0.99 * rmse_rw, f"network RMSE {rmse_net:.3f} vs random walk {rmse_rw:.3f}"
    # the forecast change follows the true conditional mean change (phi - 1) y_o
    origin_y = data["y"].loc[origins].to_numpy()
    change = fc.to_numpy() - origin_y
    assert np.corrcoef(change, (phi - 1) * origin_y)[0, 1] > 0.7
    slope = np.polyfit(origin_y, change, 1)[0]
    assert slope == pytest.approx(phi - 1, abs=0.15)
