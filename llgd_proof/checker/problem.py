"""The problem a certificate names, rebuilt from its exact strings: f, its GD step and its derivatives on balls.

Trusted here: the expression parser (:func:`llgd_proof.symbolic.expressions.parse_expression`, every literal an exact
rational), the catalogue's formulas (:func:`llgd_proof.symbolic.losses.spec_formula`, no minimiser search), sympy's
derivatives, and the sympy → Arb translator (:func:`llgd_proof.symbolic.arb.compile_arb`). Nothing here has a
time limit: the sizes are bounded instead (the parser's limits and :data:`MAX_DERIVATIVE_OPS`).

* f = ℓ(xᵀy), x, y ∈ ℝⁿ: the step is x⁺ = x − hℓ'(s)y, y⁺ = y − hℓ'(s)x with s = xᵀy (the chain rule), and
  the Hessian is ℓ''(s)·(y, x)(y, x)ᵀ + ℓ'(s)·[[0, I], [I, 0]] (theory F1).
* a general f(θ): gradient and Hessian by ``sympy.diff`` (derivatives almost everywhere at kinks).

Branches: the step uses ``piecewise="union"`` (sound on any ball); every derivative used in a mean-value
argument (ℓ'' on an interval, the Hessian on a box) uses ``piecewise="undecidable"``, so a ball on which a
branch is not decided stops the argument instead of silently picking a side.

**Tight enclosures of ℓ' and ℓ''** (:meth:`Problem.tight_slope_and_curvature`, used by the basin enclosures,
whose s-balls are wide). Two sound narrowings (derived), each intersected with the plain evaluation:

* exact rewriting before compiling: sinh(a)/cosh(a) → tanh(a) (an identity for every real a), so that ℓ' of
  log cosh is tanh(s − 1), not the quotient of two wide balls;
* monotone hulls: on S = [lo, hi], if the evaluation of g' on S (every branch decided) is finite and > 0 (or
  < 0), then g is differentiable and monotone on S, so g(S) ⊂ hull(g(lo), g(hi)); applied to g = ℓ' (g' = ℓ'')
  and to g = ℓ'' (g' = ℓ''').
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field

import sympy
from flint import arb

from llgd_proof.errors import LlgdInputError
from llgd_proof.symbolic.arb import Undecidable, compile_arb, from_decimal
from llgd_proof.symbolic.expressions import CONSTANTS, FUNCTIONS, almost_everywhere, parse_expression
from llgd_proof.symbolic.losses import S, spec_formula

MAX_DIM = 16
MAX_VARIABLES = 4
MAX_DERIVATIVE_OPS = 20_000
COST_OPS = 50
"""A basin ball step costs 1 + (operations of ℓ', ℓ'', ℓ''') // COST_OPS work units (:meth:`Problem.basin_cost`)."""
INPUT_KEYS = ("loss", "mu", "dim", "objective", "variables", "h", "init")


class CertificateError(LlgdInputError):
    """A certificate is not readable as one: not JSON, a missing or extra field, a value of the wrong type or size."""


