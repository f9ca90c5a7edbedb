"""AppTest of pages/mlp_playground.py: defaults, every data set (regression too), drawn points,
uploaded files, input features, the budget said before training, bad URLs and stale warnings,
divergence, the loss landscape, presets and exports."""

import base64
import io
import json
import pathlib

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from appkit import compute
from scenes import playground as pg
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


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def training_figure(at: AppTest) -> dict:
    """The animated training figure: the chart with frames and boundary images."""
    return next(c for c in charts(at) if c.get("frames") and c["layout"].get("images"))


def title_texts(spec: dict, frame: dict) -> list[str]:
    n = len(spec["layout"]["images"])
    return [d["text"][0] for d in frame["data"][:n]]


def test_defaults_train_three_optimizers_and_show_the_speed_difference():
    at = run()
    assert not at.exception
    assert not at.warning and not at.error
    df = table(at)
    assert list(df["optimizer"]) == ["SGD", "Momentum", "Adam"]
    spec = training_figure(at)
    assert len(spec["layout"]["images"]) == 3
    assert len(spec["layout"]["sliders"]) == 1 and 2 <= len(spec["frames"]) <= 60
    # unspoiled: the figure opens at epoch 0 and its titles say nothing of the end
    first = title_texts(spec, spec["frames"][0])
    assert all("epoch 0<br>" in t for t in first)
    final = [f"train {a:.0%}" for a in df["train accuracy"]]
    assert not any(f in t for f in final for t in first)
    # the instructive default: plain SGD needs clearly more epochs to reach 90 % than both
    speed = dict(zip(df["optimizer"], df["epochs to 90% train accuracy"], strict=True))
    assert speed["SGD"] > 2 * max(speed["Momentum"], speed["Adam"])
    assert (df["test accuracy"] > 0.9).all()
    # everything is in the URL
    assert at.query_params["mlp.data"] == "moons"
    assert at.query_params["mlp.optimizers"] == "sgd,momentum,adam"
    assert at.query_params["mlp.adam.lr"] == "0.01"
    assert "mlp.points" not in at.query_params
    assert "mean of the mini-batch losses" in " ".join(c.value for c in at.caption)
    assert any("GIF" in b.label for b in at.get("download_button"))


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
        ("plane", 0),
        ("multi_gaussian", 0),
        ("sine", 0),
    ],
)
def test_every_data_set_trains(name, classes):
    at = run({**SMALL, "mlp.data": name})
    assert not at.exception and not at.error and not at.warning
    df = table(at)
    assert len(df) == 3
    spec = training_figure(at)
    bars = [t for t in spec["data"] if t.get("marker", {}).get("showscale")]
    if classes == 0:
        assert at.query_params["mlp.task"] == "regression"
        assert at.query_params["mlp.loss"] == "mse"
        assert "train R²" in df.columns and bars[0]["marker"]["colorbar"]["title"]["text"]
        assert "R² train" in title_texts(spec, spec["frames"][-1])[0]
    else:
        assert at.query_params["mlp.task"] == "classification"
        assert "train accuracy" in df.columns and len(bars) == (classes == 2)


def test_same_url_same_result_after_a_fresh_start():
    first = table(run(SMALL))
    compute.pool().cache.clear()  # train again rather than reuse the stored scene
    second = table(run(SMALL))
    assert first.equals(second)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"mlp.epochs": "100000"}, "mlp.epochs"),
        ({"mlp.n": "50000"}, "mlp.n"),
        ({"mlp.hidden": "100,100"}, "mlp.hidden"),
        ({"mlp.hidden": "8,8,8,8,8,8,8"}, "mlp.hidden"),
        ({"mlp.hidden": "9" * 10_000}, "mlp.hidden"),
        ({"mlp.data": "mnist"}, "mlp.data"),
        ({"mlp.optimizers": "sgd,bogus"}, "mlp.optimizers"),
        ({"mlp.adam.lr": "abc"}, "mlp.adam.lr"),
        ({"mlp.noise": "nan"}, "mlp.noise"),
        ({"mlp.batch": "3"}, "mlp.batch"),
        ({"mlp.features": "x1,x3"}, "mlp.features"),
        ({"mlp.points": "1_2"}, "mlp.points"),
        ({"mlp.task": "clustering"}, "mlp.task"),
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
    assert "Check the hidden layers" in texts(at.error)
    assert not at.dataframe  # nothing trained


