"""Anchor A5 — MacDonald et al.: the critical step of overparametrised least squares.

Statement. For f = ½(xy − μ)² started on the diagonal x = y: below the critical step h = 1/μ GD
converges linearly to (√μ, √μ); at h = 1/μ the distance decays only like Θ(t^(−1/2)); above it GD
settles on a period-2 orbit on the diagonal. (At the critical step the run never settles within a
budget, so by the verdict rules that case can only be ``inconclusive``; the measured decay exponent
is reported.)
"""

from __future__ import annotations

import math

import mpmath

from llgd_proof.engines.stopping import Status
from llgd_proof.theorems.base import Case, Context, Hypothesis, Theorem

SAMPLE_STEPS = (1000, 2000, 5000, 10000, 20000)


def diagonal_square_loss(c: Context):
    return bool(c.loss.name == "quadratic" and c.init[0] == c.init[1]), f"loss {c.loss.name}, start {[float(v) for v in c.init]}"


def regime_as_predicted(c: Context):
    mu = float(c.loss.mu)
    regime = float(c.h) * mu
    run = c.run
    if regime < 1:
        ok = run.status is Status.CONVERGED and all(abs(float(v) - math.sqrt(mu)) < 1e-8 for v in run.final)
        return ok, f"hμ = {regime:g} < 1: {run.status.value} after {run.steps} steps to {[float(v) for v in run.final]}"
    if regime > 1:
        on_diagonal = run.status is Status.PERIODIC and run.period == 2 and all(abs(p[0] - p[1]) < 1e-12 for p in run.orbit)
        return on_diagonal, f"hμ = {regime:g} > 1: {run.status.value}, period {run.period}, orbit on x = y: {on_diagonal}"
    with mpmath.workdps(c.dps):
        target = mpmath.sqrt(mu)
        distances = [(t, float(mpmath.sqrt(sum((v - target) ** 2 for v in run.path[t])))) for t in SAMPLE_STEPS if t < len(run.path)]
    scaled = [d * math.sqrt(t) for t, d in distances]
    slope = (math.log(distances[-1][1]) - math.log(distances[0][1])) / (math.log(distances[-1][0]) - math.log(distances[0][0]))
    c.record(decay_exponent=slope, distance_times_sqrt_t=scaled)
    ok = max(scaled) <= 2 * min(scaled)
    return ok, f"hμ = 1: distance·√t stays in [{min(scaled):.4g}, {max(scaled):.4g}], log-log slope {slope:.4f} (Θ(t^−1/2) predicts −0.5)"


THEOREM = Theorem(
    id="macdonald-critical",
    title="A5 critical step of ½(xy − μ)² on the diagonal (MacDonald et al.)",
    statement=r"f=\tfrac12(xy-\mu)^2,\ x_0=y_0:\ h<\tfrac1\mu \text{ linear};\ h=\tfrac1\mu\ \ \|\theta_t-\theta^*\| = \Theta(t^{-1/2});\ h>\tfrac1\mu \text{ period 2 on } x=y",
    provenance="anchor:macdonald",
    reference="MacDonald et al., progressive sharpening and EoS rates for overparametrised least squares; theory.md A5",
    hypotheses=[Hypothesis("square loss, diagonal start", r"\ell = (s-\mu)^2/2,\ x_0 = y_0", diagonal_square_loss)],
    conclusion_name="regime as predicted by hμ",
    conclusion_latex=r"\text{linear} \mid \Theta(t^{-1/2}) \mid \text{period 2 on } x=y",
    conclude=regime_as_predicted,
    keep_path=True,
    cases=[
        Case(loss="quadratic", h="0.8", init=("1.3", "1.3")),
        Case(loss="quadratic", h="1.1", init=("1.3", "1.3")),
        Case(loss="quadratic", h="1", init=("1.3", "1.3"), max_steps=20_000, label="critical step: never settles (inconclusive by design)"),
    ],
)
