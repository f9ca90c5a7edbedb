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
from mlp import _checks
from mlp.datasets import Dataset, make, split, standardize
from mlp.landscape import Plane, explained, loss_grid, pca_plane, project, random_plane
from mlp.network import MAX_HIDDEN_LAYERS, MAX_UNITS, MLP
from mlp.train import History, probability_grid, train
from scenes.optimizer_settings import LABELS

__all__ = [
    "DATASETS",
    "MAX_STEPS",
    "MAX_WORK",
    "REGRESSION_DATASETS",
    "Landscape",
    "Race",
    "Run",
    "best_run",
    "check_budget",
    "check_data",
    "landscape",
    "landscape_caption",
    "landscape_resolution",
    "load_data",
    "parse_hidden",
    "prepare",
    "race",
]

# Page data-set choices -> (generator, extra keywords). Blobs' spread is its cluster_std.
DATASETS = {  # classification
    "moons": ("moons", {}),
    "circles": ("circles", {"factor": 0.5}),
    "xor": ("xor", {}),
    "spiral": ("spiral", {"arms": 2}),
    "spiral3": ("spiral", {"arms": 3}),
    "blobs": ("blobs", {"centers": 3}),
    "gaussian": ("gaussian", {}),
    "linear": ("linear", {}),
}
REGRESSION_DATASETS = {
    "plane": ("plane", {}),
    "multi_gaussian": ("multi_gaussian", {}),
    "sine": ("sine", {}),
}
MAX_STEPS = 60_000  # optimizer steps summed over all optimizers (~100 µs of Python each)
MAX_WORK = 2e9  # multiply-adds: optimizers x epochs x training points x weights (x2 fwd+bwd)
MAX_HIDDEN_TEXT = 100  # characters of the "Hidden layers" text: 6 x "64" with separators fit
GRID = 40  # decision-boundary heatmap resolution (zsmoothed in the browser)
LANDSCAPE_GRID = 41  # loss-landscape grid points per axis (the figure interpolates between them)
LANDSCAPE_MARGIN = 0.2  # the grid reaches this share of the paths' span beyond them
LANDSCAPE_MIN_SHARE = 0.25  # each axis spans at least this share of the other
# Activations computed for the landscape grid: grid points x training points x units. About
# 10 ns each (float32, tanh, measured with bench/bench_landscape.py on a busy machine), so
# about half a second; the defaults need 41^2 x 240 x 33 = 1.3e7.
LANDSCAPE_WORK = 5e7
LANDSCAPE_MIN_GRID = 11


def parse_hidden(text: str) -> tuple[int, ...]:
    """Hidden layer widths from text like ``"16, 16"`` (empty: no hidden layer).

    Raises ``ValueError`` with a readable message for anything else than 0 to
    ``MAX_HIDDEN_LAYERS`` whole numbers from 1 to ``MAX_UNITS``. Length and digits are
    checked before any conversion, so a huge input fails fast with our message.
    """
    if len(text) > MAX_HIDDEN_TEXT:
        raise ValueError(f"at most {MAX_HIDDEN_TEXT} characters, such as 16, 16; got {len(text):,}")
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    if len(parts) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(parts)}")
    widths = []
    for p in parts:
        if not (p.isascii() and p.isdigit()):  # str.isdigit alone accepts "²" and "٣"
            raise ValueError(f"layer widths are whole numbers, got {p!r}")
        if len(p.lstrip("0")) > len(str(MAX_UNITS)) or not 1 <= int(p) <= MAX_UNITS:
            raise ValueError(f"each hidden layer has 1 to {MAX_UNITS} units, got {p}")
        widths.append(int(p))
    return tuple(widths)


def prepare(
    data: Dataset, test_fraction: float, seed: int, scale_targets: bool = False
) -> tuple[Dataset, Dataset | None]:
    """Split ``data``, then standardise both parts with the training set's mean and standard
    deviation (inputs of order 1 suit every activation). ``scale_targets``: regression
    targets too (uploaded data in any unit; the Playground's own sets are already of order
    1). The test set is ``None`` when it would be empty."""
    train_set, test_set = split(data, test_fraction, seed=seed)
    test_set = (
        standardize(test_set, like=train_set, targets=scale_targets) if len(test_set) else None
    )
    return standardize(train_set, targets=scale_targets), test_set


