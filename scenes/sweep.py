r"""The learning-rate lab as pure data: many learning rates from one start, as one batched run,
the regimes they fall into, a default range that shows all of them, and the comparison sweep.

The learning rate goes into the optimizer as an array of shape ``(N, 1)``, so ``optim_core.run``
steps all ``N`` runs together. On the quadratic bowl :math:`f(p) = \tfrac12 p^\top A p` with
Hessian eigenvalues :math:`\mu \le L`, the theory says where the runs must start to diverge:

- gradient descent :math:`p \leftarrow p - \eta A p` multiplies each eigen-component by
  :math:`1 - \eta\lambda`, stable iff :math:`|1 - \eta L| < 1`, i.e. :math:`\eta < 2/L`;
- heavy-ball momentum :math:`p_{t+1} = p_t - \eta A p_t + \beta (p_t - p_{t-1})` has the
  characteristic roots of :math:`r^2 - (1 + \beta - \eta\lambda) r + \beta`, both inside the unit
  circle iff :math:`\eta\lambda < 2 + 2\beta`, i.e. :math:`\eta < (2 + 2\beta)/L`;
- Nesterov (PyTorch's form) has :math:`r^2 - (1 + \beta)(1 - \eta\lambda) r + \beta(1 - \eta\lambda)`,
  stable iff :math:`\eta < (2 + 2\beta) / ((1 + 2\beta) L)`.

L2 weight decay :math:`\lambda_{wd}` adds :math:`\lambda_{wd} I` to the Hessian, so
:math:`L` becomes :math:`L + \lambda_{wd}` in all three.

Regimes are defined by what a path does, so the words match the picture (:func:`summarize`):
*diverges* (left the plot or became non-finite), *oscillates* (turned back at least
``ZIGZAG`` times with steps large enough to see), *converges* (converged by the gradient-norm
tolerance, or ended near a listed minimum by the one rule, ``Surface.near_radius``), else
*too slow*.

Pure (no streamlit): ``pages/lr_lab.py`` wires widgets to the settings (``spec``, URL keys
``lr.*``) and runs :func:`default_range`, :func:`build_scene`, :func:`build_comparison` and
:func:`gif` in the shared worker pool.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

import optim_core
import surfaces
from figures import gif as figures_gif
from figures import prebuilt
from figures import sweep as figures_sweep
from figures.sweep import lr_text
from scenes import budget, divergence, jobs, optimizer_settings, params
from scenes import race as rs
from scenes.optimizer_settings import BOUNDS, LABELS

PREFIX = "lr."
P = PREFIX
MAX_RATES = 50
MAX_STEPS = 5000
LR_MIN, LR_MAX = BOUNDS["lr"][:2]
LOSS_FLOOR = 1e-16  # gaps below this are shown at the floor on log axes
OPTIMIZERS = optimizer_settings.FIRST_ORDER
FORMULA = rs.FORMULA
SURFACE_CHOICES = (*surfaces.SURFACES, FORMULA)
TOLERANCES = ("1e-3", "1e-4", "1e-6", "1e-8")
VIEWS = ("animated", "small multiples")
MODES = ("range", "list")
DEFAULT_COUNT = 10
DEFAULT_STEPS = 500
DEFAULT_LIST = "0.01, 0.05, 0.1, 0.15, 0.19, 0.21, 0.3"
DEFAULT_COMPARE = ("sgd", "momentum", "adam")
DENSE = 40  # learning rates of each compared optimizer, log-spaced over the chosen range
REFINE = 24  # learning rates of the one finer sweep that narrows each divergence edge
# A step shorter than this fraction of the domain's diagonal (about a pixel or two) is not seen.
VISIBLE = 0.003
ZIGZAG = 3  # visible reversals that make a path "oscillate"
REGIMES = figures_sweep.REGIMES  # "too slow", "converges", "oscillates", "diverges"
# The coarse sweep behind the default range: 4 learning rates per decade over every allowed one.
COARSE = np.geomspace(LR_MIN, LR_MAX, 33)
RANGE_KEYS = (f"{P}lo", f"{P}hi", f"{P}list")

# ----------------------------------------------------------------------------------------------
# Settings and their URL keys.


def rates_param(default: str) -> params.Param:
    """A typed list of learning rates, validated by ``parse_rates``."""

    def parse(text: str) -> str:
        parse_rates(text)
        return text

    return params.Param(default, parse, f"a comma-separated list of 1 to {MAX_RATES} rates")


_RACE_SURFACE = rs.spec(rs.DEFAULT_SURFACE)  # the typed formula's settings, as on the race page


def spec(lo: float = 0.01, hi: float = 0.5, rates: str = DEFAULT_LIST) -> dict[str, params.Param]:
    """Every setting of the page; ``lo``, ``hi`` and ``rates`` are the defaults of the range
    and of the typed list, which depend on the surface and optimizer (``default_range``)."""
    out = {
        f"{P}surface": params.choice("quadratic", SURFACE_CHOICES),
        f"{P}formula": _RACE_SURFACE[f"{rs.PREFIX}formula"],
        f"{P}domain": _RACE_SURFACE[f"{rs.PREFIX}domain"],
        f"{P}kappa": params.number(10.0, 1.0, 1000.0),
        f"{P}L": params.number(10.0, 0.1, 100.0),
        f"{P}optimizer": params.choice("sgd", OPTIMIZERS),
        f"{P}mode": params.choice("range", MODES),
        f"{P}lo": params.number(lo, LR_MIN, LR_MAX),
        f"{P}hi": params.number(hi, LR_MIN, LR_MAX),
        f"{P}count": params.integer(DEFAULT_COUNT, 2, MAX_RATES),
        f"{P}list": rates_param(rates),
        f"{P}steps": params.integer(DEFAULT_STEPS, 1, MAX_STEPS),
        f"{P}tol": params.choice("1e-6", TOLERANCES),
        f"{P}view": params.choice("animated", VIEWS),
        f"{P}compare": params.choices(DEFAULT_COMPARE, OPTIMIZERS),
    }
    for name in OPTIMIZERS:  # every hyperparameter except the swept learning rate
        out.update(
            {k: v for k, v in optimizer_settings.spec(name, P).items() if not k.endswith(".lr")}
        )
    return out


def optimizer_keys(names) -> list[str]:
    """The keys of the hyperparameters of the optimizers ``names``."""
    return [k for k in spec() if any(k.startswith(f"{P}{n}.") for n in names)]


def range_needed(query, session) -> bool:
    """Whether the page needs ``default_range``: a range or list setting is neither in the
    session nor valid in the URL (``query``), so it falls back to its default."""
    full = spec()
    for key in RANGE_KEYS:
        if key in session:
            continue
        raw = query.get(key)
        try:
            full[key].parse(raw[-1] if isinstance(raw, list | tuple) else str(raw))
        except (ValueError, TypeError):
            return True
    return False


def hyperparams(name: str, values) -> tuple:
    """Hashable hyperparameters of ``name`` (without lr) from the settings ``values``."""
    hp = optimizer_settings.hyperparams(name, {**values, f"{P}{name}.lr": 0.0}, P)
    hp.pop("lr")
    return tuple(sorted(hp.items()))


# ----------------------------------------------------------------------------------------------
# The surface.


def surface_ref(values) -> tuple:
    """A hashable, picklable reference to the chosen surface: ``("quadratic", kappa, L)``,
    ``(name,)`` or ``("formula", text, domain)`` (``scenes.race.surface_ref``; raises
    ValueError for a malformed formula or domain)."""
    name = values[f"{P}surface"]
    if name == "quadratic":
        return ("quadratic", float(values[f"{P}kappa"]), float(values[f"{P}L"]))
    keys = ("surface", "formula", "domain")
    return rs.surface_ref({f"{rs.PREFIX}{k}": values[f"{P}{k}"] for k in keys})


def resolve(ref: tuple):
    """The Surface of a ``surface_ref``."""
    if ref[0] == "quadratic" and len(ref) == 3:
        return surfaces.quadratic(ref[1], largest=ref[2])
    return rs.resolve(ref)


def diagonal(surface) -> float:
    (x0, x1), (y0, y1) = surface.domain
    return float(np.hypot(x1 - x0, y1 - y0))


# ----------------------------------------------------------------------------------------------
# Learning rates.


def log_range(lo: float, hi: float, count: int) -> np.ndarray:
    """``count`` learning rates log-spaced from ``lo`` to ``hi`` (both included), shape (count,).

    Raises ValueError with a message fit for users when the range is empty or out of bounds.
    """
    if not (np.isfinite(lo) and np.isfinite(hi) and LR_MIN <= lo and hi <= LR_MAX):
        raise ValueError(f"Learning rates must lie between {LR_MIN:g} and {LR_MAX:g}.")
    if lo >= hi:
        raise ValueError(f"The smallest learning rate ({lo:g}) must be below the largest ({hi:g}).")
    if not 2 <= count <= MAX_RATES:
        raise ValueError(f"Choose from 2 to {MAX_RATES} learning rates (got {count}).")
    return np.geomspace(lo, hi, count)


def parse_rates(text: str) -> np.ndarray:
    """Learning rates typed as a list ("0.001, 0.01, 0.1"; commas, semicolons or spaces),
    sorted and without duplicates, shape (n,).

    Raises ValueError naming the offending entry: not a number, not positive, out of bounds,
    or more than ``MAX_RATES`` values.
    """
    items = [t for t in re.split(r"[,;\s]+", text.strip()) if t]
    if not items:
        raise ValueError("Type at least one learning rate, e.g. 0.001, 0.01, 0.1.")
    if len(items) > MAX_RATES:
        raise ValueError(f"At most {MAX_RATES} learning rates, got {len(items)}.")
    rates = []
    for item in items:
        try:
            value = float(item)
        except ValueError:
            raise ValueError(f"{item[:20]!r} is not a number.") from None
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"Learning rates must be positive numbers, got {item[:20]!r}.")
        if not LR_MIN <= value <= LR_MAX:
            raise ValueError(
                f"Learning rate {value:g} is outside the allowed range {LR_MIN:g} to {LR_MAX:g}."
            )
        rates.append(value)
    return np.unique(rates)


def format_rates(lrs) -> str:
    """The inverse of ``parse_rates`` (up to rounding to 4 significant digits)."""
    return ", ".join(f"{lr:.4g}" for lr in lrs)


def rates(values) -> np.ndarray:
    """The learning rates the settings ask for (range or typed list); ValueError if invalid."""
    if values[f"{P}mode"] == "list":
        return parse_rates(values[f"{P}list"])
    return log_range(float(values[f"{P}lo"]), float(values[f"{P}hi"]), int(values[f"{P}count"]))


# ----------------------------------------------------------------------------------------------
# Running and reading a sweep.


def sweep(
    name: str,
    hyperparams: dict,
    surface,
    start,
    lrs,
    steps: int,
    *,
    tol: float = 1e-6,
    keep_path: bool = True,
    escape: float = 5.0,
) -> optim_core.RunResult:
    """One batched run of optimizer ``name`` for every learning rate in ``lrs`` (shape (N,)),
    all from ``start``; ``hyperparams`` are the other hyperparameters (no ``lr``); ``escape``
    as in ``optim_core.run``.

    The result has the batch axis first: ``path`` (N, steps + 1, 2), ``status`` (N,), ...
    """
    lrs = np.asarray(lrs, dtype=np.float64).reshape(-1, 1)
    opt = optim_core.make(name, lr=lrs, **dict(hyperparams))
    starts = np.tile(np.asarray(start, dtype=np.float64), (len(lrs), 1))
    return optim_core.run(opt, surface, starts, steps, tol=tol, keep_path=keep_path, escape=escape)


def reversals(path: np.ndarray, stop_step: np.ndarray, min_step: float = 0.0) -> np.ndarray:
    """How often each run turns back: steps whose displacement makes an obtuse angle with the
    previous one, counted up to the run's stop, and only where both steps are longer than
    ``min_step``. ``path`` (N, steps + 1, 2) -> (N,) ints.

    Gradient descent on a quadratic turns back only when the steep component overshoots,
    i.e. exactly when lr > 1/L.
    """
    d = np.diff(path, axis=1)
    with np.errstate(all="ignore"):
        dots = np.einsum("nti,nti->nt", d[:, 1:], d[:, :-1])
        seen = np.linalg.norm(d, axis=-1) > min_step
    t = np.arange(1, d.shape[1])
    counted = (dots < 0) & seen[:, 1:] & seen[:, :-1] & (t[None, :] < stop_step[:, None])
    return np.sum(counted, axis=1)


def reached_steps(surface, path: np.ndarray, stop_step, status) -> np.ndarray:
    """The step from which each run stays near a minimum until it stops, by the race page's
    rule (``Surface.near_radius`` of a listed minimum), or its stop step if it converged elsewhere (by the
    gradient-norm tolerance); -1 for runs that did neither. ``path`` (N, steps + 1, 2)."""
    stop, status = np.asarray(stop_step, dtype=int), np.asarray(status)
    _, distance = surface.nearest_minimum(path)
    with np.errstate(invalid="ignore"):
        near = distance <= surface.near_radius
    t = np.arange(path.shape[1])[None, :]
    away = ~near & (t <= stop[:, None])
    last_away = np.where(away.any(axis=1), path.shape[1] - 1 - np.argmax(away[:, ::-1], axis=1), -1)
    reached = np.where(last_away < stop, last_away + 1, -1)
    reached = np.where((status == "converged") & (reached < 0), stop, reached)
    return np.where(status == "diverged", -1, reached)


def summarize(lrs, result: optim_core.RunResult, surface) -> pd.DataFrame:
    """One row per learning rate: ``lr``, ``status``, ``stop_step``, ``steps_to_tol`` (NaN
    unless converged), ``final_loss``, ``gap`` (final loss minus the global minimum's, NaN when
    diverged, floored at ``LOSS_FLOOR``) and, when the path was kept, ``reversals`` (visible
    ones), ``reached_step`` (``reached_steps``) and ``regime`` (module docstring)."""
    status = np.asarray(result.status)
    converged, diverged = status == "converged", status == "diverged"
    best = min(m.value for m in surface.minima)
    with np.errstate(all="ignore"):
        gap = np.maximum(np.asarray(result.final_loss) - best, LOSS_FLOOR)
    table = pd.DataFrame(
        {
            "lr": np.asarray(lrs, dtype=np.float64),
            "status": status.astype(str),
            "stop_step": result.stop_step,
            "steps_to_tol": np.where(converged, result.stop_step, np.nan),
            "final_loss": np.where(diverged, np.nan, result.final_loss),
            "gap": np.where(diverged, np.nan, gap),
        }
    )
    if result.path is None:
        return table
    stop = np.asarray(result.stop_step)
    turns = reversals(result.path, stop, VISIBLE * diagonal(surface))
    reached = reached_steps(surface, result.path, stop, status)
    table["reversals"] = turns
    table["reached_step"] = reached
    table["regime"] = np.select(
        [diverged, turns >= ZIGZAG, reached >= 0],
        ["diverges", "oscillates", "converges"],
        "too slow",
    )
    return table


def divergence_edge(lrs, status) -> tuple[float, float] | None:
    """The bracket (largest stable lr, smallest divergent lr) around the first divergence of a
    sweep, or None when no run diverged or the smallest lr already did. ``lrs`` is sorted."""
    lrs, diverged = np.asarray(lrs), np.asarray(status) == "diverged"
    if not diverged.any():
        return None
    first = int(np.argmax(diverged))
    if first == 0:
        return None
    return float(lrs[first - 1]), float(lrs[first])


def refine_edge(
    name: str,
    hyperparams: dict,
    surface,
    start,
    bracket: tuple[float, float],
    steps: int,
    *,
    rounds: int = 1,
    count: int = REFINE,
    tol: float = 1e-6,
) -> tuple[float, float]:
    """Narrow a (stable, divergent) bracket by ``rounds`` batched runs of ``count`` learning
    rates log-spaced inside it; each round shrinks it by a factor of about ``count + 1``."""
    stable, divergent = bracket
    for _ in range(rounds):
        inner = np.geomspace(stable, divergent, count + 2)[1:-1]
        result = sweep(name, hyperparams, surface, start, inner, steps, tol=tol, keep_path=False)
        lrs = np.concatenate([[stable], inner, [divergent]])
        status = np.concatenate([["stable"], result.status, ["diverged"]])
        stable, divergent = divergence_edge(lrs, status)
    return stable, divergent


def measured_edge(bracket: tuple[float, float]) -> float:
    """The edge estimate from a bracket: its geometric midpoint."""
    return float(np.sqrt(bracket[0] * bracket[1]))


def stability_limit(name: str, hyperparams: dict, surface) -> float | None:
    """The theoretical largest stable learning rate on a surface with constant Hessian (see the
    module docstring), or None where theory gives none (other surfaces or optimizers)."""
    if surface.curvature is None:
        return None
    return divergence.stability_limit(name, hyperparams, surface.curvature[1])


limit_formula = divergence.limit_formula


def display_paths(name, hp, surface, lrs, result, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """The sweep's path (N, steps + 1, 2) and loss (N, steps + 1) for drawing: a diverged run's
    point at its stop step is where its blowing-up step went (outside the plot, found by the
    same runs again with an escape box so large that only non-finite values stop them), or
    NaN when that point is not finite, so the run leaves the view."""
    path, loss = result.path.copy(), result.loss.copy()
    stop = np.asarray(result.stop_step)
    gone = np.flatnonzero((np.asarray(result.status) == "diverged") & (stop > 0))
    if not gone.size:
        return path, loss
    far = sweep(
        name,
        hp,
        surface,
        surface.start,
        np.asarray(lrs)[gone],
        int(stop[gone].max()),
        tol=tol,
        escape=1e12,
    )
    points = far.path[np.arange(gone.size), stop[gone]]
    ok = np.isfinite(points).all(axis=1) & (far.stop_step >= stop[gone])
    points[~ok] = np.nan
    path[gone, stop[gone]] = points
    with np.errstate(all="ignore"):
        loss[gone, stop[gone]] = np.where(ok, surface.value(np.nan_to_num(points)), np.nan)
    return path, loss


# ----------------------------------------------------------------------------------------------
# The default range: from a rate that is too slow to just past the stability edge.


@dataclass(frozen=True)
class RangeDefault:
    """The default learning rates for a surface and optimizer: the range ``lo`` to ``hi`` (of
    ``count`` log-spaced rates), ``edge`` the estimated stability edge (None when no rate up to
    ``LR_MAX`` diverged) and ``source`` ("theory" or "sweep")."""

    lo: float
    hi: float
    count: int
    edge: float | None
    source: str

    @property
    def rates_text(self) -> str:
        return ", ".join(f"{lr:.3g}" for lr in log_range(self.lo, self.hi, self.count))


def _nice(value: float) -> float:
    """Three significant digits, inside the allowed learning rates."""
    return float(np.clip(float(f"{value:.3g}"), LR_MIN, LR_MAX))


def default_range(
    ref: tuple, name: str, hp: tuple, steps: int, tol: float, count: int = DEFAULT_COUNT
) -> RangeDefault:
    """A range of ``count`` log-spaced learning rates that shows every regime (a job).

    The stability edge comes from theory where there is one (gradient methods on a constant
    Hessian; the runs just under it zig-zag), else from a coarse sweep of ``COARSE`` rates
    refined once inside the bracket where the runs start to diverge. One rate of the range zig-
    zags: 0.97 times the theoretical edge, or the middle of the rates the sweeps saw oscillate
    (just under a measured edge divergence need not be monotone in the rate), else the largest
    stable rate; the smallest is half the largest coarse rate that was too slow (at most 10^4
    times smaller); the grid goes on to about twice the edge, at least two rates past the
    zig-zagging one: one log-spaced grid through all four regimes."""
    surface, hp = resolve(ref), dict(hp)
    coarse = summarize(
        COARSE, sweep(name, hp, surface, surface.start, COARSE, steps, tol=tol), surface
    )
    jobs.report(0.6)
    theory = stability_limit(name, hp, surface)
    bracket = divergence_edge(COARSE, coarse.status)
    seen = coarse
    if theory is not None:
        edge, top, source = theory, 0.97 * theory, "theory"
    elif bracket is not None:
        inner = np.geomspace(*bracket, 14)[1:-1]
        fine = sweep(name, hp, surface, surface.start, inner, steps, tol=tol)
        seen = pd.concat([coarse, summarize(inner, fine, surface)]).sort_values("lr")
        stable, divergent = divergence_edge(seen.lr, seen.status)
        edge, top, source = measured_edge((stable, divergent)), stable, "sweep"
    elif coarse.status.iloc[0] == "diverged":  # even the smallest allowed rate diverges
        return RangeDefault(LR_MIN, _nice(100 * LR_MIN), count, LR_MIN, "sweep")
    else:  # nothing diverged: show the slow end up to the largest allowed rate
        edge, top, source = None, LR_MAX, "sweep"
    below = seen[seen.lr <= top]
    zigzag = below.lr[below.regime == "oscillates"]
    middle = top
    if source == "sweep" and len(zigzag):  # the middle of the rates seen to zig-zag: away from
        # the edge, where divergence need not be monotone in the rate
        centre = np.sqrt(zigzag.min() * zigzag.max())
        middle = float(zigzag.iloc[np.argmin(np.abs(np.log(zigzag / centre)))])
    slow = below.lr[(below.regime == "too slow") & (below.lr < middle / 3)]
    anchor = slow.max() / 2 if len(slow) else middle / 100
    anchor = float(np.clip(anchor, max(LR_MIN, middle / 1e4), middle / 10))
    if edge is None or count < 4:
        return RangeDefault(_nice(anchor), _nice(2 * edge if edge else LR_MAX), count, edge, source)
    ratio = (2 * edge / anchor) ** (1 / (count - 1))
    below_middle = int(np.clip(round(np.log(middle / anchor) / np.log(ratio)), 1, count - 3))
    above = count - 1 - below_middle
    ratio = max((middle / anchor) ** (1 / below_middle), (2 * edge / middle) ** (1 / above))
    lo, hi = _nice(middle / ratio**below_middle), _nice(middle * ratio**above)
    return RangeDefault(
        lo, max(hi, _nice(100 * lo)) if hi <= lo else hi, count, float(edge), source
    )


# ----------------------------------------------------------------------------------------------
# What the page computes, as jobs for the worker pool.


@dataclass(frozen=True)
class LabConfig:
    """Everything the lab computes from, as plain hashable values (for the pool and its cache):
    the surface reference, the optimizer and its other hyperparameters, the learning rates,
    steps and tolerance, and the compared optimizers ``((name, hp), ...)``."""

    surface: tuple
    name: str
    hp: tuple
    lrs: tuple
    steps: int
    tol: float
    compare: tuple = ()

    @property
    def main(self) -> LabConfig:
        """The settings of the sweep itself (without the compared optimizers)."""
        return dataclasses.replace(self, compare=())


def config(values, lrs) -> LabConfig:
    """The lab described by the settings ``values`` (keyed as in ``spec``) and the rates."""
    compare = tuple((n, hyperparams(n, values)) for n in values[f"{P}compare"])
    name = values[f"{P}optimizer"]
    return LabConfig(
        surface=surface_ref(values),
        name=name,
        hp=hyperparams(name, values),
        lrs=tuple(float(v) for v in lrs),
        steps=int(values[f"{P}steps"]),
        tol=float(values[f"{P}tol"]),
        compare=compare,
    )


@dataclass(frozen=True)
class View:
    """How the page shows the sweep: animated or small multiples, type size, frame length."""

    small_multiples: bool = False
    present: bool = False
    frame_ms: int = figures_sweep.FRAME_MS


@dataclass
class Scene:
    """The sweep as the page shows it: the surface's title, one row per learning rate
    (``summarize``), the number of runs in each regime and the figure's JSON."""

    title: str
    table: pd.DataFrame
    counts: dict
    figure: str


