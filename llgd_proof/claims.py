"""User claims as data: hypotheses and a conclusion written as conditions over a fixed vocabulary.

A claim file (TOML) states a conjecture the way a theorem module does — hypotheses, one conclusion,
provenance, cases — but as text: every hypothesis and the conclusion is a *condition*, i.e. relations
(``<  <=  >  >=  ==  !=``, chains such as ``0.75 <= eos_ratio <= 1`` allowed) between arithmetic
expressions, boolean names (``converged``…), combined with ``and``, ``or``, ``not``. Arithmetic is
parsed by the safe expression parser (:func:`~llgd_proof.expressions.parse_expression`); the logical
layer on top of it only walks the syntax tree Python's parser builds. Nothing is ever evaluated.

A :class:`Claim` becomes a :class:`~llgd_proof.theorems.base.Theorem` whose hypotheses and conclusion
are predicates reading the :data:`VOCABULARY` off the :class:`~llgd_proof.theorems.base.Context`
(regularity report, the compiled objective at θ0, the investigated run), so verdicts, precision
checks, JSON, property search with shrinking and the verify report are the built-in theorems' own.

Semantics of a condition on one case (three-valued, like every predicate of the library):

* a relation is decided numerically at the case's working precision from the exact or high-precision
  quantities; it is *false* when one of its quantities does not exist for this case or run
  (``max_stable_h`` when μ = 0, ``eos_ratio`` after divergence, ``period`` of a non-periodic run) —
  like a comparison with NaN;
* every run quantity except ``steps`` is *undecided* when the run did not settle within its budget;
  ``and``/``or``/``not`` follow Kleene's three-valued logic, so an undecided part decides nothing
  unless the rest already does. An undecided hypothesis makes the verdict ``inconclusive``.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import math
import pathlib
import re
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import mpmath
import sympy
from hypothesis import strategies as st

from .dynamics import Status
from .errors import ExpressionError, LlgdInputError
from .expressions import CONSTANTS, FUNCTIONS, MAX_DEPTH, MAX_LENGTH, MAX_NODES, parse_expression
from .families import FamilyReport, check_family, family_losses
from .strategies import cases, decimal, starting_points
from .theorems.base import Case, CheckResult, Context, Hypothesis, Theorem, limit_on_minimiser_set

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SHIPPED = pathlib.Path(__file__).parent / "claims"  # the built-in theorems as claim files
DEFAULT_PROVENANCE = "user-claim"


class ClaimError(LlgdInputError):
    """A claim file or claim expression is malformed, uses an unknown name, or does not fit the case."""


# -- the vocabulary -------------------------------------------------------------------------------


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


# -- conditions: a small tree over sympy expressions --------------------------------------------

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
    operand is handed to :func:`~llgd_proof.expressions.parse_expression`, which allows only numbers,
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


# -- evaluating a condition on a Context --------------------------------------------------------


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


# -- the claim ------------------------------------------------------------------------------------

MAX_CLAIM_CHARACTERS = 1_000_000
_LIMITS = {"dim": (1, 16), "grid": (1, 1000), "examples": (1, 10_000), "seed": (0, 2**32 - 1), "dps": (15, 1000), "max_steps": (1, 1_000_000)}
"""The ranges of a claim's integer settings, those of the command line (docs/reference.md, "Errors and output")."""
_KEYS = {"name", "statement", "reference", "provenance", "formalises", "parameters", "hypotheses", "conclusion", "cases", "domain"}
_CASE_KEYS = {"loss", "mu", "h", "init", "dim", "objective", "vars", "variables", "dps", "max_steps", "label", "parameters"}
_DOMAIN_KEYS = {"loss", "parameters", "grid", "h_fraction", "h", "box", "log_box", "any_sign", "dim", "examples", "seed", "dps", "max_steps"}
_PROVENANCE = re.compile(r"^(user-claim|derived|anchor:[A-Za-z0-9_.-]+)$")


