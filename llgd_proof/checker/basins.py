r"""Certified basins for f = ℓ(xy), x, y ∈ ℝ: re-verify a quadtree of boxes of starts, leaf by leaf.

**The enclosure** of a leaf's (s, d) orbit — coordinates, the mean-value forms, the (u, v) prefix — is in
:mod:`llgd_proof.checker.enclosure`; by induction on k its k-th box contains (s_k, d_k) of every start of the leaf.

**converges.** The certificate's minimiser interval M holds exactly one zero μ* of ℓ' with ℓ'' > 0
(:func:`~llgd_proof.checker.balls.minimiser_failures`). A leaf's region (r̄, [a, b]) is theory T6's
(:func:`~llgd_proof.checker.converges.region_bounds_at`): ρ < 1, |S_K − μ*| ≤ r̄ and Q_K = √(D_K² + 4S_K²)
⊂ [a + D, b − D] make every start of the leaf converge to a minimiser with xy = μ*.

**diverges** (escape lemma, derived). Choices: λ > 0, s_min > 0, β₀ ∈ (0, 1), Q > 0. Hypotheses:

* (H) ℓ'(s) ≥ λs for s ≥ s_min and ℓ'(s) ≤ λs for s ≤ −s_min — ℓ' a polynomial, proved by sympy from the
  nonnegative coefficients of ℓ'(s_min + w) − λ(s_min + w) and of λ(−s_min − w) − ℓ'(−s_min − w) in w;
* with α = artanh β₀, τ = tanh(α/2) = β₀/(1 + √(1 − β₀²)), T₀ = hλQτ/2: (C1) Qτ/2 ≥ s_min, (C2) T₀ ≥ 3,
  (C3) (8/3)·T₀/(T₀² − 1) ≤ α/2.

Claim: if q_K ≥ Q and |β_K| ≥ β₀ (β = 2s/q = tanh a, a = log|u/v| ∈ [−∞, ∞]) then q_k → ∞. Proof: we show
by induction on j ≥ 0 that q_{K+j} ≥ 4^j Q, sign(a_{K+j}) = sign(a_K) and
|a_{K+j}| ≥ |a_K| − Σ_{i<j} 2 artanh(4^{−i}/T₀) (≥ α − α/2 = α/2, by (C3) below). True at j = 0.
Given it at j: |s| = q|β|/2 ≥ Qτ/2 ≥ s_min (C1, as |β| = tanh|a| ≥ tanh(α/2) = τ), so (H) gives
sign t = sign s = sign a and |t| ≥ hλ|s| ≥ 4^j T₀ ≥ 3 (C2). From u⁺ = u(1 − t), v⁺ = v(1 + t):
q⁺ = ((1 − t)²u² + (1 + t)²v²)/2 ≥ (|t| − 1)² q ≥ 4q, and a⁺ = a + log|(1 − t)/(1 + t)| moves a towards 0 by
2 artanh(1/|t|) ≤ 2 artanh(4^{−j}/T₀) (in both sign cases). As artanh z ≤ z/(1 − z²),
Σ_j 2 artanh(4^{−j}/T₀) ≤ (8/3)/(T₀ − 1/T₀) ≤ α/2 (C3), so |a_{K+j+1}| ≥ α − α/2 > 0 with the same sign. Hence
‖θ_{K+j}‖² = q_{K+j} ≥ 4^j Q → ∞. ∎ (u = 0 or v = 0 is a = ∓∞, kept by the step.)

**periodic** (attracting-box lemma, derived). An orbit of the certificate is ``{"period": p, "box": [s₀, s₁, d₀,
d₁]}``, B = [s₀, s₁] × [d₀, d₁] (exact), 1 ≤ p ≤ :data:`MAX_PERIOD`. The checker advances :class:`Enclosure` from
B for p steps (B₀ ⊃ B, B₁, …, B_p; F^j(z) ∈ B_j for z ∈ B) and tests, in Arb:

* (P1) the interval Jacobian J(B_j) exists for j < p (ℓ'' with every branch decided on S_j and q > 0 on B_j, so
  F is C¹ on B_j and ℓ' is continuous on S_j);
* (P2) B_p ⊂ interior B (each bound of B_p strictly inside the exact decimal bound of B);
* (P3) the interval matrix M = J(B_{p−1})⋯J(B₀) has norm L < 1 (upper bounds) in the max norm max(|z_s|, |z_d|)
  (L = maxᵢ Σⱼ |Mᵢⱼ|) or in the max norm scaled by B's half-widths w, max(|z_s|/w_s, |z_d|/w_d)
  (L = maxᵢ Σⱼ |Mᵢⱼ| wⱼ/wᵢ) — either is a norm, and the proof needs one;
* (P4) 0 ∉ ℓ'([s₀, s₁]).

Claim: F^p has exactly one fixed point z* = (s*, d*) in B, and F^{pj}(z) → z* for every z ∈ B. If the enclosure of
a leaf at step K lies in B, then for every start of the leaf GD converges to a periodic orbit that holds no
stationary point: θ_{K+2pj+i} → Φ^i(σθ*) as j → ∞ for every i, where Φ is the GD map, G(θ*) = z*, and the sign
σ ∈ {±1} may depend on the start; this orbit has a period dividing 2p (in (s, d): dividing p), and GD does not
converge (|θ_{k+1} − θ_k| does not tend to 0).

Proof. For z ∈ B the chain rule gives DF^p(z) = J(F^{p−1}z)⋯J(z) ∈ M (P1; F^j(z) ∈ B_j and interval products
enclose products), so ‖DF^p(z)‖ ≤ L in P3's norm. B is convex, so the mean-value inequality along segments gives
‖F^p(a) − F^p(b)‖ ≤ L‖a − b‖ on B; with F^p(B) ⊂ B (P2) Banach's fixed-point theorem gives z* (in the
interior of B) and F^{pj}(z) → z* at rate L^j. Back to θ: with w = x + iy, w² = d + 2is, so G(θ) = (s, d)
determines θ up to sign, and min(|θ − θ*|, |θ + θ*|)² ≤ |w − w*||w + w*| = |w² − w*²| = ‖(d − d*, 2(s − s*))‖₂,
where θ* ≠ 0 is a root of G(θ*) = z* (q* > 0 by P1). Φ is odd (f(−θ) = f(θ)) and G∘Φ = F∘G, so
Φ^p(θ*) = εθ* with ε ∈ {±1}, and Φ^p(−θ*) = −εθ*. Φ^p is continuous on G⁻¹(B) (Φ maps G⁻¹(B_j) into G⁻¹(B_{j+1})
and ℓ' is continuous on S_j, P1): take η ∈ (0, |θ*|] with |Φ^p(θ) − εσθ*| < |θ*| for θ ∈ G⁻¹(B), |θ − σθ*| < η,
σ = ±1. Hence θ_{K+pj} ∈ G⁻¹(B) lies within δ_j → 0 of σ_jθ* for some σ_j ∈ {±1}; once δ_j < η,
θ_{K+p(j+1)} = Φ^p(θ_{K+pj}) is within |θ*| of εσ_jθ* and within η ≤ |θ*| of σ_{j+1}θ*, and these two points are
equal or 2|θ*| apart, so σ_{j+1} = εσ_j. So θ_{K+2pj} → σθ* for one σ, and by continuity
θ_{K+2pj+i} → Φ^i(σθ*); Φ^{2p}(σθ*) = ε²σθ* = σθ*. No point of this orbit is stationary: ∇f(θ) = ℓ'(s)·(y, x)
vanishes only where θ = 0 or ℓ'(s) = 0; σθ* ≠ 0 and ℓ'(s*) ≠ 0 (P4), and a stationary Φ^i(σθ*) would be fixed
by Φ, making σθ* = Φ^{2p−i}(Φ^i(σθ*)) stationary too. So the limit cycle has at least two distinct points and
GD does not converge. ∎ What the (s, d) orbit alone shows — x_k y_k, x_k² − y_k² and ‖θ_k‖² converge along each
residue class k ≡ i (mod p) — needs no sign argument; the sign argument is what lifts it to θ_k itself.
A periodic leaf is therefore disjoint from converges (GD does not converge) and from diverges (θ_k is bounded).

**Certificate** (JSON, ``"kind": "llgd-basin-certificate"``): the inputs (loss, mu, h, box), bits, the
minimiser interval, the escape choices (or null), the orbits (a list, possibly empty, each checked by the
attracting-box lemma), the tree — a node is ``{"split": [four nodes]}`` (children x-low/y-low, x-high/y-low,
x-low/y-high, x-high/y-high, halves at the exact midpoint) or a leaf ``{"outcome": "converges", "steps": K,
"region": {"r_bar", "q_window"}}``, ``{"outcome": "diverges", "steps": K}``, ``{"outcome": "periodic", "steps": K,
"orbit": i}`` (i indexes the orbits; the leaf's enclosure at step K lies in orbit i's box) or ``{"outcome":
"undecided"}`` — and the derived counts and area fractions, which :func:`recheck_basin` recomputes (exact
rationals; the converges, diverges and periodic shares are lower bounds rounded down, the undecided share is
rounded up). Version 2 added the orbits and the periodic outcome; version 1 certificates are refused.


**Pieces.** In place of its region (or orbit) a leaf (and, recursively, a piece) may hold ``"pieces": [n segments]``
(n ∈ :data:`PIECES`): S_K is cut into n intervals (:func:`split_s`) and each piece × D_K is a box of its own,
advanced by a fresh :class:`Enclosure` (from the box, not from the leaf's starts) for the segment's ``steps`` and then tested (or cut again). Every
(s_K, d_K) of the leaf lies in one of the pieces and GD in (s, d) is autonomous, so the leaf's outcome holds
when every piece has it; a narrower S keeps the Jacobian's range, hence the enclosure's growth, small through
the long edge-of-stability oscillation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

import sympy
from flint import arb

from llgd_proof.checker.balls import minimiser_failures
from llgd_proof.checker.converges import region_bounds_at
from llgd_proof.checker.enclosure import Enclosure, advance, jacobian, leaf_box, norm_squared, start_enclosure, times, uv_flight
from llgd_proof.checker.kernel import read_json
from llgd_proof.checker.problem import CertificateError, Problem, from_decimal_checked, problem_from_inputs
from llgd_proof.symbolic.arb import _decimal, working_bits
from llgd_proof.symbolic.expressions import almost_everywhere
from llgd_proof.symbolic.losses import S as LOSS_SYMBOL

KIND = "llgd-basin-certificate"
VERSION = 2
OUTCOMES = ("converges", "diverges", "periodic", "undecided")
INPUT_KEYS = ("loss", "mu", "h", "box")
ESCAPE_KEYS = ("slope_factor", "s_min", "balance", "q_min")
ORBIT_KEYS = ("period", "box")
TOP_KEYS = ("kind", "version", "inputs", "bits", "minimiser", "escape", "orbits", "tree", "leaves", "fractions")
MAX_PERIOD = 8
MAX_ORBITS = 64
TERMINALS = {"converges": {"steps", "region"}, "diverges": {"steps"}, "periodic": {"steps", "orbit"}}
"""The fields of a leaf's last segment, by outcome (a segment is that or ``{steps, pieces}``)."""
MAX_BYTES = 64 * 2**20
MAX_DEPTH = 30
MAX_LEAVES = 1_000_000
MAX_STEPS = 100_000
MAX_WORK = 20_000_000
"""The checker's work bound: (Σ K over the leaves, their (u, v) prefixes and pieces, and the orbits' periods) ×
max(1, bits/128) × the loss's :meth:`~llgd_proof.checker.problem.Problem.basin_cost`, plus one unit per leaf. A
unit is a ball step of a small loss, 0.05–0.2 ms here, so a certificate at the bound takes 20–60 minutes to
recheck; the prover's default depths stay far below it."""
MAX_CORNER_DIGITS = 60
"""Box corners have at most this many significant digits (the halvings of a deep tree add bits of their own)."""
MAX_DEGREE = 32
PIECES = (2, 4, 8, 16)
MAX_FLIGHT_DEPTH = 16
FRACTION_DIGITS = 8


