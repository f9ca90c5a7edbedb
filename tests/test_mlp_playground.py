"""scenes.playground: architecture parsing, work and data bounds, fair races, the metrics row."""

import numpy as np
import pytest

from mlp.datasets import Dataset, make, split, standardize
from mlp.train import probability_grid
from scenes import playground as pg


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


def test_budget_counts_steps_and_multiply_adds():
    # defaults: 3 optimizers x 100 epochs x ceil(240 / 32) = 8 batches = 2,400 steps
    assert pg.check_budget(3, 100, 240, 32, 337) is None
    # stochastic on 1,600 points: 4 x 500 x 1,600 = 3.2 M steps
    message = pg.check_budget(4, 500, 1600, 1, 337)
    assert "3,200,000 optimizer steps" in message
    # full batch keeps steps low, but 6 x 64 units (21,000+ weights) is too much work
    message = pg.check_budget(4, 500, 1600, None, 21_000)
    assert "multiply-adds" in message and "smaller network" in message
    assert pg.check_budget(1, 1, 20, None, 10) is None


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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((3, 100, 240, 0, 337), "batch_size must be an integer >= 1, got 0"),
        ((3, 100, 0, 32, 337), "n_train must be an integer >= 1, got 0"),
        ((0, 100, 240, 32, 337), "n_optimizers must be an integer >= 1, got 0"),
        ((3, 2.5, 240, 32, 337), "epochs must be an integer, got 2.5"),
        ((3, 100, 240, 32, 0), "n_params must be an integer >= 1, got 0"),
    ],
)
def test_check_budget_refuses_impossible_settings(args, message):
    with pytest.raises(ValueError, match=message):
        pg.check_budget(*args)


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