def _run_main(cfg: LabConfig):
    surface = resolve(cfg.surface)
    lrs = np.asarray(cfg.lrs)
    result = sweep(cfg.name, dict(cfg.hp), surface, surface.start, lrs, cfg.steps, tol=cfg.tol)
    return surface, lrs, result


def build_scene(cfg: LabConfig, view: View) -> Scene:
    """The sweep of ``cfg.name`` over ``cfg.lrs``, its regimes and its figure (a job)."""
    surface, lrs, result = _run_main(cfg)
    jobs.report(0.3)
    table = summarize(lrs, result, surface)
    path, loss = display_paths(cfg.name, dict(cfg.hp), surface, lrs, result, cfg.tol)
    jobs.report(0.5)
    if view.small_multiples:
        fig = figures_sweep.small_multiples(
            surface, surface.start, table, path, present=view.present
        )
    else:
        fig = figures_sweep.paths_figure(
            surface,
            surface.start,
            table,
            path,
            loss,
            frame_ms=view.frame_ms,
            present=view.present,
        )
    counts = {r: int((table.regime == r).sum()) for r in REGIMES}
    return Scene(surface.title, table, counts, prebuilt.to_spec(fig))


def outcome(row) -> str:
    """A run's ending in words."""
    if row.status == "diverged":
        return f"diverged at step {row.stop_step}"
    if row.status == "converged":
        return f"converged at step {row.stop_step}"
    return f"still moving after {row.stop_step} steps"


