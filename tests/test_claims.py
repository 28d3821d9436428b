"""Claims as data (issue 13): claim files are parsed safely, checked, searched and typeset like theorems.

The central property: a built-in theorem written as a claim file gives the same verdict as the Python
theorem — on its default cases, on the refuting counterexamples of theory.md, and on hypothesis-drawn
cases. Where the two could not agree, the vocabulary was missing a word (``s0``, ``minimiser_reached``,
``x_final``/``y_final`` were added for T1, T2 and A9).
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import os
import re
import tempfile

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llgd_proof import api
from llgd_proof.claims.claim import SHIPPED, Claim, load_claim, parse_claim, shipped_claims
from llgd_proof.claims.conditions import VOCABULARY, ClaimError
from llgd_proof.cli.main import main
from llgd_proof.engines.phenomena import EDGE_TOLERANCE, SPIKE_MARGIN
from llgd_proof.search import strategies
from llgd_proof.theorems import THEOREMS, Case, Verdict, get_theorem
from llgd_proof.theorems.base import Hypothesis

USER_CLAIM = """
name = "eos-from-stable-step"
statement = "Below the stability limit with a too-sharp gradient-flow limit, GD converges at the edge of stability."
hypotheses = ["p < 2", "mu > 0", "h < 1/(mu*curvature)", "h*S_GF0 > 2"]
conclusion = "converged and eos_ratio >= 0.9"

[domain]
loss = "logcosh"
parameters = { mu = [0.5, 0.5] }
h_fraction = [0.5, 0.99]
examples = 10
"""


def _absolute_step(c):
    """T1 v2's extra hypothesis h ≤ √2/G, written independently of the claim layer (G from the regularity report)."""
    sup, _ = c.regularity.lprime_sup
    if sup is None:
        return False, "G = ∞"
    return bool(float(c.h) <= 2**0.5 / float(sup) * (1 + 1e-15)), f"h = {float(c.h):g}, √2/G = {2**0.5 / float(sup):g}"


def python_theorem(claim: Claim):
    """The pointwise Python theorem a shipped claim encodes: the version of ``claim.formalises`` with as many hypotheses.

    Theorem modules keep several versions (``eos`` and ``eos-v1``, ``convergence`` v1 and v2…); the one stating the
    same hypotheses is the one to compare with. If T1 v2 is not in the library, it is T1 with h ≤ √2/G added here.
    """
    family = [
        t for i, t in THEOREMS.items()
        if (i == claim.formalises or i.startswith(claim.formalises + "-")) and getattr(t, "kind", "pointwise") == "pointwise"
    ]
    family.sort(key=lambda t: t.id != claim.name)
    for theorem in family:
        if len(theorem.hypotheses) == len(claim.hypotheses):
            return theorem
    base = next(t for t in family if len(t.hypotheses) == len(claim.hypotheses) - 1)
    assert claim.name == "convergence-v2"
    extra = Hypothesis("absolute step", r"h \le \sqrt2/G", _absolute_step)
    return dataclasses.replace(base, hypotheses=[*base.hypotheses, extra], id="convergence with h <= sqrt(2)/G")


SHIPPED_CLAIMS = {claim.name: claim for claim in shipped_claims()}


def test_the_library_ships_its_pointwise_theorems_as_claims():
    assert {"convergence-v1", "convergence-v2", "sharpness-bound", "eos-v1", "catapult-v1", "ahn2023-eos"} <= set(SHIPPED_CLAIMS)
    for claim in SHIPPED_CLAIMS.values():
        assert claim.provenance != "paper-claim"  # a claim file never speaks for the paper
        assert claim.cases, claim.name


@pytest.mark.parametrize("name", sorted(SHIPPED_CLAIMS))
def test_claim_file_and_python_theorem_agree_on_default_cases(name):
    claim = SHIPPED_CLAIMS[name]
    theorem = python_theorem(claim)
    for case in [*theorem.cases, *claim.cases]:
        case = dataclasses.replace(case, expected={})  # reference numbers are a theorem's extra, not part of the statement
        assert claim.check(case).verdict is theorem.check(case).verdict, case.describe()


