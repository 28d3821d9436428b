"""The one stopping rule of gradient descent: when a run has converged, is stationary, periodic or diverged.

The stopping rule (one implementation, :class:`StoppingRule`, evaluated by every engine: the multiple-precision
engines call :meth:`StoppingRule.observe` at each step — the Arb engine screens rule 1 in float64 and converts
the iterate exactly to mpmath for the decision — and the float64 batch engine evaluates the same
:meth:`~StoppingRule.critical`, :meth:`~StoppingRule.classify_points` and :meth:`~StoppingRule.held_points` on the
arrays of all its points every ``CHECK_EVERY`` = :data:`RECHECK_AFTER` steps, at the precision of float64,
``dps`` = :data:`FLOAT64_DPS`; tests/test_dynamics.py checks that the two give the same status). Let τ = ``tolerance`` (default
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
   Hessian is not consulted again for 16 steps (the batch engine compares ‖g‖ with its previous look,
   16 steps earlier).
4. *Diverged*: ∇f or f not finite, or |θ|∞ > 10¹⁰·max(1, |θ₀|∞), or |f| > 10³⁰·max(1, |f(θ₀)|).

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
KINDS = (None, MINIMISER, "saddle", "maximum", "degenerate", "local minimum")  # code 0: not decided here
_CODE = {kind: code for code, kind in enumerate(KINDS)}

RECHECK_AFTER = 16  # steps before an escaping critical region is classified again
POSITION_BOUND = 1e10  # diverged: |θ|∞ > POSITION_BOUND·max(1, |θ₀|∞) ...
LOSS_BOUND = 1e30  # ... or |f| > LOSS_BOUND·max(1, |f(θ₀)|)
FLOAT64_DPS = 15  # the decimal digits float64 carries, the precision of the batch engine's rule


def _at_least_one(value):
    """max(1, value) for one number or elementwise for an array."""
    return numpy.maximum(1, value) if isinstance(value, numpy.ndarray) else max(1, value)


class StoppingRule:
    """The stopping rule of the module doc, for one objective at one precision.

    One statement, two number types: ``numbers="mpmath"`` (the multiple-precision engines, inside
    ``workdps``; :meth:`observe` decides one iterate) or ``numbers="numpy"`` (the float64 batch engine,
    ``dps`` = :data:`FLOAT64_DPS`). :meth:`critical`, :meth:`classify_points` and :meth:`held_points` are
    written once on arrays (object arrays of mpmath numbers, or float64 arrays), so both engines decide
    "converged" and "stationary" by the same comparisons; only the eigen-decomposition is the library's own
    (mpmath.eigsy point by point, numpy.linalg.eigh on the stack).
    """

    def __init__(self, objective: Objective, tolerance, dps: int, *, numbers: str = "mpmath"):
        self.objective = objective
        self.numbers = numbers
        self.compiled = objective.compiled(numbers)
        self.real = real = mpmath.mpf if numbers == "mpmath" else float
        self.sqrt = mpmath.sqrt if numbers == "mpmath" else numpy.sqrt
        self.tolerance = real(tolerance)
        self.root_tolerance = self.sqrt(max(self.tolerance, real(0)))
        self.dps = dps
        self.rounding = real(10) ** (-(dps // 2))
        self.held_fraction = real(10) ** (-(2 * dps // 3))  # an escape component this small is rounding
        self.next_look = 0  # the Hessian is not consulted before this step (an escaping critical region)
        if objective.is_product:
            n = objective.n_variables // 2
            zeros = [real(0)] * objective.n_variables
            self.mu = -self.compiled.residual(*zeros)  # residual = xᵀy − μ
            on_minimiser_set = [self.mu] + [real(0)] * (n - 1) + [real(1)] + [real(0)] * (n - 1)
            self.floor = self.compiled.value(*on_minimiser_set)  # ℓ(μ) = min ℓ
            self.residual_tolerance = self.tolerance * _at_least_one(abs(self.mu))
            self.approach_gap = self.tolerance * _at_least_one(abs(self.floor))
            self.tied_gap = self.tolerance**2 * _at_least_one(abs(self.floor))

    # -- rule 1 and the divergence bounds -------------------------------------------------------------

    def critical(self, theta_norm, loss, gradient_norm, *, scratch: tuple | None = None):
        """‖∇f‖·max(1, ‖θ‖) ≤ τ·max(1, |f|) (max-norms, passed in; numbers or arrays).

        ``scratch`` (two float arrays and a bool array shaped like the inputs, for the batch engine) makes
        the same comparison in place, without temporaries: it overwrites them and returns the bool array.
        """
        if scratch is None:
            return gradient_norm * _at_least_one(theta_norm) <= self.tolerance * _at_least_one(abs(loss))
        left, right, result = scratch
        numpy.maximum(theta_norm, 1, out=left)
        left *= gradient_norm
        numpy.absolute(loss, out=right)
        numpy.maximum(right, 1, out=right)
        right *= self.tolerance
        return numpy.less_equal(left, right, out=result)

    def residual_small(self, theta: Sequence) -> bool:
        """|xᵀy − μ| ≤ τ·max(1, |μ|) (product family, one point)."""
        return abs(self.compiled.residual(*theta)) <= self.residual_tolerance

    def bounds(self, scale, initial_loss) -> tuple:
        """The divergence bounds of a run: |θ|∞ > 10¹⁰·max(1, |θ₀|∞) or |f| > 10³⁰·max(1, |f(θ₀)|)
        (``scale`` = max(1, |θ₀|∞); numbers or arrays)."""
        return self.real(POSITION_BOUND) * scale, self.real(LOSS_BOUND) * _at_least_one(abs(initial_loss))

    def set_bounds(self, scale, initial_loss) -> None:
        self.position_bound, self.loss_bound = self.bounds(scale, initial_loss)

    def diverges(self, theta_norm, loss, bounds: tuple | None = None):
        """Past the bounds (this run's, or ``bounds`` from :meth:`bounds`); NaN is never "past"."""
        position_bound, loss_bound = bounds if bounds is not None else (self.position_bound, self.loss_bound)
        return (theta_norm > position_bound) | (abs(loss) > loss_bound)

    # -- rules 2 and 3 on arrays of critical points ---------------------------------------------------

    def classify_points(self, theta: list, loss, gradient: list, *, hessian: bool = True) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Rule 2 at critical points (``theta``, ``gradient``: one array of length N per coordinate).

        Returns the kinds (codes into :data:`KINDS`; 0 = not decided here: still approaching M, or
        ``hessian=False`` and the cheap product-family tests did not decide) and, per point, the largest
        |v·∇f| over the escape eigenvectors v (those with λ < −ε), or NaN where there are none.
        """
        size = len(loss)
        kinds = numpy.zeros(size, dtype=numpy.int8)
        along = numpy.full(size, numpy.nan, dtype=object if self.numbers == "mpmath" else float)
        open_ = numpy.ones(size, dtype=bool)
        if self.objective.is_product:
            residual = abs(self._each(self.compiled.residual, theta))
            gap = loss - self.floor
            minimiser = (residual <= self.residual_tolerance) | ((residual > self.root_tolerance) & (gap <= self.tied_gap))
            kinds[minimiser] = _CODE[MINIMISER]  # (the second: another global minimiser of a loss with tied minima)
            open_ = ~minimiser & ~(gap <= self.approach_gap)
        if not hessian or not open_.any():
            return kinds, along
        where = numpy.flatnonzero(open_)
        points = [t[where] for t in theta]
        values, vectors = self._eigen(points)  # (M, n); vectors[m, :, i] belongs to values[m, i]
        threshold = self.root_tolerance * _at_least_one(numpy.abs(values).max(axis=1))
        negative, positive = values < -threshold[:, None], values > threshold[:, None]
        some_negative, some_positive, n = negative.any(axis=1), positive.any(axis=1), values.shape[1]
        codes = numpy.where(
            some_negative & some_positive, _CODE["saddle"],
            numpy.where(some_negative, numpy.where(negative.all(axis=1), _CODE["maximum"], _CODE["degenerate"]), 0),
        )
        flat = ~some_negative
        if self.objective.is_product:  # ∇²f ⪰ 0 but ℓ(xᵀy) above its minimum
            codes[flat] = numpy.where(some_positive[flat], _CODE["local minimum"], _CODE["degenerate"])
        else:
            codes[flat] = _CODE[MINIMISER]
            fixed = numpy.logical_and.reduce([g[where] == 0 for g in gradient]) & flat & (positive.sum(axis=1) < n)
            for m in numpy.flatnonzero(fixed):  # an exact fixed point with a singular Hessian: probe along the null space
                null = [list(vectors[m, :, i]) for i in range(n) if not positive[m, i]]
                if self._lower_nearby([p[m] for p in points], loss[where[m]], null):
                    codes[m] = _CODE["degenerate"]
        codes[numpy.isnan(values.astype(float)).any(axis=1)] = 0  # a Hessian that is not finite decides nothing
        kinds[where] = codes
        g = numpy.stack([gr[where] for gr in gradient], axis=1)  # (M, n)
        projections = numpy.abs(numpy.einsum("mj,mji->mi", g, vectors) if self.numbers == "numpy" else _object_projections(g, vectors))
        escaping = numpy.flatnonzero(some_negative)
        along[where[escaping]] = [projections[m][negative[m]].max() for m in escaping]
        return kinds, along

    def held_points(self, gradient_norm, along, previous_gradient_norm):
        """Rule 3: GD stays at (or converges to) the critical point rather than escaping it — ∇f = 0, or the
        escape component ``along`` is rounding, or (no escape direction) ‖∇f‖ shrank since the previous look
        (NaN: no previous look)."""
        escape = ~numpy.isnan(numpy.asarray(along).astype(float))
        held = gradient_norm == 0
        held |= escape & (numpy.where(escape, along, 0) <= self.held_fraction * gradient_norm)
        held |= ~escape & (gradient_norm < previous_gradient_norm)
        return held

    def classify(self, theta: Sequence, loss, gradient: Sequence, *, hessian: bool = True) -> tuple[str | None, numpy.ndarray]:
        """:meth:`classify_points` at one point: (kind or None, the escape component)."""
        kinds, along = self.classify_points(*self._one(theta, loss, gradient), hessian=hessian)
        return KINDS[int(kinds[0])], along

    def observe(self, k: int, theta: Sequence, loss, gradient: Sequence, previous_gradient_norm) -> tuple[Status, str, str | None] | None:
        """The decision of rules 1–3 at step ``k`` (mpmath numbers): (status, reason, kind) to stop, None to go on.

        The multiple-precision engines call it at every step (the Arb engine with its iterate converted
        exactly to mpmath whenever a float screen cannot exclude rule 1); the batch engine evaluates the
        same methods on its arrays.
        """
        gradient_norm, theta_norm = max(abs(g) for g in gradient), max(abs(t) for t in theta)
        if not self.critical(theta_norm, loss, gradient_norm):
            return None
        kind, along = self.classify(theta, loss, gradient, hessian=k >= self.next_look)
        if kind == MINIMISER:
            return Status.CONVERGED, "at a point of the minimiser set", None
        if kind is not None:
            previous = mpmath.nan if previous_gradient_norm is None else previous_gradient_norm
            if self.held_points(numpy.array([gradient_norm], dtype=object), along, previous)[0]:
                return Status.STATIONARY, f"held at a critical point that is not a minimiser ({kind})", kind
            self.next_look = k + RECHECK_AFTER
        return None

    # -- the number types -----------------------------------------------------------------------------

    def _one(self, theta: Sequence, loss, gradient: Sequence) -> tuple[list, numpy.ndarray, list]:
        def wrap(value):
            return numpy.array([value], dtype=object if self.numbers == "mpmath" else float)

        return [wrap(t) for t in theta], wrap(loss), [wrap(g) for g in gradient]

    def _each(self, function, theta: list) -> numpy.ndarray:
        """``function`` at every point (vectorised for numpy, point by point for mpmath)."""
        if self.numbers == "numpy":
            return numpy.asarray(function(*theta), dtype=float)
        return numpy.array([function(*point) for point in zip(*theta)], dtype=object)

    def _eigen(self, points: list) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Eigenvalues (ascending) and eigenvectors (columns) of ∇²f at each point."""
        if self.numbers == "numpy":
            hessians = numpy.asarray(self.compiled.hessian_matrix(points), dtype=float)
            return _eigh_finite(hessians)
        n = self.objective.n_variables
        values, vectors = numpy.empty((len(points[0]), n), dtype=object), numpy.empty((len(points[0]), n, n), dtype=object)
        for m, point in enumerate(zip(*points)):
            eigenvalues, eigenvectors = mpmath.eigsy(mpmath.matrix(self.compiled.hessian_matrix(list(point))))
            values[m] = [eigenvalues[i] for i in range(n)]
            vectors[m] = [[eigenvectors[j, i] for i in range(n)] for j in range(n)]
        return values, vectors

    def _lower_nearby(self, theta: Sequence, loss, directions: list[list]) -> bool:
        radius = self.real(10) ** (-self.dps / 20) * max([1] + [abs(t) for t in theta])
        margin = self.rounding * max(1, abs(loss))
        half = self.sqrt(2) / 2
        mixed = [[half * (a + sign * b) for a, b in zip(u, v)] for i, u in enumerate(directions) for v in directions[i + 1 :] for sign in (1, -1)]
        for direction in directions + mixed:  # a cubic term such as x²y vanishes on the axes, not on the diagonals
            for sign in (1, -1):
                nearby = self.compiled.value(*[t + sign * radius * d for t, d in zip(theta, direction)])
                if not isinstance(nearby, mpmath.mpc) and nearby < loss - margin:
                    return True
        return False


def _eigh_finite(hessians: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """numpy.linalg.eigh on the finite rows; NaN eigenvalues (and zero vectors) on the others."""
    finite = numpy.isfinite(hessians).all(axis=(1, 2))
    values, vectors = numpy.full(hessians.shape[:2], numpy.nan), numpy.zeros_like(hessians)
    if finite.any():
        values[finite], vectors[finite] = numpy.linalg.eigh(hessians[finite])
    return values, vectors


def _object_projections(g: numpy.ndarray, vectors: numpy.ndarray) -> numpy.ndarray:
    """g·v for every eigenvector column (object arrays of mpmath numbers): (M, n)."""
    return numpy.array([[mpmath.fsum(g[m, j] * vectors[m, j, i] for j in range(g.shape[1])) for i in range(g.shape[1])] for m in range(len(g))], dtype=object)


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
