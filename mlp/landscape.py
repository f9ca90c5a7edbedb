"""The loss landscape of a network: its training loss on a 2-D plane through weight space.

A plane is ``theta(alpha, beta) = origin + alpha d1 + beta d2`` through the final weights
``origin`` (Li et al., 2018, "Visualizing the Loss Landscape of Neural Nets"). Two ways to span it:

* :func:`pca_plane`: the first two principal directions of the optimizers' weight trajectories,
  so every optimizer's path lies as much as possible in the plane. PCA is taken *about the
  anchor*: the rows are ``theta_t - origin``, not centred on their mean, so that the plane
  through ``origin`` is the best least-squares fit among planes through ``origin``, and the
  explained variance ``s_i^2 / sum_j s_j^2`` (singular values ``s``) is exactly the share of
  the squared distances ``sum ||theta_t - origin||^2`` that the plane keeps. (Li et al. fit
  scikit-learn's PCA, which centres on the mean of the trajectory; the plane they draw still
  goes through the final weights, so their ratios describe a plane they do not show.)
* :func:`random_plane`: two random Gaussian directions, filter-normalised: each neuron's slice of
  a direction (the weights into the neuron, and its bias) rescaled to the norm of that neuron's
  slice of ``origin``, so a step of 1 moves every neuron by its own size, whatever the scale of
  its layer.

:func:`project` maps weights to plane coordinates, :func:`explained` says how much of a
trajectory the plane captures, and :func:`loss_grid` evaluates the loss on a grid of
``(alpha, beta)`` in batches: ``G`` networks at a time as one stack ``(G, n_params)`` through the
network's own forward pass, activation and loss (``MLP.unflatten`` of a stack), so the
landscape is the loss :meth:`MLP.evaluate` computes, not a copy of its formulas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from mlp import _checks
from mlp.network import MLP
from mlp.train import _one_blas_thread

__all__ = ["Plane", "batch_loss", "explained", "loss_grid", "pca_plane", "project", "random_plane"]

# Numbers per array in a batch, G (n rows x units + n_params) <= CHUNK: 1-2 MB, near the CPU
# caches (the activation makes several passes over each array). 2**16 to 2**20 measured alike.
CHUNK = 2**18
MAX_GRID = 400  # grid points per axis


class Plane(NamedTuple):
    """``theta(alpha, beta) = origin + alpha d1 + beta d2``, all ``(n_params,)``.

    ``kind`` is ``"pca"`` (``d1``, ``d2`` orthonormal) or ``"random"`` (``d1``, ``d2``
    filter-normalised, nearly orthogonal). ``explained_variance``: for a PCA plane the share of
    the trajectories' squared distance from ``origin`` along ``d1`` and along ``d2`` (see the
    module docstring); ``(nan, nan)`` for a random plane, whose directions explain nothing by
    construction (:func:`explained` measures any plane).
    """

    origin: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    explained_variance: tuple[float, float]
    kind: str

    def __repr__(self) -> str:
        ev = ", ".join(f"{v:.3f}" for v in self.explained_variance)
        return f"Plane({self.kind}, {self.origin.size} params, explained_variance=({ev}))"

    def at(self, alpha: float, beta: float) -> np.ndarray:
        """The weights ``origin + alpha d1 + beta d2`` ``(n_params,)``."""
        return self.origin + alpha * self.d1 + beta * self.d2


def _vector(name: str, value, size: int) -> np.ndarray:
    return _checks.finite_array(name, value, (size,))


def _finite_rows(name: str, trajectory, size: int) -> np.ndarray:
    """``trajectory`` as ``(m, size)`` float64 without its non-finite rows (a diverged run keeps
    the snapshots it had)."""
    t = np.asarray(trajectory, dtype=np.float64)
    if t.ndim != 2 or t.shape[1] != size:
        raise ValueError(f"{name} must have shape (m, {size}), got {t.shape}")
    return t[np.isfinite(t).all(axis=1)]


def _principal(D: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The two largest eigenvalues ``(2,)`` of ``D^T D`` (squared singular values of ``D``
    ``(N, p)``, zeros past its rank) and the unit directions ``v`` ``(p,)`` of those that are not
    rounding noise (above ``1e-12`` of the total), orthonormal.

    The eigenproblem of the smaller Gram matrix: ``D D^T`` ``(N, N)``, then ``v = D^T u / s``,
    when there are fewer points than weights, which is 30x faster than an SVD of ``D`` for 200
    snapshots of 20,000 weights; it squares the condition number, which only blurs directions
    far below the top two.
    """
    with _one_blas_thread:  # small products: BLAS threads only spin (10x slower when busy)
        wide = len(D) <= D.shape[1]
        w, vectors = np.linalg.eigh(D @ D.T if wide else D.T @ D)
    order = np.argsort(w)[::-1][:2]
    top = np.zeros(2)
    top[: len(order)] = np.maximum(w[order], 0.0)
    total = float(np.sum(D * D))
    directions = []
    for k, value in zip(order, top, strict=False):
        if value <= 1e-12 * total:
            break
        v = D.T @ vectors[:, k] if wide else vectors[:, k].copy()
        for d in directions:  # exact orthogonality, whatever the rounding in eigh
            v -= (v @ d) * d
        directions.append(v / np.linalg.norm(v))
    return directions, top


