"""Learning-rate sweeps: the measured stability edge against the theory of the quadratic bowl,
learning-rate input, batched runs against separate runs, and the figure builders."""

import json

import numpy as np
import pandas as pd
import pytest

import optim_core
import surfaces
from figures import sweep as figs
from scenes import sweep as lab
from tests.figure_asserts import assert_animates_over_the_surface_image


def measure_edge(name, hp, surface, lo, hi, steps=1000):
    """Coarse sweep over [lo, hi], then the refined bracket's midpoint."""
    lrs = np.geomspace(lo, hi, 25)
    result = lab.sweep(name, hp, surface, surface.start, lrs, steps, keep_path=False)
    bracket = lab.divergence_edge(lrs, result.status)
    assert bracket is not None, f"{name}: no divergence edge inside [{lo}, {hi}]"
    return lab.measured_edge(lab.refine_edge(name, hp, surface, surface.start, bracket, steps))


# (condition number, largest eigenvalue L): the theory only involves L and the momentum.
BOWLS = [(10.0, 10.0), (100.0, 4.0)]


@pytest.mark.parametrize(("kappa", "largest"), BOWLS, ids=["kappa10-L10", "kappa100-L4"])
def test_gradient_descent_diverges_at_two_over_L(kappa, largest):
    edge = measure_edge("sgd", {}, surfaces.quadratic(kappa, largest=largest), 0.1, 10.0)
    assert edge == pytest.approx(2 / largest, rel=0.02)


@pytest.mark.parametrize(("kappa", "largest"), BOWLS, ids=["kappa10-L10", "kappa100-L4"])
def test_heavy_ball_diverges_at_two_plus_two_mu_over_L(kappa, largest):
    surface = surfaces.quadratic(kappa, largest=largest)
    edge = measure_edge("momentum", {"momentum": 0.9}, surface, 0.1, 10.0)
    assert edge == pytest.approx(3.8 / largest, rel=0.02)


def test_nesterov_and_weight_decay_limits_match_measurement():
    surface = surfaces.quadratic(10.0, largest=10.0)
    # Nesterov, mu = 0.5: (2 + 1) / ((1 + 1) * 10) = 0.15.
    assert measure_edge("nag", {"momentum": 0.5}, surface, 0.01, 1.0) == pytest.approx(
        0.15, rel=0.02
    )
    # L2 weight decay 2 makes the Hessian's largest eigenvalue 12: 2/12.
    assert measure_edge("sgd", {"weight_decay": 2.0}, surface, 0.01, 1.0) == pytest.approx(
        2 / 12, rel=0.02
    )


def test_theoretical_limits_by_formula():
    bowl = surfaces.quadratic(10.0, largest=10.0)
    assert lab.stability_limit("sgd", {}, bowl) == pytest.approx(0.2)
    assert lab.stability_limit("momentum", {"momentum": 0.9}, bowl) == pytest.approx(0.38)
    assert lab.stability_limit("nag", {"momentum": 0.9}, bowl) == pytest.approx(3.8 / 28)
    assert lab.stability_limit("sgd", {"weight_decay": 2.0}, bowl) == pytest.approx(2 / 12)
    assert lab.stability_limit("adam", {}, bowl) is None
    assert lab.stability_limit("sgd", {}, surfaces.get("rosenbrock")) is None


def test_round_bowl_outcomes_by_hand():
    """On f = 5|p|^2 (A = 10 I) from (-2.5, 0.5), gradient descent multiplies p by 1 - 10 lr:
    lr = 0.1 lands on the minimum in one step; lr = 0.19 (factor -0.9) zig-zags in and its
    gradient norm 10 |p0| 0.9^t falls under 1e-6 at t = 162; lr = 0.25 (factor -1.5) leaves
    the escape box |x| <= 33 when 2.5 * 1.5^t > 33, at t = 7."""
    bowl = surfaces.quadratic(1.0, largest=10.0)
    lrs = np.array([0.1, 0.19, 0.25])
    result = lab.sweep("sgd", {}, bowl, bowl.start, lrs, 300)
    table = lab.summarize(lrs, result, bowl)
    assert list(table.status) == ["converged", "converged", "diverged"]
    assert list(table.stop_step) == [1, 162, 7]
    assert table.steps_to_tol.iloc[0] == 1 and np.isnan(table.steps_to_tol.iloc[2])
    assert np.isnan(table.final_loss.iloc[2])
    assert list(table.regime) == ["converges", "oscillates", "diverges"]


