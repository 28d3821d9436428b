"""Regularity atlas and learning-rate sweeps: which losses give EoS, balancing and catapult from more starts.

:func:`atlas` runs the float64 batch engine from many starts (random samples or a grid over a box of
|x0|, |y0|) for each loss at one or several steps h; :func:`sweep` runs one start over a range of h
(a bifurcation / phase diagram). Both are the same job: a grid (loss, h, sample) of GD runs.

The job is a Dask graph of chunks (:func:`run_starts`): by default Dask's local multiprocessing
scheduler with one worker process per core (forked on Linux, so they start at once with every loss
compiled; none outlives the call), or the calling thread alone when there is one chunk or one
worker; with ``scheduler=ADDRESS`` (or ``DASK_SCHEDULER_ADDRESS``) the same graph runs on a
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

import concurrent.futures
import contextlib
import functools
import hashlib
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
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

CHUNK = 8192  # points per chunk: large enough that numpy's loops dominate, small enough to balance the cores
STATUSES = [Status.CONVERGED, Status.STATIONARY, Status.DIVERGED, Status.PERIODIC, Status.UNDECIDED]
STORE_FORMAT = 1
MAX_STEPS_LIMIT = 10_000_000
BYTES_PER_POINT = 256  # the stored variables of one (loss, h, start), loaded back for the summary, with room to spare


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



class StoreError(ParameterError):
    """A result store that cannot be used: made with other parameters, not a store, or not writable."""


class SchedulerError(ParameterError):
    """A Dask scheduler that cannot be reached, or a cluster whose workers cannot run llgd_proof."""


class ResourceError(ParameterError):
    """A job too large for this machine (estimated before it starts)."""


# -- the job: a grid (loss, h, sample) of GD runs, cut into chunks ------------------------------------

FLOAT_VARIABLES = (
    "final_x", "final_y", "initial_loss", "max_loss", "eos_ratio", "max_loss_ratio",
    "imbalance_initial", "imbalance_final", "imbalance_ratio", "initial_sharpness", "final_sharpness",
)
VARIABLES = {
    "status": numpy.dtype("int8"), "steps": numpy.dtype("int64"), "period": numpy.dtype("int16"),
    **{name: numpy.dtype("float64") for name in FLOAT_VARIABLES},
    "eos": numpy.dtype("bool"), "catapult": numpy.dtype("bool"), "balancing": numpy.dtype("bool"),
}
DESCRIPTIONS = {
    "status": "GD outcome code: " + ", ".join(f"{code} = {name}" for code, name in sorted(STATUS_NAMES.items())),
    "steps": "steps taken when the status was decided (exact to within the check interval)",
    "final_x": "x at the end of the run", "final_y": "y at the end of the run",
    "eos_ratio": "h S_inf / 2 (converged starts)", "max_loss_ratio": "largest loss seen / initial loss",
    "imbalance_ratio": "|x^2 - y^2| at the end / at the start (settled starts)",
}


@dataclass(frozen=True)
class Job:
    """Everything that determines the arrays: losses × h values × starts, the budget and the observation thresholds."""

    losses: tuple[str, ...]
    h_values: tuple[float, ...]
    starts: numpy.ndarray
    mu: str | None
    max_steps: int
    delta: float
    balance_fraction: float
    description: dict  # how the starts were made (mode, box, seed, …): part of the parameters
    chunk: int = CHUNK

    @functools.cached_property  # computed once: it hashes the starts
    def parameters(self) -> dict:
        return {
            "format": STORE_FORMAT, "version": __version__, "losses": list(self.losses), "h": list(self.h_values),
            "mu": self.mu, "max_steps": self.max_steps, "chunk": self.chunk, "delta": self.delta, "balance_fraction": self.balance_fraction,
            "starts": len(self.starts), "starts_sha256": hashlib.sha256(numpy.ascontiguousarray(self.starts).tobytes()).hexdigest(),
            **self.description,
        }

    @functools.cached_property
    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.parameters, sort_keys=True).encode()).hexdigest()

    @property
    def block_sizes(self) -> tuple[int, int]:
        """(h values, samples) per chunk: samples first, then as many h values as fit in ``chunk`` points."""
        samples = min(len(self.starts), self.chunk)
        return max(1, min(len(self.h_values), self.chunk // samples)), samples

    def blocks(self) -> list[tuple[int, int, int]]:
        h_size, sample_size = self.block_sizes
        return [
            (i, j, k)
            for i in range(len(self.losses))
            for j in range(-(-len(self.h_values) // h_size))
            for k in range(-(-len(self.starts) // sample_size))
        ]

    def block_slices(self, j: int, k: int) -> tuple[slice, slice]:
        h_size, sample_size = self.block_sizes
        return slice(j * h_size, min((j + 1) * h_size, len(self.h_values))), slice(k * sample_size, min((k + 1) * sample_size, len(self.starts)))


def estimate_memory(points: int) -> int:
    """Bytes this process needs to hold the results of ``points`` (loss, h, start) runs."""
    return points * BYTES_PER_POINT


def _available_memory() -> int:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 * 2**30


def check_size(points: int, what: str) -> None:
    """Refuse, before anything runs, a job whose results would not fit in half the available memory."""
    needed, available = estimate_memory(points), _available_memory()
    if needed > available // 2:
        raise ResourceError(
            f"this {what} has {points:,} runs and needs an estimated {needed / 2**30:.1f} GB of memory for its results, "
            f"more than half of the {available / 2**30:.1f} GB available; use fewer starts, losses or step sizes"
        )


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


def _checksum(fingerprint: str, block: tuple, values: dict) -> int:
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"{fingerprint}{block}".encode())
    for name in VARIABLES:
        array = numpy.ascontiguousarray(values[name])
        digest.update(f"{name}{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return int.from_bytes(digest.digest(), "little") | 1  # never 0, the fill value of "not written yet"


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


def _zarr_io(coroutine):
    """Run ``coroutine`` on zarr's own I/O event loop (the thread its synchronous API runs on) and wait for it.

    One loop and one pool of I/O threads for the whole process, started once: no event loop or thread pool is made
    per chunk, and it works where an event loop already runs on this thread (a Jupyter kernel)."""
    from zarr.core.sync import sync

    return sync(coroutine)


def _write_chunk(store: str, region: tuple, values: dict, checksum_at: tuple, checksum: numpy.uint64) -> None:
    """Write one chunk of every variable concurrently (zarr's asynchronous API: one round of I/O, not one per variable),
    then its checksum, last, which marks the chunk done."""
    import asyncio

    from zarr.api.asynchronous import open_group

    pending = _CREATING.get(store)  # made by _create in this process: wait until its arrays exist, no metadata to read back
    arrays = pending.result() if pending is not None else None

    async def write() -> None:
        nonlocal arrays
        if arrays is None:
            group = await open_group(store, mode="r+")
            arrays = await asyncio.gather(*(group.getitem(name) for name in (*VARIABLES, "checksum")))
        await asyncio.gather(*(array.setitem(region, values[name]) for array, name in zip(arrays, VARIABLES)))
        await arrays[-1].setitem(checksum_at, checksum)

    _zarr_io(write())


# -- the store --------------------------------------------------------------------------------------


STORE_ARRAYS = (*VARIABLES, "checksum", "loss", "h", "x0", "y0")  # the folders of a store: its arrays
_STORE_FILE = re.compile(  # what a store's folders hold: metadata, chunk files, and the partial files of a write cut short
    r"zarr\.json|c(\.\d+)*"
    r"|\.(zarr\.json|c(\.\d+)*)\.\d+\.partial"  # written by _write_files
    r"|(zarr|c(\.\d+)*)\.[0-9a-f]{32}\.partial"  # written by zarr's LocalStore
)


def _open_or_create(job: Job, store: Path, *, user_named: bool) -> bool:
    """Check that an existing store for ``job`` was made with the same parameters and repair whatever of it is not a
    chunk (returns False), or create it empty (returns True).

    Everything a rerun reuses is checked before a chunk is trusted: the group's parameters (other parameters: refused),
    then every metadata file and coordinate chunk, byte for byte against the ones the parameters make (a missing,
    damaged or altered one is rewritten, with a one-line warning); the chunks themselves are checked against their
    checksums as they are loaded. A folder that is not a usable store is refused with a sentence when the user named it
    and its metadata is unreadable; when it is a cache, or its group metadata is missing (a creation cut short), it is
    made again — removing only the files a store writes, and refusing a folder that holds anything else (see
    :func:`_clear`)."""
    if store.exists() and not store.is_dir():
        raise StoreError(f"the result store {store} is a file, not a Zarr store (a directory); give another path")
    layout, created = _layout(job)
    if store.exists() and any(store.iterdir()):
        group_file = store / "zarr.json"
        if group_file.exists() or group_file.is_symlink():
            try:
                stored = json.loads(json.loads(group_file.read_bytes())["attributes"]["llgd_parameters"])
                if not isinstance(stored, dict):
                    raise TypeError("the parameters are not a mapping")
            except Exception as error:
                if user_named:
                    raise StoreError(f"{store} is not a readable llgd result store ({type(error).__name__}); give another --out or delete it") from error
                _clear(store)
                print(f"llgd: warning: the cached store {store} was unreadable ({type(error).__name__}); rebuilding it", file=sys.stderr)
            else:
                if stored != job.parameters:
                    differences = [name for name in sorted(set(stored) | set(job.parameters)) if stored.get(name) != job.parameters.get(name)]
                    raise StoreError(
                        f"the result store {store} was made with other parameters ({', '.join(differences)} differ); "
                        "give another --out, or delete the store to start again"
                    )
                _refuse_obstacles(store)
                _repair(store, layout)
                return False
        else:  # no group metadata (written last): a creation cut short, so no chunk was ever written — or not a store at all
            _clear(store)
    _create(store, layout, created)
    return True


def _refuse_obstacles(store: Path) -> None:
    """A StoreError sentence, before anything is written, if something stands where the store must write a file: a
    folder named as a chunk or metadata file, or a file named as one of its array folders (never removed: not ours)."""
    for name in STORE_ARRAYS:
        folder = store / name
        if folder.is_symlink() or folder.exists() and not folder.is_dir():
            obstacle = folder
        else:
            entries = folder.iterdir() if folder.is_dir() else ()
            obstacle = next((entry for entry in entries if _STORE_FILE.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink()), None)
        if obstacle is not None:
            what = "a link" if obstacle.is_symlink() else "a folder" if obstacle.is_dir() else "a file"
            raise StoreError(
                f"the result store {store} has {what} at {obstacle.relative_to(store)}, which an llgd store never makes, so it is left as it is; "
                "move it away, or give another --out"
            )


def _repair(store: Path, layout: dict) -> None:
    """Rewrite every file of ``layout`` (metadata and coordinates, as the parameters make them) that ``store`` does not
    hold byte for byte, with a one-line warning naming them; a StoreError sentence if they cannot be written."""
    damaged = []
    for key, buffer in layout.items():
        try:
            same = (store / key).read_bytes() == buffer.to_bytes()
        except OSError:  # missing, a folder, unreadable
            same = False
        if not same:
            damaged.append(key)
    if not damaged:
        return
    try:
        _write_files(store, layout, damaged)
    except OSError as error:
        raise StoreError(
            f"the result store {store} has damaged metadata ({damaged[0]}) that cannot be rewritten ({error.strerror or type(error).__name__}); "
            "delete the store to start again"
        ) from error
    names = sorted({key.split("/")[0] if "/" in key else "the group" for key in damaged})
    print(f"llgd: warning: the metadata or coordinates of {', '.join(names)} in {store} did not match its parameters and were rewritten", file=sys.stderr)


def _clear(store: Path) -> None:
    """Remove the files of an unusable store of ours before it is made again — only files a store writes (its
    metadata, chunk files and partial writes, in its own folders). A folder that holds anything else (a user's file,
    a link, another folder) is refused with a StoreError sentence, and nothing in it is removed."""
    files, folders = [], []
    for path in store.rglob("*"):  # lazily: a foreign folder is refused at its first foreign file, not walked whole
        relative = path.relative_to(store)
        if path.is_symlink():
            pass
        elif path.is_dir():
            if len(relative.parts) == 1 and relative.name in STORE_ARRAYS:
                folders.append(path)
                continue
        elif len(relative.parts) <= 2 and (len(relative.parts) == 1 or relative.parts[0] in STORE_ARRAYS) and _STORE_FILE.fullmatch(relative.name):
            files.append(path)
            continue
        raise StoreError(
            f"{store} holds {relative}, which is not part of an llgd result store, so it is not made into one (nothing was removed); "
            "move that away, or give another --out"
        )
    try:
        for path in files:
            path.unlink()
        for path in folders:
            path.rmdir()
    except OSError as error:
        raise StoreError(f"the result store {store} cannot be rebuilt ({error.strerror or type(error).__name__}); give another --out") from error


def _layout(job: Job) -> tuple[dict, list]:
    """Every file of an empty store for ``job`` (key → bytes: the ~20 arrays' metadata, the coordinates' chunks and the
    group's metadata with the parameters), made in a zarr ``MemoryStore`` (Python work, no I/O), and the arrays made
    there (the variables, then the checksum)."""
    import asyncio

    from zarr.api.asynchronous import open_group
    from zarr.storage import MemoryStore

    h_size, sample_size = job.block_sizes
    shape = (len(job.losses), len(job.h_values), len(job.starts))
    blocks = (len(job.losses), -(-shape[1] // h_size), -(-shape[2] // sample_size))
    parameters = json.dumps(job.parameters, sort_keys=True)
    layout: dict = {}

    async def build() -> list:
        group = await open_group(store=MemoryStore(layout), mode="w", attributes={"llgd_parameters": parameters, "llgd_block_sizes": json.dumps([h_size, sample_size])})
        flat = {"chunk_key_encoding": {"name": "default", "separator": "."}}  # chunk files c.i.j.k: no directory to make per chunk
        arrays = [
            group.create_array(name, shape=shape, chunks=(1, h_size, sample_size), dtype=dtype, fill_value=numpy.nan if dtype.kind == "f" else 0,
                               dimension_names=("loss", "h", "sample"), attributes={"description": DESCRIPTIONS[name]} if name in DESCRIPTIONS else None, **flat)
            for name, dtype in VARIABLES.items()
        ]
        arrays.append(group.create_array("checksum", shape=blocks, chunks=(1, 1, 1), dtype="uint64", fill_value=0, dimension_names=("loss", "h_block", "sample_block"), **flat))

        async def names():  # zarr's variable-length UTF-8 strings (in the v3 spec, unlike fixed-width numpy ones)
            array = await group.create_array("loss", shape=(len(job.losses),), dtype="string", dimension_names=("loss",), **flat)
            await array.setitem(slice(None), numpy.array(job.losses, dtype=str))

        coordinates = [names(), group.create_array("h", data=numpy.asarray(job.h_values, dtype=float), dimension_names=("h",), **flat)]
        for name, column in (("x0", 0), ("y0", 1)):
            coordinates.append(group.create_array(name, data=numpy.ascontiguousarray(job.starts[:, column]), dimension_names=("sample",), **flat))
        return (await asyncio.gather(*arrays, *coordinates))[: len(VARIABLES) + 1]

    created = _zarr_io(build())  # Python work: done here, not beside the chunk's computation, which needs the GIL as well
    return layout, created


def _write_files(store: Path, layout: dict, keys) -> None:
    """Write the files ``keys`` of ``layout`` into the folder ``store`` (key → folder/key), the group's metadata last;
    each whole under a temporary name, then renamed, as zarr's LocalStore does. Plain blocking writes on one thread:
    they hold the GIL only briefly, where zarr's asynchronous ones would hand it back and forth with a chunk's computation."""
    for key in sorted(keys, key=lambda key: key == "zarr.json"):
        path = store / key
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_bytes(layout[key].to_bytes())
        partial.replace(path)


def _create(store: Path, layout: dict, created: list) -> None:
    """An empty store laid out as an xarray Dataset (zarr v3 ``dimension_names``), parameters in its attributes.

    The files of :func:`_layout` are written into the folder in the background while the first chunk computes (~25
    files), the group's metadata with the parameters last, so that a store whose creation was interrupted has none and
    is never mistaken for a complete one. :func:`_write_chunk` waits for them (``_CREATING``) before it writes, and
    :func:`run_job` before it returns."""
    import zarr
    from zarr.storage import LocalStore, StorePath

    store.mkdir(parents=True, exist_ok=True)  # a path that cannot be written fails here, at once
    if not os.access(store, os.W_OK):
        raise StoreError(f"the result store {store} is not writable; give another --out")
    local = LocalStore(str(store))
    arrays = tuple(zarr.AsyncArray(array.metadata, StorePath(local, array.path)) for array in created)  # as _write_chunk wants, on the folder

    def write() -> tuple:
        _write_files(store, layout, layout)
        return arrays

    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="llgd-store")
    _CREATING[str(store)] = executor.submit(write)
    executor.shutdown(wait=False)


def _created(store: Path) -> None:
    """Wait until the arrays :func:`_create` is writing for ``store`` exist (raising its error, if it failed), and forget them."""
    pending = _CREATING.pop(str(store), None)
    if pending is not None:
        pending.result()


_CREATING: dict = {}  # stores this process is creating during a run: a future of their open arrays (dropped when the run ends)


LOCAL_SCHEDULERS = ("processes", "threads", "sync")  # Dask's names for its local schedulers


def _scheduler_address(scheduler: str | None) -> str | None:
    if scheduler in LOCAL_SCHEDULERS:
        return None
    return scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


PROBE_SECONDS = 5.0  # the longest a scheduler address is probed before it is refused


def probe_scheduler(address: str) -> None:
    """Refuse at once (:class:`SchedulerError`, one sentence) an address no Dask client could use: malformed, a protocol
    this installation cannot speak (``ucx://`` without its package), ``inproc://`` with no scheduler in this process,
    nothing listening, or something listening that is not a Dask scheduler. A ``Client`` would retry until its
    timeout, and a half-built one blocks the interpreter's exit for 20 s more and prints a traceback; so every verb
    that takes ``--scheduler`` probes first: one connection and Dask's handshake, within :data:`PROBE_SECONDS`."""
    import socket

    from distributed.comm import registry
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address, strict=False)
        backend = registry.get_backend(scheme)  # an unknown protocol is a ValueError
        host = port = None
        if scheme in ("tcp", "tls", "ws", "wss"):
            host, port = parse_host_port(location)
            if not 0 < port < 65536:
                raise ValueError(f"port {port} is not between 1 and 65535")
    except (ValueError, TypeError) as error:
        raise SchedulerError(f"{address!r} is not a Dask scheduler address ({error}); give one such as tcp://127.0.0.1:8786") from error
    try:
        backend.get_connector()
    except Exception as error:  # e.g. ucx:// without the UCX package: its connector cannot be made
        raise SchedulerError(
            f"{address!r} uses the {scheme}:// protocol, which this installation of dask.distributed cannot speak ({type(error).__name__}); "
            "give a tcp:// address such as tcp://127.0.0.1:8786"
        ) from error
    if scheme == "inproc":
        from distributed.comm.inproc import global_manager

        try:
            listener = global_manager.get_listener_for(location)
        except (ValueError, TypeError, AssertionError):
            listener = None
        if listener is None:
            raise SchedulerError(
                f"no Dask scheduler runs in this process at {address!r} (an inproc:// address names one inside the calling Python process); "
                "give a tcp:// address such as tcp://127.0.0.1:8786, or drop --scheduler and DASK_SCHEDULER_ADDRESS"
            )
    if host is not None:
        try:  # a refused connection fails here at once (Dask's own connect would retry until its timeout)
            socket.create_connection((host or "127.0.0.1", port), timeout=PROBE_SECONDS).close()
        except OSError as error:
            raise SchedulerError(
                f"no Dask scheduler answers at {address!r} ({type(error).__name__}); start one (see docs/reference.md) or drop --scheduler and DASK_SCHEDULER_ADDRESS"
            ) from error
    problem = _handshake(address)
    if problem is not None:
        raise SchedulerError(
            f"no Dask scheduler answers at {address!r} ({problem}); start one (see docs/reference.md) or drop --scheduler and DASK_SCHEDULER_ADDRESS"
        )


def _handshake(address: str) -> str | None:
    """Connect to ``address`` as a Dask client would (its security settings) and complete Dask's handshake: None, or
    what went wrong (a short phrase). On an event loop of its own, in a thread of its own, so that it works where a
    loop already runs (a Jupyter kernel) and never waits more than :data:`PROBE_SECONDS`."""
    import asyncio

    async def connect_and_close() -> None:
        from distributed.comm import connect
        from distributed.security import Security

        arguments = Security().get_connection_args("client")
        comm = await asyncio.wait_for(connect(address, timeout=PROBE_SECONDS, **arguments), PROBE_SECONDS)
        comm.abort()

    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="llgd-probe")
    try:
        executor.submit(asyncio.run, connect_and_close()).result(timeout=PROBE_SECONDS + 1)
    except concurrent.futures.TimeoutError:
        return f"no Dask handshake within {PROBE_SECONDS:g} s"
    except Exception as error:  # noqa: BLE001 — whatever the reason, this address cannot be used
        phrase = " ".join(str(error).split())[:120]
        return f"{type(error).__name__}: {phrase}" if phrase else type(error).__name__
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    return None


def run_job(job: Job, store: Path, *, scheduler: str | None = None, workers: int | None = None, progress: bool = False, user_named: bool = True,
            keep: bool = False) -> dict:
    """Run every chunk of ``job`` not yet valid in ``store`` as a Dask graph; returns chunk counts.

    Dask's local scheduler by default: ``"processes"``, with ``workers`` worker processes (default
    every core), forked on Linux so that they start at once with every loss already compiled, and gone
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
    local = scheduler if scheduler in LOCAL_SCHEDULERS else "processes"
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
    try:
        if address:
            _created(store)  # the cluster's workers open the store themselves
            results = _on_cluster(address, tasks, progress)
        else:
            bar = contextlib.nullcontext()
            if progress:
                from dask.diagnostics import ProgressBar

                bar = ProgressBar(out=sys.stderr)
            count = min(workers or os.cpu_count() or 1, len(tasks))
            if count <= 1:
                local = "sync"  # one worker's worth of work: run it here, without a hop to a pool (the same calls)
            with bar:
                if local == "processes":
                    _created(store)  # the worker processes open the store themselves
                    results = _in_processes(tasks, count)
                else:
                    results = dask.compute(*tasks, scheduler=local, num_workers=count)
    finally:
        _created(store)
    stats = {"chunks": len(results), "cached": 0, "computed": 0, "healed": 0}
    for result in results:
        stats[result["state"]] += 1
        if result["state"] == "healed":
            i, j, k = result["block"]
            print(f"llgd: warning: chunk {j},{k} of loss {job.losses[i]!r} in {store} was recomputed: {result['reason']}", file=sys.stderr)
    stats["computed"] += stats["healed"]
    if keep:
        stats["values"] = {tuple(result["block"]): result["values"] for result in results}
    return stats


def _in_processes(tasks: list, count: int) -> list:
    """The chunks' results from ``count`` local worker processes (Dask's multiprocessing scheduler, one chunk at a time
    each: chunks are long, so batching them would only unbalance the workers). Forked on Linux (they inherit the
    compiled losses), spawned elsewhere; shut down before returning."""
    import multiprocessing

    import dask

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    pool = worker_pool(count, context)
    try:
        return list(dask.compute(*tasks, scheduler="processes", pool=pool, chunksize=1))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


WATCHDOG_SECONDS = 0.5  # how often a worker process checks that its parent is alive (where the kernel cannot tell it)


def worker_pool(count: int, context) -> concurrent.futures.ProcessPoolExecutor:
    """A pool of ``count`` local worker processes (start method ``context``) that die with this process.

    A pool's workers outlive a parent killed with SIGKILL (nothing runs in the parent to stop them): they would
    finish the chunks already queued, writing them into the store, then wait forever, reparented. So each worker,
    as it starts (:func:`_die_with_parent`), asks the kernel for SIGKILL the moment its parent dies
    (``prctl(PR_SET_PDEATHSIG)`` on Linux) and also runs a watchdog thread that kills it once its parent pid
    changes (every :data:`WATCHDOG_SECONDS`; the fallback on other systems). A worker killed mid-chunk leaves no
    checksum for that chunk (written last), so the next run recomputes it."""
    return concurrent.futures.ProcessPoolExecutor(count, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),))


def _die_with_parent(parent: int) -> None:
    """Worker initialiser (see :func:`worker_pool`): SIGKILL this process when process ``parent`` is gone."""
    import signal

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl (an unusual libc): the watchdog below still runs
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_SECONDS)
        os.kill(os.getpid(), signal.SIGKILL)

    if os.getppid() != parent:  # the parent died before the request above was made
        os.kill(os.getpid(), signal.SIGKILL)
    threading.Thread(target=watch, name="llgd-watchdog", daemon=True).start()


def _on_cluster(address: str, tasks: list, progress: bool) -> list:
    """The chunks' results from the dask.distributed cluster at ``address``."""
    from distributed import Client, progress as distributed_progress

    try:
        client = Client(address, set_as_default=False, timeout="10s")
    except (OSError, ValueError, TypeError) as error:
        raise SchedulerError(f"no Dask scheduler answers at {address!r} ({type(error).__name__}); start one (see docs/reference.md, section Atlas and sweeps) or drop --scheduler") from error
    with client:
        futures = client.compute(tasks)
        if progress:
            distributed_progress(futures)
        try:
            return client.gather(futures)
        except (RuntimeError, ImportError, ModuleNotFoundError) as error:
            raise SchedulerError(
                f"the Dask cluster at {address} could not run the chunks ({str(error).splitlines()[0]}); "
                "its workers need llgd_proof importable and the same versions of its dependencies"
            ) from error


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


