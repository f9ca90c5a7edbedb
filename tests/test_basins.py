"""Basins of attraction (``scenes.basins``) and their figures (``figures.basins``)."""

import base64
import io
import re
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

import optim_core
import surfaces
from figures import basins as fb
from figures import palette, prebuilt
from scenes import basins, budget, race
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
    fig = fb.maps_figure(RASTRIGIN, {"SGD": outcome.codes}, outcome.found)
    colours = fb.category_colours(RASTRIGIN, outcome.found)
    m = len(RASTRIGIN.minima)
    assert all(c in palette.BASIN_COOL for c in colours[m + 3 :])
    hover = next(t for t in fig.data if t.hovertemplate and "ends:" in t.hovertemplate)
    assert any(str(t).startswith("local min at (") for t in hover.text)
    swatches = [t.name for t in fig.data if t.name and t.name.startswith("local min at")]
    assert len(swatches) == fb.FOUND_IN_LEGEND
    more = len(outcome.found) - fb.FOUND_IN_LEGEND
    assert any(t.name == f"+ {more} more local minima (hover)" for t in fig.data)


# ----------------------------------------------------------------------------------------------
# Basin maps as images (issue 12: 7 MB of heatmaps at four 300 x 300 maps)


def png_pixels(source: str) -> np.ndarray:
    """A data-URI PNG decoded by Pillow, as (h, w, 3) ints."""
    data = base64.b64decode(source.split(",", 1)[1])
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB")).astype(int)


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


@pytest.fixture(scope="module")
def himmelblau_maps():
    """Newton's fractal map and SGD's smooth one, 300 x 300 starts (Newton is fast here)."""
    maps = [
        basins.basin_map(optim_core.make("newton"), HIMMELBLAU, 300, 30),
        basins.basin_map(optim_core.make("sgd", lr=0.01), HIMMELBLAU, 300, 30),
    ]
    (newton, sgd), found = basins.combine(HIMMELBLAU, maps)
    return {"Newton": newton, "SGD": sgd}, found


def test_maps_are_layout_images_whose_pixels_are_the_codes(himmelblau_maps):
    maps, found = himmelblau_maps
    fig = fb.maps_figure(HIMMELBLAU, maps, found, contours=False)
    assert not [t for t in fig.data if t.type in ("heatmap", "contour")]
    images = fig.layout.images
    assert [(i.xref, i.yref) for i in images] == [("x", "y"), ("x2", "y2")]
    colours = [rgb(c) for c in fb.category_colours(HIMMELBLAU, found)]
    xs, ys, _ = basins.grid_starts(HIMMELBLAU.domain, 300)
    for image, codes in zip(images, maps.values(), strict=True):
        pixels = png_pixels(image.source)
        h, w, _ = pixels.shape
        # The image spans the domain widened by half a grid cell; the test maps each start to
        # its pixel from the image's own placement.
        rng = np.random.default_rng(1)
        for i, j in rng.integers(0, 300, size=(200, 2)):
            col = int((xs[j] - image.x) / image.sizex * w)
            row = int((image.y - ys[i]) / image.sizey * h)
            np.testing.assert_array_equal(pixels[row, col], colours[codes[i, j]])


def test_level_lines_darken_the_basin_colour_along_the_surfaces_contours(himmelblau_maps):
    maps, found = himmelblau_maps
    plain = png_pixels(
        fb.maps_figure(HIMMELBLAU, maps, found, contours=False).layout.images[0].source
    )
    lined = png_pixels(fb.maps_figure(HIMMELBLAU, maps, found).layout.images[0].source)
    changed = np.any(plain != lined, axis=-1)
    assert 0.01 < changed.mean() < 0.2  # thin lines, not a wash
    # Every changed pixel is its basin colour scaled by CONTOUR_SHADE (translucent black).
    np.testing.assert_allclose(
        lined[changed], (fb.CONTOUR_SHADE * plain[changed]).astype(int), atol=1
    )
    # Lines follow the surface: across a line the (log-scaled) loss changes band. Independent
    # check: the loss at changed pixels crosses a band edge of the display scale within a pixel.
    h, w = changed.shape
    image = fb.maps_figure(HIMMELBLAU, maps, found).layout.images[0]
    rows, cols = np.nonzero(changed)
    pick = np.random.default_rng(0).choice(len(rows), 300, replace=False)
    x = image.x + (cols[pick] + 0.5) / w * image.sizex
    y = image.y - (rows[pick] + 0.5) / h * image.sizey
    dx, dy = image.sizex / w, image.sizey / h
    floor = min(m.value for m in HIMMELBLAU.minima)
    grid = HIMMELBLAU.value(
        np.stack(np.meshgrid(np.linspace(-5.03, 5.03, 400), np.linspace(-5.03, 5.03, 400)), -1)
    )
    delta = max(float(grid.max() - floor) * 1e-6, 1e-12)

    def band(px, py):
        z = np.log10(np.maximum(HIMMELBLAU.value(np.stack([px, py], -1)) - floor, 0) + delta)
        return z

    centre = band(x, y)
    neighbours = [band(x + dx, y), band(x, y - dy), band(x - dx, y), band(x, y + dy)]
    spread = np.max(neighbours, axis=0) - np.min([centre, *neighbours], axis=0)
    assert np.median(spread) > 0  # the loss varies across every line pixel


