"""Animated GIFs of the scenes for slides, and PNG stills of their last frames for the home page.

One function per scene builds an ``Animation`` (frames drawn on demand with Pillow, see
``figures.raster``); ``to_gif`` encodes it and ``still_png`` draws only its last frame:

>>> gif = race_gif(surface, race, start)                         # 960 x 720, bytes
>>> png = still_png(race_animation(surface, race, start, size=(480, 360)))

The pictures follow the app's look (``figures.palette``, ``figures.surface``) and are made to
be read from the back of a lecture hall: 20 px labels, 24 px and larger titles, 3 to 4 px lines,
18 px heads on a 960 x 720 slide. Frames sample at most ``max_frames`` steps evenly with the
first and the last (as the plotly players do), the last frame is held ``HOLD_MS``, and the GIF
loops forever. Nothing is told before it happens: a run's outcome ("diverged at step 12")
appears in the legend from the frame that reaches that step on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from plotly.colors import sample_colorscale

from figures import raster
from figures.basins import frame_steps as multistart_steps
from figures.mlp import _grid_at, frame_epochs, shade
from figures.mlp import colorscale as class_colorscale
from figures.palette import (
    CLASS_COLORS,
    MARKER_COLORS,
    SURFACE_COLORSCALE,
    optimizer_color,
)
from figures.race import frame_steps as race_steps
from figures.raster import MUTED, TEXT, WHITE, Style, put, put_text, rgb, sprite
from figures.sweep import (
    BACKDROP,
    DENSE_STEPS,
    LR_COLORSCALE,
    frame_times,
    lr_colors,
    lr_text,
    lr_ticks,
)
from scenes.optimizer_settings import LABELS
from scenes.race import outcome

SLIDE = raster.SLIDE
THUMBNAIL = (480, 360)
MAX_FRAMES = 120
FRAME_MS = 60
BOUNDARY_FRAME_MS = 150  # the MLP scene has about 50 snapshots: slower frames, like the app's
HOLD_MS = 1500  # the last frame stays this long, so the end state reads on a slide
MARKERS = {  # kind -> (sprite shape, colour, diameter on a slide, legend label)
    "start": ("circle", MARKER_COLORS["start"], 16, "start"),
    "global": ("star", MARKER_COLORS["global"], 26, "global minimum"),
    "local": ("diamond", MARKER_COLORS["local"], 19, "local minimum"),
    "saddle": ("x", MARKER_COLORS["saddle"], 19, "saddle point"),
}


@dataclass(frozen=True)
class Animation:
    """A scene's frames, drawn on demand: ``render(indices)`` yields the RGB frames at the
    increasing frame ``indices`` (of ``range(count)``), each drawing only what changed since the
    one before. ``keys`` are the colours the GIF palette keeps exactly."""

    size: tuple[int, int]
    count: int
    render: Callable[[Sequence[int]], Iterator[Image.Image]]
    keys: tuple

    def __repr__(self) -> str:
        return f"Animation(size={self.size}, frames={self.count})"


def to_gif(animation: Animation, frame_ms: int = FRAME_MS, hold_ms: int = HOLD_MS) -> bytes:
    """The animation as a looping GIF: every frame ``frame_ms`` long, the last ``hold_ms``.

    Browsers play delays under 20 ms at 100 ms, so ``frame_ms`` must be 20 to 10 000.
    """
    for name, value in (("frame_ms", frame_ms), ("hold_ms", hold_ms)):
        if not (isinstance(value, int | np.integer) and 20 <= value <= 10_000):
            raise ValueError(f"{name} must be a whole number from 20 to 10000, got {value!r}")
    ends = sorted({0, animation.count - 1})
    palette = raster.palette(animation.render(ends), animation.keys)
    durations = [int(frame_ms)] * animation.count
    durations[-1] = max(int(hold_ms), int(frame_ms))
    return raster.gif_bytes(animation.render(range(animation.count)), palette, durations)


def still_png(animation: Animation) -> bytes:
    """The animation's last frame as PNG bytes (for thumbnails: build the animation at a small
    ``size`` such as ``THUMBNAIL``)."""
    (frame,) = animation.render([animation.count - 1])
    return raster.png_bytes(frame)


def _check_frames(max_frames) -> int:
    if not (isinstance(max_frames, int | np.integer) and 2 <= max_frames <= 1000):
        raise ValueError(f"max_frames must be a whole number from 2 to 1000, got {max_frames!r}")
    return int(max_frames)


def _fit_text(text: str, f, width: float) -> str:
    """``text``, cut with "..." to fit ``width`` pixels."""
    if raster.text_width(text, f) <= width:
        return text
    while text and raster.text_width(text + "...", f) > width:
        text = text[:-1]
    return text.rstrip() + "..."


# ----------------------------------------------------------------------------------------------
# The stage shared by the surface scenes: title, surface, axes, markers, legend column


@dataclass
class _Stage:
    style: Style
    plot: raster.Plot
    base: Image.Image  # the whole picture without anything that moves
    background: Image.Image  # the plot box of ``base``: the surface alone
    markers: list  # (sprite, pixel centre) of the critical points, pasted over the paths
    legend_x: int
    legend_y: int  # where the next legend row goes
    kinds: list  # the marker kinds present, for the legend

    def frame(self, plot_image: Image.Image) -> Image.Image:
        """A new frame: ``base`` with ``plot_image`` in the plot box and the markers on top."""
        out = self.base.copy()
        out.paste(plot_image, self.plot.box[:2])
        for marker, centre in self.markers:
            put(out, marker, centre)
        return out

    def legend_row(self, swatch: Image.Image, label: str, size: float = 21) -> tuple[int, int]:
        """A legend row (swatch and label); returns where a second line under it would go."""
        s = self.style
        y = self.legend_y + s.px(15)
        put(self.base, swatch, (self.legend_x + s.px(18), y))
        width = self.base.width - self.legend_x - s.px(58)
        f = s.font(size)
        put_text(
            self.base, (self.legend_x + s.px(44), y), _fit_text(label, f, width), f, TEXT, "lm"
        )
        self.legend_y += s.px(32)
        return self.legend_x + s.px(44), self.legend_y + s.px(3)

    def skip(self, height: float) -> None:
        self.legend_y += self.style.px(height)


def _stage(surface, size, title: str, start, colorscale) -> _Stage:
    size = raster.check_size(size)
    s = Style(size)
    width, height = size
    area = (s.px(100), s.px(66), width - s.px(290), height - s.px(74))
    plot = raster.fit(surface.domain, area)
    base = Image.new("RGB", size, WHITE)
    background = Image.fromarray(
        raster.surface_rgb(surface, plot.width, plot.height, colorscale), "RGB"
    )
    base.paste(background, plot.box[:2])
    raster.draw_axes(base, plot, s)
    f = s.font(28)
    put_text(base, (s.px(16), s.px(14)), _fit_text(title, f, width - s.px(280)), f, TEXT, "lt")
    points = {
        "global": [m.point for m in surface.minima if m.kind == "global"],
        "local": [m.point for m in surface.minima if m.kind == "local"],
        "saddle": list(surface.saddles),
        "start": [] if start is None else [tuple(start)],
    }
    markers = []
    for kind, pts in points.items():
        shape, colour, diameter, _ = MARKERS[kind]
        for centre in plot.pixels(np.asarray(pts, dtype=float).reshape(-1, 2)):
            if plot.inside(centre):
                markers.append((sprite(shape, rgb(colour), s.px(diameter), s.px(1.5)), centre))
    kinds = [kind for kind in MARKERS if points[kind]]
    return _Stage(
        s, plot, base, background, markers, plot.box[2] + s.px(26), plot.top - s.px(4), kinds
    )


def _marker_legend(stage: _Stage) -> None:
    stage.skip(10)
    for kind in stage.kinds:
        shape, colour, diameter, label = MARKERS[kind]
        s = stage.style
        stage.legend_row(sprite(shape, rgb(colour), s.px(min(diameter, 22)), s.px(1.5)), label, 20)


def _path_swatch(colour, style: Style, head: int = 16) -> Image.Image:
    """A short line through a head, the legend's picture of a path."""
    w, h = style.px(36), style.px(head) + 2 * style.px(2) + 2
    im = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ImageDraw.Draw(im).line([(0, h / 2), (w, h / 2)], fill=(*colour, 255), width=style.px(4))
    put(im, sprite("circle", colour, style.px(head), style.px(2)), (w / 2, h / 2))
    return im


