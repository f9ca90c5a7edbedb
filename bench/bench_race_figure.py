"""Benchmark: the race figure for 7 optimizers x 1,000 steps on Beale's function.

Prints the figure's JSON size (also at 2,000 steps, to show linear growth) and the server-side
time to build it, as a ratio against two baselines run in the same process: the optim_core runs
themselves, and serialising the bare surface figure (``figures.surface.base_figure``). Timings
are the best of ``--repeat``; the machines are shared, so compare ratios, not seconds.

    python bench/bench_race_figure.py [--steps 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from timing import best_time  # noqa: E402

import optim_core  # noqa: E402
import surfaces  # noqa: E402
from figures.race import race_figure  # noqa: E402
from figures.surface import base_figure  # noqa: E402
from scenes import race as rs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    beale = surfaces.get("beale")
    rates = rs.LEARNING_RATES["beale"]

    def runs(steps):
        return {
            n: optim_core.run(
                optim_core.make(n, lr=rates[n]), beale, np.array(beale.start), steps, tol=0.0
            )
            for n in rs.CLASSIC_OPTIMIZERS
        }

    t_runs, race = best_time(lambda: runs(args.steps), args.repeat)
    t_base, _ = best_time(lambda: base_figure(beale, beale.start).to_json(), args.repeat)
    t_fig, fig = best_time(lambda: race_figure(beale, race, beale.start), args.repeat)
    t_json, payload = best_time(fig.to_json, args.repeat)
    double = len(race_figure(beale, runs(2 * args.steps), beale.start).to_json())

    n = len(rs.CLASSIC_OPTIMIZERS)
    print(f"{n} optimizers x {args.steps} steps on Beale, {len(fig.frames)} frames")
    print(f"figure JSON: {len(payload) / 1e6:.3f} MB (limit 1.5 MB)")
    print(
        f"figure JSON at {2 * args.steps} steps: {double / 1e6:.3f} MB "
        f"(ratio {double / len(payload):.2f}; quadratic growth would be ~4)"
    )
    print(f"optim_core runs:        {t_runs * 1e3:8.1f} ms")
    print(f"bare surface to_json:   {t_base * 1e3:8.1f} ms")
    print(f"race figure build:      {t_fig * 1e3:8.1f} ms")
    print(f"race figure to_json:    {t_json * 1e3:8.1f} ms")
    total = t_fig + t_json
    print(f"build + JSON vs runs:          {total / t_runs:.2f}x")
    print(f"build + JSON vs bare surface:  {total / t_base:.1f}x")


if __name__ == "__main__":
    main()
