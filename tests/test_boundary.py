"""Refuted pointwise T3/T5 stay refuted, their v2 hold, and boundary maps agree with the high-precision engine;
the map's Dask graph (local, or a real LocalCluster) gives the direct batch call's arrays, cell for cell."""

import json

import numpy
import pytest

from llgd_proof.cli.main import main
from llgd_proof.engines.batch import batch_gradient_descent
from llgd_proof.engines.phenomena import observe_batch
from llgd_proof.experiments.boundary import BATCH_FORMS, CODE, VERDICTS, boundary_map, run_lattice
from llgd_proof.scale.store import VARIABLES
from llgd_proof.symbolic.losses import parse_loss_spec
from llgd_proof.symbolic.objective import product_objective
from llgd_proof.theorems import THEOREMS, Verdict, get_theorem


@pytest.mark.parametrize("theorem_id", ["eos-v1", "catapult-v1"])
def test_known_v1_counterexamples_are_violated_again(theorem_id):
    theorem = get_theorem(theorem_id)
    assert theorem.status == "refuted" and theorem.replaced_by and THEOREMS[theorem.replaced_by].replaces == theorem_id
    result = theorem.check(theorem.counterexample)
    assert result.verdict is Verdict.VIOLATED
    assert all(f.ok for f in result.hypotheses) and result.conclusion.ok is False
    assert result.evidence["precision_check"]["agrees"]


def test_the_v1_counterexamples_are_the_ones_in_theory():
    eos = get_theorem("eos-v1").counterexample
    assert (eos.loss, eos.mu, eos.h, eos.init) == ("logcosh", "0.5", "1.2", ("0.1", "2.4"))
    ratio = get_theorem("eos-v1").check(eos).evidence["eos_ratio"]
    assert ratio == pytest.approx(0.621, abs=5e-4)
    catapult = get_theorem("catapult-v1").counterexample
    assert (catapult.loss, catapult.mu, catapult.h, catapult.init) == ("logcosh", None, "0.9", ("1.2", "1.2"))


