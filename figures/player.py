"""Play / Pause buttons and a frame slider, shared by every animated figure.

``redraw=False`` (the default) is for paths moving over ``figures.surface.base_figure``: its
surface is a layout image that ``animate`` never touches, so frames only restyle the path
traces and play smoothly. Use ``redraw=True`` when frames change a heatmap or contour trace
(the MLP decision boundaries): plotly repaints those only on a full redraw.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go


def animate_args(frame_ms: int, redraw: bool = False, fromcurrent: bool = True) -> dict:
    """Arguments of plotly's ``animate`` for one frame every ``frame_ms`` milliseconds."""
    return dict(
        frame=dict(duration=frame_ms, redraw=redraw),
        transition=dict(duration=0),
        mode="immediate",
        fromcurrent=fromcurrent,
    )


def add_player(
    fig: go.Figure,
    names: Sequence[str],
    frame_ms: int,
    *,
    redraw: bool = False,
    prefix: str = "step ",
    active: int = 0,
    restart: bool = False,
    y: float = -0.02,
    length: float = 1.0,
) -> None:
    """Add Play / Pause and a slider over the frames ``names`` (labels shown as ``prefix``
    + name), at height ``y`` (paper coordinates) and ``length`` of the figure's width.
    ``restart`` makes Play start from the first frame instead of the current one."""
    still = animate_args(0, redraw)
    fig.update_layout(
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=0,
                y=y,
                xanchor="left",
                yanchor="top",
                pad=dict(t=0, r=10),
                showactive=False,
                buttons=[
                    dict(
                        label="▶ Play",
                        method="animate",
                        args=[None, animate_args(frame_ms, redraw, fromcurrent=not restart)],
                    ),
                    dict(label="❚❚ Pause", method="animate", args=[[None], still]),
                ],
            )
        ],
        sliders=[
            dict(
                active=active,
                x=0,
                len=length,
                y=y,
                yanchor="top",
                pad=dict(t=0, b=0, l=170),  # pixels: clear of the buttons at any figure width
                currentvalue=dict(prefix=prefix, visible=True, xanchor="right"),
                # One label per frame would crowd the slider: the current value says it.
                font=dict(color="rgba(0,0,0,0)"),
                ticklen=3,
                steps=[dict(label=n, method="animate", args=[[n], still]) for n in names],
            )
        ],
    )