def test_gradient_descent_turns_back_only_above_one_over_L():
    """Each eigen-component is multiplied by 1 - lr*lambda: it changes sign (overshoots) only
    when lr > 1/lambda, so with lr < 1/L the path never turns back."""
    bowl = surfaces.quadratic(10.0, largest=10.0)
    lrs = np.array([0.02, 0.05, 0.09, 0.11, 0.15, 0.19])
    result = lab.sweep("sgd", {}, bowl, bowl.start, lrs, 400)
    turns = lab.reversals(result.path, result.stop_step)
    assert list(turns[:3]) == [0, 0, 0]
    assert all(turns[3:] > 0)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "rmsprop"])
def test_batched_sweep_equals_separate_runs(name):
    surface = surfaces.get("beale")
    lrs = [0.001, 0.01]
    batched = lab.sweep(name, {}, surface, surface.start, lrs, 150)
    for i, lr in enumerate(lrs):
        alone = optim_core.run(optim_core.make(name, lr=lr), surface, surface.start, 150)
        np.testing.assert_allclose(batched.path[i], alone.path, rtol=1e-12, atol=1e-12)
        assert batched.status[i] == alone.status


def test_divergence_edge_brackets():
    lrs = [0.1, 0.2, 0.3, 0.4]
    assert lab.divergence_edge(lrs, ["converged", "moving", "diverged", "diverged"]) == (0.2, 0.3)
    assert lab.divergence_edge(lrs, ["converged"] * 4) is None
    assert lab.divergence_edge(lrs, ["diverged"] * 4) is None


# ---- learning-rate input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.001, 0.01, 0.1", [0.001, 0.01, 0.1]),
        ("0.1;0.01 0.001", [0.001, 0.01, 0.1]),
        (" 1e-3 ,, 1e-3, 2 ", [0.001, 2.0]),
        ("0.5", [0.5]),
    ],
)
def test_parse_rates_accepts_lists(text, expected):
    np.testing.assert_allclose(lab.parse_rates(text), expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ("abc", "not a number"),
        ("0.1, x", "'x' is not a number"),
        ("0.1, -0.2", "positive"),
        ("0", "positive"),
        ("nan", "positive"),
        ("inf", "positive"),
        ("500", "outside the allowed range"),
        (", ".join(["0.1"] * 51), "At most 50"),
    ],
)
def test_parse_rates_rejects_bad_lists(text, message):
    with pytest.raises(ValueError, match=message):
        lab.parse_rates(text)


def test_log_range_is_geometric_with_both_ends():
    lrs = lab.log_range(0.01, 0.5, 10)
    assert lrs[0] == pytest.approx(0.01) and lrs[-1] == pytest.approx(0.5)
    np.testing.assert_allclose(lrs[1:] / lrs[:-1], (0.5 / 0.01) ** (1 / 9))


@pytest.mark.parametrize(
    ("lo", "hi", "count", "message"),
    [
        (0.5, 0.1, 10, "below"),
        (0.1, 0.1, 10, "below"),
        (0.01, 0.5, 51, "from 2 to 50"),
        (0.0, 0.5, 10, "between"),
        (0.01, 1000.0, 10, "between"),
    ],
)
def test_log_range_rejects_bad_ranges(lo, hi, count, message):
    with pytest.raises(ValueError, match=message):
        lab.log_range(lo, hi, count)


def test_format_rates_round_trips():
    lrs = np.array([0.001, 0.0125, 0.3])
    np.testing.assert_allclose(lab.parse_rates(lab.format_rates(lrs)), lrs)


# ---- figures ---------------------------------------------------------------------------------


def _sgd_sweep(count=6, steps=300):
    bowl = surfaces.get("quadratic")
    lrs = lab.log_range(0.01, 0.5, count)
    return bowl, lrs, lab.sweep("sgd", {}, bowl, bowl.start, lrs, steps)


def test_paths_figure_frames_hold_only_path_traces():
    bowl, lrs, result = _sgd_sweep()
    fig = figs.paths_figure(bowl, bowl.start, lrs, result.path, result.stop_step)
    assert_animates_over_the_surface_image(fig)
    assert 0 < len(fig.frames) <= figs.MAX_FRAMES
    for frame in fig.frames:
        assert 0 not in frame.traces and all(fig.data[i].type == "scatter" for i in frame.traces)
        assert all(trace.type == "scatter" for trace in frame.data)


