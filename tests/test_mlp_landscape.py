"""mlp.landscape: planes through the final weights, PCA about the anchor against closed forms and
scikit-learn, filter normalisation, and the batched grid loss against ``MLP.evaluate``."""

import warnings

import numpy as np
import pytest
from sklearn.decomposition import PCA

from mlp import landscape
from mlp.datasets import make
from mlp.landscape import Plane, batch_loss, explained, loss_grid, pca_plane, project, random_plane
from mlp.network import ACTIVATIONS, MLP


def orthonormal(p: int, k: int, seed: int = 0) -> np.ndarray:
    """``k`` orthonormal rows in ``R^p`` (QR of a Gaussian matrix)."""
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(p, k)))
    return q.T


def test_pca_plane_passes_through_the_anchor_which_projects_to_the_origin():
    rng = np.random.default_rng(0)
    anchor = rng.normal(size=30)
    runs = [anchor + rng.normal(size=(12, 30)) * np.linspace(1, 0, 12)[:, None] for _ in range(3)]
    plane = pca_plane(runs, anchor)
    np.testing.assert_array_equal(plane.origin, anchor)
    np.testing.assert_array_equal(plane.at(0.0, 0.0), anchor)
    np.testing.assert_array_equal(project(plane, anchor), [0.0, 0.0])
    assert plane.kind == "pca"
    # orthonormal directions
    basis = np.stack([plane.d1, plane.d2])
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)


def test_points_on_a_plane_through_the_anchor_are_explained_completely():
    u = orthonormal(40, 2, seed=1)
    anchor = np.random.default_rng(2).normal(size=40)
    coefficients = np.random.default_rng(3).normal(size=(3, 15, 2))
    runs = [anchor + c @ u for c in coefficients]
    plane = pca_plane(runs, anchor)
    assert sum(plane.explained_variance) == pytest.approx(1.0, abs=1e-12)
    assert plane.explained_variance[0] >= plane.explained_variance[1] >= 0
    for run in runs:
        assert explained(plane, run) == pytest.approx(1.0, abs=1e-12)
        # the projection reconstructs each point: it lies in the plane
        coords = project(plane, run)
        np.testing.assert_allclose(anchor + coords @ np.stack([plane.d1, plane.d2]), run)


def test_known_spread_gives_known_ratios_and_matches_scikit_learn():
    # Points at +-3 u1, +-2 u2, +-1 u3 about the anchor: squared distances 18, 8, 2 along
    # the axes, so the ratios are 9/14, 4/14 (and 1/14 for the third direction).
    u = orthonormal(25, 3, seed=4)
    anchor = np.random.default_rng(5).normal(size=25)
    steps = [3 * u[0], -3 * u[0], 2 * u[1], -2 * u[1], u[2], -u[2]]
    points = anchor + np.array(steps)
    plane = pca_plane([points[:3], points[3:]], anchor)
    np.testing.assert_allclose(plane.explained_variance, [9 / 14, 4 / 14], rtol=1e-12)
    assert abs(plane.d1 @ u[0]) == pytest.approx(1.0) and abs(plane.d2 @ u[1]) == pytest.approx(1)
    # The points are symmetric about the anchor, so centring on their mean (scikit-learn)
    # and PCA about the anchor agree.
    reference = PCA(n_components=3).fit(points)
    np.testing.assert_allclose(plane.explained_variance, reference.explained_variance_ratio_[:2])
    for d, component in zip((plane.d1, plane.d2), reference.components_, strict=False):
        assert abs(d @ component) == pytest.approx(1.0)
    assert explained(plane, points) == pytest.approx(13 / 14)


