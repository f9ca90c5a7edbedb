"""Pillow drawing for the GIF and PNG exports of ``figures.gif``: fonts, a plot box that maps
data to pixels (with axes and ticks), the surface as banded pixels, marker sprites, growing
anti-aliased paths, and GIF encoding on one shared palette.

Pure Pillow and NumPy: plotly's static export needs kaleido, which is not installed. Every
length is given for a 960 x 720 slide and scaled with the picture (``Style``).
"""

from __future__ import annotations

import functools
import io
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont
from plotly.colors import unlabel_rgb

from figures.surface import band_colours, banded_rgb, display_scale

SLIDE = (960, 720)
MIN_FONT = 9  # px: smaller text is unreadable even on a thumbnail
TEXT = (33, 33, 33)
MUTED = (85, 85, 85)
AXIS = (60, 60, 60)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
RGB = tuple[int, int, int]


def rgb(colour: str | Sequence[float]) -> RGB:
    """A colour as an (r, g, b) tuple of ints: '#rrggbb', 'rgb(r, g, b)' (plotly's, possibly
    with fractions) or a sequence of three numbers."""
    if isinstance(colour, str):
        if colour.startswith("rgb"):
            return tuple(round(c) for c in unlabel_rgb(colour))
        return ImageColor.getrgb(colour)[:3]
    return tuple(int(round(c)) for c in colour[:3])


def mix(colour: RGB, other: RGB, weight: float) -> RGB:
    """``colour`` moved ``weight`` (0 to 1) of the way towards ``other``."""
    return tuple(round(a + weight * (b - a)) for a, b in zip(colour, other, strict=True))


# ----------------------------------------------------------------------------------------------
# Text


@functools.lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font (Aileron) at ``size`` pixels, the same on every machine (no system
    fonts needed); Pillow's small bitmap font where Pillow was built without FreeType."""
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError):
        return ImageFont.load_default()


@functools.lru_cache(maxsize=4096)
def _has_glyph(f, char: str) -> bool:
    """Whether ``f`` draws ``char`` itself, not its box for missing characters."""
    if not isinstance(f, ImageFont.FreeTypeFont):
        return char.isascii()
    missing = f.getmask("\U0010fffd")
    mask = f.getmask(char)
    return mask.size != missing.size or bytes(mask) != bytes(missing)


SUBSTITUTES = {"−": "-", "–": "-", "—": "-", "×": "x", "μ": "mu", "·": "-", "…": "..."}


def drawable(text: str, f) -> str:
    """``text`` with each character the font lacks replaced by a plain one: its compatibility
    decomposition without accents (é -> e, ² -> 2, ₁ -> 1), a few signs (− -> -), else "?".
    (The bundled font covers ASCII and little more.)"""
    out = []
    for char in text:
        if _has_glyph(f, char):
            out.append(char)
            continue
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if plain and all(_has_glyph(f, c) for c in plain):
            out.append(plain)
        else:
            out.append(SUBSTITUTES.get(char, "?"))
    return "".join(out)


def text_width(text: str, f) -> float:
    return f.getlength(drawable(text, f))


@functools.lru_cache(maxsize=64)
def _line_box(f) -> tuple[float, float]:
    """Top and bottom of "Hg": where a line of text of font ``f`` sits, whatever its letters."""
    _, top, _, bottom = f.getbbox("Hg")
    return top, bottom


@functools.lru_cache(maxsize=4096)
def _text_mask(f, text: str) -> tuple[Image.Image, int, int]:
    """``text`` rendered once as a mask, with the offset of its box from the drawing origin:
    legends and titles repeat on every frame."""
    left, top, right, bottom = f.getbbox(text)
    mask = Image.new("L", (max(1, math.ceil(right - left)), max(1, math.ceil(bottom - top))))
    ImageDraw.Draw(mask).text((-left, -top), text, font=f, fill=255)
    return mask, left, top


