"""Figures of the building blocks (pure plotly, no streamlit), from ``scenes.blocks``' numbers.

Made to be read on a projector at 1280x720 (``figures.style``: tick labels at least 14 px,
titles 18 px, a third larger in presentation mode), with thick lines. Activations and losses
have colours of their own (``figures.palette``); they are not optimizers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.palette import ACTIVATION_COLORS, LOSS_COLORS
from figures.style import lecture_style, sizes

ACTIVATION_LABELS = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "elu": "ELU",
}
# ReLU, leaky ReLU and ELU coincide for z > 0 (and ReLU and leaky ReLU nearly for z < 0):
# dashes keep every line visible where they overlap.
ACTIVATION_DASHES = {"leaky_relu": "dash", "elu": "dot"}


def _readable(fig: go.Figure, height: int, present: bool) -> go.Figure:
    """Lecture-sized fonts everywhere (``figures.style``), subplot titles as titles."""
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=70, b=10), plot_bgcolor="white")
    grid = dict(showgrid=True, gridcolor="#e6e6e6", zerolinecolor="#999999")
    fig.update_xaxes(**grid)
    fig.update_yaxes(**grid)
    lecture_style(fig, present)
    fig.update_annotations(font_size=sizes(present)["title"])  # the subplot titles
    return fig


def _label(name: str) -> str:
    return ACTIVATION_LABELS.get(name, name)


def activation_figure(curves: Mapping, height: int = 440, present: bool = False) -> go.Figure:
    """Each activation ``f(z)`` (left) and its derivative ``f'(z)`` (right), from
    ``scenes.blocks.activation_curves``. The sigmoid's derivative peaks at 1/4."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=["activation f(z)", "derivative f′(z)"])
    for name, c in curves.items():
        colour = ACTIVATION_COLORS.get(name, "#555555")
        for col, values in ((1, c.value), (2, c.derivative)):
            fig.add_trace(
                go.Scatter(
                    x=np.round(c.z, 4),
                    y=np.round(values, 5),
                    mode="lines",
                    name=_label(name),
                    legendgroup=name,
                    showlegend=col == 1,
                    line=dict(color=colour, width=3, dash=ACTIVATION_DASHES.get(name, "solid")),
                    hovertemplate=f"{_label(name)}<br>z=%{{x:.2f}}<br>%{{y:.3f}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(title_text="z")
    fig.update_yaxes(range=[-1.2, 2.2], row=1, col=1)
    fig.update_yaxes(range=[-0.05, 1.15], row=1, col=2)
    return _readable(fig, height, present)


def depth_figure(
    gradients: Mapping[str, np.ndarray],
    bound: np.ndarray | None = None,
    height: int = 440,
    present: bool = False,
) -> go.Figure:
    """Root-mean-square weight gradient per layer, relative to the output layer, on a log
    scale: one line per activation (``scenes.blocks.layer_gradients``), plus, dashed, the
    sigmoid's factor ``(1/4)^k`` for ``k`` layers below the output (``bound`` from
    ``scenes.blocks.derivative_bound``, output layer first)."""
    fig = go.Figure()
    for name, g in gradients.items():
        layers = np.arange(1, len(g) + 1)
        fig.add_trace(
            go.Scatter(
                x=layers,
                y=g / g[-1],
                mode="lines+markers",
                name=_label(name),
                line=dict(
                    color=ACTIVATION_COLORS.get(name, "#555555"),
                    width=3,
                    dash=ACTIVATION_DASHES.get(name, "solid"),
                ),
                marker=dict(size=9),
                hovertemplate=f"{_label(name)}<br>layer %{{x}}<br>%{{y:.2e}} × the output layer"
                "<extra></extra>",
            )
        )
    if bound is not None:
        layers = np.arange(len(bound), 0, -1)  # bound[k]: k layers below the output
        fig.add_trace(
            go.Scatter(
                x=layers,
                y=bound,
                mode="lines",
                name="σ′ ≤ 1/4: (1/4)^k, k layers down",
                line=dict(color=ACTIVATION_COLORS["sigmoid"], width=2, dash="dash"),
                hovertemplate="%{y:.2e}<extra>(1/4)^k</extra>",
            )
        )
    fig.update_layout(title="Gradient reaching each layer, relative to the output layer")
    fig.update_xaxes(title_text="layer (1 = next to the input, the last = output)", dtick=1)
    fig.update_yaxes(
        type="log", dtick=1, title_text="RMS of the weight gradient", exponentformat="power"
    )
    return _readable(fig, height, present)


def output_gradient_figure(unit, height: int = 440, present: bool = False) -> go.Figure:
    """One sigmoid output unit with target 1 (``scenes.blocks.sigmoid_unit``): the loss (left)
    and its gradient ``dL/dz`` (right) against the output ``p``, cross-entropy against MSE.
    MSE's gradient vanishes where the unit is confidently wrong (``p`` near 0)."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=["loss for target 1", "gradient dL/dz for target 1"]
    )
    series = (
        ("ce", "cross-entropy: −ln p, dL/dz = p − 1", unit.ce_loss, unit.ce_grad),
        ("mse", "MSE: (1 − p)², dL/dz = 2(p − 1)·p(1 − p)", unit.mse_loss, unit.mse_grad),
    )
    for key, label, loss, grad in series:
        for col, values in ((1, loss), (2, grad)):
            fig.add_trace(
                go.Scatter(
                    x=np.round(unit.p, 4),
                    y=np.round(values, 5),
                    mode="lines",
                    name=label,
                    legendgroup=key,
                    showlegend=col == 1,
                    line=dict(color=LOSS_COLORS[key], width=3),
                    hovertemplate=f"{key.upper()}<br>p=%{{x:.3f}}<br>%{{y:.3f}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(title_text="output p = σ(z)", range=[0, 1])
    fig.update_yaxes(range=[0, 5.5], row=1, col=1)
    fig.update_yaxes(range=[-1.05, 0.1], row=1, col=2)
    fig = _readable(fig, height, present)
    fig.update_layout(legend=dict(orientation="h", y=-0.25, x=0))
    fig.update_layout(margin=dict(b=90))
    return fig


def cross_entropy_figure(result, height: int = 400, present: bool = False) -> go.Figure:
    """One bar per example: its term ``-ln p_i`` (``scenes.blocks.cross_entropy``), with the
    sum and the mean in the title."""
    n = len(result.p)
    fig = go.Figure(
        go.Bar(
            x=[f"example {i + 1}<br>p = {p:.3g}" for i, p in enumerate(result.p)],
            y=np.round(result.terms, 4),
            marker_color=LOSS_COLORS["ce"],
            text=[f"{t:.3f}" for t in result.terms],
            textposition="outside",
            hovertemplate="%{x}<br>−ln p = %{y:.4f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"sum: −Σ ln pᵢ = {result.total:.3f}   ·   mean: −(1/{n}) Σ ln pᵢ = "
        f"{result.mean:.3f} (the MLP's loss)"
    )
    top = float(np.max(result.terms)) if n else 1.0
    fig.update_yaxes(title_text="−ln p (the example's loss)", range=[0, 1.2 * max(top, 0.1)])
    return _readable(fig, height, present)
