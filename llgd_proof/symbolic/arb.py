"""sympy → python-flint ``arb`` (Arb ball arithmetic): the translation table's flint names, rigorous branches.

:func:`compile_arb` turns sympy expressions into one Python function on ``arb`` balls (common
subexpressions eliminated once, like every other backend of :mod:`llgd_proof.symbolic.objective`). Every
operation of Arb returns a ball that contains the exact result for every point of its input balls,
so the compiled function is an *enclosure* of the sympy expression — with one place where care is
needed, the branches:

* ``Piecewise`` — each condition is decided on the ball (three-valued: certainly true, certainly
  false, undecided). The first certainly-true branch ends the search; an undecided condition keeps
  its branch *and* goes on. With ``piecewise="union"`` the result is the union of every kept branch
  (sound: the true point lies in exactly one branch, and that branch evaluated on the whole ball
  contains its value). With ``piecewise="undecidable"`` an undecided condition raises
  :class:`Undecidable` instead. A single branch is never chosen silently.
* ``Abs``, ``Max``, ``Min`` are continuous and Arb evaluates them rigorously on any ball;
  ``sign`` on a ball containing 0 is the union of the signs (or :class:`Undecidable`).

The namespace holds only Arb functions and the helpers below; no user text is ever evaluated
(the source is printed from the sympy tree, exactly as ``sympy.lambdify`` does for other backends).
Precision is Arb's global working precision (``flint.ctx.prec``, in bits): use :func:`working_bits`.
Numbers are built at call time, so a rational such as 1/10 is a ball at the current precision.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Sequence

import sympy
from flint import arb, ctx

from llgd_proof.symbolic.functions import BALL_HELPERS, TABLE


class Undecidable(ArithmeticError):
    """A branch condition (Piecewise, sign) is neither certainly true nor certainly false on a ball."""


@contextlib.contextmanager
def working_bits(bits: int):
    """Run with Arb's working precision set to ``bits`` (restored afterwards)."""
    previous = ctx.prec
    ctx.prec = int(bits)
    try:
        yield
    finally:
        ctx.prec = previous


def interval(low, high) -> arb:
    """The smallest ball Arb builds that contains [low, high] (endpoints as arb, str or numbers)."""
    return arb(low).union(arb(high))


def endpoints(ball: arb) -> tuple[arb, arb]:
    """(lower, upper) endpoints of a ball, as exact arb numbers."""
    return ball.lower(), ball.upper()


# -- three-valued logic on balls --------------------------------------------------------------
def _difference(a, b) -> arb:
    return arb(a) - b


def _le(a, b):
    d = _difference(b, a)
    return True if d >= 0 else (False if d < 0 else None)


def _lt(a, b):
    d = _difference(b, a)
    return True if d > 0 else (False if d <= 0 else None)


def _eq(a, b):
    d = _difference(a, b)
    return True if (d.is_exact() and d.is_zero()) else (False if (d > 0 or d < 0) else None)


def _and(*values):
    return False if any(v is False for v in values) else (True if all(v is True for v in values) else None)


def _or(*values):
    return True if any(v is True for v in values) else (False if all(v is False for v in values) else None)


def _not(value):
    return None if value is None else not value


def _piecewise_union(*pairs):
    kept = []
    for value, condition in pairs:
        if condition is False:
            continue
        kept.append(arb(value))
        if condition is True:
            break
    if not kept:
        return arb.nan()
    result = kept[0]
    for value in kept[1:]:
        result = result.union(value)
    return result


def _piecewise_strict(*pairs):
    """Branch values come as functions (see :class:`_Printer`): only the chosen branch is evaluated, so an
    undecidable sign inside a branch that is certainly not taken does not stop the evaluation."""
    for value, condition in pairs:
        if condition is None:
            raise Undecidable("a Piecewise condition is undecided on this ball")
        if condition is True:
            return arb(value())
    return arb.nan()


