"""Re-derive every number of a certificate from its exact strings, and compare: the checker's entry point.

A certificate (JSON, ``"kind": "llgd-proof-certificate"``, ``"version": 2``) holds two kinds of fields:

* **choices** — the inputs, the precision ``bits``, K, the enclosure scheme, the minimiser interval, the
  region (r̄, [a, b]), the T6 step K0 and its region, a contraction ball, an orbit box, a divergence
  threshold and factor: whatever the prover found; any value is allowed, the inequalities decide;
* **derived** — everything else: the enclosure of θ_K, ρ and the other bounds, the limit box, the EoS ratio,
  the imbalance, the T6 step bound, the orbit boxes, the multiplier and the stability flag.

:func:`derive` computes the derived fields from the choices alone (:mod:`.problem`, :mod:`.balls`,
:mod:`.converges`, :mod:`.orbits`, :mod:`.diverges`, :mod:`.saturation`); :func:`recheck` requires the stored certificate to be
exactly that (no missing, extra or changed field) and every inequality to hold. No clock enters a decision;
the work is bounded by the sizes (:data:`MAX_BITS`, :data:`MAX_STEPS`, :data:`MAX_WORK`, :data:`MAX_BYTES`)
and by stopping as soon as a recomputed enclosure runs away.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from fractions import Fraction

from flint import arb

from llgd_proof.checker.balls import SCHEMES, Enclosure, minimiser_failures, runaway
from llgd_proof.checker.converges import EPSILON, contraction_derivation, rate_derivation, region_derivation
from llgd_proof.checker.diverges import canonical_expansion
from llgd_proof.checker.orbits import attraction_derivation, orbit_derivation
from llgd_proof.checker.problem import CertificateError, Problem, from_decimal_checked, problem_from_inputs
from llgd_proof.checker.saturation import saturation_failures, tail_failures
from llgd_proof.symbolic.arb import interval_strings, working_bits

KIND = "llgd-proof-certificate"
VERSION = 2
MAX_BYTES = 4 * 2**20
MAX_BITS = 65_536
MAX_STEPS = 1_000_000
MAX_WORK = 4_000_000
"""K·max(1, bits/256)·(variables/2): about a minute of ball arithmetic at the most."""
MAX_PERIOD = 64

CHOICES = {
    ("converges", "region"): ("steps_enclosed", "enclosure_scheme", "minimiser", "region", "rate"),
    ("converges", "contraction"): ("steps_enclosed", "enclosure_scheme", "ball"),
    ("periodic", None): ("period", "box", "attraction"),
    ("diverges", None): ("steps_enclosed", "enclosure_scheme"),
    ("diverges", "saturation"): ("steps_enclosed", "enclosure_scheme", "s_min"),
}


@dataclass
class RecheckResult:
    valid: bool
    failures: list[str]
    outcome: str

    def as_json(self) -> dict:
        return {"valid": self.valid, "outcome": self.outcome, "failures": self.failures}


# -- reading ------------------------------------------------------------------------------------------
def load(path: str) -> dict:
    """A certificate file as JSON, refusing anything larger than :data:`MAX_BYTES` before parsing it."""
    return read_json(path, MAX_BYTES)


def read_json(path: str, max_bytes: int) -> dict:
    """A certificate file (a regular file, at most ``max_bytes``; a FIFO never blocks) parsed by :func:`loads`."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the open
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise CertificateError(f"{path!r} is not a regular file; a certificate is a JSON file")
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise CertificateError(f"no certificate file {path!r}") from None
    except OSError as error:
        raise CertificateError(f"cannot read the certificate {path!r} ({error.__class__.__name__})") from None
    if len(raw) > max_bytes:
        raise CertificateError(f"{path!r} is larger than {max_bytes // 2**20} MiB; a certificate is a few kilobytes")
    return loads(raw, path)


