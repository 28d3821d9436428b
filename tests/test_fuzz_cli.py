"""Permanent fuzz suite for the CLI (issue 12, parts 2, 4 and 7).

Seeded hypothesis strategies draw flags and values — huge, tiny, negative, zero, NaN and infinity
spelled in several ways, garbage text, wrong counts — for ``run``, ``check``, ``regularity``,
``latex``, ``theorems`` and ``property``, and call ``llgd_proof.cli.main.main`` in-process. Each probe
must satisfy the CLI contract:

* the exit code is 0, 1 or 2 (never a crash);
* on exit 2, stderr is exactly one line starting ``llgd: error:``;
* no traceback anywhere;
* with ``--json``, stdout is strict JSON (``NaN``/``Infinity`` rejected by the parser); an error is
  ``{"error": <sentence>, "kind": <name>}``;
* the probe ends within a guard (a hang fails the test instead of stalling CI — a guard, not a
  timing assertion).
"""

from __future__ import annotations

import json
import os
import resource
import time

import pytest
from guards import guard as hang_guard
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from llgd_proof.cli.main import main

GUARD_SECONDS = 60


def guard(seconds: float = GUARD_SECONDS):
    """The shared hang guard (tests/guards.py) with this file's limit."""
    return hang_guard(seconds)


def _no_constants(name):
    raise ValueError(f"non-standard JSON constant {name}")


def strict_loads(text: str):
    return json.loads(text, parse_constant=_no_constants)


OUTCOMES: dict[str, dict[int, int]] = {}  # verb -> exit code -> count (printed by -s; for the report)
SLOWEST: list[tuple[float, list[str]]] = []


def probe(capsys, argv: list[str]) -> tuple[int, str, str]:
    """Run one command and check the contract; returns (code, stdout, stderr)."""
    capsys.readouterr()
    started = time.perf_counter()
    with guard():
        try:
            code = main(argv)
        except SystemExit as stop:  # only --help may exit, and it exits 0
            code = stop.code
    SLOWEST.append((time.perf_counter() - started, argv))
    SLOWEST.sort(key=lambda item: -item[0])
    del SLOWEST[3:]
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, err)
    tally = OUTCOMES.setdefault(argv[0] if argv else "", {})
    tally[code] = tally.get(code, 0) + 1
    assert "Traceback" not in out + err, (argv, err)
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("llgd: error:"), (argv, err)
    if "--json" in argv:
        data = strict_loads(out)
        if code == 2:
            assert set(data) == {"error", "kind"} and data["error"], (argv, out)
    return code, out, err


SCALE = int(os.environ.get("LLGD_FUZZ_SCALE", "1"))  # e.g. LLGD_FUZZ_SCALE=10 for a long exploratory session
SETTINGS = settings(max_examples=20 * SCALE, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                    derandomize=not os.environ.get("LLGD_FUZZ_RANDOM"))  # LLGD_FUZZ_RANDOM=1: fresh draws each session

# numbers as a user might type them, good and bad
SPECIAL = ["0", "-0", "1", "-1", "0.5", "2", "1e-400", "1e400", "-1e400", "1e300", "1e-300", "1e200", "nan", "NaN", "inf",
           "-inf", "Infinity", "1e", "abc", "", " ", "0x10", "1_000", "١", "1/2", "3+4j", "9" * 400, "--1", "1,2"]
