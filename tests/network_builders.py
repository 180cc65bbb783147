"""Every network builder of the package, small, for tests that must hold for all of them."""


def network_builders():
    """(module, builder call, input shape, target maker) for every network builder of the package."""
    from finrisk_utils.models import autoencoder, convolutional, dense, quantile, recurrent
    from finrisk_utils.ratings import networks

    seq = (12, 2)
    return {
        "dense_classifier": (
            dense,
            lambda: dense.build_dense_classifier(4, hidden=(8,), dropout=0.2),
            (4,),
            "binary",
        ),
        "dense_regressor": (
            dense,
            lambda: dense.build_dense_regressor(4, 1, hidden=(8,)),
            (4,),
            "real",
        ),
        "lstm": (
            recurrent,
            lambda: recurrent.build_recurrent_regressor(*seq, units=4, dropout=0.2),
            seq,
            "real",
        ),
        "cnn": (
            convolutional,
            lambda: convolutional.build_conv_regressor(*seq, filters=4),
            seq,
            "real",
        ),
        "quantile_lstm": (
            quantile,
            lambda: quantile.build_quantile_es_network(*seq, alpha=0.05, q0=-1.6, e0=-2.0, units=4),
            seq,
            "real",
        ),
        "denoising_autoencoder": (
            autoencoder,
            lambda: autoencoder.build_autoencoder(4, hidden=(6,), bottleneck=2, noise_std=0.1),
            (4,),
            "self",
        ),
        "grade_ordinal": (
            networks,
            lambda: networks.build_grade_network(4, 3, hidden=(8,)),
            (4,),
            "grade",
        ),
    }


def network_data(shape: tuple[int, ...], target: str, n: int, seed: int):
    """``(X, y)``: ``n`` standard-normal float32 inputs of ``shape`` and targets of the builder's kind driven by
    the first input: ``"binary"`` 0/1, ``"real"`` with noise, ``"self"`` (the inputs), ``"grade"`` 0..2."""
    import numpy as np

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, *shape)).astype("float32")
    signal = X.reshape(n, -1)[:, 0]
    y = {
        "binary": lambda: (signal + rng.standard_normal(n) > 1).astype("float32"),
        "real": lambda: signal + rng.standard_normal(n).astype("float32"),
        "self": lambda: X,
        "grade": lambda: np.digitize(signal, [-0.5, 0.5]).astype("int32"),
    }[target]()
    return X, y