@dataclass(frozen=True)
class Domain:
    """Where :meth:`Claim.search` draws cases: a loss family, a step range and a start box."""

    loss: str = "logcosh"
    parameters: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    grid: int = 20  # each parameter range is a grid of grid + 1 values (few values: fewer regularity reports to derive)
    h_fraction: tuple[float, float] | None = (0.05, 0.99)  # of the stable step 1/(|μ|ℓ''(μ)) (2/ℓ''(0) when μ = 0)
    h: tuple[float, float] | None = None  # absolute steps instead
    box: tuple[tuple[float, float], tuple[float, float]] = ((0.05, 10.0), (0.05, 5.0))
    log_box: bool = False
    any_sign: bool = False
    dim: int = 1
    examples: int = 50
    seed: int = 0
    dps: int = 30
    max_steps: int = 20_000


@dataclass(frozen=True)
class ClaimTheorem(Theorem):
    """The Theorem a claim becomes; first checks that the case offers every name the claim uses."""

    claim_names: frozenset = frozenset()

    def check(self, case: Case, *, precision_check: bool = True) -> CheckResult:
        _check_scope(self.id, self.claim_names, case)
        return super().check(case, precision_check=precision_check)


@dataclass(frozen=True)
class Claim:
    """A parsed claim file (see module doc). ``check``, ``search`` and ``latex`` are what users call."""

    name: str
    hypotheses: tuple[tuple[str, Condition], ...]
    conclusion: tuple[str, Condition]
    statement: str = ""
    reference: str = ""
    provenance: str = DEFAULT_PROVENANCE
    formalises: str = ""
    parameters: Mapping[str, float] = field(default_factory=dict)
    cases: tuple[Case, ...] = ()
    domain: Domain = field(default_factory=Domain)
    source: str = ""

    # the Theorem ---------------------------------------------------------------------------
    @property
    def names(self) -> set[str]:
        used = set(self.conclusion[1].symbols())
        for _, condition in self.hypotheses:
            used |= condition.symbols()
        return used

    def _latex_names(self) -> dict:
        names = {SYMBOLS[n]: VOCABULARY[n].latex for n in VOCABULARY}
        names.update({sympy.Symbol(p): sympy.latex(sympy.Symbol(p)) for p in self.parameters})
        return names

    def condition_latex(self, condition: Condition) -> str:
        return condition.latex(self._latex_names())

    def statement_latex(self) -> str:
        hypotheses = r",\ ".join(self.condition_latex(c) for _, c in self.hypotheses)
        conclusion = self.condition_latex(self.conclusion[1])
        return (hypotheses + r" \implies " if hypotheses else "") + conclusion

    @cached_property
    def theorem(self) -> ClaimTheorem:
        names = self._latex_names()
        hypotheses = [
            Hypothesis(text, condition.latex(names), self._predicate(condition), after_run=_needs_run(condition)) for text, condition in self.hypotheses
        ]
        text, condition = self.conclusion
        theorem = ClaimTheorem(
            id=f"claim:{self.name}",
            title=f"claim {self.name}" + (f" (a formalisation of {self.formalises})" if self.formalises else ""),
            statement=self.statement_latex(),
            provenance=self.provenance,
            hypotheses=hypotheses,
            conclusion_name=text,
            conclusion_latex=condition.latex(names),
            conclude=self._predicate(condition),
            cases=list(self.cases),
            family="any",
            reference=self.reference or f"a user's claim ({self.source}), no reference given",
            note=self.statement,
            parameters=dict(self.parameters),
            claim_names=frozenset(self.names),
        )
        return theorem

    def _predicate(self, condition: Condition) -> Callable[[Context], tuple[bool | None, str]]:
        parameters = self.parameters
        used = condition.symbols()

        def predicate(c: Context) -> tuple[bool | None, str]:
            reader = _Reader(c, parameters)
            result = reader.evaluate(condition)
            c.record(claim_quantities={**c.quantities.get("claim_quantities", {}), **reader.evidence()})
            verdict = {True: "true", False: "false", None: "undecided"}[result]
            return result, f"{reader.describe(used)} → {verdict}"

        return predicate

    # what users call ----------------------------------------------------------------------
    def check(self, case: Case | Mapping | None = None, **fields) -> CheckResult:
        """Check the claim on one case: a :class:`Case`, or its fields (loss=…, h=…, init=…)."""
        if isinstance(case, Case):
            if fields:
                raise ClaimError(f"claim {self.name!r}: give a Case or its fields, not both")
            chosen = case
        elif case is None or isinstance(case, Mapping):
            chosen = _case_from({**(case or {}), **fields}, f"claim {self.name!r}")
        else:
            raise ClaimError(f"claim {self.name!r} checks a Case or its fields (loss=…, h=…, init=[…]), got {type(case).__name__}")
        return self.theorem.check(chosen)

    def strategy(self, domain: Domain | None = None):
        """The hypothesis strategy of cases for ``domain`` (default: the claim's own)."""
        d = self._domain(domain)
        starts = starting_points(x_range=d.box[0], y_range=d.box[1], same_sign=not d.any_sign, log_scale=d.log_box, dim=d.dim)
        losses = family_losses(d.loss, dict(d.parameters), steps=d.grid)
        if d.h is None:
            return cases(losses, fraction=d.h_fraction, starts=starts, dps=d.dps, max_steps=d.max_steps)
        low, high = d.h
        steps = decimal(low, high, max((high - low) / 100, 1e-6))

        @st.composite
        def build(draw) -> Case:
            loss, h, init = draw(losses), draw(steps), draw(starts)
            return Case(h=h, init=init, dim=d.dim, dps=d.dps, max_steps=d.max_steps, loss_object=loss, label="drawn by llgd_proof.claims")

        return build()

    def domain_with(self, **overrides) -> Domain:
        """The claim's search domain with some fields replaced (loss, parameters, h_fraction or h, box, examples…)."""
        unknown = set(overrides) - {f.name for f in dataclasses.fields(Domain)}
        if unknown:
            raise ClaimError(f"a search domain has no option {min(unknown)!r}; it takes {', '.join(sorted(_DOMAIN_KEYS))}")
        if "parameters" in overrides:
            ranges = overrides["parameters"]
            if not isinstance(ranges, Mapping) or not all(isinstance(v, (list, tuple)) for v in ranges.values()):
                raise ClaimError(f"claim {self.name!r}: parameters must be a dict of ranges, e.g. {{'mu': (0.5, 2)}}, got {_brief(ranges)}")
            overrides["parameters"] = {k: list(v) for k, v in ranges.items()}
        if overrides.get("h") is not None and "h_fraction" not in overrides:
            overrides["h_fraction"] = None
        if overrides.get("h_fraction") is not None and "h" not in overrides:
            overrides["h"] = None
        return _domain_from(self.domain_json(self.domain) | overrides, f"claim {self.name!r}")

    @staticmethod
    def domain_json(domain: Domain) -> dict:
        data = dataclasses.asdict(domain)
        data["parameters"] = {k: list(v) for k, v in domain.parameters.items()}
        data["box"] = [list(domain.box[0]), list(domain.box[1])]
        data["h_fraction"] = None if domain.h_fraction is None else list(domain.h_fraction)
        data["h"] = None if domain.h is None else list(domain.h)
        return data

    def search(self, domain: Domain | None = None, *, without: Sequence[str] = (), scheduler: str | None = None, workers: int | None = None,
               **overrides) -> FamilyReport:
        """Counterexample search over ``domain`` (default: the claim's, with ``overrides`` applied).

        Returns the :class:`~llgd_proof.families.FamilyReport` of :func:`~llgd_proof.families.check_family`:
        verdict counts, the first violation shrunk by hypothesis and re-checked 20 digits higher.
        ``without`` drops hypotheses by their text, to see what breaks; ``scheduler`` and ``workers`` say where
        the cases are checked (see :func:`~llgd_proof.families.check_family`).
        """
        if domain is not None and overrides:
            raise ClaimError(f"claim {self.name!r}: give a domain or overrides of the claim's own, not both")
        chosen = self._domain(domain) if domain is not None else self.domain_with(**overrides)
        if isinstance(without, str):
            without = [without]
        if not isinstance(without, (list, tuple)) or not all(isinstance(text, str) and text.strip() and len(text) <= MAX_LENGTH for text in without):
            raise ClaimError(f"claim {self.name!r}: without takes hypothesis texts (strings), got {_brief(without)}")
        if scheduler is not None and not (isinstance(scheduler, str) and scheduler.strip() and len(scheduler) <= 1000):
            raise ClaimError(f"the scheduler must be an address such as tcp://127.0.0.1:8786, got {_brief(scheduler)}")
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= 1024):
            raise ClaimError(f"workers must be a whole number from 0 to 1024 (0 or 1: in this process), got {_brief(workers)}")
        theorem = self.theorem.without(*without) if without else self.theorem
        return check_family(theorem, self.strategy(chosen), examples=chosen.examples, seed=chosen.seed, scheduler=scheduler, workers=workers)

    def _domain(self, domain) -> Domain:
        if domain is None:
            return self.domain
        if not isinstance(domain, Domain):
            raise ClaimError(f"claim {self.name!r}: a domain is a claims.Domain (e.g. claim.domain_with(...)), got {type(domain).__name__}")
        return domain

    def latex(self) -> str:
        """The claim as a LaTeX fragment (statement, provenance, hypotheses, conclusion), typeset by sympy."""
        from .latex import theorem_latex  # the outputs layer renders; the claim only supplies sympy LaTeX

        return theorem_latex(self.theorem)

    def as_json(self) -> dict:
        return {
            **self.theorem.as_json(),
            "kind": "claim",
            "formalises": self.formalises or None,
            "source": self.source,
            "vocabulary_used": sorted(self.names),
        }


