"""Bind page settings to ``st.query_params`` so every scene can be bookmarked and shared.

Usage in a page::

    warnings = url_state.load(SPEC)        # before the widgets: fills st.session_state[key]
    for w in warnings: st.warning(w)
    st.slider("Steps", 1, 5000, key="steps")  # widgets use the keys of SPEC, no value=
    url_state.save(SPEC)                   # after the widgets: the URL mirrors the settings
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from scenes.params import Param, encode, read


def load(spec: Mapping[str, Param]) -> list[str]:
    """Give every setting not yet in the session its value from the URL (or its default).

    Returns warnings for rejected URL values. Widget state that already exists wins, so the
    URL only seeds a fresh session or a page the user navigated back to.
    """
    values, warnings = read(st.query_params.to_dict(), spec)
    for key, value in values.items():
        if key not in st.session_state:
            st.session_state[key] = value
    return warnings


def save(spec: Mapping[str, Param]) -> None:
    """Write the current settings to the URL (only when they changed, to avoid churn)."""
    wanted = encode({k: st.session_state[k] for k in spec}, spec)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
