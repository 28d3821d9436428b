"""The Python API behind every ``llgd`` verb — the same calls the notebooks make.

>>> from llgd_proof import api
>>> objective = api.make_objective(loss="logcosh0")
>>> api.investigate(objective, "0.5", ["0.3", "2.5"]).run.status.value
'converged'
"""

from __future__ import annotations

from collections.abc import Sequence

from .dynamics import DEFAULT_DPS, DEFAULT_MAX_STEPS, gradient_descent, precision_check
from .errors import LlgdInputError
from .losses import CATALOG, Loss, catalog_loss, loss_from_expression, parse_loss_spec
from .objective import Objective, general_objective, product_objective
from .phenomena import Investigation, investigate, observe
from .regularity import RegularityReport
from .text import format_regularity, format_run

__all__ = [
    "CATALOG",
    "DEFAULT_DPS",
    "DEFAULT_MAX_STEPS",
    "Investigation",
    "Loss",
    "Objective",
    "RegularityReport",
    "catalog_loss",
    "format_regularity",
    "format_run",
    "gradient_descent",
    "investigate",
    "loss_from_expression",
    "make_loss",
    "make_objective",
    "observe",
    "precision_check",
    "regularity",
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
