"""Issue 9 part 6: a ``holds`` is established by a proof or only checked numerically, and a proof never
contradicts the numbers of the same case."""

import dataclasses

import mpmath
import pytest

from llgd_proof.experiments.verification import CHECKED, PROVED, establish, verify
from llgd_proof.theorems import Verdict

PROVABLE_IDS = ["convergence", "eos", "rate", "zhu2023-eos-minimum", "ahn2023-eos", "chen-bruna-two-cycle"]


@pytest.fixture(scope="module")
def report():
    return verify(PROVABLE_IDS, budget_seconds=0)


def _distance_outside(box, point):
    """How far a point lies outside a box of decimal [lo, hi] strings (0 inside)."""
    with mpmath.workdps(60):
        return max(max(mpmath.mpf(lo) - v, v - mpmath.mpf(hi), 0) for (lo, hi), v in zip(box, point))


def test_every_proved_limit_box_contains_the_numeric_limit_of_the_same_case(report):
    """The numeric run stops within about τ·max(1, ‖θ‖) of its limit, so the rigorous box must reach it."""
    proved = [r for r in report.results if r.evidence.get("established") == PROVED and r.evidence["status"] == "converged"]
    assert len(proved) >= 10
    with mpmath.workdps(60):
        for result in proved:
            limit = [mpmath.mpf(v) for v in result.evidence["limit_digits"]]
            slack = result.evidence["tolerance"] * max([1.0] + [abs(float(v)) for v in limit])
            box = result.evidence["proof"]["limit_box"]
            assert _distance_outside(box, limit) <= slack, (result.theorem.id, result.case, box, limit)
            assert result.evidence["proof"]["outcome"] == "converges"


def test_every_proved_two_cycle_contains_the_numeric_orbit(report):
    cycles = [r for r in report.results if r.evidence.get("established") == PROVED and r.evidence["status"] == "periodic"]
    assert len(cycles) >= 2
    for result in cycles:
        proof = result.evidence["proof"]
        assert proof["outcome"] == "periodic" and proof["period"] == 2 and proof["stable"] is not None
        for point in result.evidence["limit"]:
            slack = result.evidence["tolerance"] * max([1.0] + [abs(v) for v in point])
            assert min(_distance_outside(box, point) for box in proof["orbit_boxes"]) <= slack


def test_every_holds_says_how_it_is_established_and_nothing_else_does(report):
    """A holds is "proved" exactly when its proof record says proved (and no conflict); the JSON count is the number of
    written results marked proved."""
    data = report.as_json()
    for result in report.results:
        if result.verdict is Verdict.HOLDS:
            assert result.evidence["established"] in (PROVED, CHECKED)
            assert "proof_conflict" not in result.evidence
            proof_says_proved = result.evidence.get("proof", {}).get("proved") is True
            assert (result.evidence["established"] == PROVED) == proof_says_proved, (result.theorem.id, result.case)
        else:
            assert "established" not in result.evidence
    assert data["proved"] == sum(1 for written in data["results"] if written["evidence"].get("established") == PROVED)
    assert data["proof_attempts"] == sum(1 for written in data["results"] if "proof" in written["evidence"]) >= data["proved"]


@pytest.mark.parametrize(("status", "conflict"), [("converged", "not at the numeric limit"), ("periodic", "not in a proved orbit box")])
def test_a_proof_away_from_the_numbers_is_a_conflict_not_a_proof(report, status, conflict):
    """The consistency check can refuse: the same case with its numeric limit (or orbit) moved by 1 keeps a valid
    proof, which now contradicts the numbers, so the holds is only "checked numerically", with the conflict named."""
    result = next(r for r in report.results if r.evidence.get("established") == PROVED and r.evidence["status"] == status)
    moved = {key: value for key, value in result.evidence.items() if key not in ("established", "proof")}
    shift = (lambda point: [v + 1 for v in point])
    moved["limit"] = shift(moved["limit"]) if status == "converged" else [shift(point) for point in moved["limit"]]
    doctored = establish(dataclasses.replace(result, evidence=moved))
    assert doctored.evidence["proof"]["proved"] is True
    assert doctored.evidence["established"] == CHECKED and conflict in doctored.evidence["proof_conflict"]
