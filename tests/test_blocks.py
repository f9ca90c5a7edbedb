"""scenes.blocks and figures.blocks: the building blocks against closed forms, finite
differences and the study notes' example, and figures readable on a projector."""

import math

import numpy as np
import pytest

from figures import blocks as figures
from mlp.datasets import make, standardize
from mlp.network import ACTIVATIONS, LOSSES, MLP
from scenes import blocks

CLOSED_FORMS = {  # independent of mlp.network's in-place implementations
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(z) - 1),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_curves_match_closed_forms_and_finite_differences(name):
    c = blocks.activation_curves([name], -4, 4, 161)[name]
    assert c.z.shape == c.value.shape == c.derivative.shape == (161,)
    np.testing.assert_allclose(c.value, CLOSED_FORMS[name](c.z), atol=1e-14)
    h = 1e-6
    smooth = np.abs(c.z) > 1e-3  # ReLU's family has a kink at 0
    numeric = (CLOSED_FORMS[name](c.z + h) - CLOSED_FORMS[name](c.z - h)) / (2 * h)
    np.testing.assert_allclose(c.derivative[smooth], numeric[smooth], atol=1e-8)


def test_the_sigmoid_derivative_peaks_at_a_quarter():
    assert blocks.max_derivative("sigmoid") == 0.25
    for name in ("tanh", "relu", "leaky_relu", "elu"):
        assert blocks.max_derivative(name) == 1.0
    np.testing.assert_allclose(blocks.derivative_bound("sigmoid", 3), [1, 1 / 4, 1 / 16, 1 / 64])
    np.testing.assert_array_equal(blocks.derivative_bound("tanh", 2), [1, 1, 1])


def test_layer_gradients_are_the_rms_of_the_numerical_gradient():
    net = MLP((2, 3, 3, 1), "sigmoid", "bce", seed=4)
    data = standardize(make("moons", 12, noise=0.1, seed=4))
    theta = net.init_params()
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = 1e-6
        numeric[i] = (
            net.loss_value(theta + e, data.X, data.y) - net.loss_value(theta - e, data.X, data.y)
        ) / 2e-6
    expected = [np.sqrt(np.mean(W**2)) for W, _ in net.unflatten(numeric)]
    got = blocks.layer_gradients("sigmoid", depth=2, width=3, n=12, seed=4)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_sigmoid_networks_lose_their_gradient_through_depth_and_tanh_keeps_it():
    sigmoid = blocks.layer_gradients("sigmoid")
    tanh = blocks.layer_gradients("tanh")
    relu = blocks.layer_gradients("relu")
    assert sigmoid.shape == (7,)  # 6 hidden layers and the output layer
    assert sigmoid[0] / sigmoid[-2] < 1e-2  # first against last hidden layer
    for g in (tanh, relu):
        assert 0.2 < g[0] / g[-2] < 5


def test_output_gradients_are_the_closed_forms():
    unit = blocks.sigmoid_unit()
    p = unit.p
    assert p.shape == (199,) and p[0] == 0.005 and p[-1] == 0.995
    np.testing.assert_allclose(unit.ce_loss, -np.log(p), rtol=1e-12)
    np.testing.assert_allclose(unit.ce_grad, p - 1, atol=1e-12)
    np.testing.assert_allclose(unit.mse_loss, (1 - p) ** 2, atol=1e-12)
    np.testing.assert_allclose(unit.mse_grad, 2 * (p - 1) * p * (1 - p), atol=1e-12)
    # confidently wrong: cross-entropy pushes with almost full force, MSE hardly at all
    wrong = blocks.sigmoid_unit(np.array([0.001]))
    assert wrong.ce_grad[0] == pytest.approx(-0.999) and abs(wrong.mse_grad[0]) < 0.002


@pytest.mark.parametrize("p", [[0.0], [1.0], [0.5, 1.2], [[0.5]], []])
def test_sigmoid_unit_rejects_outputs_outside_the_open_interval(p):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        blocks.sigmoid_unit(np.array(p))


