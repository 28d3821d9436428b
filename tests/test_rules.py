"""Each pointwise rule is stated once and means the same on one run and on a batch (issue 19).

* the phenomenon predicates of :mod:`llgd_proof.engines.phenomena` (stability edge, EoS window, loss spike,
  catapult, balancing) give, on a float64 array, what they give on each of its entries as a float or an
  mpmath number;
* the verdict rule :func:`~llgd_proof.theorems.base.verdict_codes` decides a batch cell by cell as it decides
  one check, and says what its docstring says (holds only when everything is decided and true, …);
* on drawn starts of log cosh(xy − 1) at two steps, the float64 atlas arrays and the high-precision
  theorems classify EoS and catapult alike, and a boundary map's batch verdict is Theorem.check's verdict.
"""

import math

import mpmath
import numpy
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from llgd_proof.engines.batch import STATUS_CODES, batch_gradient_descent
from llgd_proof.engines.phenomena import (
    EDGE_TOLERANCE,
    SPIKE_MARGIN,
    at_the_edge,
    balanced,
    catapulted,
    loss_rose,
    observe_batch,
    past_stability_limit,
    spiked_then_flat,
    within_stability,
)
from llgd_proof.engines.stopping import Status
from llgd_proof.experiments.boundary import BATCH_FORMS, generic_cells
from llgd_proof.symbolic.losses import parse_loss_spec
from llgd_proof.symbolic.objective import product_objective
from llgd_proof.theorems import Case, Verdict, get_theorem
from llgd_proof.theorems.base import CODE, VERDICTS, converges, three_valued, truth, verdict_codes

# -- the phenomenon predicates: one number or an array, the same inequality --------------------------------

# values that crowd the thresholds (1 − δ, 1, 1 + tolerance, 2/h …) as well as ordinary ones
NEAR = st.sampled_from([1.0, 1 + EDGE_TOLERANCE, 1 + SPIKE_MARGIN, 0.75, 2.0, 0.5]).flatmap(
    lambda centre: st.floats(-1e-7, 1e-7).map(lambda offset: centre + offset)
)
NUMBERS = st.one_of(NEAR, st.floats(-10, 10), st.just(math.nan), st.just(math.inf))
PREDICATES = {
    "past_stability_limit": (past_stability_limit, 2),
    "within_stability": (within_stability, 1),
    "at_the_edge": (lambda ratio, delta: at_the_edge(ratio, abs(delta)), 2),
    "loss_rose": (loss_rose, 1),
    "spiked_then_flat": (spiked_then_flat, 2),
    "catapulted": (catapulted, 4),
    "balanced": (lambda initial, final: balanced(initial, final, 0.5), 2),
}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(PREDICATES)), st.integers(1, 12).flatmap(lambda n: st.lists(st.lists(NUMBERS, min_size=n, max_size=n), min_size=4, max_size=4)))
def test_a_predicate_on_an_array_is_the_predicate_on_each_entry(name, columns):
    """Property: for every phenomenon predicate, its value on float64 arrays is, entry by entry, its value on the
    entries as floats and (where finite) as mpmath numbers — NaN (an undefined quantity) reads false in both."""
    predicate, arity = PREDICATES[name]
    arrays = [numpy.array(column) for column in columns[:arity]]
    with numpy.errstate(invalid="ignore"):
        batch = numpy.asarray(predicate(*arrays))
    assert batch.dtype == bool and batch.shape == arrays[0].shape
    for i in range(len(arrays[0])):
        entries = [float(a[i]) for a in arrays]
        assert bool(predicate(*entries)) == batch[i], entries
        if all(math.isfinite(v) for v in entries):
            with mpmath.workdps(30):
                assert bool(predicate(*(mpmath.mpf(v) for v in entries))) == batch[i], entries


