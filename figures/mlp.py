"""Figures of the MLP playground: the data, and one animated figure of the training.

Pure plotly (no streamlit). Colours follow TensorFlow Playground: orange for class 0, blue for
class 1 (then green and purple), and for regression orange (low) through white to blue (high).

:func:`training_figure` is the whole training in one figure with one Play button and slider:
the decision boundary of every optimizer side by side (top), the loss and accuracy (or R²)
curves of all of them (bottom), and above each panel what that network scores *at the shown
epoch*. Unspoiled: it opens at epoch 0, the curves are covered right of the shown epoch, and
"diverged at epoch k" appears from epoch k on.

Why images: a boundary is a banded PNG in the layout (the probabilities upsampled bilinearly to
``IMAGE_PX`` pixels, then coloured in bands, like filled contours), and the frames replace the
images' sources. A PNG of flat bands takes about 2 kB where a 40 x 40 heatmap's numbers take
about as much yet show blocks (three classes cannot be smoothed by the browser: it would blend
class 0 into class 2 through class 1's colours); and in Chromium the layout images follow the
frames with ``redraw=False``, so the frames also move the curves' masks and the titles without
repainting the figure.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.colors import hex_to_rgb

from figures.palette import CLASS_COLORS, CLASS_TINTS, optimizer_color
from figures.player import add_player
from figures.race import packed
from figures.style import lecture_style
from scenes.optimizer_settings import LABELS

MAX_FRAMES = 60
FRAME_MS = 150
IMAGE_PX = 160  # side of a decision-boundary image, in pixels (the browser smooths it further)
BINARY_LEVELS = 32  # bands of P(class 1), or of a regression's prediction
CLASS_LEVELS = 6  # bands of confidence per class
MASK = "rgba(255,255,255,1)"
# Where things sit, in fractions of the plotting area: the panels on top (their titles above
# them, in the top margin), the curves below, the player in the bottom margin.
PANELS_Y = (0.42, 1.0)
CURVES_Y = (0.08, 0.30)
PANEL_GAP = 0.025
CURVE_X = ((0.0, 0.45), (0.55, 1.0))
MARGIN = dict(l=62, r=16, t=56, b=84)
TITLE_GAP = 0.03  # white above each panel's image, under its title, as a share of its height
COLORBAR_MARGIN = 96  # right margin with a colour bar: bar, tick labels and its title


# ----------------------------------------------------------------------------------------------
# Colours


def colorscale(n_classes: int) -> list:
    """Binary (and regression): orange (0) through white to blue (1). More classes: one band
    per class ``c`` on ``[c, c+1]``, from its light tint (unsure) to its full colour (sure)."""
    if n_classes in (0, 2):
        return [[0.0, CLASS_COLORS[0]], [0.5, "#ffffff"], [1.0, CLASS_COLORS[1]]]
    scale = []
    for c in range(n_classes):
        scale += [[c / n_classes, CLASS_TINTS[c]], [(c + 1) / n_classes, CLASS_COLORS[c]]]
    return scale


def shade(grid: np.ndarray) -> np.ndarray:
    """Values to colour a probability grid by: ``P(class 1)`` ``(r, r)`` as is; for ``(r, r, k)``
    the predicted class ``c`` plus its confidence ``(p_max - 1/k) / (1 - 1/k)`` in ``[0, 1)``,
    so each class keeps its own colour band (see :func:`colorscale`)."""
    if grid.ndim == 2:
        return np.round(np.nan_to_num(grid, nan=0.5), 3)
    k = grid.shape[-1]
    cls = np.nan_to_num(grid, nan=1.0 / k).argmax(axis=-1)
    confidence = (np.nan_to_num(grid.max(axis=-1), nan=1.0 / k) - 1 / k) / (1 - 1 / k)
    return np.round(cls + np.clip(confidence, 0.0, 0.999), 3)


def _rgb(colour: str) -> np.ndarray:
    return np.array(hex_to_rgb(colour), dtype=float)


def _ramp(low: str, high: str, levels: int) -> np.ndarray:
    """(levels, 3): the colours at the middle of ``levels`` equal bands from ``low`` to
    ``high``."""
    t = ((np.arange(levels) + 0.5) / levels)[:, None]
    return (1 - t) * _rgb(low) + t * _rgb(high)


def band_palette(n_classes: int) -> np.ndarray:
    """(m, 3) uint8: the colour of every band (:func:`bands` gives each pixel its band).

    Two classes or regression: ``BINARY_LEVELS`` bands from orange through white to blue. More
    classes: ``CLASS_LEVELS`` bands per class, from its tint to its colour."""
    if n_classes in (0, 2):
        half = BINARY_LEVELS // 2
        colours = np.vstack(
            [_ramp(CLASS_COLORS[0], "#ffffff", half), _ramp("#ffffff", CLASS_COLORS[1], half)]
        )
    else:
        colours = np.vstack(
            [_ramp(CLASS_TINTS[c], CLASS_COLORS[c], CLASS_LEVELS) for c in range(n_classes)]
        )
    return colours.round().astype(np.uint8)


def upsample(grid: np.ndarray, size: int) -> np.ndarray:
    """``grid`` ``(r, r)`` or ``(r, r, k)`` interpolated bilinearly (by Pillow, per channel) to
    ``(size, size)`` or ``(size, size, k)`` float32, rows in the same order.

    Pillow treats each grid value as the centre of a cell: the result spans the grid points'
    box widened by half a cell on each side (:func:`image_box`), and is exact at the points."""
    z = np.asarray(grid, dtype=np.float32)
    channels = z[..., None] if z.ndim == 2 else z
    fine = [
        np.asarray(
            Image.fromarray(np.ascontiguousarray(channels[..., c]), "F").resize(
                (size, size), Image.Resampling.BILINEAR
            )
        )
        for c in range(channels.shape[-1])
    ]
    return fine[0] if z.ndim == 2 else np.stack(fine, axis=-1)


def image_box(values: np.ndarray) -> tuple[float, float]:
    """(start, length) of the image along one axis whose pixel centres, as :func:`upsample`
    places them, fall on the grid points ``values`` (evenly spaced): half a cell beyond them."""
    cell = (values[-1] - values[0]) / max(len(values) - 1, 1)
    return float(values[0] - cell / 2), float(values[-1] - values[0] + cell)


def bands(grid: np.ndarray, n_classes: int, value_range: tuple[float, float] = (0.0, 1.0)):
    """Each pixel's band (index into :func:`band_palette`), uint8, for a grid already at the
    image's size: ``P(class 1)`` ``(s, s)``, class probabilities ``(s, s, k)`` (the class, then
    ``CLASS_LEVELS`` bands of the confidence of :func:`shade`), or a regression's predictions
    ``(s, s)`` on the colour scale's ``value_range``. Non-finite values (a blown-up network)
    are undecided: white, or class 0's tint."""
    if grid.ndim == 3:
        k = grid.shape[-1]
        if not np.isfinite(grid).all():
            grid = np.where(np.isfinite(grid), grid, np.float32(1 / k))
        best, cls = grid[..., 0].copy(), np.zeros(grid.shape[:2], dtype=np.uint8)
        for c in range(1, k):  # argmax and max in k passes (numpy's reduce over a short last
            better = grid[..., c] > best  # axis is several times slower)
            best[better], cls[better] = grid[..., c][better], c
        confidence = (best - 1 / k) * (CLASS_LEVELS / (1 - 1 / k))
        return cls * CLASS_LEVELS + np.clip(confidence, 0, CLASS_LEVELS - 1).astype(np.uint8)
    low, high = value_range
    t = (np.nan_to_num(grid, nan=(low + high) / 2) - low) * (BINARY_LEVELS / ((high - low) or 1))
    return np.clip(t, 0, BINARY_LEVELS - 1).astype(np.uint8)


