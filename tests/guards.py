"""A guard against hangs for the fuzz tests: a call still running after N seconds fails the test instead of stalling
CI (a guard, not a timing assertion)."""

import contextlib
import signal


class Hung(BaseException):
    """Raised by the guard; a BaseException so that no ``except Exception`` inside llgd can swallow it."""


@contextlib.contextmanager
def guard(seconds: float):
    def _raise(signum, frame):
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
