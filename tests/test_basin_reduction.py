"""Basins of f = ℓ(xᵀy), x, y ∈ ℝⁿ, through the exact reduction to two variables (issue 20,
:mod:`llgd_proof.checker.reduction`): the one-step identities proved by sympy, k-step agreement of an n-dimensional
GD loop with the two-variable loop, and soundness — a start the certificate answers does what it says under an
independent 50-digit GD loop in ℝⁿ written here."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy
import pytest
import sympy
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof import api
from llgd_proof.checker.problem import CertificateError
from llgd_proof.checker.reduction import CheckedBasin, reduced_start, root_sum_sign
from llgd_proof.errors import LlgdInputError
from llgd_proof.symbolic.arb import working_bits

SLOPES = {"logcosh": lambda s: mpmath.tanh(s - 1), "quadratic": lambda s: s - 1, "quartic": lambda s: s**3 - s}
LOSSES = {"logcosh": lambda s: mpmath.log(mpmath.cosh(s - 1)), "quadratic": lambda s: (s - 1) ** 2 / 2, "quartic": lambda s: (s**2 - 1) ** 2 / 4}
CERTIFIED = {"loss": "logcosh", "mu": "1", "h": "0.9", "box": ["1.1", "1.3", "0.9", "1.1"], "depth": 2}
MIRRORED = {**CERTIFIED, "box": ["0.9", "1.1", "1.1", "1.3"]}
"""Its mirror image in the diagonal: every point has ỹ > x̃ there, so a start is read through its point (ỹ, x̃)."""


@pytest.fixture(scope="module")
def certificates():
    return {"box": api.basin(**CERTIFIED).certificate, "mirror": api.basin(**MIRRORED).certificate}


@pytest.fixture(scope="module")
def readers(certificates):
    return {name: CheckedBasin(certificate) for name, certificate in certificates.items()}


@pytest.fixture(scope="module")
def certificate(certificates):
    return certificates["box"]


@pytest.fixture(scope="module")
def checked(readers):
    return readers["box"]


# -- the exact reduction --------------------------------------------------------------------------------------
def _vector(name: str, n: int):
    return sympy.Matrix(sympy.symbols(f"{name}1:{n + 1}", real=True))


def _unit(p, q):
    """A unit vector of ℝ³ with rational entries in p, q (inverse stereographic projection)."""
    return sympy.Matrix([2 * p, 2 * q, 1 - p**2 - q**2]) / (1 + p**2 + q**2)


def _zero(expression) -> bool:
    return all(sympy.simplify(entry) == 0 for entry in sympy.Matrix([expression]))


def test_one_step_identities_are_proved_symbolically():
    """For n = 3 and any scalar t = hℓ'(xᵀy): u⁺ = (1 − t)u, v⁺ = (1 + t)v, xᵀy = (|u|² − |v|²)/4 and
    ‖θ‖² = (|u|² + |v|²)/2; with unit vectors e_u, e_v and L(a, b) = (ap + bm, am + bp), ‖L(a, b)‖² = a² + b²,
    (xᵀy)(L(a, b)) = ab and the n-dimensional step of L(a, b) is L of the two-variable step (so, as t depends on
    xᵀy alone, GD commutes with L)."""
    x, y, t = _vector("x", 3), _vector("y", 3), sympy.Symbol("t", real=True)
    x_next, y_next = x - t * y, y - t * x
    u, v = x + y, x - y
    assert _zero((x_next + y_next) - (1 - t) * u) and _zero((x_next - y_next) - (1 + t) * v)
    assert _zero(x.dot(y) - (u.dot(u) - v.dot(v)) / 4)
    assert _zero(x.dot(x) + y.dot(y) - (u.dot(u) + v.dot(v)) / 2)

    a, b, p1, q1, p2, q2 = sympy.symbols("a b p1 q1 p2 q2", real=True)
    e_u, e_v = _unit(p1, q1), _unit(p2, q2)
    assert _zero(e_u.dot(e_u) - 1) and _zero(e_v.dot(e_v) - 1)
    plus, minus = (e_u + e_v) / 2, (e_u - e_v) / 2

    def lift(first, second):
        return first * plus + second * minus, first * minus + second * plus

    lx, ly = lift(a, b)
    assert _zero(lx.dot(lx) + ly.dot(ly) - (a**2 + b**2))
    assert _zero(lx.dot(ly) - a * b)
    nx, ny = lift(a - t * b, b - t * a)  # L of the two-variable step
    assert _zero((lx - t * ly) - nx) and _zero((ly - t * lx) - ny)


def test_the_reduced_start_lifts_back_to_the_start():
    """L(x̃₀, ỹ₀) = θ₀ with e_u = u₀/|u₀|, e_v = v₀/|v₀| (sympy, exact square roots), and the API's balls hold x̃₀, ỹ₀."""
    start = ([Fraction(3, 5), Fraction(-7, 4), Fraction(2)], [Fraction(1, 3), Fraction(5, 2), Fraction(-1, 8)])
    x = sympy.Matrix([sympy.Rational(c.numerator, c.denominator) for c in start[0]])
    y = sympy.Matrix([sympy.Rational(c.numerator, c.denominator) for c in start[1]])
    u, v = x + y, x - y
    norm_u, norm_v = sympy.sqrt(u.dot(u)), sympy.sqrt(v.dot(v))
    a, b = (norm_u + norm_v) / 2, (norm_u - norm_v) / 2
    e_u, e_v = u / norm_u, v / norm_v
    plus, minus = (e_u + e_v) / 2, (e_u - e_v) / 2
    assert _zero(a * plus + b * minus - x) and _zero(a * minus + b * plus - y)
    exact = reduced_start(*start, exact=True)
    assert sympy.simplify(exact[0] - a) == 0 and sympy.simplify(exact[1] - b) == 0
    with working_bits(256):
        balls = reduced_start(*start)
        assert all(ball.overlaps(arb(str(sympy.N(value, 90)))) and ball.rad() < arb(10) ** -70 for ball, value in zip(balls, (a, b)))


