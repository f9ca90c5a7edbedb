"""scenes.playground: settings and presets, data (built-in, drawn, uploaded), the cost model
against the training it prices, fair races, the metrics row, the jobs a worker runs."""

import math

import numpy as np
import pytest

import optim_core
from mlp import MLP, train
from mlp.datasets import Dataset, make, split, standardize
from mlp.train import probability_grid
from mlp.userdata import read_csv, to_csv
from scenes import budget, params
from scenes import playground as pg

SPEC = pg.spec()


def settings(**changes) -> dict:
    """The page's defaults with ``changes`` given as URL text (``hidden="8,8"``)."""
    values = {k: p.default for k, p in SPEC.items()}
    for name, text in changes.items():
        key = f"mlp.{name.replace('__', '.')}"
        values[key] = SPEC[key].parse(text)
    values.update(pg.consistent(values))
    return values


def scene_config(csv: bytes | None = None, **changes) -> pg.Config:
    values = settings(**changes)
    ref = pg.data_ref(values, csv)
    return pg.config(values, ref, *pg.load(ref))


@pytest.mark.parametrize(
    ("text", "widths"),
    [
        ("16,16", (16, 16)),
        (" 8 , 4 ", (8, 4)),
        ("", ()),
        ("64", (64,)),
        ("1,2,3,4,5,6", tuple(range(1, 7))),
    ],
)
def test_parse_hidden_accepts_zero_to_six_layers_of_one_to_64_units(text, widths):
    assert pg.parse_hidden(text) == widths


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("65", "1 to 64 units"),
        ("0", "1 to 64 units"),
        ("1,1,1,1,1,1,1", "at most 6 hidden layers"),
        ("8,x", "whole numbers"),
        ("-3", "whole numbers"),
        ("2.5", "whole numbers"),
    ],
)
def test_parse_hidden_rejects_with_a_readable_message(text, message):
    with pytest.raises(ValueError, match=message):
        pg.parse_hidden(text)


def test_load_data_standardises_with_the_training_statistics():
    train_set, test_set = pg.load_data("moons", 200, 0.1, 3, 0.25)
    raw_train, raw_test = split(make("moons", 200, noise=0.1, seed=3), 0.25, seed=3)
    assert (len(train_set), len(test_set)) == (150, 50)
    np.testing.assert_allclose(train_set.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(train_set.X.std(axis=0), 1)
    mu, sd = raw_train.X.mean(axis=0), raw_train.X.std(axis=0)
    np.testing.assert_allclose(test_set.X, (raw_test.X - mu) / sd)
    assert pg.load_data("moons", 100, 0.1, 3, 0.0)[1] is None


def test_blobs_noise_is_the_cluster_spread():
    train_set, _ = pg.load_data("blobs", 90, 0.2, 1, 0.0)
    reference = standardize(
        split(make("blobs", 90, seed=1, centers=3, cluster_std=1.0), 0.0, seed=1)[0]
    )
    np.testing.assert_array_equal(train_set.X, reference.X)
    assert train_set.n_classes == 3


def test_network_output_matches_the_number_of_classes():
    assert pg.network((8,), 2, "tanh", "xent", 0).sizes == (2, 8, 1)
    assert pg.network((8,), 2, "tanh", "xent", 0).loss == "bce"
    three = pg.network((), 3, "relu", "xent", 0)
    assert three.sizes == (2, 3) and three.loss == "ce"
    assert pg.network((4,), 3, "tanh", "mse", 0).loss == "mse"


def test_race_is_fair_same_start_same_batches():
    train_set, test_set = pg.load_data("moons", 100, 0.2, 0, 0.2)
    net = pg.network((8,), 2, "tanh", "xent", 0)
    race = pg.race(
        train_set,
        test_set,
        net,
        [("sgd", {"lr": 0.1}), ("adam", {"lr": 0.01}), ("sgd", {"lr": 0.1})],
        epochs=12,
        batch_size=16,
        seed=5,
        resolution=7,
    )
    sgd, adam, sgd_again = race.runs
    # identical start: the epoch-0 boundary of every run is the untrained network's
    xlim, ylim = (race.xs[0], race.xs[-1]), (race.ys[0], race.ys[-1])
    start = probability_grid(net, net.init_params(), xlim, ylim, 7)[2]
    for run in race.runs:
        assert run.epochs[0] == 0
        np.testing.assert_array_equal(run.grids[0], start)
    # identical batches: the same optimizer twice gives the same history, bit for bit
    assert sgd.history.train_loss == sgd_again.history.train_loss
    assert adam.history.train_loss != sgd.history.train_loss
    assert adam.epochs == sgd.epochs == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]


