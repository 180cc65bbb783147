"""Deep VaR/ES: from a return series to a trained quantile/ES network and its out-of-sample forecasts.

Two input schemes:

- ``vol_scaling="none"``: the network sees a window of returns and absolute returns divided by the training
  sample's standard deviation and forecasts the scaled return's quantile and ES directly.
- ``vol_scaling="ewma"``: returns are first standardized by the RiskMetrics EWMA volatility forecast (which uses
  only earlier returns); the network sees a window of standardized returns and log volatilities and forecasts
  the quantile/ES of the *standardized* return, which is rescaled by that day's EWMA volatility. The network
  then only has to learn the shape of the tail and how it moves, not the volatility level.

All scaling statistics come from the training period; windows are assigned to periods by their target date.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import keras
import numpy as np
import pandas as pd

from finrisk_utils.core.timeseries import Split, WindowSet, make_windows, split_windows
from finrisk_utils.core.validation import check_datetime_index
from finrisk_utils.forecasting.compare import best_trained
from finrisk_utils.forecasting.metrics import fz0_score
from finrisk_utils.market.riskmeasures import RiskForecast, check_confidence
from finrisk_utils.market.var_models import ewma_volatility
from finrisk_utils.models import predict_array
from finrisk_utils.models.quantile import build_quantile_es_network
from finrisk_utils.models.training import FitResult, fit_epochs, fit_model

__all__ = ["DeepVaRResult", "DeepVaRSpec", "deep_var_forecast", "select_on_validation"]


@dataclass(frozen=True)
class DeepVaRSpec:
    """Architecture and training settings of one deep VaR model."""

    kind: str = "lstm"  # "lstm" or "cnn"
    vol_scaling: str = "ewma"  # "ewma" or "none"
    window: int = 60  # look-back, trading days
    units: int = 32
    dropout: float = 0.0
    learning_rate: float = 1e-3
    epochs: int = 100
    batch_size: int = 128
    patience: int = 10
    refit: bool = (
        True  # after early stopping, refit on train + validation for the chosen epoch count
    )


@dataclass(frozen=True)
class DeepVaRResult:
    """Out-of-sample forecasts, the validation FZ0 loss in return units (comparable across input schemes, so
    usable for model selection), and the training history."""

    forecast: RiskForecast
    spec: DeepVaRSpec
    val_loss: float
    fit: FitResult


def _features(returns: pd.Series, train_end: pd.Timestamp, vol_scaling: str):
    """Feature frame (inputs), target and per-date scale so that ``return = target * scale``."""
    s = float(returns[returns.index < train_end].std())
    if vol_scaling == "none":
        features = pd.DataFrame({"r": returns / s, "abs_r": returns.abs() / s})
        return features, returns / s, pd.Series(s, index=returns.index)
    if vol_scaling == "ewma":
        sigma = ewma_volatility(returns)  # sigma_t uses returns before t only
        r = returns.loc[sigma.index]
        features = pd.DataFrame({"z": r / sigma, "log_vol": np.log(sigma / s)})
        return features, r / sigma, sigma
    raise ValueError(f"vol_scaling must be 'none' or 'ewma', got {vol_scaling!r}")


@dataclass(frozen=True)
class _Validated:
    """A network trained on the training windows and scored on the validation windows, before any refit."""

    model: keras.Model
    split: Split[WindowSet]
    scale: pd.Series
    n_features: int
    alpha: float
    fit: FitResult
    val_fz0: float


def _train_and_validate(
    returns: pd.Series,
    *,
    confidence: float,
    val_start: str | pd.Timestamp,
    test_start: str | pd.Timestamp,
    test_end: str | pd.Timestamp,
    spec: DeepVaRSpec,
) -> _Validated:
    alpha = check_confidence(confidence)
    check_datetime_index(returns, where="deep_var_forecast")
    features, target, scale = _features(returns, pd.Timestamp(val_start), spec.vol_scaling)
    windows = make_windows(features, target.to_numpy(), window=spec.window)
    split = split_windows(
        windows, features.index, val_start=val_start, test_start=test_start, test_end=test_end
    )
    model = _build(spec, features.shape[1], alpha, split.train.y)
    fit = fit_model(
        model,
        split.train.X,
        split.train.y,
        split.val.X,
        split.val.y,
        epochs=spec.epochs,
        batch_size=spec.batch_size,
        patience=spec.patience,
        naive=_naive_quantile_es(
            split, scale, alpha, returns[returns.index < pd.Timestamp(val_start)]
        ),
    )
    val_var, val_es = _predict(model, split.val.X, scale.loc[split.val.dates].to_numpy())
    val_returns = (split.val.y * scale.loc[split.val.dates]).to_numpy()
    val_fz0 = float(fz0_score(val_returns, val_var, val_es, alpha).mean())
    return _Validated(model, split, scale, features.shape[1], alpha, fit, val_fz0)


def _constant_quantile_es(y_train: np.ndarray, alpha: float, n: int) -> np.ndarray:
    """The training targets' empirical ``alpha`` quantile and the mean below it, on every one of ``n`` rows."""
    y = np.asarray(y_train, dtype=float).ravel()
    q = float(np.quantile(y, alpha))
    e = float(y[y <= q].mean())
    return np.tile([q, e], (n, 1))


