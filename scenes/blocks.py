"""Building blocks of a neural network, computed by the MLP's own code so that the pictures
cannot drift from it: activation functions and their derivatives (``mlp.network.ACTIVATIONS``),
gradients through depth (an ``MLP``'s own backprop), the output gradient of MSE and
cross-entropy (``mlp.network.LOSSES``), and a cross-entropy calculator.

Pure (no streamlit, no plotly).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from mlp import _checks
from mlp.datasets import make, standardize
from mlp.network import ACTIVATIONS, LOSSES, MAX_HIDDEN_LAYERS, MLP

__all__ = [
    "MAX_PROBABILITIES",
    "CrossEntropy",
    "Curve",
    "SigmoidUnit",
    "activation_curves",
    "cross_entropy",
    "curve",
    "derivative_bound",
    "layer_gradients",
    "max_derivative",
    "parse_probabilities",
    "sigmoid_unit",
]

MAX_PROBABILITIES = 20
MAX_PROBABILITY_TEXT = 400  # characters: 20 values like 0.123456 with separators fit


class Curve(NamedTuple):
    """An activation on a range: ``z`` ``(m,)``, ``a = f(z)`` ``(m,)`` and ``f'(z)`` ``(m,)``."""

    z: np.ndarray
    value: np.ndarray
    derivative: np.ndarray


