"""The readings of notebook 05 (``finrisk_utils.rates.readings``) on hand-built inputs: every branch of the
autoencoder-vs-PCA reading (convergence, in-sample fit, growth of the test error, saturation, which method
reconstructs better) at and beside its thresholds, and the trend sentence of the Monte Carlo reading."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.models.training import FitResult
from finrisk_utils.rates.curve_factors import SATURATION, CurveFactorFit
from finrisk_utils.rates.readings import (
    factor_reading,
    monte_carlo_reading,
    outlier_reading,
    reference_reading,
)


def _fit(name, test_rmse, train_rmse, *, fit=None, sat_train=np.nan, sat_test=np.nan):
    return CurveFactorFit(
        name=name,
        recon_rmse=test_rmse,
        variance_explained=0.9,
        latent_train=np.zeros((4, 3)),
        latent_test=np.zeros((2, 3)),
        reconstruction_test=pd.DataFrame(),
        fit=fit,
        recon_rmse_train=train_rmse,
        saturation_train=sat_train,
        saturation_test=sat_test,
    )


def _history(best_epoch, epochs_run):
    return FitResult(
        loss=[1.0] * epochs_run,
        val_loss=[1.0] * epochs_run,
        best_epoch=best_epoch,
        epochs_run=epochs_run,
    )


# PCA: 0.25 pp in sample, 0.30 pp out of sample (binary-exact numbers, so the thresholds are exact too)
PCA = _fit("pca", 0.30, 0.25)
# a converged autoencoder exactly at the in-sample limit (1.5 x PCA's 0.25) whose test error doubles and more
AE = _fit("ae", 0.875, 0.375, fit=_history(12, 17), sat_train=0.125, sat_test=0.25)


def test_factor_reading_extrapolation_with_rising_saturation():
    """In-sample as good as PCA (ratio exactly 1.5 counts), test error > 2x training, saturation rising:
    the extrapolation-with-saturation verdict, the numbers to three decimals and PCA better on test."""
    text = factor_reading(PCA, AE)
    assert text.startswith(
        "The autoencoder converged (kept epoch 12, early stopping at epoch 17). "
        "Reconstruction RMSE on the training curves: autoencoder 0.375 pp, PCA 0.250 pp; "
        "on the test curves: autoencoder 0.875 pp, PCA 0.300 pp."
    )
    assert (
        f"The share of saturated tanh activations (|a| > {SATURATION}) is 12.5% on the training "
        "curves and 25.0% on the test curves." in text
    )
    assert "it is extrapolation, with more units saturated" in text
    assert text.endswith(
        "On the test curves PCA reconstructs better (the autoencoder's error is 2.9 times PCA's)."
    )


def test_factor_reading_extrapolation_without_rising_saturation():
    """Same errors but saturation flat (equal shares do not count as rising): the gap is put on the
    nonlinear decoder, not on saturation."""
    ae = replace(AE, saturation_test=0.125)
    text = factor_reading(PCA, ae)
    assert "although saturation does not rise" in text
    assert "not saturation." in text and "with more units saturated" not in text


def test_factor_reading_test_error_exactly_double_is_not_growth():
    """A test error of exactly twice the training error does not count as growth (strict ``>``):
    the autoencoder matches PCA in and out of sample."""
    ae = replace(AE, recon_rmse=0.75)
    text = factor_reading(PCA, ae)
    assert "It matches PCA in and out of sample." in text
    assert "extrapolation" not in text


def test_factor_reading_autoencoder_better_on_test():
    """An autoencoder with the lower test error (in-sample fit, no growth) is named the better one."""
    ae = replace(AE, recon_rmse=0.25, recon_rmse_train=0.25)
    text = factor_reading(PCA, ae)
    assert "It matches PCA in and out of sample." in text
    assert text.endswith(
        "On the test curves the autoencoder reconstructs better (PCA's error is 1.2 times its)."
    )
    # a tie goes to PCA
    tie = replace(AE, recon_rmse=0.30, recon_rmse_train=0.25)
    assert factor_reading(PCA, tie).endswith(
        "On the test curves PCA reconstructs better (the autoencoder's error is 1.0 times PCA's)."
    )


def test_factor_reading_poor_in_sample_fit():
    """Above 1.5x PCA's training error the autoencoder 'does not reach PCA's error even in sample',
    whatever its test error does."""
    ae = replace(AE, recon_rmse_train=0.5, recon_rmse=2.0)
    text = factor_reading(PCA, ae)
    assert "It does not reach PCA's error even in sample." in text
    assert "extrapolation" not in text and "matches PCA" not in text


def test_factor_reading_unconverged_autoencoder_is_not_interpreted():
    """Kept epoch = last epoch run: the reading says so, gives the errors and stops (no saturation
    sentence, no verdict, no 'better')."""
    ae = replace(AE, fit=_history(20, 20))
    text = factor_reading(PCA, ae)
    assert text == (
        "The autoencoder did not converge (kept epoch 20 is the last of 20): its errors are not "
        "interpreted. Reconstruction RMSE on the training curves: autoencoder 0.375 pp, PCA 0.250 pp; "
        "on the test curves: autoencoder 0.875 pp, PCA 0.300 pp."
    )


def test_factor_reading_refuses_a_fit_without_history():
    """The autoencoder argument must carry its training history; the error names the function."""
    with pytest.raises(ValueError, match="factor_reading: ae must be an autoencoder fit"):
        factor_reading(PCA, replace(AE, fit=None))


def _summary(means):
    horizons = [1, 6, 12][: len(means)]
    return pd.DataFrame(
        {"mean": means, "share_dns_wins": [0.5] * len(means), "count": [30] * len(means)},
        index=horizons,
    )


def test_monte_carlo_reading_advantage_not_steady():
    """DNS ahead on average at every horizon but the ratio not falling monotonically: 'does not grow
    steadily', with each horizon's sentence computed from its row."""
    text = monte_carlo_reading(_summary([0.9, 0.95, 0.92]), {1: 0.8, 6: 1.1, 12: 0.92})
    assert text.startswith("Over 30 simulated panels, at h = 1 DNS-AR(1) beats the random walk")
    assert "at h = 6 DNS-AR(1) beats the random walk on average (mean RMSE ratio 0.950)" in text
    assert "on this notebook's panel its ratio is 1.100 (not below 1" in text
    assert text.endswith("The average advantage does not grow steadily with the horizon.")


def test_monte_carlo_reading_mixed_sides():
    """Ahead at one horizon, behind at another (ratio exactly 1 is 'does not beat'): not 'loses at every
    horizon', and the advantage does not grow."""
    text = monte_carlo_reading(_summary([0.97, 1.0]), {1: 0.99, 6: 1.0})
    assert (
        "at h = 6 DNS-AR(1) does not beat the random walk on average (mean RMSE ratio 1.000)"
        in text
    )
    assert "on this notebook's panel its ratio is 1.000 (not below 1" in text
    assert "loses to the random walk at every horizon" not in text
    assert text.endswith("does not grow steadily with the horizon.")


