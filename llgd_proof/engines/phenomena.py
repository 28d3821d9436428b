"""What a trajectory did: the quantities the theory talks about, read off one GD run.

* sharpness S(θ) = λ_max(∇²f) at the start and at the end, and the EoS ratio hS(θ∞)/2;
* the largest loss over the run relative to the initial loss (catapult when > 1);
* the imbalance ‖x‖² − ‖y‖² at start and end, and S_GF(θ0) (product family);
* flags: ``catapult`` (loss rose above f(θ0), S0 > 2/h, and the run settled with S∞ ≤ 2/h),
  ``progressive_sharpening`` (recorded sharpness rose above S0 by more than 1 %),
  ``balancing`` (|imbalance| fell by at least ``balance_fraction``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath
import numpy

from llgd_proof.engines.batch import STATUS_CODES, BatchRun
from llgd_proof.engines.precise import DEFAULT_DPS, DEFAULT_MAX_STEPS, PrecisionCheck, Run, gradient_descent, precision_check
from llgd_proof.engines.stopping import Status
from llgd_proof.symbolic.objective import Objective

CATAPULT_MARGIN = 1e-9
SHARPENING_MARGIN = 0.01
BALANCE_FRACTION = 0.5


@dataclass
class Phenomena:
    initial_loss: float | None  # None when f(θ0) is not a finite real (the run then diverged at step 0)
    final_loss: float | None
    initial_sharpness: float | None
    final_sharpness: float | None
    eos_ratio: float | None
    max_loss_ratio: float | None
    imbalance_initial: float | None = None
    imbalance_final: float | None = None
    gf_sharpness: float | None = None
    residual_final: float | None = None
    catapult: bool = False
    progressive_sharpening: bool = False
    balancing: bool = False
    sharpness_trace: list[tuple[int, float]] = field(default_factory=list)


def _number(value) -> float | None:
    if value is None or isinstance(value, mpmath.mpc):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _real(value):
    """``value`` if it is a real (not NaN, not complex, not None), else None."""
    if value is None or isinstance(value, mpmath.mpc) or mpmath.isnan(value):
        return None
    return value


def _float(value) -> float | None:
    """A real as a float (±∞ past float64's range, kept so that strict JSON writes its text); None for no real value."""
    if value is None or isinstance(value, mpmath.mpc) or mpmath.isnan(value):
        return None
    return float(value)


def _finite_point(point) -> bool:
    return all(not isinstance(v, mpmath.mpc) and mpmath.isfinite(v) for v in point)


def observe(objective: Objective, run: Run, *, trace_points: int = 64, balance_fraction: float = BALANCE_FRACTION) -> Phenomena:
    """Summarise ``run`` (made on ``objective``) as :class:`Phenomena`."""
    compiled = objective.compiled("mpmath")
    with mpmath.workdps(run.dps):
        initial_sharpness = _real(compiled.sharpness(run.initial))
        final_sharpness = None if run.status is Status.DIVERGED else _real(compiled.sharpness(run.final))
        initial_loss = _real(run.initial_loss)
        ratio = None if initial_loss is None or run.max_loss is None or initial_loss == 0 else run.max_loss / initial_loss
        eos_ratio = None if final_sharpness is None else run.h * final_sharpness / 2
        phenomena = Phenomena(
            initial_loss=_float(initial_loss),
            final_loss=None if run.status is Status.DIVERGED else _number(run.final_loss),
            initial_sharpness=_float(initial_sharpness),
            final_sharpness=_number(final_sharpness),
            eos_ratio=_number(eos_ratio),
            max_loss_ratio=_number(ratio),
        )
        if objective.is_product:
            imbalance_initial = compiled.imbalance(*run.initial)
            phenomena.imbalance_initial = _float(imbalance_initial)
            phenomena.gf_sharpness = _float(compiled.gf_sharpness(*run.initial))
            if run.status is not Status.DIVERGED:
                imbalance_final = compiled.imbalance(*run.final)
                phenomena.imbalance_final = float(imbalance_final)
                phenomena.residual_final = float(compiled.residual(*run.final))
                phenomena.balancing = abs(imbalance_final) <= (1 - balance_fraction) * abs(imbalance_initial)
        record = run.record
        chosen = range(0, len(record.steps), max(1, len(record.steps) // trace_points))
        points = [(record.steps[i], [mpmath.mpf(v) for v in record.points[i]]) for i in chosen]
        trace = [(step, _float(compiled.sharpness(point))) for step, point in points if _finite_point(point)]  # float copies past 1e308 are ∞
        phenomena.sharpness_trace = [(step, value) for step, value in trace if value is not None and math.isfinite(value)]
        if initial_sharpness is not None:
            peak_sharpness = max((value for _, value in phenomena.sharpness_trace), default=float(initial_sharpness))
            phenomena.progressive_sharpening = peak_sharpness > float(initial_sharpness) * (1 + SHARPENING_MARGIN)
        phenomena.catapult = bool(
            run.settled
            and initial_sharpness is not None
            and ratio is not None
            and ratio > 1 + CATAPULT_MARGIN
            and run.h * initial_sharpness > 2
            and final_sharpness is not None
            and run.h * final_sharpness <= 2
        )
    return phenomena


@dataclass
class Investigation:
    """One GD run on an objective, its precision self-check and its phenomena: what ``llgd run`` reports."""

    objective: Objective
    run: Run
    check: PrecisionCheck | None
    phenomena: Phenomena

    def limit_points(self) -> list[list[float]] | list[float]:
        if self.run.status is Status.PERIODIC:
            return [[float(v) for v in point] for point in self.run.orbit]
        return [float(v) for v in self.run.final]

    def as_json(self) -> dict:
        run, phenomena = self.run, self.phenomena
        with mpmath.workdps(run.dps):
            exact = [mpmath.nstr(v, min(run.dps, 30)) for v in run.final]
        result = {
            "objective": self.objective.describe(),
            "h": float(run.h),
            "init": [float(v) for v in run.initial],
            "status": run.status.value,
            "stationary_kind": run.stationary_kind,
            "reason": run.reason,
            "steps": run.steps,
            "limit": self.limit_points(),
            "limit_digits": exact,
            "period": run.period,
            "initial_loss": phenomena.initial_loss,
            "final_loss": phenomena.final_loss,
            "initial_sharpness": phenomena.initial_sharpness,
            "final_sharpness": phenomena.final_sharpness,
            "eos_ratio": phenomena.eos_ratio,
            "max_loss_ratio": phenomena.max_loss_ratio,
            "max_loss_step": run.max_loss_step,
            "catapult": phenomena.catapult,
            "progressive_sharpening": phenomena.progressive_sharpening,
            "dps": run.dps,
            "tolerance": float(run.tolerance),
            "precision_check": None,
        }
        if self.objective.is_product:
            result.update(
                imbalance_initial=phenomena.imbalance_initial,
                imbalance_final=phenomena.imbalance_final,
                gf_sharpness=phenomena.gf_sharpness,
                residual_final=phenomena.residual_final,
                balancing=phenomena.balancing,
                mu=float(self.objective.minimiser_value),
            )
        if self.check is not None:
            result["precision_check"] = {
                "check_dps": self.check.check_dps,
                "agreeing_digits": self.check.agreeing_digits,
                "same_status": self.check.same_status,
                "same_steps": self.check.same_steps,
                "same_kind": self.check.same_kind,
                "same_limit": self.check.same_limit,
                "agrees": self.check.agrees,
            }
        return result


def investigate(
    objective: Objective,
    h,
    init,
    *,
    dps: int = DEFAULT_DPS,
    max_steps: int = DEFAULT_MAX_STEPS,
    tolerance=None,
    check: bool = True,
    keep_path: bool = False,
) -> Investigation:
    """Run high-precision GD, repeat it at higher precision (unless ``check=False``) and observe it."""
    run = gradient_descent(objective, h, init, dps=dps, max_steps=max_steps, tolerance=tolerance, keep_path=keep_path)
    precision = precision_check(run, objective) if check else None
    return Investigation(objective, run, precision, observe(objective, run))


def observe_batch(objective: Objective, run: BatchRun, *, delta: float = 0.25, balance_fraction: float = BALANCE_FRACTION) -> dict:
    """The same quantities as :func:`observe`, as float64 arrays over a batch run (product family).

    ``eos``: converged with 1 − δ ≤ hS∞/2 ≤ 1 (+1e-6); ``catapult``: the loss rose above f(θ0),
    hS0 > 2 and the point settled with hS∞ ≤ 2; ``balancing``: |imbalance| fell by ``balance_fraction``.
    """
    compiled = _OverflowAsNan(objective.compiled("numpy"), len(run.status))
    initial, final = run.initial.T, run.final.T
    converged = run.status == STATUS_CODES[Status.CONVERGED]
    settled = converged | (run.status == STATUS_CODES[Status.PERIODIC])
    with numpy.errstate(all="ignore"):
        initial_sharpness = compiled.sharpness(tuple(initial))
        final_sharpness = numpy.where(settled, compiled.sharpness(tuple(final)), numpy.nan)
        eos_ratio = numpy.where(converged, run.h * final_sharpness / 2, numpy.nan)
        loss_ratio = numpy.where(run.initial_loss > 0, run.max_loss / run.initial_loss, numpy.nan)
        imbalance_initial = compiled.imbalance(*initial)
        imbalance_final = numpy.where(settled, compiled.imbalance(*final), numpy.nan)
        return {
            "initial_sharpness": initial_sharpness,
            "final_sharpness": final_sharpness,
            "eos_ratio": eos_ratio,
            "max_loss_ratio": loss_ratio,
            "imbalance_initial": imbalance_initial,
            "imbalance_final": imbalance_final,
            "gf_sharpness": compiled.gf_sharpness(*initial),
            "eos": converged & (eos_ratio >= 1 - delta) & (eos_ratio <= 1 + 1e-6),
            "catapult": settled & (loss_ratio > 1 + CATAPULT_MARGIN) & (run.h * initial_sharpness > 2) & (run.h * final_sharpness <= 2 + 1e-9),
            "balancing": settled & (numpy.abs(imbalance_final) <= (1 - balance_fraction) * numpy.abs(imbalance_initial)),
        }


class _OverflowAsNan:
    """The compiled numpy functions of an objective, with a Python-integer overflow (a constant such as 4μ² with
    μ = 10³⁰⁰, too large for float64) read as NaN over the batch instead of an exception."""

    def __init__(self, compiled, size: int):
        self._compiled, self._size = compiled, size

    def __getattr__(self, name: str):
        function = getattr(self._compiled, name)

        def guarded(*arguments):
            try:
                return function(*arguments)
            except OverflowError:
                return numpy.full(self._size, numpy.nan)

        return guarded