@pytest.mark.parametrize("name, constants", [("eos-v1", {EDGE_TOLERANCE}), ("catapult-v1", {SPIKE_MARGIN, EDGE_TOLERANCE}), ("sharpness-bound", {EDGE_TOLERANCE})])
def test_claim_files_restate_the_library_thresholds(name, constants):
    """A claim file restates a rule as text; its tolerances are the library's one statement of each threshold."""
    text = SHIPPED_CLAIMS[name].conclusion[0]
    assert {float(number) for number in re.findall(r"\d+(?:\.\d+)?e-\d+", text)} == constants


REFUTING = [  # theory.md §4: the counterexamples that refute the v1 formalisations
    ("convergence-v1", Case(loss="logcosh", mu="0.5", h="1.48", init=("0.1", "2.4")), Verdict.VIOLATED),
    ("convergence-v2", Case(loss="logcosh", mu="0.5", h="1.48", init=("0.1", "2.4")), Verdict.HYPOTHESES_NOT_MET),
    ("eos-v1", Case(loss="logcosh", mu="0.5", h="0.6", init=("0.5", "2.25")), Verdict.VIOLATED),
    ("catapult-v1", Case(loss="logcosh", h="0.9", init=("1.2", "1.2")), Verdict.VIOLATED),
]


@pytest.mark.parametrize("name, case, verdict", REFUTING, ids=[r[0] for r in REFUTING])
def test_claim_files_reproduce_the_refutations(name, case, verdict):
    claim = SHIPPED_CLAIMS[name]
    result = claim.check(case)
    assert result.verdict is verdict
    assert python_theorem(claim).check(case).verdict is verdict
    if verdict is Verdict.VIOLATED:
        assert result.evidence["counterexample"]["confirmed_at_dps"] > case.dps


LOSSES = [api.catalog_loss(name, **values) for name, values in [
    ("logcosh", {}), ("logcosh", {"mu": 0.5}), ("huber", {"delta": 0.5}), ("pseudo-huber", {"mu": 2}), ("quadratic", {}), ("logcosh0", {}),
]]  # a few fixed losses, so the drawn cases vary h and the start while regularity reports are derived once
DRAWN = strategies.cases(st.sampled_from(LOSSES), max_steps=5000)


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(sorted(SHIPPED_CLAIMS)), DRAWN)
def test_claim_file_and_python_theorem_agree_on_drawn_cases(name, case):
    """Property: on any drawn (loss, h, start), a shipped claim and its Python theorem give the same verdict."""
    claim = SHIPPED_CLAIMS[name]
    assert claim.check(case).verdict is python_theorem(claim).check(case).verdict


# -- the user claim, end to end --------------------------------------------------------------


def test_user_claim_is_checked_on_a_case():
    claim = api.load_claim(USER_CLAIM)
    result = claim.check(loss="logcosh", h="0.9", init=["20", "0.1"])
    assert result.verdict is Verdict.HOLDS
    data = json.loads(json.dumps(result.as_json(), allow_nan=False))
    assert data["provenance"] == "user-claim" and [h["met"] for h in data["hypotheses"]] == [True] * 4
    # the quantities the claim read are the library's own: S_GF0 = ℓ''(μ)|x0² − y0²| for μ = 1 is √((400 − 0.01)² + 4)
    assert data["evidence"]["claim_quantities"]["S_GF0"] == pytest.approx(((20**2 - 0.1**2) ** 2 + 4) ** 0.5, rel=1e-12)


def test_user_claim_search_shrinks_a_counterexample_confirmed_at_higher_precision():
    report = api.load_claim(USER_CLAIM).search()
    assert report.counterexample is not None and report.confirmed
    assert report.confirmation.case.dps == report.counterexample.case.dps + 20
    case = report.counterexample.case
    # the counterexample is a fact about GD, re-derived here from a plain run: hypotheses hold, conclusion fails
    loss = api.make_loss(case.loss_object)
    h = mpmath.mpf(case.h)
    assert float(h) < 1 / float(loss.mu * loss.at_minimiser(2))
    run = api.investigate(api.make_objective(loss=loss), case.h, list(case.init), dps=40).as_json()
    assert float(h) * run["gf_sharpness"] > 2
    assert run["status"] != "converged" or run["eos_ratio"] < 0.9


