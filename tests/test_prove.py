"""Computer-assisted proofs: proved limits contain the 50-digit limits, orbits match closed forms,
certificates re-check, and a tampered certificate fails."""

import copy
import json
import shutil
import subprocess

import mpmath
import pytest

from llgd_proof.analysis.regularity import report_for
from llgd_proof.checker import recheck
from llgd_proof.cli.main import main
from llgd_proof.engines.precise import gradient_descent
from llgd_proof.engines.stopping import Status
from llgd_proof.errors import LlgdInputError
from llgd_proof.proofs.certificate import latex_document
from llgd_proof.proofs.prover import prove, prove_case
from llgd_proof.theorems import get_theorem


def _default_cases():
    """The T1/T3/T6 default cases with good losses on which the theorem holds (deduplicated); the cases that show a
    failed hypothesis (e.g. T1 v1's diverging counterexample, kept beside v2) are not claimed to converge."""
    seen, cases = set(), []
    for theorem_id in ("convergence", "eos", "rate"):
        theorem = get_theorem(theorem_id)
        for case in theorem.cases:
            key = (case.loss, case.mu, case.h, case.init, case.dim)
            if key in seen or case.loss is None or report_for(case.build().loss).growth.regularity_class != "good":
                continue
            if theorem.check(case, precision_check=False).verdict.value != "holds":
                continue
            seen.add(key)
            cases.append(case)
    return cases


CASES = _default_cases()
_PROOFS = {}


def _proof(case):
    key = (case.loss, case.h, case.init, case.dim)
    if key not in _PROOFS:
        _PROOFS[key] = prove_case(case)
    return _PROOFS[key]


def _inside(pair, value, slack=0) -> bool:
    with mpmath.workdps(60):
        return mpmath.mpf(pair[0]) - slack <= value <= mpmath.mpf(pair[1]) + slack


def test_there_are_default_cases_to_prove():
    assert len(CASES) >= 7


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.loss}-h{c.h}-{'-'.join(c.init)}")
def test_default_case_proved_and_limit_box_contains_the_mpmath_limit(case):
    result = _proof(case)
    assert result.outcome == "converges", result.reason
    objective = case.build()
    run = gradient_descent(objective, case.h, list(case.init), dps=50, max_steps=40_000, tolerance=mpmath.mpf(10) ** -45)
    assert run.status is Status.CONVERGED
    slack = mpmath.mpf(10) ** -40  # the 50-digit run stops at a gradient of 1e-45, within ~1e-44 of its limit
    with mpmath.workdps(60):
        for pair, value in zip(result.limit_box, run.final):
            assert _inside(pair, value, slack), (pair, value)
            assert mpmath.mpf(pair[1]) - mpmath.mpf(pair[0]) < mpmath.mpf(10) ** -20
        compiled = objective.compiled("mpmath")
        with mpmath.workdps(50):
            ratio = run.h * compiled.sharpness(run.final) / 2
            imbalance = compiled.imbalance(*run.final)
        for pair, value in ((result.eos_ratio, ratio), (result.imbalance, imbalance)):
            assert mpmath.mpf(pair[0]) - slack <= value <= mpmath.mpf(pair[1]) + slack, (pair, value)
            assert mpmath.mpf(pair[1]) - mpmath.mpf(pair[0]) < mpmath.mpf(10) ** -20
    assert recheck(result.certificate).valid


def test_quartic_two_cycle_proved_stable_with_the_closed_form_multiplier():
    """A4: f = ¼(x² − 1)², η = 1.1 > 1: the 2-cycle is (√(1 + 3/η) ± √(1 − 1/η))/2, multiplier 9 − 2(1 + η)²."""
    result = prove(objective="(x**2 - 1)**2/4", variables=["x"], h="1.10", init=["0.5"])
    assert result.outcome == "periodic" and result.period == 2 and result.stable
    with mpmath.workdps(60):
        eta = mpmath.mpf("1.1")
        points = sorted([(mpmath.sqrt(1 + 3 / eta) + s * mpmath.sqrt(1 - 1 / eta)) / 2 for s in (1, -1)])
        boxes = sorted(result.orbit_boxes, key=lambda box: mpmath.mpf(box[0][0]))
        for box, point in zip(boxes, points):
            assert _inside(box[0], point)
        assert _inside(result.multiplier, 9 - 2 * (1 + eta) ** 2)
    assert mpmath.mpf(result.multiplier[1]) < 1
    assert recheck(result.certificate).valid


def _bump(text: str, position: int) -> str:
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    i = digits[position]
    return text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]


