"""Where chunks of a job run: local worker processes or a ``dask.distributed`` cluster.

By default Dask's local multiprocessing scheduler with one worker process per core (forked on Linux, so
they start at once with every loss compiled; none outlives the call, each dies with its parent), or the
calling thread alone when there is one chunk or one worker; with ``scheduler=ADDRESS`` (or
``DASK_SCHEDULER_ADDRESS``) the same graph runs on a cluster, probed first so an address no client can
use is refused with one sentence; ``"threads"`` / ``"sync"`` pick Dask's other local schedulers.
Processes, not threads: near the edge of stability every chunk ends with a tail of a few starts stepped
by numpy calls on a handful of points, which hold the GIL (``benchmarks/bench_atlas.py`` measures both).
"""

from __future__ import annotations

import concurrent.futures
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
    from distributed import Client
    from distributed import progress as distributed_progress

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
