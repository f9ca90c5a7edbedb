"""The shared worker pool: separate processes, shared and cached results bounded in bytes,
queue positions and progress, withdrawal, recycled workers, errors passed through."""

import os
import pickle
import threading
import time

import numpy as np
import pytest

from scenes.jobs import ByteCache, JobPool
from tests import jobs_helpers as h


@pytest.fixture(scope="module")
def pool():
    jobs = JobPool(workers=1, cache_bytes=10_000, tasks_per_worker=3, preload=["numpy"])
    yield jobs
    jobs.shutdown()


@pytest.fixture
def queue_pool():
    """One worker that is not recycled during the test: a recycled pool starts a fresh
    executor beside the retiring one, so a job could overtake the queue these tests watch."""
    jobs = JobPool(workers=1, cache_bytes=10_000, tasks_per_worker=100, preload=["numpy"])
    yield jobs
    jobs.shutdown()


def test_cache_is_bounded_in_bytes_and_evicts_the_least_recently_used():
    cache = ByteCache(max_bytes=3 * len(pickle.dumps(np.zeros(100), protocol=5)) + 10)
    for i in range(3):
        cache.put(i, np.full(100, i, dtype=float))
    assert cache.get(0)[0] == 0  # touch 0: now 1 is the oldest
    cache.put(3, np.full(100, 3, dtype=float))
    assert 1 not in cache and {0, 2, 3} <= {k for k in range(4) if k in cache}
    assert cache.nbytes <= cache.max_bytes
    cache.put("huge", np.zeros(10_000))  # larger than the whole budget: not kept
    assert "huge" not in cache and cache.nbytes <= cache.max_bytes


def test_cache_hands_out_copies():
    cache = ByteCache(max_bytes=10_000)
    cache.put("a", np.zeros(3))
    cache.get("a")[0] = 99.0
    assert cache.get("a")[0] == 0.0


def test_jobs_run_in_another_process_and_results_are_cached(pool):
    assert pool.run(("pid", 1), h.pid_after, 0.0) != os.getpid()
    assert ("pid", 1) in pool.cache


def test_identical_requests_share_one_job(pool, tmp_path):
    log = tmp_path / "calls.txt"
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(pool.run(("once", str(log)), h.append_pid, str(log)))
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len(set(results)) == 1
    assert len(log.read_text().split()) == 1  # computed once for four callers


def test_queue_position_and_progress_are_reported(queue_pool, tmp_path):
    pool = queue_pool
    release = tmp_path / "go"
    first = pool.submit(("block", str(release)), h.wait_for_file, str(release))
    second = pool.submit(("later", 1), h.pid_after, 0.0)
    third = pool.submit(("later", 2), h.pid_after, 0.0)
    deadline = time.monotonic() + 20
    while not pool.status(first).running and time.monotonic() < deadline:
        time.sleep(0.02)
    status = pool.status(first)
    assert status.running and status.progress == pytest.approx(0.5)
    assert pool.status(third).ahead == 1 and not pool.status(third).done
    release.touch()
    assert pool.result(first, timeout=20) and pool.result(third, timeout=20)
    assert pool.status(second).done


def test_a_queued_job_can_be_withdrawn(queue_pool, tmp_path):
    pool = queue_pool
    release = tmp_path / "go"
    blocker = pool.submit(("block", str(release)), h.wait_for_file, str(release))
    pool.submit(("filler", 1), h.pid_after, 0.0)  # may already sit in the executor's call queue
    waiting = pool.submit(("withdrawn", 1), h.pid_after, 0.0)
    assert pool.cancel(waiting)
    release.touch()
    pool.result(blocker, timeout=20)
    assert ("withdrawn", 1) not in pool.cache


def test_errors_of_the_job_reach_the_caller(pool):
    with pytest.raises(ValueError, match="invalid value 7"):
        pool.run(("reject", 7), h.reject, 7)
    assert ("reject", 7) not in pool.cache


def test_workers_are_recycled(pool):
    pids = [pool.run(("recycle", i), h.pid_after, 0.0) for i in range(7)]
    assert len(set(pids)) >= 2  # at most 3 jobs per worker


def test_a_backlog_larger_than_a_workers_share_of_jobs_is_all_done():
    """Ten jobs queued at once on one worker that is recycled every two jobs: all ten finish
    (ProcessPoolExecutor's own max_tasks_per_child leaves such a backlog waiting forever on
    CPython 3.11-3.13, cpython#115634)."""
    jobs = JobPool(workers=1, cache_bytes=10_000, tasks_per_worker=2, preload=["numpy"])
    try:
        tickets = [jobs.submit(("backlog", i), h.pid_after, 0.05) for i in range(10)]
        pids = [jobs.result(t, timeout=120) for t in tickets]
        assert len(set(pids)) >= 5  # a fresh worker for every two jobs
    finally:
        jobs.shutdown()


def test_results_larger_than_the_cache_are_still_returned(pool):
    result = pool.run(("big", 5000), h.array_of, 5000)  # 40 kB > the 10 kB cache
    assert result.shape == (5000,) and ("big", 5000) not in pool.cache
