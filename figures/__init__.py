"""Pure figure builders (plotly only, no streamlit): each returns a ``go.Figure`` or traces."""
