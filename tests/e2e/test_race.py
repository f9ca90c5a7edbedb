"""The race page in a real browser: the surface survives the animation, the paths move, the
scoreboard tells outcomes only when they happen, a click moves the start to a tidy point, and
typed formulas and mini-batch scenes race. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.e2e.conftest import screenshot, wait_until_idle

PLOT = '[data-testid="stPlotlyChart"]'


def _plot_box(page) -> dict:
    """The map's drawing area (the first subplot) in page pixels."""
    chart = page.locator(PLOT).first
    chart.wait_for()
    return chart.locator(".nsewdrag").first.bounding_box()


def _crop(path, box) -> np.ndarray:
    img = Image.open(path).convert("RGB")
    x, y, w, h = (int(round(v)) for v in (box["x"], box["y"], box["width"], box["height"]))
    return np.asarray(img.crop((x + 2, y + 2, x + w - 2, y + h - 2)), dtype=int)


def _drawn(pixels: np.ndarray) -> bool:
    """The surface image paints the map in many distinct shades (a blank map is one colour)."""
    distinct = len(np.unique(pixels.reshape(-1, 3) // 6, axis=0))
    return distinct > 25 and pixels.std() > 8


def _scoreboard(page) -> list[str]:
    return page.evaluate(
        """() => { const gd = document.querySelector('.js-plotly-plot');
                   return gd.data[gd.data.length - 1].text; }"""
    )


def _play_to_the_end(page) -> None:
    page.locator(PLOT).first.locator(".updatemenu-button").first.click()
    page.wait_for_function(
        """() => {
            const gd = document.querySelector('.js-plotly-plot');
            const s = gd && gd.layout.sliders && gd.layout.sliders[0];
            return s && s.active === s.steps.length - 1;
        }""",
        timeout=120_000,
    )
    page.wait_for_timeout(800)


def test_surface_stays_drawn_while_paths_move_and_the_ending_waits(page, app_url):
    page.goto(f"{app_url}/race?race.surface=rosenbrock&race.optimizers=sgd,bfgs&race.sgd.lr=0.004")
    wait_until_idle(page)
    page.locator(PLOT).first.wait_for()
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    box = _plot_box(page)
    before = _crop(screenshot(page, "race_before_play"), box)
    assert _drawn(before), "the surface is not drawn before Play"
    board = _scoreboard(page)
    assert not any(word in line for line in board for word in ("converged", "diverged"))

    page.locator(PLOT).first.locator(".updatemenu-button").first.click()
    page.wait_for_timeout(1200)
    playing = _crop(screenshot(page, "race_playing"), box)
    assert _drawn(playing), "the surface is not drawn while the animation plays"
    _play_to_the_end(page)
    after = _crop(screenshot(page, "race_after_play"), box)
    assert _drawn(after), "the surface vanished after the animation"
    changed = (np.abs(after - before).sum(axis=2) > 60).mean()
    assert changed > 0.001, f"the paths did not move ({changed:.4%} of pixels changed)"
    assert any("converged at step" in line for line in _scoreboard(page))


def test_click_on_the_map_moves_the_start_to_a_tidy_point(page, app_url):
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
    assert abs(new * 10 - round(new * 10)) < 1e-9, f"start {new} is not on a tidy grid"


def test_a_typed_formula_is_drawn_and_raced(page, app_url):
    page.goto(f"{app_url}/race?race.optimizers=sgd,adam,newton")
    wait_until_idle(page)
    page.get_by_role("combobox", name="Surface").click()
    page.get_by_role("option", name="✎ Your own formula").click()
    wait_until_idle(page)
    box = page.get_by_role("textbox", name="f(x, y) =")
    box.fill("(x - 1)^2 + 4*(y + 0.5)^2 + 0.1*x^4")
    box.press("Enter")
    page.wait_for_function(  # the map now spans the formula's domain, [-2, 2] in x
        """() => { const gd = document.querySelector('.js-plotly-plot');
                   return gd && gd.layout.xaxis.range[1] === 2; }""",
        timeout=120_000,
    )
    wait_until_idle(page, timeout_ms=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlert"]').filter(has_text="Check the formula").count() == 0
    assert _drawn(_crop(screenshot(page, "race_formula"), _plot_box(page)))
    assert "race.formula=" in page.url
    _play_to_the_end(page)
    screenshot(page, "race_formula_played")
    assert any("Newton" in line and "converged" in line for line in _scoreboard(page))


def test_batch_minibatch_stochastic_preset_plays_with_the_data_view(page, app_url):
    page.goto(f"{app_url}/race")
    wait_until_idle(page)
    page.get_by_role("button", name="Batch, mini-batch, stochastic").click()
    wait_until_idle(page, timeout_ms=120_000)
    page.locator(PLOT).first.wait_for()
    names = page.evaluate(
        "() => document.querySelector('.js-plotly-plot').data.map(t => t.name || '')"
    )
    assert "data" in names
    _play_to_the_end(page)
    screenshot(page, "race_batches_played")
    board = " ".join(_scoreboard(page))
    for words in ("batch (all data)", "mini-batches of 8", "stochastic (1 point)"):
        assert words in board
