"""Reuse of traced training graphs across networks of one architecture (TensorFlow backend).

The first ``fit`` of a Keras model traces its train and validation steps into TensorFlow graphs: about a second
per network on CPU, more than a small network's whole training in the quick profile. Networks of the same
architecture and compile settings (the seeds of an ensemble, the folds of a cross-validation, the refits over
forecast origins) trace the same graphs again. :func:`fit_reusing_graphs` fits such a network on a private *twin*
of its architecture whose graphs are already traced: it copies the network's state (weights, random-seed states,
optimizer slots) into the twin, fits the twin with the same arguments and copies the state back, so the network
ends exactly as if it had been fitted itself (a test pins weights, optimizer state and losses bit for bit for
four kinds of network; every notebook's quick metrics are the same with and without reuse).

A network is fitted directly when its architecture or compile settings cannot be identified by value (a
subclassed model, a stateful metric object, a loss closure over something other than numbers and strings), when
a layer cannot be rebuilt from its config, on other backends, and when ``FINRISK_REUSE_GRAPHS=0`` is set.
"""

from __future__ import annotations

import json
import os
import random
import types
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import keras

__all__ = ["fit_reusing_graphs", "twin_count"]

_MAX_TWINS = 16
"""Twins kept per process (least recently used dropped): enough for every architecture one notebook fits."""

_twins: OrderedDict[str, keras.Model] = OrderedDict()


def twin_count() -> int:
    """Number of traced twins this process keeps (for tests and benchmarks)."""
    return len(_twins)


def fit_reusing_graphs(
    model: keras.Model, x: Any, y: Any, **fit_kwargs: Any
) -> keras.callbacks.History:
    """``model.fit(x, y, **fit_kwargs)``, run on a traced twin of ``model``'s architecture when one can be made
    (see the module docstring); ``model`` ends in the state its own fit would have left, optimizer included."""
    twin = _twin_for(model)
    if twin is None:
        return model.fit(x, y, **fit_kwargs)
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    _copy(model.variables, twin.variables)
    _copy(model.optimizer.variables, twin.optimizer.variables)
    history = twin.fit(x, y, **fit_kwargs)
    _copy(twin.variables, model.variables)
    _copy(twin.optimizer.variables, model.optimizer.variables)
    return history


def _copy(source: Sequence[Any], target: Sequence[Any]) -> None:
    for s, t in zip(source, target, strict=True):
        t.assign(s)


def _twin_for(model: keras.Model) -> keras.Model | None:
    """The cached twin of ``model`` (made on first use), or ``None`` when ``model`` must be fitted directly."""
    if (
        os.environ.get("FINRISK_REUSE_GRAPHS", "1") == "0"
        or keras.backend.backend() != "tensorflow"
    ):
        return None
    key = _model_key(model)
    if key is None:
        return None
    twin = _twins.get(key)
    if twin is None:
        twin = _make_twin(model, key)
        if twin is None:
            return None
        _twins[key] = twin
        if len(_twins) > _MAX_TWINS:
            _twins.popitem(last=False)
    _twins.move_to_end(key)
    return twin


def _make_twin(model: keras.Model, key: str) -> keras.Model | None:
    """A fresh copy of ``model``'s architecture compiled like it, or ``None`` if it cannot be rebuilt from its
    config or the copy is not identical (its key or its variables' shapes differ). Python's random state is restored afterwards: Keras draws default
    seeds from it when it builds layers, and the caller's next networks must draw the same ones as without a
    twin."""
    raw = model._compile_config.config
    custom = {type(layer).__name__: type(layer) for layer in model._flatten_layers()}
    state = random.getstate()
    try:
        with keras.saving.custom_object_scope(custom):
            twin = type(model).from_config(model.get_config())
        optimizer = type(model.optimizer).from_config(model.optimizer.get_config())
        twin.compile(**{**raw, "optimizer": optimizer})
        twin.optimizer.build(twin.trainable_variables)
    except Exception:  # any layer that cannot be rebuilt from its config: fit directly
        return None
    finally:
        random.setstate(state)
    same = _model_key(twin) == key and [tuple(v.shape) for v in twin.variables] == [
        tuple(v.shape) for v in model.variables
    ]
    return twin if same else None


def _model_key(model: keras.Model) -> str | None:
    """Architecture (layer names replaced by their order of appearance) and compile settings as one string;
    ``None`` when they cannot be identified by value."""
    kind = type(model)
    if kind.__name__ not in {"Sequential", "Functional"} or not kind.__module__.startswith(
        "keras."
    ):
        return None
    if not (
        model.built and model.compiled and isinstance(model.optimizer, keras.optimizers.Optimizer)
    ):
        return None
    optimizer = model.optimizer
    parts: dict[str, Any] = {
        "optimizer": [
            type(optimizer).__module__,
            type(optimizer).__qualname__,
            {k: v for k, v in optimizer.get_config().items() if k != "name"},
        ]
    }
    for name, value in model._compile_config.config.items():
        if name == "optimizer":
            continue
        if name in {"loss", "metrics", "weighted_metrics"}:
            parts[name] = _callable_key(value)
            if parts[name] is _UNKNOWN:
                return None
        else:
            parts[name] = repr(value)
    try:
        architecture = model.get_config()
        names = [
            architecture["name"],
            *(layer["config"]["name"] for layer in architecture["layers"]),
        ]
        renamed = _renamed(architecture, {n: f"#{i}" for i, n in enumerate(dict.fromkeys(names))})
        return json.dumps([renamed, parts], sort_keys=True, default=_unknown)
    except (KeyError, TypeError, ValueError, NotImplementedError):
        return None


def _renamed(config: object, names: dict[str, str]) -> object:
    """``config`` with every string that is a layer's or the model's name replaced by its placeholder."""
    if isinstance(config, dict):
        return {k: _renamed(v, names) for k, v in config.items()}
    if isinstance(config, list | tuple):
        return [_renamed(v, names) for v in config]
    return names.get(config, config) if isinstance(config, str) else config


_UNKNOWN = object()


def _unknown(value: object) -> object:
    raise TypeError(f"not serialisable by value: {type(value).__name__}")


def _callable_key(value: object) -> object:
    """A loss or metric (or a list/dict of them) as plain data; ``_UNKNOWN`` if it cannot be identified by value.
    A closure is identified by its code and the numbers/strings it closes over (``keras_pinball_loss(0.01)`` and
    ``keras_pinball_loss(0.05)`` differ); a stateful metric object never is."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        keys = [_callable_key(v) for v in value]
        return _UNKNOWN if any(k is _UNKNOWN for k in keys) else keys
    if isinstance(value, dict):
        named = {str(k): _callable_key(v) for k, v in value.items()}
        return _UNKNOWN if any(k is _UNKNOWN for k in named.values()) else named
    if isinstance(value, keras.losses.Loss) and not isinstance(value, keras.metrics.Metric):
        try:
            config = json.loads(json.dumps(value.get_config(), default=_unknown))
        except (TypeError, ValueError, NotImplementedError):
            return _UNKNOWN
        return [type(value).__module__, type(value).__qualname__, config]
    if isinstance(value, types.FunctionType):
        cells = [c.cell_contents for c in value.__closure__ or ()]
        if not all(type(c) in (int, float, str, bool) for c in cells):
            return _UNKNOWN
        return [value.__module__, value.__qualname__, value.__name__, cells]
    return _UNKNOWN
