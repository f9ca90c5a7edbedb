"""Minima lab: basins of attraction on a grid of starts, and many random starts animated."""

import pandas as pd
import streamlit as st

import optim_core
import surfaces
from appkit import messages, navigation, url_state
from appkit.widgets import optimizer_controls
from figures.basins import basin_maps, multistart_figure
from scenes import basins, params
from scenes.optimizer_settings import LABELS, hyperparams
from scenes.optimizer_settings import spec as optimizer_spec

navigation.page_setup("minima_lab")

P = "basin."
MAX_OPTIMIZERS = 4
MAX_STEPS = 1000
# Lecture surfaces first: `wells` (one deep well, three shallow traps), then Himmelblau.
SURFACE_NAMES = ["wells", "himmelblau"] + [
    n for n in surfaces.SURFACES if n not in ("wells", "himmelblau")
]
DEFAULT_OPTIMIZERS = ["sgd", "momentum", "adam"]
PRESETS = {
    "Wells: SGD vs momentum vs Adam": "wells",
    "Himmelblau: four equal minima": "himmelblau",
}


SURFACE_SPEC = {f"{P}surface": params.choice("wells", SURFACE_NAMES)}
GENERAL_SPEC = {
    **SURFACE_SPEC,
    f"{P}optimizers": params.choices(
        DEFAULT_OPTIMIZERS, list(optim_core.OPTIMIZERS), min_count=1, max_count=MAX_OPTIMIZERS
    ),
    f"{P}grid": params.integer(100, 20, basins.MAX_GRID),
    f"{P}steps": params.integer(300, 1, MAX_STEPS),
    f"{P}starts": params.integer(50, 1, basins.MAX_STARTS),
    f"{P}seed": params.integer(0, 0, 1_000_000),
}


def optimizer_specs(surface) -> dict:
    """Hyperparameter settings of every optimizer, learning rates suggested for ``surface``."""
    out = {}
    for name in optim_core.OPTIMIZERS:
        lr = basins.suggested_lr(surface, name)
        out.update(optimizer_spec(name, P, {"lr": lr}))
    return out


def use_surface_lrs() -> None:
    """On a change of surface, switch every learning rate to the one suggested for it."""
    surface = surfaces.get(st.session_state[f"{P}surface"])
    for name in optim_core.OPTIMIZERS:
        st.session_state[f"{P}{name}.lr"] = basins.suggested_lr(surface, name)


def apply_preset(surface_name: str) -> None:
    st.session_state[f"{P}surface"] = surface_name
    st.session_state[f"{P}optimizers"] = list(DEFAULT_OPTIMIZERS)
    use_surface_lrs()


@st.cache_data(show_spinner=False, max_entries=64)
def basin_codes(surface_name: str, name: str, hp: dict, n: int, steps: int) -> basins.Basins:
    """Outcome codes (n, n) of one optimizer from every start of an n x n grid, and the
    unlisted minima they reached."""
    optimizer = optim_core.make(name, **hp)
    return basins.basin_map(optimizer, surfaces.get(surface_name), n, steps)


@st.cache_data(show_spinner=False, max_entries=32)
def multistart_paths(surface_name: str, name: str, hp: dict, k: int, seed: int, steps: int):
    """Paths (k, steps + 1, 2) and outcomes (``basins.Basins``, codes (k,)) from k seeded
    random starts."""
    surface = surfaces.get(surface_name)
    starts = basins.random_starts(surface.domain, k, seed)
    result = optim_core.run(optim_core.make(name, **hp), surface, starts, steps)
    return result.path, basins.classify(surface, result)


@st.cache_resource(show_spinner=False, max_entries=16)
def cached_multistart_figure(surface_name: str, optimizers: dict, k: int, seed: int, steps: int):
    """The multi-start animation, built once per setting instead of on every rerun. Shared
    across sessions and never mutated: ``st.plotly_chart`` only reads it."""
    paths = {
        name: multistart_paths(surface_name, name, hp, k, seed, steps)[0]
        for name, hp in optimizers.items()
    }
    return multistart_figure(surfaces.get(surface_name), paths)


def share_table(surface, outcomes: dict[str, basins.Basins]) -> pd.DataFrame:
    """Percent of starts per outcome, one row per optimizer; the unlisted minima found by
    polishing share one column (Rastrigin has about a hundred)."""
    codes, found = basins.combine(surface, list(outcomes.values()))
    cats = basins.categories(surface, found)
    m = len(surface.minima)
    rows = {}
    for label, c in zip(outcomes, codes, strict=True):
        share = 100 * basins.shares(surface, c, found)
        row = {"reach a global minimum": 100 * basins.global_share(surface, c)}
        row.update({cat.label: s for cat, s in zip(cats[:m], share[:m], strict=True)})
        if len(found):
            row["unlisted local minima"] = share[m + 3 :].sum()
        row.update({cat.label: s for cat, s in zip(cats[m : m + 3], share[m : m + 3], strict=True)})
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def show_table(table: pd.DataFrame) -> None:
    st.dataframe(
        table,
        column_config={c: st.column_config.NumberColumn(c, format="%.1f %%") for c in table},
    )


