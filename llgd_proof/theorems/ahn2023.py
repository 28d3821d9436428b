"""Anchor A9 — Ahn et al. 2023: EoS for ℓ(xy) with a sub-quadratic ℓ and μ = 0.

Statement. For f = ℓ(xy) with ℓ sub-quadratic and μ = 0 (e.g. log cosh): started with
ℓ''(0)y0² > 2/η, GD converges to (0, y∞) with ℓ''(0)y∞² just below 2/η (here: the EoS ratio
ηℓ''(0)y∞²/2 ∈ [1 − δ, 1]); started below, y∞ ≈ y0. Reference: log cosh, η = 0.5,
θ0 = (0.3, 2.5) → y∞ = 1.779944114.
"""

from __future__ import annotations

from llgd_proof.engines.phenomena import at_the_edge, past_stability_limit
from llgd_proof.engines.stopping import Status
from llgd_proof.theorems.base import Case, Context, Hypothesis, Theorem, loss_is_good


def zero_minimiser(c: Context):
    return c.loss.mu == 0, f"μ = {c.loss.mu}"


def limit_as_predicted(c: Context):
    run = c.run
    if run.status is not Status.CONVERGED:
        return (None if run.status is Status.UNDECIDED else False), f"GD {run.status.value}"
    curvature = float(c.regularity.curvature_at_minimum)
    y0 = float(c.init[1])
    x, y = (float(v) for v in run.final)
    eta, delta = float(c.h), c.parameters["delta"]
    ratio = eta * curvature * y * y / 2
    c.record(eos_ratio=ratio, y_limit=y)
    notes = [f"x∞ = {x:.3g}, y∞ = {y:.10f}"]
    ok = abs(x) < 1e-8
    if "y_limit" in c.case.expected:
        ok &= abs(abs(y) - c.case.expected["y_limit"]) <= 2e-9
        notes.append(f"reference y∞ = {c.case.expected['y_limit']}")
    if past_stability_limit(eta, curvature * y0 * y0):
        ok &= bool(at_the_edge(ratio, delta))
        notes.append(f"above the edge: ηℓ''(0)y∞²/2 = {ratio:.6f} ∈ [{1 - delta:g}, 1]")
    else:
        ok &= abs(abs(y) - abs(y0)) <= 0.1 * abs(y0)
        notes.append(f"below the edge: y∞ within 10% of y0 = {y0:g}")
    return bool(ok), "; ".join(notes)


THEOREM = Theorem(
    id="ahn2023-eos",
    title="A9 EoS for ℓ(xy) with μ = 0 (Ahn et al. 2023)",
    statement=r"\ell \text{ sub-quadratic},\ \mu = 0,\ \ell''(0)y_0^2 > \tfrac2\eta \implies \theta_k \to (0, y_\infty),\ \tfrac{\eta\ell''(0)y_\infty^2}{2} \in [1-\delta, 1]",
    provenance="anchor:ahn2023",
    reference="Ahn, Bubeck, Chewi, Lee, Suarez, Zhang (2023), learning threshold neurons via EoS; theory.md A9",
    parameters={"delta": 0.25},
    hypotheses=[
        Hypothesis("sub-quadratic loss", r"p < 2", loss_is_good),
        Hypothesis("zero minimiser", r"\mu = 0", zero_minimiser),
    ],
    conclusion_name="limit (0, y∞) as predicted",
    conclude=limit_as_predicted,
    conclusion_latex=r"x_\infty = 0,\ \eta\ell''(0)y_\infty^2/2 \in [1-\delta,1] \text{ (above) or } y_\infty \approx y_0 \text{ (below)}",
    cases=[
        Case(loss="logcosh0", h="0.5", init=("0.3", "2.5"), expected={"y_limit": 1.779944114}),
        Case(loss="logcosh0", h="0.5", init=("0.2", "3"), label="another start above the edge"),
        Case(loss="logcosh0", h="0.5", init=("0.3", "1.2"), label="below the edge"),
    ],
)
