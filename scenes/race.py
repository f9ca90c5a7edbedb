"""The optimizer race as pure data: settings, per-surface defaults, presets, runs and summaries.

Pure (no streamlit): ``pages/race.py`` wires widgets to these functions. Every setting has a
URL key starting with ``race.`` (see ``spec``), so a scene can be bookmarked; a surface typed as
a formula lives in the URL too (``race.formula``, ``race.domain``).

A race runs every selected optimizer with ``optim_core.run`` from the same start, with the
same number of steps, gradient-norm tolerance, learning-rate schedule and (seeded, identical)
gradient noise. Only the hyperparameters differ, and those default to per-surface values
chosen so each optimizer shows its character on that surface (see ``LEARNING_RATES``). The
second-order and quasi-Newton methods evaluate the surface exactly (no noise, no schedule) and
report what each step cost in function, gradient and Hessian evaluations.

:func:`build_scene` is what a worker process computes for the page: the race, the words for
how each run ended (with a reason for divergence), and the animated figure.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import optim_core
import surfaces
from figures import prebuilt, race3d
from figures import race as figures_race
from optim_core import schedules
from scenes import budget, divergence, optimizer_settings, params
from surfaces import formula

PREFIX = "race."
MAX_STEPS = 5000
DEFAULT_SURFACE = "beale"
FORMULA = "formula"  # the surface choice "type your own"
DEFAULT_FORMULA = "(1 - x)^2 + 100*(y - x^2)^2"
DEFAULT_DOMAIN = "-2, 2, -1, 3"  # x0, x1, y0, y1 of a typed formula
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adam")
CLASSIC_OPTIMIZERS = ("sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam")
ALL_OPTIMIZERS = optimizer_settings.ALL
SCHEDULES = ("constant", "step", "exponential", "cosine")
SPEEDS = {"slow": 120, "normal": 50, "fast": 15}  # milliseconds per animation frame
X_AXES = {"steps": "steps", "evals": "gradient evaluations"}
SURFACE_KEYS = (f"{PREFIX}surface", f"{PREFIX}formula", f"{PREFIX}domain")
DATA_SURFACES = tuple(n for n, s in surfaces.SURFACES.items() if s.data is not None)

# Per-surface learning rates (sgd, momentum, nag, adagrad, rmsprop, adam, adamw, adadelta) and
# default step count. Chosen by running every optimizer on a grid of learning rates and looking
# at the paths: each is safely below its divergence threshold (found on the same grid) and
# large enough to move visibly; momentum methods get a smaller rate than SGD because their
# effective step is about lr / (1 - mu) = 10 lr; Adagrad gets a larger one because its step
# shrinks like 1 / sqrt(t); Adadelta's lr multiplies a step that starts near sqrt(eps).
_LR_ORDER = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adam", "adamw", "adadelta")
_TABLE = {
    "long_valley": ((0.17, 0.05, 0.05, 0.5, 0.05, 0.1, 0.1, 5.0), 300),
    "beale": ((0.01, 0.002, 0.002, 0.5, 0.01, 0.1, 0.1, 5.0), 500),
    "saddle": ((0.01, 0.002, 0.002, 0.1, 0.01, 0.02, 0.02, 1.0), 400),
    "rosenbrock": ((0.002, 0.001, 0.001, 0.5, 0.01, 0.05, 0.05, 5.0), 1000),
    "himmelblau": ((0.01, 0.002, 0.002, 0.5, 0.05, 0.1, 0.1, 10.0), 300),
    "wells": ((0.5, 0.1, 0.1, 0.5, 0.05, 0.1, 0.1, 10.0), 300),
    "quadratic": ((0.1, 0.02, 0.02, 0.5, 0.05, 0.1, 0.1, 10.0), 300),
    "rastrigin": ((0.002, 0.002, 0.002, 1.0, 0.1, 0.1, 0.1, 10.0), 300),
    "ackley": ((0.1, 0.02, 0.02, 1.0, 0.05, 0.1, 0.1, 20.0), 500),
    "six_hump_camel": ((0.02, 0.005, 0.005, 0.5, 0.05, 0.05, 0.05, 10.0), 300),
    "three_hump_camel": ((0.05, 0.01, 0.01, 0.5, 0.05, 0.05, 0.05, 10.0), 300),
    "styblinski_tang": ((0.02, 0.005, 0.005, 1.0, 0.1, 0.2, 0.2, 20.0), 300),
    "goldstein_price": ((1e-5, 2e-6, 2e-6, 0.2, 0.02, 0.05, 0.05, 10.0), 500),
    "booth": ((0.05, 0.01, 0.01, 2.0, 0.2, 0.5, 0.5, 20.0), 300),
    "linear_regression": ((0.1, 0.02, 0.02, 0.5, 0.05, 0.1, 0.1, 5.0), 300),
    # The same rates on both logistic losses, so a race on each shows the difference: from the
    # plateau start, SGD, momentum and Adam reach the cross-entropy minimum and stall on MSE.
    "logistic_ce": ((1.0, 0.2, 0.2, 1.0, 0.1, 0.2, 0.2, 10.0), 300),
    "logistic_mse": ((1.0, 0.2, 0.2, 1.0, 0.1, 0.2, 0.2, 10.0), 300),
}
LEARNING_RATES = {s: dict(zip(_LR_ORDER, lrs, strict=True)) for s, (lrs, _) in _TABLE.items()}
DEFAULT_STEPS = {s: steps for s, (_, steps) in _TABLE.items()}


def learning_rates(surface) -> dict[str, float]:
    """Per-optimizer learning rates for ``surface``: the tuned table for built-in surfaces,
    else a rule of thumb from the curvature at the start (typed formulas).

    Gradient descent is stable below 2/L with L the largest Hessian eigenvalue, so SGD takes
    0.4/L and the momentum methods a fifth of that (their steps grow to about lr / (1 - μ));
    adaptive methods move about lr per step, so they take 1% of the domain's diagonal.
    """
    if surface.name in LEARNING_RATES:
        return dict(LEARNING_RATES[surface.name])
    (x0, x1), (y0, y1) = surface.domain
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    with np.errstate(all="ignore"):
        h = np.concatenate(
            [surface.hessian(np.asarray(p, dtype=float)).ravel() for p in (surface.start,)]
        )
    curvature = (
        float(np.max(np.abs(np.linalg.eigvalsh(h.reshape(2, 2)))))
        if np.all(np.isfinite(h))
        else 0.0
    )
    sgd = _nice(0.4 / curvature) if curvature > 1e-12 else _nice(0.01 * diagonal)
    adaptive = _nice(0.01 * diagonal)
    return {
        "sgd": sgd,
        "momentum": _nice(sgd / 5),
        "nag": _nice(sgd / 5),
        "adagrad": _nice(5 * adaptive),
        "rmsprop": adaptive,
        "adam": adaptive,
        "adamw": adaptive,
        "adadelta": 5.0,
    }


def _nice(value: float) -> float:
    """``value`` rounded down to one significant digit, inside the learning-rate bounds."""
    lo, hi = optimizer_settings.BOUNDS["lr"][:2]
    value = float(np.clip(value, lo, hi))
    power = 10.0 ** np.floor(np.log10(value))
    return float(f"{np.floor(value / power) * power:.1g}")


def default_steps(surface) -> int:
    return DEFAULT_STEPS.get(surface.name, 300)


@dataclass(frozen=True)
class Preset:
    """A classic scene: surface, optimizers, learning rates and other hyperparameters (the
    rest at their defaults), start and steps, and the curves' time axis. ``caption`` is shown
    on the page so the settings are documented where used."""

    title: str
    surface: str
    optimizers: tuple[str, ...]
    learning_rates: dict
    start: tuple[float, float]
    steps: int
    caption: str
    hyperparams: dict = field(default_factory=dict)  # "name.hp" -> value (as in the URL)
    x_axis: str = "steps"
    batch: str = "full"  # a BATCH_MODES key, for surfaces defined by data
    batch_size: int = 8


PRESETS = {
    "long_valley": Preset(
        "Long valley",
        "long_valley",
        CLASSIC_OPTIMIZERS,
        {**LEARNING_RATES["long_valley"], "sgd": 0.15},
        (-3.5, 0.8),
        300,
        "Long valley, start (-3.5, 0.8), 300 steps. SGD lr 0.15 zigzags across the steep walls "
        "and crawls along the floor; Momentum and NAG (lr 0.05, μ 0.9) build up speed, NAG "
        "with less overshoot; Adagrad 0.5, RMSProp 0.05, Adam 0.1 rescale each coordinate and "
        "head straight down the valley; Adadelta (lr 5) starts slowly and accelerates.",
    ),
    "beale": Preset(
        "Beale's function",
        "beale",
        CLASSIC_OPTIMIZERS,
        dict(LEARNING_RATES["beale"]),
        (1.0, 1.5),
        500,
        "Beale's function, start (1, 1.5), 500 steps. SGD (lr 0.01), Adagrad (0.5), RMSProp "
        "(0.01) and Adadelta (5) follow the curved valley floor towards the minimum (3, 0.5); "
        "Momentum and NAG (lr 0.002, μ 0.9) overshoot far across it and swing back; Adam "
        "(0.1) loops wide first and still arrives closest.",
    ),
    "saddle": Preset(
        "Saddle point",
        "saddle",
        CLASSIC_OPTIMIZERS,
        dict(LEARNING_RATES["saddle"]),
        (1.0, 0.001),
        400,
        "Saddle x² − y² + y⁴/2, start (1, 0.001) just off the ridge, 400 steps. SGD (lr 0.01), "
        "Momentum and NAG (lr 0.002, μ 0.9) slide down into the saddle and wait there while "
        "the tiny y offset grows (SGD for about 300 steps); Adagrad 0.1, Adadelta 1, RMSProp "
        "0.01 and Adam 0.02 divide each coordinate's gradient by its own size, so the tiny y "
        "gradient gets a full-sized step and they leave the saddle at once.",
    ),
    "newton_saddle": Preset(
        "Newton is drawn to the saddle",
        "saddle",
        ("newton", "saddle_free_newton", "sgd", "adam"),
        {"sgd": 0.05, "adam": 0.05},
        (0.9, 0.3),
        150,
        "Saddle x² − y² + y⁴/2, start (0.9, 0.3), 150 steps. Watch Newton: it jumps to where "
        "the local quadratic model is flat, and near a saddle that is the saddle itself, so it "
        "lands on (0, 0) within three steps and stays (a gradient of zero looks like success). "
        "Saddle-free Newton uses |H|: along y, where the surface curves down, it steps "
        "downhill and reaches a true minimum (0, ±1) in a few steps. SGD and Adam (lr 0.05) "
        "only see the slope, so they slide away from the ridge as well, more slowly.",
    ),
    "curvature_pays": Preset(
        "Curvature pays off",
        "rosenbrock",
        ("sgd", "momentum", "adam", "bfgs", "lbfgs"),
        {"sgd": 0.002, "momentum": 0.001, "adam": 0.05},
        (-1.2, 1.0),
        1000,
        "Rosenbrock's banana from (-1.2, 1), 1,000 steps, drawn against gradient evaluations "
        "so that every method pays for what it computes. Gradient descent (SGD, lr 0.002) "
        "crawls along the curved valley; Momentum (lr 0.001) and Adam (lr 0.05) get there "
        "after hundreds of gradients. BFGS and L-BFGS (strong-Wolfe line search) learn the "
        "curvature from how the gradient changes and reach (1, 1) in about 50 evaluations, "
        "even though each of their steps may evaluate the function several times.",
        hyperparams={"lbfgs.line_search_fn": "strong_wolfe"},
        x_axis="evals",
    ),
    "batches": Preset(
        "Batch, mini-batch, stochastic",
        "linear_regression",
        ("sgd",),
        {"sgd": 0.1},
        (-1.0, 4.0),
        300,
        "The mean squared error of a line w x + b over (w, b), for 40 points. The same SGD "
        "(lr 0.1) three times, each step's gradient taken from all 40 points (batch), from 8 "
        "of them (mini-batch) or from one (stochastic), reshuffled every epoch and the same "
        "for all. The batch path slides smoothly down the valley; mini-batches wobble around "
        "it; a single point pulls in a new direction every step, so the stochastic path "
        "jitters and never quite settles. Watch the fitted lines on the right.",
        batch="compare",
    ),
}


def spec(surface) -> dict[str, params.Param]:
    """Every setting of the page for ``surface`` (a ``SurfaceInfo``, or a built-in surface's
    name): its start bounds and default learning rates depend on it."""
    s = info((surface,)) if isinstance(surface, str) else surface
    (x0, x1), (y0, y1) = s.domain
    out = {
        f"{PREFIX}surface": params.choice(DEFAULT_SURFACE, [*surfaces.SURFACES, FORMULA]),
        f"{PREFIX}formula": params.Param(DEFAULT_FORMULA, _formula_text, FORMULA_ALLOWED),
        f"{PREFIX}domain": params.Param(
            DEFAULT_DOMAIN, _domain_text, "x0, x1, y0, y1 with x0 < x1 and y0 < y1"
        ),
        f"{PREFIX}optimizers": params.choices(
            DEFAULT_OPTIMIZERS, list(ALL_OPTIMIZERS), min_count=1
        ),
        f"{PREFIX}x": params.number(float(s.start[0]), x0, x1),
        f"{PREFIX}y": params.number(float(s.start[1]), y0, y1),
        f"{PREFIX}steps": params.integer(s.steps, 1, MAX_STEPS),
        f"{PREFIX}tol": params.number(1e-4, 1e-12, 1.0),
        f"{PREFIX}noise": params.number(0.0, 0.0, 1000.0),
        f"{PREFIX}seed": params.integer(0, 0, 2**31 - 1),
        f"{PREFIX}schedule": params.choice("constant", SCHEDULES),
        f"{PREFIX}step_size": params.integer(100, 1, MAX_STEPS),
        f"{PREFIX}gamma": params.number(0.5, 0.01, 1.0),
        f"{PREFIX}exp_gamma": params.number(0.995, 0.9, 1.0),
        f"{PREFIX}speed": params.choice("normal", list(SPEEDS)),
        f"{PREFIX}view3d": params.flag(False),
        f"{PREFIX}xaxis": params.choice("steps", list(X_AXES)),
        f"{PREFIX}batch": params.choice("full", list(BATCH_MODES)),
        f"{PREFIX}batch_size": params.integer(8, 1, 1000),
    }
    for name in ALL_OPTIMIZERS:
        lr = {"lr": s.rates[name]} if name in s.rates else None
        out.update(optimizer_settings.spec(name, PREFIX, lr))
    return out


FORMULA_ALLOWED = (
    "a formula in x and y of at most 300 characters (numbers, + - * / ^, parentheses, sin, "
    "cos, tan, exp, log, sqrt, abs, tanh, ...)"
)


def _formula_text(text: str) -> str:
    """A typed formula as URL text: checked (cheaply, without building it) by the parser."""
    formula.parse(text)
    return text


def parse_domain(text: str):
    """``"x0, x1, y0, y1"`` -> ((x0, x1), (y0, y1)), checked by ``surfaces.formula`` (raises
    ValueError saying what is wrong)."""
    if len(text) > 200:
        raise ValueError("the domain is four numbers: x0, x1, y0, y1")
    try:
        parts = [float(t) for t in text.replace(";", ",").split(",")]
    except ValueError:
        raise ValueError(f"the domain is four numbers x0, x1, y0, y1, got {text!r}") from None
    if len(parts) != 4:
        raise ValueError(f"the domain is four numbers x0, x1, y0, y1, got {len(parts)}")
    return formula.check_domain(((parts[0], parts[1]), (parts[2], parts[3])))


def _domain_text(text: str) -> str:
    parse_domain(text)
    return text


def surface_ref(values: dict) -> tuple:
    """A hashable, picklable reference to the surface the settings ask for (what a worker
    rebuilds it from): ``(name,)``, or ``("formula", text, domain)``. Raises ValueError for a
    malformed formula or domain, naming the problem."""
    name = values[f"{PREFIX}surface"]
    if name != FORMULA:
        return (name,)
    text = values[f"{PREFIX}formula"]
    formula.parse(text)
    return (FORMULA, text, parse_domain(values[f"{PREFIX}domain"]))


@dataclass(frozen=True)
class SurfaceInfo:
    """What the page needs to know about a surface to lay out its settings, without building
    it (a typed formula is built in a worker): title, domain, default start, learning rates
    and step count, and its minima (for the caption)."""

    ref: tuple
    name: str
    title: str
    description: str
    domain: tuple
    start: tuple
    rates: dict
    steps: int
    near_radius: float


def info(ref: tuple) -> SurfaceInfo:
    """The ``SurfaceInfo`` of a ``surface_ref`` (cheap for built-in surfaces; a typed formula
    is compiled, which a worker does)."""
    s = resolve(ref)
    return SurfaceInfo(
        ref,
        s.name,
        s.title,
        s.description,
        tuple(tuple(float(v) for v in side) for side in s.domain),
        (float(s.start[0]), float(s.start[1])),
        learning_rates(s),
        default_steps(s),
        float(s.near_radius),
    )


def resolve(ref: tuple):
    """The Surface of a ``surface_ref``."""
    if ref[0] == FORMULA:
        return surfaces.from_formula(ref[1], ref[2])
    return surfaces.get(ref[0])


def optimizer_keys(spec_: dict, names) -> list[str]:
    """The keys of ``spec_`` holding the hyperparameters of the optimizers ``names``."""
    return [k for k in spec_ if any(k.startswith(f"{PREFIX}{n}.") for n in names)]


def surface_reset(surface) -> dict:
    """Values to apply when the user picks another surface: its start, step count and every
    optimizer's hyperparameters at their per-surface defaults."""
    full = spec(surface)
    keys = [f"{PREFIX}x", f"{PREFIX}y", f"{PREFIX}steps"]
    keys += optimizer_keys(full, ALL_OPTIMIZERS)
    return {k: full[k].default for k in keys}


