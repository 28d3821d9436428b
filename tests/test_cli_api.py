"""The API the CLI goes through (issue 19): each verb is one call of :mod:`llgd_proof.api`, so the same question asked
from Python and from the command line gets the same answer, and a bad value is refused in the API in one sentence."""

from __future__ import annotations

import json
import math
import warnings

import pytest

from llgd_proof import api
from llgd_proof.cli.main import main
from llgd_proof.errors import LlgdInputError, StoreWarning

EOS_CLAIM = 'name = "t2-again"\nhypotheses = ["converged"]\nconclusion = "h*final_sharpness <= 2 + 1e-8"\n[[cases]]\nloss = "quadratic"\nh = 0.4\ninit = [3, 0.5]\n'


def _json(capsys, argv: list[str], code: int = 0):
    assert main(argv) == code
    out, err = capsys.readouterr()
    return json.loads(out), err


# -- verify: one verify, with or without claims -----------------------------------------------------------------


@pytest.fixture(scope="module")
def claims_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("claims")
    (folder / "t2.toml").write_text(EOS_CLAIM)
    return folder


def test_verify_with_claims_is_the_same_verify_plus_the_claims(capsys, claims_dir):
    """`llgd verify --claims DIR` once ran a second, smaller verify (no search, no seed, no refuted variants): now the
    search, the seed and the refuted counterexample are there, and the theorems' results are those without --claims."""
    argv = ["verify", "--only", "sharpness-bound,convergence-v1", "--budget", "1", "--seed", "3", "--proof-seconds", "0", "--json"]
    plain, _ = _json(capsys, argv)
    with_claims, _ = _json(capsys, [*argv, "--claims", str(claims_dir)])
    assert with_claims["claims"] == ["t2-again"] and with_claims["claims_dir"] == str(claims_dir)
    assert "claims" not in plain and "claims_dir" not in plain
    assert with_claims["seed"] == plain["seed"] == 3 and with_claims["budget_seconds"] == 1
    assert [s["theorem"] for s in with_claims["searches"]] == [s["theorem"] for s in plain["searches"]] != []
    assert [r["id"] for r in with_claims["refuted"]] == ["convergence-v1"] and with_claims["refuted"][0]["still_violated"]
    library = [r for r in with_claims["results"] if not r["theorem"].startswith("claim:")]
    assert [(r["theorem"], r["verdict"]) for r in library] == [(r["theorem"], r["verdict"]) for r in plain["results"]]
    claimed = [r for r in with_claims["results"] if r["theorem"] == "claim:t2-again"]
    assert len(claimed) == 1 and claimed[0]["verdict"] == "holds" and claimed[0]["evidence"]["established"] == "checked numerically"
    assert with_claims["ok"]


def test_api_verify_takes_a_folder_or_loaded_claims(claims_dir):
    claim = api.load_claim(claims_dir / "t2.toml")
    from_folder = api.verify(["sharpness-bound"], budget_seconds=0, proof_seconds=0, claims=claims_dir)
    from_claims = api.verify(["sharpness-bound"], budget_seconds=0, proof_seconds=0, claims=[claim])
    verdicts = [[(r.theorem.id, r.verdict) for r in report.results] for report in (from_folder, from_claims)]
    assert verdicts[0] == verdicts[1] and ("claim:t2-again", api.Verdict.HOLDS) in verdicts[0]
    assert from_folder.as_json()["claims"] == from_claims.as_json()["claims"] == ["t2-again"]


@pytest.mark.parametrize("claims", [5, ["not a claim"], "no-such-folder"])
def test_api_verify_refuses_bad_claims_before_any_work(claims):
    with pytest.raises(LlgdInputError):
        api.verify(["sharpness-bound"], budget_seconds=0, claims=claims)


def test_verify_proof_seconds_zero_tries_no_proof(capsys):
    """`llgd verify --proof-seconds 0` once ended in a TypeError traceback: 0 means no proof is tried, and every holds
    says it was checked numerically."""
    data, err = _json(capsys, ["verify", "--only", "convergence", "--budget", "0", "--proof-seconds", "0", "--json"])
    holds = [r for r in data["results"] if r["verdict"] == "holds"]
    assert holds and data["proof_attempts"] == 0 and data["proved"] == 0 and "Traceback" not in err
    assert all(r["evidence"]["established"] == "checked numerically" and "proof" not in r["evidence"] for r in holds)


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "-inf", "1e9"])
@pytest.mark.parametrize("flag", ["--proof-seconds", "--budget"])
def test_verify_refuses_a_bad_time_in_one_sentence(capsys, flag, value):
    data, err = _json(capsys, ["verify", "--only", "convergence", f"{flag}={value}", "--json"], code=2)
    assert set(data) == {"error", "kind"} and data["kind"] == "ArgumentError"
    assert len(err.strip().splitlines()) == 1 and err.startswith("llgd: error:")


# -- check --prove, prove, recheck --------------------------------------------------------------------------------


