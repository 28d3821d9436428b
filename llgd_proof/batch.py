"""Float64 batch gradient descent: many (h, θ0) at once, with the rules of :mod:`llgd_proof.dynamics`.

The step comes from the same compiled objective (numpy backend). Points that finish —
``converged`` (‖∇f‖∞ ≤ tolerance), ``periodic`` (θ_k = θ_{k−p}, 2 ≤ p ≤ 64, on two consecutive
steps, orbit points distinct), ``diverged`` (non-finite or past the bound) — leave the active set,
so the cost per step falls as the batch settles. What is left at the budget is ``undecided``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from .dynamics import MAX_PERIOD, Status
from .objective import Objective

STATUS_CODES = {Status.UNDECIDED: 0, Status.CONVERGED: 1, Status.PERIODIC: 2, Status.DIVERGED: 3}
STATUS_NAMES = {code: status.value for status, code in STATUS_CODES.items()}
DEFAULT_TOLERANCE = 1e-10
CHECK_EVERY = 8
FIRST_PERIOD_CHECK = 512
DENSE_LOSS_STEPS = 1024


@dataclass
class BatchRun:
    """Per-point outcome arrays (length N unless noted)."""

    status: numpy.ndarray  # int codes, see STATUS_NAMES
    steps: numpy.ndarray
    period: numpy.ndarray  # 0 when not periodic
    h: numpy.ndarray
    initial: numpy.ndarray  # (N, n)
    final: numpy.ndarray  # (N, n)
    initial_loss: numpy.ndarray
    max_loss: numpy.ndarray  # over every step up to DENSE_LOSS_STEPS, then every CHECK_EVERY-th

    def status_names(self) -> list[str]:
        return [STATUS_NAMES[int(code)] for code in self.status]

    def fraction(self, status: Status) -> float:
        return float(numpy.mean(self.status == STATUS_CODES[status])) if len(self.status) else 0.0


def batch_gradient_descent(
    objective: Objective,
    h,
    init,
    *,
    max_steps: int = 20_000,
    tolerance: float = DEFAULT_TOLERANCE,
    max_period: int = MAX_PERIOD,
    divergence_bound: float = 1e10,
    loss_every_step: bool = False,
) -> BatchRun:
    """Run GD for every row of ``init`` (shape (N, n)) with steps ``h`` (scalar or shape (N,)).

    Checks run every ``CHECK_EVERY`` steps (so ``steps`` is exact to within that many), the
    periodicity test at steps 512, 1024, 2048, … and at the budget, on the states recorded just
    before it (so a periodic point is reported at the first such step after it settles). The
    loss is tracked on every one of the first ``DENSE_LOSS_STEPS`` steps (where catapult spikes
    happen) and at every check after that; ``loss_every_step=True`` tracks it on every step.
    """
    compiled = objective.compiled("numpy")
    theta = numpy.array(init, dtype=float, ndmin=2)
    count, n = theta.shape
    if n != objective.n_variables:
        raise ValueError(f"each start needs {objective.n_variables} values, got {n}")
    all_h = numpy.broadcast_to(numpy.asarray(h, dtype=float), (count,)).copy()
    status = numpy.zeros(count, dtype=numpy.int8)
    steps = numpy.full(count, max_steps, dtype=numpy.int64)
    period = numpy.zeros(count, dtype=numpy.int16)
    final = theta.copy()
    max_loss = numpy.full(count, -numpy.inf)
    initial_loss = numpy.full(count, numpy.nan)
    window = 2 * max_period + 2
    state = _Active(
        index=numpy.arange(count),
        columns=[theta[:, i].copy() for i in range(n)],
        h=all_h.copy(),
        bound=divergence_bound * numpy.maximum(1.0, numpy.abs(theta).max(axis=1)),
        max_loss=numpy.full(count, -numpy.inf),
        history=numpy.empty((window, n, count)),  # each slot is written before it is read
    )

    def finish(mask: numpy.ndarray, code: int, at_step: int, periods=None) -> None:
        indices = state.index[mask]
        status[indices] = code
        steps[indices] = at_step
        final[indices] = numpy.stack([c[mask] for c in state.columns], axis=1)
        max_loss[indices] = state.max_loss[mask]
        if periods is not None:
            period[indices] = periods[mask]
        state.keep(~mask)

    with numpy.errstate(all="ignore"):
        k = 0
        next_period_check = min(FIRST_PERIOD_CHECK, max_steps)
        while len(state.index):
            checking = k % CHECK_EVERY == 0 or k == max_steps
            if checking or k < DENSE_LOSS_STEPS or loss_every_step:
                values = compiled.value_and_gradient(*state.columns)
                loss, gradient = numpy.asarray(values[0], dtype=float), values[1:]
                if k == 0:
                    initial_loss[:] = numpy.broadcast_to(loss, (count,))
                numpy.fmax(state.max_loss, loss, out=state.max_loss)
            else:
                gradient = compiled.gradient(*state.columns)
            if checking:
                gradient = _broadcast(gradient, len(state.index))
                largest_step = numpy.max(numpy.abs(numpy.stack(gradient)), axis=0)
                position = numpy.max(numpy.abs(numpy.stack(state.columns)), axis=0)
                bad = ~numpy.isfinite(largest_step) | ~(position <= state.bound)
                if bad.any():
                    finish(bad, STATUS_CODES[Status.DIVERGED], k)
                    gradient, largest_step = [g[~bad] for g in gradient], largest_step[~bad]
                done = largest_step <= tolerance
                if done.any():
                    finish(done, STATUS_CODES[Status.CONVERGED], k)
                    gradient = [g[~done] for g in gradient]
                if k == next_period_check and k >= window and len(state.index):
                    next_period_check = min(2 * k, max_steps) if k < max_steps else -1
                    periods = _periods(state.history, k, window, max_period, tolerance)
                    found = periods > 0
                    if found.any():
                        finish(found, STATUS_CODES[Status.PERIODIC], k, periods)
                        gradient = [g[~found] for g in gradient]
            if k == max_steps or not len(state.index):
                break
            state.columns = [c - state.h * g for c, g in zip(state.columns, gradient)]
            k += 1
            if 0 <= next_period_check - k < window:
                for i, column in enumerate(state.columns):
                    state.history[k % window, i] = column
    if len(state.index):
        final[state.index] = numpy.stack(state.columns, axis=1)
        max_loss[state.index] = state.max_loss
    return BatchRun(status, steps, period, all_h, theta, final, initial_loss, max_loss)


@dataclass
class _Active:
    """The still-running points, kept compact: their indices, coordinates (one array per variable), …"""

    index: numpy.ndarray
    columns: list
    h: numpy.ndarray
    bound: numpy.ndarray
    max_loss: numpy.ndarray
    history: numpy.ndarray

    def keep(self, mask: numpy.ndarray) -> None:
        self.index, self.h, self.bound, self.max_loss = self.index[mask], self.h[mask], self.bound[mask], self.max_loss[mask]
        self.columns = [c[mask] for c in self.columns]
        self.history = self.history[:, :, mask]


def _broadcast(arrays, size: int) -> list:
    return [numpy.broadcast_to(numpy.asarray(a, dtype=float), (size,)) for a in arrays]


def _periods(history: numpy.ndarray, k: int, window: int, max_period: int, tolerance: float) -> numpy.ndarray:
    """Smallest period 2 ≤ p ≤ max_period of each active point's recent orbit, 0 where none.

    ``history[j % window]`` holds step j as an array of shape (n, N). A point has period p when
    θ_k ≈ θ_{k−p} and θ_{k−1} ≈ θ_{k−1−p} (to ``tolerance``) while its orbit points are distinct
    (some lag below p moved by more than √tolerance); then the smallest divisor of p whose points
    already coincide is reported (see :mod:`llgd_proof.dynamics`).
    """
    lags = numpy.arange(1, max_period + 1)
    last = history[k % window]
    scale = 1.0 + numpy.abs(last).max(axis=0)
    moved = numpy.abs(history[(k - lags) % window] - last).max(axis=1)  # (max_period, N), lag q at row q − 1
    minimal = numpy.zeros(last.shape[-1], dtype=numpy.int16)
    candidates = numpy.flatnonzero((moved <= tolerance * scale).any(axis=0))
    if not len(candidates):
        return minimal
    moved, scale = moved[:, candidates], scale[candidates]
    before = history[(k - 1) % window][:, candidates]
    moved_before = numpy.abs(history[(k - 1 - lags) % window][:, :, candidates] - before).max(axis=1)
    spread_floor = numpy.sqrt(tolerance) * scale
    close = (moved <= tolerance * scale) & (moved_before <= tolerance * scale)
    distinct = numpy.maximum.accumulate(moved, axis=0) >= spread_floor  # row q − 1: some lag ≤ q moved
    result = numpy.zeros(len(candidates), dtype=numpy.int16)
    for p in range(max_period, 1, -1):  # descending, so the smallest p wins
        result[close[p - 1] & distinct[p - 2]] = p
    smallest = numpy.zeros_like(result)
    for d in range(max_period, 1, -1):
        smallest[(result > 0) & (result % d == 0) & (moved[d - 1] < spread_floor)] = d
    minimal[candidates] = smallest
    return minimal
