"""The MLP playground as pure data: settings, presets, data, a fair race of optimizers on one
network, what it costs, and the jobs the worker pool runs for the page.

Pure (no streamlit) so the page stays a thin script and everything here is unit-testable.
Fairness: every optimizer trains the same :class:`~mlp.network.MLP` from the same initial
weights (``net.init_params()`` with the seed) and sees the same mini-batches in the same order
(``train``'s ``seed``), so the only difference between two runs is the update rule.

Every setting has a URL key starting with ``mlp.`` (:func:`spec`). The data are a built-in set
(classification or TensorFlow Playground's regression sets), points drawn by hand (kept in
the URL, ``mlp.points``) or an uploaded CSV file (:class:`DataRef`). :func:`train_scene` is the
page's heavy work (training, decision-boundary grids, the figure), done in a worker;
:func:`estimate` says what it costs before it runs and :func:`too_much` refuses what does not
fit ``scenes.budget``, naming the most epochs that would.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import optim_core
from figures import gif, prebuilt
from figures import mlp as figures_mlp
from figures.landscape import landscape_figure
from mlp import _checks
from mlp.datasets import Dataset, make, split, standardize
from mlp.features import FEATURES
from mlp.landscape import Plane, explained, loss_grid, pca_plane, project, random_plane
from mlp.network import ACTIVATIONS, MAX_HIDDEN_LAYERS, MAX_UNITS, MLP
from mlp.train import History, probability_grid, train
from mlp.userdata import decode_points, encode_points, read_csv
from scenes import budget, jobs, optimizer_settings, params
from scenes.optimizer_settings import LABELS

__all__ = [
    "DATASETS",
    "PRESETS",
    "REGRESSION_DATASETS",
    "Config",
    "DataRef",
    "Landscape",
    "Race",
    "Run",
    "Scene",
    "View",
    "best_run",
    "boundaries_gif",
    "check_data",
    "config",
    "data_ref",
    "estimate",
    "landscape",
    "landscape_caption",
    "landscape_resolution",
    "landscape_scene",
    "load",
    "load_data",
    "parse_hidden",
    "prepare",
    "race",
    "spec",
    "too_much",
    "train_scene",
]

PREFIX = "mlp."
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
DRAW, UPLOAD = "draw", "upload"  # the data choices "your own points" and "your CSV file"
TASKS = ("classification", "regression")
DATA_CHOICES = {
    "classification": (*DATASETS, DRAW, UPLOAD),
    "regression": (*REGRESSION_DATASETS, UPLOAD),
}
DATA_LABELS = {
    "moons": "Moons",
    "circles": "Circles",
    "xor": "XOR",
    "spiral": "Spiral (2 arms)",
    "spiral3": "Spiral (3 arms)",
    "blobs": "Blobs (3 classes)",
    "gaussian": "Two Gaussians",
    "linear": "Linearly separable",
    "plane": "Plane",
    "multi_gaussian": "Multi-Gaussian",
    "sine": "Sine",
    DRAW: "✎ Draw your own points",
    UPLOAD: "⇪ Upload a CSV file",
}
LOSSES = {"classification": ("xent", "mse"), "regression": ("mse", "mae")}
LOSS_LABELS = {"xent": "cross-entropy", "mse": "mean squared error", "mae": "mean absolute error"}
LANDSCAPES = {"off": "off", "pca": "PCA plane of the paths", "random": "random directions"}
OPTIMIZERS = tuple(optim_core.OPTIMIZERS)
MAX_OPTIMIZERS = 4
MAX_EPOCHS = 500
BATCHES = ("full", "1", "8", "16", "32", "64", "128")
DEFAULT_FEATURES = ("x1", "x2")
# Learning rates that train the default network well in ~100 epochs (PyTorch's SGD default of
# 1e-3 would barely move); momentum and Adam keep PyTorch's other defaults.
LEARNING_RATES = {
    "sgd": 0.1,
    "momentum": 0.1,
    "nag": 0.1,
    "adagrad": 0.1,
    "rmsprop": 0.01,
    "adam": 0.01,
    "adamw": 0.01,
    "adadelta": 1.0,
}
# Drawing: a click lands on a grid of CANVAS_STEP in [-DRAW_BOX, DRAW_BOX]^2 (mlp.userdata's
# box), so a point takes at most 12 URL characters ("-5.8_-5.8_3~") and MAX_DRAWN of them stay
# under the URL value limit (params.MAX_QUERY_VALUE).
CANVAS_STEP = 0.2
MAX_DRAWN = 160
MAX_HIDDEN_TEXT = 100  # characters of the "Hidden layers" text: 6 x "64" with separators fit
GRID = 40  # decision-boundary grid points per axis (interpolated into the figure's images)
MIN_GRID = 24
LANDSCAPE_GRID = 41  # loss-landscape grid points per axis (the figure interpolates between them)
LANDSCAPE_MARGIN = 0.2  # the grid reaches this share of the paths' span beyond them
LANDSCAPE_MIN_SHARE = 0.25  # each axis spans at least this share of the other
# Activations computed for the landscape grid: grid points x training points x units. About
# 10 ns each (float32, tanh, measured with bench/bench_landscape.py on a busy machine), so
# about half a second; the defaults need 41^2 x 240 x 33 = 1.3e7.
LANDSCAPE_WORK = 5e7
LANDSCAPE_MIN_GRID = 11


# ----------------------------------------------------------------------------------------------
# Settings: URL keys, presets.


def _hidden_text(text: str) -> str:
    """Hidden layer widths as URL text, checked by :func:`parse_hidden`."""
    return ",".join(map(str, parse_hidden(text)))


def _points_text(text: str) -> str:
    """Drawn points as URL text (``mlp.userdata``'s format), at most ``MAX_DRAWN``."""
    data = decode_points(text)
    if len(data) > MAX_DRAWN:
        raise ValueError(f"at most {MAX_DRAWN} drawn points, got {len(data)}")
    return encode_points(data.X, data.y)


def spec() -> dict[str, params.Param]:
    """Every setting of the page: URL key -> ``params.Param``, every optimizer's
    hyperparameters included (the page writes only the chosen optimizers' to the URL)."""
    p = PREFIX
    out = {
        f"{p}task": params.choice("classification", TASKS),
        f"{p}data": params.choice("moons", [*DATASETS, *REGRESSION_DATASETS, DRAW, UPLOAD]),
        f"{p}n": params.integer(300, 20, 2000),
        f"{p}noise": params.number(0.2, 0.0, 0.5),
        f"{p}test": params.number(0.2, 0.0, 0.5),
        f"{p}seed": params.integer(0, 0, 1_000_000),
        f"{p}points": params.Param(
            "", _points_text, f"drawn points x_y_class joined by ~ (at most {MAX_DRAWN})"
        ),
        f"{p}features": params.choices(DEFAULT_FEATURES, list(FEATURES), min_count=1),
        f"{p}hidden": params.Param(
            "16,16", _hidden_text, "comma-separated widths, e.g. 16,16 (0-6 layers, 1-64)"
        ),
        f"{p}activation": params.choice("tanh", list(ACTIVATIONS)),
        f"{p}loss": params.choice("xent", ["xent", "mse", "mae"]),
        f"{p}batch": params.choice("32", BATCHES),
        f"{p}epochs": params.integer(100, 1, MAX_EPOCHS),
        f"{p}optimizers": params.choices(
            ["sgd", "momentum", "adam"], OPTIMIZERS, min_count=1, max_count=MAX_OPTIMIZERS
        ),
        f"{p}landscape": params.choice("off", list(LANDSCAPES)),
    }
    for name in OPTIMIZERS:
        out.update(optimizer_settings.spec(name, p, {"lr": LEARNING_RATES[name]}))
    return out


def optimizer_keys(names) -> set[str]:
    """The URL keys of the hyperparameters of the optimizers ``names``."""
    return {f"{PREFIX}{n}.{hp}" for n in names for hp in optimizer_settings.SHOWN[n]}


def task_of(values: dict) -> str:
    """The task the settings describe: a built-in data set decides it (old links have no
    ``mlp.task``); drawn points are classes; an uploaded file is read as ``mlp.task`` says."""
    data = values[f"{PREFIX}data"]
    if data in REGRESSION_DATASETS:
        return "regression"
    if data in DATASETS or data == DRAW:
        return "classification"
    return values[f"{PREFIX}task"]


def consistent(values: dict) -> dict:
    """The settings that must change so ``values`` agree with each other: the task follows a
    built-in data set, and the loss must be one of the task's (else its first)."""
    task = task_of(values)
    fixes = {}
    if values[f"{PREFIX}task"] != task:
        fixes[f"{PREFIX}task"] = task
    if values[f"{PREFIX}loss"] not in LOSSES[task]:
        fixes[f"{PREFIX}loss"] = LOSSES[task][0]
    return fixes


@dataclass(frozen=True)
class Preset:
    """A prepared scene: the settings it changes from the defaults (URL key -> value), and a
    caption that says what to watch, shown on the page."""

    title: str
    values: dict
    caption: str


PRESETS = {
    "momentum": Preset(
        "Momentum and Adam overtake SGD",
        {},
        "Moons, a 16-16 tanh network, mini-batches of 32, 100 epochs, from the same weights. "
        "SGD (lr 0.1) needs many more epochs to reach 90% training accuracy than Momentum "
        "(lr 0.1, μ 0.9), whose steps grow to about lr / (1 − μ), and Adam (lr 0.01), which "
        "rescales every weight's step.",
    ),
    "circles_features": Preset(
        "Features: circles without hidden layers",
        {
            f"{PREFIX}data": "circles",
            f"{PREFIX}noise": 0.1,
            f"{PREFIX}features": ["x1sq", "x2sq"],
            f"{PREFIX}hidden": "",
            f"{PREFIX}optimizers": ["sgd", "adam"],
            f"{PREFIX}adam.lr": 0.1,
            f"{PREFIX}epochs": 60,
        },
        "Two rings (noise 0.1), and a network without hidden layers (logistic regression) fed x₁² and x₂² "
        "instead of x₁ and x₂. On those features the circle x₁² + x₂² = r² is a straight line, "
        "so one linear unit separates the rings; on x₁ and x₂ it could not (switch the "
        "features back to see it fail).",
    ),
    "sigmoid_depth": Preset(
        "Sigmoid through six layers",
        {
            f"{PREFIX}hidden": "8,8,8,8,8,8",
            f"{PREFIX}activation": "sigmoid",
            f"{PREFIX}optimizers": ["sgd", "adam"],
            f"{PREFIX}epochs": 150,
        },
        "Moons with six sigmoid layers of 8 units. Backprop multiplies the gradient by σ′ ≤ "
        "1/4 in every layer, so the first layers get almost none of it: SGD (lr 0.1) does not "
        "get going in 150 epochs (its loss stays at ln 2 = 0.69, the network says 50% "
        "everywhere), while Adam (lr 0.01), which divides every weight's step by the size of "
        "its gradients, learns the moons. The Building blocks page shows the factor through "
        "depth.",
    ),
    "regression": Preset(
        "Regression: a sine wave",
        {
            f"{PREFIX}task": "regression",
            f"{PREFIX}data": "sine",
            f"{PREFIX}loss": "mse",
            f"{PREFIX}optimizers": ["sgd", "adam"],
            f"{PREFIX}epochs": 150,
        },
        "Regression: every point's target is a sine of its position, and one linear output "
        "unit predicts it (mean squared error). The shading is the prediction, coloured as "
        "the points' targets; R² says how much of the targets' variance the network explains. "
        "SGD (lr 0.1) and Adam (lr 0.01), same weights and batches.",
    ),
}


def preset_values(key: str) -> dict:
    """Every setting of preset ``key``: its own values, the defaults for the rest (drawn
    points and the loss-landscape choice are kept by the page)."""
    full = spec()
    values = {k: p.default for k, p in full.items() if k not in (f"{PREFIX}points",)}
    values.pop(f"{PREFIX}landscape")
    return {**values, **PRESETS[key].values}


def active_preset(values: dict) -> str | None:
    """The key of the preset whose settings ``values`` still hold, if any."""
    for key in PRESETS:
        wanted = preset_values(key)
        chosen = wanted[f"{PREFIX}optimizers"]
        relevant = {k: v for k, v in wanted.items() if k not in optimizer_keys(OPTIMIZERS)}
        relevant.update({k: wanted[k] for k in optimizer_keys(chosen)})
        if all(values.get(k) == v for k, v in relevant.items()):
            return key
    return None


# ----------------------------------------------------------------------------------------------
# Data.


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
            shown = p if len(p) <= 12 else p[:12] + "…"
            raise ValueError(f"each hidden layer has 1 to {MAX_UNITS} units, got {shown}")
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


@dataclass(frozen=True)
class DataRef:
    """Which data a scene trains on, hashable and picklable (a cache key, and what a worker
    rebuilds the data from): a built-in set (``source`` a key of :data:`DATASETS` or
    :data:`REGRESSION_DATASETS`, with ``n`` and ``noise``), drawn points (``source`` ``"draw"``,
    ``points`` as the URL holds them) or an uploaded CSV file (``source`` ``"upload"``: its bytes
    in ``csv``, identified by their ``digest``, read as ``task`` says). ``seed`` draws the data,
    the split, the initial weights and the batches; ``test`` is the test fraction."""

    source: str
    seed: int = 0
    test: float = 0.2
    n: int = 0
    noise: float = 0.0
    points: str = ""
    task: str = "classification"
    digest: str = ""
    csv: bytes = field(default=b"", compare=False, repr=False)


def data_ref(values: dict, csv: bytes | None = None) -> DataRef:
    """The :class:`DataRef` of the page settings ``values`` (keyed as in :func:`spec`);
    ``csv``: the uploaded file's bytes when the data are ``"upload"``. Settings that do not
    matter for the source are left at their defaults, so they do not split the cache."""
    p = PREFIX
    source = values[f"{p}data"]
    common = dict(seed=int(values[f"{p}seed"]), test=float(values[f"{p}test"]))
    if source == DRAW:
        return DataRef(source, points=values[f"{p}points"], **common)
    if source == UPLOAD:
        csv = csv or b""
        digest = hashlib.sha256(csv).hexdigest()
        return DataRef(source, task=values[f"{p}task"], digest=digest, csv=csv, **common)
    n, noise = int(values[f"{p}n"]), float(values[f"{p}noise"])
    return DataRef(source, n=n, noise=noise, task=task_of(values), **common)


def drawn(text: str) -> Dataset:
    """The drawn points of ``text`` (``mlp.points``), as drawn (not standardised)."""
    return decode_points(text)


def add_point(text: str, x: float, y: float, label: int) -> str:
    """``text`` (drawn points) with one more point of class ``label`` at ``(x, y)``, snapped to
    the canvas grid (``CANVAS_STEP``). ``ValueError`` when ``MAX_DRAWN`` points are drawn
    already, or for a point outside the canvas or a class outside 0..3."""
    data = decode_points(text)
    if len(data) >= MAX_DRAWN:
        raise ValueError(f"at most {MAX_DRAWN} drawn points; clear some to draw more")
    point = np.round(np.array([[x, y]], dtype=float) / CANVAS_STEP) * CANVAS_STEP
    return encode_points(np.vstack([data.X, point]), np.append(data.y, int(label)))


def remove_last(text: str) -> str:
    """``text`` (drawn points) without its last point."""
    data = decode_points(text)
    return encode_points(data.X[:-1], data.y[:-1])


def load(ref: DataRef) -> tuple[Dataset, Dataset | None]:
    """Training and test set of ``ref``, standardised by :func:`prepare` (an uploaded file's
    regression targets too). ``ValueError`` with a readable message for a file
    ``mlp.userdata.read_csv`` rejects (naming the row), and for too few drawn points."""
    if ref.source == DRAW:
        data = decode_points(ref.points)
        if len(data) < 2:
            raise ValueError(f"draw at least 2 points (there are {len(data)})")
        return prepare(data, ref.test, ref.seed)
    if ref.source == UPLOAD:
        data = read_csv(ref.csv, task=ref.task)
        return prepare(data, ref.test, ref.seed, scale_targets=data.task == "regression")
    return load_data(ref.source, ref.n, ref.noise, ref.seed, ref.test)


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


# ----------------------------------------------------------------------------------------------
# What a scene computes, and what that costs.


@dataclass(frozen=True)
class Config:
    """One training scene, hashable and picklable (a cache key; what a worker computes from).

    ``runs``: ``((optimizer name, ((hyperparameter, value), ...)), ...)``; ``batch`` ``None``
    for full batches; ``n_train``, ``n_test`` and ``n_classes`` (0 for regression) describe the
    data of ``data`` (the page has loaded them already, and the cost model needs them)."""

    data: DataRef
    features: tuple[str, ...]
    hidden: tuple[int, ...]
    activation: str
    loss: str
    batch: int | None
    epochs: int
    runs: tuple
    n_train: int
    n_test: int
    n_classes: int


def _plain(value):
    """A hyperparameter as a plain, hashable Python value."""
    if isinstance(value, tuple):
        return tuple(float(v) for v in value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    return value if value is None or isinstance(value, str) else float(value)


def config(values: dict, ref: DataRef, train_set: Dataset, test_set: Dataset | None) -> Config:
    """The scene the page settings ``values`` describe, on the data ``ref`` (loaded as
    ``train_set``, ``test_set``). ``ValueError`` (from :func:`parse_hidden`) for a malformed
    hidden-layer text."""
    p = PREFIX
    runs = tuple(
        (n, tuple((k, _plain(v)) for k, v in optimizer_settings.hyperparams(n, values, p).items()))
        for n in values[f"{p}optimizers"]
    )
    batch = values[f"{p}batch"]
    return Config(
        data=ref,
        features=tuple(values[f"{p}features"]),
        hidden=parse_hidden(values[f"{p}hidden"]),
        activation=values[f"{p}activation"],
        loss=values[f"{p}loss"],
        batch=None if batch == "full" else int(batch),
        epochs=int(values[f"{p}epochs"]),
        runs=runs,
        n_train=len(train_set),
        n_test=0 if test_set is None else len(test_set),
        n_classes=train_set.n_classes,
    )


def build_network(cfg: Config) -> MLP:
    """The scene's network (the raw coordinates when the features are x1, x2)."""
    features = None if cfg.features == DEFAULT_FEATURES else cfg.features
    return network(
        cfg.hidden, cfg.n_classes, cfg.activation, cfg.loss, cfg.data.seed, features=features
    )


def grid_resolution(net: MLP) -> int:
    """Decision-boundary grid points per axis: ``GRID``, fewer (down to ``MIN_GRID``) for big
    networks, so one grid costs about as much as the default network's (the figure
    interpolates between the points)."""
    per_point = net.n_params + sum(net.sizes[1:])
    return int(np.clip(math.isqrt(GRID**2 * 400 // per_point), MIN_GRID, GRID))


def snapshots(epochs: int) -> int:
    """How many snapshots ``mlp.train.train`` keeps by default: every ``ceil(epochs / 50)``
    epochs from 0, and the last."""
    every = max(1, math.ceil(epochs / 50))
    return epochs // every + 1 + (epochs % every != 0)


# Unit costs in seconds of one core of the reference machine (2 cores, one BLAS thread per
# worker), measured by bench/calibrate_mlp.py where each dominates (best of 5; its docstring says
# how) and rounded up a little: the machine is shared with other work and its speed varied by
# up to 2x between runs. Checked there on 14 whole scenes (1 to 4 optimizers, 0 to 6 hidden
# layers, batches of 1 to 2,000 points, 0.5 to 1.7 s each): these estimates came within 0.9x
# to 1.9x of the measured times.
UNIT_SECONDS = {
    "steps": 50e-6,  # an optimizer step's fixed Python cost
    "layer_steps": 35e-6,  # per layer and step: the layer's forward and backward calls
    "param_steps": 24e-9,  # per weight and step: the optimizer's update (Adam's, the dearest)
    "epochs": 120e-6,  # per optimizer and epoch: shuffling, the test set, the history
    "train_macs": 0.3e-9,  # per multiply-add of a training row's forward pass (fwd + bwd)
    "train_units": 45e-9,  # per training row and unit: activation, derivative, update
    "eval_macs": 0.7e-9,  # forward only: test sets, decision-boundary grids
    "eval_units": 10e-9,
    "images": 2e-3,  # a decision-boundary image in the figure
    "fixed": 0.12,  # the data, the figure's other parts
}


def cost_terms(cfg: Config, epochs: int | None = None) -> dict[str, float]:
    """What :func:`train_scene` does for ``cfg`` (with ``epochs`` if given), counted in the
    units of ``UNIT_SECONDS``: optimizer steps, layer-steps, weight-steps (updates) and epochs,
    multiply-adds and unit
    activations of the training rows (forward and backward) and of the forward-only
    evaluations (the test set every epoch, a grid per snapshot), figure images."""
    epochs = cfg.epochs if epochs is None else epochs
    net = build_network(cfg)
    n_opt = len(cfg.runs)
    macs = sum(a * b for a, b in zip(net.sizes[:-1], net.sizes[1:], strict=True))
    units = sum(net.sizes[1:])
    steps = n_opt * epochs * steps_per_epoch(cfg.n_train, cfg.batch)
    kept = snapshots(epochs)
    train_rows = n_opt * epochs * cfg.n_train
    eval_rows = n_opt * (
        (epochs + 2) * cfg.n_test + cfg.n_train * 2 + kept * grid_resolution(net) ** 2
    )
    return {
        "steps": steps,
        "layer_steps": steps * (len(net.sizes) - 1),
        "param_steps": steps * net.n_params,
        "epochs": n_opt * epochs,
        "train_macs": train_rows * macs,
        "train_units": train_rows * units,
        "eval_macs": eval_rows * macs,
        "eval_units": eval_rows * units,
        "images": n_opt * min(kept, figures_mlp.MAX_FRAMES),
        "fixed": 1,
    }


def estimate(cfg: Config, epochs: int | None = None) -> float:
    """Seconds :func:`train_scene` takes for ``cfg`` (with ``epochs`` if given), every run
    taking every epoch (a divergence would stop one early)."""
    return sum(UNIT_SECONDS[k] * v for k, v in cost_terms(cfg, epochs).items())


def too_much(cfg: Config) -> str | None:
    """None when the scene fits ``scenes.budget``, else what to reduce, with the most epochs
    that fit these settings."""
    seconds = estimate(cfg)
    if seconds <= budget.SECONDS:
        return None
    n = len(cfg.runs)
    what = (
        f"{n} optimizer(s) x {cfg.epochs:,} epochs of {steps_per_epoch(cfg.n_train, cfg.batch):,} "
        f"step(s) on {cfg.n_train:,} points with {build_network(cfg)!r} is about {seconds:.0f} s "
        f"of work, more than this server computes for one visitor (about "
        f"{budget.SECONDS:g} s)."
    )
    fits = budget.largest_fitting(lambda e: estimate(cfg, e), 1, cfg.epochs)
    if fits is None:
        return (
            f"{what} Even one epoch is too much: use a larger batch, a smaller network, fewer "
            "points or fewer optimizers."
        )
    return (
        f"{what} With these settings, at most {fits:,} epochs; or use a larger batch, a "
        "smaller network, fewer points or fewer optimizers."
    )


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


# ----------------------------------------------------------------------------------------------
# The jobs a worker computes for the page.


@dataclass(frozen=True)
class View:
    """How the page shows a scene (not what it computes): presentation mode's larger type and
    the animation's frame duration."""

    present: bool = False
    frame_ms: int = figures_mlp.FRAME_MS


@dataclass(eq=False)
class Scene:
    """Everything the page shows after training: the race (histories, snapshots and grids,
    which the landscape and the GIF are drawn from), the network, the final metrics (one row
    per optimizer) and the figure's JSON (``figures.prebuilt``)."""

    race: Race
    network: str
    table: pd.DataFrame
    figure: str

    @property
    def learned_nothing(self) -> bool:
        """Whether every run ended below 70% training accuracy (classification)."""
        h = [r.history for r in self.race.runs]
        return not h[0].train_r2 and all(not x.final_train_metric >= 0.7 for x in h)

    @property
    def diverged(self) -> bool:
        return any(r.diverged_at is not None for r in self.race.runs)


def hp_text(hp: dict) -> str:
    """Hyperparameters as ``lr=0.01, betas=(0.9, 0.999)``."""
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in hp.items())


def table(race: Race) -> pd.DataFrame:
    """The final metrics of every run (:func:`summary`), its outcome and its settings."""
    rows = []
    for run in race.runs:
        row = summary(run)
        rows.append(
            {"optimizer": LABELS[run.name], "outcome": row.pop("outcome")}
            | row
            | {"settings": hp_text(run.hyperparams)}
        )
    return pd.DataFrame(rows)


def train_scene(cfg: Config, view: View) -> Scene:
    """The page's heavy work, done in a worker: load the data, train every optimizer
    (reporting progress per epoch to ``scenes.jobs``), compute the decision-boundary grids
    and draw the figure. ``ValueError`` for data that cannot be trained on."""
    train_set, test_set = load(cfg.data)
    problem = check_data(train_set)
    if problem:
        raise ValueError(problem)
    net = build_network(cfg)
    result = race(
        train_set,
        test_set,
        net,
        [(name, dict(hp)) for name, hp in cfg.runs],
        cfg.epochs,
        cfg.batch,
        cfg.data.seed,
        progress=lambda f: jobs.report(0.9 * f),
        resolution=grid_resolution(net),
    )
    fig = figures_mlp.training_figure(
        result.runs,
        result.xs,
        result.ys,
        train_set,
        test_set,
        train_set.n_classes,
        frame_ms=view.frame_ms,
        present=view.present,
    )
    return Scene(result, repr(net), table(result), prebuilt.to_spec(fig))


def boundaries_gif(cfg: Config, result: Race) -> bytes:
    """The decision boundaries of a finished scene as an animated GIF at slide size
    (``figures.gif``): plain optimizer names, and each panel's accuracy at the shown epoch
    (test accuracy when there is a test set), never the final one before its time.
    Classification only."""
    if cfg.n_classes == 0:
        raise ValueError("the GIF shows decision boundaries: classification only")
    train_set, test_set = load(cfg.data)
    test = test_set is not None
    return gif.boundaries_gif(
        [(LABELS[r.name], r.epochs, r.grids) for r in result.runs],
        result.xs,
        result.ys,
        train_set,
        test_set,
        cfg.n_classes,
        accuracy=[
            r.history.test_accuracy if test else r.history.train_accuracy for r in result.runs
        ],
        accuracy_label="test" if test else "train",
    )


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


def landscape_scene(cfg: Config, result: Race, kind: str, view: View) -> tuple[str, str]:
    """The loss landscape of a finished scene, for a worker: the figure's JSON
    (``figures.landscape``) and its caption. ``kind``: ``"pca"`` or ``"random"``."""
    train_set, _ = load(cfg.data)
    ls = landscape(result, build_network(cfg), train_set, kind=kind, seed=cfg.data.seed)
    fig = landscape_figure(ls, frame_ms=view.frame_ms, present=view.present)
    return prebuilt.to_spec(fig), landscape_caption(ls)
