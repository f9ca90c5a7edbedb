"""Invariants of every optimizer: pure steps, kept shapes, finite state, batched = looped."""

import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import optim_core
import surfaces

CONFIGS = {
    "sgd": ("sgd", dict(lr=0.01)),
    "momentum": ("momentum", dict(lr=0.01)),
    "nag": ("nag", dict(lr=0.01, weight_decay=0.1)),
    "adagrad": ("adagrad", dict(lr=0.1, lr_decay=0.01)),
    "rmsprop-centered-momentum": ("rmsprop", dict(lr=0.01, centered=True, momentum=0.5)),
    "adam": ("adam", dict(lr=0.01)),
    "amsgrad": ("adam", dict(lr=0.01, amsgrad=True)),
    "adamw": ("adamw", dict(lr=0.01)),
    "adadelta": ("adadelta", dict(weight_decay=0.01)),
    "clipped-adam": ("adam", dict(lr=0.01, clip_norm=0.5)),
}
IDS = list(CONFIGS)


def build(config):
    name, hp = CONFIGS[config]
    return optim_core.make(name, **hp)


def leaves(tree):
    if isinstance(tree, np.ndarray):
        yield tree
    elif isinstance(tree, tuple):
        for item in tree:
            yield from leaves(item)


@pytest.mark.parametrize("config", IDS)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 2)], ids=str)
def test_step_is_pure_and_keeps_shape(config, shape):
    opt = build(config)
    rng = np.random.default_rng(0)
    params = rng.normal(size=shape)
    state = opt.init(params)
    for _ in range(3):  # past the first step, where momentum buffers are only copied
        params, state = opt.step(params, rng.normal(size=shape), state)
    grads = rng.normal(size=shape)
    before = (params.copy(), grads.copy(), [a.copy() for a in leaves(state)])
    new_params, new_state = opt.step(params, grads, state)
    np.testing.assert_array_equal(params, before[0])
    np.testing.assert_array_equal(grads, before[1])
    for old, kept in zip(before[2], leaves(state), strict=True):
        np.testing.assert_array_equal(old, kept)
    assert new_params.shape == np.shape(params)
    assert new_state.count == state.count + 1
    assert all(a.shape == np.shape(params) for a in leaves(new_state))
    assert not np.array_equal(new_params, params)


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("config", IDS)
@settings(max_examples=40, deadline=None)
@given(
    params=hnp.arrays(np.float64, (3, 2), elements=finite),
    grads=st.lists(hnp.arrays(np.float64, (3, 2), elements=finite), min_size=1, max_size=5),
)
def test_finite_inputs_give_finite_params_and_state(config, params, grads):
    opt = build(config)
    state = opt.init(params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for g in grads:
            params, state = opt.step(params, g, state)
    assert np.all(np.isfinite(params))
    assert all(np.all(np.isfinite(a)) for a in leaves(state))


@pytest.mark.parametrize("config", IDS)
def test_batch_run_equals_loop_of_single_runs(config):
    surface = surfaces.get("himmelblau")
    opt = build(config)
    starts = np.random.default_rng(3).uniform(-4, 4, size=(7, 2))
    batch = optim_core.run(opt, surface, starts, 60, tol=1e-3)
    for i, start in enumerate(starts):
        single = optim_core.run(opt, surface, start, 60, tol=1e-3)
        np.testing.assert_allclose(batch.path[i], single.path, rtol=1e-12, atol=1e-12)
        assert batch.status[i] == single.status
        assert batch.stop_step[i] == single.stop_step


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop"])
def test_array_learning_rates_equal_separate_runs(name):
    surface = surfaces.get("rosenbrock")
    lrs = np.array([1e-4, 3e-4, 1e-3, 3e-3])
    start = np.array(surface.start)
    batch = optim_core.run(
        optim_core.make(name, lr=lrs[:, None]), surface, np.tile(start, (4, 1)), 200
    )
    for i, lr in enumerate(lrs):
        single = optim_core.run(optim_core.make(name, lr=float(lr)), surface, start, 200)
        np.testing.assert_allclose(batch.path[i], single.path, rtol=1e-12, atol=1e-12)


def test_batches_larger_than_a_chunk_match_a_loop(monkeypatch):
    # Chunking must not change results: compare a few runs of a big batch with single runs.
    monkeypatch.setattr(sys.modules["optim_core.run"], "CHUNK", 1024)
    monkeypatch.setattr(sys.modules["optim_core.run"], "PLAIN_CHUNK", 1024)
    surface = surfaces.get("beale")
    opt = optim_core.make("adam", lr=np.linspace(0.001, 0.1, 2500)[:, None])
    starts = np.random.default_rng(0).uniform(-4, 4, size=(2500, 2))
    batch = optim_core.run(opt, surface, starts, 50, keep_path=False)
    for i in (0, 1023, 1024, 2047, 2048, 2499):
        lr = float(np.linspace(0.001, 0.1, 2500)[i])
        single = optim_core.run(optim_core.make("adam", lr=lr), surface, starts[i], 50)
        np.testing.assert_allclose(batch.final[i], single.final, rtol=1e-12, atol=1e-12)


INVALID = [
    ("sgd", dict(lr=-0.1), "-0.1"),
    ("sgd", dict(lr=float("nan")), "nan"),
    ("sgd", dict(momentum=-0.5), "-0.5"),
    ("sgd", dict(nesterov=True), "Nesterov"),
    ("sgd", dict(nesterov=True, momentum=0.9, dampening=0.1), "dampening"),
    ("sgd", dict(weight_decay=-1.0), "-1.0"),
    ("adam", dict(betas=(1.0, 0.999)), "1.0"),
    ("adam", dict(betas=(0.9, -0.1)), "-0.1"),
    ("adam", dict(eps=-1e-8), "-1e-08"),
    ("rmsprop", dict(alpha=-0.9), "-0.9"),
    ("adagrad", dict(lr_decay=-0.1), "-0.1"),
    ("adagrad", dict(initial_accumulator_value=-1.0), "-1.0"),
    ("adadelta", dict(rho=1.5), "1.5"),
    ("sgd", dict(lr=np.array([[0.1], [-0.2]])), "-0.2"),
    ("adam", dict(clip_norm=0.0), "clip_norm"),
]


@pytest.mark.parametrize("name, hp, shown", INVALID, ids=[f"{n}-{h}" for n, h, _ in INVALID])
def test_invalid_hyperparameters_raise_value_error_naming_the_value(name, hp, shown):
    with pytest.raises(ValueError, match=shown.replace("(", r"\(").replace(".", r"\.")):
        optim_core.make(name, **hp)


def test_unknown_names_list_the_choices():
    with pytest.raises(KeyError, match="adam"):
        optim_core.make("adamax")
    with pytest.raises(TypeError, match="betas"):
        optim_core.make("adam", beta=0.9)


def test_repr_shows_every_hyperparameter():
    text = repr(optim_core.make("rmsprop", lr=0.1, centered=True))
    assert text.startswith("rmsprop(") and "lr=0.1" in text and "centered=True" in text
