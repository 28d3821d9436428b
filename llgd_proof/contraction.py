"""A certified local contraction factor for the residual r = xᵀy − μ (theory T6), by interval evaluation.

From theory F4 (proved in :func:`~llgd_proof.identities.residual_recursion`), with q = ‖x‖² + ‖y‖²
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

from .losses import Loss, S


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


# -- the same certificate in Arb ball arithmetic (used by llgd prove) -------------------------------
@dataclass(frozen=True)
class BallRegion:
    """R = {|r| ≤ r̄, q ∈ [a, b]} with ρ = sup_R |g| < 1, certified in Arb ball arithmetic.

    Every number is an exact arb upper (or lower) bound: ``rho`` ≥ sup_R |g|; ``slope`` ≥ sup|ℓ''| on
    [μ − r̄, μ + r̄]; ``drift_rate`` ≥ sup_R |h m (h r m q − 4(μ + r))| (so |q⁺ − q| ≤ drift_rate·|r|);
    ``drift`` ≥ drift_rate·r̄/(1 − ρ), the total q-drift from a start with |r| ≤ r̄.
    """

    r_bar: object
    q_low: object
    q_high: object
    rho: object
    slope: object
    drift_rate: object
    drift: object


def region_factors(curvature, h, mu, r_bar, q_low, q_high):
    """(ρ, sup|m|, drift rate) upper bounds on R, or None if ℓ'' cannot be enclosed there.

    ``curvature`` is ℓ'' compiled with ``piecewise="undecidable"``: a branch point of ℓ'' inside
    [μ − r̄, μ + r̄] stops the certificate (the mean-value step m ∈ ℓ''([μ − r̄, μ + r̄]) needs ℓ'
    continuous there, which an undecided branch would not guarantee).
    """
    from flint import arb

    from .arb_backend import Undecidable

    residual = arb(0).union(r_bar).union(-r_bar)
    norms = arb(q_low).union(arb(q_high))
    try:
        m = curvature(mu + residual)
    except Undecidable:
        return None
    if not m.is_finite():
        return None
    g = 1 - h * m * norms + (h * m) * (h * m) * residual * (mu + residual)
    rate = abs(h * m * (h * residual * m * norms - 4 * (mu + residual)))
    return abs(g).upper(), abs(m).upper(), rate.upper()


def certify_region(curvature, h, mu, r_bar, q_ball, attempts: int = 24) -> BallRegion | None:
    """Find [a, b] around the ball ``q_ball`` ∋ q_K such that R is invariant with ρ < 1 (module doc).

    Invariance: q_K ∈ [a + D, b − D] and |r_K| ≤ r̄, with D the drift bound; then by induction every
    later iterate has |r| ≤ ρ^(k−K) r̄ and |q − q_K| ≤ D, so it stays in R.
    """
    from flint import arb

    low, high = q_ball.lower(), q_ball.upper()
    width = (high - low).max(abs(q_ball.mid()) * arb(2) ** -40).max(arb(2) ** -200)
    for _ in range(attempts):
        a, b = (low - width).lower(), (high + width).upper()
        factors = region_factors(curvature, h, mu, r_bar, a, b)
        if factors is None:
            return None
        rho, slope, rate = factors
        if not rho < 1:
            width = width / 4
            continue
        drift = (rate * r_bar / (1 - rho)).upper()
        if drift <= width:
            return BallRegion(r_bar=r_bar, q_low=a, q_high=b, rho=rho, slope=slope, drift_rate=rate, drift=drift)
        width = (2 * drift).upper()
    return None
