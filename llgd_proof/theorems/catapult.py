"""T5 — catapult (``paper-claim``, formalised here), with its version history.

* ``catapult-comparative`` (T5c, current, kind "comparative"): as T3c with starts restricted to
  S0 > 2/h and the phenomenon "catapult": GD converges, the loss rises above f(θ0) at some step and
  S(θ∞) ≤ 2/h.
* ``catapult-v1`` (refuted): S0 = S(θ0) > 2/h, f(θ0) > 0, GD converges ⇒ the loss rises above f(θ0)
  (max_k f(θ_k)/f(θ0) > 1) and S(θ∞) ≤ 2/h < S0. Counterexample: log cosh(s − 1), h = 0.9,
  θ0 = (1.2, 1.2): S0 = 2.80 > 2/h, GD converges, the loss never rises — the gradient-flow limit
  (S_GF = 2 < 2/h) is stable, so GD just slides into it.
* ``catapult`` (v2, current, product family): v1 plus two hypotheses read off the boundary maps
  (docs/boundary.md): the gradient-flow limit is unstable by a margin, hS_GF(θ0)/2 ≥ 1 + m (m = 0.05),
  and the start is near M, |x0ᵀy0 − μ| ≤ ρμ (ρ = ½). Every v1 violation in the maps fails the spike
  (never the flatness). This is the textbook catapult mechanism: near M the residual is multiplied by
  about 1 − hS per step, so it grows when the minimiser GD would otherwise reach is too sharp; far from
  M the first step can jump to a much smaller residual and no spike above f(θ0) follows (v1 fails there
  even with hS0/2 ≈ 3.9); with hS_GF/2 barely above 1 the growth factor is barely above 1 and the
  nonlinear terms win. The margin m was added after a held-out loss, ((1 + (s − 1)²)^(3/4) − 1)/(3/2),
  violated the margin-free version at h = 0.42364, θ0 = (2.17692, 0.65769), where hS_GF/2 = 1.0057.
"""

from __future__ import annotations

import sympy

from llgd_proof.engines.phenomena import past_stability_limit, spiked_then_flat
from llgd_proof.theorems.base import PAPER_CLAIM_NOTE, Case, Context, Hypothesis, Theorem, converges, gd_converges, three_valued
from llgd_proof.theorems.comparative import comparative_theorem

# Each hypothesis and the conclusion is one rule on numbers or arrays (engines.phenomena, or below), evaluated by the
# pointwise check on one high-precision run and by the batch form on float64 arrays.


def gradient_flow_limit_unstable(h, gf_sharpness, margin):
    """hS_GF(θ0)/2 ≥ 1 + m: the minimiser gradient flow would reach is unstable for GD, by the margin m."""
    return h * gf_sharpness / 2 >= 1 + margin


def near_minimiser_set(residual, mu, near):
    """|x0ᵀy0 − μ| ≤ ρμ with μ > 0 (``residual`` = x0ᵀy0 − μ, ρ = ``near``)."""
    return (abs(residual) <= near * mu) & (mu > 0)


def positive(initial_loss):
    """f(θ0) > 0."""
    return initial_loss > 0


def too_sharp_for_the_step(c: Context):
    sharpness = c.initial_sharpness()
    return bool(past_stability_limit(c.h, sharpness)), f"S0 = {float(sharpness):.6g} vs 2/h = {float(2 / c.h):.6g}"


def positive_initial_loss(c: Context):
    loss = c.phenomena.initial_loss
    if loss is None:
        return False, "f(θ0) is not a finite real"
    return bool(positive(loss)), f"f(θ0) = {loss:.6g}"


def gf_limit_unstable(c: Context):
    """:func:`gradient_flow_limit_unstable` (m = parameter ``margin``) at the case's start."""
    gf = c.compiled().gf_sharpness(*c.init)
    half = float(c.h * gf / 2)
    margin = c.parameters["margin"]
    c.record(gf_sharpness_times_h_over_2=half)
    return bool(gradient_flow_limit_unstable(c.h, gf, margin)), f"hS_GF(θ0)/2 = {half:.6g} vs 1 + m = {1 + margin:g}"


def start_near_minimiser_set(c: Context):
    """:func:`near_minimiser_set` (ρ = parameter ``near``) at the case's start."""
    residual, mu = c.compiled().residual(*c.init), c.loss.mu
    near = c.parameters["near"]
    c.record(relative_residual=float(abs(residual) / mu) if mu != 0 else None)
    if not mu > 0:
        return False, f"μ = {mu}: the margin ρμ needs μ > 0"
    return bool(near_minimiser_set(residual, float(mu), near)), f"|x0ᵀy0 − μ| = {float(abs(residual)):.6g} vs ρμ = {near * float(mu):.6g}"