def load_data(
    name: str, n: int, noise: float, seed: int, test_fraction: float
) -> tuple[Dataset, Dataset | None]:
    """Data set ``name`` (a key of :data:`DATASETS` or :data:`REGRESSION_DATASETS`), split
    and standardised by :func:`prepare`.

    Blobs take ``cluster_std = max(5 noise, 0.1)``, so the default noise 0.2 gives
    scikit-learn's ``cluster_std=1``. The test set is ``None`` for ``test_fraction`` 0.
    """
    choices = DATASETS | REGRESSION_DATASETS
    if name not in choices:
        raise ValueError(f"unknown data set {name!r}; choose one of {list(choices)}")
    generator, kw = choices[name]
    if generator == "blobs":
        noise = _checks.number("noise", noise, low=0.0)
        data = make(generator, n, seed=seed, cluster_std=max(5 * noise, 0.1), **kw)
    else:
        data = make(generator, n, noise=noise, seed=seed, **kw)
    return prepare(data, test_fraction, seed)


def network(
    hidden: tuple[int, ...],
    n_classes: int,
    activation: str,
    loss: str,
    seed: int,
    features: tuple[str, ...] | None = None,
) -> MLP:
    """The playground's network: 2 inputs (or one per feature of ``features``), ``hidden``,
    then 1 sigmoid unit for two classes, ``k`` softmax units for more, or 1 linear unit for
    regression (``n_classes`` 0). ``loss``: ``"xent"`` (binary or categorical cross-entropy
    to match the output) or ``"mse"`` for classification; ``"mse"`` or ``"mae"`` for
    regression."""
    n_inputs = 2 if features is None else len(features)
    if n_classes == 0:
        if loss == "xent":
            raise ValueError("cross-entropy is for classes; regression takes 'mse' or 'mae'")
        return MLP(
            (n_inputs, *hidden, 1), activation, loss, seed, task="regression", features=features
        )
    out = 1 if n_classes == 2 else n_classes
    loss = ("bce" if out == 1 else "ce") if loss == "xent" else loss
    return MLP((n_inputs, *hidden, out), activation, loss, seed=seed, features=features)


def steps_per_epoch(n_train: int, batch_size: int | None) -> int:
    """Optimizer steps in one epoch of ``n_train`` points (``batch_size`` ``None``: full)."""
    n_train = _checks.integer("n_train", n_train, low=1)
    if batch_size is None:
        return 1
    return math.ceil(n_train / _checks.integer("batch_size", batch_size, low=1))


def check_budget(
    n_optimizers: int, epochs: int, n_train: int, batch_size: int | None, n_params: int
) -> str | None:
    """``None`` when the training fits the bounds, else a message saying what to reduce.

    ``ValueError`` for arguments that are not positive integers (``batch_size`` may be
    ``None``: full batch)."""
    n_optimizers = _checks.integer("n_optimizers", n_optimizers, low=1)
    epochs = _checks.integer("epochs", epochs, low=1)
    n_params = _checks.integer("n_params", n_params, low=1)
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


def check_data(train_set: Dataset) -> str | None:
    """``None`` when ``train_set`` can be trained on, else a message saying what is missing:
    at least 2 points, and for classification at least 2 classes among them."""
    if len(train_set) < 2:
        return f"The training set has {len(train_set)} point(s); it needs at least 2."
    if train_set.task == "classification":
        present = len(np.unique(train_set.y))
        if present < 2:
            return (
                f"The training set has points of {present} class only; it needs at least 2 "
                "classes (add points of another class, or lower the test fraction)."
            )
    return None


