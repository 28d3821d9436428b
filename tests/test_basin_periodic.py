"""Periodic leaves of certified basins (issue 20): for the square loss at h = 1.1 every minimiser is unstable and
GD from the certified leaves settles on the diagonal 2-cycle. Each start drawn from a certified periodic leaf is
followed by an independent 50-digit GD loop written here, and its limit cycle is compared with the closed form of
anchor A4 (on x = y, GD on (xy − 1)²/2 is GD on ¼(x² − 1)² in x); forged orbit boxes and leaves are refused."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest

from llgd_proof import api
from llgd_proof.checker import basins as checker
from llgd_proof.checker.problem import CertificateError

H = "1.1"
CASES = {
    "diagonal": ["0.6", "0.8", "0.6", "0.8"],
    "across-the-minimisers": ["0.85", "1.15", "0.85", "1.15"],  # the hyperbola xy = 1 of (unstable) minimisers crosses it
}
SAMPLES = 3  # a SAMPLES × SAMPLES grid of starts in every certified periodic leaf


@pytest.fixture(scope="module")
def results():
    return {name: api.basin(loss="quadratic", mu="1", h=H, box=box, depth=3) for name, box in CASES.items()}


def cycle_closed_form(h: str) -> tuple:
    """Anchor A4 (Chen & Bruna): for ¼(x² − 1)² and 1 < h < √5 − 1 the stable 2-cycle of GD is
    x± = (√(1 + 3/h) ± √(1 − 1/h))/2; on the diagonal x = y the square loss's s = xy alternates x₋², x₊²."""
    with mpmath.workdps(50):
        h = mpmath.mpf(h)
        plus, minus = mpmath.sqrt(1 + 3 / h), mpmath.sqrt(1 - 1 / h)
        return ((plus - minus) / 2) ** 2, ((plus + minus) / 2) ** 2


def products_late(x: Fraction, y: Fraction, h: str, steps: int = 800, tail: int = 4) -> list:
    """s_k = x_k y_k for k = steps … steps + tail − 1 of GD on (xy − 1)²/2 at 50 digits, written out here:
    x⁺ = x − h(xy − 1)y, y⁺ = y − h(xy − 1)x."""
    with mpmath.workdps(50):
        h, x, y = mpmath.mpf(h), mpmath.mpf(x.numerator) / x.denominator, mpmath.mpf(y.numerator) / y.denominator
        products = []
        for k in range(steps + tail):
            if k >= steps:
                products.append(x * y)
            t = h * (x * y - 1)
            x, y = x - t * y, y - t * x
        return products


def _periodic_leaves(result) -> list:
    return [leaf for leaf in result.boxes if leaf["outcome"] == "periodic"]


def test_periodic_leaves_are_certified(results):
    """Not vacuous: both boxes have certified periodic leaves, and the checker accepts both certificates."""
    for result in results.values():
        assert result.valid and checker.recheck_basin(result.certificate).valid
        assert result.leaves["periodic"] > 0
        assert result.certificate["orbits"] and all(orbit["period"] <= checker.MAX_PERIOD for orbit in result.certificate["orbits"])


def test_every_start_in_a_periodic_leaf_settles_on_the_anchor_two_cycle(results):
    """Soundness: from a grid of starts in every certified periodic leaf, the 50-digit GD products s_k satisfy
    |s_{k+2} − s_k| → 0 while s_{k+1} − s_k does not (a genuine 2-cycle, so s does not tend to μ = 1), and the two
    values are A4's x₋², x₊²."""
    low, high = cycle_closed_form(H)
    tolerance = mpmath.mpf("1e-15")
    for name, result in results.items():
        for leaf in _periodic_leaves(result):
            x0, x1, y0, y1 = (Fraction(v) for v in leaf["box"])
            for i in range(SAMPLES):
                for j in range(SAMPLES):
                    x = x0 + (x1 - x0) * Fraction(2 * i + 1, 2 * SAMPLES)
                    y = y0 + (y1 - y0) * Fraction(2 * j + 1, 2 * SAMPLES)
                    s = products_late(x, y, H)
                    assert abs(s[2] - s[0]) < tolerance and abs(s[3] - s[1]) < tolerance, (name, leaf, x, y)
                    assert abs(s[1] - s[0]) > mpmath.mpf("0.5") and min(abs(v - 1) for v in s) > mpmath.mpf("0.2"), (name, leaf, x, y)
                    assert abs(min(s[0], s[1]) - low) < tolerance and abs(max(s[0], s[1]) - high) < tolerance, (name, leaf, x, y)


