"""Input features of TensorFlow Playground: functions of the two coordinates fed to the network.

A network with ``features=("x1sq", "x2sq")`` sees ``(x1^2, x2^2)`` instead of ``(x1, x2)``;
on those two inputs a network without hidden layer separates two concentric circles, because
the circle ``x1^2 + x2^2 = r^2`` is a straight line there. The Playground offers the same seven
inputs (``x``, ``y``, ``xSquared``, ``ySquared``, ``xTimesY``, ``sinX``, ``sinY``) on its raw
coordinates; the playground here applies them to the standardised points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["FEATURES", "Feature", "check_features", "feature_map"]


class Feature(NamedTuple):
    """``fn(x1, x2)`` maps the coordinates ``(n,)`` to one input column ``(n,)``."""

    label: str
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {
    "x1": Feature("x1", lambda x1, x2: x1),
    "x2": Feature("x2", lambda x1, x2: x2),
    "x1sq": Feature("x1²", lambda x1, x2: x1 * x1),
    "x2sq": Feature("x2²", lambda x1, x2: x2 * x2),
    "x1x2": Feature("x1·x2", lambda x1, x2: x1 * x2),
    "sinx1": Feature("sin(x1)", lambda x1, x2: np.sin(x1)),
    "sinx2": Feature("sin(x2)", lambda x1, x2: np.sin(x2)),
}


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    """``names`` as a tuple, or ``ValueError`` unless it is 1 to 7 distinct names of
    :data:`FEATURES`."""
    if isinstance(names, str):
        raise ValueError(f"features is a sequence of names, got the string {names!r}")
    names = tuple(names)
    unknown = [f for f in names if f not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature {unknown[0]!r}; choose from {list(FEATURES)}")
    if not names or len(set(names)) != len(names):
        raise ValueError(f"features must be 1 to {len(FEATURES)} distinct names, got {names}")
    return names


def feature_map(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The columns ``names`` (keys of :data:`FEATURES`) of the points ``X`` ``(n, 2)``, as an
    ``(n, len(names))`` float64 array."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([FEATURES[name].fn(x1, x2) for name in names])