def _gd(slope, h, x, y, steps):
    """Plain GD on ℓ(xᵀy) in ℝⁿ: x⁺ = x − hℓ'(s)y, y⁺ = y − hℓ'(s)x, s = xᵀy (the iterates, the start included)."""
    path = [(x, y)]
    for _ in range(steps):
        t = h * slope(mpmath.fsum(a * b for a, b in zip(x, y)))
        x, y = [a - t * b for a, b in zip(x, y)], [b - t * a for a, b in zip(x, y)]
        path.append((x, y))
    return path


def _close(a, b, scale):
    return abs(a - b) <= mpmath.mpf(10) ** -35 * (1 + abs(scale))


coordinate = st.fractions(-2, 2, max_denominator=1000)


@settings(max_examples=40, deadline=None)
@given(loss=st.sampled_from(sorted(SLOPES)), h=st.sampled_from(["0.1", "0.45", "0.9", "1.3"]), n=st.integers(1, 4), data=st.data())
def test_k_steps_of_gd_in_n_dimensions_are_two_variable_gd_lifted(loss, h, n, data):
    """Property: for 20 steps, GD on ℓ(xᵀy) in ℝⁿ and GD on ℓ(xy) from the reduced start have the same xᵀy, ‖θ‖²
    and loss, and θ_k = L(θ̃_k) coordinate by coordinate (two independent 60-digit loops)."""
    xs = data.draw(st.lists(coordinate, min_size=n, max_size=n))
    ys = data.draw(st.lists(coordinate, min_size=n, max_size=n))
    with mpmath.workdps(60):
        x = [mpmath.mpf(c.numerator) / c.denominator for c in xs]
        y = [mpmath.mpf(c.numerator) / c.denominator for c in ys]
        u, v = [a + b for a, b in zip(x, y)], [a - b for a, b in zip(x, y)]
        norm_u, norm_v = mpmath.sqrt(mpmath.fsum(c * c for c in u)), mpmath.sqrt(mpmath.fsum(c * c for c in v))
        e_u = [c / norm_u for c in u] if norm_u else [mpmath.mpf(1)] + [mpmath.mpf(0)] * (n - 1)
        e_v = [c / norm_v for c in v] if norm_v else [mpmath.mpf(1)] + [mpmath.mpf(0)] * (n - 1)
        plus, minus = [(p + q) / 2 for p, q in zip(e_u, e_v)], [(p - q) / 2 for p, q in zip(e_u, e_v)]
        slope, value, step = SLOPES[loss], LOSSES[loss], mpmath.mpf(h)
        wide = _gd(slope, step, x, y, 20)
        narrow = _gd(slope, step, [(norm_u + norm_v) / 2], [(norm_u - norm_v) / 2], 20)
        for (xk, yk), ((a,), (b,)) in zip(wide, narrow):
            q = mpmath.fsum(c * c for c in xk + yk)
            if q > 10**30:
                break  # diverging: the relative agreement up to here is what is checked
            s = mpmath.fsum(p * r for p, r in zip(xk, yk))
            assert _close(s, a * b, q) and _close(q, a * a + b * b, q) and _close(value(s), value(a * b), value(s))
            lifted = [a * p + b * m for p, m in zip(plus, minus)], [a * m + b * p for p, m in zip(plus, minus)]
            assert all(_close(c, d, q) for c, d in zip(xk + yk, lifted[0] + lifted[1]))