def loss_spikes_then_flattens(c: Context):
    ratio, final = c.phenomena.max_loss_ratio, c.phenomena.final_sharpness
    if ratio is None or final is None:
        return None, "run did not settle"
    c.record(max_loss_ratio=ratio, final_sharpness_times_h=final * float(c.h))
    holds = spiked_then_flat(ratio, final * float(c.h) / 2)
    return bool(holds), f"max f(θ_k)/f(θ0) = {ratio:.6g} (> 1 needed); h·S(θ∞) = {final * float(c.h):.6g} (≤ 2 needed)"


def bounds(loss, parameters):
    h = sympy.Symbol("h", positive=True)
    return {"regime": r"S(\theta_0) > " + sympy.latex(2 / h) + r" \ge S(\theta_\infty)"}


# -- the same hypotheses and conclusion on float64 batch runs (for ``llgd boundary``) ---------------


def batch_form(v2: bool):
    """Per-start hypotheses and conclusion of catapult-v1 or catapult v2 from a batch run: (hypotheses, conclusion, max loss ratio)."""

    def evaluate(objective, run, arrays: dict, parameters: dict):
        hypotheses = {"too sharp for the step": three_valued(past_stability_limit(run.h, arrays["initial_sharpness"]))}
        if v2:
            mu = float(objective.loss.mu)
            residual = run.initial[:, 0] * run.initial[:, 1] - mu
            hypotheses["gradient-flow limit unstable"] = three_valued(gradient_flow_limit_unstable(run.h, arrays["gf_sharpness"], parameters["margin"]))
            hypotheses["start near the minimiser set"] = three_valued(near_minimiser_set(residual, mu, parameters["near"]))
        hypotheses["positive initial loss"] = three_valued(positive(run.initial_loss))
        hypotheses["GD converges"] = converges(run.status)
        ratio, final = arrays["max_loss_ratio"], arrays["final_sharpness"]
        conclusion = three_valued(spiked_then_flat(ratio, run.h * final / 2), ratio, final)
        return hypotheses, conclusion, ratio

    return evaluate


def catapult_phenomenon(arrays, run, h, parameters):
    return spiked_then_flat(arrays["max_loss_ratio"], h * arrays["final_sharpness"] / 2)


def sharp_start_restriction(compiled, starts, h):
    return past_stability_limit(h, compiled.sharpness(tuple(starts)))


V1_COUNTEREXAMPLE = Case(loss="logcosh", h="0.9", init=("1.2", "1.2"), label="theory.md: S0 > 2/h, converges, the loss never rises")
V1_HYPOTHESES = [
    Hypothesis("too sharp for the step", r"S(\theta_0) > 2/h", too_sharp_for_the_step),
    Hypothesis("positive initial loss", r"f(\theta_0) > 0", positive_initial_loss, after_run=True),
    Hypothesis("GD converges", r"\theta_k \to \theta_\infty", gd_converges, after_run=True),
]

CATAPULT_V1 = Theorem(
    id="catapult-v1",
    title="T5 catapult (pointwise v1, refuted)",
    statement=r"S_0 > \tfrac2h,\ f(\theta_0)>0,\ \theta_k\to\theta_\infty \implies \max_k f(\theta_k) > f(\theta_0),\ S(\theta_\infty) \le \tfrac2h < S_0",
    provenance="paper-claim",
    generic_start=True,
    note=PAPER_CLAIM_NOTE + "; refuted: near M with a stable gradient-flow limit GD slides in without a spike (see catapult, catapult-comparative)",
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), catapult; theory.md T5 v1",
    family="any",
    hypotheses=V1_HYPOTHESES,
    conclusion_name="loss spikes, then the limit is flat",
    conclusion_latex=r"\max_k f(\theta_k)/f(\theta_0) > 1,\ h S(\theta_\infty) \le 2",
    conclude=loss_spikes_then_flattens,
    bounds=bounds,
    cases=[
        V1_COUNTEREXAMPLE,
        Case(loss="logcosh", h="0.77", init=("1.05", "1.19"), label="theory.md: S0 barely above 2/h, no spike"),
        Case(loss="quadratic", h="0.4", init=("3", "0.5")),
    ],
    version=1,
    status="refuted",
    counterexample=V1_COUNTEREXAMPLE,
    reproduce="llgd check catapult-v1 --loss logcosh --h 0.9 --init 1.2,1.2",
    replaced_by="catapult",
)

