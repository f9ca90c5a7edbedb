"""Benchmark: the learning-rate lab's jobs against its cost model (``scenes.sweep.estimate``).

``--calibrate`` measures the model's unit costs on this machine: for every first-order
optimizer and a few surfaces, batched sweeps of 1 and 200 learning rates (tiny ones, so no run
stops early), best of several rounds; the intercept is the cost of a batched step, the slope
the cost of one run's step (per data row on the surfaces defined by data). Then the figure's
cost per run and frame, from building it for 10 and 50 rates.

Without ``--calibrate``: the measured time of the scene and the comparison for a few settings,
as a ratio to the model's estimate (the model is an upper bound: ratios should stay below 1).

    python bench/bench_sweep.py [--calibrate] [--repeat 3]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from functools import partial

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import surfaces  # noqa: E402
from bench.timing import best_time, best_times  # noqa: E402
from figures import sweep as figures_sweep  # noqa: E402
from scenes import sweep as lab  # noqa: E402

SURFACES = {
    "analytic": [("quadratic", 10.0, 10.0), ("beale",), ("ackley",), ("goldstein_price",)],
    "formula": [("formula", "(1 - x)^2 + 100*(y - x^2)^2", ((-2.0, 2.0), (-1.0, 3.0)))],
    "row": [("logistic_ce",), ("linear_regression",)],
}


def calibrate(repeat: int) -> None:
    steps, big = 400, 200
    tiny = np.geomspace(1e-6, 2e-6, big)
    intercepts, slopes = [], {kind: [] for kind in SURFACES}
    for kind, refs in SURFACES.items():
        for ref in refs:
            surface = lab.resolve(ref)
            rows = surface.n_data or 1
            for name in lab.OPTIMIZERS:
                run = partial(lab.sweep, name, {}, surface, surface.start)
                one, many = best_times(
                    [partial(run, tiny[:1], steps), partial(run, tiny, steps)], repeat
                )
                a = one[0] / steps
                b = (many[0] - one[0]) / steps / (big - 1) / (rows if kind == "row" else 1)
                intercepts.append(a)
                slopes[kind].append(b)
            print(
                f"{'/'.join(map(str, ref[:1])):18s} step {1e6 * max(intercepts):6.1f} us, "
                f"run-step {1e6 * max(slopes[kind]):6.3f} us{' per row' if kind == 'row' else ''}"
            )
    print(f"STEP_SECONDS = {max(intercepts):.2e}")
    for kind, values in slopes.items():
        print(f"RUN_STEP_SECONDS[{kind!r}] = {max(values):.2e}")

    bowl = surfaces.quadratic(10.0, largest=10.0)
    times = {}
    for n in (10, 50):
        lrs = lab.log_range(1e-3, 0.3, n)
        result = lab.sweep("sgd", {}, bowl, bowl.start, lrs, 5000)
        table = lab.summarize(lrs, result, bowl)
        path, loss = lab.display_paths("sgd", {}, bowl, lrs, result, 1e-6)
        draw = partial(figures_sweep.paths_figure, bowl, bowl.start, table, path, loss)
        times[n], _ = best_time(draw, repeat)
    frames = figures_sweep.MAX_FRAMES
    per = (times[50] - times[10]) / (40 * frames)
    print(f"figure: {times[10]:.2f} s for 10 rates, {times[50]:.2f} s for 50 rates")
    print(f"FRAME_RUN_SECONDS = {per:.2e}; fixed part {times[10] - 10 * frames * per:.2f} s")


def _both(cfg: lab.LabConfig) -> None:
    lab.build_scene(cfg.main, lab.View())
    lab.build_comparison(cfg, lab.View())


def compare(repeat: int) -> None:
    defaults = {k: p.default for k, p in lab.spec().items()}
    hp = {n: lab.hyperparams(n, defaults) for n in lab.OPTIMIZERS}
    settings = [
        (("quadratic", 10.0, 10.0), 10, 500, ("sgd", "momentum", "adam")),
        (("beale",), 50, 2000, lab.OPTIMIZERS),
        (("logistic_ce",), 50, 1000, ("sgd", "adam")),
        (("formula", "x^2 + 3*y^2", ((-2.0, 2.0), (-2.0, 2.0))), 20, 2000, ("sgd",)),
    ]
    print(
        f"{'surface':18s} {'rates':>5s} {'steps':>6s} {'compared':>8s} "
        f"{'measured':>9s} {'estimate':>9s} {'ratio':>6s}"
    )
    for ref, n, steps, names in settings:
        lrs = tuple(float(v) for v in lab.log_range(1e-4, 1.0, n))
        cfg = lab.LabConfig(
            ref, "sgd", hp["sgd"], lrs, steps, 1e-6, tuple((c, hp[c]) for c in names)
        )

        seconds, _ = best_time(partial(_both, cfg), repeat)
        estimate = lab.estimate(cfg)
        print(
            f"{ref[0]:18s} {n:5d} {steps:6d} {len(names):8d} {seconds:8.2f}s {estimate:8.2f}s "
            f"{seconds / estimate:6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    (calibrate if args.calibrate else compare)(args.repeat)
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
