"""Divergence of GD on a one-variable objective with a polynomial derivative.

With F(x) = x − hf'(x) and P(x) = F(x)² − c²x², substitute x = ±(A + u): if every coefficient of both
polynomials in u is ≥ 0 (exact rational arithmetic in sympy), then P ≥ 0 for u ≥ 0, i.e. |F(x)| ≥ c|x| for
every |x| ≥ A. With c > 1, A > 0 and an enclosure of x_K outside (−A, A), induction gives |x_k| ≥ c^(k−K) A → ∞.

The certificate leaves nothing to choose: (A, c) is the first pair of :data:`LADDER` that sympy proves, and K
is the first step whose enclosure lies outside (−A, A).
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from llgd_proof.checker.problem import Problem
from llgd_proof.symbolic.expressions import almost_everywhere

MAX_DEGREE = 32
LADDER = tuple((a, c) for a in ("1", "2", "5", "10", "100", "10000") for c in ("2", "1.5", "1.1"))
"""The (threshold A, factor c) pairs tried, in order."""


def expansion_failures(problem: Problem, h_text: str, threshold: str, factor: str) -> list[str]:
    """Why sympy cannot prove |F(x)| ≥ c|x| for every |x| ≥ A (empty when it proves it)."""
    if problem.is_product or problem.n_variables != 1:
        return ["divergence certificates are for objectives of one variable"]
    (x,) = problem.variables
    h, a, c = (sympy.Rational(Fraction(v)) for v in (h_text, threshold, factor))
    if not (c > 1 and a > 0):
        return ["the expansion factor must exceed 1 and the threshold be positive"]
    derivative = almost_everywhere(sympy.diff(problem.expr, x))
    if not derivative.is_polynomial(x) or sympy.degree(derivative, x) > MAX_DEGREE:
        return [f"f' is not a polynomial of degree at most {MAX_DEGREE}"]
    polynomial = sympy.expand((x - h * derivative) ** 2 - c**2 * x**2)
    u = sympy.Symbol("u", nonnegative=True)
    for sign in (1, -1):
        shifted = sympy.Poly(sympy.expand(polynomial.subs(x, sign * (a + u))), u)
        if any(coefficient < 0 for coefficient in shifted.all_coeffs()):
            return ["sympy cannot prove |F(x)| ≥ c|x| for |x| ≥ A (a coefficient is negative)"]
    return []


def canonical_expansion(problem: Problem, h_text: str) -> tuple[str, str] | None:
    """The first (A, c) of :data:`LADDER` for which sympy proves |F(x)| ≥ c|x| on |x| ≥ A, or None."""
    return next(((a, c) for a, c in LADDER if not expansion_failures(problem, h_text, a, c)), None)
