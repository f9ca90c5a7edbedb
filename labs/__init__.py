"""Pure logic behind the lab pages (no streamlit): learning-rate sweeps and basins."""
