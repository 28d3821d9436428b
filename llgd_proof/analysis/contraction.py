"""A certified local contraction factor for the residual r = xᵀy − μ (theory T6), by interval evaluation.

From theory F4 (proved in :func:`~llgd_proof.symbolic.identities.residual_recursion`), with q = ‖x‖² + ‖y‖²
and ℓ'(μ + r) = r·m (m the secant slope, which by the mean-value theorem lies in ℓ''([μ − r̄, μ + r̄])):

    r⁺ = r·g,   g = 1 − h m q + h² m² r (μ + r),
    q⁺ − q = h r m (h r m q − 4(μ + r)).

On the region R = {|r| ≤ r̄, q ∈ [a, b]} let ρ = sup_R |g| (an interval enclosure, so an upper
bound). If ρ < 1, every step from R shrinks |r| by ρ, and while it does, q drifts by at most
D = h·max|m|·(h r̄ max|m| b + 4(|μ| + r̄))·r̄/(1 − ρ) in total. So a start with q ∈ [a + D, b − D]
and |r| ≤ r̄ never leaves R: R is invariant and |r_k| ≤ |r_K0| ρ^(k − K0). :func:`certify` searches a
q-window around the current point for which both inequalities hold.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import mpmath
import sympy
from mpmath import iv

from llgd_proof.symbolic.losses import Loss, S


@dataclass(frozen=True)
class Certificate:
    """ρ < 1 on R = {|r| ≤ r̄, q ∈ [a, b]}, and the q-drift bound D that keeps the start inside."""

    rho: float
    r_bar: float
    q_low: float
    q_high: float
    drift: float

    def as_json(self) -> dict:
        return {"rho": self.rho, "r_bar": self.r_bar, "q_window": [self.q_low, self.q_high], "q_drift_bound": self.drift}


def rho_formula() -> sympy.Expr:
    """ρ as a sympy expression of h, m, q, r, μ (for LaTeX)."""
    h, m, q, r, mu = sympy.symbols("h m q r mu", real=True)
    return sympy.Abs(1 - h * m * q + h**2 * m**2 * r * (mu + r))


class ResidualContraction:
    """Interval enclosures of ℓ'' and of the contraction factor g for one loss and step."""

    def __init__(self, loss: Loss, h, dps: int = 30):
        self.loss = loss
        self.dps = dps
        self.mu = mpmath.mpf(sympy.N(loss.mu, dps + 5))
        self.h = h
        self.curvature = loss.derivative(2)

    def _curvature_range(self, low, high):
        """An enclosure of ℓ'' on [low, high], or None when a Piecewise branch is not fixed there."""
        branch = _branch_on(self.curvature, low, high)
        if branch is None:
            return None
        exponential = branch.rewrite((sympy.cosh, sympy.sinh, sympy.tanh), sympy.exp)  # iv has no hyperbolic functions
        evaluate = sympy.lambdify(S, exponential, modules=[{"mpf": iv.mpf}, iv])
        with _interval_precision(self.dps):
            value = evaluate(iv.mpf([low, high]))
            return value if isinstance(value, type(iv.mpf(0))) else iv.mpf(value)

    def certify(self, r, q) -> Certificate | None:
        """Search q-windows around the point (r, q) for an invariant region with ρ < 1."""
        r_bar = abs(mpmath.mpf(r))
        if r_bar == 0:
            return None
        with _interval_precision(self.dps):
            slopes = self._curvature_range(self.mu - r_bar, self.mu + r_bar)
            if slopes is None:
                return None
            slope_max = max(abs(_low(slopes)), abs(_high(slopes)))
            h, mu = iv.mpf(self.h), iv.mpf(self.mu)
            residual = iv.mpf([-r_bar, r_bar])
            centre = mpmath.mpf(q)
            half_width = centre / 100
            for _ in range(12):
                low, high = centre - half_width, centre + half_width
                factor = 1 - h * slopes * iv.mpf([low, high]) + h**2 * slopes**2 * residual * (mu + residual)
                rho = max(abs(_low(factor)), abs(_high(factor)))
                if rho >= 1:
                    half_width /= 4
                    continue
                step_drift = _high(h * slope_max * (h * r_bar * slope_max * high + 4 * (abs(mu) + r_bar)))
                drift = step_drift * r_bar / (1 - rho)
                if drift <= half_width:
                    return Certificate(float(rho), float(r_bar), float(low), float(high), float(drift))
                half_width = min(2 * drift, centre * mpmath.mpf("0.9"))
                if drift > half_width:
                    return None
        return None


def _low(interval) -> mpmath.mpf:
    return mpmath.mpf(iv.mpf(interval).a)


def _high(interval) -> mpmath.mpf:
    return mpmath.mpf(iv.mpf(interval).b)


@contextlib.contextmanager
def _interval_precision(dps: int):
    """mpmath's interval context has no workdps; set and restore its precision."""
    previous = iv.dps
    iv.dps = dps
    try:
        yield
    finally:
        iv.dps = previous


def _branch_on(expr: sympy.Expr, low, high) -> sympy.Expr | None:
    """expr with each Piecewise replaced by the branch whose condition holds at both ends of [low, high]."""
    undecided = False

    def choose(*pairs):
        nonlocal undecided
        for value, condition in pairs:
            if condition == sympy.true:
                return value
            ends = [bool(condition.subs(S, sympy.Float(str(point), 30))) for point in (low, high)]
            if all(ends):
                return value
            if any(ends):
                undecided = True
                return value
        return pairs[-1][0]

    result = sympy.piecewise_fold(expr).replace(sympy.Piecewise, choose)
    return None if undecided else result
