"""The condition language of claims: the vocabulary of terms, the parser of conditions, and their evaluation.

A condition is a small tree (relations, flags, and/or/not) over sympy expressions in the vocabulary's
terms, parsed from text by walking Python's ``ast`` (nothing is ever evaluated from the text), printed as
LaTeX, and read on a case or run with three values: true, false, or undecided.
"""

from __future__ import annotations

import ast
import itertools
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import mpmath
import sympy

from llgd_proof.engines.stopping import Status
from llgd_proof.errors import ExpressionError, LlgdInputError
from llgd_proof.symbolic.expressions import CONSTANTS, FUNCTIONS, MAX_DEPTH, MAX_LENGTH, MAX_NODES, parse_expression
from llgd_proof.theorems.base import Context, limit_on_minimiser_set


class ClaimError(LlgdInputError):
    """A claim file or claim expression is malformed, uses an unknown name, or does not fit the case."""


class _Missing:
    def __init__(self, word: str):
        self.word = word

    def __repr__(self) -> str:
        return self.word


UNDEFINED = _Missing("undefined")  # the quantity does not exist for this case or run: relations on it are false


UNDECIDED = _Missing("undecided")  # the run did not settle: relations on it are undecided


@dataclass(frozen=True)
class Term:
    """One name a claim may use: what it is, where it comes from, and how it is read off a Context."""

    name: str
    kind: str  # "case" (known before the run) | "run"
    boolean: bool
    scope: str  # "any" | "product" (f = ℓ(xᵀy)) | "pair" (two coordinates: ℓ(xy) with dim 1, or f(x, y))
    latex: str
    definition: str
    reference: str
    value: Callable[[Context], object]


def _run(getter: Callable[[Context], object]) -> Callable[[Context], object]:
    """A run quantity: undecided when the run did not settle, undefined when the run has none."""

    def value(c: Context):
        if c.run.status is Status.UNDECIDED:
            return UNDECIDED
        found = getter(c)
        return UNDEFINED if found is None else found

    return value


def _status(status: Status) -> Callable[[Context], object]:
    return _run(lambda c: c.run.status is status)


def _minimiser_reached(c: Context):
    reached, _ = limit_on_minimiser_set(c)
    return UNDECIDED if reached is None else reached


def _regularity_sup(c: Context):
    sup, _ = c.regularity.lprime_sup
    return sympy.oo if sup is None else sup


def _initial_product(c: Context):
    n = len(c.init) // 2
    return sum(c.init[i] * c.init[n + i] for i in range(n))


def _final_coordinate(index: int) -> Callable[[Context], object]:
    return _run(lambda c: None if c.run.status is Status.DIVERGED else c.run.final[index])


