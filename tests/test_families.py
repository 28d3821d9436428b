"""Public strategies draw what they promise; the family checker counts, shrinks and confirms."""

import sympy
from hypothesis import given, settings

from llgd_proof import api
from llgd_proof import strategies as lst
from llgd_proof.losses import S
from llgd_proof.theorems import Verdict


@settings(max_examples=40)
@given(lst.grammar_losses())
def test_grammar_losses_have_their_known_minimiser(loss):
    """ℓ'(μ) = 0, ℓ(μ) = 0 and ℓ''(μ) > 0 for the μ the grammar announces, and ℓ ≥ 0 on a probe grid."""
    assert sympy.simplify(loss.at_minimiser(1)) == 0
    assert sympy.simplify(loss.at_minimiser(0)) == 0
    assert loss.at_minimiser(2) > 0
    values = [float(loss.expr.subs(S, loss.mu + sympy.Rational(k, 4))) for k in range(-40, 41)]
    assert min(values) >= -1e-12


@settings(max_examples=25)
@given(lst.catalog_losses(regularity="good"))
def test_good_catalog_draws_are_good(loss):
    assert api.regularity(loss).regularity_class == "good"


@settings(max_examples=200)
@given(lst.starting_points(same_sign=True, x_range=(0.05, 10), y_range=(0.01, 5)))
def test_same_sign_starts_in_the_box(start):
    x, y = float(start[0]), float(start[1])
    assert x * y > 0 and 0.05 <= abs(x) <= 10 and 0.01 <= abs(y) <= 5


@settings(max_examples=100)
@given(lst.starting_points(log_scale=True, x_range=(0.001, 100), y_range=(0.001, 100), same_sign=False, dim=2))
def test_log_scaled_starts_reach_both_ends(start):
    assert len(start) == 4 and all(0.00099 <= abs(float(v)) <= 100.1 for v in start)


@settings(max_examples=30)
@given(lst.catalog_losses(["logcosh", "quadratic", "pseudo-huber"]).flatmap(lambda loss: lst.learning_rates(loss).map(lambda h: (loss, h))))
def test_learning_rates_are_fractions_of_the_stable_step(pair):
    loss, h = pair
    assert 0 < float(h) < float(lst.reference_step(loss))


def test_family_check_passes_on_a_good_loss():
    report = api.check_family("convergence", loss="logcosh", ranges={"mu": (1, 2)}, examples=25, seed=5)
    assert report.counts["violated"] == 0 and report.counts["holds"] > 0
    assert sum(report.counts.values()) == report.examples


def test_t1_as_formalised_fails_for_small_mu():
    """A finding of the family checker, kept as a regression: theory.md's T1 (h < 1/(μℓ''(μ))) is false for
    log cosh with μ = 1/2 — h = 1.48 from (0.1, 2.4) diverges, confirmed 20 digits higher."""
    report = api.check_family("convergence-v1", loss="logcosh", ranges={"mu": (0.5, 2)}, examples=25, seed=5)
    assert report.counts["violated"] > 0 and report.confirmed
    case = report.counterexample.case
    assert float(case.loss_object.mu) < 1 and report.counterexample.evidence["status"] == "diverged"


def test_counterexample_is_shrunk_confirmed_and_reproducible():
    first = api.check_family("convergence", loss="quadratic", without=["good regularity", "step below balancing limit"], examples=40, seed=11)
    again = api.check_family("convergence", loss="quadratic", without=["good regularity", "step below balancing limit"], examples=40, seed=11)
    assert first.counterexample is not None and first.confirmed
    assert first.counterexample.evidence["status"] == "diverged"
    assert first.confirmation.verdict is Verdict.VIOLATED and first.confirmation.case.dps > first.counterexample.case.dps
    assert first.counts == again.counts
    assert first.counterexample.case.init == again.counterexample.case.init
    # hypothesis only accepts shortlex-smaller choice sequences, and h is the first choice drawn: shrinking
    # can trade a larger start for a smaller step, never the other way round
    assert float(first.counterexample.case.h) <= float(first.first_violations[0].h)
