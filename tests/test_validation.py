"""Bad inputs fail where they enter, with a ValueError naming the value (issue 10): the
optimizer factories (first-order and curvature), schedules, ``optim_core.run`` and the surfaces'
entry points. Never a NumPy warning, never a wrong result."""

import inspect
import warnings

import numpy as np
import pytest

import optim_core
import surfaces
from optim_core import schedules, validation
from surfaces import data

FACTORIES = {**optim_core.OPTIMIZERS, **optim_core.CURVATURE_OPTIMIZERS}
ADAPTIVE = ["adagrad", "rmsprop", "adam", "adamw", "adadelta"]


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _defaults(kind):
    """(optimizer, hyperparameter) for every hyperparameter whose default is of ``kind``."""
    out = []
    for name, factory in FACTORIES.items():
        for param in inspect.signature(factory).parameters.values():
            default = param.default
            is_bool = isinstance(default, bool)
            if (kind is bool and is_bool) or (
                kind is float and isinstance(default, int | float) and not is_bool
            ):
                out.append((name, param.name))
    return out


NUMBERS = _defaults(float)
FLAGS = _defaults(bool)
NOT_NUMBERS = ["0.1", None, 0.1 + 0j, True, np.bool_(False), [["0.1"]], [[0.1], [0.2, 0.3]]]


def test_the_tables_cover_every_optimizer():
    assert {n for n, _ in NUMBERS} == set(FACTORIES)
    assert {"amsgrad", "centered", "nesterov"} <= {p for _, p in FLAGS}


@pytest.mark.parametrize("name, param", NUMBERS, ids=[f"{n}.{p}" for n, p in NUMBERS])
@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_non_numeric_hyperparameters_are_refused_at_construction(name, param, value):
    with pytest.raises(ValueError, match=f"Invalid {param} value"):
        optim_core.make(name, **{param: value})


def test_the_string_learning_rate_of_issue_10_fails_at_once_not_at_the_first_step():
    with pytest.raises(ValueError, match=r"Invalid lr value: '0\.1' \(lr must be a real number"):
        optim_core.make("adam", lr="0.1")


@pytest.mark.parametrize("name, param", FLAGS, ids=[f"{n}.{p}" for n, p in FLAGS])
@pytest.mark.parametrize("value", ["yes", "False", 1, 0.0, None, np.array([True])], ids=repr)
def test_flags_must_be_booleans(name, param, value):
    with pytest.raises(ValueError, match=f"Invalid {param} value.*True or False"):
        optim_core.make(name, **{param: value})


def test_numpy_booleans_integers_and_arrays_of_numbers_stay_allowed():
    optim_core.make("adam", lr=np.float32(0.1), amsgrad=np.True_)
    optim_core.make("rmsprop", lr=1, centered=np.bool_(True), momentum=np.int64(0))
    optim_core.make("sgd", lr=np.array([[0.1], [0.2]]), momentum=np.array([0.5, 0.9]))
    optim_core.make("newton", lr=np.array([[1.0], [0.5]]))
    optim_core.make("adam", betas=[0.8, 0.99])


@pytest.mark.parametrize("betas", ["ab", 0.9, (0.9,), (0.9, 0.99, 0.999), ("0.9", 0.99)])
def test_betas_must_be_two_numbers(betas):
    with pytest.raises(ValueError, match="beta"):
        optim_core.make("adam", betas=betas)


@pytest.mark.parametrize("name", ADAPTIVE)
@pytest.mark.parametrize("eps", [0.0, 0, -1e-8, np.array([[1e-8], [0.0]])], ids=repr)
def test_adaptive_methods_refuse_eps_that_is_not_positive_and_say_why(name, eps):
    with pytest.raises(ValueError, match=r"Invalid eps value.*> 0.*0/0"):
        optim_core.make(name, eps=eps)


@pytest.mark.parametrize("name", ADAPTIVE)
def test_why_eps_must_be_positive_a_zero_gradient_component_is_fine_with_eps(name):
    # The saddle's gradient at (1, 0) is (2, 0): y's component is exactly 0. With eps = 0 it
    # would step to 0/0 = NaN ("diverged at step 1"); with the default eps the run is healthy.
    saddle = surfaces.get("saddle")
    result = optim_core.run(optim_core.make(name), saddle, (1.0, 0.0), 20)
    assert result.status == "moving" and np.all(np.isfinite(result.path))
    assert result.path[-1, 1] == 0.0


