"""Comparative theorems (theory T3c, T5c): "more likely with good regularity", decided statistically.

A :class:`ComparativeTheorem` is a :class:`~llgd_proof.theorems.base.Theorem` whose check is not one
trajectory but two seeded samples. A case names the good loss, μ and h; the check draws the same
seeded starts (parameters ``x_min, x_max, y_min, y_max, samples, seed``) for that loss and for the
square loss (s − μ)²/2 with the same μ, keeps the starts meeting the theorem's restriction (each loss
its own, e.g. S0 > 2/h), runs the float64 batch engine on both and counts the starts that show the
phenomenon — unconditionally (a start that diverges or stays undecided counts as "no") and, beside it,
among the starts that converged. The verdict compares the two unconditional 95 % Wilson intervals
(:func:`llgd_proof.comparative.compare`). The case's ``init`` is not used: the start distribution is
the box (``init`` is kept because every case has one; the default cases put it at the box centre).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy

from ..batch import STATUS_CODES, batch_gradient_descent
from ..comparative import SampledFraction, compare, sample_starts
from ..dynamics import Status
from ..errors import ParameterError
from ..losses import catalog_loss
from ..phenomena import observe_batch
from .base import CheckResult, Context, Finding, Theorem, Verdict, _product_for, loss_is_good

COMPARATIVE_PARAMETERS = {"x_min": 0.05, "x_max": 4.0, "y_min": 0.05, "y_max": 4.0, "samples": 2000, "seed": 0}
VERDICT_RULE = "95 % Wilson intervals of the unconditional fractions: disjoint, good higher → holds; overlapping → inconclusive; disjoint, square higher → violated"

# restriction(compiled numpy objective, starts (2, N), h) → bool array; phenomenon(observe_batch arrays, run, h, parameters) → bool array
Restriction = Callable[[object, numpy.ndarray, float], numpy.ndarray]
Phenomenon = Callable[[dict, object, float, dict], numpy.ndarray]


def _not_called(context):  # a comparative theorem has no single-trajectory conclusion
    raise NotImplementedError


@dataclass(frozen=True)
class ComparativeTheorem(Theorem):
    restriction: Restriction | None = None
    restriction_text: str = ""
    phenomenon: Phenomenon | None = None
    phenomenon_text: str = ""

    def check(self, case, *, precision_check: bool = True) -> CheckResult:
        objective = case.build()
        if not objective.is_product or objective.n_variables != 2:
            finding = Finding("product family", False, "the comparison is about f = ℓ(xy) with x, y in ℝ (dim 1); this objective is not one")
            return CheckResult(self, case, Verdict.HYPOTHESES_NOT_MET, [finding], Finding(self.conclusion_name, None, "not evaluated"), [], {})
        context = Context(self, case, objective)
        parameters = context.parameters
        unknown = set(parameters) - set(self.parameters)
        if unknown:
            raise ParameterError(f"theorem {self.id!r} has no parameter {min(unknown)!r}; it takes {', '.join(sorted(self.parameters))}")
        findings = [Finding(h.name, *h.test(context)) for h in self.hypotheses]
        h = float(context.h)
        box = tuple(float(parameters[k]) for k in ("x_min", "x_max", "y_min", "y_max"))
        samples, seed = int(parameters["samples"]), int(parameters["seed"])
        starts = sample_starts(box, samples, seed)
        square = _product_for(catalog_loss("quadratic", mu=objective.loss.mu), 1)
        tallies = {}
        for role, member in (("good", objective), ("square", square)):
            tallies[role] = self._tally(member, starts, h, parameters, case.max_steps)
        good, square_fraction = tallies["good"][0], tallies["square"][0]
        outcome = compare(good.unconditional, square_fraction.unconditional)
        holds = {"holds": True, "violated": False, "inconclusive": None}[outcome]

        def text(fraction) -> str:
            p = fraction.unconditional
            low, high = p.interval
            given = fraction.given_convergence
            given_text = f"{given.fraction:.3f}" if given.fraction is not None else "n/a"
            return f"{p.successes}/{p.trials} = {(p.fraction or 0):.3f} [{low:.3f}, {high:.3f}] (given convergence {given_text})"

        detail = f"good {text(good)} vs square {text(square_fraction)}: {outcome}"
        conclusion = Finding(self.conclusion_name, holds, detail)
        if any(f.ok is None for f in findings):
            verdict = Verdict.INCONCLUSIVE
        elif any(f.ok is False for f in findings):
            verdict = Verdict.HYPOTHESES_NOT_MET
        else:
            verdict = {"holds": Verdict.HOLDS, "violated": Verdict.VIOLATED, "inconclusive": Verdict.INCONCLUSIVE}[outcome]
        evidence = {
            "kind": "comparative",
            "engine": "float64 batch (numbers are evidence, not proof)",
            "h": h,
            "mu": float(objective.minimiser_value),
            "box": list(box),
            "samples": samples,
            "seed": seed,
            "max_steps": case.max_steps,
            "restriction": self.restriction_text,
            "phenomenon": self.phenomenon_text,
            "init_used": False,
            "good": {"loss": str(objective.loss.expr), **good.as_json(), "statuses": tallies["good"][1]},
            "square": {"loss": str(square.loss.expr), **square_fraction.as_json(), "statuses": tallies["square"][1]},
            "comparison": outcome,
            "rule": VERDICT_RULE,
        }
        if verdict is Verdict.VIOLATED:
            evidence["counterexample"] = {"case": case.as_json(), "confirmed_at_dps": None}
        return CheckResult(self, case, verdict, findings, conclusion, [], evidence)

    def _tally(self, objective, starts: numpy.ndarray, h: float, parameters: dict, max_steps: int):
        compiled = objective.compiled("numpy")
        with numpy.errstate(all="ignore"):
            eligible = numpy.asarray(self.restriction(compiled, starts.T, h), dtype=bool)
        chosen = starts[eligible]
        if not len(chosen):
            return SampledFraction(len(starts), 0, 0, 0), {}
        run = batch_gradient_descent(objective, h, chosen, max_steps=max_steps)
        arrays = observe_batch(objective, run, delta=float(parameters.get("delta", 0.25)))
        converged = run.status == STATUS_CODES[Status.CONVERGED]
        showing = numpy.asarray(self.phenomenon(arrays, run, h, parameters), dtype=bool) & converged
        statuses = {status.value: int((run.status == code).sum()) for status, code in STATUS_CODES.items()}
        return SampledFraction(len(starts), len(chosen), int(converged.sum()), int(showing.sum())), statuses


def comparative_theorem(**fields) -> ComparativeTheorem:
    """A :class:`ComparativeTheorem` with the shared fields filled in (kind, default parameters, hypothesis)."""
    from .base import Hypothesis

    parameters = {**COMPARATIVE_PARAMETERS, **fields.pop("parameters", {})}
    return ComparativeTheorem(
        kind="comparative",
        parameters=parameters,
        hypotheses=[Hypothesis("good regularity", r"p < 2", loss_is_good)],
        conclude=_not_called,
        **fields,
    )
