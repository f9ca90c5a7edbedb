"""Building blocks of a network: activation functions and their derivatives, the gradient through
depth, the output gradient of MSE and cross-entropy, and a cross-entropy calculator.

A thin script over ``scenes.blocks`` (the numbers, computed by the MLP's own code) and
``figures.blocks`` (the pictures). Everything here takes milliseconds, so it runs in the page.
"""

import streamlit as st

from appkit import messages, navigation, url_state, viewport
from figures import blocks as figures
from figures.prebuilt import Prebuilt, to_spec
from mlp.network import ACTIVATIONS, MAX_HIDDEN_LAYERS
from scenes import blocks, params

navigation.page_setup("building_blocks")

P = "blocks."
EXAMPLE = "0.3, 0.8, 0.6, 0.4"  # the study notes' four examples


def _probabilities_text(text: str) -> str:
    blocks.parse_probabilities(text)
    return text


SPEC = {
    f"{P}depth": params.integer(MAX_HIDDEN_LAYERS, 1, MAX_HIDDEN_LAYERS),
    f"{P}p": params.Param(
        EXAMPLE,
        _probabilities_text,
        f"1 to {blocks.MAX_PROBABILITIES} probabilities in (0, 1], comma-separated",
    ),
}


# The figures as JSON, built once per setting (a rerun then costs no plotly validation).
@st.cache_data(show_spinner=False)
def activations_spec(present: bool) -> str:
    return to_spec(figures.activation_figure(blocks.activation_curves(), present=present))


@st.cache_data(show_spinner=False)
def depth_spec(depth: int, present: bool) -> str:
    """Each activation's gradient per layer of a fresh network ``depth`` layers deep."""
    gradients = {name: blocks.layer_gradients(name, depth) for name in ACTIVATIONS}
    bound = blocks.derivative_bound("sigmoid", depth)
    return to_spec(figures.depth_figure(gradients, bound, present=present))


@st.cache_data(show_spinner=False)
def output_spec(present: bool) -> str:
    return to_spec(figures.output_gradient_figure(blocks.sigmoid_unit(), present=present))


@st.cache_data(show_spinner=False, max_entries=64)
def cross_entropy_spec(probabilities: tuple[float, ...], present: bool) -> str:
    return to_spec(
        figures.cross_entropy_figure(blocks.cross_entropy(probabilities), present=present)
    )


st.title("🧱 Building blocks")
st.caption(
    "The pieces a network is made of, computed by the playground's own network code: "
    "activations and their slopes, what backpropagation does to a gradient on its way down, "
    "why classification uses cross-entropy, and what a cross-entropy loss adds up."
)
url_state.load(SPEC)
with st.sidebar:
    st.slider(
        "Hidden layers (gradients through depth)",
        1,
        MAX_HIDDEN_LAYERS,
        key=f"{P}depth",
        help="Layers of 32 units, freshly initialised, on 200 moons points.",
    )
    st.text_input(
        "True-class probabilities (cross-entropy)",
        key=f"{P}p",
        max_chars=blocks.MAX_PROBABILITY_TEXT,
        help="What the softmax gives each example's true class, e.g. 0.3, 0.8, 0.6, 0.4.",
    )
url_state.save(SPEC)
present = navigation.presenting()

st.subheader("Activation functions and their derivatives")
st.plotly_chart(
    Prebuilt(activations_spec(present)),
    key="blocks.activations_figure",
    config={"displaylogo": False},
)
st.caption(
    "Left: f(z); right: its slope f′(z), which backpropagation multiplies the gradient by. "
    f"The sigmoid's slope is at most {blocks.max_derivative('sigmoid'):.2f} (at z = 0); "
    "tanh's is 1 there; ReLU's is 1 for z > 0 and 0 below, so a unit that is off passes no "
    "gradient (leaky ReLU passes 0.01 of it, ELU a fading share)."
)

st.subheader("The gradient through depth")
depth = st.session_state[f"{P}depth"]
st.plotly_chart(
    Prebuilt(depth_spec(depth, present)),
    key="blocks.depth_figure",
    config={"displaylogo": False},
)
st.caption(
    "Backpropagation multiplies the gradient by one factor f′(z) (and the weights) per layer "
    "it passes. With the sigmoid every factor is at most 1/4, so k layers below the output "
    "the activations alone shrink it by 4ᵏ (dashed): the first layers of a deep sigmoid "
    "network barely learn (vanishing gradients). With tanh or ReLU, at their usual "
    "initialisations, the layers keep comparable gradients."
)

st.subheader("Cross-entropy or squared error at a sigmoid output")
st.plotly_chart(
    Prebuilt(output_spec(present)),
    key="blocks.output_figure",
    config={"displaylogo": False},
)
st.caption(
    "One sigmoid output p = σ(z) whose target is 1. Cross-entropy −ln p has the gradient "
    "p − 1 with respect to z: large when the unit is confidently wrong (p near 0). Squared "
    "error's gradient 2(p − 1)·p(1 − p) has an extra factor p(1 − p) that vanishes exactly "
    "there, so a network trained with MSE learns slowly from its worst mistakes."
)

st.subheader("Cross-entropy calculator")
try:
    probabilities = blocks.parse_probabilities(st.session_state[f"{P}p"])
    result = blocks.cross_entropy(probabilities)
except ValueError as err:
    messages.problem("Check the probabilities", err)
else:
    total, mean = st.columns(2)
    total.metric("Sum over the examples: −Σ ln pᵢ", f"{result.total:.3f}")
    mean.metric(f"Mean over the {len(result.p)} examples (the MLP's loss)", f"{result.mean:.3f}")
    st.plotly_chart(
        Prebuilt(cross_entropy_spec(probabilities, present)),
        key="blocks.cross_entropy_figure",
        config={"displaylogo": False},
    )
    st.caption(
        "Each example adds −ln p, where p is the probability the softmax gives its true "
        "class: 0.3 costs 1.20, 0.8 only 0.22. The study notes write the loss as the sum "
        "(0.3, 0.8, 0.6, 0.4 give 2.85); the MLP playground, like PyTorch's default "
        "reduction='mean', reports the mean (0.71), the sum divided by the number of "
        "examples. Both have the same minimum; the mean keeps a learning rate's meaning "
        "whatever the batch size."
    )

viewport.probe()
