"""Returns, chronological splits, zero-copy sliding windows and train-only scaling.

Nothing here ever looks past a cut-off: windows end strictly before their target, splits are by date and never
shuffled, and scalers are fitted on the training rows alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.preprocessing import StandardScaler

from finrisk_utils.core.validation import (
    DataValidationError,
    check_datetime_index,
    check_min_length,
)

__all__ = [
    "Split",
    "Windows",
    "chronological_split",
    "fit_train_scaler",
    "log_returns",
    "make_windows",
    "origins_with_target",
    "portfolio_log_returns",
    "prices_from_log_returns",
    "simple_returns",
    "split_windows",
    "WindowSet",
    "WindowSplit",
]

PandasData = pd.Series | pd.DataFrame


def check_prices(prices: PandasData, what: str) -> None:
    if not isinstance(prices, pd.Series | pd.DataFrame):
        raise TypeError(f"{what} needs a pandas Series or DataFrame, got {type(prices).__name__}")
    check_datetime_index(prices, where=what)
    values = prices.to_numpy(dtype=float).reshape(len(prices), -1)
    for problem, bad in (("NaN or inf", ~np.isfinite(values)), ("zero or negative", values <= 0)):
        rows = np.flatnonzero(bad.any(axis=1))
        if rows.size:
            raise DataValidationError(
                f"{what}: {rows.size} price(s) are {problem}; first on {prices.index[rows[0]].date()} "
                f"(row {rows[0]})"
            )
    check_min_length(len(prices), 2, what="price series", where=what)


def log_returns(prices: PandasData, scale: float = 100.0) -> PandasData:
    """``scale * log(P_t / P_{t-1})``; the first row (no previous price) is dropped. Default: percent."""
    check_prices(prices, "log_returns")
    return (scale * np.log(prices).diff()).iloc[1:]


def simple_returns(prices: PandasData, scale: float = 1.0) -> PandasData:
    """``scale * (P_t / P_{t-1} - 1)``; the first row is dropped."""
    check_prices(prices, "simple_returns")
    return (scale * prices.pct_change()).iloc[1:]


@dataclass(frozen=True)
class Split:
    """Chronological train/validation/test parts of one frame (validation may be empty)."""

    train: PandasData
    val: PandasData
    test: PandasData

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


def chronological_split(
    data: PandasData,
    *,
    val_start: str | pd.Timestamp | None = None,
    test_start: str | pd.Timestamp | None = None,
    test_end: str | pd.Timestamp | None = None,
    fractions: tuple[float, float, float] | None = None,
) -> Split:
    """Split by dates (``train < val_start <= val < test_start <= test <= test_end``) or by ``fractions``.

    Exactly one of ``test_start`` (dates) or ``fractions`` (train, val, test shares summing to 1) must be
    given. Rows are never shuffled; every part must be non-empty except the validation part.
    """
    if not isinstance(data, pd.Series | pd.DataFrame):
        raise TypeError(f"data must be a pandas Series or DataFrame, got {type(data).__name__}")
    check_datetime_index(data, where="chronological_split")
    if (test_start is None) == (fractions is None):
        raise ValueError(
            "give either test_start (split by dates) or fractions, not both or neither"
        )
    if fractions is not None:
        if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
            raise ValueError(
                f"fractions must be three non-negative shares summing to 1, got {fractions}"
            )
        n = len(data)
        n_train, n_val = int(round(fractions[0] * n)), int(round(fractions[1] * n))
        parts = (
            data.iloc[:n_train],
            data.iloc[n_train : n_train + n_val],
            data.iloc[n_train + n_val :],
        )
    else:
        t_start = pd.Timestamp(test_start)
        v_start = pd.Timestamp(val_start) if val_start is not None else t_start
        t_end = pd.Timestamp(test_end) if test_end is not None else data.index[-1]
        if not v_start <= t_start <= t_end:
            raise ValueError(
                f"dates must satisfy val_start <= test_start <= test_end, got "
                f"{v_start.date()}, {t_start.date()}, {t_end.date()}"
            )
        idx = data.index
        parts = (
            data[idx < v_start],
            data[(idx >= v_start) & (idx < t_start)],
            data[(idx >= t_start) & (idx <= t_end)],
        )
    split = Split(*parts)
    for name in ("train", "test"):
        if len(getattr(split, name)) == 0:
            raise DataValidationError(
                f"chronological_split: the {name} part is empty; data spans "
                f"{data.index[0].date()} to {data.index[-1].date()}"
            )
    return split


@dataclass(frozen=True)
class Windows:
    """Sliding windows: ``X`` (n, window, n_features) is a read-only view; ``y`` (n,) the targets.

    ``input_end[i]`` is the position of the last input row of window ``i`` and ``target_pos[i]`` the position
    of its target; always ``target_pos > input_end``.
    """

    X: np.ndarray
    y: np.ndarray
    input_end: np.ndarray
    target_pos: np.ndarray


def make_windows(
    features: np.ndarray | PandasData,
    target: np.ndarray | pd.Series | None = None,
    *,
    window: int,
    horizon: int = 1,
) -> Windows:
    """Windows of ``window`` consecutive rows and the target ``horizon`` steps after the last one.

    ``X[i] = features[i : i + window]`` and ``y[i] = target[i + window - 1 + horizon]``. ``features`` is 1-D
    (one feature) or 2-D (rows, features); ``target`` defaults to ``features`` (1-D only). ``X`` is built with
    ``sliding_window_view``: zero-copy and read-only.
    """
    for name, value in (("window", window), ("horizon", horizon)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")
    x = np.asarray(features.to_numpy() if hasattr(features, "to_numpy") else features, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"features must be 1-D or 2-D, got shape {x.shape}")
    if target is None:
        if x.shape[1] != 1:
            raise ValueError("target is required when features has more than one column")
        t = x[:, 0]
    else:
        t = np.asarray(target, dtype=float)
        if t.shape != (x.shape[0],):
            raise ValueError(f"target must have shape ({x.shape[0]},), got {t.shape}")
    check_min_length(
        x.shape[0],
        window + horizon,
        what=f"series for window={window}, horizon={horizon}",
        where="make_windows",
    )
    n = x.shape[0] - window - horizon + 1
    X = sliding_window_view(x, window, axis=0)[:n].transpose(0, 2, 1)
    input_end = np.arange(n) + window - 1
    target_pos = input_end + horizon
    return Windows(X=X, y=t[target_pos], input_end=input_end, target_pos=target_pos)


@dataclass(frozen=True)
class WindowSet:
    """Windows whose targets fall in one period: ``X`` (n, window, features), ``y`` (n,), target ``dates``."""

    X: np.ndarray
    y: np.ndarray
    dates: pd.DatetimeIndex


@dataclass(frozen=True)
class WindowSplit:
    """Train/validation/test windows, split by the date of each window's *target*."""

    train: WindowSet
    val: WindowSet
    test: WindowSet

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train.y), "val": len(self.val.y), "test": len(self.test.y)}


