"""Objectives f(θ), born symbolic and compiled once per numeric backend.

* :func:`product_objective` — the seed's family f = ℓ(xy), or with ``dim = n`` f = ℓ(xᵀy).
  Derivatives come from sympy differentiating an abstract ``ell(xᵀy)`` (so the structure of
  theory F1 is sympy's own result), with ℓ', ℓ'' simplified once in one variable and substituted.
* :func:`general_objective` — any expression in named variables; only the generic parts of the
  theory (Hessian, sharpness, GD, classical anchors) apply to it.

:class:`Compiled` turns value, gradient, Hessian and sharpness into one function each per
backend (``"mpmath"`` at any working precision, ``"numpy"`` vectorised), with common-subexpression
elimination; each function is the one :mod:`llgd_proof.symbolic.functions` names for the backend.
Every engine computes its step from these functions and nothing else.
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from functools import cached_property

import mpmath
import numpy
import sympy
from sympy.codegen.numpy_nodes import logaddexp

from llgd_proof.errors import ExpressionError, ParameterError, ResourceLimitError
from llgd_proof.symbolic.algebra import simplify_guarded
from llgd_proof.symbolic.expressions import CONSTANTS, FUNCTIONS, almost_everywhere, parse_expression
from llgd_proof.symbolic.functions import namespace
from llgd_proof.symbolic.losses import Loss, S
from llgd_proof.symbolic.timeouts import TimeLimitExceeded, cpu_limited, time_limit

MAX_DIM = 16
"""Largest n for f = ℓ(xᵀy) in R^n × R^n: the Hessian is derived symbolically (2n × 2n entries)."""
MAX_VARIABLES = 32
"""Largest number of variables of a general objective."""
MAX_DERIVATIVE_OPS = 20_000
"""Largest total operation count (sympy ``count_ops``) of the gradient and Hessian together."""
COMPILE_SECONDS = 8.0
"""Wall-clock limit for deriving and compiling gradient and Hessian."""
EVALUATION_SECONDS = 2.0
"""CPU-time limit for one evaluation of f, ∇f or ∇²f at one point (mpmath backend)."""

ELL = sympy.Function("ell")
BACKENDS = ("mpmath", "numpy", "arb")


class Objective:
    """f(θ) with its variables; for the product family also its loss ℓ and dimension n."""

    def __init__(
        self,
        expr: sympy.Expr,
        variables: Sequence[sympy.Symbol],
        *,
        loss: Loss | None = None,
        dim: int | None = None,
        name: str = "",
    ):
        self.expr = expr
        self.variables = tuple(variables)
        self.loss = loss
        self.dim = dim
        self.name = name or str(expr)
        self._compiled: dict[str, Compiled] = {}

    # -- structure -------------------------------------------------------------------------
    @property
    def is_product(self) -> bool:
        """True for f = ℓ(xᵀy) — the family the seed's theorems are about."""
        return self.loss is not None

    @property
    def n_variables(self) -> int:
        return len(self.variables)

    @cached_property
    def product(self) -> sympy.Expr:
        """s = xᵀy (product family only)."""
        n = self.dim or 1
        return sum(self.variables[i] * self.variables[n + i] for i in range(n))

    @property
    def minimiser_value(self) -> sympy.Expr:
        """μ, the value of s on the minimiser set M = {xᵀy = μ}."""
        return self.loss.minimiser

    @cached_property
    def loss_derivatives(self) -> dict[int, sympy.Expr]:
        """ℓ, ℓ', ℓ'' in s, each simplified once (almost-everywhere derivatives at kinks)."""
        return {k: simplify_guarded(almost_everywhere(sympy.diff(self.loss.expr, S, k))) if k else self.loss.expr for k in range(3)}

    def _with_loss(self, abstract: sympy.Expr) -> sympy.Expr:
        """Replace ell(·) and its derivatives in an abstract expression by the loss's own."""
        replacements = {}
        for subs in abstract.atoms(sympy.Subs):
            derivative, (dummy,), (point,) = subs.args
            order = derivative.derivative_count
            replacements[subs] = self.loss_derivatives[order].subs(S, point.subs(dummy, S))
        concrete = abstract.xreplace(replacements)
        return concrete.replace(ELL, lambda argument: self.loss_derivatives[0].subs(S, argument))

    @cached_property
    def abstract_expr(self) -> sympy.Expr:
        """ell(xᵀy) with ell an undefined function (product family)."""
        return ELL(self.product)

    @cached_property
    def gradient(self) -> list[sympy.Expr]:
        if self.is_product:
            return [self._with_loss(sympy.diff(self.abstract_expr, v)) for v in self.variables]
        return [almost_everywhere(sympy.diff(self.expr, v)) for v in self.variables]

    @cached_property
    def hessian(self) -> sympy.Matrix:
        if self.is_product:
            abstract = sympy.hessian(self.abstract_expr, self.variables)
            return abstract.applyfunc(self._with_loss)
        return sympy.hessian(self.expr, self.variables).applyfunc(almost_everywhere)

    @cached_property
    def sharpness_expr(self) -> sympy.Expr | None:
        """λ_max(∇²f) in closed form for two variables; None otherwise (then computed numerically)."""
        if self.n_variables != 2:
            return None
        a, b, c = self.hessian[0, 0], self.hessian[0, 1], self.hessian[1, 1]
        return (a + c) / 2 + sympy.sqrt(((a - c) / 2) ** 2 + b**2)

    @cached_property
    def squared_norms(self) -> tuple[sympy.Expr, sympy.Expr]:
        """(‖x‖², ‖y‖²) for the product family."""
        n = self.dim or 1
        return sum(v**2 for v in self.variables[:n]), sum(v**2 for v in self.variables[n:])

    @cached_property
    def imbalance_expr(self) -> sympy.Expr:
        """‖x‖² − ‖y‖² (theory F3: multiplied by 1 − h²ℓ'(s)² on every GD step)."""
        x_norm, y_norm = self.squared_norms
        return x_norm - y_norm

    @cached_property
    def gf_sharpness_expr(self) -> sympy.Expr:
        """S_GF(θ): sharpness of the gradient-flow limit from θ (theory F7).

        Gradient flow conserves D = xxᵀ − yyᵀ; on M (xᵀy = μ) this fixes ‖x‖² + ‖y‖² =
        √((‖x‖² + ‖y‖²)² − 4(xᵀy)² + 4μ²) (for n = 1: √((x² − y²)² + 4μ²)), and F2 gives S = ℓ''(μ)·that.
        """
        x_norm, y_norm = self.squared_norms
        mu = self.minimiser_value
        return self.loss.at_minimiser(2) * sympy.sqrt((x_norm + y_norm) ** 2 - 4 * self.product**2 + 4 * mu**2)

    def compiled(self, backend: str) -> Compiled:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}")
        if backend not in self._compiled:
            try:
                with time_limit(COMPILE_SECONDS, within_budget=False):
                    self._check_derivative_size()
                    if backend == "arb":  # python-flint balls: see arb_backend (Piecewise decided on balls)
                        from llgd_proof.symbolic.arb import ArbCompiled

                        self._compiled[backend] = ArbCompiled(self)
                    else:
                        self._compiled[backend] = Compiled(self, backend)
            except TimeLimitExceeded:
                raise ResourceLimitError(
                    f"deriving and compiling the gradient and Hessian of {_short(self.name)} took longer than {COMPILE_SECONDS:g} s; use a smaller expression"
                ) from None
        return self._compiled[backend]

    def _check_derivative_size(self) -> None:
        """Refuse objectives whose derivatives blow up (e.g. nested powers): derivative growth is capped."""
        entries = list(self.gradient) + [self.hessian[i, j] for i in range(self.n_variables) for j in range(i, self.n_variables)]
        total = sum(sympy.count_ops(entry) for entry in entries)
        if total > MAX_DERIVATIVE_OPS:
            raise ResourceLimitError(
                f"the gradient and Hessian of {_short(self.name)} have {total} operations; at most {MAX_DERIVATIVE_OPS} are accepted"
            )

    def describe(self) -> str:
        if self.is_product:
            inner = "xy" if (self.dim or 1) == 1 else f"x^T y (n = {self.dim})"
            return f"f = ell({inner}), ell(s) = {self.loss.expr}, mu = {self.loss.mu}"
        return f"f({', '.join(map(str, self.variables))}) = {self.expr}"