def _complete(directions: list[np.ndarray], p: int) -> list[np.ndarray]:
    """``directions`` completed to two orthonormal vectors in ``R^p`` with basis vectors: the
    one least aligned with the first direction (at least ``1 - 1/p`` of it is orthogonal)."""
    directions = list(directions)
    while len(directions) < 2:
        e = np.zeros(p)
        e[int(np.argmin(np.abs(directions[0]))) if directions else 0] = 1.0
        for d in directions:
            e -= (e @ d) * d
        directions.append(e / np.linalg.norm(e))
    return directions


def pca_plane(trajectories: Sequence[np.ndarray], anchor: np.ndarray) -> Plane:
    """The plane through ``anchor`` ``(p,)`` spanned by the first two principal directions of
    all ``trajectories`` together (each ``(m_i, p)``: weights along one run, e.g. one optimizer's
    ``History.snapshots``), PCA about ``anchor`` (see the module docstring).

    With ``D`` the stacked rows ``theta - anchor`` and ``D = U S V^T``, ``d1, d2`` are the first
    two rows of ``V^T`` and ``explained_variance = (s_1^2, s_2^2) / sum s_i^2``. Rows with a
    non-finite entry are left out. Signs are fixed so that the first trajectory's first point
    (the common start) has coordinates ``<= 0``: paths run towards the anchor at ``(0, 0)``
    from the lower left. Fewer than two independent directions (all points on a line through
    ``anchor``) complete ``d2`` with some direction orthogonal to ``d1``; no movement at all
    gives ratios ``(nan, nan)``.
    """
    if isinstance(trajectories, np.ndarray) or not len(trajectories):
        raise ValueError("trajectories must be a non-empty list of (m, p) arrays, one per run")
    anchor = np.asarray(anchor, dtype=np.float64)
    if anchor.ndim != 1:
        raise ValueError(f"anchor must be a vector of weights (p,), got shape {anchor.shape}")
    anchor = _vector("anchor", anchor, anchor.size)
    p = anchor.size
    if p < 2:
        raise ValueError(f"a plane needs at least 2 parameters, got {p}")
    rows = [_finite_rows(f"trajectories[{i}]", t, p) for i, t in enumerate(trajectories)]
    D = np.concatenate([r - anchor for r in rows])
    directions, top = _principal(D)
    d1, d2 = _complete(directions, p)
    total = float(np.sum(D * D))
    ratios = (float(top[0] / total), float(top[1] / total)) if total > 0 else (np.nan,) * 2
    start = rows[0][0] - anchor if len(rows[0]) else np.zeros(p)
    d1 = -d1 if start @ d1 > 0 else d1
    d2 = -d2 if start @ d2 > 0 else d2
    return Plane(anchor.copy(), d1, d2, ratios, "pca")


