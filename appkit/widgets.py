"""Streamlit widgets shared by the pages: optimizer hyperparameters (keyed like
``scenes.optimizer_settings``) and the text boxes of a typed surface."""

from __future__ import annotations

import streamlit as st

from scenes.optimizer_settings import CHOICES, INTEGERS, LABELS, SHOWN, bounds
from surfaces.formula import MAX_LENGTH


def formula_inputs(prefix: str, on_change) -> None:
    """The text boxes of a typed surface: ``{prefix}formula`` and ``{prefix}domain`` (the URL
    keys every page that takes a formula shares), calling ``on_change`` when either changes."""
    st.text_input(
        "f(x, y) =",
        key=f"{prefix}formula",
        on_change=on_change,
        max_chars=MAX_LENGTH,  # longer text is refused anyway
        help="Numbers, x and y, + - * / ^ (power), parentheses, pi, e and the functions "
        "sin cos tan exp log sqrt abs tanh sinh cosh arctan arcsin arccos.",
    )
    st.text_input(
        "Domain x0, x1, y0, y1", key=f"{prefix}domain", on_change=on_change, max_chars=100
    )


def optimizer_controls(
    name: str, prefix: str = "", expanded: bool = False, skip: tuple[str, ...] = ()
) -> None:
    """One expander with the optimizer's hyperparameters (minus ``skip``, e.g. a swept
    ``"lr"``). Values live in ``st.session_state`` under the keys of
    ``optimizer_settings.spec`` (seed them first with ``url_state.load``)."""
    with st.expander(f"{LABELS[name]} settings", expanded=expanded):
        for hp in SHOWN[name]:
            if hp in skip:
                continue
            key = f"{prefix}{name}.{hp}"
            if hp in CHOICES:
                label, options = CHOICES[hp]
                st.selectbox(label, list(options), key=key, format_func=_choice_label)
                continue
            lo, hi, label = bounds(name, hp)
            if lo is None:
                st.checkbox(label, key=key)
            elif hp in INTEGERS:
                st.number_input(label, min_value=lo, max_value=hi, key=key, step=1)
            else:
                st.number_input(
                    label, min_value=lo, max_value=hi, key=key, format="%.6g", step=_step(hp)
                )


def _choice_label(text: str) -> str:
    return {
        "strong_wolfe": "strong Wolfe",
        "armijo": "backtracking (Armijo)",
        "none": "none (fixed step lr)",
        "pr+": "Polak–Ribière+",
        "fr": "Fletcher–Reeves",
    }.get(text, text)


def _step(hp: str) -> float:
    return {"lr": 1e-3, "eps": 1e-8}.get(hp, 0.01)
