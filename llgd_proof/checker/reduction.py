r"""Certified basins for f = ℓ(xᵀy), x, y ∈ ℝⁿ, read off a two-variable basin certificate (``derived``).

Theory §1 names the vector form f(x, y) = ℓ(xᵀy) of the family and F2 its sharpness on M,
ℓ''(μ)(‖x‖² + ‖y‖²); it says nothing about reducing GD on ℓ(xᵀy) to GD on ℓ(xy). The reduction is derived
here, and the tests prove its one-step identities with sympy and compare n-dimensional and two-variable
iterates.

**Lemma (exact reduction).** Let e_u, e_v ∈ ℝⁿ be unit vectors, p = (e_u + e_v)/2, m = (e_u − e_v)/2 and

    L(a, b) = (a p + b m,  a m + b p) ∈ ℝⁿ × ℝⁿ        ((a, b) ∈ ℝ²).

Write G₂ for the GD map of f₂(a, b) = ℓ(ab) and Gₙ for that of fₙ(x, y) = ℓ(xᵀy), both with step h. Then

(i) L is a linear isometry of ℝ² onto its image: ‖L(a, b)‖² = a² + b²;
(ii) L preserves the product: xᵀy = ab for (x, y) = L(a, b), so fₙ ∘ L = f₂;
(iii) L intertwines GD: Gₙ ∘ L = L ∘ G₂.

*Proof.* |p|² + |m|² = (|e_u|² + |e_v|²)/2 = 1 and p·m = (|e_u|² − |e_v|²)/4 = 0. (i) ‖L(a, b)‖² =
|ap + bm|² + |am + bp|² = (a² + b²)(|p|² + |m|²) + 4ab p·m = a² + b². (ii) xᵀy = (ap + bm)·(am + bp) =
ab(|p|² + |m|²) + (a² + b²)p·m = ab. (iii) In u = x + y, v = x − y the point L(a, b) is u = (a + b)e_u,
v = (a − b)e_v. With s = xᵀy and t = hℓ'(s), Gₙ is x⁺ = x − t y, y⁺ = y − t x (∇ₓfₙ = ℓ'(s)y, ∇_yfₙ = ℓ'(s)x),
i.e. u⁺ = (1 − t)u, v⁺ = (1 + t)v, and s = (|u|² − |v|²)/4. At L(a, b), s = ab by (ii), so t = hℓ'(ab) is the
two-variable t, and u⁺ = (1 − t)(a + b)e_u, v⁺ = (1 + t)(a − b)e_v: this is L of the point whose a + b and a − b
are (1 − t)(a + b) and (1 + t)(a − b), which is G₂(a, b) (the same computation with n = 1). ∎

**Corollary (the reduced start).** Given θ₀ = (x₀, y₀) ∈ ℝ²ⁿ put u₀ = x₀ + y₀, v₀ = x₀ − y₀,
e_u = u₀/|u₀|, e_v = v₀/|v₀| (any unit vector where the vector is 0) and

    (x̃₀, ỹ₀) = ((|u₀| + |v₀|)/2, (|u₀| − |v₀|)/2).

Then L(x̃₀, ỹ₀) has u = |u₀|e_u = u₀ and v = |v₀|e_v = v₀, i.e. L(x̃₀, ỹ₀) = θ₀, so by (iii) and induction
θ_k = L(θ̃_k) for every k, θ̃_k the two-variable GD from (x̃₀, ỹ₀). Hence, for every k, s_k = x̃_kỹ_k (ii),
‖θ_k‖ = ‖θ̃_k‖ (i) and fₙ(θ_k) = f₂(θ̃_k) (ii); and, L being linear, injective and isometric:

* θ̃_k → θ̃∞ with x̃∞ỹ∞ = μ* ⇔ θ_k → L(θ̃∞), a point with xᵀy = μ* (L⁻¹ is continuous on the closed
  image); for μ* a strict local minimiser of ℓ it minimises fₙ locally (fₙ = ℓ(xᵀy) ≥ ℓ(μ*) nearby);
* ‖θ̃_k‖ → ∞ ⇔ ‖θ_k‖ → ∞;
* θ̃_k tends to a P-periodic orbit {z_j} of G₂ ⇔ θ_k tends to {L(z_j)}, a P-periodic orbit of Gₙ (iii).

The same holds at every other point of ℝ² with the same (|a + b|, |a − b|): they are (x̃₀, ỹ₀), (ỹ₀, x̃₀),
(−ỹ₀, −x̃₀) and (−x̃₀, −ỹ₀), obtained from the reduced point by the symmetries of ℓ(xy) — swap (a, b) ↦ (b, a)
and negation θ ↦ −θ — which are themselves the lemma's L for n = 1 (e_u, e_v ∈ {±1}: (e_u, e_v) = (1, −1)
gives the swap, (−1, −1) the negation), so they commute with G₂ and keep every outcome. For n = 1 the start
(x₀, y₀) itself is one of the four (the reduced point is (x₀, y₀) only when x₀ ≥ |y₀|), so reading a
certificate through the reduction agrees with reading it at (x₀, y₀) directly.

**Sharpness** (remark, not used by the outcomes). With w = (y, x) = L(b, a) and J(X, Y) = (Y, X) one has
J L(a, b) = L(b, a), so im L is invariant under ∇²fₙ = ℓ''(s)wwᵀ + ℓ'(s)J (theory F1), which acts there as
L∇²f₂L⁻¹; on (im L)^⊥ it is ℓ'(s)J with eigenvalues ±ℓ'(s). For n ≥ 2: S(θ_k) = max(S₂(θ̃_k), |ℓ'(s_k)|),
which is S₂(θ̃_k) on M and wherever ℓ''(s_k) ≥ 0 (then ∇²f₂ ⪰ ℓ'J).

**Reading a certificate.** :class:`CheckedBasin` accepts only a certificate that
:func:`~llgd_proof.checker.basins.recheck_basin` re-verifies; each of its leaves is then proved for its whole
*closed* box (the checker's start enclosure holds every point of it). For a start (x₀, y₀) the four points
above have coordinates (σ√U + τ√V)/2 and (σ√U − τ√V)/2, σ, τ ∈ {±1}, with U = |u₀|² and V = |v₀|² exact
rationals. Each point is located exactly: it descends the quadtree, comparing a coordinate with a cut c (a
rational) by the sign of σ√U ± τ√V − 2c — decided by Arb balls when they separate, else exactly in rationals
(:func:`root_sum_sign`: p√U + q√V + r has the sign of the larger of |p√U| and |q√V + r| when their signs
differ, and |a| ≷ |b| ⇔ a² ≷ b² leaves one square root, decided the same way). A point on a cut goes to both
sides, so it ends in every closed leaf that holds it, and in none when it is outside the box. The start's
answer is an outcome when some point lies in a leaf proved that outcome and no point lies in a leaf proved
another one (which a sound certificate cannot produce); else "undecided". "converges" then means θ_k → a
minimiser of fₙ with xᵀy = μ*, μ* the zero of ℓ' in the certificate's minimiser interval; "periodic" means θ_k
tends to a periodic orbit holding no stationary point (the lemma's third bullet); "diverges" means
‖θ_k‖ → ∞.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction

import sympy
from flint import arb

from llgd_proof.checker.basins import BasinRecheck, basin_problem, quarters, recheck_basin
from llgd_proof.checker.problem import CertificateError
from llgd_proof.errors import LlgdInputError
from llgd_proof.symbolic.arb import _decimal, from_decimal, working_bits

COORDINATES = "(|x+y|+|x−y|)/2, (|x+y|−|x−y|)/2"
"""The reduced coordinates (x̃, ỹ) of a start (x, y) ∈ ℝⁿ × ℝⁿ, in words."""
MAX_DIM = 100_000
PRECISION = 256
"""Least Arb precision (bits) of the reduced start; the certificate's own, when higher."""
SIGNS = ((1, 1), (1, -1), (-1, 1), (-1, -1))
"""(σ, τ): the four points (a, b) with a + b = σ|u₀|, a − b = τ|v₀| (module doc)."""
DECIDED = ("converges", "diverges", "periodic")
LIMITS = {"converges": "xᵀy → μ* in the minimiser interval", "diverges": "‖θ_k‖ → ∞",
          "periodic": "θ_k tends to a periodic orbit of GD that holds no stationary point (an orbit box of the certificate)"}


