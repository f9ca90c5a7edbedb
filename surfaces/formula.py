"""A surface from a typed formula, e.g. ``surfaces.from_formula("(1 - x)^2 + 100*(y - x^2)^2")``.

The text is read with Python's ``ast`` parser and checked against a whitelist before anything
else happens; the SymPy expression is then built node by node from the checked tree (user text
never reaches ``eval``, ``exec``, ``sympify`` or ``parse_expr``). SymPy differentiates it twice,
``lambdify`` turns value, gradient and Hessian into NumPy functions, and `surfaces.critical`
finds the minima and saddles on the domain.

Grammar (anything else is a ValueError naming the token and its column, counted from 1):

- numbers (``2``, ``0.5``, ``1e-3``; at most 1e6 in size), the variables ``x`` and ``y``, the
  constants ``pi`` and ``e``;
- ``+ - * /``, powers written ``**`` or ``^`` (``^`` is read as ``**`` with the same
  precedence, so ``x^2*y`` is ``x**2 * y``), unary ``-`` and ``+``, parentheses;
- calls of one argument to ``FUNCTIONS``: sin, cos, tan, arcsin, arccos, arctan, sinh, cosh,
  tanh, exp, log (natural), sqrt, abs; ``asin``, ``acos``, ``atan`` and ``ln`` are accepted
  and written in their NumPy names.

Limits, checked before any SymPy work: ``MAX_LENGTH`` characters, ASCII only (look-alikes such as
a Cyrillic "х" are refused), ``MAX_DEPTH`` levels of nesting, ``MAX_NODES`` nodes, constant
exponents of at most ``MAX_EXPONENT`` in size (``9**9**9`` is refused), and ``MAX_COST``, a
bound on the size of the second derivatives (they grow fast with the number of factors in a
product and with nested functions, and so does SymPy's time). Parts of the formula
without x and y are evaluated in floating point first, so constants that are not finite real
numbers (``1/0``, ``log(0)``, ``sqrt(-1)``, ``exp(1000)``) are refused too. Where the formula is
undefined or overflows somewhere on the plane (``log(x)`` for x <= 0), value, gradient and
Hessian are nan or inf there, silently.
"""

from __future__ import annotations

import ast
import math
import re
from functools import lru_cache

import numpy as np

from surfaces import critical
from surfaces.base import Domain, Point, Surface, check_domain

MAX_LENGTH = 300
MAX_DEPTH = 100
MAX_NODES = 200
MAX_EXPONENT = 100
MAX_COST = 1200  # see _grown: keeps SymPy's work for one formula under about a second
MAX_LITERAL = 1e6
DEFAULT_DOMAIN: Domain = ((-5.0, 5.0), (-5.0, 5.0))

# Accepted function names -> the name they are written as, and their value on a constant.
FUNCTIONS = {
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "arcsin": "arcsin",
    "asin": "arcsin",
    "arccos": "arccos",
    "acos": "arccos",
    "arctan": "arctan",
    "atan": "arctan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "exp": "exp",
    "log": "log",
    "ln": "log",
    "sqrt": "sqrt",
    "abs": "abs",
}
_MATH = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "arcsin": math.asin,
    "arccos": math.acos,
    "arctan": math.atan,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")
_DECIMAL = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .+-*/^()")
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": math.pow,
}
_DESCRIPTIONS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Compare: "comparison",
    ast.BoolOp: "logical operator",
    ast.IfExp: "conditional expression",
    ast.Lambda: "lambda",
    ast.Starred: "starred argument",
    ast.FloorDiv: "operator '//' in",
    ast.Not: "operator 'not' in",
}
_HELP = "use x, y, pi, e, numbers, + - * / ^ ( ) and " + ", ".join(sorted(set(FUNCTIONS.values())))

