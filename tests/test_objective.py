"""One symbolic derivation, compiled per backend: both backends compute the same numbers."""

import functools

import mpmath
import numpy
import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from llgd_proof.symbolic.algebra import vanishes
from llgd_proof.symbolic.losses import CATALOG, catalog_loss
from llgd_proof.symbolic.objective import general_objective, product_objective

coordinates = st.floats(min_value=-4, max_value=4, allow_nan=False)


@functools.cache
def objective_for(name: str, dim: int = 1):
    """Built and compiled once per test session (compilation is what is slow, not the checks)."""
    return product_objective(catalog_loss(name), dim=dim)


@pytest.mark.parametrize("name", [n for n in CATALOG if n != "huber"])
def test_gradient_and_hessian_equal_direct_differentiation(name):
    """The chain-rule route through ell(xy) gives exactly sympy's direct derivatives of ℓ(xy)."""
    objective = product_objective(catalog_loss(name))
    for expr, variable in zip(objective.gradient, objective.variables):
        assert vanishes(expr - sympy.diff(objective.expr, variable))
    direct = sympy.hessian(objective.expr, objective.variables)
    assert vanishes(objective.hessian - direct)


@given(st.sampled_from(list(CATALOG)), coordinates, coordinates)
def test_backends_agree(name, x, y):
    """mpmath (30 digits) and numpy (float64) give the same value, gradient and sharpness."""
    objective = objective_for(name)
    with mpmath.workdps(30):
        high = objective.compiled("mpmath").value_and_gradient(mpmath.mpf(x), mpmath.mpf(y))
        high_sharpness = objective.compiled("mpmath").sharpness([mpmath.mpf(x), mpmath.mpf(y)])
    low = objective.compiled("numpy").value_and_gradient(numpy.array([x]), numpy.array([y]))
    low_sharpness = objective.compiled("numpy").sharpness((numpy.array([x]), numpy.array([y])))
    for a, b in zip(high, low):
        assert float(a) == pytest.approx(float(numpy.asarray(b).ravel()[0]), rel=1e-9, abs=1e-9)
    assert float(high_sharpness) == pytest.approx(float(low_sharpness[0]), rel=1e-9, abs=1e-9)


@given(st.sampled_from(["logcosh", "quadratic", "double-well"]), coordinates, coordinates)
def test_closed_form_sharpness_is_the_top_eigenvalue(name, x, y):
    objective = objective_for(name)
    compiled = objective.compiled("mpmath")
    with mpmath.workdps(30):
        theta = [mpmath.mpf(x), mpmath.mpf(y)]
        eigenvalues = mpmath.eigsy(mpmath.matrix(compiled.hessian_matrix(theta)), eigvals_only=True)
        assert float(compiled.sharpness(theta)) == pytest.approx(float(max(eigenvalues)), rel=1e-20, abs=1e-20)


@given(st.lists(coordinates, min_size=6, max_size=6))
def test_vector_family_sharpness_on_the_minimiser_set(values):
    """Theory F2 (vector form): on xᵀy = μ the sharpness is ℓ''(μ)(‖x‖² + ‖y‖²)."""
    x, y = numpy.array(values[:3]), numpy.array(values[3:])
    assume(abs(x @ x) >= 1e-3 and abs(x @ y) >= 1e-6)
    mu = 1.0
    y = y + (mu - x @ y) / (x @ x) * x  # project onto xᵀy = μ
    objective = objective_for("logcosh", 3)
    sharpness = objective.compiled("numpy").sharpness([numpy.array([v]) for v in [*x, *y]])[0]
    assert sharpness == pytest.approx(x @ x + y @ y, rel=1e-9)


def test_general_objective_derivatives():
    objective = general_objective("log(1 + x^2) + x*y^2", ["x", "y"])
    x, y = objective.variables
    assert sympy.simplify(objective.gradient[0] - (2 * x / (1 + x**2) + y**2)) == 0
    assert sympy.simplify(objective.hessian[0, 1] - 2 * y) == 0


def test_float_value_does_not_overflow_for_logcosh():
    objective = product_objective(catalog_loss("logcosh"))
    value = objective.compiled("numpy").value(numpy.array([1e3]), numpy.array([1e3]))
    assert numpy.isfinite(value) and value == pytest.approx(1e6 - 1 - numpy.log(2), rel=1e-12)
