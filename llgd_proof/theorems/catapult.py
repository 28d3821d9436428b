"""T5 — catapult (``paper-claim``, formalised here).

Statement. If S0 = S(θ0) > 2/h, f(θ0) > 0 and GD converges, then the loss rises above f(θ0) at
some step (the catapult; max_k f(θ_k)/f(θ0) is reported) and the limit is flatter than the start:
S(θ∞) ≤ 2/h < S0.
"""

from __future__ import annotations

import sympy

from .base import PAPER_CLAIM_NOTE, Case, Context, Hypothesis, Theorem, gd_converges


def too_sharp_for_the_step(c: Context):
    sharpness = c.initial_sharpness()
    return bool(sharpness > 2 / c.h), f"S0 = {float(sharpness):.6g} vs 2/h = {float(2 / c.h):.6g}"


def positive_initial_loss(c: Context):
    loss = c.phenomena.initial_loss
    return bool(loss > 0), f"f(θ0) = {loss:.6g}"


def loss_spikes_then_flattens(c: Context):
    ratio, final = c.phenomena.max_loss_ratio, c.phenomena.final_sharpness
    if ratio is None or final is None:
        return None, "run did not settle"
    c.record(max_loss_ratio=ratio, final_sharpness_times_h=final * float(c.h))
    spike, flat = ratio > 1, final * float(c.h) <= 2 + 1e-8
    return bool(spike and flat), f"max f(θ_k)/f(θ0) = {ratio:.6g} (> 1 needed); h·S(θ∞) = {final * float(c.h):.6g} (≤ 2 needed)"


def bounds(loss, parameters):
    h = sympy.Symbol("h", positive=True)
    return {"regime": r"S(\theta_0) > " + sympy.latex(2 / h) + r" \ge S(\theta_\infty)"}


THEOREM = Theorem(
    id="catapult",
    title="T5 catapult",
    statement=r"S_0 > \tfrac2h,\ f(\theta_0)>0,\ \theta_k\to\theta_\infty \implies \max_k f(\theta_k) > f(\theta_0),\ S(\theta_\infty) \le \tfrac2h < S_0",
    provenance="paper-claim",
    generic_start=True,
    note=PAPER_CLAIM_NOTE,
    reference="Wang, Xu, Zhao, Tao (JMLR 2025), catapult; theory.md T5",
    family="any",
    hypotheses=[
        Hypothesis("too sharp for the step", r"S(\theta_0) > 2/h", too_sharp_for_the_step),
        Hypothesis("positive initial loss", r"f(\theta_0) > 0", positive_initial_loss, after_run=True),
        Hypothesis("GD converges", r"\theta_k \to \theta_\infty", gd_converges, after_run=True),
    ],
    conclusion_name="loss spikes, then the limit is flat",
    conclusion_latex=r"\max_k f(\theta_k)/f(\theta_0) > 1,\ h S(\theta_\infty) \le 2",
    conclude=loss_spikes_then_flattens,
    bounds=bounds,
    cases=[
        Case(loss="quadratic", h="0.4", init=("3", "0.5")),
        Case(loss="logcosh", h="0.9", init=("20", "0.1")),
        Case(loss="huber", h="0.5", init=("6", "0.3"), label="Huber, start inside the quadratic zone"),
        Case(loss="huber", h="0.5", init=("12", "0.4"), label="Huber far out: S0 = |ℓ'| < 2/h, hypotheses fail (it still spikes)"),
        Case(loss="logcosh", h="0.3", init=("2", "0.3"), label="S0 < 2/h: hypotheses fail"),
    ],
)
