r"""Line-search methods that learn curvature from gradients: BFGS, L-BFGS and nonlinear
conjugate gradient. Each run keeps its own curvature history and takes its own step lengths,
element-wise over runs with masks (see ``curvature``).

Step-length conventions shared by the three (g: gradient, d: search direction):

- the first step tries :math:`t = \min(1, 1/\lVert g\rVert_1)` (torch's L-BFGS rule: without
  curvature information the scale of d = -g is arbitrary);
- a line search "strong_wolfe" is ``linesearch.strong_wolfe`` (torch's ``_strong_wolfe``,
  Nocedal & Wright Algorithms 3.5-3.6), "armijo" is ``linesearch.backtracking`` (Algorithm 3.1).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optim_core.curvature import CurvatureOptimizer, check_lr
from optim_core.linesearch import backtracking, dot, strong_wolfe
from optim_core.validation import check_choice, check_count, check_value

LINE_SEARCHES = ("strong_wolfe", "armijo")
IDENTITY = np.array([1.0, 0.0, 1.0])  # a symmetric 2x2 matrix as its (xx, xy, yy) entries
# BFGS skips its update unless y.s > SKIP_UPDATE |s||y| (the curvature condition, which the
# strong Wolfe search guarantees but backtracking does not): the estimate stays positive definite.
SKIP_UPDATE = 1e-10


def _first_step(g: np.ndarray) -> np.ndarray:
    """min(1, 1 / |g|_1) per run, with Python's min semantics (a NaN ratio gives 1)."""
    inv = 1.0 / (np.abs(g[:, 0]) + np.abs(g[:, 1]))
    return np.where(inv < 1.0, inv, 1.0)


def _check_wolfe_constants(c1, c2) -> None:
    check_value("c1", c1, lambda a: (a > 0) & (a < 1), "in (0, 1)")
    check_value("c2", c2, lambda a: (a > c1) & (a < 1), f"in (c1, 1) = ({c1}, 1)")


def _search(ev, kind, idx, p, d, f, g, gtd, t0, c1, c2, max_ls):
    """Line search along d for runs ``idx`` (indices into the active runs): step t, value and
    gradient at p + t d. With "armijo" the gradient is evaluated once, at the accepted point."""
    p, d, f, g, gtd, t0 = p[idx], d[idx], f[idx], g[idx], gtd[idx], t0[idx]
    if kind == "strong_wolfe":
        return strong_wolfe(
            lambda i, points: ev.value_and_gradient(points, idx[i]),
            p, d, f, g, gtd, t0, c1, c2, max_ls=max_ls,
        )  # fmt: skip
    t, f_new = backtracking(
        lambda i, points: ev.value(points, idx[i]), p, d, f, gtd, t0, c1, max_ls=max_ls
    )
    g_new, moved = g.copy(), np.flatnonzero(t > 0)
    g_new[moved] = ev.gradient(p[moved] + t[moved, None] * d[moved], idx[moved])
    return t, f_new, g_new


class BFGSState(NamedTuple):
    g: np.ndarray  # (k, 2)
    f: np.ndarray  # (k,)
    h: np.ndarray  # (k, 3): the inverse-Hessian estimate's entries (H_xx, H_xy, H_yy)
    scaled: np.ndarray  # (k,) bool: H has been scaled and updated at least once


