"""Toy 2-D data sets: scikit-learn's and TensorFlow Playground's, for classification and
regression.

``moons``, ``circles`` and ``blobs`` mirror ``sklearn/datasets/_samples_generator.py``
(``make_moons``, ``make_circles``, ``make_blobs``) draw for draw: an integer seed becomes
``np.random.RandomState(seed)`` (sklearn's ``check_random_state``), shuffling is
``RandomState.shuffle`` of ``arange(n)`` (sklearn's ``utils.shuffle``), so the same arguments
give exactly sklearn's ``X`` and ``y``. Native scales: moons about [-1, 2] x [-0.5, 1],
circles about [-1, 1]^2, blobs centres in ``center_box`` (default [-10, 10]^2).

``xor``, ``spiral``, ``gaussian`` and ``linear`` follow TensorFlow Playground's
``src/dataset.ts`` (coordinates within about [-6, 6]^2, ``noise`` in [0, 0.5] as its 0-50 %
slider). The Playground draws from ``Math.random``, so only the definitions are matched; we
draw from ``np.random.default_rng(seed)`` and shuffle the result.

``plane`` and ``multi_gaussian`` are the Playground's regression sets (``regressPlane``,
``regressGaussian``), ``sine`` a curve fit of our own (see :func:`sine`).

:func:`make` returns a :class:`Dataset` with ``X`` float64 ``(n, 2)`` and integer labels ``y``
``(n,)`` in ``0..k-1``, or real targets ``y`` for the regression sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlp import _checks

__all__ = ["DATASETS", "REGRESSION_SETS", "Dataset", "make", "split", "standardize"]

MAX_POINTS = 1_000_000  # per generated data set: bounds memory and time
MAX_NOISE = 10.0  # far beyond any useful level (coordinates are of order 1 to 10)
TASKS = ("classification", "regression")


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points ``X`` ``(n, 2)`` float64 and their targets ``y`` ``(n,)``.

    ``task="classification"``: integer labels ``y`` in ``0..n_classes-1``, ``n_classes >= 2``.
    ``task="regression"``: real targets ``y`` (float64), ``n_classes = 0``.
    Construction checks all of it (finite values included) and raises ``ValueError``.
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    n_classes: int
    task: str = "classification"

    def __post_init__(self):
        X = _checks.finite_array("X", self.X, (None, 2))
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        if self.task == "regression":
            if self.n_classes != 0:
                raise ValueError(f"a regression set has n_classes 0, got {self.n_classes!r}")
            y = _checks.finite_array("y", self.y, (len(X),))
        else:
            k = _checks.integer("n_classes", self.n_classes, low=2)
            y = np.asarray(self.y)
            if y.shape != (len(X),) or y.dtype.kind not in "iu":
                raise ValueError(
                    f"y must be integer labels of shape ({len(X)},), got {y.dtype} {y.shape}"
                )
            bad = (y < 0) | (y >= k)
            if bad.any():
                i = int(np.argmax(bad))
                raise ValueError(f"labels must be in 0..{k - 1}, got {y[i]} at index {i}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    def __len__(self) -> int:
        return len(self.y)

    def __repr__(self) -> str:
        if self.task == "regression":
            span = f"y in [{self.y.min():.3g}, {self.y.max():.3g}]" if len(self) else "empty"
            return f"Dataset({self.name!r}, n={len(self)}, regression, {span})"
        counts = np.bincount(self.y, minlength=self.n_classes).tolist()
        return f"Dataset({self.name!r}, n={len(self)}, classes={counts})"

    def like(self, X: np.ndarray, y: np.ndarray) -> Dataset:
        """A data set of the same name, task and classes with other points and targets."""
        return Dataset(X, y, self.name, self.n_classes, self.task)


# --- scikit-learn generators (exact parity, RandomState draw order kept) ---------------------


def _sk_shuffle(rs: np.random.RandomState, X: np.ndarray, y: np.ndarray):
    """``sklearn.utils.shuffle(X, y, random_state=rs)``: one ``rs.shuffle`` of the indices."""
    idx = np.arange(len(y))
    rs.shuffle(idx)
    return X[idx], y[idx]


def _two_curves(x0, y0, x1, y1, n0: int, n1: int):
    X = np.vstack([np.append(x0, x1), np.append(y0, y1)]).T
    y = np.hstack([np.zeros(n0, dtype=np.intp), np.ones(n1, dtype=np.intp)])
    return X, y


def moons(n: int = 100, noise: float | None = None, seed: int = 0, shuffle: bool = True):
    """Two interleaving half circles, as ``sklearn.datasets.make_moons``.

    Class 0: ``(cos t, sin t)``, class 1: ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly spaced in
    ``[0, pi]`` (``n // 2`` points in class 0); shuffle, then add ``N(0, noise^2)`` to ``X``.
    """
    n0, n1 = n // 2, n - n // 2
    rs = np.random.RandomState(seed)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    X, y = _two_curves(np.cos(t0), np.sin(t0), 1 - np.cos(t1), 1 - np.sin(t1) - 0.5, n0, n1)
    if shuffle:
        X, y = _sk_shuffle(rs, X, y)
    if noise is not None:
        X += rs.normal(scale=noise, size=X.shape)
    return X, y


def circles(
    n: int = 100,
    noise: float | None = None,
    seed: int = 0,
    shuffle: bool = True,
    factor: float = 0.8,
):
    """A large circle around a smaller one, as ``sklearn.datasets.make_circles``.

    Class 0 on the unit circle (``n // 2`` points), class 1 on the circle of radius
    ``factor`` in ``[0, 1)``; angles evenly spaced in ``[0, 2 pi)``; shuffle, then add
    ``N(0, noise^2)``.
    """
    _checks.number("factor", factor, 0.0, 1.0)
    if factor == 1:
        raise ValueError("factor must be below 1: the inner circle lies inside the outer one")
    n0, n1 = n // 2, n - n // 2
    rs = np.random.RandomState(seed)
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    X, y = _two_curves(np.cos(t0), np.sin(t0), np.cos(t1) * factor, np.sin(t1) * factor, n0, n1)
    if shuffle:
        X, y = _sk_shuffle(rs, X, y)
    if noise is not None:
        X += rs.normal(scale=noise, size=X.shape)
    return X, y


def blobs(
    n: int = 100,
    seed: int = 0,
    centers=3,
    cluster_std=1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
):
    """Isotropic Gaussian blobs, as ``sklearn.datasets.make_blobs(n, n_features=2, ...)``.

    ``centers``: a count ``k`` (centres uniform in ``center_box``^2) or a ``(k, 2)`` array.
    Cluster ``i`` gets ``n // k`` points (the first ``n % k`` clusters one more), drawn from
    ``N(center_i, cluster_std_i^2 I)``; then shuffle.
    """
    low, high = (_checks.number("center_box", v) for v in center_box)
    if not low < high:
        raise ValueError(f"center_box must be (low, high) with low < high, got {center_box}")
    rs = np.random.RandomState(seed)
    if isinstance(centers, int | np.integer):
        _checks.integer("centers", centers, 1, n)
        centers = rs.uniform(center_box[0], center_box[1], size=(centers, 2))
    centers = _checks.finite_array("centers", centers, (None, 2))
    k = len(centers)
    if not 1 <= k <= n:
        raise ValueError(f"blobs: 1 to n = {n} centers, got {k}")
    stds = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (k,))
    if not (stds >= 0).all():  # NaN fails too; inf is caught by make's finite check
        raise ValueError(f"cluster_std must be >= 0, got {cluster_std!r}")
    counts = [n // k + (i < n % k) for i in range(k)]
    parts = zip(centers, stds, counts, strict=True)
    X = np.vstack([rs.normal(loc=c, scale=s, size=(m, 2)) for c, s, m in parts])
    y = np.repeat(np.arange(k), counts)
    if shuffle:
        X, y = _sk_shuffle(rs, X, y)
    return X, y


# --- TensorFlow Playground generators (definitions matched, numpy Generator) -----------------


def _shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray):
    """The Playground shuffles its points before use; so do we, with the same generator."""
    perm = rng.permutation(len(y))
    return X[perm], y[perm]


def _pad(u: np.ndarray, padding: float) -> np.ndarray:
    """Push values away from 0 by ``padding`` (``u += u > 0 ? padding : -padding``)."""
    return u + np.where(u > 0, padding, -padding)


def xor(n: int = 200, noise: float | None = None, seed: int = 0):
    """TF Playground ``classifyXORData``: the four quadrants, diagonal ones share a class.

    ``x, y ~ U(-5, 5)``, each pushed 0.3 away from the axes (so the points fill
    ``[-5.3, -0.3] u [0.3, 5.3]``); label 1 iff ``(x + ex) (y + ey) >= 0`` with
    ``ex, ey ~ noise * U(-5, 5)``: noise perturbs the labelling, not the points.
    """
    rng, noise = np.random.default_rng(seed), noise or 0.0
    P = _pad(rng.uniform(-5, 5, size=(n, 2)), 0.3)
    E = rng.uniform(-5, 5, size=(n, 2)) * noise
    y = ((P[:, 0] + E[:, 0]) * (P[:, 1] + E[:, 1]) >= 0).astype(np.intp)
    return _shuffled(rng, P, y)


def linear(n: int = 200, noise: float | None = None, seed: int = 0):
    """Linearly separable: two half-planes split by the diagonal ``x + y = 0``.

    Points ``U(-5, 5)^2`` moved 0.3 further from the line along its normal (a margin, like
    XOR's padding); label 1 iff ``(p + e) . (1, 1) >= 0`` with ``e ~ noise * U(-5, 5)^2``
    (TF Playground's labelling noise; its ``regressPlane`` uses the same ``x + y`` rule).
    """
    rng, noise = np.random.default_rng(seed), noise or 0.0
    P = rng.uniform(-5, 5, size=(n, 2))
    normal = np.array([1.0, 1.0]) / np.sqrt(2.0)
    d = P @ normal
    P += np.outer(_pad(d, 0.3) - d, normal)
    E = rng.uniform(-5, 5, size=(n, 2)) * noise
    y = ((P + E) @ normal >= 0).astype(np.intp)
    return _shuffled(rng, P, y)


def spiral(n: int = 200, noise: float | None = None, seed: int = 0, arms: int = 2):
    """TF Playground ``classifySpiralData`` generalised to ``arms`` interleaved spirals.

    Arm ``j`` (label ``j``, ``m`` points, ``i = 0..m-1``): ``r = 5 i / m``,
    ``t = 1.75 * 2 pi i / m + dt_j``, point ``(r sin t, r cos t) + noise * U(-1, 1)^2``,
    with ``dt_j = pi (1 + 2 j / arms)``; for ``arms=2`` that is TF's ``pi`` (class 0, TF's -1)
    and ``0`` (class 1, TF's +1).
    """
    if arms not in (2, 3):
        raise ValueError(f"spiral: arms must be 2 or 3, got {arms!r}")
    rng, noise = np.random.default_rng(seed), noise or 0.0
    counts = [n // arms + (j < n % arms) for j in range(arms)]
    y = np.repeat(np.arange(arms), counts)
    i = np.concatenate([np.arange(m) / m for m in counts])
    t = 1.75 * 2 * np.pi * i + np.pi * (1 + 2 * y / arms)
    r = 5 * i
    X = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (n, 2)) * noise
    return _shuffled(rng, X, y.astype(np.intp))


def gaussian(n: int = 200, noise: float | None = None, seed: int = 0):
    """TF Playground ``classifyTwoGaussData``: two normal clusters.

    Class 1 around ``(2, 2)``, class 0 around ``(-2, -2)`` (``n - n // 2`` and ``n // 2``
    points), each coordinate with variance ``0.5 + 7 * noise`` (TF's linear map of noise
    ``[0, 0.5]`` to variance ``[0.5, 4]``).
    """
    rng, noise = np.random.default_rng(seed), noise or 0.0
    y = np.repeat(np.array([1, 0], dtype=np.intp), [n - n // 2, n // 2])
    centre = np.where(y == 1, 2.0, -2.0)[:, None]
    X = centre + np.sqrt(0.5 + 7 * noise) * rng.standard_normal((n, 2))
    return _shuffled(rng, X, y)


# --- regression: TensorFlow Playground's two sets and a sine ---------------------------------


def _square_and_noise(rng: np.random.Generator, n: int, noise: float):
    """Points ``U(-6, 6)^2`` and, for the Playground's label noise, offsets
    ``noise * U(-6, 6)^2`` at which the target is read instead."""
    P = rng.uniform(-6, 6, size=(n, 2))
    return P, P + rng.uniform(-6, 6, size=(n, 2)) * noise


def plane(n: int = 200, noise: float | None = None, seed: int = 0):
    """TF Playground ``regressPlane``: target ``(x + y) / 10`` read at a noisy point.

    ``x, y ~ U(-6, 6)``; the target is ``(x + ex + y + ey) / 10`` with
    ``ex, ey ~ noise * U(-6, 6)`` (its ``d3`` scale maps ``[-10, 10]`` to ``[-1, 1]``, not
    clamped), so targets lie in ``[-1.2, 1.2]`` without noise.
    """
    P, Q = _square_and_noise(np.random.default_rng(seed), n, noise or 0.0)
    return P, Q.sum(axis=1) / 10


# (x, y, sign) of the six bumps of TF Playground's regressGaussian
GAUSSIANS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]]
)


def multi_gaussian(n: int = 200, noise: float | None = None, seed: int = 0):
    """TF Playground ``regressGaussian``: six signed bumps on a uniform square.

    ``x, y ~ U(-6, 6)``; bump ``c`` at :data:`GAUSSIANS` ``(cx, cy)`` with sign ``s`` gives
    ``s * clamp(1 - d / 2, 0, 1)``, ``d`` the distance to ``(cx, cy)`` from the noisy point
    ``(x + ex, y + ey)``, ``ex, ey ~ noise * U(-6, 6)``; the target is the bump value of
    largest magnitude (0 farther than 2 from every centre). Signs alternate like a
    checkerboard: ``+`` at ``(-4, 2.5)``, ``(4, 2.5)`` and ``(0, -2.5)``.
    """
    P, Q = _square_and_noise(np.random.default_rng(seed), n, noise or 0.0)
    d = np.hypot(Q[:, :1] - GAUSSIANS[:, 0], Q[:, 1:] - GAUSSIANS[:, 1])  # (n, 6)
    values = GAUSSIANS[:, 2] * np.clip(1 - d / 2, 0, 1)
    return P, values[np.arange(n), np.abs(values).argmax(axis=1)]


def sine(n: int = 200, noise: float | None = None, seed: int = 0):
    """A curve fit drawn on the plane: target ``sin(x1) + noise * U(-1, 1)``.

    ``x1, x2 ~ U(-6, 6)`` (almost two periods); ``x2`` is ignored by the target, so the
    network has to learn that it does not matter: the picture is vertical stripes.
    """
    rng = np.random.default_rng(seed)
    P = rng.uniform(-6, 6, size=(n, 2))
    return P, np.sin(P[:, 0]) + (noise or 0.0) * rng.uniform(-1, 1, size=n)


_GENERATORS = {
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "spiral": spiral,
    "blobs": blobs,
    "gaussian": gaussian,
    "linear": linear,
    "plane": plane,
    "multi_gaussian": multi_gaussian,
    "sine": sine,
}
DATASETS: tuple[str, ...] = tuple(_GENERATORS)
REGRESSION_SETS: tuple[str, ...] = ("plane", "multi_gaussian", "sine")


def make(name: str, n: int = 200, noise: float | None = None, seed: int = 0, **kw) -> Dataset:
    """Generate data set ``name`` (one of :data:`DATASETS`) with ``n`` points.

    ``noise``: standard deviation of Gaussian jitter for moons/circles (sklearn's meaning,
    ``None`` = none; ignored by blobs, use ``cluster_std``), TF Playground's noise level in
    ``[0, 0.5]`` for xor/spiral/gaussian/linear/plane/multi_gaussian, the amplitude of
    uniform target noise for sine. Extra keywords go to the generator: moons ``shuffle``;
    circles ``shuffle, factor``; blobs ``centers, cluster_std, center_box, shuffle``; spiral
    ``arms``. The sets of :data:`REGRESSION_SETS` have real targets (``task="regression"``).

    ``ValueError`` unless ``n`` is an integer in ``2..MAX_POINTS``, ``noise`` ``None`` or a
    finite number in ``[0, MAX_NOISE]`` and ``seed`` an integer in ``0..2^32-1`` (NumPy's
    ``RandomState`` range), and for generator keywords that would give non-finite points.
    """
    if name not in _GENERATORS:
        raise ValueError(f"unknown data set {name!r}; choose one of {DATASETS}")
    n = _checks.integer("n", n, 2, MAX_POINTS)
    if noise is not None:
        noise = _checks.number("noise", noise, 0.0, MAX_NOISE)
    seed = _checks.integer("seed", seed, 0, 2**32 - 1)
    if name == "blobs":
        X, y = blobs(n, seed=seed, **kw)
    else:
        X, y = _GENERATORS[name](n, noise=noise, seed=seed, **kw)
    if not np.isfinite(X).all():
        raise ValueError(f"{name} with {kw} gives non-finite points; check those arguments")
    if name in REGRESSION_SETS:
        return Dataset(X, y, name, 0, "regression")
    return Dataset(X, y, name, max(2, int(y.max()) + 1))


def split(dataset: Dataset, test_fraction: float = 0.2, seed: int = 0) -> tuple[Dataset, Dataset]:
    """Random train/test split: ``round(n * test_fraction)`` points go to the test set (which
    may be empty)."""
    test_fraction = _checks.number("test_fraction", test_fraction, 0.0, 1.0)
    if test_fraction == 1:
        raise ValueError("test_fraction must be below 1: the training set needs points")
    n_test = round(len(dataset) * test_fraction)
    perm = np.random.default_rng(_checks.integer("seed", seed, low=0)).permutation(len(dataset))
    test, train = perm[:n_test], perm[n_test:]
    return dataset.like(dataset.X[train], dataset.y[train]), dataset.like(
        dataset.X[test], dataset.y[test]
    )


def _shift_scale(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation along axis 0, a zero spread replaced by 1."""
    if len(values) == 0:
        raise ValueError("cannot standardise with the statistics of an empty data set")
    with np.errstate(all="ignore"):
        mean, std = values.mean(axis=0), values.std(axis=0)
    if not (np.isfinite(mean).all() and np.isfinite(std).all()):
        raise ValueError("values too large to standardise (their spread overflows float64)")
    return mean, np.where(std > 0, std, 1.0)


def standardize(dataset: Dataset, like: Dataset | None = None, targets: bool = False) -> Dataset:
    """Shift and scale each coordinate to mean 0, std 1, using the statistics of ``like``.

    Pass the training set as ``like`` when standardising a test set. A coordinate without
    spread (all values equal) is only shifted: its scale is taken as 1, so it becomes 0
    rather than NaN. ``targets=True`` (regression only) treats the targets ``y`` the same way.
    """
    ref = dataset if like is None else like
    mean, scale = _shift_scale(ref.X)
    X = (dataset.X - mean) / scale
    y = dataset.y
    if targets:
        if dataset.task != "regression":
            raise ValueError("targets=True standardises regression targets; these are classes")
        y_mean, y_scale = _shift_scale(ref.y)
        y = (y - y_mean) / y_scale
    return dataset.like(X, y)