@dataclass
class BasinRecheck:
    valid: bool
    failures: list[str]
    leaves: dict
    fractions: dict

    def as_json(self) -> dict:
        return {"valid": self.valid, "outcome": "basin", "failures": self.failures, "leaves": self.leaves, "fractions": self.fractions}


# -- the outcomes ----------------------------------------------------------------------------------------
def converges_failures(problem: Problem, h: arb, mu: arb, s: arb, d: arb, r_bar: arb, a: arb, b: arb) -> list[str]:
    """Why (S_K, D_K) is not shown inside the T6 region (r̄, [a, b]) (empty when it is)."""
    if not (s.is_finite() and d.is_finite()):
        return ["the enclosure at step K is not finite"]
    _, failures = region_bounds_at(problem, h, mu, s, norm_squared(s, d), r_bar, a, b)
    return failures


def escape_constants(problem: Problem, h: arb, escape: dict) -> tuple[dict, list[str]]:
    """The balls (β₀, Q) of the escape region and why the lemma's hypotheses fail (module doc)."""
    values = {key: from_decimal_checked(escape[key], f"escape {key}") for key in ESCAPE_KEYS}
    slope_factor, s_min, balance, q_min = (values[key] for key in ESCAPE_KEYS)
    if not (slope_factor > 0 and s_min > 0 and balance > 0 and balance < 1 and q_min > 0):
        return values, ["the escape region needs λ > 0, s_min > 0, 0 < β₀ < 1 and Q > 0"]
    failures = growth_failures(problem, escape["slope_factor"], escape["s_min"])
    alpha = balance.atanh()
    tau = balance / (1 + (1 - balance * balance).sqrt())
    growth = h * slope_factor * q_min * tau / 2
    if not q_min * tau / 2 >= s_min:
        failures.append("C1 fails: Q·tanh(α/2)/2 < s_min")
    if not growth >= 3:
        failures.append("C2 fails: T₀ = hλQ·tanh(α/2)/2 < 3")
    elif not 8 * growth / (3 * (growth * growth - 1)) <= alpha / 2:
        failures.append("C3 fails: (8/3)·T₀/(T₀² − 1) > artanh(β₀)/2")
    return values, failures


