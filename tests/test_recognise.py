"""Hypotheses decided by mathematics: the square loss and ℓ(xᵀy) are recognised whatever their spelling."""

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof.symbolic import recognise
from llgd_proof.symbolic.losses import parse_loss_spec
from llgd_proof.symbolic.objective import general_objective

centres = st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(2), Fraction(5, 2)])

SQUARE_SPELLINGS = [
    "(s - {m})**2/2",
    "({m} - s)**2/2",
    "(s - {m})*(s - {m})/2",
    "s**2/2 - {m}*s + {half_m2}",
    "((s - {m})/2)**2*2",
]


@settings(max_examples=15, deadline=None)
@given(centres, st.sampled_from(SQUARE_SPELLINGS))
def test_every_spelling_of_the_square_loss_is_recognised(m, spelling):
    """ℓ(s) − (s − μ)²/2 ≡ 0 is proved by sympy for any spelling, and μ is the computed minimiser."""
    loss = parse_loss_spec(spelling.format(m=f"({m})", half_m2=f"({m * m / 2})"))
    ok, detail = recognise.is_square_loss(loss)
    assert ok is True, detail
    assert loss.mu == sympy.Rational(m.numerator, m.denominator)


@settings(max_examples=15, deadline=None)
@given(centres, st.sampled_from(["(s - {m})**2", "(s - {m})**2/2 + (s - {m})**4/4", "log(cosh(s - {m}))", "(s - {m})**2/2 + (s - {m})**3/100*0"]))
def test_other_losses_are_not_the_square_loss(m, spelling):
    loss = parse_loss_spec(spelling.format(m=f"({m})"))
    expected = spelling.endswith("*0")  # the last spelling is the square loss plus a vanishing term
    assert recognise.is_square_loss(loss)[0] is expected


LOSS_ATOMS = ["({s} - 1)**2/2", "log(cosh({s} - {m}))", "sqrt(1 + ({s} - {m})**2) - 1", "({s}**2 - 1)**2/4", "({s} - {m})**2/2 + ({s} - {m})**4/4"]
PRODUCT_SPELLINGS = ["x*y", "y*x", "(x*y)", "(-x)*(-y)"]


@settings(max_examples=20, deadline=None)
@given(centres, st.sampled_from(LOSS_ATOMS), st.sampled_from(PRODUCT_SPELLINGS), st.booleans())
def test_objectives_of_the_form_loss_of_xy_are_recognised(m, atom, product, expand):
    """f(x, y) = ℓ(xy) is rewritten in s = xy: the recovered ℓ equals the one it was built from (up to a constant)."""
    s = sympy.Symbol("s", real=True)
    loss = sympy.sympify(atom.format(s="s", m=f"({m})"), locals={"s": s})
    if expand:  # spelled out in x and y: no visible "xy" left to find
        x, y = sympy.symbols("x y", real=True)
        text = str(sympy.expand(loss.subs(s, x * y)))
    else:
        text = atom.format(s=f"({product})", m=f"({m})")
    recognised = recognise.as_product(general_objective(text, ["x", "y"]))
    assert recognised is not None and recognised.is_product and recognised.dim == 1, text
    gap = sympy.simplify(recognised.loss.expr - loss)
    assert gap.free_symbols == set(), (text, recognised.loss.expr)  # equal up to the shift min ℓ = 0


@pytest.mark.parametrize(
    "text, variables",
    [
        ("x**2 + y**2", "x,y"),
        ("(x*y - 1)**2 + (x - y)**2", "x,y"),
        ("x**2*y**2 + x", "x,y"),
        ("log(cosh(x*y - 1)) + y/100", "x,y"),
        ("(x1*y1 - x2*y2 - 1)**2", "x1,x2,y1,y2"),
        ("(x - 1)**2", "x"),
    ],
)
def test_non_products_are_not_recognised(text, variables):
    assert recognise.as_product(general_objective(text, variables.split(","))) is None


def test_vector_product_is_recognised():
    recognised = recognise.as_product(general_objective("(x1*y1 + x2*y2 - 2)**2/2", ["x1", "x2", "y1", "y2"]))
    assert recognised.dim == 2 and recognised.loss.mu == 2 and recognise.is_square_loss(recognised.loss)[0]


def test_minimisers_are_computed_and_checked():
    x = sympy.Symbol("x", real=True)
    assert recognise.local_minimiser((x**2 - 2) ** 2 / 4, x, 0.6)[0] == sympy.sqrt(2)
    assert recognise.local_minimiser((x**2 - 2) ** 2 / 4, x, -3)[0] == -sympy.sqrt(2)
    point, method = recognise.local_minimiser(x**2 + sympy.cos(3 * x), x, 0.3)  # no closed form: certified numerically
    assert "certified" in method and abs(float(2 * point - 3 * sympy.sin(3 * point))) < 1e-25
    assert recognise.check_minimiser((x**2 - 2) ** 2 / 4, x, 1)[0] is False
    assert recognise.check_minimiser((x**2 - 2) ** 2 / 4, x, 0)[0] is False  # a maximum
    assert recognise.check_minimiser((x**2 - 2) ** 2 / 4, x, sympy.sqrt(2))[0] is True
