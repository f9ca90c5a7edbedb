"""``optim_core.run(..., batch_size=k)``: mini-batch gradients on data-defined surfaces.

References: the full-gradient run (a batch of every row), the surface's own full gradient (an
epoch of batches averages to it), the rows each step actually asked the surface for, and a
textbook SGD loop written here from the data.
"""

import dataclasses
import sys
import warnings

import numpy as np
import pytest

import optim_core
import surfaces
from optim_core.batches import minibatches

DATA = ["linear_regression", "logistic_ce", "logistic_mse"]


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


class RecordingSurface:
    """A data surface that records the rows of every mini-batch gradient asked of it."""

    def __init__(self, surface):
        self.batches = []

        def batch_grad_fn(x, y, index):
            self.batches.append(np.array(index))
            return surface.batch_grad_fn(x, y, index)

        self.surface = dataclasses.replace(surface, batch_grad_fn=batch_grad_fn)


def epochs(batches, n):
    """Split a sequence of batches into epochs of n rows (the last one may be incomplete)."""
    out, current, rows = [], [], 0
    for batch in batches:
        current.append(batch)
        rows += len(batch)
        if rows == n:
            out.append(current)
            current, rows = [], 0
    return out


@pytest.mark.parametrize("surface_name", DATA)
@pytest.mark.parametrize("name, lr", [("sgd", 0.3), ("momentum", 0.1), ("adam", 0.2)])
def test_a_batch_of_every_row_follows_the_full_gradient_path(surface_name, name, lr):
    surface = surfaces.get(surface_name)
    starts = np.array([surface.start, (0.5, -1.0), (3.0, 2.0)])
    opt = optim_core.make(name, lr=lr)
    full = optim_core.run(opt, surface, starts, 300)
    batch = optim_core.run(opt, surface, starts, 300, batch_size=surface.n_data, seed=4)
    # Equal up to rounding: the batch sums the rows in shuffled order (and linear regression's
    # full gradient is the closed form 2 A (theta - theta*)).
    np.testing.assert_allclose(batch.path, full.path, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(batch.grad_norm, full.grad_norm, rtol=1e-7, atol=1e-12)
    np.testing.assert_array_equal(batch.status, full.status)
    np.testing.assert_array_equal(batch.stop_step, full.stop_step)


@pytest.mark.parametrize("surface_name", DATA)
@pytest.mark.parametrize("batch_size", [1, 5, 7])
def test_each_epoch_of_the_runs_batches_averages_to_the_full_gradient(surface_name, batch_size):
    surface = surfaces.get(surface_name)
    n = surface.n_data  # 40 or 60 rows: 7 does not divide them, the last batch is short
    recording = RecordingSurface(surface)
    per_epoch = -(-n // batch_size)
    opt = optim_core.make("sgd", lr=0.01)
    optim_core.run(opt, recording.surface, surface.start, 3 * per_epoch, batch_size=batch_size)
    assert len(recording.batches) == 3 * per_epoch
    p = np.array([[0.7, -0.4], [-2.0, 3.0]])  # fixed points, away from the run
    orders = []
    for epoch in epochs(recording.batches, n):
        sizes = [len(rows) for rows in epoch]
        assert sizes == [batch_size] * (per_epoch - 1) + [n - (per_epoch - 1) * batch_size]
        order = np.concatenate(epoch)
        np.testing.assert_array_equal(np.sort(order), np.arange(n))  # every row once
        orders.append(order)
        grads = [surface.batch_gradient(p, rows) for rows in epoch]
        mean = np.average(grads, axis=0, weights=sizes)  # the plain mean when k divides n
        np.testing.assert_allclose(mean, surface.gradient(p), rtol=1e-10, atol=1e-13)
    assert len(orders) == 3
    assert not np.array_equal(orders[0], orders[1])  # reshuffled each epoch


def test_every_optimizer_sees_the_same_batches_for_a_seed():
    surface = surfaces.get("logistic_ce")
    seen = {}
    for name, seed in [("sgd", 3), ("adam", 3), ("rmsprop", 3), ("sgd", 4)]:
        recording = RecordingSurface(surface)
        opt = optim_core.make(name, lr=0.1)
        optim_core.run(opt, recording.surface, surface.start, 50, batch_size=8, seed=seed)
        seen[name, seed] = np.concatenate(recording.batches)
    np.testing.assert_array_equal(seen["sgd", 3], seen["adam", 3])
    np.testing.assert_array_equal(seen["sgd", 3], seen["rmsprop", 3])
    assert not np.array_equal(seen["sgd", 3], seen["sgd", 4])


def test_all_runs_of_a_batched_call_step_with_the_same_batches(monkeypatch):
    # Small chunks: each chunk replays the batch sequence, and runs that stop early (the large
    # learning rates diverge) must not shift it for the others.
    monkeypatch.setattr(sys.modules["optim_core.run"], "PLAIN_CHUNK", 3)
    surface = surfaces.get("linear_regression")
    lr = np.geomspace(0.01, 0.5, 8)[:, None]
    starts = np.tile(surface.start, (8, 1))
    batch = optim_core.run(optim_core.make("nag", lr=lr), surface, starts, 120, batch_size=4)
    assert len(set(batch.status)) > 1
    for i in range(8):
        opt = optim_core.make("nag", lr=float(lr[i, 0]))
        single = optim_core.run(opt, surface, surface.start, 120, batch_size=4)
        np.testing.assert_array_equal(batch.path[i], single.path)
        np.testing.assert_array_equal(batch.evals[i], single.evals)
        assert (batch.status[i], batch.stop_step[i]) == (single.status, single.stop_step)


def test_minibatch_sgd_is_the_textbook_loop():
    surface = surfaces.linear_regression(n=30, noise=1.0, seed=2)
    x, y = surface.data
    lr, k, seed, steps = 0.05, 4, 9, 40
    p = np.array(surface.start)
    expected = [p]
    for _, rows in zip(range(steps), minibatches(len(x), k, seed), strict=False):
        r = p[0] * x[rows] + p[1] - y[rows]  # d/d(w, b) of mean (w x + b - y)^2 over the batch
        p = p - lr * np.array([np.mean(2 * r * x[rows]), np.mean(2 * r)])
        expected.append(p)
    result = optim_core.run(
        optim_core.make("sgd", lr=lr), surface, surface.start, steps, batch_size=k, seed=seed
    )
    np.testing.assert_allclose(result.path, expected, rtol=1e-12, atol=1e-12)


def test_batches_are_seeded_permutations_cut_in_order():
    a = [rows for _, rows in zip(range(9), minibatches(10, 3, seed=5), strict=False)]
    b = [rows for _, rows in zip(range(9), minibatches(10, 3, seed=5), strict=False)]
    c = [rows for _, rows in zip(range(9), minibatches(10, 3, seed=6), strict=False)]
    assert [len(rows) for rows in a] == [3, 3, 3, 1, 3, 3, 3, 1, 3]
    for epoch in (a[:4], a[4:8]):
        np.testing.assert_array_equal(np.sort(np.concatenate(epoch)), np.arange(10))
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c, strict=True))


