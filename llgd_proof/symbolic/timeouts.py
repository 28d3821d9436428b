"""A wall-clock guard for symbolic steps (solveset, limit, simplify) that can run for very long.

Uses ``SIGALRM`` when called from the main thread of a POSIX process; elsewhere the guard is a
no-op and the step runs unguarded. A step that overruns raises :class:`TimeLimitExceeded`, and
callers fall back to a method that is marked as such (e.g. a numeric estimate).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time


class TimeLimitExceeded(Exception):
    """A guarded step ran past its limit."""


REPEAT_SECONDS = 0.1

_deadline: float | None = None  # end of the current time budget (time.monotonic), if any


@contextlib.contextmanager
def time_budget(seconds: float):
    """A total allowance shared by every guarded step inside the block.

    Each :func:`time_limit` inside gets at most what is left; once the budget is spent, guarded
    steps raise :class:`TimeLimitExceeded` at once, so their callers take their (marked)
    fallbacks immediately. Unguarded work is not interrupted. Budgets nest (the tighter wins).
    """
    global _deadline
    previous = _deadline
    end = time.monotonic() + seconds
    _deadline = end if previous is None else min(previous, end)
    try:
        yield
    finally:
        _deadline = previous


@contextlib.contextmanager
def time_limit(seconds: float, *, within_budget: bool = True):
    """Raise :class:`TimeLimitExceeded` in the guarded block after ``seconds``.

    The alarm repeats every ``REPEAT_SECONDS`` until the block ends, because an exception raised
    while the interpreter runs a callback (a garbage-collector hook, a ``__del__``) is swallowed.
    Guards nest: an inner guard never extends an outer one, and the outer guard's remaining time
    is restored (less the time spent inside) when the inner block ends. Inside a
    :func:`time_budget` (unless ``within_budget=False``) the limit is cut to what the budget has left.
    """
    if within_budget and _deadline is not None:
        remaining = _deadline - time.monotonic()
        if remaining <= 0:
            raise TimeLimitExceeded("the time budget is spent")
        seconds = min(seconds, remaining)
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    outer_remaining, outer_repeat = signal.getitimer(signal.ITIMER_REAL) if usable else (0.0, 0.0)
    if not usable or 0 < outer_remaining <= seconds:
        yield
        return
    active = True

    def _raise(signum, frame):
        if active:
            raise TimeLimitExceeded(f"step exceeded {seconds} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_SECONDS)
    try:
        yield
    finally:
        active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_remaining > 0:
            left = max(outer_remaining - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer_repeat)


# -- a cheap per-call limit for hot numeric functions ------------------------------------------
# ``time_limit`` costs a few microseconds (it saves and restores the wall-clock timer so that
# guards nest); a compiled objective is called once per GD step, so its guard uses the separate
# CPU-time timer (ITIMER_PROF / SIGPROF) and two system calls per call. A runaway evaluation
# (exp of an astronomically large number) is CPU-bound, so CPU time is the right clock.

_MAIN_THREAD = threading.main_thread().ident
_cpu_state = {"installed": None, "armed": False}


def _cpu_handler(signum, frame):
    if _cpu_state["armed"]:
        raise TimeLimitExceeded("evaluation exceeded its CPU-time limit")


def _cpu_guard_usable() -> bool:
    if _cpu_state["installed"] is None:
        usable = (
            hasattr(signal, "setitimer")
            and hasattr(signal, "SIGPROF")
            and threading.get_ident() == _MAIN_THREAD
            and signal.getsignal(signal.SIGPROF) in (signal.SIG_DFL, None)
        )
        if usable:
            signal.signal(signal.SIGPROF, _cpu_handler)
        _cpu_state["installed"] = usable
    return bool(_cpu_state["installed"])


def cpu_limited(function, seconds: float):
    """``function`` with a CPU-time limit per call (raises :class:`TimeLimitExceeded`).

    Main thread only (elsewhere unguarded); a call made while another guarded call runs is covered
    by the outer one.
    """
    usable = _cpu_guard_usable()

    def call(*args):
        if not usable or _cpu_state["armed"] or threading.get_ident() != _MAIN_THREAD:
            return function(*args)
        _cpu_state["armed"] = True
        signal.setitimer(signal.ITIMER_PROF, seconds, REPEAT_SECONDS)
        try:
            return function(*args)
        finally:
            _cpu_state["armed"] = False  # first, so that a signal arriving now is ignored
            signal.setitimer(signal.ITIMER_PROF, 0)

    return call
