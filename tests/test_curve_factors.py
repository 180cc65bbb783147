"""PCA vs autoencoder curve factors, factor recovery, the DNS Monte Carlo, and the multi-horizon table."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils import setup
from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.forecasting.compare import horizon_table
from finrisk_utils.rates.curve_factors import (
    autoencoder_curve_factors,
    factor_recovery,
    pca_curve_factors,
)
from finrisk_utils.rates.monte_carlo import dns_vs_random_walk_study
from finrisk_utils.rates.simulate import (
    DIEBOLD_LI_FACTOR_DYNAMICS,
    YIELD_CURVE_MATURITIES,
    make_yield_curves,
)


@pytest.fixture(scope="module")
def panel():
    """Diebold-Li's factor moments, 8 bp i.i.d. noise, 3m-30y (the tolerances below are for this panel)."""
    return make_yield_curves(
        300,
        seed=5,
        start="1970-01-01",
        params=DIEBOLD_LI_FACTOR_DYNAMICS,
        maturities=YIELD_CURVE_MATURITIES,
    )


def test_pca_recovers_the_nelson_siegel_factors(panel):
    y, f = panel.yields, panel.factors
    train, test = y.iloc[:240], y.iloc[240:]
    fit = pca_curve_factors(train, test)
    assert fit.latent_test.shape == (60, 3)
    assert fit.recon_rmse < 0.1  # about the 8 bp measurement noise
    assert fit.variance_explained > 0.98
    rec = factor_recovery(fit.latent_train, f.iloc[:240], fit.latent_test, f.iloc[240:])
    assert min(rec.values()) > 0.9
    # recovery is rotation-invariant: any invertible mix of the latent factors gives the same answer
    mix = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [0.5, 0.0, 2.0]])  # det 1
    rec2 = factor_recovery(
        fit.latent_train @ mix, f.iloc[:240], fit.latent_test @ mix, f.iloc[240:]
    )
    assert rec2 == pytest.approx(rec)


def test_autoencoder_trains_and_reports(panel):
    setup(0)
    y = panel.yields
    fit = autoencoder_curve_factors(y.iloc[:240], y.iloc[240:], epochs=3)
    assert fit.latent_train.shape == (240, 3) and fit.fit.epochs_run <= 3
    assert np.isfinite(fit.recon_rmse) and fit.reconstruction_test.shape == (60, 10)


def test_curve_factor_inputs_are_checked(panel):
    y = panel.yields
    with pytest.raises(DataValidationError, match="after the training"):
        pca_curve_factors(y.iloc[100:], y.iloc[:50])
    with pytest.raises(DataValidationError, match="NaN"):
        pca_curve_factors(y.iloc[:100].where(y.iloc[:100] > 100), y.iloc[100:])
    with pytest.raises(ValueError, match="same maturities"):
        pca_curve_factors(y.iloc[:100], y.iloc[100:, :5])


def test_dns_study_shapes_and_seeds():
    kw = dict(
        n_months=240,
        start="1980-01-01",
        test_start="1995-01-01",
        horizons=[1, 6],
        maturities=[3, 120],
    )
    a = dns_vs_random_walk_study(3, **kw)
    assert list(a["panel"].unique()) == [1, 2, 3] and len(a) == 6
    np.testing.assert_allclose(a["ratio"], a["rmse_dns"] / a["rmse_rw"])
    pd.testing.assert_frame_equal(a, dns_vs_random_walk_study(3, **kw))
    with pytest.raises(ValueError, match="n_panels"):
        dns_vs_random_walk_study(0, **kw)


def test_horizon_table_hand_computed():
    idx = pd.date_range("2000-01-01", periods=6, freq="MS")
    actual = pd.DataFrame({"a": [0.0, 1, 2, 3, 4, 5]}, index=idx)
    bench = {1: pd.DataFrame({"a": [0.0, 0, 0, 0, 0]}, index=idx[1:])}
    model = {1: pd.DataFrame({"a": [1.0, 2, 3, 4, 5]}, index=idx[1:])}
    t = horizon_table(
        actual, {"rw": bench, "m": model}, benchmark="rw", kernel="rectangular"
    ).set_index("model")
    assert t.loc["m", "rmse"] == 0.0 and t.loc["rw", "rmse"] == pytest.approx(np.sqrt(55 / 5))
    assert t.loc["m", "rmse_ratio"] == 0.0 and np.isnan(t.loc["rw", "dm_pvalue"])
    assert t.loc["m", "dm_pvalue"] < 0.1 and t.loc["m", "n"] == 5
    with pytest.raises(ValueError, match="benchmark"):
        horizon_table(actual, {"m": model}, benchmark="rw")
    with pytest.raises(ValueError, match="dates"):
        horizon_table(actual, {"rw": bench, "m": {1: model[1].iloc[1:]}}, benchmark="rw")
