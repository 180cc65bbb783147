"""Returns, chronological splits, zero-copy sliding windows and train-only scaling.

Nothing here ever looks past a cut-off: windows end strictly before their target, splits are by date and never
shuffled, and scalers are fitted on the training rows alone.
"""

from __future__ import annotations

from collections.abc import Sized
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeAlias, TypeVar

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from finrisk_utils.core.validation import (
    DataValidationError,
    as_float_array,
    as_timestamp,
    check_date_index,
    check_datetime_index,
    check_min_length,
    check_number,
    check_positive_int,
    check_returns,
    check_same_index,
)

if TYPE_CHECKING:
    from sklearn.preprocessing import StandardScaler

__all__ = [
    "Split",
    "Windows",
    "fit_train_scaler",
    "log_returns",
    "make_windows",
    "origins_with_target",
    "portfolio_log_returns",
    "prices_from_log_returns",
    "simple_returns",
    "split_windows",
    "WindowSet",
]

PandasData: TypeAlias = pd.Series | pd.DataFrame


def check_prices(prices: PandasData, what: str, name: str = "prices") -> None:
    """Positive, finite prices on increasing unique dates, at least two rows; else an error naming ``what``."""
    if not isinstance(prices, pd.Series | pd.DataFrame):
        raise TypeError(
            f"{what}: {name} needs a pandas Series or DataFrame, got {type(prices).__name__}"
        )
    values = as_float_array(prices, name, where=what, ndim=None, finite=False)
    values = values.reshape(len(prices), -1)
    check_datetime_index(prices, where=what)
    for problem, bad in (
        ("NaN or inf", ~np.isfinite(values)),
        ("zero or negative (prices must be positive)", values <= 0),
    ):
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
    check_number(scale, "scale", where="log_returns", minimum=0, strict=True)
    return (scale * np.log(prices).diff()).iloc[1:]


def simple_returns(prices: PandasData, scale: float = 1.0) -> PandasData:
    """``scale * (P_t / P_{t-1} - 1)``; the first row is dropped."""
    check_prices(prices, "simple_returns")
    check_number(scale, "scale", where="simple_returns", minimum=0, strict=True)
    return (scale * prices.pct_change()).iloc[1:]


T = TypeVar("T", bound=Sized)


@dataclass(frozen=True)
class Split(Generic[T]):
    """Chronological train/validation/test parts, the one split type of the package: ``Split[WindowSet]``
    from :func:`split_windows` (windows assigned by target date) and ``Split[pd.DataFrame]`` from
    :func:`finrisk_utils.fraud.split_by_time` (transactions by timestamp). Every training item precedes
    every validation item, which precedes every test item."""

    train: T
    val: T
    test: T

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


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
    n_rows: int | None = None  # rows of the series the windows were built from


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
    where = "make_windows"
    window = check_positive_int(window, "window", where=where)
    horizon = check_positive_int(horizon, "horizon", where=where)
    x = as_float_array(features, "features", where=where, ndim=None)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"{where}: features must be 1-D or 2-D, got shape {x.shape}")
    if target is None:
        if x.shape[1] != 1:
            raise ValueError(f"{where}: target is required when features has more than one column")
        t = x[:, 0]
    else:
        if isinstance(features, pd.Series | pd.DataFrame) and isinstance(target, pd.Series):
            check_same_index(features, target, ("features", "target"), where=where)
        t = as_float_array(target, "target", where=where, ndim=None)
        if t.shape != (x.shape[0],):
            raise ValueError(f"{where}: target must have shape ({x.shape[0]},), got {t.shape}")
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
    return Windows(
        X=X, y=t[target_pos], input_end=input_end, target_pos=target_pos, n_rows=x.shape[0]
    )


@dataclass(frozen=True)
class WindowSet:
    """Windows whose targets fall in one period: ``X`` (n, window, features), ``y`` (n,), target ``dates``."""

    X: np.ndarray
    y: np.ndarray
    dates: pd.DatetimeIndex

    def __len__(self) -> int:
        return len(self.y)