def test_race_reports_progress_up_to_one():
    train_set, _ = pg.load_data("xor", 60, 0.0, 0, 0.0)
    seen = []
    pg.race(
        train_set,
        None,
        pg.network((4,), 2, "tanh", "xent", 0),
        [("sgd", {"lr": 0.1}), ("adam", {"lr": 0.01})],
        epochs=5,
        batch_size=None,
        seed=0,
        progress=seen.append,
        resolution=3,
    )
    assert seen == sorted(seen) and len(seen) == 10
    assert seen[4] == pytest.approx(0.5) and seen[-1] == pytest.approx(1.0)


def test_summary_says_diverged_or_that_the_loss_rose():
    train_set, test_set = pg.load_data("moons", 100, 0.2, 0, 0.2)
    race = pg.race(
        train_set,
        test_set,
        pg.network((16, 16), 2, "relu", "xent", 0),
        [("sgd", {"lr": 100.0}), ("sgd", {"lr": 0.1})],
        epochs=10,
        batch_size=16,
        seed=0,
        resolution=3,
    )
    blown, fine = (pg.summary(run) for run in race.runs)
    assert blown["outcome"] == f"diverged at epoch {race.runs[0].diverged_at}"
    assert np.isnan(blown["train accuracy"]) and np.isnan(blown["test accuracy"])
    assert fine["outcome"] == "trained 10 epochs (50 steps)"  # 80 points / 16 = 5 a epoch
    # a tanh network cannot overflow, but a huge step still ruins it: said in words
    quiet = pg.race(
        train_set,
        test_set,
        pg.network((16, 16), 2, "tanh", "xent", 0),
        [("sgd", {"lr": 100.0})],
        epochs=10,
        batch_size=16,
        seed=0,
        resolution=3,
    ).runs[0]
    assert quiet.diverged_at is None
    assert "loss rose from" in pg.summary(quiet)["outcome"]
    assert pg.summary(quiet)["outcome"].endswith("learning rate too large?")
    assert pg.epochs_to([0.5, 0.8, 0.95, 0.91], 0.9) == 2
    assert pg.epochs_to([0.5, 0.8], 0.9) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9" * 10_000, "at most 100 characters, such as 16, 16; got 10,000"),
        ("1" * 99, "each hidden layer has 1 to 64 units, got 1111"),
        ("16,²", "whole numbers, got '²'"),
        ("١٢", "whole numbers"),  # Arabic-Indic digits: str.isdigit() is True for them
    ],
)
def test_parse_hidden_bounds_hostile_text_before_converting(text, message):
    with pytest.raises(ValueError, match=message):
        pg.parse_hidden(text)


def test_parse_hidden_accepts_leading_zeros():
    assert pg.parse_hidden("0016, 064") == (16, 64)


def test_check_data_needs_two_points_and_two_classes():
    two = Dataset(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]), "d", 2)
    assert pg.check_data(two) is None
    assert "needs at least 2" in pg.check_data(two.like(two.X[:1], two.y[:1]))
    assert "1 class only" in pg.check_data(two.like(two.X, np.array([1, 1])))
    flat = Dataset(two.X, np.array([0.5, 0.5]), "r", 0, "regression")
    assert pg.check_data(flat) is None


