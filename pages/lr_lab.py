"""Learning-rate lab: one optimizer, many learning rates, the same start; too slow, converging,
oscillating, diverging; and a sweep chart that finds the stability edge and compares it with
theory on the quadratic bowl.

A thin script: settings live in ``st.session_state`` and the URL (``appkit.url_state``); the
default range, the sweep and its figure, the comparison sweep and the GIF are computed by
``scenes.sweep`` in the shared worker pool (``appkit.compute``).
"""

import streamlit as st

import surfaces
from appkit import compute, messages, navigation, url_state, viewport
from appkit.widgets import formula_inputs, optimizer_controls
from figures.prebuilt import Prebuilt
from scenes import race as rs
from scenes import sweep as lab
from scenes.optimizer_settings import LABELS

navigation.page_setup("lr_lab")

P = lab.PREFIX
HEADER_PX = 175  # page title and caption above the figure
RESET = "lr._reset"  # set when the surface or optimizer changes: the range takes its default
SURFACE_LABELS = {
    **{n: s.title.split(" (")[0] for n, s in surfaces.SURFACES.items()},
    lab.FORMULA: "✎ Your own formula",
}
SPEC = lab.spec()
LATE = lab.RANGE_KEYS  # loaded once their defaults (from the surface and optimizer) are known


def on_reset() -> None:
    st.session_state[RESET] = True


def on_mode() -> None:
    """Switching to a typed list starts from the rates of the current range."""
    if st.session_state[f"{P}mode"] != "list":
        return
    try:
        rates = lab.log_range(
            st.session_state[f"{P}lo"], st.session_state[f"{P}hi"], st.session_state[f"{P}count"]
        )
    except (KeyError, ValueError):
        return
    st.session_state[f"{P}list"] = ", ".join(f"{lr:.3g}" for lr in rates)


st.title("🎚️ Learning-rate lab")
st.caption(
    "One optimizer from one start with many learning rates at once, coloured from small "
    "(dark) to large (yellow). Press ▶ Play: small rates crawl, good ones converge, larger ones "
    "zig-zag, and past the stability edge the runs blow up."
)

url_state.load({k: v for k, v in SPEC.items() if k not in LATE})
with st.sidebar:
    st.selectbox(
        "Surface",
        list(SURFACE_LABELS),
        format_func=SURFACE_LABELS.get,
        key=f"{P}surface",
        on_change=on_reset,
        help="Changing the surface or the optimizer resets the learning rates to a range that "
        "shows every regime.",
    )
    if st.session_state[f"{P}surface"] == lab.FORMULA:
        formula_inputs(P, on_change=on_reset)
    if st.session_state[f"{P}surface"] == "quadratic":
        st.number_input(
            "Condition number L/μ", 1.0, 1000.0, key=f"{P}kappa", format="%.4g", step=1.0
        )
        st.number_input("Largest curvature L", 0.1, 100.0, key=f"{P}L", format="%.4g", step=1.0)
    st.selectbox(
        "Optimizer",
        list(lab.OPTIMIZERS),
        key=f"{P}optimizer",
        format_func=LABELS.get,
        on_change=on_reset,
    )

values = {k: st.session_state[k] for k in SPEC if k not in LATE}
try:
    ref = lab.surface_ref(values)
except ValueError as err:
    url_state.save({k: v for k, v in SPEC.items() if k not in LATE})
    messages.problem("Check the formula", err)
    st.stop()
if ref[0] == lab.FORMULA:
    compute.run_or_stop(
        ("surface", ref),
        rs.info,
        ref,
        label="Reading the formula…",
        slot="lr.surface",
        prefix="Check the formula",
    )
name, steps, tol = values[f"{P}optimizer"], values[f"{P}steps"], float(values[f"{P}tol"])
hp = lab.hyperparams(name, values)
late = SPEC
if st.session_state.get(RESET) or lab.range_needed(st.query_params.to_dict(), st.session_state):
    default = compute.run_or_stop(
        ("lr.range", ref, name, hp, steps, tol, values[f"{P}count"]),
        lab.default_range,
        ref,
        name,
        hp,
        steps,
        tol,
        values[f"{P}count"],
        label="Finding a range of learning rates that shows every regime…",
        slot="lr.range",
    )
    late = lab.spec(default.lo, default.hi, default.rates_text)
    if st.session_state.pop(RESET, False):
        st.session_state[f"{P}lo"], st.session_state[f"{P}hi"] = default.lo, default.hi
url_state.load({k: late[k] for k in LATE})

