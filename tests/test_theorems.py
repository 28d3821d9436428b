"""The theorem library gives honest verdicts — and is shown to be able to fail."""

import dataclasses

import pytest

from llgd_proof import api
from llgd_proof.theorems import THEOREMS, Case, Verdict, get_theorem
from llgd_proof.theorems.base import PAPER_CLAIM_NOTE


def test_every_current_theorem_holds_somewhere(verify_report):
    for theorem_id, theorem in THEOREMS.items():
        if theorem.status == "current":
            verdicts = {r.verdict for r in verify_report.results if r.theorem.id == theorem_id}
            assert verdicts, theorem_id
            assert Verdict.HOLDS in verdicts, theorem_id


def test_every_refuted_counterexample_violates_its_variant_again(verify_report):
    """History is kept honestly: each refuted variant's recorded counterexample still violates it."""
    refuted = {check.theorem.id: check for check in verify_report.refuted}
    assert "convergence-v1" in refuted
    for check in verify_report.refuted:
        assert check.still_violated, check.theorem.id


def test_t1_v1_counterexample_diverges_and_v2_excludes_it():
    """log cosh(s − ½), h = 1.48 < 1/(μℓ''(μ)) = 2, θ0 = (0.1, 2.4): GD diverges (v1 violated); h > √2/G = √2 so v2's
    hypotheses are not met; at h = 1.41 ≤ √2 the same start converges (v2 holds)."""
    v1, v2 = get_theorem("convergence-v1"), get_theorem("convergence")
    found = v1.check(v1.counterexample)
    assert found.verdict is Verdict.VIOLATED and found.evidence["status"] == "diverged"
    assert found.evidence["precision_check"]["same_status"]
    excluded = v2.check(v1.counterexample)
    assert excluded.verdict is Verdict.HYPOTHESES_NOT_MET
    assert [f.name for f in excluded.hypotheses if not f.ok] == ["step below balancing limit"]
    assert v2.check(dataclasses.replace(v1.counterexample, h="1.41")).verdict is Verdict.HOLDS


def test_version_history_links_both_ways():
    for theorem in THEOREMS.values():
        assert theorem.status in ("current", "refuted") and theorem.kind in ("pointwise", "comparative", "consistency")
        if theorem.status == "refuted":
            assert theorem.counterexample is not None and theorem.reproduce.startswith("llgd ")
            assert theorem.replaced_by in THEOREMS and THEOREMS[theorem.replaced_by].status == "current"
            assert THEOREMS[theorem.replaced_by].version > theorem.version
        if theorem.replaces:
            assert THEOREMS[theorem.replaces].replaced_by == theorem.id


def test_search_finds_a_refuted_variant_again_when_pointed_at_it():
    """The searched phase can fail: aimed at T1 v1 with μ ≤ ½ and h near the step limit it finds a confirmed
    violation (checked again at 20 more digits), and the violation reproduces."""
    from llgd_proof.search.families import search_counterexamples, search_space

    space = search_space({"losses": ("logcosh",), "mu": (0.25, 0.5), "fraction": (0.6, 0.99), "box": ((0.05, 3.0), (0.05, 3.0))})
    report = search_counterexamples(get_theorem("convergence-v1"), budget_seconds=60, seed=3, space=space)
    assert report.violations, report.counts
    found = report.violations[0]
    assert found.verdict is Verdict.VIOLATED and found.evidence["status"] == "diverged"
    assert get_theorem("convergence-v1").check(found.case).verdict is Verdict.VIOLATED


def test_verify_json_has_the_phases():
    data = api.verify(["convergence", "convergence-v1"], budget_seconds=2, seed=5).as_json()
    assert data["budget_seconds"] == 2 and data["seed"] == 5
    assert sum(data["searched"].values()) >= 1 and data["searches"][0]["theorem"] == "convergence"
    assert [r["id"] for r in data["refuted"]] == ["convergence-v1"] and data["refuted"][0]["still_violated"]
    assert data["refuted"][0]["counterexample"]["h"] == "1.48"
    assert sum(data["fixed"].values()) == len(get_theorem("convergence").cases)
    assert data["ok"] is True  # the refuted variant's violation does not count against verify


def test_consistency_checks_are_apart():
    assert get_theorem("balancing").kind == "consistency" and get_theorem("kreisler-gfs").kind == "consistency"
    data = api.verify(["balancing", "convergence"], budget_seconds=0).as_json()
    assert sum(data["consistency"].values()) == len(get_theorem("balancing").cases)
    assert sum(data["fixed"].values()) == len(get_theorem("convergence").cases)


