"""Paths must equal ``torch.optim``'s to rounding.

PyTorch is not a dependency, so the references below are the algorithm boxes of the
``torch.optim`` documentation transcribed line by line into scalar Python (one float at a time,
no NumPy, nothing shared with ``optim_core``). Gradients mix a parameter-dependent part (so weight
decay and the path matter) with a pre-drawn sequence spanning twelve orders of magnitude.
"""

import math
import random

import numpy as np
import pytest

import optim_core
from optim_core import schedules

STEPS = 100
CURVATURE = [1e-3, 1e-1, 1.0, 5.0, 0.5, 2.0]  # per coordinate: g_i = c_i * theta_i + d_i(t)
SCALES = [1e-6, 1e-3, 1.0, 1e3, 1e6, 1e-1]  # size of the pre-drawn part of each coordinate


def gradient_sequence(seed=0):
    rng = random.Random(seed)
    return [[s * rng.gauss(0.0, 1.0) for s in SCALES] for _ in range(STEPS)]


THETA0 = [0.5, -1.5, 2.0, 0.25, -3.0, 1.0]


def grad(theta, noise):
    return [c * x + d for c, x, d in zip(CURVATURE, theta, noise, strict=True)]


# ---------------------------------------------------------------------------------------------
# References, one coordinate at a time, following the torch.optim documentation.


