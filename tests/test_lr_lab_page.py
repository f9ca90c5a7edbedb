"""The learning-rate lab page in AppTest: defaults, every surface, the range that follows the
surface, bad input and its correction, tampered URLs, the work budget, typed formulas."""

import pathlib

import pytest
from streamlit.testing.v1 import AppTest

import surfaces
from scenes import sweep as lab
from tests.shown import texts

PAGE = str(pathlib.Path(__file__).resolve().parents[1] / "pages" / "lr_lab.py")


def run(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def runs(at):
    """The table of every run (in the expander that shows the endings)."""
    return next(df.value for df in at.dataframe if "regime" in df.value.columns)


def edges(at):
    table = next(df.value for df in at.dataframe if "measured edge" in df.value.columns)
    return dict(zip(table["optimizer"], table["measured edge"], strict=True))


def test_defaults_show_every_regime_and_edges_matching_theory():
    at = run()
    assert not at.exception and not at.error and not at.warning
    assert len(at.get("plotly_chart")) == 2  # the animated sweep, the sweep chart
    assert set(runs(at)["regime"]) == set(lab.REGIMES)
    # The quadratic has L = 10: gradient descent 2/L = 0.2, momentum (2 + 1.8)/L = 0.38.
    measured = edges(at)
    assert float(measured["SGD"]) == pytest.approx(0.2, rel=0.02)
    assert float(measured["Momentum"]) == pytest.approx(0.38, rel=0.02)
    assert measured["Adam"].startswith("no divergence")
    assert at.query_params["lr.surface"] == "quadratic"
    assert not at.metric  # no delta arrows that read like improvements
    assert any("GIF" in b.proto.label for b in at.get("download_button"))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
@pytest.mark.parametrize("surface", ["quadratic", "beale"])
def test_default_range_shows_every_regime(surface, optimizer):
    at = run(**{"lr.surface": surface, "lr.optimizer": optimizer, "lr.compare": "sgd"})
    assert not at.exception and not at.error
    assert set(runs(at)["regime"]) == set(lab.REGIMES)


@pytest.mark.parametrize("surface", list(surfaces.SURFACES))
def test_every_surface(surface):
    at = run(**{"lr.surface": surface, "lr.compare": "sgd,adam"})
    assert not at.exception and not at.error and not at.warning
    assert len(at.get("plotly_chart")) == 2


def test_changing_surface_or_optimizer_resets_the_range_but_a_url_range_stays():
    at = run()
    quadratic = at.session_state["lr.lo"], at.session_state["lr.hi"]
    at.selectbox(key="lr.surface").set_value("beale").run()
    assert not at.exception and not at.error
    beale = at.session_state["lr.lo"], at.session_state["lr.hi"]
    assert beale != quadratic and beale[1] < 0.2
    at.selectbox(key="lr.optimizer").set_value("momentum").run()
    assert (at.session_state["lr.lo"], at.session_state["lr.hi"]) != beale
    assert set(runs(at)["regime"]) == set(lab.REGIMES)

    at = run(**{"lr.surface": "beale", "lr.lo": "0.01", "lr.hi": "0.5"})
    assert (at.session_state["lr.lo"], at.session_state["lr.hi"]) == (0.01, 0.5)
    assert not at.warning


def test_a_corrected_list_runs_without_a_stale_warning():
    at = run(**{"lr.mode": "list", "lr.compare": "sgd"})
    at.text_input(key="lr.list").set_value("0.001, abc, 0.1").run()
    assert not at.exception and "'abc' is not a number" in texts(at.error)
    at.text_input(key="lr.list").set_value("0.001, 0.01, 0.1").run()
    assert not at.exception and not at.error and not at.warning
    assert list(runs(at)["learning rate"]) == ["1e-3", "0.01", "0.1"]
    at.run()  # and again, e.g. when the window reports its size
    assert not at.warning and not at.error


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.01, banana", "'banana' is not a number"),
        ("0.1, -0.1", "positive"),
        (", ".join(["0.01"] * 60), "At most 50"),
        ("", "at least one"),
    ],
)
def test_typed_list_errors(text, message):
    at = run(**{"lr.mode": "list"})
    at.text_input(key="lr.list").set_value(text).run()
    assert not at.exception and message in texts(at.error)


