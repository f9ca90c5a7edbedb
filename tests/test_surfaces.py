"""Tests for surfaces/: derivatives against finite differences, minima against the literature."""

import dataclasses
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import surfaces
from surfaces import SURFACES

ALL = list(SURFACES.values())
IDS = list(SURFACES)
CONSTANT_HESSIAN = {"quadratic", "linear_regression"}  # the surfaces that carry `curvature`


def uniform_points(surface, shape, seed=0):
    """Random points of shape (*shape, 2) inside the surface's domain."""
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(x0, x1, shape), rng.uniform(y0, y1, shape)], axis=-1)


def fd_gradient(surface, p, h=1e-6):
    """Central differences of surface.value at points p (..., 2)."""
    columns = []
    for e in np.eye(2):
        columns.append((surface.value(p + h * e) - surface.value(p - h * e)) / (2 * h))
    return np.stack(columns, axis=-1)


def fd_hessian(surface, p, h=1e-4):
    """Second-order central differences of surface.value at one point p (2,)."""
    e = np.eye(2) * h
    f = surface.value

    def second(i, j):
        return (
            f(p + e[i] + e[j]) - f(p + e[i] - e[j]) - f(p - e[i] + e[j]) + f(p - e[i] - e[j])
        ) / (4 * h * h)

    return np.array([[second(0, 0), second(0, 1)], [second(1, 0), second(1, 1)]])


# --- registry ---------------------------------------------------------------------------------


def test_display_order_starts_with_lecture_favourites():
    first = ["long_valley", "beale", "saddle", "rosenbrock", "himmelblau", "wells", "quadratic"]
    assert IDS[:7] == first
    assert all(name == s.name for name, s in SURFACES.items())


def test_get_returns_surface_and_unknown_name_lists_valid_names():
    assert surfaces.get("beale") is SURFACES["beale"]
    with pytest.raises(KeyError) as info:
        surfaces.get("nope")
    for name in SURFACES:
        assert name in str(info.value)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_metadata_is_consistent(surface):
    (x0, x1), (y0, y1) = surface.domain
    assert x0 < x1 and y0 < y1
    assert x0 <= surface.start[0] <= x1 and y0 <= surface.start[1] <= y1
    for m in surface.minima:
        assert x0 <= m.point[0] <= x1 and y0 <= m.point[1] <= y1
        assert m.kind in ("global", "local")
    assert surface.global_minimum == next(m for m in surface.minima if m.kind == "global")
    assert surface.name in repr(surface) and "global" in repr(surface)
    assert pickle.loads(pickle.dumps(surface)) == surface
    assert (surface.curvature is None) == (surface.name not in CONSTANT_HESSIAN)


@pytest.mark.parametrize("surface", [s for s in ALL if s.curvature], ids=lambda s: s.name)
def test_curvature_is_the_hessian_spectrum_everywhere(surface):
    for p in uniform_points(surface, (3,), seed=4):
        eig = np.linalg.eigvalsh(fd_hessian(surface, p, h=1e-3))
        np.testing.assert_allclose(eig, surface.curvature, rtol=1e-6)


# --- gradients and shapes ---------------------------------------------------------------------


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_gradient_matches_central_differences(surface):
    p = uniform_points(surface, (500,), seed=1)
    grad, fd = surface.gradient(p), fd_gradient(surface, p)
    # Rounding error of the difference quotient grows with |f| / h.
    tol = 1e-6 * (1 + np.abs(grad)) + 1e-9 * np.abs(surface.value(p))[:, None]
    assert np.all(np.abs(grad - fd) <= tol)


def fd_gradient_hessian(surface, p, h=1e-6):
    """Central differences of the analytic gradient at points p (n, 2): (n, 2, 2), column j is
    d(grad f)/dp_j. The step is relative, h (1 + |p_j|), so that rounding stays small."""
    columns = []
    for e in np.eye(2):
        step = h * (1 + np.abs(p @ e))[:, None] * e
        columns.append(
            (surface.gradient(p + step) - surface.gradient(p - step)) / (2 * step @ e)[:, None]
        )
    return np.stack(columns, axis=-1)