def growth_failures(problem: Problem, slope_factor: str, s_min: str) -> list[str]:
    """Why sympy cannot prove (H): ℓ'(s) ≥ λs for s ≥ s_min and ℓ'(s) ≤ λs for s ≤ −s_min."""
    derivative = almost_everywhere(sympy.diff(problem.loss, LOSS_SYMBOL))
    if not derivative.is_polynomial(LOSS_SYMBOL) or sympy.degree(derivative, LOSS_SYMBOL) > MAX_DEGREE:
        return [f"escape needs ℓ' to be a polynomial of degree at most {MAX_DEGREE}"]
    factor, start = sympy.Rational(Fraction(slope_factor)), sympy.Rational(Fraction(s_min))
    w = sympy.Symbol("w", nonnegative=True)
    for sign in (1, -1):
        point = sign * (start + w)
        gap = sympy.Poly(sympy.expand(sign * (derivative.subs(LOSS_SYMBOL, point) - factor * point)), w)
        if any(coefficient < 0 for coefficient in gap.all_coeffs()):
            return ["sympy cannot prove ℓ'(s) ≥ λs for s ≥ s_min and ℓ'(s) ≤ λs for s ≤ −s_min (a coefficient is negative)"]
    return []


def escaped(s: arb, d: arb, balance: arb, q_min: arb) -> bool:
    """q_K ≥ Q and |β_K| = |2s/q| ≥ β₀ for every point of the box (the escape lemma's entry condition)."""
    if not (s.is_finite() and d.is_finite()):
        return False
    q = norm_squared(s, d)
    return bool(q >= q_min and abs(2 * s / q) >= balance)


