"""Comparison table: our second-order and quasi-Newton optimizers against SciPy's.

For each (method, surface, start) it runs ``optim_core.run`` (tol 1e-8 on the gradient norm)
and SciPy's counterpart (``minimize`` with BFGS, CG, Newton-CG or L-BFGS-B at gtol 1e-8;
``least_squares(method="lm")`` at its defaults), and prints our steps and evaluation counts,
SciPy's nit / nfev / njev, the ratio of iterations (evaluations for Levenberg-Marquardt, where
SciPy reports no iterations) and the distance between the end points. SciPy is a
development-only dependency.

L-BFGS is torch's (``line_search_fn="strong_wolfe"``) against SciPy's L-BFGS-B, a different
code: torch's ``tolerance_change`` = 1e-9 stops it once g.d > -1e-9, i.e. at |g| of about
1e-4, so its rows stay "moving" (standing still) and end up to 1e-5 from the minimum; the
table counts their steps until they stood still. They are for information.

    python bench/compare_scipy.py
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import scipy.optimize

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import optim_core  # noqa: E402
import surfaces  # noqa: E402

# Surfaces' own starts, except where pure Newton heads for a saddle (Beale, Himmelblau) or
# Levenberg-Marquardt runs off towards Beale's valley at x -> -inf (SciPy's LM too).
STARTS = {"rosenbrock": (-1.2, 1.0), "beale": (1.0, 1.5), "himmelblau": (0.5, -1.5)}
STARTS["booth"] = (-8.0, 6.0)
OTHER_STARTS = {
    ("newton", "beale"): (2.5, 0.3),
    ("newton", "himmelblau"): (3.5, 2.5),
    ("levenberg_marquardt", "beale"): (2.5, 0.3),
}
METHODS = {
    "bfgs": ("BFGS", {}),
    "cg": ("CG", {}),
    "newton": ("Newton-CG", {}),
    "levenberg_marquardt": ("lm", {}),
    "lbfgs": ("L-BFGS-B", {"line_search_fn": "strong_wolfe"}),
}


def scipy_run(method: str, surface, start):
    """(end point, nit or None, nfev, njev) of SciPy's method from ``start``."""
    if method == "lm":
        r = scipy.optimize.least_squares(
            surface.residuals, start, jac=surface.jacobian, method="lm"
        )
        return r.x, None, r.nfev, r.njev
    options = {"xtol": 1e-12} if method == "Newton-CG" else {"gtol": 1e-8}
    r = scipy.optimize.minimize(
        lambda p: float(surface.value(p)),
        start,
        jac=surface.gradient,
        hess=surface.hessian if method == "Newton-CG" else None,
        method=method,
        options=options,
    )
    return r.x, r.nit, r.nfev, r.njev


def main() -> None:
    header = (
        f"{'method':20s} {'surface':10s} {'start':>12s} | {'status':9s} {'steps':>5s} "
        f"{'fev':>4s} {'gev':>4s} {'hev':>4s} | {'nit':>4s} {'nfev':>4s} {'njev':>4s} | "
        f"{'ratio':>5s} {'|end - scipy|':>13s}"
    )
    print("ours: optim_core.run(tol=1e-8) | SciPy | ratio: our steps / nit (fev / nfev for lm)")
    print("* still 'moving' after 1000 steps: the step after which it stood still")
    print(header)
    print("-" * len(header))
    for name, (method, hp) in METHODS.items():
        for surface_name, default_start in STARTS.items():
            surface = surfaces.get(surface_name)
            start = np.array(OTHER_STARTS.get((name, surface_name), default_start))
            ours = optim_core.run(optim_core.make(name, **hp), surface, start, 1000, tol=1e-8)
            end, nit, nfev, njev = scipy_run(method, surface, start)
            steps, mark = ours.stop_step, " "
            if ours.status == "moving":  # stalled: count the steps until it last moved
                steps, mark = np.flatnonzero(np.diff(ours.path, axis=0).any(axis=1))[-1] + 1, "*"
            ratio = ours.n_fev / nfev if nit is None else steps / nit
            print(
                f"{name:20s} {surface_name:10s} {f'({start[0]:g}, {start[1]:g})':>12s} | "
                f"{ours.status:9s} {steps:4d}{mark} {ours.n_fev:4d} {ours.n_gev:4d} {ours.n_hev:4d} | "
                f"{'-' if nit is None else nit:>4} {nfev:4d} {njev:4d} | "
                f"{ratio:5.2f} {np.linalg.norm(ours.final - end):13.1e}"
            )


if __name__ == "__main__":
    main()
