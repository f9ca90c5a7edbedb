"""The home page and the navigation in a real browser."""

import pytest

from app_pages import PAGES
from tests.e2e.conftest import screenshot, wait_until_idle


def test_home_page_renders_in_chromium(page, app_url):
    page.goto(app_url)
    wait_until_idle(page)
    page.get_by_text("Optimizer playground").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "home")


def assert_app_navigation(page):
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.wait_for(timeout=60_000)
    for _, title, _, _ in PAGES:
        assert nav.get_by_text(title, exact=True).count() == 1, title
    assert nav.get_by_text("app", exact=True).count() == 0


def test_a_bookmark_as_first_request_uses_the_apps_navigation(page, fresh_app_url):
    # Streamlit auto-discovers a folder named pages/ and, on a fresh server, served a deep link
    # from it without app.py (file names in the sidebar, no wide layout). The pages live in
    # app_pages/ for that reason; this is the case that broke.
    page.goto(f"{fresh_app_url}/race")
    assert_app_navigation(page)


@pytest.mark.parametrize("path", [p for p, *_ in PAGES[1:]], ids=lambda p: p.split("/")[-1])
def test_deep_links_use_the_apps_navigation(page, app_url, path):
    page.goto(f"{app_url}/{path.split('/')[-1].removesuffix('.py')}")
    assert_app_navigation(page)
