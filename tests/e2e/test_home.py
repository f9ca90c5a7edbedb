"""The home page and the navigation in a real browser."""

import pytest

from pages import PAGES
from tests.e2e.conftest import screenshot, wait_until_idle


def test_home_page_renders_in_chromium(page, app_url):
    page.goto(app_url)
    wait_until_idle(page)
    page.get_by_text("Optimizer playground").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "home")


@pytest.mark.parametrize("path", [p for p, *_ in PAGES[1:]], ids=lambda p: p.split("/")[-1])
def test_deep_links_use_the_apps_navigation(page, app_url, path):
    # A bookmarked page URL must run through app.py: page titles in the sidebar, not file names.
    page.goto(f"{app_url}/{path.split('/')[-1].removesuffix('.py')}")
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.wait_for(timeout=60_000)
    for _, title, _, _ in PAGES:
        assert nav.get_by_text(title, exact=True).count() == 1, title
    assert nav.get_by_text("app", exact=True).count() == 0
