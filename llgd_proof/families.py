"""Property-test a theorem over a family of objectives: counts, and a shrunk, confirmed counterexample.

:func:`check_family` runs a theorem on ``examples`` cases drawn by hypothesis from a strategy of
:class:`~llgd_proof.theorems.base.Case` (see :mod:`llgd_proof.strategies`):

1. a counting pass (generation only, seeded): how many cases hold, are violated, miss a
   hypothesis, or are inconclusive;
2. if any case is violated, a shrinking pass with the same seed: hypothesis reduces the first
   violating case to a minimal one (small starts, simple steps);
3. the shrunk counterexample is checked again at higher precision (``confirm_extra_digits`` more
   digits, itself with its own precision repeat); it is reported as confirmed only if it is still
   ``violated`` there.

"What breaks if I drop hypothesis X?" — pass ``theorem.without("X")``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from .errors import ParameterError
from .losses import ALIASES, CATALOG, catalog_loss, parse_loss_spec
from .strategies import cases, decimal, parametrised_losses, starting_points
from .theorems.base import Case, CheckResult, Theorem, Verdict

CONFIRM_EXTRA_DIGITS = 20


@dataclass
class FamilyReport:
    theorem: Theorem
    examples: int
    seed: int
    counts: dict[str, int]
    counterexample: CheckResult | None = None
    confirmation: CheckResult | None = None
    elapsed: float = 0.0
    first_violations: list[Case] = field(default_factory=list)

    @property
    def confirmed(self) -> bool | None:
        if self.counterexample is None:
            return None
        return self.confirmation is not None and self.confirmation.verdict is Verdict.VIOLATED

    def as_json(self) -> dict:
        data = {
            "theorem": self.theorem.id,
            "provenance": self.theorem.provenance,
            "examples": self.examples,
            "seed": self.seed,
            "counts": self.counts,
            "ok": self.counterexample is None,
            "counterexample": None,
            "confirmed": self.confirmed,
            "elapsed_seconds": round(self.elapsed, 2),
        }
        if self.counterexample is not None:
            found = self.counterexample.as_json()
            data["counterexample"] = {
                "case": found["case"],
                "verdict": found["verdict"],
                "conclusion": found["conclusion"],
                "hypotheses": found["hypotheses"],
                "status": found["evidence"].get("status"),
                "steps": found["evidence"].get("steps"),
            }
            if self.confirmation is not None:
                data["confirmation"] = {
                    "dps": self.confirmation.case.dps,
                    "verdict": self.confirmation.verdict.value,
                    "precision_check": self.confirmation.evidence.get("precision_check"),
                }
        return data


def _settings(examples: int, phases) -> settings:
    return settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
        print_blob=False,
    )


def check_family(
    theorem: Theorem,
    cases: st.SearchStrategy[Case],
    *,
    examples: int = 100,
    seed: int = 0,
    confirm_extra_digits: int = CONFIRM_EXTRA_DIGITS,
) -> FamilyReport:
    """Run ``theorem`` on ``examples`` cases from ``cases`` (see module doc)."""
    if not (isinstance(examples, int) and examples >= 1):
        raise ParameterError(f"the number of examples must be a positive integer, got {examples}")
    start = time.perf_counter()
    counts = {verdict.value: 0 for verdict in Verdict}
    violations: list[Case] = []

    @hypothesis_seed(seed)
    @_settings(examples, [Phase.generate])
    @given(cases)
    def count(case: Case) -> None:
        result = theorem.check(case)
        counts[result.verdict.value] += 1
        if result.verdict is Verdict.VIOLATED:
            violations.append(case)

    count()
    report = FamilyReport(theorem, sum(counts.values()), seed, counts, first_violations=violations[:5])
    if violations:
        report.counterexample = _shrink(theorem, cases, examples, seed, violations[0])
        confirm_case = dataclasses.replace(report.counterexample.case, dps=report.counterexample.case.dps + confirm_extra_digits)
        report.confirmation = theorem.check(confirm_case)
    report.elapsed = time.perf_counter() - start
    return report


class _Violation(Exception):
    pass


def _shrink(theorem: Theorem, cases: st.SearchStrategy[Case], examples: int, seed: int, fallback: Case) -> CheckResult:
    """Re-generate with the same seed, fail on the first violation, and let hypothesis shrink it."""
    smallest: list[CheckResult] = []

    @hypothesis_seed(seed)
    @_settings(examples, [Phase.explicit, Phase.generate, Phase.shrink])
    @given(cases)
    def violate(case: Case) -> None:
        result = theorem.check(case)
        if result.verdict is Verdict.VIOLATED:
            smallest.append(result)
            raise _Violation

    try:
        violate()
    except _Violation:
        pass
    return smallest[-1] if smallest else theorem.check(fallback)


def family_losses(spec: str, ranges: dict[str, tuple[float, float]], steps: int = 20) -> st.SearchStrategy:
    """Losses of a family from the CLI: a catalog name (ranges over mu, delta, p) or an expression (ranges over mu)."""
    name = ALIASES.get(spec.strip(), spec.strip())
    if name not in CATALOG:
        return parametrised_losses(spec, ranges, steps=steps) if ranges else st.just(parse_loss_spec(spec))
    unknown = set(ranges) - set(CATALOG[name].defaults)
    if unknown:
        raise ParameterError(f"loss {name!r} has no parameter {min(unknown)!r}; it has {', '.join(CATALOG[name].defaults) or 'none'}")
    for key, (low, high) in ranges.items():
        if not low <= high:
            raise ParameterError(f"parameter range {key}={low}:{high} is empty")
    grids = {key: decimal(low, high, (high - low) / steps if high > low else 1.0) for key, (low, high) in ranges.items()}
    return st.fixed_dictionaries(grids).map(lambda values: catalog_loss(name, **values))


# -- the searched phase of `llgd verify`: a seeded, budgeted hunt for counterexamples ----------------------

SEARCH_DPS = 30
SEARCH_MAX_STEPS = 5000


def search_space(space: dict) -> st.SearchStrategy[Case]:
    """Cases inside a theorem's declared search space (``Theorem.search``), drawn with the public strategies.

    Keys: ``losses`` (catalog names), ``mu`` (LO, HI, on a ``mu_step`` grid) or ``mu_values`` (a list) for
    losses that have μ, ``fraction`` (LO, HI) of the
    maximal stable step 1/(|μ|ℓ''(μ)), ``box`` ((x LO, HI), (y LO, HI)) of start magnitudes, ``same_sign``,
    ``log_box``, ``dim``, ``dps``, ``max_steps``. Every new loss costs symbolic work (its regularity report and
    compilation, about 1 s), so a budgeted search should draw from few losses and many steps and starts.
    """
    names = tuple(space.get("losses", ("logcosh", "huber", "pseudo-huber")))
    mu_low, mu_high = space.get("mu", (0.25, 3.0))

    @st.composite
    def losses(draw):
        name = draw(st.sampled_from(names))
        key = ALIASES.get(name, name)
        if "mu" in CATALOG[key].defaults:
            if "mu_values" in space:  # a few values keep the per-loss symbolic work (regularity, compilation) small
                return catalog_loss(key, mu=draw(st.sampled_from(list(space["mu_values"]))))
            return catalog_loss(key, mu=draw(decimal(mu_low, mu_high, space.get("mu_step", 0.25))))
        return catalog_loss(key)

    (x_range, y_range) = space.get("box", ((0.05, 10.0), (0.05, 5.0)))
    starts = starting_points(
        x_range=tuple(x_range), y_range=tuple(y_range), same_sign=space.get("same_sign", True),
        log_scale=space.get("log_box", False), dim=space.get("dim", 1),
    )
    return cases(
        losses(), fraction=tuple(space.get("fraction", (0.05, 0.99))), starts=starts,
        dps=space.get("dps", SEARCH_DPS), max_steps=space.get("max_steps", SEARCH_MAX_STEPS),
    )


@dataclass
class SearchReport:
    """What the budgeted search found for one theorem: counts per verdict and confirmed counterexamples."""

    theorem: Theorem
    seed: int
    budget_seconds: float
    counts: dict[str, int]
    violations: list[CheckResult] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def examples(self) -> int:
        return sum(self.counts.values())

    def as_json(self) -> dict:
        return {
            "theorem": self.theorem.id,
            "status": self.theorem.status,
            "version": self.theorem.version,
            "seed": self.seed,
            "budget_seconds": round(self.budget_seconds, 2),
            "examples": self.examples,
            "counts": self.counts,
            "violations": [{"case": r.case.as_json(), "conclusion": r.conclusion.as_json("holds"), "status": r.evidence.get("status")} for r in self.violations],
            "elapsed_seconds": round(self.elapsed, 2),
        }


class _BudgetSpent(Exception):
    pass


def search_counterexamples(
    theorem: Theorem,
    *,
    budget_seconds: float,
    seed: int = 0,
    space: st.SearchStrategy[Case] | None = None,
    stop_at_first: bool = True,
    confirm_extra_digits: int = CONFIRM_EXTRA_DIGITS,
) -> SearchReport:
    """Check ``theorem`` on cases drawn (seeded) from ``space`` (default: its declared ``search``) until
    ``budget_seconds`` are spent. Draws run without the precision repeat, for speed; a ``violated`` draw is
    re-checked at ``confirm_extra_digits`` more digits with the precision repeat, and counts as violated only
    if confirmed there (else inconclusive)."""
    if space is None:
        if not theorem.search:
            raise ParameterError(f"theorem {theorem.id!r} declares no search space")
        space = search_space(dict(theorem.search))
    counts = {verdict.value: 0 for verdict in Verdict}
    violations: list[CheckResult] = []
    start = time.perf_counter()

    @hypothesis_seed(seed)
    @_settings(100_000, [Phase.generate])
    @given(space)
    def draw(case: Case) -> None:
        if time.perf_counter() - start > budget_seconds or (stop_at_first and violations):
            raise _BudgetSpent
        result = theorem.check(case, precision_check=False)
        verdict = result.verdict
        if verdict is Verdict.VIOLATED:
            confirmation = theorem.check(dataclasses.replace(case, dps=case.dps + confirm_extra_digits))
            verdict = confirmation.verdict if confirmation.verdict is Verdict.VIOLATED else Verdict.INCONCLUSIVE
            if verdict is Verdict.VIOLATED:
                violations.append(confirmation)
        counts[verdict.value] += 1

    try:
        draw()
    except _BudgetSpent:
        pass
    return SearchReport(theorem, seed, budget_seconds, counts, violations, time.perf_counter() - start)