def test_regression_race_keeps_fairness_and_reports_r2():
    train_set, test_set = pg.load_data("plane", 120, 0.1, 2, 0.25)
    assert train_set.task == "regression" and train_set.n_classes == 0
    net = pg.network((6,), 0, "tanh", "mae", 0, features=("x1", "x2", "x1x2"))
    assert net.task == "regression" and net.loss == "mae" and net.sizes == (3, 6, 1)
    race = pg.race(
        train_set,
        test_set,
        net,
        [("adam", {"lr": 0.02}), ("sgd", {"lr": 0.1}), ("adam", {"lr": 0.02})],
        epochs=15,
        batch_size=16,
        seed=4,
        resolution=6,
    )
    first, _, again = race.runs
    assert first.history.train_r2 == again.history.train_r2  # same start, same batches
    start = net.predict(net.init_params(), np.column_stack([race.xs, race.ys]))
    np.testing.assert_allclose(np.diag(first.grids[0]), start)  # grid = predictions
    row = pg.summary(first)
    assert set(row) == {
        "train loss",
        "train R²",
        "test loss",
        "test R²",
        "epochs to 0.9 train R²",
        "outcome",
    }
    assert row["train R²"] == pytest.approx(net.r2(first.history.theta, train_set.X, train_set.y))
    with pytest.raises(ValueError, match="regression takes 'mse' or 'mae'"):
        pg.network((6,), 0, "tanh", "xent", 0)


def test_summary_reports_exact_final_training_metrics():
    train_set, _ = pg.load_data("moons", 100, 0.2, 0, 0.0)
    net = pg.network((8,), 2, "tanh", "xent", 0)
    run = pg.race(train_set, None, net, [("adam", {"lr": 0.02})], 20, 10, 0, resolution=3).runs[0]
    row = pg.summary(run)
    assert row["train accuracy"] == net.accuracy(run.history.theta, train_set.X, train_set.y)
    assert row["train loss"] == pytest.approx(
        net.loss_value(run.history.theta, train_set.X, train_set.y)
    )


def test_prepare_scales_uploaded_regression_targets_on_request():
    data = Dataset(
        np.random.default_rng(0).normal(size=(40, 2)),
        np.linspace(100, 500, 40),
        "up",
        0,
        "regression",
    )
    train_set, test_set = pg.prepare(data, 0.25, seed=1, scale_targets=True)
    assert train_set.y.mean() == pytest.approx(0, abs=1e-12)
    assert train_set.y.std() == pytest.approx(1)
    assert len(test_set) == 10 and np.abs(test_set.y).max() < 3
    kept, _ = pg.prepare(data, 0.25, seed=1)
    assert kept.y.min() >= 100


# --------------------------------------------------------------------------------------------
# Settings


def test_every_bookmarked_key_still_reads_with_its_old_default():
    old = {  # the page's URL keys and defaults before drawn points, uploads and regression
        "mlp.data": "moons",
        "mlp.n": 300,
        "mlp.noise": 0.2,
        "mlp.test": 0.2,
        "mlp.seed": 0,
        "mlp.hidden": "16,16",
        "mlp.activation": "tanh",
        "mlp.loss": "xent",
        "mlp.batch": "32",
        "mlp.epochs": 100,
        "mlp.optimizers": ["sgd", "momentum", "adam"],
        "mlp.adam.lr": 0.01,
        "mlp.sgd.lr": 0.1,
        "mlp.nag.momentum": 0.9,
    }
    for key, default in old.items():
        assert SPEC[key].default == default, key
    values, warnings = params.read({"mlp.data": "spiral3", "mlp.batch": "full"}, SPEC)
    assert not warnings and values["mlp.data"] == "spiral3" and values["mlp.batch"] == "full"


def test_the_task_follows_a_built_in_data_set_and_the_loss_follows_the_task():
    values = settings()
    assert pg.consistent({**values, "mlp.data": "sine"}) == {
        "mlp.task": "regression",
        "mlp.loss": "mse",
    }
    assert pg.consistent({**values, "mlp.task": "regression"}) == {"mlp.task": "classification"}
    upload = {**values, "mlp.data": "upload", "mlp.task": "regression", "mlp.loss": "mae"}
    assert pg.consistent(upload) == {}  # an uploaded file is read as the task says
    assert pg.consistent({**upload, "mlp.loss": "xent"}) == {"mlp.loss": "mse"}


@pytest.mark.parametrize("key", list(pg.PRESETS))
def test_presets_are_valid_settings_and_recognised(key):
    values = pg.preset_values(key)
    for k, v in values.items():
        assert SPEC[k].parse(SPEC[k].encode(v)) == v, k
    assert pg.consistent({**values, "mlp.points": ""}) == {}
    assert pg.active_preset(values) == key
    assert pg.active_preset({**values, "mlp.epochs": 7}) is None


