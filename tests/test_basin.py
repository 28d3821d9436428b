"""Certified basins (issue 20): every start inside a certified leaf does what its leaf says, checked by an
independent high-precision GD loop written here; the checker refuses tampered certificates; the fractions are
lower bounds."""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof import api
from llgd_proof.checker import basins as checker
from llgd_proof.errors import LlgdInputError

CASES = {
    "square-diverges": {"loss": "quadratic", "mu": "1", "h": "0.9", "box": ["2", "4", "2", "4"], "depth": 3},
    "square-converges": {"loss": "quadratic", "mu": "1", "h": "0.5", "box": ["0.5", "2.5", "0.5", "2.5"], "depth": 4},
    "logcosh-converges": {"loss": "logcosh", "mu": "1", "h": "0.5", "box": ["0.5", "1.5", "0.5", "1.5"], "depth": 3},
    "logcosh-converges-after-a-catapult": {"loss": "logcosh", "mu": "1", "h": "0.9", "box": ["2", "2.25", "2", "2.25"], "depth": 1},
}
SLOPES = {"quadratic": lambda s: s - 1, "logcosh": lambda s: mpmath.tanh(s - 1)}


@pytest.fixture(scope="module")
def results():
    return {name: api.basin(**arguments) for name, arguments in CASES.items()}


def gradient_descent_outcome(loss: str, h: str, x, y, steps: int = 4000) -> str:
    """GD on ℓ(xy) at 60 digits, written out here (x⁺ = x − hℓ'(xy)y, y⁺ = y − hℓ'(xy)x): converges when
    |xy − 1| < 1e-25, diverges when x² + y² > 1e40."""
    slope = SLOPES[loss]
    with mpmath.workdps(60):
        h, x, y = mpmath.mpf(h), mpmath.mpf(x), mpmath.mpf(y)
        for _ in range(steps):
            s = x * y
            if abs(s - 1) < mpmath.mpf("1e-25"):
                return "converges"
            if x * x + y * y > mpmath.mpf("1e40"):
                return "diverges"
            t = h * slope(s)
            x, y = x - t * y, y - t * x
    return "undecided"


def _leaves(result, outcome):
    return [leaf for leaf in result.boxes if leaf["outcome"] == outcome]


def test_each_case_certifies_something(results):
    """Not vacuous: the converging cases certify converging leaves, the diverging case diverging ones."""
    for name, result in results.items():
        assert result.valid
        assert result.leaves[name.split("-")[1]] > 0, name


@settings(max_examples=60, deadline=None)
@given(case=st.sampled_from(sorted(CASES)), pick=st.integers(0, 10**6), u=st.fractions(0, 1), v=st.fractions(0, 1))
def test_starts_in_certified_leaves_do_what_the_leaf_says(results, case, pick, u, v):
    """Property: a start drawn from a certified leaf converges (or diverges) under an independent 60-digit GD loop."""
    result = results[case]
    certified = [leaf for leaf in result.boxes if leaf["outcome"] != "undecided"]
    leaf = certified[pick % len(certified)]
    x0, x1, y0, y1 = (Fraction(v) for v in leaf["box"])
    x, y = x0 + u * (x1 - x0), y0 + v * (y1 - y0)
    start = (mpmath.mpf(x.numerator) / x.denominator, mpmath.mpf(y.numerator) / y.denominator)
    assert gradient_descent_outcome(CASES[case]["loss"], CASES[case]["h"], *start) == leaf["outcome"], (leaf, x, y)


