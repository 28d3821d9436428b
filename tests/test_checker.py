"""The independent proof checker: referee's cases, exact inputs, every stored field rechecked, bounded, load-free.

Independent loops here are written out by hand with mpmath (derivatives by hand), not with the library.
"""

import ast
import copy
import json
import os
import pathlib
import subprocess
import sys
import time
from fractions import Fraction

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import llgd_proof.checker as checker_package
from llgd_proof.checker import CertificateError, load, loads, recheck
from llgd_proof.cli.main import main
from llgd_proof.proofs.certificate import latex_document
from llgd_proof.proofs.prover import prove
from llgd_proof.symbolic import losses
from llgd_proof.symbolic.expressions import parse_expression, to_text

S = sympy.Symbol("s", real=True)


def _gd_limit(slope, x, y, h, steps, dps=90):
    """An independent GD loop for f = ℓ(xy) with ℓ' given by hand."""
    with mpmath.workdps(dps):
        x, y, h = mpmath.mpf(x), mpmath.mpf(y), mpmath.mpf(h)
        for _ in range(steps):
            g = slope(x * y)
            x, y = x - h * g * y, y - h * g * x
        return x, y


def _inside(pair, value) -> bool:
    with mpmath.workdps(90):
        return mpmath.mpf(pair[0]) <= value <= mpmath.mpf(pair[1])


# -- the referee's cases -------------------------------------------------------------------------------
def test_numeric_minimiser_case_encloses_the_true_limit():
    """ℓ = log cosh(s − 1.1)(1 + s²/10): μ was found numerically (a 25-digit Float) and the old proof's box missed
    the true y∞. Now μ is an interval certified by signs of ℓ', and the box holds the independent 90-digit limit."""
    result = prove(loss="log(cosh(s-1.1))*(1+s^2/10)", h="0.6", init=["1.5", "0.8"])
    assert result.outcome == "converges", result.reason

    def slope(s):
        c = mpmath.mpf("1.1")  # at the loop's 90 digits
        return mpmath.tanh(s - c) * (1 + s**2 / 10) + mpmath.log(mpmath.cosh(s - c)) * s / 5

    limit = _gd_limit(slope, "1.5", "0.8", "0.6", 3000)
    with mpmath.workdps(90):
        assert all(_inside(pair, value) for pair, value in zip(result.limit_box, limit)), (result.limit_box, limit)
        assert _inside(result.minimiser, limit[0] * limit[1])
    assert recheck(result.certificate).valid


def test_long_literal_is_exact_end_to_end():
    """(s − 1.00000000000000000001)²/2: the proof is about xy = 1 + 10⁻²⁰, not the float64 xy = 1."""
    result = prove(loss="(s-1.00000000000000000001)**2/2", h="0.3", init=["2", "0.4"])
    assert result.outcome == "converges", result.reason
    with mpmath.workdps(90):
        mu = mpmath.mpf(1) + mpmath.mpf(10) ** -20
        limit = _gd_limit(lambda s: s - mu, "2", "0.4", "0.3", 2000)
        assert all(_inside(pair, value) for pair, value in zip(result.limit_box, limit))
        assert _inside(result.minimiser, mu) and not _inside(result.minimiser, mpmath.mpf(1))
    assert recheck(result.certificate).valid


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"(0|[1-9][0-9]{0,29})(\.[0-9]{1,40})?([eE]-?[0-9]{1,2})?", fullmatch=True))
def test_every_literal_is_read_as_the_rational_it_spells(text):
    """Property: a decimal literal is read as exactly the rational its text spells (Python's Fraction is the oracle)."""
    assert parse_expression(text, {}) == sympy.Rational(Fraction(text))
    assert parse_expression(f"(s - {text})**2/2", {"s": S}) == (S - sympy.Rational(Fraction(text))) ** 2 / 2


@pytest.mark.parametrize("spec", ["huber", "huber:delta=0.5", "logcosh", "pseudo-huber", "gen-huber", "quartic", "log(cosh(s-1.1))*(1+s^2/10)"])
def test_a_loss_written_as_text_reads_back_as_the_same_loss(spec):
    expr = losses.parse_loss_spec(spec).expr
    assert sympy.simplify(parse_expression(to_text(expr), {"s": S}) - expr) == 0


def test_symbolic_and_numeric_minimiser_give_the_same_proof(monkeypatch):
    """Huber typed with where(...): whether sympy solves ℓ' = 0 in time (exact μ) or not (a numeric Float μ), the
    minimiser interval, the verdict and the whole certificate are the same."""
    spec = "where(abs(s-1) <= 1, (s-1)**2/2, abs(s-1) - 1/2)"
    exact = prove(loss=spec, h="0.5", init=["6", "0.3"])
    monkeypatch.setattr(losses, "_symbolic_critical_points", lambda loss: [])
    numeric = prove(loss=spec, h="0.5", init=["6", "0.3"])
    assert losses.parse_loss_spec(spec).minimiser_method == "numeric"
    assert exact.outcome == numeric.outcome == "converges"
    assert exact.certificate == numeric.certificate


