"""Streamlit entry point of the optimizer playground: ``streamlit run app.py``.

The page scripts are in ``pages/`` (Streamlit's classic multipage layout); each is a thin script
over the pure packages ``optim_core``, ``surfaces``, ``mlp``, ``scenes`` and ``figures``.
``appkit.navigation`` explains how deep links reach the pages.
"""

import os

# Set before NumPy is first imported (the pages import it): OpenBLAS spreading the MLP
# playground's small matrix products over threads made training 2-3x slower on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from appkit.navigation import run_app  # noqa: E402

run_app()
