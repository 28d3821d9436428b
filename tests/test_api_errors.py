"""The typed API contract (issue 12, part 6): every misuse of a public function raises a subclass of
:class:`~llgd_proof.errors.LlgdInputError` with a sentence — never a bare TypeError, AttributeError,
KeyError, StopIteration or a wrong answer computed from a misread argument.

Each row below is one misuse: a function, valid arguments, and one argument replaced by a value of
the wrong type, ``None``, an empty container, a negative or zero count, NaN, ±∞, a huge value, a string
where a sequence is meant (or the reverse). A seeded hypothesis test then throws arbitrary junk at
the arguments of ``investigate`` and ``check``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import tempfile
from pathlib import Path

import pytest
from guards import guard as hang_guard
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from llgd_proof import api
from llgd_proof.claims.claim import SHIPPED
from llgd_proof.claims.conditions import ClaimError
from llgd_proof.errors import LlgdInputError, UnknownNameError
from llgd_proof.theorems import Verdict

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


ACCEPTED_IN_CHECK = {  # other well-formed values of each argument of check: these must be answered, never refused
    "h": ["0.3", 0.3, 1], "init": [("3", "0.5"), [2, 1.5]], "dps": [16, 20], "max_steps": [1, 8], "loss": ["logcosh", "(s-1)**2/2"],
    "mu": [None, 2, "0.5"], "dim": [1], "parameters": [None, {}], "without": [(), ["good regularity"]],
}


@st.composite
def check_arguments(draw):
    """(argument, value, accepted): junk, or (half the time) another well-formed value of the same argument."""
    argument = draw(st.sampled_from(sorted(ACCEPTED_IN_CHECK)))
    accepted = draw(st.booleans())
    return argument, draw(st.sampled_from(ACCEPTED_IN_CHECK[argument]) if accepted else JUNK), accepted


@settings(max_examples=40, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(check_arguments())
def test_junk_in_check_is_refused_or_answered(drawn):
    """Property: any junk value in any argument of check either gives a result or a typed one-line error, and a
    well-formed value always gives a result (so the refusals are not everything check can do)."""
    argument, value, accepted = drawn
    arguments = {"h": "0.4", "init": ["3", "0.5"], "loss": "quadratic", "dps": 15, "max_steps": 5}
    arguments[argument] = value
    try:
        result = api.check("convergence", **arguments)
    except LlgdInputError as error:
        assert not accepted, (argument, value, str(error))
        assert str(error) and "\n" not in str(error)
    else:
        assert isinstance(result.verdict, Verdict) and result.theorem.id.startswith("convergence")


@settings(max_examples=30, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["h", "init", "dps", "max_steps"]), JUNK)
def test_junk_in_investigate_is_refused_or_answered(argument, junk):
    """Property: any junk value in any argument of investigate either gives a result or a typed error."""
    arguments = {"h": 0.4, "init": [3, 0.5], "dps": 15, "max_steps": 5}
    arguments[argument] = junk
    try:
        result = api.investigate(OBJECTIVE, arguments.pop("h"), arguments.pop("init"), **arguments)
    except LlgdInputError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert math.isfinite(float(result.run.h)) and float(result.run.h) > 0


# -- issue 21 (hardening, round 2): every public entry of the API, every parameter, hostile values -------------

GUARD_SECONDS = 30
CLAIM = api.load_claim(SHIPPED / "eos-v1.toml")


def guard(seconds: float = GUARD_SECONDS):
    """The shared hang guard (tests/guards.py) with this file's limit."""
    return hang_guard(seconds)


def _deep_list(depth: int) -> list:
    outer = inner = []
    for _ in range(depth):
        inner.append([])
        inner = inner[0]
    return outer


HOSTILE = {
    "None": None, "zero": 0, "minus one": -1, "10**400": 10**400, "-10**400": -(10**400), "nan": NAN, "inf": INF, "-inf": -INF,
    "1e300": 1e300, "'1e400'": "1e400", "'nan'": "nan", "empty string": "", "blank": "   ", "word": "x", "bytes": b"x",
    "huge string": "9" * 100_000, "5000 brackets": "[" * 5000 + "]" * 5000, "nested list": _deep_list(5000), "empty list": [],
    "True": True, "complex": 1j, "dict": {"a": 1}, "object": object(), "list of None": [None, None],
}
RUN = api.gradient_descent(OBJECTIVE, "0.4", ["3", "0.5"], dps=15, max_steps=5)
TINY_CHECK = {"theorem": "convergence", "h": "0.4", "init": ["3", "0.5"], "loss": "quadratic", "dps": 15, "max_steps": 5}