@dataclass
class Problem:
    """f and its functions on balls; ``loss`` is ℓ(s) for the product family, else None."""

    inputs: dict
    n_variables: int
    dim: int | None
    loss: sympy.Expr | None
    expr: sympy.Expr | None = None
    variables: tuple = ()
    _functions: dict = field(default_factory=dict, repr=False)

    @property
    def is_product(self) -> bool:
        return self.loss is not None

    # -- compiled once per problem ------------------------------------------------------------------
    def _compiled(self, name: str):
        if name not in self._functions:
            self._functions[name] = self._compile(name)
        return self._functions[name]

    def _compile(self, name: str):
        if self.is_product:
            first = almost_everywhere(sympy.diff(self.loss, S))
            second = almost_everywhere(sympy.diff(first, S))
            _bounded(first, second)
            if name.startswith("tight"):
                third = almost_everywhere(sympy.diff(second, S))
                size = _bounded(first, second, third, what="the loss's derivatives ℓ', ℓ'', ℓ'''")
                if name == "tight cost":
                    return 1 + size // COST_OPS
                exprs = [first, second] if name == "tight loss" else [third]
                return compile_arb([S], [_narrow_form(e) for e in exprs], piecewise="undecidable")
            mode = "undecidable" if name.startswith("strict") else "union"
            return compile_arb([S], [first, second], piecewise=mode)
        gradient = [almost_everywhere(sympy.diff(self.expr, v)) for v in self.variables]
        if any(g.has(sympy.Piecewise, sympy.sign, sympy.Heaviside) for g in gradient):
            # a jump of ∇f would be invisible to the Hessian (its Dirac terms are dropped): no mean-value step is sound
            raise CertificateError("the objective's gradient has a branch (where, abs, sign): proofs need a continuous gradient")
        upper = [(i, j) for i in range(self.n_variables) for j in range(i, self.n_variables)]
        hessian = [almost_everywhere(sympy.diff(gradient[i], self.variables[j])) for i, j in upper]
        _bounded(*gradient, *hessian)
        if name == "gradient":
            return compile_arb(self.variables, gradient, piecewise="union")
        return compile_arb(self.variables, hessian, piecewise="undecidable")

    # -- what the checker evaluates -------------------------------------------------------------------
    def slope(self, s: arb) -> arb:
        """ℓ'(s) on a ball (branches united)."""
        return self._compiled("loss")(s)[0]

    def strict_slope_and_curvature(self, s: arb) -> tuple[arb, arb]:
        """(ℓ'(s), ℓ''(s)) on a ball with every branch decided (raises Undecidable otherwise)."""
        first, second = self._compiled("strict loss")(s)
        return first, second

    def basin_cost(self) -> int:
        """The work units of one basin ball step (:data:`COST_OPS`). Compiles the tight functions, so a loss whose
        ℓ', ℓ'', ℓ''' are too large is refused here (CertificateError), before any enclosure is computed."""
        self._compiled("tight loss")
        self._compiled("tight third")
        return self._compiled("tight cost")

    def tight_slope_and_curvature(self, s: arb) -> tuple[arb, arb]:
        """(ℓ'(s), ℓ''(s)) on a ball with every branch decided, narrowed as in the module doc (raises Undecidable
        where :meth:`strict_slope_and_curvature` does)."""
        tight = self._compiled("tight loss")
        first, second = (meet(a, b) for a, b in zip(self.strict_slope_and_curvature(s), tight(s)))
        if s.rad() == 0:
            return first, second
        try:
            low, high = tight(s.lower()), tight(s.upper())
            third = self._compiled("tight third")(s)[0]
        except Undecidable:
            return first, second
        if second.is_finite() and (second > 0 or second < 0):
            first = meet(first, low[0].union(high[0]))
        if third.is_finite() and (third > 0 or third < 0):
            second = meet(second, low[1].union(high[1]))
        return first, second

    def product(self, theta) -> arb:
        n = self.dim
        return sum((theta[i] * theta[n + i] for i in range(n)), arb(0))

    def step(self, theta, h: arb) -> list:
        """One GD step θ − h∇f(θ) on balls."""
        if self.is_product:
            n = self.dim
            factor = h * self.slope(self.product(theta))
            return [theta[i] - factor * theta[n + i] for i in range(n)] + [theta[n + i] - factor * theta[i] for i in range(n)]
        return [t - h * g for t, g in zip(theta, self._compiled("gradient")(*theta))]

    def hessian_upper(self, theta) -> list:
        """The upper triangle of ∇²f on a box, row by row, with every branch decided (raises Undecidable)."""
        if not self.is_product:
            return self._compiled("strict hessian")(*theta)
        n = self.dim
        first, second = self.strict_slope_and_curvature(self.product(theta))
        gradient_of_s = [theta[n + i] for i in range(n)] + [theta[i] for i in range(n)]  # ∂s/∂(x, y) = (y, x)
        entries = []
        for i in range(2 * n):
            for j in range(i, 2 * n):
                entry = second * gradient_of_s[i] * gradient_of_s[j]
                if j == i + n:
                    entry = entry + first
                entries.append(entry)
        return entries