def test_clock_and_budget_do_not_change_the_verdict(monkeypatch):
    """A machine under load (simulated: the clock runs a thousand times fast) gives the same certificate; a smaller
    nominal budget gives the same outcome or a not-proved that names the work budget, never another outcome."""
    arguments = {"loss": "logcosh", "h": "0.9", "init": ["20", "0.1"]}
    reference = prove(**arguments, max_seconds=4)
    ticks = iter(range(0, 10**9, 1000))
    monkeypatch.setattr(time, "perf_counter", lambda: float(next(ticks)))
    loaded = prove(**arguments, max_seconds=4)
    assert loaded.outcome == reference.outcome == "converges"
    assert loaded.certificate == reference.certificate
    monkeypatch.undo()
    for seconds in (0, 0.001, 0.01, 1, None):
        result = prove(**arguments, max_seconds=seconds)
        assert result.outcome == "converges" or "work budget" in result.reason


# -- every stored field is rechecked ------------------------------------------------------------------
CASES = {
    "region-centred": {"loss": "huber", "h": "0.5", "init": ["6", "0.3"]},
    "region-naive": {"loss": "logcosh", "dim": 2, "h": "0.9", "init": ["3", "0.5", "1", "1"]},
    "contraction": {"objective": "log(1+x**2) + (x-2)**2/8", "variables": ["x"], "h": "0.5", "init": ["3"]},
    "periodic": {"objective": "(x**2 - 1)**2/4", "variables": ["x"], "h": "1.10", "init": ["0.5"]},
    "diverges": {"objective": "x**2/2 + x**4/4", "variables": ["x"], "h": "2.05", "init": ["0.1"]},
}
_CERTIFICATES = {}


def _certificate(name):
    if name not in _CERTIFICATES:
        result = prove(**CASES[name])
        assert result.proved, result.reason
        _CERTIFICATES[name] = result.certificate
    return copy.deepcopy(_CERTIFICATES[name])


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, path + (index,))
    else:
        yield path, value


def _mutations(value):
    """Changes of meaning: a digit bumped (each position), an integer ±1, a flag flipped, a string replaced."""
    if isinstance(value, bool) or value is None:
        return [not value if isinstance(value, bool) else True, "1.5"]  # (a null mu is the catalogue's 1: "1" would mean the same)
    if isinstance(value, int):
        return [value + 1, value - 1]
    if isinstance(value, str):
        digits = [i for i, ch in enumerate(value) if ch.isdigit()]
        bumped = [value[:i] + str((int(value[i]) + 1) % 10) + value[i + 1 :] for i in digits]
        return bumped + [value + "7", "quadratic"]
    return ["1"]


def _accepted(certificate) -> bool:
    """True when recheck accepts the certificate (refused as malformed or found invalid: False)."""
    try:
        outcome = recheck(certificate)
    except CertificateError:
        return False
    assert outcome.valid or outcome.failures  # an invalid certificate always says why
    return outcome.valid


