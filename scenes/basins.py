r"""Basins of attraction: where does an optimizer end, started from every point of a grid?

Each start is given one *category* by where its run ended, with the library's one rule for
"reached a minimum" (``surfaces.reached_minima``: within ``surface.near_radius`` of a minimum,
listed or found by polishing the end point with Newton's method), in this order:

- a listed minimum (codes ``0 .. M-1`` follow ``surface.minima``);
- a minimum the surface does not list, found by polishing (Rastrigin and Ackley list only the
  ring nearest the global minimum): codes ``M + 3 + j`` for ``found[j]`` of the classification;
- ``OTHER`` (code ``M``): the run stopped (converged, or singular for Newton-type methods) where
  there is no minimum: a saddle, a maximum, a flat region;
- ``NOT_CONVERGED`` (code ``M + 1``): still moving after the last step, far from every minimum;
- ``DIVERGED`` (code ``M + 2``): the run blew up or left the escape box.

The three outcomes keep their codes whatever minima are found. A run that is still circling a
minimum at the last step has found that minimum's basin even if its gradient is not yet tiny.

The rest of the module is the minima lab page as pure data (no streamlit): its settings (URL
keys ``basin.*``, see ``spec``), presets, the jobs the worker pool runs (``map_job`` per
optimizer, ``maps_scene``, ``multistart_scene``, ``multistart_gif``) and the cost model that
refuses settings beyond ``scenes.budget.SECONDS`` before any work starts (``too_much``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd

import optim_core
import surfaces
from optim_core.run import CHUNK, PLAIN_CHUNK
from scenes import budget, jobs, optimizer_settings, params
from scenes import race as race_scene
from scenes.optimizer_settings import CURVATURE, FIRST_ORDER, LABELS
from surfaces import formula
from surfaces.base import fd_hessian

MAX_GRID = 300  # starts per side: 300 x 300 = 90 000 runs per optimizer
MIN_GRID = 20
MAX_STARTS = 200  # multi-start mode
OTHER, NOT_CONVERGED, DIVERGED = "other", "not converged", "diverged"

# Learning rates tuned so that the defaults teach something at first glance. On `wells`, plain
# SGD follows the gradient into whichever well is downhill of its start (half of the grid ends in
# a shallow well), while momentum and Adam carry enough speed to roll over the shallow wells'
# rims into the deep one. On Himmelblau all four minima are global: the maps show how the
# optimizers carve the plane into four basins differently.
TUNED_LR = {
    "wells": {
        "sgd": 0.1,
        "momentum": 0.1,
        "nag": 0.1,
        "adagrad": 1.0,
        "rmsprop": 0.03,
        "adam": 0.3,
        "adamw": 0.3,
        "adadelta": 1.0,
    },
    "himmelblau": {
        "sgd": 0.01,
        "momentum": 0.003,
        "nag": 0.003,
        "adagrad": 0.5,
        "rmsprop": 0.03,
        "adam": 0.1,
        "adamw": 0.1,
        "adadelta": 1.0,
    },
}
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw", "adadelta")


class Category(NamedTuple):
    """One outcome: ``label`` for legends, ``kind`` ("global", "local", "other", "not
    converged", "diverged") and the minimum's ``point`` (None for the last three)."""

    label: str
    kind: str
    point: tuple[float, float] | None


class Basins(NamedTuple):
    """Category codes of a batch of runs, ``codes`` (N,) or (n, n), and the unlisted minima
    ``found`` (D, 2) they reached (code ``M + 3 + j`` is ``found[j]``)."""

    codes: np.ndarray
    found: np.ndarray


class Ends(NamedTuple):
    """Where a batch of runs ended: ``final`` (N, 2) and ``status`` (N,) as in a RunResult."""

    final: np.ndarray
    status: np.ndarray


def categories(surface, found=()) -> list[Category]:
    """The outcomes in code order: the surface's minima; other, not converged, diverged; the
    unlisted minima ``found`` (D, 2) of a classification."""
    out = [
        Category(f"{m.kind} min {i + 1} ({m.point[0]:.2f}, {m.point[1]:.2f})", m.kind, m.point)
        for i, m in enumerate(surface.minima)
    ]
    out += [Category(name, name, None) for name in (OTHER, NOT_CONVERGED, DIVERGED)]
    return out + [
        Category(f"local min at ({x:.2f}, {y:.2f})", "local", (float(x), float(y)))
        for x, y in np.reshape(found, (-1, 2))
    ]


def diagonal(domain) -> float:
    """Length of the domain's diagonal."""
    (x0, x1), (y0, y1) = domain
    return float(np.hypot(x1 - x0, y1 - y0))


def grid_starts(domain, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An n x n grid over the domain: xs (n,), ys (n,), starts (n*n, 2) in row-major order
    (row i has y = ys[i]), so ``codes.reshape(n, n)[i, j]`` belongs to (xs[j], ys[i])."""
    if not (isinstance(n, int | np.integer) and 2 <= n <= MAX_GRID):
        raise ValueError(f"grid must be a whole number from 2 to {MAX_GRID}, got {n}")
    (x0, x1), (y0, y1) = domain
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, np.stack([X.ravel(), Y.ravel()], axis=1)


def random_starts(domain, k: int, seed: int) -> np.ndarray:
    """k starts (k, 2) drawn uniformly over the domain with a seeded generator."""
    if not (isinstance(k, int | np.integer) and 1 <= k <= MAX_STARTS):
        raise ValueError(f"number of starts must be from 1 to {MAX_STARTS}, got {k}")
    (x0, x1), (y0, y1) = domain
    rng = np.random.default_rng(seed)
    return rng.uniform((x0, y0), (x1, y1), size=(k, 2))


def classify(surface, result) -> Basins:
    """Categories of the runs of a batched ``optim_core.run`` result (or ``Ends``), see the
    module's docstring; diverged runs are not polished."""
    m = len(surface.minima)
    status = np.atleast_1d(result.status)
    final = np.atleast_2d(result.final)
    alive = status != "diverged"
    reached = surfaces.reached_minima(surface, final[alive])
    index = np.full(len(final), -1)
    index[alive] = reached.index
    stopped = (status == "converged") | (status == "singular")
    codes = np.where(index < 0, np.where(stopped, m, m + 1), np.where(index < m, index, index + 3))
    return Basins(np.where(alive, codes, m + 2), reached.found)


def combine(surface, maps) -> tuple[list[np.ndarray], np.ndarray]:
    """Several ``Basins`` (one per optimizer) on one shared list of found minima, so that a
    code, and its colour, means the same minimum on every map: (codes of each, found (D, 2))."""
    m = len(surface.minima)
    grouped = surfaces.group_minima(
        surface, np.concatenate([np.reshape(b.found, (-1, 2)) for b in maps])
    )
    out, start = [], 0
    for b in maps:
        index = grouped.index[start : start + len(b.found)]
        start += len(b.found)
        recode = np.concatenate([np.arange(m + 3), np.where(index < m, index, index + 3)])
        out.append(recode[b.codes])
    return out, grouped.found


def shares(surface, codes: np.ndarray, found=()) -> np.ndarray:
    """Fraction of runs in each category (len(categories(surface, found)),); sums to 1."""
    counts = np.bincount(np.ravel(codes), minlength=len(surface.minima) + 3 + len(found))
    return counts / max(counts.sum(), 1)


def global_share(surface, codes: np.ndarray) -> float:
    """Fraction of runs that ended at any (listed) global minimum."""
    is_global = np.array([m.kind == "global" for m in surface.minima])
    codes = np.ravel(codes)
    return float(np.isin(codes, np.flatnonzero(is_global)).mean()) if codes.size else 0.0


def basin_map(optimizer, surface, n: int, steps: int) -> Basins:
    """Categories (codes (n, n)) of every start of ``grid_starts``, from batched runs
    (``keep_path=False``); codes[i, j] is the start (xs[j], ys[i]).

    The grid runs in chunks of the size ``optim_core.run`` itself uses (runs are independent, so
    the results are the same), and each chunk reports its progress to a waiting page
    (``scenes.jobs.report``; a no-op outside the worker pool)."""
    _, _, starts = grid_starts(surface.domain, n)
    fused = surface.grad_into is not None and optimizer.name in FIRST_ORDER
    chunk = CHUNK if fused else PLAIN_CHUNK
    finals, statuses = [], []
    for a in range(0, len(starts), chunk):
        result = optim_core.run(optimizer, surface, starts[a : a + chunk], steps, keep_path=False)
        finals.append(result.final)
        statuses.append(result.status)
        jobs.report(0.95 * min(a + chunk, len(starts)) / len(starts))
    codes, found = classify(surface, Ends(np.concatenate(finals), np.concatenate(statuses)))
    return Basins(codes.reshape(n, n).astype(np.int32), found)


def suggested_lr(surface, name: str) -> float:
    """A learning rate that shows ``name``'s basins on ``surface`` without diverging.

    Tuned for the lecture surfaces (``TUNED_LR``); elsewhere a rule of thumb: SGD takes 0.5 / L
    with L the median over the minima of the largest Hessian eigenvalue (stable there, since
    plain gradient descent needs lr < 2 / L), momentum and NAG a fifth of that (their steps
    grow to about lr / (1 - μ), as in the race); RMSProp, Adam and AdamW, whose step length is
    roughly lr whatever the gradient's scale, 1% of the domain's diagonal; Adagrad five times
    that (its steps shrink like 1 / sqrt(t)) and Adadelta 5 (its lr multiplies a step that
    starts near sqrt(eps)). Clipped to the learning-rate bounds of the page.
    """
    if name in TUNED_LR.get(surface.name, {}):
        return TUNED_LR[surface.name][name]
    lo, hi, _ = optimizer_settings.BOUNDS["lr"]
    adaptive = 0.01 * diagonal(surface.domain)
    if name in ADAPTIVE:
        value = {"adagrad": 5 * adaptive, "adadelta": 5.0}.get(name, adaptive)
    else:
        with np.errstate(all="ignore"):
            curvature = np.median(
                [
                    np.linalg.eigvalsh(fd_hessian(surface.gradient, np.array(m.point))).max()
                    for m in surface.minima
                ]
            )
        value = 0.5 / curvature if np.isfinite(curvature) and curvature > 1e-12 else adaptive
        value /= 5 if name in ("momentum", "nag") else 1
    return float(f"{float(np.clip(value, lo, hi)):.1g}")


def cannot_run(surface, name: str) -> str | None:
    """Why optimizer ``name`` cannot draw basins on ``surface`` (Levenberg-Marquardt needs a
    sum of squares, Newton's methods a Hessian), or None."""
    if name in FIRST_ORDER:
        return None
    try:
        optim_core.make(name).check(surface, 1)
    except ValueError as err:
        return str(err)
    return None


# ----------------------------------------------------------------------------------------------
# The page's settings (URL keys basin.*), its surfaces and presets.

PREFIX = "basin."
P = PREFIX
FORMULA = race_scene.FORMULA  # the surface choice "type your own"
DEFAULT_SURFACE = "wells"
# Four wells of different depths: the lowest pair (near x = -1) is global, the other local.
DEFAULT_FORMULA = "(x^2 - 1)^2 + (y^2 - 1)^2 + 0.3*x"
DEFAULT_DOMAIN = "-2, 2, -2, 2"
# Lecture surfaces first: `wells` (one deep well, three shallow traps), then Himmelblau.
SURFACE_NAMES = (
    "wells",
    "himmelblau",
    *(n for n in surfaces.SURFACES if n not in ("wells", "himmelblau")),
    FORMULA,
)
SURFACE_KEYS = (f"{P}surface", f"{P}formula", f"{P}domain")
ALL_OPTIMIZERS = optimizer_settings.ALL
MAX_OPTIMIZERS = 4
MAX_STEPS = 1000
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "adam")
DEFAULT_GRID, DEFAULT_STEPS, DEFAULT_STARTS = 100, 300, 20
VIEWS = {"maps": "Basin maps (every start of a grid)", "multistart": "Random starts, animated"}
SPEEDS = {"slow": 150, "normal": 70, "fast": 30}  # milliseconds per animation frame


@dataclass(frozen=True)
class SurfaceInfo:
    """What the page needs to know about a surface without building it (a typed formula is
    built in a worker): title, domain, description and the learning rates suggested for its
    basins, the radius of "reached a minimum", the methods that cannot run on it (name -> why)
    and the unit costs of running on it (``cost``, a ``Cost``)."""

    ref: tuple
    name: str
    title: str
    description: str
    domain: tuple
    rates: dict
    near_radius: float
    cannot: dict
    cost: Cost


def surface_ref(values: dict) -> tuple:
    """The ``scenes.race.surface_ref`` of the page settings: ``(name,)``, or ``("formula", text,
    domain)``. Raises ValueError for a malformed formula or domain, naming the problem."""
    names = ("surface", "formula", "domain")
    return race_scene.surface_ref({f"{race_scene.PREFIX}{k}": values[f"{P}{k}"] for k in names})


def resolve(ref: tuple):
    """The Surface of a ``surface_ref`` (a typed formula is compiled, and cached)."""
    return race_scene.resolve(ref)


def learning_rates(surface) -> dict[str, float]:
    """``suggested_lr`` of every first-order optimizer on ``surface``."""
    return {name: suggested_lr(surface, name) for name in FIRST_ORDER}


@lru_cache(maxsize=64)
def info(ref: tuple) -> SurfaceInfo:
    """The ``SurfaceInfo`` of a ``surface_ref`` (cheap for the built-in surfaces; a typed
    formula is compiled and its minima found, which a worker does). Cached: do not change
    what it returns."""
    s = resolve(ref)
    return SurfaceInfo(
        ref,
        s.name,
        s.title,
        s.description,
        tuple(tuple(float(v) for v in side) for side in s.domain),
        learning_rates(s),
        float(s.near_radius),
        {name: why for name in CURVATURE if (why := cannot_run(s, name))},
        step_costs(ref),
    )


def _formula_text(text: str) -> str:
    """A typed formula as URL text, checked (cheaply, without building it) by the parser."""
    formula.parse(text)
    return text


def _domain_text(text: str) -> str:
    race_scene.parse_domain(text)
    return text


def spec(surface) -> dict[str, params.Param]:
    """Every setting of the page for ``surface`` (a ``SurfaceInfo``, or a built-in surface's
    name): the learning rates' defaults depend on it."""
    s = info((surface,)) if isinstance(surface, str) else surface
    out = {
        f"{P}surface": params.choice(DEFAULT_SURFACE, SURFACE_NAMES),
        f"{P}formula": params.Param(DEFAULT_FORMULA, _formula_text, race_scene.FORMULA_ALLOWED),
        f"{P}domain": params.Param(
            DEFAULT_DOMAIN, _domain_text, "x0, x1, y0, y1 with x0 < x1 and y0 < y1"
        ),
        f"{P}view": params.choice("maps", list(VIEWS)),
        f"{P}optimizers": params.choices(
            DEFAULT_OPTIMIZERS, list(ALL_OPTIMIZERS), min_count=1, max_count=MAX_OPTIMIZERS
        ),
        f"{P}grid": params.integer(DEFAULT_GRID, MIN_GRID, MAX_GRID),
        f"{P}steps": params.integer(DEFAULT_STEPS, 1, MAX_STEPS),
        f"{P}contours": params.flag(True),
        f"{P}starts": params.integer(DEFAULT_STARTS, 1, MAX_STARTS),
        f"{P}seed": params.integer(0, 0, 1_000_000),
        f"{P}speed": params.choice("normal", list(SPEEDS)),
    }
    for name in ALL_OPTIMIZERS:
        lr = {"lr": s.rates[name]} if name in s.rates else None
        out.update(optimizer_settings.spec(name, P, lr))
    return out


def optimizer_keys(spec_: dict, names) -> list[str]:
    """The keys of ``spec_`` holding the hyperparameters of the optimizers ``names``."""
    return [k for k in spec_ if any(k.startswith(f"{P}{n}.") for n in names)]


def surface_reset(surface) -> dict:
    """Values to apply when the user picks another surface: every optimizer's hyperparameters
    at their defaults for it (the learning rates suggested for its basins)."""
    full = spec(surface)
    return {k: full[k].default for k in optimizer_keys(full, ALL_OPTIMIZERS)}


@dataclass(frozen=True)
class Preset:
    """A classic scene: surface, optimizers, learning rates (the rest at the surface's
    defaults), grid and steps. ``caption`` says what to watch; the page shows it."""

    title: str
    surface: str
    optimizers: tuple[str, ...]
    learning_rates: dict
    grid: int
    steps: int
    caption: str


PRESETS = {
    "wells": Preset(
        "Wells: SGD vs momentum vs Adam",
        "wells",
        ("sgd", "momentum", "adam"),
        {n: TUNED_LR["wells"][n] for n in ("sgd", "momentum", "adam")},
        DEFAULT_GRID,
        DEFAULT_STEPS,
        "A bowl with one deep well (global, warm colour) and three shallow ones (cool colours). "
        "SGD (lr 0.1) follows the slope into whichever well is downhill of its start, so the "
        "shallow wells keep big basins. Momentum (lr 0.1, μ 0.9) and Adam (lr 0.3) carry speed "
        "over the shallow rims: watch the deep well's colour spread over the plane.",
    ),
    "himmelblau": Preset(
        "Himmelblau: four equal minima",
        "himmelblau",
        ("sgd", "momentum", "adam"),
        {n: TUNED_LR["himmelblau"][n] for n in ("sgd", "momentum", "adam")},
        DEFAULT_GRID,
        DEFAULT_STEPS,
        "Four minima, all global (f = 0). SGD (lr 0.01) splits the plane into four tidy "
        "basins along the ridges between them. Momentum (lr 0.003) and Adam (lr 0.1) overshoot "
        "near the ridges: their basin borders fray into stripes, where a tiny change of the "
        "start decides the minimum.",
    ),
    "newton_fractal": Preset(
        "Newton's fractal basins",
        "himmelblau",
        ("newton", "saddle_free_newton", "sgd", "bfgs"),
        {"sgd": TUNED_LR["himmelblau"]["sgd"]},
        180,
        25,
        "Himmelblau's four minima on a fine 180 × 180 grid, 25 steps (Newton's methods and "
        "BFGS need fewer). Newton's method jumps "
        "to where the local quadratic model is flat: from near the ridges that can be far "
        "away, so its basins are fractal, with thin interleaved stripes of every colour; tan "
        "is where it settled on a saddle or on the maximum, which Newton cannot tell from a "
        "minimum. Saddle-free Newton (|H|) always steps downhill: no tan, tidier basins. "
        "Gradient descent (SGD, lr 0.01) gives the smooth basins of the slope; BFGS, which "
        "builds its curvature from gradients with a line search, lies in between.",
    ),
    "rastrigin": Preset(
        "Rastrigin: a lattice of wells",
        "rastrigin",
        ("sgd", "momentum", "adam"),
        {"sgd": 0.002, "momentum": 0.001, "adam": 0.1},
        120,
        DEFAULT_STEPS,
        "Rastrigin's function has a local minimum near every integer point, 121 in the plot, "
        "and the global one at the origin (warm colour). SGD (lr 0.002) stays in the well it "
        "starts in: a checkerboard of small squares. Momentum (lr 0.001) and Adam (lr 0.1) "
        "hop over a few rims; few runs of any of them reach the middle.",
    ),
}


def preset_values(key: str) -> dict:
    """Every setting a preset fixes; the others (view, contours, random starts, speed) are left
    as the user has them."""
    preset = PRESETS[key]
    full = spec(preset.surface)
    values = {k: full[k].default for k in optimizer_keys(full, ALL_OPTIMIZERS)}
    values.update({f"{P}{n}.lr": lr for n, lr in preset.learning_rates.items()})
    values.update(
        {
            f"{P}surface": preset.surface,
            f"{P}optimizers": list(preset.optimizers),
            f"{P}grid": preset.grid,
            f"{P}steps": preset.steps,
        }
    )
    return values


def active_preset(values: dict) -> str | None:
    """The key of the preset whose settings ``values`` still hold (optimizers in any order)."""
    for key in PRESETS:
        wanted = preset_values(key)
        chosen = set(values.get(f"{P}optimizers") or ())
        if chosen == set(wanted[f"{P}optimizers"]) and all(
            values.get(k) == v
            for k, v in wanted.items()
            if k == f"{P}surface"
            or k in (f"{P}grid", f"{P}steps")
            or any(k.startswith(f"{P}{n}.") for n in chosen)
        ):
            return key
    return None


# ----------------------------------------------------------------------------------------------
# What to compute: one job per optimizer's map, the maps' figure, the multi-start.


@dataclass(frozen=True)
class MapConfig:
    """One optimizer's basin map, as plain hashable values (it keys the pool's cache and
    travels to a worker): ``surface`` a ``surface_ref``, ``hp`` ((name, value), ...)."""

    surface: tuple
    name: str
    hp: tuple
    grid: int
    steps: int


@dataclass(frozen=True)
class MultiConfig:
    """The multi-start: ``starts`` seeded random starts, the same for every optimizer of
    ``runs`` ((name, hp), ...), ``steps`` steps each."""

    surface: tuple
    runs: tuple
    starts: int
    seed: int
    steps: int


@dataclass(frozen=True)
class View:
    """How the page shows its figure: the browser window's content ``width`` and the
    ``height`` free below the page header (pixels, rounded so resizes reuse the cache), the
    contour lines, the animation's frame duration, presentation mode's larger type."""

    width: int = 900
    height: int = 545
    contours: bool = True
    frame_ms: int = 70
    present: bool = False


def runs(values: dict, cannot: dict | None = None) -> tuple:
    """((name, hp), ...) of the chosen optimizers that can run (not in ``cannot``), with their
    hyperparameters from the settings. Raises ValueError (naming the optimizer) for settings
    ``optim_core.make`` refuses."""
    out = []
    for name in values[f"{P}optimizers"]:
        if name in (cannot or {}):
            continue
        hp = optimizer_settings.hyperparams(name, values, P)
        try:
            optim_core.make(name, **hp)
        except ValueError as err:
            raise ValueError(f"{LABELS[name]}: {err}") from None
        out.append((name, tuple(sorted(hp.items()))))
    return tuple(out)


def map_configs(values: dict, ref: tuple, cannot: dict | None = None) -> tuple[MapConfig, ...]:
    """One ``MapConfig`` per optimizer that can run, for the settings ``values``."""
    grid, steps = int(values[f"{P}grid"]), int(values[f"{P}steps"])
    return tuple(MapConfig(ref, name, hp, grid, steps) for name, hp in runs(values, cannot))


def multi_config(values: dict, ref: tuple, cannot: dict | None = None) -> MultiConfig:
    """The multi-start the settings ``values`` ask for."""
    return MultiConfig(
        ref,
        runs(values, cannot),
        int(values[f"{P}starts"]),
        int(values[f"{P}seed"]),
        int(values[f"{P}steps"]),
    )


def map_job(cfg: MapConfig) -> Basins:
    """One optimizer's basin map (a worker job; reports progress per chunk of starts)."""
    optimizer = optim_core.make(cfg.name, **dict(cfg.hp))
    return basin_map(optimizer, resolve(cfg.surface), cfg.grid, cfg.steps)


def title(cfg: MapConfig, surface, codes: np.ndarray) -> str:
    """A map's title: the optimizer, its learning rate if it has one, the global share."""
    hp = dict(cfg.hp)
    lr = f" (lr {hp['lr']:g})" if "lr" in hp else ""
    return f"{LABELS[cfg.name]}{lr}: {global_share(surface, codes):.0%} global"


def share_table(surface, outcomes: dict[str, np.ndarray], found=()) -> pd.DataFrame:
    """Percent of starts per outcome, one row per optimizer (label -> codes on the shared
    ``found`` list of ``combine``); the unlisted minima share one column (Rastrigin has about a
    hundred). The first column, "reach a global minimum", is a subtotal of the listed ones."""
    cats = categories(surface, found)
    m = len(surface.minima)
    rows = {}
    for label, codes in outcomes.items():
        share = 100 * shares(surface, codes, found)
        row = {"reach a global minimum": 100 * global_share(surface, codes)}
        row.update({cat.label: s for cat, s in zip(cats[:m], share[:m], strict=True)})
        if len(found):
            row["unlisted local minima"] = share[m + 3 :].sum()
        row.update({cat.label: s for cat, s in zip(cats[m : m + 3], share[m : m + 3], strict=True)})
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index")


@dataclass
class MapsScene:
    """The basin maps as the page shows them: the figure's JSON (``figures.prebuilt``), its
    height in pixels and the table of shares."""

    figure: str
    height: int
    table: pd.DataFrame


def maps_scene(cfgs: tuple[MapConfig, ...], maps: tuple[Basins, ...], view: View) -> MapsScene:
    """The maps' figure and table from the maps of ``cfgs`` (a worker job)."""
    # figures.basins reads this module's categories: import it when a job runs.
    from figures import basins as figures_basins
    from figures import prebuilt

    surface = resolve(cfgs[0].surface)
    codes, found = combine(surface, maps)
    titled = {title(cfg, surface, c): c for cfg, c in zip(cfgs, codes, strict=True)}
    fig = figures_basins.maps_figure(
        surface,
        titled,
        found,
        width=view.width,
        height=view.height,
        contours=view.contours,
        present=view.present,
    )
    table = share_table(
        surface, {LABELS[cfg.name]: c for cfg, c in zip(cfgs, codes, strict=True)}, found
    )
    return MapsScene(prebuilt.to_spec(fig), int(fig.layout.height), table)


def multistart_runs(cfg: MultiConfig) -> tuple[dict, dict, np.ndarray]:
    """Run every optimizer of ``cfg`` from the same random starts: paths (name -> (K, steps + 1,
    2)), outcome kinds (name -> (K,) "global", "local", "other", "not converged", "diverged"),
    and the shares of each optimizer's outcomes as a table. Reports progress per optimizer."""
    surface = resolve(cfg.surface)
    starts = random_starts(surface.domain, cfg.starts, cfg.seed)
    paths, outcomes = {}, {}
    for i, (name, hp) in enumerate(cfg.runs):
        result = optim_core.run(optim_core.make(name, **dict(hp)), surface, starts, cfg.steps)
        paths[name] = result.path
        outcomes[name] = classify(surface, result)
        jobs.report(0.8 * (i + 1) / len(cfg.runs))
    codes, found = combine(surface, list(outcomes.values()))
    cats = categories(surface, found)
    kinds = {
        n: np.array([cats[c].kind for c in each]) for n, each in zip(paths, codes, strict=True)
    }
    table = share_table(surface, {LABELS[n]: c for n, c in zip(paths, codes, strict=True)}, found)
    return paths, kinds, table


@dataclass
class MultiScene:
    """The multi-start as the page shows it: the figure's JSON, the last step any run moved
    (the animation's end) and the table of shares (the ending)."""

    figure: str
    end: int
    table: pd.DataFrame


def multistart_scene(cfg: MultiConfig, view: View) -> MultiScene:
    """Run, classify and draw the multi-start (a worker job)."""
    from figures import basins as figures_basins  # see maps_scene
    from figures import prebuilt

    surface = resolve(cfg.surface)
    paths, kinds, table = multistart_runs(cfg)
    end = last_moving_step(surface, paths)
    fig = figures_basins.multistart_figure(
        surface,
        {name: p[:, : end + 1] for name, p in paths.items()},
        kinds,
        frame_ms=view.frame_ms,
        width=view.width,
        height=view.height,
        present=view.present,
    )
    return MultiScene(prebuilt.to_spec(fig), end, table)


def multistart_gif(cfg: MultiConfig, frame_ms: int) -> bytes:
    """The multi-start as an animated GIF at slide size (``figures.gif``), ending when the last
    run settles (a worker job)."""
    from figures import gif  # figures.gif reads this module's frame steps: import it late

    surface = resolve(cfg.surface)
    starts = random_starts(surface.domain, cfg.starts, cfg.seed)
    paths = {
        name: optim_core.run(optim_core.make(name, **dict(hp)), surface, starts, cfg.steps).path
        for name, hp in cfg.runs
    }
    end = last_moving_step(surface, paths)
    # Browsers play GIF frames shorter than 20 ms at 100 ms.
    return gif.multistart_gif(
        surface, {n: p[:, : end + 1] for n, p in paths.items()}, frame_ms=max(frame_ms, 20)
    )


# A run has settled once it stays this close to where it ends (a fraction of the domain's
# diagonal: about a fifth of a pixel on a 600 px map).
SETTLED = 3e-4


def settle_steps(surface, path: np.ndarray) -> np.ndarray:
    """The step from which each run stays within ``SETTLED`` of the diagonal of its final
    position, (K,) int, for paths (K, T + 1, 2). A run that blew up (non-finite points) settles
    at its last finite point; a run still moving at the end settles at T."""
    path = np.asarray(path, dtype=float)
    tolerance = SETTLED * diagonal(surface.domain)
    with np.errstate(all="ignore"):
        away = np.hypot(*np.moveaxis(path - path[:, -1:], -1, 0)) > tolerance
    away |= ~np.isfinite(path).all(axis=-1)
    moved = away.any(axis=1)
    last_away = path.shape[1] - 1 - np.argmax(away[:, ::-1], axis=1)
    return np.where(moved, last_away + 1, 0).astype(int)


def last_moving_step(surface, paths: dict[str, np.ndarray]) -> int:
    """The last step at which any run of ``paths`` (name -> (K, T + 1, 2)) still moved: the
    animation ends there (at least 1)."""
    return max([1, *(int(settle_steps(surface, p).max()) for p in paths.values())])


# ----------------------------------------------------------------------------------------------
# Cost: what a scene takes, before it runs (scenes.budget).

# The cost of a run by surface and kind of optimizer ("first": the dearest first-order optimizer;
# "newton": Newton's two methods; "quasi": BFGS and L-BFGS; "cg": conjugate gradient, whose line
# searches evaluate the most; "lm": Levenberg-Marquardt) as (ns per run, ns per run-step, ns per
# step of the batched loop whatever its number of runs), and ns per start to classify its end
# point (with Newton polishing). Measured by bench/calibrate_basins.py (its docstring says how)
# on one worker of the 2-core reference machine while other work shared it: generous. The worst
# case assumes every run takes every step (none converges early).
STEP_NS = {
    "long_valley": {
        "first": (188, 55.5, 86_300),
        "newton": (403, 562, 0),
        "quasi": (0, 1_700, 248_000),
        "cg": (0, 3_820, 5_510_000),
        "lm": (0, 1_010, 244_000),
    },
    "beale": {
        "first": (146, 79.8, 159_000),
        "newton": (183, 657, 581_000),
        "quasi": (0, 2_770, 4_520_000),
        "cg": (0, 3_600, 5_790_000),
        "lm": (0, 843, 793_000),
    },
    "saddle": {
        "first": (148, 107, 25_000),
        "newton": (62.8, 298, 588_000),
        "quasi": (0, 1_240, 116_000),
        "cg": (75.3, 1_870, 3_260_000),
    },
    "rosenbrock": {
        "first": (250, 48.2, 165_000),
        "newton": (478, 317, 172_000),
        "quasi": (0, 2_840, 5_800_000),
        "cg": (0, 4_480, 2_010_000),
        "lm": (170, 514, 471_000),
    },
    "himmelblau": {
        "first": (104, 21.5, 115_000),
        "newton": (125, 321, 46_400),
        "quasi": (0, 2_400, 4_450_000),
        "cg": (0, 2_720, 970_000),
        "lm": (30.2, 849, 829_000),
    },
    "wells": {
        "first": (204, 61.7, 74_400),
        "newton": (217, 326, 155_000),
        "quasi": (838, 2_960, 2_140_000),
        "cg": (934, 5_610, 3_750),
    },
    "quadratic": {
        "first": (147, 41.8, 105_000),
        "newton": (197, 268, 122_000),
        "quasi": (0, 2_040, 0),
        "cg": (0, 1_090, 1_400_000),
        "lm": (59.9, 585, 342_000),
    },
    "rastrigin": {
        "first": (207, 63.3, 34_100),
        "newton": (0, 406, 400_000),
        "quasi": (644, 1_530, 1_000_000),
        "cg": (1_350, 1_740, 1_520_000),
        "lm": (0, 1_090, 939_000),
    },
    "ackley": {
        "first": (274, 159, 50_600),
        "newton": (350, 1_160, 0),
        "quasi": (3_420, 2_110, 3_520_000),
        "cg": (0, 6_630, 2_410_000),
    },
    "six_hump_camel": {
        "first": (191, 32.3, 47_200),
        "newton": (129, 215, 129_000),
        "quasi": (0, 2_450, 6_220_000),
        "cg": (0, 3_220, 3_600_000),
    },
    "three_hump_camel": {
        "first": (129, 47, 23_600),
        "newton": (99.9, 177, 101_000),
        "quasi": (0, 1_350, 3_250),
        "cg": (0, 1_750, 1_430_000),
    },
    "styblinski_tang": {
        "first": (140, 28.9, 43_300),
        "newton": (124, 112, 119_000),
        "quasi": (0, 1_440, 1_500_000),
        "cg": (0, 1_820, 2_540_000),
    },
    "goldstein_price": {
        "first": (171, 93.7, 67_400),
        "newton": (189, 573, 504_000),
        "quasi": (0, 3_130, 6_870_000),
        "cg": (0, 6_870, 4_940_000),
    },
    "booth": {
        "first": (129, 37.4, 45_800),
        "newton": (136, 105, 80_400),
        "quasi": (0, 900, 232_000),
        "cg": (354, 680, 725_000),
        "lm": (0, 1_530, 164_000),
    },
    "linear_regression": {
        "first": (143, 73.9, 116_000),
        "newton": (307, 229, 210_000),
        "quasi": (246, 967, 1_140_000),
        "cg": (0, 1_530, 1_750_000),
        "lm": (0, 5_330, 5_160_000),
    },
    "logistic_ce": {
        "first": (3_510, 2_550, 422_000),
        "newton": (3_460, 2_810, 0),
        "quasi": (14_900, 11_700, 873_000),
        "cg": (0, 27_900, 2_200_000),
    },
    "logistic_mse": {
        "first": (2_880, 3_200, 265_000),
        "newton": (4_050, 2_470, 58_200),
        "quasi": (5_070, 14_300, 7_330_000),
        "cg": (0, 39_000, 17_000_000),
        "lm": (8_500, 15_200, 9_910_000),
    },
}
CLASSIFY_NS = {
    "long_valley": 979,
    "beale": 1_120,
    "saddle": 779,
    "rosenbrock": 502,
    "himmelblau": 869,
    "wells": 1_310,
    "quadratic": 1_610,
    "rastrigin": 1_710,
    "ackley": 2_740,
    "six_hump_camel": 682,
    "three_hump_camel": 495,
    "styblinski_tang": 542,
    "goldstein_price": 1_440,
    "booth": 392,
    "linear_regression": 884,
    "logistic_ce": 6_490,
    "logistic_mse": 5_820,
}
# Typed formulas: kind -> ((ns per run, per node), (ns per run-step, per node), (ns per loop
# step, per node)) and "classify" -> (ns, per node), for the nodes of the formula's checked tree
# (fitted over four formulas, raised so that each lies under the line).
FORMULA_NS = {
    "first": ((159, 6.1), (0, 6.71), (133_000, 0)),
    "newton": ((399, 0), (376, 26.7), (287_000, 0)),
    "quasi": ((0, 0), (2_840, 45.3), (848_000, 144_000)),
    "cg": ((0, 0), (3_760, 33.1), (1_320_000, 71_200)),
    "classify": (1_350, 43.2),
}
FIGURE_SECONDS = {"map": 0.22, "multistart": 0.37}  # a 300 x 300 map; the largest multi-start
FIXED_SECONDS = 0.3  # handing jobs to the pool and their results back
KINDS = {
    **{name: "first" for name in FIRST_ORDER},
    "newton": "newton",
    "saddle_free_newton": "newton",
    "bfgs": "quasi",
    "lbfgs": "quasi",
    "cg": "cg",
    "levenberg_marquardt": "lm",
}


class Cost(NamedTuple):
    """The unit costs of one surface: ``kinds`` (kind -> (ns per run, per run-step, per loop
    step)), ``classify`` (ns per start) and whether its gradient is ``fused`` (first-order
    runs then go in bigger chunks, see ``optim_core.run``)."""

    kinds: dict
    classify: float
    fused: bool


def _nodes(tree) -> int:
    return 1 + sum(_nodes(part) for part in tree[1:] if isinstance(part, tuple))


def step_costs(ref: tuple) -> Cost:
    """The ``Cost`` of the surface of ``ref``: measured for the built-in surfaces, grown with
    the size of a typed formula (``FORMULA_NS``)."""
    if ref[0] != FORMULA:
        fused = surfaces.get(ref[0]).grad_into is not None
        return Cost(STEP_NS[ref[0]], CLASSIFY_NS[ref[0]], fused)
    nodes = _nodes(formula.parse(ref[1])[1])
    kinds = {
        kind: tuple(base + per * nodes for base, per in parts)
        for kind, parts in FORMULA_NS.items()
        if kind != "classify"
    }
    base, per = FORMULA_NS["classify"]
    return Cost(kinds, base + per * nodes, False)


def _seconds(cost: Cost, names, starts: int, steps: int, chunked: bool) -> float:
    """Seconds ``starts`` runs of each of ``names`` take for ``steps`` steps each, classified:
    per run, per run-step and per step of the loop of each chunk of runs."""
    total = 0.0
    for name in names:
        run, step, loop = cost.kinds[KINDS[name]]
        chunk = CHUNK if cost.fused and name in FIRST_ORDER else PLAIN_CHUNK
        chunks = -(-starts // chunk) if chunked else 1
        total += starts * (run + steps * step + cost.classify) + chunks * steps * loop
    return total * 1e-9


def estimate_maps(cost: Cost, names, grid: int, steps: int) -> float:
    """Upper bound of the seconds the basin maps of ``names`` take on a ``grid`` x ``grid``
    grid with ``steps`` steps, drawing included (every run taking every step)."""
    seconds = _seconds(cost, names, grid * grid, steps, chunked=True)
    return FIXED_SECONDS + seconds + len(names) * FIGURE_SECONDS["map"]


def estimate_multistart(cost: Cost, names, starts: int, steps: int) -> float:
    """Upper bound of the seconds the multi-start takes, drawing included."""
    seconds = _seconds(cost, names, starts, steps, chunked=False)
    return FIXED_SECONDS + seconds + FIGURE_SECONDS["multistart"]


def _optimizers(n: int) -> str:
    words = {1: "one optimizer", 2: "two optimizers", 3: "three optimizers"}
    return words.get(n, f"{n} optimizers" if n != 4 else "four optimizers")


def too_much(values: dict, info_: SurfaceInfo) -> str | None:
    """None when the view the settings ask for fits the budget, else what to reduce: the
    largest grid (basin maps) or number of starts (multi-start) that fits these optimizers and
    steps, or the most steps that fit the smallest setting."""
    names = [n for n in values[f"{P}optimizers"] if n not in info_.cannot]
    if not names:
        return None
    steps = int(values[f"{P}steps"])
    cost = info_.cost
    who = _optimizers(len(names))
    if values[f"{P}view"] == "multistart":
        k = int(values[f"{P}starts"])
        if estimate_multistart(cost, names, k, steps) <= budget.SECONDS:
            return None
        fits = budget.largest_fitting(lambda n: estimate_multistart(cost, names, n, steps), 1, k)
        asked = f"{k} random starts at {steps:,} steps with {who}"
        if fits is not None:
            return _refusal(asked, f"at most {fits} random starts at {steps:,} steps with {who}")
        most = budget.largest_fitting(lambda s: estimate_multistart(cost, names, 1, s), 1, steps)
        return _refusal(asked, _fewer_steps(most, "one start", who))
    grid = int(values[f"{P}grid"])
    if estimate_maps(cost, names, grid, steps) <= budget.SECONDS:
        return None
    asked = f"{grid}x{grid} starts at {steps:,} steps with {who}"
    fits = budget.largest_fitting(lambda n: estimate_maps(cost, names, n, steps), MIN_GRID, grid)
    if fits is not None:
        return _refusal(asked, f"at most {fits}x{fits} starts at {steps:,} steps with {who}")
    most = budget.largest_fitting(lambda s: estimate_maps(cost, names, MIN_GRID, s), 1, steps)
    return _refusal(asked, _fewer_steps(most, f"{MIN_GRID}x{MIN_GRID} starts", who))


def _fewer_steps(most: int | None, smallest: str, who: str) -> str:
    if most is None:
        return f"not even {smallest} with {who}; pick fewer optimizers"
    return f"at most {most:,} steps with {smallest} and {who}"


def _refusal(asked: str, fits: str) -> str:
    return (
        f"{asked[0].upper()}{asked[1:]} is more than this server computes for one visitor "
        f"(about {budget.SECONDS:g} s of work). On this surface: {fits}; or fewer optimizers "
        "or steps."
    )
