"""Classic benchmark functions of global optimisation, each with its analytic gradient.

Formulas, domains and published minima follow Surjanovic & Bingham, "Virtual Library of
Simulation Experiments: Test Functions and Datasets" (sfu.ca/~ssurjano), and Jamil & Yang (2013),
"A literature survey of benchmark functions for global optimisation problems". The published
coordinates below are starting guesses; `make_surface` polishes them to full float64 precision.
Local minima and saddles that are not in those sources were located with a grid search followed
by Newton's method, and are checked in tests/test_surfaces.py.
"""

import numpy as np

from surfaces.base import make_surface

TAU = 2 * np.pi


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


def ackley(x, y):
    """f = -20 exp(-0.2 r) - exp((cos 2 pi x + cos 2 pi y) / 2) + e + 20,  r = sqrt((x^2+y^2)/2)."""
    r = np.hypot(x, y) * np.sqrt(0.5)
    return -20 * np.exp(-0.2 * r) - np.exp(0.5 * (np.cos(TAU * x) + np.cos(TAU * y))) + np.e + 20


def ackley_grad(x, y):
    """df/dx = 2 exp(-0.2 r) x / r + pi sin(2 pi x) exp((cos 2 pi x + cos 2 pi y) / 2).

    The cone tip at the origin has no gradient; we return 0 there (the subgradient of least norm).
    """
    r = np.hypot(x, y) * np.sqrt(0.5)
    cone = np.where(r > 0, 2 * np.exp(-0.2 * r) / np.where(r > 0, r, 1.0), 0.0)
    ripple = np.pi * np.exp(0.5 * (np.cos(TAU * x) + np.cos(TAU * y)))
    return cone * x + ripple * np.sin(TAU * x), cone * y + ripple * np.sin(TAU * y)


def six_hump_camel(x, y):
    """f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2."""
    x2, y2 = x * x, y * y
    return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (4 * y2 - 4) * y2


def six_hump_camel_grad(x, y):
    """df/dx = 8x - 8.4x^3 + 2x^5 + y,  df/dy = x - 8y + 16y^3."""
    x2 = x * x
    return x * (8 - 8.4 * x2 + 2 * x2 * x2) + y, x + y * (16 * y * y - 8)


def three_hump_camel(x, y):
    """f = 2x^2 - 1.05x^4 + x^6/6 + xy + y^2."""
    x2 = x * x
    return x2 * (2 - 1.05 * x2 + x2 * x2 / 6) + x * y + y * y


def three_hump_camel_grad(x, y):
    """df/dx = 4x - 4.2x^3 + x^5 + y,  df/dy = x + 2y."""
    x2 = x * x
    return x * (4 - 4.2 * x2 + x2 * x2) + y, x + 2 * y


def styblinski_tang(x, y):
    """f = (x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y) / 2."""
    x2, y2 = x * x, y * y
    return 0.5 * (x2 * (x2 - 16) + 5 * x + y2 * (y2 - 16) + 5 * y)


def styblinski_tang_grad(x, y):
    """df/dx = 2x^3 - 16x + 2.5, likewise for y."""
    return x * (2 * x * x - 16) + 2.5, y * (2 * y * y - 16) + 2.5


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


def booth(x, y):
    """f = (x + 2y - 7)^2 + (2x + y - 5)^2."""
    r1, r2 = x + 2 * y - 7, 2 * x + y - 5
    return r1 * r1 + r2 * r2


def booth_grad(x, y):
    """df/dx = 2 r1 + 4 r2,  df/dy = 4 r1 + 2 r2."""
    r1, r2 = x + 2 * y - 7, 2 * x + y - 5
    return 2 * r1 + 4 * r2, 4 * r1 + 2 * r2


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
)