def test_the_sharpness_adds_only_the_eigenvalues_plus_minus_l_prime():
    """Remark of the module doc, n = 2, ℓ = (s² − 1)²/4 (ℓ'' < 0 near 0): spec ∇²f(θ) = spec ∇²f₂(θ̃) ∪ {±ℓ'(s)}
    (Hessians by sympy from f itself), so S = max(S₂, |ℓ'|); not vacuous — at some points |ℓ'| > S₂."""
    x1, x2, y1, y2, a, b = sympy.symbols("x1 x2 y1 y2 a b", real=True)

    def loss(s):
        return (s**2 - 1) ** 2 / 4

    wide = sympy.lambdify((x1, x2, y1, y2), sympy.hessian(loss(x1 * y1 + x2 * y2), (x1, x2, y1, y2)))
    narrow = sympy.lambdify((a, b), sympy.hessian(loss(a * b), (a, b)))
    generator = numpy.random.default_rng(7)
    exceeded = 0
    for _ in range(200):
        x, y = generator.uniform(-1.5, 1.5, 2), generator.uniform(-1.5, 1.5, 2)
        norm_u, norm_v = numpy.linalg.norm(x + y), numpy.linalg.norm(x - y)
        s = float(x @ y)
        slope = s**3 - s
        reduced = numpy.linalg.eigvalsh(numpy.array(narrow((norm_u + norm_v) / 2, (norm_u - norm_v) / 2), dtype=float))
        spectrum = numpy.sort(numpy.linalg.eigvalsh(numpy.array(wide(*x, *y), dtype=float)))
        assert spectrum == pytest.approx(numpy.sort(numpy.concatenate([reduced, [slope, -slope]])), abs=1e-9)
        assert spectrum[-1] == pytest.approx(max(reduced[-1], abs(slope)), abs=1e-9)
        exceeded += abs(slope) > reduced[-1] + 1e-6
    assert exceeded > 0


# -- soundness of the certified reading ------------------------------------------------------------------------
def _leaves(certificate):
    """(box, outcome) of every leaf, by exact halving written out here (children x-low/y-low, x-high/y-low, ...)."""
    found, stack = [], [(certificate["tree"], [Fraction(c) for c in certificate["inputs"]["box"]])]
    while stack:
        node, (x0, x1, y0, y1) = stack.pop()
        if "split" in node:
            xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
            stack += list(zip(node["split"], [(x0, xm, y0, ym), (xm, x1, y0, ym), (x0, xm, ym, y1), (xm, x1, ym, y1)]))
        else:
            found.append(((x0, x1, y0, y1), node["outcome"]))
    return found


def _lift(a: Fraction, b: Fraction, directions) -> tuple[list[Fraction], list[Fraction]]:
    """An exact start in ℝ³ whose (|x + y|, |x − y|) is (|a + b|, |a − b|): u = (a + b)e_u, v = (a − b)e_v with
    rational unit vectors e = (2p, 2q, 1 − p² − q²)/(1 + p² + q²)."""
    (p1, q1), (p2, q2) = directions
    e_u = [2 * p1, 2 * q1, 1 - p1 * p1 - q1 * q1]
    e_v = [2 * p2, 2 * q2, 1 - p2 * p2 - q2 * q2]
    e_u, e_v = [c / (1 + p1 * p1 + q1 * q1) for c in e_u], [c / (1 + p2 * p2 + q2 * q2) for c in e_v]
    u, v = [(a + b) * c for c in e_u], [(a - b) * c for c in e_v]
    return [(p + q) / 2 for p, q in zip(u, v)], [(p - q) / 2 for p, q in zip(u, v)]


