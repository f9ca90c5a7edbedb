"""The optimizer race as pure data: settings, per-surface defaults, presets, runs and summaries.

Pure (no streamlit): ``pages/race.py`` wires widgets to these functions. Every setting has a
URL key starting with ``race.`` (see ``spec``), so a scene can be bookmarked.

A race runs every selected optimizer with ``optim_core.run`` from the same start, with the
same number of steps, gradient-norm tolerance, learning-rate schedule and (seeded, identical)
gradient noise. Only the hyperparameters differ, and those default to per-surface values
chosen so each optimizer shows its character on that surface (see ``LEARNING_RATES``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

import optim_core
import surfaces
from optim_core import schedules
from scenes import optimizer_settings, params

PREFIX = "race."
MAX_STEPS = 5000
DEFAULT_SURFACE = "beale"
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adam")
CLASSIC_OPTIMIZERS = ("sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam")
SCHEDULES = ("constant", "step", "exponential", "cosine")
SPEEDS = {"slow": 120, "normal": 50, "fast": 15}  # milliseconds per animation frame

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


@dataclass(frozen=True)
class Preset:
    """A classic scene: surface, optimizers, learning rates (others at PyTorch defaults), start
    and steps. ``caption`` is shown on the page so the settings are documented where used."""

    title: str
    surface: str
    optimizers: tuple[str, ...]
    learning_rates: dict
    start: tuple[float, float]
    steps: int
    caption: str


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
}


def spec(surface_name: str) -> dict[str, params.Param]:
    """Every setting of the page for ``surface_name`` (its defaults depend on the surface)."""
    s = surfaces.get(surface_name)
    (x0, x1), (y0, y1) = s.domain
    out = {
        f"{PREFIX}surface": params.choice(DEFAULT_SURFACE, list(surfaces.SURFACES)),
        f"{PREFIX}optimizers": params.choices(
            DEFAULT_OPTIMIZERS, list(optim_core.OPTIMIZERS), min_count=1
        ),
        f"{PREFIX}x": params.number(float(s.start[0]), x0, x1),
        f"{PREFIX}y": params.number(float(s.start[1]), y0, y1),
        f"{PREFIX}steps": params.integer(DEFAULT_STEPS[surface_name], 1, MAX_STEPS),
        f"{PREFIX}tol": params.number(1e-4, 1e-12, 1.0),
        f"{PREFIX}noise": params.number(0.0, 0.0, 1000.0),
        f"{PREFIX}seed": params.integer(0, 0, 2**31 - 1),
        f"{PREFIX}schedule": params.choice("constant", SCHEDULES),
        f"{PREFIX}step_size": params.integer(100, 1, MAX_STEPS),
        f"{PREFIX}gamma": params.number(0.5, 0.01, 1.0),
        f"{PREFIX}exp_gamma": params.number(0.995, 0.9, 1.0),
        f"{PREFIX}speed": params.choice("normal", list(SPEEDS)),
        f"{PREFIX}view3d": params.flag(False),
    }
    for name in optim_core.OPTIMIZERS:
        lr = {"lr": LEARNING_RATES[surface_name][name]}
        out.update(optimizer_settings.spec(name, PREFIX, lr))
    return out


def optimizer_keys(spec_: dict, names) -> list[str]:
    """The keys of ``spec_`` holding the hyperparameters of the optimizers ``names``."""
    return [k for k in spec_ if any(k.startswith(f"{PREFIX}{n}.") for n in names)]


def surface_reset(surface_name: str) -> dict:
    """Values to apply when the user picks another surface: its start, step count and every
    optimizer's hyperparameters at their per-surface defaults."""
    full = spec(surface_name)
    keys = [f"{PREFIX}x", f"{PREFIX}y", f"{PREFIX}steps"]
    keys += optimizer_keys(full, optim_core.OPTIMIZERS)
    return {k: full[k].default for k in keys}


def preset_values(key: str) -> dict:
    """Every setting a preset fixes; others (speed, 3D view) are left as the user has them."""
    preset = PRESETS[key]
    full = spec(preset.surface)
    values = {k: full[k].default for k in optimizer_keys(full, optim_core.OPTIMIZERS)}
    values.update({f"{PREFIX}{n}.lr": lr for n, lr in preset.learning_rates.items()})
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
        }
    )
    return values


# ----------------------------------------------------------------------------------------------
# Running the race.


@dataclass(frozen=True)
class RaceConfig:
    """Everything a race depends on, as plain hashable values (names, floats, tuples), so
    ``st.cache_data`` can key on it. ``runs`` is ``((name, ((hp, value), ...)), ...)``."""

    surface: str
    runs: tuple
    start: tuple[float, float]
    steps: int
    tol: float
    noise: float
    seed: int
    schedule: tuple  # ("constant",) | ("step", step_size, gamma) | ("exponential", gamma) | ("cosine", T_max)


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
        surface=values[f"{p}surface"],
        runs=runs,
        start=(float(values[f"{p}x"]), float(values[f"{p}y"])),
        steps=steps,
        tol=float(values[f"{p}tol"]),
        noise=float(values[f"{p}noise"]),
        seed=int(values[f"{p}seed"]),
        schedule=schedule,
    )


def _plain(hp: dict) -> dict:
    """Hyperparameters as plain Python floats, bools and tuples (hashable, picklable)."""
    out = {}
    for k, v in hp.items():
        if isinstance(v, tuple):
            out[k] = tuple(float(x) for x in v)
        elif isinstance(v, bool | np.bool_):
            out[k] = bool(v)
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

    The noise seed is shared, so with noise on every optimizer sees the same noise sequence.
    Raises ValueError only for hyperparameters ``optim_core`` rejects (e.g. Nesterov with
    zero momentum); divergence is a result, not an error.
    """
    surface = surfaces.get(cfg.surface)
    schedule = make_schedule(cfg.schedule)
    start = np.array(cfg.start, dtype=float)
    out = {}
    for name, hp in cfg.runs:
        opt = optim_core.make(name, **dict(hp), schedule=schedule)
        out[name] = optim_core.run(
            opt, surface, start, cfg.steps, tol=cfg.tol, noise=cfg.noise, seed=cfg.seed
        )
    return out


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


def summary(surface_name: str, race: dict[str, optim_core.RunResult]) -> pd.DataFrame:
    """One row per optimizer: outcome, final loss, its gap to the global minimum value, steps to
    reach the tolerance (gradient norm < tol), nearest minimum and the distance to it."""
    surface = surfaces.get(surface_name)
    f_star = surface.global_minimum.value
    kinds = {"global": "global", "local": "local", "none": "none nearby"}
    rows = []
    for name, r in race.items():
        kind, distance = classify(surface, r.final)
        rows.append(
            {
                "optimizer": optimizer_settings.LABELS[name],
                "outcome": outcome(r),
                "final loss": float(r.final_loss),
                "loss − global min": float(r.final_loss - f_star),
                "steps to tolerance": int(r.stop_step) if r.status == "converged" else None,
                "nearest minimum": kinds[kind],
                "distance to it": distance,
                "final x": float(r.final[0]),
                "final y": float(r.final[1]),
            }
        )
    df = pd.DataFrame(rows)
    df["steps to tolerance"] = df["steps to tolerance"].astype("Int64")
    return df


def paths_frame(race: dict[str, optim_core.RunResult]) -> pd.DataFrame:
    """Long table of every path: columns step, optimizer, x, y, loss (stopped runs end at their
    stop step instead of repeating their last position)."""
    parts = []
    for name, r in race.items():
        n = int(r.stop_step) + 1
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
