"""The race figure: one Play button drives the map, the curves and the scoreboard; nothing is
given away before the animation reaches it; the payload stays bounded; the 3D view keeps its
axes on the surface."""

import base64
import json

import numpy as np
import pytest

import optim_core
import surfaces
from figures import race as fr
from figures.palette import optimizer_color
from figures.race3d import surface_3d_figure
from scenes import race as rs
from scenes.optimizer_settings import CURVATURE, FIRST_ORDER
from tests.figure_asserts import assert_animates_over_the_surface_image

BEALE = surfaces.get("beale")
SEVEN = rs.CLASSIC_OPTIMIZERS
OUTCOMES = ("converged", "diverged", "still moving", "singular")


def _race(steps, names=SEVEN, surface=BEALE, tol=0.0, rates=None):
    rates = rates or rs.LEARNING_RATES[surface.name]
    return {
        n: optim_core.run(
            optim_core.make(n, **({"lr": rates[n]} if n in rates else {})),
            surface,
            np.array(surface.start),
            steps,
            tol=tol,
        )
        for n in names
    }


def _unpack(spec):
    if isinstance(spec, dict):
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<f4").astype(float)
    return np.asarray(spec, dtype=float)


def _board(fig_or_frame):
    """The scoreboard's text lines (the last animated trace)."""
    return list(fig_or_frame.data[-1].text)


@pytest.fixture(scope="module")
def fig1000():
    return fr.race_figure(BEALE, _race(1000), BEALE.start)


def test_paths_animate_over_the_surface_image(fig1000):
    assert_animates_over_the_surface_image(fig1000)


def test_frames_are_bounded_and_cover_the_run(fig1000):
    names = [f.name for f in fig1000.frames]
    assert len(names) <= fr.MAX_FRAMES
    assert names[0] == "0" and names[-1] == "1000"


def test_frames_touch_only_the_animated_traces(fig1000):
    n = len(SEVEN)
    animated = set(fig1000.frames[0].traces)
    # per optimizer a path and a head; two masks, two sets of current points; the scoreboard
    assert len(animated) == 2 * n + 5
    static = {i for i in range(len(fig1000.data)) if i not in animated}
    assert 0 in static  # the hover/click grid
    for frame in fig1000.frames:
        assert list(frame.traces) == list(fig1000.frames[0].traces)
        assert len(frame.data) == len(frame.traces)


def test_head_of_last_frame_is_where_each_run_ended(fig1000):
    race = _race(1000)
    last = fig1000.frames[-1]
    for i, r in enumerate(race.values()):
        head = last.data[2 * i + 1]
        got = np.array([_unpack(head.x)[0], _unpack(head.y)[0]])
        np.testing.assert_allclose(got, r.final, atol=1e-4)


def test_nothing_is_given_away_before_it_happens():
    race = _race(400, names=("sgd", "adam"), tol=1e-4, rates={"sgd": 0.01, "adam": 0.1})
    race["momentum"] = optim_core.run(
        optim_core.make("momentum", lr=0.05), BEALE, np.array(BEALE.start), 400
    )
    assert race["momentum"].status == "diverged"
    fig = fr.race_figure(BEALE, race, BEALE.start)
    legend = [t.name or "" for t in fig.data if t.showlegend is not False]
    assert not any(word in name for name in legend for word in OUTCOMES)
    assert not any(word in line for line in _board(fig) for word in OUTCOMES)
    stop = int(race["momentum"].stop_step)
    for frame in fig.frames:
        line = _board(frame)[2]
        assert ("diverged" in line) == (int(frame.name) >= stop), (frame.name, line)
    assert "diverged at step" in _board(fig.frames[-1])[2]


def test_curves_are_covered_right_of_the_current_step(fig1000):
    for frame in (fig1000.frames[0], fig1000.frames[40], fig1000.frames[-1]):
        masks = [d for d in frame.data if d.x is not None and len(d.x) == 5]
        assert len(masks) == 2
        for mask in masks:
            assert mask.x[0] == float(frame.name) and mask.x[1] == 1000


def test_divergence_is_explained_and_drawn_towards_where_it_went():
    race = {"sgd": optim_core.run(optim_core.make("sgd", lr=0.5), BEALE, np.array([1.0, 1.5]), 50)}
    assert race["sgd"].status == "diverged"
    escape = np.array([40.0, -30.0])
    fig = fr.race_figure(
        BEALE, race, (1.0, 1.5), reasons={"sgd": "lr 0.5 > 2/L"}, escapes={"sgd": escape}
    )
    last = fig.frames[-1]
    assert "lr 0.5 > 2/L" in _board(last)[0]
    path = last.data[0]
    np.testing.assert_allclose([_unpack(path.x)[-1], _unpack(path.y)[-1]], escape, rtol=1e-6)


