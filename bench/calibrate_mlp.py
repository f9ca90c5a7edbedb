"""Calibrate the MLP playground's cost model (``scenes.playground.UNIT_SECONDS``), then check it on
whole scenes.

Each unit cost is measured where it dominates, best of ``--repeat`` (the machine is shared),
with one BLAS thread as in a worker:

1. ``steps``, ``layer_steps``, ``param_steps``: ``mlp.train`` with Adam (the dearest update) on
   40 points with batches of 1 (almost no arithmetic per row), through networks of 1 to 7
   layers of 2 to 64 units: least squares of the seconds per step on the number of layers and
   of weights.
   ``epochs``: full-batch epochs of a network without hidden layers on 40 points with a test
   set of 60, minus their step: shuffling, the test evaluation, the history.
2. ``train_macs``, ``train_units``: full-batch epochs on 2,000 points through networks from
   one unit to six layers of 64, minus their step and epoch costs: least squares on the
   multiply-adds and unit activations per row (forward, backward and update).
3. ``eval_macs``, ``eval_units``: ``mlp.train.probability_grid`` (forward only) on 100 x 100
   points through the same networks.
4. ``images``: ``figures.mlp.boundary_image`` of two- and three-class grids (the slower).
5. ``fixed``: what a two-epoch scene costs beyond the above.

Then ``train_scene`` runs on settings across the page's range and each time is printed next to
the estimate with the fitted costs and with the costs in use.

    python bench/calibrate_mlp.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from timing import best_time  # noqa: E402

import optim_core  # noqa: E402
from figures import mlp as figures_mlp  # noqa: E402
from mlp import MLP, make, standardize, train  # noqa: E402
from mlp.train import probability_grid  # noqa: E402
from scenes import playground as pg  # noqa: E402

NETWORKS = [(1,), (8,), (64,), (16, 16), (32, 32, 32), (64, 64, 64), (64,) * 6]
# (optimizers, hidden, batch, points, features, epochs): whole scenes across the page's range.
SCENES = [
    (3, "16,16", "32", 300, "x1,x2", 100),
    (1, "", "32", 300, "x1,x2", 500),
    (1, "4", "1", 100, "x1,x2", 100),
    (1, "4", "full", 2000, "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2", 500),
    (2, "16,16", "32", 1000, "x1,x2", 100),
    (2, "32,32,32", "16", 300, "x1sq,x2sq", 100),
    (2, "64", "full", 2000, "x1,x2", 120),
    (3, "16,16", "1", 60, "x1,x2", 40),
    (4, "8,8", "128", 2000, "x1,x2", 80),
    (4, "16,16", "8", 300, "x1,x2", 40),
    (4, "32,32", "full", 1000, "x1,x2", 60),
    (4, "64,64,64,64,64,64", "1", 60, "x1,x2", 10),
    (4, "64,64,64,64,64,64", "32", 300, "x1,x2", 10),
    (4, "", "1", 300, "x1,x2", 15),
]
OPTIMIZERS = ["sgd", "momentum", "adam", "rmsprop"]


def work(net: MLP) -> tuple[int, int]:
    """Multiply-adds and unit activations of one row's forward pass."""
    macs = sum(a * b for a, b in zip(net.sizes[:-1], net.sizes[1:], strict=True))
    return macs, sum(net.sizes[1:])


def step_costs(repeat: int) -> tuple[float, float, float]:
    data = standardize(make("moons", 40, noise=0.2, seed=0))
    rows, per_step = [], []
    for hidden in [(), (2,), (2, 2), (2,) * 4, (2,) * 6, *NETWORKS[1:]]:
        net = MLP((2, *hidden, 1), "tanh", "bce", 0)
        epochs = 20 if net.n_params < 5000 else 4
        seconds, _ = best_time(
            lambda net=net, e=epochs: train(
                net, optim_core.make("adam", lr=0.01), data.X, data.y, e, 1
            ),
            repeat,
        )
        rows.append([1.0, len(hidden) + 1, net.n_params])
        per_step.append(seconds / (epochs * len(data)))
    (step, layer, param), *_ = np.linalg.lstsq(np.array(rows), np.array(per_step), None)
    return float(step), float(layer), float(param)


def epoch_cost(repeat: int, step: float, layer: float) -> float:
    """Seconds per epoch beyond its one full-batch step."""
    data = standardize(make("moons", 100, noise=0.2, seed=0))
    train_set, test_set = data.like(data.X[:40], data.y[:40]), data.like(data.X[40:], data.y[40:])
    net = MLP((2, 1), "tanh", "bce", 0)
    epochs = 2000
    seconds, _ = best_time(
        lambda: train(
            net,
            optim_core.make("sgd", lr=0.1),
            train_set.X,
            train_set.y,
            epochs,
            X_test=test_set.X,
            y_test=test_set.y,
        ),
        repeat,
    )
    return seconds / epochs - step - layer


