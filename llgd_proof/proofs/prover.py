"""Computer-assisted proofs for one instance of GD: converges, periodic, diverges, or not proved.

The prover only *proposes*; the independent checker (:mod:`llgd_proof.checker`) derives every number. The
prover runs the fast Arb numeric engine (evidence: it says which proof to try), searches for the choices a
proof needs — the precision, K, a minimiser interval, a region or ball, an orbit box, a divergence threshold —
using the checker's own enclosures and inequalities, and then hands the choices to
:func:`llgd_proof.checker.derive`, which recomputes everything from the exact input strings. The result is
called proved only when that derivation has no failing inequality, so ``llgd recheck`` accepts every
certificate written here, and a bug in this module can cost a proof but never forge one.

* **converges** (f = ℓ(xᵀy)): the minimiser μ* is enclosed in an interval on which ℓ' changes sign and
  ℓ'' > 0 (:func:`locate_minimiser`; a closed-form μ and a numeric one give the same interval); then an
  enclosure of θ_K inside a region R = {|r| ≤ r̄, q ∈ [a, b]} with ρ < 1 (see :mod:`llgd_proof.checker.converges`).
  A general objective of one or two variables: θ_K inside a ball that F contracts (Banach).
* **periodic**: a Krawczyk box around the numeric orbit point.
* **diverges** (one variable, f' a polynomial): |x_K| ≥ A and |F(x)| ≥ c|x| beyond A. For f = ℓ(xy) (two
  variables) with a saturating slope: the saturation lemma of :mod:`llgd_proof.checker.saturation` at θ_K (the
  first s_min of its ladder for which sympy proves the tail facts and h|ℓ'(±s_min)| > √2, then the first K).

**Budgets are deterministic.** ``max_seconds`` is a nominal budget converted to work units
(:data:`WORK_PER_SECOND` ball steps of two variables at 256 bits per nominal second), so the outcome never
depends on the machine's load.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import sympy
from flint import arb

from llgd_proof import checker
from llgd_proof.analysis.contraction import q_window
from llgd_proof.checker.balls import Enclosure, minimiser_failures, norm_upper
from llgd_proof.checker.converges import contraction_derivation, region_derivation
from llgd_proof.checker.diverges import canonical_expansion
from llgd_proof.checker.kernel import MAX_BITS, MAX_STEPS
from llgd_proof.checker.orbits import attraction_derivation
from llgd_proof.checker.problem import Problem, problem_from_inputs
from llgd_proof.checker.saturation import LADDER, saturation_failures, slope_floor, tail_failures
from llgd_proof.engines.stopping import Status
from llgd_proof.errors import ExpressionError, LlgdInputError, ParameterError
from llgd_proof.proofs.certified import dyadic, numeric_descent, orbit_box, refine_centre
from llgd_proof.symbolic.arb import _decimal, exact_fraction, from_decimal, interval_strings, working_bits
from llgd_proof.symbolic.expressions import to_text
from llgd_proof.symbolic.losses import parse_loss_spec
from llgd_proof.symbolic.objective import Objective, general_objective, product_objective
from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_limit

OUTCOMES = ("converges", "periodic", "diverges", "not-proved")
DEFAULT_MAX_BITS = 16_384
DEFAULT_TARGET_WIDTH = "1e-25"
START_BITS = 256
RADIUS_THRESHOLD = 1e-6  # a ball wider than this (relative) means: start again with twice the bits
WORK_PER_SECOND = 4_000
"""Work units per nominal second of ``max_seconds`` (one unit: a ball step of two variables at 256 bits; about what
the reference machine, 2 cores as in CI, does in a second of enclosure search)."""
MINIMISER_GRID = 30
TAIL_SECONDS = 8  # sympy's allowance for the saturation lemma's tail facts at one s_min
WINDOW_TRIES = 24  # q-windows tried at θ_K before the next K (a proof affords more than T6's scan of a run)
"""The minimiser interval is a cell of the grid 10^-30·ℤ (two cells when μ* lies on the grid)."""


@dataclass
class ProofResult:
    """The outcome of :func:`prove` (numbers as decimal interval strings [lo, hi], outward rounded)."""

    outcome: str
    reason: str
    inputs: dict
    steps_enclosed: int | None = None
    bits: int | None = None
    limit_box: list | None = None
    eos_ratio: list | None = None
    imbalance: list | None = None
    rho: str | None = None
    rate: dict | None = None
    period: int | None = None
    orbit_boxes: list | None = None
    multiplier: list | None = None
    stable: bool | None = None
    threshold: str | None = None  # diverges: |x| ≥ threshold is expanded by ``factor`` every step
    factor: str | None = None
    minimiser: list | None = None  # converges (region): the interval holding the zero μ* of ℓ'
    method: str | None = None  # converges: region / contraction; diverges: saturation (two variables) or None
    saturation: dict | None = None  # diverges (saturation): s_min and the lemma's numbers at θ_K
    work: int = 0
    seconds: float = 0.0
    certificate: dict | None = field(default=None, repr=False)

    @property
    def proved(self) -> bool:
        return self.outcome != "not-proved"

    def as_json(self) -> dict:
        names = ("outcome", "proved", "reason", "inputs", "steps_enclosed", "bits", "limit_box", "eos_ratio", "imbalance", "rho", "rate",
                 "period", "orbit_boxes", "multiplier", "stable", "threshold", "factor", "minimiser", "method", "saturation", "work")
        data = {name: getattr(self, name) for name in names}
        data["seconds"] = round(self.seconds, 3)
        return data


class _Budget:
    """A deterministic work budget (module doc)."""

    def __init__(self, max_seconds: float | None):
        self.limit = math.inf if max_seconds is None else float(max_seconds) * WORK_PER_SECOND
        self.spent = 0

    def charge(self, problem: Problem, bits: int, steps: int = 1) -> bool:
        """Count ``steps`` ball steps; False once the budget is spent."""
        self.spent += steps * max(1, bits // 256) * max(1, problem.n_variables // 2)
        return self.spent <= self.limit


# -- building the objective from exact inputs ---------------------------------------------------------------
def build_objective(inputs: dict) -> Objective:
    """The objective named by a CLI's inputs (strings only), for the numeric run."""
    if inputs.get("loss") is not None:
        return product_objective(parse_loss_spec(inputs["loss"], mu=inputs.get("mu")), dim=int(inputs.get("dim") or 1))
    if inputs.get("objective") is not None:
        return general_objective(inputs["objective"], list(inputs.get("variables") or []))
    raise LlgdInputError("give a loss (--loss) or an objective (--objective with --vars)")