def put_text(image: Image.Image, xy, text: str, f, fill: RGB = TEXT, anchor: str = "lt") -> None:
    """Draw ``text`` on ``image`` with ``anchor`` ('l'/'m'/'r' then 't'/'m'/'b') at ``xy``.
    Vertical placement uses the font's "Hg" box, so a label does not jump with its letters."""
    mask, left, top = _text_mask(f, drawable(text, f))
    line_top, line_bottom = _line_box(f)
    x = xy[0] - {"l": 0, "m": mask.width / 2, "r": mask.width}[anchor[0]]
    y = xy[1] - {"t": line_top, "m": (line_top + line_bottom) / 2, "b": line_bottom}[anchor[1]]
    image.paste(fill, (round(x), round(y + top)), mask)


@dataclass(frozen=True)
class Style:
    """Lengths and fonts for a picture of ``size``: those of a 960 x 720 slide, scaled."""

    size: tuple[int, int]

    @property
    def scale(self) -> float:
        return min(self.size[0] / SLIDE[0], self.size[1] / SLIDE[1])

    def px(self, length: float) -> int:
        return max(1, round(length * self.scale))

    def font(self, size: float):
        return font(max(MIN_FONT, round(size * self.scale)))


def check_size(size) -> tuple[int, int]:
    """``size`` as (width, height), each from 160 to 3840 pixels, else ValueError."""
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (width, height) in pixels, got {size!r}") from None
    if not (160 <= width <= 3840 and 160 <= height <= 3840):
        raise ValueError(f"size must be from 160 to 3840 pixels per side, got {size!r}")
    return width, height


# ----------------------------------------------------------------------------------------------
# The plot box


@dataclass(frozen=True)
class Plot:
    """Data ``domain`` ((x0, x1), (y0, y1)) drawn in the pixel box ``left, top, width, height``
    (y rising upwards)."""

    domain: tuple
    left: int
    top: int
    width: int
    height: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.left, self.top, self.left + self.width, self.top + self.height

    def pixels(self, points) -> np.ndarray:
        """Image pixel coordinates (..., 2) of data points (..., 2); pixel (i, j) spans
        [i, i + 1) x [j, j + 1)."""
        (x0, x1), (y0, y1) = self.domain
        p = np.asarray(points, dtype=float)
        with np.errstate(all="ignore"):
            px = self.left + (p[..., 0] - x0) / (x1 - x0) * self.width
            py = self.top + (y1 - p[..., 1]) / (y1 - y0) * self.height
        return np.stack([px, py], axis=-1)

    def inside(self, pixel) -> bool:
        x, y = pixel
        return bool(
            self.left <= x <= self.left + self.width and self.top <= y <= self.top + self.height
        )


def fit(domain, area: tuple[int, int, int, int]) -> Plot:
    """The largest box of the domain's aspect ratio (equal scales on x and y) centred in
    ``area`` = (left, top, right, bottom)."""
    (x0, x1), (y0, y1) = domain
    left, top, right, bottom = area
    scale = min((right - left) / (x1 - x0), (bottom - top) / (y1 - y0))
    width, height = round((x1 - x0) * scale), round((y1 - y0) * scale)
    return Plot(
        tuple(map(tuple, domain)),
        left + (right - left - width) // 2,
        top + (bottom - top - height) // 2,
        width,
        height,
    )


