"""Train an :class:`~mlp.network.MLP` with any ``optim_core`` optimizer, recording a history.

One epoch visits every example once, in an order reshuffled each epoch from
``np.random.default_rng(seed)``; each mini-batch does::

    loss, grad = net.loss_and_grad(theta, X[batch], y[batch])
    theta, state = optimizer.step(theta, grad, state)

so two optimizers trained with the same network seed and ``seed`` start from the same weights
and see the same batches. ``train`` owns ``theta``, the gradient and the optimizer state, so it
takes ``optim_core``'s in-place path (``optimizer.update_`` then ``theta -= step``), which is
the same arithmetic as ``step`` without its defensive copies, and it computes each batch's
gradient into memory allocated once per run.

BLAS runs on one thread during training (``threadpoolctl``), whatever the process's setting:
the matrix products here are at most ``(batch x 64) @ (64 x 64)``, too small to gain from
threads, and on a busy machine OpenBLAS's spinning worker threads fight the main thread for
the cores (measured: 2.5x slower with two other busy processes on 2 cores).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import OpenBLASController, get_cached_controller

from mlp import _checks
from mlp.network import MLP

__all__ = ["DIVERGENCE_LOSS", "History", "probability_grid", "train"]

DIVERGENCE_LOSS = 1e6  # a mini-batch loss above this x max(1, starting loss) is a divergence


@dataclass(eq=False)
class History:
    """What happened during :func:`train`; index ``e`` of each list is epoch ``e`` (0 = start).

    Per-epoch curves, as Keras reports them:

    * ``train_loss[e]`` (``e >= 1``) is the **mean of the mini-batch losses during epoch
      ``e``, weighted by batch size**, each taken on the batch just before its step;
      ``train_accuracy[e]`` likewise counts each example as classified when its batch was
      (``train_r2[e]`` is ``1 - (sum of those squared errors) / sum (y - mean y)^2``). So the
      curve lags the weights by up to one epoch; with full batches ``train_loss[e]`` is
      exactly the loss of the weights after epoch ``e - 1``. Evaluating the whole training set
      again after every epoch would cost about a quarter of the training time.
    * ``train_loss[0]``, ``train_accuracy[0]``/``train_r2[0]``: the initial weights on the
      whole training set.
    * ``test_loss[e]``, ``test_accuracy[e]``/``test_r2[e]``: the weights at the end of epoch
      ``e`` on the whole test set (empty without a test set).

    Classification fills the ``*_accuracy`` lists, regression the ``*_r2`` lists; the other
    pair stays empty. ``final_train_loss`` and ``final_train_metric`` (accuracy, or ``R^2``
    for regression) are exact: the returned ``theta`` on the whole training set.

    After a divergence the lists end with the diverged epoch, evaluated on the whole sets at
    the blown-up weights (loss ``inf``, ``nan`` or huge; metric ``nan``), and ``theta`` and
    the last snapshot are the weights at the end of the last completed epoch.
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    train_r2: list[float] = field(default_factory=list)
    test_r2: list[float] = field(default_factory=list)
    snapshots: list[tuple[int, np.ndarray]] = field(default_factory=list)
    theta: np.ndarray | None = None
    final_train_loss: float = np.nan
    final_train_metric: float = np.nan
    diverged_at_epoch: int | None = None
    steps: int = 0

    @property
    def epochs(self) -> int:
        """Number of epochs recorded after epoch 0."""
        return len(self.train_loss) - 1

    def __repr__(self) -> str:
        regression = bool(self.train_r2)
        name = "r2" if regression else "acc"
        train = self.train_r2 if regression else self.train_accuracy
        test = self.test_r2 if regression else self.test_accuracy
        last = f"train_{name}={train[-1]:.3f}" if train else "empty"
        if test:
            last += f", test_{name}={test[-1]:.3f}"
        div = f", diverged_at_epoch={self.diverged_at_epoch}" if self.diverged_at_epoch else ""
        return f"History(epochs={self.epochs}, steps={self.steps}, {last}{div})"


