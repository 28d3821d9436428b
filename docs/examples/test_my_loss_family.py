"""Copy me: property-test your own loss family against llgd_proof's theorems with its public strategies.

Run with ``pytest docs/examples/test_my_loss_family.py`` (it is part of the project's own suite too).
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof import api
from llgd_proof.search import strategies as lst
from llgd_proof.theorems import Verdict, get_theorem

# 1. Your family: a loss with a parameter mu, drawn on a grid of values in [0.5, 2].
my_losses = lst.parametrised_losses("2*log(cosh((s - mu)/2))", {"mu": (0.5, 2.0)}, steps=6)

# 2. Whole cases: step = a fraction of the loss's maximal stable step, same-sign starts in a box.
my_cases = lst.cases(my_losses, fraction=(0.1, 0.95), starts=lst.starting_points(x_range=(0.5, 8), y_range=(0.05, 2)))


@settings(max_examples=8, deadline=None)
@given(my_cases)
def test_balancing_is_never_violated_on_my_family(case):
    """Property: T4 (balancing) holds or honestly says why not — never 'violated'."""
    result = get_theorem("balancing").check(case)
    assert result.verdict is not Verdict.VIOLATED, result.as_json()["conclusion"]


@settings(max_examples=10, deadline=None)
@given(my_losses)
def test_my_family_has_good_regularity(loss):
    """Property: every member grows sub-quadratically (so T1–T5 apply to it)."""
    assert api.regularity(loss).regularity_class == "good"


def test_what_breaks_without_good_regularity():
    """The counterexample workflow: drop a hypothesis, let hypothesis find and shrink a failure."""
    report = api.check_family("convergence", loss="quadratic", without=["good regularity", "step below balancing limit"], examples=30, seed=3)
    assert report.counterexample is not None and report.confirmed
    print(report.counterexample.case.describe())  # e.g. loss quadratic, h = 0.2, start (0.05, 4.5)


@given(st.data())
def test_strategies_compose(data):
    loss = data.draw(lst.catalog_losses(["huber", "logcosh"]))
    h = float(data.draw(lst.learning_rates(loss)))
    assert 0 < h < 1 / (float(loss.mu) * float(loss.at_minimiser(2)))