def test_a_box_straddling_the_basin_boundary_is_never_certified_converging():
    """A single leaf holding a diverging start and a converging one: the checker proves neither outcome for it."""
    box = ["0.5", "3.5", "0.5", "3.5"]
    assert gradient_descent_outcome("quadratic", "0.9", 3.5, 3.5) == "diverges"
    assert gradient_descent_outcome("quadratic", "0.9", 0.5, 0.5) == "converges"
    result = api.basin(loss="quadratic", mu="1", h="0.9", box=box, depth=0)
    assert result.leaves == {"converges": 0, "diverges": 0, "periodic": 0, "undecided": 1}
    certificate = copy.deepcopy(result.certificate)
    certificate["tree"] = {"outcome": "converges", "steps": 40, "region": {"r_bar": "0.01", "q_window": ["1.9", "2.1"]}}
    certificate["leaves"] = {"converges": 1, "diverges": 0, "periodic": 0, "undecided": 0}
    certificate["fractions"] = {"converges": "1", "diverges": "0", "periodic": "0", "undecided": "0"}
    assert not checker.recheck_basin(certificate).valid


def _first_path(tree, outcome, field=None, path=()):
    """The path of the first leaf with this outcome (and this field, when given)."""
    if "split" in tree:
        for i, child in enumerate(tree["split"]):
            found = _first_path(child, outcome, field, path + (i,))
            if found is not None:
                return found
        return None
    return path if tree["outcome"] == outcome and (field is None or field in tree) else None


def _node(tree, path):
    for i in path:
        tree = tree["split"][i]
    return tree


def test_tampered_certificates_are_rejected(results, tmp_path):
    """The rechecked certificate passes from a file; a changed outcome, step h, region, count or fraction does not."""
    good = results["square-diverges"].certificate
    path = tmp_path / "basin.json"
    path.write_text(json.dumps(good))
    assert api.recheck_basin(str(path)).valid
    converging = results["square-converges"].certificate
    tampered = []
    flipped = copy.deepcopy(converging)
    leaf = _node(flipped["tree"], _first_path(flipped["tree"], "undecided"))
    leaf.update(outcome="converges", steps=60, region=dict(_node(converging["tree"], _first_path(converging["tree"], "converges", "region"))["region"]))
    tampered.append(flipped)
    faster = copy.deepcopy(converging)
    faster["inputs"]["h"] = "0.51"
    tampered.append(faster)
    narrow = copy.deepcopy(converging)
    region = _node(narrow["tree"], _first_path(narrow["tree"], "converges", "region"))["region"]
    region["r_bar"] = "1e-30"
    tampered.append(narrow)
    counted = copy.deepcopy(good)
    counted["fractions"]["diverges"] = "0.5"
    tampered.append(counted)
    escaped = copy.deepcopy(good)
    escaped["escape"]["q_min"] = "10"  # C2 fails: too small to trap the orbit
    tampered.append(escaped)
    pieces_path = _first_path(converging["tree"], "converges", "pieces")
    if pieces_path is not None:  # a leaf whose S_K was cut into pieces: drop one piece's worth of steps
        cut = copy.deepcopy(converging)
        piece = _node(cut["tree"], pieces_path)["pieces"][0]
        while "pieces" in piece:
            piece = piece["pieces"][0]
        piece["steps"] = max(0, piece["steps"] - 6)
        tampered.append(cut)
    for certificate in tampered:
        assert not checker.recheck_basin(certificate).valid


def test_a_catapult_is_crossed_in_u_v_and_the_prefix_is_part_of_the_proof(results):
    """From [2, 2.25]² at h = 0.9 (sharpness ≈ 8 > 2/h) GD on log cosh catapults: s jumps from ≈ 4.5 to ≈ 0.05. The
    leaves are proved through a (u, v) prefix; without it the same leaf's (s, d) flight does not reach the region."""
    certificate = results["logcosh-converges-after-a-catapult"].certificate
    path = _first_path(certificate["tree"], "converges", "uv_steps")
    assert path is not None
    stripped = copy.deepcopy(certificate)
    del _node(stripped["tree"], path)["uv_steps"]
    assert not checker.recheck_basin(stripped).valid
    longer = copy.deepcopy(certificate)
    _node(longer["tree"], path)["uv_steps"] = 0
    with pytest.raises(LlgdInputError):
        checker.recheck_basin(longer)


