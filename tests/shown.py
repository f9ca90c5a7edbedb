"""What a visitor reads in an AppTest message element.

The app shows messages as plain text: ``appkit.messages.plain`` backslash-escapes Markdown and
puts invisible word joiners around ``:``, ``.`` and ``@``. These helpers undo exactly that, so
tests can look for the words a person sees.
"""

import re


def shown(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def texts(elements) -> str:
    """Everything the elements (``at.warning``, ``at.error``, ...) say, as read on the page."""
    return " ".join(shown(e.value) for e in elements)