def test_the_thresholds_are_tight_on_both_sides():
    """The edge, the window and the spike are decided exactly at the stated thresholds (neither vacuous nor shifted)."""
    assert within_stability(1 + EDGE_TOLERANCE) and not within_stability(numpy.nextafter(1 + EDGE_TOLERANCE, 2))
    assert at_the_edge(0.75, 0.25) and not at_the_edge(numpy.nextafter(0.75, 0), 0.25)
    assert not loss_rose(1.0) and not loss_rose(1 + SPIKE_MARGIN) and loss_rose(numpy.nextafter(1 + SPIKE_MARGIN, 2))
    assert past_stability_limit(0.5, numpy.nextafter(4.0, 5)) and not past_stability_limit(0.5, 4.0)


# -- the verdict rule: one check or a batch, the same decision ---------------------------------------------

FINDING = st.sampled_from([True, False, None])
CELL = st.tuples(st.lists(FINDING, max_size=5), FINDING, st.booleans(), st.booleans(), st.booleans(), st.booleans())


def _scalar(cell) -> Verdict:
    hypotheses, conclusion, settled, proved, agrees, generic = cell
    return VERDICTS[int(verdict_codes(hypotheses, conclusion, settled=settled, proved=proved, agrees=agrees, generic=generic))]


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 5).flatmap(lambda k: st.lists(CELL.map(lambda c: ((c[0] + [True] * 5)[:k], *c[1:])), min_size=1, max_size=20)))
def test_the_verdict_rule_on_a_batch_is_the_rule_on_each_cell(cells):
    """Property: deciding many cells at once (three-valued arrays: 1, 0, NaN) gives, cell by cell, the single-check verdict."""
    count = len(cells[0][0])
    hypotheses = [numpy.array([c[0][j] for c in cells], dtype=float) for j in range(count)]
    conclusion = numpy.array([c[1] for c in cells], dtype=float)
    flags = [numpy.array([c[k] for c in cells]) for k in (2, 3, 4, 5)]
    codes = verdict_codes(hypotheses, conclusion, settled=flags[0], proved=flags[1], agrees=flags[2], generic=flags[3])
    assert [VERDICTS[int(code)] for code in codes] == [_scalar(cell) for cell in cells]


@settings(max_examples=200, deadline=None)
@given(CELL)
def test_the_verdict_rule_says_what_it_states(cell):
    """Property: holds ⇔ a generic start, every proof and hypothesis true, the precision repeat agreeing, the
    conclusion true and the run settled; violated ⇔ the same but the conclusion false; not met ⇔ not generic,
    or (all proofs proved, no hypothesis undecided) some hypothesis false; everything else is inconclusive."""
    hypotheses, conclusion, settled, proved, agrees, generic = cell
    verdict = _scalar(cell)
    trusted = generic and proved and agrees and all(h is True for h in hypotheses)
    assert (verdict is Verdict.HOLDS) == (trusted and conclusion is True and settled)
    assert (verdict is Verdict.VIOLATED) == (trusted and conclusion is False)
    unmet = proved and None not in hypotheses and False in hypotheses
    assert (verdict is Verdict.HYPOTHESES_NOT_MET) == (not generic or unmet)


def test_three_valued_findings_read_none_and_undefined_quantities_as_undecided():
    assert [truth(v) for v in (True, False, None)] == [True, False, None]
    assert numpy.array_equal(three_valued([True, False, True], [1.0, 2.0, math.nan]), [1.0, 0.0, math.nan], equal_nan=True)
    codes = [STATUS_CODES[s] for s in (Status.CONVERGED, Status.UNDECIDED, Status.STATIONARY, Status.PERIODIC, Status.DIVERGED)]
    assert numpy.array_equal(converges(codes), [1.0, math.nan, 0.0, 0.0, 0.0], equal_nan=True)


# -- theorem and atlas agree, on drawn starts of log cosh(xy − 1) --------------------------------------------

LOGCOSH = product_objective(parse_loss_spec("logcosh"))
THEOREM_IDS = ("eos-v1", "eos", "catapult-v1", "catapult")
STEPS = ("0.5", "0.9")  # hS/2 ≥ 0.5 and ≥ 0.9 on M: below and inside the EoS window's lower end 1 − δ = 0.75
STARTS = st.tuples(st.floats(0.05, 4), st.floats(0.05, 4))
AWAY = 1e-6  # a start whose measured quantity lies this close to a threshold is one on which two engines may differ


