import numpy as np
import pytest

from finrisk_utils import setup
from finrisk_utils.models.recurrent import build_recurrent_regressor
from finrisk_utils.models.training import fit_model


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_recurrent_regressor_shapes(cell):
    model = build_recurrent_regressor(10, 3, units=4, cell=cell, n_outputs=2, dropout=0.1)
    assert model.input_shape == (None, 10, 3)
    assert model.output_shape == (None, 2)
    assert model.predict(np.zeros((5, 10, 3)), verbose=0).shape == (5, 2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"window": 0}, "window must be a positive int"),
        ({"window": 5, "units": 2.0}, "units must be a positive int, got 2.0 .float."),
        ({"window": 5, "cell": "transformer"}, "cell must be one of"),
        ({"window": 5, "dropout": 1.0}, "dropout must be in"),
    ],
)
def test_recurrent_regressor_bad_arguments(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        build_recurrent_regressor(**kwargs)


def test_fit_learns_a_learnable_signal_and_restores_best_epoch():
    setup(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 5, 1))
    y = X[:, -1, 0] * 0.8 + 0.1 * rng.normal(size=600)  # the target is the last input, scaled
    model = build_recurrent_regressor(5, units=8, learning_rate=1e-2)
    result = fit_model(
        model, X[:500], y[:500], X[500:], y[500:], epochs=30, batch_size=32, patience=5
    )
    assert 1 <= result.best_epoch <= result.epochs_run <= 30
    assert min(result.val_loss) < 0.5 * np.var(y[500:])
    restored = float(model.evaluate(X[500:], y[500:], verbose=0))
    assert restored == pytest.approx(min(result.val_loss), rel=1e-4)


def test_fit_needs_validation_data():
    model = build_recurrent_regressor(3, units=2)
    with pytest.raises(ValueError, match="non-empty validation"):
        fit_model(model, np.zeros((4, 3, 1)), np.zeros(4), np.zeros((0, 3, 1)), np.zeros(0))
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit_model(
            model, np.zeros((4, 3, 1)), np.zeros(4), np.zeros((2, 3, 1)), np.zeros(2), epochs=0
        )


def test_fit_reports_divergence():
    model = build_recurrent_regressor(3, units=2)
    X = np.full((8, 3, 1), np.nan)
    with pytest.raises(FloatingPointError, match="diverged"):
        fit_model(model, X, np.zeros(8), X[:2], np.zeros(2), epochs=2)
