"""Figures for the minima lab: basin-of-attraction maps and the multi-start animation.

Pure plotly (no streamlit). Basin maps colour every start by where it ends, with the global
minima in warm colours, local minima (listed, then found by polishing) in cool colours,
"other" tan, "not converged" grey and "diverged" black, and the surface's level lines drawn
thin and translucent on top.

Each map is a PNG in the layout (a palette image, a few kilobytes per map whatever the grid),
not a heatmap trace: four 300 x 300 heatmaps with their hover labels were 7 MB of JSON. An
invisible grid of markers, coarser than the map, says on hover where a start ends. The maps
are laid out for the width and height the page has (``maps_layout``): side by side, or two
rows, with the legend beside or below them, whichever gives the largest maps.

The multi-start animation draws on the surface image of ``figures.surface``; frames hold only
the moving traces: each run's head, a short trail that fades with age for a few of them, and a
scoreboard that counts where the runs have settled so far, so the ending is not told before it
happens. The animation stops at the last step any run moved.
"""

from __future__ import annotations

import base64
import io
import math
from itertools import cycle

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from figures.palette import BASIN_COOL, BASIN_OTHER, BASIN_WARM, optimizer_color
from figures.player import add_player
from figures.race import decimals, packed
from figures.style import lecture_style, sizes
from figures.surface import critical_point_traces, display_scale, surface_layers
from scenes.basins import categories, settle_steps
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


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


# ----------------------------------------------------------------------------------------------
# Basin maps

IMAGE_PX = 600  # a map's image has at least this many pixels per side (each start a square)
CONTOUR_LEVELS = 12  # level lines over the basin colours, equally spaced in the surface's scale
CONTOUR_SHADE = 0.6  # a level line's pixel keeps this share of the basin colour under it
HOVER_GRID = 30  # hover points per side of a map


def map_pixels(surface, codes: np.ndarray, colours, contours: bool = True):
    """A basin map as palette pixels: ``index`` (R, R) uint8 or uint16 into ``palette`` (P, 3)
    uint8, row 0 at the top (y largest), for ``codes`` (n, n) with codes[i, j] the start
    (xs[j], ys[i]) of ``scenes.basins.grid_starts``.

    Each start is an s x s square of pixels (s = ceil(IMAGE_PX / n)) centred on the start, so
    the image spans the domain widened by half a grid cell on every side. With ``contours``
    the surface's level lines (``CONTOUR_LEVELS`` equal bands of its display scale, log-spaced
    where ``surface.log_scale``) darken the basin colour to ``CONTOUR_SHADE`` along the band
    edges, one pixel wide: thin translucent lines that keep the basin colour readable.
    """
    n = codes.shape[0]
    s = math.ceil(IMAGE_PX / n)
    index = np.repeat(np.repeat(codes[::-1], s, axis=0), s, axis=1)
    base = np.array([_rgb(c) for c in colours], dtype=np.uint8)
    if not contours:
        return index.astype(np.uint8 if len(base) <= 256 else np.uint16), base
    (x0, x1), (y0, y1) = surface.domain
    size = n * s
    cx, cy = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)  # a grid cell
    xs = x0 - cx / 2 + (np.arange(size) + 0.5) * (cx * n / size)
    ys = y1 + cy / 2 - (np.arange(size) + 0.5) * (cy * n / size)
    X, Y = np.meshgrid(xs, ys)
    z, _ = display_scale(surface, surface.value(np.stack([X, Y], axis=-1)))
    finite = np.isfinite(z)
    lo, hi = (np.min(z[finite]), np.max(z[finite])) if finite.any() else (0.0, 1.0)
    band = np.clip(((np.where(finite, z, hi) - lo) / ((hi - lo) or 1.0) * CONTOUR_LEVELS), 0, None)
    band = np.minimum(band.astype(int), CONTOUR_LEVELS - 1)
    edge = np.zeros(band.shape, dtype=bool)
    edge[:-1] |= band[:-1] != band[1:]
    edge[:, :-1] |= band[:, :-1] != band[:, 1:]
    palette = np.concatenate([base, (CONTOUR_SHADE * base).astype(np.uint8)])
    index = np.where(edge, index + len(base), index)
    return index.astype(np.uint8 if len(palette) <= 256 else np.uint16), palette


