"""Benchmark: the loss on a 60x60 slice through the weights of a 2-32-32-1 tanh MLP on 300 moons
points (3,600 networks), batched (``mlp.landscape.loss_grid``) against a plain loop of
``net.loss_value`` at one grid point at a time, in the same process.

The compared runs take turns and each keeps its best of ``--repeat`` rounds, because the
machines are shared and noisy: compare the ratios, not the seconds. The batched grid runs in
float32 (the default; the loss itself in float64) and in float64; the largest relative
difference of each from the loop is printed, so the ratios compare equal work.

Then the MLP playground's landscape at its defaults, after training (not timed): 2-16-16-1,
240 training points, SGD, momentum and Adam for 100 epochs, batch 32: the scene function
(``scenes.playground.landscape``, PCA plane, 41x41 grid) and the figure with its JSON size.

    python bench/bench_landscape.py [--grid 60] [--repeat 3]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from timing import best_time, best_times  # noqa: E402

from figures.landscape import landscape_figure  # noqa: E402
from mlp import MLP, make  # noqa: E402
from mlp.landscape import loss_grid, random_plane  # noqa: E402
from scenes import playground  # noqa: E402

PLAYGROUND_LR = {"sgd": 0.1, "momentum": 0.1, "adam": 0.01}  # the page's defaults


def loop(net, plane, X, y, alphas, betas) -> np.ndarray:
    """One ``loss_value`` per grid point: the baseline."""
    return np.array([[net.loss_value(plane.at(a, b), X, y) for a in alphas] for b in betas])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=60)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data = make("moons", n=args.n, noise=0.2, seed=0)
    net = MLP((2, 32, 32, 1), "tanh", "bce")
    plane = random_plane(net, net.init_params(), seed=1)
    alphas = betas = np.linspace(-1.0, 1.0, args.grid)
    grid = (net, plane, data.X, data.y, alphas, betas)
    print(
        f"{args.grid}x{args.grid} loss grid, {net!r}, {args.n} moons points; best of "
        f"{args.repeat}, interleaved"
    )
    (t_loop, z_loop), (t32, z32), (t64, z64) = best_times(
        [
            lambda: loop(*grid),
            lambda: loss_grid(*grid),
            lambda: loss_grid(*grid, dtype=np.float64),
        ],
        args.repeat,
    )
    print(f"  loop of loss_value:  {t_loop:7.3f} s")
    for label, t, z in (("float32", t32, z32), ("float64", t64, z64)):
        error = np.max(np.abs(z - z_loop) / z_loop)
        print(
            f"  batched, {label}:   {t:7.3f} s   x{t_loop / t:.1f} faster than the loop   "
            f"(max relative difference {error:.1e})"
        )

    train_set, test_set = playground.load_data("moons", 300, 0.2, 0, 0.2)
    small = playground.network((16, 16), 2, "tanh", "xent", 0)
    runs = [(name, {"lr": lr}) for name, lr in PLAYGROUND_LR.items()]
    race = playground.race(train_set, test_set, small, runs, 100, 32, 0)
    t_scene, ls = best_time(lambda: playground.landscape(race, small, train_set), args.repeat)
    t_figure, fig = best_time(lambda: landscape_figure(ls), args.repeat)
    print(
        f"Playground defaults ({small!r}, {len(train_set)} training points, 3 optimizers x "
        f"100 epochs): landscape {t_scene:.3f} s ({len(ls.alphas)}x{len(ls.betas)} grid, "
        f"plane holds {ls.captured_total:.0%}), figure {t_figure:.3f} s, "
        f"{len(fig.to_json()) / 1000:.0f} kB of JSON"
    )


if __name__ == "__main__":
    main()
