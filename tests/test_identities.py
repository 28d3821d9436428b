"""Every derived identity is proved by sympy — and, independently, spot-checked in floating point."""

import math

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llgd_proof.symbolic import identities

reals = st.floats(min_value=-5, max_value=5, allow_nan=False)
steps = st.floats(min_value=0.01, max_value=3)


@pytest.mark.parametrize("proof", identities.all_proofs(), ids=lambda p: p.name)
def test_every_identity_is_proved(proof):
    assert proof.proved, f"sympy could not certify {proof.name}"


@given(reals, reals, steps, reals)
def test_imbalance_and_product_updates_numerically(x, y, h, slope):
    """F3 and F4 with a numeric ℓ'(s): one GD step by hand against the closed forms."""
    xp, yp = x - h * slope * y, y - h * slope * x
    assert xp**2 - yp**2 == pytest.approx((1 - h**2 * slope**2) * (x**2 - y**2), rel=1e-9, abs=1e-9)
    assert xp * yp == pytest.approx(x * y * (1 + h**2 * slope**2) - h * slope * (x**2 + y**2), rel=1e-9, abs=1e-9)
    mu = 0.7
    assert xp * yp - mu == pytest.approx((x * y - mu) * (1 + h**2 * slope**2) + mu * h**2 * slope**2 - h * slope * (x * x + y * y), rel=1e-9, abs=1e-9)


@given(st.integers(min_value=1, max_value=30), st.floats(min_value=0.1, max_value=2), st.integers(min_value=0, max_value=10**6))
def test_uv_model_updates_on_real_vectors(width, eta, seed):
    """A2 on actual vectors u, v of width m (the proof used only their Gram matrix)."""
    rng = numpy.random.default_rng(seed)
    u, v, target = rng.normal(size=width), rng.normal(size=width), 1.0
    f = v @ u / math.sqrt(width)
    ntk = (u @ u + v @ v) / width
    u_next, v_next = u - eta * (f - target) * v / math.sqrt(width), v - eta * (f - target) * u / math.sqrt(width)
    f_next, ntk_next = v_next @ u_next / math.sqrt(width), (u_next @ u_next + v_next @ v_next) / width
    error = f - target
    assert f_next == pytest.approx(f - eta * ntk * error + eta**2 / width * error**2 * f, rel=1e-9, abs=1e-9)
    assert ntk_next == pytest.approx(ntk + eta * error / width * (eta * ntk * error - 4 * f), rel=1e-9, abs=1e-9)


@given(st.floats(min_value=1.001, max_value=1.235), st.floats(min_value=0.2, max_value=5))
def test_quartic_two_cycle_numerically(eta_mu, mu):
    """A4: the 2-cycle points map to each other and the multiplier is 9 − 2(1 + ημ)², inside (−1, 1)."""
    eta = eta_mu / mu
    root_plus, root_minus = math.sqrt(mu + 3 / eta), math.sqrt(mu - 1 / eta)
    p_plus, p_minus = (root_plus + root_minus) / 2, (root_plus - root_minus) / 2

    def gd(x):
        return x - eta * x * (x * x - mu)

    assert gd(p_plus) == pytest.approx(p_minus, rel=1e-9, abs=1e-12)
    assert gd(p_minus) == pytest.approx(p_plus, rel=1e-9, abs=1e-12)
    multiplier = (1 - eta * (3 * p_plus**2 - mu)) * (1 - eta * (3 * p_minus**2 - mu))
    assert multiplier == pytest.approx(9 - 2 * (1 + eta_mu) ** 2, rel=1e-9, abs=1e-9)
    assert -1 < multiplier < 1  # stable exactly on 1 < ημ < √5 − 1


@given(reals, reals, steps, reals, st.floats(min_value=0.1, max_value=3))
def test_gf_sharpness_monotone_numerically(x, y, h, slope, curvature):
    """A8: S_GF never grows on a step with h|ℓ'| ≤ √2, and grows on some step beyond it."""
    mu = 0.5
    xp, yp = x - h * slope * y, y - h * slope * x

    def gf(a, b):
        return curvature * math.sqrt((a * a - b * b) ** 2 + 4 * mu * mu)

    if h * abs(slope) <= math.sqrt(2):
        assert gf(xp, yp) <= gf(x, y) * (1 + 1e-12)
    elif abs(x * x - y * y) > 1e-3:
        assert gf(xp, yp) > gf(x, y)


def test_inequality_proofs_carry_a_certificate_and_a_false_one_is_refused():
    """An inequality is claimed proved only with a non-negative certificate equal to the gap."""
    x, y = identities.x, identities.y
    for proof in (identities.flattest_minimiser(), identities.balancing_bound(), identities.zhu_eos_minimum()[1]):
        assert proof.proved and "certificate" in proof.method, proof.name
    assert not identities._prove_nonnegative("wrong", "", x**2 - y**2, (x - y) ** 2).proved  # not equal to the gap
    assert not identities._prove_nonnegative("wrong", "", x - y, x - y).proved  # not manifestly non-negative


def test_f5_hessian_norm_along_the_witness_grows_without_bound():
    """F5, proved, and checked on log cosh(s − μ) with ℓ''(μ) = 1: ‖∇²f(t, μ/t)‖ = t² + μ²/t² for growing t."""
    spectrum, unbounded = identities.no_global_lipschitz_gradient()
    assert spectrum.proved and unbounded.proved
    from llgd_proof.api import make_objective

    for mu in (0.5, 1.0, 2.0):
        compiled = make_objective(loss="logcosh", mu=mu).compiled("numpy")
        for t in (1.0, 10.0, 100.0):
            norm = max(abs(numpy.linalg.eigvalsh(compiled.hessian_matrix((numpy.array(t), numpy.array(mu / t))))))
            assert norm == pytest.approx(t**2 + mu**2 / t**2, rel=1e-12)


def test_pl_factor_against_the_exact_one_step_contraction_on_quadratics():
    """A7 on f = (Lx² + μy²)/2 (L-smooth, PL constant μ): over a dense grid of (h, L, μ) with 0 < h < 2/L the shipped
    factor 1 − 2μh(1 − Lh/2) is never below the exact worst one-step contraction max over starts of
    (f(θ⁺) − f*)/(f(θ) − f*) = max((1 − hμ)², (1 − hL)²), computed from an exact GD step; it is < 1 (not vacuous)
    and equals the exact value when μ = L."""
    from fractions import Fraction

    from llgd_proof.theorems.pl_rate import contraction_factor

    def exact_worst(h, smoothness, pl):
        worst = Fraction(0)
        for start in ((Fraction(1), Fraction(0)), (Fraction(0), Fraction(1)), (Fraction(1), Fraction(1)), (Fraction(3), Fraction(-2))):
            value = (smoothness * start[0] ** 2 + pl * start[1] ** 2) / 2
            after = (start[0] - h * smoothness * start[0], start[1] - h * pl * start[1])
            worst = max(worst, (smoothness * after[0] ** 2 + pl * after[1] ** 2) / 2 / value)
        return worst

    checked = 0
    for smoothness in (Fraction(k, 4) for k in range(1, 41)):
        for pl in (smoothness * Fraction(j, 10) for j in range(1, 11)):
            for h in (2 / smoothness * Fraction(i, 25) for i in range(1, 25)):
                shipped, exact = contraction_factor(h, smoothness, pl), exact_worst(h, smoothness, pl)
                assert exact <= shipped < 1
                assert exact == max((1 - h * pl) ** 2, (1 - h * smoothness) ** 2)
                if pl == smoothness:
                    assert shipped == exact
                checked += 1
    assert checked == 40 * 10 * 24