def _needs_run(condition: Condition) -> bool:
    return any(VOCABULARY[n].kind == "run" for n in condition.symbols() if n in VOCABULARY)


def _check_scope(claim: str, names, case: Case) -> None:
    objective = case.build()
    pair = (objective.is_product and (objective.dim or 1) == 1) or (not objective.is_product and objective.n_variables == 2)
    for name in sorted(names):
        term = VOCABULARY.get(name)
        if term is None or term.scope == "any":
            continue
        if term.scope == "product" and not objective.is_product:
            raise ClaimError(f"claim {claim!r} uses {name}, which exists only for f = ℓ(xᵀy); this case is the general objective {objective.describe()}")
        if term.scope == "pair" and not pair:
            raise ClaimError(f"claim {claim!r} uses {name}, which needs exactly two coordinates (ℓ(xy) with dim 1, or f(x, y)); this case has {objective.n_variables}")


# -- reading claim files --------------------------------------------------------------------------


def load_claim(source) -> Claim:
    """A :class:`Claim` from a path (str or Path) to a TOML file, or from the TOML text itself."""
    if isinstance(source, pathlib.Path) or (isinstance(source, str) and "\n" not in source and "=" not in source):
        path = pathlib.Path(source)
        try:
            found = path.is_file()
        except (OSError, ValueError):  # a name too long for the file system, a NUL byte
            found = False
        if not found:
            raise ClaimError(f"no claim file {_shorten(str(source))!r}")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ClaimError(f"cannot read the claim file {str(source)!r} ({error.__class__.__name__})") from error
        return parse_claim(text, origin=str(path))
    if not isinstance(source, str):
        raise ClaimError(f"a claim is a path or TOML text, got {type(source).__name__}")
    return parse_claim(source, origin="<text>")