def ref_sgd(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, lr_at=None):
    theta, out, buf = list(THETA0), [], [None] * len(THETA0)
    for t, noise in enumerate(gradient_sequence(), start=1):
        g_all = grad(theta, noise)
        lr_t = lr_at(t - 1) if lr_at else lr
        for i in range(len(theta)):
            g = g_all[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            if momentum != 0:
                if t > 1:
                    buf[i] = momentum * buf[i] + (1 - dampening) * g
                else:
                    buf[i] = g
                g = g + momentum * buf[i] if nesterov else buf[i]
            theta[i] = theta[i] - lr_t * g
        out.append(list(theta))
    return out


def ref_adagrad(lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    theta, out = list(THETA0), []
    state_sum = [initial_accumulator_value] * len(theta)
    for t, noise in enumerate(gradient_sequence(), start=1):
        g_all = grad(theta, noise)
        clr = lr / (1 + (t - 1) * lr_decay)
        for i in range(len(theta)):
            g = g_all[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            state_sum[i] = state_sum[i] + g * g
            theta[i] = theta[i] - clr * g / (math.sqrt(state_sum[i]) + eps)
        out.append(list(theta))
    return out


def ref_rmsprop(lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    n = len(THETA0)
    theta, out, v, gave, buf = list(THETA0), [], [0.0] * n, [0.0] * n, [0.0] * n
    for noise in gradient_sequence():
        g_all = grad(theta, noise)
        for i in range(n):
            g = g_all[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            v[i] = alpha * v[i] + (1 - alpha) * g * g
            v_tilde = v[i]
            if centered:
                gave[i] = gave[i] * alpha + (1 - alpha) * g
                v_tilde = v_tilde - gave[i] ** 2
            if momentum > 0:
                buf[i] = momentum * buf[i] + g / (math.sqrt(v_tilde) + eps)
                theta[i] = theta[i] - lr * buf[i]
            else:
                theta[i] = theta[i] - lr * g / (math.sqrt(v_tilde) + eps)
        out.append(list(theta))
    return out


def ref_adam(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False):
    n = len(THETA0)
    b1, b2 = betas
    theta, out, m, v, vmax = list(THETA0), [], [0.0] * n, [0.0] * n, [0.0] * n
    for t, noise in enumerate(gradient_sequence(), start=1):
        g_all = grad(theta, noise)
        for i in range(n):
            g = g_all[i]
            if decoupled:
                theta[i] = theta[i] - lr * weight_decay * theta[i]
            elif weight_decay != 0:
                g = g + weight_decay * theta[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = m[i] / (1 - b1**t)
            if amsgrad:
                vmax[i] = max(vmax[i], v[i])
                v_hat = vmax[i] / (1 - b2**t)
            else:
                v_hat = v[i] / (1 - b2**t)
            theta[i] = theta[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(list(theta))
    return out


def ref_adadelta(lr, rho=0.9, eps=1e-6, weight_decay=0.0):
    n = len(THETA0)
    theta, out, v, u = list(THETA0), [], [0.0] * n, [0.0] * n
    for noise in gradient_sequence():
        g_all = grad(theta, noise)
        for i in range(n):
            g = g_all[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            v[i] = v[i] * rho + g * g * (1 - rho)
            dx = math.sqrt(u[i] + eps) / math.sqrt(v[i] + eps) * g
            u[i] = u[i] * rho + dx * dx * (1 - rho)
            theta[i] = theta[i] - lr * dx
        out.append(list(theta))
    return out


def ours(name, **hp):
    opt = optim_core.make(name, **hp)
    theta = np.array(THETA0)
    state = opt.init(theta)
    out = []
    for noise in gradient_sequence():
        theta, state = opt.step(theta, np.array(grad(theta.tolist(), noise)), state)
        out.append(theta)
    return np.array(out)


CASES = {
    "sgd": (("sgd", dict(lr=0.05)), lambda: ref_sgd(0.05)),
    "sgd-default-lr": (("sgd", {}), lambda: ref_sgd(1e-3)),
    "sgd-momentum": (("sgd", dict(lr=0.02, momentum=0.9)), lambda: ref_sgd(0.02, 0.9)),
    "sgd-dampening": (
        ("sgd", dict(lr=0.02, momentum=0.8, dampening=0.5)),
        lambda: ref_sgd(0.02, 0.8, 0.5),
    ),
    "sgd-nesterov-wd": (
        ("sgd", dict(lr=0.02, momentum=0.7, nesterov=True, weight_decay=0.1)),
        lambda: ref_sgd(0.02, 0.7, weight_decay=0.1, nesterov=True),
    ),
    "momentum-defaults": (("momentum", dict(lr=0.02)), lambda: ref_sgd(0.02, 0.9)),
    "nag-defaults": (("nag", dict(lr=0.02)), lambda: ref_sgd(0.02, 0.9, nesterov=True)),
    "adagrad": (("adagrad", dict(lr=0.1)), lambda: ref_adagrad(0.1)),
    "adagrad-decay-acc-wd": (
        ("adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.3, weight_decay=0.2)),
        lambda: ref_adagrad(0.1, 0.05, 0.2, 0.3),
    ),
    "rmsprop": (("rmsprop", dict(lr=0.01)), lambda: ref_rmsprop(0.01)),
    "rmsprop-centered": (
        ("rmsprop", dict(lr=0.01, centered=True)),
        lambda: ref_rmsprop(0.01, centered=True),
    ),
    "rmsprop-momentum-wd": (
        ("rmsprop", dict(lr=0.005, momentum=0.9, weight_decay=0.1, alpha=0.9)),
        lambda: ref_rmsprop(0.005, alpha=0.9, weight_decay=0.1, momentum=0.9),
    ),
    "rmsprop-centered-momentum": (
        ("rmsprop", dict(lr=0.005, momentum=0.5, centered=True, eps=1e-6)),
        lambda: ref_rmsprop(0.005, eps=1e-6, momentum=0.5, centered=True),
    ),
    "adam": (("adam", dict(lr=0.05)), lambda: ref_adam(0.05)),
    "adam-betas-wd": (
        ("adam", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.3, eps=1e-6)),
        lambda: ref_adam(0.05, (0.8, 0.9), 1e-6, 0.3),
    ),
    "amsgrad": (("adam", dict(lr=0.05, amsgrad=True)), lambda: ref_adam(0.05, amsgrad=True)),
    "adamw": (("adamw", dict(lr=0.05)), lambda: ref_adam(0.05, weight_decay=1e-2, decoupled=True)),
    "adamw-amsgrad": (
        ("adamw", dict(lr=0.05, weight_decay=0.5, amsgrad=True)),
        lambda: ref_adam(0.05, weight_decay=0.5, amsgrad=True, decoupled=True),
    ),
    "adadelta": (("adadelta", {}), lambda: ref_adadelta(1.0)),
    "adadelta-wd": (
        ("adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
        lambda: ref_adadelta(0.5, 0.8, weight_decay=0.1),
    ),
}


def assert_same_path(actual, expected):
    expected = np.array(expected)
    assert np.all(np.isfinite(expected)), "reference path must stay finite to be a useful check"
    scale = np.abs(expected).max(axis=0)  # per coordinate: rounding is relative to its size
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-13 * scale.max())
    np.testing.assert_allclose(actual / scale, expected / scale, rtol=0, atol=1e-10)


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_path_matches_pytorch_equations(case):
    (name, hp), reference = CASES[case]
    assert_same_path(ours(name, **hp), reference())


@pytest.mark.parametrize(
    "schedule, lr_at",
    [
        (schedules.Constant(), lambda k: 0.05),
        (schedules.Step(step_size=7, gamma=0.5), lambda k: 0.05 * 0.5 ** (k // 7)),
        (schedules.Exponential(gamma=0.97), lambda k: 0.05 * 0.97**k),
        (
            schedules.Cosine(T_max=60, eta_min=0.001),
            lambda k: 0.001 + (0.05 - 0.001) * (1 + math.cos(math.pi * k / 60)) / 2,
        ),
    ],
    ids=["constant", "step", "exponential", "cosine"],
)
def test_schedules_follow_lr_scheduler_closed_forms(schedule, lr_at):
    assert_same_path(
        ours("sgd", lr=0.05, momentum=0.5, schedule=schedule),
        ref_sgd(0.05, 0.5, lr_at=lr_at),
    )


def test_clip_norm_matches_clip_grad_norm():
    # torch.nn.utils.clip_grad_norm_: coef = max_norm / (total_norm + 1e-6), clamped to 1.
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(4, 2)) * np.array([[1e-3], [0.5], [3.0], [1e4]])
    opt = optim_core.make("sgd", lr=1.0, clip_norm=1.0)
    params = np.zeros((4, 2))
    new, _ = opt.step(params, grads, opt.init(params))
    for row, g in enumerate(grads):
        norm = math.sqrt(sum(x * x for x in g))
        coef = min(1.0, 1.0 / (norm + 1e-6))
        np.testing.assert_allclose(-new[row], g * coef, rtol=1e-14)


TORCH_DEFAULTS = {  # from the torch.optim documentation signatures
    "sgd": dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False),
    "adagrad": dict(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10),
    "rmsprop": dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False),
    "adam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False),
    "adamw": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
    "adadelta": dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0),
}


@pytest.mark.parametrize("name", list(TORCH_DEFAULTS))
def test_defaults_are_pytorch_defaults(name):
    assert optim_core.make(name).hyperparams == TORCH_DEFAULTS[name]


def test_momentum_and_nag_defaults():
    assert optim_core.make("momentum").hyperparams["momentum"] == 0.9
    assert optim_core.make("nag").hyperparams["momentum"] == 0.9
