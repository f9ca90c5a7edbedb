"""Loss surfaces defined by a data set: the two parameters (w, b) of a 1-D model are the (x, y)
coordinates of the surface, and its height is the model's loss on the data.

- ``linear_regression``: y ≈ w x + b with the mean squared error. Its Hessian is constant, so
  the surface is an exact quadratic; the inputs lie in [0, 2] (not centred), which couples w and b
  into a tilted valley of condition number about 14.
- ``logistic``: p = σ(w x + b) on two overlapping classes, with binary cross-entropy or with the
  mean squared error (p - y)^2. Where the sigmoid saturates (|w x + b| large for most points),
  the MSE surface flattens into plateaus (its gradient carries a factor p (1 - p) -> 0), while
  cross-entropy keeps growing linearly with a gradient of order one. Side by side, started in
  the wrong-sign half w < 0, gradient descent on cross-entropy walks out and MSE stalls.

Each surface keeps its data as ``surface.data = (x, y)`` and computes mini-batch gradients with
``surface.batch_gradient(points, index)``. The data are drawn from a seeded generator, so a
surface is reproducible from its arguments.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from surfaces.base import (
    Domain,
    Point,
    Surface,
    check_domain,
    check_number,
    check_point,
    make_surface,
)

# Elements per (points, data) temporary: an 801 x 801 grid times 60 rows would need gigabytes.
_CHUNK = 1 << 18
TRUE_W, TRUE_B = 2.0, 1.0  # the line the regression data scatter around


def _frozen(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Read-only float64 copies: a registered surface shares its data with every caller."""
    out = tuple(np.array(a, dtype=np.float64) for a in arrays)
    for a in out:
        a.setflags(write=False)
    return out


def regression_data(n: int = 40, noise: float = 0.5, seed: int = 0) -> tuple[np.ndarray, ...]:
    """x ~ U(0, 2) and y = 2x + 1 + noise * N(0, 1), each of shape (n,)."""
    _check_int("n", n, 2)
    noise = check_number("noise", noise, lambda v: v >= 0, ">= 0")
    _check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0, n)
    return _frozen(x, TRUE_W * x + TRUE_B + noise * rng.standard_normal(n))