def test_drawn_points_snap_to_the_canvas_and_fit_in_a_url():
    text = pg.add_point("", 1.234, -0.51, 2)
    text = pg.add_point(text, -5.97, 5.93, 0)
    assert text == "1.2_-0.6_2~-6_6_0"  # on the 0.2 grid
    assert pg.remove_last(text) == "1.2_-0.6_2" and pg.remove_last("") == ""
    worst = "~".join(["-5.8_-5.8_3"] * pg.MAX_DRAWN)  # the longest points the canvas makes
    assert len(worst) <= params.MAX_QUERY_VALUE
    assert SPEC["mlp.points"].parse(worst) == worst
    with pytest.raises(ValueError, match=f"at most {pg.MAX_DRAWN}"):
        pg.add_point(worst, 0, 0, 1)
    with pytest.raises(ValueError, match="at most"):
        SPEC["mlp.points"].parse(worst + "~0_0_1")


# --------------------------------------------------------------------------------------------
# Data


def test_drawn_points_are_split_and_standardised_like_the_built_in_sets():
    points = "~".join(f"{x}_{y}_{c}" for x, y, c in [(0, 0, 0), (1, 2, 1), (2, 1, 0), (4, 4, 1)])
    ref = pg.data_ref(settings(data="draw", points=points, test="0.25"))
    train_set, test_set = pg.load(ref)
    raw = pg.drawn(points)
    reference = pg.prepare(raw, 0.25, 0)
    np.testing.assert_array_equal(train_set.X, reference[0].X)
    assert (len(train_set), len(test_set)) == (3, 1)
    with pytest.raises(ValueError, match="at least 2 points"):
        pg.load(pg.data_ref(settings(data="draw", points="1_1_0")))


def test_an_uploaded_file_is_read_with_row_numbers_and_standardised():
    good = b"x1,x2,label\n0,0,-1\n1,3,1\n2,1,-1\n5,2,1\n"
    cfg = scene_config(csv=good, data="upload", test="0")
    train_set, _ = pg.load(cfg.data)
    assert cfg.n_classes == 2 and sorted(train_set.y) == [0, 0, 1, 1]  # -1/+1 -> classes 0/1
    np.testing.assert_allclose(train_set.X.mean(axis=0), 0, atol=1e-12)
    bad = b"x1,x2,label\n0,0,1\n1,abc,0\n"
    with pytest.raises(ValueError, match="row 3, column x2"):
        pg.load(pg.data_ref(settings(data="upload"), bad))
    targets = b"x1,x2,label\n0,0,100\n1,3,300\n2,1,200\n5,2,500\n"
    cfg = scene_config(csv=targets, data="upload", task="regression", loss="mae", test="0")
    train_set, _ = pg.load(cfg.data)
    assert cfg.n_classes == 0 and train_set.y.std() == pytest.approx(1)  # targets scaled


def test_the_downloaded_csv_reads_back_as_the_data_set():
    train_set, test_set = pg.load_data("blobs", 60, 0.2, 0, 0.25)
    back = read_csv(to_csv(train_set, test_set))
    np.testing.assert_array_equal(back.X, np.vstack([train_set.X, test_set.X]))
    np.testing.assert_array_equal(back.y, np.concatenate([train_set.y, test_set.y]))


def test_a_linear_model_on_squared_features_separates_the_circles():
    train_set, _ = pg.load_data("circles", 200, 0.05, 0, 0.0)

    def accuracy(features):
        net = pg.network((), 2, "tanh", "xent", 0, features=features)
        h = train(net, optim_core.make("adam", lr=0.1), train_set.X, train_set.y, 100, 32)
        return h.final_train_metric

    assert accuracy(("x1sq", "x2sq")) > 0.97  # the circle x1^2 + x2^2 = r^2 is a line there
    assert accuracy(("x1", "x2")) < 0.7  # a line in the plane cannot separate two rings


# --------------------------------------------------------------------------------------------
# Cost


