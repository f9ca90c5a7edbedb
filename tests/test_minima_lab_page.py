"""AppTest of the minima lab page: defaults, every surface, presets, the budget, curvature
methods, typed formulas, the multi-start view and tampered URLs."""

import json
import pathlib

import pytest
from streamlit.testing.v1 import AppTest

import surfaces
from scenes import basins
from tests.shown import texts

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "minima_lab.py")


def run_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def shares(at):
    """The table of shares, one row per optimizer (the page shows it transposed)."""
    return at.dataframe[0].value.T


def test_defaults_open_on_wells_with_three_maps_as_images():
    at = run_page()
    assert not at.exception
    assert not at.warning and not at.error
    assert at.selectbox(key="basin.surface").value == "wells"
    assert at.multiselect(key="basin.optimizers").value == ["sgd", "momentum", "adam"]
    assert at.slider(key="basin.grid").value == 100
    (maps,) = figures(at)
    assert not [t for t in maps["data"] if t["type"] in ("heatmap", "contour")]
    assert [(i["xref"], i["yref"]) for i in maps["layout"]["images"]] == [
        ("x", "y"),
        ("x2", "y2"),
        ("x3", "y3"),
    ]
    table = shares(at)
    assert list(table.index) == ["SGD", "Momentum", "Adam"]
    # Percent per outcome sums to 100 for each optimizer (the first column is a subtotal).
    assert table.iloc[:, 1:].sum(axis=1).tolist() == pytest.approx([100, 100, 100])
    sgd, momentum, adam = table["reach a global minimum"]
    assert momentum > sgd + 20 and adam > sgd + 15
    assert at.query_params["basin.surface"] == "wells"
    assert at.query_params["basin.sgd.lr"] == "0.1"
    assert at.query_params["basin.view"] == "maps"


@pytest.mark.parametrize("surface", list(surfaces.SURFACES))
def test_every_surface_draws_its_maps_at_a_small_grid(surface):
    at = run_page(**{"basin.surface": surface, "basin.grid": "20", "basin.steps": "100"})
    assert not at.exception and not at.error and not at.warning
    (maps,) = figures(at)
    assert len(maps["layout"]["images"]) == 3
    assert surfaces.get(surface).title in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("key", list(basins.PRESETS))
def test_presets_set_the_scene_and_say_what_to_watch(key):
    at = run_page(**{"basin.grid": "20"})
    at.button(key=f"basin.preset.{key}").click().run()
    assert not at.exception and not at.error
    preset = basins.PRESETS[key]
    assert at.selectbox(key="basin.surface").value == preset.surface
    assert at.multiselect(key="basin.optimizers").value == list(preset.optimizers)
    assert at.slider(key="basin.grid").value == preset.grid
    assert len(figures(at)[0]["layout"]["images"]) == len(preset.optimizers)
    assert any(preset.title in i.value for i in at.info)


def test_newtons_fractal_preset_shows_newton_stopping_on_saddles():
    at = run_page()
    at.button(key="basin.preset.newton_fractal").click().run()
    table = shares(at)
    assert list(table.index) == ["Newton", "Saddle-free Newton", "SGD", "BFGS"]
    assert table.loc["Newton", "other"] > 20  # saddles and the maximum
    assert table.loc["Saddle-free Newton", "other"] < 1
    assert table["reach a global minimum"].loc[["SGD", "BFGS"]].min() > 95


def test_too_much_work_is_refused_before_it_starts_with_the_largest_grid_that_fits():
    at = run_page(
        **{
            "basin.surface": "ackley",
            "basin.grid": "300",
            "basin.steps": "1000",
            "basin.optimizers": "sgd,momentum,nag,adam",
        }
    )
    assert not at.exception
    message = texts(at.error)
    assert "at most" in message and "starts at 1,000 steps with four optimizers" in message
    assert not at.get("plotly_chart")  # refused before any work: nothing was drawn


def test_curvature_methods_draw_maps_and_levenberg_marquardt_explains_where_it_cannot():
    at = run_page(
        **{
            "basin.surface": "wells",
            "basin.optimizers": "newton,bfgs,levenberg_marquardt",
            "basin.grid": "30",
        }
    )
    assert not at.exception and not at.error
    assert "Levenberg–Marquardt draws nothing here" in texts(at.info)
    assert "sum-of-squares" in texts(at.info)
    assert list(shares(at).index) == ["Newton", "BFGS"]
    at = run_page(
        **{
            "basin.surface": "rosenbrock",
            "basin.optimizers": "levenberg_marquardt,lbfgs,cg,saddle_free_newton",
            "basin.grid": "30",
            "basin.steps": "100",
        }
    )
    assert not at.exception and not at.error and "draws nothing" not in texts(at.info)
    assert len(figures(at)[0]["layout"]["images"]) == 4


def test_a_typed_formula_from_the_url_draws_its_basins():
    at = run_page(
        **{
            "basin.surface": "formula",
            "basin.formula": "(x^2 - 1)^2 + y^2",
            "basin.domain": "-2, 2, -1.5, 1.5",
            "basin.optimizers": "sgd,newton",
            "basin.grid": "30",
        }
    )
    assert not at.exception and not at.error and not at.warning
    table = shares(at)
    # Two minima, (-1, 0) and (1, 0), equally deep: both global; the y axis splits the plane.
    assert table["reach a global minimum"]["SGD"] > 95
    assert at.text_input(key="basin.formula").value == "(x^2 - 1)^2 + y^2"
    assert at.query_params["basin.formula"] in ("(x^2 - 1)^2 + y^2", ["(x^2 - 1)^2 + y^2"])


