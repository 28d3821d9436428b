"""T1c proved on a box (theorems/basins.py): "holds" only when the certified areas separate, exactly."""

from fractions import Fraction

from llgd_proof import api
from llgd_proof.checker.basins import recheck_basin
from llgd_proof.theorems import Case, Verdict, get_theorem

THEOREM = get_theorem("convergence-basins")


def _areas(evidence: dict, role: str) -> tuple[Fraction, Fraction]:
    """(C, D + P): the certified converging share and the certified share that does not converge."""
    fractions = evidence[role]["fractions"]
    return Fraction(fractions["converges"]), Fraction(fractions["diverges"]) + Fraction(fractions["periodic"])


def test_the_verdict_is_the_exact_comparison_of_two_rechecked_certificates():
    """On the built-in case the verdict follows from the certified areas alone, and both certificates, computed
    again through the API, pass the independent checker with the same fractions."""
    case = THEOREM.cases[0]
    result = THEOREM.check(case)
    evidence = result.evidence
    (c_good, d_good), (c_square, d_square) = _areas(evidence, "good"), _areas(evidence, "square")
    assert 0 <= c_good + d_good <= 1 and 0 <= c_square + d_square <= 1
    expected = Verdict.HOLDS if c_good > 1 - d_square else Verdict.VIOLATED if c_square > 1 - d_good else Verdict.INCONCLUSIVE
    assert result.verdict is expected
    assert (evidence.get("established") == "proved") == (expected is not Verdict.INCONCLUSIVE)
    for role, loss, mu in (("good", case.loss, case.mu), ("square", "quadratic", evidence["mu"])):
        again = api.basin(loss=loss, mu=mu, h=case.h, box=evidence["box"], depth=evidence["depth"])
        checked = recheck_basin(again.certificate)
        assert checked.valid and again.fractions == evidence[role]["fractions"]


def test_equal_behaviour_is_never_proved_more_likely():
    """Where both losses converge from the whole box (small h, starts near M), the square loss's converging area is
    certified positive, so 1 − D_square ≥ C_square > 0 leaves no room: the comparison cannot hold — and since the good
    loss converges too, it is not violated either."""
    case = Case(loss="logcosh", h="0.3", init=("1", "1"), parameters={"x_min": 0.9, "x_max": 1.1, "y_min": 0.9, "y_max": 1.1, "depth": 2})
    result = THEOREM.check(case)
    c_square, _ = _areas(result.evidence, "square")
    c_good, _ = _areas(result.evidence, "good")
    assert c_square > 0 and c_good > 0
    assert result.verdict is not Verdict.HOLDS and result.verdict is not Verdict.VIOLATED


def test_the_square_loss_itself_does_not_meet_the_hypothesis():
    result = THEOREM.check(Case(loss="quadratic", h="0.9", init=("1", "1"), parameters={"depth": 0}))
    assert result.verdict is Verdict.HYPOTHESES_NOT_MET
