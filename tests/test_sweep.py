"""Learning-rate sweeps: the measured stability edge against the theory of the quadratic bowl,
regimes against paths worked out by hand, the default range, learning-rate input, batched runs
against separate runs, the cost model, and the figure builders (unspoiled, bounded, no SI
prefixes)."""

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

import optim_core
import surfaces
from figures import sweep as figs
from scenes import budget
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


# ---- regimes, worked out by hand on a round bowl ---------------------------------------------

ROUND = surfaces.quadratic(1.0, largest=10.0)  # f = 5|p|^2, A = 10 I, from (-2.5, 0.5)


def test_round_bowl_outcomes_by_hand():
    """Gradient descent multiplies p by 1 - 10 lr: lr = 0.1 lands on the minimum in one step;
    lr = 0.19 (factor -0.9) zig-zags in and its gradient norm 10 |p0| 0.9^t falls under 1e-6
    at t = 162; lr = 0.25 (factor -1.5) leaves the escape box |x| <= 33 when 2.5 * 1.5^t > 33,
    at t = 7."""
    lrs = np.array([0.1, 0.19, 0.25])
    result = lab.sweep("sgd", {}, ROUND, ROUND.start, lrs, 300)
    table = lab.summarize(lrs, result, ROUND)
    assert list(table.status) == ["converged", "converged", "diverged"]
    assert list(table.stop_step) == [1, 162, 7]
    assert table.steps_to_tol.iloc[0] == 1 and np.isnan(table.steps_to_tol.iloc[2])
    assert np.isnan(table.final_loss.iloc[2])
    assert list(table.regime) == ["converges", "oscillates", "diverges"]


def test_reached_step_and_too_slow_by_hand():
    """With lr = 0.01 the distance to the minimum is |p0| 0.9^t, |p0| = sqrt(6.5); it is first
    within the near radius r = 0.3 (5 % of the 6-wide domain) at the smallest t with
    0.9^t <= 0.3 / |p0|. With lr = 0.001 (factor 0.99) 100 steps leave it at |p0| 0.99^100,
    far outside r: too slow, although it never turns back."""
    radius, p0 = 0.3, np.hypot(2.5, 0.5)
    expected = int(np.ceil(np.log(radius / p0) / np.log(0.9)))
    lrs = np.array([0.001, 0.01])
    result = lab.sweep("sgd", {}, ROUND, ROUND.start, lrs, 100)
    table = lab.summarize(lrs, result, ROUND)
    assert table.reached_step.iloc[1] == expected
    assert p0 * 0.99**100 > radius and table.reached_step.iloc[0] == -1
    assert list(table.regime) == ["too slow", "converges"]
    assert list(table.reversals) == [0, 0]


def test_gradient_descent_turns_back_only_above_one_over_L():
    """Each eigen-component is multiplied by 1 - lr*lambda: it changes sign (overshoots) only
    when lr > 1/lambda, so with lr < 1/L the path never turns back."""
    bowl = surfaces.quadratic(10.0, largest=10.0)
    lrs = np.array([0.02, 0.05, 0.09, 0.11, 0.15, 0.19])
    result = lab.sweep("sgd", {}, bowl, bowl.start, lrs, 400)
    turns = lab.reversals(result.path, result.stop_step)
    assert list(turns[:3]) == [0, 0, 0]
    assert all(turns[3:] > 0)


def test_invisible_reversals_are_not_counted():
    """On the round bowl lr = 0.11 overshoots every step (factor -0.1), but after two steps
    the steps are shorter than a pixel: it converges rather than oscillates."""
    result = lab.sweep("sgd", {}, ROUND, ROUND.start, [0.11], 100)
    assert lab.reversals(result.path, result.stop_step)[0] > 5
    table = lab.summarize([0.11], result, ROUND)
    assert table.reversals.iloc[0] < lab.ZIGZAG and table.regime.iloc[0] == "converges"