def inside(s: arb, d: arb, bounds: tuple) -> bool:
    """The box S × D lies in the interior of [s₀, s₁] × [d₀, d₁] (``bounds``: balls holding the exact bounds)."""
    s0, s1, d0, d1 = bounds
    return bool(s.is_finite() and d.is_finite() and s0 < s and s < s1 and d0 < d and d < d1)


def orbit_bounds(orbit: dict) -> tuple[arb, arb, arb, arb]:
    """Balls holding the exact bounds s₀, s₁, d₀, d₁ of an orbit's box (at the working precision)."""
    return tuple(from_decimal_checked(value, "orbit box") for value in orbit["box"])


def orbit_failures(problem: Problem, h: arb, orbit: dict) -> list[str]:
    """Why the orbit's box B is not shown to attract a periodic orbit of the (s, d) map — which of P1–P4 of the
    attracting-box lemma (module doc) fails; empty when the lemma applies."""
    bounds = orbit_bounds(orbit)
    s, d = bounds[0].union(bounds[1]), bounds[2].union(bounds[3])
    failures = []
    slope = problem.slope(s)
    if not (slope < 0 or slope > 0):
        failures.append("P4 fails: ℓ' may vanish on the box's s-range (the box may hold a minimiser)")
    enclosure = Enclosure(problem, h, s, d)
    product = (arb(1), arb(0), arb(0), arb(1))
    for j in range(orbit["period"]):
        step = jacobian(problem, h, s, d)
        if step is None:
            return failures + [f"P1 fails: the (s, d) map is not known C¹ on the enclosure at step {j}"]
        product = times(step, product)
        s, d = enclosure.advance()
    if not inside(s, d, bounds):
        failures.append(f"P2 fails: the enclosure of F^{orbit['period']}(B) is not inside the box B")
    m11, m12, m21, m22 = (abs(entry) for entry in product)
    ratio = (bounds[3] - bounds[2]) / (bounds[1] - bounds[0])  # w_d / w_s, the box's aspect
    plain = m11 + m12 < 1 and m21 + m22 < 1
    scaled = m11 + m12 * ratio < 1 and m21 / ratio + m22 < 1
    if not (plain or scaled):
        failures.append("P3 fails: the interval Jacobian of the composed map has norm not below 1 (max norm and box-scaled max norm)")
    return failures


