"""Property-test a theorem over a family of objectives: counts, and a shrunk, confirmed counterexample.

:func:`check_family` runs a theorem on ``examples`` cases drawn by hypothesis from a strategy of
:class:`~llgd_proof.theorems.base.Case` (see :mod:`llgd_proof.search.strategies`):

1. a counting pass (generation only, seeded): how many cases hold, are violated, miss a
   hypothesis, or are inconclusive;
2. if any case is violated, a shrinking pass with the same seed: hypothesis reduces the first
   violating case to a minimal one (small starts, simple steps);
3. the shrunk counterexample is checked again at higher precision (``confirm_extra_digits`` more
   digits, itself with its own precision repeat); it is reported as confirmed only if it is still
   ``violated`` there.

The counting pass first draws the cases (hypothesis generates the same cases, in the same order, whatever
the checks find, because nothing fails during it), then checks them: in this process for a small run, or as
a Dask graph of chunks (up to :data:`CHUNK_CASES` cases of one loss) — on local worker processes (the checks
are pure Python and hold the GIL, so threads would not help) or on a ``dask.distributed`` cluster
(``scheduler``, or the ``DASK_SCHEDULER_ADDRESS`` environment variable). The verdicts are gathered in
drawing order, so counts, first violations and the shrunk counterexample are the same whatever ran the
chunks. Shrinking and the confirmation run here, with hypothesis; the shrinking pass skips the cases whose
verdict it already knows.

"What breaks if I drop hypothesis X?" — pass ``theorem.without("X")``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
import uuid
from dataclasses import dataclass, field

import sympy
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from llgd_proof.errors import ParameterError
from llgd_proof.scale.workers import in_processes, on_cluster, probe_scheduler, progress_bar
from llgd_proof.search.strategies import cases, decimal, parametrised_losses, starting_points, starts_near_minimiser_set
from llgd_proof.symbolic.losses import ALIASES, CATALOG, Loss, catalog_loss, loss_from_expression, parse_loss_spec
from llgd_proof.theorems.base import Case, CheckResult, Theorem, Verdict

CONFIRM_EXTRA_DIGITS = 20
DEFAULT_EXAMPLES = 50  # without an explicit count: every new member of a family costs ~1 s of sympy, so keep the default modest
MAX_EXAMPLES = 10_000
PARALLEL_EXAMPLES = 100  # automatic choice: runs of at least this many examples are checked on local Dask processes
CHUNK_CASES = 16  # at most this many cases (all of one loss) per Dask task; see chunk_cases


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
    engine: dict = field(default_factory=lambda: {"scheduler": "in-process", "scheduler_address": None, "workers": 1, "chunks": 0, "counting_seconds": 0.0})
    # where the counting pass ran: scheduler "in-process" | "dask-processes" | "dask-distributed", its address,
    # workers, chunks (Dask tasks; 0 in process) and counting_seconds (drawing and checking, before any shrinking)

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
            **self.engine,
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
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    confirm_extra_digits: int = CONFIRM_EXTRA_DIGITS,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> FamilyReport:
    """Run ``theorem`` on ``examples`` cases from ``cases`` (see module doc).

    Where the counting pass runs: ``workers`` 0 or 1 — in this process; ``workers`` N ≥ 2 — a Dask graph
    on N local processes; ``scheduler`` (an address such as ``tcp://127.0.0.1:8786``, default the
    ``DASK_SCHEDULER_ADDRESS`` environment variable) — the same graph on that ``dask.distributed`` cluster,
    whose workers must import llgd_proof. Without either, runs of :data:`PARALLEL_EXAMPLES` examples or
    more use every core, smaller ones stay in this process. ``progress``: Dask's progress bar on stderr.
    """
    if isinstance(examples, bool) or not (isinstance(examples, int) and 1 <= examples <= MAX_EXAMPLES):
        raise ParameterError(f"the number of examples must be an integer from 1 to {MAX_EXAMPLES}, got {examples if isinstance(examples, int) and abs(examples) < 10**12 else type(examples).__name__}")
    engine = _engine(examples, scheduler, workers)
    if engine["scheduler"] == "dask-distributed":
        probe_scheduler(engine["scheduler_address"])
    start = time.perf_counter()
    drawn = draw_cases(cases, examples, seed)
    verdicts = _check_all(theorem, drawn, engine, progress)
    engine["counting_seconds"] = round(time.perf_counter() - start, 2)
    counts = {verdict.value: 0 for verdict in Verdict}
    for verdict in verdicts:
        counts[verdict.value] += 1
    violations = [case for case, verdict in zip(drawn, verdicts) if verdict is Verdict.VIOLATED]
    report = FamilyReport(theorem, len(drawn), seed, counts, first_violations=violations[:5], engine=engine)
    if violations:
        known = {_case_key(case): verdict for case, verdict in zip(drawn, verdicts)}
        report.counterexample = _shrink(theorem, cases, examples, seed, violations[0], known)
        confirm_case = dataclasses.replace(report.counterexample.case, dps=report.counterexample.case.dps + confirm_extra_digits)
        report.confirmation = theorem.check(confirm_case)
    report.elapsed = time.perf_counter() - start
    return report


def draw_cases(cases: st.SearchStrategy[Case], examples: int, seed: int) -> list[Case]:
    """The cases hypothesis generates for ``seed`` in a generation-only pass, in order (no check runs)."""
    drawn: list[Case] = []

    @hypothesis_seed(seed)
    @_settings(examples, [Phase.generate])
    @given(cases)
    def collect(case: Case) -> None:
        drawn.append(case)

    collect()
    return drawn


def _engine(examples: int, scheduler: str | None, workers: int | None) -> dict:
    """Where the counting pass runs (see :func:`check_family`), as the report's JSON fields."""
    if workers is not None and not (isinstance(workers, int) and not isinstance(workers, bool) and 0 <= workers <= 1024):
        raise ParameterError(f"workers must be a whole number from 0 to 1024 (0 or 1: in this process), got {workers!r}")
    if scheduler is not None and not (isinstance(scheduler, str) and scheduler.strip()):
        raise ParameterError(f"the scheduler must be an address such as tcp://127.0.0.1:8786, got {scheduler!r}")
    if scheduler is not None and workers is not None and workers <= 1:
        raise ParameterError("a scheduler address sends the cases to a Dask cluster and workers 0 or 1 keeps them in this process; give one of them")
    address = scheduler
    if address is None and (workers is None or workers >= 2):  # workers 0 or 1 stays here even with the variable set
        address = os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if address:
        return {"scheduler": "dask-distributed", "scheduler_address": address.strip(), "workers": None, "chunks": 0}
    if workers is None:
        workers = (os.cpu_count() or 1) if examples >= PARALLEL_EXAMPLES else 1
    if workers <= 1:
        return {"scheduler": "in-process", "scheduler_address": None, "workers": 1, "chunks": 0}
    return {"scheduler": "dask-processes", "scheduler_address": None, "workers": workers, "chunks": 0}


