"""figures.mlp: one animated figure of the training (a boundary image per optimizer, titles and
curve masks that follow the frames, nothing told before its epoch), images that read back as
the grids they were drawn from, smooth three-class boundaries, a bounded payload."""

import base64
import io
import json

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from figures import mlp as figures
from figures.palette import CLASS_COLORS
from figures.prebuilt import to_spec
from mlp.datasets import Dataset
from mlp.train import History
from scenes.playground import Run

R = 5  # grid resolution in these tests
XS = YS = np.linspace(-1.0, 1.0, R)
TRAIN = Dataset(np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5]]), np.array([0, 1, 1]), "toy", 2)
TEST = Dataset(np.array([[0.5, -0.5]]), np.array([0]), "toy", 2)


def history(accuracy, test_accuracy=None, diverged_at=None) -> History:
    """A history whose accuracy at epoch e is ``accuracy[e]`` (loss 1 - accuracy)."""
    h = History(
        train_loss=[1.0 - a if np.isfinite(a) else float("inf") for a in accuracy],
        train_accuracy=list(accuracy),
        diverged_at_epoch=diverged_at,
    )
    if test_accuracy is not None:
        h.test_loss = [1.0 - a for a in test_accuracy]
        h.test_accuracy = list(test_accuracy)
    return h


def run(name, epochs, grids, accuracy=None, **kw) -> Run:
    accuracy = accuracy if accuracy is not None else np.linspace(0.5, 0.9, max(epochs) + 1)
    return Run(name, {}, history(accuracy, **kw), list(epochs), list(grids))


def constant_grids(epochs, value=lambda e: e / 1000):
    return [np.full((R, R), value(e)) for e in epochs]


def figure(runs, n_classes=2, train=TRAIN, test=TEST, **kw) -> go.Figure:
    return figures.training_figure(runs, XS, YS, train, test, n_classes, **kw)


def rgb(uri: str) -> np.ndarray:
    """A PNG data URI as (h, w, 3) RGB."""
    png = base64.b64decode(uri.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def titles(fig, frame) -> list[str]:
    n = len(fig.layout.images)
    return [d.text[0] for d in frame.data[:n]]


def unpack(spec) -> np.ndarray:
    """A plotly typed array ({"dtype": "f4", "bdata": ...}) as numbers."""
    spec = spec if isinstance(spec, dict) else spec.to_plotly_json()
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=spec["dtype"])


@pytest.mark.parametrize("n_panels", [1, 2, 3, 4])
def test_one_image_per_optimizer_and_frames_carry_images_titles_and_masks(n_panels):
    epochs = list(range(0, 11))
    names = ["sgd", "momentum", "nag", "adam"][:n_panels]
    fig = figure([run(n, epochs, constant_grids(epochs)) for n in names])
    images = fig.layout.images
    axes = [str(i + 1) if i else "" for i in range(n_panels)]  # plotly's names: x, x2, ...
    assert [(im.xref, im.yref) for im in images] == [(f"x{a}", f"y{a}") for a in axes]
    assert [f.name for f in fig.frames] == [str(e) for e in epochs]
    for frame in fig.frames:
        assert len(frame.layout.images) == n_panels
        animated = [fig.data[i] for i in frame.traces]
        # every panel's title (a text trace in that panel), then the two curve masks
        assert [t.mode for t in animated] == ["text"] * n_panels + ["lines"] * 2
        assert [t.xaxis for t in animated[:n_panels]] == [f"x{a}" for a in axes]
        assert [t.fill for t in animated[n_panels:]] == ["toself"] * 2
    assert len(fig.layout.sliders) == 1
    play = next(b for b in fig.layout.updatemenus[0].buttons if "Play" in b.label)
    assert play.args[1]["frame"]["redraw"] is False  # images follow without a full redraw


def test_images_follow_the_frames_and_the_figure_opens_at_epoch_0():
    epochs = [0, 5, 10]
    grids = constant_grids(epochs, lambda e: 0.02 if e == 0 else 0.98)  # undecided -> blue
    fig = figure([run("adam", epochs, grids)])
    orange, blue = hex_rgb(CLASS_COLORS[0]), hex_rgb(CLASS_COLORS[1])
    first = rgb(fig.frames[0].layout.images[0].source)
    last = rgb(fig.frames[-1].layout.images[0].source)
    assert np.abs(first - orange).max() < 12 and np.abs(last - blue).max() < 12
    assert fig.layout.images[0].source == fig.frames[0].layout.images[0].source
    assert fig.layout.sliders[0].active == 0