def class_data(n: int = 60, spread: float = 1.0, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Two classes of n/2 points each: x ~ N(-1, spread^2) with y = 0, x ~ N(+1, spread^2)
    with y = 1. Shapes (n,); n must be even.

    Raises ValueError if the classes happen to be separable by a threshold on x: the losses'
    infimum is then approached only as |w| -> infinity and there is no minimum to show.
    """
    _check_int("n", n, 4)
    if n % 2:
        raise ValueError(f"n must be even (two classes of n/2 points), got {n}")
    spread = check_number("spread", spread, lambda v: v > 0, "> 0")
    _check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    y = np.repeat([0.0, 1.0], n // 2)
    x = 2 * y - 1 + spread * rng.standard_normal(n)
    zeros, ones = x[y == 0], x[y == 1]
    if zeros.max() < ones.min() or ones.max() < zeros.min():
        raise ValueError(
            f"these classes are separable (spread={spread}, seed={seed}): the loss has no "
            "minimum at finite (w, b); choose a larger spread or another seed"
        )
    return _frozen(x, y)


def _check_int(name: str, value: int, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")


def _data_means(terms, w: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray):
    """Means over the data rows of each array ``terms(z, x, y)`` returns, z = w x + b.

    w, b: (...); x, y: (n,); returns a tuple of arrays of shape (...). The (points, n)
    temporaries are built a chunk of points at a time, to bound memory on large grids.
    """
    w, b = np.broadcast_arrays(w, b)
    shape = w.shape
    w, b = w.reshape(-1, 1), b.reshape(-1, 1)
    size = max(1, _CHUNK // len(x))
    chunks = [
        [t.mean(axis=1) for t in terms(w[i : i + size] * x + b[i : i + size], x, y)]
        for i in range(0, max(len(w), 1), size)
    ]
    return tuple(np.concatenate(parts).reshape(shape) for parts in zip(*chunks, strict=True))


# --- linear regression --------------------------------------------------------------------------


def _residual_grad(z: np.ndarray, x: np.ndarray, y: np.ndarray):
    """d/d(w, b) of (w x + b - y)^2 per row: 2 r x and 2 r, r = z - y."""
    r = z - y
    return 2 * r * x, 2 * r


class LeastSquares:
    r"""Mean squared error L(w, b) = mean_i (w x_i + b - y_i)^2 of a line fitted to data (x, y).

    With the normal-equations matrix A = mean_i [x_i^2, x_i; x_i, 1] and the least-squares
    solution θ* = A^{-1} mean_i [x_i y_i, y_i], the loss is exactly the quadratic
    L(θ) = L(θ*) + (θ - θ*)^T A (θ - θ*) (the residual at θ* is orthogonal to the features), so
    ∇L = 2 A (θ - θ*) and the Hessian is the constant 2A. Written around θ*, the value does not
    lose digits to cancellation near the minimum.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray):
        self.x, self.y = x, y
        self.a = np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
        self.minimiser = np.linalg.solve(self.a, [np.mean(x * y), np.mean(y)])
        w, b = self.minimiser
        self.least = float(np.mean((w * x + b - y) ** 2))

    def value(self, w, b):
        dw, db = w - self.minimiser[0], b - self.minimiser[1]
        (a, c), (_, d) = self.a
        return self.least + a * dw * dw + 2 * c * dw * db + d * db * db

    def grad(self, w, b):
        dw, db = w - self.minimiser[0], b - self.minimiser[1]
        (a, c), (_, d) = self.a
        return 2 * (a * dw + c * db), 2 * (c * dw + d * db)

    def hess(self, w, b):
        (a, c), (_, d) = 2 * self.a
        ones = np.ones(np.broadcast_shapes(np.shape(w), np.shape(b)))
        return a * ones, c * ones, d * ones

    def batch_grad(self, w, b, index):
        """2 mean_{i in index} r_i (x_i, 1), r_i = w x_i + b - y_i: the rows' own gradient."""
        return _data_means(_residual_grad, w, b, self.x[index], self.y[index])

    def residuals(self, w, b):
        """r_i = (w x_i + b - y_i) / √n, one per data row: L = sum_i r_i^2."""
        root = np.sqrt(len(self.x))
        return tuple((w * xi + b - yi) / root for xi, yi in zip(self.x, self.y, strict=True))

    def jacobian(self, w, b):
        """Constant rows ∂r_i/∂(w, b) = (x_i, 1) / √n."""
        ones = np.ones(np.broadcast_shapes(np.shape(w), np.shape(b))) / np.sqrt(len(self.x))
        return tuple((xi * ones, ones) for xi in self.x)


# --- logistic regression ------------------------------------------------------------------------


def _sigmoid_parts(z: np.ndarray):
    """t = tanh(z/2), p = σ(z) = (1 + t)/2 and σ'(z) = p (1 - p) = (1 - t^2)/4, no overflow."""
    t = np.tanh(0.5 * z)
    return t, 0.5 + 0.5 * t, 0.25 * (1 - t * t)


def _ce_value(z, x, y):
    """-[y log p + (1 - y) log(1 - p)] = softplus(z) - y z, finite for any finite z."""
    return (np.logaddexp(0.0, z) - y * z,)


def _ce_grad(z, x, y):
    _, p, _ = _sigmoid_parts(z)
    r = p - y
    return r * x, r


def _ce_hess(z, x, y):
    _, _, s = _sigmoid_parts(z)
    return s * x * x, s * x, s


def _mse_value(z, x, y):
    _, p, _ = _sigmoid_parts(z)
    return ((p - y) ** 2,)


def _mse_grad(z, x, y):
    _, p, s = _sigmoid_parts(z)
    d = 2 * (p - y) * s
    return d * x, d


def _mse_hess(z, x, y):
    t, p, s = _sigmoid_parts(z)
    h = 2 * s * (s - (p - y) * t)  # d2/dz2 (p - y)^2 = 2 [s^2 + (p - y) s (1 - 2p)], 1 - 2p = -t
    return h * x * x, h * x, h


def _ce_grad_hess(z, x, y):
    """``_ce_grad`` and ``_ce_hess`` from one tanh (most of the cost)."""
    _, p, s = _sigmoid_parts(z)
    r, sx = p - y, s * x
    return r * x, r, sx * x, sx, s


def _mse_grad_hess(z, x, y):
    """``_mse_grad`` and ``_mse_hess`` from one tanh (most of the cost)."""
    t, p, s = _sigmoid_parts(z)
    r = p - y
    d, h = 2 * r * s, 2 * s * (s - r * t)
    hx = h * x
    return d * x, d, hx * x, hx, h