def validate_inputs(objective: Objective, h: str, init: Sequence[str]) -> None:
    try:
        values = [from_decimal(v) for v in [h, *init]]
    except ValueError as error:
        raise ParameterError(f"proofs need exact decimal inputs: {error}") from None
    if not values[0] > 0:
        raise ParameterError(f"the step h must be a positive number, got {h}")
    if len(init) != objective.n_variables:
        names = ", ".join(map(str, objective.variables))
        raise ParameterError(f"the start needs {objective.n_variables} values ({names}), got {len(init)}")


def _first_bits(wanted: int, max_bits: int) -> int:
    """The precision to start from: ``wanted`` or the largest power of two within ``max_bits`` (certificates
    carry a power of two; the search doubles it)."""
    return min(wanted, 1 << (max_bits.bit_length() - 1))


def _rounded(value: arb, digits: int, upward: bool) -> str:
    """A short decimal string below (or above) every point of ``value``."""
    end = value.upper() if upward else value.lower()
    return _decimal(exact_fraction(end), digits, upward)


# -- the minimiser ---------------------------------------------------------------------------------------
def locate_minimiser(problem: Problem, approximate: sympy.Expr) -> list[str] | None:
    """[lo, hi]: a cell of the grid 10^-30·ℤ holding the zero μ* of ℓ' near ``approximate`` (exact or numeric).

    Newton's method on midpoints refines the guess; the cell is then read off the certified signs of ℓ' at grid
    points, so the interval depends on μ* alone, not on how μ was found. None when no cell is certified.
    """
    scale = Fraction(10) ** -MINIMISER_GRID
    with working_bits(320):
        guess = arb(str(sympy.N(approximate, 80)))
        for _ in range(60):
            slope, curvature = problem.strict_slope_and_curvature(guess.mid())
            if not curvature.mid() > 0:
                return None
            correction = (slope / curvature).mid()
            guess = (guess - correction).mid()
            if abs(correction) < arb(10) ** -90:
                break
        index = math.floor(exact_fraction(guess.mid()) / scale)

        def sign(k):
            value = problem.slope(arb(k) * arb(10) ** -MINIMISER_GRID)
            return -1 if value < 0 else (1 if value > 0 else 0)

        low, high = index + 1, index
        for _ in range(4):
            if sign(low) < 0:
                break
            low -= 1
        for _ in range(4):
            if sign(high) > 0:
                break
            high += 1
        if not (sign(low) < 0 < sign(high)):
            return None
        pair = [_decimal(Fraction(k) * scale, 40, upward=k == high) for k in (low, high)]
        if minimiser_failures(problem, from_decimal(pair[0]), from_decimal(pair[1])):
            return None
    return pair


