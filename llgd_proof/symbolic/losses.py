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

from llgd_proof.errors import ExpressionError, LossError, ResourceLimitError, UnknownNameError
from llgd_proof.symbolic.algebra import simplify_guarded
from llgd_proof.symbolic.expressions import MAX_EXPONENT, almost_everywhere, huber, parse_expression
from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_limit

S = sympy.Symbol("s", real=True)
MU = sympy.Symbol("mu", real=True)
DELTA = sympy.Symbol("delta", positive=True)
P = sympy.Symbol("p", positive=True)

MAX_TAIL_EXPONENT = MAX_EXPONENT
"""Largest tail exponent p of gen-huber (the same cap as constant exponents in expressions)."""

MAX_DERIVATIVE_OPS = 20_000
"""Largest operation count (sympy ``count_ops``) of each of the first four derivatives of a loss."""

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
    bounded_below_method: str = "catalog"  # "symbolic" (limits at ±∞) | "numeric" (sampled far out: a marked fallback)

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
    if P in substitutions and not 1 <= substitutions[P] <= MAX_TAIL_EXPONENT:
        raise LossError(f"the tail exponent p must lie between 1 and {MAX_TAIL_EXPONENT}, got {substitutions[P]}")
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


def spec_formula(spec: str, mu=None) -> sympy.Expr:
    """ℓ(s) as a spec names it, every parameter replaced by its exact value, before any minimiser search or
    shift (no time limits, no solving): what a proof checker rebuilds from a certificate's strings."""
    if not isinstance(spec, str):
        raise ExpressionError(f"a loss must be a catalog name or an expression in s, got {type(spec).__name__}")
    name, _, rest = spec.partition(":")
    key = ALIASES.get(name.strip(), name.strip())
    if key in CATALOG:
        return _catalog_from_spec(key, rest, mu).expr
    formula = parse_expression(spec, {"s": S, "mu": MU})
    return formula.subs({MU: _exact(1 if mu is None else mu, "mu")}) if formula.has(MU) else formula


def _catalog_from_spec(key: str, rest: str, mu) -> Loss:
    overrides: dict[str, float] = {"mu": mu}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        parameter, eq, value = item.partition("=")
        if not eq:
            raise ExpressionError(f"catalog parameters are written name=value, got {item!r}")
        overrides[parameter.strip()] = value.strip()
    if mu is not None and "mu" not in CATALOG[key].defaults:
        raise LossError(f"loss {key!r} has a fixed minimiser; --mu does not apply to it")
    return catalog_loss(key, **overrides)


def parse_loss_spec(spec: str, mu: float | None = None) -> Loss:
    """A loss from the CLI: a catalog name (``huber``, ``huber:delta=0.5``) or an expression in ``s``.

    An expression may use the parameter ``mu`` (value from ``mu``, default 1); its minimiser is
    then found symbolically or numerically.
    """
    name, _, rest = spec.partition(":")
    if ALIASES.get(name.strip(), name.strip()) in CATALOG:
        return _catalog_from_spec(ALIASES.get(name.strip(), name.strip()), rest, mu)
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
    minimiser, method, bounded_below_method = _find_minimiser(concrete)
    shift = simplify_guarded(_value_at(concrete, minimiser)) if method != "numeric" else _value_at(concrete, minimiser)
    if shift != 0:
        formula = formula - shift
    return Loss(
        name=name or text,
        formula=formula,
        parameters=parameters,
        minimiser=minimiser,
        minimiser_method=method,
        bounded_below_method=bounded_below_method,
        description=f"user loss {text}" + (f" shifted by {-shift}" if shift != 0 else ""),
    )