def test_titles_follow_the_frames_and_never_tell_the_ending_first():
    epochs = list(range(0, 21))
    accuracy = np.round(np.linspace(0.41, 0.97, 21), 2)
    test_accuracy = np.round(np.linspace(0.43, 0.93, 21), 2)
    fig = figure(
        [run("adam", epochs, constant_grids(epochs), accuracy, test_accuracy=test_accuracy)]
    )
    for frame in fig.frames:
        e = int(frame.name)
        (text,) = titles(fig, frame)
        assert f"epoch {e}<br>" in text and "Adam" in text
        assert f"train {accuracy[e]:.0%}" in text and f"test {test_accuracy[e]:.0%}" in text
    first = titles(fig, fig.frames[0])[0]
    assert "97%" not in first and "93%" not in first
    assert fig.data[fig.frames[0].traces[0]].text[0] == first  # the figure opens there


def test_divergence_is_told_from_its_epoch_on():
    epochs = list(range(0, 11))
    accuracy = [0.5, 0.6, 0.7, 0.75, 0.8, float("nan")]
    blown = run("sgd", [0, 1, 2, 3, 4], constant_grids(range(5)), accuracy, diverged_at=5)
    ok = run("adam", epochs, constant_grids(epochs))
    fig = figure([blown, ok])
    for frame in fig.frames:
        sgd, adam = titles(fig, frame)
        assert ("diverged at epoch 5" in sgd) == (int(frame.name) >= 5)
        assert "diverged" not in adam
    # the diverged run holds its last finite boundary
    assert fig.frames[-1].layout.images[0].source == fig.frames[4].layout.images[0].source


def test_masks_cover_the_curves_right_of_the_shown_epoch():
    epochs = list(range(0, 31, 3))
    fig = figure([run("adam", epochs, constant_grids(epochs), np.linspace(0.5, 0.9, 31))])
    for frame in fig.frames:
        for mask in frame.data[-2:]:
            assert mask.x[0] == int(frame.name) and max(mask.x) == 30


def test_frame_count_is_bounded_and_keeps_first_and_last_epoch():
    epochs = list(range(0, 501))
    assert figures.frame_epochs(range(10), 60) == list(range(10))
    names = [int(e) for e in figures.frame_epochs(epochs, 40)]
    assert len(names) <= 40 and names[0] == 0 and names[-1] == 500
    fig = figure([run("adam", epochs[::10], constant_grids(epochs[::10]), np.full(501, 0.5))])
    assert len(fig.frames) <= figures.MAX_FRAMES
    assert fig.frames[0].name == "0" and fig.frames[-1].name == "500"


def test_curves_have_train_and_test_per_optimizer_and_gaps_for_blown_up_values():
    ok = run("adam", [0, 1, 2], constant_grids([0, 1, 2]), [0.5, 0.8, 0.9], test_accuracy=[0.5] * 3)
    blown = run("sgd", [0, 1], constant_grids([0, 1]), [0.5, float("nan")], diverged_at=1)
    fig = figure([ok, blown])
    curves = [t for t in fig.data if t.mode == "lines" and t.fill != "toself"]
    assert [t.name for t in curves] == ["Adam (train)"] * 2 + ["Adam (test)"] * 2 + [
        "SGD (train)"
    ] * 2
    assert curves[2].line.dash == "dash" and curves[0].line.dash == "solid"
    loss, accuracy = (unpack(t.y) for t in curves[4:6])
    assert loss[0] == pytest.approx(0.5) and np.isnan(loss[1])  # inf leaves a gap
    assert accuracy[0] == pytest.approx(0.5) and np.isnan(accuracy[1])
    loss_axis = fig.layout[f"yaxis{2 + 1}"]
    assert loss_axis.type == "log" and fig.layout[f"yaxis{2 + 2}"].title.text == "accuracy"


