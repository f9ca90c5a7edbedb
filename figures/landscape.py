"""The MLP's loss landscape: the training loss on a plane through weight space, with every
optimizer's path projected onto it and animated over the epochs (pure plotly, no streamlit).

The surface is drawn like ``figures.surface.base_figure``: filled log-loss contours as a banded
PNG in the layout (the grid, interpolated to ``IMAGE`` pixels so the bands are smooth), plus an
invisible trace for the hover values and the colour bar. Frames carry only each run's trail
(its path so far) and head, so they play with ``"redraw": False`` over a surface that never
flickers. The faint full path of each run stays in the base figure.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from figures.mlp import FRAME_MS, MAX_FRAMES, frame_epochs
from figures.palette import MARKER_COLORS, optimizer_color
from figures.player import add_player
from figures.race import packed
from figures.style import lecture_style
from figures.surface import COLORSCALE, banded_rgb, png_data_uri
from scenes.optimizer_settings import LABELS

IMAGE = (640, 400)  # width and height in pixels of the interpolated surface image
LEVELS = 30  # colour bands
TOP_MARGIN = 120  # pixels above the plot: the title and two rows of legend


def log_loss(loss: np.ndarray) -> np.ndarray:
    """``log10`` of the loss grid, non-finite values (a blown-up corner) at the largest finite
    value and zeros at the smallest positive one, so every value has a colour."""
    finite = loss[np.isfinite(loss)]
    positive = finite[finite > 0]
    if not positive.size:
        return np.zeros_like(loss)
    clipped = np.clip(np.nan_to_num(loss, nan=np.inf), positive.min(), positive.max())
    return np.log10(clipped)


def upsample(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear interpolation of ``z`` ``(len(ys), len(xs))`` onto ``size = (width, height)``
    evenly spaced points over the same ranges: ``(height, width)``, rows along ``ys``."""
    px, py = np.linspace(xs[0], xs[-1], size[0]), np.linspace(ys[0], ys[-1], size[1])
    rows = np.array([np.interp(px, xs, row) for row in z])
    return np.array([np.interp(py, ys, column) for column in rows.T]).T


def _digits(ls) -> int:
    """Decimals that resolve 1e-4 of the larger axis span (a fraction of a pixel)."""
    span = max(ls.alphas[-1] - ls.alphas[0], ls.betas[-1] - ls.betas[0])
    return max(0, 4 - math.floor(math.log10(span)))


def _surface(ls, showscale: bool = True) -> tuple[dict, go.Scatter]:
    """The layout image of the log loss and the invisible hover and colour-bar trace."""
    z = log_loss(ls.loss)
    xs, ys = ls.alphas, ls.betas
    image = dict(
        source=png_data_uri(banded_rgb(upsample(xs, ys, z, IMAGE), LEVELS)[::-1]),  # top row first
        xref="x",
        yref="y",
        x=xs[0],
        y=ys[-1],
        sizex=xs[-1] - xs[0],
        sizey=ys[-1] - ys[0],
        sizing="stretch",
        layer="below",
    )
    lo, hi = float(z.min()), float(z.max())
    ticks = np.linspace(lo, hi, 6)
    colorbar = dict(
        title=dict(text="training loss", side="right"),
        thickness=14,
        tickvals=ticks,
        ticktext=[f"{10**t:.3g}" for t in ticks],
    )
    A, B = np.meshgrid(xs, ys)
    digits = _digits(ls)
    carrier = go.Scatter(
        x=np.round(A.ravel(), digits),
        y=np.round(B.ravel(), digits),
        customdata=[float(f"{v:.4g}") if np.isfinite(v) else None for v in ls.loss.ravel()],
        mode="markers",
        name="loss",
        showlegend=False,
        marker=dict(
            size=8,
            opacity=0,
            color=np.full(A.size, lo),
            colorscale=COLORSCALE,
            cmin=lo,
            cmax=hi if hi > lo else lo + 1,
            showscale=showscale,
            colorbar=colorbar,
        ),
        hovertemplate="α=%{x:.3g}<br>β=%{y:.3g}<br>loss=%{customdata:.4g}<extra></extra>",
    )
    return image, carrier


def _at(epochs: np.ndarray, epoch: int) -> int:
    """How many of a run's snapshots are at or before ``epoch`` (at least 1: a diverged run
    holds its last finite one)."""
    return max(1, int(np.searchsorted(epochs, epoch, side="right")))


def axis_titles(ls) -> tuple[str, str]:
    """PCA: each direction with its share of the paths; random: the kind of direction."""
    if ls.plane.kind == "pca":
        ev1, ev2 = ls.explained_variance
        return f"α: 1st principal direction ({ev1:.0%})", f"β: 2nd principal direction ({ev2:.0%})"
    return "α: random direction 1 (filter-normalised)", "β: random direction 2"


