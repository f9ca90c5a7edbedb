"""The learning-rate lab page in AppTest: defaults, bad input, tampered URLs, every optimizer."""

import pathlib

import pytest
from streamlit.testing.v1 import AppTest

import optim_core
from tests.shown import texts

PAGE = str(pathlib.Path(__file__).resolve().parents[1] / "pages" / "lr_lab.py")


def run(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def metric(at, label_start: str):
    return next(m for m in at.metric if m.label.startswith(label_start))


def test_defaults_show_regimes_and_edges_matching_theory():
    at = run()
    assert not at.exception and not at.error and not at.warning
    assert len(at.get("plotly_chart")) == 2
    counts = {m.label: int(m.value) for m in at.metric[:4]}
    assert counts == {"too slow": 3, "converges": 3, "oscillates": 1, "diverges": 3}
    # The quadratic has L = 10: gradient descent 2/L = 0.2, momentum (2 + 1.8)/L = 0.38.
    assert float(metric(at, "SGD edge").value) == pytest.approx(0.2, rel=0.02)
    assert float(metric(at, "Momentum edge").value) == pytest.approx(0.38, rel=0.02)
    assert metric(at, "Adam edge").value == "—"
    assert at.query_params["lr.surface"] == "quadratic"


def test_typed_list_garbage_gives_a_clear_error():
    at = run(**{"lr.mode": "list"})
    at.text_input(key="lr.list").set_value("0.01, banana").run()
    assert not at.exception
    assert "'banana' is not a number" in texts(at.error)


@pytest.mark.parametrize(
    ("text", "message"),
    [("0.1, -0.1", "positive"), (", ".join(["0.01"] * 60), "At most 50"), ("", "at least one")],
)
def test_typed_list_bounds(text, message):
    at = run(**{"lr.mode": "list"})
    at.text_input(key="lr.list").set_value(text).run()
    assert not at.exception and message in texts(at.error)


def test_typed_list_runs_those_rates():
    at = run(**{"lr.mode": "list", "lr.list": "0.05, 0.15, 0.25", "lr.compare": "sgd"})
    assert not at.exception and not at.error
    assert sum(int(m.value) for m in at.metric[:4]) == 3


def test_range_upside_down_is_an_error():
    at = run()
    at.number_input(key="lr.lo").set_value(0.9).run()
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


@pytest.mark.parametrize("name", list(optim_core.OPTIMIZERS))
def test_every_optimizer(name):
    at = run(**{"lr.optimizer": name, "lr.compare": name, "lr.steps": "200"})
    assert not at.exception and not at.error
    assert at.get("plotly_chart")


def test_small_multiples_view_and_another_surface():
    at = run(**{"lr.view": "small multiples", "lr.surface": "rosenbrock", "lr.steps": "200"})
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