class BFGS(CurvatureOptimizer):
    r"""BFGS with a line search (Nocedal & Wright, Algorithm 6.1), on the inverse-Hessian
    estimate H:

    .. math::
        d = -H g, \qquad \theta \leftarrow \theta + t d, \qquad s = t d,\ y = g_+ - g,\
        \rho = 1 / y^T s, \\
        H \leftarrow (I - \rho s y^T) H (I - \rho y s^T) + \rho s s^T \quad \text{(eq. 6.17)}

    H starts as I and, just before the first update, is rescaled to
    :math:`(y^T s / y^T y) I` (eq. 6.20). Later steps try t = 1 first. The update is skipped
    when :math:`y^T s \le 10^{-10}\lVert s\rVert\lVert y\rVert`; H is reset to I if d is not a
    descent direction. ``line_search``: "strong_wolfe" (default; c2 = 0.9 as N&W advise for
    quasi-Newton methods) or "armijo" backtracking (t <- t/2; only the sufficient decrease
    condition, c1). At most ``1 + max_ls`` evaluations of value and gradient per step.
    """

    name = "bfgs"

    def __init__(self, line_search="strong_wolfe", c1=1e-4, c2=0.9, max_ls=25):
        check_choice("line_search", line_search, LINE_SEARCHES)
        _check_wolfe_constants(c1, c2)
        check_count("max_ls", max_ls, 0)
        super().__init__(line_search=line_search, c1=c1, c2=c2, max_ls=max_ls)

    def init(self, ev, p):
        f, g = ev.value_and_gradient(p)
        return BFGSState(g, f, np.tile(IDENTITY, (len(p), 1)), np.zeros(len(p), dtype=bool))

    def step(self, ev, p, state):
        g, f, h, scaled = state.g, state.f, state.h.copy(), state.scaled.copy()
        d = -_times(h, g)
        reset = ~(dot(g, d) < 0)
        h[reset], scaled[reset], d[reset] = IDENTITY, False, -g[reset]
        gtd = dot(g, d)
        t0 = np.where(scaled, 1.0, _first_step(g))
        idx = np.flatnonzero(gtd < 0)
        hp = self.hyperparams
        t, f_new, g_new = np.zeros(len(p)), f.copy(), g.copy()
        t[idx], f_new[idx], g_new[idx] = _search(
            ev, hp["line_search"], idx, p, d, f, g, gtd, t0, hp["c1"], hp["c2"], hp["max_ls"]
        )
        s = t[:, None] * d
        y = g_new - g
        ys = dot(y, s)
        update = ys > SKIP_UPDATE * np.sqrt(dot(s, s) * dot(y, y))
        first = update & ~scaled
        h[first] = (ys[first] / dot(y, y)[first])[:, None] * IDENTITY
        h[update] = _bfgs_update(h[update], s[update], y[update], ys[update])
        scaled |= update
        return p + s, BFGSState(g_new, f_new, h, scaled), np.zeros(len(p), dtype=bool)


def _times(h: np.ndarray, v: np.ndarray) -> np.ndarray:
    """H v for symmetric H given as (k, 3) entries (H_xx, H_xy, H_yy); v (k, 2)."""
    out = np.empty_like(v)
    out[:, 0] = h[:, 0] * v[:, 0] + h[:, 1] * v[:, 1]
    out[:, 1] = h[:, 1] * v[:, 0] + h[:, 2] * v[:, 1]
    return out


def _bfgs_update(h, s, y, ys):
    """Eq. 6.17: (I - rho s y^T) H (I - rho y s^T) + rho s s^T."""
    rho = 1.0 / ys
    return _sandwich(h, s, y, rho, rho)


def _sandwich(h, s, y, rho, extra):
    """V^T H V + extra s s^T with V = I - rho y s^T, for symmetric H as (k, 3) entries, expanded:
    H + (rho^2 y.Hy + extra) s s^T - rho (s (Hy)^T + (Hy) s^T)."""
    hy = _times(h, y)
    c = rho * rho * dot(y, hy) + extra
    out = np.empty_like(h)
    out[:, 0] = h[:, 0] + c * s[:, 0] * s[:, 0] - 2 * rho * s[:, 0] * hy[:, 0]
    out[:, 1] = h[:, 1] + c * s[:, 0] * s[:, 1] - rho * (s[:, 0] * hy[:, 1] + hy[:, 0] * s[:, 1])
    out[:, 2] = h[:, 2] + c * s[:, 1] * s[:, 1] - 2 * rho * s[:, 1] * hy[:, 1]
    return out


