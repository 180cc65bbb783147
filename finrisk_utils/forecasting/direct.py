"""Direct multi-horizon forecasts with a neural network, re-estimated at rolling origins.

One network maps a window of past observations to the changes of every target at every horizon at once
(``len(horizons) * n_targets`` outputs): ``y_{o+h} - y_o`` for origin ``o``. Forecasting *changes* makes "no
change" (the random walk) the network's starting point, so it has to earn every departure from it.

At each re-estimation date ``r`` the network is trained afresh on the origins whose targets at all horizons
are observed by ``r`` (the newest ``val_size`` of them only stop training early, and the ``max(horizons) - 1``
origins before those are left out, an embargo so that no training target falls inside the validation block),
with feature and target scalers fitted on the training origins only; it then forecasts from the origins up to
the next re-estimation. Each fit reports whether it trained: beat a constant (the training mean change) on
validation with weights kept after the first epoch (:attr:`~finrisk_utils.models.training.FitResult.trained`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from finrisk_utils.core.validation import (
    DataValidationError,
    check_datetime_index,
    check_positive_int,
)
from finrisk_utils.models import predict_array
from finrisk_utils.models.autoencoder import build_autoencoder, build_code_regressor
from finrisk_utils.models.convolutional import build_conv_regressor
from finrisk_utils.models.dense import build_dense_regressor
from finrisk_utils.models.recurrent import build_recurrent_regressor
from finrisk_utils.models.training import FitResult, fit_model

__all__ = ["DirectForecast", "DirectNetSpec", "direct_deep_forecast"]

KINDS = ("rnn", "lstm", "gru", "cnn", "dense", "ae_dense")


@dataclass(frozen=True)
class DirectNetSpec:
    """Network and training settings. ``kind``: ``"rnn"``, ``"lstm"``, ``"gru"`` (one recurrent layer of
    ``units``), ``"cnn"`` (causal dilated convolutions, ``units`` filters), ``"dense"`` (MLP on the flattened
    window, ``units`` wide) or ``"ae_dense"`` (an autoencoder with a ``code_size`` code is fitted to the
    training windows first, then a small MLP forecasts from its frozen code); ``window``: past observations per
    sample; ``refit_every``: origins between re-estimations (0: estimate once, before the first origin)."""

    kind: str = "lstm"
    window: int = 12
    units: int = 16
    epochs: int = 200
    patience: int = 20
    batch_size: int = 32
    val_size: int = 36
    refit_every: int = 0
    learning_rate: float = 1e-3
    dropout: float = 0.0
    code_size: int = 3

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        for name in ("window", "units", "epochs", "patience", "batch_size", "val_size"):
            check_positive_int(getattr(self, name), name, where="DirectNetSpec")
        if (
            isinstance(self.refit_every, bool)
            or not isinstance(self.refit_every, int)
            or self.refit_every < 0
        ):
            raise ValueError(f"refit_every must be a non-negative int, got {self.refit_every!r}")

    def build(self, n_features: int, n_outputs: int) -> keras.Model:
        """A fresh, compiled network for inputs ``(batch, window, n_features)`` (not ``"ae_dense"``, which
        needs data to pretrain: see :meth:`train`)."""
        common: dict[str, Any] = {
            "dropout": self.dropout,
            "n_outputs": n_outputs,
            "learning_rate": self.learning_rate,
        }
        if self.kind == "cnn":
            return build_conv_regressor(self.window, n_features, filters=self.units, **common)
        if self.kind == "dense":
            return build_dense_regressor(
                self.window, n_features, hidden=(self.units, self.units), **common
            )
        if self.kind == "ae_dense":
            raise ValueError(
                "ae_dense networks are built by DirectNetSpec.train (they need pretraining)"
            )
        return build_recurrent_regressor(
            self.window, n_features, units=self.units, cell=self.kind, **common
        )

    def train(
        self, x_fit: np.ndarray, y_fit: np.ndarray, x_val: np.ndarray, y_val: np.ndarray
    ) -> tuple[keras.Model, FitResult]:
        """Build and fit with early stopping on ``(x_val, y_val)``; ``x``: ``(n, window, n_features)``, ``y``:
        ``(n, n_outputs)``."""
        n_features, n_outputs = x_fit.shape[2], y_fit.shape[1]
        kw: dict[str, Any] = {
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "patience": self.patience,
        }
        if self.kind != "ae_dense":
            model = self.build(n_features, n_outputs)
            return model, fit_model(model, x_fit, y_fit, x_val, y_val, **kw)
        flat_fit, flat_val = x_fit.reshape(len(x_fit), -1), x_val.reshape(len(x_val), -1)
        ae = build_autoencoder(
            flat_fit.shape[1],
            hidden=(self.units,),
            bottleneck=self.code_size,
            activation="tanh",
            code_activation=None,
            learning_rate=self.learning_rate,
        )
        fit_model(ae, flat_fit, flat_fit, flat_val, flat_val, **kw)
        model = build_code_regressor(
            ae,
            self.window,
            n_features,
            hidden=(self.units,),
            n_outputs=n_outputs,
            learning_rate=self.learning_rate,
        )
        return model, fit_model(model, x_fit, y_fit, x_val, y_val, **kw)


@dataclass(frozen=True)
class DirectForecast:
    """``forecasts[h]``: target dates x target columns (levels, not changes); ``fits``: one training history per
    re-estimation, made at ``refit_dates``; ``n_params``: weights of one network (trainable or not: the frozen
    encoder of ``ae_dense`` counts); ``train_seconds``: wall time of all training; ``model``: the last network
    fitted, and ``scaled_inputs``: the features scaled as that network sees them (dates x features), e.g. to
    inspect what it does."""

    forecasts: dict[int, pd.DataFrame]
    fits: list[FitResult]
    refit_dates: pd.DatetimeIndex
    n_params: int
    train_seconds: float
    model: keras.Model
    scaled_inputs: pd.DataFrame

    def training_table(self) -> pd.DataFrame:
        """One row per re-estimation (indexed by its date): kept epoch, epochs run, kept and naive validation
        loss (scaled changes) and ``trained`` (0/1: beat the constant on validation after the first epoch, see
        :attr:`~finrisk_utils.models.training.FitResult.trained`)."""
        rows = [f.summary() for f in self.fits]
        return pd.DataFrame(rows, index=pd.DatetimeIndex(self.refit_dates, name="refit_date"))

    @property
    def trained_share(self) -> float:
        """Share of re-estimations whose network trained (0 to 1; unknown counts as not trained)."""
        return float(np.mean([bool(f.trained) for f in self.fits])) if self.fits else float("nan")

    def training_text(self, name: str) -> str:
        """One sentence on how many re-estimations trained, their kept epochs and which did not train."""
        t = self.training_table()
        ok = t["trained"].fillna(0).astype(bool)
        text = (
            f"{name} trained in {int(ok.sum())} of {len(t)} re-estimations "
            f"(kept epochs {', '.join(str(e) for e in t['best_epoch'])})"
        )
        if ok.all():
            return text + "."
        bad = ", ".join(f"{d:%Y-%m}" for d in t.index[~ok])
        return text + (
            f"; the re-estimation(s) of {bad} did not beat a constant on validation with weights kept after "
            "the first epoch (untrained)."
        )

    def input_windows(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """The scaled input windows ``(n, window, n_features)`` that :attr:`model` sees at origins ``dates``."""
        w = self.model.input_shape[1]
        pos = self.scaled_inputs.index.get_indexer(dates)
        if (pos < w - 1).any():
            raise ValueError(f"every date must be in the data with at least {w - 1} earlier rows")
        z = self.scaled_inputs.to_numpy()
        return np.stack([z[p - w + 1 : p + 1] for p in pos])


def _check_inputs(
    features: pd.DataFrame,
    targets: pd.DataFrame,
    origins: pd.DatetimeIndex,
    horizons: Sequence[int],
) -> tuple[np.ndarray, tuple[int, ...]]:
    for name, frame in (("features", features), ("targets", targets)):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{name} must be a DataFrame, got {type(frame).__name__}")
        check_datetime_index(frame, where=f"direct_deep_forecast {name}")
        bad = frame.columns[frame.isna().any()].tolist()
        if bad:
            raise DataValidationError(f"direct_deep_forecast: {name} columns {bad} contain NaN")
    if not features.index.equals(targets.index):
        raise ValueError("features and targets must share the same dates")
    hs = tuple(check_positive_int(h, "horizon", where="direct_deep_forecast") for h in horizons)
    if not hs or len(set(hs)) != len(hs):
        raise ValueError(f"horizons must be distinct positive ints, got {horizons!r}")
    if not isinstance(origins, pd.DatetimeIndex) or len(origins) == 0:
        raise ValueError("origins must be a non-empty DatetimeIndex")
    pos = features.index.get_indexer(origins)
    if (pos < 0).any():
        raise ValueError("every origin must be a date of the data")
    if (np.diff(pos) <= 0).any():
        raise ValueError("origins must increase")
    return pos, hs


def direct_deep_forecast(
    features: pd.DataFrame,
    targets: pd.DataFrame,
    origins: pd.DatetimeIndex,
    horizons: Sequence[int],
    spec: DirectNetSpec,
) -> DirectForecast:
    """Forecast ``targets`` at each origin for every horizon from windows of ``features`` (see module doc).

    ``features`` and ``targets``: same dates (regular steps, e.g. months), no NaN; targets are usually among
    the features. Forecasts are returned for the origins whose target date is in the data.
    """
    pos, hs = _check_inputs(features, targets, origins, horizons)
    x_all = features.to_numpy(dtype=float)
    y_all = targets.to_numpy(dtype=float)
    n, k, w, h_max = len(x_all), y_all.shape[1], spec.window, max(hs)
    # changes[o] = [y[o + h] - y[o] for h in hs], NaN where o + h is beyond the data
    changes = np.full((n, len(hs), k), np.nan)
    for j, h in enumerate(hs):
        changes[: n - h, j] = y_all[h:] - y_all[:-h]
    block = spec.refit_every or len(pos)
    preds = np.empty((len(pos), len(hs), k))
    fits, refit_dates, n_params, train_seconds = [], [], 0, 0.0
    for start in range(0, len(pos), block):
        r = pos[start]
        train_origins = np.arange(w - 1, r - h_max + 1)
        gap = (
            h_max - 1
        )  # embargo: the last training target is dated no later than the first validation origin
        if len(train_origins) < spec.val_size + gap + 2 * spec.batch_size:
            raise DataValidationError(
                f"direct_deep_forecast: only {len(train_origins)} complete training samples before "
                f"{features.index[r].date()}; need more than val_size + (max horizon - 1) + 2 * batch_size "
                f"= {spec.val_size + gap + 2 * spec.batch_size}"
            )
        fit_o = train_origins[: len(train_origins) - spec.val_size - gap]
        val_o = train_origins[-spec.val_size :]
        x_mean = x_all[: fit_o[-1] + 1].mean(axis=0)
        x_sd = x_all[: fit_o[-1] + 1].std(axis=0)
        x_sd[x_sd == 0] = 1.0
        windows = sliding_window_view((x_all - x_mean) / x_sd, w, axis=0).transpose(0, 2, 1)
        y_mean, y_sd = changes[fit_o].mean(axis=0), changes[fit_o].std(axis=0)
        y_sd[y_sd == 0] = 1.0

        x_fit, x_val = windows[fit_o - w + 1], windows[val_o - w + 1]
        y_fit = ((changes[fit_o] - y_mean) / y_sd).reshape(len(fit_o), -1)
        y_val = ((changes[val_o] - y_mean) / y_sd).reshape(len(val_o), -1)
        tic = time.perf_counter()
        model, fit = spec.train(x_fit, y_fit, x_val, y_val)
        train_seconds += time.perf_counter() - tic
        fits.append(fit)
        refit_dates.append(features.index[r])
        n_params = int(sum(np.prod(v.shape) for v in model.weights))
        stop = min(start + block, len(pos))
        if (pos[start:stop] < w - 1).any():
            raise DataValidationError(
                "direct_deep_forecast: an origin has fewer than window observations"
            )
        out = predict_array(
            model, np.ascontiguousarray(windows[pos[start:stop] - w + 1]), batch_size=32
        )
        preds[start:stop] = (
            out.reshape(-1, len(hs), k) * y_sd + y_mean + y_all[pos[start:stop], None, :]
        )
    forecasts = {}
    for j, h in enumerate(hs):
        keep = pos + h < n
        forecasts[h] = pd.DataFrame(
            preds[keep, j], index=features.index[pos[keep] + h], columns=targets.columns
        )
    scaled_inputs = pd.DataFrame(
        (x_all - x_mean) / x_sd, index=features.index, columns=features.columns
    )
    return DirectForecast(
        forecasts,
        fits,
        pd.DatetimeIndex(refit_dates),
        n_params,
        train_seconds,
        model,
        scaled_inputs,
    )