def test_check_says_how_a_holds_is_established():
    """Without prove a holds is checked numerically and no proof is tried; with prove a proof is tried, and a proved
    holds carries its proof."""
    case = {"h": "0.5", "init": ["6", "0.3"], "loss": "huber"}
    numeric = api.check("convergence", **case)
    assert numeric.verdict is api.Verdict.HOLDS and numeric.evidence["established"] == "checked numerically" and "proof" not in numeric.evidence
    proved = api.check("convergence", **case, prove=True)
    assert proved.verdict is api.Verdict.HOLDS and "proof" in proved.evidence
    assert proved.evidence["established"] == ("proved" if proved.evidence["proof"]["outcome"] == "converges" else "checked numerically")


def test_a_saved_certificate_rechecks_and_a_tampered_one_does_not(tmp_path):
    result = api.prove(loss="huber", h="0.5", init=["6", "0.3"])
    assert result.proved and result.outcome == "converges"
    path = api.save_certificate(result, tmp_path / "proof.json")
    assert api.recheck(path).valid
    certificate = json.loads(path.read_text())
    certificate["h"] = "0.51"  # another instance: the recorded numbers no longer fit
    path.write_text(json.dumps(certificate))
    assert not api.recheck(path).valid
    assert r"\begin{document}" in api.proof_latex(result)


def test_a_result_without_certificate_is_refused():
    nothing = api.prove(loss="quadratic", h="0.5", init=["8", "0.3"])
    assert not nothing.proved
    with pytest.raises(LlgdInputError, match="no certificate"):
        api.save_certificate(nothing, "unused.json")


@pytest.mark.parametrize(
    ("function", "args"),
    [
        (api.recheck, (None,)),
        (api.recheck, (5,)),
        (api.recheck, ("",)),
        (api.save_certificate, ("not a result", "x.json")),
        (api.proof_latex, (None,)),
        (api.figure, (5, "a.png")),
        (api.figure, ({"no": "rows"}, "a.png")),
    ],
)
def test_the_new_entries_refuse_misuse_in_one_sentence(function, args):
    with pytest.raises(LlgdInputError) as caught:
        function(*args)
    assert str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "changed",
    [{"theorem": "nope"}, {"theorem": "convergence"}, {"loss": 5}, {"box": (1, 2)}, {"box": (0.1, math.nan, 0.1, 1)}, {"grid": 10**400},
     {"h_fraction": (0.9, 0.1)}, {"parameters": {"delta": "x"}}, {"progress": "yes"}, {"h_steps": 0}],
)
def test_boundary_refuses_misuse_in_one_sentence(changed):
    arguments = {"theorem": "eos", "loss": "logcosh", "h_fraction": (0.5, 0.9), "h_steps": 2, "box": (0.5, 2, 0.5, 2), "grid": 2, "max_steps": 50}
    with pytest.raises(LlgdInputError):
        api.boundary(**{**arguments, **changed})


@pytest.mark.parametrize("changed", [{"loss": None}, {"steps": 0}, {"h": math.inf}, {"h": None}, {"init_norms": "6,20"}, {"init_norms": (6, -1)}, {"width": 1.5}])
def test_network_refuses_misuse_before_it_needs_pytorch(changed):
    arguments = {"loss": "mse", "activation": "relu", "h": 0.1, "steps": 5}
    with pytest.raises(LlgdInputError):
        api.network(**{**arguments, **changed})


@pytest.mark.parametrize("seconds", [-1, math.nan, "soon", 10**400])
def test_a_symbolic_budget_must_be_a_time(seconds):
    with pytest.raises(LlgdInputError):
        api.symbolic_budget(seconds)


# -- warnings: the library warns, the CLI shows one line ---------------------------------------------------------

ATLAS = ["atlas", "--losses", "logcosh", "--h", "0.5:0.9:2", "--grid", "12", "--same-sign", "--log-box", "--max-steps", "3000",
         "--chunk", "144", "--workers", "1", "--json"]  # two chunks, one per h


def test_a_repaired_store_is_one_warning_line_on_the_cli_and_a_store_warning_in_python(tmp_path, capsys):
    store = tmp_path / "atlas.zarr"
    first, _ = _json(capsys, [*ATLAS, "--out", str(store)])
    chunk = sorted(path for path in (store / "final_x").rglob("*") if path.is_file() and path.name != "zarr.json")[-1]
    chunk.write_bytes(b"\x00garbage")
    again, err = _json(capsys, [*ATLAS, "--out", str(store)])
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llgd: warning: chunk ") and "was recomputed" in lines[0]
    assert again["cache"]["healed"] == 1 and again["losses"] == first["losses"]
    chunk.write_bytes(b"\x00garbage")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        api.atlas(["logcosh"], [0.5, 0.9], grid=12, same_sign=True, log_scale=True, max_steps=3000, chunk=144, workers=1, out=store)
    assert capsys.readouterr().err == ""
    assert [w.category for w in caught if "recomputed" in str(w.message)] == [StoreWarning]