def nice_ticks(lo: float, hi: float, count: int = 5) -> tuple[np.ndarray, float]:
    """Round tick values in [lo, hi] spaced 1, 2, 2.5 or 5 times a power of ten, about
    ``count`` of them, and the spacing."""
    raw = (hi - lo) / max(count, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return np.arange(first, last + 1) * step, step


def tick_text(value: float, step: float) -> str:
    """``value`` with just the decimals the tick ``step`` needs (2.5 needs one more)."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if not math.isclose(step / 10 ** math.floor(math.log10(step) + 1e-9) % 1, 0, abs_tol=1e-6):
        decimals += 1
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text


def draw_axes(
    image: Image.Image,
    plot: Plot,
    style: Style,
    labels: tuple[str, str] | None = ("x", "y"),
    y_ticks: bool = True,
) -> None:
    """Frame, ticks with their values (20 px on a slide) and axis titles (unless ``labels``
    is None) around ``plot``; y ticks only with ``y_ticks``."""
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = plot.box
    width, tick = style.px(2), style.px(7)
    f = style.font(20)
    (x0, x1), (y0, y1) = plot.domain
    xs, xstep = nice_ticks(x0, x1, max(3, round(plot.width / style.px(110))))
    for v in xs:
        px = plot.pixels([v, y0])[0]
        draw.line([(px, bottom), (px, bottom + tick)], fill=AXIS, width=width)
        put_text(image, (px, bottom + tick + style.px(3)), tick_text(v, xstep), f, TEXT, "mt")
    if y_ticks:
        ys, ystep = nice_ticks(y0, y1, max(3, round(plot.height / style.px(90))))
        for v in ys:
            py = plot.pixels([x0, v])[1]
            draw.line([(left - tick, py), (left, py)], fill=AXIS, width=width)
            put_text(image, (left - tick - style.px(4), py), tick_text(v, ystep), f, TEXT, "rm")
    draw.rectangle([left - 1, top - 1, right, bottom], outline=AXIS, width=width)
    if labels is None:
        return
    title = style.font(21)
    put_text(
        image, ((left + right) / 2, bottom + tick + style.px(28)), labels[0], title, TEXT, "mt"
    )
    if y_ticks:
        put_text(image, (left - style.px(62), (top + bottom) / 2), labels[1], title, TEXT, "rm")


# ----------------------------------------------------------------------------------------------
# The surface


def surface_rgb(surface, width: int, height: int, colorscale, levels: int = 30) -> np.ndarray:
    """The surface as filled contours (``figures.surface.banded_rgb``) of ``width`` x ``height``
    pixels, top row at the domain's top; log levels where ``surface.log_scale``.

    Sampled at the centres of a grid of at most 240 columns and smoothly resized: the band
    edges stay sharp and the cost stays bounded for expensive surfaces.
    """
    (x0, x1), (y0, y1) = surface.domain
    cols = min(width, 240)
    rows = max(2, min(height, round(cols * height / width)))
    xs = x0 + (np.arange(cols) + 0.5) / cols * (x1 - x0)
    ys = y1 - (np.arange(rows) + 0.5) / rows * (y1 - y0)
    with np.errstate(all="ignore"):
        Z = surface.value(np.stack(np.meshgrid(xs, ys), axis=-1))
        z, _ = display_scale(surface, Z)
    finite = np.isfinite(z)
    z = np.where(finite, z, np.max(z[finite]) if finite.any() else 0.0).astype(np.float32)
    fine = np.asarray(Image.fromarray(z, "F").resize((width, height), Image.Resampling.BILINEAR))
    return banded_rgb(fine, levels, colorscale)


def band_palette(colorscale, levels: int = 30) -> list[RGB]:
    """Every colour ``banded_rgb`` uses: the bands and their darkened edges."""
    bands = band_colours(levels, colorscale)
    return [tuple(map(int, c)) for c in (*bands, *(0.85 * bands).astype(np.uint8))]


# ----------------------------------------------------------------------------------------------
# Sprites: markers and heads, drawn 4x larger and reduced (anti-aliased)


@functools.lru_cache(maxsize=256)
def sprite(shape: str, colour: RGB, diameter: int, edge: int) -> Image.Image:
    """An RGBA marker ``diameter`` pixels across with a black edge ``edge`` wide: "circle",
    "ring" (the colour as a thick outline, hollow), "star", "diamond" or "x"."""
    k = 4
    n = (diameter + 2 * edge + 2) * k
    c, r = n / 2, diameter * k / 2
    im = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    fill, line = (*colour, 255), (0, 0, 0, 255)
    if shape == "circle":
        d.ellipse([c - r, c - r, c + r, c + r], fill=fill, outline=line, width=edge * k)
    elif shape == "ring":
        d.ellipse([c - r, c - r, c + r, c + r], fill=line)
        inner = r - edge * k
        d.ellipse([c - inner, c - inner, c + inner, c + inner], fill=fill)
        hole = inner - max(2, diameter // 6) * k
        d.ellipse([c - hole, c - hole, c + hole, c + hole], fill=line)
        hole -= edge * k
        d.ellipse([c - hole, c - hole, c + hole, c + hole], fill=(255, 255, 255, 255))
    elif shape == "star":
        angles = np.deg2rad(-90 + 36 * np.arange(10))
        radii = np.where(np.arange(10) % 2 == 0, r, 0.45 * r)
        points = list(zip(c + radii * np.cos(angles), c + radii * np.sin(angles), strict=True))
        d.polygon(points, fill=fill, outline=line, width=edge * k)
    elif shape == "diamond":
        points = [(c, c - r), (c + 0.8 * r, c), (c, c + r), (c - 0.8 * r, c)]
        d.polygon(points, fill=fill, outline=line, width=edge * k)
    elif shape == "x":
        a = 0.75 * r
        for width, ink in ((0.32 * r + 2 * edge * k, line), (0.32 * r, fill)):
            d.line([(c - a, c - a), (c + a, c + a)], fill=ink, width=round(width))
            d.line([(c - a, c + a), (c + a, c - a)], fill=ink, width=round(width))
    else:
        raise ValueError(f"unknown marker shape {shape!r}")
    return im.reduce(k)


def put(image: Image.Image, marker: Image.Image, centre) -> None:
    """Paste ``marker`` centred at pixel ``centre`` (blended by its alpha)."""
    x, y = centre
    image.paste(marker, (round(x - marker.width / 2), round(y - marker.height / 2)), marker)


# ----------------------------------------------------------------------------------------------
# Paths


def clip_segments(a: np.ndarray, b: np.ndarray, box) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Liang-Barsky: segments a[i] -> b[i] (n, 2) cut to ``box`` (x0, y0, x1, y1). Returns the
    new ends and a visibility mask (n,); segments with non-finite ends are invisible."""
    x0, y0, x1, y1 = box
    d = b - a
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    visible = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    with np.errstate(all="ignore"):
        for p, q in (
            (-d[:, 0], a[:, 0] - x0),
            (d[:, 0], x1 - a[:, 0]),
            (-d[:, 1], a[:, 1] - y0),
            (d[:, 1], y1 - a[:, 1]),
        ):
            r = q / p
            visible &= ~((p == 0) & (q < 0))
            t0 = np.where(p < 0, np.maximum(t0, r), t0)
            t1 = np.where(p > 0, np.minimum(t1, r), t1)
        visible &= t0 <= t1
        start = np.where((t0 > 0)[:, None], a + t0[:, None] * d, a)  # exact when not cut
        end = np.where((t1 < 1)[:, None], a + t1[:, None] * d, b)
    return start, end, visible


def visible_polylines(
    paths: Sequence[np.ndarray], box, resolution: float = 1.0
) -> list[tuple[int, np.ndarray]]:
    """The parts of each path (n, 2) inside ``box``, as ``(index of the path, polyline (m, 2))``.

    All paths are cut in one pass (a frame adds a few steps to each of many paths). Points that
    stay in the same ``resolution``-sized cell as the point before add nothing visible and are
    dropped; segments crossing the box edge are cut at it.
    """
    paths = [np.asarray(p, dtype=float).reshape(-1, 2) for p in paths]
    if not paths:
        return []
    p = np.concatenate(paths)
    ids = np.repeat(np.arange(len(paths)), [len(q) for q in paths])
    first = np.concatenate([[True], ids[1:] != ids[:-1]])
    last = np.concatenate([ids[1:] != ids[:-1], [True]])
    with np.errstate(all="ignore"):
        cell = np.floor(p / resolution)
    keep = first | last
    keep[1:] |= (cell[1:] != cell[:-1]).any(axis=1)
    p, ids = p[keep], ids[keep]
    if len(p) < 2:
        return []
    a, b, visible = clip_segments(p[:-1], p[1:], box)
    visible &= ids[1:] == ids[:-1]  # a segment joins two points of one path
    joined = visible[:-1] & visible[1:] & (b[:-1] == a[1:]).all(axis=1)  # segment i -> i + 1
    firsts = np.flatnonzero(visible & ~np.concatenate([[False], joined]))
    lasts = np.flatnonzero(visible & ~np.concatenate([joined, [False]]))
    return [
        (int(ids[i]), np.vstack([a[i : i + 1], b[i : j + 1]]))
        for i, j in zip(firsts, lasts, strict=True)
    ]


class Trails:
    """Growing paths over a background, anti-aliased: lines are drawn at ``factor`` times the
    resolution and box-filtered down only where they changed, so each frame costs the pixels
    its new segments touch, not the whole picture."""

    def __init__(self, background: Image.Image, factor: int = 2):
        self.factor = factor
        self.image = background.copy()
        self.fine = background.resize(
            (background.width * factor, background.height * factor), Image.Resampling.NEAREST
        )
        self._draw = ImageDraw.Draw(self.fine)
        self._dirty: list[float] | None = None

    def add(self, pieces: Sequence[tuple[np.ndarray, RGB]], width: float) -> None:
        """Polylines ``(points (n, 2), colour)`` in pixels of ``image``, ``width`` wide with
        round joints and ends, later ones on top; the parts outside the image are cut off."""
        f = self.factor
        box = (0, 0, self.fine.width, self.fine.height)
        w = max(1, round(width * f))
        r = w / 2
        points = [np.asarray(points, dtype=float) * f for points, _ in pieces]
        for i, line in visible_polylines(points, box, 0.75 * f):
            colour = pieces[i][1]
            self._draw.line(line.ravel().tolist(), fill=colour, width=w, joint="curve")
            for x, y in (line[0], line[-1]):
                self._draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
            lo, hi = line.min(axis=0) - w, line.max(axis=0) + w
            d = self._dirty
            self._dirty = (
                [*lo, *hi] if d is None else [*np.minimum(d[:2], lo), *np.maximum(d[2:], hi)]
            )

    def picture(self) -> Image.Image:
        """The background with every path so far, at its own resolution."""
        if self._dirty is not None:
            f = self.factor
            x0, y0 = (max(0, math.floor(v / f)) for v in self._dirty[:2])
            x1 = min(self.image.width, math.ceil(self._dirty[2] / f) + 1)
            y1 = min(self.image.height, math.ceil(self._dirty[3] / f) + 1)
            if x1 > x0 and y1 > y0:
                region = self.fine.crop((x0 * f, y0 * f, x1 * f, y1 * f)).reduce(f)
                self.image.paste(region, (x0, y0))
            self._dirty = None
        return self.image


# ----------------------------------------------------------------------------------------------
# Encoding


def palette(samples: Iterable[Image.Image], keys: Iterable[RGB]) -> Image.Image:
    """A palette image of at most 255 colours: white, the ``keys`` (at most 160), then colours
    an octree picks from the ``samples`` (the blends of anti-aliased edges and text).

    Pillow maps a colour to the palette entry nearest to the corner of its cell of 4 x 4 x 4
    colours, so a colour may take a neighbouring entry instead of its own. Picked colours
    close to a key are left out for that reason, and so is anything nearer to white's corner
    than white: the background stays exactly white, as on a slide.
    """
    keys = np.array([WHITE, *list(dict.fromkeys(tuple(map(int, k)) for k in keys))[:160]], float)
    samples = list(samples)
    sheet = Image.new("RGB", (max(s.width for s in samples), sum(s.height for s in samples)))
    y = 0
    for s in samples:
        sheet.paste(s, (0, y))
        y += s.height
    free = 255 - len(keys)  # one index left free: Pillow makes it transparent (see gif_bytes)
    picked = sheet.quantize(free, method=Image.Quantize.FASTOCTREE).getpalette()[: 3 * free]
    picked = np.array(picked, dtype=float).reshape(-1, 3)
    near_key = np.linalg.norm(picked[:, None] - keys[None], axis=-1).min(axis=1) < 12
    colours = np.vstack([keys, picked[~near_key]])
    # Pillow looks up white's cell by its corner (252, 252, 252): nothing may be nearer to it.
    corner = np.array(WHITE) & ~3
    near_white = ((colours - corner) ** 2).sum(axis=1) <= ((np.array(WHITE) - corner) ** 2).sum()
    near_white[0] = False
    colours = colours[~near_white].astype(int).ravel().tolist()
    out = Image.new("P", (1, 1))
    out.putpalette(colours)
    return out


def gif_bytes(
    frames: Iterable[Image.Image], palette_image: Image.Image, durations: list[int]
) -> bytes:
    """An endlessly looping GIF of the RGB ``frames`` mapped to ``palette_image`` without
    dithering (dithering would shimmer from frame to frame and defeat the encoder, which
    stores only the part of each frame that changed)."""
    quantized = (f.quantize(palette=palette_image, dither=Image.Dither.NONE) for f in frames)
    first = next(quantized)
    buffer = io.BytesIO()
    first.save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=quantized,
        duration=durations,
        loop=0,
        optimize=True,
    )
    return buffer.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