def preset_values(key: str) -> dict:
    """Every setting a preset fixes; others (speed, 3D view) are left as the user has them."""
    preset = PRESETS[key]
    full = spec(preset.surface)
    values = {k: full[k].default for k in optimizer_keys(full, ALL_OPTIMIZERS)}
    values.update({f"{PREFIX}{n}.lr": lr for n, lr in preset.learning_rates.items()})
    values.update({f"{PREFIX}{k}": v for k, v in preset.hyperparams.items()})
    defaults = {k: full[k].default for k in full}
    values.update(
        {
            f"{PREFIX}surface": preset.surface,
            f"{PREFIX}optimizers": list(preset.optimizers),
            f"{PREFIX}x": preset.start[0],
            f"{PREFIX}y": preset.start[1],
            f"{PREFIX}steps": preset.steps,
            f"{PREFIX}tol": defaults[f"{PREFIX}tol"],
            f"{PREFIX}noise": 0.0,
            f"{PREFIX}schedule": "constant",
            f"{PREFIX}xaxis": preset.x_axis,
            f"{PREFIX}batch": preset.batch,
            f"{PREFIX}batch_size": preset.batch_size,
        }
    )
    return values


def preset_query(key: str) -> dict[str, str]:
    """A preset as URL query values: the settings it fixes that differ from the defaults of
    its surface (a short link for slides and the home page)."""
    values = preset_values(key)
    full = spec(PRESETS[key].surface)
    changed = {k: v for k, v in values.items() if v != full[k].default or k == f"{PREFIX}surface"}
    return params.encode(changed, {k: full[k] for k in changed})


