"""The base figure every surface page draws on: the surface as filled contours, plus the known
critical points.

Pure plotly (no streamlit), so figure builders are unit-testable. Pages animate paths *on top*
of this figure. In the animated base figure the surface is a banded PNG in the layout (filled
contours drawn as pixels), not a contour trace: plotly re-runs a contour trace's marching squares
on every redrawn frame, and in Chromium the contour stayed blank while an animation played.
A layout image is untouched by ``animate`` with ``"redraw": False``, so paths move smoothly over
a surface that never flickers, and the PNG is smaller than the contour's JSON.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.colors import sample_colorscale, unlabel_rgb

from figures.palette import MARKER_COLORS, SURFACE_COLORSCALE

COLORSCALE = SURFACE_COLORSCALE
MARKERS = {  # kind -> (marker symbol, colour, legend label); black edges: visible on any colour
    "start": ("circle", MARKER_COLORS["start"], "start"),
    "global": ("star", MARKER_COLORS["global"], "global min"),
    "local": ("diamond", MARKER_COLORS["local"], "local min"),
    "saddle": ("x", MARKER_COLORS["saddle"], "saddle"),
}


def grid(surface, resolution: int = 160) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample the surface on its domain: xs (r,), ys (r,), Z (r, r) with Z[i, j] = f(xs[j], ys[i])."""
    (x0, x1), (y0, y1) = surface.domain
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, surface.value(np.stack([X, Y], axis=-1))


def log_map(Z: np.ndarray, floor: float, relative: float = 1e-6):
    r"""The map :math:`f \mapsto \log_{10}(f - f_{min} + \delta)` with :math:`\delta` fixed by the
    grid ``Z`` (a ``relative`` fraction of its range), so that other values, such as the losses
    along a path, land on the same scale as the grid."""
    delta = max(float(np.nanmax(Z) - floor) * relative, 1e-12)
    return lambda values: np.log10(np.maximum(values - floor, 0.0) + delta)


def log_levels(Z: np.ndarray, floor: float) -> np.ndarray:
    """``Z`` on its own ``log_map``: contours crowd where a log scale reads better."""
    return log_map(Z, floor)(Z)


def display_scale(surface, Z: np.ndarray) -> tuple[np.ndarray, dict]:
    """The values to colour by and a colour bar labelled in loss units.

    Log-scale surfaces are coloured by ``log_levels`` and their colour bar ticks show the loss
    values themselves.
    """
    colorbar = dict(title=dict(text="loss", side="right"), thickness=14)
    if not surface.log_scale:
        return Z, colorbar
    floor = min(m.value for m in surface.minima)
    z = log_levels(Z, floor)
    ticks = np.linspace(np.nanmin(z), np.nanmax(z), 6)
    delta = 10 ** np.nanmin(z) - max(np.nanmin(Z) - floor, 0.0)
    colorbar.update(tickvals=ticks, ticktext=[f"{floor + 10**t - delta:.3g}" for t in ticks])
    return z, colorbar


def contour_trace(surface, resolution: int = 160, ncontours: int = 30) -> go.Contour:
    """Filled contours of the surface, log-spaced where ``surface.log_scale`` asks for it.

    For static figures; animated ones use ``base_figure``'s image (see the module docstring).
    """
    xs, ys, Z = grid(surface, resolution)
    z, colorbar = display_scale(surface, Z)
    hover = "x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>"
    if not surface.log_scale:
        hover = "x=%{x:.3f}<br>y=%{y:.3f}<br>loss=%{z:.4g}<extra></extra>"
    return go.Contour(
        x=np.round(xs, 6),
        y=np.round(ys, 6),
        z=np.round(z, 5),
        colorscale=COLORSCALE,
        ncontours=ncontours,
        contours=dict(coloring="fill", showlines=True),
        line=dict(width=0.5, color="rgba(0,0,0,0.15)"),
        colorbar=colorbar,
        hovertemplate=hover,
        name="surface",
        showlegend=False,
    )


def band_colours(levels: int, colorscale=COLORSCALE) -> np.ndarray:
    """(levels, 3) uint8 RGB: the colour scale sampled at the middle of each band."""
    samples = sample_colorscale(colorscale, list((np.arange(levels) + 0.5) / levels))
    return np.array([unlabel_rgb(c) for c in samples], dtype=np.uint8)


