"""The learning-rate lab in a real browser: on a 1280x720 projector the map and its Play button
fit the first screen; before Play only the start is drawn; playing draws the paths over the
surface image; the sweep chart opens from its expander; the GIF downloads."""

import io

import numpy as np
import pytest

from tests.e2e.conftest import screenshot, wait_until_idle

Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def _map_pixels(page) -> np.ndarray:
    """RGB pixels inside the map's axes (the first subplot of the first figure)."""
    area = page.locator(".js-plotly-plot .nsewdrag").first
    png = page.screenshot(clip=area.bounding_box())
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def _surface_drawn(pixels: np.ndarray) -> bool:
    """The grey banded surface image: most of the area grey, not white, in many shades."""
    grey = (pixels.max(axis=2) - pixels.min(axis=2)) < 12
    level = pixels.mean(axis=2)
    shaded = grey & (level < 250)
    return shaded.mean() > 0.5 and len(np.unique(level[shaded].round())) > 8


def _coloured_share(pixels: np.ndarray) -> float:
    """Share of strongly coloured pixels: paths and heads (the surface is grey)."""
    return float(np.mean((pixels.max(axis=2) - pixels.min(axis=2)) > 60))


def test_lr_lab_fits_the_projector_and_unfolds_when_played(projector, app_url):
    page = projector
    page.goto(app_url)  # the first page of a fresh server came up with widget defaults
    wait_until_idle(page)
    page.goto(f"{app_url}/lr_lab")
    wait_until_idle(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for(timeout=90_000)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "lr_lab_1280x720")
    play = chart.locator(".updatemenu-button").first
    box = play.bounding_box()
    assert box["y"] + box["height"] <= 720, "Play is below the first screen"

    before = _map_pixels(page)
    assert _surface_drawn(before), "the surface image is missing"
    assert _coloured_share(before) < 0.01, "paths are drawn before Play"

    play.click()
    drawn = []
    for _ in range(12):
        page.wait_for_timeout(500)
        pixels = _map_pixels(page)
        drawn.append((_surface_drawn(pixels), _coloured_share(pixels)))
    screenshot(page, "lr_lab_playing")
    assert all(surface for surface, _ in drawn[-4:]), f"surface missing while playing: {drawn}"
    assert drawn[-1][1] > 3 * _coloured_share(before), "the paths did not unfold"

    page.get_by_text("Sweep chart and stability edge").first.click()
    page.locator('[data-testid="stPlotlyChart"]').nth(1).wait_for(timeout=90_000)
    page.wait_for_timeout(800)
    screenshot(page, "lr_lab_sweep_chart")
    assert page.get_by_text("measured edge").count() >= 1

    with page.expect_download(timeout=120_000) as download:
        page.get_by_text("GIF").first.click()
    assert open(download.value.path(), "rb").read(6) == b"GIF89a"


def test_lr_lab_small_multiples_from_the_url(page, app_url):
    page.goto(f"{app_url}/lr_lab?lr.view=small+multiples&lr.count=8&lr.compare=sgd")
    wait_until_idle(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlert"]').count() == 0  # no warning: valid URL
    screenshot(page, "lr_lab_small_multiples")
    assert page.locator(".js-plotly-plot .nsewdrag").count() >= 8