def test_four_maps_of_300_by_300_starts_stay_under_the_payload_bound(himmelblau_maps):
    maps, found = himmelblau_maps
    rastrigin = basins.basin_map(optim_core.make("sgd", lr=0.002), RASTRIGIN, 300, 60)
    four = {f"map {i}": rastrigin.codes for i in range(4)}
    for surface, codes, f in (
        (HIMMELBLAU, {**maps, "Newton again": maps["Newton"], "SGD again": maps["SGD"]}, found),
        (RASTRIGIN, four, rastrigin.found),
    ):
        fig = fb.maps_figure(surface, codes, f, width=1400, height=800)
        size = len(prebuilt.to_spec(fig))
        assert size < 1.5e6 * 0.5, size  # the page's whole budget is 1.5 MB


@pytest.mark.parametrize("count", [1, 2, 3, 4])
@pytest.mark.parametrize(("width", "height"), [(930, 550), (1090, 730), (1200, 650)])
def test_maps_layout_fills_the_width_or_the_height_and_nothing_overlaps(count, width, height):
    labels = [c.label.split(" (")[0] for c in basins.categories(WELLS)]
    box = fb.maps_layout(count, width, height, labels)
    side, rows, cols = box["side"], box["rows"], box["cols"]
    assert rows * cols >= count and (rows - 1) * cols < count
    used_w = box["left"] + cols * side + (cols - 1) * box["gap_x"] + box["right"]
    used_h = box["top"] + rows * side + (rows - 1) * box["gap_y"] + box["bottom"]
    assert used_w <= width + 1 and used_h <= height + 1
    # Limited by one of the two: the maps fill the width, or the height the screen allows.
    assert width - used_w < 2 or height - used_h < 2
    assert box["height"] == pytest.approx(used_h, abs=1)


def test_legend_sits_beside_or_below_the_maps_never_on_them(himmelblau_maps):
    maps, found = himmelblau_maps
    for width, height, count in ((930, 550, 1), (930, 550, 4), (1090, 730, 2)):
        codes = dict(list({**maps, "c": maps["SGD"], "d": maps["Newton"]}.items())[:count])
        fig = fb.maps_figure(HIMMELBLAU, codes, found, width=width, height=height)
        legend = fig.layout.legend
        right_edges = [
            fig.layout[f"xaxis{'' if i == 0 else i + 1}"].domain[1] for i in range(count)
        ]
        if legend.orientation == "h":  # below: under the x axis title
            tick_and_title = 14 + 18
            plot_h = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
            assert legend.y * plot_h <= -tick_and_title
        else:
            assert legend.x >= max(right_edges)


def test_hover_grid_names_the_outcome_of_the_start_under_the_pointer(himmelblau_maps):
    maps, found = himmelblau_maps
    fig = fb.maps_figure(HIMMELBLAU, maps, found)
    hovers = [t for t in fig.data if t.hovertemplate and "ends:" in t.hovertemplate]
    assert len(hovers) == 2 and len(hovers[0].text) <= (fb.HOVER_GRID + 1) ** 2
    cats = basins.categories(HIMMELBLAU, found)
    xs, ys, _ = basins.grid_starts(HIMMELBLAU.domain, 300)
    for hover, codes in zip(hovers, maps.values(), strict=True):
        hx = np.frombuffer(base64.b64decode(hover.x["bdata"]), "<f4")
        hy = np.frombuffer(base64.b64decode(hover.y["bdata"]), "<f4")
        for x, y, text in list(zip(hx, hy, hover.text, strict=True))[::37]:
            j, i = np.argmin(np.abs(xs - x)), np.argmin(np.abs(ys - y))
            assert cats[codes[i, j]].label.startswith(text)