def test_square_loss_is_decided_by_sympy_not_by_name():
    spelled = api.check("wang2022-balancing", loss="(s-1)**2/2", h="0.4", init=["3", "0.5"])
    assert spelled.verdict is Verdict.HOLDS and spelled.hypotheses[0].ok
    assert api.check("wang2022-balancing", loss="logcosh", h="0.4", init=["3", "0.5"]).hypotheses[0].ok is False


def test_a_product_objective_in_disguise_gets_the_product_theorems():
    """¼(x²y² − 1)² is ℓ(xy) with ℓ = (s² − 1)²/4: Zhu et al.'s reference limit is reproduced from the objective."""
    result = api.check("zhu2023-eos-minimum", objective="(x**2*y**2-1)**2/4", variables=["x", "y"], h="0.05", init=["6", "0.2"], dps=50, max_steps=60_000)
    # the early transient is chaotic (50-digit iterates keep no digit past step ~200, on mpmath and on Arb
    # alike), so which well xy = ±1 is reached hangs on rounding; when the self-check (mpmath, 75 digits)
    # lands in the other well the verdict is honestly inconclusive — never violated
    check = result.evidence["precision_check"]
    assert result.verdict is Verdict.HOLDS or (result.verdict is Verdict.INCONCLUSIVE and not check["same_limit"])
    assert [abs(v) for v in result.evidence["eos_minimum"]] == pytest.approx([4.4651531, 0.2239565], rel=1e-3)


def test_chen_bruna_minimiser_is_computed_and_a_given_one_checked():
    """(x² − 2)²/4: x* = √2, f''(x*) = 4, so ηf''(x*) = 2.4 at η = 0.6; the point x = 1 is refused as a minimiser."""
    result = api.check("chen-bruna-two-cycle", objective="(x**2-2)**2/4", variables=["x"], h="0.6", init=["1.3"])
    assert result.evidence["minimiser"] == pytest.approx(2**0.5, rel=1e-15)
    assert result.evidence["eta_times_curvature"] == pytest.approx(2.4, rel=1e-15)
    assert result.verdict is Verdict.HOLDS
    wrong = api.check("chen-bruna-two-cycle", objective="(x**2-2)**2/4", variables=["x"], h="0.6", init=["1.3"], parameters={"minimiser": 1.0})
    assert wrong.verdict is Verdict.HYPOTHESES_NOT_MET and "not a critical point" in wrong.hypotheses[1].detail


def test_holds_only_on_settled_precision_checked_runs(verify_report):
    for result in verify_report.results:
        if result.verdict is Verdict.HOLDS and result.theorem.kind != "comparative":  # comparative: sampled float64 evidence
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
    """T1 without good regularity (and G < ∞), on the square loss: GD diverges — a real, precision-confirmed counterexample."""
    result = api.check("convergence", loss="quadratic", h="0.5", init=["8", "0.3"], without=["good regularity", "step below balancing limit"])
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


def test_verify_budget_and_seed_are_validated_and_a_bad_budget_exits_2(capsys):
    from llgd_proof.cli.main import main

    assert main(["verify", "--only", "convergence-v1", "--budget", "-1"]) == 2
    assert capsys.readouterr().err.startswith("llgd: error:")
    assert main(["verify", "--only", "convergence-v1", "--budget", "0", "--seed", "4", "--json"]) == 0  # refuted: expected violation
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["seed"] == 4 and data["refuted"][0]["still_violated"] and data["ok"]


def test_theorems_json_and_text_show_history(capsys):
    import json

    from llgd_proof.cli.main import main

    assert main(["theorems", "--json"]) == 0
    listing = {item["id"]: item for item in json.loads(capsys.readouterr().out)}
    assert all({"status", "version", "note", "kind", "hypotheses"} <= set(item) for item in listing.values())
    assert listing["convergence"]["version"] == 2 and listing["convergence"]["replaces"] == "convergence-v1"
    refuted = listing["convergence-v1"]
    assert refuted["status"] == "refuted" and refuted["replaced_by"] == "convergence"
    assert refuted["counterexample"]["init"] == ["0.1", "2.4"] and refuted["counterexample"]["mu"] == "0.5"
    assert main(["theorems"]) == 0
    text = capsys.readouterr().out
    assert "v1, refuted" in text and "reproduce: llgd check convergence-v1" in text