def boundary_image(
    grid: np.ndarray,
    n_classes: int,
    value_range: tuple[float, float] = (0.0, 1.0),
    size: int = IMAGE_PX,
) -> str:
    """A decision boundary (or a regression's predictions) as a PNG data URI, ``size`` pixels
    square, top row at the largest ``y``: ``grid`` ``(r, r)`` or ``(r, r, k)`` as
    ``scenes.playground.Run.grids`` holds them (``grid[i, j]`` at ``(xs[j], ys[i])``); place it
    over :func:`image_box` of ``xs`` and ``ys``.

    The probabilities are interpolated first and the class decided per pixel after, so a
    three-class boundary is as smooth as a two-class one."""
    fine = upsample(grid, size)[::-1]
    image = Image.fromarray(np.ascontiguousarray(bands(fine, n_classes, value_range)), "P")
    image.putpalette(band_palette(n_classes).ravel().tolist())
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)  # level 9 saves 1 %, at 3x the time
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def target_range(*sets) -> tuple[float, float]:
    """The regression colour scale: symmetric about 0 (white), out to the largest target."""
    top = max(float(np.max(np.abs(s.y))) for s in sets if s is not None and len(s))
    return (-top, top) if top > 0 else (-1.0, 1.0)


# ----------------------------------------------------------------------------------------------
# Points


