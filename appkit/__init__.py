"""The Streamlit glue shared by the pages: navigation and page set-up, URL state, widgets.

The only package besides ``app.py`` and ``pages/`` that imports streamlit; the pure logic it
wires up lives in ``scenes`` (page logic) and ``figures`` (plotly builders).
"""
