"""Surfaces designed for teaching: a long valley, a saddle, a quadratic bowl and a set of wells.

Each comes with its analytic gradient and Hessian (d2f/dx2, d2f/dxdy, d2f/dy2); the long valley
and the quadratic are also written as sums of squares (residuals and Jacobian) for
Levenberg-Marquardt.
"""

from functools import partial

import numpy as np

from surfaces.base import Surface, check_number, make_surface

VALLEY_WALL, VALLEY_SLOPE, VALLEY_END = 5.0, 0.2, 3.0


def long_valley(x, y):
    """f = 5 y^2 + 0.2 (sqrt(1 + (x - 3)^2) - 1).

    Steep walls across the valley (curvature 10 in y) and a floor that slopes down at a nearly
    constant 0.2 towards the minimum at (3, 0), where it rounds off into a bowl of curvature 0.2
    (a pseudo-Huber floor). Plain gradient descent crawls along the floor at lr * 0.2 per step;
    momentum builds up to ten times that.
    """
    return VALLEY_WALL * y * y + VALLEY_SLOPE * (np.sqrt(1 + (x - VALLEY_END) ** 2) - 1)


def long_valley_grad(x, y):
    """df/dx = 0.2 (x - 3) / sqrt(1 + (x - 3)^2),  df/dy = 10 y."""
    dx = x - VALLEY_END
    return VALLEY_SLOPE * dx / np.sqrt(1 + dx * dx), 2 * VALLEY_WALL * y


def long_valley_hess(x, y):
    """d2f/dx2 = 0.2 (1 + (x - 3)^2)^(-3/2),  d2f/dxdy = 0,  d2f/dy2 = 10."""
    q = np.sqrt(1 + (x - VALLEY_END) ** 2)
    return VALLEY_SLOPE / (q * q * q), np.zeros_like(x), np.full_like(y, 2 * VALLEY_WALL)


def long_valley_residuals(x, y):
    """r1 = sqrt(5) y,  r2 = d sqrt(0.2 / (1 + q)) with d = x - 3, q = sqrt(1 + d^2).

    q - 1 = d^2 / (q + 1), so r2^2 = 0.2 (q - 1) is the floor term, and r2 is smooth (the plain
    square root sqrt(0.2 (q - 1)) ~ |d| would have a kink at the minimum).
    """
    d = x - VALLEY_END
    return np.sqrt(VALLEY_WALL) * y, d * np.sqrt(VALLEY_SLOPE / (1 + np.sqrt(1 + d * d)))


def long_valley_jacobian(x, y):
    """dr1 = (0, sqrt(5)),  dr2 = (sqrt(0.2) sqrt(1 + q) / (2q), 0)."""
    q = np.sqrt(1 + (x - VALLEY_END) ** 2)
    zero = np.zeros_like(x)
    return (
        (zero, np.full_like(y, np.sqrt(VALLEY_WALL))),
        (np.sqrt(VALLEY_SLOPE * (1 + q)) / (2 * q), zero),
    )


def saddle(x, y):
    """f = x^2 - y^2 + y^4 / 2.

    Near the origin this is the classic saddle x^2 - y^2 (Hessian diag(2, -2)); the quartic term
    bounds it below, so runs that escape the saddle settle in one of the minima (0, +-1), f = -1/2,
    instead of falling off the plot, and "converged" stays meaningful.
    """
    y2 = y * y
    return x * x + y2 * (0.5 * y2 - 1)


def saddle_grad(x, y):
    """df/dx = 2x,  df/dy = 2y (y^2 - 1)."""
    return 2 * x, 2 * y * (y * y - 1)


def saddle_hess(x, y):
    """d2f/dx2 = 2,  d2f/dxdy = 0,  d2f/dy2 = 6y^2 - 2 (negative for |y| < 1/sqrt(3))."""
    return np.full_like(x, 2.0), np.zeros_like(x), 6 * y * y - 2


def _quadratic(x, y, a, b, c):
    """f = (a x^2 + 2 b xy + c y^2) / 2."""
    return 0.5 * (a * x * x + 2 * b * x * y + c * y * y)


def _quadratic_grad(x, y, a, b, c):
    """grad f = A p = (a x + b y, b x + c y)."""
    return a * x + b * y, b * x + c * y


def _quadratic_hess(x, y, a, b, c):
    """Constant: H = A = [[a, b], [b, c]]."""
    return np.full_like(x, a), np.full_like(x, b), np.full_like(x, c)


