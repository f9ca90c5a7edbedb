"""The minima lab in a real browser: basin maps are drawn with several basin colours, and the
multi-start animation plays without losing the contour."""

import io

import numpy as np
from PIL import Image

import surfaces
from figures.basins import category_colours
from tests.e2e.conftest import screenshot, wait_until_idle


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])


def _colour_shares(png: bytes, colours: list[str]) -> np.ndarray:
    """Fraction of the image's pixels within a small distance of each colour."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float).reshape(-1, 3)
    return np.array(
        [np.mean(np.abs(pixels - _rgb(c)).max(axis=1) <= 12) for c in colours], dtype=float
    )


def test_basin_maps_show_several_basins_and_multistart_plays(page, app_url):
    page.goto(f"{app_url}/minima_lab")
    wait_until_idle(page, timeout_ms=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    maps = page.locator(".js-plotly-plot").first
    maps.locator(".heatmaplayer image").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    screenshot(page, "minima_lab")
    maps.scroll_into_view_if_needed()
    screenshot(page, "minima_lab_maps")

    # Default: wells, 1 global + 3 local minima. Each of them must colour a visible share of
    # the maps (the shallow wells trap SGD, so all four basins appear).
    colours = category_colours(surfaces.get("wells"))[:4]
    shares = _colour_shares(maps.screenshot(), colours)
    assert (shares > 0.01).sum() >= 4, dict(zip(colours, shares, strict=True))

    page.get_by_role("tab", name="Multi-start").click()
    animation = page.locator(".js-plotly-plot").nth(1)
    animation.locator(".imagelayer image").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(500)
    screenshot(page, "minima_lab_multistart")
    still = _distinct_colours(animation.screenshot())
    animation.get_by_text("▶ Play").click()
    page.wait_for_timeout(2500)
    playing = _distinct_colours(animation.screenshot())
    screenshot(page, "minima_lab_multistart_playing")
    animation.get_by_text("Pause").click()
    page.wait_for_timeout(1500)
    screenshot(page, "minima_lab_multistart_paused")
    # The surface stays drawn *while* the animation plays (it is an image animate never redraws).
    assert still > 40 and playing > 0.8 * still, (still, playing)
    assert page.locator('[data-testid="stException"]').count() == 0


def _distinct_colours(png: bytes) -> int:
    """Distinct colours (16 levels per channel) in the middle of a plot's screenshot."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    h, w, _ = rgb.shape
    middle = rgb[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].reshape(-1, 3) // 16
    return len(np.unique(middle, axis=0))