# The checked tree: ("num", value) for every part without x and y (already evaluated),
# ("var", "x"), ("neg", a), (op, a, b) with op in + - * / **, ("call", name, a).
Tree = tuple
# Sizes (f, df, d2f) of an expression and of its first and second derivatives as trees (no
# shared parts): a bound on SymPy's work, which grows fast in products and nested functions.
Cost = tuple[int, int, int]
LEAF: Cost = (1, 1, 1)


def _grown(kind: str, a: Cost, b: Cost = LEAF) -> Cost:
    """The cost of an operation on parts of cost a (and b), from the rules of differentiation."""
    if kind == "call":  # (g(u))' = g'(u) u',  (g(u))'' = g''(u) u'^2 + g'(u) u''
        return (a[0] + 1, a[0] + a[1] + 3, 2 * a[0] + 2 * a[1] + a[2] + 8)
    if kind == "power":  # u^c, c constant
        return (a[0] + 2, a[0] + a[1] + 4, 2 * a[0] + 2 * a[1] + a[2] + 10)
    if kind == "*":  # (ab)' = a'b + ab',  (ab)'' = a''b + 2a'b' + ab''
        return tuple(sum(a[: k + 1]) + sum(b[: k + 1]) + 2 * k + 1 for k in range(3))
    if kind == "/":  # a * b^-1
        return _grown("*", a, _grown("power", b))
    if kind == "**":  # a^b = exp(b log a)
        return _grown("call", _grown("*", b, _grown("call", a)))
    return tuple(p + q + 1 for p, q in zip(a, b, strict=True))  # + - and negation


