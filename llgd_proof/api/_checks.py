"""How the API checks what it is handed: limits, and one small reader per kind of argument.

Every reader returns the value in the form the layers below take, or raises :class:`ArgumentError` (an
:class:`~llgd_proof.errors.LlgdInputError`) with one sentence naming the argument and what is accepted.
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
from llgd_proof.analysis.starts import Box
from llgd_proof.claims.claim import Claim
from llgd_proof.engines.precise import ENGINES, Run
from llgd_proof.errors import ParameterError, ResourceLimitError
from llgd_proof.symbolic.objective import MAX_DIM, Objective
from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_limit
from llgd_proof.theorems import Theorem

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
    """A theorem given as itself, by id, or as a :class:`~llgd_proof.claims.claim.Claim` (its theorem)."""
    if isinstance(value, Theorem):
        return value
    if isinstance(value, Claim):
        return value.theorem
    return _theorems.get_theorem(_name(value, "a theorem id").strip())


def _tolerance(value):
    if value is None:
        return None
    text = _number(value, "the tolerance")
    if not 0 < mpmath.mpf(text) < 1:
        raise ArgumentError(f"the tolerance must be a number between 0 and 1 (exclusive), got {_shown(value)}")
    return text


FLOAT_MU_MAX = 10**100


def _float_mu(value, what: str = "mu") -> str | None:
    """μ for a boundary map: a number with |μ| ≤ 10¹⁰⁰, so that its step limit and the gradient-flow sharpness
    (μ², the loss's constants) stay floats."""
    text = _number(value, what, allow_none=True)
    if text is not None and not abs(mpmath.mpf(text)) <= FLOAT_MU_MAX:
        raise ArgumentError(f"{what} must be at most 1e100 in magnitude for a boundary map, got {text[:40]}")
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


def _budget(dps, max_steps) -> dict:
    return {"dps": _integer(dps, "the precision dps", MIN_DPS, MAX_DPS), "max_steps": _integer(max_steps, "the step budget", 1, MAX_STEPS)}



def _engine(value):
    if value is not None and value not in ENGINES:
        raise ArgumentError(f"the engine must be one of {', '.join(ENGINES)} (or None for the default), got {_shown(value)}")
    return value



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



def _prove_number(value, what: str, *, positive: bool = False) -> str:
    """An input of a proof, checked and passed on as given (the prover reads it exactly)."""
    _number(value, what, positive=positive)
    return value.strip() if isinstance(value, str) else value

