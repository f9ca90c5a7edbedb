"""mlp.train: convergence with optim_core optimizers, batching, divergence, history."""

import threading
import warnings

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import optim_core
from mlp.datasets import make, split
from mlp.network import MLP, r2_score
from mlp.train import History, probability_grid, train


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("moons", dict(n=300, noise=0.1)),
        ("circles", dict(n=300, noise=0.05, factor=0.5)),
        ("xor", dict(n=300, noise=0.0)),
        ("blobs", dict(n=300, centers=3, cluster_std=0.6)),
    ],
)
def test_adam_learns_toy_problems(name, kwargs):
    data = make(name, seed=0, **kwargs)
    k = data.n_classes
    net = MLP((2, 16, 16, 1 if k == 2 else k), "tanh", "bce" if k == 2 else "ce")
    hist = train(net, optim_core.make("adam", lr=0.02), data.X, data.y, epochs=60, batch_size=32)
    assert hist.diverged_at_epoch is None
    assert hist.train_accuracy[-1] >= 0.95
    assert hist.train_loss[-1] < hist.train_loss[0]
    assert hist.final_train_metric == net.accuracy(hist.theta, data.X, data.y)
    assert hist.final_train_loss == net.loss_value(hist.theta, data.X, data.y)


class _Recorder:
    """Wraps an MLP and records the rows of every batch that ``train`` computes a gradient on
    (through the pass it uses internally)."""

    def __init__(self, net):
        self.net, self.batches = net, []

    def __getattr__(self, name):
        return getattr(self.net, name)

    def _loss_and_grad_(self, layers, grads, X, y, buffers):
        self.batches.append(X.copy())
        return self.net._loss_and_grad_(layers, grads, X, y, buffers)


def test_same_seed_same_start_and_batch_order_for_different_optimizers():
    data = make("moons", n=50, noise=0.2)
    runs = []
    for opt in (optim_core.make("sgd", lr=0.1), optim_core.make("adam", lr=0.01)):
        net = _Recorder(MLP((2, 8, 1), seed=3))
        hist = train(net, opt, data.X, data.y, epochs=3, batch_size=16, seed=11)
        runs.append((hist, net.batches))
    (h1, b1), (h2, b2) = runs
    np.testing.assert_array_equal(h1.snapshots[0][1], h2.snapshots[0][1])
    assert h1.train_loss[0] == h2.train_loss[0]
    assert len(b1) == len(b2) == 3 * 4 and [len(b) for b in b1[:4]] == [16, 16, 16, 2]
    for x1, x2 in zip(b1, b2, strict=True):
        np.testing.assert_array_equal(x1, x2)
    # each epoch visits every example once, in a new order
    np.testing.assert_array_equal(np.sort(np.vstack(b1[:4]), 0), np.sort(data.X, 0))
    assert not np.array_equal(np.vstack(b1[:4]), np.vstack(b1[4:8]))
    other = _Recorder(MLP((2, 8, 1), seed=3))
    train(other, optim_core.make("sgd", lr=0.1), data.X, data.y, 1, batch_size=16, seed=12)
    assert not np.array_equal(other.batches[0], b1[0])


def test_full_batch_is_gradient_descent():
    data = make("moons", n=40, noise=0.1)
    net, lr = MLP((2, 4, 1)), 0.5
    hist = train(net, optim_core.make("sgd", lr=lr), data.X, data.y, epochs=2)
    theta = net.init_params()
    for _ in range(2):
        theta = theta - lr * net.loss_and_grad(theta, data.X, data.y)[1]
    np.testing.assert_allclose(hist.theta, theta, rtol=1e-13)
    assert hist.steps == 2
    big = train(net, optim_core.make("sgd", lr=lr), data.X, data.y, epochs=2, batch_size=1000)
    np.testing.assert_array_equal(big.theta, hist.theta)


def test_stochastic_and_minibatch_step_counts():
    data = make("xor", n=30)
    net = MLP((2, 4, 1))
    assert train(net, optim_core.make("sgd", lr=0.01), data.X, data.y, 2, batch_size=1).steps == 60
    assert train(net, optim_core.make("sgd", lr=0.01), data.X, data.y, 2, batch_size=7).steps == 10


