"""Benchmark: classifying basin-map end points with Newton polishing (``surfaces.reached_minima``).

For each surface it runs the minima lab's basin map (SGD, grid x grid starts, keep_path=False)
and times, interleaved, best of several rounds:

- ``run``: the batched run itself (the baseline: the page pays for it anyway);
- ``listed``: ``Surface.reached``, listed minima only (no polishing);
- ``classify``: ``scenes.basins.classify`` (listed minima, then polishing of the rest);
- ``settle all``: ``surfaces.settle`` on every end point, the worst case of polishing.

It prints seconds and ratios to ``run``, and the share of outcomes under the old minima-lab rule
(within 2% of the domain diagonal of a listed minimum, else "other" if converged, else "not
converged") and under the new one.

    python bench/bench_settle.py [--grid 200] [--repeat 5]
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

CASES = {  # surface: (SGD learning rate, steps)
    "rastrigin": (0.002, 300),
    "ackley": (0.1, 500),
    "himmelblau": (0.01, 300),
    "logistic_mse": (1.0, 300),
}


def old_rule(surface, result) -> np.ndarray:
    """The minima lab's rule before issue 11: within 2% of the diagonal of a listed minimum."""
    m = len(surface.minima)
    index, distance = surface.nearest_minimum(result.final)
    near = distance <= 0.02 * basins.diagonal(surface.domain)
    codes = np.where(near, index, np.where(result.status == "converged", m, m + 1))
    return np.where(result.status == "diverged", m + 2, codes)


def outcome_shares(surface, codes: np.ndarray) -> str:
    m = len(surface.minima)
    listed = np.mean(codes < m)
    found = np.mean(codes >= m + 3)
    other, stuck, diverged = (np.mean(codes == m + k) for k in range(3))
    return (
        f"listed {listed:6.1%}  unlisted {found:6.1%}  other {other:6.2%}  "
        f"not converged {stuck:6.2%}  diverged {diverged:6.2%}"
    )


def bench(name: str, lr: float, steps: int, grid: int, repeat: int) -> None:
    surface = surfaces.get(name)
    _, _, starts = basins.grid_starts(surface.domain, grid)
    opt = optim_core.make("sgd", lr=lr)
    result = optim_core.run(opt, surface, starts, steps, keep_path=False)
    fns = [
        lambda: optim_core.run(opt, surface, starts, steps, keep_path=False),
        lambda: surface.reached(result.final),
        lambda: basins.classify(surface, result),
        lambda: surfaces.settle(surface, result.final),
    ]
    (t_run, _), (t_listed, _), (t_classify, new), (t_settle, _) = best_times(fns, repeat)
    print(f"{name}: SGD lr {lr}, {grid}x{grid} = {len(starts):,} starts, {steps} steps")
    for label, t in [
        ("run", t_run),
        ("listed", t_listed),
        ("classify", t_classify),
        ("settle all", t_settle),
    ]:
        print(f"  {label:10s} {t:8.4f} s   {t / t_run:6.3f} x run")
    print(f"  before: {outcome_shares(surface, old_rule(surface, result))}")
    print(f"  after:  {outcome_shares(surface, new.codes)}  ({len(new.found)} unlisted minima)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for name, (lr, steps) in CASES.items():
        bench(name, lr, steps, args.grid, args.repeat)


if __name__ == "__main__":
    main()