def test_monte_carlo_reading_refuses_a_summary_without_columns():
    """A summary lacking ``share_dns_wins`` is refused with the function's name and the column."""
    with pytest.raises(ValueError, match="monte_carlo_reading.*share_dns_wins"):
        monte_carlo_reading(pd.DataFrame({"mean": [1.0], "count": [3]}, index=[1]), {1: 1.0})


def test_reference_reading_tolerance_is_inclusive_and_configurable():
    """A gap equal to the tolerance reproduces; a tighter tolerance turns the same gap into 'does not
    reproduce', and the tolerance is printed."""
    table = pd.DataFrame({"reference": [1.0, 2.0], "iterated": [1.0, 2.25]})
    assert reference_reading(table, tolerance=0.25) == (
        "The iterated AR(1) reproduces the reference (largest gap 0.2500 over 2 ratios, tolerance 0.25)."
    )
    assert "does not reproduce the reference" in reference_reading(table, tolerance=0.125)


@pytest.mark.parametrize("mean", [1.05, 0.95])
def test_monte_carlo_reading_single_horizon_claims_no_trend(mean):
    """With one horizon there is no trend to read: neither 'by more at longer horizons' nor 'grows with
    the horizon' may be said."""
    text = monte_carlo_reading(_summary([mean]), {1: 1.0})
    assert "longer horizons" not in text and "grows with the horizon" not in text
    assert "does not grow steadily" not in text


def test_monte_carlo_reading_reads_the_trend_in_horizon_order():
    """Rows given longest horizon first: the advantage (ratio 0.95 at h = 1, 0.90 at h = 12) still grows with
    the horizon, and the parts are stated from h = 1 up."""
    summary = _summary([0.90, 0.95]).set_axis([12, 1])
    text = monte_carlo_reading(summary, {1: 1.0, 12: 1.0})
    assert "The average advantage grows with the horizon." in text
    assert text.index("at h = 1 ") < text.index("at h = 12 ")


def test_outlier_reading_names_scenarios_that_are_not_strings():
    test = pd.DataFrame(
        {"delta_eve": [-20.0, -5.0], "share_of_tier1": [0.20, 0.05], "breach": [True, False]},
        index=[1, 2],
    )
    text = outlier_reading(test, 100.0, 0.15)
    assert "the book is an outlier: 1 scenario(s) (1) cost more than 15% of Tier 1" in text


def test_factor_reading_labels_an_autoencoder_that_did_not_beat_the_mean_curve():
    """With the naive loss known: an autoencoder that does not beat the training mean curve after its first
    epoch is labelled untrained and gets no verdict; one that does has its validation losses quoted."""
    stuck = FitResult([1.0] * 17, [0.9] * 17, best_epoch=12, epochs_run=17, naive_val_loss=0.85)
    text = factor_reading(PCA, replace(AE, fit=stuck))
    assert text.startswith(
        "The autoencoder did not train: its kept validation loss (0.9000, epoch 12)"
    )
    assert "does not beat 0.8500" in text and "not interpreted" in text
    assert "extrapolation" not in text and "reconstructs better" not in text
    assert "on the test curves: autoencoder 0.875 pp, PCA 0.300 pp." in text
    good = FitResult([1.0] * 17, [0.5] * 17, best_epoch=12, epochs_run=17, naive_val_loss=0.85)
    text = factor_reading(PCA, replace(AE, fit=good))
    assert text.startswith(
        "The autoencoder converged (kept epoch 12, early stopping at epoch 17); it beat the training mean "
        "curve on validation (loss 0.5000 against 0.8500). Reconstruction RMSE"
    )
