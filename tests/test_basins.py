"""Basins of attraction (``scenes.basins``) and their figures (``figures.basins``)."""

from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest

import optim_core
import surfaces
from figures import basins as fb
from figures import palette
from scenes import basins
from tests.figure_asserts import assert_animates_over_the_surface_image

HIMMELBLAU = surfaces.get("himmelblau")
QUADRATIC = surfaces.get("quadratic")  # Hessian eigenvalues mu = 1, L = 10
WELLS = surfaces.get("wells")


def codes_for(surface, name, starts, steps, **hp):
    result = optim_core.run(optim_core.make(name, **hp), surface, starts, steps, keep_path=False)
    return basins.classify(surface, result)


def ring(centre, radius, count=24):
    """``count`` points on a circle and ``count`` on a circle of half the radius."""
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    unit = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return np.concatenate([centre + radius * unit, centre + 0.5 * radius * unit])


@pytest.mark.parametrize(
    ("name", "hp"),
    [("sgd", dict(lr=0.002)), ("momentum", dict(lr=0.001)), ("adam", dict(lr=0.02))],
    ids=["sgd", "momentum", "adam"],
)
@pytest.mark.parametrize("index", range(4))
def test_himmelblau_starts_near_a_minimum_end_in_that_minimum(name, hp, index):
    # Himmelblau's four minima are at least 1.9 from the nearest saddle: a start within 0.5 of a
    # minimum lies deep inside its basin.
    starts = ring(np.array(HIMMELBLAU.minima[index].point), 0.5)
    codes = codes_for(HIMMELBLAU, name, starts, 1000, **hp)
    np.testing.assert_array_equal(codes, index)


def test_quadratic_everything_converges_to_its_single_minimum():
    # Gradient descent is stable for lr < 2/L = 0.2; lr = 1/L converges from every start.
    _, _, starts = basins.grid_starts(QUADRATIC.domain, 15)
    codes = codes_for(QUADRATIC, "sgd", starts, 500, lr=0.1)
    np.testing.assert_array_equal(codes, 0)
    np.testing.assert_array_equal(basins.shares(QUADRATIC, codes), [1, 0, 0, 0])
    assert basins.global_share(QUADRATIC, codes) == 1.0


def test_learning_rate_above_the_stability_limit_diverges():
    # lr = 0.3 > 2/L = 0.2: the steep direction grows by |1 - 0.3 * 10| = 2 per step.
    _, _, starts = basins.grid_starts(QUADRATIC.domain, 10)  # even n: (0, 0) is not a start
    codes = codes_for(QUADRATIC, "sgd", starts, 200, lr=0.3)
    diverged = [c.kind for c in basins.categories(QUADRATIC)].index(basins.DIVERGED)
    np.testing.assert_array_equal(codes, diverged)


def test_a_run_that_barely_moved_is_not_converged():
    # lr * |grad| * steps is about 1e-6 * 400 * 10: the corner start cannot reach any minimum.
    codes = codes_for(HIMMELBLAU, "sgd", np.array([[-5.0, 5.0]]), 10, lr=1e-6)
    assert basins.categories(HIMMELBLAU)[codes[0]].kind == basins.NOT_CONVERGED


def test_a_run_stopped_on_a_saddle_is_other():
    codes = codes_for(HIMMELBLAU, "sgd", np.array(HIMMELBLAU.saddles), 10, lr=0.01)
    assert {basins.categories(HIMMELBLAU)[c].kind for c in codes} == {basins.OTHER}


def test_near_means_within_two_percent_of_the_diagonal():
    # Himmelblau's diagonal is sqrt(10^2 + 10^2) = 14.142, so the threshold is 0.2828.
    (x, y) = HIMMELBLAU.minima[0].point
    result = SimpleNamespace(
        final=np.array([[x + 0.28, y], [x + 0.29, y], [x, y + 0.29], [x - 0.28, y]]),
        status=np.array(["moving", "moving", "converged", "diverged"]),
    )
    m = len(HIMMELBLAU.minima)
    np.testing.assert_array_equal(basins.classify(HIMMELBLAU, result), [0, m + 1, m, m + 2])


def test_shares_sum_to_one_and_global_share_counts_global_minima():
    codes = np.array([0, 0, 1, 2, 3, 4, 5, 6, 6, 6])  # wells: 0 global, 1-3 local, 4-6 others
    np.testing.assert_allclose(basins.shares(WELLS, codes), [0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3])
    assert basins.global_share(WELLS, codes) == pytest.approx(0.2)
    assert basins.global_share(HIMMELBLAU, np.array([0, 1, 2, 3, 4])) == pytest.approx(0.8)


def test_grid_starts_row_major_matches_the_map_layout():
    xs, ys, starts = basins.grid_starts(WELLS.domain, 5)
    assert starts.shape == (25, 2)
    np.testing.assert_array_equal(starts.reshape(5, 5, 2)[3, 1], (xs[1], ys[3]))
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (-3.0, 3.0, -3.0, 3.0)


@pytest.mark.parametrize("n", [1, basins.MAX_GRID + 1, 2.5])
def test_grid_is_bounded(n):
    with pytest.raises(ValueError, match="grid"):
        basins.grid_starts(WELLS.domain, n)