NUMBERS = st.one_of(
    st.sampled_from(SPECIAL),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
GOOD = st.sampled_from(["0.1", "0.5", "1", "1.5", "2", "3", "-2", "0.25"])
VALUE = st.one_of(GOOD, GOOD, NUMBERS)  # mostly sensible values, so that probes also reach the deep stages
SMALL_COUNTS = st.one_of(st.sampled_from(["-1", "0", "1", "5", "abc", "1.5", "99999999999999999999"]), st.integers(-5, 40).map(str))
LOSSES = st.sampled_from([
    "quadratic", "huber", "huber:delta=0.5", "huber:delta=-1", "huber:delta=1e400", "logcosh", "pseudo-huber",
    "gen-huber:p=1e10", "gen-huber:p=0.5", "gen-huber:p=nan", "double-well", "logcosh0", "quartic", "nope",
    "quadratic:mu=2", "(s-1)**2 - 1e-20*s**4", "1e6*(s-1)**2", "sin(s)", "abs(s-1)", "exp(s)", "s**4", "log(1+(s-1)**2)",
    "__import__('os')", "s^", "", "s" * 3000, "9**9**9**9", "(s-mu)**2", "1/0", "where(s>1,s,0)",
])
THEOREM_IDS = st.sampled_from(["convergence", "eos", "sharpness-bound", "catapult", "balancing", "rate", "descent-lemma", "pl-rate", "chen-bruna-two-cycle", "nope", "", "e"])


def _init(draw) -> str:
    count = draw(st.sampled_from([0, 1, 2, 2, 2, 3]))
    return ",".join(draw(VALUE) for _ in range(count)) if count else draw(st.sampled_from(["", ",", "1,,2", "a,b"]))


BAD = {
    "--h": NUMBERS,
    "--init": st.sampled_from(["", ",", "1,,2", "a,b", "1", "1,2,3", "1e400,1", "nan,1", "1e200,1e200", "0,0", "1e-400,1"]),
    "--mu": NUMBERS,
    "--max-steps": st.sampled_from(["-1", "0", "x", "1.5", "99999999999"]),
    "--dps": st.sampled_from(["14", "-5", "0", "10000", "nan", "1001"]),
    "--dim": st.sampled_from(["0", "-1", "1000", "x", "17"]),
    "--loss": LOSSES,
    "--vars": st.sampled_from(["", "x,x", "1x", "xy", "x,y,z", "exp"]),
    "--set": st.sampled_from(["delta=-5", "delta=1e300", "delta=nan", "foo=1", "delta", "=1", "delta=inf"]),
}


@st.composite
def run_argv(draw, verb: str = "run") -> list[str]:
    """A sensible command, then 0–2 of its flags replaced by hostile values."""
    flags: dict[str, str] = {}
    product = draw(st.integers(0, 3)) > 0
    if product:
        flags["--loss"] = draw(st.sampled_from(["quadratic", "logcosh", "huber", "pseudo-huber", "logcosh0", "log(1+(s-1)**2)"]))
        if draw(st.booleans()):
            flags["--mu"] = draw(GOOD)
    else:
        flags["--objective"] = draw(st.sampled_from(["x**2+y**2", "log(1+x^2)+y**2", "x*y", "exp(exp(exp(x)))+y**2", "x**64*y**64"]))
        flags["--vars"] = "x,y"
    flags["--h"] = draw(GOOD)
    flags["--init"] = ",".join(draw(GOOD) for _ in range(2))
    flags["--max-steps"] = draw(st.sampled_from(["1", "30", "60"]))
    flags["--dps"] = draw(st.sampled_from(["15", "20", "30"]))
    if verb == "check" and draw(st.booleans()):
        flags["--set"] = "delta=0.3"
    for name in draw(st.lists(st.sampled_from(sorted(BAD)), max_size=2, unique=True)):
        if name in ("--mu", "--dim", "--loss") and not product or name == "--vars" and product:
            continue
        if name == "--set" and verb != "check":
            continue
        flags[name] = draw(BAD[name])
    argv = [verb] + ([draw(THEOREM_IDS)] if verb == "check" else [])
    for name, value in flags.items():
        argv += [name, value]
    if draw(st.booleans()):
        argv.append("--json")
    return argv


@seed(12)
@SETTINGS
@given(run_argv("run"))
def test_run_fuzz(capsys, argv):
    probe(capsys, argv)


@seed(12)
@SETTINGS
@given(run_argv("check"))
def test_check_fuzz(capsys, argv):
    probe(capsys, argv)


@seed(12)
@settings(SETTINGS, max_examples=15 * SCALE)
@given(LOSSES, st.one_of(st.none(), NUMBERS), st.booleans())
def test_regularity_fuzz(capsys, loss, mu, as_json):
    argv = ["regularity", "--loss", loss] + (["--mu", mu] if mu is not None else []) + (["--json"] if as_json else [])
    probe(capsys, argv)


@seed(12)
@settings(SETTINGS, max_examples=12 * SCALE)
@given(st.sampled_from(["regularity", "convergence", "eos", "nope", ""]), st.one_of(st.none(), LOSSES), st.booleans())
def test_latex_fuzz(capsys, target, loss, as_json):
    argv = ["latex", target] + (["--loss", loss] if loss is not None else []) + (["--json"] if as_json else [])
    probe(capsys, argv)


@pytest.mark.parametrize("argv", [["theorems"], ["theorems", "--json"], ["theorems", "--nope"], ["theorems", "--json", "extra"], ["nope"], []])
def test_theorems_and_usage(capsys, argv):
    probe(capsys, argv)


@seed(12)
@settings(SETTINGS, max_examples=8 * SCALE)
@given(
    THEOREM_IDS,
    st.sampled_from(["quadratic", "huber", "nope", "sin(s)"]),
    SMALL_COUNTS,
    st.sampled_from(["-1", "0", "1", "x", str(2**40)]),
    st.sampled_from(["0.05:10,0.05:5", "0:1,0:1", "1e400:1e401,1:2", "a", "nan:1,1:2", "2:1,1:2"]),
    st.sampled_from(["0.05:0.99", "-1:2", "nan:nan", "0.5"]),
    st.booleans(),
)
def test_property_fuzz(capsys, theorem, loss, examples, seed_value, box, fraction, as_json):
    argv = ["property", theorem, "--loss", loss, "--examples", examples if examples in ("-1", "0", "1", "abc", "1.5") else "2",
            "--seed", seed_value, "--box", box, "--h-fraction", fraction, "--max-steps", "40", "--dps", "20"]
    probe(capsys, argv + (["--json"] if as_json else []))


@pytest.mark.parametrize(
    "argv",
    [
        ["property", "convergence", "--loss", "quadratic", "--examples", "2", "--max-steps", "40", "--dps", "20", "--json"],
        # the commands quoted in issue 12 (parts 2, 4 and the tracebacks list), with --json where it matters
        ["run", "--objective", "exp(exp(exp(x)))", "--vars", "x", "--h", "1", "--init", "3"],
        ["run", "--loss", "quadratic", "--dim", "1000", "--h", "0.1", "--init", ",".join(["1"] * 2000)],
        ["regularity", "--loss", "gen-huber:p=1e10"],
        ["run", "--loss", "quadratic", "--h", "0.1", "--init", "1e200,1e200", "--json"],
        ["run", "--loss", "quadratic", "--h", "1e400", "--init", "1,2", "--json"],
        ["run", "--loss", "quadratic", "--mu", "1e400", "--h", "0.1", "--init", "1,2", "--json"],
        ["run", "--loss", "quadratic", "--h", "1e-400", "--init", "1,2"],
        ["run", "--loss", "quadratic", "--mu", "1e300", "--h", "0.1", "--init", "1,2", "--max-steps", "50"],
        ["run", "--loss", "quadratic", "--h", "0.1", "--init", "1,2", "--max-steps", "-1", "--json"],
        ["property", "convergence", "--loss", "quadratic", "--examples", "0"],
        ["property", "convergence", "--loss", "quadratic", "--seed", "-1"],
        ["run", "--loss", "quadratic", "--h", "0.1", "--init", "1,2", "--dps", "10000"],
        ["check", "eos", "--loss", "logcosh", "--h", "1.5", "--init", "2,1", "--set", "delta=-5"],
        ["check", "eos", "--loss", "logcosh", "--h", "1.5", "--init", "2,1", "--set", "delta=1e300", "--json"],
        ["nn", "--loss", "mse", "--activation", "relu", "--h", "0.1", "--steps", "10", "--cache-dir", "/dev/null"],
        ["nn", "--loss", "mse", "--activation", "relu", "--h", "0.1", "--steps", "10", "--plot", "out.txt", "--json"],
        ["regularity", "--loss", "(s-1)**2 - 1e-20*s**4", "--json"],
        ["regularity", "--loss", "sin(s)"],
    ],
)
def test_quoted_commands(capsys, argv):
    probe(capsys, argv)


def test_loss_intake_decisions(capsys):
    """Boundedness below by limits, kinks by jumps of ℓ' (not by slope size), periodic losses refused."""
    assert probe(capsys, ["regularity", "--loss", "(s-1)**2 - 1e-20*s**4"])[0] == 2
    assert probe(capsys, ["regularity", "--loss", "sin(s)"])[0] == 2
    assert probe(capsys, ["regularity", "--loss", "abs(s-1)"])[0] == 2
    code, out, _ = probe(capsys, ["regularity", "--loss", "1e6*(s-1)**2", "--json"])
    assert code == 0 and strict_loads(out)["mu"] == 1.0


def test_error_json_shape(capsys):
    code, out, err = probe(capsys, ["run", "--loss", "quadratic", "--h", "-1", "--init", "1,1", "--json"])
    data = strict_loads(out)
    assert code == 2 and data["kind"] in ("ParameterError", "ArgumentError") and data["error"] in err


def test_non_finite_values_become_null_with_text(capsys):
    code, out, _ = probe(capsys, ["run", "--loss", "quadratic", "--h", "0.1", "--init", "1e200,1e200", "--max-steps", "5", "--json"])
    data = strict_loads(out)
    assert code == 0 and data["initial_loss"] is None and data["initial_loss_text"] == "Infinity"


def test_zz_outcomes_cover_success_and_refusal():
    """Not vacuous: the run and check fuzzers reached real results (exit 0) as well as refusals (exit 2)."""
    if not {"run", "check"} <= set(OUTCOMES):
        pytest.skip("run alone with the fuzz tests above")
    print("\nfuzz outcomes per verb (exit code: count):", OUTCOMES)
    print("slowest probes (s):", [(round(t, 2), " ".join(a)[:120]) for t, a in SLOWEST])
    print("peak resident memory of this process (MB):", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    assert OUTCOMES["run"].get(0, 0) > 0 and OUTCOMES["run"].get(2, 0) > 0


# -- issue 21 (hardening, round 2) ---------------------------------------------------------------------------------

HUGE = st.sampled_from(["1e300", "-1e300", "1e299", "1e200", "-1e200", "1e-300", "1e150", "3e299"])


@st.composite
def huge_argv(draw) -> list[str]:
    """A verb at the edge of the documented limits (coordinates, μ and boxes up to 10³⁰⁰), always with --json."""
    verb = draw(st.sampled_from(["run", "check", "regularity", "latex", "sweep", "atlas", "property", "boundary"]))
    loss = draw(st.sampled_from(["quadratic", "logcosh", "huber", "pseudo-huber", "log(1+(s-1)**2)"]))
    start = f"{draw(HUGE)},{draw(st.one_of(HUGE, GOOD))}"
    corner = draw(st.sampled_from(["1e299:1e300", "1e150:1e200", "0.05:1e300"]))
    box = f"{corner},{draw(st.sampled_from(['1e299:1e300', '0.01:5']))}"
    mu = ["--mu", draw(st.sampled_from(["1", "1e300", "-1e300", "1e-300"]))] if draw(st.booleans()) else []
    if verb == "run":
        argv = ["run", "--loss", loss, *mu, "--h", draw(GOOD), "--init", start]
    elif verb == "check":
        argv = ["check", draw(st.sampled_from(["convergence", "eos", "catapult", "sharpness-bound", "balancing"])), "--loss", loss, *mu,
                "--h", draw(GOOD), "--init", start]
    elif verb in ("regularity", "latex"):
        argv = [verb, *(["regularity"] if verb == "latex" else []), "--loss", loss, *mu]
    elif verb == "sweep":
        argv = ["sweep", "--loss", loss, *mu, "--h-range", "0.1:0.9:3", "--init", start]
    elif verb == "atlas":
        argv = ["atlas", "--losses", loss, "--h", draw(GOOD), "--samples", "6", "--box", box, "--no-cache"]
    elif verb == "property":
        argv = ["property", draw(st.sampled_from(["convergence", "catapult-v1"])), "--loss", loss, "--examples", "2", "--box", box]
    else:
        argv = ["boundary", "eos", "--loss", loss, "--h-fraction", "0.5:0.9", "--h-steps", "2", "--grid", "2", "--box", box]
    if verb in ("run", "check", "sweep", "atlas", "property", "boundary"):
        argv += ["--max-steps", draw(st.sampled_from(["30", "200"]))]
    if verb in ("run", "check", "property"):
        argv += ["--dps", "20"]
    return argv + ["--json"]


@seed(21)
@settings(SETTINGS, max_examples=16 * SCALE)
@given(huge_argv())
def test_every_verb_gives_strict_json_at_the_edge_of_the_limits(capsys, argv):
    """Property: starts, μ and boxes up to 10³⁰⁰ (inside the documented limits) end, on every verb, in exit 0/1/2 with
    strict JSON on stdout and no traceback (once: a TypeError in phenomena.observe and no JSON at all)."""
    probe(capsys, argv)


def test_a_huge_start_with_a_bounded_gradient_is_answered_in_json(capsys):
    """`llgd check eos --loss logcosh --h 0.9 --init 1e200,1e200 --json` once ended in a TypeError traceback. Arb cannot
    evaluate cosh(10⁴⁰⁰) at 50 digits; the run is made on mpmath, and (ℓ' is bounded) GD converges."""
    code, out, _ = probe(capsys, ["check", "eos", "--loss", "logcosh", "--h", "0.9", "--init", "1e200,1e200", "--json"])
    data = strict_loads(out)
    assert code == 0 and data["verdict"] in ("holds", "violated", "hypotheses-not-met", "inconclusive")
    assert data["evidence"]["status"] == "converged" and data["evidence"]["precision_check"]["agrees"]
    code, out, _ = probe(capsys, ["run", "--loss", "logcosh", "--h", "0.9", "--init", "1e200,1e200", "--json"])
    data = strict_loads(out)
    assert data["status"] == "converged" and data["initial_loss"] is None and data["initial_loss_text"] == "Infinity"
    assert abs(data["limit"][0] * data["limit"][1] - 1) < 1e-9  # on the minimiser set xy = μ


@pytest.mark.parametrize("start", ["1e300,1e300", "-1e300,1e300", "1e299,-3e299", "1e200,1e150"])
def test_a_diverging_run_from_a_huge_start_is_decided_at_its_first_steps(capsys, start):
    """`llgd run --loss quadratic --h 0.4 --init 1e300,1e300` once iterated its whole budget (33 s) and ended undecided:
    past float64's range the float screen of the divergence bound compared ∞ > ∞. The bound decides at step 1 now."""
    code, out, _ = probe(capsys, ["run", "--loss", "quadratic", "--h", "0.4", f"--init={start}", "--json"])
    data = strict_loads(out)
    assert code == 0 and data["status"] == "diverged" and data["steps"] <= 2
    assert data["precision_check"]["same_status"]


def test_normal_runs_keep_their_verdicts(capsys):
    """Not vacuous: the early decision changes nothing for ordinary starts (README's quickstart numbers)."""
    data = strict_loads(probe(capsys, ["run", "--loss", "quadratic", "--h", "0.4", "--init", "3,0.5", "--json"])[1])
    assert data["status"] == "converged" and abs(data["limit"][0] + 1.5655117) < 1e-6
    data = strict_loads(probe(capsys, ["run", "--loss", "quadratic", "--h", "0.6", "--init", "3,0.5", "--json"])[1])
    assert data["status"] == "diverged" and data["steps"] == 6


@pytest.mark.parametrize("only", ["", ",", "eos,", ",eos", " , ", "eos,,balancing"])
@pytest.mark.parametrize("as_json", [False, True])
def test_verify_refuses_an_empty_only(capsys, only, as_json):
    """`llgd verify --only ''` once ran the whole library: an empty id is refused in one sentence, exit 2."""
    code, out, err = probe(capsys, ["verify", "--only", only, "--budget", "0"] + (["--json"] if as_json else []))
    assert code == 2 and "--only" in err
    if as_json:
        assert strict_loads(out)["kind"] == "UsageError"


def test_property_default_is_a_modest_run_and_says_how_to_ask_for_more(capsys):
    """Without --examples a property run draws api.DEFAULT_EXAMPLES cases (was 100: 74 s for a parametrised expression
    family) and says how to ask for more; an explicit --examples is kept exactly."""
    from llgd_proof import api

    argv = ["property", "catapult-v1", "--loss", "logcosh", "--max-steps", "40", "--dps", "20"]
    code, out, _ = probe(capsys, argv + ["--json"])
    assert code == 0 and strict_loads(out)["examples"] == api.DEFAULT_EXAMPLES <= 50
    code, out, _ = probe(capsys, argv)
    assert "--examples N" in out.splitlines()[-1]
    code, out, _ = probe(capsys, argv + ["--examples", "7", "--json"])
    assert strict_loads(out)["examples"] == 7
    code, out, _ = probe(capsys, argv + ["--examples", "7"])
    assert "--examples N" not in out


def test_a_family_member_is_built_once_per_process(monkeypatch):
    """The counting pass, the shrinking pass and the confirmation draw the members of a family (a grid of μ) again and
    again; each is built once (a user expression costs 0.1–1 s of sympy to build)."""
    from llgd_proof import api
    from llgd_proof.search import families

    built: list[str] = []
    real = families.loss_from_expression
    monkeypatch.setattr(families, "loss_from_expression", lambda text, mu=None: built.append(mu) or real(text, mu=mu))
    families.family_member.cache_clear()
    report = api.check_family("catapult-v1", loss="log(cosh(s-mu))", ranges={"mu": (0.5, 2)}, examples=12, max_steps=40, dps=20, workers=0)
    assert report.examples == 12 and built and len(built) == len(set(built))
