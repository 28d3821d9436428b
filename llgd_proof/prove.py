"""Computer-assisted proofs for one instance of GD: converges, periodic, or not proved.

:func:`prove` first runs the fast Arb numeric engine (evidence only: it says which proof to try),
then tries to *prove* what it saw, in Arb ball arithmetic from the exact decimal inputs:

* **converges** (f = ℓ(xᵀy), μ certified by sympy as a zero of ℓ'): balls enclosing θ_k are
  iterated (:func:`~llgd_proof.certified.ball_steps`, adaptive precision) until the enclosure of some
  θ_K lies in a region R = {|r| ≤ r̄, q ∈ [a, b]} on which the T6 contraction factor ρ < 1 and
  invariance are certified by interval evaluation (:func:`~llgd_proof.contraction.certify_region`).
  Then |r_k| ≤ ρ^(k−K) r̄ for k ≥ K, and ‖θ_{k+1} − θ_k‖₂ = h|ℓ'(s_k)|√q_k ≤ h·M·√b·|r_k|
  (M ≥ sup|ℓ''| near μ), so θ_k → θ∞ with r∞ = 0 (θ∞ ∈ M) and ‖θ∞ − θ_K‖₂ ≤ E = hM√b r̄/(1 − ρ).
  In one dimension F3 adds x∞² − y∞² = (x_K² − y_K²)·Π(1 − h²ℓ'_k²) ∈ (x_K² − y_K²)·[1 − ε, 1],
  ε = h²M²r̄²/(1 − ρ²), which with x∞y∞ = μ pins θ∞ to a box of width O(r̄²); the two boxes are
  intersected. The EoS ratio is hℓ''(μ)(‖x∞‖² + ‖y∞‖²)/2 (F2) over the limit box.
* **periodic**: the Krawczyk test (:func:`~llgd_proof.certified.krawczyk`) proves a period-p orbit
  in a box; the multiplier (spectral radius of D(F^p)) is enclosed, stable iff its upper end < 1.
* **not-proved** otherwise, with the reason. Nothing is ever claimed from a midpoint or an mpmath
  number; those only choose what to try.

:func:`prove_case` is the entry point for the theorem library (a Case in, a :class:`ProofResult` out).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import sympy
from flint import arb

from .arb_backend import compile_arb, from_decimal, interval_from_strings, interval_strings, upper_string, working_bits
from .certificate import derive_contraction, derive_converges, expansion_holds
from .certified import CentredEnclosure, dyadic, exact_inputs, krawczyk, numeric_descent, widest_radius
from .contraction import certify_region
from .dynamics import Status
from .errors import LlgdInputError, ParameterError
from .losses import S, parse_loss_spec
from .objective import Objective, general_objective, product_objective
from .symbolic import simplify_guarded

OUTCOMES = ("converges", "periodic", "diverges", "not-proved")
DEFAULT_MAX_BITS = 16_384
DEFAULT_TARGET_WIDTH = "1e-25"
START_BITS = 256
RADIUS_THRESHOLD = 1e-6  # a ball wider than this (relative) means: start again with twice the bits


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
    seconds: float = 0.0
    certificate: dict | None = field(default=None, repr=False)

    @property
    def proved(self) -> bool:
        return self.outcome != "not-proved"

    def as_json(self) -> dict:
        data = {
            "outcome": self.outcome,
            "proved": self.proved,
            "reason": self.reason,
            "inputs": self.inputs,
            "steps_enclosed": self.steps_enclosed,
            "bits": self.bits,
            "limit_box": self.limit_box,
            "eos_ratio": self.eos_ratio,
            "imbalance": self.imbalance,
            "rho": self.rho,
            "rate": self.rate,
            "period": self.period,
            "orbit_boxes": self.orbit_boxes,
            "multiplier": self.multiplier,
            "stable": self.stable,
            "threshold": self.threshold,
            "factor": self.factor,
            "seconds": round(self.seconds, 3),
        }
        return data


# -- building the objective from exact inputs (shared with the certificate checker) ----------------
def build_objective(inputs: dict) -> Objective:
    """The objective named by a certificate's or a CLI's inputs (strings only)."""
    if inputs.get("loss") is not None:
        return product_objective(parse_loss_spec(inputs["loss"], mu=inputs.get("mu")), dim=int(inputs.get("dim") or 1))
    if inputs.get("objective") is not None:
        return general_objective(inputs["objective"], list(inputs.get("variables") or []))
    raise LlgdInputError("give a loss (--loss) or an objective (--objective with --vars)")


def certified_minimiser(objective: Objective) -> bool:
    """True when sympy proves ℓ'(μ) = 0 for the loss's μ (a numeric μ is not good enough for a proof)."""
    loss = objective.loss
    value = sympy.piecewise_fold(loss.derivative(1)).subs(S, loss.mu)
    return simplify_guarded(value) == 0


def strict_curvature(objective: Objective):
    """ℓ'' on balls, with straddled branches raising Undecidable (see contraction.region_factors)."""
    cached = objective.__dict__.get("_strict_curvature")
    if cached is None:
        function = compile_arb([S], [objective.loss_derivatives[2]], piecewise="undecidable")
        cached = objective.__dict__["_strict_curvature"] = lambda s: function(s)[0]
    return cached


def validate_inputs(objective: Objective, h: str, init: Sequence[str]) -> None:
    from .arb_backend import from_decimal

    try:
        values = [from_decimal(v) for v in [h, *init]]
    except ValueError as error:
        raise ParameterError(f"proofs need exact decimal inputs: {error}") from None
    if not values[0] > 0:
        raise ParameterError(f"the step h must be a positive number, got {h}")
    if len(init) != objective.n_variables:
        names = ", ".join(map(str, objective.variables))
        raise ParameterError(f"the start needs {objective.n_variables} values ({names}), got {len(init)}")


# -- converges ------------------------------------------------------------------------------------
def limit_enclosure(theta, h, mu, region, dim: int):
    """(limit box, imbalance ball) for θ∞ from the enclosure of θ_K and its certified region (module doc)."""
    radius = (h * region.slope * region.q_high.sqrt() * region.r_bar / (1 - region.rho)).upper()
    box = [t + arb(0, 1) * radius for t in theta]
    x_norm = sum((t * t for t in box[:dim]), arb(0))
    y_norm = sum((t * t for t in box[dim:]), arb(0))
    imbalance = x_norm - y_norm
    tail = (h * region.slope * region.r_bar) * (h * region.slope * region.r_bar)
    if dim == 1 and tail < 1:
        epsilon = (tail / (1 - region.rho * region.rho)).upper()
        d_limit = (theta[0] * theta[0] - theta[1] * theta[1]) * (1 - epsilon).union(arb(1))
        imbalance = imbalance.intersection(d_limit)
        f3 = _balanced_point(d_limit, mu, box)
        if f3 is not None:
            box = [b.intersection(c) for b, c in zip(box, f3)]
    return box, imbalance


def _balanced_point(d, mu, box):
    """The point with x² − y² = d, xy = μ and the signs of ``box`` (None when a sign is undecided)."""
    if mu.is_zero() and mu.is_exact():
        if d > 0 and (box[0] > 0 or box[0] < 0):
            x = d.sqrt() if box[0] > 0 else -d.sqrt()
            return [x, arb(0)]
        if d < 0 and (box[1] > 0 or box[1] < 0):
            y = (-d).sqrt() if box[1] > 0 else -(-d).sqrt()
            return [arb(0), y]
        return None
    if not (box[0] > 0 or box[0] < 0):
        return None
    x_squared = (d + (d * d + 4 * mu * mu).sqrt()) / 2
    x = x_squared.sqrt() if box[0] > 0 else -x_squared.sqrt()
    return [x, mu / x]


def prove_convergence(
    objective: Objective, h_text: str, init: Sequence[str], *, max_steps: int, max_bits: int, target_width: str, start_bits: int = START_BITS, deadline: float = math.inf
):
    """Enclose the run with adaptive precision until a certified region gives a narrow limit box."""
    compiled = objective.compiled("arb")
    curvature = strict_curvature(objective)
    dim = objective.dim or 1
    target = float(target_width)
    bits, reason, last_failure = start_bits, "", ""
    while bits <= max_bits:
        with working_bits(bits):
            h, theta = exact_inputs(h_text, init)
            mu = compiled.minimiser()
            first = None
            blown = False
            scheme = "centred" if objective.n_variables == 2 else "naive"
            enclosure = CentredEnclosure(compiled, compiled.strict_hessian, h, theta) if scheme == "centred" else None
            for k in range(max_steps + 1):
                if k:
                    theta = enclosure.advance() if enclosure is not None else compiled.step(theta, h)
                if k % 64 == 0 and time.perf_counter() > deadline:
                    return None, f"time budget spent at step {k} with {bits} bits"
                scale = 1 + max(abs(float(t.mid())) if t.is_finite() else math.inf for t in theta)
                if not widest_radius(theta) <= RADIUS_THRESHOLD * scale:
                    blown = True
                    break
                residual = sum((theta[i] * theta[dim + i] for i in range(dim)), arb(0)) - mu
                if not abs(residual).upper() < arb("0.5") or k % 4:
                    continue
                stored_strings = [interval_strings(t) for t in theta]  # what the certificate will hold
                stored = [interval_from_strings(pair) for pair in stored_strings]
                r_bar = abs(sum((stored[i] * stored[dim + i] for i in range(dim)), arb(0)) - mu).upper()
                norms = sum((t * t for t in stored), arb(0))
                region = certify_region(curvature, h, mu, r_bar, norms)
                if region is None:
                    continue
                if first is None:
                    first = (k, region)
                candidate = {
                    "inputs": {"h": h_text},
                    "bits": bits,
                    "steps_enclosed": k,
                    "enclosure_scheme": scheme,
                    "enclosure": stored_strings,
                    "region": {"r_bar": upper_string(region.r_bar), "q_window": [interval_strings(region.q_low)[0], interval_strings(region.q_high)[1]]},
                }
                derived, failures = derive_converges(objective, candidate)
                if failures:
                    last_failure = failures[0]
                    if k - first[0] > 2000:
                        break
                    continue
                if max(float(from_decimal(hi) - from_decimal(lo)) for lo, hi in derived["limit_box"]) > target:
                    continue
                return _converged(candidate, derived, first), "θ_K lies in a certified invariant region with ρ < 1"
            if not blown:
                if last_failure:
                    return None, f"the certificate's inequalities fail: {last_failure}"
                return None, f"no certified region with a limit box narrower than {target_width} within {max_steps} steps"
            reason = f"the enclosure widened past {RADIUS_THRESHOLD:g} at step {k} with {bits} bits"
        bits *= 2
    return None, f"precision budget spent ({max_bits} bits): {reason}"


def _converged(candidate: dict, derived: dict, first) -> dict:
    first_step, first_region = first
    epsilon = arb("1e-8")
    ratio = (first_region.r_bar / epsilon).log() / (1 / first_region.rho).log()
    to_epsilon = first_step + (max(0, math.ceil(float(ratio.upper()))) if first_region.r_bar > epsilon else 0)
    facts = {k: v for k, v in candidate.items() if k != "inputs"}
    facts.update(derived)
    facts["rate"] = {
        "K0": first_step,
        "rho": upper_string(first_region.rho, 12),
        "r_K0": upper_string(first_region.r_bar, 12),
        "epsilon": "1e-8",
        "steps_to_epsilon": to_epsilon,
    }
    return facts


def prove_contraction(objective: Objective, h_text: str, init: Sequence[str], approximate, *, max_steps: int, max_bits: int, deadline: float):
    """A general objective: enclose θ_K inside a ball on which F is a certified contraction (certificate.derive_contraction)."""
    compiled = objective.compiled("arb")
    bits, reason = START_BITS, "no contraction ball found around the numeric limit"
    while bits <= max_bits:
        with working_bits(bits):
            h, theta = exact_inputs(h_text, init)
            located = krawczyk(compiled, h, [arb(str(v)) for v in approximate], 1)
            if not located.proved:
                return None, f"no fixed point proved near the numeric limit: {located.reason}"
            centre = located.centre
            ball = None
            for exponent in range(2, 40, 3):
                candidate = {
                    "inputs": {"h": h_text},
                    "bits": bits,
                    "enclosure": [interval_strings(c) for c in centre],
                    "ball": {"centre": [dyadic(c) for c in centre], "radius": f"1e-{exponent}"},
                }
                derived, failures = derive_contraction(objective, candidate)
                if not failures:
                    ball = candidate["ball"]
                    break
            if ball is None:
                return None, reason
            scheme = "centred" if objective.n_variables == 2 else "naive"
            enclosure = CentredEnclosure(compiled, compiled.strict_hessian, h, theta) if scheme == "centred" else None
            for k in range(max_steps + 1):
                if k:
                    theta = enclosure.advance() if enclosure is not None else compiled.step(theta, h)
                if k % 64 == 0 and time.perf_counter() > deadline:
                    return None, f"time budget spent at step {k} with {bits} bits"
                if not all(t.is_finite() for t in theta):
                    break
                if k % 4:
                    continue
                candidate = {
                    "method": "contraction", "inputs": {"h": h_text}, "bits": bits, "steps_enclosed": k,
                    "enclosure_scheme": scheme, "enclosure": [interval_strings(t) for t in theta], "ball": ball,
                }
                derived, failures = derive_contraction(objective, candidate)
                if not failures:
                    facts = {key: value for key, value in candidate.items() if key != "inputs"}
                    facts.update(derived)
                    return facts, "θ_K lies in a ball that F maps into itself with ‖DF‖ < 1 (Banach)"
            reason = f"the enclosure did not enter the contraction ball at {bits} bits"
        bits *= 2
    return None, reason


def prove_divergence(objective: Objective, h_text: str, init: Sequence[str], *, max_steps: int, max_bits: int):
    """One variable: sympy proves |F(x)| ≥ c|x| on |x| ≥ A (c > 1), and the enclosure of some x_K has |x_K| ≥ A."""
    if not objective.gradient[0].is_polynomial(*objective.variables):
        return None, "the numeric run diverges; the divergence certificate needs f' to be a polynomial"
    choice = next(
        ((a, c) for a in ("1", "2", "5", "10", "100", "10000") for c in ("2", "1.5", "1.1") if expansion_holds(objective, h_text, a, c)), None
    )
    if choice is None:
        return None, "the numeric run diverges, but no region |x| ≥ A on which GD expands by a factor c > 1 was found"
    threshold, factor = choice
    compiled = objective.compiled("arb")
    bits = START_BITS
    while bits <= max_bits:
        with working_bits(bits):
            h, theta = exact_inputs(h_text, init)
            for k in range(max_steps + 1):
                if k:
                    theta = compiled.step(theta, h)
                if not theta[0].is_finite():
                    break
                if abs(theta[0]) >= from_decimal(threshold):
                    facts = {"bits": bits, "steps_enclosed": k, "enclosure_scheme": "naive", "enclosure": [interval_strings(theta[0])], "threshold": threshold, "factor": factor}
                    return facts, f"|x_K| ≥ {threshold} and sympy proves |F(x)| ≥ {factor}|x| for |x| ≥ {threshold}"
        bits *= 2
    return None, f"the enclosure did not reach |x| ≥ {threshold} (precision budget {max_bits} bits)"


# -- periodic ---------------------------------------------------------------------------------------
def prove_periodic(objective: Objective, h_text: str, point: Sequence, period: int, *, max_bits: int):
    compiled = objective.compiled("arb")
    bits = START_BITS
    reason = ""
    while bits <= max_bits:
        with working_bits(bits):
            h, _ = exact_inputs(h_text, [])
            centre = [arb(str(v)) for v in point]
            result = krawczyk(compiled, h, centre, period)
            if result.proved:
                facts = {
                    "bits": bits,
                    "period": period,
                    "box": result.box_json,
                    "orbit_boxes": [[interval_strings(c) for c in box] for box in result.boxes],
                    "multiplier": interval_strings(result.multiplier) if result.multiplier is not None else None,
                    "stable": (bool(result.multiplier < 1) if result.multiplier is not None and (result.multiplier < 1 or result.multiplier > 1) else None),
                }
                return facts, f"Krawczyk test for F^{period}(θ) − θ passed"
            reason = result.reason
        bits *= 2
    return None, f"no period-{period} orbit proved: {reason}"


# -- the entry points ---------------------------------------------------------------------------------
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
    """Decide rigorously converges / periodic / not-proved for GD on one instance (module doc).

    ``max_seconds`` bounds the enclosure phase (then: not-proved, "time budget spent").
    """
    start = time.perf_counter()
    deadline = math.inf if max_seconds is None else start + float(max_seconds)
    if (loss is None) == (objective is None) and built is None:
        raise LlgdInputError("give exactly one of a loss or a general objective")
    if not (isinstance(max_steps, int) and max_steps >= 1):
        raise ParameterError(f"the step budget must be a positive integer, got {max_steps}")
    if not (isinstance(max_bits, int) and 64 <= max_bits <= 1_000_000):
        raise ParameterError(f"the precision budget --max-bits must be an integer between 64 and 1000000, got {max_bits}")
    if period is not None and not (isinstance(period, int) and 1 <= period <= 64):
        raise ParameterError(f"the period must be an integer between 1 and 64, got {period}")
    inputs = {
        "loss": loss,
        "mu": None if mu is None else str(mu),
        "dim": int(dim),
        "objective": objective,
        "variables": [v.strip() for v in variables],
        "h": str(h).strip(),
        "init": [str(v).strip() for v in init],
    }
    target = built if built is not None else build_objective(inputs)
    validate_inputs(target, inputs["h"], inputs["init"])

    def finish(outcome, reason, facts=None, certificate=None):
        facts = facts or {}
        result = ProofResult(
            outcome=outcome,
            reason=reason,
            inputs=inputs,
            steps_enclosed=facts.get("steps_enclosed"),
            bits=facts.get("bits"),
            limit_box=facts.get("limit_box"),
            eos_ratio=facts.get("eos_ratio"),
            imbalance=facts.get("imbalance"),
            rho=facts.get("rho"),
            rate=facts.get("rate"),
            period=facts.get("period"),
            orbit_boxes=facts.get("orbit_boxes"),
            multiplier=facts.get("multiplier"),
            stable=facts.get("stable"),
            threshold=facts.get("threshold"),
            factor=facts.get("factor"),
            certificate=certificate,
        )
        result.seconds = time.perf_counter() - start
        return result

    run = numeric_descent(target, inputs["h"], inputs["init"], dps=40, max_steps=max_steps)
    if period is not None and period > 1 or run.status is Status.PERIODIC:
        chosen = period or run.period
        if run.status is not Status.PERIODIC:
            return finish("not-proved", f"the numeric run did not settle on a period-{chosen} orbit ({run.status.value}: {run.reason})")
        facts, reason = prove_periodic(target, inputs["h"], run.orbit[0], chosen, max_bits=max_bits)
        if facts is None:
            return finish("not-proved", reason)
        return finish("periodic", reason, facts, _certificate("periodic", inputs, facts))
    if run.status is Status.CONVERGED:
        if not target.is_product:
            if target.n_variables > 2:
                return finish("not-proved", "convergence proofs for a general objective are implemented for one or two variables")
            facts, reason = prove_contraction(target, inputs["h"], inputs["init"], run.final, max_steps=max_steps, max_bits=max_bits, deadline=deadline)
            if facts is None:
                return finish("not-proved", reason)
            return finish("converges", reason, facts, _certificate("converges", inputs, facts))
        if not certified_minimiser(target):
            return finish("not-proved", f"sympy could not prove ℓ'(μ) = 0 for μ = {target.loss.mu} (a numeric minimiser cannot anchor a proof)")
        # a first guess of the precision from the numeric run: naive balls lose up to ~2 bits a step
        # (the centred enclosure used for two variables loses far fewer)
        guess = START_BITS
        while target.n_variables != 2 and guess < min(max_bits, 2 * run.steps):
            guess *= 2
        facts, reason = prove_convergence(
            target, inputs["h"], inputs["init"], max_steps=max_steps, max_bits=max_bits, target_width=target_width,
            start_bits=min(guess, max_bits), deadline=deadline,
        )
        if facts is None:
            return finish("not-proved", reason)
        return finish("converges", reason, facts, _certificate("converges", inputs, facts))
    if run.status is Status.DIVERGED:
        if target.n_variables != 1 or target.is_product:
            return finish("not-proved", "the numeric run diverges; divergence certificates are implemented for one-variable objectives only")
        facts, reason = prove_divergence(target, inputs["h"], inputs["init"], max_steps=max_steps, max_bits=max_bits)
        if facts is None:
            return finish("not-proved", reason)
        return finish("diverges", reason, facts, _certificate("diverges", inputs, facts))
    return finish("not-proved", f"the numeric run did not settle ({run.status.value}: {run.reason}); nothing to prove")


def prove_case(case, **options) -> ProofResult:
    """Try a proof for a theorem-library :class:`~llgd_proof.theorems.base.Case` (``holds`` proved or only checked)."""
    loss_object = getattr(case, "loss_object", None)
    if loss_object is not None:
        return prove(h=case.h, init=case.init, loss=str(loss_object.expr), dim=case.dim, built=case.build(), **options)
    options.setdefault("max_steps", case.max_steps)
    return prove(
        h=case.h,
        init=case.init,
        loss=case.loss,
        mu=case.mu,
        dim=case.dim,
        objective=case.objective,
        variables=case.variables,
        **options,
    )


def _certificate(outcome: str, inputs: dict, facts: dict) -> dict:
    return {"kind": "llgd-proof-certificate", "version": 1, "outcome": outcome, "inputs": inputs, **facts}
