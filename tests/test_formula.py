"""Tests for surfaces.from_formula: the whitelist and limits, derivatives against finite
differences and independent NumPy code, and built-in surfaces typed as formulas."""

import math
import pathlib
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import surfaces
from surfaces import formula
from surfaces.base import Surface
from surfaces.formula import from_formula, parse

HOSTILE = [
    "__import__('os').system('id')",
    "().__class__",
    "x.__class__",
    "x.real",
    "lambda: 0",
    "lambda x",
    "[x for x in ()]",
    "9**9**9",
    "9^9^9",
    "2 ** 1000",
    "x ** 101",
    "(" * 5000 + "x" + ")" * 5000,
    "(" * 120 + "x" + ")" * 120,
    "-" * 150 + "x",
    "\u0445**2 + y",  # Cyrillic х
    "\uff11 + x",  # fullwidth 1
    "\uff58 + 1",  # fullwidth x
    "x\u2212y",  # minus sign
    "f'{x}'",
    "x[0]",
    "sin(x=1)",
    "sin(*x)",
    "sin(x, y)",
    "x if y else 1",
    "not x",
    "x and y",
    "x is y",
    "x in y",
    "await x",
    "import os",
    "None",
    "True",
    "1j",
    "0x10",
    "1e7",
    "1e999",
    "1/0",
    "log(0)",
    "sqrt(-1)",
    "(-8)^(1/3)",
    "exp(1000)",
    "x // y",
    "open(x)",
    "sin",
    "sin(x)(y)",
    "x y",
    "2x",
    "",
    "x;y",
    "x\ny",
    "*".join(f"sin(x+{i}*y)" for i in range(9)),  # differentiating would take seconds
    "sin(" * 25 + "x" + ")" * 25,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_refused_with_a_column(text):
    with pytest.raises(ValueError, match="column"):
        from_formula(text)


def test_hostile_inputs_are_refused_before_sympy_is_imported():
    """The checks run on the syntax tree alone: a process that refuses every hostile input
    never imports SymPy (so none of it reaches SymPy, and refusing is cheap)."""
    code = (
        "import sys, surfaces\n"
        f"for text in {HOSTILE!r}:\n"
        "    try:\n"
        "        surfaces.from_formula(text)\n"
        "    except ValueError:\n"
        "        pass\n"
        "    else:\n"
        "        raise SystemExit('accepted: ' + repr(text))\n"
        "print('sympy' in sys.modules)\n"
    )
    root = pathlib.Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + foo(y)", "'foo' is not a function at column 5"),
        ("x^2 + 9^9^9", "exponent 3.8742e+08 after '**' is larger than 100 at column 8"),
        ("x + \u0445", "character 'х' (U+0445) at column 5"),
        ("x.real", "attribute access 'x.real' is not allowed at column 1"),
        ("y + 1e7", "number '1e7' is larger than 1e+06 at column 5"),
        ("x + log(0)", "'log(0)' is not a finite real number at column 5"),
        ("x + 2x", "cannot read '2x' at column 5"),
        ("x // y", "operator '//' in 'x // y' is not allowed at column 3"),
        ("(" * 101 + "x" + ")" * 101, "'(' at column 101 nests more than 100 levels deep"),
        ("x" * 301, "301 characters, more than 300"),
    ],
)
def test_messages_name_the_token_and_its_column(text, expected):
    with pytest.raises(ValueError) as info:
        parse(text)
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("x^2+ sin( y )", "x ** 2 + sin(y)"),
        ("atan(x) + ln(y) + asin(x) + acos(y)", "arctan(x) + log(y) + arcsin(x) + arccos(y)"),
        ("  (x)*((y))", "x * y"),
        ("-x^2", "-x ** 2"),
        ("(-x)^2", "(-x) ** 2"),
        ("x^2^3", "x ** 2 ** 3"),
        ("2*pi*e", "2 * pi * e"),
        ("1.5e-3 * x", "0.0015 * x"),
    ],
)
def test_normalised_text(text, normalised):
    assert parse(text)[0] == normalised
    assert parse(normalised)[0] == normalised


