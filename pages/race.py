"""Optimizer race: every selected optimizer runs from the same start on one surface; watch them.

A thin script: settings live in ``st.session_state`` and the URL (``appkit.url_state``), the
race and its summary come from ``scenes.race``, the figures from ``figures.race`` and
``figures.race_curves``.
"""

import pandas as pd
import streamlit as st

import optim_core
import surfaces
from appkit import messages, navigation, url_state
from appkit.widgets import optimizer_controls
from figures.race import race_figure
from figures.race_curves import curves_figure, surface_3d_figure
from scenes import equations
from scenes import race as rs
from scenes.optimizer_settings import LABELS

navigation.page_setup("race")

P = rs.PREFIX
CHART = "race.chart"  # widget key of the clickable race figure (not a URL setting)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_race(surface, runs, start, steps, tol, noise, seed, schedule):
    return rs.run_race(rs.RaceConfig(surface, runs, start, steps, tol, noise, seed, schedule))


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_figure(key: tuple, frame_ms: int):
    """The animated figure (shared, never mutated: plotly_chart and to_html only read it)."""
    return race_figure(surfaces.get(key[0]), cached_race(*key), key[2], frame_ms=frame_ms)


def apply(values: dict) -> None:
    for k, v in values.items():
        st.session_state[k] = v


def on_surface_change() -> None:
    apply(rs.surface_reset(st.session_state[f"{P}surface"]))


def on_chart_click() -> None:
    """A click on the figure selects one point (the invisible grid or a path): start there."""
    event = st.session_state.get(CHART)
    points = event.selection.points if event else []
    if not points:
        return
    (x0, x1), (y0, y1) = surfaces.get(st.session_state[f"{P}surface"]).domain
    x, y = points[0].get("x"), points[0].get("y")
    if isinstance(x, int | float) and isinstance(y, int | float):
        st.session_state[f"{P}x"] = float(min(max(x, x0), x1))
        st.session_state[f"{P}y"] = float(min(max(y, y0), y1))


st.title("🏁 Optimizer race")
st.caption(
    "Every optimizer starts from the same point on the same surface, with the same number of "
    "steps. Press ▶ Play under the figure, drag the slider, click the plot to move the start."
)

url_state.load({f"{P}surface": rs.spec(rs.DEFAULT_SURFACE)[f"{P}surface"]})
surface_name = st.session_state[f"{P}surface"]
SPEC = rs.spec(surface_name)
url_state.load({k: v for k, v in SPEC.items() if k != f"{P}surface"})

with st.sidebar:
    st.subheader("Classic scenes")
    for key, preset in rs.PRESETS.items():
        st.button(
            preset.title,
            key=f"race.preset.{key}",
            on_click=apply,
            args=(rs.preset_values(key),),
            help=preset.caption,
            use_container_width=True,
        )
    st.selectbox(
        "Surface",
        list(surfaces.SURFACES),
        format_func=lambda n: surfaces.get(n).title,
        key=f"{P}surface",
        on_change=on_surface_change,
        help="Changing the surface resets the start, steps and learning rates to its defaults.",
    )
    st.multiselect(
        "Optimizers",
        list(optim_core.OPTIMIZERS),
        format_func=LABELS.get,
        key=f"{P}optimizers",
    )
    (x0, x1), (y0, y1) = surfaces.get(surface_name).domain
    cx, cy = st.columns(2)
    cx.number_input("start x", x0, x1, key=f"{P}x", format="%.4g", step=0.1)
    cy.number_input("start y", y0, y1, key=f"{P}y", format="%.4g", step=0.1)
    st.number_input("Steps", 1, rs.MAX_STEPS, key=f"{P}steps", step=50, help="At most 5,000 steps.")
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
    with st.expander("Gradient noise and learning-rate schedule"):
        st.number_input(
            "Gradient noise (std)",
            0.0,
            1000.0,
            key=f"{P}noise",
            step=0.1,
            help="Gaussian noise added to every gradient (a stand-in for mini-batches). "
            "All optimizers see the same noise.",
        )
        st.number_input("Noise seed", 0, 2**31 - 1, key=f"{P}seed")
        st.selectbox("Schedule", rs.SCHEDULES, key=f"{P}schedule")
        if st.session_state[f"{P}schedule"] == "step":
            st.number_input("Step size (steps)", 1, rs.MAX_STEPS, key=f"{P}step_size")
            st.number_input("γ per step", 0.01, 1.0, key=f"{P}gamma")
        elif st.session_state[f"{P}schedule"] == "exponential":
            st.number_input("γ per step", 0.9, 1.0, key=f"{P}exp_gamma", format="%.4f")
    st.select_slider("Animation speed", list(rs.SPEEDS), key=f"{P}speed")
    st.toggle("3D view", key=f"{P}view3d")

