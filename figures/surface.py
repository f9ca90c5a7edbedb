"""The base figure every surface page draws on: filled contours plus the known critical points.

Pure plotly (no streamlit), so figure builders are unit-testable. Pages animate paths *on top*
of this figure; the contour stays in the base figure and never goes into animation frames.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

COLORSCALE = "Viridis"
MARKERS = {  # kind -> (marker symbol, colour, legend label)
    "start": ("circle-open", "white", "start"),
    "global": ("star", "gold", "global minimum"),
    "local": ("diamond", "orange", "local minimum"),
    "saddle": ("x", "red", "saddle point"),
}


def grid(surface, resolution: int = 160) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample the surface on its domain: xs (r,), ys (r,), Z (r, r) with Z[i, j] = f(xs[j], ys[i])."""
    (x0, x1), (y0, y1) = surface.domain
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, surface.value(np.stack([X, Y], axis=-1))


def log_levels(Z: np.ndarray, floor: float) -> np.ndarray:
    r"""Map loss values to :math:`\log_{10}(f - f_{min} + \delta)`, with :math:`\delta` a small
    fraction of the range, so that contours crowd where a log scale reads better."""
    span = float(np.nanmax(Z) - floor)
    delta = max(span * 1e-6, 1e-12)
    return np.log10(np.maximum(Z - floor, 0.0) + delta)


def contour_trace(surface, resolution: int = 160, ncontours: int = 30) -> go.Contour:
    """Filled contours of the surface, log-spaced where ``surface.log_scale`` asks for it.

    On a log scale the colour bar is labelled with the loss values themselves.
    """
    xs, ys, Z = grid(surface, resolution)
    colorbar = dict(title=dict(text="loss", side="right"), thickness=14)
    if surface.log_scale:
        floor = min(m.value for m in surface.minima)
        z = log_levels(Z, floor)
        ticks = np.linspace(z.min(), z.max(), 6)
        delta = 10 ** z.min() - max(Z.min() - floor, 0.0)
        colorbar.update(tickvals=ticks, ticktext=[f"{floor + 10**t - delta:.3g}" for t in ticks])
        hover = "x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>"
    else:
        z = Z
        hover = "x=%{x:.3f}<br>y=%{y:.3f}<br>loss=%{z:.4g}<extra></extra>"
    return go.Contour(
        x=np.round(xs, 6),
        y=np.round(ys, 6),
        z=np.round(z, 5),
        colorscale=COLORSCALE,
        ncontours=ncontours,
        contours=dict(coloring="fill", showlines=True),
        line=dict(width=0.5, color="rgba(255,255,255,0.35)"),
        colorbar=colorbar,
        hovertemplate=hover,
        name="surface",
        showlegend=False,
    )


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
                    line=dict(width=1.5, color="black" if kind != "start" else "white"),
                ),
                hovertemplate=f"{label}<br>x=%{{x:.4f}}<br>y=%{{y:.4f}}<extra></extra>",
            )
        )
    return traces


def base_figure(surface, start=None, resolution: int = 160, height: int = 560) -> go.Figure:
    """Contours, critical points and fixed axes on the surface's domain."""
    (x0, x1), (y0, y1) = surface.domain
    fig = go.Figure([contour_trace(surface, resolution), *critical_point_traces(surface, start)])
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis=dict(range=[x0, x1], title="x", constrain="domain", autorange=False),
        yaxis=dict(range=[y0, y1], title="y", scaleanchor="x", scaleratio=1, autorange=False),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0),
    )
    return fig
