"""Regularity atlas and learning-rate sweeps: which losses give EoS, balancing and catapult from more starts.

:func:`atlas` runs the float64 batch engine from many starts (random samples or a grid over a box of
|x0|, |y0|) for each loss at one step h, and summarises the fractions that converge / diverge / end
periodic / stay undecided, and — among converged starts — the fractions showing EoS, catapult and
balancing, with the median EoS ratio. :func:`sweep` runs one start over a range of h (a bifurcation /
phase diagram). Both can re-run K random points with the mpmath engine (``confirm``) and report the
agreement rate.

Long runs behave: the starts are cut into chunks run on every core; each finished chunk is written
to a cache directory keyed by (loss, h, box, resolution, seed, budget), so an interrupted run resumes
without redoing finished chunks and Ctrl-C loses nothing that was finished.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import mpmath
import numpy

from . import __version__
from .batch import STATUS_CODES, STATUS_NAMES, BatchRun, batch_gradient_descent
from .dynamics import Status, gradient_descent
from .errors import ParameterError
from .losses import parse_loss_spec
from .objective import Objective, product_objective
from .phenomena import observe_batch
from .regularity import report_for

CHUNK = 2500
STATUSES = [Status.CONVERGED, Status.DIVERGED, Status.PERIODIC, Status.UNDECIDED]


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


# -- chunked, cached, parallel batch runs -------------------------------------------------------

_OBJECTIVES: dict[tuple, Objective] = {}


def _objective(spec: str, mu=None) -> Objective:
    """f = ℓ(xy) for a loss spec (compiled once per process: workers build their own)."""
    if (spec, mu) not in _OBJECTIVES:
        _OBJECTIVES[spec, mu] = product_objective(parse_loss_spec(spec, mu=mu))
    return _OBJECTIVES[spec, mu]


def _run_chunk(job: tuple) -> dict:
    spec, mu, h, starts, max_steps = job
    result = batch_gradient_descent(_objective(spec, mu), h, starts, max_steps=max_steps)
    return {name: getattr(result, name) for name in ("status", "steps", "period", "h", "initial", "final", "initial_loss", "max_loss")}


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "llgd_proof"


def _cache_key(**parts) -> str:
    text = json.dumps({**parts, "version": __version__}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def run_starts(
    spec: str,
    h: float | numpy.ndarray,
    starts: numpy.ndarray,
    *,
    mu=None,
    max_steps: int,
    key: dict,
    cache_dir: Path | None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[BatchRun, dict]:
    """Run the batch engine over ``starts`` in chunks (all cores), reusing cached chunks."""
    steps_h = numpy.broadcast_to(numpy.asarray(h, dtype=float), (len(starts),))
    chunks = [(i, slice(i, min(i + CHUNK, len(starts)))) for i in range(0, len(starts), CHUNK)]
    folder = None
    if cache_dir is not None:
        folder = Path(cache_dir) / _cache_key(loss=spec, mu=mu, **key)
        folder.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict] = {}
    pending = []
    for index, part in chunks:
        path = folder / f"chunk-{index}.npz" if folder else None
        if path is not None and path.exists():
            with numpy.load(path) as stored:
                results[index] = {name: stored[name] for name in stored.files}
        else:
            pending.append((index, part, path))
    stats = {"chunks": len(chunks), "cached": len(chunks) - len(pending), "computed": 0}
    done = stats["cached"]
    if progress:
        progress(done, len(chunks))
    jobs = [(spec, mu, steps_h[part], starts[part], max_steps) for _, part, _ in pending]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if jobs and workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_run_chunk, job): (index, path) for job, (index, _, path) in zip(jobs, pending)}
            try:
                for future in as_completed(futures):  # store each chunk the moment it is finished
                    index, path = futures[future]
                    results[index] = _store(future.result(), path)
                    done, stats["computed"] = done + 1, stats["computed"] + 1
                    if progress:
                        progress(done, len(chunks))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    else:
        for (index, _, path), job in zip(pending, jobs):
            results[index] = _store(_run_chunk(job), path)
            done, stats["computed"] = done + 1, stats["computed"] + 1
            if progress:
                progress(done, len(chunks))
    merged = {name: numpy.concatenate([results[i][name] for i, _ in chunks]) for name in results[chunks[0][0]]}
    return BatchRun(**merged), stats


def _store(result: dict, path: Path | None) -> dict:
    """Write a finished chunk atomically (so Ctrl-C never leaves half a file)."""
    if path is not None:
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        os.close(handle)
        numpy.savez(temporary, **result)
        os.replace(temporary, path)
    return result


# -- atlas -----------------------------------------------------------------------------------------


@dataclass
class LossAtlas:
    spec: str
    description: str
    regularity_class: str
    run: BatchRun
    phenomena: dict
    confirm: dict | None = None

    def summary(self) -> dict:
        count = len(self.run.status)
        fractions = {status.value: self.run.fraction(status) for status in STATUSES}
        converged = self.run.status == STATUS_CODES[Status.CONVERGED]
        among = {}
        for name in ("eos", "catapult", "balancing"):
            among[name] = float(numpy.mean(self.phenomena[name][converged])) if converged.any() else None
        ratios = self.phenomena["eos_ratio"][converged]
        return {
            "loss": self.spec,
            "description": self.description,
            "regularity_class": self.regularity_class,
            "starts": count,
            "counts": {status.value: int(numpy.sum(self.run.status == STATUS_CODES[status])) for status in STATUSES},
            "fractions": fractions,
            "among_converged": among,
            "median_eos_ratio": float(numpy.median(ratios)) if len(ratios) else None,
            "confirm": self.confirm,
        }


@dataclass
class AtlasResult:
    h: float
    box: Box
    mode: str
    resolution: int
    log_scale: bool
    same_sign: bool
    seed: int
    max_steps: int
    delta: float
    balance_fraction: float
    starts: numpy.ndarray
    losses: list[LossAtlas] = field(default_factory=list)
    cache: dict = field(default_factory=dict)
    elapsed: float = 0.0

    def as_json(self) -> dict:
        return {
            "h": self.h,
            "box": self.box.as_list(),
            "mode": self.mode,
            "resolution": self.resolution,
            "log_box": self.log_scale,
            "same_sign": self.same_sign,
            "seed": self.seed,
            "max_steps": self.max_steps,
            "delta": self.delta,
            "balance_fraction": self.balance_fraction,
            "losses": [loss.summary() for loss in self.losses],
            "cache": self.cache,
            "elapsed_seconds": round(self.elapsed, 2),
        }


def atlas(
    losses: Sequence[str],
    h: float,
    *,
    mu=None,
    box: Box = Box(0.05, 30, 0.01, 5),
    samples: int | None = None,
    grid: int | None = None,
    log_scale: bool = False,
    same_sign: bool = True,
    seed: int = 0,
    max_steps: int = 20_000,
    delta: float = 0.25,
    balance_fraction: float = 0.5,
    confirm: int = 0,
    cache_dir: Path | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> AtlasResult:
    """The atlas of ``losses`` at step ``h`` (see module doc)."""
    import time

    if not (numpy.isfinite(h) and h > 0):
        raise ParameterError(f"the step h must be a finite positive number, got {h}")
    if not 0 <= delta < 1 or not 0 < balance_fraction < 1:
        raise ParameterError("delta must lie in [0, 1) and the balance fraction in (0, 1)")
    objectives = {spec: _objective(spec, mu) for spec in losses}  # validates every loss up front
    started = time.perf_counter()
    starts = make_starts(box, samples=samples, grid=grid, log_scale=log_scale, same_sign=same_sign, seed=seed)
    mode = "samples" if samples is not None else "grid"
    result = AtlasResult(h, box, mode, samples or grid, log_scale, same_sign, seed, max_steps, delta, balance_fraction, starts)
    totals = {"chunks": 0, "cached": 0, "computed": 0}
    for spec, objective in objectives.items():
        key = {"h": h, "box": box.as_list(), "mode": mode, "resolution": samples or grid, "log": log_scale, "same_sign": same_sign, "seed": seed, "max_steps": max_steps}
        run, stats = run_starts(
            spec, h, starts, mu=mu, max_steps=max_steps, key=key, cache_dir=cache_dir, workers=workers,
            progress=(lambda done, total, spec=spec: progress(spec, done, total)) if progress else None,
        )
        totals = {k: totals[k] + stats[k] for k in totals}
        phenomena = observe_batch(objective, run, delta=delta, balance_fraction=balance_fraction)
        entry = LossAtlas(spec, objective.describe(), report_for(objective.loss).regularity_class, run, phenomena)
        if confirm:
            entry.confirm = confirm_points(objective, run, confirm, seed=seed, max_steps=max_steps)
        result.losses.append(entry)
    result.cache = totals
    result.elapsed = time.perf_counter() - started
    return result


def confirm_points(objective: Objective, run: BatchRun, count: int, *, seed: int = 0, max_steps: int = 20_000, dps: int = 30) -> dict:
    """Re-run ``count`` random points with the mpmath engine: same status (and limit, when converged)?"""
    rng = numpy.random.default_rng(seed + 1)
    chosen = rng.choice(len(run.status), size=min(count, len(run.status)), replace=False)
    agree, disagreements = 0, []
    for index in chosen:
        high = gradient_descent(objective, float(run.h[index]), [float(v) for v in run.initial[index]], dps=dps, max_steps=max_steps, tolerance=mpmath.mpf("1e-10"))
        status = STATUS_NAMES[int(run.status[index])]
        same = high.status.value == status
        if same and high.status is Status.CONVERGED:
            same = numpy.allclose([float(v) for v in high.final], run.final[index], rtol=1e-6, atol=1e-8)
        if same or Status.UNDECIDED.value in (status, high.status.value):
            agree += same
        if not same:
            disagreements.append({"start": run.initial[index].tolist(), "batch": status, "mpmath": high.status.value})
    return {"checked": len(chosen), "agreement": agree / len(chosen) if len(chosen) else None, "disagreements": disagreements[:5]}


# -- sweep -----------------------------------------------------------------------------------------


def sweep(
    spec: str,
    h_values: numpy.ndarray,
    init: Sequence[float],
    *,
    mu=None,
    max_steps: int = 20_000,
    confirm: int = 0,
    seed: int = 0,
) -> dict:
    """One start over many steps h: the bifurcation / phase diagram (float64 batch engine)."""
    objective = _objective(spec, mu)
    if len(init) != 2:
        raise ParameterError(f"the start needs 2 values (x, y), got {len(init)}")
    h_values = numpy.asarray(h_values, dtype=float)
    if not (numpy.all(numpy.isfinite(h_values)) and numpy.all(h_values > 0)) or not numpy.all(numpy.isfinite(init)):
        raise ParameterError("steps must be finite and positive, and the start finite")
    starts = numpy.tile(numpy.asarray(init, dtype=float), (len(h_values), 1))
    run = batch_gradient_descent(objective, h_values, starts, max_steps=max_steps)
    phenomena = observe_batch(objective, run)
    orbits = _orbits(objective, run)
    rows = []
    for i, h in enumerate(h_values):
        status = STATUS_NAMES[int(run.status[i])]
        rows.append(
            {
                "h": float(h),
                "status": status,
                "steps": int(run.steps[i]),
                "period": int(run.period[i]) or None,
                "limit": orbits[i] if status == "periodic" else (run.final[i].tolist() if status != "diverged" else None),
                "eos_ratio": _finite(phenomena["eos_ratio"][i]),
                "max_loss_ratio": _finite(phenomena["max_loss_ratio"][i]),
                "imbalance_final": _finite(phenomena["imbalance_final"][i]),
                "initial_sharpness": _finite(phenomena["initial_sharpness"][i]),
                "final_sharpness": _finite(phenomena["final_sharpness"][i]),
            }
        )
    result = {"loss": spec, "mu": float(objective.minimiser_value), "objective": objective.describe(), "init": list(map(float, init)), "max_steps": max_steps, "rows": rows}
    if confirm:
        result["confirm"] = confirm_points(objective, run, confirm, seed=seed, max_steps=max_steps)
    return result


def _orbits(objective: Objective, run: BatchRun) -> list:
    """For periodic points, the orbit: ``period`` further float64 steps from the final state."""
    gradient = objective.compiled("numpy").gradient
    orbits = []
    for i in range(len(run.status)):
        period = int(run.period[i])
        if not period:
            orbits.append(None)
            continue
        point, orbit = run.final[i].astype(float), []
        for _ in range(period):
            orbit.append(point.tolist())
            point = point - run.h[i] * numpy.array([float(g) for g in gradient(*point)])
        orbits.append(orbit)
    return orbits


def _finite(value) -> float | None:
    value = float(value)
    return value if numpy.isfinite(value) else None