def test_user_claim_is_typeset_from_sympy():
    claim = api.load_claim(USER_CLAIM)
    text = claim.latex()
    mu, curvature, h = sympy.symbols("mu curvature h")
    assert sympy.latex(1 / (mu * curvature), symbol_names={mu: r"\mu", curvature: r"\ell''(\mu)"}) in text
    assert r"\implies" in text and r"\ge 0.9" in text
    assert text.count("{") == text.count("}")


def test_chained_comparison_is_typeset_as_written_and_means_the_conjunction():
    claim = parse_claim('name = "c"\nhypotheses = []\nconclusion = "0.5 <= eos_ratio <= 1"')
    assert claim.statement_latex() == r"\frac{1}{2} \le \tfrac{h S(\theta_\infty)}{2} \le 1"
    both = parse_claim('name = "d"\nhypotheses = []\nconclusion = "0.5 <= eos_ratio and eos_ratio <= 1"')
    case = Case(loss="logcosh", h="0.9", init=("20", "0.1"))
    assert claim.check(case).conclusion.ok is both.check(case).conclusion.ok is True


# -- semantics: undefined quantities, undecided runs, scope -------------------------------------------


def test_a_quantity_that_does_not_exist_makes_its_relation_false():
    claim = parse_claim('name = "u"\nhypotheses = ["h < max_stable_h"]\nconclusion = "not (period > 1)"')
    result = claim.check(Case(loss="logcosh0", h="0.5", init=("0.3", "2.5")))  # μ = 0: no stability limit; converged: no period
    assert result.hypotheses[0].ok is False and "undefined" in result.hypotheses[0].detail
    assert result.verdict is Verdict.HYPOTHESES_NOT_MET and result.conclusion.ok is True


def test_an_unsettled_run_leaves_run_quantities_undecided():
    claim = parse_claim('name = "v"\nhypotheses = ["converged or steps < 0"]\nconclusion = "eos_ratio <= 1"')
    result = claim.check(Case(loss="logcosh", h="0.9", init=("20", "0.1"), max_steps=5))
    assert result.hypotheses[0].ok is None and result.verdict is Verdict.INCONCLUSIVE


@pytest.mark.parametrize(
    "hypothesis, case",
    [
        ("imbalance0 > 0", Case(objective="log(1 + x^2) + y^2", variables=("x", "y"), h="0.5", init=("1", "1"))),
        ("mu > 0", Case(objective="log(1 + x^2)", variables=("x",), h="0.5", init=("1",))),
        ("x0 > 0", Case(loss="logcosh", dim=2, h="0.5", init=("1", "1", "1", "1"))),
    ],
)
def test_a_word_the_objective_does_not_have_is_a_typed_error(hypothesis, case):
    claim = parse_claim(f'name = "w"\nhypotheses = ["{hypothesis}"]\nconclusion = "converged"')
    with pytest.raises(ClaimError, match="exists only for|needs exactly two"):
        claim.check(case)


def test_every_vocabulary_word_is_read_on_a_product_case():
    names = [n for n, t in VOCABULARY.items() if not t.boolean]
    flags = [n for n, t in VOCABULARY.items() if t.boolean]
    conclusion = " and ".join(f"({n} == {n} or {n} != {n})" for n in names) + " and " + " and ".join(f"({f} or not {f})" for f in flags)
    claim = parse_claim(f'name = "all"\nhypotheses = []\nconclusion = "{conclusion}"')
    result = claim.check(Case(loss="logcosh", h="0.9", init=("20", "0.1")))
    assert set(result.evidence["claim_quantities"]) == set(VOCABULARY)
    assert result.evidence["claim_quantities"]["period"] is None  # a converged run has no period
    assert result.evidence["claim_quantities"]["max_stable_h"] == pytest.approx(1.0)


