"""High-precision gradient descent θ⁺ = θ − h∇f(θ) with honest stopping rules.

:func:`gradient_descent` iterates the GD step of an :class:`~llgd_proof.symbolic.objective.Objective` at ``dps``
significant digits — on the Arb engine (python-flint numbers, each ball collapsed to its midpoint every
step: a fast multiple-precision float) by default, or on mpmath (``engine="mpmath"``) — until one of:

* ``converged`` — θ is at a point of the minimiser set (the rule below);
* ``stationary`` — GD is held at a critical point that is not a minimiser (a saddle, a maximum, a
  degenerate critical point, or for ℓ(xᵀy) a local minimiser off the global minimiser set); its kind
  is recorded in ``Run.stationary_kind``. A stationary run never "converges";
* ``periodic`` — θ_k = θ_{k−p} to the tolerance for some 2 ≤ p ≤ ``max_period`` on two
  consecutive steps, with orbit points that are genuinely distinct (spread ≥ √tolerance, so a slow
  flip-convergence to a fixed point is not mistaken for a 2-cycle);
* ``diverged`` — |θ|∞ or f(θ) past a bound, or a value leaving the reals (mpmath never overflows,
  so this is checked every step, from the first: a start near 10³⁰⁰ that the first step throws past the bound
  is decided there, even where float64 screens overflow);
* ``undecided`` — the step budget is spent.

The stopping rule is :class:`~llgd_proof.engines.stopping.StoppingRule` (its module doc states it); every engine
calls it.

:func:`precision_check` repeats the run on mpmath (a second library) at higher precision with the tolerance scaled to that
precision (τ·10^(−extra digits/3)), so the stopping rule itself is re-decided independently; it
reports how many digits of the final state agree and whether status and stationary kind match.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import mpmath
import numpy

from llgd_proof.engines.stopping import (
    MAX_PERIOD,
    Status,
    StoppingRule,
    _detect_period,
    _may_repeat,
    validate_start,
    validate_step,
)
from llgd_proof.errors import ParameterError
from llgd_proof.symbolic.objective import Objective

DEFAULT_DPS = 50
DEFAULT_MAX_STEPS = 20_000




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
        self.points.append(tuple(map(float, theta)))
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
    stationary_kind: str | None = None  # "saddle" | "maximum" | "degenerate" | "local minimum" when stationary
    marked: list | None = None  # θ at step ``mark_step``, when asked for (the precision check compares there)

    @property
    def settled(self) -> bool:
        """True when the run ended in a limit point or a periodic orbit."""
        return self.status in (Status.CONVERGED, Status.PERIODIC)

    @property
    def limit(self) -> list:
        return self.final










ENGINES = ("arb", "mpmath")


def default_engine() -> str:
    """"arb" (python-flint, a runtime dependency) when it imports, else "mpmath"."""
    try:
        import flint  # noqa: F401
    except ImportError:  # pragma: no cover - python-flint is a dependency
        return "mpmath"
    return "arb"


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
    mark_step: int | None = None,
    engine: str | None = None,
) -> Run:
    """Iterate GD on ``objective`` from ``init`` with step ``h`` at ``dps`` digits (see module doc).

    With ``keep_path`` every iterate is kept (``Run.path``), for theorems that check each step;
    with ``mark_step`` the iterate at that step is kept (``Run.marked``).

    ``engine``: "arb" iterates on python-flint Arb numbers at the matching binary precision, each ball
    collapsed to its midpoint every step (a fast multiple-precision float; not a proof); "mpmath" on
    mpmath numbers. The default is "arb" (falling back to mpmath for an objective the Arb translation
    table cannot express, and for a run where an Arb value comes back infinite at the working precision while
    mpmath, which widens its precision for huge arguments, evaluates it: log cosh(xy) at xy = 10⁴⁰⁰). Both call the
    same :class:`StoppingRule` and return the same :class:`Run`
    (numbers as mpmath values at ``dps``); :func:`precision_check` repeats a run on mpmath, so the
    self-check is a second library as well as a second precision.
    """
    if not (isinstance(dps, int) and 15 <= dps <= 10_000):
        raise ParameterError(f"the precision dps must be an integer between 15 and 10000, got {dps}")
    if not (isinstance(max_steps, int) and max_steps >= 1):
        raise ParameterError(f"the step budget must be a positive integer, got {max_steps}")
    if engine is not None and engine not in ENGINES:
        raise ParameterError(f"the engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    chosen = engine or default_engine()
    if chosen == "arb":
        from llgd_proof.errors import ExpressionError

        try:
            compiled = objective.compiled("arb")
        except ExpressionError:
            if engine == "arb":
                raise
            chosen = "mpmath"
    with mpmath.workdps(dps):
        step = validate_step(h)
        start = validate_start(objective, init)
        tol = mpmath.mpf(tolerance) if tolerance is not None else mpmath.mpf(10) ** (-(dps // 3))
        rule = StoppingRule(objective, tol, dps)
    if chosen == "arb":
        outcome = _descend_arb(compiled, rule, h, init, dps, max_steps, max_period, keep_path, mark_step)
        if "arb_failed_at" in outcome:  # the same run on mpmath, from the start (the rule is decided afresh)
            chosen = "mpmath"
            with mpmath.workdps(dps):
                rule = StoppingRule(objective, tol, dps)
    if chosen == "mpmath":
        with mpmath.workdps(dps):
            outcome = _descend_mpmath(objective.compiled("mpmath"), rule, step, start, max_steps, max_period, keep_path, mark_step)
    return Run(
        h=step,
        initial=start,
        dps=dps,
        tolerance=tol,
        source=(h, list(init)),
        **outcome,
    )


def _descend_mpmath(compiled, rule: StoppingRule, step, theta, max_steps, max_period, keep_path, mark_step) -> dict:
    """The GD loop on mpmath numbers (inside ``workdps``): the Run fields the loop decides."""
    tol = rule.tolerance
    previous_gradient_norm, kind, marked = None, None, None
    scale = max([mpmath.mpf(1)] + [abs(t) for t in theta])
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
            rule.set_bounds(scale, loss)
        if max_loss is None or loss > max_loss:
            max_loss, max_loss_step = loss, k
        record.offer(k, theta, loss)
        if k == mark_step:
            marked = list(theta)
        decision = rule.observe(k, theta, loss, gradient, previous_gradient_norm)
        if decision is not None:
            status, reason, kind = decision
            break
        previous_gradient_norm = max(abs(g) for g in gradient)
        if rule.diverges(max(abs(t) for t in theta), loss):
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
    if not orbit and status in (Status.CONVERGED, Status.STATIONARY):
        orbit = [list(theta)]
    return dict(
        status=status, steps=k, final=list(theta), orbit=orbit, period=period, initial_loss=initial_loss,
        final_loss=loss, max_loss=max_loss, max_loss_step=max_loss_step, reason=reason, record=record, path=path,
        stationary_kind=kind if status is Status.STATIONARY else None, marked=marked,
    )


def _mpmath_finite(rule: StoppingRule, theta: Sequence) -> bool:
    """f and ∇f at the Arb iterate ``theta`` are finite reals on mpmath (which widens its precision for huge arguments
    where an Arb ball at the working precision comes back infinite, e.g. cosh(10⁴⁰⁰))."""
    with mpmath.workdps(rule.dps):
        values = rule.compiled.value_and_gradient(*[to_mpmath(t) for t in theta])
    return not any(isinstance(v, mpmath.mpc) or not mpmath.isfinite(v) for v in values)


def bits_for_digits(dps: int) -> int:
    """Binary precision matching ``dps`` decimal digits (plus guard bits)."""
    return int(math.ceil(dps * math.log2(10))) + 8


def to_mpmath(value) -> mpmath.mpf:
    """The midpoint of an Arb ball as an mpmath number (exact; rounded only to the current mpmath precision)."""
    middle = value.mid()
    if not middle.is_finite():
        return mpmath.nan
    mantissa, exponent = middle.man_exp()
    return mpmath.mpf((int(mantissa), int(exponent)))


def from_mpmath(value):
    """An mpmath number as an (exact) Arb number."""
    from flint import arb

    sign, mantissa, exponent, _ = mpmath.mpf(value)._mpf_
    if not mantissa:
        return arb(0)
    return arb(-int(mantissa) if sign else int(mantissa)) * arb(2) ** int(exponent)


def _read_arb(value):
    """An input read into Arb at the working precision: from its decimal text (exact strings stay exact up to
    the final rounding), or through mpmath for a number without a decimal spelling Arb reads (e.g. a fraction)."""
    from flint import arb

    try:
        return arb(str(value).strip()).mid()
    except (ValueError, TypeError):
        return from_mpmath(mpmath.mpf(value)).mid()


def _descend_arb(compiled, rule: StoppingRule, h, init, dps, max_steps, max_period, keep_path, mark_step) -> dict:
    """The GD loop on Arb midpoints (see :func:`gradient_descent`); decisions through the same ``rule``.

    Float64 copies of each iterate screen rule 1 (‖g‖·max(1, ‖θ‖) ≤ 2τ·max(1, |f|), a margin far above
    float rounding; τ below float range disables the screen) and the divergence bounds (at 0.99 of
    the bound); whenever a screen cannot exclude a stop, the iterate is converted exactly to mpmath
    and :meth:`StoppingRule.observe` / :meth:`StoppingRule.diverges` decide, so the decisions are
    those of the mpmath loop on the same numbers. One generated call per step returns f, ∇f and the
    midpoint step (``ArbCompiled.descent_step``); f is needed at every step (max loss, trajectory record).
    The period check (every 8 steps) is screened by necessary conditions of :func:`_detect_period` in
    float64 (a lag within its clearly-apart distance, bounded through the widest |θ|∞ seen; not all
    recent iterates within its "still" floor), so it finds exactly what the unscreened check finds.
    """
    from llgd_proof.symbolic.arb import working_bits

    with working_bits(bits_for_digits(dps)), mpmath.workdps(dps):
        step = _read_arb(h)
        theta = [_read_arb(v) for v in init]
        tol_mp = rule.tolerance
        tol_float = float(tol_mp)
        screen = 2 * tol_float if tol_float > 1e-290 else math.inf
        scale_mp = max([mpmath.mpf(1)] + [abs(to_mpmath(t)) for t in theta])
        period_tol = from_mpmath(tol_mp * scale_mp)
        # float screens of _detect_period, computed once: its "still" floor √tol, and its clearly_apart
        # tol·(1 + 1e-12) + 1e-15·(1 + max|recent|) bounded above through the widest |θ|∞ seen so far
        still = math.sqrt(float(period_tol))
        apart_floor = float(period_tol) * (1 + 1.0000001e-12)
        widest = 0.0
        history: list[list] = []
        path = [theta] if keep_path else None
        record = TrajectoryRecord()
        dense, capacity = record.dense_steps, record.capacity
        record_steps, record_points, record_losses, stride = record.steps, record.points, record.losses, record.stride
        descend = compiled.descent_step  # [f, ∇f, mid(θ − h∇f)] in one call
        n = len(theta)
        finite = math.isfinite
        initial_loss = None
        max_loss, max_loss_step, max_loss_float = None, 0, -math.inf
        status, reason, period, orbit, kind, marked = Status.UNDECIDED, "step budget spent", None, [], None, None
        previous_gradient = None
        position_screen = loss_screen = math.inf
        point = tuple(map(float, theta))
        width = max_period + 1
        ring = numpy.zeros((width, len(theta)))  # float64 mirror of the last iterates (ring[j % width] = θ_j), for the period screen
        ring[0] = point
        first = ring[:, 0]  # the first coordinate alone (a view): a cheap necessary test for a period
        lags = numpy.arange(width)
        full = 2 * max_period  # len(history) > full: the ring holds θ_{k−max_period} … θ_k
        trim = 2 * max_period + 2
        mark = -1 if mark_step is None else mark_step
        k = 0
        loss = None
        while True:
            values = descend(step, *theta)
            loss = values[0]
            gradient = values[1 : n + 1]
            loss_float = float(loss)
            gradient_floats = list(map(float, gradient))
            if not finite(loss_float + sum(gradient_floats)) and not all(v.is_finite() for v in values[: n + 1]):  # nan or ±inf in any
                if _mpmath_finite(rule, theta):
                    return {"arb_failed_at": k}  # Arb lost the value at this precision (e.g. cosh(1e400)); mpmath has it
                status, reason = Status.DIVERGED, "the objective left the reals or became infinite"
                loss = loss if loss.is_finite() else None
                break
            if initial_loss is None:
                initial_loss = loss
                rule.set_bounds(scale_mp, to_mpmath(loss))
                position_screen, loss_screen = 0.99 * float(rule.position_bound), 0.99 * float(rule.loss_bound)
            if loss_float >= max_loss_float and (loss_float > max_loss_float or loss > max_loss):
                max_loss, max_loss_step, max_loss_float = loss, k, loss_float
            if k <= dense or not k % stride:  # TrajectoryRecord.offer, inlined while there is room
                if len(record_steps) < capacity:
                    record_steps.append(k)
                    record_points.append(point)
                    record_losses.append(loss_float)
                else:
                    record.offer(k, point, loss_float)
                    record_steps, record_points, record_losses, stride = record.steps, record.points, record.losses, record.stride
            if k == mark:
                marked = theta
            gradient_float = max(map(abs, gradient_floats))
            theta_float = max(map(abs, point))
            loss_size = abs(loss_float)
            if gradient_float * (theta_float if theta_float > 1.0 else 1.0) <= screen * (loss_size if loss_size > 1.0 else 1.0):
                previous_norm = None if previous_gradient is None else max(abs(to_mpmath(g)) for g in previous_gradient)
                decision = rule.observe(k, [to_mpmath(t) for t in theta], to_mpmath(loss), [to_mpmath(g) for g in gradient], previous_norm)
                if decision is not None:
                    status, reason, kind = decision
                    break
            previous_gradient = gradient
            # ≥, not >: past float64's range both sides are ∞ (a start near 1e300 overflows at once), and then the exact test decides
            if (theta_float >= position_screen or loss_size >= loss_screen) and rule.diverges(
                max(abs(to_mpmath(t)) for t in theta), to_mpmath(loss)
            ):
                status, reason = Status.DIVERGED, "iterate or loss past the divergence bound"
                break
            if theta_float > widest:
                widest = theta_float
            if (
                not k & 7
                and len(history) > full
                and _may_repeat(first[k % width], first, point, apart_floor + 1.0000001e-15 * (1 + widest))
                and not numpy.abs(ring - point).max() < still  # _detect_period's "still" exit, on the unordered ring
            ):
                period = _detect_period(history, max_period, period_tol, ring[(k - lags) % width])
                if period:
                    status, reason = Status.PERIODIC, f"orbit of period {period}"
                    orbit = history[-period:]
                    break
            if k >= max_steps:
                break
            theta = values[n + 1 :]
            point = tuple(map(float, theta))
            k += 1
            ring[k % width] = point
            history.append(theta)
            if path is not None:
                path.append(theta)
            if len(history) > trim:
                del history[0]
        if not orbit and status in (Status.CONVERGED, Status.STATIONARY):
            orbit = [theta]

        def convert(p):
            return [to_mpmath(t) for t in p]

        final_loss = mpmath.inf if loss is None else to_mpmath(loss)
        return dict(
            status=status, steps=k, final=convert(theta), orbit=[convert(p) for p in orbit], period=period,
            initial_loss=to_mpmath(initial_loss) if initial_loss is not None else None,
            final_loss=final_loss,
            max_loss=to_mpmath(max_loss) if max_loss is not None else None,
            max_loss_step=max_loss_step, reason=reason, record=record,
            path=[convert(p) for p in path] if path is not None else None,
            stationary_kind=kind if status is Status.STATIONARY else None,
            marked=convert(marked) if marked is not None else None,
        )








@dataclass
class PrecisionCheck:
    """The same run repeated at ``check_dps`` with its own stopping rule: does it tell the same story?"""

    check_dps: int
    agreeing_digits: float
    same_status: bool
    same_steps: bool
    check_run: Run

    same_kind: bool = True  # a stationary run: the check stopped at a critical point of the same kind
    same_limit: bool = True  # converged or stationary: the check stopped within √τ·max(1, ‖θ∞‖) of the same point

    @property
    def agrees(self) -> bool:
        if not (self.same_status and self.same_kind and self.same_limit):
            return False
        return self.check_run.status is Status.DIVERGED or self.agreeing_digits >= 8


def precision_check(run: Run, objective: Objective, *, extra_digits: int | None = None, max_steps: int | None = None) -> PrecisionCheck:
    """Repeat ``run`` at higher precision: compare the status it reaches and the states digit by digit.

    The digits compare the two runs' iterates at the same step (the last step of ``run``), so they
    measure rounding, not where each run chose to stop. The status is decided independently: the
    repeat's tolerance is scaled to its precision (τ·10^(−extra/3), the default 10^(−dps/3) at the
    higher dps), so a run stopped falsely at the lower precision keeps going here and shows up as a
    different status or stops elsewhere (``same_limit``: the two stopping points within √τ·max(1, ‖θ∞‖)). The inputs are read again from what the caller gave (strings
    stay exact), so a result that hangs on digits lost when rounding the start is caught too. For a
    periodic run the orbits are aligned by phase before comparing; a stationary run must stop at
    a critical point of the same kind. Divergent runs compare status only (their final states are
    meaningless), reported as 0 agreeing digits.
    """
    extra = extra_digits if extra_digits is not None else max(20, run.dps // 2)
    check_dps = run.dps + extra
    if max_steps is not None:
        budget = max_steps
    elif run.status is Status.UNDECIDED:
        budget = run.steps  # compare the same step: rounding amplified by chaos shows up here
    else:
        budget = 2 * run.steps + 1000  # a tighter tolerance needs more steps (about (dps + extra)/dps times as many)
    with mpmath.workdps(check_dps):
        tolerance = mpmath.mpf(run.tolerance) * mpmath.mpf(10) ** (-(extra // 3))
    h, init = run.source  # read again at check_dps: rounding the inputs is part of what is checked
    other = gradient_descent(
        objective, h, init, dps=check_dps, max_steps=budget, tolerance=tolerance, mark_step=run.steps, engine="mpmath"
    )  # the second opinion: another library (mpmath) at another precision
    digits, same_limit = 0.0, True
    if run.status is other.status and run.status in (Status.CONVERGED, Status.STATIONARY):
        with mpmath.workdps(check_dps):
            size = max([mpmath.mpf(1)] + [abs(t) for t in run.final])
            same_limit = bool(max(abs(a - b) for a, b in zip(run.final, other.final)) <= mpmath.sqrt(run.tolerance) * size)
    if run.status is other.status and run.status is not Status.DIVERGED:
        with mpmath.workdps(check_dps):
            same_step = [other.marked] if other.marked is not None else [other.final]
            difference = _orbit_distance(run.orbit if run.status is Status.PERIODIC else [run.final], other.orbit if run.status is Status.PERIODIC else same_step)
            size = max([mpmath.mpf(1)] + [abs(t) for t in other.final])
            digits = float(run.dps) if difference == 0 else max(0.0, min(float(run.dps), float(-mpmath.log10(difference / size))))
    return PrecisionCheck(
        check_dps=check_dps,
        agreeing_digits=round(digits, 2),
        same_status=run.status is other.status,
        same_steps=run.steps == other.steps,
        check_run=other,
        same_kind=run.stationary_kind == other.stationary_kind,
        same_limit=same_limit,
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