def row_costs(repeat: int, step: float, layer: float, param: float, epoch: float) -> tuple:
    data = standardize(make("moons", 2000, noise=0.2, seed=0))
    rows_train, t_train, rows_eval, t_eval = [], [], [], []
    for hidden in NETWORKS:
        net = MLP((2, *hidden, 1), "tanh", "bce", 0)
        macs, units = work(net)
        epochs = max(2, int(4e6 / (len(data) * (macs + 20 * units))))
        seconds, _ = best_time(
            lambda net=net, e=epochs: train(net, optim_core.make("sgd", lr=0.1), data.X, data.y, e),
            repeat,
        )
        fixed = epochs * (step + layer * (len(hidden) + 1) + param * net.n_params + epoch)
        rows_train.append([macs, units])
        t_train.append((seconds - fixed) / (epochs * len(data)))
        theta = net.init_params()
        seconds, _ = best_time(
            lambda net=net, t=theta: probability_grid(net, t, (-2, 2), (-2, 2), 100), repeat
        )
        rows_eval.append([macs, units])
        t_eval.append(seconds / 100**2)
    (c_mac, c_unit), *_ = np.linalg.lstsq(np.array(rows_train, float), np.array(t_train), None)
    (e_mac, e_unit), *_ = np.linalg.lstsq(np.array(rows_eval, float), np.array(t_eval), None)
    return float(c_mac), float(c_unit), float(e_mac), float(e_unit)


def image_cost(repeat: int) -> float:
    x = np.linspace(-3, 3, pg.GRID)
    X, Y = np.meshgrid(x, x)
    logits = np.stack([np.sin(X) + Y, np.cos(Y) - X, 0.3 * X * Y], axis=-1) * 3
    three = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    two = 1 / (1 + np.exp(-3 * (np.sin(2 * X) + Y)))
    return max(
        best_time(lambda g=grid, k=k: figures_mlp.boundary_image(g, k), repeat * 5)[0]
        for grid, k in ((two, 2), (three, 3))
    )


def scene(optimizers: int, hidden: str, batch: str, n: int, features: str, epochs: int):
    values = {k: p.default for k, p in pg.spec().items()}
    values.update(
        {
            "mlp.optimizers": OPTIMIZERS[:optimizers],
            "mlp.hidden": hidden,
            "mlp.batch": batch,
            "mlp.n": n,
            "mlp.features": features.split(","),
            "mlp.epochs": epochs,
        }
    )
    ref = pg.data_ref(values)
    return pg.config(values, ref, *pg.load(ref))


def estimate(cfg, unit: dict) -> float:
    return sum(unit[k] * v for k, v in pg.cost_terms(cfg).items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    threadpool_limits(1)
    step, layer, param = step_costs(args.repeat)
    epoch = epoch_cost(args.repeat, step, layer)
    c_mac, c_unit, e_mac, e_unit = row_costs(args.repeat, step, layer, param, epoch)
    unit = {
        "steps": step,
        "layer_steps": layer,
        "param_steps": param,
        "epochs": epoch,
        "train_macs": c_mac,
        "train_units": c_unit,
        "eval_macs": e_mac,
        "eval_units": e_unit,
        "images": image_cost(args.repeat),
        "fixed": 0.0,
    }
    tiny = scene(1, "", "full", 20, "x1,x2", 2)
    seconds, _ = best_time(lambda: pg.train_scene(tiny, pg.View()), args.repeat)
    unit["fixed"] = max(seconds - estimate(tiny, unit), 0.0)
    print("measured unit costs (seconds):")
    for k, u in unit.items():
        print(f"    {k!r}: {u:.3g},  (in use: {pg.UNIT_SECONDS[k]:.3g})")
    print(f"\n{'scene':64s} {'measured':>9s} {'estimate':>9s} {'in use':>7s}")
    for setting in SCENES:
        cfg = scene(*setting)
        seconds, _ = best_time(lambda cfg=cfg: pg.train_scene(cfg, pg.View()), args.repeat)
        label = (
            f"{setting[0]} opt, hidden {setting[1] or '-'}, batch {setting[2]}, n {setting[3]}, "
            f"{setting[5]} epochs"
        )
        print(
            f"{label:64s} {seconds:8.2f}s {estimate(cfg, unit) / seconds:8.2f}x "
            f"{pg.estimate(cfg) / seconds:6.2f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
