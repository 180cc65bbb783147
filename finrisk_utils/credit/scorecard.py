"""Weight-of-evidence binning and the points-based logistic scorecard a bank would actually use.

WoE of a bin = ln(share of all goods in the bin / share of all bads in the bin): positive means safer than
average. Information value (IV) = sum over bins of (good share - bad share) * WoE ranks attributes:
< 0.02 useless, 0.02-0.1 weak, 0.1-0.3 medium, > 0.3 strong.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = ["MISSING_BIN", "WoEEncoder", "make_scorecard", "points_scale", "scorecard_table"]

#: Bin key of a missing number: missing values form their own bin with its own WoE (the usual scorecard
#: practice), so "not reported" can carry risk information and never falls silently into a value bin.
MISSING_BIN = -1


class WoEEncoder(TransformerMixin, BaseEstimator):
    """Replace each attribute by the WoE of its bin, learned on the training data only.

    Categorical columns: each category is a bin (unseen categories get WoE 0, i.e. average risk). Numeric
    columns: up to ``n_bins`` quantile bins of the training values. A missing value (NaN) is a bin of its own,
    for numbers and categories alike (a missing bin unseen in training gets WoE 0). ``smoothing`` is added to the good and bad
    counts of every bin so an all-good or all-bad bin has a finite WoE. ``y``: 1 = bad.
    """

    def __init__(self, n_bins: int = 5, smoothing: float = 0.5):
        self.n_bins = n_bins
        self.smoothing = smoothing

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> WoEEncoder:
        if not isinstance(X, pd.DataFrame):
            raise TypeError("WoEEncoder needs a DataFrame (column names identify attributes)")
        y = np.asarray(y).astype(int)
        if len(y) != len(X) or not np.isin(y, (0, 1)).all():
            raise ValueError("y must be 0/1 labels, one per row of X")
        self.bins_: dict[str, np.ndarray] = {}
        self.woe_: dict[str, pd.Series] = {}
        self.iv_: dict[str, float] = {}
        for col in X.columns:
            keys = self._keys(X[col], col, fit=True)
            goods = (
                pd.Series(1 - y, index=X.index).groupby(keys, observed=True).sum() + self.smoothing
            )
            bads = pd.Series(y, index=X.index).groupby(keys, observed=True).sum() + self.smoothing
            g_share, b_share = goods / goods.sum(), bads / bads.sum()
            woe = np.log(g_share / b_share)
            self.woe_[col] = woe
            self.iv_[col] = float(((g_share - b_share) * woe).sum())
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def _keys(self, values: pd.Series, col: str, fit: bool) -> pd.Series:
        """Bin keys: quantile-bin numbers for numeric columns, the category as text otherwise; a missing value
        is a bin of its own (key ``MISSING_BIN`` for numbers, ``"nan"`` for categories)."""
        if pd.api.types.is_numeric_dtype(values):
            x = values.to_numpy(dtype=float)
            if fit:
                if np.isnan(x).all():
                    raise ValueError(f"WoEEncoder: column {col!r} has no non-missing value")
                edges = np.unique(np.nanquantile(x, np.linspace(0, 1, self.n_bins + 1)))
                edges[0], edges[-1] = -np.inf, np.inf
                self.bins_[col] = edges
            keys = np.searchsorted(self.bins_[col][1:-1], x, side="right")
            return pd.Series(np.where(np.isnan(x), MISSING_BIN, keys), index=values.index)
        return values.astype(str)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "woe_")
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise ValueError(f"WoEEncoder: missing column(s) {missing}")
        out = {
            col: self._keys(X[col], col, fit=False).map(self.woe_[col]).fillna(0.0)
            for col in self.feature_names_in_
        }
        return pd.DataFrame(out, index=X.index).astype(float)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return self.feature_names_in_

    def bin_labels(self, col: str) -> list[str]:
        """Human-readable labels of the bins of ``col``, in the order of ``woe_[col]``."""
        if col in self.bins_:
            e = self.bins_[col]
            return [
                "missing" if k == MISSING_BIN else f"[{e[k]:g}, {e[k + 1]:g})"
                for k in self.woe_[col].index
            ]
        return [str(k) for k in self.woe_[col].index]


def make_scorecard(n_bins: int = 5, C: float = 1.0) -> Pipeline:
    """WoE binning followed by an L2-regularized logistic regression (``C`` as in scikit-learn)."""
    return Pipeline(
        [("woe", WoEEncoder(n_bins=n_bins)), ("logit", LogisticRegression(C=C, max_iter=1000))]
    )


def points_scale(
    points0: float = 600.0, odds0: float = 19.0, pdo: float = 50.0
) -> tuple[float, float]:
    """``(offset, factor)`` so that ``score = offset + factor * ln(good:bad odds)`` gives ``points0`` points
    at good:bad odds ``odds0`` (1:19 bad:good is odds 19) and doubles the odds every ``pdo`` points."""
    if pdo <= 0 or odds0 <= 0:
        raise ValueError("pdo and odds0 must be positive")
    factor = pdo / np.log(2)
    return points0 - factor * np.log(odds0), factor


def scorecard_table(scorecard: Pipeline, **scale: float) -> pd.DataFrame:
    """Points per attribute bin of a fitted scorecard: ``points = -factor * (beta_j * WoE_bin + alpha / k)
    + offset / k`` (``k`` attributes), so an applicant's score is the sum of their bins' points and higher
    scores mean lower risk."""
    woe: WoEEncoder = scorecard.named_steps["woe"]
    logit: LogisticRegression = scorecard.named_steps["logit"]
    offset, factor = points_scale(**scale)
    k = len(woe.feature_names_in_)
    alpha = float(logit.intercept_[0])
    rows = []
    for beta, col in zip(logit.coef_[0], woe.feature_names_in_, strict=True):
        for label, w in zip(woe.bin_labels(col), woe.woe_[col].to_numpy(), strict=True):
            rows.append(
                {
                    "attribute": col,
                    "bin": label,
                    "woe": w,
                    "points": -factor * (beta * w + alpha / k) + offset / k,
                }
            )
    return pd.DataFrame(rows)
