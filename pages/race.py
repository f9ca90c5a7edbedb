"""Optimizer race: every selected optimizer runs from the same start on one surface; watch them.

A thin script: settings live in ``st.session_state`` and the URL (``appkit.url_state``); the
race, its summary and its figure are computed by ``scenes.race.build_scene`` in the shared
worker pool (``appkit.compute``).
"""

import streamlit as st

import surfaces
from appkit import compute, messages, navigation, url_state, viewport
from appkit.widgets import formula_inputs, optimizer_controls
from figures.prebuilt import Prebuilt
from scenes import equations
from scenes import race as rs
from scenes.optimizer_settings import CURVATURE, FIRST_ORDER, LABELS

navigation.page_setup("race")

P = rs.PREFIX
CHART = "race.chart"  # widget key of the clickable race figure (not a URL setting)
GROUP_KEYS = {f"{P}first_order": FIRST_ORDER, f"{P}curvature": CURVATURE}
HEADER_PX = 175  # page title and caption above the figure
SURFACE_LABELS = {
    **{n: s.title for n, s in surfaces.SURFACES.items()},
    rs.FORMULA: "✎ Your own formula",
}


def apply(values: dict) -> None:
    for k, v in values.items():
        st.session_state[k] = v
    split_optimizers()


def split_optimizers() -> None:
    """The public URL key race.optimizers lists both groups; each group has its own widget."""
    chosen = st.session_state[f"{P}optimizers"]
    for key, group in GROUP_KEYS.items():
        st.session_state[key] = [n for n in chosen if n in group]


def join_optimizers() -> None:
    st.session_state[f"{P}optimizers"] = [n for key in GROUP_KEYS for n in st.session_state[key]]


def on_surface_change() -> None:
    if st.session_state[f"{P}surface"] == rs.FORMULA:
        st.session_state["race._reset"] = True  # applied once the formula is compiled
    else:
        apply(rs.surface_reset(st.session_state[f"{P}surface"]))


def on_formula_change() -> None:
    st.session_state["race._reset"] = True


def on_chart_click() -> None:
    """A click on the map selects a point of the invisible hover grid: start there (rounded
    to a tidy value)."""
    event = st.session_state.get(CHART)
    points = [p for p in (event.selection.points if event else []) if p.get("curve_number") == 0]
    if not points:
        return
    (x0, x1), (y0, y1) = st.session_state["race._domain"]
    x, y = points[0].get("x"), points[0].get("y")
    if isinstance(x, int | float) and isinstance(y, int | float):
        st.session_state[f"{P}x"] = float(min(max(rs.round_click(x, x1 - x0), x0), x1))
        st.session_state[f"{P}y"] = float(min(max(rs.round_click(y, y1 - y0), y0), y1))


st.title("🏁 Optimizer race")
st.caption(
    "The same start, the same surface, the same number of steps. Press ▶ Play under the "
    "figure; the scoreboard says how each optimizer is doing as the race unfolds. Click the "
    "map to start somewhere else."
)

surface_spec = {k: v for k, v in rs.spec(rs.DEFAULT_SURFACE).items() if k in rs.SURFACE_KEYS}
url_state.load(surface_spec)
with st.sidebar:
    st.subheader("Classic scenes")
    for key, preset in rs.PRESETS.items():
        st.button(
            preset.title,
            key=f"race.preset.{key}",
            on_click=apply,
            args=(rs.preset_values(key),),
            help=preset.caption,
            width="stretch",
        )
    st.selectbox(
        "Surface",
        list(SURFACE_LABELS),
        format_func=SURFACE_LABELS.get,
        key=f"{P}surface",
        on_change=on_surface_change,
        help="Changing the surface resets the start, steps and learning rates to its defaults.",
    )
    if st.session_state[f"{P}surface"] == rs.FORMULA:
        formula_inputs(P, on_change=on_formula_change)

try:
    ref = rs.surface_ref({k: st.session_state[k] for k in surface_spec})
except ValueError as err:
    url_state.save(surface_spec)
    messages.problem("Check the formula", err)
    st.stop()
if ref[0] == rs.FORMULA:
    info = compute.run_or_stop(
        ("surface", ref),
        rs.info,
        ref,
        label="Reading the formula…",
        slot="race.surface",
        prefix="Check the formula",
    )
else:
    info = rs.info(ref)
SPEC = rs.spec(info)
st.session_state["race._domain"] = info.domain
if st.session_state.pop("race._reset", False):
    apply(rs.surface_reset(info))
url_state.load({k: v for k, v in SPEC.items() if k not in surface_spec})
if any(key not in st.session_state for key in GROUP_KEYS):
    split_optimizers()

