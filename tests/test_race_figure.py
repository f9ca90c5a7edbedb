"""Figure builders of the race page: frames hold only path traces, animate with redraw, and
the payload stays small and linear in the number of steps."""

import base64

import numpy as np
import pytest

import optim_core
import surfaces
from figures import race as fr
from figures.race_curves import curves_figure, surface_3d_figure
from scenes import race as rs
from tests.figure_asserts import assert_animates_over_the_surface_image

BEALE = surfaces.get("beale")
SEVEN = rs.CLASSIC_OPTIMIZERS


def _race(steps, names=SEVEN, surface=BEALE, tol=0.0):
    rates = rs.LEARNING_RATES[surface.name]
    return {
        n: optim_core.run(
            optim_core.make(n, lr=rates[n]), surface, np.array(surface.start), steps, tol=tol
        )
        for n in names
    }


def _unpack(spec):
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<f4")


@pytest.fixture(scope="module")
def fig1000():
    return fr.race_figure(BEALE, _race(1000), BEALE.start)


def test_frames_hold_only_path_traces(fig1000):
    path_traces = {
        i for i, t in enumerate(fig1000.data) if t.type == "scatter" and t.legendgroup in SEVEN
    }
    for frame in fig1000.frames:
        assert set(frame.traces) <= path_traces
        assert len(frame.traces) == 2 * len(SEVEN) == len(frame.data)
        assert all(d.type == "scatter" for d in frame.data)


def test_paths_animate_over_the_surface_image(fig1000):
    assert_animates_over_the_surface_image(fig1000)


def test_frames_are_bounded_and_cover_the_run(fig1000):
    names = [f.name for f in fig1000.frames]
    assert len(names) <= fr.MAX_FRAMES
    assert names[0] == "0" and names[-1] == "1000"


def test_head_of_last_frame_is_where_each_run_ended(fig1000):
    race = _race(1000)
    last = fig1000.frames[-1]
    for i, r in enumerate(race.values()):
        head = last.data[2 * i + 1]
        got = np.array([_unpack(head.x)[0], _unpack(head.y)[0]])
        np.testing.assert_allclose(got, r.final, atol=1e-4)


def test_payload_under_limit_and_linear_in_steps(fig1000):
    size1000 = len(fig1000.to_json())
    size2000 = len(fr.race_figure(BEALE, _race(2000), BEALE.start).to_json())
    assert size1000 < 1.5e6
    # Quadratic growth (every frame carrying the path so far) would give about 4.
    assert size2000 / size1000 < 2.2


def test_frame_steps():
    np.testing.assert_array_equal(fr.frame_steps(5, 150), np.arange(6))
    steps = fr.frame_steps(5000, 150)
    assert len(steps) == 150 and steps[0] == 0 and steps[-1] == 5000


def test_diverged_run_is_named_in_the_legend():
    race = {
        "sgd": optim_core.run(
            optim_core.make("sgd", lr=100.0), surfaces.get("rosenbrock"), np.array([-1.2, 1.0]), 50
        )
    }
    fig = fr.race_figure(surfaces.get("rosenbrock"), race, (-1.2, 1.0))
    k = int(race["sgd"].stop_step)
    assert any(t.name == f"SGD (diverged at step {k})" for t in fig.data)


def test_curves_are_log_scaled_and_end_at_the_stop_step():
    race = _race(300, names=("sgd", "adam"), tol=1e-4)
    fig = curves_figure(BEALE, race)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    assert len(fig.data) == 4
    for trace, r in zip(fig.data[::2], race.values(), strict=True):
        assert trace.x[-1] == r.stop_step


def test_3d_figure_has_surface_and_one_line_per_optimizer():
    fig = surface_3d_figure(BEALE, _race(100, names=("sgd", "adam")), BEALE.start)
    types = [t.type for t in fig.data]
    assert types[0] == "surface" and types.count("scatter3d") == 3  # two paths + start
