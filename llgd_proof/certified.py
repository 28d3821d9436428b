"""Gradient descent on Arb balls: a fast numeric engine, rigorous enclosures, and orbit tests.

* :func:`numeric_descent` — *numeric mode*: each iterate is collapsed to its ball's midpoint after
  every step, so Arb acts as a fast multiple-precision float. Same stopping rules as
  :func:`llgd_proof.dynamics.gradient_descent` (gradient tolerance, divergence bound, periodic
  orbit) and the same :class:`~llgd_proof.dynamics.Run` record. This is evidence, not proof.
* :func:`enclose` — *certified mode*: the balls are kept. Inputs are read from their exact decimal
  strings into balls, every Arb operation returns a ball containing the exact result for every point
  of its inputs, and branches are decided on balls (:mod:`llgd_proof.arb_backend`). So, by induction
  on k, the k-th ball vector contains the exact k-th GD iterate from the exact inputs: the enclosure
  is sound at any precision. It can only become *useless* (wide): a large-step transient makes naive
  balls grow geometrically (the wrapping effect). The remedy is **adaptive precision**
  (:class:`Enclosure` is recomputed from scratch with twice the bits when a radius passes a threshold,
  up to ``max_bits``) — simpler than an a-posteriori defect scheme and sound for the same reason at
  every precision: no step ever trusts a rounded number, only balls. For two variables
  :class:`CentredEnclosure` adds a second, centred enclosure (a point and a Euclidean radius driven
  by a rigorous bound on the step map's Jacobian over the ball), intersected with the balls every
  step; it removes most of the wrapping near M (its docstring says why it is sound).
* :func:`krawczyk` — a period-p orbit proved to exist (and be unique) in a box by the Krawczyk test
  on G(θ) = F^p(θ) − θ, F(θ) = θ − h∇f(θ): with c the box's centre, Y ≈ (DG(c))⁻¹ any matrix,
  K(X) = c − Y·G(c) + (I − Y·DG(X))(X − c); K(X) ⊂ int X ⇒ G has exactly one zero in X (Krawczyk 1969;
  Moore, Kearfott & Cloud, *Introduction to Interval Analysis*, §8.2). DG(X) is the interval product
  of the Jacobians I − h∇²f over the boxes F^i(X). The multiplier (eigenvalues of D(F^p) on the
  orbit) is enclosed over the orbit boxes; 1-D and 2-D.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from flint import arb, arb_mat, ctx

from .arb_backend import working_bits
from .dynamics import Run, bits_for_digits, gradient_descent, to_mpmath  # noqa: F401 (re-exported)
from .objective import Objective


def numeric_descent(objective: Objective, h, init: Sequence, **options) -> Run:
    """GD in Arb *numeric mode* (midpoints; see the module doc): ``dynamics.gradient_descent(engine="arb")``,
    with dynamics' stopping rules (one shared :class:`~llgd_proof.dynamics.StoppingRule`)."""
    return gradient_descent(objective, h, init, engine="arb", **options)


# -- certified mode ------------------------------------------------------------------------------
def exact_inputs(h: str, init: Sequence[str]) -> tuple[arb, list[arb]]:
    """Balls containing the exact decimal inputs (at the current precision)."""
    return arb(str(h)), [arb(str(v)) for v in init]


def widest_radius(point: Sequence[arb]) -> float:
    return max(float(t.rad()) if t.is_finite() else math.inf for t in point)


# -- periodic orbits: the Krawczyk test ------------------------------------------------------------
@dataclass
class OrbitProof:
    """Outcome of :func:`krawczyk`: ``proved`` with the orbit boxes and the multiplier enclosure."""

    proved: bool
    reason: str
    boxes: list[list] | None = None  # F^i(K(X)) for i = 0..p−1, each a list of balls
    multiplier: arb | None = None  # spectral radius of D(F^p) over the orbit boxes
    centre: list | None = None  # the tested box X = centre ± radius (exact dyadic numbers)
    radius: arb | None = None

    @property
    def box_json(self) -> dict:
        """X as exact dyadic numbers [mantissa, exponent] (for certificates)."""
        return {"centre": [dyadic(c) for c in self.centre], "radius": dyadic(self.radius)}


def dyadic(value: arb) -> list[str]:
    mantissa, exponent = value.man_exp()
    return [str(int(mantissa)), str(int(exponent))]


