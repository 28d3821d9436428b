"""The prover's numeric side: GD on Arb midpoints, and the search for a periodic orbit's Krawczyk box.

* :func:`numeric_descent` — each iterate is collapsed to its ball's midpoint after every step, so Arb acts as a
  fast multiple-precision float, with the one stopping rule (:class:`~llgd_proof.engines.stopping.StoppingRule`)
  and the same :class:`~llgd_proof.engines.precise.Run` record. This is evidence, not proof.
* :func:`orbit_box` — Newton's method on G(θ) = F^p(θ) − θ, F(θ) = θ − h∇f(θ), at midpoints, to *choose* the centre
  of the box X = c ± r whose Krawczyk test :func:`llgd_proof.checker.orbits.orbit_derivation` then decides. The test
  is valid for any centre, so nothing here needs to be trusted: it composes F and its Jacobian with the checker's
  own :func:`~llgd_proof.checker.orbits.compose` on the certificate's :class:`~llgd_proof.checker.problem.Problem`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flint import arb, arb_mat

from llgd_proof.checker.orbits import compose, orbit_derivation
from llgd_proof.checker.problem import Problem, Undecidable
from llgd_proof.engines.precise import Run, gradient_descent
from llgd_proof.symbolic.objective import Objective


def numeric_descent(objective: Objective, h, init: Sequence, **options) -> Run:
    """GD in Arb *numeric mode* (midpoints; see the module doc): ``gradient_descent(engine="arb")``."""
    return gradient_descent(objective, h, init, engine="arb", **options)


@dataclass
class OrbitBox:
    """Outcome of :func:`orbit_box`: ``proved`` when the checker's Krawczyk test passed on ``centre ± radius``
    (``facts`` is its derivation: orbit boxes, multiplier, stability), else the checker's ``reason``."""

    proved: bool
    reason: str
    centre: list | None = None  # exact dyadic numbers (ball midpoints)
    radius: arb | None = None
    facts: dict | None = None

    @property
    def box_json(self) -> dict:
        """X as exact dyadic numbers [mantissa, exponent] (for certificates)."""
        return {"centre": [dyadic(c) for c in self.centre], "radius": dyadic(self.radius)}


def dyadic(value: arb) -> list[str]:
    mantissa, exponent = value.man_exp()
    return [str(int(mantissa)), str(int(exponent))]


def refine_centre(problem: Problem, h: arb, point: Sequence[arb], period: int, newton_steps: int = 8) -> list[arb] | None:
    """``newton_steps`` Newton steps on G = F^p − id from ``point``, at midpoints; None where DG is singular or a
    branch of the Hessian is undecided (F not known to be C¹ there)."""
    n = len(point)
    identity = arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])
    centre = [arb(c.mid()) for c in point]
    try:
        for _ in range(newton_steps):
            image, derivative, _ = compose(problem, h, centre, period)
            inverse = arb_mat([[v.mid() for v in row] for row in (derivative - identity).inv().tolist()])
            correction = inverse * arb_mat([[g - c] for g, c in zip(image, centre)])
            centre = [arb((c - correction[i, 0]).mid()) for i, c in enumerate(centre)]
    except (ZeroDivisionError, ValueError, Undecidable):
        return None
    return centre


def orbit_box(problem: Problem, h: arb, point: Sequence[arb], period: int, radius: arb) -> OrbitBox:
    """Choose the centre by :func:`refine_centre`, then let the checker decide the Krawczyk test on centre ± radius."""
    centre = refine_centre(problem, h, point, period)
    if centre is None:
        return OrbitBox(False, "Newton's method on F^p(θ) − θ failed near the numeric orbit point (D(F^p) − I singular or F not C¹)")
    facts, failures = orbit_derivation(problem, h, centre, radius, period)
    if failures:
        return OrbitBox(False, "; ".join(failures), centre, radius)
    return OrbitBox(True, "Krawczyk test passed", centre, radius, facts)