st.title("Minima lab")
st.markdown(
    "Which minimum an optimizer finds depends on **where it starts** and **how it moves**. "
    "Every pixel of a basin map is one start: its colour says where that optimizer ended "
    "(warm colours: global minima, cool colours: local minima). Momentum and Adam can roll over "
    "the rim of a shallow well that traps plain gradient descent."
)

url_state.load(SURFACE_SPEC)
surface = surfaces.get(st.session_state[f"{P}surface"])
spec = {**GENERAL_SPEC, **optimizer_specs(surface)}
url_state.load(spec)

preset_columns = st.columns(len(PRESETS))
for column, (label, surface_name) in zip(preset_columns, PRESETS.items(), strict=False):
    column.button(label, on_click=apply_preset, args=(surface_name,), width="stretch")

c1, c2, c3, c4 = st.columns([2, 3, 2, 2])
c1.selectbox(
    "Surface",
    SURFACE_NAMES,
    key=f"{P}surface",
    format_func=lambda n: surfaces.get(n).title,
    on_change=use_surface_lrs,
)
c2.multiselect(
    "Optimizers (up to 4)",
    list(optim_core.OPTIMIZERS),
    key=f"{P}optimizers",
    format_func=LABELS.get,
    max_selections=MAX_OPTIMIZERS,
)
c3.slider(
    "Grid of starts (per side)",
    20,
    basins.MAX_GRID,
    step=10,
    key=f"{P}grid",
    help=f"n x n start points over the domain; at most {basins.MAX_GRID} x {basins.MAX_GRID}.",
)
c4.number_input(
    "Steps per run",
    min_value=1,
    max_value=MAX_STEPS,
    step=50,
    key=f"{P}steps",
    help=f"At most {MAX_STEPS}. Runs stop early once the gradient norm is below 1e-6.",
)
st.caption(f"**{surface.title}.** {surface.description}")

selected = st.session_state[f"{P}optimizers"]
if not selected:
    st.info("Pick at least one optimizer to draw its basins.")
    st.stop()
columns = st.columns(len(selected))
for column, name in zip(columns, selected, strict=True):
    with column:
        optimizer_controls(name, P)

url_state.save({**GENERAL_SPEC, **{k: v for k, v in spec.items() if k.split(".")[1] in selected}})

values = {key: st.session_state[key] for key in spec}
optimizers = {}
for name in selected:
    hp = hyperparams(name, values, P)
    try:
        optim_core.make(name, **hp)
    except ValueError as error:
        messages.problem(LABELS[name], error)
        st.stop()
    optimizers[name] = hp

n, steps = st.session_state[f"{P}grid"], st.session_state[f"{P}steps"]
basin_tab, multistart_tab = st.tabs(["Basins of attraction", "Multi-start"])

with basin_tab:
    progress = st.progress(0.0)
    codes = {}
    for i, (name, hp) in enumerate(optimizers.items()):
        progress.progress(
            i / len(optimizers),
            text=f"Basin map {i + 1}/{len(optimizers)}: {LABELS[name]} from {n} x {n} starts…",
        )
        codes[name] = basin_codes(surface.name, name, hp, n, steps)
    progress.empty()
    xs, ys, _ = basins.grid_starts(surface.domain, n)
    shared, found = basins.combine(surface, list(codes.values()))
    titles = {
        f"{LABELS[name]} (lr {hp['lr']:g}): {basins.global_share(surface, c):.0%} global": c
        for (name, hp), c in zip(optimizers.items(), shared, strict=True)
    }
    st.plotly_chart(basin_maps(surface, xs, ys, titles, found), width="stretch")
    st.markdown(f"**Where the {n * n:,} starts end** (percent of starts, after {steps} steps)")
    show_table(share_table(surface, {LABELS[k]: v for k, v in codes.items()}))
    with st.expander("How the outcome is decided"):
        st.markdown(
            f"Each start runs for up to {steps} steps with the settings above. A run counts for "
            f"a minimum when it ends within {surface.near_radius:.3g} of it (a quarter of the "
            "smallest gap between listed minima, at most 5% of the plot's shorter side; the "
            "race summary uses the same rule). An end point far from every listed minimum is "
            "polished with a few Newton steps: if that lands on a minimum within the same "
            "distance, the run counts for that **unlisted local minimum** (hover a pixel to see "
            "which). **Other**: it stopped (gradient norm below 1e-6) where there is no "
            "minimum, such as a saddle. **Not converged**: still moving far from any minimum "
            "at the last step. **Diverged**: it blew up or flew far outside the plot."
        )

with multistart_tab:
    m1, m2 = st.columns(2)
    m1.slider("Random starts", 1, basins.MAX_STARTS, key=f"{P}starts")
    m2.number_input("Seed", min_value=0, max_value=1_000_000, key=f"{P}seed")
    k, seed = st.session_state[f"{P}starts"], st.session_state[f"{P}seed"]
    ends = {
        LABELS[name]: multistart_paths(surface.name, name, hp, k, seed, steps)[1]
        for name, hp in optimizers.items()
    }
    st.caption(
        f"The same {k} random starts for every optimizer. Press ▶ Play and watch some runs "
        "settle in a shallow well while others find the global minimum."
    )
    figure = cached_multistart_figure(surface.name, optimizers, k, seed, steps)
    st.plotly_chart(figure, width="stretch")
    st.markdown(f"**Where the {k} random starts end** (percent)")
    show_table(share_table(surface, ends))