# -- bad claim files: one sentence, exit 2 ------------------------------------------------------------

BAD = {
    "syntax": 'name = "b"\nhypotheses = ["mu > > 0"]\nconclusion = "converged"',
    "unknown name": 'name = "b"\nhypotheses = ["sharpness_max > 0"]\nconclusion = "converged"',
    "code": 'name = "b"\nhypotheses = ["__import__(\'os\').system(\'true\') > 0"]\nconclusion = "converged"',
    "lambda": 'name = "b"\nhypotheses = []\nconclusion = "(lambda: 1)() < 2"',
    "not a relation": 'name = "b"\nhypotheses = ["mu > 0"]\nconclusion = "eos_ratio + 1"',
    "non-boolean hypothesis": 'name = "b"\nhypotheses = ["mu"]\nconclusion = "converged"',
    "flag in arithmetic": 'name = "b"\nhypotheses = ["converged + 1 > 0"]\nconclusion = "converged"',
    "bad toml": 'name = "b\nhypotheses = []',
    "missing conclusion": 'name = "b"\nhypotheses = []',
    "unknown key": 'name = "b"\nhypotheses = []\nconclusion = "converged"\ncommand = "rm -rf /"',
    "paper-claim label": 'name = "b"\nprovenance = "paper-claim"\nhypotheses = []\nconclusion = "converged"',
    "parameter shadows a word": 'name = "b"\nhypotheses = []\nconclusion = "converged"\n[parameters]\nmu = 1',
    "bad domain": 'name = "b"\nhypotheses = []\nconclusion = "converged"\n[domain]\nbox = [[0, 1], [1, 2]]',
    "bad case": 'name = "b"\nhypotheses = []\nconclusion = "converged"\n[[cases]]\nloss = "logcosh"\nh = "0.5"',
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_bad_claim_files_give_one_sentence_and_exit_2(text, tmp_path, capsys):
    with pytest.raises(ClaimError):
        parse_claim(text)
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["check", "--claim", str(path), "--loss", "logcosh", "--h", "0.9", "--init", "20,0.1"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("llgd: error:")


# -- the fuzz suite covers claim expressions ----------------------------------------------------------

SENTINEL = os.path.join(tempfile.gettempdir(), "llgd_claim_fuzz_sentinel")
FLAG = "LLGD_CLAIM_FUZZ_EXECUTED"
PAYLOADS = [
    f"__import__('os').system('touch {SENTINEL}')",
    f"open('{SENTINEL}', 'w')",
    f"(lambda: setattr(__builtins__, '{FLAG}', 1))()",
    f"exec(\"open('{SENTINEL}','w')\")",
    "().__class__.__base__.__subclasses__()",
    "[c for c in ().__class__.__mro__]",
    "9**9**9**9",
    "(" * 100 + "mu" + ")" * 100,
    "not " * 300 + "converged",
    "converged if mu else diverged",
    "mu := 1",
    "mu in [1, 2]",
    "mu is 1",
    "f'{mu}' > 0",
    "b'x' < 1",
]
TOKENS = [
    "mu", "h", "eos_ratio", "S_GF0", "converged", "diverged", "steps", "delta", "1", "0.5", "1e308", "(", ")", "+", "-", "*", "/",
    "**", "^", " and ", " or ", "not ", "<", "<=", ">", ">=", "==", "!=", " is ", " in ", ",", ".", "__import__", "'os'", "lambda",
    ":", "[", "]", "if", "else", "sqrt", "abs", "where", "open", "eval", "exec", "getattr", "__class__", "\\", "#", "'", '"',
    "{", "}", "@", ";", "\n", "ｍu", "\x00", "True", "None",
]


@pytest.fixture(scope="module")
def no_execution():
    if os.path.exists(SENTINEL):
        os.remove(SENTINEL)
    yield
    assert not os.path.exists(SENTINEL) and not hasattr(builtins, FLAG), "a claim expression executed code"


def assert_typed_error_or_claim(expression: str) -> None:
    text = f"name = \"fuzz\"\nhypotheses = [{json.dumps(expression)}]\nconclusion = {json.dumps(expression)}\n[parameters]\ndelta = 0.25\n"
    try:
        claim = parse_claim(text)
    except ClaimError:
        return
    assert isinstance(claim, Claim) and claim.names <= set(VOCABULARY) | {"delta"}
    claim.statement_latex()  # every valid claim can be typeset
    assert not os.path.exists(SENTINEL) and not hasattr(builtins, FLAG)


@settings(max_examples=1500, deadline=None, database=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=40).map("".join))
def test_token_soup_is_a_typed_error_or_a_claim(no_execution, expression):
    assert_typed_error_or_claim(expression)


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(["", "mu > 0 and ", "not (", "eos_ratio >= "]), st.sampled_from(PAYLOADS), st.sampled_from(["", ")", " > 0", " or converged"]))
def test_injection_attempts_never_execute(no_execution, prefix, payload, suffix):
    assert_typed_error_or_claim(prefix + payload + suffix)