@pytest.mark.parametrize(
    ("activation", "loss", "k"), [("tanh", "bce", 1), ("relu", "bce", 1), ("relu", "ce", 3)]
)
def test_huge_learning_rate_records_divergence_silently(activation, loss, k):
    data = make("moons" if k == 1 else "blobs", n=100, noise=0.1)
    net = MLP((2, 16, 16, k), activation, loss)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = train(net, optim_core.make("sgd", lr=1e6), data.X, data.y, epochs=20, batch_size=10)
    epoch = hist.diverged_at_epoch
    assert epoch is not None and 1 <= epoch <= 20
    assert len(hist.train_loss) == epoch + 1 and np.isnan(hist.train_accuracy[-1])
    assert not hist.train_loss[-1] <= 1e6
    assert np.isfinite(hist.theta).all()
    assert hist.snapshots[-1][0] == epoch - 1
    np.testing.assert_array_equal(hist.snapshots[-1][1], hist.theta)
    assert f"diverged_at_epoch={epoch}" in repr(hist)


def test_history_with_test_set_snapshots_and_progress():
    train_set, test_set = split(make("moons", n=120, noise=0.2), 0.25)
    calls = []
    hist = train(
        MLP((2, 8, 1)),
        optim_core.make("momentum", lr=0.1, momentum=0.9),
        train_set.X,
        train_set.y,
        epochs=120,
        batch_size=30,
        X_test=test_set.X,
        y_test=test_set.y,
        progress=lambda e, total: calls.append((e, total)),
    )
    assert isinstance(hist, History) and hist.epochs == 120
    for values in (hist.train_loss, hist.train_accuracy, hist.test_loss, hist.test_accuracy):
        assert len(values) == 121 and np.all(np.isfinite(values))
    assert calls == [(e, 120) for e in range(1, 121)]
    epochs = [e for e, _ in hist.snapshots]
    assert epochs[0] == 0 and epochs[-1] == 120 and 40 <= len(epochs) <= 62
    assert epochs == sorted(set(epochs))
    np.testing.assert_array_equal(hist.snapshots[-1][1], hist.theta)
    assert hist.snapshots[0][1] is not hist.snapshots[1][1]


def test_snapshot_every_and_no_test_set():
    data = make("moons", n=40)
    hist = train(MLP((2, 3, 1)), optim_core.make("adam"), data.X, data.y, 7, snapshot_every=3)
    assert [e for e, _ in hist.snapshots] == [0, 3, 6, 7]
    assert hist.test_loss == [] and hist.test_accuracy == []


def test_inputs_are_not_mutated_and_theta0_is_used():
    data = make("moons", n=40)
    net = MLP((2, 3, 1))
    theta0 = net.init_params(seed=9)
    kept, X = theta0.copy(), data.X.copy()
    hist = train(net, optim_core.make("adam", lr=0.1), data.X, data.y, 3, theta0=theta0)
    np.testing.assert_array_equal(theta0, kept)
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(hist.snapshots[0][1], theta0)


