"""Fused gradients (``Surface.grad_into``) against the plain formula (``Surface.grad_fn``).

A fused form repeats its plain formula's operations in the same order through preallocated
arrays, so the two must agree bit for bit, including where the gradient overflows or is
undefined.
"""

import dataclasses
import warnings

import numpy as np
import pytest

from surfaces import SURFACES
from surfaces.base import FUSED_MIN_POINTS

FUSED = [s for s in SURFACES.values() if s.grad_into is not None]
FUSED_IDS = [s.name for s in FUSED]


def test_the_benchmarked_surfaces_have_a_fused_gradient():
    assert {"beale", "wells"} <= set(FUSED_IDS)


def awkward_points(n: int, seed: int) -> np.ndarray:
    """(n, 2) points from 1e-3 to 1e300 in size, either sign, plus zeros, inf and nan."""
    rng = np.random.default_rng(seed)
    p = rng.choice([-1.0, 1.0], (n, 2)) * 10.0 ** rng.uniform(-3, 300, (n, 2))
    p[: n // 2] = rng.uniform(-6, 6, (n // 2, 2))  # half in and around the domains
    special = [0.0, -0.0, 1.0, np.inf, -np.inf, np.nan]
    p[-36:] = [(a, b) for a in special for b in special]
    return p


def plain(surface, p: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.stack(surface.grad_fn(p[..., 0], p[..., 1]), axis=-1)


def fused(surface, p: np.ndarray) -> np.ndarray:
    """``grad_into`` called directly, on points of any shape (..., 2)."""
    out = np.empty(p.shape)
    with np.errstate(all="ignore"):
        scratch = np.empty((surface.SCRATCH_ROWS, *p.shape[:-1]))
        surface.grad_into(p[..., 0], p[..., 1], out[..., 0], out[..., 1], scratch)
    return out


@pytest.mark.parametrize("surface", FUSED, ids=FUSED_IDS)
def test_fused_gradient_equals_the_plain_formula(surface):
    p = awkward_points(5000, seed=0)
    np.testing.assert_array_equal(fused(surface, p), plain(surface, p))
    grid = awkward_points(1200, seed=2).reshape(30, 40, 2)[::2, ::3]  # non-contiguous views
    np.testing.assert_array_equal(fused(surface, grid), plain(surface, grid))
    one = np.array([[0.3, -0.7]])
    np.testing.assert_array_equal(fused(surface, one), plain(surface, one))


@pytest.mark.parametrize("surface", FUSED, ids=FUSED_IDS)
def test_gradient_takes_the_fused_form_for_big_batches_without_warnings(surface):
    # The layout run() uses: Fortran-ordered (n, 2) points and output, caller-owned scratch.
    p = np.asfortranarray(awkward_points(FUSED_MIN_POINTS, seed=1))
    out = np.empty_like(p)
    scratch = np.full((surface.SCRATCH_ROWS, len(p)), np.nan)

    def refuse(x, y):
        raise AssertionError("the plain formula was called")

    fused_only = dataclasses.replace(surface, grad_fn=refuse)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fused_only.gradient(p, out=out, scratch=scratch) is out
    np.testing.assert_array_equal(out, plain(surface, p))
