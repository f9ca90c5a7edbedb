"""The race page in a real browser: the contour survives the animation, the paths move, and a
click on the plot moves the start. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.e2e.conftest import screenshot, wait_until_idle

PLOT = '[data-testid="stPlotlyChart"]'


def _plot_box(page) -> dict:
    """The first chart's drawing area (the contour's axes) in page pixels."""
    chart = page.locator(PLOT).first
    chart.wait_for()
    return chart.locator(".nsewdrag").first.bounding_box()


def _crop(path, box) -> np.ndarray:
    img = Image.open(path).convert("RGB")
    x, y, w, h = (int(round(v)) for v in (box["x"], box["y"], box["width"], box["height"]))
    return np.asarray(img.crop((x + 2, y + 2, x + w - 2, y + h - 2)), dtype=int)


def _filled(pixels: np.ndarray) -> bool:
    """A filled contour paints the whole plot area in many distinct, non-white colours."""
    flat = pixels.reshape(-1, 3)
    non_white = flat[(flat < 235).any(axis=1)]
    distinct = len(np.unique(non_white // 8, axis=0))
    return len(non_white) > 0.9 * len(flat) and distinct > 40


def test_surface_stays_drawn_while_paths_move(page, app_url):
    page.goto(f"{app_url}/race")
    wait_until_idle(page)
    page.locator(PLOT).first.wait_for()
    page.wait_for_timeout(2000)
    assert page.locator('[data-testid="stException"]').count() == 0
    box = _plot_box(page)
    before = _crop(screenshot(page, "race_before_play"), box)
    assert _filled(before), "the filled contour is not drawn before Play"

    page.locator(PLOT).first.get_by_text("Play").click()
    page.wait_for_timeout(1500)
    playing = _crop(screenshot(page, "race_playing"), box)
    assert _filled(playing), "the surface is not drawn while the animation plays"
    # Wait for the slider to reach the last step rather than for a fixed time.
    page.wait_for_function(
        """() => {
            const gd = document.querySelector('.js-plotly-plot');
            const s = gd && gd.layout.sliders && gd.layout.sliders[0];
            return s && s.active === s.steps.length - 1;
        }""",
        timeout=120_000,
    )
    page.wait_for_timeout(1500)
    after = _crop(screenshot(page, "race_after_play"), box)
    assert _filled(after), "the filled contour vanished after the animation"
    changed = (np.abs(after - before).sum(axis=2) > 60).mean()
    assert changed > 0.001, f"the paths did not move ({changed:.4%} of pixels changed)"


def test_click_on_plot_moves_the_start(page, app_url):
    page.goto(f"{app_url}/race")
    wait_until_idle(page)
    page.wait_for_timeout(1500)
    start_x = page.get_by_label("start x")
    old = float(start_x.input_value())
    box = _plot_box(page)
    # Beale's domain is [-4.5, 4.5]^2: click at about (-2.25, -2.25), far from the start (1, 1.5).
    page.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + 0.75 * box["height"])
    page.wait_for_function(
        f"""() => {{
            const el = document.querySelector('input[aria-label="start x"]');
            return el && Math.abs(parseFloat(el.value) - {old}) > 0.5;
        }}""",
        timeout=30_000,
    )
    wait_until_idle(page)
    screenshot(page, "race_after_click")
    new = float(page.get_by_label("start x").input_value())
    assert -3.0 < new < -1.5, new
