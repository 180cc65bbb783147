"""Evaluation: point forecasts (``forecast``) and VaR/ES backtests (``backtest``); credit and detection
metrics live in ``classification`` and ``detection``."""

from finrisk_utils.evaluation import backtest, forecast
from finrisk_utils.evaluation.backtest import *  # noqa: F403
from finrisk_utils.evaluation.forecast import *  # noqa: F403

__all__ = [*backtest.__all__, *forecast.__all__]
