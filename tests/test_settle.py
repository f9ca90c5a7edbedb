"""The one rule for "reached a minimum" (``Surface.near_radius``, ``Surface.reached``) and Newton
polishing of end points (``surfaces.settle``, ``group_minima``, ``reached_minima``), against
published minima and SciPy."""

import dataclasses
import warnings

import numpy as np
import pytest
import scipy.optimize

import surfaces

RASTRIGIN = surfaces.get("rastrigin")
HIMMELBLAU = surfaces.get("himmelblau")
LATTICE = np.array([(i, j) for j in range(-5, 6) for i in range(-5, 6)], dtype=float)  # (121, 2)


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def rastrigin(p):
    """Rastrigin with A = 10 (published form), f = sum_i x_i^2 - 10 cos(2 pi x_i) + 10."""
    return float(np.sum(p * p - 10 * np.cos(2 * np.pi * p) + 10))


def rastrigin_gradient(p):
    return 2 * p + 20 * np.pi * np.sin(2 * np.pi * p)


def scipy_minimum(p):
    """SciPy's L-BFGS-B from p, kept inside p's well (within 0.45 of the nearest integers)."""
    well = [(k - 0.45, k + 0.45) for k in np.round(p)]
    fit = scipy.optimize.minimize(
        rastrigin, p, jac=rastrigin_gradient, method="L-BFGS-B", bounds=well,
        options={"gtol": 1e-12, "ftol": 1e-15},
    )  # fmt: skip
    # f ~ 30 limits its gradient to ~1e-6 (curvature ~400: the point to ~3e-9).
    assert np.linalg.norm(rastrigin_gradient(fit.x)) < 1e-5
    return fit.x


def stationary_1d(lo, hi):
    """The root of d/dx (x^2 - 10 cos 2 pi x) = 2x + 20 pi sin(2 pi x) in [lo, hi] (Brent)."""
    return scipy.optimize.brentq(lambda x: 2 * x + 20 * np.pi * np.sin(2 * np.pi * x), lo, hi)


def test_near_radius_is_a_quarter_of_the_closest_gap_at_most_five_percent_of_the_domain():
    # Rastrigin lists (0, 0) and the ring of 8 minima at (±0.994959, 0), ... (published).
    assert RASTRIGIN.near_radius == pytest.approx(0.994959 / 4, rel=1e-6)
    # Himmelblau's minima are 3.9 or more apart: 5% of the 10-wide domain is smaller.
    assert HIMMELBLAU.near_radius == pytest.approx(0.5)
    assert surfaces.get("booth").near_radius == pytest.approx(0.05 * 20)  # one minimum


def test_reached_names_the_listed_minimum_within_the_radius():
    (x, y), r = HIMMELBLAU.minima[2].point, HIMMELBLAU.near_radius
    points = [[x + 0.99 * r, y], [x, y - 1.01 * r], [np.nan, y], [np.inf, 0.0]]
    np.testing.assert_array_equal(HIMMELBLAU.reached(points), [2, -1, -1, -1])
    assert HIMMELBLAU.reached(np.zeros((3, 4, 2))).shape == (3, 4)


def test_settle_finds_rastrigins_lattice_of_minima_near_every_integer_point():
    rng = np.random.default_rng(0)
    starts = LATTICE + rng.uniform(-0.15, 0.15, LATTICE.shape)
    settled, is_min = surfaces.settle(RASTRIGIN, starts)
    assert is_min.all()
    # Published: the minima sit near the integer points, pulled slightly towards the origin
    # (2k + 20 pi sin(2 pi x) = 0 gives x ~ k (1 - 1 / (20 pi^2))).
    np.testing.assert_allclose(settled, LATTICE * (1 - 1 / (20 * np.pi**2)), atol=1e-4)
    np.testing.assert_allclose(settled, [scipy_minimum(p) for p in starts], atol=1e-7)
    values = [rastrigin(p) for p in settled]
    np.testing.assert_allclose(RASTRIGIN.value(settled), values, rtol=1e-12, atol=1e-12)


