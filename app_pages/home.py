"""Home page: what the tool is, and a link to every page."""

import streamlit as st

from app_pages import PAGES

st.title("Optimizer playground")
st.markdown(
    "See how gradient-descent optimizers **move on loss surfaces**. Every path you see is "
    "computed with the update equations of PyTorch's `torch.optim` (SGD, momentum, Nesterov, "
    "Adagrad, RMSProp, Adam, AdamW, Adadelta), on classic test functions with known minima."
)

for path, title, icon, summary in PAGES[1:]:
    st.page_link(path, label=f"**{title}** — {summary}", icon=icon)

st.subheader("Use it as a library")
st.markdown("The optimizer core and the surfaces are plain NumPy; use them in a notebook:")
st.code(
    """import optim_core, surfaces

beale = surfaces.get("beale")
result = optim_core.run(optim_core.make("adam", lr=0.1), beale, beale.start, steps=500)
print(result.status, result.stop_step, result.final)""",
    language="python",
)
