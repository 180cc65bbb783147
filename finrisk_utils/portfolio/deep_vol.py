"""A recurrent network that forecasts each asset's log volatility over the holding period, pooled over assets,
trained once with early stopping on an embargoed validation block; its forecasts are combined with a shrunk
correlation into a covariance forecast (:func:`finrisk_utils.portfolio.covariance.vol_corr_covariance`).

Features at date ``t`` use returns up to ``t`` only: log root-mean-square returns over the last 1, 5 and 22
periods (a HAR-like summary, Corsi 2009). The target at origin ``t`` is the log root-mean-square return over
``t+1 .. t+horizon``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finrisk_utils.core.validation import as_float_array, check_positive_int
from finrisk_utils.models import (
    FitResult,
    build_recurrent_regressor,
    fit_model,
    has_learned,
    predict_array,
)

__all__ = [
    "VOL_FLOOR",
    "VolNetwork",
    "embargoed_positions",
    "linear_vol_forecast",
    "log_vol_features",
    "log_vol_target",
    "pooled_windows",
    "train_vol_network",
    "validation_log_vol_errors",
    "validation_reading",
]

VOL_FLOOR = 1e-4
"""Floor on mean squared returns (returns' units squared) before the log, so a run of zero returns stays finite."""


def _rms_log(sq: pd.DataFrame, window: int) -> pd.DataFrame:
    return 0.5 * np.log(sq.rolling(window).mean() + VOL_FLOOR)


def log_vol_features(returns: pd.DataFrame, windows: Sequence[int] = (1, 5, 22)) -> pd.DataFrame:
    """Log root-mean-square returns over the last ``w`` periods (up to and including ``t``), per asset.

    Returns
    -------
    DataFrame
        Dates x (asset, window) MultiIndex columns; NaN in the first ``max(windows) - 1`` rows.
    """
    where = "log_vol_features"
    as_float_array(returns, "returns", where=where, ndim=2)
    windows = [check_positive_int(w, "windows", where=where) for w in windows]
    sq = returns.astype(float) ** 2
    parts = {w: _rms_log(sq, w) for w in windows}
    frame = pd.concat(parts, axis=1).swaplevel(axis=1)
    return frame[[(a, w) for a in returns.columns for w in windows]]


def log_vol_target(returns: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """At origin ``t``: log root-mean-square return over ``t+1 .. t+horizon`` per asset (NaN in the last
    ``horizon`` rows)."""
    where = "log_vol_target"
    as_float_array(returns, "returns", where=where, ndim=2)
    horizon = check_positive_int(horizon, "horizon", where=where)
    return _rms_log(returns.astype(float) ** 2, horizon).shift(-horizon)


def embargoed_positions(
    index: pd.DatetimeIndex,
    val_start: pd.Timestamp,
    test_start: pd.Timestamp,
    horizon: int,
    first: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Origin positions of the training and validation blocks.

    Training origins ``first .. v - horizon - 1`` (their targets end before the first validation origin ``v``,
    the first date >= ``val_start``: an embargo of ``horizon`` periods); validation origins ``v .. s - horizon - 1``
    (targets end before the first test date ``s`` >= ``test_start``).
    """
    where = "embargoed_positions"
    horizon = check_positive_int(horizon, "horizon", where=where)
    v = int(index.searchsorted(pd.Timestamp(val_start)))
    s = int(index.searchsorted(pd.Timestamp(test_start)))
    train = np.arange(first, v - horizon)
    val = np.arange(v, s - horizon)
    if train.size < 50 or val.size < 20:
        raise ValueError(
            f"{where}: {train.size} training and {val.size} validation origins; move val_start/test_start"
        )
    return train, val


def pooled_windows(
    features: pd.DataFrame, positions: np.ndarray, window: int, assets: Sequence[str]
) -> np.ndarray:
    """Input windows ``(len(positions) * n_assets, window, n_features)``: for each origin position ``p`` and
    asset (asset fastest), the feature rows ``p - window + 1 .. p`` of that asset."""
    where = "pooled_windows"
    window = check_positive_int(window, "window", where=where)
    positions = np.asarray(positions, dtype=int)
    if positions.size and positions.min() < window - 1:
        raise ValueError(
            f"{where}: position {positions.min()} has fewer than {window} rows of history"
        )
    blocks = np.stack([features[a].to_numpy(dtype=float) for a in assets], axis=1)  # T x A x F
    idx = positions[:, None] - np.arange(window - 1, -1, -1)[None, :]  # n x window
    x = blocks[idx]  # n x window x A x F
    return np.ascontiguousarray(x.transpose(0, 2, 1, 3).reshape(-1, window, blocks.shape[2]))


@dataclass
class VolNetwork:
    """Trained seed networks with the train-only scaling and the validation-based variance calibration.

    ``forecast_log_vol`` returns the seed-ensemble log-volatility forecast; ``variance_scale`` multiplies
    ``exp(2 f)`` so that the mean forecast variance matches the mean realised one on validation (Jensen).
    """

    models: list
    fits: list[FitResult]
    window: int
    assets: list[str]
    mean: np.ndarray
    std: np.ndarray
    y_mean: float
    y_std: float
    variance_scale: float = 1.0

    @property
    def trained_share(self) -> float:
        """Share of seeds that learned (:func:`~finrisk_utils.models.has_learned`: beat the constant training-mean
        predictor on validation with the weights of an epoch after the first)."""
        return sum(has_learned(f) for f in self.fits) / len(self.fits)

    @property
    def trained(self) -> bool:
        """Every seed learned (``trained_share == 1``); otherwise the network is labelled untrained."""
        return self.trained_share == 1.0

    def _predict(self, features: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
        x = (pooled_windows(features, positions, self.window, self.assets) - self.mean) / self.std
        preds = [predict_array(m, x).reshape(-1) for m in self.models]
        return np.stack(preds) * self.y_std + self.y_mean  # seeds x (n * A)

    def forecast_log_vol(
        self, features: pd.DataFrame, positions: np.ndarray, *, per_seed: bool = False
    ) -> np.ndarray:
        """Log-volatility forecasts, shape ``(n_positions, n_assets)`` (per seed: ``(n_seeds, n, A)``)."""
        p = self._predict(features, np.asarray(positions, dtype=int))
        p = p.reshape(len(self.models), -1, len(self.assets))
        return p if per_seed else p.mean(axis=0)

    def forecast_vol(
        self, features: pd.DataFrame, positions: np.ndarray, *, per_seed: bool = False
    ) -> np.ndarray:
        """Volatility forecasts (returns' units), ``sqrt(variance_scale) * exp(f)``, shape ``(n, n_assets)``
        for the seed ensemble (``f`` its mean log volatility), ``(n_seeds, n, n_assets)`` per seed."""
        log_vol = self.forecast_log_vol(features, positions, per_seed=per_seed)
        return np.sqrt(self.variance_scale) * np.exp(log_vol)


def train_vol_network(
    features: pd.DataFrame,
    target: pd.DataFrame,
    train_pos: np.ndarray,
    val_pos: np.ndarray,
    *,
    window: int = 22,
    units: int = 16,
    seeds: Sequence[int] = (0,),
    epochs: int = 50,
    patience: int = 5,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
) -> VolNetwork:
    """Train one LSTM per seed on the pooled training windows, early stopping on the validation block.

    Inputs and target are standardised with training-block statistics only; Adam with ``learning_rate``. The
    variance calibration is the ratio of mean realised to mean forecast variance on validation (seed ensemble).
    """
    import keras

    where = "train_vol_network"
    assets = list(target.columns)
    x_tr = pooled_windows(features, train_pos, window, assets)
    x_va = pooled_windows(features, val_pos, window, assets)
    y_tr = target.to_numpy(dtype=float)[train_pos].reshape(-1)
    y_va = target.to_numpy(dtype=float)[val_pos].reshape(-1)
    for name, arr in (
        ("training inputs", x_tr),
        ("validation inputs", x_va),
        ("training targets", y_tr),
        ("validation targets", y_va),
    ):
        as_float_array(
            arr.reshape(arr.shape[0], -1) if arr.ndim > 1 else arr, name, where=where, ndim=None
        )
    mean, std = x_tr.mean(axis=(0, 1)), x_tr.std(axis=(0, 1))
    y_mean, y_std = float(y_tr.mean()), float(y_tr.std())
    models, fits = [], []
    for seed in seeds:
        keras.utils.set_random_seed(int(seed))
        model = build_recurrent_regressor(
            window, x_tr.shape[2], units=units, cell="lstm", learning_rate=learning_rate
        )
        fit = fit_model(
            model,
            (x_tr - mean) / std,
            (y_tr - y_mean) / y_std,
            (x_va - mean) / std,
            (y_va - y_mean) / y_std,
            epochs=epochs,
            batch_size=batch_size,
            patience=patience,
        )
        models.append(model)
        fits.append(fit)
    net = VolNetwork(models, fits, window, assets, mean, std, y_mean, y_std)
    f_va = net.forecast_log_vol(features, val_pos)
    realised = np.exp(2 * target.to_numpy(dtype=float)[val_pos])
    net.variance_scale = float(realised.mean() / np.exp(2 * f_va).mean())
    return net


def linear_vol_forecast(
    features: pd.DataFrame,
    target: pd.DataFrame,
    train_pos: np.ndarray,
    val_pos: np.ndarray,
    positions: np.ndarray,
) -> tuple[np.ndarray, float]:
    """The network's linear ablation: pooled OLS of the target on the features at the origin (a HAR-type
    regression on the network's inputs at its last step), fitted on the training origins, with the same
    validation calibration of the variance.

    Returns
    -------
    vols : array, shape (len(positions), n_assets)
        Volatility forecasts (returns' units), ``sqrt(scale) * exp(f)``.
    scale : float
        Mean realised over mean forecast variance on the validation origins.
    """
    assets = list(target.columns)

    def design(pos: np.ndarray) -> np.ndarray:
        x = pooled_windows(features, np.asarray(pos, dtype=int), 1, assets)[:, 0, :]
        return np.column_stack([np.ones(len(x)), x])

    y = target.to_numpy(dtype=float)
    y_tr = as_float_array(y[train_pos].reshape(-1), "training targets", where="linear_vol_forecast")
    beta = np.linalg.lstsq(design(train_pos), y_tr, rcond=None)[0]
    f_va = (design(val_pos) @ beta).reshape(-1, len(assets))
    scale = float(np.exp(2 * y[val_pos]).mean() / np.exp(2 * f_va).mean())
    f = (design(positions) @ beta).reshape(-1, len(assets))
    return np.sqrt(scale) * np.exp(f), scale


def validation_log_vol_errors(
    net: VolNetwork,
    features: pd.DataFrame,
    target: pd.DataFrame,
    train_pos: np.ndarray,
    val_pos: np.ndarray,
    *,
    persistence_window: int,
) -> pd.Series:
    """Mean squared error of the log-volatility forecast on the validation origins (pooled over assets, log units
    squared) for the network's seed ensemble, for persistence (the feature ``persistence_window`` at the origin:
    the log root-mean-square return of the last ``persistence_window`` periods, the no-change forecast of
    volatility) and for the constant training mean. The constant is the bar for "trained"; persistence is the bar
    a risk manager would set first for a volatility forecast."""
    where = "validation_log_vol_errors"
    window = check_positive_int(persistence_window, "persistence_window", where=where)
    assets = net.assets
    if any((a, window) not in features.columns for a in assets):
        raise ValueError(
            f"{where}: features have no window {window} column for every asset {assets}"
        )
    y = target[assets].to_numpy(dtype=float)
    y_va = as_float_array(y[val_pos], "validation targets", where=where, ndim=2)
    candidates = {
        "network": net.forecast_log_vol(features, val_pos),
        "persistence": features[[(a, window) for a in assets]].to_numpy(dtype=float)[val_pos],
        "training_mean": np.full_like(y_va, float(np.nanmean(y[train_pos]))),
    }
    return pd.Series(
        {k: float(np.mean((f - y_va) ** 2)) for k, f in candidates.items()}, name="val_mse"
    )


def validation_reading(errors: pd.Series, *, trained: bool, persistence_window: int) -> str:
    """One sentence on the validation errors of :func:`validation_log_vol_errors`: whether the network beats
    persistence (the ``persistence_window``-period log volatility) and the constant training mean."""
    net, pers, const = (float(errors[k]) for k in ("network", "persistence", "training_mean"))
    text = (
        f"On the validation origins the network's mean squared error of log volatility (log units, not the "
        f"standardised scale of the training report) is {net:.4f}, against {pers:.4f} for persistence (the last "
        f"{persistence_window} periods' log volatility) and {const:.4f} for the constant training mean"
    )
    if not trained:
        return text + "; the network is labelled untrained and not interpreted."
    caveat = (
        " These are untested point estimates on the block that also stopped the training and set the variance "
        "calibration, so they lean in the network's favour; the test period below is the out-of-sample check."
    )
    if net < min(pers, const):
        return text + ": lower than both." + caveat
    beaten = [n for n, v in (("the constant", const), ("persistence", pers)) if net < v]
    missed = [n for n in ("the constant", "persistence") if n not in beaten]
    return (
        text
        + f": lower than {' and '.join(beaten) or 'neither'}, not than {' or '.join(missed)} (persistence is "
        "the first bar a risk manager sets for a volatility forecast)." + caveat
    )
