"""The home page's content: a picture of every page, and a 50-minute lesson path of prepared
scenes (links with their settings in the URL, so a lecturer can click through them in class).

Pure (no streamlit). ``thumbnails`` is worker-pool work: it runs small default scenes and draws
the last frame of each with ``figures.gif`` (Pillow), about a second in all, once per server.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

import optim_core
import surfaces
from figures import gif, raster
from figures.palette import CLASS_COLORS, optimizer_color
from mlp import MLP, make, standardize, train
from mlp.train import probability_grid
from scenes import race as race_scene
from scenes import sweep


@dataclass(frozen=True)
class Step:
    """One stop of the lesson: minutes, what to show, what to say, and the link."""

    minutes: int
    title: str
    watch: str
    page: str  # a page key of appkit.navigation.PAGES
    query: dict


LESSON = (
    Step(
        5,
        "Gradient descent zigzags down a long valley",
        "SGD bounces between the steep walls and crawls along the floor; momentum builds up "
        "speed along the floor. Cost functions are landscapes, and the step follows the slope.",
        "race",
        race_scene.preset_query("long_valley"),
    ),
    Step(
        7,
        "Momentum and adaptive steps on Beale's function",
        "Momentum and NAG overshoot and swing back; Adagrad, RMSProp and Adam rescale each "
        "coordinate and take a different road to the same minimum.",
        "race",
        race_scene.preset_query("beale"),
    ),
    Step(
        8,
        "The learning rate: too slow, good, oscillating, diverging",
        "One optimizer, many learning rates from one start; the runs blow up past 2/L, where L "
        "is the largest curvature. Check the measured edge against theory.",
        "lr_lab",
        {"lr.surface": "quadratic", "lr.optimizer": "sgd"},
    ),
    Step(
        7,
        "Local and global minima: basins of attraction",
        "Every pixel is a start coloured by where it ends: SGD falls into the shallow well "
        "downhill of its start, momentum and Adam roll over the rim into the deep one.",
        "minima_lab",
        {"basin.surface": "wells", "basin.optimizers": "sgd,momentum,adam"},
    ),
    Step(
        6,
        "Batch, mini-batch and stochastic gradients",
        "The loss of a line fitted to 40 points, over its weight and bias; the same SGD with "
        "all points, 8 or one per step. Watch the fitted lines on the right.",
        "race",
        race_scene.preset_query("batches"),
    ),
    Step(
        7,
        "Second order: Newton is drawn to the saddle, curvature pays off",
        "Newton jumps to where the quadratic model is flat, which near a saddle is the saddle; "
        "saddle-free Newton leaves it. Then switch to the preset 'Curvature pays off': BFGS "
        "reaches Rosenbrock's minimum in a few dozen gradients.",
        "race",
        race_scene.preset_query("newton_saddle"),
    ),
    Step(
        10,
        "Training a network: the same optimizers on an MLP",
        "A small network on the moons data from the same initial weights and batches: the "
        "decision boundaries learn at different speeds. Cross-entropy vs MSE, activations.",
        "mlp_playground",
        {"mlp.data": "moons", "mlp.optimizers": "sgd,momentum,adam"},
    ),
)


def _race_still() -> bytes:
    cfg = race_scene.config({k: p.default for k, p in race_scene.spec("beale").items()})
    surface = surfaces.get("beale")
    animation = gif.race_animation(
        surface, race_scene.run_race(cfg), cfg.start, size=gif.THUMBNAIL, title="Optimizer race"
    )
    return gif.still_png(animation)


def _sweep_still() -> bytes:
    surface = surfaces.quadratic(10.0, largest=10.0)
    lrs = np.array([0.01, 0.05, 0.1, 0.15, 0.19, 0.21, 0.3])
    result = sweep.sweep("sgd", {}, surface, surface.start, lrs, 120)
    animation = gif.sweep_animation(
        surface,
        surface.start,
        lrs,
        result.path,
        result.stop_step,
        result.status,
        size=gif.THUMBNAIL,
        title="Learning-rate lab",
    )
    return gif.still_png(animation)


def _minima_still() -> bytes:
    surface = surfaces.get("wells")
    starts = np.random.default_rng(0).uniform(-3, 3, size=(40, 2))
    paths = {
        name: optim_core.run(optim_core.make(name, lr=lr), surface, starts, 200).path
        for name, lr in (("sgd", 0.1), ("momentum", 0.1), ("adam", 0.3))
    }
    animation = gif.multistart_animation(surface, paths, size=gif.THUMBNAIL, title="Minima lab")
    return gif.still_png(animation)


def _mlp_still() -> bytes:
    data = standardize(make("moons", 200, noise=0.2, seed=0))
    net = MLP((2, 16, 16, 1), "tanh", seed=0)
    history = train(net, optim_core.make("adam", lr=0.01), data.X, data.y, 80, 32, seed=0)
    xs, ys, grid = probability_grid(net, history.theta, (-2.5, 2.5), (-2.5, 2.5), 60)
    animation = gif.boundaries_animation(
        [("Adam", [80], [grid])], xs, ys, data, None, 2, size=gif.THUMBNAIL, title="MLP playground"
    )
    return gif.still_png(animation)


def _blocks_still(size=gif.THUMBNAIL) -> bytes:
    """The activation functions sigmoid, tanh and ReLU on one pair of axes."""
    image = Image.new("RGB", size, raster.WHITE)
    draw = ImageDraw.Draw(image)
    width, height = size
    raster.put_text(image, (12, 10), "Building blocks", raster.font(22))
    left, top, right, bottom = 30, 60, width - 20, height - 30

    def pixel(x, y):  # x in [-4, 4], y in [-1.2, 1.2]
        return (left + (x + 4) / 8 * (right - left), bottom - (y + 1.2) / 2.4 * (bottom - top))

    draw.line([pixel(-4, 0), pixel(4, 0)], fill=raster.MUTED, width=1)
    draw.line([pixel(0, -1.2), pixel(0, 1.2)], fill=raster.MUTED, width=1)
    x = np.linspace(-4, 4, 200)
    curves = [
        (1 / (1 + np.exp(-x)), CLASS_COLORS[0], "sigmoid"),
        (np.tanh(x), CLASS_COLORS[1], "tanh"),
        (np.clip(x, 0, 1.2), optimizer_color("adagrad"), "ReLU"),
    ]
    for row, (y, colour, name) in enumerate(curves):
        draw.line(
            [pixel(a, b) for a, b in zip(x, y, strict=True)], fill=raster.rgb(colour), width=4
        )
        raster.put_text(
            image, (left + 8, top + 6 + 26 * row), name, raster.font(18), raster.rgb(colour)
        )
    return raster.png_bytes(image)


THUMBNAILS = {
    "race": _race_still,
    "lr_lab": _sweep_still,
    "minima_lab": _minima_still,
    "mlp_playground": _mlp_still,
    "building_blocks": _blocks_still,
}


def thumbnails() -> dict[str, bytes]:
    """PNG bytes of a small picture of every page, by page key (a worker job)."""
    return {key: draw() for key, draw in THUMBNAILS.items()}
