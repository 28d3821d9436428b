"""The start sampler: a box of magnitudes |x0|, |y0|, the one rule that places a start in it, and the seeded random
or grid starts of atlases, sweeps and comparative claims.

The rule (:func:`start_in_box`): a start is given by a fraction t ∈ [0, 1] along each axis and a sign per
coordinate; its magnitude is

    |x0| = x_low + t·(x_high − x_low)                                     (linear), or
    |x0| = exp(log x_low + t·(log x_high − log x_low)) = x_low·(x_high/x_low)^t   (log scale),

the same for y (within [low, high] exactly, whatever the rounding), and with ``same_sign`` y0 takes the sign of x0 (so x0·y0 > 0: f(x, y) = f(−x, −y) makes one
sign the whole same-sign picture). :func:`make_starts` draws the fractions uniformly from a seeded generator;
the hypothesis strategy :func:`llgd_proof.search.strategies.starting_points` draws them on a readable grid. Both
go through :func:`start_in_box`, so "a start in a box" is defined here only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from llgd_proof.errors import ParameterError


@dataclass(frozen=True)
class Box:
    """Magnitudes |x0| ∈ [x_low, x_high], |y0| ∈ [y_low, y_high] (signs are drawn separately)."""

    x_low: float
    x_high: float
    y_low: float
    y_high: float

    def __post_init__(self):
        if not (0 < self.x_low <= self.x_high and 0 < self.y_low <= self.y_high) or not all(map(numpy.isfinite, self.as_list())):
            raise ParameterError(f"a box needs 0 < low ≤ high on both axes, got {self.as_list()}")

    def as_list(self) -> list[float]:
        return [self.x_low, self.x_high, self.y_low, self.y_high]


def magnitude(low: float, high: float, fraction, *, log_scale: bool = False):
    """The magnitude at ``fraction`` ∈ [0, 1] of [low, high] (a number or an array): linear, or uniform in log (module
    doc); never outside [low, high] (rounding could put a point near an end one unit in the last place beyond it)."""
    if log_scale:
        log_low = numpy.log(low)
        value = numpy.exp(log_low + (numpy.log(high) - log_low) * fraction)
    else:
        value = low + (high - low) * fraction
    return numpy.clip(value, low, high)


def start_in_box(box: Box, x_fraction, y_fraction, x_sign, y_sign=None, *, log_scale: bool = False, same_sign: bool = True):
    """The start (x0, y0) at fractions (``x_fraction``, ``y_fraction``) of ``box`` with signs ±1 (numbers or arrays):
    the rule of the module doc. With ``same_sign`` y0 takes ``x_sign`` (``y_sign`` is not used); otherwise ``y_sign``."""
    if not same_sign and y_sign is None:
        raise ParameterError("starts of any sign need a sign for y0 as well as for x0")
    x = magnitude(box.x_low, box.x_high, x_fraction, log_scale=log_scale) * x_sign
    y = magnitude(box.y_low, box.y_high, y_fraction, log_scale=log_scale) * (x_sign if same_sign else y_sign)
    return x, y


def make_starts(box: Box, *, samples: int | None = None, grid: int | None = None, log_scale: bool = False, same_sign: bool = True, seed: int = 0) -> numpy.ndarray:
    """Starts as an array (N, 2): ``samples`` random points, or a ``grid`` × ``grid`` lattice.

    Random samples: fractions uniform in [0, 1) for x then y, then a random sign for x (and one for y unless
    ``same_sign``), from ``numpy.random.default_rng(seed)``, placed by :func:`start_in_box`. A grid covers the
    positive quadrant when ``same_sign`` (f(x, y) = f(−x, −y), so that is the whole same-sign picture), else
    [−x_high, x_high] × [−y_high, y_high], with evenly spaced magnitudes (geometrically when ``log_scale``) whose
    ends are the box's.
    """
    if (samples is None) == (grid is None):
        raise ParameterError("give exactly one of samples or grid")
    if samples is not None:
        if samples < 1:
            raise ParameterError("the number of samples must be positive")
        rng = numpy.random.default_rng(seed)
        x_fraction, y_fraction = rng.random(samples), rng.random(samples)
        x_sign = rng.choice([-1.0, 1.0], samples)
        y_sign = None if same_sign else rng.choice([-1.0, 1.0], samples)
        x, y = start_in_box(box, x_fraction, y_fraction, x_sign, y_sign, log_scale=log_scale, same_sign=same_sign)
        return numpy.stack([x, y], axis=1)
    if not 2 <= grid <= 2000:
        raise ParameterError("the grid resolution must be between 2 and 2000")
    axes = []
    for low, high in ((box.x_low, box.x_high), (box.y_low, box.y_high)):
        if same_sign:
            axes.append(numpy.geomspace(low, high, grid) if log_scale else numpy.linspace(low, high, grid))
        else:
            half = numpy.geomspace(low, high, grid // 2) if log_scale else numpy.linspace(low, high, grid // 2)
            axes.append(numpy.concatenate([-half[::-1], half]))
    xs, ys = numpy.meshgrid(axes[0], axes[1])
    return numpy.stack([xs.ravel(), ys.ravel()], axis=1)
