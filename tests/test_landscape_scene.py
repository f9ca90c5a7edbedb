"""scenes.playground.landscape and figures.landscape: the plane through the best run's final
weights, every run's path on it, a grid that covers them, honest numbers in the caption, and a
small animated figure whose frames move only the paths."""

import base64

import numpy as np
import pytest
from figure_asserts import assert_animates_over_the_surface_image

from figures.landscape import landscape_figure, log_loss, upsample
from mlp.landscape import project
from scenes import playground as pg
from scenes.optimizer_settings import LABELS


def xy(trace) -> np.ndarray:
    """The points ``(m, 2)`` of a trace whose x and y are packed float32 arrays."""
    columns = []
    for values in (trace.x, trace.y):
        data = values["bdata"] if isinstance(values, dict) else values.bdata
        columns.append(np.frombuffer(base64.b64decode(data), "<f4"))
    return np.column_stack(columns)


@pytest.fixture(scope="module")
def setting():
    train_set, test_set = pg.load_data("moons", 120, 0.2, 0, 0.2)
    net = pg.network((8,), 2, "tanh", "xent", 0)
    race = pg.race(
        train_set,
        test_set,
        net,
        [("sgd", {"lr": 0.1}), ("adam", {"lr": 0.02}), ("momentum", {"lr": 0.1})],
        epochs=30,
        batch_size=16,
        seed=1,
        resolution=3,
    )
    return race, net, train_set


@pytest.fixture(scope="module")
def pca(setting):
    return pg.landscape(*setting, resolution=15)


def test_the_plane_goes_through_the_best_runs_final_weights(setting, pca):
    race, _, _ = setting
    best = int(np.argmin([r.history.final_train_loss for r in race.runs]))
    assert pca.anchor == pg.best_run(race) == best
    final = race.runs[best].history.theta
    np.testing.assert_array_equal(pca.plane.origin, final)
    np.testing.assert_array_equal(project(pca.plane, final), [0.0, 0.0])
    np.testing.assert_allclose(pca.paths[best][-1], [0.0, 0.0], atol=1e-12)
    # every run starts from the same weights: one common first point
    for path in pca.paths:
        np.testing.assert_allclose(path[0], pca.paths[0][0], atol=1e-12)


def test_paths_follow_the_snapshots_and_the_grid_covers_them(setting, pca):
    race, _, _ = setting
    for run, epochs, path in zip(race.runs, pca.epochs, pca.paths, strict=True):
        assert list(epochs) == [e for e, _ in run.history.snapshots]
        assert path.shape == (len(epochs), 2)
        thetas = np.array([t for _, t in run.history.snapshots])
        np.testing.assert_allclose(
            path, (thetas - pca.plane.origin) @ np.stack([pca.plane.d1, pca.plane.d2]).T
        )
    points = np.concatenate([*pca.paths, np.zeros((1, 2))])
    assert pca.alphas[0] < points[:, 0].min() and points[:, 0].max() < pca.alphas[-1]
    assert pca.betas[0] < points[:, 1].min() and points[:, 1].max() < pca.betas[-1]
    assert pca.loss.shape == (15, 15)


def test_grid_values_are_the_training_loss_there(setting, pca):
    _, net, train_set = setting
    for i, j in [(0, 0), (7, 3), (14, 9)]:
        theta = pca.plane.at(pca.alphas[j], pca.betas[i])
        expected = net.evaluate(theta, train_set.X, train_set.y)[0]
        assert pca.loss[i, j] == pytest.approx(expected, rel=1e-5)


def test_explained_shares_are_consistent(pca):
    ev1, ev2 = pca.explained_variance
    assert 0 <= ev2 <= ev1 <= 1
    assert pca.captured_total == pytest.approx(ev1 + ev2)
    assert all(0 <= c <= 1 for c in pca.captured)


def test_random_plane_covers_one_filter_normalised_step(setting):
    ls = pg.landscape(*setting, kind="random", resolution=5, seed=3, anchor=0)
    assert ls.anchor == 0 and ls.plane.kind == "random"
    assert ls.alphas[0] < -1 and ls.alphas[-1] > 1 and ls.betas[0] < -1 and ls.betas[-1] > 1
    assert np.isnan(ls.explained_variance).all()
    assert all(0 <= c < 0.5 for c in ls.captured)  # random directions miss the paths


def test_a_diverged_run_keeps_its_finite_snapshots_and_is_not_the_anchor():
    train_set, _ = pg.load_data("moons", 80, 0.2, 0, 0.0)
    net = pg.network((16, 16), 2, "relu", "xent", 0)
    race = pg.race(
        train_set,
        None,
        net,
        [("sgd", {"lr": 100.0}), ("sgd", {"lr": 0.1})],
        epochs=10,
        batch_size=16,
        seed=0,
        resolution=3,
    )
    blown = race.runs[0]
    assert blown.diverged_at is not None
    ls = pg.landscape(race, net, train_set, resolution=5)
    assert ls.anchor == 1
    assert list(ls.epochs[0]) == [e for e, _ in blown.history.snapshots]
    assert np.isfinite(ls.paths[0]).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "hessian"}, "kind must be 'pca' or 'random'"),
        ({"anchor": 3}, "anchor must be an integer in 0..2"),
        ({"resolution": 1}, "resolution must be an integer in 2..200"),
    ],
)
def test_bad_settings_raise(setting, kwargs, message):
    with pytest.raises(ValueError, match=message):
        pg.landscape(*setting, **kwargs)