def loads(raw: bytes | str, name: str = "the certificate") -> dict:
    """Parse certificate text (strict JSON: no NaN or Infinity, integers of at most 4300 digits)."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    def unique(pairs):
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError("a key appears twice")
        return dict(pairs)

    try:
        data = json.loads(raw, parse_constant=refuse, object_pairs_hook=unique)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CertificateError(f"{name!r} is not a readable JSON certificate") from None
    if not isinstance(data, dict):
        raise CertificateError(f"{name!r} is not a JSON object")
    return data


def write(path: str, certificate: dict) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(certificate, handle, indent=1)
        handle.write("\n")


# -- small typed readers (CertificateError on anything else) ---------------------------------------------
def _integer(data: dict, key: str, low: int, high: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CertificateError(f"the certificate's {key} must be an integer from {low} to {high}")
    return value


def _pair(value, what: str) -> tuple[arb, arb]:
    if not (isinstance(value, list) and len(value) == 2):
        raise CertificateError(f"the certificate's {what} must be a pair of decimal strings [lo, hi]")
    return from_decimal_checked(value[0], what), from_decimal_checked(value[1], what)


def _object(data: dict, key: str, keys: tuple[str, ...]) -> dict:
    value = data.get(key)
    if not isinstance(value, dict) or set(value) != set(keys):
        raise CertificateError(f"the certificate's {key} must have exactly the fields {', '.join(keys)}")
    return value


def _dyadic(value, what: str) -> arb:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise CertificateError(f"the certificate's {what} must be a dyadic number [mantissa, exponent] of strings")
    try:
        mantissa, exponent = int(value[0]), int(value[1])
    except ValueError:
        raise CertificateError(f"the certificate's {what} is not a dyadic number") from None
    if len(value[0]) > 10_000 or abs(exponent) > 100_000:
        raise CertificateError(f"the certificate's {what} is out of range")
    return arb(mantissa) * arb(2) ** exponent


def _dyadic_vector(value, what: str, n: int) -> list[arb]:
    if not (isinstance(value, list) and len(value) == n):
        raise CertificateError(f"the certificate's {what} must have {n} coordinates")
    return [_dyadic(v, what) for v in value]


# -- deriving -------------------------------------------------------------------------------------------
def _enclose(problem: Problem, bits: int, data: dict, captures: tuple[int, ...] = ()) -> tuple[dict[int, list], list[str]]:
    """The enclosures of θ_k at k = K and at each of ``captures`` (recomputed from the exact inputs)."""
    steps = _integer(data, "steps_enclosed", 0, MAX_STEPS)
    scheme = data.get("enclosure_scheme")
    if scheme not in SCHEMES or (scheme == "centred" and problem.n_variables != 2):
        raise CertificateError(f"the enclosure scheme must be one of {', '.join(SCHEMES)} (centred for two variables only)")
    if steps * max(1, bits // 256) * max(1, problem.n_variables // 2) > MAX_WORK:
        raise CertificateError(f"K = {steps} steps at {bits} bits is more work than the checker does (K·bits/256 at most {MAX_WORK})")
    h = from_decimal_checked(problem.inputs["h"], "step h")
    theta = [from_decimal_checked(v, "start") for v in problem.inputs["init"]]
    enclosure = Enclosure(problem, h, theta, scheme)
    wanted = set(captures) | {steps}
    found = {0: theta} if 0 in wanted else {}
    for k in range(1, steps + 1):
        theta = enclosure.advance()
        if runaway(theta):
            return found, [f"the recomputed enclosure runs away at step {k} (not finite or beyond 1e60)"]
        if k in wanted:
            found[k] = theta
    return found, []


def _strings(theta: list) -> list:
    return [interval_strings(t) for t in theta]


def derive(data: dict) -> tuple[dict, list[str]]:
    """The certificate that ``data``'s choices determine, and the inequalities that fail (module doc).

    Raises CertificateError when ``data`` is not shaped like a certificate at all.
    """
    if data.get("kind") == KIND and data.get("version") == 1:
        raise CertificateError("this is a version-1 certificate (written before the independent checker; its μ may be a rounded number): run llgd prove again")
    if data.get("kind") != KIND or data.get("version") != VERSION:
        raise CertificateError(f'not an llgd proof certificate of version {VERSION} (expected "kind": "{KIND}", "version": {VERSION})')
    outcome, method = data.get("outcome"), data.get("method")
    if (outcome, method) not in CHOICES:
        raise CertificateError("the certificate's outcome must be converges (method region or contraction), periodic or diverges (method null or saturation)")
    bits = _integer(data, "bits", 64, MAX_BITS)
    if bits & (bits - 1):
        raise CertificateError("the certificate's bits must be a power of two (the prover doubles its precision from 256)")
    problem = problem_from_inputs(data.get("inputs"))
    derived = {key: data.get(key) for key in ("kind", "version", "outcome", "inputs", "bits") + CHOICES[(outcome, method)]}
    if method is not None:
        derived["method"] = method
    try:
        with working_bits(bits):
            if outcome == "converges" and method == "region":
                failures = _derive_region(problem, bits, data, derived)
            elif outcome == "converges":
                failures = _derive_contraction(problem, bits, data, derived)
            elif outcome == "periodic":
                failures = _derive_orbit(problem, bits, data, derived)
            elif method == "saturation":
                failures = _derive_saturation(problem, bits, data, derived)
            else:
                failures = _derive_divergence(problem, bits, data, derived)
    except (ArithmeticError, ValueError, TypeError, IndexError) as error:
        if isinstance(error, CertificateError):
            raise
        raise CertificateError(f"the certificate is malformed ({error.__class__.__name__})") from None
    return derived, failures


def _derive_region(problem: Problem, bits: int, data: dict, derived: dict) -> list[str]:
    if not problem.is_product:
        raise CertificateError("the region method is for f = ℓ(xᵀy)")
    h = from_decimal_checked(problem.inputs["h"], "step h")
    low, high = _pair(data.get("minimiser"), "minimiser")
    failures = minimiser_failures(problem, low, high)
    mu = low.union(high)
    region = _object(data, "region", ("r_bar", "q_window"))
    rate = _object(data, "rate", ("K0", "r_K0", "q_window", "rho", "drift_bound", "epsilon", "steps_to_epsilon"))
    first = _integer(rate, "K0", 0, _integer(data, "steps_enclosed", 0, MAX_STEPS))
    enclosures, runaway_failures = _enclose(problem, bits, data, (first,))
    if runaway_failures:
        return failures + runaway_failures
    theta = enclosures[data["steps_enclosed"]]
    derived["enclosure"] = _strings(theta)
    r_bar, (a, b) = from_decimal_checked(region["r_bar"], "r̄"), _pair(region["q_window"], "q-window")
    facts, inequality_failures = region_derivation(problem, h, mu, theta, r_bar, a, b)
    derived.update(facts)
    r_first, (a_first, b_first) = from_decimal_checked(rate["r_K0"], "r̄ of K0"), _pair(rate["q_window"], "q-window of K0")
    rate_facts, rate_failures = rate_derivation(problem, h, mu, enclosures[first], r_first, a_first, b_first, first)
    derived["rate"] = {"K0": first, "r_K0": rate["r_K0"], "q_window": rate["q_window"], "epsilon": EPSILON, **rate_facts}
    return failures + inequality_failures + [f"T6 (step K0 = {first}): {f}" for f in rate_failures]


def _derive_contraction(problem: Problem, bits: int, data: dict, derived: dict) -> list[str]:
    if problem.is_product:
        raise CertificateError("the contraction method is for a general objective")
    ball = _object(data, "ball", ("centre", "radius"))
    centre = _dyadic_vector(ball["centre"], "ball centre", problem.n_variables)
    radius = from_decimal_checked(ball["radius"], "ball radius")
    enclosures, failures = _enclose(problem, bits, data)
    if failures:
        return failures
    theta = enclosures[data["steps_enclosed"]]
    derived["enclosure"] = _strings(theta)
    facts, failures = contraction_derivation(problem, from_decimal_checked(problem.inputs["h"], "step h"), theta, centre, radius)
    derived.update(facts)
    return failures


def _derive_orbit(problem: Problem, bits: int, data: dict, derived: dict) -> list[str]:
    period = _integer(data, "period", 1, MAX_PERIOD)
    box = _object(data, "box", ("centre", "radius"))
    centre = _dyadic_vector(box["centre"], "box centre", problem.n_variables)
    if box["radius"] != ["1", str(-(bits // 2))]:
        raise CertificateError(f"the orbit box's radius must be 2^-{bits // 2} at {bits} bits, written [\"1\", \"{-(bits // 2)}\"]")
    radius = _dyadic(box["radius"], "box radius")
    h = from_decimal_checked(problem.inputs["h"], "step h")
    facts, failures = orbit_derivation(problem, h, centre, radius, period)
    derived.update(facts)
    attraction = data.get("attraction")
    if attraction is None or failures:
        return failures
    attraction = _object(data, "attraction", ("steps_enclosed", "enclosure_scheme", "radius", "enclosure", "lipschitz", "defect"))
    enclosures, failures = _enclose(problem, bits, attraction)
    if failures:
        return failures
    theta = enclosures[attraction["steps_enclosed"]]
    orbit_box = [from_decimal_checked(lo, "orbit box").union(from_decimal_checked(hi, "orbit box")) for lo, hi in facts["orbit_boxes"][0]]
    bounds, failures = attraction_derivation(
        problem, h, centre, from_decimal_checked(attraction["radius"], "attraction radius"), period, orbit_box, theta
    )
    derived["attraction"] = {key: attraction[key] for key in ("steps_enclosed", "enclosure_scheme", "radius")} | {"enclosure": _strings(theta), **bounds}
    return [f"attraction: {f}" for f in failures]


def _derive_divergence(problem: Problem, bits: int, data: dict, derived: dict) -> list[str]:
    """(A, c) and K are canonical (:mod:`.diverges`): the first proved pair of the ladder, the first step outside."""
    if problem.is_product or problem.n_variables != 1:
        return ["divergence certificates are for objectives of one variable"]
    choice = canonical_expansion(problem, problem.inputs["h"])
    if choice is None:
        return ["sympy proves |F(x)| ≥ c|x| beyond A for no pair (A, c) of the ladder"]
    derived["threshold"], derived["factor"] = choice
    threshold = from_decimal_checked(choice[0], "threshold")
    steps = _integer(data, "steps_enclosed", 0, MAX_STEPS)
    enclosures, failures = _enclose(problem, bits, data, tuple(range(steps)))
    if failures:
        return failures
    derived["enclosure"] = _strings(enclosures[steps])
    if not abs(enclosures[steps][0]) >= threshold:
        return ["the enclosure of x_K is not outside (−A, A)"]
    early = next((k for k in range(steps) if abs(enclosures[k][0]) >= threshold), None)
    if early is not None:
        return [f"K is not the first step outside (−A, A): step {early} already is"]
    return []


def _derive_saturation(problem: Problem, bits: int, data: dict, derived: dict) -> list[str]:
    """f = ℓ(xy): sympy proves the tail facts of ℓ beyond s_min, Arb the lemma's inequalities at θ_K (:mod:`.saturation`)."""
    s_min = data.get("s_min")
    if not (isinstance(s_min, str) and len(s_min) <= 40):
        raise CertificateError("the certificate's s_min must be a decimal string of at most 40 characters")
    if not from_decimal_checked(s_min, "s_min") > 0:
        return ["s_min must be positive"]
    try:
        Fraction(s_min)
    except (ValueError, ZeroDivisionError):
        raise CertificateError("the certificate's s_min is not a decimal number") from None
    failures = tail_failures(problem, s_min)
    if failures:
        return failures
    enclosures, failures = _enclose(problem, bits, data)
    if failures:
        return failures
    theta = enclosures[data["steps_enclosed"]]
    derived["enclosure"] = _strings(theta)
    facts, failures = saturation_failures(problem, from_decimal_checked(problem.inputs["h"], "step h"), s_min, theta)
    derived["saturation"] = facts
    return failures


def recheck(data) -> RecheckResult:
    """Re-verify a certificate from scratch (module doc). Malformed input raises CertificateError."""
    if not isinstance(data, dict):
        raise CertificateError("a certificate is a JSON object")
    derived, failures = derive(data)
    for key in sorted(set(data) | set(derived)):
        if key not in derived:
            failures.append(f"the field {key!r} is not part of a {data['outcome']} certificate")
        elif json.dumps(data.get(key), sort_keys=True) != json.dumps(derived[key], sort_keys=True):  # 1 is not true, 2.0 not 2
            failures.append(f"{key} is {_short(data.get(key))} but the checker computes {_short(derived[key])}")
    return RecheckResult(valid=not failures, failures=failures, outcome=data["outcome"])


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:159] + "…"


__all__ = ["CertificateError", "RecheckResult", "derive", "load", "loads", "recheck", "write"]