class History:
    """Ring buffers of the stored pairs of every run that started in a batch, indexed by the
    run's id: when runs leave the batch, ``run`` keeps only their ids (the buffers, m pairs
    per run, stay where they are instead of being copied)."""

    def __init__(self, n: int, m: int):
        self.old_dirs = np.zeros((n, m, 2))  # y (torch's name)
        self.old_stps = np.zeros((n, m, 2))  # s
        self.ro = np.zeros((n, m))  # 1 / y.s


class LBFGSState(NamedTuple):
    g: np.ndarray  # (k, 2) gradient at the current position
    f: np.ndarray  # (k,) value there (used by the strong-Wolfe search only)
    n_iter: np.ndarray  # (k,) int: torch's state["n_iter"]
    d: np.ndarray  # (k, 2) last direction
    t: np.ndarray  # (k,) last step length
    ids: np.ndarray  # (k,) int: each run's row in ``history``
    history: History
    n_pairs: np.ndarray  # (k,) int: pairs ever stored; the newest sits at (n_pairs - 1) % m
    h_diag: np.ndarray  # (k,) initial inverse-Hessian scale y.s / y.y
    prev_g: np.ndarray  # (k, 2) torch's prev_flat_grad
    a: np.ndarray  # (k, 3) H = h_diag A + B, A and B symmetric 2x2 as (xx, xy, yy) entries
    b: np.ndarray  # (k, 3)


