r"""Line searches along d from x, for a batch of runs, each run with its own step length.

Both searches look for t > 0 along :math:`\phi(t) = f(x + t d)`, with :math:`\phi'(0) = g^T d < 0`:

- ``strong_wolfe``: PyTorch's ``_strong_wolfe`` (torch/optim/lbfgs.py, a port of minFunc's
  ``WolfeLineSearch``), which is Nocedal & Wright's Algorithms 3.5 (bracketing) and 3.6 (zoom)
  with safeguarded cubic interpolation. It ends at a point that satisfies the strong Wolfe
  conditions

  .. math:: \phi(t) \le \phi(0) + c_1 t \phi'(0), \qquad |\phi'(t)| \le c_2 |\phi'(0)|,

  or, when it runs out of evaluations or the bracket shrinks below ``tolerance_change``, at
  the lowest point it has seen (possibly t = 0: no move).
- ``backtracking``: Nocedal & Wright's Algorithm 3.1, t <- rho t from t0 until the first
  (Armijo, sufficient decrease) condition holds.

Runs are vectorised with masks: every round evaluates the next trial point of each run still
searching, in one call, so a run's trial points and decisions are exactly those of the same run
searched alone. ``evaluate(idx, points)`` evaluates the runs ``idx`` (indices into the batch,
an int array) at ``points`` (len(idx), 2); it returns values (len(idx),) and, for
``strong_wolfe``, gradients (len(idx), 2).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BRACKET, ZOOM, FINISHED = 0, 1, 2


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot product of (k, 2) arrays, written out so that a run's result never depends
    on the rest of the batch (no BLAS reduction order)."""
    return a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1]


def cubic_interpolate(x1, f1, g1, x2, f2, g2, lo=None, hi=None) -> np.ndarray:
    r"""Minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clipped to
    [lo, hi] (default: between x1 and x2); the midpoint of [lo, hi] when the cubic has no
    minimiser. torch's ``_cubic_interpolate`` (Nocedal & Wright eq. 3.59), element-wise:

    .. math::
        d_1 = g_1 + g_2 - 3\frac{f_1 - f_2}{x_1 - x_2}, \quad d_2 = \sqrt{d_1^2 - g_1 g_2},
        \quad x = x_2 - (x_2 - x_1)\frac{g_2 + d_2 - d_1}{g_2 - g_1 + 2 d_2}
    """
    if lo is None:
        lo, hi = np.where(x1 <= x2, x1, x2), np.where(x1 <= x2, x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    d2 = np.sqrt(np.where(d2_square >= 0, d2_square, 0.0))
    min_pos = np.where(
        x1 <= x2,
        x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)),
        x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2)),
    )
    # Python's min(max(min_pos, lo), hi), NaN included: a NaN min_pos stays NaN.
    clipped = np.where(lo > min_pos, lo, min_pos)
    clipped = np.where(hi < clipped, hi, clipped)
    return np.where(d2_square >= 0, clipped, (lo + hi) / 2.0)


