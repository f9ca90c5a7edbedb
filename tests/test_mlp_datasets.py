"""mlp.datasets: exact parity with scikit-learn, TF Playground definitions, splits."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets as sk

from mlp.datasets import DATASETS, REGRESSION_SETS, Dataset, make, split, standardize

SK_CASES = [
    (n, noise, seed) for n in (2, 7, 100, 301) for noise in (None, 0.0, 0.2) for seed in (0, 3, 42)
]


@pytest.mark.parametrize(("n", "noise", "seed"), SK_CASES)
def test_moons_equal_sklearn(n, noise, seed):
    d = make("moons", n=n, noise=noise, seed=seed)
    X, y = sk.make_moons(n_samples=n, shuffle=True, noise=noise, random_state=seed)
    np.testing.assert_array_equal(d.X, X)
    np.testing.assert_array_equal(d.y, y)
    assert d.X.dtype == X.dtype and d.y.dtype == y.dtype


@pytest.mark.parametrize(("n", "noise", "seed"), SK_CASES)
@pytest.mark.parametrize("factor", [0.8, 0.3])
def test_circles_equal_sklearn(n, noise, seed, factor):
    d = make("circles", n=n, noise=noise, seed=seed, factor=factor)
    X, y = sk.make_circles(n_samples=n, shuffle=True, noise=noise, random_state=seed, factor=factor)
    np.testing.assert_array_equal(d.X, X)
    np.testing.assert_array_equal(d.y, y)
    assert d.X.dtype == X.dtype and d.y.dtype == y.dtype


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(["moons", "circles"]),
    n=st.integers(2, 500),
    noise=st.none() | st.floats(0, 1),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_arguments_equal_sklearn(name, n, noise, seed):
    d = make(name, n=n, noise=noise, seed=seed)
    generator = sk.make_moons if name == "moons" else sk.make_circles
    X, y = generator(n_samples=n, noise=noise, random_state=seed)
    np.testing.assert_array_equal(d.X, X)
    np.testing.assert_array_equal(d.y, y)


@pytest.mark.parametrize("shuffle", [True, False])
def test_unshuffled_equal_sklearn(shuffle):
    d = make("moons", n=50, noise=0.1, seed=5, shuffle=shuffle)
    X, y = sk.make_moons(n_samples=50, shuffle=shuffle, noise=0.1, random_state=5)
    np.testing.assert_array_equal(d.X, X)
    np.testing.assert_array_equal(d.y, y)


BLOB_CASES = [
    (100, 3, 1.0, (-10.0, 10.0), 0),
    (101, 4, 0.5, (-5.0, 5.0), 1),
    (7, 2, 2.0, (-10.0, 10.0), 42),
    (60, [[0.0, 0.0], [3.0, 1.0], [-2.0, 4.0]], [0.3, 1.0, 2.0], (-10.0, 10.0), 7),
    (33, 5, [0.1, 0.2, 0.3, 0.4, 0.5], (0.0, 1.0), 9),
]


@pytest.mark.parametrize(("n", "centers", "std", "box", "seed"), BLOB_CASES)
@pytest.mark.parametrize("shuffle", [True, False])
def test_blobs_equal_sklearn(n, centers, std, box, seed, shuffle):
    d = make(
        "blobs", n=n, seed=seed, centers=centers, cluster_std=std, center_box=box, shuffle=shuffle
    )
    X, y = sk.make_blobs(
        n_samples=n,
        n_features=2,
        centers=centers,
        cluster_std=std,
        center_box=box,
        shuffle=shuffle,
        random_state=seed,
    )
    np.testing.assert_array_equal(d.X, X)
    np.testing.assert_array_equal(d.y, y)
    assert d.n_classes == len(np.unique(y))


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("n", [10, 201])
def test_shapes_dtypes_and_determinism(name, n):
    d = make(name, n=n, noise=0.1, seed=3)
    assert isinstance(d, Dataset) and len(d) == n
    assert d.X.shape == (n, 2) and d.X.dtype == np.float64
    if name in REGRESSION_SETS:
        assert d.task == "regression" and d.n_classes == 0
        assert d.y.shape == (n,) and d.y.dtype == np.float64 and np.isfinite(d.y).all()
    else:
        assert d.task == "classification"
        assert d.y.shape == (n,) and np.issubdtype(d.y.dtype, np.integer)
        assert set(np.unique(d.y)) <= set(range(d.n_classes))
    same, other = make(name, n=n, noise=0.1, seed=3), make(name, n=n, noise=0.1, seed=4)
    np.testing.assert_array_equal(d.X, same.X)
    np.testing.assert_array_equal(d.y, same.y)
    assert not np.array_equal(d.X, other.X)
    assert repr(d).startswith(f"Dataset({name!r}, n={n}")


@pytest.mark.parametrize("name", ["moons", "circles", "spiral", "gaussian"])
def test_balanced_classes(name):
    counts = np.bincount(make(name, n=301, noise=0.1).y)
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("seed", range(3))
def test_xor_label_rule_and_padding(seed):
    d = make("xor", n=500, noise=0.0, seed=seed)
    np.testing.assert_array_equal(d.y, (d.X[:, 0] * d.X[:, 1] >= 0).astype(int))
    assert np.abs(d.X).min() >= 0.3 and np.abs(d.X).max() <= 5.3
    assert 0.4 < d.y.mean() < 0.6


def test_xor_noise_flips_labels_near_the_axes_only():
    d = make("xor", n=2000, noise=0.5, seed=0)
    wrong = d.y != (d.X[:, 0] * d.X[:, 1] >= 0)
    assert 0 < wrong.mean() < 0.5
    # a point is flipped only if noise (|e| <= 2.5 per coordinate) can cross an axis
    assert np.all(np.abs(d.X[wrong]).min(axis=1) <= 2.5)


def test_linear_is_separable_with_margin():
    d = make("linear", n=400, noise=0.0, seed=1)
    s = d.X.sum(axis=1)
    np.testing.assert_array_equal(d.y, (s >= 0).astype(int))
    assert np.abs(s).min() >= 0.3 * np.sqrt(2) - 1e-12


@pytest.mark.parametrize("arms", [2, 3])
def test_spiral_follows_tf_playground_formula(arms):
    d = make("spiral", n=300, noise=0.0, seed=0, arms=arms)
    assert d.n_classes == arms
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    assert r.max() < 5
    t = np.arctan2(d.X[:, 0], d.X[:, 1])  # x = r sin t, y = r cos t
    expected = 1.75 * 2 * np.pi * r / 5 + np.pi * (1 + 2 * d.y / arms)
    diff = np.angle(np.exp(1j * (t - expected)))
    np.testing.assert_allclose(diff[r > 1e-9], 0, atol=1e-9)


def test_spiral_noise_is_bounded_uniform():
    clean, noisy = make("spiral", n=200, seed=2), make("spiral", n=200, noise=0.3, seed=2)
    assert np.abs(noisy.X - clean.X).max() > 0
    assert np.abs(noisy.X).max() < 5 + 0.3


def test_gaussian_clusters():
    noise = 0.2
    d = make("gaussian", n=6000, noise=noise, seed=0)
    for label, centre in [(1, 2.0), (0, -2.0)]:
        pts = d.X[d.y == label]
        np.testing.assert_allclose(pts.mean(axis=0), [centre, centre], atol=0.1)
        np.testing.assert_allclose(pts.var(axis=0), 0.5 + 7 * noise, rtol=0.08)


def test_make_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown data set 'swiss'"):
        make("swiss")
    with pytest.raises(ValueError, match="arms must be 2 or 3, got 4"):
        make("spiral", arms=4)
    with pytest.raises(ValueError, match="n must be an integer in 2..1000000, got 1"):
        make("moons", n=1)
    with pytest.raises(ValueError, match="noise must be in \\[0, 10\\], got -0.1"):
        make("xor", noise=-0.1)


def test_split_partitions_the_data():
    d = make("moons", n=101, noise=0.1)
    train, test = split(d, test_fraction=0.3, seed=1)
    assert len(test) == round(101 * 0.3) and len(train) + len(test) == 101
    both = np.vstack([train.X, test.X])
    assert len(np.unique(both, axis=0)) == 101
    np.testing.assert_array_equal(np.sort(both, axis=0), np.sort(d.X, axis=0))
    again = split(d, test_fraction=0.3, seed=1)[1]
    np.testing.assert_array_equal(again.X, test.X)


def test_standardize_uses_reference_statistics():
    train, test = split(make("blobs", n=200, seed=1), 0.25)
    z = standardize(train)
    np.testing.assert_allclose(z.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.X.std(axis=0), 1)
    zt = standardize(test, like=train)
    np.testing.assert_allclose(zt.X, (test.X - train.X.mean(0)) / train.X.std(0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(name="moons", noise=math.inf), "noise must be finite, got inf"),
        (dict(name="plane", noise=math.nan), "noise must be finite, got nan"),
        (dict(name="moons", noise="0.1"), "noise must be a number, got '0.1'"),
        (dict(name="moons", n=2.5), "n must be an integer, got 2.5"),
        (dict(name="moons", n=True), "n must be an integer, got True"),
        (dict(name="moons", n=10**9), "n must be an integer in 2..1000000"),
        (dict(name="moons", seed=-1), r"seed must be an integer in 0..4294967295, got -1"),
        (dict(name="circles", factor=1.0), "factor must be below 1"),
        (dict(name="circles", factor=math.nan), "factor must be finite"),
        (dict(name="blobs", cluster_std=math.inf), "non-finite points"),
        (dict(name="blobs", cluster_std=-1.0), "cluster_std must be >= 0, got -1.0"),
        (dict(name="blobs", centers=0), r"centers must be an integer in 1..200, got 0"),
        (dict(name="blobs", centers=[[0.0, math.nan]]), "centers must be finite"),
        (dict(name="blobs", center_box=(0.0, math.inf)), "center_box must be finite"),
        (dict(name="blobs", center_box=(1.0, 0.0)), "low < high"),
    ],
)
def test_make_refuses_values_that_give_non_finite_or_unbounded_data(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make(**kwargs)


# --- regression sets against TensorFlow Playground's src/dataset.ts ------------------------


def _tf_regress_gaussian_label(x: float, y: float) -> float:
    """``getLabel`` of ``regressGaussian`` transcribed from dataset.ts, one point at a time:
    start at 0, keep the bump value of strictly larger magnitude."""
    gaussians = [
        (-4, 2.5, 1),
        (0, 2.5, -1),
        (4, 2.5, 1),
        (-4, -2.5, -1),
        (0, -2.5, 1),
        (4, -2.5, -1),
    ]
    label = 0.0
    for cx, cy, sign in gaussians:
        d = math.sqrt((x - cx) ** 2 + (y - cy) ** 2)
        new = sign * min(max(1 - d / 2, 0.0), 1.0)  # linear [0, 2] -> [1, 0], clamped
        if abs(new) > abs(label):
            label = new
    return label


def test_multi_gaussian_matches_the_playground_label_rule():
    d = make("multi_gaussian", n=3000, noise=0.0, seed=4)
    expected = [_tf_regress_gaussian_label(x, y) for x, y in d.X]
    np.testing.assert_allclose(d.y, expected, rtol=0, atol=1e-15)
    assert np.abs(d.X).max() <= 6 and d.X.min() < -5.9 and d.X.max() > 5.9
    # the six bumps cover 6 * pi * 2^2 of the 144 square: the rest of the targets are 0
    assert np.mean(d.y == 0) == pytest.approx(1 - 6 * math.pi * 4 / 144, abs=0.03)
    assert d.y.min() < -0.95 and d.y.max() > 0.95


def test_multi_gaussian_noise_moves_where_the_label_is_read():
    clean, noisy = make("multi_gaussian", 2000, 0.0, 5), make("multi_gaussian", 2000, 0.3, 5)
    np.testing.assert_array_equal(clean.X, noisy.X)
    assert 0 < np.mean(clean.y != noisy.y) < 1
    assert np.abs(noisy.y).max() <= 1


def test_plane_target_and_its_label_noise():
    n = 20_000
    clean = make("plane", n=n, noise=0.0, seed=1)
    np.testing.assert_allclose(clean.y, (clean.X[:, 0] + clean.X[:, 1]) / 10, atol=1e-15)
    assert np.abs(clean.X).max() <= 6
    np.testing.assert_allclose(clean.X.mean(axis=0), 0, atol=0.1)  # U(-6, 6): mean 0
    np.testing.assert_allclose(clean.X.var(axis=0), 12, rtol=0.05)  # variance 12^2 / 12
    noise = 0.5
    noisy = make("plane", n=n, noise=noise, seed=1)
    extra = noisy.y - (noisy.X[:, 0] + noisy.X[:, 1]) / 10  # (ex + ey) / 10
    assert np.abs(extra).max() <= 2 * 6 * noise / 10
    assert extra.var() == pytest.approx(2 * (12 * noise) ** 2 / 12 / 100, rel=0.05)


def test_sine_target():
    clean = make("sine", n=2000, noise=0.0, seed=2)
    np.testing.assert_allclose(clean.y, np.sin(clean.X[:, 0]), atol=1e-15)
    assert np.abs(clean.X).max() <= 6
    noisy = make("sine", n=2000, noise=0.3, seed=2)
    extra = noisy.y - np.sin(noisy.X[:, 0])
    assert np.abs(extra).max() <= 0.3 and extra.std() == pytest.approx(0.3 / math.sqrt(3), rel=0.1)


# --- Dataset checks, split, standardize -------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([[0.0, 1.0], [1.0, 0.0]], [0, 2], "d", 2), r"labels must be in 0..1, got 2 at index 1"),
        (([[0.0, 1.0], [1.0, 0.0]], [0, -1], "d", 2), r"got -1 at index 1"),
        (([[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0], "d", 2), "must be integer labels"),
        (([[0.0, 1.0], [1.0, 0.0]], [0, 1], "d", 1), "n_classes must be an integer >= 2"),
        (([[0.0, math.nan], [1.0, 0.0]], [0, 1], "d", 2), r"X must be finite; row 0"),
        (([[0.0, 1.0, 2.0]], [0], "d", 2), r"X must have shape \(n, 2\)"),
        (([[0.0, 1.0]], [0.5], "d", 2, "regression"), "a regression set has n_classes 0"),
        (([[0.0, 1.0]], [math.inf], "d", 0, "regression"), "y must be finite"),
        (([[0.0, 1.0]], [1.0], "d", 0, "ranking"), "task must be one of"),
    ],
)
def test_dataset_checks_what_it_holds(args, message):
    with pytest.raises(ValueError, match=message):
        Dataset(*args)


def test_split_rejects_bad_fractions():
    d = make("moons", n=20)
    for bad in (1.0, -0.1, math.nan, "0.2"):
        with pytest.raises(ValueError, match="test_fraction"):
            split(d, bad)


def test_standardize_keeps_a_constant_column_finite_and_silent():
    X = np.column_stack([np.linspace(-1, 1, 10), np.full(10, 3.0)])
    d = Dataset(X, np.arange(10) % 2, "flat", 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = standardize(d)
        other = standardize(Dataset(X + 1.0, d.y, "flat", 2), like=d)
    np.testing.assert_array_equal(z.X[:, 1], 0.0)  # shifted, scale 1
    np.testing.assert_allclose(z.X[:, 0].std(), 1)
    np.testing.assert_array_equal(other.X[:, 1], 1.0)
    with pytest.raises(ValueError, match="empty data set"):
        standardize(d, like=Dataset(np.empty((0, 2)), np.empty(0, dtype=int), "e", 2))


def test_standardize_regression_targets_on_request():
    train, test = split(make("sine", n=200, noise=0.1, seed=3), 0.25)
    same = standardize(train)
    np.testing.assert_array_equal(same.y, train.y)
    z, zt = standardize(train, targets=True), standardize(test, like=train, targets=True)
    assert z.y.mean() == pytest.approx(0, abs=1e-12) and z.y.std() == pytest.approx(1)
    np.testing.assert_allclose(zt.y, (test.y - train.y.mean()) / train.y.std())
    with pytest.raises(ValueError, match="regression targets"):
        standardize(make("moons", n=20), targets=True)
