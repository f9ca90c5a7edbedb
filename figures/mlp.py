"""Figures of the MLP playground: data preview, animated decision boundaries, training curves.

Pure plotly (no streamlit). Colours follow TensorFlow Playground: orange for class 0, blue for
class 1 (then green, purple for more classes). Decision boundaries are heatmaps of the
predicted probability; animation frames carry only those heatmaps (the points never change),
and use ``"redraw": True`` because heatmaps are not redrawn otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.palette import CLASS_COLORS, CLASS_TINTS, optimizer_color
from figures.player import add_player
from scenes.optimizer_settings import LABELS

MAX_FRAMES = 60
FRAME_MS = 150


def _points(X, y, symbol: str, name: str, showlegend: bool, size: int) -> go.Scatter:
    return go.Scatter(
        x=np.round(X[:, 0], 4),
        y=np.round(X[:, 1], 4),
        mode="markers",
        name=name,
        legendgroup=name,
        showlegend=showlegend,
        marker=dict(
            symbol=symbol,
            size=size,
            color=[CLASS_COLORS[c % len(CLASS_COLORS)] for c in y],
            line=dict(color="#222222", width=1),
        ),
        hovertemplate=f"{name}<br>x₁=%{{x:.2f}}<br>x₂=%{{y:.2f}}<extra></extra>",
    )


def point_traces(train, test, showlegend: bool = True) -> list[go.Scatter]:
    """Training points as filled circles, test points as diamonds, coloured by class."""
    traces = [_points(train.X, train.y, "circle", "train points", showlegend, 7)]
    if test is not None:
        traces.append(_points(test.X, test.y, "diamond", "test points", showlegend, 8))
    return traces


def dataset_preview(train, test, height: int = 340) -> go.Figure:
    """Scatter of the (standardised) data set, as the network will see it."""
    fig = go.Figure(point_traces(train, test))
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.08, x=0),
        plot_bgcolor="white",
    )
    fig.update_xaxes(title_text="x₁", showgrid=False, zeroline=False)
    fig.update_yaxes(title_text="x₂", showgrid=False, zeroline=False, scaleanchor="x")
    return fig


def colorscale(n_classes: int) -> list:
    """Binary: orange (P(class 1) = 0) through white to blue (1). More classes: one band per
    class ``c`` on ``[c, c+1]``, from its light tint (unsure) to its full colour (sure)."""
    if n_classes == 2:
        return [[0.0, CLASS_COLORS[0]], [0.5, "#ffffff"], [1.0, CLASS_COLORS[1]]]
    scale = []
    for c in range(n_classes):
        scale += [[c / n_classes, CLASS_TINTS[c]], [(c + 1) / n_classes, CLASS_COLORS[c]]]
    return scale


def shade(grid: np.ndarray) -> np.ndarray:
    """Heatmap values for a probability grid: ``P(class 1)`` ``(r, r)`` as is; for ``(r, r, k)``
    the predicted class ``c`` plus its confidence ``(p_max - 1/k) / (1 - 1/k)`` in ``[0, 1)``,
    so each class keeps its own colour band (see :func:`colorscale`)."""
    if grid.ndim == 2:
        return np.round(np.nan_to_num(grid, nan=0.5), 3)
    k = grid.shape[-1]
    cls = np.nan_to_num(grid, nan=1.0 / k).argmax(axis=-1)
    confidence = (np.nan_to_num(grid.max(axis=-1), nan=1.0 / k) - 1 / k) / (1 - 1 / k)
    return np.round(cls + np.clip(confidence, 0.0, 0.999), 3)


def frame_epochs(epochs: Sequence[int], max_frames: int = MAX_FRAMES) -> list[int]:
    """At most ``max_frames`` of the snapshot ``epochs``, evenly spread, first and last kept."""
    epochs = sorted(set(epochs))
    if len(epochs) <= max_frames:
        return epochs
    keep = np.unique(np.round(np.linspace(0, len(epochs) - 1, max_frames)).astype(int))
    return [epochs[i] for i in keep]


def _grid_at(run_epochs: Sequence[int], grids: Sequence[np.ndarray], epoch: int) -> np.ndarray:
    """The run's latest snapshot at or before ``epoch`` (a diverged run holds its last one)."""
    i = int(np.searchsorted(run_epochs, epoch, side="right")) - 1
    return grids[max(i, 0)]


