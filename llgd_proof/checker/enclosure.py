r"""Enclosures of GD on f = ℓ(xy), x, y ∈ ℝ, for boxes of starts: the (s, d) and (u, v) forms the basin checker uses.

**Coordinates** (derived). With s = xy, d = x² − y², q = x² + y² = √(d² + 4s²) and t = hℓ'(s), GD
x⁺ = x − hℓ'(s)y, y⁺ = y − hℓ'(s)x reads, in u = x + y, v = x − y, u⁺ = u(1 − t), v⁺ = v(1 + t); since
s = (u² − v²)/4 and d = uv,

    s⁺ = s(1 + t²) − t q,    d⁺ = d(1 − t²).

Boxes are propagated in (s, d), not (x, y) or (u, v): on the manifold of minimisers {s = μ*} (t = 0) the
Jacobian of this map is diag(1 − hℓ''(μ*)q, 1) — the contracting direction is the s axis and d is conserved —
so an axis-aligned box does not wrap near the limit, whereas in (x, y) or (u, v) the contracting direction
(y, x) turns with the point. The map θ ↦ (s, d) identifies θ with −θ only and GD commutes with θ ↦ −θ, so
what the (s, d) orbit proves (q_k → ∞; or θ_k inside the region below) holds for θ_k itself; q = ‖θ‖².

**Enclosure.** A leaf [x₀, x₁] × [y₀, y₁] (exact rationals) starts as S₀ = X·Y, D₀ = X² − Y² (each
variable once: the exact hull, outward rounded). A step is the intersection of the interval evaluation of the
map — in three exactly equal forms, s⁺ = s(1 + t²) − tq = s(1 − t)² − t d²/u² = s(1 + t)² − t d²/v² with
u² = q + 2s, v² = q − 2s and d² = q² − 4s² = u²v² (the second avoids the cancellation of 2ts near the diagonal,
the third near the anti-diagonal; a form whose divisor ball holds 0 is not used) — and its mean-value form F(c) + J(B)(B − c) (c the box's midpoint; J the interval Jacobian with
∂s⁺/∂s = 1 + t² + 2s t t' − t'q − 4ts/q, ∂s⁺/∂d = −t d/q, ∂d⁺/∂s = −2d t t', ∂d⁺/∂d = 1 − t², t' = hℓ'');
the mean-value form is used only when ℓ'' evaluates on S with every branch decided and q > 0 on the box, so
F is C¹ there and each component is F_i(c) + ∇F_i(ξ)·(z − c) with ξ in the box. By induction on k the k-th
box contains (s_k, d_k) of every start of the leaf.

**The (u, v) prefix** (derived). A leaf may begin with ``"uv_steps": k₀`` steps taken in u = x + y, v = x − y,
where GD is diagonal: u⁺ = u(1 − t), v⁺ = v(1 + t), t = hℓ'((u² − v²)/4). From U₀ = X + Y, V₀ = X − Y (the
exact ranges of u and v over the leaf), U⁺ = U(1 − T), V⁺ = V(1 + T) with T = h·ℓ'((U² − V²)/4) holds (u_k, v_k)
of every start of the leaf, by induction (each of U, V, S = (U² − V²)/4 is a range over the box U × V). After k₀
steps the leaf's segment starts from the box S = (U² − V²)/4, D = U·V ∋ (s_{k₀}, d_{k₀}). Far from {s = μ*},
where ℓ' saturates (the catapult of a bounded-slope loss), t hardly varies across the box and this form has no
cancellation, whereas s⁺ = s(1 + t²) − tq nearly cancels there; near {s = μ*} the (s, d) form is the better.
"""

from __future__ import annotations

from fractions import Fraction

from flint import arb

from llgd_proof.checker.problem import Problem, Undecidable, meet


def square(value: arb) -> arb:
    """A ball holding x² for every x of the ball (never below 0, unlike value * value)."""
    return (value * value).nonnegative_part()


def norm_squared(s: arb, d: arb) -> arb:
    """q = √(d² + 4s²) on balls (the square root taken of the endpoints: an Arb radius is rounded up, so a sum of
    nonnegative balls may reach slightly below 0, where ``sqrt`` would give nan)."""
    total = square(d) + 4 * square(s)
    if not total.is_finite():
        return total
    low, high = total.lower(), total.upper()
    return (low.sqrt() if low > 0 else arb(0)).union(high.sqrt())


def start_enclosure(x: arb, y: arb) -> tuple[arb, arb]:
    """(S₀, D₀) = (X·Y, X² − Y²): the hull of (s, d) over the box X × Y."""
    return x * y, square(x) - square(y)


def _slope(problem: Problem, s: arb) -> arb:
    """ℓ'(S): the tight enclosure where every branch is decided on S, else the branches united."""
    try:
        return problem.tight_slope_and_curvature(s)[0]
    except Undecidable:
        return problem.slope(s)


def _naive(problem: Problem, h: arb, s: arb, d: arb) -> tuple[arb, arb]:
    """The interval evaluation of the step in its three exact forms (module doc), intersected."""
    t = h * _slope(problem, s)
    t2 = square(t)
    q, d2 = norm_squared(s, d), square(d)
    plain = s * (1 + t2) - t * q
    near_diagonal = s * square(1 - t) - t * d2 / (q + 2 * s)  # q + 2s = u²: a ball holding 0 gives a non-finite form, ignored
    near_antidiagonal = s * square(1 + t) - t * d2 / (q - 2 * s)  # q − 2s = v²
    return meet(meet(plain, near_diagonal), near_antidiagonal), d * (1 - t2)


def jacobian(problem: Problem, h: arb, s: arb, d: arb) -> tuple[arb, arb, arb, arb] | None:
    """The interval Jacobian of (s, d) ↦ (s⁺, d⁺) over the box (module doc), or None where F is not known C¹."""
    if not (s.is_finite() and d.is_finite()):
        return None
    try:
        slope, curvature = problem.tight_slope_and_curvature(s)
    except Undecidable:
        return None
    q = norm_squared(s, d)
    if not (q > 0 and slope.is_finite() and curvature.is_finite()):
        return None
    t, t_prime = h * slope, h * curvature
    return 1 + square(t) + 2 * s * t * t_prime - t_prime * q - 4 * t * s / q, -t * d / q, -2 * d * t * t_prime, 1 - square(t)


def advance(problem: Problem, h: arb, s: arb, d: arb, matrix=False) -> tuple[arb, arb]:
    """The next box (S⁺, D⁺) by one step (module doc: interval evaluation ∩ mean-value form); ``matrix`` is
    :func:`jacobian` on the box when the caller has it."""
    naive_s, naive_d = _naive(problem, h, s, d)
    if matrix is False:
        matrix = jacobian(problem, h, s, d)
    if matrix is None:
        return naive_s, naive_d
    j11, j12, j21, j22 = matrix
    cs, cd = arb(s.mid()), arb(d.mid())
    fs, fd = _naive(problem, h, cs, cd)
    return meet(naive_s, fs + j11 * (s - cs) + j12 * (d - cd)), meet(naive_d, fd + j21 * (s - cs) + j22 * (d - cd))


class Enclosure:
    """The boxes B_k ∋ (s_k, d_k) of every start of a leaf: :func:`advance` intersected with the mean-value form of
    the composed map, F^k(B₀) ⊂ F^k(c) + M_k(B₀ − c), M_{k+1} = J(B_k)·M_k ∋ DF^k(z) for z ∈ B₀ (chain rule, each
    F^j(z) ∈ B_j; F^k is C¹ on the convex B₀ while every J(B_j) exists). Where J does not exist the composed form
    restarts from the current box (B₀ := B_k, M := I).

    From a leaf of starts X × Y (``origin``) the composed form starts in (x, y) itself: with G(x, y) = (xy, x² − y²),
    F^k(G(z)) ∈ F^k(G(c)) + M_k(z − c) for z ∈ X × Y, M₀ = DG(X × Y) = [[Y, X], [2X, −2Y]] (G is C¹, G(z) ∈ B₀ =
    :func:`start_enclosure`), so the first hull of G's image is never wrapped into M."""

    def __init__(self, problem: Problem, h: arb, s: arb, d: arb, origin: tuple[arb, arb] | None = None):
        self.problem, self.h = problem, h
        self.s, self.d = s, d
        self._restart()
        if origin is not None:
            x, y = origin
            self.base = (x, y)
            self.centre = (arb(x.mid()), arb(y.mid()))
            self.point = start_enclosure(*self.centre)
            self.matrix = (y, x, 2 * x, -2 * y)

    def _restart(self) -> None:
        self.base = (self.s, self.d)
        self.point = (arb(self.s.mid()), arb(self.d.mid())) if self.s.is_finite() and self.d.is_finite() else None
        self.centre = self.point
        self.matrix = (arb(1), arb(0), arb(0), arb(1))

    def advance(self) -> tuple[arb, arb]:
        problem, h, s, d = self.problem, self.h, self.s, self.d
        step = jacobian(problem, h, s, d)
        new_s, new_d = advance(problem, h, s, d, step)
        if step is None or self.point is None:
            self.s, self.d = new_s, new_d
            self._restart()
            return new_s, new_d
        self.matrix = times(step, self.matrix)
        self.point = _naive(problem, h, *self.point)
        ds, dd = self.base[0] - self.centre[0], self.base[1] - self.centre[1]
        m11, m12, m21, m22 = self.matrix
        self.s = meet(new_s, self.point[0] + m11 * ds + m12 * dd)
        self.d = meet(new_d, self.point[1] + m21 * ds + m22 * dd)
        return self.s, self.d


def uv_flight(problem: Problem, h: arb, x: arb, y: arb, steps: int) -> tuple[arb, arb]:
    """(S, D) ∋ (s_k, d_k) after ``steps`` steps taken in (u, v) from the leaf X × Y (module doc, the (u, v) prefix);
    stops early, non-finite, when the enclosure runs away."""
    u, v = x + y, x - y
    for _ in range(steps):
        t = h * _slope(problem, (square(u) - square(v)) / 4)
        u, v = u * (1 - t), v * (1 + t)
        if not (u.is_finite() and v.is_finite()):
            break
    return (square(u) - square(v)) / 4, u * v
def times(a: tuple, b: tuple) -> tuple:
    """The product of 2 × 2 (interval) matrices given row by row as (m11, m12, m21, m22)."""
    a11, a12, a21, a22 = a
    b11, b12, b21, b22 = b
    return a11 * b11 + a12 * b21, a11 * b12 + a12 * b22, a21 * b11 + a22 * b21, a21 * b12 + a22 * b22


def leaf_box(x_low: Fraction, x_high: Fraction, y_low: Fraction, y_high: Fraction) -> tuple[arb, arb]:
    """Balls X, Y holding the exact rational intervals."""

    def ball(low, high):
        return (arb(low.numerator) / low.denominator).union(arb(high.numerator) / high.denominator)

    return ball(x_low, x_high), ball(y_low, y_high)


__all__ = ["Enclosure", "advance", "jacobian", "leaf_box", "norm_squared", "square", "start_enclosure", "times", "uv_flight"]
