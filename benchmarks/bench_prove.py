"""Benchmark for issue 9: the time to prove (:func:`llgd_proof.proofs.prover.prove_case`) each T1/T3/T6 default case
with a good loss, and the quartic 2-cycle of A4, measured in one run — and the time the independent checker takes
to recheck each certificate (issue 18), as a ratio to the proof. The speed of the Arb engine against a
hand-written mpmath loop is ``benchmarks/bench_engine_arb.py``.

Run: ``python benchmarks/bench_prove.py [--json]``.
"""

from __future__ import annotations

import argparse
import json
import time

from llgd_proof.analysis.regularity import report_for
from llgd_proof.checker import recheck
from llgd_proof.proofs.prover import prove, prove_case
from llgd_proof.theorems import get_theorem


def default_cases():
    seen = set()
    for theorem_id in ("convergence", "eos", "rate"):
        for case in get_theorem(theorem_id).cases:
            key = (case.loss, case.mu, case.h, case.init, case.dim)
            if key in seen or case.loss is None or report_for(case.build().loss).growth.regularity_class != "good":
                continue
            seen.add(key)
            yield theorem_id, case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    proofs = []

    def timed(theorem_id, description, run):
        start = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        valid = recheck(result.certificate).valid if result.certificate is not None else None
        checked = time.perf_counter() - start
        proofs.append({"theorem": theorem_id, "case": description, "outcome": result.outcome, "steps_enclosed": result.steps_enclosed,
                       "bits": result.bits, "seconds": round(seconds, 3), "recheck_seconds": round(checked, 3), "valid": valid})

    for theorem_id, case in default_cases():
        timed(theorem_id, case.describe(), lambda case=case: prove_case(case))
    timed("A4 (quartic 2-cycle)", "f = (x^2 - 1)^2/4, h = 1.10, start 0.5", lambda: prove(objective="(x**2 - 1)**2/4", variables=["x"], h="1.10", init=["0.5"]))
    total, checking = sum(p["seconds"] for p in proofs), sum(p["recheck_seconds"] for p in proofs)
    report = {"proofs": proofs, "total_prove_seconds": round(total, 2), "total_recheck_seconds": round(checking, 2), "recheck_to_prove": round(checking / total, 3)}
    if args.json:
        print(json.dumps(report))
        return
    print("proofs:")
    for p in proofs:
        print(f"  {p['theorem']:<22} {p['outcome']:<10} {p['seconds']:>7.3f} s  recheck {p['recheck_seconds']:>6.3f} s ({p['valid']})  bits {p.get('bits')}  K {p.get('steps_enclosed')}  {p['case']}")
    print(f"  total {report['total_prove_seconds']} s; recheck {report['total_recheck_seconds']} s ({report['recheck_to_prove']:.3f} of the proof time)")


if __name__ == "__main__":
    main()