def test_maps_use_lecture_type_sizes(himmelblau_maps):
    maps, found = himmelblau_maps
    for present, tick in ((False, 14), (True, 19)):
        fig = fb.maps_figure(HIMMELBLAU, maps, found, present=present)
        assert fig.layout.xaxis.tickfont.size >= tick
        assert all(a.font.size >= 15 for a in fig.layout.annotations)


# ----------------------------------------------------------------------------------------------
# Second-order and quasi-Newton methods colour maps too


def newton_by_hand(start, steps=50):
    """Newton's method on Himmelblau with its derivatives written out here (not the library's);
    None for a run that leaves the escape box (the domain widened by 5 widths: |x|, |y| > 55)."""
    x, y = start
    for _ in range(steps):
        a, b = x * x + y - 11, x + y * y - 7
        gx, gy = 4 * x * a + 2 * b, 2 * a + 4 * y * b
        hxx, hxy, hyy = 12 * x * x + 4 * y - 42, 4 * (x + y), 4 * x + 12 * y * y - 26
        det = hxx * hyy - hxy * hxy
        x, y = x - (hyy * gx - hxy * gy) / det, y - (hxx * gy - hxy * gx) / det
        if not (abs(x) <= 55 and abs(y) <= 55):
            return None
    return np.array([x, y])


def test_newton_basins_match_a_hand_written_newton_iteration():
    _, _, starts = basins.grid_starts(HIMMELBLAU.domain, 30)
    codes = basins.basin_map(optim_core.make("newton"), HIMMELBLAU, 30, 50).codes.ravel()
    cats = basins.categories(HIMMELBLAU)
    # Published critical points of Himmelblau: four minima, four saddles, one local maximum.
    maximum = np.array([-0.270845, -0.923039])
    checked = 0
    for start, code in list(zip(starts, codes, strict=True))[::7]:
        end = newton_by_hand(start)
        if end is None:
            assert cats[code].kind == basins.DIVERGED
            continue
        checked += 1
        if cats[code].kind == "global":
            np.testing.assert_allclose(end, cats[code].point, atol=1e-3)
        else:  # Newton stopped where there is no minimum: a saddle or the maximum
            assert cats[code].kind == basins.OTHER
            critical = np.array([*HIMMELBLAU.saddles, maximum])
            assert np.min(np.hypot(*(critical - end).T)) < 1e-3, end
    assert checked > 100


def test_newton_stops_on_saddles_and_the_maximum_where_saddle_free_newton_does_not():
    maps = {
        name: basins.basin_map(optim_core.make(name), HIMMELBLAU, 60, 30).codes
        for name in ("newton", "saddle_free_newton")
    }
    other = len(HIMMELBLAU.minima)  # code of "other"
    assert np.mean(maps["newton"] == other) > 0.2
    assert np.mean(maps["saddle_free_newton"] == other) < 0.01


def test_levenberg_marquardt_needs_a_sum_of_squares():
    assert "sum-of-squares" in basins.cannot_run(WELLS, "levenberg_marquardt")
    assert basins.cannot_run(surfaces.get("rosenbrock"), "levenberg_marquardt") is None
    assert basins.info(("wells",)).cannot.keys() == {"levenberg_marquardt"}
    # On Rosenbrock (a sum of squares) it draws a map: every start reaches (1, 1).
    codes = basins.basin_map(
        optim_core.make("levenberg_marquardt"), surfaces.get("rosenbrock"), 20, 100
    ).codes
    assert np.mean(codes == 0) > 0.95


# ----------------------------------------------------------------------------------------------
# Multi-start: the animation ends when the last run settles; the ending is not told early


def settle_by_loop(surface, path) -> list[int]:
    """The reference: for each run, walk back from the end until a point is too far."""
    tolerance = basins.SETTLED * basins.diagonal(surface.domain)
    out = []
    for run in np.asarray(path, dtype=float):
        t = len(run) - 1
        while t > 0 and np.hypot(*(run[t - 1] - run[-1])) <= tolerance:
            t -= 1
        out.append(t)
    return out


def test_settle_steps_match_a_loop():
    starts = basins.random_starts(WELLS.domain, 30, seed=2)
    path = optim_core.run(optim_core.make("momentum", lr=0.05), WELLS, starts, 400).path
    assert list(basins.settle_steps(WELLS, path)) == settle_by_loop(WELLS, path)
    still = np.repeat(starts[:, None], 5, axis=1)
    assert list(basins.settle_steps(WELLS, still)) == [0] * 30