def test_grad_norm_and_convergence_use_the_full_gradient():
    # Noiseless data: every row's gradient vanishes at the fit, so SGD on single rows converges.
    surface = surfaces.linear_regression(n=20, noise=0.0, seed=1)
    opt = optim_core.make("sgd", lr=0.1)
    result = optim_core.run(opt, surface, surface.start, 3000, tol=1e-8, batch_size=1)
    k = result.stop_step
    assert result.status == "converged" and 0 < k < 3000
    full = np.linalg.norm(surface.gradient(result.path), axis=-1)
    np.testing.assert_allclose(result.grad_norm, full, rtol=1e-12, atol=1e-15)
    assert full[k] < 1e-8 <= full[k - 1]
    np.testing.assert_allclose(result.final, (2.0, 1.0), atol=1e-7)  # y = 2x + 1 exactly


def test_a_batch_of_k_rows_counts_k_over_n_gradients():
    surface = surfaces.get("linear_regression")  # 40 rows: batches of 7, 7, 7, 7, 7, 5 per epoch
    assert surface.n_data == 40
    recording = RecordingSurface(surface)
    opt = optim_core.make("sgd", lr=0.05)
    result = optim_core.run(opt, recording.surface, surface.start, 20, batch_size=7)
    assert result.status == "moving"
    assert result.evals[0] == 0  # the start's full gradient only watches the run
    assert result.evals[1] == 7 / 40 and result.evals[5] == 35 / 40 and result.evals[6] == 1.0
    assert result.evals[7] == 47 / 40 and result.evals[12] == 2.0 and result.evals[20] == 134 / 40
    assert result.n_gev == result.evals[-1]
    assert result.n_gev * 40 == sum(len(rows) for rows in recording.batches)
    assert result.n_fev == result.n_hev == 0