def active_preset(values: dict) -> str | None:
    """The key of the preset whose settings ``values`` still hold (optimizers in any order)."""
    for key in PRESETS:
        wanted = preset_values(key)
        same = all(
            set(values.get(k) or ()) == set(v) if k == f"{PREFIX}optimizers" else values.get(k) == v
            for k, v in wanted.items()
        )
        if same:
            return key
    return None


def round_click(value: float, span: float) -> float:
    """A clicked coordinate rounded to a tidy grid of about a hundredth of the domain's span
    (steps of 1, 2 or 5 times a power of ten), so a click gives 1.95, not 1.9615."""
    raw = span / 100
    power = 10 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    decimals = max(0, -int(np.floor(np.log10(step))))
    return round(round(value / step) * step, decimals)


# ----------------------------------------------------------------------------------------------
# Running the race.


@dataclass(frozen=True)
class RaceConfig:
    """Everything a race depends on, as plain hashable values (names, floats, tuples), so it
    keys caches and travels to worker processes. ``surface`` is a ``surface_ref``; ``runs`` is
    ``((name, ((hp, value), ...)), ...)``."""

    surface: tuple
    runs: tuple
    start: tuple[float, float]
    steps: int
    tol: float
    noise: float
    seed: int
    schedule: tuple  # ("constant",) | ("step", step_size, gamma) | ("exponential", gamma) | ("cosine", T_max)
    batches: tuple = (None,)  # gradient from: None = all the data, k = mini-batches of k rows