with st.sidebar:
    for key, group in GROUP_KEYS.items():
        st.multiselect(
            "First-order optimizers" if group is FIRST_ORDER else "Second-order and quasi-Newton",
            list(group),
            format_func=LABELS.get,
            key=key,
            on_change=join_optimizers,
        )
    (x0, x1), (y0, y1) = info.domain
    cx, cy = st.columns(2)
    cx.number_input("start x", x0, x1, key=f"{P}x", format="%.4g", step=0.1)
    cy.number_input("start y", y0, y1, key=f"{P}y", format="%.4g", step=0.1)
    st.number_input(
        "Steps", 1, rs.MAX_STEPS, key=f"{P}steps", step=50, help=f"At most {rs.MAX_STEPS:,}."
    )
    st.number_input(
        "Tolerance on ‖∇f‖",
        1e-12,
        1.0,
        key=f"{P}tol",
        format="%.1e",
        help="A run stops as converged when its gradient norm falls below this.",
    )
    for name in st.session_state[f"{P}optimizers"]:
        optimizer_controls(name, P)
    if st.session_state[f"{P}surface"] in rs.DATA_SURFACES:
        st.radio(
            "Each step's gradient from",
            list(rs.BATCH_MODES),
            format_func=rs.BATCH_MODES.get,
            key=f"{P}batch",
            help="Real mini-batch gradients of the loss: the data are reshuffled every epoch, "
            "and every optimizer sees the same batches. 'Compare all three' races the first "
            "optimizer with the whole data, with mini-batches and with one point per step.",
        )
        if st.session_state[f"{P}batch"] in ("mini", "compare"):
            st.number_input("Mini-batch size", 1, 1000, key=f"{P}batch_size")
    with st.expander("Gradient noise and learning-rate schedule"):
        st.number_input(
            "Gradient noise (std)",
            0.0,
            1000.0,
            key=f"{P}noise",
            step=0.1,
            help="Gaussian noise added to every gradient of the first-order optimizers (a "
            "stand-in for mini-batches). All of them see the same noise. The second-order "
            "methods evaluate the surface exactly.",
        )
        st.number_input("Noise seed", 0, 2**31 - 1, key=f"{P}seed")
        st.selectbox("Schedule", rs.SCHEDULES, key=f"{P}schedule")
        if st.session_state[f"{P}schedule"] == "step":
            st.number_input("Step size (steps)", 1, rs.MAX_STEPS, key=f"{P}step_size")
            st.number_input("γ per step", 0.01, 1.0, key=f"{P}gamma")
        elif st.session_state[f"{P}schedule"] == "exponential":
            st.number_input("γ per step", 0.9, 1.0, key=f"{P}exp_gamma", format="%.4f")
    st.radio(
        "Time axis",
        list(rs.X_AXES),
        format_func=rs.X_AXES.get,
        key=f"{P}xaxis",
        horizontal=True,
        help="Gradient evaluations compare fairly: a BFGS step may evaluate the function and "
        "gradient several times, an SGD step once.",
    )
    st.select_slider("Animation speed", list(rs.SPEEDS), key=f"{P}speed")
    st.toggle("3D view", key=f"{P}view3d")

join_optimizers()
selected = st.session_state[f"{P}optimizers"]
url_state.save(
    {
        k: v
        for k, v in SPEC.items()
        if k not in rs.optimizer_keys(SPEC, rs.ALL_OPTIMIZERS)
        or k in rs.optimizer_keys(SPEC, selected)
    }
)
if not selected:
    messages.info("Pick at least one optimizer in the sidebar.")
    st.stop()

preset = rs.active_preset({k: st.session_state.get(k) for k in SPEC})
if preset is not None:
    scene_title, caption = rs.PRESETS[preset].title, rs.PRESETS[preset].caption
    st.info(f"**{scene_title}**: {messages.plain(caption)}", icon="🎬")

cfg = rs.config({k: st.session_state[k] for k in SPEC})
problem = rs.too_much(cfg)
if problem:
    messages.error(problem)
    st.stop()
view = rs.View(
    x_axis=st.session_state[f"{P}xaxis"],
    frame_ms=rs.SPEEDS[st.session_state[f"{P}speed"]],
    three_d=st.session_state[f"{P}view3d"],
    present=navigation.presenting(),
)
scene = compute.run_or_stop(
    ("race", cfg, view), rs.build_scene, cfg, view, label="Racing…", slot="race"
)
height = viewport.figure_height(HEADER_PX)
figure = Prebuilt(scene.figure, height=height)
if view.three_d:
    st.plotly_chart(figure, key="race.chart3d", config={"displaylogo": False})
    st.caption(
        "Press ▶ Play to walk the paths over the surface; drag to turn it, scroll to zoom. "
        "Height is the loss" + (" on a log scale." if info.name != "formula" else ".")
    )
else:
    st.plotly_chart(
        figure,
        key=CHART,
        on_select=on_chart_click,
        selection_mode="points",
        config={"scrollZoom": False, "displaylogo": False},
    )
for key, why in scene.cannot_run.items():
    messages.info(f"{rs.entry_label(key)} is not in this race: {why}")

with st.expander("Results table (shows how every run ends)"):
    st.dataframe(scene.summary, hide_index=True, width="stretch")
    st.caption(
        f"{info.title}: {info.description} Nearest minimum: global or local when the run "
        f"ends within {info.near_radius:.3g} of a minimum (a listed one, or one that a few "
        "Newton steps from the end point find; the minima lab's rule), else “none nearby”. "
        "Evaluations count what each method "
        "computed: first-order methods one gradient per step (and one at the start); line "
        "searches add function values and gradients; Newton's methods need a Hessian too."
    )

st.subheader("Update rules")
st.caption("g = gradient, η = learning rate after the schedule, t = step (from 1), as torch.optim.")
for name in selected:
    rule, intuition = equations.update_rule(name)
    st.markdown(f"**{LABELS[name]}**: {intuition}")
    st.latex(rule)

st.subheader("Export")
d1, d2, d3 = st.columns(3)
d1.download_button(
    "Paths as CSV (step, optimizer, x, y, loss)",
    data=lambda: rs.paths_csv(scene.race),  # built only when clicked
    file_name=f"race_{info.name}.csv",
    mime="text/csv",
    on_click="ignore",
)
d3.download_button(
    "Animated GIF for slides (960×720)",
    data=lambda: compute.quietly(("race.gif", cfg, view.frame_ms), rs.race_gif, cfg, view.frame_ms),
    file_name=f"race_{info.name}.gif",
    mime="image/gif",
    on_click="ignore",
)
d2.download_button(
    "Animated figure as standalone HTML",
    data=lambda: figure.to_html(include_plotlyjs=True, auto_play=False),
    file_name=f"race_{info.name}.html",
    mime="text/html",
    on_click="ignore",
)

viewport.probe()