# -- the CLI verbs and the API ------------------------------------------------------------------------


def test_cli_check_property_latex_verify_with_claims(tmp_path, capsys):
    path = tmp_path / "user.toml"
    path.write_text(USER_CLAIM)
    assert main(["check", "--claim", str(path), "--loss", "logcosh", "--h", "0.9", "--init", "20,0.1", "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert checked["verdict"] == "holds" and checked["theorem"] == "claim:eos-from-stable-step" and checked["claim_file"] == str(path)
    assert main(["property", "--claim", str(path), "--json"]) == 0
    searched = json.loads(capsys.readouterr().out, parse_constant=pytest.fail)
    assert searched["confirmed"] is True and searched["counterexample"]["verdict"] == "violated"
    assert main(["latex", "--claim", str(path), "--json"]) == 0
    assert r"\implies" in json.loads(capsys.readouterr().out)["latex"]
    (tmp_path / "second.toml").write_text(
        'name = "t2-again"\nhypotheses = ["converged"]\nconclusion = "h*final_sharpness <= 2 + 1e-8"\n'
        '[[cases]]\nloss = "quadratic"\nh = 0.4\ninit = [3, 0.5]\n'
    )
    assert main(["verify", "--only", "sharpness-bound", "--claims", str(tmp_path), "--json"]) == 0
    verified = json.loads(capsys.readouterr().out)
    theorems = [r["theorem"] for r in verified["results"]]
    assert theorems.count("sharpness-bound") == len(get_theorem("sharpness-bound").cases) and "claim:t2-again" in theorems
    assert verified["ok"] and sorted(verified["claims"]) == ["eos-from-stable-step", "t2-again"]


def test_api_loads_a_claim_from_a_path_or_its_text():
    path = SHIPPED / "eos-v1.toml"
    from_path, from_text = api.load_claim(path), api.load_claim(path.read_text())
    assert from_path.statement_latex() == from_text.statement_latex()
    assert from_path.as_json()["provenance"] == "user-claim" and from_path.parameters == {"delta": 0.25}
    with pytest.raises(ClaimError, match="no claim file"):
        load_claim("does-not-exist.toml")


def test_readme_documents_every_word_and_its_claim_file_parses():
    import pathlib

    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## State your own claim") :]
    for name, term in VOCABULARY.items():
        assert re.search(rf"^\| `{name}` \| {term.kind} \| {'boolean' if term.boolean else 'number'} \| {term.scope} \|", section, re.M), name
    claim = parse_claim(re.search(r"```toml\n(.*?)```", section, re.S).group(1))
    assert [text for text, _ in claim.hypotheses] == ["p < 2", "mu > 0", "h < 1/(mu*curvature)", "h*S_GF0 > 2"]
    assert claim.conclusion[0] == "converged and eos_ratio >= 0.9" and len(claim.cases) == 1