def split_windows(
    windows: Windows,
    index: pd.DatetimeIndex,
    *,
    val_start: str | pd.Timestamp,
    test_start: str | pd.Timestamp,
    test_end: str | pd.Timestamp | None = None,
) -> WindowSplit:
    """Assign each window to train (target < ``val_start``), validation (``val_start`` <= target <
    ``test_start``) or test (``test_start`` <= target <= ``test_end``), the same rule as
    :func:`chronological_split`. A window's inputs may reach back into an earlier period (that is the past,
    known at forecast time) but never to its own target date or beyond.
    """
    if not isinstance(index, pd.DatetimeIndex) or len(index) <= int(windows.target_pos[-1]):
        raise ValueError("index must be the DatetimeIndex of the rows the windows were built from")
    v, t = pd.Timestamp(val_start), pd.Timestamp(test_start)
    e = pd.Timestamp(test_end) if test_end is not None else index[-1]
    if not v <= t <= e:
        raise ValueError(
            f"need val_start <= test_start <= test_end, got {v.date()}, {t.date()}, {e.date()}"
        )
    dates = index[windows.target_pos]
    masks = (dates < v, (dates >= v) & (dates < t), (dates >= t) & (dates <= e))
    parts = [WindowSet(windows.X[m], windows.y[m], dates[m]) for m in masks]
    for name, part in zip(("train", "test"), (parts[0], parts[2]), strict=True):
        if len(part.y) == 0:
            raise DataValidationError(
                f"split_windows: no {name} windows (targets span {dates[0].date()} to {dates[-1].date()})"
            )
    return WindowSplit(*parts)


