"""Argument checks shared by the ``mlp`` modules: a ``ValueError`` that names the argument, the
value it got and what it accepts, raised where a value enters the library."""

from __future__ import annotations

import math

import numpy as np


def integer(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int``; ``ValueError`` unless it is an integer (not a bool, not a float)
    within ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"in {low}..{high}"
        raise ValueError(f"{name} must be an integer {bounds}, got {value!r}")
    return int(value)


def number(name: str, value, low: float | None = None, high: float | None = None) -> float:
    """``value`` as a ``float``; ``ValueError`` unless it is a finite real in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f">= {low:g}" if high is None else f"in [{low:g}, {high:g}]"
        raise ValueError(f"{name} must be {bounds}, got {value!r}")
    return float(value)


def finite_array(name: str, value, shape: tuple) -> np.ndarray:
    """``value`` as a float64 array; ``ValueError`` unless it has ``shape`` (``None`` entries
    match any length) and only finite entries, naming the first bad row."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be an array of numbers, got {type(value).__name__}"
        ) from None
    expected = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
    if a.ndim != len(shape) or any(
        s is not None and s != t for s, t in zip(shape, a.shape, strict=True)
    ):
        raise ValueError(f"{name} must have shape {expected}, got {a.shape}")
    bad = ~np.isfinite(a)
    if bad.any():
        row = int(np.argwhere(bad)[0][0])
        raise ValueError(f"{name} must be finite; row {row} is {a[row].tolist()}")
    return a