def find_minimiser(loss: sympy.Expr) -> tuple[sympy.Expr, str]:
    """Global minimiser μ of ℓ on ℝ with ℓ''(μ) > 0: (value, "symbolic" | "numeric").

    Decided by mathematics where sympy can, with a marked numeric fallback where it cannot:

    * bounded below: the limits of ℓ at ±∞ (``sympy.limit``); ``-oo`` is refused. Only when a
      limit cannot be computed in time is ℓ sampled far out (method ``numeric``).
    * the minimiser: the real solutions of ℓ' = 0 (``sympy.solveset``; else ``mpmath.findroot``
      from the best probe point, method ``numeric``), compared with each other, with the limits at
      ±∞ (an infimum approached at infinity is not attained) and with a probe grid (a sanity check).
      A periodic ℓ (e.g. sin s) attains its minimum at infinitely many points, so M = {xy = μ} would
      not be the minimiser set: refused.
    * a kink: a jump of ℓ' at μ, decided by one-sided limits of ℓ' when ℓ contains Piecewise, Abs,
      Max, Min or sign (smooth elementary functions have none); a large smooth curvature such as
      10⁶(s − 1)² is not a kink.
    * ℓ''(μ) > 0 decided exactly when sympy can, else numerically at 30 digits.

    Where several points are global minimisers (e.g. (s² − 1)²/4 at ±1) the largest is taken, so
    that μ > 0 where possible.
    """
    minimiser, method, _ = _find_minimiser(loss)
    return minimiser, method


def _find_minimiser(loss: sympy.Expr) -> tuple[sympy.Expr, str, str]:
    """:func:`find_minimiser`, also saying how boundedness below was decided ("symbolic" | "numeric")."""
    evaluate = functools.cache(_numeric(loss))  # the probe points are visited by several checks below
    _check_real_on_the_line(loss, evaluate)
    _check_differentiable_in_closed_form(loss)
    tails = _check_bounded_below(loss, evaluate)
    candidates = _symbolic_critical_points(loss)
    method = "symbolic"
    if not candidates:
        candidates = _numeric_critical_points(loss, evaluate)
        method = "numeric"
    if not candidates:
        raise LossError(f"the loss {loss} has no minimiser (ℓ'(s) = 0 has no real solution)")
    values = [(evaluate(c), c) for c in candidates]
    best_value = min(v for v, _ in values)
    for side, tail in tails.items():
        if isinstance(tail, float) and tail < best_value - 1e-12 * (1 + abs(best_value)):
            raise LossError(
                f"the loss {loss} tends to {tail:.6g} as s → {side}∞, below its value {best_value:.6g} at every critical point, so it has no global minimiser"
            )
    grid_minimum = min(evaluate(t) for t in _probe_points())
    if grid_minimum < best_value - 1e-9 * (1 + abs(best_value)):
        raise LossError(f"the loss {loss} has no global minimiser among its critical points (it goes lower elsewhere)")
    tied = [c for v, c in values if v <= best_value + 1e-12 * (1 + abs(best_value))]
    minimiser = max(tied, key=lambda c: float(c))
    kink = _kink_at(loss, minimiser)
    if kink:
        raise LossError(f"the loss {loss} has a kink at its minimiser s = {minimiser} ({kink}); the theory needs ℓ'(μ) = 0 with ℓ''(μ) > 0")
    _check_curvature(loss, minimiser)
    return minimiser, method, "numeric" if "numeric" in tails.values() else "symbolic"


LIMIT_SECONDS = 3
NONSMOOTH = (sympy.Piecewise, sympy.Abs, sympy.Max, sympy.Min, sympy.sign, sympy.Heaviside)


def _limit(expr: sympy.Expr, point, direction: str = "+-") -> sympy.Expr | None:
    """sympy's limit with a wall-clock guard; None when sympy cannot decide it in time."""
    try:
        with time_limit(LIMIT_SECONDS):
            value = sympy.limit(expr, S, point, direction) if direction != "+-" else sympy.limit(expr, S, point)
    except (TimeLimitExceeded, NotImplementedError, TypeError, ValueError, AttributeError, RecursionError, sympy.PoleError):
        return None
    if isinstance(value, sympy.Limit) or value.has(sympy.Limit, sympy.nan, sympy.zoo):
        return None
    return value


_OFFSET = sympy.Symbol("t", positive=True)


def _one_sided(expr: sympy.Expr, point: sympy.Expr, side: int) -> sympy.Expr | None:
    """lim expr(point ± t) as t → 0⁺, with t declared positive so that Piecewise conditions and |·| resolve first."""
    try:
        with time_limit(LIMIT_SECONDS):
            shifted = sympy.piecewise_fold(expr.subs(S, point + side * _OFFSET))
            value = sympy.limit(shifted, _OFFSET, 0, "+")
    except (TimeLimitExceeded, NotImplementedError, TypeError, ValueError, AttributeError, RecursionError, sympy.PoleError):
        return None
    if isinstance(value, sympy.Limit) or value.has(sympy.Limit, sympy.nan, sympy.zoo, _OFFSET):
        return None
    return value


