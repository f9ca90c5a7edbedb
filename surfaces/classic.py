"""Classic benchmark functions of global optimisation, each with its analytic gradient and Hessian.

Formulas, domains and published minima follow Surjanovic & Bingham, "Virtual Library of
Simulation Experiments: Test Functions and Datasets" (sfu.ca/~ssurjano), and Jamil & Yang (2013),
"A literature survey of benchmark functions for global optimisation problems". The published
coordinates below are starting guesses; `make_surface` polishes them to full float64 precision.
Local minima and saddles that are not in those sources were located with a grid search followed
by Newton's method, and are checked in tests/test_surfaces.py.

Hessians return the three distinct entries (d2f/dx2, d2f/dxdy, d2f/dy2). Functions that are sums
of squares f = sum_i r_i^2 (Beale, Rosenbrock, Himmelblau, Booth, Rastrigin) also give their
residuals r_i and Jacobian rows (dr_i/dx, dr_i/dy) for Levenberg-Marquardt.
"""

import numpy as np

from surfaces.base import make_surface

TAU = 2 * np.pi
SQRT20 = np.sqrt(20.0)


def beale(x, y):
    """f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2."""
    y2 = y * y
    r1, r2, r3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y2 * y
    return r1 * r1 + r2 * r2 + r3 * r3


def beale_grad(x, y):
    """With a_i = y^i - 1 and residuals r_i = c_i + x a_i (c = 1.5, 2.25, 2.625):
    df/dx = 2 sum_i r_i a_i,  df/dy = 2x (r1 + y (2 r2 + 3y r3)), the Horner form of
    2x sum_i i r_i y^(i-1). Shared factors keep this hot function to few array operations."""
    y2 = y * y
    a1, a2, a3 = y - 1, y2 - 1, y2 * y - 1
    r1, r2, r3 = 1.5 + x * a1, 2.25 + x * a2, 2.625 + x * a3
    return 2 * (r1 * a1 + r2 * a2 + r3 * a3), 2 * x * (r1 + y * (2 * r2 + 3 * y * r3))


def beale_hess(x, y):
    """With dr_i/dx = a_i, dr_i/dy = i x y^(i-1):
    d2f/dx2 = 2 sum_i a_i^2,
    d2f/dxdy = 2 sum_i i y^(i-1) (x a_i + r_i),
    d2f/dy2 = 2 (x^2 + 4x^2 y^2 + 9x^2 y^4 + 2x r2 + 6xy r3)."""
    y2 = y * y
    a1, a2, a3 = y - 1, y2 - 1, y2 * y - 1
    r1, r2, r3 = 1.5 + x * a1, 2.25 + x * a2, 2.625 + x * a3
    fxx = 2 * (a1 * a1 + a2 * a2 + a3 * a3)
    fxy = 2 * ((x * a1 + r1) + 2 * y * (x * a2 + r2) + 3 * y2 * (x * a3 + r3))
    fyy = 2 * (x * x * (1 + 4 * y2 + 9 * y2 * y2) + 2 * x * r2 + 6 * x * y * r3)
    return fxx, fxy, fyy


def beale_residuals(x, y):
    """r_i = c_i - x + x y^i, c = (1.5, 2.25, 2.625)."""
    y2 = y * y
    return 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y2 * y


def beale_jacobian(x, y):
    """dr_i/dx = y^i - 1,  dr_i/dy = i x y^(i-1)."""
    y2 = y * y
    return (y - 1, x), (y2 - 1, 2 * x * y), (y2 * y - 1, 3 * x * y2)


