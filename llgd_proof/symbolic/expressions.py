"""Safe parsing of user expressions into sympy, without evaluating any code.

The text is parsed by Python's own parser (``ast.parse``, which only builds a tree and runs
nothing) and the tree is walked against an allow-list: numbers, the declared names, the four
arithmetic operations and powers, and the functions of the translation table
(:mod:`llgd_proof.symbolic.functions`). Everything else — attribute
access, subscripts, lambdas, comprehensions, strings, keyword arguments, unknown names — is
rejected with :class:`~llgd_proof.errors.ExpressionError`. ``sympify``/``parse_expr`` are never
called on user text (they use ``eval``).

Size limits keep every input cheap: at most ``MAX_LENGTH`` characters, ``MAX_NODES`` tree
nodes, ``MAX_DEPTH`` levels of nesting, integer literals below ``10**MAX_INT_DIGITS`` and
constant exponents of magnitude at most ``MAX_EXPONENT``, so ``9**9**9**9`` is refused before
anything is computed.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from collections.abc import Callable, Mapping
from fractions import Fraction

import sympy

from llgd_proof.errors import ExpressionError
from llgd_proof.symbolic.functions import MACROS, TABLE

MAX_LENGTH = 2000
MAX_NODES = 400
MAX_DEPTH = 40
MAX_INT_DIGITS = 30
MAX_EXPONENT = 64
MAX_RESULT_DIGITS = 300
MAX_LITERAL_DIGITS = 100
"""Most significant digits in one decimal literal (every literal is read exactly, as the rational it spells)."""
MAX_LITERAL_EXPONENT = 400
"""Largest decimal exponent of a literal (``1e400`` is accepted, ``1e401`` refused; every float64 literal fits)."""


ONE = sympy.Integer(1)


def huber(residual: sympy.Expr, delta: sympy.Expr = ONE) -> sympy.Expr:
    """Huber function of ``residual``: r²/2 for |r| ≤ δ, δ(|r| − δ/2) beyond (a sympy Piecewise)."""
    return sympy.Piecewise(
        (residual**2 / 2, sympy.Abs(residual) <= delta),
        (delta * (sympy.Abs(residual) - delta / 2), True),
    )


def pseudo_huber(residual: sympy.Expr, delta: sympy.Expr = ONE) -> sympy.Expr:
    """Pseudo-Huber function δ²(√(1 + (r/δ)²) − 1)."""
    return delta**2 * (sympy.sqrt(1 + (residual / delta) ** 2) - 1)


def almost_everywhere(expr: sympy.Expr) -> sympy.Expr:
    """Drop Dirac terms from a derivative of a piecewise or |·| expression: the derivative a.e.

    At a kink (Huber's |r| = δ) the value used is the one-sided one the Piecewise selects.
    """
    return expr.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))


def _where(condition, if_true, if_false):
    return sympy.Piecewise((if_true, condition), (if_false, True))


_MACRO_BUILDERS: dict[str, Callable[..., sympy.Expr]] = {"huber": huber, "pseudo_huber": pseudo_huber, "where": _where}

# name -> (sympy builder, allowed argument counts): the translation table's user-facing names and its macros
FUNCTIONS: dict[str, tuple[Callable[..., sympy.Expr], tuple[int, ...]]] = {
    **{name: (row.sympy, row.arities) for row in TABLE for name in row.parser},
    **{name: (_MACRO_BUILDERS[name], arities) for name, arities in MACROS.items()},
}

CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "E": sympy.E}

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_COMPARE = {ast.Lt: sympy.Lt, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.GtE: sympy.Ge}


def parse_expression(text: str, names: Mapping[str, sympy.Symbol]) -> sympy.Expr:
    """Parse ``text`` into a sympy expression whose free symbols are among ``names``.

    ``names`` maps each allowed identifier (variables and parameters) to its symbol. ``^`` is
    accepted as a power. Raises :class:`ExpressionError` with one sentence on any other input.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; at most {MAX_LENGTH} are accepted")
    if not text.isascii():
        bad = next(ch for ch in text if not ch.isascii())
        raise ExpressionError(f"the expression contains the non-ASCII character {bad!r}; write names in ASCII (e.g. 'mu')")
    if not text.strip():
        raise ExpressionError("the expression is empty")
    depth = 0
    for ch in text:
        depth += ch in "(["
        depth -= ch in ")]"
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression nests brackets more than {MAX_DEPTH} levels deep")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. invalid escape sequences inside a (rejected) string literal
            source = text.replace("^", "**").strip()
            tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise ExpressionError(f"the expression {_shorten(text)!r} is not valid syntax") from error
    node_count = sum(1 for _ in ast.walk(tree))
    if node_count > MAX_NODES:
        raise ExpressionError(f"the expression has {node_count} parts; at most {MAX_NODES} are accepted")
    return _Builder(names).build(tree.body, text, source)


_DECIMAL = re.compile(r"(\d*)\.?(\d*)(?:[eE]([-+]?\d+))?")


def exact_decimal(text: str) -> sympy.Rational:
    """The exact rational a decimal literal spells (``1.00000000000000000001`` keeps every digit).

    At most :data:`MAX_LITERAL_DIGITS` significant digits and a decimal exponent of magnitude at most
    :data:`MAX_LITERAL_EXPONENT`; anything else is refused with :class:`ExpressionError`.
    """
    spelled = text.replace("_", "")
    match = _DECIMAL.fullmatch(spelled)
    if not match or not (match.group(1) or match.group(2)):
        raise ExpressionError(f"the number {text[:40]!r} is not a decimal literal")
    digits = (match.group(1) + match.group(2)).lstrip("0")
    exponent = int(match.group(3) or 0) - len(match.group(2))
    if len(digits) > MAX_LITERAL_DIGITS:
        raise ExpressionError(f"the number {text[:40]!r} has {len(digits)} significant digits; at most {MAX_LITERAL_DIGITS} are accepted")
    if digits and abs(exponent + len(digits) - 1) > MAX_LITERAL_EXPONENT:
        raise ExpressionError(f"the number {text[:40]!r} is out of range (decimal exponents up to {MAX_LITERAL_EXPONENT} are accepted)")
    if not digits:
        return sympy.Integer(0)
    return sympy.Rational(Fraction(int(digits)) * Fraction(10) ** exponent)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Builder:
    def __init__(self, names: Mapping[str, sympy.Symbol]):
        self.names = dict(names)

    def build(self, node: ast.AST, text: str, source: str) -> sympy.Expr:
        self.text, self.source = text, source
        result = self._node(node, depth=0)
        if isinstance(result, (sympy.core.relational.Relational, sympy.logic.boolalg.BooleanFunction, sympy.logic.boolalg.BooleanAtom)):
            raise ExpressionError("the expression is a comparison, not a number; use where(condition, a, b)")
        if result.has(sympy.I):
            raise ExpressionError(f"the expression {_shorten(text)!r} is complex-valued; losses must be real")
        if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise ExpressionError(f"the expression {_shorten(text)!r} is undefined or infinite (e.g. a division by zero)")
        return result

    def _fail(self, what: str) -> None:
        raise ExpressionError(f"{what} is not allowed in an expression (in {_shorten(self.text)!r})")

    def _node(self, node: ast.AST, depth: int):
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression nests more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            return self._number(node.value, ast.get_source_segment(self.source, node))
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self._node(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                return self._power(self._node(node.left, depth + 1), self._node(node.right, depth + 1))
            operation = _BINARY.get(type(node.op))
            if operation is None:
                self._fail(f"the operator {type(node.op).__name__}")
            return operation(self._node(node.left, depth + 1), self._node(node.right, depth + 1))
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
                self._fail("a chained or equality comparison")
            relation = _COMPARE[type(node.ops[0])]
            return relation(self._node(node.left, depth + 1), self._node(node.comparators[0], depth + 1))
        if isinstance(node, ast.Attribute):
            self._fail("attribute access ('.')")
        self._fail(f"the construct {type(node).__name__}")

    def _number(self, value, spelled: str | None) -> sympy.Expr:
        """A literal as the exact rational its text spells (``0.1`` is 1/10, never the nearest float)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._fail(f"the literal {value!r}")
        if isinstance(value, int):
            if abs(value) >= 10**MAX_INT_DIGITS:
                raise ExpressionError(f"integer literals must have fewer than {MAX_INT_DIGITS} digits")
            return sympy.Integer(value)
        return exact_decimal(spelled if spelled is not None else repr(value))

    def _name(self, identifier: str) -> sympy.Expr:
        if identifier in self.names:
            return self.names[identifier]
        if identifier in CONSTANTS:
            return CONSTANTS[identifier]
        allowed = ", ".join(sorted(self.names)) or "none"
        raise ExpressionError(
            f"unknown name {identifier!r}; allowed names are {allowed}, the constants pi and E, "
            f"and the functions {', '.join(sorted(FUNCTIONS))}"
        )

    def _power(self, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        if exponent.is_number:
            magnitude = abs(complex(sympy.N(exponent, 15))) if exponent.is_finite else math.inf
            if not magnitude <= MAX_EXPONENT:
                raise ExpressionError(f"constant exponents must be at most {MAX_EXPONENT} in magnitude")
            if base.is_number and base != 0:
                digits = magnitude * abs(math.log10(abs(complex(sympy.N(base, 15)))))
                if digits > MAX_RESULT_DIGITS:
                    raise ExpressionError(f"a constant power would have about {digits:.0f} digits; at most {MAX_RESULT_DIGITS} are accepted")
        if base.is_number and not exponent.is_number:
            return sympy.Pow(base, exponent)
        return base**exponent

    def _call(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not isinstance(node.func, ast.Name):
            self._fail("calling anything but a named function")
        name = node.func.id
        if name not in FUNCTIONS:
            raise ExpressionError(f"unknown function {name!r}; allowed functions are {', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            self._fail("a keyword argument")
        builder, arities = FUNCTIONS[name]
        if len(node.args) not in arities or any(isinstance(arg, ast.Starred) for arg in node.args):
            counts = " or ".join(str(a) for a in arities)
            raise ExpressionError(f"{name} takes {counts} argument(s), got {len(node.args)}")
        arguments = [self._node(arg, depth + 1) for arg in node.args]
        if name != "where" and any(isinstance(a, sympy.core.relational.Relational) for a in arguments):
            self._fail("a comparison outside where(...)")
        try:
            return builder(*arguments)
        except (TypeError, ValueError) as error:
            raise ExpressionError(f"{name} cannot take these arguments: {error}") from error


class _TextPrinter(sympy.printing.str.StrPrinter):
    """sympy → the expression language :func:`parse_expression` reads (exact: a Float is refused)."""

    def _print_Float(self, expr):
        raise ExpressionError(f"{expr} is a rounded number; only exact expressions can be written as text")

    def _print_Piecewise(self, expr):
        *branches, (last, condition) = expr.args
        if condition != sympy.true:
            raise ExpressionError("a Piecewise without a final 'otherwise' branch cannot be written as text")
        text = self._print(last)
        for value, condition in reversed(branches):
            if not isinstance(condition, (sympy.Lt, sympy.Le, sympy.Gt, sympy.Ge)):
                raise ExpressionError(f"the condition {condition} cannot be written with where(...)")
            text = f"where({self._print(condition)}, {self._print(value)}, {text})"
        return text

    def _print_Max(self, expr):
        return self._nested("max", expr.args)

    def _print_Min(self, expr):
        return self._nested("min", expr.args)

    def _nested(self, name, args):
        text = self._print(args[0])
        for arg in args[1:]:
            text = f"{name}({text}, {self._print(arg)})"
        return text


def to_text(expr: sympy.Expr) -> str:
    """``expr`` written in the expression language, so that :func:`parse_expression` reads back the same
    mathematical expression (exact rationals; ExpressionError where the language cannot say it)."""
    return _TextPrinter({"full_prec": True}).doprint(expr)
