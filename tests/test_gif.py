"""GIF export for slides and PNG stills: every GIF is read back with Pillow (not our encoder)
and checked against the data it shows, with pixel positions found in the picture itself (the
frame around the plot) and mapped from data coordinates here, not by the code under test."""

import io

import numpy as np
import pytest
from PIL import Image, ImageColor, ImageSequence
from plotly.colors import sample_colorscale, unlabel_rgb

import optim_core
import surfaces
from figures import gif, raster
from figures.palette import CLASS_COLORS, SURFACE_COLORSCALE, optimizer_color
from figures.sweep import lr_colors

SLIDE = (960, 720)
SMALL = (640, 480)  # the other scenes are checked at a smaller size: faster, and not the default
AXIS = np.array([60, 60, 60])  # the plot frame's colour


def frames(data: bytes) -> list[np.ndarray]:
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "GIF"
        return [np.asarray(f.convert("RGB")).astype(int) for f in ImageSequence.Iterator(im)]


def distinct(images) -> int:
    return len({f.tobytes() for f in images})


def colour(name: str) -> np.ndarray:
    if name.startswith("rgb"):
        return np.array(unlabel_rgb(name))
    return np.array(ImageColor.getrgb(name)[:3])


def plot_boxes(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The plot frames in a picture, left to right: (left, top, right, bottom) of each dark
    rectangle, found as long runs of the frame colour along rows and columns."""
    dark = np.linalg.norm(image - AXIS, axis=-1) < 20
    rows = np.flatnonzero(dark.sum(axis=1) > 150)
    top, bottom = rows.min(), rows.max()
    cols = np.flatnonzero(dark[top:bottom].sum(axis=0) > 0.8 * (bottom - top))
    edges = np.split(cols, np.flatnonzero(np.diff(cols) > 3) + 1)  # 2-px thick lines
    sides = [(e.min(), e.max()) for e in edges]
    return [(sides[i][1], top, sides[i + 1][0], bottom) for i in range(0, len(sides), 2)]


def to_pixel(box, domain, point) -> tuple[int, int]:
    """Where ``point`` lands in a plot frame ``box`` showing ``domain`` (y up)."""
    (x0, x1), (y0, y1) = domain
    left, top, right, bottom = box
    px = left + (point[0] - x0) / (x1 - x0) * (right - left)
    py = top + (y1 - point[1]) / (y1 - y0) * (bottom - top)
    return int(round(px)), int(round(py))


def nearest_distance(image, pixel, target, radius=3) -> float:
    """The smallest colour distance to ``target`` within ``radius`` pixels of ``pixel``."""
    x, y = pixel
    patch = image[y - radius : y + radius + 1, x - radius : x + radius + 1]
    return float(np.linalg.norm(patch - target, axis=-1).min())


def counter_box(image) -> tuple[int, int, int, int]:
    """The top right corner, where the step or epoch counter goes."""
    height, width = image.shape[:2]
    return width * 3 // 4, 0, width, height // 14


def region_changes(images, box) -> bool:
    x0, y0, x1, y1 = box
    crops = [f[y0:y1, x0:x1].tobytes() for f in images]
    return len(set(crops)) > 1


# ----------------------------------------------------------------------------------------------
# The race: Booth's function (minimum (1, 3), highest corner (-10, -10) while (-10, 10) is low:
# a picture flipped upside down fails), SGD with a rate past 2/L = 2/18, Adam converging.

BOOTH = surfaces.get("booth")


@pytest.fixture(scope="module")
def booth_race():
    return {
        "sgd": optim_core.run(optim_core.make("sgd", lr=0.13), BOOTH, BOOTH.start, 60),
        "adam": optim_core.run(optim_core.make("adam", lr=0.5), BOOTH, BOOTH.start, 60),
    }


@pytest.fixture(scope="module")
def race_gif(booth_race):
    assert booth_race["sgd"].status == "diverged" and booth_race["adam"].status == "moving"
    return gif.race_gif(BOOTH, booth_race, BOOTH.start, max_frames=30, frame_ms=80)


@pytest.fixture(scope="module")
def race_frames(race_gif):
    return frames(race_gif)


def test_race_gif_is_a_slide_sized_looping_animation(race_gif, race_frames):
    with Image.open(io.BytesIO(race_gif)) as im:
        assert im.size == SLIDE and im.info["loop"] == 0
        assert im.info["duration"] == 80
        im.seek(im.n_frames - 1)
        assert im.info["duration"] >= 1500  # the end state stays on screen
    assert len(race_frames) >= 20 and distinct(race_frames) >= 20
    assert all(f.shape == (SLIDE[1], SLIDE[0], 3) for f in race_frames)


def test_race_step_counter_advances(race_frames):
    corner = counter_box(race_frames[0])
    first, middle, last = race_frames[0], race_frames[len(race_frames) // 2], race_frames[-1]
    assert region_changes([first, middle], corner) and region_changes([middle, last], corner)


def test_race_draws_the_surface_right_side_up(race_frames):
    image = race_frames[0]
    (box,) = plot_boxes(image)
    low, high = (colour(c) for c in sample_colorscale(SURFACE_COLORSCALE, [0, 1]))

    def at(point):
        x, y = to_pixel(box, BOOTH.domain, point)
        return np.median(image[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3), axis=0)

    def nearer(point, ours, other):
        return np.linalg.norm(at(point) - ours) < np.linalg.norm(at(point) - other)

    assert nearer((1.0 + 1.5, 3.0 - 1.5), low, high)  # in the valley, beside the star
    assert nearer((-9.6, -9.6), high, low)  # the highest corner, f = 2594 there
    # ... darker than its mirror image (f = 234): the picture is not upside down.
    assert np.linalg.norm(at((-9.6, -9.6)) - low) > np.linalg.norm(at((-9.6, 9.6)) - low) + 10


def test_race_paths_end_where_the_runs_are(booth_race, race_frames):
    image = race_frames[-1]
    (box,) = plot_boxes(image)
    adam = booth_race["adam"]
    target = colour(optimizer_color("adam"))
    assert nearest_distance(image, to_pixel(box, BOOTH.domain, adam.path[-1]), target, 2) < 30
    # The trail: a point midway along the path, drawn in the same colour.
    assert nearest_distance(image, to_pixel(box, BOOTH.domain, adam.path[25]), target) < 40
    # ... and not yet on the first frame.
    assert nearest_distance(race_frames[0], to_pixel(box, BOOTH.domain, adam.path[25]), target) > 60


def test_race_legend_tells_the_divergence_only_once_it_happened(race_frames):
    (box,) = plot_boxes(race_frames[0])
    legend = (box[2] + 10, box[1], race_frames[0].shape[1], box[3])
    # Frame 1 shows step 2, long before SGD leaves: the legend is as it was at the start.
    assert not region_changes(race_frames[:2], legend)
    assert region_changes([race_frames[0], race_frames[-1]], legend)


def test_race_rejects_bad_input(booth_race):
    with pytest.raises(ValueError, match="empty"):
        gif.race_gif(BOOTH, {}, BOOTH.start)
    with pytest.raises(ValueError, match="size"):
        gif.race_gif(BOOTH, booth_race, BOOTH.start, size=(10, 10))
    with pytest.raises(ValueError, match="frame_ms"):
        gif.race_gif(BOOTH, booth_race, BOOTH.start, frame_ms=10)
    with pytest.raises(ValueError, match="max_frames"):
        gif.race_gif(BOOTH, booth_race, BOOTH.start, max_frames=1)


# ----------------------------------------------------------------------------------------------
# The learning-rate lab: SGD on the quadratic bowl, some rates past 2/L.

QUADRATIC = surfaces.get("quadratic")
RATES = np.geomspace(0.02, 0.5, 6)


@pytest.fixture(scope="module")
def sweep_run():
    lrs = RATES.reshape(-1, 1)
    opt = optim_core.make("sgd", lr=lrs)
    return optim_core.run(opt, QUADRATIC, np.tile(QUADRATIC.start, (len(lrs), 1)), 60)


@pytest.fixture(scope="module")
def sweep_frames(sweep_run):
    r = sweep_run
    assert "diverged" in r.status and "moving" in r.status
    data = gif.sweep_gif(
        QUADRATIC, QUADRATIC.start, RATES, r.path, r.stop_step, r.status, max_frames=30, size=SMALL
    )
    return frames(data)


def test_sweep_gif_animates_each_rate_in_its_colour(sweep_run, sweep_frames):
    assert len(sweep_frames) >= 20 and distinct(sweep_frames) >= 20
    assert region_changes([sweep_frames[0], sweep_frames[-1]], counter_box(sweep_frames[0]))
    image = sweep_frames[-1]
    (box,) = plot_boxes(image)
    colours = lr_colors(RATES)
    ends = sweep_run.path[:, -1]
    for i in np.flatnonzero(sweep_run.status == "moving"):
        if any(np.linalg.norm(ends[i + 1 :] - ends[i], axis=1) < 0.3):
            continue  # a later head covers this one
        end = to_pixel(box, QUADRATIC.domain, ends[i])
        assert nearest_distance(image, end, colour(colours[i]), 2) < 30


def test_sweep_diverging_runs_leave_the_view(sweep_run, sweep_frames):
    (box,) = plot_boxes(sweep_frames[0])
    for i in np.flatnonzero(sweep_run.status == "diverged"):
        x, y = to_pixel(box, QUADRATIC.domain, sweep_run.path[i, sweep_run.stop_step[i]])
        assert not (box[0] <= x <= box[2] and box[1] <= y <= box[3])


def test_sweep_legend_tells_outcomes_only_once_they_happened(sweep_frames):
    (box,) = plot_boxes(sweep_frames[0])
    legend = (box[2] + 10, box[1], sweep_frames[0].shape[1], box[3])
    assert region_changes([sweep_frames[0], sweep_frames[-1]], legend)


def test_many_rates_get_a_colour_bar(sweep_run):
    lrs = np.geomspace(1e-3, 0.5, 12)
    r = optim_core.run(
        optim_core.make("sgd", lr=lrs.reshape(-1, 1)),
        QUADRATIC,
        np.tile(QUADRATIC.start, (12, 1)),
        30,
    )
    animation = gif.sweep_animation(
        QUADRATIC, QUADRATIC.start, lrs, r.path, r.stop_step, r.status, size=(640, 480)
    )
    (last,) = animation.render([animation.count - 1])
    image = np.asarray(last).astype(int)
    # Both ends of the learning-rate colour scale appear beside the plot, in the bar.
    (box,) = plot_boxes(image)
    side = image[:, box[2] + 5 :].reshape(-1, 3)
    for end in lr_colors([1e-3, 0.5]):
        assert np.linalg.norm(side - colour(end), axis=1).min() < 20


@pytest.mark.parametrize(
    ("lr", "text"),
    [(1e-3, "1e-3"), (2.5e-4, "2.5e-4"), (1e-6, "1e-6"), (0.01, "0.01"), (0.5, "0.5"), (3, "3")],
)
def test_learning_rates_are_written_as_typed_not_with_si_prefixes(lr, text):
    assert gif.lr_text(lr) == text


def test_sweep_rejects_mismatched_shapes(sweep_run):
    with pytest.raises(ValueError, match="path"):
        gif.sweep_gif(QUADRATIC, QUADRATIC.start, RATES[:3], sweep_run.path, sweep_run.stop_step)


# ----------------------------------------------------------------------------------------------
# The minima lab's multi-start on Himmelblau's function.

HIMMELBLAU = surfaces.get("himmelblau")


@pytest.fixture(scope="module")
def multistart_paths():
    starts = np.random.default_rng(3).uniform(-4.5, 4.5, size=(8, 2))
    return {
        name: optim_core.run(optim_core.make(name, lr=lr), HIMMELBLAU, starts, 60).path
        for name, lr in (("sgd", 0.01), ("adam", 0.1))
    }


def test_multistart_gif_moves_every_head(multistart_paths):
    images = frames(gif.multistart_gif(HIMMELBLAU, multistart_paths, max_frames=30, size=SMALL))
    assert len(images) >= 20 and distinct(images) >= 20
    assert region_changes([images[0], images[-1]], counter_box(images[0]))
    (box,) = plot_boxes(images[-1])
    target = colour(optimizer_color("adam"))  # drawn last, so on top
    for end in multistart_paths["adam"][:, -1]:
        assert nearest_distance(images[-1], to_pixel(box, HIMMELBLAU.domain, end), target, 2) < 30


def test_multistart_rejects_paths_of_different_shapes(multistart_paths):
    bad = {"sgd": multistart_paths["sgd"], "adam": multistart_paths["adam"][:, :10]}
    with pytest.raises(ValueError, match="alike"):
        gif.multistart_gif(HIMMELBLAU, bad)


# ----------------------------------------------------------------------------------------------
# MLP decision boundaries, from hand-made probability grids: P(class 1) rises from left (class
# 0, orange) to right (class 1, blue), more sharply with every epoch.

XS = YS = np.linspace(-1.0, 1.0, 20)
EPOCHS = list(range(25))


def _grids(speed: float) -> list[np.ndarray]:
    X, _ = np.meshgrid(XS, YS)
    return [1 / (1 + np.exp(-speed * (e + 1) * X)) for e in EPOCHS]


TRAIN = (np.array([[-0.5, 0.8], [0.5, -0.8]]), np.array([0, 1]))


@pytest.fixture(scope="module")
def boundary_frames():
    panels = [("SGD", EPOCHS, _grids(0.5)), ("Adam", EPOCHS, _grids(1.0))]
    accuracy = [[0.5 + e / 100 for e in EPOCHS], [0.6] * 15 + [float("nan")]]
    data = gif.boundaries_gif(
        panels, XS, YS, TRAIN, None, 2, accuracy=accuracy, frame_ms=100, size=SMALL
    )
    return frames(data)


def test_boundaries_gif_shades_each_side_in_its_class_colour(boundary_frames):
    assert len(boundary_frames) >= 20 and distinct(boundary_frames) >= 20
    image = boundary_frames[-1]
    boxes = plot_boxes(image)
    assert len(boxes) == 2
    domain = ((-1.0, 1.0), (-1.0, 1.0))
    for box in boxes:
        left = image[to_pixel(box, domain, (-0.8, 0.0))[::-1]]
        right = image[to_pixel(box, domain, (0.8, 0.0))[::-1]]
        assert np.linalg.norm(left - colour(CLASS_COLORS[0])) < 40
        assert np.linalg.norm(right - colour(CLASS_COLORS[1])) < 40
    # Points on top, in their class colour.
    point = to_pixel(boxes[0], domain, TRAIN[0][0])
    assert nearest_distance(image, point, colour(CLASS_COLORS[0]), 1) < 30


def test_boundaries_epoch_counter_and_titles_follow_the_epoch(boundary_frames):
    first, last = boundary_frames[0], boundary_frames[-1]
    assert region_changes([first, last], counter_box(first))
    boxes = plot_boxes(first)
    titles = [(b[0], b[1] - 40, b[2], b[1] - 2) for b in boxes]  # the line above each panel
    assert all(region_changes([first, last], t) for t in titles)


def test_panel_status_names_the_divergence_from_its_epoch_on():
    f = raster.font(19)
    accuracy = [0.5, 0.75, 0.8, float("nan")]
    assert gif._panel_status(accuracy, 2, "train", f, 1000) == "epoch 2 · train acc 80%"
    assert gif._panel_status(accuracy, 3, "train", f, 1000) == "diverged at epoch 3"
    assert gif._panel_status(accuracy, 9, "test", f, 1000) == "diverged at epoch 3"
    assert gif._panel_status(accuracy, 1, "train", f, 60) == "train acc 75%"  # narrow panel


def test_boundaries_with_three_classes_colour_the_predicted_class():
    X, _ = np.meshgrid(XS, YS)
    sure = np.stack([X < -0.3, np.abs(X) <= 0.3, X > 0.3], axis=-1) * 0.9 + 0.1 / 3
    panels = [("Adam", [0, 1], [np.full_like(sure, 1 / 3), sure])]
    animation = gif.boundaries_animation(panels, XS, YS, TRAIN, None, 3, size=(640, 480))
    (last,) = animation.render([animation.count - 1])
    image = np.asarray(last).astype(int)
    (box,) = plot_boxes(image)
    right = image[to_pixel(box, ((-1, 1), (-1, 1)), (0.8, -0.2))[::-1]]
    assert np.linalg.norm(right - colour(CLASS_COLORS[2])) < 40
    with pytest.raises(ValueError, match="n_classes"):
        gif.boundaries_gif(panels, XS, YS, TRAIN, None, 7)


# ----------------------------------------------------------------------------------------------
# Stills for the home page, and the drawing helpers


def test_still_png_is_the_last_frame_at_thumbnail_size(booth_race):
    data = gif.still_png(gif.race_animation(BOOTH, booth_race, BOOTH.start, size=gif.THUMBNAIL))
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG" and im.size == gif.THUMBNAIL
        image = np.asarray(im.convert("RGB")).astype(int)
    (box,) = plot_boxes(image)
    end = to_pixel(box, BOOTH.domain, booth_race["adam"].path[-1])
    assert nearest_distance(image, end, colour(optimizer_color("adam")), 2) < 30


@pytest.mark.parametrize(
    ("lo", "hi", "ticks"),
    [(-4.5, 4.5, [-4, -2, 0, 2, 4]), (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]), (-6, 10, [-5, 0, 5, 10])],
)
def test_ticks_are_round_numbers_inside_the_range(lo, hi, ticks):
    values, _ = raster.nice_ticks(lo, hi, 5)
    np.testing.assert_allclose(values, ticks)


def test_tick_text_shows_the_decimals_the_step_needs():
    assert [raster.tick_text(v, 0.25) for v in (-0.5, 0.0, 0.25)] == ["-0.50", "0", "0.25"]
    assert raster.tick_text(-2.0, 2.0) == "-2" and raster.tick_text(1.5, 0.5) == "1.5"


def test_text_the_font_lacks_is_written_plainly():
    f = raster.font(20)
    assert raster.drawable("Café x² − y₁", f) == "Cafe x2 - y1"
    assert raster.drawable("Adam · epoch 3", f) == "Adam · epoch 3"


def test_segments_are_cut_at_the_box():
    a = np.array([[-5.0, 5.0], [2.0, 2.0], [20.0, 20.0], [np.nan, 1.0]])
    b = np.array([[5.0, 5.0], [8.0, 8.0], [30.0, 20.0], [2.0, 2.0]])
    start, end, visible = raster.clip_segments(a, b, (0, 0, 10, 10))
    assert visible.tolist() == [True, True, False, False]
    np.testing.assert_allclose(start[:2], [[0, 5], [2, 2]])
    np.testing.assert_allclose(end[:2], [[5, 5], [8, 8]])


def test_paths_are_split_where_they_leave_the_box_and_never_joined_to_each_other():
    inside = np.array([[1.0, 1.0], [2.0, 1.0], [3.0, 1.0]])
    leaves = np.array([[5.0, 5.0], [5.0, 15.0], [6.0, 15.0], [6.0, 5.0], [7.0, 5.0]])
    lines = raster.visible_polylines([inside, leaves], (0, 0, 10, 10))
    assert [i for i, _ in lines] == [0, 1, 1]
    np.testing.assert_allclose(lines[0][1], inside)
    np.testing.assert_allclose(lines[1][1], [[5, 5], [5, 10]])
    np.testing.assert_allclose(lines[2][1], [[6, 10], [6, 5], [7, 5]])
