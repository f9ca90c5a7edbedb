"""Checks of what users pass in, done where it enters (at construction, at the top of ``run``),
so that a bad value fails at once with a ValueError naming it and the accepted range or type,
instead of later, deep inside a step, as a NumPy error or a wrong result.

Numbers are real numbers or arrays of them: NumPy would happily turn ``"0.1"``, ``True`` or
``None`` into a float (or a NaN), and drop the imaginary part of a complex number with a
warning. Flags are ``bool`` (or ``np.bool_``): ``amsgrad="no"`` is truthy.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_real(name: str, value) -> np.ndarray:
    """``value`` as a float64 array (0-d for a scalar), or ValueError unless it is a real number
    or an array of real numbers (int or float dtype; no bools, strings, None or complex)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        return np.asarray(float(value))
    try:
        arr = None if isinstance(value, str | bytes) else np.asarray(value)
    except (TypeError, ValueError):  # ragged nested sequences
        arr = None
    if arr is None or arr.dtype.kind not in "iuf":
        got = type(value).__name__
        if arr is not None and arr.ndim:
            got += f" of {arr.dtype}"
        raise ValueError(
            f"Invalid {name} value: {value!r} ({name} must be a real number or an array of "
            f"real numbers, got {got})"
        )
    return np.asarray(arr, dtype=np.float64)


def check_value(name: str, value, ok, rule: str) -> None:
    """ValueError naming the value unless it is real, finite and ``ok`` (``ok``: float64 array
    -> bool array; ``rule`` says in words what ``ok`` accepts, e.g. ">= 0")."""
    arr = as_real(name, value)
    with np.errstate(invalid="ignore"):
        good = np.isfinite(arr) & ok(arr)
    if not good.all():
        shown = value
        if arr.ndim:  # the first bad entry, on one line
            where = np.unravel_index(np.argmin(good), arr.shape)
            shown = (
                f"{arr[where]} at index {tuple(map(int, where))} of an array of shape {arr.shape}"
            )
        raise ValueError(f"Invalid {name} value: {shown} ({name} must be {rule})")


def check_flag(name: str, value) -> None:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(
            f"Invalid {name} value: {value!r} ({name} must be True or False, "
            f"got {type(value).__name__})"
        )


def check_count(name: str, value, low: int) -> None:
    if not (isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= low):
        raise ValueError(f"Invalid {name} value: {value!r} ({name} must be an integer >= {low})")


def check_choice(name: str, value, choices) -> None:
    """ValueError unless ``value`` is one of ``choices`` (strings or None), compared without
    NumPy's element-wise ``==`` (an array is simply not a choice)."""
    if not any(value is c or (isinstance(value, str) and value == c) for c in choices):
        raise ValueError(f"Invalid {name} value: {value!r} (choose one of {list(choices)})")


# ----------------------------------------------------------------------------------------------
# optim_core.run's arguments.

# Starts per call: beyond this, even keep_path=False needs gigabytes (final positions,
# statuses, counts: about 60 bytes per run, plus the caller's starts).
MAX_RUNS = 10_000_000
# keep_path=True stores the path (2 floats), loss and gradient norm of every run at every step:
# 32 bytes per run and step, refused above this many bytes (finishing the result briefly needs
# about as much again). keep_path=False needs memory O(N) whatever the number of steps.
MAX_PATH_BYTES = 1 << 30
PATH_BYTES_PER_POINT = 32


def check_scalar(name: str, value, ok, rule: str) -> None:
    """``check_value`` for a single number (no arrays)."""
    check_value(name, value, ok, rule)
    if np.ndim(value) != 0:
        raise ValueError(f"Invalid {name} value: {value} ({name} must be a single number)")


def check_starts(start) -> tuple[np.ndarray, bool]:
    """The starts as a float64 array (N, 2), and whether ``start`` was a single point (2,).
    ValueError for non-real, mis-shaped or non-finite starts and for more than MAX_RUNS."""
    starts = as_real("start", start)
    single = starts.ndim == 1
    starts = np.atleast_2d(starts)
    if starts.ndim != 2 or starts.shape[1] != 2:
        raise ValueError(f"start must have shape (2,) or (N, 2), got {np.shape(start)}")
    if len(starts) > MAX_RUNS:
        raise ValueError(f"Too many starts: {len(starts):,} (at most {MAX_RUNS:,} per run call)")
    bad = np.flatnonzero(~np.isfinite(starts).all(axis=1))
    if bad.size:
        raise ValueError(
            f"start must be finite: {bad.size} of {len(starts)} start(s) are not, "
            f"e.g. index {bad[0]}: {starts[bad[0]]}"
        )
    return starts, single


def check_run_options(n: int, steps, tol, keep_path, noise, seed, escape) -> None:
    """ValueError naming the first bad argument of ``run`` for n starts."""
    check_count("steps", steps, 0)
    check_scalar("tol", tol, lambda a: a >= 0, ">= 0 (a gradient-norm threshold)")
    check_flag("keep_path", keep_path)
    check_scalar("noise", noise, lambda a: a >= 0, ">= 0 (a standard deviation)")
    check_count("seed", seed, 0)
    e = as_real("escape", escape)
    if e.ndim or not e > 0:
        raise ValueError(
            f"Invalid escape value: {escape} (escape must be a number > 0, in widths of the "
            "domain; inf: only non-finite values count as diverged)"
        )
    points = n * (steps + 1)
    if keep_path and points * PATH_BYTES_PER_POINT > MAX_PATH_BYTES:
        raise ValueError(
            f"keep_path=True would store {n:,} run(s) x {steps + 1:,} steps = {points:,} "
            f"positions, {points * PATH_BYTES_PER_POINT / 2**30:.1f} GiB of path, loss and "
            f"grad_norm, above the limit of {MAX_PATH_BYTES / 2**30:g} GiB; use "
            "keep_path=False (final positions and statuses only, memory O(N)), or fewer runs or "
            "steps"
        )
