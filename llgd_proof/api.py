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
import os
import reprlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy
import sympy

from llgd_proof import theorems as _theorems
from llgd_proof.analysis.regularity import RegularityReport
from llgd_proof.claims.claim import Claim
from llgd_proof.claims.conditions import ClaimError
from llgd_proof.claims.claim import load_claim as _load_claim
from llgd_proof.engines import phenomena as _phenomena
from llgd_proof.engines import precise as _dynamics
from llgd_proof.engines.phenomena import Investigation
from llgd_proof.engines.precise import DEFAULT_DPS, DEFAULT_MAX_STEPS, ENGINES, Run
from llgd_proof.engines.stopping import MAX_PERIOD
from llgd_proof.errors import LlgdInputError, ParameterError, ResourceLimitError
from llgd_proof.experiments import verification as _verification
from llgd_proof.experiments.verification import DEFAULT_SEARCH_BUDGET, VerifyReport
from llgd_proof.proofs import prover as _prove
from llgd_proof.proofs.prover import ProofResult
from llgd_proof.report import text as _formats
from llgd_proof.scale import atlas as _atlas
from llgd_proof.scale import summary as _summary
from llgd_proof.scale.atlas import AtlasResult
from llgd_proof.scale.starts import Box
from llgd_proof.scale.store import default_cache_dir
from llgd_proof.search.families import DEFAULT_EXAMPLES, MAX_EXAMPLES, FamilyReport, family_losses
from llgd_proof.search.families import check_family as _check_family
from llgd_proof.search.strategies import cases as case_strategy
from llgd_proof.search.strategies import starting_points
from llgd_proof.symbolic import losses as _losses
from llgd_proof.symbolic.losses import CATALOG, Loss, parse_loss_spec
from llgd_proof.symbolic.objective import MAX_DIM, Objective, general_objective, product_objective
from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_limit
from llgd_proof.theorems import THEOREMS, Case, CheckResult, Theorem, Verdict

# -- limits on what the API accepts (README, "Errors and output") ------------------------------
MIN_DPS, MAX_DPS = 15, 1000
MAX_STEPS = 1_000_000
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


MAX_TEXT = 20_000  # characters of a name, expression or path handed to the API (expressions have their own, lower limit)
MAX_NUMBER_TEXT = 1000  # characters of a number written as text
MAX_NAME = 200  # characters of a name: a variable, a theorem id, a hypothesis
MAX_BUDGET_SECONDS = 86_400  # a search or proof budget: at most a day
MAX_STARTS = 10**8  # starts of one run_starts call (the memory estimate refuses far fewer on most machines)

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 2, 40, 40, 40


def _shown(value) -> str:
    """A short, safe repr for a sentence: bounded in length and depth (a list nested 5000 deep, a 10⁵-digit int)."""
    try:
        return _REPR.repr(value)
    except (ArithmeticError, AttributeError, LookupError, RecursionError, RuntimeError, TypeError, ValueError):  # a repr that fails
        return f"a {type(value).__name__}"


