"""High-precision gradient descent θ⁺ = θ − h∇f(θ) with honest stopping rules.

:func:`gradient_descent` iterates the compiled mpmath step of an :class:`~llgd_proof.objective.Objective`
at ``dps`` significant digits until one of:

* ``converged`` — ‖∇f(θ)‖∞ ≤ ``tolerance`` (default 10^(−dps/3));
* ``periodic`` — θ_k = θ_{k−p} to the tolerance for some 2 ≤ p ≤ ``max_period`` on two
  consecutive steps, with orbit points that are genuinely distinct (spread ≥ √tolerance, so a slow
  flip-convergence to a fixed point is not mistaken for a 2-cycle);
* ``diverged`` — |θ|∞ or f(θ) past a bound, or a value leaving the reals (mpmath never overflows,
  so this is checked every step);
* ``undecided`` — the step budget is spent.

:func:`precision_check` repeats the run at higher precision and reports how many digits of the
final state agree; a disagreement is reported, never hidden.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import mpmath

from .errors import ParameterError
from .objective import Objective

DEFAULT_DPS = 50
DEFAULT_MAX_STEPS = 20_000
MAX_PERIOD = 64


class Status(str, enum.Enum):
    CONVERGED = "converged"
    STATIONARY = "stationary"  # a critical point that is not a minimiser (saddle, maximum, degenerate): never "converges"
    PERIODIC = "periodic"
    DIVERGED = "diverged"
    UNDECIDED = "undecided"


@dataclass
class TrajectoryRecord:
    """A compact record: every step up to ``dense_steps``, then every ``stride``-th, thinned to stay small."""

    dense_steps: int = 256
    capacity: int = 2048
    stride: int = 1
    steps: list[int] = field(default_factory=list)
    points: list[tuple[float, ...]] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)

    def offer(self, step: int, theta: Sequence, loss) -> None:
        if step > self.dense_steps and step % self.stride:
            return
        self.steps.append(step)
        self.points.append(tuple(float(t) for t in theta))
        self.losses.append(float(loss))
        if len(self.steps) > self.capacity:
            keep = [i for i, k in enumerate(self.steps) if k <= self.dense_steps or k % (2 * self.stride) == 0]
            self.steps = [self.steps[i] for i in keep]
            self.points = [self.points[i] for i in keep]
            self.losses = [self.losses[i] for i in keep]
            self.stride *= 2


@dataclass
class Run:
    """The outcome of one high-precision GD run (numbers are mpmath values at ``dps``)."""

    status: Status
    steps: int
    h: mpmath.mpf
    initial: list
    final: list
    orbit: list[list]
    period: int | None
    initial_loss: mpmath.mpf
    final_loss: mpmath.mpf
    max_loss: mpmath.mpf
    max_loss_step: int
    dps: int
    tolerance: mpmath.mpf
    reason: str
    record: TrajectoryRecord
    path: list[list] | None = None  # every iterate θ_0 … θ_steps, when asked for with keep_path
    source: tuple = ()  # (h, init) exactly as given, so a re-run reads them at its own precision

    @property
    def settled(self) -> bool:
        """True when the run ended in a limit point or a periodic orbit."""
        return self.status in (Status.CONVERGED, Status.PERIODIC)

    @property
    def limit(self) -> list:
        return self.final


def validate_step(h) -> mpmath.mpf:
    try:
        value = mpmath.mpf(h)
    except (TypeError, ValueError) as error:
        raise ParameterError(f"the step h must be a number, got {h!r}") from error
    if not mpmath.isfinite(value) or value <= 0:
        raise ParameterError(f"the step h must be a finite positive number, got {h}")
    return value


def validate_start(objective: Objective, init: Sequence) -> list:
    if len(init) != objective.n_variables:
        names = ", ".join(map(str, objective.variables))
        raise ParameterError(f"the start needs {objective.n_variables} values ({names}), got {len(init)}")
    try:
        values = [mpmath.mpf(v) for v in init]
    except (TypeError, ValueError) as error:
        raise ParameterError(f"the start must be numbers, got {list(init)!r}") from error
    if not all(mpmath.isfinite(v) for v in values):
        raise ParameterError("the start must be finite numbers")
    return values


def gradient_descent(
    objective: Objective,
    h,
    init: Sequence,
    *,
    dps: int = DEFAULT_DPS,
    max_steps: int = DEFAULT_MAX_STEPS,
    tolerance=None,
    max_period: int = MAX_PERIOD,
    keep_path: bool = False,
) -> Run:
    """Iterate GD on ``objective`` from ``init`` with step ``h`` at ``dps`` digits (see module doc).

    With ``keep_path`` every iterate is kept (``Run.path``), for theorems that check each step.
    """
    if not (isinstance(dps, int) and 15 <= dps <= 10_000):
        raise ParameterError(f"the precision dps must be an integer between 15 and 10000, got {dps}")
    if not (isinstance(max_steps, int) and max_steps >= 1):
        raise ParameterError(f"the step budget must be a positive integer, got {max_steps}")
    compiled = objective.compiled("mpmath")
    with mpmath.workdps(dps):
        step = validate_step(h)
        theta = validate_start(objective, init)
        tol = mpmath.mpf(tolerance) if tolerance is not None else mpmath.mpf(10) ** (-(dps // 3))
        scale = max([mpmath.mpf(1)] + [abs(t) for t in theta])
        position_bound = mpmath.mpf(10) ** 10 * scale
        history: list[list] = []
        path = [list(theta)] if keep_path else None
        record = TrajectoryRecord()
        initial_loss = None
        max_loss, max_loss_step = None, 0
        status, reason, period, orbit = Status.UNDECIDED, "step budget spent", None, []
        k = 0
        while True:
            values = compiled.value_and_gradient(*theta)
            if any(isinstance(v, mpmath.mpc) or not mpmath.isfinite(v) for v in values):
                status, reason = Status.DIVERGED, "the objective left the reals or became infinite"
                loss = values[0] if not isinstance(values[0], mpmath.mpc) else mpmath.inf
                break
            loss, gradient = values[0], values[1:]
            if initial_loss is None:
                initial_loss = loss
                loss_bound = mpmath.mpf(10) ** 30 * max(1, abs(loss))
            if max_loss is None or loss > max_loss:
                max_loss, max_loss_step = loss, k
            record.offer(k, theta, loss)
            if max(abs(g) for g in gradient) <= tol:
                status, reason = Status.CONVERGED, "gradient below tolerance"
                break
            if max(abs(t) for t in theta) > position_bound or abs(loss) > loss_bound:
                status, reason = Status.DIVERGED, "iterate or loss past the divergence bound"
                break
            if k % 8 == 0 and len(history) > 2 * max_period:
                period = _detect_period(history, max_period, tol * scale)
                if period:
                    status, reason = Status.PERIODIC, f"orbit of period {period}"
                    orbit = [list(p) for p in history[-period:]]
                    break
            if k >= max_steps:
                break
            theta = [t - step * g for t, g in zip(theta, gradient)]
            k += 1
            history.append(theta)
            if keep_path:
                path.append(theta)
            if len(history) > 2 * max_period + 2:
                del history[0]
        if not orbit and status is Status.CONVERGED:
            orbit = [list(theta)]
        return Run(
            status=status,
            steps=k,
            h=step,
            initial=validate_start(objective, init),
            final=list(theta),
            orbit=orbit,
            period=period,
            initial_loss=initial_loss,
            final_loss=loss,
            max_loss=max_loss,
            max_loss_step=max_loss_step,
            dps=dps,
            tolerance=tol,
            reason=reason,
            record=record,
            path=path,
            source=(h, list(init)),
        )


def _detect_period(history: list[list], max_period: int, tol) -> int | None:
    """Smallest p ≥ 2 with θ_k ≈ θ_{k−p} and θ_{k−1} ≈ θ_{k−1−p}, orbit points distinct."""
    last, before = history[-1], history[-2]
    floats_last = [float(t) for t in last]
    recent = [[float(t) for t in point] for point in history[-1 - max_period :]]
    spread_floor = math.sqrt(float(tol))
    moved = [max(abs(a - b) for a, b in zip(floats_last, point)) for point in reversed(recent)]
    if max(moved) < spread_floor:
        return None  # still or nearly still: a fixed point, not an orbit
    rough = 1e-8 * (1 + max(map(abs, floats_last)))
    for p in range(2, max_period + 1):
        if moved[p] > rough or max(moved[1:p]) < spread_floor:
            continue
        if max(abs(a - b) for a, b in zip(last, history[-1 - p])) > tol:
            continue
        if max(abs(a - b) for a, b in zip(before, history[-2 - p])) > tol:
            continue
        # a slowly attracting p-orbit can match at a multiple of p first: report the smallest
        # divisor whose points already coincide to within the spread floor
        return next(d for d in range(2, p + 1) if p % d == 0 and moved[d] < spread_floor)
    return None


@dataclass
class PrecisionCheck:
    """The same run repeated at ``check_dps``: does it tell the same story?"""

    check_dps: int
    agreeing_digits: float
    same_status: bool
    same_steps: bool
    check_run: Run

    @property
    def agrees(self) -> bool:
        return self.same_status and (self.check_run.status is Status.DIVERGED or self.agreeing_digits >= 8)


def precision_check(run: Run, objective: Objective, *, extra_digits: int | None = None, max_steps: int | None = None) -> PrecisionCheck:
    """Repeat ``run`` at higher precision and compare the final states digit by digit.

    The inputs are read again from what the caller gave (strings stay exact), so a result that hangs
    on digits lost when rounding the start is caught too. For a periodic run the orbits are aligned
    by phase before comparing. Divergent runs compare
    status only (their final states are meaningless), reported as 0 agreeing digits.
    """
    check_dps = run.dps + (extra_digits if extra_digits is not None else max(20, run.dps // 2))
    if max_steps is not None:
        budget = max_steps
    elif run.status is Status.UNDECIDED:
        budget = run.steps  # compare the same step: rounding amplified by chaos shows up here
    else:
        budget = max(run.steps, 1) + 2 * MAX_PERIOD + 64
    with mpmath.workdps(check_dps):
        tolerance = mpmath.mpf(run.tolerance)
    h, init = run.source  # read again at check_dps: rounding the inputs is part of what is checked
    other = gradient_descent(objective, h, init, dps=check_dps, max_steps=budget, tolerance=tolerance)
    digits = 0.0
    if run.status is other.status and run.status is not Status.DIVERGED:
        with mpmath.workdps(check_dps):
            difference = _orbit_distance(run.orbit or [run.final], other.orbit or [other.final])
            size = max([mpmath.mpf(1)] + [abs(t) for t in other.final])
            digits = float(run.dps) if difference == 0 else max(0.0, min(float(run.dps), float(-mpmath.log10(difference / size))))
    return PrecisionCheck(
        check_dps=check_dps,
        agreeing_digits=round(digits, 2),
        same_status=run.status is other.status,
        same_steps=run.steps == other.steps,
        check_run=other,
    )


def _orbit_distance(orbit_a: list[list], orbit_b: list[list]):
    if len(orbit_a) != len(orbit_b):
        return mpmath.inf
    best = mpmath.inf
    for shift in range(len(orbit_b)):
        distance = max(
            abs(a - b) for i, point in enumerate(orbit_a) for a, b in zip(point, orbit_b[(i + shift) % len(orbit_b)])
        )
        best = min(best, distance)
    return best
