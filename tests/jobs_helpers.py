"""Job functions for tests/test_jobs.py: module-level, so worker processes can import them."""

import os
import time

from scenes import jobs


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def wait_for_file(path: str, timeout: float = 30.0) -> int:
    """Report half-way progress, then block until ``path`` exists (a test releases it)."""
    jobs.report(0.5)
    deadline = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)
    return os.getpid()


def append_pid(path: str) -> int:
    with open(path, "a") as f:
        f.write(f"{os.getpid()}\n")
    time.sleep(0.3)
    return os.getpid()


def reject(value):
    raise ValueError(f"invalid value {value!r}")


def array_of(n: int):
    import numpy as np

    return np.arange(n, dtype=np.float64)