def entries(cfg: RaceConfig) -> list[tuple[str, str, tuple, int | None]]:
    """The runs of a race as (key, optimizer name, hyperparameters, batch size): one per
    optimizer, or, when several batch sizes are compared, the first optimizer once per size
    (keys like "sgd@8")."""
    if len(cfg.batches) == 1:
        return [(name, name, hp, cfg.batches[0]) for name, hp in cfg.runs]
    name, hp = cfg.runs[0]
    return [(f"{name}@{b or 'all'}", name, hp, b) for b in cfg.batches]


def entry_label(key: str) -> str:
    """ "SGD", or for a batch comparison "SGD, batch", "SGD, mini-batches of 8", "SGD,
    stochastic (1 point)"."""
    name, _, batch = key.partition("@")
    label = optimizer_settings.LABELS[name]
    if not batch:
        return label
    if batch == "all":
        return f"{label}, batch (all data)"
    if batch == "1":
        return f"{label}, stochastic (1 point)"
    return f"{label}, mini-batches of {batch}"


def config(values: dict) -> RaceConfig:
    """The race described by the page settings ``values`` (keyed as in ``spec``)."""
    p = PREFIX
    runs = tuple(
        (name, tuple(sorted(_plain(optimizer_settings.hyperparams(name, values, p)).items())))
        for name in values[f"{p}optimizers"]
    )
    kind = values[f"{p}schedule"]
    steps = int(values[f"{p}steps"])
    schedule = {
        "constant": ("constant",),
        "step": ("step", int(values[f"{p}step_size"]), float(values[f"{p}gamma"])),
        "exponential": ("exponential", float(values[f"{p}exp_gamma"])),
        "cosine": ("cosine", steps),
    }[kind]
    return RaceConfig(
        surface=surface_ref(values),
        runs=runs,
        start=(float(values[f"{p}x"]), float(values[f"{p}y"])),
        steps=steps,
        tol=float(values[f"{p}tol"]),
        noise=float(values[f"{p}noise"]),
        seed=int(values[f"{p}seed"]),
        schedule=schedule,
        batches=batches(values),
    )


