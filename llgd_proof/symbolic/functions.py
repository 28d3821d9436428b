"""The one sympy → code translation table: each supported function and its name in every backend.

A row names one sympy function and what it is called

* ``parser`` — in the expression language users type (:mod:`llgd_proof.symbolic.expressions`; empty
  when sympy produces the function only while differentiating or simplifying, e.g. ``sign`` = d|x|/dx),
* ``numpy`` — the numpy ufunc (the ``"numpy"`` backend of :mod:`llgd_proof.symbolic.objective` and the
  fused kernel of :mod:`llgd_proof.engines.batch`, which calls it in place when it takes one argument),
* ``mpmath`` — the mpmath function (the ``"mpmath"`` backend),
* ``flint`` — the python-flint ``arb`` method, or one of the ball helpers of :mod:`llgd_proof.symbolic.arb`
  (:data:`BALL_HELPERS`: n-ary max/min, Python's ``abs``, and the sign and Heaviside functions whose value on
  a ball containing 0 depends on the branch mode).

``None`` means the backend has no function of that name and the backend's printer writes the head itself
(numpy's Heaviside is a ``select``; mpmath's max, min and Heaviside are Python's ``max``, ``min`` and a
conditional; numpy has no erf, so :attr:`Function.float64` is false for it). Powers (so ``sqrt`` beyond the parser's name), sums, products and
``Piecewise`` are structure, not functions, and each backend writes them itself.

The parser's macros (:data:`MACROS`: ``huber``, ``pseudo_huber``, ``where``) are names that build sympy
expressions from the functions below; they are not sympy heads and need no backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy
import sympy
from sympy.codegen.cfunctions import expm1, log1p


@dataclass(frozen=True)
class Function:
    """One supported sympy function (``sympy`` is the class of its head, or ``sympy.sqrt``'s builder)."""

    sympy: type
    parser: tuple[str, ...]
    arities: tuple[int, ...]
    numpy: str | None
    mpmath: str | None
    flint: str
    float64: bool = True
    """False when the float64 backends cannot evaluate the function (numpy has no erf)."""

    @property
    def head(self) -> str:
        """The name of the sympy head (``type(expr).__name__``)."""
        return self.sympy.__name__


def _row(head, parser, numpy, mpmath, flint, arities=(1,), float64=True) -> Function:
    return Function(head, tuple(parser), arities, numpy, mpmath, flint, float64)


TABLE: tuple[Function, ...] = (
    _row(sympy.exp, ["exp"], "exp", "exp", "exp"),
    _row(sympy.log, ["log", "ln"], "log", "log", "log"),
    _row(sympy.sqrt, ["sqrt"], "sqrt", "sqrt", "sqrt"),
    _row(sympy.cosh, ["cosh"], "cosh", "cosh", "cosh"),
    _row(sympy.sinh, ["sinh"], "sinh", "sinh", "sinh"),
    _row(sympy.tanh, ["tanh"], "tanh", "tanh", "tanh"),
    _row(sympy.cos, ["cos"], "cos", "cos", "cos"),
    _row(sympy.sin, ["sin"], "sin", "sin", "sin"),
    _row(sympy.tan, [], "tan", "tan", "tan"),
    _row(sympy.atan, ["atan"], "arctan", "atan", "atan"),
    _row(sympy.asinh, ["asinh"], "arcsinh", "asinh", "asinh"),
    _row(sympy.acosh, [], "arccosh", "acosh", "acosh"),
    _row(sympy.atanh, [], "arctanh", "atanh", "atanh"),
    _row(sympy.asin, [], "arcsin", "asin", "asin"),
    _row(sympy.acos, [], "arccos", "acos", "acos"),
    _row(expm1, [], "expm1", "expm1", "expm1"),
    _row(log1p, [], "log1p", "log1p", "log1p"),
    _row(sympy.erf, [], None, "erf", "erf", float64=False),
    _row(sympy.Abs, ["abs", "Abs"], "absolute", "fabs", "abs"),
    _row(sympy.sign, [], "sign", "sign", "sign"),
    _row(sympy.Heaviside, [], None, None, "heaviside", arities=(1, 2)),
    _row(sympy.Max, ["max"], "maximum", None, "max", arities=(2,)),
    _row(sympy.Min, ["min"], "minimum", None, "min", arities=(2,)),
)

MACROS: dict[str, tuple[int, ...]] = {"huber": (1, 2), "pseudo_huber": (1, 2), "where": (3,)}
"""Parser names that build an expression (Huber, pseudo-Huber, a two-branch Piecewise), with their argument counts."""

BALL_HELPERS = ("abs", "max", "min", "sign", "heaviside")
"""Flint names that are helpers of :mod:`llgd_proof.symbolic.arb`, not ``arb`` methods."""


def parser_names() -> set[str]:
    """Every function name the expression language accepts: the table's user-facing names and the macros."""
    return {name for row in TABLE for name in row.parser} | set(MACROS)


def numpy_ufuncs() -> dict[str, str]:
    """sympy head name → numpy ufunc name of every one-argument function, for the in-place kernel."""
    return {row.head: row.numpy for row in TABLE if row.numpy is not None and row.arities == (1,)}


def namespace(backend: str) -> dict:
    """The functions ``sympy.lambdify`` finds by name for ``backend`` (``"numpy"`` or ``"mpmath"``), from the table."""
    module = {"numpy": numpy, "mpmath": mpmath}[backend]
    return {name: getattr(module, name) for row in TABLE if (name := getattr(row, backend)) is not None}
