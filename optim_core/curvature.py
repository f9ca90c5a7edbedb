r"""Second-order and quasi-Newton optimizers: the common base and their batched loop.

First-order optimizers turn one gradient into one step (``optimizers.Optimizer.update_``).
The methods here need more of the surface: Newton's method its Hessian, line searches values
and gradients at trial points, Levenberg-Marquardt residuals and their Jacobian. So they get an
``Evaluator``, the surface seen through a counter, and own their step:

    state = opt.init(evaluator, p)                  # p: (k, 2) positions of k runs
    p, state, singular = opt.step(evaluator, p, state)

``state`` is a NamedTuple of per-run arrays (leading axis k) with the gradient at ``p`` in
``state.g``. Every computation is element-wise over runs (masks, no reductions across runs),
so a run in a batch takes exactly the path it takes alone, each with its own step lengths and
curvature history. The methods live in ``newton`` (Newton, saddle-free Newton,
Levenberg-Marquardt) and ``quasi_newton`` (BFGS, L-BFGS, nonlinear conjugate gradient).

A step is *singular* when the 2x2 matrix a method must solve with (the Hessian for Newton) has
:math:`|\det M| \le 10^{-12}\,\lVert M\rVert_F^2`, i.e. a condition number above about
:math:`10^{12}`, or has non-finite entries: ``run`` then stops the run with status "singular",
holding its position.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from optim_core.linesearch import dot
from optim_core.validation import check_value

# |det M| <= RCOND ||M||_F^2: M's condition number is above ~1/RCOND (det / ||M||_F^2 is
# lambda_min lambda_max / (lambda_min^2 + lambda_max^2) ~ 1 / cond). Solving with it would keep
# four of float64's sixteen digits at best.
RCOND = 1e-12


class CurvatureOptimizer:
    """Base class: a ``name``, the surface data the method ``needs`` ("hessian", "residuals" or
    None), and ``hyperparams`` (all of them, defaults included, for ``repr`` and ``take``).

    ``lr`` may be a float or an array of shape (N, 1), one learning rate per run, as for the
    first-order optimizers. Subclasses validate their hyperparameters in ``__init__`` and
    implement ``init`` and ``step``.
    """

    name = "curvature"
    needs: str | None = None

    def __init__(self, **hyperparams: Any):
        self.hyperparams = hyperparams

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.hyperparams.items())
        return f"{self.name}({args})"

    def init(self, ev: Evaluator, p: np.ndarray) -> NamedTuple:
        """State at the start points p (k, 2); evaluates at least the gradient there."""
        raise NotImplementedError

    def step(
        self, ev: Evaluator, p: np.ndarray, state: NamedTuple
    ) -> tuple[np.ndarray, NamedTuple, np.ndarray]:
        """One step from p (k, 2): new positions (k, 2), new state (``state.g`` the gradient
        there) and a (k,) mask of runs whose step was singular (their new position is unused).
        The state belongs to the runs: ``step`` may update its arrays in place."""
        raise NotImplementedError

    def stuck(self, before: np.ndarray, after: np.ndarray, state: NamedTuple) -> np.ndarray | None:
        """A (k,) mask of runs whose state is now a fixed point of ``step`` (they will never
        move again), or None: ``run`` then records them without stepping them. Positions
        ``before`` and ``after`` the last step, (k, 2) each."""
        return None

    def take(self, rows) -> CurvatureOptimizer:
        """The same optimizer for a subset ``rows`` of a batch (indexes a per-run ``lr``)."""
        lr = self.hyperparams.get("lr")
        if np.ndim(lr) == 0:
            return self
        return type(self)(**{**self.hyperparams, "lr": np.asarray(lr)[rows]})

    def lr(self) -> float | np.ndarray:
        """The learning rate as a float, or as a (k,) array for a per-run ``lr`` (k, 1)."""
        lr = self.hyperparams["lr"]
        return float(lr) if np.ndim(lr) == 0 else np.asarray(lr, dtype=np.float64)[:, 0]

    def check(self, surface, n: int) -> None:
        """ValueError unless the surface has what the method needs and a per-run ``lr`` has one
        row per start."""
        if self.needs == "hessian" and surface.hess_fn is None:
            raise ValueError(f"{self.name} needs an analytic Hessian; {surface.name!r} has none")
        if self.needs == "residuals" and not surface.has_residuals:
            raise ValueError(
                f"{self.name} needs a sum-of-squares surface (f = sum of squared residuals); "
                f"{surface.name!r} is not one"
            )
        lr = self.hyperparams.get("lr")
        if np.ndim(lr) > 0 and np.shape(lr) != (n, 1):
            raise ValueError(f"lr must be a float or have shape ({n}, 1), got {np.shape(lr)}")


def _short(value) -> str:
    return f"array{np.shape(value)}" if np.ndim(value) > 0 else repr(value)


def check_lr(lr) -> None:
    check_value("lr", lr, lambda a: a >= 0, ">= 0")
    if np.ndim(lr) > 0 and (np.ndim(lr) != 2 or np.shape(lr)[1] != 1):
        raise ValueError(f"lr must be a float or an (N, 1) array, got shape {np.shape(lr)}")


def solve_2x2(a, b, c, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve [[a, b], [b, c]] s = g for each run by Cramer's rule.

    a, b, c: (k,); g: (k, 2). Returns s (k, 2) and the (k,) singular mask
    |det| <= RCOND (a^2 + 2 b^2 + c^2), true also for non-finite entries.
    """
    det = a * c - b * b
    singular = ~(np.abs(det) > RCOND * (a * a + 2 * b * b + c * c))
    gx, gy = g[:, 0], g[:, 1]
    s = np.empty_like(g)
    s[:, 0] = (c * gx - b * gy) / det
    s[:, 1] = (a * gy - b * gx) / det
    return s, singular


