"""Figures of a learning-rate sweep: paths coloured by learning rate, small multiples, and the
sweep chart (final loss and steps to the tolerance against the learning rate).

Pure plotly. The animated figure keeps the contour in the base figure and puts only the path
traces into frames; frames are capped at ``MAX_FRAMES`` and the points per path at a budget, so
the payload is bounded however many steps were run.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.colors as pc
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.palette import optimizer_color
from figures.player import add_player
from figures.surface import base_figure, contour_trace, critical_point_traces
from scenes.optimizer_settings import LABELS

# Plasma without its pale-yellow end, on a grey backdrop (low loss darker): the learning rate
# is the only colour in the picture.
LR_COLORSCALE = [
    [float(t), c]
    for t, c in zip(
        np.linspace(0, 1, 9),
        pc.sample_colorscale("Plasma", list(np.linspace(0, 0.85, 9))),
        strict=True,
    )
]
BACKDROP = [[0.0, "#8c8c8c"], [1.0, "#f6f6f6"]]
MAX_FRAMES = 150
DENSE_STEPS = 40  # the first steps are animated (and drawn) one by one
POINT_BUDGET = 60_000  # path points summed over all frames
FRAME_MS = 120  # per animation frame

DIGITS = 4  # coordinates are rounded to this many decimals in the payload


def lr_colors(lrs) -> list[str]:
    """One colour per learning rate, along ``LR_COLORSCALE`` by log10(lr)."""
    z = np.log10(np.asarray(lrs, dtype=float))
    span = z.max() - z.min()
    t = (z - z.min()) / span if span > 0 else np.full_like(z, 0.5)
    return pc.sample_colorscale(LR_COLORSCALE, list(np.clip(t, 0, 1)))


def lr_ticks(lrs) -> tuple[list[float], list[str]]:
    """Colour-bar ticks at log10 positions: the learning rates themselves when there are few,
    else 1-2-5 values per decade inside their range."""
    lrs = np.asarray(lrs, dtype=float)
    if len(lrs) <= 8:
        values = lrs
    else:
        decades = np.arange(np.floor(np.log10(lrs.min())), np.ceil(np.log10(lrs.max())) + 1)
        values = np.array([m * 10**d for d in decades for m in (1, 2, 5)])
        values = values[(values >= lrs.min() * 0.999) & (values <= lrs.max() * 1.001)]
    return list(np.log10(values)), [f"{v:.3g}" for v in values]


def thin(stop: int, max_points: int, dense: int = 0) -> np.ndarray:
    """Step indices 0..stop kept for drawing: every step up to ``dense``, then every ``k``-th
    with ``k`` odd, so a zig-zag of period 2 still zig-zags after thinning, plus ``stop``."""
    head = np.arange(0, min(dense, stop) + 1)
    stride = max(1, int(np.ceil((stop + 1 - len(head)) / max(max_points - len(head), 1))))
    stride += 1 - stride % 2 if stride > 1 else 0
    return np.unique(np.concatenate([head, np.arange(0, stop + 1, stride), [stop]]))


def frame_times(last: int, max_frames: int = MAX_FRAMES, dense: int = DENSE_STEPS) -> np.ndarray:
    """The step shown by each animation frame: every step at first (where divergence and
    overshoot happen), then evenly spread up to ``last``; at most ``max_frames`` frames."""
    first = np.arange(0, min(dense, last) + 1)
    rest = np.linspace(first[-1], last, max(max_frames - len(first), 2))
    return np.unique(np.concatenate([first, np.round(rest).astype(int)]))


def _xy(points: np.ndarray) -> dict:
    """Coordinates for the payload: rounded and stored as float32 (plotly sends typed arrays)."""
    pts = np.round(points, DIGITS).astype(np.float32)
    return dict(x=pts[:, 0], y=pts[:, 1])


def _heads(points: np.ndarray, lrs, colorbar: bool) -> go.Scatter:
    """Markers at the runs' current positions, coloured by log10(lr); carries the colour bar."""
    z = np.log10(np.asarray(lrs, dtype=float))
    tickvals, ticktext = lr_ticks(lrs)
    marker = dict(
        color=z,
        colorscale=LR_COLORSCALE,
        cmin=z.min(),
        cmax=z.max() if z.max() > z.min() else z.min() + 1,
        size=10,
        line=dict(width=1.5, color="black"),
    )
    if colorbar:
        marker.update(
            showscale=True,
            colorbar=dict(
                title=dict(text="learning rate", side="right"),
                tickvals=tickvals,
                ticktext=ticktext,
                x=1.0,
                xpad=10,
                thickness=14,
            ),
        )
    return go.Scatter(
        **_xy(points),
        mode="markers",
        marker=marker,
        customdata=np.asarray(lrs, dtype=float),
        hovertemplate="lr=%{customdata:.4g}<br>x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>",
        name="current position",
        showlegend=False,
    )


