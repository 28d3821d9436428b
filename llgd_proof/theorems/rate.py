"""T6 — a non-asymptotic rate (formalised here; the paper claims the first such bound, its form is unknown).

Statement. Let K0 be the first step at which the iterate lies in a region R = {|r| ≤ r̄, q ∈ [a, b]}
(r = xᵀy − μ, q = ‖x‖² + ‖y‖²) certified invariant with contraction factor ρ < 1 by the independent
checker's Arb region bounds (:func:`llgd_proof.checker.converges.region_bounds`, chosen by
:mod:`llgd_proof.analysis.contraction`; ρ an outward-rounded upper bound). Then for all k ≥ K0

    |r_k| ≤ |r_K0| ρ^(k−K0),   and |r_k| ≤ ε after at most K0 + ⌈log(|r_K0|/ε)/log(1/ρ)⌉ steps.

The recursion behind ρ, r⁺ = r(1 + h²ℓ'²) + μh²ℓ'² − hℓ'q, is proved symbolically (the first version of
theory.md's T6 left out the μh²ℓ'² term, which is needed when μ ≠ 0; theory.md now has it). Predicted and actual step counts are reported.
"""

from __future__ import annotations

import mpmath
import sympy

from llgd_proof.analysis.contraction import ResidualRegion, rho_formula, steps_to_epsilon
from llgd_proof.symbolic.identities import residual_recursion
from llgd_proof.theorems.base import PAPER_CLAIM_NOTE, Case, Context, Hypothesis, Theorem, gd_converges

CANDIDATE_LIMIT = 400


def _residuals_and_norms(c: Context):
    compiled = c.compiled()
    n = c.objective.dim or 1
    with mpmath.workdps(c.dps):
        return [(compiled.residual(*p), sum(v**2 for v in p)) for p in c.run.path] if n else []


def certified_region_reached(c: Context):
    regions = ResidualRegion(c.loss, c.h, dim=c.objective.dim or 1, dps=c.dps)
    series = _residuals_and_norms(c)
    c.residual_series = series
    candidates = sorted(set(list(range(min(64, len(series)))) + [int(1.15**j) for j in range(80) if int(1.15**j) < len(series)]))
    for k in candidates[:CANDIDATE_LIMIT]:
        region = regions.certify(c.run.path[k])
        if region is not None:
            c.region, c.first_step = region, k
            rho = region.as_json()["rho"]
            c.record(rho=rho, K0=k, region=region.as_json())
            return True, f"region certified at step K0 = {k}: ρ ≤ {rho:.6g}, r̄ = {float(region.r_bar):.3g}"
    return False, "no certified invariant region with ρ < 1 along the run"


def rate_bound_holds(c: Context):
    if not hasattr(c, "region"):
        return None, "no certified region"
    epsilon = mpmath.mpf(c.parameters["epsilon"])
    start = c.first_step
    with mpmath.workdps(c.dps):
        rho = c.region.rho_upper(c.dps)
        first = abs(c.residual_series[start][0])
        worst, breaks = mpmath.mpf(0), []
        for k in range(start, len(c.residual_series)):
            ratio = abs(c.residual_series[k][0]) / (first * rho ** (k - start))
            worst = max(worst, ratio)
            if ratio > 1 + mpmath.mpf(10) ** (-(c.dps // 2)):
                breaks.append(k)
        reached = next((k for k, (r, _) in enumerate(c.residual_series) if abs(r) <= epsilon), None)
    steps = steps_to_epsilon(first, epsilon, c.region.rho)
    if steps is None:
        return None, "the step bound log(|r_K0|/ε)/log(1/ρ) cannot be computed"
    predicted = start + steps
    c.record(predicted_steps=predicted, actual_steps=reached, epsilon=float(epsilon), worst_ratio_to_bound=float(worst))
    if reached is None:
        return None, f"|r| never reached ε = {float(epsilon):g} within the run"
    ok = not breaks and reached <= predicted
    detail = f"max |r_k|/(|r_K0|ρ^(k−K0)) = {mpmath.nstr(worst, 6)}; steps to |r| ≤ {float(epsilon):g}: actual {reached}, predicted ≤ {predicted}"
    return bool(ok), detail + (f"; bound broken at steps {breaks[:5]}" if breaks else "")


def bounds(loss, parameters):
    return {
        "rho": r"\rho = \sup_{R} " + sympy.latex(rho_formula()) + r",\ m \in \ell''([\mu-\bar r, \mu+\bar r])",
        "near_limit": r"\rho \to |1 - h\,\ell''(\mu)\,q_\infty| = |1 - h S(\theta_\infty)| \ (\bar r \to 0),\ \ell''(\mu) = " + sympy.latex(loss.at_minimiser(2)),
        "steps": r"K \le K_0 + \Big\lceil \frac{\log(|r_{K_0}|/\varepsilon)}{\log(1/\rho)} \Big\rceil",
    }


THEOREM = Theorem(
    id="rate",
    title="T6 non-asymptotic convergence rate of the residual",
    statement=r"|r_k| \le |r_{K_0}|\,\rho^{k-K_0}\ (k \ge K_0),\quad \#\{k: |r_k|>\varepsilon\} \le K_0 + \Big\lceil\frac{\log(|r_{K_0}|/\varepsilon)}{\log(1/\rho)}\Big\rceil",
    provenance="paper-claim",
    note=PAPER_CLAIM_NOTE + "; the form of the bound (ρ, R, K0) is this project's, the paper's is unknown",
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), non-asymptotic rate; theory.md T6",
    parameters={"epsilon": 1e-8},
    hypotheses=[
        Hypothesis("GD converges", r"\theta_k \to \theta_\infty", gd_converges, after_run=True),
        Hypothesis("certified region reached", r"\exists K_0: \theta_{K_0} \in R,\ \rho < 1,\ R \text{ invariant}", certified_region_reached, after_run=True),
    ],
    conclusion_name="geometric decay of the residual",
    conclusion_latex=r"|r_k| \le |r_{K_0}|\rho^{k-K_0},\ K_\varepsilon^{\text{actual}} \le K_\varepsilon^{\text{predicted}}",
    conclude=rate_bound_holds,
    proofs=lambda: list(residual_recursion()),
    bounds=bounds,
    keep_path=True,
    search={"losses": ("logcosh", "huber", "pseudo-huber", "quadratic"), "mu_values": (0.5, 1.0), "fraction": (0.05, 0.99), "box": ((0.05, 10.0), (0.05, 5.0))},
    cases=[
        Case(loss="logcosh", h="0.9", init=("20", "0.1")),
        Case(loss="pseudo-huber", h="0.7", init=("9", "0.2")),
        Case(loss="huber", h="0.5", init=("6", "0.3")),
        Case(loss="quadratic", h="0.2", init=("3", "0.5")),
        Case(loss="logcosh", h="0.8", dim=2, init=("6", "1", "0.2", "0.1")),
    ],
)