def beale_grad_into(x, y, gx, gy, scratch):
    """`beale_grad` written into gx, gy: the same operations in the same order, through four
    scratch rows instead of temporaries (see surfaces.base)."""
    s0, s1, s2, s3 = scratch[:4]
    np.multiply(y, y, out=s0)  # y2
    np.subtract(y, 1, out=s1)  # a1
    np.subtract(s0, 1, out=s2)  # a2
    np.multiply(s0, y, out=s3)
    s3 -= 1  # a3
    np.multiply(x, s1, out=s0)
    s0 += 1.5  # r1
    np.multiply(s0, s1, out=gx)  # gx = r1 a1
    np.multiply(x, s2, out=s1)
    s1 += 2.25  # r2
    np.multiply(s1, s2, out=gy)
    gx += gy  # + r2 a2
    np.multiply(x, s3, out=s2)
    s2 += 2.625  # r3
    np.multiply(s2, s3, out=gy)
    gx += gy  # + r3 a3
    gx *= 2
    np.multiply(y, 3, out=s3)
    s3 *= s2  # 3 y r3
    s1 *= 2
    s1 += s3  # 2 r2 + 3 y r3
    s1 *= y
    s1 += s0  # r1 + y (...)
    np.multiply(x, 2, out=gy)
    gy *= s1


def rosenbrock(x, y):
    """f = (1 - x)^2 + 100 (y - x^2)^2."""
    d = y - x * x
    return (1 - x) ** 2 + 100 * d * d


def rosenbrock_grad(x, y):
    """df/dx = -2(1 - x) - 400x(y - x^2),  df/dy = 200(y - x^2)."""
    d = y - x * x
    return -2 * (1 - x) - 400 * x * d, 200 * d


def rosenbrock_hess(x, y):
    """d2f/dx2 = 2 - 400y + 1200x^2,  d2f/dxdy = -400x,  d2f/dy2 = 200."""
    return 2 - 400 * y + 1200 * x * x, -400 * x, np.full_like(x, 200.0)


def rosenbrock_residuals(x, y):
    """r1 = 1 - x,  r2 = 10 (y - x^2)."""
    return 1 - x, 10 * (y - x * x)


def rosenbrock_jacobian(x, y):
    """dr1 = (-1, 0),  dr2 = (-20x, 10)."""
    return (np.full_like(x, -1.0), np.zeros_like(x)), (-20 * x, np.full_like(x, 10.0))


def rosenbrock_grad_into(x, y, gx, gy, scratch):
    """`rosenbrock_grad` written into gx, gy: the same operations in the same order, through
    two scratch rows instead of temporaries (see surfaces.base)."""
    d, s1 = scratch[:2]
    np.multiply(x, x, out=d)
    np.subtract(y, d, out=d)  # d = y - x^2
    np.subtract(1, x, out=s1)
    s1 *= -2  # -2 (1 - x)
    np.multiply(x, 400, out=gx)
    gx *= d
    np.subtract(s1, gx, out=gx)  # -2 (1 - x) - 400 x d
    np.multiply(d, 200, out=gy)


def himmelblau(x, y):
    """f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2."""
    u, v = x * x + y - 11, x + y * y - 7
    return u * u + v * v


def himmelblau_grad(x, y):
    """df/dx = 4xu + 2v,  df/dy = 2u + 4yv  with u = x^2 + y - 11, v = x + y^2 - 7."""
    u, v = x * x + y - 11, x + y * y - 7
    return 4 * x * u + 2 * v, 2 * u + 4 * y * v


def himmelblau_hess(x, y):
    """d2f/dx2 = 4u + 8x^2 + 2,  d2f/dxdy = 4(x + y),  d2f/dy2 = 4v + 8y^2 + 2."""
    u, v = x * x + y - 11, x + y * y - 7
    return 4 * u + 8 * x * x + 2, 4 * (x + y), 4 * v + 8 * y * y + 2


def himmelblau_residuals(x, y):
    """r1 = u = x^2 + y - 11,  r2 = v = x + y^2 - 7."""
    return x * x + y - 11, x + y * y - 7


def himmelblau_jacobian(x, y):
    """du = (2x, 1),  dv = (1, 2y)."""
    one = np.ones_like(x)
    return (2 * x, one), (one, 2 * y)


