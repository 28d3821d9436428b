"""Losses, objectives, runs and theorem checks: the API behind ``llgd run``, ``regularity``, ``check`` and ``property``."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Mapping, Sequence

from llgd_proof import theorems as _theorems
from llgd_proof.analysis.regularity import RegularityReport
from llgd_proof.api._checks import (
    MAX_BUDGET_SECONDS,
    MAX_DPS,
    MAX_SEED,
    MAX_STEPS,
    MIN_DPS,
    ArgumentError,
    _budget,
    _engine,
    _flag,
    _integer,
    _name,
    _names,
    _number,
    _objective,
    _optional_integer,
    _options,
    _pair,
    _parameters,
    _real,
    _run,
    _scheduler,
    _shown,
    _start,
    _text,
    _theorem,
    _tolerance,
    _within,
)
from llgd_proof.claims.claim import Claim
from llgd_proof.claims.claim import load_claim as _load_claim
from llgd_proof.claims.conditions import ClaimError
from llgd_proof.engines import phenomena as _phenomena
from llgd_proof.engines import precise as _dynamics
from llgd_proof.engines.phenomena import Investigation
from llgd_proof.engines.precise import DEFAULT_DPS, DEFAULT_MAX_STEPS, Run
from llgd_proof.engines.stopping import MAX_PERIOD
from llgd_proof.errors import ResourceLimitError
from llgd_proof.experiments import verification as _verification
from llgd_proof.search.families import DEFAULT_EXAMPLES, MAX_EXAMPLES, FamilyReport, family_losses
from llgd_proof.search.families import check_family as _check_family
from llgd_proof.search.strategies import cases as case_strategy
from llgd_proof.search.strategies import starting_points
from llgd_proof.symbolic import losses as _losses
from llgd_proof.symbolic.losses import Loss, parse_loss_spec
from llgd_proof.symbolic.objective import MAX_DIM, Objective, general_objective, product_objective
from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_budget
from llgd_proof.theorems import Case, CheckResult, Theorem


def symbolic_budget(seconds: float | None = None) -> contextlib.AbstractContextManager:
    """A context in which calls share ``seconds`` of guarded symbolic work (simplify, limit, solveset): once it is spent,
    each such step takes its marked fallback at once (a numeric estimate, an unsimplified form). With or without a
    budget, a computation that runs past its time limit ends in a :class:`~llgd_proof.errors.ResourceLimitError` sentence."""
    return _symbolic_budget(None if seconds is None else _real(seconds, "the symbolic budget (seconds)", 0, MAX_BUDGET_SECONDS))


@contextlib.contextmanager
def _symbolic_budget(seconds: float | None):
    try:
        with contextlib.nullcontext() if seconds is None else time_budget(seconds):
            yield
    except TimeLimitExceeded:
        raise ResourceLimitError("the computation ran past its time limit; try a smaller input (see docs/reference.md, Errors and output)") from None


def make_loss(loss: str | Loss, mu=None) -> Loss:
    """A :class:`Loss` from a catalog spec or an expression in ``s`` (or pass one through)."""
    if isinstance(loss, Loss):
        if mu is not None:
            raise ArgumentError("mu goes with a loss given by name or expression, not with a ready Loss")
        return loss
    return parse_loss_spec(_text(loss, "the loss"), mu=_number(mu, "mu", allow_none=True))


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
        raise ArgumentError("give exactly one of a loss or a general objective")
    if loss is not None:
        if variables is not None:
            raise ArgumentError("variables go with a general objective, not with a loss")
        return product_objective(make_loss(loss, mu=mu), dim=_integer(dim, "the dimension", 1, MAX_DIM))
    if mu is not None or not (isinstance(dim, int) and not isinstance(dim, bool) and dim == 1):
        raise ArgumentError("mu and dim go with a loss, not with a general objective")
    if variables is None:
        raise ArgumentError("a general objective needs its variables, e.g. variables=['x', 'y']")
    return general_objective(_text(objective, "the objective"), _names(variables, "the variables"))


def regularity(loss: str | Loss, mu=None) -> RegularityReport:
    """The closed-form regularity report of theory §3 for ``loss``."""
    return RegularityReport(make_loss(loss, mu=mu))


def get_theorem(theorem_id: str) -> Theorem:
    """The theorem with id ``theorem_id`` (see ``llgd theorems``)."""
    return _theorems.get_theorem(_name(theorem_id, "a theorem id").strip())


def catalog_loss(name: str, **parameters) -> Loss:
    """A catalog loss by name, with parameter overrides (``mu``, ``delta``, ``p``)."""
    return _losses.catalog_loss(
        _name(name, "a catalog loss name"), **{k: _number(v, f"the loss parameter {k}", allow_none=True) for k, v in parameters.items()}
    )


def loss_from_expression(text: str, mu=None, name: str | None = None) -> Loss:
    """Parse ``text`` as ℓ(s) (parameter ``mu`` allowed) and find its global minimiser."""
    return _losses.loss_from_expression(_text(text, "a loss expression"), mu=_number(mu, "mu", allow_none=True), name=_name(name, "the loss name", allow_none=True))


_INVESTIGATE_OPTIONS = {"tolerance": _tolerance, "check": functools.partial(_flag, what="check"), "keep_path": functools.partial(_flag, what="keep_path")}


def investigate(objective: Objective, h, init: Sequence, *, dps: int = DEFAULT_DPS, max_steps: int = DEFAULT_MAX_STEPS, **options) -> Investigation:
    """Run high-precision GD, repeat it at higher precision and observe it (see :mod:`llgd_proof.engines.phenomena`).

    Options: ``tolerance`` (in (0, 1); default 10^(−dps/3)), ``check`` (the precision repeat, default True), ``keep_path``."""
    arguments = _objective(objective), _number(h, "the step h", positive=True), _start(init)
    budget, checked = _budget(dps, max_steps), _options(options, _INVESTIGATE_OPTIONS, "api.investigate")
    with _within("the run"):
        return _phenomena.investigate(*arguments, **budget, **checked)


_DESCENT_OPTIONS = {
    "tolerance": _tolerance,
    "keep_path": functools.partial(_flag, what="keep_path"),
    "max_period": functools.partial(_integer, what="max_period", low=2, high=MAX_PERIOD),
    "mark_step": functools.partial(_optional_integer, what="mark_step", low=0, high=MAX_STEPS),
    "engine": _engine,
}


def gradient_descent(objective: Objective, h, init: Sequence, *, dps: int = DEFAULT_DPS, max_steps: int = DEFAULT_MAX_STEPS, **options) -> Run:
    """One high-precision GD run (see :func:`llgd_proof.engines.precise.gradient_descent`).

    Options: ``tolerance``, ``keep_path``, ``max_period`` (2…64), ``mark_step``, ``engine`` ("arb" or "mpmath")."""
    arguments = _objective(objective), _number(h, "the step h", positive=True), _start(init)
    budget, checked = _budget(dps, max_steps), _options(options, _DESCENT_OPTIONS, "api.gradient_descent")
    with _within("the run"):
        return _dynamics.gradient_descent(*arguments, **budget, **checked)


_PRECISION_OPTIONS = {
    "extra_digits": functools.partial(_optional_integer, what="extra_digits", low=1, high=MAX_DPS),
    "max_steps": functools.partial(_optional_integer, what="the step budget", low=1, high=2 * MAX_STEPS + 1000),
}


def precision_check(run: Run, objective: Objective, **options):
    """The same run repeated at higher precision: does it tell the same story? Options: ``extra_digits``, ``max_steps``."""
    arguments = _run(run), _objective(objective)
    with _within("the precision check"):
        return _dynamics.precision_check(*arguments, **_options(options, _PRECISION_OPTIONS, "api.precision_check"))


_OBSERVE_OPTIONS = {
    "trace_points": functools.partial(_integer, what="trace_points", low=1, high=10_000),
    "balance_fraction": functools.partial(_real, what="the balance fraction", low=0, high=1, open_low=True, open_high=True),
}


def observe(objective: Objective, run: Run, **options):
    """What ``run`` did on ``objective`` (sharpness, catapult, balancing…). Options: ``trace_points``, ``balance_fraction``."""
    arguments = _objective(objective), _run(run)
    return _phenomena.observe(*arguments, **_options(options, _OBSERVE_OPTIONS, "api.observe"))


def check(
    theorem: str | Theorem | Claim,
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
    prove: bool = False,
) -> CheckResult:
    """Check one theorem (an id, a Theorem, or a Claim from :func:`load_claim`) on one case; ``without`` drops named
    hypotheses. A ``holds`` says how it is established: with ``prove`` a computer-assisted proof is tried (see
    :func:`llgd_proof.experiments.verification.establish`), without it the holds is "checked numerically"."""
    chosen = _theorem(theorem)
    dropped = _names(without, "without", allow_empty=True)
    if dropped:
        chosen = chosen.without(*dropped)
    if (loss is None) == (objective is None):
        raise ArgumentError("give exactly one of a loss or a general objective")
    if loss is not None and tuple(variables or ()):
        raise ArgumentError("variables go with a general objective, not with a loss")
    case = Case(
        h=_number(h, "the step h", positive=True),
        init=tuple(_start(init)),
        loss=_text(loss, "the loss", allow_none=True),
        mu=_number(mu, "mu", allow_none=True),
        dim=_integer(dim, "the dimension", 1, MAX_DIM),
        objective=_text(objective, "the objective", allow_none=True),
        variables=tuple(_names(variables, "the variables", allow_empty=loss is not None)),
        dps=_integer(dps, "the precision dps", MIN_DPS, MAX_DPS),
        max_steps=_integer(max_steps, "the step budget", 1, MAX_STEPS),
        parameters=_parameters(parameters),
    )
    proof_seconds = _verification.DEFAULT_PROOF_SECONDS if _flag(prove, "prove") else 0
    with _within("the check"):
        result = chosen.check(case)
    return _verification.establish(result, max_seconds=proof_seconds)


def check_family(
    theorem: str | Theorem,
    *,
    loss: str,
    ranges: dict | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    without: Sequence[str] = (),
    fraction: tuple[float, float] = (0.05, 0.99),
    x_range: tuple[float, float] = (0.05, 10.0),
    y_range: tuple[float, float] = (0.05, 5.0),
    log_scale: bool = False,
    same_sign: bool = True,
    dps: int = 30,
    max_steps: int = DEFAULT_MAX_STEPS,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> FamilyReport:
    """Property-test ``theorem`` over the loss family ``loss`` (with parameter ``ranges``); see :mod:`llgd_proof.search.families`.

    ``workers`` 0 or 1 checks the cases in this process, N ≥ 2 on N local Dask processes; ``scheduler`` (default
    ``$DASK_SCHEDULER_ADDRESS``) sends them to a ``dask.distributed`` cluster; by default runs of
    ``families.PARALLEL_EXAMPLES`` examples or more use every core. The report is the same whatever runs it;
    ``progress`` shows Dask's progress bar on stderr."""
    chosen = _theorem(theorem)
    dropped = _names(without, "without", allow_empty=True)
    if dropped:
        chosen = chosen.without(*dropped)
    if ranges is not None and not isinstance(ranges, Mapping):
        raise ArgumentError(f"ranges must be a dict of name -> (low, high), got {type(ranges).__name__}")
    spans = {_name(name, "a parameter name").strip(): _pair(span, f"the range of {_shown(name)}") for name, span in (ranges or {}).items()}
    fraction = _pair(fraction, "the h fraction", positive=True)
    x_range, y_range = _pair(x_range, "x_range", positive=True), _pair(y_range, "y_range", positive=True)
    log_scale, same_sign, progress = _flag(log_scale, "log_scale"), _flag(same_sign, "same_sign"), _flag(progress, "progress")
    scheduler, workers = _scheduler(scheduler), _optional_integer(workers, "workers", 0, 1024)
    starts = starting_points(x_range=x_range, y_range=y_range, same_sign=same_sign, log_scale=log_scale)
    strategy = case_strategy(
        family_losses(_text(loss, "the loss family"), spans), fraction=fraction, starts=starts,
        dps=_integer(dps, "the precision dps", MIN_DPS, MAX_DPS), max_steps=_integer(max_steps, "the step budget", 1, MAX_STEPS),
    )
    examples, seed = _integer(examples, "the number of examples", 1, MAX_EXAMPLES), _integer(seed, "the seed", 0, MAX_SEED)
    with _within("the property test"):
        return _check_family(chosen, strategy, examples=examples, seed=seed, scheduler=scheduler, workers=workers, progress=progress)


def load_claim(source) -> Claim:
    """A :class:`Claim` from a path (str or pathlib.Path) to a TOML file, or from the TOML text itself
    (see :func:`llgd_proof.claims.claim.load_claim`)."""
    if not isinstance(source, (str, os.PathLike)):
        raise ClaimError(f"a claim is a path or TOML text, got {type(source).__name__}")
    return _load_claim(source)