def test_escaped_point_of_a_diverged_run_is_where_its_step_went():
    """lr = 0.25 on the round bowl: p_t = (-1.5)^t p0 exactly; the run stops at t = 7, and the
    drawn point at step 7 is p_7, far outside the plot."""
    result = lab.sweep("sgd", {}, ROUND, ROUND.start, [0.05, 0.25], 50)
    path, loss = lab.display_paths("sgd", {}, ROUND, [0.05, 0.25], result, 1e-6)
    expected = (-1.5) ** 7 * np.array(ROUND.start)
    np.testing.assert_allclose(path[1, 7], expected, rtol=1e-9)
    assert loss[1, 7] == pytest.approx(5 * expected @ expected)
    np.testing.assert_array_equal(path[0], result.path[0])  # other runs untouched


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


# ---- the default range ---------------------------------------------------------------------


def _defaults():
    return {k: p.default for k, p in lab.spec().items()}


def _regimes(ref, name):
    hp = lab.hyperparams(name, _defaults())
    default = lab.default_range(ref, name, hp, lab.DEFAULT_STEPS, 1e-6)
    surface = lab.resolve(ref)
    lrs = lab.log_range(default.lo, default.hi, lab.DEFAULT_COUNT)
    result = lab.sweep(name, dict(hp), surface, surface.start, lrs, lab.DEFAULT_STEPS)
    return default, lrs, lab.summarize(lrs, result, surface)


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        (("quadratic", 10.0, 10.0), "sgd"),
        (("quadratic", 10.0, 10.0), "momentum"),
        (("quadratic", 100.0, 4.0), "sgd"),
        (("beale",), "sgd"),
        (("beale",), "momentum"),
    ],
    ids=lambda v: v if isinstance(v, str) else "-".join(map(str, v)),
)
def test_default_range_shows_every_regime(ref, name):
    _, _, table = _regimes(ref, name)
    assert set(table.regime) == set(lab.REGIMES), list(table.regime)


@pytest.mark.parametrize(("kappa", "largest"), BOWLS, ids=["kappa10-L10", "kappa100-L4"])
def test_default_range_contains_the_theoretical_edge(kappa, largest):
    default, lrs, table = _regimes(("quadratic", kappa, largest), "sgd")
    assert default.source == "theory" and default.edge == pytest.approx(2 / largest)
    assert lrs[0] < 2 / largest < lrs[-1]
    # Theory, not our code: every rate above 2/L diverges, none below does.
    assert list(table.status == "diverged") == list(lrs > 2 / largest)


def test_default_range_follows_the_surface():
    """On Beale the quadratic's range (0.01 to 0.5) diverges for every momentum rate; the
    default range for Beale starts far lower."""
    surface = surfaces.get("beale")
    old = lab.log_range(0.01, 0.5, 10)
    result = lab.sweep("momentum", {"momentum": 0.9}, surface, surface.start, old, 500)
    assert (result.status == "diverged").all()
    default, _, _ = _regimes(("beale",), "momentum")
    assert default.hi < 0.1 and default.lo < 1e-3


@pytest.mark.parametrize("surface", list(surfaces.SURFACES))
def test_default_range_is_a_valid_range_for_every_surface_and_optimizer(surface):
    for name in lab.OPTIMIZERS:
        hp = lab.hyperparams(name, _defaults())
        default = lab.default_range((surface,), name, hp, 100, 1e-6)
        assert lab.LR_MIN <= default.lo < default.hi <= lab.LR_MAX, (name, default)
        assert len(lab.log_range(default.lo, default.hi, default.count)) == lab.DEFAULT_COUNT


def test_default_range_costs_at_most_the_budget_at_every_setting():
    for ref in [("quadratic", 10.0, 10.0), ("logistic_ce",), ("formula", "x^2", ((0, 1), (0, 1)))]:
        assert lab.estimate_range(ref, lab.MAX_STEPS) <= budget.SECONDS


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


def test_range_is_needed_only_when_a_range_setting_falls_back_to_its_default():
    every = {"lr.lo": "0.01", "lr.hi": "0.5", "lr.list": "0.1, 0.2"}
    assert not lab.range_needed(every, {})
    assert lab.range_needed({**every, "lr.lo": "abc"}, {})
    assert lab.range_needed({"lr.lo": "0.01", "lr.hi": "0.5"}, {})
    assert not lab.range_needed({}, {"lr.lo": 0.1, "lr.hi": 0.5, "lr.list": "0.1"})


