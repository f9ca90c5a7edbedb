"""Figures for the minima lab: basin-of-attraction maps and the multi-start animation.

Pure plotly (no streamlit). Basin maps colour every start by where it ends, with the global
minima in warm colours, local minima (listed, then found by polishing) in cool colours,
"other" tan, "not converged" grey and "diverged" black. The animation draws on ``figures.surface.base_figure``: the surface stays in
the base figure as an image and the frames hold only the path traces.
"""

from __future__ import annotations

from itertools import cycle

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.palette import BASIN_COOL, BASIN_OTHER, BASIN_WARM, optimizer_color
from figures.player import add_player
from figures.surface import base_figure
from scenes.basins import categories
from scenes.optimizer_settings import LABELS

MINIMUM_SYMBOL = {"global": "star", "local": "diamond"}
FOUND_IN_LEGEND = 6  # legend swatches for unlisted minima found by polishing; hover names all


def category_colours(surface, found=()) -> list[str]:
    """One colour per category code of ``scenes.basins.categories(surface, found)``."""
    warm, cool = cycle(BASIN_WARM), cycle(BASIN_COOL)
    out = []
    for cat in categories(surface, found):
        if cat.kind == "global":
            out.append(next(warm))
        elif cat.kind == "local":
            out.append(next(cool))
        else:
            out.append(BASIN_OTHER[cat.kind])
    return out


def _discrete_colorscale(colours: list[str]) -> list[list]:
    """A colour scale that maps the integer z = k (with zmin=-0.5, zmax=len-0.5) to colours[k]."""
    n = len(colours)
    scale = []
    for k, colour in enumerate(colours):
        scale += [[k / n, colour], [(k + 1) / n, colour]]
    return scale


def _minima_trace(surface, showlegend: bool) -> list[go.Scatter]:
    """White-filled numbered markers for the minima (readable over any basin colour)."""
    traces = []
    for kind in ("global", "local"):
        numbered = [(i + 1, m.point) for i, m in enumerate(surface.minima) if m.kind == kind]
        if not numbered:
            continue
        pts = np.array([p for _, p in numbered])
        traces.append(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                mode="markers+text",
                text=[str(i) for i, _ in numbered],
                textposition="top center",
                textfont=dict(color="white", size=13),
                marker=dict(
                    symbol=MINIMUM_SYMBOL[kind],
                    size=15 if kind == "global" else 12,
                    color="white",
                    line=dict(width=2, color="black"),
                ),
                name=f"{kind} minimum",
                legendgroup=f"marker-{kind}",
                showlegend=showlegend,
                hovertemplate=f"{kind} minimum %{{text}}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
            )
        )
    return traces