def himmelblau_grad_into(x, y, gx, gy, scratch):
    """`himmelblau_grad` written into gx, gy: the same operations in the same order, through
    three scratch rows instead of temporaries (see surfaces.base)."""
    u, v, s2 = scratch[:3]
    np.multiply(x, x, out=u)
    u += y
    u -= 11  # u = x^2 + y - 11
    np.multiply(y, y, out=v)
    v += x
    v -= 7  # v = x + y^2 - 7
    np.multiply(x, 4, out=gx)
    gx *= u
    gx += np.multiply(v, 2, out=s2)  # 4 x u + 2 v
    np.multiply(u, 2, out=gy)
    np.multiply(y, 4, out=s2)
    s2 *= v
    gy += s2  # 2 u + 4 y v


def rastrigin(x, y):
    """f = 20 + x^2 - 10 cos(2 pi x) + y^2 - 10 cos(2 pi y)  (A = 10)."""
    return 20 + x * x - 10 * np.cos(TAU * x) + y * y - 10 * np.cos(TAU * y)


def rastrigin_grad(x, y):
    """df/dx = 2x + 20 pi sin(2 pi x), likewise for y."""
    return 2 * x + 10 * TAU * np.sin(TAU * x), 2 * y + 10 * TAU * np.sin(TAU * y)


def rastrigin_hess(x, y):
    """d2f/dx2 = 2 + 40 pi^2 cos(2 pi x),  d2f/dxdy = 0,  likewise d2f/dy2."""
    return (
        2 + 10 * TAU * TAU * np.cos(TAU * x),
        np.zeros_like(x),
        2 + 10 * TAU * TAU * np.cos(TAU * y),
    )


def rastrigin_residuals(x, y):
    """Since 10 (1 - cos 2 pi x) = 20 sin^2(pi x):
    r = (x, sqrt(20) sin(pi x), y, sqrt(20) sin(pi y))."""
    return x, SQRT20 * np.sin(np.pi * x), y, SQRT20 * np.sin(np.pi * y)


def rastrigin_jacobian(x, y):
    """dr = (1, 0), (sqrt(20) pi cos(pi x), 0), (0, 1), (0, sqrt(20) pi cos(pi y))."""
    zero, one = np.zeros_like(x), np.ones_like(x)
    return (
        (one, zero),
        (SQRT20 * np.pi * np.cos(np.pi * x), zero),
        (zero, one),
        (zero, SQRT20 * np.pi * np.cos(np.pi * y)),
    )


def ackley(x, y):
    """f = -20 exp(-0.2 r) - exp((cos 2 pi x + cos 2 pi y) / 2) + e + 20,  r = sqrt((x^2+y^2)/2)."""
    r = np.hypot(x, y) * np.sqrt(0.5)
    return -20 * np.exp(-0.2 * r) - np.exp(0.5 * (np.cos(TAU * x) + np.cos(TAU * y))) + np.e + 20


def _ackley_polar(x, y):
    """r = sqrt((x^2 + y^2)/2) and the unit vector (u, v) = (x, y)/|p| (zero at the origin).

    The unit vector is computed from p / max(|x|, |y|), whose entries are exact and of order 1
    even for subnormal x and y, so it stays finite and of norm 1 down to the smallest subnormal.
    """
    big = np.maximum(np.abs(x), np.abs(y))
    safe = np.where(big > 0, big, 1.0)
    xs, ys = x / safe, y / safe
    norm = np.where(big > 0, np.hypot(xs, ys), 1.0)
    return np.hypot(x, y) * np.sqrt(0.5), xs / norm, ys / norm


def ackley_grad(x, y):
    """df/dx = 2 exp(-0.2 r) x / r + pi sin(2 pi x) exp((cos 2 pi x + cos 2 pi y) / 2).

    x / r = sqrt(2) u with (u, v) the unit vector along p: the cone term has constant norm
    2 sqrt(2) exp(-0.2 r), written so that it stays finite for subnormal r (2/r would overflow).
    The cone tip at the origin has no gradient; we return 0 there (the subgradient of least norm).
    """
    r, u, v = _ackley_polar(x, y)
    cone = 2 * np.sqrt(2.0) * np.exp(-0.2 * r)
    ripple = np.pi * np.exp(0.5 * (np.cos(TAU * x) + np.cos(TAU * y)))
    return cone * u + ripple * np.sin(TAU * x), cone * v + ripple * np.sin(TAU * y)


