"""The size of the visitor's browser window, so figures can fill the screen they are shown on.

Plotly figures have a fixed height in pixels, and a lecture hall's 1280x720 projector and a
1920x1080 monitor want different ones. A tiny component reports ``window.innerWidth`` and
``innerHeight`` (and again after a resize); until it has, the pages use a size that fits the
smallest screen we design for.

Pages read the size with :func:`size` wherever they need it and mount the component with
:func:`probe` as their *last* element: its first report then reruns a page that has finished
(a rerun requested in the middle of a run interrupts it, and widgets not yet drawn in that run
can lose their values).
"""

from __future__ import annotations

import streamlit as st

from appkit import navigation

DEFAULT = (1280, 720)
_JS = """
export default function (component) {
  const { setStateValue } = component;
  let last = "";
  const send = () => {
    const size = [window.innerWidth, window.innerHeight];
    const key = size.join("x");
    if (key !== last) { last = key; setStateValue("size", size); }
  };
  send();
  let timer = null;
  const later = () => { clearTimeout(timer); timer = setTimeout(send, 300); };
  window.addEventListener("resize", later);
  return () => window.removeEventListener("resize", later);
}
"""
_probe = st.components.v2.component("viewport_probe", js=_JS)


KEY = "_viewport"


def probe() -> None:
    """Mount the reporting component (last thing on the page)."""
    _probe(key=KEY, on_size_change=lambda: None)


def size() -> tuple[int, int]:
    """(width, height) of the browser window in CSS pixels, as last reported (``DEFAULT``
    until the component has reported)."""
    state = st.session_state.get(KEY)
    value = state.get("size") if hasattr(state, "get") else getattr(state, "size", None)
    try:
        width, height = (int(v) for v in value)
    except (TypeError, ValueError):
        return DEFAULT
    if not (320 <= width <= 10_000 and 240 <= height <= 10_000):
        return DEFAULT
    return width, height


# Presentation mode's larger type (appkit.navigation) makes the page title and caption taller.
PRESENT_HEADER_PX = 50


def figure_height(top: int, low: int = 470, high: int = 1100) -> int:
    """A figure height that fills the window below ``top`` pixels of page header (measured
    without presentation mode; presenting adds ``PRESENT_HEADER_PX``), so Play stays in the
    first screen."""
    top += PRESENT_HEADER_PX if navigation.presenting() else 0
    return int(min(max(size()[1] - top, low), high))
