"""The basin enclosures' tight ℓ' and ℓ'' on balls (checker.problem, module doc): they hold the true values at
every point of the ball (checked against mpmath derivatives of the loss, computed here), are never wider than the
plain interval evaluation, and are far narrower where it matters (a wide ball where ℓ' of log cosh saturates)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof.checker.problem import problem_from_inputs
from llgd_proof.symbolic.arb import Undecidable, working_bits

LOSSES = {  # the catalogue name and ℓ written out here, independently of the package
    "logcosh": lambda s: mpmath.log(mpmath.cosh(s - 1)),
    "pseudo-huber": lambda s: mpmath.sqrt(1 + (s - 1) ** 2) - 1,
    "quadratic": lambda s: (s - 1) ** 2 / 2,
    "quartic": lambda s: (s - 1) ** 2 / 2 + (s - 1) ** 4 / 4,
    "double-well": lambda s: (s**2 - 1) ** 2 / 4,
}


def _problem(loss: str):
    return problem_from_inputs({"loss": loss, "mu": None if loss == "double-well" else "1", "dim": 1, "objective": None, "variables": [], "h": "0.5", "init": ["1", "1"]})


def _ball(low: Fraction, high: Fraction) -> arb:
    return (arb(low.numerator) / low.denominator).union(arb(high.numerator) / high.denominator)


def _width(ball: arb) -> float:
    return float(ball.upper() - ball.lower()) if ball.is_finite() else float("inf")


@settings(max_examples=60, deadline=None)
@given(loss=st.sampled_from(sorted(LOSSES)), low=st.fractions(-20, 20, max_denominator=64), width=st.fractions(0, 12, max_denominator=64),
       where=st.lists(st.fractions(0, 1, max_denominator=1000), min_size=1, max_size=5))
def test_tight_enclosures_hold_every_point_and_are_never_wider(loss, low, width, where):
    problem = _problem(loss)
    with working_bits(128):
        ball = _ball(low, low + width)
        try:
            plain = problem.strict_slope_and_curvature(ball)
            tight = problem.tight_slope_and_curvature(ball)
        except Undecidable:
            return
        for plain_value, tight_value in zip(plain, tight):
            assert _width(tight_value) <= _width(plain_value) * (1 + 1e-8) + 1e-30  # an intersection's radius is rounded up
        with mpmath.workdps(40):
            for fraction in where:
                point = low + fraction * width
                s = mpmath.mpf(point.numerator) / point.denominator
                for order, value in ((1, tight[0]), (2, tight[1])):
                    exact = mpmath.diff(LOSSES[loss], s, order)
                    tolerance = mpmath.mpf("1e-25") * (1 + abs(exact))  # mpmath.diff's own error
                    assert value.lower() <= arb(str(exact + tolerance)) or not value.is_finite(), (loss, point, order, value, exact)
                    assert arb(str(exact - tolerance)) <= value.upper() or not value.is_finite(), (loss, point, order, value, exact)


@pytest.mark.parametrize("low, high", [(9, 10.25), (-6, -4), (5, 30)])
def test_saturated_log_cosh_slope_is_narrow(low, high):
    """On a wide ball far from μ, ℓ' = tanh(s − 1) lies in an interval of width < 1e-2 (the quotient sinh/cosh of two
    wide balls spans several units there)."""
    with working_bits(128):
        slope, curvature = _problem("logcosh").tight_slope_and_curvature(_ball(Fraction(low), Fraction(high)))
    assert _width(slope) < 1e-2 and _width(curvature) < 2e-2
