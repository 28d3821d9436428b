"""T3 — edge of stability (``paper-claim``, formalised here), with its version history.

The paper says EoS is *more likely* with good regularity. Three formalisations live here:

* ``eos-comparative`` (T3c, current, kind "comparative"): for a good loss and the square loss with the
  same μ and h, over the same seeded starts restricted to S_GF(θ0) > 2/h, the fraction of starts from
  which GD converges with EoS ratio hS(θ∞)/2 ∈ [1 − δ, 1] is higher for the good loss (95 % Wilson
  intervals; see :mod:`llgd_proof.theorems.comparative`).
* ``eos-v1`` (refuted): ℓ good, S_GF(θ0) > 2/h (theory F7), GD converges ⇒ hS(θ∞)/2 ∈ [1 − δ, 1].
  Counterexample: log cosh(s − ½), h = 1.2, θ0 = (0.1, 2.4) converges with ratio 0.621, next to the
  flattest minimiser (ratio hμℓ''(μ) = 0.6).
* ``eos`` (v2, current): v1 plus "step near the stability limit", hμℓ''(μ) ≥ 1 − δ. Boundary maps
  (docs/boundary.md) over log cosh, Huber and pseudo-Huber, μ ∈ {¼, ½, 1, 2}: no violation once
  h ≥ (1 − δ)/(μℓ''(μ)), and violations at every μ ≤ 1 below it; no margin on hS_GF(θ0)/2 or on the
  start's distance to M removes them (violations persist with hS_GF(θ0)/2 up to ≈ 12). Honest reading:
  with this hypothesis every minimiser has hS/2 ≥ hμℓ''(μ) ≥ 1 − δ (F2) and the upper end is T2, so v2
  says little beyond F2 + T2 — the pointwise claim survives only where it is forced; the paper's
  content is the comparative form.
"""

from __future__ import annotations

import numpy
import sympy

from llgd_proof.analysis.regularity import report_for
from llgd_proof.engines.phenomena import at_the_edge, past_stability_limit
from llgd_proof.theorems.base import (
    PAPER_CLAIM_NOTE,
    Case,
    Context,
    Hypothesis,
    Theorem,
    converges,
    gd_converges,
    loss_is_good,
    three_valued,
)
from llgd_proof.theorems.comparative import comparative_theorem

STATEMENT_V1 = r"\ell\text{ good},\ S_{GF}(\theta_0) > \tfrac{2}{h},\ \theta_k\to\theta_\infty \implies \tfrac{h S(\theta_\infty)}{2} \in [1-\delta, 1]"

# Each hypothesis and the conclusion is one rule on numbers or arrays (engines.phenomena, or below), evaluated by the
# pointwise check on one high-precision run and by the batch form on float64 arrays.


def near_stability_limit(fraction, mu, delta):
    """hμℓ''(μ) ≥ 1 − δ with μ ≠ 0 (``fraction`` = h|μ|ℓ''(μ)): h is at least the fraction 1 − δ of the step limit
    1/(|μ|ℓ''(μ)), so every minimiser has hS/2 ≥ 1 − δ (F2)."""
    return (fraction >= 1 - delta) & (mu != 0)


def gf_limit_too_sharp(c: Context):
    gf = c.compiled().gf_sharpness(*c.init)
    c.record(gf_sharpness_times_h_over_2=float(c.h * gf / 2))
    return bool(past_stability_limit(c.h, gf)), f"S_GF(θ0) = {float(gf):.6g} vs 2/h = {float(2 / c.h):.6g}"


def step_near_stability_limit(c: Context):
    """:func:`near_stability_limit` for the case's loss and step."""
    mu, curvature = c.loss.mu, c.loss.at_minimiser(2)
    fraction = float(c.h * abs(mu) * curvature)
    delta = c.parameters["delta"]
    c.record(h_times_mu_curvature=fraction)
    if mu == 0:
        return False, "μ = 0: the flattest minimiser has S = 0, no step is near a stability limit"
    return bool(near_stability_limit(fraction, mu, delta)), f"hμℓ''(μ) = {fraction:.6g} vs 1 − δ = {1 - delta:g}"


