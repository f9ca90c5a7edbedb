"""MLP playground: train one small network with up to four optimizers, from the same initial
weights and the same mini-batches, on toy data, drawn points or an uploaded CSV file; watch the
decision boundaries and the curves learn in one animated figure.

A thin script: settings live in ``st.session_state`` and the URL (``appkit.url_state``); the
cost check, the training, the figures, the loss landscape and the GIF come from
``scenes.playground`` (the heavy parts in the shared worker pool, ``appkit.compute``).
"""

import streamlit as st

from appkit import compute, messages, navigation, url_state, viewport
from appkit.widgets import optimizer_controls
from figures import mlp as figures
from figures.prebuilt import Prebuilt, to_spec
from mlp import FEATURES
from mlp.userdata import DRAW_BOX, to_csv
from scenes import budget
from scenes import playground as pg
from scenes.optimizer_settings import LABELS

navigation.page_setup("mlp_playground")

P = pg.PREFIX
SPEC = pg.spec()
CANVAS = "mlp.canvas"  # widget key of the drawing canvas (not a URL setting)
CLASS = "mlp.draw_class"  # the class a click adds (not a URL setting)
UPLOAD = "mlp.upload"  # the file uploader's widget key
UPLOADED = "mlp._csv"  # (file name, bytes) of the last uploaded file, kept while browsing
HEADER_PX = 175  # page title and caption above the figure
FEATURE_LABELS = {name: f.label for name, f in FEATURES.items()}


def apply(values: dict) -> None:
    for key, value in values.items():
        st.session_state[key] = value


def on_task_change() -> None:
    """A new task: its first data set (unless the current choice serves both) and loss."""
    task = st.session_state[f"{P}task"]
    if st.session_state[f"{P}data"] not in pg.DATA_CHOICES[task]:
        st.session_state[f"{P}data"] = pg.DATA_CHOICES[task][0]
    apply(pg.consistent({k: st.session_state[k] for k in SPEC}))


def on_canvas_click() -> None:
    """A click on the canvas selects a point of its invisible grid: add a point there."""
    event = st.session_state.get(CANVAS)
    points = [p for p in (event.selection.points if event else []) if p.get("curve_number") == 0]
    if not points:
        return
    x, y = points[0].get("x"), points[0].get("y")
    if isinstance(x, int | float) and isinstance(y, int | float):
        key = f"{P}points"
        try:
            st.session_state[key] = pg.add_point(
                st.session_state[key], x, y, st.session_state[CLASS]
            )
        except ValueError as err:
            st.session_state["mlp._draw_problem"] = str(err)


def on_upload() -> None:
    file = st.session_state.get(UPLOAD)
    if file is None:
        st.session_state.pop(UPLOADED, None)
    else:
        st.session_state[UPLOADED] = (file.name, file.getvalue())


@st.cache_data(max_entries=64, show_spinner=False)
def data_spec(ref: pg.DataRef, present: bool) -> str:
    """The data figure's JSON: the canvas of drawn points, or the (standardised) data set."""
    if ref.source == pg.DRAW:
        drawn = pg.drawn(ref.points)
        return to_spec(figures.data_figure(drawn, None, canvas=DRAW_BOX, present=present))
    return to_spec(figures.data_figure(*pg.load(ref), present=present))


st.title("🧠 MLP playground")
st.caption(
    "One small neural network, trained by up to four optimizers side by side from the same "
    "initial weights and on the same mini-batches, so only the update rule differs. Press ▶ "
    "Play under the figure: each panel shows what its network scores at that epoch."
)

