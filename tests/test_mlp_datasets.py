"""mlp.datasets: exact parity with scikit-learn, TF Playground definitions, splits."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets as sk

from mlp.datasets import DATASETS, Dataset, make, split, standardize

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
    with pytest.raises(ValueError, match="n must be an integer >= 2, got 1"):
        make("moons", n=1)
    with pytest.raises(ValueError, match="noise must be >= 0"):
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