BATCH_MODES = {
    "full": "all the data (batch)",
    "mini": "mini-batches",
    "stochastic": "one point (stochastic)",
    "compare": "compare all three",
}


def batches(values: dict) -> tuple:
    """The batch sizes the settings ask for: ``(None,)`` (exact gradients) unless the surface is
    defined by data and a mini-batch mode is chosen; "compare" races batch, mini-batch and
    stochastic gradients of one optimizer."""
    p = PREFIX
    if values[f"{p}surface"] not in DATA_SURFACES:
        return (None,)
    mode, k = values[f"{p}batch"], int(values[f"{p}batch_size"])
    return {"full": (None,), "mini": (k,), "stochastic": (1,), "compare": (None, k, 1)}[mode]


def _plain(hp: dict) -> dict:
    """Hyperparameters as plain Python floats, bools and tuples (hashable, picklable)."""
    out = {}
    for k, v in hp.items():
        if isinstance(v, tuple):
            out[k] = tuple(float(x) for x in v)
        elif isinstance(v, bool | np.bool_):
            out[k] = bool(v)
        elif v is None or isinstance(v, str):
            out[k] = v
        elif isinstance(v, int | np.integer):
            out[k] = int(v)
        else:
            out[k] = float(v)
    return out


def make_schedule(schedule: tuple):
    """The ``optim_core.schedules`` object for a ``RaceConfig.schedule`` tuple."""
    kind, *args = schedule
    return {
        "constant": schedules.Constant,
        "step": schedules.Step,
        "exponential": schedules.Exponential,
        "cosine": schedules.Cosine,
    }[kind](*args)


