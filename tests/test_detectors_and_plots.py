"""Fraud detectors learn from what their docstring says and score in the documented direction; every public
plotting function draws what it claims (lines, collections, patches, labels, titles, legend entries)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from finrisk_utils import setup
from finrisk_utils.core.plotting import (
    plot_forecasts,
    plot_series,
    save_figure,
    shade_periods,
)
from finrisk_utils.credit.plots import (
    plot_calibration,
    plot_roc,
    plot_score_distributions,
)
from finrisk_utils.fraud import detectors
from finrisk_utils.fraud.plots import plot_pr_curves
from finrisk_utils.fraud.simulator import make_transactions
from finrisk_utils.market.backtest import exceptions_of
from finrisk_utils.market.plots import plot_exception_timeline, plot_var_backtest
from finrisk_utils.market.riskmeasures import RiskForecast
from finrisk_utils.models.plots import plot_training, plot_training_panels
from finrisk_utils.models.training import FitResult

# ------------------------------------------------------------------------------------------- detectors

UNSUPERVISED = ("autoencoder", "autoencoder_denoising", "iforest", "lof")


@pytest.fixture(scope="module")
def fitted():
    """Detectors fitted on a small simulated book, with spies recording what each one was trained on."""
    df = make_transactions(n_customers=250, n_days=40, fraud_rate=0.01, seed=3)
    parts = detectors.split_by_time(df)
    seen: dict[str, dict] = {}
    mp = pytest.MonkeyPatch()
    real_fit_model = detectors.fit_model

    def spy_fit_model(model, X_train, y_train, X_val, y_val, **kw):
        seen.setdefault("autoencoders", []).append(
            {"X": np.array(X_train), "X_val": np.array(X_val)}
        )
        return real_fit_model(model, X_train, y_train, X_val, y_val, **kw)

    class SpyForest(detectors.IsolationForest):
        def fit(self, X, y=None, sample_weight=None):
            seen["iforest"] = {"X": np.array(X)}
            return super().fit(X, y, sample_weight)

    class SpyLOF(detectors.LocalOutlierFactor):
        def fit(self, X, y=None):
            seen["lof"] = {"X": np.array(X)}
            return super().fit(X, y)

    class SpyGBM(detectors.HistGradientBoostingClassifier):
        def fit(self, X, y, sample_weight=None):
            seen["gbm"] = {
                "X": np.array(X),
                "y": np.array(y),
                "sample_weight": sample_weight,
                "class_weight": self.class_weight,
            }
            return super().fit(X, y, sample_weight)

    mp.setattr(detectors, "fit_model", spy_fit_model)
    mp.setattr(detectors, "IsolationForest", SpyForest)
    mp.setattr(detectors, "LocalOutlierFactor", SpyLOF)
    mp.setattr(detectors, "HistGradientBoostingClassifier", SpyGBM)
    try:
        setup(0)
        scorers, histories = detectors.fit_detectors(
            parts.train, parts.val, seed=0, epochs=3, hidden=(8,), bottleneck=3
        )
    finally:
        mp.undo()
    # features are fitted on what the unsupervised detectors learn from: here (contamination 0) the normal rows
    features = detectors.transaction_features().fit(parts.train[parts.train["is_fraud"] == 0])
    return parts, scorers, histories, seen, features


def _encode(features, frame):
    return features.transform(frame).astype("float32")


def test_unsupervised_detectors_train_on_normal_transactions_only(fitted):
    parts, _, histories, seen, features = fitted
    train, val = parts.train, parts.val
    assert train["is_fraud"].sum() > 0  # there were frauds to leave out
    normal_train = _encode(features, train[train["is_fraud"] == 0])
    all_val = _encode(features, val)  # early stopping on every validation row, unlabelled
    assert len(seen["autoencoders"]) == 2 and set(histories) == {
        "autoencoder",
        "autoencoder_denoising",
    }
    for call in seen["autoencoders"]:
        np.testing.assert_array_equal(call["X"], normal_train)
        np.testing.assert_array_equal(call["X_val"], all_val)
    np.testing.assert_array_equal(seen["iforest"]["X"], normal_train)
    # LOF fits a subsample (lof_max_rows = 5000) of the normal training rows, without repeats
    lof_x = seen["lof"]["X"]
    assert len(lof_x) == min(5000, len(normal_train))
    rows = {r.tobytes() for r in normal_train}
    assert all(r.tobytes() in rows for r in lof_x)
    assert len({r.tobytes() for r in lof_x}) == len(lof_x) or len(rows) < len(normal_train)


def test_supervised_gbm_trains_on_every_training_row_and_its_label(fitted):
    parts, _, _, seen, features = fitted
    np.testing.assert_array_equal(seen["gbm"]["X"], _encode(features, parts.train))
    np.testing.assert_array_equal(seen["gbm"]["y"], parts.train["is_fraud"].to_numpy())


def test_supervised_gbm_is_fitted_unweighted_as_documented(fitted):
    """fit_detectors documents the supervised reference as learning from every training row and its label, with
    no class weighting (it is scored by ranking: PR-AUC and recall at the alert budget)."""
    _, _, _, seen, _ = fitted
    assert seen["gbm"]["sample_weight"] is None and seen["gbm"]["class_weight"] is None


def _planted_outliers(normal: pd.DataFrame) -> pd.DataFrame:
    out = normal.copy()
    out["amount"] = out["amount"] * 300
    out["amount_ratio"] = out["amount_ratio"] * 300
    out["count_24h"] = out["count_24h"] + 40
    out["new_category"] = 1
    out["new_country"] = 1
    out["country"] = "far"
    out["hour"] = 3
    return out


@pytest.mark.parametrize("name", UNSUPERVISED)
def test_planted_outliers_score_higher_than_inliers(fitted, name):
    parts, scorers, _, _, _ = fitted
    inliers = parts.test[parts.test["is_fraud"] == 0].iloc[:200]
    outliers = _planted_outliers(inliers.iloc[:50])
    s_in, s_out = scorers[name](inliers), scorers[name](outliers)
    assert s_in.shape == (len(inliers),) and np.isfinite(s_in).all()
    labels = np.r_[np.zeros(len(s_in)), np.ones(len(s_out))]
    auc = roc_auc_score(labels, np.r_[s_in, s_out])
    assert auc > 0.95, (
        f"{name}: planted outliers do not score higher (AUC {auc:.2f}; higher = suspicious)"
    )


def test_supervised_score_is_a_fraud_probability(fitted):
    parts, scorers, _, _, _ = fitted
    s = scorers["supervised_gbm"](parts.train)
    assert ((s >= 0) & (s <= 1)).all()
    assert (
        roc_auc_score(parts.train["is_fraud"], s) > 0.9
    )  # in sample, frauds get the higher scores


# ---------------------------------------------------------------------------------------------- plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _legend_texts(ax):
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend is not None else []


DATES = pd.date_range("2020-01-01", periods=30, freq="D")


def test_plot_series_one_line_per_column():
    frame = pd.DataFrame(np.arange(90.0).reshape(30, 3), index=DATES, columns=["a", "b", "c"])
    fig = plot_series(frame, title="T", ylabel="Y")
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and _legend_texts(ax) == ["a", "b", "c"]
    assert ax.get_title() == "T" and ax.get_ylabel() == "Y"
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), frame["b"].to_numpy())
    fig1 = plot_series(frame["a"], title="one")
    assert len(fig1.axes[0].lines) == 1 and fig1.axes[0].get_legend() is None


def test_plot_forecasts_actual_plus_each_model_on_a_given_axes():
    actual = pd.Series(np.sin(np.arange(30.0)), index=DATES)
    forecasts = {"m1": actual.iloc[10:] + 0.1, "m2": actual.iloc[10:] - 0.1}
    fig, ax = plt.subplots()
    assert plot_forecasts(actual, forecasts, title="F", ylabel="u", ax=ax) is fig
    assert len(ax.lines) == 3 and _legend_texts(ax) == ["actual", "m1", "m2"]
    assert len(ax.lines[1].get_xdata()) == 20
    np.testing.assert_allclose(ax.lines[2].get_ydata(), forecasts["m2"].to_numpy())
    assert ax.get_title() == "F" and ax.get_ylabel() == "u"


def test_shade_periods_one_span_per_row_labelled_once():
    fig, ax = plt.subplots()
    ax.plot(DATES, np.arange(30.0))
    periods = pd.DataFrame(
        {"start": [DATES[2], DATES[10], DATES[20]], "end": [DATES[5], DATES[12], DATES[25]]}
    )
    shade_periods(ax, periods, label="recession")
    assert len(ax.patches) == 3
    ax.legend()
    assert _legend_texts(ax).count("recession") == 1


def test_save_figure_writes_a_png(tmp_path):
    fig = plot_series(pd.Series(np.arange(30.0), index=DATES))
    save_figure(fig, tmp_path, "demo")
    path = tmp_path / "figures" / "demo.png"
    assert path == tmp_path / "figures" / "demo.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000


def _forecasts_and_returns():
    rng = np.random.default_rng(0)
    days = pd.bdate_range("2021-01-04", periods=120)
    returns = pd.Series(rng.standard_normal(120) * 1.5, index=days)
    fcs = [
        RiskForecast("tight", 0.99, pd.Series(1.0, index=days), pd.Series(1.2, index=days)),
        RiskForecast("wide", 0.99, pd.Series(2.5, index=days), pd.Series(3.0, index=days)),
    ]
    return returns, fcs


def test_plot_var_backtest_marks_each_models_exceptions():
    returns, fcs = _forecasts_and_returns()
    fig = plot_var_backtest(returns, fcs, title="VaR")
    ax = fig.axes[0]
    assert len(ax.lines) == 3  # returns and one -VaR line per model
    np.testing.assert_allclose(ax.lines[1].get_ydata(), -fcs[0].var.to_numpy())
    counts = [int(exceptions_of(returns, fc).sum()) for fc in fcs]
    assert _legend_texts(ax) == [
        "return (%)",
        f"tight: -VaR, exceptions ({counts[0]})",
        f"wide: -VaR, exceptions ({counts[1]})",
    ]
    assert ax.get_xlabel() == "date" and ax.get_ylabel() == "daily return (%)"
    assert len(ax.collections) == 2
    for coll, fc in zip(ax.collections, fcs, strict=True):
        n_exc = int(exceptions_of(returns, fc).sum())
        assert len(coll.get_offsets()) == n_exc
        np.testing.assert_allclose(
            np.sort(coll.get_offsets()[:, 1]), np.sort(returns[returns < -fc.var].to_numpy())
        )
    assert int(exceptions_of(returns, fcs[0]).sum()) > int(exceptions_of(returns, fcs[1]).sum()) > 0
    assert ax.get_title() == "VaR"


def test_plot_exception_timeline_one_row_per_model_with_counts():
    returns, fcs = _forecasts_and_returns()
    fig = plot_exception_timeline(returns, fcs, title="exceptions")
    ax = fig.axes[0]
    counts = [int(exceptions_of(returns, fc).sum()) for fc in fcs]
    assert [len(c.get_offsets()) for c in ax.collections] == counts
    assert ax.get_xlabel().startswith("date")
    for i, coll in enumerate(ax.collections):
        assert (coll.get_offsets()[:, 1] == i).all()
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        f"{fc.name} ({c})" for fc, c in zip(fcs, counts, strict=True)
    ]
    assert ax.get_title() == "exceptions"


def _credit_scores():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    good = np.clip(0.3 + 0.4 * y + rng.normal(0, 0.15, 300), 0.001, 0.999)
    noise = rng.uniform(0, 1, 300)
    return y, {"good": good, "noise": noise}


def test_plot_roc_curve_per_model_with_auc_in_legend():
    y, scores = _credit_scores()
    fig = plot_roc(y, scores)
    ax = fig.axes[0]
    assert len(ax.lines) == 3  # two curves and the diagonal
    assert _legend_texts(ax) == [
        f"{name} (AUC {roc_auc_score(y, p):.3f})" for name, p in scores.items()
    ]
    assert ax.lines[0].get_xdata()[0] == 0 and ax.lines[0].get_ydata()[-1] == 1
    assert ax.get_title() == "ROC" and "false positive" in ax.get_xlabel()


def test_plot_calibration_one_point_per_bin():
    y, scores = _credit_scores()
    fig = plot_calibration(y, scores, n_bins=8)
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and _legend_texts(ax) == ["good", "noise"]
    assert len(ax.lines[0].get_xdata()) == 8
    assert ax.get_title() == "Calibration" and ax.get_ylabel() == "observed default rate"


def test_plot_score_distributions_two_histograms():
    y, scores = _credit_scores()
    fig = plot_score_distributions(y, scores["good"], title="PDs")
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * 25  # 25 bins for goods and for bads
    assert _legend_texts(ax) == ["good", "bad"] and ax.get_title() == "PDs"
    heights = np.array([p.get_height() for p in ax.patches])
    width = ax.patches[0].get_width()
    assert (heights[:25] * width).sum() == pytest.approx(1.0)  # density histograms
    assert (heights[25:] * width).sum() == pytest.approx(1.0)


def test_plot_pr_curves_with_prevalence_floor():
    y, scores = _credit_scores()
    fig = plot_pr_curves(y, scores)
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    assert _legend_texts(ax) == [
        f"{name} (PR-AUC {average_precision_score(y, s):.3f})" for name, s in scores.items()
    ] + ["random (prevalence)"]
    assert ax.lines[2].get_ydata()[0] == pytest.approx(y.mean())
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "recall"


def test_plot_training_marks_the_kept_epoch():
    result = FitResult(
        loss=[3.0, 2.0, 1.5, 1.4], val_loss=[3.1, 2.2, 2.0, 2.1], best_epoch=3, epochs_run=4
    )
    fig = plot_training(result, title="fit")
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), result.val_loss)
    assert ax.lines[2].get_xdata()[0] == 3
    assert _legend_texts(ax) == ["train", "validation", "kept: epoch 3"]
    assert ax.get_title() == "fit" and ax.get_xlabel() == "epoch"
    plt.close(fig)
    # with a naive validation loss (the bar of the trained check), a single curve draws it too
    naive = FitResult(result.loss, result.val_loss, 3, 4, naive_val_loss=2.05)
    ax = plot_training(naive, naive_label="constant").axes[0]
    assert _legend_texts(ax) == ["train", "validation", "kept: epoch 3", "constant"]
    assert ax.lines[-1].get_ydata()[0] == pytest.approx(2.05)


def test_plot_training_panels_wraps_rows_and_draws_the_naive_bar():
    with_naive = FitResult(
        loss=[3.0, 2.0], val_loss=[3.1, 2.2], best_epoch=2, epochs_run=2, naive_val_loss=2.5
    )
    without = FitResult(loss=[1.0, 0.9, 0.8], val_loss=[1.1, 1.0, 1.2], best_epoch=2, epochs_run=3)
    fits = {"a": with_naive, "b": without, "c": with_naive}
    fig = plot_training_panels(fits, ncols=2, ylabel="MSE (scaled)", naive_label="constant")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 4 and [ax.get_title() for ax in visible] == ["a", "b", "c"]
    assert _legend_texts(visible[0]) == ["train", "validation", "kept: epoch 2", "constant"]
    assert visible[0].lines[-1].get_ydata()[0] == pytest.approx(2.5)
    assert "constant" not in _legend_texts(visible[1])  # no naive loss, no bar
    assert all(ax.get_ylabel() == "MSE (scaled)" for ax in visible)
    plt.close(fig)
    with pytest.raises(ValueError, match="plot_training_panels: need a non-empty"):
        plot_training_panels({})
    with pytest.raises(TypeError, match=r"plot_training_panels: \['x'\] must be a FitResult"):
        plot_training_panels({"x": 1.0})
    with pytest.raises(ValueError, match="ncols must be a positive int"):
        plot_training_panels(fits, ncols=0)
    bad = FitResult(loss=[1.0, np.nan], val_loss=[1.0, 1.0], best_epoch=1, epochs_run=2)
    with pytest.raises(ValueError, match=r"\['x'\] has non-finite losses"):
        plot_training_panels({"x": bad})
