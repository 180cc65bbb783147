"""Yield-curve factors learned from a panel of yields: PCA against a small autoencoder, each judged by how well
it reconstructs unseen curves and how well its latent factors span the true level, slope and curvature.

Both work on yields standardized per maturity with the training period's mean and sd; errors are reported
back in percentage points.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression

from finrisk_utils.core.validation import DataValidationError, check_positive_int
from finrisk_utils.models import predict_array
from finrisk_utils.models.autoencoder import build_autoencoder, encode
from finrisk_utils.models.training import FitResult, fit_model

__all__ = [
    "SATURATION",
    "CurveFactorFit",
    "autoencoder_curve_factors",
    "factor_recovery",
    "pca_curve_factors",
    "saturated_share",
]


@dataclass(frozen=True)
class CurveFactorFit:
    """``recon_rmse``: test-period reconstruction RMSE (percentage points, all maturities); ``variance_explained``:
    1 - residual / total variance of the standardized test yields; ``latent_train`` / ``latent_test``:
    ``(n, n_factors)`` factor values; ``fit``: the training history (autoencoder only); ``recon_rmse_train``:
    the same RMSE on the training curves (in-sample; for the autoencoder, early-stopping block included);
    ``saturation_train`` / ``saturation_test``: share of the autoencoder's tanh activations with
    ``|a| > SATURATION`` on the training / test curves (NaN for PCA)."""

    name: str
    recon_rmse: float
    variance_explained: float
    latent_train: np.ndarray
    latent_test: np.ndarray
    reconstruction_test: pd.DataFrame
    fit: FitResult | None = None
    recon_rmse_train: float = float("nan")
    saturation_train: float = float("nan")
    saturation_test: float = float("nan")

    @property
    def converged(self) -> bool | None:
        """Did early stopping end training before the epoch budget (the kept epoch is not the last run, or
        training stopped early)? ``None`` for PCA (no training)."""
        if self.fit is None:
            return None
        return self.fit.best_epoch < self.fit.epochs_run


SATURATION = 0.99
"""A tanh activation with ``|a|`` above this counts as saturated (its gradient is below 2% of the maximum)."""


def _standardize(
    train: pd.DataFrame, test: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    for name, frame in (("train", train), ("test", test)):
        if not isinstance(frame, pd.DataFrame) or frame.isna().any().any():
            raise DataValidationError(f"{name} yields must be a DataFrame without NaN")
    if list(train.columns) != list(test.columns):
        raise ValueError("train and test yields must have the same maturities (columns)")
    if not train.index.max() < test.index.min():
        raise DataValidationError("the test period must start after the training period ends")
    mean, sd = train.mean().to_numpy(), train.std().to_numpy()
    return (train.to_numpy() - mean) / sd, (test.to_numpy() - mean) / sd, mean, sd


def _result(
    name,
    z_test,
    z_hat,
    mean,
    sd,
    test,
    latent_train,
    latent_test,
    fit=None,
    *,
    z_train,
    z_hat_train,
    saturation=(float("nan"), float("nan")),
) -> CurveFactorFit:
    recon = pd.DataFrame(z_hat * sd + mean, index=test.index, columns=test.columns)
    return CurveFactorFit(
        name=name,
        recon_rmse=float(np.sqrt(np.mean((recon.to_numpy() - test.to_numpy()) ** 2))),
        variance_explained=float(
            1 - np.sum((z_test - z_hat) ** 2) / np.sum((z_test - z_test.mean(0)) ** 2)
        ),
        latent_train=latent_train,
        latent_test=latent_test,
        reconstruction_test=recon,
        fit=fit,
        recon_rmse_train=float(np.sqrt(np.mean(((z_hat_train - z_train) * sd) ** 2))),
        saturation_train=saturation[0],
        saturation_test=saturation[1],
    )


def pca_curve_factors(
    train: pd.DataFrame, test: pd.DataFrame, n_factors: int = 3
) -> CurveFactorFit:
    """PCA fitted on the standardized training yields (dates x maturities, percent)."""
    z_train, z_test, mean, sd = _standardize(train, test)
    pca = PCA(check_positive_int(n_factors, "n_factors", where="pca_curve_factors")).fit(z_train)
    latent_test = pca.transform(z_test)
    return _result(
        "pca",
        z_test,
        pca.inverse_transform(latent_test),
        mean,
        sd,
        test,
        pca.transform(z_train),
        latent_test,
        z_train=z_train,
        z_hat_train=pca.inverse_transform(pca.transform(z_train)),
    )


def autoencoder_curve_factors(
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    bottleneck: int = 3,
    hidden: tuple[int, ...] = (16,),
    epochs: int = 500,
    val_fraction: float = 0.2,
    patience: int = 30,
    learning_rate: float = 3e-3,
) -> CurveFactorFit:
    """A tanh autoencoder with a linear ``bottleneck``-unit code, trained with Adam at ``learning_rate`` on the
    standardized training yields (the newest ``val_fraction`` of them only stop training early, after
    ``patience`` epochs without improvement)."""
    z_train, z_test, mean, sd = _standardize(train, test)
    epochs = check_positive_int(epochs, "epochs", where="autoencoder_curve_factors")
    patience = check_positive_int(patience, "patience", where="autoencoder_curve_factors")
    if not (isinstance(learning_rate, float | int) and 0 < learning_rate < 1):
        raise ValueError(f"learning_rate must be in (0, 1), got {learning_rate!r}")
    if not 0 < val_fraction < 0.5:
        raise ValueError(f"val_fraction must be in (0, 0.5), got {val_fraction}")
    n_val = max(int(len(z_train) * val_fraction), 1)
    model = build_autoencoder(
        z_train.shape[1],
        hidden=hidden,
        bottleneck=bottleneck,
        activation="tanh",
        code_activation=None,
        learning_rate=float(learning_rate),
    )
    fit = fit_model(
        model,
        z_train[:-n_val],
        z_train[:-n_val],
        z_train[-n_val:],
        z_train[-n_val:],
        epochs=epochs,
        batch_size=32,
        patience=patience,
    )
    z_hat = np.asarray(predict_array(model, z_test.astype("float32"), batch_size=32), dtype=float)
    z_hat_train = np.asarray(
        predict_array(model, z_train.astype("float32"), batch_size=32), dtype=float
    )
    return _result(
        "ae",
        z_test,
        z_hat,
        mean,
        sd,
        test,
        encode(model, z_train),
        encode(model, z_test),
        fit,
        z_train=z_train,
        z_hat_train=z_hat_train,
        saturation=(saturated_share(model, z_train), saturated_share(model, z_test)),
    )


def saturated_share(model: keras.Model, z: np.ndarray) -> float:
    """Share of the tanh activations of ``model`` (every tanh layer, every unit, every row of ``z``) with
    ``|a| > SATURATION``."""
    layers = [
        layer
        for layer in model.layers
        if getattr(getattr(layer, "activation", None), "__name__", "") == "tanh"
    ]
    if not layers:
        raise ValueError("saturated_share: the model has no tanh layer")
    probe = keras.Model(model.inputs, [layer.output for layer in layers])
    outs = probe.predict(np.asarray(z, dtype="float32"), verbose=0)
    outs = outs if isinstance(outs, list | tuple) else [outs]
    flat = np.concatenate([np.abs(np.asarray(o)).ravel() for o in outs])
    return float(np.mean(flat > SATURATION))


def factor_recovery(
    latent_train: np.ndarray,
    true_train: pd.DataFrame,
    latent_test: np.ndarray,
    true_test: pd.DataFrame,
) -> dict[str, float]:
    """Out-of-sample multiple correlation of each true factor with the latent factors: a linear map from the
    latent factors to the true factor is fitted on the training period, and its predictions are correlated
    with the true factor over the test period. 1 = the latent space spans that factor; the rotation and scale
    of learned factors are arbitrary, so a one-to-one correlation would be the wrong yardstick."""
    if len(latent_train) != len(true_train) or len(latent_test) != len(true_test):
        raise ValueError("latent factors and true factors must have the same number of dates")
    out = {}
    for name in true_train.columns:
        reg = LinearRegression().fit(latent_train, true_train[name])
        out[name] = float(np.corrcoef(reg.predict(latent_test), true_test[name])[0, 1])
    return out
