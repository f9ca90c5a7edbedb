"""End-to-end fixtures: ``streamlit run app.py`` on a free port, driven by headless Chromium.

Playwright's own browser download does not work here, so the tests drive Debian's Chromium at
/usr/bin/chromium (``scripts/test.sh`` installs it). Screenshots go to ``test-artifacts/`` and
are kept after the run for people (and CI logs) to look at.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server():
    """``streamlit run app.py`` on a free port; yields its URL once it answers health checks."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / f"streamlit-{port}.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not become healthy in 60 s (see {log.name})")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def app_url():
    """One app server for the whole test session."""
    with streamlit_server() as url:
        yield url


@pytest.fixture
def fresh_app_url():
    """A server that has not answered any page yet (for first-request behaviour)."""
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: run scripts/test.sh to install it"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def wait_until_idle(page, timeout_ms: int = 60_000, quiet_ms: int = 1000) -> None:
    """Wait until Streamlit has finished the current script run: no running indicator for
    ``quiet_ms`` in a row (a run may not have started yet when the page has just loaded)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    # Count the quiet time from this call on: an idle spell from before the last click would
    # otherwise end the wait before the rerun that click starts.
    page.evaluate("() => { window.__idleSince = null; }")
    page.wait_for_function(
        """(quiet) => {
            const running = document.querySelector('[data-testid="stStatusWidget"]')
                || document.querySelector('[data-testid="stSkeleton"]');
            const now = performance.now();
            if (running || !window.__idleSince) window.__idleSince = running ? null : now;
            return !running && window.__idleSince && now - window.__idleSince >= quiet;
        }""",
        arg=quiet_ms,
        timeout=timeout_ms,
        polling=100,
    )


def screenshot(page, name: str) -> pathlib.Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
