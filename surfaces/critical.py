"""Find the minima and saddle points of a surface on its domain numerically.

For surfaces whose critical points nobody published (typed formulas): sample |∇f| on a grid,
take every grid point where |∇f| is no larger than at its 8 neighbours as a candidate, polish all
candidates at once with Newton's method on the analytic gradient and Hessian, drop duplicates,
and classify each stationary point by its Hessian (or, where that is degenerate, by the values
on a small ring around it). Features narrower than a few grid cells can be missed.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from surfaces.base import Domain, GradientFn, HessianFn, Minimum, Point, ValueFn

RESOLUTION = 201  # grid points per axis
MAX_CANDIDATES = 1000  # Newton starts, lowest |grad f| first
NEWTON_STEPS = 100  # enough for degenerate minima such as x^6, where Newton only halves errors
RING = 16  # points on the ring that classifies a stationary point


class CriticalPoints(NamedTuple):
    """Minima (global ones first, then local, by value) and saddles of a surface on a domain.

    ``lowest_on_grid`` is True when no isolated stationary point is the lowest point of the
    domain (the surface falls towards the boundary, its lowest point is a kink, or its floor is
    level): the "global" minimum is then the lowest grid point (the one nearest the centre among
    equals), slid along the boundary edge it may lie on, and need not be stationary.
    """

    minima: tuple[Minimum, ...]
    saddles: tuple[Point, ...]
    lowest_on_grid: bool


def _evaluate(fn, *args):
    with np.errstate(all="ignore"):
        return fn(*args)


def _newton_step(grad_fn: GradientFn, hess_fn: HessianFn, x: np.ndarray, y: np.ndarray):
    """Newton steps H^-1 g for arrays of points (2x2 inverse written out); nan where singular,
    unless the gradient is exactly zero."""
    gx, gy = _evaluate(grad_fn, x, y)
    fxx, fxy, fyy = _evaluate(hess_fn, x, y)
    with np.errstate(all="ignore"):
        det = fxx * fyy - fxy * fxy
        det = np.where(det == 0, np.nan, det)
        step = (fyy * gx - fxy * gy) / det, (fxx * gy - fxy * gx) / det
        # Already stationary (a degenerate point such as x^3 + y^2 at 0, hit exactly): stay.
        at_rest = (gx == 0) & (gy == 0)
        step = np.where(at_rest, 0.0, step[0]), np.where(at_rest, 0.0, step[1])
    return (np.broadcast_to(s, x.shape) for s in step)


def _inside(domain: Domain, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    (x0, x1), (y0, y1) = domain
    return (x0 <= x) & (x <= x1) & (y0 <= y) & (y <= y1)


def _polish(grad_fn, hess_fn, domain: Domain, x: np.ndarray, y: np.ndarray, tol: float):
    """Newton's method on many points at once (writable arrays x, y); returns the points that
    converged inside the domain, their last step shorter than ``tol``. Points that leave the
    domain or meet a singular Hessian are dropped; converged ones stop moving."""
    alive, done = np.ones(x.shape, dtype=bool), np.zeros(x.shape, dtype=bool)
    for _ in range(NEWTON_STEPS):
        active = alive & ~done
        if not active.any():
            break
        dx, dy = _newton_step(grad_fn, hess_fn, x[active], y[active])
        x[active] -= dx
        y[active] -= dy
        moved_x, moved_y = x[active], y[active]
        ok = np.isfinite(moved_x) & np.isfinite(moved_y) & _inside(domain, moved_x, moved_y)
        alive[active] = ok
        done[active] = ok & (np.hypot(dx, dy) <= tol)
    return x[done], y[done]


def _unique(x: np.ndarray, y: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """One point per cell of a ``tol``-spaced lattice, the first in the given order."""
    cells = np.round(np.column_stack([x, y]) / tol)
    _, first = np.unique(cells, axis=0, return_index=True)
    first.sort()
    return x[first], y[first]


def _classify(fn: ValueFn, hess_fn: HessianFn, x: np.ndarray, y: np.ndarray, radius: float):
    """Which stationary points (x, y arrays (m,)) are minima and which saddles.

    Where the Hessian is clear (its smaller eigenvalue in size above 1e-6 of the larger), the
    signs of its eigenvalues decide. Where it is degenerate (x^4 + y^2, x^3 + y^2 at 0), f on a
    ring of ``radius`` decides: nowhere lower is a minimum, both lower and higher a saddle. A
    degenerate point where f stays level along the Hessian's null direction (or, for a zero
    Hessian, towards some ring point) lies on a line or patch of stationary points, such as
    the floor of (x - 2y)^2, and is neither.
    """
    centre = np.broadcast_to(_evaluate(fn, x, y), x.shape)
    fxx, fxy, fyy = (np.broadcast_to(h, x.shape) for h in _evaluate(hess_fn, x, y))
    angles = np.linspace(0, 2 * np.pi, RING, endpoint=False)
    with np.errstate(all="ignore"):
        mean, half = 0.5 * (fxx + fyy), np.hypot(0.5 * (fxx - fyy), fxy)
        low, high = mean - half, mean + half  # the Hessian's eigenvalues
        clear = np.minimum(abs(low), abs(high)) > 1e-6 * np.maximum(abs(low), abs(high))
        # Null direction: an eigenvector of the eigenvalue nearer 0, (λ - fyy, fxy) or (fxy, λ - fxx).
        small = np.where(abs(low) <= abs(high), low, high)
        u = np.stack([small - fyy, fxy], axis=-1)
        v = np.stack([fxy, small - fxx], axis=-1)
        null = np.where((np.hypot(*u.T) >= np.hypot(*v.T))[:, None], u, v)
        length = np.hypot(*null.T)
        null = null / np.where(length > 0, length, 1.0)[:, None]
        slack = 1e-13 * (1 + np.abs(centre))[:, None]
        ring = _evaluate(
            fn, x[:, None] + radius * np.cos(angles), y[:, None] + radius * np.sin(angles)
        )
        ring = ring - centre[:, None]
        sides = np.array([-radius, radius])
        along = _evaluate(fn, x[:, None] + sides * null[:, :1], y[:, None] + sides * null[:, 1:])
        level = np.where(
            length > 0,
            np.any(abs(along - centre[:, None]) <= slack, axis=1),
            np.any(abs(ring) <= slack, axis=1),
        )
        above, below = np.all(ring >= -slack, axis=1), np.all(ring <= slack, axis=1)
    keep = (clear | ~level) & np.isfinite(centre)
    is_min = np.where(clear, low > 0, above) & keep
    is_saddle = np.where(clear, (low < 0) & (high > 0), ~above & ~below) & keep
    return is_min, is_saddle


def _edge_polish(fn, grad_fn, hess_fn, domain: Domain, point: np.ndarray) -> np.ndarray:
    """Slide a lowest grid point on an edge of the domain to the minimum along that edge
    (1-D Newton on the edge, kept only where it lowers f). Corners and interior points stay."""
    (x0, x1), (y0, y1) = domain
    on_x_edge, on_y_edge = point[0] in (x0, x1), point[1] in (y0, y1)
    if on_x_edge == on_y_edge:
        return point  # a corner, or inside the domain
    axis = 1 if on_x_edge else 0  # the coordinate that moves along the edge
    lo, hi = domain[axis]
    best = point.copy()
    p = point.copy()
    for _ in range(50):
        g = _evaluate(grad_fn, p[0], p[1])[axis]
        h = _evaluate(hess_fn, p[0], p[1])[2 * axis]
        if not (np.isfinite(g) and np.isfinite(h) and h > 0):
            break
        p[axis] = np.clip(p[axis] - g / h, lo, hi)
        if _evaluate(fn, p[0], p[1]) < _evaluate(fn, best[0], best[1]):
            best = p.copy()
    return best


def find(
    fn: ValueFn,
    grad_fn: GradientFn,
    hess_fn: HessianFn,
    domain: Domain,
    *,
    resolution: int = RESOLUTION,
    limit: int = 200,
) -> CriticalPoints:
    """The minima and saddles of f on ``domain`` (at most ``limit`` of each, lowest first).

    Stationary points pass two tests: the last Newton step is below 1e-10 of the domain's
    diagonal and |∇f| <= 1e-8 (1 + the median |∇f| on the grid). The signs of the Hessian's
    eigenvalues tell minima, saddles and maxima (not listed) apart; where the smaller eigenvalue
    is under 1e-6 of the larger in size (degenerate, as for x^4 + y^2 or x^3 + y^2), the values on
    a ring of a quarter grid cell around the point decide: nowhere lower is a minimum, both lower
    and higher a saddle. Minima within 1e-9 (1 + |f|) of the lowest are global, unless the grid
    has a lower value: see `CriticalPoints`. Raises ValueError if f is nowhere finite on the
    grid.
    """
    (x0, x1), (y0, y1) = domain
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    X, Y = np.meshgrid(xs, ys)
    F = np.broadcast_to(_evaluate(fn, X, Y), X.shape)
    GX, GY = (np.broadcast_to(g, X.shape) for g in _evaluate(grad_fn, X, Y))
    with np.errstate(all="ignore"):
        G2 = GX * GX + GY * GY
    finite = np.isfinite(F) & np.isfinite(G2)
    if not np.isfinite(F).any():
        raise ValueError(f"the formula has no finite value on the domain {domain}")
    G2 = np.where(finite, G2, np.inf)
    gscale = float(np.median(np.sqrt(G2[finite]))) if finite.any() else 0.0
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    cell = min(xs[1] - xs[0], ys[1] - ys[0])

    # Candidates: interior grid points where |grad f| is no larger than at its 8 neighbours.
    centre = G2[1:-1, 1:-1]
    is_candidate = np.isfinite(centre)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                is_candidate &= (
                    centre <= G2[1 + di : resolution - 1 + di, 1 + dj : resolution - 1 + dj]
                )
    rows, cols = np.nonzero(is_candidate)
    order = np.argsort(centre[rows, cols], kind="stable")[:MAX_CANDIDATES]
    cx, cy = xs[cols[order] + 1], ys[rows[order] + 1]

    px, py = _polish(grad_fn, hess_fn, domain, cx, cy, 1e-10 * diagonal)
    gx, gy = (np.broadcast_to(g, px.shape) for g in _evaluate(grad_fn, px, py))
    with np.errstate(all="ignore"):
        stationary = np.hypot(gx, gy) <= 1e-8 * (1 + gscale)
    px, py = _unique(px[stationary], py[stationary], 1e-6 * diagonal)

    values = np.broadcast_to(_evaluate(fn, px, py), px.shape).astype(np.float64)
    is_min, is_saddle = _classify(fn, hess_fn, px, py, 0.25 * cell)

    by_value = np.lexsort((px, values))  # lowest first, ties by x for a stable order
    minima = [(float(px[i]), float(py[i]), float(values[i])) for i in by_value if is_min[i]]
    saddles = [(float(px[i]), float(py[i])) for i in by_value if is_saddle[i]][:limit]

    # The lowest grid point; of equally low ones (a flat floor), the nearest the centre.
    lifted = np.where(np.isfinite(F), F, np.inf)  # a kink (cone tip) has no gradient, only f
    grid_low = float(lifted.min())
    ties = lifted <= grid_low + 1e-12 * (1 + abs(grid_low))
    off_centre = np.hypot(X - 0.5 * (x0 + x1), Y - 0.5 * (y0 + y1))
    low = np.unravel_index(np.argmin(np.where(ties, off_centre, np.inf)), F.shape)
    if not minima or grid_low < minima[0][2] - 1e-9 * (1 + abs(minima[0][2])):
        point = _edge_polish(fn, grad_fn, hess_fn, domain, np.array([X[low], Y[low]]))
        value = float(_evaluate(fn, point[0], point[1]))
        marker = Minimum((float(point[0]), float(point[1])), value, "global")
        locals_ = [Minimum((mx, my), v, "local") for mx, my, v in minima[: limit - 1]]
        return CriticalPoints((marker, *locals_), tuple(saddles), True)
    best = minima[0][2]
    kinds = ["global" if v <= best + 1e-9 * (1 + abs(best)) else "local" for _, _, v in minima]
    found = tuple(Minimum((mx, my), v, k) for (mx, my, v), k in zip(minima, kinds, strict=True))
    return CriticalPoints(found[:limit], tuple(saddles), False)
