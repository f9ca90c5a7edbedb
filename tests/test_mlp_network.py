"""mlp.network: backprop against finite differences, forward pass against scikit-learn."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import optim_core
from mlp.datasets import make
from mlp.network import ACTIVATIONS, MLP, r2_score
from mlp.train import train

# (loss, output units): bce needs a sigmoid output, ce a softmax one, mse works with both
HEADS = [("bce", 1), ("ce", 3), ("mse", 1), ("mse", 3)]
HIDDEN = [(), (5,), (4, 3)]


def _data(k: int, n: int = 9, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)), rng.integers(0, max(k, 2), size=n)


def _numerical_grad(net, theta, X, y, h=1e-6):
    grad = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        up, _ = net.loss_and_grad(theta + e, X, y)
        down, _ = net.loss_and_grad(theta - e, X, y)
        grad[i] = (up - down) / (2 * h)
    return grad


@pytest.mark.parametrize("weight_decay", [0.0, 0.3], ids=["wd0", "wd0.3"])
@pytest.mark.parametrize("hidden", HIDDEN, ids=lambda h: f"hidden{len(h)}")
@pytest.mark.parametrize(("loss", "k"), HEADS, ids=[f"{loss}-{k}out" for loss, k in HEADS])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_backprop_matches_central_differences(activation, loss, k, hidden, weight_decay):
    net = MLP((2, *hidden, k), activation, loss, weight_decay=weight_decay)
    X, y = _data(k)
    # random weights and non-zero biases, so every term of the gradient is exercised
    theta = np.random.default_rng(1).normal(scale=0.8, size=net.n_params)
    loss_value, grad = net.loss_and_grad(theta, X, y)
    numeric = _numerical_grad(net, theta, X, y)
    assert grad.shape == theta.shape and np.isfinite(loss_value)
    rel = np.linalg.norm(grad - numeric) / max(
        np.linalg.norm(grad) + np.linalg.norm(numeric), 1e-12
    )
    assert rel < 1e-6
    assert loss_value == pytest.approx(net.loss_value(theta, X, y), rel=1e-12)


def test_weight_decay_penalises_weights_not_biases():
    net, plain = MLP((2, 3, 1), weight_decay=0.5), MLP((2, 3, 1))
    X, y = _data(1)
    theta = np.random.default_rng(2).normal(size=net.n_params)
    (l1, g1), (l0, g0) = net.loss_and_grad(theta, X, y), plain.loss_and_grad(theta, X, y)
    weights = sum(np.sum(W**2) for W, _ in net.unflatten(theta))
    assert l1 - l0 == pytest.approx(0.25 * weights)
    for (W, _), (gW1, gb1), (gW0, gb0) in zip(
        net.unflatten(theta), net.unflatten(g1), net.unflatten(g0), strict=True
    ):
        np.testing.assert_allclose(gW1 - gW0, 0.5 * W, atol=1e-15)
        np.testing.assert_array_equal(gb1, gb0)


def test_unflatten_returns_views_with_fan_in_fan_out_shapes():
    net = MLP((2, 4, 3, 5), loss="ce")
    theta = net.init_params()
    assert theta.shape == (net.n_params,) == (2 * 4 + 4 + 4 * 3 + 3 + 3 * 5 + 5,)
    layers = net.unflatten(theta)
    assert [(W.shape, b.shape) for W, b in layers] == [
        ((2, 4), (4,)),
        ((4, 3), (3,)),
        ((3, 5), (5,)),
    ]
    W, b = layers[1]
    W[2, 1], b[0] = 123.0, -7.0
    assert 123.0 in theta and -7.0 in theta
    assert all(np.shares_memory(W, theta) and np.shares_memory(b, theta) for W, b in layers)


@pytest.mark.parametrize(
    ("activation", "init"),
    [
        ("tanh", "xavier"),
        ("sigmoid", "xavier"),
        ("relu", "he"),
        ("elu", "he"),
        ("leaky_relu", "he"),
    ],
)
def test_seeded_initialisation(activation, init):
    net = MLP((2, 64, 64, 1), activation, seed=5)
    assert net.init == init
    theta = net.init_params()
    np.testing.assert_array_equal(theta, MLP((2, 64, 64, 1), activation, seed=5).init_params())
    assert not np.array_equal(theta, net.init_params(seed=6))
    (W1, b1), (W2, b2), _ = net.unflatten(theta)
    assert not b1.any() and not b2.any()
    if init == "xavier":
        assert np.abs(W2).max() <= np.sqrt(6 / 128)
        assert W2.std() == pytest.approx(np.sqrt(2 / 128), rel=0.05)
    else:
        assert W2.std() == pytest.approx(np.sqrt(2 / 64), rel=0.05)


def test_init_override():
    assert MLP((2, 8, 1), "relu", init="xavier").init == "xavier"


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("k", [1, 3])
def test_forward_pass_equals_sklearn(activation, k):
    """Same weights in scikit-learn's MLPClassifier give the same probabilities."""
    X, y = _data(k, n=40, seed=3)
    if k == 1:
        y = np.arange(40) % 2
    hidden = (6, 5)
    net = MLP((2, *hidden, k), activation, "bce" if k == 1 else "ce")
    theta = np.random.default_rng(4).normal(size=net.n_params)
    name = {"sigmoid": "logistic"}.get(activation, activation)
    clf = MLPClassifier(hidden, activation=name, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    layers = net.unflatten(theta)
    clf.coefs_ = [W.copy() for W, _ in layers]
    clf.intercepts_ = [b.copy() for _, b in layers]
    ref = clf.predict_proba(X)
    p = net.predict_proba(theta, X)
    np.testing.assert_allclose(p, ref[:, 1] if k == 1 else ref, rtol=1e-12, atol=1e-15)
    # cross-entropy computed independently from the reference probabilities
    ref_loss = -np.mean(np.log(ref[np.arange(len(y)), y]))
    assert net.loss_value(theta, X, y) == pytest.approx(ref_loss, rel=1e-10)
    np.testing.assert_array_equal(net.predict(theta, X), clf.predict(X))


def test_mse_is_brier_score():
    X, y = _data(3, n=20)
    for k in (1, 3):
        net = MLP((2, 4, k), loss="mse")
        theta = net.init_params()
        p = net.predict_proba(theta, X)
        target = (y % 2) if k == 1 else np.eye(3)[y]
        expected = np.mean((p - target) ** 2) if k == 1 else np.mean(np.sum((p - target) ** 2, 1))
        assert net.loss_value(theta, X, y % 2 if k == 1 else y) == pytest.approx(expected)


def test_predictions_shapes_and_accuracy():
    X, y = _data(3, n=30)
    net = MLP((2, 8, 3), loss="ce")
    theta = net.init_params()
    p = net.predict_proba(theta, X)
    assert p.shape == (30, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1)
    assert net.accuracy(theta, X, y) == np.mean(p.argmax(1) == y)
    binary = MLP((2, 8, 1))
    assert binary.predict_proba(binary.init_params(), X).shape == (30,)
    assert set(binary.predict(binary.init_params(), X)) <= {0, 1}


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize(("loss", "k"), HEADS)
def test_huge_weights_are_silent(activation, loss, k):
    net = MLP((2, 5, 5, k), activation, loss, weight_decay=0.1)
    X, y = _data(k)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for scale in (1e3, 1e150, 1e300):
            theta = np.random.default_rng(0).normal(size=net.n_params) * scale
            loss_value, grad = net.loss_and_grad(theta, X, y)
            assert isinstance(loss_value, float) and grad.shape == theta.shape
            p = net.predict_proba(theta, X)
            assert p.shape[0] == len(X)
        theta[0] = np.nan
        assert np.isnan(net.loss_and_grad(theta, X, y)[0])


def test_bce_from_logits_is_exact_for_confident_mistakes():
    net = MLP((2, 1))
    theta = np.array([1000.0, 0.0, 0.0])  # logit z = 1000 x_0
    loss_value, grad = net.loss_and_grad(theta, np.array([[1.0, 0.0]]), np.array([0]))
    assert loss_value == pytest.approx(1000.0)
    np.testing.assert_allclose(grad, [1.0, 0.0, 1.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(sizes=(2,)), "needs an input and an output size"),
        (dict(sizes=(2, 0, 1)), "positive integers, got 0"),
        (dict(sizes=(2, 65, 1)), "1..64 units, got 65"),
        (dict(sizes=(2, 3.5, 1)), "positive integers, got 3.5"),
        (dict(sizes=(2, *[4] * 7, 1)), "at most 6 hidden layers, got 7"),
        (dict(sizes=(2, 4, 1), activation="swish"), "unknown activation 'swish'"),
        (dict(sizes=(2, 4, 1), loss="hinge"), "unknown classification loss 'hinge'"),
        (dict(sizes=(2, 4, 3), loss="bce"), "'bce' needs 1 output unit"),
        (dict(sizes=(2, 4, 1), loss="ce"), "'ce' needs >= 2 output units"),
        (dict(sizes=(2, 4, 1), weight_decay=-1.0), "weight_decay must be >= 0, got -1.0"),
        (dict(sizes=(2, 4, 1), init="lecun"), "unknown init 'lecun'"),
    ],
)
def test_invalid_configuration_raises(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_limits_are_accepted():
    assert MLP((2, 1)).n_params == 3
    assert MLP((2, *[64] * 6, 1)).sizes == (2, *[64] * 6, 1)


def test_repr():
    assert repr(MLP((2, 8, 1), "relu", weight_decay=0.01)) == (
        "MLP(2-8-1, relu, loss=bce, weight_decay=0.01, 33 params)"
    )


# --- regression: linear output, MSE and MAE ------------------------------------------------


@pytest.mark.parametrize("weight_decay", [0.0, 0.2], ids=["wd0", "wd0.2"])
@pytest.mark.parametrize("hidden", HIDDEN, ids=lambda h: f"hidden{len(h)}")
@pytest.mark.parametrize("loss", ["mse", "mae"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "elu"])
def test_regression_backprop_matches_central_differences(activation, loss, hidden, weight_decay):
    net = MLP((2, *hidden, 1), activation, loss, task="regression", weight_decay=weight_decay)
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(9, 2)), rng.normal(size=9)
    theta = rng.normal(scale=0.8, size=net.n_params)
    value, grad = net.loss_and_grad(theta, X, y)
    numeric = _numerical_grad(net, theta, X, y)
    # no |z - y| is near 0, where MAE has a kink and central differences would straddle it
    assert np.abs(net.predict(theta, X) - y).min() > 1e-3
    rel = np.linalg.norm(grad - numeric) / (np.linalg.norm(grad) + np.linalg.norm(numeric))
    assert rel < 1e-6


