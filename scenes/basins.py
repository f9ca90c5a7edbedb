r"""Basins of attraction: where does an optimizer end, started from every point of a grid?

Each start is given one *category* by where its run ended, with the library's one rule for
"reached a minimum" (``surfaces.reached_minima``: within ``surface.near_radius`` of a minimum,
listed or found by polishing the end point with Newton's method), in this order:

- a listed minimum (codes ``0 .. M-1`` follow ``surface.minima``);
- a minimum the surface does not list, found by polishing (Rastrigin and Ackley list only the
  ring nearest the global minimum): codes ``M + 3 + j`` for ``found[j]`` of the classification;
- ``OTHER`` (code ``M``): the run stopped (converged, or singular for Newton-type methods) where
  there is no minimum: a saddle, a maximum, a flat region;
- ``NOT_CONVERGED`` (code ``M + 1``): still moving after the last step, far from every minimum;
- ``DIVERGED`` (code ``M + 2``): the run blew up or left the escape box.

The three outcomes keep their codes whatever minima are found. A run that is still circling a
minimum at the last step has found that minimum's basin even if its gradient is not yet tiny.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

import optim_core
import surfaces
from surfaces.base import fd_hessian

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


class Basins(NamedTuple):
    """Category codes of a batch of runs, ``codes`` (N,) or (n, n), and the unlisted minima
    ``found`` (D, 2) they reached (code ``M + 3 + j`` is ``found[j]``)."""

    codes: np.ndarray
    found: np.ndarray


def categories(surface, found=()) -> list[Category]:
    """The outcomes in code order: the surface's minima; other, not converged, diverged; the
    unlisted minima ``found`` (D, 2) of a classification."""
    out = [
        Category(f"{m.kind} min {i + 1} ({m.point[0]:.2f}, {m.point[1]:.2f})", m.kind, m.point)
        for i, m in enumerate(surface.minima)
    ]
    out += [Category(name, name, None) for name in (OTHER, NOT_CONVERGED, DIVERGED)]
    return out + [
        Category(f"local min at ({x:.2f}, {y:.2f})", "local", (float(x), float(y)))
        for x, y in np.reshape(found, (-1, 2))
    ]


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


def classify(surface, result) -> Basins:
    """Categories of the runs of a batched ``optim_core.run`` result (see the module's
    docstring); diverged runs are not polished."""
    m = len(surface.minima)
    status = np.atleast_1d(result.status)
    final = np.atleast_2d(result.final)
    alive = status != "diverged"
    reached = surfaces.reached_minima(surface, final[alive])
    index = np.full(len(final), -1)
    index[alive] = reached.index
    stopped = (status == "converged") | (status == "singular")
    codes = np.where(index < 0, np.where(stopped, m, m + 1), np.where(index < m, index, index + 3))
    return Basins(np.where(alive, codes, m + 2), reached.found)


def combine(surface, maps) -> tuple[list[np.ndarray], np.ndarray]:
    """Several ``Basins`` (one per optimizer) on one shared list of found minima, so that a
    code, and its colour, means the same minimum on every map: (codes of each, found (D, 2))."""
    m = len(surface.minima)
    grouped = surfaces.group_minima(
        surface, np.concatenate([np.reshape(b.found, (-1, 2)) for b in maps])
    )
    out, start = [], 0
    for b in maps:
        index = grouped.index[start : start + len(b.found)]
        start += len(b.found)
        recode = np.concatenate([np.arange(m + 3), np.where(index < m, index, index + 3)])
        out.append(recode[b.codes])
    return out, grouped.found


def shares(surface, codes: np.ndarray, found=()) -> np.ndarray:
    """Fraction of runs in each category (len(categories(surface, found)),); sums to 1."""
    counts = np.bincount(np.ravel(codes), minlength=len(surface.minima) + 3 + len(found))
    return counts / max(counts.sum(), 1)


def global_share(surface, codes: np.ndarray) -> float:
    """Fraction of runs that ended at any (listed) global minimum."""
    is_global = np.array([m.kind == "global" for m in surface.minima])
    codes = np.ravel(codes)
    return float(np.isin(codes, np.flatnonzero(is_global)).mean()) if codes.size else 0.0


def basin_map(optimizer, surface, n: int, steps: int) -> Basins:
    """Categories (codes (n, n)) of every start of ``grid_starts``, from one batched run
    (``keep_path=False``); codes[i, j] is the start (xs[j], ys[i])."""
    _, _, starts = grid_starts(surface.domain, n)
    result = optim_core.run(optimizer, surface, starts, steps, keep_path=False)
    codes, found = classify(surface, result)
    return Basins(codes.reshape(n, n), found)


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
