"""The `Surface` record: a 2D loss f(x, y), its analytic derivatives and its known critical points.

A surface is built from small functions of the coordinate arrays x = p[..., 0] and
y = p[..., 1]: ``fn(x, y) -> f``, ``grad_fn(x, y) -> (df/dx, df/dy)``, optionally
``hess_fn(x, y) -> (d2f/dx2, d2f/dxdy, d2f/dy2)`` (and, where the two share costly terms, both
at once: ``grad_hess_fn(x, y) -> (gradient, Hessian)``), and for sums of squares f = sum_i r_i^2 the
residuals ``residual_fn(x, y) -> (r_1, ..., r_m)`` with their Jacobian
``jacobian_fn(x, y) -> ((dr_1/dx, dr_1/dy), ..., (dr_m/dx, dr_m/dy))``. `make_surface` takes
approximate minima and saddles (published coordinates, or well centres) and polishes them with
Newton's method, so every listed point has |grad f| < 1e-8 in float64 and its listed value is
exactly ``value(point)``.

A surface may add ``grad_into(x, y, gx, gy, scratch)``: the same gradient, written into
preallocated arrays. ``grad_fn`` stays the readable definition; ``grad_into`` repeats its
operations in the same order through ``out=`` arguments, so it agrees bit for bit (a test holds
it to that) while allocating nothing. Batched runs need that: each fresh array the size of a
large batch costs page faults that dwarf the arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

Point = tuple[float, float]
Domain = tuple[tuple[float, float], tuple[float, float]]
ValueFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
GradientFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
# (x, y) -> (d2f/dx2, d2f/dxdy, d2f/dy2): the Hessian's three distinct entries.
HessianFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
# (x, y, index) -> (df/dx, df/dy) of the loss on the data rows ``index`` only (a mini-batch).
BatchGradientFn = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
# (x, y) -> (gradient, Hessian) as above, computed together (sharing work, e.g. exponentials).
GradHessFn = Callable[
    [np.ndarray, np.ndarray],
    tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
]
# (x, y) -> (r_1, ..., r_m) with f = sum_i r_i^2, and -> ((dr_i/dx, dr_i/dy) for each i).
ResidualFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, ...]]
JacobianFn = Callable[[np.ndarray, np.ndarray], tuple[tuple[np.ndarray, np.ndarray], ...]]
# (x, y, gx, gy, scratch) -> None: writes df/dx into gx and df/dy into gy (shape of x), using
# the rows of scratch, shape (SCRATCH_ROWS, *x.shape), as working memory.
GradientIntoFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]
SCRATCH_ROWS = 4
# Fewer points than this take the plain formula even where a fused one exists: on small arrays
# NumPy's per-call overhead dominates and out= calls cost more than operators (measured: the
# fused forms are 1.2-2x slower for one point, on par near 1,000 points, faster beyond).
FUSED_MIN_POINTS = 1024

_KINDS = ("global", "local")


MAX_BOUND = 1e4  # domain coordinates lie in [-MAX_BOUND, MAX_BOUND]
MIN_WIDTH = 1e-3  # and each side of the domain is at least this wide


def check_domain(domain) -> Domain:
    """((x0, x1), (y0, y1)) as floats, or ValueError: finite, x0 < x1, y0 < y1, bounded."""
    try:
        (x0, x1), (y0, y1) = domain
    except (TypeError, ValueError):
        raise ValueError(f"domain must be ((x0, x1), (y0, y1)), got {domain!r}") from None
    bounds = (x0, x1, y0, y1)
    if not all(isinstance(v, (int, float, np.integer, np.floating)) for v in bounds) or any(
        isinstance(v, (bool, np.bool_)) for v in bounds
    ):
        raise ValueError(f"domain bounds must be numbers, got {domain!r}")
    bounds = tuple(float(v) for v in bounds)
    if not all(math.isfinite(v) and abs(v) <= MAX_BOUND for v in bounds):
        raise ValueError(f"domain bounds must be finite and within ±{MAX_BOUND:g}, got {domain!r}")
    x0, x1, y0, y1 = bounds
    if not (x1 - x0 >= MIN_WIDTH and y1 - y0 >= MIN_WIDTH):
        raise ValueError(
            f"domain needs x0 < x1 and y0 < y1, each side at least {MIN_WIDTH:g} wide, "
            f"got {domain!r}"
        )
    return (x0, x1), (y0, y1)


def check_number(
    name: str, value, ok: Callable[[float], bool] | None = None, rule: str = ""
) -> float:
    """``value`` as a float, or ValueError naming it unless it is one real, finite number (not
    a bool, string or complex) for which ``ok`` holds; ``rule`` says what ``ok`` accepts."""
    good = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )
    if not (good and math.isfinite(value) and (ok is None or ok(float(value)))):
        raise ValueError(f"{name} must be a finite number{rule and ' '}{rule}, got {value!r}")
    return float(value)


def check_point(name: str, point) -> Point:
    """``point`` as (x, y) floats, or ValueError unless it is two finite real numbers."""
    try:
        x, y = point
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a point (x, y), got {point!r}") from None
    return check_number(f"{name} x", x), check_number(f"{name} y", y)


class Minimum(NamedTuple):
    """A known minimum: ``point`` (x, y), ``value`` f(point), ``kind`` "global" or "local"."""

    point: Point
    value: float
    kind: str


def as_points(points: ArrayLike) -> np.ndarray:
    """Points of shape (..., 2) as float64, or ValueError unless they are real numbers (NumPy
    would read strings as numbers and drop imaginary parts with a warning)."""
    p = np.asarray(points)
    if p.dtype.kind not in "iuf":
        raise ValueError(f"points must be real numbers, got {p.dtype} in {points!r}")
    if p.shape[-1:] != (2,):
        raise ValueError(f"points must have shape (..., 2), got {p.shape}")
    return np.asarray(p, dtype=np.float64)


def _split(points: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y views of points of shape (..., 2) as float64."""
    p = as_points(points)
    return p[..., 0], p[..., 1]