class LBFGS(CurvatureOptimizer):
    r"""``torch.optim.LBFGS`` with ``max_iter=1``: one step of the path is one
    ``optimizer.step(closure)``, with torch's names, defaults and state kept across steps.

    Each step (torch/optim/lbfgs.py; Nocedal & Wright, Algorithm 7.5): if
    :math:`\max|g| \le` ``tolerance_grad`` nothing happens. Otherwise, with
    :math:`s = t_{-1} d_{-1}` and :math:`y = g - g_{-1}`: if :math:`y^T s > 10^{-10}` the pair is
    stored (the oldest dropped beyond ``history_size``) and :math:`\gamma = y^T s / y^T y`; then
    :math:`d = -H g`, H the L-BFGS inverse-Hessian estimate from the stored pairs with
    :math:`H_0 = \gamma I` (d = -g on the first step). The step length is
    :math:`t = \min(1, 1/\lVert g\rVert_1)\,\text{lr}` on the first step, lr after; the run
    stays put if :math:`g^T d > -` ``tolerance_change``. ``line_search_fn=None`` moves by
    :math:`\theta \leftarrow \theta + t d`; "strong_wolfe" searches from that t with torch's
    ``_strong_wolfe`` (c1 = 1e-4, c2 = 0.9, at most 25 more evaluations; torch passes its default
    tolerance_change = 1e-9 to the search, not the optimizer's). torch's ``max_eval`` limits
    nothing when ``max_iter=1``, and ``tolerance_change``'s test on the loss change is only
    reached with ``max_iter > 1``.

    torch computes :math:`H g` with the two-loop recursion (Algorithm 7.4) over the stored
    pairs, O(m) work per step. In 2-D, H is a 2x2 matrix, linear in :math:`H_0 = \gamma I`
    (eq. 7.19): with :math:`V_i = I - \rho_i y_i s_i^T`, applying
    :math:`H \leftarrow V_i^T H V_i + \rho_i s_i s_i^T` from the oldest stored pair to the newest
    gives :math:`H = \gamma A + B`, A starting from I without the :math:`\rho s s^T` terms, B from 0
    with them. So each run keeps A and B and updates them in O(1) when it stores a pair; a run
    whose history is full (the oldest pair dropped) rebuilds them from its last m pairs. The
    same matrix, so the same directions up to rounding.

    Counts: one gradient per step (and the value too with "strong_wolfe"), plus the search's
    evaluations. torch's closure evaluates again at the accepted point, which the search has
    already evaluated; that repeat is not counted.
    """

    name = "lbfgs"

    def __init__(
        self,
        lr=1.0,
        history_size=100,
        tolerance_grad=1e-7,
        tolerance_change=1e-9,
        line_search_fn=None,
    ):
        check_lr(lr)
        check_count("history_size", history_size, 1)
        check_value("tolerance_grad", tolerance_grad, lambda a: a >= 0, ">= 0")
        check_value("tolerance_change", tolerance_change, lambda a: a >= 0, ">= 0")
        check_choice("line_search_fn", line_search_fn, (None, "strong_wolfe"))
        super().__init__(
            lr=lr,
            history_size=history_size,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            line_search_fn=line_search_fn,
        )

    def init(self, ev, p):
        k, m = len(p), self.hyperparams["history_size"]
        if self.hyperparams["line_search_fn"]:
            f, g = ev.value_and_gradient(p)
        else:
            f, g = np.zeros(k), ev.gradient(p)
        return LBFGSState(
            g, f, np.zeros(k, dtype=int), np.zeros((k, 2)), np.zeros(k), np.arange(k),
            History(k, m), np.zeros(k, dtype=int), np.ones(k), np.zeros((k, 2)),
            np.tile(IDENTITY, (k, 1)), np.zeros((k, 3)),
        )  # fmt: skip

    def stuck(self, before, after, state):
        """A run that did not move is at a fixed point of torch's step: with no move, y = 0, so
        no pair is stored, d and t come out as before, and so does the step (not after the
        first step, whose t differs from lr)."""
        return (after == before).all(axis=1) & (state.n_iter != 1)

    def step(self, ev, p, state):
        hp = self.hyperparams
        m = hp["history_size"]
        st = state  # updated in place: the ring buffers are large, and the runs own them
        g = st.g
        # torch returns before touching its state when the gradient is already small.
        act = ~(np.abs(g).max(axis=1) <= hp["tolerance_grad"])
        st.n_iter[act] += 1
        first = act & (st.n_iter == 1)
        later = act & ~first

        y = g - st.prev_g
        s = st.d * st.t[:, None]
        ys = dot(y, s)
        store = np.flatnonzero(later & (ys > 1e-10))
        hist, ids, slot = st.history, st.ids[store], st.n_pairs[store] % m
        hist.old_dirs[ids, slot], hist.old_stps[ids, slot] = y[store], s[store]
        hist.ro[ids, slot] = 1.0 / ys[store]
        st.n_pairs[store] += 1
        st.h_diag[store] = ys[store] / dot(y, y)[store]
        grow = store[st.n_pairs[store] <= m]
        rho = hist.ro[st.ids[grow], st.n_pairs[grow] - 1]
        st.a[grow] = _sandwich(st.a[grow], s[grow], y[grow], rho, 0.0)
        st.b[grow] = _sandwich(st.b[grow], s[grow], y[grow], rho, rho)
        full = store[st.n_pairs[store] > m]
        if full.size:
            st.a[full], st.b[full] = _rebuild(st, full, m)

        d = st.d
        d[first] = -g[first]
        h = st.h_diag[later, None] * st.a[later] + st.b[later]
        d[later] = -_times(h, g[later])
        st.prev_g[act] = g[act]
        lr = self.lr()
        lr_act = lr if np.ndim(lr) == 0 else lr[act]
        st.t[act] = np.where(first[act], _first_step(g[act]) * lr_act, lr_act)

        gtd = dot(g, d)
        move = np.flatnonzero(act & ~(gtd > -hp["tolerance_change"]))
        new = p.copy()
        if hp["line_search_fn"] is None:
            new[move] = p[move] + st.t[move, None] * d[move]
            g[move] = ev.gradient(new[move], move)
        else:
            st.t[move], st.f[move], g[move] = strong_wolfe(
                lambda i, points: ev.value_and_gradient(points, move[i]),
                p[move], d[move], st.f[move], g[move], gtd[move], st.t[move],
            )  # fmt: skip
            new[move] = p[move] + st.t[move, None] * d[move]
        return new, st, np.zeros(len(p), dtype=bool)


