"""Regenerate the boundary maps behind docs/boundary.md (counts JSON + figures).

Run from the repository root:  python docs/figures/make_boundary.py  (about fifteen minutes on one core).
"""

from __future__ import annotations

import json
import pathlib

from llgd_proof.experiments.boundary import boundary_map
from llgd_proof.experiments.boundary_plots import boundary_figure

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
    (HERE / "comparative_counts.json").write_text(json.dumps(comparative(), indent=1))
    (HERE / "boundary_counts.json").write_text(json.dumps({"settings": settings, "maps": rows, "held_out": held_out, "candidates": candidates(), "fresh": fresh(), "random_search": random_search()}, indent=1))


def candidates() -> dict:
    """Violations of v1 that survive each candidate added hypothesis (same lattice as the maps), catalog and held-out losses."""
    import numpy

    from llgd_proof.analysis.regularity import report_for
    from llgd_proof.engines.batch import STATUS_CODES, batch_gradient_descent
    from llgd_proof.engines.phenomena import at_the_edge, observe_batch, past_stability_limit, spiked_then_flat
    from llgd_proof.engines.stopping import Status
    from llgd_proof.symbolic.losses import parse_loss_spec
    from llgd_proof.symbolic.objective import product_objective

    low, high = SETTINGS["h_fraction"]
    x_min, x_max, y_min, y_max = SETTINGS["box"]
    grid, steps = SETTINGS["grid"], SETTINGS["h_steps"]
    xs, ys = numpy.meshgrid(numpy.linspace(x_min, x_max, grid), numpy.linspace(y_min, y_max, grid))
    plane = numpy.stack([xs.ravel(), ys.ravel()], axis=1)
    fractions = numpy.repeat(numpy.linspace(low, high, steps), len(plane))
    starts = numpy.tile(plane, (steps, 1))
    tallies: dict = {}
    for group, losses in (("catalog", LOSSES), ("held-out", HELD_OUT)):
        for loss in losses:
            for mu in MUS:
                objective = product_objective(parse_loss_spec(loss, mu=mu))
                h = fractions * float(report_for(objective.loss).max_stable_h)
                run = batch_gradient_descent(objective, h, starts, max_steps=SETTINGS["max_steps"])
                a = observe_batch(objective, run)
                converged = run.status == STATUS_CODES[Status.CONVERGED]
                half_gf = h * a["gf_sharpness"] / 2
                relative = numpy.abs(starts[:, 0] * starts[:, 1] - float(mu)) / float(mu)
                good = report_for(objective.loss).growth.regularity_class == "good"
                eos_met = good & converged & (half_gf > 1)
                eos_bad = eos_met & ~at_the_edge(a["eos_ratio"], 0.25)
                cat_met = converged & past_stability_limit(h, a["initial_sharpness"]) & (run.initial_loss > 0)
                cat_bad = cat_met & ~spiked_then_flat(a["max_loss_ratio"], h * a["final_sharpness"] / 2)
                rules = {
                    ("eos-v1", "none (v1)"): (eos_met, eos_bad, True),
                    ("eos-v1", "hS_GF/2 >= 2"): (eos_met, eos_bad, half_gf >= 2),
                    ("eos-v1", "hS_GF/2 >= 5"): (eos_met, eos_bad, half_gf >= 5),
                    ("eos-v1", "|x0y0 - mu| <= mu/10"): (eos_met, eos_bad, relative <= 0.1),
                    ("eos-v1", "h mu l''(mu) >= 0.7"): (eos_met, eos_bad, fractions >= 0.7),
                    ("eos-v1", "h mu l''(mu) >= 1 - delta (v2)"): (eos_met, eos_bad, fractions >= 0.75),
                    ("catapult-v1", "none (v1)"): (cat_met, cat_bad, True),
                    ("catapult-v1", "hS0/2 >= 2"): (cat_met, cat_bad, h * a["initial_sharpness"] >= 4),
                    ("catapult-v1", "hS_GF/2 > 1"): (cat_met, cat_bad, half_gf > 1),
                    ("catapult-v1", "|x0y0 - mu| <= mu/2"): (cat_met, cat_bad, relative <= 0.5),
                    ("catapult-v1", "hS_GF/2 > 1, |x0y0 - mu| <= mu"): (cat_met, cat_bad, (half_gf > 1) & (relative <= 1)),
                    ("catapult-v1", "hS_GF/2 > 1, |x0y0 - mu| <= mu/2"): (cat_met, cat_bad, (half_gf > 1) & (relative <= 0.5)),
                    ("catapult-v1", "hS_GF/2 >= 1.05, |x0y0 - mu| <= mu/2 (v2)"): (cat_met, cat_bad, (half_gf >= 1.05) & (relative <= 0.5)),
                }
                for (theorem, rule), (met, bad, extra) in rules.items():
                    entry = tallies.setdefault(f"{theorem} | {rule} | {group}", [0, 0])
                    entry[0] += int((met & extra).sum())
                    entry[1] += int((bad & extra).sum())
    return {key: {"hypotheses_met": met, "violated": bad} for key, (met, bad) in tallies.items()}


