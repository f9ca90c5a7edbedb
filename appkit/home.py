"""Home page: a picture of every page, a suggested 50-minute lesson, and the library."""

import streamlit as st

from appkit import compute, navigation
from appkit.navigation import APP_TITLE, BY_KEY, PAGES, home_setup
from scenes import home


def render() -> None:
    home_setup()
    st.title(APP_TITLE)
    st.markdown(
        "See how optimizers **move on loss surfaces**: gradient descent, momentum, Adam and "
        "friends exactly as `torch.optim` steps them, next to Newton's method and BFGS, on "
        "classic test functions, on surfaces you type, and on the loss of real data."
    )
    pictures = compute.run_or_stop(
        "home.thumbnails", home.thumbnails, label="Drawing the pages…", slot="home"
    )
    columns = st.columns(3)
    for i, page in enumerate(PAGES):
        with columns[i % 3], st.container(border=True):
            if page.key in pictures:
                st.image(pictures[page.key], width="stretch")
            st.page_link(page.path, label=f"**{page.title}**", icon=page.icon)
            st.caption(page.summary)

    st.subheader("A 50-minute lesson, scene by scene")
    st.caption(
        "Each link opens a prepared scene with its settings in the URL: press ▶ Play, then "
        "change one thing. Presentation mode (sidebar) enlarges everything for a projector."
    )
    for number, step in enumerate(home.LESSON, start=1):
        page = BY_KEY[step.page]
        st.page_link(
            page.path,
            label=f"{number}. **{step.title}** ({step.minutes} min)",
            icon=page.icon,
            query_params=_with_presentation(step.query),
        )
        st.caption(step.watch)

    st.subheader("Use it as a library")
    st.markdown("The optimizer core and the surfaces are plain NumPy; use them in a notebook:")
    st.code(
        """import optim_core, surfaces

beale = surfaces.get("beale")
result = optim_core.run(optim_core.make("adam", lr=0.1), beale, beale.start, steps=500)
print(result.status, result.stop_step, result.final)""",
        language="python",
    )


def _with_presentation(query: dict) -> dict:
    """A lesson link keeps presentation mode on when it is on."""
    return {**query, "present": "1"} if navigation.presenting() else dict(query)
