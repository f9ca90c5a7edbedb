"""The MLP playground in a real browser: it trains with the defaults and plays the boundaries,
titles and curves together (the points stay drawn); points drawn by clicking train a network
and go into the URL; a malformed CSV upload says which row is wrong; the loss landscape opens
after training three optimizers and plays.

The first test opens the home page and follows the sidebar link, as a student would.
"""

import io
import time

import numpy as np
import pytest

from tests.e2e.conftest import screenshot, wait_until_idle

PLOT = '[data-testid="stPlotlyChart"]'
LONG = 180_000  # ms: training waits for the shared worker pool on a loaded machine


def _panel_pixels(page, chart) -> list[np.ndarray]:
    """RGB pixels (h, w, 3) of every decision-boundary panel of the chart, cut from a
    screenshot at the boxes of the layout images Plotly draws them as."""
    from PIL import Image

    images = chart.locator("g.imagelayer image")
    images.first.wait_for(state="attached", timeout=30_000)
    panels = []
    for i in range(images.count()):
        box = images.nth(i).bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50, box
        inner = dict(  # inside the image: its outer half cells are clipped by the panel
            x=box["x"] + 0.1 * box["width"],
            y=box["y"] + 0.1 * box["height"],
            width=0.8 * box["width"],
            height=0.8 * box["height"],
        )
        png = page.screenshot(clip=inner)
        panels.append(np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float))
    return panels


def _is_shaded(pixels: np.ndarray) -> bool:
    """Both class colours (orange-ish and blue-ish) fill a good part of the panel, as a drawn
    probability image does; an empty (white) plot area has neither."""
    r, b = pixels[..., 0], pixels[..., 2]
    orange = np.mean((r > b + 40) & (r > 150))
    blue = np.mean((b > r + 40) & (b > 120))
    return orange > 0.05 and blue > 0.05


def _all_shaded(page, chart, n: int = 3) -> bool:
    panels = _panel_pixels(page, chart)
    return len(panels) == n and all(_is_shaded(p) for p in panels)