@pytest.mark.parametrize("theorem_id", ["eos-v1", "catapult-v1"])
def test_the_reproduce_command_reproduces(theorem_id, capsys):
    command = get_theorem(theorem_id).reproduce.split()
    assert command[0] == "llgd"
    assert main([*command[1:], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "violated"


@pytest.mark.parametrize("theorem_id", ["eos", "catapult"])
def test_v2_holds_on_its_default_cases_and_rejects_the_v1_counterexample(theorem_id):
    theorem = get_theorem(theorem_id)
    assert theorem.status == "current" and theorem.version == 2 and theorem.replaces == f"{theorem_id}-v1"
    verdicts = [theorem.check(case).verdict for case in theorem.cases]
    assert Verdict.VIOLATED not in verdicts and verdicts.count(Verdict.HOLDS) >= 2
    old = get_theorem(f"{theorem_id}-v1").counterexample
    assert theorem.check(old).verdict is Verdict.HYPOTHESES_NOT_MET


@pytest.fixture(scope="module")
def tiny_map():
    return boundary_map("catapult-v1", loss="logcosh", h_fraction=(0.6, 0.99), h_steps=3, box=(0.6, 2.0, 0.6, 2.0), grid=6, confirm=100)


def test_boundary_counts_are_consistent(tiny_map):
    data = json.loads(json.dumps(tiny_map.as_json(), allow_nan=False))
    assert sum(data["counts"].values()) == data["cells_total"] == 3 * 6 * 6
    for verdict in data["counts"]:
        assert sum(row["counts"][verdict] for row in data["by_h"]) == data["counts"][verdict]
    codes = numpy.array(data["cells"]["verdict"])
    assert codes.shape == (3, 6, 6)
    assert data["counts"]["violated"] == int((codes == CODE[Verdict.VIOLATED]).sum()) > 0


def test_violated_cells_re_violate_at_high_precision(tiny_map):
    confirmation = tiny_map.confirmation
    assert confirmation["checked"] == confirmation["violated_cells"] > 0
    assert confirmation["confirmed"] == confirmation["checked"]


def test_other_cells_agree_with_the_high_precision_verdict(tiny_map):
    """The batch form is the theorem's own rule: a few holds / not-met cells get the same verdict from Theorem.check."""
    theorem = get_theorem(tiny_map.theorem_id)
    for verdict in (Verdict.HOLDS, Verdict.HYPOTHESES_NOT_MET):
        cells = numpy.argwhere(tiny_map.verdict == CODE[verdict])
        for index in cells[:: max(1, len(cells) // 2)][:2]:
            assert theorem.check(tiny_map.representative(tuple(int(v) for v in index))).verdict is verdict


def test_v2_maps_have_no_violation_where_v1_has_some():
    for theorem_id in ("eos", "catapult"):
        result = boundary_map(theorem_id, loss="huber", mu="0.5", h_fraction=(0.3, 0.99), h_steps=4, box=(0.05, 4.0, 0.05, 4.0), grid=12, confirm=5)
        assert result.counts()["violated"] == 0 and result.counts()["holds"] > 0
        older = boundary_map(f"{theorem_id}-v1", loss="huber", mu="0.5", h_fraction=(0.3, 0.99), h_steps=4, box=(0.05, 4.0, 0.05, 4.0), grid=12, confirm=0)
        assert older.counts()["violated"] > 0


def test_cli_boundary_json_and_plot(tmp_path, capsys):
    plot = tmp_path / "map.png"
    arguments = ["boundary", "eos-v1", "--loss", "logcosh", "--mu", "0.5", "--h-fraction", "0.5:0.9", "--box", "0.1:3,0.1:3", "--grid", "5"]
    assert main([*arguments, "--h-steps", "2", "--confirm", "1", "--plot", str(plot), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"theorem", "loss", "mu", "h_fraction", "box", "grid", "counts", "confirmed", "cells", "plot"} <= set(data)
    assert data["plot"] == str(plot) and plot.stat().st_size > 1000
    assert set(data["counts"]) == {v.value for v in VERDICTS}


@pytest.mark.parametrize(
    "arguments",
    [
        ["boundary", "convergence", "--loss", "logcosh", "--h-fraction", "0.1:0.9", "--box", "0.1:3,0.1:3", "--grid", "4"],
        ["boundary", "eos", "--loss", "logcosh", "--h-fraction", "0.9:0.1", "--box", "0.1:3,0.1:3", "--grid", "4"],
        ["boundary", "eos", "--loss", "logcosh", "--h-fraction", "0.1:0.9", "--box=-1:3,0.1:3", "--grid", "4"],
        ["boundary", "eos", "--loss", "logcosh", "--h-fraction", "0.1:0.9", "--box", "0.1:3,0.1:3", "--grid", "1"],
        ["boundary", "eos", "--loss", "logcosh", "--h-fraction", "0.1:0.9", "--box", "0.1:3,0.1:3", "--grid", "4", "--set", "dleta=1"],
    ],
    ids=["no batch form", "reversed fractions", "negative box", "grid too small", "unknown parameter"],
)
def test_cli_boundary_refuses_bad_input(arguments, capsys):
    assert main(arguments) == 2
    assert capsys.readouterr().err.startswith("llgd: error:")


# -- the Dask path: the same arrays as one direct batch call ----------------------------------------


def _direct(result):
    """The map computed the plain way: one batch_gradient_descent call over every (h, y0, x0) cell, h-major."""
    objective = product_objective(parse_loss_spec(result.loss, mu=result.mu_given))
    ks, js, is_ = numpy.meshgrid(numpy.arange(len(result.fractions)), numpy.arange(result.grid), numpy.arange(result.grid), indexing="ij")
    starts = numpy.stack([result.x0[is_.ravel()], result.y0[js.ravel()]], axis=1)
    run = batch_gradient_descent(objective, result.h_values[ks.ravel()], starts, max_steps=result.max_steps)
    arrays = observe_batch(objective, run, delta=float(result.parameters.get("delta", 0.25)))
    with numpy.errstate(all="ignore"):
        hypotheses, conclusion, measured = BATCH_FORMS[result.theorem_id](objective, run, arrays, result.parameters)
    met = numpy.logical_and.reduce([numpy.asarray(v) == 1 for v in hypotheses.values()])  # three-valued: 1 true, 0 false, NaN undecided
    return run, arrays, met, numpy.asarray(conclusion) == 1, numpy.asarray(measured, dtype=float)


def _same(left, right) -> bool:
    return left.dtype == right.dtype and numpy.array_equal(left, right, equal_nan=left.dtype.kind == "f")


@pytest.mark.parametrize(
    "theorem_id, arguments",
    [
        ("catapult-v1", dict(loss="logcosh", h_fraction=(0.6, 0.99), h_steps=3, box=(0.6, 2.0, 0.6, 2.0), grid=6)),
        ("eos", dict(loss="huber", mu="0.5", h_fraction=(0.3, 0.99), h_steps=4, box=(0.05, 4.0, 0.05, 4.0), grid=12, parameters={"delta": 0.1})),
        ("eos-v1", dict(loss="logcosh", mu="0.5", h_fraction=(0.7, 0.7), h_steps=2, box=(0.1, 3.0, 0.1, 3.0), grid=5)),  # a repeated h
    ],
)
def test_the_dask_map_is_the_direct_batch_call_cell_for_cell(theorem_id, arguments):
    """Chunked or not, every cell's run depends on its own h and start only: the map's arrays are the direct call's, bit for bit."""
    result = boundary_map(theorem_id, confirm=0, **arguments)
    run, arrays, met, conclusion, measured = _direct(result)
    lattice = numpy.stack([numpy.tile(result.x0, result.grid), numpy.repeat(result.y0, result.grid)], axis=1)
    values = run_lattice(result.loss, result.mu_given, result.h_values, lattice, max_steps=result.max_steps, delta=float(result.parameters.get("delta", 0.25)))
    assert set(values) == set(VARIABLES)
    direct = {"status": run.status, "steps": run.steps, "period": run.period, "final_x": run.final[:, 0], "final_y": run.final[:, 1],
              "initial_loss": run.initial_loss, "max_loss": run.max_loss, **{name: arrays[name] for name in arrays if name in VARIABLES}}
    for name, array in direct.items():
        assert _same(values[name], numpy.asarray(array).astype(VARIABLES[name])), name
    verdict = result.verdict.reshape(-1)
    undecided = verdict == CODE[Verdict.INCONCLUSIVE]
    assert numpy.array_equal(verdict[~undecided] == CODE[Verdict.HYPOTHESES_NOT_MET], ~met[~undecided])
    assert numpy.array_equal(verdict[~undecided & met] == CODE[Verdict.VIOLATED], ~conclusion[~undecided & met])
    assert _same(result.measured.reshape(-1), measured)


def test_a_local_cluster_draws_the_same_map(cluster, tiny_map, capsys):
    arguments = dict(loss="logcosh", h_fraction=(0.6, 0.99), h_steps=3, box=(0.6, 2.0, 0.6, 2.0), grid=6, confirm=0)
    remote = boundary_map("catapult-v1", scheduler=cluster, **arguments)
    assert numpy.array_equal(remote.verdict, tiny_map.verdict)
    assert _same(remote.measured, tiny_map.measured)
    command = ["boundary", "eos", "--loss", "logcosh", "--h-fraction", "0.5:0.95", "--box", "0.1:3,0.1:3", "--grid", "7", "--h-steps", "3", "--confirm", "0", "--json"]
    assert main(command) == 0
    local = json.loads(capsys.readouterr().out)
    assert main([*command, "--scheduler", cluster]) == 0
    through_cluster = json.loads(capsys.readouterr().out)
    assert through_cluster["cells"] == local["cells"] and through_cluster["counts"] == local["counts"]
