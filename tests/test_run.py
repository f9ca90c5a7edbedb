"""``optim_core.run``: statuses, stop steps, paths, divergence without warnings, noise."""

import sys
import warnings

import numpy as np
import pytest

import optim_core
import surfaces


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_single_start_shapes():
    surface = surfaces.get("booth")
    result = optim_core.run(optim_core.make("adam", lr=0.1), surface, (0.0, 0.0), 40)
    assert result.path.shape == (41, 2)
    assert result.loss.shape == result.grad_norm.shape == (41,)
    assert result.final.shape == (2,)
    np.testing.assert_array_equal(result.path[0], (0.0, 0.0))
    np.testing.assert_allclose(result.loss, surface.value(result.path))


def test_gradient_descent_on_booth_converges_where_theory_says():
    # Booth is the quadratic f = (x + 2y - 7)^2 + (2x + y - 5)^2 with Hessian [[10, 8], [8, 10]]
    # (eigenvalues 2 and 18): gradient descent converges iff lr < 2/18.
    surface = surfaces.get("booth")
    stable = optim_core.run(optim_core.make("sgd", lr=0.1), surface, (0.0, 0.0), 2000, tol=1e-8)
    assert stable.status == "converged"
    np.testing.assert_allclose(stable.final, (1.0, 3.0), atol=1e-8)
    unstable = optim_core.run(optim_core.make("sgd", lr=0.115), surface, (0.0, 0.0), 2000)
    assert unstable.status == "diverged"


def test_converged_run_stops_and_holds_its_position():
    surface = surfaces.get("booth")
    result = optim_core.run(optim_core.make("sgd", lr=0.05), surface, (0.0, 0.0), 3000, tol=1e-4)
    k = result.stop_step
    assert result.status == "converged" and 0 < k < 3000
    assert result.grad_norm[k] < 1e-4 <= result.grad_norm[k - 1]
    np.testing.assert_array_equal(result.path[k:], np.broadcast_to(result.path[k], (3001 - k, 2)))
    np.testing.assert_array_equal(result.final, result.path[k])


def test_divergence_is_a_result_with_the_step_and_last_good_position():
    surface = surfaces.get("rosenbrock")
    result = optim_core.run(optim_core.make("sgd", lr=0.1), surface, surface.start, 500)
    assert result.status == "diverged"
    k = result.stop_step
    assert 0 < k < 500
    assert np.all(np.isfinite(result.path)) and np.all(np.isfinite(result.loss))
    lo, hi = optim_core.escape_box(surface.domain, 5.0)
    assert np.all((result.path >= lo) & (result.path <= hi))
    np.testing.assert_array_equal(result.final, result.path[-1])


def test_start_outside_the_domain_is_diverged_at_step_zero():
    surface = surfaces.get("beale")
    result = optim_core.run(optim_core.make("adam"), surface, [(1.0, 1.0), (1e9, 0.0)], 10)
    assert list(result.status) == ["moving", "diverged"]
    assert list(result.stop_step) == [10, 0]


def test_huge_learning_rates_never_warn_and_never_raise():
    surface = surfaces.get("goldstein_price")
    for name in optim_core.OPTIMIZERS:
        result = optim_core.run(
            optim_core.make(name, lr=1e12), surface, np.array([[0.5, 0.5], [-1.0, 1.0]]), 100
        )
        assert set(result.status) <= {"diverged", "moving", "converged"}


def test_keep_path_false_gives_the_same_ends():
    surface = surfaces.get("himmelblau")
    starts = np.random.default_rng(0).uniform(-5, 5, size=(300, 2))
    opt = optim_core.make("momentum", lr=0.005)
    full = optim_core.run(opt, surface, starts, 300)
    lean = optim_core.run(opt, surface, starts, 300, keep_path=False)
    assert lean.path is None and lean.loss is None
    np.testing.assert_array_equal(lean.final, full.final)
    np.testing.assert_array_equal(lean.status, full.status)
    np.testing.assert_array_equal(lean.stop_step, full.stop_step)
    np.testing.assert_allclose(lean.final_loss, full.loss[:, -1])


def test_noise_is_seeded():
    surface = surfaces.get("booth")
    opt = optim_core.make("sgd", lr=0.01)
    a = optim_core.run(opt, surface, (0.0, 0.0), 50, noise=1.0, seed=1)
    b = optim_core.run(opt, surface, (0.0, 0.0), 50, noise=1.0, seed=1)
    c = optim_core.run(opt, surface, (0.0, 0.0), 50, noise=1.0, seed=2)
    clean = optim_core.run(opt, surface, (0.0, 0.0), 50)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.allclose(a.path, c.path)
    assert not np.allclose(a.path, clean.path)


@pytest.mark.parametrize("steps", [-1, 2.5, "10"])
def test_bad_step_counts_raise_value_error(steps):
    with pytest.raises(ValueError, match="steps"):
        optim_core.run(optim_core.make("sgd"), surfaces.get("booth"), (0.0, 0.0), steps)


@pytest.mark.parametrize("name", ["himmelblau", "six_hump_camel"], ids=["fused", "plain"])
def test_runs_stopping_at_different_steps_match_single_runs(monkeypatch, name):
    # Stopped runs leave the working set (moving runs from its tail take their rows) and big
    # batches are split into chunks: neither may change any run's path, status or stop step.
    monkeypatch.setattr(sys.modules["optim_core.run"], "CHUNK", 40)
    monkeypatch.setattr(sys.modules["optim_core.run"], "PLAIN_CHUNK", 40)
    surface = surfaces.get(name)
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(1)
    starts = np.column_stack([rng.uniform(x0, x1, 100), rng.uniform(y0, y1, 100)])
    lr = rng.permutation(np.geomspace(1e-3, 0.1, 100))[:, None]  # the largest ones diverge
    batch = optim_core.run(optim_core.make("nag", lr=lr), surface, starts, 150, tol=1e-2)
    assert set(batch.status) == {"converged", "diverged", "moving"}
    assert len(np.unique(batch.stop_step)) > 20
    for i in range(len(starts)):
        opt = optim_core.make("nag", lr=float(lr[i, 0]))
        single = optim_core.run(opt, surface, starts[i], 150, tol=1e-2)
        np.testing.assert_array_equal(batch.path[i], single.path)
        np.testing.assert_array_equal(batch.grad_norm[i], single.grad_norm)
        assert (batch.status[i], batch.stop_step[i]) == (single.status, single.stop_step)


def test_first_order_evals_count_one_gradient_at_the_start_and_one_per_step():
    surface = surfaces.get("himmelblau")
    starts = np.array([(0.0, 0.0), (1e9, 0.0), (-3.0, 3.0)])  # the middle one starts outside
    result = optim_core.run(optim_core.make("adam", lr=0.1), surface, starts, 400, tol=1e-3)
    assert list(result.status) == ["converged", "diverged", "converged"]
    assert result.evals.shape == (3, 401)
    steps = np.arange(401)
    for i, k in enumerate(result.stop_step):
        np.testing.assert_array_equal(result.evals[i], np.minimum(steps, k) + 1)
    np.testing.assert_array_equal(result.evals[:, -1], result.n_gev)
    moving = optim_core.run(optim_core.make("sgd", lr=1e-3), surface, (0.0, 0.0), 30)
    np.testing.assert_array_equal(moving.evals, np.arange(31) + 1)
    lean = optim_core.run(optim_core.make("sgd", lr=1e-3), surface, starts, 30, keep_path=False)
    assert lean.evals is None