_TERMS = [
    # loss and case (before the run)
    Term("mu", "case", False, "product", r"\mu", "the minimiser μ of ℓ (ℓ'(μ) = 0 < ℓ''(μ), min ℓ = 0)", "§1", lambda c: c.loss.mu),
    Term("p", "case", False, "product", "p", "growth order p = limsup log ℓ(s)/log|s| (∞ if faster than any power)", "§3",
         lambda c: c.regularity.growth.value),
    Term("G", "case", False, "product", "G", "sup_s |ℓ'(s)| (∞ when ℓ' is unbounded)", "§3, T4", _regularity_sup),
    Term("curvature", "case", False, "product", r"\ell''(\mu)", "ℓ''(μ)", "§3, F2", lambda c: c.regularity.curvature_at_minimum),
    Term("alpha", "case", False, "product", r"\alpha(\mu)", "α(μ) = 3ℓ'''(μ)² − ℓ''(μ)ℓ''''(μ)", "§3, A4",
         lambda c: c.regularity.alpha),
    Term("max_stable_h", "case", False, "product", r"h_{\mathrm{stable}}", "1/(|μ|ℓ''(μ)), the largest linearly stable step (undefined when μ = 0)",
         "F2", lambda c: UNDEFINED if c.regularity.max_stable_h is None else c.regularity.max_stable_h),
    Term("h", "case", False, "any", "h", "the learning rate", "§1", lambda c: c.h),
    Term("x0", "case", False, "pair", "x_0", "first coordinate of θ0 (ℓ(xy) with dim 1, or f(x, y))", "§1", lambda c: c.init[0]),
    Term("y0", "case", False, "pair", "y_0", "second coordinate of θ0", "§1", lambda c: c.init[1]),
    Term("s0", "case", False, "product", r"x_0^{\top} y_0", "x0ᵀy0, the initial product", "§1, T1", _initial_product),
    Term("S0", "case", False, "any", r"S(\theta_0)", "initial sharpness λ_max(∇²f(θ0))", "conventions, T5", lambda c: c.initial_sharpness()),
    Term("S_GF0", "case", False, "product", r"S_{GF}(\theta_0)", "sharpness of the gradient-flow limit from θ0: ℓ''(μ)√((‖x0‖²+‖y0‖²)² − 4(x0ᵀy0)² + 4μ²)",
         "F7, T3", lambda c: c.compiled().gf_sharpness(*c.init)),
    Term("f0", "case", False, "any", r"f(\theta_0)", "initial loss f(θ0)", "§1, T5", lambda c: c.compiled().value(*c.init)),
    Term("imbalance0", "case", False, "product", r"\operatorname{imb}(\theta_0)", "‖x0‖² − ‖y0‖²", "F3, T4",
         lambda c: c.compiled().imbalance(*c.init)),
    # the run
    Term("converged", "run", True, "any", r"\mathrm{converged}", "GD converged to a minimiser-type limit (status converged)", "§4", _status(Status.CONVERGED)),
    Term("diverged", "run", True, "any", r"\mathrm{diverged}", "GD diverged", "§4", _status(Status.DIVERGED)),
    Term("periodic", "run", True, "any", r"\mathrm{periodic}", "GD ended on a periodic orbit (period 2…64)", "A4, A5", _status(Status.PERIODIC)),
    Term("stationary", "run", True, "any", r"\mathrm{stationary}", "GD stopped at a critical point that is not a minimiser", "§4",
         _status(Status.STATIONARY)),
    Term("minimiser_reached", "run", True, "any", r"\theta_\infty \in M",
         "converged to a minimiser: |x∞ᵀy∞ − μ| ≤ 10⁶·tol (product), ∇²f(θ∞) ⪰ 0 up to 10⁶·tol (general)", "T1, T2", _minimiser_reached),
    Term("steps", "run", False, "any", "K", "number of GD steps taken (known even when the run did not settle)", "§4", lambda c: c.run.steps),
    Term("eos_ratio", "run", False, "any", r"\tfrac{h S(\theta_\infty)}{2}", "hS(θ∞)/2 at the last iterate (undefined after divergence)", "T3",
         _run(lambda c: c.phenomena.eos_ratio)),
    Term("final_sharpness", "run", False, "any", r"S(\theta_\infty)", "sharpness at the last iterate", "T2, T5", _run(lambda c: c.phenomena.final_sharpness)),
    Term("final_loss", "run", False, "any", r"f(\theta_\infty)", "loss at the last iterate", "§4", _run(lambda c: c.phenomena.final_loss)),
    Term("max_loss_ratio", "run", False, "any", r"\rho_{\max}", "max_k f(θ_k)/f(θ0) (undefined when f(θ0) = 0)", "T5",
         _run(lambda c: c.phenomena.max_loss_ratio)),
    Term("imbalance_final", "run", False, "product", r"\operatorname{imb}(\theta_\infty)", "‖x∞‖² − ‖y∞‖²", "F3, T4", _run(lambda c: c.phenomena.imbalance_final)),
    Term("residual_final", "run", False, "product", r"r_\infty", "x∞ᵀy∞ − μ", "T6", _run(lambda c: c.phenomena.residual_final)),
    Term("period", "run", False, "any", "T", "period of the orbit (undefined unless periodic)", "A4, A5", _run(lambda c: c.run.period)),
    Term("x_final", "run", False, "pair", r"x_\infty", "first coordinate of the last iterate", "A9", _final_coordinate(0)),
    Term("y_final", "run", False, "pair", r"y_\infty", "second coordinate of the last iterate", "A9", _final_coordinate(1)),
]


VOCABULARY: dict[str, Term] = {term.name: term for term in _TERMS}


SYMBOLS: dict[str, sympy.Symbol] = {name: sympy.Symbol(name) for name in VOCABULARY}


_RESERVED = set(FUNCTIONS) | set(CONSTANTS) | {"and", "or", "not", "True", "False", "s"}


_OPERATORS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


_LATEX_OPERATORS = {"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge", "==": "=", "!=": r"\ne"}


@dataclass(frozen=True)
class Relation:
    lhs: sympy.Expr
    operator: str
    rhs: sympy.Expr

    def symbols(self) -> set[str]:
        return {str(s) for s in (self.lhs.free_symbols | self.rhs.free_symbols)}

    def latex(self, names: Mapping) -> str:
        return f"{_latex(self.lhs, names)} {_LATEX_OPERATORS[self.operator]} {_latex(self.rhs, names)}"

    def text(self) -> str:
        return f"{self.lhs} {self.operator} {self.rhs}"


@dataclass(frozen=True)
class Flag:
    name: str

    def symbols(self) -> set[str]:
        return {self.name}

    def latex(self, names: Mapping) -> str:
        return names[SYMBOLS[self.name]]


