r"""Learning-rate sweeps: many learning rates from one start, as one batched run.

The learning rate goes into the optimizer as an array of shape ``(N, 1)``, so ``optim_core.run``
steps all ``N`` runs together. On the quadratic bowl :math:`f(p) = \tfrac12 p^\top A p` with
Hessian eigenvalues :math:`\mu \le L`, the theory says where the runs must start to diverge:

- gradient descent :math:`p \leftarrow p - \eta A p` multiplies each eigen-component by
  :math:`1 - \eta\lambda`, stable iff :math:`|1 - \eta L| < 1`, i.e. :math:`\eta < 2/L`;
- heavy-ball momentum :math:`p_{t+1} = p_t - \eta A p_t + \beta (p_t - p_{t-1})` has the
  characteristic roots of :math:`r^2 - (1 + \beta - \eta\lambda) r + \beta`, both inside the unit
  circle iff :math:`\eta\lambda < 2 + 2\beta`, i.e. :math:`\eta < (2 + 2\beta)/L`;
- Nesterov (PyTorch's form) has :math:`r^2 - (1 + \beta)(1 - \eta\lambda) r + \beta(1 - \eta\lambda)`,
  stable iff :math:`\eta < (2 + 2\beta) / ((1 + 2\beta) L)`.

L2 weight decay :math:`\lambda_{wd}` adds :math:`\lambda_{wd} I` to the Hessian, so
:math:`L` becomes :math:`L + \lambda_{wd}` in all three. Pure (no streamlit).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

import optim_core
from scenes import divergence
from scenes.optimizer_settings import BOUNDS

MAX_RATES = 50
MAX_STEPS = 5000
LR_MIN, LR_MAX = BOUNDS["lr"][:2]
LOSS_FLOOR = 1e-16  # gaps below this are shown at the floor on log axes


def log_range(lo: float, hi: float, count: int) -> np.ndarray:
    """``count`` learning rates log-spaced from ``lo`` to ``hi`` (both included), shape (count,).

    Raises ValueError with a message fit for users when the range is empty or out of bounds.
    """
    if not (np.isfinite(lo) and np.isfinite(hi) and LR_MIN <= lo and hi <= LR_MAX):
        raise ValueError(f"Learning rates must lie between {LR_MIN:g} and {LR_MAX:g}.")
    if lo >= hi:
        raise ValueError(f"The smallest learning rate ({lo:g}) must be below the largest ({hi:g}).")
    if not 2 <= count <= MAX_RATES:
        raise ValueError(f"Choose from 2 to {MAX_RATES} learning rates (got {count}).")
    return np.geomspace(lo, hi, count)


def parse_rates(text: str) -> np.ndarray:
    """Learning rates typed as a list ("0.001, 0.01, 0.1"; commas, semicolons or spaces),
    sorted and without duplicates, shape (n,).

    Raises ValueError naming the offending entry: not a number, not positive, out of bounds,
    or more than ``MAX_RATES`` values.
    """
    items = [t for t in re.split(r"[,;\s]+", text.strip()) if t]
    if not items:
        raise ValueError("Type at least one learning rate, e.g. 0.001, 0.01, 0.1.")
    if len(items) > MAX_RATES:
        raise ValueError(f"At most {MAX_RATES} learning rates, got {len(items)}.")
    rates = []
    for item in items:
        try:
            value = float(item)
        except ValueError:
            raise ValueError(f"{item[:20]!r} is not a number.") from None
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"Learning rates must be positive numbers, got {item[:20]!r}.")
        if not LR_MIN <= value <= LR_MAX:
            raise ValueError(
                f"Learning rate {value:g} is outside the allowed range {LR_MIN:g} to {LR_MAX:g}."
            )
        rates.append(value)
    return np.unique(rates)


def format_rates(lrs) -> str:
    """The inverse of ``parse_rates`` (up to rounding to 4 significant digits)."""
    return ", ".join(f"{lr:.4g}" for lr in lrs)


def sweep(
    name: str,
    hyperparams: dict,
    surface,
    start,
    lrs,
    steps: int,
    *,
    tol: float = 1e-6,
    keep_path: bool = True,
) -> optim_core.RunResult:
    """One batched run of optimizer ``name`` for every learning rate in ``lrs`` (shape (N,)),
    all from ``start``; ``hyperparams`` are the other hyperparameters (no ``lr``).

    The result has the batch axis first: ``path`` (N, steps + 1, 2), ``status`` (N,), ...
    """
    lrs = np.asarray(lrs, dtype=np.float64).reshape(-1, 1)
    opt = optim_core.make(name, lr=lrs, **hyperparams)
    starts = np.tile(np.asarray(start, dtype=np.float64), (len(lrs), 1))
    return optim_core.run(opt, surface, starts, steps, tol=tol, keep_path=keep_path)


def reversals(path: np.ndarray, stop_step: np.ndarray) -> np.ndarray:
    """How often each run turns back: steps whose displacement makes an obtuse angle with the
    previous one, counted up to the run's stop. ``path`` (N, steps + 1, 2) -> (N,) ints.

    Gradient descent on a quadratic turns back only when the steep component overshoots,
    i.e. exactly when lr > 1/L.
    """
    d = np.diff(path, axis=1)
    dots = np.einsum("nti,nti->nt", d[:, 1:], d[:, :-1])
    t = np.arange(1, d.shape[1])
    return np.sum((dots < 0) & (t[None, :] < stop_step[:, None]), axis=1)


def summarize(lrs, result: optim_core.RunResult, surface) -> pd.DataFrame:
    """One row per learning rate: ``lr``, ``status``, ``stop_step``, ``steps_to_tol`` (NaN
    unless converged), ``final_loss``, ``gap`` (final loss minus the global minimum's, NaN when
    diverged, floored at ``LOSS_FLOOR``), ``reversals`` (when the path was kept) and ``regime``:
    "diverges", "oscillates" (turned back at least once), "converges" or "too slow"."""
    status = np.asarray(result.status)
    converged, diverged = status == "converged", status == "diverged"
    best = min(m.value for m in surface.minima)
    gap = np.maximum(np.asarray(result.final_loss) - best, LOSS_FLOOR)
    table = pd.DataFrame(
        {
            "lr": np.asarray(lrs, dtype=np.float64),
            "status": status.astype(str),
            "stop_step": result.stop_step,
            "steps_to_tol": np.where(converged, result.stop_step, np.nan),
            "final_loss": np.where(diverged, np.nan, result.final_loss),
            "gap": np.where(diverged, np.nan, gap),
        }
    )
    turns = np.zeros(len(table), dtype=int)
    if result.path is not None:
        turns = reversals(result.path, np.asarray(result.stop_step))
        table["reversals"] = turns
    table["regime"] = np.select(
        [diverged, turns > 0, converged], ["diverges", "oscillates", "converges"], "too slow"
    )
    return table


def divergence_edge(lrs, status) -> tuple[float, float] | None:
    """The bracket (largest stable lr, smallest divergent lr) around the first divergence of a
    sweep, or None when no run diverged or the smallest lr already did. ``lrs`` is sorted."""
    lrs, diverged = np.asarray(lrs), np.asarray(status) == "diverged"
    if not diverged.any():
        return None
    first = int(np.argmax(diverged))
    if first == 0:
        return None
    return float(lrs[first - 1]), float(lrs[first])


def refine_edge(
    name: str,
    hyperparams: dict,
    surface,
    start,
    bracket: tuple[float, float],
    steps: int,
    *,
    rounds: int = 3,
    count: int = 15,
    tol: float = 1e-6,
) -> tuple[float, float]:
    """Narrow a (stable, divergent) bracket by ``rounds`` batched runs of ``count`` learning
    rates log-spaced inside it; each round shrinks it by a factor of about ``count + 1``."""
    stable, divergent = bracket
    for _ in range(rounds):
        inner = np.geomspace(stable, divergent, count + 2)[1:-1]
        result = sweep(name, hyperparams, surface, start, inner, steps, tol=tol, keep_path=False)
        lrs = np.concatenate([[stable], inner, [divergent]])
        status = np.concatenate([["stable"], result.status, ["diverged"]])
        stable, divergent = divergence_edge(lrs, status)
    return stable, divergent


def measured_edge(bracket: tuple[float, float]) -> float:
    """The edge estimate from a bracket: its geometric midpoint."""
    return float(np.sqrt(bracket[0] * bracket[1]))


def stability_limit(name: str, hyperparams: dict, surface) -> float | None:
    """The theoretical largest stable learning rate on a surface with constant Hessian (see the
    module docstring), or None where theory gives none (other surfaces or optimizers)."""
    if surface.curvature is None:
        return None
    return divergence.stability_limit(name, hyperparams, surface.curvature[1])


limit_formula = divergence.limit_formula
