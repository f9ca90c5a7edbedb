"""A small fully connected network on ONE flat parameter vector, with hand-written backprop.

Layer ``l`` computes ``z_l = a_{l-1} @ W_l + b_l`` (``W_l`` of shape ``(fan_in, fan_out)``) and
``a_l = f(z_l)``; the last layer's ``z`` are the logits. Backprop, for a batch of ``n`` rows::

    dz_L = dLoss/dz_L                      (from the loss table below)
    dW_l = a_{l-1}.T @ dz_l + wd * W_l     db_l = sum_rows(dz_l)
    dz_{l-1} = (dz_l @ W_l.T) * f'(z_{l-1})

All parameters live in one float64 vector ``theta`` (per layer: ``W`` row-major, then ``b``),
so any optimizer from ``optim_core`` can step it like a point on a 2-D surface.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import NamedTuple

import numpy as np

__all__ = ["ACTIVATIONS", "LOSSES", "MLP"]

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 64
LEAKY_SLOPE = 0.01


class Activation(NamedTuple):
    """``a = f(z)`` and its derivative ``f'(z)`` written in terms of ``a`` (all five allow it).

    ``f`` may overwrite its argument ``z`` (the forward pass owns it), and ``df`` its argument
    ``a`` (backprop's last use of it), saving temporaries.
    """

    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    init: str  # default initialisation: "xavier" or "he"


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + e^-z)`` written as ``(1 + tanh(z/2)) / 2``: no overflow for any ``z``."""
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def _sigmoid_(z: np.ndarray) -> np.ndarray:
    """:func:`_sigmoid` computed in place in ``z``."""
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def _tanh_(z: np.ndarray) -> np.ndarray:
    """``tanh z = 2 / (1 + e^(-2z)) - 1`` computed in place in ``z``.

    Why not ``np.tanh``: on CPUs without AVX-512 NumPy's float64 ``tanh`` is scalar code, about
    2.5x slower than its vectorised ``exp``, and it is the forward pass's largest cost.
    Absolute error below 2e-15; exact limits: ``-2z`` is capped at 700 (``e^700 ~ 1e304``,
    giving exactly -1 without an overflow warning), and ``e^(-2z)`` underflows to 0 -> 1.
    """
    z *= -2.0
    np.minimum(z, 700.0, out=z)
    np.exp(z, out=z)
    z += 1.0
    np.divide(2.0, z, out=z)
    z -= 1.0
    return z


ACTIVATIONS: dict[str, Activation] = {
    # sigmoid  a = 1 / (1 + e^-z)              f' = a (1 - a)
    "sigmoid": Activation(_sigmoid_, lambda a: a * (1 - a), "xavier"),
    # tanh     a = tanh z                      f' = 1 - a^2
    "tanh": Activation(_tanh_, lambda a: np.subtract(1.0, np.square(a, out=a), out=a), "xavier"),
    # relu     a = max(0, z)                   f' = [a > 0]
    "relu": Activation(
        lambda z: np.maximum(z, 0.0, out=z), lambda a: (a > 0).astype(a.dtype), "he"
    ),
    # leaky    a = z if z > 0 else 0.01 z      f' = 1 if a > 0 else 0.01
    "leaky_relu": Activation(
        lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
        lambda a: np.where(a > 0, 1.0, LEAKY_SLOPE),
        "he",
    ),
    # elu      a = z if z > 0 else e^z - 1     f' = 1 if a > 0 else e^z = a + 1
    "elu": Activation(
        lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
        lambda a: np.where(a > 0, 1.0, a + 1),
        "he",
    ),
}


def _onehot(y: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[y]


def _bce(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Binary cross-entropy from logits ``z`` ``(n, 1)``, sigmoid output.

    ``L = mean(log(1 + e^z) - y z)`` (logaddexp, stable), ``dL/dz = (sigmoid(z) - y) / n``.
    """
    t = y.reshape(-1, 1)
    loss = np.sum(np.logaddexp(0, z) - t * z) / len(z)
    return float(loss), (_sigmoid(z) - t) / len(z)


def _ce(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy from logits ``z`` ``(n, k)``, softmax output.

    ``L = mean(logsumexp(z) - z_y)``, ``dL/dz = (softmax(z) - onehot(y)) / n``.
    """
    shifted = z - z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    logp = shifted - lse
    rows = np.arange(len(z))
    loss = -np.mean(logp[rows, y])
    dz = np.exp(logp)
    dz[rows, y] -= 1
    return float(loss), dz / len(z)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _mse(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error on the output probabilities ``p`` (sigmoid or softmax of ``z``).

    ``L = mean over rows of sum_c (p_c - t_c)^2`` with ``t`` the target (0/1, or one-hot).
    ``dL/dp = 2 (p - t) / n``, then through the output: sigmoid ``dz = dp * p (1 - p)``;
    softmax ``dz = p * (dp - sum_c(dp * p))``. The sigmoid factor ``p (1 - p)`` vanishes on
    confidently wrong points, which is why MSE learns slowly there.
    """
    if z.shape[1] == 1:
        t = y.reshape(-1, 1)
        p = _sigmoid(z)
        dp = 2 * (p - t) / len(z)
        return float(np.sum((p - t) ** 2) / len(z)), dp * p * (1 - p)
    p = _softmax(z)
    diff = p - _onehot(y, z.shape[1])
    dp = 2 * diff / len(z)
    return float(np.sum(diff**2) / len(z)), p * (dp - np.sum(dp * p, axis=1, keepdims=True))


LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]] = {
    "bce": _bce,
    "ce": _ce,
    "mse": _mse,
}


def _check_sizes(sizes: Sequence[int]) -> tuple[int, ...]:
    sizes = tuple(sizes)
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 1:
            raise ValueError(f"layer sizes must be positive integers, got {s!r} in {sizes}")
    if len(sizes) < 2:
        raise ValueError(f"sizes needs an input and an output size, got {sizes}")
    hidden = sizes[1:-1]
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(hidden)} in {sizes}")
    for h in hidden:
        if h > MAX_UNITS:
            raise ValueError(f"hidden layers have 1..{MAX_UNITS} units, got {h} in {sizes}")
    return tuple(int(s) for s in sizes)


class MLP:
    """Multi-layer perceptron ``sizes[0] -> ... -> sizes[-1]`` with a flat parameter vector.

    * ``sizes``: e.g. ``(2, 32, 32, 1)``; 0-6 hidden layers of 1-64 units.
    * ``activation`` of the hidden layers: one of :data:`ACTIVATIONS`.
    * output: sigmoid for one unit (two classes, ``P(y=1)``), softmax for ``k >= 2`` units.
    * ``loss``: ``"bce"`` (needs one output unit), ``"ce"`` (needs ``k >= 2``), ``"mse"`` on
      the output probabilities (either).
    * ``weight_decay`` ``wd`` adds ``0.5 * wd * sum ||W_l||^2`` to the loss: weights only,
      biases are not decayed.
    * ``init``: ``"xavier"`` (Glorot uniform, ``U(+-sqrt(6 / (fan_in + fan_out)))``) or ``"he"``
      (``N(0, 2 / fan_in)``); default Xavier for sigmoid/tanh, He for the ReLU family.
      Biases start at 0. Seeded by ``seed``.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "tanh",
        loss: str = "bce",
        seed: int = 0,
        weight_decay: float = 0.0,
        init: str | None = None,
    ):
        self.sizes = _check_sizes(sizes)
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; choose one of {list(ACTIVATIONS)}"
            )
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {list(LOSSES)}")
        k = self.sizes[-1]
        if loss == "bce" and k != 1:
            raise ValueError(f"loss 'bce' needs 1 output unit (sigmoid), got {k}; use 'ce'")
        if loss == "ce" and k == 1:
            raise ValueError("loss 'ce' needs >= 2 output units (softmax); use 'bce' for 1")
        if not weight_decay >= 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}")
        init = ACTIVATIONS[activation].init if init is None else init
        if init not in ("xavier", "he"):
            raise ValueError(f"unknown init {init!r}; choose 'xavier' or 'he'")
        self.activation, self.loss, self.init = activation, loss, init
        self.seed, self.weight_decay = seed, float(weight_decay)
        self._act, self._loss = ACTIVATIONS[activation], LOSSES[loss]
        self._layout = []  # per layer: (slice of W, slice of b, shape of W)
        start = 0
        for fan_in, fan_out in pairwise(self.sizes):
            w_end = start + fan_in * fan_out
            self._layout.append(
                (slice(start, w_end), slice(w_end, w_end + fan_out), (fan_in, fan_out))
            )
            start = w_end + fan_out
        self.n_params = start

    def __repr__(self) -> str:
        arch = "-".join(map(str, self.sizes))
        wd = f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""
        return f"MLP({arch}, {self.activation}, loss={self.loss}{wd}, {self.n_params} params)"

    @property
    def n_classes(self) -> int:
        return max(2, self.sizes[-1])

    def init_params(self, seed: int | None = None) -> np.ndarray:
        """A fresh flat ``theta`` ``(n_params,)``, seeded by ``seed`` (default ``self.seed``)."""
        rng = np.random.default_rng(self.seed if seed is None else seed)
        theta = np.zeros(self.n_params)
        for W, _ in self.unflatten(theta):
            fan_in, fan_out = W.shape
            if self.init == "xavier":
                limit = np.sqrt(6.0 / (fan_in + fan_out))
                W[:] = rng.uniform(-limit, limit, size=W.shape)
            else:
                W[:] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=W.shape)
        return theta

    def unflatten(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per-layer ``(W (fan_in, fan_out), b (fan_out,))`` as views into ``theta``."""
        return [(theta[w].reshape(shape), theta[b]) for w, b, shape in self._layout]

    def _forward(self, layers: list, X: np.ndarray) -> tuple[list, np.ndarray]:
        """Hidden activations ``[a_0 = X, a_1, ...]`` and the output logits ``(n, k)``, for
        ``layers = self.unflatten(theta)``."""
        acts = [X]
        for W, b in layers[:-1]:
            z = acts[-1] @ W
            z += b
            acts.append(self._act.f(z))
        W, b = layers[-1]
        z = acts[-1] @ W
        z += b
        return acts, z

    def loss_and_grad(
        self, theta: np.ndarray, X: np.ndarray, y: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Mean loss on ``X`` ``(n, d)``, ``y`` ``(n,)`` and its gradient ``(n_params,)``.

        A diverged ``theta`` gives ``inf``/``nan`` silently (no numpy warnings).
        """
        with np.errstate(all="ignore"):
            layers = self.unflatten(theta)
            acts, z = self._forward(layers, X)
            loss, dz = self._loss(z, y)
            grad = np.empty_like(theta)
            grads = self.unflatten(grad)
            for i in range(len(layers) - 1, -1, -1):
                (W, _), (gW, gb) = layers[i], grads[i]
                np.matmul(acts[i].T, dz, out=gW)
                dz.sum(axis=0, out=gb)
                if i > 0:  # back through a_i = f(z_i), the input of layer i
                    dz = dz @ W.T
                    dz *= self._act.df(acts[i])
            if self.weight_decay:
                loss += self._decay(theta, grad)
        return float(loss), grad

    def _decay(self, theta: np.ndarray, grad: np.ndarray) -> float:
        """Add ``wd * W`` to the weight gradients in ``grad``; return ``0.5 wd sum ||W||^2``."""
        penalty = 0.0
        for (W, _), (gW, _) in zip(self.unflatten(theta), self.unflatten(grad), strict=True):
            gW += self.weight_decay * W
            penalty += float(np.vdot(W, W))
        return 0.5 * self.weight_decay * penalty

    def loss_value(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        """The mean loss (weight decay included) without the gradient."""
        return self.loss_and_accuracy(theta, X, y)[0]

    def loss_and_accuracy(
        self, theta: np.ndarray, X: np.ndarray, y: np.ndarray
    ) -> tuple[float, float]:
        """The mean loss (weight decay included) and the accuracy, from one forward pass."""
        with np.errstate(all="ignore"):
            z = self._forward(self.unflatten(theta), X)[1]
            loss, _ = self._loss(z, y)
            if self.weight_decay:
                loss += (
                    0.5
                    * self.weight_decay
                    * sum(float(np.vdot(W, W)) for W, _ in self.unflatten(theta))
                )
            # the rule of predict(), on the same logits
            predicted = (_sigmoid(z[:, 0]) >= 0.5) if z.shape[1] == 1 else z.argmax(axis=1)
        return float(loss), float(np.mean(predicted == y))

    def predict_proba(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """``P(y=1)`` ``(n,)`` for one sigmoid output; class probabilities ``(n, k)`` else."""
        with np.errstate(all="ignore"):
            z = self._forward(self.unflatten(theta), X)[1]
            return _sigmoid(z[:, 0]) if z.shape[1] == 1 else _softmax(z)

    def predict(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Predicted labels ``(n,)``: ``P(y=1) >= 0.5``, or the most probable class."""
        p = self.predict_proba(theta, X)
        return (p >= 0.5).astype(np.intp) if p.ndim == 1 else p.argmax(axis=1)

    def accuracy(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of rows of ``X`` classified as ``y``."""
        return float(np.mean(self.predict(theta, X) == y))
