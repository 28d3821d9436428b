"""Regenerate the boundary maps behind docs/boundary.md (counts JSON + figures).

Run from the repository root:  python docs/figures/make_boundary.py  (about two minutes on one core).
"""

from __future__ import annotations

import json
import pathlib

from llgd_proof.boundary import boundary_map
from llgd_proof.boundary_plots import boundary_figure

HERE = pathlib.Path(__file__).parent
LOSSES = ["logcosh", "huber", "pseudo-huber"]
MUS = ["0.25", "0.5", "1", "2"]
THEOREMS = ["eos-v1", "eos", "catapult-v1", "catapult"]
HELD_OUT = ["gen-huber", "gen-huber:p=1.25", "gen-huber:p=1.75", "gen-huber:p=2", "huber:delta=0.5", "huber:delta=2", "quadratic", "quartic"]
SETTINGS = dict(h_fraction=(0.1, 0.99), h_steps=12, box=(0.05, 4.0, 0.05, 4.0), grid=40, max_steps=20_000)
FIGURES = {("eos-v1", "logcosh", "0.5"), ("eos", "logcosh", "0.5"), ("catapult-v1", "logcosh", "1"), ("catapult", "logcosh", "1"),
           ("eos-v1", "huber", "1"), ("catapult-v1", "huber", "0.25")}


def main() -> None:
    rows = []
    for theorem in THEOREMS:
        for loss in LOSSES:
            for mu in MUS:
                result = boundary_map(theorem, loss=loss, mu=mu, confirm=10 if theorem.endswith("v1") else 25, **SETTINGS)
                data = result.as_json()
                row = {"theorem": theorem, "loss": loss, "mu": float(mu), "counts": data["counts"],
                       "by_h": [{"h_fraction": round(r["h_fraction"], 4), **r["counts"]} for r in data["by_h"]],
                       "confirmed": {k: v for k, v in data["confirmed"].items() if k != "cases"}}
                if (theorem, loss, mu) in FIGURES:
                    name = f"boundary_{theorem}_{loss}_mu{mu}.png"
                    boundary_figure(result, str(HERE / name))
                    row["figure"] = name
                rows.append(row)
                print(theorem, loss, mu, data["counts"], row["confirmed"]["checked"], row["confirmed"]["confirmed"], flush=True)
    held_out = []
    for theorem in ("eos", "catapult"):  # v2 on losses that were not used to choose its hypotheses
        for loss in HELD_OUT:
            for mu in MUS:
                data = boundary_map(theorem, loss=loss, mu=mu, confirm=25, **SETTINGS).as_json()
                held_out.append({"theorem": theorem, "loss": loss, "mu": float(mu), "counts": data["counts"],
                                 "confirmed": {k: v for k, v in data["confirmed"].items() if k != "cases"}})
                print("held out", theorem, loss, mu, data["counts"], flush=True)
    settings = {**SETTINGS, "h_fraction": list(SETTINGS["h_fraction"]), "box": list(SETTINGS["box"])}
    (HERE / "boundary_counts.json").write_text(json.dumps({"settings": settings, "maps": rows, "held_out": held_out}, indent=1))


if __name__ == "__main__":
    main()
