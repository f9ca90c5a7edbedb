"""The animated optimizer race on a filled contour (pure plotly, no streamlit).

Payload stays linear in the number of steps: the surface image, the markers, a transparent grid
of clickable points and every optimizer's full path (a faint "ghost" line) live in the base
figure once. Animation frames hold only two small traces per optimizer: the moving head (one point)
and a bright trail of the last ``trail`` steps. With at most ``max_frames`` frames the frames
hold about ``n_optimizers * max_frames * trail`` points, and ``trail`` is about three frame
strides, so the total grows like ``3 * n_optimizers * steps``.
"""

from __future__ import annotations

import base64
import math

import numpy as np
import plotly.graph_objects as go

from figures.palette import optimizer_color
from figures.player import add_player
from figures.surface import base_figure
from scenes.optimizer_settings import LABELS

MAX_FRAMES = 150


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps shown as animation frames: every step when there are few, else ``max_frames``
    evenly spaced steps from 0 to ``steps`` (both ends included)."""
    if steps + 1 <= max_frames:
        return np.arange(steps + 1)
    return np.unique(np.round(np.linspace(0, steps, max_frames)).astype(int))


def decimals(domain) -> int:
    """Decimal places that resolve 1e-5 of the domain's larger side (about 0.1 pixel)."""
    (x0, x1), (y0, y1) = domain
    return max(0, 5 - math.floor(math.log10(max(x1 - x0, y1 - y0))))


def packed(values: np.ndarray, digits: int) -> dict:
    """A plotly typed-array spec of float32 values rounded to ``digits`` decimals.

    Base64 float32 costs 5.3 JSON characters per number (decimal text costs about 8) and
    plotly passes such specs through without validating each number, which keeps building
    thousands of frame traces fast.
    """
    data = np.ascontiguousarray(np.round(values, digits), dtype="<f4")
    return {"dtype": "f4", "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def _xy(points: np.ndarray, digits: int) -> tuple[dict, dict]:
    """x and y of points ``(n, 2)`` as packed arrays."""
    return packed(points[:, 0], digits), packed(points[:, 1], digits)


def label(name: str, result) -> str:
    """Legend entry: the optimizer and, if it stopped, how."""
    if result.status == "diverged":
        return f"{LABELS[name]} (diverged at step {int(result.stop_step)})"
    if result.status == "converged":
        return f"{LABELS[name]} (converged at step {int(result.stop_step)})"
    return LABELS[name]


def race_figure(
    surface,
    race: dict,
    start,
    *,
    frame_ms: int = 50,
    max_frames: int = MAX_FRAMES,
    height: int = 600,
) -> go.Figure:
    """The race: contour, markers, ghost paths, and animated trails and heads.

    ``race`` maps optimizer name -> ``optim_core.RunResult`` of a single start (path
    ``(steps + 1, 2)``). The figure opens at frame 0 (every head on the start). Frames list
    only the trail and head traces (``traces=``); the surface is an image that ``animate``
    never redraws (see ``figures.surface``).
    """
    fig = base_figure(surface, start=start, height=height)
    # The base figure's invisible hover grid doubles as the click target for a new start.
    fig.data[
        0
    ].hovertemplate = (
        "x=%{x:.3f}<br>y=%{y:.3f}<br>loss=%{customdata:.4g}<br>click to start here<extra></extra>"
    )
    digits = decimals(surface.domain)
    steps = next(iter(race.values())).steps if race else 0
    shown = frame_steps(steps, max_frames)
    stride = max(1, int(np.ceil(steps / max(len(shown) - 1, 1))))
    trail = max(3 * stride, 10)

    animated = []
    for name, r in race.items():
        colour = optimizer_color(name)
        last = int(r.stop_step)
        x, y = _xy(r.path[: last + 1], digits)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line=dict(color=colour, width=1.5),
                opacity=0.45,
                legendgroup=name,
                showlegend=False,
                name=LABELS[name],
                hovertemplate=f"{LABELS[name]}<br>x=%{{x:.4f}}<br>y=%{{y:.4f}}<extra></extra>",
            )
        )
        animated.append(len(fig.data))
        fig.add_trace(_trail(r, 0, trail, digits, colour, name))
        fig.add_trace(_head(r, 0, digits, colour, name, label(name, r)))

    add_player(fig, [str(int(k)) for k in shown], frame_ms, y=-0.09)
    fig.update_layout(margin=dict(l=10, r=10, t=40, b=90))
    traces = [i for first in animated for i in (first, first + 1)]
    frames = []
    for k in shown:
        data = []
        for r in race.values():
            data += [_xy_dict(_trail_points(r, int(k), trail), digits)]
            data += [_xy_dict(_head_point(r, int(k)), digits)]
        frames.append(dict(name=str(int(k)), data=data, traces=traces))
    fig.frames = frames
    return fig


def _xy_dict(points: np.ndarray, digits: int) -> dict:
    x, y = _xy(points, digits)
    return dict(type="scatter", x=x, y=y)


def _trail_points(r, k: int, trail: int) -> np.ndarray:
    """The path over the last ``trail`` steps up to step ``k``; a stopped run's trail ends
    where it stopped. (trail + 1, 2) at most."""
    end = min(k, int(r.stop_step))
    return r.path[max(0, end - trail) : end + 1]


def _head_point(r, k: int) -> np.ndarray:
    """The position at step ``k`` (held after the run stopped), shape (1, 2)."""
    return r.path[min(k, int(r.stop_step))][None]


def _trail(r, k: int, trail: int, digits: int, colour: str, name: str) -> go.Scatter:
    """The bright trail at step ``k``, styled (frames carry only its x and y)."""
    x, y = _xy(_trail_points(r, k, trail), digits)
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        line=dict(color=colour, width=3),
        legendgroup=name,
        showlegend=False,
        hoverinfo="skip",
    )


def _head(r, k: int, digits: int, colour: str, name: str, legend: str) -> go.Scatter:
    """The optimizer's position at step ``k``: one marker, carrying the legend entry."""
    x, y = _xy(_head_point(r, k), digits)
    return go.Scatter(
        x=x,
        y=y,
        mode="markers",
        marker=dict(size=12, color=colour, line=dict(width=1.5, color="black")),
        legendgroup=name,
        name=legend,
        hovertemplate=f"{LABELS[name]}<br>x=%{{x:.4f}}<br>y=%{{y:.4f}}<extra></extra>",
    )
