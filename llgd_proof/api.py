"""The Python API behind every ``llgd`` verb — the same calls the notebooks make.

>>> from llgd_proof import api
>>> objective = api.make_objective(loss="logcosh0")
>>> api.investigate(objective, "0.5", ["0.3", "2.5"]).run.status.value
'converged'
"""

from __future__ import annotations

import contextlib
import functools
import numbers
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import mpmath
import sympy

from . import dynamics as _dynamics
from . import losses as _losses
from . import phenomena as _phenomena
from . import text as _formats
from . import theorems as _theorems
from . import atlas as _atlas
from .atlas import AtlasResult, Box, atlas_summary, default_cache_dir, run_starts
from .claims import Claim, ClaimError, load_claim
from .dynamics import DEFAULT_DPS, DEFAULT_MAX_STEPS, Run
from .errors import LlgdInputError, ParameterError, ResourceLimitError
from .families import FamilyReport, family_losses
from .families import check_family as _check_family
from .losses import CATALOG, Loss, parse_loss_spec
from .objective import MAX_DIM, Objective, general_objective, product_objective
from .phenomena import Investigation
from .prove import ProofResult, prove, prove_case
from .regularity import RegularityReport
from .strategies import cases as case_strategy
from .strategies import starting_points
from .theorems import THEOREMS, Case, CheckResult, Theorem, Verdict
from .timeouts import TimeLimitExceeded, time_limit
from . import verification as _verification
from .verification import DEFAULT_SEARCH_BUDGET, VerifyReport  # fixed, searched and refuted phases

# -- limits on what the API accepts (README, "Errors and output") ------------------------------
MIN_DPS, MAX_DPS = 15, 1000
MAX_STEPS = 1_000_000
MAX_EXAMPLES = 10_000
MAX_SEED = 2**32 - 1
MAX_MAGNITUDE = 1e300  # steps, starts and parameters must be representable as float64 in every output
MIN_STEP = 1e-300
MAX_SECONDS = 600  # wall-clock limit of one run, check or property test (each evaluation has its own 2 s limit)


@contextlib.contextmanager
def _within(what: str):
    """Turn an overrun of :data:`MAX_SECONDS` into a :class:`ResourceLimitError` sentence."""
    try:
        with time_limit(MAX_SECONDS, within_budget=False):
            yield
    except TimeLimitExceeded:
        raise ResourceLimitError(f"{what} took longer than {MAX_SECONDS} s; lower the step budget, the precision or the number of examples") from None


class ArgumentError(ParameterError):
    """An API argument has the wrong type or is out of range (wrong type, None, empty, NaN, ±∞, too large…)."""


