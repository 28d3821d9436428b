"""Anchor A4 — Chen & Bruna 2023: the flip bifurcation of one-dimensional GD.

Statement. At η = 2/f''(x*) a stable 2-cycle appears iff α = 3f'''(x*)² − f''(x*)f''''(x*) > 0.
For f = ¼(x² − μ)² and ημ > 1 the 2-cycle is (√(μ + 3/η) ± √(μ − 1/η))/2 with multiplier
9 − 2(1 + ημ)², stable iff 1 < ημ < √5 − 1; for f = log(1 + x²) and h ∈ (1, 2) GD converges to the
2-cycle ±√(h − 1). (The cycle points and the multiplier are proved symbolically.)
"""

from __future__ import annotations

import math

import sympy

from ..dynamics import Status
from ..identities import two_cycles
from .base import Case, Context, Hypothesis, Theorem, matches_expected


def quartic_cycle(eta: float, mu: float = 1.0) -> list[float]:
    root_plus, root_minus = math.sqrt(mu + 3 / eta), math.sqrt(mu - 1 / eta)
    return [(root_plus + root_minus) / 2, (root_plus - root_minus) / 2]


def one_dimensional(c: Context):
    return c.objective.n_variables == 1, f"{c.objective.n_variables} variable(s)"


def past_the_flip(c: Context):
    if c.objective.n_variables != 1:  # the one-dimensional hypothesis already fails
        return False, "not evaluated: the objective is not one-dimensional"
    minimiser = sympy.nsimplify(c.parameters["minimiser"])
    (variable,) = c.objective.variables
    derivatives = [sympy.diff(c.objective.expr, variable, k).subs(variable, minimiser) for k in (2, 3, 4)]
    second, third, fourth = (sympy.simplify(d) for d in derivatives)
    alpha = sympy.simplify(3 * third**2 - second * fourth)
    c.record(alpha=float(alpha), flip_step=float(2 / second))
    c.alpha = alpha
    return bool(c.h * second > 2), f"ηf''(x*) = {float(c.h * second):.4g} > 2; α = 3f'''² − f''f'''' = {alpha}"


def cycle_as_predicted(c: Context):
    if not hasattr(c, "alpha"):  # the flip hypothesis was not evaluated (not one-dimensional)
        return None, "not evaluated: α is defined for one-dimensional objectives only"
    ok, detail = matches_expected(c)
    two_cycle = c.run.status is Status.PERIODIC and c.run.period == 2
    if c.case.expected.get("no_stable_two_cycle"):
        if c.run.status is Status.UNDECIDED:
            return None, "undecided: could not tell whether a 2-cycle is reached"
        return (not two_cycle), f"GD {c.run.status.value} (period {c.run.period}); no stable 2-cycle expected (α = {c.alpha})"
    return bool(ok and two_cycle and c.alpha > 0), f"{detail}; α = {c.alpha} > 0 required"


THEOREM = Theorem(
    id="chen-bruna-two-cycle",
    title="A4 flip bifurcation and stable 2-cycles in 1-D (Chen & Bruna 2023)",
    statement=r"\eta > \tfrac{2}{f''(x^*)},\ \alpha = 3f'''^2 - f''f'''' > 0 \implies \text{stable 2-cycle};\ \tfrac14(x^2-\mu)^2:\ p_\pm = \tfrac12\big(\sqrt{\mu+3/\eta}\pm\sqrt{\mu-1/\eta}\big)",
    provenance="anchor:chen-bruna2023",
    reference="Chen & Bruna (2023), beyond the edge of stability via two-step gradient updates; theory.md A4",
    family="any",
    parameters={"minimiser": 1.0},
    hypotheses=[
        Hypothesis("one-dimensional", r"\theta \in \mathbb{R}", one_dimensional),
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