PROOF = api.prove(loss="huber", h="0.5", init=["6", "0.3"])  # a proved result (a few seconds), for the entries that take one
CERTIFICATE = api.save_certificate(PROOF, str(Path(tempfile.mkdtemp()) / "proof.json"))
BASIN = api.basin(loss="quadratic", h="0.5", box=["0.5", "1.5", "0.5", "1.5"], depth=1)
BASIN_CERTIFICATE = api.save_basin_certificate(BASIN, str(Path(tempfile.mkdtemp()) / "basin.json"))
SWEEP = api.sweep("logcosh", [0.5], [1, 2], max_steps=5)
# each public entry: (callable, positional arguments, valid keyword arguments — every one of them is replaced in turn)
ENTRIES = {
    "make_loss": (api.make_loss, (), {"loss": "quadratic", "mu": None}),
    "make_objective": (api.make_objective, (), {"loss": "quadratic", "mu": None, "dim": 1}),
    "make_objective (general)": (api.make_objective, (), {"objective": "x**2", "variables": ["x"]}),
    "regularity": (api.regularity, (), {"loss": "quadratic", "mu": None}),
    "catalog_loss": (api.catalog_loss, ("huber",), {"delta": 0.5, "mu": 1}),
    "loss_from_expression": (api.loss_from_expression, (), {"text": "(s-1)**2", "mu": None, "name": None}),
    "get_theorem": (api.get_theorem, (), {"theorem_id": "eos"}),
    "investigate": (api.investigate, (), {"objective": OBJECTIVE, "h": "0.4", "init": ["3", "0.5"], "dps": 15, "max_steps": 5,
                                          "tolerance": None, "check": True, "keep_path": False}),
    "gradient_descent": (api.gradient_descent, (), {"objective": OBJECTIVE, "h": "0.4", "init": ["3", "0.5"], "dps": 15, "max_steps": 5,
                                                    "tolerance": None, "max_period": 64, "keep_path": False, "mark_step": None, "engine": None}),
    "precision_check": (api.precision_check, (), {"run": RUN, "objective": OBJECTIVE, "extra_digits": 5, "max_steps": 10}),
    "observe": (api.observe, (), {"objective": OBJECTIVE, "run": RUN, "trace_points": 64, "balance_fraction": 0.5}),
    "check": (api.check, (), {**TINY_CHECK, "mu": None, "dim": 1, "parameters": None, "without": ()}),
    "check_family": (api.check_family, (), {"theorem": "convergence", "loss": "quadratic", "examples": 1, "max_steps": 3, "dps": 15, "seed": 0,
                                            "ranges": None, "without": (), "fraction": (0.05, 0.99), "x_range": (0.05, 10.0),
                                            "y_range": (0.05, 5.0), "log_scale": False, "same_sign": True, "scheduler": None, "workers": 0,
                                            "progress": False}),
    "verify": (api.verify, (), {"theorem_ids": ["eos-v1"], "budget_seconds": 0, "seed": 0, "proof_seconds": 0, "progress": None}),
    "atlas": (api.atlas, (), {"losses": ["quadratic"], "h": 0.5, "samples": 4, "max_steps": 5, "seed": 0, "confirm": 0, "delta": 0.25,
                              "balance_fraction": 0.5, "log_scale": False, "same_sign": True, "mu": None, "workers": 1, "chunk": 8192}),
    "sweep": (api.sweep, (), {"loss": "logcosh", "h_values": [0.5], "init": [1, 2], "max_steps": 5, "mu": None, "confirm": 0, "seed": 0}),
    "run_starts": (api.run_starts, (), {"spec": "quadratic", "h": 0.5, "starts": [[1.0, 2.0]], "mu": None, "max_steps": 5, "workers": 1,
                                        "delta": 0.25, "balance_fraction": 0.5}),
    "atlas_summary": (api.atlas_summary, (), {"dataset": None}),
    **{name: (getattr(api, name), (), {"data": {}}) for name in sorted(api.__all__) if name.startswith("format_") and name != "format_theorems"},
    "format_theorems": (api.format_theorems, (), {"listing": []}),
    "load_claim": (api.load_claim, (), {"source": str(SHIPPED / "eos-v1.toml")}),
    "prove": (api.prove, (), {"h": "0.9", "init": ["20", "0.1"], "loss": "logcosh", "mu": None, "dim": 1, "max_steps": 50, "max_bits": 128,
                              "max_seconds": 1, "period": None}),
    "prove_case": (api.prove_case, (), {"case": api.Case(h="0.9", init=("20", "0.1"), loss="logcosh"), "max_steps": 50, "max_seconds": 1}),
    "Claim.check": (CLAIM.check, (), {"loss": "logcosh", "h": "0.9", "init": ["20", "0.1"], "dps": 15, "max_steps": 50}),
    "Claim.search": (CLAIM.search, (), {"examples": 1, "max_steps": 5, "dps": 15, "seed": 0, "workers": 0, "without": ()}),
    "Claim.domain_with": (CLAIM.domain_with, (), {"examples": 1, "grid": 4, "dps": 15, "box": [[0.1, 1], [0.1, 1]]}),
    "Claim.strategy": (CLAIM.strategy, (), {"domain": None}),
    "boundary": (api.boundary, (), {"theorem": "eos", "loss": "logcosh", "h_fraction": (0.5, 0.9), "h_steps": 1, "box": (0.5, 2, 0.5, 2),
                                    "grid": 2, "max_steps": 20, "confirm": 0, "mu": None, "parameters": None, "scheduler": None,
                                    "progress": False}),
    "basin": (api.basin, (), {"h": "0.5", "box": ["0.5", "1.5", "0.5", "1.5"], "loss": "quadratic", "mu": None, "objective": None,
                              "variables": (), "depth": 1, "bits": 128, "max_steps": 50, "scheduler": None, "workers": 1, "cache_dir": None,
                              "progress": False}),
    "save_basin_certificate": (api.save_basin_certificate, (), {"result": BASIN, "path": "basin.json"}),
    "recheck_basin": (api.recheck_basin, (), {"path": BASIN_CERTIFICATE}),
    "basin_outcome": (api.basin_outcome, (), {"path_or_certificate": BASIN_CERTIFICATE, "x": ["1", "0.5"], "y": ["1", "0.5"]}),
    "basin_figure": (api.basin_figure, (), {"result": BASIN, "path": "basin.png"}),
    "basin_dataset": (api.basin_dataset, (), {"result": BASIN}),
    "save_basin_store": (api.save_basin_store, (), {"result": BASIN, "path": "basin.zarr"}),
    "recheck": (api.recheck, (), {"path": CERTIFICATE}),
    "save_certificate": (api.save_certificate, (), {"result": PROOF, "path": "proof.json"}),
    "proof_latex": (api.proof_latex, (), {"result": PROOF}),
    "figure": (api.figure, (), {"result": SWEEP, "path": "f.png"}),
    "symbolic_budget": (api.symbolic_budget, (), {"seconds": 6}),
    "network": (api.network, (), {"loss": "mse", "activation": "relu", "h": 0.1, "steps": 2, "width": 5, "samples": 20}),
}
HAS_TORCH = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("sklearn") is not None
VALID_BUT_LONG = {("verify", "theorem_ids", "None")}  # None is every theorem: the whole library, ~40 s
PUBLIC_CALLABLES = {name for name in api.__all__ if callable(getattr(api, name)) and not isinstance(getattr(api, name), type)}


