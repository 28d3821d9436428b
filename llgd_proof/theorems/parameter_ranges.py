"""Valid ranges of theorem parameters (``llgd check --set NAME=VALUE``), by parameter name.

A value outside its range is bad input (a :class:`~llgd_proof.errors.ParameterError`), never a
verdict: ``delta = -5`` would make "hS/2 ≥ 1 − δ" impossible and report a false ``violated``,
``delta = 1e300`` would make it trivially true. A theorem may narrow or add ranges with its own
``Theorem.parameter_ranges``; a name missing from both only has to be finite.
"""

from __future__ import annotations

import math

# name -> (low, high, low_open, high_open, what it is)
DEFAULT_RANGES: dict[str, tuple[float, float, bool, bool, str]] = {
    "delta": (0.0, 1.0, True, True, "the EoS margin δ (EoS means hS/2 ≥ 1 − δ)"),
    "bound_factor": (0.0, 1e6, True, False, "the factor of the balancing bound"),
    "epsilon": (0.0, 1.0, True, True, "the slack ε of the rate bound"),
    "L": (0.0, 1e300, True, False, "the smoothness constant L"),
    "pl": (0.0, 1e300, True, False, "the Polyak–Łojasiewicz constant"),
    "f_star": (-1e300, 1e300, False, False, "the optimal value f*"),
    "minimiser": (-1e300, 1e300, False, False, "the minimiser"),
}


def check_parameter(theorem_id: str, name: str, value: float, ranges: dict | None = None) -> str | None:
    """None when ``value`` is valid for parameter ``name``; otherwise one sentence saying what is accepted."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"theorem parameter {name} must be a finite number, got {value!r}"
    entry = {**DEFAULT_RANGES, **(ranges or {})}.get(name)
    if entry is None:
        return None
    low, high, low_open, high_open, meaning = entry
    below = value <= low if low_open else value < low
    above = value >= high if high_open else value > high
    if below or above:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        return f"theorem {theorem_id!r}: {name} is {meaning} and must lie in {interval}, got {value:g}"
    return None


class TheoremParameters(dict):
    """The parameters a theorem sees; asking for one that was not given is bad input, not a KeyError."""

    def __init__(self, theorem_id: str, values):
        super().__init__(values)
        self.theorem_id = theorem_id

    def __missing__(self, name: str):
        from llgd_proof.errors import ParameterError

        raise ParameterError(f"theorem {self.theorem_id!r} needs the parameter {name} for this case; give it with --set {name}=VALUE")