def _check_all(theorem: Theorem, drawn: list[Case], engine: dict, progress: bool = False) -> list[Verdict]:
    """The verdict of every case, in drawing order."""
    if engine["scheduler"] == "in-process":
        return [theorem.check(case).verdict for case in drawn]
    chunks = chunk_cases(drawn)
    engine["chunks"] = len(chunks)
    import dask

    run = uuid.uuid4().hex[:16]  # keys unique to this run: a shared cluster must never mix two runs' chunks
    tasks = [
        dask.delayed(_check_chunk, name=f"llgd-property-{run}-{number}")(theorem, [drawn[index] for index in chunk])
        for number, chunk in enumerate(chunks)
    ]
    if engine["scheduler"] == "dask-processes":
        engine["workers"] = min(engine["workers"], len(chunks))  # no idle process (a forking pool starts them all at once)
        with progress_bar(progress):  # started by the package's one fork policy; they die with this process
            results = in_processes(tasks, engine["workers"])
    else:
        results, engine["workers"] = on_cluster(engine["scheduler_address"], tasks, progress)
    verdicts: list[Verdict | None] = [None] * len(drawn)
    for chunk, values in zip(chunks, results):
        for index, value in zip(chunk, values):
            verdicts[index] = Verdict(value)
    return verdicts


def chunk_cases(drawn: list[Case]) -> list[list[int]]:
    """The Dask tasks of a run, as lists of case indices: the cases of one loss (in order of first appearance)
    cut every :data:`CHUNK_CASES` cases — a function of the cases alone. The first check of a loss in a process
    costs most (regularity report and compilation, ~0.5 s; later checks ~0.02 s), so a chunk never mixes losses."""
    groups: dict[tuple, list[int]] = {}
    for index, case in enumerate(drawn):
        groups.setdefault(_loss_key(case), []).append(index)
    return [indices[i : i + CHUNK_CASES] for indices in groups.values() for i in range(0, len(indices), CHUNK_CASES)]


def _check_chunk(theorem: Theorem, chunk: list[Case]) -> list[str]:
    """One Dask task: the verdicts (as strings, cheap to send back) of a chunk of cases."""
    return [theorem.check(case).verdict.value for case in chunk]


def _loss_key(case: Case) -> tuple[str, ...]:
    if case.loss_object is not None:
        return (sympy.srepr(case.loss_object.expr), sympy.srepr(case.loss_object.mu), str(case.dim))
    return (str(case.loss), str(case.mu), str(case.objective), str(case.variables), str(case.dim))