def point_traces(
    data, split: str, n_classes: int, value_range=None, size: int = 7, **where
) -> list[go.Scatter]:
    """The points of one split (``"train"``: circles, ``"test"``: diamonds): one trace per
    class in its colour, or for regression one trace coloured by target. ``where``: axes."""
    symbol = "circle" if split == "train" else "diamond"
    size = size if split == "train" else size + 1
    edge = dict(color="#222222", width=1)
    common = dict(mode="markers", showlegend=False, **where)
    if n_classes == 0:
        low, high = value_range or target_range(data)
        return [
            go.Scatter(
                x=packed(data.X[:, 0], 3),
                y=packed(data.X[:, 1], 3),
                marker=dict(
                    symbol=symbol,
                    size=size,
                    color=packed(data.y, 3),
                    colorscale=colorscale(0),
                    cmin=low,
                    cmax=high,
                    line=edge,
                ),
                name=f"{split} points",
                hovertemplate=f"{split}<br>x₁=%{{x:.2f}}<br>x₂=%{{y:.2f}}<br>"
                "target %{marker.color:.3g}<extra></extra>",
                **common,
            )
        ]
    traces = []
    for c in range(n_classes):
        mine = data.y == c
        if not mine.any():
            continue
        traces.append(
            go.Scatter(
                x=packed(data.X[mine, 0], 3),
                y=packed(data.X[mine, 1], 3),
                marker=dict(symbol=symbol, size=size, color=CLASS_COLORS[c], line=edge),
                name=f"class {c} ({split})",
                hovertemplate=f"class {c}, {split}<br>x₁=%{{x:.2f}}<br>x₂=%{{y:.2f}}<extra></extra>",
                **common,
            )
        )
    return traces


