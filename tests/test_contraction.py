"""The T6 region (analysis.contraction, bounds by the checker): ρ bounds the contraction factor and R is invariant."""

from fractions import Fraction

import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof.analysis.contraction import ResidualRegion, steps_to_epsilon
from llgd_proof.symbolic.losses import S, catalog_loss

LOSSES = {name: catalog_loss(name) for name in ("logcosh", "pseudo-huber", "huber", "quadratic")}


def _start(loss, x, offset, fraction):
    """θ = (x, μ/x + offset) near the minimiser set, and h = fraction · 2/(ℓ''(μ) q) (stable there), at 50 digits."""
    mu = mpmath.mpf(sympy.N(loss.mu, 60))
    theta = [mpmath.mpf(x), mu / mpmath.mpf(x) + mpmath.mpf(offset)]
    curvature = mpmath.mpf(sympy.N(loss.at_minimiser(2), 60))
    h = mpmath.mpf(fraction) * 2 / (curvature * (theta[0] ** 2 + theta[1] ** 2))
    return mu, theta, h


@settings(max_examples=20, deadline=None)
@given(
    name=st.sampled_from(sorted(LOSSES)),
    x=st.floats(min_value=0.5, max_value=1.5),
    offset=st.floats(min_value=1e-4, max_value=1e-2) | st.floats(min_value=-1e-2, max_value=-1e-4),
    fraction=st.floats(min_value=0.2, max_value=0.8),
    data=st.data(),
)
def test_the_region_bounds_the_factor_and_the_exact_iterates_stay_in_it(name, x, offset, fraction, data):
    """Property: near the minimiser set with a stable step a region is certified (not vacuous: ρ < 1); ρ ≥ |g| at
    drawn (r, q, m) of R, m = ℓ''(s) on [μ − r̄, μ + r̄]; and 60 GD steps at 50 digits stay in R with |r_k| ≤ |r_0| ρ^k."""
    loss = LOSSES[name]
    with mpmath.workdps(50):
        mu, theta, h = _start(loss, x, offset, fraction)
        region = ResidualRegion(loss, h, dim=1, dps=50).certify(theta)
        assert region is not None
        rho, r_bar = mpmath.mpf(region.rho), mpmath.mpf(region.r_bar)
        low, high = mpmath.mpf(region.q_low), mpmath.mpf(region.q_high)
        assert rho < 1 and abs(theta[0] * theta[1] - mu) <= r_bar and low <= theta[0] ** 2 + theta[1] ** 2 <= high
        curvature = sympy.lambdify(S, loss.derivative(2), modules="mpmath")
        for _ in range(5):
            r = r_bar * mpmath.mpf(data.draw(st.floats(min_value=-1, max_value=1), label="r/r̄"))
            q = low + (high - low) * mpmath.mpf(data.draw(st.floats(min_value=0, max_value=1), label="q position"))
            m = curvature(mu + r_bar * mpmath.mpf(data.draw(st.floats(min_value=-1, max_value=1), label="s position")))
            assert abs(1 - h * m * q + h**2 * m**2 * r * (mu + r)) <= rho
        slope = sympy.lambdify(S, loss.derivative(1), modules="mpmath")
        first = abs(theta[0] * theta[1] - mu)
        for k in range(1, 61):
            step = h * slope(theta[0] * theta[1])
            theta = [theta[0] - step * theta[1], theta[1] - step * theta[0]]
            assert abs(theta[0] * theta[1] - mu) <= first * rho**k * (1 + mpmath.mpf(10) ** -40) + mpmath.mpf(10) ** -45  # 50-digit rounding
            assert low <= theta[0] ** 2 + theta[1] ** 2 <= high


def test_rho_is_written_as_an_upper_bound():
    """The reported ρ (a float for reading) is never below the exact decimal the checker derived."""
    loss = LOSSES["logcosh"]
    with mpmath.workdps(30):
        _, theta, h = _start(loss, 0.9, 3e-3, 0.6)
        region = ResidualRegion(loss, h, dim=1, dps=30).certify(theta)
        assert Fraction(region.as_json()["rho"]) >= Fraction(region.rho)
        assert Fraction(region.as_json()["q_drift_bound"]) >= Fraction(region.drift)
        assert region.rho_upper(30) >= mpmath.mpf(region.rho)
        exact = Fraction(region.rho)
        assert Fraction(*map(int, mpmath.libmp.to_rational(region.rho_upper(30)._mpf_))) >= exact


@settings(max_examples=30, deadline=None)
@given(first=st.floats(min_value=1e-6, max_value=1.0), rho=st.floats(min_value=0.05, max_value=0.999))
def test_the_step_bound_reaches_epsilon(first, rho):
    """Property: with K = steps_to_epsilon(|r|, ε, ρ), |r|ρ^K ≤ ε, and |r|ρ^(K−2) > ε (K is the ceiling, not a loose bound)."""
    epsilon = 1e-8
    text = repr(rho)
    steps = steps_to_epsilon(mpmath.mpf(first), mpmath.mpf(epsilon), text)
    with mpmath.workdps(60):
        decay = mpmath.mpf(first) * mpmath.mpf(text) ** steps
        assert decay <= mpmath.mpf(epsilon) * (1 + mpmath.mpf(10) ** -25)
        if steps > 0:
            assert mpmath.mpf(first) * mpmath.mpf(text) ** (steps - 2) > mpmath.mpf(epsilon)


def test_a_point_on_the_minimiser_set_has_no_region():
    """r = 0 exactly: there is no r̄ > 0 to round up to, so no region is proposed (the run has converged)."""
    loss = LOSSES["quadratic"]
    with mpmath.workdps(30):
        mu = mpmath.mpf(sympy.N(loss.mu, 40))
        assert ResidualRegion(loss, mpmath.mpf("0.2"), dim=1).certify([mpmath.mpf(1), mu]) is None


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_far_from_the_minimiser_set_no_region_is_certified(name):
    """At a step h with h ℓ''(μ) q ≫ 2 the factor |g| exceeds 1 on any region: nothing is certified."""
    loss = LOSSES[name]
    with mpmath.workdps(30):
        _, theta, h = _start(loss, 1.0, 1e-3, 3.0)
        assert ResidualRegion(loss, h, dim=1).certify(theta) is None
