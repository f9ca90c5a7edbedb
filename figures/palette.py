"""Every colour the figures use, in one place: one colour per optimizer on every page.

Optimizer colours come from Paul Tol's colour-blind-safe schemes (bright, vibrant, muted and
dark; personal.sron.nl/~pault) and Okabe & Ito's. They are chosen to

- differ from each other (CIE76 colour difference of at least 25 between any two, and at least
  18 between the six default race optimizers under simulated deuteranopia and protanopia);
- differ from the markers drawn among them: the white start, the gold global minimum, the orange
  local minimum and the red saddle;
- read on the light surface colour scale below (dark and saturated, so no pale yellow or white).

``tests/test_palette.py`` checks these properties. Data classes in the MLP playground keep a
palette of their own (TensorFlow Playground's orange and blue), since they are not optimizers.
"""

from __future__ import annotations

OPTIMIZER_COLORS = {
    "sgd": "#0077BB",  # blue
    "momentum": "#EE3377",  # magenta
    "nag": "#882255",  # wine
    "adagrad": "#009988",  # teal
    "rmsprop": "#33BBEE",  # cyan
    "adam": "#332288",  # indigo
    "adamw": "#999933",  # olive
    "adadelta": "#663333",  # brown
    "newton": "#000000",  # black
    "saddle_free_newton": "#228833",  # green
    "bfgs": "#AA4499",  # purple
    "lbfgs": "#CC79A7",  # pink
    "cg": "#225522",  # dark green
    "levenberg_marquardt": "#222255",  # navy
}
FALLBACK = "#555555"

# kind -> colour of the critical-point and start markers (drawn with a black edge).
MARKER_COLORS = {"start": "#ffffff", "global": "#ffd700", "local": "#ffa500", "saddle": "#ff0000"}

# The surface behind the paths: valleys near white, ridges a muted blue-grey, so that every
# optimizer colour stands out on it and low values read as "deep" without competing for hue.
SURFACE_COLORSCALE = [
    [0.0, "#fdfdf8"],
    [0.35, "#e4ecf1"],
    [0.7, "#b9c9d6"],
    [1.0, "#7a90a4"],
]

# MLP playground: class 0, 1, 2, 3 (TensorFlow Playground's orange and blue first), and the
# same colours light, for weak confidence.
CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#9467bd"]
CLASS_TINTS = ["#fbd8ad", "#a8d1ec", "#b9e2b9", "#d9cbe8"]

# Building blocks: one colour per activation function and per loss (Okabe & Ito's colour-blind-
# safe set; they are not optimizers).
ACTIVATION_COLORS = {
    "sigmoid": "#D55E00",  # vermillion
    "tanh": "#0072B2",  # blue
    "relu": "#009E73",  # bluish green
    "leaky_relu": "#CC79A7",  # reddish purple
    "elu": "#E69F00",  # orange
}
LOSS_COLORS = {"ce": "#0072B2", "mse": "#D55E00"}

# Minima lab basin maps: global minima warm, local minima cool, the other outcomes neutral.
BASIN_WARM = ["#f59f00", "#e8590c", "#c92a2a", "#ffd43b", "#a61e4d", "#fd7e14"]
BASIN_COOL = [
    "#1c7ed6",
    "#0ca678",
    "#7048e8",
    "#15aabf",
    "#ae3ec9",
    "#4263eb",
    "#66a80f",
    "#99e9f2",
]
BASIN_OTHER = {"other": "#c9a27e", "not converged": "#adb5bd", "diverged": "#111111"}


def optimizer_color(name: str) -> str:
    """The colour of optimizer ``name`` on every page."""
    return OPTIMIZER_COLORS.get(name, FALLBACK)
