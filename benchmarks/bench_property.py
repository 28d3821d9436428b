"""A large property run in this process against the same run as a Dask graph on 2 local processes (issue 11).

``llgd property convergence-v1 --loss logcosh --param mu=0.5:2 --examples 150`` — a refuted variant, so the
run has a counting pass (parallel on Dask), then a shrinking pass and a confirmation (both in this process,
with hypothesis, whatever the engine). Each engine runs once, in this one run: the wall time of each, the
ratio, and a check that both reports agree (counts, first violations, shrunk counterexample). The Dask figure
includes starting 2 processes, importing llgd_proof in each and compiling every loss a process meets.

Run: ``python benchmarks/bench_property.py [--examples N] [--json]`` (about 1.5 minutes at 150 examples on
2 cores). The machine may be shared: the load average before and after is printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from llgd_proof import api

RUN = dict(loss="logcosh", ranges={"mu": (0.5, 2)}, seed=5)


def timed(examples: int, workers: int):
    start = time.perf_counter()
    report = api.check_family("convergence-v1", examples=examples, workers=workers, **RUN)
    return time.perf_counter() - start, report


def summary(report) -> dict:
    return {
        "counts": report.counts,
        "first_violations": [repr(case) + str(case.loss_object.expr) for case in report.first_violations],
        "counterexample": None if report.counterexample is None else report.counterexample.case.as_json(),
        "confirmed": report.confirmed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=150)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()
    in_process, local = timed(args.examples, workers=1)
    on_dask, parallel = timed(args.examples, workers=2)
    result = {
        "examples": args.examples,
        "in_process_seconds": round(in_process, 2),
        "dask_2_processes_seconds": round(on_dask, 2),
        "speedup": round(in_process / on_dask, 2),
        "chunks": parallel.engine["chunks"],
        "counting_seconds": {"in_process": local.engine["counting_seconds"], "dask_2_processes": parallel.engine["counting_seconds"]},
        "counts": local.counts,
        "same_report": summary(local) == summary(parallel),
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "cores": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"property run, {args.examples} examples of convergence-v1 over log cosh(s - mu), mu in [0.5, 2] (counts {local.counts})")
    print(f"  in this process:        {in_process:7.1f} s")
    print(f"  Dask, 2 processes:      {on_dask:7.1f} s   ({parallel.engine['chunks']} chunks)")
    print(f"  counting pass only:     {local.engine['counting_seconds']:7.1f} s in this process, {parallel.engine['counting_seconds']:.1f} s on Dask "
          f"({local.engine['counting_seconds'] / parallel.engine['counting_seconds']:.2f}x); the rest is shrinking and confirming, here")
    print(f"  speed-up:               {in_process / on_dask:7.2f}x   same report: {result['same_report']}")
    print(f"  load average (1 min) before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
