"""Where chunks of a job run: local worker processes or a ``dask.distributed`` cluster — the one Dask helper of the
atlas, the sweeps and the property tests.

By default Dask's local multiprocessing scheduler with one worker process per core (:func:`in_processes`; started
by the one fork policy, :func:`process_context`: forked where that is safe, so they start at once with every loss
compiled; none outlives the call, each dies with its parent), or the calling thread alone when there is one chunk
or one worker; with ``scheduler=ADDRESS`` (or ``DASK_SCHEDULER_ADDRESS``) the same graph runs on a cluster
(:func:`on_cluster`), probed first so an address no client can use is refused with one sentence; ``"threads"`` /
``"sync"`` pick Dask's other local schedulers. Processes, not threads: near the edge of stability every chunk ends
with a tail of a few starts stepped by numpy calls on a handful of points, which hold the GIL, and a property
check is pure Python (``benchmarks/bench_atlas.py`` and ``benchmarks/bench_property.py`` measure them).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import sys
import threading
import time

from llgd_proof.errors import ParameterError


class SchedulerError(ParameterError):
    """A Dask scheduler that cannot be reached, or a cluster whose workers cannot run llgd_proof."""


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


def process_context():
    """The start method of local worker processes: the package's one fork policy.

    Fork where the platform has it (not macOS, whose system libraries are not fork-safe: CPython spawns there by
    default) and this process runs no other thread — zarr's I/O threads aside, which zarr itself resets in a forked
    child (``os.register_at_fork``): forked workers start at once, with this process's modules and compiled
    objectives, and a script needs no ``if __name__ == "__main__"`` guard. Forking a process that runs other threads
    can deadlock the child (it inherits their locks, not the threads that would release them), so anywhere else — a
    Jupyter kernel, a program with threads of its own — Dask's configured start method (``multiprocessing.context``,
    spawn by default), whose workers import llgd_proof and compile the losses they meet themselves."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin" and not _threads_unsafe_to_fork():
        return multiprocessing.get_context("fork")
    import dask

    return multiprocessing.get_context(dask.config.get("multiprocessing.context", "spawn"))


def _threads_unsafe_to_fork() -> list[threading.Thread]:
    """The threads of this process besides the calling one, leaving out zarr's (its I/O loop's thread and its
    executors' workers), which zarr resets in a forked child; an unknown layout of zarr leaves them in (so: spawn)."""
    reset_in_child = set()
    zarr_sync = sys.modules.get("zarr.core.sync")
    if zarr_sync is not None and callable(getattr(zarr_sync, "reset_resources_after_fork", None)):
        reset_in_child.update(getattr(zarr_sync, "iothread", [None])[:1])
        loop = getattr(zarr_sync, "loop", [None])[0]
        for executor in (getattr(zarr_sync, "_executor", None), getattr(loop, "_default_executor", None)):
            reset_in_child.update(getattr(executor, "_threads", ()))
    current = threading.current_thread()
    return [thread for thread in threading.enumerate() if thread is not current and thread not in reset_in_child]


def in_processes(tasks: list, count: int) -> list:
    """The tasks' results from ``count`` local worker processes (Dask's multiprocessing scheduler, one task at a time
    each: tasks are coarse chunks, so Dask's default batches would only unbalance the workers), started by
    :func:`process_context` and shut down before returning."""
    import dask

    pool = worker_pool(count, process_context())
    try:
        return list(dask.compute(*tasks, scheduler="processes", pool=pool, chunksize=1))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_graph(tasks: list, *, address: str | None, scheduler: str | None, workers: int | None, progress: bool = False,
              before_workers=None) -> tuple[list, str | None, int]:
    """The results of the delayed ``tasks``, what ran them and on how many workers: the cluster at ``address`` when
    there is one; else ``count`` = min(``workers`` or every core, the tasks) local workers — this thread alone
    (``"sync"``) when that is one, else ``scheduler`` when it names a local Dask scheduler, else worker processes
    (:func:`in_processes`). ``before_workers`` runs before other processes see the tasks (a cluster or local
    processes). (None, 0) for no tasks."""
    import dask

    if not tasks:
        return [], None, 0
    if address:
        if before_workers is not None:
            before_workers()
        results, count = on_cluster(address, tasks, progress)
        return results, "distributed", count
    count = min(workers or os.cpu_count() or 1, len(tasks))
    used = "sync" if count <= 1 else scheduler if scheduler in LOCAL_SCHEDULERS else "processes"  # one worker's worth: here
    count = 1 if used == "sync" else count
    with progress_bar(progress):
        if used == "processes":
            if before_workers is not None:
                before_workers()
            return in_processes(tasks, count), used, count
        return list(dask.compute(*tasks, scheduler=used, num_workers=count)), used, count


def progress_bar(progress: bool):
    """Dask's progress bar for a local scheduler, on stderr (or nothing)."""
    if not progress:
        return contextlib.nullcontext()
    from dask.diagnostics import ProgressBar

    return ProgressBar(out=sys.stderr)


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


def on_cluster(address: str, tasks: list, progress: bool = False) -> tuple[list, int]:
    """The tasks' results from the dask.distributed cluster at ``address``, and how many workers it had."""
    from distributed import Client
    from distributed import progress as distributed_progress

    try:
        client = Client(address, set_as_default=False, timeout="10s")
    except (OSError, ValueError, TypeError) as error:
        raise SchedulerError(
            f"no Dask scheduler answers at {address!r} ({type(error).__name__}); start one (see docs/reference.md) or drop --scheduler and DASK_SCHEDULER_ADDRESS"
        ) from error
    with client:
        workers = len(client.scheduler_info().get("workers", {}))
        try:
            futures = client.compute(tasks)
            if progress:
                distributed_progress(futures)
            return list(client.gather(futures)), workers
        except (RuntimeError, ImportError) as error:  # e.g. a scheduler that cannot unpickle the graph, or a worker without llgd_proof
            raise SchedulerError(
                f"the Dask cluster at {address} could not run the tasks ({' '.join(str(error).split()).split('. ')[0]}); "
                "its scheduler and workers need llgd_proof importable and the same versions of its dependencies"
            ) from error
