"""The high-precision engine on Arb against a hand-written mpmath loop (issue 9, part 1), in one run.

At 50 digits on f = log cosh(xy − 1), h = 0.9, from (20, 0.1), tolerance 1e-45 (about 1400 steps to
the stop), steps per second of

* ``dynamics.gradient_descent(engine="arb")`` — the engine ``run``/``check``/``verify``/``property`` use:
  Arb midpoints, the loss and gradient from one fused, common-subexpression-eliminated function, every
  stopping rule of :class:`~llgd_proof.engines.stopping.StoppingRule` (rule 1 screened in float64 every step,
  decided in mpmath when the screen cannot exclude it), divergence bounds, period detection every 8
  steps, the trajectory record and max-loss tracking;
* ``dynamics.gradient_descent(engine="mpmath")`` — the same loop on mpmath (the self-check's engine);
* a hand-written mpmath loop (x, y ← x − h·tanh(xy − 1)·y, …: no loss, no stopping rule);
* a bare Arb loop (the compiled loss and gradient, midpoint update, nothing else);
* hand-written Arb loops (x, y ← mid(x − h·tanh(xy − 1)·y), …), without and with the loss log cosh(xy − 1)
  (the engine needs ℓ at every step: for the max-loss record and the trajectory record): the ceilings for a
  Python loop on Arb midpoints;
* the same loop with the least any engine must add: one float copy of h·ℓ'(s) per step (the cheapest rule-1
  screen) and the running extremes of s = xy (enough for the max-loss record when ℓ is quasi-convex, so no ℓ
  at all) — no trajectory record, no divergence bound, no period check. If even this stays under 5× the
  hand-written mpmath loop, no engine built as a Python loop over python-flint can reach the issue's goal;
* a per-step breakdown (µs) of what one engine step does, each piece timed alone at a typical iterate
  (what is left of the engine's µs/step is the Python bookkeeping between the pieces and the period
  screen, every 8 steps).

Repeats are interleaved and the best of each is kept (the machine is shared). The issue's goal was the
engine ≥ 5× the hand-written mpmath loop; the script prints the ratio it measures, whatever it is, and the
per-step budget that goal leaves (``us_per_step_budget_for_goal``), to set beside the loops above: measured
here, the minimal-rules loop lands at 4.8–5.05× (1.53 µs against a budget of 1.54 µs), so an engine that
also keeps the trajectory record, the divergence bounds and the period check cannot reach it.

Run: ``python benchmarks/bench_engine_arb.py [--json]``.
"""

from __future__ import annotations

import argparse
import json
import time

import mpmath
from flint import arb

from llgd_proof.engines.precise import bits_for_digits, gradient_descent
from llgd_proof.symbolic.arb import working_bits
from llgd_proof.symbolic.losses import catalog_loss
from llgd_proof.symbolic.objective import product_objective

DPS = 50
TOLERANCE = "1e-45"
REPEATS = 5


def hand_written_mpmath(steps: int) -> float:
    start = time.perf_counter()
    with mpmath.workdps(DPS):
        x, y, h = mpmath.mpf(20), mpmath.mpf("0.1"), mpmath.mpf("0.9")
        for _ in range(steps):
            d = mpmath.tanh(x * y - 1)
            x, y = x - h * d * y, y - h * d * x
    return steps / (time.perf_counter() - start)


def bare_arb(objective, steps: int) -> float:
    evaluate = objective.compiled("arb").value_and_gradient
    start = time.perf_counter()
    with working_bits(bits_for_digits(DPS)):
        x, y, h = arb(20), arb("0.1"), arb("0.9")
        for _ in range(steps):
            _, gx, gy = evaluate(x, y)
            x, y = (x - h * gx).mid(), (y - h * gy).mid()
    return steps / (time.perf_counter() - start)


def hand_written_arb(steps: int, with_loss: bool) -> float:
    start = time.perf_counter()
    with working_bits(bits_for_digits(DPS)):
        x, y, h, one = arb(20), arb("0.1").mid(), arb("0.9").mid(), arb(1)
        for _ in range(steps):
            s = x * y - one
            if with_loss:
                s.cosh().log()
            d = h * s.tanh()
            x, y = (x - d * y).mid(), (y - d * x).mid()
    return steps / (time.perf_counter() - start)


def minimal_rules_arb(steps: int) -> float:
    start = time.perf_counter()
    with working_bits(bits_for_digits(DPS)):
        x, y, h, one = arb(20), arb("0.1").mid(), arb("0.9").mid(), arb(1)
        highest = lowest = x * y
        screen = float(TOLERANCE)
        for _ in range(steps):
            s = x * y - one
            d = h * s.tanh()
            if abs(float(d)) <= screen:
                pass  # an engine would decide rule 1 here
            if s > highest:
                highest = s
            elif s < lowest:
                lowest = s
            x, y = (x - d * y).mid(), (y - d * x).mid()
    return steps / (time.perf_counter() - start)


