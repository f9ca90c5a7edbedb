"""Benchmark: basin maps, 6 optimizers x 200x200 starts x 500 steps on ``wells``.

For each optimizer (learning rates as on the minima lab page) it times
``optim_core.run(..., keep_path=False)`` over the whole grid, as the page does, and the
baseline: a plain NumPy loop of the same textbook update and the surface's plain gradient
formula (``grad_fn``) over the whole (N, 2) array with temporaries and no status tracking, run
in the same process, interleaved, best of ``--repeat`` rounds. It prints seconds and the ratio
baseline / run (the issue's target is >= 3x), also for ``run`` with ``tol=0`` (no run ever
stops, so only the per-step cost is compared), and checks that both end at the same points.

    python bench/bench_basins.py [--grid 200] [--steps 500] [--repeat 1]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from timing import best_times  # noqa: E402

import optim_core  # noqa: E402
import surfaces  # noqa: E402
from scenes import basins  # noqa: E402

NAMES = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adam")


def plain_loop(name: str, lr: float, surface, starts: np.ndarray, steps: int) -> np.ndarray:
    """Textbook PyTorch updates (default hyperparameters besides lr) on the whole batch."""
    p = starts.copy()
    b = np.zeros_like(p)  # momentum buffer / Adam's m
    s = np.zeros_like(p)  # Adagrad's sum / RMSProp's and Adam's v
    mu, alpha, beta1, beta2 = 0.9, 0.99, 0.9, 0.999
    for t in range(1, steps + 1):
        g = np.empty_like(p)  # the plain formula, as surface.gradient did before grad_into
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            g[:, 0], g[:, 1] = surface.grad_fn(p[:, 0], p[:, 1])
        if name == "sgd":
            p = p - lr * g
        elif name in ("momentum", "nag"):
            b = g if t == 1 else mu * b + g
            p = p - lr * (g + mu * b if name == "nag" else b)
        elif name == "adagrad":
            s = s + g * g
            p = p - lr * g / (np.sqrt(s) + 1e-10)
        elif name == "rmsprop":
            s = alpha * s + (1 - alpha) * g * g
            p = p - lr * g / (np.sqrt(s) + 1e-8)
        elif name == "adam":
            b = beta1 * b + (1 - beta1) * g
            s = beta2 * s + (1 - beta2) * g * g
            m_hat, v_hat = b / (1 - beta1**t), s / (1 - beta2**t)
            p = p - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return p


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surface", default="wells")
    parser.add_argument("--grid", type=int, default=200)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    surface = surfaces.get(args.surface)
    _, _, starts = basins.grid_starts(surface.domain, args.grid)
    print(
        f"{surface.name}: {len(NAMES)} optimizers x {args.grid}x{args.grid} starts x "
        f"{args.steps} steps (best of {args.repeat})"
    )
    print(f"  {'':9s} {'baseline':>9s} {'run':>8s} {'ratio':>7s} {'run tol=0':>10s} {'ratio':>7s}")
    totals = np.zeros(3)
    for name in NAMES:
        lr = basins.suggested_lr(surface, name)
        opt = optim_core.make(name, lr=lr)
        (t_base, base_final), (t_run, _), (t_full, full) = best_times(
            [
                lambda n=name, r=lr: plain_loop(n, r, surface, starts, args.steps),
                lambda o=opt: optim_core.run(o, surface, starts, args.steps, keep_path=False),
                lambda o=opt: optim_core.run(
                    o, surface, starts, args.steps, keep_path=False, tol=0.0
                ),
            ],
            args.repeat,
        )
        # Same equations: runs end where the baseline ends, up to rounding (amplified over 500
        # steps for the few runs that circle a minimum with large steps).
        moving = full.status == "moving"
        deviation = np.abs(full.final[moving] - base_final[moving]).max(axis=1)
        p99 = np.quantile(deviation, 0.99)
        close = np.median(deviation) < 1e-12 and p99 < 1e-9 and deviation.max() < 1e-3
        assert close, (name, p99, deviation.max())
        totals += (t_base, t_run, t_full)
        print(
            f"  {name:9s} {t_base:8.2f}s {t_run:7.2f}s {t_base / t_run:6.2f}x "
            f"{t_full:9.2f}s {t_base / t_full:6.2f}x   (lr={lr:g}, "
            f"largest deviation {deviation.max():.0e})"
        )
    t_base, t_run, t_full = totals
    print(
        f"  {'all six':9s} {t_base:8.2f}s {t_run:7.2f}s {t_base / t_run:6.2f}x "
        f"{t_full:9.2f}s {t_base / t_full:6.2f}x   (target: run >= 3x baseline)"
    )


if __name__ == "__main__":
    main()