def random_plane(
    net: MLP, anchor: np.ndarray, seed: int = 0, filter_normalized: bool = True
) -> Plane:
    """A plane through ``anchor`` ``(n_params,)`` along two seeded Gaussian directions.

    ``filter_normalized`` (Li et al.'s filter normalisation, for an MLP: per neuron): for each
    neuron ``j`` of each layer, the direction's slice ``(W[:, j], b[j])`` (the weights into the
    neuron and its bias) is rescaled to the norm of the same slice of ``anchor``. Biases are
    part of their neuron's slice, being the weight from a constant input 1, so the plane moves
    them too (Li et al.'s scripts pass ``--xignore biasbn``, which sets bias directions to
    zero; in a small MLP the biases are a sizable share of the parameters). Otherwise each direction is scaled as a
    whole to ``||anchor||``: the same length, spread evenly instead of neuron by neuron.
    """
    anchor = _vector("anchor", anchor, net.n_params)
    seed = _checks.integer("seed", seed, low=0)
    d1, d2 = np.random.default_rng(seed).normal(size=(2, net.n_params))
    for d in (d1, d2):
        if filter_normalized:
            for (Wd, bd), (Wa, ba) in zip(net.unflatten(d), net.unflatten(anchor), strict=True):
                norm_d = np.sqrt(np.sum(Wd**2, axis=0) + bd**2)
                norm_a = np.sqrt(np.sum(Wa**2, axis=0) + ba**2)
                scale = norm_a / norm_d
                Wd *= scale
                bd *= scale
        else:
            d *= np.linalg.norm(anchor) / np.linalg.norm(d)
    return Plane(anchor.copy(), d1, d2, (np.nan, np.nan), "random")


def project(plane: Plane, thetas: np.ndarray) -> np.ndarray:
    """Plane coordinates ``(alpha, beta)`` of the weights ``thetas`` ``(m, p)`` (or ``(p,)``):
    ``(m, 2)`` (or ``(2,)``), the orthogonal projection onto the plane solved by least squares
    (for orthonormal directions simply ``(d1 . delta, d2 . delta)``, ``delta = theta -
    origin``). Non-finite weights give ``nan`` coordinates."""
    thetas = np.asarray(thetas, dtype=np.float64)
    if thetas.shape[-1:] != plane.origin.shape or thetas.ndim > 2:
        raise ValueError(f"thetas must have shape (m, {plane.origin.size}), got {thetas.shape}")
    basis = np.stack([plane.d1, plane.d2])  # (2, p)
    with np.errstate(all="ignore"):
        return np.linalg.solve(basis @ basis.T, basis @ (thetas - plane.origin).T).T


def explained(plane: Plane, thetas: np.ndarray) -> float:
    """The share of the squared distances ``sum ||theta - origin||^2`` of the weights
    ``thetas`` ``(m, p)`` that lies in the plane, in ``[0, 1]`` (1: every point is on the
    plane). Non-finite rows are left out; 1.0 when every point is at ``origin``."""
    thetas = _finite_rows("thetas", thetas, plane.origin.size)
    delta = thetas - plane.origin
    total = float(np.sum(delta**2))
    if total == 0:
        return 1.0
    inside = project(plane, thetas) @ np.stack([plane.d1, plane.d2])
    return float(np.clip(np.sum(inside**2) / total, 0.0, 1.0))


