"""Catalog losses and user losses have the minimiser the theory needs: ℓ'(μ) = 0, ℓ(μ) = 0, ℓ''(μ) > 0."""

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof.errors import LossError, UnknownNameError
from llgd_proof.symbolic.losses import CATALOG, S, catalog_loss, loss_from_expression, parse_loss_spec


@pytest.mark.parametrize("name", list(CATALOG))
def test_catalog_minimiser_is_a_nondegenerate_zero(name):
    loss = catalog_loss(name)
    assert sympy.simplify(loss.at_minimiser(1)) == 0
    assert sympy.simplify(loss.at_minimiser(0)) == 0
    assert loss.at_minimiser(2) > 0


@settings(max_examples=30)  # 244 (μ, ℓ) pairs; each draw is a sympy solve and simplify
@given(st.integers(min_value=-30, max_value=30), st.sampled_from(["(s-mu)^2/2", "log(cosh(s-mu))", "sqrt(1+(s-mu)^2)", "huber(s-mu, 0.7)"]))
def test_symbolic_minimiser_of_shifted_losses(tenths, text):
    """For ℓ(s − μ) with a symmetric convex ℓ, the minimiser found is μ and the loss is shifted to min 0."""
    mu = sympy.Rational(tenths, 10)
    loss = loss_from_expression(text, mu=mu)
    assert loss.minimiser == mu
    assert sympy.simplify(loss.at_minimiser(0)) == 0


def test_several_global_minimisers_pick_the_positive_one():
    assert loss_from_expression("(s^2-1)^2/4").minimiser == 1


@pytest.mark.parametrize("text", [
    "s", "-s^2", "exp(s)", "s^4", "sin(s)*0 + 1 - s^3", "abs(s-1) + (s-1)^2", "exp(-s^2)", "log(s)^2", "(s-1)^2 + sqrt(s)", "s^4^(s^4)",
])
def test_losses_without_a_usable_minimiser_are_refused(text):
    with pytest.raises(LossError):
        loss_from_expression(text)


def test_numeric_minimiser_is_marked_numeric():
    loss = loss_from_expression("exp(s) + exp(-2*s) + atan(s)")
    assert loss.minimiser_method in ("symbolic", "numeric")
    derivative = sympy.lambdify(S, sympy.diff(loss.expr, S))
    assert abs(derivative(float(loss.minimiser))) < 1e-12


def test_catalog_specs_and_unknown_names():
    assert parse_loss_spec("huber:delta=0.5").parameters[sympy.Symbol("delta", positive=True)] == sympy.Rational(1, 2)
    assert parse_loss_spec("quadratic", mu=2).minimiser == 2
    with pytest.raises(UnknownNameError):
        parse_loss_spec("nope:delta=1")
    with pytest.raises(UnknownNameError):
        catalog_loss("huber", p=3)
