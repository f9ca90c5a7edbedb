"""The app's pages, and the one set-up call every page script makes first.

Layout: Streamlit's classic multipage layout. ``app.py`` is the entry point and the page
scripts live in ``pages/``, named after their public URL paths (``pages/race.py`` is served at
``/race``). Those paths and the pages' query keys are in lecturers' bookmarks: never rename a
page file.

Why every page calls :func:`page_setup`: on a fresh server Streamlit serves a deep link such as
``/race?race.surface=beale`` straight from the ``pages/`` folder, without running ``app.py``
(it only learns about ``st.navigation`` once some script has called it). The page would then
get Streamlit's defaults: a narrow layout, no page title, and navigation labels made from file
names. ``page_setup`` sets the wide layout and the title on every run and, when the page was
not reached through ``app.py``, registers the app's navigation itself, so the sidebar shows page
titles and every later request goes through ``app.py``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
APP_TITLE = "Optimizer playground"
APP_ICON = "⛰️"


@dataclass(frozen=True)
class PageInfo:
    """A page: its URL path (``key``, also its file ``pages/{key}.py``), title, icon and a
    one-line summary for the home page."""

    key: str
    title: str
    icon: str
    summary: str

    @property
    def path(self) -> str:
        """The page script, relative to the app's root (what ``st.page_link`` takes)."""
        return f"pages/{self.key}.py"


PAGES = (
    PageInfo(
        "race",
        "Optimizer race",
        "🏁",
        "Watch optimizers race across a loss surface from the same start.",
    ),
    PageInfo(
        "lr_lab",
        "Learning-rate lab",
        "🎚️",
        "Sweep the learning rate: too slow, just right, oscillating, diverging.",
    ),
    PageInfo(
        "minima_lab",
        "Minima lab",
        "🕳️",
        "Basins of attraction: which minimum does each start fall into?",
    ),
    PageInfo(
        "mlp_playground",
        "MLP playground",
        "🧠",
        "Train small networks on toy 2D data with any optimizer, side by side.",
    ),
)
BY_KEY = {p.key: p for p in PAGES}

# Set while app.py runs a page: a page run without it was served straight from pages/.
_through_app = threading.local()


def _navigation() -> st.navigation:
    from appkit import home

    pages = [st.Page(home.render, title="Home", icon="🏠", url_path="home", default=True)]
    pages += [st.Page(ROOT / p.path, title=p.title, icon=p.icon, url_path=p.key) for p in PAGES]
    return st.navigation(pages)


def run_app() -> None:
    """The whole of ``app.py``: navigation with page titles, then the chosen page."""
    st.set_page_config(page_title=APP_TITLE, page_icon=APP_ICON, layout="wide")
    page = _navigation()
    _through_app.active = True
    try:
        page.run()
    finally:
        _through_app.active = False


def page_setup(key: str) -> PageInfo:
    """First call of every page script: wide layout, the page's title in the browser tab, and
    the app's navigation when the page was served without ``app.py`` (see the module doc)."""
    info = BY_KEY[key]
    st.set_page_config(page_title=f"{info.title} · {APP_TITLE}", page_icon=info.icon, layout="wide")
    if not getattr(_through_app, "active", False):
        _navigation()
    return info