def test_ten_kilobytes_of_digits_are_a_clear_message():
    at = run(SMALL)
    at.text_input(key="mlp.hidden").set_value("7" * 10_000).run()  # the box keeps 100
    assert not at.exception
    error = texts(at.error)
    assert "Check the hidden layers: each hidden layer has 1 to 64 units, got 777" in error
    assert len(error) < 120 and not at.dataframe


def test_a_fixed_architecture_leaves_no_stale_warning():
    at = run(SMALL)
    at.text_input(key="mlp.hidden").set_value("abc").run()
    assert "Check the hidden layers" in texts(at.error)
    at.text_input(key="mlp.hidden").set_value("16,16").run()
    assert not at.exception and not at.warning and not at.error
    assert len(table(at)) == 3 and at.query_params["mlp.hidden"] == "16,16"
    at.run()  # and none on the next rerun either
    assert not at.warning and not at.error


def test_too_much_work_is_refused_before_training_with_what_fits():
    query = {
        "mlp.hidden": "64,64,64,64,64,64",
        "mlp.batch": "1",
        "mlp.optimizers": "sgd,momentum,nag,adam",
        "mlp.epochs": "60",
    }
    at = run(query)
    assert not at.exception
    error = texts(at.error)
    assert "Too much training" in error and "at most" in error and "epochs" in error
    assert not at.dataframe and not at.get("plotly_chart")  # nothing trained, nothing drawn
    assert not at.get("progress")
    assert "Estimated work" in " ".join(c.value for c in at.sidebar.caption)
    # the same setting with the epochs the message names trains
    fits = error.split("at most ")[1].split(" epochs")[0]
    at = run({**query, "mlp.epochs": fits})
    assert not at.error and len(table(at)) == 4


def test_no_hidden_layer_is_logistic_regression():
    at = run({**SMALL, "mlp.hidden": ""})
    assert not at.exception and not at.error
    assert "MLP(2-1," in texts(at.markdown)


def test_features_toggles_let_a_linear_model_separate_the_circles():
    at = run(
        {
            "mlp.data": "circles",
            "mlp.noise": "0.1",
            "mlp.hidden": "",
            "mlp.optimizers": "adam",
            "mlp.adam.lr": "0.1",
        }
    )
    assert table(at)["train accuracy"].iloc[0] < 0.7  # x1, x2: a line cannot do it
    at.pills(key="mlp.features").set_value(["x1sq", "x2sq"]).run()
    assert not at.exception and not at.error
    assert at.query_params["mlp.features"] == "x1sq,x2sq"
    assert "features=x1sq,x2sq" in texts(at.markdown)
    assert table(at)["train accuracy"].iloc[0] > 0.95
    at.pills(key="mlp.features").set_value([]).run()
    assert "at least one input feature" in texts(at.info)


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
    k = int(sgd["outcome"].split()[-1])
    spec = training_figure(at)
    for frame in spec["frames"]:
        said = "diverged at epoch" in title_texts(spec, frame)[0]
        assert said == (int(frame["name"]) >= k)
    assert df[df["optimizer"] == "Adam"].iloc[0]["outcome"].startswith("trained")


def test_choosing_another_optimizer_adds_a_panel():
    at = run(SMALL)
    at.multiselect(key="mlp.optimizers").select("nag").run()
    assert not at.exception
    assert list(table(at)["optimizer"]) == ["SGD", "Momentum", "Adam", "NAG"]
    assert len(training_figure(at)["layout"]["images"]) == 4
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