def test_regression_losses_against_direct_formulas():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    for loss, formula in [("mse", lambda d: np.mean(d**2)), ("mae", lambda d: np.mean(abs(d)))]:
        net = MLP((2, 4, 1), loss=loss, task="regression")
        theta = net.init_params()
        assert net.loss_value(theta, X, y) == pytest.approx(formula(net.predict(theta, X) - y))


def test_mae_subgradient_is_zero_where_the_prediction_is_exact():
    net = MLP((2, 1), loss="mae", task="regression")
    theta = np.array([1.0, 0.0, 0.5])  # z = x_0 + 0.5
    X = np.array([[1.0, 0.0], [2.0, 0.0]])
    _, grad = net.loss_and_grad(theta, X, np.array([1.5, 0.0]))  # row 0 exact, row 1 above
    np.testing.assert_allclose(grad, [2.0 / 2, 0.0, 1.0 / 2])  # sign 0 and +1, / n


def test_r2_equals_sklearn():
    from sklearn.metrics import r2_score as sk_r2

    rng = np.random.default_rng(5)
    y = rng.normal(size=50)
    for prediction in (y + 0.1 * rng.normal(size=50), rng.normal(size=50), np.full(50, y.mean())):
        assert r2_score(y, prediction) == pytest.approx(sk_r2(y, prediction), rel=1e-12)
    constant = np.full(5, 2.0)
    assert r2_score(constant, constant) == sk_r2(constant, constant) == 1.0
    assert r2_score(constant, constant + 1) == sk_r2(constant, constant + 1) == 0.0
    net = MLP((2, 3, 1), task="regression")
    theta = net.init_params()
    X = rng.normal(size=(50, 2))
    assert net.r2(theta, X, y) == pytest.approx(sk_r2(y, net.predict(theta, X)), rel=1e-12)


