"""The MLP playground's experiment: data, bounds, and a fair race of optimizers on one network.

Pure (no streamlit) so the page stays a thin script and everything here is unit-testable.
Fairness: every optimizer trains the same :class:`~mlp.network.MLP` from the same initial
weights (``net.init_params()`` with the seed) and sees the same mini-batches in the same order
(``train``'s ``seed``), so the only difference between two runs is the update rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import optim_core
from mlp.datasets import Dataset, make, split, standardize
from mlp.network import MAX_HIDDEN_LAYERS, MAX_UNITS, MLP
from mlp.train import History, probability_grid, train

__all__ = [
    "DATASETS",
    "MAX_STEPS",
    "MAX_WORK",
    "Race",
    "Run",
    "check_budget",
    "load_data",
    "parse_hidden",
    "race",
]

# Page data-set choices -> (generator, extra keywords). Blobs' spread is its cluster_std.
DATASETS = {
    "moons": ("moons", {}),
    "circles": ("circles", {"factor": 0.5}),
    "xor": ("xor", {}),
    "spiral": ("spiral", {"arms": 2}),
    "spiral3": ("spiral", {"arms": 3}),
    "blobs": ("blobs", {"centers": 3}),
    "gaussian": ("gaussian", {}),
    "linear": ("linear", {}),
}
MAX_STEPS = 60_000  # optimizer steps summed over all optimizers (~100 µs of Python each)
MAX_WORK = 2e9  # multiply-adds: optimizers x epochs x training points x weights (x2 fwd+bwd)
GRID = 40  # decision-boundary heatmap resolution (zsmoothed in the browser)


def parse_hidden(text: str) -> tuple[int, ...]:
    """Hidden layer widths from text like ``"16, 16"`` (empty: no hidden layer).

    Raises ``ValueError`` with a readable message for anything else than 0 to
    ``MAX_HIDDEN_LAYERS`` whole numbers from 1 to ``MAX_UNITS``.
    """
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    if len(parts) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(parts)}")
    widths = []
    for p in parts:
        if not p.isdigit():
            raise ValueError(f"layer widths are whole numbers, got {p!r}")
        if not 1 <= int(p) <= MAX_UNITS:
            raise ValueError(f"each hidden layer has 1 to {MAX_UNITS} units, got {int(p)}")
        widths.append(int(p))
    return tuple(widths)


def load_data(
    name: str, n: int, noise: float, seed: int, test_fraction: float
) -> tuple[Dataset, Dataset | None]:
    """Data set ``name`` (a key of :data:`DATASETS`), split, then standardised with the
    training set's mean and standard deviation (inputs of order 1 suit every activation).

    Blobs take ``cluster_std = max(5 noise, 0.1)``, so the default noise 0.2 gives
    scikit-learn's ``cluster_std=1``. The test set is ``None`` for ``test_fraction`` 0.
    """
    generator, kw = DATASETS[name]
    if generator == "blobs":
        data = make(generator, n, seed=seed, cluster_std=max(5 * noise, 0.1), **kw)
    else:
        data = make(generator, n, noise=noise, seed=seed, **kw)
    train_set, test_set = split(data, test_fraction, seed=seed)
    test_set = standardize(test_set, like=train_set) if len(test_set) else None
    return standardize(train_set), test_set


def network(hidden: tuple[int, ...], n_classes: int, activation: str, loss: str, seed: int):
    """The playground's network: 2 inputs, ``hidden``, then 1 sigmoid unit for two classes or
    ``k`` softmax units. ``loss`` is ``"xent"`` (binary or categorical cross-entropy to match
    the output) or ``"mse"``."""
    out = 1 if n_classes == 2 else n_classes
    loss = ("bce" if out == 1 else "ce") if loss == "xent" else loss
    return MLP((2, *hidden, out), activation, loss, seed=seed)


def steps_per_epoch(n_train: int, batch_size: int | None) -> int:
    return 1 if batch_size is None else math.ceil(n_train / batch_size)


def check_budget(
    n_optimizers: int, epochs: int, n_train: int, batch_size: int | None, n_params: int
) -> str | None:
    """``None`` when the training fits the bounds, else a message saying what to reduce."""
    steps = n_optimizers * epochs * steps_per_epoch(n_train, batch_size)
    work = 2 * n_optimizers * epochs * n_train * n_params
    if steps > MAX_STEPS:
        return (
            f"That is {steps:,} optimizer steps ({n_optimizers} optimizer(s) x {epochs} epochs x "
            f"{steps_per_epoch(n_train, batch_size)} batches); the limit is {MAX_STEPS:,}. "
            "Use a larger batch, fewer epochs, fewer samples or fewer optimizers."
        )
    if work > MAX_WORK:
        return (
            f"That is about {work:.2g} multiply-adds ({n_optimizers} optimizer(s) x {epochs} "
            f"epochs x {n_train} training points x {n_params:,} weights x 2); the limit is "
            f"{MAX_WORK:.0e}. Use a smaller network, fewer epochs, fewer samples or fewer "
            "optimizers."
        )
    return None


@dataclass(eq=False)
class Run:
    """One optimizer's training: its history and its decision boundary at each snapshot.

    ``grids[i]`` is ``probability_grid`` at ``epochs[i]``: ``(r, r)`` ``P(class 1)`` for two
    classes, ``(r, r, k)`` class probabilities otherwise.
    """

    name: str
    hyperparams: dict
    history: History
    epochs: list[int]
    grids: list[np.ndarray]

    @property
    def diverged_at(self) -> int | None:
        return self.history.diverged_at_epoch


@dataclass(eq=False)
class Race:
    """Every optimizer's :class:`Run` on the same data, network and batches."""

    runs: list[Run]
    xs: np.ndarray  # (r,) grid abscissae
    ys: np.ndarray  # (r,) grid ordinates
    n_params: int


