"""The CLI contract of issue 2: JSON fields, one-sentence errors, exit codes."""

import json

import pytest

from llgd_proof.cli.main import main

RUN_FIELDS = {
    "status", "steps", "limit", "period", "initial_loss", "final_loss", "initial_sharpness", "final_sharpness",
    "eos_ratio", "max_loss_ratio", "imbalance_initial", "imbalance_final", "gf_sharpness", "dps", "precision_check",
}
REGULARITY_FIELDS = {
    "mu", "growth_order", "growth_order_method", "lprime_bounded", "lprime_sup", "curvature_at_minimum", "alpha",
    "globally_lipschitz_gradient", "max_stable_h", "class", "latex",
}


def run_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_run_json_contract(capsys):
    data = run_json(capsys, "run", "--loss", "quadratic", "--h", "0.4", "--init", "3,0.5", "--json")
    assert RUN_FIELDS <= set(data)
    assert data["status"] == "converged"
    assert data["limit"] == pytest.approx([-1.5655117, -0.6387688], abs=1e-7)
    assert set(data["precision_check"]) >= {"check_dps", "agreeing_digits"}


def test_run_general_objective(capsys):
    data = run_json(capsys, "run", "--objective", "log(1+x^2)", "--vars", "x", "--h", "1.5", "--init", "0.3", "--json")
    assert data["status"] == "periodic" and data["period"] == 2
    assert sorted(p[0] for p in data["limit"]) == pytest.approx([-0.5**0.5, 0.5**0.5])


def test_regularity_json_contract(capsys):
    data = run_json(capsys, "regularity", "--loss", "huber", "--json")
    assert REGULARITY_FIELDS <= set(data)
    assert data["class"] == "good" and data["lprime_sup"] == 1.0 and data["growth_order"] == 1.0
    data = run_json(capsys, "regularity", "--loss", "logcosh0", "--json")
    assert data["max_stable_h"] is None
    data = run_json(capsys, "regularity", "--loss", "cosh(s-1)", "--json")
    assert data["growth_order"] == "inf" and data["class"] == "bad"


def exit_code(argv) -> int:
    try:
        return main(argv)
    except SystemExit as stop:  # argparse's own usage errors
        return stop.code


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--loss", "s^", "--h", "1", "--init", "1,1"],
        ["run", "--loss", "quadratic", "--h", "-1", "--init", "1,1"],
        ["run", "--loss", "quadratic", "--h", "nan", "--init", "1,1"],
        ["run", "--loss", "quadratic", "--h", "0.1", "--init", "1"],
        ["run", "--loss", "s^4", "--h", "0.1", "--init", "1,1"],
        ["run", "--loss", "__import__('os')", "--h", "0.1", "--init", "1,1"],
        ["run", "--objective", "x^2", "--h", "0.1", "--init", "1"],
        ["run", "--loss", "quadratic", "--h", "0.1"],
        ["regularity", "--loss=-s^2"],
        ["nonsense"],
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(capsys, argv):
    assert exit_code(argv) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("llgd: error:") and "\n" not in error and "Traceback" not in error


def test_theorems_listing(capsys):
    listing = run_json(capsys, "theorems", "--json")
    ids = {item["id"] for item in listing}
    assert {"convergence", "sharpness-bound", "eos", "balancing", "catapult", "rate"} <= ids
    assert {"wang2022-balancing", "lewkowycz2020-catapult", "zhu2023-eos-minimum", "chen-bruna-two-cycle", "macdonald-critical",
            "descent-lemma", "pl-rate", "kreisler-gfs", "ahn2023-eos"} <= ids
    assert all({"id", "title", "provenance"} <= set(item) for item in listing)


def test_check_json_contract_and_violated_is_exit_0(capsys):
    data = run_json(capsys, "check", "convergence", "--loss", "quadratic", "--h", "0.5", "--init", "8,0.3",
                    "--without", "good regularity", "--without", "step below balancing limit", "--json")
    assert data["verdict"] == "violated"
    assert {"theorem", "provenance", "verdict", "hypotheses", "conclusion", "evidence"} <= set(data)
    assert {"name", "met", "detail"} <= set(data["hypotheses"][0])
    assert {"name", "holds", "detail"} <= set(data["conclusion"])
    assert RUN_FIELDS <= set(data["evidence"])


def test_check_reports_theorem_quantities(capsys):
    data = run_json(capsys, "check", "rate", "--loss", "logcosh", "--h", "0.9", "--init", "20,0.1", "--json")
    assert data["verdict"] == "holds"
    assert {"rho", "predicted_steps", "actual_steps"} <= set(data["evidence"])
    data = run_json(capsys, "check", "eos", "--loss", "logcosh", "--h", "0.9", "--init", "20,0.1", "--set", "delta=0.1", "--json")
    assert data["evidence"]["eos_window"] == [0.9, 1]


