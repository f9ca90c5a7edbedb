"""Benchmark: batched stepping, Adam on Beale from a 200x200 grid of starts for 500 steps.

Prints point-steps per second for ``optim_core.run(..., keep_path=False)`` and for a plain NumPy
loop of the same equations over the whole batch (the baseline), run in the same process, and
the ratio between them. The machines are shared and noisy, so each timing is the best of
``--repeat`` runs and only the ratio is meant to be compared across machines.

    python bench/bench_batched.py [--grid 200] [--steps 500] [--repeat 3]
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

LR = 0.01


def grid_starts(surface, n: int) -> np.ndarray:
    (x0, x1), (y0, y1) = surface.domain
    xs, ys = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def plain_loop(starts: np.ndarray, steps: int) -> np.ndarray:
    """The baseline: textbook NumPy, Adam and Beale's gradient over the whole batch each step."""
    p = starts.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        x, y = p[:, 0], p[:, 1]
        r1 = 1.5 - x + x * y
        r2 = 2.25 - x + x * y**2
        r3 = 2.625 - x + x * y**3
        gx = 2 * r1 * (y - 1) + 2 * r2 * (y**2 - 1) + 2 * r3 * (y**3 - 1)
        gy = 2 * r1 * x + 4 * r2 * x * y + 6 * r3 * x * y**2
        g = np.stack([gx, gy], axis=1)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        p = p - LR * m_hat / (np.sqrt(v_hat) + eps)
    return p


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=200)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    beale = surfaces.get("beale")
    starts = grid_starts(beale, args.grid)
    work = len(starts) * args.steps
    adam = optim_core.make("adam", lr=LR)

    (t_base, base_final), (t_core, result), (t_nostop, full) = best_times(
        [
            lambda: plain_loop(starts, args.steps),
            lambda: optim_core.run(adam, beale, starts, args.steps, keep_path=False),
            lambda: optim_core.run(adam, beale, starts, args.steps, keep_path=False, tol=0.0),
        ],
        args.repeat,
    )

    # Same equations: runs that never stopped end where the baseline ends, up to rounding
    # (amplified over 500 steps where Beale's gradient reaches 1e5 at the domain's corners, for
    # a few tenths of a percent of the runs).
    moving = full.status == "moving"
    deviation = np.abs(full.final[moving] - base_final[moving]).max(axis=1)
    p99 = np.quantile(deviation, 0.99)
    assert p99 < 1e-12 and deviation.max() < 1e-4, (p99, deviation.max())

    print(f"Adam (lr={LR}) on Beale, {args.grid}x{args.grid} starts x {args.steps} steps")
    print(f"  status with tol=1e-6: {result}")
    print(
        f"  deviation from the baseline's end points: 99% of runs within {p99:.0e}, "
        f"largest {deviation.max():.1e}"
    )
    rows = [
        ("plain NumPy loop (baseline)", t_base),
        ("optim_core.run, keep_path=False", t_core),
        ("optim_core.run, never stopping (tol=0)", t_nostop),
    ]
    for label, seconds in rows:
        print(
            f"  {label:42s} {seconds:7.3f} s  {work / seconds / 1e6:6.2f} M point-steps/s"
            f"  x{t_base / seconds:5.2f} vs baseline"
        )


if __name__ == "__main__":
    main()