@dataclass(frozen=True, repr=False)
class Surface:
    """A 2D test surface f: R^2 -> R with analytic gradient and (optionally) Hessian.

    ``value``, ``gradient`` and ``hessian`` accept points of any shape (..., 2) (one point (2,),
    a batch (n, 2), a grid (h, w, 2)) and return shapes (...), (..., 2) and (..., 2, 2).
    Overflow from diverging optimizers gives inf/nan without warnings.

    Surfaces that are sums of squares, f = sum_i r_i(x, y)^2 exactly, also give their ``m``
    residuals (``residuals``: (..., m)) and Jacobian (``jacobian``: (..., m, 2)), which
    Levenberg-Marquardt needs; ``has_residuals`` says whether they do. ``grad_hess_fn``, when
    given, computes gradient and Hessian in one pass for Newton-type methods (equal to
    ``grad_fn`` and ``hess_fn`` up to rounding).

    ``log_scale`` says that contours read better on levels spaced logarithmically above the
    global minimum value. ``curvature`` is (mu, L), the smallest and largest Hessian eigenvalue,
    for surfaces with a constant Hessian (the quadratic, linear regression), else None: gradient
    descent on such a surface is stable for learning rates below 2/L.

    ``formula`` is the normalised text of a surface typed by the user (`surfaces.from_formula`),
    else None. Surfaces defined by a data set (`surfaces.data`) carry it as ``data`` = (x (n,),
    y (n,)) and a mini-batch gradient ``batch_grad_fn``, else both are None. ``grad_into``, when
    given, is ``grad_fn`` computed without temporaries (see the module docstring); ``gradient``
    then uses it.
    """

    name: str
    title: str
    description: str
    fn: ValueFn = field(compare=False)
    grad_fn: GradientFn = field(compare=False)
    domain: Domain
    start: Point
    minima: tuple[Minimum, ...]
    saddles: tuple[Point, ...] = ()
    log_scale: bool = False
    curvature: tuple[float, float] | None = None
    hess_fn: HessianFn | None = field(default=None, compare=False)
    formula: str | None = None
    data: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False)
    batch_grad_fn: BatchGradientFn | None = field(default=None, compare=False)
    residual_fn: ResidualFn | None = field(default=None, compare=False)
    jacobian_fn: JacobianFn | None = field(default=None, compare=False)
    grad_hess_fn: GradHessFn | None = field(default=None, compare=False)
    grad_into: GradientIntoFn | None = field(default=None, compare=False)
    SCRATCH_ROWS: ClassVar[int] = SCRATCH_ROWS

    def __post_init__(self) -> None:
        if self.grad_hess_fn is not None and self.hess_fn is None:
            raise ValueError(f"{self.name}: grad_hess_fn needs hess_fn too")
        if (self.residual_fn is None) != (self.jacobian_fn is None):
            raise ValueError(f"{self.name}: give both residual_fn and jacobian_fn, or neither")
        if not any(m.kind == "global" for m in self.minima):
            raise ValueError(f"{self.name}: needs at least one global minimum")
        if any(m.kind not in _KINDS for m in self.minima):
            raise ValueError(f"{self.name}: minimum kinds must be one of {_KINDS}")

    def value(self, points: ArrayLike) -> np.ndarray:
        """f at points of shape (..., 2); returns shape (...)."""
        x, y = _split(points)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return np.asarray(self.fn(x, y), dtype=np.float64)

    def gradient(
        self,
        points: ArrayLike,
        out: np.ndarray | None = None,
        scratch: np.ndarray | None = None,
    ) -> np.ndarray:
        """Analytic gradient (df/dx, df/dy) at points of shape (..., 2); returns shape (..., 2).

        ``out`` (..., 2), if given, receives the result (it must not overlap ``points``).
        From ``FUSED_MIN_POINTS`` points on, a surface with ``grad_into`` uses it, with
        ``scratch`` (SCRATCH_ROWS, ...) as working memory; given ``out`` and ``scratch`` it
        then allocates nothing. Fastest with ``points`` and ``out`` in Fortran order, where the
        x and y columns are contiguous.
        """
        x, y = _split(points)
        if out is None:
            out = np.empty(x.shape + (2,))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.grad_into is None or x.size < FUSED_MIN_POINTS:
                out[..., 0], out[..., 1] = self.grad_fn(x, y)  # cheaper than np.stack
            else:
                if scratch is None:
                    scratch = np.empty((SCRATCH_ROWS, *x.shape))
                self.grad_into(x, y, out[..., 0], out[..., 1], scratch)
        return out

    def hessian(self, points: ArrayLike) -> np.ndarray:
        """Analytic Hessian at points of shape (..., 2); returns shape (..., 2, 2), symmetric."""
        if self.hess_fn is None:
            raise NotImplementedError(f"{self.name}: no analytic Hessian")
        x, y = _split(points)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            fxx, fxy, fyy = self.hess_fn(x, y)
            out = np.empty(x.shape + (2, 2))
            out[..., 0, 0], out[..., 1, 1] = fxx, fyy
            out[..., 0, 1] = out[..., 1, 0] = fxy
            return out

    @property
    def n_data(self) -> int | None:
        """Number of data rows behind the loss, or None for a surface not defined by data."""
        return None if self.data is None else len(self.data[0])

    def batch_gradient(self, points: ArrayLike, index: ArrayLike) -> np.ndarray:
        """Gradient of the loss on the data rows ``index`` only, a mini-batch: the same loss
        averaged over those rows instead of all of them.

        points (..., 2), index (k,) integers into the data (the same rows for every point);
        returns (..., 2). The mean of the mini-batch gradients over batches of equal size that
        partition the data is the full gradient.
        """
        if self.batch_grad_fn is None:
            raise NotImplementedError(f"{self.name}: not defined by data, no mini-batches")
        rows = np.asarray(index)
        if rows.ndim != 1 or rows.size == 0 or not np.issubdtype(rows.dtype, np.integer):
            raise ValueError(f"index must be a non-empty 1-D integer array, got {rows!r}")
        if rows.min() < 0 or rows.max() >= self.n_data:
            raise ValueError(
                f"index must lie in [0, {self.n_data}), got {rows.min()}..{rows.max()}"
            )
        x, y = _split(points)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = np.empty(x.shape + (2,))
            out[..., 0], out[..., 1] = self.batch_grad_fn(x, y, rows)
            return out

    @property
    def has_residuals(self) -> bool:
        """Whether f is given as a sum of squares of residuals (for Levenberg-Marquardt)."""
        return self.residual_fn is not None

    def residuals(self, points: ArrayLike) -> np.ndarray:
        """Residuals r_i at points of shape (..., 2), f = sum_i r_i^2; returns shape (..., m)."""
        if self.residual_fn is None:
            raise NotImplementedError(f"{self.name}: not a sum of squares (no residuals)")
        x, y = _split(points)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            rs = self.residual_fn(x, y)
            out = np.empty(x.shape + (len(rs),))
            for i, r in enumerate(rs):
                out[..., i] = r
            return out

    def jacobian(self, points: ArrayLike) -> np.ndarray:
        """Jacobian dr_i/d(x, y) of the residuals at points (..., 2); returns shape (..., m, 2)."""
        if self.jacobian_fn is None:
            raise NotImplementedError(f"{self.name}: not a sum of squares (no residuals)")
        x, y = _split(points)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            rows = self.jacobian_fn(x, y)
            out = np.empty(x.shape + (len(rows), 2))
            for i, (drdx, drdy) in enumerate(rows):
                out[..., i, 0], out[..., i, 1] = drdx, drdy
            return out

    @property
    def global_minimum(self) -> Minimum:
        """The first listed global minimum."""
        return next(m for m in self.minima if m.kind == "global")

    def nearest_minimum(self, points: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Index into ``minima`` of the closest minimum, and the Euclidean distance to it.

        points: (..., 2) -> (index (...) int, distance (...) float). Non-finite points get
        index 0 and distance inf.
        """
        x, y = _split(points)
        index, best = np.zeros(x.shape, dtype=int), np.full(x.shape, np.inf)
        with np.errstate(over="ignore", invalid="ignore"):
            for i, m in enumerate(self.minima):  # a few minima, many points: loop the minima
                dx, dy = x - m.point[0], y - m.point[1]
                d2 = dx * dx + dy * dy
                closer = d2 < best
                index[closer], best[closer] = i, d2[closer]
        return index, np.sqrt(best)

    @property
    def near_radius(self) -> float:
        """How close a point must be to a minimum to count as having reached it: a quarter of
        the smallest distance between two listed minima (so their discs never overlap), and at
        most 5% of the domain's shorter side.

        The one rule for "reached a minimum" (``reached``, ``surfaces.reached_minima``), used
        by the race summary and the minima lab alike.
        """
        (x0, x1), (y0, y1) = self.domain
        radius = 0.05 * min(x1 - x0, y1 - y0)
        centres = np.array([m.point for m in self.minima])
        if len(centres) > 1:
            gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1)
            radius = min(radius, 0.25 * gaps[~np.eye(len(centres), dtype=bool)].min())
        return float(radius)

    def reached(self, points: ArrayLike) -> np.ndarray:
        """Index into ``minima`` of the listed minimum within ``near_radius`` of each point, or
        -1 (far from every listed minimum, or not finite). points (..., 2) -> (...) int.

        Only listed minima: ``surfaces.reached_minima`` also polishes the other points to find
        the unlisted minima they sit in (Rastrigin and Ackley list only the nearest ring).
        """
        index, distance = self.nearest_minimum(points)
        return np.where(distance <= self.near_radius, index, -1)

    def __repr__(self) -> str:
        n_global = sum(m.kind == "global" for m in self.minima)
        return (
            f"Surface({self.name!r}, title={self.title!r}, domain={self.domain}, "
            f"start={self.start}, minima={n_global} global + {len(self.minima) - n_global} local, "
            f"saddles={len(self.saddles)})"
        )


def fd_hessian(gradient: Callable[[np.ndarray], np.ndarray], p: np.ndarray, h: float = 1e-5):
    """Symmetrised central-difference Hessian of a gradient function at one point p (2,)."""
    columns = [(gradient(p + h * e) - gradient(p - h * e)) / (2 * h) for e in np.eye(2)]
    hessian = np.stack(columns, axis=-1)
    return 0.5 * (hessian + hessian.T)


def refine(
    gradient: Callable[[np.ndarray], np.ndarray],
    guess: Sequence[float],
    hessian: Callable[[np.ndarray], np.ndarray] | None = None,
) -> Point:
    """Polish an approximate stationary point with Newton's method, p <- p - H^-1 grad f(p).

    H is the analytic ``hessian`` (p (2,) -> (2, 2)) when given, else a central-difference
    Hessian of the analytic gradient; either way the fixed point is exact (it only depends on the
    gradient) and convergence is (nearly) quadratic. Raises RuntimeError if the guess does not
    converge to a stationary point within 1e-3 of itself.
    """
    hessian = hessian or (lambda q: fd_hessian(gradient, q))
    p = np.array(guess, dtype=np.float64)
    for _ in range(30):
        g = gradient(p)
        if np.linalg.norm(g) < 1e-14:
            break
        p = p - np.linalg.solve(hessian(p), g)
    if not np.linalg.norm(gradient(p)) < 1e-9 or np.linalg.norm(p - guess) > 1e-3:
        raise RuntimeError(f"no stationary point found near {tuple(guess)}; ended at {p}")
    return float(p[0]), float(p[1])


def make_surface(
    name: str,
    title: str,
    description: str,
    fn: ValueFn,
    grad_fn: GradientFn,
    *,
    domain: Domain,
    start: Point,
    global_minima: Sequence[Point],
    local_minima: Sequence[Point] = (),
    saddles: Sequence[Point] = (),
    log_scale: bool = False,
    curvature: tuple[float, float] | None = None,
    hess_fn: HessianFn | None = None,
    residual_fn: ResidualFn | None = None,
    jacobian_fn: JacobianFn | None = None,
    grad_hess_fn: GradHessFn | None = None,
    grad_into: GradientIntoFn | None = None,
) -> Surface:
    """Build a Surface, polishing the approximate minima and saddles with `refine` (Newton's
    method on the analytic Hessian when ``hess_fn`` is given)."""

    def gradient(p: np.ndarray) -> np.ndarray:
        return np.array(grad_fn(p[0], p[1]))

    def hessian(p: np.ndarray) -> np.ndarray:
        fxx, fxy, fyy = hess_fn(p[0], p[1])
        return np.array([[fxx, fxy], [fxy, fyy]], dtype=np.float64)

    def polish(guess: Point) -> Point:
        return refine(gradient, guess, hessian if hess_fn else None)

    def minimum(guess: Point, kind: str) -> Minimum:
        point = polish(guess)
        return Minimum(point, float(fn(np.float64(point[0]), np.float64(point[1]))), kind)

    minima = [minimum(p, "global") for p in global_minima]
    minima += [minimum(p, "local") for p in local_minima]
    return Surface(
        name=name,
        title=title,
        description=description,
        fn=fn,
        grad_fn=grad_fn,
        domain=domain,
        start=start,
        minima=tuple(minima),
        saddles=tuple(polish(p) for p in saddles),
        log_scale=log_scale,
        curvature=curvature,
        hess_fn=hess_fn,
        residual_fn=residual_fn,
        jacobian_fn=jacobian_fn,
        grad_hess_fn=grad_hess_fn,
        grad_into=grad_into,
    )
