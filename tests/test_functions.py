"""The one translation table: every backend computes each of its functions, and they agree."""

import inspect
import math

import mpmath
import numpy
import pytest
import sympy
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof.engines.batch import fused_kernel
from llgd_proof.errors import ExpressionError
from llgd_proof.symbolic.arb import working_bits
from llgd_proof.symbolic.expressions import FUNCTIONS, parse_expression
from llgd_proof.symbolic.functions import MACROS, TABLE, namespace, parser_names
from llgd_proof.symbolic.objective import Objective

X, Y = sympy.symbols("x y", real=True)

DOMAINS = {  # an interval of real arguments where the function is real and finite (away from kinks and jumps)
    "exp": (-5, 5), "log": (0.05, 20), "sqrt": (0.05, 20), "cosh": (-5, 5), "sinh": (-5, 5), "tanh": (-5, 5),
    "cos": (-6, 6), "sin": (-6, 6), "tan": (-1.4, 1.4), "atan": (-20, 20), "asinh": (-20, 20), "acosh": (1.05, 20),
    "atanh": (-0.95, 0.95), "asin": (-0.95, 0.95), "acos": (-0.95, 0.95), "expm1": (-5, 5), "log1p": (-0.95, 20),
    "erf": (-3, 3), "Abs": (-5, 5), "sign": (0.01, 5), "Heaviside": (0.01, 5), "Max": (-5, 5), "Min": (-5, 5),
}


def _row_expression(row) -> sympy.Expr:
    arguments = (X, Y)[: max(row.arities) if row.sympy in (sympy.Max, sympy.Min) else 1]
    return row.sympy(*arguments)


def _point(row, data) -> list[float]:
    """Drawn arguments in the row's domain (for sign and Heaviside: either side of 0, never at it)."""
    low, high = DOMAINS[row.head]
    values = [data.draw(st.floats(min_value=low, max_value=high).map(lambda v: round(v, 6)), label="argument") for _ in range(2)]
    if row.head in ("sign", "Heaviside"):
        values[0] *= data.draw(st.sampled_from([-1, 1]), label="side")
    return values


def test_every_row_has_a_domain_and_a_distinct_head():
    """Each row is tested below (it has a domain) and names one sympy head once."""
    assert set(DOMAINS) == {row.head for row in TABLE}
    assert len({row.sympy for row in TABLE}) == len(TABLE)


@pytest.mark.parametrize("row", TABLE, ids=lambda row: row.head)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_numpy_mpmath_arb_and_the_fused_kernel_agree_on_every_function(row, data):
    """Property: at drawn points, the Arb ball of f(θ) contains mpmath's 50-digit value, and numpy and the fused
    float64 kernel agree with it to 1e-12 relative (f = the row's function of x, or of x and y for max and min)."""
    objective = Objective(_row_expression(row), (X, Y))
    x, y = _point(row, data)
    with mpmath.workdps(50):
        exact = objective.compiled("mpmath").value(mpmath.mpf(str(x)), mpmath.mpf(str(y)))
        text = mpmath.nstr(exact, 50, min_fixed=-1, max_fixed=1)
    with working_bits(200):
        ball = objective.compiled("arb").value(arb(str(x)), arb(str(y)))
        assert ball.rad() < 1e-40
        assert (ball + arb(0, 1e-45) * (1 + abs(ball))).contains(arb(text)), (row.head, x, y, ball, text)
    if not row.float64:
        return
    reference = float(exact)
    vectorised = objective.compiled("numpy").value(numpy.array([x]), numpy.array([y]))
    assert float(numpy.broadcast_to(vectorised, (1,))[0]) == pytest.approx(reference, rel=1e-12, abs=1e-300)
    kernel = fused_kernel(objective, 1)
    kernel.bind(1)
    kernel.columns[0][:], kernel.columns[1][:] = x, y
    kernel.value_and_gradient()
    assert float(kernel.loss()[0]) == pytest.approx(reference, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("backend", ["numpy", "mpmath"])
def test_lambdify_calls_the_tables_function_by_name(backend):
    """Where sympy's printer calls a function by name, it is the table's name, so the table's namespace is used."""
    table = namespace(backend)
    for row in TABLE:
        name = getattr(row, backend)
        if name is None or row.sympy in (sympy.Abs, sympy.Max, sympy.Min):
            continue  # abs, max and min are written as Python's (mpmath) or through reduce (numpy)
        source = inspect.getsource(sympy.lambdify([X], row.sympy(X), modules=[table, backend]))
        assert f"{name}(" in source, (row.head, source)
        assert table[name] is getattr({"numpy": numpy, "mpmath": mpmath}[backend], name)


def test_the_parser_accepts_exactly_the_tables_names():
    """Every user-facing name of the table (and every macro) parses; the parser knows no other function."""
    assert set(FUNCTIONS) == parser_names()
    for row in TABLE:
        for name in row.parser:
            arguments = (X, Y)[: row.arities[0]]
            text = f"{name}({', '.join(map(str, arguments))})"
            assert parse_expression(text, {"x": X, "y": Y}) == row.sympy(*arguments), text
    for name, arities in MACROS.items():
        parse_expression(f"{name}({', '.join(['x < 1', 'x', 'x'][: arities[0]] if name == 'where' else ['x'] * arities[0])})", {"x": X})
    spelled_heads = {row.head for row in TABLE} - parser_names()
    for head in spelled_heads:  # sympy's spelling of a head the language does not expose is refused
        with pytest.raises(ExpressionError, match="unknown function"):
            parse_expression(f"{head}(x)", {"x": X})


def test_domains_are_real_intervals():
    """A sanity check of the test's own data: each domain is a non-empty interval of finite reals."""
    assert all(math.isfinite(low) and low < high for low, high in DOMAINS.values())


def test_a_function_outside_the_table_is_refused_by_the_ball_printer():
    """The Arb backend translates only the table: anything else is an ExpressionError, never a guess."""
    from llgd_proof.symbolic.arb import compile_arb

    assert sympy.gamma not in {row.sympy for row in TABLE}
    with pytest.raises(ExpressionError, match="no translation for gamma"):
        compile_arb([X], [sympy.gamma(X)])
