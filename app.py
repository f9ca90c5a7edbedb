"""Streamlit entry point: navigation between the pages of the optimizer playground.

Run with ``streamlit run app.py``. Each page is a thin script in ``app_pages/`` over the pure
libraries ``optim_core``, ``surfaces``, ``mlp`` and ``figures``.
"""

import os

# Set before NumPy is first imported (the pages import it): OpenBLAS spreading the MLP
# playground's small matrix products over threads made training 2-3x slower on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import streamlit as st  # noqa: E402

from app_pages import PAGES  # noqa: E402

st.set_page_config(page_title="Optimizer playground", page_icon="⛰️", layout="wide")
st.navigation(
    [
        st.Page(path, title=title, icon=icon, default=(i == 0))
        for i, (path, title, icon, _) in enumerate(PAGES)
    ]
).run()