def ackley_hess(x, y):
    """Cone: exp(-0.2 r) [(2/r)(I - w w^T) - 0.4 w w^T], w = (u, v) the unit vector along p:
    curvature 2 exp(-0.2 r) / r across the radius, -0.4 exp(-0.2 r) along it. Ripple, with
    e_s = exp((cos 2 pi x + cos 2 pi y) / 2):
    d2/dx2 = pi^2 e_s (2 cos 2 pi x - sin^2 2 pi x),  d2/dxdy = -pi^2 e_s sin 2 pi x sin 2 pi y.

    The curvature across the radius grows like 1/r towards the cone tip: r is floored at the
    smallest normal float64 (2.2e-308) so it stays finite (at most 9e307) everywhere, including
    the origin, where w = 0 and the cone adds 9e307 I.
    """
    r, u, v = _ackley_polar(x, y)
    e = np.exp(-0.2 * r)
    across = 2 / np.maximum(r, np.finfo(np.float64).tiny)
    sx, sy, cx, cy = np.sin(TAU * x), np.sin(TAU * y), np.cos(TAU * x), np.cos(TAU * y)
    es = np.pi * np.pi * np.exp(0.5 * (cx + cy))
    fxx = e * (across * v * v - 0.4 * u * u) + es * (2 * cx - sx * sx)
    fxy = -e * u * v * (0.4 + across) - es * sx * sy
    fyy = e * (across * u * u - 0.4 * v * v) + es * (2 * cy - sy * sy)
    return fxx, fxy, fyy


def six_hump_camel(x, y):
    """f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2."""
    x2, y2 = x * x, y * y
    return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (4 * y2 - 4) * y2


def six_hump_camel_grad(x, y):
    """df/dx = 8x - 8.4x^3 + 2x^5 + y,  df/dy = x - 8y + 16y^3."""
    x2 = x * x
    return x * (8 - 8.4 * x2 + 2 * x2 * x2) + y, x + y * (16 * y * y - 8)


def six_hump_camel_hess(x, y):
    """d2f/dx2 = 8 - 25.2x^2 + 10x^4,  d2f/dxdy = 1,  d2f/dy2 = 48y^2 - 8."""
    x2 = x * x
    return 8 - 25.2 * x2 + 10 * x2 * x2, np.ones_like(x), 48 * y * y - 8


def three_hump_camel(x, y):
    """f = 2x^2 - 1.05x^4 + x^6/6 + xy + y^2."""
    x2 = x * x
    return x2 * (2 - 1.05 * x2 + x2 * x2 / 6) + x * y + y * y


def three_hump_camel_grad(x, y):
    """df/dx = 4x - 4.2x^3 + x^5 + y,  df/dy = x + 2y."""
    x2 = x * x
    return x * (4 - 4.2 * x2 + x2 * x2) + y, x + 2 * y


def three_hump_camel_hess(x, y):
    """d2f/dx2 = 4 - 12.6x^2 + 5x^4,  d2f/dxdy = 1,  d2f/dy2 = 2."""
    x2 = x * x
    return 4 - 12.6 * x2 + 5 * x2 * x2, np.ones_like(x), np.full_like(y, 2.0)


def styblinski_tang(x, y):
    """f = (x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y) / 2."""
    x2, y2 = x * x, y * y
    return 0.5 * (x2 * (x2 - 16) + 5 * x + y2 * (y2 - 16) + 5 * y)


def styblinski_tang_grad(x, y):
    """df/dx = 2x^3 - 16x + 2.5, likewise for y."""
    return x * (2 * x * x - 16) + 2.5, y * (2 * y * y - 16) + 2.5


def styblinski_tang_hess(x, y):
    """d2f/dx2 = 6x^2 - 16,  d2f/dxdy = 0,  d2f/dy2 = 6y^2 - 16."""
    return 6 * x * x - 16, np.zeros_like(x), 6 * y * y - 16