def _sign_union(x):
    return arb(x).sgn()


def _sign_strict(x):
    x = arb(x)
    if x > 0:
        return arb(1)
    if x < 0:
        return arb(-1)
    if x.is_zero():
        return arb(0)
    raise Undecidable("sign is undecided on a ball containing 0")


def _heaviside_union(x, *_):
    x = arb(x)
    if x > 0:
        return arb(1)
    if x < 0:
        return arb(0)
    if x.is_zero():
        return arb(1) / 2  # sympy's Heaviside(0) = 1/2
    return arb(0).union(arb(1))


def _heaviside_strict(x, *_):
    x = arb(x)
    if x > 0 or x < 0 or x.is_zero():
        return _heaviside_union(x)
    raise Undecidable("Heaviside is undecided on a ball containing 0")


def _max(*values):
    result = arb(values[0])
    for value in values[1:]:
        result = result.max(arb(value))
    return result


def _min(*values):
    result = arb(values[0])
    for value in values[1:]:
        result = result.min(arb(value))
    return result


def _rational(p: int, q: int) -> arb:
    return arb(p) / q


def _binary(mantissa: int, exponent: int) -> arb:
    return arb(mantissa) * arb(2) ** exponent


def _power(base, exponent):
    return arb(base) ** arb(exponent)


def _integer_power(base, n: int):
    """base**n by multiplication (python-flint's ``**`` returns nan for a ball straddling 0, e.g. [±ε]**2)."""
    if n < 0:
        return 1 / _integer_power(base, -n)
    result, square = arb(1), arb(base)
    while n:
        if n & 1:
            result = result * square
        n >>= 1
        if n:
            square = square * square
    return result


# -- sympy head -> name in the namespace, from the one translation table (llgd_proof.symbolic.functions) ----
MODE_HELPERS = ("sign", "heaviside")
_HELPERS = {"abs": abs, "max": _max, "min": _min}  # MODE_HELPERS are set per branch mode: MODES
FUNCTION_TABLE: dict[type, str] = {row.sympy: f"_{row.flint}" for row in TABLE}
_FUNCTIONS = {f"_{row.flint}": _HELPERS[row.flint] if row.flint in BALL_HELPERS else getattr(arb, row.flint) for row in TABLE if row.flint not in MODE_HELPERS}

_NAMESPACE = {
    "arb": arb,
    **_FUNCTIONS,
    "_rsqrt": arb.rsqrt,
    "_rational": _rational,
    "_binary": _binary,
    "_power": _power,
    "_integer_power": _integer_power,
    "_square": lambda x: x * x,
    "_pi": arb.pi,
    "_e": arb.const_e,
    "_le": _le,
    "_lt": _lt,
    "_eq": _eq,
    "_and": _and,
    "_or": _or,
    "_not": _not,
}
MODES = {"union": (_piecewise_union, _sign_union, _heaviside_union), "undecidable": (_piecewise_strict, _sign_strict, _heaviside_strict)}
"""Per branch mode: the functions named ``_piecewise`` and (the table's :data:`MODE_HELPERS`) ``_sign``, ``_heaviside``."""


