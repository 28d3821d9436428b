"""Engine benchmarks (issue 2), reported as ratios measured in one run.

1. The compiled mpmath GD step (gradient lambdified from sympy with CSE) against a hand-written
   mpmath loop for the same objective (f = log cosh(xy − 1), 50 digits): goal ≥ 0.5×. The full
   engine — which also evaluates the loss every step for the catapult record and runs the
   stopping rules — is reported beside it.
2. The numpy batch engine against a plain Python float loop, in point-steps per second:
   goal ≥ 20×.

Run: ``python benchmarks/bench_engines.py [--json]``.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import mpmath
import numpy

from llgd_proof.engines.batch import batch_gradient_descent
from llgd_proof.engines.precise import gradient_descent
from llgd_proof.symbolic.losses import catalog_loss
from llgd_proof.symbolic.objective import product_objective

STEPS = 4000
H = 0.9


def hand_written_mpmath(steps: int) -> None:
    with mpmath.workdps(50):
        x, y, h = mpmath.mpf(20), mpmath.mpf("0.1"), mpmath.mpf(H)
        for _ in range(steps):
            d = mpmath.tanh(x * y - 1)
            x, y = x - h * d * y, y - h * d * x


def compiled_mpmath_steps(objective, steps: int) -> None:
    gradient = objective.compiled("mpmath").gradient
    with mpmath.workdps(50):
        x, y, h = mpmath.mpf(20), mpmath.mpf("0.1"), mpmath.mpf(H)
        for _ in range(steps):
            gx, gy = gradient(x, y)
            x, y = x - h * gx, y - h * gy


def plain_python_floats(starts: list[tuple[float, float]], steps: int) -> None:
    for x, y in starts:
        for _ in range(steps):
            d = math.tanh(x * y - 1)
            x, y = x - H * d * y, y - H * d * x


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main() -> dict:
    objective = product_objective(catalog_loss("logcosh"))
    objective.compiled("mpmath"), objective.compiled("numpy")  # compile outside the timing
    engine = timed(lambda: gradient_descent(objective, H, [20, "0.1"], max_steps=STEPS, tolerance=mpmath.mpf("1e-300")))
    compiled_step = timed(compiled_mpmath_steps, objective, STEPS)
    hand = timed(hand_written_mpmath, STEPS)
    rng = numpy.random.default_rng(0)
    count, batch_steps = 20_000, 20_000
    starts = numpy.stack([rng.uniform(0.5, 30, count), rng.uniform(0.05, 5, count)], axis=1)
    batch = timed(lambda: batch_gradient_descent(objective, H, starts, max_steps=batch_steps, tolerance=0.0))
    loop_points = 50
    loop = timed(plain_python_floats, [tuple(p) for p in starts[:loop_points]], batch_steps)
    batch_rate = count * batch_steps / batch
    loop_rate = loop_points * batch_steps / loop
    result = {
        "mpmath_compiled_step_per_s": STEPS / compiled_step,
        "mpmath_hand_loop_steps_per_s": STEPS / hand,
        "mpmath_compiled_step_vs_hand_ratio": hand / compiled_step,
        "mpmath_full_engine_steps_per_s": STEPS / engine,
        "mpmath_full_engine_vs_hand_ratio": hand / engine,
        "batch_point_steps_per_s": batch_rate,
        "python_loop_point_steps_per_s": loop_rate,
        "batch_vs_python_ratio": batch_rate / loop_rate,
        "goals": {"mpmath_compiled_step_vs_hand_ratio": 0.5, "batch_vs_python_ratio": 20},
    }
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    outcome = main()
    if args.json:
        print(json.dumps(outcome, indent=2))
    else:
        for key, value in outcome.items():
            print(f"{key:34s} {value if isinstance(value, dict) else f'{value:,.2f}'}")
