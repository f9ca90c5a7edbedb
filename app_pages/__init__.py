"""The app's pages: (file, title, icon, one-line summary), in navigation order."""

PAGES = [
    ("app_pages/home.py", "Home", "🏠", "What this tool is and where to start."),
    (
        "app_pages/race.py",
        "Optimizer race",
        "🏁",
        "Watch optimizers race across a loss surface from the same start.",
    ),
    (
        "app_pages/lr_lab.py",
        "Learning-rate lab",
        "🎚️",
        "Sweep the learning rate: too slow, just right, oscillating, diverging.",
    ),
    (
        "app_pages/minima_lab.py",
        "Minima lab",
        "🕳️",
        "Basins of attraction: which minimum does each start fall into?",
    ),
    (
        "app_pages/mlp_playground.py",
        "MLP playground",
        "🧠",
        "Train small networks on toy 2D data with any optimizer, side by side.",
    ),
]