def parse_claim(text: str, origin: str = "<text>") -> Claim:
    """Parse TOML ``text`` into a :class:`Claim`; every mistake is one :class:`ClaimError` sentence."""
    if len(text) > MAX_CLAIM_CHARACTERS:
        raise ClaimError(f"{origin} is {len(text)} characters long; a claim file may have at most {MAX_CLAIM_CHARACTERS}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ClaimError(f"{origin} is not valid TOML ({' '.join(str(error).split())})") from error
    except RecursionError:
        raise ClaimError(f"{origin} nests arrays or tables too deeply to read") from None
    where = f"claim file {origin}"
    unknown = set(data) - _KEYS
    if unknown:
        raise ClaimError(f"{where} has an unknown key {min(unknown)!r}; allowed keys are {', '.join(sorted(_KEYS))}")
    for key in ("name", "hypotheses", "conclusion"):
        if key not in data:
            raise ClaimError(f"{where} needs a {key!r} entry")
    name = data["name"]
    if not isinstance(name, str) or not name.strip() or len(name) > 80 or not name.isprintable():
        raise ClaimError(f"{where}: 'name' must be a short one-line string")
    where = f"claim {name!r}"
    for key in ("statement", "reference", "provenance", "formalises"):
        if key in data and not isinstance(data[key], str):
            raise ClaimError(f"{where}: {key!r} must be a string")
    provenance = data.get("provenance", DEFAULT_PROVENANCE)
    if provenance == "paper-claim":
        raise ClaimError(f"{where}: a claim file cannot be labelled paper-claim (that label is reserved for the library's own formalisations); use user-claim and cite the paper in 'reference'")
    if not _PROVENANCE.match(provenance):
        raise ClaimError(f"{where}: provenance must be user-claim, derived or anchor:<ref>, got {provenance!r}")
    parameters = _parameters(data.get("parameters", {}), where)
    names = {n: SYMBOLS[n] for n in VOCABULARY if not VOCABULARY[n].boolean}
    names.update({p: sympy.Symbol(p) for p in parameters})
    booleans = {n for n, t in VOCABULARY.items() if t.boolean}
    hypotheses = data["hypotheses"]
    if not isinstance(hypotheses, list) or not all(isinstance(h, str) for h in hypotheses):
        raise ClaimError(f"{where}: 'hypotheses' must be a list of strings")
    parsed = tuple((h, parse_condition(h, names, booleans, f"hypothesis {i + 1} of {where}")) for i, h in enumerate(hypotheses))
    if len({h for h, _ in parsed}) != len(parsed):
        raise ClaimError(f"{where} states a hypothesis twice")
    conclusion = data["conclusion"]
    if not isinstance(conclusion, str):
        raise ClaimError(f"{where}: 'conclusion' must be a string")
    cases = data.get("cases", [])
    if not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
        raise ClaimError(f"{where}: 'cases' must be an array of tables ([[cases]])")
    domain = data.get("domain", {})
    if not isinstance(domain, dict):
        raise ClaimError(f"{where}: 'domain' must be a table ([domain])")
    return Claim(
        name=name.strip(),
        hypotheses=parsed,
        conclusion=(conclusion, parse_condition(conclusion, names, booleans, f"the conclusion of {where}")),
        statement=data.get("statement", "").strip(),
        reference=data.get("reference", ""),
        provenance=provenance,
        formalises=data.get("formalises", ""),
        parameters=parameters,
        cases=tuple(_case_from(c, f"case {i + 1} of {where}") for i, c in enumerate(cases)),
        domain=_domain_from(domain, where),
        source=origin,
    )


def _parameters(table, where: str) -> dict[str, float]:
    if not isinstance(table, dict):
        raise ClaimError(f"{where}: 'parameters' must be a table of numbers")
    result = {}
    for key, value in table.items():
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key) or key in VOCABULARY or key in _RESERVED:
            raise ClaimError(f"{where}: {key!r} cannot be a parameter name (it must be a new identifier, not a vocabulary, function or constant name)")
        if not _finite_number(value):
            raise ClaimError(f"{where}: parameter {key} must be a finite number of magnitude at most 1e300, got {_brief(value)}")
        result[key] = float(value)
    return result


