"""The speed-ups in mlp.network and mlp.train change no numbers: the exp-based tanh matches
np.tanh, the one-pass evaluation matches the separate paths, in-place training matches
stepping with the pure ``optimizer.step``."""

import numpy as np
import pytest

import optim_core
from mlp.datasets import make
from mlp.network import ACTIVATIONS, MLP
from mlp.train import train


def test_tanh_matches_numpy_everywhere_including_overflow():
    z = np.concatenate([np.linspace(-30, 30, 20001), [-1e300, -800.0, 0.0, 800.0, 1e300]])
    np.testing.assert_allclose(ACTIVATIONS["tanh"].f(z.copy()), np.tanh(z), rtol=0, atol=2e-15)
    tiny = np.array([1e-12, -1e-9])
    np.testing.assert_allclose(ACTIVATIONS["tanh"].f(tiny.copy()), tiny, rtol=1e-3)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize(
    ("sizes", "loss"), [((2, 5, 1), "bce"), ((2, 5, 3), "ce"), ((2, 4, 1), "mse")]
)
def test_loss_and_accuracy_match_the_gradient_path_and_predict(activation, sizes, loss):
    data = make("blobs" if sizes[-1] == 3 else "moons", 60, seed=2)
    net = MLP(sizes, activation, loss, seed=1, weight_decay=0.01)
    theta = net.init_params()
    value, accuracy = net.evaluate(theta, data.X, data.y)
    assert value == pytest.approx(net.loss_and_grad(theta, data.X, data.y)[0], rel=1e-12)
    assert accuracy == np.mean(net.predict(theta, data.X) == data.y)


def _train_with_pure_steps(net, opt, X, y, epochs, batch_size, seed):
    """Reference loop: the documented algorithm with ``optimizer.step`` (no in-place path)."""
    rng = np.random.default_rng(seed)
    theta, state = net.init_params(), opt.init(net.init_params())
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            batch = order[start : start + batch_size]
            _, grad = net.loss_and_grad(theta, X[batch], y[batch])
            theta, state = opt.step(theta, grad, state)
    return theta


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "rmsprop"])
def test_in_place_training_equals_pure_steps(name):
    data = make("moons", 50, noise=0.2, seed=0)
    net = MLP((2, 6, 1), "tanh", "bce", seed=4)
    opt = optim_core.make(name, lr=0.05)
    hist = train(net, opt, data.X, data.y, epochs=4, batch_size=16, seed=9)
    expected = _train_with_pure_steps(net, opt, data.X, data.y, 4, 16, 9)
    np.testing.assert_array_equal(hist.theta, expected)
