"""Pure logic behind the pages (no streamlit): what each page computes and how its settings
are named, bounded and written to the URL.

- ``params``: typed, bounded settings that round-trip through URL query strings;
- ``optimizer_settings``: optimizer display names, widget bounds and URL keys;
- ``equations``: each optimizer's update rule as LaTeX;
- ``race``, ``sweep``, ``basins``, ``playground``: the optimizer race, learning-rate sweeps,
  basins of attraction and the MLP comparison (with its loss landscape);
- ``blocks``: a network's building blocks (activations, gradients through depth, the output
  gradient of MSE and cross-entropy, a cross-entropy calculator), by the MLP's own code.
"""
