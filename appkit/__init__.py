"""Helpers shared by the pages. ``params`` is pure (no streamlit); ``url_state`` binds it to
``st.query_params`` and ``st.session_state``."""
