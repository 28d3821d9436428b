"""Gradient descent on Arb balls: a fast numeric engine, rigorous enclosures, and orbit tests.

* :func:`numeric_descent` — *numeric mode*: each iterate is collapsed to its ball's midpoint after
  every step, so Arb acts as a fast multiple-precision float. Same stopping rules as
  :func:`llgd_proof.engines.precise.gradient_descent` (gradient tolerance, divergence bound, periodic
  orbit) and the same :class:`~llgd_proof.engines.precise.Run` record. This is evidence, not proof.
* :func:`enclose` — *certified mode*: the balls are kept. Inputs are read from their exact decimal
  strings into balls, every Arb operation returns a ball containing the exact result for every point
  of its inputs, and branches are decided on balls (:mod:`llgd_proof.symbolic.arb`). So, by induction
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

from collections.abc import Sequence
from dataclasses import dataclass

from flint import arb, arb_mat, ctx

from llgd_proof.checker.balls import spectral_radius
from llgd_proof.engines.precise import Run, bits_for_digits, gradient_descent, to_mpmath
from llgd_proof.symbolic.arb import working_bits
from llgd_proof.symbolic.objective import Objective


def numeric_descent(objective: Objective, h, init: Sequence, **options) -> Run:
    """GD in Arb *numeric mode* (midpoints; see the module doc): ``dynamics.gradient_descent(engine="arb")``,
    with dynamics' stopping rules (one shared :class:`~llgd_proof.engines.stopping.StoppingRule`)."""
    return gradient_descent(objective, h, init, engine="arb", **options)


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


def krawczyk(compiled, h: arb, centre: Sequence[arb], period: int, radius: arb | None = None, newton_steps: int = 8) -> OrbitProof:
    """Prove a period-``period`` orbit in a box around ``centre`` (module doc).

    The centre is first refined by ``newton_steps`` Newton steps on midpoints (the test is valid for any
    centre); the box radius defaults to 16× the last Newton correction (at least 2^(−bits/2)).
    """
    from llgd_proof.symbolic.arb import Undecidable

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
