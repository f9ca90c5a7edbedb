"""Benchmark: basin maps of the curvature optimizers against Adam, 200x200 starts x 500 steps.

For each surface it times ``optim_core.run(..., keep_path=False)`` over the minima lab's grid
of starts, as the page does, for Adam (the learning rate tuned for the page) and for Newton,
saddle-free Newton, BFGS, L-BFGS and CG with their defaults, interleaved, best of
``--repeat`` rounds, and prints each time as a ratio to Adam's (the target for Newton: at most
2x). The status counts show why a method is fast or slow: runs that converge leave the loop,
runs that keep moving (pure Newton cycling, L-BFGS standing still after torch's
tolerance_change test) cost every step. ``tol=0`` columns time the same number of steps for
every run (no run ever converges), so they compare the cost per step.

    python bench/bench_curvature.py [--grid 200] [--steps 500] [--repeat 1]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from timing import best_times  # noqa: E402

import optim_core  # noqa: E402
import surfaces  # noqa: E402
from scenes import basins  # noqa: E402

NAMES = ("newton", "saddle_free_newton", "bfgs", "lbfgs", "cg")
STATUSES = ("converged", "moving", "diverged", "singular")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surfaces", nargs="+", default=["wells", "himmelblau"])
    parser.add_argument("--grid", type=int, default=200)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    for surface_name in args.surfaces:
        surface = surfaces.get(surface_name)
        _, _, starts = basins.grid_starts(surface.domain, args.grid)
        lr = basins.TUNED_LR[surface_name]["adam"]
        optimizers = [optim_core.make("adam", lr=lr)] + [optim_core.make(n) for n in NAMES]

        def timed(opt, tol, surface=surface, starts=starts):
            return lambda: optim_core.run(
                opt, surface, starts, args.steps, keep_path=False, tol=tol
            )

        times = best_times([timed(o, 1e-6) for o in optimizers], args.repeat)
        per_step = best_times([timed(o, 0.0) for o in optimizers[:2]], args.repeat)
        print(
            f"{surface.name}: {args.grid}x{args.grid} starts x {args.steps} steps, "
            f"best of {args.repeat}, interleaved"
        )
        print(f"  {'':20s} {'time':>8s} {'/ adam':>7s}   " + " ".join(f"{s:>9s}" for s in STATUSES))
        adam_time = times[0][0]
        for opt, (seconds, result) in zip(optimizers, times, strict=True):
            counts = " ".join(f"{int((result.status == s).sum()):9d}" for s in STATUSES)
            label = f"adam (lr={lr:g})" if opt.name == "adam" else opt.name
            print(f"  {label:20s} {seconds:7.2f}s {seconds / adam_time:6.2f}x   {counts}")
        (adam_step, _), (newton_step, _) = per_step
        print(
            f"  tol=0 (every run takes every step): adam {adam_step:.2f}s, newton "
            f"{newton_step:.2f}s, {newton_step / adam_step:.2f}x"
        )


if __name__ == "__main__":
    main()
