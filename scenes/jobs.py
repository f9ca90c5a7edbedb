"""Heavy work in a pool of worker processes shared by every session, with results cached by size.

Streamlit runs each session's script in a thread of one process, and NumPy work in a thread
holds the interpreter for most of its time: four students training networks at once took 2.5x
longer in threads than one after another. A :class:`JobPool` runs races, sweeps, basin maps and
trainings in worker processes instead, so concurrent sessions use every core, and it

- shares identical work: a job is keyed by its settings; a finished key is served from a cache
  bounded in **bytes** (results are kept pickled, which also hands every caller its own copy),
  and a key already queued or running is joined, not started again;
- tells a waiting caller where it stands: its place in the queue, or the running job's progress
  (a job reports it with :func:`report`);
- recycles its workers after a number of jobs, so their memory cannot creep. It does so by
  retiring the whole executor for a fresh one (the old one finishes what it holds, then its
  workers exit), not with ``ProcessPoolExecutor(max_tasks_per_child=...)``: up to CPython 3.13
  that option can leave the pool with no workers and its queued jobs waiting forever
  (cpython#115634; seen here as pages that never finished loading after a few minutes of
  classroom load);
- starts workers with the ``forkserver`` method (``spawn`` where that is missing): forking
  Streamlit's multi-threaded server process could copy a lock held by another thread;
- keeps workers from re-running the page: Streamlit installs the running script as
  ``__main__``, and a new ``forkserver``/``spawn`` process imports the parent's ``__main__``
  before it starts, which would execute a page script (and its jobs) inside a worker. The pool's
  own processes start without that step (:class:`_WorkerProcess`); job functions live in
  importable modules anyway.

Pure Python (no streamlit); ``appkit.compute`` shows the waiting in a page.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing as mp
import os
import pickle
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import spawn

# What a worker process imports once, so recycled workers start quickly (forkserver preload).
PRELOAD = ["numpy", "optim_core", "surfaces", "mlp", "scenes.race", "scenes.sweep", "scenes.basins"]
TASKS_PER_WORKER = 25


def worker_count() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class ByteCache:
    """A least-recently-used cache of pickled values, bounded by their total size in bytes.

    Thread-safe. ``get`` returns a fresh unpickled copy, so callers may not share state by
    mutating what they get. A value larger than the whole budget is not kept.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def get(self, key: Hashable, default=None):
        with self._lock:
            blob = self._items.get(key)
            if blob is None:
                return default
            self._items.move_to_end(key)
        return pickle.loads(blob)

    def put_pickled(self, key: Hashable, blob: bytes) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            self._bytes -= len(old) if old is not None else 0
            if len(blob) > self.max_bytes:
                return
            self._items[key] = blob
            self._bytes += len(blob)
            while self._bytes > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted)

    def put(self, key: Hashable, value) -> None:
        self.put_pickled(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


# ----------------------------------------------------------------------------------------------
# Starting workers without importing the parent's __main__ (see the module docstring).

_starting = threading.local()
_preparation_data = spawn.get_preparation_data


def _preparation_data_for_workers(name):
    """``multiprocessing.spawn.get_preparation_data`` without the main module while one of the
    pool's own workers starts; unchanged for any other process."""
    data = _preparation_data(name)
    if getattr(_starting, "worker", False):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        data.pop("main_path", None)
    return data


spawn.get_preparation_data = _preparation_data_for_workers


class _StartsWithoutMain:
    """Mixed into the pool's process classes: ``start`` without the parent's __main__."""

    def start(self):
        _starting.worker = True
        try:
            super().start()
        finally:
            _starting.worker = False


class _ForkServerWorker(_StartsWithoutMain, mp.context.ForkServerProcess):
    pass


class _SpawnWorker(_StartsWithoutMain, mp.context.SpawnProcess):
    pass


class _ForkServerContext(mp.context.ForkServerContext):
    Process = _ForkServerWorker


class _SpawnContext(mp.context.SpawnContext):
    Process = _SpawnWorker


def _worker_context() -> mp.context.BaseContext:
    """A forkserver (or spawn) context whose processes start without the parent's __main__."""
    if "forkserver" in mp.get_all_start_methods():
        return _ForkServerContext()
    return _SpawnContext()


# ----------------------------------------------------------------------------------------------
# Inside a worker process.

_progress_queue = None  # set by _init_worker in each worker
_job_id: int | None = None


def _init_worker(progress_queue) -> None:
    global _progress_queue
    _progress_queue = progress_queue
    try:  # one BLAS thread per worker: the workers already fill the cores
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl is a runtime dependency
        pass


def report(fraction: float) -> None:
    """Tell the waiting page how far the current job is (0 to 1). Cheap; a no-op outside a
    pool worker, so job functions can call it unconditionally."""
    if _progress_queue is not None and _job_id is not None:
        try:
            _progress_queue.put_nowait((_job_id, float(fraction)))
        except (queue.Full, OSError, ValueError):
            pass


def _run_job(job_id: int, fn: Callable, args: tuple, kwargs: dict) -> bytes:
    """Run one job in a worker and return its result pickled (the parent caches the bytes)."""
    global _job_id
    _job_id = job_id
    report(0.0)  # "started": the job left the queue
    try:
        return pickle.dumps(fn(*args, **kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        _job_id = None


# ----------------------------------------------------------------------------------------------
# In the server process.


@dataclass
class Ticket:
    """A caller's handle on a job: poll :meth:`JobPool.status`, then :meth:`JobPool.result`."""

    key: Hashable
    job_id: int
    future: Future = field(repr=False)


@dataclass(frozen=True)
class Status:
    """Where a job stands: ``done``, ``ahead`` (jobs queued before it that have not started),
    ``running`` and ``progress`` (0 to 1, as reported by the job)."""

    done: bool
    ahead: int
    running: bool
    progress: float


class JobPool:
    """A process pool with result sharing, a byte-bounded cache and progress (module doc)."""

    def __init__(
        self,
        workers: int | None = None,
        cache_bytes: int = 256 * 2**20,
        tasks_per_worker: int = TASKS_PER_WORKER,
        preload: list[str] | None = None,
    ):
        self.workers = workers or worker_count()
        self.cache = ByteCache(cache_bytes)
        self._ctx = _worker_context()
        if self._ctx.get_start_method() == "forkserver":
            self._ctx.set_forkserver_preload(PRELOAD if preload is None else preload)
        self._progress_queue = self._ctx.Queue()
        self._tasks_per_worker = tasks_per_worker
        self._executor = self._new_executor()
        self._submitted = 0  # jobs given to the current executor
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, Ticket] = {}
        self._order: list[Ticket] = []  # submitted and not finished, oldest first
        self._progress: dict[int, float] = {}  # started jobs (still in flight) -> fraction done
        self._closed = False
        threading.Thread(target=self._drain_progress, name="jobs-progress", daemon=True).start()
        # Stop the workers before the interpreter tears down what the executor's manager uses.
        atexit.register(self.shutdown, wait=True)

    def __repr__(self) -> str:
        return (
            f"JobPool(workers={self.workers}, queued_or_running={len(self._order)}, "
            f"cached={len(self.cache)} results / {self.cache.nbytes / 2**20:.1f} MiB)"
        )

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers,
            mp_context=self._ctx,
            initializer=_init_worker,
            initargs=(self._progress_queue,),
        )

    def _executor_for_next_job(self) -> ProcessPoolExecutor:
        """The executor for one more job, a fresh one once the current one has had its share
        (``workers * tasks_per_worker`` jobs). The retired executor still runs the jobs it was
        given (each job's done-callback keeps it referenced until then); its workers then exit
        and their memory returns to the system. Until they do, up to twice ``workers`` jobs may
        run at once, and a new job can overtake older ones queued in the retiring executor.
        Call with the lock held."""
        if self._submitted >= self.workers * self._tasks_per_worker:
            self._executor.shutdown(wait=False)
            self._executor = self._new_executor()
            self._submitted = 0
        self._submitted += 1
        return self._executor

    def _drain_progress(self) -> None:
        while not self._closed:
            try:
                job_id, fraction = self._progress_queue.get(timeout=0.5)
            except (queue.Empty, OSError, EOFError, ValueError):
                continue
            with self._lock:
                if any(t.job_id == job_id for t in self._order):  # not a late message
                    self._progress[job_id] = fraction

    def cached(self, key: Hashable, default=None):
        """The cached result for ``key`` (a fresh copy), or ``default``."""
        return self.cache.get(key, default)

    def submit(self, key: Hashable, fn: Callable, *args, **kwargs) -> Ticket:
        """Start ``fn(*args, **kwargs)`` in a worker unless ``key`` is cached or in flight.

        ``fn`` must be a module-level function and its arguments picklable. The result is
        cached under ``key`` when the job finishes, whoever is still waiting for it.
        """
        with self._lock:
            ticket = self._inflight.get(key)
            if ticket is not None:
                return ticket
            job_id = next(self._ids)
            done = Future()
            if key in self.cache:
                done.set_result(None)
                return Ticket(key, job_id, done)
            executor = self._executor_for_next_job()
            try:
                future = executor.submit(_run_job, job_id, fn, args, kwargs)
            except BrokenProcessPool:  # a worker died (e.g. killed for memory): start afresh
                executor.shutdown(wait=False, cancel_futures=True)
                executor = self._executor = self._new_executor()
                self._submitted = 1
                future = executor.submit(_run_job, job_id, fn, args, kwargs)
            ticket = Ticket(key, job_id, future)
            self._inflight[key] = ticket
            self._order.append(ticket)
        # The callback holds the executor until the job is done, even once it is retired.
        future.add_done_callback(lambda f, t=ticket, ex=executor: self._finish(t, f))
        return ticket

    def _finish(self, ticket: Ticket, future: Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.cache.put_pickled(ticket.key, future.result())
        with self._lock:
            self._inflight.pop(ticket.key, None)
            if ticket in self._order:
                self._order.remove(ticket)
            self._progress.pop(ticket.job_id, None)

    def status(self, ticket: Ticket) -> Status:
        with self._lock:
            if ticket.future.done():
                return Status(True, 0, False, 1.0)
            running = ticket.job_id in self._progress
            ahead = 0
            for other in self._order:
                if other is ticket:
                    break
                if other.job_id not in self._progress:
                    ahead += 1
            return Status(False, ahead, running, self._progress.get(ticket.job_id, 0.0))

    def result(self, ticket: Ticket, timeout: float | None = None):
        """The job's result (a fresh copy). Re-raises the job's exception, e.g. a ValueError
        for settings the libraries reject."""
        blob = ticket.future.result(timeout)
        if blob is None:  # served from the cache at submit time
            value = self.cache.get(ticket.key, _MISSING)
            if value is _MISSING:  # evicted meanwhile: compute it again
                raise _Evicted(ticket.key)
            return value
        return pickle.loads(blob)

    def cancel(self, ticket: Ticket) -> bool:
        """Withdraw a job that has not started (e.g. its session moved on). True if withdrawn."""
        cancelled = ticket.future.cancel()
        if cancelled:
            self._finish(ticket, ticket.future)
        return cancelled

    def run(self, key: Hashable, fn: Callable, *args, on_status=None, poll: float = 0.1, **kw):
        """Submit (or join) the job for ``key``, wait for it while calling ``on_status(Status)``
        every ``poll`` seconds, and return its result. A result evicted from the cache between
        submit and read is computed again."""
        while True:
            ticket = self.submit(key, fn, *args, **kw)
            while not ticket.future.done():
                if on_status is not None:
                    on_status(self.status(ticket))
                try:
                    ticket.future.result(timeout=poll)
                except TimeoutError:
                    continue
                except Exception:  # noqa: BLE001 - the job's own error, re-raised below
                    break
            try:
                return self.result(ticket)
            except _Evicted:
                continue

    def shutdown(self, wait: bool = False) -> None:
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=True)


class _Evicted(Exception):
    pass


_MISSING = object()