# -- converges: the region method -------------------------------------------------------------------------
def _region_choice(problem: Problem, h, mu, theta) -> dict | None:
    """r̄ (three digits, rounded up) and a q-window at θ_K, when the region's inequalities hold there."""
    residual = abs(problem.product(theta) - mu)
    if not residual.upper() < arb("0.5"):
        return None
    r_bar = _rounded(residual.max(arb(10) ** -200), 3, True)
    window = q_window(problem, h, mu, theta, from_decimal(r_bar), tries=WINDOW_TRIES)
    return None if window is None else {"r_bar": r_bar, "q_window": list(window[:2])}


def prove_convergence(problem: Problem, target: Objective, *, max_steps: int, max_bits: int, target_width: str, start_bits: int, budget: _Budget):
    """Choose μ's interval, the precision, K and the regions; the checker derives the certificate."""
    minimiser = locate_minimiser(problem, target.loss.mu)
    if minimiser is None:
        return None, "no interval around μ on which ℓ' changes sign and ℓ'' > 0 was certified"
    target_value = Fraction(target_width)
    bits, reason = start_bits, ""
    scheme = "centred" if problem.n_variables == 2 else "naive"
    while bits <= max_bits:
        with working_bits(bits):
            h = from_decimal(problem.inputs["h"])
            mu = from_decimal(minimiser[0]).union(from_decimal(minimiser[1]))
            theta = [from_decimal(v) for v in problem.inputs["init"]]
            enclosure = Enclosure(problem, h, theta, scheme)
            first = None
            blown = False
            for k in range(max_steps + 1):
                if k:
                    theta = enclosure.advance()
                    if not budget.charge(problem, bits):
                        return None, f"work budget spent at step {k} with {bits} bits"
                scale = 1 + max(abs(float(t.mid())) if t.is_finite() else math.inf for t in theta)
                if not max(float(t.rad()) if t.is_finite() else math.inf for t in theta) <= RADIUS_THRESHOLD * scale:
                    blown = True
                    break
                if k % 4:
                    continue
                region = _region_choice(problem, h, mu, theta)
                if region is None:
                    continue
                if first is None:
                    first = (k, region)
                derived, failures = region_derivation(problem, h, mu, theta, from_decimal(region["r_bar"]), *map(from_decimal, region["q_window"]))
                if failures or "limit_box" not in derived:
                    reason = failures[0] if failures else "no limit box"
                    if k - first[0] > 2000:
                        break
                    continue
                if max(Fraction(hi) - Fraction(lo) for lo, hi in derived["limit_box"]) > target_value:
                    continue
                choices = {
                    "method": "region", "bits": bits, "steps_enclosed": k, "enclosure_scheme": scheme, "minimiser": minimiser, "region": region,
                    "rate": {"K0": first[0], "r_K0": first[1]["r_bar"], "q_window": first[1]["q_window"], "rho": None, "drift_bound": None,
                             "epsilon": None, "steps_to_epsilon": None},
                }
                return choices, "θ_K lies in a certified invariant region with ρ < 1"
            if not blown:
                return None, f"no certified region with a limit box narrower than {target_width} within {max_steps} steps" + (f" ({reason})" if reason else "")
            reason = f"the enclosure widened past {RADIUS_THRESHOLD:g} at step {k} with {bits} bits"
        bits *= 2
    return None, f"precision budget spent ({max_bits} bits): {reason}"


