import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from finrisk_utils.core.plotting import plot_forecasts, plot_series, save_figure
from finrisk_utils.models.plots import plot_training
from finrisk_utils.models.training import FitResult


def test_plots_return_figures_and_use_given_axes(tmp_path):
    idx = pd.bdate_range("2020-01-01", periods=30)
    s = pd.Series(np.arange(30.0), index=idx, name="x")
    fig = plot_series(pd.DataFrame({"a": s, "b": -s}), title="t")
    assert len(fig.axes[0].lines) == 2
    fig2, ax = plt.subplots()
    assert plot_forecasts(s, {"m": s * 0.5}, ax=ax) is fig2
    assert len(ax.lines) == 2
    fig3 = plot_training(FitResult([1.0, 0.5, 0.6], [1.1, 0.7, 0.8], best_epoch=2, epochs_run=3))
    assert len(fig3.axes[0].lines) == 3
    save_figure(fig, tmp_path, "series")
    path = tmp_path / "figures" / "series.png"
    assert path == tmp_path / "figures" / "series.png" and path.stat().st_size > 1000
    plt.close("all")


def test_drawn_models_leaves_out_untrained_networks_and_says_so():
    from finrisk_utils.core import drawn_models

    names = ["hs", "garch_skewt", "lstm_quantile", "cnn_quantile"]
    assert drawn_models(names, {"lstm_quantile": True, "cnn_quantile": True}) == (names, "")
    drawn, note = drawn_models(names, {"lstm_quantile": False, "cnn_quantile": np.bool_(False)})
    assert drawn == ["hs", "garch_skewt"]
    assert note == "; untrained, not drawn: lstm_quantile, cnn_quantile"
    # names the flags lack (the baselines) are drawn; the order is the caller's
    assert drawn_models(["b", "a"], {"a": False}) == (["b"], "; untrained, not drawn: a")
    with pytest.raises(TypeError, match="drawn_models: names must be a list of model names"):
        drawn_models("lstm", {})
    with pytest.raises(TypeError, match="drawn_models: trained flags must be bool, got {'a': 0}"):
        drawn_models(["a"], {"a": 0})
