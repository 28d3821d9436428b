"""Fuzzing the expression parser: 10 340 generated strings (6000 token soups, 3500 unicode texts, 840 injections) end in a typed error or a valid expression.

Property: for every input, ``parse_expression`` either returns a sympy expression whose free symbols
are the declared names, or raises :class:`ExpressionError` — never another exception, never longer
than a hard guard, and never running code: the payloads below would create a sentinel file or set a
flag on ``builtins`` if anything executed them, and the test asserts neither ever appears.
"""

from __future__ import annotations

import builtins
import os
import resource
import tempfile

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof.cli.main import main
from llgd_proof.errors import ExpressionError, LlgdInputError
from llgd_proof.symbolic.expressions import parse_expression
from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_limit

S_SYMBOL, MU_SYMBOL = sympy.symbols("s mu", real=True)
NAMES = {"s": S_SYMBOL, "mu": MU_SYMBOL}
SENTINEL = os.path.join(tempfile.gettempdir(), "llgd_fuzz_sentinel")
FLAG = "LLGD_FUZZ_EXECUTED"
GUARD_SECONDS = 5

PAYLOADS = [
    f"__import__('os').system('touch {SENTINEL}')",
    f"open('{SENTINEL}', 'w')",
    f"(lambda: __import__('pathlib').Path('{SENTINEL}').touch())()",
    f"setattr(__builtins__, '{FLAG}', 1)",
    f"exec(\"open('{SENTINEL}','w')\")",
    f"eval(\"__import__('os').system('touch {SENTINEL}')\")",
    "().__class__.__base__.__subclasses__()",
    "s.__class__.__init__.__globals__",
    "[c for c in ().__class__.__mro__]",
    "{k: 1 for k in 'ab'}",
    "getattr(s, '__class__')",
    "globals()",
    "breakpoint()",
    "9**9**9**9",
    "10**10**10",
    "(2**64)**64",
    "1e999",
    "s" + "**2" * 30,
    "(" * 200 + "s" + ")" * 200,
    "-" * 500 + "s",
    "ｓ**2",
    "s\u200b+1",
    "exp(exp(exp(exp(exp(s)))))",
    "x" * 3000,
]
PREFIXES = ["", "s + ", "log(", "exp(1)*", "huber(s, ", "where(s < 1, ", "(s-mu)**2/2 + 0*"]
SUFFIXES = ["", ")", " + 1", ", s)", "))"]
TOKENS = [
    "s", "mu", "x", "1", "9", "0.5", "1e308", "(", ")", "+", "-", "*", "/", "**", "^", ",", ".", "__import__", "'os'",
    "lambda", ":", "[", "]", "for", "in", "if", "else", "exp", "log", "sqrt", "cosh", "tanh", "huber", "where", "<", ">",
    "==", "__class__", "__builtins__", "open", "eval", "exec", "getattr", "print", "import", " ", "\\", "#", "'", '"', "{",
    "}", "@", ";", "\n", "ｓ", "ı", "\u2028", "\x00", "9**9**9**9", "((((((", "))))))", "pi", "E", "abs", "max", "min",
]


@pytest.fixture(scope="module", autouse=True)
def no_execution_and_bounded_memory():
    if os.path.exists(SENTINEL):
        os.remove(SENTINEL)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield
    assert not os.path.exists(SENTINEL), "an expression executed code (sentinel file created)"
    assert not hasattr(builtins, FLAG), "an expression executed code (builtins flag set)"
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert growth_mb < 1024, f"fuzzing grew peak memory by {growth_mb:.0f} MB"


def assert_safe_outcome(text: str) -> None:
    try:
        with time_limit(GUARD_SECONDS):
            result = parse_expression(text, NAMES)
    except ExpressionError:
        return
    except TimeLimitExceeded:  # pragma: no cover - the property under test
        pytest.fail(f"parsing took longer than {GUARD_SECONDS} s: {text[:80]!r}")
    assert isinstance(result, sympy.Expr)
    assert result.free_symbols <= {S_SYMBOL, MU_SYMBOL}
    assert not os.path.exists(SENTINEL) and not hasattr(builtins, FLAG)


@settings(max_examples=2500)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=60).map("".join))
def test_token_soup(text):
    assert_safe_outcome(text)


@settings(max_examples=1500)
@given(st.text(max_size=300))
def test_arbitrary_unicode(text):
    assert_safe_outcome(text)


@settings(max_examples=1500)
@given(st.sampled_from(PREFIXES), st.sampled_from(PAYLOADS), st.sampled_from(SUFFIXES))
def test_injection_attempts(prefix, payload, suffix):
    assert_safe_outcome(prefix + payload + suffix)


@pytest.mark.parametrize("payload", PAYLOADS[:18])
def test_cli_refuses_with_one_line_and_exit_2(capsys, payload):
    try:
        code = main(["run", "--loss", payload, "--h", "0.1", "--init", "1,1"])
    except SystemExit as stop:
        code = stop.code
    assert code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("llgd: error:")


@settings(max_examples=200)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12).map("".join))
def test_loss_construction_ends_in_a_typed_error_or_a_loss(text):
    """Through the whole loss pipeline (minimiser search included): a Loss or an LlgdInputError."""
    from llgd_proof.symbolic.losses import loss_from_expression

    try:
        with time_limit(30):
            loss = loss_from_expression(text)
    except LlgdInputError:
        return
    assert loss.at_minimiser(2) > 0


ATOMS = st.sampled_from(["s", "(s - 1)", "(s + 2)", "(s - mu)", "2", "0.5", "3"])


def _combine(children):
    unary = st.sampled_from(["exp", "log", "sqrt", "cosh", "tanh", "abs", "atan", "sinh"])
    return st.one_of(
        st.tuples(unary, children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        children.map(lambda c: f"({c})^2"),
        st.tuples(children, children).map(lambda t: f"huber({t[0]}, {t[1]})"),
    )


WELL_FORMED = st.recursive(ATOMS, _combine, max_leaves=6)


@settings(max_examples=15)
@given(WELL_FORMED)
def test_well_formed_losses_through_the_whole_pipeline(text):
    """Well-formed random losses: minimiser search and the regularity report end in a report or a typed error."""
    from llgd_proof.analysis.regularity import RegularityReport
    from llgd_proof.symbolic.losses import loss_from_expression

    try:
        with time_limit(60):
            loss = loss_from_expression(text, mu=1)
            report = RegularityReport(loss).as_json()
    except LlgdInputError:
        return
    assert report["class"] in ("good", "borderline", "bad")
    assert report["curvature_at_minimum"] > 0
