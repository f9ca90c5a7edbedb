"""Mini-batches of data rows, the same for every optimizer: which rows step ``t`` of a run uses.

An epoch is a fresh permutation of the ``n`` rows, cut into ``ceil(n / k)`` batches of ``k``
rows in order; the last batch of an epoch holds the ``n - (ceil(n / k) - 1) k`` rows left over
(PyTorch's ``DataLoader(shuffle=True, drop_last=False)``), so every epoch uses each row exactly
once, and the mean of an epoch's batch gradients weighted by their sizes is the full gradient.
The permutations come from a generator seeded by ``seed`` alone, so the batch at step ``t``
depends only on (seed, n, k, t): every run of a batched call and every optimizer of a race with
the same seed sees the same batches.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# The permutations' generator is a stream of its own (a spawn key), independent of the gradient
# noise that ``run`` draws from ``default_rng([seed, chunk])``.
_STREAM = 1


def minibatches(n: int, batch_size: int, seed: int) -> Iterator[np.ndarray]:
    """The row indices of the mini-batch of each step 1, 2, ...: (k,) int arrays, endless."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAM,)))
    while True:
        order = rng.permutation(n)
        for i in range(0, n, batch_size):
            yield order[i : i + batch_size]


def rows_seen(steps: np.ndarray, n: int, batch_size: int) -> np.ndarray:
    """How many data rows the first ``steps`` mini-batches hold (int array, ``steps``' shape):
    ``n`` per whole epoch plus ``k`` per batch of the epoch begun (only its last batch is
    short)."""
    epochs, rest = np.divmod(np.asarray(steps), -(-n // batch_size))
    return epochs * n + rest * batch_size


def check(surface, batch_size, seed, exact: str | None) -> None:
    """ValueError unless ``seed`` is an integer >= 0 and ``batch_size`` is None or a row count
    1..n of a data-defined surface, for a method that takes mini-batches: ``exact`` names a
    method that evaluates the surface exactly (a curvature method), else None."""
    if isinstance(seed, bool) or not (isinstance(seed, int | np.integer) and seed >= 0):
        raise ValueError(f"Invalid seed: {seed!r} (must be an integer >= 0)")
    if batch_size is None:
        return
    if surface.n_data is None:
        raise ValueError(
            f"batch_size={batch_size!r}: {surface.name!r} is not defined by data, so it has no "
            "mini-batches (use batch_size=None)"
        )
    n = surface.n_data
    valid = isinstance(batch_size, int | np.integer) and not isinstance(batch_size, bool)
    if not (valid and 1 <= batch_size <= n):
        raise ValueError(
            f"Invalid batch_size: {batch_size!r} (must be None or an integer in 1..{n}, the "
            f"number of data rows of {surface.name!r})"
        )
    if exact:
        raise ValueError(
            f"batch_size={batch_size}: {exact} evaluates the surface exactly (use batch_size=None)"
        )
