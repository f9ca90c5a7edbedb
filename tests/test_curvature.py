"""Second-order and quasi-Newton optimizers: textbook properties, SciPy as a reference, statuses,
evaluation counts, batched == one by one, and clear errors.

SciPy is a development-only reference here (``scipy.optimize.minimize`` with BFGS, CG and
Newton-CG, ``scipy.optimize.least_squares(method="lm")``).
"""

import dataclasses
import warnings

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

import optim_core
import surfaces
from optim_core import linesearch

NAMES = ["newton", "saddle_free_newton", "bfgs", "lbfgs", "cg", "levenberg_marquardt"]


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- registry ----------------------------------------------------------------------------------


def test_make_knows_every_curvature_optimizer_and_first_order_ones_stay_apart():
    assert list(optim_core.CURVATURE_OPTIMIZERS) == NAMES
    assert not set(NAMES) & set(optim_core.OPTIMIZERS)
    for name in NAMES:
        opt = optim_core.make(name)
        assert isinstance(opt, optim_core.CurvatureOptimizer) and opt.name == name
        assert repr(opt).startswith(f"{name}(")
    assert repr(optim_core.make("lbfgs", history_size=5)) == (
        "lbfgs(lr=1.0, history_size=5, tolerance_grad=1e-07, tolerance_change=1e-09, "
        "line_search_fn=None)"
    )


def test_lbfgs_defaults_are_torchs():
    # torch.optim.LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-07,
    # tolerance_change=1e-09, history_size=100, line_search_fn=None)
    assert optim_core.make("lbfgs").hyperparams == dict(
        lr=1, history_size=100, tolerance_grad=1e-7, tolerance_change=1e-9, line_search_fn=None
    )


INVALID = [
    ("newton", dict(lr=-1.0), "-1.0"),
    ("newton", dict(lr=float("nan")), "nan"),
    ("newton", dict(lr=np.array([[0.5], [-0.5]])), "-0.5"),
    ("newton", dict(lr=np.ones(3)), r"\(3,\)"),
    ("saddle_free_newton", dict(floor=-1e-3), "-0.001"),
    ("bfgs", dict(line_search="wolfe"), "'wolfe'"),
    ("bfgs", dict(c1=0.0), "c1 value: 0.0"),
    ("bfgs", dict(c1=0.5, c2=0.4), "0.4"),
    ("bfgs", dict(max_ls=-1), "-1"),
    ("lbfgs", dict(history_size=0), "history_size value: 0"),
    ("lbfgs", dict(history_size=2.5), "2.5"),
    ("lbfgs", dict(lr=-0.1), "-0.1"),
    ("lbfgs", dict(line_search_fn="backtracking"), "'backtracking'"),
    ("lbfgs", dict(tolerance_grad=-1.0), "-1.0"),
    ("cg", dict(beta="hestenes_stiefel"), "'hestenes_stiefel'"),
    ("cg", dict(c2=1.0), "c2 value: 1.0"),
    ("levenberg_marquardt", dict(tau=0.0), "tau value: 0.0"),
    ("levenberg_marquardt", dict(max_tries=0), "max_tries value: 0"),
]


@pytest.mark.parametrize("name, hp, shown", INVALID, ids=[f"{n}-{h}" for n, h, _ in INVALID])
def test_invalid_hyperparameters_raise_value_error_naming_the_value(name, hp, shown):
    with pytest.raises(ValueError, match=shown):
        optim_core.make(name, **hp)


def test_unknown_hyperparameters_list_the_valid_ones():
    with pytest.raises(TypeError, match="history_size"):
        optim_core.make("lbfgs", memory=5)