def test_paths_figure_last_frame_shows_where_each_run_stopped():
    bowl, lrs, result = _sgd_sweep()
    fig = figs.paths_figure(bowl, bowl.start, lrs, result.path, result.stop_step)
    heads = fig.frames[-1].data[-1]
    final = result.path[np.arange(len(lrs)), result.stop_step]
    np.testing.assert_allclose(np.c_[heads.x, heads.y], final, atol=1e-3)
    first = fig.frames[0].data[-1]
    np.testing.assert_allclose(np.c_[first.x, first.y], np.tile(bowl.start, (len(lrs), 1)))


def test_paths_figure_has_a_learning_rate_colour_bar():
    bowl, lrs, result = _sgd_sweep()
    fig = figs.paths_figure(bowl, bowl.start, lrs, result.path, result.stop_step)
    bars = [t for t in fig.data if t.type == "scatter" and t.marker.showscale]
    assert len(bars) == 1
    bar = bars[0]
    assert bar.marker.colorbar.title.text == "learning rate"
    np.testing.assert_allclose(bar.marker.color, np.log10(lrs))
    np.testing.assert_allclose(bar.marker.colorbar.tickvals, np.log10(lrs))
    paths = [t for t in fig.data if t.type == "scatter" and t.mode == "lines+markers"]
    assert len({t.line.color for t in paths}) == len(lrs)


def test_paths_figure_payload_is_bounded_in_steps_and_rates():
    sizes = {}
    for count, steps in [(10, 500), (10, 5000), (50, 5000)]:
        bowl = surfaces.get("long_valley")
        lrs = lab.log_range(1e-3, 0.05, count)
        result = lab.sweep("sgd", {}, bowl, bowl.start, lrs, steps)
        fig = figs.paths_figure(bowl, bowl.start, lrs, result.path, result.stop_step)
        frames = json.loads(fig.to_json())["frames"]
        sizes[count, steps] = sum(len(json.dumps(f)) for f in frames)
    assert sizes[10, 5000] < 1.5 * sizes[10, 500]
    assert sizes[50, 5000] < 4_000_000


def test_thin_keeps_ends_and_an_odd_stride():
    kept = figs.thin(1000, 100, dense=10)
    assert kept[0] == 0 and kept[-1] == 1000 and len(kept) <= 110
    assert list(kept[:11]) == list(range(11))
    strides = set(np.diff(kept[11:-1]))
    assert len(strides) == 1 and strides.pop() % 2 == 1


def test_small_multiples_has_one_panel_per_rate():
    bowl, lrs, result = _sgd_sweep(count=5)
    titles = [f"lr={lr:.3g}" for lr in lrs]
    fig = figs.small_multiples(bowl, bowl.start, lrs, result.path, result.stop_step, titles)
    assert [a.text for a in fig.layout.annotations] == titles
    assert sum(t.type == "contour" for t in fig.data) == len(lrs)
    assert not fig.frames


def _table(lrs, status):
    n = len(lrs)
    return pd.DataFrame(
        {"lr": lrs, "status": status, "gap": np.ones(n), "steps_to_tol": np.ones(n)}
    )


def test_sweep_figure_shades_where_runs_diverged_and_draws_limits():
    table = _table([0.1, 0.2, 0.3, 0.5], ["converged", "converged", "diverged", "diverged"])
    fig = figs.sweep_figure({"sgd": table}, limits={"2/L": 0.25}, edges={"sgd": 0.245})
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2  # one shaded range, drawn on both panels
    assert rects[0].x0 == pytest.approx(np.sqrt(0.2 * 0.3)) and rects[0].x1 == pytest.approx(0.5)
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert {round(s.x0, 4) for s in lines} == {0.25, 0.245}
    assert any("2/L = 0.25" in a.text for a in fig.layout.annotations)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"


def test_sweep_figure_without_divergence_has_no_shading():
    table = _table([0.1, 0.2], ["converged", "moving"])
    fig = figs.sweep_figure({"adam": table, "sgd": table})
    assert not [s for s in fig.layout.shapes if s.type == "rect"]
    assert sum(t.showlegend for t in fig.data) == 2


def test_divergent_ranges_splits_separate_blocks():
    table = _table([0.1, 0.2, 0.4, 0.8], ["diverged", "converged", "diverged", "moving"])
    ranges = figs.divergent_ranges(table)
    assert ranges[0] == pytest.approx((0.1, np.sqrt(0.02)))
    assert ranges[1] == pytest.approx((np.sqrt(0.08), np.sqrt(0.32)))