def run_race(cfg: RaceConfig) -> dict[str, optim_core.RunResult]:
    """Run every optimizer of ``cfg`` (in order) from the same start; name -> RunResult.

    The noise seed is shared, so with noise on every first-order optimizer sees the same noise
    sequence; the second-order and quasi-Newton methods evaluate the surface exactly and take
    no schedule. A method that cannot run on this surface (Levenberg-Marquardt needs a sum of
    squares, Newton a Hessian) is left out; ``cannot_run`` says why. Divergence is a result.
    """
    return _race(cfg)[0]


def cannot_run(cfg: RaceConfig) -> dict[str, str]:
    """Optimizer name -> why it was left out of the race (empty when all ran)."""
    return _race(cfg)[1]


def _race(cfg: RaceConfig) -> tuple[dict, dict]:
    surface = resolve(cfg.surface)
    schedule = make_schedule(cfg.schedule)
    start = np.array(cfg.start, dtype=float)
    out, problems = {}, {}
    for key, name, hp, batch_size in entries(cfg):
        first_order = name in optim_core.OPTIMIZERS
        extra = {"schedule": schedule} if first_order else {}
        opt = optim_core.make(name, **dict(hp), **extra)
        if not first_order:
            try:
                opt.check(surface, 1)  # what the method needs from the surface
            except ValueError as err:
                problems[key] = str(err)
                continue
        out[key] = optim_core.run(
            opt,
            surface,
            start,
            cfg.steps,
            tol=cfg.tol,
            noise=cfg.noise if first_order else 0.0,
            seed=cfg.seed,
            batch_size=min(batch_size, surface.n_data) if first_order and batch_size else None,
        )
    return out, problems


# ----------------------------------------------------------------------------------------------
# Reading the result.


