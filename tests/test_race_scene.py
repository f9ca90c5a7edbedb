"""Race scene logic: settings, presets, the summary table and the CSV export."""

import io

import numpy as np
import pandas as pd
import pytest

import optim_core
import surfaces
from scenes import equations, params
from scenes import race as rs


def _defaults(surface):
    return {k: p.default for k, p in rs.spec(surface).items()}


def test_every_optimizer_has_an_update_rule_and_surface_defaults():
    assert set(equations.UPDATE_RULES) == set(optim_core.OPTIMIZERS) | set(
        optim_core.CURVATURE_OPTIMIZERS
    )
    assert set(rs.LEARNING_RATES) == set(surfaces.SURFACES)
    assert all(set(r) == set(optim_core.OPTIMIZERS) for r in rs.LEARNING_RATES.values())


@pytest.mark.parametrize("surface", list(surfaces.SURFACES))
def test_default_scene_does_not_diverge(surface):
    values = {
        **_defaults(surface),
        "race.surface": surface,
        "race.optimizers": list(optim_core.OPTIMIZERS),
    }
    race = rs.run_race(rs.config(values))
    assert not any(r.status == "diverged" for r in race.values()), surface


def test_spec_round_trips_through_the_url():
    spec = rs.spec("rosenbrock")
    values = _defaults("rosenbrock")
    values.update({"race.steps": 1234, "race.adam.lr": 0.3, "race.optimizers": ["adam", "nag"]})
    read, warnings = params.read(params.encode(values, spec), spec)
    assert warnings == [] and read == values


def test_steps_beyond_the_limit_are_rejected_with_a_warning():
    _, warnings = params.read({"race.steps": "100000"}, rs.spec("beale"))
    assert len(warnings) == 1 and "5000" in warnings[0]


@pytest.mark.parametrize("key", list(rs.PRESETS))
def test_presets_set_valid_settings_and_run(key):
    preset = rs.PRESETS[key]
    values = rs.preset_values(key)
    assert values["race.surface"] == preset.surface
    assert values["race.optimizers"] == list(preset.optimizers)
    spec = rs.spec(values["race.surface"])
    assert set(values) <= set(spec)
    read, warnings = params.read(params.encode(values, {k: spec[k] for k in values}), spec)
    assert warnings == []
    race = rs.run_race(rs.config({**_defaults(values["race.surface"]), **values}))
    expected = len(rs.entries(rs.config({**_defaults(values["race.surface"]), **values})))
    assert len(race) == expected and not any(r.status == "diverged" for r in race.values())


def test_newton_preset_shows_newton_at_the_saddle_and_saddle_free_newton_leaving_it():
    values = rs.preset_values("newton_saddle")
    race = rs.run_race(rs.config({**_defaults("saddle"), **values}))
    saddle = surfaces.get("saddle")
    assert np.linalg.norm(race["newton"].final - saddle.saddles[0]) < 1e-6
    for name in ("saddle_free_newton", "sgd"):
        assert rs.classify(saddle, race[name].final)[0] == "global", name


def test_curvature_preset_reaches_the_minimum_with_fewer_evaluations():
    values = rs.preset_values("curvature_pays")
    race = rs.run_race(rs.config({**_defaults("rosenbrock"), **values}))
    for name in ("bfgs", "lbfgs"):
        assert np.linalg.norm(race[name].final - (1.0, 1.0)) < 1e-3, name
        assert race[name].n_gev < race["adam"].n_gev / 5, name


def test_batch_preset_races_one_optimizer_with_three_batch_sizes():
    values = rs.preset_values("batches")
    cfg = rs.config({**_defaults("linear_regression"), **values})
    assert cfg.batches == (None, 8, 1)
    race = rs.run_race(cfg)
    assert list(race) == ["sgd@all", "sgd@8", "sgd@1"]
    assert race["sgd@1"].n_gev == pytest.approx(cfg.steps / 40)  # a 40th of a gradient a step
    assert [rs.entry_label(k) for k in race][1] == "SGD, mini-batches of 8"


def test_levenberg_marquardt_is_left_out_where_there_are_no_residuals():
    values = {**_defaults("wells"), "race.surface": "wells"}
    values["race.optimizers"] = ["sgd", "levenberg_marquardt"]
    cfg = rs.config(values)
    assert list(rs.run_race(cfg)) == ["sgd"]
    assert "sum-of-squares" in rs.cannot_run(cfg)["levenberg_marquardt"]


def test_a_typed_formula_races_like_a_built_in_surface():
    values = {**_defaults("rosenbrock"), "race.surface": "formula"}
    values.update({"race.formula": "(1 - x)^2 + 100*(y - x^2)^2", "race.domain": "-2, 2, -1, 3"})
    values["race.optimizers"] = ["sgd", "bfgs"]
    typed = rs.run_race(rs.config(values))
    builtin = rs.run_race(rs.config({**values, "race.surface": "rosenbrock"}))
    for name in ("sgd", "bfgs"):
        np.testing.assert_allclose(typed[name].path, builtin[name].path, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "formula, domain",
    [("__import__('os')", "-2, 2, -1, 3"), ("x^2", "2, -2, 0, 1"), ("x^2", "a, b, c, d")],
)
def test_bad_formulas_and_domains_are_value_errors(formula, domain):
    values = {**_defaults("beale"), "race.surface": "formula"}
    values.update({"race.formula": formula, "race.domain": domain})
    with pytest.raises(ValueError):
        rs.surface_ref(values)