def test_random_starts_are_seeded_inside_the_domain_and_bounded():
    a = basins.random_starts(HIMMELBLAU.domain, 200, seed=3)
    np.testing.assert_array_equal(a, basins.random_starts(HIMMELBLAU.domain, 200, seed=3))
    assert not np.array_equal(a, basins.random_starts(HIMMELBLAU.domain, 200, seed=4))
    assert a.shape == (200, 2) and np.all(np.abs(a) <= 5.0)
    with pytest.raises(ValueError, match="starts"):
        basins.random_starts(HIMMELBLAU.domain, basins.MAX_STARTS + 1, seed=0)


def test_suggested_learning_rate_follows_the_curvature_rule():
    # The quadratic's largest Hessian eigenvalue is L = 10: 0.5 / L = 0.05 < 2 / L.
    assert basins.suggested_lr(QUADRATIC, "sgd") == pytest.approx(0.05)
    # Adaptive methods: about 1% of the diagonal 6 * sqrt(2) = 8.49.
    assert basins.suggested_lr(QUADRATIC, "adam") == pytest.approx(0.08)
    assert basins.suggested_lr(WELLS, "adam") == basins.TUNED_LR["wells"]["adam"]


def test_on_wells_momentum_and_adam_reach_the_global_well_far_more_often_than_sgd():
    """The page's default comparison: the lesson must be visible in the numbers."""
    share = {
        name: basins.global_share(
            WELLS,
            basins.basin_map(
                optim_core.make(name, lr=basins.suggested_lr(WELLS, name)), WELLS, 40, 300
            ),
        )
        for name in ("sgd", "momentum", "adam")
    }
    assert share["sgd"] < 0.55
    assert share["momentum"] > share["sgd"] + 0.2
    assert share["adam"] > share["sgd"] + 0.15


# ----------------------------------------------------------------------------------------------
# Figures


def test_category_colours_put_global_minima_warm_locals_cool_and_diverged_black():
    colours = fb.category_colours(WELLS)  # 1 global, 3 local, other, not converged, diverged
    assert colours[0] in palette.BASIN_WARM
    assert all(c in palette.BASIN_COOL for c in colours[1:4])
    assert colours[4:] == [palette.BASIN_OTHER[basins.OTHER], "#adb5bd", "#111111"]
    assert len(set(colours)) == len(colours)
    himmelblau = fb.category_colours(HIMMELBLAU)
    assert all(c in palette.BASIN_WARM for c in himmelblau[:4]) and len(set(himmelblau[:4])) == 4


def test_basin_maps_one_heatmap_per_optimizer_side_by_side():
    xs, ys, _ = basins.grid_starts(WELLS.domain, 4)
    maps = {
        "SGD": np.zeros((4, 4), int),
        "Momentum": np.ones((4, 4), int),
        "Adam": np.eye(4, dtype=int),
    }
    fig = fb.basin_maps(WELLS, xs, ys, maps)
    heatmaps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heatmaps) == 3
    assert [h.xaxis for h in heatmaps] == ["x", "x2", "x3"]
    assert [a.text for a in fig.layout.annotations] == list(maps)
    # Discrete colours: code k is drawn with category k's colour.
    scale = heatmaps[0].colorscale
    n = len(basins.categories(WELLS))
    for k, colour in enumerate(fb.category_colours(WELLS)):
        assert scale[2 * k][1] == colour and scale[2 * k][0] == pytest.approx(k / n)
    assert (heatmaps[0].zmin, heatmaps[0].zmax) == (-0.5, n - 0.5)
    # Minima marked on every map; legend swatches for every minimum.
    marked = [t for t in fig.data if getattr(t, "mode", None) == "markers+text"]
    assert len(marked) == 2 * 3  # global and local markers on each of the three maps
    names = {t.name for t in fig.data if t.showlegend is not False}
    assert {c.label for c in basins.categories(WELLS)[:4]} <= names


def test_multistart_frames_hold_only_path_traces():
    starts = basins.random_starts(WELLS.domain, 7, seed=0)
    paths = {
        name: optim_core.run(optim_core.make(name, lr=0.1), WELLS, starts, 300).path
        for name in ("sgd", "momentum")
    }
    fig = fb.multistart_figure(WELLS, paths, max_frames=50)
    assert_animates_over_the_surface_image(fig)
    path_indices = list(range(len(fig.data) - 4, len(fig.data)))  # trail + heads per optimizer
    assert 40 <= len(fig.frames) <= 50
    for frame in fig.frames:
        assert list(frame.traces) == path_indices
        assert all(isinstance(t, go.Scatter) for t in frame.data)
    # Last frame: heads at the runs' last positions, rounded to 1e-3.
    heads = np.asarray(fig.frames[-1].data[1].x, dtype=float)
    np.testing.assert_allclose(heads, paths["sgd"][:, -1, 0], atol=6e-4)
    np.testing.assert_allclose(heads, np.round(heads, 3), atol=1e-6)


def test_frame_steps_are_bounded_and_include_both_ends():
    np.testing.assert_array_equal(fb.frame_steps(5, 50), range(6))
    shown = fb.frame_steps(1000, 50)
    assert len(shown) == 50 and shown[0] == 0 and shown[-1] == 1000