def load(store: Path, job: Job | None = None) -> xarray.Dataset:
    """The store as an in-memory Dataset (dims loss, h, sample; coords loss, h, x0, y0), read with zarr directly."""
    import xarray
    import zarr

    group = zarr.open_group(str(store), mode="r")
    dims = ("loss", "h", "sample")
    data = {name: (dims, numpy.asarray(group[name][...]), {"description": DESCRIPTIONS[name]} if name in DESCRIPTIONS else {}) for name in VARIABLES}
    coords = {"loss": [str(v) for v in numpy.asarray(group["loss"][...])], "h": numpy.asarray(group["h"][...]),
              "x0": ("sample", numpy.asarray(group["x0"][...])), "y0": ("sample", numpy.asarray(group["y0"][...]))}
    return xarray.Dataset(data, coords=coords, attrs={"llgd_parameters": group.attrs.get("llgd_parameters")})


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "llgd_proof"


def usable_cache_dir(path) -> Path:
    """``path`` as a directory we can write stores into, or a StoreError sentence."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"the cache directory {folder} is not a directory; give a directory for --cache-dir")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"the cache directory {folder} cannot be created ({error.strerror}); give a writable directory") from error
    if not os.access(folder, os.W_OK):
        raise StoreError(f"the cache directory {folder} is not writable; give a writable directory")
    return folder


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


def _as_grid(dataset: xarray.Dataset, side: int) -> xarray.Dataset:
    """Reshape ``sample`` (row-major over y0, then x0) into dims (y0, x0)."""
    import xarray

    xs, ys = dataset.x0.values[:side], dataset.y0.values[::side]
    reshaped = {}
    for name, variable in dataset.data_vars.items():
        shape = variable.shape[:-1] + (side, side)
        reshaped[name] = (variable.dims[:-1] + ("y0", "x0"), variable.values.reshape(shape), variable.attrs)
    return xarray.Dataset(reshaped, coords={"loss": dataset.loss.values, "h": dataset.h.values, "y0": ys, "x0": xs}, attrs=dataset.attrs)


def _flat(values: xarray.DataArray) -> numpy.ndarray:
    return numpy.asarray(values).reshape(-1)


def entry_summary(dataset: xarray.Dataset, spec: str, h: float) -> dict:
    """Today's per-loss summary fields for one (loss, h) slice of an atlas Dataset."""
    info = dataset.attrs["llgd"]
    part = dataset.sel(loss=spec)
    if "h" in part.dims:
        part = part.sel(h=h)
    status = _flat(part.status)
    converged = status == STATUS_CODES[Status.CONVERGED]
    among = {name: (float(numpy.mean(_flat(part[name])[converged])) if converged.any() else None) for name in ("eos", "catapult", "balancing")}
    ratios = _flat(part.eos_ratio)[converged]
    count = len(status)
    counts = {status_.value: int(numpy.sum(status == STATUS_CODES[status_])) for status_ in STATUSES}
    return {
        "loss": spec,
        "h": h,
        "description": info["descriptions"][spec],
        "regularity_class": info["classes"][spec],
        "starts": count,
        "counts": counts,
        "fractions": {name: value / count if count else 0.0 for name, value in counts.items()},
        "among_converged": among,
        "median_eos_ratio": float(numpy.median(ratios)) if len(ratios) else None,
        "confirm": info["confirm"].get(f"{spec}@{h!r}"),
    }