def test_fractions_are_lower_bounds_of_the_leaf_areas(results):
    """converges + diverges ≤ 1, each the exact area share of its leaves rounded down (undecided rounded up)."""
    for name, result in results.items():
        area = (Fraction(CASES[name]["box"][1]) - Fraction(CASES[name]["box"][0])) * (Fraction(CASES[name]["box"][3]) - Fraction(CASES[name]["box"][2]))
        exact = dict.fromkeys(checker.OUTCOMES, Fraction(0))
        for leaf in result.boxes:
            x0, x1, y0, y1 = (Fraction(v) for v in leaf["box"])
            exact[leaf["outcome"]] += (x1 - x0) * (y1 - y0) / area
        fractions = {k: Fraction(v) for k, v in result.fractions.items()}
        assert fractions["converges"] + fractions["diverges"] <= 1
        assert fractions["converges"] <= exact["converges"] and fractions["diverges"] <= exact["diverges"]
        assert fractions["undecided"] >= 1 - fractions["converges"] - fractions["diverges"] - Fraction(1, 10**7)
        assert sum(result.leaves.values()) == len(result.boxes)


def test_the_escape_lemma_needs_a_polynomial_slope_and_its_inequalities(results):
    """(H) is proved for the square loss and not for log cosh (ℓ' = tanh is bounded); C1–C3 decide Q."""
    certificate = results["square-diverges"].certificate
    problem, _ = checker.basin_problem(certificate["inputs"])
    assert checker.growth_failures(problem, "0.5", "2") == []
    assert checker.growth_failures(problem, "0.5", "1.5") != []  # s − 1 ≥ s/2 fails at s = 1.5
    logcosh, _ = checker.basin_problem(results["logcosh-converges"].certificate["inputs"])
    assert checker.growth_failures(logcosh, "0.5", "2") != []


def test_objective_is_accepted_when_it_is_a_loss_of_xy():
    """sympy proves (xy − 1)²/2 is the square loss of xy: the same certified leaves as --loss quadratic."""
    result = api.basin(objective="(x*y - 1)**2/2", variables=["x", "y"], h="0.5", box=["0.5", "1.5", "0.5", "1.5"], depth=3)
    assert result.valid and result.leaves["converges"] > 0
    assert result.leaves == api.basin(loss="quadratic", h="0.5", box=["0.5", "1.5", "0.5", "1.5"], depth=3).leaves
    with pytest.raises(LlgdInputError):
        api.basin(objective="x**2 + y**2", variables=["x", "y"], h="0.5", box=["0.5", "1.5", "0.5", "1.5"], depth=1)


@pytest.mark.parametrize("arguments", [
    {"h": "0.5", "box": ["1", "0", "0", "1"]},
    {"h": "-1", "box": ["0", "1", "0", "1"]},
    {"h": "0.5", "box": ["0", "1", "0"]},
    {"h": "0.5", "box": "0 1 0 1"},
    {"h": "0.5", "box": ["0", "1", "0", "1"], "depth": 99},
    {"h": "0.5", "box": ["0", "1", "0", "1"], "bits": 100},
])
def test_bad_arguments_are_one_typed_error(arguments):
    with pytest.raises(LlgdInputError):
        api.basin(loss="quadratic", **arguments)