def test_regression_network_configuration():
    net = MLP((2, 4, 1), task="regression")
    assert net.loss == "mse" and net.n_classes == 0 and net.metric == "r2"
    assert repr(net) == "MLP(2-4-1, tanh, regression, loss=mse, 17 params)"
    with pytest.raises(ValueError, match="regression has 1 linear output unit, got 3"):
        MLP((2, 4, 3), task="regression")
    with pytest.raises(ValueError, match=r"unknown regression loss 'bce'; choose one of \['mse'"):
        MLP((2, 4, 1), loss="bce", task="regression")
    with pytest.raises(ValueError, match="task must be 'classification' or 'regression'"):
        MLP((2, 1), task="ranking")
    with pytest.raises(ValueError, match="predict_proba is for classification"):
        net.predict_proba(net.init_params(), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="accuracy is for classification"):
        net.accuracy(net.init_params(), np.zeros((1, 2)), [0.0])
    with pytest.raises(ValueError, match="r2 is for regression"):
        MLP((2, 1)).r2(MLP((2, 1)).init_params(), np.zeros((1, 2)), [0])
    with pytest.raises(ValueError, match="y must be finite"):
        net.loss_value(net.init_params(), np.zeros((1, 2)), [np.nan])


def test_default_loss_follows_the_output():
    assert MLP((2, 1)).loss == "bce" and MLP((2, 3)).loss == "ce"