def atlas_summary(dataset: xarray.Dataset) -> dict:
    """The ``--json`` summary of an atlas Dataset: today's fields, ``h`` a number (or a list for several steps)."""
    info = dataset.attrs["llgd"]
    h_values = info["h"]
    entries = [entry_summary(dataset, str(spec), h) for h in h_values for spec in dataset.loss.values]
    return {
        "h": h_values[0] if len(h_values) == 1 else h_values,
        "box": info["box"],
        "mode": info["mode"],
        "resolution": info["resolution"],
        "log_box": info["log_box"],
        "same_sign": info["same_sign"],
        "seed": info["seed"],
        "max_steps": info["max_steps"],
        "delta": info["delta"],
        "balance_fraction": info["balance_fraction"],
        "losses": entries,
        "cache": info["cache"],
        "out": info["out"],
        "elapsed_seconds": round(info["elapsed_seconds"], 2),
    }


def confirm_points(objective: Objective, part: xarray.Dataset, count: int, *, seed: int = 0, max_steps: int = 20_000, dps: int = 30) -> dict:
    """Re-run ``count`` random starts of one (loss, h) slice with the mpmath engine: same status (and limit, when converged)?"""
    status = _flat(part.status)
    x0, y0 = numpy.broadcast_arrays(part.x0.values[None, :], part.y0.values[:, None]) if "x0" in part.dims else (part.x0.values, part.y0.values)
    x0, y0, final_x, final_y = _flat(x0), _flat(y0), _flat(part.final_x), _flat(part.final_y)
    h = float(part.h)
    rng = numpy.random.default_rng(seed + 1)
    chosen = rng.choice(len(status), size=min(count, len(status)), replace=False)
    agree, disagreements = 0, []
    for index in chosen:
        high = gradient_descent(objective, h, [float(x0[index]), float(y0[index])], dps=dps, max_steps=max_steps, tolerance=mpmath.mpf("1e-10"))
        batch_status = STATUS_NAMES[int(status[index])]
        same = high.status.value == batch_status
        if same and high.status is Status.CONVERGED:
            same = numpy.allclose([float(v) for v in high.final], [final_x[index], final_y[index]], rtol=1e-6, atol=1e-8)
        agree += same
        if not same:
            disagreements.append({"start": [float(x0[index]), float(y0[index])], "batch": batch_status, "mpmath": high.status.value})
    return {"checked": len(chosen), "agreement": agree / len(chosen) if len(chosen) else None, "disagreements": disagreements[:5]}


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
