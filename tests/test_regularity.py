"""Regularity classes and closed forms as theory §3 states them."""

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof.analysis.regularity import RegularityReport
from llgd_proof.symbolic.losses import catalog_loss, loss_from_expression

EXPECTED = {
    # name: (class, growth order, sup|ℓ'| or None)
    "quadratic": ("borderline", 2, None),
    "huber": ("good", 1, 1),
    "logcosh": ("good", 1, 1),
    "pseudo-huber": ("good", 1, 1),
    "gen-huber": ("good", sympy.Rational(3, 2), None),
    "double-well": ("bad", 4, None),
    "logcosh0": ("good", 1, 1),
    "quartic": ("bad", 4, None),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_catalog_classes(name):
    report = RegularityReport(catalog_loss(name))
    regularity_class, order, sup = EXPECTED[name]
    assert report.growth.method == "symbolic"
    assert report.growth.value == order
    assert report.regularity_class == regularity_class
    assert report.lprime_sup[0] == sup
    assert not report.globally_lipschitz_gradient  # theory F5: ℓ''(μ) ≠ 0 for every catalog loss


@settings(max_examples=8)
@given(st.integers(min_value=10, max_value=40))
def test_generalised_huber_growth_order_is_its_exponent(tenths):
    p = sympy.Rational(tenths, 10)
    report = RegularityReport(catalog_loss("gen-huber", p=p))
    assert report.growth.value == p
    assert report.regularity_class == ("good" if p < 2 else "borderline" if p == 2 else "bad")


@settings(max_examples=10)
@given(st.integers(min_value=1, max_value=40))
def test_huber_sup_is_delta(tenths):
    delta = sympy.Rational(tenths, 10)
    assert RegularityReport(catalog_loss("huber", delta=delta)).lprime_sup[0] == delta


@settings(max_examples=10)
@given(st.integers(min_value=-30, max_value=30).filter(lambda k: k != 0))
def test_max_stable_step_and_witness(tenths):
    """1/(|μ|ℓ''(μ)) and the F5 witness ‖∇²f(t, μ/t)‖ = ℓ''(μ)(t² + μ²/t²)."""
    mu = sympy.Rational(tenths, 10)
    report = RegularityReport(catalog_loss("logcosh", mu=mu))
    assert sympy.simplify(report.max_stable_h - 1 / abs(mu)) == 0
    t = sympy.Symbol("t", positive=True)
    _, norm = report.witness
    assert sympy.simplify(norm - (t**2 + mu**2 / t**2)) == 0


def test_alpha_closed_forms():
    """α = 3ℓ'''(μ)² − ℓ''(μ)ℓ''''(μ): log cosh 2, pseudo-Huber 3, (s²−1)²/4 at μ=1: 3·6² − 2·6 = 96."""
    assert RegularityReport(catalog_loss("logcosh")).alpha == 2
    assert RegularityReport(catalog_loss("pseudo-huber")).alpha == 3
    assert RegularityReport(catalog_loss("double-well")).alpha == 96


def test_user_losses_and_latex():
    report = RegularityReport(loss_from_expression("log(1 + (s-2)^2)"))
    assert report.growth.value == 0 and report.regularity_class == "good"
    assert report.lprime_sup[0] == 1
    assert RegularityReport(loss_from_expression("cosh(s-1)")).growth.value == sympy.oo
    latex = report.latex()
    assert set(latex) >= {"growth_order", "lprime_sup", "curvature_at_minimum", "alpha", "witness", "max_stable_h", "class"}