def test_run_explains_what_a_method_needs():
    with pytest.raises(ValueError, match="sum-of-squares.*'saddle'"):
        optim_core.run(optim_core.make("levenberg_marquardt"), surfaces.get("saddle"), (1, 1), 5)
    no_hessian = dataclasses.replace(surfaces.get("beale"), hess_fn=None)
    with pytest.raises(ValueError, match="Hessian"):
        optim_core.run(optim_core.make("newton"), no_hessian, (1.0, 1.0), 5)
    with pytest.raises(ValueError, match="noise"):
        optim_core.run(optim_core.make("bfgs"), surfaces.get("beale"), (1, 1), 5, noise=0.1)
    per_run = optim_core.make("newton", lr=np.ones((3, 1)))
    with pytest.raises(ValueError, match=r"\(2, 1\)"):
        optim_core.run(per_run, surfaces.get("beale"), np.ones((2, 2)), 5)


# --- textbook properties -----------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    kappa=st.floats(1.0, 1e4),
    largest=st.floats(1e-2, 1e2),
    angle=st.floats(-90, 90),
    start=st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
)
def test_newton_reaches_the_minimum_of_a_quadratic_bowl_in_one_step(kappa, largest, angle, start):
    bowl = surfaces.quadratic(kappa, largest=largest, angle_deg=angle)
    result = optim_core.run(optim_core.make("newton"), bowl, start, 5, tol=0.0)
    # The minimum is the origin: one step lands there up to rounding (relative to the start and
    # the condition number), and stays.
    assert np.abs(result.path[1:]).max() <= 1e-12 * kappa * (1 + np.abs(start).max())


def test_newton_solves_booth_in_one_step():
    booth = surfaces.get("booth")
    result = optim_core.run(optim_core.make("newton"), booth, booth.start, 10, tol=1e-9)
    assert result.status == "converged" and result.stop_step == 1
    np.testing.assert_allclose(result.final, (1.0, 3.0), atol=1e-13)
    assert (result.n_fev, result.n_gev, result.n_hev) == (0, 2, 2)  # at the start and the end


EXACT = dict(c1=1e-9, c2=1e-8)  # a strong-Wolfe search this tight is an exact line search


@pytest.mark.parametrize(
    "name, hp", [("bfgs", {}), ("cg", {}), ("cg", dict(beta="fr"))], ids=["bfgs", "cg", "cg-fr"]
)
@pytest.mark.parametrize("kappa, angle", [(3.0, -20.0), (10.0, 30.0), (100.0, 70.0)])
def test_exact_line_searches_minimise_a_2d_quadratic_in_two_iterations(name, hp, kappa, angle):
    bowl = surfaces.quadratic(kappa, largest=8.0, angle_deg=angle)
    result = optim_core.run(optim_core.make(name, **hp, **EXACT), bowl, bowl.start, 2, tol=0.0)
    assert result.grad_norm[1] > 1e-3 * result.grad_norm[0]  # one iteration is not enough
    assert result.grad_norm[2] < 1e-12 * result.grad_norm[0]
    assert np.abs(result.final).max() < 1e-11


def test_on_the_saddle_newton_converges_to_it_and_the_others_leave():
    saddle = surfaces.get("saddle")
    start = (0.3, 1e-3)
    newton = optim_core.run(optim_core.make("newton"), saddle, start, 200)
    assert newton.status == "converged"
    np.testing.assert_allclose(newton.final, (0.0, 0.0), atol=1e-8)
    for name, hp in [("saddle_free_newton", {}), ("sgd", dict(lr=0.1))]:
        result = optim_core.run(optim_core.make(name, **hp), saddle, start, 200)
        assert result.status == "converged", name
        _, distance = saddle.nearest_minimum(result.final)
        assert distance < 1e-6, (name, result.final)


def test_a_singular_hessian_stops_the_run_as_a_result():
    # On the saddle surface d2f/dy2 = 6y^2 - 2 vanishes at y = 1/sqrt(3); there the Hessian
    # diag(2, ~1e-16) is singular to working precision.
    saddle = surfaces.get("saddle")
    start = np.array([[0.5, 1 / np.sqrt(3)], [0.5, 0.9]])
    for opt in (optim_core.make("newton"), optim_core.make("saddle_free_newton", floor=0.0)):
        result = optim_core.run(opt, saddle, start, 20)
        assert list(result.status) == ["singular", "converged"], opt
        assert result.stop_step[0] == 1
        np.testing.assert_array_equal(result.path[0], np.broadcast_to(start[0], (21, 2)))
        assert (result.n_hev[0], result.n_gev[0]) == (1, 1)  # no gradient after the failed solve
    # A floor keeps |H| invertible: saddle-free Newton moves on.
    moving = optim_core.run(optim_core.make("saddle_free_newton"), saddle, start[0], 20)
    assert moving.status != "singular"


