"""Float64 batch gradient descent: many (h, θ0) at once, with the rules of :mod:`llgd_proof.engines.precise`.

The step comes from the objective's sympy gradient (derived once in :mod:`llgd_proof.symbolic.objective`),
compiled here with common-subexpression elimination into a *fused in-place* numpy kernel: every
intermediate is written into a buffer allocated once, and θ ← θ − h∇f(θ) updates the coordinates in
place. Stopping rules run on a schedule (every ``CHECK_EVERY`` steps, periodicity at steps 512,
1024, 2048, …) and the active set is compacted only when enough points have finished to pay for the
copy. Outcomes are decided by the one stopping rule, :class:`~llgd_proof.engines.stopping.StoppingRule`
(``numbers="numpy"``, float64 precision, tolerance τ = ``tolerance``), evaluated on the arrays of every
check — the same comparisons the high-precision engines make at each step:

* ``converged`` — critical (‖∇f‖·max(1, ‖θ‖) ≤ τ·max(1, |f|)) at a point of the minimiser set
  (f = ℓ(xᵀy): |xᵀy − μ| ≤ τ·max(1, |μ|); a general objective: ∇²f ⪰ 0 within √τ·max(1, S)).
* ``stationary`` — critical at a point that is not a minimiser (the saddle at the origin) where GD is
  held: ∇f = 0, or its component along the escape directions is rounding, or (no escape direction)
  ‖∇f‖ shrank since the previous check. Otherwise GD may still leave it, and the point keeps iterating.
* ``periodic`` — θ_k = θ_{k−p}, 2 ≤ p ≤ 64, on two consecutive steps, orbit points distinct.
* ``diverged`` — non-finite, or past the rule's bounds (|θ|∞ > 10¹⁰·max(1, |θ₀|∞) or |f| > 10³⁰·max(1, |f(θ₀)|)).
* ``undecided`` — anything else at the budget.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy
import sympy

from llgd_proof.engines.stopping import FLOAT64_DPS, KINDS, MAX_PERIOD, MINIMISER, POSITION_BOUND, Status, StoppingRule
from llgd_proof.errors import ParameterError
from llgd_proof.symbolic.functions import numpy_ufuncs
from llgd_proof.symbolic.objective import Objective, _stable_for_floats

STATUS_CODES = {Status.UNDECIDED: 0, Status.CONVERGED: 1, Status.PERIODIC: 2, Status.DIVERGED: 3, Status.STATIONARY: 4}
STATUS_NAMES = {code: status.value for status, code in STATUS_CODES.items()}
DEFAULT_TOLERANCE = 1e-10
CHECK_EVERY = 16
FIRST_PERIOD_CHECK = 512
DENSE_LOSS_STEPS = 1024
COMPACT_FRACTION = 0.25  # compact the active set once this fraction of it has finished


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


# -- the fused in-place kernel ---------------------------------------------------------------------

_UFUNCS = numpy_ufuncs()  # sympy head -> numpy ufunc, from the one translation table


class FusedKernel:
    """Gradient (and value) of an objective as one straight-line numpy program writing into fixed buffers.

    ``sympy.cse`` factors the expressions once; each node becomes one ufunc call with ``out=``.
    Nodes numpy has no in-place ufunc for (Piecewise, …) are evaluated by ``sympy.lambdify`` and
    copied in, so every objective compiles. ``bind(size)`` points the program at the first ``size``
    entries of the buffers (after the active set shrinks); ``gradient()``, ``value()`` and
    ``step(h)`` then run without allocating.
    """

    def __init__(self, objective: Objective, capacity: int):
        self.n = objective.n_variables
        self.capacity = capacity
        self._fallbacks: list = []
        self._buffers = 0
        value_expr = _stable_for_floats(objective.expr)
        gradient_source, gradient_outputs = self._program(list(objective.gradient), objective.variables, "gradient")
        both_source, both_outputs = self._program([value_expr, *objective.gradient], objective.variables, "both")  # shared subexpressions once
        (gradient_source, gradient_outputs), (both_source, both_outputs) = (
            _allocate(gradient_source, gradient_outputs), _allocate(both_source, both_outputs))
        self._buffers = 1 + max(int(name[1:]) for name in re.findall(r"\bb\d+\b", gradient_source + both_source) or ["b0"])
        self.capacity = 0
        self.reserve(capacity)
        variables = ", ".join(f"v{i}" for i in range(self.n))
        def updates(outputs):
            return "\n".join(f"    numpy.multiply(h, b{out}, out=b{out}); numpy.subtract(v{i}, b{out}, out=v{i})" for i, out in enumerate(outputs))

        source = (
            f"def make(numpy, buffers, columns, h, fallbacks):\n"
            f"  {variables}{',' if self.n == 1 else ''} = columns\n"
            f"  {', '.join(f'b{i}' for i in range(self._buffers))}{',' if self._buffers == 1 else ''} = buffers\n"
            f"  def gradient():\n{gradient_source or '    pass'}\n"
            f"  def both():\n{both_source or '    pass'}\n"
            f"  def step():\n{updates(gradient_outputs) or '    pass'}\n"
            f"  def step_both():\n{updates(both_outputs[1:]) or '    pass'}\n"
            f"  return gradient, both, step, step_both\n"
        )
        namespace: dict = {}
        exec(compile(source, "<llgd fused kernel>", "exec"), namespace)  # code generated from sympy, never from user text
        self._make = namespace["make"]
        self.gradient_outputs = gradient_outputs
        self.both_outputs = both_outputs
        self.last = "gradient"
        self.size = capacity
        self.bind(capacity)

    def reserve(self, capacity: int) -> None:
        """Make room for ``capacity`` points (the compiled program is kept; only the buffers grow)."""
        if capacity > self.capacity:
            self.capacity = capacity
            self.storage = numpy.empty((self._buffers, capacity))
            self.columns_storage = numpy.empty((self.n, capacity))
            self.h_storage = numpy.empty(capacity)

    def _new(self) -> int:
        self._buffers += 1
        return self._buffers - 1

    def _program(self, expressions, variables, label) -> tuple[str, list[int]]:
        replacements, reduced = sympy.cse(expressions)
        names = {v: f"v{i}" for i, v in enumerate(variables)}
        lines: list[str] = []
        conditions: dict = {}  # boolean subexpressions (Piecewise conditions) stay inside the expressions that use them
        for symbol, expression in replacements:
            expression = expression.xreplace(conditions)
            if isinstance(expression, sympy.logic.boolalg.Boolean):
                conditions[symbol] = expression
                continue
            names[symbol] = self._emit(expression, names, lines)
        reduced = [expression.xreplace(conditions) for expression in reduced]
        outputs = []
        for expression in reduced:
            result = self._emit(expression, names, lines)
            if not result.startswith("b") or result in names.values() or int(result[1:]) in outputs:
                # a variable, a constant or a shared subexpression: the step scales outputs in place, so copy
                target = self._new()
                lines.append(f"numpy.copyto(b{target}, {result})")
                result = f"b{target}"
            outputs.append(int(result[1:]))
        return "\n".join("    " + line for line in lines), outputs

    def _emit(self, expression, names: dict, lines: list[str]) -> str:
        """Emit code computing ``expression``; return the buffer name, variable name or a float literal."""
        if expression in names:
            return names[expression]
        if expression.is_Number or (expression.is_number and expression.is_real and not expression.free_symbols):
            return repr(float(expression))
        func = type(expression).__name__
        args = expression.args
        if isinstance(expression, (sympy.Add, sympy.Mul)):
            ufunc = "add" if isinstance(expression, sympy.Add) else "multiply"
            constants = [a for a in args if a.is_number]
            terms = [self._emit(a, names, lines) for a in args if not a.is_number]
            constant = float(sum(constants) if isinstance(expression, sympy.Add) else sympy.Mul(*constants)) if constants else None
            target = f"b{self._new()}"
            if constant is not None and not (ufunc == "multiply" and constant == -1.0 and len(terms) == 1):
                terms = [repr(constant)] + terms
            elif constant == -1.0:
                lines.append(f"numpy.negative({terms[0]}, out={target})")
                return target
            if len(terms) == 1:
                lines.append(f"numpy.copyto({target}, {terms[0]})")
            else:
                lines.append(f"numpy.{ufunc}({terms[0]}, {terms[1]}, out={target})")
                for term in terms[2:]:
                    lines.append(f"numpy.{ufunc}({target}, {term}, out={target})")
            return target
        if isinstance(expression, sympy.Pow) and expression.exp.is_number:
            base, exponent = self._emit(expression.base, names, lines), expression.exp
            target = f"b{self._new()}"
            if exponent == 2:
                lines.append(f"numpy.square({base}, out={target})")
            elif exponent == -1:
                lines.append(f"numpy.divide(1.0, {base}, out={target})")
            elif exponent == sympy.Rational(1, 2):
                lines.append(f"numpy.sqrt({base}, out={target})")
            elif exponent == sympy.Rational(-1, 2):
                lines.append(f"numpy.sqrt({base}, out={target}); numpy.divide(1.0, {target}, out={target})")
            elif exponent == -2:
                lines.append(f"numpy.square({base}, out={target}); numpy.divide(1.0, {target}, out={target})")
            else:
                lines.append(f"numpy.power({base}, {float(exponent)!r}, out={target})")
            return target
        if func in _UFUNCS and len(args) == 1:
            argument = self._emit(args[0], names, lines)
            target = f"b{self._new()}"
            lines.append(f"numpy.{_UFUNCS[func]}({argument}, out={target})")
            return target
        if func == "logaddexp" and len(args) == 2 and sympy.expand(args[0] + args[1]) == 0:
            # logaddexp(u, −u) = |u| + log1p(exp(−2|u|)), bit for bit the general formula below: −u is exact,
            # u − (−u) = 2u is exact (an overflow gives ±inf on both sides), so −|u − (−u)| = −2|u|, and
            # max(−u, u) = |u| (±0 and NaN included, as the sum with log1p(1) or NaN shows) — 3 ufuncs fewer
            inner = args[1] if args[0].could_extract_minus_sign() else args[0]
            magnitude = self._emit(inner, names, lines)
            target, spread = f"b{self._new()}", f"b{self._new()}"
            lines.append(f"numpy.absolute({magnitude}, out={target}); numpy.multiply(-2.0, {target}, out={spread})")
            lines.append(f"numpy.exp({spread}, out={spread}); numpy.log1p({spread}, out={spread}); numpy.add({target}, {spread}, out={target})")
            return target
        if func == "logaddexp" and len(args) == 2:  # max(a, b) + log1p(exp(−|a − b|)): SIMD ufuncs, 5× numpy.logaddexp
            first, second = (self._emit(a, names, lines) for a in args)
            target, spread = f"b{self._new()}", f"b{self._new()}"
            lines.append(f"numpy.subtract({first}, {second}, out={spread}); numpy.absolute({spread}, out={spread}); numpy.negative({spread}, out={spread})")
            lines.append(f"numpy.exp({spread}, out={spread}); numpy.log1p({spread}, out={spread})")
            lines.append(f"numpy.maximum({first}, {second}, out={target}); numpy.add({target}, {spread}, out={target})")
            return target
        # anything else (Piecewise, special functions): evaluated by lambdify, copied into a buffer
        free = sorted((s for s in expression.free_symbols if s in names), key=str)
        function = sympy.lambdify(free, expression, modules="numpy")
        self._fallbacks.append(function)
        target = f"b{self._new()}"
        call = f"fallbacks[{len(self._fallbacks) - 1}]({', '.join(names[s] for s in free)})"
        lines.append(f"numpy.copyto({target}, numpy.broadcast_to({call}, {target}.shape))")
        return target

    def bind(self, size: int, uniform_h: float | None = None) -> None:
        """Work on the first ``size`` entries of every buffer from now on (one step for all: ``uniform_h``, a scalar)."""
        self.size = size
        self.uniform_h = uniform_h
        self.buffers = [row[:size] for row in self.storage]
        self.columns = [row[:size] for row in self.columns_storage]
        self.h = self.h_storage[:size]
        step = self.h if uniform_h is None else uniform_h
        self._gradient, self._both, self._step, self._step_both = self._make(numpy, self.buffers, self.columns, step, self._fallbacks)

    def gradient(self) -> None:
        """∇f at the current points, into the gradient buffers."""
        self._gradient()
        self.last = "gradient"

    def value_and_gradient(self) -> None:
        """f and ∇f at the current points (one program: shared subexpressions computed once)."""
        self._both()
        self.last = "both"

    def step(self) -> None:
        """θ ← θ − h∇f(θ) in place, with the gradient computed last."""
        (self._step if self.last == "gradient" else self._step_both)()

    def gradients(self) -> list[numpy.ndarray]:
        outputs = self.gradient_outputs if self.last == "gradient" else self.both_outputs[1:]
        return [self.buffers[i] for i in outputs]

    def loss(self) -> numpy.ndarray:
        return self.buffers[self.both_outputs[0]]


def _allocate(source: str, outputs: list[int]) -> tuple[str, list[int]]:
    """Rename the program's buffers so that one whose last use has passed is reused (a linear scan).

    Every intermediate of the generated program had a buffer of its own; here a buffer is recycled once
    the statement that reads it last has run, so the working set of a step stays in cache. The same
    ufuncs run on the same values (an elementwise ufunc may write over its own input), so results are
    bit for bit unchanged. Outputs keep a buffer to themselves, reused by no one.
    """
    statements = [statement.strip() for line in source.splitlines() for statement in line.split(";") if statement.strip()]
    def written(statement):
        match = re.search(r"out=(b\d+)\)$", statement) or re.match(r"numpy\.copyto\((b\d+),", statement)
        return match.group(1) if match else None
    pinned = {f"b{out}" for out in outputs}
    while True:  # drop statements computing a buffer nothing else reads (such as −u once logaddexp(u, −u) uses |u|)
        read = {name for statement in statements for name in re.findall(r"\bb\d+\b", statement) if name != written(statement)}
        dead = [statement for statement in statements if written(statement) not in read | pinned | {None}]
        if not dead:
            break
        statements = [statement for statement in statements if statement not in dead]
    last_use: dict[str, int] = {}
    for position, statement in enumerate(statements):
        for name in re.findall(r"\bb\d+\b", statement):
            last_use[name] = position
    pinned = {f"b{out}" for out in outputs}
    mapping: dict[str, str] = {}
    free: list[int] = []
    used = 0
    renamed = []
    for position, statement in enumerate(statements):
        target = written(statement)
        names = set(re.findall(r"\bb\d+\b", statement))
        if target is not None and target not in mapping:
            # free the inputs read for the last time here first: writing over a dying input is safe elementwise,
            # but only when the statement reads it (not a buffer used later in the same line, hence per statement)
            for name in sorted(names - {target}):
                if last_use[name] == position and name not in pinned and name in mapping:
                    free.append(int(mapping[name][1:]))
            free.sort()
            if free:
                mapping[target] = f"b{free.pop(0)}"
            else:
                mapping[target] = f"b{used}"
                used += 1
            names.discard(target)
        else:
            for name in sorted(names):
                if last_use[name] == position and name not in pinned and name in mapping and name != target:
                    free.append(int(mapping[name][1:]))
        renamed.append(re.sub(r"\bb\d+\b", lambda m: mapping[m.group(0)], statement))
        # inputs freed above and still named here are dead after this statement; nothing else to do
    return "\n".join("    " + statement for statement in renamed), [int(mapping[f"b{out}"][1:]) for out in outputs]


_KERNELS: dict[tuple, FusedKernel] = {}


def fused_kernel(objective: Objective, capacity: int) -> FusedKernel:
    """One kernel per (objective, thread), with room for ``capacity`` points: compiling costs more than many
    steps, and a thread of Dask's threaded scheduler must never share buffers with another."""
    key = (objective, threading.get_ident())
    if key not in _KERNELS:
        if len(_KERNELS) > 32:
            _KERNELS.clear()
        _KERNELS[key] = FusedKernel(objective, capacity)
    kernel = _KERNELS[key]
    kernel.reserve(capacity)
    return kernel


