"""T1c — global convergence is more likely with good regularity, *proved* on a box of starts (``paper-claim``).

The paper says that with good regularity GD with a large step converges from more initial conditions. The
comparative theorems T3c and T5c decide "more likely" statistically; this one proves it for convergence
itself, on a box B of starts and a step h, from two certified basins (:mod:`llgd_proof.proofs.basin`, each
certificate re-verified by the independent checker, :mod:`llgd_proof.checker.basins`):

    area{θ0 ∈ B : GD on the good loss converges} ≥ C_good  >  1 − D_square − P_square  ≥  area{θ0 ∈ B : GD on (s − μ)²/2 converges}

(areas as fractions of B; C, D and P the certified converging, diverging and periodic fractions, all lower
bounds, exact rationals; a diverging or periodic start does not converge). The first and last inequalities are what the certificates prove; the middle one
is compared exactly. Verdict: **holds** when C_good > 1 − D_square − P_square (the evidence says ``established: proved``);
**violated** when the reverse is proved, C_square > 1 − D_good − P_good; **inconclusive** when neither is proved at the
case's subdivision depth (the undecided leaves leave room for both). A numerical basin is never used for the
verdict; no float decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from llgd_proof.errors import ParameterError
from llgd_proof.proofs.basin import basin
from llgd_proof.theorems.base import (
    PAPER_CLAIM_NOTE,
    Case,
    CheckResult,
    Finding,
    Hypothesis,
    Theorem,
    Verdict,
    loss_is_good,
)

PROVED = "proved"
BOX_PARAMETERS = ("x_min", "x_max", "y_min", "y_max")
VERDICT_RULE = (
    "certified areas (exact lower bounds): C_good > 1 − D_square − P_square → holds (proved); C_square > 1 − D_good − P_good → violated (proved);"
    " otherwise inconclusive"
)


def _not_called(context):  # the conclusion is about two sets of starts, not one trajectory
    raise NotImplementedError


def _decimal(value) -> str:
    """A parameter as the exact decimal the case spells (floats through their shortest repr)."""
    text = value if isinstance(value, str) else repr(float(value))
    try:
        Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ParameterError(f"a box corner must be a decimal number, got {value!r}") from None
    return text


@dataclass(frozen=True)
class BasinComparison(Theorem):
    """A comparative theorem decided by certified basins (module doc)."""

    def check(self, case: Case, *, precision_check: bool = True, scheduler: str | None = None) -> CheckResult:
        setup = self.two_variable_context(case, "certified basins are for")
        if isinstance(setup, CheckResult):
            return setup
        context, findings = setup
        objective, parameters = context.objective, context.parameters
        box = [_decimal(parameters[name]) for name in BOX_PARAMETERS]
        depth = int(parameters["depth"])
        if not (0 <= depth <= 12) or depth != parameters["depth"]:
            raise ParameterError(f"the subdivision depth must be an integer from 0 to 12, got {parameters['depth']!r}")
        mu = str(objective.loss.mu)
        good_loss = case.loss if case.loss is not None and case.loss_object is None else str(objective.loss.expr)
        tiles = scheduler or "sync"  # the built-in depths take seconds: worker processes would cost more than they save
        good = basin(loss=good_loss, mu=case.mu if case.loss is not None else None, h=case.h, box=box, depth=depth, scheduler=tiles)
        square = basin(loss="quadratic", mu=mu, h=case.h, box=box, depth=depth, scheduler=tiles)
        c_good, c_square = (Fraction(result.fractions["converges"]) for result in (good, square))
        other_good, other_square = (Fraction(result.fractions["diverges"]) + Fraction(result.fractions["periodic"]) for result in (good, square))
        proved = good.valid and square.valid
        if proved and c_good > 1 - other_square:
            outcome, holds = "holds", True
        elif proved and c_square > 1 - other_good:
            outcome, holds = "violated", False
        else:
            outcome, holds = "inconclusive", None
        detail = (
            f"certified converging area of the good loss ≥ {float(c_good):.4f} vs the square loss's ≤ 1 − {float(other_square):.4f}"
            f" (diverging or periodic) = {float(1 - other_square):.4f} (depth {depth}): {outcome}"
        )
        conclusion = Finding(self.conclusion_name, holds, detail)
        if any(f.ok is None for f in findings):
            verdict = Verdict.INCONCLUSIVE
        elif any(f.ok is False for f in findings):
            verdict = Verdict.HYPOTHESES_NOT_MET
        else:
            verdict = {"holds": Verdict.HOLDS, "violated": Verdict.VIOLATED, "inconclusive": Verdict.INCONCLUSIVE}[outcome]
        evidence = {
            "kind": "comparative-proved",
            "engine": "certified basins (Arb balls; both certificates re-verified by the independent checker)",
            "h": case.h,
            "mu": mu,
            "box": box,
            "depth": depth,
            "good": good.as_json(),
            "square": square.as_json(),
            "comparison": outcome,
            "rule": VERDICT_RULE,
            "init_used": False,
        }
        if verdict in (Verdict.HOLDS, Verdict.VIOLATED):
            evidence["established"] = PROVED
        if verdict is Verdict.VIOLATED:
            evidence["counterexample"] = {"case": case.as_json(), "confirmed_at_dps": None}
        return CheckResult(self, case, verdict, findings, conclusion, [], evidence)


THEOREM = BasinComparison(
    id="convergence-basins",
    title="T1c global convergence is more likely with good regularity (proved on a box by certified basins)",
    statement=(
        r"\operatorname{area}\{\theta_0\in B:\theta_k\to M\}_{\ell\text{ good}} \ge C_{\text{good}}"
        r" > 1 - D_{\text{square}} - P_{\text{square}} \ge \operatorname{area}\{\theta_0\in B:\theta_k\to M\}_{(s-\mu)^2/2}"
    ),
    provenance="paper-claim",
    note=PAPER_CLAIM_NOTE + "; C and D are certified area fractions (lower bounds) from checked basin certificates; init is unused",
    reference="seed paper (abstract): phenomena more likely with good regularity; theory.md T1; issue 20",
    hypotheses=[Hypothesis("good regularity", r"p < 2", loss_is_good)],
    conclusion_name="converging area larger for the good loss (proved)",
    conclusion_latex=r"C_{\text{good}} > 1 - D_{\text{square}} - P_{\text{square}}",
    conclude=_not_called,
    parameters={"x_min": 2.5, "x_max": 2.7, "y_min": 2.5, "y_max": 2.7, "depth": 2},
    cases=[
        Case(loss="logcosh", h="0.5", init=("1", "1"),
             label="log cosh vs square, μ = 1, B = [2.5, 2.7]², h = 0.5 ≈ 3·2/‖∇²f(θ0)‖ (init unused: starts are the box)"),
        Case(loss="logcosh", h="0.9", init=("1", "1"), parameters={"x_min": 1.4, "x_max": 1.6, "y_min": 1.4, "y_max": 1.6, "depth": 2},
             label="log cosh vs square, μ = 1, B = [1.4, 1.6]², h = 0.9: the square loss catapults and partly converges"),
    ],
    kind="comparative",
    version=1,
)