def test_every_public_function_is_fuzzed():
    """Not vacuous: a new public function of llgd_proof.api must get a row in ENTRIES (then it is fuzzed below)."""
    fuzzed = {entry[0].__name__ for entry in ENTRIES.values()}
    assert PUBLIC_CALLABLES - {"default_cache_dir"} <= fuzzed, PUBLIC_CALLABLES - fuzzed


def _call(function, args, kwargs):
    """Call under the guard in a scratch folder (path-like values become folders there); a result or a typed sentence."""
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder), guard():
        try:
            return function(*args, **kwargs)
        except LlgdInputError as error:
            message = str(error)
            assert message and "\n" not in message and len(message) < 2000, message
            return error


TAKES_A_RESULT = {entry for entry in ENTRIES if entry == "atlas_summary" or entry.startswith("format_") and entry != "format_theorems"}


@pytest.mark.parametrize("entry", sorted(set(ENTRIES) - TAKES_A_RESULT))
def test_valid_baseline_calls_work(entry):
    """Not vacuous: each row's own arguments are accepted, so a refusal below is caused by the one hostile value (the
    formatters and atlas_summary take a result, which their rows do not hold: their refusals are checked by their rows)."""
    if entry == "network" and not HAS_TORCH:
        pytest.skip("the network entry needs the [nn] extra (PyTorch, scikit-learn)")
    function, args, kwargs = ENTRIES[entry]
    assert not isinstance(_call(function, args, kwargs), LlgdInputError)


