r"""Methods that solve a 2x2 curvature system each step: Newton's method, saddle-free Newton and
Levenberg-Marquardt. Closed-form 2x2 algebra, element-wise over runs (see ``curvature``)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optim_core.curvature import RCOND, CurvatureOptimizer, Evaluator, check_lr, solve_2x2
from optim_core.linesearch import dot
from optim_core.validation import check_count, check_value


class NewtonState(NamedTuple):
    g: np.ndarray  # (k, 2) gradient at the current position
    h: tuple[np.ndarray, np.ndarray, np.ndarray]  # Hessian entries there, each (k,)


def _arrive(ev: Evaluator, new: np.ndarray, state: NewtonState, skip: np.ndarray) -> NewtonState:
    """Gradient and Hessian at the new positions (k, 2), except for runs in ``skip`` (k,)."""
    if not skip.any():
        return NewtonState(*ev.gradient_and_hessian(new))
    ok = np.flatnonzero(~skip)
    g, h = state.g.copy(), tuple(a.copy() for a in state.h)
    g[ok], h_ok = ev.gradient_and_hessian(new[ok], ok)
    for a, a_ok in zip(h, h_ok, strict=True):
        a[ok] = a_ok
    return NewtonState(g, h)


def _move(opt: CurvatureOptimizer, p: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """p - lr * direction, with a float lr or one per run."""
    lr = opt.lr()
    return p - (lr if np.ndim(lr) == 0 else lr[:, None]) * direction


class Newton(CurvatureOptimizer):
    r"""Newton's method, pure: :math:`\theta \leftarrow \theta - \text{lr}\cdot H^{-1}\nabla f`
    (Nocedal & Wright, eq. 2.15 / 3.30, with step length lr; default 1).

    No line search, no modification of H: it jumps to the stationary point of the local
    quadratic model, which is a maximum or a saddle where H is not positive definite. That is
    the point of showing it. H is the surface's analytic Hessian, solved in closed form; a
    singular H (see ``curvature.RCOND``) stops the run with status "singular".
    Costs: a gradient and a Hessian at every point visited, the start included.
    """

    name = "newton"
    needs = "hessian"

    def __init__(self, lr=1.0):
        check_lr(lr)
        super().__init__(lr=lr)

    def init(self, ev, p):
        return NewtonState(*ev.gradient_and_hessian(p))

    def step(self, ev, p, state):
        direction, singular = solve_2x2(*state.h, state.g)
        new = _move(self, p, direction)
        return new, _arrive(ev, new, state, singular), singular


class SaddleFreeNewton(CurvatureOptimizer):
    r"""Saddle-free Newton (Dauphin et al., 2014, "Identifying and attacking the saddle point
    problem in high-dimensional non-convex optimization"): Newton's step with H replaced by

    .. math:: |H| = \sum_i \max(|\lambda_i|, \text{floor})\, v_i v_i^T, \qquad
              \theta \leftarrow \theta - \text{lr}\cdot |H|^{-1} \nabla f

    where :math:`\lambda_i, v_i` are H's eigenpairs. Along a direction of negative curvature
    the step goes *down* the slope instead of up to the saddle or maximum, so the method moves
    away from saddles; ``floor`` bounds the step along nearly flat directions by
    :math:`|g|/\text{floor}` (the paper damps |H| instead; a floor keeps the exact Newton step
    wherever the curvature is clearly non-zero). Eigenpairs of the symmetric 2x2 H in closed
    form: :math:`\lambda_\pm = m \pm \sqrt{((a-c)/2)^2 + b^2}`, m = (a + c)/2, with
    :math:`v_+ = (\cos\phi, \sin\phi)`, :math:`\phi = \tfrac12 \operatorname{atan2}(2b, a - c)`.
    Singular (see ``curvature.RCOND``) only when |H| is non-finite or, with floor = 0, nearly
    singular. Costs: a gradient and a Hessian at every point visited, the start included.
    """

    name = "saddle_free_newton"
    needs = "hessian"

    def __init__(self, lr=1.0, floor=1e-3):
        check_lr(lr)
        check_value("floor", floor, lambda a: a >= 0, ">= 0")
        super().__init__(lr=lr, floor=floor)

    def init(self, ev, p):
        return NewtonState(*ev.gradient_and_hessian(p))

    def step(self, ev, p, state):
        a, b, c = state.h
        mean, half, floor = (a + c) / 2, (a - c) / 2, self.hyperparams["floor"]
        radius = np.hypot(half, b)
        big = np.maximum(np.abs(mean + radius), floor)  # |lambda_+| floored
        small = np.maximum(np.abs(mean - radius), floor)  # |lambda_-| floored
        phi = 0.5 * np.arctan2(b, half)
        cos, sin = np.cos(phi), np.sin(phi)
        g = state.g
        along_plus = (cos * g[:, 0] + sin * g[:, 1]) / big
        along_minus = (cos * g[:, 1] - sin * g[:, 0]) / small
        direction = np.empty_like(g)
        direction[:, 0] = cos * along_plus - sin * along_minus
        direction[:, 1] = sin * along_plus + cos * along_minus
        singular = ~(np.minimum(big, small) > RCOND * np.maximum(big, small))
        new = _move(self, p, direction)
        return new, _arrive(ev, new, state, singular), singular


class LMState(NamedTuple):
    g: np.ndarray  # (k, 2) gradient 2 J^T r
    f: np.ndarray  # (k,) sum of squared residuals
    r: np.ndarray  # (k, m) residuals
    jac: np.ndarray  # (k, m, 2) Jacobian
    mu: np.ndarray  # (k,) damping
    nu: np.ndarray  # (k,) growth factor of the damping after a rejected trial


class LevenbergMarquardt(CurvatureOptimizer):
    r"""Levenberg-Marquardt for f = sum_i r_i^2, following Madsen, Nielsen & Tingleff, "Methods
    for non-linear least squares problems" (2004), Algorithm 3.16, with Nielsen's damping rule.

    With J the Jacobian of the residuals r and :math:`\mu` the damping, a trial step solves

    .. math:: (J^T J + \mu I)\, h = -J^T r

    (Gauss-Newton for small :math:`\mu`, a short gradient step for large :math:`\mu`) and is
    judged by the gain ratio of actual to predicted decrease,
    :math:`\rho = (f(\theta) - f(\theta + h)) / (h^T(\mu h - J^T r))`. If :math:`\rho > 0` it is
    accepted and :math:`\mu \leftarrow \mu\max(1/3, 1 - (2\rho - 1)^3)`, :math:`\nu \leftarrow 2`;
    otherwise :math:`\mu \leftarrow \mu\nu`, :math:`\nu \leftarrow 2\nu` and another trial is
    made. One step of the path is one accepted trial (at most ``max_tries`` trials; a run
    whose trials all fail stays put for that step). :math:`\mu_0 = \tau \max_i (J^T J)_{ii}`.

    Needs a sum-of-squares surface (``Surface.has_residuals``). Costs per step: one residual
    evaluation (counted in ``n_fev``) per trial and one Jacobian (counted in ``n_gev``) per
    accepted step. Singular only when :math:`J^T J + \mu I` is non-finite (see ``curvature``).
    """

    name = "levenberg_marquardt"
    needs = "residuals"

    def __init__(self, tau=1e-3, max_tries=10):
        check_value("tau", tau, lambda a: a > 0, "> 0")
        check_count("max_tries", max_tries, 1)
        super().__init__(tau=tau, max_tries=max_tries)

    def init(self, ev, p):
        r, jac = _stack_residuals(ev.residuals(p)), _stack_jacobian(ev.jacobian(p))
        largest_diagonal = np.maximum(_sum_sq(jac[:, :, 0]), _sum_sq(jac[:, :, 1]))
        mu = self.hyperparams["tau"] * largest_diagonal
        return LMState(_gradient(r, jac), _sum_sq(r), r, jac, mu, np.full(len(p), 2.0))

    def step(self, ev, p, state):
        g, f, r, jac, mu, nu = (a.copy() for a in state)
        jx, jy = jac[:, :, 0], jac[:, :, 1]
        a, b, c = _sum_sq(jx), _sum_products(jx, jy), _sum_sq(jy)
        half_g = g / 2  # J^T r
        _, singular = solve_2x2(a + mu, b, c + mu, half_g)
        new, moved = p.copy(), np.zeros(len(p), dtype=bool)
        trying = np.flatnonzero(~singular)
        for _ in range(self.hyperparams["max_tries"]):
            m = mu[trying]
            h, _ = solve_2x2(a[trying] + m, b[trying], c[trying] + m, -half_g[trying])
            trial = p[trying] + h
            r_trial = _stack_residuals(ev.residuals(trial, trying))
            f_trial = _sum_sq(r_trial)
            rho = (f[trying] - f_trial) / dot(h, m[:, None] * h - half_g[trying])
            ok = rho > 0
            accepted, rejected = trying[ok], trying[~ok]
            mu[accepted] *= np.maximum(1 / 3, 1 - (2 * rho[ok] - 1) ** 3)
            nu[accepted], moved[accepted] = 2.0, True
            new[accepted], r[accepted], f[accepted] = trial[ok], r_trial[ok], f_trial[ok]
            mu[rejected] *= nu[rejected]
            nu[rejected] *= 2
            trying = rejected
            if trying.size == 0:
                break
        moved = np.flatnonzero(moved)
        jac[moved] = _stack_jacobian(ev.jacobian(new[moved], moved))
        g[moved] = _gradient(r[moved], jac[moved])
        return new, LMState(g, f, r, jac, mu, nu), singular


def _stack_residuals(residuals: list[np.ndarray]) -> np.ndarray:
    return np.stack(residuals, axis=-1)


def _stack_jacobian(rows: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    return np.stack([np.stack(row, axis=-1) for row in rows], axis=-2)


def _sum_products(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """sum_i u_i v_i over the last axis of (k, m) arrays, term by term in order (the same
    rounding for a run whatever the batch)."""
    total = u[:, 0] * v[:, 0]
    for i in range(1, u.shape[1]):
        total = total + u[:, i] * v[:, i]
    return total


def _sum_sq(u: np.ndarray) -> np.ndarray:
    return _sum_products(u, u)


def _gradient(r: np.ndarray, jac: np.ndarray) -> np.ndarray:
    """grad f = 2 J^T r: (k, m), (k, m, 2) -> (k, 2)."""
    g = np.empty((len(r), 2))
    g[:, 0] = 2 * _sum_products(jac[:, :, 0], r)
    g[:, 1] = 2 * _sum_products(jac[:, :, 1], r)
    return g