def gradient_descent_outcome(x, y, steps: int = 20_000) -> str:
    """GD on log cosh(xᵀy − 1) in ℝⁿ at 50 digits, h = 0.9, written out here: converges when |xᵀy − 1| < 1e-25,
    diverges when ‖θ‖² > 1e40."""
    with mpmath.workdps(50):
        h = mpmath.mpf("0.9")
        x = [mpmath.mpf(c.numerator) / c.denominator for c in x]
        y = [mpmath.mpf(c.numerator) / c.denominator for c in y]
        for _ in range(steps):
            s = mpmath.fsum(a * b for a, b in zip(x, y))
            if abs(s - 1) < mpmath.mpf("1e-25"):
                return "converges"
            if mpmath.fsum(c * c for c in x + y) > mpmath.mpf("1e40"):
                return "diverges"
            t = h * mpmath.tanh(s - 1)
            x, y = [a - t * b for a, b in zip(x, y)], [b - t * a for a, b in zip(x, y)]
    return "undecided"


fraction = st.fractions(Fraction(1, 100), Fraction(99, 100), max_denominator=100)
direction = st.tuples(st.fractions(-3, 3, max_denominator=7), st.fractions(-3, 3, max_denominator=7))


@settings(max_examples=30, deadline=None)
@given(which=st.sampled_from(["box", "mirror"]), pick=st.integers(0, 10**6), fx=fraction, fy=fraction, directions=st.tuples(direction, direction))
def test_starts_in_r3_reduced_into_a_converging_leaf_converge(certificates, readers, which, pick, fx, fy, directions):
    """Property: an exact start in ℝ³ whose reduced point (in the mirrored box: its swap (ỹ, x̃)) lies inside a
    converging leaf is answered "converges", and the independent 50-digit GD loop in ℝ³ converges to xᵀy = μ = 1."""
    certificate, checked = certificates[which], readers[which]
    converging = [box for box, outcome in _leaves(certificate) if outcome == "converges"]
    assert converging  # not vacuous
    x0, x1, y0, y1 = converging[pick % len(converging)]
    a, b = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
    x, y = _lift(a, b, directions)
    answer = checked.outcome(x, y)
    assert answer.outcome == "converges", answer
    assert gradient_descent_outcome(x, y) == "converges", (x, y)


def test_a_start_on_the_edge_of_a_converging_leaf_is_located_exactly(certificate, checked):
    """A start whose reduced point lies exactly on the edge between a converging and an undecided leaf is in the
    closed converging leaf (the checker proves closed boxes): converges, both leaves listed. Moved 10⁻¹⁰⁰ across
    the edge — far inside the Arb balls' radius, so only the exact comparison separates the sides — it answers
    undecided on the undecided side and converges on the other."""
    leaves = _leaves(certificate)
    pairs = [(left, right) for left, p in leaves for right, q in leaves
             if p == "converges" and q == "undecided" and left[1] == right[0] and left[2] == right[2] and left[3] == right[3]
             and left[1] >= (left[2] + left[3]) / 2]  # the edge point is its own reduced point (x̃ ≥ |ỹ|)
    assert pairs, "the fixture certificate has a converging leaf beside an undecided one"
    left, _ = pairs[0]
    edge, middle = left[1], (left[2] + left[3]) / 2
    directions = ((Fraction(1, 2), Fraction(1, 3)), (Fraction(-2), Fraction(1, 5)))
    on_edge = checked.outcome(*_lift(edge, middle, directions))
    assert on_edge.outcome == "converges"
    assert {leaf["outcome"] for leaf in on_edge.leaves} == {"converges", "undecided"}
    tiny = Fraction(1, 10**100)
    across = checked.outcome(*_lift(edge + tiny, middle, directions))
    assert across.outcome == "undecided" and {leaf["outcome"] for leaf in across.leaves} == {"undecided"}
    assert checked.outcome(*_lift(edge - tiny, middle, directions)).outcome == "converges"