def from_dyadic(pair: Sequence[str]) -> arb:
    mantissa, exponent = int(pair[0]), int(pair[1])
    if abs(exponent) > 1_000_000 or len(pair[0]) > 100_000:
        raise ValueError("dyadic number out of range")
    return arb(mantissa) * arb(2) ** exponent


def jacobian(compiled, h: arb, theta: Sequence[arb]) -> arb_mat:
    """DF(θ) = I − h∇²f(θ) on balls, with the Hessian's branches decided (raises Undecidable otherwise:
    the mean-value form behind the Krawczyk test needs F to be C¹ on the box)."""
    entries = compiled.strict_hessian(*theta)
    n = len(theta)
    hessian = [[None] * n for _ in range(n)]
    for (i, j), entry in zip(compiled.upper, entries):
        hessian[i][j] = hessian[j][i] = entry
    return arb_mat([[(1 if i == j else 0) - h * hessian[i][j] for j in range(n)] for i in range(n)])


def _compose(compiled, h, box, period):
    """(F^p(box), DF^p over the boxes, the boxes F^i(box))."""
    n = len(box)
    product = arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])
    boxes = [list(box)]
    point = list(box)
    for i in range(period):
        product = jacobian(compiled, h, point) * product
        point = compiled.step(point, h)
        if i < period - 1:
            boxes.append(point)
    return point, product, boxes


def spectral_radius(matrix: arb_mat) -> arb | None:
    """A ball containing max|λ| of a 1×1 or 2×2 ball matrix (None for larger ones)."""
    n = matrix.nrows()
    if n == 1:
        return abs(matrix[0, 0])
    if n != 2:
        return None
    trace = matrix[0, 0] + matrix[1, 1]
    det = matrix[0, 0] * matrix[1, 1] - matrix[0, 1] * matrix[1, 0]
    disc = trace * trace - 4 * det
    results = []
    if not disc < 0:  # real eigenvalues possible
        root = disc.nonnegative_part().sqrt()
        results.append(abs((trace + root) / 2).max(abs((trace - root) / 2)))
    if not disc > 0:  # complex pair possible: |λ|² = det
        results.append(det.nonnegative_part().sqrt())
    value = results[0]
    for other in results[1:]:
        value = value.union(other)
    return value


def krawczyk(compiled, h: arb, centre: Sequence[arb], period: int, radius: arb | None = None, newton_steps: int = 8) -> OrbitProof:
    """Prove a period-``period`` orbit in a box around ``centre`` (module doc).

    The centre is first refined by ``newton_steps`` Newton steps on midpoints (the test is valid for any
    centre); the box radius defaults to 16× the last Newton correction (at least 2^(−bits/2)).
    """
    from .arb_backend import Undecidable

    try:
        return _krawczyk(compiled, h, centre, period, radius, newton_steps)
    except Undecidable:
        return OrbitProof(False, "a branch of the Hessian is undecided on the orbit boxes (F is not known to be C¹ there)")


