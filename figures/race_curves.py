"""Companions of the race figure: loss and gradient norm against step, and the 3D view."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.palette import SURFACE_COLORSCALE, optimizer_color
from figures.race import decimals, packed
from figures.surface import grid, log_map
from scenes.optimizer_settings import LABELS

MAX_POINTS = 1000  # per curve; longer runs are thinned evenly


def _thin(n: int) -> np.ndarray:
    """At most MAX_POINTS indices spread evenly over 0..n-1, both ends included."""
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, MAX_POINTS).astype(int))


def curves_figure(surface, race: dict, height: int = 600) -> go.Figure:
    r"""Two stacked log-scale panels: the gap :math:`f(\theta_k) - f^*` to the global minimum
    value, and the gradient norm :math:`\lVert\nabla f(\theta_k)\rVert`, one line per optimizer.

    The gap (not the loss) is plotted so that surfaces with negative minima still fit a log
    axis; values are floored at 1e-16. Each line ends where its run stopped.
    """
    f_star = surface.global_minimum.value
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("loss − global minimum", "gradient norm ‖∇f‖"),
    )
    for name, r in race.items():
        n = int(r.stop_step) + 1
        idx = _thin(n)
        common = dict(
            x=idx.tolist(),
            mode="lines",
            line=dict(color=optimizer_color(name), width=2),
            name=LABELS[name],
            legendgroup=name,
        )
        gap = np.maximum(r.loss[idx] - f_star, 1e-16)
        fig.add_trace(go.Scatter(y=packed(gap, 20), **common), row=1, col=1)
        norm = np.maximum(r.grad_norm[idx], 1e-16)
        fig.add_trace(go.Scatter(y=packed(norm, 20), showlegend=False, **common), row=2, col=1)
    fig.update_yaxes(type="log", exponentformat="power", gridcolor="#e5e5e5")
    fig.update_xaxes(gridcolor="#e5e5e5")
    fig.update_xaxes(title_text="step", row=2, col=1)
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.06, x=0),
    )
    return fig


def surface_3d_figure(surface, race: dict, start, resolution: int = 80, height: int = 600):
    """The same race on a 3D surface (static): height is the loss, on the contour's log scale
    where the surface asks for one, and each path is lifted onto the surface."""
    xs, ys, Z = grid(surface, resolution)
    floor = min(m.value for m in surface.minima)

    # A log map fixed by the grid, so the paths' losses land on the drawn surface.
    lift = log_map(Z, floor, relative=1e-4) if surface.log_scale else (lambda values: values)
    z_grid = lift(Z)

    fig = go.Figure(
        go.Surface(
            x=xs,
            y=ys,
            z=z_grid,
            colorscale=SURFACE_COLORSCALE,
            showscale=False,
            opacity=0.9,
            hoverinfo="skip",
        )
    )
    digits = decimals(surface.domain)
    for name, r in race.items():
        n = int(r.stop_step) + 1
        path = r.path[:n]
        z = lift(r.loss[:n]) + 0.01 * float(np.ptp(z_grid))  # just above the surface
        fig.add_trace(
            go.Scatter3d(
                x=packed(path[:, 0], digits),
                y=packed(path[:, 1], digits),
                z=packed(z, 6),
                mode="lines",
                line=dict(color=optimizer_color(name), width=5),
                name=LABELS[name],
            )
        )
    z0 = lift(surface.value(np.asarray(start, dtype=float)))
    fig.add_trace(
        go.Scatter3d(
            x=[start[0]],
            y=[start[1]],
            z=[float(z0)],
            mode="markers",
            marker=dict(size=5, color="white", line=dict(width=2, color="black")),
            name="start",
        )
    )
    fig.update_layout(
        height=height,
        margin=dict(l=0, r=0, t=30, b=0),
        scene=dict(
            xaxis_title="x",
            yaxis_title="y",
            zaxis_title="log loss" if surface.log_scale else "loss",
            aspectmode="manual",
            aspectratio=dict(x=1, y=1, z=0.6),
        ),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig
