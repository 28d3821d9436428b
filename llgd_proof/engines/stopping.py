"""The one stopping rule of gradient descent: when a run has converged, is stationary, periodic or diverged.

The stopping rule (one implementation, :meth:`StoppingRule.observe`, called by every engine; the Arb
engine screens rule 1 in float64 and converts the iterate exactly to mpmath for the decision). Let τ = ``tolerance`` (default
10^(−dps/3), so it scales with the precision), ‖·‖ the max-norm, f = f(θ), g = ∇f(θ).

1. *Critical*: ‖g‖·max(1, ‖θ‖) ≤ τ·max(1, |f|). Both sides have the units of f: moving θ by its own
   size (or by 1 near the origin) changes f to first order by at most τ times its size (or 1). An
   absolute ‖g‖ ≤ τ is not scale-free: it is met at the origin of ℓ(xy) (g = ℓ'(xy)(y, x) is tiny near
   a saddle) and in a flat tail (ℓ' → 0 as |s| → ∞), where GD has not stopped at all.
2. Only at a critical θ is the point classified:
   * product family f = ℓ(xᵀy) (μ = ``objective.minimiser_value``): **converged** iff
     |xᵀy − μ| ≤ τ·max(1, |μ|); or, for a loss with tied global minima, iff |xᵀy − μ| > √τ and
     ℓ(xᵀy) − ℓ(μ) ≤ τ²·max(1, |ℓ(μ)|) (another global minimiser of ℓ). If ℓ(xᵀy) − ℓ(μ) ≤ τ
     GD is still approaching M: keep going. Otherwise classify by the Hessian (below); a critical
     point with ∇²f ⪰ 0 off M is a "local minimum" (or "degenerate" if ∇²f ≈ 0).
   * general objective: the eigenvalues λ of ∇²f(θ) with threshold ε = √τ·max(1, max|λ|)
     (the Hessian a distance ~τ from the true critical point differs by O(τ) from its value there):
     all λ ≥ −ε → **converged** (a local minimiser within tolerance) — except at an exact fixed
     point (g = 0) with a singular Hessian, where f is probed at θ ± r·v along the null vectors v
     and their pairwise (v ± w)/√2 (r = 10^(−dps/20)·max(1, ‖θ‖)); f lower there by more than 10^(−dps/2)·max(1, |f|) → "degenerate".
   * kinds by the Hessian: some λ < −ε and some λ > ε → "saddle"; all λ < −ε → "maximum";
     some λ < −ε, the rest within ±ε → "degenerate".
3. A non-minimiser critical point ends the run as **stationary** only if GD is held there: g = 0
   exactly, or the part of g along the eigenvectors with λ < −ε (the directions GD escapes along) is
   at most 10^(−2dps/3)·‖g‖ (θ is on the stable manifold to working precision), or — with no
   negative curvature — ‖g‖ shrank on the last step. Otherwise GD is escaping (e.g. from
   (1e-17, 1e-17) near the saddle of log cosh(xy − 1) at the origin): the run continues, and the
   Hessian is not consulted again for 16 steps.

Period detection (:func:`_detect_period`) and the validation of a step and a start live here too.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence

import mpmath
import numpy

from llgd_proof.errors import ParameterError
from llgd_proof.symbolic.objective import Objective

MAX_PERIOD = 64


class Status(str, enum.Enum):
    CONVERGED = "converged"
    STATIONARY = "stationary"  # a critical point that is not a minimiser (saddle, maximum, degenerate): never "converges"
    PERIODIC = "periodic"
    DIVERGED = "diverged"
    UNDECIDED = "undecided"


def validate_step(h) -> mpmath.mpf:
    try:
        value = mpmath.mpf(h)
    except (TypeError, ValueError) as error:
        raise ParameterError(f"the step h must be a number, got {h!r}") from error
    if not mpmath.isfinite(value) or value <= 0:
        raise ParameterError(f"the step h must be a finite positive number, got {h}")
    return value


def validate_start(objective: Objective, init: Sequence) -> list:
    if len(init) != objective.n_variables:
        names = ", ".join(map(str, objective.variables))
        raise ParameterError(f"the start needs {objective.n_variables} values ({names}), got {len(init)}")
    try:
        values = [mpmath.mpf(v) for v in init]
    except (TypeError, ValueError) as error:
        raise ParameterError(f"the start must be numbers, got {list(init)!r}") from error
    if not all(mpmath.isfinite(v) for v in values):
        raise ParameterError("the start must be finite numbers")
    return values


MINIMISER = "minimiser"


RECHECK_AFTER = 16  # steps before an escaping critical region is classified again


class StoppingRule:
    """The stopping rule of the module doc, for one objective at one precision (inside ``workdps``)."""

    def __init__(self, objective: Objective, tolerance, dps: int):
        self.objective = objective
        self.compiled = objective.compiled("mpmath")
        self.tolerance = tolerance
        self.dps = dps
        self.rounding = mpmath.mpf(10) ** (-(dps // 2))
        self.held_fraction = mpmath.mpf(10) ** (-(2 * dps // 3))  # an escape component this small is rounding
        self.next_look = 0  # the Hessian is not consulted before this step (an escaping critical region)
        if objective.is_product:
            n = objective.n_variables // 2
            zeros = [mpmath.mpf(0)] * objective.n_variables
            self.mu = -self.compiled.residual(*zeros)  # residual = xᵀy − μ
            on_minimiser_set = [self.mu] + [0] * (n - 1) + [mpmath.mpf(1)] + [0] * (n - 1)
            self.floor = self.compiled.value(*on_minimiser_set)  # ℓ(μ) = min ℓ

    def critical(self, theta_norm, loss, gradient_norm) -> bool:
        """‖∇f‖·max(1, ‖θ‖) ≤ τ·max(1, |f|) (max-norms, passed in)."""
        return gradient_norm * max(1, theta_norm) <= self.tolerance * max(1, abs(loss))

    def residual_small(self, theta: Sequence) -> bool:
        """|xᵀy − μ| ≤ τ·max(1, |μ|) (product family)."""
        return abs(self.compiled.residual(*theta)) <= self.tolerance * max(1, abs(self.mu))

    def classify(self, theta: Sequence, loss, gradient: Sequence, *, hessian: bool = True) -> tuple[str | None, list]:
        """(kind, escape directions) at a critical θ; kind None means "not decided here" (still approaching
        M, or ``hessian=False`` and the cheap product-family tests did not decide)."""
        if self.objective.is_product:
            if self.residual_small(theta):
                return MINIMISER, []
            gap = loss - self.floor
            if abs(self.compiled.residual(*theta)) > mpmath.sqrt(self.tolerance) and gap <= self.tolerance**2 * max(1, abs(self.floor)):
                return MINIMISER, []  # another global minimiser of a loss with tied minima
            if gap <= self.tolerance * max(1, abs(self.floor)):
                return None, []
        if not hessian:
            return None, []
        eigenvalues, vectors = mpmath.eigsy(mpmath.matrix(self.compiled.hessian_matrix(theta)))
        n = self.objective.n_variables
        values = [eigenvalues[i] for i in range(n)]
        threshold = mpmath.sqrt(self.tolerance) * max([mpmath.mpf(1)] + [abs(v) for v in values])
        negative = [i for i, v in enumerate(values) if v < -threshold]
        positive = [i for i, v in enumerate(values) if v > threshold]
        escape = [[vectors[j, i] for j in range(n)] for i in negative]
        if negative and positive:
            return "saddle", escape
        if negative:
            return ("maximum" if len(negative) == n else "degenerate"), escape
        if self.objective.is_product:  # ∇²f ⪰ 0 but ℓ(xᵀy) above its minimum
            return ("local minimum" if positive else "degenerate"), []
        if len(positive) < n and all(g == 0 for g in gradient):
            null = [[vectors[j, i] for j in range(n)] for i in range(n) if i not in positive]
            if self._lower_nearby(theta, loss, null):
                return "degenerate", []
        return MINIMISER, []

    def _lower_nearby(self, theta: Sequence, loss, directions: list[list]) -> bool:
        radius = mpmath.mpf(10) ** (-self.dps / 20) * max([mpmath.mpf(1)] + [abs(t) for t in theta])
        margin = self.rounding * max(1, abs(loss))
        half = mpmath.sqrt(2) / 2
        mixed = [[half * (a + sign * b) for a, b in zip(u, v)] for i, u in enumerate(directions) for v in directions[i + 1 :] for sign in (1, -1)]
        for direction in directions + mixed:  # a cubic term such as x²y vanishes on the axes, not on the diagonals
            for sign in (1, -1):
                nearby = self.compiled.value(*[t + sign * radius * d for t, d in zip(theta, direction)])
                if not isinstance(nearby, mpmath.mpc) and nearby < loss - margin:
                    return True
        return False

    def set_bounds(self, scale, initial_loss) -> None:
        """The divergence bounds of a run: |θ|∞ > 10¹⁰·max(1, |θ₀|∞) or |f| > 10³⁰·max(1, |f(θ₀)|)."""
        self.position_bound = mpmath.mpf(10) ** 10 * scale
        self.loss_bound = mpmath.mpf(10) ** 30 * max(1, abs(initial_loss))

    def diverges(self, theta_norm, loss) -> bool:
        return theta_norm > self.position_bound or abs(loss) > self.loss_bound

    def observe(self, k: int, theta: Sequence, loss, gradient: Sequence, previous_gradient_norm) -> tuple[Status, str, str | None] | None:
        """The decision of rules 1–3 at step ``k`` (mpmath numbers): (status, reason, kind) to stop, None to go on.

        The one place where "converged" and "stationary" are decided, for every engine (the Arb engine
        calls it with its iterate converted exactly to mpmath whenever a float screen cannot exclude rule 1).
        """
        gradient_norm, theta_norm = max(abs(g) for g in gradient), max(abs(t) for t in theta)
        if not self.critical(theta_norm, loss, gradient_norm):
            return None
        kind, escape = self.classify(theta, loss, gradient, hessian=k >= self.next_look)
        if kind == MINIMISER:
            return Status.CONVERGED, "at a point of the minimiser set", None
        if kind is not None:
            if self.held(gradient, escape, previous_gradient_norm):
                return Status.STATIONARY, f"held at a critical point that is not a minimiser ({kind})", kind
            self.next_look = k + RECHECK_AFTER
        return None

    def held(self, gradient: Sequence, escape: list[list], previous_gradient_norm) -> bool:
        """GD stays at (or converges to) this critical point rather than escaping it."""
        norm = max(abs(g) for g in gradient)
        if norm == 0:
            return True
        if escape:
            along = max(abs(mpmath.fsum(v * g for v, g in zip(vector, gradient))) for vector in escape)
            return along <= self.held_fraction * norm
        return previous_gradient_norm is not None and norm < previous_gradient_norm


def _may_repeat(current: float, first: numpy.ndarray, point: tuple, apart: float = math.inf) -> bool:
    """A necessary condition for :func:`_detect_period` to find a period: besides θ_k itself and θ_{k−1},
    some recent first coordinate lies within the float screen's 1e-8·(1 + |θ_k|∞) of θ_k's, and within
    ``apart`` (an upper bound on its ``clearly_apart``: a lag whose float distance is past it is never a period)."""
    rough = min(1e-8 * (1 + max(map(abs, point))), apart)
    return numpy.count_nonzero(numpy.abs(first - current) <= rough) > 1


def _detect_period(history: list[list], max_period: int, tol, recent=None) -> int | None:
    """Smallest p ≥ 2 with θ_k ≈ θ_{k−p} and θ_{k−1} ≈ θ_{k−1−p}, orbit points distinct.

    The screening is done in float64 (``recent[j]`` = θ_{k−j} for j = 0..max_period, built here unless
    the caller keeps a float mirror); the decisive comparisons at the tolerance are made on the
    multiple-precision iterates (mpmath numbers or Arb midpoints; any type with −, abs and >).
    """
    if recent is None:
        recent = numpy.array([[float(t) for t in point] for point in history[-1 - max_period :]][::-1])
    moved = numpy.abs(recent - recent[0]).max(axis=1)
    spread_floor = math.sqrt(float(tol))
    if moved.max() < spread_floor:
        return None  # still or nearly still: a fixed point, not an orbit
    rough = 1e-8 * (1 + float(numpy.abs(recent[0]).max()))
    spread = numpy.maximum.accumulate(moved)  # spread[p − 1] = max(moved[1:p]) (moved[0] = 0)
    # rounding θ to float64 moves each coordinate by ≤ 2⁻⁵³|θ|: a float distance past the tolerance by more
    # than this margin means the exact distance is past it too (no multiple-precision comparison needed)
    clearly_apart = float(tol) * (1 + 1e-12) + 1e-15 * (1 + float(numpy.abs(recent).max()))
    last, before = history[-1], history[-2]
    # the float conditions on p, all lags at once: moved[p] ≤ rough, not spread[p − 1] < floor, not moved[p] > apart
    candidate = (moved <= rough) & ~(moved > clearly_apart)
    candidate[1:] &= ~(spread[:-1] < spread_floor)
    candidate[:2] = False
    for p in numpy.flatnonzero(candidate).tolist():
        if not (_within(last, history[-1 - p], tol) and _within(before, history[-2 - p], tol)):
            continue
        # a slowly attracting p-orbit can match at a multiple of p first: report the smallest
        # divisor whose points already coincide to within the spread floor
        return next(d for d in range(2, p + 1) if p % d == 0 and moved[d] < spread_floor)
    return None


def _within(a: Sequence, b: Sequence, tol) -> bool:
    """|a − b|∞ ≤ tol, coordinate by coordinate (stops at the first coordinate past it)."""
    for u, v in zip(a, b):
        if abs(u - v) > tol:
            return False
    return True