def runs_table(table: pd.DataFrame) -> pd.DataFrame:
    """``summarize``'s table as text for the page: learning rate, regime, how the run ended,
    when it reached a minimum, final loss, visible reversals."""
    return pd.DataFrame(
        {
            "learning rate": [lr_text(v) for v in table.lr],
            "regime": table.regime,
            "outcome": [outcome(row) for row in table.itertuples()],
            "near a minimum from step": [str(s) if s >= 0 else "—" for s in table.reached_step],
            "final loss": [f"{v:.4g}" if np.isfinite(v) else "—" for v in table.final_loss],
            "direction reversals": table.reversals.astype(int),
        }
    )


@dataclass
class Comparison:
    """The comparison sweep: the chart's JSON, one row per compared optimizer (theory, measured
    edge, difference, as text), the learning rates swept and the quadratic's (mu, L) if any."""

    figure: str
    edges: pd.DataFrame
    lrs: np.ndarray
    curvature: tuple | None


def comparison_rates(lrs) -> np.ndarray:
    """``DENSE`` rates log-spaced over the chosen ones, widened to a factor of 10 each way
    around a range narrower than a factor of 4."""
    lo, hi = float(np.min(lrs)), float(np.max(lrs))
    if hi < 4 * lo:
        middle = np.sqrt(lo * hi)
        lo, hi = max(middle / 10, LR_MIN), min(middle * 10, LR_MAX)
    return np.geomspace(lo, hi, DENSE)


