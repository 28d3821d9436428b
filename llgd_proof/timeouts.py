"""A wall-clock guard for symbolic steps (solveset, limit, simplify) that can run for very long.

Uses ``SIGALRM`` when called from the main thread of a POSIX process; elsewhere the guard is a
no-op and the step runs unguarded. A step that overruns raises :class:`TimeLimitExceeded`, and
callers fall back to a method that is marked as such (e.g. a numeric estimate).
"""

from __future__ import annotations

import contextlib
import signal
import threading


class TimeLimitExceeded(Exception):
    """A guarded step ran past its limit."""


@contextlib.contextmanager
def time_limit(seconds: float):
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return

    def _raise(signum, frame):
        raise TimeLimitExceeded(f"step exceeded {seconds} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
