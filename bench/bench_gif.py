"""Benchmark: GIF export (``figures.gif``) of each scene at the pages' default settings, and the
PNG stills for the home page.

For each scene: build time, frames and bytes of the 960 x 720 GIF, against a baseline run
interleaved in the same process: Pillow encoding a blank 960 x 720 GIF of the same number of
frames (one pixel differs per frame, so Pillow cannot merge them), i.e. the cheapest GIF of that
length. Then each 480 x 360 still against a blank 480 x 360 PNG. Best of ``--repeat``; the
machines are shared, so compare ratios. The optimizer runs and the MLP training happen once,
before timing.

    python bench/bench_gif.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import pathlib
import sys

from PIL import Image

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from timing import best_times  # noqa: E402

import optim_core  # noqa: E402
import surfaces  # noqa: E402
from figures import gif  # noqa: E402
from scenes import basins, playground  # noqa: E402
from scenes import race as rs  # noqa: E402
from scenes import sweep as lab  # noqa: E402
from scenes.optimizer_settings import LABELS  # noqa: E402


def blank_gif(frames: int, size=gif.SLIDE) -> bytes:
    """The cheapest GIF of ``frames`` frames: white, one pixel differing per frame."""
    images = []
    for i in range(frames):
        im = Image.new("P", size, 0)
        im.putpixel((i % size[0], 0), 1)
        images.append(im)
    buffer = io.BytesIO()
    images[0].save(
        buffer, format="GIF", save_all=True, append_images=images[1:], duration=60, loop=0
    )
    return buffer.getvalue()


def blank_png(size=gif.THUMBNAIL) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def scenes() -> dict:
    """Scene name -> function(size) returning its Animation, at the pages' defaults."""
    beale = surfaces.get("beale")
    preset = rs.PRESETS["beale"]
    race = {
        n: optim_core.run(
            optim_core.make(n, lr=preset.learning_rates[n]), beale, preset.start, preset.steps
        )
        for n in preset.optimizers
    }
    quadratic = surfaces.get("quadratic")
    lrs = lab.log_range(0.01, 0.5, 10)
    sweep = lab.sweep("sgd", {}, quadratic, quadratic.start, lrs, 300)
    lrs40 = lab.log_range(1e-3, 0.5, 40)
    sweep40 = lab.sweep("sgd", {}, quadratic, quadratic.start, lrs40, 300)
    wells = surfaces.get("wells")

    def multistart(names, k):
        starts = basins.random_starts(wells.domain, k, 0)
        return {
            n: optim_core.run(
                optim_core.make(n, lr=basins.suggested_lr(wells, n)), wells, starts, 300
            ).path
            for n in names
        }

    default_starts = multistart(("sgd", "momentum", "adam"), 50)
    most_starts = multistart(("sgd", "momentum", "nag", "adam"), 200)
    train, test = playground.load_data("moons", 300, 0.2, 0, 0.2)
    net = playground.network((16, 16), train.n_classes, "tanh", "xent", 0)
    opts = [("sgd", {"lr": 0.1}), ("momentum", {"lr": 0.1}), ("adam", {"lr": 0.01})]
    mlp = playground.race(train, test, net, opts, 100, 32, 0)
    panels = [(LABELS[r.name], r.epochs, r.grids) for r in mlp.runs]
    accuracy = [r.history.train_accuracy for r in mlp.runs]
    return {
        "race (Beale, 7 optimizers x 500 steps)": lambda size: gif.race_animation(
            beale, race, preset.start, size=size
        ),
        "sweep (quadratic, 10 rates x 300 steps)": lambda size: gif.sweep_animation(
            quadratic, quadratic.start, lrs, sweep.path, sweep.stop_step, sweep.status, size=size
        ),
        "sweep (40 rates: colour bar)": lambda size: gif.sweep_animation(
            quadratic,
            quadratic.start,
            lrs40,
            sweep40.path,
            sweep40.stop_step,
            sweep40.status,
            size=size,
        ),
        "multi-start (wells, 3 x 50 starts)": lambda size: gif.multistart_animation(
            wells, default_starts, size=size
        ),
        "multi-start (wells, 4 x 200 starts)": lambda size: gif.multistart_animation(
            wells, most_starts, size=size
        ),
        "MLP boundaries (moons, 3 x 100 epochs)": lambda size: gif.boundaries_animation(
            panels, mlp.xs, mlp.ys, train, test, 2, accuracy=accuracy, size=size
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    builders = scenes()
    print("GIF at 960 x 720 (build = drawing + palette + encoding), best of", args.repeat)
    for name, build in builders.items():
        frames = build(gif.SLIDE).count
        frame_ms = gif.BOUNDARY_FRAME_MS if name.startswith("MLP") else gif.FRAME_MS
        (t_blank, _), (t_gif, data) = best_times(
            [
                lambda n=frames: blank_gif(n),
                lambda b=build, ms=frame_ms: gif.to_gif(b(gif.SLIDE), ms),
            ],
            args.repeat,
        )
        print(
            f"  {name:42s} {frames:4d} frames  {t_gif * 1e3:7.0f} ms  "
            f"({t_gif / t_blank:5.1f} x blank GIF, {t_blank * 1e3:5.0f} ms)  "
            f"{len(data) / 1e6:6.2f} MB  {t_gif / frames * 1e3:5.1f} ms/frame"
        )
    print("PNG still at 480 x 360 (the last frame, drawn alone), best of", args.repeat)
    for name, build in builders.items():
        (t_blank, _), (t_png, data) = best_times(
            [blank_png, lambda b=build: gif.still_png(b(gif.THUMBNAIL))], args.repeat
        )
        print(
            f"  {name:42s} {t_png * 1e3:7.1f} ms  ({t_png / t_blank:5.1f} x blank PNG, "
            f"{t_blank * 1e3:4.1f} ms)  {len(data) / 1e3:6.1f} kB"
        )


if __name__ == "__main__":
    main()
