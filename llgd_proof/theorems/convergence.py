"""T1 — global convergence under large learning rates (``paper-claim``, formalised here), v2.

Statement (v2). Let f = ℓ(xy) with ℓ of good regularity (growth order p < 2) and G = sup|ℓ'| < ∞,
minimiser μ > 0, 0 < h < 1/(μℓ''(μ)) and h ≤ √2/G. From any start with x0y0 > 0, GD converges to a
point of M = {xy = μ}. The admissible h does not shrink with the initial sharpness S0 — unlike the
square loss, where convergence needs roughly h < 4/(x0² + y0² + 4μ).

Provenance: the seed paper's global convergence theory, as formalised in theory.md §4 (T1). The
thresholds are this project's formalisation, not constants quoted from the paper.

History. v1 (id ``convergence-v1``, kept with status ``refuted``) lacked h ≤ √2/G. Property testing
(``llgd property convergence-v1 --loss logcosh --param mu=0.5:2``) refuted it: log cosh(s − 1/2) with
h = 1.48 < 1/(μℓ''(μ)) = 2 diverges from (0.1, 2.4) (confirmed at 50, 75 and 80 digits; h|ℓ'| → 1.48 > √2
and |x² − y²| grows ×1.19 per step); for μ = 1/4, h = 2 only about 5 % of same-sign starts converge.
Under h ≤ √2/G balancing (T4) keeps |x² − y²| non-increasing, so the iterates stay bounded.
"""

from __future__ import annotations

import dataclasses

import sympy

from llgd_proof.theorems.balancing import step_below_balancing_limit
from llgd_proof.theorems.base import PAPER_CLAIM_NOTE, Case, Context, Hypothesis, Theorem, limit_on_minimiser_set, loss_is_good


def minimiser_positive(c: Context):
    return bool(c.loss.mu > 0), f"μ = {c.loss.mu}"


def step_below_stability_limit(c: Context):
    limit = c.regularity.max_stable_h
    if limit is None:
        return False, "μ = 0: no stability limit 1/(μℓ''(μ)) to be below"
    c.record(max_stable_h=float(limit), h_over_max_stable_h=float(c.h / float(limit)))
    return bool(0 < c.h < float(limit)), f"h = {float(c.h):g}, 1/(μℓ''(μ)) = {float(limit):g}"


def same_sign_start(c: Context):
    product = sum(c.init[i] * c.init[i + len(c.init) // 2] for i in range(len(c.init) // 2))
    return bool(product > 0), f"x0ᵀy0 = {float(product):g}"


def bounds(loss, parameters):
    h = sympy.Symbol("h", positive=True)
    limit = 1 / (sympy.Abs(loss.mu) * loss.at_minimiser(2)) if loss.mu != 0 else sympy.oo
    return {"step": r"0 < h < \frac{1}{\mu\,\ell''(\mu)} = " + sympy.latex(sympy.simplify(limit)), "balancing": r"h \le \sqrt2/G", "symbol": sympy.latex(h)}


HYPOTHESES_V1 = [
    Hypothesis("good regularity", r"p = \limsup \log\ell(s)/\log|s| < 2", loss_is_good),
    Hypothesis("positive minimiser", r"\mu > 0", minimiser_positive),
    Hypothesis("step below stability limit", r"0 < h < 1/(\mu\ell''(\mu))", step_below_stability_limit),
    Hypothesis("same-sign start", r"x_0^\top y_0 > 0", same_sign_start),
]

THEOREM = Theorem(
    id="convergence",
    title="T1 global convergence under large learning rates",
    statement=(
        r"\ell \text{ good},\ G=\sup|\ell'|<\infty,\ \mu>0,\ 0<h<\frac{1}{\mu\ell''(\mu)},\ h\le\frac{\sqrt2}{G},\ x_0y_0>0 \implies "
        r"\theta_k \to \theta_\infty \in M=\{xy=\mu\}"
    ),
    provenance="paper-claim",
    note=PAPER_CLAIM_NOTE + "; v2: adds h ≤ √2/G, without which v1 was refuted (log cosh(s − ½), h = 1.48, θ0 = (0.1, 2.4) diverges)",
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), global convergence theory; theory.md T1 v2",
    hypotheses=[*HYPOTHESES_V1[:3], Hypothesis("step below balancing limit", r"h \le \sqrt2/G", step_below_balancing_limit), HYPOTHESES_V1[3]],
    conclusion_name="converges to the minimiser set",
    conclusion_latex=r"\theta_k \to \theta_\infty,\ x_\infty^\top y_\infty = \mu",
    conclude=limit_on_minimiser_set,
    bounds=bounds,
    version=2,
    replaces="convergence-v1",
    search={"losses": ("logcosh", "huber", "pseudo-huber"), "mu_values": (0.25, 0.5, 1.0), "fraction": (0.05, 0.99), "box": ((0.05, 10.0), (0.05, 5.0))},
    cases=[
        Case(loss="logcosh", h="0.9", init=("20", "0.1"), label="log cosh, S0 ≈ 400 ≫ 2/h"),
        Case(loss="huber", h="0.99", init=("12", "0.3"), label="Huber near the stability limit"),
        Case(loss="pseudo-huber", h="0.6", init=("0.05", "5"), label="pseudo-Huber, tiny x0"),
        Case(loss="logcosh", mu="0.5", h="1.41", init=("0.1", "2.4"), label="v1's counterexample start at h = 1.41 ≤ √2/G"),
        Case(loss="quadratic", h="0.5", init=("8", "0.3"), label="square loss: hypotheses fail (and GD diverges)"),
        Case(loss="logcosh", mu="0.5", h="1.48", init=("0.1", "2.4"), dps=50, label="v1's counterexample: h > √2/G, hypotheses fail"),
    ],
)

COUNTEREXAMPLE_V1 = Case(loss="logcosh", mu="0.5", h="1.48", init=("0.1", "2.4"), dps=50, label="log cosh(s − ½): diverges although h < 1/(μℓ''(μ)) = 2")

THEOREM_V1 = dataclasses.replace(
    THEOREM,
    id="convergence-v1",
    title="T1 global convergence under large learning rates (v1, refuted)",
    statement=(
        r"\ell \text{ good},\ \mu>0,\ 0<h<\frac{1}{\mu\ell''(\mu)},\ x_0y_0>0 \implies "
        r"\theta_k \to \theta_\infty \in M=\{xy=\mu\}"
    ),
    note=PAPER_CLAIM_NOTE + "; refuted: false for μ < 1 near the step limit (h|ℓ'| → h > √2 and |x² − y²| grows); replaced by v2 (adds h ≤ √2/G)",
    reference="theory.md T1 v1 (refuted)",
    hypotheses=HYPOTHESES_V1,
    version=1,
    status="refuted",
    counterexample=COUNTEREXAMPLE_V1,
    reproduce="llgd check convergence-v1 --loss logcosh --mu 0.5 --h 1.48 --init 0.1,2.4 --dps 50",
    replaces=None,
    replaced_by="convergence",
    search={},
    cases=[COUNTEREXAMPLE_V1, Case(loss="logcosh", h="0.9", init=("20", "0.1"), label="log cosh, μ = 1: holds")],
)

VERSIONS = [THEOREM, THEOREM_V1]
