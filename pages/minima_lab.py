"""Minima lab: basins of attraction on a grid of starts, and many random starts animated.

A thin script: settings live in ``st.session_state`` and the URL (``appkit.url_state``); the
cost model of ``scenes.basins`` accepts or refuses them before any work, and the maps (one job
per optimizer), the multi-start and their figures are computed in the shared worker pool
(``appkit.compute``).
"""

import streamlit as st

import surfaces
from appkit import compute, messages, navigation, url_state, viewport
from appkit.widgets import formula_inputs, optimizer_controls
from figures.prebuilt import Prebuilt
from scenes import basins as bs
from scenes.optimizer_settings import CURVATURE, LABELS

navigation.page_setup("minima_lab")

P = bs.PREFIX
HEADER_PX = 175  # page title and caption above the figure
SIDEBAR_PX, PADDING_PX = 300, 52  # Streamlit's expanded sidebar; the main block's side padding
SURFACE_LABELS = {
    **{n: surfaces.get(n).title for n in bs.SURFACE_NAMES if n != bs.FORMULA},
    bs.FORMULA: "✎ Your own formula",
}
EARLY_KEYS = (*bs.SURFACE_KEYS, f"{P}view")  # read before the surface is known


def apply(values: dict) -> None:
    for k, v in values.items():
        st.session_state[k] = v


def on_surface_change() -> None:
    if st.session_state[f"{P}surface"] == bs.FORMULA:
        st.session_state["basin._reset"] = True  # applied once the formula is compiled
    else:
        apply(bs.surface_reset(st.session_state[f"{P}surface"]))


def on_formula_change() -> None:
    st.session_state["basin._reset"] = True


def option_label(name: str) -> str:
    return f"{LABELS[name]} (2nd order)" if name in CURVATURE else LABELS[name]


def content_width() -> int:
    """The main column's width in pixels: the window less the sidebar (hidden when presenting)
    and the padding."""
    width = viewport.size()[0]
    if navigation.presenting():
        return width - 2 * PADDING_PX
    return width - SIDEBAR_PX - PADDING_PX


st.title("🕳️ Minima lab")
st.caption(
    "Which minimum an optimizer finds depends on where it starts and on how it moves. A basin "
    "map colours every start of a grid by where that optimizer ends; the animation lets many "
    "random starts fall into their wells."
)

early_spec = {k: v for k, v in bs.spec(bs.DEFAULT_SURFACE).items() if k in EARLY_KEYS}
url_state.load(early_spec)
with st.sidebar:
    st.subheader("Classic scenes")
    for key, preset in bs.PRESETS.items():
        st.button(
            preset.title,
            key=f"basin.preset.{key}",
            on_click=apply,
            args=(bs.preset_values(key),),
            help=preset.caption,
            width="stretch",
        )
    st.radio("Show", list(bs.VIEWS), format_func=bs.VIEWS.get, key=f"{P}view")
    st.selectbox(
        "Surface",
        list(SURFACE_LABELS),
        format_func=SURFACE_LABELS.get,
        key=f"{P}surface",
        on_change=on_surface_change,
        help="Changing the surface sets every learning rate to the one suggested for it.",
    )
    if st.session_state[f"{P}surface"] == bs.FORMULA:
        formula_inputs(P, on_change=on_formula_change)

try:
    ref = bs.surface_ref({k: st.session_state[k] for k in bs.SURFACE_KEYS})
except ValueError as err:
    url_state.save(early_spec)
    messages.problem("Check the formula", err)
    st.stop()
if ref[0] == bs.FORMULA:
    info = compute.run_or_stop(
        ("basin.surface", ref),
        bs.info,
        ref,
        label="Reading the formula…",
        slot="basin.surface",
        prefix="Check the formula",
    )
else:
    info = bs.info(ref)
SPEC = bs.spec(info)
if st.session_state.pop("basin._reset", False):
    apply(bs.surface_reset(info))
url_state.load({k: v for k, v in SPEC.items() if k not in early_spec})

view = st.session_state[f"{P}view"]
with st.sidebar:
    st.multiselect(
        f"Optimizers (up to {bs.MAX_OPTIMIZERS}, side by side)",
        list(bs.ALL_OPTIMIZERS),
        format_func=option_label,
        key=f"{P}optimizers",
        max_selections=bs.MAX_OPTIMIZERS,
        help="First-order methods take one gradient per step; second-order and quasi-Newton "
        "methods also use curvature (Newton's Hessian, BFGS's estimate of it).",
    )
    if view == "maps":
        st.slider(
            "Grid of starts (per side)",
            bs.MIN_GRID,
            bs.MAX_GRID,
            step=10,
            key=f"{P}grid",
            help=f"n x n starts over the plot; at most {bs.MAX_GRID} x {bs.MAX_GRID}.",
        )
    else:
        st.slider("Random starts", 1, bs.MAX_STARTS, key=f"{P}starts")
        st.number_input("Seed of the starts", 0, 1_000_000, key=f"{P}seed")
    st.number_input(
        "Steps per run",
        1,
        bs.MAX_STEPS,
        step=50,
        key=f"{P}steps",
        help=f"At most {bs.MAX_STEPS:,}. A run stops early once its gradient norm is below 1e-6.",
    )
    if view == "maps":
        st.toggle("Level lines of the surface", key=f"{P}contours")
    else:
        st.select_slider("Animation speed", list(bs.SPEEDS), key=f"{P}speed")
    for name in st.session_state[f"{P}optimizers"]:
        optimizer_controls(name, P)