# -- reading the certificate ------------------------------------------------------------------------------
def load_basin(path: str) -> dict:
    """A basin certificate file as JSON (at most :data:`MAX_BYTES`)."""
    return read_json(path, MAX_BYTES)


def basin_problem(inputs) -> tuple[Problem, list[Fraction]]:
    """The problem and the start box [x0, x1, y0, y1] (exact) named by a basin certificate's inputs."""
    if not isinstance(inputs, dict) or set(inputs) != set(INPUT_KEYS):
        raise CertificateError(f"the basin certificate's inputs must have exactly the fields {', '.join(INPUT_KEYS)}")
    box = inputs["box"]
    if not (isinstance(box, list) and len(box) == 4):
        raise CertificateError("the basin certificate's box must be four decimal strings [x0, x1, y0, y1]")
    for value in box:
        from_decimal_checked(value, "box")
        if sum(c.isdigit() for c in value.lower().split("e")[0].lstrip("+-0.")) > MAX_CORNER_DIGITS:
            raise CertificateError(f"the basin certificate's box corners have at most {MAX_CORNER_DIGITS} significant digits")
    corners = [Fraction(value) for value in box]
    if not (corners[0] < corners[1] and corners[2] < corners[3]):
        raise CertificateError("the basin certificate's box needs x0 < x1 and y0 < y1")
    problem = problem_from_inputs({"loss": inputs["loss"], "mu": inputs["mu"], "dim": 1, "objective": None, "variables": [],
                                   "h": inputs["h"], "init": [box[0], box[2]]})
    problem.basin_cost()  # compiles ℓ', ℓ'', ℓ''' now: a loss too large for them is refused before any work
    return problem, corners


def quarters(x0, x1, y0, y1) -> list[tuple]:
    """The four children of the box [x0, x1] × [y0, y1] in the tree's order: x-low/y-low, x-high/y-low, x-low/y-high,
    x-high/y-high, halved at the exact midpoint."""
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    return [(x0, xm, y0, ym), (xm, x1, y0, ym), (x0, xm, ym, y1), (xm, x1, ym, y1)]


def walk(tree, corners: list[Fraction]):
    """(path, leaf, x0, x1, y0, y1) for every leaf of the quadtree, in order (CertificateError if malformed)."""
    stack = [("", tree, *corners)]
    count = 0
    while stack:
        path, node, x0, x1, y0, y1 = stack.pop()
        if not isinstance(node, dict):
            raise CertificateError(f"the basin tree's node {path or 'root'} is not an object")
        if "split" in node:
            children = node["split"]
            if set(node) != {"split"} or not (isinstance(children, list) and len(children) == 4) or len(path) >= MAX_DEPTH:
                raise CertificateError(f"the basin tree's node {path or 'root'} must be {{\"split\": [four nodes]}} within depth {MAX_DEPTH}")
            stack.extend((path + str(i), child, *quarter) for i, child, quarter in reversed(list(zip(range(4), children, quarters(x0, x1, y0, y1)))))
            continue
        count += 1
        if count > MAX_LEAVES:
            raise CertificateError(f"the basin tree has more than {MAX_LEAVES} leaves")
        yield path, node, x0, x1, y0, y1