@settings(max_examples=300, deadline=None)
@given(p=st.sampled_from([1, -1]), q=st.sampled_from([1, -1]), a=st.fractions(0, 3, max_denominator=40), b=st.fractions(0, 3, max_denominator=40),
       r=st.fractions(-6, 6, max_denominator=40), square=st.booleans())
def test_the_exact_sign_of_a_sum_of_square_roots(p, q, a, b, r, square):
    """Property: root_sum_sign(p, u, q, v, r) is the sign of p√u + q√v + r — against 100-digit mpmath where the value
    is not tiny, and exactly 0 on constructed zeros (u = a², v = b², r = −(pa + qb)); u, v are a², b² or a, b."""
    u, v = (a * a, b * b) if square else (a, b)
    with mpmath.workdps(100):
        value = p * mpmath.sqrt(mpmath.mpf(u.numerator) / u.denominator) + q * mpmath.sqrt(mpmath.mpf(v.numerator) / v.denominator) + mpmath.mpf(r.numerator) / r.denominator
    if abs(value) > mpmath.mpf(10) ** -60:
        assert root_sum_sign(p, u, q, v, r) == (1 if value > 0 else -1)
    else:
        assert root_sum_sign(p, u, q, v, r) == 0  # an exact zero (the only way 100 digits are this small here)
    if square:
        assert root_sum_sign(p, u, q, v, -(p * a + q * b)) == 0
        assert root_sum_sign(p, u, q, v, -(p * a + q * b) + Fraction(1, 10**80)) == 1


def _direct(certificate, x: Fraction, y: Fraction) -> str:
    """The two-variable reading at (x, y) itself: the proved outcome of a closed leaf holding (x, y), else undecided."""
    holding = {outcome for (x0, x1, y0, y1), outcome in _leaves(certificate) if x0 <= x <= x1 and y0 <= y <= y1} - {"undecided"}
    assert len(holding) <= 1  # a sound certificate proves one outcome per point
    return holding.pop() if holding else "undecided"


magnitude = st.decimals("0.85", "1.35", places=3)
signed = st.tuples(st.sampled_from([1, -1]), magnitude).map(lambda pair: pair[0] * pair[1])
offset = st.tuples(st.decimals("0", "0.2", places=3), st.decimals("0", "0.2", places=3))  # both boxes are 0.2 × 0.2


@settings(max_examples=60, deadline=None)
@given(which=st.sampled_from(["box", "mirror"]), outside=st.tuples(signed, signed), inside=offset, near=st.booleans())
def test_n1_agrees_with_the_direct_reading_and_with_the_symmetries(certificates, readers, which, outside, inside, near):
    """Property (n = 1): where a closed leaf holding (x, y) itself proves an outcome, the reduction answers the same;
    the four points (x, y), (y, x), (−x, −y), (−y, −x) get one answer (symmetries of ℓ(xy)); a decided answer is
    confirmed by the independent GD loop. Starts are drawn from the box, or anywhere near it."""
    certificate, checked = certificates[which], readers[which]
    corner = [Decimal(c) for c in certificate["inputs"]["box"]]
    x, y = (corner[0] + inside[0], corner[2] + inside[1]) if near else outside
    answers = {checked.outcome([str(p)], [str(q)]).outcome for p, q in ((x, y), (y, x), (-x, -y), (-y, -x))}
    assert len(answers) == 1
    answer = answers.pop()
    direct = _direct(certificate, Fraction(x), Fraction(y))
    if direct != "undecided":
        assert answer == direct
    if answer != "undecided":
        assert gradient_descent_outcome([Fraction(x)], [Fraction(y)]) == answer


def test_the_direct_reading_is_not_vacuous(certificates, readers):
    """n = 1 starts inside a converging leaf, and their images under the symmetries, are answered converges in both
    boxes (in the mirrored one only through the point (ỹ, x̃)); a start outside answers undecided."""
    for which, inside in (("box", ("1.12", "0.92")), ("mirror", ("0.92", "1.12"))):
        assert _direct(certificates[which], *map(Fraction, inside)) == "converges"
        for x, y in (("1.12", "0.92"), ("0.92", "1.12"), ("-1.12", "-0.92"), ("-0.92", "-1.12")):
            answer = readers[which].outcome([x], [y])
            assert answer.outcome == "converges"
            assert {leaf["point"] for leaf in answer.leaves} == {"(x̃, ỹ)" if which == "box" else "(ỹ, x̃)"}
        far = readers[which].outcome(["5"], ["5"])
        assert far.outcome == "undecided" and not far.leaves


