r"""Basins of attraction: where does an optimizer end, started from every point of a grid?

Each start is given one *category*: the index of the known minimum it ended near (categories
``0 .. M-1`` follow ``surface.minima``), or one of three outcomes that are not a listed minimum:

- ``OTHER`` (code ``M``): stopped (gradient norm below the tolerance) far from every listed
  minimum, i.e. at an unlisted minimum (Rastrigin and Ackley list only the nearest ring) or
  exactly on a saddle or maximum;
- ``NOT_CONVERGED`` (code ``M + 1``): still moving after the last step, far from every minimum;
- ``DIVERGED`` (code ``M + 2``): the run blew up or left the escape box.

"Near" means within ``fraction`` of the domain's diagonal,
:math:`\|p_{end} - p^*\| \le \text{fraction}\cdot\sqrt{w^2 + h^2}`: a run that is still circling a
minimum at the last step has found that minimum's basin even if its gradient is not yet tiny.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

import optim_core
from surfaces.base import fd_hessian

NEAR_FRACTION = 0.02  # of the domain diagonal: "ended near a minimum"
MAX_GRID = 300  # starts per side: 300 x 300 = 90 000 runs per optimizer
MAX_STARTS = 200  # multi-start mode
OTHER, NOT_CONVERGED, DIVERGED = "other", "not converged", "diverged"

# Learning rates tuned so that the defaults teach something at first glance. On `wells`, plain
# SGD follows the gradient into whichever well is downhill of its start (half of the grid ends in
# a shallow well), while momentum and Adam carry enough speed to roll over the shallow wells'
# rims into the deep one. On Himmelblau all four minima are global: the maps show how the
# optimizers carve the plane into four basins differently.
TUNED_LR = {
    "wells": {
        "sgd": 0.1,
        "momentum": 0.1,
        "nag": 0.1,
        "adagrad": 1.0,
        "rmsprop": 0.03,
        "adam": 0.3,
        "adamw": 0.3,
        "adadelta": 1.0,
    },
    "himmelblau": {
        "sgd": 0.01,
        "momentum": 0.003,
        "nag": 0.003,
        "adagrad": 0.5,
        "rmsprop": 0.03,
        "adam": 0.1,
        "adamw": 0.1,
        "adadelta": 1.0,
    },
}
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw", "adadelta")


class Category(NamedTuple):
    """One outcome: ``label`` for legends, ``kind`` ("global", "local", "other", "not
    converged", "diverged") and the minimum's ``point`` (None for the last three)."""

    label: str
    kind: str
    point: tuple[float, float] | None


def categories(surface) -> list[Category]:
    """The outcomes in code order: the surface's minima, then other, not converged, diverged."""
    out = [
        Category(f"{m.kind} min {i + 1} ({m.point[0]:.2f}, {m.point[1]:.2f})", m.kind, m.point)
        for i, m in enumerate(surface.minima)
    ]
    return out + [Category(name, name, None) for name in (OTHER, NOT_CONVERGED, DIVERGED)]


def diagonal(domain) -> float:
    """Length of the domain's diagonal."""
    (x0, x1), (y0, y1) = domain
    return float(np.hypot(x1 - x0, y1 - y0))


def grid_starts(domain, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An n x n grid over the domain: xs (n,), ys (n,), starts (n*n, 2) in row-major order
    (row i has y = ys[i]), so ``codes.reshape(n, n)[i, j]`` belongs to (xs[j], ys[i])."""
    if not (isinstance(n, int | np.integer) and 2 <= n <= MAX_GRID):
        raise ValueError(f"grid must be a whole number from 2 to {MAX_GRID}, got {n}")
    (x0, x1), (y0, y1) = domain
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, np.stack([X.ravel(), Y.ravel()], axis=1)


def random_starts(domain, k: int, seed: int) -> np.ndarray:
    """k starts (k, 2) drawn uniformly over the domain with a seeded generator."""
    if not (isinstance(k, int | np.integer) and 1 <= k <= MAX_STARTS):
        raise ValueError(f"number of starts must be from 1 to {MAX_STARTS}, got {k}")
    (x0, x1), (y0, y1) = domain
    rng = np.random.default_rng(seed)
    return rng.uniform((x0, y0), (x1, y1), size=(k, 2))


def classify(surface, result, fraction: float = NEAR_FRACTION) -> np.ndarray:
    """Category code (N,) for each run of a batched ``optim_core.run`` result."""
    m = len(surface.minima)
    status = np.atleast_1d(result.status)
    index, distance = surface.nearest_minimum(np.atleast_2d(result.final))
    near = distance <= fraction * diagonal(surface.domain)
    codes = np.where(near, index, np.where(status == "converged", m, m + 1))
    return np.where(status == "diverged", m + 2, codes)


def shares(surface, codes: np.ndarray) -> np.ndarray:
    """Fraction of runs in each category (len(categories(surface)),); sums to 1."""
    counts = np.bincount(np.ravel(codes), minlength=len(surface.minima) + 3)
    return counts / max(counts.sum(), 1)


def global_share(surface, codes: np.ndarray) -> float:
    """Fraction of runs that ended at any global minimum."""
    is_global = [m.kind == "global" for m in surface.minima] + [False] * 3
    return float(shares(surface, codes)[is_global].sum())


def basin_map(optimizer, surface, n: int, steps: int) -> np.ndarray:
    """Category codes (n, n) of every start of ``grid_starts``, from one batched run
    (``keep_path=False``); entry [i, j] is the start (xs[j], ys[i])."""
    _, _, starts = grid_starts(surface.domain, n)
    result = optim_core.run(optimizer, surface, starts, steps, keep_path=False)
    return classify(surface, result).reshape(n, n)


def suggested_lr(surface, name: str) -> float:
    """A learning rate that shows ``name``'s basins on ``surface`` without diverging.

    Tuned for the lecture surfaces (``TUNED_LR``); elsewhere a rule of thumb: gradient methods
    take 0.5 / L with L the median over the minima of the largest Hessian eigenvalue (stable, since plain
    gradient descent needs lr < 2 / L), adaptive methods take steps of about 1% of the domain's
    diagonal (their step length is roughly lr, whatever the gradient's scale).
    """
    if name in TUNED_LR.get(surface.name, {}):
        return TUNED_LR[surface.name][name]
    if name in ADAPTIVE:
        return float(f"{0.01 * diagonal(surface.domain):.1g}")
    curvature = np.median(
        [
            np.linalg.eigvalsh(fd_hessian(surface.gradient, np.array(m.point))).max()
            for m in surface.minima
        ]
    )
    return float(f"{0.5 / curvature:.1g}")
