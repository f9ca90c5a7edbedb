"""Streamlit entry point: navigation between the pages of the optimizer playground.

Run with ``streamlit run app.py``. Each page is a thin script in ``pages/`` over the pure
libraries ``optim_core``, ``surfaces``, ``mlp`` and ``figures``.
"""

import streamlit as st

from pages import PAGES

st.set_page_config(page_title="Optimizer playground", page_icon="⛰️", layout="wide")
st.navigation(
    [
        st.Page(path, title=title, icon=icon, default=(i == 0))
        for i, (path, title, icon, _) in enumerate(PAGES)
    ]
).run()