def _away_from_thresholds(value, thresholds) -> bool:
    return value is None or not math.isfinite(value) or all(abs(value - t) > AWAY * max(1, abs(t)) for t in thresholds)


def _clear_spike(ratio) -> bool:
    """max_k f(θ_k)/f(θ0) is exactly 1 when the loss never rises (both engines), clearly above 1 for a spike."""
    return ratio is None or not math.isfinite(ratio) or ratio == 1 or ratio > 1 + AWAY


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(STEPS), st.lists(STARTS, min_size=6, max_size=6, unique=True))
def test_theorem_and_atlas_classify_alike_on_drawn_starts(h, starts):
    """Property: for log cosh(xy − 1) at h ∈ {0.5, 0.9}, on starts where the float64 batch engine and the 30-digit
    engine reach the same status and no measured quantity is within 1e-6 of a threshold,

    * the atlas's ``eos`` flag (converged, hS∞/2 ∈ [1 − δ, 1]) ⇔ the EoS theorem's "GD converges" and conclusion;
    * the atlas's ``catapult`` flag on a converged start ⇔ catapult-v1's "too sharp", "GD converges" and conclusion;
    * the boundary map's batch verdict of each of eos-v1, eos, catapult-v1, catapult ⇔ Theorem.check's verdict."""
    points = numpy.array(starts)
    run = batch_gradient_descent(LOGCOSH, float(h), points, max_steps=20_000)
    arrays = observe_batch(LOGCOSH, run, delta=0.25)
    arrays["gf_sharpness"] = LOGCOSH.compiled("numpy").gf_sharpness(*points.T)
    batch_verdicts = {}
    for theorem_id in THEOREM_IDS:
        theorem = get_theorem(theorem_id)
        with numpy.errstate(all="ignore"):
            hypotheses, conclusion, _ = BATCH_FORMS[theorem_id](LOGCOSH, run, arrays, dict(theorem.parameters))
        batch_verdicts[theorem_id] = verdict_codes(hypotheses.values(), conclusion, settled=run.status != STATUS_CODES[Status.UNDECIDED], generic=generic_cells(run, theorem))
    compared = 0
    for i, (x0, y0) in enumerate(starts):
        case = Case(loss="logcosh", h=h, init=(repr(x0), repr(y0)))
        results = {theorem_id: get_theorem(theorem_id).check(case, precision_check=False) for theorem_id in THEOREM_IDS}
        evidence = results["eos-v1"].evidence
        if STATUS_CODES[Status(evidence["status"])] != run.status[i]:
            continue  # near a basin boundary the two engines may end differently (tests/test_stopping.py compares them)
        measured = [(evidence["eos_ratio"], (0.75, 1.0)), (arrays["eos_ratio"][i], (0.75, 1.0)), (arrays["initial_sharpness"][i] * float(h), (2.0,)),
                    (arrays["gf_sharpness"][i] * float(h) / 2, (1.0, 1.05))]
        if not all(_away_from_thresholds(value, thresholds) for value, thresholds in measured):
            continue
        if not (_clear_spike(evidence["max_loss_ratio"]) and _clear_spike(arrays["max_loss_ratio"][i])):
            continue
        compared += 1
        met = {theorem_id: {f.name: f.ok for f in result.hypotheses} for theorem_id, result in results.items()}
        eos_theorem = met["eos-v1"]["GD converges"] is True and results["eos-v1"].conclusion.ok is True
        assert bool(arrays["eos"][i]) == eos_theorem, (h, x0, y0)
        converged = run.status[i] == STATUS_CODES[Status.CONVERGED]
        catapult_theorem = all(met["catapult-v1"][name] is True for name in ("too sharp for the step", "GD converges")) and results["catapult-v1"].conclusion.ok is True
        assert bool(arrays["catapult"][i] and converged) == catapult_theorem, (h, x0, y0)
        for theorem_id, result in results.items():
            assert VERDICTS[int(batch_verdicts[theorem_id][i])] is result.verdict, (theorem_id, h, x0, y0)
    assume(compared)


