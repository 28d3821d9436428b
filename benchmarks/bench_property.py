"""A large property run in this process against the same run as a Dask graph on 2 local processes (issue 11).

``llgd property convergence-v1 --loss logcosh --param mu=0.5:2 --examples 150``: a refuted variant, so the run
has a counting pass (on Dask when asked), then a shrinking pass and a confirmation (in the calling process, with
hypothesis, whatever the engine). Each engine runs ``--repeats`` times (alternating), each time in a fresh Python
process (so no run inherits objectives another compiled; imports are not timed): the best wall time of each, the
ratio, the counting pass alone, and a check that every report agrees (counts, first violations, shrunk
counterexample). The Dask
figure includes starting 2 worker processes and compiling every loss a worker meets (about 0.7 s per loss for
log cosh; the 150 cases here have 18 distinct μ).

Run: ``python benchmarks/bench_property.py [--examples N] [--repeats K] [--json]`` (about a minute at 150 examples
on 2 free cores). The machine may be shared: beside the figures it prints the load average and the ceiling the machine
offers right now — the speed-up of the same pure-Python loop run twice in 2 processes against twice in one.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

RUN = dict(loss="logcosh", ranges={"mu": (0.5, 2)}, seed=5)


def one(examples: int, workers: int) -> dict:
    """Run once here and describe the outcome (called in a child process)."""
    from llgd_proof import api

    start, cpu = time.perf_counter(), _cpu()
    report = api.check_family("convergence-v1", examples=examples, workers=workers, **RUN)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    found = report.counterexample
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "engine": report.engine,
        "outcome": {
            "counts": report.counts,
            "first_violations": [case.as_json() for case in report.first_violations],
            "counterexample": None if found is None else found.case.as_json(),
            "confirmed": report.confirmed,
        },
    }


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the Dask workers, once their pool has closed)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def in_child(examples: int, workers: int) -> dict:
    here = os.path.dirname(os.path.abspath(__file__))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.path.dirname(here), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, __file__, "--examples", str(examples), "--child", str(workers)], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def spin(count: int = 15_000_000) -> int:
    total = 0
    for value in range(count):
        total += value * value
    return total


def ceiling() -> float:
    """Speed-up of two pure-Python loops on 2 processes over the same two in this process (2.0 on 2 free cores)."""
    start = time.perf_counter()
    spin(), spin()
    alone = time.perf_counter() - start
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(spin, [10, 10]))  # start the processes before timing
        start = time.perf_counter()
        list(pool.map(spin, [15_000_000] * 2))
        together = time.perf_counter() - start
    return alone / together


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=2, help="runs of each engine, alternating (the best is reported)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(one(args.examples, args.child)))
        return
    load_before = os.getloadavg()[0]
    before = ceiling()
    runs = {1: [], 2: []}
    for _ in range(args.repeats):  # alternating, each in a fresh process; the best of each engine is kept
        for workers in (1, 2):
            runs[workers].append(in_child(args.examples, workers))
    local, parallel = (min(runs[workers], key=lambda run: run["seconds"]) for workers in (1, 2))
    assert all(run["outcome"] == local["outcome"] for run in runs[1] + runs[2]), "the engines disagree"
    after = ceiling()
    load_after = os.getloadavg()[0]
    counting = local["engine"]["counting_seconds"], parallel["engine"]["counting_seconds"]
    result = {
        "examples": args.examples,
        "in_process_seconds": round(local["seconds"], 2),
        "dask_2_processes_seconds": round(parallel["seconds"], 2),
        "speedup": round(local["seconds"] / parallel["seconds"], 2),
        "counting_seconds": {"in_process": counting[0], "dask_2_processes": counting[1]},
        "counting_speedup": round(counting[0] / counting[1], 2),
        "chunks": parallel["engine"]["chunks"],
        "cores_used": {"in_process": round(local["cpu_seconds"] / local["seconds"], 2), "dask_2_processes": round(parallel["cpu_seconds"] / parallel["seconds"], 2)},
        "counts": local["outcome"]["counts"],
        "same_report": local["outcome"] == parallel["outcome"],
        "load_average_before_after": [round(load_before, 2), round(load_after, 2)],
        "ceiling_before_after": [round(before, 2), round(after, 2)],
        "cores": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"property run: {args.examples} examples of convergence-v1 over log cosh(s - mu), mu in [0.5, 2]; counts {result['counts']}")
    print(f"  in this process:    {local['seconds']:6.1f} s   (counting pass {counting[0]:.1f} s)")
    print(f"  Dask, 2 processes:  {parallel['seconds']:6.1f} s   (counting pass {counting[1]:.1f} s, {result['chunks']} chunks)")
    print(f"  speed-up:           {result['speedup']:6.2f}x  (counting pass {result['counting_speedup']:.2f}x; shrinking and confirming run "
          f"in the calling process either way)   same report: {result['same_report']}")
    print(f"  cores used (CPU time / wall time): {result['cores_used']['in_process']:.2f} in this process, "
          f"{result['cores_used']['dask_2_processes']:.2f} with Dask (CPU {local['cpu_seconds']:.1f} s against {parallel['cpu_seconds']:.1f} s)")
    print(f"  the machine now: 2 processes run a pure-Python loop {before:.2f}x / {after:.2f}x (before/after) as fast as one; "
          f"load average (1 min) {load_before:.2f} / {load_after:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
