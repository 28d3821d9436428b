"""Computer-assisted proofs and their certificates: the API behind ``llgd prove``, ``llgd recheck`` and ``check --prove``."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from llgd_proof import checker as _checker
from llgd_proof.api._checks import (
    MAX_BUDGET_SECONDS,
    MAX_STEPS,
    ArgumentError,
    _checked_start,
    _integer,
    _names,
    _optional_integer,
    _options,
    _path,
    _prove_number,
    _real,
    _text,
)
from llgd_proof.engines.precise import DEFAULT_MAX_STEPS
from llgd_proof.proofs import certificate as _certificate
from llgd_proof.proofs import prover as _prove
from llgd_proof.proofs.prover import ProofResult
from llgd_proof.symbolic.objective import MAX_DIM
from llgd_proof.theorems import Case


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
    max_steps: int = DEFAULT_MAX_STEPS,
    max_bits: int = _prove.DEFAULT_MAX_BITS,
    max_seconds: float | None = None,
    **options,
) -> ProofResult:
    """A computer-assisted proof for one instance (see :func:`llgd_proof.proofs.prover.prove`); the arguments are checked here."""
    if (loss is None) == (objective is None):
        raise ArgumentError("give exactly one of a loss or a general objective")
    if loss is not None and tuple(variables or ()):
        raise ArgumentError("variables go with a general objective, not with a loss")
    if objective is not None and mu is not None:
        raise ArgumentError("mu goes with a loss, not with a general objective")
    arguments = {
        "h": _prove_number(h, "the step h", positive=True),
        "init": [_prove_number(v, "each coordinate of the start") for v in _checked_start(init)],
        "loss": _text(loss, "the loss", allow_none=True),
        "mu": None if mu is None else _prove_number(mu, "mu"),
        "dim": _integer(dim, "the dimension", 1, MAX_DIM),
        "objective": _text(objective, "the objective", allow_none=True),
        "variables": _names(variables, "the variables", allow_empty=loss is not None),
        "period": _optional_integer(period, "the period", 1, 64),
        "max_steps": _integer(max_steps, "the step budget", 1, MAX_STEPS),
        "max_bits": _integer(max_bits, "the precision budget max_bits", 64, 1_000_000),
        "max_seconds": None if max_seconds is None else _real(max_seconds, "max_seconds", 0, MAX_BUDGET_SECONDS),
    }
    if "target_width" in options:
        options["target_width"] = _prove_number(options["target_width"], "the target width", positive=True)
    return _prove.prove(**arguments, **_options(options, {"target_width": str}, "api.prove"))


def prove_case(case: Case, **options) -> ProofResult:
    """A proof for a theorem-library :class:`~llgd_proof.theorems.base.Case` (see :func:`llgd_proof.proofs.prover.prove_case`)."""
    if not isinstance(case, Case):
        raise ArgumentError(f"prove_case takes a Case (api.Case or a theorem's cases), got {type(case).__name__}")
    accepted = {
        "period": functools.partial(_optional_integer, what="the period", low=1, high=64),
        "max_steps": functools.partial(_integer, what="the step budget", low=1, high=MAX_STEPS),
        "max_bits": functools.partial(_integer, what="the precision budget max_bits", low=64, high=1_000_000),
        "max_seconds": lambda value: None if value is None else _real(value, "max_seconds", 0, MAX_BUDGET_SECONDS),
        "target_width": lambda value: _prove_number(value, "the target width", positive=True),
    }
    return _prove.prove_case(case, **_options(options, accepted, "api.prove_case"))


def _proof(value) -> ProofResult:
    if not isinstance(value, ProofResult):
        raise ArgumentError(f"expected a ProofResult from api.prove or api.prove_case, got {type(value).__name__}")
    return value


def save_certificate(result: ProofResult, path) -> str:
    """Write the certificate of a proof (JSON, for :func:`recheck` and ``llgd recheck``) to ``path``; returns ``path``.
    A result that proved nothing has no certificate, and is refused."""
    certificate = _proof(result).certificate
    if certificate is None:
        raise ArgumentError(f"this proof result ({result.outcome}) has no certificate to write")
    _checker.write(_path(path, "the certificate file", allow_none=False), certificate)
    return path


def recheck(path) -> _checker.RecheckResult:
    """Re-verify the certificate in the file ``path`` through the independent checker (see :mod:`llgd_proof.checker`)."""
    return _checker.recheck(_checker.load(_path(path, "the certificate file", allow_none=False)))


def proof_latex(result: ProofResult) -> str:
    """The proposition and its computer-assisted proof as a standalone LaTeX document."""
    return _certificate.latex_document(_proof(result))