def test_singular_status_is_documented_on_the_result():
    assert "singular" in optim_core.RunResult.__doc__
    assert "RCOND" in optim_core.Newton.__doc__


# --- SciPy as a reference ----------------------------------------------------------------------

# (surface, start): the surfaces' own starts, except where pure Newton heads for a saddle (Beale,
# Himmelblau) or Levenberg-Marquardt runs off towards Beale's valley at x -> -inf (SciPy's too).
SCIPY = [
    ("bfgs", "BFGS", "rosenbrock", (-1.2, 1.0)),
    ("bfgs", "BFGS", "beale", (1.0, 1.5)),
    ("bfgs", "BFGS", "himmelblau", (0.5, -1.5)),
    ("bfgs", "BFGS", "booth", (-8.0, 6.0)),
    ("cg", "CG", "rosenbrock", (-1.2, 1.0)),
    ("cg", "CG", "beale", (1.0, 1.5)),
    ("cg", "CG", "himmelblau", (0.5, -1.5)),
    ("cg", "CG", "booth", (-8.0, 6.0)),
    ("newton", "Newton-CG", "rosenbrock", (-1.2, 1.0)),
    ("newton", "Newton-CG", "beale", (2.5, 0.3)),
    ("newton", "Newton-CG", "himmelblau", (3.5, 2.5)),
    ("newton", "Newton-CG", "booth", (-8.0, 6.0)),
    ("levenberg_marquardt", "lm", "rosenbrock", (-1.2, 1.0)),
    ("levenberg_marquardt", "lm", "beale", (2.5, 0.3)),
    ("levenberg_marquardt", "lm", "himmelblau", (0.5, -1.5)),
    ("levenberg_marquardt", "lm", "booth", (-8.0, 6.0)),
]


def scipy_reference(method: str, surface, start):
    """SciPy's end point and its iteration count (function evaluations for 'lm', which does not
    report iterations)."""
    start = np.array(start)
    if method == "lm":
        result = scipy.optimize.least_squares(
            surface.residuals, start, jac=surface.jacobian, method="lm"
        )
        return result.x, result.nfev
    options = {"xtol": 1e-12} if method == "Newton-CG" else {"gtol": 1e-8}
    result = scipy.optimize.minimize(
        lambda p: float(surface.value(p)),
        start,
        jac=surface.gradient,
        hess=surface.hessian if method == "Newton-CG" else None,
        method=method,
        options=options,
    )
    return result.x, result.nit


@pytest.mark.parametrize(
    "name, method, surface_name, start", SCIPY, ids=[f"{c[0]}-{c[2]}" for c in SCIPY]
)
def test_same_end_point_as_scipy_in_as_few_iterations(name, method, surface_name, start):
    surface = surfaces.get(surface_name)
    end, count = scipy_reference(method, surface, start)
    result = optim_core.run(optim_core.make(name), surface, start, 1000, tol=1e-8)
    assert result.status == "converged"
    assert np.linalg.norm(result.final - end) < 1e-6, (result.final, end)
    ours = result.n_fev if method == "lm" else result.stop_step
    # Within 1.5x, or two more when SciPy needs only a handful (Levenberg-Marquardt's damping,
    # tau = 1e-3, costs two extra evaluations on linear residuals, where MINPACK's trust region
    # takes the Gauss-Newton step at once).
    assert ours <= max(1.5 * count, count + 2), (ours, count)


# --- statuses, paths and counts ----------------------------------------------------------------