def _text(value, what: str, *, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        raise ArgumentError(f"{what} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ArgumentError(f"{what} must not be empty")
    if len(value) > MAX_TEXT:
        raise ArgumentError(f"{what} is {len(value)} characters long; at most {MAX_TEXT} are accepted")
    return value


def _name(value, what: str, *, allow_none: bool = False) -> str | None:
    """A name (a theorem id, a catalog loss, a label): a string of at most :data:`MAX_NAME` characters."""
    text = _text(value, what, allow_none=allow_none)
    if text is not None and len(text) > MAX_NAME:
        raise ArgumentError(f"{what} must be a name of at most {MAX_NAME} characters, got one of {len(text)}")
    return text


def _names(value, what: str, *, allow_empty: bool = False) -> list[str]:
    """A list of names; a single string is one name (never split into characters)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) and not isinstance(value, (set, frozenset)) or isinstance(value, (bytes, bytearray)):
        raise ArgumentError(f"{what} must be a list of strings, got {type(value).__name__}")
    items = list(value)
    if not items and not allow_empty:
        raise ArgumentError(f"{what} must not be empty")
    if len(items) > 1000:
        raise ArgumentError(f"{what} has {len(items)} entries; at most 1000 are accepted")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ArgumentError(f"{what} must be non-empty strings, got {_shown(item)}")
        if len(item) > MAX_NAME:
            raise ArgumentError(f"{what} must be names of at most {MAX_NAME} characters, got one of {len(item)}")
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
        if len(text) > MAX_NUMBER_TEXT:
            raise ArgumentError(f"{what} must be a number written in at most {MAX_NUMBER_TEXT} characters, got {len(text)}")
    elif _is_numeric(value):
        if isinstance(value, numbers.Integral) and abs(int(value)) > MAX_MAGNITUDE:
            raise ArgumentError(f"{what} must be at most {MAX_MAGNITUDE:g} in magnitude, got an integer of {len(str(abs(int(value)) // 10**300)) + 300} digits")
        if isinstance(value, float):
            text = repr(float(value))  # numpy 2 reprs a float64 as "np.float64(…)"
        elif isinstance(value, (numbers.Integral, Decimal)):
            text = str(value)
        elif isinstance(value, mpmath.mpf):
            text = mpmath.nstr(value, mpmath.mp.dps + 5, strip_zeros=False) if mpmath.isfinite(value) else str(value)
        else:  # Fraction, sympy numbers, other reals: 40 significant digits
            try:
                text = str(sympy.N(sympy.Rational(value.numerator, value.denominator) if isinstance(value, Fraction) else value, 40))
            except (TypeError, ValueError, ArithmeticError, RecursionError):
                raise ArgumentError(f"{what} must be a number that evaluates to a decimal, got {_shown(value)}") from None
    else:
        raise ArgumentError(f"{what} must be a number, got {type(value).__name__}")
    try:
        number = mpmath.mpf(text)
    except (ValueError, TypeError):
        raise ArgumentError(f"{what} must be a number, got {_shown(value)}") from None
    if not mpmath.isfinite(number):
        raise ArgumentError(f"{what} must be finite, got {_shown(value)}")
    if abs(number) > MAX_MAGNITUDE:
        raise ArgumentError(f"{what} must be at most {MAX_MAGNITUDE:g} in magnitude, got {_shown(value)}")
    if positive and not number >= MIN_STEP:
        raise ArgumentError(f"{what} must be a positive number of at least {MIN_STEP:g}, got {_shown(value)}")
    return text


def _real(value, what: str, low: float, high: float, *, open_low: bool = False, open_high: bool = False) -> float:
    """A number within [low, high] (ends excluded when open) as a float."""
    number = float(_number(value, what))
    if number < low or number > high or (open_low and number == low) or (open_high and number == high):
        span = f"{'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
        raise ArgumentError(f"{what} must be a number in {span}, got {_shown(value)}")
    return number


def _start(value, what: str = "the start") -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ArgumentError(f"{what} must be a sequence of numbers such as [1.0, 0.5] (not a {type(value).__name__})")
    if not value:
        raise ArgumentError(f"{what} must not be empty")
    if len(value) > 2 * MAX_DIM:
        raise ArgumentError(f"{what} has {len(value)} coordinates; at most {2 * MAX_DIM} are accepted")
    return [_number(v, f"each coordinate of {what}") for v in value]


def _checked_start(value, what: str = "the start") -> Sequence:
    """``value`` itself once :func:`_start` accepts it (for callers that keep the numbers as given)."""
    _start(value, what)
    return value


def _integer(value, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{what} must be an integer, got {_shown(value)}")
    if not low <= value <= high:
        raise ArgumentError(f"{what} must be an integer from {low} to {high}, got {_shown(value)}")
    return int(value)


def _optional_integer(value, what: str, low: int, high: int) -> int | None:
    """None, or an integer from ``low`` to ``high``."""
    return None if value is None else _integer(value, what, low, high)


def _flag(value, what: str) -> bool:
    if not isinstance(value, (bool, numpy.bool_)):
        raise ArgumentError(f"{what} must be True or False, got {_shown(value)}")
    return bool(value)


def _pair(value, what: str, *, positive: bool = False) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise ArgumentError(f"{what} must be a pair (low, high) of numbers, got {_shown(value)}")
    low, high = (float(_number(v, what)) for v in value)
    if low > high or (positive and low <= 0):
        raise ArgumentError(f"{what} needs {'0 < ' if positive else ''}low ≤ high, got {_shown(tuple(value))}")
    return low, high


def _path(value, what: str, *, allow_none: bool = True):
    """A file or folder name (str or os.PathLike), returned as given."""
    if value is None and allow_none:
        return None
    if isinstance(value, os.PathLike):
        text = os.fspath(value)
    else:
        text = value
    if not isinstance(text, str) or not text.strip():
        raise ArgumentError(f"{what} must be a path (a non-empty string or pathlib.Path), got {_shown(value)}")
    if len(text) > 4096 or "\x00" in text or any(len(part) > 255 for part in text.split(os.sep)):
        raise ArgumentError(f"{what} is not a usable path: names are at most 255 characters, paths 4096, without NUL")
    return value


def _scheduler(value):
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 1000:
        raise ArgumentError(f"the scheduler must be an address such as tcp://127.0.0.1:8786 (or processes, threads, sync), got {_shown(value)}")
    return value


def _callback(value, what: str):
    if value is not None and not callable(value):
        raise ArgumentError(f"{what} must be a function of one result, got {type(value).__name__}")
    return value


def _options(options: dict, accepted: Mapping[str, Callable], what: str) -> dict:
    """Keyword options checked one by one (``accepted`` maps each name to its check); an unknown name is refused."""
    unknown = set(options) - set(accepted)
    if unknown:
        raise ArgumentError(f"{what} takes no option {min(unknown)!r}; it takes {', '.join(sorted(accepted))}")
    return {name: accepted[name](value) for name, value in options.items()}


def _objective(value) -> Objective:
    if not isinstance(value, Objective):
        raise ArgumentError(f"expected an Objective from api.make_objective, got {type(value).__name__}")
    return value


def _run(value) -> Run:
    if not isinstance(value, Run):
        raise ArgumentError(f"expected a Run from api.gradient_descent, got {type(value).__name__}")
    return value


def _theorem(value) -> Theorem:
    if isinstance(value, Theorem):
        return value
    return get_theorem(value)


def _tolerance(value):
    if value is None:
        return None
    text = _number(value, "the tolerance")
    if not 0 < mpmath.mpf(text) < 1:
        raise ArgumentError(f"the tolerance must be a number between 0 and 1 (exclusive), got {_shown(value)}")
    return text


_ATLAS_COUNTS = {"samples": (1, 10**9), "grid": (2, 100_000), "seed": (0, MAX_SEED), "max_steps": (1, MAX_STEPS), "confirm": (0, 10**6), "workers": (1, 4096), "chunk": (1, 10**8)}
_OPTIONAL_COUNTS = {"samples", "grid", "workers"}  # None: not given (the rest are integers)
_ATLAS_OPTIONS = {
    **{name: functools.partial(_optional_integer if name in _OPTIONAL_COUNTS else _integer, what=name, low=low, high=high)
       for name, (low, high) in _ATLAS_COUNTS.items()},
    "log_scale": functools.partial(_flag, what="log_scale"),
    "same_sign": functools.partial(_flag, what="same_sign"),
    "progress": functools.partial(_flag, what="progress (Dask's progress bar)"),
    "mu": functools.partial(_number, what="mu", allow_none=True),
    "box": lambda value: value if isinstance(value, Box) else _fail(f"box must be an api.Box(x_low, x_high, y_low, y_high), got {type(value).__name__}"),
    "delta": functools.partial(_real, what="delta", low=0, high=1, open_high=True),
    "balance_fraction": functools.partial(_real, what="the balance fraction", low=0, high=1, open_low=True, open_high=True),
    "out": functools.partial(_path, what="out (the Zarr store)"),
    "cache_dir": functools.partial(_path, what="cache_dir"),
    "scheduler": _scheduler,
}


def _fail(sentence: str):
    raise ArgumentError(sentence)


def _atlas_options(options: dict, accepted: set[str] | None = None, what: str = "api.atlas") -> dict:
    chosen = {name: check for name, check in _ATLAS_OPTIONS.items() if accepted is None or name in accepted}
    return _options(options, chosen, what)


def _steps(h, what: str = "h") -> float | list[float]:
    """One positive step, or a non-empty sequence of them, as floats."""
    if isinstance(h, (str, bytes)) or not isinstance(h, (Sequence, numpy.ndarray)):
        return float(_number(h, "the step h", positive=True))
    if len(h) == 0 or len(h) > 100_000:
        raise ArgumentError(f"{what} must be a positive number or a sequence of 1 to 100000 of them")
    return [float(_number(v, "each step h", positive=True)) for v in h]


def atlas(losses, h, **options) -> AtlasResult:
    """The atlas of ``losses`` at step ``h`` (see :func:`llgd_proof.scale.atlas.atlas`); a single string is one loss."""
    return _atlas.atlas(_names(losses, "the losses"), _steps(h), **_atlas_options(options))


_SWEEP_OPTIONS = {"mu", "max_steps", "confirm", "seed", "out", "scheduler"}


def sweep(loss: str, h_values, init, **options) -> dict:
    """One start over many steps h (see :func:`llgd_proof.scale.atlas.sweep`)."""
    steps = _steps(h_values, "h_values")
    if not isinstance(steps, list):
        raise ArgumentError("h_values must be a non-empty sequence of positive numbers")
    start = [float(v) for v in _start(init)]
    return _atlas.sweep(_text(loss, "the loss"), steps, start, **_atlas_options(options, _SWEEP_OPTIONS, "api.sweep"))


_RUN_STARTS_OPTIONS = {"mu", "max_steps", "scheduler", "workers", "delta", "balance_fraction"}


def run_starts(spec: str, h, starts, **options):
    """Per-start arrays for one loss (see :func:`llgd_proof.scale.atlas.run_starts`): ``h`` one step or one per start,
    ``starts`` a sequence (or array) of (x0, y0) pairs; ``store`` a Zarr store to keep them in."""
    store = _path(options.pop("store", None), "store (the Zarr store)")
    checked = _atlas_options(options, _RUN_STARTS_OPTIONS, "api.run_starts")
    points = _pairs(starts)
    steps = _steps(h)
    if isinstance(steps, list) and len(steps) != len(points):
        raise ArgumentError(f"h must be one step or one per start ({len(points)}), got {len(steps)} steps")
    return _atlas.run_starts(_text(spec, "the loss"), steps, points, store=store, **checked)


def _pairs(starts) -> numpy.ndarray:
    """Starts as a finite float array (N, 2)."""
    if isinstance(starts, numpy.ndarray):
        if starts.ndim != 2 or starts.shape[1] != 2 or not starts.size or starts.dtype.kind not in "fiu":
            raise ArgumentError(f"starts must be an array of shape (N, 2) of numbers, got shape {starts.shape} of {starts.dtype}")
        points = starts.astype(float)
    else:
        if isinstance(starts, (str, bytes)) or not isinstance(starts, Sequence) or not starts:
            raise ArgumentError(f"starts must be a non-empty sequence of (x0, y0) pairs, got {_shown(starts)}")
        if len(starts) > MAX_STARTS:
            raise ArgumentError(f"starts has {len(starts)} points; at most {MAX_STARTS} are accepted")
        points = numpy.array([_pair_of_numbers(point) for point in starts], dtype=float)
    if len(points) > MAX_STARTS or not numpy.all(numpy.abs(points) <= MAX_MAGNITUDE):
        raise ArgumentError(f"starts must be at most {MAX_STARTS} points of finite coordinates, each at most {MAX_MAGNITUDE:g} in magnitude")
    return points


def _pair_of_numbers(point) -> tuple[float, float]:
    if isinstance(point, (str, bytes)) or not isinstance(point, (Sequence, numpy.ndarray)) or len(point) != 2:
        raise ArgumentError(f"each start must be a pair (x0, y0) of numbers, got {_shown(point)}")
    return float(_number(point[0], "each coordinate of a start")), float(_number(point[1], "each coordinate of a start"))


def atlas_summary(dataset) -> dict:
    """The JSON summary of an atlas Dataset from :func:`atlas` (see :func:`llgd_proof.scale.summary.atlas_summary`)."""
    import xarray

    if not isinstance(dataset, xarray.Dataset) or "llgd" not in dataset.attrs:
        raise ArgumentError(f"atlas_summary takes the Dataset returned by api.atlas, got {type(dataset).__name__}")
    return _summary.atlas_summary(dataset)


def get_theorem(theorem_id: str) -> Theorem:
    """The theorem with id ``theorem_id`` (see ``llgd theorems``)."""
    return _theorems.get_theorem(_name(theorem_id, "a theorem id").strip())


def catalog_loss(name: str, **parameters) -> Loss:
    """A catalog loss by name, with parameter overrides (``mu``, ``delta``, ``p``)."""
    return _losses.catalog_loss(
        _name(name, "a catalog loss name"), **{k: _number(v, f"the loss parameter {k}", allow_none=True) for k, v in parameters.items()}
    )


def loss_from_expression(text: str, mu=None, name: str | None = None) -> Loss:
    """Parse ``text`` as ℓ(s) (parameter ``mu`` allowed) and find its global minimiser."""
    return _losses.loss_from_expression(_text(text, "a loss expression"), mu=_number(mu, "mu", allow_none=True), name=_name(name, "the loss name", allow_none=True))


def _budget(dps, max_steps) -> dict:
    return {"dps": _integer(dps, "the precision dps", MIN_DPS, MAX_DPS), "max_steps": _integer(max_steps, "the step budget", 1, MAX_STEPS)}


_INVESTIGATE_OPTIONS = {"tolerance": _tolerance, "check": functools.partial(_flag, what="check"), "keep_path": functools.partial(_flag, what="keep_path")}


def investigate(objective: Objective, h, init: Sequence, *, dps: int = DEFAULT_DPS, max_steps: int = DEFAULT_MAX_STEPS, **options) -> Investigation:
    """Run high-precision GD, repeat it at higher precision and observe it (see :mod:`llgd_proof.engines.phenomena`).

    Options: ``tolerance`` (in (0, 1); default 10^(−dps/3)), ``check`` (the precision repeat, default True), ``keep_path``."""
    arguments = _objective(objective), _number(h, "the step h", positive=True), _start(init)
    budget, checked = _budget(dps, max_steps), _options(options, _INVESTIGATE_OPTIONS, "api.investigate")
    with _within("the run"):
        return _phenomena.investigate(*arguments, **budget, **checked)


def _engine(value):
    if value is not None and value not in ENGINES:
        raise ArgumentError(f"the engine must be one of {', '.join(ENGINES)} (or None for the default), got {_shown(value)}")
    return value


_DESCENT_OPTIONS = {
    "tolerance": _tolerance,
    "keep_path": functools.partial(_flag, what="keep_path"),
    "max_period": functools.partial(_integer, what="max_period", low=2, high=MAX_PERIOD),
    "mark_step": functools.partial(_optional_integer, what="mark_step", low=0, high=MAX_STEPS),
    "engine": _engine,
}


def gradient_descent(objective: Objective, h, init: Sequence, *, dps: int = DEFAULT_DPS, max_steps: int = DEFAULT_MAX_STEPS, **options) -> Run:
    """One high-precision GD run (see :func:`llgd_proof.engines.precise.gradient_descent`).

    Options: ``tolerance``, ``keep_path``, ``max_period`` (2…64), ``mark_step``, ``engine`` ("arb" or "mpmath")."""
    arguments = _objective(objective), _number(h, "the step h", positive=True), _start(init)
    budget, checked = _budget(dps, max_steps), _options(options, _DESCENT_OPTIONS, "api.gradient_descent")
    with _within("the run"):
        return _dynamics.gradient_descent(*arguments, **budget, **checked)


_PRECISION_OPTIONS = {
    "extra_digits": functools.partial(_optional_integer, what="extra_digits", low=1, high=MAX_DPS),
    "max_steps": functools.partial(_optional_integer, what="the step budget", low=1, high=2 * MAX_STEPS + 1000),
}


def precision_check(run: Run, objective: Objective, **options):
    """The same run repeated at higher precision: does it tell the same story? Options: ``extra_digits``, ``max_steps``."""
    arguments = _run(run), _objective(objective)
    with _within("the precision check"):
        return _dynamics.precision_check(*arguments, **_options(options, _PRECISION_OPTIONS, "api.precision_check"))


_OBSERVE_OPTIONS = {
    "trace_points": functools.partial(_integer, what="trace_points", low=1, high=10_000),
    "balance_fraction": functools.partial(_real, what="the balance fraction", low=0, high=1, open_low=True, open_high=True),
}


def observe(objective: Objective, run: Run, **options):
    """What ``run`` did on ``objective`` (sharpness, catapult, balancing…). Options: ``trace_points``, ``balance_fraction``."""
    arguments = _objective(objective), _run(run)
    return _phenomena.observe(*arguments, **_options(options, _OBSERVE_OPTIONS, "api.observe"))


_MISFIT = (KeyError, TypeError, ValueError, AttributeError, IndexError, ZeroDivisionError, RecursionError, OverflowError)


def _misfit(name: str, error: Exception) -> ArgumentError:
    return ArgumentError(f"{name} takes the dict from a result's as_json(); this one does not fit ({type(error).__name__}: {_shown(str(error))})")


def _formatter(function: Callable[[dict], str]) -> Callable[[dict], str]:
    @functools.wraps(function)
    def format_data(data: dict) -> str:
        if not isinstance(data, Mapping):
            raise ArgumentError(f"{function.__name__} takes the dict from a result's as_json(), got {type(data).__name__}")
        try:
            return function(data)
        except _MISFIT as error:
            raise _misfit(function.__name__, error) from None

    return format_data


format_atlas = _formatter(_formats.format_atlas)
format_check = _formatter(_formats.format_check)
format_family = _formatter(_formats.format_family)
format_network = _formatter(_formats.format_network)
format_regularity = _formatter(_formats.format_regularity)
format_run = _formatter(_formats.format_run)
format_sweep = _formatter(_formats.format_sweep)
format_verify = _formatter(_formats.format_verify)


def format_theorems(listing: Sequence[Mapping]) -> str:
    """The text of ``llgd theorems`` from its JSON list (one dict per theorem); an empty list gives ""."""
    if isinstance(listing, (str, bytes, Mapping)) or not isinstance(listing, Sequence) or not all(isinstance(item, Mapping) for item in listing):
        raise ArgumentError(f"format_theorems takes the list of dicts from `llgd theorems --json`, got {_shown(listing)}")
    if not listing:
        return ""
    try:
        return _formats.format_theorems(list(listing))
    except _MISFIT as error:
        raise _misfit("format_theorems", error) from None


__all__ = [
    "CATALOG",
    "DEFAULT_DPS",
    "DEFAULT_MAX_STEPS",
    "DEFAULT_SEARCH_BUDGET",
    "THEOREMS",
    "ArgumentError",
    "AtlasResult",
    "Box",
    "Case",
    "CheckResult",
    "Claim",
    "ClaimError",
    "FamilyReport",
    "Investigation",
    "LlgdInputError",
    "Loss",
    "Objective",
    "ProofResult",
    "RegularityReport",
    "Theorem",
    "Verdict",
    "VerifyReport",
    "atlas",
    "atlas_summary",
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
    "format_theorems",
    "format_verify",
    "get_theorem",
    "gradient_descent",
    "investigate",
    "load_claim",
    "loss_from_expression",
    "make_loss",
    "make_objective",
    "observe",
    "precision_check",
    "prove",
    "prove_case",
    "regularity",
    "run_starts",
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
    if mu is not None or not (isinstance(dim, int) and not isinstance(dim, bool) and dim == 1):
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
        _name(name, "a parameter name")
        checked[name.strip()] = float(_number(value, f"the parameter {_shown(name)}"))
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


def verify(
    theorem_ids: Sequence[str] | None = None,
    progress=None,
    *,
    budget_seconds: float = DEFAULT_SEARCH_BUDGET,
    seed: int = 0,
    search_progress=None,
    proof_seconds: float = _verification.DEFAULT_PROOF_SECONDS,
) -> VerifyReport:
    """Every theorem (or the named ones; a single string is one id): fixed cases, a budgeted search, refuted variants
    re-checked, proofs of the holds that can be proved within ``proof_seconds`` each (see :mod:`llgd_proof.experiments.verification`)."""
    _callback(progress, "progress")
    _callback(search_progress, "search_progress")
    chosen = [get_theorem(i) for i in _names(theorem_ids, "the theorem ids")] if theorem_ids is not None else None
    budget = _real(budget_seconds, "the search budget (seconds)", 0, MAX_BUDGET_SECONDS)
    proofs = _real(proof_seconds, "the time for each proof (seconds)", 0, MAX_BUDGET_SECONDS)
    return _verification.verify(
        [t.id for t in chosen] if chosen is not None else None, progress,
        budget_seconds=budget, seed=_integer(seed, "the seed", 0, MAX_SEED), search_progress=search_progress, proof_seconds=proofs,
    )


def check_family(
    theorem: str | Theorem,
    *,
    loss: str,
    ranges: dict | None = None,
    examples: int = DEFAULT_EXAMPLES,
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
    """Property-test ``theorem`` over the loss family ``loss`` (with parameter ``ranges``); see :mod:`llgd_proof.search.families`.

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
    spans = {_name(name, "a parameter name").strip(): _pair(span, f"the range of {_shown(name)}") for name, span in (ranges or {}).items()}
    fraction = _pair(fraction, "the h fraction", positive=True)
    x_range, y_range = _pair(x_range, "x_range", positive=True), _pair(y_range, "y_range", positive=True)
    log_scale, same_sign, progress = _flag(log_scale, "log_scale"), _flag(same_sign, "same_sign"), _flag(progress, "progress")
    scheduler, workers = _scheduler(scheduler), _optional_integer(workers, "workers", 0, 1024)
    starts = starting_points(x_range=x_range, y_range=y_range, same_sign=same_sign, log_scale=log_scale)
    strategy = case_strategy(
        family_losses(_text(loss, "the loss family"), spans), fraction=fraction, starts=starts,
        dps=_integer(dps, "the precision dps", MIN_DPS, MAX_DPS), max_steps=_integer(max_steps, "the step budget", 1, MAX_STEPS),
    )
    examples, seed = _integer(examples, "the number of examples", 1, MAX_EXAMPLES), _integer(seed, "the seed", 0, MAX_SEED)
    with _within("the property test"):
        return _check_family(chosen, strategy, examples=examples, seed=seed, scheduler=scheduler, workers=workers, progress=progress)


def load_claim(source) -> Claim:
    """A :class:`Claim` from a path (str or pathlib.Path) to a TOML file, or from the TOML text itself
    (see :func:`llgd_proof.claims.claim.load_claim`)."""
    if not isinstance(source, (str, os.PathLike)):
        raise ClaimError(f"a claim is a path or TOML text, got {type(source).__name__}")
    return _load_claim(source)


def _prove_number(value, what: str, *, positive: bool = False) -> str:
    """An input of a proof, checked and passed on as given (the prover reads it exactly)."""
    _number(value, what, positive=positive)
    return value.strip() if isinstance(value, str) else value


def prove(
    *,
    h,
    init: Sequence,
    loss: str | None = None,
    mu=None,
    dim: int = 1,
    objective: str | None = None,
    variables: Sequence[str] = (),
    period: int | None = None,
    max_steps: int = DEFAULT_MAX_STEPS,
    max_bits: int = _prove.DEFAULT_MAX_BITS,
    max_seconds: float | None = None,
    **options,
) -> ProofResult:
    """A computer-assisted proof for one instance (see :func:`llgd_proof.proofs.prover.prove`); the arguments are checked here."""
    if (loss is None) == (objective is None):
        raise ArgumentError("give exactly one of a loss or a general objective")
    if loss is not None and tuple(variables or ()):
        raise ArgumentError("variables go with a general objective, not with a loss")
    if objective is not None and mu is not None:
        raise ArgumentError("mu goes with a loss, not with a general objective")
    arguments = {
        "h": _prove_number(h, "the step h", positive=True),
        "init": [_prove_number(v, "each coordinate of the start") for v in _checked_start(init)],
        "loss": _text(loss, "the loss", allow_none=True),
        "mu": None if mu is None else _prove_number(mu, "mu"),
        "dim": _integer(dim, "the dimension", 1, MAX_DIM),
        "objective": _text(objective, "the objective", allow_none=True),
        "variables": _names(variables, "the variables", allow_empty=loss is not None),
        "period": _optional_integer(period, "the period", 1, 64),
        "max_steps": _integer(max_steps, "the step budget", 1, MAX_STEPS),
        "max_bits": _integer(max_bits, "the precision budget max_bits", 64, 1_000_000),
        "max_seconds": None if max_seconds is None else _real(max_seconds, "max_seconds", 0, MAX_BUDGET_SECONDS),
    }
    if "target_width" in options:
        options["target_width"] = _prove_number(options["target_width"], "the target width", positive=True)
    return _prove.prove(**arguments, **_options(options, {"target_width": str}, "api.prove"))


def prove_case(case: Case, **options) -> ProofResult:
    """A proof for a theorem-library :class:`~llgd_proof.theorems.base.Case` (see :func:`llgd_proof.proofs.prover.prove_case`)."""
    if not isinstance(case, Case):
        raise ArgumentError(f"prove_case takes a Case (api.Case or a theorem's cases), got {type(case).__name__}")
    accepted = {
        "period": functools.partial(_optional_integer, what="the period", low=1, high=64),
        "max_steps": functools.partial(_integer, what="the step budget", low=1, high=MAX_STEPS),
        "max_bits": functools.partial(_integer, what="the precision budget max_bits", low=64, high=1_000_000),
        "max_seconds": lambda value: None if value is None else _real(value, "max_seconds", 0, MAX_BUDGET_SECONDS),
        "target_width": lambda value: _prove_number(value, "the target width", positive=True),
    }
    return _prove.prove_case(case, **_options(options, accepted, "api.prove_case"))