def data_figure(
    train,
    test,
    *,
    canvas: float | None = None,
    step: float = 0.2,
    height: int = 420,
    present: bool = False,
) -> go.Figure:
    """The data set as the network sees it: training points as circles, test points as
    diamonds, coloured by class (or by target for regression).

    ``canvas``: a drawing canvas instead, the box ``[-canvas, canvas]^2``: trace 0 is an
    invisible grid of points every ``step`` that a click selects (where a point is added)."""
    n_classes = train.n_classes
    fig = go.Figure()
    if canvas is not None:
        ticks = np.arange(-canvas, canvas + step / 2, step)
        gx, gy = np.meshgrid(ticks, ticks)
        fig.add_trace(
            go.Scatter(
                x=packed(gx.ravel(), 2),
                y=packed(gy.ravel(), 2),
                mode="markers",
                marker=dict(size=9, opacity=0),
                showlegend=False,
                name="canvas",
                hovertemplate="x₁=%{x:.1f}<br>x₂=%{y:.1f}<br>click to add a point<extra></extra>",
                unselected=dict(marker=dict(opacity=0)),
                selected=dict(marker=dict(opacity=0)),
            )
        )
    value_range = target_range(train, test) if n_classes == 0 else None
    for data, split in ((train, "train"), (test, "test")):
        if data is not None and len(data):
            for trace in point_traces(data, split, n_classes, value_range, size=9):
                trace.unselected = dict(marker=dict(opacity=1))
                fig.add_trace(trace)
    axis = dict(showgrid=False, zeroline=False, ticks="outside", constrain="domain")
    if canvas is not None:
        axis.update(range=[-canvas, canvas], autorange=False, fixedrange=True)
    fig.update_layout(
        height=height,
        margin=dict(l=50, r=10, t=10, b=45),
        plot_bgcolor="white" if canvas is None else "#f7f7f7",
        xaxis=dict(title="x₁", **axis),
        yaxis=dict(title="x₂", scaleanchor="x", scaleratio=1, **axis),
        dragmode=False if canvas is not None else "zoom",
    )
    return lecture_style(fig, present)


# ----------------------------------------------------------------------------------------------
# The training figure


def frame_epochs(epochs: Sequence[int], max_frames: int = MAX_FRAMES) -> list[int]:
    """At most ``max_frames`` of the snapshot ``epochs``, evenly spread, first and last kept."""
    epochs = sorted(set(epochs))
    if len(epochs) <= max_frames:
        return epochs
    keep = np.unique(np.round(np.linspace(0, len(epochs) - 1, max_frames)).astype(int))
    return [epochs[i] for i in keep]


def _grid_at(run_epochs: Sequence[int], grids: Sequence[np.ndarray], epoch: int) -> np.ndarray:
    """The run's latest snapshot at or before ``epoch`` (a diverged run holds its last one)."""
    return grids[_snapshot_at(run_epochs, epoch)]


def _snapshot_at(run_epochs: Sequence[int], epoch: int) -> int:
    return max(int(np.searchsorted(run_epochs, epoch, side="right")) - 1, 0)


def _metric_curves(history) -> tuple[list[float], list[float]]:
    if history.train_r2:
        return history.train_r2, history.test_r2
    return history.train_accuracy, history.test_accuracy


def panel_status(history, epoch: int) -> str:
    """What a network scores at ``epoch`` (as ``mlp.train.History`` records it): "train 84% ·
    test 80%" (regression: "R² train 0.83 · test 0.80"), or "diverged at epoch k" from ``k``
    on. Never anything from a later epoch."""
    k = history.diverged_at_epoch
    if k is not None and epoch >= k:
        return f"diverged at epoch {k}"
    e = min(epoch, history.epochs)
    train, test = _metric_curves(history)
    regression = bool(history.train_r2)

    def show(value: float) -> str:
        if not np.isfinite(value):
            return "—"
        return f"{value:.2f}" if regression else f"{value:.0%}"

    text = f"train {show(train[e])}"
    if test:
        text += f" · test {show(test[e])}"
    return f"R² {text}" if regression else text


def panel_title(label: str, colour: str, history, epoch: int) -> str:
    """Two lines above a panel: the optimizer (in its colour) and the epoch, then its scores
    at that epoch (:func:`panel_status`)."""
    e = min(epoch, history.epochs)
    name = f"<span style='color:{colour}'><b>{label}</b></span>"
    return f"{name} · epoch {e}<br>{panel_status(history, epoch)}"


def _finite(values: Sequence[float]) -> np.ndarray:
    """Plotly leaves a gap at NaN: blown-up values (inf, huge) become gaps."""
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v) & (np.abs(v) < 1e30), v, np.nan)