selected = st.session_state[f"{P}optimizers"]
url_state.save(
    {
        k: v
        for k, v in SPEC.items()
        if k not in bs.optimizer_keys(SPEC, bs.ALL_OPTIMIZERS)
        or k in bs.optimizer_keys(SPEC, selected)
    }
)
if not selected:
    messages.info("Pick at least one optimizer in the sidebar.")
    st.stop()
values = {k: st.session_state[k] for k in SPEC}
try:
    runs = bs.runs(values, info.cannot)
except ValueError as err:
    messages.problem("These settings cannot run", err)
    st.stop()
if not runs:
    st.stop()
problem = bs.too_much(values, info)
if problem:
    messages.error(problem)
    st.stop()

# The figure's size for this window (rounded, so that small resizes reuse the cache); only what
# the view draws enters its key.
size = dict(
    width=20 * round(content_width() / 20),
    height=20 * round(viewport.figure_height(HEADER_PX) / 20),
    present=navigation.presenting(),
)
chart_config = {"scrollZoom": False, "displaylogo": False}
if view == "maps":
    frame = bs.View(contours=st.session_state[f"{P}contours"], **size)
    cfgs = bs.map_configs(values, ref, info.cannot)
    n = cfgs[0].grid
    maps = tuple(
        compute.run_or_stop(
            ("basin.map", cfg),
            bs.map_job,
            cfg,
            label=f"Basin map {i + 1} of {len(cfgs)}: {LABELS[cfg.name]} from {n} × {n} starts…",
            slot=f"basin.map.{i}",
        )
        for i, cfg in enumerate(cfgs)
    )
    scene = compute.run_or_stop(
        ("basin.maps", cfgs, frame),
        bs.maps_scene,
        cfgs,
        maps,
        frame,
        label="Drawing the maps…",
        slot="basin.figure",
    )
    st.plotly_chart(Prebuilt(scene.figure), key="basin.maps", config=chart_config)
    st.caption(
        f"Every pixel is one of {n * n:,} starts, coloured by where that optimizer is after "
        f"{cfgs[0].steps:,} steps: warm colours are global minima, cool colours local ones, tan "
        "a stop on a saddle or a flat, grey still moving far from any minimum, black diverged. "
        "Thin lines: the surface's level lines. Hover a start to see where it ends."
    )
else:
    frame = bs.View(frame_ms=bs.SPEEDS[st.session_state[f"{P}speed"]], **size)
    cfg = bs.multi_config(values, ref, info.cannot)
    scene = compute.run_or_stop(
        ("basin.multistart", cfg, frame),
        bs.multistart_scene,
        cfg,
        frame,
        label=f"Running {cfg.starts} random starts per optimizer…",
        slot="basin.multistart",
    )
    st.plotly_chart(Prebuilt(scene.figure), key="basin.multistart", config=chart_config)
    st.caption(
        f"The same {cfg.starts} random starts for every optimizer. Press ▶ Play: the "
        "scoreboard counts where the runs settle, and the animation ends when the last one "
        f"stops moving (step {scene.end:,})."
    )

for name in selected:
    if name in info.cannot:
        messages.info(f"{LABELS[name]} draws nothing here: {info.cannot[name]}.")
preset = bs.active_preset(values)
if preset is not None:
    scene_title, caption = bs.PRESETS[preset].title, bs.PRESETS[preset].caption
    st.info(f"**{scene_title}**: {messages.plain(caption)}", icon="🎬")

st.caption(f"{info.title}: {info.description}")
percent = {"format": "%.1f %%"}
if view == "maps":
    st.markdown(f"**Where the {n * n:,} starts end** (percent of starts)")
    table = scene.table.T
    st.dataframe(
        table,
        column_config={c: st.column_config.NumberColumn(c, **percent) for c in table},
        width="stretch",
    )
else:
    with st.expander("Where the random starts end (shows the ending)"):
        table = scene.table.T
        st.dataframe(
            table,
            column_config={c: st.column_config.NumberColumn(c, **percent) for c in table},
            width="stretch",
        )
    st.download_button(
        "Animated GIF for slides (960×720)",
        data=lambda: compute.quietly(
            ("basin.gif", cfg, frame.frame_ms), bs.multistart_gif, cfg, frame.frame_ms
        ),  # drawn only when clicked
        file_name=f"minima_{info.name}.gif",
        mime="image/gif",
        on_click="ignore",
    )
with st.expander("How the outcome is decided"):
    st.markdown(
        "Each start runs for the steps set in the sidebar. A run counts for a minimum when it "
        f"ends within {info.near_radius:.3g} of it (a quarter of the smallest gap between "
        "listed minima, at most 5% of the plot's shorter side; the race summary uses the same "
        "rule). An end point far from every listed minimum is polished with a few Newton "
        "steps: if that lands on a minimum within the same distance, the run counts for that "
        "**unlisted local minimum** (hover a start to see which). **Other**: it stopped "
        "(gradient norm below 1e-6, or a Newton step it could not take) where there is no "
        "minimum, such as a saddle or a maximum. **Not converged**: still moving far from any "
        "minimum at the last step. **Diverged**: it blew up or flew far outside the plot."
    )

viewport.probe()
