"""The animated optimizer race on a filled contour (pure plotly, no streamlit).

Payload stays linear in the number of steps: the contour, the markers, a transparent grid of
clickable points and every optimizer's full path (a faint "ghost" line) live in the base figure
once. Animation frames hold only two small traces per optimizer: the moving head (one point)
and a bright trail of the last ``trail`` steps. With at most ``max_frames`` frames the frames
hold about ``n_optimizers * max_frames * trail`` points, and ``trail`` is about three frame
strides, so the total grows like ``3 * n_optimizers * steps``.
"""

from __future__ import annotations

import base64
import math

import numpy as np
import plotly.graph_objects as go

from appkit.optimizer_settings import LABELS
from figures.surface import base_figure

COLORS = {
    "sgd": "#ff4b4b",
    "momentum": "#ffffff",
    "nag": "#ffa600",
    "adagrad": "#00e5ff",
    "rmsprop": "#ff4fd8",
    "adam": "#7cfc00",
    "adamw": "#c8a2ff",
    "adadelta": "#ffe600",
}
MAX_FRAMES = 150
CLICK_GRID = 40  # clickable points per axis
RESOLUTION = 120  # contour grid: every animation frame redraws it in the browser


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


def click_layer(surface, n: int = CLICK_GRID) -> go.Scatter:
    """An invisible n x n grid of points over the domain: clicking one selects it, which the
    page turns into a new start point."""
    (x0, x1), (y0, y1) = surface.domain
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    digits = decimals(surface.domain)
    return go.Scatter(
        x=packed(X.ravel(), digits),
        y=packed(Y.ravel(), digits),
        mode="markers",
        marker=dict(size=10, color="rgba(0,0,0,0)"),
        hovertemplate="x=%{x:.3f}<br>y=%{y:.3f}<br>click to start here<extra></extra>",
        name="click to set the start",
        showlegend=False,
    )


def race_figure(
    surface,
    race: dict,
    start,
    *,
    frame_ms: int = 50,
    max_frames: int = MAX_FRAMES,
    clickable: bool = True,
    height: int = 600,
) -> go.Figure:
    """The race: contour, markers, ghost paths, and animated trails and heads.

    ``race`` maps optimizer name -> ``optim_core.RunResult`` of a single start (path
    ``(steps + 1, 2)``). The figure opens at frame 0 (every head on the start). Frames list
    only the trail and head traces (``traces=``) and the buttons animate with
    ``redraw: True`` so the filled contour stays drawn in the browser.
    """
    fig = base_figure(surface, start=start, resolution=RESOLUTION, height=height)
    # Keep the y range on the domain too (equal aspect would otherwise widen it).
    fig.update_yaxes(constrain="domain")
    if clickable:
        fig.add_trace(click_layer(surface))
    digits = decimals(surface.domain)
    steps = next(iter(race.values())).steps if race else 0
    shown = frame_steps(steps, max_frames)
    stride = max(1, int(np.ceil(steps / max(len(shown) - 1, 1))))
    trail = max(3 * stride, 10)

    animated = []
    for name, r in race.items():
        colour = COLORS[name]
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

    _controls(fig, [str(int(k)) for k in shown], frame_ms)
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


def _animate_args(frame_ms: int, mode: str = "immediate") -> dict:
    # "redraw": True keeps the filled contour drawn while frames play (see STYLE.md).
    return dict(
        frame=dict(duration=frame_ms, redraw=True),
        transition=dict(duration=0),
        mode=mode,
        fromcurrent=True,
    )


def _controls(fig: go.Figure, names: list[str], frame_ms: int) -> None:
    """Play / Pause buttons and a frame slider labelled with the step."""
    fig.update_layout(
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=0,
                y=-0.02,
                xanchor="left",
                yanchor="top",
                pad=dict(t=0, r=10),
                showactive=False,
                buttons=[
                    dict(label="▶ Play", method="animate", args=[None, _animate_args(frame_ms)]),
                    dict(
                        label="❚❚ Pause",
                        method="animate",
                        args=[[None], _animate_args(0)],
                    ),
                ],
            )
        ],
        sliders=[
            dict(
                active=0,
                x=0.18,
                len=0.82,
                y=-0.02,
                yanchor="top",
                pad=dict(t=0, b=0),
                currentvalue=dict(prefix="step ", visible=True, xanchor="right"),
                steps=[
                    dict(label=n, method="animate", args=[[n], _animate_args(0)]) for n in names
                ],
            )
        ],
        margin=dict(l=10, r=10, t=40, b=70),
    )