# ---- cost ------------------------------------------------------------------------------------


def _config(count, steps, compare=(), ref=("quadratic", 10.0, 10.0)):
    values = _defaults()
    lrs = lab.log_range(1e-3, 1.0, count)
    hp = lab.hyperparams("sgd", values)
    pairs = tuple((n, lab.hyperparams(n, values)) for n in compare)
    return lab.LabConfig(ref, "sgd", hp, tuple(lrs), steps, 1e-6, pairs)


def test_defaults_fit_the_budget_and_the_heaviest_setting_names_what_fits():
    assert lab.too_much(_config(10, 500, ("sgd", "momentum", "adam"))) is None
    heavy = _config(lab.MAX_RATES, lab.MAX_STEPS, lab.OPTIMIZERS)
    message = lab.too_much(heavy)
    assert message is not None
    fits = int(re.search(r"at most ([\d,]+) steps", message).group(1).replace(",", ""))
    assert lab.estimate(heavy, fits) <= budget.SECONDS < lab.estimate(heavy, fits + 1)
    assert "50 learning rates and 8 compared optimizers" in message


def test_data_surfaces_cost_more_per_run():
    light, heavy = _config(50, 1000), _config(50, 1000, ref=("logistic_ce",))
    assert lab.estimate(heavy) > lab.estimate(light)


# ---- figures ---------------------------------------------------------------------------------


def _unpack(spec):
    if isinstance(spec, dict):
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<f4").astype(float)
    return np.asarray(spec, dtype=float)


def _scene(count=6, steps=300, lo=0.01, hi=0.5, surface=None):
    bowl = surface or surfaces.get("quadratic")
    lrs = lab.log_range(lo, hi, count)
    result = lab.sweep("sgd", {}, bowl, bowl.start, lrs, steps)
    table = lab.summarize(lrs, result, bowl)
    path, loss = lab.display_paths("sgd", {}, bowl, lrs, result, 1e-6)
    return bowl, table, path, loss


@pytest.fixture(scope="module")
def scene():
    bowl, table, path, loss = _scene()
    return bowl, table, path, figs.paths_figure(bowl, bowl.start, table, path, loss)


def _path_points(fig_or_frame, index):
    """The (x, y) points of path trace ``index`` (one trace per rate up to 12 rates)."""
    trace = fig_or_frame.data[index]
    return np.c_[_unpack(trace.x), _unpack(trace.y)]


def _board(fig_or_frame):
    return list(fig_or_frame.data[-1].text)


def test_paths_figure_animates_over_the_surface_image(scene):
    *_, fig = scene
    assert_animates_over_the_surface_image(fig)
    assert 0 < len(fig.frames) <= figs.MAX_FRAMES


def test_nothing_but_the_start_is_drawn_before_play(scene):
    bowl, table, _, fig = scene
    n = len(table)
    first = len(fig.data) - (n + 4)  # n path traces, heads, mask, current losses, scoreboard
    for i in range(n):
        np.testing.assert_allclose(_path_points(fig, first + i), [bowl.start], atol=1e-4)
    heads = _path_points(fig, first + n)
    np.testing.assert_allclose(heads, np.tile(bowl.start, (n, 1)), atol=1e-4)
    board = _board(fig)
    assert board[-1] == f"diverged: 0 of {n} · near the min.: 0"
    assert not any(w in " ".join(board[:-1]) for w in ("diverge", "converge", "oscillat", "min."))


def test_a_diverging_run_is_not_drawn_before_its_step_and_then_leaves_the_view(scene):
    bowl, table, path, fig = scene
    (x0, x1), (y0, y1) = bowl.domain
    i = int(np.flatnonzero(table.status == "diverged")[0])
    stop = int(table.stop_step.iloc[i])
    for frame in fig.frames:
        k = int(frame.name)
        points = _path_points(frame, i)
        # The path so far: never a point beyond step k (it ends at the step shown).
        assert len(points) <= k + 1
        np.testing.assert_allclose(points[-1], path[i, min(k, stop)], rtol=1e-4, atol=1e-3)
    x, y = _path_points(fig.frames[-1], i)[-1]
    assert not (x0 <= x <= x1 and y0 <= y <= y1)