def _set(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_single_field_change_is_caught(name):
    """Property (exhaustive over the certificate's leaves, a sample of mutations each): any change of one stored
    field makes recheck fail — invalid, or refused as malformed — and the untouched certificate is valid."""
    certificate = _certificate(name)
    assert recheck(certificate).valid
    leaves = list(_leaves(certificate))
    assert len(leaves) >= 8
    for path, value in leaves:
        options = _mutations(value)
        for mutation in options[:: max(1, len(options) // 6)] + options[-2:]:
            changed = copy.deepcopy(certificate)
            _set(changed, path, mutation)
            assert not _accepted(changed), (path, value, mutation)
    for extra in ({"note": "trust me"}, {"seconds": 1.0}):
        assert not _accepted({**certificate, **extra})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(CASES)), data=st.data())
def test_a_random_field_change_is_caught(name, data):
    """Property (hypothesis-drawn, shrinks to one field and one change): recheck fails on any single-field change."""
    certificate = _certificate(name)
    path, value = data.draw(st.sampled_from(list(_leaves(certificate))), label="field")
    mutation = data.draw(st.sampled_from(_mutations(value)), label="change")
    _set(certificate, path, mutation)
    assert not _accepted(certificate)


def test_the_t6_step_bound_and_the_stability_flag_are_rechecked():
    certificate = _certificate("region-centred")
    for key, value in (("steps_to_epsilon", 3), ("rho", "0.01")):
        changed = copy.deepcopy(certificate)
        changed["rate"][key] = value
        assert not recheck(changed).valid, key
    orbit = _certificate("periodic")
    assert orbit["stable"] is True
    orbit["stable"] = False
    assert not recheck(orbit).valid


def test_latex_states_only_what_the_checker_rederives():
    result = prove(**CASES["periodic"])
    text = latex_document(result)
    assert result.certificate["attraction"] is not None and r"Gradient descent from $\theta_0$ converges to this orbit" in text
    result.certificate["attraction"] = None  # a weaker certificate (the orbit exists), still valid: then θ0 is not mentioned
    assert recheck(result.certificate).valid
    text = latex_document(result)
    assert "gradient descent from a given start approaches this orbit is observed numerically only" in text
    assert r"\theta_0" not in text.split(r"\begin{proof}")[0]  # the proposition is about the map F, not θ0's orbit
    result = prove(**CASES["region-centred"])
    text = latex_document(result)
    assert str(result.rate["steps_to_epsilon"]) in text and result.minimiser[0][:12] in text
    result.certificate["rate"]["steps_to_epsilon"] = 3
    with pytest.raises(CertificateError):
        latex_document(result)


# -- independence and bounds --------------------------------------------------------------------------
def test_the_checker_imports_nothing_from_the_prover_and_reads_no_clock():
    allowed = {"llgd_proof.symbolic.arb", "llgd_proof.errors", "llgd_proof.symbolic.expressions", "llgd_proof.symbolic.losses"}
    forbidden_modules = {"time", "signal", "threading", "timeouts"}
    for path in pathlib.Path(checker_package.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert node.level == 0, (path.name, "relative import")
                if module.startswith("llgd_proof"):
                    assert module in allowed or module.startswith("llgd_proof.checker."), (path.name, module)
                assert module.split(".")[0] not in forbidden_modules, (path.name, module)
            elif isinstance(node, ast.Import):
                assert not {alias.name.split(".")[0] for alias in node.names} & (forbidden_modules | {"llgd_proof"}), path.name


def _cli(*arguments, timeout=60):
    return subprocess.run([sys.executable, "-m", "llgd_proof.cli.main", *arguments], capture_output=True, text=True, timeout=timeout, check=False)


def test_hostile_certificates_are_refused_quickly(tmp_path):
    """/dev/zero, a huge file, a 5000-digit integer, a loss that is a number, a loss swapped to the square loss."""
    huge = tmp_path / "huge.json"
    huge.write_text('{"kind": "' + "x" * (5 * 2**20) + '"}')
    number = tmp_path / "digits.json"
    number.write_text('{"kind": "llgd-proof-certificate", "version": 2, "bits": ' + "9" * 5000 + "}")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # nobody writes to it: opening it must not block
    old = tmp_path / "old.json"
    old.write_text(json.dumps({**_certificate("diverges"), "version": 1}))
    for path in ("/dev/zero", str(huge), str(number), str(fifo), str(old)):
        started = time.perf_counter()
        completed = _cli("recheck", path, "--json")
        assert completed.returncode == 2 and completed.stderr.count("\n") == 1, (path, completed.stderr)
        assert time.perf_counter() - started < 30
    certificate = _certificate("region-centred")
    certificate["inputs"]["loss"] = 5
    with pytest.raises(CertificateError):
        recheck(certificate)
    swapped = _certificate("region-centred")
    swapped["inputs"]["loss"] = "quadratic"
    swapped["steps_enclosed"] = 1_000_000
    swapped["bits"] = 4096
    with pytest.raises(CertificateError):  # more work than the checker does
        recheck(swapped)
    swapped = _certificate("region-naive")
    swapped["inputs"]["loss"] = "quadratic"  # the square loss from (3, 0.5, 1, 1) at h = 0.9 diverges
    started = time.perf_counter()
    outcome = recheck(swapped)
    assert not outcome.valid and time.perf_counter() - started < 30


def test_cli_recheck_of_a_written_certificate(tmp_path, capsys):
    path = tmp_path / "proof.json"
    assert main(["prove", "--loss", "log(cosh(s-1.1))*(1+s^2/10)", "--h", "0.6", "--init", "1.5,0.8", "--certificate", str(path), "--json"]) == 0
    capsys.readouterr()
    assert main(["recheck", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    data = loads(path.read_text())
    assert load(str(path)) == data and data["version"] == checker_package.VERSION
    data["minimiser"] = ["1.0999999999999999999999999999", "1.1000000000000000000000000001"]  # a wider, still true interval: not what was derived
    path.write_text(json.dumps(data))
    assert main(["recheck", str(path), "--json"]) == 1


def test_a_jump_of_the_gradient_is_never_proved_across():
    """x²/2 + ε|x|: GD ends on the 2-cycle ±ε/3 (f' jumps at 0, which the Hessian cannot show): not proved, and a
    forged certificate for it is refused."""
    result = prove(objective="x**2/2 + 1e-200*abs(x)", variables=["x"], h="0.5", init=["0.1"])
    assert result.outcome == "not-proved"
    certificate = _certificate("contraction")
    certificate["inputs"]["objective"] = "x**2/2 + abs(x)"
    assert not _accepted(certificate)


def test_duplicate_keys_and_loose_types_are_refused():
    certificate = _certificate("periodic")
    text = json.dumps(certificate)
    with pytest.raises(CertificateError):
        loads(text[:-1] + ', "stable": true}')
    certificate["stable"] = 1
    assert not _accepted(certificate)