@dataclass(frozen=True)
class Connective:
    operator: str  # "and" | "or" | "not"
    parts: tuple

    def symbols(self) -> set[str]:
        return set().union(*(p.symbols() for p in self.parts))

    def latex(self, names: Mapping) -> str:
        def wrapped(part) -> str:
            return f"\\left({part.latex(names)}\\right)" if isinstance(part, Connective) and part.operator != "not" else part.latex(names)

        if self.operator == "not":
            return r"\neg " + wrapped(self.parts[0]) if not isinstance(self.parts[0], Relation) else r"\neg\left(" + self.parts[0].latex(names) + r"\right)"
        if self.operator == "and" and _is_chain(self.parts):  # 0.75 <= eos_ratio <= 1 reads as written
            text = _latex(self.parts[0].lhs, names)
            for part in self.parts:
                text += f" {_LATEX_OPERATORS[part.operator]} {_latex(part.rhs, names)}"
            return text
        joiner = r" \wedge " if self.operator == "and" else r" \vee "
        return joiner.join(wrapped(p) for p in self.parts)


def _latex(expr: sympy.Expr, names: Mapping) -> str:
    """sympy.latex, with decimal literals (rationals over a power of ten) shown as decimals: 0.9, not 9/10."""

    def decimal(number: sympy.Rational) -> sympy.Float:
        digits = len(str(number.q)) - 1
        text = f"{abs(number.p) // number.q}.{abs(number.p) % number.q:0{digits}d}"
        return sympy.Float(("-" if number.p < 0 else "") + text, max(digits + len(str(abs(number.p))), 15))

    def is_decimal(e) -> bool:
        return e.is_Rational and not e.is_Integer and e.q > 1 and str(e.q).rstrip("0") == "1"

    return sympy.latex(expr.replace(is_decimal, decimal), symbol_names=names, full_prec=False)


def _is_chain(parts) -> bool:
    return all(isinstance(p, Relation) for p in parts) and all(a.rhs == b.lhs for a, b in itertools.pairwise(parts))


Condition = Relation | Flag | Connective