url_state.load(SPEC)
apply(pg.consistent({k: st.session_state[k] for k in SPEC}))
with st.sidebar:
    st.subheader("Prepared scenes")
    for key, preset in pg.PRESETS.items():
        st.button(
            preset.title,
            key=f"mlp.preset.{key}",
            on_click=apply,
            args=(pg.preset_values(key),),
            help=preset.caption,
            width="stretch",
        )
    st.header("Data")
    st.radio(
        "Task",
        pg.TASKS,
        key=f"{P}task",
        format_func=str.capitalize,
        horizontal=True,
        on_change=on_task_change,
    )
    task = st.session_state[f"{P}task"]
    st.selectbox("Data set", pg.DATA_CHOICES[task], key=f"{P}data", format_func=pg.DATA_LABELS.get)
    source = st.session_state[f"{P}data"]
    if source == pg.UPLOAD:
        st.file_uploader(
            "CSV file with the columns x1, x2, label",
            type=["csv"],
            key=UPLOAD,
            on_change=on_upload,
            max_upload_size=1,
            help="A header row x1,x2,label, then one point per row (at most 5,000). "
            + (
                "Labels: 2 to 4 classes, any numbers (e.g. 0/1 or -1/+1)."
                if task == "classification"
                else "Labels: real-valued targets."
            ),
        )
    elif source != pg.DRAW:
        st.number_input("Samples", 20, 2000, key=f"{P}n", step=50)
        st.slider(
            "Noise",
            0.0,
            0.5,
            key=f"{P}noise",
            step=0.01,
            help="Gaussian jitter for moons and circles (scikit-learn's meaning), spread of "
            "the blobs (cluster std = 5 x noise), label noise for XOR and linear, spread for "
            "spiral and Gaussians, target noise for regression (TensorFlow Playground's).",
        )
    st.slider("Test fraction", 0.0, 0.5, key=f"{P}test", step=0.05)
    st.number_input(
        "Seed", 0, 1_000_000, key=f"{P}seed", help="Data, split, initial weights, batch order."
    )
    st.header("Network")
    st.pills(
        "Input features",
        list(FEATURES),
        selection_mode="multi",
        format_func=FEATURE_LABELS.get,
        key=f"{P}features",
        help="What the network is fed, computed from the (standardised) coordinates, as in "
        "TensorFlow Playground. On x₁² and x₂² a network without hidden layers separates "
        "the circles.",
    )
    st.text_input(
        "Hidden layers",
        key=f"{P}hidden",
        max_chars=pg.MAX_HIDDEN_TEXT,
        help="Units per hidden layer, comma-separated: 0 to 6 layers of 1 to 64 units. "
        "Empty = no hidden layer (a linear model of the features).",
    )
    st.selectbox("Activation", list(pg.ACTIVATIONS), key=f"{P}activation")
    st.selectbox(
        "Loss",
        pg.LOSSES[task],
        key=f"{P}loss",
        format_func=pg.LOSS_LABELS.get,
        help="Classification: one sigmoid unit for two classes, softmax for more; MSE on a "
        "sigmoid learns slowly from confidently wrong points. Regression: one linear unit.",
    )
    st.header("Training")
    st.selectbox(
        "Batch size",
        pg.BATCHES,
        key=f"{P}batch",
        format_func=lambda b: {"full": "full batch", "1": "1 (stochastic)"}.get(b, b),
    )
    st.number_input("Epochs", 1, pg.MAX_EPOCHS, key=f"{P}epochs", step=10)
    st.multiselect(
        "Optimizers",
        pg.OPTIMIZERS,
        key=f"{P}optimizers",
        format_func=LABELS.get,
        max_selections=pg.MAX_OPTIMIZERS,
    )
    for name in st.session_state[f"{P}optimizers"]:
        optimizer_controls(name, P)
    cost_slot = st.empty()
    st.header("After training")
    st.radio(
        "Loss landscape",
        list(pg.LANDSCAPES),
        key=f"{P}landscape",
        format_func=pg.LANDSCAPES.get,
        help="The training loss on a plane through weight space, with every optimizer's path.",
    )

