"""mlp.train: convergence with optim_core optimizers, batching, divergence, history."""

import warnings

import numpy as np
import pytest

import optim_core
from mlp.datasets import make, split
from mlp.network import MLP
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
    assert net.accuracy(hist.theta, data.X, data.y) == hist.train_accuracy[-1]


class _Recorder:
    """Wraps an MLP and records, for every ``loss_and_grad`` call, the rows it was given."""

    def __init__(self, net):
        self.net, self.batches = net, []

    def __getattr__(self, name):
        return getattr(self.net, name)

    def loss_and_grad(self, theta, X, y):
        self.batches.append(X.copy())
        return self.net.loss_and_grad(theta, X, y)


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
    with pytest.raises(ValueError, match="epochs must be >= 0"):
        train(net, opt, data.X, data.y, -1)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        train(net, opt, data.X, data.y, 1, batch_size=0)


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