def _quadratic_residuals(x, y, steep, flat, cos, sin):
    """With A = L u u^T + mu v v^T, f = (L (u.p)^2 + mu (v.p)^2) / 2, so
    r1 = sqrt(L/2) u.p and r2 = sqrt(mu/2) v.p, u = (sin t, -cos t), v = (cos t, sin t);
    ``steep`` = sqrt(L/2), ``flat`` = sqrt(mu/2)."""
    return steep * (sin * x - cos * y), flat * (cos * x + sin * y)


def _quadratic_jacobian(x, y, steep, flat, cos, sin):
    """Constant: dr1 = sqrt(L/2) u,  dr2 = sqrt(mu/2) v."""
    ones = np.ones_like(x)
    return (steep * sin * ones, -steep * cos * ones), (flat * cos * ones, flat * sin * ones)


def quadratic(
    condition_number: float = 10.0, *, largest: float = 10.0, angle_deg: float = 30.0
) -> Surface:
    """An ill-conditioned bowl f(p) = p^T A p / 2 with A = L u u^T + mu v v^T.

    v = (cos t, sin t) is the flat direction along the valley floor (t = ``angle_deg``), u the
    steep direction across it; L = ``largest`` and mu = L / ``condition_number`` are the
    Hessian's eigenvalues, so ``curvature`` = (mu, L) and gradient descent is stable for
    lr < 2 / L. The valley is rotated off the axes so that per-coordinate scaling (Adagrad,
    RMSProp, Adam) cannot undo the ill-conditioning.
    """
    condition_number = check_number("condition_number", condition_number, lambda v: v >= 1, ">= 1")
    largest = check_number("largest", largest, lambda v: v > 0, "> 0")
    angle_deg = check_number("angle_deg", angle_deg)
    mu = largest / condition_number
    cos, sin = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    coefficients = {
        "a": float(mu * cos * cos + largest * sin * sin),
        "b": float((mu - largest) * cos * sin),
        "c": float(mu * sin * sin + largest * cos * cos),
    }
    roots = {
        "steep": float(np.sqrt(largest / 2)),
        "flat": float(np.sqrt(mu / 2)),
        "cos": float(cos),
        "sin": float(sin),
    }
    return make_surface(
        "quadratic",
        f"Ill-conditioned quadratic (condition number {condition_number:g})",
        f"A rotated elliptic bowl with Hessian eigenvalues {mu:g} and {largest:g}.",
        partial(_quadratic, **coefficients),
        partial(_quadratic_grad, **coefficients),
        domain=((-3.0, 3.0), (-3.0, 3.0)),
        start=(-2.5, 0.5),
        global_minima=[(0.0, 0.0)],
        log_scale=True,
        curvature=(float(mu), float(largest)),
        hess_fn=partial(_quadratic_hess, **coefficients),
        residual_fn=partial(_quadratic_residuals, **roots),
        jacobian_fn=partial(_quadratic_jacobian, **roots),
    )


WELLS_BOWL = 0.15
# (centre x, centre y, depth, width) of each Gaussian well; the first is the deepest.
WELLS = (
    (1.3, -1.3, 2.0, 0.8),
    (-1.6, 1.4, 0.6, 0.45),
    (1.6, 1.6, 1.0, 0.6),
    (-1.7, -1.5, 0.8, 0.5),
)


def wells(x, y):
    """f = 0.15 (x^2 + y^2) - sum_i d_i exp(-|p - c_i|^2 / (2 s_i^2)), wells (c_i, d_i, s_i)."""
    f = WELLS_BOWL * (x * x + y * y)
    for cx, cy, depth, width in WELLS:
        f = f - depth * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width * width))
    return f


def wells_grad(x, y):
    """grad f = 0.3 p + sum_i (d_i / s_i^2) exp(-|p - c_i|^2 / (2 s_i^2)) (p - c_i)."""
    gx, gy = 2 * WELLS_BOWL * x, 2 * WELLS_BOWL * y
    for cx, cy, depth, width in WELLS:
        dx, dy = x - cx, y - cy
        e = depth / (width * width) * np.exp(-(dx * dx + dy * dy) / (2 * width * width))
        gx, gy = gx + e * dx, gy + e * dy
    return gx, gy


