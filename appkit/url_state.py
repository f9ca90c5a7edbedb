"""Bind page settings to ``st.query_params`` so every scene can be bookmarked and shared.

Usage in a page::

    messages_for_url = url_state.load(SPEC)  # before the widgets: seeds st.session_state
    st.slider("Steps", 1, 5000, key="steps")  # widgets use the keys of SPEC, no value=
    url_state.save(SPEC)                      # after the widgets: the URL mirrors the settings

The URL only seeds settings a session does not have yet. Once a setting lives in the session,
the session is the truth and the URL follows it, so the page never warns about a value it wrote
itself (a start point that was valid for the previous surface) or one the user has since fixed.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from appkit import messages
from scenes.params import Param, encode, flag, read

# Session key of the URL values a page rejected: setting key -> (warning, value used instead).
_REJECTED = "_url_rejected"


def load(spec: Mapping[str, Param]) -> None:
    """Give every setting not yet in the session its value from the URL (or its default), and
    show a warning (as plain text) for each URL value that was rejected.

    A warning stays on the page through the reruns that follow without the user (the window
    size reaching the server, a finished computation) and goes for good once the user changes
    that setting: it never outlives the value it is about."""
    rejected = st.session_state.setdefault(_REJECTED, {})
    query = st.query_params.to_dict()
    for key, param in spec.items():
        if key in st.session_state:
            continue
        values, warnings = read(query, {key: param})
        st.session_state[key] = values[key]
        if warnings:
            rejected[key] = (warnings[0], values[key])
    shown = []
    for key in [k for k in rejected if k in spec]:
        text, used = rejected[key]
        if _same(st.session_state.get(key), used):
            shown.append(text)
        else:
            del rejected[key]
    for text in dict.fromkeys(shown):
        messages.warning(text)


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # e.g. arrays: compare by value
        return False


# Keys every page keeps in its URL besides its own settings (presentation mode).
APP_SPEC = {"present": flag(False)}  # appkit.navigation.PRESENT


def save(spec: Mapping[str, Param]) -> None:
    """Write the current settings to the URL (only when they changed, to avoid churn). App-wide
    flags that are on (``present=1``) stay in the URL too; off, they are left out."""
    spec = {**spec, **{k: p for k, p in APP_SPEC.items() if st.session_state.get(k)}}
    wanted = encode({k: st.session_state[k] for k in spec}, spec)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