# --- input features ---------------------------------------------------------------------------


def test_features_are_computed_from_the_points_before_the_first_layer():
    names = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
    net = MLP((7, 5, 1), features=names)
    plain = MLP((7, 5, 1))  # the same weights on hand-made features
    rng = np.random.default_rng(6)
    X = rng.normal(size=(30, 2))
    x1, x2 = X[:, 0], X[:, 1]
    F = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    theta = rng.normal(size=net.n_params)
    np.testing.assert_array_equal(net.predict_proba(theta, X), plain.predict_proba(theta, F))
    y = (x1 > 0).astype(int)
    np.testing.assert_array_equal(
        net.loss_and_grad(theta, X, y)[1], plain.loss_and_grad(theta, F, y)[1]
    )
    assert repr(net).startswith("MLP(7-5-1, tanh, loss=bce, features=x1,x2,x1sq,")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(sizes=(2, 1), features=("x1", "x3")), r"unknown feature 'x3'"),
        (dict(sizes=(2, 1), features=("x1", "x1")), "distinct names"),
        (dict(sizes=(1, 1), features=()), "1 to 7 distinct names"),
        (dict(sizes=(2, 1), features="x1x2"), "a sequence of names"),
        (
            dict(sizes=(3, 1), features=("x1", "x2")),
            r"sizes\[0\] must be the number of features, 2",
        ),
    ],
)
def test_bad_features_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_squared_features_let_a_linear_model_separate_circles():
    """TF Playground's lesson: circles are not linearly separable in (x1, x2), but they are
    in (x1^2, x2^2), where the circle x1^2 + x2^2 = r^2 is a line."""
    data = make("circles", n=400, noise=0.05, factor=0.5, seed=0)
    accuracy = {}
    for features in (("x1", "x2"), ("x1sq", "x2sq")):
        net = MLP((2, 1), features=features)  # no hidden layer: logistic regression
        hist = train(net, optim_core.make("adam", lr=0.1), data.X, data.y, 150, batch_size=50)
        accuracy[features] = hist.final_train_metric
    assert accuracy[("x1sq", "x2sq")] == 1.0
    assert accuracy[("x1", "x2")] < 0.7


# --- inputs checked where they enter --------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda net, t: net.loss_and_grad(t[:-1], np.zeros((2, 2)), [0, 1]),
            r"theta must have shape \(13,\)",
        ),
        (
            lambda net, t: net.predict(t, np.zeros((2, 3))),
            r"X must have shape \(n, 2\), got \(2, 3\)",
        ),
        (lambda net, t: net.predict(t, [[0.0, np.inf]]), "X must be finite; row 0"),
        (lambda net, t: net.predict(t, "points"), "X must be an array of numbers"),
        (
            lambda net, t: net.evaluate(t, np.zeros((2, 2)), [0, 2]),
            r"integers 0..1 .* got 2 at index 1",
        ),
        (lambda net, t: net.accuracy(t, np.zeros((2, 2)), [0, 1, 1]), r"y must have shape \(2,\)"),
    ],
)
def test_public_methods_check_their_inputs(call, message):
    net = MLP((2, 3, 1))
    with pytest.raises(ValueError, match=message):
        call(net, net.init_params())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(sizes=(2, 1), seed=-1), "seed must be an integer >= 0, got -1"),
        (dict(sizes=(2, 1), seed=1.5), "seed must be an integer, got 1.5"),
        (dict(sizes=(2, 1), weight_decay=np.inf), "weight_decay must be finite"),
        (dict(sizes=(2, 1), weight_decay=np.nan), "weight_decay must be finite"),
    ],
)
def test_invalid_seed_and_weight_decay(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)