chosen = st.session_state[f"{P}optimizers"]
saved = {k: v for k, v in SPEC.items() if k not in pg.optimizer_keys(pg.OPTIMIZERS)}
saved.update({k: SPEC[k] for k in pg.optimizer_keys(chosen)})
if source != pg.DRAW:
    saved.pop(f"{P}points")
url_state.save(saved)
values = {k: st.session_state[k] for k in SPEC}
present = navigation.presenting()

if source == pg.DRAW:
    canvas, tools = st.columns([3, 2])
    with tools:
        st.radio(
            "A click on the plot adds a point of",
            range(4),
            key=CLASS,
            format_func=lambda c: f"class {c}",
            horizontal=True,
        )
        undo, clear = st.columns(2)
        undo.button(
            "Undo",
            key="mlp.undo",
            on_click=apply,
            args=({f"{P}points": pg.remove_last(st.session_state[f"{P}points"])},),
            width="stretch",
        )
        clear.button(
            "Clear all",
            key="mlp.clear",
            on_click=apply,
            args=({f"{P}points": ""},),
            width="stretch",
        )
        count = len(pg.drawn(st.session_state[f"{P}points"]))
        st.caption(
            f"{count} of at most {pg.MAX_DRAWN} points. They are kept in the page's link, so "
            "a shared link shows them too. The network sees them standardised (mean 0, "
            "standard deviation 1 per coordinate)."
        )
        problem = st.session_state.pop("mlp._draw_problem", None)
        if problem:
            messages.warning(problem)
    with canvas:
        st.plotly_chart(
            Prebuilt(data_spec(pg.data_ref(values), present), height=400),
            key=CANVAS,
            on_select=on_canvas_click,
            selection_mode="points",
            config={"scrollZoom": False, "displaylogo": False, "displayModeBar": False},
        )

uploaded = st.session_state.get(UPLOADED)
if source == pg.UPLOAD and uploaded is None:
    messages.info("Upload a CSV file in the sidebar (columns x1, x2, label).")
    st.stop()
ref = pg.data_ref(values, uploaded[1] if source == pg.UPLOAD else None)
try:
    train_set, test_set = pg.load(ref)
except ValueError as err:
    if source == pg.UPLOAD:
        messages.problem(f"Check the CSV file {uploaded[0]}", err)
    else:
        messages.info(f"Click the plot to add points: {err}.")
    st.stop()
problem = pg.check_data(train_set)
if problem:
    messages.info(problem)
    st.stop()
if not values[f"{P}features"]:
    messages.info("Pick at least one input feature in the sidebar.")
    st.stop()
if not chosen:
    messages.info("Pick at least one optimizer in the sidebar.")
    st.stop()
try:
    cfg = pg.config(values, ref, train_set, test_set)
except ValueError as err:
    messages.problem("Check the hidden layers", err)
    st.stop()

seconds = pg.estimate(cfg)
cost_slot.caption(
    f"Estimated work: {seconds:.1f} s of the {budget.SECONDS:g} s this server computes for "
    "one visitor."
)
problem = pg.too_much(cfg)
if problem:
    messages.error(f"Too much training: {problem}")
    st.stop()

view = pg.View(present=present)
scene = compute.run_or_stop(
    ("mlp", cfg, view),
    pg.train_scene,
    cfg,
    view,
    label="Training…",
    slot="mlp",
    prefix="This data cannot be trained on",
)
st.plotly_chart(
    Prebuilt(scene.figure, height=viewport.figure_height(HEADER_PX)),
    key="mlp.figure",
    config={"scrollZoom": False, "displaylogo": False},
)
regression = cfg.n_classes == 0
st.caption(
    (
        "Shading: the network's prediction, on the same colour scale as the points' targets. "
        if regression
        else "Shading: the network's predicted probability of class 1 (orange = class 0, "
        "white = undecided, blue = class 1); with more classes, the predicted class, paler "
        "where the network is unsure. "
    )
    + "Circles are training points, diamonds test points. The curves' training values are, "
    "for each epoch, the mean of the mini-batch losses (and accuracies) during that epoch, "
    "as Keras reports them, so they lag the weights by up to an epoch; the test values are "
    "the weights at the end of the epoch on the whole test set. A diverged run keeps its "
    "last finite weights."
)