def _text_number(value, what: str) -> str:
    """A number of a case as exact text: finite, at most 10³⁰⁰ in magnitude (the limits of the command line)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)) or isinstance(value, str) and len(value) > 1000:
        raise ClaimError(f"{what} must be a number, got {_brief(value)}")
    if isinstance(value, int) and value.bit_length() > 1000:
        raise ClaimError(f"{what} must be at most 1e300 in magnitude, got {_brief(value)}")
    text = value.strip() if isinstance(value, str) else repr(value)
    try:
        number = mpmath.mpf(text)
    except (TypeError, ValueError):
        raise ClaimError(f"{what} must be a number, got {_brief(value)}") from None
    if not mpmath.isfinite(number) or abs(number) > mpmath.mpf("1e300"):
        raise ClaimError(f"{what} must be a finite number of magnitude at most 1e300, got {_brief(value)}")
    return text


def _case_from(data: Mapping, where: str) -> Case:
    unknown = set(data) - _CASE_KEYS
    if unknown:
        raise ClaimError(f"{where} has an unknown key {min(unknown)!r}; allowed keys are {', '.join(sorted(_CASE_KEYS))}")
    if "h" not in data or "init" not in data:
        raise ClaimError(f"{where} needs 'h' and 'init'")
    if ("loss" in data) == ("objective" in data):
        raise ClaimError(f"{where} needs exactly one of 'loss' and 'objective'")
    init = data["init"]
    if isinstance(init, str):
        init = [part for part in init.split(",")]
    if not isinstance(init, (list, tuple)) or not init:
        raise ClaimError(f"{where}: 'init' must be a list of numbers")
    variables = data.get("vars", data.get("variables", ()))
    if isinstance(variables, str):
        variables = variables.split(",")
    for key in ("loss", "objective", "label"):
        if key in data and not isinstance(data[key], str):
            raise ClaimError(f"{where}: {key!r} must be a string")
    for key in ("dim", "dps", "max_steps"):
        if key in data:
            _bounded_integer(data[key], key, where)
    if not isinstance(init, (list, tuple)) or len(init) > 32:
        raise ClaimError(f"{where}: 'init' must be a list of at most 32 numbers")
    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict) or not all(_finite_number(v) for v in parameters.values()):
        raise ClaimError(f"{where}: 'parameters' must be a table of finite numbers")
    return Case(
        h=_text_number(data["h"], f"{where}: h"),
        init=tuple(_text_number(v, f"{where}: init") for v in init),
        loss=data.get("loss"),
        mu=None if data.get("mu") is None else _text_number(data["mu"], f"{where}: mu"),
        dim=data.get("dim", 1),
        objective=data.get("objective"),
        variables=tuple(str(v).strip() for v in variables),
        dps=data.get("dps", 30),
        max_steps=data.get("max_steps", 20_000),
        parameters={k: float(v) for k, v in parameters.items()},
        label=data.get("label", ""),
    )


def _finite_number(value) -> bool:
    """An int or float (not a bool) of magnitude at most 10³⁰⁰."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) <= 1e300 if isinstance(value, float) else value.bit_length() <= 997