_LOSSES = {
    "ce": (_ce_value, _ce_grad, _ce_hess, _ce_grad_hess),
    "mse": (_mse_value, _mse_grad, _mse_hess, _mse_grad_hess),
}


class Logistic:
    r"""A loss of p_i = σ(w x_i + b) on two-class data (x, y), y_i in {0, 1}, averaged over i.

    - ``"ce"``: binary cross-entropy -[y log p + (1 - y) log(1 - p)] = softplus(z) - y z;
      ∂/∂z = p - y, ∂²/∂z² = p (1 - p): convex, and linear growth away from the data.
    - ``"mse"``: (p - y)^2; ∂/∂z = 2 (p - y) p (1 - p), ∂²/∂z² = 2 [(p (1 - p))^2 +
      (p - y) p (1 - p)(1 - 2p)]. The factor p (1 - p) vanishes where the sigmoid saturates.

    With z = w x + b the chain rule gives ∇L = mean_i ∂_z (x_i, 1) and the Hessian
    mean_i ∂²_z [x_i^2, x_i; x_i, 1].
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, loss: str):
        if loss not in _LOSSES:
            raise ValueError(f"loss must be one of {tuple(_LOSSES)}, got {loss!r}")
        self.x, self.y, self.loss = x, y, loss
        self._value, self._grad, self._hess, self._grad_hess = _LOSSES[loss]

    def value(self, w, b):
        return _data_means(self._value, w, b, self.x, self.y)[0]

    def grad(self, w, b):
        return _data_means(self._grad, w, b, self.x, self.y)

    def hess(self, w, b):
        return _data_means(self._hess, w, b, self.x, self.y)

    def grad_hess(self, w, b):
        """``grad`` and ``hess`` in one pass over the data (Newton-type methods, polishing)."""
        gw, gb, hww, hwb, hbb = _data_means(self._grad_hess, w, b, self.x, self.y)
        return (gw, gb), (hww, hwb, hbb)

    def batch_grad(self, w, b, index):
        return _data_means(self._grad, w, b, self.x[index], self.y[index])

    def residuals(self, w, b):
        """For "mse" only: r_i = (σ(w x_i + b) - y_i) / √n, so L = sum_i r_i^2."""
        root = np.sqrt(len(self.x))
        return tuple(
            (_sigmoid_parts(w * xi + b)[1] - yi) / root
            for xi, yi in zip(self.x, self.y, strict=True)
        )

    def jacobian(self, w, b):
        """For "mse" only: ∂r_i/∂(w, b) = σ'(z_i) (x_i, 1) / √n, z_i = w x_i + b."""
        root = np.sqrt(len(self.x))
        rows = []
        for xi in self.x:
            slope = _sigmoid_parts(w * xi + b)[2] / root
            rows.append((slope * xi, slope))
        return tuple(rows)


def _minimise(loss, start: Point, steps: int = 100) -> Point:
    """Damped Newton's method from ``start``: solve (H + λI) s = ∇L with λ just large enough to
    make the matrix positive definite, then halve the step until the loss decreases.

    ``make_surface`` polishes the result; this only has to reach its neighbourhood from afar.
    """
    p = np.array(start, dtype=np.float64)
    for _ in range(steps):
        g = np.array(loss.grad(p[0], p[1]))
        if np.linalg.norm(g) < 1e-13:
            break
        fxx, fxy, fyy = loss.hess(p[0], p[1])
        h = np.array([[fxx, fxy], [fxy, fyy]])
        damping = max(0.0, 1e-8 - np.linalg.eigvalsh(h)[0])
        step = np.linalg.solve(h + damping * np.eye(2), g)
        f0, t = loss.value(p[0], p[1]), 1.0
        while loss.value(*(p - t * step)) > f0 and t > 1e-12:
            t *= 0.5
        p = p - t * step
    return float(p[0]), float(p[1])


def _grown(domain: Domain, point: np.ndarray, margin: float) -> Domain:
    """``domain``, widened where needed so that ``point`` lies at least ``margin`` inside it."""
    (x0, x1), (y0, y1) = domain
    (px, py) = point
    return (
        (min(x0, float(np.floor(px - margin))), max(x1, float(np.ceil(px + margin)))),
        (min(y0, float(np.floor(py - margin))), max(y1, float(np.ceil(py + margin)))),
    )


