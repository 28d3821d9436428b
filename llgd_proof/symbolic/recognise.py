"""Hypotheses decided by mathematics, not by spelling (analysis layer).

* :func:`is_square_loss` — ℓ is "the square loss" iff sympy proves ℓ(s) − (s − μ)²/2 ≡ 0, whatever the
  spelling (``quadratic``, ``(s-1)**2/2``, ``s**2/2 - s + 1/2`` …).
* :func:`as_product` — a general objective in (x, y), or in (x1..xn, y1..yn), is recognised as ℓ(xy)
  (or ℓ(xᵀy)) when it is one: with g(s) = f(x1 = s, y1 = 1, the others 0), sympy must prove
  f − g(xᵀy) ≡ 0. Then it becomes the product family's objective, with its theorems and closed forms.
* :func:`local_minimiser` — the minimiser x* of a one-variable f nearest to a start: computed
  (``solveset`` on f' = 0 with f'' > 0, or a root of f' certified by interval arithmetic), never defaulted;
  :func:`check_minimiser` checks a user-given x* (f'(x*) = 0 and f''(x*) > 0) before it is used.

A ``None`` answer means "not proved either way", never "false".
"""

from __future__ import annotations

import random

import mpmath
import sympy

from llgd_proof.errors import LlgdInputError
from llgd_proof.symbolic.algebra import simplify_guarded, vanishes
from llgd_proof.symbolic.expressions import almost_everywhere
from llgd_proof.symbolic.losses import Loss, S, find_minimiser
from llgd_proof.symbolic.objective import Objective, product_objective
from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_limit

SYMBOLIC_SECONDS = 5.0


def _numeric_gap(difference: sympy.Expr, symbols, trials: int = 6) -> float:
    """Largest |difference| at a few seeded points in [−2, 2]^k (nan where undefined): a quick refutation."""
    generator = random.Random(0)
    worst = 0.0
    function = sympy.lambdify(symbols, difference, modules="mpmath")
    for _ in range(trials):
        point = [mpmath.mpf(generator.uniform(-2, 2)) for _ in symbols]
        with mpmath.workdps(30):
            try:
                value = complex(function(*point))
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                continue
        worst = max(worst, abs(value))
    return worst


def is_square_loss(loss: Loss) -> tuple[bool | None, str]:
    """Does sympy prove ℓ(s) − (s − μ)²/2 ≡ 0? (False when a point shows the difference is not 0.)"""
    difference = loss.expr - (S - loss.mu) ** 2 / 2
    method = vanishes(difference, seconds=SYMBOLIC_SECONDS)
    if method is not None:
        return True, f"sympy proves ℓ(s) − (s − μ)²/2 ≡ 0 ({method}), μ = {loss.mu}"
    gap = _numeric_gap(almost_everywhere(difference), [S])
    if gap > 1e-20:
        return False, f"ℓ(s) − (s − μ)²/2 is not identically 0 (|difference| = {gap:.3g} at a sample point), μ = {loss.mu}"
    return None, "sympy could not decide whether ℓ(s) − (s − μ)²/2 ≡ 0"


def product_loss(expr: sympy.Expr, variables) -> sympy.Expr | None:
    """g(s) with f ≡ g(xᵀy) proved by sympy (x = first half of ``variables``, y = second half), else None."""
    variables = list(variables)
    if len(variables) < 2 or len(variables) % 2:
        return None
    n = len(variables) // 2
    xs, ys = variables[:n], variables[n:]
    if not expr.free_symbols <= set(variables):
        return None
    pick = {v: 0 for v in variables}
    pick.update({xs[0]: S, ys[0]: 1})
    try:
        candidate = expr.xreplace(pick)
        product = sum(a * b for a, b in zip(xs, ys))
        difference = expr - candidate.subs(S, product)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not candidate.has(S) or _numeric_gap(difference, variables) > 1e-20:
        return None  # cheap refutation before any symbolic work
    if vanishes(difference, seconds=SYMBOLIC_SECONDS) is None:
        return None
    return candidate


def as_product(objective: Objective) -> Objective | None:
    """The product-family objective ℓ(xᵀy) equal to ``objective``, when sympy proves it is one; else None.

    The loss is g(s) shifted so that min ℓ = 0 (a constant shift, which changes no GD step); a g without a
    non-degenerate global minimiser is not a loss of the theory, and the objective stays general.
    """
    if objective.is_product:
        return objective
    try:
        with time_limit(4 * SYMBOLIC_SECONDS):
            candidate = product_loss(objective.expr, objective.variables)
            if candidate is None:
                return None
            minimiser, method = find_minimiser(candidate)
    except (LlgdInputError, TimeLimitExceeded):
        return None
    shift = simplify_guarded(candidate.subs(S, minimiser)) if method != "numeric" else candidate.subs(S, minimiser)
    loss = Loss(
        name=str(candidate - shift),
        formula=candidate - shift,
        minimiser=minimiser,
        minimiser_method=method,
        description=f"recognised: f = {objective.expr} is ℓ(xᵀy) with ℓ(s) = {candidate}" + (f", shifted by {-shift}" if shift != 0 else ""),
    )
    n = objective.n_variables // 2
    recognised = product_objective(loss, dim=n)
    recognised.name = f"{objective.name} = ℓ(xᵀy), ℓ(s) = {loss.expr}"
    return recognised