def exact_start(x, y) -> tuple[list[Fraction], list[Fraction]]:
    """The start as exact rationals: x and y sequences of the same length n ≥ 1 of exact decimals (strings such
    as "1.25" or "125e-2"), integers or Fractions; LlgdInputError for anything else."""
    vectors = []
    for name, vector in (("x", x), ("y", y)):
        if isinstance(vector, (str, bytes)) or not hasattr(vector, "__len__"):
            raise LlgdInputError(f"the start's {name} must be a sequence of exact decimals such as ['1.2', '0.5']")
        if not 1 <= len(vector) <= MAX_DIM:
            raise LlgdInputError(f"the start's {name} must have from 1 to {MAX_DIM} coordinates, got {len(vector)}")
        vectors.append([_exact(value, name) for value in vector])
    if len(vectors[0]) != len(vectors[1]):
        raise LlgdInputError(f"the start's x and y must have the same length, got {len(vectors[0])} and {len(vectors[1])}")
    return vectors[0], vectors[1]


def _exact(value, name: str) -> Fraction:
    if isinstance(value, bool):
        raise LlgdInputError(f"each coordinate of the start's {name} must be an exact decimal, got {value!r}")
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, str):
        try:
            from_decimal(value)  # the checker's decimal syntax and size limits
        except ValueError:
            pass
        else:
            return Fraction(value.strip())
    raise LlgdInputError(f"each coordinate of the start's {name} must be an exact decimal such as 1.25 or 125e-2, got {str(value)[:60]!r}")