def _data_surface(name, title, description, loss, minimiser, domain, start, **kwargs) -> Surface:
    """A Surface over (w, b) for a loss object, with its data and mini-batch gradient."""
    domain, start = check_domain(domain), check_point("start", start)
    surface = make_surface(
        name,
        title,
        description,
        loss.value,
        loss.grad,
        domain=_grown(domain, minimiser, 1.0),
        start=start,
        global_minima=[tuple(minimiser)],
        hess_fn=loss.hess,
        **kwargs,
    )
    return replace(surface, data=(loss.x, loss.y), batch_grad_fn=loss.batch_grad)


def linear_regression(
    n: int = 40,
    noise: float = 0.5,
    seed: int = 0,
    *,
    domain: Domain = ((-2.0, 6.0), (-3.0, 5.0)),
    start: Point = (-1.0, 4.0),
) -> Surface:
    """The MSE of a line y ≈ w x + b over (w, b) = (x, y) of the surface, on ``regression_data``.

    The minimum is the least-squares fit from the normal equations. The surface is an exact
    quadratic, so ``curvature`` holds the eigenvalues (μ, L) of its Hessian 2A: gradient descent
    is stable for lr < 2/L, as on ``quadratic``. ``domain`` is widened if needed to hold the
    minimum. Residuals r_i = (w x_i + b - y_i)/√n, one per data row, make it a sum of squares
    (``surface.residuals``, ``surface.jacobian``: Levenberg-Marquardt solves it in one step).
    """
    loss = LeastSquares(*regression_data(n, noise, seed))
    mu, largest = np.linalg.eigvalsh(2 * loss.a)
    return _data_surface(
        "linear_regression",
        "Linear regression (MSE)",
        f"Mean squared error of a line w x + b fitted to {n} points, over (w, b). Inputs in "
        "[0, 2] are not centred, so w and b trade off along a tilted valley.",
        loss,
        loss.minimiser,
        domain,
        start,
        curvature=(float(mu), float(largest)),
        log_scale=True,
        residual_fn=loss.residuals,
        jacobian_fn=loss.jacobian,
    )


_LOSS_TITLES = {"ce": "cross-entropy", "mse": "MSE"}


def logistic(
    loss: str = "ce",
    n: int = 60,
    spread: float = 1.0,
    seed: int = 0,
    *,
    domain: Domain = ((-6.0, 10.0), (-8.0, 8.0)),
    start: Point = (-4.0, 5.0),
) -> Surface:
    """Logistic regression p = σ(w x + b) on ``class_data``, over (w, b), with loss "ce"
    (binary cross-entropy) or "mse" (mean squared error of p).

    The overlapping classes keep the minimum finite; it is found by damped Newton from (0, 0)
    for cross-entropy (convex), and from the cross-entropy minimum for MSE, then polished.
    The default domain reaches |w x + b| ≈ 30, deep into the sigmoid's saturation, and the
    default start (-4, 5) has the wrong sign of w: most points sit on the saturated wrong side,
    where MSE is a plateau and cross-entropy a slope.

    The MSE loss is a sum of squares with residuals r_i = (σ(w x_i + b) - y_i)/√n, one per
    data row (``surface.residuals``, ``surface.jacobian``, for Levenberg-Marquardt).
    """
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {tuple(_LOSSES)}, got {loss!r}")
    x, y = class_data(n, spread, seed)
    guess = _minimise(Logistic(x, y, "ce"), (0.0, 0.0))
    objective = Logistic(x, y, loss)
    if loss == "mse":
        guess = _minimise(objective, guess)
    return _data_surface(
        f"logistic_{loss}",
        f"Logistic regression ({_LOSS_TITLES[loss]})",
        f"{'Binary cross-entropy' if loss == 'ce' else 'Mean squared error'} of σ(w x + b) on "
        f"two overlapping classes of {n // 2} points, over (w, b). "
        + (
            "Convex, and steep even where the sigmoid saturates."
            if loss == "ce"
            else "Flat plateaus where the sigmoid saturates: its gradient p(1 - p) dies out."
        ),
        objective,
        np.array(guess),
        domain,
        start,
        log_scale=True,  # log-spaced contours show the basin, and leave the plateaus blank
        grad_hess_fn=objective.grad_hess,
        # Mean squared error is a sum of squares (Levenberg-Marquardt); cross-entropy is not.
        **(
            dict(residual_fn=objective.residuals, jacobian_fn=objective.jacobian)
            if loss == "mse"
            else {}
        ),
    )


LINEAR_REGRESSION = linear_regression()
LOGISTIC_CE = logistic("ce")
LOGISTIC_MSE = logistic("mse")