def test_caret_is_power_with_python_precedence():
    p = np.array([[1.3, -0.7], [-2.0, 0.4]])
    x, y = p[:, 0], p[:, 1]
    np.testing.assert_allclose(from_formula("x^2*y + -y^2").value(p), x**2 * y - y**2)
    np.testing.assert_allclose(from_formula("2^x^2").value(p), 2 ** (x**2))


# --- fuzzing ------------------------------------------------------------------------------------

TOKENS = [
    *"xy+-*/^().",
    "**",
    " ",
    "1",
    "2.5",
    "0",
    "1e5",
    "9",
    "pi",
    "e",
    "sin(",
    "cos(",
    "exp(",
    "log(",
    "sqrt(",
    "abs(",
    "tanh(",
    "arctan(",
    "_",
    "[",
    ",",
    "'",
    "lambda",
    "if",
    "\u0445",
]


def surface_or_value_error(text):
    """from_formula gives a working Surface or a ValueError, and never a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            surface = from_formula(text)
        except ValueError:
            return
        assert isinstance(surface, Surface)
        p = np.array([[0.3, -1.2], [-4.0, 2.5], [0.0, 0.0], [1e200, -1e200], [np.nan, 1.0]])
        assert surface.value(p).shape == (5,)
        assert surface.gradient(p).shape == (5, 2)
        assert surface.hessian(p).shape == (5, 2, 2)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14).map("".join))
def test_fuzzed_token_strings_give_a_surface_or_a_value_error(text):
    surface_or_value_error(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_fuzzed_text_gives_a_surface_or_a_value_error(text):
    surface_or_value_error(text)


# --- random formulas from the grammar ------------------------------------------------------------

# Each strategy gives (text, f) with f an independent NumPy implementation of the text.
SMOOTH = {
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "arctan": np.arctan,
    "exp": lambda u: np.exp(np.tanh(u)),  # text below: exp(tanh(u)), bounded
}


def _number(c: float):
    return repr(c), lambda x, y: c


LEAVES = st.one_of(
    st.sampled_from([("x", lambda x, y: x), ("y", lambda x, y: y), ("pi", lambda x, y: np.pi)]),
    st.floats(0.1, 3.0).map(lambda c: _number(round(c, 3))),
)


def _combine(children):
    def call(name, pair):
        text, f = pair
        inner = f"exp(tanh({text}))" if name == "exp" else f"{name}({text})"
        return inner, lambda x, y: SMOOTH[name](f(x, y))

    def binary(op, a, b):
        (ta, fa), (tb, fb) = a, b
        if op == "+":
            return f"({ta} + {tb})", lambda x, y: fa(x, y) + fb(x, y)
        if op == "-":
            return f"({ta} - {tb})", lambda x, y: fa(x, y) - fb(x, y)
        if op == "*":
            return f"({ta} * {tb})", lambda x, y: fa(x, y) * fb(x, y)
        return f"({ta} / (1 + ({tb})^2))", lambda x, y: fa(x, y) / (1 + fb(x, y) ** 2)

    def power(a, n):
        return f"({a[0]})^{n}", lambda x, y: a[1](x, y) ** n

    return st.one_of(
        st.builds(call, st.sampled_from(sorted(SMOOTH)), children),
        st.builds(binary, st.sampled_from("+-*/"), children, children),
        st.builds(power, children, st.integers(2, 3)),
    )


FORMULAS = st.recursive(LEAVES, _combine, max_leaves=8)


@st.composite
def near_misses(draw):
    """A valid formula with one token inserted at a random place: often invalid, sometimes not."""
    text = draw(FORMULAS)[0]
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_misses())
def test_fuzzed_near_misses_give_a_surface_or_a_value_error(text):
    surface_or_value_error(text)


def central_gradient(fn, p, h=1e-6):
    return np.stack([(fn(p + h * e) - fn(p - h * e)) / (2 * h) for e in np.eye(2)], axis=-1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMULAS, st.integers(0, 2**32 - 1))
def test_random_formulas_match_numpy_and_finite_differences(pair, seed):
    text, reference = pair
    try:
        surface = from_formula(text, ((-2.0, 2.0), (-2.0, 2.0)))
    except ValueError as error:
        assume("too complex" not in str(error))  # the cost limit may refuse a big tree
        raise
    p = np.random.default_rng(seed).uniform(-1.5, 1.5, (20, 2))
    expected = reference(p[:, 0], p[:, 1]) + np.zeros(len(p))
    np.testing.assert_allclose(surface.value(p), expected, rtol=1e-12, atol=1e-12)
    grad, hess = surface.gradient(p), surface.hessian(p)
    scale = 1 + np.abs(expected)[:, None]
    np.testing.assert_allclose(grad, central_gradient(surface.value, p), atol=1e-6 * scale.max())
    fd = central_gradient(surface.gradient, p, h=1e-5)
    fd = 0.5 * (fd + np.swapaxes(fd, -1, -2))
    gscale = 1 + np.abs(grad).max()
    np.testing.assert_allclose(hess, fd, atol=1e-5 * gscale)
    np.testing.assert_array_equal(hess, np.swapaxes(hess, -1, -2))


@settings(max_examples=100, deadline=None)
@given(FORMULAS)
def test_normalised_text_is_stable(pair):
    try:
        once = parse(pair[0])[0]
    except ValueError as error:
        assume("too complex" not in str(error))
        raise
    assert parse(once)[0] == once


# --- built-in surfaces typed as formulas -----------------------------------------------------------

TYPED = {
    "beale": "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
    "rosenbrock": "(1 - x)^2 + 100*(y - x^2)^2",
    "himmelblau": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "booth": "(x + 2*y - 7)^2 + (2*x + y - 5)^2",
    "rastrigin": "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
    "three_hump_camel": "2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2",
    "six_hump_camel": "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
    "styblinski_tang": "(x^4 - 16*x^2 + 5*x + y^4 - 16*y^2 + 5*y)/2",
    "goldstein_price": "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
    "*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
    "ackley": "-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20",
    "saddle": "x^2 - y^2 + y^4/2",
    "long_valley": "5*y^2 + 0.2*(sqrt(1 + (x - 3)^2) - 1)",
}


def nearest(points, target):
    distance = [math.dist(p, target) for p in points] or [math.inf]
    i = int(np.argmin(distance))
    return i, distance[i]


@pytest.mark.parametrize("name", list(TYPED))
def test_builtin_typed_as_formula_has_same_values_and_critical_points(name):
    builtin = surfaces.get(name)
    typed = from_formula(TYPED[name], builtin.domain)
    (x0, x1), (y0, y1) = builtin.domain
    rng = np.random.default_rng(0)
    p = np.column_stack([rng.uniform(x0, x1, 500), rng.uniform(y0, y1, 500)])
    value = builtin.value(p)
    np.testing.assert_allclose(typed.value(p), value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(typed.gradient(p), builtin.gradient(p), rtol=1e-10, atol=1e-9)
    # Every listed minimum of the built-in is found, with its kind; the global ones are the same.
    for m in builtin.minima:
        i, distance = nearest([t.point for t in typed.minima], m.point)
        assert distance < 1e-7 and typed.minima[i].kind == m.kind, (m, typed.minima[i])
        assert typed.minima[i].value == pytest.approx(m.value, abs=1e-9)
    assert sum(m.kind == "global" for m in typed.minima) == len(
        [m for m in builtin.minima if m.kind == "global"]
    )
    for s in builtin.saddles:
        assert nearest(typed.saddles, s)[1] < 1e-7, s
    assert typed.log_scale == builtin.log_scale  # the heuristic agrees with the hand-made choice


@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau", "goldstein_price", "six_hump_camel"])
def test_builtin_typed_as_formula_has_the_finite_difference_hessian(name):
    builtin = surfaces.get(name)
    typed = from_formula(TYPED[name], builtin.domain)
    for m in [*builtin.minima, *((s, 0, "") for s in builtin.saddles)]:
        p = np.array(m[0])
        fd = central_gradient(builtin.gradient, p, h=1e-5)
        np.testing.assert_allclose(typed.hessian(p), 0.5 * (fd + fd.T), rtol=1e-6, atol=1e-6)


# --- the Surface contract -------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (7,), (3, 4)])
@pytest.mark.parametrize("text", ["2", "pi - e", "x", "sin(x) * y", "0 * x"])
def test_shapes_are_kept_also_for_constants(text, shape):
    surface = from_formula(text)
    p = np.random.default_rng(1).uniform(-5, 5, (*shape, 2))
    assert surface.value(p).shape == shape
    assert surface.gradient(p).shape == (*shape, 2)
    assert surface.hessian(p).shape == (*shape, 2, 2)
    assert surface.value(p).dtype == np.float64


def test_constant_formula_is_level_and_marks_the_centre():
    surface = from_formula("2 * pi", ((0.0, 4.0), (-1.0, 1.0)))
    p = np.array([[0.5, 0.5], [3.0, -1.0]])
    np.testing.assert_array_equal(surface.value(p), [2 * np.pi, 2 * np.pi])
    np.testing.assert_array_equal(surface.gradient(p), np.zeros((2, 2)))
    assert surface.global_minimum.point == (2.0, 0.0) and len(surface.minima) == 1


def test_undefined_and_overflowing_parts_are_nan_or_inf_without_warnings():
    surface = from_formula("log(x) + sqrt(y) + exp(x * y)")
    p = np.array([[-1.0, 1.0], [1.0, -1.0], [2.0, 1000.0], [1e200, 1e200], [np.inf, np.nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad, hess = surface.value(p), surface.gradient(p), surface.hessian(p)
    assert np.isnan(value[:2]).all() and np.isinf(value[2])
    assert not np.isfinite(grad[:2]).all(axis=-1).any()
    assert hess.shape == (5, 2, 2)


def test_formula_nan_everywhere_is_refused():
    with pytest.raises(ValueError, match="no finite value"):
        from_formula("sqrt(-1 - x^2)")


def test_plane_has_its_lowest_corner_as_global_marker():
    surface = from_formula("x + 2*y", ((-1.0, 3.0), (0.0, 2.0)))
    assert surface.minima == (surfaces.Minimum((-1.0, 0.0), -1.0, "global"),)
    assert "lowest point" in surface.description
    assert surface.start != surface.global_minimum.point


def test_lowest_point_on_an_edge_is_polished_along_the_edge():
    surface = from_formula("(y - 0.123)^2 + x")  # lowest on the edge x = -5 at y = 0.123
    np.testing.assert_allclose(surface.global_minimum.point, (-5.0, 0.123), atol=1e-9)
    assert surface.global_minimum.value == pytest.approx(-5.0, abs=1e-12)


def test_cubic_has_local_minimum_saddle_and_boundary_global():
    surface = from_formula("x^3 - 3*x + y^2")  # minimum (1, 0), saddle (-1, 0)
    assert surface.global_minimum.point == (-5.0, 0.0)
    assert [(m.point, m.kind) for m in surface.minima[1:]] == [((1.0, 0.0), "local")]
    np.testing.assert_allclose(surface.saddles, [(-1.0, 0.0)], atol=1e-12)


@pytest.mark.parametrize(
    ("text", "minima", "saddles"),
    [
        ("x^4 + y^2", [(0.0, 0.0)], []),  # degenerate minimum: the ring decides
        ("x^4 + y^4", [(0.0, 0.0)], []),  # zero Hessian
        ("(x - 0.3)^2 * 7 + (y + 0.2)^6", [(0.3, -0.2)], []),
        ("x^2 - y^2", [], [(0.0, 0.0)]),
        ("sin(x) * sin(y)", None, [(0.0, 0.0), (np.pi, 0.0), (-np.pi, np.pi)]),
    ],
)
def test_critical_points_of_small_formulas(text, minima, saddles):
    surface = from_formula(text, ((-4.0, 4.0), (-4.0, 4.0)))
    stationary = [
        m.point for m in surface.minima if np.linalg.norm(surface.gradient(m.point)) < 1e-6
    ]
    if minima is not None:
        assert len(stationary) == len(minima)
        for m in minima:
            assert nearest(stationary, m)[1] < 1e-5
    for s in saddles:
        assert nearest(surface.saddles, s)[1] < 1e-9
    for p in [*stationary, *surface.saddles]:
        assert np.linalg.norm(surface.gradient(p)) < 1e-8


def test_line_of_minima_is_not_listed_point_by_point():
    surface = from_formula("(x - 2*y)^2")
    assert len(surface.minima) == 1 and surface.global_minimum.point == (0.0, 0.0)


@pytest.mark.parametrize(
    "text", ["x^3 - 3*x + y^2", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2 - 30*x", "abs(x) + (y-1)^2"]
)
def test_global_minimum_is_lowest_on_a_fine_grid(text):
    surface = from_formula(text)
    (x0, x1), (y0, y1) = surface.domain
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, 801), np.linspace(y0, y1, 801)), axis=-1)
    assert surface.value(grid).min() >= surface.global_minimum.value - 1e-9
    assert all(m.value >= surface.global_minimum.value for m in surface.minima)


def test_metadata_start_and_repr():
    surface = from_formula("(1 - x)^2 + 100*(y - x^2)^2", ((-2.0, 2.0), (-1.0, 3.0)))
    assert surface.name == "formula"
    assert surface.formula == "(1 - x) ** 2 + 100 * (y - x ** 2) ** 2"
    assert surface.title == "f(x, y) = " + surface.formula
    (x0, x1), (y0, y1) = surface.domain
    assert x0 <= surface.start[0] <= x1 and y0 <= surface.start[1] <= y1
    assert np.isfinite(surface.value(surface.start))
    assert "formula" in repr(surface)


def test_built_surfaces_are_cached_by_normalised_text_and_domain():
    a = from_formula("x^2 + y^2", ((-1, 1), (-1, 1)))
    assert from_formula("x**2+y**2", ((-1.0, 1.0), (-1.0, 1.0))) is a
    assert from_formula("x^2 + y^2", ((-1, 2), (-1, 1))) is not a


def test_pickles_as_its_formula():
    surface = from_formula("sin(x) * y + abs(x - y)")
    blob = pickle.dumps(surface)
    formula._compile.cache_clear()  # the copy must rebuild its functions from the text
    copy = pickle.loads(blob)
    assert copy == surface
    p = np.random.default_rng(2).uniform(-5, 5, (10, 2))
    np.testing.assert_array_equal(copy.value(p), surface.value(p))
    np.testing.assert_array_equal(copy.hessian(p), surface.hessian(p))


@pytest.mark.parametrize(
    "domain",
    [
        ((1.0, 0.0), (0.0, 1.0)),
        ((0.0, 1.0), (0.0, 0.0)),
        ((0.0, 1e-4), (0.0, 1.0)),
        ((0.0, math.inf), (0.0, 1.0)),
        ((math.nan, 1.0), (0.0, 1.0)),
        ((-1e5, 1.0), (0.0, 1.0)),
        ((0.0, 1.0),),
        "((0, 1), (0, 1))",
        ((True, 2.0), (0.0, 1.0)),
        ((0.0, "1"), (0.0, 1.0)),
    ],
)
def test_invalid_domains_are_refused(domain):
    with pytest.raises(ValueError, match="domain"):
        from_formula("x + y", domain)
