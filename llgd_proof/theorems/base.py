"""The shared machinery of every theorem: cases, hypotheses, the check loop and honest verdicts.

A :class:`Theorem` is data: its statement (LaTeX), provenance, hypotheses (small named predicates),
one conclusion (a check over the run), the symbolic proofs it rests on, and default cases.
:meth:`Theorem.check` is the one loop that turns a :class:`Case` into a :class:`CheckResult`:

1. build the objective; evaluate the hypotheses that need no run;
2. run high-precision GD with its higher-precision self-check (:func:`~llgd_proof.engines.phenomena.investigate`);
3. evaluate the hypotheses about the run, the proofs, and the conclusion;
4. judge the start: a start on an exceptional set (a critical point that is not a minimiser, where
   GD stays; x0 = 0 or y0 = 0 for ℓ(xᵀy); and, for a theorem about generic starts, a start already on
   the minimiser set) fails the hypothesis "generic start" (:func:`generic_start`);
5. decide the verdict by the one rule, :func:`verdict_codes` — ``inconclusive`` if a proof or a predicate
   is undecided, the precision check disagrees, or the run did not settle; ``hypotheses-not-met`` if a
   hypothesis is false; ``violated`` if the conclusion is false (the case and the run are the
   counterexample); else ``holds``. The same function decides a whole boundary map cell by cell and a
   comparative theorem's statistical verdict.

The conclusion is evaluated even when a hypothesis fails, and reported as evidence: that is how a
user sees what breaks when a hypothesis is dropped (:meth:`Theorem.without`).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import mpmath
import numpy
import sympy

from llgd_proof.analysis.regularity import RegularityReport, report_for
from llgd_proof.engines.batch import STATUS_CODES
from llgd_proof.engines.phenomena import Investigation, investigate
from llgd_proof.engines.stopping import MINIMISER, Status, StoppingRule, validate_start, validate_step
from llgd_proof.errors import LlgdInputError, ParameterError
from llgd_proof.symbolic.identities import Proof
from llgd_proof.symbolic.losses import Loss, parse_loss_spec
from llgd_proof.symbolic.objective import Objective, general_objective, product_objective
from llgd_proof.symbolic.recognise import as_product
from llgd_proof.theorems.parameter_ranges import TheoremParameters, check_parameter

PAPER_CLAIM_NOTE = "this project's formalisation of a claim of the seed paper; thresholds are ours, not quoted constants"


class Verdict(str, enum.Enum):
    HOLDS = "holds"
    VIOLATED = "violated"
    HYPOTHESES_NOT_MET = "hypotheses-not-met"
    INCONCLUSIVE = "inconclusive"


VERDICTS = [Verdict.HOLDS, Verdict.VIOLATED, Verdict.HYPOTHESES_NOT_MET, Verdict.INCONCLUSIVE]  # codes 0..3
CODE = {verdict: code for code, verdict in enumerate(VERDICTS)}


# -- the verdict rule, stated once -----------------------------------------------------------------
# A finding is three-valued: True, False, or None (undecided). Over a batch it is a float array: 1.0 true,
# 0.0 false, NaN undecided (numpy reads None as NaN), so one check is the 0-d case of a batch.


def three_valued(value, *quantities) -> numpy.ndarray:
    """``value`` (bools, or True / False / None) as 1.0 / 0.0 / NaN, and NaN wherever one of ``quantities``
    (the numbers ``value`` was computed from) is not a finite number: a rule about an undefined quantity is undecided."""
    result = numpy.asarray(value, dtype=float)
    defined = functools.reduce(operator.and_, (numpy.isfinite(numpy.asarray(q, dtype=float)) for q in quantities), True)
    return numpy.where(defined, result, numpy.nan)


def truth(value) -> bool | None:
    """One three-valued finding (a 0-d or one-element array) as True, False or None."""
    number = float(numpy.asarray(value, dtype=float).reshape(-1)[0])
    return None if numpy.isnan(number) else bool(number)


def verdict_codes(hypotheses, conclusion, *, settled=True, proved=True, agrees=True, generic=True) -> numpy.ndarray:
    """The verdict rule, as codes into :data:`VERDICTS`, for one check (scalars) or many cells (arrays; they broadcast).

    ``hypotheses``: three-valued findings (see :func:`three_valued`); ``conclusion``: three-valued; ``settled``: the
    run ended (not undecided at its budget); ``proved``: every symbolic proof the theorem rests on is proved;
    ``agrees``: the higher-precision repeat agrees (or none was made); ``generic``: the start is not on an
    exceptional set (:func:`generic_start`). First match wins:

    1. not a generic start → hypotheses-not-met (the theorem does not speak of it, whatever else is undecided);
    2. a proof not proved, or a hypothesis undecided → inconclusive;
    3. a hypothesis false → hypotheses-not-met;
    4. the precision repeat disagrees, or the conclusion is undecided → inconclusive;
    5. the conclusion false → violated;
    6. the run did not settle → inconclusive (never "holds" on such a run);
    7. else holds.
    """
    findings = [_finding(finding) for finding in hypotheses]
    conclusion = _finding(conclusion)
    undecided = functools.reduce(operator.or_, (numpy.isnan(f) for f in findings), numpy.False_)
    unmet = functools.reduce(operator.or_, (f == 0 for f in findings), numpy.False_)
    rules = [
        (~numpy.asarray(generic, dtype=bool), Verdict.HYPOTHESES_NOT_MET),
        (~numpy.asarray(proved, dtype=bool) | undecided, Verdict.INCONCLUSIVE),
        (unmet, Verdict.HYPOTHESES_NOT_MET),
        (~numpy.asarray(agrees, dtype=bool) | numpy.isnan(conclusion), Verdict.INCONCLUSIVE),
        (conclusion == 0, Verdict.VIOLATED),
        (~numpy.asarray(settled, dtype=bool), Verdict.INCONCLUSIVE),
    ]
    conditions = numpy.broadcast_arrays(*(condition for condition, _ in rules))
    return numpy.select(conditions, [CODE[verdict] for _, verdict in rules], default=CODE[Verdict.HOLDS]).astype(numpy.int8)


def _finding(value) -> numpy.ndarray:
    """A three-valued finding as floats: None → NaN, any other scalar by its truth (a sympy boolean too), arrays as they are."""
    if value is None:
        return numpy.asarray(numpy.nan)
    array = numpy.asarray(value)
    return numpy.asarray(float(bool(value))) if array.dtype == object else array.astype(float)


def converges(status) -> numpy.ndarray:
    """"GD converges", three-valued over engine status codes (:data:`~llgd_proof.engines.batch.STATUS_CODES`): true for
    ``converged`` only (``stationary`` never counts), undecided for ``undecided``, false for any other end."""
    status = numpy.asarray(status)
    return numpy.where(status == STATUS_CODES[Status.UNDECIDED], numpy.nan, (status == STATUS_CODES[Status.CONVERGED]).astype(float))


@dataclass(frozen=True)
class Case:
    """A concrete objective, step and start (strings keep decimal inputs exact at any precision)."""

    h: str
    init: tuple[str, ...]
    loss: str | None = None
    mu: str | None = None
    dim: int = 1
    objective: str | None = None
    variables: tuple[str, ...] = ()
    dps: int = 30
    max_steps: int = 20_000
    parameters: Mapping[str, float] = field(default_factory=dict)
    expected: Mapping[str, object] = field(default_factory=dict)
    label: str = ""
    loss_object: Loss | None = field(default=None, compare=False, repr=False)  # a ready Loss (e.g. from a strategy)

    def build(self) -> Objective:
        if self.loss_object is not None:
            return _product_for(self.loss_object, self.dim)
        return _build_objective(self.loss, self.mu, self.dim, self.objective, tuple(self.variables))

    def describe(self) -> str:
        if self.loss_object is not None:
            what = f"loss {self.loss_object.expr} (mu={self.loss_object.mu})"
        elif self.loss:
            what = f"loss {self.loss}" + (f" (mu={self.mu})" if self.mu is not None else "")
        else:
            what = f"f = {self.objective}"
        if self.dim > 1:
            what += f", dim {self.dim}"
        return f"{what}, h = {self.h}, start ({', '.join(self.init)})"

    def as_json(self) -> dict:
        data = {k: v for k, v in dataclasses.asdict(self).items() if v not in (None, (), {}, "") and k != "loss_object"}
        data["init"] = list(self.init)
        if self.loss_object is not None:
            data["loss"] = str(self.loss_object.expr)
            data["mu"] = str(self.loss_object.mu)
        return data


@functools.lru_cache(maxsize=64)
def _build_objective(loss, mu, dim, objective, variables) -> Objective:
    """Objectives are immutable once built; cases sharing a spec share one compiled objective."""
    if loss is not None:
        return product_objective(parse_loss_spec(loss, mu=mu), dim=dim)
    if objective is not None:
        general = general_objective(objective, variables)
        return as_product(general) or general  # f = ℓ(xᵀy) in disguise gets the product family's theorems
    raise LlgdInputError("a case needs a loss or an objective")


_PRODUCTS: dict[tuple, Objective] = {}


def _product_for(loss: Loss, dim: int) -> Objective:
    """One compiled objective per (loss formula, μ, dim), so property runs reuse compilation."""
    key = (sympy.srepr(loss.expr), sympy.srepr(loss.mu), dim)
    if key not in _PRODUCTS:
        if len(_PRODUCTS) > 256:
            _PRODUCTS.clear()
        _PRODUCTS[key] = product_objective(loss, dim=dim)
    return _PRODUCTS[key]


@dataclass
class Finding:
    """A hypothesis (``met``) or the conclusion (``holds``): True, False, or None for undecided."""

    name: str
    ok: bool | None
    detail: str

    def as_json(self, key: str) -> dict:
        return {"name": self.name, key: self.ok, "detail": self.detail}


class Context:
    """What predicates and conclusions see: the case, the objective, its regularity and the run."""

    def __init__(self, theorem: Theorem, case: Case, objective: Objective):
        self.theorem = theorem
        self.case = case
        self.objective = objective
        self.parameters = TheoremParameters(theorem.id, {**theorem.parameters, **case.parameters})
        self.quantities: dict[str, object] = {}
        self.investigation: Investigation | None = None
        self.dps = case.dps
        with mpmath.workdps(self.dps):
            self.h = validate_step(case.h)
            self.init = validate_start(objective, case.init)

    @property
    def loss(self) -> Loss:
        return self.objective.loss

    @cached_property
    def regularity(self) -> RegularityReport:
        return report_for(self.objective.loss)

    @property
    def run(self):
        return self.investigation.run

    @property
    def phenomena(self):
        return self.investigation.phenomena

    def record(self, **values) -> None:
        """Add theorem-specific quantities to the evidence."""
        self.quantities.update(values)

    def compiled(self):
        return self.objective.compiled("mpmath")

    def initial_sharpness(self):
        with mpmath.workdps(self.dps):
            return self.compiled().sharpness(self.init)


Predicate = Callable[[Context], "tuple[bool | None, str]"]


@dataclass(frozen=True)
class Hypothesis:
    name: str
    latex: str
    test: Predicate
    after_run: bool = False  # needs the trajectory (e.g. "GD converges")


@dataclass(frozen=True)
class CheckResult:
    theorem: Theorem
    case: Case
    verdict: Verdict
    hypotheses: list[Finding]
    conclusion: Finding
    proofs: list[Proof]
    evidence: dict

    def as_json(self) -> dict:
        return {
            "theorem": self.theorem.id,
            "title": self.theorem.title,
            "provenance": self.theorem.provenance,
            "status": self.theorem.status,
            "version": self.theorem.version,
            "note": self.theorem.note,
            "kind": self.theorem.kind,
            **({"replaced_by": self.theorem.replaced_by} if self.theorem.replaced_by else {}),
            "verdict": self.verdict.value,
            "case": self.case.as_json(),
            "hypotheses": [f.as_json("met") for f in self.hypotheses],
            "conclusion": self.conclusion.as_json("holds"),
            "proofs": [p.as_json() for p in self.proofs],
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Theorem:
    """A checkable statement (see module doc). ``family`` is "product" (f = ℓ(xᵀy)) or "any"."""

    id: str
    title: str
    statement: str
    provenance: str
    hypotheses: Sequence[Hypothesis]
    conclusion_name: str
    conclusion_latex: str
    conclude: Callable[[Context], tuple[bool | None, str]]
    cases: Sequence[Case]
    family: str = "product"
    reference: str = ""
    note: str = ""
    proofs: Callable[[], Sequence[Proof]] = lambda: ()
    parameters: Mapping[str, float] = field(default_factory=dict)
    bounds: Callable[[Loss, Mapping[str, float]], dict[str, str]] | None = None
    keep_path: bool = False
    optional_parameters: Sequence[str] = ()  # accepted from a case without a default (e.g. a stated constant L)
    # where `llgd verify` searches for counterexamples (see families.search_space): catalog "losses", "mu_values" or a "mu" range,
    # step "fraction" of 1/(|μ|ℓ''(μ)), start "box"; empty: not searched (fixed cases only)
    search: Mapping[str, object] = field(default_factory=dict)
    parameter_ranges: Mapping[str, tuple] = field(default_factory=dict)  # narrows parameter_ranges.DEFAULT_RANGES
    # version history (theory.md §4): a refuted formalisation stays in the library beside its replacement
    version: int = 1
    status: str = "current"  # "current" | "refuted"
    counterexample: Case | None = None  # for a refuted variant: the exact case that violates it
    reproduce: str = ""  # the llgd command that reproduces the counterexample
    replaces: str | None = None  # id of the variant this one replaces
    replaced_by: str | None = None  # id of the variant that replaces this one
    kind: str = "pointwise"  # "pointwise" | "comparative" (statistical) | "consistency" (can fail only through arithmetic)
    generic_start: bool = False  # the statement speaks of generic starts: a start already on the minimiser set is exceptional

    def without(self, *names: str) -> Theorem:
        """The same theorem with the named hypotheses dropped (to search for what breaks)."""
        known = {h.name for h in self.hypotheses}
        unknown = set(names) - known
        if unknown:
            raise LlgdInputError(f"theorem {self.id!r} has no hypothesis {min(unknown)!r}; it has {', '.join(sorted(known))}")
        kept = [h for h in self.hypotheses if h.name not in names]
        return dataclasses.replace(self, hypotheses=kept, id=f"{self.id} without {', '.join(names)}")

    def with_parameters(self, **values: float) -> Theorem:
        return dataclasses.replace(self, parameters={**self.parameters, **values})

    def two_variable_context(self, case: Case, about: str) -> tuple[Context, list[Finding]] | CheckResult:
        """The start of a comparative check (``about`` says what the comparison is of): a hypotheses-not-met result
        unless f = ℓ(xy) with x, y in ℝ; else the context (ParameterError for a parameter the theorem lacks) and the
        hypothesis findings."""
        objective = case.build()
        if not objective.is_product or objective.n_variables != 2:
            finding = Finding("product family", False, f"{about} f = ℓ(xy) with x, y in ℝ (dim 1); this objective is not one")
            return CheckResult(self, case, Verdict.HYPOTHESES_NOT_MET, [finding], Finding(self.conclusion_name, None, "not evaluated"), [], {})
        context = Context(self, case, objective)
        unknown = set(context.parameters) - set(self.parameters)
        if unknown:
            raise ParameterError(f"theorem {self.id!r} has no parameter {min(unknown)!r}; it takes {', '.join(sorted(self.parameters))}")
        return context, [Finding(h.name, *h.test(context)) for h in self.hypotheses]

    def check(self, case: Case, *, precision_check: bool = True) -> CheckResult:
        objective = case.build()
        context = Context(self, case, objective)
        if self.family == "product" and not objective.is_product:
            finding = Finding("product family", False, "the theorem is about f = ℓ(xᵀy); this is a general objective")
            return CheckResult(self, case, Verdict.HYPOTHESES_NOT_MET, [finding], Finding(self.conclusion_name, None, "not evaluated"), [], {})
        accepted = set(self.parameters) | set(self.optional_parameters)
        for name, value in context.parameters.items():
            if name not in accepted:
                raise ParameterError(f"theorem {self.id!r} has no parameter {name!r}; it takes {', '.join(sorted(accepted)) or 'none'}")
            problem = check_parameter(self.id, name, value, self.parameter_ranges)
            if problem:
                raise ParameterError(problem)
        findings = [_evaluate(h, context) for h in self.hypotheses if not h.after_run]
        context.investigation = investigate(
            objective, case.h, list(case.init), dps=case.dps, max_steps=case.max_steps, check=precision_check, keep_path=self.keep_path
        )
        findings += [_evaluate(h, context) for h in self.hypotheses if h.after_run]
        start = Finding("generic start", *generic_start(context))
        if self.generic_start or start.ok is False:
            findings.append(start)
        proofs = list(self.proofs())
        holds, detail = self.conclude(context)
        conclusion = Finding(self.conclusion_name, holds, detail)
        check = context.investigation.check
        code = verdict_codes(
            [f.ok for f in findings],
            conclusion.ok,
            settled=context.run.status is not Status.UNDECIDED,
            proved=all(p.proved for p in proofs),
            agrees=check is None or check.agrees,
            generic=start.ok is not False,
        )
        verdict = VERDICTS[int(code)]
        evidence = {**context.investigation.as_json(), **context.quantities}
        if verdict is Verdict.VIOLATED:
            evidence["counterexample"] = {"case": case.as_json(), "confirmed_at_dps": (context.investigation.check.check_dps if context.investigation.check else None)}
        return CheckResult(self, case, verdict, findings, conclusion, proofs, evidence)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "provenance": self.provenance,
            "reference": self.reference,
            "statement": self.statement,
            "hypotheses": [{"name": h.name, "latex": h.latex} for h in self.hypotheses],
            "conclusion": {"name": self.conclusion_name, "latex": self.conclusion_latex},
            "parameters": dict(self.parameters),
            "note": self.note,
            "status": self.status,
            "version": self.version,
            "kind": self.kind,
            "generic_start": self.generic_start,
            **({"counterexample": self.counterexample.as_json(), "reproduce": self.reproduce} if self.counterexample is not None else {}),
            **({"replaces": self.replaces} if self.replaces else {}),
            **({"replaced_by": self.replaced_by} if self.replaced_by else {}),
        }


def _evaluate(hypothesis: Hypothesis, context: Context) -> Finding:
    ok, detail = hypothesis.test(context)
    return Finding(hypothesis.name, ok, detail)


# -- small predicates shared by several theorems -------------------------------------------------


def loss_is_good(c: Context) -> tuple[bool | None, str]:
    growth = c.regularity.growth
    order = "∞" if growth.value == sympy.oo else f"{float(growth.value):g}"
    return growth.regularity_class == "good", f"growth order p = {order} ({growth.method}), class {growth.regularity_class}"


def gd_converges(c: Context) -> tuple[bool | None, str]:
    """Only ``converged`` (at a point of the minimiser set) counts; ``stationary`` never does (:func:`converges`)."""
    run = c.run
    kind = f" ({run.stationary_kind})" if run.stationary_kind else ""
    return truth(converges(STATUS_CODES[run.status])), f"{run.status.value}{kind} after {run.steps} steps"


def limit_on_minimiser_set(c: Context) -> tuple[bool | None, str]:
    """Converged to the minimiser set by the engine's own rule (:class:`~llgd_proof.engines.stopping.StoppingRule`):
    |xᵀy − μ| ≤ τ·max(1, |μ|) for ℓ(xᵀy) (M = {xᵀy = μ}); ∇²f ⪰ 0 within tolerance for a general objective."""
    run = c.run
    if run.status is not Status.CONVERGED:
        return gd_converges(c)
    with mpmath.workdps(run.dps):
        rule = StoppingRule(c.objective, run.tolerance, run.dps)
        if c.objective.is_product:
            residual = abs(c.compiled().residual(*run.final))
            return rule.residual_small(run.final), f"|x∞ᵀy∞ − μ| = {mpmath.nstr(residual, 3)}"
        values = c.compiled().value_and_gradient(*run.final)
        kind, _ = rule.classify(run.final, values[0], values[1:])
        smallest = min(mpmath.eigsy(mpmath.matrix(c.compiled().hessian_matrix(run.final)), eigvals_only=True))
        return kind == MINIMISER, f"smallest Hessian eigenvalue at the limit {mpmath.nstr(smallest, 4)}" + ("" if kind == MINIMISER else f" ({kind})")


def exceptional_starts(status, steps, x_zero, y_zero, speaks_of_generic_starts: bool) -> dict[str, numpy.ndarray]:
    """The exceptional sets of starts that no statement about GD from a generic start covers, over engine status
    codes and step counts (one run: scalars; a batch: arrays). ``x_zero``/``y_zero``: the block x0 (y0) of
    f = ℓ(xᵀy) is all zero (False for a general objective). Each entry is True where the start lies on that set:

    * ``held``: a critical point that is not a minimiser (GD is held there: ``stationary`` after 0 steps) —
      the dynamics the theorem describes never begin;
    * ``x0 = 0`` / ``y0 = 0``: then x0ᵀy0 = 0 and one block of the gradient ℓ'(0)·(y0, x0) vanishes, a
      measure-zero set on which the origin's saddle structure decides;
    * ``on M``: for a theorem that speaks of generic starts, a start already on the minimiser set
      (``converged`` after 0 steps): GD stays there whatever the step, and that set has measure zero.
    """
    status, at_start = numpy.asarray(status), numpy.asarray(steps) == 0
    return {
        "held": at_start & (status == STATUS_CODES[Status.STATIONARY]),
        "x0 = 0": numpy.asarray(x_zero, dtype=bool),
        "y0 = 0": numpy.asarray(y_zero, dtype=bool),
        "on M": at_start & (status == STATUS_CODES[Status.CONVERGED]) & bool(speaks_of_generic_starts),
    }


def generic_start(c: Context) -> tuple[bool, str]:
    """False on the :func:`exceptional_starts` of the case."""
    run = c.run
    n = len(c.init) // 2
    x_zero, y_zero = (c.objective.is_product and all(v == 0 for v in block) for block in (c.init[:n], c.init[n:]))
    exceptional = exceptional_starts(STATUS_CODES[run.status], run.steps, x_zero, y_zero, c.theorem.generic_start)
    if exceptional["held"]:
        return False, f"the start is a critical point that is not a minimiser ({run.stationary_kind}); GD stays there, so the theorem's dynamics never begin"
    for name in ("x0 = 0", "y0 = 0"):
        if exceptional[name]:
            return False, f"{name}: the start lies on the measure-zero set {{x = 0}} ∪ {{y = 0}} where x0ᵀy0 = 0 and half of the gradient ℓ'(0)·(y0, x0) vanishes"
    if exceptional["on M"]:
        return False, "the start is already on the minimiser set (GD converged in 0 steps); the theorem speaks of generic starts, and that set has measure zero"
    checked = ["not held at a critical point that is not a minimiser"]
    checked += ["x0 ≠ 0 and y0 ≠ 0"] if c.objective.is_product else []
    checked += ["not already on the minimiser set"] if c.theorem.generic_start else []
    return True, "; ".join(checked)


def matches_expected(c: Context) -> tuple[bool | None, str]:
    """Compare the run with the reference numbers of the case (``expected``): status, limit, period, orbit."""
    expected, run = c.case.expected, c.run
    if not expected:
        return True, "no reference numbers for this case"
    notes, ok = [], True
    tolerance = float(expected.get("tolerance", 1e-7))
    if "status" in expected:
        ok &= run.status.value == expected["status"]
        notes.append(f"status {run.status.value} (reference: {expected['status']})")
    if "limit" in expected and run.status is Status.CONVERGED:
        gap = max(abs(float(a) - b) for a, b in zip(run.final, expected["limit"]))
        ok &= gap <= tolerance
        notes.append(f"limit off the reference by {gap:.2e} (tolerance {tolerance:g})")
    elif "limit" in expected:
        ok = False
        notes.append("reference limit, but the run did not converge")
    if "orbit" in expected:
        if run.status is not Status.PERIODIC:
            ok = False
            notes.append("reference orbit, but the run is not periodic")
        else:
            found = sorted(float(p[0]) for p in run.orbit)
            gap = max((abs(a - b) for a, b in zip(found, sorted(expected["orbit"]))), default=float("inf"))
            ok &= len(found) == len(expected["orbit"]) and gap <= tolerance
            notes.append(f"orbit {[round(v, 12) for v in found]} vs reference {sorted(expected['orbit'])}")
    return bool(ok), "; ".join(notes)