def landscape_figure(
    ls,
    *,
    height: int = 560,
    max_frames: int = MAX_FRAMES,
    frame_ms: int = FRAME_MS,
    present: bool = False,
) -> go.Figure:
    """The loss landscape ``ls`` (a ``scenes.playground.Landscape``) with every run's path.

    Traces: the hover/colour-bar carrier, then per run a faint full path, its trail (path up to
    the frame's epoch) and its head (legend entry: the optimizer and the share of its path the
    plane holds), then the start and the anchor (star). Frames, one per shown epoch (the
    snapshot epochs, at most ``max_frames``, as the decision-boundary slider), update only the
    trails and heads. The figure opens at the last epoch; Play runs from epoch 0.
    """
    image, carrier = _surface(ls)
    fig = go.Figure([carrier])
    fig.add_layout_image(image)
    digits = _digits(ls)
    shown = frame_epochs([int(e) for epochs in ls.epochs for e in epochs], max_frames)
    last = shown[-1]
    animated = []
    for name, epochs, path, share in zip(ls.names, ls.epochs, ls.paths, ls.captured, strict=True):
        label, colour = LABELS.get(name, name), optimizer_color(name)
        fig.add_trace(
            go.Scatter(
                x=packed(path[:, 0], digits),
                y=packed(path[:, 1], digits),
                mode="lines",
                line=dict(color=colour, width=1.5),
                opacity=0.35,
                legendgroup=name,
                showlegend=False,
                hoverinfo="skip",
            )
        )
        animated.append(len(fig.data))
        k = _at(epochs, last)
        fig.add_trace(
            go.Scatter(
                x=packed(path[:k, 0], digits),
                y=packed(path[:k, 1], digits),
                mode="lines",
                line=dict(color=colour, width=3),
                legendgroup=name,
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=packed(path[k - 1 : k, 0], digits),
                y=packed(path[k - 1 : k, 1], digits),
                mode="markers",
                marker=dict(size=12, color=colour, line=dict(width=1.5, color="black")),
                legendgroup=name,
                name=f"{label}: {share:.0%} of its path in the plane"
                if ls.plane.kind == "pca"
                else f"{label}: {share:.1%} of its path in the plane",
                hovertemplate=f"{label}<br>α=%{{x:.4g}}<br>β=%{{y:.4g}}<extra></extra>",
            )
        )
    start = ls.paths[ls.anchor][0] if len(ls.paths[ls.anchor]) else np.zeros(2)
    for point, symbol, colour, label, size in (
        (start, "circle", MARKER_COLORS["start"], "initial weights", 11),
        ((0.0, 0.0), "star", MARKER_COLORS["global"], _anchor_label(ls), 16),
    ):
        fig.add_trace(
            go.Scatter(
                x=[round(float(point[0]), digits)],
                y=[round(float(point[1]), digits)],
                mode="markers",
                name=label,
                marker=dict(
                    symbol=symbol, size=size, color=colour, line=dict(width=1.5, color="black")
                ),
                hovertemplate=f"{label}<br>α=%{{x:.4g}}<br>β=%{{y:.4g}}<extra></extra>",
            )
        )
    frames = []
    for epoch in shown:
        data = []
        for epochs, path in zip(ls.epochs, ls.paths, strict=True):
            k = _at(epochs, epoch)
            data.append(_xy(path[:k], digits))
            data.append(_xy(path[k - 1 : k], digits))
        traces = [i for first in animated for i in (first, first + 1)]
        frames.append(dict(name=str(epoch), data=data, traces=traces))
    fig.frames = frames
    add_player(
        fig,
        [str(e) for e in shown],
        frame_ms,
        prefix="epoch ",
        active=len(shown) - 1,
        restart=True,
        y=-0.12,
    )
    x_title, y_title = axis_titles(ls)
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=TOP_MARGIN, b=120),
        plot_bgcolor="white",
        # the title at the top of the figure, the legend's rows between it and the plot
        title=dict(text=_subtitle(ls), x=0, y=1, yref="container", yanchor="top", pad=dict(t=6)),
        xaxis=dict(
            title=x_title,
            range=[ls.alphas[0], ls.alphas[-1]],
            autorange=False,
            showgrid=False,
            zeroline=False,
        ),
        yaxis=dict(
            title=y_title,
            range=[ls.betas[0], ls.betas[-1]],
            autorange=False,
            showgrid=False,
            zeroline=False,
        ),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0),
    )
    lecture_style(fig, present)
    fig.layout.sliders[0].currentvalue.font.color = "#262730"  # its tick labels stay hidden
    return fig


def _xy(points: np.ndarray, digits: int) -> dict:
    return dict(type="scatter", x=packed(points[:, 0], digits), y=packed(points[:, 1], digits))


def _anchor_label(ls) -> str:
    name = ls.names[ls.anchor]
    return f"final weights of {LABELS.get(name, name)} (the plane's centre)"


def _subtitle(ls) -> str:
    """What the plane holds of all paths together."""
    if ls.plane.kind == "pca":
        ev1, ev2 = ls.explained_variance
        return (
            f"The plane holds {ls.captured_total:.0%} of the paths' squared distance from the "
            f"star ({ev1:.0%} + {ev2:.0%}): a 2-D view of {ls.plane.origin.size:,} weights"
        )
    return (
        f"Random plane: it holds {ls.captured_total:.1%} of the paths' squared distance from "
        f"the star: a 2-D view of {ls.plane.origin.size:,} weights"
    )
