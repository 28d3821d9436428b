"""The theorem library: the seed paper's claims as formalised here (T1–T6) and anchor results (A1–A9).

``THEOREMS`` maps each id to its :class:`~llgd_proof.theorems.base.Theorem`; every module reads
like a page: statement, provenance, hypotheses, conclusion, cases.
"""

from __future__ import annotations

from llgd_proof.errors import UnknownNameError
from llgd_proof.theorems import (
    ahn2023,
    balancing,
    basins,
    catapult,
    chen_bruna,
    convergence,
    descent_lemma,
    eos,
    kreisler,
    lewkowycz2020,
    macdonald,
    pl_rate,
    rate,
    sharpness_bound,
    wang2022,
    zhu2023,
)
from llgd_proof.theorems.base import Case, CheckResult, Theorem, Verdict

_MODULES = [
    convergence, basins, sharpness_bound, eos, balancing, catapult, rate,
    wang2022, lewkowycz2020, zhu2023, chen_bruna, macdonald, descent_lemma, pl_rate, kreisler, ahn2023,
]
THEOREMS: dict[str, Theorem] = {
    theorem.id: theorem for module in _MODULES for theorem in getattr(module, "VERSIONS", (module.THEOREM,))
}  # a module lists every version it keeps in ``VERSIONS`` (current first), or has a single ``THEOREM``

__all__ = ["THEOREMS", "Case", "CheckResult", "Theorem", "Verdict", "get_theorem"]


def get_theorem(theorem_id: str) -> Theorem:
    if theorem_id not in THEOREMS:
        raise UnknownNameError(f"unknown theorem {theorem_id!r}; known: {', '.join(THEOREMS)}")
    return THEOREMS[theorem_id]