# -- converges: a general objective ------------------------------------------------------------------------
def prove_contraction(problem: Problem, approximate, *, max_steps: int, max_bits: int, budget: _Budget):
    """Find a ball around the fixed point that F contracts, then K with θ_K inside it."""
    bits, reason = _first_bits(START_BITS, max_bits), "no contraction ball found around the numeric limit"
    while bits <= max_bits:
        with working_bits(bits):
            h = from_decimal(problem.inputs["h"])
            centre = refine_centre(problem, h, [arb(str(v)) for v in approximate], 1)
            if centre is None:
                return None, "Newton's method found no fixed point near the numeric limit"
            ball = None
            for exponent in range(2, 40, 3):
                radius = f"1e-{exponent}"
                _, failures = contraction_derivation(problem, h, centre, centre, from_decimal(radius))
                if not failures:
                    ball = {"centre": [dyadic(c) for c in centre], "radius": radius}
                    break
            if ball is None:
                return None, reason
            scheme = "centred" if problem.n_variables == 2 else "naive"
            theta = [from_decimal(v) for v in problem.inputs["init"]]
            enclosure = Enclosure(problem, h, theta, scheme)
            for k in range(max_steps + 1):
                if k:
                    theta = enclosure.advance()
                    if not budget.charge(problem, bits):
                        return None, f"work budget spent at step {k} with {bits} bits"
                if not all(t.is_finite() for t in theta):
                    break
                if k % 4 == 0 and norm_upper([t - c for t, c in zip(theta, centre)]) <= from_decimal(ball["radius"]):
                    choices = {"method": "contraction", "bits": bits, "steps_enclosed": k, "enclosure_scheme": scheme, "ball": ball}
                    return choices, "θ_K lies in a ball that F maps into itself with ‖DF‖ < 1 (Banach)"
            reason = f"the enclosure did not enter the contraction ball at {bits} bits"
        bits *= 2
    return None, reason


# -- diverges ------------------------------------------------------------------------------------------------
def prove_divergence(problem: Problem, *, max_steps: int, max_bits: int, budget: _Budget):
    """One variable: sympy proves |F(x)| ≥ c|x| on |x| ≥ A (c > 1), and the enclosure of some x_K has |x_K| ≥ A."""
    h_text = problem.inputs["h"]
    choice = canonical_expansion(problem, h_text)
    if choice is None:
        return None, "the numeric run diverges, but no region |x| ≥ A on which GD expands by a factor c > 1 was proved (f' must be a polynomial)"
    threshold, factor = choice
    bits = _first_bits(START_BITS, max_bits)
    while bits <= max_bits:
        with working_bits(bits):
            theta = [from_decimal(v) for v in problem.inputs["init"]]
            enclosure = Enclosure(problem, from_decimal(h_text), theta, "naive")
            for k in range(max_steps + 1):
                if k:
                    theta = enclosure.advance()
                    if not budget.charge(problem, bits):
                        return None, f"work budget spent at step {k} with {bits} bits"
                if not theta[0].is_finite():
                    break
                if abs(theta[0]) >= from_decimal(threshold):
                    choices = {"bits": bits, "steps_enclosed": k, "enclosure_scheme": "naive"}
                    return choices, f"|x_K| ≥ {threshold} and sympy proves |F(x)| ≥ {factor}|x| for |x| ≥ {threshold}"
        bits *= 2
    return None, f"the enclosure did not reach |x| ≥ {threshold} (precision budget {max_bits} bits)"


