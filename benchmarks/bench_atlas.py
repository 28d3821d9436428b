"""Atlas benchmarks on Dask (issue 11), reported as ratios measured in one run.

1. Scaling of a fixed atlas from 1 to 2 Dask workers: the local threaded scheduler (the default) with
   1 and 2 threads, and a ``dask.distributed.LocalCluster`` on the loopback with 1 and 2 worker processes
   (one thread each) — which also says whether threads or processes are faster here.
2. Overhead of the Dask path against the direct batch call on one chunk: ``run_batch`` (batch engine +
   phenomena) called directly, against ``run_starts`` (a one-chunk Dask graph that also creates a Zarr
   store, writes the chunk and its checksum into it, and returns the Dataset from the chunk's arrays in
   memory). Goal ≤ 10 %. The overhead is a fixed cost per store and chunk (about 0.02 s to create the
   store's 22 arrays, 0.015 s to write a chunk here), so its share grows as the batch engine gets faster.

Run: ``python benchmarks/bench_atlas.py [--json]`` (about a minute). The machine is shared and timings are
noisy: each figure is the best of ``REPEATS``; no cache is reused (every run writes a fresh store).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy

from llgd_proof.atlas import Box, atlas, make_starts, run_batch, run_starts

REPEATS = 3
LOSSES = ["logcosh", "huber", "pseudo-huber", "quadratic"]
ATLAS = dict(samples=16_384, same_sign=True, log_scale=True, max_steps=20_000, seed=0, chunk=4096)  # 4 losses × 4 chunks


def best(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def timed_atlas(**kwargs) -> float:
    def one():
        with tempfile.TemporaryDirectory() as folder:
            atlas(LOSSES, 0.9, out=Path(folder) / "a.zarr", **ATLAS, **kwargs)

    return best(one)


def scaling() -> dict:
    atlas(LOSSES, 0.9, **{**ATLAS, "samples": 64})  # compile every loss outside the timing
    threads = {n: timed_atlas(workers=n) for n in (1, 2)}
    result = {
        "atlas": f"{len(LOSSES)} losses x {ATLAS['samples']} starts x {ATLAS['max_steps']} steps, chunks of {ATLAS['chunk']}",
        "threads_1_seconds": round(threads[1], 2),
        "threads_2_seconds": round(threads[2], 2),
        "threads_speedup_1_to_2": round(threads[1] / threads[2], 2),
    }
    try:
        from distributed import LocalCluster
    except ImportError:
        return result
    for n in (1, 2):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
            timed_atlas(scheduler=cluster.scheduler_address)  # warm the workers (imports, compiled objectives)
            result[f"processes_{n}_seconds"] = round(timed_atlas(scheduler=cluster.scheduler_address), 2)
    result["processes_speedup_1_to_2"] = round(result["processes_1_seconds"] / result["processes_2_seconds"], 2)
    return result


def overhead() -> dict:
    starts = make_starts(Box(0.05, 30, 0.01, 5), samples=8192, same_sign=True, log_scale=True, seed=4)
    spec, h, steps = "huber", 0.99, 20_000  # a chunk that takes seconds: at the edge h ≈ 1 some starts need the whole budget
    run_batch(spec, h, starts[:8], max_steps=10)
    direct = best(lambda: run_batch(spec, h, starts, max_steps=steps))

    def through_dask():
        with tempfile.TemporaryDirectory() as folder:
            run_starts(spec, h, starts, max_steps=steps, store=Path(folder) / "s.zarr", workers=1)

    dask_path = best(through_dask)
    return {
        "chunk": f"{spec}, h = {h}, {len(starts)} starts x {steps} steps",
        "direct_seconds": round(direct, 3),
        "dask_seconds": round(dask_path, 3),
        "overhead_percent": round(100 * (dask_path / direct - 1), 1),
        "goal_percent": 10,
    }


def main() -> dict:
    return {"cores": os.cpu_count(), "scaling": scaling(), "overhead": overhead()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    outcome = main()
    print(json.dumps(outcome, indent=2))
