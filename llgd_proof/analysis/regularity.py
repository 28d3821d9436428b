"""Regularity of a loss ℓ in closed form (theory §3, ``paper-claim`` formalised by this project).

"Good regularity" is formalised through the growth order p = limsup_{|s|→∞} log ℓ(s)/log|s|:
good if p < 2, borderline if p = 2, bad if p > 2. The report also gives whether ℓ' is bounded
and G = sup|ℓ'|, the curvature ℓ''(μ), the flip-bifurcation indicator
α(μ) = 3ℓ'''(μ)² − ℓ''(μ)ℓ''''(μ), the witness that ∇f is not globally Lipschitz (theory F5), and
the maximal linearly stable step 1/(|μ|ℓ''(μ)) (theory F2). Every quantity is a sympy expression
with its LaTeX; a limit that sympy cannot take within its time guard is replaced by a numeric
estimate and marked ``numeric``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import mpmath
import sympy

from llgd_proof.errors import LossError
from llgd_proof.symbolic.algebra import simplify_guarded
from llgd_proof.symbolic.losses import Loss, S
from llgd_proof.symbolic.objective import product_objective
from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_limit

PROVENANCE = "paper-claim"
T = sympy.Symbol("t", positive=True)
LIMIT_SECONDS = 4.0


@dataclass(frozen=True)
class GrowthOrder:
    """p = limsup log ℓ(s)/log|s| with how it was obtained."""

    value: sympy.Expr  # a number or sympy.oo
    method: str  # "symbolic" | "numeric"

    @property
    def regularity_class(self) -> str:
        if self.value == sympy.oo:
            return "bad"
        tolerance = 0 if self.method == "symbolic" else 0.02
        if abs(float(self.value) - 2) <= tolerance:
            return "borderline"
        return "good" if float(self.value) < 2 else "bad"

    def as_json(self):
        return "inf" if self.value == sympy.oo else float(self.value)


def tail_branch(expr: sympy.Expr, direction: int) -> sympy.Expr:
    """ℓ as it is far out (s → direction·∞): each Piecewise replaced by its branch active there."""
    far = direction * sympy.Float(10.0**12)

    def choose(*pairs):
        for value, condition in pairs:
            if condition == sympy.true or bool(condition.subs(S, far)):
                return value
        return pairs[-1][0]

    return sympy.piecewise_fold(expr).replace(sympy.Piecewise, choose)


def _limit(expr: sympy.Expr, direction: int) -> sympy.Expr | None:
    """lim_{s → direction·∞} expr, or None when sympy gives no number within the guard."""
    try:
        with time_limit(LIMIT_SECONDS):
            along = tail_branch(expr, direction).subs(S, direction * T)
            value = sympy.limit(along, T, sympy.oo)
    except (TimeLimitExceeded, NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    if value.has(sympy.Limit) or not (value.is_number or value in (sympy.oo, -sympy.oo)) or value.has(sympy.AccumBounds):
        return None
    return value


def growth_order(loss: Loss) -> GrowthOrder:
    """The growth order p of ℓ (symbolic limit on each side, or a marked numeric estimate)."""
    orders = []
    for direction in (1, -1):
        try:
            with time_limit(LIMIT_SECONDS):
                tail = tail_branch(loss.expr, direction)
                constant = tail.is_constant(S)
        except TimeLimitExceeded:
            return GrowthOrder(_numeric_growth(loss), "numeric")
        if constant:
            orders.append(sympy.Integer(0))
            continue
        if tail.is_polynomial(S):  # the growth order of a polynomial is its degree: no limit needed
            orders.append(sympy.Integer(sympy.degree(tail, S)))
            continue
        value = _limit(sympy.log(tail) / sympy.log(direction * S), direction)
        if value is None:
            return GrowthOrder(_numeric_growth(loss), "numeric")
        orders.append(sympy.oo if value == sympy.oo else value)
    return GrowthOrder(sympy.Max(*orders), "symbolic")


def _numeric_growth(loss: Loss) -> sympy.Expr:
    evaluate = sympy.lambdify(S, loss.expr, modules="mpmath")
    slopes = []
    with mpmath.workdps(40):
        for direction in (1, -1):
            near, far = mpmath.mpf(10) ** 8, mpmath.mpf(10) ** 12
            low, high = _guarded(evaluate, direction * near), _guarded(evaluate, direction * far)
            if high <= 0 or low <= 0:
                slopes.append(0.0)
                continue
            slopes.append(float((mpmath.log(high) - mpmath.log(low)) / (mpmath.log(far) - mpmath.log(near))))
    slope = max(slopes)
    return sympy.oo if slope > 64 else sympy.Float(round(slope, 3), 4)


def _guarded(evaluate, point):
    """One numeric evaluation far out; a loss whose values there take too long is refused."""
    try:
        with time_limit(LIMIT_SECONDS, within_budget=False):
            return evaluate(point)
    except TimeLimitExceeded:
        raise LossError(f"evaluating the loss at s = {mpmath.nstr(point, 3)} took longer than {LIMIT_SECONDS:g} s; its values grow too fast to work with") from None


class RegularityReport:
    """Theory §3 for one loss; each quantity a sympy expression, ``latex()`` renders them."""

    provenance = PROVENANCE

    def __init__(self, loss: Loss):
        self.loss = loss

    @property
    def mu(self) -> sympy.Expr:
        return self.loss.minimiser

    @cached_property
    def growth(self) -> GrowthOrder:
        return growth_order(self.loss)

    @property
    def regularity_class(self) -> str:
        return self.growth.regularity_class

    @cached_property
    def curvature_at_minimum(self) -> sympy.Expr:
        """ℓ''(μ)."""
        return self.loss.at_minimiser(2)

    @cached_property
    def alpha(self) -> sympy.Expr:
        """α(μ) = 3ℓ'''(μ)² − ℓ''(μ)ℓ''''(μ) (flip-bifurcation indicator; anchor: Chen & Bruna)."""
        return simplify_guarded(3 * self.loss.at_minimiser(3) ** 2 - self.curvature_at_minimum * self.loss.at_minimiser(4))

    @cached_property
    def lprime_sup(self) -> tuple[sympy.Expr | None, str]:
        """(G = sup|ℓ'|, method), G None when ℓ' is unbounded."""
        derivative = self.loss.derivative(1)
        limits = [_limit(sympy.Abs(derivative), direction) for direction in (1, -1)]
        if any(value is None for value in limits):
            return self._numeric_lprime_sup(derivative)
        if any(value == sympy.oo for value in limits):
            return None, "symbolic"
        candidates = list(limits)
        try:
            with time_limit(LIMIT_SECONDS):
                critical = sympy.solveset(self.loss.derivative(2), S, domain=sympy.S.Reals)
        except (TimeLimitExceeded, NotImplementedError, ValueError, TypeError):
            return self._numeric_lprime_sup(derivative)
        if isinstance(critical, sympy.ConditionSet):
            return self._numeric_lprime_sup(derivative)
        finite = [critical] if isinstance(critical, sympy.FiniteSet) else [a for a in getattr(critical, "args", ()) if isinstance(a, sympy.FiniteSet)]
        for points in finite:
            candidates += [sympy.Abs(derivative.subs(S, point)) for point in points]
        return simplify_guarded(sympy.Max(*candidates)), "symbolic"

    def _numeric_lprime_sup(self, derivative: sympy.Expr) -> tuple[sympy.Expr | None, str]:
        evaluate = sympy.lambdify(S, derivative, modules="mpmath")
        with mpmath.workdps(30):
            points = [mpmath.mpf(k) / 64 for k in range(-64 * 64, 64 * 64 + 1)] + [mpmath.mpf(10) ** e * sign for e in range(2, 13) for sign in (1, -1)]
            values = [abs(_guarded(evaluate, p + self.mu)) for p in points]
        far = max(values[-4:])
        if far > 10 * max(values[:-22]) and far > 1e6:
            return None, "numeric"
        return sympy.Float(float(max(values)), 8), "numeric"

    @property
    def lprime_bounded(self) -> bool:
        return self.lprime_sup[0] is not None

    @cached_property
    def witness(self) -> tuple[tuple[sympy.Expr, sympy.Expr], sympy.Expr]:
        """(θ_t, ‖∇²f(θ_t)‖) along θ_t = (t, μ/t) (or (t, 0) when μ = 0), from the objective's own Hessian (theory F5)."""
        objective = product_objective(self.loss)
        point = (T, self.mu / T) if self.mu != 0 else (T, sympy.Integer(0))
        x, y = objective.variables
        hessian = objective.hessian.subs({x: point[0], y: point[1]})
        # symmetric 2×2 [[a, b], [b, c]]: eigenvalues m ± d with m = (a + c)/2, d = √(((a − c)/2)² + b²) ≥ 0, so the
        # spectral norm is |m| + d exactly (no characteristic polynomial, which sympy's simplify can choke on)
        (a, b), (_, c) = hessian.tolist()
        norm = simplify_guarded(sympy.Abs((a + c) / 2) + sympy.sqrt(sympy.sqf(sympy.together(simplify_guarded(((a - c) / 2) ** 2 + b**2)))))
        return point, norm

    @cached_property
    def globally_lipschitz_gradient(self) -> bool:
        """False when the witness norm tends to ∞ (so no global Lipschitz constant for ∇f exists)."""
        _, norm = self.witness
        try:
            with time_limit(LIMIT_SECONDS):
                value = sympy.limit(norm, T, sympy.oo)
        except (TimeLimitExceeded, NotImplementedError, ValueError):
            value = None
        if value is None or value.has(sympy.Limit):
            return not self.curvature_at_minimum > 0
        return value != sympy.oo

    @cached_property
    def max_stable_h(self) -> sympy.Expr | None:
        """1/(|μ|ℓ''(μ)): largest step with a linearly stable minimiser (theory F2); None when μ = 0."""
        if self.mu == 0:
            return None
        return simplify_guarded(1 / (sympy.Abs(self.mu) * self.curvature_at_minimum))

    def latex(self) -> dict[str, str]:
        sup, _ = self.lprime_sup
        point, norm = self.witness
        growth = self.growth.value
        return {
            "loss": r"\ell(s) = " + sympy.latex(self.loss.expr),
            "mu": r"\mu = " + sympy.latex(self.mu),
            "growth_order": r"p = \limsup_{|s|\to\infty} \frac{\log \ell(s)}{\log |s|} = " + sympy.latex(growth),
            "lprime_sup": (r"\sup_s |\ell'(s)| = " + sympy.latex(sup)) if sup is not None else r"\sup_s |\ell'(s)| = \infty",
            "curvature_at_minimum": r"\ell''(\mu) = " + sympy.latex(self.curvature_at_minimum),
            "alpha": r"\alpha(\mu) = 3\ell'''(\mu)^2 - \ell''(\mu)\ell''''(\mu) = " + sympy.latex(self.alpha),
            "witness": (
                r"\|\nabla^2 f(" + sympy.latex(point[0]) + ", " + sympy.latex(point[1]) + r")\| = " + sympy.latex(norm)
                + (r" \to \infty \ (t \to \infty)" if not self.globally_lipschitz_gradient else "")
            ),
            "max_stable_h": (r"h < \frac{1}{|\mu|\,\ell''(\mu)} = " + sympy.latex(self.max_stable_h)) if self.max_stable_h is not None else r"\mu = 0:\ \text{no step bound from } M",
            "class": r"\text{" + self.regularity_class + "}",
        }

    def as_json(self) -> dict:
        sup, sup_method = self.lprime_sup
        return {
            "loss": str(self.loss.expr),
            "provenance": PROVENANCE,
            "mu": float(self.mu),
            "mu_method": self.loss.minimiser_method,
            "bounded_below_method": self.loss.bounded_below_method,
            "growth_order": self.growth.as_json(),
            "growth_order_method": self.growth.method,
            "lprime_bounded": self.lprime_bounded,
            "lprime_sup": None if sup is None else float(sup),
            "lprime_sup_method": sup_method,
            "curvature_at_minimum": float(self.curvature_at_minimum),
            "alpha": float(self.alpha),
            "globally_lipschitz_gradient": self.globally_lipschitz_gradient,
            "witness": {"point": [str(c) for c in self.witness[0]], "hessian_norm": str(self.witness[1])},
            "max_stable_h": None if self.max_stable_h is None else float(self.max_stable_h),
            "class": self.regularity_class,
            "latex": self.latex(),
        }


_REPORTS: dict[tuple, RegularityReport] = {}


def report_for(loss: Loss) -> RegularityReport:
    """One report per loss (by formula and μ), shared by every case and example that uses it."""
    key = (sympy.srepr(loss.expr), sympy.srepr(loss.mu))
    if key not in _REPORTS:
        if len(_REPORTS) > 256:
            _REPORTS.clear()
        _REPORTS[key] = RegularityReport(loss)
    return _REPORTS[key]