def test_no_periodic_leaf_holds_a_minimiser(results):
    """A start on the hyperbola xy = 1 is a minimiser, which GD never leaves: a leaf [x0, x1] × [y0, y1] of the
    positive quadrant meets it iff x0·y0 ≤ 1 ≤ x1·y1 (exact rationals), and no such leaf is certified periodic —
    though the second box is crossed by the hyperbola and does have periodic leaves."""
    crossed = 0
    for result in results.values():
        for leaf in result.boxes:
            x0, x1, y0, y1 = (Fraction(v) for v in leaf["box"])
            if x0 * y0 <= 1 <= x1 * y1:
                crossed += 1
                assert leaf["outcome"] != "periodic", leaf
    assert crossed > 0


def test_every_point_of_a_certified_orbit_box_goes_to_one_cycle(results):
    """The attracting-box lemma's conclusion for the boxes themselves: points (s, d) of each certified orbit box,
    lifted to θ by w = x + iy = √(d + 2is), all reach the same 2-cycle of A4 under the independent loop, and the
    box's s-range lies on one side of μ = 1 (it holds no minimiser)."""
    low, high = cycle_closed_form(H)
    for orbit in results["diagonal"].certificate["orbits"]:
        s0, s1, d0, d1 = (Fraction(v) for v in orbit["box"])
        assert s1 < 1 or s0 > 1
        for u in (Fraction(1, 8), Fraction(1, 2), Fraction(7, 8)):
            for v in (Fraction(1, 8), Fraction(1, 2), Fraction(7, 8)):
                s, d = s0 + u * (s1 - s0), d0 + v * (d1 - d0)
                with mpmath.workdps(50):
                    w = mpmath.sqrt(mpmath.mpc(mpmath.mpf(d.numerator) / d.denominator, 2 * mpmath.mpf(s.numerator) / s.denominator))
                    x, y = Fraction(str(mpmath.nstr(w.real, 45))), Fraction(str(mpmath.nstr(w.imag, 45)))
                products = products_late(x, y, H)
                assert abs(min(products[:2]) - low) < mpmath.mpf("1e-15") and abs(max(products[:2]) - high) < mpmath.mpf("1e-15")


def _first_periodic(tree, path=()):
    if "split" in tree:
        for i, child in enumerate(tree["split"]):
            found = _first_periodic(child, path + (i,))
            if found is not None:
                return found
        return None
    return path if tree["outcome"] == "periodic" else None


def _node(tree, path):
    for i in path:
        tree = tree["split"][i]
    return tree


def _terminal(node):
    while "pieces" in node:
        node = node["pieces"][0]
    return node


