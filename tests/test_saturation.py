"""The saturation lemma (checker/saturation.py): divergence of GD on ℓ(xy) for a loss with a saturating slope.

Starts inside the proved set diverge in an independent mpmath loop, at the lemma's rate; starts that converge are
never certified; tampered certificates fail; T1 v1's counterexample is proved, and `llgd prove`/`recheck` round-trip.
"""

import copy
import json

import mpmath
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llgd_proof import checker
from llgd_proof.checker.problem import problem_from_inputs
from llgd_proof.checker.saturation import tail_failures
from llgd_proof.cli.main import main
from llgd_proof.experiments.verification import verify
from llgd_proof.proofs.prover import prove

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def _inputs(h: str, init, loss: str = "logcosh", mu: str | None = "0.5") -> dict:
    return {"loss": loss, "mu": mu, "dim": 1, "objective": None, "variables": [], "h": h, "init": [str(v) for v in init]}


def _saturation(inputs: dict, steps: int, s_min: str = "3"):
    return checker.derive({"kind": checker.KIND, "version": checker.VERSION, "outcome": "diverges", "method": "saturation", "inputs": inputs,
                           "bits": 256, "steps_enclosed": steps, "enclosure_scheme": "centred", "s_min": s_min})


def _gd(h: str, mu: str, x: str, y: str, steps: int):
    """An independent 60-digit GD loop on log cosh(xy − μ): the (x, y) iterates."""
    with mpmath.workdps(60):
        h_, mu_, x_, y_ = (mpmath.mpf(v) for v in (h, mu, x, y))
        orbit = [(x_, y_)]
        for _ in range(steps):
            t = h_ * mpmath.tanh(x_ * y_ - mu_)
            x_, y_ = x_ - t * y_, y_ - t * x_
            orbit.append((x_, y_))
    return orbit


