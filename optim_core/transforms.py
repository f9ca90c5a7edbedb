"""Gradient transforms: the building blocks every optimizer is a short chain of.

Each transform has ``init(params) -> state`` (a NamedTuple of arrays, or ``None``) and
``update_(u, state, params, t, scratch)``, which rewrites the direction ``u`` **in place** and
updates its own state arrays in place. ``t`` counts steps from 1, as in PyTorch. ``scratch`` is
an array shaped like ``u`` that the kernel may overwrite, in place of a temporary.

In-place kernels are the one implementation of each equation. ``Optimizer.step`` stays pure by
handing them fresh copies; ``optim_core.run`` hands them buffers it owns, which is what makes
batched runs fast: a fresh array the size of a large batch costs more in page faults than the
arithmetic done on it. Each kernel writes the same products in the same order as the equation
in its docstring, so reusing scratch changes no rounding.

Hyperparameters may be floats or arrays that broadcast against ``params``, e.g. ``lr`` of shape
``(N, 1)`` for a batch of ``N`` points of shape ``(N, 2)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


def _is_zero(value) -> bool:
    """True when a hyperparameter is the scalar 0 (so its transform can be skipped)."""
    return np.ndim(value) == 0 and float(value) == 0.0


def _scaled_square(c, u, out):
    """``c * u * u`` into ``out``, rounded as written: ``(c u) u``."""
    np.multiply(c, u, out=out)
    out *= u
    return out


class ClipByNorm:
    r"""Scale each run's gradient so its norm is at most ``max_norm``.

    :math:`u \leftarrow u \cdot \min(1, \text{max\_norm} / (\lVert u \rVert + 10^{-6}))`, the
    norm taken over the last axis (one run = one row; a flat weight vector is one run). The
    ``1e-6`` is ``torch.nn.utils.clip_grad_norm_``'s.
    """

    def __init__(self, max_norm):
        self.max_norm = max_norm

    def init(self, params):
        return None

    def update_(self, u, state, params, t, scratch):
        norm = np.abs(u) if u.ndim == 0 else np.linalg.norm(u, axis=-1, keepdims=True)
        u *= np.minimum(1.0, self.max_norm / (norm + 1e-6))


class AddWeightDecay:
    r"""Weight decay: :math:`u \leftarrow u + \lambda\theta`.

    First in the chain it is ``torch.optim``'s L2 penalty folded into the gradient; last in the
    chain, after the adaptive scaling, it is AdamW's decoupled decay
    :math:`\theta \leftarrow \theta - \text{lr}(\hat u + \lambda\theta)`.
    """

    def __init__(self, weight_decay):
        self.weight_decay = weight_decay

    def init(self, params):
        return None

    def update_(self, u, state, params, t, scratch):
        u += np.multiply(self.weight_decay, params, out=scratch)


class TraceState(NamedTuple):
    buffer: np.ndarray


class Trace:
    r"""Momentum buffer of SGD (heavy ball, optionally Nesterov) and of RMSprop.

    .. math::
        b_1 = u_1, \qquad b_t = \mu b_{t-1} + (1 - \text{dampening})\, u_t \\
        u \leftarrow u + \mu b \ \text{(nesterov)} \quad\text{else}\quad u \leftarrow b

    The first step copies the gradient without dampening, exactly as ``torch.optim.SGD``;
    RMSprop's buffer (zero-initialised, :math:`b_t = \mu b_{t-1} + u_t`) is the same recurrence
    with zero dampening.
    """

    def __init__(self, momentum, dampening=0.0, nesterov=False):
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov

    def init(self, params):
        return TraceState(np.zeros_like(params))

    def update_(self, u, state, params, t, scratch):
        b = state.buffer
        if t == 1:
            b[...] = u
        else:
            b *= self.momentum
            if _is_zero(self.dampening):
                b += u
            else:
                b += np.multiply(1.0 - self.dampening, u, out=scratch)
        if self.nesterov:
            u += np.multiply(self.momentum, b, out=scratch)
        else:
            u[...] = b


class RmsState(NamedTuple):
    square_avg: np.ndarray
    grad_avg: np.ndarray | None


class ScaleByRms:
    r"""RMSprop's scaling, eps added *outside* the square root (PyTorch, not TensorFlow).

    .. math::
        v_t = \alpha v_{t-1} + (1-\alpha) u^2, \qquad
        \tilde v = v_t - \bar g_t^2 \ \text{(centered, } \bar g_t = \alpha \bar g_{t-1} + (1-\alpha) u)
        \qquad u \leftarrow u / (\sqrt{\tilde v} + \epsilon)
    """

    def __init__(self, alpha, eps, centered=False):
        self.alpha, self.eps, self.centered = alpha, eps, centered

    def init(self, params):
        grad_avg = np.zeros_like(params) if self.centered else None
        return RmsState(np.zeros_like(params), grad_avg)

    def update_(self, u, state, params, t, scratch):
        v = state.square_avg
        v *= self.alpha
        v += _scaled_square(1.0 - self.alpha, u, scratch)
        if self.centered:
            mean = state.grad_avg
            mean *= self.alpha
            mean += np.multiply(1.0 - self.alpha, u, out=scratch)
            denom = np.subtract(v, np.multiply(mean, mean, out=scratch), out=scratch)
            np.sqrt(denom, out=denom)
        else:
            denom = np.sqrt(v, out=scratch)
        denom += self.eps
        u /= denom


class AdagradState(NamedTuple):
    sum: np.ndarray


class ScaleByAdagrad:
    r"""Adagrad's scaling with PyTorch's learning-rate decay.

    .. math::
        s_0 = \text{initial\_accumulator\_value}, \quad s_t = s_{t-1} + u^2, \quad
        u \leftarrow \frac{u}{(1 + (t-1)\,\text{lr\_decay})(\sqrt{s_t} + \epsilon)}
    """

    def __init__(self, lr_decay, initial_accumulator_value, eps):
        self.lr_decay = lr_decay
        self.initial_accumulator_value = initial_accumulator_value
        self.eps = eps

    def init(self, params):
        return AdagradState(np.zeros_like(params) + self.initial_accumulator_value)

    def update_(self, u, state, params, t, scratch):
        s = state.sum
        s += np.multiply(u, u, out=scratch)
        denom = np.sqrt(s, out=scratch)
        denom += self.eps
        u /= denom
        if not _is_zero(self.lr_decay):
            u /= 1.0 + (t - 1) * self.lr_decay


class AdamState(NamedTuple):
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray | None


class ScaleByAdam:
    r"""Adam's bias-corrected moments (AMSGrad keeps the running maximum of :math:`v`).

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) u, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) u^2 \\
        u \leftarrow \frac{m_t / (1-\beta_1^t)}{\sqrt{\hat v_t / (1-\beta_2^t)} + \epsilon},
        \quad \hat v_t = \max(\hat v_{t-1}, v_t) \text{ (amsgrad) else } v_t
    """

    def __init__(self, beta1, beta2, eps, amsgrad=False):
        self.beta1, self.beta2, self.eps, self.amsgrad = beta1, beta2, eps, amsgrad

    def init(self, params):
        vmax = np.zeros_like(params) if self.amsgrad else None
        return AdamState(np.zeros_like(params), np.zeros_like(params), vmax)

    def update_(self, u, state, params, t, scratch):
        m, v = state.exp_avg, state.exp_avg_sq
        # m += (1 - b1)(u - m) is b1 m + (1 - b1) u with the scratch array and no temporaries;
        # likewise for v. Same values to rounding.
        np.subtract(u, m, out=scratch)
        scratch *= 1.0 - self.beta1
        m += scratch
        np.multiply(u, u, out=scratch)
        scratch -= v
        scratch *= 1.0 - self.beta2
        v += scratch
        if self.amsgrad:
            np.maximum(state.max_exp_avg_sq, v, out=state.max_exp_avg_sq)
            v = state.max_exp_avg_sq
        denom = np.sqrt(v, out=scratch)
        denom *= 1.0 / np.sqrt(1.0 - self.beta2**t)
        denom += self.eps
        np.divide(m, denom, out=u)
        u *= 1.0 / (1.0 - self.beta1**t)


class AdadeltaState(NamedTuple):
    square_avg: np.ndarray
    acc_delta: np.ndarray


class ScaleByAdadelta:
    r"""Adadelta's unit-correcting ratio of running RMS values.

    .. math::
        v_t = \rho v_{t-1} + (1-\rho) u^2, \quad
        \Delta = \frac{\sqrt{a_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, u, \quad
        a_t = \rho a_{t-1} + (1-\rho) \Delta^2, \quad u \leftarrow \Delta
    """

    def __init__(self, rho, eps):
        self.rho, self.eps = rho, eps

    def init(self, params):
        return AdadeltaState(np.zeros_like(params), np.zeros_like(params))

    def update_(self, u, state, params, t, scratch):
        v, a = state.square_avg, state.acc_delta
        v *= self.rho
        v += _scaled_square(1.0 - self.rho, u, scratch)
        u *= np.sqrt(np.add(a, self.eps, out=scratch), out=scratch)
        u /= np.sqrt(np.add(v, self.eps, out=scratch), out=scratch)
        a *= self.rho
        a += _scaled_square(1.0 - self.rho, u, scratch)