def banded_rgb(z: np.ndarray, levels: int = 30, colorscale=COLORSCALE) -> np.ndarray:
    """Filled contours as pixels: (r, c) values -> (r, c, 3) uint8 in ``levels`` equal bands
    between min and max, with band edges darkened like the contour lines of ``contour_trace``.
    Non-finite values take the top band."""
    lo, hi = np.nanmin(z), np.nanmax(z)
    scaled = (np.nan_to_num(z, nan=hi, posinf=hi) - lo) / ((hi - lo) or 1.0)
    band = np.clip((scaled * levels).astype(int), 0, levels - 1)
    rgb = band_colours(levels, colorscale)[band]
    edge = np.zeros(band.shape, dtype=bool)
    edge[:-1] |= band[:-1] != band[1:]
    edge[:, :-1] |= band[:, :-1] != band[:, 1:]
    rgb[edge] = (0.85 * rgb[edge]).astype(np.uint8)
    return rgb


def png_data_uri(rgb: np.ndarray) -> str:
    """An (h, w, 3) uint8 image as a PNG data URI (Pillow, best compression)."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB").save(
        buffer, format="PNG", optimize=True
    )
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def surface_layers(
    surface,
    resolution: int = 400,
    levels: int = 30,
    hover_grid: int = 40,
    colorscale=COLORSCALE,
    showscale: bool = True,
):
    """The surface as a layout image (banded PNG) plus one invisible trace that carries the
    colour bar and shows x, y and the loss on hover (and can be clicked, for pages that
    select points on it)."""
    xs, ys, Z = grid(surface, resolution)
    z, colorbar = display_scale(surface, Z)
    (x0, x1), (y0, y1) = surface.domain
    image = dict(
        source=png_data_uri(banded_rgb(z, levels, colorscale)[::-1]),  # PNG rows start at y1
        xref="x",
        yref="y",
        x=x0,
        y=y1,
        sizex=x1 - x0,
        sizey=y1 - y0,
        sizing="stretch",
        layer="below",
    )
    hx, hy, hz = grid(surface, hover_grid)
    HX, HY = np.meshgrid(hx, hy)
    z_min, z_max = float(np.nanmin(z)), float(np.nanmax(z))
    carrier = go.Scatter(
        x=np.round(HX.ravel(), 5),
        y=np.round(HY.ravel(), 5),
        customdata=np.round(hz.ravel(), 6),
        mode="markers",
        name="surface",
        showlegend=False,
        marker=dict(
            size=8,
            opacity=0,
            color=np.full(HX.size, z_min),
            colorscale=colorscale,
            cmin=z_min,
            cmax=z_max,
            showscale=showscale,
            colorbar=colorbar,
        ),
        hovertemplate="x=%{x:.3f}<br>y=%{y:.3f}<br>loss=%{customdata:.4g}<extra></extra>",
    )
    return image, carrier


def critical_point_traces(surface, start=None) -> list[go.Scatter]:
    """Markers for the global and local minima, the saddle points and (optionally) the start."""
    groups = {
        "global": [m.point for m in surface.minima if m.kind == "global"],
        "local": [m.point for m in surface.minima if m.kind == "local"],
        "saddle": list(surface.saddles),
        "start": [] if start is None else [tuple(start)],
    }
    traces = []
    for kind, points in groups.items():
        if not points:
            continue
        symbol, colour, label = MARKERS[kind]
        pts = np.array(points, dtype=float)
        traces.append(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                mode="markers",
                name=label,
                marker=dict(
                    symbol=symbol,
                    size=14 if kind == "global" else 11,
                    color=colour,
                    line=dict(width=1.5, color="black"),
                ),
                hovertemplate=f"{label}<br>x=%{{x:.4f}}<br>y=%{{y:.4f}}<extra></extra>",
            )
        )
    return traces


def base_figure(
    surface,
    start=None,
    resolution: int = 400,
    height: int = 560,
    colorscale=COLORSCALE,
    showscale: bool = True,
) -> go.Figure:
    """The surface (banded image, see ``surface_layers``), its critical points and fixed axes
    on its domain (paths that leave it are clipped at its edge). Animate on top with
    ``figures.player`` and ``redraw=False``: the image is never redrawn."""
    (x0, x1), (y0, y1) = surface.domain
    image, carrier = surface_layers(surface, resolution, colorscale=colorscale, showscale=showscale)
    fig = go.Figure([carrier, *critical_point_traces(surface, start)])
    fig.add_layout_image(image)
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        plot_bgcolor="white",
        xaxis=dict(
            range=[x0, x1],
            title="x",
            constrain="domain",
            autorange=False,
            showgrid=False,
            zeroline=False,
        ),
        yaxis=dict(
            range=[y0, y1],
            title="y",
            scaleanchor="x",
            scaleratio=1,
            autorange=False,
            constrain="domain",
            showgrid=False,
            zeroline=False,
        ),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0),
    )
    return fig