def test_the_cli_writes_and_rechecks_a_certificate(capsys, tmp_path):
    """``llgd basin --json --certificate`` then ``llgd basin --recheck``: the same counts; bad input is one sentence, exit 2."""
    from llgd_proof.cli.main import main

    path = tmp_path / "basin.json"
    argv = ["basin", "--loss", "quadratic", "--h", "0.5", "--box", "0.5", "1.5", "0.5", "1.5", "--depth", "3", "--json", "--certificate", str(path)]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"leaves", "fractions", "valid", "inputs", "certificate_file"} <= set(data) and data["valid"]
    assert main(["basin", "--recheck", str(path), "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert checked["valid"] and checked["leaves"] == data["leaves"] and checked["fractions"] == data["fractions"]
    tampered = json.loads(path.read_text())
    tampered["inputs"]["h"] = "0.7"
    path.write_text(json.dumps(tampered))
    assert main(["basin", "--recheck", str(path)]) == 1
    capsys.readouterr()
    for bad in (["basin", "--loss", "quadratic", "--h", "0.5", "--box", "1", "0", "0", "1"], ["basin", "--loss", "quadratic", "--box", "0", "1", "0", "1"],
                ["basin", "--recheck", str(tmp_path / "missing.json")]):
        assert main(bad) == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith("llgd: error:") and "\n" not in error


def test_the_leaves_as_a_dataset_and_a_zarr_store(results, tmp_path):
    """The Dataset's leaves tile the box (their areas add up to it) and keep the outcomes; the Zarr store reads back."""
    import xarray

    result = results["square-converges"]
    dataset = api.basin_dataset(result)
    area = float((dataset.x1 - dataset.x0).dot(dataset.y1 - dataset.y0))
    assert area == pytest.approx((2.5 - 0.5) ** 2, rel=1e-12)
    for code, outcome in enumerate(dataset.outcome.attrs["codes"].split(",")):
        assert int((dataset.outcome == code).sum()) == result.leaves[outcome]
    store = api.save_basin_store(result, str(tmp_path / "basin.zarr"))
    assert list(xarray.open_zarr(store, consolidated=False).outcome.values) == list(dataset.outcome.values)


def _nested_sine(depth: int) -> str:
    """(s − 1)²/2 plus a negligible but costly term: sin nested ``depth`` times."""
    return "(s-1)^2/2 + " + "sin(" * depth + "s" + ")" * depth + "/10^30"


def test_rechecks_are_bounded_before_any_enclosure_is_computed():
    """Resource attacks answered at once, in one sentence: the work bound counts the cost of evaluating the loss
    (an expensive ℓ times K = 100000 is refused, where a cheap one is within it); ℓ''' too large to compile is
    refused when the problem is read; a box corner has at most 60 significant digits."""
    leaf = {"outcome": "converges", "steps": 100_000, "region": {"r_bar": "0.01", "q_window": ["1.9", "2.1"]}}

    def certificate(loss, box=("0.5", "1", "0.5", "1")):
        return {"kind": checker.KIND, "version": checker.VERSION, "inputs": {"loss": loss, "mu": None, "h": "0.5", "box": list(box)}, "bits": 128,
                "minimiser": ["0.99", "1.01"], "escape": None, "orbits": [], "tree": leaf,
                "leaves": {"converges": 1, "diverges": 0, "periodic": 0, "undecided": 0},
                "fractions": {"converges": "1", "diverges": "0", "periodic": "0", "undecided": "0"}}

    with pytest.raises(LlgdInputError, match="units of work"):
        checker.recheck_basin(certificate(_nested_sine(14)))
    cheap = copy.deepcopy(certificate("(s-1)^2/2"))
    cheap["tree"] = dict(leaf, steps=3)  # within the bound: rechecked (and refused on its merits, quickly)
    assert not checker.recheck_basin(cheap).valid
    with pytest.raises(LlgdInputError, match="ℓ'''"):
        checker.recheck_basin(certificate(_nested_sine(17)))
    with pytest.raises(LlgdInputError, match="significant digits"):
        checker.recheck_basin(certificate("(s-1)^2/2", box=("0." + "1" * 61, "1", "0.5", "1")))


def test_a_leaf_fails_at_its_first_failing_piece(results):
    """A leaf cut into 16 pieces, none of which reaches its region, gives one failure, not sixteen."""
    forged = copy.deepcopy(results["square-converges"].certificate)
    path = _first_path(forged["tree"], "converges")
    node = _node(forged["tree"], path)
    node.clear()
    node.update(outcome="converges", steps=0, pieces=[{"steps": 0, "region": {"r_bar": "1e-30", "q_window": ["1.9", "2.1"]}}] * 16)
    checked = checker.recheck_basin(forged)
    assert not checked.valid
    assert sum(f"leaf {''.join(map(str, path))} " in failure for failure in checked.failures) == 1