def squared_norms(x, y) -> tuple[Fraction, Fraction]:
    """(|u₀|², |v₀|²) = (|x + y|², |x − y|²), exact."""
    xs, ys = exact_start(x, y)
    return sum((a + b) ** 2 for a, b in zip(xs, ys)), sum((a - b) ** 2 for a, b in zip(xs, ys))


def reduced_start(x, y, exact: bool = False):
    """(x̃₀, ỹ₀) = ((|u₀| + |v₀|)/2, (|u₀| − |v₀|)/2) of the start (module doc): Arb balls at the working
    precision, or with ``exact`` sympy numbers (square roots of rationals)."""
    u2, v2 = squared_norms(x, y)
    if exact:
        u, v = sympy.sqrt(sympy.Rational(u2.numerator, u2.denominator)), sympy.sqrt(sympy.Rational(v2.numerator, v2.denominator))
        return (u + v) / 2, (u - v) / 2
    u, v = _root(u2), _root(v2)
    return (u + v) / 2, (u - v) / 2


def _root(value: Fraction) -> arb:
    """A ball holding √value (value ≥ 0 exact)."""
    if value == 0:
        return arb(0)
    return (arb(value.numerator) / value.denominator).sqrt()


def _ball(value: Fraction) -> arb:
    return arb(value.numerator) / value.denominator


@dataclass
class StartOutcome:
    """What a rechecked basin certificate proves about one start (x, y) ∈ ℝⁿ × ℝⁿ (module doc)."""

    outcome: str
    dim: int
    reduced: tuple[str, str]
    reason: str
    leaves: list = field(default_factory=list)
    minimiser: list | None = None
    recheck: BasinRecheck | None = field(default=None, repr=False)
    """The checker's verdict on the whole certificate (always valid here)."""

    def as_json(self) -> dict:
        return {"outcome": self.outcome, "dim": self.dim, "reduced": list(self.reduced), "coordinates": COORDINATES,
                "provenance": "derived", "reason": self.reason, "leaves": self.leaves, "minimiser": self.minimiser}


class CheckedBasin:
    """A basin certificate that :func:`~llgd_proof.checker.basins.recheck_basin` has re-verified, read through the
    reduction (module doc); :meth:`outcome` answers any number of starts without rechecking again.

    The certificate is copied (through JSON) before it is rechecked, so later changes to the caller's object
    cannot reach what was verified. An invalid certificate raises :class:`CertificateError`: it certifies no
    start."""

    def __init__(self, certificate: dict, max_failures: int = 5):
        if not isinstance(certificate, dict):
            raise CertificateError("a basin certificate is a JSON object")
        try:
            data = json.loads(json.dumps(certificate))
        except (TypeError, ValueError, RecursionError):
            raise CertificateError("the basin certificate is not plain JSON data") from None
        self.recheck = recheck_basin(data, max_failures)
        if not self.recheck.valid:
            raise CertificateError(f"the basin certificate does not recheck ({self.recheck.failures[0]}), so it certifies no start")
        _, self.corners = basin_problem(data["inputs"])
        self.tree = data["tree"]
        self.bits = max(PRECISION, data["bits"])
        self.minimiser = data["minimiser"]

    def outcome(self, x, y) -> StartOutcome:
        """The certified outcome of GD on ℓ(xᵀy) from (x, y) (module doc)."""
        xs, _ = exact_start(x, y)
        u2, v2 = squared_norms(x, y)
        holding, decided = [], {}
        with working_bits(self.bits):
            roots = (_root(u2), _root(v2))
            for sigma, tau in SIGNS:
                point = _Point(u2, v2, sigma, tau, *roots)
                for path, node, box in self._holding(point):
                    name = _point_name(sigma, tau)
                    holding.append({"path": path, "box": _box_text(box), "outcome": node["outcome"], "point": name})
                    if node["outcome"] in DECIDED:
                        decided.setdefault(node["outcome"], []).append(name)
            a, b = (roots[0] + roots[1]) / 2, (roots[0] - roots[1]) / 2
            reduced = (a.str(30, radius=True), b.str(30, radius=True))
        dim = len(xs)
        if len(decided) == 1:
            outcome, names = decided.popitem()
            names = sorted(set(names), key=names.index)
            limit = LIMITS[outcome]
            where = ("the point " if len(names) == 1 else "the points ") + " and ".join(names)
            return StartOutcome(outcome, dim, reduced, f"{where} of the start lie{'s' if len(names) == 1 else ''} in a closed leaf proved {outcome}: {limit}",
                                holding, self.minimiser if outcome == "converges" else None, self.recheck)
        if decided:
            reason = f"points of the start lie in leaves proved {' and '.join(sorted(decided))}, which a sound certificate cannot do; nothing is claimed"
        elif not holding:
            reason = "the start's four equivalent points all lie outside the certificate's box"
        else:
            reason = "every leaf holding a point of the start is undecided"
        return StartOutcome("undecided", dim, reduced, reason, holding, None, self.recheck)

    def _holding(self, point: _Point):
        """(path, leaf, box) of every leaf whose closed box holds the point (exact; the tree's halving,
        :func:`~llgd_proof.checker.basins.quarters`)."""
        x0, x1, y0, y1 = self.corners
        if point.compare(0, x0) < 0 or point.compare(0, x1) > 0 or point.compare(1, y0) < 0 or point.compare(1, y1) > 0:
            return
        stack = [("", self.tree, x0, x1, y0, y1)]
        while stack:
            path, node, x0, x1, y0, y1 = stack.pop()
            if "split" not in node:
                yield path, node, (x0, x1, y0, y1)
                continue
            children = quarters(x0, x1, y0, y1)
            side_x, side_y = point.compare(0, children[0][1]), point.compare(1, children[0][3])  # against the midpoints
            for i, quarter in reversed(list(enumerate(children))):
                high_x, high_y = i % 2 == 1, i >= 2
                if (side_x < 0 if high_x else side_x > 0) or (side_y < 0 if high_y else side_y > 0):
                    continue  # the point is strictly on the other side of a cut
                stack.append((path + str(i), node["split"][i], *quarter))