def test_boundary_image_reads_back_as_the_probabilities():
    # P(class 1) rises from 0 at the left to 1 at the right, and does not depend on y
    grid = np.tile(np.linspace(0.0, 1.0, 9), (9, 1))
    pixels = rgb(figures.boundary_image(grid, 2, size=90))
    orange, blue, white = hex_rgb(CLASS_COLORS[0]), hex_rgb(CLASS_COLORS[1]), np.full(3, 255.0)
    assert np.abs(pixels[:, 0] - orange).max() < 12
    assert np.abs(pixels[:, -1] - blue).max() < 12
    assert np.abs(pixels[:, 44:46] - white).max() < 20  # P = 1/2 in the middle: undecided
    # rows: the top of the image is the largest y
    rising = np.tile(np.linspace(0.0, 1.0, 9)[:, None], (1, 9))  # P grows with y
    pixels = rgb(figures.boundary_image(rising, 2, size=90))
    assert np.abs(pixels[0] - blue).max() < 12 and np.abs(pixels[-1] - orange).max() < 12


def test_three_class_boundaries_are_smooth_not_blocky():
    # softmax of logits linear in (x, y): straight boundaries at angles the 5 x 5 grid cannot
    # follow cell by cell
    x = np.linspace(-1, 1, R)
    X, Y = np.meshgrid(x, x)
    logits = np.stack([3 * X + Y, -3 * X + 2 * Y, -Y], axis=-1) * 4
    grid = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    size = 100
    pixels = rgb(figures.boundary_image(grid, 3, size=size))
    classes = np.argmin(
        [np.abs(pixels - hex_rgb(c)).sum(axis=-1) for c in CLASS_COLORS[:3]], axis=0
    )  # nearest full class colour; tints are nearer their own class than the others
    # where class 0 (on the right) begins along each row: a staircase of 5 x 5 cells would give
    # at most 5 positions
    edges = {int(np.argmax(row == 0)) for row in classes if row[0] != 0 and (row == 0).any()}
    assert len(edges) > 4 * R
    # and the image agrees with the argmax of the probabilities at its pixel centres
    truth = figures.upsample(grid, size)[::-1].argmax(axis=-1)
    assert np.mean(classes == truth) > 0.97


def test_upsample_is_bilinear_between_the_grid_points_at_the_pixel_centres():
    rows, cols = np.meshgrid(np.arange(R), np.arange(R), indexing="ij")
    grid = 2.0 * rows - 3.0 * cols + 0.5 * rows * cols
    size = 23
    fine = figures.upsample(grid, size)
    # pixel q's centre sits at grid coordinate (q + 1/2) R / size - 1/2 (clamped at the edges)
    at = (np.arange(size) + 0.5) * R / size - 0.5
    t = np.clip(at, 0, R - 1)
    TR, TC = np.meshgrid(t, t, indexing="ij")
    np.testing.assert_allclose(fine, 2 * TR - 3 * TC + 0.5 * TR * TC, atol=1e-4)
    start, length = figures.image_box(XS)  # the image's extent: centres on the grid points
    centres = start + (np.arange(size) + 0.5) * length / size
    np.testing.assert_allclose(centres, XS[0] + at * (XS[1] - XS[0]), atol=1e-12)