def build_comparison(cfg: LabConfig, view: View) -> Comparison:
    """Every compared optimizer over ``comparison_rates``, its divergence edge refined and set
    against theory where there is one, and the sweep chart (a job)."""
    surface = resolve(cfg.surface)
    dense = comparison_rates(cfg.lrs)
    tables, edges, limits, rows = {}, {}, {}, []
    for i, (name, hp) in enumerate(cfg.compare):
        hp = dict(hp)
        run = sweep(
            name, hp, surface, surface.start, dense, cfg.steps, tol=cfg.tol, keep_path=False
        )
        tables[name] = summarize(dense, run, surface)
        jobs.report((2 * i + 1) / (2 * len(cfg.compare) + 1))
        bracket = divergence_edge(dense, run.status)
        theory = stability_limit(name, hp, surface)
        measured = None
        if bracket is not None:
            measured = measured_edge(
                refine_edge(name, hp, surface, surface.start, bracket, cfg.steps, tol=cfg.tol)
            )
            edges[name] = measured
        if theory is not None:
            limits[f"{limit_formula(name)} ({LABELS[name]})"] = theory
        rows.append(_edge_row(name, theory, measured, bracket, run.status, dense))
        jobs.report((2 * i + 2) / (2 * len(cfg.compare) + 1))
    fig = figures_sweep.sweep_figure(tables, limits, edges, present=view.present)
    return Comparison(prebuilt.to_spec(fig), pd.DataFrame(rows), dense, surface.curvature)