def _check_curvature(loss: sympy.Expr, minimiser: sympy.Expr) -> None:
    second = almost_everywhere(sympy.diff(loss, S, 2))
    exact = simplify_guarded(_value_at(second, minimiser), seconds=2)
    positive = exact.is_positive if exact.is_number else None
    if positive is None:
        curvature = _numeric(second)(minimiser)
        positive = curvature > 0 and abs(curvature) > 1e-25
    if not positive:
        shown = exact if exact.is_number and len(str(exact)) < 40 else sympy.N(exact, 3)
        raise LossError(f"the minimiser s = {minimiser} of {loss} is degenerate (ℓ''(μ) = {shown}); the theory needs ℓ''(μ) > 0")


def _kink_at(loss: sympy.Expr, point: sympy.Expr) -> str | None:
    """A description of the jump of ℓ' at ``point``, or None when ℓ' is continuous there.

    Only non-smooth building blocks (Piecewise, Abs, Max, Min, sign) can make ℓ' jump; for them the
    one-sided limits of ℓ' are compared symbolically, or — when sympy cannot take them — the jump
    over ±10⁻¹² is compared with the jump over ±10⁻⁶ (smooth: 10⁶ times smaller; kink: the same).
    """
    if not loss.has(*NONSMOOTH):
        return None
    slope = almost_everywhere(sympy.diff(loss, S))
    right, left = _one_sided(slope, point, 1), _one_sided(slope, point, -1)
    if right is not None and left is not None and right.is_number and left.is_number:
        difference = simplify_guarded(right - left, seconds=2)
        if difference.is_zero:
            return None
        if difference.is_zero is False or abs(sympy.N(difference, 30)) > 0:
            return f"ℓ' jumps from {left} to {right}"
    evaluate = _numeric(slope)

    def jump(offset: sympy.Expr) -> float:
        return abs(evaluate(point + offset) - evaluate(point - offset))

    tiny, small = jump(sympy.Rational(1, 10**12)), jump(sympy.Rational(1, 10**6))
    if small > 0 and tiny > 0.5 * small:
        return f"ℓ' jumps by about {tiny:.3g} (checked numerically)"
    return None


EVALUATION_SECONDS = 2


def _numeric(expr: sympy.Expr) -> Callable[[object], float]:
    function = sympy.lambdify(S, almost_everywhere(expr), modules="mpmath")

    def evaluate(point) -> float:
        with mpmath.workdps(30):
            try:
                with time_limit(EVALUATION_SECONDS, within_budget=False):
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
        size = sympy.count_ops(derivative)
        if size > MAX_DERIVATIVE_OPS:
            raise ResourceLimitError(f"the derivative of order {order} of the loss {loss} has {size} operations; at most {MAX_DERIVATIVE_OPS} are accepted")


def _check_bounded_below(loss: sympy.Expr, evaluate) -> dict[str, float | str | None]:
    """Refuse ℓ unbounded below; return the lower ends of ℓ at +∞ and −∞ (None where ℓ → +∞, "numeric" where sampled).

    Symbolic first (limits at ±∞); a limit sympy cannot take falls back to sampling ℓ at ±10⁶, ±10⁹.
    """
    tails: dict[str, float | str | None] = {}
    for side, infinity in (("+", sympy.oo), ("−", -sympy.oo)):
        value = _limit(loss, infinity)
        if value is None:  # numeric fallback
            direction = 1.0 if side == "+" else -1.0
            near, far = evaluate(direction * 1e6), evaluate(direction * 1e9)
            if math.isnan(near) or math.isnan(far) or (far < near - 1 and far < -1):
                raise LossError(f"the loss {loss} is unbounded below or undefined far from 0 (checked numerically), so it has no global minimiser")
            tails[side] = "numeric"
            continue
        if value == -sympy.oo or (isinstance(value, sympy.AccumBounds) and value.min == -sympy.oo):
            raise LossError(f"the loss {loss} is unbounded below (it tends to −∞ as s → {side}∞), so it has no global minimiser")
        if value == sympy.oo:
            tails[side] = None
        elif isinstance(value, sympy.AccumBounds):
            tails[side] = float(value.min)
        elif value.is_real:
            tails[side] = float(value)
        else:
            tails[side] = None
    return tails