CONFIGS = {
    "newton": ("newton", {}),
    "newton-lr": ("newton", dict(lr=0.5)),
    "saddle-free": ("saddle_free_newton", {}),
    "bfgs": ("bfgs", {}),
    "bfgs-armijo": ("bfgs", dict(line_search="armijo")),
    "lbfgs": ("lbfgs", dict(lr=0.5)),
    "lbfgs-wolfe-history-2": ("lbfgs", dict(line_search_fn="strong_wolfe", history_size=2)),
    "cg": ("cg", {}),
    "cg-fr": ("cg", dict(beta="fr")),
    "levenberg-marquardt": ("levenberg_marquardt", {}),
}


def batch_starts(surface, n=12, seed=7):
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("surface_name", ["himmelblau", "rastrigin", "saddle"])
def test_batch_run_equals_loop_of_single_runs_exactly(config, surface_name):
    name, hp = CONFIGS[config]
    surface = surfaces.get(surface_name)
    if name == "levenberg_marquardt" and not surface.has_residuals:
        surface = surfaces.get("beale")
    starts = batch_starts(surface)
    if surface.name == "saddle":  # a start whose Hessian is singular
        starts[0] = (0.5, 1 / np.sqrt(3))
    opt = optim_core.make(name, **hp)
    # tol = 1e-3: L-BFGS with torch's tolerance_change stops moving at |g| ~ 1e-4.
    batch = optim_core.run(opt, surface, starts, 80, tol=1e-3)
    assert len(set(batch.stop_step)) > 1, "runs should stop at different steps"
    for i, start in enumerate(starts):
        single = optim_core.run(opt, surface, start, 80, tol=1e-3)
        np.testing.assert_array_equal(batch.path[i], single.path)
        np.testing.assert_array_equal(batch.evals[i], single.evals)
        for field in ("status", "stop_step", "n_fev", "n_gev", "n_hev"):
            assert getattr(batch, field)[i] == getattr(single, field), field


@pytest.mark.parametrize("name", ["newton", "saddle_free_newton", "lbfgs"])
def test_array_learning_rates_equal_separate_runs(name):
    surface = surfaces.get("himmelblau")
    lrs = np.array([0.1, 0.3, 0.7, 1.0])
    starts = np.tile(surface.start, (4, 1))
    batch = optim_core.run(optim_core.make(name, lr=lrs[:, None]), surface, starts, 60)
    for i, lr in enumerate(lrs):
        single = optim_core.run(optim_core.make(name, lr=float(lr)), surface, surface.start, 60)
        np.testing.assert_array_equal(batch.path[i], single.path)


def test_batches_larger_than_a_chunk_match_single_runs():
    surface = surfaces.get("wells")
    starts = batch_starts(surface, n=5000, seed=1)
    batch = optim_core.run(optim_core.make("bfgs"), surface, starts, 40, keep_path=False)
    for i in (0, 4095, 4096, 4999):
        single = optim_core.run(optim_core.make("bfgs"), surface, starts[i], 40)
        np.testing.assert_array_equal(batch.final[i], single.final)
        assert batch.n_fev[i] == single.n_fev


@pytest.mark.parametrize("config", list(CONFIGS))
def test_keep_path_false_gives_the_same_ends(config):
    name, hp = CONFIGS[config]
    surface = surfaces.get("beale")
    starts = batch_starts(surface, n=20)
    full = optim_core.run(optim_core.make(name, **hp), surface, starts, 60)
    lean = optim_core.run(optim_core.make(name, **hp), surface, starts, 60, keep_path=False)
    assert lean.path is None
    np.testing.assert_array_equal(lean.final, full.final)
    np.testing.assert_array_equal(lean.status, full.status)
    np.testing.assert_array_equal(lean.n_gev, full.n_gev)


def test_stopped_runs_hold_their_last_position():
    surface = surfaces.get("rosenbrock")
    result = optim_core.run(optim_core.make("bfgs"), surface, surface.start, 200)
    k = result.stop_step
    assert result.status == "converged" and 10 < k < 200
    assert result.grad_norm[k] < 1e-6 <= result.grad_norm[k - 1]
    np.testing.assert_array_equal(result.path[k:], np.broadcast_to(result.path[k], (201 - k, 2)))
    # Newton from Rosenbrock's far corner jumps out of the escape box: diverged, last good
    # position kept.
    far = optim_core.run(optim_core.make("newton", lr=30.0), surface, surface.start, 50)
    assert far.status == "diverged"
    lo, hi = optim_core.escape_box(surface.domain, 5.0)
    assert np.all((far.path >= lo) & (far.path <= hi)) and np.all(np.isfinite(far.loss))
    np.testing.assert_array_equal(far.final, far.path[far.stop_step])