def test_tampered_certificates_fail():
    certificate = _proof(CASES[0]).certificate
    assert recheck(certificate).valid
    tampers = {
        "rho": lambda c: c.__setitem__("rho", _bump(c["rho"], 6)),
        "region": lambda c: c["region"]["q_window"].__setitem__(1, _bump(c["region"]["q_window"][1], 9)),
        "r_bar": lambda c: c["region"].__setitem__("r_bar", _bump(c["region"]["r_bar"], 3)),
        "enclosure": lambda c: c["enclosure"][1].__setitem__(0, _bump(c["enclosure"][1][0], 25)),
        "limit": lambda c: c["limit_box"][0].__setitem__(0, _bump(c["limit_box"][0][0], 30)),
        "steps": lambda c: c.__setitem__("steps_enclosed", c["steps_enclosed"] + 1),
        "h": lambda c: c["inputs"].__setitem__("h", c["inputs"]["h"] + "1"),
    }
    for name, tamper in tampers.items():
        changed = copy.deepcopy(certificate)
        tamper(changed)
        outcome = recheck(changed)
        assert not outcome.valid and outcome.failures, name
    four = next(case for case in CASES if case.dim == 2)  # the naive-ball scheme (four variables)
    changed = copy.deepcopy(_proof(four).certificate)
    assert changed["enclosure_scheme"] == "naive" and recheck(changed).valid
    changed["enclosure"][2][1] = _bump(changed["enclosure"][2][1], 20)
    assert not recheck(changed).valid
    orbit = prove(objective="(x**2 - 1)**2/4", variables=["x"], h="1.10", init=["0.5"]).certificate
    changed = copy.deepcopy(orbit)
    changed["multiplier"][1] = _bump(changed["multiplier"][1], 4)
    assert not recheck(changed).valid
    changed = copy.deepcopy(orbit)
    changed["box"]["centre"][0][0] = _bump(changed["box"]["centre"][0][0], 8)  # the box misses the orbit
    assert not recheck(changed).valid


def test_malformed_certificates_are_bad_input(tmp_path):
    for broken in ({}, {"kind": "llgd-proof-certificate"}, {"kind": "llgd-proof-certificate", "outcome": "converges", "inputs": {}, "bits": 256}):
        with pytest.raises(LlgdInputError):  # CertificateError or the input error it wraps
            recheck(broken)
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    assert main(["recheck", str(path)]) == 2


def test_cli_prove_recheck_and_exit_codes(tmp_path, capsys):
    path = tmp_path / "proof.json"
    assert main(["prove", "--loss", "huber", "--h", "0.5", "--init", "6,0.3", "--certificate", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    fields = {"outcome", "reason", "steps_enclosed", "bits", "limit_box", "eos_ratio", "imbalance", "rho", "orbit_boxes", "multiplier", "seconds"}
    assert fields <= set(data) and data["outcome"] == "converges"
    assert main(["recheck", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"valid": True, "outcome": "converges", "failures": []}
    certificate = json.loads(path.read_text())
    certificate["rho"] = _bump(certificate["rho"], 2)
    path.write_text(json.dumps(certificate))
    assert main(["recheck", str(path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["valid"] is False
    # the square loss from a sharp start diverges numerically: nothing to prove, exit 1
    assert main(["prove", "--loss", "quadratic", "--h", "0.5", "--init", "8,0.3", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["outcome"] == "not-proved"
    assert main(["prove", "--loss", "huber", "--h", "-1", "--init", "6,0.3"]) == 2
    assert main(["prove", "--loss", "huber", "--h", "0.5", "--init", "6"]) == 2
    assert main(["recheck", str(tmp_path / "missing.json")]) == 2


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_proof_compiles(tmp_path):
    for result in (_proof(CASES[0]), prove(objective="(x**2 - 1)**2/4", variables=["x"], h="1.10", init=["0.5"])):
        source = tmp_path / "proof.tex"
        source.write_text(latex_document(result))
        completed = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name], cwd=tmp_path, capture_output=True, timeout=60)
        assert completed.returncode == 0, completed.stdout[-2000:]


def test_general_objective_convergence_by_contraction():
    """f = log(1 + x²) + (x − 2)²/8 (one variable) and a smooth two-variable objective: Banach on a certified ball (a gradient with a branch is not proved)."""
    from llgd_proof.symbolic.objective import general_objective

    for text, names, h, init in (("log(1+x**2) + (x-2)**2/8", ["x"], "0.5", ["3"]), ("log(1+x**2)/2 + (x-1)**2/2 + y**2/4 + x*y/8", ["x", "y"], "0.7", ["0.3", "1"])):
        result = prove(objective=text, variables=names, h=h, init=init)
        assert result.outcome == "converges", result.reason
        run = gradient_descent(general_objective(text, names), h, init, dps=50, tolerance=mpmath.mpf(10) ** -45)
        for pair, value in zip(result.limit_box, run.final):
            assert _inside(pair, value, mpmath.mpf(10) ** -40)
        certificate = result.certificate
        assert recheck(certificate).valid
        changed = copy.deepcopy(certificate)
        changed["ball"]["radius"] = "1e9"  # a ball on which F is no contraction
        assert not recheck(changed).valid
        changed = copy.deepcopy(certificate)
        changed["rho"] = _bump(changed["rho"], 3) if changed["rho"] != "0" else "0.5"
        assert not recheck(changed).valid


def test_divergence_certificate_one_variable():
    """A4's f = x²/2 + x⁴/4 at h = 2.05 diverges: |F(x)| ≥ c|x| beyond A is a sympy fact, |x_K| ≥ A a ball fact."""
    result = prove(objective="x**2/2 + x**4/4", variables=["x"], h="2.05", init=["0.1"])
    assert result.outcome == "diverges", result.reason
    assert recheck(result.certificate).valid
    changed = copy.deepcopy(result.certificate)
    changed["factor"] = "100"  # |F(x)| ≥ 100|x| is false near |x| = A
    assert not recheck(changed).valid
    changed = copy.deepcopy(result.certificate)
    changed["steps_enclosed"] = 0  # x_0 = 0.1 is inside the threshold
    changed["enclosure"] = [["0.1", "0.1"]]
    assert not recheck(changed).valid
    # convergent for small h: the same objective is not certified divergent
    assert prove(objective="x**2/2 + x**4/4", variables=["x"], h="0.5", init=["0.1"]).outcome == "converges"
