"""Figures of a learning-rate sweep: the animated paths coloured by learning rate, small
multiples, and the sweep chart (final loss and steps to the tolerance against the learning rate).

Pure plotly. Learning rates are written as they are typed (:func:`lr_text`: 0.01, 0.5, 2.5e-4),
never with SI prefixes (plotly's "1μ" would read as momentum or curvature on this page).

The animated figure is unspoiled, like the race (``figures.race``): before Play the map shows only
the start; each frame draws every run's path *so far* (a thinned history and a detailed recent
trail, thinned with odd strides so that a zig-zag of period 2 still zig-zags), a diverging run
leaves the view on the step it blows up, the loss curves are covered right of the current step,
and the scoreboard says what each learning rate has done *by then*: "diverged at step 7" appears
at step 7, the regime words ("too slow", "converges", "oscillates", "diverges") only on the last
frame. The surface is a grey layout image (the learning rate is the only colour) and frames carry
only the moving traces, so the payload stays bounded (``POINT_BUDGET``, ``MAX_FRAMES``); with
more than ``MAX_PATH_TRACES`` learning rates, neighbouring rates share a path trace (and its
colour) while their heads keep their own colours.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.colors as pc
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.palette import optimizer_color
from figures.player import add_player
from figures.race import decimals, packed
from figures.style import lecture_style
from figures.surface import critical_point_traces, surface_layers
from scenes.optimizer_settings import LABELS

# Plasma without its pale-yellow end, on a grey backdrop (low loss darker): the learning rate
# is the only colour in the picture.
LR_COLORSCALE = [
    [float(t), c]
    for t, c in zip(
        np.linspace(0, 1, 9),
        pc.sample_colorscale("Plasma", list(np.linspace(0, 0.85, 9))),
        strict=True,
    )
]
BACKDROP = [[0.0, "#8c8c8c"], [1.0, "#f6f6f6"]]
MAX_FRAMES = 150
DENSE_STEPS = 40  # the first steps are animated (and drawn) one by one
FRAME_MS = 120  # per animation frame
POINT_BUDGET = 50_000  # path points summed over all runs and frames
MAX_PATH_TRACES = 12  # more learning rates share path traces (neighbours, one colour)
LADDER_RATES = 12  # up to this many rates get a scoreboard row each, more get counts
CURVE_POINTS = 200
GAP_FLOOR = 1e-16
MASK = "rgba(255,255,255,1)"
# Where things sit, in fractions of the figure: the map on the left as large as the height
# allows; on the right the scoreboard above the loss curves.
MAP_DOMAIN_X = (0.0, 0.6)
MAP_Y = (0.14, 1.0)
PANEL_X = (0.68, 1.0)
BOARD_Y = (0.5, 0.93)  # below the toolbar plotly shows on hover
LOSS_Y = (0.14, 0.42)
PRESENT_LIFT = 0.04  # presentation mode: larger tick labels, so the map and curves sit higher


def lr_text(lr: float) -> str:
    """A learning rate as it is typed: 0.01, 0.5, 3 or, below 0.01, 1e-3, 2.5e-4."""
    lr = float(lr)
    if lr <= 0 or lr >= 0.01:
        return f"{lr:.3g}"
    exponent = int(np.floor(np.log10(lr)))
    mantissa = round(lr / 10.0**exponent, 2)
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:g}e{exponent}"


def lr_colors(lrs) -> list[str]:
    """One colour per learning rate, along ``LR_COLORSCALE`` by log10(lr)."""
    z = np.log10(np.asarray(lrs, dtype=float))
    span = z.max() - z.min()
    t = (z - z.min()) / span if span > 0 else np.full_like(z, 0.5)
    return pc.sample_colorscale(LR_COLORSCALE, list(np.clip(t, 0, 1)))


def lr_tick_values(lo: float, hi: float, few=None) -> np.ndarray:
    """Tick values from ``lo`` to ``hi``: the rates ``few`` themselves when given (8 or fewer),
    else powers of ten, with 2 and 5 between them over less than three decades."""
    if few is not None and len(few) <= 8:
        return np.asarray(few, dtype=float)
    decades = np.arange(np.floor(np.log10(lo)), np.ceil(np.log10(hi)) + 1)
    steps = (1, 2, 5) if np.log10(hi / lo) < 3 else (1,)
    values = np.array([m * 10**d for d in decades for m in steps])
    inside = values[(values >= lo * 0.999) & (values <= hi * 1.001)]
    return inside if len(inside) >= 2 else np.array([lo, hi])


def lr_ticks(lrs) -> tuple[list[float], list[str]]:
    """Colour-bar ticks at log10 positions, labelled as typed (``lr_text``): the learning rates
    themselves when there are few, else 1-2-5 values per decade inside their range."""
    lrs = np.asarray(lrs, dtype=float)
    values = lr_tick_values(lrs.min(), lrs.max(), lrs)
    return list(np.log10(values)), [lr_text(v) for v in values]


def lr_axis(lo: float, hi: float) -> dict:
    """A log axis of learning rates from ``lo`` to ``hi`` with ticks written as typed."""
    values = lr_tick_values(lo, hi)
    return dict(type="log", tickvals=list(values), ticktext=[lr_text(v) for v in values])


def thin(stop: int, max_points: int, dense: int = 0) -> np.ndarray:
    """Step indices 0..stop kept for drawing: every step up to ``dense``, then every ``k``-th
    with ``k`` odd, so a zig-zag of period 2 still zig-zags after thinning, plus ``stop``."""
    head = np.arange(0, min(dense, stop) + 1)
    stride = max(1, int(np.ceil((stop + 1 - len(head)) / max(max_points - len(head), 1))))
    stride += 1 - stride % 2 if stride > 1 else 0
    return np.unique(np.concatenate([head, np.arange(0, stop + 1, stride), [stop]]))


def frame_times(last: int, max_frames: int = MAX_FRAMES, dense: int = DENSE_STEPS) -> np.ndarray:
    """The step shown by each animation frame: every step at first (where divergence and
    overshoot happen), then evenly spread up to ``last``; at most ``max_frames`` frames."""
    first = np.arange(0, min(dense, last) + 1)
    rest = np.linspace(first[-1], last, max(max_frames - len(first), 2))
    return np.unique(np.concatenate([first, np.round(rest).astype(int)]))


def _odd(k: int) -> int:
    return k + 1 - k % 2 if k > 1 else k


REGIMES = ("too slow", "converges", "oscillates", "diverges")  # as scenes.sweep classifies runs


class _Runs:
    """The sweep prepared for drawing: paths so far at any step, and the words for each run."""

    def __init__(self, table: pd.DataFrame, path: np.ndarray, loss, f_star, frames: int):
        self.lrs = table["lr"].to_numpy(dtype=float)
        self.n = len(self.lrs)
        self.stop = table["stop_step"].to_numpy(dtype=int)
        self.status = table["status"].to_numpy(dtype=str)
        self.reached = table["reached_step"].to_numpy(dtype=int)
        self.regime = table["regime"].to_numpy(dtype=str)
        self.path = path
        with np.errstate(all="ignore"):
            self.gap = np.maximum(np.asarray(loss, dtype=float) - f_star, GAP_FLOOR)
        per_run = int(np.clip(POINT_BUDGET // (self.n * frames), 8, 120))
        self.trail = max(3, min(10, per_run // 3))
        self.history = [thin(int(s), per_run - self.trail - 1, 0) for s in self.stop]

    def until(self, i: int, s: int, window: int) -> np.ndarray:
        """Run ``i``'s path to step ``s`` (at most its stop): thinned history, then a recent
        trail of about ``self.trail`` points with an odd stride, then step ``s``."""
        s = min(s, int(self.stop[i]))
        begin = max(0, s - window)
        sub = _odd(max(1, window // self.trail))
        h = self.history[i]
        idx = np.concatenate([h[h < begin], np.arange(begin, s, sub), [s]])
        return self.path[i, np.unique(idx)]

    def words(self, i: int, k: int, last: bool) -> str:
        """What learning rate ``i`` has done by step ``k`` (its regime on the last frame)."""
        stop, reached = int(self.stop[i]), int(self.reached[i])
        head = f"{lr_text(self.lrs[i])}: "
        if last:
            by = f", min. by step {reached}" if reached >= 0 else ""
            endings = {
                "diverges": f"diverges at step {stop}",
                "oscillates": f"oscillates{by}",
                "converges": f"converges{by}",
                "too slow": f"too slow, far at step {stop}",
            }
            return head + endings[str(self.regime[i])]
        if self.status[i] == "diverged" and k >= stop:
            return head + f"diverged at step {stop}"
        if 0 <= reached <= k:
            return head + f"near the min. at step {reached}"
        return head + f"loss − min {float(self.gap[i, min(k, stop)]):.2g}"

    def tally(self, k: int) -> str:
        """How many runs have diverged and how many are near a minimum by step ``k``."""
        diverged, near = self._so_far(k)
        return f"diverged: {diverged} of {self.n} · near the min.: {near}"

    def _so_far(self, k: int) -> tuple[int, int]:
        diverged = int(np.sum((self.status == "diverged") & (self.stop <= k)))
        near = int(np.sum((self.reached >= 0) & (self.reached <= k)))
        return diverged, near

    def counts(self, k: int, last: bool) -> list[str]:
        """The scoreboard of many rates at step ``k``: how many diverged and how many reached a
        minimum so far; the regime counts on the last frame."""
        n = self.n
        if last:
            return [f"{r}: {int(np.sum(self.regime == r))} of {n}" for r in REGIMES]
        diverged, near = self._so_far(k)
        return [
            f"diverged: {diverged} of {n}",
            f"near the minimum: {near} of {n}",
            f"on their way: {n - diverged - near} of {n}",
            "",
        ]


def _log_range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values) & (values > 0)]
    if not finite.size:
        return -1.0, 1.0
    lo, hi = np.log10(finite.min()), np.log10(finite.max())
    pad = max(0.1 * (hi - lo), 0.3)
    return float(lo - pad), float(hi + pad)


def _groups(n: int) -> list[np.ndarray]:
    """Consecutive learning rates that share a path trace (one each up to MAX_PATH_TRACES)."""
    return np.array_split(np.arange(n), min(n, MAX_PATH_TRACES))


def paths_figure(
    surface,
    start,
    table: pd.DataFrame,
    path: np.ndarray,
    loss: np.ndarray,
    *,
    frame_ms: int = FRAME_MS,
    height: int = 640,
    max_frames: int = MAX_FRAMES,
    present: bool = False,
) -> go.Figure:
    """The sweep, animated and unspoiled (module docstring).

    ``table`` has one row per learning rate with ``lr``, ``status``, ``stop_step``,
    ``reached_step`` (-1: never near a minimum) and ``regime`` (``scenes.sweep.summarize``);
    ``path`` (N, steps + 1, 2) and ``loss`` (N, steps + 1) are the runs as drawn (a diverged
    run's point at its stop step is where its last step went, or NaN). Opens at frame 0: every
    run at the start."""
    f_star = surface.global_minimum.value
    stop = table["stop_step"].to_numpy(dtype=int)
    times = frame_times(max(int(stop.max()), 1), max_frames)
    runs = _Runs(table, path, loss, f_star, len(times))
    n, colours = runs.n, lr_colors(runs.lrs)
    groups = _groups(n)
    digits = decimals(surface.domain)
    stride = max(1.0, (times[-1] - times[0]) / max(len(times) - 1, 1))
    window = int(max(3 * stride, 10))
    ladder = n <= LADDER_RATES

    fig = go.Figure()
    image, carrier = surface_layers(surface, colorscale=BACKDROP, showscale=False)
    fig.add_trace(carrier)
    for marker in critical_point_traces(surface, start):
        fig.add_trace(marker)
    fig.add_layout_image(image)

    # The loss curves, drawn once and covered right of the current step.
    stopped = np.where(runs.status == "diverged", stop - 1, stop)
    gap_range = _log_range(
        np.concatenate([runs.gap[i, : max(stopped[i], 0) + 1] for i in range(n)])
    )
    x_max = float(max(times[-1], 1))
    for i in range(n):
        idx = thin(int(stop[i]), CURVE_POINTS if ladder else CURVE_POINTS // 2)
        y = np.nan_to_num(runs.gap[i, idx], nan=10.0 ** (gap_range[1] + 1), posinf=1e300)
        fig.add_trace(
            go.Scatter(
                x=packed(idx, 0),
                y=packed(np.minimum(y, 1e30), 20),
                xaxis="x2",
                yaxis="y2",
                mode="lines",
                line=dict(color=colours[i], width=2),
                showlegend=False,
                hoverinfo="skip",
            )
        )

    def board(k: int, last: bool) -> list[str]:
        if ladder:
            return [runs.words(i, k, last) for i in range(n)] + [runs.tally(k)]
        return runs.counts(k, last)

    def state(k: int, last: bool) -> list[dict]:
        """Every animated trace's data at step ``k``, in the order the traces are added."""
        data = []
        for members in groups:
            pieces = []
            for i in members:
                pieces += [runs.until(i, k, window), np.full((1, 2), np.nan)]
            points = np.vstack(pieces[:-1])
            data.append(
                dict(type="scatter", x=packed(points[:, 0], digits), y=packed(points[:, 1], digits))
            )
        now = np.minimum(k, stop)
        heads = path[np.arange(n), now]
        data.append(
            dict(type="scatter", x=packed(heads[:, 0], digits), y=packed(heads[:, 1], digits))
        )
        lo, hi = 10.0 ** gap_range[0], 10.0 ** gap_range[1]
        edge = min(float(k), x_max)
        data.append(
            dict(type="scatter", x=[edge, x_max, x_max, edge, edge], y=[lo, lo, hi, hi, lo])
        )
        current = np.minimum(runs.gap[np.arange(n), now], 1e30)
        data.append(
            dict(type="scatter", x=packed(now, 0), y=packed(np.nan_to_num(current, nan=1e30), 20))
        )
        data.append(dict(type="scatter", text=board(k, last)))
        return data

    first = iter(state(int(times[0]), len(times) == 1))
    animated = []

    def add_animated(**trace) -> None:
        animated.append(len(fig.data))
        fig.add_trace(go.Scatter(**next(first), **trace))

    for members in groups:
        colour = colours[int(members[len(members) // 2])]
        add_animated(
            mode="lines",
            line=dict(color=colour, width=3),
            connectgaps=False,
            showlegend=False,
            hoverinfo="skip",
        )
    log_lr = np.log10(runs.lrs)
    head_marker = dict(size=12, color=colours, line=dict(width=1.5, color="black"))
    if not ladder:
        tickvals, ticktext = lr_ticks(runs.lrs)
        head_marker.update(
            color=log_lr,
            colorscale=LR_COLORSCALE,
            cmin=log_lr.min(),
            cmax=log_lr.max() if log_lr.max() > log_lr.min() else log_lr.min() + 1,
            showscale=True,
            colorbar=dict(
                title=dict(text="learning rate", side="right"),
                tickvals=tickvals,
                ticktext=ticktext,
                x=PANEL_X[0],
                xanchor="left",
                y=BOARD_Y[0] + 0.02,
                yanchor="bottom",
                len=BOARD_Y[1] - BOARD_Y[0] - 0.04,
                thickness=14,
            ),
        )
    add_animated(
        mode="markers",
        marker=head_marker,
        customdata=[lr_text(v) for v in runs.lrs],
        hovertemplate="lr %{customdata}<br>x=%{x:.4f}<br>y=%{y:.4f}<extra></extra>",
        showlegend=False,
    )
    add_animated(
        xaxis="x2",
        yaxis="y2",
        mode="lines",
        fill="toself",
        fillcolor=MASK,
        line=dict(color="#9a9a9a", width=1),
        showlegend=False,
        hoverinfo="skip",
    )
    add_animated(
        xaxis="x2",
        yaxis="y2",
        mode="markers",
        marker=dict(size=8, color=colours, line=dict(width=1, color="black")),
        showlegend=False,
        hoverinfo="skip",
    )
    rows = len(board(0, False))
    if ladder:  # one row per rate, smallest at the top, then the tally
        add_animated(
            x=[0.0] * rows,
            y=[-float(i) for i in range(n)] + [-n - 0.4],
            xaxis="x3",
            yaxis="y4",
            mode="markers+text",
            textposition="middle right",
            marker=dict(
                size=[13] * n + [0],
                color=[*colours, "rgba(0,0,0,0)"],
                opacity=1,
                line=dict(width=[1.5] * n + [0], color="black"),
            ),
            cliponaxis=False,
            showlegend=False,
            hoverinfo="skip",
        )
    else:
        add_animated(
            x=[0.0] * rows,
            y=list(range(rows))[::-1],
            xaxis="x3",
            yaxis="y4",
            mode="text",
            textposition="middle right",
            cliponaxis=False,
            showlegend=False,
            hoverinfo="skip",
        )

    if ladder:
        fig.add_annotation(
            text="learning rate",
            x=PANEL_X[0],
            y=BOARD_Y[1],
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
        )
    names = [str(int(t)) for t in times]
    fig.frames = [
        dict(name=name, data=state(int(t), i == len(times) - 1), traces=animated)
        for i, (name, t) in enumerate(zip(names, times, strict=True))
    ]
    lift = PRESENT_LIFT if present else 0.0
    add_player(fig, names, frame_ms, y=0.075 + lift / 2, length=MAP_DOMAIN_X[1])

    (x0, x1), (y0, y1) = surface.domain
    axis_common = dict(showgrid=False, zeroline=False, ticks="outside")
    panel = dict(gridcolor="#e8e8e8")
    fig.update_layout(
        height=height,
        margin=dict(l=60, r=10, t=10, b=10, autoexpand=False),
        plot_bgcolor="white",
        hovermode="closest",
        showlegend=False,
        xaxis=dict(domain=MAP_DOMAIN_X, range=[x0, x1], constrain="domain", **axis_common),
        yaxis=dict(
            domain=(MAP_Y[0] + lift, MAP_Y[1]),
            range=[y0, y1],
            scaleanchor="x",
            scaleratio=1,
            constrain="domain",
            **axis_common,
        ),
        xaxis2=dict(
            domain=PANEL_X,
            range=[0, x_max],
            anchor="y2",
            title="step",
            exponentformat="none",
            **panel,
        ),
        yaxis2=dict(
            domain=(LOSS_Y[0] + lift, LOSS_Y[1]),
            type="log",
            range=list(gap_range),
            anchor="x2",
            title="loss − min",
            exponentformat="power",
            **panel,
        ),
        xaxis3=dict(
            domain=(PANEL_X[0] + (0 if ladder else 0.1), 1.0),
            range=[-0.05, 1.0],
            visible=False,
            fixedrange=True,
        ),
        yaxis4=dict(
            domain=BOARD_Y,
            range=[-max(n, 7) - 0.9, 0.6] if ladder else [-0.5, rows - 0.5],
            visible=False,
            fixedrange=True,
        ),
    )
    return lecture_style(fig, present)


def small_multiples(
    surface, start, table: pd.DataFrame, path: np.ndarray, columns: int = 5, present: bool = False
) -> go.Figure:
    """One small map per learning rate with that run's whole path (static: every ending at
    once), titled with the rate and its regime. ``table`` and ``path`` as in ``paths_figure``."""
    lrs = table["lr"].to_numpy(dtype=float)
    stop = table["stop_step"].to_numpy(dtype=int)
    n = len(lrs)
    cols = min(columns, n)
    rows = int(np.ceil(n / cols))
    titles = [f"{lr_text(lr)}: {regime}" for lr, regime in zip(lrs, table["regime"], strict=True)]
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        horizontal_spacing=0.02,
        vertical_spacing=0.3 / rows,
    )
    image, _ = surface_layers(surface, resolution=100, colorscale=BACKDROP, showscale=False)
    markers = critical_point_traces(surface, start)
    colours = lr_colors(lrs)
    digits = decimals(surface.domain)
    (x0, x1), (y0, y1) = surface.domain
    for i in range(n):
        row, col = divmod(i, cols)
        keep = thin(int(stop[i]), 300, 20)
        points = path[i, keep]
        fig.add_trace(
            go.Scatter(
                x=packed(points[:, 0], digits),
                y=packed(points[:, 1], digits),
                mode="lines",
                line=dict(color=colours[i], width=2.5),
                hoverinfo="skip",
            ),
            row=row + 1,
            col=col + 1,
        )
        for marker in markers:
            fig.add_trace(marker, row=row + 1, col=col + 1)
        suffix = "" if i == 0 else str(i + 1)
        fig.add_layout_image({**image, "xref": f"x{suffix}", "yref": f"y{suffix}"})
        plain = dict(constrain="domain", showticklabels=False, showgrid=False, zeroline=False)
        fig.update_xaxes(range=[x0, x1], row=row + 1, col=col + 1, **plain)
        fig.update_yaxes(
            range=[y0, y1],
            scaleanchor=f"x{suffix}",
            row=row + 1,
            col=col + 1,
            **plain,
        )
    fig.update_traces(showlegend=False)
    fig.update_layout(
        height=70 + 230 * rows, margin=dict(l=10, r=10, t=40, b=10), plot_bgcolor="white"
    )
    return lecture_style(fig, present)


def divergent_ranges(table: pd.DataFrame) -> list[tuple[float, float]]:
    """Learning-rate intervals where runs diverged: each block of consecutive diverged rows of
    a sweep table (sorted by ``lr``), widened to the geometric midpoints with its neighbours."""
    lr = table["lr"].to_numpy(dtype=float)
    diverged = (table["status"] == "diverged").to_numpy()
    ranges, i = [], 0
    while i < len(lr):
        if not diverged[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(lr) and diverged[j + 1]:
            j += 1
        lo = np.sqrt(lr[i - 1] * lr[i]) if i > 0 else lr[i]
        hi = np.sqrt(lr[j] * lr[j + 1]) if j + 1 < len(lr) else lr[j]
        ranges.append((float(lo), float(hi)))
        i = j + 1
    return ranges


def sweep_figure(
    tables: Mapping[str, pd.DataFrame],
    limits: Mapping[str, float] | None = None,
    edges: Mapping[str, float] | None = None,
    height: int = 620,
    present: bool = False,
) -> go.Figure:
    """Final loss above the minimum (top) and steps to the tolerance (bottom) against the
    learning rate on log axes, one line per optimizer (``tables``: name -> ``summarize``
    table). Each optimizer's divergent range is shaded in its colour; ``limits`` (label ->
    lr) are drawn as labelled dashed lines (theory) and ``edges`` (name -> lr) as dotted lines
    in the optimizer's colour (measured)."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        row_heights=[0.6, 0.4],
        subplot_titles=("Final loss − minimum loss", "Steps to reach the tolerance"),
    )
    for k, (name, table) in enumerate(tables.items()):
        colour = optimizer_color(name)
        label = LABELS.get(name, name)
        rates = [lr_text(v) for v in table["lr"]]
        for row, column, hover in (
            (1, "gap", "final loss − min=%{y:.3g}"),
            (2, "steps_to_tol", "steps to tol=%{y:.0f}"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=table["lr"],
                    y=table[column],
                    customdata=rates,
                    mode="lines+markers",
                    line=dict(color=colour, width=2.5),
                    marker=dict(size=6),
                    name=label,
                    legendgroup=name,
                    showlegend=row == 1,
                    hovertemplate=f"{label}<br>lr %{{customdata}}<br>{hover}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        for lo, hi in divergent_ranges(table):
            fig.add_vrect(
                x0=lo,
                x1=hi,
                fillcolor=colour,
                opacity=0.12,
                line_width=0,
                layer="below",
                row="all",
                col=1,
            )
            fig.add_annotation(
                x=np.log10(np.sqrt(lo * hi)) if hi > lo else np.log10(lo),
                y=1.0 - 0.05 * k,
                xref="x",
                yref="paper",
                text=f"{label} diverges",
                showarrow=False,
                font=dict(color=colour),
                yanchor="top",
            )
    for text, lr in (limits or {}).items():
        fig.add_vline(x=lr, line=dict(color="black", dash="dash", width=1.5), row="all", col=1)
        fig.add_annotation(  # annotations on a log axis take log10 positions, shapes do not
            x=np.log10(lr),
            y=0.0,
            xref="x",
            yref="paper",
            text=f"{text} = {lr:.4g}",
            textangle=-90,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
        )
    for name, lr in (edges or {}).items():
        fig.add_vline(
            x=lr,
            line=dict(color=optimizer_color(name), dash="dot", width=2.5),
            row="all",
            col=1,
        )
    all_lrs = np.concatenate([t["lr"].to_numpy(dtype=float) for t in tables.values()] or [[1.0]])
    axis = lr_axis(all_lrs.min(), all_lrs.max())
    fig.update_xaxes(title_text="learning rate", row=2, col=1, **axis)
    fig.update_xaxes(row=1, col=1, **axis)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", exponentformat="none", row=2, col=1)
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=70, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0),
        hovermode="closest",
        plot_bgcolor="white",
    )
    return lecture_style(fig, present)
