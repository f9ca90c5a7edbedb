"""Tests for surfaces.data: losses against scikit-learn and SciPy, minimisers against
independent fits, derivatives against finite differences, and mini-batch gradients."""

import warnings

import numpy as np
import pytest
from scipy.optimize import least_squares, minimize
from scipy.special import expit, log_expit
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import log_loss, mean_squared_error

import optim_core
import surfaces
from surfaces import SURFACES, critical, data

DATA_SURFACES = [SURFACES["linear_regression"], SURFACES["logistic_ce"], SURFACES["logistic_mse"]]
VARIANTS = [
    *DATA_SURFACES,
    surfaces.linear_regression(n=17, noise=2.0, seed=3),
    surfaces.logistic("ce", n=30, spread=1.5, seed=5),
    surfaces.logistic("mse", n=30, spread=1.5, seed=5),
]
IDS = [
    "linear_regression",
    "logistic_ce",
    "logistic_mse",
    "linear_regression_17",
    "logistic_ce_30",
    "logistic_mse_30",
]


def points(surface, n, seed=0):
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def reference_loss(surface, w, b):
    """The loss at one (w, b), computed directly from the data with SciPy."""
    x, y = surface.data
    z = w * x + b
    if surface.name == "linear_regression":
        return np.mean((z - y) ** 2)
    if surface.name == "logistic_ce":
        return -np.mean(y * log_expit(z) + (1 - y) * log_expit(-z))
    return np.mean((expit(z) - y) ** 2)


def central_gradient(fn, p, h=1e-6):
    return np.stack([(fn(p + h * e) - fn(p - h * e)) / (2 * h) for e in np.eye(2)], axis=-1)


# --- registry and data --------------------------------------------------------------------------


def test_registered_after_the_classic_surfaces():
    assert list(SURFACES)[-3:] == ["linear_regression", "logistic_ce", "logistic_mse"]
    assert list(SURFACES)[:-3][-1] == "booth"


@pytest.mark.parametrize("surface", VARIANTS, ids=IDS)
def test_data_are_read_only_columns(surface):
    x, y = surface.data
    assert x.shape == y.shape == (surface.n_data,)
    with pytest.raises(ValueError):
        x[0] = 1.0


def test_same_seed_same_data_and_other_seed_other_data():
    a, b = surfaces.linear_regression(seed=7), surfaces.linear_regression(seed=7)
    np.testing.assert_array_equal(a.data[0], b.data[0])
    assert a == b
    assert not np.array_equal(a.data[1], surfaces.linear_regression(seed=8).data[1])


def test_default_classes_overlap():
    x, y = SURFACES["logistic_ce"].data
    assert x[y == 0].max() > x[y == 1].min()  # not separable by any threshold on x
    assert np.mean(y) == 0.5


def test_surfaces_not_defined_by_data_have_no_batches():
    beale = SURFACES["beale"]
    assert beale.data is None and beale.n_data is None
    with pytest.raises(NotImplementedError):
        beale.batch_gradient([0.0, 0.0], np.arange(3))


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        (surfaces.linear_regression, {"n": 1}),
        (surfaces.linear_regression, {"n": 2.5}),
        (surfaces.linear_regression, {"noise": -1.0}),
        (surfaces.linear_regression, {"noise": np.nan}),
        (surfaces.logistic, {"loss": "hinge"}),
        (surfaces.logistic, {"n": 31}),
        (surfaces.logistic, {"spread": 0.0}),
        (surfaces.logistic, {"spread": 0.05}),  # separable: no finite minimum
    ],
)
def test_factories_refuse_invalid_arguments(factory, kwargs):
    with pytest.raises(ValueError):
        factory(**kwargs)


def test_separable_classes_are_named_as_such():
    with pytest.raises(ValueError, match="separable"):
        surfaces.logistic(spread=0.05)


# --- values against the data ----------------------------------------------------------------------