def extent(*sets: Dataset | None, pad: float = 0.1) -> tuple[tuple, tuple]:
    """A square-ish plotting window around all points, padded by ``pad`` of the span."""
    X = np.vstack([s.X for s in sets if s is not None])
    lo, hi = X.min(axis=0), X.max(axis=0)
    margin = pad * (hi - lo)
    return (lo[0] - margin[0], hi[0] + margin[0]), (lo[1] - margin[1], hi[1] + margin[1])


def race(
    train_set: Dataset,
    test_set: Dataset | None,
    net: MLP,
    optimizers: list[tuple[str, dict]],
    epochs: int,
    batch_size: int | None,
    seed: int,
    progress=None,
    resolution: int = GRID,
) -> Race:
    """Train ``net`` once per ``(optimizer name, hyperparameters)`` from the same weights and
    batches. ``progress(fraction)`` is called as training advances (0 to 1 over all runs)."""
    xlim, ylim = extent(train_set, test_set)
    test = (test_set.X, test_set.y) if test_set is not None else (None, None)
    every = max(1, math.ceil(epochs / 50))
    runs = []
    for i, (name, hp) in enumerate(optimizers):

        def tick(epoch: int, total: int, i: int = i) -> None:
            if progress is not None:
                progress((i + epoch / max(total, 1)) / len(optimizers))

        hist = train(
            net,
            optim_core.make(name, **hp),
            train_set.X,
            train_set.y,
            epochs,
            batch_size,
            seed=seed,
            X_test=test[0],
            y_test=test[1],
            snapshot_every=every,
            progress=tick,
        )
        grids = [probability_grid(net, th, xlim, ylim, resolution)[2] for _, th in hist.snapshots]
        runs.append(Run(name, hp, hist, [e for e, _ in hist.snapshots], grids))
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    return Race(runs, xs, ys, net.n_params)


def epochs_to(accuracy: list[float], target: float) -> int | None:
    """The first epoch whose accuracy reaches ``target`` (``None`` if none does)."""
    return next((e for e, a in enumerate(accuracy) if a >= target), None)


def summary(run: Run, target: float = 0.9) -> dict:
    """One row of the metrics table: final losses and accuracies, speed, outcome.

    A diverged run reports the losses of its blown-up weights (``inf``/``nan`` become ``nan``)
    and no accuracy. Tanh or sigmoid networks rarely overflow with a huge learning rate (their
    activations are bounded): their loss just ends higher than it started, which is said too.
    """
    h = run.history

    def last(values: list[float]) -> float:
        return float(values[-1]) if values and np.isfinite(values[-1]) else float("nan")

    if run.diverged_at is not None:
        outcome = f"diverged at epoch {run.diverged_at}"
    else:
        outcome = f"trained {h.epochs} epochs ({h.steps:,} steps)"
        if h.train_loss[-1] > h.train_loss[0]:  # bounded activations blow up quietly
            outcome += (
                f"; loss rose from {h.train_loss[0]:.3g} to {h.train_loss[-1]:.3g}: "
                "learning rate too large?"
            )
    return {
        "train loss": last(h.train_loss),
        "train accuracy": last(h.train_accuracy),
        "test loss": last(h.test_loss),
        "test accuracy": last(h.test_accuracy),
        f"epochs to {target:.0%} train accuracy": epochs_to(h.train_accuracy, target),
        "outcome": outcome,
    }
