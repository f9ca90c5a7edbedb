"""AppTest smoke tests of the entry point, the home page and the page set-up."""

import pathlib

from streamlit.testing.v1 import AppTest

from appkit.navigation import PAGES

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_app_renders_home_without_errors():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Optimizer playground"
    assert any("import optim_core" in c.value for c in at.code)


def test_every_page_is_reachable_from_the_navigation():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    for page in PAGES:
        at.switch_page(page.path).run()
        assert not at.exception, f"{page.title}: {at.exception}"


def test_every_page_file_exists_under_its_public_url_path():
    # /race, /lr_lab, /minima_lab, /mlp_playground are bookmarked: the file names are the paths.
    assert [p.key for p in PAGES][:4] == ["race", "lr_lab", "minima_lab", "mlp_playground"]
    assert "building_blocks" in [p.key for p in PAGES]
    for page in PAGES:
        assert (ROOT / page.path).is_file(), page.path
    assert sorted(f.stem for f in (ROOT / "pages").glob("*.py")) == sorted(p.key for p in PAGES)