# -- minimisers of one-variable objectives ---------------------------------------------------------------


def check_minimiser(expr: sympy.Expr, variable: sympy.Symbol, point) -> tuple[bool | None, str]:
    """Is ``point`` a strict local minimiser: f'(x*) = 0 (proved) and f''(x*) > 0?"""
    exact = sympy.nsimplify(point, rational=False) if not isinstance(point, sympy.Basic) else point
    slope = sympy.simplify(almost_everywhere(sympy.diff(expr, variable)).subs(variable, exact))
    curvature = sympy.simplify(almost_everywhere(sympy.diff(expr, variable, 2)).subs(variable, exact))
    if slope != 0:
        numeric = complex(sympy.N(slope, 20))
        if abs(numeric) > 1e-15:
            return False, f"x* = {exact} is not a critical point: f'(x*) = {sympy.N(slope, 6)}"
        return None, f"could not prove f'({exact}) = 0"
    if curvature.is_positive:
        return True, f"f'(x*) = 0 and f''(x*) = {curvature} > 0 at x* = {exact}"
    if curvature.is_nonpositive:
        return False, f"x* = {exact} is a critical point but f''(x*) = {curvature} ≤ 0: not a strict minimiser"
    return None, f"could not decide the sign of f''({exact}) = {curvature}"


def local_minimiser(expr: sympy.Expr, variable: sympy.Symbol, start) -> tuple[sympy.Expr, str]:
    """The strict local minimiser of f nearest to ``start``: symbolic if ``solveset`` finds the critical points,
    else a root of f' from ``start`` certified by interval arithmetic (f' changes sign across a small interval
    on which f'' > 0). Raises :class:`LlgdInputError` when none is found."""
    slope = almost_everywhere(sympy.diff(expr, variable))
    curvature = almost_everywhere(sympy.diff(expr, variable, 2))
    start_value = float(start)
    try:
        with time_limit(SYMBOLIC_SECONDS):
            critical = sympy.solveset(slope, variable, domain=sympy.S.Reals)
    except (TimeLimitExceeded, NotImplementedError, TypeError, ValueError):
        critical = None
    if isinstance(critical, sympy.FiniteSet):
        minimisers = [p for p in critical if p.is_real and sympy.simplify(curvature.subs(variable, p)).is_positive]
        if minimisers:
            best = min(minimisers, key=lambda p: abs(float(p) - start_value))
            return best, f"symbolic: the strict local minimiser nearest the start among the roots of f' ({len(minimisers)} found)"
    return _certified_root(slope, curvature, variable, start_value)


def _certified_root(slope, curvature, variable, start: float) -> tuple[sympy.Expr, str]:
    numeric_slope = sympy.lambdify(variable, slope, modules="mpmath")
    with mpmath.workdps(40):
        try:
            root = mpmath.findroot(numeric_slope, mpmath.mpf(start))
        except (ValueError, ZeroDivisionError) as error:
            raise LlgdInputError(f"no minimiser of f found near the start {start:g} (f' = 0 has no root there)") from error
        root = mpmath.re(root)
    radius = mpmath.mpf(10) ** -20
    interval_slope = sympy.lambdify(variable, slope, modules=mpmath.iv)
    interval_curvature = sympy.lambdify(variable, curvature, modules=mpmath.iv)
    saved, mpmath.iv.dps = mpmath.iv.dps, 40
    try:
        with mpmath.workdps(40):
            low, high = mpmath.iv.mpf(root - radius), mpmath.iv.mpf(root + radius)
            certified = interval_slope(low).b < 0 < interval_slope(high).a and interval_curvature(mpmath.iv.mpf([root - radius, root + radius])).a > 0
    except (TypeError, ValueError, ZeroDivisionError):
        certified = False
    finally:
        mpmath.iv.dps = saved
    if not certified:
        raise LlgdInputError(f"no certified strict minimiser of f near the start {start:g}; give one with --set minimiser=VALUE")
    return sympy.Float(mpmath.nstr(root, 30), 30), "numeric, certified: f' < 0 < f' across [x* ∓ 1e-20] and f'' > 0 there (interval arithmetic)"
