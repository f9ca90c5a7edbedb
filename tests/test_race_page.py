"""AppTest of pages/race.py: defaults, presets, every surface, tampered URLs, divergence."""

import pathlib

import pytest
from streamlit.testing.v1 import AppTest

import surfaces
from scenes import race as rs
from tests.shown import texts

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages/race.py")


def _run(query=None):
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def test_defaults_render_race_table_and_rules():
    at = _run()
    assert not at.exception and not at.warning and not at.error
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == ["SGD", "Momentum", "NAG", "Adagrad", "RMSProp", "Adam"]
    assert len(at.latex) == 6
    assert len(at.get("plotly_chart")) == 1  # map, curves and scoreboard in one figure


@pytest.mark.parametrize("key", list(rs.PRESETS))
def test_presets(key):
    at = _run()
    at.button(key=f"race.preset.{key}").click().run()
    assert not at.exception
    assert at.selectbox(key="race.surface").value == rs.PRESETS[key].surface
    cfg = rs.config({k: at.session_state[k] for k in rs.spec(rs.PRESETS[key].surface)})
    assert len(at.dataframe[0].value) == len(rs.entries(cfg))
    assert any(rs.PRESETS[key].title in i.value for i in at.info)


@pytest.mark.parametrize("surface", list(surfaces.SURFACES))
def test_every_surface(surface):
    at = _run()
    at.selectbox(key="race.surface").set_value(surface).run()
    assert not at.exception
    assert at.number_input(key="race.x").value == surfaces.get(surface).start[0]
    assert at.number_input(key="race.sgd.lr").value == rs.LEARNING_RATES[surface]["sgd"]
    assert "diverged" not in " ".join(at.dataframe[0].value["outcome"])


def test_bad_query_params_warn_and_fall_back():
    at = _run(
        {
            "race.surface": "nope",
            "race.steps": "1e9",
            "race.x": "abc",
            "race.optimizers": "sgd,warp",
            "race.adam.lr": "-1",
        }
    )
    assert not at.exception
    assert len(at.warning) == 5
    assert at.number_input(key="race.steps").value == rs.DEFAULT_STEPS[rs.DEFAULT_SURFACE]


def test_url_sets_the_scene():
    at = _run({"race.surface": "himmelblau", "race.optimizers": "adam,nag", "race.steps": "77"})
    assert not at.exception and not at.warning
    assert list(at.dataframe[0].value["optimizer"]) == ["Adam", "NAG"]
    assert at.number_input(key="race.steps").value == 77


def test_diverging_learning_rate_is_a_result():
    at = _run({"race.surface": "rosenbrock", "race.optimizers": "sgd,adam", "race.sgd.lr": "100"})
    assert not at.exception and not at.error
    assert at.dataframe[0].value.loc[0, "outcome"].startswith("diverged at step")


def test_nesterov_without_momentum_falls_back_to_a_valid_setting():
    # Nesterov needs momentum > 0: the widget's bounds exclude 0, so a URL asking for it is
    # refused like any out-of-range value, and the race runs with the default momentum.
    at = _run({"race.optimizers": "nag", "race.nag.momentum": "0"})
    assert not at.exception and not at.error
    assert len(at.warning) == 1 and "race.nag.momentum=0" in texts(at.warning)
    assert at.number_input(key="race.nag.momentum").value == 0.9
    assert list(at.dataframe[0].value["optimizer"]) == ["NAG"]


def test_a_typed_formula_is_drawn_and_raced():
    at = _run({"race.optimizers": "sgd,bfgs"})
    at.selectbox(key="race.surface").set_value("formula").run()
    at.text_input(key="race.formula").set_value("(x - 1)^2 + 3*(y + 0.5)^2").run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == ["SGD", "BFGS"]
    assert table.loc[1, "outcome"].startswith("converged")
    assert at.query_params["race.formula"] in (
        "(x - 1)^2 + 3*(y + 0.5)^2",
        ["(x - 1)^2 + 3*(y + 0.5)^2"],
    )


@pytest.mark.parametrize(
    "formula, domain, words",
    [
        ("__import__('os').system('id')", "-2, 2, -1, 3", "column"),
        ("9**9**9", "-2, 2, -1, 3", "exponent"),
        ("x^2 + y^2", "2, -2, 0, 1", "x0 < x1"),
    ],
)
def test_bad_formulas_are_refused_with_a_message(formula, domain, words):
    at = _run({"race.surface": "formula"})
    at.text_input(key="race.formula").set_value(formula).run()
    at.text_input(key="race.domain").set_value(domain).run()
    assert not at.exception
    assert words in texts(at.error) and "Check the formula" in texts(at.error)
    assert not at.get("plotly_chart")


def test_a_formula_from_the_url_sets_the_scene():
    at = _run(
        {"race.surface": "formula", "race.formula": "x^2 + 2*y^2", "race.domain": "-3,3,-3,3"}
    )
    assert not at.exception and not at.warning and not at.error
    assert at.text_input(key="race.formula").value == "x^2 + 2*y^2"


def test_a_hostile_formula_in_the_url_falls_back_with_a_plain_warning():
    at = _run({"race.surface": "formula", "race.formula": "`[x](http://evil)`"})
    assert not at.exception
    assert "race.formula=" in texts(at.warning)
    assert "\\[x\\]" in at.warning[0].value  # brackets escaped: shown, not a link


def test_levenberg_marquardt_needs_a_sum_of_squares():
    at = _run({"race.surface": "wells", "race.optimizers": "sgd,levenberg_marquardt"})
    assert not at.exception and not at.error
    assert "sum-of-squares" in texts(at.info)
    assert list(at.dataframe[0].value["optimizer"])[0] == "SGD"


def test_too_much_work_is_refused_before_it_starts():
    everything = ",".join(rs.ALL_OPTIMIZERS)
    at = _run({"race.surface": "himmelblau", "race.optimizers": everything, "race.steps": "5000"})
    assert not at.exception
    if rs.estimate(rs.config({k: at.session_state[k] for k in rs.spec("himmelblau")})) > 5:
        assert "at most" in texts(at.error) and not at.get("plotly_chart")
    else:
        assert at.get("plotly_chart")


def test_batch_compare_on_a_data_surface():
    at = _run()
    at.button(key="race.preset.batches").click().run()
    assert not at.exception and not at.error
    assert list(at.dataframe[0].value["optimizer"]) == [
        "SGD, batch (all data)",
        "SGD, mini-batches of 8",
        "SGD, stochastic (1 point)",
    ]
