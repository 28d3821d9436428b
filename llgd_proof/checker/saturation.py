r"""Divergence of GD on f = ℓ(xy), x, y ∈ ℝ, for a loss whose slope saturates: the saturation lemma (derived).

**Coordinates** (as in :mod:`.basins`). With t = hℓ'(s), s = xy, GD reads u⁺ = u(1 − t), v⁺ = v(1 + t) in
u = x + y, v = x − y. Write d = uv = x² − y² and, while uv ≠ 0, a = log|u/v|; then u² = |d|e^a, v² = |d|e^{−a}, so

    s = |d| sinh(a)/2,   q = x² + y² = |d| cosh a ≥ |d|,   d⁺ = d(1 − t²),   a⁺ = a + log|1 − t| − log|1 + t|.

For |t| > 1 the last is a⁺ = a − sign(t)·C(|t|) with C(τ) = log((τ + 1)/(τ − 1)), positive and decreasing on
(1, ∞) with |C'(τ)| = 2/(τ² − 1).

**Hypotheses on ℓ** (one rational s_min > 0; proved by sympy, :func:`tail_failures`):

* (S0) ℓ, ℓ' and ℓ'' (sympy's derivatives, no branch: no Piecewise, Abs, sign, Heaviside, DiracDelta, Min, Max)
  are continuous on [s_min, ∞) and on (−∞, −s_min] (``sympy.calculus.util.continuous_domain``);
* (S1) ℓ'' ≥ 0 there: ``simplify(ℓ'')`` at s = ±(s_min + w), w ≥ 0, is nonnegative by sympy's assumptions;
* (S2) lim_{s→+∞} ℓ'(s) = G and lim_{s→−∞} ℓ'(s) = −G, the same finite G > 0 (``sympy.limit``, Gruntz;
  ``simplify`` of the difference is 0);
* (S3) I₊ = lim_{R→∞} (GR − ℓ(R)) and I₋ = lim_{R→∞} (GR − ℓ(−R)) are finite (``sympy.limit``).

Consequences for r ≥ s_min: ε₊(r) = G − ℓ'(r) and ε₋(r) = G + ℓ'(−r) are nonincreasing (S1) with limit 0 (S2),
hence ≥ 0; ℓ'(r) ≥ ℓ'(s_min) and −ℓ'(−r) ≥ −ℓ'(−s_min); and by the fundamental theorem of calculus (S0)
J±(r) := ∫_r^∞ ε± = I± − (Gr − ℓ(±r)). For a nonincreasing ε ≥ 0, r₀ > 0 and g > 1,

    Σ_{i≥0} ε(r₀gⁱ) ≤ ε(r₀) + J(r₀)/(r₀(g − 1)),                                                   (∗)

since for i ≥ 1, ε(r₀gⁱ) is at most the mean of ε over [r₀g^{i−1}, r₀gⁱ], an interval of length ≥ r₀(g − 1).

**Checked on Arb balls at step K** (:func:`saturation_failures`, from an enclosure of (x_K, y_K)):
T_lo = h·min(ℓ'(s_min), −ℓ'(−s_min)) and g = T_lo² − 1 > 1 (so T_lo > √2); T* = hG and C* = C(T*);
U = x_K + y_K and V = x_K − y_K both ≠ 0 and A = log|U| − log|V| of one sign σ; B = A if σ > 0, else A + C*;
α = min(B, C* − B)/2 > 0 (a lower bound); D₀ = inf |U||V|, r₀ = D₀ sinh(α)/2 ≥ s_min; and

    Δ = (2h/g)·(ε₊(r₀) + ε₋(r₀) + (J₊(r₀) + J₋(r₀))/(r₀(g − 1))) ≤ α.

**Claim.** Then |d_k| ≥ g^{k−K} D₀ for every k ≥ K, so ‖θ_k‖² = q_k → ∞: GD diverges.

*Proof.* Let b_k = a_k if s_k > 0 and b_k = a_k + C* if s_k < 0 (so b_K ∈ B ⊂ [2α, C* − 2α]). We show by
induction on j ≥ K: |d_j| ≥ g^{j−K}D₀ and |b_j − b_K| ≤ Σ_{K≤i<j} δ_i, where δ_i ≤ (2h/g)(ε₊ + ε₋)(g^{i−K}r₀).
Given it at j, the sum (∗) bounds |b_j − b_K| ≤ Δ ≤ α, so b_j ∈ [α, C* − α]: a_j ∈ [α, C* − α] (s_j > 0) or
a_j ∈ [−C* + α, −α] (s_j < 0), |a_j| ≥ α, and |s_j| = |d_j| sinh|a_j|/2 ≥ g^{j−K} r₀ =: r_j ≥ s_min. So
sign t_j = sign s_j = σ_j and T_lo ≤ |t_j| ≤ T* (ℓ' nondecreasing on the tail, below its limit); then
|d_{j+1}| = |d_j|(t_j² − 1) ≥ g|d_j| (and d_{j+1} ≠ 0), and a_{j+1} = a_j − σ_j(C* + δ_j) with
δ_j = C(|t_j|) − C* ∈ [0, (2/g)(T* − |t_j|)] = [0, (2h/g) ε_{σ_j}(|s_j|)] ⊂ [0, (2h/g)(ε₊ + ε₋)(r_j)] (mean value
theorem on [|t_j|, T*] ⊂ [T_lo, ∞); ε± nonincreasing). If σ_j = 1: a_{j+1} = b_j − C* − δ_j ≤ −α < 0, so
b_{j+1} = a_{j+1} + C* = b_j − δ_j; if σ_j = −1: a_{j+1} = b_j + δ_j ≥ α > 0, so b_{j+1} = b_j + δ_j. Either way
|b_{j+1} − b_K| ≤ Σ_{K≤i≤j} δ_i. ∎ (Here t = hℓ'(s) with ℓ' continuous on the tails, so GD's union-branch
enclosure and the sympy derivative agree there.)

Numerically (T1 v1: log cosh(s − ½), h = 1.48, θ0 = (0.1, 2.4)) b settles at ≈ 0.6064 inside (0, C*) = (0, 1.642):
a alternates between ≈ 0.606 and ≈ −1.036 and |d| grows by h² − 1 ≈ 1.19 a step.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import sympy
from flint import arb
from sympy.calculus.util import continuous_domain

from llgd_proof.checker.problem import Problem
from llgd_proof.symbolic.arb import compile_arb, interval_strings
from llgd_proof.symbolic.losses import S as LOSS_SYMBOL

BRANCHES = (sympy.Piecewise, sympy.Abs, sympy.sign, sympy.Heaviside, sympy.DiracDelta, sympy.Min, sympy.Max, sympy.floor, sympy.ceiling)
LADDER = ("1", "2", "3", "5", "10", "30", "100", "1000")
MAX_LOSS_OPS = 12
"""The largest ℓ (sympy's count_ops) whose tails are checked: Gruntz's limits and ``simplify`` have no time bound
of their own, and the checker reads no clock (ℓ of log cosh(s − ½) has 4 operations; a sum of three shifted log
coshes, 20, already took sympy 15–22 s, five of them over 12 minutes)."""
"""The thresholds s_min the prover tries, in order."""


@lru_cache(maxsize=32)
def _limits(loss: sympy.Expr):
    """(G, I₊, I₋) of (S2)–(S3) as exact sympy numbers, or a sentence saying which fact sympy does not prove."""
    s = LOSS_SYMBOL
    first = sympy.diff(loss, s)
    second = sympy.diff(first, s)
    if any(e.has(*BRANCHES) for e in (loss, first, second)):
        return "the saturation lemma needs ℓ, ℓ', ℓ'' without branches (Piecewise, Abs, sign, …)"
    try:
        upper, lower = sympy.limit(first, s, sympy.oo), sympy.limit(first, s, -sympy.oo)
        if not (_exact(upper) and _exact(lower) and upper.is_positive and sympy.simplify(upper + lower) == 0):
            return "sympy does not prove lim ℓ'(s) = ±G at s → ±∞ with one finite G > 0"
        plus = sympy.limit(upper * s - loss, s, sympy.oo)
        minus = sympy.limit(upper * s - loss.subs(s, -s), s, sympy.oo)
    except (ValueError, TypeError, NotImplementedError, ArithmeticError, AttributeError, RecursionError):
        return "sympy cannot compute the limits of ℓ' and of G|s| − ℓ(s) at ±∞"
    if not (_exact(plus) and _exact(minus)):
        return "sympy does not prove G|s| − ℓ(s) has finite limits at ±∞ (the tail of ℓ' is not integrable)"
    return upper, plus, minus


def _exact(value) -> bool:
    """A finite real number in closed form (not ±∞, not an AccumBounds of an oscillating limit, no free symbol)."""
    return isinstance(value, sympy.Expr) and not value.has(sympy.AccumBounds) and value.is_number and value.is_real is True and value.is_finite is True


@lru_cache(maxsize=64)
def _tail_failures(loss: sympy.Expr, s_min: sympy.Rational) -> tuple[str, ...]:
    limits = _limits(loss)
    if isinstance(limits, str):
        return (limits,)
    s = LOSS_SYMBOL
    second = sympy.diff(loss, s, 2)
    w = sympy.Symbol("w", nonnegative=True)
    try:
        for tail in (sympy.Interval(s_min, sympy.oo), sympy.Interval(-sympy.oo, -s_min)):
            for expr in (loss, sympy.diff(loss, s), second):
                if continuous_domain(expr, s, tail) != tail:
                    return ("sympy does not prove ℓ, ℓ', ℓ'' continuous for |s| ≥ s_min",)
        simple = sympy.simplify(second)
        for sign in (1, -1):
            if simple.subs(s, sign * (s_min + w)).is_nonnegative is not True:
                return ("sympy does not prove ℓ'' ≥ 0 for |s| ≥ s_min",)
    except (ValueError, TypeError, NotImplementedError, ArithmeticError, AttributeError, RecursionError):
        return ("sympy cannot decide the tail of ℓ for |s| ≥ s_min",)
    return ()


def tail_failures(problem: Problem, s_min: str) -> list[str]:
    """Why sympy does not prove (S0)–(S3) for |s| ≥ s_min (module doc); empty when it does."""
    if not problem.is_product or problem.dim != 1:
        return ["the saturation lemma is for f = ℓ(xy) with x, y ∈ ℝ"]
    threshold = sympy.Rational(Fraction(s_min))
    if not threshold > 0:
        return ["s_min must be positive"]
    if sympy.count_ops(problem.loss) > MAX_LOSS_OPS:
        return [f"the saturation lemma is checked for losses of at most {MAX_LOSS_OPS} operations (sympy's limits have no other bound)"]
    return list(_tail_failures(problem.loss, threshold))


@lru_cache(maxsize=32)
def _tail_functions(loss: sympy.Expr):
    limit, plus, minus = _limits(loss)
    s = LOSS_SYMBOL
    zero = 0 * s
    return compile_arb([s], [loss, sympy.diff(loss, s), limit + zero, plus + zero, minus + zero])


def _tail(problem: Problem, r: arb) -> tuple[arb, arb, arb, arb]:
    """(ε₊(r), ε₋(r), J₊(r), J₋(r)) on a ball r ≥ s_min (module doc)."""
    functions = _tail_functions(problem.loss)
    loss_plus, slope_plus, limit, plus, minus = functions(r)
    loss_minus, slope_minus, *_ = functions(-r)
    return limit - slope_plus, limit + slope_minus, plus - (limit * r - loss_plus), minus - (limit * r - loss_minus)


def slope_floor(problem: Problem, h: arb, s_min: str) -> arb:
    """T_lo = h·min(ℓ'(s_min), −ℓ'(−s_min)) on a ball (call after :func:`tail_failures` is empty)."""
    exact = Fraction(s_min)
    threshold = arb(exact.numerator) / exact.denominator
    functions = _tail_functions(problem.loss)
    return h * functions(threshold)[1].min(-functions(-threshold)[1])


def saturation_failures(problem: Problem, h: arb, s_min: str, theta: list[arb]) -> tuple[dict, list[str]]:
    """The lemma's numbers at an enclosure θ_K of (x_K, y_K) and why its Arb conditions fail (module doc).

    Call only after :func:`tail_failures` is empty for the same s_min."""
    exact = Fraction(s_min)
    threshold = arb(exact.numerator) / exact.denominator
    limit = _tail_functions(problem.loss)(arb(0))[2]
    low = slope_floor(problem, h, s_min)
    growth = low * low - 1
    saturated = h * limit
    if not (low > 0 and growth > 1):
        return {}, ["T_lo = h·min(ℓ'(s_min), −ℓ'(−s_min)) is not certainly above √2 (|d| does not certainly grow)"]
    jump = ((saturated + 1) / (saturated - 1)).log()
    facts = {"slope_low": _lower(low), "growth": _lower(growth), "jump": interval_strings(jump)}
    x, y = theta
    u, v = x + y, x - y
    if not (abs(u) > 0 and abs(v) > 0 and u.is_finite() and v.is_finite()):
        return facts, ["x_K + y_K or x_K − y_K is not certainly nonzero"]
    a = abs(u).log() - abs(v).log()
    if not (a > 0 or a < 0):
        return facts, ["the sign of s_K = x_K y_K is not decided"]
    b = a if a > 0 else a + jump
    margin = b.min(jump - b) / 2
    if not margin > 0:
        return facts, ["the folded angle b_K is not certainly inside (0, C*)"]
    alpha = arb(margin.lower())
    radius = arb((abs(u) * abs(v)).lower() * alpha.sinh() / 2).lower()
    facts |= {"folded_angle": interval_strings(b), "alpha": _lower(alpha), "r0": _lower(radius)}
    if not radius >= threshold:
        return facts, ["r₀ = inf|d_K|·sinh(α)/2 is below s_min"]
    rest_plus, rest_minus, integral_plus, integral_minus = _tail(problem, radius)
    if rest_plus < 0 or rest_minus < 0 or integral_plus < 0 or integral_minus < 0:
        return facts, ["a tail deficit ε± or J± evaluates below 0 (inconsistent with the sympy limits)"]
    drift = 2 * h / growth * (rest_plus + rest_minus + (integral_plus + integral_minus) / (radius * (growth - 1)))
    if not drift.is_finite():
        return facts, ["the drift bound Δ is not finite"]
    facts["drift_bound"] = interval_strings(drift)[1]
    if not drift <= alpha:
        return facts, ["the drift bound Δ exceeds α"]
    return facts, []


def _lower(value: arb) -> str:
    return interval_strings(value)[0]


__all__ = ["LADDER", "saturation_failures", "slope_floor", "tail_failures"]
