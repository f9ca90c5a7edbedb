"""The learning-rate lab in a real browser: the contour and the coloured paths are drawn, they
survive pressing Play, and the sweep chart shows up."""

import io

import numpy as np
import pytest

from tests.e2e.conftest import screenshot, wait_until_idle

Image = pytest.importorskip("PIL.Image")


def _plot_pixels(page) -> np.ndarray:
    """RGB pixels inside the axes of the first plot (the paths figure)."""
    area = page.locator(".js-plotly-plot .nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    png = page.screenshot(clip=box)
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def _contour_drawn(pixels: np.ndarray) -> bool:
    """The grey filled contour: most of the area is grey but not white, in many shades."""
    grey = (pixels.max(axis=2) - pixels.min(axis=2)) < 12
    level = pixels.mean(axis=2)
    shaded = grey & (level < 240)
    return shaded.mean() > 0.5 and len(np.unique(level[shaded].round())) > 8


def _coloured_share(pixels: np.ndarray) -> float:
    """Share of strongly coloured pixels: the paths (the contour is grey)."""
    return float(np.mean((pixels.max(axis=2) - pixels.min(axis=2)) > 60))


def test_lr_lab_draws_contour_and_paths_and_survives_play(page, app_url):
    page.goto(f"{app_url}/lr_lab")
    wait_until_idle(page)
    page.get_by_text("Learning-rate lab").first.wait_for()
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "lr_lab_initial")
    before = _plot_pixels(page)
    assert _contour_drawn(before), "the filled contour is missing"
    assert _coloured_share(before) > 0.005, "no coloured paths on the contour"

    play = page.get_by_text("▶ Play")
    if play.count():
        play.first.click()
        # Headless Chromium without GPU redraws slowly: inside Streamlit the contour can be
        # blank for the first seconds of playback, then stays. Require it while still playing.
        drawn = []
        for _ in range(16):
            page.wait_for_timeout(500)
            drawn.append(_contour_drawn(_plot_pixels(page)))
        screenshot(page, "lr_lab_playing")
        assert drawn[-1] and sum(drawn) >= 4, f"contour missing during playback: {drawn}"
        assert _coloured_share(_plot_pixels(page)) > 0.001, "the paths vanished after Play"

    page.locator(".js-plotly-plot").nth(1).scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    screenshot(page, "lr_lab_sweep_chart")
    assert page.get_by_text("Stability edge: theory vs measured").count() == 1


def test_lr_lab_small_multiples_from_the_url(page, app_url):
    page.goto(f"{app_url}/lr_lab?lr.view=small+multiples&lr.count=8")
    wait_until_idle(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlert"]').count() == 0  # no warning: valid URL
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    screenshot(page, "lr_lab_small_multiples")
    assert page.locator(".js-plotly-plot .nsewdrag").count() >= 8 + 2  # panels + sweep chart
