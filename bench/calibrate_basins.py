"""Calibration: the unit costs of the minima lab's cost model (``scenes.basins.STEP_NS`` and
friends), measured on this machine, printed as the Python literals to paste there.

What it measures, each the best of ``--repeat`` rounds with the compared runs interleaved
(``bench/timing.py``), in one process with one BLAS thread (as a worker of the pool runs), from
every start of a ``--grid`` x ``--grid`` grid:

- per surface and kind of optimizer (``first``: the eight first-order ones; ``newton``: Newton
  and saddle-free Newton; ``quasi``: BFGS and L-BFGS; ``cg``: nonlinear conjugate gradient;
  ``lm``: Levenberg-Marquardt where it runs), for the dearest optimizer of the kind, a triple (ns per run, ns per run-step, ns per
  step of the loop whatever the number of runs). Each optimizer runs for 1 step and for
  ``--steps`` (first-order, lr 1e-6) or ``--curvature-steps`` steps with ``tol=0``, so no run
  stops: every run is a moving one, the page's worst case; from all the starts and from a
  sixteenth of them. The extra time of the longer runs is extra run-steps times the run-step
  cost plus extra steps times the loop's cost (NumPy calls on a batch cost about the same for a
  few runs as for a few hundred: a quasi-Newton loop's line searches and L-BFGS's history
  make many). The run-step cost is bounded from above by charging all the extra time of all
  the starts to their run-steps; the loop's cost is what the sixteenth's extra time leaves
  beyond its run-steps at that cost. A run costs what its first step costs beyond that (the
  start's evaluations, setting up, the result). Curvature methods
  are timed over their first steps: there nearly every run is still far from its minimum, as
  a run that does not converge stays (once a quasi-Newton run has converged to rounding level,
  ``tol=0`` keeps it searching lines to no end, which no page run does: the page stops runs at
  a gradient norm of 1e-6);
- ``classify``: ns per start of ``scenes.basins.classify`` on end points that all need
  polishing (the grid's starts themselves: most lie far from every listed minimum);
- the figures: seconds per 300 x 300 basin map (images with level lines, hover grid) and for
  the largest multi-start figure (four optimizers, 200 starts, 1,000 steps);
- typed formulas: the same costs for formulas of several sizes, fitted as
  ``base + per_node * nodes`` (nodes of the checked tree), raised so every measured formula
  lies under the line.

    python bench/calibrate_basins.py [--grid 100] [--steps 60] [--repeat 3]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from timing import best_time, best_times  # noqa: E402

import optim_core  # noqa: E402
import surfaces  # noqa: E402
from figures import basins as fb  # noqa: E402
from scenes import basins  # noqa: E402
from surfaces import formula  # noqa: E402

GROUPS = {
    "newton": ("newton", "saddle_free_newton"),
    "quasi": ("bfgs", "lbfgs"),
    "cg": ("cg",),
    "lm": ("levenberg_marquardt",),
}
FORMULAS = {  # text, domain
    "rosenbrock": ("(1 - x)^2 + 100*(y - x^2)^2", ((-2.0, 2.0), (-1.0, 3.0))),
    "four wells": (basins.DEFAULT_FORMULA, ((-2.0, 2.0), (-2.0, 2.0))),
    "ripples": (
        "sin(3*x)*cos(2*y) + 0.1*(x^2 + y^2) + exp(-(x - 1)^2 - (y + 1)^2)*tanh(x*y)",
        ((-3.0, 3.0), (-3.0, 3.0)),
    ),
    "long": (
        "(x^2 + y - 11)^2 + (x + y^2 - 7)^2 + 0.5*sin(x*y)^2 + sqrt(1 + x^2 + y^2) "
        "+ log(1 + (x - 2)^2) + arctan(x - y)^2",
        ((-5.0, 5.0), (-5.0, 5.0)),
    ),
}


def with_threads(limit: int = 1):
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limit)
    except ImportError:  # pragma: no cover
        return None


def _costs(surface, starts, names, steps: dict, repeat: int) -> tuple[float, float, float]:
    """(ns per run, ns per run-step, ns per step of the loop) of the dearest of ``names``
    (module docstring): each runs with ``tol=0``, so that no run stops (first-order ones with
    lr 1e-6 also move too little to diverge), for 1 and for ``steps[kind]`` steps, from all of
    ``starts`` and from a sixteenth of them."""
    few = starts[::16]
    fns = []
    for name in names:
        first = name in optim_core.OPTIMIZERS
        opt = optim_core.make(name, lr=1e-6) if first else optim_core.make(name)
        for points in (starts, few):
            for k in (1, steps["first" if first else "curvature"]):
                fns.append(
                    lambda o=opt, p=points, k=k: optim_core.run(
                        o, surface, p, k, keep_path=False, tol=0.0
                    )
                )
    times = best_times(fns, repeat)
    worst = (0.0, 0.0, 0.0)
    for i in range(0, len(times), 4):
        (t1, r1), (t2, r2), (u1, q1), (u2, q2) = times[i : i + 4]
        # Extra time = extra run-steps x step + extra loop steps x loop. The step is bounded
        # from above by charging all the extra time of all the starts to their run-steps; the
        # loop is what the sixteenth's extra time leaves beyond its run-steps at that cost
        # (a fit of both at once comes out negative at times on a shared machine).
        step = max(t2 - t1, 0.0) / max(int(r2.stop_step.sum() - r1.stop_step.sum()), 1)
        few_steps = int(q2.stop_step.sum() - q1.stop_step.sum())
        loop = max(u2 - u1 - step * few_steps, 0.0) / max(q2.steps - q1.steps, 1)
        run = max(t1 - step * r1.stop_step.sum() - loop, 0.0) / len(starts)
        cost = (run * 1e9, step * 1e9, loop * 1e9)
        worst = max(worst, cost, key=lambda c: c[0] + 100 * c[1] + 100 * c[2] / len(starts))
    return worst


def per_step(surface, grid: int, steps: dict, repeat: int) -> dict:
    """(ns per run, ns per run-step) of each kind of optimizer on ``surface``, and ns per start
    to classify (module docstring)."""
    _, _, starts = basins.grid_starts(surface.domain, grid)
    out = {"first": _costs(surface, starts, list(optim_core.OPTIMIZERS), steps, repeat)}
    for kind, names in GROUPS.items():
        names = [n for n in names if basins.cannot_run(surface, n) is None]
        if names:
            out[kind] = _costs(surface, starts, names, steps, repeat)
    ends = basins.Ends(starts, np.full(len(starts), "moving"))
    seconds, _ = best_time(lambda: basins.classify(surface, ends), repeat)
    out["classify"] = seconds / len(starts) * 1e9
    return out


def figure_seconds(repeat: int) -> dict[str, float]:
    surface = surfaces.get("rastrigin")
    outcome = basins.basin_map(optim_core.make("sgd", lr=0.002), surface, 300, 100)
    maps = {f"map {i}": outcome.codes for i in range(4)}
    seconds, _ = best_time(
        lambda: fb.maps_figure(surface, maps, outcome.found, width=1100, height=600), repeat
    )
    wells = surfaces.get("wells")
    starts = basins.random_starts(wells.domain, basins.MAX_STARTS, 0)
    paths = {
        n: optim_core.run(optim_core.make(n, lr=0.05), wells, starts, 1000).path
        for n in ("sgd", "momentum", "nag", "adam")
    }
    kinds = {n: np.full(len(starts), "local") for n in paths}
    multi, _ = best_time(lambda: fb.multistart_figure(wells, paths, kinds), repeat)
    return {"map": seconds / len(maps), "multistart": multi}


def _number(v) -> str:
    if isinstance(v, tuple | list):
        return "(" + ", ".join(_number(x) for x in v) + ")"
    return f"{v:.3g}" if v >= 1 else f"{v:.2g}"


def fmt(costs: dict) -> str:
    return "{" + ", ".join(f'"{k}": {_number(v)}' for k, v in costs.items()) + "}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=100)
    parser.add_argument("--steps", type=int, default=60, help="first-order runs")
    parser.add_argument("--curvature-steps", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--surfaces", nargs="*", default=list(surfaces.SURFACES))
    args = parser.parse_args()
    with_threads(1)
    steps = {"first": args.steps, "curvature": args.curvature_steps}
    t0 = time.perf_counter()
    print("STEP_NS = {")
    classify = {}
    for name in args.surfaces:
        surface = surfaces.get(name)
        grid = args.grid if surface.data is None else max(20, args.grid // 2)
        costs = per_step(surface, grid, steps, args.repeat)
        classify[name] = costs.pop("classify")
        print(f'    "{name}": {fmt(costs)},', flush=True)
    print("}")
    print("CLASSIFY_NS = " + fmt(classify))
    rows = []
    for label, (text, domain) in FORMULAS.items():
        surface = surfaces.from_formula(text, domain)
        nodes = basins._nodes(formula.parse(text)[1])
        costs = per_step(surface, args.grid, steps, args.repeat)
        rows.append((nodes, costs))
        print(f"# formula {label!r}: {nodes} nodes, {fmt(costs)}", flush=True)
    fitted = {}
    nodes = np.array([n for n, _ in rows], dtype=float)
    for kind in rows[0][1]:
        if kind == "classify":
            values = [np.array([c[kind] for _, c in rows])]
        else:
            values = [np.array([c[kind][j] for _, c in rows]) for j in range(3)]
        lines = []
        for ns in values:
            per, base = np.polyfit(nodes, ns, 1)
            per = max(per, 0.0)
            base = float(max(ns - per * nodes))
            if base < 0:  # a steep fit: through the origin instead, still over every formula
                base, per = 0.0, float(max(ns / nodes))
            lines.append((base, float(per)))
        fitted[kind] = lines[0] if kind == "classify" else tuple(lines)
    print("FORMULA_NS = " + fmt(fitted))
    print("FIGURE_SECONDS = " + fmt(figure_seconds(args.repeat)))
    print(f"# calibrated in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