def test_forged_periodic_certificates_are_refused(results):
    """An orbit box moved off the cycle, one around a minimiser, a wrong period, a leaf whose steps are cut short,
    a leaf holding minimisers relabelled periodic, or a changed periodic count: recheck_basin refuses each."""
    good = results["diagonal"].certificate
    forged = []

    moved = copy.deepcopy(good)
    for orbit in moved["orbits"]:  # s-range shifted by 0.2 (exact decimals), d-range kept
        orbit["box"][:2] = [str(Decimal(value) + Decimal("0.2")) for value in orbit["box"][:2]]
    forged.append(("moved off the cycle", moved))

    minimiser = copy.deepcopy(good)
    minimiser["orbits"][0]["box"] = ["0.95", "1.05", "-0.01", "0.01"]  # holds (s, d) = (1, 0): a minimiser, fixed by GD
    forged.append(("around a minimiser", minimiser))

    period = copy.deepcopy(good)
    for orbit in period["orbits"]:
        orbit["period"] = 1
    forged.append(("period 1", period))

    shortened = copy.deepcopy(good)
    leaf = _terminal(_node(shortened["tree"], _first_periodic(shortened["tree"])))
    assert leaf["steps"] > 0
    leaf["steps"] -= 1  # one phase of the 2-cycle earlier: the enclosure sits near the other point of the cycle
    forged.append(("steps cut short", shortened))

    relabelled = copy.deepcopy(results["across-the-minimisers"].certificate)
    corners = [Fraction(v) for v in relabelled["inputs"]["box"]]
    # a leaf met by the hyperbola xy = 1 holds minimisers, which GD never leaves: "periodic" is false for it
    _, crossed, *_ = next(leaf for leaf in checker.walk(relabelled["tree"], corners) if leaf[2] * leaf[4] <= 1 <= leaf[3] * leaf[5])
    crossed.clear()
    crossed.update(outcome="periodic", steps=60, orbit=0)
    relabelled["leaves"], relabelled["fractions"] = checker.tally(relabelled["tree"], corners)
    forged.append(("a leaf holding minimisers relabelled", relabelled))

    counted = copy.deepcopy(good)
    counted["leaves"]["periodic"] += 1
    forged.append(("count", counted))

    for what, certificate in forged:
        checked = checker.recheck_basin(certificate)
        assert not checked.valid, what
    assert any("P4" in failure for failure in checker.recheck_basin(minimiser).failures)


def test_malformed_orbits_and_old_versions_are_input_errors(results):
    """Strict reading: an orbit with an extra field, a period out of range, a leaf naming a missing orbit, a version 1
    certificate — each a CertificateError (one sentence), never a verdict."""
    good = results["diagonal"].certificate
    extra = copy.deepcopy(good)
    extra["orbits"][0]["note"] = "x"
    long_period = copy.deepcopy(good)
    long_period["orbits"][0]["period"] = checker.MAX_PERIOD + 1
    missing = copy.deepcopy(good)
    _terminal(_node(missing["tree"], _first_periodic(missing["tree"])))["orbit"] = len(missing["orbits"])
    old = copy.deepcopy(good)
    old["version"] = 1
    for certificate in (extra, long_period, missing, old):
        with pytest.raises(CertificateError):
            checker.recheck_basin(certificate)


def test_the_cli_certifies_and_rechecks_periodic_leaves(capsys, tmp_path):
    """``llgd basin --loss quadratic --mu 1 --h 1.1 … --json --certificate`` reports periodic leaves and a valid
    certificate; ``llgd basin --recheck`` agrees; the text output, the dataset codes and the figure name them."""
    from llgd_proof.cli.main import main

    path = tmp_path / "basin.json"
    argv = ["basin", "--loss", "quadratic", "--mu", "1", "--h", H, "--box", *CASES["diagonal"], "--depth", "3", "--json", "--certificate", str(path)]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] and data["leaves"]["periodic"] > 0
    assert Fraction(data["fractions"]["periodic"]) > 0
    assert main(["basin", "--recheck", str(path), "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert checked["valid"] and checked["leaves"] == data["leaves"] and checked["fractions"] == data["fractions"]
    assert "periodic" in api.format_basin(data)
    result = api.basin(loss="quadratic", mu="1", h=H, box=CASES["diagonal"], depth=2)
    dataset = api.basin_dataset(result)
    codes = dataset.outcome.attrs["codes"].split(",")
    assert codes[:3] == ["converges", "diverges", "undecided"]  # the older codes keep their meaning
    for code, outcome in enumerate(codes):
        assert int((dataset.outcome == code).sum()) == result.leaves[outcome]
    api.basin_figure(result, str(tmp_path / "basin.png"))
    assert (tmp_path / "basin.png").stat().st_size > 0
