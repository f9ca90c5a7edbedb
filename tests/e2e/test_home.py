"""The home page, and deep links as the very first request to a fresh server."""

import pytest
from playwright.sync_api import expect

from appkit.navigation import APP_TITLE, PAGES
from tests.e2e.conftest import screenshot, streamlit_server, wait_until_idle

# A setting on each page that the query string changes, and how the page shows it.
DEEP_LINKS = {
    "race": ("race.surface=himmelblau&race.steps=77", "Himmelblau's function"),
    "lr_lab": ("lr.optimizer=momentum&lr.steps=300", "Momentum on"),
    "minima_lab": ("basin.surface=himmelblau&basin.grid=40", "Himmelblau's function"),
    "mlp_playground": ("mlp.data=circles&mlp.epochs=20", "Circles"),
    "building_blocks": ("blocks.depth=3&blocks.p=0.25,0.5", "Cross-entropy"),
}


def test_home_page_renders_in_chromium(page, app_url):
    page.goto(app_url)
    wait_until_idle(page)
    page.get_by_text(APP_TITLE).first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "home")


def assert_app_navigation(page):
    """The sidebar lists the pages by title (not by file name) and nothing else."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    for info in PAGES:
        expect(nav.get_by_text(info.title, exact=True)).to_have_count(1, timeout=60_000)
    for info in PAGES:  # what Streamlit's folder discovery would show instead
        expect(nav.get_by_text(info.key.replace("_", " "), exact=True)).to_have_count(0)
    expect(nav.get_by_text("app", exact=True)).to_have_count(0)


@pytest.mark.parametrize("info", PAGES, ids=lambda p: p.key)
def test_a_bookmark_as_a_fresh_servers_first_request(page, info):
    """Streamlit serves pages/ straight from the folder on a fresh server; the page must still
    get the wide layout, its title, the app's navigation and the settings in its URL."""
    query, shown = DEEP_LINKS[info.key]
    with streamlit_server() as url:
        page.goto(f"{url}/{info.key}?{query}")
        wait_until_idle(page)
        assert_app_navigation(page)
        # Shown as text, or as the value of a select box's input (which get_by_text does not
        # read).
        chosen = page.locator(f'[data-testid="stSelectbox"] input[value="{shown}"]')
        page.get_by_text(shown).or_(chosen).locator("visible=true").first.wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.title() == f"{info.title} · {APP_TITLE}"
        width = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"]
        assert width > 900, f"narrow (centered) layout: {width}px of a 1500px window"
        screenshot(page, f"deep_link_{info.key}")


@pytest.mark.parametrize("info", PAGES, ids=lambda p: p.key)
def test_deep_links_on_a_warm_server_use_the_apps_navigation(page, app_url, info):
    page.goto(f"{app_url}/{info.key}")
    assert_app_navigation(page)
