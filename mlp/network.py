"""A small fully connected network on ONE flat parameter vector, with hand-written backprop.

Layer ``l`` computes ``z_l = a_{l-1} @ W_l + b_l`` (``W_l`` of shape ``(fan_in, fan_out)``) and
``a_l = f(z_l)``; the last layer's ``z`` are the logits. Backprop, for a batch of ``n`` rows::

    dz_L = dLoss/dz_L                      (from the loss table below)
    dW_l = a_{l-1}.T @ dz_l + wd * W_l     db_l = sum_rows(dz_l)
    dz_{l-1} = (dz_l @ W_l.T) * f'(z_{l-1})

Two tasks. Classification: one sigmoid output unit (two classes, ``P(y=1)``) or ``k`` softmax
units, losses ``bce``, ``ce`` and ``mse`` (on the probabilities: the Brier score). Regression:
one linear output unit whose ``z`` is the prediction, losses ``mse`` and ``mae``. The input
``a_0`` is the points themselves, or the TensorFlow Playground features of ``mlp.features``
computed from them (``features=``).

All parameters live in one float64 vector ``theta`` (per layer: ``W`` row-major, then ``b``),
so any optimizer from ``optim_core`` can step it like a point on a 2-D surface.

The forward pass, the losses and the weight decay also take a *stack* of ``G`` networks (``theta``
of shape ``(G, n_params)``, logits ``(G, n, k)``, one loss per network), so that
``mlp.landscape`` evaluates a whole grid of weights with these same functions, in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from mlp import _checks
from mlp.features import check_features, feature_map

__all__ = ["ACTIVATIONS", "LOSSES", "MLP", "r2_score"]

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


def _sum_squares(a: np.ndarray) -> float | np.ndarray:
    """``sum a^2`` over the last two axes: a float for one matrix (BLAS's ``vdot``, the fast
    path training takes), one per matrix ``(...)`` for a stack."""
    if a.ndim == 2:
        return float(np.vdot(a, a))
    return np.einsum("...ij,...ij->...", a, a)


def _onehot(y: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[y]


# Every loss takes the logits ``z`` of one network ``(n, k)`` or of a stack of networks
# ``(..., n, k)`` and the targets ``y`` ``(n,)``; it returns the mean loss over the ``n`` rows
# (a scalar, or one per network ``(...)``) and ``dL/dz`` (the shape of ``z``).


def _bce(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Binary cross-entropy from logits ``z`` ``(n, 1)``, sigmoid output.

    ``L = mean(softplus(z) - y z)`` with ``softplus(z) = log(1 + e^z)`` (logaddexp, stable),
    ``dL/dz = (sigmoid(z) - y) / n`` with ``sigmoid(z) = e^(z - softplus(z))``, reusing it.
    """
    t, n = y.reshape(-1, 1), z.shape[-2]
    softplus = np.logaddexp(0.0, z)
    loss = np.add.reduce(softplus - t * z, axis=(-2, -1)) / n
    dz = np.exp(np.subtract(z, softplus, out=softplus), out=softplus)
    dz -= t
    dz *= 1.0 / n
    return loss, dz


