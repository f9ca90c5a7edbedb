"""AppTest smoke tests of the entry point and the home page."""

import pathlib

from streamlit.testing.v1 import AppTest

from app_pages import PAGES

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_app_renders_home_without_errors():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Optimizer playground"
    assert any("import optim_core" in c.value for c in at.code)


def test_every_page_is_reachable_from_the_navigation():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    for path, title, _, _ in PAGES:
        at.switch_page(path).run()
        assert not at.exception, f"{title}: {at.exception}"