def png_uri(index: np.ndarray, palette: np.ndarray) -> str:
    """Palette pixels (``map_pixels``) as a PNG data URI: an 8-bit palette PNG when there are
    at most 256 colours (a third of an RGB image's bytes before compression), else RGB."""
    if len(palette) <= 256:
        image = Image.fromarray(np.ascontiguousarray(index, dtype=np.uint8), "P")
        image.putpalette(palette.astype(np.uint8).ravel().tolist())
    else:
        image = Image.fromarray(np.ascontiguousarray(palette[index]), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _minima_traces(surface, axes: dict, showlegend: bool) -> list[go.Scatter]:
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
                textfont=dict(color="white"),
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
                **axes,
            )
        )
    return traces


def _legend_entries(surface, labels, colours, present_codes: set) -> list[tuple[str, str]]:
    """(label, colour) of the legend: every listed minimum (by its number on the map), the
    other outcomes that occur, the first few unlisted minima that occur (Rastrigin's lattice
    would fill the page) and how many more there are."""
    m = len(surface.minima)
    found_codes = sorted(code for code in present_codes if code >= m + 3)
    out = []
    for code, (label, colour) in enumerate(zip(labels, colours, strict=True)):
        if (code >= m and code not in present_codes) or code in found_codes[FOUND_IN_LEGEND:]:
            continue
        out.append((str(label), colour))
    if len(found_codes) > FOUND_IN_LEGEND:
        out.append((f"+ {len(found_codes) - FOUND_IN_LEGEND} more local minima (hover)", None))
    return out


def maps_layout(count: int, width: int, height: int, labels: list[str], present: bool = False):
    """Where ``count`` square maps go in a figure ``width`` x (at most) ``height`` pixels, with
    a legend of ``labels``: rows, columns, the maps' side in pixels, the legend beside or below
    them, and the margins. Tries one to ``count`` rows and both legend places and keeps the
    largest maps (ties: fewer rows)."""
    px = sizes(present)
    char = 0.56 * px["text"]  # average width of a character of the legend's font
    swatch = 2.6 * px["text"]  # marker and gap before a legend label
    row_px = 1.7 * px["text"]
    top = 1.9 * px["title"]  # the maps' titles
    bottom = px["tick"] + px["title"] + 30  # x tick labels and the axis title
    left = 3.0 * px["tick"] + px["title"] + 22  # y tick labels and the axis title
    gap_x, gap_y = 0.9 * px["tick"], top + 6  # no tick labels between maps
    widths = [swatch + char * len(label) for label in labels]
    best = None
    for rows in range(1, count + 1):
        cols = math.ceil(count / rows)
        for place in ("right", "below"):
            right, below = 12.0, 0.0
            if place == "right":
                right = min(max(widths, default=0) + 24, 0.4 * width)
            else:
                usable, lines, used = width - left - right, 1, 0.0
                for w in widths:
                    if used and used + w > usable:
                        lines, used = lines + 1, 0.0
                    used += w + 12
                below = lines * row_px + 12
            side = min(
                (width - left - right - (cols - 1) * gap_x) / cols,
                (height - top - bottom - below - (rows - 1) * gap_y) / rows,
            )
            if best is None or side > best["side"] + 1:
                best = dict(rows=rows, cols=cols, side=side, legend=place)
                best.update(left=left, right=right, top=top, bottom=bottom + below)
                best.update(gap_x=gap_x, gap_y=gap_y, below=below)
    best["side"] = max(best["side"], 120.0)
    best["height"] = int(
        best["top"] + best["bottom"] + best["rows"] * best["side"] + (best["rows"] - 1) * gap_y
    )
    return best


