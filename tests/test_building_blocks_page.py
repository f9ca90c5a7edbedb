"""AppTest of pages/building_blocks.py: the four pictures, the notes' cross-entropy example,
bad input as plain-text messages, settings in the URL."""

import base64
import json
import pathlib

from streamlit.testing.v1 import AppTest

from tests.shown import texts

PAGE = str(pathlib.Path(__file__).resolve().parents[1] / "pages" / "building_blocks.py")


def run(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def test_defaults_show_every_block_and_the_notes_example():
    at = run()
    assert not at.exception and not at.error and not at.warning
    assert len(at.get("plotly_chart")) == 4
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sum over the examples: −Σ ln pᵢ"] == "2.854"  # -ln(.3 .8 .6 .4)
    assert metrics["Mean over the 4 examples (the MLP's loss)"] == "0.714"
    captions = texts(at.caption)
    assert "sum" in captions and "mean" in captions and "1/4" in captions
    assert at.query_params["blocks.p"] == "0.3, 0.8, 0.6, 0.4"


def test_the_depth_slider_redraws_the_gradients_through_depth():
    at = run({"blocks.depth": "3"})
    depth = json.loads(at.get("plotly_chart")[1].proto.spec)
    sigmoid = next(t for t in depth["data"] if t["name"] == "sigmoid")
    layers = base64.b64decode(sigmoid["x"]["bdata"])  # plotly packs the layer numbers
    assert list(layers) == [1, 2, 3, 4]  # three hidden layers and the output
    at.slider(key="blocks.depth").set_value(5).run()
    assert at.query_params["blocks.depth"] == "5"


def test_bad_probabilities_are_a_plain_message():
    at = run()
    at.text_input(key="blocks.p").set_value("0.5, `1.5`").run()
    assert not at.exception
    assert "Check the probabilities" in texts(at.error) and "`1.5`" in texts(at.error)
    at.text_input(key="blocks.p").set_value("0.5, 0.25").run()
    assert not at.error and {m.value for m in at.metric} == {"2.079", "1.040"}


def test_a_bad_url_value_warns_and_falls_back():
    at = run({"blocks.p": "2, 3", "blocks.depth": "99"})
    assert not at.exception
    assert "blocks.p" in texts(at.warning) and "blocks.depth" in texts(at.warning)
    assert {m.value for m in at.metric} == {"2.854", "0.714"}