THEOREM = Theorem(
    id="catapult",
    title="T5 catapult (pointwise v2)",
    statement=(
        r"S_0 > \tfrac2h,\ \tfrac{h S_{GF}(\theta_0)}{2} \ge 1 + m,\ |x_0^\top y_0-\mu| \le \rho\mu,\ f(\theta_0)>0,\ \theta_k\to\theta_\infty"
        r" \implies \max_k f(\theta_k) > f(\theta_0),\ S(\theta_\infty) \le \tfrac2h < S_0"
    ),
    provenance="paper-claim",
    generic_start=True,
    note=(
        PAPER_CLAIM_NOTE + "; v2 adds an unstable gradient-flow limit with a margin (hS_GF(θ0)/2 ≥ 1 + m, m = 0.05) and a start near M "
        "(|x0ᵀy0 − μ| ≤ ρμ, ρ = 1/2), "
        "the simplest hypotheses the boundary maps support (docs/boundary.md)"
    ),
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), catapult; theory.md T5; docs/boundary.md",
    parameters={"near": 0.5, "margin": 0.05},
    hypotheses=[
        V1_HYPOTHESES[0],
        Hypothesis("gradient-flow limit unstable", r"h\,S_{GF}(\theta_0)/2 \ge 1 + m", gf_limit_unstable),
        Hypothesis("start near the minimiser set", r"|x_0^\top y_0 - \mu| \le \rho\mu", start_near_minimiser_set),
        *V1_HYPOTHESES[1:],
    ],
    conclusion_name="loss spikes, then the limit is flat",
    conclusion_latex=r"\max_k f(\theta_k)/f(\theta_0) > 1,\ h S(\theta_\infty) \le 2",
    conclude=loss_spikes_then_flattens,
    bounds=bounds,
    # starts near M with an imbalance: where v2's hypotheses can hold (a box of starts met them on ~3 % of draws, this on ~50 %)
    search={"losses": ("logcosh", "huber", "pseudo-huber"), "mu_values": (0.5, 1.0, 2.0), "fraction": (0.5, 0.99), "near": {"product": (0.55, 1.45), "ratio": (1.5, 20.0)}},
    cases=[
        Case(loss="quadratic", h="0.4", init=("3", "0.5")),
        Case(loss="logcosh", h="0.9", init=("0.3", "3"), label="log cosh, start near M with a sharp gradient-flow limit"),
        Case(loss="huber", h="0.5", init=("3", "0.35")),
        Case(loss="logcosh", h="0.9", init=("1.2", "1.2"), label="the v1 counterexample: stable gradient-flow limit, hypotheses fail"),
        Case(loss="logcosh", h="0.9", init=("20", "0.1"), label="far from M (|x0y0 − μ| = μ): hypotheses fail"),
    ],
    version=2,
    replaces="catapult-v1",
)

COMPARATIVE = comparative_theorem(
    id="catapult-comparative",
    title="T5c catapult is more likely with good regularity (comparative)",
    statement=(
        r"\Pr_{\theta_0}\big[\theta_k\to\theta_\infty,\ \max_k f(\theta_k)>f(\theta_0),\ S(\theta_\infty)\le\tfrac2h \,\big|\, S_0>\tfrac2h\big]_{\ell\text{ good}}"
        r" > \Pr_{\theta_0}[\,\cdot\,]_{(s-\mu)^2/2}"
    ),
    provenance="paper-claim",
    note=PAPER_CLAIM_NOTE + "; decided by 95 % Wilson intervals on seeded float64 samples (evidence, not proof); init is unused",
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), catapult; theory.md T5c",
    conclusion_name="catapult fraction higher for the good loss",
    conclusion_latex=r"\text{Wilson}_{95}(\text{good}) > \text{Wilson}_{95}(\text{square})",
    restriction=sharp_start_restriction,
    restriction_text="S0 > 2/h",
    phenomenon=catapult_phenomenon,
    phenomenon_text="GD converges, max_k f(θ_k) > f(θ0) and hS(θ∞) ≤ 2",
    cases=[
        Case(loss="logcosh", h="0.9", init=("2", "2"), label="log cosh vs square, μ = 1 (init unused: starts are the box)"),
        Case(loss="huber", h="0.8", init=("2", "2"), label="Huber vs square, μ = 1"),
    ],
    version=1,
)

BATCH_FORMS = {"catapult-v1": batch_form(v2=False), "catapult": batch_form(v2=True)}
MEASURED = "max loss ratio max_k f(θ_k)/f(θ0)"
VERSIONS = [THEOREM, CATAPULT_V1, COMPARATIVE]