def parse_condition(text: str, names: Mapping[str, sympy.Symbol], booleans: set[str], what: str = "the condition") -> Condition:
    """Parse ``text`` into a condition over ``names`` (numbers) and ``booleans`` (flags), or raise ClaimError.

    Python's parser only builds the tree; relations and and/or/not are read here, every arithmetic
    operand is handed to :func:`~llgd_proof.symbolic.expressions.parse_expression`, which allows only numbers,
    the given names, arithmetic and its table of functions.
    """
    if not isinstance(text, str):
        raise ClaimError(f"{what} must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ClaimError(f"{what} is {len(text)} characters long; at most {MAX_LENGTH} are accepted")
    if not text.isascii():
        bad = next(ch for ch in text if not ch.isascii())
        raise ClaimError(f"{what} contains the non-ASCII character {bad!r}; write names in ASCII (e.g. 'mu', 'S_GF0')")
    if not text.strip():
        raise ClaimError(f"{what} is empty")
    depth = 0
    for ch in text:
        depth = depth + (ch in "([{") - (ch in ")]}")
        if depth > MAX_DEPTH:
            raise ClaimError(f"{what} nests brackets more than {MAX_DEPTH} levels deep")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text.replace("^", "**").strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise ClaimError(f"{what} {_shorten(text)!r} is not valid syntax") from error
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise ClaimError(f"{what} has {count} parts; at most {MAX_NODES} are accepted")
    return _ConditionBuilder(names, booleans, what, text).condition(tree.body, 0)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _brief(value) -> str:
    """A value for a sentence: a short repr of a number or string, else its type (never a 10⁵-digit or 5000-deep repr)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 100:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, (bool, int, float, str)):
        return _shorten(repr(value))
    return f"a {type(value).__name__}"


class _ConditionBuilder:
    def __init__(self, names, booleans, what, text):
        self.names, self.booleans, self.what, self.text = dict(names), set(booleans), what, text

    def fail(self, message: str):
        raise ClaimError(f"{self.what} {_shorten(self.text)!r}: {message}")

    def condition(self, node: ast.AST, depth: int) -> Condition:
        if depth > MAX_DEPTH:
            self.fail(f"nests more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.BoolOp):
            operator = "and" if isinstance(node.op, ast.And) else "or"
            return Connective(operator, tuple(self.condition(v, depth + 1) for v in node.values))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return Connective("not", (self.condition(node.operand, depth + 1),))
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            relations = []
            for left, operator, right in zip(operands, node.ops, operands[1:]):
                if type(operator) not in _OPERATORS:
                    self.fail(f"the comparison {type(operator).__name__} is not allowed; use < <= > >= == !=")
                relations.append(Relation(self.number(left), _OPERATORS[type(operator)], self.number(right)))
            return relations[0] if len(relations) == 1 else Connective("and", tuple(relations))
        if isinstance(node, ast.Name) and node.id in self.booleans:
            return Flag(node.id)
        value = self.number(node)  # raises for anything that is not arithmetic either
        self.fail(f"this is a number ({value}), not a condition; write a relation such as 'eos_ratio >= 0.9' or a flag such as 'converged'")

    def number(self, node: ast.AST) -> sympy.Expr:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and inner.id in self.booleans:
                self.fail(f"{inner.id} is true or false, not a number; use it on its own (e.g. '{inner.id} and ...')")
            if isinstance(inner, (ast.BoolOp, ast.Compare)) and not _inside_where(node, inner):
                self.fail("a condition inside arithmetic is not allowed (use where(condition, a, b))")
        try:
            return parse_expression(ast.unparse(node), self.names)
        except (ExpressionError, RecursionError, ValueError) as error:
            message = str(error).rstrip(".")
            if message.startswith("unknown name") and self.booleans:
                message += f"; the flags {', '.join(sorted(self.booleans))} stand alone"
            self.fail(message)


def _inside_where(root: ast.AST, target: ast.AST) -> bool:
    for node in ast.walk(root):
        is_where = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "where" and node.args
        if is_where and any(inner is target for inner in ast.walk(node.args[0])):
            return True
    return False


class _Reader:
    """Reads vocabulary values off one Context (each at most once) and evaluates conditions."""

    def __init__(self, c: Context, parameters: Mapping[str, float]):
        self.c = c
        self.parameters = parameters
        self.values: dict[str, object] = {}

    def value(self, name: str):
        if name not in self.values:
            if name in VOCABULARY:
                self.values[name] = VOCABULARY[name].value(self.c)
            else:
                self.values[name] = sympy.Float(float(self.c.parameters[name]))
        return self.values[name]

    def evaluate(self, condition: Condition) -> bool | None:
        if isinstance(condition, Flag):
            value = self.value(condition.name)
            return None if value is UNDECIDED else bool(value) if value is not UNDEFINED else False
        if isinstance(condition, Connective):
            results = [self.evaluate(p) for p in condition.parts]
            if condition.operator == "not":
                return None if results[0] is None else not results[0]
            if condition.operator == "and":
                return False if False in results else None if None in results else True
            return True if True in results else None if None in results else False
        return self.relation(condition)

    def relation(self, relation: Relation) -> bool | None:
        values = {name: self.value(name) for name in relation.symbols()}
        if any(v is UNDECIDED for v in values.values()):
            return None
        if any(v is UNDEFINED for v in values.values()):
            return False
        mapping = {SYMBOLS.get(name, sympy.Symbol(name)): _sympy_number(v, self.c.dps) for name, v in values.items()}
        with mpmath.workdps(self.c.dps):
            difference = (relation.lhs - relation.rhs).xreplace(mapping)
            try:
                number = sympy.N(difference, self.c.dps)
            except (TypeError, ValueError, ZeroDivisionError):
                return False
        if number.has(sympy.nan, sympy.zoo) or number.is_real is not True:
            return False  # undefined arithmetic (0·∞, ∞ − ∞, a complex root): like a comparison with NaN
        sign = 1 if number.is_positive else -1 if number.is_negative else 0 if number.is_zero else None
        if sign is None:
            return None
        return {"<": sign < 0, "<=": sign <= 0, ">": sign > 0, ">=": sign >= 0, "==": sign == 0, "!=": sign != 0}[relation.operator]

    def describe(self, names: set[str]) -> str:
        return ", ".join(f"{name} = {_show(self.values.get(name, UNDECIDED))}" for name in sorted(names))

    def evidence(self) -> dict:
        return {name: _json_value(v) for name, v in self.values.items()}


def _sympy_number(value, dps: int) -> sympy.Expr:
    if isinstance(value, bool):
        return sympy.Integer(int(value))
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, mpmath.mpf):
        return sympy.Float(value, dps)
    if isinstance(value, float):
        return sympy.Float(value) if math.isfinite(value) else (sympy.oo if value > 0 else -sympy.oo if value < 0 else sympy.nan)
    return sympy.nan  # complex or anything else: undefined


def _show(value) -> str:
    if isinstance(value, _Missing):
        return value.word
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value in (sympy.oo, -sympy.oo):
        return "∞" if value == sympy.oo else "−∞"
    if isinstance(value, sympy.Basic) and value.is_number and not value.is_Float and len(str(value)) <= 24:
        return str(value)
    try:
        return f"{float(value):.8g}"
    except (TypeError, ValueError):
        return str(value)


def _json_value(value):
    if isinstance(value, _Missing):
        return None
    if isinstance(value, (bool, int)):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else ("inf" if number > 0 else "-inf" if number < 0 else None)