@pytest.mark.parametrize("steps", [5000])
def test_payload_stays_under_the_limit_with_every_optimizer(steps):
    names = FIRST_ORDER + CURVATURE
    rates = rs.LEARNING_RATES["himmelblau"]
    race = _race(
        steps,
        names=[n for n in names if n != "levenberg_marquardt"],
        surface=surfaces.get("himmelblau"),
        rates=rates,
    )
    size = len(fr.race_figure(surfaces.get("himmelblau"), race, (0.5, -1.5)).to_json())
    assert size < 1.5e6, size


def test_payload_grows_linearly_in_the_number_of_steps(fig1000):
    size1000 = len(fig1000.to_json())
    size2000 = len(fr.race_figure(BEALE, _race(2000), BEALE.start).to_json())
    assert size2000 / size1000 < 1.6  # every frame carrying the whole path would give ~4


def test_evaluations_clock_shows_each_run_where_its_evaluations_took_it():
    rosenbrock = surfaces.get("rosenbrock")
    race = {
        "sgd": optim_core.run(
            optim_core.make("sgd", lr=0.002), rosenbrock, np.array([-1.2, 1.0]), 300
        ),
        "bfgs": optim_core.run(optim_core.make("bfgs"), rosenbrock, np.array([-1.2, 1.0]), 300),
    }
    fig = fr.race_figure(rosenbrock, race, (-1.2, 1.0), x_axis="evals")
    evals = race["bfgs"].evals
    for frame in fig.frames[::10]:
        budget = float(frame.name)
        step = int(np.searchsorted(evals, budget, side="right")) - 1
        step = min(max(step, 0), int(race["bfgs"].stop_step))
        head = frame.data[3]  # bfgs: path 2, head 3
        np.testing.assert_allclose(
            [_unpack(head.x)[0], _unpack(head.y)[0]], race["bfgs"].path[step], atol=1e-4
        )
    assert fig.layout.xaxis2.title.text == "gradient evaluations"


def test_data_surface_shows_the_data_and_the_current_fit():
    surface = surfaces.get("linear_regression")
    race = {
        "sgd": optim_core.run(optim_core.make("sgd", lr=0.1), surface, np.array(surface.start), 200)
    }
    fig = fr.race_figure(surface, race, surface.start)
    assert any(t.name == "data" for t in fig.data)
    last = fig.frames[-1]
    w, b = race["sgd"].final
    fit = next(d for d in last.data if d.x is None and d.y is not None and d.text is None)
    xs = _unpack(next(t for t in fig.data if t.xaxis == "x4" and t.mode == "lines").x)
    np.testing.assert_allclose(_unpack(fit.y), w * xs + b, rtol=1e-4, atol=1e-3)


def test_batch_variants_share_the_optimizer_colour_and_differ_in_dash():
    surface = surfaces.get("linear_regression")
    start = np.array(surface.start)
    race = {
        f"sgd@{b or 'all'}": optim_core.run(
            optim_core.make("sgd", lr=0.1), surface, start, 50, batch_size=b
        )
        for b in (None, 8, 1)
    }
    fig = fr.race_figure(surface, race, start, labels={k: k for k in race})
    paths = [fig.data[i] for i in fig.frames[0].traces[:6:2]]
    assert {p.line.color for p in paths} == {optimizer_color("sgd")}
    assert len({p.line.dash for p in paths}) == 3


def test_3d_view_keeps_its_axes_on_the_surface_and_animates():
    race = {"sgd": optim_core.run(optim_core.make("sgd", lr=0.5), BEALE, np.array([1.0, 1.5]), 50)}
    race["adam"] = optim_core.run(optim_core.make("adam", lr=0.1), BEALE, np.array([1.0, 1.5]), 50)
    fig = surface_3d_figure(BEALE, race, (1.0, 1.5))
    scene = fig.layout.scene
    (x0, x1), (y0, y1) = BEALE.domain
    assert tuple(scene.xaxis.range) == (x0, x1) and tuple(scene.yaxis.range) == (y0, y1)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert scene.zaxis.range[0] <= np.nanmin(z) and scene.zaxis.range[1] >= np.nanmax(z)
    assert fig.frames and fig.layout.updatemenus[0].buttons[0].args[1]["frame"]["redraw"]
    for frame in fig.frames:
        for trace in frame.data:
            x, y = _unpack(trace.x), _unpack(trace.y)
            assert ((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)).all()


def test_race_scene_figure_is_json_the_browser_reads():
    values = {k: p.default for k, p in rs.spec("beale").items()}
    scene = rs.build_scene(rs.config(values), rs.View())
    spec = json.loads(scene.figure)
    assert spec["frames"] and spec["layout"]["images"]
    assert len(scene.figure) < 1.5e6