def _edge_row(name, theory, measured, bracket, status, dense) -> dict:
    if measured is None:
        edge = f"no divergence up to {lr_text(dense.max())}"
        if bracket is None and (np.asarray(status) == "diverged").all():
            edge = f"diverged already at {lr_text(dense.min())}: try smaller rates"
    else:
        edge = f"{measured:.4g}"
    both = theory is not None and measured is not None
    return {
        "optimizer": LABELS[name],
        "theory": f"{limit_formula(name)} = {theory:.4g}" if theory is not None else "—",
        "measured edge": edge,
        "measured / theory − 1": f"{measured / theory - 1:+.2%}" if both else "—",
    }


def gif(cfg: LabConfig) -> bytes:
    """The animated sweep at slide size (``figures.gif.sweep_gif``), a job run on request."""
    surface, lrs, result = _run_main(cfg)
    jobs.report(0.3)
    path, _ = display_paths(cfg.name, dict(cfg.hp), surface, lrs, result, cfg.tol)
    title = f"{LABELS[cfg.name]} on {surface.title}"
    return figures_gif.sweep_gif(
        surface, surface.start, lrs, path, result.stop_step, result.status, title=title
    )


# ----------------------------------------------------------------------------------------------
# Cost: what the page's jobs take, before running them (scenes.budget).

