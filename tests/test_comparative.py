"""Statistical verdicts for comparative claims (T3c, T5c): the Wilson interval, the decision rule, and the samples'
Dask graph (local, a real LocalCluster, or this process for a loss no spec rebuilds: the same counts)."""

import dataclasses
import json
import math

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof import api
from llgd_proof.analysis.proportions import Z_95, Proportion, compare, sample_starts, wilson_interval
from llgd_proof.errors import LlgdInputError
from llgd_proof.search import strategies as lst
from llgd_proof.symbolic.losses import catalog_loss, loss_from_expression, loss_spec, parse_loss_spec
from llgd_proof.theorems import Case, Verdict, get_theorem


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_bounds_are_the_roots_of_the_score_equation(case):
    """Each finite Wilson bound p solves (p̂ − p)² = z²·p(1 − p)/n — the score test at level 95 % — and p̂ lies between them."""
    successes, trials = case
    low, high = wilson_interval(successes, trials)
    estimate = successes / trials
    assert 0 <= low <= estimate <= high <= 1
    for bound in (low, high):
        lhs, rhs = (estimate - bound) ** 2, Z_95**2 * bound * (1 - bound) / trials
        assert math.isclose(lhs, rhs, rel_tol=1e-9, abs_tol=1e-15)


def test_wilson_matches_scipy_on_a_dense_sweep():
    scipy_stats = pytest.importorskip("scipy.stats")
    for trials in (1, 2, 5, 17, 60, 333):
        for successes in range(trials + 1):
            reference = scipy_stats.binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
            low, high = wilson_interval(successes, trials)
            assert low == pytest.approx(reference.low, abs=1e-12) and high == pytest.approx(reference.high, abs=1e-12)


@pytest.mark.parametrize("trials", [30, 50, 100])
def test_exact_binomial_coverage_is_near_95_percent(trials):
    """Exact coverage over a dense grid of true p: close to nominal on average, never far below it (Brown, Cai, DasGupta 2001)."""
    scipy_stats = pytest.importorskip("scipy.stats")
    intervals = numpy.array([wilson_interval(k, trials) for k in range(trials + 1)])
    successes = numpy.arange(trials + 1)
    coverage = []
    for p in numpy.linspace(0.02, 0.98, 500):
        inside = (intervals[:, 0] <= p) & (p <= intervals[:, 1])
        coverage.append(scipy_stats.binom.pmf(successes, trials, p)[inside].sum())
    assert 0.94 <= numpy.mean(coverage) <= 0.96
    assert min(coverage) >= 0.90


def test_no_trials_means_no_information():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(LlgdInputError):
        wilson_interval(5, 3)


@pytest.mark.parametrize(
    "good, square, expected",
    [
        ((90, 100), (20, 100), "holds"),
        ((20, 100), (90, 100), "violated"),  # disjoint and reversed
        ((50, 100), (45, 100), "inconclusive"),  # overlapping
        ((1, 2), (0, 2), "inconclusive"),  # too few to tell
        ((0, 0), (0, 100), "inconclusive"),  # nothing eligible for the good loss
    ],
)
def test_verdict_rules_on_synthetic_counts(good, square, expected):
    assert compare(Proportion(*good), Proportion(*square)) == expected


def test_samples_are_seeded_same_sign_and_inside_the_box():
    box = (0.5, 2.0, 0.1, 3.0)
    starts = sample_starts(box, 500, seed=4)
    assert numpy.array_equal(starts, sample_starts(box, 500, seed=4))
    assert numpy.all(starts[:, 0] * starts[:, 1] > 0)
    assert numpy.all((numpy.abs(starts[:, 0]) >= 0.5) & (numpy.abs(starts[:, 0]) <= 2.0))
    assert numpy.all((numpy.abs(starts[:, 1]) >= 0.1) & (numpy.abs(starts[:, 1]) <= 3.0))


@pytest.mark.parametrize("theorem_id", ["eos-comparative", "catapult-comparative"])
def test_comparative_default_cases_hold_with_full_evidence(theorem_id):
    theorem = get_theorem(theorem_id)
    assert theorem.kind == "comparative" and theorem.status == "current"
    result = theorem.check(theorem.cases[0])
    assert result.verdict is Verdict.HOLDS
    data = json.loads(json.dumps(result.as_json(), allow_nan=False))
    for role in ("good", "square"):
        side = data["evidence"][role]
        assert side["showing"] <= side["converged"] <= side["eligible"] <= side["drawn"]
        low, high = side["unconditional"]["wilson_95"]
        assert low <= side["unconditional"]["fraction"] <= high
        assert side["given_convergence"]["trials"] == side["converged"]
    assert data["evidence"]["good"]["unconditional"]["wilson_95"][0] > data["evidence"]["square"]["unconditional"]["wilson_95"][1]


