"""``llgd verify``: fixed cases, a budgeted adversarial search, and the refuted variants re-checked.

1. **Fixed** — every current theorem on its built-in cases. Consistency checks (``kind ==
   "consistency"``: they can fail only through arithmetic, e.g. consequences of the exact identity F3) are
   counted apart from the substantive verdicts.
2. **Searched** — every current pointwise theorem that declares a search space (``Theorem.search``) is
   checked on cases drawn by the public hypothesis strategies, seeded, inside a time budget shared equally
   (:func:`~llgd_proof.search.families.search_counterexamples`). Comparative theorems are checked on their cases
   but not searched.
3. **Refuted** — every refuted variant's recorded counterexample is checked again; it must still violate
   the variant (``still_violated``). A counterexample whose run diverges gets a divergence proof attempt
   (:func:`prove_refuted`, at most ``proof_seconds``): "still violated (proved)" when the prover's certificate
   shows GD diverges from it (``proved``, with ``proof``, the ProofResult JSON).
Claims (``claims``: :class:`~llgd_proof.claims.claim.Claim` objects) are checked on their own cases after the fixed
phase; their results join the fixed results (and can violate the report like any current formalisation).

4. **Proved** — every ``holds`` of a converging case of T1, T3, T6, A3, A9 and of a 2-cycle case of A4
   (:data:`PROVABLE`) is tried as a computer-assisted proof (:func:`llgd_proof.proofs.prover.prove_case`, Arb
   balls, at most ``proof_seconds`` each). Each such result's evidence says ``established``: "proved"
   (with ``proof``, the ProofResult JSON) or "checked numerically". A proof counts only when it is
   consistent with the numeric run (:func:`establish`); a rigorous result that contradicts the numbers
   is reported as ``proof_conflict`` and the ``holds`` stays "checked numerically".

The report is ``ok`` when no current formalisation is violated, in phase 1 or 2.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from llgd_proof.claims.claim import Claim, check_claims
from llgd_proof.search.families import SearchReport, search_counterexamples
from llgd_proof.theorems import THEOREMS, CheckResult, Theorem, Verdict, get_theorem

PROVABLE = {  # theorem id -> the numeric status whose ``holds`` a proof can establish
    "convergence": "converged",
    "eos": "converged",
    "rate": "converged",
    "zhu2023-eos-minimum": "converged",
    "ahn2023-eos": "converged",
    "chen-bruna-two-cycle": "periodic",
}
PROVED, CHECKED = "proved", "checked numerically"
DEFAULT_PROOF_SECONDS = 4.0  # per case: nominal seconds of deterministic work (see prove.prove)
DEFAULT_SEARCH_BUDGET = 25.0  # seconds for the whole searched phase; fixed phase ≈ 14 s, so verify ≈ 40 s on a free 2-core machine


def _counts(verdicts) -> dict[str, int]:
    counts = {verdict.value: 0 for verdict in Verdict}
    for verdict in verdicts:
        counts[verdict.value] += 1
    return counts


@dataclass
class RefutedCheck:
    """A refuted variant and its recorded counterexample, checked again."""

    theorem: Theorem
    result: CheckResult
    proof: dict | None = None  # the divergence proof attempt (ProofResult JSON), when one was made

    @property
    def still_violated(self) -> bool:
        return self.result.verdict is Verdict.VIOLATED

    @property
    def proved(self) -> bool:
        """The violation is proved: the run diverged and a certificate proves GD diverges from the counterexample."""
        return self.still_violated and self.proof is not None and self.proof["outcome"] == "diverges"

    def as_json(self) -> dict:
        return {
            "id": self.theorem.id,
            "version": self.theorem.version,
            "replaced_by": self.theorem.replaced_by,
            "note": self.theorem.note,
            "counterexample": self.theorem.counterexample.as_json(),
            "reproduce": self.theorem.reproduce,
            "still_violated": self.still_violated,
            "proved": self.proved,
            **({"proof": self.proof} if self.proof is not None else {}),
            "verdict": self.result.verdict.value,
            "detail": self.result.conclusion.detail,
        }


@dataclass
class VerifyReport:
    """Every phase of ``llgd verify`` (see module doc)."""

    results: list[CheckResult]
    elapsed: float
    searches: list[SearchReport] = field(default_factory=list)
    refuted: list[RefutedCheck] = field(default_factory=list)
    budget_seconds: float = 0.0
    seed: int = 0
    claims: list[str] | None = None  # the names of the claims checked with the library (None: none were given)
    claims_dir: str | None = None  # where they were read from

    @property
    def proved(self) -> int:
        """How many fixed ``holds`` are established by a proof."""
        return sum(1 for r in self.results if r.evidence.get("established") == PROVED)

    @property
    def proof_attempts(self) -> int:
        return sum(1 for r in self.results if "proof" in r.evidence)

    @property
    def violated(self) -> list:
        """Violations of current formalisations: fixed results, then confirmed search counterexamples."""
        fixed = [r for r in self.results if r.verdict is Verdict.VIOLATED and r.theorem.status == "current"]
        return fixed + [v for search in self.searches for v in search.violations if search.theorem.status == "current"]

    def counts(self) -> dict[str, int]:
        """Verdicts of every fixed case (substantive and consistency)."""
        return _counts(r.verdict for r in self.results)

    def fixed_counts(self) -> dict[str, int]:
        return _counts(r.verdict for r in self.results if r.theorem.kind != "consistency")

    def consistency_counts(self) -> dict[str, int]:
        return _counts(r.verdict for r in self.results if r.theorem.kind == "consistency")

    def searched_counts(self) -> dict[str, int]:
        totals = {verdict.value: 0 for verdict in Verdict}
        for search in self.searches:
            for key, value in search.counts.items():
                totals[key] += value
        return totals

    def as_json(self) -> dict:
        claims = {} if self.claims is None else {"claims_dir": self.claims_dir, "claims": list(self.claims)}
        return {
            "ok": not self.violated,
            "counts": self.counts(),
            "proved": self.proved,
            "proof_attempts": self.proof_attempts,
            "fixed": self.fixed_counts(),
            "consistency": self.consistency_counts(),
            "searched": self.searched_counts(),
            "searches": [search.as_json() for search in self.searches],
            "refuted": [check.as_json() for check in self.refuted],
            "budget_seconds": self.budget_seconds,
            "seed": self.seed,
            "elapsed_seconds": round(self.elapsed, 3),
            "results": [r.as_json() for r in self.results],
            **claims,
        }


def provable(result: CheckResult) -> bool:
    """A ``holds`` that :func:`establish` tries to prove (see :data:`PROVABLE`)."""
    wanted = PROVABLE.get(result.theorem.id)
    if wanted is None or result.verdict is not Verdict.HOLDS or result.evidence.get("status") != wanted:
        return False
    return wanted != "periodic" or result.evidence.get("period") == 2


def establish(result: CheckResult, *, max_seconds: float = DEFAULT_PROOF_SECONDS) -> CheckResult:
    """Try a proof for a ``holds`` (:func:`provable`) and record how it is established in its evidence.

    ``evidence["established"]`` is "proved" only when the proof is of the same kind as the numeric run
    (converges for a converged run, a period-2 orbit for a 2-cycle) and its boxes lie within
    √τ·max(1, ‖θ‖) of the numeric limit or orbit points (the distance at which the precision self-check
    calls two stopping points the same); otherwise "checked numerically", with ``proof_conflict`` when a
    proof was found that disagrees. Any other ``holds`` — and every ``holds`` when ``max_seconds`` is 0 — is marked
    "checked numerically" without a try.
    """
    if result.verdict is not Verdict.HOLDS or result.evidence.get("established") == PROVED:
        return result  # (a theorem whose check is itself a proof, e.g. certified basins, says so in its evidence)
    result.evidence["established"] = CHECKED
    if max_seconds <= 0 or not provable(result):
        return result
    from llgd_proof.proofs.prover import prove_case

    proof = prove_case(result.case, max_seconds=max_seconds)
    result.evidence["proof"] = proof.as_json()
    if not proof.proved:
        return result
    conflict = _conflict(result.evidence, proof)
    if conflict:
        result.evidence["proof_conflict"] = conflict
    else:
        result.evidence["established"] = PROVED
    return result


def prove_refuted(check: RefutedCheck, *, max_seconds: float = DEFAULT_PROOF_SECONDS) -> RefutedCheck:
    """Try to prove a still-violated counterexample whose numeric run diverged (nothing else; none when ``max_seconds`` is 0).

    A violation by divergence is what a divergence certificate proves: the theorem claims convergence, and GD
    from the counterexample provably leaves every bounded set."""
    if max_seconds <= 0 or not check.still_violated or check.result.evidence.get("status") != "diverged":
        return check
    from llgd_proof.proofs.prover import prove_case

    check.proof = prove_case(check.theorem.counterexample, max_seconds=max_seconds).as_json()
    return check


def _conflict(evidence: dict, proof) -> str | None:
    """Why a proof does not establish this numeric ``holds`` (None when it does)."""
    import math

    slack = math.sqrt(evidence["tolerance"])

    def near(boxes, point) -> bool:
        size = max([1.0] + [abs(v) for v in point])
        return all(float(lo) - slack * size <= v <= float(hi) + slack * size for (lo, hi), v in zip(boxes, point))

    if evidence["status"] == "converged":
        if proof.outcome != "converges":
            return f"the numeric run converged but the proof says {proof.outcome}"
        if not near(proof.limit_box, evidence["limit"]):
            return "the proved limit box is not at the numeric limit"
        return None
    if proof.outcome != "periodic" or proof.period != 2:
        return f"the numeric run found a 2-cycle but the proof says {proof.outcome} (period {proof.period})"
    for point in evidence["limit"]:
        if not any(near(box, point) for box in proof.orbit_boxes):
            return "a numeric orbit point is not in a proved orbit box"
    return None


def verify(
    theorem_ids: Sequence[str] | None = None,
    progress: Callable[[CheckResult], None] | None = None,
    *,
    budget_seconds: float = DEFAULT_SEARCH_BUDGET,
    seed: int = 0,
    search_progress: Callable[[SearchReport], None] | None = None,
    proof_seconds: float = DEFAULT_PROOF_SECONDS,
    claims: Sequence[Claim] | None = None,
    claims_dir: str | None = None,
) -> VerifyReport:
    """Run the four phases on every theorem (or the named ones), and check ``claims`` on their own cases;
    ``budget_seconds = 0`` skips the search, ``proof_seconds = 0`` the proofs (every ``holds`` is then "checked
    numerically"). ``claims_dir`` only names where the claims came from, for the report."""
    chosen = [get_theorem(i) for i in theorem_ids] if theorem_ids else list(THEOREMS.values())
    current = [t for t in chosen if t.status == "current"]
    start = time.perf_counter()
    results = []
    for theorem in current:
        for case in theorem.cases:
            result = establish(theorem.check(case), max_seconds=proof_seconds)
            results.append(result)
            if progress is not None:
                progress(result)
    if claims is not None:
        results += [establish(result, max_seconds=0) for result in check_claims(claims, progress=progress)]
    searchable = [t for t in current if t.kind == "pointwise" and t.search]
    searches = []
    if budget_seconds > 0 and searchable:
        share = budget_seconds / len(searchable)
        for index, theorem in enumerate(searchable):
            search = search_counterexamples(theorem, budget_seconds=share, seed=seed + index)
            searches.append(search)
            if search_progress is not None:
                search_progress(search)
    refuted = []
    for theorem in chosen:
        if theorem.status == "refuted" and theorem.counterexample is not None:
            check = prove_refuted(RefutedCheck(theorem, theorem.check(theorem.counterexample)), max_seconds=proof_seconds)
            refuted.append(check)
            if progress is not None:
                progress(check.result)
    names = None if claims is None else [claim.name for claim in claims]
    return VerifyReport(results, time.perf_counter() - start, searches, refuted, budget_seconds, seed, names, claims_dir)