def ratio_at_the_edge(c: Context):
    ratio = c.phenomena.eos_ratio
    if ratio is None:
        return None, "no limit sharpness"
    delta = c.parameters["delta"]
    c.record(eos_ratio=ratio, eos_window=[1 - delta, 1])
    return bool(at_the_edge(ratio, delta)), f"hS(θ∞)/2 = {ratio:.8f}, window [{1 - delta:g}, 1]"


def bounds(loss, parameters):
    h = sympy.Symbol("h", positive=True)
    delta = sympy.nsimplify(parameters["delta"])
    return {"window": sympy.latex((1 - delta) * 2 / h) + r" \le S(\theta_\infty) \le " + sympy.latex(2 / h)}


# -- the same hypotheses and conclusion on float64 batch runs (for ``llgd boundary``) ---------------


def batch_form(near_limit: bool):
    """Per-start hypotheses and conclusion of eos-v1 (``near_limit=False``) or eos v2 from a batch run.

    Returns ``(hypotheses: {name: three-valued array}, conclusion: three-valued array, measured: EoS ratio array)``
    (three-valued: 1 true, 0 false, NaN undecided, as :func:`~llgd_proof.theorems.base.verdict_codes` reads them).
    """

    def evaluate(objective, run, arrays: dict, parameters: dict):
        count = len(run.status)
        delta = parameters["delta"]
        good = report_for(objective.loss).growth.regularity_class == "good"
        hypotheses = {
            "good regularity": three_valued(numpy.full(count, good)),
            "gradient-flow limit too sharp": three_valued(past_stability_limit(run.h, arrays["gf_sharpness"])),
        }
        if near_limit:
            loss = objective.loss
            fraction = run.h * float(abs(loss.mu) * loss.at_minimiser(2))
            hypotheses["step near the stability limit"] = three_valued(near_stability_limit(fraction, loss.mu, delta))
        hypotheses["GD converges"] = converges(run.status)
        ratio = arrays["eos_ratio"]
        return hypotheses, three_valued(at_the_edge(ratio, delta), ratio), ratio

    return evaluate


def eos_phenomenon(arrays, run, h, parameters):
    return at_the_edge(arrays["eos_ratio"], parameters["delta"])


def gf_restriction(compiled, starts, h):
    return past_stability_limit(h, compiled.gf_sharpness(*starts))


V1_COUNTEREXAMPLE = Case(loss="logcosh", mu="0.5", h="1.2", init=("0.1", "2.4"), label="theory.md: converges at ratio 0.621 (flattest point 0.6)")

EOS_V1 = Theorem(
    id="eos-v1",
    title="T3 edge of stability (pointwise v1, refuted)",
    statement=STATEMENT_V1,
    provenance="paper-claim",
    generic_start=True,
    note=PAPER_CLAIM_NOTE + "; refuted: converging starts can land near the flattest minimiser, far below the edge (see eos, eos-comparative)",
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), EoS as an implicit bias; theory.md T3 v1",
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
        V1_COUNTEREXAMPLE,
        Case(loss="logcosh", mu="0.5", h="0.6", init=("0.5", "2.25"), label="theory.md: ratio 0.745"),
        Case(loss="logcosh", h="0.9", init=("20", "0.1")),
    ],
    version=1,
    status="refuted",
    counterexample=V1_COUNTEREXAMPLE,
    reproduce="llgd check eos-v1 --loss logcosh --mu 0.5 --h 1.2 --init 0.1,2.4",
    replaced_by="eos",
)