def test_saddles_and_maxima_are_not_minima():
    # Rastrigin's maxima of one coordinate lie near half-integers: (0.5, 0.5) is a maximum,
    # (0.5, 1) a saddle. Newton converges to them just as well; they are not minima.
    settled, is_min = surfaces.settle(RASTRIGIN, [[0.52, 0.51], [0.49, 1.02]])
    assert not is_min.any()
    top, bottom = stationary_1d(0.4, 0.6), stationary_1d(0.9, 1.1)
    np.testing.assert_allclose(settled, [[top, top], [top, bottom]], atol=1e-9)
    assert (surfaces.reached_minima(RASTRIGIN, settled).index == -1).all()
    for name in ("himmelblau", "wells", "saddle", "six_hump_camel"):
        surface = surfaces.get(name)
        saddles = np.array(surface.saddles) + 1e-3
        settled, is_min = surfaces.settle(surface, saddles)
        assert not is_min.any(), name
        np.testing.assert_allclose(settled, surface.saddles, atol=1e-9)


def test_points_where_newton_fails_are_not_minima_and_stay_finite_without_warnings():
    # Rosenbrock's far corner, a flat-ish plateau of Ackley, non-finite input.
    points = [[1e200, 1e200], [np.nan, 0.0]]
    for surface in (surfaces.get("rosenbrock"), surfaces.get("ackley")):
        _, is_min = surfaces.settle(surface, points)
        assert not is_min.any()


def test_settle_keeps_leading_shapes_and_checks_its_arguments():
    settled, is_min = surfaces.settle(RASTRIGIN, LATTICE.reshape(11, 11, 2))
    assert settled.shape == (11, 11, 2) and is_min.shape == (11, 11)
    with pytest.raises(ValueError, match="steps"):
        surfaces.settle(RASTRIGIN, LATTICE, steps=-1)
    with pytest.raises(ValueError, match="within"):
        surfaces.settle(RASTRIGIN, LATTICE, within=0.0)
    grouped = surfaces.group_minima(RASTRIGIN, [[np.nan, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(grouped.index, [-1, 0])
    no_hessian = dataclasses.replace(RASTRIGIN, hess_fn=None)
    with pytest.raises(ValueError, match="Hessian"):
        surfaces.settle(no_hessian, LATTICE)


def test_reached_minima_on_the_whole_lattice_lists_the_unlisted_minima_once_each():
    rng = np.random.default_rng(1)
    points = np.concatenate([LATTICE + rng.uniform(-0.1, 0.1, LATTICE.shape) for _ in range(3)])
    reached = surfaces.reached_minima(RASTRIGIN, points)
    m = len(RASTRIGIN.minima)
    assert len(reached.found) == 121 - m  # one well per integer point, 9 of them listed
    assert (reached.index >= 0).all()
    # The three points near each integer point reached the same minimum; different ones not.
    per_point = reached.index.reshape(3, 121)
    assert (per_point == per_point[0]).all() and len(set(per_point[0])) == 121
    # Found minima: lowest first, and each where polishing by SciPy puts it.
    values = RASTRIGIN.value(reached.found)
    assert np.all(np.diff(values) >= 0)
    found_index = reached.index[:121] - m
    listed = found_index < 0
    scipy_points = np.array([scipy_minimum(p) for p in points[:121][~listed]])
    np.testing.assert_allclose(reached.found[found_index[~listed]], scipy_points, atol=1e-7)


def test_reached_minima_does_not_credit_minima_farther_than_the_radius():
    # 0.3 off a well bottom in x: Newton would find the well, but it is beyond the radius 0.249.
    bottom = 2 * (1 - 1 / (20 * np.pi**2))
    reached = surfaces.reached_minima(RASTRIGIN, [[bottom + 0.2, 0.0], [bottom + 0.3, 0.0]])
    assert reached.index[0] >= len(RASTRIGIN.minima) and reached.index[1] == -1


def test_grouping_does_not_depend_on_the_order_of_the_points():
    rng = np.random.default_rng(2)
    points = LATTICE[:40] + rng.uniform(-0.1, 0.1, (40, 2))
    a = surfaces.reached_minima(RASTRIGIN, points)
    order = rng.permutation(40)
    b = surfaces.reached_minima(RASTRIGIN, points[order])
    np.testing.assert_array_equal(a.found, b.found)
    np.testing.assert_array_equal(a.index[order], b.index)


def test_without_a_hessian_only_listed_minima_are_reached():
    no_hessian = dataclasses.replace(RASTRIGIN, hess_fn=None, residual_fn=None, jacobian_fn=None)
    reached = surfaces.reached_minima(no_hessian, [[0.01, 0.0], [1.99, 1.99]])
    np.testing.assert_array_equal(reached.index, [0, -1])
    assert reached.found.shape == (0, 2)