def prove_saturation(problem: Problem, *, max_steps: int, max_bits: int, budget: _Budget):
    """f = ℓ(xy): the first s_min of the ladder with the tail facts proved and h|ℓ'(±s_min)| > √2, then the first K at
    which the saturation lemma's inequalities hold on the enclosure of θ_K (:mod:`llgd_proof.checker.saturation`)."""
    h_text = problem.inputs["h"]
    reason = "the numeric run diverges, but sympy proves the saturation lemma's tail facts for no s_min of the ladder"
    chosen = None
    with working_bits(START_BITS):
        for s_min in LADDER:
            try:  # the checker reads no clock; the prover does not wait minutes on sympy (a μ of 10⁴⁰⁰ can keep a limit busy)
                with time_limit(TAIL_SECONDS, within_budget=False):
                    failures = tail_failures(problem, s_min)
            except TimeLimitExceeded:
                return None, f"the numeric run diverges, but sympy did not decide the saturation lemma's tail facts within {TAIL_SECONDS} s"
            if failures:
                reason = f"the numeric run diverges, but the saturation lemma does not apply: {failures[0]}"
                if "s_min" not in failures[0]:
                    break  # a fact about the whole tail (limits, branches): a larger s_min does not help
                continue
            floor = slope_floor(problem, from_decimal(h_text), s_min)
            if not (floor > 0 and floor * floor > 2):
                reason = f"h|ℓ'| stays below √2 at s_min ≤ {s_min}"
                continue
            chosen = s_min
            break
    if chosen is None:
        return None, reason
    bits = _first_bits(START_BITS, max_bits)
    while bits <= max_bits:
        with working_bits(bits):
            h = from_decimal(h_text)
            theta = [from_decimal(v) for v in problem.inputs["init"]]
            enclosure = Enclosure(problem, h, theta, "centred")
            for k in range(max_steps + 1):
                if k:
                    theta = enclosure.advance()
                    if not budget.charge(problem, bits):
                        return None, f"work budget spent at step {k} with {bits} bits"
                if not all(t.is_finite() for t in theta) or max(t.rad() for t in theta) > arb(2) ** -32 * (1 + max(abs(t) for t in theta)).mid():
                    break
                facts, failures = saturation_failures(problem, h, chosen, theta)
                if not failures:
                    choices = {"method": "saturation", "bits": bits, "steps_enclosed": k, "enclosure_scheme": "centred", "s_min": chosen}
                    return choices, f"the saturation lemma holds at step K = {k} with s_min = {chosen}: |x² − y²| grows by ≥ {facts['growth'][:8]} a step"
                reason = f"the saturation lemma's inequalities do not hold at step {k}: {failures[0]}"
        bits *= 2
    return None, f"{reason} (precision budget {max_bits} bits)"