def _loss_range(histories) -> list[float]:
    """log10 axis range from the smallest loss to 2x the largest loss of the runs that did
    not diverge (and every starting loss): a blown-up run leaves through the top instead of
    squashing the others into a flat line."""
    low, high = np.inf, 0.0
    for h in histories:
        values = np.array([*h.train_loss, *h.test_loss], dtype=float)
        finite = values[np.isfinite(values) & (values > 0)]
        if finite.size:
            low = min(low, finite.min())
        kept = finite if h.diverged_at_epoch is None else finite[:1]
        if kept.size:
            high = max(high, kept.max())
    if not np.isfinite(low) or high <= 0:
        return [-3.0, 1.0]
    return [float(np.log10(low)) - 0.1, float(np.log10(high)) + 0.3]


def log_ticks(low: float, high: float) -> list[float]:
    """Loss-axis ticks between ``10**low`` and ``10**high``, written out (so 0.5 and 0.05
    cannot be confused): the powers of ten, with 2 and 5 times them when the range spans
    less than a decade, 3 times them when it spans less than two."""
    span = high - low
    factors = (1, 2, 5) if span < 1 else (1, 3) if span < 2 else (1,)
    decades = range(math.floor(low), math.ceil(high) + 1)
    candidates = [float(f"{m}e{k}") for k in decades for m in factors]
    return [v for v in candidates if low <= math.log10(v) <= high]


def _metric_range(histories, regression: bool) -> list[float]:
    """Accuracy: [0, 1]; R²: from its lowest value (at most down to -1) to 1."""
    if not regression:
        return [0.0, 1.03]
    values = np.concatenate([_finite([*h.train_r2, *h.test_r2]) for h in histories])
    low = np.nanmin(values) if np.isfinite(values).any() else 0.0
    return [float(max(min(low, 0.0), -1.0)) - 0.05, 1.03]


