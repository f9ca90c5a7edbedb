"""MLP playground: train one small network on toy 2-D data with up to four optimizers, from the
same initial weights and the same mini-batches, and watch their decision boundaries learn."""

from collections import OrderedDict

import pandas as pd
import streamlit as st

import optim_core
from appkit import messages, navigation, url_state
from appkit.widgets import optimizer_controls
from figures import mlp as figures
from mlp import ACTIVATIONS
from scenes import optimizer_settings, params, playground
from scenes.optimizer_settings import LABELS

navigation.page_setup("mlp_playground")

P = "mlp."
OPTIMIZERS = list(optim_core.OPTIMIZERS)
MAX_OPTIMIZERS = 4
CACHED = 16  # finished races kept in memory
BATCHES = ["full", "1", "8", "16", "32", "64", "128"]
# Learning rates that train the default network well in ~100 epochs (PyTorch's SGD default of
# 1e-3 would barely move); momentum and Adam keep PyTorch's other defaults.
LR = {"sgd": 0.1, "momentum": 0.1, "nag": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01}
LR.update({"adamw": 0.01, "adadelta": 1.0})
DATA_LABELS = {
    "moons": "Moons",
    "circles": "Circles",
    "xor": "XOR",
    "spiral": "Spiral (2 arms)",
    "spiral3": "Spiral (3 arms)",
    "blobs": "Blobs (3 classes)",
    "gaussian": "Two Gaussians",
    "linear": "Linearly separable",
}


def hidden_param(default: str) -> params.Param:
    """Hidden layer widths as text, validated by ``playground.parse_hidden``."""

    def parse(text: str) -> str:
        return ",".join(map(str, playground.parse_hidden(text)))

    return params.Param(default, parse, "comma-separated widths, e.g. 16,16 (0-6 layers, 1-64)")


SPEC = {
    f"{P}data": params.choice("moons", list(playground.DATASETS)),
    f"{P}n": params.integer(300, 20, 2000),
    f"{P}noise": params.number(0.2, 0.0, 0.5),
    f"{P}test": params.number(0.2, 0.0, 0.5),
    f"{P}seed": params.integer(0, 0, 1_000_000),
    f"{P}hidden": hidden_param("16,16"),
    f"{P}activation": params.choice("tanh", list(ACTIVATIONS)),
    f"{P}loss": params.choice("xent", ["xent", "mse"]),
    f"{P}batch": params.choice("32", BATCHES),
    f"{P}epochs": params.integer(100, 1, 500),
    f"{P}optimizers": params.choices(
        ["sgd", "momentum", "adam"], OPTIMIZERS, min_count=1, max_count=MAX_OPTIMIZERS
    ),
}
HP_SPEC = {
    name: optimizer_settings.spec(name, P, {"lr": LR[name]}) for name in OPTIMIZERS
}  # every optimizer's hyperparameters; only the chosen ones go into the URL


@st.cache_resource(show_spinner=False)
def race_cache() -> OrderedDict:
    """Finished races by settings, shared by all sessions, newest last (at most CACHED).

    Not ``st.cache_data``: it replays the progress-bar updates made during training on every
    cache hit, which Streamlit refuses for an element created outside the cached function.
    Races are never mutated after they are stored.
    """
    return OrderedDict()


def cached_race(data_key, hidden, activation, loss, batch, epochs, optimizers, progress):
    """``playground.race`` for hashable settings; trains (reporting progress) only on a miss."""
    key = (data_key, hidden, activation, loss, batch, epochs, optimizers)
    cache = race_cache()
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    train_set, test_set = playground.load_data(*data_key)
    net = playground.network(hidden, train_set.n_classes, activation, loss, seed=data_key[3])
    runs = [(name, dict(hp)) for name, hp in optimizers]
    resolution = 40 if train_set.n_classes == 2 else 48  # unsmoothed class bands need more
    race = playground.race(
        train_set, test_set, net, runs, epochs, batch, data_key[3], progress, resolution
    )
    cache[key] = race
    while len(cache) > CACHED:
        cache.popitem(last=False)
    return race


def hp_text(hp: dict) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in hp.items())


st.title("MLP playground")
st.caption(
    "Train one small neural network on toy 2-D data with up to four optimizers at once. "
    "The comparison is fair: every optimizer starts from **the same initial weights** and "
    "sees **the same mini-batches in the same order** (both drawn from the seed), so only the "
    "update rule differs."
)

url_state.load(SPEC)
for name in OPTIMIZERS:
    url_state.load(HP_SPEC[name])

