"""A figure built elsewhere (in a worker process), shown without being built again.

Building a plotly figure with a few hundred animation frames takes about a second, almost all
of it in plotly's validation of every trace, and rebuilding one from its JSON costs nearly as
much. The pages therefore build figures in the shared worker pool (``scenes.jobs``), receive the
figure's JSON, and hand ``st.plotly_chart`` a :class:`Prebuilt`: a figure whose ``to_dict``
returns that JSON decoded, which plotly and Streamlit treat as an already validated figure. The
server's cost per rerun drops to decoding and re-encoding the JSON.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio


def to_spec(fig: go.Figure) -> str:
    """A figure's JSON, as ``st.plotly_chart`` would send it."""
    return pio.to_json(fig, validate=False)


class Prebuilt(go.Figure):
    """A validated figure's JSON (from :func:`to_spec`) posing as the figure itself;
    ``height`` (pixels) replaces the figure's own, e.g. to fit the visitor's window."""

    def __init__(self, spec: str, height: int | None = None):
        layout = json.loads(spec).get("layout", {})
        if height is not None:
            layout["height"] = height
        super().__init__(layout={k: layout[k] for k in ("height", "width") if k in layout})
        self._spec = spec
        self._height = height

    @property
    def spec(self) -> str:
        return self._spec

    def to_dict(self) -> dict:
        figure = json.loads(self._spec)
        if self._height is not None:
            figure.setdefault("layout", {})["height"] = self._height
        return figure

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    def to_json(self, *args, **kwargs) -> str:
        return pio.to_json(self.to_dict(), *args, **kwargs)

    def to_html(self, *args, **kwargs) -> str:
        return pio.to_html(self.to_dict(), *args, **kwargs)
