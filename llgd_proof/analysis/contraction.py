"""The T6 residual region at a point of a run: r̄ and a q-window chosen here, every bound derived by the checker.

From theory F4 (proved in :func:`~llgd_proof.symbolic.identities.residual_recursion`), with r = xᵀy − μ,
q = ‖x‖² + ‖y‖² and ℓ'(μ + r) = r·m (m the secant slope, which by the mean-value theorem lies in
ℓ''([μ − r̄, μ + r̄])):

    r⁺ = r·g,   g = 1 − h m q + h² m² r (μ + r),
    q⁺ − q = h r m (h r m q − 4(μ + r)).

On R = {|r| ≤ r̄, q ∈ [a, b]}, ρ ≥ sup_R |g| and the q-drift bound D are derived by the independent checker
(:func:`llgd_proof.checker.converges.region_bounds`, Arb balls, each bound an outward-rounded decimal); if
ρ < 1 and q_K ∈ [a + D, b − D] then R is invariant and |r_k| ≤ |r_K| ρ^(k − K). :meth:`ResidualRegion.certify`
only *chooses* r̄ (|r_K| rounded up) and the window [a, b] around q_K; it decides nothing itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy
from flint import arb

from llgd_proof.checker.converges import region_bounds
from llgd_proof.checker.problem import Problem
from llgd_proof.symbolic.arb import constant, from_decimal, interval_strings, upper_string, working_bits
from llgd_proof.symbolic.losses import Loss

WINDOW_TRIES = 8
"""q-windows tried around one point before giving up there."""


@dataclass(frozen=True)
class Region:
    """R = {|r| ≤ r̄, q ∈ [a, b]} with ρ ≥ sup_R |g| < 1 and the drift bound D, as exact decimal strings
    (``rho`` and ``drift`` rounded up by the checker, so each is an upper bound)."""

    r_bar: str
    q_low: str
    q_high: str
    rho: str
    drift: str

    def rho_upper(self, dps: int) -> mpmath.mpf:
        """ρ as an mpmath number rounded up at ``dps`` digits (still an upper bound)."""
        return _rounded_up(self.rho, dps)

    def as_json(self) -> dict:
        """Floats for reading (ρ and D rounded up, the window outward), and the exact decimals."""
        return {
            "rho": _float(self.rho, up=True), "r_bar": _float(self.r_bar, up=True),
            "q_window": [_float(self.q_low, up=False), _float(self.q_high, up=True)], "q_drift_bound": _float(self.drift, up=True),
            "exact": {"rho": self.rho, "r_bar": self.r_bar, "q_window": [self.q_low, self.q_high], "q_drift_bound": self.drift},
        }


def rho_formula() -> sympy.Expr:
    """|g|, the factor ρ bounds, as a sympy expression of h, m, q, r, μ (for LaTeX)."""
    h, m, q, r, mu = sympy.symbols("h m q r mu", real=True)
    return sympy.Abs(1 - h * m * q + h**2 * m**2 * r * (mu + r))


class ResidualRegion:
    """Regions for f = ℓ(xᵀy) with one loss, step h and dimension n (μ the loss's exact minimiser)."""

    def __init__(self, loss: Loss, h, dim: int = 1, dps: int = 30):
        self.problem = Problem(inputs={}, n_variables=2 * dim, dim=dim, loss=loss.expr)
        self.bits = max(128, int(4 * dps))
        self.h = _exact(h)
        self.minimiser = loss.mu

    def certify(self, theta) -> Region | None:
        """A region containing the point θ (mpmath numbers, read exactly) that the checker certifies, or None."""
        with working_bits(self.bits):
            theta = [_exact(t) for t in theta]
            mu = constant(self.minimiser)
            residual = abs(self.problem.product(theta) - mu)
            if not residual > 0:
                return None
            r_bar_text = upper_string(residual, 3)
            r_bar = from_decimal(r_bar_text)
            window = self._window(mu, theta, r_bar)
            if window is None:
                return None
            a, b, bounds = window
            strings = bounds["strings"]
            return Region(r_bar_text, a, b, strings["rho"], strings["drift_bound"])

    def _window(self, mu: arb, theta: list, r_bar: arb):
        return q_window(self.problem, self.h, mu, theta, r_bar, tries=WINDOW_TRIES)


def q_window(problem: Problem, h: arb, mu: arb, theta: list, r_bar: arb, *, tries: int) -> tuple[str, str, dict] | None:
    """[a, b] (short decimals) around q_K = ‖θ_K‖² with every inequality of the region holding, and the checker's
    bounds — used by T6 (:class:`ResidualRegion`) and by the prover; ``theta`` may be balls (the prover's enclosure)."""
    norms = sum((t * t for t in theta), arb(0))
    return window_search(norms, lambda a, b: region_bounds(problem, h, mu, theta, r_bar, a, b), tries=tries)


def window_search(q: arb, region, *, tries: int, digits: int | None = None) -> tuple[str, str, dict] | None:
    """The one q-window search (T6, the one-start prover, the basin prover): ``region(a, b)`` returns the checker's
    (bounds, failures) on the window [a, b] (balls of short decimals) around the ball ``q``.

    The window starts as the hull of q's ball widened by its own width (or by 2⁻⁴⁰·|q| for a point). If ρ < 1 fails
    there (or ℓ'' is undecided near μ), a narrower window is tried while ρ was at least derived; otherwise the window
    grows to twice the drift bound D until q ∈ [a + D, b − D] holds. None after ``tries`` windows. ``digits``: the
    decimals' significant digits (default: enough to resolve the window's width).
    """
    low, high = arb(q.lower()), arb(q.upper())
    width = (high - low).max(abs(q.mid()) * arb(2) ** -40).max(arb(2) ** -200)
    for _ in range(tries):
        places = digits or max(6, min(60, int(math.log10(float((abs(arb(q.mid())) + 1) / width))) + 4))
        a, b = interval_strings(low - width, places)[0], interval_strings(high + width, places)[1]
        bounds, failures = region(from_decimal(a), from_decimal(b))
        if not failures:
            return a, b, bounds
        if "drift" not in bounds:
            if "rho" not in bounds:
                return None
            width = width / 4
            continue
        width = (2 * bounds["drift"]).upper()
    return None


def steps_to_epsilon(first_residual, epsilon, rho: str) -> int | None:
    """⌈log(|r_K0|/ε)/log(1/ρ)⌉, an upper bound (Arb, with ρ the region's decimal); 0 when |r_K0| ≤ ε."""
    with working_bits(128):
        first, level, factor = _exact(first_residual), _exact(epsilon), from_decimal(rho)
        if first <= level:
            return 0
        ratio = (first / level).log() / (1 / factor).log()
        if not ratio.is_finite():
            return None
        return math.ceil(Fraction(upper_string(ratio, 30)))


def _exact(value) -> arb:
    """A ball holding exactly the binary number ``value`` (an mpmath number) or the decimal it spells."""
    if isinstance(value, mpmath.mpf):
        numerator, denominator = mpmath.libmp.to_rational(value._mpf_)  # q a power of two: the division is exact
        return arb(int(numerator)) / int(denominator)
    return from_decimal(str(value))


def _rounded_up(text: str, dps: int) -> mpmath.mpf:
    with mpmath.workdps(dps):
        return mpmath.mpf(mpmath.libmp.from_str(text, mpmath.mp.prec, mpmath.libmp.round_ceiling))


def _float(text: str, up: bool) -> float:
    value = Fraction(text)
    nearest = float(value)
    if up and Fraction(nearest) < value:
        return math.nextafter(nearest, math.inf)
    if not up and Fraction(nearest) > value:
        return math.nextafter(nearest, -math.inf)
    return nearest
