"""The home page in a real browser: it renders, and links lead to every page."""

from tests.e2e.conftest import screenshot, wait_until_idle


def test_home_page_renders_in_chromium(page, app_url):
    page.goto(app_url)
    wait_until_idle(page)
    page.get_by_text("Optimizer playground").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "home")