def test_invalid_arguments():
    data = make("moons", n=20)
    net, opt = MLP((2, 3, 1)), optim_core.make("sgd", lr=0.1)
    with pytest.raises(ValueError, match="epochs must be an integer >= 0, got -1"):
        train(net, opt, data.X, data.y, -1)
    with pytest.raises(ValueError, match="epochs must be an integer, got 2.5"):
        train(net, opt, data.X, data.y, 2.5)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        train(net, opt, data.X, data.y, 1, batch_size=0)
    with pytest.raises(ValueError, match="batch_size must be an integer, got 8.0"):
        train(net, opt, data.X, data.y, 1, batch_size=8.0)
    with pytest.raises(ValueError, match="snapshot_every must be an integer >= 1, got 0"):
        train(net, opt, data.X, data.y, 1, snapshot_every=0)
    with pytest.raises(ValueError, match="seed must be an integer >= 0, got -1"):
        train(net, opt, data.X, data.y, 1, seed=-1)
    with pytest.raises(ValueError, match="both X_test and y_test"):
        train(net, opt, data.X, data.y, 1, X_test=data.X)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (None, [0, 1, 2] * 6 + [0, 1], r"labels must be integers 0..1 .* got 2 at index 2"),
        (None, [0, 1] * 9 + [0, -1], r"got -1 at index 19"),
        (None, [0.0, 1.0] * 9 + [0.0, 0.5], r"got 0.5 at index 19"),
        (None, ["a", "b"] * 10, r"class labels must be integers 0..1, got dtype <U1"),
        (None, [0, 1] * 9, r"y must have shape \(20,\) like the rows of X, got \(18,\)"),
        ([[0.0, np.nan]] * 20, [0, 1] * 10, r"X must be finite; row 0 is \[0.0, nan\]"),
        ([[0.0, 1.0, 2.0]] * 20, [0, 1] * 10, r"X must have shape \(n, 2\), got \(20, 3\)"),
        ([[0.0, np.inf]] * 20, [0, 1] * 10, "X must be finite"),
    ],
)
def test_bad_data_is_refused_before_training(X, y, message):
    data = make("moons", n=20)
    net = MLP((2, 3, 1))
    with pytest.raises(ValueError, match=message):
        train(net, optim_core.make("sgd"), data.X if X is None else X, y, 1)
    with pytest.raises(ValueError, match=message):
        net.loss_and_grad(net.init_params(), data.X if X is None else X, y)
    with pytest.raises(ValueError, match=message):
        train(net, optim_core.make("sgd"), data.X, data.y, 1, X_test=X or data.X, y_test=y)


def test_softmax_labels_are_checked_against_the_output_units():
    data = make("blobs", n=30, centers=4)
    with pytest.raises(ValueError, match=r"0..2 for this 3-class network, got 3"):
        train(MLP((2, 4, 3)), optim_core.make("sgd"), data.X, data.y, 1)


@pytest.mark.parametrize("k", [1, 3])
def test_probability_grid(k):
    net = MLP((2, 5, k), loss="bce" if k == 1 else "ce")
    theta = net.init_params()
    xs, ys, Z = probability_grid(net, theta, (-1.0, 2.0), (-0.5, 1.0), resolution=21)
    assert xs.shape == ys.shape == (21,)
    assert Z.shape == ((21, 21) if k == 1 else (21, 21, k))
    assert xs[0] == -1.0 and xs[-1] == 2.0 and ys[0] == -0.5 and ys[-1] == 1.0
    i, j = 4, 17
    point = net.predict_proba(theta, np.array([[xs[j], ys[i]]]))[0]
    np.testing.assert_allclose(Z[i, j], point, rtol=1e-12)


def _reference_curves(net, opt, X, y, epochs, batch_size, seed):
    """The documented algorithm with public calls only: each batch's loss and correct count
    taken before its step, averaged over the epoch weighted by batch size."""
    rng = np.random.default_rng(seed)
    theta, state = net.init_params(), opt.init(net.init_params())
    losses, accuracies = [], []
    for _ in range(epochs):
        order = rng.permutation(len(y))
        total = correct = 0.0
        for start in range(0, len(y), batch_size):
            batch = order[start : start + batch_size]
            loss, grad = net.loss_and_grad(theta, X[batch], y[batch])
            total += loss * len(batch)
            correct += np.sum(net.predict(theta, X[batch]) == y[batch])
            theta, state = opt.step(theta, grad, state)
        losses.append(total / len(y))
        accuracies.append(correct / len(y))
    return losses, accuracies, theta


