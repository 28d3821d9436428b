"""Resumable Zarr stores of a job (loss × h × sample): the job's layout, its fingerprint, and chunk I/O.

Each chunk is written, the moment it is finished, into a Zarr store laid out as an ``xarray.Dataset``
(dims loss, h, sample; variables status, steps, period, final_x/final_y, eos_ratio, max_loss_ratio,
imbalance_ratio, …), with the run's parameters in the store's attributes and a checksum of every chunk's
contents in the ``checksum`` variable. Re-running the same job skips valid chunks; a chunk that fails to
load or to validate (shape, dtype, checksum) is recomputed with a warning; a store made with other
parameters is refused with a sentence, and only the store's own files are ever removed.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import json
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy

from llgd_proof import __version__
from llgd_proof.engines.batch import STATUS_NAMES
from llgd_proof.errors import ParameterError, StoreWarning

STORE_FORMAT = 1
_CREATING: dict = {}  # stores this process is creating during a run: a future of their open arrays (dropped when the run ends)
CHUNK = 8192  # points per chunk: large enough that numpy's loops dominate, small enough to balance the cores


MAX_STEPS_LIMIT = 10_000_000


BYTES_PER_POINT = 256  # the stored variables of one (loss, h, start), loaded back for the summary, with room to spare


class StoreError(ParameterError):
    """A result store that cannot be used: made with other parameters, not a store, or not writable."""


class ResourceError(ParameterError):
    """A job too large for this machine (estimated before it starts)."""


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


def _checksum(fingerprint: str, block: tuple, values: dict) -> int:
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"{fingerprint}{block}".encode())
    for name in VARIABLES:
        array = numpy.ascontiguousarray(values[name])
        digest.update(f"{name}{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return int.from_bytes(digest.digest(), "little") | 1  # never 0, the fill value of "not written yet"


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
                warnings.warn(f"the cached store {store} was unreadable ({type(error).__name__}); rebuilding it", StoreWarning, stacklevel=2)
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
    warnings.warn(f"the metadata or coordinates of {', '.join(names)} in {store} did not match its parameters and were rewritten", StoreWarning, stacklevel=2)


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