class _OneBlasThread:
    """Context manager: BLAS limited to one thread while any thread of the process trains.

    OpenBLAS (with pthreads, as NumPy's wheels) has one process-wide pool, and Streamlit runs
    sessions as threads of one process, so concurrent trainings share a counter: the first
    to enter limits BLAS, the last to leave restores the previous setting. threadpoolctl
    (>= 3.8) lets one Python thread at a time set that pool (the others' calls silently do
    nothing), so each change first takes control, and the last one gives it back. Entering
    and leaving cost some tens of µs with threadpoolctl's cached controller (building a fresh
    one scans the loaded libraries: about 1 ms).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._limiter = None

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                OpenBLASController.clear_controlling_thread(force=True)
                self._limiter = get_cached_controller().limit(limits=1, user_api="blas")
            self._users += 1

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                OpenBLASController.clear_controlling_thread(force=True)
                self._limiter.restore_original_limits()
                OpenBLASController.clear_controlling_thread()


_one_blas_thread = _OneBlasThread()


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

    ``X`` ``(n, d)`` and ``y`` ``(n,)`` as ``net`` takes them (class labels ``0..k-1``, or
    real targets for regression); ``X_test``, ``y_test`` likewise, or both ``None``.
    ``batch_size``: ``None`` or ``>= n`` = full batch, ``1`` = stochastic, else mini-batches
    (the last one may be smaller). ``snapshot_every``: keep ``(epoch, theta)`` every that many
    epochs (default ``ceil(epochs / 50)``), plus the first and the last epoch.
    ``progress(epoch, epochs)`` is called after every epoch. A divergence (mini-batch loss not
    finite or above ``DIVERGENCE_LOSS * max(1, starting loss)``, or non-finite weights) stops
    training and is recorded in ``History.diverged_at_epoch``; nothing is raised or warned.
    Bad arguments raise ``ValueError`` before any training. See :class:`History` for what the
    curves hold.
    """
    epochs = _checks.integer("epochs", epochs, low=0)
    if batch_size is not None:
        batch_size = _checks.integer("batch_size", batch_size, low=1)
    seed = _checks.integer("seed", seed, low=0)
    if snapshot_every is not None:
        snapshot_every = _checks.integer("snapshot_every", snapshot_every, low=1)
    if (X_test is None) != (y_test is None):
        raise ValueError("pass both X_test and y_test, or neither")
    X = net._inputs(X)
    y = net._targets(y, len(X))
    if len(y) == 0:
        raise ValueError("X must have at least one row")
    test = None
    if X_test is not None:
        X_test = net._inputs(X_test)
        test = (X_test, net._targets(y_test, len(X_test))) if len(X_test) else None
    regression = net.task == "regression"
    every = snapshot_every or max(1, -(-epochs // 50))
    n = len(y)
    batch_size = min(batch_size or n, n)
    rng = np.random.default_rng(seed)
    theta = net.init_params() if theta0 is None else net._theta(theta0).copy()
    grad = np.empty_like(theta)
    layers, grads = net.unflatten(theta), net.unflatten(grad)
    buffers = net._buffers(batch_size)
    state = optimizer.init(theta)
    hist = History(theta=theta)
    hist_train, hist_test = (
        (hist.train_r2, hist.test_r2) if regression else (hist.train_accuracy, hist.test_accuracy)
    )

    def record_test(ok: bool = True) -> None:
        if test is not None:
            loss, metric = net._evaluate(layers, *test)
            hist.test_loss.append(loss)
            hist_test.append(metric if ok else np.nan)

    def snapshot(epoch: int) -> None:
        if epoch % every == 0 or epoch == epochs:
            hist.snapshots.append((epoch, theta.copy()))

    with _one_blas_thread, np.errstate(all="ignore"):
        loss, train_metric = net._evaluate(layers, X, y)
        hist.train_loss.append(loss)
        hist_train.append(train_metric)
        record_test()
        snapshot(0)
        limit = DIVERGENCE_LOSS * max(1.0, loss)
        for epoch in range(1, epochs + 1):
            start = theta.copy()  # the epoch's starting point, kept in case it diverges
            loss_sum = stat_sum = 0.0
            diverged = False
            for X_batch, y_batch in _batches(X, y, batch_size, rng):
                loss, stat = net._loss_and_grad_(layers, grads, X_batch, y_batch, buffers)
                state = optimizer.update_(grad, theta, state)  # grad becomes the step
                theta -= grad
                hist.steps += 1
                if not loss <= limit:
                    diverged = True
                    break
                loss_sum += loss * len(y_batch)
                stat_sum += stat
            # Weights can blow up while the loss stays finite (saturated tanh units): check
            # them too, once an epoch, which catches it in the same epoch.
            if diverged or not np.isfinite(theta).all():
                hist.diverged_at_epoch = epoch
                hist.train_loss.append(net._evaluate(layers, X, y)[0])
                hist_train.append(np.nan)
                record_test(ok=False)
                if hist.snapshots[-1][0] != epoch - 1:
                    hist.snapshots.append((epoch - 1, start))
                theta[:] = start
                break
            hist.train_loss.append(loss_sum / n)
            hist_train.append(net._metric(stat_sum, y))
            record_test()
            snapshot(epoch)
            if progress is not None:
                progress(epoch, epochs)
        hist.final_train_loss, hist.final_train_metric = net._evaluate(layers, X, y)
    return hist


def probability_grid(
    net: MLP,
    theta: np.ndarray,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    resolution: int = 100,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The network's output on a ``resolution x resolution`` grid, for decision boundaries.

    Returns ``xs`` ``(r,)``, ``ys`` ``(r,)`` and ``Z`` with ``Z[i, j]`` the output at
    ``(xs[j], ys[i])`` (Plotly's ``contour(x=xs, y=ys, z=Z)`` convention): ``(r, r)`` holding
    ``P(y=1)`` for one output unit, ``(r, r, k)`` class probabilities for ``k`` outputs, and
    ``(r, r)`` predicted values for a regression network.
    """
    resolution = _checks.integer("resolution", resolution, 2, 2000)
    xs = np.linspace(*(_checks.number("xlim", v) for v in xlim), resolution)
    ys = np.linspace(*(_checks.number("ylim", v) for v in ylim), resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    p = net.predict(theta, points) if net.task == "regression" else net.predict_proba(theta, points)
    return xs, ys, p.reshape(resolution, resolution, *p.shape[1:])