def strong_wolfe(
    evaluate: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    x: np.ndarray,
    d: np.ndarray,
    f: np.ndarray,
    g: np.ndarray,
    gtd: np.ndarray,
    t: np.ndarray,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """torch's ``_strong_wolfe`` for k runs at once: x, d, g (k, 2); f, gtd = g.d, t (k,) the
    first trial step. At most ``1 + max_ls`` evaluations per run.

    Returns the accepted step t (k,), and the value (k,) and gradient (k, 2) at x + t d.
    """
    k = len(t)
    every = np.arange(k)
    d_norm = np.abs(d).max(axis=1)
    t = np.array(t, dtype=np.float64)
    f_new, g_new = evaluate(every, x + t[:, None] * d)
    gtd_new = dot(g_new, d)
    ls_iter = np.zeros(k, dtype=int)
    t_prev, f_prev, g_prev, gtd_prev = np.zeros(k), f.copy(), g.copy(), gtd.copy()
    # The bracket [t_a, t_b] with its values, gradients and slopes; ``low`` indexes its lower end.
    b_t, b_f, b_gtd = np.zeros((k, 2)), np.zeros((k, 2)), np.zeros((k, 2))
    b_g = np.zeros((k, 2, 2))
    low = np.zeros(k, dtype=int)
    done = np.zeros(k, dtype=bool)
    insuf_progress = np.zeros(k, dtype=bool)
    phase = np.full(k, BRACKET)
    zoomed = np.zeros(k, dtype=bool)  # the last evaluation was a zoom trial, not yet used

    def set_end(rows, end, t_, f_, g_, gtd_):
        b_t[rows, end], b_f[rows, end], b_g[rows, end], b_gtd[rows, end] = t_, f_, g_, gtd_

    while True:
        # Zoom (Algorithm 3.6): fold the last trial into the bracket.
        z = np.flatnonzero(zoomed)
        if z.size:
            lo_, hi_ = low[z], 1 - low[z]
            higher = (f_new[z] > f[z] + c1 * t[z] * gtd[z]) | (f_new[z] >= b_f[z, lo_])
            r = z[higher]
            set_end(r, hi_[higher], t[r], f_new[r], g_new[r], gtd_new[r])
            low[r] = np.where(b_f[r, 0] <= b_f[r, 1], 0, 1)
            r, lo_r, hi_r = z[~higher], lo_[~higher], hi_[~higher]
            done[r] = np.abs(gtd_new[r]) <= -c2 * gtd[r]
            flip = ~done[r] & (gtd_new[r] * (b_t[r, hi_r] - b_t[r, lo_r]) >= 0)
            fr, src, dst = r[flip], lo_r[flip], hi_r[flip]
            set_end(fr, dst, b_t[fr, src], b_f[fr, src], b_g[fr, src], b_gtd[fr, src])
            set_end(r, lo_r, t[r], f_new[r], g_new[r], gtd_new[r])
            zoomed[z] = False

        # Bracketing (Algorithm 3.5): check the last trial, or extrapolate further.
        b = np.flatnonzero(phase == BRACKET)
        e = b[:0]  # runs that extrapolate to a new trial
        if b.size:
            # Out of evaluations: the bracket is [0, t] and the zoom will not run.
            spent = b[ls_iter[b] >= max_ls]
            set_end(spent, 0, 0.0, f[spent], g[spent], gtd[spent])
            set_end(spent, 1, t[spent], f_new[spent], g_new[spent], gtd_new[spent])
            b = b[ls_iter[b] < max_ls]
            too_high = (f_new[b] > f[b] + c1 * t[b] * gtd[b]) | (
                (ls_iter[b] > 1) & (f_new[b] >= f_prev[b])
            )
            wolfe = ~too_high & (np.abs(gtd_new[b]) <= -c2 * gtd[b])
            uphill = ~too_high & ~wolfe & (gtd_new[b] >= 0)
            bk = b[too_high | uphill]
            set_end(bk, 0, t_prev[bk], f_prev[bk], g_prev[bk], gtd_prev[bk])
            set_end(bk, 1, t[bk], f_new[bk], g_new[bk], gtd_new[bk])
            found = b[wolfe]
            set_end(found, 0, t[found], f_new[found], g_new[found], gtd_new[found])
            done[found] = True
            entering = np.concatenate([spent, bk, found])
            phase[entering] = ZOOM
            low[entering] = np.where(b_f[entering, 0] <= b_f[entering, -1], 0, 1)
            low[found] = 0
            # Extrapolate: cubic step between 1.01 t - 0.01 t_prev and 10 t.
            e = b[~too_high & ~wolfe & ~uphill]
            min_step, max_step = t[e] + 0.01 * (t[e] - t_prev[e]), t[e] * 10
            new_t = cubic_interpolate(
                t_prev[e], f_prev[e], gtd_prev[e], t[e], f_new[e], gtd_new[e], min_step, max_step
            )
            t_prev[e], f_prev[e], g_prev[e], gtd_prev[e] = t[e], f_new[e], g_new[e], gtd_new[e]
            t[e] = new_t

        # Zoom: stop, or pick the next trial inside the bracket.
        z = np.flatnonzero(phase == ZOOM)
        stop = done[z] | (ls_iter[z] >= max_ls)
        stop |= np.abs(b_t[z, 1] - b_t[z, 0]) * d_norm[z] < tolerance_change
        phase[z[stop]] = FINISHED
        z = z[~stop]
        if z.size:
            t[z] = _zoom_trial(z, b_t, b_f, b_gtd, insuf_progress)
            zoomed[z] = True

        pending = np.concatenate([e, z])
        if pending.size == 0:
            break
        pending.sort()
        f_new[pending], g_new[pending] = evaluate(
            pending, x[pending] + t[pending, None] * d[pending]
        )
        gtd_new[pending] = dot(g_new[pending], d[pending])
        ls_iter[pending] += 1

    return b_t[every, low], b_f[every, low], b_g[every, low]


def _zoom_trial(z, b_t, b_f, b_gtd, insuf_progress) -> np.ndarray:
    """Cubic minimiser in the bracket, moved to 10% of its width from the nearer end when it
    falls that close to an end twice in a row or outside (torch's insufficient-progress rule).
    Updates ``insuf_progress`` for runs ``z``."""
    t = cubic_interpolate(b_t[z, 0], b_f[z, 0], b_gtd[z, 0], b_t[z, 1], b_f[z, 1], b_gtd[z, 1])
    hi, lo = b_t[z].max(axis=1), b_t[z].min(axis=1)
    eps = 0.1 * (hi - lo)
    near = np.minimum(hi - t, t - lo) < eps
    move = near & (insuf_progress[z] | (t >= hi) | (t <= lo))
    t = np.where(move, np.where(np.abs(t - hi) < np.abs(t - lo), hi - eps, lo + eps), t)
    insuf_progress[z] = near & ~move
    return t


def backtracking(
    evaluate: Callable[[np.ndarray, np.ndarray], np.ndarray],
    x: np.ndarray,
    d: np.ndarray,
    f: np.ndarray,
    gtd: np.ndarray,
    t: np.ndarray,
    c1: float = 1e-4,
    rho: float = 0.5,
    max_ls: int = 25,
) -> tuple[np.ndarray, np.ndarray]:
    """Armijo backtracking (Nocedal & Wright, Algorithm 3.1) for k runs: try t, then rho t,
    rho^2 t, ... until f(x + t d) <= f + c1 t g.d, at most ``1 + max_ls`` evaluations.

    Returns the step t (k,) and the value (k,) at x + t d; a run that never satisfies the
    condition gets t = 0 and its value f (it does not move).
    """
    t = np.array(t, dtype=np.float64)
    f_new = f.copy()
    searching = np.arange(len(t))
    for tries in range(max_ls + 1):
        if tries:
            t[searching] *= rho
        values = evaluate(searching, x[searching] + t[searching, None] * d[searching])
        ok = values <= f[searching] + c1 * t[searching] * gtd[searching]
        f_new[searching[ok]] = values[ok]
        searching = searching[~ok]
        if searching.size == 0:
            break
    t[searching] = 0.0
    return t, f_new