@pytest.mark.parametrize(
    "make",
    [
        lambda: schedules.Step(step_size=True),
        lambda: schedules.Step(step_size=10.0),
        lambda: schedules.Step(step_size=10, gamma="0.5"),
        lambda: schedules.Step(step_size=10, gamma=True),
        lambda: schedules.Exponential(gamma=np.nan),
        lambda: schedules.Exponential(gamma=None),
        lambda: schedules.Cosine(T_max=100, eta_min=np.inf),
        lambda: schedules.Cosine(T_max=100, eta_min=np.nan),
        lambda: schedules.Cosine(T_max=False),
    ],
    ids=["step_size=True", "step_size=10.0", "gamma='0.5'", "gamma=True", "gamma=nan",
         "gamma=None", "eta_min=inf", "eta_min=nan", "T_max=False"],
)  # fmt: skip
def test_schedules_refuse_bad_parameters(make):
    with pytest.raises(ValueError, match="Invalid (step_size|gamma|eta_min|T_max) value"):
        make()


def test_numpy_integers_are_step_counts():
    assert schedules.Step(np.int64(10), 0.5)(1.0, 10) == 0.5


@pytest.mark.parametrize("schedule", ["cosine", 0.5])
def test_a_schedule_must_be_callable(schedule):
    with pytest.raises(ValueError, match="Invalid schedule value"):
        optim_core.make("sgd", schedule=schedule)


# ----------------------------------------------------------------------------------------------
# optim_core.run


BOOTH = surfaces.get("booth")
SGD = optim_core.make("sgd", lr=0.01)


def test_a_negative_tolerance_is_refused_not_squared_into_tol_1():
    # Booth from (0, 0): |grad| = 2 sqrt(74) ~ 17, and gradient descent with lr 0.01 reaches
    # |grad| < 1 well within 200 steps: tol = -1 used to stop it there, as tol = 1.
    with pytest.raises(ValueError, match=r"Invalid tol value: -1 \(tol must be >= 0"):
        optim_core.run(SGD, BOOTH, (0.0, 0.0), 200, tol=-1)


@pytest.mark.parametrize("tol", [np.nan, np.inf, "1e-6", None, True, np.array([1e-6, 1e-6])])
def test_tol_must_be_one_finite_number(tol):
    with pytest.raises(ValueError, match="Invalid tol value"):
        optim_core.run(SGD, BOOTH, (0.0, 0.0), 10, tol=tol)


@pytest.mark.parametrize("start", [(1 + 1j, 0.0), np.array([[1.0, 2j]]), ("1", "2"), None])
def test_complex_or_non_numeric_starts_raise_without_a_warning(start):
    with pytest.raises(ValueError, match="Invalid start value"):
        optim_core.run(SGD, BOOTH, start, 10)


@pytest.mark.parametrize("start", [(np.nan, 0.0), [[0.0, 0.0], [1.0, np.inf]]])
def test_non_finite_starts_are_refused_naming_the_row(start):
    with pytest.raises(ValueError, match="start must be finite.*index"):
        optim_core.run(SGD, BOOTH, start, 10)


@pytest.mark.parametrize("start", [0.0, (1.0, 2.0, 3.0), np.zeros((4, 3)), np.zeros((2, 2, 2))])
def test_starts_of_the_wrong_shape_are_refused(start):
    with pytest.raises(ValueError, match=r"shape \(2,\) or \(N, 2\)"):
        optim_core.run(SGD, BOOTH, start, 10)


def test_paths_that_cannot_fit_in_memory_are_refused_before_allocating():
    # 10**9 steps of one run would need 32 GB of path, loss and gradient norms.
    with pytest.raises(ValueError, match=r"1 run\(s\) x 1,000,000,001 steps.*GiB.*keep_path=False"):
        optim_core.run(SGD, BOOTH, (0.0, 0.0), 10**9)
    runs = validation.MAX_PATH_BYTES // validation.PATH_BYTES_PER_POINT // 1001 + 1
    with pytest.raises(ValueError, match="keep_path=False"):
        optim_core.run(SGD, BOOTH, np.zeros((runs, 2)), 1000)