class _Point:
    """The point ((σ√U + τ√V)/2, (σ√U − τ√V)/2) of ℝ², compared exactly with rationals (module doc)."""

    def __init__(self, u2: Fraction, v2: Fraction, sigma: int, tau: int, root_u: arb, root_v: arb):
        self.u2, self.v2, self.sigma, self.tau = u2, v2, sigma, tau
        self.balls = ((sigma * root_u + tau * root_v) / 2, (sigma * root_u - tau * root_v) / 2)

    def compare(self, axis: int, cut: Fraction) -> int:
        """The sign of coordinate ``axis`` minus ``cut``, i.e. of σ√U ± τ√V − 2·cut: by Arb when the balls
        separate, else exactly (:func:`root_sum_sign`)."""
        difference = self.balls[axis] - _ball(cut)
        if difference > 0:
            return 1
        if difference < 0:
            return -1
        return root_sum_sign(self.sigma, self.u2, self.tau if axis == 0 else -self.tau, self.v2, -2 * cut)


def _sign(value) -> int:
    return (value > 0) - (value < 0)


def root_sign(k: Fraction, v: Fraction, r: Fraction) -> int:
    """The sign of k√v + r (k, r rational, v ≥ 0 rational), exactly."""
    root = _sign(k) if v > 0 else 0
    rest = _sign(r)
    if root == 0 or rest in (0, root):
        return root or rest
    return root * _sign(k * k * v - r * r)  # opposite signs: the larger magnitude wins


def root_sum_sign(p: int, u: Fraction, q: int, v: Fraction, r: Fraction) -> int:
    """The sign of p√u + q√v + r (p, q ∈ {±1}; u, v ≥ 0 and r rational), exactly: with a = p√u, b = q√v + r, when
    a and b have opposite signs the sign is a's iff a² > b², i.e. iff u − v − r² − 2qr√v > 0 (one square root)."""
    first = p if u > 0 else 0
    second = root_sign(Fraction(q), v, r)
    if first == 0 or second in (0, first):
        return first or second
    return first * root_sign(Fraction(-2 * q) * r, v, u - v - r * r)


def _box_text(box) -> list[str]:
    """A leaf's exact corners as decimals (30 digits, rounded outward, as in the prover's leaf list)."""
    return [_decimal(value, 30, upward=bool(i % 2)) for i, value in enumerate(box)]


def _point_name(sigma: int, tau: int) -> str:
    return {(1, 1): "(x̃, ỹ)", (1, -1): "(ỹ, x̃)", (-1, 1): "(−ỹ, −x̃)", (-1, -1): "(−x̃, −ỹ)"}[(sigma, tau)]


def certified_outcome(certificate: dict, x, y) -> StartOutcome:
    """The outcome a basin certificate proves for GD on ℓ(xᵀy) from (x, y) ∈ ℝⁿ × ℝⁿ: the certificate is rechecked
    (:class:`CheckedBasin`; CertificateError when it does not recheck), then read at the reduced start."""
    return CheckedBasin(certificate).outcome(x, y)


__all__ = ["COORDINATES", "CheckedBasin", "StartOutcome", "certified_outcome", "exact_start", "reduced_start", "root_sum_sign", "squared_norms"]
