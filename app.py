"""Streamlit entry point of the optimizer playground: ``streamlit run app.py``.

The page scripts are in ``pages/`` (Streamlit's classic multipage layout); each is a thin script
over the pure packages ``optim_core``, ``surfaces``, ``mlp``, ``scenes`` and ``figures``.
``appkit.navigation`` explains how deep links reach the pages.
"""

from appkit.navigation import run_app  # noqa: E402

run_app()