def goldstein_price(x, y):
    """f = [1 + s^2 a] [30 + t^2 b] with s = x + y + 1, t = 2x - 3y,
    a = 19 - 14x + 3x^2 - 14y + 6xy + 3y^2,  b = 18 - 32x + 12x^2 + 48y - 36xy + 27y^2."""
    s, t = x + y + 1, 2 * x - 3 * y
    a = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
    b = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
    return (1 + s * s * a) * (30 + t * t * b)


def goldstein_price_grad(x, y):
    """Product rule on f = A B:  dA/dx = dA/dy = s (2a + s (6x + 6y - 14)),
    dB/dx = t (4b + t (24x - 36y - 32)),  dB/dy = t (-6b + t (54y - 36x + 48))."""
    s, t = x + y + 1, 2 * x - 3 * y
    a = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
    b = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
    big_a, big_b = 1 + s * s * a, 30 + t * t * b
    da = s * (2 * a + s * (6 * x + 6 * y - 14))
    db_dx = t * (4 * b + t * (24 * x - 36 * y - 32))
    db_dy = t * (-6 * b + t * (54 * y - 36 * x + 48))
    return da * big_b + big_a * db_dx, da * big_b + big_a * db_dy


def goldstein_price_hess(x, y):
    """Product rule twice on f = A B. With q = da/dx = da/dy = 6x + 6y - 14 and
    b_x = 24x - 36y - 32, b_y = 54y - 36x + 48:
    A_xx = A_xy = A_yy = 2a + 4sq + 6s^2,
    B_xx = 8b + 8t b_x + 24t^2,  B_xy = -12b + 4t b_y - 6t b_x - 36t^2,
    B_yy = 18b - 12t b_y + 54t^2,
    f_ij = A_ij B + A_i B_j + A_j B_i + A B_ij."""
    s, t = x + y + 1, 2 * x - 3 * y
    a = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
    b = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
    q, bx, by = 6 * x + 6 * y - 14, 24 * x - 36 * y - 32, 54 * y - 36 * x + 48
    big_a, big_b = 1 + s * s * a, 30 + t * t * b
    da = s * (2 * a + s * q)  # dA/dx = dA/dy
    db_dx, db_dy = t * (4 * b + t * bx), t * (-6 * b + t * by)
    d2a = 2 * a + 4 * s * q + 6 * s * s
    d2b_xx = 8 * b + 8 * t * bx + 24 * t * t
    d2b_xy = -12 * b + 4 * t * by - 6 * t * bx - 36 * t * t
    d2b_yy = 18 * b - 12 * t * by + 54 * t * t
    fxx = d2a * big_b + 2 * da * db_dx + big_a * d2b_xx
    fxy = d2a * big_b + da * (db_dx + db_dy) + big_a * d2b_xy
    fyy = d2a * big_b + 2 * da * db_dy + big_a * d2b_yy
    return fxx, fxy, fyy


def booth(x, y):
    """f = (x + 2y - 7)^2 + (2x + y - 5)^2."""
    r1, r2 = x + 2 * y - 7, 2 * x + y - 5
    return r1 * r1 + r2 * r2


def booth_grad(x, y):
    """df/dx = 2 r1 + 4 r2,  df/dy = 4 r1 + 2 r2."""
    r1, r2 = x + 2 * y - 7, 2 * x + y - 5
    return 2 * r1 + 4 * r2, 4 * r1 + 2 * r2


def booth_hess(x, y):
    """Constant: d2f/dx2 = 10,  d2f/dxdy = 8,  d2f/dy2 = 10."""
    return np.full_like(x, 10.0), np.full_like(x, 8.0), np.full_like(x, 10.0)


def booth_residuals(x, y):
    """r1 = x + 2y - 7,  r2 = 2x + y - 5."""
    return x + 2 * y - 7, 2 * x + y - 5


def booth_jacobian(x, y):
    """Constant: dr1 = (1, 2),  dr2 = (2, 1)."""
    one, two = np.ones_like(x), np.full_like(x, 2.0)
    return (one, two), (two, one)


