"""The app's pages: (file, title, icon, one-line summary), in navigation order."""

PAGES = [
    ("pages/home.py", "Home", "🏠", "What this tool is and where to start."),
]
