"""Benchmark for issue 20 (not a timed test): certified basins of f = ℓ(xy) on |x0|, |y0| ∈ [0.05, 4] (same sign,
so the positive quadrant), h = 0.9, for log cosh(s − 1) and the square loss (s − 1)²/2 (the same μ = 1).

For each loss: leaves certified per second, the certified fractions (lower bounds) from :func:`llgd_proof.api.basin`,
the time the independent checker takes to recheck the certificate, and the numeric basin fraction — float64 GD from
a uniform grid of starts (evidence, not proof) — for comparison.

With ``--scheduler`` (``sync``, ``threads``, ``processes`` or a dask.distributed address) and ``--workers`` the sub-boxes
(tiles) run as in ``llgd basin``; ``--compare`` times ``sync`` against ``processes`` on ``--workers`` (default 2) and checks
that both give the same certificate, byte for byte.

Run: ``python benchmarks/bench_basin.py [--depth 7] [--grid 200] [--losses logcosh] [--scheduler S] [--workers N] [--compare] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy

from llgd_proof import api
from llgd_proof.checker.basins import recheck_basin

BOX = ["0.05", "4", "0.05", "4"]
LOSSES = {"logcosh": numpy.tanh, "quadratic": lambda r: r}


def numeric_fractions(slope, h: float, grid: int, max_steps: int = 5000) -> dict:
    """Float64 GD from the centres of a grid × grid partition of the box: converged (|xy − 1| < 1e-9), diverged
    (x² + y² > 1e12) or neither after ``max_steps``."""
    low, high = float(BOX[0]), float(BOX[1])
    centres = low + (numpy.arange(grid) + 0.5) * (high - low) / grid
    x, y = (a.ravel() for a in numpy.meshgrid(centres, centres))
    outcome = numpy.zeros(x.shape, dtype=int)  # 1 converged, 2 diverged
    with numpy.errstate(all="ignore"):
        for _ in range(max_steps):
            s = x * y
            outcome[(outcome == 0) & (numpy.abs(s - 1) < 1e-9)] = 1
            outcome[(outcome == 0) & ~(x * x + y * y < 1e12)] = 2
            if numpy.all(outcome):
                break
            t = h * slope(s - 1)
            x, y = x - t * y, y - t * x
    return {"converges": float(numpy.mean(outcome == 1)), "diverges": float(numpy.mean(outcome == 2)), "neither": float(numpy.mean(outcome == 0))}


def compare(loss: str, depth: int, workers: int) -> dict:
    """Seconds on this thread alone and on ``workers`` local processes, and whether the certificates are identical."""
    seconds, certificates = {}, {}
    for scheduler in ("sync", "processes"):
        started = time.perf_counter()
        result = api.basin(loss=loss, mu="1", h="0.9", box=BOX, depth=depth, scheduler=scheduler, workers=workers)
        seconds[scheduler] = round(time.perf_counter() - started, 2)
        certificates[scheduler] = json.dumps(result.certificate)
    return {"loss": loss, "depth": depth, "workers": workers, "tiles": result.tiles["tiles"], "seconds": seconds,
            "speedup": round(seconds["sync"] / seconds["processes"], 2), "identical": certificates["sync"] == certificates["processes"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=7)
    parser.add_argument("--grid", type=int, default=200)
    parser.add_argument("--losses", default=",".join(LOSSES), help="comma-separated, among " + ", ".join(LOSSES))
    parser.add_argument("--scheduler", help="sync, threads, processes or a dask.distributed address (default: as llgd basin)")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--compare", action="store_true", help="time sync against processes on --workers (default 2)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    losses = args.losses.split(",")
    if args.compare:
        rows = [compare(loss, args.depth, args.workers or 2) for loss in losses]
        print(json.dumps(rows, indent=None if args.json else 1))
        return
    rows = []
    for loss in losses:
        slope = LOSSES[loss]
        started = time.perf_counter()
        result = api.basin(loss=loss, mu="1", h="0.9", box=BOX, depth=args.depth, scheduler=args.scheduler, workers=args.workers)
        seconds = time.perf_counter() - started
        checked = time.perf_counter()
        valid = recheck_basin(result.certificate).valid
        recheck_seconds = time.perf_counter() - checked
        certified = sum(count for outcome, count in result.leaves.items() if outcome != "undecided")
        rows.append({
            "loss": loss, "h": "0.9", "box": BOX, "depth": args.depth, "leaves": result.leaves, "certified_fractions": result.fractions,
            "numeric_fractions": numeric_fractions(slope, 0.9, args.grid), "seconds": round(seconds, 2),
            "leaves_per_second": round(sum(result.leaves.values()) / seconds, 1), "certified_leaves_per_second": round(certified / seconds, 1),
            "ball_steps": result.work, "recheck_seconds": round(recheck_seconds, 2), "recheck_valid": valid, "tiles": result.tiles,
        })
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for row in rows:
        print(f"{row['loss']:<10} depth {row['depth']}: certified converges ≥ {row['certified_fractions']['converges']}, diverges ≥ "
              f"{row['certified_fractions']['diverges']} (numeric {row['numeric_fractions']['converges']:.4f} / {row['numeric_fractions']['diverges']:.4f}); "
              f"{row['leaves']} leaves in {row['seconds']} s = {row['leaves_per_second']} leaves/s ({row['certified_leaves_per_second']} certified/s); "
              f"recheck {row['recheck_seconds']} s, valid {row['recheck_valid']}")


if __name__ == "__main__":
    main()
