"""Run an optimizer on a surface from one or many start points.

The equations live once, in ``transforms``; this loop only decides what to step. It steps the
optimizer's in-place kernel on buffers it owns (no batch-sized temporaries for the state),
double-buffers positions so a diverging step can be undone without a copy, checks for stopped
runs with a few reductions (per-run masks only when something stopped), and drops runs that
have converged or diverged from the working set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optim_core.curvature import CurvatureOptimizer, run_curvature
from optim_core.optimizers import Optimizer, _map_tree
from optim_core.validation import check_run_options, check_starts

MOVING, CONVERGED, DIVERGED, SINGULAR = 0, 1, 2, 3
STATUS_NAMES = np.array(["moving", "converged", "diverged", "singular"])
# Runs per chunk: bounds the memory of temporaries. Measured (interleaved, Adam on Beale and
# SGD on wells, 40,000 starts): chunks of 2,048 to 40,000 runs cost the same within 5%.
CHUNK = 4096


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
      per step: ``n_gev = stop_step + 1``, no values, no Hessians.
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
) -> RunResult:
    """Run ``optimizer`` on ``surface`` for up to ``steps`` steps from ``start``.

    ``start`` is one point ``(2,)`` or ``N`` points ``(N, 2)``; array hyperparameters with one
    row per run (e.g. ``lr`` of shape ``(N, 1)``) compare settings in one batched run.
    A run stops as *converged* when its gradient norm falls under ``tol``, and as *diverged*
    when its position or gradient becomes non-finite or it leaves ``escape_box``. ``noise`` adds
    seeded Gaussian noise of that standard deviation to every gradient (stochastic gradients).
    Never raises for divergence and never emits NumPy warnings.

    Second-order and quasi-Newton optimizers (``optim_core.curvature``) run in their own
    batched loop with the same statuses, plus "singular" (see ``curvature.run_curvature``).

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
    optimizer.check(surface, n)
    box = escape_box(surface.domain, escape)
    if isinstance(optimizer, CurvatureOptimizer):
        return run_curvature(optimizer, surface, starts, steps, tol, box, keep_path, single, noise)

    out = _Outputs(n, steps, keep_path)
    for a in range(0, n, CHUNK):
        rows = np.arange(a, min(a + CHUNK, n))
        rng = np.random.default_rng([seed, a]) if noise else None
        _run_chunk(
            optimizer.take(rows), surface, starts[rows], rows, steps, tol, box, noise, rng, out
        )
    out.n_gev[:] = out.stop_step + 1
    return out.finish(surface, single)


def _run_chunk(opt, surface, start, rows, steps, tol, box, noise, rng, out):
    """Step one chunk of runs until each stops or ``steps`` is reached."""
    p = start.copy()
    tol2 = tol * tol
    with np.errstate(all="ignore"):
        g = surface.gradient(p)
        gn2 = _squared_norm(g)
        out.record(rows, 0, p, gn2)
        status = _status(p, gn2, tol2, box)
        done = status != MOVING
        out.stop(rows[done], 0, status[done], p[done])
        rows, p, g, gn2 = rows[~done], p[~done], g[~done], gn2[~done]
        opt = opt.take(~done) if done.any() else opt
        state = opt.init(p)
        for t in range(1, steps + 1):
            if len(rows) == 0:
                return
            if noise:
                g += noise * rng.standard_normal(g.shape)
            state = opt.update_(g, p, state)  # g now holds the step lr_t * direction
            new = p - g  # a second buffer, so the last position survives a diverging step
            g = surface.gradient(new)
            new_gn2 = _squared_norm(g)
            if not _any_stopped(new, new_gn2, tol2, box):
                p, gn2 = new, new_gn2
                out.record(rows, t, p, gn2)
                continue
            status = _status(new, new_gn2, tol2, box)
            # A diverged run stays where it was before the step that took it away.
            keep_old = status == DIVERGED
            new[keep_old], new_gn2[keep_old] = p[keep_old], gn2[keep_old]
            p, gn2 = new, new_gn2
            out.record(rows, t, p, gn2)
            done = status != MOVING
            out.stop(rows[done], t, status[done], p[done])
            keep = ~done
            rows, p, g, gn2 = rows[keep], p[keep], g[keep], gn2[keep]
            state = state._replace(inner=_map_tree(lambda arr, k=keep: arr[k], state.inner))
            opt = opt.take(keep)
        out.stop(rows, steps, np.full(len(rows), MOVING), p)


def _squared_norm(g: np.ndarray) -> np.ndarray:
    gx, gy = g[:, 0], g[:, 1]
    return gx * gx + gy * gy


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


def _status(p, gn2, tol2, box) -> np.ndarray:
    """Per run: MOVING, CONVERGED (gradient norm < tol) or DIVERGED (non-finite or escaped)."""
    lo, hi = box
    inside = ((p >= lo) & (p <= hi)).all(axis=1)
    bad = ~(gn2 < np.inf) | ~inside
    return np.where(bad, DIVERGED, np.where(gn2 < tol2, CONVERGED, MOVING))


class _Outputs:
    """Buffers that ``run`` fills chunk by chunk."""

    def __init__(self, n: int, steps: int, keep_path: bool):
        self.steps = steps
        self.final = np.empty((n, 2))
        self.status = np.full(n, MOVING)
        self.stop_step = np.full(n, steps)
        self.path = np.empty((n, steps + 1, 2)) if keep_path else None
        self.grad_norm = np.empty((n, steps + 1)) if keep_path else None
        self.n_fev, self.n_gev, self.n_hev = (np.zeros(n, dtype=int) for _ in range(3))

    def record(self, rows, t, p, squared_grad_norm):
        if self.path is not None:
            self.path[rows, t] = p
            self.grad_norm[rows, t] = np.sqrt(squared_grad_norm)

    def stop(self, rows, t, status, p):
        self.final[rows] = p
        self.status[rows] = status
        self.stop_step[rows] = t

    def finish(self, surface, single: bool) -> RunResult:
        with np.errstate(all="ignore"):
            final_loss = surface.value(self.final)
            path = loss = grad_norm = None
            if self.path is not None:
                # Hold each stopped run at its last position (and gradient norm) to the end.
                idx = np.minimum(np.arange(self.steps + 1), self.stop_step[:, None])
                runs = np.arange(len(idx))[:, None]
                path = self.path[runs, idx]
                grad_norm = self.grad_norm[runs, idx]
                loss = surface.value(path)
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
            ):
                value = getattr(result, field)
                setattr(result, field, None if value is None else value[0])
        return result