def origins_with_target(
    index: pd.DatetimeIndex, origins: pd.DatetimeIndex, horizon: int
) -> pd.DatetimeIndex:
    """The ``origins`` (dates of ``index``) whose target, ``horizon`` rows later in ``index``, is in the data."""
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon must be a positive int, got {horizon!r}")
    pos = index.get_indexer(origins)
    if (pos < 0).any():
        raise ValueError("every origin must be a date of the index")
    return origins[pos + horizon < len(index)]


def prices_from_log_returns(
    prices: pd.Series, log_return_forecast: pd.Series, scale: float = 100.0
) -> pd.Series:
    """Price implied by a log-return forecast: ``P_{t-1} * exp(r_hat_t / scale)``, on the forecast's dates."""
    check_datetime_index(prices, where="prices_from_log_returns")
    pos = prices.index.searchsorted(log_return_forecast.index, side="left") - 1
    if (pos < 0).any():
        raise DataValidationError(
            "prices_from_log_returns: no price before the first forecast date"
        )
    previous = prices.to_numpy(dtype=float)[pos]
    return pd.Series(
        previous * np.exp(log_return_forecast.to_numpy(dtype=float) / scale),
        index=log_return_forecast.index,
        name=log_return_forecast.name,
    )


def portfolio_log_returns(
    prices: pd.DataFrame, weights: dict[str, float] | None = None
) -> pd.Series:
    """Daily log returns (%) of a portfolio rebalanced to fixed ``weights`` every day (default: equal).

    Prices are aligned on the dates all assets trade (rows with any missing price are dropped, so a holiday
    of one market does not produce a zero return for it). ``100 * log(1 + sum_i w_i R_i)`` with ``R_i`` the
    assets' simple returns.
    """
    if not isinstance(prices, pd.DataFrame) or prices.shape[1] < 2:
        raise TypeError("prices must be a DataFrame with one column per asset (at least two)")
    weights = weights or {c: 1 / prices.shape[1] for c in prices.columns}
    if set(weights) != set(prices.columns):
        raise ValueError(
            f"weights name {sorted(weights)}, prices have columns {sorted(prices.columns)}"
        )
    if abs(sum(weights.values()) - 1) > 1e-9:
        raise ValueError(f"weights must sum to 1, got {sum(weights.values())}")
    aligned = prices.dropna()
    simple = simple_returns(aligned)
    w = np.array([weights[c] for c in aligned.columns])
    return pd.Series(100 * np.log1p(simple.to_numpy() @ w), index=simple.index, name="portfolio")


def fit_train_scaler(data: PandasData, train_end: str | pd.Timestamp) -> StandardScaler:
    """A ``StandardScaler`` fitted only on rows dated strictly before ``train_end``.

    Apply it to every part with ``scaler.transform(frame)`` (a Series: ``series.to_frame()``); the statistics
    never include validation or test rows.
    """
    check_datetime_index(data, where="fit_train_scaler")
    train = data[data.index < pd.Timestamp(train_end)]
    check_min_length(
        len(train),
        2,
        what=f"training part before {pd.Timestamp(train_end).date()}",
        where="fit_train_scaler",
    )
    frame = train.to_frame() if isinstance(train, pd.Series) else train
    return StandardScaler().fit(frame.astype(float))
