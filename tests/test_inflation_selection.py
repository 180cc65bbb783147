"""Inflation (notebook 06): the network is chosen on validation data only, and the SARIMA coverage reading."""

from __future__ import annotations

import pandas as pd
import pytest

from finrisk_utils.forecasting.direct import DirectForecast
from finrisk_utils.inflation import choose_on_validation, coverage_reading
from finrisk_utils.models.training import FitResult

DATES = pd.DatetimeIndex(["1990-01-01", "1995-01-01"])


def _net(
    first_val: float, naive: float = 1.0, later_val: float = 0.1, dates=DATES
) -> DirectForecast:
    fits = [
        FitResult([1.0, 0.5], [1.0, first_val], 2, 2, naive_val_loss=naive),
        FitResult([1.0, 0.5], [1.0, later_val], 2, 2, naive_val_loss=1.0),
    ]
    return DirectForecast({}, fits, dates, 1, 0.0, None, pd.DataFrame())


def test_choice_uses_the_first_estimation_only():
    # "b" is best at the first estimation; "a" would win on the later (test-period) validation block
    chosen, table = choose_on_validation({"a": _net(0.8, later_val=0.01), "b": _net(0.5)})
    assert chosen == "b"
    assert table["chosen"].tolist() == [0, 1]


def test_untrained_networks_are_not_chosen():
    chosen, table = choose_on_validation({"a": _net(0.5, naive=0.4), "b": _net(0.9)})
    assert chosen == "b" and table.loc["a", "trained"] == 0
    chosen, _ = choose_on_validation({"a": _net(0.5, naive=0.4)})
    assert chosen is None


def test_choice_refuses_networks_on_other_validation_blocks():
    other = pd.DatetimeIndex(["1991-01-01", "1995-01-01"])
    with pytest.raises(ValueError, match="other dates"):
        choose_on_validation({"a": _net(0.5), "b": _net(0.4, dates=other)})
    with pytest.raises(TypeError, match="DirectForecast"):
        choose_on_validation({"a": 1.0})
    with pytest.raises(ValueError, match="non-empty"):
        choose_on_validation({})


def test_coverage_reading_uses_a_binomial_band():
    text = coverage_reading({1: 0.99, 12: 0.8, 3: 0.5}, {1: 300, 12: 300, 3: 300})
    assert "at h = 1: 99.0%" in text and "too wide" in text
    assert "consistent with the nominal level" in text and "too narrow" in text
    with pytest.raises(ValueError, match="lacks horizons"):
        coverage_reading({1: 0.8}, {})
    with pytest.raises(ValueError):
        coverage_reading({1: 0.8}, {1: 10}, nominal=1.5)