FRESH = ["(s-mu)**2/(1+(s-mu)**2)**(1/4)", "huber:delta=0.25", "gen-huber:p=1.1", "log(cosh(2*(s-mu)))/4", "sqrt(4+(s-mu)**2)-2"]


def fresh() -> list:
    """v2 after its hypotheses were fixed: new losses, new μ, a larger box and a different lattice."""
    rows = []
    for theorem in ("eos", "catapult"):
        for loss in FRESH:
            for mu in ("0.3", "0.75", "1.5"):
                data = boundary_map(theorem, loss=loss, mu=mu, h_fraction=(0.05, 0.999), h_steps=10, box=(0.02, 8.0, 0.02, 8.0), grid=36, confirm=25).as_json()
                rows.append({"theorem": theorem, "loss": loss, "mu": float(mu), "counts": data["counts"],
                             "confirmed": {k: v for k, v in data["confirmed"].items() if k != "cases"}})
    return rows


def comparative() -> list:
    """T3c and T5c over the catalog's good losses, μ ∈ {¼, ½, 1, 2}, h = 0.5 and 0.9 × the step limit (default box and samples)."""
    from llgd_proof import api
    from llgd_proof.analysis.regularity import report_for

    rows = []
    for theorem in ("eos-comparative", "catapult-comparative"):
        for loss in LOSSES:
            for mu in MUS:
                limit = float(report_for(api.make_loss(loss, mu=mu)).max_stable_h)
                for fraction in (0.5, 0.9):
                    result = api.check(theorem, loss=loss, mu=mu, h=repr(round(fraction * limit, 6)), init=["2", "2"])
                    evidence = result.evidence
                    rows.append({"theorem": theorem, "loss": loss, "mu": float(mu), "h_fraction": fraction, "h": evidence["h"],
                                 "verdict": result.verdict.value, "good": evidence["good"], "square": evidence["square"]})
    return rows


def random_search(draws: int = 40, points: int = 6000, seed: int = 2026) -> dict:
    """v2 inside its hypotheses at random: loss family and parameter, μ ∈ [0.2, 2.5], h ∈ (0.05, 1) × limit, log-uniform starts in [0.02, 10]²."""
    import numpy

    from llgd_proof.analysis.regularity import report_for
    from llgd_proof.engines.batch import batch_gradient_descent
    from llgd_proof.engines.phenomena import observe_batch
    from llgd_proof.experiments.boundary import BATCH_FORMS
    from llgd_proof.symbolic.losses import parse_loss_spec
    from llgd_proof.symbolic.objective import product_objective
    from llgd_proof.theorems import get_theorem

    rng = numpy.random.default_rng(seed)
    totals = {"eos": {"hypotheses_met": 0, "violated": 0}, "catapult": {"hypotheses_met": 0, "violated": 0}}
    violations = []
    for _ in range(draws):
        family = rng.choice(["logcosh", "huber", "pseudo-huber", "gen-huber"])
        mu = f"{rng.uniform(0.2, 2.5):.3f}"
        spec = {"huber": f"huber:delta={rng.uniform(0.2, 3):.3f}", "gen-huber": f"gen-huber:p={rng.uniform(1.05, 1.95):.3f}"}.get(family, family)
        objective = product_objective(parse_loss_spec(spec, mu=mu))
        h = rng.uniform(0.05, 1.0, points) * float(report_for(objective.loss).max_stable_h)
        starts = numpy.exp(rng.uniform(numpy.log(0.02), numpy.log(10), (points, 2)))
        run = batch_gradient_descent(objective, h, starts, max_steps=20_000)
        arrays = observe_batch(objective, run)
        for theorem in totals:
            with numpy.errstate(all="ignore"):
                hypotheses, conclusion, _ = BATCH_FORMS[theorem](objective, run, arrays, dict(get_theorem(theorem).parameters))
            met = numpy.logical_and.reduce([value == 1 for value in hypotheses.values()])  # three-valued: 1 true, 0 false, NaN undecided
            totals[theorem]["hypotheses_met"] += int(met.sum())
            totals[theorem]["violated"] += int((met & (conclusion == 0)).sum())
            violations += [[theorem, spec, mu, repr(h[i]), repr(starts[i, 0]), repr(starts[i, 1])] for i in numpy.flatnonzero(met & (conclusion == 0))[:3]]
    return {"draws": draws, "points_per_draw": points, "seed": seed, "totals": totals, "violations": violations}


if __name__ == "__main__":
    main()