@pytest.mark.parametrize("epochs", [1, 7, 49, 50, 51, 99, 100, 101, 333, 500])
def test_snapshots_counts_what_train_keeps(epochs):
    data = make("xor", 8, seed=0)
    net = MLP((2, 1), "tanh", "bce", 0)
    h = train(net, optim_core.make("sgd", lr=0.1), data.X, data.y, epochs)
    assert pg.snapshots(epochs) == len(h.snapshots)


def test_cost_terms_count_the_steps_rows_and_images():
    cfg = scene_config()  # 3 optimizers, 100 epochs, 240 training points in batches of 32
    terms = pg.cost_terms(cfg)
    assert terms["steps"] == 3 * 100 * math.ceil(240 / 32)
    assert terms["layer_steps"] == 3 * terms["steps"]  # 2 hidden layers and the output
    assert terms["param_steps"] == terms["steps"] * (2 * 16 + 16 + 16 * 16 + 16 + 16 + 1)
    assert terms["train_macs"] == 3 * 100 * 240 * (2 * 16 + 16 * 16 + 16)
    assert terms["images"] == 3 * 51
    assert pg.cost_terms(cfg, epochs=10)["steps"] == 3 * 10 * 8


def test_the_defaults_fit_and_estimates_grow_with_the_work():
    cfg = scene_config()
    assert pg.too_much(cfg) is None and pg.estimate(cfg) < budget.SECONDS
    assert pg.estimate(cfg, 50) < pg.estimate(cfg) < pg.estimate(cfg, 200)
    assert pg.estimate(cfg) < pg.estimate(scene_config(batch="8"))
    assert pg.estimate(cfg) < pg.estimate(scene_config(optimizers="sgd,momentum,nag,adam"))
    assert pg.estimate(cfg) < pg.estimate(scene_config(hidden="64,64"))


def test_six_layers_of_64_stochastic_with_four_optimizers_is_refused_with_what_fits():
    # Issue 11: this took 12.1 s of a worker; the old limits let it through at 60 epochs.
    cfg = scene_config(
        hidden="64,64,64,64,64,64", batch="1", optimizers="sgd,momentum,nag,adam", epochs="60"
    )
    message = pg.too_much(cfg)
    assert message is not None and "at most" in message
    fits = int(message.split("at most ")[1].split(" epochs")[0].replace(",", ""))
    assert 1 <= fits < 60
    assert pg.estimate(cfg, fits) <= budget.SECONDS < pg.estimate(cfg, fits + 1)
    assert "about 5 s" in message and "MLP(2-64-64-64-64-64-64-1" in message


def test_a_scene_too_big_for_even_one_epoch_says_so():
    cfg = scene_config(
        hidden="64,64,64,64,64,64", batch="1", n="2000", optimizers="sgd,momentum,nag,adam"
    )
    assert "Even one epoch is too much" in pg.too_much(cfg)


# --------------------------------------------------------------------------------------------
# Jobs


def test_train_scene_trains_every_optimizer_and_draws_the_figure():
    cfg = scene_config(n="80", epochs="6", optimizers="sgd,adam")
    scene = pg.train_scene(cfg, pg.View())
    assert [r.name for r in scene.race.runs] == ["sgd", "adam"]
    assert list(scene.table["optimizer"]) == ["SGD", "Adam"]
    assert scene.network.startswith("MLP(2-16-16-1") and '"frames"' in scene.figure
    with pytest.raises(ValueError, match="1 class only"):
        pg.train_scene(scene_config(data="draw", points="0_0_1~1_1_1~2_2_1", test="0"), pg.View())


def test_the_gif_and_the_landscape_are_drawn_from_a_finished_scene():
    cfg = scene_config(n="80", epochs="6", optimizers="sgd,adam", hidden="4")
    scene = pg.train_scene(cfg, pg.View())
    gif = pg.boundaries_gif(cfg, scene.race)
    assert gif[:6] == b"GIF89a"
    figure, caption = pg.landscape_scene(cfg, scene.race, "pca", pg.View())
    assert '"frames"' in figure and "not the whole story" in caption
    regression = scene_config(data="plane", n="60", epochs="3", optimizers="adam")
    with pytest.raises(ValueError, match="classification only"):
        pg.boundaries_gif(regression, pg.train_scene(regression, pg.View()).race)
