"""Basins of attraction (``scenes.basins``) and their figures (``figures.basins``)."""

from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest

import optim_core
import surfaces
from figures import basins as fb
from figures import palette
from scenes import basins, race
from tests.figure_asserts import assert_animates_over_the_surface_image

HIMMELBLAU = surfaces.get("himmelblau")
QUADRATIC = surfaces.get("quadratic")  # Hessian eigenvalues mu = 1, L = 10
WELLS = surfaces.get("wells")


def codes_for(surface, name, starts, steps, **hp):
    result = optim_core.run(optim_core.make(name, **hp), surface, starts, steps, keep_path=False)
    return basins.classify(surface, result).codes


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


def test_near_means_within_the_surfaces_near_radius():
    # Himmelblau's minima are at least 3.9 apart (a quarter: 0.97), and 5% of the domain's
    # shorter side (10) is 0.5: the radius is 0.5. Beyond it, Newton polishing from the end
    # point finds the same listed minimum, but too far away to count.
    assert HIMMELBLAU.near_radius == pytest.approx(0.5)
    (x, y) = HIMMELBLAU.minima[0].point
    result = SimpleNamespace(
        final=np.array([[x + 0.49, y], [x + 0.51, y], [x, y + 0.51], [x - 0.49, y]]),
        status=np.array(["moving", "moving", "converged", "diverged"]),
    )
    m = len(HIMMELBLAU.minima)
    outcome = basins.classify(HIMMELBLAU, result)
    np.testing.assert_array_equal(outcome.codes, [0, m + 1, m, m + 2])
    assert outcome.found.shape == (0, 2)


def test_shares_sum_to_one_and_global_share_counts_global_minima():
    codes = np.array([0, 0, 1, 2, 3, 4, 5, 6, 6, 6])  # wells: 0 global, 1-3 local, 4-6 others
    np.testing.assert_allclose(basins.shares(WELLS, codes), [0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3])
    found = np.array([[5.0, 5.0]])  # code 7
    np.testing.assert_allclose(basins.shares(WELLS, np.append(codes, 7), found)[-1], 1 / 11)
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
            ).codes,
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


# ----------------------------------------------------------------------------------------------
# One rule for "reached a minimum" (issue 11): unlisted minima found by polishing.

RASTRIGIN = surfaces.get("rastrigin")


def end_points(surface, statuses):
    """Runs that ended at the given points with the given statuses (a stand-in for a result)."""
    return lambda points: SimpleNamespace(
        final=np.asarray(points, dtype=float), status=np.array(statuses[: len(points)])
    )


@pytest.mark.parametrize(
    "name", ["rastrigin", "ackley", "himmelblau", "six_hump_camel", "saddle", "wells"]
)
def test_race_summary_and_minima_lab_classify_the_same_end_point_alike(name):
    surface = surfaces.get(name)
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(0)
    listed = np.array([m.point for m in surface.minima])
    points = np.concatenate(
        [
            rng.uniform((x0, y0), (x1, y1), (60, 2)),  # anywhere
            np.round(rng.uniform((x0, y0), (x1, y1), (20, 2))) + rng.normal(0, 0.05, (20, 2)),
            listed + rng.normal(0, 0.3 * surface.near_radius, listed.shape),
            # Where the old rules disagreed: between a quarter of the gap between minima (the
            # race) and 2% of the diagonal (the lab).
            listed + [0.9 * surface.near_radius, 0.0],
            listed - [0.0, 1.1 * surface.near_radius],
            np.reshape(surface.saddles, (-1, 2)),
        ]
    )
    for status in ("moving", "converged"):
        result = SimpleNamespace(final=points, status=np.full(len(points), status))
        outcome = basins.classify(surface, result)
        kinds = [basins.categories(surface, outcome.found)[c].kind for c in outcome.codes]
        lab = ["none" if k in (basins.OTHER, basins.NOT_CONVERGED) else k for k in kinds]
        assert lab == [race.classify(surface, p)[0] for p in points]
        assert {"global", "none"} <= set(lab)


def test_polishing_puts_rastrigins_lattice_of_wells_on_the_basin_map():
    # Published: Rastrigin has a local minimum near every integer point, 11 x 11 on its domain,
    # of which it lists 9. SGD with lr 0.002 (stable: curvature at a well bottom is about
    # 2 + 40 pi^2 ~ 397 < 2 / 0.002) settles in the well it starts in.
    outcome = basins.basin_map(optim_core.make("sgd", lr=0.002), RASTRIGIN, 60, 300)
    m = len(RASTRIGIN.minima)
    codes = outcome.codes
    assert np.mean(codes == m) + np.mean(codes == m + 1) < 0.01  # other, not converged
    assert np.mean(codes >= m + 3) > 0.85  # unlisted wells
    assert 100 <= len(outcome.found) <= 121 - m
    np.testing.assert_allclose(outcome.found, np.round(outcome.found), atol=0.03)
    labels = [c.label for c in basins.categories(RASTRIGIN, outcome.found)[m + 3 :]]
    assert len(set(labels)) == len(labels)
    assert all(label.startswith("local min at (") for label in labels)


def test_a_run_stopped_on_a_saddle_stays_other_after_polishing():
    # Rastrigin's saddle near (0.5025, 0.9950): a maximum in x, a minimum in y.
    saddle = surfaces.settle(RASTRIGIN, [[0.5, 1.0]])[0]
    result = SimpleNamespace(final=saddle, status=np.array(["converged"]))
    outcome = basins.classify(RASTRIGIN, result)
    assert basins.categories(RASTRIGIN, outcome.found)[outcome.codes[0]].kind == basins.OTHER


def test_combined_maps_share_one_code_per_minimum():
    first = end_points(RASTRIGIN, ["moving"] * 3)([[2.0, 2.0], [3.0, 0.0], [0.0, 0.01]])
    second = end_points(RASTRIGIN, ["moving"] * 2)([[3.01, 0.0], [-2.0, 4.0]])
    a, b = basins.classify(RASTRIGIN, first), basins.classify(RASTRIGIN, second)
    (codes_a, codes_b), found = basins.combine(RASTRIGIN, [a, b])
    cats = basins.categories(RASTRIGIN, found)
    assert len(found) == 3  # (2, 2), (3, 0), (-2, 4); the origin is listed
    assert codes_a[1] == codes_b[0] and cats[codes_a[1]].label == "local min at (2.98, 0.00)"
    assert codes_a[2] == 0
    for codes, result in ((codes_a, first), (codes_b, second)):
        points = np.array([cats[c].point for c in codes])
        np.testing.assert_allclose(points, np.round(result.final), atol=0.03)


def test_basin_maps_colour_found_minima_and_cap_their_legend():
    outcome = basins.basin_map(optim_core.make("sgd", lr=0.002), RASTRIGIN, 30, 300)
    xs, ys, _ = basins.grid_starts(RASTRIGIN.domain, 30)
    fig = fb.basin_maps(RASTRIGIN, xs, ys, {"SGD": outcome.codes}, outcome.found)
    colours = fb.category_colours(RASTRIGIN, outcome.found)
    m = len(RASTRIGIN.minima)
    assert all(c in palette.BASIN_COOL for c in colours[m + 3 :])
    heatmap = next(t for t in fig.data if isinstance(t, go.Heatmap))
    assert heatmap.zmax == len(colours) - 0.5
    hover = np.asarray(heatmap.text)
    assert any(str(t).startswith("local min at (") for t in hover.ravel())
    swatches = [t.name for t in fig.data if t.name and t.name.startswith("local min at")]
    assert len(swatches) == fb.FOUND_IN_LEGEND