def _narrow_form(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with sinh(a)/cosh(a) written tanh(a) (an exact identity; module doc)."""
    for cosh in expr.atoms(sympy.cosh):
        expr = expr.subs(sympy.sinh(cosh.args[0]) / cosh, sympy.tanh(cosh.args[0]))
    return expr


def meet(a: arb, b: arb) -> arb:
    """The intersection of two balls that both hold the same exact value (either may be non-finite)."""
    if not a.is_finite():
        return b
    if not b.is_finite():
        return a
    return a.intersection(b)


def _bounded(*exprs, what: str = "the derivatives of the certificate's objective") -> int:
    """The operation count of ``exprs`` (CertificateError above :data:`MAX_DERIVATIVE_OPS`, or for an unevaluated derivative)."""
    size = sum(sympy.count_ops(e) for e in exprs)
    if size > MAX_DERIVATIVE_OPS:
        raise CertificateError(f"{what} have {size} operations; at most {MAX_DERIVATIVE_OPS} are checked")
    if any(e.has(sympy.Derivative, sympy.Subs) for e in exprs):
        raise CertificateError("sympy cannot differentiate the certificate's objective in closed form")
    return size


def _text(value, what: str, limit: int = 2000) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise CertificateError(f"the certificate's {what} must be a non-empty string of at most {limit} characters")
    return value.strip()


def problem_from_inputs(inputs) -> Problem:
    """The problem named by a certificate's ``inputs`` (exactly the keys of :data:`INPUT_KEYS`, strings for numbers)."""
    try:
        return _problem(inputs)
    except CertificateError:
        raise
    except LlgdInputError as error:  # the parser's or the catalogue's sentence, said of the certificate
        raise CertificateError(f"the certificate's inputs do not name a problem: {error}") from None


def _problem(inputs) -> Problem:
    if not isinstance(inputs, dict) or set(inputs) != set(INPUT_KEYS):
        raise CertificateError(f"the certificate's inputs must have exactly the fields {', '.join(INPUT_KEYS)}")
    h = from_decimal_checked(inputs["h"], "step h")
    if not h > 0:
        raise CertificateError("the certificate's step h must be positive")
    init = inputs["init"]
    if not isinstance(init, list) or not init or len(init) > 2 * MAX_DIM:
        raise CertificateError("the certificate's start must be a non-empty list of decimal strings")
    for value in init:
        from_decimal_checked(value, "start")
    loss, objective = inputs["loss"], inputs["objective"]
    if (loss is None) == (objective is None):
        raise CertificateError("the certificate names exactly one of a loss and an objective")
    if loss is not None:
        dim = inputs["dim"]
        if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= MAX_DIM or inputs["variables"] != []:
            raise CertificateError(f"a loss certificate has dim from 1 to {MAX_DIM} and no variables")
        mu = inputs["mu"]
        if mu is not None:
            from_decimal_checked(mu, "mu")
        formula = spec_formula(_text(loss, "loss"), mu=mu)
        if formula.has(sympy.Float) or not formula.free_symbols <= {S}:
            raise CertificateError("the certificate's loss is not an exact expression in s")
        if len(init) != 2 * dim:
            raise CertificateError(f"the certificate's start needs {2 * dim} values for dim {dim}")
        return Problem(inputs=inputs, n_variables=2 * dim, dim=dim, loss=formula)
    names = inputs["variables"]
    if inputs["mu"] is not None or inputs["dim"] != 1:
        raise CertificateError("an objective certificate has mu null and dim 1")
    if not isinstance(names, list) or not 1 <= len(names) <= MAX_VARIABLES or len(set(map(str, names))) != len(names):
        raise CertificateError(f"an objective certificate names 1 to {MAX_VARIABLES} distinct variables")
    for name in names:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name in FUNCTIONS or name in CONSTANTS:
            raise CertificateError(f"{str(name)[:40]!r} is not a variable name")
    symbols = tuple(sympy.Symbol(name, real=True) for name in names)
    expr = parse_expression(_text(objective, "objective"), dict(zip(names, symbols)))
    if len(init) != len(names):
        raise CertificateError(f"the certificate's start needs {len(names)} values")
    return Problem(inputs=inputs, n_variables=len(names), dim=None, loss=None, expr=expr, variables=symbols)


def from_decimal_checked(value, what: str) -> arb:
    """A ball containing the exact decimal string ``value`` (CertificateError for anything else)."""
    if not isinstance(value, str):
        raise CertificateError(f"the certificate's {what} must be a decimal string")
    try:
        return from_decimal(value)
    except ValueError:
        raise CertificateError(f"the certificate's {what} {value[:40]!r} is not a decimal number") from None


__all__ = ["CertificateError", "Problem", "Undecidable", "from_decimal_checked", "meet", "problem_from_inputs"]
