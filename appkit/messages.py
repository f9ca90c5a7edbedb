"""The one place that turns errors and warnings into what a visitor reads.

Streamlit renders the body of ``st.warning``/``st.error``/``st.info`` as Markdown, and a value
from a URL or a text box could otherwise end a code span and put links, images or headings on
our page (a shared link must never put someone else's content on it). :func:`plain` turns any
text into Markdown that shows exactly that text: every ASCII punctuation mark is backslash-escaped
(CommonMark allows it for all of them), line breaks become spaces, and an invisible word joiner
(U+2060) around ``:``, ``.`` and ``@`` stops GitHub-style autolinks (``http://...``, ``www.``,
e-mail addresses), which escaping alone does not. Messages built by ``scenes``, ``optim_core``
and friends are plain text by contract; they pass through :func:`plain` whole.
"""

from __future__ import annotations

import re

import streamlit as st

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_AUTOLINK = re.compile(r"([:.@])")
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
MAX_CHARS = 400


def plain(text: object, limit: int = MAX_CHARS) -> str:
    """Markdown that displays ``text`` literally, on one line, at most ``limit`` characters."""
    text = _CONTROL.sub(" ", str(text))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub("\u2060\\1\u2060", text))


def warning(text: object) -> None:
    st.warning(plain(text), icon="⚠️")


def error(text: object) -> None:
    st.error(plain(text), icon="🚫")


def info(text: object) -> None:
    st.info(plain(text), icon="ℹ️")


def problem(prefix: str, err: Exception) -> None:
    """A ``ValueError`` (or similar) from the libraries as an error box: ``prefix`` is ours, the
    exception's text may quote user input, so all of it is shown as plain text."""
    error(f"{prefix}: {err}" if prefix else err)