def _bounded_integer(value, key: str, where: str) -> int:
    low, high = _LIMITS[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ClaimError(f"{where}: {key!r} must be an integer from {low} to {high}, got {_brief(value)}")
    return value


def _pair(value, what: str) -> tuple[float, float]:
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(_finite_number(v) for v in value)
        or value[0] > value[1]
    ):
        raise ClaimError(f"{what} must be a range [low, high] of finite numbers with low ≤ high, got {value!r}")
    return float(value[0]), float(value[1])


def _domain_from(data: Mapping, where: str) -> Domain:
    unknown = set(data) - _DOMAIN_KEYS
    if unknown:
        raise ClaimError(f"the domain of {where} has an unknown key {min(unknown)!r}; allowed keys are {', '.join(sorted(_DOMAIN_KEYS))}")
    defaults = Domain()
    loss = data.get("loss", defaults.loss)
    if not isinstance(loss, str):
        raise ClaimError(f"the domain of {where}: 'loss' must be a catalog name or an expression in s")
    parameters = data.get("parameters", {})
    if not isinstance(parameters, Mapping):
        raise ClaimError(f"the domain of {where}: 'parameters' must be a table of ranges, e.g. {{ mu = [0.5, 2] }}")
    h = None if data.get("h") is None else _pair(data["h"], f"the domain of {where}: h")
    if h is not None and not h[0] > 0:
        raise ClaimError(f"the domain of {where}: steps h must be positive")
    fraction = data.get("h_fraction", defaults.h_fraction if h is None else None)
    if fraction is not None:
        if h is not None:
            raise ClaimError(f"the domain of {where} gives both 'h' and 'h_fraction'; give one")
        fraction = _pair(fraction, f"the domain of {where}: h_fraction")
        if not fraction[0] > 0:
            raise ClaimError(f"the domain of {where}: h_fraction must be positive")
    box = data.get("box", defaults.box)
    if not isinstance(box, (list, tuple)) or len(box) != 2:
        raise ClaimError(f"the domain of {where}: 'box' must be [[x0min, x0max], [y0min, y0max]] (magnitudes)")
    box = (_pair(box[0], f"the domain of {where}: box"), _pair(box[1], f"the domain of {where}: box"))
    if min(box[0][0], box[1][0]) <= 0:
        raise ClaimError(f"the domain of {where}: the box gives magnitudes; use positive bounds (signs are drawn separately)")
    result = {}
    for key in ("dim", "grid", "examples", "seed", "dps", "max_steps"):
        result[key] = _bounded_integer(data.get(key, getattr(defaults, key)), key, f"the domain of {where}")
    for key in ("log_box", "any_sign"):
        value = data.get(key, getattr(defaults, key))
        if not isinstance(value, bool):
            raise ClaimError(f"the domain of {where}: {key!r} must be true or false")
        result[key] = value
    return Domain(
        loss=loss,
        parameters={str(k): _pair(v, f"the domain of {where}: parameter {k}") for k, v in parameters.items()},
        h_fraction=fraction,
        h=h,
        box=box,
        **result,
    )


def load_directory(directory) -> list[Claim]:
    """Every ``*.toml`` claim in ``directory`` (sorted by file name)."""
    path = pathlib.Path(directory)
    if not path.is_dir():
        raise ClaimError(f"no claim directory {str(directory)!r}")
    return [load_claim(p) for p in sorted(path.glob("*.toml"))]


def shipped_claims() -> list[Claim]:
    """The built-in theorems that fit the vocabulary, as claim files (``llgd_proof/claims/*.toml``)."""
    return load_directory(SHIPPED)


def check_claims(claims: Sequence[Claim], progress=None) -> list[CheckResult]:
    """Every claim on each of its own cases."""
    results = []
    for claim in claims:
        for case in claim.cases:
            result = claim.check(case)
            results.append(result)
            if progress is not None:
                progress(result)
    return results


def vocabulary_table() -> list[dict]:
    """The vocabulary as rows (name, kind, type, scope, definition, theory.md reference) for docs and ``--json``."""
    return [
        {"name": t.name, "kind": t.kind, "type": "boolean" if t.boolean else "number", "scope": t.scope, "definition": t.definition, "reference": t.reference}
        for t in _TERMS
    ]