def _text(value, what: str, *, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        raise ArgumentError(f"{what} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ArgumentError(f"{what} must not be empty")
    return value


def _names(value, what: str, *, allow_empty: bool = False) -> list[str]:
    """A list of names; a single string is one name (never split into characters)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) and not isinstance(value, (set, frozenset)) or isinstance(value, (bytes, bytearray)):
        raise ArgumentError(f"{what} must be a list of strings, got {type(value).__name__}")
    items = list(value)
    if not items and not allow_empty:
        raise ArgumentError(f"{what} must not be empty")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ArgumentError(f"{what} must be non-empty strings, got {item!r}")
    return [item.strip() for item in items]


def _is_numeric(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (numbers.Real, Decimal, Fraction, mpmath.mpf)) or (isinstance(value, sympy.Basic) and value.is_number and value.is_real)


def _number(value, what: str, *, positive: bool = False, allow_none: bool = False) -> str | None:
    """A real number (int, float, Decimal, Fraction, mpmath/sympy number, or a numeric string) as an exact decimal string."""
    if value is None and allow_none:
        return None
    if isinstance(value, str):
        text = value.strip()
    elif _is_numeric(value):
        if isinstance(value, float):
            text = repr(float(value))  # numpy 2 reprs a float64 as "np.float64(…)"
        elif isinstance(value, (numbers.Integral, Decimal)):
            text = str(value)
        elif isinstance(value, mpmath.mpf):
            text = mpmath.nstr(value, mpmath.mp.dps + 5, strip_zeros=False) if mpmath.isfinite(value) else str(value)
        else:  # Fraction, sympy numbers, other reals: 40 significant digits
            text = str(sympy.N(sympy.Rational(value.numerator, value.denominator) if isinstance(value, Fraction) else value, 40))
    else:
        raise ArgumentError(f"{what} must be a number, got {type(value).__name__}")
    try:
        number = mpmath.mpf(text)
    except (ValueError, TypeError):
        raise ArgumentError(f"{what} must be a number, got {value!r}") from None
    if not mpmath.isfinite(number):
        raise ArgumentError(f"{what} must be finite, got {value!r}")
    if abs(number) > MAX_MAGNITUDE:
        raise ArgumentError(f"{what} must be at most {MAX_MAGNITUDE:g} in magnitude, got {value!r}")
    if positive and not number >= MIN_STEP:
        raise ArgumentError(f"{what} must be a positive number of at least {MIN_STEP:g}, got {value!r}")
    return text


def _start(value, what: str = "the start") -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ArgumentError(f"{what} must be a sequence of numbers such as [1.0, 0.5] (not a {type(value).__name__})")
    if not value:
        raise ArgumentError(f"{what} must not be empty")
    return [_number(v, f"each coordinate of {what}") for v in value]


def _integer(value, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{what} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ArgumentError(f"{what} must be an integer from {low} to {high}, got {value}")
    return int(value)


def _pair(value, what: str, *, positive: bool = False) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise ArgumentError(f"{what} must be a pair (low, high) of numbers, got {value!r}")
    low, high = (float(_number(v, what)) for v in value)
    if low > high or (positive and low <= 0):
        raise ArgumentError(f"{what} needs {'0 < ' if positive else ''}low ≤ high, got {tuple(value)!r}")
    return low, high


def _objective(value) -> Objective:
    if not isinstance(value, Objective):
        raise ArgumentError(f"expected an Objective from api.make_objective, got {type(value).__name__}")
    return value


def _theorem(value) -> Theorem:
    if isinstance(value, Theorem):
        return value
    return get_theorem(value)


_ATLAS_COUNTS = {"samples": (1, 10**9), "grid": (2, 100_000), "seed": (0, MAX_SEED), "max_steps": (1, MAX_STEPS), "confirm": (0, 10**6), "workers": (1, 4096), "chunk": (1, 10**8)}


def _atlas_options(options: dict) -> dict:
    for name, (low, high) in _ATLAS_COUNTS.items():
        if options.get(name) is not None:
            options[name] = _integer(options[name], name, low, high)
    for name in ("log_scale", "same_sign"):
        if name in options and not isinstance(options[name], bool):
            raise ArgumentError(f"{name} must be True or False, got {options[name]!r}")
    if options.get("mu") is not None:
        options["mu"] = _number(options["mu"], "mu")
    if "box" in options and not isinstance(options["box"], Box):
        raise ArgumentError(f"box must be an api.Box(x_low, x_high, y_low, y_high), got {type(options['box']).__name__}")
    if "progress" in options and not isinstance(options["progress"], bool):
        raise ArgumentError(f"progress must be True or False (Dask's progress bar), got {options['progress']!r}")
    for name in ("delta", "balance_fraction"):
        if name in options:
            options[name] = float(_number(options[name], name))
    return options


def atlas(losses, h, **options) -> AtlasResult:
    """The atlas of ``losses`` at step ``h`` (see :func:`llgd_proof.atlas.atlas`); a single string is one loss."""
    names = _names(losses, "the losses")
    if isinstance(h, (str, bytes)) or not isinstance(h, Sequence):
        steps = float(_number(h, "the step h", positive=True))
    elif len(h) == 0:
        raise ArgumentError("h must be a positive number or a non-empty sequence of them")
    else:
        steps = [float(_number(v, "each step h", positive=True)) for v in h]
    return _atlas.atlas(names, steps, **_atlas_options(options))


def sweep(loss: str, h_values, init, **options) -> dict:
    """One start over many steps h (see :func:`llgd_proof.atlas.sweep`)."""
    if isinstance(h_values, (str, bytes)) or not hasattr(h_values, "__len__") or len(h_values) == 0:
        raise ArgumentError("h_values must be a non-empty sequence of positive numbers")
    steps = [float(_number(v, "each step h", positive=True)) for v in h_values]
    start = [float(v) for v in _start(init)]
    return _atlas.sweep(_text(loss, "the loss"), steps, start, **_atlas_options(options))


def get_theorem(theorem_id: str) -> Theorem:
    """The theorem with id ``theorem_id`` (see ``llgd theorems``)."""
    return _theorems.get_theorem(_text(theorem_id, "a theorem id").strip())


def catalog_loss(name: str, **parameters) -> Loss:
    """A catalog loss by name, with parameter overrides (``mu``, ``delta``, ``p``)."""
    return _losses.catalog_loss(
        _text(name, "a catalog loss name"), **{k: _number(v, f"the loss parameter {k}", allow_none=True) for k, v in parameters.items()}
    )


def loss_from_expression(text: str, mu=None, name: str | None = None) -> Loss:
    """Parse ``text`` as ℓ(s) (parameter ``mu`` allowed) and find its global minimiser."""
    return _losses.loss_from_expression(_text(text, "a loss expression"), mu=_number(mu, "mu", allow_none=True), name=_text(name, "the loss name", allow_none=True))


def investigate(objective: Objective, h, init: Sequence, *, dps: int = DEFAULT_DPS, max_steps: int = DEFAULT_MAX_STEPS, **options) -> Investigation:
    """Run high-precision GD, repeat it at higher precision and observe it (see :mod:`llgd_proof.phenomena`)."""
    arguments = _objective(objective), _number(h, "the step h", positive=True), _start(init)
    budget = dict(dps=_integer(dps, "the precision dps", MIN_DPS, MAX_DPS), max_steps=_integer(max_steps, "the step budget", 1, MAX_STEPS))
    with _within("the run"):
        return _phenomena.investigate(*arguments, **budget, **options)


def gradient_descent(objective: Objective, h, init: Sequence, *, dps: int = DEFAULT_DPS, max_steps: int = DEFAULT_MAX_STEPS, **options) -> Run:
    """One high-precision GD run (see :func:`llgd_proof.dynamics.gradient_descent`)."""
    arguments = _objective(objective), _number(h, "the step h", positive=True), _start(init)
    budget = dict(dps=_integer(dps, "the precision dps", MIN_DPS, MAX_DPS), max_steps=_integer(max_steps, "the step budget", 1, MAX_STEPS))
    with _within("the run"):
        return _dynamics.gradient_descent(*arguments, **budget, **options)


def precision_check(run: Run, objective: Objective, **options):
    """The same run repeated at higher precision: does it tell the same story?"""
    if not isinstance(run, Run):
        raise ArgumentError(f"expected a Run from api.gradient_descent, got {type(run).__name__}")
    return _dynamics.precision_check(run, _objective(objective), **options)


def observe(objective: Objective, run: Run, **options):
    """What ``run`` did on ``objective`` (sharpness, catapult, balancing…)."""
    if not isinstance(run, Run):
        raise ArgumentError(f"expected a Run from api.gradient_descent, got {type(run).__name__}")
    return _phenomena.observe(_objective(objective), run, **options)


def _formatter(function: Callable[[dict], str]) -> Callable[[dict], str]:
    @functools.wraps(function)
    def format_data(data: dict) -> str:
        if not isinstance(data, Mapping):
            raise ArgumentError(f"{function.__name__} takes the dict from a result's as_json(), got {type(data).__name__}")
        try:
            return function(data)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, ZeroDivisionError) as error:
            raise ArgumentError(f"{function.__name__} takes the dict from a result's as_json(); this one does not fit ({type(error).__name__}: {error})") from None

    return format_data


format_atlas = _formatter(_formats.format_atlas)
format_check = _formatter(_formats.format_check)
format_family = _formatter(_formats.format_family)
format_network = _formatter(_formats.format_network)
format_regularity = _formatter(_formats.format_regularity)
format_run = _formatter(_formats.format_run)
format_sweep = _formatter(_formats.format_sweep)
format_verify = _formatter(_formats.format_verify)
format_theorems = _formats.format_theorems  # takes the list from `llgd theorems --json`

__all__ = [
    "CATALOG",
    "DEFAULT_DPS",
    "DEFAULT_MAX_STEPS",
    "THEOREMS",
    "ArgumentError",
    "AtlasResult",
    "Claim",
    "ClaimError",
    "DEFAULT_SEARCH_BUDGET",
    "ProofResult",
    "atlas_summary",
    "format_theorems",
    "load_claim",
    "prove",
    "prove_case",
    "run_starts",
    "Box",
    "Case",
    "CheckResult",
    "FamilyReport",
    "Investigation",
    "LlgdInputError",
    "Loss",
    "Objective",
    "RegularityReport",
    "Theorem",
    "Verdict",
    "VerifyReport",
    "atlas",
    "catalog_loss",
    "check",
    "check_family",
    "default_cache_dir",
    "format_atlas",
    "format_check",
    "format_family",
    "format_network",
    "format_regularity",
    "format_run",
    "format_sweep",
    "format_verify",
    "get_theorem",
    "gradient_descent",
    "investigate",
    "loss_from_expression",
    "make_loss",
    "make_objective",
    "observe",
    "precision_check",
    "regularity",
    "sweep",
    "verify",
]


def make_loss(loss: str | Loss, mu=None) -> Loss:
    """A :class:`Loss` from a catalog spec or an expression in ``s`` (or pass one through)."""
    if isinstance(loss, Loss):
        if mu is not None:
            raise ArgumentError("mu goes with a loss given by name or expression, not with a ready Loss")
        return loss
    return parse_loss_spec(_text(loss, "the loss"), mu=_number(mu, "mu", allow_none=True))


def make_objective(
    *,
    loss: str | Loss | None = None,
    mu=None,
    dim: int = 1,
    objective: str | None = None,
    variables: Sequence[str] | None = None,
) -> Objective:
    """f = ℓ(xᵀy) from ``loss`` (with ``dim``), or a general objective from ``objective`` and ``variables``."""
    if (loss is None) == (objective is None):
        raise ArgumentError("give exactly one of a loss or a general objective")
    if loss is not None:
        if variables is not None:
            raise ArgumentError("variables go with a general objective, not with a loss")
        return product_objective(make_loss(loss, mu=mu), dim=_integer(dim, "the dimension", 1, MAX_DIM))
    if mu is not None or dim != 1:
        raise ArgumentError("mu and dim go with a loss, not with a general objective")
    if variables is None:
        raise ArgumentError("a general objective needs its variables, e.g. variables=['x', 'y']")
    return general_objective(_text(objective, "the objective"), _names(variables, "the variables"))


def regularity(loss: str | Loss, mu=None) -> RegularityReport:
    """The closed-form regularity report of theory §3 for ``loss``."""
    return RegularityReport(make_loss(loss, mu=mu))


def _parameters(values) -> dict[str, float]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ArgumentError(f"parameters must be a dict of name -> number, got {type(values).__name__}")
    checked = {}
    for name, value in values.items():
        _text(name, "a parameter name")
        checked[name.strip()] = float(_number(value, f"the parameter {name}"))
    return checked


def check(
    theorem: str | Theorem,
    *,
    h,
    init: Sequence,
    loss: str | None = None,
    mu=None,
    dim: int = 1,
    objective: str | None = None,
    variables: Sequence[str] = (),
    dps: int = 30,
    max_steps: int = DEFAULT_MAX_STEPS,
    parameters: dict | None = None,
    without: Sequence[str] = (),
) -> CheckResult:
    """Check one theorem on one case (``without`` drops named hypotheses)."""
    chosen = _theorem(theorem)
    dropped = _names(without, "without", allow_empty=True)
    if dropped:
        chosen = chosen.without(*dropped)
    if (loss is None) == (objective is None):
        raise ArgumentError("give exactly one of a loss or a general objective")
    if loss is not None and tuple(variables or ()):
        raise ArgumentError("variables go with a general objective, not with a loss")
    case = Case(
        h=_number(h, "the step h", positive=True),
        init=tuple(_start(init)),
        loss=_text(loss, "the loss", allow_none=True),
        mu=_number(mu, "mu", allow_none=True),
        dim=_integer(dim, "the dimension", 1, MAX_DIM),
        objective=_text(objective, "the objective", allow_none=True),
        variables=tuple(_names(variables, "the variables", allow_empty=loss is not None)),
        dps=_integer(dps, "the precision dps", MIN_DPS, MAX_DPS),
        max_steps=_integer(max_steps, "the step budget", 1, MAX_STEPS),
        parameters=_parameters(parameters),
    )
    with _within("the check"):
        return chosen.check(case)


def verify(theorem_ids: Sequence[str] | None = None, progress=None, *, budget_seconds: float = DEFAULT_SEARCH_BUDGET, seed: int = 0, search_progress=None) -> VerifyReport:
    """Every theorem (or the named ones; a single string is one id): fixed cases, a budgeted search, refuted variants
    re-checked (see :mod:`llgd_proof.verification`)."""
    for name, function in (("progress", progress), ("search_progress", search_progress)):
        if function is not None and not callable(function):
            raise ArgumentError(f"{name} must be a function of one result, got {type(function).__name__}")
    chosen = [get_theorem(i) for i in _names(theorem_ids, "the theorem ids")] if theorem_ids is not None else None
    budget = float(_number(budget_seconds, "the search budget (seconds)"))
    if budget < 0:
        raise ArgumentError(f"the search budget must be at least 0 seconds, got {budget_seconds!r}")
    return _verification.verify(
        [t.id for t in chosen] if chosen is not None else None, progress,
        budget_seconds=budget, seed=_integer(seed, "the seed", 0, MAX_SEED), search_progress=search_progress,
    )


def check_family(
    theorem: str | Theorem,
    *,
    loss: str,
    ranges: dict | None = None,
    examples: int = 100,
    seed: int = 0,
    without: Sequence[str] = (),
    fraction: tuple[float, float] = (0.05, 0.99),
    x_range: tuple[float, float] = (0.05, 10.0),
    y_range: tuple[float, float] = (0.05, 5.0),
    log_scale: bool = False,
    same_sign: bool = True,
    dps: int = 30,
    max_steps: int = DEFAULT_MAX_STEPS,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> FamilyReport:
    """Property-test ``theorem`` over the loss family ``loss`` (with parameter ``ranges``); see :mod:`llgd_proof.families`.

    ``workers`` 0 or 1 checks the cases in this process, N ≥ 2 on N local Dask processes; ``scheduler`` (default
    ``$DASK_SCHEDULER_ADDRESS``) sends them to a ``dask.distributed`` cluster; by default runs of
    ``families.PARALLEL_EXAMPLES`` examples or more use every core. The report is the same whatever runs it;
    ``progress`` shows Dask's progress bar on stderr."""
    chosen = _theorem(theorem)
    dropped = _names(without, "without", allow_empty=True)
    if dropped:
        chosen = chosen.without(*dropped)
    if ranges is not None and not isinstance(ranges, Mapping):
        raise ArgumentError(f"ranges must be a dict of name -> (low, high), got {type(ranges).__name__}")
    spans = {_text(name, "a parameter name").strip(): _pair(span, f"the range of {name}") for name, span in (ranges or {}).items()}
    fraction = _pair(fraction, "the h fraction", positive=True)
    x_range, y_range = _pair(x_range, "x_range", positive=True), _pair(y_range, "y_range", positive=True)
    for flag, what in ((log_scale, "log_scale"), (same_sign, "same_sign")):
        if not isinstance(flag, bool):
            raise ArgumentError(f"{what} must be True or False, got {flag!r}")
    starts = starting_points(x_range=x_range, y_range=y_range, same_sign=same_sign, log_scale=log_scale)
    strategy = case_strategy(
        family_losses(_text(loss, "the loss family"), spans), fraction=fraction, starts=starts,
        dps=_integer(dps, "the precision dps", MIN_DPS, MAX_DPS), max_steps=_integer(max_steps, "the step budget", 1, MAX_STEPS),
    )
    examples, seed = _integer(examples, "the number of examples", 1, MAX_EXAMPLES), _integer(seed, "the seed", 0, MAX_SEED)
    with _within("the property test"):
        return _check_family(chosen, strategy, examples=examples, seed=seed, scheduler=scheduler, workers=workers, progress=bool(progress))