def split_windows(
    windows: Windows,
    index: pd.DatetimeIndex,
    *,
    val_start: str | pd.Timestamp,
    test_start: str | pd.Timestamp,
    test_end: str | pd.Timestamp | None = None,
) -> Split[WindowSet]:
    """Assign each window to train (target < ``val_start``), validation (``val_start`` <= target <
    ``test_start``) or test (``test_start`` <= target <= ``test_end``). A window's inputs may reach back into
    an earlier period (that is the past, known at forecast time) but never to its own target date or beyond.
    ``index`` must be the increasing, duplicate-free dates of the rows the windows were built from.
    """
    where = "split_windows"
    if not isinstance(windows, Windows):
        raise TypeError(
            f"{where}: windows must come from make_windows, got {type(windows).__name__}"
        )
    index = check_date_index(index, "index", where=where)
    known = windows.n_rows is not None
    n_rows = windows.n_rows if windows.n_rows is not None else int(windows.target_pos[-1]) + 1
    if (len(index) != n_rows) if known else (len(index) < n_rows):
        raise DataValidationError(
            f"{where}: index has {len(index)} dates but the windows were built from {n_rows} rows; "
            "pass the index of the rows given to make_windows"
        )
    v = as_timestamp(val_start, "val_start", where=where)
    t = as_timestamp(test_start, "test_start", where=where)
    e = as_timestamp(test_end, "test_end", where=where) if test_end is not None else index[-1]
    if not v <= t <= e:
        raise ValueError(
            f"{where}: need val_start <= test_start <= test_end, got {v.date()}, {t.date()}, "
            f"{e.date()}"
        )
    dates = index[windows.target_pos]
    masks = (dates < v, (dates >= v) & (dates < t), (dates >= t) & (dates <= e))
    parts = [WindowSet(windows.X[m], windows.y[m], dates[m]) for m in masks]
    for name, part in zip(("train", "test"), (parts[0], parts[2]), strict=True):
        if len(part.y) == 0:
            raise DataValidationError(
                f"split_windows: no {name} windows (targets span {dates[0].date()} to {dates[-1].date()})"
            )
    return Split(*parts)


def origins_with_target(
    index: pd.DatetimeIndex, origins: pd.DatetimeIndex, horizon: int
) -> pd.DatetimeIndex:
    """The ``origins`` (dates of ``index``) whose target, ``horizon`` rows later in ``index``, is in the data."""
    where = "origins_with_target"
    horizon = check_positive_int(horizon, "horizon", where=where)
    index = check_date_index(index, "index", where=where)
    origins = check_date_index(origins, "origins", where=where)
    pos = index.get_indexer(origins)
    if (pos < 0).any():
        raise ValueError(
            f"{where}: every origin must be a date of the index; "
            f"{origins[int(np.argmax(pos < 0))].date()} is not"
        )
    return origins[pos + horizon < len(index)]


def prices_from_log_returns(
    prices: pd.Series, log_return_forecast: pd.Series, scale: float = 100.0
) -> pd.Series:
    """Price implied by a log-return forecast: ``P_{t-1} * exp(r_hat_t / scale)``, on the forecast's dates."""
    where = "prices_from_log_returns"
    check_prices(prices, where)
    check_returns(log_return_forecast, "log_return_forecast", where=where)
    check_number(scale, "scale", where=where, minimum=0, strict=True)
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
    where = "portfolio_log_returns"
    if not isinstance(prices, pd.DataFrame) or prices.shape[1] < 2:
        raise TypeError(
            f"{where}: prices must be a DataFrame with one column per asset (at least two)"
        )
    weights = weights or {c: 1 / prices.shape[1] for c in prices.columns}
    if not isinstance(weights, dict):
        raise TypeError(
            f"{where}: weights must be a dict asset -> weight, got {type(weights).__name__}"
        )
    if set(weights) != set(prices.columns):
        raise ValueError(
            f"{where}: weights name {sorted(weights)}, prices have columns {sorted(prices.columns)}"
        )
    for asset, weight in weights.items():
        check_number(weight, f"weight of {asset!r}", where=where)
    if abs(sum(weights.values()) - 1) > 1e-9:
        raise ValueError(f"{where}: weights must sum to 1, got {sum(weights.values())}")
    aligned = prices.dropna()
    simple = simple_returns(aligned)
    w = np.array([weights[c] for c in aligned.columns])
    return pd.Series(100 * np.log1p(simple.to_numpy() @ w), index=simple.index, name="portfolio")


def fit_train_scaler(data: PandasData, train_end: str | pd.Timestamp) -> StandardScaler:
    """A ``StandardScaler`` fitted only on rows dated strictly before ``train_end``.

    Apply it to every part with ``scaler.transform(frame)`` (a Series: ``series.to_frame()``); the statistics
    never include validation or test rows.
    """
    if not isinstance(data, pd.Series | pd.DataFrame):
        raise TypeError(
            f"fit_train_scaler: data must be a pandas Series or DataFrame, got {type(data).__name__}"
        )
    as_float_array(data, "data", where="fit_train_scaler", ndim=None)
    check_datetime_index(data, where="fit_train_scaler")
    train_end = as_timestamp(train_end, "train_end", where="fit_train_scaler")
    train = data[data.index < train_end]
    check_min_length(
        len(train),
        2,
        what=f"training part before {pd.Timestamp(train_end).date()}",
        where="fit_train_scaler",
    )
    from sklearn.preprocessing import (
        StandardScaler,
    )  # here: scikit-learn (and scipy) cost 1 s per import

    frame = train.to_frame() if isinstance(train, pd.Series) else train
    return StandardScaler().fit(frame.astype(float))
