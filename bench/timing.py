"""Timing shared by the benchmarks: best of several rounds, compared functions interleaved.

These machines are shared and noisy. Interleaving (every function runs once per round) lets
the functions being compared see the same load, and the best of several rounds discards the
rounds another process disturbed.
"""

from __future__ import annotations

import time


def best_times(fns, repeat: int) -> list[tuple[float, object]]:
    """Best time in seconds and last result of each function, over ``repeat`` rounds."""
    best = [(float("inf"), None)] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            out = fn()
            best[i] = (min(best[i][0], time.perf_counter() - t0), out)
    return best


def best_time(fn, repeat: int) -> tuple[float, object]:
    """Best time and last result of one function."""
    return best_times([fn], repeat)[0]
