"""Train an :class:`~mlp.network.MLP` with any ``optim_core`` optimizer, recording a history.

One epoch visits every example once, in an order reshuffled each epoch from
``np.random.default_rng(seed)``; each mini-batch does::

    loss, grad = net.loss_and_grad(theta, X[batch], y[batch])
    theta, state = optimizer.step(theta, grad, state)

so two optimizers trained with the same network seed and ``seed`` start from the same weights
and see the same batches. ``train`` owns ``theta``, the gradient and the optimizer state, so it
takes ``optim_core``'s in-place path (``optimizer.update_`` then ``theta -= step``), which is
the same arithmetic as ``step`` without its defensive copies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mlp.network import MLP

__all__ = ["DIVERGENCE_LOSS", "History", "probability_grid", "train"]

DIVERGENCE_LOSS = 1e6  # a mini-batch loss above this (or inf / nan) counts as divergence


@dataclass(eq=False)
class History:
    """What happened during :func:`train`; index ``e`` of each list is epoch ``e`` (0 = start).

    ``test_loss`` / ``test_accuracy`` are empty without a test set. After a divergence the
    lists end with the diverged epoch (the loss of the blown-up weights: ``inf``, ``nan`` or
    huge; accuracy ``nan``), and ``theta`` and the last snapshot are the weights at the end of
    the last completed epoch.
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    snapshots: list[tuple[int, np.ndarray]] = field(default_factory=list)
    theta: np.ndarray | None = None
    diverged_at_epoch: int | None = None
    steps: int = 0

    @property
    def epochs(self) -> int:
        """Number of epochs recorded after epoch 0."""
        return len(self.train_loss) - 1

    def __repr__(self) -> str:
        last = f"train_acc={self.train_accuracy[-1]:.3f}" if self.train_accuracy else "empty"
        if self.test_accuracy:
            last += f", test_acc={self.test_accuracy[-1]:.3f}"
        div = f", diverged_at_epoch={self.diverged_at_epoch}" if self.diverged_at_epoch else ""
        return f"History(epochs={self.epochs}, steps={self.steps}, {last}{div})"


def _batches(X: np.ndarray, y: np.ndarray, batch_size: int, rng: np.random.Generator):
    """The epoch's mini-batches: rows of ``X``, ``y`` in a fresh random order, cut in runs.

    The rows are gathered once per epoch, so every batch is a contiguous view, not a copy.
    """
    n = len(y)
    if batch_size >= n:
        yield X, y
        return
    order = rng.permutation(n)
    X, y = X[order], y[order]
    for start in range(0, n, batch_size):
        yield X[start : start + batch_size], y[start : start + batch_size]


def _diverged(loss: float, theta: np.ndarray) -> bool:
    return not (loss <= DIVERGENCE_LOSS and np.isfinite(theta).all())


def train(
    net: MLP,
    optimizer,
    X: np.ndarray,
    y: np.ndarray,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    snapshot_every: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    theta0: np.ndarray | None = None,
) -> History:
    """Train ``net`` from ``theta0`` (default ``net.init_params()``) for ``epochs`` epochs.

    ``batch_size``: ``None`` or ``>= n`` = full batch, ``1`` = stochastic, else mini-batches
    (the last one may be smaller). ``snapshot_every``: keep ``(epoch, theta)`` every that many
    epochs (default ``ceil(epochs / 50)``), plus the first and the last epoch.
    ``progress(epoch, epochs)`` is called after every epoch. A divergence (mini-batch loss not
    finite or above :data:`DIVERGENCE_LOSS`, or non-finite weights) stops training and is
    recorded in ``History.diverged_at_epoch``; nothing is raised or warned.
    """
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs!r}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be >= 1 or None, got {batch_size!r}")
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    has_test = X_test is not None and y_test is not None
    every = snapshot_every or max(1, -(-epochs // 50))
    batch_size = batch_size or len(y)
    rng = np.random.default_rng(seed)
    theta = net.init_params() if theta0 is None else np.array(theta0, dtype=np.float64)
    state = optimizer.init(theta)
    hist = History(theta=theta)

    def record(epoch: int, theta: np.ndarray, ok: bool = True) -> None:
        loss, accuracy = net.loss_and_accuracy(theta, X, y)
        hist.train_loss.append(loss)
        hist.train_accuracy.append(accuracy if ok else np.nan)
        if has_test:
            loss, accuracy = net.loss_and_accuracy(theta, X_test, y_test)
            hist.test_loss.append(loss)
            hist.test_accuracy.append(accuracy if ok else np.nan)
        if ok and (epoch % every == 0 or epoch == epochs):
            hist.snapshots.append((epoch, theta.copy()))

    record(0, theta)
    with np.errstate(all="ignore"):
        for epoch in range(1, epochs + 1):
            start = theta.copy()  # the epoch's starting point, kept in case it diverges
            for X_batch, y_batch in _batches(X, y, batch_size, rng):
                loss, grad = net.loss_and_grad(theta, X_batch, y_batch)
                state = optimizer.update_(grad, theta, state)  # grad becomes the step
                theta -= grad
                hist.steps += 1
                if _diverged(loss, theta):
                    hist.diverged_at_epoch = epoch
                    record(epoch, theta, ok=False)
                    if hist.snapshots[-1][0] != epoch - 1:
                        hist.snapshots.append((epoch - 1, start))
                    hist.theta = start
                    return hist
            record(epoch, theta)
            if progress is not None:
                progress(epoch, epochs)
    hist.theta = theta
    return hist


def probability_grid(
    net: MLP,
    theta: np.ndarray,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    resolution: int = 100,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``net.predict_proba`` on a ``resolution x resolution`` grid, for decision boundaries.

    Returns ``xs`` ``(r,)``, ``ys`` ``(r,)`` and ``Z`` with ``Z[i, j]`` the prediction at
    ``(xs[j], ys[i])`` (Plotly's ``contour(x=xs, y=ys, z=Z)`` convention): ``(r, r)`` holding
    ``P(y=1)`` for one output unit, ``(r, r, k)`` class probabilities for ``k`` outputs.
    """
    xs = np.linspace(xlim[0], xlim[1], resolution)
    ys = np.linspace(ylim[0], ylim[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    p = net.predict_proba(theta, np.column_stack([gx.ravel(), gy.ravel()]))
    return xs, ys, p.reshape(resolution, resolution, *p.shape[1:])
