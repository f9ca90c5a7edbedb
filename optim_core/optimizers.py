r"""Named optimizers with PyTorch's names, defaults and equations, as short chains of transforms.

Every optimizer is built by a factory (``sgd``, ``adam``, ...) and used as::

    opt = make("adam", lr=0.1)
    state = opt.init(params)                      # params: float array of any shape
    params, state = opt.step(params, grads, state)  # pure: inputs are never mutated

The update each step is :math:`\theta \leftarrow \theta - \text{lr}_t \cdot u` where :math:`u` is
the gradient passed through the optimizer's transforms (see ``transforms``). Every factory also
takes ``schedule`` (see ``schedules``) and ``clip_norm`` (per-run gradient clipping).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from optim_core import transforms as tf
from optim_core.curvature import CurvatureOptimizer
from optim_core.newton import LevenbergMarquardt, Newton, SaddleFreeNewton
from optim_core.quasi_newton import BFGS, CG, LBFGS
from optim_core.schedules import Constant
from optim_core.validation import check_flag, check_value


class OptState(NamedTuple):
    """Optimizer state: the number of steps taken and one state per transform."""

    count: int
    inner: tuple


def _copy_tree(state):
    """Deep copy of nested tuples / NamedTuples of arrays (``None`` leaves stay ``None``)."""
    if state is None:
        return None
    if isinstance(state, np.ndarray):
        return state.copy()
    if isinstance(state, tuple):
        return (
            type(state)(*map(_copy_tree, state))
            if hasattr(state, "_fields")
            else tuple(map(_copy_tree, state))
        )
    return state


def _map_tree(fn, state):
    """Apply ``fn`` to every array leaf of a state tree."""
    if state is None:
        return None
    if isinstance(state, np.ndarray):
        return fn(state)
    if isinstance(state, tuple):
        leaves = [_map_tree(fn, s) for s in state]
        return type(state)(*leaves) if hasattr(state, "_fields") else tuple(leaves)
    return state


class Optimizer:
    """A named chain of transforms followed by a (scheduled) learning-rate step.

    ``hyperparams`` holds every hyperparameter, defaults included, so that ``repr`` shows the
    full configuration and ``take`` can rebuild the optimizer for a subset of batched runs.
    """

    def __init__(self, name: str, hyperparams: dict[str, Any], chain: list, schedule=None):
        self.name = name
        self.hyperparams = hyperparams
        self.chain = chain
        self.schedule = schedule or Constant()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.hyperparams.items())
        return f"{self.name}({args})"

    def init(self, params: np.ndarray) -> OptState:
        """Fresh state for ``params`` (count 0, zero moments)."""
        params = np.asarray(params, dtype=np.float64)
        return OptState(0, tuple(t.init(params) for t in self.chain))

    def step(
        self, params: np.ndarray, grads: np.ndarray, state: OptState
    ) -> tuple[np.ndarray, OptState]:
        """One update. Pure: returns new ``(params, state)`` and leaves its inputs untouched."""
        params = np.asarray(params, dtype=np.float64)
        u = np.array(grads, dtype=np.float64, copy=True)
        state = OptState(state.count, _copy_tree(state.inner))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            state = self.update_(u, params, state)
            return params - u, state

    def update_(
        self, u: np.ndarray, params: np.ndarray, state: OptState, scratch: np.ndarray | None = None
    ) -> OptState:
        """Turn the gradient ``u`` into the step ``lr_t * direction`` **in place**.

        Also updates the state arrays in place; returns the state with the new count. This is
        the fast path used by ``run`` on buffers it owns: ``params -= u`` completes the step.
        ``scratch``, an array shaped like ``u`` (not overlapping it, ``params`` or the state),
        is working memory for the kernels; ``run`` passes one it owns so that no step allocates.
        Callers silence NumPy's overflow warnings (diverging runs are results, not errors).
        """
        t = state.count + 1
        if scratch is None:
            scratch = np.empty_like(u)
        for transform, s in zip(self.chain, state.inner, strict=True):
            transform.update_(u, s, params, t, scratch)
        u *= self.schedule(self.hyperparams["lr"], t - 1)
        return OptState(t, state.inner)

    def check(self, surface, n: int) -> None:
        """ValueError unless every array hyperparameter broadcasts against the positions
        (n, 2) of n runs, with one row per run if it has rows (``(n, 1)``, ``(n, 2)``) or none
        (``(2,)``, ``(1,)``). First-order methods need nothing of ``surface`` but a gradient."""
        for name, value in self.hyperparams.items():
            for v in value if isinstance(value, tuple) else (value,):
                shape = np.shape(v)
                fits = len(shape) < 2 or shape[0] == n
                try:
                    fits = fits and np.broadcast_shapes(shape, (n, 2)) == (n, 2)
                except ValueError:
                    fits = False
                if not fits:
                    raise ValueError(
                        f"{name} of shape {shape} does not fit {n} run(s): per-run values need "
                        f"shape ({n}, 1) or ({n}, 2), per-coordinate values (2,)"
                    )

    def take(self, rows) -> Optimizer:
        """The same optimizer for a subset ``rows`` of a batch of runs.

        Array hyperparameters with one row per run (``ndim >= 2``, e.g. ``lr`` of shape
        ``(N, 1)``) are indexed; scalars and per-coordinate arrays are kept.
        """
        if not self.per_run:
            return self
        hp = {k: _take(v, rows) for k, v in self.hyperparams.items()}
        return OPTIMIZERS[self.name](**hp, schedule=self.schedule, clip_norm=self.clip_norm)

    @property
    def per_run(self) -> bool:
        """Whether some hyperparameter has one row per run (``ndim >= 2``)."""
        return any(np.ndim(v) >= 2 for v in _leaves(self.hyperparams))

    @property
    def clip_norm(self):
        return next((t.max_norm for t in self.chain if isinstance(t, tf.ClipByNorm)), None)


def _leaves(hp: dict):
    for v in hp.values():
        yield from v if isinstance(v, tuple) else (v,)


def _take(value, rows):
    if isinstance(value, tuple):
        return tuple(_take(v, rows) for v in value)
    return np.asarray(value)[rows] if np.ndim(value) >= 2 else value


def _short(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_short, value)) + ")"
    if np.ndim(value) > 0:
        return f"array{np.shape(value)}"
    return repr(value)


# ----------------------------------------------------------------------------------------------
# Validation: PyTorch's checks, with the offending value in the message; stricter than PyTorch
# on types (see ``validation``) and on eps (see ``_eps``).


def _nonnegative(name: str, value):
    check_value(name, value, lambda a: a >= 0, ">= 0")


def _unit_interval(name: str, value):
    check_value(name, value, lambda a: (a >= 0) & (a < 1), "in [0, 1)")


def _eps(value):
    """eps > 0, where PyTorch accepts 0: every adaptive method divides by sqrt(accumulated
    squares) + eps (Adadelta by sqrt(v + eps)), which is 0/0 = NaN for a gradient component that
    has been exactly 0 so far, e.g. at a start on an axis of symmetry."""
    check_value(
        "eps",
        value,
        lambda a: a > 0,
        "> 0: with eps = 0 a gradient component that is exactly 0 gives 0/0 = NaN "
        "(torch.optim accepts 0 and steps to NaN there)",
    )


def _common(lr, weight_decay, clip_norm, schedule) -> list:
    _nonnegative("lr", lr)
    _nonnegative("weight_decay", weight_decay)
    if not (schedule is None or callable(schedule)):
        raise ValueError(
            f"Invalid schedule value: {schedule!r} (a schedule from optim_core.schedules, or a "
            "callable (lr, k) -> learning rate of step k)"
        )
    chain = []
    if clip_norm is not None:
        check_value("clip_norm", clip_norm, lambda a: a > 0, "> 0")
        chain.append(tf.ClipByNorm(clip_norm))
    return chain


def _l2(chain: list, weight_decay) -> list:
    if not tf._is_zero(weight_decay):
        chain.append(tf.AddWeightDecay(weight_decay))
    return chain


# ----------------------------------------------------------------------------------------------
# Factories. Names and defaults are torch.optim's.


def sgd(
    lr=1e-3,
    momentum=0.0,
    dampening=0.0,
    weight_decay=0.0,
    nesterov=False,
    *,
    schedule=None,
    clip_norm=None,
) -> Optimizer:
    r"""``torch.optim.SGD``: :math:`g \leftarrow g + \lambda\theta`; with momentum
    :math:`b_1 = g,\ b_t = \mu b_{t-1} + (1-\tau) g`; step :math:`g + \mu b` (Nesterov) or
    :math:`b`; :math:`\theta \leftarrow \theta - \text{lr}\cdot\text{step}`."""
    chain = _l2(_common(lr, weight_decay, clip_norm, schedule), weight_decay)
    _nonnegative("momentum", momentum)
    check_value("dampening", dampening, lambda a: a <= 1, "<= 1")
    check_flag("nesterov", nesterov)
    if nesterov and (np.any(np.asarray(momentum) <= 0) or not tf._is_zero(dampening)):
        raise ValueError(
            f"Nesterov momentum requires a momentum > 0 and zero dampening "
            f"(got momentum={momentum}, dampening={dampening})"
        )
    if not tf._is_zero(momentum):
        chain.append(tf.Trace(momentum, dampening, nesterov))
    hp = dict(
        lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov
    )
    return Optimizer("sgd", hp, chain, schedule)


def momentum(
    lr=1e-3, momentum=0.9, dampening=0.0, weight_decay=0.0, *, schedule=None, clip_norm=None
) -> Optimizer:
    """SGD with heavy-ball momentum (``torch.optim.SGD(momentum=0.9)``)."""
    return _renamed(
        "momentum",
        sgd(lr, momentum, dampening, weight_decay, False, schedule=schedule, clip_norm=clip_norm),
    )


def nag(
    lr=1e-3, momentum=0.9, dampening=0.0, weight_decay=0.0, *, schedule=None, clip_norm=None
) -> Optimizer:
    """Nesterov accelerated gradient (``torch.optim.SGD(momentum=0.9, nesterov=True)``)."""
    return _renamed(
        "nag",
        sgd(lr, momentum, dampening, weight_decay, True, schedule=schedule, clip_norm=clip_norm),
    )


def _renamed(name: str, opt: Optimizer) -> Optimizer:
    """An SGD variant under its own name; ``nesterov`` is implied by the name."""
    opt.name = name
    del opt.hyperparams["nesterov"]
    return opt


def adagrad(
    lr=1e-2,
    lr_decay=0.0,
    weight_decay=0.0,
    initial_accumulator_value=0.0,
    eps=1e-10,
    *,
    schedule=None,
    clip_norm=None,
) -> Optimizer:
    r"""``torch.optim.Adagrad``: :math:`s \mathrel{+}= g^2`,
    :math:`\theta \leftarrow \theta - \frac{\text{lr}}{1+(t-1)\,\text{lr\_decay}}
    \frac{g}{\sqrt{s}+\epsilon}`, :math:`s_0` = ``initial_accumulator_value``.

    Unlike PyTorch, eps must be > 0 (``_eps``: 0 turns a zero gradient component into NaN)."""
    chain = _l2(_common(lr, weight_decay, clip_norm, schedule), weight_decay)
    _eps(eps)
    _nonnegative("lr_decay", lr_decay)
    _nonnegative("initial_accumulator_value", initial_accumulator_value)
    chain.append(tf.ScaleByAdagrad(lr_decay, initial_accumulator_value, eps))
    hp = dict(
        lr=lr,
        lr_decay=lr_decay,
        weight_decay=weight_decay,
        initial_accumulator_value=initial_accumulator_value,
        eps=eps,
    )
    return Optimizer("adagrad", hp, chain, schedule)


def rmsprop(
    lr=1e-2,
    alpha=0.99,
    eps=1e-8,
    weight_decay=0.0,
    momentum=0.0,
    centered=False,
    *,
    schedule=None,
    clip_norm=None,
) -> Optimizer:
    r"""``torch.optim.RMSprop``: :math:`v = \alpha v + (1-\alpha) g^2` (centered: minus the
    squared running mean of :math:`g`); :math:`d = g/(\sqrt{v}+\epsilon)`; with momentum
    :math:`b = \mu b + d`, step :math:`b`; :math:`\theta \leftarrow \theta - \text{lr}\cdot\text{step}`.

    Unlike PyTorch, eps must be > 0 (``_eps``: 0 turns a zero gradient component into NaN)."""
    chain = _l2(_common(lr, weight_decay, clip_norm, schedule), weight_decay)
    _eps(eps)
    _nonnegative("alpha", alpha)
    _nonnegative("momentum", momentum)
    check_flag("centered", centered)
    chain.append(tf.ScaleByRms(alpha, eps, centered))
    if not tf._is_zero(momentum):
        chain.append(tf.Trace(momentum))
    hp = dict(
        lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered
    )
    return Optimizer("rmsprop", hp, chain, schedule)


def adam(
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    *,
    schedule=None,
    clip_norm=None,
) -> Optimizer:
    r"""``torch.optim.Adam`` (``amsgrad=True``: AMSGrad):
    :math:`m = \beta_1 m + (1-\beta_1) g`, :math:`v = \beta_2 v + (1-\beta_2) g^2`,
    :math:`\theta \leftarrow \theta - \text{lr}\,\frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)}+\epsilon}`.

    Unlike PyTorch, eps must be > 0 (``_eps``: 0 turns a zero gradient component into NaN)."""
    chain = _l2(_common(lr, weight_decay, clip_norm, schedule), weight_decay)
    _eps(eps)
    _adam_betas(betas)
    check_flag("amsgrad", amsgrad)
    chain.append(tf.ScaleByAdam(betas[0], betas[1], eps, amsgrad))
    hp = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
    return Optimizer("adam", hp, chain, schedule)


def adamw(
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=1e-2,
    amsgrad=False,
    *,
    schedule=None,
    clip_norm=None,
) -> Optimizer:
    r"""``torch.optim.AdamW``: Adam's step plus decoupled decay,
    :math:`\theta \leftarrow \theta - \text{lr}\,(\hat m/(\sqrt{\hat v}+\epsilon) + \lambda\theta)`.

    Unlike PyTorch, eps must be > 0 (``_eps``: 0 turns a zero gradient component into NaN)."""
    chain = _common(lr, weight_decay, clip_norm, schedule)
    _eps(eps)
    _adam_betas(betas)
    check_flag("amsgrad", amsgrad)
    chain.append(tf.ScaleByAdam(betas[0], betas[1], eps, amsgrad))
    if not tf._is_zero(weight_decay):
        chain.append(tf.AddWeightDecay(weight_decay))
    hp = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
    return Optimizer("adamw", hp, chain, schedule)


def adadelta(
    lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, *, schedule=None, clip_norm=None
) -> Optimizer:
    r"""``torch.optim.Adadelta``: :math:`v = \rho v + (1-\rho) g^2`,
    :math:`\Delta = \sqrt{a+\epsilon}/\sqrt{v+\epsilon}\, g`, :math:`a = \rho a + (1-\rho)\Delta^2`,
    :math:`\theta \leftarrow \theta - \text{lr}\,\Delta`.

    Unlike PyTorch, eps must be > 0 (``_eps``: with eps = 0 the first step is 0/0 wherever
    the gradient component is 0, and 0 elsewhere, since the accumulated update a starts at 0)."""
    chain = _l2(_common(lr, weight_decay, clip_norm, schedule), weight_decay)
    _eps(eps)
    check_value("rho", rho, lambda a: (a >= 0) & (a <= 1), "in [0, 1]")
    chain.append(tf.ScaleByAdadelta(rho, eps))
    hp = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
    return Optimizer("adadelta", hp, chain, schedule)


def _adam_betas(betas):
    if not (isinstance(betas, tuple | list) and len(betas) == 2):
        raise ValueError(f"Invalid betas: {betas!r} (expected a tuple of two values)")
    _unit_interval("beta parameter at index 0", betas[0])
    _unit_interval("beta parameter at index 1", betas[1])


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd,
    "momentum": momentum,
    "nag": nag,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "adamw": adamw,
    "adadelta": adadelta,
}


# Second-order and quasi-Newton methods (``curvature``): they need values, gradients, Hessians or
# residuals at points of their choosing, so they run on surfaces only (``run``), not on arrays
# of parameters via init/step like the first-order optimizers above.
CURVATURE_OPTIMIZERS: dict[str, type[CurvatureOptimizer]] = {
    "newton": Newton,
    "saddle_free_newton": SaddleFreeNewton,
    "bfgs": BFGS,
    "lbfgs": LBFGS,
    "cg": CG,
    "levenberg_marquardt": LevenbergMarquardt,
}


def make(name: str, **hyperparams) -> Optimizer | CurvatureOptimizer:
    """Build the optimizer ``name`` (a key of ``OPTIMIZERS`` or ``CURVATURE_OPTIMIZERS``) with
    PyTorch hyperparameters.

    Unknown names raise ``KeyError`` and unknown hyperparameters ``TypeError``, both listing
    the valid choices; invalid values raise ``ValueError`` naming the value.
    """
    factories = {**OPTIMIZERS, **CURVATURE_OPTIMIZERS}
    try:
        factory = factories[name]
    except KeyError:
        raise KeyError(f"Unknown optimizer {name!r}; choose from {sorted(factories)}") from None
    try:
        return factory(**hyperparams)
    except TypeError as err:
        valid = list(inspect.signature(factory).parameters)
        raise TypeError(f"{name}: {err}; valid hyperparameters: {valid}") from None