def _activation(name: str):
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {list(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def curve(name: str, z: np.ndarray) -> Curve:
    """Activation ``name`` and its derivative at ``z`` ``(m,)``, by the network's own ``f`` and
    ``df`` (``df`` takes ``a = f(z)``: sigmoid ``a (1 - a)``, tanh ``1 - a^2``, ...)."""
    act = _activation(name)
    z = np.asarray(z, dtype=np.float64)
    a = act.f(z.copy())  # f and df may work in place
    return Curve(z, a, act.df(a.copy()))


def activation_curves(
    names: Sequence[str] | None = None, low: float = -5.0, high: float = 5.0, points: int = 401
) -> dict[str, Curve]:
    """Every activation of ``names`` (default all of ``ACTIVATIONS``) on ``points`` evenly spaced
    ``z`` from ``low`` to ``high``."""
    low, high = _checks.number("low", low), _checks.number("high", high)
    if not low < high:
        raise ValueError(f"low must be below high, got {low} and {high}")
    points = _checks.integer("points", points, 2, 10_000)
    z = np.linspace(low, high, points)
    return {name: curve(name, z) for name in (ACTIVATIONS if names is None else names)}


def max_derivative(name: str) -> float:
    """The largest ``f'`` of activation ``name`` on ``[-10, 10]`` (``z = 0`` included), read off
    the network's ``df``: 1/4 for the sigmoid (at ``z = 0``), 1 for the others."""
    return float(curve(name, np.linspace(-10.0, 10.0, 20_001)).derivative.max())


def derivative_bound(name: str, depth: int) -> np.ndarray:
    """``(max f')^k`` for ``k = 0 .. depth`` ``(depth + 1,)``: backprop through ``k`` layers
    multiplies the gradient by ``k`` factors ``f'(z)`` (and the weights), so with the sigmoid
    the activations alone shrink it by at least ``4^k``."""
    depth = _checks.integer("depth", depth, 0, 100)
    return max_derivative(name) ** np.arange(depth + 1)


def layer_gradients(
    activation: str,
    depth: int = MAX_HIDDEN_LAYERS,
    width: int = 32,
    n: int = 200,
    seed: int = 0,
) -> np.ndarray:
    """Root-mean-square weight gradient of each layer ``(depth + 1,)``, input layer first, of a
    freshly initialised ``MLP`` with ``depth`` hidden layers of ``width`` units (the default
    initialisation of ``activation``: Xavier for sigmoid and tanh, He for the ReLU family) and
    a sigmoid output with cross-entropy, on ``n`` moons points (standardised), by the network's
    own backprop. With the sigmoid the first layers get far smaller gradients than the last
    (vanishing gradients); with tanh or ReLU at these initialisations they stay comparable.
    """
    _activation(activation)
    depth = _checks.integer("depth", depth, 1, MAX_HIDDEN_LAYERS)
    seed = _checks.integer("seed", seed, low=0)
    net = MLP((2, *[width] * depth, 1), activation, "bce", seed=seed)
    data = standardize(make("moons", _checks.integer("n", n, 2, 10_000), noise=0.1, seed=seed))
    _, grad = net.loss_and_grad(net.init_params(), data.X, data.y)
    return np.array([np.sqrt(np.mean(gW**2)) for gW, _ in net.unflatten(grad)])


class SigmoidUnit(NamedTuple):
    """One sigmoid output unit with target 1, as a function of its output ``p`` ``(m,)``: each
    loss and its gradient ``dL/dz`` with respect to the unit's input ``z = logit(p)``.

    Cross-entropy ``L = -ln p``, ``dL/dz = p - 1``; MSE (no factor 1/2, as PyTorch)
    ``L = (1 - p)^2``, ``dL/dz = 2 (p - 1) p (1 - p)``: the extra ``p (1 - p)`` makes the MSE
    gradient vanish exactly where the unit is confidently wrong (``p`` near 0).
    """

    p: np.ndarray
    ce_loss: np.ndarray
    ce_grad: np.ndarray
    mse_loss: np.ndarray
    mse_grad: np.ndarray


def sigmoid_unit(p: np.ndarray | None = None) -> SigmoidUnit:
    """:class:`SigmoidUnit` at outputs ``p`` (default 199 values from 0.005 to 0.995; each in
    ``(0, 1)``), computed by the network's ``bce`` and ``mse`` losses: each ``p`` is a network
    of its own with one example (a stack of ``m`` logits ``(m, 1, 1)``)."""
    p = np.linspace(0.005, 0.995, 199) if p is None else np.asarray(p, dtype=np.float64)
    if p.ndim != 1 or not p.size or not np.all((p > 0) & (p < 1)):
        raise ValueError("p must be a non-empty list of outputs strictly between 0 and 1")
    z = (np.log(p) - np.log1p(-p)).reshape(-1, 1, 1)  # logit: sigmoid(z) = p
    target = np.ones(1)
    ce_loss, ce_grad = LOSSES["classification"]["bce"](z, target)
    mse_loss, mse_grad = LOSSES["classification"]["mse"](z, target)
    return SigmoidUnit(p, ce_loss, ce_grad.ravel(), mse_loss, mse_grad.ravel())


class CrossEntropy(NamedTuple):
    """Cross-entropy of ``n`` examples from the probabilities ``p_i`` the softmax gave their
    true classes ``(n,)``: ``terms = -ln p_i`` ``(n,)``; ``total = -sum ln p_i`` (the sum, as
    the study notes write it); ``mean = total / n`` (what the MLP reports as its loss, PyTorch's
    ``reduction="mean"``)."""

    p: np.ndarray
    terms: np.ndarray
    total: float
    mean: float


def cross_entropy(probabilities: Sequence[float]) -> CrossEntropy:
    """:class:`CrossEntropy` of 1 to ``MAX_PROBABILITIES`` probabilities, each in ``(0, 1]``;
    ``ValueError`` naming the first bad value otherwise. Four examples with true-class
    probabilities 0.3, 0.8, 0.6 and 0.4 give ``total`` = 2.85 and ``mean`` = 0.71."""
    if isinstance(probabilities, str):
        raise ValueError("probabilities must be numbers; use parse_probabilities for text")
    values = list(probabilities)
    if not 1 <= len(values) <= MAX_PROBABILITIES:
        raise ValueError(f"give 1 to {MAX_PROBABILITIES} probabilities, got {len(values)}")
    for i, v in enumerate(values):
        v = _checks.number(f"probability {i + 1}", v)
        if not 0 < v <= 1:
            raise ValueError(f"probability {i + 1} must be in (0, 1], got {v:g}")
    p = np.array(values, dtype=np.float64)
    terms = -np.log(p)
    total = float(terms.sum())
    return CrossEntropy(p, terms, total, total / len(p))


def parse_probabilities(text: str) -> tuple[float, ...]:
    """Probabilities from text like ``"0.3, 0.8, 0.6, 0.4"`` (commas, semicolons or spaces),
    checked as :func:`cross_entropy` checks them. The length is bounded before any
    conversion, so a huge input fails fast with our message."""
    if len(text) > MAX_PROBABILITY_TEXT:
        raise ValueError(f"at most {MAX_PROBABILITY_TEXT} characters, got {len(text):,}")
    tokens = [t for t in re.split(r"[,;\s]+", text.strip()) if t]
    values = []
    for t in tokens:
        if not re.fullmatch(r"(\d+\.?\d*|\.\d+)(e-?\d+)?", t, re.IGNORECASE):
            raise ValueError(f"probabilities are decimal numbers such as 0.3, got {t!r}")
        values.append(float(t))
    if any(not math.isfinite(v) for v in values):
        raise ValueError("probabilities must be finite")
    cross_entropy(values)  # the same checks, the same messages
    return tuple(values)