def _rebuild(st: LBFGSState, rows: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """A and B from the m stored pairs of runs ``rows`` (all with a full history), oldest first."""
    a, b = np.tile(IDENTITY, (len(rows), 1)), np.zeros((len(rows), 3))
    hist, ids = st.history, st.ids[rows]
    for age in reversed(range(m)):
        slot = (st.n_pairs[rows] - 1 - age) % m
        s, y, ro = hist.old_stps[ids, slot], hist.old_dirs[ids, slot], hist.ro[ids, slot]
        a, b = _sandwich(a, s, y, ro, 0.0), _sandwich(b, s, y, ro, ro)
    return a, b


class CGState(NamedTuple):
    g: np.ndarray  # (k, 2)
    f: np.ndarray  # (k,)
    d: np.ndarray  # (k, 2) next search direction
    f_prev: np.ndarray  # (k,) value before the last step (for the initial step length)
    started: np.ndarray  # (k,) bool: a step has been taken


class CG(CurvatureOptimizer):
    r"""Nonlinear conjugate gradient (Nocedal & Wright, Algorithm 5.4 with eq. 5.44-5.45):

    .. math::
        \theta \leftarrow \theta + t d, \qquad d_+ = -g_+ + \beta d, \qquad
        \beta^{PR+} = \max\left(0, \frac{g_+^T (g_+ - g)}{g^T g}\right), \quad
        \beta^{FR} = \frac{g_+^T g_+}{g^T g}

    with a strong-Wolfe line search (c2 = 0.1 < 1/2 as N&W advise, which FR needs for descent).
    ``beta``: "pr+" (Polak-Ribiere+, default) or "fr" (Fletcher-Reeves). d restarts as -g when it
    is not a descent direction. After the first step the search starts from
    :math:`t = \min(1, 1.01 \cdot 2 (f - f_{-1}) / g^T d)` (N&W eq. 3.60, as SciPy's CG).
    At most ``1 + max_ls`` evaluations of value and gradient per step.
    """

    name = "cg"

    def __init__(self, beta="pr+", c1=1e-4, c2=0.1, max_ls=25):
        check_choice("beta", beta, ("pr+", "fr"))
        _check_wolfe_constants(c1, c2)
        check_count("max_ls", max_ls, 0)
        super().__init__(beta=beta, c1=c1, c2=c2, max_ls=max_ls)

    def init(self, ev, p):
        f, g = ev.value_and_gradient(p)
        return CGState(g, f, -g, f.copy(), np.zeros(len(p), dtype=bool))

    def step(self, ev, p, state):
        g, f, d = state.g, state.f, state.d.copy()
        restart = ~(dot(g, d) < 0)
        d[restart] = -g[restart]
        gtd = dot(g, d)
        # N&W eq. 3.60 as SciPy: min(1, 1.01 * 2 (f - f_prev) / g.d), or 1 if that is not > 0.
        guess = 1.01 * 2 * (f - state.f_prev) / gtd
        guess = np.where(guess < 1.0, guess, 1.0)
        t0 = np.where(state.started, np.where(guess > 0, guess, 1.0), _first_step(g))
        idx = np.flatnonzero(gtd < 0)
        hp = self.hyperparams
        t, f_new, g_new = np.zeros(len(p)), f.copy(), g.copy()
        t[idx], f_new[idx], g_new[idx] = _search(
            ev, "strong_wolfe", idx, p, d, f, g, gtd, t0, hp["c1"], hp["c2"], hp["max_ls"]
        )
        gg = dot(g, g)
        if hp["beta"] == "fr":
            beta = dot(g_new, g_new) / gg
        else:
            beta = np.maximum(0.0, dot(g_new, g_new - g) / gg)
        d_new = -g_new + beta[:, None] * d
        state = CGState(g_new, f_new, d_new, f, np.ones(len(p), dtype=bool))
        return p + t[:, None] * d, state, np.zeros(len(p), dtype=bool)
