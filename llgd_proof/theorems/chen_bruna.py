"""Anchor A4 — Chen & Bruna 2023: the flip bifurcation of one-dimensional GD.

Statement. At η = 2/f''(x*) a stable 2-cycle appears iff α = 3f'''(x*)² − f''(x*)f''''(x*) > 0.
For f = ¼(x² − μ)² and ημ > 1 the 2-cycle is (√(μ + 3/η) ± √(μ − 1/η))/2 with multiplier
9 − 2(1 + ημ)², stable iff 1 < ημ < √5 − 1; for f = log(1 + x²) and h ∈ (1, 2) GD converges to the
2-cycle ±√(h − 1). (The cycle points and the multiplier are proved symbolically.) The minimiser x* is
computed — the strict local minimiser nearest the start, from f' = 0 and f'' > 0 — or, if given
(``minimiser=...``), checked to be one before it is used.
"""

from __future__ import annotations

import math

import sympy

from llgd_proof.engines.stopping import Status
from llgd_proof.errors import LlgdInputError
from llgd_proof.symbolic.expressions import almost_everywhere
from llgd_proof.symbolic.identities import two_cycles
from llgd_proof.symbolic.recognise import check_minimiser, local_minimiser
from llgd_proof.theorems.base import Case, Context, Hypothesis, Theorem, matches_expected


def quartic_cycle(eta: float, mu: float = 1.0) -> list[float]:
    root_plus, root_minus = math.sqrt(mu + 3 / eta), math.sqrt(mu - 1 / eta)
    return [(root_plus + root_minus) / 2, (root_plus - root_minus) / 2]


def one_dimensional(c: Context):
    return c.objective.n_variables == 1, f"{c.objective.n_variables} variable(s)"


def minimiser_found(c: Context):
    """x* computed (symbolically, or a certified numeric root of f'), never defaulted; a given one is checked."""
    if c.objective.n_variables != 1:
        return False, "x* is defined for one-variable objectives"
    (variable,) = c.objective.variables
    given = c.parameters.get("minimiser")
    if given is not None:
        minimiser, method = sympy.nsimplify(given), "given, checked"
        ok, detail = check_minimiser(c.objective.expr, variable, minimiser)
    else:
        try:
            minimiser, method = local_minimiser(c.objective.expr, variable, c.init[0])
        except LlgdInputError as error:
            return False, str(error)
        ok, detail = True, f"x* = {minimiser} ≈ {float(minimiser):.12g}"
    if ok:
        c.minimiser = minimiser
    c.record(minimiser=float(minimiser), minimiser_method=method)
    return ok, f"{detail} ({method})"


def past_the_flip(c: Context):
    minimiser = getattr(c, "minimiser", None)
    if minimiser is None:
        c.alpha = None
        return False, "no (strict) minimiser x* to evaluate f'' at"
    (variable,) = c.objective.variables
    derivatives = [almost_everywhere(sympy.diff(c.objective.expr, variable, k)).subs(variable, minimiser) for k in (2, 3, 4)]
    second, third, fourth = (sympy.simplify(d) for d in derivatives)
    alpha = sympy.simplify(3 * third**2 - second * fourth)
    c.record(alpha=float(alpha), flip_step=float(2 / second), eta_times_curvature=float(c.h * second))
    c.alpha = alpha
    return bool(c.h * second > 2), f"ηf''(x*) = {float(c.h * second):.6g} > 2 at x* = {minimiser}; α = 3f'''² − f''f'''' = {alpha}"


def cycle_as_predicted(c: Context):
    if not hasattr(c, "alpha"):  # the flip hypothesis was not evaluated (not one-dimensional)
        return None, "not evaluated: α is defined for one-dimensional objectives only"
    ok, detail = matches_expected(c)
    two_cycle = c.run.status is Status.PERIODIC and c.run.period == 2
    alpha = getattr(c, "alpha", None)
    if alpha is None:
        return None, "no minimiser x*, so no prediction"
    if c.case.expected.get("no_stable_two_cycle"):
        if c.run.status is Status.UNDECIDED:
            return None, "undecided: could not tell whether a 2-cycle is reached"
        return (not two_cycle), f"GD {c.run.status.value} (period {c.run.period}); no stable 2-cycle expected (α = {alpha})"
    return bool(ok and two_cycle and alpha > 0), f"GD {c.run.status.value} (period {c.run.period}); {detail}; α = {alpha} > 0 required"


THEOREM = Theorem(
    id="chen-bruna-two-cycle",
    title="A4 flip bifurcation and stable 2-cycles in 1-D (Chen & Bruna 2023)",
    statement=r"\eta > \tfrac{2}{f''(x^*)},\ \alpha = 3f'''^2 - f''f'''' > 0 \implies \text{stable 2-cycle};\ \tfrac14(x^2-\mu)^2:\ p_\pm = \tfrac12\big(\sqrt{\mu+3/\eta}\pm\sqrt{\mu-1/\eta}\big)",
    provenance="anchor:chen-bruna2023",
    reference="Chen & Bruna (2023), beyond the edge of stability via two-step gradient updates; theory.md A4",
    family="any",
    optional_parameters=("minimiser",),
    hypotheses=[
        Hypothesis("one-dimensional", r"\theta \in \mathbb{R}", one_dimensional),
        Hypothesis("minimiser", r"f'(x^*) = 0,\ f''(x^*) > 0", minimiser_found),
        Hypothesis("past the flip", r"\eta f''(x^*) > 2", past_the_flip),
    ],
    conclusion_name="2-cycle as predicted",
    conclusion_latex=r"\{\theta_{2k}, \theta_{2k+1}\} \to \{p_+, p_-\}",
    conclude=cycle_as_predicted,
    proofs=lambda: list(two_cycles()),
    cases=[
        Case(objective="(x^2 - 1)^2/4", variables=("x",), h="1.10", init=("0.9",), expected={"orbit": [1.11606297145, 0.814551626875], "tolerance": 1e-11}),
        Case(objective="(x^2 - 1)^2/4", variables=("x",), h="1.2", init=("0.9",), expected={"orbit": quartic_cycle(1.2), "tolerance": 1e-9}),
        Case(objective="(x^2 - 1)^2/4", variables=("x",), h="1.3", init=("0.9",), dps=40, max_steps=4000, expected={"no_stable_two_cycle": True}, label="ημ > √5 − 1: the 2-cycle is unstable"),
        Case(objective="log(1 + x^2)", variables=("x",), h="1.5", init=("0.3",), parameters={"minimiser": 0.0}, expected={"orbit": [-math.sqrt(0.5), math.sqrt(0.5)], "tolerance": 1e-12}),
        Case(objective="x^2/2 + x^4/4", variables=("x",), h="2.05", init=("0.1",), parameters={"minimiser": 0.0}, expected={"no_stable_two_cycle": True}, label="α = −6 < 0"),
    ],
)
