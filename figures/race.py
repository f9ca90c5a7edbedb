"""The optimizer race as one animated figure: the map, the loss and gradient-norm curves and a
live scoreboard, all driven by one Play button and one slider (pure plotly, no streamlit).

Unspoiled: before Play the map shows only the start, the curves are covered to the right of the
current step, and the scoreboard says where each optimizer is *now*; "converged at step 188" or
"diverged at step 3" appears when the animation reaches that step. The map's legend lists only
the markers (start, minima, saddles); the scoreboard is the optimizers' colour key.

Payload stays small and linear in the number of steps. The surface is a PNG in the layout and
the curves are drawn once (thinned to ``CURVE_POINTS``), covered by a white mask that frames
slide to the right. Each frame carries, per optimizer, the path so far thinned to about
``HISTORY_POINTS`` points plus a detailed recent trail, and its head; then the two masks, the
current points on the curves and the scoreboard's text. At most ``MAX_FRAMES`` frames.

Time runs in steps, or in gradient evaluations (``x_axis="evals"``): then each frame is a budget
of evaluations and every optimizer is shown where that budget got it, which compares a BFGS step
(several evaluations) fairly with an SGD step (one).
"""

from __future__ import annotations

import base64
import math

import numpy as np
import plotly.graph_objects as go

from figures.palette import optimizer_color
from figures.player import add_player
from figures.style import lecture_style
from figures.surface import critical_point_traces, surface_layers
from scenes.optimizer_settings import LABELS

MAX_FRAMES = 150
HISTORY_POINTS = 240  # path so far before the recent trail, shared by all optimizers
TRAIL_POINTS = 10  # points of the recent trail (about three frame strides long)
CURVE_POINTS = 400
GAP_FLOOR = 1e-16
MASK = "rgba(255,255,255,1)"
# Where things sit, in fractions of the figure: the map on the left as large as the height
# allows; on the right the scoreboard, the markers' legend, then the two curves.
MAP_DOMAIN_X = (0.0, 0.63)
PANEL_X = (0.715, 1.0)
BOARD_Y = (0.76, 1.0)
LEGEND_Y = 0.745
LOSS_Y = (0.44, 0.66)
GRAD_Y = (0.12, 0.36)
MAP_Y = (0.14, 1.0)


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps shown as animation frames: every step when there are few, else ``max_frames``
    evenly spaced steps from 0 to ``steps`` (both ends included)."""
    if steps + 1 <= max_frames:
        return np.arange(steps + 1)
    return np.unique(np.round(np.linspace(0, steps, max_frames)).astype(int))


def decimals(domain) -> int:
    """Decimal places that resolve 1e-5 of the domain's larger side (about 0.1 pixel)."""
    (x0, x1), (y0, y1) = domain
    return max(0, 5 - math.floor(math.log10(max(x1 - x0, y1 - y0))))


