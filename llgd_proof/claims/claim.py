"""User claims as data: hypotheses and a conclusion written as conditions over a fixed vocabulary.

A claim file (TOML) states a conjecture the way a theorem module does — hypotheses, one conclusion,
provenance, cases — but as text: every hypothesis and the conclusion is a *condition*, i.e. relations
(``<  <=  >  >=  ==  !=``, chains such as ``0.75 <= eos_ratio <= 1`` allowed) between arithmetic
expressions, boolean names (``converged``…), combined with ``and``, ``or``, ``not``. Arithmetic is
parsed by the safe expression parser (:func:`~llgd_proof.symbolic.expressions.parse_expression`); the logical
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

import dataclasses
import pathlib
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import mpmath
import sympy
from hypothesis import strategies as st

from llgd_proof.claims.conditions import (
    _RESERVED,
    _TERMS,
    SYMBOLS,
    VOCABULARY,
    ClaimError,
    Condition,
    _brief,
    _Reader,
    _shorten,
    parse_condition,
)
from llgd_proof.search.families import FamilyReport, check_family, family_losses
from llgd_proof.search.strategies import cases, decimal, starting_points
from llgd_proof.symbolic.expressions import MAX_LENGTH
from llgd_proof.theorems.base import Case, CheckResult, Context, Hypothesis, Theorem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SHIPPED = pathlib.Path(__file__).parent  # the built-in theorems as claim files (*.toml beside this module)
DEFAULT_PROVENANCE = "user-claim"




# -- the vocabulary -------------------------------------------------------------------------------






















# -- conditions: a small tree over sympy expressions --------------------------------------------

























# -- evaluating a condition on a Context --------------------------------------------------------










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
            return Case(h=h, init=init, dim=d.dim, dps=d.dps, max_steps=d.max_steps, loss_object=loss, label="drawn by llgd_proof.claims.claim")

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

        Returns the :class:`~llgd_proof.search.families.FamilyReport` of :func:`~llgd_proof.search.families.check_family`:
        verdict counts, the first violation shrunk by hypothesis and re-checked 20 digits higher.
        ``without`` drops hypotheses by their text, to see what breaks; ``scheduler`` and ``workers`` say where
        the cases are checked (see :func:`~llgd_proof.search.families.check_family`).
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
        from llgd_proof.report.latex import theorem_latex

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
