"""Learning-rate lab: one optimizer, many learning rates, the same start — too slow, good,
oscillating, diverging — and a sweep chart that finds the stability edge and compares it with
theory on the quadratic bowl."""

import numpy as np
import pandas as pd
import streamlit as st

import optim_core
import surfaces
from appkit import messages, navigation, url_state
from appkit.widgets import optimizer_controls
from figures import sweep as sweep_figures
from scenes import optimizer_settings, params
from scenes import sweep as lab
from scenes.optimizer_settings import LABELS

navigation.page_setup("lr_lab")

P = "lr."
OPTIMIZERS = list(optim_core.OPTIMIZERS)
TOLERANCES = ["1e-3", "1e-4", "1e-6", "1e-8"]
VIEWS = ["animated", "small multiples"]
DENSE = 60  # learning rates in the sweep chart, log-spaced over the chosen range
DEFAULT_LIST = "0.01, 0.05, 0.1, 0.15, 0.19, 0.21, 0.3"


def rates_param(default: str) -> params.Param:
    """A typed list of learning rates, validated by ``lab.parse_rates``."""

    def parse(text: str) -> str:
        lab.parse_rates(text)
        return text

    allowed = f"a comma-separated list of 1 to {lab.MAX_RATES} learning rates"
    return params.Param(default, parse, allowed)


SPEC = {
    f"{P}surface": params.choice("quadratic", list(surfaces.SURFACES)),
    f"{P}kappa": params.number(10.0, 1.0, 1000.0),
    f"{P}L": params.number(10.0, 0.1, 100.0),
    f"{P}optimizer": params.choice("sgd", OPTIMIZERS),
    f"{P}mode": params.choice("range", ["range", "list"]),
    f"{P}lo": params.number(0.01, lab.LR_MIN, lab.LR_MAX),
    f"{P}hi": params.number(0.5, lab.LR_MIN, lab.LR_MAX),
    f"{P}count": params.integer(10, 2, lab.MAX_RATES),
    f"{P}list": rates_param(DEFAULT_LIST),
    f"{P}steps": params.integer(500, 1, lab.MAX_STEPS),
    f"{P}tol": params.choice("1e-6", TOLERANCES),
    f"{P}view": params.choice("animated", VIEWS),
    f"{P}compare": params.choices(["sgd", "momentum", "adam"], OPTIMIZERS),
}
for _name in OPTIMIZERS:  # every hyperparameter except the swept learning rate
    SPEC.update(
        {k: v for k, v in optimizer_settings.spec(_name, P).items() if not k.endswith(".lr")}
    )


