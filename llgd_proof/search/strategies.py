"""Public hypothesis strategies for property-testing objective families.

Use them in your own pytest suite::

    from hypothesis import given
    from llgd_proof.search import strategies as lst
    from llgd_proof.theorems import get_theorem

    @given(lst.cases(lst.catalog_losses(regularity="good")))
    def test_my_claim(case):
        assert get_theorem("balancing").check(case).verdict.value != "violated"

Numbers are drawn on decimal grids (steps of 0.01 or 0.05) and handed on as strings, so a shrunk
counterexample reads like ``h = 0.5, start (3.25, 1.5)`` and is exact at any working precision.
Every loss drawn has a known non-degenerate minimiser μ (ℓ'(μ) = 0, ℓ''(μ) > 0, min ℓ = 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

import sympy
from hypothesis import strategies as st

from llgd_proof.analysis.starts import Box, start_in_box
from llgd_proof.errors import ParameterError
from llgd_proof.symbolic.expressions import huber
from llgd_proof.symbolic.losses import CATALOG, MU, Loss, S, catalog_loss, loss_from_expression
from llgd_proof.theorems.base import Case

__all__ = [
    "cases",
    "catalog_losses",
    "decimal",
    "grammar_losses",
    "learning_rates",
    "parametrised_losses",
    "reference_step",
    "sharpness_multiples",
    "starting_points",
    "step_fractions",
]

CATALOG_REGULARITY = {"quadratic": "borderline", "huber": "good", "logcosh": "good", "pseudo-huber": "good", "double-well": "bad", "logcosh0": "good", "quartic": "bad"}


def decimal(low: float, high: float, step: float = 0.01) -> st.SearchStrategy[str]:
    """Decimal numbers low, low + step, … (≤ high) as exact strings; shrinks towards ``low``."""
    if not low <= high or step <= 0:
        raise ParameterError(f"a decimal range needs low ≤ high and a positive step, got {low}:{high}:{step}")
    start, unit = Fraction(str(low)), Fraction(str(step))
    count = int((Fraction(str(high)) - start) // unit)
    return st.integers(min_value=0, max_value=count).map(lambda k: _format(start + k * unit))


def _format(value: Fraction | float) -> str:
    text = f"{float(value):.10f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def catalog_losses(names: Sequence[str] | None = None, *, regularity: str | None = None) -> st.SearchStrategy[Loss]:
    """Catalog losses with random parameters (μ ∈ [0.25, 3], δ ∈ [0.2, 3], p ∈ [1, 3.5])."""
    chosen = list(names) if names else list(CATALOG)
    if regularity is not None:
        chosen = [n for n in chosen if CATALOG_REGULARITY.get(n) == regularity or (n == "gen-huber")]
    if not chosen:
        raise ParameterError(f"no catalog loss of regularity {regularity!r}")

    @st.composite
    def build(draw) -> Loss:
        name = draw(st.sampled_from(chosen))
        defaults = CATALOG[name].defaults
        parameters = {}
        if "mu" in defaults:
            parameters["mu"] = draw(decimal(0.25, 3, 0.05))
        if "delta" in defaults:
            parameters["delta"] = draw(decimal(0.2, 3, 0.1))
        if "p" in defaults:
            exponents = {"good": (1, 1.9), "bad": (2.1, 3.5), "borderline": (2, 2)}.get(regularity or "", (1, 3.5))
            parameters["p"] = draw(decimal(exponents[0], exponents[1], 0.1))
        return catalog_loss(name, **parameters)

    return build()


_ATOMS = {
    "square": (lambda r: r**2 / 2, "good"),
    "logcosh": (lambda r: sympy.log(sympy.cosh(r)), "good"),
    "pseudo-huber": (lambda r: sympy.sqrt(1 + r**2) - 1, "good"),
    "huber": (lambda r: huber(r, sympy.Integer(1)), "good"),
    "quartic": (lambda r: r**4 / 4, "bad"),
}


def grammar_losses(max_terms: int = 3, *, allow_super_quadratic: bool = True) -> st.SearchStrategy[Loss]:
    """ℓ(s) = Σ c_i φ_i(a_i (s − μ)) with c_i, a_i > 0 and φ_i from {r²/2, log cosh r, √(1+r²) − 1, Huber(1), r⁴/4}.

    Each φ_i is even, convex and vanishes at 0, so μ is the unique global minimiser and min ℓ = 0;
    at least one term has φ''(0) > 0, so ℓ''(μ) > 0. Growth order = the largest among the terms.
    """
    names = [n for n in _ATOMS if allow_super_quadratic or _ATOMS[n][1] == "good"] + ["square"]

    @st.composite
    def build(draw) -> Loss:
        mu = sympy.Rational(draw(decimal(0.25, 3, 0.05)))
        count = draw(st.integers(min_value=1, max_value=max_terms))
        chosen = [draw(st.sampled_from(names)) for _ in range(count)]
        if all(name == "quartic" for name in chosen):
            chosen[0] = "square"
        terms = []
        for name in chosen:
            weight = sympy.Rational(draw(decimal(0.5, 2, 0.25)))
            scale = sympy.Rational(draw(decimal(0.5, 2, 0.25)))
            terms.append(weight * _ATOMS[name][0](scale * (S - MU)))
        formula = sum(terms)
        return Loss(
            name=str(formula.subs(MU, mu)),
            formula=formula,
            parameters={MU: mu},
            minimiser=mu,
            minimiser_method="known",
            description="grammar loss: a positive combination of even convex atoms of s − μ",
        )

    return build()


def parametrised_losses(text: str, ranges: Mapping[str, tuple[float, float]], *, steps: int = 20) -> st.SearchStrategy[Loss]:
    """A user loss expression with free parameters drawn on a grid of ``steps + 1`` values per range.

    Only ``mu`` is a parameter of the expression language, so ranges name ``mu``; the minimiser is
    found (and the loss shifted) for each drawn value, and the grid keeps repeated draws cheap.
    """
    unknown = set(ranges) - {"mu"}
    if unknown:
        raise ParameterError(f"loss expressions have one parameter, mu; cannot vary {min(unknown)!r}")
    low, high = ranges.get("mu", (1.0, 1.0))
    if not low <= high:
        raise ParameterError(f"parameter range {low}:{high} is empty")
    step = (high - low) / steps if high > low else 1.0
    return decimal(low, high, step).map(lambda mu: loss_from_expression(text, mu=mu))


def step_fractions(low: float = 0.05, high: float = 0.99) -> st.SearchStrategy[float]:
    """Fractions of a reference step, on a 0.01 grid."""
    return decimal(low, high, 0.01).map(float)


def reference_step(loss: Loss) -> sympy.Expr:
    """1/(|μ|ℓ''(μ)), the maximal stable step (theory F2); for μ = 0, 2/ℓ''(0) (the classical 2/L at the minimiser)."""
    curvature = loss.at_minimiser(2)
    return 1 / (abs(loss.mu) * curvature) if loss.mu != 0 else 2 / curvature


def learning_rates(loss: Loss, fraction: tuple[float, float] = (0.05, 0.99)) -> st.SearchStrategy[str]:
    """Steps h = fraction × the maximal stable step of ``loss`` (see :func:`reference_step`)."""
    reference = float(reference_step(loss))
    return step_fractions(*fraction).map(lambda f: repr(round(f * reference, 12)))


def sharpness_multiples(initial_sharpness: float, multiples: tuple[float, float] = (0.5, 3.0)) -> st.SearchStrategy[str]:
    """Steps h = m · 2/S0 for a start of sharpness S0 (m on a 0.05 grid)."""
    if not initial_sharpness > 0:
        raise ParameterError("the initial sharpness must be positive to express h as a multiple of 2/S0")
    return decimal(multiples[0], multiples[1], 0.05).map(lambda m: repr(round(float(m) * 2 / initial_sharpness, 12)))


def starting_points(
    *,
    x_range: tuple[float, float] = (0.05, 10.0),
    y_range: tuple[float, float] = (0.05, 5.0),
    same_sign: bool = True,
    log_scale: bool = False,
    dim: int = 1,
) -> st.SearchStrategy[tuple[str, ...]]:
    """Starts (x, y) (or (x1..xn, y1..yn)) in the box |x| ∈ ``x_range``, |y| ∈ ``y_range``, placed by the one rule of a
    start in a box (:func:`llgd_proof.analysis.starts.start_in_box`, as the atlas's random starts are).

    Each coordinate's fraction of its axis is drawn on a grid: magnitudes step by 0.05 from the low end (0.01 on an
    axis shorter than 1), or with ``log_scale`` by 0.05 decades (to reach both tiny and large coordinates), so a
    shrunk start reads like (3.25, 1.5); log-scaled magnitudes are written to 4 significant digits, and a magnitude
    written is never outside its axis. ``same_sign`` makes x_iy_i > 0 (one sign drawn a start), otherwise every
    coordinate has its own sign.
    """
    box = Box(x_range[0], x_range[1], y_range[0], y_range[1])  # refuses an empty or non-positive range, in its words
    axes = [(box.x_low, box.x_high), (box.y_low, box.y_high)]
    x_fractions, y_fractions = (_axis_fractions(low, high, log_scale) for low, high in axes)
    signs = st.sampled_from([1.0, -1.0])

    def written(value: float, low: float, high: float) -> str:
        size = abs(value)
        text = repr(float(f"{size:.4g}")) if log_scale else _format(size)
        return ("-" if value < 0 else "") + (text if low <= float(text) <= high else repr(float(size)))  # size: in its axis

    @st.composite
    def build(draw) -> tuple[str, ...]:
        sign = draw(signs)
        xs = [draw(x_fractions) for _ in range(dim)]
        ys = [draw(y_fractions) for _ in range(dim)]
        own = None if same_sign else [draw(signs) for _ in range(2 * dim)]
        points = [
            start_in_box(box, xs[i], ys[i], sign if same_sign else own[i], None if same_sign else own[dim + i], log_scale=log_scale, same_sign=same_sign)
            for i in range(dim)
        ]
        return tuple(written(point[0], *axes[0]) for point in points) + tuple(written(point[1], *axes[1]) for point in points)

    return build()


def _axis_fractions(low: float, high: float, log_scale: bool) -> st.SearchStrategy[float]:
    """Fractions t ∈ [0, 1] of the axis [low, high] on the grid of :func:`starting_points`: k·unit/width for
    k = 0, 1, … while k·unit ≤ width (width and unit in magnitude, or in decades with ``log_scale``); shrinks to 0."""
    if log_scale:
        start, end, unit = Fraction(str(math.log10(low))), Fraction(str(math.log10(high))), Fraction("0.05")
    else:
        start, end, unit = Fraction(str(low)), Fraction(str(high)), Fraction("0.05" if high - low > 1 else "0.01")
    width = end - start
    count = int(width // unit) if width > 0 else 0
    return st.integers(min_value=0, max_value=count).map(lambda k: float(k * unit / width) if k else 0.0)


def starts_near_minimiser_set(
    mu: float, *, product: tuple[float, float] = (0.6, 1.4), ratio: tuple[float, float] = (1.0, 10.0)
) -> st.SearchStrategy[tuple[str, str]]:
    """Starts (x0, y0) near the minimiser set xy = μ (μ > 0) with a chosen imbalance: x0·y0 = p·μ with p in
    ``product`` (a 0.05 grid) and max(|x0|, |y0|)/min(|x0|, |y0|) = 10^u with u on a 0.05 grid over log10 of
    ``ratio``; either coordinate may be the larger, and both share one sign. Written to 4 significant digits,
    so x0·y0/μ lies within 0.1 % of p."""
    if not mu > 0:
        raise ParameterError(f"starts near the minimiser set xy = mu need mu > 0, got {mu}")

    @st.composite
    def build(draw) -> tuple[str, str]:
        p = float(draw(decimal(product[0], product[1], 0.05)))
        r = 10 ** float(draw(decimal(math.log10(ratio[0]), math.log10(ratio[1]), 0.05)))
        large, small = math.sqrt(p * mu * r), math.sqrt(p * mu / r)
        x, y = (large, small) if draw(st.booleans()) else (small, large)
        sign = draw(st.sampled_from(["", "-"]))
        return tuple(sign + repr(float(f"{v:.4g}")) for v in (x, y))

    return build()


def cases(
    losses: st.SearchStrategy[Loss],
    *,
    fraction: tuple[float, float] = (0.05, 0.99),
    starts: st.SearchStrategy[tuple[str, ...]] | Callable[[Loss], st.SearchStrategy[tuple[str, ...]]] | None = None,
    dps: int = 30,
    max_steps: int = 20_000,
) -> st.SearchStrategy[Case]:
    """Whole (objective, h, start) cases: a loss, a step as a fraction of its stable step, a start (``starts``: a
    strategy, or a function of the drawn loss returning one, e.g. starts near its minimiser set)."""
    start_strategy = starts if starts is not None else starting_points()

    @st.composite
    def build(draw) -> Case:
        loss = draw(losses)
        h = draw(learning_rates(loss, fraction))
        init = draw(start_strategy if isinstance(start_strategy, st.SearchStrategy) else start_strategy(loss))
        dim = len(init) // 2
        return Case(h=h, init=init, dim=dim, dps=dps, max_steps=max_steps, loss_object=loss, label="drawn by llgd_proof.search.strategies")

    return build()