with st.sidebar:
    st.header("Data")
    st.selectbox("Data set", list(playground.DATASETS), key=f"{P}data", format_func=DATA_LABELS.get)
    st.number_input("Samples", 20, 2000, key=f"{P}n", step=50)
    st.slider(
        "Noise",
        0.0,
        0.5,
        key=f"{P}noise",
        step=0.01,
        help="Gaussian jitter for moons and circles (scikit-learn's meaning), spread of the "
        "blobs (cluster std = 5 x noise), label noise for XOR and linear, spread for spiral "
        "and Gaussians (TensorFlow Playground's meaning).",
    )
    st.slider("Test fraction", 0.0, 0.5, key=f"{P}test", step=0.05)
    st.number_input(
        "Seed", 0, 1_000_000, key=f"{P}seed", help="Data, split, initial weights, batch order."
    )
    st.header("Network")
    st.text_input(
        "Hidden layers",
        key=f"{P}hidden",
        help="Units per hidden layer, comma-separated: 0 to 6 layers of 1 to 64 units. "
        "Empty = no hidden layer (logistic regression).",
    )
    st.selectbox("Activation", list(ACTIVATIONS), key=f"{P}activation")
    st.selectbox(
        "Loss",
        ["xent", "mse"],
        key=f"{P}loss",
        format_func={"xent": "cross-entropy", "mse": "mean squared error"}.get,
        help="Output: one sigmoid unit for two classes, softmax for more. MSE on a sigmoid "
        "learns slowly from confidently wrong points.",
    )
    st.header("Training")
    st.selectbox(
        "Batch size",
        BATCHES,
        key=f"{P}batch",
        format_func=lambda b: {"full": "full batch", "1": "1 (stochastic)"}.get(b, b),
    )
    st.number_input("Epochs", 1, 500, key=f"{P}epochs", step=10)
    st.multiselect(
        "Optimizers",
        OPTIMIZERS,
        key=f"{P}optimizers",
        format_func=LABELS.get,
        max_selections=MAX_OPTIMIZERS,
    )
    for name in st.session_state[f"{P}optimizers"]:
        optimizer_controls(name, P)
chosen = st.session_state[f"{P}optimizers"]
url_state.save({**SPEC, **{k: v for name in chosen for k, v in HP_SPEC[name].items()}})

s = {k: st.session_state[k] for k in SPEC}
data_key = (s[f"{P}data"], s[f"{P}n"], s[f"{P}noise"], s[f"{P}seed"], s[f"{P}test"])
train_set, test_set = playground.load_data(*data_key)

preview, about = st.columns([2, 3])
with preview:
    st.plotly_chart(figures.dataset_preview(train_set, test_set), width="stretch")
with about:
    n_test = 0 if test_set is None else len(test_set)
    st.markdown(
        f"**{DATA_LABELS[s[f'{P}data']]}**: {len(train_set)} training and {n_test} test points, "
        f"{train_set.n_classes} classes, standardised with the training set's mean and "
        "standard deviation. Circles are training points, diamonds test points."
    )

try:
    hidden = playground.parse_hidden(s[f"{P}hidden"])
except ValueError as error:
    messages.problem("Check the hidden layers", error)
    st.stop()
if not chosen:
    st.info("Pick at least one optimizer in the sidebar.")
    st.stop()

batch = None if s[f"{P}batch"] == "full" else int(s[f"{P}batch"])
net = playground.network(hidden, train_set.n_classes, s[f"{P}activation"], s[f"{P}loss"], 0)
problem = playground.check_budget(len(chosen), s[f"{P}epochs"], len(train_set), batch, net.n_params)
if problem:
    messages.error(f"Too much training for this server: {problem}")
    st.stop()
with about:
    st.markdown(
        f"**Network** `{net!r}`; {s[f'{P}epochs']} epochs of "
        f"{playground.steps_per_epoch(len(train_set), batch)} step(s) each."
    )

hps = [
    (name, tuple(optimizer_settings.hyperparams(name, st.session_state, P).items()))
    for name in chosen
]
bar = st.progress(0.0, text="Training…")
race = cached_race(
    data_key,
    hidden,
    s[f"{P}activation"],
    s[f"{P}loss"],
    batch,
    s[f"{P}epochs"],
    tuple(hps),
    lambda f: bar.progress(min(f, 1.0), text=f"Training… {f:.0%}"),
)
bar.empty()

titles = []
for run in race.runs:
    if run.diverged_at is not None:
        titles.append(f"{LABELS[run.name]}: diverged at epoch {run.diverged_at}")
    else:
        acc = (run.history.test_accuracy or run.history.train_accuracy)[-1]
        which = "test" if run.history.test_accuracy else "train"
        titles.append(f"{LABELS[run.name]}: final {which} accuracy {acc:.0%}")

st.subheader("Decision boundaries")
panels = [(t, run.epochs, run.grids) for t, run in zip(titles, race.runs, strict=True)]
figure = figures.boundary_figure(panels, race.xs, race.ys, train_set, test_set, train_set.n_classes)
st.plotly_chart(figure, width="stretch")
st.caption(
    "Shading: the network's predicted probability (binary: orange = class 0, blue = class 1, "
    "white = undecided; more classes: the predicted class, paler where unsure). Circles are "
    "training points, diamonds test points. Drag the "
    "epoch slider or press ▶ Play to watch every network learn in step. A diverged run keeps "
    "its last finite weights."
)

st.subheader("Loss and accuracy")
st.plotly_chart(figures.curves_figure([(r.name, r.history) for r in race.runs]), width="stretch")

st.subheader("Final metrics")
rows = []
for run in race.runs:
    row = playground.summary(run)
    rows.append(
        {"optimizer": LABELS[run.name], "outcome": row.pop("outcome")}
        | row
        | {"settings": hp_text(run.hyperparams)}
    )
number = st.column_config.NumberColumn
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={
        "train loss": number(format="%.4g"),
        "test loss": number(format="%.4g"),
        "train accuracy": number(format="percent"),
        "test accuracy": number(format="percent"),
    },
)
if all(run.history.train_accuracy[-1] < 0.7 for run in race.runs):
    st.info(
        "No optimizer has learned this data set yet (training accuracy below 70%). Try more "
        "epochs, more or wider hidden layers, or a larger learning rate."
    )
if any(run.diverged_at is not None for run in race.runs):
    st.info(
        "A diverged run's loss blew up (or its weights became infinite): the learning rate "
        "is too large for this network. Its curve stops at that epoch."
    )
