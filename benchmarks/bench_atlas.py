"""Atlas benchmark (issue 5): wall time of a 4-loss × 10 000-start × 20 000-step atlas on this machine,
with the batch engine's point-steps per second against a plain Python float loop in the same run.

Run: ``python benchmarks/bench_atlas.py``. No cache is used, so every chunk is computed.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from bench_engines import main as engine_benchmark

from llgd_proof.atlas import atlas


def main() -> dict:
    start = time.perf_counter()
    result = atlas(["logcosh", "huber", "pseudo-huber", "quadratic"], 0.9, samples=10_000, same_sign=True, max_steps=20_000, seed=0, cache_dir=None)
    wall = time.perf_counter() - start
    point_steps = int(sum(int(entry.run.steps.sum()) for entry in result.losses))
    engines = engine_benchmark()
    return {
        "atlas_wall_seconds": round(wall, 2),
        "atlas_point_steps_executed": point_steps,
        "atlas_point_steps_budget": 4 * 10_000 * 20_000,
        "cores": os.cpu_count(),
        "converged_fraction": {e.spec: round(e.summary()["fractions"]["converged"], 4) for e in result.losses},
        "batch_point_steps_per_s": round(engines["batch_point_steps_per_s"]),
        "python_loop_point_steps_per_s": round(engines["python_loop_point_steps_per_s"]),
        "batch_vs_python_ratio": round(engines["batch_vs_python_ratio"], 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
