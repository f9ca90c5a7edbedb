"""Typed, bounded page settings that round-trip through URL query strings.

A page declares its settings once as ``{key: Param}``. ``read`` turns raw query values (all
strings, possibly tampered with) into typed values, falling back to the default with a
human-readable warning for anything unknown, malformed or out of range; ``encode`` turns values
back into strings. Both are pure functions, so bad URLs are unit-tested without Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_QUERY_VALUE = 2000  # characters: longer values are rejected before parsing (bounded cost)


@dataclass(frozen=True)
class Param:
    """One setting: its default, a parser from str (raises ValueError when malformed), a
    description of what is allowed (shown in warnings) and an encoder back to str."""

    default: Any
    parse: Callable[[str], Any]
    allowed: str
    encode: Callable[[Any], str] = str


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def number(default: float, lo: float, hi: float) -> Param:
    """A float in [lo, hi]."""

    def parse(text: str) -> float:
        value = _finite(text)
        if not lo <= value <= hi:
            raise ValueError(text)
        return value

    return Param(default, parse, f"a number from {lo:g} to {hi:g}", lambda v: f"{v:.6g}")


def integer(default: int, lo: int, hi: int) -> Param:
    """An int in [lo, hi]."""

    def parse(text: str) -> int:
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError(text)
        return value

    return Param(default, parse, f"a whole number from {lo} to {hi}")


def choice(default: str, options: Sequence[str]) -> Param:
    """One of ``options``."""

    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(text)
        return text

    return Param(default, parse, "one of " + ", ".join(options))


def choices(
    default: Sequence[str],
    options: Sequence[str],
    min_count: int = 0,
    max_count: int | None = None,
) -> Param:
    """A comma-separated subset of ``options`` (order kept, duplicates dropped), with at least
    ``min_count`` and at most ``max_count`` items."""
    max_count = len(options) if max_count is None else max_count

    def parse(text: str) -> list[str]:
        items = list(dict.fromkeys(t for t in text.split(",") if t))
        if any(t not in options for t in items) or not min_count <= len(items) <= max_count:
            raise ValueError(text)
        return items

    allowed = f"a comma-separated list of {min_count} to {max_count} of " + ", ".join(options)
    return Param(list(default), parse, allowed, ",".join)


def flag(default: bool) -> Param:
    """A boolean written as 1/0 (true/false also accepted)."""

    def parse(text: str) -> bool:
        lowered = text.lower()
        if lowered in ("1", "true", "yes"):
            return True
        if lowered in ("0", "false", "no"):
            return False
        raise ValueError(text)

    return Param(default, parse, "1 or 0", lambda v: "1" if v else "0")


def point(default: tuple[float, float], domain) -> Param:
    """An (x, y) pair inside ``domain`` written as ``x,y``."""
    (x0, x1), (y0, y1) = domain

    def parse(text: str) -> tuple[float, float]:
        x, y = (_finite(t) for t in text.split(","))
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            raise ValueError(text)
        return (x, y)

    return Param(
        tuple(default),
        parse,
        f"x,y inside [{x0:g}, {x1:g}] x [{y0:g}, {y1:g}]",
        lambda v: f"{v[0]:.6g},{v[1]:.6g}",
    )


def read(query: Mapping[str, Any], spec: Mapping[str, Param]) -> tuple[dict, list[str]]:
    """Typed values for every key of ``spec``, and warnings for the query values it rejected.

    Warnings are plain text that quote the rejected value (shortened): show them as plain text,
    never as Markdown (``appkit.messages.plain``).

    Unknown query keys are ignored (other pages' settings may linger); a key given several
    times uses its last value.
    """
    values, warnings = {}, []
    for key, param in spec.items():
        values[key] = param.default
        if key not in query:
            continue
        raw = query[key]
        text = raw[-1] if isinstance(raw, list | tuple) else str(raw)
        try:
            if len(text) > MAX_QUERY_VALUE:
                raise ValueError(text[:20] + "…")
            values[key] = param.parse(text)
        except (ValueError, TypeError):
            shown = text if len(text) <= 40 else text[:40] + "…"
            warnings.append(
                f"Ignored {key}={shown} in the URL: expected {param.allowed}; "
                f"using the default ({param.encode(param.default)})."
            )
    return values, warnings


def encode(values: Mapping[str, Any], spec: Mapping[str, Param]) -> dict[str, str]:
    """Query strings for ``values`` (every key of ``spec``), leaving out values that would not
    read back (e.g. text a user is still correcting), so a shared link never carries them."""
    out = {}
    for key, param in spec.items():
        text = param.encode(values[key])
        try:
            param.parse(text)
        except (ValueError, TypeError):
            continue
        out[key] = text
    return out