@pytest.mark.parametrize(
    ("formula", "domain", "words"),
    [
        ("__import__('os').system('id')", "-2, 2, -2, 2", "column"),
        ("9**9**9", "-2, 2, -2, 2", "exponent"),
        ("x^2 + y^2", "2, -2, 0, 1", "x0 < x1"),
    ],
)
def test_bad_formulas_are_refused_with_a_plain_message(formula, domain, words):
    at = run_page(**{"basin.surface": "formula", "basin.grid": "20"})
    at.text_input(key="basin.formula").set_value(formula).run()
    at.text_input(key="basin.domain").set_value(domain).run()
    assert not at.exception
    assert "Check the formula" in texts(at.error) and words in texts(at.error)
    assert not at.get("plotly_chart")


def test_rastrigin_classifies_nearly_every_start_into_a_well():
    at = run_page(
        **{
            "basin.surface": "rastrigin",
            "basin.optimizers": "sgd",
            "basin.sgd.lr": "0.002",
            "basin.grid": "40",
            "basin.steps": "300",
        }
    )
    assert not at.exception
    table = shares(at)
    assert table.loc["SGD", "unlisted local minima"] > 85
    assert table.loc["SGD", "other"] + table.loc["SGD", "not converged"] < 1
    assert table.iloc[:, 1:].sum(axis=1).tolist() == pytest.approx([100])


def test_multistart_view_animates_with_a_scoreboard_and_offers_a_gif():
    at = run_page(**{"basin.view": "multistart", "basin.starts": "12"})
    assert not at.exception and not at.error
    (animation,) = figures(at)
    assert animation["layout"]["images"] and animation["frames"]
    assert animation["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶ Play"
    board = animation["data"][-1]["text"]
    assert all("12 on the way" in line for line in board)
    (expander,) = [e for e in at.expander if "shows the ending" in e.label]
    assert list(at.dataframe[0].value.columns) == ["SGD", "Momentum", "Adam"]
    buttons = at.get("download_button")
    assert any("GIF" in b.proto.label for b in buttons)


def test_huge_grid_in_the_url_is_refused_with_a_clear_message():
    at = run_page(**{"basin.grid": "1000", "basin.steps": "50"})
    assert not at.exception
    messages = texts(at.warning)
    assert "basin.grid=1000" in messages and f"to {basins.MAX_GRID}" in messages
    assert at.slider(key="basin.grid").value == 100


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("basin.surface", "nowhere"),
        ("basin.optimizers", "sgd,warp_drive"),
        ("basin.optimizers", "sgd,momentum,nag,adam,rmsprop"),
        ("basin.steps", "-5"),
        ("basin.steps", "1e9"),
        ("basin.sgd.lr", "abc"),
        ("basin.sgd.lr", "inf"),
        ("basin.starts", "100000"),
        ("basin.seed", "x"),
        ("basin.view", "3d"),
        ("basin.formula", "__import__('os')"),
    ],
)
def test_bad_query_values_warn_and_fall_back_to_defaults(key, value):
    at = run_page(**{key: value, "basin.grid": "20"})
    assert not at.exception
    assert key in texts(at.warning)
    assert len(figures(at)) == 1


def test_himmelblau_all_four_minima_are_global():
    at = run_page(**{"basin.surface": "himmelblau", "basin.grid": "40"})
    assert not at.exception and not at.warning
    table = shares(at)
    assert table["reach a global minimum"].min() > 99
    # Four basins, each a sizeable share of the plane for every optimizer.
    minima = [c for c in table.columns if c.startswith("global min")]
    assert len(minima) == 4 and (table[minima] > 15).all().all()


def test_changing_the_surface_uses_its_learning_rates():
    at = run_page(**{"basin.grid": "20"})
    at.selectbox(key="basin.surface").set_value("quadratic").run()
    assert not at.exception
    assert at.session_state["basin.sgd.lr"] == pytest.approx(0.05)  # 0.5 / L with L = 10
    assert at.query_params["basin.surface"] == "quadratic"


def test_nesterov_without_momentum_falls_back_to_a_valid_setting():
    at = run_page(**{"basin.optimizers": "nag", "basin.nag.momentum": "0", "basin.grid": "20"})
    assert not at.exception and not at.error
    assert "basin.nag.momentum=0" in texts(at.warning)
    assert at.number_input(key="basin.nag.momentum").value == 0.9


def test_no_optimizer_selected_asks_for_one():
    at = run_page(**{"basin.grid": "20"})
    at.multiselect(key="basin.optimizers").set_value([]).run()
    assert not at.exception
    assert "at least one optimizer" in texts(at.info)


def test_diverging_learning_rate_is_a_result_not_an_error():
    at = run_page(**{"basin.optimizers": "sgd", "basin.sgd.lr": "50", "basin.grid": "20"})
    assert not at.exception and not at.error
    assert shares(at).loc["SGD", "diverged"] == pytest.approx(100)


def test_controls_live_in_the_sidebar():
    at = run_page(**{"basin.grid": "20"})
    keys = {w.key for w in at.sidebar.get("selectbox")} | {w.key for w in at.sidebar.slider}
    assert {"basin.surface", "basin.grid"} <= keys
    assert not at.main.get("selectbox") and not at.main.slider
