"""T3 — edge of stability (``paper-claim``, formalised here).

Statement. Let ℓ have good regularity. If the gradient-flow solution from θ0 is too sharp for the
step, S_GF(θ0) > 2/h (theory F7), and GD converges, then it converges to the edge of stability:
the EoS ratio hS(θ∞)/2 lies in [1 − δ, 1]. δ is a parameter (default 0.25); the measured ratio is
always reported. With the square loss the ratio can be far below 1.
"""

from __future__ import annotations

import sympy

from .base import PAPER_CLAIM_NOTE, Case, Context, Hypothesis, Theorem, gd_converges, loss_is_good


def gf_limit_too_sharp(c: Context):
    gf = c.compiled().gf_sharpness(*c.init)
    c.record(gf_sharpness_times_h_over_2=float(c.h * gf / 2))
    return bool(c.h * gf > 2), f"S_GF(θ0) = {float(gf):.6g} vs 2/h = {float(2 / c.h):.6g}"


def ratio_at_the_edge(c: Context):
    ratio = c.phenomena.eos_ratio
    if ratio is None:
        return None, "no limit sharpness"
    delta = c.parameters["delta"]
    c.record(eos_ratio=ratio, eos_window=[1 - delta, 1])
    return bool(1 - delta <= ratio <= 1 + 1e-8), f"hS(θ∞)/2 = {ratio:.8f}, window [{1 - delta:g}, 1]"


def bounds(loss, parameters):
    h = sympy.Symbol("h", positive=True)
    delta = sympy.nsimplify(parameters["delta"])
    return {"window": sympy.latex((1 - delta) * 2 / h) + r" \le S(\theta_\infty) \le " + sympy.latex(2 / h)}


THEOREM = Theorem(
    id="eos",
    title="T3 edge of stability",
    statement=r"\ell\text{ good},\ S_{GF}(\theta_0) > \tfrac{2}{h},\ \theta_k\to\theta_\infty \implies \tfrac{h S(\theta_\infty)}{2} \in [1-\delta, 1]",
    provenance="paper-claim",
    generic_start=True,
    note=PAPER_CLAIM_NOTE + "; δ is a parameter of this formalisation",
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), EoS as an implicit bias; theory.md T3",
    parameters={"delta": 0.25},
    hypotheses=[
        Hypothesis("good regularity", r"p < 2", loss_is_good),
        Hypothesis("gradient-flow limit too sharp", r"S_{GF}(\theta_0) > 2/h", gf_limit_too_sharp),
        Hypothesis("GD converges", r"\theta_k \to \theta_\infty", gd_converges, after_run=True),
    ],
    conclusion_name="EoS ratio in the window",
    conclusion_latex=r"1-\delta \le h S(\theta_\infty)/2 \le 1",
    conclude=ratio_at_the_edge,
    bounds=bounds,
    cases=[
        Case(loss="logcosh", h="0.9", init=("20", "0.1")),
        Case(loss="huber", h="0.5", init=("12", "0.4")),
        Case(loss="pseudo-huber", h="0.7", init=("9", "0.2")),
        Case(loss="logcosh0", h="0.5", init=("0.3", "2.5"), label="Ahn et al.'s example (μ = 0)"),
        Case(loss="quadratic", h="0.4", init=("3", "0.5"), label="square loss: not good; ratio far below 1"),
    ],
)