class _Printer:
    """Python source on arb balls for one sympy tree (anything outside the table is refused)."""

    def __init__(self, names: dict[sympy.Symbol, str], lazy: bool = False):
        self.names = names
        self.lazy = lazy  # Piecewise branch values as lambdas (the "undecidable" mode evaluates only the chosen one)

    def ball(self, e) -> str:
        """An argument of an Arb function: a plain integer is made a ball first (``arb.sqrt(10)`` is nan,
        and some unbound methods crash on an int)."""
        return f"arb({int(e)})" if isinstance(e, sympy.Integer) else self(e)

    def __call__(self, e) -> str:
        if e in self.names:
            return self.names[e]
        if e is sympy.true or e == sympy.true:
            return "True"
        if e is sympy.false or e == sympy.false:
            return "False"
        if isinstance(e, sympy.Integer):
            return str(int(e))
        if isinstance(e, sympy.Rational):
            return f"_rational({int(e.p)}, {int(e.q)})"
        if isinstance(e, sympy.Float):
            sign, mantissa, exponent, _ = e._mpf_
            return f"_binary({-mantissa if sign else mantissa}, {exponent})"
        if e is sympy.pi:
            return "_pi()"
        if e is sympy.E:
            return "_e()"
        if isinstance(e, sympy.Add):
            return "(" + " + ".join(self(a) for a in e.args) + ")"
        if isinstance(e, sympy.Mul):
            return "(" + "*".join(self(a) for a in e.args) + ")"
        if isinstance(e, sympy.Pow):
            base, exponent = e.args
            if exponent == 2:
                return f"_square({self(base)})"
            if exponent.is_Integer:
                return f"_integer_power({self(base)}, {int(exponent)})"
            if exponent == sympy.Rational(1, 2):
                return f"_sqrt({self.ball(base)})"
            if exponent == sympy.Rational(-1, 2):
                return f"_rsqrt({self.ball(base)})"
            return f"_power({self(base)}, {self(exponent)})"
        if isinstance(e, sympy.Piecewise):
            if self.lazy:
                return "_piecewise(" + ", ".join(f"((lambda: {self(v)}), {self(c)})" for v, c in e.args) + ")"
            return "_piecewise(" + ", ".join(f"({self(v)}, {self(c)})" for v, c in e.args) + ")"
        if isinstance(e, (sympy.LessThan, sympy.StrictLessThan)):
            op = "_le" if isinstance(e, sympy.LessThan) else "_lt"
            return f"{op}({self(e.lhs)}, {self(e.rhs)})"
        if isinstance(e, (sympy.GreaterThan, sympy.StrictGreaterThan)):
            op = "_le" if isinstance(e, sympy.GreaterThan) else "_lt"
            return f"{op}({self(e.rhs)}, {self(e.lhs)})"
        if isinstance(e, sympy.Eq):
            return f"_eq({self(e.lhs)}, {self(e.rhs)})"
        if isinstance(e, sympy.Ne):
            return f"_not(_eq({self(e.lhs)}, {self(e.rhs)}))"
        if isinstance(e, sympy.And):
            return "_and(" + ", ".join(self(a) for a in e.args) + ")"
        if isinstance(e, sympy.Or):
            return "_or(" + ", ".join(self(a) for a in e.args) + ")"
        if isinstance(e, sympy.Not):
            return f"_not({self(e.args[0])})"
        head = type(e) if not isinstance(e, sympy.Function) else e.func
        if head in FUNCTION_TABLE:
            return f"{FUNCTION_TABLE[head]}(" + ", ".join(self.ball(a) for a in e.args) + ")"
        from llgd_proof.errors import ExpressionError

        raise ExpressionError(f"the ball-arithmetic engine has no translation for {type(e).__name__} (in {str(e)[:80]})")


_counter = itertools.count()


