"""Grade and rate models besides the networks: the ordinal logit (statsmodels ``OrderedModel`` with an analytic
score), gradient boosting chosen on the validation slice, a dense rate regressor, and :class:`GradeModel`, which
turns any of them into a predictor of raw loan attributes (for permutation importance)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_fprime
from threadpoolctl import threadpool_limits

from finrisk_utils.core.validation import as_float_array, check_positive_int
from finrisk_utils.models.dense import build_dense_regressor
from finrisk_utils.models.training import FitResult, fit_model
from finrisk_utils.ratings.metrics import grade_from_probabilities, ranked_probability_score

__all__ = [
    "GradeModel",
    "OrdinalLogit",
    "RateNetwork",
    "fit_gbm",
    "fit_rate_network",
]


class _OrderedLogitModel(OrderedModel):
    """``OrderedModel`` (logit link) with the analytic score, so BFGS needs no numerical gradients, and a
    Hessian from differences of that score (``k`` score calls instead of ``k^2`` likelihood calls)."""

    def score_obs(self, params):
        n_beta = self.k_vars
        thresh = self.transform_threshold_params(params)  # -inf, t_0, ..., t_{K-2}, +inf
        low, upp = self._bounds(params)
        prob = np.maximum(expit(upp) - expit(low), 1e-20)
        pdf = lambda z: np.where(np.isfinite(z), expit(z) * (1 - expit(z)), 0.0)  # noqa: E731
        f_up, f_low = pdf(upp) / prob, pdf(low) / prob
        rows = np.arange(self.nobs)
        k = self.k_levels - 1
        d_t = np.zeros(
            (self.nobs, k + 2)
        )  # padded so y = K-1 (upper) and y = 0 (lower) fall outside
        d_t[rows, self.endog + 1] += f_up
        d_t[rows, self.endog] -= f_low
        d_t = d_t[:, 1 : k + 1]
        tail = np.cumsum(d_t[:, ::-1], axis=1)[:, ::-1]  # sum over j >= m of d log L / d t_j
        incr = np.exp(params[n_beta + 1 :])
        d_beta = -(f_up - f_low)[:, None] * self.exog
        del thresh
        return np.column_stack([d_beta, tail[:, :1], tail[:, 1:] * incr])

    def score(self, params):
        return self.score_obs(params).sum(axis=0)

    def hessian(self, params):
        h = approx_fprime(params, self.score, centered=True)
        return (h + h.T) / 2


class OrdinalLogit:
    """Ordinal (cumulative) logit ``P(y <= k) = F(t_k - x'b)`` fitted by maximum likelihood with
    ``statsmodels``' ``OrderedModel``; grades never seen in the fit rows get probability 0."""

    def __init__(self, maxiter: int = 1000):
        self.maxiter = check_positive_int(maxiter, "maxiter", where="OrdinalLogit")

    def fit(self, X: np.ndarray, y: np.ndarray, n_classes: int) -> OrdinalLogit:
        where = "OrdinalLogit.fit"
        X = as_float_array(X, "X", where=where, ndim=2)
        y = as_float_array(y, "y", where=where).astype(int)
        if len(X) != len(y):
            raise ValueError(f"{where}: X has {len(X)} rows, y has {len(y)}")
        self.n_classes = check_positive_int(n_classes, "n_classes", where=where, minimum=2)
        self.levels_ = np.unique(y)
        if self.levels_.size < 2 or self.levels_.max() >= n_classes:
            raise ValueError(f"{where}: y needs at least two notches within 0..{n_classes - 1}")
        codes = np.searchsorted(self.levels_, y)
        model = _OrderedLogitModel(codes, X, distr="logit")
        self.result_ = model.fit(method="bfgs", maxiter=self.maxiter, disp=False)
        self.converged_ = bool(self.result_.mle_retvals.get("converged", False))
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Grade probabilities, shape (n, n_classes)."""
        X = as_float_array(X, "X", where="OrdinalLogit.predict_proba", ndim=2)
        p = self.result_.model.predict(self.result_.params, exog=X)
        full = np.zeros((len(X), self.n_classes))
        full[:, self.levels_] = p
        return full

    @property
    def coefficients(self) -> np.ndarray:
        """Slopes ``b`` on the (standardised) inputs; > 0 pushes towards worse grades."""
        return np.asarray(self.result_.params[: self.result_.model.k_vars])


def fit_gbm(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    grid: Sequence[dict],
    task: str = "classification",
    n_classes: int | None = None,
    seed: int = 0,
    threads: int = 1,
) -> tuple[HistGradientBoostingClassifier | HistGradientBoostingRegressor, pd.DataFrame]:
    """Histogram gradient boosting, early-stopped on the validation rows, settings chosen on them.

    Parameters
    ----------
    grid : sequence of dict
        Candidate settings (``learning_rate``, ``max_leaf_nodes``, ...), at least one.
    task : {"classification", "regression"}
        Grades (chosen on the validation ranked probability score) or a number (validation MSE).
    threads : int
        OpenMP threads while fitting. One by default: on shared cores OpenMP's spin-waiting made two threads
        about twenty times slower than one in our measurements.

    Returns
    -------
    (model, table)
        The chosen fitted model and one row per candidate with its validation score and boosting rounds.
    """
    where = "fit_gbm"
    if not grid:
        raise ValueError(f"{where}: grid needs at least one candidate")
    if task not in ("classification", "regression"):
        raise ValueError(f"{where}: task must be 'classification' or 'regression', got {task!r}")
    if task == "classification" and n_classes is None:
        raise ValueError(f"{where}: n_classes is needed for classification")
    threads = check_positive_int(threads, "threads", where=where)
    rows, fitted = [], []
    for settings in grid:
        cls = (
            HistGradientBoostingClassifier
            if task == "classification"
            else HistGradientBoostingRegressor
        )
        params = {"max_iter": 1000, "n_iter_no_change": 20, "random_state": seed} | dict(settings)
        model = cls(early_stopping=True, **params)
        with threadpool_limits(threads):
            model.fit(X_train, y_train, X_val=X_val, y_val=y_val)
            if task == "classification":
                assert n_classes is not None  # checked above: classification needs n_classes
                p = np.zeros((len(X_val), n_classes))
                p[:, model.classes_] = model.predict_proba(X_val)
                score = float(ranked_probability_score(y_val, p).mean())
            else:
                score = float(np.mean((np.asarray(y_val) - model.predict(X_val)) ** 2))
        rows.append({**settings, "val_score": score, "rounds": int(model.n_iter_)})
        fitted.append(model)
    table = pd.DataFrame(rows)
    return fitted[int(table["val_score"].idxmin())], table


@dataclass(frozen=True)
class RateNetwork:
    """A dense interest-rate regressor on standardised targets: ``predict`` returns per cent."""

    model: keras.Model
    mean: float
    scale: float
    fit: FitResult

    def predict(self, X: np.ndarray) -> np.ndarray:
        z = keras.ops.convert_to_numpy(
            self.model(np.asarray(X, dtype="float32")[:, None, :], training=False)
        )
        return self.mean + self.scale * np.asarray(z, float)[:, 0]


def fit_rate_network(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    hidden: tuple[int, ...] = (32,),
    dropout: float = 0.1,
    learning_rate: float = 1e-3,
    epochs: int = 200,
    batch_size: int = 128,
    patience: int = 15,
    seed: int = 0,
) -> RateNetwork:
    """:func:`finrisk_utils.models.dense.build_dense_regressor` (window 1) on the rate standardised with the
    training rows' mean and standard deviation, early-stopped on validation; naive predictor: the training
    mean (the network is ``trained`` only if it beats it on validation MSE)."""
    where = "fit_rate_network"
    keras.utils.set_random_seed(check_positive_int(seed, "seed", where=where, minimum=0))
    X_tr = as_float_array(X_train, "X_train", where=where, ndim=2).astype("float32")
    y_tr = as_float_array(y_train, "y_train", where=where)
    mean, scale = float(y_tr.mean()), float(y_tr.std())
    if not scale > 0:
        raise ValueError(f"{where}: y_train is constant")
    model = build_dense_regressor(
        1, X_tr.shape[1], hidden=hidden, dropout=dropout, learning_rate=learning_rate
    )
    z_val = (as_float_array(y_val, "y_val", where=where) - mean) / scale
    fit = fit_model(
        model,
        X_tr[:, None, :],
        ((y_tr - mean) / scale).astype("float32")[:, None],
        np.asarray(X_val, dtype="float32")[:, None, :],
        z_val.astype("float32")[:, None],
        epochs=epochs,
        batch_size=batch_size,
        patience=patience,
    )
    return RateNetwork(model, mean, scale, fit)


class GradeModel:
    """A grade predictor of raw loan attributes: ``transform`` (the fitted preprocessor's) then ``proba``
    (grade probabilities, shape (n, K)), then the decision ``rule`` (see
    :func:`~finrisk_utils.ratings.metrics.grade_from_probabilities`). ``score(frame, y)`` is minus the mean
    absolute notch error, what :func:`sklearn.inspection.permutation_importance` maximises."""

    def __init__(
        self,
        transform: Callable[[pd.DataFrame], np.ndarray],
        proba: Callable[[np.ndarray], np.ndarray],
        rule: str = "median",
    ):
        self.transform, self.proba, self.rule = transform, proba, rule

    def fit(self, X: pd.DataFrame, y: np.ndarray | None = None) -> GradeModel:
        """Nothing to fit (the parts are fitted); here so scikit-learn tools accept the object."""
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return grade_from_probabilities(self.proba(self.transform(frame)), self.rule)

    def score(self, frame: pd.DataFrame, y: np.ndarray) -> float:
        return -float(np.mean(np.abs(self.predict(frame) - np.asarray(y))))
