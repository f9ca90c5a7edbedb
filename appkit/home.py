"""Home page: what the tool is, and a link to every page."""

import streamlit as st

from appkit.navigation import APP_TITLE, PAGES, home_setup


def render() -> None:
    home_setup()
    st.title(APP_TITLE)
    st.markdown(
        "See how gradient-descent optimizers **move on loss surfaces**. Every path you see is "
        "computed with the update equations of PyTorch's `torch.optim` (SGD, momentum, Nesterov, "
        "Adagrad, RMSProp, Adam, AdamW, Adadelta), on classic test functions with known minima."
    )
    for page in PAGES:
        st.page_link(page.path, label=f"**{page.title}** — {page.summary}", icon=page.icon)

    st.subheader("Use it as a library")
    st.markdown("The optimizer core and the surfaces are plain NumPy; use them in a notebook:")
    st.code(
        """import optim_core, surfaces

beale = surfaces.get("beale")
result = optim_core.run(optim_core.make("adam", lr=0.1), beale, beale.start, steps=500)
print(result.status, result.stop_step, result.final)""",
        language="python",
    )
