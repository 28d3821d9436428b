"""The Python API behind every ``llgd`` verb — the same calls the notebooks make.

Every function checks its arguments here (one sentence, a subclass of :class:`~llgd_proof.errors.LlgdInputError`)
and hands well-formed values to the layers below; the CLI only parses, calls these and formats.

* losses, objectives, runs and checks — :mod:`.runs` (``make_objective``, ``investigate``, ``check``, ``check_family``,
  ``symbolic_budget``…);
* proofs — :mod:`.proofs` (``prove``, ``prove_case``, ``save_certificate``, ``recheck``, ``proof_latex``);
* certified basins (sets of starts) — :mod:`.basin` (``basin``, ``save_basin_certificate``, ``recheck_basin``, ``basin_figure``,
  ``basin_dataset``, ``save_basin_store``, ``basin_outcome`` — a start of ℓ(xᵀy) in ℝⁿ, through the exact reduction);
* many runs at once — :mod:`.scale` (``atlas``, ``sweep``, ``run_starts``, ``boundary``, ``network``, ``figure``);
* the whole library and the text of every verb — :mod:`.reports` (``verify``, ``format_*``);
* how arguments are checked, and the limits — :mod:`._checks`.

>>> from llgd_proof import api
>>> objective = api.make_objective(loss="logcosh0")
>>> api.investigate(objective, "0.5", ["0.3", "2.5"]).run.status.value
'converged'
"""

from llgd_proof.analysis.regularity import RegularityReport
from llgd_proof.analysis.starts import Box
from llgd_proof.api._checks import ArgumentError
from llgd_proof.api.basin import (
    BasinResult,
    ReducedBasinResult,
    basin,
    basin_dataset,
    basin_figure,
    basin_outcome,
    format_basin,
    recheck_basin,
    save_basin_certificate,
    save_basin_store,
)
from llgd_proof.api.proofs import proof_latex, prove, prove_case, recheck, save_certificate
from llgd_proof.api.reports import (
    format_atlas,
    format_boundary,
    format_check,
    format_family,
    format_network,
    format_proof,
    format_regularity,
    format_run,
    format_sweep,
    format_theorems,
    format_verify,
    verify,
)
from llgd_proof.api.runs import (
    catalog_loss,
    check,
    check_family,
    get_theorem,
    gradient_descent,
    investigate,
    load_claim,
    loss_from_expression,
    make_loss,
    make_objective,
    observe,
    precision_check,
    regularity,
    symbolic_budget,
)
from llgd_proof.api.scale import atlas, atlas_summary, boundary, figure, network, run_starts, sweep
from llgd_proof.checker import RecheckResult
from llgd_proof.claims.claim import Claim
from llgd_proof.claims.conditions import ClaimError
from llgd_proof.engines.phenomena import Investigation
from llgd_proof.engines.precise import DEFAULT_DPS, DEFAULT_MAX_STEPS
from llgd_proof.errors import LlgdInputError, LlgdWarning
from llgd_proof.experiments.boundary import BoundaryMap
from llgd_proof.experiments.networks import NetworkRun
from llgd_proof.experiments.verification import DEFAULT_SEARCH_BUDGET, VerifyReport
from llgd_proof.proofs.prover import ProofResult
from llgd_proof.scale.atlas import AtlasResult
from llgd_proof.scale.store import default_cache_dir
from llgd_proof.search.families import DEFAULT_EXAMPLES, MAX_EXAMPLES, FamilyReport
from llgd_proof.symbolic.losses import CATALOG, Loss
from llgd_proof.symbolic.objective import Objective
from llgd_proof.theorems import THEOREMS, Case, CheckResult, Theorem, Verdict

__all__ = [
    "CATALOG",
    "DEFAULT_DPS",
    "DEFAULT_EXAMPLES",
    "DEFAULT_MAX_STEPS",
    "DEFAULT_SEARCH_BUDGET",
    "MAX_EXAMPLES",
    "THEOREMS",
    "ArgumentError",
    "AtlasResult",
    "BasinResult",
    "BoundaryMap",
    "Box",
    "Case",
    "CheckResult",
    "Claim",
    "ClaimError",
    "FamilyReport",
    "Investigation",
    "LlgdInputError",
    "LlgdWarning",
    "Loss",
    "NetworkRun",
    "Objective",
    "ProofResult",
    "RecheckResult",
    "ReducedBasinResult",
    "RegularityReport",
    "Theorem",
    "Verdict",
    "VerifyReport",
    "atlas",
    "atlas_summary",
    "basin",
    "basin_dataset",
    "basin_figure",
    "basin_outcome",
    "boundary",
    "catalog_loss",
    "check",
    "check_family",
    "default_cache_dir",
    "figure",
    "format_atlas",
    "format_basin",
    "format_boundary",
    "format_check",
    "format_family",
    "format_network",
    "format_proof",
    "format_regularity",
    "format_run",
    "format_sweep",
    "format_theorems",
    "format_verify",
    "get_theorem",
    "gradient_descent",
    "investigate",
    "load_claim",
    "loss_from_expression",
    "make_loss",
    "make_objective",
    "network",
    "observe",
    "precision_check",
    "proof_latex",
    "prove",
    "prove_case",
    "recheck",
    "recheck_basin",
    "regularity",
    "run_starts",
    "save_basin_certificate",
    "save_basin_store",
    "save_certificate",
    "sweep",
    "symbolic_budget",
    "verify",
]