def _leaf_steps(node: dict, path: str) -> int:
    steps = node.get("steps")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_STEPS:
        raise CertificateError(f"leaf {path or 'root'}: steps must be an integer from 0 to {MAX_STEPS}")
    return steps


def read_orbits(orbits) -> list:
    """The certificate's orbits, each ``{"period": p, "box": [s₀, s₁, d₀, d₁]}`` (CertificateError if malformed)."""
    if not (isinstance(orbits, list) and len(orbits) <= MAX_ORBITS):
        raise CertificateError(f"the basin certificate's orbits must be a list of at most {MAX_ORBITS} orbits")
    for i, orbit in enumerate(orbits):
        if not (isinstance(orbit, dict) and set(orbit) == set(ORBIT_KEYS)):
            raise CertificateError(f"orbit {i} must have exactly the fields {', '.join(ORBIT_KEYS)}")
        period, box = orbit["period"], orbit["box"]
        if isinstance(period, bool) or not isinstance(period, int) or not 1 <= period <= MAX_PERIOD:
            raise CertificateError(f"orbit {i}: the period must be an integer from 1 to {MAX_PERIOD}")
        if not (isinstance(box, list) and len(box) == 4):
            raise CertificateError(f"orbit {i}: the box must be four decimal strings [s0, s1, d0, d1]")
        for value in box:
            from_decimal_checked(value, f"orbit {i} box")
        s0, s1, d0, d1 = (Fraction(value) for value in box)
        if not (s0 < s1 and d0 < d1):
            raise CertificateError(f"orbit {i}: the box [s0, s1, d0, d1] needs s0 < s1 and d0 < d1")
    return orbits


def _leaf_shape(node: dict, path: str, n_orbits: int | None = None) -> int:
    """Check a leaf's fields (its orbit index against ``n_orbits`` when given); returns its ball steps (its (u, v) prefix
    and its pieces' included)."""
    outcome = node.get("outcome")
    if outcome == "undecided":
        if set(node) != {"outcome"}:
            raise CertificateError(f"leaf {path or 'root'}: an undecided leaf has only its outcome")
        return 0
    if outcome not in ("converges", "diverges", "periodic"):
        raise CertificateError(f"leaf {path or 'root'}: a leaf is converges, diverges, periodic or undecided")
    prefix = _uv_steps(node, path)
    flight = {key: value for key, value in node.items() if key not in ("outcome", "uv_steps")}
    return prefix + _flight_shape(flight, outcome, path, 0, n_orbits)