def test_a_certificate_that_does_not_recheck_certifies_no_start(certificate):
    """A tampered certificate (a changed step h) is refused before any start is read."""
    tampered = copy.deepcopy(certificate)
    tampered["inputs"]["h"] = "0.95"
    with pytest.raises(CertificateError):
        CheckedBasin(tampered)
    with pytest.raises(LlgdInputError):
        api.basin_outcome(tampered, ["1.12"], ["0.92"])


# -- API and CLI ----------------------------------------------------------------------------------------------
def test_api_basin_accepts_an_objective_of_x_transpose_y():
    """sympy proves (x1y1 + x2y2 − 1)²/2 is the square loss of xᵀy: the certificate is the two-variable basin
    (the same leaves as --loss quadratic) and the result says the box is in reduced coordinates."""
    box = ["0.8", "1.2", "0.6", "1"]
    result = api.basin(objective="(x1*y1 + x2*y2 - 1)**2/2", variables=["x1", "x2", "y1", "y2"], h="0.5", box=box, depth=1)
    plain = api.basin(loss="quadratic", h="0.5", box=box, depth=1)
    assert result.valid and result.leaves == plain.leaves and result.leaves["converges"] > 0
    data = result.as_json()
    assert data["reduction"]["dim"] == 2 and "|x+y|" in data["reduction"]["coordinates"]
    assert "reduction" not in plain.as_json()
    assert api.basin_outcome(result, ["0.7", "0.6"], ["0.6", "0.5"]).outcome == "converges"
    with pytest.raises(LlgdInputError):
        api.basin(objective="(x1*y1 - x2*y2 - 1)**2/2", variables=["x1", "x2", "y1", "y2"], h="0.5", box=box, depth=1)
    with pytest.raises(LlgdInputError):
        api.basin(objective="(x1*y1 - 1)**2/2", variables=["x1", "x2", "y1"], h="0.5", box=box, depth=1)


@pytest.mark.parametrize(("x", "y"), [(["1"], ["1", "2"]), ([], []), ("1", "1"), (["1", "a"], ["1", "1"]), (["nan"], ["1"]), ([None], ["1"])])
def test_bad_starts_are_one_typed_error(certificate, x, y):
    with pytest.raises(LlgdInputError):
        api.basin_outcome(certificate, x, y)


def test_the_cli_answers_a_start(certificate, capsys, tmp_path):
    """``llgd basin --recheck FILE --start ...``: the recheck's JSON fields plus ``start``; exit 0 proved, 1 undecided;
    bad input (an odd count, --start without --recheck, a tampered certificate) is one sentence, exit 2."""
    from llgd_proof.cli.main import main

    path = tmp_path / "basin.json"
    path.write_text(json.dumps(certificate))
    x, y = _lift(Fraction("1.12"), Fraction("0.92"), ((Fraction(3, 5), Fraction(4, 5)), (Fraction(0), Fraction(1, 3))))  # e_u = (0.6, 0.8, 0), e_v = (0, 0.6, 0.8)
    assert x == [Fraction(c) for c in ("0.612", "0.876", "0.08")] and y == [Fraction(c) for c in ("0.612", "0.756", "-0.08")]
    start = "0.612,0.876,0.08,0.612,0.756,-0.08"
    assert main(["basin", "--recheck", str(path), f"--start={start}", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] and data["leaves"] == certificate["leaves"] and data["start"]["outcome"] == "converges" and data["start"]["dim"] == 3
    assert main(["basin", "--recheck", str(path), "--start", "5,5"]) == 1
    assert "undecided" in capsys.readouterr().out
    tampered = copy.deepcopy(certificate)
    tampered["inputs"]["h"] = "0.95"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(tampered))
    for argv in (["basin", "--recheck", str(path), "--start", "1,2,3"], ["basin", "--loss", "quadratic", "--h", "0.5", "--box", "0", "1", "0", "1", "--start", "1,1"],
                 ["basin", "--recheck", str(bad), "--start", "1.12,0.92"]):
        assert main(argv) == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith("llgd: error:") and "\n" not in error