def _path(points: np.ndarray, lr: float, colour: str) -> go.Scatter:
    return go.Scatter(
        **_xy(points),
        mode="lines+markers",
        line=dict(color=colour, width=2.5),
        marker=dict(color=colour, size=4),
        name=f"lr={lr:.3g}",
        hovertemplate=f"lr={lr:.4g}<br>x=%{{x:.3f}}<br>y=%{{y:.3f}}<extra></extra>",
        showlegend=False,
    )


def paths_figure(
    surface,
    start,
    lrs,
    path: np.ndarray,
    stop_step,
    height: int = 620,
    frame_ms: int = FRAME_MS,
) -> go.Figure:
    """Every run's path on the contour, animated together (Play / slider).

    ``path`` (N, steps + 1, 2) and ``stop_step`` (N,) as from ``optim_core.run``; runs are
    drawn up to their stop. The static figure shows the whole paths; frames (at most
    ``MAX_FRAMES``, ending when the last run stops) update only the path and head traces.
    """
    lrs = np.asarray(lrs, dtype=float)
    stop = np.asarray(stop_step, dtype=int)
    n = len(lrs)
    times = frame_times(max(int(stop.max()), 1))
    max_points = int(np.clip(2 * POINT_BUDGET / (n * len(times)), 10, 2000))
    kept = [thin(int(s), max_points, min(DENSE_STEPS, max_points // 2)) for s in stop]
    colours = lr_colors(lrs)

    # A grey surface, so that the learning rate is the only colour on the plot.
    fig = base_figure(surface, start, height=height, colorscale=BACKDROP, showscale=False)
    first = len(fig.data)
    for i in range(n):
        fig.add_trace(_path(path[i, kept[i]], lrs[i], colours[i]))
    fig.add_trace(_heads(path[np.arange(n), stop], lrs, colorbar=True))
    animated = list(range(first, first + n + 1))

    # Frames carry coordinates only: plotly merges them into the traces' other attributes.
    frames = []
    for t in times:
        now = np.minimum(t, stop)
        data = [
            go.Scatter(**_xy(path[i, np.append(k[k < now[i]], now[i])])) for i, k in enumerate(kept)
        ]
        data.append(go.Scatter(**_xy(path[np.arange(n), now])))
        frames.append(go.Frame(data=data, traces=animated, name=str(t)))
    fig.frames = frames
    add_player(fig, [str(t) for t in times], frame_ms, y=-0.06)
    fig.update_layout(height=fig.layout.height + 90)
    fig.update_layout(margin=dict(l=10, r=10, t=40, b=10))
    return fig


def small_multiples(surface, start, lrs, path, stop_step, titles, columns: int = 4) -> go.Figure:
    """One small contour panel per learning rate with that run's path (static), titled by
    ``titles`` (one string per lr)."""
    lrs = np.asarray(lrs, dtype=float)
    n = len(lrs)
    cols = min(columns, n)
    rows = int(np.ceil(n / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=list(titles),
        horizontal_spacing=0.03,
        vertical_spacing=0.25 / rows,
    )
    contour = contour_trace(surface, resolution=60, ncontours=15)
    contour.update(colorscale=BACKDROP, showscale=False)
    markers = critical_point_traces(surface, start)
    colours = lr_colors(lrs)
    (x0, x1), (y0, y1) = surface.domain
    for i in range(n):
        row, col = divmod(i, cols)
        keep = thin(int(stop_step[i]), 600)
        for trace in (contour, *markers, _path(path[i, keep], lrs[i], colours[i])):
            fig.add_trace(trace, row=row + 1, col=col + 1)
        axis = "" if i == 0 else str(i + 1)
        fig.update_xaxes(
            range=[x0, x1], constrain="domain", showticklabels=False, row=row + 1, col=col + 1
        )
        fig.update_yaxes(
            range=[y0, y1],
            constrain="domain",
            scaleanchor=f"x{axis}",
            showticklabels=False,
            row=row + 1,
            col=col + 1,
        )
    fig.update_traces(showlegend=False)
    fig.update_annotations(font_size=12)
    fig.update_layout(height=60 + 250 * rows, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def divergent_ranges(table: pd.DataFrame) -> list[tuple[float, float]]:
    """Learning-rate intervals where runs diverged: each block of consecutive diverged rows of
    a sweep table (sorted by ``lr``), widened to the geometric midpoints with its neighbours."""
    lr = table["lr"].to_numpy(dtype=float)
    diverged = (table["status"] == "diverged").to_numpy()
    ranges, i = [], 0
    while i < len(lr):
        if not diverged[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(lr) and diverged[j + 1]:
            j += 1
        lo = np.sqrt(lr[i - 1] * lr[i]) if i > 0 else lr[i]
        hi = np.sqrt(lr[j] * lr[j + 1]) if j + 1 < len(lr) else lr[j]
        ranges.append((float(lo), float(hi)))
        i = j + 1
    return ranges


def sweep_figure(
    tables: Mapping[str, pd.DataFrame],
    limits: Mapping[str, float] | None = None,
    edges: Mapping[str, float] | None = None,
    height: int = 620,
) -> go.Figure:
    """Final loss above the minimum (top) and steps to the tolerance (bottom) against the
    learning rate on log axes, one line per optimizer (``tables``: name -> ``summarize``
    table). Each optimizer's divergent range is shaded in its colour; ``limits`` (label ->
    lr) are drawn as labelled dashed lines (theory) and ``edges`` (name -> lr) as dotted lines
    in the optimizer's colour (measured)."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        row_heights=[0.6, 0.4],
        subplot_titles=("Final loss − minimum loss", "Steps to reach the tolerance"),
    )
    for k, (name, table) in enumerate(tables.items()):
        colour = optimizer_color(name)
        label = LABELS.get(name, name)
        for row, column, hover in (
            (1, "gap", "final loss − min=%{y:.3g}"),
            (2, "steps_to_tol", "steps to tol=%{y:.0f}"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=table["lr"],
                    y=table[column],
                    mode="lines+markers",
                    line=dict(color=colour, width=2),
                    marker=dict(size=5),
                    name=label,
                    legendgroup=name,
                    showlegend=row == 1,
                    hovertemplate=f"{label}<br>lr=%{{x:.4g}}<br>{hover}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        for lo, hi in divergent_ranges(table):
            fig.add_vrect(
                x0=lo,
                x1=hi,
                fillcolor=colour,
                opacity=0.12,
                line_width=0,
                layer="below",
                row="all",
                col=1,
            )
            fig.add_annotation(
                x=np.log10(np.sqrt(lo * hi)) if hi > lo else np.log10(lo),
                y=1.0 - 0.045 * k,
                xref="x",
                yref="paper",
                text=f"{label} diverges",
                showarrow=False,
                font=dict(color=colour, size=11),
                yanchor="top",
            )
    for text, lr in (limits or {}).items():
        fig.add_vline(x=lr, line=dict(color="black", dash="dash", width=1.5), row="all", col=1)
        fig.add_annotation(  # annotations on a log axis take log10 positions, shapes do not
            x=np.log10(lr),
            y=0.0,
            xref="x",
            yref="paper",
            text=f"{text} = {lr:.4g}",
            textangle=-90,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font=dict(size=11),
        )
    for name, lr in (edges or {}).items():
        fig.add_vline(
            x=lr,
            line=dict(color=optimizer_color(name), dash="dot", width=2.5),
            row="all",
            col=1,
        )
    fig.update_xaxes(type="log", title_text="learning rate", row=2, col=1)
    fig.update_xaxes(type="log", row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=2, col=1)
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.06, x=0),
        hovermode="closest",
    )
    return fig