def product_objective(loss: Loss, dim: int = 1) -> Objective:
    """f = ℓ(xy) (``dim = 1``, variables x, y) or f = ℓ(xᵀy) (variables x1..xn, y1..yn)."""
    if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= MAX_DIM:
        raise ParameterError(f"the dimension must be an integer from 1 to {MAX_DIM} (the Hessian is derived symbolically), got {dim!r}")
    if dim == 1:
        variables = sympy.symbols("x y", real=True)
    else:
        variables = sympy.symbols(f"x1:{dim + 1}", real=True) + sympy.symbols(f"y1:{dim + 1}", real=True)
    objective = Objective(sympy.Integer(0), variables, loss=loss, dim=dim, name=f"{loss.name}(x^T y)")
    objective.expr = loss.expr.subs(S, objective.product)
    return objective


def general_objective(text: str, variable_names: Sequence[str]) -> Objective:
    """f from an expression in the named variables (parsed safely)."""
    if isinstance(variable_names, str) or not all(isinstance(name, str) for name in variable_names):
        raise ExpressionError("the variable names must be a list of strings, e.g. ['x', 'y'] (a single string is not split)")
    names = [name.strip() for name in variable_names]
    if len(names) > MAX_VARIABLES:
        raise ResourceLimitError(f"a general objective may have at most {MAX_VARIABLES} variables, got {len(names)}")
    for name in names:
        if not name.isidentifier() or keyword.iskeyword(name) or name in FUNCTIONS or name in CONSTANTS:
            raise ExpressionError(f"{name!r} cannot be a variable name; use plain identifiers such as x, y, w1")
    if len(set(names)) != len(names) or not names:
        raise ExpressionError("variable names must be distinct and at least one must be given")
    symbols = [sympy.Symbol(name, real=True) for name in names]
    expr = parse_expression(text, dict(zip(names, symbols)))
    return Objective(expr, symbols, name=text)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _guarded(function, what: str, name: str):
    """``function`` with a CPU-time limit per call: an evaluation that overruns is a resource error, not a hang."""
    limited = cpu_limited(function, EVALUATION_SECONDS)

    def call(*theta):
        try:
            return limited(*theta)
        except TimeLimitExceeded:
            point = ", ".join(mpmath.nstr(t, 5) for t in theta) if all(isinstance(t, mpmath.mpf) for t in theta) else "…"
            raise ResourceLimitError(
                f"evaluating the {what} of {name} at ({point}) took longer than {EVALUATION_SECONDS:g} s; its values grow too fast to compute (e.g. nested exponentials)"
            ) from None

    return call