def basin_maps(
    surface,
    xs: np.ndarray,
    ys: np.ndarray,
    maps: dict[str, np.ndarray],
    found=(),
    height: int = 440,
) -> go.Figure:
    """Side-by-side basin maps, one heatmap per entry of ``maps`` (title -> codes (n, n) with
    codes[i, j] the outcome of the start (xs[j], ys[i])), minima marked, one shared legend.
    ``found`` (D, 2): the unlisted minima the codes refer to (``scenes.basins.combine``)."""
    cats = categories(surface, found)
    colours = category_colours(surface, found)
    m = len(surface.minima)
    # Listed minima are numbered on the map, so hover names them by number; found ones by place.
    labels = np.array([c.label.split(" (")[0] if k < m else c.label for k, c in enumerate(cats)])
    dtype = np.uint8 if len(cats) <= 256 else np.uint16
    fig = make_subplots(rows=1, cols=len(maps), subplot_titles=list(maps), horizontal_spacing=0.04)
    present = set()
    for col, (title, codes) in enumerate(maps.items(), start=1):
        present.update(np.unique(codes).tolist())
        fig.add_trace(
            go.Heatmap(
                x=np.round(xs, 4),
                y=np.round(ys, 4),
                z=codes.astype(dtype),
                text=labels[codes],
                zmin=-0.5,
                zmax=len(cats) - 0.5,
                colorscale=_discrete_colorscale(colours),
                showscale=False,
                name=title,
                hovertemplate="start (%{x:.2f}, %{y:.2f})<br>ends: %{text}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        for trace in _minima_trace(surface, showlegend=col == 1):
            fig.add_trace(trace, row=1, col=col)
    # Legend swatches: every listed minimum, and the other outcomes and the first few found
    # minima that occur in some map (Rastrigin's lattice would fill the page).
    found_codes = sorted(code for code in present if code >= m + 3)
    for code, (cat, colour) in enumerate(zip(cats, colours, strict=True)):
        if (code >= m and code not in present) or code in found_codes[FOUND_IN_LEGEND:]:
            continue
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker=dict(symbol="square", size=14, color=colour),
                name=cat.label,
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
    (x0, x1), (y0, y1) = surface.domain
    for col in range(1, len(maps) + 1):
        suffix = "" if col == 1 else str(col)
        fig.update_layout(
            {
                f"xaxis{suffix}": dict(range=[x0, x1], title="start x", constrain="domain"),
                f"yaxis{suffix}": dict(
                    range=[y0, y1],
                    title="start y" if col == 1 else None,
                    scaleanchor=f"x{suffix}",
                    scaleratio=1,
                    constrain="domain",
                ),
            }
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0),
    )
    return fig


def frame_steps(steps: int, max_frames: int) -> np.ndarray:
    """At most ``max_frames`` step indices from 0 to ``steps`` (both included), evenly spread."""
    return np.unique(np.linspace(0, steps, min(steps + 1, max_frames)).round().astype(int))


def _path_traces(paths: dict[str, np.ndarray], shown: np.ndarray, f: int, tail: int) -> list:
    """For each optimizer: a short trail over the last ``tail`` frames, and the current heads."""
    traces = []
    for name, path in paths.items():
        label, colour = LABELS.get(name, name), optimizer_color(name)
        # float32 after rounding to 1e-3: plotly sends arrays as binary, so this halves frames.
        window = np.round(path[:, shown[max(f - tail, 0) : f + 1]], 3).astype(np.float32)
        gap = np.full((len(path), 1, 2), np.nan, dtype=np.float32)  # breaks the line
        trail = np.concatenate([window, gap], axis=1).reshape(-1, 2)
        heads = window[:, -1]
        traces.append(
            go.Scatter(
                x=trail[:, 0],
                y=trail[:, 1],
                mode="lines",
                line=dict(color=colour, width=1.5),
                opacity=0.7,
                legendgroup=label,
                showlegend=False,
                hoverinfo="skip",
            )
        )
        traces.append(
            go.Scatter(
                x=heads[:, 0],
                y=heads[:, 1],
                mode="markers",
                marker=dict(color=colour, size=7, line=dict(width=1, color="black")),
                name=label,
                legendgroup=label,
                hovertemplate=f"{label}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
            )
        )
    return traces


def multistart_figure(
    surface,
    paths: dict[str, np.ndarray],
    max_frames: int = 50,
    tail: int = 4,
    height: int = 620,
    frame_ms: int = 200,
) -> go.Figure:
    """Animate many runs per optimizer on the contour (``paths``: optimizer name -> (K, T + 1, 2)).

    Each optimizer is drawn as its current positions (markers) with a short trail. Frames are
    ``frame_steps(T, max_frames)`` and contain only these path traces, coordinates rounded to
    1e-3, so the payload grows linearly with the number of frames.

    The surface is ``base_figure``'s image, which ``animate`` never redraws.
    """
    fig = base_figure(surface, height=height)
    first = len(fig.data)
    steps = next(iter(paths.values())).shape[1] - 1
    shown = frame_steps(steps, max_frames)
    for trace in _path_traces(paths, shown, 0, tail):
        fig.add_trace(trace)
    indices = list(range(first, len(fig.data)))
    fig.frames = [
        go.Frame(name=str(step), data=_path_traces(paths, shown, f, tail), traces=indices)
        for f, step in enumerate(shown)
    ]
    add_player(fig, [str(step) for step in shown], frame_ms, y=-0.08)
    fig.update_layout(margin=dict(l=10, r=10, t=40, b=90))
    return fig
