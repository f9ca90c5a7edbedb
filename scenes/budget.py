"""How much work one request may cost, and the cost models' shared vocabulary.

One link shared with a class must not occupy the server: every page estimates a setting's cost
*before* running it, from a cost model in its scene module, and runs only what fits
``SECONDS`` of one core of the reference machine (2 cores; the worker pool runs one job per
core). Otherwise the page says so, with the largest setting that would fit. The models' unit
costs are measured by ``bench/calibrate_costs.py`` on that machine; worst cases are assumed
(no run stops early), so an estimate is an upper bound.
"""

from __future__ import annotations

SECONDS = 5.0


def largest_fitting(cost, low: int, high: int) -> int | None:
    """The largest integer n in [low, high] with ``cost(n) <= SECONDS`` (``cost`` increasing),
    or None when even ``low`` does not fit."""
    if cost(low) > SECONDS:
        return None
    while low < high:
        mid = (low + high + 1) // 2
        if cost(mid) <= SECONDS:
            low = mid
        else:
            high = mid - 1
    return low