def _chunk(net: MLP, n_rows: int) -> int:
    """Networks per batch: each holds its activations (``n_rows`` x all units) and weights."""
    return max(1, CHUNK // (n_rows * sum(net.sizes[1:]) + net.n_params))


def batch_loss(
    net: MLP, thetas: np.ndarray, X: np.ndarray, y: np.ndarray, *, dtype=np.float32
) -> np.ndarray:
    """The mean loss (weight decay included) of each of the weights ``thetas`` ``(G, p)`` on
    ``X`` ``(n, d)``, ``y`` ``(n,)``: ``(G,)``, what :meth:`MLP.evaluate` gives for each row.

    The networks go through ``net``'s forward pass as stacks of at most ``CHUNK`` numbers per
    array (bounded memory). The time goes to the activation, element by element, and NumPy's
    float64 ``exp`` and ``tanh`` are slow without AVX-512: in float64 a batch is no faster than
    a loop of ``evaluate`` (``bench/bench_landscape.py``). So ``dtype=np.float32`` (the
    default) runs the layers in single precision, about 3 times faster, and converts the
    logits to float64 for the loss, so that small losses keep their relative precision (about
    1e-6, plenty for a picture). ``np.float64`` reproduces ``evaluate`` to rounding. Diverged
    weights give ``inf`` or ``nan`` silently.
    """
    thetas = np.asarray(thetas, dtype=np.float64)
    if thetas.ndim != 2 or thetas.shape[1] != net.n_params:
        raise ValueError(f"thetas must have shape (G, {net.n_params}), got {thetas.shape}")
    return _losses(net, len(thetas), lambda a, b: thetas[a:b], X, y, dtype)


def _losses(net: MLP, count: int, weights, X, y, dtype) -> np.ndarray:
    """:func:`batch_loss` of ``count`` networks whose weights ``weights(a, b)`` gives as a
    float64 stack ``(b - a, n_params)``, one chunk at a time."""
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    X = net._inputs(X)
    y = net._targets(y, len(X))
    Xd = X.astype(dtype)
    out = np.empty(count)
    step = _chunk(net, len(X))
    with _one_blas_thread, np.errstate(all="ignore"):
        for start in range(0, count, step):
            chunk = weights(start, min(start + step, count))
            z = net._forward(net.unflatten(chunk.astype(dtype)), Xd)[1]
            loss = net._loss(z.astype(np.float64, copy=False), y)[0]
            if net.weight_decay:
                loss = loss + net._decay(net.unflatten(chunk))
            out[start : start + step] = loss
    return out


def _axis(name: str, values) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or not 1 <= values.size <= MAX_GRID:
        raise ValueError(f"{name} must be 1 to {MAX_GRID} numbers, got shape {values.shape}")
    return _checks.finite_array(name, values, (values.size,))


def loss_grid(
    net: MLP,
    plane: Plane,
    X: np.ndarray,
    y: np.ndarray,
    alphas: np.ndarray,
    betas: np.ndarray,
    *,
    dtype=np.float32,
) -> np.ndarray:
    """The loss at ``plane.at(alphas[j], betas[i])`` as ``Z[i, j]``: ``(len(betas),
    len(alphas))`` (Plotly's ``contour(x=alphas, y=betas, z=Z)`` convention), on ``X``, ``y``
    as ``net`` takes them, computed by :func:`batch_loss`. ``alphas``, ``betas``: 1 to
    ``MAX_GRID`` finite numbers each."""
    alphas, betas = _axis("alphas", alphas), _axis("betas", betas)
    if plane.origin.shape != (net.n_params,):
        raise ValueError(f"plane has {plane.origin.size} weights, the network {net.n_params}")
    A, B = np.meshgrid(alphas, betas)
    coefficients = np.column_stack([A.ravel(), B.ravel()])  # (G, 2), row i * len(alphas) + j
    basis = np.stack([plane.d1, plane.d2])

    def weights(a: int, b: int) -> np.ndarray:
        return plane.origin + coefficients[a:b] @ basis

    loss = _losses(net, len(coefficients), weights, X, y, dtype)
    return loss.reshape(len(betas), len(alphas))
