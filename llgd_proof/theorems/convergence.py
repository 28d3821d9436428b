"""T1 — global convergence under large learning rates (``paper-claim``, formalised here).

Statement. Let f = ℓ(xy) with ℓ of good regularity (growth order p < 2), minimiser μ > 0, and
0 < h < 1/(μℓ''(μ)). From any start with x0y0 > 0, GD converges to a point of M = {xy = μ}.
The admissible h does not shrink with the initial sharpness S0 — unlike the square loss, where
convergence needs roughly h < 4/(x0² + y0² + 4μ).

Provenance: the seed paper's global convergence theory, as formalised in theory.md §4 (T1). The
thresholds are this project's formalisation, not constants quoted from the paper.

Finding (property testing, ``llgd property convergence --loss logcosh --param mu=0.5:2``): this
formalisation is false for μ < 1 near the step limit — log cosh(s − 1/2) with h = 1.48 < 1/(μℓ''(μ)) = 2
diverges from (0.1, 2.4) (confirmed at 50 and 75 digits); in float64 sweeps of 4000 same-sign starts,
μ = 1/4 with h = 2 converges from only 5 %. For μ ≥ 1 no violation was found. An absolute step
condition such as h ≤ √2/G (under which balancing, T4, keeps the iterates bounded) is missing.
"""

from __future__ import annotations

import sympy

from .base import PAPER_CLAIM_NOTE, Case, Context, Hypothesis, Theorem, limit_on_minimiser_set, loss_is_good


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
    return {"step": r"0 < h < \frac{1}{\mu\,\ell''(\mu)} = " + sympy.latex(sympy.simplify(limit)), "symbol": sympy.latex(h)}


THEOREM = Theorem(
    id="convergence",
    title="T1 global convergence under large learning rates",
    statement=(
        r"\ell \text{ good},\ \mu>0,\ 0<h<\frac{1}{\mu\ell''(\mu)},\ x_0y_0>0 \implies "
        r"\theta_k \to \theta_\infty \in M=\{xy=\mu\}"
    ),
    provenance="paper-claim",
    note=PAPER_CLAIM_NOTE + "; property testing finds this formalisation false for μ < 1 near the step limit (see the module doc)",
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), global convergence theory; theory.md T1",
    hypotheses=[
        Hypothesis("good regularity", r"p = \limsup \log\ell(s)/\log|s| < 2", loss_is_good),
        Hypothesis("positive minimiser", r"\mu > 0", minimiser_positive),
        Hypothesis("step below stability limit", r"0 < h < 1/(\mu\ell''(\mu))", step_below_stability_limit),
        Hypothesis("same-sign start", r"x_0^\top y_0 > 0", same_sign_start),
    ],
    conclusion_name="converges to the minimiser set",
    conclusion_latex=r"\theta_k \to \theta_\infty,\ x_\infty^\top y_\infty = \mu",
    conclude=limit_on_minimiser_set,
    bounds=bounds,
    cases=[
        Case(loss="logcosh", h="0.9", init=("20", "0.1"), label="log cosh, S0 ≈ 400 ≫ 2/h"),
        Case(loss="huber", h="0.99", init=("12", "0.3"), label="Huber near the stability limit"),
        Case(loss="pseudo-huber", h="0.6", init=("0.05", "5"), label="pseudo-Huber, tiny x0"),
        Case(loss="quadratic", h="0.5", init=("8", "0.3"), label="square loss: hypotheses fail (and GD diverges)"),
    ],
)