@dataclass(eq=False)
class Run:
    """One optimizer's training: its history and its decision boundary at each snapshot.

    ``grids[i]`` is ``probability_grid`` at ``epochs[i]``: ``(r, r)`` ``P(class 1)`` for two
    classes, ``(r, r, k)`` class probabilities for more, ``(r, r)`` predicted values for
    regression.
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
    """One row of the metrics table: final losses and metrics, speed, outcome.

    The metric is accuracy for classification (keys ``"train accuracy"``, ...), ``R²`` for
    regression (``"train R²"``, ...). Final training values are exact (the final weights on
    the whole training set); "epochs to" reads the per-epoch curve, which averages over each
    epoch's mini-batches (see :class:`~mlp.train.History`). A diverged run reports the losses
    of its blown-up weights (``inf``/``nan`` become ``nan``) and no metric. Tanh or sigmoid
    networks rarely overflow with a huge learning rate (their activations are bounded): their
    loss just ends higher than it started, which is said too.
    """
    h = run.history
    regression = bool(h.train_r2)
    name = "R²" if regression else "accuracy"
    train_curve, test_curve = (
        (h.train_r2, h.test_r2) if regression else (h.train_accuracy, h.test_accuracy)
    )

    def finite(value: float) -> float:
        return float(value) if np.isfinite(value) else float("nan")

    def last(values: list[float]) -> float:
        return finite(values[-1]) if values else float("nan")

    if run.diverged_at is not None:
        outcome = f"diverged at epoch {run.diverged_at}"
        train_loss, train_metric = last(h.train_loss), float("nan")
    else:
        outcome = f"trained {h.epochs} epochs ({h.steps:,} steps)"
        train_loss, train_metric = finite(h.final_train_loss), finite(h.final_train_metric)
        if h.final_train_loss > h.train_loss[0]:  # bounded activations blow up quietly
            outcome += (
                f"; loss rose from {h.train_loss[0]:.3g} to {h.final_train_loss:.3g}: "
                "learning rate too large?"
            )
    target_text = f"{target:.0%}" if not regression else f"{target:g}"
    return {
        "train loss": train_loss,
        f"train {name}": train_metric,
        "test loss": last(h.test_loss),
        f"test {name}": last(test_curve),
        f"epochs to {target_text} train {name}": epochs_to(train_curve, target),
        "outcome": outcome,
    }


@dataclass(eq=False)
class Landscape:
    """The training loss on a plane through one run's final weights, and every run's path on it.

    Lists are aligned with ``Race.runs``: ``epochs[i]`` ``(m_i,)`` are run ``i``'s snapshot
    epochs with finite weights, ``paths[i]`` ``(m_i, 2)`` their plane coordinates, and
    ``captured[i]`` the share of the path's squared distance from the anchor that lies in the
    plane (:func:`mlp.landscape.explained`). ``loss[i, j]`` is the training loss (the
    network's loss on the whole training set, its weight decay included) at
    ``plane.at(alphas[j], betas[i])``. ``anchor`` is the index of the run whose final weights
    are the plane's origin, ``(0, 0)``.
    """

    plane: Plane
    anchor: int
    names: list[str]
    epochs: list[np.ndarray]
    paths: list[np.ndarray]
    captured: list[float]
    captured_total: float
    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray

    @property
    def explained_variance(self) -> tuple[float, float]:
        """PCA plane: the share along each direction of all paths together; random: nan."""
        return self.plane.explained_variance


def best_run(race: Race) -> int:
    """Index of the run with the lowest final training loss, among those that did not diverge
    (among all if every run diverged); the first on ties."""
    runs = race.runs
    candidates = [i for i, r in enumerate(runs) if r.diverged_at is None] or range(len(runs))
    losses = [runs[i].history.final_train_loss for i in candidates]
    finite = [np.nan_to_num(v, nan=np.inf) for v in losses]
    return list(candidates)[int(np.argmin(finite))]


def _extent(points: np.ndarray, kind: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """The grid's ``(alpha, beta)`` ranges: the box around ``points`` ``(m, 2)`` and the anchor,
    each axis at least ``LANDSCAPE_MIN_SHARE`` of the other (a path along ``d1`` still shows
    some of the valley's sides), then ``LANDSCAPE_MARGIN`` of its span added on both sides. A
    random plane also covers ``[-1, 1]^2``, Li et al.'s range: one filter-normalised step."""
    box = [points, np.zeros((1, 2))]
    if kind == "random":
        box.append(np.array([[-1.0, -1.0], [1.0, 1.0]]))
    box = np.concatenate(box)
    lo, hi = box.min(axis=0), box.max(axis=0)
    span = hi - lo
    if span.max() == 0:  # no run moved: any window around the anchor is as good
        span, lo, hi = np.ones(2), lo - 0.5, hi + 0.5
    widened = np.maximum(span, LANDSCAPE_MIN_SHARE * span.max())
    centre, half = (lo + hi) / 2, widened * (0.5 + LANDSCAPE_MARGIN)
    return (centre[0] - half[0], centre[0] + half[0]), (centre[1] - half[1], centre[1] + half[1])


def landscape(
    race: Race,
    net: MLP,
    train_set: Dataset,
    *,
    kind: str = "pca",
    anchor: int | None = None,
    resolution: int = LANDSCAPE_GRID,
    seed: int = 0,
    filter_normalized: bool = True,
) -> Landscape:
    """The loss landscape of a finished race: ``net`` (the race's network) on ``train_set``.

    * The plane goes through the final weights of run ``anchor`` (an index into
      ``race.runs``; default :func:`best_run`, the lowest final training loss).
    * ``kind="pca"``: spanned by the first two principal directions of every run's snapshots
      together, about the anchor (:func:`mlp.landscape.pca_plane`), so all runs share one
      plane. ``kind="random"``: two seeded Gaussian directions (``seed``), filter-normalised
      unless ``filter_normalized`` is false (:func:`mlp.landscape.random_plane`).
    * Snapshots are ``History.snapshots``, every ``ceil(epochs / 50)`` epochs plus the last;
      a diverged run contributes the finite snapshots it had (up to the epoch before it blew
      up), which :func:`mlp.landscape.pca_plane` also ignores past.
    * The grid (``resolution`` points per axis) covers every projected path and the anchor with
      a margin (see :func:`_extent`); for big networks and data sets it has fewer points, so
      that it costs at most ``LANDSCAPE_WORK`` activations (:func:`landscape_resolution`).
    * The loss is the network's (its ``weight_decay`` included); an optimizer's own weight
      decay (SGD's ``weight_decay``, AdamW) is part of its update rule, not of this loss.
    """
    if kind not in ("pca", "random"):
        raise ValueError(f"kind must be 'pca' or 'random', got {kind!r}")
    resolution = landscape_resolution(
        net, len(train_set), _checks.integer("resolution", resolution, 2, 200)
    )
    runs = race.runs
    if anchor is None:
        anchor = best_run(race)
    anchor = _checks.integer("anchor", anchor, 0, len(runs) - 1)
    snapshots = [np.array([theta for _, theta in r.history.snapshots]) for r in runs]
    epochs = [np.array([e for e, _ in r.history.snapshots]) for r in runs]
    origin = runs[anchor].history.theta
    if kind == "pca":
        plane = pca_plane(snapshots, origin)
    else:
        plane = random_plane(net, origin, seed, filter_normalized)
    kept = [np.isfinite(t).all(axis=1) for t in snapshots]
    paths = [project(plane, t[k]) for t, k in zip(snapshots, kept, strict=True)]
    (a0, a1), (b0, b1) = _extent(np.concatenate(paths), kind)
    alphas, betas = np.linspace(a0, a1, resolution), np.linspace(b0, b1, resolution)
    return Landscape(
        plane=plane,
        anchor=anchor,
        names=[r.name for r in runs],
        epochs=[e[k] for e, k in zip(epochs, kept, strict=True)],
        paths=paths,
        captured=[explained(plane, t) for t in snapshots],
        captured_total=explained(plane, np.concatenate(snapshots)),
        alphas=alphas,
        betas=betas,
        loss=loss_grid(net, plane, train_set.X, train_set.y, alphas, betas),
    )


def landscape_resolution(net: MLP, n_train: int, requested: int = LANDSCAPE_GRID) -> int:
    """Grid points per axis: ``requested``, or fewer (down to ``LANDSCAPE_MIN_GRID``) so that
    ``points^2 x n_train x units`` stays within ``LANDSCAPE_WORK``."""
    per_point = n_train * sum(net.sizes[1:])
    affordable = math.isqrt(int(LANDSCAPE_WORK // per_point))
    return min(requested, max(affordable, LANDSCAPE_MIN_GRID))


def landscape_caption(ls: Landscape) -> str:
    """Plain text for under the landscape figure: what the plane is and how much of each path
    it shows; the projection is a view of a high-dimensional landscape, not the whole story."""
    label = LABELS.get(ls.names[ls.anchor], ls.names[ls.anchor])
    n_params = ls.plane.origin.size
    share_format = ".0%" if ls.plane.kind == "pca" else ".1%"  # random planes keep ~0%
    shares = ", ".join(
        f"{LABELS.get(n, n)} {c:{share_format}}" for n, c in zip(ls.names, ls.captured, strict=True)
    )
    if ls.plane.kind == "pca":
        ev1, ev2 = ls.explained_variance
        plane = (
            f"The training loss on a plane through {label}'s final weights (the star), spanned "
            "by the two principal directions of all runs' weight trajectories together, so "
            "every run is drawn on the same plane. "
        )
        share = (
            f"The plane holds {ls.captured_total:.0%} of the paths' squared distance from the "
            f"star (first direction {ev1:.0%}, second {ev2:.0%}); per run: {shares}. "
        )
    else:
        plane = (
            f"The training loss on a plane through {label}'s final weights (the star), along "
            "two random directions, each rescaled neuron by neuron to the size of that "
            "neuron's weights (filter normalisation, Li et al. 2018); a step of 1 moves every "
            "neuron by its own size. "
        )
        share = (
            f"Random directions miss the paths: the plane holds only {ls.captured_total:.1%} of "
            f"their squared distance from the star (per run: {shares}), so the drawn paths "
            "are short shadows of the real ones. "
        )
    return (
        plane
        + share
        + f"The network has {n_params:,} weights: what leaves the plane is not drawn, and the "
        "loss a path met off the plane can differ from the contours under it. Read the "
        "picture as one view of the landscape, not the whole story."
    )
