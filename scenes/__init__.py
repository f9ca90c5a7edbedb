"""Pure logic behind the pages (no streamlit): what each page computes and how its settings
are named, bounded and written to the URL.

- ``params``: typed, bounded settings that round-trip through URL query strings;
- ``optimizer_settings``: optimizer display names, widget bounds and URL keys;
- ``equations``: each optimizer's update rule as LaTeX;
- ``race``, ``sweep``, ``basins``, ``playground``: the optimizer race, learning-rate sweeps,
  basins of attraction and the MLP comparison.
"""
