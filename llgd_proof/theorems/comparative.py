"""Comparative theorems (theory T3c, T5c): "more likely with good regularity", decided statistically.

A :class:`ComparativeTheorem` is a :class:`~llgd_proof.theorems.base.Theorem` whose check is not one
trajectory but two seeded samples. A case names the good loss, μ and h; the check draws the same
seeded starts (parameters ``x_min, x_max, y_min, y_max, samples, seed``) for that loss and for the
square loss (s − μ)²/2 with the same μ, keeps the starts meeting the theorem's restriction (each loss
its own, e.g. S0 > 2/h), runs the float64 batch engine on both and counts the starts that show the
phenomenon — unconditionally (a start that diverges or stays undecided counts as "no") and, beside it,
among the starts that converged. The verdict compares the two unconditional 95 % Wilson intervals
(:func:`llgd_proof.analysis.proportions.compare`). The case's ``init`` is not used: the start distribution is
the box (``init`` is kept because every case has one; the default cases put it at the box centre).

Each sample runs as the atlas's Dask graph of chunks (:func:`llgd_proof.scale.atlas.run_starts`): Dask's local
scheduler by default, a ``dask.distributed`` cluster with ``check(case, scheduler=ADDRESS)`` or the
``DASK_SCHEDULER_ADDRESS`` environment variable. The workers rebuild each loss from a spec (a catalog
name with its parameters, or the formula), so a spec is used only when it rebuilds exactly the case's
loss; a loss no spec rebuilds runs on the batch engine in this process instead (the evidence says which).
The arrays, and so the counts, are the same either way: every start's run depends on that start alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy

from llgd_proof.analysis.proportions import SampledFraction, compare, sample_starts
from llgd_proof.engines.batch import STATUS_CODES, BatchRun, batch_gradient_descent
from llgd_proof.engines.phenomena import observe_batch
from llgd_proof.engines.stopping import Status
from llgd_proof.scale.atlas import run_starts
from llgd_proof.symbolic.losses import catalog_loss, loss_spec
from llgd_proof.theorems.base import (
    VERDICTS,
    CheckResult,
    Finding,
    Theorem,
    Verdict,
    _product_for,
    loss_is_good,
    verdict_codes,
)

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

    def check(self, case, *, precision_check: bool = True, scheduler: str | None = None) -> CheckResult:
        """The statistical verdict for ``case``; ``scheduler``: a dask.distributed address for the samples (default
        ``$DASK_SCHEDULER_ADDRESS``, else Dask's local scheduler)."""
        setup = self.two_variable_context(case, "the comparison is about")
        if isinstance(setup, CheckResult):
            return setup
        context, findings = setup
        objective, parameters = context.objective, context.parameters
        h = float(context.h)
        box = tuple(float(parameters[k]) for k in ("x_min", "x_max", "y_min", "y_max"))
        samples, seed = int(parameters["samples"]), int(parameters["seed"])
        starts = sample_starts(box, samples, seed)
        square = _product_for(catalog_loss("quadratic", mu=objective.loss.mu), 1)
        given = (case.loss, case.mu) if case.loss_object is None and case.loss is not None else None
        tallies = {}
        for role, member, spec in (("good", objective, loss_spec(objective.loss, given)), ("square", square, loss_spec(square.loss))):
            tallies[role] = self._tally(member, spec, starts, h, parameters, case.max_steps, scheduler)
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
        verdict = VERDICTS[int(verdict_codes([f.ok for f in findings], holds))]  # the one rule; the comparison is the conclusion
        evidence = {
            "kind": "comparative",
            "engine": "float64 batch (numbers are evidence, not proof)",
            "runner": {role: tallies[role][2] for role in tallies},
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

    def _tally(self, objective, spec: tuple[str, str | None] | None, starts: numpy.ndarray, h: float, parameters: dict, max_steps: int, scheduler: str | None):
        """(counts, statuses, runner) over the starts meeting the restriction; ``spec`` rebuilds ``objective`` on Dask workers."""
        compiled = objective.compiled("numpy")
        with numpy.errstate(all="ignore"):
            eligible = numpy.asarray(self.restriction(compiled, starts.T, h), dtype=bool)
        chosen = starts[eligible]
        delta = float(parameters.get("delta", 0.25))
        runner = "dask" if spec is not None else "in-process (no loss spec rebuilds this loss on Dask workers)"
        if not len(chosen):
            return SampledFraction(len(starts), 0, 0, 0), {}, runner
        if spec is not None:
            dataset = run_starts(spec[0], h, chosen, mu=spec[1], max_steps=max_steps, scheduler=scheduler, delta=delta)
            run, arrays = batch_outcome(objective, {name: dataset[name].values for name in dataset.data_vars}, numpy.full(len(chosen), h), chosen)
        else:
            run = batch_gradient_descent(objective, h, chosen, max_steps=max_steps)
            arrays = observe_batch(objective, run, delta=delta)
        converged = run.status == STATUS_CODES[Status.CONVERGED]
        with numpy.errstate(all="ignore"):
            showing = numpy.asarray(self.phenomenon(arrays, run, h, parameters), dtype=bool) & converged
        statuses = {status.value: int((run.status == code).sum()) for status, code in STATUS_CODES.items()}
        return SampledFraction(len(starts), len(chosen), int(converged.sum()), int(showing.sum())), statuses, runner


def batch_outcome(objective, values: dict, h: numpy.ndarray, starts: numpy.ndarray) -> tuple[BatchRun, dict]:
    """What :func:`~llgd_proof.engines.batch.batch_gradient_descent` and :func:`~llgd_proof.engines.phenomena.observe_batch` return for
    ``starts`` (N, 2) at steps ``h`` (N,), rebuilt from the atlas's per-start arrays ``values`` (flat, N each; the atlas
    computed them with those two functions): the same numbers, plus ``gf_sharpness``, which depends on the start alone."""
    final = numpy.stack([values["final_x"], values["final_y"]], axis=1)
    run = BatchRun(values["status"], values["steps"], values["period"], numpy.asarray(h, dtype=float), starts, final, values["initial_loss"], values["max_loss"])
    arrays = {name: values[name] for name in ("initial_sharpness", "final_sharpness", "eos_ratio", "max_loss_ratio", "imbalance_initial", "imbalance_final", "eos", "catapult", "balancing")}
    with numpy.errstate(all="ignore"):
        arrays["gf_sharpness"] = objective.compiled("numpy").gf_sharpness(*starts.T)
    return run, arrays


def comparative_theorem(**fields) -> ComparativeTheorem:
    """A :class:`ComparativeTheorem` with the shared fields filled in (kind, default parameters, hypothesis)."""
    from llgd_proof.theorems.base import Hypothesis

    parameters = {**COMPARATIVE_PARAMETERS, **fields.pop("parameters", {})}
    return ComparativeTheorem(
        kind="comparative",
        parameters=parameters,
        hypotheses=[Hypothesis("good regularity", r"p < 2", loss_is_good)],
        conclude=_not_called,
        **fields,
    )
