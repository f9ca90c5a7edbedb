"""Heavy work of the pages, run in the worker pool that all sessions share (``scenes.jobs``).

``run`` returns a cached result at once; otherwise it submits the job (or joins the same job
another session started), shows a progress bar that says where the job stands ("2 jobs ahead of
yours" while queued, the job's own progress while it runs) and returns the result. A session
that changes its settings while its job still waits in the queue withdraws that job.

Errors end here: a ``ValueError`` from the libraries (settings they reject) becomes a plain-text
message; anything else is logged for the team and shown as a short apology, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable

import streamlit as st

from appkit import messages
from scenes.jobs import JobPool, Status

log = logging.getLogger(__name__)
_MISSING = object()


@st.cache_resource(show_spinner=False)
def pool() -> JobPool:
    """The one pool of this server process (shared by every session, never mutated by pages)."""
    return JobPool()


def run(key: Hashable, fn: Callable, *args, label: str, slot: str, **kwargs):
    """``fn(*args, **kwargs)`` computed in the pool (or taken from its cache) for ``key``.

    ``slot`` names the page's job (e.g. ``"race"``): a new key in the same slot withdraws the
    session's previous job if it has not started yet.
    """
    jobs = pool()
    cached = jobs.cached(key, _MISSING)
    if cached is not _MISSING:
        return cached
    slot_key = f"_job.{slot}"
    previous = st.session_state.get(slot_key)
    if previous is not None and previous.key != key:
        jobs.cancel(previous)
    st.session_state[slot_key] = jobs.submit(key, fn, *args, **kwargs)
    bar = st.progress(0.0, text=label)

    def show(status: Status) -> None:
        if status.running:
            bar.progress(min(max(status.progress, 0.0), 1.0), text=f"{label} {status.progress:.0%}")
        elif status.ahead:
            bar.progress(
                0.0,
                text=f"{label} Waiting: {status.ahead} job(s) of other visitors ahead of yours "
                f"on {jobs.workers} worker(s).",
            )

    try:
        return jobs.run(key, fn, *args, on_status=show, **kwargs)
    finally:
        bar.empty()
        st.session_state.pop(slot_key, None)


def quietly(key: Hashable, fn: Callable, *args, **kwargs):
    """``fn(*args, **kwargs)`` from the pool without any page element: for work done outside
    the script run, such as a download button's data (a GIF drawn when it is clicked)."""
    return pool().run(key, fn, *args, **kwargs)


def run_or_stop(
    key: Hashable,
    fn: Callable,
    *args,
    label: str,
    slot: str,
    prefix: str = "These settings cannot run",
    **kwargs,
):
    """``run``, but a failure shows its message (after ``prefix``) and stops the page."""
    try:
        return run(key, fn, *args, label=label, slot=slot, **kwargs)
    except ValueError as err:
        messages.problem(prefix, err)
    except Exception:  # noqa: BLE001 - the visitor gets a message, the log gets the traceback
        log.exception("job %r failed", key)
        messages.error(
            "Something went wrong while computing this scene. Try again, or choose other "
            "settings; the error has been logged."
        )
    st.stop()
