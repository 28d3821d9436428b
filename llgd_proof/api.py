"""The Python API behind every ``llgd`` verb — the same calls the notebooks make.

>>> from llgd_proof import api
>>> objective = api.make_objective(loss="logcosh0")
>>> api.investigate(objective, "0.5", ["0.3", "2.5"]).run.status.value
'converged'
"""

from __future__ import annotations

from collections.abc import Sequence

from .atlas import Box, atlas, atlas_summary, default_cache_dir, run_starts, sweep
from .claims import Claim, ClaimError, load_claim
from .dynamics import DEFAULT_DPS, DEFAULT_MAX_STEPS, gradient_descent, precision_check
from .errors import LlgdInputError
from .families import FamilyReport, family_losses
from .families import check_family as _check_family
from .losses import CATALOG, Loss, catalog_loss, loss_from_expression, parse_loss_spec
from .objective import Objective, general_objective, product_objective
from .phenomena import Investigation, investigate, observe
from .prove import ProofResult, prove, prove_case
from .regularity import RegularityReport
from .strategies import cases as case_strategy
from .strategies import starting_points
from .text import (
    format_atlas,
    format_check,
    format_family,
    format_network,
    format_regularity,
    format_run,
    format_sweep,
    format_theorems,
    format_verify,
)
from .theorems import THEOREMS, Case, CheckResult, Theorem, Verdict, get_theorem
from .verification import DEFAULT_SEARCH_BUDGET, VerifyReport, verify  # fixed, searched and refuted phases

__all__ = [
    "CATALOG",
    "DEFAULT_DPS",
    "DEFAULT_MAX_STEPS",
    "DEFAULT_SEARCH_BUDGET",
    "THEOREMS",
    "atlas_summary",
    "run_starts",
    "Box",
    "Case",
    "CheckResult",
    "Claim",
    "ClaimError",
    "FamilyReport",
    "Investigation",
    "LlgdInputError",
    "Loss",
    "Objective",
    "RegularityReport",
    "Theorem",
    "Verdict",
    "VerifyReport",
    "atlas",
    "catalog_loss",
    "check",
    "check_family",
    "default_cache_dir",
    "format_atlas",
    "format_check",
    "format_family",
    "format_network",
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
    "observe",
    "precision_check",
    "ProofResult",
    "prove",
    "prove_case",
    "regularity",
    "sweep",
    "verify",
]


def make_loss(loss: str | Loss, mu=None) -> Loss:
    """A :class:`Loss` from a catalog spec or an expression in ``s`` (or pass one through)."""
    if isinstance(loss, Loss):
        return loss
    return parse_loss_spec(loss, mu=mu)


def make_objective(
    *,
    loss: str | Loss | None = None,
    mu=None,
    dim: int = 1,
    objective: str | None = None,
    variables: Sequence[str] | None = None,
) -> Objective:
    """f = ℓ(xᵀy) from ``loss`` (with ``dim``), or a general objective from ``objective`` and ``variables``."""
    if (loss is None) == (objective is None):
        raise LlgdInputError("give exactly one of a loss or a general objective")
    if loss is not None:
        return product_objective(make_loss(loss, mu=mu), dim=dim)
    return general_objective(objective, variables or [])


def regularity(loss: str | Loss, mu=None) -> RegularityReport:
    """The closed-form regularity report of theory §3 for ``loss``."""
    return RegularityReport(make_loss(loss, mu=mu))


def check(
    theorem: str | Theorem,
    *,
    h,
    init: Sequence,
    loss: str | None = None,
    mu=None,
    dim: int = 1,
    objective: str | None = None,
    variables: Sequence[str] = (),
    dps: int = 30,
    max_steps: int = DEFAULT_MAX_STEPS,
    parameters: dict | None = None,
    without: Sequence[str] = (),
) -> CheckResult:
    """Check one theorem on one case (``without`` drops named hypotheses)."""
    chosen = get_theorem(theorem) if isinstance(theorem, str) else theorem
    if without:
        chosen = chosen.without(*without)
    if (loss is None) == (objective is None):
        raise LlgdInputError("give exactly one of a loss or a general objective")
    case = Case(
        h=str(h),
        init=tuple(str(v) for v in init),
        loss=loss,
        mu=None if mu is None else str(mu),
        dim=dim,
        objective=objective,
        variables=tuple(v.strip() for v in variables),
        dps=dps,
        max_steps=max_steps,
        parameters=dict(parameters or {}),
    )
    return chosen.check(case)


def check_family(
    theorem: str | Theorem,
    *,
    loss: str,
    ranges: dict | None = None,
    examples: int = 100,
    seed: int = 0,
    without: Sequence[str] = (),
    fraction: tuple[float, float] = (0.05, 0.99),
    x_range: tuple[float, float] = (0.05, 10.0),
    y_range: tuple[float, float] = (0.05, 5.0),
    log_scale: bool = False,
    same_sign: bool = True,
    dps: int = 30,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> FamilyReport:
    """Property-test ``theorem`` over the loss family ``loss`` (with parameter ``ranges``); see :mod:`llgd_proof.families`."""
    chosen = get_theorem(theorem) if isinstance(theorem, str) else theorem
    if without:
        chosen = chosen.without(*without)
    starts = starting_points(x_range=x_range, y_range=y_range, same_sign=same_sign, log_scale=log_scale)
    strategy = case_strategy(family_losses(loss, dict(ranges or {})), fraction=fraction, starts=starts, dps=dps, max_steps=max_steps)
    return _check_family(chosen, strategy, examples=examples, seed=seed)
