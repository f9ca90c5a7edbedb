r"""Which minimum did a run end in? One rule for every page, with Newton polishing for the minima
a surface does not list.

A point has *reached* a minimum when it lies within ``Surface.near_radius`` of it. Listed
minima are checked first (``Surface.reached``). Any other point is polished with a few Newton
steps (``settle``); if that lands on a minimum (tiny Newton step, positive definite Hessian)
within the same radius of the point, the point has reached that minimum, an unlisted one such
as one of Rastrigin's lattice of wells. Saddles, maxima, flat regions and points from which
Newton wanders off have reached no minimum.

>>> import surfaces
>>> rastrigin = surfaces.get("rastrigin")
>>> reached = surfaces.reached_minima(rastrigin, [[0.01, 0.0], [1.99, 1.0], [0.5, 0.5]])
>>> reached.index.tolist(), reached.found.round(2).tolist()
([0, 9, -1], [[1.99, 0.99]])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from surfaces.base import Surface, as_points

SETTLE_STEPS = 8
# A point is stationary when the Newton step H^-1 grad f is this short, relative to the domain's
# diagonal. Measured: 8 steps from 0.01 off every listed minimum of every built-in surface end
# with steps below 3e-15 of the diagonal (rounding; Goldstein-Price, the largest); a point that
# is not converging has a step many orders larger.
STEP_TOL = 1e-10


class Reached(NamedTuple):
    """Which minimum each point reached: ``index`` (...) int is an index into
    ``surface.minima`` (0 .. M-1), ``M + j`` for the unlisted minimum ``found[j]``, or -1 for
    none. ``found`` (D, 2): the unlisted minima, lowest value first (ties by x, then y)."""

    index: np.ndarray
    found: np.ndarray


def _grad_hess(surface: Surface, p: np.ndarray):
    """Gradient components and Hessian entries (a, b, c) at points p (k, 2), each (k,)."""
    x, y = p[:, 0], p[:, 1]
    if surface.grad_hess_fn is not None:
        (gx, gy), hessian = surface.grad_hess_fn(x, y)
    else:
        (gx, gy), hessian = surface.grad_fn(x, y), surface.hess_fn(x, y)
    return [np.broadcast_to(v, x.shape) for v in (gx, gy, *hessian)]


def settle(
    surface: Surface, points: ArrayLike, steps: int = SETTLE_STEPS, within: float = np.inf
) -> tuple[np.ndarray, np.ndarray]:
    r"""Polish points with Newton's method, :math:`p \leftarrow p - H^{-1}\nabla f(p)`, all at
    once on the surface's analytic Hessian; return the settled points (..., 2) and whether each
    is a minimum (...) bool.

    Steps are at most ``surface.near_radius`` long (a trust region: from the rim of a narrow
    well, such as Rastrigin's, a full Newton step overshoots into the next one). A point
    stops when its Newton step is shorter than ``STEP_TOL`` of the domain's diagonal (the
    gradient is tiny for the local curvature); it is a minimum when it stopped within ``steps``
    steps, is finite and its Hessian is positive definite (a > 0, det > 0).
    Saddles and maxima, where Newton converges just as well, are not minima; nor are points
    whose Hessian is singular or whose values overflow (they stop where they are), nor points
    that went farther than ``within`` from where they started (they stop there: a caller that
    only wants minima near the points saves the work of following them).
    """
    if surface.hess_fn is None:
        raise ValueError(f"settle needs an analytic Hessian; {surface.name!r} has none")
    if not (isinstance(steps, int | np.integer) and not isinstance(steps, bool) and steps >= 0):
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if not (isinstance(within, int | float | np.integer | np.floating) and within > 0):
        raise ValueError(f"within must be a number > 0 (inf: no limit), got {within!r}")
    p = as_points(points)
    shape = p.shape[:-1]
    p = p.reshape(-1, 2).copy()
    start = p.copy()
    (x0, x1), (y0, y1) = surface.domain
    tol = STEP_TOL * float(np.hypot(x1 - x0, y1 - y0))
    longest = surface.near_radius
    is_min = np.zeros(len(p), dtype=bool)
    active = np.flatnonzero(np.isfinite(p).all(axis=1))
    with np.errstate(all="ignore"):
        for k in range(steps + 1):  # the last pass only checks
            if not active.size:
                break
            gx, gy, a, b, c = _grad_hess(surface, p[active])
            det = a * c - b * b
            sx, sy = (c * gx - b * gy) / det, (a * gy - b * gx) / det
            length = np.hypot(sx, sy)
            done = length <= tol
            is_min[active[done]] = (a[done] > 0) & (det[done] > 0)
            if k == steps:
                break
            moving = np.isfinite(length) & ~done
            shrink = np.minimum(1.0, longest / length[moving])
            active = active[moving]
            p[active, 0] -= shrink * sx[moving]
            p[active, 1] -= shrink * sy[moving]
            active = active[np.hypot(*(p[active] - start[active]).T) <= within]
        is_min &= np.isfinite(p).all(axis=1)
    return p.reshape(*shape, 2), is_min.reshape(shape)


def group_minima(surface: Surface, minima: ArrayLike) -> Reached:
    """Name minimum points (k, 2), e.g. polished end points: each gets the listed minimum within
    ``near_radius`` of it, else one of the unlisted minima ``found``, one per group of points
    within ``near_radius`` of its lowest member (non-finite points get -1). Deterministic:
    found minima are ordered by value, then x, then y, whatever the order of the points."""
    p = as_points(minima).reshape(-1, 2)
    m = len(surface.minima)
    index = surface.reached(p)
    rest = np.flatnonzero((index < 0) & np.isfinite(p).all(axis=1))
    if not rest.size:
        return Reached(index, np.zeros((0, 2)))
    radius = surface.near_radius
    # Settled copies of one minimum agree to about STEP_TOL of the diagonal: collapse them
    # before the O(D^2) grouping (a complex key per cell: np.unique on rows is 10x slower).
    with np.errstate(over="ignore"):
        cells = np.round(p[rest] / (1e-6 * radius))
    _, first, inverse = np.unique(cells @ [1, 1j], return_index=True, return_inverse=True)
    candidates = p[rest][first]
    order = np.lexsort((candidates[:, 1], candidates[:, 0], surface.value(candidates)))
    centres = np.empty((len(candidates), 2))
    count = 0
    group = np.empty(len(candidates), dtype=int)
    for i in order:  # lowest first: each joins the first centre within the radius, or starts one
        near = np.flatnonzero(np.hypot(*(candidates[i] - centres[:count]).T) <= radius)
        if near.size:
            group[i] = near[0]
        else:
            group[i], centres[count] = count, candidates[i]
            count += 1
    index[rest] = m + group[inverse.ravel()]
    return Reached(index, centres[:count])


def reached_minima(surface: Surface, points: ArrayLike, steps: int = SETTLE_STEPS) -> Reached:
    """Which minimum each point (..., 2) has reached: a listed one within ``near_radius``, else
    the minimum that ``settle`` polishes it to, if that is within ``near_radius`` of the point,
    else none (-1). Surfaces without a Hessian are not polished. See ``Reached``."""
    p = as_points(points)
    shape = p.shape[:-1]
    p = p.reshape(-1, 2)
    index = surface.reached(p)
    todo = np.flatnonzero((index < 0) & np.isfinite(p).all(axis=1))
    found = np.zeros((0, 2))
    if todo.size and surface.hess_fn is not None:
        radius = surface.near_radius
        # Newton may swerve on its way to a minimum within the radius (a first step capped at
        # the radius, then back): follow it a little farther. Points on a plateau, where Newton
        # steps are long, leave after two passes.
        settled, is_min = settle(surface, p[todo], steps, within=1.5 * radius)
        keep = is_min & (np.hypot(*(settled - p[todo]).T) <= radius)
        grouped = group_minima(surface, settled[keep])
        index[todo[keep]] = grouped.index
        found = grouped.found
    return Reached(index.reshape(shape), found)