def synthetic_paths(stops: list[int], steps: int = 300) -> np.ndarray:
    """Runs that move in a straight line until step ``stop`` and stay there."""
    k = len(stops)
    t = np.minimum(np.arange(steps + 1)[None, :], np.array(stops)[:, None])
    start = np.linspace(-2.5, 2.5, k)[:, None]
    return np.stack([start + 0.0 * t, -2.5 + 0.01 * t], axis=-1)


def test_multistart_frames_end_at_the_last_step_any_run_moved():
    paths = {"sgd": synthetic_paths([40, 120, 75]), "adam": synthetic_paths([10, 20, 30])}
    end = basins.last_moving_step(WELLS, paths)
    assert end == 120
    cut = {n: p[:, : end + 1] for n, p in paths.items()}
    fig = fb.multistart_figure(WELLS, cut)
    assert fig.frames[-1].name == "120" and fig.frames[0].name == "0"
    assert_animates_over_the_surface_image(fig)


def test_multistart_frame_zero_tells_no_outcome_and_the_last_tells_all():
    starts = basins.random_starts(WELLS.domain, 20, seed=0)
    paths, kinds = {}, {}
    for name, lr in (("sgd", 0.1), ("adam", 0.3)):
        result = optim_core.run(optim_core.make(name, lr=lr), WELLS, starts, 300)
        paths[name] = result.path
        cats = basins.categories(WELLS)
        kinds[name] = np.array([cats[c].kind for c in basins.classify(WELLS, result).codes])
    end = basins.last_moving_step(WELLS, paths)
    fig = fb.multistart_figure(WELLS, {n: p[:, : end + 1] for n, p in paths.items()}, kinds)
    board = fig.data[-1]
    assert board.mode == "markers+text"
    outcome_words = ("global", "local", "diverged", "saddle")
    assert not any(w in line for line in board.text for w in outcome_words), board.text
    first = fig.frames[0].data[-1].text
    assert first == board.text and all("20 on the way" in line for line in first)
    last = fig.frames[-1].data[-1].text
    for name, line in zip(paths, last, strict=True):
        globals_ = int(np.sum(kinds[name] == "global"))
        assert f"{globals_} global" in line and "on the way" not in line


def test_multistart_trails_fade_and_frames_carry_only_moving_traces():
    starts = basins.random_starts(WELLS.domain, 7, seed=0)
    paths = {
        name: optim_core.run(optim_core.make(name, lr=0.1), WELLS, starts, 300).path
        for name in ("sgd", "momentum")
    }
    fig = fb.multistart_figure(WELLS, paths, max_frames=50)
    assert_animates_over_the_surface_image(fig)
    animated = list(fig.frames[0].traces)
    assert len(animated) == 2 * 3 + 1  # pale trail, recent segment, heads; the scoreboard
    assert len(fig.frames) <= 50
    trails = [fig.data[i] for i in animated[:-1] if fig.data[i].mode == "lines"]
    assert sorted({t.opacity for t in trails}) == [0.35, 0.9]
    # Last frame: heads at the runs' last positions (float32, rounded).
    heads = np.frombuffer(base64.b64decode(fig.frames[-1].data[2]["x"]["bdata"]), "<f4")
    np.testing.assert_allclose(heads, paths["sgd"][:, -1, 0], atol=1e-4)


def test_multistart_payload_stays_bounded_at_the_largest_setting():
    starts = basins.random_starts(WELLS.domain, basins.MAX_STARTS, seed=0)
    paths = {
        name: optim_core.run(optim_core.make(name, lr=0.02), WELLS, starts, 1000).path
        for name in ("sgd", "momentum", "nag", "adam")
    }
    fig = fb.multistart_figure(WELLS, paths)
    assert fb.MIN_FRAMES <= len(fig.frames) <= fb.MAX_FRAMES
    assert len(prebuilt.to_spec(fig)) < 1.2e6


def test_multistart_gif_is_a_slide_sized_animation_that_ends_when_the_runs_settle():
    cfg = basins.MultiConfig(
        ("wells",), (("sgd", (("lr", 0.1), ("weight_decay", 0.0))),), 8, 0, 300
    )
    data = basins.multistart_gif(cfg, 70)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "GIF" and image.size == (960, 720)
        count = image.n_frames
    starts = basins.random_starts(WELLS.domain, 8, 0)
    path = optim_core.run(optim_core.make("sgd", lr=0.1), WELLS, starts, 300).path
    end = max(settle_by_loop(WELLS, path))
    assert count == len(fb.frame_steps(end, 120))


# ----------------------------------------------------------------------------------------------
# Bounded work: the cost model refuses before any work and names the largest setting that fits