def test_the_notes_four_examples_sum_to_2_85():
    result = blocks.cross_entropy([0.3, 0.8, 0.6, 0.4])
    total = -(math.log(0.3) + math.log(0.8) + math.log(0.6) + math.log(0.4))
    assert result.total == pytest.approx(total, rel=1e-14) and round(result.total, 2) == 2.85
    assert result.mean == pytest.approx(total / 4)
    np.testing.assert_allclose(result.terms, [-math.log(v) for v in (0.3, 0.8, 0.6, 0.4)])
    # the mean is what the network's own softmax cross-entropy gives for these examples
    rows = np.array([[0.3, 0.5, 0.2], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.4, 0.35, 0.25]])
    labels = np.array([0, 1, 2, 0])
    loss, _ = LOSSES["classification"]["ce"](np.log(rows), labels)
    assert loss == pytest.approx(result.mean, rel=1e-12)
    assert blocks.cross_entropy([1.0]).total == 0.0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "give 1 to 20 probabilities, got 0"),
        ([0.5] * 21, "give 1 to 20 probabilities, got 21"),
        ([0.3, 0.0], r"probability 2 must be in \(0, 1\], got 0"),
        ([1.5], r"probability 1 must be in \(0, 1\], got 1.5"),
        ([-0.2], r"must be in \(0, 1\]"),
        ([0.3, float("nan")], "probability 2 must be finite"),
        (["0.3"], "probability 1 must be a number"),
        ("0.3", "use parse_probabilities"),
    ],
)
def test_cross_entropy_rejects_bad_probabilities(values, message):
    with pytest.raises(ValueError, match=message):
        blocks.cross_entropy(values)


def test_parse_probabilities_reads_lists_and_rejects_the_rest():
    assert blocks.parse_probabilities(" 0.3, 0.8 ;0.6  .4 ") == (0.3, 0.8, 0.6, 0.4)
    assert blocks.parse_probabilities("1, 5e-1") == (1.0, 0.5)
    for text, message in [
        ("0.3, abc", "decimal numbers such as 0.3, got 'abc'"),
        ("-0.3", "decimal numbers"),
        ("0.5, 1e999", "must be finite"),
        ("0.5, 2", r"probability 2 must be in \(0, 1\]"),
        ("", "give 1 to 20"),
        ("0.1," * 200, "at most 400 characters"),
        (", ".join(["0.1"] * 21), "got 21"),
    ]:
        with pytest.raises(ValueError, match=message):
            blocks.parse_probabilities(text)


def all_figures():
    curves = blocks.activation_curves()
    gradients = {name: blocks.layer_gradients(name, depth=3, n=50) for name in ACTIVATIONS}
    return {
        "activations": figures.activation_figure(curves),
        "depth": figures.depth_figure(gradients, blocks.derivative_bound("sigmoid", 3)),
        "output": figures.output_gradient_figure(blocks.sigmoid_unit()),
        "cross-entropy": figures.cross_entropy_figure(blocks.cross_entropy([0.3, 0.8, 0.6, 0.4])),
    }


def test_figures_are_readable_on_a_projector():
    for name, fig in all_figures().items():
        layout = fig.layout
        assert layout.font.size >= 14, name
        axes = [getattr(layout, k) for k in layout if k.startswith(("xaxis", "yaxis"))]
        assert axes and all(axis.tickfont.size >= 14 for axis in axes), name
        titles = [a.font.size for a in layout.annotations]  # subplot titles
        if layout.title.text:
            titles.append(layout.title.font.size)
        assert titles and all(size >= 18 for size in titles), name


def test_figures_show_the_numbers_they_are_given():
    figs = all_figures()
    assert len(figs["activations"].data) == 2 * len(ACTIVATIONS)
    assert len(figs["depth"].data) == len(ACTIVATIONS) + 1
    sigmoid = figs["depth"].data[0]
    assert sigmoid.name == "sigmoid" and sigmoid.y[-1] == 1.0  # relative to the output layer
    title = figs["cross-entropy"].layout.title.text
    assert "2.854" in title and "0.714" in title and "sum" in title and "mean" in title
    np.testing.assert_allclose(figs["cross-entropy"].data[0].y, [1.204, 0.2231, 0.5108, 0.9163])