def boundary_figure(
    panels: Sequence[tuple[str, Sequence[int], Sequence[np.ndarray]]],
    xs: np.ndarray,
    ys: np.ndarray,
    train,
    test,
    n_classes: int,
    height: int = 430,
    max_frames: int = MAX_FRAMES,
) -> go.Figure:
    """Decision boundaries side by side, one panel per ``(title, epochs, grids)``, animated
    over the epochs with one shared slider and Play button.

    Traces ``0 .. P-1`` are the heatmaps (the only traces the frames touch), then the point
    traces of each panel. The figure opens at the last epoch; Play runs from epoch 0.
    """
    n = len(panels)
    fig = make_subplots(
        rows=1,
        cols=n,
        subplot_titles=[title for title, _, _ in panels],
        horizontal_spacing=0.03,
    )
    epochs = frame_epochs([e for _, run_epochs, _ in panels for e in run_epochs], max_frames)
    binary = n_classes == 2
    heat = dict(
        x=np.round(xs, 4),
        y=np.round(ys, 4),
        colorscale=colorscale(n_classes),
        zmin=0.0,
        zmax=1.0 if binary else float(n_classes),
        zsmooth="best" if binary else False,
        hoverinfo="skip",
    )
    for col, (_, run_epochs, grids) in enumerate(panels, start=1):
        z = shade(_grid_at(run_epochs, grids, epochs[-1]))
        bar = dict(title=dict(text="P(class 1)", side="right"), thickness=12, len=0.9)
        fig.add_trace(
            go.Heatmap(z=z, showscale=binary and col == n, colorbar=bar, **heat), row=1, col=col
        )
    for col in range(1, n + 1):
        for trace in point_traces(train, test, showlegend=False):
            fig.add_trace(trace, row=1, col=col)
    fig.frames = [
        go.Frame(
            name=str(epoch),
            data=[go.Heatmap(z=shade(_grid_at(e, g, epoch))) for _, e, g in panels],
            traces=list(range(n)),
        )
        for epoch in epochs
    ]
    # Heatmaps repaint only on a full redraw, so these frames need redraw=True.
    add_player(
        fig,
        [str(e) for e in epochs],
        FRAME_MS,
        redraw=True,
        prefix="epoch ",
        active=len(epochs) - 1,
        restart=True,
        y=-0.1,
    )
    for col in range(1, n + 1):
        suffix = "" if col == 1 else str(col)
        fig.update_xaxes(
            range=[xs[0], xs[-1]],
            showgrid=False,
            zeroline=False,
            constrain="domain",
            row=1,
            col=col,
        )
        fig.update_yaxes(
            range=[ys[0], ys[-1]],
            showgrid=False,
            zeroline=False,
            constrain="domain",
            showticklabels=col == 1,  # the same range in every panel
            row=1,
            col=col,
        )
        fig.layout[f"yaxis{suffix}"].scaleanchor = f"x{suffix}"  # equal aspect
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=110), plot_bgcolor="white")
    return fig


def _finite(values: Sequence[float]) -> list[float | None]:
    """Plotly cannot draw inf/nan: leave a gap instead."""
    return [float(v) if np.isfinite(v) else None for v in values]


def curves_figure(runs: Sequence[tuple[str, object]], height: int = 360) -> go.Figure:
    """Loss (log scale) and accuracy per epoch, one line per ``(optimizer name, History)`` in
    the optimizer's colour; training data solid, test data dashed."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=["Loss (log scale)", "Accuracy"], horizontal_spacing=0.08
    )
    for name, hist in runs:
        label, color = LABELS.get(name, name), optimizer_color(name)
        epochs = list(range(len(hist.train_loss)))
        series = [("train", hist.train_loss, hist.train_accuracy, "solid")]
        if hist.test_loss:
            series.append(("test", hist.test_loss, hist.test_accuracy, "dash"))
        for split, loss, acc, dash in series:
            for col, values in ((1, loss), (2, acc)):
                fig.add_trace(
                    go.Scatter(
                        x=epochs,
                        y=_finite(values),
                        mode="lines",
                        name=f"{label} ({split})",
                        legendgroup=f"{label} ({split})",
                        showlegend=col == 1,
                        line=dict(color=color, dash=dash, width=2),
                        hovertemplate=f"{label} {split}<br>epoch %{{x}}<br>%{{y:.4g}}"
                        "<extra></extra>",
                    ),
                    row=1,
                    col=col,
                )
    fig.update_xaxes(title_text="epoch")
    # dtick=1: one label per decade (0.01, 0.1, 1), so 0.5 and 0.05 cannot be confused.
    fig.update_yaxes(type="log", dtick=1, range=_loss_range(h for _, h in runs), row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10))
    return fig


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
