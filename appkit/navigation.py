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
not reached through ``app.py``, registers the app's navigation itself and reruns, so the sidebar
shows page titles and this and every later request go through ``app.py``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from appkit import url_state

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
    PageInfo(
        "building_blocks",
        "Building blocks",
        "🧱",
        "Activations, gradients through depth, MSE vs cross-entropy, a cross-entropy calculator.",
    ),
)
BY_KEY = {p.key: p for p in PAGES}

# Set while app.py runs a page: a page run without it was served straight from pages/.
_through_app = threading.local()
_RERAN = "_navigation_reran"

# Presentation mode: a URL flag (present=1) and a toggle, the same on every page.
PRESENT = "present"
# Every page: a compact header, so the main figure and its Play button fit the first screen
# of a 1280x720 projector. Our own fixed CSS.
PAGE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding: 2.6rem 1.6rem 3rem 1.6rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.1rem; padding: 0.1rem 0 0.2rem 0; }
</style>
"""
# Larger type (about a third), no toolbar, and the figure filling the width. Our own fixed CSS.
PRESENT_CSS = """
<style>
html { font-size: 21px; }
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stHeader"] .stAppDeployButton
  { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 3.2rem 2rem 2rem 2rem; }
</style>
"""


def _navigation() -> st.navigation:
    from appkit import home

    pages = [st.Page(home.render, title="Home", icon="🏠", url_path="home", default=True)]
    pages += [st.Page(ROOT / p.path, title=p.title, icon=p.icon, url_path=p.key) for p in PAGES]
    return st.navigation(pages)


def presenting() -> bool:
    """Whether presentation mode is on (after :func:`page_setup` or :func:`run_app`)."""
    return bool(st.session_state.get(PRESENT, False))


def _presentation() -> bool:
    """Seed the flag from the URL, apply the page config and styles; the toggle is drawn by
    :func:`presentation_toggle`."""
    url_state.load(url_state.APP_SPEC)
    present = presenting()
    st.markdown(PAGE_CSS + (PRESENT_CSS if present else ""), unsafe_allow_html=True)
    return present


def home_setup() -> None:
    """What ``page_setup`` does for the home page (reached only through ``app.py``)."""
    _presentation()
    presentation_toggle()
    url_state.save({})


def presentation_toggle() -> None:
    """The sidebar toggle for presentation mode (its value goes into the URL with the page's
    settings, so a lecturer can prepare links before class)."""
    st.sidebar.toggle(
        "Presentation mode",
        key=PRESENT,
        help="Hides the sidebar and the toolbar and enlarges text and figures for a projector. "
        "Also as present=1 in the URL.",
    )


def run_app() -> None:
    """The whole of ``app.py``: navigation with page titles, then the chosen page."""
    st.set_page_config(
        page_title=APP_TITLE,
        page_icon=APP_ICON,
        layout="wide",
        initial_sidebar_state="collapsed" if _url_presenting() else "auto",
    )
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
    st.set_page_config(
        page_title=f"{info.title} · {APP_TITLE}",
        page_icon=info.icon,
        layout="wide",
        initial_sidebar_state="collapsed" if _url_presenting() else "auto",
    )
    if not getattr(_through_app, "active", False):
        # Served straight from pages/: register the app's navigation and run again through
        # app.py before any widget exists (widgets drawn in this run would come back with
        # their default values in the next).
        _navigation()
        if not st.session_state.get(_RERAN):  # once: a page run on its own (AppTest) stays
            st.session_state[_RERAN] = True
            st.rerun()
    _presentation()
    presentation_toggle()
    return info


def _url_presenting() -> bool:
    """Presentation mode as asked by the URL or the session (before widgets exist)."""
    if PRESENT in st.session_state:
        return bool(st.session_state[PRESENT])
    return st.query_params.get(PRESENT) in ("1", "true", "yes")