def fd_jacobian(surface, p, h=1e-6):
    """Central differences of the residuals at points p (n, 2): (n, m, 2)."""
    columns = []
    for e in np.eye(2):
        columns.append((surface.residuals(p + h * e) - surface.residuals(p - h * e)) / (2 * h))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_hessian_matches_central_differences_of_the_gradient(surface):
    p = uniform_points(surface, (1000,), seed=4)
    hess, fd = surface.hessian(p), fd_gradient_hessian(surface, p)
    np.testing.assert_array_equal(hess, np.swapaxes(hess, -1, -2))
    # Rounding error of the difference quotient grows with |grad f| / h; truncation with h^2.
    scale = 1 + np.abs(hess) + 1e-8 * np.linalg.norm(surface.gradient(p), axis=-1)[:, None, None]
    error = np.abs(hess - fd) / scale
    assert error.max() < 1e-5, (p[error.max(axis=(1, 2)).argmax()], error.max())


FUSED = [s for s in ALL if s.grad_hess_fn is not None]


@pytest.mark.parametrize("surface", FUSED, ids=[s.name for s in FUSED])
def test_fused_gradient_and_hessian_equal_the_separate_ones(surface):
    p = uniform_points(surface, (1000,), seed=7)
    x, y = p[:, 0], p[:, 1]
    (gx, gy), hessian = surface.grad_hess_fn(x, y)
    np.testing.assert_allclose(np.stack([gx, gy], -1), surface.gradient(p), rtol=1e-13, atol=1e-15)
    for fused, separate in zip(hessian, surface.hess_fn(x, y), strict=True):
        np.testing.assert_allclose(fused, separate, rtol=1e-13, atol=1e-15)


def test_wells_and_the_logistic_losses_have_a_fused_gradient_and_hessian():
    assert [s.name for s in FUSED] == ["wells", "logistic_ce", "logistic_mse"]
    with pytest.raises(ValueError, match="grad_hess_fn needs hess_fn"):
        dataclasses.replace(SURFACES["wells"], hess_fn=None)


@pytest.mark.parametrize("shape", [(), (7,), (3, 4)], ids=["point", "batch", "grid"])
@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_leading_shapes_are_kept(surface, shape):
    p = uniform_points(surface, shape, seed=2)
    value, grad, hess = surface.value(p), surface.gradient(p), surface.hessian(p)
    assert value.shape == shape and grad.shape == (*shape, 2) and hess.shape == (*shape, 2, 2)
    assert value.dtype == np.float64 and grad.dtype == np.float64 and hess.dtype == np.float64
    flat = p.reshape(-1, 2)
    np.testing.assert_array_equal(value.reshape(-1), surface.value(flat))
    np.testing.assert_array_equal(grad.reshape(-1, 2), surface.gradient(flat))
    np.testing.assert_array_equal(hess.reshape(-1, 2, 2), surface.hessian(flat))
    np.testing.assert_allclose(grad, fd_gradient(surface, p), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_huge_inputs_give_inf_or_nan_without_warnings(surface):
    p = np.array([[1e200, 1e200], [-1e200, 1e200], [1e300, -1e300], [np.inf, 0.0], [np.nan, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad, hess = surface.value(p), surface.gradient(p), surface.hessian(p)
        surface.nearest_minimum(p)
        if surface.has_residuals:
            assert surface.residuals(p).shape[0] == surface.jacobian(p).shape[0] == 5
    assert value.shape == (5,) and grad.shape == (5, 2) and hess.shape == (5, 2, 2)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), surface=st.sampled_from(ALL), n=st.integers(1, 5))
def test_finite_inside_domain(data, surface, n):
    (x0, x1), (y0, y1) = surface.domain
    xs = data.draw(st.lists(st.floats(x0, x1), min_size=n, max_size=n))
    ys = data.draw(st.lists(st.floats(y0, y1), min_size=n, max_size=n))
    p = np.column_stack([xs, ys])
    value, grad, hess = surface.value(p), surface.gradient(p), surface.hessian(p)
    assert value.shape == (n,) and grad.shape == (n, 2)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))