def packed(values: np.ndarray, digits: int) -> dict:
    """A plotly typed-array spec of float32 values rounded to ``digits`` decimals.

    Base64 float32 costs 5.3 JSON characters per number (decimal text costs about 8) and
    plotly passes such specs through without validating each number, which keeps building
    thousands of frame traces fast.
    """
    data = np.ascontiguousarray(np.round(np.asarray(values, dtype=float), digits), dtype="<f4")
    return {"dtype": "f4", "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def _xy(points: np.ndarray, digits: int) -> dict:
    return dict(x=packed(points[:, 0], digits), y=packed(points[:, 1], digits))


def thin(last: int, count: int) -> np.ndarray:
    """At most ``count`` indices spread evenly over 0..last, both ends included."""
    if last + 1 <= count:
        return np.arange(last + 1)
    return np.unique(np.linspace(0, last, count).round().astype(int))


def evaluations(result) -> np.ndarray:
    """Cumulative gradient evaluations at every step of a run, (steps + 1,).

    From ``result.evals`` when the run recorded them (curvature methods with line searches);
    otherwise a first-order count: one gradient at the start and one per step.
    """
    evals = getattr(result, "evals", None)
    if evals is not None:
        return np.asarray(evals, dtype=float)
    return np.arange(len(result.loss), dtype=float) + 1.0


class _Run:
    """One optimizer's run, prepared for drawing: its clock (steps or evaluations), curves,
    where it stands at any time, and the words for how it ended."""

    def __init__(self, name, result, f_star, x_axis, reason, escape, history: int, style):
        self.name, self.result = name, result
        self.label, self.colour, self.symbol, self.dash = style
        self.stop = int(result.stop_step)
        self.status = str(result.status)
        self.clock = (
            evaluations(result)[: self.stop + 1]
            if x_axis == "evals"
            else np.arange(self.stop + 1, dtype=float)
        )
        self.gap = np.maximum(result.loss[: self.stop + 1] - f_star, GAP_FLOOR)
        self.norm = np.maximum(result.grad_norm[: self.stop + 1], GAP_FLOOR)
        self.path = result.path[: self.stop + 1]
        self.history = thin(self.stop, history)
        self.reason = reason
        self.escape = escape  # where a diverged run's last step went, if finite

    def step_at(self, time: float) -> int:
        """The last step whose clock is at most ``time`` (0 before the first)."""
        return int(np.clip(np.searchsorted(self.clock, time, side="right") - 1, 0, self.stop))

    def path_until(self, s: int, window: int) -> np.ndarray:
        """The path to step ``s``: thinned history, then a detailed recent trail, then (once a
        diverged run has reached its last step) the point its blow-up step went to."""
        start = max(0, s - window)
        sub = max(1, window // TRAIL_POINTS)
        idx = np.concatenate([self.history[self.history < start], np.arange(start, s, sub), [s]])
        points = self.path[np.unique(idx)]
        if s == self.stop and self.status == "diverged" and self.escape is not None:
            points = np.vstack([points, self.escape])
        return points

    def words(self, s: int, at_end: bool, two_lines: bool) -> str:
        """The scoreboard line at step ``s``: where it is, or how it ended once it has (with
        the reason for a divergence on a second line when there is room)."""
        label = self.label
        if s >= self.stop and self.status == "converged":
            return f"{label}: converged at step {self.stop}"
        if s >= self.stop and self.status == "diverged":
            why = f"<br>   {self.reason}" if self.reason and two_lines else ""
            return f"{label}: diverged at step {self.stop}{why}"
        if s >= self.stop and self.status == "singular":
            return f"{label}: stopped, singular Hessian at step {self.stop}"
        loss = float(self.result.loss[s])
        text = f"{label}: step {s}, loss {loss:.3g}"
        if at_end:
            text = f"{label}: still moving after {self.stop} steps, loss {loss:.3g}"
        return text


def _log_range(values: list[np.ndarray]) -> tuple[float, float]:
    finite = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in values] or [np.ones(1)])
    if not finite.size:
        return -1.0, 1.0
    lo, hi = np.log10(finite.min()), np.log10(finite.max())
    pad = max(0.1 * (hi - lo), 0.3)
    return float(lo - pad), float(hi + pad)


DASHES = ("solid", "dash", "dot")
SYMBOLS = ("circle", "square", "diamond")


def _style(key: str, index: int, labels: dict | None) -> tuple[str, str, str, str]:
    """(label, colour, head symbol, dash) of a run: the optimizer's colour always; a batch
    variant ("sgd@8") also gets its own dash and symbol."""
    name, _, variant = key.partition("@")
    label = (labels or {}).get(key) or LABELS.get(name, name)
    k = index % len(DASHES) if variant else 0
    return label, optimizer_color(name), SYMBOLS[k], DASHES[k]


def _model(surface) -> str | None:
    """The model whose parameters (w, b) the surface's points are: "line" for least squares,
    "sigmoid" for logistic regression, None for surfaces not defined by data."""
    if getattr(surface, "data", None) is None:
        return None
    return "sigmoid" if surface.name.startswith("logistic") else "line"


def _fit_xs(surface) -> np.ndarray:
    x = np.asarray(surface.data[0], dtype=float)
    pad = 0.15 * (x.max() - x.min() or 1.0)
    return np.linspace(x.min() - pad, x.max() + pad, 40)


def _fit(model: str, xs: np.ndarray, w: float, b: float) -> np.ndarray:
    """The model's prediction over ``xs`` for parameters (w, b) = a point of the surface."""
    with np.errstate(all="ignore"):
        z = w * xs + b
        return 0.5 + 0.5 * np.tanh(0.5 * z) if model == "sigmoid" else z


