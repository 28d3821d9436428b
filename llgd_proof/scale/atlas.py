"""Regularity atlas and learning-rate sweeps: which losses give EoS, balancing and catapult from more starts.

:func:`atlas` runs the float64 batch engine from many starts (random samples or a grid over a box of
|x0|, |y0|) for each loss at one or several steps h; :func:`sweep` runs one start over a range of h
(a bifurcation / phase diagram). Both are the same job: a grid (loss, h, sample) of GD runs.

The job is a Dask graph of chunks (:func:`run_starts`): by default Dask's local multiprocessing
scheduler with one worker process per core (forked where that is safe, so they start at once with every
loss compiled: :func:`~llgd_proof.scale.workers.process_context`; none outlives the call), or the calling
thread alone when there is one chunk or one worker; with ``scheduler=ADDRESS`` (or ``DASK_SCHEDULER_ADDRESS``) the same graph runs on a
``dask.distributed`` cluster, and ``scheduler="threads"`` / ``"sync"`` pick Dask's other local
schedulers. Processes, not threads: near the edge of stability every chunk ends with a tail of a few
starts that need most of the step budget, stepped by numpy calls on a handful of points, which hold the
GIL for most of their time — threads share one core there (``benchmarks/bench_atlas.py`` measures
both). Chunking is deterministic and every chunk is computed from its own arguments only, so the
arrays are identical whatever runs them.

Each chunk is written, the moment it is finished, into a Zarr store laid out as an
``xarray.Dataset`` (dims loss, h, sample; variables status, steps, period, final_x/final_y, eos_ratio,
max_loss_ratio, imbalance_ratio, …), with the run's parameters in the store's attributes and a
checksum of every chunk's contents in the ``checksum`` variable. When the chunks run in this process,
a new store's arrays are created while the first one computes (it waits for them only to write). Re-running the same command
skips valid chunks (an interrupt loses at most the chunks in flight); a chunk that fails to load or to
validate (shape, dtype, checksum) is recomputed with a one-line warning; a store made with other
parameters is refused with a sentence.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy

from llgd_proof.analysis.regularity import report_for
from llgd_proof.analysis.starts import Box, make_starts
from llgd_proof.engines.batch import STATUS_NAMES, BatchRun, batch_gradient_descent
from llgd_proof.engines.phenomena import observe_batch
from llgd_proof.errors import ParameterError, StoreWarning
from llgd_proof.scale.store import (
    CHUNK,
    DESCRIPTIONS,
    FLOAT_VARIABLES,
    MAX_STEPS_LIMIT,
    VARIABLES,
    Job,
    _checksum,
    _created,
    _open_or_create,
    _write_chunk,
    check_size,
    usable_cache_dir,
)
from llgd_proof.scale.summary import _as_grid, confirm_points
from llgd_proof.scale.workers import _scheduler_address, probe_scheduler, run_graph
from llgd_proof.symbolic.losses import parse_loss_spec
from llgd_proof.symbolic.objective import Objective, product_objective

# -- the job: a grid (loss, h, sample) of GD runs, cut into chunks ------------------------------------











# -- one chunk: load and validate, or compute and write ---------------------------------------------

_OBJECTIVES: dict[tuple, Objective] = {}
_OBJECTIVES_LOCK = threading.Lock()


def _objective(spec: str, mu=None) -> Objective:
    """f = ℓ(xy) for a loss spec, built and compiled once per process (Dask workers build their own)."""
    with _OBJECTIVES_LOCK:
        if (spec, mu) not in _OBJECTIVES:
            objective = product_objective(parse_loss_spec(spec, mu=mu))
            objective.compiled("numpy")
            _OBJECTIVES[spec, mu] = objective
        return _OBJECTIVES[spec, mu]


def run_batch(spec: str, h: numpy.ndarray, starts: numpy.ndarray, *, mu=None, max_steps: int, delta: float = 0.25, balance_fraction: float = 0.5) -> dict:
    """The batch engine and the phenomena for one chunk: every variable of the store as a flat array."""
    objective = _objective(spec, mu)
    run = batch_gradient_descent(objective, h, starts, max_steps=max_steps)
    observed = observe_batch(objective, run, delta=delta, balance_fraction=balance_fraction)
    with numpy.errstate(all="ignore"):
        ratio = numpy.abs(observed["imbalance_final"]) / numpy.abs(observed["imbalance_initial"])
    values = {
        "status": run.status, "steps": run.steps, "period": run.period, "final_x": run.final[:, 0], "final_y": run.final[:, 1],
        "initial_loss": run.initial_loss, "max_loss": run.max_loss, "imbalance_ratio": ratio,
        **{name: observed[name] for name in ("eos_ratio", "max_loss_ratio", "imbalance_initial", "imbalance_final", "initial_sharpness", "final_sharpness", "eos", "catapult", "balancing")},
    }
    arrays = {name: numpy.asarray(values[name]).astype(dtype, copy=False) for name, dtype in VARIABLES.items()}
    for name in FLOAT_VARIABLES:  # one NaN bit pattern: the store's fill value, so an all-NaN chunk reads back byte for byte
        arrays[name] = numpy.where(numpy.isnan(arrays[name]), numpy.nan, arrays[name])
    return arrays




def _chunk_task(store: str, fingerprint: str, block: tuple, offsets: tuple, spec: str, mu, h_block: numpy.ndarray, starts_block: numpy.ndarray, max_steps: int, delta: float, balance_fraction: float,
                keep: bool = False, fresh: bool = False) -> dict:
    """Load chunk ``block`` = (loss, h block, sample block) from the store if it validates, else compute and write it.

    With ``keep`` the chunk's arrays come back in the result (``values``): exactly the bytes the store holds
    (a cached chunk was just read and checked against its checksum; a computed one was just written), so a
    caller that wants them in memory need not read the store again. ``fresh``: the store was created empty by
    this run, so there is nothing to validate and the chunk is computed without reading it.
    """
    import zarr

    i, j, k = block
    h_size, sample_size = len(h_block), len(starts_block)
    h_start, s_start = offsets
    region = (i, slice(h_start, h_start + h_size), slice(s_start, s_start + sample_size))
    reason, stored = None, 0
    try:
        if not fresh:
            group = zarr.open_group(store, mode="r+")
            stored = int(group["checksum"][i, j, k])
    except Exception as error:  # noqa: BLE001 — a damaged checksum chunk is healed like any other
        stored, reason = 0, f"its checksum could not be read ({type(error).__name__})"
    if stored:
        try:
            values = {name: numpy.asarray(group[name][region]) for name in VARIABLES}
            for name, dtype in VARIABLES.items():
                if values[name].shape != (h_size, sample_size) or values[name].dtype != dtype:
                    raise ValueError(f"{name} has shape {values[name].shape} and dtype {values[name].dtype}")
            if _checksum(fingerprint, block, values) == stored:
                return {"block": block, "state": "cached", **({"values": values} if keep else {})}
            reason = "its contents do not match their checksum"
        except Exception as error:  # noqa: BLE001 — any failure to load means: recompute
            reason = f"it failed to load ({type(error).__name__}: {str(error)[:80]})"
    h = numpy.repeat(numpy.asarray(h_block, dtype=float), sample_size)
    starts = numpy.tile(numpy.asarray(starts_block, dtype=float), (h_size, 1))
    flat = run_batch(spec, h, starts, mu=mu, max_steps=max_steps, delta=delta, balance_fraction=balance_fraction)
    values = {name: array.reshape(h_size, sample_size) for name, array in flat.items()}
    _write_chunk(store, region, values, (i, j, k), numpy.uint64(_checksum(fingerprint, block, values)))
    return {"block": block, "state": "healed" if reason else "computed", "reason": reason, **({"values": values} if keep else {})}






# -- the store --------------------------------------------------------------------------------------
































def run_job(job: Job, store: Path, *, scheduler: str | None = None, workers: int | None = None, progress: bool = False, user_named: bool = True,
            keep: bool = False) -> dict:
    """Run every chunk of ``job`` not yet valid in ``store`` as a Dask graph; returns chunk counts.

    Dask's local scheduler by default: ``"processes"``, with ``workers`` worker processes (default
    every core), forked where that is safe (:func:`~llgd_proof.scale.workers.process_context`) so that they start
    at once with every loss already compiled, and gone
    when the call returns. Not threads: a chunk's run ends with a tail of a few slow starts (near the
    edge h ≈ 2/S most finish early and the last ones need the whole budget), stepped by small numpy
    calls that hold the GIL, so threads barely scale (see benchmarks/bench_atlas.py). One chunk, or one
    worker, runs here on the calling thread (Dask's ``"sync"`` scheduler: the same calls, no pool).
    ``scheduler`` may name a local scheduler as Dask does (``"processes"``, ``"threads"``, ``"sync"``: this
    thread); any other ``scheduler`` (or the ``DASK_SCHEDULER_ADDRESS`` environment variable) is the address
    of a dask.distributed cluster that the graph is sent to, whose scheduler and workers must
    import llgd_proof and whose workers must reach ``store`` (same machine or a shared file system). With
    ``keep``, ``stats["values"]`` maps each block to its arrays as the store holds them (for a caller that
    loads the whole result anyway).
    """
    import dask

    for spec in job.losses:
        _objective(spec, job.mu)  # validates and compiles every loss up front, in this process
    store = Path(store)
    address = _scheduler_address(scheduler)
    if address:
        probe_scheduler(address)  # before the store is made
    fresh = _open_or_create(job, store, user_named=user_named)  # a new store: no chunk to validate
    tasks = []
    start_blocks: dict[int, object] = {}  # one graph node per block of starts, shared by every loss and h (not a copy per chunk)
    for block in job.blocks():
        i, j, k = block
        h_part, sample_part = job.block_slices(j, k)
        if k not in start_blocks:
            start_blocks[k] = dask.delayed(job.starts[sample_part], name=f"llgd-starts-{job.fingerprint[:16]}-{k}")
        tasks.append(dask.delayed(_chunk_task, pure=True, name=f"llgd-chunk-{job.fingerprint[:16]}-{i}-{j}-{k}")(
            str(store), job.fingerprint, block, (h_part.start, sample_part.start), job.losses[i], job.mu, numpy.asarray(job.h_values[h_part]), start_blocks[k],
            job.max_steps, job.delta, job.balance_fraction, keep, fresh,
        ))
    try:  # the cluster's workers, or local worker processes, open the store themselves: it is marked created first
        results, _, _ = run_graph(tasks, address=address, scheduler=scheduler, workers=workers, progress=progress, before_workers=lambda: _created(store))
    finally:
        _created(store)
    stats = {"chunks": len(results), "cached": 0, "computed": 0, "healed": 0}
    for result in results:
        stats[result["state"]] += 1
        if result["state"] == "healed":
            i, j, k = result["block"]
            warnings.warn(f"chunk {j},{k} of loss {job.losses[i]!r} in {store} was recomputed: {result['reason']}", StoreWarning, stacklevel=2)
    stats["computed"] += stats["healed"]
    if keep:
        stats["values"] = {tuple(result["block"]): result["values"] for result in results}
    return stats












def run_starts(spec: str, h, starts: numpy.ndarray, *, mu=None, max_steps: int = 20_000, store: Path | None = None, scheduler: str | None = None,
               workers: int | None = None, delta: float = 0.25, balance_fraction: float = 0.5) -> xarray.Dataset:
    """Per-start arrays for one loss, step(s) ``h`` (scalar: every start; array of the starts' length: one each) and
    ``starts`` (N, 2), through the same Dask graph as the atlas — for boundary maps and statistical verdicts.

    Returns a Dataset with dim ``sample`` (status codes, steps, final point, eos_ratio, …; see VARIABLES).
    Without ``store`` a temporary store is used and removed.
    """
    starts = numpy.asarray(starts, dtype=float).reshape(-1, 2)
    h_array = numpy.broadcast_to(numpy.asarray(h, dtype=float), (len(starts),))
    unique = numpy.unique(h_array)
    if len(unique) == 1:
        job = Job((spec,), (float(unique[0]),), starts, mu, max_steps, delta, balance_fraction, {"kind": "starts"})
        dataset = _with_store(job, store, scheduler, workers)
        return dataset.isel(loss=0, h=0)
    # one h per start: a (loss, h, sample) grid would be mostly wasted, so run per distinct h and gather
    parts = []
    for value in unique:
        chosen = numpy.flatnonzero(h_array == value)
        job = Job((spec,), (float(value),), starts[chosen], mu, max_steps, delta, balance_fraction, {"kind": "starts"})
        part = _with_store(job, None if store is None else Path(store) / f"h-{value!r}.zarr", scheduler, workers).isel(loss=0, h=0, drop=True)
        parts.append(part.assign_coords(sample=chosen))
    import xarray

    merged = xarray.concat(parts, dim="sample").sortby("sample")
    return merged.assign_coords(h=("sample", h_array))


def _with_store(job: Job, store, scheduler, workers) -> xarray.Dataset:
    if store is not None:
        return _assembled(job, run_job(job, Path(store), scheduler=scheduler, workers=workers, keep=True)["values"])
    with tempfile.TemporaryDirectory(prefix="llgd-") as folder:
        return _assembled(job, run_job(job, Path(folder) / "run.zarr", scheduler=scheduler, workers=workers, user_named=False, keep=True)["values"])


def _assembled(job: Job, blocks: dict) -> xarray.Dataset:
    """The Dataset :func:`load` would read from the store, put together from the chunks' arrays in memory."""
    import xarray

    shape = (len(job.losses), len(job.h_values), len(job.starts))
    data = {}
    for name, dtype in VARIABLES.items():
        array = numpy.empty(shape, dtype=dtype)
        for (i, j, k), values in blocks.items():
            h_part, sample_part = job.block_slices(j, k)
            array[i, h_part, sample_part] = values[name]
        data[name] = (("loss", "h", "sample"), array, {"description": DESCRIPTIONS[name]} if name in DESCRIPTIONS else {})
    if len(blocks) != len(job.blocks()):
        raise RuntimeError("a chunk of the job is missing from the results")  # cannot happen: every block is a task
    coords = {"loss": [str(v) for v in job.losses], "h": numpy.asarray(job.h_values, dtype=float),
              "x0": ("sample", numpy.ascontiguousarray(job.starts[:, 0])), "y0": ("sample", numpy.ascontiguousarray(job.starts[:, 1]))}
    return xarray.Dataset(data, coords=coords, attrs={"llgd_parameters": json.dumps(job.parameters, sort_keys=True)})








# -- atlas -----------------------------------------------------------------------------------------


def atlas(
    losses: Sequence[str],
    h,
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
    out: str | Path | None = None,
    cache_dir: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = False,
    chunk: int = CHUNK,
) -> xarray.Dataset:
    """The atlas of ``losses`` at step(s) ``h`` (a number or a sequence), as a Dataset (see module doc).

    Dims ``loss``, ``h`` (dropped to a scalar coordinate when one h is given) and ``sample`` — or
    ``y0``, ``x0`` for a grid, so ``ds.eos_ratio.sel(loss="huber").plot()`` draws the basin map.
    Results go to the Zarr store ``out``; without it to a store under ``cache_dir`` keyed by the
    parameters (``cache_dir=None``: a temporary store). :func:`atlas_summary` gives the JSON summary.
    """
    started = time.perf_counter()
    h_values = _h_values(h)
    if not 0 <= delta < 1 or not 0 < balance_fraction < 1:
        raise ParameterError("delta must lie in [0, 1) and the balance fraction in (0, 1)")
    _check_counts(seed=seed, max_steps=max_steps, confirm=confirm, workers=workers)
    if isinstance(chunk, bool) or not isinstance(chunk, (int, numpy.integer)) or chunk < 1:
        raise ParameterError(f"the chunk size must be a positive integer, got {chunk!r}")
    losses = list(losses)
    if not losses or not all(isinstance(spec, str) and spec.strip() for spec in losses):
        raise ParameterError("give at least one loss, each a catalog name or an expression in s")
    if samples is not None and (isinstance(samples, bool) or int(samples) != samples or samples < 1):
        raise ParameterError(f"the number of samples must be a positive integer, got {samples!r}")
    count = samples if samples is not None else (grid or 0) ** 2
    check_size(count * len(losses) * len(h_values), "atlas")
    for spec in losses:
        _objective(spec, mu)  # a bad loss is refused before any work
    starts = make_starts(box, samples=samples, grid=grid, log_scale=log_scale, same_sign=same_sign, seed=seed)
    mode = "samples" if samples is not None else "grid"
    description = {"kind": "atlas", "box": [float(v) for v in box.as_list()], "mode": mode, "resolution": samples or grid, "log_box": log_scale, "same_sign": same_sign, "seed": seed}
    job = Job(tuple(losses), tuple(h_values), starts, None if mu is None else str(mu), int(max_steps), float(delta), float(balance_fraction), description, int(chunk))
    temporary = None
    if out is not None:
        store, user_named = Path(out), True
    elif cache_dir is not None:
        store, user_named = usable_cache_dir(cache_dir) / f"atlas-{job.fingerprint[:24]}.zarr", False
    else:
        temporary = tempfile.TemporaryDirectory(prefix="llgd-atlas-")
        store, user_named = Path(temporary.name) / "atlas.zarr", False
    try:
        stats = run_job(job, store, scheduler=scheduler, workers=workers, progress=progress, user_named=user_named, keep=True)
        dataset = _assembled(job, stats.pop("values"))  # the arrays the store holds, without reading them back
    finally:
        if temporary is not None:
            temporary.cleanup()
    info = {
        **description, "h": h_values, "mu": job.mu, "max_steps": max_steps, "delta": delta, "balance_fraction": balance_fraction,
        "descriptions": {}, "classes": {}, "confirm": {}, "cache": stats, "out": str(store) if temporary is None else None,
    }
    for spec in losses:
        objective = _objective(spec, mu)
        info["descriptions"][spec] = objective.describe()
        info["classes"][spec] = report_for(objective.loss).regularity_class
        if confirm:
            for j, value in enumerate(h_values):
                info["confirm"][f"{spec}@{value!r}"] = confirm_points(objective, dataset.sel(loss=spec).isel(h=j), confirm, seed=seed, max_steps=max_steps)
    info["elapsed_seconds"] = time.perf_counter() - started
    dataset.attrs = {"llgd": info, "llgd_parameters": dataset.attrs.get("llgd_parameters")}
    if mode == "grid":
        side = grid
        dataset = _as_grid(dataset, side)
    if len(h_values) == 1:
        dataset = dataset.isel(h=0)
    return dataset


def _h_values(h) -> list[float]:
    values = [h] if numpy.ndim(h) == 0 else list(h)
    try:
        values = [float(v) for v in values]
    except (TypeError, ValueError) as error:
        raise ParameterError(f"the step h must be a number or a list of numbers, got {h!r}") from error
    if not values or not all(numpy.isfinite(v) and v > 0 for v in values):
        raise ParameterError(f"every step h must be a finite positive number, got {values}")
    if len(set(values)) != len(values):
        raise ParameterError("the steps h must be distinct")
    return values


def _check_counts(*, seed: int, max_steps: int, confirm: int, workers: int | None) -> None:
    for name, value, low in (("seed", seed, 0), ("step budget", max_steps, 1), ("number of confirmations", confirm, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < low:
            raise ParameterError(f"the {name} must be an integer ≥ {low}, got {value!r}")
    if max_steps > MAX_STEPS_LIMIT:
        raise ParameterError(f"the step budget must be at most {MAX_STEPS_LIMIT:,}, got {max_steps:,}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ParameterError(f"the number of workers must be a positive integer, got {workers!r}")












# -- sweep -----------------------------------------------------------------------------------------


def sweep(
    spec: str,
    h_values,
    init: Sequence[float],
    *,
    mu=None,
    max_steps: int = 20_000,
    confirm: int = 0,
    seed: int = 0,
    out: str | Path | None = None,
    scheduler: str | None = None,
) -> dict:
    """One start over many steps h: the bifurcation / phase diagram (the atlas's engine with one start).

    Returns today's dict (``rows``, one per h) with ``dataset`` (dims h; the same variables as an atlas)
    and ``out``; the arrays go to the Zarr store ``out`` when given.
    """
    _check_counts(seed=seed, max_steps=max_steps, confirm=confirm, workers=None)
    objective = _objective(spec, mu)
    if len(init) != 2:
        raise ParameterError(f"the start needs 2 values (x, y), got {len(init)}")
    h_list = _h_values(numpy.asarray(h_values, dtype=float) if not isinstance(h_values, (int, float)) else h_values)
    if not numpy.all(numpy.isfinite(numpy.asarray(init, dtype=float))):
        raise ParameterError("the start must be finite numbers")
    check_size(len(h_list), "sweep")
    starts = numpy.asarray([init], dtype=float)
    job = Job((spec,), tuple(h_list), starts, None if mu is None else str(mu), max_steps, 0.25, 0.5, {"kind": "sweep"})
    dataset = _with_store(job, out, scheduler, None).isel(loss=0, sample=0)
    run = BatchRun(
        dataset.status.values, dataset.steps.values, dataset.period.values, dataset.h.values,
        numpy.tile(starts, (len(h_list), 1)), numpy.stack([dataset.final_x.values, dataset.final_y.values], axis=1),
        dataset.initial_loss.values, dataset.max_loss.values,
    )
    orbits = _orbits(objective, run)
    rows = []
    for i, h in enumerate(h_list):
        status = STATUS_NAMES[int(run.status[i])]
        rows.append(
            {
                "h": float(h),
                "status": status,
                "steps": int(run.steps[i]),
                "period": int(run.period[i]) or None,
                "limit": orbits[i] if status == "periodic" else (run.final[i].tolist() if status != "diverged" else None),
                "eos_ratio": _finite(dataset.eos_ratio.values[i]),
                "max_loss_ratio": _finite(dataset.max_loss_ratio.values[i]),
                "imbalance_final": _finite(dataset.imbalance_final.values[i]),
                "initial_sharpness": _finite(dataset.initial_sharpness.values[i]),
                "final_sharpness": _finite(dataset.final_sharpness.values[i]),
            }
        )
    result = {"loss": spec, "mu": float(objective.minimiser_value), "objective": objective.describe(), "init": list(map(float, init)), "max_steps": max_steps, "rows": rows, "out": None if out is None else str(out)}
    if confirm:
        part = dataset.assign_coords(x0=dataset.x0, y0=dataset.y0)
        checks = [confirm_points(objective, part.isel(h=[i]).squeeze("h"), 1, seed=seed, max_steps=max_steps) for i in numpy.random.default_rng(seed + 1).choice(len(h_list), size=min(confirm, len(h_list)), replace=False)]
        agreement = [c["agreement"] for c in checks]
        result["confirm"] = {"checked": len(checks), "agreement": float(numpy.mean(agreement)) if agreement else None, "disagreements": [d for c in checks for d in c["disagreements"]][:5]}
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


def __getattr__(name: str):
    if name == "AtlasResult":  # what atlas() returns; the name is kept for existing imports (xarray loads lazily)
        import xarray

        return xarray.Dataset
    raise AttributeError(name)