@pytest.mark.parametrize(("points", "p"), [(30, 200), (200, 12)], ids=["wide", "tall"])
def test_pca_matches_numpys_svd_of_the_differences(points, p):
    # Anisotropic cloud, so the top two directions are well separated.
    rng = np.random.default_rng(points)
    anchor = rng.normal(size=p)
    D = rng.normal(size=(points, p)) * np.linspace(3.0, 0.1, p)
    plane = pca_plane([anchor + D[: points // 2], anchor + D[points // 2 :]], anchor)
    _, s, vt = np.linalg.svd(D, full_matrices=False)
    np.testing.assert_allclose(plane.explained_variance, s[:2] ** 2 / np.sum(s**2), rtol=1e-10)
    np.testing.assert_allclose(np.abs([plane.d1 @ vt[0], plane.d2 @ vt[1]]), 1.0, rtol=1e-9)


@pytest.mark.parametrize("p", [3, 50])
def test_points_on_a_line_get_an_orthonormal_second_direction(p):
    u = orthonormal(p, 1, seed=p)[0]
    anchor = np.ones(p)
    plane = pca_plane([anchor + np.linspace(-3, 2, 60)[:, None] * u], anchor)
    assert abs(plane.d1 @ u) == pytest.approx(1.0)
    np.testing.assert_allclose(plane.explained_variance, [1.0, 0.0], atol=1e-12)
    basis = np.stack([plane.d1, plane.d2])
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)


def test_pca_is_about_the_anchor_not_the_mean():
    # A segment c + t u (t in -2..2, c orthogonal to u) that misses the anchor 0: PCA about
    # the anchor needs c and u, with shares m |c|^2 and sum t^2 (the cross terms vanish:
    # sum t = 0); scikit-learn's centred PCA would see only u.
    c, u = orthonormal(10, 2, seed=6) * np.array([[1.5], [1.0]])
    t = np.linspace(-2, 2, 9)
    points = c + t[:, None] * u
    plane = pca_plane([points], np.zeros(10))
    along_c, along_u = len(t) * 1.5**2, np.sum(t**2)
    expected = sorted([along_c, along_u], reverse=True) / (along_c + along_u)
    np.testing.assert_allclose(plane.explained_variance, expected, rtol=1e-12)
    assert explained(plane, points) == pytest.approx(1.0)


def test_signs_put_the_start_in_the_lower_left_quadrant():
    rng = np.random.default_rng(7)
    anchor = rng.normal(size=12)
    runs = [anchor + rng.normal(size=(6, 12)) for _ in range(2)]
    plane = pca_plane(runs, anchor)
    assert np.all(project(plane, runs[0][0]) <= 0)


def test_non_finite_snapshots_are_left_out():
    rng = np.random.default_rng(8)
    anchor = rng.normal(size=8)
    good = anchor + rng.normal(size=(5, 8))
    bad = np.vstack([good, np.full((1, 8), np.inf), np.full((1, 8), np.nan)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, b = pca_plane([good], anchor), pca_plane([bad], anchor)
        assert explained(b, bad) == pytest.approx(explained(a, good))
    np.testing.assert_allclose(a.explained_variance, b.explained_variance)
    np.testing.assert_allclose(np.abs(a.d1 @ b.d1), 1.0)


def test_degenerate_trajectories_still_give_a_plane():
    anchor = np.arange(5.0)
    single = pca_plane([anchor[None] + [[1.0, 0, 0, 0, 0]]], anchor)  # one point: a line
    assert single.explained_variance == pytest.approx((1.0, 0.0))
    assert abs(single.d1 @ single.d2) < 1e-12 and np.linalg.norm(single.d2) == pytest.approx(1)
    still = pca_plane([np.tile(anchor, (3, 1))], anchor)  # nobody moved
    assert np.isnan(still.explained_variance).all()
    assert explained(still, np.tile(anchor, (3, 1))) == 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: pca_plane([], np.zeros(3)), "non-empty list"),
        (lambda: pca_plane(np.zeros((2, 3)), np.zeros(3)), "non-empty list"),
        (lambda: pca_plane([np.zeros((2, 4))], np.zeros(3)), r"shape \(m, 3\)"),
        (lambda: pca_plane([np.zeros((2, 3))], [0, np.nan, 0]), "finite"),
        (lambda: pca_plane([np.zeros((2, 1))], [0.0]), "at least 2 parameters"),
    ],
)
def test_pca_plane_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def neuron_slices(net: MLP, theta: np.ndarray) -> np.ndarray:
    """The norm of each neuron's incoming weights and bias, all layers: ``(hidden + out,)``."""
    return np.concatenate([np.sqrt(np.sum(W**2, axis=0) + b**2) for W, b in net.unflatten(theta)])


def test_filter_normalisation_gives_each_neuron_the_norm_of_its_weights():
    net = MLP((2, 7, 5, 3), "relu", "ce")
    anchor = net.init_params() + np.random.default_rng(9).normal(scale=0.1, size=net.n_params)
    plane = random_plane(net, anchor, seed=3)
    assert plane.kind == "random" and np.isnan(plane.explained_variance).all()
    np.testing.assert_array_equal(plane.origin, anchor)
    expected = neuron_slices(net, anchor)
    for d in (plane.d1, plane.d2):
        np.testing.assert_allclose(neuron_slices(net, d), expected, rtol=1e-12)
    # reproducible by seed, different across seeds, nearly orthogonal in high dimension
    np.testing.assert_array_equal(random_plane(net, anchor, seed=3).d1, plane.d1)
    assert not np.allclose(random_plane(net, anchor, seed=4).d1, plane.d1)


def test_without_filter_normalisation_each_direction_has_the_norm_of_the_anchor():
    net = MLP((2, 6, 1))
    anchor = net.init_params()
    plane = random_plane(net, anchor, seed=0, filter_normalized=False)
    for d in (plane.d1, plane.d2):
        assert np.linalg.norm(d) == pytest.approx(np.linalg.norm(anchor), rel=1e-12)
    assert not np.allclose(neuron_slices(net, plane.d1), neuron_slices(net, anchor))


def test_projection_recovers_coordinates_on_a_non_orthogonal_plane():
    net = MLP((2, 4, 1))
    plane = random_plane(net, net.init_params(), seed=1)
    coords = np.array([[0.3, -1.2], [2.0, 0.5], [0.0, 0.0]])
    thetas = np.array([plane.at(a, b) for a, b in coords])
    np.testing.assert_allclose(project(plane, thetas), coords, atol=1e-12)
    # a random plane captures almost none of a random walk in 17 dimensions
    walk = plane.origin + np.cumsum(np.random.default_rng(0).normal(size=(50, net.n_params)), 0)
    assert 0.0 <= explained(plane, walk) < 0.5


NETWORKS = {
    "tanh-bce": lambda: MLP((2, 8, 8, 1), "tanh", "bce"),
    "sigmoid-brier": lambda: MLP((2, 6, 1), "sigmoid", "mse"),
    "relu-ce-wd": lambda: MLP((2, 9, 3), "relu", "ce", weight_decay=0.05),
    "elu-brier3": lambda: MLP((2, 5, 5, 3), "elu", "mse"),
    "leaky-features": lambda: MLP((3, 6, 1), "leaky_relu", features=("x1sq", "x2sq", "x1x2")),
    "regression-mse": lambda: MLP((2, 7, 1), "tanh", "mse", task="regression", weight_decay=0.1),
    "regression-mae": lambda: MLP((2, 7, 1), "relu", "mae", task="regression"),
    "no-hidden": lambda: MLP((2, 1)),
}


def data_for(net: MLP, n: int = 60):
    if net.task == "regression":
        d = make("sine", n=n, noise=0.1, seed=1)
    else:
        d = make("blobs" if net.n_classes == 3 else "moons", n=n, seed=1)
    return d.X, d.y


@pytest.mark.parametrize("name", list(NETWORKS))
def test_grid_loss_equals_evaluate_at_the_grid_points(name):
    net = NETWORKS[name]()
    X, y = data_for(net)
    theta = net.init_params(seed=2)
    plane = random_plane(net, theta, seed=5)
    alphas, betas = np.linspace(-1.5, 1.0, 5), np.linspace(-0.5, 2.0, 4)  # 4 x 5: not square
    exact = np.array([[net.evaluate(plane.at(a, b), X, y)[0] for a in alphas] for b in betas])
    Z64 = loss_grid(net, plane, X, y, alphas, betas, dtype=np.float64)
    assert Z64.shape == (4, 5)
    np.testing.assert_allclose(Z64, exact, rtol=1e-12)
    np.testing.assert_allclose(loss_grid(net, plane, X, y, alphas, betas), exact, rtol=1e-5)
    # the anchor itself: loss_and_grad's loss at the final weights
    at_anchor = loss_grid(net, plane, X, y, [0.0], [0.0], dtype=np.float64)[0, 0]
    assert at_anchor == pytest.approx(net.loss_and_grad(theta, X, y)[0], rel=1e-12)


def test_batches_do_not_change_the_result(monkeypatch):
    net = MLP((2, 5, 5, 3), "tanh", "ce")
    X, y = data_for(net, 40)
    thetas = net.init_params() + np.random.default_rng(0).normal(size=(23, net.n_params))
    whole = batch_loss(net, thetas, X, y, dtype=np.float64)
    monkeypatch.setattr(landscape, "CHUNK", 1)  # one network per batch
    assert landscape._chunk(net, len(X)) == 1
    np.testing.assert_allclose(batch_loss(net, thetas, X, y, dtype=np.float64), whole, 1e-14)
    monkeypatch.setattr(
        landscape, "CHUNK", 7 * (40 * 13 + net.n_params)
    )  # 7 per batch: 40 rows x 13 units
    assert landscape._chunk(net, len(X)) == 7
    np.testing.assert_allclose(batch_loss(net, thetas, X, y, dtype=np.float64), whole, 1e-14)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_huge_and_non_finite_weights_are_silent(activation):
    net = MLP((2, 4, 1), activation)
    X, y = data_for(net, 10)
    thetas = np.stack([np.full(net.n_params, 1e200), np.full(net.n_params, np.nan)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = batch_loss(net, thetas, X, y)
    assert out.shape == (2,) and np.isnan(out[1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda n, p, X, y: loss_grid(n, p, X, y, [], [0.0]), "alphas must be 1 to 400"),
        (lambda n, p, X, y: loss_grid(n, p, X, y, np.zeros(401), [0.0]), "alphas must be 1"),
        (lambda n, p, X, y: loss_grid(n, p, X, y, [0.0], [np.inf]), "betas must be finite"),
        (lambda n, p, X, y: loss_grid(n, p, X, y, [0.0], [[0.0]]), "betas must be 1"),
        (lambda n, p, X, y: loss_grid(n, p, X, y, [0.0], [0.0], dtype=int), "float32 or"),
        (lambda n, p, X, y: batch_loss(n, np.zeros(3), X, y), r"shape \(G, 17\)"),
        (lambda n, p, X, y: loss_grid(n, p, X[:, :1], y, [0.0], [0.0]), r"X must have shape"),
        (lambda n, p, X, y: loss_grid(n, p, X, y + 5, [0.0], [0.0]), "class labels"),
        (lambda n, p, X, y: loss_grid(MLP((2, 3, 1)), p, X, y, [0.0], [0.0]), "plane has 17"),
        (lambda n, p, X, y: project(p, np.zeros(4)), r"shape \(m, 17\)"),
        (lambda n, p, X, y: random_plane(n, np.zeros(4)), r"anchor must have shape \(17\)"),
        (lambda n, p, X, y: random_plane(n, p.origin, seed=-1), "seed"),
    ],
)
def test_bad_arguments_raise_a_clear_value_error(call, message):
    net = MLP((2, 4, 1))
    X, y = data_for(net, 10)
    plane = random_plane(net, net.init_params())
    with pytest.raises(ValueError, match=message):
        call(net, plane, X, y)


def test_repr_names_the_kind_and_the_ratios():
    plane = Plane(np.zeros(3), np.eye(3)[0], np.eye(3)[1], (0.75, 0.2), "pca")
    assert repr(plane) == "Plane(pca, 3 params, explained_variance=(0.750, 0.200))"