with st.sidebar:
    st.radio(
        "Learning rates",
        list(lab.MODES),
        key=f"{P}mode",
        format_func={"range": "log-spaced range", "list": "typed list"}.get,
        horizontal=True,
        on_change=on_mode,
    )
    if st.session_state[f"{P}mode"] == "range":
        low, high = st.columns(2)
        low.number_input("smallest", lab.LR_MIN, lab.LR_MAX, key=f"{P}lo", format="%.3g", step=None)
        high.number_input("largest", lab.LR_MIN, lab.LR_MAX, key=f"{P}hi", format="%.3g", step=None)
        st.slider("how many", 2, lab.MAX_RATES, key=f"{P}count")
    else:
        st.text_input(
            "learning rates",
            key=f"{P}list",
            help=f"Comma-separated, up to {lab.MAX_RATES}, e.g. 0.001, 0.01, 0.1",
        )
    st.number_input(
        "Steps", 1, lab.MAX_STEPS, key=f"{P}steps", step=50, help=f"At most {lab.MAX_STEPS:,}."
    )
    st.selectbox(
        "Tolerance on ‖∇f‖",
        list(lab.TOLERANCES),
        key=f"{P}tol",
        help="A run counts as converged once its gradient norm falls below this.",
    )
    optimizer_controls(name, P, skip=("lr",))
    st.radio(
        "View",
        list(lab.VIEWS),
        key=f"{P}view",
        format_func={
            "animated": "animated",
            "small multiples": "small multiples (every ending at once)",
        }.get,
    )
    st.multiselect(
        "Optimizers in the sweep chart",
        list(lab.OPTIMIZERS),
        key=f"{P}compare",
        format_func=LABELS.get,
    )
    for other in st.session_state[f"{P}compare"]:
        if other != name:
            optimizer_controls(other, P, skip=("lr",))

shown = {name, *st.session_state[f"{P}compare"]}
hidden = set(lab.optimizer_keys(set(lab.OPTIMIZERS) - shown))
url_state.save({k: v for k, v in SPEC.items() if k not in hidden})

values = {k: st.session_state[k] for k in SPEC}
try:
    lrs = lab.rates(values)
except ValueError as err:
    messages.problem("Check the learning rates", err)
    st.stop()
cfg = lab.config(values, lrs)
problem = lab.too_much(cfg)
if problem:
    messages.error(problem)
    st.stop()

present = navigation.presenting()
view = lab.View(small_multiples=values[f"{P}view"] == "small multiples", present=present)
scene = compute.run_or_stop(
    ("lr.scene", cfg.main, view),
    lab.build_scene,
    cfg.main,
    view,
    label="Sweeping the learning rates…",
    slot="lr.scene",
)
height = None if view.small_multiples else viewport.figure_height(HEADER_PX)
st.plotly_chart(
    Prebuilt(scene.figure, height=height),
    key="lr.chart",
    config={"scrollZoom": False, "displaylogo": False},
)
st.caption(
    f"{LABELS[name]} on {scene.title}, {len(lrs)} learning rates from "
    f"{lab.lr_text(lrs.min())} to {lab.lr_text(lrs.max())}, {cfg.steps:,} steps from the same "
    "start. A run that leaves the plot has diverged."
)


def make_gif() -> bytes:
    """The slide GIF, built in the pool when the button is clicked (Streamlit ignores
    elements inside this callable, so the pool is asked directly)."""
    return compute.pool().run(("lr.gif", cfg.main), lab.gif, cfg.main)


st.download_button(
    "Animated sweep as GIF (slide size)",
    data=make_gif,
    file_name=f"lr_sweep_{name}.gif",
    mime="image/gif",
    on_click="ignore",
)

with st.expander("Every run in numbers (shows how each run ends)"):
    counts = " · ".join(f"{regime}: {scene.counts[regime]}" for regime in lab.REGIMES)
    st.markdown(messages.plain(counts))
    st.dataframe(lab.runs_table(scene.table), hide_index=True, width="stretch")
    st.caption(
        "*Converges*: reached a minimum's neighbourhood (or the gradient-norm tolerance) within "
        f"the steps. *Oscillates*: turned back at least {lab.ZIGZAG} times with steps large "
        "enough to see (on the quadratic, gradient descent turns back exactly when lr > 1/L). "
        "*Too slow*: still far from every minimum when the steps ran out. *Diverges*: left the "
        "plot or overflowed."
    )

with st.expander("Sweep chart and stability edge: theory vs measured (shows how runs end)"):
    if not cfg.compare:
        messages.info("Pick at least one optimizer for the sweep chart in the sidebar.")
    else:
        comparison = compute.run_or_stop(
            ("lr.compare", cfg, present),
            lab.build_comparison,
            cfg,
            lab.View(present=present),
            label="Sweeping every compared optimizer…",
            slot="lr.compare",
        )
        st.plotly_chart(Prebuilt(comparison.figure), key="lr.sweep", config={"displaylogo": False})
        st.caption(
            f"{len(comparison.lrs)} learning rates log-spaced from "
            f"{lab.lr_text(comparison.lrs.min())} to {lab.lr_text(comparison.lrs.max())}, "
            f"{cfg.steps:,} steps each, from the same start. Shaded: where that optimizer "
            "diverged. Dashed: the theoretical stability limit; dotted: the measured edge."
        )
        if comparison.curvature is not None:
            mu, largest = comparison.curvature
            st.markdown(
                messages.plain(
                    f"Here the Hessian is constant, with eigenvalues {mu:.4g} and L = "
                    f"{largest:.4g}: gradient descent is stable for lr < 2/L, heavy-ball "
                    "momentum for lr < (2+2μ)/L (μ here is the momentum coefficient), Nesterov "
                    "for lr < (2+2μ)/((1+2μ)L)."
                )
            )
        st.dataframe(comparison.edges, hide_index=True, width="stretch")
        st.caption(
            "Measured: between the largest learning rate that did not diverge within "
            f"{cfg.steps:,} steps and the smallest that did, narrowed by one finer sweep. Just "
            "above the limit the runs grow slowly, so fewer steps push the measured edge up."
        )

viewport.probe()
