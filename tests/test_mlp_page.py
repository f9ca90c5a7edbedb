"""AppTest of pages/mlp_playground.py: defaults, every data set, bounds, bad URLs, divergence."""

import json
import pathlib

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.shown import texts

PAGE = str(pathlib.Path(__file__).resolve().parents[1] / "pages" / "mlp_playground.py")
SMALL = {"mlp.n": "120", "mlp.epochs": "15"}  # keeps the parametrized runs quick


def run(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def table(at: AppTest):
    assert len(at.dataframe) == 1, [e.value for e in at.error]
    return at.dataframe[0].value


def boundary_spec(at: AppTest) -> dict:
    """The decision-boundary figure (second chart, after the data preview) as JSON."""
    return json.loads(at.get("plotly_chart")[1].proto.spec)


def test_defaults_train_three_optimizers_and_show_the_speed_difference():
    at = run()
    assert not at.exception
    assert not at.warning and not at.error
    df = table(at)
    assert list(df["optimizer"]) == ["SGD", "Momentum", "Adam"]
    spec = boundary_spec(at)
    assert sum(t["type"] == "heatmap" for t in spec["data"]) == 3
    assert len(spec["layout"]["sliders"]) == 1 and 2 <= len(spec["frames"]) <= 60
    # the instructive default: plain SGD needs clearly more epochs to reach 90 % than both
    speed = dict(zip(df["optimizer"], df["epochs to 90% train accuracy"], strict=True))
    assert speed["SGD"] > 2 * max(speed["Momentum"], speed["Adam"])
    assert (df["test accuracy"] > 0.9).all()
    # everything is in the URL
    assert at.query_params["mlp.data"] == "moons"
    assert at.query_params["mlp.optimizers"] == "sgd,momentum,adam"
    assert at.query_params["mlp.adam.lr"] == "0.01"


@pytest.mark.parametrize(
    ("name", "classes"),
    [
        ("moons", 2),
        ("circles", 2),
        ("xor", 2),
        ("spiral", 2),
        ("spiral3", 3),
        ("blobs", 3),
        ("gaussian", 2),
        ("linear", 2),
    ],
)
def test_every_data_set_trains(name, classes):
    at = run({**SMALL, "mlp.data": name})
    assert not at.exception and not at.error and not at.warning
    assert len(table(at)) == 3
    heat = next(t for t in boundary_spec(at)["data"] if t["type"] == "heatmap")
    assert heat["zmax"] == (1 if classes == 2 else classes)


def test_same_url_same_result_after_a_fresh_start():
    first = table(run(SMALL))
    st.cache_resource.clear()  # retrain from scratch rather than reuse the stored race
    second = table(run(SMALL))
    assert first.equals(second)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"mlp.epochs": "100000"}, "mlp.epochs"),
        ({"mlp.n": "50000"}, "mlp.n"),
        ({"mlp.hidden": "100,100"}, "mlp.hidden"),
        ({"mlp.hidden": "8,8,8,8,8,8,8"}, "mlp.hidden"),
        ({"mlp.data": "mnist"}, "mlp.data"),
        ({"mlp.optimizers": "sgd,bogus"}, "mlp.optimizers"),
        ({"mlp.adam.lr": "abc"}, "mlp.adam.lr"),
        ({"mlp.noise": "nan"}, "mlp.noise"),
        ({"mlp.batch": "3"}, "mlp.batch"),
    ],
)
def test_bad_url_values_warn_and_fall_back_to_defaults(query, message):
    at = run({**SMALL, **query})
    assert not at.exception
    assert message in texts(at.warning)
    assert len(table(at)) == 3  # trained with the defaults instead


def test_more_than_four_optimizers_in_the_url_fall_back_with_a_warning():
    at = run({**SMALL, "mlp.optimizers": "sgd,momentum,nag,adagrad,adam"})
    assert not at.exception
    assert "1 to 4 of" in texts(at.warning)
    assert list(table(at)["optimizer"]) == ["SGD", "Momentum", "Adam"]


@pytest.mark.parametrize("hidden", ["100", "8,8,8,8,8,8,8", "8,x"])
def test_typed_architecture_out_of_bounds_is_a_clear_message(hidden):
    at = run(SMALL)
    at.text_input(key="mlp.hidden").set_value(hidden).run()
    assert not at.exception
    assert "hidden layers" in texts(at.error).lower()
    assert not at.dataframe  # nothing trained


def test_too_much_work_is_refused_with_a_clear_message():
    at = run({"mlp.n": "2000", "mlp.epochs": "500", "mlp.batch": "1"})
    assert not at.exception
    assert "Too much training" in texts(at.error) and "60,000" in texts(at.error)
    assert not at.dataframe


def test_no_hidden_layer_is_logistic_regression():
    at = run({**SMALL, "mlp.hidden": ""})
    assert not at.exception and not at.error
    assert "MLP(2-1," in texts(at.markdown)


def test_diverging_learning_rate_is_a_result_not_an_error():
    at = run(
        {
            **SMALL,
            "mlp.activation": "relu",
            "mlp.optimizers": "sgd,adam",
            "mlp.sgd.lr": "100",
        }
    )
    assert not at.exception and not at.error
    df = table(at)
    sgd = df[df["optimizer"] == "SGD"].iloc[0]
    assert sgd["outcome"].startswith("diverged at epoch ")
    assert "diverged at epoch" in boundary_spec(at)["layout"]["annotations"][0]["text"]
    assert df[df["optimizer"] == "Adam"].iloc[0]["outcome"].startswith("trained")


def test_choosing_another_optimizer_adds_a_panel():
    at = run(SMALL)
    at.multiselect(key="mlp.optimizers").select("nag").run()
    assert not at.exception
    assert list(table(at)["optimizer"]) == ["SGD", "Momentum", "Adam", "NAG"]
    assert sum(t["type"] == "heatmap" for t in boundary_spec(at)["data"]) == 4
    assert at.query_params["mlp.nag.momentum"] == "0.9"


def test_a_data_set_nobody_learns_gets_a_hint():
    # Two spiral arms need more capacity or epochs than the defaults give (about 50% accuracy).
    at = run({"mlp.data": "spiral"})
    assert not at.exception
    assert "No optimizer has learned this data set yet" in texts(at.info)


def test_no_hint_when_the_optimizers_learn():
    at = run()
    assert "No optimizer has learned" not in texts(at.info)


def test_nesterov_without_momentum_falls_back_to_a_valid_setting():
    # Issue 10: this URL showed a traceback with server paths.
    at = run({**SMALL, "mlp.optimizers": "nag", "mlp.nag.momentum": "0"})
    assert not at.exception and not at.error
    assert "mlp.nag.momentum=0" in texts(at.warning)
    assert list(table(at)["optimizer"]) == ["NAG"]