def _ring(a: float, b: float) -> list[tuple[float, float]]:
    """The 8 points (±a, 0), (0, ±a), (±b, ±b): nearest local minima of a symmetric lattice."""
    axes = [(a, 0.0), (-a, 0.0), (0.0, a), (0.0, -a)]
    return axes + [(sx * b, sy * b) for sx in (1, -1) for sy in (1, -1)]


BEALE = make_surface(
    "beale",
    "Beale's function",
    "Flat plateau and steep curved arms; the minimum sits at the end of a shallow valley.",
    beale,
    beale_grad,
    grad_into=beale_grad_into,
    domain=((-4.5, 4.5), (-4.5, 4.5)),
    start=(1.0, 1.5),
    global_minima=[(3.0, 0.5)],
    # Stationary points found by grid search + Newton (not in the sources).
    saddles=[(0.0, 1.0), (0.100538, -2.644514)],
    log_scale=True,
    hess_fn=beale_hess,
    residual_fn=beale_residuals,
    jacobian_fn=beale_jacobian,
)

ROSENBROCK = make_surface(
    "rosenbrock",
    "Rosenbrock's banana",
    "A long, curved, flat-bottomed valley: easy to find, slow to follow to the minimum.",
    rosenbrock,
    rosenbrock_grad,
    grad_into=rosenbrock_grad_into,
    domain=((-2.0, 2.0), (-1.0, 3.0)),
    start=(-1.2, 1.0),  # Rosenbrock's (1960) classic start
    global_minima=[(1.0, 1.0)],
    log_scale=True,
    hess_fn=rosenbrock_hess,
    residual_fn=rosenbrock_residuals,
    jacobian_fn=rosenbrock_jacobian,
)

HIMMELBLAU = make_surface(
    "himmelblau",
    "Himmelblau's function",
    "Four equal minima: where a run ends depends on the optimizer and its start.",
    himmelblau,
    himmelblau_grad,
    grad_into=himmelblau_grad_into,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    start=(0.5, -1.5),
    # Published minima (Himmelblau 1972; Jamil & Yang 2013, f = 0 at all four).
    global_minima=[
        (3.0, 2.0),
        (-2.805118, 3.131312),
        (-3.779310, -3.283186),
        (3.584428, -1.848126),
    ],
    # Saddles between the basins, found by grid search + Newton; the local maximum
    # (-0.270845, -0.923039), f = 181.617, is neither a minimum nor a saddle.
    saddles=[
        (3.385154, 0.073852),
        (0.086678, 2.884255),
        (-3.073026, -0.081353),
        (-0.127961, -1.953715),
    ],
    log_scale=True,
    hess_fn=himmelblau_hess,
    residual_fn=himmelblau_residuals,
    jacobian_fn=himmelblau_jacobian,
)

RASTRIGIN = make_surface(
    "rastrigin",
    "Rastrigin's function",
    "An egg-crate of local minima near every integer point on top of a bowl.",
    rastrigin,
    rastrigin_grad,
    domain=((-5.12, 5.12), (-5.12, 5.12)),
    start=(3.2, 2.7),
    global_minima=[(0.0, 0.0)],
    # Only the 8 minima nearest the global one are listed (there is one near every integer point).
    local_minima=_ring(0.994959, 0.994959),
    hess_fn=rastrigin_hess,
    residual_fn=rastrigin_residuals,
    jacobian_fn=rastrigin_jacobian,
)

ACKLEY = make_surface(
    "ackley",
    "Ackley's function",
    "A nearly flat, rippled plate with a deep funnel at the origin.",
    ackley,
    ackley_grad,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    start=(2.6, 3.1),
    global_minima=[(0.0, 0.0)],
    # Only the 8 minima nearest the global one are listed (there is one near every integer point).
    local_minima=_ring(0.952167, 0.968478),
    hess_fn=ackley_hess,
)