TINY_POINTS = [(0.0, 2.2e-313), (2.2e-313, 0.0), (5e-324, -5e-324), (1e-200, 0.0), (0.0, 0.0)]


@pytest.mark.parametrize("point", TINY_POINTS, ids=str)
def test_ackley_is_finite_at_the_cone_tip(point):
    # Regression: the cone term 2 exp(-0.2 r) / r overflowed for subnormal r, giving nan/inf.
    ackley = SURFACES["ackley"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grad, hess = ackley.gradient(point), ackley.hessian(point)
    assert np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))
    # The cone's slope has norm 2 sqrt(2) exp(-0.2 r) -> 2 sqrt(2) off the tip (the ripple's
    # gradient vanishes at the origin); at the tip itself the least-norm subgradient is 0.
    expected = 0.0 if point == (0.0, 0.0) else 2 * np.sqrt(2.0)
    assert np.linalg.norm(grad) == pytest.approx(expected, rel=1e-12)


# --- minima and saddles -----------------------------------------------------------------------


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_minima_are_stationary_with_listed_values(surface):
    for m in surface.minima:
        assert np.linalg.norm(surface.gradient(m.point)) < 1e-8
        assert abs(surface.value(m.point) - m.value) <= 1e-9


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_global_minimum_is_lowest_on_a_fine_grid(surface):
    (x0, x1), (y0, y1) = surface.domain
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, 801), np.linspace(y0, y1, 801)), axis=-1)
    best = surface.global_minimum.value
    assert surface.value(grid).min() >= best - 1e-9
    for m in surface.minima:
        assert m.value >= best - 1e-9
        if m.kind == "global":
            assert m.value == pytest.approx(best, abs=1e-9)
        else:
            assert m.value > best + 1e-6


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_minima_have_positive_definite_hessian(surface):
    for m in surface.minima:
        if surface.name == "ackley" and m.kind == "global":
            continue  # the cone tip at the origin has no Hessian
        assert np.linalg.eigvalsh(fd_hessian(surface, np.array(m.point))).min() > 0, m


@pytest.mark.parametrize("surface", [s for s in ALL if s.saddles], ids=lambda s: s.name)
def test_saddles_are_stationary_and_indefinite(surface):
    for p in surface.saddles:
        assert np.linalg.norm(surface.gradient(p)) < 1e-8
        eig = np.linalg.eigvalsh(fd_hessian(surface, np.array(p)))
        assert eig[0] < 0 < eig[1], p