def maps_figure(
    surface,
    maps: dict[str, np.ndarray],
    found=(),
    *,
    width: int = 900,
    height: int = 545,
    contours: bool = True,
    present: bool = False,
) -> go.Figure:
    """Basin maps (title -> codes (n, n), codes[i, j] the outcome of the start (xs[j], ys[i])
    of ``scenes.basins.grid_starts``), one layout image per map with the minima marked and one
    shared legend; ``found`` (D, 2): the unlisted minima the codes refer to
    (``scenes.basins.combine``). Laid out by ``maps_layout`` for ``width`` x ``height``."""
    if not maps:
        raise ValueError("maps is empty: pass at least one optimizer's codes")
    cats = categories(surface, found)
    colours = category_colours(surface, found)
    m = len(surface.minima)
    # Hover and legend name listed minima by their number on the map, unlisted ones by place.
    labels = np.array([c.label.split(" (")[0] if k < m else c.label for k, c in enumerate(cats)])
    present_codes = set()
    for codes in maps.values():
        present_codes.update(np.unique(codes).tolist())
    entries = _legend_entries(surface, labels, colours, present_codes)
    box = maps_layout(len(maps), width, height, [label for label, _ in entries], present)
    plot_w = width - box["left"] - box["right"]
    plot_h = box["height"] - box["top"] - box["bottom"]
    side = box["side"]
    (x0, x1), (y0, y1) = surface.domain
    fig = go.Figure()
    layout = {}
    for i, (name, codes) in enumerate(maps.items()):
        row, col = divmod(i, box["cols"])
        suffix = "" if i == 0 else str(i + 1)
        n = codes.shape[0]
        cx, cy = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)
        xr, yr = [x0 - cx / 2, x1 + cx / 2], [y0 - cy / 2, y1 + cy / 2]
        left = col * (side + box["gap_x"])
        top = row * (side + box["gap_y"])
        x_domain = [left / plot_w, min((left + side) / plot_w, 1.0)]
        y_domain = [max(1 - (top + side) / plot_h, 0.0), 1 - top / plot_h]
        bottom_row = row == box["rows"] - 1 or i + box["cols"] >= len(maps)
        layout[f"xaxis{suffix}"] = dict(
            domain=x_domain,
            range=xr,
            anchor=f"y{suffix}",
            constrain="domain",
            constraintoward="left",
            showgrid=False,
            zeroline=False,
            ticks="outside",
            showticklabels=bottom_row,
            title="start x" if bottom_row and col == 0 else None,
        )
        layout[f"yaxis{suffix}"] = dict(
            domain=y_domain,
            range=yr,
            anchor=f"x{suffix}",
            scaleanchor=f"x{suffix}",
            scaleratio=1,
            constrain="domain",
            constraintoward="top",
            showgrid=False,
            zeroline=False,
            ticks="outside",
            showticklabels=col == 0,
            title="start y" if col == 0 else None,
        )
        index, palette = map_pixels(surface, codes, colours, contours)
        fig.add_layout_image(
            source=png_uri(index, palette),
            xref=f"x{suffix}",
            yref=f"y{suffix}",
            x=xr[0],
            y=yr[1],
            sizex=xr[1] - xr[0],
            sizey=yr[1] - yr[0],
            sizing="stretch",
            layer="below",
        )
        fig.add_annotation(
            text=name,
            xref="paper",
            yref="paper",
            x=(x_domain[0] + x_domain[1]) / 2,
            y=y_domain[1],
            yanchor="bottom",
            yshift=4,
            showarrow=False,
        )
        axes = dict(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        step = max(1, math.ceil(n / HOVER_GRID))
        rows_, cols_ = np.arange(0, n, step), np.arange(0, n, step)
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        HX, HY = np.meshgrid(xs[cols_], ys[rows_])
        fig.add_trace(
            go.Scatter(
                x=packed(HX.ravel(), 4),
                y=packed(HY.ravel(), 4),
                text=labels[codes[np.ix_(rows_, cols_)]].ravel().tolist(),
                mode="markers",
                marker=dict(size=max(6, int(side / HOVER_GRID)), opacity=0),
                name=name,
                showlegend=False,
                hovertemplate="start (%{x:.2f}, %{y:.2f})<br>ends: %{text}<extra></extra>",
                **axes,
            )
        )
        for trace in _minima_traces(surface, axes, showlegend=False):
            fig.add_trace(trace)
    for label, colour in entries:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker=dict(symbol="square", size=14, color=colour or "rgba(0,0,0,0)"),
                name=label,
                hoverinfo="skip",
            )
        )
    if box["legend"] == "right":
        used = box["cols"] * side + (box["cols"] - 1) * box["gap_x"]
        legend = dict(x=min(used / plot_w, 1.0) + 0.01, y=1, xanchor="left", yanchor="top")
    else:
        legend = dict(
            orientation="h",
            x=0,
            y=-(sizes(present)["tick"] + sizes(present)["title"] + 30) / plot_h,
            xanchor="left",
            yanchor="top",
        )
    fig.update_layout(
        **layout,
        height=box["height"],
        margin=dict(l=box["left"], r=box["right"], t=box["top"], b=box["bottom"], autoexpand=False),
        plot_bgcolor="white",
        hovermode="closest",
        legend=dict(**legend, traceorder="normal", itemclick=False, itemdoubleclick=False),
    )
    return lecture_style(fig, present)