@st.composite
def hostile_calls(draw):
    entry = draw(st.sampled_from(sorted(ENTRIES)))
    kwargs = ENTRIES[entry][2]
    parameter = draw(st.sampled_from(sorted(kwargs)))
    label = draw(st.sampled_from(sorted(HOSTILE)))
    return entry, parameter, label


@settings(max_examples=800, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(hostile_calls())
def test_hostile_value_in_any_parameter_of_any_public_function(call):
    """Property: any public function, any one parameter replaced by a hostile value (None, a wrong type, 10**400, −1,
    NaN, ±∞, a 10⁵-character string, 5000 nested brackets…) gives a result or an LlgdInputError sentence, never
    another exception, within the guard."""
    entry, parameter, label = call
    assume(call not in VALID_BUT_LONG)
    function, args, kwargs = ENTRIES[entry]
    _call(function, args, {**kwargs, parameter: HOSTILE[label]})


@pytest.mark.parametrize("parameter", ["examples", "seed", "dps", "max_steps", "grid", "dim"])
@pytest.mark.parametrize("label", ["10**400", "minus one", "nan", "word", "nested list", "True"])
def test_claim_search_settings_are_bounded(parameter, label):
    """claim.search(examples=10**400) once never ended: every integer setting of a domain is refused out of range, in
    one sentence that names the setting and its accepted range."""
    with pytest.raises(ClaimError, match=rf"^[^\n]*'{parameter}' must be an integer from \d+ to \d+, got [^\n]+$"), guard():
        CLAIM.search(**{parameter: HOSTILE[label]})


QUOTED = [  # the calls named in issue 21
    (api.run_starts, (None, 0.5, [[1, 2]]), {}),
    (api.investigate, (OBJECTIVE, 0.4, [3, 0.5]), {"max_steps": 10**400}),
    (api.prove, (), {"h": "0.9", "init": None, "loss": "logcosh"}),
    (api.prove, (), {"init": ["20", "0.1"], "loss": "logcosh", "h": None}),
    (api.format_theorems, (None,), {}),
    (api.load_claim, ("a = " + "[" * 5000 + "]" * 5000,), {}),
    (api.load_claim, ("[" * 5000,), {}),
    (CLAIM.search, (), {"examples": 10**400}),
    (api.verify, (["eos"],), {"budget_seconds": 10**400}),
    (api.gradient_descent, (OBJECTIVE, 0.4, [3, 0.5]), {"max_period": "64"}),
    (api.observe, (OBJECTIVE, RUN), {"trace_points": 0}),
    (api.precision_check, (RUN, OBJECTIVE), {"extra_digits": 10**400}),
    (api.run_starts, ("quadratic", 0.5, [[1, 2]]), {"max_steps": None}),
    (api.check, (), {**TINY_CHECK, "dim": _deep_list(5000)}),
    (CLAIM.check, (), {"loss": "logcosh", "h": "1e400", "init": ["20", "0.1"]}),
    (CLAIM.check, (5,), {}),
]


@pytest.mark.parametrize(("function", "args", "kwargs"), QUOTED)
def test_quoted_misuse_raises_a_typed_sentence(function, args, kwargs):
    result = _call(function, args, kwargs)
    assert isinstance(result, LlgdInputError), result


def test_a_huge_mu_in_run_starts_is_answered():
    """μ = 1e300 (inside the documented limits) once raised OverflowError in the batch observation."""
    dataset = _call(api.run_starts, ("quadratic", 0.5, [[1.0, 2.0]]), {"mu": 1e300, "max_steps": 5})
    assert not isinstance(dataset, LlgdInputError) and dataset.status.size == 1