def test_the_drawn_agreement_is_not_vacuous():
    """Both sides of each classification occur on log cosh(xy − 1), and theorem and atlas agree on them:

    * h = 0.9, θ0 = (0.3, 3): hS_GF(θ0)/2 ≈ 4.1 > 1 + m near M, the loss spikes and GD lands at the edge (on M every
      minimiser has hS/2 ≥ hμℓ''(μ) = 0.9 ≥ 1 − δ, F2): in the EoS window, a catapult;
    * h = 0.5, θ0 = (0.8, 1.3): the gradient-flow limit is stable, hS_GF(θ0)/2 ≈ 0.56 < 1 − δ, so GD slides into it:
      converged below the window, no spike;
    * h = 0.9, θ0 = (1.2, 1.2): the catapult-v1 counterexample, S0 > 2/h but no spike (theory.md T5 v1)."""
    cases = [("0.9", ("0.3", "3")), ("0.5", ("0.8", "1.3")), ("0.9", ("1.2", "1.2"))]
    checks = [{t: get_theorem(t).check(Case(loss="logcosh", h=h, init=init), precision_check=False) for t in ("eos-v1", "catapult-v1")} for h, init in cases]
    assert [c["eos-v1"].conclusion.ok for c in checks] == [True, False, True]
    assert [c["catapult-v1"].verdict for c in checks] == [Verdict.HOLDS, Verdict.HYPOTHESES_NOT_MET, Verdict.VIOLATED]
    assert all(c["eos-v1"].evidence["status"] == "converged" for c in checks)
    for (h, init), check in zip(cases, checks):
        run = batch_gradient_descent(LOGCOSH, float(h), numpy.array([[float(v) for v in init]]), max_steps=20_000)
        arrays = observe_batch(LOGCOSH, run)
        assert bool(arrays["eos"][0]) is check["eos-v1"].conclusion.ok
        assert bool(arrays["catapult"][0]) is (check["catapult-v1"].verdict is Verdict.HOLDS)


@pytest.mark.parametrize("init", [("0", "2"), ("1.5", "0"), ("1", "1"), ("0", "0")], ids=["x0 = 0", "y0 = 0", "on M", "saddle"])
def test_exceptional_starts_are_not_met_in_the_check_and_in_the_batch(init):
    """A start on an exceptional set (an axis of ℓ(xy), the minimiser set xy = μ = 1 for a theorem about generic starts,
    the saddle at the origin) is outside every theorem about generic starts, for Theorem.check and a batch verdict alike."""
    theorem = get_theorem("eos")
    result = theorem.check(Case(loss="logcosh", h="0.9", init=init), precision_check=False)
    assert result.verdict is Verdict.HYPOTHESES_NOT_MET
    assert {f.name: f.ok for f in result.hypotheses}["generic start"] is False
    run = batch_gradient_descent(LOGCOSH, 0.9, numpy.array([[float(v) for v in init]]), max_steps=20_000)
    assert not generic_cells(run, theorem)[0]
    arrays = observe_batch(LOGCOSH, run)
    arrays["gf_sharpness"] = LOGCOSH.compiled("numpy").gf_sharpness(*run.initial.T)
    with numpy.errstate(all="ignore"):
        hypotheses, conclusion, _ = BATCH_FORMS["eos"](LOGCOSH, run, arrays, dict(theorem.parameters))
    code = verdict_codes(hypotheses.values(), conclusion, settled=run.status != STATUS_CODES[Status.UNDECIDED], generic=generic_cells(run, theorem))
    assert VERDICTS[int(code[0])] is Verdict.HYPOTHESES_NOT_MET


@pytest.mark.parametrize("code", range(len(VERDICTS)))
def test_verdict_codes_are_the_boundary_json_order(code):
    """Codes 0..3 are holds, violated, hypotheses-not-met, inconclusive (the boundary map's ``verdict_codes``)."""
    assert CODE[VERDICTS[code]] == code
    assert [v.value for v in VERDICTS] == ["holds", "violated", "hypotheses-not-met", "inconclusive"]
