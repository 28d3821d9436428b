"""The wall-clock guard: guards nest, an inner guard fires on its own, the outer one survives it."""

import signal
import time

import pytest

from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_limit


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_an_inner_guard_fires_inside_an_outer_one_and_the_outer_stays_armed():
    with time_limit(5):
        with pytest.raises(TimeLimitExceeded), time_limit(0.1):
            spin(2)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 4 < remaining < 5
        with pytest.raises(TimeLimitExceeded):
            spin(10)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_an_inner_guard_never_extends_an_outer_one():
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded), time_limit(0.2), time_limit(30):
        spin(10)
    assert time.monotonic() - started < 5


def test_a_cpu_limited_call_that_runs_away_is_stopped_and_the_timer_disarmed():
    from llgd_proof.symbolic.timeouts import cpu_limited

    runaway = cpu_limited(spin, 0.2)
    with pytest.raises(TimeLimitExceeded):
        runaway(10)
    assert signal.getitimer(signal.ITIMER_PROF)[0] == 0
    assert cpu_limited(lambda x: x + 1, 0.2)(1) == 2


def test_a_time_budget_makes_later_guards_fall_back_at_once():
    from llgd_proof.symbolic.timeouts import time_budget

    with time_budget(0.1):
        spin(0.2)
        with pytest.raises(TimeLimitExceeded):
            with time_limit(5):
                pass
        with time_limit(5, within_budget=False):  # numeric decisions are not cut by the budget
            pass
