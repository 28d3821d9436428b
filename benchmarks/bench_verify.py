"""Wall time of the main job, ``llgd verify`` (issue 3 goal: within 60 s on the 2-core machine).

Runs the theorem library in a fresh interpreter (so compilation and imports are counted, as a
user's first run would) and reports seconds and the verdict counts. Run:
``python benchmarks/bench_verify.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time


def main() -> dict:
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "llgd_proof.cli.main", "verify", "--json"], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    report = json.loads(completed.stdout)
    return {"wall_seconds": round(elapsed, 2), "goal_seconds": 60, "exit_code": completed.returncode, "checks": len(report["results"]), "counts": report["counts"], "proved": report.get("proved")}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