def _krawczyk(compiled, h, centre, period, radius, newton_steps) -> OrbitProof:
    n = len(centre)
    identity = arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])
    centre = [arb(c.mid()) for c in centre]
    for _ in range(newton_steps + 1):  # Newton refinement of the centre (midpoints: any centre is allowed)
        image_centre, derivative_centre, _ = _compose(compiled, h, centre, period)
        jac_centre = derivative_centre - identity
        try:
            inverse = arb_mat([[v.mid() for v in row] for row in jac_centre.inv().tolist()])
        except (ZeroDivisionError, ValueError):
            return OrbitProof(False, "D(F^p) − I is singular at the approximate orbit point")
        residual = arb_mat([[g - c] for g, c in zip(image_centre, centre)])
        correction = inverse * residual
        if _ == newton_steps:
            break
        centre = [(c - correction[i, 0]).mid() for i, c in enumerate(centre)]
    if radius is None:
        size = arb(2) ** (-ctx.prec // 2)
        for i in range(n):
            size = size.max(abs(correction[i, 0]).upper() * 16)
        radius = size
    box = [c + arb(0, 1) * radius for c in centre]
    _, derivative_box, _ = _compose(compiled, h, box, period)
    offset = arb_mat([[b - c] for b, c in zip(box, centre)])
    krawczyk_box = arb_mat([[c] for c in centre]) - inverse * residual + (identity - inverse * (derivative_box - identity)) * offset
    candidate = [krawczyk_box[i, 0] for i in range(n)]
    if not all(b.contains_interior(k) for b, k in zip(box, candidate)):
        return OrbitProof(False, "the Krawczyk box is not inside the initial box")
    for divisor in range(1, period):
        if period % divisor == 0:
            image, _, _ = _compose(compiled, h, candidate, divisor)
            if all(a.overlaps(b) for a, b in zip(image, candidate)):
                return OrbitProof(False, f"cannot exclude a shorter period {divisor}")
    _, derivative_orbit, boxes = _compose(compiled, h, candidate, period)
    return OrbitProof(True, "Krawczyk test passed", boxes=boxes, multiplier=spectral_radius(derivative_orbit), centre=centre, radius=radius)


class CentredEnclosure:
    """θ_k enclosed twice: a vector of balls, and a Euclidean ball ‖θ_k − c_k‖₂ ≤ e_k (two variables).

    Naive balls grow by the wrapping effect even where GD contracts (near M the Jacobian has an
    eigenvalue 1 along M but |J|, taken entrywise, has norm > 1). The centred form tracks a point c_k
    (exact, the midpoint of F evaluated on the exact c_{k−1}) and a radius e_k with

        e_{k+1} = L_k e_k + δ_k,   L_k ≥ sup_{box(c_k, e_k)} ‖DF‖₂,   δ_k ≥ ‖F(c_k) − c_{k+1}‖₂.

    Sound because DF = I − h∇²f is symmetric, so ‖DF(ξ)‖₂ is its spectral radius, enclosed over the box
    (:func:`spectral_radius`); F(θ) − F(c) = ∫ DF(c + t(θ − c))(θ − c) dt needs F to be C¹ on the box,
    which holds when the Hessian, compiled with ``piecewise="undecidable"``, evaluates there without a
    straddled branch (else this step keeps only the naive balls). Each step intersects the two
    enclosures, both of which contain the exact iterate. Near M, L_k ≈ max(1, |1 − hS|) + O(|r|), so e_k
    stays small where naive balls lose bits every step.
    """

    def __init__(self, compiled, strict_hessian, h: arb, theta: Sequence[arb]):
        self.compiled = compiled
        self.strict_hessian = strict_hessian
        self.h = h
        self.theta = list(theta)
        self.centre = [t.mid() for t in theta]
        self.radius = _norm_upper([t - c for t, c in zip(theta, self.centre)])

    def advance(self) -> list[arb]:
        h, compiled = self.h, self.compiled
        naive = compiled.step(self.theta, h)
        image = compiled.step(self.centre, h)
        centre = [v.mid() for v in image]
        defect = _norm_upper([v - c for v, c in zip(image, centre)])
        box = [c + arb(0, 1) * self.radius for c in self.centre]
        lipschitz = self._lipschitz(box)
        radius = (lipschitz * self.radius + defect).upper() if lipschitz is not None and lipschitz.is_finite() else arb.nan()
        if radius.is_finite():
            ball = [c + arb(0, 1) * radius for c in centre]
            merged = []
            for a, b in zip(naive, ball):
                merged.append(a.intersection(b) if a.is_finite() else b)
            naive = merged
            corner = _norm_upper([t - c for t, c in zip(naive, centre)])
            self.radius = radius.min(corner).upper() if corner.is_finite() else radius
        else:
            self.radius = _norm_upper([t - c for t, c in zip(naive, centre)])
        self.centre, self.theta = centre, naive
        return naive

    def _lipschitz(self, box):
        from .arb_backend import Undecidable

        try:
            entries = self.strict_hessian(*box)
        except Undecidable:
            return None
        (a, b, d) = entries
        matrix = arb_mat([[1 - self.h * a, -self.h * b], [-self.h * b, 1 - self.h * d]])
        return spectral_radius(matrix).upper()


def _norm_upper(vector: Sequence[arb]) -> arb:
    """An exact upper bound of the Euclidean norm of a vector of balls."""
    total = arb(0)
    for v in vector:
        bound = abs(v).upper()
        total += bound * bound
    return total.sqrt().upper()