def classify(surface, point) -> tuple[str, float]:
    """("global" | "local" | "none", distance to that minimum) for one end point, by the
    library's rule (``surfaces.reached_minima``, as in the minima lab): within
    ``surface.near_radius`` of a listed minimum, or of an unlisted one that Newton polishing
    finds (always "local"). "none" comes with the distance to the nearest listed minimum."""
    point = np.asarray(point, dtype=float)
    m = len(surface.minima)
    index, found = surfaces.reached_minima(surface, point)
    if index < 0:
        return "none", float(surface.nearest_minimum(point)[1])
    centre = surface.minima[index].point if index < m else found[index - m]
    kind = surface.minima[index].kind if index < m else "local"
    return kind, float(np.hypot(*(point - centre)))


def outcome(result: optim_core.RunResult) -> str:
    """One phrase for how a run ended: "diverged at step k", "converged at step k" or
    "still moving after n steps"."""
    k = int(result.stop_step)
    if result.status == "diverged":
        return f"diverged at step {k}"
    if result.status == "converged":
        return f"converged at step {k}"
    return f"still moving after {k} steps"


def _number(value: float) -> str:
    """A loss or distance for the table: 4 significant digits, powers of ten for big or tiny."""
    if not np.isfinite(value):
        return "—"
    return f"{value:.4g}"


def _count(value) -> str:
    """An evaluation count: whole, or with one decimal for mini-batches (k/n of a gradient)."""
    value = float(value)
    return f"{value:.0f}" if value == round(value) else f"{value:.1f}"


def summary(
    surface,
    race: dict[str, optim_core.RunResult],
    cannot: dict | None = None,
    reasons: dict | None = None,
):
    """One row per optimizer: outcome, final loss, its gap to the global minimum value, steps to
    reach the tolerance (gradient norm < tol), what it evaluated (function values, gradients,
    Hessians), nearest minimum and the distance to it, and where it ended. Numbers are
    formatted as text (a diverged run has no final loss: "—")."""
    surface = surfaces.get(surface) if isinstance(surface, str) else surface
    f_star = surface.global_minimum.value
    kinds = {"global": "global", "local": "local", "none": "none nearby"}
    rows = []
    for key, r in race.items():
        kind, distance = classify(surface, r.final)
        diverged = r.status == "diverged"
        rows.append(
            {
                "optimizer": entry_label(key),
                "outcome": outcome(r) + (f": {reasons[key]}" if key in (reasons or {}) else ""),
                "final loss": "—" if diverged else _number(float(r.final_loss)),
                "loss − global min": "—" if diverged else _number(float(r.final_loss - f_star)),
                "steps to tolerance": str(int(r.stop_step)) if r.status == "converged" else "—",
                "function values": int(r.n_fev),
                "gradients": _count(r.n_gev),
                "Hessians": int(r.n_hev),
                "nearest minimum": "—" if diverged else kinds[kind],
                "distance to it": "—" if diverged else _number(distance),
                "last point": f"({r.final[0]:.4g}, {r.final[1]:.4g})",
            }
        )
    for key, why in (cannot or {}).items():
        rows.append({"optimizer": entry_label(key), "outcome": f"not run: {why}"})
    return pd.DataFrame(rows).fillna("—")


