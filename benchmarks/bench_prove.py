"""Benchmarks for issue 9, reported as ratios and times measured in one run.

1. The Arb numeric-mode engine (:func:`llgd_proof.certified.numeric_descent`, with its stopping
   rules: gradient tolerance, divergence bounds, period detection, trajectory record) against a
   hand-written mpmath loop at 50 digits on f = log cosh(xy − 1), h = 0.9, from (20, 0.1) (goal ≥ 5×).
   The full mpmath engine (:func:`llgd_proof.dynamics.gradient_descent`) and a bare Arb loop
   (no stopping rules) are reported beside them, all in steps per second.
2. The time to prove (:func:`llgd_proof.prove.prove_case`) each T1/T3/T6 default case with a good
   loss, and the quartic 2-cycle of A4.

Run: ``python benchmarks/bench_prove.py [--json]``.
"""

from __future__ import annotations

import argparse
import json
import time

import mpmath
from flint import arb

from llgd_proof.arb_backend import working_bits
from llgd_proof.certified import bits_for_digits, numeric_descent
from llgd_proof.dynamics import gradient_descent
from llgd_proof.losses import catalog_loss
from llgd_proof.objective import product_objective
from llgd_proof.prove import prove, prove_case
from llgd_proof.regularity import report_for
from llgd_proof.theorems import get_theorem

STEPS = 4000
TOLERANCE = "1e-45"  # small enough that the engines run ~1400 steps before stopping


def hand_written_mpmath(steps: int) -> float:
    start = time.perf_counter()
    with mpmath.workdps(50):
        x, y, h = mpmath.mpf(20), mpmath.mpf("0.1"), mpmath.mpf("0.9")
        for _ in range(steps):
            d = mpmath.tanh(x * y - 1)
            x, y = x - h * d * y, y - h * d * x
    return steps / (time.perf_counter() - start)


def bare_arb(objective, steps: int) -> float:
    gradient = objective.compiled("arb").gradient
    start = time.perf_counter()
    with working_bits(bits_for_digits(50)):
        x, y, h = arb(20), arb("0.1"), arb("0.9")
        for _ in range(steps):
            gx, gy = gradient(x, y)
            x, y = (x - h * gx).mid(), (y - h * gy).mid()
    return steps / (time.perf_counter() - start)


def engine_rate(engine, objective) -> tuple[float, int]:
    start = time.perf_counter()
    run = engine(objective, "0.9", ["20", "0.1"], dps=50, max_steps=STEPS, tolerance=TOLERANCE)
    return run.steps / (time.perf_counter() - start), run.steps


def best(function, repeats: int = 3):
    return max(function() for _ in range(repeats))


def default_cases():
    seen = set()
    for theorem_id in ("convergence", "eos", "rate"):
        for case in get_theorem(theorem_id).cases:
            key = (case.loss, case.h, case.init, case.dim)
            if key in seen or case.loss is None or report_for(case.build().loss).growth.regularity_class != "good":
                continue
            seen.add(key)
            yield theorem_id, case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    objective = product_objective(catalog_loss("logcosh"))
    objective.compiled("arb"), objective.compiled("mpmath")  # compile outside the timings
    hand = best(lambda: hand_written_mpmath(STEPS))
    arb_engine, arb_steps = max(engine_rate(numeric_descent, objective) for _ in range(3))
    mp_engine, mp_steps = max(engine_rate(lambda *a, **k: gradient_descent(*a, engine="mpmath", **k), objective) for _ in range(3))
    bare = best(lambda: bare_arb(objective, STEPS))
    engines = {
        "hand_written_mpmath_steps_per_s": round(hand),
        "arb_engine_steps_per_s": round(arb_engine),
        "mpmath_engine_steps_per_s": round(mp_engine),
        "bare_arb_loop_steps_per_s": round(bare),
        "arb_engine_over_hand_mpmath": round(arb_engine / hand, 2),
        "arb_engine_over_mpmath_engine": round(arb_engine / mp_engine, 2),
        "bare_arb_over_hand_mpmath": round(bare / hand, 2),
        "steps_run": {"arb": arb_steps, "mpmath": mp_steps},
        "goal": "arb engine >= 5x hand-written mpmath",
    }
    proofs = []
    for theorem_id, case in default_cases():
        start = time.perf_counter()
        result = prove_case(case)
        proofs.append({"theorem": theorem_id, "case": case.describe(), "outcome": result.outcome, "steps_enclosed": result.steps_enclosed, "bits": result.bits, "seconds": round(time.perf_counter() - start, 3)})
    start = time.perf_counter()
    orbit = prove(objective="(x**2 - 1)**2/4", variables=["x"], h="1.10", init=["0.5"])
    proofs.append({"theorem": "A4 (quartic 2-cycle)", "case": "f = (x^2 - 1)^2/4, h = 1.10, start 0.5", "outcome": orbit.outcome, "bits": orbit.bits, "seconds": round(time.perf_counter() - start, 3)})
    report = {"engines": engines, "proofs": proofs, "total_prove_seconds": round(sum(p["seconds"] for p in proofs), 2)}
    if args.json:
        print(json.dumps(report))
        return
    print("engines at 50 digits, log cosh(xy - 1), h = 0.9, from (20, 0.1):")
    for key, value in engines.items():
        print(f"  {key}: {value}")
    print("proofs:")
    for p in proofs:
        print(f"  {p['theorem']:<22} {p['outcome']:<10} {p['seconds']:>7.3f} s  bits {p.get('bits')}  K {p.get('steps_enclosed')}  {p['case']}")
    print(f"  total {report['total_prove_seconds']} s")


if __name__ == "__main__":
    main()