@pytest.mark.parametrize("surface", VARIANTS, ids=IDS)
def test_values_are_the_loss_on_the_data(surface):
    p = points(surface, 50, seed=1)
    expected = [reference_loss(surface, w, b) for w, b in p]
    np.testing.assert_allclose(surface.value(p), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("surface", VARIANTS, ids=IDS)
def test_values_match_scikit_learn_metrics(surface):
    x, y = surface.data
    # Away from saturation, where log_loss does not clip probabilities to [eps, 1 - eps].
    for w, b in np.random.default_rng(2).uniform(-2, 2, (20, 2)):
        z = w * x + b
        if surface.name == "linear_regression":
            expected = mean_squared_error(y, z)
        elif surface.name == "logistic_ce":
            expected = log_loss(y, expit(z), labels=[0, 1])
        else:
            expected = mean_squared_error(y, expit(z))
        assert surface.value([w, b]) == pytest.approx(expected, rel=1e-12)


def test_large_grids_are_evaluated_in_chunks_with_the_same_values():
    surface = SURFACES["logistic_mse"]
    grid = points(surface, 3 * data._CHUNK // surface.n_data + 7, seed=3)
    some = np.arange(0, len(grid), 997)
    np.testing.assert_array_equal(surface.value(grid)[some], surface.value(grid[some]))


# --- minimisers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_regression_minimum_is_the_least_squares_fit(seed):
    surface = surfaces.linear_regression(n=25, noise=0.8, seed=seed)
    x, y = surface.data
    fit = LinearRegression().fit(x[:, None], y)
    m = surface.global_minimum
    np.testing.assert_allclose(m.point, (fit.coef_[0], fit.intercept_), rtol=1e-10, atol=1e-12)
    assert m.value == pytest.approx(mean_squared_error(y, fit.predict(x[:, None])), rel=1e-10)


@pytest.mark.parametrize(("n", "spread", "seed"), [(60, 1.0, 0), (30, 1.5, 5), (100, 0.7, 9)])
def test_cross_entropy_minimum_is_unregularised_logistic_regression(n, spread, seed):
    surface = surfaces.logistic("ce", n=n, spread=spread, seed=seed)
    x, y = surface.data
    fit = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(x[:, None], y)
    np.testing.assert_allclose(
        surface.global_minimum.point, (fit.coef_[0, 0], fit.intercept_[0]), rtol=1e-5
    )


@pytest.mark.parametrize(("n", "spread", "seed"), [(60, 1.0, 0), (30, 1.5, 5)])
def test_mse_minimum_is_the_lowest_of_many_scipy_runs(n, spread, seed):
    surface = surfaces.logistic("mse", n=n, spread=spread, seed=seed)
    x, y = surface.data

    def loss(theta):
        return np.mean((expit(theta[0] * x + theta[1]) - y) ** 2)

    starts = points(surface, 12, seed=4)
    best = min(
        (
            minimize(
                loss,
                s,
                method="Nelder-Mead",
                options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000},
            )
            for s in starts
        ),
        key=lambda r: r.fun,
    )
    assert surface.global_minimum.value <= best.fun + 1e-12
    np.testing.assert_allclose(surface.global_minimum.point, best.x, atol=1e-4)


@pytest.mark.parametrize("surface", DATA_SURFACES, ids=IDS[:3])
def test_no_other_critical_points_on_the_domain(surface):
    found = critical.find(
        surface.fn, surface.grad_fn, surface.hess_fn, surface.domain, resolution=101
    )
    assert not found.lowest_on_grid
    assert len(found.minima) == 1 and found.saddles == ()
    np.testing.assert_allclose(found.minima[0].point, surface.global_minimum.point, atol=1e-8)


# --- derivatives ---------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", VARIANTS, ids=IDS)
def test_gradient_and_hessian_match_finite_differences(surface):
    p = points(surface, 40, seed=5)
    grad = surface.gradient(p)
    np.testing.assert_allclose(grad, central_gradient(surface.value, p), rtol=1e-6, atol=1e-8)
    fd = central_gradient(surface.gradient, p, h=1e-5)
    np.testing.assert_allclose(
        surface.hessian(p), 0.5 * (fd + np.swapaxes(fd, 1, 2)), rtol=1e-6, atol=1e-8
    )


# --- sums of squares (Levenberg-Marquardt) --------------------------------------------------------

SQUARES = [v for v in VARIANTS if v.name != "logistic_ce"]
SQUARE_IDS = [i for i, v in zip(IDS, VARIANTS, strict=True) if v.name != "logistic_ce"]


def reference_residuals(surface, p):
    """r_i = (prediction_i - y_i) / sqrt(n) at points p (k, 2), from the data with SciPy."""
    x, y = surface.data
    z = p[:, :1] * x + p[:, 1:]
    prediction = z if surface.name == "linear_regression" else expit(z)
    return (prediction - y) / np.sqrt(len(x))


def test_which_data_surfaces_are_sums_of_squares():
    assert [s.has_residuals for s in VARIANTS] == [True, False, True] * 2


@pytest.mark.parametrize("surface", SQUARES, ids=SQUARE_IDS)
def test_residuals_are_the_scaled_errors_and_their_squares_sum_to_the_loss(surface):
    p = points(surface, 40, seed=7)
    r = surface.residuals(p)
    assert r.shape == (40, surface.n_data)
    np.testing.assert_allclose(r, reference_residuals(surface, p), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.sum(r * r, axis=-1), surface.value(p), rtol=1e-12)


@pytest.mark.parametrize("surface", SQUARES, ids=SQUARE_IDS)
def test_residual_jacobian_matches_finite_differences(surface):
    p = points(surface, 40, seed=8)
    h = 1e-6
    fd = np.stack(
        [
            (surface.residuals(p + h * e) - surface.residuals(p - h * e)) / (2 * h)
            for e in np.eye(2)
        ],
        axis=-1,
    )
    np.testing.assert_allclose(surface.jacobian(p), fd, rtol=1e-7, atol=1e-9)
    grid = points(surface, 6, seed=9).reshape(2, 3, 2)  # any leading shape
    assert surface.jacobian(grid).shape == (2, 3, surface.n_data, 2)


@pytest.mark.parametrize("surface", SQUARES, ids=SQUARE_IDS)
def test_levenberg_marquardt_converges_to_the_independent_fit(surface):
    x, y = surface.data
    if surface.name == "linear_regression":
        fit = LinearRegression().fit(x[:, None], y)
        expected = (fit.coef_[0], fit.intercept_)
    else:  # SciPy's MINPACK Levenberg-Marquardt on residuals computed here from the data
        fit = least_squares(
            lambda t: reference_residuals(surface, t[None])[0], surface.start, method="lm",
            xtol=1e-15, ftol=1e-15, gtol=1e-15,
        )  # fmt: skip
        expected = fit.x
    starts = np.vstack([surface.start, points(surface, 20, seed=10)])
    lm = optim_core.make("levenberg_marquardt")
    # The residuals do not vanish at the minimum (f ~ 0.2 to 3), so rounding in f hides
    # decreases below ~1e-16 f: gradient norms under ~1e-7 are out of reach of the gain ratio.
    tol = 1e-6
    result = optim_core.run(lm, surface, starts, 100, tol=tol)
    assert set(result.status) == {"converged"}
    # |g| < tol puts a point within tol / (smallest curvature) of the minimum, near enough.
    smallest = np.linalg.eigvalsh(surface.hessian(expected)).min()
    distance = np.linalg.norm(result.final - expected, axis=-1)
    np.testing.assert_array_less(distance, 2 * tol / smallest)
    if surface.name == "linear_regression":  # linear residuals: Gauss-Newton is exact
        assert result.stop_step.max() <= 6


def test_linear_regression_curvature_is_that_of_the_normal_equations():
    surface = SURFACES["linear_regression"]
    x, _ = surface.data
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    np.testing.assert_allclose(surface.hessian([[0.0, 0.0], [5.0, -3.0]]), [hessian, hessian])
    np.testing.assert_allclose(surface.curvature, np.linalg.eigvalsh(hessian), rtol=1e-12)


def test_mse_has_plateaus_where_cross_entropy_keeps_its_slope():
    """The lesson of the pair: from the default start (wrong sign of w, saturated sigmoid) the
    MSE gradient is an order of magnitude smaller, and on much of the domain it all but
    vanishes while cross-entropy's does not."""
    ce, mse = SURFACES["logistic_ce"], SURFACES["logistic_mse"]
    assert ce.domain == mse.domain and ce.start == mse.start
    start = np.array(ce.start)
    assert np.linalg.norm(mse.gradient(start)) < 0.1 * np.linalg.norm(ce.gradient(start))
    grid = points(ce, 4000, seed=6)
    flat_mse = np.mean(np.linalg.norm(mse.gradient(grid), axis=1) < 1e-2)
    flat_ce = np.mean(np.linalg.norm(ce.gradient(grid), axis=1) < 1e-2)
    assert flat_mse > 0.15 and flat_ce < 0.01


def test_gradient_descent_escapes_with_cross_entropy_and_stalls_with_mse():
    ce, mse = SURFACES["logistic_ce"], SURFACES["logistic_mse"]
    ends = {}
    for surface in (ce, mse):
        p = np.array(surface.start)
        for _ in range(300):
            p = p - 1.0 * surface.gradient(p)
        ends[surface.name] = np.linalg.norm(p - surface.global_minimum.point)
    assert ends["logistic_ce"] < 0.1 and ends["logistic_mse"] > 2.0


# --- mini-batches ---------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", VARIANTS, ids=IDS)
def test_epoch_of_minibatch_gradients_averages_to_the_full_gradient(surface):
    p = points(surface, 3, seed=8)
    order = np.random.default_rng(7).permutation(surface.n_data)
    for batch_size in [k for k in (1, 2, 5, surface.n_data) if surface.n_data % k == 0]:
        batches = order.reshape(-1, batch_size)  # equal batches partitioning the rows
        mean = np.mean([surface.batch_gradient(p, rows) for rows in batches], axis=0)
        np.testing.assert_allclose(mean, surface.gradient(p), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("surface", VARIANTS, ids=IDS)
def test_one_row_batch_is_the_gradient_of_that_row_alone(surface):
    x, y = surface.data
    p = points(surface, 4, seed=9)
    row = 3
    alone = surface.batch_gradient(p, np.array([row]))

    def loss(q):
        z = q[..., 0] * x[row] + q[..., 1]
        if surface.name == "linear_regression":
            return (z - y[row]) ** 2
        if surface.name == "logistic_ce":
            return -(y[row] * log_expit(z) + (1 - y[row]) * log_expit(-z))
        return (expit(z) - y[row]) ** 2

    np.testing.assert_allclose(alone, central_gradient(loss, p), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("shape", [(), (7,), (3, 4)])
def test_batch_gradient_keeps_leading_shapes(shape):
    surface = SURFACES["logistic_ce"]
    p = np.random.default_rng(10).uniform(-3, 3, (*shape, 2))
    rows = np.array([0, 5, 9])
    out = surface.batch_gradient(p, rows)
    assert out.shape == (*shape, 2)
    np.testing.assert_array_equal(
        out.reshape(-1, 2), surface.batch_gradient(p.reshape(-1, 2), rows)
    )


@pytest.mark.parametrize("index", [[], [0.5, 1.0], [[0, 1]], [-1], [60], "0"])
def test_batch_index_must_be_rows_of_the_data(index):
    with pytest.raises(ValueError, match="index"):
        SURFACES["logistic_ce"].batch_gradient([0.0, 0.0], np.asarray(index))


def test_huge_points_give_inf_or_nan_without_warnings():
    p = np.array([[1e200, 1e200], [-1e300, 1e300], [np.inf, 0.0], [np.nan, 1.0]])
    for surface in DATA_SURFACES:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            surface.value(p), surface.gradient(p), surface.hessian(p)
            surface.batch_gradient(p, np.arange(4))
