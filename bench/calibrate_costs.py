"""Benchmark: do the pages' cost models hold? Each page refuses work whose estimate exceeds
``scenes.budget.SECONDS`` (5 s of one core), so an estimate must be an upper bound of the real
time, and not so loose that it refuses what would fit.

For a few settings of every page it times the worker job that the page runs (the same
function, in this process, one core) and prints measured / estimated. Ratios at or below 1 and
above about 0.3 mean the model is right; the unit costs in the scene modules were set from runs
of this script on the 2-core reference machine. Timings are best of ``--repeat``.

    python bench/calibrate_costs.py [--repeat 2] [--only race]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from timing import best_time  # noqa: E402

from scenes import budget  # noqa: E402
from scenes import race as rs  # noqa: E402


def race_cases():
    def cfg(surface, names, steps, **extra):
        values = {k: p.default for k, p in rs.spec(surface).items()}
        values.update({"race.optimizers": list(names), "race.steps": steps, "race.tol": 1e-14})
        values.update(extra)
        return rs.config(values)

    first = rs.optimizer_settings.FIRST_ORDER
    curvature = [n for n in rs.optimizer_settings.CURVATURE if n != "levenberg_marquardt"]
    view = rs.View()
    for label, config in (
        ("race: 6 first-order x 500 steps (Beale)", cfg("beale", rs.DEFAULT_OPTIMIZERS, 500)),
        ("race: 8 first-order x 2,000 steps (Ackley)", cfg("ackley", first, 2000)),
        ("race: 5 curvature x 2,000 steps (Rosenbrock)", cfg("rosenbrock", curvature, 2000)),
        (
            "race: 13 optimizers x 1,500 steps (Himmelblau)",
            cfg("himmelblau", [*first, *curvature], 1500),
        ),
    ):
        yield label, rs.estimate(config), (lambda c=config: rs.build_scene(c, view))


CASES = {"race": race_cases}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", choices=list(CASES))
    args = parser.parse_args()
    print(f"budget: {budget.SECONDS:g} s of one core; measured / estimated should be <= 1")
    for page, cases in CASES.items():
        if args.only and page != args.only:
            continue
        for label, estimate, job in cases():
            seconds, _ = best_time(job, args.repeat)
            print(
                f"  {label:50s} estimated {estimate:6.2f} s  measured {seconds:6.2f} s  "
                f"ratio {seconds / estimate:4.2f}"
            )


if __name__ == "__main__":
    main()
