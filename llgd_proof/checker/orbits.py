"""Periodic orbits: the Krawczyk test, and the orbit's multiplier.

G(θ) = F^p(θ) − θ with F(θ) = θ − h∇f(θ). For the box X = c ± r (an exact dyadic centre, r = 2^(−bits/2), and
the enclosure of G(c) stored as ``residual``, so the centre cannot change unnoticed), Y any
matrix (here the midpoint inverse of DG(c), recomputed), K(X) = c − Y·G(c) + (I − Y·DG(X))(X − c) with DG(X)
the interval product of the Jacobians I − h∇²f over the boxes F^i(X) (the Hessian with every branch decided,
so F is C¹ there). K(X) ⊂ int X ⇒ G has exactly one zero θ* in X, and θ* ∈ K(X) (Krawczyk 1969; Moore,
Kearfott & Cloud, *Introduction to Interval Analysis*, §8.2). If F^d(K(X)) misses K(X) in some coordinate for
every proper divisor d of p, then F^d(θ*) ≠ θ* and the period is exactly p. The multiplier — the spectral
radius of D(F^p)(θ*) — is enclosed over the boxes F^i(K(X)); the orbit is linearly stable when it is below 1.

Attraction (:func:`attraction_derivation`): when the enclosure of some θ_K lies in a larger box that F^p maps
into itself as a max-norm contraction, GD from θ0 converges to the orbit.
"""

from __future__ import annotations

from flint import arb, arb_mat

from llgd_proof.checker.balls import spectral_radius, step_jacobian
from llgd_proof.checker.problem import Problem, Undecidable, from_decimal_checked
from llgd_proof.symbolic.arb import interval_strings, upper_string


def compose(problem: Problem, h: arb, box: list, period: int):
    """(F^p(box), the product of the Jacobians over F^i(box), the boxes F^i(box) for i < p)."""
    n = len(box)
    product = arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])
    boxes, point = [list(box)], list(box)
    for i in range(period):
        product = step_jacobian(problem, h, point) * product
        point = problem.step(point, h)
        if i < period - 1:
            boxes.append(point)
    return point, product, boxes


def orbit_derivation(problem: Problem, h: arb, centre: list, radius: arb, period: int) -> tuple[dict, list[str]]:
    """The orbit boxes, the multiplier and the stability flag proved by the Krawczyk test on c ± r (module doc)."""
    n = len(centre)
    if n > 2 or not radius > 0:
        return {}, ["the orbit box must have a positive radius (one or two variables)"]
    identity = arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])
    try:
        image, derivative, _ = compose(problem, h, centre, period)
        try:
            inverse = arb_mat([[v.mid() for v in row] for row in (derivative - identity).inv().tolist()])
        except (ZeroDivisionError, ValueError):
            return {}, ["D(F^p) − I is singular at the box's centre"]
        box = [c + arb(0, 1) * radius for c in centre]
        _, derivative_box, _ = compose(problem, h, box, period)
        residual = arb_mat([[g - c] for g, c in zip(image, centre)])
        offset = arb_mat([[b - c] for b, c in zip(box, centre)])
        krawczyk = arb_mat([[c] for c in centre]) - inverse * residual + (identity - inverse * (derivative_box - identity)) * offset
        candidate = [krawczyk[i, 0] for i in range(n)]
        if not all(b.contains_interior(k) for b, k in zip(box, candidate)):
            return {}, ["the Krawczyk box K(X) is not inside the interior of X"]
        for divisor in range(1, period):
            if period % divisor == 0:
                shorter, _, _ = compose(problem, h, candidate, divisor)
                if all(a.overlaps(b) for a, b in zip(shorter, candidate)):
                    return {}, [f"a shorter period {divisor} is not excluded"]
        _, derivative_orbit, boxes = compose(problem, h, candidate, period)
    except Undecidable:
        return {}, ["a branch of the Hessian is undecided on the orbit boxes: F is not known to be C¹ there"]
    multiplier = spectral_radius(derivative_orbit)
    if multiplier is None or not multiplier.is_finite() or not all(c.is_finite() for box in boxes for c in box):
        return {}, ["the orbit boxes or the multiplier cannot be enclosed"]
    stable = True if multiplier < 1 else (False if multiplier > 1 else None)
    return {
        "residual": [interval_strings(g - c) for g, c in zip(image, centre)],
        "orbit_boxes": [[interval_strings(c) for c in box] for box in boxes],
        "multiplier": interval_strings(multiplier),
        "stable": stable,
    }, []


def attraction_derivation(problem: Problem, h: arb, centre: list, radius: arb, period: int, orbit_box: list, theta) -> tuple[dict, list[str]]:
    """GD from θ0 converges to the orbit: θ_K lies in a box X' = c ± R (max-norm) that F^p maps into itself as a contraction.

    L ≥ max_i Σ_j sup|D(F^p)_ij| over X' (the interval product of the Jacobians over F^i(X'); each component of
    F^p(θ) − F^p(c) is a mean value ∇F^p_i(ξ)·(θ − c) with ξ ∈ X'), δ ≥ ‖F^p(c) − c‖_∞. L < 1 and δ ≤ (1 − L)R
    give F^p(X') ⊂ X' and a contraction, so F^p has exactly one fixed point in X' — the orbit's first point, whose
    Krawczyk box lies in X' — and F^{pj}(θ_K) → it; by continuity θ_{K + pj + i} → the i-th point of the orbit.
    """
    n = len(centre)
    if not radius > 0:
        return {}, ["the attraction box needs a positive radius"]
    box = [c + arb(0, 1) * radius for c in centre]
    try:
        image, _, _ = compose(problem, h, list(centre), period)
        _, derivative, _ = compose(problem, h, box, period)
    except Undecidable:
        return {}, ["a branch of the Hessian is undecided on the attraction box"]
    lipschitz = arb(0)
    for i in range(n):
        lipschitz = lipschitz.max(sum((abs(derivative[i, j]).upper() for j in range(n)), arb(0)))
    defect = arb(0)
    for value, c in zip(image, centre):
        defect = defect.max(abs(value - c).upper())
    if not (lipschitz.is_finite() and defect.is_finite()):
        return {}, ["‖D(F^p)‖ or ‖F^p(c) − c‖ cannot be bounded on the attraction box"]
    lipschitz_text, defect_text = upper_string(lipschitz), upper_string(defect)
    lipschitz, defect = from_decimal_checked(lipschitz_text, "bound"), from_decimal_checked(defect_text, "bound")
    derived = {"lipschitz": lipschitz_text, "defect": defect_text}
    failures = []
    if not lipschitz < 1:
        failures.append("‖D(F^p)‖_∞ on the attraction box is not below 1")
    elif not defect <= (1 - lipschitz) * radius:
        failures.append("‖F^p(c) − c‖_∞ > (1 − L)R: F^p is not shown to map the attraction box into itself")
    if not all(b.contains(k) for b, k in zip(box, orbit_box)):
        failures.append("the orbit's Krawczyk box is not inside the attraction box")
    if not all(b.contains(t) for b, t in zip(box, theta)):
        failures.append("the enclosure of θ_K is not inside the attraction box")
    return derived, failures