def training_figure(
    runs: Sequence,
    xs: np.ndarray,
    ys: np.ndarray,
    train,
    test,
    n_classes: int,
    *,
    frame_ms: int = FRAME_MS,
    max_frames: int = MAX_FRAMES,
    height: int = 560,
    present: bool = False,
) -> go.Figure:
    """Every optimizer's training, animated over the epochs (module docstring).

    ``runs``: one per optimizer, each with ``name``, ``epochs`` (snapshot epochs), ``grids``
    (``scenes.playground.Run.grids``, on the grid ``xs`` ``(r,)`` x ``ys`` ``(r,)``) and
    ``history`` (``mlp.train.History``). ``n_classes``: 2 to 4, or 0 for regression. ``train``
    and ``test`` (or ``None``) are drawn on every panel.

    Traces: the colour-bar carrier (binary and regression), the points of every panel, the
    static loss and metric curves (``"<label> (train)"`` solid, ``"<label> (test)"`` dashed),
    then the animated ones: the panel titles (text), and the two masks that cover the curves
    right of the shown epoch. Frames (the snapshot epochs, at most ``max_frames``) carry those
    three traces and the panels' images.
    """
    if not runs:
        raise ValueError("training_figure needs at least one run")
    regression = n_classes == 0
    histories = [run.history for run in runs]
    value_range = target_range(train, test) if regression else (0.0, 1.0)
    epochs = frame_epochs([e for run in runs for e in run.epochs], max_frames)
    last_epoch = max(h.epochs for h in histories)
    labels = [LABELS.get(run.name, run.name) for run in runs]
    colours = [optimizer_color(run.name) for run in runs]
    n = len(runs)
    slot = (1 - PANEL_GAP * (n - 1)) / n
    domains = [(i * (slot + PANEL_GAP), i * (slot + PANEL_GAP) + slot) for i in range(n)]
    fig = go.Figure()

    images: dict[tuple[int, int], str] = {}  # (run, snapshot) -> PNG, each drawn once

    def image(i: int, epoch: int) -> str:
        run = runs[i]
        s = _snapshot_at(run.epochs, epoch)
        if (i, s) not in images:
            images[i, s] = boundary_image(run.grids[s], n_classes, value_range)
        return images[i, s]

    x_box, y_box = image_box(xs), image_box(ys)  # clipped to the panels by plotly
    showscale = n_classes in (0, 2)
    if showscale:  # an invisible point that carries the colour bar
        fig.add_trace(
            go.Scatter(
                x=[float(xs[0])],
                y=[float(ys[0])],
                mode="markers",
                marker=dict(
                    size=1,
                    opacity=0,
                    color=[value_range[0]],
                    colorscale=colorscale(n_classes),
                    cmin=value_range[0],
                    cmax=value_range[1],
                    showscale=True,
                    colorbar=dict(
                        title=dict(text="prediction" if regression else "P(class 1)", side="right"),
                        x=1.0,
                        xanchor="left",
                        xpad=12,
                        y=sum(PANELS_Y) / 2,
                        yanchor="middle",
                        len=PANELS_Y[1] - PANELS_Y[0],
                        thickness=12,
                        outlinewidth=0,
                    ),
                ),
                hoverinfo="skip",
                showlegend=False,
            )
        )
    for i in range(n):
        where = dict(xaxis=f"x{i + 1}", yaxis=f"y{i + 1}")
        for data, split in ((train, "train"), (test, "test")):
            if data is not None and len(data):
                for trace in point_traces(data, split, n_classes, value_range, size=6, **where):
                    fig.add_trace(trace)
        fig.add_layout_image(
            source=image(i, epochs[0]),
            xref=f"x{i + 1}",
            yref=f"y{i + 1}",
            x=x_box[0],
            y=y_box[0] + y_box[1],
            sizex=x_box[1],
            sizey=y_box[1],
            sizing="stretch",
            layer="below",
        )

    loss_axes = dict(xaxis=f"x{n + 1}", yaxis=f"y{n + 1}")
    metric_axes = dict(xaxis=f"x{n + 2}", yaxis=f"y{n + 2}")
    for label, colour, history in zip(labels, colours, histories, strict=True):
        train_metric, test_metric = _metric_curves(history)
        series = [("train", history.train_loss, train_metric, "solid")]
        if history.test_loss:
            series.append(("test", history.test_loss, test_metric, "dash"))
        for split, loss, metric, dash in series:
            for values, axes in ((loss, loss_axes), (metric, metric_axes)):
                fig.add_trace(
                    go.Scatter(
                        x=packed(np.arange(len(values)), 0),
                        y=packed(_finite(values), 5),
                        mode="lines",
                        name=f"{label} ({split})",
                        legendgroup=label,
                        showlegend=False,
                        line=dict(color=colour, dash=dash, width=2.5),
                        hovertemplate=f"{label} {split}<br>epoch %{{x}}<br>%{{y:.4g}}"
                        "<extra></extra>",
                        **axes,
                    )
                )

    loss_range = _loss_range(histories)
    metric_range = _metric_range(histories, regression)
    x_end = max(last_epoch, 1)
    x_mid = float(xs[0] + xs[-1]) / 2
    y_top = float(ys[-1] + TITLE_GAP * (ys[-1] - ys[0]))  # a white strip under the titles

    def state(epoch: int) -> list[dict]:
        """The animated traces at ``epoch``: every panel's title, then the two masks."""
        titles = [
            dict(type="scatter", text=[panel_title(label, colour, h, epoch)])
            for label, colour, h in zip(labels, colours, histories, strict=True)
        ]

        def mask(low: float, high: float) -> dict:
            x = [epoch, x_end, x_end, epoch, epoch]
            return dict(type="scatter", x=x, y=[low, low, high, high, low])

        return [*titles, mask(10 ** loss_range[0], 10 ** loss_range[1]), mask(*metric_range)]

    first = state(epochs[0])
    # Each panel's title is a trace of its own subplot: a frame re-plots only the subplots of
    # the traces it animates, and plotly clears the points of a subplot it re-plots without
    # any of its traces.
    animated = list(range(len(fig.data), len(fig.data) + n + 2))
    for i in range(n):
        fig.add_trace(
            go.Scatter(
                text=first[i]["text"],
                x=[x_mid],
                y=[y_top],  # the top of the panel's range: plotly hides text beyond it
                mode="text",
                textposition="top center",
                cliponaxis=False,
                showlegend=False,
                hoverinfo="skip",
                xaxis=f"x{i + 1}",
                yaxis=f"y{i + 1}",
            )
        )
    mask_style = dict(
        mode="lines",
        fill="toself",
        fillcolor=MASK,
        line=dict(color="#9a9a9a", width=1),
        showlegend=False,
        hoverinfo="skip",
    )
    for data, axes in zip(first[n:], (loss_axes, metric_axes), strict=True):
        fig.add_trace(
            go.Scatter(**{k: v for k, v in data.items() if k != "type"}, **axes, **mask_style)
        )

    fig.frames = [
        dict(
            name=str(epoch),
            data=state(epoch),
            traces=animated,
            layout=dict(images=[dict(source=image(i, epoch)) for i in range(n)]),
        )
        for epoch in epochs
    ]
    add_player(fig, [str(e) for e in epochs], frame_ms, prefix="epoch ", y=-0.02)

    panel_axis = dict(
        showgrid=False,
        zeroline=False,
        showticklabels=False,
        ticks="",
        constrain="domain",
        fixedrange=True,
        autorange=False,
    )
    layout = dict(
        height=height,
        margin={**MARGIN, "r": COLORBAR_MARGIN if showscale else MARGIN["r"]},
        plot_bgcolor="white",
        hovermode="closest",
        showlegend=False,
    )
    for i, (x0, x1) in enumerate(domains):
        suffix = "" if i == 0 else str(i + 1)
        layout[f"xaxis{suffix}"] = dict(
            domain=[x0, x1], range=[float(xs[0]), float(xs[-1])], anchor=f"y{i + 1}", **panel_axis
        )
        layout[f"yaxis{suffix}"] = dict(
            domain=list(PANELS_Y),
            range=[float(ys[0]), y_top],
            anchor=f"x{i + 1}",
            scaleanchor=f"x{i + 1}",
            scaleratio=1,
            constraintoward="bottom",  # any room left goes above the titles
            **panel_axis,
        )
    curve = dict(
        gridcolor="#e8e8e8", zeroline=False, range=[0, x_end], autorange=False, ticks="outside"
    )
    for k, (x_domain, title, y_range, log) in enumerate(
        (
            (CURVE_X[0], "loss", loss_range, True),
            (CURVE_X[1], "R²" if regression else "accuracy", metric_range, False),
        )
    ):
        index = n + 1 + k
        layout[f"xaxis{index}"] = dict(domain=list(x_domain), anchor=f"y{index}", **curve)
        y = dict(
            domain=list(CURVES_Y), anchor=f"x{index}", range=y_range, autorange=False, title=title
        )
        if log:
            ticks = log_ticks(*y_range)
            y.update(type="log", tickvals=ticks, ticktext=[f"{v:g}" for v in ticks])
        elif not regression:
            y.update(tickformat=".0%", dtick=0.25)
        layout[f"yaxis{index}"] = dict(gridcolor="#e8e8e8", zeroline=False, **y)
    fig.update_layout(**layout)
    fig.add_annotation(
        text="curves: solid = training set (each epoch: the mean of its mini-batch losses) · "
        "dashed = test set (at the end of the epoch)",
        xref="paper",
        yref="paper",
        x=0,
        y=CURVES_Y[1] + 0.03,
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
    )
    lecture_style(fig, present)
    fig.layout.sliders[0].currentvalue.font.color = "#262730"  # its tick labels stay hidden
    return fig