def paths_frame(race: dict[str, optim_core.RunResult]) -> pd.DataFrame:
    """Long table of every path: columns step, optimizer, x, y, loss. Each run ends where it
    stopped; a diverged run ends at its last point before the step that blew up (that step's
    position is not repeated)."""
    parts = []
    for name, r in race.items():
        n = int(r.stop_step) + (0 if r.status == "diverged" and r.stop_step > 0 else 1)
        parts.append(
            pd.DataFrame(
                {
                    "step": np.arange(n),
                    "optimizer": name,
                    "x": r.path[:n, 0],
                    "y": r.path[:n, 1],
                    "loss": r.loss[:n],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def paths_csv(race: dict[str, optim_core.RunResult]) -> str:
    """``paths_frame`` as CSV text with full float precision."""
    buffer = io.StringIO()
    paths_frame(race).to_csv(buffer, index=False, float_format="%.10g")
    return buffer.getvalue()


# ----------------------------------------------------------------------------------------------
# Cost: what a race takes to run and draw, before running it (scenes.budget).

# Seconds per step of one start (first-order; second-order and quasi-Newton, whose line
# searches evaluate more), and per optimizer and animation frame of the figure. Measured by
# bench/calibrate_costs.py on the 2-core reference machine.
STEP_SECONDS = {"first": 45e-6, "curvature": 150e-6}
FRAME_SECONDS = 0.9e-3
FIXED_SECONDS = 0.3


def estimate(cfg: RaceConfig, steps: int | None = None) -> float:
    """Upper bound of the seconds ``build_scene`` takes for ``cfg`` (with ``steps`` if given):
    every run taking every step."""
    steps = cfg.steps if steps is None else steps
    names = [name for name, _ in cfg.runs]
    per_step = sum(
        STEP_SECONDS["first" if n in optim_core.OPTIMIZERS else "curvature"] for n in names
    )
    frames = min(steps + 1, figures_race.MAX_FRAMES)
    return FIXED_SECONDS + steps * per_step + frames * len(names) * FRAME_SECONDS


def too_much(cfg: RaceConfig) -> str | None:
    """None when the race fits the budget, else what to reduce, with the largest step count
    that fits these optimizers."""
    if estimate(cfg) <= budget.SECONDS:
        return None
    fits = budget.largest_fitting(lambda n: estimate(cfg, n), 1, cfg.steps)
    n = len(cfg.runs)
    if fits is None:
        return f"{n} optimizers are too many for this server; pick fewer."
    return (
        f"{n} optimizers x {cfg.steps:,} steps is more than this server computes for one "
        f"visitor (about {budget.SECONDS:g} s of work). With these optimizers, at most "
        f"{fits:,} steps; or pick fewer optimizers."
    )


# ----------------------------------------------------------------------------------------------
# The scene a worker computes for the page.


@dataclass(frozen=True)
class View:
    """How the page shows a race (not what it computes): the curves' time axis, the frame
    duration, 2D map or 3D surface, presentation mode's larger type."""

    x_axis: str = "steps"
    frame_ms: int = 50
    three_d: bool = False
    present: bool = False


@dataclass
class Scene:
    """Everything the race page shows: the runs, what could not run, why runs diverged, the
    summary table and the figure's JSON (``figures.prebuilt``)."""

    race: dict
    cannot_run: dict
    reasons: dict
    summary: pd.DataFrame
    figure: str


def explain(surface, cfg: RaceConfig, race: dict) -> tuple[dict, dict, dict]:
    """For each diverged run: a short reason (for the scoreboard), a longer one (for the
    table), and where its last step went."""
    reasons, explanations, escapes = {}, {}, {}
    start = np.array(cfg.start, dtype=float)
    for key, name, hp, batch_size in entries(cfg):
        r = race.get(key)
        if r is None or r.status != "diverged":
            continue
        k = int(r.stop_step)
        hp = dict(hp)
        reasons[key] = divergence.reason(surface, name, hp, r.path[max(k - 1, 0)], k <= 1)
        explanations[key] = divergence.reason(
            surface, name, hp, r.path[max(k - 1, 0)], k <= 1, long=True
        )
        first_order = name in optim_core.OPTIMIZERS
        extra = {"schedule": make_schedule(cfg.schedule)} if first_order else {}
        escapes[key] = divergence.escape_point(
            optim_core.make(name, **hp, **extra),
            surface,
            start,
            k,
            tol=cfg.tol,
            noise=cfg.noise if first_order else 0.0,
            seed=cfg.seed,
            batch_size=min(batch_size, surface.n_data) if first_order and batch_size else None,
        )
    return reasons, explanations, escapes


def build_scene(cfg: RaceConfig, view: View) -> Scene:
    """The race page's heavy work, done in a worker process: run, explain, draw."""
    surface = resolve(cfg.surface)
    race, cannot = _race(cfg)
    reasons, explanations, escapes = explain(surface, cfg, race)
    if view.three_d:
        fig = race3d.surface_3d_figure(
            surface, race, cfg.start, frame_ms=view.frame_ms, present=view.present
        )
    else:
        fig = figures_race.race_figure(
            surface,
            race,
            cfg.start,
            frame_ms=view.frame_ms,
            x_axis=view.x_axis,
            reasons=reasons,
            escapes=escapes,
            labels={key: entry_label(key) for key in race},
            present=view.present,
        )
    table = summary(surface, race, cannot, explanations)
    return Scene(race, cannot, reasons, table, prebuilt.to_spec(fig))


def race_gif(cfg: RaceConfig, frame_ms: int) -> bytes:
    """The race as an animated GIF at slide size (``figures.gif``), for a worker."""
    from figures import gif  # figures.gif reads scenes.race's outcome words: import late

    surface = resolve(cfg.surface)
    race = run_race(cfg)
    labels = {key: entry_label(key) for key in race}
    # Browsers play GIF frames shorter than 20 ms at 100 ms: the "fast" speed (15 ms) takes 20.
    return gif.race_gif(surface, race, cfg.start, frame_ms=max(frame_ms, 20), labels=labels)