def _case_key(case: Case) -> tuple:
    """Everything a check depends on (``Case`` equality ignores ``loss_object``)."""
    return (_loss_key(case), repr(case))


class _Violation(Exception):
    pass


def _shrink(theorem: Theorem, cases: st.SearchStrategy[Case], examples: int, seed: int, fallback: Case, known: dict | None = None) -> CheckResult:
    """Re-generate with the same seed, fail on the first violation, and let hypothesis shrink it.

    A case whose verdict ``known`` records (from the counting pass) as anything but violated is not checked
    again: a check is a function of its case, so hypothesis sees the same outcomes, sooner."""
    smallest: list[CheckResult] = []
    known = known or {}

    @hypothesis_seed(seed)
    @_settings(examples, [Phase.explicit, Phase.generate, Phase.shrink])
    @given(cases)
    def violate(case: Case) -> None:
        verdict = known.get(_case_key(case))
        if verdict is not None and verdict is not Verdict.VIOLATED:
            return
        result = theorem.check(case)
        if result.verdict is Verdict.VIOLATED:
            smallest.append(result)
            raise _Violation

    try:
        violate()
    except _Violation:
        pass
    return smallest[-1] if smallest else theorem.check(fallback)


@functools.lru_cache(maxsize=256)
def family_member(spec: str, values: tuple[tuple[str, str], ...]) -> Loss:
    """The member of the family ``spec`` with parameters ``values``, built once per process.

    Building a loss from an expression solves for its minimiser (0.1–1 s of sympy); a family's parameters lie on
    a grid, so the counting pass, the shrinking pass and the confirmation draw the same members again and again."""
    name = ALIASES.get(spec.strip(), spec.strip())
    if name in CATALOG:
        return catalog_loss(name, **dict(values))
    return loss_from_expression(spec, mu=dict(values)["mu"])


def family_losses(spec: str, ranges: dict[str, tuple[float, float]], steps: int = 20) -> st.SearchStrategy:
    """Losses of a family from the CLI: a catalog name (ranges over mu, delta, p) or an expression (ranges over mu)."""
    name = ALIASES.get(spec.strip(), spec.strip())
    if name not in CATALOG:
        if not ranges:
            return st.just(parse_loss_spec(spec))
        parametrised_losses(spec, ranges, steps=steps)  # refuses a range other than mu, or an empty one, in its words
        low, high = ranges["mu"]
        return decimal(low, high, (high - low) / steps if high > low else 1.0).map(lambda mu: family_member(spec, (("mu", mu),)))
    unknown = set(ranges) - set(CATALOG[name].defaults)
    if unknown:
        raise ParameterError(f"loss {name!r} has no parameter {min(unknown)!r}; it has {', '.join(CATALOG[name].defaults) or 'none'}")
    for key, (low, high) in ranges.items():
        if not low <= high:
            raise ParameterError(f"parameter range {key}={low}:{high} is empty")
    grids = {key: decimal(low, high, (high - low) / steps if high > low else 1.0) for key, (low, high) in ranges.items()}
    return st.fixed_dictionaries(grids).map(lambda values: family_member(name, tuple(sorted(values.items()))))


# -- the searched phase of `llgd verify`: a seeded, budgeted hunt for counterexamples ----------------------

SEARCH_DPS = 30
SEARCH_MAX_STEPS = 5000


def search_space(space: dict) -> st.SearchStrategy[Case]:
    """Cases inside a theorem's declared search space (``Theorem.search``), drawn with the public strategies.

    Keys: ``losses`` (catalog names), ``mu`` (LO, HI, on a ``mu_step`` grid) or ``mu_values`` (a list) for
    losses that have μ, ``fraction`` (LO, HI) of the
    maximal stable step 1/(|μ|ℓ''(μ)), ``box`` ((x LO, HI), (y LO, HI)) of start magnitudes, ``same_sign``,
    ``log_box``, ``dim``, ``dps``, ``max_steps``; or, instead of a box, ``near`` = {``product``: (LO, HI) of
    x0y0/μ, ``ratio``: (LO, HI) of the imbalance |x0/y0|} for starts near the minimiser set of each drawn loss
    (:func:`~llgd_proof.search.strategies.starts_near_minimiser_set`; a theorem whose hypotheses ask for such starts
    would otherwise meet them on a few per cent of box draws). Every new loss costs symbolic work (its regularity report and
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

    if "near" in space:
        near = {key: tuple(value) for key, value in space["near"].items()}

        def starts(loss):  # a strategy per drawn loss: its own μ
            return starts_near_minimiser_set(float(loss.mu), **near)

    else:
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
