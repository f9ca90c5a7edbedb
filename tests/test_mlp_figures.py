"""figures.mlp: one heatmap per optimizer, frames that only touch the heatmaps, one shared
slider, a bounded number of frames, honest colours and gaps for diverged curves."""

import numpy as np
import plotly.graph_objects as go
import pytest

from figures import mlp as figures
from mlp.datasets import Dataset
from mlp.train import History

R = 5  # grid resolution in these tests
XS = YS = np.linspace(-1.0, 1.0, R)
TRAIN = Dataset(np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5]]), np.array([0, 1, 1]), "toy", 2)
TEST = Dataset(np.array([[0.5, -0.5]]), np.array([0]), "toy", 2)


def constant_grids(epochs, offset=0.0):
    """A grid per epoch whose every value encodes the epoch: P = (epoch + offset) / 1000."""
    return [np.full((R, R), (e + offset) / 1000) for e in epochs]


def figure(panels, n_classes=2, **kw) -> go.Figure:
    return figures.boundary_figure(panels, XS, YS, TRAIN, TEST, n_classes, **kw)


def heatmaps(fig) -> list:
    return [t for t in fig.data if t.type == "heatmap"]


@pytest.mark.parametrize("n_panels", [1, 2, 3, 4])
def test_one_heatmap_per_optimizer_and_frames_update_only_heatmaps(n_panels):
    epochs = list(range(0, 11))
    panels = [(f"run {i}", epochs, constant_grids(epochs, 100 * i)) for i in range(n_panels)]
    fig = figure(panels)
    assert len(heatmaps(fig)) == n_panels
    # heatmaps are traces 0..P-1; each panel has its train and test points on top
    assert [t.type for t in fig.data[:n_panels]] == ["heatmap"] * n_panels
    assert sum(t.type == "scatter" for t in fig.data) == 2 * n_panels
    assert [f.name for f in fig.frames] == [str(e) for e in epochs]
    for frame in fig.frames:
        assert list(frame.traces) == list(range(n_panels))
        assert [d.type for d in frame.data] == ["heatmap"] * n_panels
    # frame "7" shows every panel's epoch-7 grid (z = (7 + 100 i) / 1000 everywhere)
    seven = fig.frames[7]
    for i, data in enumerate(seven.data):
        np.testing.assert_allclose(np.asarray(data.z), (7 + 100 * i) / 1000)


def test_one_shared_slider_and_play_redraws():
    epochs = [0, 2, 4, 6]
    fig = figure([("a", epochs, constant_grids(epochs)), ("b", epochs, constant_grids(epochs))])
    assert len(fig.layout.sliders) == 1
    slider = fig.layout.sliders[0]
    names = {f.name for f in fig.frames}
    assert [s.args[0][0] for s in slider.steps] == ["0", "2", "4", "6"]
    assert {s.args[0][0] for s in slider.steps} == names
    assert all(s.args[1]["frame"]["redraw"] for s in slider.steps)
    assert slider.active == len(epochs) - 1  # opens at the trained state ...
    np.testing.assert_allclose(np.asarray(fig.data[0].z), 6 / 1000)  # ... which the base shows
    play = next(b for b in fig.layout.updatemenus[0].buttons if "Play" in b.label)
    assert play.args[0] is None and play.args[1]["frame"]["redraw"] is True
    assert play.args[1]["fromcurrent"] is False  # Play starts from epoch 0


def test_frame_count_is_bounded_and_keeps_first_and_last_epoch():
    epochs = list(range(0, 501))
    fig = figure([("a", epochs, constant_grids(epochs))], max_frames=40)
    names = [int(f.name) for f in fig.frames]
    assert len(names) <= 40
    assert names[0] == 0 and names[-1] == 500
    assert names == sorted(set(names))
    assert figures.frame_epochs(range(10), 60) == list(range(10))


def test_diverged_run_holds_its_last_snapshot():
    long, short = list(range(0, 11)), [0, 1, 2]
    fig = figure([("ok", long, constant_grids(long)), ("diverged", short, constant_grids(short))])
    last = fig.frames[-1]
    np.testing.assert_allclose(np.asarray(last.data[0].z), 10 / 1000)
    np.testing.assert_allclose(np.asarray(last.data[1].z), 2 / 1000)


def test_binary_shading_is_the_probability_with_orange_white_blue():
    grid = np.linspace(0, 1, R * R).reshape(R, R)
    np.testing.assert_allclose(figures.shade(grid), np.round(grid, 3))
    scale = figures.colorscale(2)
    assert scale[0] == [0.0, figures.CLASS_COLORS[0]] and scale[-1] == [
        1.0,
        figures.CLASS_COLORS[1],
    ]
    assert scale[1] == [0.5, "#ffffff"]
    assert np.all(figures.shade(np.full((2, 2), np.nan)) == 0.5)  # diverged: undecided


def test_multiclass_shading_is_class_plus_confidence():
    k = 3
    grid = np.zeros((1, 3, k))
    grid[0, 0] = [1 / 3, 1 / 3, 1 / 3]  # undecided: class 0, confidence 0
    grid[0, 1] = [0.0, 0.0, 1.0]  # sure of class 2
    grid[0, 2] = [0.1, 0.6, 0.3]  # class 1, confidence (0.6 - 1/3) / (2/3) = 0.4
    np.testing.assert_allclose(figures.shade(grid)[0], [0.0, 2.999, 1.4])
    scale = figures.colorscale(k)
    positions = [p for p, _ in scale]
    assert positions[0] == 0 and positions[-1] == 1 and positions == sorted(positions)
    fig = figure([("a", [0], [np.full((R, R, k), 1 / k)])], n_classes=3)
    assert fig.data[0].zmax == 3 and fig.data[0].showscale is False


def test_points_are_coloured_by_class_with_distinct_markers():
    fig = figures.dataset_preview(TRAIN, TEST)
    train, test = fig.data
    assert train.marker.symbol != test.marker.symbol
    assert list(train.marker.color) == [figures.CLASS_COLORS[c] for c in (0, 1, 1)]
    assert list(test.marker.color) == [figures.CLASS_COLORS[0]]
    assert len(figures.dataset_preview(TRAIN, None).data) == 1


def test_curves_have_train_and_test_per_optimizer_and_gaps_for_blown_up_values():
    ok = History(
        train_loss=[0.7, 0.5, 0.3],
        train_accuracy=[0.5, 0.8, 0.9],
        test_loss=[0.7, 0.6, 0.4],
        test_accuracy=[0.5, 0.7, 0.85],
    )
    blown = History(train_loss=[0.7, float("inf")], train_accuracy=[0.5, float("nan")])
    fig = figures.curves_figure([("adam", ok), ("sgd", blown)])
    names = [t.name for t in fig.data]
    # Adam: train and test, loss and accuracy; SGD: train only
    assert names == ["Adam (train)"] * 2 + ["Adam (test)"] * 2 + ["SGD (train)"] * 2
    assert list(fig.data[4].y) == [0.7, None] and list(fig.data[5].y) == [0.5, None]
    assert fig.layout.yaxis.type == "log"
    assert fig.data[2].line.dash == "dash" and fig.data[0].line.dash == "solid"