def test_caption_states_the_numbers_and_that_it_is_a_view(setting, pca):
    race, _, _ = setting
    text = pg.landscape_caption(pca)
    assert f"{LABELS[race.runs[pca.anchor].name]}'s final weights (the star)" in text
    assert f"{pca.captured_total:.0%}" in text
    for label, share in zip(["SGD", "Adam", "Momentum"], pca.captured, strict=True):
        assert f"{label} {share:.0%}" in text
    assert "not the whole story" in text
    assert f"{pca.plane.origin.size:,} weights" in text
    random_text = pg.landscape_caption(pg.landscape(*setting, kind="random", resolution=3))
    assert "random directions" in random_text and "not the whole story" in random_text


def test_log_loss_gives_every_value_a_colour():
    z = log_loss(np.array([[0.0, 0.1, 10.0], [np.inf, np.nan, 1.0]]))
    np.testing.assert_allclose(z, [[-1.0, -1.0, 1.0], [1.0, 1.0, 0.0]])


def test_upsample_is_exact_on_a_bilinear_function():
    xs, ys = np.linspace(-1, 2, 4), np.linspace(0, 1, 3)
    X, Y = np.meshgrid(xs, ys)
    fine = upsample(xs, ys, 2 * X - 3 * Y + 0.5 * X * Y, (7, 5))
    PX, PY = np.meshgrid(np.linspace(-1, 2, 7), np.linspace(0, 1, 5))
    np.testing.assert_allclose(fine, 2 * PX - 3 * PY + 0.5 * PX * PY, atol=1e-12)


def test_figure_animates_the_paths_over_a_still_surface(setting, pca):
    fig = landscape_figure(pca)
    assert_animates_over_the_surface_image(fig)
    race, _, _ = setting
    n = len(race.runs)
    # carrier, then (ghost, trail, head) per run, then the start and the anchor
    assert len(fig.data) == 1 + 3 * n + 2
    trails = [2 + 3 * i for i in range(n)]
    frames = fig.frames
    assert [f.name for f in frames] == [str(e) for e in pca.epochs[0]]
    for frame in frames:
        assert list(frame.traces) == [i for t in trails for i in (t, t + 1)]
    # the epoch-0 frame puts every head on the common start, the last frame (and the base
    # figure, which opens there) on each run's final weights
    for frame, row in ((frames[0], 0), (frames[-1], -1)):
        heads = frame.data[1::2]
        for head, path in zip(heads, pca.paths, strict=True):
            np.testing.assert_allclose(xy(head), path[[row]], atol=1e-3)
    for i, path in enumerate(pca.paths):
        np.testing.assert_allclose(xy(fig.data[3 + 3 * i]), path[-1:], atol=1e-3)
        np.testing.assert_allclose(xy(fig.data[2 + 3 * i]), path, atol=1e-3)  # full trail
    slider = fig.layout.sliders[0]
    assert slider.active == len(frames) - 1 and slider.currentvalue.prefix == "epoch "
    heads = [trace.name for trace in fig.data[3 : 3 * n + 1 : 3]]
    assert all("of its path in the plane" in h for h in heads)
    assert "%" in fig.layout.xaxis.title.text and "%" in fig.layout.yaxis.title.text


def test_figure_json_stays_small_with_four_optimizers_and_100_epochs():
    train_set, test_set = pg.load_data("moons", 300, 0.2, 0, 0.2)
    net = pg.network((16, 16), 2, "tanh", "xent", 0)
    runs = [("sgd", {"lr": 0.1}), ("momentum", {"lr": 0.1}), ("adam", {"lr": 0.01})]
    runs.append(("rmsprop", {"lr": 0.01}))
    race = pg.race(train_set, test_set, net, runs, epochs=100, batch_size=32, seed=0, resolution=3)
    for kind in ("pca", "random"):
        size = len(landscape_figure(pg.landscape(race, net, train_set, kind=kind)).to_json())
        assert size < 400_000, (kind, size)


@pytest.mark.parametrize(
    ("data", "hidden", "loss", "features"),
    [
        ("sine", (6,), "mae", None),
        ("blobs", (6,), "xent", None),
        ("circles", (), "xent", ("x1sq", "x2sq")),
    ],
    ids=["regression-mae", "three-classes", "features"],
)
def test_every_task_and_input_features(data, hidden, loss, features):
    train_set, _ = pg.load_data(data, 60, 0.1, 0, 0.0)
    net = pg.network(hidden, train_set.n_classes, "tanh", loss, 0, features)
    race = pg.race(train_set, None, net, [("adam", {"lr": 0.05})], 8, None, 0, resolution=3)
    ls = pg.landscape(race, net, train_set, resolution=4)
    theta = ls.plane.at(ls.alphas[1], ls.betas[2])
    assert ls.loss[2, 1] == pytest.approx(net.loss_value(theta, train_set.X, train_set.y), rel=1e-5)


def test_the_grid_shrinks_for_big_networks_and_data_sets():
    small = pg.network((16, 16), 2, "tanh", "xent", 0)
    assert pg.landscape_resolution(small, 240) == pg.LANDSCAPE_GRID
    big = pg.network((64,) * 6, 2, "tanh", "xent", 0)
    r = pg.landscape_resolution(big, 1600)
    assert r == pg.LANDSCAPE_MIN_GRID
    middle = pg.network((32, 32), 2, "tanh", "xent", 0)
    r = pg.landscape_resolution(middle, 1600)
    assert pg.LANDSCAPE_MIN_GRID < r < pg.LANDSCAPE_GRID
    assert r**2 * 1600 * 65 <= pg.LANDSCAPE_WORK < (r + 1) ** 2 * 1600 * 65
