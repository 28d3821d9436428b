"""The Arb backend: every compiled ball contains the exact value, and branches are never chosen silently."""

import mpmath
import pytest
import sympy
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof.engines.precise import gradient_descent
from llgd_proof.engines.stopping import Status
from llgd_proof.proofs.certified import numeric_descent
from llgd_proof.symbolic.arb import Undecidable, compile_arb, from_decimal, interval_strings, working_bits
from llgd_proof.symbolic.losses import CATALOG, S, catalog_loss
from llgd_proof.symbolic.objective import general_objective, product_objective

OBJECTIVES = {name: product_objective(catalog_loss(name)) for name in CATALOG}
coordinate = st.floats(min_value=-4, max_value=4, allow_nan=False).map(lambda v: round(v, 6))


def _contains(ball: arb, value: mpmath.mpf) -> bool:
    """The ball, widened by mpmath's own error at 60 digits (1e-55), contains the mpmath value."""
    with mpmath.workdps(60):
        text = mpmath.nstr(value, 60, min_fixed=-1, max_fixed=1)
    with working_bits(400):  # read the decimal far more precisely than the ball
        return (ball + arb(0, 1e-55) * (1 + abs(ball))).contains(arb(text))


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(sorted(CATALOG)), x=coordinate, y=coordinate)
def test_value_gradient_and_hessian_balls_contain_the_mpmath_values(name, x, y):
    """Property: for every catalog loss and point, each arb ball contains mpmath's 60-digit value."""
    objective = OBJECTIVES[name]
    balls_compiled, reference = objective.compiled("arb"), objective.compiled("mpmath")
    with mpmath.workdps(60):
        expected = reference.value_and_gradient(mpmath.mpf(str(x)), mpmath.mpf(str(y)))
        expected += reference.hessian_entries(mpmath.mpf(str(x)), mpmath.mpf(str(y)))
    with working_bits(160):
        point = [arb(str(x)), arb(str(y))]
        balls = balls_compiled.value_and_gradient(*point) + balls_compiled.hessian_entries(*point)
        for ball, value in zip(balls, expected):
            assert _contains(ball, value), (name, x, y, ball, value)
            assert ball.rad() < 1e-30  # and the enclosure is not vacuous


def test_piecewise_straddling_gives_the_union_or_undecidable():
    """A ball across a branch point evaluates both branches (union) or refuses: never one branch silently."""
    step = sympy.Piecewise((0, S <= 0), (1, True))
    straddle = arb(0).union(arb("0.1")).union(arb("-0.1"))
    union = compile_arb([S], [step])(straddle)[0]
    assert union.contains(arb(0)) and union.contains(arb(1))
    assert compile_arb([S], [step])(arb("0.5"))[0] == 1
    assert compile_arb([S], [step])(arb("-0.5"))[0] == 0
    with pytest.raises(Undecidable):
        compile_arb([S], [step], piecewise="undecidable")(straddle)
    huber_slope = OBJECTIVES["huber"].loss_derivatives[1]  # s − 1 inside [0, 2], sign(s − 1) outside
    kink = arb(2).union(arb("2.01")).union(arb("1.99"))
    slope = compile_arb([S], [huber_slope])(kink)[0]
    assert slope.contains(arb("0.99")) and slope.contains(arb(1))
    with pytest.raises(Undecidable):
        compile_arb([S], [huber_slope], piecewise="undecidable")(kink)


def test_abs_max_min_sign_on_straddling_balls():
    x = sympy.Symbol("x", real=True)
    exprs = [sympy.Abs(x), sympy.Max(x, 0), sympy.Min(x, 0), sympy.sign(x)]
    ball = arb(0).union(arb(-1)).union(arb(2))
    absolute, maximum, minimum, sign = compile_arb([x], exprs)(ball)
    for point in ("-1", "0", "2", "0.5"):
        value = float(point)
        assert absolute.contains(arb(abs(value))) and maximum.contains(arb(max(value, 0))) and minimum.contains(arb(min(value, 0)))
        assert sign.contains(arb((value > 0) - (value < 0)))
    with pytest.raises(Undecidable):
        compile_arb([x], [sympy.sign(x)], piecewise="undecidable")(ball)
    # integer powers of a ball around 0 stay finite (python-flint's own ** gives nan there)
    for value in compile_arb([x], [x**2, x**3, x**-2 * x**4])(arb(0, 1e-10)):
        assert value.is_finite() and value.contains(arb(0))


def test_outward_decimal_intervals_contain_the_ball():
    with working_bits(200):
        ball = arb(1) / 3
        low, high = interval_strings(ball, digits=30)
        assert from_decimal(low) < ball and from_decimal(high) > ball
        assert float(from_decimal(high) - from_decimal(low)) < 1e-28
    with pytest.raises(ValueError):
        from_decimal("1e99999999")


def _mpmath_descent(objective, h: str, init: list[str], steps: int) -> list:
    """``steps`` plain GD steps θ ← θ − h∇f(θ) on mpmath numbers (inside the caller's workdps): a loop of its own,
    sharing no code with either engine beyond the mpmath-compiled gradient."""
    gradient = objective.compiled("mpmath").gradient
    step, theta = mpmath.mpf(h), [mpmath.mpf(v) for v in init]
    for _ in range(steps):
        theta = [t - step * g for t, g in zip(theta, gradient(*theta))]
    return theta


def test_numeric_engine_agrees_with_the_mpmath_engine():
    """The Arb numeric mode (midpoints) follows an independent mpmath GD loop step for step at 50 digits, stops where
    the mpmath engine stops, and finds the closed-form 2-cycle of ¼(x² − 1)² (theory §5, anchor A4)."""
    objective = product_objective(catalog_loss("logcosh"))
    mine = numeric_descent(objective, "0.9", ["20", "0.1"], dps=50)
    theirs = gradient_descent(objective, "0.9", ["20", "0.1"], dps=50, engine="mpmath")
    assert mine.status is theirs.status is Status.CONVERGED and mine.steps == theirs.steps
    with mpmath.workdps(50):
        independent = _mpmath_descent(objective, "0.9", ["20", "0.1"], mine.steps)
        assert max(abs(a - b) for a, b in zip(mine.final, independent)) < mpmath.mpf(10) ** -40
        assert max(abs(a - b) for a, b in zip(mine.final, theirs.final)) < mpmath.mpf(10) ** -40
        assert abs(mine.final[0] * mine.final[1] - 1) < mpmath.mpf(10) ** -12  # the limit is on M: xy = μ = 1
    with_path = numeric_descent(objective, "0.9", ["20", "0.1"], dps=30, keep_path=True)
    assert len(with_path.path) == with_path.steps + 1 and with_path.path[-1] == with_path.final
    quartic = general_objective("(x**2 - 1)**2/4", ["x"])
    orbit = numeric_descent(quartic, "1.10", ["0.5"])
    assert orbit.status is Status.PERIODIC and orbit.period == 2
    eta = mpmath.mpf("1.1")
    closed_form = sorted(float((mpmath.sqrt(1 + 3 / eta) + sign * mpmath.sqrt(1 - 1 / eta)) / 2) for sign in (1, -1))
    assert sorted(float(p[0]) for p in orbit.orbit) == pytest.approx(closed_form, rel=1e-12)