def compile_arb(args: Sequence[sympy.Symbol], exprs: Sequence[sympy.Expr], *, piecewise: str = "union", descent: bool = False) -> Callable[..., list]:
    """One function ``f(*balls) -> [ball, …]`` enclosing ``exprs`` (see the module doc for branches).

    With ``descent`` (``exprs`` = [f, ∂f/∂θ₁, …, ∂f/∂θₙ]): ``f(h, *θ) -> [f, ∂₁f, …, ∂ₙf, θ₁⁺, …, θₙ⁺]`` with
    θᵢ⁺ = mid(θᵢ − h·∂ᵢf), the midpoint GD step of the numeric engine, in the same operations as written out
    in a loop (one call per step instead of a call and a list comprehension)."""
    if descent and len(exprs) != len(args) + 1:
        raise ValueError("descent needs the value and one partial derivative per argument")
    if piecewise not in MODES:
        raise ValueError(f"piecewise must be one of {tuple(MODES)}")
    exprs = [sympy.sympify(e) for e in exprs]
    strict = piecewise == "undecidable"
    if strict and any(e.has(sympy.Piecewise) for e in exprs):  # no shared subexpression may lift a branch's value out of it
        replacements, reduced = [], exprs
    else:
        replacements, reduced = sympy.cse(exprs, symbols=(sympy.Symbol(f"_c{i}") for i in itertools.count()))
    names = {a: f"_a{i}" for i, a in enumerate(args)}
    printer = _Printer(names, lazy=strict)
    lines = [f"def _arb_function({', '.join((['_h'] if descent else []) + [names[a] for a in args])}):"]
    for symbol, value in replacements:
        names[symbol] = str(symbol)
        lines.append(f"    {symbol} = {printer(value)}")
    results = [printer(e) if not e.is_Number else f"arb({printer(e)})" for e in reduced]
    if descent:
        lines += [f"    _v{i} = {r}" for i, r in enumerate(results)]
        results = [f"_v{i}" for i in range(len(results))] + [f"({names[a]} - _h * _v{i + 1}).mid()" for i, a in enumerate(args)]
    lines.append("    return [" + ", ".join(results) + "]")
    namespace = dict(_NAMESPACE)
    namespace["_piecewise"], namespace["_sign"], namespace["_heaviside"] = MODES[piecewise]
    code = compile("\n".join(lines), f"<arb-{next(_counter)}>", "exec")
    exec(code, namespace)  # noqa: S102 — source printed from a sympy tree, as lambdify does
    return namespace["_arb_function"]


def constant(expr: sympy.Expr) -> arb:
    """A ball enclosing a constant sympy expression at the current precision."""
    return compile_arb([], [expr])()[0]


class ArbCompiled:
    """The objective's functions on balls: the ``"arb"`` backend of :meth:`Objective.compiled`.

    ``gradient(*θ)``, ``value_and_gradient(*θ)``, ``value(*θ)``, ``hessian_entries(*θ)`` (upper
    triangle), ``step(θ, h)`` and, for f = ℓ(xᵀy), ``slope_at(s)`` = ℓ'(s), ``curvature_at(s)`` = ℓ''(s)
    (functions of s, unlike the mpmath backend's ``loss_slope(*θ)``) and ``minimiser()`` = μ, each
    returning arb balls. ``strict_hessian`` is the Hessian compiled with ``piecewise="undecidable"``
    (for the Jacobian bounds, where a straddled branch must stop the argument).
    """

    def __init__(self, objective, piecewise: str = "union"):  # an Objective (which imports this module to compile itself)
        from llgd_proof.symbolic.losses import S

        args = objective.variables
        self.objective = objective
        self.piecewise = piecewise
        self.n_variables = objective.n_variables
        self._value_and_gradient = compile_arb(args, [objective.expr, *objective.gradient], piecewise=piecewise)
        self.value_and_gradient = self._value_and_gradient  # the generated function itself: no wrapper call
        self._descent = None
        self._gradient = compile_arb(args, list(objective.gradient), piecewise=piecewise)
        self.upper = [(i, j) for i in range(self.n_variables) for j in range(i, self.n_variables)]
        self._hessian = compile_arb(args, [objective.hessian[i, j] for i, j in self.upper], piecewise=piecewise)
        if objective.is_product:
            derivatives = objective.loss_derivatives
            self._slope = compile_arb([S], [derivatives[1], derivatives[2]], piecewise=piecewise)
            self._mu = objective.minimiser_value
        self._objective_for_strict = objective

    @property
    def strict_hessian(self):
        """The Hessian's upper triangle compiled with ``piecewise="undecidable"`` (built on first use)."""
        if getattr(self, "_strict_hessian", None) is None:
            objective = self._objective_for_strict
            self._strict_hessian = compile_arb(objective.variables, [objective.hessian[i, j] for i, j in self.upper], piecewise="undecidable")
        return self._strict_hessian

    @property
    def descent_step(self):
        """``step(h, *θ) -> [f, ∂₁f, …, ∂ₙf, θ₁⁺, …, θₙ⁺]`` with θᵢ⁺ = mid(θᵢ − h·∂ᵢf) (see :func:`compile_arb`;
        built on first use)."""
        if self._descent is None:
            objective = self._objective_for_strict
            self._descent = compile_arb(objective.variables, [objective.expr, *objective.gradient], piecewise=self.piecewise, descent=True)
        return self._descent

    def gradient(self, *theta) -> list:
        return self._gradient(*theta)

    def value(self, *theta):
        return self._value_and_gradient(*theta)[0]

    def hessian_entries(self, *theta) -> list:
        return self._hessian(*theta)

    def hessian_matrix(self, theta) -> list[list]:
        n = self.n_variables
        matrix = [[None] * n for _ in range(n)]
        for (i, j), entry in zip(self.upper, self._hessian(*theta)):
            matrix[i][j] = matrix[j][i] = entry
        return matrix

    def slope_at(self, s):
        return self._slope(s)[0]

    def curvature_at(self, s):
        return self._slope(s)[1]

    def minimiser(self) -> arb:
        return constant(self._mu)

    def step(self, theta: Sequence, h) -> list:
        """One GD step θ − h∇f(θ) on balls."""
        return [t - h * g for t, g in zip(theta, self._gradient(*theta))]