def _eventually(check, seconds: float = 30.0) -> bool:
    """Whether ``check()`` becomes true within ``seconds`` (polled every half second)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _open(page, app_url: str, query: str) -> None:
    """The page at ``query``, after the home page: on a server that has not yet run app.py,
    Streamlit serves a deep link from pages/ and the first rerun resets its widgets."""
    page.goto(app_url)
    wait_until_idle(page)
    page.goto(f"{app_url}/mlp_playground?{query}")
    wait_until_idle(page, timeout_ms=LONG)


def _slider_at_end(page, index: int, timeout: int = 120_000) -> None:
    page.wait_for_function(
        """(i) => {
            const gd = document.querySelectorAll('.js-plotly-plot')[i];
            const s = gd && gd.layout.sliders && gd.layout.sliders[0];
            return s && s.active === s.steps.length - 1;
        }""",
        arg=index,
        timeout=timeout,
    )


@pytest.mark.timeout(400)
def test_mlp_playground_trains_and_plays_in_chromium(page, app_url):
    pytest.importorskip("PIL")
    page.goto(app_url)  # then navigate like a user
    wait_until_idle(page)
    page.get_by_role("link", name="MLP playground").first.click()
    page.wait_for_url("**/mlp_playground**")
    wait_until_idle(page, timeout_ms=LONG)
    figure = page.locator(PLOT).first
    figure.locator("g.imagelayer image").first.wait_for(state="attached", timeout=LONG)
    assert page.locator('[data-testid="stException"]').count() == 0
    # Rendering (and the layout settling) is slow on a loaded machine: poll.
    assert _eventually(lambda: _all_shaded(page, figure)), "boundaries not drawn before Play"
    assert "epoch 0" in figure.inner_text()
    points = figure.locator(".scatterlayer .point").count()
    assert points > 3 * 200  # every panel draws the data
    screenshot(page, "mlp_before_play")

    figure.get_by_text("▶ Play").click()
    page.wait_for_timeout(1500)
    screenshot(page, "mlp_during_play")
    assert _eventually(lambda: _all_shaded(page, figure), seconds=5), "blank while playing"
    _slider_at_end(page, 0)
    page.wait_for_timeout(1000)
    screenshot(page, "mlp_after_play")
    assert _eventually(lambda: _all_shaded(page, figure)), "boundaries gone after Play"
    text = figure.inner_text()
    assert "epoch 100" in text and "test" in text
    assert figure.locator(".scatterlayer .point").count() == points  # the data stay drawn


@pytest.mark.timeout(400)
def test_points_drawn_by_clicking_train_a_network(page, app_url):
    _open(page, app_url, "mlp.data=draw&mlp.epochs=40&mlp.test=0")
    page.get_by_text("Click the plot to add points").first.wait_for(timeout=LONG)
    canvas = page.locator(PLOT).first
    canvas.locator(".nsewdrag").first.wait_for()

    def click(fx: float, fy: float) -> None:
        box = canvas.locator(".nsewdrag").first.bounding_box()
        before = page.url
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        page.wait_for_function("(u) => window.location.href !== u", arg=before, timeout=LONG)
        wait_until_idle(page, timeout_ms=LONG)

    for fx, fy in ((0.2, 0.25), (0.3, 0.3), (0.25, 0.4)):  # class 0, upper left
        click(fx, fy)
    page.get_by_text("class 1", exact=True).click()
    wait_until_idle(page)
    for fx, fy in ((0.75, 0.7), (0.7, 0.8), (0.8, 0.75)):  # class 1, lower right
        click(fx, fy)
    screenshot(page, "mlp_drawn_points")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.url.count("_0") >= 3 and page.url.count("_1") >= 3  # x_y_class in mlp.points
    figure = page.locator(PLOT).nth(1)  # after the canvas: the training figure
    figure.locator("g.imagelayer image").first.wait_for(state="attached", timeout=LONG)
    figure.get_by_text("▶ Play").click()
    _slider_at_end(page, 1)
    screenshot(page, "mlp_drawn_points_trained")
    assert "train 100%" in figure.inner_text()  # six points, two clusters: learned


@pytest.mark.timeout(300)
def test_a_malformed_csv_upload_names_the_row(page, app_url, tmp_path):
    _open(page, app_url, "mlp.data=upload")
    page.get_by_text("Upload a CSV file").first.wait_for(timeout=LONG)
    bad = tmp_path / "points.csv"
    bad.write_text("x1,x2,label\n0.5,1,0\n1.5,two,1\n2,3,0\n")
    page.locator('input[type="file"]').set_input_files(str(bad))
    message = page.get_by_text("row 3, column x2")
    message.first.wait_for(timeout=LONG)
    screenshot(page, "mlp_bad_upload")
    shown = page.locator('[data-testid="stAlert"]').inner_text().replace("\u2060", "")
    assert "Check the CSV file points.csv: row 3, column x2: 'two' is not a number" in shown
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.timeout(400)
def test_the_loss_landscape_opens_after_training_and_plays(page, app_url):
    _open(page, app_url, "mlp.epochs=60")
    page.locator(PLOT).first.locator("g.imagelayer image").first.wait_for(
        state="attached", timeout=LONG
    )
    page.get_by_text("PCA plane of the paths").click()
    landscape = page.locator(PLOT).filter(has_text="principal direction")
    landscape.first.wait_for(timeout=LONG)
    wait_until_idle(page, timeout_ms=LONG)
    landscape.first.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    screenshot(page, "mlp_landscape")
    assert "SGD" in landscape.first.inner_text() and "Adam" in landscape.first.inner_text()
    index = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].findIndex(
            gd => gd.layout.xaxis && gd.layout.xaxis.title &&
                  String(gd.layout.xaxis.title.text).includes('principal direction'))"""
    )
    heads = """(i) => document.querySelectorAll('.js-plotly-plot')[i]._fullData
        .filter(t => t.mode === 'markers' && t.legendgroup).map(t => Array.from(t.x))"""
    landscape.first.get_by_text("▶ Play").click()
    page.wait_for_function(
        "(i) => document.querySelectorAll('.js-plotly-plot')[i].layout.sliders[0].active < 5",
        arg=index,
        timeout=30_000,
    )
    early = page.evaluate(heads, index)
    _slider_at_end(page, index)
    page.wait_for_timeout(1000)
    screenshot(page, "mlp_landscape_played")
    assert page.evaluate(heads, index) != early  # the heads moved along their paths
    assert page.locator('[data-testid="stException"]').count() == 0