def _note(frame: Image.Image, style: Style, where, text: str) -> None:
    """A legend entry's second line (its outcome), cut to fit the picture."""
    f = style.font(20)
    text = _fit_text(text, f, frame.width - where[0] - style.px(4))
    put_text(frame, where, text, f, MUTED, "lm")


def _counter(frame: Image.Image, style: Style, text: str) -> None:
    put_text(frame, (frame.width - style.px(16), style.px(16)), text, style.font(25), TEXT, "rt")


BASIC_KEYS = (raster.BLACK, TEXT, MUTED, raster.AXIS)


def _surface_keys(colorscale, colours) -> tuple:
    """The colours a surface scene's palette keeps exactly, most important first."""
    return (
        *BASIC_KEYS,
        *(rgb(c) for c in colours),
        *(rgb(c) for c in MARKER_COLORS.values()),
        *raster.band_palette(colorscale),
    )


# ----------------------------------------------------------------------------------------------
# The race


def race_animation(
    surface,
    race: Mapping,
    start,
    *,
    size=SLIDE,
    max_frames: int = MAX_FRAMES,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Animation:
    """The optimizer race: every run's path so far and its head (held where it stopped; a
    diverged run turns into a ring), the legend with each outcome from the step it happens on,
    and a step counter.

    ``race`` maps optimizer name -> ``optim_core.RunResult`` of one start (path
    ``(steps + 1, 2)``); a key "sgd@8" (one optimizer at a batch size) takes the optimizer's
    colour and its label from ``labels``. Frames show ``figures.race.frame_steps`` up to the
    last step any run moved.
    """
    if not race:
        raise ValueError("race is empty: pass at least one optimizer's RunResult")
    max_frames = _check_frames(max_frames)
    stage = _stage(surface, size, title or surface.title, start, SURFACE_COLORSCALE)
    s, plot = stage.style, stage.plot
    steps = max(int(r.steps) for r in race.values())
    stops = {name: int(r.stop_step) for name, r in race.items()}
    shown = race_steps(max(stops.values()), max_frames)
    colours = {name: rgb(optimizer_color(name.partition("@")[0])) for name in race}
    pixels = {name: plot.pixels(r.path) for name, r in race.items()}
    corner = np.array(plot.box[:2])
    heads = {name: sprite("circle", colours[name], s.px(18), s.px(2)) for name in race}
    rings = {name: sprite("ring", colours[name], s.px(18), s.px(2)) for name in race}
    notes = {}  # name -> where its outcome goes, once it happens
    for name in race:
        label = (labels or {}).get(name) or LABELS.get(name, name)
        notes[name] = stage.legend_row(_path_swatch(colours[name], s), label)
        stage.skip(28)
    _marker_legend(stage)

    def render(indices: Sequence[int]) -> Iterator[Image.Image]:
        trails = raster.Trails(stage.background)
        drawn = dict.fromkeys(race, 0)
        for i in indices:
            k = int(shown[i])
            pieces = []
            for name in race:
                end = min(k, stops[name])
                if end > drawn[name]:
                    pieces.append((pixels[name][drawn[name] : end + 1] - corner, colours[name]))
                    drawn[name] = end
            trails.add(pieces, s.px(4))
            frame = stage.frame(trails.picture())
            for name, r in race.items():
                stopped = k >= stops[name] and r.status != "moving"
                centre = pixels[name][min(k, stops[name])]
                if plot.inside(centre):
                    diverged = stopped and r.status == "diverged"
                    put(frame, rings[name] if diverged else heads[name], centre)
                if stopped:
                    _note(frame, s, notes[name], outcome(r))
            _counter(frame, s, f"step {k} / {steps}")
            yield frame

    return Animation(
        stage.base.size,
        len(shown),
        render,
        _surface_keys(SURFACE_COLORSCALE, colours.values()),
    )


def race_gif(
    surface,
    race: Mapping,
    start,
    *,
    size=SLIDE,
    max_frames: int = MAX_FRAMES,
    frame_ms: int = FRAME_MS,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> bytes:
    """``race_animation`` as GIF bytes (see ``to_gif``)."""
    animation = race_animation(
        surface, race, start, size=size, max_frames=max_frames, title=title, labels=labels
    )
    return to_gif(animation, frame_ms)


# ----------------------------------------------------------------------------------------------
# The learning-rate lab


LEGEND_RATES = 10  # more learning rates than this get a colour bar instead of a legend


def sweep_animation(
    surface,
    start,
    lrs,
    path: np.ndarray,
    stop_step,
    status: Sequence[str] | None = None,
    *,
    size=SLIDE,
    max_frames: int = MAX_FRAMES,
    title: str | None = None,
) -> Animation:
    """The learning-rate lab: one run per learning rate from ``start``, coloured by the learning
    rate (``figures.sweep.lr_colors``) on the grey backdrop of the app.

    ``lrs`` (N,), ``path`` (N, steps + 1, 2) and ``stop_step`` (N,) as from
    ``scenes.sweep.sweep``; ``status`` (N,) ("converged", "diverged", "moving"), if given, names
    each outcome from the step it happens on. Up to ``LEGEND_RATES`` runs get a legend row
    each, more get a colour bar and a running count of diverged and converged runs. Runs are
    drawn up to their stop; diverging runs leave the view. Frames are
    ``figures.sweep.frame_times`` (every early step, where divergence shows) up to the last
    stop.
    """
    lrs = np.asarray(lrs, dtype=float).reshape(-1)
    path = np.asarray(path, dtype=float)
    stops = np.asarray(stop_step, dtype=int).reshape(-1)
    n = len(lrs)
    if n == 0 or path.ndim != 3 or path.shape[0] != n or path.shape[2] != 2 or len(stops) != n:
        raise ValueError(
            f"need lrs (N,), path (N, steps + 1, 2) and stop_step (N,) with N >= 1, got "
            f"{lrs.shape}, {path.shape}, {stops.shape}"
        )
    if not (np.isfinite(lrs).all() and (lrs > 0).all()):
        raise ValueError(f"learning rates must be positive numbers, got {lrs.tolist()}")
    status = None if status is None else [str(v) for v in status]
    max_frames = _check_frames(max_frames)
    stops = np.clip(stops, 0, path.shape[1] - 1)
    stage = _stage(surface, size, title or surface.title, start, BACKDROP)
    s, plot = stage.style, stage.plot
    last = max(int(stops.max()), 1)
    shown = frame_times(min(last, path.shape[1] - 1), max_frames, min(DENSE_STEPS, max_frames // 3))
    colours = [rgb(c) for c in lr_colors(lrs)]
    pixels = plot.pixels(path)
    corner = np.array(plot.box[:2])
    heads = [sprite("circle", c, s.px(15), s.px(2)) for c in colours]
    notes = counts_at = None
    if n <= LEGEND_RATES:
        notes = _sweep_legend(stage, lrs, colours)
    else:
        _lr_colour_bar(stage, lrs)
        counts_at = stage.legend_x, stage.legend_y
        stage.skip(64 if status else 0)
        _marker_legend(stage)

    def render(indices: Sequence[int]) -> Iterator[Image.Image]:
        trails = raster.Trails(stage.background)
        drawn = np.zeros(n, dtype=int)
        for i in indices:
            k = int(shown[i])
            ends = np.minimum(k, stops)
            moved = np.flatnonzero(ends > drawn)
            pieces = [(pixels[j, drawn[j] : ends[j] + 1] - corner, colours[j]) for j in moved]
            trails.add(pieces, s.px(3))
            drawn = np.maximum(drawn, ends)
            frame = stage.frame(trails.picture())
            for j in range(n):
                if plot.inside(pixels[j, ends[j]]):
                    put(frame, heads[j], pixels[j, ends[j]])
            reached = [status[j] if status and k >= stops[j] else "moving" for j in range(n)]
            if notes is not None:
                for j, where in enumerate(notes):
                    if reached[j] != "moving":
                        text = f"{reached[j]} at step {stops[j]}"
                        _note(frame, s, where, text)
            elif status:
                for row, word in enumerate(("diverged", "converged")):
                    text = f"{reached.count(word)} of {n} {word}"
                    where = (counts_at[0], counts_at[1] + s.px(14 + 28 * row))
                    put_text(frame, where, text, s.font(20), TEXT, "lm")
            _counter(frame, s, f"step {k} / {path.shape[1] - 1}")
            yield frame

    keys = _surface_keys(BACKDROP, colours[:: max(1, n // 40)])
    return Animation(stage.base.size, len(shown), render, keys)


def _sweep_legend(stage: _Stage, lrs, colours) -> list[tuple[int, int]]:
    """A legend row per learning rate (outcomes go under each), then the markers."""
    notes = []
    for lr, colour in zip(lrs, colours, strict=True):
        notes.append(stage.legend_row(_path_swatch(colour, stage.style, 14), f"lr {lr_text(lr)}"))
        stage.skip(20)
    _marker_legend(stage)
    return notes


def _lr_colour_bar(stage: _Stage, lrs) -> None:
    """A vertical colour bar of log10(lr), largest at the top, with learning rates written out."""
    s = stage.style
    draw = ImageDraw.Draw(stage.base)
    put_text(stage.base, (stage.legend_x, stage.legend_y), "learning rate", s.font(21), TEXT, "lt")
    top, width = stage.legend_y + s.px(36), s.px(24)
    height = min(s.px(300), stage.base.height - top - s.px(200))
    t = np.linspace(1, 0, height)
    column = np.array([rgb(c) for c in sample_colorscale(LR_COLORSCALE, list(t))], np.uint8)
    bar = Image.fromarray(np.repeat(column[:, None], width, axis=1), "RGB")
    stage.base.paste(bar, (stage.legend_x, top))
    draw.rectangle(
        [stage.legend_x - 1, top - 1, stage.legend_x + width, top + height], outline=raster.AXIS
    )
    lo, hi = np.log10(lrs.min()), np.log10(lrs.max())
    f = s.font(20)
    for position in lr_ticks(lrs)[0]:
        y = top + (hi - position) / ((hi - lo) or 1.0) * (height - 1)
        x = stage.legend_x + width
        draw.line([(x, y), (x + s.px(6), y)], fill=raster.AXIS, width=s.px(2))
        put_text(stage.base, (x + s.px(10), y), lr_text(10**position), f, TEXT, "lm")
    stage.legend_y = top + height + s.px(24)


def sweep_gif(
    surface,
    start,
    lrs,
    path: np.ndarray,
    stop_step,
    status: Sequence[str] | None = None,
    *,
    size=SLIDE,
    max_frames: int = MAX_FRAMES,
    frame_ms: int = FRAME_MS,
    title: str | None = None,
) -> bytes:
    """``sweep_animation`` as GIF bytes (see ``to_gif``)."""
    animation = sweep_animation(
        surface,
        start,
        lrs,
        path,
        stop_step,
        status,
        size=size,
        max_frames=max_frames,
        title=title,
    )
    return to_gif(animation, frame_ms)


# ----------------------------------------------------------------------------------------------
# The minima lab's multi-start


def multistart_animation(
    surface,
    paths: Mapping[str, np.ndarray],
    *,
    size=SLIDE,
    max_frames: int = MAX_FRAMES,
    tail: int = 4,
    title: str | None = None,
) -> Animation:
    """Many starts per optimizer (``paths``: optimizer name -> (K, steps + 1, 2), the same
    starts for each): every run's head and a trail over its last ``tail`` frames that fades
    with age, one colour per optimizer. Frames are ``figures.basins.frame_steps``.

    Trails are drawn without anti-aliasing (they are redrawn on every frame, K x optimizers x
    ``tail`` pieces of them), heads as anti-aliased sprites.
    """
    if not paths:
        raise ValueError("paths is empty: pass at least one optimizer's paths")
    arrays = {name: np.asarray(p, dtype=float) for name, p in paths.items()}
    shapes = {p.shape for p in arrays.values()}
    if len(shapes) != 1 or len(next(iter(shapes))) != 3 or next(iter(shapes))[2] != 2:
        raise ValueError(f"every path array must be (K, steps + 1, 2), alike; got {shapes}")
    if not (isinstance(tail, int | np.integer) and 1 <= tail <= 50):
        raise ValueError(f"tail must be a whole number of frames from 1 to 50, got {tail!r}")
    k_runs, length, _ = next(iter(shapes))
    max_frames = _check_frames(max_frames)
    title = title or f"{surface.title}: {k_runs} random starts"
    stage = _stage(surface, size, title, None, SURFACE_COLORSCALE)
    s, plot = stage.style, stage.plot
    shown = multistart_steps(length - 1, max_frames)
    colours = {name: rgb(optimizer_color(name)) for name in arrays}
    # (K, frames, 2) pixel positions at the shown steps, relative to the plot box
    pixels = {n: plot.pixels(p[:, shown]) - np.array(plot.box[:2]) for n, p in arrays.items()}
    heads = {name: sprite("circle", colours[name], s.px(12), s.px(1.5)) for name in arrays}
    for name in arrays:
        stage.legend_row(_path_swatch(colours[name], s, 12), LABELS.get(name, name))
        stage.skip(6)
    _marker_legend(stage)
    box = (0, 0, plot.width, plot.height)
    fades = [0.8 * age / tail for age in range(tail)]  # towards white, oldest piece palest

    # The markers go under the paths here (as in the app): heads gathering on a minimum hide
    # it, which is the point, and the frames need not paste them again.
    left, top = plot.box[:2]
    corner = np.array([left, top])
    underlay = stage.background.copy()
    for marker, centre in stage.markers:
        put(underlay, marker, centre - corner)
    inks = {n: [raster.mix(c, WHITE, w) for w in fades] for n, c in colours.items()}

    def render(indices: Sequence[int]) -> Iterator[Image.Image]:
        width = s.px(3)
        for f in indices:
            picture = underlay.copy()
            draw = ImageDraw.Draw(picture)
            ages = np.arange(min(tail, f))
            age = np.repeat(ages, k_runs)
            for name, px in pixels.items():
                a = px[:, f - ages - 1].transpose(1, 0, 2).reshape(-1, 2)  # by age, then run
                b = px[:, f - ages].transpose(1, 0, 2).reshape(-1, 2)
                a, b, visible = raster.clip_segments(a, b, box)
                for oldest in ages[::-1]:  # the newest piece on top
                    on = visible & (age == oldest)
                    for p, q in zip(a[on].tolist(), b[on].tolist(), strict=True):
                        draw.line([*p, *q], fill=inks[name][oldest], width=width)
            for name, px in pixels.items():
                for centre in px[:, f].tolist():
                    put(picture, heads[name], centre)
            frame = stage.base.copy()
            frame.paste(picture, (left, top))
            _counter(frame, s, f"step {int(shown[f])} / {length - 1}")
            yield frame

    fading = [raster.mix(c, WHITE, w) for c in colours.values() for w in fades]
    keys = _surface_keys(SURFACE_COLORSCALE, fading)
    return Animation(stage.base.size, len(shown), render, keys)


def multistart_gif(
    surface,
    paths: Mapping[str, np.ndarray],
    *,
    size=SLIDE,
    max_frames: int = MAX_FRAMES,
    frame_ms: int = FRAME_MS,
    tail: int = 4,
    title: str | None = None,
) -> bytes:
    """``multistart_animation`` as GIF bytes (see ``to_gif``)."""
    animation = multistart_animation(
        surface, paths, size=size, max_frames=max_frames, tail=tail, title=title
    )
    return to_gif(animation, frame_ms)


# ----------------------------------------------------------------------------------------------
# The MLP playground's decision boundaries


def _colour_lut(n_classes: int, size: int = 1024) -> np.ndarray:
    """(size, 3) uint8: ``figures.mlp.colorscale`` sampled over its values [0, top] (top is 1
    for two classes, else the number of classes), linearly between its stops."""
    scale = class_colorscale(n_classes)
    top = 1.0 if n_classes == 2 else float(n_classes)
    stops = np.array([p for p, _ in scale]) * top
    colours = np.array([rgb(c) for _, c in scale], dtype=float)
    values = np.linspace(0.0, top, size)
    # Stops repeat at class edges (the tint of the next class starts there): nudge them apart.
    stops = stops + np.arange(len(stops)) * 1e-9
    channels = [np.interp(values, stops, colours[:, i]) for i in range(3)]
    return np.stack(channels, axis=1).round().astype(np.uint8)


def _data(points) -> tuple[np.ndarray, np.ndarray]:
    """(X (n, 2), y (n,)) of a data set given as ``mlp.datasets.Dataset`` or a pair."""
    X, y = (points.X, points.y) if hasattr(points, "X") else points
    return np.asarray(X, dtype=float).reshape(-1, 2), np.asarray(y, dtype=int).reshape(-1)


def boundaries_animation(
    panels: Sequence[tuple[str, Sequence[int], Sequence[np.ndarray]]],
    xs: np.ndarray,
    ys: np.ndarray,
    train,
    test,
    n_classes: int,
    *,
    accuracy: Sequence[Sequence[float]] | None = None,
    accuracy_label: str = "train",
    size=SLIDE,
    max_frames: int = MAX_FRAMES,
    title: str = "Decision boundaries",
) -> Animation:
    """The MLP playground: decision boundaries side by side, one panel per ``(title, epochs,
    grids)`` (grids as ``scenes.playground.Run.grids``: ``(r, r)`` P(class 1) or ``(r, r, k)``
    class probabilities, ``grids[i][a, b]`` at ``(xs[b], ys[a])``), shaded as in the app
    (``figures.mlp.shade``), with the training points (circles) and test points (diamonds,
    ``test`` may be None) on top and an epoch counter. ``train``/``test``: ``Dataset`` or
    ``(X (n, 2), y (n,))``.

    ``accuracy``, one list per panel indexed by epoch (e.g. ``History.train_accuracy``), adds
    the accuracy at the shown epoch to each panel title ("Adam · epoch 18 · train acc 84%"), or
    "diverged at epoch k" once the run's accuracy is no longer finite (or its list ends). Panel
    titles should then not give the final result away. Frames are
    ``figures.mlp.frame_epochs``; a run without a snapshot at an epoch shows its latest one.
    """
    if not panels:
        raise ValueError("panels is empty: pass at least one (title, epochs, grids)")
    if accuracy is not None and len(accuracy) != len(panels):
        raise ValueError(f"accuracy needs one list per panel ({len(panels)}), got {len(accuracy)}")
    if not (isinstance(n_classes, int | np.integer) and 2 <= n_classes <= len(CLASS_COLORS)):
        raise ValueError(f"n_classes must be from 2 to {len(CLASS_COLORS)}, got {n_classes!r}")
    max_frames = _check_frames(max_frames)
    size = raster.check_size(size)
    s = Style(size)
    width, height = size
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    domain = ((float(xs[0]), float(xs[-1])), (float(ys[0]), float(ys[-1])))
    epochs = frame_epochs([e for _, run_epochs, _ in panels for e in run_epochs], max_frames)
    n = len(panels)
    gap, left, right = s.px(18), s.px(70), width - s.px(16)
    header, footer = s.px(56), height - s.px(60)  # under the title, above the legend
    titles = s.px(30 if accuracy is None else 58)  # the panel titles' lines
    cell = (right - left - gap * (n - 1)) / n
    shape = raster.fit(domain, (0, 0, round(cell), footer - header - titles))
    top = header + titles + (footer - header - titles - shape.height) // 2
    plots = [
        raster.Plot(shape.domain, round(left + i * (cell + gap)), top, shape.width, shape.height)
        for i in range(n)
    ]
    base = Image.new("RGB", size, WHITE)
    f = s.font(28)
    put_text(base, (s.px(16), s.px(14)), _fit_text(title, f, width - s.px(280)), f, TEXT, "lt")
    name_font, status_font = s.font(22), s.font(20)
    for i, (plot, (name, _, _)) in enumerate(zip(plots, panels, strict=True)):
        raster.draw_axes(base, plot, s, labels=None, y_ticks=i == 0)
        where = (plot.left + plot.width / 2, top - titles + s.px(4))
        put_text(base, where, _fit_text(name, name_font, cell + gap), name_font, TEXT, "mt")
    overlay = _points_overlay(plots[0], train, test, s)
    legend_y = height - s.px(26)
    _boundary_legend(base, s, n_classes, test is not None, legend_y)
    binary = n_classes == 2
    lut = _colour_lut(n_classes)
    top_value = 1.0 if binary else float(n_classes)
    resample = Image.Resampling.BILINEAR if binary else Image.Resampling.NEAREST

    # Shading in bands of the value (24 for P(class 1), 8 per class otherwise), like filled
    # contours: the boundary reads as a line, and flat bands keep the GIF small (a smooth
    # gradient costs 1.7 times the bytes, and the palette would band it anyway).
    levels = 24 if binary else 8 * n_classes
    centres = ((np.arange(levels + 1) + 0.5) / levels * (len(lut) - 1)).clip(0, len(lut) - 1)
    band_palette = lut[centres.astype(int)].ravel().tolist()

    def shaded(grid: np.ndarray, plot: raster.Plot) -> Image.Image:
        """The value grid resized (smoothly for two classes, whose colours vary continuously; in
        blocks otherwise, as in the app), then coloured by band; all in Pillow."""
        z = shade(np.asarray(grid, dtype=float))[::-1].astype(np.float32)  # top row: ys[-1]
        fine = Image.fromarray(z, "F").resize((plot.width, plot.height), resample)
        bands = fine.point(lambda v: v * (levels / top_value)).convert("L")  # floor, >= 0
        bands.putpalette(band_palette)
        return bands.convert("RGB")

    def render(indices: Sequence[int]) -> Iterator[Image.Image]:
        for i in indices:
            epoch = epochs[i]
            frame = base.copy()
            for p, (plot, (_, run_epochs, grids)) in enumerate(zip(plots, panels, strict=True)):
                frame.paste(shaded(_grid_at(run_epochs, grids, epoch), plot), plot.box[:2])
                frame.paste(overlay, plot.box[:2], overlay)
                if accuracy is not None:
                    room = cell + gap / 2
                    status = _panel_status(accuracy[p], epoch, accuracy_label, status_font, room)
                    where = (plot.left + plot.width / 2, top - s.px(8))
                    line = _fit_text(status, status_font, room)
                    put_text(frame, where, line, status_font, MUTED, "mb")
            _counter(frame, s, f"epoch {epoch} / {epochs[-1]}")
            yield frame

    keys = (
        *BASIC_KEYS,
        *(rgb(c) for c in CLASS_COLORS[:n_classes]),
        *(tuple(int(v) for v in c) for c in np.reshape(band_palette, (-1, 3))),
    )
    return Animation(size, len(epochs), render, keys)


def _panel_status(accuracy: Sequence[float], epoch: int, label: str, f, width: float) -> str:
    """A panel's second title line: its accuracy at ``epoch`` (without the epoch where the
    panel is too narrow for it), or when it diverged."""
    values = np.asarray(accuracy, dtype=float)[: epoch + 1]
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        return f"diverged at epoch {bad[0]}"
    if not values.size:
        return f"epoch {epoch}"
    short = f"{label} acc {values[-1]:.0%}"
    full = f"epoch {min(epoch, values.size - 1)} · {short}"
    return full if raster.text_width(full, f) <= width else short


def _points_overlay(plot: raster.Plot, train, test, style: Style) -> Image.Image:
    """The data points as an RGBA layer of the panel's size, drawn at 2x (anti-aliased):
    training points as circles, test points as diamonds, in their class colours."""
    k = 2
    layer = Image.new("RGBA", (plot.width * k, plot.height * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    edge = (34, 34, 34, 255)
    origin = np.array(plot.box[:2])
    for data, diamond in ((train, False), (test, True)):
        if data is None:
            continue
        X, y = _data(data)
        r = style.px(6 if diamond else 5) * k
        for (px, py), c in zip((plot.pixels(X) - origin) * k, y, strict=True):
            fill = (*rgb(CLASS_COLORS[c % len(CLASS_COLORS)]), 255)
            if diamond:
                shape = [(px, py - r), (px + r, py), (px, py + r), (px - r, py)]
                draw.polygon(shape, fill=fill, outline=edge, width=style.px(1) * k)
            else:
                draw.ellipse(
                    [px - r, py - r, px + r, py + r], fill=fill, outline=edge, width=style.px(1) * k
                )
    return layer.reduce(k)


def _boundary_legend(base: Image.Image, style: Style, n_classes: int, test: bool, y: int) -> None:
    """One row under the panels: a swatch per class, then the point shapes."""
    s = style
    f = s.font(20)
    x = s.px(70)
    for c in range(n_classes):
        put(base, sprite("circle", rgb(CLASS_COLORS[c]), s.px(14), s.px(1)), (x, y))
        put_text(base, (x + s.px(14), y), f"class {c}", f, TEXT, "lm")
        x += s.px(110)
    shapes = [("circle", "training points")] + ([("diamond", "test points")] if test else [])
    for shape, label in shapes:
        x += s.px(20)
        put(base, sprite(shape, (200, 200, 200), s.px(14), s.px(1)), (x, y))
        put_text(base, (x + s.px(14), y), label, f, TEXT, "lm")
        x += s.px(34) + raster.text_width(label, f)
    if n_classes == 2:
        x += s.px(20)
        put_text(base, (x, y), "shading: P(class 1)", f, MUTED, "lm")


def boundaries_gif(
    panels: Sequence[tuple[str, Sequence[int], Sequence[np.ndarray]]],
    xs: np.ndarray,
    ys: np.ndarray,
    train,
    test,
    n_classes: int,
    *,
    accuracy: Sequence[Sequence[float]] | None = None,
    accuracy_label: str = "train",
    size=SLIDE,
    max_frames: int = MAX_FRAMES,
    frame_ms: int = BOUNDARY_FRAME_MS,
    title: str = "Decision boundaries",
) -> bytes:
    """``boundaries_animation`` as GIF bytes (see ``to_gif``)."""
    animation = boundaries_animation(
        panels,
        xs,
        ys,
        train,
        test,
        n_classes,
        accuracy=accuracy,
        accuracy_label=accuracy_label,
        size=size,
        max_frames=max_frames,
        title=title,
    )
    return to_gif(animation, frame_ms)