SIX_HUMP_CAMEL = make_surface(
    "six_hump_camel",
    "Six-hump camel",
    "Two global and four local minima; the basins meet along narrow ridges.",
    six_hump_camel,
    six_hump_camel_grad,
    domain=((-2.5, 2.5), (-2.0, 2.0)),
    start=(-1.5, -1.5),
    # Published: f = -1.0316 at ±(0.0898, -0.7126) (Surjanovic & Bingham); local minima
    # ±(1.7036, -0.7961), f = -0.2155, and ±(1.6071, 0.5687), f = 2.1043 (Jamil & Yang 2013).
    global_minima=[(0.0898, -0.7126), (-0.0898, 0.7126)],
    local_minima=[(1.7036, -0.7961), (-1.7036, 0.7961), (1.6071, 0.5687), (-1.6071, -0.5687)],
    saddles=[
        (0.0, 0.0),
        (1.109205, -0.768268),
        (-1.109205, 0.768268),
        (1.638068, 0.228674),
        (-1.638068, -0.228674),
        (1.296070, 0.605084),
        (-1.296070, -0.605084),
    ],
    log_scale=True,
    hess_fn=six_hump_camel_hess,
)

THREE_HUMP_CAMEL = make_surface(
    "three_hump_camel",
    "Three-hump camel",
    "A global minimum at the origin flanked by two shallow local minima.",
    three_hump_camel,
    three_hump_camel_grad,
    domain=((-2.5, 2.5), (-2.5, 2.5)),
    start=(2.2, 1.5),
    # Global minimum f(0, 0) = 0 (Surjanovic & Bingham); local minima ±(1.7476, -0.8738),
    # f = 0.2986, and the saddles between them, found by grid search + Newton.
    global_minima=[(0.0, 0.0)],
    local_minima=[(1.747552, -0.873776), (-1.747552, 0.873776)],
    saddles=[(1.070542, -0.535271), (-1.070542, 0.535271)],
    log_scale=True,
    hess_fn=three_hump_camel_hess,
)

STYBLINSKI_TANG = make_surface(
    "styblinski_tang",
    "Styblinski-Tang function",
    "Four minima in the corners of a quartic bowl; only one is global.",
    styblinski_tang,
    styblinski_tang_grad,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    start=(0.3, 4.5),
    # Global minimum -2.903534 in each coordinate, f = -39.16617 d (Surjanovic & Bingham list
    # -39.16599 d; Newton gives -78.332331 for d = 2). Per coordinate the other root of
    # 2x^3 - 16x + 2.5 = 0 is 2.746803, giving the three local minima.
    global_minima=[(-2.903534, -2.903534)],
    local_minima=[(-2.903534, 2.746803), (2.746803, -2.903534), (2.746803, 2.746803)],
    saddles=[
        (-2.903534, 0.156731),
        (0.156731, -2.903534),
        (2.746803, 0.156731),
        (0.156731, 2.746803),
    ],
    hess_fn=styblinski_tang_hess,
)

GOLDSTEIN_PRICE = make_surface(
    "goldstein_price",
    "Goldstein-Price function",
    "Values span six orders of magnitude; three local minima trap plain gradient descent.",
    goldstein_price,
    goldstein_price_grad,
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    start=(-0.5, 0.5),
    # Global minimum f(0, -1) = 3 (Goldstein & Price 1971); local minima f(-0.6, -0.4) = 30,
    # f(1.8, 0.2) = 84 and f(1.2, 0.8) = 840, confirmed by grid search + Newton.
    global_minima=[(0.0, -1.0)],
    local_minima=[(-0.6, -0.4), (1.8, 0.2), (1.2, 0.8)],
    saddles=[(-0.4, -0.6), (1.2, -0.2), (1.4, 0.6), (0.6, 0.4)],
    log_scale=True,
    hess_fn=goldstein_price_hess,
)

BOOTH = make_surface(
    "booth",
    "Booth's function",
    "A plain quadratic bowl (Hessian eigenvalues 2 and 18): a warm-up.",
    booth,
    booth_grad,
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    start=(-8.0, 6.0),
    global_minima=[(1.0, 3.0)],
    log_scale=True,
    hess_fn=booth_hess,
    residual_fn=booth_residuals,
    jacobian_fn=booth_jacobian,
)