def test_counts_are_held_after_a_run_stops_and_equal_without_path():
    surface = surfaces.linear_regression(n=20, noise=0.0, seed=1)  # SGD can converge here
    lr = np.array([[0.01], [0.3], [1.0]])  # moving, converging, diverging
    starts = np.tile(surface.start, (3, 1))
    opt = optim_core.make("sgd", lr=lr)
    kwargs = dict(batch_size=6, seed=1, tol=1e-3)
    full = optim_core.run(opt, surface, starts, 300, **kwargs)
    lean = optim_core.run(opt, surface, starts, 300, keep_path=False, **kwargs)
    assert list(full.status) == ["moving", "converged", "diverged"]
    assert lean.evals is None
    np.testing.assert_array_equal(lean.final, full.final)
    np.testing.assert_array_equal(lean.n_gev, full.n_gev)
    for i, k in enumerate(full.stop_step):
        assert np.all(full.evals[i, k:] == full.n_gev[i])
        assert np.all(np.diff(full.evals[i, : k + 1]) > 0)


def test_noise_adds_to_the_minibatch_gradient_and_is_seeded():
    surface = surfaces.get("logistic_ce")
    opt = optim_core.make("sgd", lr=0.5)
    args = (opt, surface, surface.start, 60)
    a = optim_core.run(*args, batch_size=10, noise=0.5, seed=2)
    b = optim_core.run(*args, batch_size=10, noise=0.5, seed=2)
    quiet = optim_core.run(*args, batch_size=10, seed=2)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.allclose(a.path, quiet.path)


def test_diverging_minibatch_runs_never_warn():
    surface = surfaces.get("logistic_mse")
    for name in optim_core.OPTIMIZERS:
        result = optim_core.run(
            optim_core.make(name, lr=1e12), surface, [surface.start, (0.0, 0.0)], 50, batch_size=3
        )
        assert set(result.status) <= {"diverged", "moving", "converged"}


def test_batch_size_needs_a_surface_defined_by_data():
    with pytest.raises(ValueError, match="'booth' is not defined by data"):
        optim_core.run(optim_core.make("sgd"), surfaces.get("booth"), (0.0, 0.0), 5, batch_size=1)


@pytest.mark.parametrize("batch_size", [0, -1, 41, 2.5, True, "4", np.float64(3.0)])
def test_invalid_batch_sizes_name_the_value_and_the_range(batch_size):
    surface = surfaces.get("linear_regression")
    with pytest.raises(ValueError, match=r"Invalid batch_size.*1\.\.40"):
        optim_core.run(optim_core.make("sgd"), surface, surface.start, 5, batch_size=batch_size)


@pytest.mark.parametrize("seed", [-1, 1.5, None, "0", True])
def test_invalid_seeds_raise(seed):
    surface = surfaces.get("linear_regression")
    with pytest.raises(ValueError, match="Invalid seed"):
        optim_core.run(optim_core.make("sgd"), surface, surface.start, 5, seed=seed)


@pytest.mark.parametrize("name", optim_core.CURVATURE_OPTIMIZERS)
def test_curvature_methods_refuse_minibatches(name):
    surface = surfaces.get("logistic_ce")
    with pytest.raises(ValueError, match=f"batch_size=4: {name} evaluates the surface exactly"):
        optim_core.run(optim_core.make(name), surface, surface.start, 5, batch_size=4)