def _uv_steps(node: dict, path: str) -> int:
    if "uv_steps" not in node:
        return 0
    steps = node["uv_steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise CertificateError(f"leaf {path or 'root'}: uv_steps, when present, is an integer from 1 to {MAX_STEPS}")
    return steps


def _flight_shape(node, outcome: str, path: str, level: int, n_orbits: int | None = None) -> int:
    terminal = TERMINALS[outcome]
    if not isinstance(node, dict) or set(node) not in (terminal, {"steps", "pieces"}):
        raise CertificateError(f"leaf {path or 'root'}: a {outcome} segment is {{{', '.join(sorted(terminal))}}} or {{steps, pieces}}")
    steps = _leaf_steps(node, path)
    if "pieces" in node:
        pieces = node["pieces"]
        if not (isinstance(pieces, list) and len(pieces) in PIECES) or level >= MAX_FLIGHT_DEPTH:
            raise CertificateError(f"leaf {path or 'root'}: pieces must be a list of {' or '.join(map(str, PIECES))} segments, nested at most {MAX_FLIGHT_DEPTH} deep")
        return steps + sum(_flight_shape(piece, outcome, path, level + 1, n_orbits) for piece in pieces)
    if outcome == "converges":
        region = node["region"]
        if not (isinstance(region, dict) and set(region) == {"r_bar", "q_window"} and isinstance(region["q_window"], list) and len(region["q_window"]) == 2):
            raise CertificateError(f"leaf {path or 'root'}: the region must be {{\"r_bar\", \"q_window\": [a, b]}}")
    if outcome == "periodic":
        index = node["orbit"]
        if isinstance(index, bool) or not isinstance(index, int) or index < 0 or (n_orbits is not None and index >= n_orbits):
            raise CertificateError(f"leaf {path or 'root'}: the orbit must be the index of one of the certificate's orbits")
    return steps


def split_s(s: arb, n: int) -> list[arb]:
    """n balls covering S (cut at lo + (hi − lo)·i/n; neighbours share the very same cut ball, so no gap)."""
    low, high = s.lower(), s.upper()
    cuts = [low] + [low + (high - low) * i / n for i in range(1, n)] + [high]
    return [cuts[i].union(cuts[i + 1]) for i in range(n)]


def tally(tree, corners: list[Fraction], n_orbits: int | None = None) -> tuple[dict, dict]:
    """Leaf counts and the derived fractions (strings) of the tree (module doc); with ``n_orbits`` the periodic
    leaves' orbit indices are checked against it."""
    counts, fractions, _ = _tally(list(walk(tree, corners)), corners, n_orbits)
    return counts, fractions


def _tally(leaves: list, corners: list[Fraction], n_orbits: int | None) -> tuple[dict, dict, int]:
    """:func:`tally` of the walked leaves, and their ball steps."""
    area = (corners[1] - corners[0]) * (corners[3] - corners[2])
    counts = dict.fromkeys(OUTCOMES, 0)
    shares = dict.fromkeys(OUTCOMES, Fraction(0))
    steps = 0
    for path, node, x0, x1, y0, y1 in leaves:
        steps += _leaf_shape(node, path, n_orbits)
        counts[node["outcome"]] += 1
        shares[node["outcome"]] += (x1 - x0) * (y1 - y0) / area
    fractions = {outcome: _decimal(shares[outcome], FRACTION_DIGITS, upward=outcome == "undecided") for outcome in OUTCOMES}
    return counts, fractions, steps


def check_leaf(problem: Problem, h: arb, mu: arb | None, escape: dict | None, node: dict, box: tuple, orbits: list = ()) -> list[str]:
    """Why one leaf's outcome is not proved (empty when it is): recompute its enclosure and test its regions
    (``orbits``: the :func:`orbit_bounds` of the certificate's orbits, each already checked by :func:`orbit_failures`)."""
    outcome = node["outcome"]
    if outcome == "undecided":
        return []
    if outcome == "converges" and mu is None:
        return ["a converges leaf needs the certificate's minimiser interval"]
    if outcome == "diverges" and escape is None:
        return ["a diverges leaf needs the certificate's escape region"]
    x, y = leaf_box(*box)
    if "uv_steps" in node:
        s, d = uv_flight(problem, h, x, y, node["uv_steps"])
        if not (s.is_finite() and d.is_finite()):
            return [f"the (u, v) enclosure is not finite after {node['uv_steps']} steps"]
        return check_segment(problem, h, mu, escape, outcome, node, s, d, orbits=orbits)
    return check_segment(problem, h, mu, escape, outcome, node, *start_enclosure(x, y), origin=(x, y), orbits=orbits)


def check_segment(problem: Problem, h: arb, mu, escape, outcome: str, node: dict, s: arb, d: arb, origin=None, orbits: list = ()) -> list[str]:
    """K steps of :class:`Enclosure` from the box (s, d); then the region test, or — with ``pieces`` — S_K cut into
    that many pieces (:func:`split_s`), each a segment of its own. Every (s_K, d_K) lies in some piece × D_K, and
    GD in (s, d) is autonomous, so the leaf is proved when every piece is."""
    enclosure = Enclosure(problem, h, s, d, origin)
    for k in range(1, node["steps"] + 1):
        s, d = enclosure.advance()
        if not (s.is_finite() and d.is_finite()):
            return [f"the recomputed enclosure is not finite at step {k}"]
    if "pieces" in node:  # the first failing piece fails the leaf: the rest are not computed
        for i, (piece, child) in enumerate(zip(split_s(s, len(node["pieces"])), node["pieces"])):
            failures = check_segment(problem, h, mu, escape, outcome, child, piece, d, orbits=orbits)
            if failures:
                return [f"piece {i}: {failures[0]}"]
        return []
    if outcome == "periodic":
        index = node["orbit"]
        if not 0 <= index < len(orbits):
            return [f"the certificate has no orbit {index}"]
        return [] if inside(s, d, orbits[index]) else [f"the enclosure at step K is not inside the box of orbit {index}"]
    if outcome == "diverges":
        return [] if escaped(s, d, escape["balance"], escape["q_min"]) else ["the enclosure at step K is not inside the escape region"]
    region = node["region"]
    r_bar = from_decimal_checked(region["r_bar"], "r̄")
    a, b = (from_decimal_checked(v, "q-window") for v in region["q_window"])
    return converges_failures(problem, h, mu, s, d, r_bar, a, b)


def recheck_basin(data, max_failures: int = 20) -> BasinRecheck:
    """Re-verify a basin certificate from its exact inputs and choices (module doc). Malformed input raises CertificateError."""
    if not isinstance(data, dict):
        raise CertificateError("a basin certificate is a JSON object")
    if data.get("kind") != KIND or data.get("version") != VERSION:
        raise CertificateError(f'not an llgd basin certificate of version {VERSION} (expected "kind": "{KIND}", "version": {VERSION})')
    if set(data) != set(TOP_KEYS):
        raise CertificateError(f"a basin certificate has exactly the fields {', '.join(TOP_KEYS)}")
    bits = data["bits"]
    if isinstance(bits, bool) or not isinstance(bits, int) or not 64 <= bits <= 4096 or bits & (bits - 1):
        raise CertificateError("the basin certificate's bits must be a power of two from 64 to 4096")
    problem, corners = basin_problem(data["inputs"])
    orbits = read_orbits(data["orbits"])
    leaves = list(walk(data["tree"], corners))
    counts, fractions, steps = _tally(leaves, corners, len(orbits))
    steps += sum(orbit["period"] for orbit in orbits)
    work = steps * max(1, bits // 128) * problem.basin_cost() + len(leaves)
    if work > MAX_WORK:
        raise CertificateError(f"the basin certificate asks for {work} units of work; the checker does at most {MAX_WORK}")
    failures = []
    for key, derived in (("leaves", counts), ("fractions", fractions)):
        if json.dumps(data[key], sort_keys=True) != json.dumps(derived, sort_keys=True):
            failures.append(f"{key} is {json.dumps(data[key])[:120]} but the checker computes {json.dumps(derived)}")
    try:
        with working_bits(bits):
            h = from_decimal_checked(data["inputs"]["h"], "step h")
            mu, escape = None, None
            if data["minimiser"] is not None:
                low, high = (from_decimal_checked(v, "minimiser") for v in _pair(data["minimiser"], "minimiser"))
                failures += minimiser_failures(problem, low, high)
                mu = low.union(high)
            if data["escape"] is not None:
                if not (isinstance(data["escape"], dict) and set(data["escape"]) == set(ESCAPE_KEYS)):
                    raise CertificateError(f"the escape region has exactly the fields {', '.join(ESCAPE_KEYS)}")
                escape, escape_failures = escape_constants(problem, h, data["escape"])
                failures += [f"escape: {f}" for f in escape_failures]
            for i, orbit in enumerate(orbits):
                failures += [f"orbit {i}: {f}" for f in orbit_failures(problem, h, orbit)]
            bounds = [orbit_bounds(orbit) for orbit in orbits]
            if failures:
                return BasinRecheck(False, failures, counts, fractions)
            for path, node, *box in leaves:
                for failure in check_leaf(problem, h, mu, escape, node, tuple(box), bounds):
                    failures.append(f"leaf {path or 'root'} ({node['outcome']}): {failure}")
                if len(failures) >= max_failures:
                    break
    except (ArithmeticError, ValueError, TypeError, IndexError, KeyError) as error:
        if isinstance(error, CertificateError):
            raise
        raise CertificateError(f"the basin certificate is malformed ({error.__class__.__name__})") from None
    return BasinRecheck(not failures, failures, counts, fractions)


def _pair(value, what: str) -> list:
    if not (isinstance(value, list) and len(value) == 2):
        raise CertificateError(f"the basin certificate's {what} must be a pair of decimal strings [lo, hi]")
    return value


__all__ = ["KIND", "VERSION", "BasinRecheck", "Enclosure", "advance", "check_leaf", "escape_constants", "load_basin", "orbit_failures",
           "recheck_basin", "start_enclosure", "uv_flight"]