def breakdown(objective) -> dict:
    """µs per piece of one engine step, each timed alone (best of 5 × 20000) at a typical iterate."""
    import math
    import timeit

    import numpy

    compiled = objective.compiled("arb")
    with working_bits(bits_for_digits(DPS)):
        theta, step = [arb("1.3").mid(), arb("0.8").mid()], arb("0.9").mid()
        values = compiled.value_and_gradient(*theta)
        s = theta[0] * theta[1] - 1
        names = dict(
            c=compiled, theta=theta, step=step, values=values, loss=values[0], gradient=values[1:], s=s,
            point=tuple(map(float, theta)), gf=[float(g) for g in values[1:]], lf=float(values[0]),
            ring=numpy.zeros((65, 2)), first=numpy.zeros(65), finite=math.isfinite, k=77, width=65,
        )
        pieces = {
            "loss, gradient and midpoint step (one generated call, as the engine does)": "c.descent_step(step, *theta)",
            "  of which tanh(s)": "s.tanh()",
            "  of which log(cosh(s))": "s.cosh().log()",
            "  of which one midpoint update mid(t - h*g)": "(s - step * s).mid()",
            "float copies (loss, gradient, point)": "float(loss); [float(g) for g in gradient]; tuple(map(float, theta))",
            "rule-1 and divergence screens": "max(map(abs, gf)) * max(1.0, max(map(abs, point))) <= 1e-45 * max(1.0, abs(lf)); not finite(lf + sum(gf))",
            "float ring for the period screen": "ring[k % width] = point; first[k % width] = point[0]",
        }
        times = {name: round(min(timeit.repeat(stmt, globals=names, number=20000, repeat=5)) / 20000 * 1e6, 3) for name, stmt in pieces.items()}
    fixed = math.inf
    for _ in range(5):
        start = time.perf_counter()
        gradient_descent(objective, "0.9", ["20", "0.1"], dps=DPS, tolerance=TOLERANCE, engine="arb", max_steps=1)
        fixed = min(fixed, time.perf_counter() - start)
    times["fixed cost of one run (setup, stopping rule, Run), us per run"] = round(fixed * 1e6, 1)
    return times


def engine(objective, name: str) -> tuple[float, int, str]:
    start = time.perf_counter()
    run = gradient_descent(objective, "0.9", ["20", "0.1"], dps=DPS, tolerance=TOLERANCE, engine=name)
    return run.steps / (time.perf_counter() - start), run.steps, run.status.value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    objective = product_objective(catalog_loss("logcosh"))
    objective.compiled("arb"), objective.compiled("mpmath")  # compile outside the timings
    best = {"arb": 0.0, "mpmath": 0.0, "hand": 0.0, "bare": 0.0, "hand_arb": 0.0, "hand_arb_loss": 0.0, "minimal": 0.0}
    outcome = {}
    for _ in range(REPEATS):
        for name in ("arb", "mpmath"):
            rate, steps, status = engine(objective, name)
            best[name] = max(best[name], rate)
            outcome[name] = {"steps": steps, "status": status}
        best["hand"] = max(best["hand"], hand_written_mpmath(outcome["arb"]["steps"]))
        best["bare"] = max(best["bare"], bare_arb(objective, outcome["arb"]["steps"]))
        best["hand_arb"] = max(best["hand_arb"], hand_written_arb(outcome["arb"]["steps"], False))
        best["hand_arb_loss"] = max(best["hand_arb_loss"], hand_written_arb(outcome["arb"]["steps"], True))
        best["minimal"] = max(best["minimal"], minimal_rules_arb(outcome["arb"]["steps"]))
    report = {
        "arb_engine_steps_per_s": round(best["arb"]),
        "mpmath_engine_steps_per_s": round(best["mpmath"]),
        "hand_written_mpmath_steps_per_s": round(best["hand"]),
        "bare_arb_loop_steps_per_s": round(best["bare"]),
        "arb_engine_over_hand_mpmath": round(best["arb"] / best["hand"], 2),
        "arb_engine_over_mpmath_engine": round(best["arb"] / best["mpmath"], 2),
        "bare_arb_over_hand_mpmath": round(best["bare"] / best["hand"], 2),
        "hand_written_arb_steps_per_s": round(best["hand_arb"]),
        "hand_written_arb_over_hand_mpmath": round(best["hand_arb"] / best["hand"], 2),
        "hand_written_arb_with_loss_steps_per_s": round(best["hand_arb_loss"]),
        "hand_written_arb_with_loss_over_hand_mpmath": round(best["hand_arb_loss"] / best["hand"], 2),
        "hand_written_arb_minimal_rules_steps_per_s": round(best["minimal"]),
        "hand_written_arb_minimal_rules_over_hand_mpmath": round(best["minimal"] / best["hand"], 2),
        "us_per_step_budget_for_goal": round(1e6 / best["hand"] / 5, 3),
        "us_per_step": {name: round(1e6 / best[key], 3) for name, key in (("arb_engine", "arb"), ("bare_arb", "bare"), ("hand_written_arb", "hand_arb"), ("hand_written_arb_with_loss", "hand_arb_loss"), ("hand_written_arb_minimal_rules", "minimal"), ("hand_written_mpmath", "hand"))},
        "breakdown_us": breakdown(objective),
        "runs": outcome,
        "goal": "arb engine >= 5x hand-written mpmath",
    }
    if args.json:
        print(json.dumps(report))
        return
    print(f"engines at {DPS} digits, log cosh(xy - 1), h = 0.9, from (20, 0.1), tolerance {TOLERANCE}:")
    for key, value in report.items():
        print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
