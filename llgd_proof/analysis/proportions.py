"""Statistical verdicts for comparative claims ("more likely with good regularity", theory T3c/T5c).

A comparative claim compares two losses at equal h over an equal, seeded distribution of starts:
the fraction of starts showing a phenomenon should be higher for the good loss than for the square
loss. Each fraction gets a 95 % Wilson score interval; the verdict is

* ``holds`` — the intervals are disjoint and the good loss is higher;
* ``violated`` — disjoint and reversed;
* ``inconclusive`` — they overlap (more samples might decide).

The Wilson interval for k successes in n trials at normal quantile z is

    (p̂ + z²/2n ∓ z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n),   p̂ = k/n,

and [0, 1] when n = 0 (no information). :func:`sample_starts` draws the start distribution (with the one start
sampler, :mod:`llgd_proof.analysis.starts`) and :func:`run_fractions` runs the float64 batch engine on it:
everything here is numbers (evidence), never proof.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy

from llgd_proof.analysis.starts import Box, make_starts
from llgd_proof.errors import ParameterError

MAX_SAMPLES = 1_000_000  # the most starts a comparative claim draws
Z_95 = 1.959963984540054  # Φ⁻¹(0.975)


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``trials`` (see module doc); [0, 1] when trials = 0."""
    if trials < 0 or not 0 <= successes <= trials:
        raise ParameterError(f"need 0 ≤ successes ≤ trials, got {successes} of {trials}")
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends: at p̂ = 0 (1) the bound is 0 (1), not a rounding of it
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Proportion:
    """k of n with its 95 % Wilson interval."""

    successes: int
    trials: int

    @property
    def fraction(self) -> float | None:
        return self.successes / self.trials if self.trials else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.successes, self.trials)

    def as_json(self) -> dict:
        low, high = self.interval
        return {"successes": self.successes, "trials": self.trials, "fraction": self.fraction, "wilson_95": [low, high]}


def compare(good: Proportion, square: Proportion) -> str:
    """``holds`` / ``violated`` / ``inconclusive`` by the rule of the module doc (the good loss should be higher)."""
    good_low, good_high = good.interval
    square_low, square_high = square.interval
    if good_low > square_high:
        return "holds"
    if square_low > good_high:
        return "violated"
    return "inconclusive"


def sample_starts(box: tuple[float, float, float, float], samples: int, seed: int) -> numpy.ndarray:
    """The start distribution of a comparative claim: ``samples`` same-sign starts (N, 2), magnitudes uniform in
    ``box`` = (x_min, x_max, y_min, y_max), drawn by the one sampler (:func:`llgd_proof.analysis.starts.make_starts`)."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise ParameterError(f"the number of samples must be between 1 and {MAX_SAMPLES}, got {samples}")
    return make_starts(Box(*box), samples=samples, seed=seed)


@dataclass(frozen=True)
class SampledFraction:
    """Among the starts meeting the restriction: how many show the phenomenon, and how many converged."""

    drawn: int
    eligible: int
    converged: int
    showing: int

    @property
    def unconditional(self) -> Proportion:
        return Proportion(self.showing, self.eligible)

    @property
    def given_convergence(self) -> Proportion:
        return Proportion(self.showing, self.converged)

    def as_json(self) -> dict:
        return {
            "drawn": self.drawn,
            "eligible": self.eligible,
            "converged": self.converged,
            "showing": self.showing,
            "unconditional": self.unconditional.as_json(),
            "given_convergence": self.given_convergence.as_json(),
        }