def test_scoreboard_tells_endings_only_when_they_happen(scene):
    _, table, _, fig = scene
    i = int(np.flatnonzero(table.status == "diverged")[0])
    stop, lr = int(table.stop_step.iloc[i]), figs.lr_text(table.lr.iloc[i])
    for frame in fig.frames[:-1]:
        text = " ".join(_board(frame))
        assert (f"{lr}: diverged at step {stop}" in text) == (int(frame.name) >= stop)
        gone = int(((table.status == "diverged") & (table.stop_step <= int(frame.name))).sum())
        assert f"diverged: {gone} of {len(table)}" in text
        assert not any(r in text for r in ("too slow", "converges", "oscillates", "diverges"))
    last = " ".join(_board(fig.frames[-1]))
    for regime in set(table.regime):
        assert regime in last


def test_many_rates_share_path_traces_and_count_endings():
    bowl, table, path, loss = _scene(count=30, steps=200, lo=1e-3, hi=0.5)
    fig = figs.paths_figure(bowl, bowl.start, table, path, loss)
    groups = [t for t in fig.data if t.mode == "lines" and t.xaxis in (None, "x")]
    assert len(groups) == figs.MAX_PATH_TRACES
    first, last = " ".join(_board(fig.frames[0])), " ".join(_board(fig.frames[-1]))
    assert "diverged: 0 of 30" in first
    counts = {r: int((table.regime == r).sum()) for r in lab.REGIMES}
    for regime, count in counts.items():
        assert f"{regime}: {count} of 30" in last


def test_learning_rates_are_written_without_si_prefixes():
    typed = re.compile(r"^\d+(\.\d+)?(e-?\d+)?$")
    assert [figs.lr_text(v) for v in (1e-6, 2.5e-4, 0.01, 0.5, 3.0)] == [
        "1e-6",
        "2.5e-4",
        "0.01",
        "0.5",
        "3",
    ]
    bowl, table, path, loss = _scene(count=30, steps=100, lo=1e-6, hi=0.5)
    fig = figs.paths_figure(bowl, bowl.start, table, path, loss)
    bars = [t for t in fig.data if t.type == "scatter" and t.marker and t.marker.showscale]
    (bar,) = bars
    assert all(typed.match(t) for t in bar.marker.colorbar.ticktext)
    chart = figs.sweep_figure({"sgd": table}, {"2/L": 0.2}, {"sgd": 0.2})
    assert all(typed.match(t) for t in chart.layout.xaxis2.ticktext)
    assert chart.layout.yaxis2.exponentformat == "none"  # steps: 2000, not 2k
    assert fig.layout.xaxis2.exponentformat == "none"


@pytest.mark.parametrize(("count", "steps"), [(10, 500), (50, 5000)])
def test_payload_stays_under_the_limit(count, steps):
    bowl, table, path, loss = _scene(count, steps, lo=1e-4, hi=0.5, surface=surfaces.get("beale"))
    fig = figs.paths_figure(bowl, bowl.start, table, path, loss)
    assert len(fig.to_json()) < 1.3e6


def test_small_multiples_have_one_panel_per_rate_titled_with_its_regime():
    bowl, table, path, _ = _scene(count=5)
    fig = figs.small_multiples(bowl, bowl.start, table, path)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == [
        f"{figs.lr_text(lr)}: {r}" for lr, r in zip(table.lr, table.regime, strict=True)
    ]
    assert len(fig.layout.images) == 5 and not fig.frames


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


def test_scene_job_returns_json_the_browser_reads():
    values = _defaults()
    cfg = lab.LabConfig(
        ("quadratic", 10.0, 10.0),
        "sgd",
        lab.hyperparams("sgd", values),
        tuple(lab.log_range(0.01, 0.5, 6)),
        200,
        1e-6,
    )
    scene = lab.build_scene(cfg, lab.View())
    spec = json.loads(scene.figure)
    assert spec["frames"] and spec["layout"]["sliders"]
    assert sum(scene.counts.values()) == 6
    assert list(lab.runs_table(scene.table).columns)[:2] == ["learning rate", "regime"]