def wells_hess(x, y):
    """H = 0.3 I + sum_i (d_i / s_i^2) e_i (I - (p - c_i)(p - c_i)^T / s_i^2),
    e_i = exp(-|p - c_i|^2 / (2 s_i^2))."""
    fxx = np.full_like(x, 2 * WELLS_BOWL)
    fxy, fyy = np.zeros_like(x), np.full_like(y, 2 * WELLS_BOWL)
    for cx, cy, depth, width in WELLS:
        dx, dy, s2 = x - cx, y - cy, width * width
        dx2, dy2 = dx * dx, dy * dy
        e = depth / s2 * np.exp((dx2 + dy2) * (-0.5 / s2))
        e_over_s2 = e * (1 / s2)
        fxx += e - e_over_s2 * dx2
        fxy -= e_over_s2 * dx * dy
        fyy += e - e_over_s2 * dy2
    return fxx, fxy, fyy


def wells_grad_hess(x, y):
    """``wells_grad`` and ``wells_hess`` in one pass: the exponentials, most of the cost, once."""
    gx, gy = 2 * WELLS_BOWL * x, 2 * WELLS_BOWL * y
    fxx = np.full_like(x, 2 * WELLS_BOWL)
    fxy, fyy = np.zeros_like(x), np.full_like(y, 2 * WELLS_BOWL)
    for cx, cy, depth, width in WELLS:
        dx, dy, s2 = x - cx, y - cy, width * width
        dx2, dy2 = dx * dx, dy * dy
        e = depth / s2 * np.exp((dx2 + dy2) * (-0.5 / s2))
        e_over_s2 = e * (1 / s2)
        gx += e * dx
        gy += e * dy
        fxx += e - e_over_s2 * dx2
        fxy -= e_over_s2 * dx * dy
        fyy += e - e_over_s2 * dy2
    return (gx, gy), (fxx, fxy, fyy)


def wells_grad_into(x, y, gx, gy, scratch):
    """`wells_grad` written into gx, gy: the same operations in the same order, through four
    scratch rows instead of temporaries (see surfaces.base)."""
    dx, dy, e, dy2 = scratch[:4]
    np.multiply(x, 2 * WELLS_BOWL, out=gx)
    np.multiply(y, 2 * WELLS_BOWL, out=gy)
    for cx, cy, depth, width in WELLS:
        np.subtract(x, cx, out=dx)
        np.subtract(y, cy, out=dy)
        np.multiply(dx, dx, out=e)
        np.multiply(dy, dy, out=dy2)
        e += dy2
        e /= -(2 * width * width)  # -a / c and a / -c round alike
        np.exp(e, out=e)
        e *= depth / (width * width)
        dx *= e
        gx += dx
        dy *= e
        gy += dy


LONG_VALLEY = make_surface(
    "long_valley",
    "Long valley",
    "Steep walls and a gently sloping floor: gradient descent crawls, momentum races.",
    long_valley,
    long_valley_grad,
    domain=((-4.0, 4.0), (-2.0, 2.0)),
    start=(-3.5, 0.8),
    global_minima=[(VALLEY_END, 0.0)],
    log_scale=True,
    hess_fn=long_valley_hess,
    residual_fn=long_valley_residuals,
    jacobian_fn=long_valley_jacobian,
)

SADDLE = make_surface(
    "saddle",
    "Saddle point",
    "A saddle at the origin: gradient descent stalls on the ridge, noise and momentum escape.",
    saddle,
    saddle_grad,
    domain=((-1.5, 1.5), (-1.5, 1.5)),
    start=(1.0, 1e-3),
    global_minima=[(0.0, 1.0), (0.0, -1.0)],
    saddles=[(0.0, 0.0)],
    hess_fn=saddle_hess,
)

QUADRATIC = quadratic()

# The minima and saddles of `wells` have no closed form: these were located by grid search and
# Newton's method and are polished again by `make_surface` at import.
WELLS_SURFACE = make_surface(
    "wells",
    "Wells of different depths",
    "A bowl with four Gaussian wells: a shallow one near the start traps plain gradient descent.",
    wells,
    wells_grad,
    grad_into=wells_grad_into,
    domain=((-3.0, 3.0), (-3.0, 3.0)),
    start=(-2.8, 2.6),
    global_minima=[(1.183930039516, -1.183886195193)],
    local_minima=[
        (1.431543369854, 1.423015026739),
        (-1.536315858338, -1.359984583632),
        (-1.436515037275, 1.256953549515),
    ],
    saddles=[
        (1.059919188852, 0.643014948437),
        (-0.903153735356, -0.976544137391),
        (-0.933336655434, 0.816810672705),
    ],
    hess_fn=wells_hess,
    grad_hess_fn=wells_grad_hess,
)
