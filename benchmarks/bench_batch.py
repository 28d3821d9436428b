"""Batch engine against a bare numpy loop of the same update (issue 11, goal ≥ 0.7×), measured in one run.

For each of three catalog losses, the same starts and steps run through

* ``engine``: :func:`llgd_proof.engines.batch.batch_gradient_descent` with every stopping rule evaluated on its
  schedule but unable to fire (tolerance −1: no gradient, residual or orbit distance is ≤ −1, and these starts
  stay bounded), so both sides do exactly COUNT × STEPS point-steps; the loss is tracked densely for the
  first 1024 steps as in every atlas (tolerance 0 would not do: float64 orbits end exactly on a fixed point
  or an ulp-level 2-cycle and leave, flattering the engine);
* ``bare``: the textbook numpy loop ``d = ℓ'(x*y − 1); x, y = x − h*d*y, y − h*d*x`` with no checks at all
  (ℓ' written out by hand here only as the baseline to beat; the engine derives it from sympy).

Ratio = engine point-steps/s ÷ bare point-steps/s. ``ratio_loss_only_at_checks`` is the same with the loss
evaluated only at the checks (``dense_loss_steps=0``): the difference is the price of the dense loss record. The machine is shared, so timings are noisy: each side
is timed ``REPEATS`` times interleaved and the best is kept.

Run: ``python benchmarks/bench_batch.py [--json]`` (about 20 s). To compare with an untuned OpenBLAS
setting, unset ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` only for this command.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy

from llgd_proof.engines.batch import batch_gradient_descent
from llgd_proof.symbolic.losses import catalog_loss
from llgd_proof.symbolic.objective import product_objective

COUNT, STEPS, REPEATS = 20_000, 5_000, 3

BARE_SLOPES = {  # ℓ'(s) for μ = 1, written by hand for the baseline only
    "logcosh": lambda s: numpy.tanh(s - 1),
    "pseudo-huber": lambda s: (s - 1) / numpy.sqrt((s - 1) ** 2 + 1),
    "quadratic": lambda s: s - 1,
}
SETTINGS = {"logcosh": (0.9, (0.5, 30, 0.05, 5)), "pseudo-huber": (0.9, (0.5, 30, 0.05, 5)), "quadratic": (0.3, (0.5, 3, 0.05, 1))}


def bare_loop(slope, h: float, starts: numpy.ndarray, steps: int) -> numpy.ndarray:
    x, y = starts[:, 0].copy(), starts[:, 1].copy()
    for _ in range(steps):
        d = slope(x * y)
        x, y = x - h * d * y, y - h * d * x
    return numpy.stack([x, y], axis=1)


def main() -> dict:
    rng = numpy.random.default_rng(0)
    results = {}
    for name, slope in BARE_SLOPES.items():
        h, (x_low, x_high, y_low, y_high) = SETTINGS[name]
        starts = numpy.stack([rng.uniform(x_low, x_high, COUNT), rng.uniform(y_low, y_high, COUNT)], axis=1)
        objective = product_objective(catalog_loss(name))
        batch_gradient_descent(objective, h, starts[:10], max_steps=2)  # compile outside the timing
        engine_times, bare_times, sparse_times = [], [], []
        for _ in range(REPEATS):
            start = time.perf_counter()
            run = batch_gradient_descent(objective, h, starts, max_steps=STEPS, tolerance=-1.0)
            assert (run.status == 0).all(), "a point left the active set: the comparison would not be fair"
            engine_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            batch_gradient_descent(objective, h, starts, max_steps=STEPS, tolerance=-1.0, dense_loss_steps=0)
            sparse_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            bare = bare_loop(slope, h, starts, STEPS)
            bare_times.append(time.perf_counter() - start)
        agree = float(numpy.max(numpy.abs(run.final - bare)))
        engine_rate, bare_rate = COUNT * STEPS / min(engine_times), COUNT * STEPS / min(bare_times)
        results[name] = {
            "engine_point_steps_per_s": round(engine_rate),
            "bare_point_steps_per_s": round(bare_rate),
            "ratio": round(engine_rate / bare_rate, 3),
            "ratio_loss_only_at_checks": round(min(bare_times) / min(sparse_times), 3),
            "max_final_difference": agree,
        }
    return {"starts": COUNT, "steps": STEPS, "losses": results, "goal_ratio": 0.7}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    outcome = main()
    if args.json:
        print(json.dumps(outcome, indent=2))
    else:
        for name, row in outcome["losses"].items():
            print(f"{name:14s} engine {row['engine_point_steps_per_s']:>13,} /s   bare {row['bare_point_steps_per_s']:>13,} /s   ratio {row['ratio']:.2f}"
                  f"   (loss only at checks: {row['ratio_loss_only_at_checks']:.2f}; same finals to {row['max_final_difference']:.1e})")