@pytest.mark.parametrize("name", NAMES)
def test_huge_steps_and_far_starts_never_warn_and_never_raise(name):
    surface = surfaces.get("rosenbrock" if name == "levenberg_marquardt" else "goldstein_price")
    hp = {"lr": 1e12} if name in ("newton", "saddle_free_newton", "lbfgs") else {}
    starts = np.array([[0.5, 0.5], [-1.0, 1.0], [1e150, -1e150], [1.9, 1.9]])
    result = optim_core.run(optim_core.make(name, **hp), surface, starts, 100)
    assert set(result.status) <= {"diverged", "moving", "converged", "singular"}
    assert result.status[2] == "diverged" and result.stop_step[2] == 0


class CountingSurface:
    """Counts the points at which a surface's functions are evaluated."""

    def __init__(self, surface):
        self.points = dict(fn=0, grad_fn=0, hess_fn=0, residual_fn=0, jacobian_fn=0)
        wrapped = {k: self._counted(k, getattr(surface, k)) for k in self.points}
        self.surface = dataclasses.replace(surface, **wrapped)

    def _counted(self, key, fn):
        def counted(x, y):
            self.points[key] += np.size(x)
            return fn(x, y)

        return counted


@pytest.mark.parametrize("config", list(CONFIGS))
def test_counts_are_the_evaluations_made(config):
    name, hp = CONFIGS[config]
    counting = CountingSurface(surfaces.get("beale"))
    starts = batch_starts(counting.surface, n=6)
    result = optim_core.run(
        optim_core.make(name, **hp), counting.surface, starts, 40, keep_path=False
    )
    points = counting.points
    assert result.n_fev.sum() == points["fn"] + points["residual_fn"] - len(starts)  # final_loss
    assert result.n_gev.sum() == points["grad_fn"] + points["jacobian_fn"]
    assert result.n_hev.sum() == points["hess_fn"]
    assert np.all(result.n_gev >= 1)


@pytest.mark.parametrize("config", list(CONFIGS))
def test_evals_are_the_gradients_evaluated_by_each_step(config):
    # A run cut at step t makes the same evaluations as the first t steps of a longer one, so
    # the gradients a surface saw in a run of t steps are the longer run's evals[t].
    name, hp = CONFIGS[config]
    start = (2.5, 0.3)
    long = optim_core.run(optim_core.make(name, **hp), surfaces.get("beale"), start, 12)
    assert long.evals.shape == (13,)
    for t in range(13):
        counting = CountingSurface(surfaces.get("beale"))
        optim_core.run(optim_core.make(name, **hp), counting.surface, start, t, keep_path=False)
        assert long.evals[t] == counting.points["grad_fn"] + counting.points["jacobian_fn"], t
    assert long.evals[-1] == long.n_gev


def test_bfgs_evals_grow_by_at_least_one_per_step_and_hold_after_the_stop():
    surface = surfaces.get("rosenbrock")
    starts = batch_starts(surface, n=6, seed=3)
    result = optim_core.run(optim_core.make("bfgs"), surface, starts, 200)
    assert np.all(result.status == "converged")
    for evals, k, n_gev in zip(result.evals, result.stop_step, result.n_gev, strict=True):
        assert evals[0] == 1 and np.all(np.diff(evals[: k + 1]) >= 1)
        assert np.any(np.diff(evals[: k + 1]) > 1)  # some line search tried several steps
        assert np.all(evals[k:] == n_gev)