# -- periodic -----------------------------------------------------------------------------------------------
def prove_periodic(problem: Problem, point: Sequence, period: int, *, max_steps: int, max_bits: int, budget: _Budget):
    """A Krawczyk box around the numeric orbit point (its centre searched by Newton, the test decided by the
    checker), then — when F^p contracts a larger box around it — a K with θ_K inside that box (GD from θ0 converges
    to the orbit)."""
    bits, reason = _first_bits(START_BITS, max_bits), ""
    while bits <= max_bits:
        with working_bits(bits):
            h = from_decimal(problem.inputs["h"])
            result = orbit_box(problem, h, [arb(str(v)) for v in point], period, arb(2) ** -(bits // 2))
            if result.proved:
                choices = {"bits": bits, "period": period, "box": result.box_json, "attraction": _attraction(problem, h, result, period, max_steps, bits, budget)}
                return choices, f"Krawczyk test for F^{period}(θ) − θ passed" + (" and θ_K lies in a box F^p contracts" if choices["attraction"] else "")
            reason = result.reason
        bits *= 2
    return None, f"no period-{period} orbit proved: {reason}"


def _attraction(problem: Problem, h, orbit, period: int, max_steps: int, bits: int, budget: _Budget) -> dict | None:
    first_box = [from_decimal(lo).union(from_decimal(hi)) for lo, hi in orbit.facts["orbit_boxes"][0]]
    radius = next((f"1e-{e}" for e in range(1, 13) if not attraction_derivation(problem, h, orbit.centre, from_decimal(f"1e-{e}"), period, first_box, orbit.centre)[1]), None)
    if radius is None:
        return None
    box = [c + arb(0, 1) * from_decimal(radius) for c in orbit.centre]
    scheme = "centred" if problem.n_variables == 2 else "naive"
    theta = [from_decimal(v) for v in problem.inputs["init"]]
    enclosure = Enclosure(problem, h, theta, scheme)
    for k in range(max_steps + 1):
        if k:
            theta = enclosure.advance()
            if not budget.charge(problem, bits) or not all(t.is_finite() for t in theta):
                return None
        if all(b.contains(t) for b, t in zip(box, theta)):
            return {"steps_enclosed": k, "enclosure_scheme": scheme, "radius": radius, "enclosure": None, "lipschitz": None, "defect": None}
    return None


# -- the entry points -----------------------------------------------------------------------------------------
def prove(
    *,
    h,
    init: Sequence,
    loss: str | None = None,
    mu=None,
    dim: int = 1,
    objective: str | None = None,
    variables: Sequence[str] = (),
    period: int | None = None,
    max_steps: int = 20_000,
    max_bits: int = DEFAULT_MAX_BITS,
    max_seconds: float | None = None,
    target_width: str = DEFAULT_TARGET_WIDTH,
    built: Objective | None = None,
) -> ProofResult:
    """Decide rigorously converges / periodic / diverges / not-proved for GD on one instance (module doc).

    ``max_seconds`` is a nominal, deterministic work budget (then: not-proved, "work budget spent").
    """
    start = time.perf_counter()
    if (loss is None) == (objective is None):
        raise LlgdInputError("give exactly one of a loss or a general objective")
    if not (isinstance(max_steps, int) and 1 <= max_steps <= MAX_STEPS):
        raise ParameterError(f"the step budget must be an integer from 1 to {MAX_STEPS}, got {max_steps}")
    if not (isinstance(max_bits, int) and 64 <= max_bits <= MAX_BITS):
        raise ParameterError(f"the precision budget --max-bits must be an integer between 64 and {MAX_BITS}, got {max_bits}")
    if period is not None and not (isinstance(period, int) and 1 <= period <= 64):
        raise ParameterError(f"the period must be an integer between 1 and 64, got {period}")
    if max_seconds is not None and not (isinstance(max_seconds, (int, float)) and max_seconds >= 0 and math.isfinite(max_seconds)):
        raise ParameterError(f"the proof budget must be a non-negative number of (nominal) seconds, got {max_seconds!r}")
    inputs = {
        "loss": loss,
        "mu": None if mu is None else str(mu).strip(),
        "dim": int(dim),
        "objective": objective,
        "variables": [v.strip() for v in variables] if objective is not None else [],
        "h": str(h).strip(),
        "init": [str(v).strip() for v in init],
    }
    target = built if built is not None else build_objective(inputs)
    validate_inputs(target, inputs["h"], inputs["init"])
    problem = problem_from_inputs(inputs)
    if not problem.is_product:
        try:
            problem.step([arb(0)] * problem.n_variables, arb(0))  # compiles: refuses a gradient with a jump
        except checker.CertificateError as error:
            return ProofResult("not-proved", str(error), inputs)
    budget = _Budget(max_seconds)

    def finish(outcome, reason, certificate=None):
        facts = certificate or {}
        rate = facts.get("rate")
        result = ProofResult(
            outcome=outcome, reason=reason, inputs=inputs, steps_enclosed=facts.get("steps_enclosed"), bits=facts.get("bits"),
            limit_box=facts.get("limit_box"), eos_ratio=facts.get("eos_ratio"), imbalance=facts.get("imbalance"), rho=facts.get("rho"),
            rate=rate, period=facts.get("period"), orbit_boxes=facts.get("orbit_boxes"), multiplier=facts.get("multiplier"),
            stable=facts.get("stable"), threshold=facts.get("threshold"), factor=facts.get("factor"), minimiser=facts.get("minimiser"),
            method=facts.get("method"), saturation=None if "saturation" not in facts else {"s_min": facts["s_min"], **facts["saturation"]},
            work=budget.spent, certificate=certificate,
        )
        result.seconds = time.perf_counter() - start
        return result

    def certify(outcome, choices, reason):
        """The checker derives the certificate from the choices; proved only when no inequality fails."""
        certificate, failures = checker.derive({"kind": checker.KIND, "version": checker.VERSION, "outcome": outcome, "inputs": inputs, **choices})
        if failures:
            return finish("not-proved", f"the checker refuses the proposed certificate: {failures[0]}")
        return finish(outcome, reason, certificate)

    run = numeric_descent(target, inputs["h"], inputs["init"], dps=40, max_steps=max_steps)
    if period is not None and period > 1 or run.status is Status.PERIODIC:
        chosen = period or run.period
        if run.status is not Status.PERIODIC:
            return finish("not-proved", f"the numeric run did not settle on a period-{chosen} orbit ({run.status.value}: {run.reason})")
        if problem.n_variables > 2:
            return finish("not-proved", "orbit proofs are implemented for one or two variables")
        choices, reason = prove_periodic(problem, run.orbit[0], chosen, max_steps=max_steps, max_bits=max_bits, budget=budget)
        return finish("not-proved", reason) if choices is None else certify("periodic", choices, reason)
    if run.status is Status.CONVERGED:
        if not problem.is_product:
            if problem.n_variables > 2:
                return finish("not-proved", "convergence proofs for a general objective are implemented for one or two variables")
            choices, reason = prove_contraction(problem, run.final, max_steps=max_steps, max_bits=max_bits, budget=budget)
        else:
            # a first guess of the precision: naive balls lose up to ~2 bits a step (the centred scheme far fewer)
            guess = START_BITS
            while problem.n_variables != 2 and guess < min(max_bits, 2 * run.steps):
                guess *= 2
            choices, reason = prove_convergence(
                problem, target, max_steps=max_steps, max_bits=max_bits, target_width=target_width, start_bits=_first_bits(guess, max_bits), budget=budget
            )
        return finish("not-proved", reason) if choices is None else certify("converges", choices, reason)
    if run.status is Status.DIVERGED:
        if problem.is_product and problem.dim == 1:
            choices, reason = prove_saturation(problem, max_steps=max_steps, max_bits=max_bits, budget=budget)
            return finish("not-proved", reason) if choices is None else certify("diverges", choices, reason)
        if problem.n_variables != 1 or problem.is_product:
            return finish("not-proved", "the numeric run diverges; divergence certificates are implemented for one variable and for ℓ(xy) only")
        choices, reason = prove_divergence(problem, max_steps=max_steps, max_bits=max_bits, budget=budget)
        return finish("not-proved", reason) if choices is None else certify("diverges", choices, reason)
    return finish("not-proved", f"the numeric run did not settle ({run.status.value}: {run.reason}); nothing to prove")


def prove_case(case, **options) -> ProofResult:
    """Try a proof for a theorem-library :class:`~llgd_proof.theorems.base.Case` (``holds`` proved or only checked)."""
    loss_object = getattr(case, "loss_object", None)
    if loss_object is not None:
        try:
            text = to_text(loss_object.expr)
        except ExpressionError as error:
            inputs = {"loss": str(loss_object.expr), "h": case.h, "init": list(case.init)}
            return ProofResult("not-proved", f"the loss cannot be written exactly for a certificate: {error}", inputs)
        return prove(h=case.h, init=case.init, loss=text, dim=case.dim, built=case.build(), **options)
    options.setdefault("max_steps", case.max_steps)
    return prove(h=case.h, init=case.init, loss=case.loss, mu=case.mu, dim=case.dim, objective=case.objective, variables=case.variables, **options)


__all__ = ["OUTCOMES", "ProofResult", "interval_strings", "locate_minimiser", "prove", "prove_case"]
