"""One palette: each optimizer has one colour on every page, from colour-blind-safe schemes,
distinct from the other optimizers and from the markers drawn among them."""

import itertools

import numpy as np
import pytest

import optim_core
import surfaces
from figures import basins as fb
from figures import mlp as fm
from figures import palette, race3d
from figures import race as fr
from figures import sweep as fs
from mlp.datasets import Dataset
from mlp.network import ACTIVATIONS
from mlp.train import History
from scenes import basins, sweep
from scenes.optimizer_settings import LABELS
from scenes.playground import Run

# The published schemes (Paul Tol, personal.sron.nl/~pault: bright, vibrant, muted, dark /
# high-contrast; Okabe & Ito 2008), copied from their sources, not from our palette.
SAFE = {
    *("#4477AA #66CCEE #228833 #CCBB44 #EE6677 #AA3377 #BBBBBB".split()),
    *("#EE7733 #0077BB #33BBEE #EE3377 #CC3311 #009988".split()),
    *("#CC6677 #332288 #DDCC77 #117733 #88CCEE #882255 #44AA99 #999933 #AA4499".split()),
    *("#222255 #225555 #225522 #666633 #663333 #555555 #004488 #DDAA33 #BB5566".split()),
    *("#000000 #E69F00 #56B4E9 #009E73 #F0E442 #0072B2 #D55E00 #CC79A7".split()),
}
# Machado, Oliveira & Fernandes (2009), severity 1, on linear RGB.
DEUTERANOPIA = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)
PROTANOPIA = np.array(
    [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]
)
DEFAULT_RACE = ["sgd", "momentum", "nag", "adagrad", "rmsprop", "adam"]


def srgb(colour: str) -> np.ndarray:
    return np.array([int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]) / 255


def linear(c):
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb: np.ndarray, simulate=None) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour, optionally as seen with a colour-vision deficiency."""
    lin = linear(rgb)
    if simulate is not None:
        lin = np.clip(simulate @ lin, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    t = (xyz @ lin) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, simulate=None) -> float:
    return float(np.linalg.norm(lab(srgb(a), simulate) - lab(srgb(b), simulate)))


def test_every_optimizer_has_a_colour_and_a_label():
    assert set(optim_core.OPTIMIZERS) <= set(palette.OPTIMIZER_COLORS)
    assert set(optim_core.OPTIMIZERS) <= set(LABELS)


def test_colours_come_from_colour_blind_safe_schemes():
    assert {c.upper() for c in palette.OPTIMIZER_COLORS.values()} <= SAFE


def test_optimizer_colours_differ_from_each_other():
    for (a, ca), (b, cb) in itertools.combinations(palette.OPTIMIZER_COLORS.items(), 2):
        assert delta_e(ca, cb) >= 25, (a, b)


@pytest.mark.parametrize("deficiency", [DEUTERANOPIA, PROTANOPIA], ids=["deutan", "protan"])
def test_default_race_colours_differ_for_colour_blind_viewers(deficiency):
    for a, b in itertools.combinations(DEFAULT_RACE, 2):
        ca, cb = palette.OPTIMIZER_COLORS[a], palette.OPTIMIZER_COLORS[b]
        assert delta_e(ca, cb, deficiency) >= 18, (a, b)


def test_optimizer_colours_differ_from_the_markers():
    for marker, colour in palette.MARKER_COLORS.items():
        for name, c in palette.OPTIMIZER_COLORS.items():
            assert delta_e(c, colour) >= 30, (name, marker)


def test_optimizer_colours_stand_out_on_the_surface():
    light_end = palette.SURFACE_COLORSCALE[0][1]
    for name, c in palette.OPTIMIZER_COLORS.items():
        assert delta_e(c, light_end) >= 35, name


# ----------------------------------------------------------------------------------------------
# The same colour on every page.

BEALE = surfaces.get("beale")


def _colours_of(fig, label: str) -> set[str]:
    out = set()
    for t in fig.data:
        if label not in (t.name or "") and label != getattr(t, "legendgroup", None):
            continue
        for colour in (getattr(t.line, "color", None), getattr(t.marker, "color", None)):
            if isinstance(colour, str):
                out.add(colour.upper())
    return out


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_each_optimizer_has_one_colour_on_every_page(name):
    colour = palette.optimizer_color(name).upper()
    run = optim_core.run(optim_core.make(name, lr=0.01), BEALE, BEALE.start, 30)
    race = {name: run}
    figures = {
        "race": fr.race_figure(BEALE, race, BEALE.start),
        "3D": race3d.surface_3d_figure(BEALE, race, BEALE.start),
    }
    table = sweep.summarize(
        [0.01, 0.02], sweep.sweep(name, {}, BEALE, BEALE.start, [0.01, 0.02], 30), BEALE
    )
    figures["learning-rate sweep"] = fs.sweep_figure({name: table})
    starts = basins.random_starts(BEALE.domain, 3, seed=0)
    paths = {name: optim_core.run(optim_core.make(name, lr=0.01), BEALE, starts, 20).path}
    figures["minima multi-start"] = fb.multistart_figure(BEALE, paths, max_frames=5)
    history = History(train_loss=[0.7, 0.5], train_accuracy=[0.5, 0.8])
    train = Dataset(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]), "toy", 2)
    grids = [np.full((3, 3), 0.5)] * 2
    xs = np.linspace(-1, 1, 3)
    figures["MLP training"] = fm.training_figure(
        [Run(name, {}, history, [0, 1], grids)], xs, xs, train, None, 2
    )
    for page, fig in figures.items():
        assert _colours_of(fig, LABELS[name]) == {colour}, page


def test_activations_have_distinct_colour_blind_safe_colours():
    assert set(palette.ACTIVATION_COLORS) == set(ACTIVATIONS)
    colours = [*palette.ACTIVATION_COLORS.values()]
    assert set(colours) <= SAFE and set(palette.LOSS_COLORS.values()) <= SAFE
    for a, b in itertools.combinations(colours, 2):
        assert delta_e(a, b) >= 25, (a, b)
    assert palette.LOSS_COLORS["ce"] != palette.LOSS_COLORS["mse"]