# -- exact decimal endpoints (for certificates and JSON) ---------------------------------------------
def exact_fraction(value: arb):
    """An exact arb number (a dyadic m·2^e) as a Python Fraction."""
    from fractions import Fraction

    mantissa, exponent = value.man_exp()
    mantissa, exponent = int(mantissa), int(exponent)
    return Fraction(mantissa) * (Fraction(2) ** exponent)


def _decimal(value, digits: int, upward: bool) -> str:
    """A decimal string with ``digits`` significant digits, rounded down (or up) from the Fraction ``value``."""
    import math
    from fractions import Fraction

    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value.numerator)) - math.log10(value.denominator)) - digits + 1
    scaled = value / (Fraction(10) ** exponent)
    integer = math.ceil(scaled) if upward else math.floor(scaled)
    from decimal import Decimal, localcontext

    with localcontext() as context:
        context.prec = digits + 10  # normalize() rounds to the context: keep every digit
        return str(Decimal(f"{integer}e{exponent}").normalize()).replace("E+", "e").replace("E", "e")


def interval_strings(ball: arb, digits: int = 40) -> list[str]:
    """[lo, hi] as decimal strings with lo ≤ every point of the ball ≤ hi (outward rounding)."""
    if not ball.is_finite():
        raise ArithmeticError("cannot write a non-finite ball as an interval")
    return [_decimal(exact_fraction(ball.lower()), digits, upward=False), _decimal(exact_fraction(ball.upper()), digits, upward=True)]


def upper_string(ball: arb, digits: int = 40) -> str:
    """A decimal string ≥ every point of the ball."""
    return interval_strings(ball, digits)[1]


def from_decimal(text: str) -> arb:
    """A ball containing the exact decimal ``text`` (parsed as a fraction, never evaluated)."""
    import re
    from fractions import Fraction

    match = re.fullmatch(r"-?\d{1,400}(\.\d{1,400})?(e[-+]?(\d{1,5}))?", str(text).strip())
    if not match or (match.group(3) and int(match.group(3)) > 20_000):
        raise ValueError(f"expected a decimal number such as 1.25 or 125e-2, got {str(text)[:60]!r}")
    value = Fraction(str(text).strip())
    return arb(value.numerator) / value.denominator


def interval_from_strings(pair: Sequence[str]) -> arb:
    """A ball containing the interval [lo, hi] given as exact decimal strings."""
    return from_decimal(pair[0]).union(from_decimal(pair[1]))