preset = pg.active_preset(values)
if preset is not None:
    scene_title, caption = pg.PRESETS[preset].title, pg.PRESETS[preset].caption
    st.info(f"**{scene_title}**: {messages.plain(caption)}", icon="🎬")

with st.expander("Final metrics (shows how every run ends)"):
    number = st.column_config.NumberColumn
    metric = "R²" if regression else "accuracy"
    st.dataframe(
        scene.table,
        hide_index=True,
        width="stretch",
        column_config={
            "train loss": number(format="%.4g"),
            "test loss": number(format="%.4g"),
            f"train {metric}": number(format="%.3f" if regression else "percent"),
            f"test {metric}": number(format="%.3f" if regression else "percent"),
        },
    )
    st.caption(
        "Final training loss and metric: the final weights on the whole training set. Test: "
        "the final weights on the test set."
    )
    if scene.learned_nothing:
        messages.info(
            "No optimizer has learned this data set yet (training accuracy below 70%). Try "
            "more epochs, more or wider hidden layers, other input features or a larger "
            "learning rate."
        )
    if scene.diverged:
        messages.info(
            "A diverged run's loss blew up (or its weights became infinite): the learning "
            "rate is too large for this network. Its curve stops at that epoch."
        )

st.subheader("Data")
preview, about = st.columns([3, 2])
if source != pg.DRAW:
    with preview:
        st.plotly_chart(
            Prebuilt(data_spec(ref, present), height=380),
            key="mlp.data_figure",
            config={"displaylogo": False},
        )
with about if source != pg.DRAW else preview:
    n_test = 0 if test_set is None else len(test_set)
    kind = "real-valued targets" if regression else f"{train_set.n_classes} classes"
    name = uploaded[0] if source == pg.UPLOAD else pg.DATA_LABELS[source]
    st.markdown(
        f"**{messages.plain(name)}**: {len(train_set)} training and {n_test} test points, "
        f"{kind}, standardised with the training set's mean and standard deviation"
        + (" (the targets too)." if regression and source == pg.UPLOAD else ".")
    )
    st.markdown(
        f"**Network** `{scene.network}`; {cfg.epochs} epochs of "
        f"{pg.steps_per_epoch(cfg.n_train, cfg.batch)} step(s) each."
    )
    st.download_button(
        "Data as CSV (x1, x2, label, split)",
        data=lambda: to_csv(train_set, test_set),  # built only when clicked
        file_name="mlp_data.csv",
        mime="text/csv",
        on_click="ignore",
        help="The standardised points the network trains on, training and test set.",
    )

kind = values[f"{P}landscape"]
if kind != "off":
    st.subheader("Loss landscape")
    landscape_figure, caption = compute.run_or_stop(
        ("mlp.landscape", cfg, kind, view),
        pg.landscape_scene,
        cfg,
        scene.race,
        kind,
        view,
        label="Computing the loss landscape…",
        slot="mlp.landscape",
    )
    st.plotly_chart(
        Prebuilt(landscape_figure, height=viewport.figure_height(120)),
        key="mlp.landscape_figure",
        config={"displaylogo": False},
    )
    st.caption(messages.plain(caption, limit=2000))

st.subheader("Export")
if regression:
    st.caption("The GIF shows decision boundaries: for classification.")
else:
    st.download_button(
        "Animated GIF of the decision boundaries, for slides (960×720)",
        data=lambda: compute.quietly(("mlp.gif", cfg), pg.boundaries_gif, cfg, scene.race),
        file_name="mlp_boundaries.gif",
        mime="image/gif",
        on_click="ignore",
    )

viewport.probe()
