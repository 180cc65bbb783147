"""Package functions added for the worked solutions (solutions/*.ipynb): the name-subset validator, a subset of
fraud detectors, and HAR with another set of averaging windows."""

import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.validation import check_subset
from finrisk_utils.fraud import DETECTORS, fit_detectors, make_transactions, split_by_time
from finrisk_utils.fraud.detectors import rule_engine_score
from finrisk_utils.market.volatility import HAR_WINDOWS, har_features, har_forecast

# ------------------------------------------------------------------------------------------- check_subset


def test_check_subset_accepts_known_names_in_order():
    assert check_subset(("b", "a"), ["a", "b", "c"], "names", where="f") == ["b", "a"]


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        ("a", TypeError, r"f: names must be a list of names"),
        (None, TypeError, r"f: names must be a list of names"),
        (["a", "zz"], ValueError, r"f: names must be a non-empty subset.*unknown: \['zz'\]"),
        ([], ValueError, r"f: names must be a non-empty subset"),
    ],
)
def test_check_subset_rejects_bad_names(values, error, match):
    with pytest.raises(error, match=match):
        check_subset(values, ["a", "b"], "names", where="f")


# ------------------------------------------------------------------------------------------- detectors subset


@pytest.fixture(scope="module")
def parts():
    return split_by_time(make_transactions(n_customers=150, n_days=30, fraud_rate=0.01, seed=5))


def test_fit_detectors_fits_only_the_named_subset(parts):
    scorers, histories = fit_detectors(
        parts.train, parts.val, seed=0, epochs=1, detectors=["rule_engine", "iforest"]
    )
    assert list(scorers) == ["iforest", "rule_engine"]  # DETECTORS' order, whatever the request's
    assert histories == {}  # no autoencoder was asked for, none was fitted
    np.testing.assert_allclose(scorers["rule_engine"](parts.test), rule_engine_score(parts.test))
    score = scorers["iforest"](parts.test)
    assert score.shape == (len(parts.test),) and np.isfinite(score).all()


def test_fit_detectors_subset_with_an_autoencoder_records_its_history(parts):
    scorers, histories = fit_detectors(
        parts.train,
        parts.val,
        seed=0,
        epochs=2,
        hidden=(4,),
        bottleneck=2,
        detectors=["autoencoder"],
    )
    assert list(scorers) == ["autoencoder"] and list(histories) == ["autoencoder"]
    assert histories["autoencoder"].epochs_run <= 2
    assert (scorers["autoencoder"](parts.test) >= 0).all()  # a reconstruction error


@pytest.mark.parametrize(
    ("detectors", "error"), [("lof", TypeError), (["lof", "svm"], ValueError), ([], ValueError)]
)
def test_fit_detectors_refuses_unknown_or_empty_subsets(parts, detectors, error):
    with pytest.raises(error, match="fit_detectors: detectors"):
        fit_detectors(parts.train, parts.val, seed=0, epochs=1, detectors=detectors)


def test_every_detector_name_is_known():
    assert set(DETECTORS) == {
        "autoencoder",
        "autoencoder_denoising",
        "iforest",
        "lof",
        "rule_engine",
        "supervised_gbm",
    }


# ------------------------------------------------------------------------------------------- HAR windows


@pytest.fixture(scope="module")
def log_vol():
    rng = np.random.default_rng(0)
    x = np.zeros(600)
    for t in range(1, 600):
        x[t] = 0.95 * x[t - 1] + 0.2 * rng.standard_normal()
    return pd.Series(x - 1.5, index=pd.bdate_range("2010-01-01", periods=600), name="log_vol")


def test_har_forecast_default_windows_unchanged(log_vol):
    pd.testing.assert_series_equal(
        har_forecast(log_vol, log_vol.index[400]),
        har_forecast(log_vol, log_vol.index[400], windows=HAR_WINDOWS),
    )


def test_har_forecast_with_other_windows_is_the_ols_on_those_averages(log_vol):
    windows, h, train_end = (1, 5, 22, 66), 5, log_vol.index[400]
    fc = har_forecast(log_vol, train_end, h, windows=windows)
    feats = har_features(log_vol, windows)
    target = log_vol.shift(-h).loc[feats.index]
    target_dates = pd.Series(log_vol.index, index=log_vol.index).shift(-h).loc[feats.index]
    train = (target_dates < train_end).to_numpy() & target.notna().to_numpy()
    X = np.column_stack([np.ones(len(feats)), feats.to_numpy()])
    beta = np.linalg.lstsq(X[train], target.to_numpy()[train], rcond=None)[0]
    first_test = int(np.argmax(~train))
    assert fc.index[0] == target_dates.iloc[first_test]
    assert fc.iloc[0] == pytest.approx(X[first_test] @ beta)
    # no look-ahead: changing values after the training targets moves no coefficient, only later features
    later = log_vol.copy()
    later.iloc[-50:] += 3.0
    fc_later = har_forecast(later, train_end, h, windows=windows)
    assert fc_later.iloc[0] == pytest.approx(fc.iloc[0])


def test_har_forecast_refuses_bad_windows(log_vol):
    with pytest.raises(ValueError, match="har_features: each of windows must be a positive int"):
        har_forecast(log_vol, log_vol.index[400], windows=(1, 0))
