"""Benchmark: building surfaces from typed formulas, and evaluating them.

1. Build time of ``surfaces.from_formula`` (its caches cleared before every round) for
   built-in surfaces typed as formulas and for formulas near the cost limit, split into
   checking the text, SymPy + lambdify (with SymPy's own cache warm, and cleared), and the rest
   (mostly the critical-point search). The budget is 1 s.
   SymPy's import is paid once per process and reported on its own (in a fresh process).
2. How long refusing hostile text takes (the checks run before SymPy is touched).
3. Gradient evaluations of the typed formula against the built-in's hand-written gradient on
   the same 200x200 grid, interleaved in the same process: the ratio is what a run pays for a
   typed formula instead of hand-written NumPy.

    python bench/bench_formula.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys
import time

import numpy as np
from sympy.core.cache import clear_cache

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from timing import best_time, best_times  # noqa: E402

import surfaces  # noqa: E402
from surfaces import formula  # noqa: E402

TYPED = {
    "rosenbrock": "(1 - x)^2 + 100*(y - x^2)^2",
    "himmelblau": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "beale": "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
    "rastrigin": "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
    "six_hump_camel": "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
    "ackley": "-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20",
    "goldstein_price": "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
    "*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
}
NEAR_LIMIT = {  # each just under formula.MAX_COST
    "6 sines multiplied": "*".join(f"sin(x+{i}*y)" for i in range(6)),
    "tanh nested 10 deep": "tanh(" * 10 + "x+y" + ")" * 10,
    "quotient chain of 6": "/".join(f"(x+{i}*y)" for i in range(1, 7)),
}
HOSTILE = ["9**9**9", "(" * 5000 + "x" + ")" * 5000, "x.__class__", "().__class__", "\u0445 + 1"]


def cold_build(text: str, domain, sympy_cold: bool) -> tuple[float, float, float]:
    """Seconds to check the text, to compile it (SymPy + lambdify) and to build the rest of the
    surface (critical points, start, log scale), with our caches cleared, and SymPy's too if
    ``sympy_cold`` (as for the first formulas a process sees; a long-running server keeps
    SymPy's cache warm, and a repeated formula reuses its expressions from it)."""
    formula._build.cache_clear()
    formula._compile.cache_clear()
    if sympy_cold:
        clear_cache()
    t0 = time.perf_counter()
    normalised, _ = formula.parse(text)
    t1 = time.perf_counter()
    formula._compile(normalised)
    t2 = time.perf_counter()
    formula.from_formula(text, domain)
    return t1 - t0, t2 - t1, time.perf_counter() - t2


def best_cold_build(text: str, domain, repeat: int, sympy_cold: bool):
    rounds = [cold_build(text, domain, sympy_cold) for _ in range(repeat)]
    return min(rounds, key=sum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    code = (
        "import time; t = time.perf_counter(); import surfaces; t1 = time.perf_counter(); "
        "surfaces.from_formula('x^2 + y^2'); t2 = time.perf_counter(); "
        "print(f'{t1 - t:.3f} {t2 - t1:.3f}')"
    )
    first = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    import_s, first_s = map(float, first.stdout.split())
    print(f"fresh process: import surfaces {import_s:.3f} s (builds the 3 data surfaces),")
    print(f"  first from_formula('x^2 + y^2') {first_s:.3f} s (imports SymPy)")
    surfaces.from_formula("x")  # SymPy imported and warm from here on
    seconds, _ = best_time(
        lambda: (surfaces.linear_regression(), surfaces.logistic("ce"), surfaces.logistic("mse")),
        args.repeat,
    )
    print(f"  of which the 3 data surfaces: {seconds * 1e3:.0f} ms")

    print(f"\nbuilds with our caches cleared, best of {args.repeat} (budget 1 s):")
    print(f"  {'formula':22s} {'check':>8s} {'sympy':>8s} {'sympy':>8s} {'rest':>8s} {'total':>8s}")
    print(f"  {'':22s} {'':8s} {'warm':>8s} {'cold':>8s} {'':8s} {'cold':>8s}")
    for name, text in [*TYPED.items(), *NEAR_LIMIT.items()]:
        domain = surfaces.get(name).domain if name in TYPED else formula.DEFAULT_DOMAIN
        _, warm, _ = best_cold_build(text, domain, args.repeat, sympy_cold=False)
        check, cold, rest = best_cold_build(text, domain, args.repeat, sympy_cold=True)
        print(
            f"  {name:22s} {check * 1e3:6.2f}ms {warm * 1e3:6.0f}ms {cold * 1e3:6.0f}ms"
            f" {rest * 1e3:6.0f}ms {(check + cold + rest) * 1e3:6.0f}ms"
        )

    worst = 0.0
    for text in HOSTILE:
        seconds, _ = best_time(lambda t=text: _refuse(t), args.repeat)
        worst = max(worst, seconds)
    print(
        f"\nrefusing hostile text: at most {worst * 1e6:.0f} us per formula ({len(HOSTILE)} tried)"
    )

    print("\ngradient on a 200x200 grid, typed formula vs hand-written (interleaved):")
    for name in ("rosenbrock", "beale", "rastrigin", "goldstein_price"):
        builtin = surfaces.get(name)
        typed = surfaces.from_formula(TYPED[name], builtin.domain)
        (x0, x1), (y0, y1) = builtin.domain
        grid = np.stack(np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200)), -1)
        (t_hand, g_hand), (t_typed, g_typed) = best_times(
            [lambda b=builtin, g=grid: b.gradient(g), lambda s=typed, g=grid: s.gradient(g)],
            args.repeat * 4,
        )
        assert np.allclose(g_hand, g_typed, rtol=1e-9, atol=1e-9)
        print(
            f"  {name:16s} hand-written {t_hand * 1e3:6.2f} ms  typed {t_typed * 1e3:6.2f} ms"
            f"  typed / hand-written x{t_typed / t_hand:4.2f}"
        )


def _refuse(text: str) -> None:
    try:
        formula.parse(text)
    except ValueError:
        return
    raise AssertionError(f"accepted {text!r}")


if __name__ == "__main__":
    main()
