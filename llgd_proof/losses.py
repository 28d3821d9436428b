"""Losses ℓ(s) of graded regularity: a catalog, user expressions, and the minimiser μ.

A :class:`Loss` keeps its formula with parameters as symbols (for LaTeX), the parameter
values, and its global minimiser μ (ℓ'(μ) = 0, ℓ''(μ) > 0). Losses are shifted so that
min ℓ = 0 (theory §1). μ comes from the catalog, from ``sympy.solveset`` on ℓ' = 0, or — marked
``numeric`` — from a grid search refined by ``mpmath.findroot``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import mpmath
import sympy

from .errors import ExpressionError, LossError, UnknownNameError
from .expressions import almost_everywhere, huber, parse_expression
from .symbolic import simplify_guarded
from .timeouts import TimeLimitExceeded, time_limit

S = sympy.Symbol("s", real=True)
MU = sympy.Symbol("mu", real=True)
DELTA = sympy.Symbol("delta", positive=True)
P = sympy.Symbol("p", positive=True)

PARAMETER_SYMBOLS = {"mu": MU, "delta": DELTA, "p": P}


@dataclass(frozen=True)
class Loss:
    """A loss ℓ(s) with its parameters and global minimiser μ."""

    name: str
    formula: sympy.Expr
    parameters: Mapping[sympy.Symbol, sympy.Expr] = field(default_factory=dict)
    minimiser: sympy.Expr = sympy.S.Zero
    minimiser_method: str = "catalog"
    description: str = ""

    @property
    def expr(self) -> sympy.Expr:
        """ℓ(s) with every parameter replaced by its value."""
        return self.formula.subs(self.parameters)

    @property
    def mu(self) -> sympy.Expr:
        return self.minimiser

    def derivative(self, order: int = 1) -> sympy.Expr:
        """ℓ^(order)(s), parameters substituted."""
        return almost_everywhere(sympy.diff(self.expr, S, order))

    def at_minimiser(self, order: int) -> sympy.Expr:
        """ℓ^(order)(μ), simplified."""
        return simplify_guarded(_value_at(self.derivative(order), self.minimiser))


def _value_at(expr: sympy.Expr, point: sympy.Expr) -> sympy.Expr:
    """expr(point), resolving Piecewise branches at the point."""
    return sympy.piecewise_fold(expr).subs(S, point)


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    build: Callable[[], sympy.Expr]
    defaults: Mapping[str, float]
    minimiser: sympy.Expr
    regularity: str
    description: str


def _r() -> sympy.Expr:
    return S - MU


CATALOG: dict[str, CatalogEntry] = {
    entry.name: entry
    for entry in [
        CatalogEntry("quadratic", lambda: _r() ** 2 / 2, {"mu": 1}, MU, "borderline", "square loss (s − μ)²/2"),
        CatalogEntry("huber", lambda: huber(_r(), DELTA), {"mu": 1, "delta": 1}, MU, "good", "Huber loss of s − μ with threshold δ"),
        CatalogEntry("logcosh", lambda: sympy.log(sympy.cosh(_r())), {"mu": 1}, MU, "good", "log cosh(s − μ)"),
        CatalogEntry("pseudo-huber", lambda: sympy.sqrt(1 + _r() ** 2) - 1, {"mu": 1}, MU, "good", "pseudo-Huber √(1 + (s − μ)²) − 1"),
        CatalogEntry(
            "gen-huber",
            lambda: ((1 + _r() ** 2) ** (P / 2) - 1) / P,
            {"mu": 1, "p": sympy.Rational(3, 2)},
            MU,
            "good if p < 2, borderline if p = 2, bad if p > 2",
            "generalised (pseudo-)Huber ((1 + (s − μ)²)^(p/2) − 1)/p with tail exponent p",
        ),
        CatalogEntry("double-well", lambda: (S**2 - 1) ** 2 / 4, {}, sympy.Integer(1), "bad", "(s² − 1)²/4 (Zhu et al.'s ¼(x²y² − 1)²), μ = 1"),
        CatalogEntry("logcosh0", lambda: sympy.log(sympy.cosh(S)), {}, sympy.Integer(0), "good", "log cosh(s), μ = 0 (Ahn et al.)"),
        CatalogEntry("quartic", lambda: _r() ** 2 / 2 + _r() ** 4 / 4, {"mu": 1}, MU, "bad", "super-quadratic (s − μ)²/2 + (s − μ)⁴/4"),
    ]
}
ALIASES = {"square": "quadratic", "mse": "quadratic", "log-cosh": "logcosh", "pseudohuber": "pseudo-huber"}


def catalog_loss(name: str, **parameters: float) -> Loss:
    """A catalog loss by name, with parameter overrides (``mu``, ``delta``, ``p``)."""
    key = ALIASES.get(name, name)
    if key not in CATALOG:
        raise UnknownNameError(f"unknown catalog loss {name!r}; known: {', '.join(CATALOG)}")
    entry = CATALOG[key]
    formula = entry.build()
    values = dict(entry.defaults)
    for parameter, value in parameters.items():
        if value is None:
            continue
        if parameter not in entry.defaults:
            raise UnknownNameError(f"loss {key!r} has no parameter {parameter!r}; it has {', '.join(entry.defaults) or 'none'}")
        values[parameter] = value
    substitutions = {PARAMETER_SYMBOLS[k]: _exact(v, k) for k, v in values.items()}
    if DELTA in substitutions and not substitutions[DELTA] > 0:
        raise LossError("the Huber threshold delta must be positive")
    if P in substitutions and not substitutions[P] >= 1:
        raise LossError("the tail exponent p must be at least 1")
    return Loss(
        name=key,
        formula=formula,
        parameters=substitutions,
        minimiser=sympy.sympify(entry.minimiser).subs(substitutions),
        minimiser_method="catalog",
        description=entry.description,
    )


def _exact(value, name: str) -> sympy.Expr:
    if isinstance(value, sympy.Expr):
        return value
    try:
        number = sympy.Rational(str(value))
    except (TypeError, ValueError, sympy.SympifyError) as error:
        raise ExpressionError(f"parameter {name} must be a number, got {value!r}") from error
    return number


def parse_loss_spec(spec: str, mu: float | None = None) -> Loss:
    """A loss from the CLI: a catalog name (``huber``, ``huber:delta=0.5``) or an expression in ``s``.

    An expression may use the parameter ``mu`` (value from ``mu``, default 1); its minimiser is
    then found symbolically or numerically.
    """
    name, _, rest = spec.partition(":")
    if ALIASES.get(name.strip(), name.strip()) in CATALOG:
        overrides: dict[str, float] = {"mu": mu}
        for item in filter(None, (part.strip() for part in rest.split(","))):
            key, eq, value = item.partition("=")
            if not eq:
                raise ExpressionError(f"catalog parameters are written name=value, got {item!r}")
            overrides[key.strip()] = value.strip()
        if mu is not None and "mu" not in CATALOG[ALIASES.get(name.strip(), name.strip())].defaults:
            raise LossError(f"loss {name.strip()!r} has a fixed minimiser; --mu does not apply to it")
        return catalog_loss(name.strip(), **overrides)
    if rest and name.strip().isidentifier():
        raise UnknownNameError(f"unknown catalog loss {name.strip()!r}; known: {', '.join(CATALOG)}")
    return loss_from_expression(spec, mu=mu)


def loss_from_expression(text: str, mu: float | None = None, name: str | None = None) -> Loss:
    """Parse ``text`` as ℓ(s) (parameter ``mu`` allowed) and find its global minimiser."""
    formula = parse_expression(text, {"s": S, "mu": MU})
    if not formula.has(S):
        raise LossError(f"the loss {text!r} does not depend on s")
    parameters = {MU: _exact(1 if mu is None else mu, "mu")} if formula.has(MU) else {}
    concrete = formula.subs(parameters)
    minimiser, method = find_minimiser(concrete)
    shift = sympy.nsimplify(_value_at(concrete, minimiser)) if method != "numeric" else _value_at(concrete, minimiser)
    if shift != 0:
        formula = formula - shift
    return Loss(
        name=name or text,
        formula=formula,
        parameters=parameters,
        minimiser=minimiser,
        minimiser_method=method,
        description=f"user loss {text}" + (f" shifted by {-shift}" if shift != 0 else ""),
    )


def find_minimiser(loss: sympy.Expr) -> tuple[sympy.Expr, str]:
    """Global minimiser μ of ℓ on ℝ with ℓ''(μ) > 0: (value, "symbolic" | "numeric").

    Raises :class:`LossError` when ℓ is unbounded below or has no non-degenerate global
    minimiser. Where several points are global minimisers (e.g. (s² − 1)²/4 at ±1) the largest
    is taken, so that μ > 0 where possible.
    """
    evaluate = functools.cache(_numeric(loss))  # the probe points are visited by several checks below
    _check_real_on_the_line(loss, evaluate)
    _check_differentiable_in_closed_form(loss)
    _check_bounded_below(loss, evaluate)
    candidates = _symbolic_critical_points(loss)
    method = "symbolic"
    if not candidates:
        candidates = _numeric_critical_points(loss, evaluate)
        method = "numeric"
    if not candidates:
        raise LossError(f"the loss {loss} has no minimiser (ℓ'(s) = 0 has no real solution)")
    values = [(evaluate(c), c) for c in candidates]
    best_value = min(v for v, _ in values)
    grid_minimum = min(evaluate(t) for t in _probe_points())
    if grid_minimum < best_value - 1e-9 * (1 + abs(best_value)):
        raise LossError(f"the loss {loss} has no global minimiser among its critical points (it goes lower elsewhere)")
    tied = [c for v, c in values if v <= best_value + 1e-12 * (1 + abs(best_value))]
    minimiser = max(tied, key=lambda c: float(c))
    slope = _numeric(almost_everywhere(sympy.diff(loss, S)))
    offset = sympy.Rational(1, 10**12)
    if abs(slope(minimiser + offset) - slope(minimiser - offset)) > 1e-6:
        raise LossError(f"the loss {loss} has a kink at its minimiser s = {minimiser}; the theory needs ℓ'(μ) = 0 with ℓ''(μ) > 0")
    curvature = _numeric(almost_everywhere(sympy.diff(loss, S, 2)))(minimiser)
    if not curvature > 1e-12:
        raise LossError(f"the minimiser s = {minimiser} of {loss} is degenerate (ℓ''(μ) = {curvature:.3g}); the theory needs ℓ''(μ) > 0")
    return minimiser, method


EVALUATION_SECONDS = 2


def _numeric(expr: sympy.Expr) -> Callable[[object], float]:
    function = sympy.lambdify(S, almost_everywhere(expr), modules="mpmath")

    def evaluate(point) -> float:
        with mpmath.workdps(30):
            try:
                with time_limit(EVALUATION_SECONDS):
                    value = function(mpmath.mpf(sympy.N(point, 30)) if isinstance(point, sympy.Basic) else mpmath.mpf(point))
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                return float("nan")
            except TimeLimitExceeded:
                raise LossError(f"evaluating {expr} at s = {point} took longer than {EVALUATION_SECONDS} s; its values grow too fast to work with") from None
            if abs(mpmath.im(value)) > 1e-20 * (1 + abs(value)):
                return float("nan")
        return float(mpmath.re(value))

    return evaluate


def _probe_points() -> list[float]:
    magnitudes = [10.0**k for k in range(-3, 7)] + [0.5 * j for j in range(1, 41)]
    return [0.0] + magnitudes + [-m for m in magnitudes]


def _check_real_on_the_line(loss: sympy.Expr, evaluate) -> None:
    for point in _probe_points():
        if math.isnan(evaluate(point)):
            raise LossError(f"the loss {loss} is not real-valued on all of ℝ (it is undefined or complex at s = {point:g})")


def _check_differentiable_in_closed_form(loss: sympy.Expr) -> None:
    derivative = loss
    for order in range(1, 5):
        derivative = sympy.diff(derivative, S)
        if derivative.has(sympy.Derivative):
            raise LossError(f"sympy cannot form the derivative of order {order} of the loss {loss} in closed form")


def _check_bounded_below(loss: sympy.Expr, evaluate) -> None:
    for direction in (1.0, -1.0):
        near, far = evaluate(direction * 1e6), evaluate(direction * 1e9)
        if math.isnan(near) or math.isnan(far) or (far < near - 1 and far < -1):
            raise LossError(f"the loss {loss} is unbounded below or undefined far from 0, so it has no global minimiser")


def _symbolic_critical_points(loss: sympy.Expr) -> list[sympy.Expr]:
    try:
        with time_limit(5):
            solutions = sympy.solveset(sympy.diff(loss, S), S, domain=sympy.S.Reals)
    except (TimeLimitExceeded, NotImplementedError, TypeError, ValueError):
        return []
    if not isinstance(solutions, sympy.FiniteSet):
        return []
    return [sympy.nsimplify(p) if p.is_Float else p for p in solutions if p.is_real]


def _numeric_critical_points(loss: sympy.Expr, evaluate) -> list[sympy.Expr]:
    derivative = sympy.lambdify(S, sympy.diff(loss, S), modules="mpmath")
    best = min(_probe_points(), key=evaluate)
    with mpmath.workdps(30):
        try:
            root = mpmath.findroot(derivative, mpmath.mpf(best))
        except (ValueError, ZeroDivisionError):
            return []
        if abs(mpmath.im(root)) > 1e-20 or not abs(derivative(root)) < 1e-15:
            return []
        root = mpmath.re(root)
    if abs(root) < 1e-20:
        return [sympy.Integer(0)]
    return [sympy.Float(mpmath.nstr(root, 25), 25)]