def test_latex_verbs(capsys):
    assert main(["latex", "balancing", "--loss", "logcosh"]) == 0
    text = capsys.readouterr().out
    assert r"\frac{2}{h}" in text and "derived" in text
    assert main(["latex", "regularity", "--loss", "huber"]) == 0
    assert r"\sup_s |\ell'(s)| = 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "nope", "--loss", "quadratic", "--h", "0.1", "--init", "1,1"],
        ["check", "eos", "--loss", "quadratic", "--h", "0.1", "--init", "1,1", "--set", "delta"],
        ["check", "eos", "--loss", "quadratic", "--h", "0.1", "--init", "1,1", "--without", "nope"],
        ["latex", "regularity"],
        ["verify", "--only", "nope"],
        ["check", "convergence", "--loss", "logcosh", "--h", "abc", "--init", "1,1"],
        ["check", "convergence", "--loss", "logcosh", "--h", "0.5", "--init", "1,zz"],
        ["check", "convergence", "--loss", "logcosh", "--h", "0.5", "--init", "1,2,3"],
        ["check", "convergence", "--loss", "logcosh", "--h", "0.5", "--init", "nan,1"],
        ["atlas", "--losses", "logcosh", "--h", "0.5"],
        ["atlas", "--losses", "nope", "--h", "0.5", "--samples", "10"],
        ["atlas", "--losses", "logcosh", "--h", "0.5", "--samples", "10", "--box", "1:0,1:2"],
        ["sweep", "--loss", "logcosh", "--h-range", "1:0:3", "--init", "1,1"],
        ["sweep", "--loss", "logcosh", "--h-range", "0.1:1:3", "--init", "1"],
    ],
)
def test_theorem_verbs_bad_input(capsys, argv):
    assert exit_code(argv) == 2
    assert capsys.readouterr().err.startswith("llgd: error:")


def test_property_json_contract(capsys):
    data = run_json(capsys, "property", "convergence", "--loss", "log(cosh(s-1))", "--examples", "12", "--seed", "2", "--json")
    assert {"theorem", "provenance", "examples", "seed", "counts", "counterexample", "confirmed", "ok"} <= set(data)
    assert data["counts"]["violated"] == 0 and data["counterexample"] is None and sum(data["counts"].values()) == data["examples"]


def test_property_without_a_hypothesis_finds_a_confirmed_counterexample(capsys):
    data = run_json(capsys, "property", "convergence", "--loss", "quadratic", "--without", "good regularity", "--without", "step below balancing limit",
                    "--examples", "30", "--json")
    assert data["confirmed"] is True and data["counterexample"]["status"] == "diverged"
    assert data["dropped_hypotheses"] == ["good regularity", "step below balancing limit"]


@pytest.mark.parametrize(
    "argv",
    [
        ["property", "convergence", "--loss", "quadratic", "--param", "mu=2:1"],
        ["property", "convergence", "--loss", "quadratic", "--param", "nope=1:2"],
        ["property", "convergence", "--loss", "quadratic", "--box", "0:1,1:2"],
        ["property", "convergence", "--loss", "quadratic", "--examples", "0"],
        ["property", "convergence", "--loss", "__import__('os')"],
    ],
)
def test_property_bad_input(capsys, argv):
    assert exit_code(argv) == 2
    assert capsys.readouterr().err.startswith("llgd: error:")


def test_atlas_json_contract(capsys, tmp_path):
    argv = ["atlas", "--losses", "logcosh,huber(s-1, 0.5)", "--h", "0.9", "--samples", "300", "--same-sign", "--max-steps", "3000",
            "--cache-dir", str(tmp_path), "--json", "--plot", str(tmp_path / "a.png")]
    data = run_json(capsys, *argv)
    assert {"h", "box", "mode", "seed", "max_steps", "delta", "losses", "plot"} <= set(data)
    entry = data["losses"][1]
    assert entry["loss"] == "huber(s-1, 0.5)"
    assert {"fractions", "among_converged", "median_eos_ratio", "counts", "regularity_class"} <= set(entry)
    assert set(entry["fractions"]) == {"converged", "stationary", "diverged", "periodic", "undecided"}
    assert set(entry["among_converged"]) == {"eos", "catapult", "balancing"}
    assert run_json(capsys, *argv)["cache"]["computed"] == 0  # second run: every chunk from the cache


def test_sweep_json_contract(capsys):
    data = run_json(capsys, "sweep", "--loss", "logcosh", "--h-range", "0.2:1.5:6", "--init", "3,0.5", "--json")
    assert len(data["rows"]) == 6
    assert {"h", "status", "limit", "period", "eos_ratio", "max_loss_ratio", "imbalance_final"} <= set(data["rows"][0])
