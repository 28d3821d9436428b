"""Independent tasks with small JSON results, run as one Dask graph and kept in a folder as they finish, so that the
same job run again skips the finished ones (resumes).

Where the tasks run follows ``llgd atlas`` (:mod:`llgd_proof.scale.workers`, :func:`llgd_proof.scale.atlas.run_job`):
Dask's local multiprocessing scheduler with one worker process per core by default, started by the package's one fork
policy and gone when the call returns; the calling thread alone when there is one task or one worker; ``"threads"``
or ``"sync"`` for Dask's other local schedulers; any other ``scheduler`` (or ``DASK_SCHEDULER_ADDRESS``) is the
address of a dask.distributed cluster, probed first so that an address no client can use is refused with one
sentence before anything is written. Dask's progress bar (a local scheduler) or dask.distributed's (a cluster) on
stderr when asked.

With a cache folder, the results of a job (``key``: a hash of everything that determines them, made by the caller) are
the files ``<cache_dir>/<kind>-<key[:24]>/<name>.json``: each holds the key, the task's name, its value and a SHA-256
checksum of the three, and is written by the task itself the moment it finishes (so an interrupted run keeps every
finished task), atomically (a temporary file, then a rename: an interrupted write leaves no file). A file that fails to
load or to validate — not JSON, another key or name, a checksum that does not match, a value the caller's ``accept``
refuses — is recomputed with a one-line :class:`~llgd_proof.errors.StoreWarning`. A checksum detects damage, not
forgery: a caller whose results matter re-verifies what it assembles from them (the basin prover has the independent
checker recheck the whole certificate).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llgd_proof.errors import StoreWarning
from llgd_proof.scale.store import StoreError, usable_cache_dir
from llgd_proof.scale.workers import _scheduler_address, probe_scheduler, run_graph

FORMAT = 1
MAX_BYTES = 64 * 2**20  # the largest result file read back (a basin tile is a few kilobytes)


def _canonical(value):
    """``value`` as it reads back from its JSON: the same whether it was just computed or loaded from a file."""
    return json.loads(json.dumps(value, allow_nan=False))


def _checksum(key: str, name: str, value) -> str:
    return hashlib.sha256(json.dumps({"key": key, "name": name, "value": value}, sort_keys=True, allow_nan=False).encode()).hexdigest()


@dataclass(frozen=True)
class TaskFolder:
    """The folder of one job's finished tasks: ``<name>.json`` per task (module doc)."""

    path: Path
    key: str

    def file(self, name: str) -> Path:
        return self.path / f"{name}.json"

    def load(self, name: str, accept: Callable | None = None) -> tuple[object, str | None]:
        """(the task's value, None) from its file; (None, None) when there is no file; (None, why) when the file cannot
        be used."""
        file = self.file(name)
        if not file.exists():
            return None, None
        try:
            if file.stat().st_size > MAX_BYTES:
                return None, f"it is larger than {MAX_BYTES // 2**20} MB"
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            return None, f"it failed to load ({type(error).__name__})"
        if not (isinstance(data, dict) and set(data) == {"format", "key", "name", "value", "sha256"} and data["format"] == FORMAT):
            return None, "it is not a task result of this version"
        if data["key"] != self.key or data["name"] != name:
            return None, "it belongs to another job"
        if data["sha256"] != _checksum(self.key, name, data["value"]):
            return None, "its contents do not match their checksum"
        reason = accept(data["value"]) if accept is not None else None
        if reason is not None:
            return None, reason
        return data["value"], None

    def save(self, name: str, value) -> None:
        """Write the task's file atomically (a temporary file in the folder, flushed to disk, then renamed)."""
        text = json.dumps({"format": FORMAT, "key": self.key, "name": name, "value": value, "sha256": _checksum(self.key, name, value)}, allow_nan=False)
        handle, temporary = tempfile.mkstemp(dir=self.path, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.file(name))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def kept(folder: TaskFolder | None, name: str, function: Callable, *arguments):
    """A task of the graph: ``function(*arguments)`` as it reads back from JSON, written to ``folder`` when there is one."""
    value = _canonical(function(*arguments))
    if folder is not None:
        folder.save(name, value)
    return value


def run_tasks(tasks: dict, *, kind: str, key: str, cache_dir=None, accept: Callable | None = None, scheduler: str | None = None,
              workers: int | None = None, progress: bool = False) -> tuple[dict, dict]:
    """The value of every task (``tasks`` maps a name — letters, digits, ``-`` — to ``(function, arguments)``), and counts.

    Tasks already finished in the job's folder under ``cache_dir`` (module doc) are read back; the others run as one Dask
    graph (module doc for ``scheduler`` and ``workers``; the functions and their arguments must pickle, and with a
    cluster its workers must import llgd_proof and reach ``cache_dir``). Returns ``(values, stats)``, stats holding
    ``tasks``, ``cached``, ``computed`` (``healed`` included: files that could not be used), ``healed``, ``scheduler``
    (what ran the graph: ``sync``, ``threads``, ``processes`` or ``distributed``; None when nothing ran), ``workers``
    and ``folder``.
    """
    import dask

    address = _scheduler_address(scheduler)
    if address:
        probe_scheduler(address)  # before the folder is made
    folder = None
    if cache_dir is not None:
        folder = TaskFolder(usable_cache_dir(cache_dir) / f"{kind}-{key[:24]}", key)
        try:
            folder.path.mkdir(exist_ok=True)
        except OSError as error:
            raise StoreError(f"the folder {folder.path} for this job's results cannot be created ({error.strerror}); give another --cache-dir") from error
    values, pending, healed = {}, [], 0
    for name in tasks:
        value, reason = folder.load(name, accept) if folder is not None else (None, None)
        if reason is not None:
            healed += 1
            warnings.warn(f"{kind} task {name} in {folder.path} was recomputed: {reason}", StoreWarning, stacklevel=2)
        if value is not None:
            values[name] = value
        else:
            pending.append(name)
    graph = [dask.delayed(kept, pure=True, name=f"llgd-{kind}-{key[:16]}-{name}")(folder, name, tasks[name][0], *tasks[name][1]) for name in pending]
    computed, used, count = run_graph(graph, address=address, scheduler=scheduler, workers=workers, progress=progress)
    values.update(zip(pending, computed))
    stats = {"tasks": len(tasks), "cached": len(tasks) - len(pending), "computed": len(pending), "healed": healed,
             "scheduler": used, "workers": count, "folder": None if folder is None else str(folder.path)}
    return {name: values[name] for name in tasks}, stats


__all__ = ["TaskFolder", "kept", "run_tasks"]