class _Reader:
    """One pass over the parsed formula: whitelist, limits, constant folding, cost.

    ``code`` is the text handed to ``ast.parse`` (``^`` replaced by ``**``); ``columns[i]`` is
    the user's column (from 1) of code[i], for messages. ``read`` returns (tree, cost).
    """

    def __init__(self, code: str, columns: list[int]):
        self.code, self.columns, self.nodes = code, columns, 0

    def fail(self, message: str, offset: int, hint: bool = False) -> ValueError:
        column = self.columns[min(max(offset, 0), len(self.columns) - 1)]
        return ValueError(f"{message} at column {column}" + (f"; {_HELP}" if hint else ""))

    def segment(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.code, node) or type(node).__name__
        return text if len(text) <= 30 else text[:27] + "..."

    def operator_offset(self, node: ast.BinOp, symbol: str) -> int:
        """Where the operator of a binary node is, between its two operands."""
        start = node.left.end_col_offset
        found = self.code.find(symbol, start, node.right.col_offset)
        return found if found >= 0 else start

    def charged(self, tree: Tree, cost: Cost, offset: int) -> tuple[Tree, Cost]:
        if cost[2] > MAX_COST:
            raise self.fail(
                f"the formula is too complex to differentiate quickly (its second derivatives "
                f"would have about {cost[2]} terms, limit {MAX_COST}); the limit is reached",
                offset,
            )
        return tree, cost

    def read(self, node: ast.AST, depth: int) -> tuple[Tree, Cost]:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(f"the formula has more than {MAX_NODES} parts", node.col_offset)
        if depth > MAX_DEPTH:
            raise self.fail(f"the formula nests more than {MAX_DEPTH} levels deep", node.col_offset)
        if isinstance(node, ast.Constant):
            return self.number(node), LEAF
        if isinstance(node, ast.Name):
            return self.name(node), LEAF
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand, cost = self.read(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return operand, cost
            if operand[0] == "num":
                return ("num", -operand[1]), LEAF
            return ("neg", operand), _grown("-", cost)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return self.binary(node, _BINARY[type(node.op)], depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        kind = _DESCRIPTIONS.get(type(node), _DESCRIPTIONS.get(type(getattr(node, "op", None))))
        offset = node.col_offset
        if isinstance(node, ast.BinOp):
            offset = self.operator_offset(node, "//")
        raise self.fail(f"{kind or 'expression'} {self.segment(node)!r} is not allowed", offset)

    def number(self, node: ast.Constant) -> Tree:
        value, text = node.value, self.segment(node)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(f"{text!r} is not a real number", node.col_offset, True)
        if not _DECIMAL.fullmatch(text):
            raise self.fail(f"number {text!r} is not written in decimal", node.col_offset)
        if not abs(value) <= MAX_LITERAL:
            raise self.fail(f"number {text!r} is larger than {MAX_LITERAL:g}", node.col_offset)
        return ("num", float(value))

    def name(self, node: ast.Name) -> Tree:
        if node.id in VARIABLES:
            return ("var", node.id)
        if node.id in CONSTANTS:
            return ("num", CONSTANTS[node.id])
        if node.id in FUNCTIONS:
            raise self.fail(
                f"function {node.id!r} needs an argument in parentheses", node.col_offset
            )
        raise self.fail(f"unknown name {node.id!r}", node.col_offset, True)

    def binary(self, node: ast.BinOp, op: str, depth: int) -> tuple[Tree, Cost]:
        (left, a), (right, b) = self.read(node.left, depth + 1), self.read(node.right, depth + 1)
        offset = self.operator_offset(node, op)
        if op == "**" and right[0] == "num" and not abs(right[1]) <= MAX_EXPONENT:
            raise self.fail(
                f"exponent {right[1]:.6g} after '**' is larger than {MAX_EXPONENT}", offset
            )
        if left[0] == right[0] == "num":
            value = self.constant(lambda: _ARITHMETIC[op](left[1], right[1]), node, offset)
            return ("num", value), LEAF
        kind = "power" if op == "**" and right[0] == "num" else op
        return self.charged((op, left, right), _grown(kind, a, b), offset)

    def call(self, node: ast.Call, depth: int) -> tuple[Tree, Cost]:
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            what = func.id if isinstance(func, ast.Name) else self.segment(func)
            raise self.fail(f"{what!r} is not a function", func.col_offset, True)
        name = FUNCTIONS[func.id]
        func.id = name  # the normalised text uses one name per function
        if node.keywords or len(node.args) != 1:
            raise self.fail(f"function {name!r} takes exactly one argument", func.col_offset)
        argument, cost = self.read(node.args[0], depth + 1)
        if argument[0] == "num":
            value = self.constant(lambda: _MATH[name](argument[1]), node, func.col_offset)
            return ("num", value), LEAF
        return self.charged(("call", name, argument), _grown("call", cost), func.col_offset)

    def constant(self, compute, node: ast.AST, offset: int) -> float:
        """A part without x and y, evaluated now; it must be a finite real number."""
        try:
            value = float(compute())
        except (ArithmeticError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise self.fail(f"{self.segment(node)!r} is not a finite real number", offset)
        return value


def _code(text: str) -> tuple[str, list[int]]:
    """Check length and characters; return the text with ``^`` as ``**`` and a column map."""
    if not isinstance(text, str):
        raise ValueError(f"the formula must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(
            f"the formula has {len(text)} characters, more than {MAX_LENGTH}: it is cut off "
            f"at column {MAX_LENGTH + 1}"
        )
    if not text.strip():
        raise ValueError("the formula is empty at column 1")
    code, columns, depth = [], [], 0
    for i, char in enumerate(text):
        if char not in _CHARACTERS:
            raise ValueError(
                f"character {char!r} (U+{ord(char):04X}) at column {i + 1} is not allowed; {_HELP}"
            )
        if char == " " and not code:
            continue  # leading spaces would read as an indented block
        depth += (char == "(") - (char == ")")
        if depth > MAX_DEPTH:
            raise ValueError(f"'(' at column {i + 1} nests more than {MAX_DEPTH} levels deep")
        piece = "**" if char == "^" else char
        code.append(piece)
        columns += [i + 1] * len(piece)
    return "".join(code), columns + [len(text) + 1]


def parse(text: str) -> tuple[str, Tree]:
    """Check a formula; return its normalised text and checked tree, or raise ValueError.

    The normalised text is what users see and what goes into URLs: ``**`` for powers, NumPy
    function names, standard spacing. Parsing it again gives the same text.
    """
    code, columns = _code(text)
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError as error:
        offset = (error.offset or 1) - 1
        column = columns[min(max(offset, 0), len(columns) - 1)]
        near = text[column - 1 : column + 4] if column <= len(text) else "end of formula"
        raise ValueError(f"cannot read {near!r} at column {column}: {error.msg}") from None
    checked, _ = _Reader(code, columns).read(tree.body, 1)
    return ast.unparse(tree), checked


# --- SymPy: imported only when a formula is built, so `import surfaces` stays NumPy-only ---------


# Derivatives of the elementary functions, in terms of the functions themselves (F) and SymPy's
# arithmetic: name -> (NumPy function, u -> dF(u)/du).
_DERIVATIVES = {
    "sin": (np.sin, lambda F, u: F["cos"](u)),
    "cos": (np.cos, lambda F, u: -F["sin"](u)),
    "tan": (np.tan, lambda F, u: 1 + F["tan"](u) ** 2),
    "arcsin": (np.arcsin, lambda F, u: 1 / F["sqrt"](1 - u**2)),
    "arccos": (np.arccos, lambda F, u: -1 / F["sqrt"](1 - u**2)),
    "arctan": (np.arctan, lambda F, u: 1 / (1 + u**2)),
    "sinh": (np.sinh, lambda F, u: F["cosh"](u)),
    "cosh": (np.cosh, lambda F, u: F["sinh"](u)),
    "tanh": (np.tanh, lambda F, u: 1 - F["tanh"](u) ** 2),
    "exp": (np.exp, lambda F, u: F["exp"](u)),
    "log": (np.log, lambda F, u: 1 / u),
    "sqrt": (np.sqrt, lambda F, u: 1 / (2 * F["sqrt"](u))),
    "abs": (np.abs, lambda F, u: F["sign"](u)),  # d|u|/du = sign(u), for real u
    "sign": (np.sign, lambda F, u: 0 * u),  # zero away from u = 0 (as a SymPy number)
}


def _function_class(sympy, name: str, functions: dict):
    """A SymPy function class "Sin", "Exp", ... that knows its derivative and nothing else."""
    derivative = _DERIVATIVES[name][1]

    def fdiff(self, argindex=1):
        return derivative(functions, self.args[0])

    return type(name.capitalize(), (sympy.Function,), {"fdiff": fdiff})


@lru_cache(maxsize=1)
def _sympy():
    """SymPy, the symbols x and y, our functions F (name -> SymPy function class) and the
    namespace that turns them into NumPy's in ``lambdify``.

    The functions are SymPy ``Function`` classes of our own that know only their derivative.
    SymPy's own sin, tanh, ... simplify every new expression by querying assumptions about
    their arguments, recursively: differentiating tanh nested 8 deep took 30 s. Ours are left
    as typed (exp(log(x)) stays nan for x < 0, as NumPy computes it), and SymPy's diff applies
    the chain, product and power rules to them.
    """
    import sympy

    functions: dict = {}
    for name in _DERIVATIVES:
        functions[name] = _function_class(sympy, name, functions)
    namespace = {name.capitalize(): numpy_fn for name, (numpy_fn, _) in _DERIVATIVES.items()}
    return sympy, sympy.symbols("x y"), functions, namespace


def _to_sympy(tree: Tree):
    """The SymPy expression of a checked tree (built here node by node, never from text)."""
    sympy, symbols, functions, _ = _sympy()
    kind = tree[0]
    if kind == "num":
        value = tree[1]
        if value.is_integer() and abs(value) <= 2**53:
            return sympy.Integer(int(value))
        return sympy.Float(value, 17)  # 17 digits: lambdify prints it back to the same double
    if kind == "var":
        return symbols[VARIABLES.index(tree[1])]
    if kind == "neg":
        return -_to_sympy(tree[1])
    if kind == "call":
        return functions[tree[1]](_to_sympy(tree[2]))
    left, right = _to_sympy(tree[1]), _to_sympy(tree[2])
    return {
        "+": lambda: left + right,
        "-": lambda: left - right,
        "*": lambda: left * right,
        "/": lambda: left / right,
        "**": lambda: left**right,
    }[kind]()


def _numeric(expression, formula: str):
    """Prepare an expression for NumPy: SymPy's infinities become nan, and exact numbers too
    large for a double become floats (inf), which Python integers would refuse to become."""
    sympy, _, _, namespace = _sympy()
    expression = expression.xreplace({sympy.zoo: sympy.nan})
    big = {
        n: sympy.Float(n, 17)
        for n in expression.atoms(sympy.Rational)
        if abs(n.p) > 2**53 or n.q > 2**53
    }
    expression = expression.xreplace(big)
    # The power rule brings in SymPy's log: d(u^v) = u^v (v' log u + v u'/u).
    unknown = {type(f).__name__ for f in expression.atoms(sympy.Function)} - {*namespace, "log"}
    if unknown or expression.has(sympy.Derivative):
        raise ValueError(f"cannot differentiate {formula!r}: SymPy introduced {sorted(unknown)}")
    return expression


def _real(values, shape: tuple[int, ...]) -> np.ndarray:
    """float64 of the given shape; complex results are nan where not real."""
    out = np.asarray(values)
    if np.iscomplexobj(out):
        out = np.where(out.imag == 0, out.real, np.nan)
    out = out.astype(np.float64, copy=False)
    return out if out.shape == shape else np.broadcast_to(out, shape).copy()


@lru_cache(maxsize=64)
def _compile(formula: str):
    """Value, gradient and Hessian of a normalised formula as NumPy functions of (x, y)."""
    sympy, (x, y), _, namespace = _sympy()
    value = _to_sympy(parse(formula)[1])
    gradient = [sympy.diff(value, v) for v in (x, y)]
    hessian = [sympy.diff(gradient[0], x), sympy.diff(gradient[0], y), sympy.diff(gradient[1], y)]

    def compiled(expressions):
        exprs = [_numeric(e, formula) for e in expressions]
        # Without the docstring (the printed expression), lambdify is 3-4 times faster.
        return sympy.lambdify(
            (x, y), exprs, modules=[namespace, "numpy"], cse=True, docstring_limit=0
        )

    # Derivatives come with the value (cheap: they share most subexpressions), so that they can
    # be nan where f is: d log(u) = 1/u is finite where log(u) is not defined.
    return compiled([value]), compiled([value, *gradient]), compiled([value, *hessian])


class FormulaFunction:
    """Value (``part`` 0), gradient (1) or Hessian (2) of a formula, as a function of (x, y)
    arrays; derivatives are nan wherever the value is. Pickles as its formula text (lambdified
    code cannot be pickled), so formula surfaces can be sent to worker processes."""

    def __init__(self, formula: str, part: int):
        self.formula, self.part = formula, part
        self._fn = _compile(formula)[part]

    def __call__(self, x, y):
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        with np.errstate(all="ignore"):
            value, *derivatives = (_real(v, shape) for v in self._fn(x, y))
        if self.part == 0:
            return value
        undefined = np.isnan(value)
        if undefined.any():
            derivatives = [np.where(undefined, np.nan, d) for d in derivatives]
        return tuple(derivatives)

    def __reduce__(self):
        return FormulaFunction, (self.formula, self.part)

    def __repr__(self) -> str:
        return f"FormulaFunction({self.formula!r}, {self.part})"


def _start(fn, grad_fn, domain: Domain, target: Point) -> Point:
    """A default start: of the four points 15% in from the corners, the farthest from the
    global minimum where value and gradient are finite; else the domain's centre."""
    (x0, x1), (y0, y1) = domain
    fx, fy = np.array([0.15, 0.85, 0.15, 0.85]), np.array([0.15, 0.15, 0.85, 0.85])
    xs, ys = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
    with np.errstate(all="ignore"):
        ok = np.isfinite(fn(xs, ys)) & np.all(np.isfinite(grad_fn(xs, ys)), axis=0)
    if not ok.any():
        return (0.5 * (x0 + x1), 0.5 * (y0 + y1))
    distance = np.where(ok, np.hypot(xs - target[0], ys - target[1]), -1.0)
    best = int(np.argmax(distance))
    return (float(xs[best]), float(ys[best]))


def _log_scale(fn, domain: Domain, floor: float) -> bool:
    """Log-spaced contours where f rises steeply: the 90th percentile of f - f_min above 12
    times the 10th on a grid (this reproduces the choice made by hand for the built-ins)."""
    (x0, x1), (y0, y1) = domain
    X, Y = np.meshgrid(np.linspace(x0, x1, 101), np.linspace(y0, y1, 101))
    with np.errstate(all="ignore"):
        lift = fn(X, Y) - floor
    lift = lift[np.isfinite(lift)]
    if lift.size == 0:
        return False
    q10, q90 = np.quantile(lift, [0.1, 0.9])
    return bool(q90 > 12 * q10)


@lru_cache(maxsize=32)
def _build(formula: str, domain: Domain) -> Surface:
    fn, grad_fn, hess_fn = (FormulaFunction(formula, part) for part in range(3))
    found = critical.find(fn, grad_fn, hess_fn, domain)
    best = found.minima[0]
    (x0, x1), (y0, y1) = domain
    n_local = len(found.minima) - sum(m.kind == "global" for m in found.minima)
    n_minima = len(found.minima) - found.lowest_on_grid
    description = (
        f"The typed formula f(x, y) = {formula} on [{x0:g}, {x1:g}] x [{y0:g}, {y1:g}]; "
        f"found numerically: {_count(n_minima, 'minimum', 'minima')} ({n_local} local), "
        f"{_count(len(found.saddles), 'saddle point', 'saddle points')}."
    )
    if found.lowest_on_grid:
        description += (
            " No isolated stationary point is the lowest: the global minimum marks the lowest "
            f"point found, ({best.point[0]:.4g}, {best.point[1]:.4g}), on the boundary, at a "
            "kink or on a level floor, where the gradient need not vanish."
        )
    return Surface(
        name="formula",
        title=f"f(x, y) = {formula}",
        description=description,
        fn=fn,
        grad_fn=grad_fn,
        domain=domain,
        start=_start(fn, grad_fn, domain, best.point),
        minima=found.minima,
        saddles=found.saddles,
        log_scale=_log_scale(fn, domain, best.value),
        hess_fn=hess_fn,
        formula=formula,
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def from_formula(text: str, domain: Domain = DEFAULT_DOMAIN) -> Surface:
    """The surface f(x, y) given by ``text`` on ``domain`` = ((x0, x1), (y0, y1)).

    Like the built-in surfaces it has analytic gradient and Hessian (by SymPy), a default
    start, and minima and saddles, found numerically by `surfaces.critical.find`. If no
    stationary point is the lowest point of the domain (a plane, a cubic, a cone's tip), its
    "global" minimum is the lowest point found on the domain, and not stationary. ``name`` is
    "formula", ``formula`` the normalised text, ``title`` "f(x, y) = " + formula.

    Raises ValueError for formulas outside the grammar or limits of this module (naming the
    offending token and its column) and for invalid domains (bounds finite, within ±1e4,
    x0 < x1 and y0 < y1 by at least 1e-3). Results are cached on (normalised text, domain):
    the same surface object comes back for equal inputs.
    """
    formula, _ = parse(text)
    return _build(formula, check_domain(domain))