def test_without_the_path_memory_does_not_grow_with_steps():
    result = optim_core.run(SGD, BOOTH, (0.0, 0.0), 10**9, keep_path=False, tol=1e-3)
    assert result.status == "converged" and result.path is None


def test_absurd_numbers_of_starts_are_refused():
    starts = np.broadcast_to(np.zeros(2), (validation.MAX_RUNS + 1, 2))  # no memory
    with pytest.raises(ValueError, match="Too many starts: 10,000,001"):
        optim_core.run(SGD, BOOTH, starts, 1, keep_path=False)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(steps=True), "steps"),
        (dict(steps=10.0), "steps"),
        (dict(noise=-1.0), "noise"),
        (dict(noise=np.nan), "noise"),
        (dict(noise="0.1"), "noise"),
        (dict(seed=-1), "seed"),
        (dict(seed=1.5), "seed"),
        (dict(seed=None), "seed"),
        (dict(escape=0.0), "escape"),
        (dict(escape=-1.0), "escape"),
        (dict(escape=np.nan), "escape"),
        (dict(keep_path="no"), "keep_path"),
    ],
    ids=repr,
)
def test_bad_run_options_are_refused_by_name(kwargs, name):
    kwargs = {"steps": 10, **kwargs}
    with pytest.raises(ValueError, match=f"Invalid {name} value"):
        optim_core.run(SGD, BOOTH, (0.0, 0.0), **kwargs)


def test_an_infinite_escape_counts_only_non_finite_values_as_diverged():
    far = optim_core.run(optim_core.make("sgd", lr=0.3), BOOTH, (0.0, 0.0), 5, escape=np.inf)
    near = optim_core.run(optim_core.make("sgd", lr=0.3), BOOTH, (0.0, 0.0), 5)
    assert far.status == "moving" and near.status == "diverged"


@pytest.mark.parametrize("lr", [np.full((3, 1), 0.01), np.full(5, 0.01), np.full((5, 3), 0.01)])
def test_per_run_hyperparameters_need_one_row_per_start(lr):
    with pytest.raises(ValueError, match=r"lr of shape .* does not fit 5 run\(s\)"):
        optim_core.run(optim_core.make("sgd", lr=lr), BOOTH, np.zeros((5, 2)), 3)


def test_an_optimizer_name_is_not_an_optimizer():
    with pytest.raises(ValueError, match="Invalid optimizer: 'adam'.*optim_core.make"):
        optim_core.run("adam", BOOTH, (0.0, 0.0), 3)


# ----------------------------------------------------------------------------------------------
# surfaces


@pytest.mark.parametrize("points", [("1", "2"), (1j, 0.0), [[True, False]]], ids=repr)
def test_surfaces_read_only_real_points(points):
    for method in (BOOTH.value, BOOTH.gradient, BOOTH.hessian, BOOTH.nearest_minimum):
        with pytest.raises(ValueError, match="points must be real numbers"):
            method(points)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(condition_number=True), "condition_number"),
        (dict(condition_number="10"), "condition_number"),
        (dict(largest=np.inf), "largest"),
        (dict(angle_deg=np.nan), "angle_deg"),
        (dict(angle_deg="30"), "angle_deg"),
    ],
    ids=repr,
)
def test_quadratic_names_its_bad_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        surfaces.quadratic(**kwargs)


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: data.regression_data(noise="0.5"), "noise"),
        (lambda: data.regression_data(seed=-1), "seed"),
        (lambda: data.class_data(spread=True), "spread"),
        (lambda: data.class_data(seed=1.5), "seed"),
        (lambda: surfaces.linear_regression(start=(np.nan, 0.0)), "start"),
        (lambda: surfaces.linear_regression(domain=((0.0, 1.0), (1.0, 0.0))), "domain"),
        (lambda: surfaces.logistic(domain=((0.0, 1.0),)), "domain"),
    ],
    ids=["noise", "regression seed", "spread", "class seed", "start", "domain", "domain shape"],
)
def test_data_surfaces_name_their_bad_argument(make, name):
    with pytest.raises(ValueError, match=name):
        make()
