"""The start sampler: boxes of |x0|, |y0| and the random or grid starts drawn from them (seeded, deterministic)."""

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


def make_starts(box: Box, *, samples: int | None = None, grid: int | None = None, log_scale: bool = False, same_sign: bool = True, seed: int = 0) -> numpy.ndarray:
    """Starts as an array (N, 2): ``samples`` random points, or a ``grid`` × ``grid`` lattice.

    Random samples draw magnitudes uniformly (or log-uniformly) in the box and signs at random,
    the same for x and y when ``same_sign``. A grid covers the positive quadrant when ``same_sign``
    (f(x, y) = f(−x, −y), so that is the whole same-sign picture), else [−x_high, x_high] × [−y_high, y_high].
    """
    if (samples is None) == (grid is None):
        raise ParameterError("give exactly one of samples or grid")
    if samples is not None:
        if samples < 1:
            raise ParameterError("the number of samples must be positive")
        rng = numpy.random.default_rng(seed)
        magnitudes = [
            numpy.exp(rng.uniform(numpy.log(low), numpy.log(high), samples)) if log_scale else rng.uniform(low, high, samples)
            for low, high in ((box.x_low, box.x_high), (box.y_low, box.y_high))
        ]
        x_sign = rng.choice([-1.0, 1.0], samples)
        y_sign = x_sign if same_sign else rng.choice([-1.0, 1.0], samples)
        return numpy.stack([magnitudes[0] * x_sign, magnitudes[1] * y_sign], axis=1)
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
