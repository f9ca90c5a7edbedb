"""Benchmark: figure payload and server-side run time of every page, at its defaults and at the
heaviest settings it allows, measured with Streamlit's AppTest.

The payload is the plotly JSON the server sends to the browser on every rerun (the sum of the
``spec`` strings of the page's ``plotly_chart`` elements); the limit is 1.5 MB per page. Times
are a cold run (computing, or waiting for the worker pool) and a warm rerun (cached), as a ratio
to a rerun of the home page measured in the same process, since these machines are noisy.

    python bench/bench_pages.py [--only race] [--repeat 2]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

LIMIT_MB = 1.5
ALL_RACE = "sgd,momentum,nag,adagrad,rmsprop,adam,adamw,adadelta"
SCENARIOS = {
    "race": {
        "defaults": {},
        "every optimizer, 5,000 steps": {"race.optimizers": ALL_RACE, "race.steps": "5000"},
    },
    "lr_lab": {
        "defaults": {},
        # Refused by the work budget (the page names the largest step count that fits).
        "50 rates, 5,000 steps, every optimizer compared": {
            "lr.count": "50",
            "lr.steps": "5000",
            "lr.compare": ALL_RACE,
        },
        # The heaviest allowed: the longest animation, and the most compared optimizers.
        "50 rates, 5,000 steps, none compared": {
            "lr.count": "50",
            "lr.steps": "5000",
            "lr.compare": "",
        },
        "50 rates, 1,000 steps, every optimizer compared": {
            "lr.count": "50",
            "lr.steps": "1000",
            "lr.compare": ALL_RACE,
        },
    },
    "minima_lab": {
        "defaults": {},
        "4 optimizers, 300x300 grid (100 steps)": {
            "basin.surface": "himmelblau",
            "basin.optimizers": "sgd,momentum,nag,adam",
            "basin.grid": "300",
            "basin.steps": "100",
        },
        "Newton's fractal basins (preset)": {
            "basin.surface": "himmelblau",
            "basin.optimizers": "newton,saddle_free_newton,sgd,bfgs",
            "basin.grid": "180",
            "basin.steps": "25",
            "basin.sgd.lr": "0.01",
        },
        "multi-start, defaults": {"basin.view": "multistart"},
        "multi-start, 4 x 200 starts, 1,000 steps": {
            "basin.view": "multistart",
            "basin.optimizers": "sgd,momentum,nag,adam",
            "basin.starts": "200",
            "basin.steps": "1000",
        },
    },
    "mlp_playground": {
        "defaults": {},
        "4 optimizers, 500 epochs": {
            "mlp.optimizers": "sgd,momentum,nag,adam",
            "mlp.epochs": "500",
        },
        "4 optimizers, 2,000 points, 3 classes, 330 epochs": {
            "mlp.optimizers": "sgd,momentum,nag,adam",
            "mlp.data": "spiral3",
            "mlp.n": "2000",
            "mlp.noise": "0.5",
            "mlp.batch": "full",
            "mlp.epochs": "330",
        },
        "drawn points, loss landscape": {
            "mlp.data": "draw",
            "mlp.points": "~".join(f"{i % 9 - 4}_{i // 9 - 4}_{i % 3}" for i in range(81)),
            "mlp.landscape": "pca",
        },
    },
    "building_blocks": {"defaults": {}},
}


def payload_mb(at: AppTest) -> float:
    return sum(len(chart.proto.spec) for chart in at.get("plotly_chart")) / 1e6


def run_page(script: pathlib.Path, query: dict) -> tuple[AppTest, float]:
    at = AppTest.from_file(str(script), default_timeout=600)
    for key, value in query.items():
        at.query_params[key] = value
    t0 = time.perf_counter()
    at.run()
    return at, time.perf_counter() - t0


def rerun_time(at: AppTest, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        at.run()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(SCENARIOS))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    home, _ = run_page(ROOT / "app.py", {})
    baseline = rerun_time(home, args.repeat)
    print(f"home page rerun (baseline): {baseline * 1000:.0f} ms")
    print(
        f"{'page':15s} {'setting':48s} {'payload':>9s} {'cold run':>9s} {'rerun':>8s} {'x home':>7s}"
    )
    failures = []
    for page, scenarios in SCENARIOS.items():
        if args.only and page != args.only:
            continue
        for label, query in scenarios.items():
            at, cold = run_page(ROOT / "pages" / f"{page}.py", query)
            problems = [e.value for e in at.exception] + [e.body for e in at.error]
            warm = rerun_time(at, args.repeat)
            mb = payload_mb(at)
            flag = "  OVER LIMIT" if mb > LIMIT_MB else ""
            print(
                f"{page:15s} {label:48s} {mb:7.2f} MB {cold:8.2f}s {warm:7.2f}s "
                f"{warm / baseline:6.1f}x{flag}"
            )
            for problem in problems:
                print(f"    message on the page: {str(problem)[:150]}")
            if mb > LIMIT_MB:
                failures.append((page, label, mb))
    print(f"pages over {LIMIT_MB} MB: {len(failures)}")


if __name__ == "__main__":
    main()