def test_drawn_points_train_and_live_in_the_url():
    at = run({**SMALL, "mlp.data": "draw"})
    assert not at.exception
    assert "Click the plot to add points" in texts(at.info)
    canvas = charts(at)[0]
    assert canvas["data"][0]["marker"]["opacity"] == 0  # the invisible click grid
    # what a click does (the browser test clicks for real): add points of two classes
    points = ""
    for x, y, c in [(-2, -2, 0), (-1.5, -2.5, 0), (-2.2, -1, 0), (2, 2, 1), (1.4, 2.6, 1)]:
        points = pg.add_point(points, x, y, c)
    points = pg.add_point(points, 2.5, 1.1, 1)
    at.session_state["mlp.points"] = points
    at.run()
    assert not at.exception and not at.error
    assert at.query_params["mlp.points"] == points
    assert len(table(at)) == 3 and len(training_figure(at)["layout"]["images"]) == 3
    # the URL alone brings them back
    again = run({**SMALL, "mlp.data": "draw", "mlp.points": points})
    assert again.session_state["mlp.points"] == points and len(table(again)) == 3
    # undo and clear
    again.button(key="mlp.undo").click().run()
    assert again.session_state["mlp.points"] == pg.remove_last(points)
    again.button(key="mlp.clear").click().run()
    assert again.session_state["mlp.points"] == "" and "mlp.points=" not in texts(again.warning)


def test_a_malformed_upload_shows_the_row_numbered_message():
    at = run({**SMALL, "mlp.data": "upload"})
    assert "Upload a CSV file" in texts(at.info)
    bad = b"x1,x2,label\n0.5,1,0\n1.5,`oops`,1\n"
    at.file_uploader(key="mlp.upload").set_value(("points.csv", bad, "text/csv")).run()
    assert not at.exception
    error = texts(at.error)
    assert "Check the CSV file points.csv" in error and "row 3, column x2" in error
    assert "`oops`" in error  # shown as typed, not as Markdown
    good = "x1,x2,label\n" + "\n".join(f"{i % 7},{i % 5},{(i % 7) > 3}" for i in range(40))
    good = good.replace("True", "1").replace("False", "0").encode()
    at.file_uploader(key="mlp.upload").set_value(("points.csv", good, "text/csv")).run()
    assert not at.exception and not at.error and len(table(at)) == 3


def test_the_landscape_view_renders_with_its_caption():
    at = run({**SMALL, "mlp.landscape": "pca"})
    assert not at.exception and not at.error
    titles = [c["layout"].get("xaxis", {}).get("title", {}).get("text", "") for c in charts(at)]
    landscape = charts(at)[next(i for i, t in enumerate(titles) if "principal direction" in t)]
    assert landscape["frames"]
    assert "not the whole story" in " ".join(texts(at.caption).split())


@pytest.mark.parametrize("key", list(pg.PRESETS))
def test_presets(key):
    at = run()
    at.button(key=f"mlp.preset.{key}").click().run()
    assert not at.exception and not at.error
    assert pg.PRESETS[key].title in texts(at.info)
    assert len(table(at)) == len(pg.preset_values(key)["mlp.optimizers"])


def test_the_circles_preset_shows_what_its_caption_says():
    at = run()
    at.button(key="mlp.preset.circles_features").click().run()
    assert (table(at)["train accuracy"] > 0.95).all()


def test_the_sigmoid_preset_shows_what_its_caption_says():
    at = run()
    at.button(key="mlp.preset.sigmoid_depth").click().run()
    accuracy = dict(zip(table(at)["optimizer"], table(at)["train accuracy"], strict=True))
    assert accuracy["SGD"] < 0.8 < accuracy["Adam"]


def test_boundary_images_are_pngs_of_the_panels():
    spec = training_figure(run(SMALL))
    for image in spec["layout"]["images"]:
        png = base64.b64decode(image["source"].split(",", 1)[1])
        assert Image.open(io.BytesIO(png)).size == (160, 160)