def _symbolic_critical_points(loss: sympy.Expr) -> list[sympy.Expr]:
    try:
        with time_limit(5):
            solutions = sympy.solveset(sympy.diff(loss, S), S, domain=sympy.S.Reals)
    except (TimeLimitExceeded, NotImplementedError, TypeError, ValueError, RecursionError):
        return []
    if not isinstance(solutions, sympy.FiniteSet):
        if _periodic(loss):
            raise LossError(
                f"the loss {loss} is periodic, so its global minimum is attained at infinitely many points; "
                "the theory needs one global minimiser μ (so that M = {xy = μ} is the minimiser set)"
            )
        return []
    points = []
    for p in solutions:
        if p.is_real is False:
            continue
        if p.is_real is None:
            value = sympy.N(p, 30)
            if not value.is_real and abs(sympy.im(value)) > 1e-25:
                continue
        if p.has(sympy.Float):  # a rounded solution is not a closed form: let the marked numeric search find μ
            return []
        points.append(p)
    return points


def _periodic(loss: sympy.Expr) -> bool:
    try:
        with time_limit(2, within_budget=False):
            period = sympy.periodicity(loss, S)
    except (TimeLimitExceeded, NotImplementedError, TypeError, ValueError, RecursionError):
        return False
    return period is not None and period != 0


def _numeric_critical_points(loss: sympy.Expr, evaluate) -> list[sympy.Expr]:
    derivative = sympy.lambdify(S, sympy.diff(loss, S), modules="mpmath")
    best = min(_probe_points(), key=evaluate)
    with mpmath.workdps(30):
        try:
            with time_limit(5, within_budget=False):  # a decision, not an optional refinement
                root = mpmath.findroot(derivative, mpmath.mpf(best))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError, TimeLimitExceeded):
            return []
        if abs(mpmath.im(root)) > 1e-20:
            return []
        root = mpmath.re(root)
        # a root of ℓ' must be one: ℓ' changes sign across it (a tail where ℓ' underflows is not)
        offset = mpmath.mpf(10) ** -8 * (1 + abs(root))
        below, above = derivative(root - offset), derivative(root + offset)
        if isinstance(below, mpmath.mpc) or isinstance(above, mpmath.mpc) or not (below < 0 < above):
            return []
    if abs(root) < 1e-20:
        return [sympy.Integer(0)]
    return [sympy.Float(mpmath.nstr(root, 25), 25)]


_SPECS: dict[tuple, tuple[str, str | None] | None] = {}


def loss_spec(loss: Loss, given: tuple[str, str | None] | None = None) -> tuple[str, str | None] | None:
    """A (spec, μ) that :func:`~llgd_proof.symbolic.losses.parse_loss_spec` turns back into exactly ``loss``, so a Dask worker
    can rebuild it: ``given`` (the case's own --loss/--mu) first, then the catalog name with its parameters, then the
    formula; None when none of them does. "Exactly" is sympy's structural equality of ℓ and of μ — stronger than
    mathematical equality on purpose: the workers must compile the same float64 code to give the same arrays."""
    key = (loss.name, sympy.srepr(loss.formula), sympy.srepr(sorted(loss.parameters.items(), key=str)), sympy.srepr(loss.mu), given)
    if key in _SPECS:
        return _SPECS[key]
    candidates = [given] if given is not None else []
    names = {symbol: name for name, symbol in PARAMETER_SYMBOLS.items()}
    if loss.name in CATALOG and all(symbol in names for symbol in loss.parameters):
        options = ",".join(f"{names[symbol]}={value}" for symbol, value in loss.parameters.items() if symbol != MU)
        candidates.append((loss.name + (f":{options}" if options else ""), str(loss.parameters[MU]) if MU in loss.parameters else None))
    if MU in loss.parameters and set(loss.parameters) == {MU}:
        candidates.append((str(loss.formula), str(loss.parameters[MU])))
    candidates.append((str(loss.expr), None))
    found = None
    for spec, mu in candidates:
        try:
            rebuilt = parse_loss_spec(spec, mu=mu)
        except Exception:  # noqa: BLE001 — a spec that does not parse back is just not a candidate
            continue
        if rebuilt.expr == loss.expr and rebuilt.mu == loss.mu:
            found = (spec, mu)
            break
    if len(_SPECS) > 256:
        _SPECS.clear()
    _SPECS[key] = found
    return found
