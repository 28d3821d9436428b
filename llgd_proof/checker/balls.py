"""Enclosures of GD iterates on Arb balls, the minimiser's enclosure, and small rigorous matrix facts.

Soundness of an enclosure is induction on k: the inputs are balls containing the exact decimals, every Arb
operation returns a ball containing the exact result for every point of its inputs, so the k-th ball vector
contains the exact k-th iterate. Two schemes, both deterministic given (inputs, bits, K):

* ``naive`` — θ ← F(θ) on the ball vector;
* ``centred`` (two variables) — also a point c_k and a Euclidean radius e_k with
  e_{k+1} = L_k e_k + δ_k, L_k ≥ sup ‖DF‖₂ over the box around c_k (DF = I − h∇²f is symmetric, so its
  2-norm is its spectral radius; F must be C¹ on the box, which the strict Hessian guarantees), and
  δ_k ≥ ‖F(c_k) − c_{k+1}‖₂; the two enclosures are intersected every step (each contains the iterate).
"""

from __future__ import annotations

from collections.abc import Sequence

from flint import arb, arb_mat

from llgd_proof.checker.problem import Problem, Undecidable

SCHEMES = ("naive", "centred")
RUNAWAY = arb(10) ** 60
"""An enclosure coordinate larger than this (or not finite) ends the recomputation: no certificate needs it."""


def norm_upper(vector: Sequence[arb]) -> arb:
    """An exact upper bound of the Euclidean norm of a vector of balls."""
    total = arb(0)
    for value in vector:
        bound = abs(value).upper()
        total += bound * bound
    return total.sqrt().upper()


def spectral_radius(matrix: arb_mat) -> arb | None:
    """A ball containing max|λ| over the eigenvalues of a 1×1 or 2×2 ball matrix (None for larger ones)."""
    n = matrix.nrows()
    if n == 1:
        return abs(matrix[0, 0])
    if n != 2:
        return None
    trace = matrix[0, 0] + matrix[1, 1]
    det = matrix[0, 0] * matrix[1, 1] - matrix[0, 1] * matrix[1, 0]
    disc = trace * trace - 4 * det
    cases = []
    if not disc < 0:  # real eigenvalues (tr ± √disc)/2 possible
        root = disc.nonnegative_part().sqrt()
        cases.append(abs((trace + root) / 2).max(abs((trace - root) / 2)))
    if not disc > 0:  # a complex pair possible: |λ|² = det
        cases.append(det.nonnegative_part().sqrt())
    value = cases[0]
    for other in cases[1:]:
        value = value.union(other)
    return value


def step_jacobian(problem: Problem, h: arb, box: Sequence[arb]) -> arb_mat:
    """DF = I − h∇²f over a box (raises Undecidable where a branch of the Hessian is not decided)."""
    n = problem.n_variables
    entries = iter(problem.hessian_upper(list(box)))
    hessian = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            hessian[i][j] = hessian[j][i] = next(entries)
    return arb_mat([[(1 if i == j else 0) - h * hessian[i][j] for j in range(n)] for i in range(n)])


class Enclosure:
    """θ_0, θ_1, … on balls by one of :data:`SCHEMES` (module doc); :meth:`advance` returns the next enclosure."""

    def __init__(self, problem: Problem, h: arb, theta: Sequence[arb], scheme: str):
        if scheme not in SCHEMES or (scheme == "centred" and problem.n_variables != 2):
            raise ValueError(f"no enclosure scheme {scheme!r} for {problem.n_variables} variables")
        self.problem, self.h, self.scheme = problem, h, scheme
        self.theta = list(theta)
        self.centre = [t.mid() for t in theta]
        self.radius = norm_upper([t - c for t, c in zip(theta, self.centre)])

    def advance(self) -> list[arb]:
        problem, h = self.problem, self.h
        naive = problem.step(self.theta, h)
        if self.scheme == "centred":
            naive = self._centred(naive)
        self.theta = naive
        return naive

    def _centred(self, naive: list[arb]) -> list[arb]:
        image = self.problem.step(self.centre, self.h)
        centre = [v.mid() for v in image]
        defect = norm_upper([v - c for v, c in zip(image, centre)])
        box = [c + arb(0, 1) * self.radius for c in self.centre]
        try:
            lipschitz = spectral_radius(step_jacobian(self.problem, self.h, box)).upper()
        except Undecidable:
            lipschitz = None
        if lipschitz is not None and lipschitz.is_finite() and (radius := (lipschitz * self.radius + defect).upper()).is_finite():
            ball = [c + arb(0, 1) * radius for c in centre]
            naive = [a.intersection(b) if a.is_finite() else b for a, b in zip(naive, ball)]
            corner = norm_upper([t - c for t, c in zip(naive, centre)])
            self.radius = radius.min(corner).upper() if corner.is_finite() else radius
        else:
            self.radius = norm_upper([t - c for t, c in zip(naive, centre)])
        self.centre = centre
        return naive


def runaway(theta: Sequence[arb]) -> bool:
    """True when a coordinate is not finite or beyond :data:`RUNAWAY` (the recomputation stops there)."""
    return not all(t.is_finite() and abs(t) < RUNAWAY for t in theta)


def minimiser_failures(problem: Problem, low: arb, high: arb) -> list[str]:
    """Why [low, high] does not enclose exactly one zero μ* of ℓ' with ℓ'' > 0 (empty when it does).

    ℓ'(low) < 0 < ℓ'(high), with ℓ' and ℓ'' evaluated on [low, high] with every branch decided (so ℓ' is C¹
    there) and ℓ'' > 0 on it: ℓ' increases strictly and changes sign, so it has exactly one zero in (low, high),
    a strict local minimiser of ℓ.
    """
    if not low < high:
        return ["the minimiser interval is empty or a point"]
    failures = []
    if not (problem.slope(low) < 0 and problem.slope(high) > 0):
        failures.append("ℓ' does not change sign from negative to positive across the minimiser interval")
    try:
        _, curvature = problem.strict_slope_and_curvature(low.union(high))
    except Undecidable:
        return failures + ["a branch of ℓ' or ℓ'' is undecided on the minimiser interval"]
    if not curvature > 0:
        failures.append("ℓ'' is not certainly positive on the minimiser interval")
    return failures