class Evaluator:
    """The surface as an optimizer sees it inside ``run``: values, gradients, Hessians, residuals
    and Jacobians at points (k, 2) of the k active runs, each call counted per run.

    ``idx`` (an int array into the active runs) evaluates a subset, e.g. the runs still in a line
    search; by default all active runs. Residual evaluations count as function values and
    Jacobians as gradients (the gradient of sum r_i^2 is 2 J^T r). Counts accumulate per active
    run and go to the run's totals when it leaves (``keep``) or at the end (``flush``).
    """

    FEV, GEV, HEV = 0, 1, 2

    def __init__(self, surface, rows: np.ndarray, totals: tuple[np.ndarray, ...]):
        self.surface = surface
        self.rows = rows  # global run index of each active run
        self.totals = totals  # (n_fev, n_gev, n_hev) of every run
        self.counts = np.zeros((3, len(rows)), dtype=int)

    def keep(self, keep: np.ndarray) -> None:
        """Only the runs ``keep`` (a (k,) mask) stay active; the others' counts are final."""
        self.flush(~keep)
        self.rows, self.counts = self.rows[keep], self.counts[:, keep]

    def flush(self, which=slice(None)) -> None:
        for total, count in zip(self.totals, self.counts, strict=True):
            total[self.rows[which]] += count[which]

    def _count(self, kind: int, idx) -> None:
        if idx is None:
            self.counts[kind] += 1
        else:
            self.counts[kind, idx] += 1

    def value(self, p: np.ndarray, idx=None) -> np.ndarray:
        self._count(self.FEV, idx)
        return self.surface.value(p)

    def gradient(self, p: np.ndarray, idx=None) -> np.ndarray:
        self._count(self.GEV, idx)
        return self.surface.gradient(p)

    def value_and_gradient(self, p: np.ndarray, idx=None) -> tuple[np.ndarray, np.ndarray]:
        self._count(self.FEV, idx)
        self._count(self.GEV, idx)
        return self.surface.value(p), self.surface.gradient(p)

    def gradient_and_hessian(self, p: np.ndarray, idx=None):
        """Gradient (k, 2) and Hessian entries (d2f/dx2, d2f/dxdy, d2f/dy2), each (k,), in one
        pass when the surface has a ``grad_hess_fn``."""
        self._count(self.GEV, idx)
        self._count(self.HEV, idx)
        x, y = p[:, 0], p[:, 1]
        if self.surface.grad_hess_fn is None:
            return self.surface.gradient(p), tuple(_full(h, x) for h in self.surface.hess_fn(x, y))
        (gx, gy), hessian = self.surface.grad_hess_fn(x, y)
        g = np.empty_like(p)
        g[:, 0], g[:, 1] = gx, gy
        return g, tuple(_full(h, x) for h in hessian)

    def residuals(self, p: np.ndarray, idx=None) -> list[np.ndarray]:
        """The m residuals r_i, each (k,)."""
        self._count(self.FEV, idx)
        x, y = p[:, 0], p[:, 1]
        return [_full(r, x) for r in self.surface.residual_fn(x, y)]

    def jacobian(self, p: np.ndarray, idx=None) -> list[tuple[np.ndarray, np.ndarray]]:
        """The m rows (dr_i/dx, dr_i/dy) of the Jacobian, each entry (k,)."""
        self._count(self.GEV, idx)
        x, y = p[:, 0], p[:, 1]
        return [(_full(dx, x), _full(dy, x)) for dx, dy in self.surface.jacobian_fn(x, y)]


def _full(a, like: np.ndarray) -> np.ndarray:
    """``a`` as a float array of ``like``'s shape (user surfaces may return scalars)."""
    return a if np.shape(a) == like.shape else np.broadcast_to(np.asarray(a, float), like.shape)


def take_rows(state, keep: np.ndarray):
    """The state of the runs ``keep`` (a mask or index array over the leading axis of every
    array in a (nested) tuple)."""
    if isinstance(state, np.ndarray):
        return state[keep]
    if isinstance(state, tuple):
        parts = [take_rows(part, keep) for part in state]
        return type(state)(*parts) if hasattr(state, "_fields") else tuple(parts)
    return state


def run_curvature(
    opt: CurvatureOptimizer, surface, starts, steps, tol, box, keep_path, single, noise
):
    """``optim_core.run`` for a CurvatureOptimizer: starts (N, 2), chunked like the first-order
    loop. Statuses as there (converged: gradient norm < tol; diverged: non-finite or outside
    ``box``, keeping the last good position), plus singular: the step from the position at
    ``stop_step - 1`` needed a singular solve, and the run holds that position."""
    # run.py dispatches here, so its outputs are imported when a run starts, not at import.
    from optim_core.run import PLAIN_CHUNK as CHUNK  # noqa: I001 - see the comment above
    from optim_core.run import _Outputs

    if noise:
        raise ValueError(f"noise={noise}: {opt.name} evaluates the surface exactly (use noise=0)")
    out = _Outputs(len(starts), steps, keep_path)
    for a in range(0, len(starts), CHUNK):
        rows = np.arange(a, min(a + CHUNK, len(starts)))
        _run_chunk(opt.take(rows), surface, starts[rows], rows, steps, tol, box, out)
    return out.finish(surface, single)


def _run_chunk(opt, surface, p, rows, steps, tol, box, out):
    from optim_core.run import DIVERGED, MOVING, SINGULAR, _any_stopped, _status

    tol2 = tol * tol
    ev = Evaluator(surface, rows, (out.n_fev, out.n_gev, out.n_hev))
    frozen = _Frozen()
    with np.errstate(all="ignore"):
        p = p.copy()
        state = opt.init(ev, p)
        gn2 = dot(state.g, state.g)
        out.record(rows, 0, p, gn2, ev.counts[ev.GEV])
        status = _status(p, gn2, tol2, box)
        for t in range(steps + 1):
            stepped = t > 0 and len(rows) > 0
            if stepped:
                before = p
                new, state, singular = opt.step(ev, p, state)
                new_gn2 = dot(state.g, state.g)
                if singular.any() or _any_stopped(new, new_gn2, tol2, box):
                    status = np.where(singular, SINGULAR, _status(new, new_gn2, tol2, box))
                    # Diverged and singular runs stay where they were before the step.
                    stay = (status == DIVERGED) | singular
                    new = np.where(stay[:, None], p, new)
                    new_gn2 = np.where(stay, gn2, new_gn2)
                p, gn2 = new, new_gn2
                out.record(rows, t, p, gn2, ev.counts[ev.GEV])
            frozen.record(out, t)
            leaving = np.zeros(len(rows), dtype=bool) if status is None else status != MOVING
            if leaving.any():
                out.stop(rows[leaving], t, status[leaving], p[leaving])
            stuck = opt.stuck(before, p, state) if stepped else None
            if stuck is not None and (stuck := stuck & ~leaving).any():
                frozen.add(rows[stuck], p[stuck], gn2[stuck])
                leaving |= stuck
            if leaving.any():
                keep = ~leaving
                ev.keep(keep)
                rows, p, gn2 = rows[keep], p[keep], gn2[keep]
                state, opt = take_rows(state, keep), opt.take(keep)
            status = None  # the runs left are moving
            if not len(rows) and not len(frozen.rows):
                break
        out.stop(rows, steps, np.full(len(rows), MOVING), p)
        out.stop(frozen.rows, steps, np.full(len(frozen.rows), MOVING), frozen.p)
        ev.flush()


class _Frozen:
    """Runs that stand still for good: their last position is recorded at every later step, with
    their final gradient count (the evaluator flushed it to ``out.n_gev`` when they froze)."""

    def __init__(self):
        self.rows, self.p, self.gn2 = np.zeros(0, dtype=int), np.zeros((0, 2)), np.zeros(0)

    def add(self, rows, p, gn2) -> None:
        self.rows = np.concatenate([self.rows, rows])
        self.p, self.gn2 = np.concatenate([self.p, p]), np.concatenate([self.gn2, gn2])

    def record(self, out, t: int) -> None:
        if len(self.rows):
            out.record(self.rows, t, self.p, self.gn2, out.n_gev[self.rows])