def _stable_for_floats(expr: sympy.Expr) -> sympy.Expr:
    """Rewrite log(cosh(a)) as logaddexp(a, −a) − log 2 (numpy's ufunc), which does not overflow in float64."""
    return expr.replace(
        lambda e: isinstance(e, sympy.log) and isinstance(e.args[0], sympy.cosh),
        lambda e: logaddexp(e.args[0].args[0], -e.args[0].args[0]) - sympy.log(2),
    )


class Compiled:
    """The objective's value, gradient, Hessian and sharpness as functions for one backend.

    ``value_and_gradient(*θ) -> [f, ∂1 f, …]``; ``gradient(*θ) -> [∂1 f, …]``; ``hessian(*θ) -> upper-triangle entries``;
    ``sharpness(*θ)`` (closed form for two variables, else ``None``); ``residual(*θ) = xᵀy − μ``,
    ``loss_slope(*θ) = ℓ'(xᵀy)``, ``imbalance`` and ``gf_sharpness`` for the product family. Arguments are mpmath numbers (``"mpmath"``) or equal-shaped arrays
    (``"numpy"``).
    """

    def __init__(self, objective: Objective, backend: str):
        self.backend = backend
        self.n_variables = objective.n_variables
        value = objective.expr if backend == "mpmath" else _stable_for_floats(objective.expr)
        args = objective.variables
        modules = [namespace(backend), backend]  # the translation table's functions by name, then the module
        self.value_and_gradient = sympy.lambdify(args, [value, *objective.gradient], modules=modules, cse=True)
        self.gradient = sympy.lambdify(args, list(objective.gradient), modules=modules, cse=True)
        self.value = sympy.lambdify(args, value, modules=modules, cse=True)
        self.upper = [(i, j) for i in range(self.n_variables) for j in range(i, self.n_variables)]
        self.hessian_entries = sympy.lambdify(args, [objective.hessian[i, j] for i, j in self.upper], modules=modules, cse=True)
        self.sharpness_closed = (
            sympy.lambdify(args, objective.sharpness_expr, modules=modules, cse=True) if objective.sharpness_expr is not None else None
        )
        self.residual = self.imbalance = self.gf_sharpness = self.loss_slope = None
        if objective.is_product:
            self.loss_slope = sympy.lambdify(args, objective.loss_derivatives[1].subs(S, objective.product), modules=modules)
            self.residual = sympy.lambdify(args, objective.product - objective.minimiser_value, modules=modules)
            self.imbalance = sympy.lambdify(args, objective.imbalance_expr, modules=modules)
            self.gf_sharpness = sympy.lambdify(args, objective.gf_sharpness_expr, modules=modules)
        if backend == "mpmath":  # arbitrary precision can take unbounded time (exp of a huge number): guard each call
            for attribute, what in [
                ("value_and_gradient", "objective"), ("gradient", "gradient"), ("value", "objective"),
                ("hessian_entries", "Hessian"), ("sharpness_closed", "sharpness"), ("loss_slope", "loss slope"),
                ("gf_sharpness", "gradient-flow sharpness"),
            ]:
                function = getattr(self, attribute)
                if function is not None:
                    setattr(self, attribute, _guarded(function, what, _short(objective.name)))

    def hessian_matrix(self, theta):
        """∇²f(θ) as a nested list (mpmath) or an array of shape (..., n, n) (numpy)."""
        entries = self.hessian_entries(*theta)
        n = self.n_variables
        if self.backend == "numpy":
            shape = numpy.broadcast(*theta).shape if n > 1 else numpy.shape(theta[0])
            matrix = numpy.empty(shape + (n, n))
            for (i, j), entry in zip(self.upper, entries):
                matrix[..., i, j] = matrix[..., j, i] = entry
            return matrix
        matrix = [[None] * n for _ in range(n)]
        for (i, j), entry in zip(self.upper, entries):
            matrix[i][j] = matrix[j][i] = entry
        return matrix

    def sharpness(self, theta):
        """S(θ) = λ_max(∇²f(θ)): closed form for two variables; mpmath eigenvalues up to four; float64 beyond."""
        if self.sharpness_closed is not None:
            return self.sharpness_closed(*theta)
        if self.backend == "numpy":
            return numpy.linalg.eigvalsh(self.hessian_matrix(theta))[..., -1]
        if self.n_variables > 4:  # a reported quantity, not a step: float64 eigenvalues of the exact Hessian
            entries = numpy.array([[float(v) for v in row] for row in self.hessian_matrix(theta)])
            return mpmath.mpf(numpy.linalg.eigvalsh(entries)[-1])
        eigenvalues = mpmath.eigsy(mpmath.matrix(self.hessian_matrix(theta)), eigvals_only=True)
        return max(eigenvalues)