# Seconds per step of one batched run (whatever its size), and per step of each run in it: on
# the analytic surfaces and typed formulas, and per data row on the surfaces defined by data;
# then per run and animation frame of the figure, and fixed (the surface image, the JSON).
# Measured with ``python bench/bench_sweep.py --calibrate --repeat 5`` on the shared 2-core
# machine: every first-order optimizer on four analytic surfaces, a formula and two data
# surfaces, batches of 1 and 200 runs (intercept and slope), the largest of each, rounded up;
# the figure from 10 and 50 rates over 5,000 steps. Check with ``bench/bench_sweep.py``.
STEP_SECONDS = 200e-6
RUN_STEP_SECONDS = {"analytic": 0.45e-6, "formula": 0.45e-6, "row": 0.09e-6}
FRAME_RUN_SECONDS = 45e-6
FIXED_SECONDS = 0.6


def run_step_seconds(ref: tuple) -> float:
    """Seconds per step of one run on the surface ``ref``."""
    if ref[0] == FORMULA:
        return RUN_STEP_SECONDS["formula"]
    n_data = surfaces.SURFACES[ref[0]].n_data
    if n_data:
        return RUN_STEP_SECONDS["row"] * n_data
    return RUN_STEP_SECONDS["analytic"]


def batch_seconds(ref: tuple, runs: int, steps: int) -> float:
    return steps * (STEP_SECONDS + runs * run_step_seconds(ref))


