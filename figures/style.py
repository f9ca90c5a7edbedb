"""Type sizes of every figure, readable from the back of a lecture hall.

At least 14 px for tick labels and 18 px for titles on a 1280x720 projector; presentation mode
(``present=1``) multiplies them by ``PRESENT_SCALE``. Builders call :func:`lecture_style` last.
"""

from __future__ import annotations

import plotly.graph_objects as go

TICK_PX = 14
TEXT_PX = 15  # legends, hover labels, annotations, slider labels
TITLE_PX = 18
PRESENT_SCALE = 4 / 3
FONT_FAMILY = "Source Sans Pro, Helvetica, Arial, sans-serif"


def sizes(present: bool = False) -> dict[str, int]:
    scale = PRESENT_SCALE if present else 1.0
    return {
        "tick": round(TICK_PX * scale),
        "text": round(TEXT_PX * scale),
        "title": round(TITLE_PX * scale),
    }


def lecture_style(fig: go.Figure, present: bool = False) -> go.Figure:
    """Set the figure's fonts (ticks, axis titles, legend, annotations, sliders) to the lecture
    sizes, in place; returns the figure."""
    px = sizes(present)
    fig.update_layout(
        font=dict(size=px["text"], family=FONT_FAMILY, color="#262730"),
        legend=dict(font=dict(size=px["text"])),
        hoverlabel=dict(font=dict(size=px["text"])),
        paper_bgcolor="white",
    )
    if fig.layout.title and fig.layout.title.text:
        fig.update_layout(title=dict(font=dict(size=px["title"])))
    fig.update_xaxes(tickfont=dict(size=px["tick"]), title_font=dict(size=px["title"]))
    fig.update_yaxes(tickfont=dict(size=px["tick"]), title_font=dict(size=px["title"]))
    fig.update_annotations(font_size=px["text"])
    for slider in fig.layout.sliders or ():
        slider.font.size = px["text"]
        slider.currentvalue.font = dict(size=px["title"])
    for menu in fig.layout.updatemenus or ():
        menu.font = dict(size=px["title"])
    return fig