# Published minima: (points, value, decimals of the publication). Sources: Surjanovic & Bingham,
# Virtual Library of Simulation Experiments (sfu.ca/~ssurjano); Jamil & Yang (2013), "A literature
# survey of benchmark functions for global optimisation problems".
PUBLISHED_GLOBAL = {
    "beale": ([(3, 0.5)], 0.0, 6),
    "rosenbrock": ([(1, 1)], 0.0, 6),
    "himmelblau": (
        [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
        0.0,
        6,
    ),
    "rastrigin": ([(0, 0)], 0.0, 6),
    "ackley": ([(0, 0)], 0.0, 6),
    "six_hump_camel": ([(0.0898, -0.7126), (-0.0898, 0.7126)], -1.0316, 4),
    "three_hump_camel": ([(0, 0)], 0.0, 6),
    "styblinski_tang": ([(-2.903534, -2.903534)], -78.33233, 5),
    "goldstein_price": ([(0, -1)], 3.0, 6),
    "booth": ([(1, 3)], 0.0, 6),
}
PUBLISHED_LOCAL = {
    "six_hump_camel": [
        ((1.7036, -0.7961), -0.2155),
        ((-1.7036, 0.7961), -0.2155),
        ((1.6071, 0.5687), 2.1043),
        ((-1.6071, -0.5687), 2.1043),
    ],
    "goldstein_price": [((-0.6, -0.4), 30.0), ((1.8, 0.2), 84.0), ((1.2, 0.8), 840.0)],
}


def listed(surface, kind):
    return [m for m in surface.minima if m.kind == kind]


@pytest.mark.parametrize("name", list(PUBLISHED_GLOBAL))
def test_published_global_minima_are_reproduced(name):
    points, value, decimals = PUBLISHED_GLOBAL[name]
    found = listed(SURFACES[name], "global")
    assert len(found) == len(points)
    tol = 0.6 * 10.0**-decimals
    for point in points:
        match = min(found, key=lambda m: np.hypot(*np.subtract(m.point, point)))
        np.testing.assert_allclose(match.point, point, atol=tol)
        assert match.value == pytest.approx(value, abs=tol)


@pytest.mark.parametrize("name", list(PUBLISHED_LOCAL))
def test_published_local_minima_are_reproduced(name):
    found = listed(SURFACES[name], "local")
    assert len(found) == len(PUBLISHED_LOCAL[name])
    for point, value in PUBLISHED_LOCAL[name]:
        match = min(found, key=lambda m: np.hypot(*np.subtract(m.point, point)))
        np.testing.assert_allclose(match.point, point, atol=6e-5)
        assert match.value == pytest.approx(value, abs=6e-5)


# --- sums of squares --------------------------------------------------------------------------

SUMS_OF_SQUARES = ["long_valley", "beale", "rosenbrock", "himmelblau", "quadratic", "rastrigin"]
SUMS_OF_SQUARES += ["booth", "linear_regression", "logistic_mse"]


def test_which_surfaces_are_sums_of_squares():
    assert sorted(s.name for s in ALL if s.has_residuals) == sorted(SUMS_OF_SQUARES)
    with pytest.raises(NotImplementedError, match="saddle"):
        SURFACES["saddle"].residuals([0.0, 0.0])
    with pytest.raises(NotImplementedError, match="wells"):
        SURFACES["wells"].jacobian([0.0, 0.0])


QUADRATICS = [
    surfaces.quadratic(k, largest=big, angle_deg=a) for k, big, a in ((1, 2, 0), (50, 7, 75))
]
SQUARES = [SURFACES[name] for name in SUMS_OF_SQUARES] + QUADRATICS
SQUARE_IDS = SUMS_OF_SQUARES + ["quadratic-round", "quadratic-steep"]


@pytest.mark.parametrize("surface", SQUARES, ids=SQUARE_IDS)
def test_sum_of_squared_residuals_is_the_value(surface):
    p = uniform_points(surface, (500,), seed=5)
    r = surface.residuals(p)
    assert r.ndim == 2 and r.shape[0] == 500 and r.shape[1] >= 2
    # Both are sums of O(|r|^2) terms: compare relative to the size of the terms.
    scale = np.sum(r * r, axis=-1) + np.abs(surface.value(p))
    np.testing.assert_array_less(
        np.abs(np.sum(r * r, axis=-1) - surface.value(p)), 1e-13 * (1 + scale)
    )


@pytest.mark.parametrize("surface", SQUARES, ids=SQUARE_IDS)
def test_jacobian_matches_central_differences(surface):
    p = uniform_points(surface, (500,), seed=6)
    jac = surface.jacobian(p)
    assert jac.shape == (*surface.residuals(p).shape, 2)
    np.testing.assert_allclose(jac, fd_jacobian(surface, p), rtol=1e-7, atol=1e-7)
    # And J^T r is half the gradient: the residuals really are this surface's.
    half = np.einsum("nmi,nm->ni", jac, surface.residuals(p))
    np.testing.assert_allclose(2 * half, surface.gradient(p), rtol=1e-10, atol=1e-10)


def test_residuals_come_with_a_jacobian():
    rosenbrock = SURFACES["rosenbrock"]
    with pytest.raises(ValueError, match="both residual_fn and jacobian_fn"):
        dataclasses.replace(rosenbrock, jacobian_fn=None)


def test_ackley_gradient_is_zero_at_the_origin():
    np.testing.assert_array_equal(SURFACES["ackley"].gradient([0.0, 0.0]), [0.0, 0.0])


def test_wells_has_one_global_and_distinct_local_depths():
    wells = SURFACES["wells"]
    depths = sorted(m.value for m in listed(wells, "local"))
    assert len(listed(wells, "global")) == 1 and len(depths) >= 2
    assert np.diff([wells.global_minimum.value, *depths]).min() > 0.05


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_nearest_minimum_is_vectorised(surface):
    p = uniform_points(surface, (4, 5), seed=3)
    index, distance = surface.nearest_minimum(p)
    assert index.shape == distance.shape == (4, 5)
    centres = np.array([m.point for m in surface.minima])
    np.testing.assert_allclose(distance, np.linalg.norm(p - centres[index], axis=-1))
    for i, m in enumerate(surface.minima):
        j, d = surface.nearest_minimum(m.point)
        assert int(j) == i and float(d) == 0.0


# --- lecture scenes ---------------------------------------------------------------------------


def descend(surface, lr, momentum, steps):
    """Heavy-ball gradient descent from the surface's start: b = mu b + g, p = p - lr b."""
    p, b = np.array(surface.start), np.zeros(2)
    for _ in range(steps):
        b = momentum * b + surface.gradient(p)
        p = p - lr * b
    return p


def test_long_valley_gradient_descent_crawls_and_momentum_races():
    valley = SURFACES["long_valley"]
    _, slow = valley.nearest_minimum(descend(valley, lr=0.05, momentum=0.0, steps=300))
    _, fast = valley.nearest_minimum(descend(valley, lr=0.05, momentum=0.9, steps=300))
    assert slow > 1.0 and fast < 1e-3


def test_wells_gradient_descent_is_trapped_and_momentum_escapes():
    wells = SURFACES["wells"]
    trapped, _ = wells.nearest_minimum(descend(wells, lr=0.05, momentum=0.0, steps=1000))
    escaped, _ = wells.nearest_minimum(descend(wells, lr=0.02, momentum=0.9, steps=1000))
    assert wells.minima[trapped].kind == "local" and wells.minima[escaped].kind == "global"


def test_saddle_is_bounded_below_with_minima_either_side():
    saddle = SURFACES["saddle"]
    assert saddle.saddles == ((0.0, 0.0),)
    assert sorted(m.point for m in saddle.minima) == [(0.0, -1.0), (0.0, 1.0)]


# --- quadratic factory ------------------------------------------------------------------------


@pytest.mark.parametrize("kappa", [1.0, 10.0, 50.0])
@pytest.mark.parametrize("angle", [0.0, 30.0, 45.0])
def test_quadratic_curvature_matches_hessian(kappa, angle):
    q = surfaces.quadratic(kappa, largest=4.0, angle_deg=angle)
    mu, big_l = q.curvature
    eig = np.linalg.eigvalsh(fd_hessian(q, np.array([0.3, -0.7]), h=1e-3))
    np.testing.assert_allclose(eig, [mu, big_l], rtol=1e-6)
    assert big_l / mu == pytest.approx(kappa)
    assert q.global_minimum.point == (0.0, 0.0) and q.global_minimum.value == 0.0


def test_default_quadratic_is_the_registered_one():
    assert SURFACES["quadratic"] == surfaces.quadratic()
    assert surfaces.quadratic(20.0) is not surfaces.quadratic(20.0)


@pytest.mark.parametrize("kwargs", [{"condition_number": 0.5}, {"largest": 0.0}])
def test_quadratic_rejects_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        surfaces.quadratic(**kwargs)