def _naive_quantile_es(
    split: Split[WindowSet], scale: pd.Series, alpha: float, train_returns: pd.Series
) -> np.ndarray:
    """The naive (q, e) forecast a deep VaR network must beat on validation, in the network's target units
    (``return = target * scale``), shape ``(n_val, 2)``: of two constants, the one with the lower validation FZ0
    in return units. One is the training targets' empirical ``alpha`` quantile and the mean below it (under
    ``ewma`` inputs, a constant multiple of the EWMA volatility: the EWMA filter alone); the other is the same of
    ``train_returns``, every return before the validation period (the unconditional constant VaR and ES a desk
    would compute from the same information, including the start-up year the EWMA filter drops). A network that
    cannot beat the better of the two learned no conditional risk that a constant, or the volatility filter it is
    given, does not already carry. FZ0 in target units differs from FZ0 in return units by the same constant for
    every forecast (the mean log scale), so the choice is the same in either unit."""
    n = len(split.val.y)
    s_val = scale.loc[split.val.dates].to_numpy()
    own = _constant_quantile_es(split.train.y, alpha, n)
    raw = _constant_quantile_es(train_returns.to_numpy(), alpha, n) / s_val[:, None]
    val_returns = np.ravel(split.val.y) * s_val

    def fz0_in_return_units(c: np.ndarray) -> float:
        return float(fz0_score(val_returns, -c[:, 0] * s_val, -c[:, 1] * s_val, alpha).mean())

    return min((own, raw), key=fz0_in_return_units)


def _forecast_test(
    stage: _Validated, spec: DeepVaRSpec, confidence: float, name: str | None
) -> DeepVaRResult:
    """Refit on training + validation windows (if ``spec.refit``) and forecast the test dates."""
    model, split = stage.model, stage.split
    if spec.refit:
        X_all = np.concatenate([split.train.X, split.val.X])
        y_all = np.concatenate([split.train.y, split.val.y])
        model = _build(spec, stage.n_features, stage.alpha, y_all)
        fit_epochs(model, X_all, y_all, epochs=stage.fit.best_epoch, batch_size=spec.batch_size)
    dates = split.test.dates
    var, es = _predict(model, split.test.X, stage.scale.loc[dates].to_numpy())
    forecast = RiskForecast(
        name or f"{spec.kind}_quantile",
        confidence,
        pd.Series(var, index=dates),
        pd.Series(es, index=dates),
    )
    return DeepVaRResult(forecast, spec, stage.val_fz0, stage.fit)


def deep_var_forecast(
    returns: pd.Series,
    *,
    confidence: float,
    val_start: str | pd.Timestamp,
    test_start: str | pd.Timestamp,
    test_end: str | pd.Timestamp,
    spec: DeepVaRSpec,
    name: str | None = None,
) -> DeepVaRResult:
    """Train a quantile/ES network on targets before ``val_start``, stop early on ``[val_start, test_start)``,
    and forecast VaR/ES (positive losses, in the returns' units) for every test date in
    ``[test_start, test_end]``. Windows of features end the day before their target.

    With ``spec.refit`` (default) the network is then refitted from scratch on training and validation
    windows together for the epoch count early stopping chose, so that, like the GARCH baselines, it learns
    from every return before the test period; the validation loss reported is the first fit's."""
    stage = _train_and_validate(
        returns,
        confidence=confidence,
        val_start=val_start,
        test_start=test_start,
        test_end=test_end,
        spec=spec,
    )
    return _forecast_test(stage, spec, confidence, name)


def _build(spec: DeepVaRSpec, n_features: int, alpha: float, y: np.ndarray):
    """A fresh network whose head starts at the unconditional quantile and ES of the targets ``y``."""
    q0 = float(np.quantile(y, alpha))
    e0 = float(y[y <= q0].mean())
    return build_quantile_es_network(
        spec.window,
        n_features,
        alpha=alpha,
        q0=q0,
        e0=e0,
        kind=spec.kind,
        units=spec.units,
        dropout=spec.dropout,
        learning_rate=spec.learning_rate,
    )


def _predict(model, X: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """VaR and ES (positive losses, return units) from the network's scaled (quantile, ES) outputs."""
    pred = predict_array(model, np.ascontiguousarray(X), batch_size=1024)
    return -pred[:, 0] * scale, -pred[:, 1] * scale


def select_on_validation(
    returns: pd.Series,
    candidates: list[DeepVaRSpec],
    *,
    name: str,
    confidence: float,
    **dates: str | pd.Timestamp,
) -> tuple[DeepVaRResult, pd.DataFrame]:
    """Train every candidate, keep the one with the lowest validation FZ0 loss among those that trained (beat
    the naive constant on validation after the first epoch, :attr:`~finrisk_utils.models.training.FitResult.
    trained`; where none did, among all, and the winner is labelled untrained downstream), and refit and forecast
    with the winner only. The test period plays no part. A lower validation FZ0 from a network that did not beat
    its naive forecast (:func:`_naive_quantile_es`), or kept its first epoch's weights, is not a better network.
    Returns the winner and a table
    of all candidates' validation losses and ``trained`` flags. ``dates``: ``val_start``, ``test_start``,
    ``test_end``."""
    if not candidates:
        raise ValueError("no candidate specifications")
    stages = [
        _train_and_validate(returns, confidence=confidence, spec=spec, **dates)
        for spec in candidates
    ]
    table = pd.DataFrame(
        [
            {
                **asdict(spec),
                "val_fz0": st.val_fz0,
                "best_epoch": st.fit.best_epoch,
                "trained": st.fit.trained,
            }
            for spec, st in zip(candidates, stages, strict=True)
        ]
    )
    best = best_trained([st.val_fz0 for st in stages], [st.fit.trained for st in stages])
    return _forecast_test(stages[best], candidates[best], confidence, name), table
