"""AppTest of the minima lab page: defaults, bounds, tampered URLs, Himmelblau."""

import json
import pathlib

import pytest
from streamlit.testing.v1 import AppTest

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


def share_table(at):
    return at.dataframe[0].value


def test_defaults_open_on_wells_with_sgd_momentum_adam_side_by_side():
    at = run_page()
    assert not at.exception
    assert not at.warning and not at.error
    assert at.selectbox(key="basin.surface").value == "wells"
    assert at.multiselect(key="basin.optimizers").value == ["sgd", "momentum", "adam"]
    assert at.slider(key="basin.grid").value == 100
    maps, animation = figures(at)
    heatmaps = [t for t in maps["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 3
    assert [t["xaxis"] for t in heatmaps] == ["x", "x2", "x3"]
    assert animation["layout"]["images"] and animation["frames"]
    table = share_table(at)
    assert list(table.index) == ["SGD", "Momentum", "Adam"]
    # Percent per outcome sums to 100 for each optimizer (the first column is a subtotal).
    assert table.iloc[:, 1:].sum(axis=1).tolist() == pytest.approx([100, 100, 100])
    sgd, momentum, adam = table["reach a global minimum"]
    assert momentum > sgd + 20 and adam > sgd + 15
    assert at.query_params["basin.surface"] == "wells"
    assert at.query_params["basin.sgd.lr"] == "0.1"


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
    ],
)
def test_bad_query_values_warn_and_fall_back_to_defaults(key, value):
    at = run_page(**{key: value, "basin.grid": "20"})
    assert not at.exception
    assert key in texts(at.warning)
    assert len(figures(at)) == 2


def test_himmelblau_all_four_minima_are_global():
    at = run_page(**{"basin.surface": "himmelblau", "basin.grid": "40"})
    assert not at.exception and not at.warning
    table = share_table(at)
    assert table["reach a global minimum"].min() > 99
    # Four basins, each a sizeable share of the plane for every optimizer.
    minima = [c for c in table.columns if c.startswith("global min")]
    assert len(minima) == 4 and (table[minima] > 15).all().all()


def test_himmelblau_preset_switches_surface_and_learning_rates():
    at = run_page(**{"basin.grid": "20"})
    at.button[1].click().run()
    assert not at.exception
    assert at.selectbox(key="basin.surface").value == "himmelblau"
    assert at.session_state["basin.sgd.lr"] == basins.TUNED_LR["himmelblau"]["sgd"]


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
    assert share_table(at).loc["SGD", "diverged"] == pytest.approx(100)


def test_rastrigin_map_shows_its_unlisted_wells_instead_of_other():
    at = run_page(
        **{
            "basin.surface": "rastrigin",
            "basin.optimizers": "sgd",
            "basin.sgd.lr": "0.002",
            "basin.grid": "40",
            "basin.steps": "300",
            "basin.starts": "5",
        }
    )
    assert not at.exception
    table = share_table(at)
    assert table.loc["SGD", "unlisted local minima"] > 85
    assert table.loc["SGD", "other"] + table.loc["SGD", "not converged"] < 1
    assert table.iloc[:, 1:].sum(axis=1).tolist() == pytest.approx([100])
    maps = figures(at)[0]
    legend = [t.get("name", "") for t in maps["data"] if t.get("showlegend") is not False]
    assert sum(name.startswith("local min at (") for name in legend) == 6
