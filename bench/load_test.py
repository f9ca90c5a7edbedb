"""Load test: a class opening the same app at once, with distinct heavy settings.

Starts ``streamlit run app.py`` on a free port and drives N headless Chromium sessions (Debian's
/usr/bin/chromium through Playwright) concurrently, each with its own heavy scene (races, sweeps,
basin maps, MLP trainings; all different, so nothing is served from the cache), then the same
amount of work one session after another. It prints each session's time to idle, the ratio of
concurrent to sequential wall time (goal: at most 0.6 on 2 cores: sessions must not wait for
each other's work), the server's peak RSS, and the errors seen (must be none). ``--soak S``
then keeps sessions coming for S seconds with new settings and prints the server's RSS every
15 s (it must stay under 1 GB).

    python bench/load_test.py [--sessions 8] [--soak 300]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IDLE_JS = """(quiet) => {
    const running = document.querySelector('[data-testid="stStatusWidget"]')
        || document.querySelector('[data-testid="stSkeleton"]');
    const now = performance.now();
    if (running || !window.__idleSince) window.__idleSince = running ? null : now;
    return !running && window.__idleSince && now - window.__idleSince >= quiet;
}"""


def scene(i: int) -> str:
    """The i-th heavy scene: a different page and different numbers every time."""
    kind = i % 4
    if kind == 0:  # a long race of every first-order optimizer from a distinct start
        x, y = -2.5 + (i % 37) * 0.13, 1.5 - (i % 23) * 0.1
        return (
            f"race?race.surface=himmelblau&race.steps=3000&race.x={x:.2f}&race.y={y:.2f}"
            "&race.optimizers=sgd,momentum,nag,adagrad,rmsprop,adam,adamw,adadelta"
        )
    if kind == 1:  # a sweep of many learning rates, compared across optimizers
        return f"lr_lab?lr.steps={1500 + i}&lr.count=30&lr.compare=sgd,momentum,adam"
    if kind == 2:  # basin maps on a big grid
        return (
            f"minima_lab?basin.surface=himmelblau&basin.grid=180&basin.steps={300 + i}"
            "&basin.optimizers=sgd,momentum,adam"
        )
    return f"mlp_playground?mlp.seed={i}&mlp.epochs=120&mlp.optimizers=sgd,momentum,adam"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start")


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc."""
    fields = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    kb = lambda key: float(fields.get(key, "0 kB").split()[0])  # noqa: E731
    return kb("VmRSS") / 1024, kb("VmHWM") / 1024


def children_rss_mb(pid: int) -> float:
    """Resident memory of the server's worker processes (the pool), in MB."""
    total = 0.0
    for child in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            status = (child / "status").read_text()
        except OSError:
            continue
        ppid = next((ln.split()[1] for ln in status.splitlines() if ln.startswith("PPid:")), "")
        if ppid == str(pid) or ppid in _forkserver_pids(pid):
            total += float(
                next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmRSS:"))
            )
    return total / 1024


def _forkserver_pids(pid: int) -> set[str]:
    out = set()
    for child in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            status = (child / "status").read_text()
        except OSError:
            continue
        if any(ln.startswith("PPid:") and ln.split()[1] == str(pid) for ln in status.splitlines()):
            out.add(child.name)
    return out


async def visit(browser, url: str, path: str) -> tuple[float, list[str]]:
    """Open ``path`` in a fresh context; seconds until the page is idle, and its errors."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    t0 = time.perf_counter()
    try:
        await page.goto(f"{url}/{path}", timeout=300_000)
        await page.wait_for_selector('[data-testid="stApp"]', timeout=300_000)
        await page.wait_for_function(IDLE_JS, arg=1500, timeout=600_000, polling=200)
        seconds = time.perf_counter() - t0 - 1.5
        if await page.locator('[data-testid="stException"]').count():
            errors.append(f"exception on {path}")
        if await page.get_by_text("Something went wrong").count():
            errors.append(f"failed job on {path}")
    except Exception as err:  # noqa: BLE001 - a load test reports, it does not stop
        seconds = time.perf_counter() - t0
        errors.append(f"{type(err).__name__} on {path}: {str(err)[:120]}")
    finally:
        await context.close()
    return seconds, errors


async def phase(browser, url: str, paths: list[str], concurrent: bool):
    t0 = time.perf_counter()
    if concurrent:
        results = await asyncio.gather(*(visit(browser, url, p) for p in paths))
    else:
        results = [await visit(browser, url, p) for p in paths]
    return time.perf_counter() - t0, results


async def main_async(args) -> None:
    from playwright.async_api import async_playwright

    proc, url = start_server()
    errors: list[str] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            warm, _ = await visit(browser, url, "")  # imports, worker pool, thumbnails
            print(f"warm-up (home page, first visit): {warm:.1f} s; {os.cpu_count()} cores")
            n = args.sessions
            concurrent_paths = [scene(i) for i in range(n)]
            sequential_paths = [scene(i + 1000) for i in range(n)]  # same kinds, new numbers
            t_seq, seq = await phase(browser, url, sequential_paths, concurrent=False)
            t_con, con = await phase(browser, url, concurrent_paths, concurrent=True)
            for label, results in (("one after another", seq), ("all at once", con)):
                times = sorted(s for s, _ in results)
                print(
                    f"{label:17s}: time to idle per session min {times[0]:.1f} s, "
                    f"median {times[len(times) // 2]:.1f} s, max {times[-1]:.1f} s"
                )
                errors += [e for _, errs in results for e in errs]
            print(f"wall time: sequential {t_seq:.1f} s, concurrent {t_con:.1f} s")
            print(f"ratio concurrent / sequential: {t_con / t_seq:.2f} (goal <= 0.6 on 2 cores)")
            rss, peak = rss_mb(proc.pid)
            print(
                f"server RSS now {rss:.0f} MB, peak {peak:.0f} MB; "
                f"workers {children_rss_mb(proc.pid):.0f} MB"
            )
            if args.soak:
                print(f"soak: {args.soak} s of sessions with new settings, 4 at a time")
                t_end = time.monotonic() + args.soak
                counter = itertools.count(2000)
                next_report = time.monotonic()
                while time.monotonic() < t_end:
                    batch = [scene(next(counter)) for _ in range(4)]
                    _, results = await phase(browser, url, batch, concurrent=True)
                    errors += [e for _, errs in results for e in errs]
                    if time.monotonic() >= next_report:
                        rss, peak = rss_mb(proc.pid)
                        elapsed = args.soak - (t_end - time.monotonic())
                        print(
                            f"  t={elapsed:5.0f} s  server RSS {rss:6.0f} MB (peak {peak:6.0f})"
                            f"  workers {children_rss_mb(proc.pid):6.0f} MB"
                        )
                        next_report += 15
                rss, peak = rss_mb(proc.pid)
                print(f"after the soak: server RSS {rss:.0f} MB, peak {peak:.0f} MB")
            await browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(f"errors: {len(errors)}")
    for e in errors[:20]:
        print(f"  {e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--soak", type=int, default=0, help="seconds of soak after the test")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