def test_surface_reset_restores_the_surface_start_and_rates():
    reset = rs.surface_reset("himmelblau")
    assert (reset["race.x"], reset["race.y"]) == surfaces.get("himmelblau").start
    assert reset["race.sgd.lr"] == rs.LEARNING_RATES["himmelblau"]["sgd"]


def test_summary_reports_divergence_at_the_step_run_reports():
    values = {
        **_defaults("rosenbrock"),
        "race.surface": "rosenbrock",
        "race.optimizers": ["sgd", "adam"],
        "race.sgd.lr": 100.0,
    }
    race = rs.run_race(rs.config(values))
    direct = optim_core.run(
        optim_core.make("sgd", lr=100.0),
        surfaces.get("rosenbrock"),
        np.array(surfaces.get("rosenbrock").start),
        values["race.steps"],
        tol=values["race.tol"],
    )
    table = rs.summary("rosenbrock", race)
    assert direct.status == "diverged"
    assert table.loc[0, "outcome"] == f"diverged at step {int(direct.stop_step)}"
    assert table.loc[0, "steps to tolerance"] == "—" and table.loc[0, "final loss"] == "—"


def test_sgd_on_a_quadratic_bowl_converges_where_theory_says():
    # Booth is a quadratic with Hessian eigenvalues 2 and 18: from (1, 3) + e the error after
    # k steps of SGD (lr 0.05) shrinks by (1 - 0.05*2) per step along the slow eigenvector.
    values = {
        **_defaults("booth"),
        "race.surface": "booth",
        "race.optimizers": ["sgd"],
        "race.sgd.lr": 0.05,
        "race.tol": 1e-6,
        "race.steps": 2000,
    }
    race = rs.run_race(rs.config(values))
    table = rs.summary("booth", race)
    assert table.loc[0, "outcome"].startswith("converged at step")
    assert table.loc[0, "nearest minimum"] == "global"
    # Slowest contraction 0.9 per step; start error |(-8, 6) - (1, 3)| ~ 9.5 and the gradient
    # must fall below 1e-6 (error below 1e-6/2): k ~ log(2 * 9.5e6) / -log(0.9) ~ 160.
    assert 120 < int(table.loc[0, "steps to tolerance"]) < 200


def test_nearest_minimum_classification():
    six = surfaces.get("six_hump_camel")
    local = next(m.point for m in six.minima if m.kind == "local")
    assert rs.classify(six, np.array(local) + 0.01)[0] == "local"
    assert rs.classify(six, (0.0898, -0.7126))[0] == "global"
    rastrigin = surfaces.get("rastrigin")
    # (2, 2) is near an unlisted local minimum of Rastrigin, at about (1.98991, 1.98991): found
    # by polishing, not credited to a listed one.
    kind, distance = rs.classify(rastrigin, (1.99, 1.99))
    assert kind == "local" and distance == pytest.approx(np.hypot(9e-5, 9e-5), abs=1e-5)
    assert rs.classify(rastrigin, (0.5, 0.5))[0] == "none"  # a maximum of both coordinates


def test_large_losses_read_as_powers_of_ten_not_long_digit_strings():
    values = {**_defaults("goldstein_price"), "race.surface": "goldstein_price"}
    values.update({"race.optimizers": ["sgd"], "race.steps": 1, "race.x": 2.0, "race.y": -2.0})
    table = rs.summary("goldstein_price", rs.run_race(rs.config(values)))
    assert "e+" in table.loc[0, "final loss"] and len(table.loc[0, "final loss"]) < 12


def test_clicks_are_rounded_to_a_tidy_grid():
    # Steps of 1, 2 or 5 times a power of ten, at least a hundredth of the domain's span.
    assert rs.round_click(-1.9615384615, 9.0) == -2.0
    assert rs.round_click(-1.9615384615, 4.5) == -1.95
    assert rs.round_click(0.3499999, 2.0) == 0.34
    assert rs.round_click(0.30769, 4.0) == 0.3
    assert rs.round_click(1.2345, 100.0) == 1.0


def test_csv_has_one_row_per_recorded_step():
    values = {**_defaults("beale"), "race.optimizers": ["sgd", "adam"], "race.steps": 40}
    race = rs.run_race(rs.config(values))
    df = pd.read_csv(io.StringIO(rs.paths_csv(race)))
    assert list(df.columns) == ["step", "optimizer", "x", "y", "loss"]
    assert len(df) == sum(int(r.stop_step) + 1 for r in race.values())
    assert not df.duplicated(["optimizer", "x", "y"]).any()
    first = df[(df.optimizer == "adam") & (df.step == 0)].iloc[0]
    assert (first.x, first.y) == surfaces.get("beale").start
    np.testing.assert_allclose(first.loss, surfaces.get("beale").value(np.array([1.0, 1.5])))


def test_csv_of_a_diverged_run_does_not_repeat_its_last_point():
    values = {**_defaults("rosenbrock"), "race.surface": "rosenbrock"}
    values.update({"race.optimizers": ["sgd"], "race.sgd.lr": 100.0})
    race = rs.run_race(rs.config(values))
    df = pd.read_csv(io.StringIO(rs.paths_csv(race)))
    assert len(df) == int(race["sgd"].stop_step) and not df.duplicated(["x", "y"]).any()