def _ce(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cross-entropy from logits ``z`` ``(n, k)``, softmax output.

    ``L = mean(logsumexp(z) - z_y)``, ``dL/dz = (softmax(z) - onehot(y)) / n``.
    """
    shifted = z - z.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    logp = shifted - lse
    rows = np.arange(z.shape[-2])
    loss = -np.mean(logp[..., rows, y], axis=-1)
    dz = np.exp(logp)
    dz[..., rows, y] -= 1
    return loss, dz / z.shape[-2]


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _brier(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean squared error on the output probabilities ``p`` (sigmoid or softmax of ``z``).

    ``L = mean over rows of sum_c (p_c - t_c)^2`` with ``t`` the target (0/1, or one-hot).
    ``dL/dp = 2 (p - t) / n``, then through the output: sigmoid ``dz = dp * p (1 - p)``;
    softmax ``dz = p * (dp - sum_c(dp * p))``. The sigmoid factor ``p (1 - p)`` vanishes on
    confidently wrong points, which is why MSE learns slowly there.
    """
    n = z.shape[-2]
    if z.shape[-1] == 1:
        t = y.reshape(-1, 1)
        p = _sigmoid(z)
        dp = 2 * (p - t) / n
        return np.sum((p - t) ** 2, axis=(-2, -1)) / n, dp * p * (1 - p)
    p = _softmax(z)
    diff = p - _onehot(y, z.shape[-1])
    dp = 2 * diff / n
    return np.sum(diff**2, axis=(-2, -1)) / n, p * (dp - np.sum(dp * p, axis=-1, keepdims=True))


def _mse(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Regression: mean squared error of the linear output ``z`` ``(n, 1)`` against ``y`` ``(n,)``.

    ``L = mean((z - y)^2)`` (PyTorch's ``MSELoss``: no factor 1/2), ``dL/dz = 2 (z - y) / n``.
    """
    diff, n = z - y.reshape(-1, 1), z.shape[-2]
    return _sum_squares(diff) / n, diff * (2.0 / n)


def _mae(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Regression: mean absolute error ``L = mean|z - y|`` (PyTorch's ``L1Loss``).

    ``|d|`` has no derivative at ``d = 0``; we use the subgradient ``dL/dz = sign(z - y) / n``,
    which is 0 where ``z = y`` exactly (PyTorch's choice too). Its size does not shrink near
    the optimum, so a constant learning rate makes the loss hover instead of settling.
    """
    diff, n = z - y.reshape(-1, 1), z.shape[-2]
    return np.abs(diff).sum(axis=(-2, -1)) / n, np.sign(diff) / n


LOSSES: dict[str, dict[str, Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]]] = {
    "classification": {"bce": _bce, "ce": _ce, "mse": _brier},
    "regression": {"mse": _mse, "mae": _mae},
}


def _labels(z: np.ndarray) -> np.ndarray:
    """Predicted classes from the logits ``z`` ``(n, k)``: ``P(y=1) >= 1/2``, that is ``z >= 0``,
    for one sigmoid unit; the largest logit for softmax."""
    return (z[:, 0] >= 0).astype(np.intp) if z.shape[1] == 1 else z.argmax(axis=1)


def _r2(sse: float, sst: float) -> float:
    """``1 - sse / sst``; for constant targets (``sst = 0``) 1 if ``sse = 0`` else 0, as
    scikit-learn's ``r2_score`` (``force_finite=True``)."""
    if sst == 0:
        return 1.0 if sse == 0 else 0.0
    return float(1.0 - sse / sst)


def r2_score(y: np.ndarray, prediction: np.ndarray) -> float:
    """Coefficient of determination ``R^2 = 1 - sum (y - p)^2 / sum (y - mean y)^2`` of targets
    ``y`` ``(n,)`` and predictions ``p`` ``(n,)``: 1 is perfect, 0 is as good as predicting the
    mean, below 0 worse. Constant targets give 1 or 0 (scikit-learn's convention)."""
    y, prediction = np.asarray(y, dtype=np.float64), np.asarray(prediction, dtype=np.float64)
    with np.errstate(all="ignore"):
        return _r2(float(np.sum((y - prediction) ** 2)), float(np.sum((y - y.mean()) ** 2)))


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
    * ``task="classification"``: sigmoid output for one unit (two classes, ``P(y=1)``), softmax
      for ``k >= 2`` units; labels ``y`` are integers ``0..n_classes-1``. ``loss``: ``"bce"``
      (needs one output unit, the default for it), ``"ce"`` (needs ``k >= 2``, the default
      for it), ``"mse"`` on the output probabilities (either).
    * ``task="regression"``: one linear output unit, real targets ``y``; ``loss`` ``"mse"``
      (default) or ``"mae"``; the metric is :func:`r2_score` instead of accuracy.
    * ``features``: ``None`` (the network sees the columns of ``X`` as they are) or names from
      :data:`mlp.features.FEATURES`, computed from points ``X`` ``(n, 2)``; then
      ``sizes[0] == len(features)``.
    * ``weight_decay`` ``wd`` adds ``0.5 * wd * sum ||W_l||^2`` to the loss: weights only,
      biases are not decayed.
    * ``init``: ``"xavier"`` (Glorot uniform, ``U(+-sqrt(6 / (fan_in + fan_out)))``) or ``"he"``
      (``N(0, 2 / fan_in)``); default Xavier for sigmoid/tanh, He for the ReLU family.
      Biases start at 0. Seeded by ``seed``.

    Every method checks its inputs (shapes, finite values, labels within the classes) and
    raises ``ValueError`` naming the problem.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "tanh",
        loss: str | None = None,
        seed: int = 0,
        weight_decay: float = 0.0,
        init: str | None = None,
        *,
        task: str = "classification",
        features: Sequence[str] | None = None,
    ):
        self.sizes = _check_sizes(sizes)
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; choose one of {list(ACTIVATIONS)}"
            )
        if task not in LOSSES:
            raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
        k = self.sizes[-1]
        if task == "regression" and k != 1:
            raise ValueError(f"regression has 1 linear output unit, got {k} in {self.sizes}")
        if loss is None:
            loss = "mse" if task == "regression" else "bce" if k == 1 else "ce"
        if loss not in LOSSES[task]:
            raise ValueError(f"unknown {task} loss {loss!r}; choose one of {list(LOSSES[task])}")
        if loss == "bce" and k != 1:
            raise ValueError(f"loss 'bce' needs 1 output unit (sigmoid), got {k}; use 'ce'")
        if loss == "ce" and k == 1:
            raise ValueError("loss 'ce' needs >= 2 output units (softmax); use 'bce' for 1")
        self.weight_decay = _checks.number("weight_decay", weight_decay, low=0.0)
        self.seed = _checks.integer("seed", seed, low=0)
        init = ACTIVATIONS[activation].init if init is None else init
        if init not in ("xavier", "he"):
            raise ValueError(f"unknown init {init!r}; choose 'xavier' or 'he'")
        self.features = None if features is None else check_features(features)
        if self.features is not None and len(self.features) != self.sizes[0]:
            raise ValueError(
                f"sizes[0] must be the number of features, {len(self.features)} for "
                f"{self.features}, got {self.sizes[0]}"
            )
        self.activation, self.loss, self.init, self.task = activation, loss, init, task
        self._act, self._loss = ACTIVATIONS[activation], LOSSES[task][loss]
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
        task = ", regression" if self.task == "regression" else ""
        features = f", features={','.join(self.features)}" if self.features else ""
        wd = f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""
        return (
            f"MLP({arch}, {self.activation}{task}, loss={self.loss}{features}{wd}, "
            f"{self.n_params} params)"
        )

    @property
    def n_classes(self) -> int:
        """Number of classes (2 for one sigmoid unit); 0 for regression."""
        return 0 if self.task == "regression" else max(2, self.sizes[-1])

    @property
    def metric(self) -> str:
        """``"accuracy"`` for classification, ``"r2"`` for regression."""
        return "r2" if self.task == "regression" else "accuracy"

    def init_params(self, seed: int | None = None) -> np.ndarray:
        """A fresh flat ``theta`` ``(n_params,)``, seeded by ``seed`` (default ``self.seed``)."""
        seed = self.seed if seed is None else _checks.integer("seed", seed, low=0)
        rng = np.random.default_rng(seed)
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
        """Per-layer ``(W (fan_in, fan_out), b (fan_out,))`` as views into ``theta``.

        A stack ``theta`` ``(G, n_params)`` of ``G`` networks gives ``W (G, fan_in, fan_out)``
        and ``b (G, 1, fan_out)``, which the forward pass broadcasts over the rows of ``X``.
        """
        if theta.ndim == 2:
            g = len(theta)
            return [
                (theta[:, w].reshape(g, *shape), theta[:, b].reshape(g, 1, shape[1]))
                for w, b, shape in self._layout
            ]
        return [(theta[w].reshape(shape), theta[b]) for w, b, shape in self._layout]

    # --- input checks, where values enter ---------------------------------------------------

    def _theta(self, theta) -> np.ndarray:
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must have shape ({self.n_params},), got {theta.shape}")
        return theta

    def _inputs(self, X) -> np.ndarray:
        """``X`` checked (finite, ``(n, 2)`` with features, else ``(n, sizes[0])``) and mapped
        to the network's input ``(n, sizes[0])``."""
        X = _checks.finite_array("X", X, (None, 2 if self.features else self.sizes[0]))
        return X if self.features is None else feature_map(X, self.features)

    def _targets(self, y, n: int) -> np.ndarray:
        """``y`` ``(n,)`` checked: finite reals for regression, else class labels as integers
        ``0..n_classes-1`` (integer-valued floats and bools are accepted)."""
        if self.task == "regression":
            return _checks.finite_array("y", y, (n,))
        y = np.asarray(y)
        if y.shape != (n,):
            raise ValueError(f"y must have shape ({n},) like the rows of X, got {y.shape}")
        k = self.n_classes
        if y.dtype.kind not in "biuf":
            raise ValueError(f"class labels must be integers 0..{k - 1}, got dtype {y.dtype}")
        with np.errstate(invalid="ignore"):
            bad = ~((y >= 0) & (y <= k - 1) & (y == np.round(y)))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"class labels must be integers 0..{k - 1} for this {k}-class network, got "
                f"{y[i].item()!r} at index {i}"
            )
        return y.astype(np.intp, copy=False)

    # --- forward and backward ---------------------------------------------------------------

    def _forward(
        self, layers: list, X: np.ndarray, out: list | None = None
    ) -> tuple[list, np.ndarray]:
        """Hidden activations ``[a_0 = X, a_1, ...]`` and the output logits ``(n, k)``, for
        ``layers = self.unflatten(theta)``; into the buffers ``out`` (one per layer, at least
        ``n`` rows; see :meth:`_buffers`) if given, else into new arrays."""
        acts = [X]
        for i, (W, b) in enumerate(layers):
            z = np.matmul(acts[-1], W, out=None if out is None else out[i][: len(X)])
            z += b
            if i == len(layers) - 1:
                return acts, z
            acts.append(self._act.f(z))

    def _backward(
        self, layers: list, grads: list, acts: list, dz: np.ndarray, out: list | None = None
    ) -> None:
        """Backprop ``dz = dLoss/dz_L`` into ``grads`` (per-layer views of the gradient vector),
        through the ``dz`` buffers ``out`` of the hidden layers if given. Overwrites the hidden
        activations (their last use)."""
        for i in range(len(layers) - 1, -1, -1):
            (W, _), (gW, gb) = layers[i], grads[i]
            np.matmul(acts[i].T, dz, out=gW)
            np.add.reduce(dz, axis=0, out=gb)
            if i > 0:  # back through a_i = f(z_i), the input of layer i
                dz = np.matmul(dz, W.T, out=None if out is None else out[i - 1][: len(dz)])
                dz *= self._act.df(acts[i])

    def _buffers(self, rows: int) -> tuple[list, list]:
        """Scratch memory for :meth:`_loss_and_grad_` on up to ``rows`` rows: each layer's ``z``
        and each hidden layer's ``dz``, allocated once by ``train`` for a whole run."""
        widths = self.sizes[1:]
        return [np.empty((rows, w)) for w in widths], [np.empty((rows, w)) for w in widths[:-1]]

    def _batch_stat(self, z: np.ndarray, y: np.ndarray) -> float:
        """What the metric sums over rows: correct predictions, or squared errors."""
        if self.task == "regression":
            diff = z[:, 0] - y
            return float(np.vdot(diff, diff))
        predicted = (z[:, 0] >= 0) if z.shape[1] == 1 else z.argmax(axis=1)  # as _labels
        return float(np.count_nonzero(predicted == y))

    def _metric(self, stat: float, y: np.ndarray) -> float:
        """Accuracy ``stat / n``, or ``R^2 = 1 - stat / sum (y - mean y)^2``, for the rows
        ``y`` that the summed :meth:`_batch_stat` ``stat`` covers."""
        if self.task == "regression":
            return _r2(stat, float(np.sum((y - y.mean()) ** 2)))
        return stat / len(y)

    def _loss_and_grad_(
        self, layers: list, grads: list, X: np.ndarray, y: np.ndarray, buffers=(None, None)
    ) -> tuple[float, float]:
        """One pass on checked inputs: the mean loss (weight decay included) and
        :meth:`_batch_stat`; writes the gradient into ``grads``. ``buffers`` from
        :meth:`_buffers`, or fresh arrays. Callers silence NumPy's warnings."""
        acts, z = self._forward(layers, X, buffers[0])
        loss, dz = self._loss(z, y)
        stat = self._batch_stat(z, y)
        self._backward(layers, grads, acts, dz, buffers[1])
        if self.weight_decay:
            loss += self._decay(layers, grads)
        return float(loss), stat

    def _decay(self, layers: list, grads: list | None = None) -> float | np.ndarray:
        """``0.5 wd sum ||W||^2`` (one per network for stacked ``layers``); with ``grads``,
        also add ``wd * W`` to the weight gradients."""
        penalty = 0.0
        for i, (W, _) in enumerate(layers):
            if grads is not None:
                gW = grads[i][0]
                gW += self.weight_decay * W
            penalty += _sum_squares(W)
        return 0.5 * self.weight_decay * penalty

    def _evaluate(self, layers: list, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Loss (weight decay included) and metric on checked inputs, one forward pass."""
        z = self._forward(layers, X)[1]
        loss, _ = self._loss(z, y)
        if self.weight_decay:
            loss += self._decay(layers)
        return float(loss), self._metric(self._batch_stat(z, y), y)

    # --- public methods on raw inputs -------------------------------------------------------

    def loss_and_grad(
        self, theta: np.ndarray, X: np.ndarray, y: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Mean loss on ``X`` ``(n, d)``, ``y`` ``(n,)`` and its gradient ``(n_params,)``.

        A diverged ``theta`` gives ``inf``/``nan`` silently (no numpy warnings).
        """
        theta, X = self._theta(theta), self._inputs(X)
        y = self._targets(y, len(X))
        grad = np.empty_like(theta)
        with np.errstate(all="ignore"):
            loss, _ = self._loss_and_grad_(self.unflatten(theta), self.unflatten(grad), X, y)
        return float(loss), grad

    def loss_value(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        """The mean loss (weight decay included) without the gradient."""
        return self.evaluate(theta, X, y)[0]

    def evaluate(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """The mean loss (weight decay included) and the metric (accuracy, or ``R^2`` for
        regression, see :attr:`metric`), from one forward pass."""
        theta, X = self._theta(theta), self._inputs(X)
        y = self._targets(y, len(X))
        with np.errstate(all="ignore"):
            return self._evaluate(self.unflatten(theta), X, y)

    def _logits(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        theta, X = self._theta(theta), self._inputs(X)
        with np.errstate(all="ignore"):
            return self._forward(self.unflatten(theta), X)[1]

    def predict_proba(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Classification: ``P(y=1)`` ``(n,)`` for one sigmoid output; class probabilities
        ``(n, k)`` else."""
        if self.task == "regression":
            raise ValueError("predict_proba is for classification; use predict for regression")
        z = self._logits(theta, X)
        with np.errstate(all="ignore"):
            return _sigmoid(z[:, 0]) if z.shape[1] == 1 else _softmax(z)

    def predict(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """``(n,)``: predicted labels (``P(y=1) >= 0.5``, or the most probable class), or the
        predicted values for regression."""
        z = self._logits(theta, X)
        return z[:, 0] if self.task == "regression" else _labels(z)

    def accuracy(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        """Classification: fraction of rows of ``X`` classified as ``y``."""
        if self.task == "regression":
            raise ValueError("accuracy is for classification; use r2 for regression")
        return self.evaluate(theta, X, y)[1]

    def r2(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        """Regression: :func:`r2_score` of the predictions on ``X`` against ``y``."""
        if self.task != "regression":
            raise ValueError("r2 is for regression; use accuracy for classification")
        return self.evaluate(theta, X, y)[1]
