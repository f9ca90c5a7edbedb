"""The minima lab in a real browser: basin maps are images with several basin colours and level
lines on top, laid out without overlaps in the first screen of a projector; the multi-start
plays over the surface, its scoreboard tells outcomes only as they happen, and it ends when the
last run settles."""

import io

import numpy as np
import pytest
from PIL import Image

import surfaces
from figures.basins import category_colours
from tests.e2e.conftest import screenshot, wait_until_idle

PLOT = '[data-testid="stPlotlyChart"]'


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float).reshape(-1, 3)


def _shares(pixels: np.ndarray, colours) -> np.ndarray:
    """Fraction of the pixels within a small distance of each colour."""
    return np.array([np.mean(np.abs(pixels - c).max(axis=1) <= 12) for c in colours])


def _boxes(page, selector: str) -> list[dict]:
    return [b for b in (e.bounding_box() for e in page.locator(selector).all()) if b]


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.fixture
def projector(browser):
    """A page the size of a lecture hall's projector, 1280 x 720."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    yield page
    context.close()


def _open(page, url: str) -> None:
    page.goto(url)
    wait_until_idle(page, timeout_ms=120_000)
    page.locator(PLOT).first.locator("g.imagelayer image").first.wait_for(
        state="attached", timeout=60_000
    )
    page.wait_for_timeout(2000)  # the window size reaches the server, which lays out again
    wait_until_idle(page, timeout_ms=120_000)
    page.wait_for_timeout(800)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_basin_maps_fit_the_first_screen_with_colours_lines_and_no_overlaps(projector, app_url):
    page = projector
    _open(page, f"{app_url}/minima_lab")
    screenshot(page, "minima_lab_1280x720")
    chart = page.locator(PLOT).first
    box = chart.bounding_box()
    assert box["y"] + box["height"] <= 720 + 1, box  # the whole figure in the first screen
    # Default: wells, 1 global + 3 local minima; each colours a visible share of the maps
    # (the shallow wells trap SGD), and level lines darken a few pixels of each colour.
    pixels = _pixels(chart.screenshot())
    colours = [_rgb(c) for c in category_colours(surfaces.get("wells"))[:4]]
    shares = _shares(pixels, colours)
    assert (shares > 0.01).all(), shares
    # Nothing overlaps: the legend, the maps and the tick labels.
    maps = _boxes(page, f"{PLOT} .nsewdrag")
    legend = _boxes(page, f"{PLOT} g.legend")
    ticks = _boxes(page, f"{PLOT} g.xtick text") + _boxes(page, f"{PLOT} g.ytick text")
    assert len(maps) == 3 and len(legend) == 1
    # The legend is drawn inside the figure (a stacked legend once fell off its bottom).
    assert legend[0]["y"] + legend[0]["height"] <= box["y"] + box["height"] + 1, (legend, box)
    for item in maps + ticks:
        assert not _overlap(legend[0], item), (legend[0], item)
    # The maps fill the content width (side by side), or the screen's height.
    main = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    right = max(m["x"] + m["width"] for m in maps)
    assert right - main["x"] > 0.6 * main["width"] or maps[0]["height"] > 300
    table = page.locator('[data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    frame = table.bounding_box()
    assert frame["x"] + frame["width"] <= main["x"] + main["width"] + 1
    # The level lines darken some basin pixels: without them, more pixels are pure basin colour.
    _open(page, f"{app_url}/minima_lab?basin.contours=0")
    bare = _shares(_pixels(page.locator(PLOT).first.screenshot()), colours)
    assert bare.sum() > shares.sum() + 0.01, (bare, shares)


def test_the_multistart_plays_over_the_surface_and_ends_when_the_runs_settle(projector, app_url):
    page = projector
    _open(page, f"{app_url}/minima_lab?basin.view=multistart")
    chart = page.locator(PLOT).first
    play = chart.locator(".updatemenu-button").first.bounding_box()
    assert play["y"] + play["height"] <= 720, play  # Play in the first screen
    screenshot(page, "minima_lab_multistart_1280x720")
    board = page.evaluate(
        "() => { const gd = document.querySelector('.js-plotly-plot');"
        " return gd.data[gd.data.length - 1].text; }"
    )
    assert all("on the way" in line and "global" not in line for line in board), board
    still = _distinct(chart.screenshot())
    chart.locator(".updatemenu-button").first.click()
    page.wait_for_timeout(1500)
    playing = _distinct(chart.screenshot())
    screenshot(page, "minima_lab_multistart_playing")
    # The surface stays drawn while the animation plays (an image animate never redraws).
    assert still > 40 and playing > 0.8 * still, (still, playing)
    page.wait_for_function(
        """() => { const gd = document.querySelector('.js-plotly-plot');
                   const s = gd && gd.layout.sliders && gd.layout.sliders[0];
                   return s && s.active === s.steps.length - 1; }""",
        timeout=120_000,
    )
    page.wait_for_timeout(800)
    screenshot(page, "minima_lab_multistart_end")
    board = page.evaluate(
        "() => { const gd = document.querySelector('.js-plotly-plot');"
        " return gd.data[gd.data.length - 1].text; }"
    )
    assert all("on the way" not in line and "global" in line for line in board), board
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_single_map_is_tall_on_a_1440_by_900_screen(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        _open(page, f"{app_url}/minima_lab?basin.optimizers=newton&basin.surface=himmelblau")
        screenshot(page, "minima_lab_1440x900_single")
        (plot,) = _boxes(page, f"{PLOT} .nsewdrag")
        assert plot["height"] >= 600, plot
        _open(page, f"{app_url}/minima_lab")
        screenshot(page, "minima_lab_1440x900")
    finally:
        context.close()


def _distinct(png: bytes) -> int:
    """Distinct colours (16 levels per channel) in the middle of a plot's screenshot."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    h, w, _ = rgb.shape
    middle = rgb[h // 4 : 3 * h // 4, w // 8 : w // 2].reshape(-1, 3) // 16
    return len(np.unique(middle, axis=0))