def values_for(surface: str, **settings) -> dict:
    values = {k: p.default for k, p in basins.spec(surface).items()}
    values.update({f"basin.{k}": v for k, v in settings.items()})
    return values


def test_defaults_and_presets_fit_the_budget():
    assert basins.too_much(values_for("wells"), basins.info(("wells",))) is None
    for key, preset in basins.PRESETS.items():
        values = {**values_for(preset.surface), **basins.preset_values(key)}
        assert basins.too_much(values, basins.info((preset.surface,))) is None, key


def test_ackley_at_the_largest_grid_is_refused_with_the_largest_grid_that_fits():
    # Measured before the cost model: these settings took 32.5 s.
    values = values_for(
        "ackley", grid=300, steps=1000, optimizers=["sgd", "momentum", "nag", "adam"]
    )
    values.update({f"basin.{n}.lr": 2e-6 for n in ("sgd", "momentum", "nag", "adam")})
    info = basins.info(("ackley",))
    message = basins.too_much(values, info)
    match = re.search(r"at most (\d+)x(\d+) starts at 1,000 steps with four optimizers", message)
    assert match, message
    n = int(match.group(1))
    names = values["basin.optimizers"]
    assert basins.estimate_maps(info.cost, names, n, 1000) <= budget.SECONDS
    assert basins.estimate_maps(info.cost, names, n + 1, 1000) > budget.SECONDS
    assert basins.MIN_GRID <= n < 300


def test_a_costly_multistart_is_refused_with_the_most_starts_that_fit():
    values = values_for(
        "logistic_mse",
        view="multistart",
        starts=200,
        steps=1000,
        optimizers=["bfgs", "lbfgs", "cg", "levenberg_marquardt"],
    )
    message = basins.too_much(values, basins.info(("logistic_mse",)))
    assert message and ("at most" in message)


def test_the_cost_model_grows_with_every_setting_and_with_a_formulas_size():
    cost = basins.info(("rastrigin",)).cost
    base = basins.estimate_maps(cost, ["sgd"], 100, 300)
    assert basins.estimate_maps(cost, ["sgd"], 200, 300) > base
    assert basins.estimate_maps(cost, ["sgd"], 100, 600) > base
    assert basins.estimate_maps(cost, ["sgd", "bfgs"], 100, 300) > base
    small = basins.step_costs(("formula", "x^2 + y^2", ((-1.0, 1.0), (-1.0, 1.0))))
    big = basins.step_costs(
        (
            "formula",
            "sin(x)*cos(y) + exp(-x^2 - y^2)*tanh(x*y) + sqrt(1 + x^2)",
            ((-1.0, 1.0), (-1.0, 1.0)),
        )
    )
    assert basins.estimate_maps(big, ["adam"], 100, 300) > basins.estimate_maps(
        small, ["adam"], 100, 300
    )


# ----------------------------------------------------------------------------------------------
# Typed formulas and presets


def test_a_typed_formula_has_basins_around_the_minima_surfaces_critical_finds():
    ref = ("formula", basins.DEFAULT_FORMULA, ((-2.0, 2.0), (-2.0, 2.0)))
    info = basins.info(ref)
    surface = basins.resolve(ref)
    # (x^2 - 1)^2 + (y^2 - 1)^2 + 0.3 x: four wells near (±1, ±1); the tilt makes x < 0 lower.
    points = sorted((round(m.point[0]), round(m.point[1]), m.kind) for m in surface.minima)
    assert points == [(-1, -1, "global"), (-1, 1, "global"), (1, -1, "local"), (1, 1, "local")]
    cfg = basins.map_configs(
        {
            **values_for("wells"),
            "basin.grid": 40,
            "basin.optimizers": ["sgd"],
            "basin.sgd.lr": info.rates["sgd"],
        },
        ref,
    )[0]
    codes = basins.map_job(cfg).codes
    assert np.mean(codes < 4) > 0.95  # nearly every start reaches one of the four wells
    assert 0.3 < basins.global_share(surface, codes) < 0.7  # about the half with x < 0


def test_presets_fix_surface_optimizers_and_rates_and_are_recognised():
    for key, preset in basins.PRESETS.items():
        values = {**values_for(preset.surface), **basins.preset_values(key)}
        assert basins.active_preset(values) == key
        values["basin.grid"] = preset.grid + 10
        assert basins.active_preset(values) is None
    newton = basins.PRESETS["newton_fractal"]
    assert newton.surface == "himmelblau" and newton.grid >= 150
    assert set(newton.optimizers) == {"newton", "saddle_free_newton", "sgd", "bfgs"}