# ----------------------------------------------------------------------------------------------
# Multi-start animation

MAX_FRAMES = 100
MIN_FRAMES = 30
FRAME_NUMBERS = 120_000  # coordinates in all frames together (about 640 kB as float32)
MAX_TRAILS = 20  # runs per optimizer drawn with a trail (every run has a head)
TAIL = 4  # frames a trail reaches back
WORDS = {  # outcome kind -> how the scoreboard counts it
    "global": "global",
    "local": "local",
    "other": "saddle or flat",
    "not converged": "still moving",
    "diverged": "diverged",
}
MAP_X = 0.62  # the map's share of the width at most; the scoreboard and legend to its right


def frame_steps(steps: int, max_frames: int) -> np.ndarray:
    """At most ``max_frames`` step indices from 0 to ``steps`` (both included), evenly spread."""
    return np.unique(np.linspace(0, steps, min(steps + 1, max_frames)).round().astype(int))


def _frame_budget(counts: list[int]) -> int:
    """Frames that keep the animation's coordinates under ``FRAME_NUMBERS``: per frame, each
    run's head (2 numbers) and, for trailed runs, TAIL + 2 points of trail and 3 of the
    recent segment (with the gaps that separate runs)."""
    per_frame = sum(2 * k + 2 * (TAIL + 2 + 3) * min(k, MAX_TRAILS) for k in counts)
    return int(np.clip(FRAME_NUMBERS // max(per_frame, 1), MIN_FRAMES, MAX_FRAMES))


def _polylines(points: np.ndarray) -> np.ndarray:
    """(K, L, 2) points as one line per run, separated by gaps: (K * (L + 1), 2)."""
    k, length, _ = points.shape
    out = np.full((k, length + 1, 2), np.nan)
    out[:, :length] = points
    return out.reshape(-1, 2)


def _scoreboard(label: str, kinds, settled: np.ndarray, end: bool) -> str:
    """One optimizer's line: how many of its runs have settled where, so far."""
    total = len(settled)
    if kinds is None:
        return f"{label}: {int(settled.sum())} of {total} settled"
    parts = []
    for kind, word in WORDS.items():
        count = int(np.sum(settled & (kinds == kind)))
        if count:
            parts.append(f"{count} {word}")
    moving = total - int(settled.sum())
    if moving and not end:
        parts.append(f"{moving} on the way")
    return f"{label} ({total} starts): " + " · ".join(parts)


def multistart_figure(
    surface,
    paths: dict[str, np.ndarray],
    kinds: dict[str, np.ndarray] | None = None,
    *,
    max_frames: int = MAX_FRAMES,
    frame_ms: int = 70,
    width: int = 900,
    height: int = 545,
    present: bool = False,
) -> go.Figure:
    """Animate many runs per optimizer (``paths``: name -> (K, T + 1, 2), the same starts for
    each) over the surface image; ``kinds`` (name -> (K,) outcome kinds of
    ``scenes.basins.categories``) feed the scoreboard.

    Frames are ``frame_steps(T, ...)``, at most ``max_frames`` and fewer for many runs
    (``_frame_budget``), and hold only the moving traces: per optimizer a trail over the last
    ``TAIL`` frames (pale) and the last frame (strong) for its first ``MAX_TRAILS`` runs, every
    run's head, then the scoreboard's text. A run counts on the scoreboard once it has settled
    (``scenes.basins.settle_steps``); until then it is "on the way". Pass paths cut at the last
    step any run moved (``scenes.basins.last_moving_step``) and the animation ends there.
    """
    if not paths:
        raise ValueError("paths is empty: pass at least one optimizer's paths")
    names = list(paths)
    arrays = {n: np.asarray(p, dtype=float) for n, p in paths.items()}
    k_runs, length, _ = arrays[names[0]].shape
    px = sizes(present)
    digits = decimals(surface.domain)
    frames = min(max_frames, _frame_budget([k_runs] * len(names)))
    shown = frame_steps(length - 1, frames)
    settle = {n: settle_steps(surface, p) for n, p in arrays.items()}

    top, bottom = 10, 2 * px["title"] + px["tick"] + 48  # the player under the map
    plot_h = height - top - bottom
    left, right = 3.0 * px["tick"] + 16, 10
    plot_w = max(width - left - right, 1)
    map_x = min(MAP_X, plot_h / plot_w)
    (x0, x1), (y0, y1) = surface.domain

    fig = go.Figure()
    image, carrier = surface_layers(surface, showscale=False)
    fig.add_trace(carrier)
    for marker in critical_point_traces(surface):
        fig.add_trace(marker)
    fig.add_layout_image(image)

    def state(f: int) -> list[dict]:
        step = int(shown[f])
        data = []
        for name in names:
            p = arrays[name]
            trail = shown[np.clip(np.arange(f - TAIL, f + 1), 0, None)]
            recent = shown[[max(f - 1, 0), f]]
            few = p[: min(k_runs, MAX_TRAILS)]
            for points in (_polylines(few[:, trail]), _polylines(few[:, recent]), p[:, step]):
                data.append(
                    dict(
                        type="scatter",
                        x=packed(points[:, 0], digits),
                        y=packed(points[:, 1], digits),
                    )
                )
        end = f == len(shown) - 1
        text = [
            _scoreboard(
                LABELS.get(n, n), None if kinds is None else kinds[n], settle[n] <= step, end
            )
            for n in names
        ]
        data.append(dict(type="scatter", text=text))
        return data

    first = iter(state(0))
    animated = []

    def add_animated(**trace) -> None:
        animated.append(len(fig.data))
        fig.add_trace(go.Scatter(**next(first), **trace))

    for name in names:
        label, colour = LABELS.get(name, name), optimizer_color(name)
        common = dict(showlegend=False, hoverinfo="skip", legendgroup=label)
        add_animated(mode="lines", line=dict(color=colour, width=2), opacity=0.35, **common)
        add_animated(mode="lines", line=dict(color=colour, width=3), opacity=0.9, **common)
        add_animated(
            mode="markers",
            marker=dict(color=colour, size=9, line=dict(width=1, color="black")),
            name=label,
            showlegend=False,
            legendgroup=label,
            hovertemplate=f"{label}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
        )
    spacing = 1.0
    rows = [spacing * i for i in range(len(names))][::-1]
    add_animated(
        x=[0.0] * len(names),
        y=rows,
        xaxis="x2",
        yaxis="y2",
        mode="markers+text",
        textposition="middle right",
        cliponaxis=False,
        marker=dict(
            size=13,
            color=[optimizer_color(n) for n in names],
            line=dict(width=1.5, color="black"),
        ),
        showlegend=False,
        hoverinfo="skip",
    )
    fig.frames = [
        dict(name=str(int(s)), data=state(f), traces=animated) for f, s in enumerate(shown)
    ]
    add_player(
        fig,
        [str(int(s)) for s in shown],
        frame_ms,
        y=-(px["tick"] + 16) / plot_h,
        length=map_x,
    )
    board_h = (len(names) + 1) * 2.0 * px["text"] / plot_h
    axis = dict(showgrid=False, zeroline=False, ticks="outside")
    fig.update_layout(
        height=height,
        margin=dict(l=left, r=right, t=top, b=bottom, autoexpand=False),
        plot_bgcolor="white",
        hovermode="closest",
        xaxis=dict(
            domain=[0, map_x],
            range=[x0, x1],
            constrain="domain",
            constraintoward="left",
            **axis,
        ),
        yaxis=dict(
            domain=[0, 1],
            range=[y0, y1],
            scaleanchor="x",
            scaleratio=1,
            constrain="domain",
            constraintoward="top",
            **axis,
        ),
        xaxis2=dict(domain=[map_x + 0.03, 1], range=[-0.02, 1], visible=False, fixedrange=True),
        yaxis2=dict(
            domain=[max(1 - board_h, 0.3), 1],
            range=[-0.6, len(names) - 0.4],
            visible=False,
            fixedrange=True,
        ),
        legend=dict(
            x=map_x + 0.03,
            y=max(1 - board_h, 0.3) - 0.03,
            xanchor="left",
            yanchor="top",
            itemclick=False,
            itemdoubleclick=False,
        ),
    )
    return lecture_style(fig, present)