def estimate(cfg: LabConfig, steps: int | None = None) -> float:
    """Upper bound of the seconds the scene and the comparison take for ``cfg`` (with
    ``steps`` if given): no run stops early, every run diverges late (the escape runs)."""
    steps = cfg.steps if steps is None else steps
    n = len(cfg.lrs)
    frames = figures_sweep.MAX_FRAMES
    seconds = (
        FIXED_SECONDS + 2 * batch_seconds(cfg.surface, n, steps) + frames * n * FRAME_RUN_SECONDS
    )
    for _ in cfg.compare:
        seconds += batch_seconds(cfg.surface, DENSE, steps) + batch_seconds(
            cfg.surface, REFINE, steps
        )
    return seconds


def estimate_range(ref: tuple, steps: int) -> float:
    """Upper bound of the seconds ``default_range`` takes."""
    return batch_seconds(ref, len(COARSE), steps) + batch_seconds(ref, 12, steps)


def too_much(cfg: LabConfig) -> str | None:
    """None when the lab fits the budget, else what to reduce, with the largest step count that
    fits these rates and optimizers."""
    if estimate(cfg) <= budget.SECONDS:
        return None
    n, k = len(cfg.lrs), len(cfg.compare)
    what = f"{n} learning rates" + (f" and {k} compared optimizers" if k else "")
    fits = budget.largest_fitting(lambda s: estimate(cfg, s), 1, cfg.steps)
    if fits is None:
        return f"{what} are too many for this server; choose fewer."
    return (
        f"{what} over {cfg.steps:,} steps is more than this server computes for one visitor "
        f"(about {budget.SECONDS:g} s of work). With {what}, at most {fits:,} steps; or fewer "
        "learning rates or compared optimizers."
    )