def make_surface(name: str, kappa: float, largest: float):
    """The chosen surface; the quadratic is rebuilt with the chosen curvature."""
    if name == "quadratic":
        return surfaces.quadratic(kappa, largest=largest)
    return surfaces.get(name)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_sweep(surface_key, name, hp_items, lrs, steps, tol, keep_path):
    """``lab.sweep`` for hashable arguments (cached across reruns and sessions)."""
    surface = make_surface(*surface_key)
    return lab.sweep(
        name, dict(hp_items), surface, surface.start, lrs, steps, tol=tol, keep_path=keep_path
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_paths_figure(surface_key, name, hp_items, lrs, steps, tol):
    """The animated paths figure, built once per sweep (about 1 s) instead of on every rerun.
    Shared across sessions and never mutated: ``st.plotly_chart`` only reads it."""
    result = cached_sweep(surface_key, name, hp_items, lrs, steps, tol, True)
    surface = make_surface(*surface_key)
    return sweep_figures.paths_figure(
        surface, surface.start, np.array(lrs), result.path, result.stop_step
    )


@st.cache_data(max_entries=64, show_spinner=False)
def cached_edge(surface_key, name, hp_items, bracket, steps, tol):
    surface = make_surface(*surface_key)
    return lab.refine_edge(name, dict(hp_items), surface, surface.start, bracket, steps, tol=tol)


def hp_items(name: str) -> tuple:
    """Hashable hyperparameters of ``name`` (without lr) from the session."""
    values = {**st.session_state, f"{P}{name}.lr": 0.0}
    hp = optimizer_settings.hyperparams(name, values, P)
    hp.pop("lr")
    return tuple(sorted(hp.items()))


def outcome(row) -> str:
    """A run's outcome in words."""
    if row.status == "diverged":
        return f"diverged at step {row.stop_step}"
    if row.status == "converged":
        return f"converged in {row.stop_step} steps"
    return f"still moving after {row.stop_step} steps"


st.title("Learning-rate lab")
st.caption(
    "The same optimizer from the same start with many learning rates at once. Small rates "
    "crawl, good ones converge, larger ones overshoot and zig-zag, and past the stability "
    "edge the runs blow up."
)
url_state.load(SPEC)

with st.sidebar:
    st.header("Learning-rate lab")
    st.selectbox(
        "Surface",
        list(surfaces.SURFACES),
        key=f"{P}surface",
        format_func=lambda n: surfaces.SURFACES[n].title.split(" (")[0],
    )
    if st.session_state[f"{P}surface"] == "quadratic":
        st.number_input(
            "Condition number L/μ", 1.0, 1000.0, key=f"{P}kappa", format="%.4g", step=1.0
        )
        st.number_input("Largest curvature L", 0.1, 100.0, key=f"{P}L", format="%.4g", step=1.0)
    st.selectbox("Optimizer (paths)", OPTIMIZERS, key=f"{P}optimizer", format_func=LABELS.get)
    st.radio(
        "Learning rates",
        ["range", "list"],
        key=f"{P}mode",
        format_func={"range": "log-spaced range", "list": "typed list"}.get,
        horizontal=True,
    )
    if st.session_state[f"{P}mode"] == "range":
        low, high = st.columns(2)
        low.number_input("smallest", lab.LR_MIN, lab.LR_MAX, key=f"{P}lo", format="%.4g", step=0.01)
        high.number_input("largest", lab.LR_MIN, lab.LR_MAX, key=f"{P}hi", format="%.4g", step=0.01)
        st.slider("how many", 2, lab.MAX_RATES, key=f"{P}count")
    else:
        st.text_input(
            "learning rates",
            key=f"{P}list",
            help=f"Comma-separated, up to {lab.MAX_RATES}, e.g. 0.001, 0.01, 0.1",
        )
    st.number_input("Steps", 1, lab.MAX_STEPS, key=f"{P}steps", step=50)
    st.selectbox(
        "Tolerance (gradient norm)",
        TOLERANCES,
        key=f"{P}tol",
        help="A run counts as converged once its gradient norm falls below this.",
    )
    st.multiselect(
        "Optimizers in the sweep chart", OPTIMIZERS, key=f"{P}compare", format_func=LABELS.get
    )
    shown = list(
        dict.fromkeys([st.session_state[f"{P}optimizer"], *st.session_state[f"{P}compare"]])
    )
    for name in shown:
        optimizer_controls(name, P, skip=("lr",))
url_state.save(SPEC)

settings = {k: st.session_state[k] for k in SPEC}
surface_key = (settings[f"{P}surface"], settings[f"{P}kappa"], settings[f"{P}L"])
surface = make_surface(*surface_key)
steps, tol = settings[f"{P}steps"], float(settings[f"{P}tol"])
try:
    if settings[f"{P}mode"] == "range":
        lrs = lab.log_range(settings[f"{P}lo"], settings[f"{P}hi"], settings[f"{P}count"])
    else:
        lrs = lab.parse_rates(settings[f"{P}list"])
except ValueError as error:
    messages.problem("Check the learning rates", error)
    st.stop()

name = settings[f"{P}optimizer"]
compare = settings[f"{P}compare"]
progress = st.progress(0.0, text="Running the sweep…")
jobs = 1 + 2 * len(compare)

lr_key = tuple(float(v) for v in lrs)
result = cached_sweep(surface_key, name, hp_items(name), lr_key, steps, tol, True)
table = lab.summarize(lrs, result, surface)
progress.progress(1 / jobs, text="Sweeping for the chart…")

# ---- paths ---------------------------------------------------------------------------------
st.subheader(f"{LABELS[name]} on {surface.title}: {len(lrs)} learning rates from one start")
st.caption(f"Learning rates: {lab.format_rates(lrs)}")
view = st.radio("View", VIEWS, key=f"{P}view", horizontal=True, label_visibility="collapsed")
url_state.save(SPEC)
if view == "animated":
    figure = cached_paths_figure(surface_key, name, hp_items(name), lr_key, steps, tol)
    st.plotly_chart(figure, width="stretch")
    st.caption(
        "Press ▶ Play to watch all runs step together; colour encodes the learning rate. "
        "Runs stop where they converge or leave the plotting region (diverged)."
    )
else:
    titles = [f"lr={lr:.3g}: {regime}" for lr, regime in zip(table.lr, table.regime, strict=True)]
    figure = sweep_figures.small_multiples(
        surface, surface.start, lrs, result.path, result.stop_step, titles
    )
    st.plotly_chart(figure, width="stretch")

counts = table.regime.value_counts()
cols = st.columns(4)
for col, regime in zip(cols, ["too slow", "converges", "oscillates", "diverges"], strict=True):
    col.metric(regime, int(counts.get(regime, 0)))
shown_table = pd.DataFrame(
    {
        "learning rate": table.lr.map(lambda v: f"{v:.4g}"),
        "regime": table.regime,
        "outcome": [outcome(row) for row in table.itertuples()],
        "final loss": table.final_loss,
        "direction reversals": table.reversals,
    }
)
with st.expander("Every run in numbers"):
    st.dataframe(shown_table, hide_index=True, width="stretch")
    st.caption(
        "*Oscillates*: the path turned back at least once (on the quadratic, gradient descent "
        "does so exactly when lr > 1/L). *Too slow*: still moving when the steps ran out."
    )

# ---- sweep chart ---------------------------------------------------------------------------
st.subheader("Sweep: final loss and speed against the learning rate")
if not compare:
    progress.empty()
    st.info("Pick at least one optimizer for the sweep chart in the sidebar.")
    st.stop()

dense = np.unique(np.concatenate([np.geomspace(lrs.min(), lrs.max(), DENSE), lrs]))
dense_key = tuple(float(v) for v in dense)
tables, edges, limits, rows = {}, {}, {}, []
for i, opt in enumerate(compare):
    hp = hp_items(opt)
    run = cached_sweep(surface_key, opt, hp, dense_key, steps, tol, False)
    tables[opt] = lab.summarize(dense, run, surface)
    progress.progress((2 + 2 * i) / jobs, text=f"Finding where {LABELS[opt]} diverges…")
    bracket = lab.divergence_edge(dense, run.status)
    theory = lab.stability_limit(opt, dict(hp), surface)
    measured = None
    if bracket is not None:
        measured = lab.measured_edge(cached_edge(surface_key, opt, hp, bracket, steps, tol))
        edges[opt] = measured
    if theory is not None:
        limits[f"{lab.limit_formula(opt)} ({LABELS[opt]})"] = theory
    rows.append((opt, theory, measured, bracket))
    progress.progress((3 + 2 * i) / jobs, text="Sweeping for the chart…")
progress.empty()

st.plotly_chart(sweep_figures.sweep_figure(tables, limits, edges), width="stretch")
st.caption(
    f"{len(dense)} learning rates log-spaced over the chosen range, {steps} steps each, from "
    "the same start. Shaded: learning rates where that optimizer diverged. Dashed: the "
    "theoretical stability limit; dotted: the measured edge (refined by a finer sweep)."
)

st.subheader("Stability edge: theory vs measured")
if surface.curvature is not None:
    mu, largest = surface.curvature
    st.markdown(
        f"On this quadratic the Hessian eigenvalues are μ = {mu:.4g} and **L = {largest:.4g}**: "
        "gradient descent is stable for lr < 2/L, heavy-ball momentum for lr < (2+2μ)/L "
        "(μ here is the momentum coefficient)."
    )
metric_cols = st.columns(max(len(rows), 1))
records = []
for col, (opt, theory, measured, bracket) in zip(metric_cols, rows, strict=False):
    if measured is None:
        verdict = f"no divergence up to lr = {dense.max():.4g}"
        if bracket is None and (tables[opt].status == "diverged").all():
            verdict = f"diverged already at lr = {dense.min():.4g}: try smaller rates"
        col.metric(f"{LABELS[opt]} edge (measured)", "—", verdict, delta_color="off")
    elif theory is not None:
        col.metric(
            f"{LABELS[opt]} edge: measured vs {lab.limit_formula(opt)}",
            f"{measured:.4g}",
            f"{(measured / theory - 1):+.2%} vs theory {theory:.4g}",
            delta_color="off",
        )
    else:
        col.metric(f"{LABELS[opt]} edge (measured)", f"{measured:.4g}", "no theory here")
    records.append(
        {
            "optimizer": LABELS[opt],
            "theory": f"{lab.limit_formula(opt)} = {theory:.4g}" if theory is not None else "—",
            "measured edge": f"{measured:.5g}" if measured is not None else "—",
            "difference": f"{measured / theory - 1:+.2%}"
            if theory is not None and measured is not None
            else "—",
        }
    )
st.dataframe(pd.DataFrame(records), hide_index=True)
st.caption(
    f"Measured: the boundary between the largest learning rate that did not diverge within "
    f"{steps} steps and the smallest that did, narrowed by three finer sweeps. Just above the "
    "limit the runs grow slowly, so fewer steps push the measured edge a little higher."
)
