"""``llgd verify`` and the text of every verb: the whole library checked (with claim files), and the formatters that
turn a result's ``as_json()`` into the text the CLI prints."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence

from llgd_proof.api._checks import (
    _MISFIT,
    MAX_BUDGET_SECONDS,
    MAX_SEED,
    ArgumentError,
    _callback,
    _formatter,
    _integer,
    _misfit,
    _names,
    _path,
    _real,
    _shown,
)
from llgd_proof.api.runs import get_theorem
from llgd_proof.claims.claim import Claim, load_directory
from llgd_proof.experiments import boundary as _boundary
from llgd_proof.experiments import verification as _verification
from llgd_proof.experiments.verification import DEFAULT_SEARCH_BUDGET, VerifyReport
from llgd_proof.report import text as _formats


def _claims(value) -> tuple[list[Claim] | None, str | None]:
    """Claims for verify: a folder of ``*.toml`` claim files (every file read, and refused, before anything runs) or a
    sequence of loaded claims; returns them and the folder's name."""
    if value is None:
        return None, None
    if isinstance(value, (str, os.PathLike)):
        return load_directory(_path(value, "claims (a folder of claim files)")), os.fspath(value)
    if isinstance(value, Sequence) and all(isinstance(claim, Claim) for claim in value):
        return list(value), None
    raise ArgumentError(f"claims must be a folder of claim files or a list of claims from api.load_claim, got {_shown(value)}")


def verify(
    theorem_ids: Sequence[str] | None = None,
    progress: Callable | None = None,
    *,
    budget_seconds: float = DEFAULT_SEARCH_BUDGET,
    seed: int = 0,
    search_progress: Callable | None = None,
    proof_seconds: float = _verification.DEFAULT_PROOF_SECONDS,
    claims=None,
) -> VerifyReport:
    """Every theorem (or the named ones; a single string is one id): fixed cases, a budgeted search, refuted variants
    re-checked, proofs of the holds that can be proved within ``proof_seconds`` each (0: none tried), and the
    ``claims`` (a folder of claim files, or loaded claims) on their own cases (see :mod:`llgd_proof.experiments.verification`)."""
    _callback(progress, "progress")
    _callback(search_progress, "search_progress")
    chosen = [get_theorem(i) for i in _names(theorem_ids, "the theorem ids")] if theorem_ids is not None else None
    budget = _real(budget_seconds, "the search budget (seconds)", 0, MAX_BUDGET_SECONDS)
    proofs = _real(proof_seconds, "the time for each proof (seconds)", 0, MAX_BUDGET_SECONDS)
    seed = _integer(seed, "the seed", 0, MAX_SEED)
    checked_claims, claims_dir = _claims(claims)
    return _verification.verify(
        [t.id for t in chosen] if chosen is not None else None, progress, budget_seconds=budget, seed=seed,
        search_progress=search_progress, proof_seconds=proofs, claims=checked_claims, claims_dir=claims_dir,
    )


format_atlas = _formatter(_formats.format_atlas)
format_boundary = _formatter(_boundary.format_boundary)
format_check = _formatter(_formats.format_check)
format_family = _formatter(_formats.format_family)
format_network = _formatter(_formats.format_network)
format_proof = _formatter(_formats.format_proof)
format_regularity = _formatter(_formats.format_regularity)
format_run = _formatter(_formats.format_run)
format_sweep = _formatter(_formats.format_sweep)
format_verify = _formatter(_formats.format_verify)


def format_theorems(listing: Sequence[Mapping]) -> str:
    """The text of ``llgd theorems`` from its JSON list (one dict per theorem); an empty list gives ""."""
    if isinstance(listing, (str, bytes, Mapping)) or not isinstance(listing, Sequence) or not all(isinstance(item, Mapping) for item in listing):
        raise ArgumentError(f"format_theorems takes the list of dicts from `llgd theorems --json`, got {_shown(listing)}")
    if not listing:
        return ""
    try:
        return _formats.format_theorems(list(listing))
    except _MISFIT as error:
        raise _misfit("format_theorems", error) from None