selected = st.session_state[f"{P}optimizers"]
url_state.save(
    {
        k: v
        for k, v in SPEC.items()
        if k not in rs.optimizer_keys(SPEC, optim_core.OPTIMIZERS)
        or k in rs.optimizer_keys(SPEC, selected)
    }
)
if not selected:
    st.info("Pick at least one optimizer in the sidebar.")
    st.stop()

for key, preset in rs.PRESETS.items():
    if all(st.session_state.get(k) == v for k, v in rs.preset_values(key).items()):
        st.info(f"**{preset.title}** — {preset.caption}")

cfg = rs.config({k: st.session_state[k] for k in SPEC})
key = (cfg.surface, cfg.runs, cfg.start, cfg.steps, cfg.tol, cfg.noise, cfg.seed, cfg.schedule)
try:
    race = cached_race(*key)
except ValueError as err:  # e.g. Nesterov with zero momentum: optim_core's own message
    messages.problem("Invalid hyperparameters", err)
    st.stop()
surface = surfaces.get(cfg.surface)

left, right = st.columns([3, 2])
with left:
    if st.session_state[f"{P}view3d"]:
        st.plotly_chart(surface_3d_figure(surface, race, cfg.start), key="race.chart3d")
        figure = None
    else:
        figure = cached_figure(key, rs.SPEEDS[st.session_state[f"{P}speed"]])
        st.plotly_chart(
            figure,
            key=CHART,
            on_select=on_chart_click,
            selection_mode="points",
            config={"scrollZoom": False, "displaylogo": False},
        )
with right:
    st.plotly_chart(curves_figure(surface, race), key="race.curves")

st.subheader("Summary")
summary = rs.summary(cfg.surface, race)
summary["steps to tolerance"] = [
    "not reached" if pd.isna(k) else str(int(k)) for k in summary["steps to tolerance"]
]
st.dataframe(
    summary,
    hide_index=True,
    column_config={
        "final loss": st.column_config.NumberColumn(format="%.4g"),
        "loss − global min": st.column_config.NumberColumn(format="%.3e"),
        "distance to it": st.column_config.NumberColumn(format="%.3g"),
        "final x": st.column_config.NumberColumn(format="%.4f"),
        "final y": st.column_config.NumberColumn(format="%.4f"),
    },
)
st.caption(
    f"{surface.title}: {surface.description} Nearest minimum: global or local when the run "
    f"ends within {surface.near_radius:.3g} of a minimum (a listed one, or one that a few "
    "Newton steps from the end point find), else “none nearby”: the minima lab's rule."
)

st.subheader("Update rules")
st.caption("g = gradient, η = learning rate after the schedule, t = step (from 1), as torch.optim.")
for name in selected:
    rule, intuition = equations.update_rule(name)
    st.markdown(f"**{LABELS[name]}** — {intuition}")
    st.latex(rule)

st.subheader("Export")
d1, d2 = st.columns(2)
d1.download_button(
    "Paths as CSV (step, optimizer, x, y, loss)",
    data=lambda: rs.paths_csv(race),  # built only when clicked, like the HTML below
    file_name=f"race_{cfg.surface}.csv",
    mime="text/csv",
    on_click="ignore",
)
if figure is not None:
    d2.download_button(
        "Animated figure as standalone HTML",
        data=lambda: figure.to_html(include_plotlyjs=True, auto_play=False),
        file_name=f"race_{cfg.surface}.html",
        mime="text/html",
        on_click="ignore",
    )