def test_first_order_counts_one_gradient_per_step():
    surface = surfaces.get("himmelblau")
    starts = batch_starts(surface, n=8)
    result = optim_core.run(optim_core.make("adam", lr=0.1), surface, starts, 300)
    assert len(set(result.stop_step)) > 1
    np.testing.assert_array_equal(result.n_gev, result.stop_step + 1)
    assert not result.n_fev.any() and not result.n_hev.any()
    single = optim_core.run(optim_core.make("sgd", lr=0.01), surface, surface.start, 7)
    assert (single.n_fev, single.n_gev, single.n_hev) == (0, 8, 0)


def test_one_bfgs_step_may_evaluate_several_times_and_newton_needs_hessians():
    surface = surfaces.get("rosenbrock")
    bfgs = optim_core.run(optim_core.make("bfgs"), surface, surface.start, 100)
    newton = optim_core.run(optim_core.make("newton"), surface, surface.start, 100)
    assert bfgs.n_fev == bfgs.n_gev > bfgs.stop_step + 1 and bfgs.n_hev == 0
    assert newton.n_hev == newton.n_gev == newton.stop_step + 1 and newton.n_fev == 0


# --- line searches -----------------------------------------------------------------------------


def rosenbrock_problems(n=400, seed=0):
    """Points and descent directions (-gradient, or a random one turned downhill)."""
    surface = surfaces.get("rosenbrock")
    rng = np.random.default_rng(seed)
    x = rng.uniform((-2, -1), (2, 3), size=(n, 2))
    g = surface.gradient(x)
    d = np.where(rng.random((n, 1)) < 0.5, -g, rng.normal(size=(n, 2)))
    d *= np.where(np.sum(d * g, axis=1) < 0, 1, -1)[:, None]
    return surface, x, d, g


def test_strong_wolfe_search_ends_where_both_conditions_hold():
    surface, x, d, g = rosenbrock_problems()
    f, gtd = surface.value(x), np.sum(g * d, axis=1)
    calls = []

    def evaluate(idx, points):
        calls.append(len(idx))
        return surface.value(points), surface.gradient(points)

    t, f_new, g_new = linesearch.strong_wolfe(evaluate, x, d, f, g, gtd, np.ones(len(x)), 1e-4, 0.9)
    new = x + t[:, None] * d
    np.testing.assert_array_equal(f_new, surface.value(new))
    np.testing.assert_array_equal(g_new, surface.gradient(new))
    armijo = f_new <= f + 1e-4 * t * gtd
    curvature = np.abs(np.sum(g_new * d, axis=1)) <= 0.9 * np.abs(gtd)
    assert np.all(t > 0) and np.all(armijo)
    assert np.mean(curvature) > 0.99  # a few searches stop on a tiny bracket instead
    assert len(calls) <= 26 and calls[0] == len(x) and calls[-1] < len(x)


def test_backtracking_ends_at_the_first_step_with_sufficient_decrease():
    surface, x, d, g = rosenbrock_problems(seed=1)
    f, gtd = surface.value(x), np.sum(g * d, axis=1)
    t, f_new = linesearch.backtracking(
        lambda idx, points: surface.value(points), x, d, f, gtd, np.ones(len(x)), 1e-4, 0.5
    )
    assert np.all(t > 0)
    np.testing.assert_array_equal(f_new, surface.value(x + t[:, None] * d))
    assert np.all(f_new <= f + 1e-4 * t * gtd)
    longer = 2 * t  # the step before the accepted one (none before t = 1) was rejected
    rejected = surface.value(x + longer[:, None] * d) > f + 1e-4 * longer * gtd
    assert np.all(rejected | (t == 1.0))


def test_cubic_interpolation_finds_the_minimum_of_a_cubic():
    # phi(t) = (t - 1)^3 / 3 - (t - 1) has a local minimum at t = 2.
    def phi(t):
        return (t - 1) ** 3 / 3 - (t - 1), (t - 1) ** 2 - 1

    (f1, g1), (f2, g2) = phi(np.array([1.5])), phi(np.array([3.0]))
    t = linesearch.cubic_interpolate(np.array([1.5]), f1, g1, np.array([3.0]), f2, g2)
    np.testing.assert_allclose(t, [2.0], rtol=1e-12)
