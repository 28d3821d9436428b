"""The typed API contract (issue 12, part 6): every misuse of a public function raises a subclass of
:class:`~llgd_proof.errors.LlgdInputError` with a sentence — never a bare TypeError, AttributeError,
KeyError, StopIteration or a wrong answer computed from a misread argument.

Each row below is one misuse: a function, valid arguments, and one argument replaced by a value of
the wrong type, ``None``, an empty container, a negative or zero count, NaN, ±∞, a huge value, a string
where a sequence is meant (or the reverse). A seeded hypothesis test then throws arbitrary junk at
the arguments of ``investigate`` and ``check``.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llgd_proof import api
from llgd_proof.errors import LlgdInputError, UnknownNameError

NAN, INF = float("nan"), float("inf")
OBJECTIVE = api.make_objective(loss="quadratic")
TINY_RUN = {"dps": 15, "max_steps": 3}

TEXT_MISUSE = [None, 1, 1.5, [], ["quadratic"], b"quadratic", "", "   ", object(), True]
STEP_MISUSE = [None, "abc", "", [], [0.5], "nan", NAN, INF, -INF, -1, 0, "1e400", 1e-320, True, object(), 10**400, "1e-400", 1j]
NUMBER_MISUSE = ["abc", [], NAN, INF, "1e400", True, object(), 1j, 10**400, "inf"]
START_MISUSE = ["11", "1,1", None, [], [1], (1, 2, 3), [None, 1], ["a", "b"], [NAN, 1], [INF, 1], 5, {1: 2}, [True, 1], b"11", [10**400, 1]]
DPS_MISUSE = [None, "30", 30.0, 14, -1, 0, 10**6, True, NAN]
STEPS_MISUSE = [None, "10", 0, -1, 1.5, True, 10**12]


def _cases():
    rows = []

    def add(label, function, *args, **kwargs):
        rows.append(pytest.param(function, args, kwargs, id=f"{label}-{len(rows)}"))

    for bad in TEXT_MISUSE:
        add("make_loss", api.make_loss, bad)
        add("regularity", api.regularity, bad)
        add("get_theorem", api.get_theorem, bad)
        add("catalog_loss", api.catalog_loss, bad)
        add("loss_from_expression", api.loss_from_expression, bad)
    for bad in NUMBER_MISUSE:
        add("make_loss-mu", api.make_loss, "quadratic", mu=bad)
        add("regularity-mu", api.regularity, "logcosh", mu=bad)
        add("catalog_loss-delta", api.catalog_loss, "huber", delta=bad)
    for bad in STEP_MISUSE:
        add("investigate-h", api.investigate, OBJECTIVE, bad, [1, 0.5], **TINY_RUN)
        add("check-h", api.check, "convergence", h=bad, init=[1, 0.5], loss="quadratic", **TINY_RUN)
        add("gradient_descent-h", api.gradient_descent, OBJECTIVE, bad, [1, 0.5], **TINY_RUN)
    for bad in START_MISUSE:
        add("investigate-init", api.investigate, OBJECTIVE, 0.5, bad, **TINY_RUN)
        add("check-init", api.check, "convergence", h=0.5, init=bad, loss="quadratic", **TINY_RUN)
    for bad in DPS_MISUSE:
        add("investigate-dps", api.investigate, OBJECTIVE, 0.5, [1, 0.5], dps=bad, max_steps=3)
        add("check-dps", api.check, "convergence", h=0.5, init=[1, 0.5], loss="quadratic", dps=bad, max_steps=3)
    for bad in STEPS_MISUSE:
        add("investigate-max_steps", api.investigate, OBJECTIVE, 0.5, [1, 0.5], dps=15, max_steps=bad)
    for bad in [None, "quadratic", 5, object()]:
        add("investigate-objective", api.investigate, bad, 0.5, [1, 0.5], **TINY_RUN)
        add("observe-run", api.observe, OBJECTIVE, bad)
        add("precision_check-run", api.precision_check, bad, OBJECTIVE)
    for bad in [0, -1, 17, 1000, None, "2", 1.5, True]:
        add("make_objective-dim", api.make_objective, loss="quadratic", dim=bad)
    for bad in [None, [], "", [""], ["x", "x"], ["1x"], [1], "x,y", [None], ["exp"], "xy", 5]:
        add("make_objective-variables", api.make_objective, objective="x**2", variables=bad)
    add("make_objective-both", api.make_objective, loss="quadratic", objective="x**2", variables=["x"])
    add("make_objective-neither", api.make_objective)
    add("make_objective-loss-with-variables", api.make_objective, loss="quadratic", variables=["x"])
    add("make_objective-objective-with-mu", api.make_objective, objective="x**2", variables=["x"], mu=2)
    for bad in ["", [], ["nope"], [None], 5, ["eos", 3], "e", "nope-eos"]:
        add("verify-ids", api.verify, bad)
    add("verify-progress", api.verify, ["eos"], progress=5)
    for bad in [5, "delta=1", {"delta": NAN}, {"delta": -5}, {1: 2}, {"delta": "x"}, {"foo": 1}, {"delta": 1e300}]:
        add("check-parameters", api.check, "eos", h=1.5, init=[2, 1], loss="logcosh", parameters=bad, **TINY_RUN)
    for bad in [5, [""], ["nope"], "nope", [None]]:
        add("check-without", api.check, "convergence", h=0.5, init=[1, 0.5], loss="quadratic", without=bad, **TINY_RUN)
    family = {"loss": "quadratic", "examples": 1, "max_steps": 3, "dps": 15}
    for bad in [0, -1, None, "2", 1.5, 10**9]:
        add("check_family-examples", api.check_family, "convergence", **{**family, "examples": bad})
    for bad in [-1, None, "0", 1.5, 2**40]:
        add("check_family-seed", api.check_family, "convergence", **family, seed=bad)
    for bad in [5, {"mu": 1}, {"mu": (2, 1)}, {"mu": ("a", 1)}, {"mu": (NAN, 1)}, {"mu": "0:1"}]:
        add("check_family-ranges", api.check_family, "convergence", **family, ranges=bad)
    for bad in [5, (1,), (2, 1), ("a", 1), (0, 1), (-1, 1), "0.1:0.5", None, (NAN, 1)]:
        add("check_family-fraction", api.check_family, "convergence", **family, fraction=bad)
        add("check_family-x_range", api.check_family, "convergence", **family, x_range=bad)
    add("check_family-log_scale", api.check_family, "convergence", **family, log_scale="yes")
    for formatter in [api.format_run, api.format_check, api.format_regularity, api.format_verify, api.format_family]:
        for bad in [None, 5, "x", [], {}, {"status": 1}]:
            add(formatter.__name__, formatter, bad)
    for bad in [None, 5, [], "", [""], [None]]:
        add("atlas-losses", api.atlas, bad, 0.5, samples=4, max_steps=5)
    for bad in [NAN, -1, "abc", 0, None]:
        add("atlas-h", api.atlas, ["quadratic"], bad, samples=4, max_steps=5)
    for bad in [0, -1, 1.5, "4", 10**12, True]:
        add("atlas-samples", api.atlas, ["quadratic"], 0.5, samples=bad, max_steps=5)
    for bad in [-1, 0, "5"]:
        add("atlas-max_steps", api.atlas, ["quadratic"], 0.5, samples=4, max_steps=bad)
    add("atlas-box", api.atlas, ["quadratic"], 0.5, samples=4, box=(0, 1, 0, 1))
    for bad in [[], "0.5", None, [NAN], [-1], [0.5, "x"]]:
        add("sweep-h_values", api.sweep, "logcosh", bad, [1, 2], max_steps=5)
    for bad in ["11", [1], None, [NAN, 1], [1, 2, 3]]:
        add("sweep-init", api.sweep, "logcosh", [0.5], bad, max_steps=5)
    return rows


CASES = _cases()


@pytest.mark.parametrize(("function", "args", "kwargs"), CASES)
def test_misuse_raises_typed_error(function, args, kwargs):
    with pytest.raises(LlgdInputError) as caught:
        function(*args, **kwargs)
    message = str(caught.value)
    assert message and "\n" not in message


def test_there_are_about_a_hundred_misuses_or_more():
    assert len(CASES) >= 100


def test_a_string_is_one_name_never_its_characters():
    """api.verify("eos-nope") names the whole id; variables="xy" is one variable named xy."""
    with pytest.raises(UnknownNameError, match="'eos-nope'"):
        api.verify("eos-nope")
    objective = api.make_objective(objective="xy**2", variables="xy")
    assert [str(v) for v in objective.variables] == ["xy"]


def test_a_start_must_be_a_sequence_not_a_string():
    """investigate(obj, 0.5, "11") once ran from (1, 1)."""
    with pytest.raises(LlgdInputError, match="sequence"):
        api.investigate(OBJECTIVE, 0.5, "11")


def test_valid_calls_still_work():
    """Not vacuous: the same functions accept well-formed arguments of every numeric kind."""
    from fractions import Fraction

    run = api.investigate(OBJECTIVE, Fraction(2, 5), [3, "0.5"], dps=15, max_steps=200)
    assert run.run.status.value == "converged"
    result = api.check("convergence", h="0.4", init=(3, 0.5), loss="logcosh", dps=20, max_steps=2000)
    assert result.verdict.value == "holds"


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6),
    st.binary(max_size=3), st.lists(st.one_of(st.integers(-3, 3), st.text(max_size=2), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2), st.just(object()),
)


@settings(max_examples=30, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["h", "init", "dps", "max_steps", "loss", "mu", "dim", "parameters", "without"]), JUNK)
def test_junk_in_check_is_refused_or_answered(argument, junk):
    """Property: any junk value in any argument of check either gives a result or a typed error."""
    arguments = {"h": "0.4", "init": ["3", "0.5"], "loss": "quadratic", "dps": 15, "max_steps": 5}
    arguments[argument] = junk
    try:
        api.check("convergence", **arguments)
    except LlgdInputError as error:
        assert str(error)


@settings(max_examples=30, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["h", "init", "dps", "max_steps"]), JUNK)
def test_junk_in_investigate_is_refused_or_answered(argument, junk):
    """Property: any junk value in any argument of investigate either gives a result or a typed error."""
    arguments = {"h": 0.4, "init": [3, 0.5], "dps": 15, "max_steps": 5}
    arguments[argument] = junk
    try:
        result = api.investigate(OBJECTIVE, arguments.pop("h"), arguments.pop("init"), **arguments)
    except LlgdInputError as error:
        assert str(error)
    else:
        assert math.isfinite(float(result.run.h))