def test_binary_shading_is_the_probability_with_orange_white_blue():
    grid = np.linspace(0, 1, R * R).reshape(R, R)
    np.testing.assert_allclose(figures.shade(grid), np.round(grid, 3))
    scale = figures.colorscale(2)
    assert scale[0] == [0.0, CLASS_COLORS[0]] and scale[-1] == [1.0, CLASS_COLORS[1]]
    assert scale[1] == [0.5, "#ffffff"]
    assert np.all(figures.shade(np.full((2, 2), np.nan)) == 0.5)  # diverged: undecided
    palette = figures.band_palette(2)
    assert len(palette) == figures.BINARY_LEVELS
    assert np.abs(palette[0] - hex_rgb(CLASS_COLORS[0])).max() < 10
    assert palette[len(palette) // 2].min() > 240  # white in the middle


def test_multiclass_shading_is_class_plus_confidence():
    k = 3
    grid = np.zeros((1, 3, k))
    grid[0, 0] = [1 / 3, 1 / 3, 1 / 3]  # undecided: class 0, confidence 0
    grid[0, 1] = [0.0, 0.0, 1.0]  # sure of class 2
    grid[0, 2] = [0.1, 0.6, 0.3]  # class 1, confidence (0.6 - 1/3) / (2/3) = 0.4
    np.testing.assert_allclose(figures.shade(grid)[0], [0.0, 2.999, 1.4])
    L = figures.CLASS_LEVELS
    assert list(figures.bands(grid, k)[0]) == [0, 2 * L + L - 1, L + int(0.4 * L)]


def test_regression_colours_predictions_and_points_on_one_scale():
    targets = Dataset(TRAIN.X, np.array([-2.0, 0.5, 1.0]), "r", 0, "regression")
    h = History(train_loss=[1.0, 0.5], train_r2=[-0.5, 0.8])
    fig = figures.training_figure(
        [Run("adam", {}, h, [0, 1], constant_grids([0, 1]))], XS, YS, targets, None, 0
    )
    points = next(t for t in fig.data if t.name == "train points")
    assert (points.marker.cmin, points.marker.cmax) == (-2.0, 2.0)
    bar = next(t for t in fig.data if t.marker.showscale)
    assert bar.marker.colorbar.title.text == "prediction"
    assert fig.layout[f"yaxis{1 + 2}"].title.text == "R²"
    assert "R² train 0.80" in titles(fig, fig.frames[-1])[0]


def test_the_colour_bar_has_room_for_its_title():
    fig = figure([run("adam", [0, 1], constant_grids([0, 1]))])
    bar = next(t for t in fig.data if t.marker.showscale).marker.colorbar
    assert bar.title.text == "P(class 1)" and bar.title.side == "right"
    assert bar.x >= 1 and fig.layout.margin.r >= 90  # in the right margin, wide enough
    assert not [
        t
        for t in figure([run("adam", [0], [np.ones((R, R, 3)) / 3])], 3).data
        if t.marker.showscale
    ]


def test_a_canvas_is_an_invisible_click_grid_under_the_drawn_points():
    drawn = Dataset(np.array([[1.2, -0.4], [0.0, 2.0]]), np.array([0, 3]), "drawn", 4)
    fig = figures.data_figure(drawn, None, canvas=6.0)
    grid = fig.data[0]
    x, y = unpack(grid.x), unpack(grid.y)
    assert len(x) == 61 * 61 and x.min() == pytest.approx(-6) and y.max() == pytest.approx(6)
    assert grid.marker.opacity == 0
    colours = [t.marker.color for t in fig.data[1:]]
    assert colours == [CLASS_COLORS[0], CLASS_COLORS[3]]
    assert list(fig.layout.xaxis.range) == [-6, 6] and fig.layout.xaxis.fixedrange


def test_payload_stays_small_with_four_optimizers_500_epochs_and_2000_points():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    train, test = Dataset(X[:1600], y[:1600], "d", 2), Dataset(X[1600:], y[1600:], "d", 2)
    xs = np.linspace(-3, 3, 40)
    GX, GY = np.meshgrid(xs, xs)
    epochs = list(range(0, 501, 10))
    runs = []
    for i, name in enumerate(["sgd", "momentum", "nag", "adam"]):
        grids = [  # a boundary that turns and sharpens as the epochs go by
            1 / (1 + np.exp(-(1 + e / 50) * (np.cos(e / 90 + i) * GX + np.sin(e / 90) * GY * GX)))
            for e in epochs
        ]
        runs.append(run(name, epochs, grids, rng.uniform(0.5, 1, 501), test_accuracy=[0.5] * 501))
    fig = figures.training_figure(runs, xs, xs, train, test, 2)
    size = len(to_spec(fig))
    assert size < 1_500_000, size
    assert json.loads(to_spec(fig))["frames"]  # a real, serialisable animation


def test_loss_ticks_are_written_out_and_denser_on_short_ranges():
    assert figures.log_ticks(-0.8, 0.1) == [0.2, 0.5, 1]
    assert figures.log_ticks(-1.7, 0.1) == [0.03, 0.1, 0.3, 1]
    assert figures.log_ticks(-3.2, 0.3) == [0.001, 0.01, 0.1, 1]
