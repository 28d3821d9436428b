"""What a trajectory did: the quantities the theory talks about, read off one GD run.

* sharpness S(θ) = λ_max(∇²f) at the start and at the end, and the EoS ratio hS(θ∞)/2;
* the largest loss over the run relative to the initial loss (catapult when > 1);
* the imbalance ‖x‖² − ‖y‖² at start and end, and S_GF(θ0) (product family);
* flags: ``catapult`` (loss rose above f(θ0), S0 > 2/h, and the run settled with S∞ ≤ 2/h),
  ``progressive_sharpening`` (recorded sharpness rose above S0 by more than 1 %),
  ``balancing`` (|imbalance| fell by at least ``balance_fraction``).

The pointwise rules the theorems speak of (the stability edge hS/2 ≤ 1, the EoS window, the loss
spike, the catapult, balancing) are stated once, below, as functions of the measured quantities that
take numbers (a single run: mpmath or float scalars) or float64 arrays (a batch, NaN reading false)
alike. :func:`observe`, :func:`observe_batch` (the atlas), the theorems' pointwise checks and their batch
forms (``llgd boundary``, the comparative theorems) all call them, so an atlas and a theorem classify a
start by the same inequality with the same threshold.
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

SHARPENING_MARGIN = 0.01
BALANCE_FRACTION = 0.5

# -- the pointwise rules, stated once ---------------------------------------------------------------

EDGE_TOLERANCE = 1e-8
"""How far above the stability edge hS/2 = 1 the last iterate of a *converged* run may read and still count as
at or below it: the upper end of the EoS window (T3), the flat limit of the catapult (T5) and T2's hS(θ∞) ≤ 2.

Why 1e-8. GD cannot converge to a minimiser with hS/2 > 1 (F6: such a point repels across M), so the true limit
of a converged run has hS∞/2 ≤ 1, and the tolerance only absorbs the gap between the last iterate and that
limit. Both engines stop at τ = 1e-10 (the float64 batch engine's ``DEFAULT_TOLERANCE``; the precise engine's
10^(−dps/3) at its default 30 digits) once a step moves θ by less than about τ, which leaves the last iterate
O(τ) off M; its imbalance, which fixes S on M, moves only at second order in the residual after that, so hS/2 at
the last iterate is within O(τ) of hS∞/2. 1e-8 = 100τ covers both engines and still means "at the edge", not
"past it". It is the
theorem's former value; the atlas's former 1e-6 disagreed with it on starts ending in (1 + 1e-8, 1 + 1e-6],
of which a sweep of 27 000 converged float64 runs (log cosh, Huber, pseudo-Huber; h up to 1.2) had none: they
all ended below 1 − 10⁻³, since GD needs ever more steps as its limit nears the edge."""

SPIKE_MARGIN = 1e-9
"""How far max_k f(θ_k)/f(θ0) must exceed 1 to count as the loss rising above f(θ0) (the catapult's spike, T5).

Why 1e-9. The maximum includes f(θ0), so a run whose loss never rises has a ratio of exactly 1 in either engine
and any margin ≥ 0 separates it from a rise. The margin is there so that both engines see the same spike: a
float64 loss carries a relative rounding error of a few 1e-16 (more where f is ill-conditioned), and a rise
below 1e-9 — some 10⁷ units in the last place — is not one the float64 atlas can tell from rounding, while the
catapult's rise is large (the residual grows by |1 − hS| > 1 per step). It was the atlas's value; the
theorem's pointwise form used > 1 and its batch form > 1 + 1e-9."""


def past_stability_limit(h, sharpness):
    """hS > 2: the step h is longer than 2/S, the largest stable step at a point of sharpness S (F6)."""
    return h * sharpness > 2


def within_stability(eos_ratio):
    """hS/2 ≤ 1 (to :data:`EDGE_TOLERANCE`): at or below the stability edge (T2; the flat limit of T5)."""
    return eos_ratio <= 1 + EDGE_TOLERANCE


def at_the_edge(eos_ratio, delta):
    """1 − δ ≤ hS∞/2 ≤ 1: the edge-of-stability window of T3 (upper end to :data:`EDGE_TOLERANCE`)."""
    return (eos_ratio >= 1 - delta) & within_stability(eos_ratio)


def loss_rose(max_loss_ratio):
    """max_k f(θ_k)/f(θ0) > 1 (by more than :data:`SPIKE_MARGIN`): the loss rose above f(θ0) at some step."""
    return max_loss_ratio > 1 + SPIKE_MARGIN


def spiked_then_flat(max_loss_ratio, eos_ratio):
    """The conclusion of T5: the loss rose above f(θ0) and the limit is within stability, hS∞/2 ≤ 1."""
    return loss_rose(max_loss_ratio) & within_stability(eos_ratio)


def catapulted(h, initial_sharpness, max_loss_ratio, eos_ratio):
    """The catapult of a settled run: started too sharp for the step (hS0 > 2), then :func:`spiked_then_flat`."""
    return past_stability_limit(h, initial_sharpness) & spiked_then_flat(max_loss_ratio, eos_ratio)


def balanced(imbalance_initial, imbalance_final, fraction=BALANCE_FRACTION):
    """|x∞² − y∞²| ≤ (1 − fraction)·|x0² − y0²|: the imbalance fell by at least ``fraction`` (T4)."""
    return abs(imbalance_final) <= (1 - fraction) * abs(imbalance_initial)


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
                phenomena.balancing = bool(balanced(imbalance_initial, imbalance_final, balance_fraction))
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
            and None not in (initial_sharpness, ratio, final_sharpness)
            and catapulted(run.h, initial_sharpness, ratio, run.h * final_sharpness / 2)
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

    ``eos``: converged and :func:`at_the_edge`; ``catapult``: settled and :func:`catapulted` (hS0 > 2, the loss
    rose above f(θ0), hS∞ ≤ 2); ``balancing``: settled and :func:`balanced` (|imbalance| fell by ``balance_fraction``).
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
            "eos": converged & at_the_edge(eos_ratio, delta),
            "catapult": settled & catapulted(run.h, initial_sharpness, loss_ratio, run.h * final_sharpness / 2),
            "balancing": settled & balanced(imbalance_initial, imbalance_final, balance_fraction),
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
