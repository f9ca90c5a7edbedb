"""The race in 3D: the surface as a landscape, each optimizer's path walking on it, animated with
the same Play button and slider as the map (pure plotly, no streamlit).

Axes are fixed to the surface's domain and its value range (on the map's log scale where the
surface uses one), so a diverging run cannot stretch them: path points outside the domain are
not drawn. Paths are lifted slightly above the surface so it does not hide them. Frames carry
each optimizer's path so far (thinned like the map's) and its head; 3D traces repaint only on a
full redraw, so these frames use ``redraw=True``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from figures.palette import SURFACE_COLORSCALE, optimizer_color
from figures.player import add_player
from figures.race import decimals, frame_steps, packed, thin
from figures.style import lecture_style
from figures.surface import grid, log_map
from scenes.optimizer_settings import LABELS

LIFT = 0.015  # of the z range: paths float just above the surface
HISTORY_POINTS = 60


def surface_3d_figure(
    surface,
    race: dict,
    start,
    *,
    frame_ms: int = 80,
    resolution: int = 70,
    max_frames: int = 80,
    height: int = 640,
    present: bool = False,
) -> go.Figure:
    """The 3D race (module docstring); ``race`` maps optimizer name -> RunResult of one start."""
    xs, ys, Z = grid(surface, resolution)
    floor = min(m.value for m in surface.minima)
    lift = log_map(Z, floor, relative=1e-4) if surface.log_scale else (lambda v: v)
    z_grid = lift(Z)
    finite = z_grid[np.isfinite(z_grid)]
    z_lo, z_hi = float(finite.min()), float(finite.max())
    above = LIFT * (z_hi - z_lo)
    (x0, x1), (y0, y1) = surface.domain
    digits = decimals(surface.domain)

    fig = go.Figure(
        go.Surface(
            x=np.round(xs, digits),
            y=np.round(ys, digits),
            z=np.round(np.clip(z_grid, z_lo, z_hi), 4),
            colorscale=SURFACE_COLORSCALE,
            showscale=False,
            opacity=0.92,
            hoverinfo="skip",
            contours=dict(z=dict(show=True, usecolormap=False, color="#8a9aa9", width=1)),
        )
    )

    def points(r, s: int, history: np.ndarray) -> np.ndarray:
        """(k, 3) path so far, inside the domain, lifted above the surface."""
        idx = np.unique(np.concatenate([history[history < s], np.arange(max(0, s - 3), s + 1)]))
        p = r.path[idx]
        z = np.clip(lift(r.loss[idx]), z_lo, z_hi) + above
        inside = (p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)
        inside &= np.isfinite(z)
        return np.column_stack([p[inside], z[inside]])

    def xyz(pts: np.ndarray) -> dict:
        return dict(
            x=packed(pts[:, 0], digits), y=packed(pts[:, 1], digits), z=packed(pts[:, 2], 5)
        )

    runs = list(race.items())
    histories = [thin(int(r.stop_step), HISTORY_POINTS) for _, r in runs]
    steps = max((int(r.stop_step) for _, r in runs), default=0)
    shown = frame_steps(steps, max_frames)
    animated = []
    for (name, r), history in zip(runs, histories, strict=True):
        colour, label = optimizer_color(name), LABELS.get(name, name)
        animated.append(len(fig.data))
        fig.add_trace(
            go.Scatter3d(
                **xyz(points(r, 0, history)),
                mode="lines",
                line=dict(color=colour, width=7),
                name=label,
                legendgroup=name,
                hoverinfo="skip",
            )
        )
        animated.append(len(fig.data))
        fig.add_trace(
            go.Scatter3d(
                **xyz(points(r, 0, history)[-1:]),
                mode="markers",
                marker=dict(size=6, color=colour, line=dict(width=1, color="black")),
                legendgroup=name,
                showlegend=False,
                hovertemplate=f"{label}<br>x=%{{x:.3f}}<br>y=%{{y:.3f}}<extra></extra>",
            )
        )
    z0 = float(np.clip(lift(surface.value(np.asarray(start, dtype=float))), z_lo, z_hi)) + above
    fig.add_trace(
        go.Scatter3d(
            x=[float(start[0])],
            y=[float(start[1])],
            z=[z0],
            mode="markers",
            marker=dict(size=6, color="white", line=dict(width=2, color="black")),
            name="start",
        )
    )

    frames = []
    for k in shown:
        data = []
        for (_, r), history in zip(runs, histories, strict=True):
            pts = points(r, min(int(k), int(r.stop_step)), history)
            data += [dict(type="scatter3d", **xyz(pts)), dict(type="scatter3d", **xyz(pts[-1:]))]
        frames.append(dict(name=str(int(k)), data=data, traces=animated))
    fig.frames = frames
    add_player(fig, [str(int(k)) for k in shown], frame_ms, redraw=True, y=0.02)
    fig.update_layout(
        height=height,
        margin=dict(l=0, r=0, t=10, b=60),
        scene=dict(
            xaxis=dict(range=[x0, x1], title="x", autorange=False),
            yaxis=dict(range=[y0, y1], title="y", autorange=False),
            zaxis=dict(
                range=[z_lo - above, z_hi + 2 * above],
                title="log₁₀(loss − min)" if surface.log_scale else "loss",
                autorange=False,
            ),
            aspectmode="manual",
            aspectratio=dict(x=1, y=(y1 - y0) / (x1 - x0), z=0.6),
            camera=dict(eye=dict(x=1.5, y=-1.6, z=1.1)),
        ),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return lecture_style(fig, present)
