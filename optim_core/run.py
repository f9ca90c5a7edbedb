"""Run an optimizer on a surface from one or many start points.

The equations live once, in ``transforms``; this loop only decides what to step. It allocates
every batch-sized array once per chunk and steps in place on them: the optimizer's kernels and
the surface's fused gradient (``Surface.grad_into``) write into buffers it owns, because a fresh
array the size of a large batch costs more in page faults than the arithmetic done on it.
Positions are double-buffered so a diverging step can be undone without a copy; stopped runs
are found with a few reductions (per-run masks only when something stopped) and dropped from
the working set by moving as many runs as stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optim_core import batches
from optim_core.curvature import CurvatureOptimizer, run_curvature
from optim_core.optimizers import Optimizer, _map_tree
from optim_core.validation import check_run_options, check_starts

MOVING, CONVERGED, DIVERGED, SINGULAR = 0, 1, 2, 3
STATUS_NAMES = np.array(["moving", "converged", "diverged", "singular"])
# Runs per chunk. Measured (interleaved, tol=0, 40,000 and 90,000 starts): with a fused gradient
# no step allocates and NumPy's per-call overhead favours big chunks (Adam on Beale: 32,768 runs
# 1.1-1.3x faster than 8,192, 1.5x faster than 4,096). A plain formula allocates a temporary
# per operation, which stays cheap only while the arrays are small (Goldstein-Price: 8,192 runs
# 2x faster than 32,768, 1.4x faster than 4,096).
CHUNK, PLAIN_CHUNK = 32768, 8192


@dataclass
class RunResult:
    """What ``run`` returns. Shapes are for ``N`` starts; a single start of shape ``(2,)``
    drops the leading ``N`` axis everywhere.

    - ``path``: ``(N, steps + 1, 2)`` positions, step 0 is the start; after a run stops its
      last position repeats (``None`` when ``keep_path=False``).
    - ``loss``, ``grad_norm``: ``(N, steps + 1)`` along the path (``None`` without path).
    - ``final``: ``(N, 2)`` last position; ``final_loss``: ``(N,)``.
    - ``status``: ``(N,)`` of "converged", "diverged", "singular" or "moving"; ``stop_step``:
      ``(N,)`` step at which the run stopped (``steps`` for a run still moving). A diverged run
      keeps the last position before the step that left the domain or became non-finite; a
      singular run (Newton-type methods only, see ``optim_core.curvature``) keeps the position
      whose Hessian could not be solved with.
    - ``n_fev``, ``n_gev``, ``n_hev``: ``(N,)`` function values, gradients and Hessians the
      method evaluated, from the start to the stop (the losses along ``path`` are computed for
      display and not counted). A first-order run evaluates one gradient at the start and one
      per step: ``n_gev = stop_step + 1``, no values, no Hessians. With mini-batches of ``k``
      of the ``n`` data rows, a step's gradient counts ``k / n`` and ``n_gev`` is a float: the
      number of epochs' worth of row gradients (the full gradient each step computes to record
      ``grad_norm`` is for watching the run, not counted).
    - ``evals``: ``(N, steps + 1)`` cumulative ``n_gev`` after each step (step 0: what the
      start cost), held after the run stops, so ``evals[:, -1] == n_gev`` (``None`` without
      path). For a first-order run ``1 + t`` (with mini-batches: the rows of the first ``t``
      batches over ``n``); a curvature run's line searches make its increments vary.
    """

    path: np.ndarray | None
    loss: np.ndarray | None
    grad_norm: np.ndarray | None
    final: np.ndarray
    final_loss: np.ndarray
    status: np.ndarray
    stop_step: np.ndarray
    steps: int
    n_fev: np.ndarray
    n_gev: np.ndarray
    n_hev: np.ndarray
    evals: np.ndarray | None = None

    def __repr__(self) -> str:
        counts = {str(name): int(np.sum(self.status == name)) for name in STATUS_NAMES}
        return f"RunResult(runs={self.status.size}, steps={self.steps}, {counts})"


def escape_box(domain, escape: float) -> tuple[np.ndarray, np.ndarray]:
    """The box beyond which a run counts as diverged: the domain widened by ``escape`` times its
    width on every side."""
    (x0, x1), (y0, y1) = domain
    lo = np.array([x0 - escape * (x1 - x0), y0 - escape * (y1 - y0)])
    hi = np.array([x1 + escape * (x1 - x0), y1 + escape * (y1 - y0)])
    return lo, hi


def run(
    optimizer: Optimizer | CurvatureOptimizer,
    surface,
    start,
    steps: int,
    *,
    tol: float = 1e-6,
    keep_path: bool = True,
    noise: float = 0.0,
    seed: int = 0,
    escape: float = 5.0,
    batch_size: int | None = None,
) -> RunResult:
    """Run ``optimizer`` on ``surface`` for up to ``steps`` steps from ``start``.

    ``start`` is one point ``(2,)`` or ``N`` points ``(N, 2)``; array hyperparameters with one
    row per run (e.g. ``lr`` of shape ``(N, 1)``) compare settings in one batched run.
    A run stops as *converged* when its gradient norm falls under ``tol``, and as *diverged*
    when its position or gradient becomes non-finite or it leaves ``escape_box``. ``noise`` adds
    seeded Gaussian noise of that standard deviation to every gradient (stochastic gradients).
    Never raises for divergence and never emits NumPy warnings.

    On a surface defined by data (``surface.n_data`` rows), ``batch_size=k`` steps with the
    gradient of a mini-batch of ``k`` rows (1: stochastic, ``n_data``: the whole batch):
    seeded by ``seed``, reshuffled each epoch, the last batch of an epoch short when ``k`` does
    not divide ``n_data``; the same rows at each step for every run and every optimizer with
    this seed (see ``optim_core.batches``). ``grad_norm`` and the convergence test still use
    the full gradient, computed each step at the new position (the same stopping rule as
    without mini-batches, and the norm students compare). ``noise`` adds to the mini-batch
    gradient. ``batch_size=None`` steps with the full gradient.

    Second-order and quasi-Newton optimizers (``optim_core.curvature``) run in their own
    batched loop with the same statuses, plus "singular" (see ``curvature.run_curvature``);
    they evaluate the surface exactly, so they take neither ``noise`` nor ``batch_size``.

    Bad arguments raise ValueError before anything runs: starts that are not finite real
    numbers, ``steps`` and ``seed`` that are not integers >= 0, ``tol`` or ``noise`` not a
    finite number >= 0, ``escape`` not > 0, per-run hyperparameters without one row per start,
    more than ``validation.MAX_RUNS`` starts, and with ``keep_path=True`` paths above
    ``validation.MAX_PATH_BYTES`` (1 GiB, 32 bytes per run and step): use ``keep_path=False``.
    """
    if not isinstance(optimizer, Optimizer | CurvatureOptimizer):
        raise ValueError(
            f"Invalid optimizer: {optimizer!r} (build one with optim_core.make(name, ...))"
        )
    starts, single = check_starts(start)
    n = len(starts)
    check_run_options(n, steps, tol, keep_path, noise, seed, escape)
    curvature = isinstance(optimizer, CurvatureOptimizer)
    batches.check(surface, batch_size, seed, optimizer.name if curvature else None)
    optimizer.check(surface, n)
    box = escape_box(surface.domain, escape)
    if curvature:
        return run_curvature(optimizer, surface, starts, steps, tol, box, keep_path, single, noise)

    out = _Outputs(n, steps, keep_path, _gradient_count(batch_size, surface.n_data))
    chunk = CHUNK if surface.grad_into is not None else PLAIN_CHUNK
    for a in range(0, n, chunk):
        rows = np.arange(a, min(a + chunk, n))
        rng = np.random.default_rng([seed, a]) if noise else None
        # Every chunk replays the same sequence: a step's batch does not depend on the run.
        minibatches = (
            None if batch_size is None else batches.minibatches(surface.n_data, batch_size, seed)
        )
        opt = optimizer.take(rows)
        _run_chunk(opt, surface, starts[rows], rows, steps, tol, box, noise, rng, minibatches, out)
    return out.finish(surface, single)


def _gradient_count(batch_size: int | None, n_data: int | None):
    """Cumulative gradient evaluations of a first-order run after ``t`` steps, as a function of
    ``t`` (int array): one at the start and one per step, or with mini-batches the rows of the
    first ``t`` batches over ``n_data`` (the start's full gradient only watches the run)."""
    if batch_size is None:
        return lambda t: t + 1
    return lambda t: batches.rows_seen(t, n_data, batch_size) / n_data


def _run_chunk(opt, surface, start, rows, steps, tol, box, noise, rng, minibatches, out):
    """Step one chunk of runs until each stops or ``steps`` is reached.

    Points, gradients and optimizer states are ``(n, 2)`` arrays in Fortran order, so the x and
    y columns the surface reads are contiguous; the runs still moving are their first
    ``len(rows)`` rows (see ``_Batch.drop``). With ``minibatches`` (an iterator of row indices,
    one per step) each step replaces the full gradient in ``b.g``, which then served only to
    record the norm and test convergence, by the mini-batch gradient at the same position.
    """
    b = _Batch(opt, surface, start, rows, noise)
    tol2 = tol * tol
    with np.errstate(all="ignore"):
        surface.gradient(b.p, out=b.g, scratch=b.work)
        _squared_norm(b.g, out=b.gn2, scratch=b.work[0])
        out.record(b.rows, 0, b.p, b.gn2)
        if _any_stopped(b.p, b.gn2, tol2, box):
            converged, diverged = _stopped(b.p, b.gn2, tol2, box)
            b.drop(converged | diverged, 0, diverged, out)
        for t in range(1, steps + 1):
            if len(b.rows) == 0:
                return
            if minibatches is not None:
                b.minibatch_gradient(surface, next(minibatches))
            if noise:
                b.g += b.draw_noise(rng, noise)
            b.state = b.opt.update_(b.g, b.p, b.state, b.scratch)  # b.g: the step lr_t * dir
            np.subtract(b.p, b.g, out=b.new)  # the last position survives a diverging step
            surface.gradient(b.new, out=b.g, scratch=b.work)
            _squared_norm(b.g, out=b.new_gn2, scratch=b.work[0])
            if not _any_stopped(b.new, b.new_gn2, tol2, box):
                b.accept()
                out.record(b.rows, t, b.p, b.gn2)
                continue
            converged, diverged = _stopped(b.new, b.new_gn2, tol2, box)
            # A diverged run stays where it was before the step that took it away.
            bad = np.flatnonzero(diverged)
            if len(bad):
                b.new[bad], b.new_gn2[bad] = b.p[bad], b.gn2[bad]
            b.accept()
            out.record(b.rows, t, b.p, b.gn2)
            b.drop(converged | diverged, t, diverged, out)
        out.stop(b.rows, steps, np.full(len(b.rows), MOVING), b.p)


class _Batch:
    """The working set of one chunk: buffers for ``n`` runs, of which the first ``len(rows)``
    are still moving. ``rows`` maps each working row to its run in ``run``'s output."""

    def __init__(self, opt, surface, start, rows, noise):
        n = len(rows)
        self.rows = rows.copy()
        self.opt = opt
        self.per_run = opt.per_run  # whether ``drop`` must re-index hyperparameters
        self.p = np.asfortranarray(start)
        self.new = np.empty_like(self.p)  # empty_like keeps the Fortran order
        self.g = np.empty_like(self.p)
        self.scratch = np.empty_like(self.p)  # the optimizer kernels' working memory
        self.work = np.empty((surface.SCRATCH_ROWS, n))  # the gradient's working memory
        self.gn2, self.new_gn2 = np.empty(n), np.empty(n)
        # Noise is drawn into a C-ordered buffer: the same draws land on the same coordinates
        # as ``rng.standard_normal((n, 2))``.
        self.noise = np.empty((n, 2)) if noise else None
        self.state = opt.init(self.p)

    def accept(self):
        """Make the new positions (and squared gradient norms) the current ones."""
        self.p, self.new = self.new, self.p
        self.gn2, self.new_gn2 = self.new_gn2, self.gn2

    def minibatch_gradient(self, surface, index):
        """Overwrite the gradients with those of the data rows ``index`` (k,) only."""
        self.g[:, 0], self.g[:, 1] = surface.batch_grad_fn(self.p[:, 0], self.p[:, 1], index)

    def draw_noise(self, rng, scale):
        noise = self.noise[: len(self.rows)]
        rng.standard_normal(out=noise)
        noise *= scale
        return noise

    def drop(self, done, t, diverged, out):
        """Report the runs in mask ``done`` as stopped at step ``t`` and shrink the working set.

        Runs still moving from the tail fill the holes the stopped ones leave among the first
        ``k`` rows, so the cost grows with the number of stopped runs, not with the batch.
        """
        stopped = np.flatnonzero(done)
        if len(stopped) == 0:
            return
        status = np.where(diverged[stopped], DIVERGED, CONVERGED)
        out.stop(self.rows[stopped], t, status, self.p[stopped])
        k = len(self.rows) - len(stopped)
        holes = stopped[stopped < k]
        movers = k + np.flatnonzero(~done[k:])

        def fill(a):
            a[holes] = a[movers]
            return a[:k]

        self.rows, self.p, self.g, self.gn2 = map(fill, (self.rows, self.p, self.g, self.gn2))
        self.state = self.state._replace(inner=_map_tree(fill, self.state.inner))
        self.new, self.new_gn2, self.scratch = self.new[:k], self.new_gn2[:k], self.scratch[:k]
        self.work = self.work[:, :k]
        if self.per_run:
            order = np.arange(k)
            order[holes] = movers
            self.opt = self.opt.take(order)


def _squared_norm(g: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """``gx^2 + gy^2`` per row of ``g`` (n, 2), into ``out`` (n,)."""
    gx, gy = g[:, 0], g[:, 1]
    np.multiply(gx, gx, out=out)
    out += np.multiply(gy, gy, out=scratch)
    return out


def _any_stopped(p, gn2, tol2, box) -> bool:
    """Whether any run converged or diverged, from six reductions instead of per-run masks.

    NaN propagates through min/max and fails every comparison, so it counts as stopped.
    """
    (xlo, ylo), (xhi, yhi) = box
    x, y = p[:, 0], p[:, 1]
    return not (
        gn2.min() >= tol2
        and gn2.max() < np.inf
        and x.min() >= xlo
        and x.max() <= xhi
        and y.min() >= ylo
        and y.max() <= yhi
    )


def _stopped(p, gn2, tol2, box) -> tuple[np.ndarray, np.ndarray]:
    """Per run: converged (gradient norm < tol) and diverged (non-finite or escaped) masks."""
    (xlo, ylo), (xhi, yhi) = box
    x, y = p[:, 0], p[:, 1]
    inside = (x >= xlo) & (x <= xhi) & (y >= ylo) & (y <= yhi)
    diverged = ~(inside & (gn2 < np.inf))
    return (gn2 < tol2) & ~diverged, diverged


def _status(p, gn2, tol2, box) -> np.ndarray:
    """Per run: MOVING, CONVERGED or DIVERGED (``_stopped``'s masks as one code)."""
    converged, diverged = _stopped(p, gn2, tol2, box)
    return np.where(diverged, DIVERGED, np.where(converged, CONVERGED, MOVING))


class _Outputs:
    """Buffers that ``run`` fills chunk by chunk.

    ``gradient_count``, for first-order runs, gives the cumulative gradient evaluations after
    ``t`` steps (``t`` an int array) in closed form, so their loop records nothing per step for
    ``n_gev`` and ``evals``. Without it (curvature runs) ``record`` takes each step's cumulative
    counts from the ``Evaluator``.
    """

    def __init__(self, n: int, steps: int, keep_path: bool, gradient_count=None):
        self.steps = steps
        self.final = np.empty((n, 2))
        self.status = np.full(n, MOVING)
        self.stop_step = np.full(n, steps)
        self.path = np.empty((n, steps + 1, 2)) if keep_path else None
        # Squared gradient norms until ``finish``: one square root over the kept path instead of
        # a temporary every step.
        self.squared_grad_norm = np.empty((n, steps + 1)) if keep_path else None
        self.n_fev, self.n_gev, self.n_hev = (np.zeros(n, dtype=int) for _ in range(3))
        self.gradient_count = gradient_count
        recorded = keep_path and gradient_count is None
        self.evals = np.empty((n, steps + 1), dtype=int) if recorded else None

    def record(self, rows, t, p, squared_grad_norm, evals=None):
        if self.path is not None:
            self.path[rows, t] = p
            self.squared_grad_norm[rows, t] = squared_grad_norm
        if self.evals is not None:
            self.evals[rows, t] = evals

    def stop(self, rows, t, status, p):
        self.final[rows] = p
        self.status[rows] = status
        self.stop_step[rows] = t

    def finish(self, surface, single: bool) -> RunResult:
        count = self.gradient_count
        if count is not None:
            self.n_gev = count(self.stop_step)
        with np.errstate(all="ignore"):
            final_loss = surface.value(self.final)
            path = loss = grad_norm = evals = None
            if self.path is not None:
                # Hold each stopped run at its last position (and gradient norm) to the end.
                idx = np.minimum(np.arange(self.steps + 1), self.stop_step[:, None])
                runs = np.arange(len(idx))[:, None]
                path = self.path[runs, idx]
                grad_norm = np.sqrt(self.squared_grad_norm[runs, idx])
                loss = surface.value(path)
                evals = count(idx) if count is not None else self.evals[runs, idx]
        result = RunResult(
            path,
            loss,
            grad_norm,
            self.final,
            final_loss,
            STATUS_NAMES[self.status],
            self.stop_step,
            self.steps,
            self.n_fev,
            self.n_gev,
            self.n_hev,
            evals,
        )
        if single:
            for field in (
                "path",
                "loss",
                "grad_norm",
                "final",
                "final_loss",
                "status",
                "stop_step",
                "n_fev",
                "n_gev",
                "n_hev",
                "evals",
            ):
                value = getattr(result, field)
                setattr(result, field, None if value is None else value[0])
        return result