@pytest.mark.parametrize(("k", "loss"), [(1, "bce"), (3, "ce"), (1, "mse")])
def test_curves_are_means_of_the_minibatch_losses_during_the_epoch(k, loss):
    data = make("moons" if k == 1 else "blobs", n=70, noise=0.2, seed=1)
    net = MLP((2, 6, k), "tanh", loss, seed=2, weight_decay=0.01)
    opt = optim_core.make("adam", lr=0.05)
    hist = train(net, opt, data.X, data.y, epochs=5, batch_size=16, seed=3)
    losses, accuracies, theta = _reference_curves(net, opt, data.X, data.y, 5, 16, 3)
    np.testing.assert_allclose(hist.train_loss[1:], losses, rtol=1e-12)
    np.testing.assert_allclose(hist.train_accuracy[1:], accuracies, rtol=1e-12)
    np.testing.assert_array_equal(hist.theta, theta)
    theta0 = net.init_params()
    assert hist.train_loss[0] == pytest.approx(net.loss_value(theta0, data.X, data.y), rel=1e-12)
    assert hist.train_accuracy[0] == net.accuracy(theta0, data.X, data.y)


def test_full_batch_curve_is_the_loss_of_the_previous_epochs_weights():
    data = make("moons", n=50, noise=0.2)
    net = MLP((2, 5, 1))
    hist = train(net, optim_core.make("sgd", lr=0.3), data.X, data.y, 6, snapshot_every=1)
    for epoch, theta in hist.snapshots[:-1]:
        value = net.loss_value(theta, data.X, data.y)
        assert hist.train_loss[epoch + 1] == pytest.approx(value, rel=1e-12)


def test_test_metrics_are_the_weights_at_the_end_of_each_epoch():
    train_set, test_set = split(make("moons", n=90, noise=0.2), 0.3)
    net = MLP((2, 5, 1))
    hist = train(
        net,
        optim_core.make("adam", lr=0.05),
        train_set.X,
        train_set.y,
        8,
        batch_size=10,
        X_test=test_set.X,
        y_test=test_set.y,
        snapshot_every=1,
    )
    for epoch, theta in hist.snapshots:
        loss, accuracy = net.evaluate(theta, test_set.X, test_set.y)
        assert hist.test_loss[epoch] == pytest.approx(loss, rel=1e-12)
        assert hist.test_accuracy[epoch] == accuracy


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_blas_runs_on_one_thread_during_training_and_is_restored_after():
    data = make("moons", n=40)
    seen = []
    with threadpool_limits(2, user_api="blas"):
        before = _blas_threads()
        train(
            MLP((2, 3, 1)),
            optim_core.make("sgd"),
            data.X,
            data.y,
            2,
            progress=lambda e, total: seen.append(_blas_threads()),
        )
        assert _blas_threads() == before
    assert seen and all(threads == [1] * len(before) for threads in seen)


def test_concurrent_trainings_share_the_limit_and_restore_it_once():
    data = make("moons", n=200)
    inside, errors = [], []
    start = threading.Barrier(3)

    def work():
        try:
            start.wait()
            train(
                MLP((2, 8, 1)),
                optim_core.make("sgd"),
                data.X,
                data.y,
                30,
                batch_size=8,
                progress=lambda e, total: inside.append(_blas_threads()),
            )
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    with threadpool_limits(2, user_api="blas"):
        before = _blas_threads()
        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert all(threads_now == [1] * len(before) for threads_now in inside)
        assert _blas_threads() == before


def test_regression_training_fills_the_r2_curves():
    data = make("plane", n=200, noise=0.0, seed=1)
    net = MLP((2, 1), task="regression")  # a linear model: the plane is linear
    hist = train(net, optim_core.make("adam", lr=0.05), data.X, data.y, 60, batch_size=20)
    assert hist.train_accuracy == [] and hist.test_accuracy == []
    assert len(hist.train_r2) == 61 and hist.train_r2[-1] > 0.999
    assert hist.final_train_metric == pytest.approx(
        r2_score(data.y, net.predict(hist.theta, data.X))
    )
    assert hist.final_train_loss < 1e-4
    assert "train_r2=" in repr(hist)


def test_probability_grid_checks_its_window():
    net = MLP((2, 3, 1))
    with pytest.raises(ValueError, match="xlim must be finite, got nan"):
        probability_grid(net, net.init_params(), (0.0, np.nan), (0.0, 1.0))
    with pytest.raises(ValueError, match="resolution must be an integer in 2..2000, got 10000"):
        probability_grid(net, net.init_params(), (0.0, 1.0), (0.0, 1.0), 10_000)
