"""The MLP playground in a real browser: it trains with the defaults, draws one shaded decision
boundary per optimizer, and the boundaries are still drawn after Play runs the animation.

The test opens the home page and follows the sidebar link, as a student would.
"""

import io
import time

import numpy as np
import pytest

from tests.e2e.conftest import screenshot, wait_until_idle

PLOT = '[data-testid="stPlotlyChart"]'


def _panel_pixels(page, chart) -> list[np.ndarray]:
    """RGB pixels (h, w, 3) of every heatmap panel of the chart, cut from a screenshot at
    the boxes of the <image> elements Plotly draws heatmaps with."""
    from PIL import Image

    images = chart.locator("g.heatmaplayer image")
    images.first.wait_for(state="attached", timeout=30_000)
    panels = []
    for i in range(images.count()):
        box = images.nth(i).bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50, box
        png = page.screenshot(clip=box)
        panels.append(np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float))
    return panels


def _is_shaded(pixels: np.ndarray) -> bool:
    """Both class colours (orange-ish and blue-ish) fill a good part of the panel, as a drawn
    probability heatmap does; an empty (white) plot area has neither."""
    r, b = pixels[..., 0], pixels[..., 2]
    orange = np.mean((r > b + 40) & (r > 150))
    blue = np.mean((b > r + 40) & (b > 120))
    return orange > 0.05 and blue > 0.05


def _all_shaded(page, chart) -> bool:
    panels = _panel_pixels(page, chart)
    return len(panels) == 3 and all(_is_shaded(p) for p in panels)  # SGD, Momentum, Adam


def _eventually(check, seconds: float = 30.0) -> bool:
    """Whether ``check()`` becomes true within ``seconds`` (polled every half second)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


@pytest.mark.timeout(300)
def test_mlp_playground_trains_and_plays_in_chromium(page, app_url):
    pytest.importorskip("PIL")
    page.goto(app_url)  # then navigate like a user
    wait_until_idle(page)
    page.get_by_role("link", name="MLP playground").first.click()
    page.wait_for_url("**/mlp_playground**")
    wait_until_idle(page, timeout_ms=120_000)
    page.get_by_text("Decision boundaries").first.wait_for(timeout=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0

    boundary = page.locator(PLOT).nth(1)  # after the data preview
    boundary.scroll_into_view_if_needed()
    # Rendering (and the layout settling after the scroll) is slow on a loaded machine: poll.
    assert _eventually(lambda: _all_shaded(page, boundary)), "heatmaps not drawn before Play"
    screenshot(page, "mlp_before_play")

    boundary.get_by_text("▶ Play").click()
    page.wait_for_timeout(1200)
    screenshot(page, "mlp_during_play")
    assert _eventually(lambda: _all_shaded(page, boundary), seconds=5), "blank while playing"
    page.wait_for_timeout(12_000)  # 51 frames of 150 ms
    screenshot(page, "mlp_after_play")
    assert _eventually(lambda: _all_shaded(page, boundary)), "heatmaps gone after Play"
    assert "epoch 100" in boundary.inner_text()