# -- the engine --------------------------------------------------------------------------------------


def batch_gradient_descent(
    objective: Objective,
    h,
    init,
    *,
    max_steps: int = 20_000,
    tolerance: float = DEFAULT_TOLERANCE,
    max_period: int = MAX_PERIOD,
    divergence_bound: float = POSITION_BOUND,
    loss_every_step: bool = False,
    dense_loss_steps: int = DENSE_LOSS_STEPS,
) -> BatchRun:
    """Run GD for every row of ``init`` (shape (N, n)) with steps ``h`` (scalar or shape (N,)).

    Checks run every ``CHECK_EVERY`` steps (so ``steps`` is exact to within that many), the
    periodicity test at steps 512, 1024, 2048, … and at the budget, on the states recorded just
    before it (so a periodic point is reported at the first such step after it settles). The
    loss is tracked on every one of the first ``dense_loss_steps`` steps (default ``DENSE_LOSS_STEPS``,
    where catapult spikes happen) and at every check after that; ``loss_every_step=True`` tracks it on
    every step.
    """
    theta = numpy.array(init, dtype=float, ndmin=2)
    count, n = theta.shape
    if n != objective.n_variables:
        raise ParameterError(f"each start needs {objective.n_variables} values, got {n}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, numpy.integer)) or max_steps < 0:
        raise ParameterError(f"the step budget must be a non-negative integer, got {max_steps!r}")
    all_h = numpy.broadcast_to(numpy.asarray(h, dtype=float), (count,)).copy()
    status = numpy.zeros(count, dtype=numpy.int8)
    steps = numpy.full(count, max_steps, dtype=numpy.int64)
    period = numpy.zeros(count, dtype=numpy.int16)
    final = theta.copy()
    max_loss = numpy.full(count, -numpy.inf)
    initial_loss = numpy.full(count, numpy.nan)
    if count == 0:
        return BatchRun(status, steps, period, all_h, theta, final, initial_loss, max_loss)
    kernel = fused_kernel(objective, count)
    uniform_h = float(all_h[0]) if numpy.all(all_h == all_h[0]) else None  # a scalar h multiplies faster than an array
    kernel.bind(count, uniform_h)
    kernel.columns_storage[:, :count] = theta.T
    kernel.h_storage[:count] = all_h
    rule = StoppingRule(objective, tolerance, FLOAT64_DPS, numbers="numpy")
    window = 2 * max_period + 2
    with numpy.errstate(over="ignore"):  # a start near the float limit gets an infinite bound (diverges by non-finiteness)
        bound = divergence_bound * numpy.maximum(1.0, numpy.abs(theta).max(axis=1))
    active = _Active(
        index=numpy.arange(count),
        bound=bound,
        loss_bound=numpy.full(count, numpy.inf),
        bound_floor=float(numpy.min(bound)),
        loss_bound_floor=numpy.inf,
        previous_norm=numpy.full(count, numpy.nan),
        scratch=numpy.empty((4, count)),
        flags=numpy.empty((2, count), dtype=bool),
        max_loss=numpy.full(count, -numpy.inf),
        live=numpy.ones(count, dtype=bool),
        history=None,
    )

    def finish(mask: numpy.ndarray, code: int, at_step: int, periods=None) -> None:
        """Record the points in ``mask`` (within the bound size) as finished with ``code``."""
        mask = mask & active.live
        if not mask.any():
            return
        indices = active.index[mask]
        status[indices] = code
        steps[indices] = at_step
        final[indices] = numpy.stack([c[mask] for c in kernel.columns], axis=1)
        max_loss[indices] = active.max_loss[mask]
        if periods is not None:
            period[indices] = periods[mask]
        active.live &= ~mask

    def compact() -> None:
        keep = numpy.flatnonzero(active.live)
        size = len(keep)
        for row in kernel.columns_storage:
            row[:size] = row[: kernel.size][keep]
        kernel.h_storage[:size] = kernel.h_storage[: kernel.size][keep]
        active.index, active.bound, active.max_loss = active.index[keep], active.bound[keep], active.max_loss[keep]
        active.loss_bound, active.previous_norm = active.loss_bound[keep], active.previous_norm[keep]
        active.live = numpy.ones(size, dtype=bool)
        if active.history is not None:
            active.history = active.history[:, :, keep]
        kernel.bind(size, kernel.uniform_h)

    with numpy.errstate(all="ignore"):
        k = 0
        next_period_check = min(FIRST_PERIOD_CHECK, max_steps)
        remaining = count
        while remaining:
            checking = k % CHECK_EVERY == 0 or k == max_steps
            if checking or k < dense_loss_steps or loss_every_step:
                kernel.value_and_gradient()
                loss = kernel.loss()
                if k == 0:
                    initial_loss[:] = loss
                    active.loss_bound = rule.bounds(1.0, loss)[1]
                    active.loss_bound_floor = float(numpy.min(active.loss_bound))
                numpy.fmax(active.max_loss, loss, out=active.max_loss)
            else:
                kernel.gradient()
            if checking:
                remaining = _check(kernel, active, finish, k, rule, loss)
                if remaining and k == next_period_check and k >= window:
                    next_period_check = min(2 * k, max_steps) if k < max_steps else -1
                    periods = _periods(active.history, k, window, max_period, tolerance)
                    found = periods > 0
                    finish(found, STATUS_CODES[Status.PERIODIC], k, periods)
                    remaining = int(active.live.sum())
                if remaining and remaining <= (1 - COMPACT_FRACTION) * kernel.size:
                    compact()
                    kernel.value_and_gradient()  # the buffers were re-bound; recompute for the survivors
                    numpy.fmax(active.max_loss, kernel.loss(), out=active.max_loss)
            if k == max_steps or not remaining:
                break
            kernel.step()
            k += 1
            if 0 <= next_period_check - k < window:
                if active.history is None or active.history.shape[2] != kernel.size:
                    active.history = numpy.empty((window, n, kernel.size))  # each slot is written before it is read
                for i, column in enumerate(kernel.columns):
                    active.history[k % window, i] = column
    if active.live.any():
        final[active.index[active.live]] = numpy.stack([c[active.live] for c in kernel.columns], axis=1)
        max_loss[active.index[active.live]] = active.max_loss[active.live]
    return BatchRun(status, steps, period, all_h, theta, final, initial_loss, max_loss)


def _check(kernel, active, finish, k: int, rule: StoppingRule, loss: numpy.ndarray) -> int:
    """The stopping rule at step ``k`` on every live point (divergence, then rules 1–3); returns how many remain live.

    Written into ``active``'s scratch buffers (a temporary of a large batch costs a fresh mapping of memory)."""
    size = kernel.size
    gradient_norm, theta_norm, left, right = (row[:size] for row in active.scratch)
    flag, bad = (row[:size] for row in active.flags)
    gradient = kernel.gradients()
    numpy.absolute(gradient[0], out=gradient_norm)
    numpy.absolute(kernel.columns[0], out=theta_norm)
    for g, c in zip(gradient[1:], kernel.columns[1:]):
        numpy.fmax(gradient_norm, numpy.absolute(g, out=left), out=gradient_norm)
        numpy.fmax(theta_norm, numpy.absolute(c, out=left), out=theta_norm)
    absolute_loss = numpy.absolute(loss, out=right)
    live = active.live
    # screens on three reductions over the live points (NaN or ∞ anywhere fails them): only when one fails is the
    # rule's elementwise comparison made — the same comparisons, skipped only where they cannot fire
    largest_gradient = numpy.maximum.reduce(gradient_norm, where=live, initial=0.0)  # (ufunc reductions: no Python wrapper)
    largest_loss = numpy.maximum.reduce(absolute_loss, where=live, initial=0.0)
    if not (largest_gradient < numpy.inf and numpy.maximum.reduce(theta_norm, where=live, initial=0.0) <= active.bound_floor and largest_loss <= active.loss_bound_floor):
        numpy.isfinite(gradient_norm, out=bad)
        bad &= numpy.less_equal(theta_norm, active.bound, out=flag)  # NaN compares false: bad too
        bad &= numpy.less_equal(absolute_loss, active.loss_bound, out=flag)
        numpy.logical_not(bad, out=bad)
        finish(bad, STATUS_CODES[Status.DIVERGED], k)
    # rule 1 needs ‖∇f‖ ≤ τ·max(1, |f|) ≤ τ·max(1, max |f|) (as max(1, ‖θ‖) ≥ 1): no live point below it, none is critical
    if not numpy.minimum.reduce(gradient_norm, where=live, initial=numpy.inf) <= rule.tolerance * max(1.0, largest_loss):
        active.previous_norm[:] = gradient_norm
        return int(live.sum())
    critical = rule.critical(theta_norm, loss, gradient_norm, scratch=(left, right, flag))
    critical &= active.live
    if critical.any():
        candidates = numpy.flatnonzero(critical)
        kinds, along = rule.classify_points([c[candidates] for c in kernel.columns], loss[candidates], [g[candidates] for g in gradient])
        minimum = numpy.zeros_like(critical)
        minimum[candidates[kinds == KINDS.index(MINIMISER)]] = True
        finish(minimum, STATUS_CODES[Status.CONVERGED], k)
        other = (kinds != 0) & (kinds != KINDS.index(MINIMISER))
        held = numpy.zeros_like(critical)
        held[candidates[other]] = rule.held_points(gradient_norm[candidates[other]], along[other], active.previous_norm[candidates[other]])
        finish(held, STATUS_CODES[Status.STATIONARY], k)
    active.previous_norm[:] = gradient_norm
    return int(active.live.sum())


@dataclass
class _Active:
    """Bookkeeping of the points in the kernel's buffers: their indices, bounds, largest losses, live flags."""

    index: numpy.ndarray
    bound: numpy.ndarray  # |θ|∞ past it: diverged
    loss_bound: numpy.ndarray  # |f| past it: diverged
    bound_floor: float  # min of ``bound`` (a screen: |θ|∞ below it is below every point's bound)
    loss_bound_floor: float  # min of ``loss_bound``
    previous_norm: numpy.ndarray  # ‖∇f‖∞ at the previous check (NaN before the first)
    scratch: numpy.ndarray  # (4, N) floats for the check
    flags: numpy.ndarray  # (2, N) bools for the check
    max_loss: numpy.ndarray
    live: numpy.ndarray
    history: numpy.ndarray | None


def _periods(history: numpy.ndarray, k: int, window: int, max_period: int, tolerance: float) -> numpy.ndarray:
    """Smallest period 2 ≤ p ≤ max_period of each active point's recent orbit, 0 where none.

    ``history[j % window]`` holds step j as an array of shape (n, N). A point has period p when
    θ_k ≈ θ_{k−p} and θ_{k−1} ≈ θ_{k−1−p} (to ``tolerance``) while its orbit points are distinct
    (some lag below p moved by more than √tolerance); then the smallest divisor of p whose points
    already coincide is reported (see :mod:`llgd_proof.engines.precise`).
    """
    lags = range(1, max_period + 1)
    last = history[k % window]
    scale = 1.0 + numpy.abs(last).max(axis=0)
    minimal = numpy.zeros(last.shape[-1], dtype=numpy.int16)
    moved = _lag_distances(history, last, [(k - lag) % window for lag in lags])  # (max_period, N), lag q at row q − 1
    spread_floor = numpy.sqrt(max(tolerance, 1e-300)) * scale  # "distinct" stays strict even at tolerance 0
    candidates = numpy.flatnonzero((moved.min(axis=0) <= tolerance * scale) & (moved.max(axis=0) >= spread_floor))
    if not len(candidates):
        return minimal
    moved, scale, spread_floor = moved[:, candidates], scale[candidates], spread_floor[candidates]
    before = history[(k - 1) % window][:, candidates]
    moved_before = _lag_distances(history, before, [(k - 1 - lag) % window for lag in lags], candidates)
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


def _lag_distances(history: numpy.ndarray, reference: numpy.ndarray, slots: list[int], columns=None) -> numpy.ndarray:
    """max over coordinates of |history[slot] − reference|, one row per slot, computed in place row by row."""
    n, size = reference.shape
    distances = numpy.empty((len(slots), size))
    difference = numpy.empty(size)
    for row, slot in zip(distances, slots):
        past = history[slot] if columns is None else history[slot][:, columns]
        numpy.subtract(past[0], reference[0], out=row)
        numpy.absolute(row, out=row)
        for i in range(1, n):
            numpy.subtract(past[i], reference[i], out=difference)
            numpy.absolute(difference, out=difference)
            numpy.fmax(row, difference, out=row)
    return distances