def race_figure(
    surface,
    race: dict,
    start,
    *,
    frame_ms: int = 50,
    x_axis: str = "steps",
    reasons: dict[str, str] | None = None,
    escapes: dict[str, np.ndarray] | None = None,
    labels: dict[str, str] | None = None,
    max_frames: int = MAX_FRAMES,
    height: int = 640,
    present: bool = False,
) -> go.Figure:
    """The race (module docstring). ``race`` maps optimizer name -> ``optim_core.RunResult``
    of one start; ``reasons`` gives diverged runs a cause in words, ``escapes`` the point
    their last step went to. Keys of the form "sgd@8" (one optimizer with different batch
    sizes) share the optimizer's colour and differ in line dash and head symbol; ``labels``
    names them. On a surface defined by data, the lower curve panel shows the data and each
    run's current fit (a line, or a sigmoid) instead of the gradient norm.
    Opens at frame 0: every head on the start."""
    if x_axis not in ("steps", "evals"):
        raise ValueError(f"x_axis must be 'steps' or 'evals', got {x_axis!r}")
    if not race:
        raise ValueError("a race needs at least one run")
    f_star = surface.global_minimum.value
    reasons, escapes = reasons or {}, escapes or {}
    # The payload grows with optimizers x frames x points per path: share the points out.
    history = int(np.clip(HISTORY_POINTS // len(race), 12, 40))
    runs = [
        _Run(n, r, f_star, x_axis, reasons.get(n), escapes.get(n), history, _style(n, i, labels))
        for i, (n, r) in enumerate(race.items())
    ]
    model = _model(surface)
    digits = decimals(surface.domain)
    two_lines = len(runs) <= 8  # room for a divergence's reason under its scoreboard line
    spacing = 1.7 if two_lines else 1.0
    end_time = max(float(run.clock[-1]) for run in runs)
    if x_axis == "steps":
        times = frame_steps(int(end_time), max_frames).astype(float)
    else:
        begin = min(float(run.clock[0]) for run in runs)
        times = np.unique(np.linspace(begin, end_time, max_frames).round(1))
    stride = max(1.0, (times[-1] - times[0]) / max(len(times) - 1, 1))
    window = int(max(3 * stride, 10))

    fig = go.Figure()
    image, carrier = surface_layers(surface, showscale=False)
    carrier.hovertemplate = (
        "x=%{x:.3f}<br>y=%{y:.3f}<br>loss=%{customdata:.4g}<br>click to start here<extra></extra>"
    )
    fig.add_trace(carrier)  # trace 0: hover grid and click target
    for marker in critical_point_traces(surface, start):
        fig.add_trace(marker)
    fig.add_layout_image(image)

    # Static curves under their masks; the data points of a data surface.
    gap_range = _log_range([r.gap for r in runs])
    norm_range = _log_range([r.norm for r in runs])
    x_max = max(end_time, 1.0)
    for run in runs:
        idx = thin(run.stop, CURVE_POINTS)
        common = dict(
            x=packed(run.clock[idx], 3),
            mode="lines",
            line=dict(color=run.colour, width=2.5, dash=run.dash),
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_trace(go.Scatter(y=packed(run.gap[idx], 20), xaxis="x2", yaxis="y2", **common))
        if model is None:
            fig.add_trace(go.Scatter(y=packed(run.norm[idx], 20), xaxis="x2", yaxis="y3", **common))
    xs = None
    if model is not None:
        xs = _fit_xs(surface)
        data_x, data_y = (np.asarray(v, dtype=float) for v in surface.data)
        fig.add_trace(
            go.Scatter(
                x=packed(data_x, 4),
                y=packed(data_y, 4),
                xaxis="x4",
                yaxis="y5",
                mode="markers",
                marker=dict(size=7, color="#7f7f7f", opacity=0.7),
                name="data",
                showlegend=False,
                hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<extra>data</extra>",
            )
        )

    def mask(time: float, lo: float, hi: float) -> dict:
        now, y0, y1 = min(time, x_max), 10.0**lo, 10.0**hi
        return dict(type="scatter", x=[now, x_max, x_max, now, now], y=[y0, y0, y1, y1, y0])

    def state(time: float, last: bool) -> list[dict]:
        """Every animated trace's data at ``time``, in the order the traces are added."""
        steps = [run.step_at(time) for run in runs]
        now = list(zip(runs, steps, strict=True))
        data = []
        for run, s in now:
            data.append(dict(type="scatter", **_xy(run.path_until(s, window), digits)))
            data.append(dict(type="scatter", **_xy(run.path[s][None], digits)))
        data.append(mask(time, *gap_range))
        data.append(
            dict(
                type="scatter",
                x=[float(r.clock[s]) for r, s in now],
                y=[float(r.gap[s]) for r, s in now],
            )
        )
        if model is None:
            data.append(mask(time, *norm_range))
            data.append(
                dict(
                    type="scatter",
                    x=[float(r.clock[s]) for r, s in now],
                    y=[float(r.norm[s]) for r, s in now],
                )
            )
        else:
            for run, s in now:
                w, b = run.path[s]
                data.append(dict(type="scatter", y=packed(_fit(model, xs, w, b), 4)))
        data.append(dict(type="scatter", text=[r.words(s, last, two_lines) for r, s in now]))
        return data

    first = iter(state(float(times[0]), len(times) == 1))
    animated = []

    def add_animated(**trace) -> None:
        animated.append(len(fig.data))
        fig.add_trace(go.Scatter(**next(first), **trace))

    for run in runs:
        add_animated(
            mode="lines",
            line=dict(color=run.colour, width=3.5, dash=run.dash),
            showlegend=False,
            hoverinfo="skip",
            name=run.label,
        )
        add_animated(
            mode="markers",
            marker=dict(
                size=14, color=run.colour, symbol=run.symbol, line=dict(width=2, color="black")
            ),
            showlegend=False,
            name=run.label,
            hovertemplate=f"{run.label}<br>x=%{{x:.4f}}<br>y=%{{y:.4f}}<extra></extra>",
        )
    colours = [run.colour for run in runs]
    symbols = [run.symbol for run in runs]
    current = dict(
        mode="markers",
        marker=dict(size=10, color=colours, symbol=symbols, line=dict(width=1.5, color="black")),
        showlegend=False,
        hoverinfo="skip",
        xaxis="x2",
    )
    mask_style = dict(
        mode="lines",
        fill="toself",
        fillcolor=MASK,
        line=dict(color="#9a9a9a", width=1),
        showlegend=False,
        hoverinfo="skip",
        xaxis="x2",
    )
    add_animated(yaxis="y2", **mask_style)
    add_animated(yaxis="y2", **current)
    if model is None:
        add_animated(yaxis="y3", **mask_style)
        add_animated(yaxis="y3", **current)
    else:
        for run in runs:
            add_animated(
                x=packed(xs, 4),
                xaxis="x4",
                yaxis="y5",
                mode="lines",
                line=dict(color=run.colour, width=3, dash=run.dash),
                showlegend=False,
                hoverinfo="skip",
            )
    rows = [spacing * i for i in range(len(runs))][::-1]
    add_animated(
        x=[0.0] * len(runs),
        y=rows,
        cliponaxis=True,
        xaxis="x3",
        yaxis="y4",
        mode="markers+text",
        textposition="middle right",
        marker=dict(size=14, color=colours, symbol=symbols, line=dict(width=1.5, color="black")),
        showlegend=False,
        hoverinfo="skip",
    )

    label = "step " if x_axis == "steps" else "gradient evaluations "
    names = [f"{t:g}" for t in times]
    fig.frames = [
        dict(name=name, data=state(float(t), i == len(times) - 1), traces=animated)
        for i, (name, t) in enumerate(zip(names, times, strict=True))
    ]
    add_player(fig, names, frame_ms, prefix=label, y=0.075, length=MAP_DOMAIN_X[1])

    (x0, x1), (y0, y1) = surface.domain
    axis_common = dict(showgrid=False, zeroline=False, ticks="outside")
    panel = dict(gridcolor="#e8e8e8")
    layout = dict(
        height=height,
        margin=dict(l=60, r=10, t=10, b=10, autoexpand=False),
        plot_bgcolor="white",
        hovermode="closest",
        legend=dict(orientation="h", x=PANEL_X[0], y=LEGEND_Y, xanchor="left", yanchor="top"),
        xaxis=dict(domain=MAP_DOMAIN_X, range=[x0, x1], constrain="domain", **axis_common),
        yaxis=dict(
            domain=MAP_Y,
            range=[y0, y1],
            scaleanchor="x",
            scaleratio=1,
            constrain="domain",
            **axis_common,
        ),
        xaxis2=dict(
            domain=PANEL_X,
            range=[0, x_max],
            anchor="y2" if model is not None else "y3",
            title="step" if x_axis == "steps" else "gradient evaluations",
            **panel,
        ),
        yaxis2=dict(
            domain=LOSS_Y,
            type="log",
            range=list(gap_range),
            anchor="x2",
            title="loss − min",
            exponentformat="power",
            **panel,
        ),
        xaxis3=dict(domain=PANEL_X, range=[-0.05, 1.0], visible=False, fixedrange=True),
        yaxis4=dict(
            domain=BOARD_Y,
            range=[-0.9, spacing * (max(len(runs), 4) - 1) + 0.6],
            visible=False,
            fixedrange=True,
        ),
    )
    if model is None:
        layout["yaxis3"] = dict(
            domain=GRAD_Y,
            type="log",
            range=list(norm_range),
            anchor="x2",
            title="‖∇f‖",
            exponentformat="power",
            **panel,
        )
    else:
        data_x, data_y = (np.asarray(v, dtype=float) for v in surface.data)
        low, high = (-0.1, 1.1) if model == "sigmoid" else (data_y.min(), data_y.max())
        pad = 0.1 * (high - low)
        layout["xaxis4"] = dict(
            domain=PANEL_X, range=[xs[0], xs[-1]], anchor="y5", title="x", **panel
        )
        layout["yaxis4"]["domain"] = BOARD_Y
        layout["yaxis5"] = dict(
            domain=(GRAD_Y[0], GRAD_Y[1] - 0.03),
            range=[low - pad, high + pad],
            anchor="x4",
            title="p(y=1)" if model == "sigmoid" else "y",
            **panel,
        )
    fig.update_layout(**layout)
    return lecture_style(fig, present)