def test_a_bad_loss_reverses_the_comparison():
    """Dropping good regularity, the quartic loss shows EoS less often than the square loss: violated (the check can fail)."""
    theorem = get_theorem("eos-comparative")
    result = api.check(theorem, loss="quartic", h="0.9", init=["2", "2"], without=["good regularity"], parameters={"samples": 800})
    assert result.verdict is Verdict.VIOLATED
    assert result.evidence["comparison"] == "violated"
    with_hypothesis = api.check(theorem, loss="quartic", h="0.9", init=["2", "2"], parameters={"samples": 800})
    assert with_hypothesis.verdict is Verdict.HYPOTHESES_NOT_MET


def test_the_square_loss_against_itself_is_inconclusive():
    result = get_theorem("catapult-comparative").without("good regularity")
    check = api.check(result, loss="quadratic", mu="0.5", h="1.2", init=["1", "1"], parameters={"samples": 500})
    assert check.verdict is Verdict.INCONCLUSIVE
    assert check.evidence["good"]["unconditional"] == check.evidence["square"]["unconditional"]


def test_cli_check_comparative(capsys):
    from llgd_proof.cli.main import main

    assert main(["check", "eos-comparative", "--loss", "logcosh", "--h", "0.9", "--init", "2,2", "--set", "samples=400", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "holds" and data["evidence"]["samples"] == 400
    assert main(["check", "eos-comparative", "--loss", "logcosh", "--h", "0.9", "--init", "2,2", "--set", "samples=0"]) == 2


# -- the samples run on Dask: the same counts whatever runs them -----------------------------------


@settings(max_examples=15, deadline=None)
@given(lst.catalog_losses())
def test_a_catalog_loss_has_a_spec_that_rebuilds_it(loss):
    """Dask workers rebuild a loss from its spec: for every catalog loss (drawn parameters) the spec gives the same ℓ and μ."""
    spec = loss_spec(loss)
    assert spec is not None
    rebuilt = parse_loss_spec(*spec)
    assert rebuilt.expr == loss.expr and rebuilt.mu == loss.mu


def test_an_expression_loss_has_a_spec_and_a_nameless_piecewise_one_has_none():
    loss = loss_from_expression("log(cosh(s - mu))", mu="0.7")
    rebuilt = parse_loss_spec(*loss_spec(loss))
    assert rebuilt.expr == loss.expr and rebuilt.mu == loss.mu
    nameless = dataclasses.replace(catalog_loss("huber", delta="1/3", mu="3/2"), name="a huber of my own")
    assert loss_spec(nameless) is None  # its Piecewise formula does not parse back: it runs in this process


def test_dask_and_in_process_samples_give_the_same_counts(monkeypatch):
    """The same case through the Dask graph and in this process (as for a loss no spec rebuilds): identical evidence."""
    from llgd_proof.theorems import comparative

    theorem = get_theorem("eos-comparative")
    case = Case(h="0.8", init=("2", "2"), loss_object=catalog_loss("huber", delta="3/7"), parameters={"samples": 300, "seed": 3})
    through_dask = theorem.check(case)
    monkeypatch.setattr(comparative, "loss_spec", lambda loss, given=None: None)
    in_process = theorem.check(case)
    assert through_dask.evidence.pop("runner") == {"good": "dask", "square": "dask"}
    assert all(runner.startswith("in-process") for runner in in_process.evidence.pop("runner").values())
    assert through_dask.evidence == in_process.evidence and through_dask.verdict is in_process.verdict
    assert through_dask.evidence["good"]["eligible"] > 0


def test_a_local_cluster_gives_the_same_verdict_and_counts(cluster, monkeypatch):
    theorem = get_theorem("catapult-comparative")
    case = dataclasses.replace(theorem.cases[1], parameters={"samples": 200})
    local = theorem.check(case).as_json()
    remote = theorem.check(case, scheduler=cluster).as_json()
    assert remote == local
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster)
    assert theorem.check(case).as_json() == local