def test_switching_to_a_typed_list_starts_from_the_range():
    at = run(**{"lr.compare": "sgd"})
    at.radio(key="lr.mode").set_value("list").run()
    assert not at.exception and not at.error
    assert len(lab.parse_rates(at.text_input(key="lr.list").value)) == 10


def test_range_upside_down_is_an_error():
    at = run()
    at.number_input(key="lr.lo").set_value(0.9).run()
    at.number_input(key="lr.hi").set_value(0.1).run()
    assert not at.exception and "must be below the largest" in texts(at.error)


def test_tampered_url_warns_and_uses_defaults():
    at = run(
        **{
            "lr.steps": "999999",
            "lr.surface": "nowhere",
            "lr.count": "-3",
            "lr.mode": "list",
            "lr.list": "1,2,abc",
            "lr.compare": "sgd,bogus",
            "lr.momentum.momentum": "7",
        }
    )
    assert not at.exception
    text = texts(at.warning)
    for key in ("lr.steps", "lr.surface", "lr.count", "lr.list", "lr.compare"):
        assert f"{key}=" in text
    assert "lr.momentum.momentum" in text
    assert at.session_state["lr.steps"] == 500 and at.session_state["lr.surface"] == "quadratic"


@pytest.mark.parametrize("name", list(lab.OPTIMIZERS))
def test_every_optimizer(name):
    at = run(**{"lr.optimizer": name, "lr.compare": name, "lr.steps": "200"})
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2


def test_small_multiples_view_shows_every_ending_at_once():
    at = run(**{"lr.view": "small multiples", "lr.surface": "rosenbrock", "lr.compare": "sgd"})
    assert not at.exception and not at.error
    spec = at.get("plotly_chart")[0].proto.spec
    assert '"frames"' not in spec or '"frames":[]' in spec.replace(" ", "")


def test_no_optimizer_to_compare_is_explained():
    at = run()
    at.multiselect(key="lr.compare").set_value([]).run()
    assert not at.exception
    assert "at least one optimizer" in texts(at.info)


@pytest.mark.parametrize(
    "query",
    [
        {"lr.optimizer": "nag", "lr.nag.momentum": "0"},
        {"lr.optimizer": "sgd", "lr.compare": "nag", "lr.nag.momentum": "0"},
    ],
    ids=["paths", "compared"],
)
def test_nesterov_without_momentum_falls_back_to_a_valid_setting(query):
    # Issue 10: these URLs showed a traceback with server paths.
    at = run(**query)
    assert not at.exception and not at.error
    assert "lr.nag.momentum=0" in texts(at.warning)
    assert at.session_state["lr.nag.momentum"] == 0.9


def test_too_much_work_is_refused_before_it_starts_naming_what_fits():
    at = run(**{"lr.count": "50", "lr.steps": "5000", "lr.compare": ",".join(lab.OPTIMIZERS)})
    assert not at.exception
    assert "at most" in texts(at.error) and "50 learning rates" in texts(at.error)
    assert not at.get("plotly_chart")


def test_a_typed_formula_is_swept():
    at = run(**{"lr.compare": "sgd"})
    at.selectbox(key="lr.surface").set_value("formula").run()
    at.text_input(key="lr.formula").set_value("(x - 1)^2 + 3*(y + 0.5)^2").run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2
    assert set(runs(at)["regime"]) == set(lab.REGIMES)
    assert at.query_params["lr.formula"] in (
        "(x - 1)^2 + 3*(y + 0.5)^2",
        ["(x - 1)^2 + 3*(y + 0.5)^2"],
    )


def test_a_bad_formula_is_refused_with_a_message():
    at = run(**{"lr.surface": "formula"})
    at.text_input(key="lr.formula").set_value("__import__('os').system('id')").run()
    assert not at.exception
    assert "Check the formula" in texts(at.error)
    assert not at.get("plotly_chart")
