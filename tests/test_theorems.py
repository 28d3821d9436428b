"""The theorem library gives honest verdicts — and is shown to be able to fail."""

import dataclasses

import pytest

from llgd_proof import api
from llgd_proof.theorems import THEOREMS, Case, Verdict, get_theorem
from llgd_proof.theorems.base import PAPER_CLAIM_NOTE


@pytest.fixture(scope="module")
def verify_report():
    return api.verify()


def test_verify_finds_nothing_violated_and_every_theorem_holds_somewhere(verify_report):
    assert not verify_report.violated
    for theorem_id in THEOREMS:
        verdicts = {r.verdict for r in verify_report.results if r.theorem.id == theorem_id}
        assert Verdict.HOLDS in verdicts, theorem_id


def test_holds_only_on_settled_precision_checked_runs(verify_report):
    for result in verify_report.results:
        if result.verdict is Verdict.HOLDS:
            assert result.evidence["status"] != "undecided"
            assert result.evidence["precision_check"]["agrees"]
            assert all(f.ok for f in result.hypotheses) and result.conclusion.ok
            assert all(p.proved for p in result.proofs)


def test_provenance_labels():
    """Paper claims say they are this project's formalisation; derived ones carry proofs."""
    for theorem in THEOREMS.values():
        assert theorem.provenance in ("paper-claim", "derived") or theorem.provenance.startswith("anchor:")
        if theorem.provenance == "paper-claim":
            assert PAPER_CLAIM_NOTE in theorem.note
        if theorem.provenance == "derived":
            assert theorem.proofs() and all(p.proved for p in theorem.proofs())


def test_square_loss_balancing_is_hypotheses_not_met():
    result = api.check("balancing", loss="quadratic", h="0.4", init=["3", "0.5"])
    assert result.verdict is Verdict.HYPOTHESES_NOT_MET
    assert [f.name for f in result.hypotheses if not f.ok] == ["bounded slope", "step below balancing limit"]


@pytest.mark.parametrize(
    "theorem, parameters",
    [("balancing", {"bound_factor": 1.0}), ("eos-v1", {"delta": 0.01})],
    ids=["balancing bound without its factor 2", "EoS window far too narrow"],
)
def test_a_wrong_variant_is_caught_as_violated(theorem, parameters):
    """The checker can fail: a deliberately wrong statement is violated on some default case."""
    wrong = get_theorem(theorem).with_parameters(**parameters)
    verdicts = [wrong.check(case).verdict for case in wrong.cases]
    assert Verdict.VIOLATED in verdicts


def test_dropping_a_hypothesis_yields_a_confirmed_counterexample():
    """T1 without good regularity, on the square loss: GD diverges — a real, precision-confirmed counterexample."""
    result = api.check("convergence", loss="quadratic", h="0.5", init=["8", "0.3"], without=["good regularity"])
    assert result.verdict is Verdict.VIOLATED
    assert result.evidence["status"] == "diverged"
    assert result.evidence["precision_check"]["same_status"]
    assert result.evidence["counterexample"]["confirmed_at_dps"] > result.case.dps


def test_precision_disagreement_makes_a_verdict_inconclusive():
    """At 30 digits the A3 example's sign of y∞ is decided by lost digits: the self-check catches it."""
    theorem = get_theorem("zhu2023-eos-minimum")
    case = dataclasses.replace(theorem.cases[0], dps=30)
    result = theorem.check(case)
    assert result.verdict is Verdict.INCONCLUSIVE
    assert not result.evidence["precision_check"]["agrees"]


def test_unsettled_runs_are_never_holds():
    result = api.check("sharpness-bound", objective="(x^2-1)^2/4", variables=["x"], h="1.9", init=["0.3"], max_steps=2000)
    assert result.verdict is Verdict.INCONCLUSIVE


def test_rate_predictions_bound_the_actual_step_counts(verify_report):
    for result in verify_report.results:
        if result.theorem.id == "rate" and result.verdict is Verdict.HOLDS:
            assert 0 < result.evidence["rho"] < 1
            assert result.evidence["actual_steps"] <= result.evidence["predicted_steps"]


def test_general_objective_on_a_product_theorem_is_not_met():
    result = get_theorem("convergence").check(Case(objective="x^2 + y^2", variables=("x", "y"), h="0.1", init=("1", "1")))
    assert result.verdict is Verdict.HYPOTHESES_NOT_MET


def test_unknown_parameters_and_hypotheses_are_refused():
    with pytest.raises(api.LlgdInputError):
        api.check("eos", loss="logcosh", h="0.9", init=["20", "0.1"], parameters={"delat": 0.1})
    with pytest.raises(api.LlgdInputError):
        get_theorem("convergence").without("nonexistent")