def test_t1_v1_counterexample_is_proved_and_rechecks(tmp_path, capsys):
    """log cosh(s − ½), h = 1.48, θ0 = (0.1, 2.4) (theory.md T1 v1): proved to diverge, and the CLI round-trips."""
    result = prove(loss="logcosh", mu="0.5", h="1.48", init=["0.1", "2.4"])
    assert result.outcome == "diverges", result.reason
    assert result.method == "saturation" and checker.recheck(result.certificate).valid
    facts = result.saturation
    assert float(facts["drift_bound"]) <= float(facts["alpha"]) and float(facts["growth"]) > 1
    # the folded angle is where the 60-digit orbit puts it: log|u/v| alternates between b and b − C*
    x, y = _gd("1.48", "0.5", "0.1", "2.4", result.steps_enclosed)[-1]
    with mpmath.workdps(60):
        angle = mpmath.log(abs(x + y)) - mpmath.log(abs(x - y))
        folded = angle if x * y > 0 else angle + mpmath.log(mpmath.mpf("2.48") / mpmath.mpf("0.48"))
        assert mpmath.mpf(facts["folded_angle"][0]) <= folded <= mpmath.mpf(facts["folded_angle"][1])
    path = tmp_path / "diverges.json"
    assert main(["prove", "--loss", "logcosh", "--mu", "0.5", "--h", "1.48", "--init", "0.1,2.4", "--certificate", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "diverges" and data["method"] == "saturation" and data["saturation"]["s_min"] == "3"
    assert main(["recheck", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"valid": True, "outcome": "diverges", "failures": []}
    assert main(["prove", "--loss", "logcosh", "--mu", "0.5", "--h", "1.48", "--init", "0.1,2.4"]) == 0
    assert "saturation lemma" in capsys.readouterr().out


def _start(h: float, mu: float, size: float, angle_fraction: float, flip: bool) -> tuple[dict, str, str]:
    """A start with |x² − y²| = size² and log|u/v| = ± angle_fraction·C*/1.55 (across and beyond the window (0, C*))."""
    h_text, mu_text = f"{h:.3f}", f"{mu:.3f}"
    saturated = mpmath.log((mpmath.mpf(h_text) + 1) / (mpmath.mpf(h_text) - 1))
    angle = float(saturated) * angle_fraction / 1.55 * (-1 if flip else 1)
    u, v = size * float(mpmath.exp(angle / 2)), size * float(mpmath.exp(-angle / 2))
    x, y = f"{(u + v) / 2:.6f}", f"{(u - v) / 2:.6f}"
    return _inputs(h_text, (x, y), mu=mu_text), x, y


@SLOW
@given(st.floats(1.45, 2.5), st.floats(-0.5, 0.9), st.floats(2.0, 30.0), st.floats(0.05, 1.5), st.booleans())
def test_starts_in_the_proved_set_diverge_at_the_lemma_rate(h, mu, size, angle_fraction, flip):
    """Property: a start at which the lemma's Arb conditions hold (K = 0) has |x_k² − y_k²| ≥ g^k·|x_0² − y_0²| along
    an independent 60-digit loop, and x_k² + y_k² passes 10²⁰."""
    inputs, x, y = _start(h, mu, size, angle_fraction, flip)
    derived, failures = _saturation(inputs, 0)
    if failures:
        return
    growth = mpmath.mpf(derived["saturation"]["growth"])
    orbit = _gd(inputs["h"], inputs["mu"], x, y, 600)
    with mpmath.workdps(60):
        d0 = abs(orbit[0][0] ** 2 - orbit[0][1] ** 2)
        for k, (xk, yk) in enumerate(orbit):
            assert abs(xk**2 - yk**2) >= growth**k * d0 * (1 - mpmath.mpf(10) ** -30), (k, inputs, x, y)
        assert orbit[-1][0] ** 2 + orbit[-1][1] ** 2 > 10**20


def test_the_proved_set_is_not_empty():
    """The property above is not vacuous: most starts of its range with a large |x² − y²| and log|u/v| well inside
    (0, C*) satisfy the lemma at K = 0 (and a balanced start, log|u/v| near 0, does not)."""
    grid = [(h, mu, size, fraction, flip) for h in (1.5, 2.0, 2.5) for mu in (-0.5, 0.5) for size in (10.0, 30.0) for fraction in (0.5, 0.8) for flip in (False, True)]
    certified = sum(not _saturation(_start(*point)[0], 0)[1] for point in grid)
    assert certified >= 0.75 * len(grid), certified
    assert _saturation(_start(2.0, 0.5, 10.0, 0.001, False)[0], 0)[1]


def _converges(h: str, mu: str, x: str, y: str) -> bool:
    with mpmath.workdps(40):
        for xk, yk in _gd(h, mu, x, y, 3000)[-1:]:
            return abs(xk * yk - mpmath.mpf(mu)) < mpmath.mpf(10) ** -25 and xk**2 + yk**2 < 100


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.sampled_from([("2", "0.25"), ("1.6", "0.5"), ("0.9", "1"), ("1.48", "0.5")]), st.floats(0.05, 4.0), st.floats(0.05, 4.0))
def test_a_converging_start_is_never_certified_diverging(case, x0, y0):
    """Property (soundness): a same-sign start from which 60-digit GD converges gets no saturation certificate at any K."""
    h, mu = case
    x, y = f"{x0:.4f}", f"{y0:.4f}"
    if not _converges(h, mu, x, y):
        return
    for steps in (0, 3, 10, 30, 100):
        assert _saturation(_inputs(h, (x, y), mu=mu), steps)[1], (h, mu, x, y, steps)


def test_converging_starts_exist_where_the_lemma_could_apply():
    """Not vacuous: at h = 2, μ = ¼ (hG = 2 > √2) starts near the minimisers converge, and none is certified."""
    found = 0
    for x0 in ("0.4", "0.5", "0.6"):
        y0 = str(round(0.25 / float(x0), 4))
        assert _converges("2", "0.25", x0, y0)
        found += 1
        assert all(_saturation(_inputs("2", (x0, y0), mu="0.25"), k)[1] for k in (0, 10, 50))
    assert found == 3
    assert prove(loss="logcosh", mu="0.25", h="2", init=["0.5", "0.5"]).outcome != "diverges"


def test_tampered_certificates_are_rejected():
    certificate = prove(loss="logcosh", mu="0.5", h="1.48", init=["0.1", "2.4"]).certificate
    assert checker.recheck(certificate).valid
    tampers = {
        "s_min below the √2 threshold": lambda c: c.__setitem__("s_min", "1"),
        "too early a step": lambda c: c.__setitem__("steps_enclosed", 5),
        "drift bound": lambda c: c["saturation"].__setitem__("drift_bound", "0.001"),
        "folded angle": lambda c: c["saturation"]["folded_angle"].__setitem__(0, "0.6"),
        "h below √2/G": lambda c: c["inputs"].__setitem__("h", "1.4"),
        "another loss": lambda c: c["inputs"].__setitem__("loss", "quadratic"),
        "the one-variable method": lambda c: c.pop("method"),
    }
    for name, tamper in tampers.items():
        changed = copy.deepcopy(certificate)
        tamper(changed)
        try:
            outcome = checker.recheck(changed)
        except checker.CertificateError:
            continue
        assert not outcome.valid and outcome.failures, name


def test_tail_facts_refused_for_unbounded_or_asymmetric_slopes():
    """sympy refuses the tail hypotheses where they are false: an unbounded slope, limits ±G of unequal size, an
    oscillating slope (no limit; ℓ'' changes sign)."""
    good = problem_from_inputs(_inputs("1.48", ("0.1", "2.4")))
    assert tail_failures(good, "3") == []
    for loss in ("(s - 1)**2/2", "log(cosh(s)) + s/2", "log(cosh(s)) + sin(s)/4"):
        assert tail_failures(problem_from_inputs(_inputs("1.48", ("0.1", "2.4"), loss=loss, mu=None)), "3"), loss
    assert prove(loss="quadratic", h="0.5", init=["8", "0.3"]).outcome == "not-proved"


def test_verify_reports_the_refuted_counterexample_as_proved():
    """`llgd verify`'s refuted section: T1 v1's counterexample is "still violated (proved)"; without proofs it is not."""
    from llgd_proof.report.text import format_verify

    data = verify(["convergence-v1"], budget_seconds=0, proof_seconds=4).as_json()
    (item,) = data["refuted"]
    assert item["still_violated"] and item["proved"] and item["proof"]["outcome"] == "diverges"
    assert "still violated (proved)" in format_verify(data)
    data = verify(["convergence-v1"], budget_seconds=0, proof_seconds=0).as_json()
    assert data["refuted"][0]["still_violated"] and not data["refuted"][0]["proved"] and "proof" not in data["refuted"][0]
    assert "still violated (proved)" not in format_verify(data)


def test_a_loss_too_large_for_sympys_limits_is_refused_before_they_run():
    """Gruntz's limits have no time bound of their own: a sum of five shifted log coshes (over 12 minutes of sympy)
    is refused in one sentence, while log cosh itself is still proved."""
    def problem(loss):
        return problem_from_inputs({"loss": loss, "mu": None, "dim": 1, "objective": None, "variables": [], "h": "1.48", "init": ["0.1", "2.4"]})

    large = "log(cosh(s - 1/2))" + "".join(f" + log(cosh(s - {i}/7))/{i + 2}" for i in range(5))
    assert any("operations" in failure for failure in tail_failures(problem(large), "2"))
    assert tail_failures(problem("log(cosh(s - 1/2))"), "2") == []
