r"""Why a run diverged, in words a student can check: the local curvature against the step.

Gradient descent on a quadratic with largest Hessian eigenvalue :math:`L` multiplies the error
along that direction by :math:`1 - \eta L` each step, so it grows once :math:`\eta > 2/L`;
heavy-ball momentum grows past :math:`(2 + 2\mu)/L` and Nesterov's (PyTorch's form) past
:math:`(2 + 2\mu)/((1 + 2\mu) L)`. L2 weight decay :math:`\lambda` adds :math:`\lambda` to L.
On any smooth surface the same holds near a point with the Hessian there, which is what
:func:`reason` compares: the learning rate against the limit from the curvature where the run
was when it blew up. Adaptive and curvature methods get their own one-line causes.
"""

from __future__ import annotations

import numpy as np

import optim_core

GRADIENT_METHODS = ("sgd", "momentum", "nag")
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw", "adadelta")


def stability_limit(name: str, hyperparams: dict, largest: float) -> float | None:
    """The largest stable learning rate of ``name`` on a quadratic whose largest curvature is
    ``largest`` (module docstring), or None where no such rule applies."""
    if name not in GRADIENT_METHODS or hyperparams.get("dampening", 0.0) or largest <= 0:
        return None
    largest = largest + hyperparams.get("weight_decay", 0.0)
    beta = hyperparams.get("momentum", 0.0) if name != "sgd" else 0.0
    if name == "nag" or hyperparams.get("nesterov", False):
        return (2 + 2 * beta) / ((1 + 2 * beta) * largest)
    return (2 + 2 * beta) / largest


def limit_formula(name: str) -> str:
    """How ``stability_limit`` reads for ``name``, for labels."""
    return {"sgd": "2/L", "momentum": "(2+2μ)/L", "nag": "(2+2μ)/((1+2μ)L)"}[name]


def curvatures(surface, point) -> tuple[float, float] | None:
    """(smallest, largest) Hessian eigenvalue at ``point`` (None if not finite)."""
    with np.errstate(all="ignore"):
        h = surface.hessian(np.asarray(point, dtype=float))
    if not np.all(np.isfinite(h)):
        return None
    low, high = np.linalg.eigvalsh(h)
    return float(low), float(high)


def reason(surface, name: str, hyperparams: dict, point, at_start: bool, long: bool = False) -> str:
    """Why ``name`` with ``hyperparams`` diverged, given where the run was when it blew up
    (``point``; ``at_start`` says it was the start). Short enough for the race's scoreboard;
    ``long`` adds what L means, for tables."""
    where = "at the start" if at_start else "there"
    eig = curvatures(surface, point)
    lr = hyperparams.get("lr")
    if name in GRADIENT_METHODS and eig is not None and lr is not None:
        limit = stability_limit(name, hyperparams, eig[1])
        if limit is not None and lr > limit:
            text = f"lr {lr:.3g} > {limit_formula(name)} ≈ {limit:.2g} {where}"
            return text + f" (L = {eig[1]:.3g}, the largest curvature {where})" if long else text
        return f"lr {lr:.3g}: steps too long {where}"
    if name in ADAPTIVE:
        return f"steps of about lr = {lr:.3g} overshoot {where}"
    if name in ("newton", "saddle_free_newton") and eig is not None:
        flattest = min(abs(eig[0]), abs(eig[1]))
        text = f"flat curvature |λ| ≈ {flattest:.2g}: huge step"
        return text + " (the step −H⁻¹∇f grows as 1/|λ|)" if long else text
    if name == "lbfgs" and hyperparams.get("line_search_fn") is None:
        return f"fixed step lr = {lr:.3g}, no line search"
    return "its step left the plot"


def escape_point(optimizer, surface, start, steps: int, **run_kwargs) -> np.ndarray | None:
    """Where a diverged run's last step went (outside the plot, or None when not finite): the
    same run again with an escape box so large that only non-finite values stop it."""
    result = optim_core.run(
        optimizer, surface, np.asarray(start, dtype=float), steps, escape=1e12, **run_kwargs
    )
    return None if result.status == "diverged" else result.path[-1]