THEOREM = Theorem(
    id="eos",
    title="T3 edge of stability (pointwise v2)",
    statement=(
        r"\ell\text{ good},\ h\mu\ell''(\mu) \ge 1-\delta,\ S_{GF}(\theta_0) > \tfrac{2}{h},\ \theta_k\to\theta_\infty"
        r" \implies \tfrac{h S(\theta_\infty)}{2} \in [1-\delta, 1]"
    ),
    provenance="paper-claim",
    generic_start=True,
    note=(
        PAPER_CLAIM_NOTE + "; δ is a parameter of this formalisation. v2 adds hμℓ''(μ) ≥ 1 − δ, the simplest hypothesis the boundary maps "
        "support (docs/boundary.md); under it every minimiser has hS/2 ≥ 1 − δ (F2), so v2 adds little to F2 + T2 — "
        "the paper's 'more likely' is checked by eos-comparative"
    ),
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), EoS as an implicit bias; theory.md T3; docs/boundary.md",
    parameters={"delta": 0.25},
    hypotheses=[
        Hypothesis("good regularity", r"p < 2", loss_is_good),
        Hypothesis("step near the stability limit", r"h\mu\ell''(\mu) \ge 1-\delta", step_near_stability_limit),
        Hypothesis("gradient-flow limit too sharp", r"S_{GF}(\theta_0) > 2/h", gf_limit_too_sharp),
        Hypothesis("GD converges", r"\theta_k \to \theta_\infty", gd_converges, after_run=True),
    ],
    conclusion_name="EoS ratio in the window",
    conclusion_latex=r"1-\delta \le h S(\theta_\infty)/2 \le 1",
    conclude=ratio_at_the_edge,
    bounds=bounds,
    search={"losses": ("logcosh", "huber", "pseudo-huber"), "mu_values": (0.5, 1.0, 2.0), "fraction": (0.75, 0.99), "box": ((0.05, 10.0), (0.05, 5.0))},
    cases=[
        Case(loss="logcosh", h="0.9", init=("20", "0.1")),
        Case(loss="huber", h="0.8", init=("12", "0.4")),
        Case(loss="pseudo-huber", h="0.8", init=("9", "0.2")),
        Case(loss="logcosh", mu="0.5", h="1.2", init=("0.1", "2.4"), label="the v1 counterexample: hμℓ''(μ) = 0.6 < 0.75, hypotheses fail"),
        Case(loss="logcosh0", h="0.5", init=("0.3", "2.5"), label="Ahn et al.'s example (μ = 0): no stability limit, hypotheses fail"),
        Case(loss="quadratic", h="0.4", init=("3", "0.5"), label="square loss: not good; ratio far below 1"),
    ],
    version=2,
    replaces="eos-v1",
)

COMPARATIVE = comparative_theorem(
    id="eos-comparative",
    title="T3c edge of stability is more likely with good regularity (comparative)",
    statement=(
        r"\Pr_{\theta_0}\big[\theta_k\to\theta_\infty,\ \tfrac{hS(\theta_\infty)}{2}\in[1-\delta,1] \,\big|\, S_{GF}(\theta_0)>\tfrac2h\big]_{\ell\text{ good}}"
        r" > \Pr_{\theta_0}[\,\cdot\,]_{(s-\mu)^2/2}"
    ),
    provenance="paper-claim",
    note=PAPER_CLAIM_NOTE + "; decided by 95 % Wilson intervals on seeded float64 samples (evidence, not proof); init is unused",
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), EoS as an implicit bias; theory.md T3c",
    parameters={"delta": 0.25},
    conclusion_name="EoS fraction higher for the good loss",
    conclusion_latex=r"\text{Wilson}_{95}(\text{good}) > \text{Wilson}_{95}(\text{square})",
    restriction=gf_restriction,
    restriction_text="S_GF(θ0) > 2/h",
    phenomenon=eos_phenomenon,
    phenomenon_text="GD converges with 1 − δ ≤ hS(θ∞)/2 ≤ 1",
    cases=[
        Case(loss="logcosh", h="0.9", init=("2", "2"), label="log cosh vs square, μ = 1 (init unused: starts are the box)"),
        Case(loss="huber", h="0.8", init=("2", "2"), label="Huber vs square, μ = 1"),
        Case(loss="pseudo-huber", mu="0.5", h="1.2", init=("2", "2"), label="pseudo-Huber vs square, μ = ½"),
    ],
    version=1,
)

BATCH_FORMS = {"eos-v1": batch_form(near_limit=False), "eos": batch_form(near_limit=True)}
MEASURED = "EoS ratio hS(θ∞)/2"
VERSIONS = [THEOREM, EOS_V1, COMPARATIVE]
